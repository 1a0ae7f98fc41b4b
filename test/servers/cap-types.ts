/**
 * The entity types of the CAP test service's CatalogService (test/servers/cap), as OData v4 JSON
 * gives them, each with its Entity<> shape: key, navigation properties and bound operations. The
 * CAP tests use them, so that the typed queries (narrowed select and expand results, typed keys,
 * filter values and bound operations) are checked by the compiler against what the real server does.
 */
import type { Entity } from "../../src/index.js";

/** CatalogService.Authors: a String key (so that key literals need quoting). */
export interface Author extends Entity<{ key: "ID"; navigation: "books" }> {
  ID: string;
  name: string;
  /** Edm.Date, as the reader gives it: `YYYY-MM-DD`. */
  born: string;
  books?: Book[];
}

/** CatalogService.Reviews. */
export interface Review extends Entity<{ key: "ID"; navigation: "book" }> {
  ID: number;
  book_ID: number;
  rating: number;
  text: string;
  book?: Book | null;
}

/** CatalogService.Books, with its bound actions and functions (catalog-service.cds). */
export interface Book
  extends Entity<{
    key: "ID";
    navigation: "author" | "reviews";
    actions:
      | { name: "CatalogService.order"; parameters: { quantity: number }; result: { stock: number } }
      | { name: "CatalogService.touch"; parameters: {}; result: undefined };
    functions: { name: "CatalogService.discountedPrice"; parameters: { percent: number }; result: number };
    collectionActions: { name: "CatalogService.lowStock"; parameters: { below: number }; result: Book[] };
    collectionFunctions: { name: "CatalogService.topStocked"; parameters: { n: number }; result: Book[] };
  }> {
  ID: number;
  title: string;
  descr: string;
  stock: number;
  /** Edm.Decimal(9,2): a number in v4 JSON. */
  price: number;
  /** Edm.Date. */
  published: string;
  /** Edm.DateTimeOffset (from `managed`). */
  createdAt: string;
  createdBy: string;
  /** Edm.DateTimeOffset, the ETag. */
  modifiedAt: string;
  modifiedBy: string;
  author_ID: string;
  author?: Author | null;
  reviews?: Review[];
}

/** CatalogService.Pairs: a composite key. */
export interface Pair extends Entity<{ key: "A" | "B"; navigation: never }> {
  A: number;
  B: string;
  label: string;
}

/** CatalogService.Readings: the big generated set. */
export interface Reading extends Entity<{ key: "ID"; navigation: never }> {
  ID: number;
  sensor: string;
  value: number;
  ok: boolean;
}
