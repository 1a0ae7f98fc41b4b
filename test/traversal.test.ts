// The reading layer on the wire: one page, pages following next links, entity streams, counts and
// single entities, against plain node:http servers on 127.0.0.1 that script the protocol's edge
// cases (v4 JSON, v2 JSON, v2 Atom), record what the client sent, and observe read-ahead,
// backpressure and cancellation from the server's side.
import { getEventListeners } from "node:events";
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError, ODataHttpError, type ODataClientOptions } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { RecentLinks } from "../src/read/traversal.js";
import { rejectionOf } from "./async-poller-fixtures.js";

interface Item {
  ID: number;
  name?: string;
}

/** A client for the service root `<origin>/svc/` of `server`; retries off so every request is visible. */
function clientFor(server: RecordingServer, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: server.url("svc/"), retry: false, ...options });
}

function items(from: number, to: number): Item[] {
  const out: Item[] = [];
  for (let id = from; id <= to; id++) out.push({ ID: id });
  return out;
}

const ids = (rows: Item[]): number[] => rows.map((row) => row.ID);

/** The query part of a recorded request, decoded, without the leading `?`. */
function queryOf(request: RecordedRequest | undefined): URLSearchParams {
  assert.ok(request, "no such request");
  return new URL(request.path, "http://x").searchParams;
}

/** Polls `condition` every few milliseconds; fails with `what` if it does not hold within `ms`. */
async function waitFor(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Gives the client every chance to send a request it should not send: a full round trip to
 * `server` (which lets the event loop run network I/O on both sides) and a short pause.
 */
async function settle(server: RecordingServer): Promise<void> {
  await (await fetch(server.url("ping"))).text();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Whether a recorded request is a page request (not the settle ping). */
const isPage = (request: RecordedRequest): boolean => !request.path.startsWith("/ping");

/**
 * A v4 service of `pageCount` pages of `pageSize` items under `/svc/Items`; page k (1-based) is
 * `Items?page=k` and links to the next with a relative nextLink. `onPage` sees each page request as
 * it arrives; `hold` can keep a page's answer back (the request stays open) to observe cancellation.
 */
async function pagedV4(
  pageCount: number,
  pageSize = 3,
  hooks: { onPage?: (page: number) => void; hold?: (page: number, res: ServerResponse) => boolean } = {},
): Promise<RecordingServer> {
  return startServer((request, res) => {
    if (request.path.startsWith("/ping")) return sendText(res, 200, "pong");
    const page = Number(queryOf(request).get("page") ?? "1");
    hooks.onPage?.(page);
    if (hooks.hold?.(page, res)) return;
    const body: Record<string, unknown> = { value: items((page - 1) * pageSize + 1, page * pageSize) };
    if (page < pageCount) body["@odata.nextLink"] = `Items?page=${page + 1}`;
    sendJson(res, 200, body);
  });
}


async function drain<T>(iterable: AsyncIterable<T>, into: T[]): Promise<void> {
  for await (const item of iterable) into.push(item);
}

// --- what is sent ----------------------------------------------------------------------------

describe("request headers", () => {
  test("a v4 read sends Accept JSON and no version header (a CORS-simple request), and no Prefer without maxPageSize", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: [] }));
    t.after(() => server.close());
    await clientFor(server).collection("Items").page();
    const sent = server.requests[0];
    assert.equal(sent?.method, "GET");
    assert.equal(sent?.path, "/svc/Items");
    assert.match(sent?.headers.accept ?? "", /^application\/json/);
    assert.equal(sent?.headers["odata-maxversion"], undefined);
    assert.equal(sent?.headers.prefer, undefined);
    assert.equal(sent?.headers.maxdataserviceversion, undefined);
  });

  test("a 4.01 client's read sends no OData-MaxVersion either", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: [] }));
    t.after(() => server.close());
    await clientFor(server, { version: "4.01" }).collection("Items").page();
    assert.equal(server.requests[0]?.headers["odata-maxversion"], undefined);
  });

  test("the client's maxPageSize is sent as Prefer: odata.maxpagesize on every page", async (t) => {
    const server = await pagedV4(2);
    t.after(() => server.close());
    await clientFor(server, { maxPageSize: 250 }).collection("Items").list();
    assert.deepEqual(
      server.requests.map((r) => r.headers.prefer),
      ["odata.maxpagesize=250", "odata.maxpagesize=250"],
    );
  });

  test("a per-read maxPageSize overrides the client's", async (t) => {
    const server = await pagedV4(2);
    t.after(() => server.close());
    const query = clientFor(server, { maxPageSize: 250 }).collection<Item>("Items");
    await query.page({ maxPageSize: 7 });
    const walked: Item[] = [];
    await drain(query.stream({ maxPageSize: 9 }), walked);
    assert.deepEqual(
      server.requests.map((r) => r.headers.prefer),
      ["odata.maxpagesize=7", "odata.maxpagesize=9", "odata.maxpagesize=9"],
    );
  });

  test("a v2 read sends no MaxDataServiceVersion, no OData-MaxVersion and no Prefer", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { d: { results: [] } }));
    t.after(() => server.close());
    await clientFor(server, { version: "2.0", maxPageSize: 100 }).collection("Items").page();
    const sent = server.requests[0];
    assert.match(sent?.headers.accept ?? "", /^application\/json/);
    assert.equal(sent?.headers.maxdataserviceversion, undefined);
    assert.equal(sent?.headers["odata-maxversion"], undefined);
    assert.equal(sent?.headers.prefer, undefined);
  });

  test("an invalid readAhead or maxPageSize rejects before anything is sent", async (t) => {
    const server = await pagedV4(1);
    t.after(() => server.close());
    const query = clientFor(server).collection("Items");
    await assert.rejects(query.pages({ readAhead: -1 }).next(), RangeError);
    await assert.rejects(query.pages({ readAhead: 1.5 }).next(), RangeError);
    await assert.rejects(query.page({ maxPageSize: 0 }), RangeError);
    assert.equal(server.requests.length, 0);
  });
});

// --- v4 JSON paging --------------------------------------------------------------------------

describe("v4 paging", () => {
  test("pages() follows relative nextLinks to the end, one request per page", async (t) => {
    const server = await pagedV4(3);
    t.after(() => server.close());
    const pages: Item[][] = [];
    for await (const page of clientFor(server).collection<Item>("Items").pages()) pages.push(page.value);
    assert.deepEqual(pages.map(ids), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Items", "/svc/Items?page=2", "/svc/Items?page=3"]);
  });

  test("a relative nextLink resolves against the service root, not against the page's URL", async (t) => {
    // Page 1 sends an absolute link into a deeper path; page 2's relative link must still resolve
    // against /svc/, where a resolution against the request URL would give /svc/deep/Items.
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") {
        return sendJson(res, 200, { value: items(1, 1), "@odata.nextLink": server.url("svc/deep/Items?page=2") });
      }
      if (request.path === "/svc/deep/Items?page=2") return sendJson(res, 200, { value: items(2, 2), "@odata.nextLink": "Items?page=3" });
      if (request.path === "/svc/Items?page=3") return sendJson(res, 200, { value: items(3, 3) });
      sendJson(res, 404, { error: { code: "404", message: "Not Found" } });
    });
    t.after(() => server.close());
    const query = clientFor(server).collection<Item>("Items");
    assert.deepEqual(ids(await query.list()), [1, 2, 3]);
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Items", "/svc/deep/Items?page=2", "/svc/Items?page=3"]);
    // The same rule for the nextLink a page reports.
    const second = await query.page({ from: server.url("svc/deep/Items?page=2") });
    assert.equal(second.nextLink, server.url("svc/Items?page=3"));
  });

  test("an absolute nextLink on the service's origin is followed", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") return sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": server.url("other/path/Items?$skiptoken=2") });
      sendJson(res, 200, { value: items(3, 4) });
    });
    t.after(() => server.close());
    const all = await clientFor(server).collection<Item>("Items").list();
    assert.deepEqual(ids(all), [1, 2, 3, 4]);
    assert.equal(server.requests[1]?.path, "/other/path/Items?$skiptoken=2");
  });

  test("page() gives the nextLink as an absolute URL, with @odata.count", async (t) => {
    const server = await startServer((_, res) =>
      sendJson(res, 200, { "@odata.count": 42, value: items(1, 2), "@odata.nextLink": "Items?$skiptoken=2" }),
    );
    t.after(() => server.close());
    const page = await clientFor(server).collection<Item>("Items").count().page();
    assert.deepEqual(page, { value: items(1, 2), count: 42, nextLink: server.url("svc/Items?$skiptoken=2") });
    assert.equal(queryOf(server.requests[0]).get("$count"), "true");
  });

  test("the 4.01 annotation forms @count and @nextLink are read like @odata.*", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") return sendJson(res, 200, { "@count": 3, value: items(1, 2), "@nextLink": "Items?p=2" });
      sendJson(res, 200, { "@count": 3, value: items(3, 3) });
    });
    t.after(() => server.close());
    const pages = [];
    for await (const page of clientFor(server, { version: "4.01" }).collection<Item>("Items").pages()) pages.push(page);
    assert.deepEqual(pages.map((p) => [ids(p.value), p.count]), [[[1, 2], 3], [[3], 3]]);
  });

  test("the last page's @odata.deltaLink is given as an absolute URL", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") return sendJson(res, 200, { value: items(1, 1), "@odata.nextLink": "Items?p=2" });
      sendJson(res, 200, { value: items(2, 2), "@odata.deltaLink": "Items?$deltatoken=abc" });
    });
    t.after(() => server.close());
    const pages = [];
    for await (const page of clientFor(server).collection<Item>("Items").pages()) pages.push(page);
    assert.equal(pages.length, 2);
    assert.equal(pages[0]?.deltaLink, undefined);
    assert.equal(pages[1]?.deltaLink, server.url("svc/Items?$deltatoken=abc"));
    assert.equal(pages[1]?.nextLink, undefined);
  });

  test("an empty last page (a full page still linking on) ends the walk without an error", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") return sendJson(res, 200, { value: items(1, 3), "@odata.nextLink": "Items?$skiptoken=3" });
      sendJson(res, 200, { value: [] });
    });
    t.after(() => server.close());
    const query = clientFor(server).collection<Item>("Items");
    const sizes: number[] = [];
    for await (const page of query.pages()) sizes.push(page.value.length);
    assert.deepEqual(sizes, [3, 0]);
    const streamed: Item[] = [];
    await drain(query, streamed);
    assert.deepEqual(ids(streamed), [1, 2, 3]);
    assert.equal(server.requests.length, 4);
  });

  test("list() gives all entities of all pages in order", async (t) => {
    const server = await pagedV4(4, 5);
    t.after(() => server.close());
    const all = await clientFor(server).collection<Item>("Items").list();
    assert.deepEqual(ids(all), items(1, 20).map((i) => i.ID));
  });

  test("for await over the query streams every entity across pages", async (t) => {
    const server = await pagedV4(3, 4);
    t.after(() => server.close());
    const seen: number[] = [];
    for await (const item of clientFor(server).collection<Item>("Items")) seen.push(item.ID);
    assert.deepEqual(seen, items(1, 12).map((i) => i.ID));
  });
});

// --- other reads -------------------------------------------------------------------------------

describe("first, countAll, get", () => {
  test("first() sends $top=1 with the query's options and gives the entity", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: [{ ID: 7 }], "@odata.nextLink": "Items?$skiptoken=1" }));
    t.after(() => server.close());
    const first = await clientFor(server).collection<Item>("Items").filter("ID gt 6").orderBy("ID").first();
    assert.deepEqual(first, { ID: 7 });
    assert.equal(server.requests.length, 1, "first() follows no next link");
    const query = queryOf(server.requests[0]);
    assert.equal(query.get("$top"), "1");
    assert.equal(query.get("$filter"), "ID gt 6");
    assert.equal(query.get("$orderby"), "ID");
  });

  test("first() gives undefined for an empty collection", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: [] }));
    t.after(() => server.close());
    assert.equal(await clientFor(server).collection<Item>("Items").first(), undefined);
  });

  test("countAll() sends GET /$count with the query's $filter and $search and reads the number", async (t) => {
    const server = await startServer((_, res) => sendText(res, 200, "1234"));
    t.after(() => server.close());
    const count = await clientFor(server).collection<Item>("Items").filter("ID gt 5").search("blue").orderBy("ID").top(3).countAll();
    assert.equal(count, 1234);
    const sent = server.requests[0];
    assert.equal(new URL(sent?.path ?? "", "http://x").pathname, "/svc/Items/$count");
    const query = queryOf(sent);
    assert.equal(query.get("$filter"), "ID gt 5");
    assert.equal(query.get("$search"), "blue");
    assert.equal(query.get("$top"), null);
    assert.equal(query.get("$orderby"), null);
    assert.match(sent?.headers.accept ?? "", /text\/plain/);
  });

  test("countAll() rejects a body that is not a number with BAD_PAYLOAD", async (t) => {
    const server = await startServer((_, res) => sendText(res, 200, "<html>login</html>"));
    t.after(() => server.close());
    const error = await rejectionOf(clientFor(server).collection<Item>("Items").countAll());
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
  });

  test("key(k).get() reads one v4 entity, keeps the ETag header as @odata.etag and leaves out @odata.context", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { "@odata.context": "$metadata#Items/$entity", ID: 5, name: "five" }, { etag: 'W/"5"' }));
    t.after(() => server.close());
    const entity = await clientFor(server).collection<Item>("Items").key(5).get();
    assert.deepEqual(entity, { ID: 5, name: "five", "@odata.etag": 'W/"5"' });
    assert.equal(server.requests[0]?.path, "/svc/Items(5)");
  });

  test("a 404 on get rejects with ODataHttpError status 404 and the parsed OData error", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 404, { error: { code: "NOT_FOUND", message: "No item 9" } }));
    t.after(() => server.close());
    const error = await rejectionOf(clientFor(server).collection<Item>("Items").key("it's").get());
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 404);
    assert.equal(error.code, "HTTP_ERROR");
    assert.equal(error.odataError?.code, "NOT_FOUND");
    assert.equal(error.odataError?.message, "No item 9");
    assert.equal(server.requests[0]?.path, "/svc/Items('it''s')");
  });

  test("an HTTP error on a later page rejects the walk after the earlier pages were delivered", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") return sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": "Items?p=2" });
      sendJson(res, 500, { error: { code: "BOOM", message: "database gone" } });
    });
    t.after(() => server.close());
    const seen: Item[] = [];
    const error = await rejectionOf(drain(clientFor(server).collection<Item>("Items").stream(), seen));
    assert.deepEqual(ids(seen), [1, 2]);
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 500);
    assert.equal(error.odataError?.code, "BOOM");
  });
});

// --- malformed bodies --------------------------------------------------------------------------

describe("malformed pages", () => {
  test("page() rejects a body that is not JSON with BAD_PAYLOAD", async (t) => {
    const server = await startServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"value":[{"ID":1},{"ID":');
    });
    t.after(() => server.close());
    const error = await rejectionOf(clientFor(server).collection<Item>("Items").page());
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
  });

  test("a page without a value array rejects with BAD_PAYLOAD", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { d: { results: [] } }));
    t.after(() => server.close());
    const error = await rejectionOf(clientFor(server).collection<Item>("Items").list());
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
  });

  test("a malformed second page rejects the stream after the first page's entities", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") return sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": "Items?p=2" });
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"value":[{"ID":3}');
    });
    t.after(() => server.close());
    const seen: Item[] = [];
    const error = await rejectionOf(drain(clientFor(server).collection<Item>("Items").stream(), seen));
    assert.deepEqual(ids(seen), [1, 2]);
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
  });
});

describe("connections dropped in the middle of a body", () => {
  /** Answers with headers and the start of a body, then drops the connection. */
  const dropping = (first?: unknown) =>
    startServer((request, res) => {
      if (first !== undefined && !request.path.includes("p=2")) return sendJson(res, 200, first);
      res.writeHead(200, { "content-type": request.path.includes("$count") ? "text/plain" : "application/json" });
      res.write(request.path.includes("$count") ? "1" : '{"value":[{"ID":1},');
      setTimeout(() => res.destroy(), 20);
    });

  for (const [name, read] of [
    ["page()", (q: ReturnType<ODataClient["collection"]>) => q.page()],
    ["key(k).get()", (q: ReturnType<ODataClient["collection"]>) => q.key(1).get()],
    ["countAll()", (q: ReturnType<ODataClient["collection"]>) => q.countAll()],
  ] as const) {
    test(`${name} rejects with ODataClientError NETWORK_ERROR, the network error as its cause`, async (t) => {
      const server = await dropping();
      t.after(() => server.close());
      const error = await rejectionOf(read(clientFor(server).collection("Items")));
      assert.ok(error instanceof ODataClientError, String(error));
      assert.equal(error.code, "NETWORK_ERROR");
      assert.ok(error.cause instanceof Error);
    });
  }

  test("a stream rejects with NETWORK_ERROR after the entities of the pages before", async (t) => {
    const server = await dropping({ value: items(1, 2), "@odata.nextLink": "Items?p=2" });
    t.after(() => server.close());
    const seen: Item[] = [];
    const error = await rejectionOf(drain(clientFor(server).collection<Item>("Items").stream(), seen));
    assert.deepEqual(ids(seen), [1, 2]);
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "NETWORK_ERROR");
  });
});

// --- v2 JSON and Atom --------------------------------------------------------------------------

describe("OData v2", () => {
  test("v2 JSON: d.results pages, absolute __next followed, __count string read as a number", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.startsWith("/svc/Items?$inlinecount=allpages&$skiptoken=2")) {
        return sendJson(res, 200, { d: { results: items(3, 3), __count: "3" } });
      }
      sendJson(res, 200, { d: { results: items(1, 2), __count: "3", __next: server.url("svc/Items?$inlinecount=allpages&$skiptoken=2") } });
    });
    t.after(() => server.close());
    const pages = [];
    for await (const page of clientFor(server, { version: "2.0" }).collection<Item>("Items").count().pages()) pages.push(page);
    assert.deepEqual(
      pages.map((p) => [ids(p.value), p.count, p.nextLink]),
      [
        [[1, 2], 3, server.url("svc/Items?$inlinecount=allpages&$skiptoken=2")],
        [[3], 3, undefined],
      ],
    );
    assert.equal(queryOf(server.requests[0]).get("$inlinecount"), "allpages");
  });

  test("v2 JSON: /Date(ms)/ and /Date(ms+0000)/ values read as ISO 8601 in pages and streams", async (t) => {
    const created = Date.UTC(2024, 1, 11, 10, 1, 0);
    const server = await startServer((_, res) =>
      sendJson(res, 200, { d: { results: [{ ID: 1, born: `/Date(${Date.UTC(1911, 9, 5)})/`, modifiedAt: `/Date(${created}+0000)/` }] } }),
    );
    t.after(() => server.close());
    const query = clientFor(server, { version: "2.0" }).collection<Item & { born: string; modifiedAt: string }>("Items");
    const page = await query.page();
    assert.equal(page.value[0]?.born, "1911-10-05T00:00:00Z");
    assert.equal(page.value[0]?.modifiedAt, "2024-02-11T10:01:00Z");
    const [streamed] = await query.list();
    assert.equal(Date.parse(streamed?.modifiedAt ?? ""), created);
  });

  test("v2 key(k).get() unwraps d and reads its dates", async (t) => {
    const server = await startServer((_, res) =>
      sendJson(res, 200, {
        d: { __metadata: { uri: server.url("svc/Authors('O''Brien')"), type: "S.Author", etag: 'W/"1"' }, ID: "O'Brien", born: `/Date(${Date.UTC(1911, 9, 5)})/` },
      }),
    );
    t.after(() => server.close());
    const author = await clientFor(server, { version: "2.0" }).collection<{ ID: string; born: string }>("Authors").key("O'Brien").get();
    assert.equal(author.ID, "O'Brien");
    assert.equal(author.born, "1911-10-05T00:00:00Z");
    assert.equal((author as unknown as { __metadata: { etag: string } }).__metadata.etag, 'W/"1"');
    assert.equal(server.requests[0]?.path, "/svc/Authors('O''Brien')");
  });

  test("v2 key(k).get() keeps an ETag header as __metadata.etag when the body has none", async (t) => {
    const server = await startServer((request, res) =>
      sendJson(res, 200, request.path.includes("(1)") ? { d: { __metadata: { uri: "u", type: "S.Item" }, ID: 1 } } : { d: { ID: 2 } }, { etag: 'W/"7"' }),
    );
    t.after(() => server.close());
    const query = clientFor(server, { version: "2.0" }).collection<Item & { __metadata: Record<string, string> }>("Items");
    assert.deepEqual((await query.key(1).get()).__metadata, { uri: "u", type: "S.Item", etag: 'W/"7"' });
    assert.deepEqual((await query.key(2).get()).__metadata, { etag: 'W/"7"' });
  });

  test("v2 key(k).get() prefers the body's __metadata.etag over the ETag header", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { d: { __metadata: { etag: 'W/"body"' }, ID: 1 } }, { etag: 'W/"header"' }));
    t.after(() => server.close());
    const entity = await clientFor(server, { version: "2.0" }).collection<Item & { __metadata: Record<string, string> }>("Items").key(1).get();
    assert.equal(entity.__metadata["etag"], 'W/"body"');
    assert.equal((entity as unknown as Record<string, unknown>)["@odata.etag"], undefined);
  });

  const ATOM_NAMESPACES =
    'xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices"';

  /** One Atom entry; `root` adds the namespaces and xml:base a document whose root it is needs. */
  const atomEntry = (origin: string, id: number, root = false) => `<entry${root ? ` ${ATOM_NAMESPACES} xml:base="${origin}/svc/"` : ""}>
    <id>${origin}/svc/Items(${id})</id>
    <category term="S.Item" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/>
    <link href="Items(${id})" rel="edit" title="Item"/>
    <content type="application/xml"><m:properties>
      <d:ID m:type="Edm.Int32">${id}</d:ID>
      <d:name>item &amp; ${id}</d:name>
      <d:at m:type="Edm.DateTime">2024-02-11T10:01:00</d:at>
    </m:properties></content>
  </entry>`;

  const atomFeed = (origin: string, entries: number[], next?: string, count?: number) => `<?xml version="1.0" encoding="utf-8"?>
<feed xml:base="${origin}/svc/" ${ATOM_NAMESPACES}>
  <id>${origin}/svc/Items</id>
  <title type="text">Items</title>
  ${count === undefined ? "" : `<m:count>${count}</m:count>`}
  ${entries.map((id) => atomEntry(origin, id)).join("\n")}
  ${next === undefined ? "" : `<link rel="next" href="${next}"/>`}
</feed>`;

  test("v2 Atom feed: entries read, <link rel=\"next\"> followed, <m:count> read", async (t) => {
    const server = await startServer((request, res) => {
      res.writeHead(200, { "content-type": "application/atom+xml;type=feed;charset=utf-8" });
      if (request.path === "/svc/Items") res.end(atomFeed(server.origin, [1, 2], "Items?$skiptoken=2", 3));
      else res.end(atomFeed(server.origin, [3], undefined, 3));
    });
    t.after(() => server.close());
    const pages = [];
    for await (const page of clientFor(server, { version: "2.0" }).collection<Item & { at: string }>("Items").pages()) pages.push(page);
    assert.deepEqual(pages.map((p) => [ids(p.value), p.count]), [[[1, 2], 3], [[3], 3]]);
    assert.equal(pages[0]?.value[0]?.name, "item & 1");
    assert.equal(pages[0]?.value[0]?.at, "2024-02-11T10:01:00Z");
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Items", "/svc/Items?$skiptoken=2"]);
  });

  test("v2 Atom entry: key(k).get() reads it as an entity", async (t) => {
    const server = await startServer((_, res) => {
      res.writeHead(200, { "content-type": "application/atom+xml;type=entry" });
      res.end(`<?xml version="1.0" encoding="utf-8"?>\n${atomEntry(server.origin, 4, true)}`);
    });
    t.after(() => server.close());
    const entity = await clientFor(server, { version: "2.0" }).collection<Item>("Items").key(4).get();
    assert.equal(entity.ID, 4);
    assert.equal(entity.name, "item & 4");
    assert.equal((entity as unknown as { __metadata: { uri: string } }).__metadata.uri, server.url("svc/Items(4)"));
  });
});

// --- next links that must not be followed --------------------------------------------------------

describe("next link rules", () => {
  test("an empty next link is no link: the page is delivered, then BAD_PAYLOAD; the service root is never read as a page", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/") return sendJson(res, 200, { value: [{ name: "Items", kind: "EntitySet", url: "Items" }] });
      sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": "" });
    });
    t.after(() => server.close());
    const client = clientFor(server);
    const seen: Item[] = [];
    const error = await rejectionOf(drain(client.collection<Item>("Items").stream(), seen));
    assert.deepEqual(ids(seen), [1, 2]);
    assert.ok(error instanceof ODataClientError && error.code === "BAD_PAYLOAD", String(error));
    assert.equal(error.message, 'the service sent a next link that is not a URL: ""');
    const page = await rejectionOf(client.collection<Item>("Items").page());
    assert.ok(page instanceof ODataClientError && page.code === "BAD_PAYLOAD" && page.message === 'the service sent a next link that is not a URL: ""', String(page));
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Items", "/svc/Items"]);
  });

  test("a link the caller gives as option from, on another origin or no URL, is said to be the caller's, not the service's", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: [] }));
    t.after(() => server.close());
    const items = clientFor(server).collection<Item>("Items");
    const foreign = await rejectionOf(items.page({ from: "http://example.invalid/svc/Items?page=2" }));
    assert.ok(foreign instanceof ODataClientError && foreign.code === "UNTRUSTED_NEXT_LINK");
    assert.match(foreign.message, /^option from is a next link to http:\/\/example\.invalid, which is neither the service's origin/);
    const walk = await rejectionOf(drain(items.stream({ from: " " }), []));
    // The caller's argument, no answer's body: a TypeError, as the library's other argument checks.
    assert.ok(walk instanceof TypeError && walk.message === 'option from is a next link that is not a URL: " "', String(walk));
    assert.equal(server.requests.length, 0);
  });

  test("a delta link that is no URL fails pages() after the last page is delivered whole, as a next link does", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("page=2")) return sendJson(res, 200, { value: items(2, 3), "@odata.deltaLink": "http://[bad" });
      sendJson(res, 200, { value: items(1, 1), "@odata.nextLink": "Items?page=2" });
    });
    t.after(() => server.close());
    const pages: number[][] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const page of clientFor(server).collection<Item>("Items").pages()) pages.push(ids(page.value));
      })(),
    );
    assert.deepEqual(pages, [[1], [2, 3]], "the last page came before the error");
    assert.ok(error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
    assert.equal(error.message, 'the service sent a delta link that is not a URL: "http://[bad"');
  });

  test("a nextLink to another origin rejects with UNTRUSTED_NEXT_LINK after the entities read, and nothing is sent there", async (t) => {
    const elsewhere = await startServer((_, res) => sendJson(res, 200, { value: items(100, 100) }));
    t.after(() => elsewhere.close());
    const server = await startServer((_, res) =>
      sendJson(res, 200, { value: items(1, 3), "@odata.nextLink": elsewhere.url("svc/Items?page=2") }),
    );
    t.after(() => server.close());
    const seen: Item[] = [];
    const error = await rejectionOf(drain(clientFor(server, { headers: { authorization: "Bearer secret" } }).collection<Item>("Items").stream(), seen));
    assert.deepEqual(ids(seen), [1, 2, 3], "the entities of the page were delivered first");
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "UNTRUSTED_NEXT_LINK");
    assert.ok(!error.message.includes("secret"));
    assert.equal(elsewhere.requests.length, 0);
  });

  test("pages() delivers the page with the foreign nextLink before rejecting", async (t) => {
    const elsewhere = await startServer((_, res) => sendJson(res, 200, { value: [] }));
    t.after(() => elsewhere.close());
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": elsewhere.url("x") }));
    t.after(() => server.close());
    const pages: Item[][] = [];
    const error = await rejectionOf((async () => {
      for await (const page of clientFor(server).collection<Item>("Items").pages()) pages.push(page.value);
    })());
    assert.deepEqual(pages.map(ids), [[1, 2]]);
    assert.equal((error as ODataClientError).code, "UNTRUSTED_NEXT_LINK");
    assert.equal(elsewhere.requests.length, 0);
  });

  test("trustedOrigins lets a nextLink to that origin through", async (t) => {
    const elsewhere = await startServer((_, res) => sendJson(res, 200, { value: items(4, 5) }));
    t.after(() => elsewhere.close());
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 3), "@odata.nextLink": elsewhere.url("svc/Items?page=2") }));
    t.after(() => server.close());
    const all = await clientFor(server, { trustedOrigins: [elsewhere.origin] }).collection<Item>("Items").list();
    assert.deepEqual(ids(all), [1, 2, 3, 4, 5]);
    assert.equal(elsewhere.requests[0]?.path, "/svc/Items?page=2");
  });

  for (const link of ["javascript:alert(1)", "file:///etc/passwd", "data:application/json,{}"]) {
    test(`a nextLink ${link.split(":")[0]}: is rejected with UNTRUSTED_NEXT_LINK after the entities read`, async (t) => {
      const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": link }));
      t.after(() => server.close());
      const seen: Item[] = [];
      const error = await rejectionOf(drain(clientFor(server).collection<Item>("Items").stream(), seen));
      assert.deepEqual(ids(seen), [1, 2]);
      assert.equal((error as ODataClientError).code, "UNTRUSTED_NEXT_LINK");
      assert.equal(server.requests.length, 1);
    });
  }

  test("a nextLink that is not a URL rejects page() with BAD_PAYLOAD", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": "http://[::1" }));
    t.after(() => server.close());
    const error = await rejectionOf(clientFor(server).collection<Item>("Items").page());
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "BAD_PAYLOAD");
  });

  test("a nextLink that is not a URL ends pages() and stream() with BAD_PAYLOAD after the entities read", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": "http://[::1" }));
    t.after(() => server.close());
    const query = clientFor(server).collection<Item>("Items");
    const pages: Item[][] = [];
    const pagesError = await rejectionOf((async () => {
      for await (const page of query.pages()) pages.push(page.value);
    })());
    assert.deepEqual(pages.map(ids), [[1, 2]]);
    assert.ok(pagesError instanceof ODataClientError, String(pagesError));
    assert.equal(pagesError.code, "BAD_PAYLOAD");
    const seen: Item[] = [];
    const streamError = await rejectionOf(drain(query.stream(), seen));
    assert.deepEqual(ids(seen), [1, 2]);
    assert.equal((streamError as ODataClientError).code, "BAD_PAYLOAD");
    assert.equal(server.requests.length, 2);
  });

  test("a deltaLink that is not a URL rejects with BAD_PAYLOAD", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 2), "@odata.deltaLink": "http://[::1" }));
    t.after(() => server.close());
    const error = await rejectionOf(clientFor(server).collection<Item>("Items").page());
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "BAD_PAYLOAD");
  });

  test("a nextLink back to a page already read is detected instead of looping", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/svc/Items") return sendJson(res, 200, { value: items(1, 1), "@odata.nextLink": "Items?p=2" });
      sendJson(res, 200, { value: items(2, 2), "@odata.nextLink": server.url("svc/Items") });
    });
    t.after(() => server.close());
    const seen: Item[] = [];
    const error = await rejectionOf(drain(clientFor(server).collection<Item>("Items").stream(), seen));
    assert.deepEqual(ids(seen), [1, 2]);
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "NEXT_LINK_LOOP");
    assert.equal(server.requests.length, 2);
  });

  test("a page linking to itself is detected as a loop", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 1), "@odata.nextLink": "Items" }));
    t.after(() => server.close());
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent++;
      return fetch(input, init);
    };
    const error = await rejectionOf(clientFor(server, { fetch: counting }).collection<Item>("Items").list());
    assert.equal((error as ODataClientError).code, "NEXT_LINK_LOOP");
    assert.equal(server.requests.length, 1);
    assert.equal(sent, 1, "the link back, read off the text's end, is not requested early either");
  });

  /**
   * A ring of `size` one-entity pages: `Items` is page 0, `Items?p=k` page k, each linking to the
   * next and the last back to `Items`.
   */
  async function ring(size: number): Promise<RecordingServer> {
    return startServer((request, res) => {
      const page = Number(queryOf(request).get("p") ?? "0");
      sendJson(res, 200, { value: [{ ID: page }], "@odata.nextLink": page + 1 === size ? "Items" : `Items?p=${page + 1}` });
    });
  }

  test("a ring of 1,024 pages is caught: NEXT_LINK_LOOP naming the link back, after exactly 1,024 requests, each page delivered once", async (t) => {
    const server = await ring(1024);
    t.after(() => server.close());
    const pages: number[][] = [];
    const error = await rejectionOf((async () => {
      for await (const page of clientFor(server).collection<Item>("Items").pages()) {
        pages.push(ids(page.value));
        // A walk the ring does not stop would go round for ever.
        if (pages.length > 1100) assert.fail(`no NEXT_LINK_LOOP after ${pages.length} pages`);
      }
    })());
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "NEXT_LINK_LOOP");
    assert.ok(error.message.includes(`(${server.url("svc/Items")})`), error.message);
    assert.deepEqual(pages, Array.from({ length: 1024 }, (_, page) => [page]));
    assert.equal(server.requests.length, 1024);
    assert.deepEqual(server.requests.map((r) => r.path).filter((path) => path === "/svc/Items"), ["/svc/Items"], "the link back is never requested");
  });

  test("a ring of 1,025 pages is not caught (only the last 1,024 links are kept): the walk goes round until the caller stops it", async (t) => {
    const server = await ring(1025);
    t.after(() => server.close());
    const pages: number[] = [];
    const error = await (async () => {
      try {
        for await (const page of clientFor(server).collection<Item>("Items").pages()) {
          pages.push(...ids(page.value));
          if (pages.length === 1100) break;
        }
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.equal(error, undefined, `the walk rejected after ${pages.length} pages: ${String(error)}`);
    assert.equal(pages.length, 1100);
    // Round once (pages 0..1024), then from page 0 again.
    assert.deepEqual(pages, Array.from({ length: 1100 }, (_, i) => i % 1025));
    assert.equal(server.requests[1025]?.path, "/svc/Items", "the link back to the first page is followed");
  });

  test("loop detection remembers only the most recent links, so a walk of millions of pages stays bounded", () => {
    const recent = new RecentLinks(3);
    for (const link of ["a", "b", "c", "d"]) recent.add(link);
    assert.deepEqual(["a", "b", "c", "d"].map((link) => recent.has(link)), [false, true, true, true]);
    recent.add("b"); // seen again: becomes the newest, so "c" is now the oldest
    recent.add("e");
    assert.deepEqual(["b", "c", "d", "e"].map((link) => recent.has(link)), [true, false, true, true]);
  });
});

// --- resuming ----------------------------------------------------------------------------------

describe("resume from a saved next link", () => {
  test("page({ from }) reads the page the saved nextLink names", async (t) => {
    const server = await pagedV4(3);
    t.after(() => server.close());
    const query = clientFor(server).collection<Item>("Items");
    const first = await query.page();
    assert.equal(first.nextLink, server.url("svc/Items?page=2"));
    const second = await query.page({ from: first.nextLink as string });
    assert.deepEqual(ids(second.value), [4, 5, 6]);
    assert.equal(second.nextLink, server.url("svc/Items?page=3"));
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Items", "/svc/Items?page=2"]);
  });

  test("pages({ from }) walks on from the saved nextLink, sending nothing for earlier pages", async (t) => {
    const server = await pagedV4(4);
    t.after(() => server.close());
    const pages: number[][] = [];
    for await (const page of clientFor(server).collection<Item>("Items").pages({ from: server.url("svc/Items?page=3") })) pages.push(ids(page.value));
    assert.deepEqual(pages, [[7, 8, 9], [10, 11, 12]]);
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Items?page=3", "/svc/Items?page=4"]);
  });

  test("a relative from resolves against the service root", async (t) => {
    const server = await pagedV4(2);
    t.after(() => server.close());
    const page = await clientFor(server).collection<Item>("Items").page({ from: "Items?page=2" });
    assert.deepEqual(ids(page.value), [4, 5, 6]);
    assert.equal(server.requests[0]?.path, "/svc/Items?page=2");
  });

  test("a from on another origin rejects with UNTRUSTED_NEXT_LINK and sends nothing", async (t) => {
    const server = await pagedV4(2);
    t.after(() => server.close());
    const query = clientFor(server).collection<Item>("Items");
    const one = await rejectionOf(query.page({ from: "http://127.0.0.1:1/svc/Items?page=2" }));
    const all = await rejectionOf(query.list({ from: "https://example.com/svc/Items" }));
    assert.equal((one as ODataClientError).code, "UNTRUSTED_NEXT_LINK");
    assert.equal((all as ODataClientError).code, "UNTRUSTED_NEXT_LINK");
    assert.equal(server.requests.length, 0);
  });
});

// --- immutable reuse ---------------------------------------------------------------------------

test("the same query walked twice sends the same requests and gives the same data", async (t) => {
  const server = await pagedV4(3);
  t.after(() => server.close());
  const base = clientFor(server).collection<Item>("Items");
  const query = base.filter("ID gt 0").select("ID");
  const narrowed = query.top(1);
  const once = await query.list();
  const again: Item[] = [];
  await drain(query, again);
  assert.deepEqual(again, once);
  assert.deepEqual(ids(once), items(1, 9).map((i) => i.ID));
  const paths = server.requests.map((r) => r.path);
  assert.deepEqual(paths.slice(3), paths.slice(0, 3));
  assert.equal(queryOf(server.requests[0]).get("$top"), null, "top(1) on a derived query left this one alone");
  assert.match(narrowed.url(), /\$top=1/);
  assert.doesNotMatch(base.url(), /\$filter/);
});

// --- the entity stream as an async iterator --------------------------------------------------------

describe("stream() as an async iterator", () => {
  test("next() calls made without waiting get the entities in order across pages, then done", async (t) => {
    const server = await pagedV4(2, 3);
    t.after(() => server.close());
    const stream = clientFor(server).collection<Item>("Items").stream();
    const results = await Promise.all(Array.from({ length: 8 }, () => stream.next()));
    assert.deepEqual(
      results.map((r) => (r.done ? "done" : r.value.ID)),
      [1, 2, 3, 4, 5, 6, "done", "done"],
    );
  });

  test("after a failure the stream is done", async (t) => {
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 1), "@odata.nextLink": "javascript:x" }));
    t.after(() => server.close());
    const stream = clientFor(server).collection<Item>("Items").stream();
    assert.deepEqual(await stream.next(), { value: { ID: 1 }, done: false });
    const error = await rejectionOf(stream.next());
    assert.equal((error as ODataClientError).code, "UNTRUSTED_NEXT_LINK");
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  test("return() ends the walk: the request read ahead is closed and next() gives done", async (t) => {
    const { server, closed } = await hangingSecondPage();
    t.after(() => server.close());
    const stream = clientFor(server).collection<Item>("Items").stream();
    assert.deepEqual(await stream.next(), { value: { ID: 1 }, done: false });
    await waitFor(() => server.requests.length === 2, "the read-ahead request for page 2");
    assert.deepEqual(await stream.return(undefined), { value: undefined, done: true });
    await waitFor(closed, "the server to see page 2's connection closed");
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });

  test("throw(error) ends the walk and rejects with that error", async (t) => {
    const { server, closed } = await hangingSecondPage();
    t.after(() => server.close());
    const stream = clientFor(server).collection<Item>("Items").stream();
    await stream.next();
    await waitFor(() => server.requests.length === 2, "the read-ahead request for page 2");
    const mine = new Error("caller gave up");
    assert.equal(await rejectionOf(stream.throw(mine)), mine);
    await waitFor(closed, "the server to see page 2's connection closed");
    assert.deepEqual(await stream.next(), { value: undefined, done: true });
  });
});

// --- read-ahead ----------------------------------------------------------------------------------

describe("read-ahead", () => {
  test("by default the request for page 2 arrives while the consumer still works on page 1", async (t) => {
    let holding = 0;
    const arrivedWhileHolding: number[] = [];
    const server = await pagedV4(3, 3, { onPage: () => arrivedWhileHolding.push(holding) });
    t.after(() => server.close());
    for await (const page of clientFor(server).collection<Item>("Items").pages()) {
      holding = page.value[0]?.ID === 1 ? 1 : page.value[0]?.ID === 4 ? 2 : 3;
      if (holding === 1) await waitFor(() => server.requests.filter(isPage).length === 2, "the request for page 2 during page 1");
    }
    // Request 1 before any page; requests 2 and 3 each while the page before them was held.
    assert.deepEqual(arrivedWhileHolding, [0, 1, 2]);
  });

  test("with readAhead 0 the next page is requested only once the consumer asks for it", async (t) => {
    let asking = true;
    const askingAtArrival: boolean[] = [];
    const server = await pagedV4(3, 3, { onPage: () => askingAtArrival.push(asking) });
    t.after(() => server.close());
    const seen: number[] = [];
    for await (const page of clientFor(server).collection<Item>("Items").pages({ readAhead: 0 })) {
      asking = false;
      seen.push(...ids(page.value));
      await settle(server);
      assert.equal(server.requests.filter(isPage).length, seen.length / 3, "no request while the consumer works");
      asking = true;
    }
    assert.deepEqual(askingAtArrival, [true, true, true]);
    assert.equal(seen.length, 9);
  });

  test("with readAhead 3 the requests run exactly 3 pages ahead of the consumer, never more", async (t) => {
    let holding = 0;
    const aheadAtArrival: number[] = [];
    const server = await pagedV4(10, 3, { onPage: (page) => aheadAtArrival.push(page - holding) });
    t.after(() => server.close());
    for await (const page of clientFor(server).collection<Item>("Items").pages({ readAhead: 3 })) {
      holding = Math.ceil((page.value[0]?.ID ?? 0) / 3);
      // Wait until the producer filled its allowance (or reached the last page), then give it
      // the chance to overrun it.
      const expected = Math.min(holding + 3, 10);
      await waitFor(() => server.requests.filter(isPage).length >= expected, `requests up to page ${expected}`);
      await settle(server);
      assert.equal(server.requests.filter(isPage).length, expected, `while holding page ${holding}`);
    }
    assert.equal(aheadAtArrival.length, 10);
    assert.ok(aheadAtArrival.every((ahead) => ahead <= 3), aheadAtArrival.join(","));
    assert.equal(Math.max(...aheadAtArrival), 3);
  });
});

// --- the next page requested while this one is parsed --------------------------------------------

describe("the next page requested while this one is parsed", () => {
  /**
   * Walks `Items` of `server` with `JSON.parse` and `fetch` watched: the events in order, a fetch
   * as `fetch <page>` and a parse of a page's text as `parse <page>` (the page its first ID is on).
   */
  async function watchWalk(server: RecordingServer, walk: (client: ODataClient) => Promise<unknown>): Promise<string[]> {
    const events: string[] = [];
    const realParse = JSON.parse;
    const watching: typeof fetch = (input, init) => {
      events.push(`fetch ${new URL(String(input)).searchParams.get("page") ?? "1"}`);
      return fetch(input, init);
    };
    JSON.parse = (text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      const first = /"ID":(\d+)/.exec(text)?.[1];
      if (first !== undefined) events.push(`parse ${Math.ceil(Number(first) / 3)}`);
      return realParse(text, reviver) as unknown;
    };
    try {
      await walk(clientFor(server, { fetch: watching }));
    } finally {
      JSON.parse = realParse;
    }
    return events;
  }

  test("a waiting consumer: page k+1's GET goes out before page k's text is parsed, each page once", async (t) => {
    const server = await pagedV4(3, 3);
    t.after(() => server.close());
    const seen: number[] = [];
    const events = await watchWalk(server, async (client) => {
      for await (const page of client.collection<Item>("Items").pages()) seen.push(...ids(page.value));
    });
    assert.deepEqual(events, ["fetch 1", "fetch 2", "parse 1", "fetch 3", "parse 2", "parse 3"]);
    assert.deepEqual(seen, items(1, 9).map((item) => item.ID));
    assert.deepEqual(
      server.requests.map((request) => request.path),
      ["/svc/Items", "/svc/Items?page=2", "/svc/Items?page=3"],
    );
  });

  test("entity by entity (for await) the same; with readAhead 0 each page is parsed before the next is asked for", async (t) => {
    const server = await pagedV4(3, 3);
    t.after(() => server.close());
    const streamed = await watchWalk(server, async (client) => {
      for await (const item of client.collection<Item>("Items")) assert.ok(item.ID > 0);
    });
    assert.deepEqual(streamed, ["fetch 1", "fetch 2", "parse 1", "fetch 3", "parse 2", "parse 3"]);
    const strict = await watchWalk(server, async (client) => {
      for await (const page of client.collection<Item>("Items").pages({ readAhead: 0 })) assert.equal(page.value.length, 3);
    });
    assert.deepEqual(strict, ["fetch 1", "parse 1", "fetch 2", "parse 2", "fetch 3", "parse 3"]);
  });

  test("a consumer still at work on a page: the next GET waits for read-ahead's room, as without the early request", async (t) => {
    const server = await pagedV4(3, 3, { hold: (page, res) => page === 2 && setTimeout(() => sendJson(res, 200, { value: items(4, 6), "@odata.nextLink": "Items?page=3" }), 100) !== undefined });
    t.after(() => server.close());
    const events = await watchWalk(server, async (client) => {
      for await (const page of client.collection<Item>("Items").pages()) {
        // Page 2 arrives while the consumer is still at page 1: nobody waits for page 3 yet.
        if (page.value[0]?.ID === 1) await new Promise((resolve) => setTimeout(resolve, 300));
      }
    });
    assert.deepEqual(events, ["fetch 1", "fetch 2", "parse 1", "parse 2", "fetch 3", "parse 3"]);
  });

  test("a guess that the parsed page does not confirm is aborted: an invalid body, and a v2 __next outside d", async (t) => {
    let heldClosed = false;
    const server = await startServer((request, res) => {
      if (request.path.includes("page=2")) {
        res.on("close", () => (heldClosed = true));
        return; // never answered: only the client can end it
      }
      const v2 = request.path.startsWith("/v2/");
      const body = v2 ? '{"d":{"results":[{"ID":1}]},"x":{"y":1,"__next":"Items?page=2"}}' : '{"value":[{"ID":1},,],"@odata.nextLink":"Items?page=2"}';
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
    t.after(() => server.close());
    // The early GET's signal, as fetch was given it.
    const early: AbortSignal[] = [];
    const watching: typeof fetch = (input, init) => {
      if (String(input).endsWith("page=2") && init?.signal) early.push(init.signal);
      return fetch(input, init);
    };
    /** The early GET was sent, its signal is aborted, and the server (if it saw it) saw it closed. */
    const assertDropped = async (what: string): Promise<void> => {
      assert.equal(early.length, 1, `${what}: one early GET of page 2`);
      await waitFor(() => early[0]!.aborted, `${what}: the early GET aborted`);
      await settle(server);
      if (server.requests.some((request) => request.path.endsWith("page=2"))) await waitFor(() => heldClosed, `${what}: its connection closed`);
      early.length = 0;
    };

    const error = await rejectionOf(clientFor(server, { fetch: watching }).collection<Item>("Items").list());
    assert.equal((error as ODataClientError).code, "BAD_PAYLOAD");
    await assertDropped("invalid v4 body");

    heldClosed = false;
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false, fetch: watching });
    const rows: Item[] = [];
    for await (const item of v2.collection<Item>("Items")) rows.push(item);
    assert.deepEqual(ids(rows), [1], "the walk ends with the page: its d names no next link");
    await assertDropped("v2 page");
  });

  test("a guess that a valid page contradicts is aborted before the page it names is requested, and the walk follows the parsed link", async (t) => {
    // v2: the text ends with another object's __next (page 3); d's own __next is page 2.
    const server = await startServer((request, res) => {
      const page = queryOf(request).get("page") ?? "1";
      res.writeHead(200, { "content-type": "application/json" });
      res.end(page === "1" ? '{"d":{"results":[{"ID":1}],"__next":"Items?page=2"},"x":{"y":1,"__next":"Items?page=3"}}' : JSON.stringify({ d: { results: [{ ID: Number(page) }] } }));
    });
    t.after(() => server.close());
    const events: string[] = [];
    const signals = new Map<string, AbortSignal>();
    const v2 = new ODataClient({
      serviceUrl: server.url("svc/"),
      version: "2.0",
      retry: false,
      fetch: (input, init) => {
        const page = new URL(String(input)).searchParams.get("page") ?? "1";
        events.push(`fetch ${page}${page === "2" ? ` (page 3 aborted: ${String(signals.get("3")?.aborted)})` : ""}`);
        if (init?.signal) signals.set(page, init.signal);
        return fetch(input, init);
      },
    });
    const rows: Item[] = [];
    for await (const item of v2.collection<Item>("Items")) rows.push(item);
    assert.deepEqual(ids(rows), [1, 2], "the rows of the pages d links, not of the guess");
    assert.deepEqual(events, ["fetch 1", "fetch 3", "fetch 2 (page 3 aborted: true)"]);
  });

  test("a guessed link to another origin is not requested: the parsed link then fails with UNTRUSTED_NEXT_LINK", async (t) => {
    const sent: string[] = [];
    const server = await startServer((_, res) => sendJson(res, 200, { value: items(1, 3), "@odata.nextLink": "http://other.invalid/svc/Items?page=2" }));
    t.after(() => server.close());
    const client = clientFor(server, {
      fetch: (input, init) => {
        sent.push(String(input));
        return fetch(input, init);
      },
    });
    const error = await rejectionOf(client.collection<Item>("Items").list());
    assert.equal((error as ODataClientError).code, "UNTRUSTED_NEXT_LINK");
    assert.deepEqual(sent, [server.url("svc/Items")]);
  });

  test("leaving the walk closes the next page's GET, sent early and still in flight", async (t) => {
    let closed = false;
    const server = await pagedV4(3, 3, {
      hold: (page, res) => {
        if (page !== 2) return false;
        res.on("close", () => (closed = true));
        return true;
      },
    });
    t.after(() => server.close());
    for await (const page of clientFor(server).collection<Item>("Items").pages()) {
      assert.equal(page.value[0]?.ID, 1);
      await waitFor(() => server.requests.length === 2, "the early GET of page 2");
      break;
    }
    await waitFor(() => closed, "page 2's connection closed when the loop was left");
  });
});

// --- a huge unpaged answer -------------------------------------------------------------------------

test("a huge unpaged answer is read entity by entity: the server cannot write far ahead of the consumer", async (t) => {
  // 300,000 entities of ENTITY_BYTES bytes each, about 42 MB, in one unpaged answer written in
  // 64 KiB pieces that honour backpressure (write() false: wait for 'drain').
  const total = 300_000;
  const pad = "x".repeat(120);
  // The padding shrinks as the ID grows, so every entity has the same length.
  const entityText = (id: number) => `{"ID":${id},"pad":"${pad.slice(String(id).length)}"}`;
  const ENTITY_BYTES = entityText(1).length + 1; // with its comma
  const head = '{"@odata.context":"$metadata#Items","value":[';
  let written = 0;
  let finished = false;
  let waitingForDrain = false;
  const server = await startServer((_, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    let next = 1;
    const pump = () => {
      while (next <= total) {
        let piece = next === 1 ? head : "";
        while (next <= total && piece.length < 64 * 1024) {
          piece += entityText(next) + (next < total ? "," : "");
          next++;
        }
        if (next > total) piece += "]}";
        written += piece.length;
        if (!res.write(piece)) {
          waitingForDrain = true;
          res.once("drain", () => {
            waitingForDrain = false;
            pump();
          });
          return;
        }
      }
      res.end(() => {
        finished = true;
      });
    };
    pump();
  });
  t.after(() => server.close());

  // Past the part of the body the reader may buffer for one whole-text parse (8 MiB).
  const pauseAt = 100_000;
  const bodyBytes = head.length + total * ENTITY_BYTES + 1;
  let count = 0;
  let lastId = 0;
  let observed: { written: number; consumedBytes: number; stalled: boolean } | undefined;
  for await (const item of clientFor(server).collection<{ ID: number }>("Items")) {
    count++;
    assert.equal(item.ID, lastId + 1);
    lastId = item.ID;
    if (count === pauseAt) {
      // Let the server write all it can while the consumer sits still, until its output stops
      // growing for a while (it waits for 'drain') or it has written everything.
      let before = -1;
      const deadline = Date.now() + 10_000;
      while (written !== before && !finished && Date.now() < deadline) {
        before = written;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      observed = { written, consumedBytes: head.length + pauseAt * ENTITY_BYTES, stalled: waitingForDrain && !finished };
    }
  }
  assert.equal(count, total);
  assert.ok(observed);
  // What may sit between the consumer and the server: the client's current piece and the one read
  // ahead (64 KiB of text each), the fetch body's queue, and the kernel's socket buffers on both
  // ends (about 5 MiB measured on loopback, more if the receive window grew). A client that
  // buffered the body would let the server write all of it (some 28 MB more) and finish.
  const ahead = observed.written - observed.consumedBytes;
  assert.ok(observed.stalled, `the server was not held back: it wrote ${observed.written} of ${bodyBytes} bytes`);
  assert.ok(ahead < 20 * 1024 * 1024, `the server wrote ${(ahead / 1048576).toFixed(1)} MiB ahead of the consumer`);
});

// --- cancellation ------------------------------------------------------------------------------

/**
 * A server whose page 2 never answers: it sends the headers and the start of the body, then
 * nothing more (or, with `headers: false`, nothing at all). It records when that request's
 * connection closes.
 */
async function hangingSecondPage({ headers = true } = {}): Promise<{ server: RecordingServer; closed: () => boolean }> {
  let closed = false;
  const server = await pagedV4(3, 3, {
    hold: (page, res) => {
      if (page !== 2) return false;
      res.on("close", () => {
        closed = true;
      });
      if (headers) {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"value":[{"ID":4},'); // a start, then nothing more
      }
      return true;
    },
  });
  return { server, closed: () => closed };
}

describe("cancellation", () => {
  test("a walk left while a long page is streamed leaves no timer behind: its stall watch ends with it (it kept the process alive up to timeout)", async (t) => {
    const server = await startServer(async (request, res) => {
      if (!request.path.includes("p=2")) return sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Big?p=2" });
      // Over 8 MiB, streamed: read piece by piece under the stall watch.
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"value":[');
      const entity = JSON.stringify({ ID: 0, pad: "x".repeat(1000) });
      for (let i = 0; i < 12_000 && !res.destroyed; i++) {
        if (!res.write(`${i ? "," : ""}${entity}`)) await new Promise((resolve) => res.once("drain", resolve));
      }
      if (!res.destroyed) res.end("]}");
    });
    t.after(() => server.close());
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, timeout: 60_000 });
    for (const how of ["pages", "stream"] as const) {
      const before = timers();
      if (how === "pages") {
        // The next page is read ahead while this one is held.
        for await (const page of client.collection("Big").pages()) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          void page;
          break;
        }
      } else {
        let seen = 0;
        for await (const entity of client.collection("Big").stream()) {
          void entity;
          // Some work per entity, so that the walk is left inside the long page.
          if (++seen === 3000) break;
          if (seen % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(timers(), before, `${how}: a timer outlived the walk`);
    }
  });

  test("each page is sent with a signal of its own (fetch leaves a listener on every signal it is given), and the caller's abort reaches the page in flight", async (t) => {
    let holdPage = 0;
    let held: ServerResponse | undefined;
    const server = await pagedV4(40, 3, { hold: (page, res) => page === holdPage && (held = res) !== undefined });
    t.after(() => server.close());
    const signals: AbortSignal[] = [];
    const recording: typeof fetch = (input, init) => {
      if (init?.signal) signals.push(init.signal);
      return fetch(input, init);
    };
    const rows: Item[] = [];
    for await (const item of clientFor(server, { fetch: recording }).collection<Item>("Items")) rows.push(item);
    assert.deepEqual(ids(rows), ids(items(1, 120)));
    assert.equal(signals.length, 40);
    assert.equal(new Set(signals).size, 40, "pages shared a signal");

    // The caller aborts while page 3 is on the wire: that page's own signal aborts with the caller's reason.
    holdPage = 3;
    signals.length = 0;
    const caller = new AbortController();
    const reason = new Error("stop now");
    const walk = drain(clientFor(server, { fetch: recording }).collection<Item>("Items").stream({ signal: caller.signal }), []);
    await waitFor(() => held !== undefined, "page 3 on the wire");
    caller.abort(reason);
    assert.equal(await rejectionOf(walk), reason);
    assert.equal(signals.length, 3);
    assert.equal(signals[2]?.aborted, true);
    assert.equal(signals[2]?.reason, reason);
    held?.destroy();
  });

  test("break out of for await aborts the request read ahead (the server sees it closed) and sends nothing more", async (t) => {
    const { server, closed } = await hangingSecondPage();
    t.after(() => server.close());
    for await (const page of clientFor(server).collection<Item>("Items").pages()) {
      assert.deepEqual(ids(page.value), [1, 2, 3]);
      await waitFor(() => server.requests.length === 2, "the read-ahead request for page 2");
      break;
    }
    await waitFor(closed, "the server to see page 2's connection closed");
    await settle(server);
    assert.deepEqual(server.requests.filter(isPage).map((r) => r.path), ["/svc/Items", "/svc/Items?page=2"]);
  });

  test("break in the middle of a streaming body closes that connection", async (t) => {
    let closed = false;
    let served = 0;
    const server = await startServer((_, res) => {
      res.on("close", () => {
        closed = true;
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"value":[');
      // An endless body of 1 KB entities that honours backpressure.
      const pad = "y".repeat(1000);
      const pump = () => {
        while (!res.destroyed) {
          let piece = "";
          while (piece.length < 64 * 1024) piece += `${served++ === 0 ? "" : ","}{"ID":${served},"pad":"${pad}"}`;
          if (!res.write(piece)) return void res.once("drain", pump);
        }
      };
      pump();
    });
    t.after(() => server.close());
    let count = 0;
    for await (const item of clientFor(server).collection<Item>("Items")) {
      count++;
      assert.equal(item.ID, count);
      if (count === 20_000) break; // about 20 MB in, past the reader's whole-parse buffer
    }
    await waitFor(() => closed, "the server to see the connection closed");
    assert.equal(server.requests.length, 1);
  });

  test("aborting stream({ signal }) while a page is in flight rejects with signal.reason and closes the request", async (t) => {
    const { server, closed } = await hangingSecondPage();
    t.after(() => server.close());
    const controller = new AbortController();
    const reason = new Error("user left");
    const seen: Item[] = [];
    const walking = drain(clientFor(server).collection<Item>("Items").stream({ signal: controller.signal }), seen);
    await waitFor(() => server.requests.length === 2 && seen.length === 3, "page 1 consumed and page 2 requested");
    controller.abort(reason);
    const error = await rejectionOf(walking);
    assert.equal(error, reason);
    await waitFor(closed, "the server to see page 2's connection closed");
    await settle(server);
    assert.equal(server.requests.filter(isPage).length, 2);
  });

  test("aborting while the consumer works on a page rejects its next step with signal.reason, with no request after", async (t) => {
    const server = await pagedV4(5, 3);
    t.after(() => server.close());
    const controller = new AbortController();
    const reason = new DOMException("stop now", "AbortError");
    const seen: number[] = [];
    const error = await rejectionOf((async () => {
      for await (const item of clientFor(server).collection<Item>("Items").stream({ signal: controller.signal, readAhead: 0 })) {
        seen.push(item.ID);
        if (item.ID === 2) controller.abort(reason);
      }
    })());
    assert.equal(error, reason);
    assert.deepEqual(seen, [1, 2], "no entity is delivered after the abort");
    await settle(server);
    assert.equal(server.requests.filter(isPage).length, 1);
  });

  test("an already aborted signal rejects with its reason and sends nothing", async (t) => {
    const server = await pagedV4(2);
    t.after(() => server.close());
    const reason = new Error("too late");
    const signal = AbortSignal.abort(reason);
    const query = clientFor(server).collection<Item>("Items");
    assert.equal(await rejectionOf(query.page({ signal })), reason);
    assert.equal(await rejectionOf(query.list({ signal })), reason);
    assert.equal(await rejectionOf(query.stream({ signal }).next()), reason);
    assert.equal(await rejectionOf(query.first({ signal })), reason);
    assert.equal(await rejectionOf(query.countAll({ signal })), reason);
    assert.equal(await rejectionOf(query.key(1).get({ signal })), reason);
    assert.equal(server.requests.length, 0);
  });

  test("aborting page({ signal }) during the request rejects with signal.reason", async (t) => {
    let closed = false;
    const server = await startServer((_, res) => {
      res.on("close", () => {
        closed = true;
      });
    });
    t.after(() => server.close());
    const controller = new AbortController();
    const reading = clientFor(server).collection<Item>("Items").page({ signal: controller.signal });
    await waitFor(() => server.requests.length === 1, "the request");
    const reason = new Error("cancelled by the caller");
    controller.abort(reason);
    assert.equal(await rejectionOf(reading), reason);
    await waitFor(() => closed, "the server to see the connection closed");
  });

  test("a walk follows the caller's signal with one listener, gone when it ends, and makes no AbortSignal.any", async (t) => {
    const server = await pagedV4(5, 3);
    t.after(() => server.close());
    const any = t.mock.method(AbortSignal, "any");
    const client = clientFor(server, { timeout: 5_000 });
    const controller = new AbortController();
    const seen: Item[] = [];
    let listening = 0;
    for await (const item of client.collection<Item>("Items").stream({ signal: controller.signal })) {
      seen.push(item);
      listening = Math.max(listening, getEventListeners(controller.signal, "abort").length);
    }
    assert.deepEqual(ids(seen), ids(items(1, 15)));
    assert.equal(server.requests.filter(isPage).length, 5);
    // Each page's controller is the walk's own, which the pipeline's timeout step aborts itself, and
    // the walk's follows the caller's through one listener: AbortSignal.any would leave an entry in
    // the caller's signal for every walk, for as long as it lives.
    assert.equal(any.mock.callCount(), 0);
    assert.equal(listening, 1);
    assert.equal(getEventListeners(controller.signal, "abort").length, 0, "no listener left after the walk");
    assert.equal(controller.signal.aborted, false);
  });

  test("a page that gets no answer ends a walk with TIMEOUT and leaves the caller's signal unaborted", async (t) => {
    const { server, closed } = await hangingSecondPage({ headers: false });
    t.after(() => server.close());
    const controller = new AbortController();
    const seen: Item[] = [];
    const error = await rejectionOf(drain(clientFor(server, { timeout: 300 }).collection<Item>("Items").stream({ signal: controller.signal }), seen));
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "TIMEOUT");
    assert.match(error.message, /Items\?page=2 got no answer within 300 ms/);
    assert.deepEqual(ids(seen), [1, 2, 3]);
    assert.equal(controller.signal.aborted, false, "the timeout is the walk's, not the caller's");
    await waitFor(closed, "the server to see page 2's connection closed");
    await settle(server);
    assert.equal(server.requests.filter(isPage).length, 2);
  });
});
