/**
 * An operation bound to an OData v2 query that has `select()` or `expand()`, over real HTTP
 * (node:http on 127.0.0.1). v2 has no bound operations, so the call is refused for that
 * (`UNSUPPORTED_BY_VERSION`), as a `$batch` part bound so is (batch-leftover-v2-bound.test.ts),
 * not for the query's `$expand`: naming the option would send the caller to drop it, only to be
 * refused again for the binding. A v4 query keeps its refusal by the options' names.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { answerJson, serveClient } from "./servers/recording-server.js";

const V2_BOUND = /^(function|action)\("\w+"\): OData v2 has no bound operations/;

test("a v2 key(1).expand(...).function() or .action(), and a set's select().action(), are refused with UNSUPPORTED_BY_VERSION, a v4 one by its options; a function import is sent", async (t) => {
  const { server } = await serveClient(t, answerJson(200, { d: { Ping: 1 } }));
  const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
  const books = v2.collection<{ ID: number; Author?: object }>("Books");
  const calls: [string, () => unknown][] = [
    ["entity expand, function", () => books.key(1).expand("Author").function("F")],
    ["entity select, action", () => books.key(1).select("ID").action("A")],
    ["set expand, function", () => books.expand("Author").function("F")],
    ["set select, action", () => books.select("ID").action("A")],
  ];
  for (const [what, call] of calls) {
    assert.throws(call, (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && V2_BOUND.test(error.message), what);
  }
  const v4 = new ODataClient({ serviceUrl: server.url("v4/"), retry: false }).collection<{ ID: number; author?: object }>("Books");
  const tail = "would not be sent: an operation's own query options apply to its result";
  assert.throws(() => v4.key(1).expand("author").function("NS.F"), { name: "TypeError", message: `function("NS.F"): the query's $expand ${tail}` });
  assert.throws(() => v4.select("ID").action("NS.A"), { name: "TypeError", message: `action("NS.A"): the query's $select ${tail}` });
  assert.equal(await v2.function<number>("Ping").get(), 1);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /v2/Ping"]);
});
