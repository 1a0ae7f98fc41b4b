// What expand() asks for and what the rows are typed as, kept in step: a selected navigation
// property that expand() narrows, a path of navigation properties (sent nested on OData v4, where
// an expand path may not pass through a navigation property), the same property expanded twice
// (the later call wins, in the request and in the type), and createAsync's typed body. Type
// expectations are checked by the test build (`tsc --noEmit`): each misuse is marked
// `@ts-expect-error`. The requests are checked on the wire, against a node:http server and SAP CAP.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import type { Author, Book, Review } from "./servers/cap/types.js";
import { answerJson, onlyRequest, sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { startCap, type CapServer } from "./servers/cap.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

const typed = new ODataClient({ serviceUrl: "http://example.test/odata/" });
const books = typed.collection<Book>("Books");
const authors = typed.collection<Author>("Authors");

/** The decoded query string of the one request the server saw. */
function sentQuery(server: RecordingServer): string {
  return decodeURIComponent(new URL(onlyRequest(server).path, "http://x").search);
}

describe("a navigation property both selected and expanded has the rows of its expand", () => {
  test("select(nav).expand(nav, select) types nav with the nested selection only", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ title: "Emma", author: { name: "Jane Austen", ID: "austen" } }] }));
    const q = client.collection<Book>("Books").select("title", "author").expand("author", (a) => a.select("name"));
    const rows = await q.list();
    type Row = (typeof rows)[number];
    expectType<Same<Row["author"], { name: string | null; ID?: string } | null>>();
    expectType<Same<Row["title"], string | null>>();
    // @ts-expect-error born was not selected in the expand, and the service does not send it
    const born = (row: Row) => row.author?.born;
    assert.equal(typeof born, "function");
    assert.equal(sentQuery(server), "?$select=title,author&$expand=author($select=name)");
    assert.deepEqual(rows[0]?.author, { name: "Jane Austen", ID: "austen" });
  });

  test("the same holds for an entity query and inside a nested expand", () => {
    const one = books.key(1).select("title", "author").expand("author", (a) => a.select("name"));
    expectType<Same<NonNullable<Awaited<ReturnType<typeof one.get>>>["author"], { name: string | null; ID?: string } | null>>();
    const nested = authors.expand("books", (b) => b.select("title", "author").expand("author", (a) => a.select("born")));
    type NestedBook = Awaited<ReturnType<typeof nested.list>>[number]["books"][number];
    expectType<Same<NestedBook["author"], { born: string | null; ID?: string } | null>>();
    assert.equal(decodeURIComponent(one.url()), "http://example.test/odata/Books(1)?$select=title,author&$expand=author($select=name)");
  });
});

describe("a path of navigation properties", () => {
  test("OData v4 sends author/books nested, as author($expand=books); the first segment keeps null in its type", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: 901, author: null }] }));
    const q = client.collection<Book>("Books").expand("author/books");
    const rows = await q.list();
    expectType<Same<(typeof rows)[number]["author"], Author | null>>();
    assert.equal(sentQuery(server), "?$expand=author($expand=books)");
    assert.equal(rows[0]?.author, null);
    // A collection-valued first segment is an array, as with the plain form.
    const reviewed = books.expand("reviews/book");
    expectType<Same<Awaited<ReturnType<typeof reviewed.list>>[number]["reviews"], Review[]>>();
  });

  test("deeper paths nest deeper, nested options go to the last segment, in collection, entity and nested expand", () => {
    const q4 = books.expand("author/books/reviews", (r) => r.select("rating").top(2));
    assert.equal(decodeURIComponent(q4.url()), "http://example.test/odata/Books?$expand=author($expand=books($expand=reviews($select=rating;$top=2)))");
    assert.equal(decodeURIComponent(books.key(1).expand("author/books").url()), "http://example.test/odata/Books(1)?$expand=author($expand=books)");
    const nested = authors.expand("books", (b) => b.select("title").expand("reviews/book"));
    assert.equal(decodeURIComponent(nested.url()), "http://example.test/odata/Authors?$expand=books($select=title;$expand=reviews($expand=book))");
  });

  test("a path below an earlier expand of its first segment goes into it: its rows keep the earlier selection and gain the path", async (t) => {
    const answer = { value: [{ ID: 1, author: { name: "Jane Austen", ID: "austen", books: [{ title: "Emma", ID: 1 }] } }] };
    const { server, client } = await serveClient(t, answerJson(200, answer));
    const q = client.collection<Book>("Books").expand("author", (a) => a.select("name")).expand("author/books", (b) => b.select("title"));
    type Row = Awaited<ReturnType<typeof q.list>>[number];
    expectType<Same<Row["author"], { name: string | null; ID?: string; books: { title: string | null; ID?: number }[] } | null>>();
    // @ts-expect-error born was selected by neither expand, and the service sends it in neither
    const born = (row: Row) => row.author?.born;
    assert.equal(typeof born, "function");
    const rows = await q.list();
    assert.equal(sentQuery(server), "?$expand=author($select=name;$expand=books($select=title))");
    assert.equal(rows[0]?.author?.books[0]?.title, "Emma");
    assert.equal(rows[0]?.author?.name, "Jane Austen");
    // Two paths below one navigation property share it.
    assert.equal(decodeURIComponent(authors.expand("books/reviews").expand("books/author").url()), "http://example.test/odata/Authors?$expand=books($expand=reviews,author)");
  });

  test("a deeper path merges level by level: into the earlier expands it passes, and new ones below them", () => {
    // Into an expand of the first two segments: reviews keep their selection and gain book.
    const twice = authors.expand("books", (b) => b.select("title").expand("reviews", (r) => r.select("rating"))).expand("books/reviews/book", (k) => k.select("stock"));
    assert.equal(decodeURIComponent(twice.url()), "http://example.test/odata/Authors?$expand=books($select=title;$expand=reviews($select=rating;$expand=book($select=stock)))");
    type Review2 = Awaited<ReturnType<typeof twice.list>>[number]["books"][number]["reviews"][number];
    expectType<Same<Review2, { rating: number | null; ID?: number; book: { stock: number | null; ID?: number } | null }>>();
    // Below an expand of the first segment alone: the books it did not expand come whole, with their reviews.
    const below = books.expand("author", (a) => a.select("name")).expand("author/books/reviews", (r) => r.select("rating"));
    assert.equal(decodeURIComponent(below.url()), "http://example.test/odata/Books?$expand=author($select=name;$expand=books($expand=reviews($select=rating)))");
    type Below = NonNullable<Awaited<ReturnType<typeof below.list>>[number]["author"]>;
    expectType<Same<Below["books"][number]["reviews"], { rating: number | null; ID?: number }[]>>();
    expectType<Same<Below["books"][number]["title"], string | null>>();
    expectType<Same<Below["name"], string | null>>();
    // Inside an expand's own options, and of an entity query.
    const nested = authors.expand("books", (b) => b.expand("author", (a) => a.select("name")).expand("author/books"));
    type NestedAuthor = NonNullable<Awaited<ReturnType<typeof nested.list>>[number]["books"][number]["author"]>;
    expectType<Same<NestedAuthor, { name: string | null; ID?: string; books: Book[] }>>();
    assert.equal(decodeURIComponent(nested.url()), "http://example.test/odata/Authors?$expand=books($expand=author($select=name;$expand=books))");
    const one = books.key(1).expand("reviews", (r) => r.select("rating")).expand("reviews/book", (k) => k.select("title"));
    type OneReview = Awaited<ReturnType<typeof one.get>>["reviews"][number];
    expectType<Same<OneReview, { rating: number | null; ID?: number; book: { title: string | null; ID?: number } | null }>>();
    assert.equal(decodeURIComponent(one.url()), "http://example.test/odata/Books(1)?$expand=reviews($select=rating;$expand=book($select=title))");
  });

  test("a type cast stays with the navigation property before it", () => {
    const loose = new ODataClient({ serviceUrl: "http://example.test/odata/" }).collection("Books");
    assert.equal(decodeURIComponent(loose.expand("author/NS.Writer").url()), "http://example.test/odata/Books?$expand=author/NS.Writer");
    assert.equal(decodeURIComponent(loose.expand("author/NS.Writer/books").url()), "http://example.test/odata/Books?$expand=author/NS.Writer($expand=books)");
    assert.equal(decodeURIComponent(loose.expand("NS.Special/author/books").url()), "http://example.test/odata/Books?$expand=NS.Special/author($expand=books)");
    // A cast path is an item of its own beside an earlier expand of its navigation property, whose rows it leaves as they were.
    const beside = books.expand("author", (a) => a.select("name")).expand("author/NS.Writer/books");
    assert.equal(decodeURIComponent(beside.url()), "http://example.test/odata/Books?$expand=author($select=name),author/NS.Writer($expand=books)");
    expectType<Same<Awaited<ReturnType<typeof beside.list>>[number]["author"], { name: string | null; ID?: string } | null>>();
  });

  test("OData v2 keeps sending the path, and selects every property of a step when the last one has a select", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    await client.collection<Book>("Books").expand("author/books").page();
    assert.equal(sentQuery(server), "?$expand=author/books");
    const withSelect = client.collection<Book>("Books").expand("author/books", (b) => b.select("title"));
    assert.equal(decodeURIComponent(new URL(withSelect.url()).search), "?$select=*,author/*,author/books/title&$expand=author/books");
  });
});

describe("an expand's compute() adds its aliases to the expanded rows, as the query's own compute() does", () => {
  test("the alias is a property of the expanded rows that select(), filter() and orderBy() may name; the service's value comes back", async (t) => {
    const answer = { value: [{ ID: 1, reviews: [{ ID: 10, rating: 4, double: 8 }] }] };
    const { server, client } = await serveClient(t, answerJson(200, answer));
    const q = client
      .collection<Book>("Books")
      .select("ID")
      .expand("reviews", (r) => r.compute("rating mul 2 as double").select("rating", "double").filter((f) => f.gt("double", 4)).orderBy("double", "desc"));
    type Reviewed = Awaited<ReturnType<typeof q.list>>[number]["reviews"][number];
    expectType<Same<Reviewed["double"], unknown>>();
    expectType<Same<Reviewed["rating"], number | null>>();
    const rows = await q.list();
    assert.equal(sentQuery(server), "?$select=ID&$expand=reviews($select=rating,double;$filter=double gt 4;$orderby=double desc;$compute=rating mul 2 as double)");
    assert.equal(rows[0]?.reviews[0]?.double, 8);
  });

  test("without a select the alias is there with every property, in a nested expand and an entity query too; a text of no alias adds none", () => {
    const whole = books.expand("reviews", (r) => r.compute("rating mul 2 as double, rating add 1 as next"));
    type Whole = Awaited<ReturnType<typeof whole.list>>[number]["reviews"][number];
    expectType<Same<Pick<Whole, "double" | "next" | "text">, { double?: unknown; next?: unknown; text: string | null }>>();
    const deep = authors.expand("books", (b) => b.expand("reviews", (r) => r.compute("rating mul 2 as double")));
    expectType<Same<Awaited<ReturnType<typeof deep.list>>[number]["books"][number]["reviews"][number]["double"], unknown>>();
    const one = books.key(1).expand("author", (a) => a.compute("concat(name,'!') as loud").select("loud"));
    expectType<Same<NonNullable<Awaited<ReturnType<typeof one.get>>["author"]>, { loud?: unknown; ID?: string }>>();
    assert.equal(decodeURIComponent(one.url()), "http://example.test/odata/Books(1)?$expand=author($select=loud;$compute=concat(name,'!') as loud)");
    const text: string = "rating mul 2";
    const plain = books.expand("reviews", (r) => r.compute(text));
    expectType<Same<Awaited<ReturnType<typeof plain.list>>[number]["reviews"], Review[]>>();
    const misuse = () => {
      // @ts-expect-error the alias is the expand's: the query's own select() does not name it
      books.expand("reviews", (r) => r.compute("rating mul 2 as double")).select("double");
    };
    assert.equal(typeof misuse, "function");
  });
});

describe("what a path expands is left out of a write-back", () => {
  test("after expand('author/books'), update({ ...book }) sends neither the author nor its books", async (t) => {
    const book = { ID: 1, title: "Emma", author: { ID: "austen", name: "Jane Austen", books: [{ ID: 1, title: "Emma" }] } };
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "GET") return sendJson(res, 200, { value: [book] });
      res.writeHead(204).end();
    });
    const [read] = await client.collection<Book>("Books").expand("author/books").list();
    await client.collection<Book>("Books").key(1).update({ ...read, title: "Emma!" }, { etag: false });
    const patch = server.requests[1];
    assert.equal(`${patch?.method} ${patch?.path}`, "PATCH /odata/Books(1)");
    assert.deepEqual(JSON.parse(patch?.body ?? ""), { ID: 1, title: "Emma!" });
  });
});

describe("expanding a navigation property again replaces the earlier expand, in the request and in the type", () => {
  test("collection query", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    const q = client.collection<Book>("Books").select("ID").expand("author", (a) => a.select("name")).expand("author", (a) => a.select("born"));
    type Row = Awaited<ReturnType<typeof q.list>>[number];
    expectType<Same<Row["author"], { born: string | null; ID?: string } | null>>();
    // @ts-expect-error name belonged to the earlier expand, which the request no longer carries
    const name = (row: Row) => row.author?.name;
    assert.equal(typeof name, "function");
    await q.page();
    assert.equal(sentQuery(server), "?$select=ID&$expand=author($select=born)");
  });

  test("entity query, nested expand, and a plain expand after a path", () => {
    const one = books.key(1).expand("author", (a) => a.select("name")).expand("author");
    expectType<Same<NonNullable<Awaited<ReturnType<typeof one.get>>>["author"], Author | null>>();
    assert.equal(decodeURIComponent(one.url()), "http://example.test/odata/Books(1)?$expand=author");
    const nested = authors.expand("books", (b) => b.expand("author", (a) => a.select("name")).expand("author", (a) => a.select("born")));
    type NestedAuthor = Awaited<ReturnType<typeof nested.list>>[number]["books"][number]["author"];
    expectType<Same<NestedAuthor, { born: string | null; ID?: string } | null>>();
    assert.equal(decodeURIComponent(nested.url()), "http://example.test/odata/Authors?$expand=books($expand=author($select=born))");
    const replaced = books.expand("author/books").expand("author", (a) => a.select("name"));
    expectType<Same<Awaited<ReturnType<typeof replaced.list>>[number]["author"], { name: string | null; ID?: string } | null>>();
    assert.equal(decodeURIComponent(replaced.url()), "http://example.test/odata/Books?$expand=author($select=name)");
  });
});

describe("createAsync takes the entity type's input, as create does", () => {
  test("a typed collection checks the body; a loose one takes any object; the body is sent as given", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 970, title: "New" }));
    const typedBooks = client.collection<Book>("Books");
    const misuse = () => {
      // @ts-expect-error titel is no property of Book
      void typedBooks.createAsync({ ID: 970, titel: "New" });
      // @ts-expect-error stock is a number
      void typedBooks.createAsync({ ID: 970, stock: "many" });
    };
    assert.equal(typeof misuse, "function");
    const poller = await typedBooks.createAsync({ ID: 970, title: "New", reviews: [{ ID: 9700, rating: 5 }] });
    const request = onlyRequest(server);
    assert.equal(`${request.method} ${request.path}`, "POST /odata/Books");
    assert.equal(request.headers.prefer, "respond-async");
    assert.deepEqual(JSON.parse(request.body), { ID: 970, title: "New", reviews: [{ ID: 9700, rating: 5 }] });
    assert.deepEqual(await poller.wait(), { ID: 970, title: "New" });
    const loose = client.collection("Jobs");
    const untypedCall = () => loose.createAsync({ anything: [1, "two"] });
    assert.equal(typeof untypedCall, "function");
  });
});

describe("against SAP CAP", () => {
  let cap: CapServer;
  before(async () => {
    cap = await startCap();
    // A book without author, for the null of a path's first segment.
    await new ODataClient({ serviceUrl: cap.v4 }).collection<Book>("Books").create({ ID: 901, title: "No author", stock: 1 });
  });
  after(async () => {
    await cap?.stop();
  });

  test("v4: expand('author/books') reads each author with its books, and null where a book has no author", async () => {
    const q = new ODataClient({ serviceUrl: cap.v4 }).collection<Book>("Books").filter((f) => f.in("ID", [1, 901])).orderBy("ID").expand("author/books", (b) => b.select("ID").orderBy("ID"));
    const rows = await q.list();
    assert.deepEqual(
      rows.map((row) => [row.ID, row.author?.name ?? null, row.author?.books?.map((book) => book.ID) ?? null]),
      [
        [1, "Jane Austen", [1, 2, 3, 4, 5, 6]],
        [901, null, null],
      ],
    );
    assert.equal(rows[1]?.author, null);
  });

  test("v4: a path merged into an earlier expand, and a selected navigation property narrowed by its expand", async () => {
    const v4Books = new ODataClient({ serviceUrl: cap.v4 }).collection<Book>("Books").filter((f) => f.eq("ID", 1));
    const [merged] = await v4Books.expand("author", (a) => a.select("name")).expand("author/books", (b) => b.select("title").top(1)).list();
    // Typed as sent: the author's selection and its books. CAP adds the ETag's modifiedAt to a selection of Books.
    const { books: authorBooks, ...author } = merged!.author!;
    assert.deepEqual(author, { name: "Jane Austen", ID: "austen" });
    assert.deepEqual(authorBooks.map(({ ID, title }) => ({ ID, title })), [{ ID: 1, title: "Pride and Prejudice" }]);
    const [narrowed] = await v4Books.select("title", "author").expand("author", (a) => a.select("name")).list();
    assert.deepEqual(narrowed?.author, { name: "Jane Austen", ID: "austen" });
  });

  test("v2: the path form and its nested select read the author's own properties too", async () => {
    const v2Books = new ODataClient({ serviceUrl: cap.v2, version: "2.0" }).collection<Book>("Books").filter((f) => f.in("ID", [1, 901])).orderBy("ID");
    const rows = await v2Books.expand("author/books", (b) => b.select("ID")).list();
    assert.deepEqual(
      rows.map((row) => [row.ID, row.author?.name ?? null, row.author?.books?.map((book) => book.ID).sort((a, b) => a - b) ?? null]),
      [
        [1, "Jane Austen", [1, 2, 3, 4, 5, 6]],
        [901, null, null],
      ],
    );
  });
});
