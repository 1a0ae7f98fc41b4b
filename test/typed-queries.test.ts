// Queries whose types follow the query (issue 9 part 1). Each test builds queries on the shaped
// entity types of the CAP test service (test/servers/cap/types.ts) and checks, in the test build
// (`tsc --noEmit` of `npm test`), what the compiler gives and refuses: every misuse is marked
// `@ts-expect-error`, so a change that lets it compile fails the type check. At run time the
// tests assert the URL or the request each typed call makes, which the typing must not change.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, edm, type ActionCall, type BatchRequestRef, type Entity, type FunctionCall, type Page, type Selected } from "../src/index.js";
import type { Author, Book, Pair, Review } from "./servers/cap/types.js";
import { answerJson, onlyRequest, serveClient } from "./servers/recording-server.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

const client = new ODataClient({ serviceUrl: "http://example.test/odata/" });
const books = client.collection<Book>("Books");
const authors = client.collection<Author>("Authors");
const pairs = client.collection<Pair>("Pairs");

/** The decoded query options of a URL. */
function query(url: string): string {
  return decodeURIComponent(new URL(url).search);
}

/** An interface without a shape: what hand-written types without Entity<> get. */
interface PlainBook {
  ID: number;
  title: string;
  stock: number;
  address: { city: string };
  tags: string[];
  author?: { name: string } | null;
}

describe("select and expand narrow the rows", () => {
  test("select keeps the selected properties, and the key as optional", async () => {
    const q = books.select("ID", "title");
    type Row = Awaited<ReturnType<typeof q.list>>[number];
    expectType<Same<Row, { ID: number; title: string | null }>>();
    const titleOnly = books.select("title");
    type TitleRow = Awaited<ReturnType<typeof titleOnly.first>>;
    expectType<Same<TitleRow, { title: string | null; ID?: number } | undefined>>();
    assert.equal(query(q.url()), "?$select=ID,title");
  });

  test("a field that was not selected is not in the row", () => {
    const q = books.select("ID", "title");
    const read = (row: Awaited<ReturnType<typeof q.list>>[number]): number =>
      // @ts-expect-error stock was not selected
      row.stock;
    assert.equal(typeof read, "function");
  });

  test("every reading method follows the selection: page, pages, stream, first, get, async iteration", () => {
    const q = books.select("title");
    type Row = { title: string | null; ID?: number };
    expectType<Same<Awaited<ReturnType<typeof q.page>>["value"][number], Row>>();
    expectType<Same<ReturnType<typeof q.pages> extends AsyncGenerator<infer P> ? P extends { value: (infer R)[] } ? R : never : never, Row>>();
    expectType<Same<ReturnType<typeof q.stream> extends AsyncGenerator<infer R> ? R : never, Row>>();
    expectType<Same<ReturnType<(typeof q)[typeof Symbol.asyncIterator]> extends AsyncGenerator<infer R> ? R : never, Row>>();
    const one = books.key(1).select("title", "stock");
    expectType<Same<Awaited<ReturnType<typeof one.get>>, { title: string | null; stock: number | null; ID?: number }>>();
    assert.equal(query(one.url()), "?$select=title,stock");
  });

  test("several select calls add up, and * gives every structural property", () => {
    const q = books.select("ID").select("stock");
    expectType<Same<Awaited<ReturnType<typeof q.list>>[number], { ID: number; stock: number | null }>>();
    const all = books.select("*");
    type All = Awaited<ReturnType<typeof all.list>>[number];
    expectType<Same<All, Omit<Book, "author" | "reviews">>>();
    assert.equal(query(q.url()), "?$select=ID,stock");
  });

  test("expand adds the navigation property, with the rows of its nested select", () => {
    const q = books.select("ID", "title").expand("author", (a) => a.select("name"));
    type Row = Awaited<ReturnType<typeof q.list>>[number];
    expectType<Same<Row["author"], { name: string | null; ID?: string } | null>>();
    expectType<Same<Row["title"], string | null>>();
    const reviews = books.expand("reviews");
    type WithReviews = Awaited<ReturnType<typeof reviews.first>>;
    expectType<Same<NonNullable<WithReviews>["reviews"], Review[]>>();
    const nested = authors.expand("books", (b) => b.select("title").expand("reviews", (r) => r.select("rating")));
    type Nested = Awaited<ReturnType<typeof nested.list>>[number]["books"][number];
    expectType<Same<Nested, { title: string | null; ID?: number; reviews: { rating: number | null; ID?: number }[] }>>();
    assert.equal(query(q.url()), "?$select=ID,title&$expand=author($select=name)");
    assert.equal(query(nested.url()), "?$expand=books($select=title;$expand=reviews($select=rating))");
  });

  test("select and expand refuse names that are not there", () => {
    assert.throws(() => books.select("1x" as never), TypeError);
    const bad = () => {
      // @ts-expect-error a misspelt segment after a navigation property
      books.select("author/nme");
      // @ts-expect-error title is not a navigation property
      books.expand("title");
      // @ts-expect-error nested select checked against the related type
      books.expand("author", (a) => a.select("title"));
    };
    assert.equal(typeof bad, "function");
    assert.equal(query(books.select("author/name" as "author").url()), "?$select=author/name");
  });

  test("a path is checked four segments deep; from the fifth on it is free text, checked at run time as identifiers", () => {
    interface Deep {
      ID: number;
      a: { b: { c: { n: number; d: { e: number } } } };
    }
    const deep = client.collection<Deep>("Deep");
    const checked = deep.filter((f) => f.eq("a/b/c/n", 1));
    const wrong = () => {
      // @ts-expect-error a misspelt fourth segment
      deep.filter((f) => f.eq("a/b/c/x", 1));
      // @ts-expect-error a misspelt second segment
      deep.filter((f) => f.eq("a/x/c/n", 1));
      // @ts-expect-error a value of the wrong type for a path within the four
      deep.filter((f) => f.eq("a/b/c/n", "one"));
      // @ts-expect-error select checks the same four segments
      deep.select("a/b/zz/d");
    };
    assert.equal(typeof wrong, "function");
    // Beyond four segments the compiler looks no further, so the model's size cannot blow it up.
    const free = deep.filter((f) => f.eq("a/b/c/d/nothing", "one"));
    assert.equal(query(checked.url()), "?$filter=a/b/c/n eq 1");
    assert.equal(query(free.url()), "?$filter=a/b/c/d/nothing eq 'one'");
    assert.equal(query(deep.select("a/b/c/d/e").url()), "?$select=a/b/c/d/e");
    assert.throws(() => deep.filter((f) => f.eq("a/b/c/d/not an identifier", 1)), TypeError);
  });
});

describe("filter values are checked against the field's type", () => {
  test("comparisons take values of the field's type, edm values and null", () => {
    const q = books.filter((f) =>
      f.and(
        f.eq("stock", 5),
        f.eq("title", "Emma"),
        f.lt("published", edm.date("1820-01-01")),
        f.ge("createdAt", new Date(Date.UTC(2024, 0, 1))),
        f.eq("stock", edm.int64("5")),
        f.ne("author_ID", null),
        f.eq("author/name", "Austen"),
        f.in("stock", [1, 2]),
      ),
    );
    assert.equal(
      query(q.url()),
      "?$filter=stock eq 5 and title eq 'Emma' and published lt 1820-01-01 and createdAt ge 2024-01-01T00:00:00.000Z and stock eq 5 and author_ID ne null and author/name eq 'Austen' and (stock eq 1 or stock eq 2)",
    );
  });

  test("a value of another type, or a field that is not there, does not compile", () => {
    const misuse = () =>
      books.filter((f) =>
        f.and(
          // @ts-expect-error stock is a number
          f.eq("stock", "many"),
          // @ts-expect-error title is a string
          f.gt("title", 5),
          // @ts-expect-error every member of in() is checked
          f.in("stock", [1, "x"]),
          // @ts-expect-error a path through a navigation property is checked to its end
          f.eq("author/name", 5),
          // @ts-expect-error a misspelt field
          f.eq("titel", "x"),
        ),
      );
    assert.equal(typeof misuse, "function");
  });

  test("string functions take string fields only", () => {
    const q = books.filter((f) => f.and(f.contains("title", "mm"), f.eq(f.tolower("author/name"), "austen")));
    assert.equal(query(q.url()), "?$filter=contains(title,'mm') and tolower(author/name) eq 'austen'");
    const misuse = () =>
      books.filter((f) =>
        f.or(
          // @ts-expect-error stock is not a string
          f.contains("stock", "1"),
          // @ts-expect-error stock is not a string
          f.startsWith("stock", "1"),
          // @ts-expect-error stock is not a string
          f.length("stock"),
        ),
      );
    assert.equal(typeof misuse, "function");
  });

  test("lambdas take collection-valued properties, and their builder checks the member type", () => {
    const q = books.filter((f) => f.any("reviews", (r) => r.ge("rating", 4)));
    assert.equal(query(q.url()), "?$filter=reviews/any(r:r/rating ge 4)");
    const misuse = () =>
      books.filter((f) =>
        f.or(
          // @ts-expect-error the member's rating is a number
          f.any("reviews", (r) => r.gt("rating", "high")),
          // @ts-expect-error author is single-valued
          f.any("author"),
          // @ts-expect-error title is no collection
          f.all("title", (t) => t.eq(t.self, "x")),
        ),
      );
    assert.equal(typeof misuse, "function");
  });

  test("an enum-typed property takes its members only", () => {
    interface Order extends Entity<{ key: "ID" }> {
      ID: number;
      status: "open" | "closed";
    }
    const orders = client.collection<Order>("Orders");
    assert.equal(query(orders.filter((f) => f.eq("status", "open")).url()), "?$filter=status eq 'open'");
    // @ts-expect-error not a member
    const misuse = () => orders.filter((f) => f.eq("status", "opened"));
    assert.equal(typeof misuse, "function");
  });
});

describe("keys take the entity's key type", () => {
  test("a single key of the key property's type, or an object of a composite key", () => {
    assert.equal(books.key(1).url(), "http://example.test/odata/Books(1)");
    assert.equal(authors.key("austen").url(), "http://example.test/odata/Authors('austen')");
    assert.equal(books.key({ ID: 2 }).url(), "http://example.test/odata/Books(ID=2)");
    assert.equal(pairs.key({ A: 1, B: "x" }).url(), "http://example.test/odata/Pairs(A=1,B='x')");
    const misuse = () => {
      // @ts-expect-error Books have a number key
      books.key("1");
      // @ts-expect-error Authors have a string key
      authors.key(42);
      // @ts-expect-error a composite key needs all its parts
      pairs.key({ A: 1 });
      // @ts-expect-error a composite key is no single value
      pairs.key(1);
    };
    assert.equal(typeof misuse, "function");
  });

  test("without a shape, any literal or object of values, as before", () => {
    const plain = client.collection<PlainBook>("Books");
    assert.equal(plain.key("x").url(), "http://example.test/odata/Books('x')");
    assert.equal(plain.key({ ID: 1 }).url(), "http://example.test/odata/Books(ID=1)");
  });
});

describe("navigation properties, of the right cardinality", () => {
  test("navigate takes collection-valued ones, navigateOne single-valued ones", () => {
    const reviews = books.key(1).navigate("reviews");
    expectType<Same<Awaited<ReturnType<typeof reviews.list>>[number], Review>>();
    const author = books.key(1).navigateOne("author");
    // null where no entity is related (the service answers 204).
    expectType<Same<Awaited<ReturnType<typeof author.get>>, Author | null>>();
    const authorName = author.select("name");
    expectType<Same<Awaited<ReturnType<typeof authorName.get>>, Selected<Author, "name", {}> | null>>();
    const book = books.key(1);
    expectType<Same<Awaited<ReturnType<typeof book.get>>, Book>>();
    assert.equal(reviews.url(), "http://example.test/odata/Books(1)/reviews");
    assert.equal(author.url(), "http://example.test/odata/Books(1)/author");
    const misuse = () => {
      // @ts-expect-error author is single-valued
      books.key(1).navigate("author");
      // @ts-expect-error reviews is a collection
      books.key(1).navigateOne("reviews");
      // @ts-expect-error title is no navigation property
      books.key(1).navigate("title");
    };
    assert.equal(typeof misuse, "function");
  });

  test("without a shape, any object-valued property counts as navigation (complex ones too)", () => {
    const plain = client.collection<PlainBook>("Books");
    assert.equal(query(plain.expand("address").url()), "?$expand=address");
    assert.equal(plain.key(1).navigateOne("author").url(), "http://example.test/odata/Books(1)/author");
    // @ts-expect-error a primitive property is never navigation
    const misuse = () => plain.expand("title");
    assert.equal(typeof misuse, "function");
  });
});

describe("bound operations are typed by the shape", () => {
  test("an entity-bound action: its parameters and result", async (t) => {
    const { server, client: live } = await serveClient(t, answerJson(200, { stock: 8 }));
    const order = live.collection<Book>("Books").key(1).action("CatalogService.order");
    expectType<Same<typeof order, ActionCall<{ stock: number }, { quantity: number }>>>();
    const result = await order.invoke({ quantity: 2 });
    expectType<Same<typeof result, { stock: number }>>();
    assert.deepEqual(result, { stock: 8 });
    const request = onlyRequest(server);
    assert.equal(`${request.method} ${request.path}`, "POST /odata/Books(1)/CatalogService.order");
    assert.deepEqual(JSON.parse(request.body), { quantity: 2 });
    const misuse = () => {
      // @ts-expect-error quantity is a number
      void order.invoke({ quantity: "2" });
      // @ts-expect-error quantity is required
      void order.invoke();
    };
    assert.equal(typeof misuse, "function");
  });

  test("bound functions on an entity and on the collection", () => {
    const price = books.key(1).function("CatalogService.discountedPrice", { percent: 10 });
    expectType<Same<typeof price, FunctionCall<number>>>();
    const top = books.function("CatalogService.topStocked", { n: 3 });
    expectType<Same<typeof top, FunctionCall<Book[]>>>();
    const low = books.action("CatalogService.lowStock");
    expectType<Same<typeof low, ActionCall<Book[], { below: number }>>>();
    assert.equal(price.url(), "http://example.test/odata/Books(1)/CatalogService.discountedPrice(percent=10)");
    assert.equal(top.url(), "http://example.test/odata/Books/CatalogService.topStocked(n=3)");
    // @ts-expect-error percent is a number
    const misuse = () => books.key(1).function("CatalogService.discountedPrice", { percent: "10" });
    assert.equal(typeof misuse, "function");
  });

  test("the untyped form stays for names the shape does not list", () => {
    const other = books.key(1).action<{ ok: boolean }>("Other.ping");
    expectType<Same<typeof other, ActionCall<{ ok: boolean }>>>();
    assert.equal(other.url(), "http://example.test/odata/Books(1)/Other.ping");
  });
});

describe("batch handles are typed as the queries", () => {
  test("writes in a changeset take the entity type; reads give the narrowed rows", () => {
    const batch = client.batch();
    let misuse = (): void => {};
    let referenced = "";
    batch.changeset((cs) => {
      const created = cs.create(books, { ID: 900, title: "New" });
      cs.update(books.key(1), { stock: 3 });
      referenced = created.navigation("reviews").path;
      misuse = () => {
        // @ts-expect-error titel is no property of Book
        cs.create(books, { titel: "x" });
        // @ts-expect-error stock is a number
        cs.update(books.key(1), { stock: "3" });
        // @ts-expect-error title is no navigation property
        created.navigation("title");
      };
    });
    const read = batch.get(books.key(1).select("title"));
    expectType<Same<typeof read extends BatchRequestRef<infer V> ? V : never, { title: string | null; ID?: number }>>();
    const page = batch.page(books.select("ID"));
    expectType<Same<typeof page extends BatchRequestRef<Page<infer R>> ? R : never, { ID: number }>>();
    assert.equal(typeof misuse, "function");
    assert.match(referenced, /^\$\d+\/reviews$/);
  });
});
