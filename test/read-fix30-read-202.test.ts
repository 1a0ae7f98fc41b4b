// A read answered `202 Accepted`: the service runs it asynchronously and the body, where there is
// one, is a status, not the answer. Entity reads (key, singleton, navigateOne), page reads
// (first, page, list, pages, stream), countAll and delta pages reject with ASYNC_OPERATION_PENDING
// naming the status monitor, as a function's get() and a media read do, in words that fit an
// ODataReader too (it has no asyncPoller()); without a Location, ASYNC_NO_LOCATION.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

/**
 * Every request under `/svc/` is answered 202 with the monitor `/svc/$monitor/1` (relative, as
 * services send it), and a status body unless its path holds `Empty`; `/svc/NoMonitor` without a
 * Location. `/svc/Paged` answers its first page 200 with a next link, the next one 202.
 */
async function acceptingService(): Promise<RecordingServer> {
  return startServer((request, res) => {
    if (request.path === "/svc/Paged") return sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Paged?$skiptoken=2" });
    const headers: Record<string, string> = request.path.startsWith("/svc/NoMonitor")
      ? {}
      : request.path.startsWith("/svc/OneNote")
        ? { "operation-location": "/svc/$monitor/1" }
        : { location: "/svc/$monitor/1", "retry-after": "1" };
    if (request.path.includes("Empty")) {
      res.writeHead(202, headers);
      res.end();
      return;
    }
    sendJson(res, 202, { status: "Running", percentComplete: 10 }, headers);
  });
}

/** The rejection of `read`, checked to be the pending read's: its code, the monitor, no poller of a reader's. */
async function pending(server: RecordingServer, read: () => Promise<unknown>, path: string): Promise<void> {
  const before = server.requests.length;
  const error = await read().then(
    (value) => assert.fail(`${path}: resolved ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ODataClientError, `${path}: ${String(error)}`);
  assert.equal(error.code, "ASYNC_OPERATION_PENDING", `${path}: ${error.message}`);
  assert.ok(error.message.startsWith(`GET ${server.url(path.slice(1))} was answered 202 Accepted`), error.message);
  // The Location as the service sent it, which asyncPoller() takes as it is.
  assert.ok(error.message.endsWith(" is /svc/$monitor/1"), error.message);
  assert.ok(error.message.includes("ODataClient"), error.message);
  assert.ok(!error.message.includes("client.asyncPoller()"), error.message);
  assert.deepEqual(
    server.requests.slice(before).map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    [`GET ${path}`],
  );
}

const drain = async (iterable: AsyncIterable<unknown>): Promise<unknown[]> => {
  const all: unknown[] = [];
  for await (const item of iterable) all.push(item);
  return all;
};

test("entity reads answered 202 reject with ASYNC_OPERATION_PENDING naming the monitor, through ODataReader and ODataClient", async (t) => {
  const server = await acceptingService();
  t.after(() => server.close());
  const options = { serviceUrl: server.url("svc/"), retry: false as const };
  for (const service of [new ODataReader(options), new ODataClient(options)]) {
    await pending(server, () => service.collection("Books").key(1).get(), "/svc/Books(1)");
    await pending(server, () => service.singleton("Me").get(), "/svc/Me");
    await pending(server, () => service.collection("Books").key(1).navigateOne("author").get(), "/svc/Books(1)/author");
    // An empty 202 is no "relates no entity" (null), and no "empty body" BAD_PAYLOAD either.
    await pending(server, () => service.collection("Empty").key(1).navigateOne("author").get(), "/svc/Empty(1)/author");
    await pending(server, () => service.collection("Empty").key(1).get(), "/svc/Empty(1)");
  }
});

test("page reads, countAll and delta pages answered 202 reject with ASYNC_OPERATION_PENDING", async (t) => {
  const server = await acceptingService();
  t.after(() => server.close());
  const reader = new ODataReader({ serviceUrl: server.url("svc/"), retry: false });
  const books = reader.collection("Books");
  await pending(server, () => books.first(), "/svc/Books?$top=1");
  await pending(server, () => books.page(), "/svc/Books");
  await pending(server, () => reader.collection("Empty").list(), "/svc/Empty");
  await pending(server, () => drain(books.pages({ readAhead: 0 })), "/svc/Books");
  await pending(server, () => drain(books.stream()), "/svc/Books");
  await pending(server, () => books.countAll(), "/svc/Books/$count");
  await pending(server, () => drain(reader.delta("Books?$deltatoken=1")), "/svc/Books?$deltatoken=1");
});

test("a walk's next page answered 202 rejects after the pages before it", async (t) => {
  const server = await acceptingService();
  t.after(() => server.close());
  const pages: unknown[] = [];
  const error = await (async () => {
    for await (const page of new ODataReader({ serviceUrl: server.url("svc/"), retry: false }).collection("Paged").pages()) pages.push(page.value);
  })().then(
    () => assert.fail("the walk ended"),
    (error: unknown) => error,
  );
  assert.deepEqual(pages, [[{ ID: 1 }]]);
  assert.ok(error instanceof ODataClientError && error.code === "ASYNC_OPERATION_PENDING", String(error));
  assert.deepEqual(
    server.requests.map((request) => decodeURIComponent(request.path)),
    ["/svc/Paged", "/svc/Paged?$skiptoken=2"],
  );
});

test("a read answered 202 without a Location rejects with ASYNC_NO_LOCATION, its status body not taken for the entity", async (t) => {
  const server = await acceptingService();
  t.after(() => server.close());
  const reader = new ODataReader({ serviceUrl: server.url("svc/"), retry: false });
  await assert.rejects(reader.collection("NoMonitor").key(1).get(), (error: unknown) => error instanceof ODataClientError && error.code === "ASYNC_NO_LOCATION");
  await assert.rejects(reader.collection("NoMonitor").list(), (error: unknown) => error instanceof ODataClientError && error.code === "ASYNC_NO_LOCATION");
  assert.deepEqual(
    server.requests.map((request) => decodeURIComponent(request.path)),
    ["/svc/NoMonitor(1)", "/svc/NoMonitor"],
  );
});

test("a read answered 202 with its monitor in Operation-Location alone (as Graph's OneNote copies name theirs) names that monitor", async (t) => {
  const server = await acceptingService();
  t.after(() => server.close());
  const reader = new ODataReader({ serviceUrl: server.url("svc/"), retry: false });
  await pending(server, () => reader.collection("OneNote").key(1).get(), "/svc/OneNote(1)");
  await pending(server, () => reader.collection("OneNote").list(), "/svc/OneNote");
});

test("a relative Location is resolved against the URL that answered, so that asyncPoller() given the message's monitor polls it", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 202, { status: "Running" }, { location: "jobs/1" }));
  t.after(() => server.close());
  const reader = new ODataReader({ serviceUrl: server.url("svc/") });
  const error = await reader.collection("Books").countAll().then(
    (value) => assert.fail(`resolved ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ODataClientError && error.code === "ASYNC_OPERATION_PENDING", String(error));
  // Against GET svc/Books/$count: svc/Books/jobs/1, where the service root would give svc/jobs/1.
  assert.ok(error.message.endsWith(` is ${server.url("svc/Books/jobs/1")}`), error.message);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`), ["GET /svc/Books/$count"]);
  const client = new ODataClient({ serviceUrl: server.url("svc/") });
  assert.equal(client.asyncPoller(server.url("svc/Books/jobs/1")).statusUrl, server.url("svc/Books/jobs/1"));
});
