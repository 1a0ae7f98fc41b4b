namespace traverse.test;

using { managed } from '@sap/cds/common';

// Authors have a String key so the tests can cover key literals that need quoting,
// including an apostrophe (O'Brien) and non-Latin characters.
entity Authors {
  key ID    : String(40);
      name  : String(100);
      born  : Date;
      books : Association to many Books on books.author = $self;
}

// `managed` adds createdAt/createdBy/modifiedAt/modifiedBy; modifiedAt serves as the ETag.
entity Books : managed {
  key ID        : Integer;
      title     : String(200);
      descr     : String(1000);
      stock     : Integer;
      price     : Decimal(9, 2);
      published : Date;
      author    : Association to Authors;
      reviews   : Composition of many Reviews on reviews.book = $self;
}
annotate Books with { modifiedAt @odata.etag; };

entity Reviews {
  key ID     : Integer;
      book   : Association to Books;
      rating : Integer;
      text   : String(500);
}

// Composite key: both parts appear in the key predicate, e.g. Pairs(A=1,B='x').
entity Pairs {
  key A     : Integer;
  key B     : String(20);
      label : String(100);
}

// The big set: rows are generated at start-up by server.js, not shipped as CSV.
entity Readings {
  key ID     : Integer;
      sensor : String(10);
      value  : Double;
      ok     : Boolean;
}
