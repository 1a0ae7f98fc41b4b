// The type-level half of test/types-paths.test.ts, which type-checks this file on its own with the
// project's compiler options (and `tsc --noEmit` of `npm test` checks it too): every path the
// typing must refuse is marked `@ts-expect-error`, so a change that lets one compile fails, and
// `expectType` fails to compile where a row type is not the one expected. Each function returns
// the queries that do compile, whose requests the test sends to a node:http server.
//
// The paths are those OData allows: a filter or `$orderby` path goes through single-valued
// navigation and complex properties, and reaches into a collection only with `any`/`all` (or ends
// with `$count`); a `$select` path goes through complex properties only (a navigation property's
// own properties are selected in its expand). `$it/...` and `$this/...` name the entity filtered,
// but inside the filter of an expand `$it` stays the query's own entity (OData URL Conventions
// 4.01 §5.1.3) while `$this` is the expanded one.
import type { Entity, FilterBuilder, FilterExpression, ODataClient } from "../src/index.js";
import type { Author, Book, Review } from "./servers/cap/types.js";
import { shopService, type Address } from "./codegen/v4/index.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

/** The row type a query's `list()` gives. */
type RowOf<Q extends { list(): Promise<unknown[]> }> = Awaited<ReturnType<Q["list"]>>[number];

/** Paths through a collection-valued or a navigation property: what compiles and what does not. */
export function collectionPaths(client: ODataClient) {
  const books = client.collection<Book>("Books");
  const authors = client.collection<Author>("Authors");
  const shop = shopService(client);
  const refused = (): void => {
    // @ts-expect-error reviews is collection-valued: reviews/rating is no one value (f.any does that)
    books.filter((f) => f.eq("reviews/rating", 5));
    // @ts-expect-error the same in an ordering
    books.orderBy("reviews/rating");
    // @ts-expect-error and inside a lambda over another collection
    authors.filter((f) => f.any("books", (b) => b.ge("reviews/rating", 4)));
    // @ts-expect-error a string function on a path through a collection
    authors.filter((f) => f.contains("books/title", "Emma"));
    // @ts-expect-error a collection after a single-valued navigation property, then a property of its members
    shop.Books.filter((f) => f.eq("Author/Books/Title", "Emma"));
    // @ts-expect-error a collection of complex values is a collection too
    shop.Authors.filter((f) => f.eq("Addresses/Zip", "123"));
    // @ts-expect-error nested options of an expand check the same
    books.expand("author", (a) => a.orderBy("books/title"));
    // @ts-expect-error select does not pass through a collection-valued navigation property
    authors.select("books/title");
    // @ts-expect-error nor through a single-valued one: its properties are selected in its expand
    books.select("author/name");
    // @ts-expect-error the same for a generated type
    shop.Books.select("Author/Name");
    // @ts-expect-error nor in a nested select
    books.expand("author", (a) => a.select("books/title"));
    // @ts-expect-error $count is no select item
    books.select("reviews/$count");
  };
  void refused;
  return {
    count: books.filter((f) => f.gt("reviews/$count", 2)).orderBy("reviews/$count", "desc"),
    single: books.filter((f) => f.eq("author/name", "Jane Austen")).orderBy("author/name"),
    lambda: books.filter((f) => f.any("reviews", (r) => r.ge("rating", 4))),
    complexLambda: shop.Authors.filter((f) => f.all("Addresses", (a) => a.eq("Zip", "123"))),
    navThenComplex: shop.Books.filter((f) => f.eq("Author/Home/Zip", "123")).orderBy("Author/Home/Zip"),
    navThenCount: shop.Books.filter((f) => f.gt("Author/Books/$count", 1)),
    selectNavigation: books.select("ID", "author"),
    selectComplex: shop.Authors.select("Name", "Addresses/Zip"),
    selectInExpand: books.select("ID").expand("author", (a) => a.select("name")),
  };
}

/** An entity with a nullable complex property that holds another complex value. */
export interface Place {
  ID: number;
  spot: { lat: number; lon: number; label: { text: string; lang: string } } | null;
}

/** A select of paths into complex properties: the rows hold what the paths name. */
export function selectedComplexPaths(client: ODataClient) {
  const shop = shopService(client);
  const zip = shop.Authors.select("Name", "Home/Zip");
  expectType<Same<RowOf<typeof zip>, { Name: string; Home: { Zip: string } }>>();
  const read = (row: RowOf<typeof zip>): unknown =>
    // @ts-expect-error Street was not selected, and the service does not send it
    row.Home.Street;
  void read;
  // A collection of complex values: each member keeps the selected paths, and its null.
  const zips = shop.Authors.select("Addresses/Zip");
  expectType<Same<RowOf<typeof zips>, { Addresses: ({ Zip: string } | null)[]; Name?: string }>>();
  // The complex property named whole too: whole, whatever else names a path below it.
  const whole = shop.Authors.select("Home", "Home/Zip");
  expectType<Same<RowOf<typeof whole>["Home"], Address>>();
  // Two paths below the same property, one of them into a nested complex value; nullability stays.
  const places = client.collection<Place>("Places").select("spot/lat", "spot/label/text");
  expectType<Same<RowOf<typeof places>, { spot: { lat: number; label: { text: string } } | null }>>();
  const one = shop.Authors.key("austen").select("Home/Zip");
  expectType<Same<Awaited<ReturnType<typeof one.get>>, { Home: { Zip: string }; Name?: string }>>();
  return { zip, zips, whole, places, one };
}

/** `$it/...` and `$this/...`: paths of the entity filtered, in the outer builder and in a lambda's. */
export function rootPaths(client: ODataClient) {
  const books = client.collection<Book>("Books");
  const authors = client.collection<Author>("Authors");
  const refused = (): void => {
    // @ts-expect-error stock is a number of the book, not a string
    books.filter((f) => f.any("reviews", (r) => r.lt("$it/stock", "20")));
    // @ts-expect-error rating is the review's, not the book's
    books.filter((f) => f.any("reviews", (r) => r.ge("$it/rating", 4)));
    // @ts-expect-error nothing of that name in the book
    books.filter((f) => f.lt("$it/stok", 20));
    // @ts-expect-error $this likewise
    books.filter((f) => f.any("reviews", (r) => r.gt("rating", r.field("$this/nope"))));
    // @ts-expect-error a string function takes string properties of the entity filtered only
    books.filter((f) => f.any("reviews", (r) => r.contains("$it/stock", "1")));
    // @ts-expect-error in a nested lambda it is still the author, whose stock there is none of
    authors.filter((f) => f.any("books", (b) => b.any("reviews", (r) => r.lt("$it/stock", 1))));
    // @ts-expect-error and the rule on collections holds after $it/ too
    authors.filter((f) => f.any("books", (b) => b.eq("$it/books/title", "Emma")));
  };
  void refused;
  // A predicate written on its own, for the member type alone, is still one for the lambda.
  const goodReview = (r: FilterBuilder<Review>): FilterExpression => r.ge("rating", 4);
  // Typed with the entity filtered too, it checks $it/... against that.
  const scarce = (r: FilterBuilder<Review, Book>): FilterExpression => r.lt("$it/stock", 20);
  return {
    lambda: books.filter((f) => f.any("reviews", (r) => r.and(r.ge("rating", 4), r.lt("$it/stock", 20)))),
    outer: books.filter((f) => f.and(f.lt("$it/stock", 20), f.contains("$it/title", "Emma"))),
    nested: authors.filter((f) => f.any("books", (b) => b.any("reviews", (r) => r.eq("$it/name", "Jane Austen")))),
    path: books.filter((f) => f.any("reviews", (r) => r.eq("$it/author/name", "Jane Austen"))),
    helpers: books.filter((f) => f.any("reviews", goodReview)).filter((f) => f.all("reviews", scarce)),
    self: (v401: ODataClient) =>
      v401.collection<Book>("Books").filter((f) => f.any("reviews", (r) => r.gt("rating", r.field("$this/stock")))),
  };
}

// The types of the example in OData URL Conventions 4.01 §5.1.3 (system query options in $expand).
interface PostalAddress {
  Street: string | null;
  City: string;
}
interface Customer extends Entity<{ key: "ID"; navigation: "Orders" }> {
  ID: number;
  Name: string;
  Address: PostalAddress;
  CreditLimit: number;
  Orders?: Order[];
}
interface Order extends Entity<{ key: "ID"; navigation: "Customer" | "Items" }> {
  ID: number;
  Amount: number;
  ShipTo: PostalAddress;
  Customer?: Customer | null;
  Items?: OrderItem[];
}
interface OrderItem extends Entity<{ key: "ID"; navigation: never }> {
  ID: number;
  Qty: number;
}

/** `$it/...` inside an expand's filter: the query's own entity, however deep; `$this/...` the expanded one. */
export function expandRootPaths(client: ODataClient) {
  const customers = client.collection<Customer>("Customers");
  const refused = (): void => {
    // @ts-expect-error Amount is the order's: $it is the customer, whose Amount there is none of
    customers.expand("Orders", (q) => q.filter((f) => f.gt("$it/Amount", 100)));
    // @ts-expect-error an expand below an expand keeps the customer as $it
    customers.expand("Orders", (q) => q.expand("Items", (i) => i.filter((f) => f.lt("Qty", f.field("$it/Amount")))));
    // @ts-expect-error nor is $it the item there
    customers.expand("Orders", (q) => q.expand("Items", (i) => i.filter((f) => f.gt("$it/Qty", 1))));
    // @ts-expect-error inside a lambda of the expand's filter, $it is the customer too
    customers.expand("Orders", (q) => q.filter((f) => f.any("Items", (i) => i.lt("Qty", i.field("$it/Amount")))));
    // @ts-expect-error the value is checked against the customer's property
    customers.expand("Orders", (q) => q.filter((f) => f.lt("$it/CreditLimit", "100")));
    // @ts-expect-error a string function takes the customer's string properties after $it
    customers.expand("Orders", (q) => q.filter((f) => f.contains("$it/CreditLimit", "1")));
    // @ts-expect-error $this is the order being filtered, not the customer
    customers.expand("Orders", (q) => q.filter((f) => f.gt("Amount", f.field("$this/CreditLimit"))));
    // @ts-expect-error an ordering of the expand checks $it likewise
    customers.expand("Orders", (q) => q.orderBy((f) => f.field("$it/Amount")));
    // @ts-expect-error the query's own filter is unchanged: $it is the customer there too
    customers.filter((f) => f.gt("$it/Amount", 100));
    // @ts-expect-error an entity's expand has that entity as $it
    customers.key(1).expand("Orders", (q) => q.filter((f) => f.gt("$it/Amount", 100)));
    // @ts-expect-error orderBy given a path as text checks $it against the customer too
    customers.expand("Orders", (q) => q.orderBy("$it/Amount"));
    // @ts-expect-error and $this against the order
    customers.expand("Orders", (q) => q.orderBy("$this/CreditLimit"));
    // @ts-expect-error at the top, $it is the customer
    customers.orderBy("$it/Amount");
  };
  void refused;
  return {
    spec: customers.expand("Orders", (q) => q.filter((f) => f.eq("$it/Address/City", f.field("ShipTo/City")))),
    deeper: customers.expand("Orders", (q) => q.expand("Items", (i) => i.filter((f) => f.lt("Qty", f.field("$it/CreditLimit"))))),
    lambda: customers.expand("Orders", (q) => q.filter((f) => f.any("Items", (i) => i.lt("Qty", i.field("$it/CreditLimit"))))),
    text: customers.expand("Orders", (q) => q.filter((f) => f.contains("$it/Name", "Ltd")).orderBy((f) => f.sub("Amount", f.field("$it/CreditLimit")))),
    outer: customers.filter((f) => f.gt("$it/CreditLimit", 100)),
    orderText: (v401: ODataClient) =>
      v401.collection<Customer>("Customers").orderBy("$it/CreditLimit", "desc").expand("Orders", (q) => q.orderBy("$it/Name").orderBy("$this/Amount", "desc")),
    entity: customers.key(1).expand("Orders", (q) => q.filter((f) => f.gt("Amount", f.field("$it/CreditLimit")))),
    self: (v401: ODataClient) =>
      v401.collection<Customer>("Customers").expand("Orders", (q) => q.filter((f) => f.gt("$this/Amount", f.field("$it/CreditLimit")))),
  };
}
