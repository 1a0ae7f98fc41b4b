/**
 * The entity types of the CAP test service's CatalogService (db/schema.cds, db/writes.cds), for
 * every test that talks to it.
 *
 * Read shapes are what CAP sends in OData v4 JSON: an element that the model does not declare
 * `not null` may come back `null`; navigation properties (`author`, `reviews`, `books`) are there
 * only when expanded; `@odata.etag` comes with the entities of an ETag set (Books). A `$select`
 * leaves fields out that the type still names: pick the fields read (`Pick<Book, "ID" | "title">`)
 * where that matters. Through the v2 adapter, values differ: see {@link V2Book}.
 *
 * Write shapes say what a client sends: `New*` for a create (CAP generates no Integer or String
 * key, so the key is required), `*Patch` for an update. CAP fills in the `managed` fields
 * (`createdAt`, `createdBy`, `modifiedAt`, `modifiedBy`) itself.
 *
 * Each entity type carries its Entity<> shape (key, navigation properties, bound operations of
 * srv/catalog-service.cds), so that the CAP tests check the typed queries (narrowed select and
 * expand results, typed keys, filter values and bound operations) against what the real server does.
 */
import type { Entity } from "../../../src/index.js";

/** The fields of the `managed` aspect, which CAP fills in on every create and update. */
export interface Managed {
  /** Timestamp, ISO 8601 with milliseconds and `Z`. */
  createdAt: string;
  createdBy: string;
  /** Timestamp, ISO 8601 with milliseconds and `Z`; the ETag of Books is `W/"<modifiedAt>"`. */
  modifiedAt: string;
  modifiedBy: string;
}

/** A row of Books (23 seeded, IDs 1-23). */
export interface Book
  extends Managed,
    Entity<{
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
  title: string | null;
  descr: string | null;
  stock: number | null;
  /** Decimal(9, 2): a JSON number in v4 (a string through the v2 adapter). */
  price: number | null;
  /** Date: `YYYY-MM-DD`. */
  published: string | null;
  /** The foreign key of `author`. */
  author_ID: string | null;
  /** Only with `$expand=author`; `null` for a book without author. */
  author?: Author | null;
  /** Only with `$expand=reviews` (a composition: deep inserts go through it). */
  reviews?: Review[];
  /** `W/"<modifiedAt>"`, on every Books entity CAP sends. */
  "@odata.etag"?: string;
}

/** A row of Authors (5 seeded, String keys such as `austen`, `O'Brien`, `Žlučťoučký`). */
export interface Author extends Entity<{ key: "ID"; navigation: "books" }> {
  ID: string;
  name: string | null;
  /** Date: `YYYY-MM-DD`. */
  born: string | null;
  /** Only with `$expand=books`. */
  books?: Book[];
}

/** A row of Reviews (13 seeded, for books 1-6, 11 and 16). */
export interface Review extends Entity<{ key: "ID"; navigation: "book" }> {
  ID: number;
  /** The foreign key of `book`. */
  book_ID: number | null;
  rating: number | null;
  text: string | null;
  /** Only with `$expand=book`. */
  book?: Book | null;
}

/** A row of Pairs: composite key `A`, `B` (4 seeded; one `B` is `it's`). */
export interface Pair extends Entity<{ key: "A" | "B"; navigation: never }> {
  A: number;
  B: string;
  label: string | null;
}

/** A row of Readings (100,000 generated at start: `ID` 1-100000, `sensor` `S0`-`S6`). */
export interface Reading extends Entity<{ key: "ID"; navigation: never }> {
  ID: number;
  sensor: string | null;
  /** Double. */
  value: number | null;
  ok: boolean | null;
}

/** A row of Photos, a media entity: its content is read at `Photos(<ID>)/$value`, not in JSON. */
export interface Photo extends Entity<{ key: "ID"; navigation: never }> {
  ID: number;
  title: string | null;
  /** The media type of the content. */
  mediaType: string | null;
}

/** The singleton Settings. */
export interface Settings extends Entity<{ navigation: never }> {
  ID: number;
  theme: string | null;
  pageSize: number | null;
}

/** The fields of a Book that a client may write: none of CAP's managed fields, no navigation. */
export type BookFields = Omit<Book, keyof Managed | "author" | "reviews" | "@odata.etag">;

/** A Review as a client creates it; `book_ID` comes from the parent in a deep insert or a create through `Books(<ID>)/reviews`. */
export type NewReview = Pick<Review, "ID"> & Partial<Omit<Review, "ID" | "book">>;

/** A Book as a client creates it: the key and any fields, reviews deep-inserted through the composition. */
export type NewBook = Pick<Book, "ID"> & Partial<Omit<BookFields, "ID">> & { reviews?: NewReview[] };

/** The body of a `PATCH` on a Book: any fields but the key. */
export type BookPatch = Partial<Omit<BookFields, "ID">>;

/** An Author as a client creates it. */
export type NewAuthor = Pick<Author, "ID"> & Partial<Omit<Author, "ID" | "books">>;

/** `__metadata` of an entity in the v2 adapter's JSON. */
export interface V2Metadata {
  type: string;
  /** Absolute, with `localhost` for `127.0.0.1`. */
  uri: string;
  etag?: string;
}

/**
 * A Book as the v2 adapter sends it: Decimal as a string, Date as `/Date(<ms>)/`, Timestamp as
 * `/Date(<ms>+0000)/`, navigation properties as `{ __deferred: { uri } }` unless expanded.
 */
export interface V2Book extends Omit<Book, "price" | "published" | "createdAt" | "modifiedAt" | "author" | "reviews" | "@odata.etag"> {
  price: string | null;
  published: string | null;
  createdAt: string;
  modifiedAt: string;
  author?: Author | { __deferred: { uri: string } } | null;
  reviews?: { results: Review[] } | { __deferred: { uri: string } };
  __metadata: V2Metadata;
}
