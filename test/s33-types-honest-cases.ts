// The type-level half of test/s33-types-honest.test.ts, which type-checks this file on its own
// with the project's compiler options (and `tsc --noEmit` of `npm test` checks it too): every use
// the typing must refuse is marked `@ts-expect-error`, so a change that lets one compile fails, and
// `expectType` fails to compile where a row type is not the one expected.
//
// Three places where the query types said more than the wire: the nested options of an expand
// path are its last segment's, so that segment's rows are what its builder selected; `$orderby`
// sorts by primitive values only, so `orderBy()` takes no navigation, complex or collection-valued
// property; and after `$apply` the rows are what the transformations make, not the entity type,
// while a literal `$compute` text names properties that `select()` may ask for.
import type { CollectionQuery, Entity, ODataClient, ReadCollectionQuery } from "../src/index.js";
import type { ODataReader } from "../src/read.js";
import type { Author, Book } from "./servers/cap/types.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

/** The row type a query's `list()` gives. */
type RowOf<Q extends { list(): Promise<unknown[]> }> = Awaited<ReturnType<Q["list"]>>[number];

/** A complex type. */
export interface Address {
  City: string;
  Zip: string | null;
}

/** An enumeration, as `generate` writes one. */
export type Gender = "Male" | "Female" | "Unknown";

/** A type definition over a primitive type. */
export type Money = number;

/** A pet: the target of a collection-valued navigation property. */
export interface Pet extends Entity<{ key: "ID"; navigation: "Owner" }> {
  ID: number;
  Name: string;
  Owner?: Person | null;
}

/** A person with complex, collection-valued, enumeration and navigation properties. */
export interface Person extends Entity<{ key: "UserName"; navigation: "Pets" | "BestFriend" }> {
  UserName: string;
  Gender: Gender | null;
  Budget: Money;
  Home: Address | null;
  Addresses: Address[];
  Emails: string[];
  Pets?: Pet[];
  BestFriend?: Person | null;
}

/** An expand path's nested options shape its last segment's rows; the segments before it keep every property. */
export function expandPathRows(client: ODataClient) {
  const books = client.collection<Book>("Books");
  const authors = client.collection<Author>("Authors");
  const refused = (): void => {
    // @ts-expect-error the nested options are those of Book (the last segment): Book has no titel
    books.expand("author/books", (b) => b.select("titel"));
    // @ts-expect-error nor is rating a property of Book
    books.expand("author/books", (b) => b.filter((f) => f.gt("rating", 3)));
  };
  void refused;

  const path = books.select("title").filter((f) => f.eq("ID", 1)).expand("author/books", (b) => b.select("title").top(1));
  type PathAuthor = NonNullable<RowOf<typeof path>["author"]>;
  expectType<Same<PathAuthor["books"], { title: string | null; ID?: number }[]>>();
  // The author: every property, as OData v4's author($expand=books(...)) and v2's author/* send it.
  expectType<Same<PathAuthor["name"], string | null>>();
  expectType<Same<PathAuthor["ID"], string>>();
  expectType<Same<RowOf<typeof path>["author"] extends infer A ? (null extends A ? true : false) : never, true>>();
  const read = (row: RowOf<typeof path>): unknown => {
    // @ts-expect-error stock was not selected in the nested options, and the service does not send it
    const stock: number | null = row.author!.books[0]!.stock;
    // @ts-expect-error nor descr
    const descr: string | null = row.author!.books[0]!.descr;
    return [stock, descr];
  };
  void read;

  // Deeper: the segments between keep every property too, and the last one is the builder's.
  const deeper = books.expand("author/books/reviews", (r) => r.select("rating").top(2));
  type DeeperBook = NonNullable<RowOf<typeof deeper>["author"]>["books"][number];
  expectType<Same<DeeperBook["reviews"], { rating: number | null; ID?: number }[]>>();
  expectType<Same<DeeperBook["title"], string | null>>();

  // A nested expand in the last segment's options is in its rows too.
  const below = authors.expand("books/reviews", (r) => r.select("text").expand("book", (b) => b.select("stock")));
  type BelowReview = RowOf<typeof below>["books"][number]["reviews"][number];
  expectType<Same<BelowReview, { text: string | null; ID?: number; book: { stock: number | null; ID?: number } | null }>>();

  // The same in an entity query and inside a nested expand.
  const one = books.key(1).expand("author/books", (b) => b.select("title"));
  type OneAuthor = NonNullable<NonNullable<Awaited<ReturnType<typeof one.get>>>["author"]>;
  expectType<Same<OneAuthor["books"], { title: string | null; ID?: number }[]>>();
  const nested = authors.expand("books", (b) => b.expand("author/books", (x) => x.select("published")));
  type NestedAuthor = NonNullable<RowOf<typeof nested>["books"][number]["author"]>;
  expectType<Same<NestedAuthor["books"], { published: string | null; ID?: number }[]>>();

  // A type cast stays with the segment before it and takes the nested options: the derived type's
  // own properties are unknown (only $metadata names them).
  const cast = books.expand("author/NS.Writer", (a) => a.select("name", "penName"));
  expectType<Same<RowOf<typeof cast>["author"], { name: string | null; penName: unknown; ID?: string } | null>>();

  // Without nested options the path keeps typing its first segment as the related type.
  const whole = books.expand("author/books");
  expectType<Same<RowOf<typeof whole>["author"], Author | null>>();
  return { path, deeper, one, whole };
}

/** `orderBy()` takes a path to a primitive value: through single-valued navigation and complex properties, or `$count`. */
export function orderByPaths(client: ODataClient) {
  const books = client.collection<Book>("Books");
  const authors = client.collection<Author>("Authors");
  const people = client.collection<Person>("People");
  const refused = (): void => {
    // @ts-expect-error a collection-valued navigation property orders nothing
    authors.orderBy("books");
    // @ts-expect-error nor a single-valued one (an entity is no value to sort by)
    books.orderBy("author", "desc");
    // @ts-expect-error nor a collection of entities the other way
    books.orderBy("reviews");
    // @ts-expect-error a complex property
    people.orderBy("Home");
    // @ts-expect-error a collection of complex values
    people.orderBy("Addresses");
    // @ts-expect-error a collection of primitive values
    people.orderBy("Emails");
    // @ts-expect-error a navigation property at the end of a path
    people.orderBy("BestFriend/BestFriend");
    // @ts-expect-error a complex property at the end of a path
    people.orderBy("BestFriend/Home");
    // @ts-expect-error inside an expand's options
    people.expand("BestFriend", (q) => q.orderBy("Pets"));
    // @ts-expect-error a complex property there too
    people.expand("BestFriend", (q) => q.orderBy("Home", "desc"));
    // @ts-expect-error and a navigation property through $it, the query's own entity
    people.expand("Pets", (q) => q.orderBy("$it/BestFriend"));
    // @ts-expect-error or $this, the expanded one
    people.expand("Pets", (q) => q.orderBy("$this/Owner"));
    // @ts-expect-error the function form's field is checked as the path is: no navigation property
    books.orderBy((f) => f.field("author"));
    // @ts-expect-error nor a collection-valued one
    authors.orderBy((f) => f.field("books"), "desc");
    // @ts-expect-error nor a complex property, inside an expand's options
    people.expand("BestFriend", (q) => q.orderBy((f) => f.field("Home")));
    // @ts-expect-error nor a navigation property through $it there
    people.expand("Pets", (q) => q.orderBy((f) => f.field("$it/BestFriend")));
    // @ts-expect-error nor a collection of primitive values
    people.orderBy((f) => f.field("Emails"));
  };
  void refused;
  return {
    nav: books.orderBy("author/name").orderBy("reviews/$count", "desc").select("ID"),
    // The function form takes what the path form takes, and any other expression.
    field: books.orderBy((f) => f.field("author/name")).orderBy((f) => f.field("reviews/$count"), "desc").orderBy((f) => f.tolower("title")).select("ID"),
    fieldNested: people.expand("Pets", (q) => q.orderBy((f) => f.field("$it/Home/City")).orderBy((f) => f.field("Owner/UserName"))),
    complex: people.orderBy("Home/City").orderBy("BestFriend/Home/Zip", "desc").orderBy("Gender").orderBy("Budget").select("UserName"),
    nested: people.expand("Pets", (q) => q.orderBy("Name").orderBy("$it/Home/City").orderBy("Owner/UserName")),
    // A loose query names anything, as before.
    loose: client.collection("Things").orderBy("anything/at/all"),
    looseField: client.collection("Things").orderBy((f) => f.field("anything/at/all")),
  };
}

/** After `apply()` the rows are what the transformations make; `compute()` names properties `select()` may ask for. */
export function appliedAndComputed(client: ODataClient, reader: ODataReader) {
  const books = client.collection<Book>("Books");
  const grouped = books.apply("groupby((author_ID),aggregate(stock with sum as total))");
  expectType<Same<RowOf<typeof grouped>, Record<string, unknown>>>();
  // The query stays of its kind: an ODataClient's CollectionQuery, a reader's ReadCollectionQuery.
  expectType<Same<typeof grouped, CollectionQuery<Record<string, unknown>>>>();
  const read = reader.collection<Book>("Books").apply("aggregate(stock with sum as total)");
  expectType<Same<typeof read, ReadCollectionQuery<Record<string, unknown>>>>();
  const rows = (row: RowOf<typeof grouped>): unknown => {
    // @ts-expect-error ID is not a number the rows are known to hold: a groupby sends no key
    const id: number = row.ID;
    // @ts-expect-error nor a title
    const title: string | null = row.title;
    return [id, title, row.total, row.author_ID];
  };
  void rows;
  // The options OData evaluates after $apply name what the transformations made.
  const after = grouped.filter((f) => f.gt("total", 100)).orderBy("total", "desc").select("author_ID", "total").top(3).skip(0).count();
  expectType<Same<RowOf<typeof after>, { author_ID: unknown; total: unknown }>>();

  const computed = books.compute("stock mul 2 as dbl").select("title", "dbl").top(1);
  expectType<Same<RowOf<typeof computed>, { title: string | null; dbl?: unknown; ID?: number }>>();
  // filter() and orderBy() may name it too (OData 4.01 §5.1.3; CAP answers 501 to that, others sort).
  const ordered = books.compute("stock mul 2 as dbl").filter((f) => f.gt("dbl", 10)).orderBy("dbl", "desc");
  void ordered;
  const two = books.compute("stock mul 2 as dbl, stock add 1 as next").select("dbl", "next");
  expectType<Same<RowOf<typeof two>, { dbl?: unknown; next?: unknown; ID?: number }>>();
  // An alias after an expression with commas and an " as " inside a string literal.
  const label = books.compute("concat(title,' as x') as label, stock mul 2 as dbl").select("label", "dbl");
  expectType<Same<RowOf<typeof label>, { label?: unknown; dbl?: unknown; ID?: number }>>();
  const entity = books.key(1).compute("stock add 1 as next").select("next");
  expectType<Same<NonNullable<Awaited<ReturnType<typeof entity.get>>>, { next?: unknown; ID?: number }>>();
  // Without select(), the service should send the computed property too: the row may carry it.
  const all = books.compute("stock mul 2 as dbl").top(1);
  expectType<Same<RowOf<typeof all>["dbl"], unknown>>();
  const refused = (text: string): void => {
    // @ts-expect-error no alias of that name was computed
    books.compute("stock mul 2 as dbl").select("dbll");
    // @ts-expect-error the words inside a string literal name no property
    books.compute("concat(title,' as x') as label").select("x");
    // @ts-expect-error a text known only at run time names nothing the compiler can see
    books.compute(text).select("dbl");
  };
  void refused;
  const value = (row: RowOf<typeof computed>): unknown => {
    // @ts-expect-error the text does not tell the computed value's type: unknown, not a number
    const doubled: number = row.dbl;
    return doubled;
  };
  void value;
  return { grouped, after, computed, two, entity };
}
