/**
 * Three query forms a hunt found written wrong, each checked on the wire (a node:http server that
 * records the request, and SAP CAP for the v2 comparison): nested options after `expand("*")`,
 * which OData does not allow and which SAP CAP's process dies on; text returned by the function
 * of `filter()` or `orderBy()`, which skipped the checks raw text gets; and OData v2's
 * `substringof(...) eq true` compared with a boolean, which SAP CAP's v2 adapter refuses.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { answerJson, onlyRequest, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";

/** The decoded query string of the one request the server saw. */
function sentQuery(server: RecordingServer): string {
  return decodeURIComponent(new URL(onlyRequest(server).path, "http://x").search);
}

/** Asserts that `read` throws a TypeError whose message matches `message`, and that nothing was sent. */
async function refusedUnsent(server: RecordingServer, read: () => Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(async () => read(), (error: unknown) => {
    assert.ok(error instanceof TypeError, `not a TypeError: ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
  assert.deepEqual(server.requests, []);
}

// The callbacks below are what a JavaScript caller (or `as any`) can pass: the types refuse them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('expand("*") takes $levels alone', () => {
  const refusals: [what: string, build: (q: Loose) => Loose][] = [
    ["select()", (q) => q.select("ID")],
    ["top()", (q) => q.top(1)],
    ["filter()", (q) => q.filter((f: Loose) => f.eq("ID", 1))],
    ["expand()", (q) => q.expand("author")],
    ["levels() with select()", (q) => q.levels(2).select("ID")],
  ];
  for (const [what, build] of refusals) {
    test(`expand("*", (q) => q.${what}) is refused with a TypeError before anything is sent`, async (t) => {
      const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
      const books = client.collection<Loose>("Books");
      await refusedUnsent(server, () => books.expand("*", build).list(), /^expand\(nav\): expand\("\*"\) allows only levels\(n\)$/);
      await refusedUnsent(server, () => books.key(1).expand("*", build).get(), /^expand\(nav\): expand\("\*"\) allows only levels\(n\)$/);
    });
  }

  test('a nested expand("*") and "author/*" are refused the same way', async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    const books = client.collection<Loose>("Books");
    await refusedUnsent(server, () => books.expand("author", (a: Loose) => a.expand("*", (q: Loose) => q.top(1))).list(), /^expand expand\(nav\): expand\("\*"\) allows only levels\(n\)$/);
    await refusedUnsent(server, () => books.expand("author/*", (q: Loose) => q.select("ID")).list(), /expand\("\*"\) allows only levels\(n\)/);
  });

  test('expand("*", (q) => q.levels(2)) is sent as *($levels=2), and expand("*") as *', async (t) => {
    const row = { ID: 1, author: { ID: "austen" }, reviews: [] };
    const { server, client } = await serveClient(t, answerJson(200, { value: [row] }));
    const books = client.collection<Loose>("Books");
    assert.deepEqual(await books.expand("*", (q) => q.levels(2)).list(), [row]);
    assert.equal(sentQuery(server), "?$expand=*($levels=2)");
    server.requests.length = 0;
    assert.deepEqual(await books.expand("*", (q) => q.levels("max")).expand("author", (a) => a.expand("*")).list(), [row]);
    assert.equal(sentQuery(server), "?$expand=*($levels=max),author($expand=*)");
  });
});

describe("the function of filter() and orderBy() returns the builder's expression, never text", () => {
  const refusals: [what: string, read: (client: ODataClient) => Promise<unknown>, message: RegExp][] = [
    [
      "filter() whose function returns text that closes its parentheses, ANDed with another filter",
      (client) => client.collection<Loose>("Books").filter((() => "ID eq 1) or (true") as Loose).filter((f) => f.eq("ID", 2)).list(),
      /^filter\(expression\) result: expected an expression made by the filter builder; got the string "ID eq 1\) or \(true" \(wrap hand-written text in f\.raw\(\)\)$/,
    ],
    [
      "an expand's filter() whose function returns text with a ;",
      (client) => client.collection<Loose>("Authors").expand("books", (b) => b.filter((() => "stock gt 1000;$top=0") as Loose)).list(),
      /^expand filter\(expression\) result: expected an expression made by the filter builder; got the string "stock gt 1000;\$top=0"/,
    ],
    [
      "orderBy() whose function returns text",
      (client) => client.collection<Loose>("Books").orderBy((() => "title desc,ID") as Loose, "asc").list(),
      /^orderBy\(field\) result: expected an expression made by the filter builder; got the string "title desc,ID"/,
    ],
    [
      "an expand's orderBy() whose function returns text",
      (client) => client.collection<Loose>("Authors").expand("books", (b) => b.orderBy((() => "stock;$top=0") as Loose)).list(),
      /^expand orderBy\(field\) result: expected an expression made by the filter builder/,
    ],
    [
      "filter() whose function returns text with a lone surrogate",
      (client) => client.collection<Loose>("Books").filter((() => "title eq '\ud800'") as Loose).list(),
      /^filter\(expression\) result: expected an expression made by the filter builder; got the string/,
    ],
    [
      "f.raw() with a lone surrogate, returned by filter()'s function",
      (client) => client.collection<Loose>("Books").filter((f) => f.raw("title eq '\ud800'")).list(),
      /^f\.raw\(text\) holds a lone UTF-16 surrogate/,
    ],
    [
      "f.raw() with a lone surrogate, returned by orderBy()'s function",
      (client) => client.collection<Loose>("Books").orderBy((f) => f.raw("concat(title,'\udc00')")).list(),
      /^f\.raw\(text\) holds a lone UTF-16 surrogate/,
    ],
  ];
  for (const [what, read, message] of refusals) {
    test(`${what} is refused with a TypeError naming the call, before anything is sent`, async (t) => {
      const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
      await refusedUnsent(server, () => read(client), message);
    });
  }

  test("f.raw() returned by the function, and raw text given to filter() itself, are sent as they are", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: 1 }] }));
    const books = client.collection<Loose>("Books");
    const query = books.filter((f) => f.raw("ID eq 1 or ID eq 2")).filter("stock gt 0").orderBy((f) => f.raw("tolower(title)"), "desc");
    assert.deepEqual(await query.list(), [{ ID: 1 }]);
    assert.equal(sentQuery(server), "?$filter=(ID eq 1 or ID eq 2) and (stock gt 0)&$orderby=tolower(title) desc");
  });
});

describe("OData v2: a string function compared with a boolean compares the call, not its eq true", () => {
  test("f.eq(f.contains(...), false) is sent as substringof(...) eq false, the other string functions alike", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [{ ID: 3 }] } }), { version: "2.0" });
    const books = client.collection<Book>("Books");
    const query = books.filter((f) => f.and(f.eq(f.contains("title", "Emma"), false), f.ne(f.startsWith("title", "A"), true), f.eq(f.endsWith("title", "z"), false)));
    assert.deepEqual(await query.list(), [{ ID: 3 }]);
    assert.equal(sentQuery(server), "?$filter=substringof('Emma',title) eq false and startswith(title,'A') ne true and endswith(title,'z') eq false");
  });

  test("a comparison the caller wrote with eq true, and a string function compared with a non-boolean, keep their form", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const books = client.collection<Loose>("Books");
    await books.filter((f) => f.and(f.eq(f.eq("flag", true), false), f.eq(f.contains("title", "x"), f.field("flag")), f.contains("title", "y"))).list();
    assert.equal(sentQuery(server), "?$filter=(flag eq true) eq false and (substringof('x',title) eq true) eq flag and substringof('y',title) eq true");
  });

  describe("against SAP CAP's v2 adapter", () => {
    const cap = useCap();

    test("f.eq(f.contains(...), false) answers the books whose title lacks the text, as v4 does", async () => {
      const lacking = (version: "2.0" | "4.0") =>
        new ODataClient({ serviceUrl: version === "2.0" ? cap.v2 : cap.v4, version, retry: false })
          .collection<Book>("Books")
          .filter((f) => f.eq(f.contains("title", "Emma"), false))
          .select("ID")
          .orderBy("ID");
      const v2 = (await lacking("2.0").list()).map((row) => row.ID);
      const v4 = (await lacking("4.0").list()).map((row) => row.ID);
      assert.ok(v2.length > 0, "the seed data has books without Emma in the title");
      assert.deepEqual(v2, v4);
      const all = await new ODataClient({ serviceUrl: cap.v2, version: "2.0", retry: false }).collection<Book>("Books").select("ID").countAll();
      assert.ok(v2.length < all, "and books with it");
    });
  });
});
