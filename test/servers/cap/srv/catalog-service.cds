using { traverse.test as db } from '../db/schema';

@path: '/odata/v4/catalog'
service CatalogService {

  @cds.search: { title, descr }
  @cds.redirection.target
  entity Books as projection on db.Books actions {
    // Bound action: takes stock away and answers with what is left.
    action order(quantity : Integer) returns { stock : Integer };
    // Bound function: price of this book after a discount in percent.
    function discountedPrice(percent : Integer) returns Decimal(9, 2);
  };

  @cds.search: { name }
  entity Authors as projection on db.Authors;

  entity Reviews as projection on db.Reviews;

  entity Pairs as projection on db.Pairs;

  entity Readings as projection on db.Readings;

  // Server-driven paging: 10 rows per page unless the client asks for fewer, never more than 50.
  @cds.query.limit: { default: 10, max: 50 }
  @readonly
  entity BooksPaged as projection on db.Books;

  action   submitOrder(book : Integer, quantity : Integer) returns { stock : Integer };
  function countBooks(minStock : Integer) returns Integer;
}
