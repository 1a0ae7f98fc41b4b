/**
 * OData v2 `$select` where a selected path goes through an expanded navigation property
 * (`select("ID", "author/name")`) that has an expand of its own below it (`author/books`). The
 * level below still selects only what the path names: no `author/*` beside `author/name`, which
 * brought all of the author (SAP CAP's v2 adapter sends its `born`); and what is expanded below it
 * is selected (`author/books`), as v2 returns only what is selected once anything is. A path
 * that goes on through a navigation property the request does not expand at that depth
 * (`author/books/title` with `author` expanded alone) is refused before anything is sent,
 * as one through an unexpanded first segment is: CAP's v2 adapter answers it with the books
 * deferred and no title, without a word, so the path is refused.
 * Real HTTP (node:http, port 0), and the CAP v2 adapter.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { answerJson, serveClient } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";

describe("OData v2 $select through an expanded navigation property with an expand below it: the wire", () => {
  test("a nested select below it is added to the path, with no A/* that would select all of A", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const books = client.collection("Books");
    await books.select("ID", "author/name").expand("author", (a) => a.expand("books", (b) => b.select("title"))).list();
    // The same selection written as the author's own select was already sent so.
    await books.select("ID").expand("author", (a) => a.select("name").expand("books", (b) => b.select("title"))).list();
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      ["/odata/Books?$select=ID,author/name,author/books/title&$expand=author/books", "/odata/Books?$select=ID,author/name,author/books/title&$expand=author/books"],
    );
  });

  test("a navigation property expanded below it is selected whole, as any expanded property no path goes through", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const books = client.collection("Books");
    await books.select("ID", "author/name").expand("author/books").list();
    await books.select("ID", "author/*").expand("author", (a) => a.expand("books")).list();
    await books.select("ID").expand("author", (a) => a.select("name").expand("books")).list();
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      [
        "/odata/Books?$select=ID,author/name,author/books&$expand=author/books",
        "/odata/Books?$select=ID,author/*,author/books&$expand=author/books",
        "/odata/Books?$select=ID,author/name,author/books&$expand=author/books",
      ],
    );
  });
});

describe("OData v2 $select through an expanded navigation property into one it does not expand", () => {
  function refusal(call: string, path: string): (error: unknown) => true {
    return (error) => {
      assert.ok(error instanceof ODataClientError, `not an ODataClientError: ${String(error)}`);
      assert.equal(error.code, "UNSUPPORTED_BY_VERSION");
      assert.equal(error.message, `${call}: OData 2.0 follows only an expanded navigation property in $select: expand("${path}"), or select "${path}" whole`);
      return true;
    };
  }

  test("is refused naming the call and the path to expand, at any depth, and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const books = client.collection("Books");
    await assert.rejects(books.select("ID", "author/books/title").expand("author").list(), refusal('select("author/books/title")', "author/books"));
    await assert.rejects(
      books.select("author/books/reviews/text").expand("author/books").list(),
      refusal('select("author/books/reviews/text")', "author/books/reviews"),
    );
    await assert.rejects(
      books.expand("author", (a) => a.select("books/reviews/text").expand("books")).list(),
      refusal('expand("author", q => q.select("books/reviews/text"))', "books/reviews"),
    );
    assert.equal(server.requests.length, 0);
    // Expanded as the message says, it is sent.
    await books.select("ID", "author/books/title").expand("author").expand("author/books").list();
    assert.equal(decodeURIComponent(server.requests[0]!.path), "/odata/Books?$select=ID,author/books/title&$expand=author/books");
  });
});

describe("OData v2 $select through an expanded navigation property with an expand below it: CAP's v2 adapter", () => {
  const cap = useCap();

  test("the author comes with the selected name and the expanded books' titles, without its other properties", async () => {
    const client = new ODataClient({ serviceUrl: cap.v2, version: "2.0" });
    const query = client
      .collection("Books")
      .filter((f) => f.eq("ID", 1))
      .select("ID", "author/name")
      .expand("author", (a) => a.expand("books", (b) => b.select("title")));
    const [book] = (await query.list()) as Array<{ ID: number; author: { name: string; born?: unknown; books: Array<{ title: string; descr?: unknown }> } }>;
    assert.equal(book?.author.name, "Jane Austen");
    assert.equal(Object.hasOwn(book!.author, "born"), false, JSON.stringify(book?.author));
    assert.deepEqual(book!.author.books.map((b) => b.title).slice(0, 2), ["Pride and Prejudice", "Emma"]);
    assert.equal(Object.hasOwn(book!.author.books[0]!, "descr"), false);
  });
});
