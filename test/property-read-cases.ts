// The type-level half of test/property-read.test.ts, which type-checks this file on its own with
// the project's compiler options: every use the typing must refuse is marked `@ts-expect-error`,
// and `expectType` fails to compile where a value's type is not the one expected.
//
// `property(name)` takes the properties of a typed entity but its shape's navigation properties
// and annotations; `get()` gives the property's type (with `null` for an optional one), `text()` a
// string or null. A loose entity type takes any name, its value `unknown`.
import type { Entity, ODataClient, ODataReader, PropertyQuery } from "../src/index.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

/** The value a property query's `get()` resolves with. */
type ValueOf<Q extends PropertyQuery<unknown>> = Awaited<ReturnType<Q["get"]>>;

interface Address {
  street: string;
  city: string | null;
}

interface Author extends Entity<{ key: "ID"; navigation: "books" }> {
  ID: string;
  name: string | null;
  books?: Book[];
}

interface Book extends Entity<{ key: "ID"; navigation: "author" | "reviews" }> {
  ID: number;
  title: string | null;
  stock: number;
  tags: string[];
  address: Address | null;
  /** Optional: read alone, an absent one is null. */
  subtitle?: string;
  author?: Author | null;
  reviews?: { ID: number }[];
  "@odata.etag"?: string;
}

/** An open type: declared properties typed, any other name a dynamic property. */
interface Person extends Entity<{ key: "ID" }> {
  ID: number;
  Name: string;
  [property: string]: unknown;
}

export function propertyTypes(client: ODataClient, reader: ODataReader) {
  const book = client.collection<Book>("Books").key(1);
  expectType<Same<ValueOf<ReturnType<typeof book.property<"title">>>, string | null>>();
  const title = book.property("title");
  expectType<Same<ValueOf<typeof title>, string | null>>();
  expectType<Same<Awaited<ReturnType<typeof title.text>>, string | null>>();
  expectType<Same<ValueOf<ReturnType<typeof book.property<"ID">>>, number>>();
  const stock = book.property("stock");
  expectType<Same<ValueOf<typeof stock>, number>>();
  const tags = book.property("tags");
  expectType<Same<ValueOf<typeof tags>, string[]>>();
  const address = book.property("address");
  expectType<Same<ValueOf<typeof address>, Address | null>>();
  const subtitle = book.property("subtitle");
  expectType<Same<ValueOf<typeof subtitle>, string | null>>();

  // @ts-expect-error -- no such property of Book
  book.property("titel");
  // @ts-expect-error -- a navigation property: navigateOne("author") reads it
  book.property("author");
  // @ts-expect-error -- a collection-valued navigation property: navigate("reviews") reads it
  book.property("reviews");
  // @ts-expect-error -- an annotation is no property
  book.property("@odata.etag");

  // Through a navigation, a singleton and the reader alike.
  const name = book.navigateOne("author").property("name");
  expectType<Same<ValueOf<typeof name>, string | null>>();
  // @ts-expect-error -- a property of Book, not of Author
  book.navigateOne("author").property("title");
  const readerStock = reader.collection<Book>("Books").key(1).property("stock");
  expectType<Same<ValueOf<typeof readerStock>, number>>();
  const theme = client.singleton<{ theme: string }>("Settings").property("theme");
  expectType<Same<ValueOf<typeof theme>, string>>();

  // An open type: declared properties typed, dynamic ones unknown.
  const person = client.collection<Person>("People").key(1);
  const personName = person.property("Name");
  expectType<Same<ValueOf<typeof personName>, string>>();
  const mood = person.property("Mood");
  expectType<Same<ValueOf<typeof mood>, unknown>>();

  // Untyped: any name, of no known type.
  const loose = client.collection("Things").key(1).property("anything");
  expectType<Same<ValueOf<typeof loose>, unknown>>();

  return { title, stock, tags, address, subtitle, name, readerStock, theme, personName, mood, loose };
}
