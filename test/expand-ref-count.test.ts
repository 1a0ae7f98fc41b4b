// `expand("nav/$count")` and `expand("nav/$ref")` (OData URL Conventions 4.01 §5.1.3): what is
// sent on the wire, how the rows are typed and read, and what is refused. `nav/$count` gives each
// entity the number of its related entities as `nav@odata.count` (and no `nav`), with `$filter`
// and `$search` to narrow what is counted; `nav/$ref` gives `nav` as entity references
// (`{ "@odata.id": ... }`), with `$orderby`, `$skip`, `$top` and `$count` besides. SAP CAP 9
// refuses both (`/$count` with 501 "not supported for expand", `/$ref` with a 400 parse error), so
// the answers come from node:http servers. Type expectations are checked by the test build (`tsc
// --noEmit`); each misuse is marked `@ts-expect-error`.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, type EntityReference } from "../src/index.js";
import type { Author, Book, Review } from "./servers/cap/types.js";
import { answerJson, onlyRequest, sendJson, serveClient, startServer, type RecordingServer } from "./servers/recording-server.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

// The callbacks below are what a JavaScript caller (or `as any`) can pass.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const offline = new ODataClient({ serviceUrl: "http://example.test/odata/" });
const books = offline.collection<Book>("Books");
const authors = offline.collection<Author>("Authors");

/** The decoded query string of the one request the server saw. */
function sentQuery(server: RecordingServer): string {
  return decodeURIComponent(new URL(onlyRequest(server).path, "http://x").search);
}

/** The decoded query string of a query's URL. */
function queryOf(query: { url(): string }): string {
  return decodeURIComponent(new URL(query.url()).search);
}

describe("expand(nav/$count)", () => {
  test("sends $expand=reviews/$count and gives each row reviews@odata.count, typed a number, and no reviews", async (t) => {
    const answer = { value: [{ ID: 1, title: "Emma", "reviews@odata.count": 3 }, { ID: 2, title: "Persuasion", "reviews@odata.count": 0 }] };
    const { server, client } = await serveClient(t, answerJson(200, answer));
    const rows = await client.collection<Book>("Books").select("ID", "title").expand("reviews/$count").list();
    type Row = (typeof rows)[number];
    expectType<Same<Row["reviews@odata.count"], number>>();
    // @ts-expect-error the service sends the number of reviews, not the reviews
    const reviews = (row: Row) => row.reviews;
    assert.equal(typeof reviews, "function");
    assert.equal(sentQuery(server), "?$select=ID,title&$expand=reviews/$count");
    assert.deepEqual(
      rows.map((row) => [row.ID, row["reviews@odata.count"]]),
      [
        [1, 3],
        [2, 0],
      ],
    );
  });

  test("without a select the row is the entity with reviews@odata.count in place of reviews", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: 1, title: "Emma", "reviews@odata.count": 2 }));
    const book = await client.collection<Book>("Books").key(1).expand("reviews/$count").get();
    expectType<Same<typeof book.title, string | null>>();
    expectType<Same<(typeof book)["reviews@odata.count"], number>>();
    // @ts-expect-error reviews is not sent with a /$count expand
    assert.equal(book.reviews, undefined);
    assert.equal(sentQuery(server), "?$expand=reviews/$count");
    assert.equal(book["reviews@odata.count"], 2);
  });

  test("filter() and search() narrow what is counted, in parentheses after /$count", () => {
    const q = books.expand("reviews/$count", (r) => r.filter((f) => f.ge("rating", 4)).search("moving"));
    assert.equal(queryOf(q), "?$expand=reviews/$count($filter=rating ge 4;$search=moving)");
    // The filter's paths are those of the entities counted.
    // @ts-expect-error Review has no property "title"
    books.expand("reviews/$count", (r) => r.filter((f) => f.eq("title", "x")));
  });

  test("a nested expand and a path of navigation properties end in /$count alike", () => {
    const nested = authors.expand("books", (b) => b.select("title").expand("reviews/$count"));
    const path = authors.expand("books/reviews/$count");
    assert.equal(queryOf(nested), "?$expand=books($select=title;$expand=reviews/$count)");
    assert.equal(queryOf(path), "?$expand=books($expand=reviews/$count)");
    type NestedBook = Awaited<ReturnType<typeof nested.list>>[number]["books"][number];
    expectType<Same<NestedBook["reviews@odata.count"], number>>();
    expectType<Same<NestedBook["title"], string | null>>();
    // @ts-expect-error the nested book's reviews are counted, not sent
    type NestedReviews = NestedBook["reviews"];
    type PathBook = Awaited<ReturnType<typeof path.list>>[number]["books"][number];
    expectType<Same<PathBook["reviews@odata.count"], number>>();
    // @ts-expect-error the books' reviews are counted, not sent
    type PathReviews = PathBook["reviews"];
  });
});

describe("expand(nav/$ref)", () => {
  test("sends $expand=reviews/$ref and types reviews as entity references", async (t) => {
    const answer = { value: [{ ID: 1, reviews: [{ "@odata.id": "Reviews(1)" }, { "@odata.id": "Reviews(2)" }] }] };
    const { server, client } = await serveClient(t, answerJson(200, answer));
    const rows = await client.collection<Book>("Books").select("ID").expand("reviews/$ref").list();
    type Row = (typeof rows)[number];
    expectType<Same<Row["reviews"], EntityReference[]>>();
    expectType<Same<Row["reviews"][number], { "@odata.id": string }>>();
    // @ts-expect-error a reference has no rating
    const rating = (row: Row) => row.reviews[0]?.rating;
    assert.equal(typeof rating, "function");
    assert.equal(sentQuery(server), "?$select=ID&$expand=reviews/$ref");
    assert.deepEqual(rows[0]?.reviews, answer.value[0]?.reviews);
  });

  test("a single-valued navigation property gives one reference, or null where its type allows none", async (t) => {
    const answer = { value: [{ ID: 1, author: { "@odata.id": "Authors('austen')" } }, { ID: 2, author: null }] };
    const { server, client } = await serveClient(t, answerJson(200, answer));
    const rows = await client.collection<Book>("Books").select("ID").expand("author/$ref").list();
    expectType<Same<(typeof rows)[number]["author"], { "@odata.id": string } | null>>();
    assert.equal(sentQuery(server), "?$select=ID&$expand=author/$ref");
    assert.deepEqual(
      rows.map((row) => row.author?.["@odata.id"] ?? null),
      ["Authors('austen')", null],
    );
  });

  test("filter(), search(), orderBy(), skip(), top() and count() go in parentheses after /$ref", () => {
    const q = books.expand("reviews/$ref", (r) => r.filter((f) => f.ge("rating", 4)).search("moving").orderBy("rating", "desc").skip(1).top(2).count());
    assert.equal(queryOf(q), "?$expand=reviews/$ref($filter=rating ge 4;$search=moving;$orderby=rating desc;$skip=1;$top=2;$count=true)");
  });

  test("an untyped query types a reference expand as one, several or none", () => {
    const q = offline.collection("Books").expand("author/$ref");
    expectType<Same<Awaited<ReturnType<typeof q.list>>[number]["author"], EntityReference | EntityReference[] | null>>();
    assert.equal(queryOf(q), "?$expand=author/$ref");
  });

  test("the references a read gave are left out of a write of the row, which would relink them", async (t) => {
    const server = await startServer((request, res) => {
      if (request.method === "GET") sendJson(res, 200, { ID: 1, stock: 3, reviews: [{ "@odata.id": "Reviews(1)" }], "author@odata.count": 1 });
      else res.writeHead(204).end();
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
    const book = await client.collection<Book>("Books").key(1).expand("reviews/$ref").get();
    await client.collection<Book>("Books").key(1).update({ ...book, stock: 2 });
    const write = server.requests[1];
    assert.equal(write?.method, "PATCH");
    assert.deepEqual(JSON.parse(write?.body ?? ""), { ID: 1, stock: 2 });
  });
});

describe("the later expand of a navigation property wins, whatever its form", () => {
  test("reviews, then reviews/$count: the count alone", () => {
    const q = books.expand("reviews").expand("reviews/$count");
    assert.equal(queryOf(q), "?$expand=reviews/$count");
    type Row = Awaited<ReturnType<typeof q.list>>[number];
    expectType<Same<Row["reviews@odata.count"], number>>();
    // @ts-expect-error the earlier expand of reviews was replaced
    type Reviews = Row["reviews"];
  });

  test("reviews/$count, then reviews or a path through it: the entities alone", () => {
    const q = books.expand("reviews/$count").expand("reviews", (r) => r.select("rating"));
    assert.equal(queryOf(q), "?$expand=reviews($select=rating)");
    type Row = Awaited<ReturnType<typeof q.list>>[number];
    expectType<Same<Row["reviews"], { rating: number | null; ID?: number }[]>>();
    // @ts-expect-error the count was replaced by the entities
    type Count = Row["reviews@odata.count"];
    const path = books.expand("reviews/$count").expand("reviews/book");
    assert.equal(queryOf(path), "?$expand=reviews($expand=book)");
    // @ts-expect-error the count was replaced by the path through reviews
    type PathCount = Awaited<ReturnType<typeof path.list>>[number]["reviews@odata.count"];
  });

  test("reviews/$ref, then reviews/$count, then reviews/$ref again", () => {
    const q = books.expand("reviews/$ref").expand("reviews/$count").expand("reviews/$ref", (r) => r.top(1));
    assert.equal(queryOf(q), "?$expand=reviews/$ref($top=1)");
    type Row = Awaited<ReturnType<typeof q.list>>[number];
    expectType<Same<Row["reviews"], EntityReference[]>>();
    // @ts-expect-error the count was replaced
    type Count = Row["reviews@odata.count"];
  });

  test("below an earlier expand of the first segment, a path's /$count replaces that level's expand", () => {
    const q = authors.expand("books", (b) => b.select("title").expand("reviews")).expand("books/reviews/$count");
    assert.equal(queryOf(q), "?$expand=books($select=title;$expand=reviews/$count)");
    type BookRow = Awaited<ReturnType<typeof q.list>>[number]["books"][number];
    expectType<Same<BookRow["reviews@odata.count"], number>>();
    expectType<Same<BookRow["title"], string | null>>();
    // @ts-expect-error the books' reviews are counted now
    type Reviews = BookRow["reviews"];
  });
});

describe("what is refused, before anything is sent", () => {
  test("OData v2 has neither: UNSUPPORTED_BY_VERSION naming expand(nav)", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    for (const [nav, form] of [
      ["reviews/$count", "/$count"],
      ["author/$ref", "/$ref"],
    ] as const) {
      assert.throws(
        () => client.collection<Book>("Books").expand(nav),
        (error: unknown) => {
          assert.ok(error instanceof ODataClientError);
          assert.equal(error.code, "UNSUPPORTED_BY_VERSION");
          assert.equal(error.message, `expand(nav): "${form}" in $expand does not exist in OData 2.0; it needs OData v4`);
          return true;
        },
      );
    }
    assert.throws(() => client.collection<Book>("Books").expand("author", (a) => a.expand("books/$count")), { message: /^expand expand\(nav\): "\/\$count" in \$expand does not exist in OData 2\.0/ });
    assert.throws(() => client.collection<Review>("Reviews").key(1).expand("book/$ref"), { message: /^expand\(nav\): "\/\$ref" in \$expand/ });
    assert.deepEqual(server.requests, []);
  });

  test("/$count takes filter() and search() alone, /$ref no select(), expand(), compute() or levels()", () => {
    const count: [string, (q: Loose) => Loose][] = [
      ["top()", (q) => q.top(1)],
      ["orderBy()", (q) => q.orderBy("rating")],
      ["count()", (q) => q.count()],
      ["select()", (q) => q.select("rating")],
    ];
    for (const [what, build] of count) {
      assert.throws(() => books.expand("reviews/$count", build), { name: "TypeError", message: `expand(nav): expand("reviews/$count") takes no ${what}` }, what);
    }
    const ref: [string, (q: Loose) => Loose][] = [
      ["select()", (q) => q.select("rating")],
      ["expand()", (q) => q.expand("book")],
      ["compute()", (q) => q.compute("rating mul 2 as double")],
      ["levels()", (q) => q.levels(2)],
    ];
    for (const [what, build] of ref) {
      assert.throws(() => books.expand("reviews/$ref", (q: Loose) => build(q.filter((f: Loose) => f.ge("rating", 4)).top(2))), { name: "TypeError", message: `expand(nav): expand("reviews/$ref") takes no ${what}` }, what);
    }
    assert.throws(() => authors.expand("books", (b) => b.expand("reviews/$count", (r: Loose) => r.search("x").top(1))), { message: 'expand expand(nav): expand("reviews/$count") takes no top()' });
  });

  test("$count and $ref only as the last segment after a navigation property", () => {
    for (const nav of ["$count", "$ref", "reviews/$count/book", "reviews/$ref/x", "reviews/$value", "*/$ref"]) {
      assert.throws(() => books.expand(nav as Loose), (error: unknown) => error instanceof TypeError && error.message.includes("is not an OData property path"), nav);
    }
  });
});
