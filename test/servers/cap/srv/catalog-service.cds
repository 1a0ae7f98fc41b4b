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
    // Collection-bound: the books with less stock than `below` (reads only).
    action lowStock(in : many $self, below : Integer) returns many Books;
    // Collection-bound: the `n` books with the most stock.
    function topStocked(in : many $self, n : Integer) returns many Books;
    // Bound, no result: answers 204.
    action touch();
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

  // For the operations tests (test/operations-cap.test.ts).
  // A string parameter comes back as it arrived: hostile literals round-trip.
  function echo(text : String) returns String;
  // A collection parameter (sent as a parameter alias) and a collection of primitives back.
  function upper(texts : many String) returns many String;
  // One entity back (with its ETag).
  function bookById(id : Integer) returns Books;
  // A complex value back.
  function stockOf(id : Integer) returns { ID : Integer; title : String; stock : Integer };
  // A collection of entities back.
  function booksWithStock(minStock : Integer) returns many Books;
  // Several typed parameters back as text, to see how each literal arrived.
  function describeArgs(i : Integer, d : Decimal(9, 2), b : Boolean, day : Date, s : String) returns String;
  // No parameters, no result: answers 204.
  action ping();
  // A collection of complex values back from an action.
  action reserve(books : many Integer) returns many { book : Integer; ok : Boolean };
}
