/**
 * The `headers` option of the reads: `get()`, `first()`, `countAll()`, `page()`, `pages()`,
 * `stream()` and `list()` send them with every request they make (each page of a walk, the pages
 * read ahead and those of next links among them), checked as a write's are, a `Prefer` joined with
 * the read's own preferences. Microsoft Graph wants `ConsistencyLevel: eventual` on the very
 * request of a `$count` or `$search` of directory objects; Dataverse reads annotations by a
 * `Prefer` per query. Against node:http servers on 127.0.0.1: what each request carried.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

const GRAPH = { ConsistencyLevel: "eventual", "x-ms-trace": "t1" };

/**
 * A service under /svc/: `Items(1)`, `Items/$count` (3), and `Items` in three pages of one entity
 * each, whose next links go to `nextOrigin` (the service's own where not given).
 */
async function itemsService(t: TestContextLike, nextOrigin?: () => string): Promise<RecordingServer> {
  const server: RecordingServer = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/Items(1)")) return sendJson(res, 200, { ID: 1 });
    if (url.pathname.endsWith("/Items/$count")) return sendText(res, 200, "3");
    const page = Number(url.searchParams.get("$skiptoken") ?? "1");
    const base = nextOrigin?.() ?? server.origin;
    return sendJson(res, 200, { value: [{ ID: page }], ...(page < 3 ? { "@odata.nextLink": `${base}/svc/Items?$skiptoken=${page + 1}` } : {}) });
  });
  t.after(() => server.close());
  return server;
}

const lines = (requests: readonly RecordedRequest[], ...names: string[]) => requests.map((r) => [r.path, ...names.map((name) => r.headers[name])]);

describe("the headers option of a read", () => {
  test("get(), first(), countAll(), page(), pages() (the pages read ahead too), stream() and list() send the given headers on each of their requests, and on no other", async (t) => {
    const server = await itemsService(t);
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const items = client.collection<{ ID: number }>("Items");
    const headers = GRAPH;

    assert.deepEqual(await items.key(1).get({ headers }), { ID: 1 });
    assert.deepEqual(await items.first({ headers }), { ID: 1 });
    assert.equal(await items.countAll({ headers }), 3);
    assert.deepEqual((await items.page({ headers })).value, [{ ID: 1 }]);
    const pages: number[][] = [];
    // Two pages ahead: the walk asks for pages 2 and 3 before the loop is done with page 1.
    for await (const page of items.pages({ headers, readAhead: 2 })) pages.push(page.value.map((item) => item.ID));
    assert.deepEqual(pages, [[1], [2], [3]]);
    const streamed: number[] = [];
    for await (const item of items.stream({ headers })) streamed.push(item.ID);
    assert.deepEqual(streamed, [1, 2, 3]);
    assert.deepEqual((await items.list({ headers })).map((item) => item.ID), [1, 2, 3]);
    // Without the option, nothing of it: the headers belong to the call.
    assert.deepEqual((await items.list()).map((item) => item.ID), [1, 2, 3]);
    await items.key(1).get();

    const walk = [
      ["/svc/Items", "eventual", "t1"],
      ["/svc/Items?$skiptoken=2", "eventual", "t1"],
      ["/svc/Items?$skiptoken=3", "eventual", "t1"],
    ];
    assert.deepEqual(lines(server.requests, "consistencylevel", "x-ms-trace"), [
      ["/svc/Items(1)", "eventual", "t1"],
      ["/svc/Items?$top=1", "eventual", "t1"],
      ["/svc/Items/$count", "eventual", "t1"],
      ["/svc/Items", "eventual", "t1"],
      ...walk,
      ...walk,
      ...walk,
      ["/svc/Items", undefined, undefined],
      ["/svc/Items?$skiptoken=2", undefined, undefined],
      ["/svc/Items?$skiptoken=3", undefined, undefined],
      ["/svc/Items(1)", undefined, undefined],
    ]);
    // The read's own headers stay beside them.
    assert.deepEqual(lines(server.requests.slice(0, 3), "accept"), [
      ["/svc/Items(1)", "application/json"],
      ["/svc/Items?$top=1", "application/json"],
      ["/svc/Items/$count", "text/plain"],
    ]);
  });

  test("a header given wins over the read's own, as a write's does (lower-case names)", async (t) => {
    const server = await itemsService(t);
    const items = new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).collection("Items");
    const accept = "application/json;odata.metadata=full";
    await items.key(1).get({ headers: { Accept: accept } });
    await items.page({ headers: { accept } });
    await items.countAll({ headers: { Accept: "text/plain;charset=utf-8" } });
    assert.deepEqual(lines(server.requests, "accept"), [
      ["/svc/Items(1)", accept],
      ["/svc/Items", accept],
      ["/svc/Items/$count", "text/plain;charset=utf-8"],
    ]);
  });

  test("headers a write refuses are refused by every read, in the same words naming the read, before anything is sent", async (t) => {
    const server = await itemsService(t);
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const items = client.collection("Items");
    const wrong: unknown[] = [
      { "bad name": "x" },
      { "x-split": "a\r\nInjected: yes" },
      { "x-wide": "\u2603" },
      { "Content-Length": "3" },
      { "X-Tenant": "a", "x-tenant": "b" },
      JSON.parse('{"__proto__": "x"}'),
      { "x-count": 3 },
      new Headers({ "x-a": "b" }),
      "ConsistencyLevel: eventual",
      null,
    ];
    const reads: Array<[string, (headers: never) => Promise<unknown>]> = [
      ["get()", (headers) => items.key(1).get({ headers })],
      ["first()", (headers) => items.first({ headers })],
      ["countAll()", (headers) => items.countAll({ headers })],
      ["page()", (headers) => items.page({ headers })],
      ["pages()", (headers) => items.pages({ headers }).next()],
      ["stream()", (headers) => items.stream({ headers }).next()],
      ["list()", (headers) => items.list({ headers })],
    ];
    for (const headers of wrong) {
      // What a write says of the same headers, after the name of the write.
      const written = await client
        .collection("Items")
        .create({ ID: 1 }, { headers: headers as never })
        .then(
          () => assert.fail(`create() took ${String(headers)}`),
          (error: unknown) => error,
        );
      assert.ok(written instanceof TypeError, String(written));
      const said = written.message.replace(/^create\(entity\): /, "");
      assert.notEqual(said, written.message);
      for (const [name, read] of reads) {
        await assert.rejects(read(headers as never), (error: unknown) => {
          assert.ok(error instanceof TypeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${name}: ${said}`);
          return true;
        });
      }
    }
    assert.deepEqual(server.requests, [], "nothing was sent");
  });

  test("a Prefer given joins the walk's own preferences (maxpagesize, track-changes), winning where both name one; the client's configured Prefer joins the result", async (t) => {
    const server = await itemsService(t);
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, maxPageSize: 100, headers: { Prefer: 'odata.include-annotations="display.*", handling=lenient' } });
    const items = client.collection("Items");
    const annotations = 'odata.include-annotations="*"';
    await items.trackChanges().page({ maxPageSize: 2, headers: { Prefer: annotations } });
    await items.list({ headers: { prefer: "odata.maxpagesize=5" } });
    await items.key(1).get({ headers: { Prefer: annotations } });
    await items.countAll({ headers: { Prefer: annotations } });
    await items.page();
    assert.deepEqual(lines(server.requests, "prefer"), [
      ["/svc/Items", `handling=lenient, odata.maxpagesize=2, odata.track-changes, ${annotations}`],
      ["/svc/Items", 'odata.include-annotations="display.*", handling=lenient, odata.maxpagesize=5'],
      ["/svc/Items?$skiptoken=2", 'odata.include-annotations="display.*", handling=lenient, odata.maxpagesize=5'],
      ["/svc/Items?$skiptoken=3", 'odata.include-annotations="display.*", handling=lenient, odata.maxpagesize=5'],
      ["/svc/Items(1)", `handling=lenient, ${annotations}`],
      ["/svc/Items/$count", `handling=lenient, ${annotations}`],
      ["/svc/Items", 'odata.include-annotations="display.*", handling=lenient, odata.maxpagesize=100'],
    ]);
  });

  test("an OData v2 read, which has no preferences of its own, sends a Prefer given as it is", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { d: { results: [{ ID: 1 }] } }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "2.0", maxPageSize: 10 });
    await client.collection("Items").page({ headers: { Prefer: "return=minimal" } });
    assert.deepEqual(lines(server.requests, "prefer"), [["/svc/Items", "return=minimal"]]);
  });

  test("next links on a trusted other origin get the headers, as the configured ones; an untrusted one is not followed, and gets nothing", async (t) => {
    let other: RecordingServer | undefined;
    const service = await itemsService(t, () => other!.origin);
    other = await itemsService(t, () => other!.origin);
    const headers = { ...GRAPH, "x-api-key": "k-123" };
    const trusting = new ODataClient({ serviceUrl: service.url("svc/"), retry: false, trustedOrigins: [other.origin], headers: { "x-tenant": "acme" } });
    assert.deepEqual((await trusting.collection("Items").list({ headers })).length, 3);
    const sent = (requests: readonly RecordedRequest[]) => lines(requests, "consistencylevel", "x-api-key", "x-tenant");
    assert.deepEqual(sent(service.requests), [["/svc/Items", "eventual", "k-123", "acme"]]);
    assert.deepEqual(sent(other.requests), [
      ["/svc/Items?$skiptoken=2", "eventual", "k-123", "acme"],
      ["/svc/Items?$skiptoken=3", "eventual", "k-123", "acme"],
    ]);

    const wary = new ODataClient({ serviceUrl: service.url("svc/"), retry: false, headers: { "x-tenant": "acme" } });
    const before = other.requests.length;
    await assert.rejects(wary.collection("Items").list({ headers }), (error: unknown) => error instanceof ODataClientError && error.code === "UNTRUSTED_NEXT_LINK");
    assert.equal(other.requests.length, before, "the untrusted origin saw no request");
  });

  test("a redirect to an untrusted origin drops the headers named like a credential and keeps the others, as it does for a write's", async (t) => {
    const elsewhere = await startServer((request, res) => {
      if (request.method === "GET") return sendJson(res, 200, { value: [{ ID: 9 }] });
      res.writeHead(204);
      res.end();
    });
    t.after(() => elsewhere.close());
    const service = await startServer((request, res) => {
      res.writeHead(307, { location: `${elsewhere.origin}${request.path}` });
      res.end();
    });
    t.after(() => service.close());
    const client = new ODataClient({ serviceUrl: service.url("svc/"), retry: false, headers: { "x-tenant": "acme" } });
    const headers = { ...GRAPH, "x-api-key": "k-123" };
    await client.collection("Items").key(1).delete({ headers });
    assert.deepEqual((await client.collection("Items").page({ headers })).value, [{ ID: 9 }]);
    const [written, read] = lines(elsewhere.requests, "consistencylevel", "x-ms-trace", "x-api-key", "x-tenant");
    assert.deepEqual(written, ["/svc/Items(1)", "eventual", "t1", undefined, undefined]);
    assert.deepEqual(read, ["/svc/Items", "eventual", "t1", undefined, undefined]);
    // At the service's own origin, all of them.
    assert.deepEqual(lines(service.requests, "consistencylevel", "x-api-key", "x-tenant")[1], ["/svc/Items", "eventual", "k-123", "acme"]);
  });
});
