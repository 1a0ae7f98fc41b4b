import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import type { Author } from "./servers/cap/types.js";

// A nested lambda's `{ as }` naming an enclosing lambda's variable: inside it, the enclosing
// builder's `b/...` paths would name the inner lambda's member (`books/any(b:b/reviews/any(b:b/ID
// eq 13))` asks for a review 13), so the name is refused before anything is sent.

describe("a lambda's { as } and the enclosing lambdas (node:http)", () => {
  let server: RecordingServer;
  before(async () => {
    server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: "austen" }] }, { "odata-version": "4.0" }));
  });
  after(() => server.close());

  function authors(): ReturnType<ODataClient["collection"]> {
    return new ODataClient({ serviceUrl: server.url("catalog/") }).collection("Authors");
  }

  const refusal = (operator: string, name: string, lambda: string): RegExp =>
    new RegExp(`^f\\.${operator}\\(\\{ as \\}\\): ${name} is the variable of the enclosing lambda ${lambda.replaceAll("/", "\\/")}\\(${name}:\\.\\.\\.\\)`);

  test("f.any() inside f.any() refuses the enclosing variable's name; another name is sent as given", async () => {
    const sent = server.requests.length;
    assert.throws(
      () => authors().filter((f) => f.any("books", (b) => b.any("reviews", () => b.eq("ID", 13), { as: "b" }))),
      (error: unknown) => error instanceof TypeError && refusal("any", "b", "books/any").test(error.message),
    );
    assert.equal(server.requests.length, sent, "nothing is sent");
    const rows = await authors().filter((f) => f.any("books", (b) => b.any("reviews", () => b.eq("ID", 13), { as: "rv" }))).list();
    assert.deepEqual(rows, [{ ID: "austen" }]);
    assert.equal(decodeURIComponent(server.requests.at(-1)?.path ?? ""), "/catalog/Authors?$filter=books/any(b:b/reviews/any(rv:b/ID eq 13))");
  });

  test("f.all() of a typed builder refuses an outer variable two lambdas up", () => {
    const typed = new ODataClient({ serviceUrl: server.url("catalog/") }).collection<Author>("Authors");
    const sent = server.requests.length;
    assert.throws(
      () =>
        typed.filter((f) =>
          f.any("books", (b) => b.any("reviews", (r) => r.all("tags" as never, (t) => t.eq(t.self as never, "x" as never), { as: "b" }), { as: "r" })),
        ),
      (error: unknown) => error instanceof TypeError && refusal("all", "b", "books/any").test(error.message),
    );
    assert.throws(
      () => typed.filter((f) => f.all("books", (b) => b.all("reviews", (r) => r.ge("rating", 4), { as: "b" }))),
      (error: unknown) => error instanceof TypeError && refusal("all", "b", "books/all").test(error.message),
    );
    assert.equal(server.requests.length, sent, "nothing is sent");
  });

  test("an expand's filter and an orderBy() expression refuse it too", async () => {
    const sent = server.requests.length;
    assert.throws(
      () => authors().expand("books", (q) => q.filter((f) => f.any("reviews", (r) => r.any("likes", () => r.eq("rating", 5), { as: "r" })))),
      (error: unknown) => error instanceof TypeError && refusal("any", "r", "reviews/any").test(error.message),
    );
    assert.throws(
      () => authors().orderBy((f) => f.any("books", (b) => b.all("reviews", () => b.eq("ID", 1), { as: "b" }))),
      (error: unknown) => error instanceof TypeError && refusal("all", "b", "books/any").test(error.message),
    );
    assert.equal(server.requests.length, sent, "nothing is sent");
    // Sibling lambdas may share a name: neither encloses the other.
    await authors().filter((f) => f.and(f.any("books", (b) => b.eq("ID", 1), { as: "b" }), f.any("books", (b) => b.eq("ID", 2), { as: "b" }))).list();
    assert.equal(decodeURIComponent(server.requests.at(-1)?.path ?? ""), "/catalog/Authors?$filter=books/any(b:b/ID eq 1) and books/any(b:b/ID eq 2)");
  });
});

describe("a lambda's { as } and the enclosing lambdas (SAP CAP)", () => {
  const cap = useCap();

  async function ids(query: { url(): string }): Promise<string[]> {
    const response = await fetch(query.url(), { headers: { accept: "application/json" } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { value: { ID: string }[] }).value.map((row) => row.ID).sort();
  }

  test("the shadowing name is refused: CAP reads the text it made with the inner b as the review", async () => {
    const authors = new ODataClient({ serviceUrl: cap.v4 }).collection<Author>("Authors");
    assert.throws(
      () => authors.filter((f) => f.any("books", (b) => b.any("reviews", () => b.eq("ID", 13), { as: "b" }))),
      (error: unknown) => error instanceof TypeError && /enclosing lambda books\/any\(b:/.test(error.message),
    );
    // What the predicate says: a book 13 with reviews (book 13 has none). The text the name made
    // asks for a book with a review 13, which CAP finds.
    const intent = authors.filter((f) => f.any("books", (b) => f.and(b.eq("ID", 13), b.any("reviews")))).select("ID");
    const shadowed = authors.filter("books/any(b:b/reviews/any(b:b/ID eq 13))").select("ID");
    assert.deepEqual(await ids(intent), []);
    assert.notDeepEqual(await ids(shadowed), []);
  });
});
