/**
 * `navigate()` and `navigateOne()` from an entity query that has `select()` or `expand()`, over
 * real HTTP (node:http on 127.0.0.1). The URL of a navigation (`Books(1)/reviews`) has no place for
 * the options of the entity it starts from: query options there are the related entities' (OData
 * URL Conventions, 5), so a `$select` or `$expand` of `Books(1)` means nothing after `/reviews`.
 * They were dropped without a word, the navigation read as if the caller had not chosen them; they
 * are refused by name, with `ODataClient` and `ODataReader`, typed and untyped. The entity's
 * custom options (`param()`) go with the navigation, as they went.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataReader } from "../src/index.js";
import { answerJson, serveClient } from "./servers/recording-server.js";

interface Review {
  ID: number;
  rating: number;
}
interface Author {
  ID: number;
  name: string;
  books: Book[];
}
interface Book {
  ID: number;
  title: string;
  author: Author;
  reviews: Review[];
}

const TAIL = "would not be sent: a navigation's own query options apply to its result";

describe("navigate() and navigateOne() from an entity query with options the navigation would drop", () => {
  test("select() and expand() of the entity are refused with a TypeError naming them, untyped and typed; nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    const untyped = client.collection("Books");
    const typed = client.collection<Book>("Books");
    const cases: [string, () => unknown, string][] = [
      ["untyped select, navigate", () => untyped.key(1).select("title").navigate("reviews"), `navigate("reviews"): the query's $select ${TAIL}`],
      ["untyped expand, navigateOne", () => untyped.key(1).expand("reviews").navigateOne("author"), `navigateOne("author"): the query's $expand ${TAIL}`],
      ["typed select and expand, navigate", () => typed.key(1).expand("author").select("title").navigate("reviews"), `navigate("reviews"): the query's $select, $expand ${TAIL}`],
      ["typed nested expand, navigateOne", () => typed.key(1).expand("author", (a) => a.select("name")).navigateOne("author"), `navigateOne("author"): the query's $expand ${TAIL}`],
      // From an entity reached by navigation, and from a singleton.
      ["navigated entity", () => typed.key(1).navigateOne("author").select("name").navigate("books"), `navigate("books"): the query's $select ${TAIL}`],
      ["singleton", () => client.singleton("Me").select("name").navigate("orders"), `navigate("orders"): the query's $select ${TAIL}`],
    ];
    for (const [what, call, message] of cases) assert.throws(call, { name: "TypeError", message }, what);
    assert.equal(server.requests.length, 0);
  });

  test("ODataReader's entity queries refuse them the same way", async (t) => {
    const { server } = await serveClient(t, answerJson(200, { value: [] }));
    const reader = new ODataReader({ serviceUrl: server.url("odata/"), retry: false });
    assert.throws(() => reader.collection<Book>("Books").key(1).select("title").navigate("reviews"), { name: "TypeError", message: `navigate("reviews"): the query's $select ${TAIL}` });
    assert.throws(() => reader.collection("Books").key(1).expand("author").navigateOne("author"), { name: "TypeError", message: `navigateOne("author"): the query's $expand ${TAIL}` });
    assert.equal(server.requests.length, 0);
  });

  test("an OData v2 entity query is refused the same way; a navigation sends its own options and the entity's custom options", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: 7, rating: 5 }] }));
    const book = client.collection<Book>("Books").key(1).param("sap-client", "100");
    assert.deepEqual(await book.navigate("reviews").select("rating").list(), [{ ID: 7, rating: 5 }]);
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    assert.throws(() => v2.collection("Books").key(1).select("Title").navigate("Reviews"), { name: "TypeError", message: `navigate("Reviews"): the query's $select ${TAIL}` });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/Books(1)/reviews?$select=rating&sap-client=100"],
    );
  });
});
