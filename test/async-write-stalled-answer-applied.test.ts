/**
 * An `...Async` write or `invokeAsync()` that the service answers with a success at once (it did
 * not go async: `200`/`201`, not a `202` with a monitor) whose body then stalls until the call's
 * timeout, or breaks off: the rejection keeps its code (`TIMEOUT`, `NETWORK_ERROR`) and says, as
 * the write sent without `respond-async` says it, that the service applied the write (ran the
 * action), the stall watch's error its cause; it is sent once. A function's `getAsync()` stall is
 * a read's, and a `202` whose body stalls still gives its poller. Against a node:http service on
 * 127.0.0.1 that holds the body open.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClientError } from "../src/index.js";
import { serveClient, type RecordingServer } from "./servers/recording-server.js";

const TIMEOUT = 300;

/** Sends `status` with its headers and the start of a JSON body, then holds the rest. */
function stallAfter(res: ServerResponse, status: number, start: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": "500", ...headers });
  res.write(start);
}

async function rejection(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await promise.then(
    (value) => assert.fail(`resolved with ${String(value)}`),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError, `not an ODataClientError: ${String(error)}`);
  return error;
}

/** The stall watch's own TIMEOUT, which the error keeps as its cause. */
function assertStallCause(error: ODataClientError, method: string, url: string, ms: number): void {
  assert.ok(error.cause instanceof ODataClientError, `cause: ${String(error.cause)}`);
  assert.equal(error.cause.code, "TIMEOUT");
  assert.equal(error.cause.message, `${method} ${url}: the answer's body stalled, no data arrived for ${ms} ms (option "timeout")`);
}

/** Each request as method, path and its Prefer (every one asked for respond-async). */
const sent = (server: RecordingServer) => server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"]}`);

const stalled = (ms: number) => `its answer's body stalled: no data arrived for ${ms} ms (option "timeout")`;

test("createAsync() answered 201 at once whose body stalls rejects with TIMEOUT saying the service applied the write, with its Location; sent once", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 201, '{"ID":7,"format":"', { location: `${root}Jobs(7)` }), { timeout: TIMEOUT });
  const started = performance.now();
  const error = await rejection(client.collection("Jobs").createAsync({ ID: 7, format: "csv" }));
  assert.ok(performance.now() - started >= TIMEOUT - 20, "not before the timeout");
  assert.equal(error.code, "TIMEOUT");
  assert.equal(error.message, `POST ${root}Jobs was answered 201 Created, so the service applied the write, but ${stalled(TIMEOUT)}. Location: ${root}Jobs(7)`);
  assertStallCause(error, "POST", `${root}Jobs`, TIMEOUT);
  assert.deepEqual(sent(server), ["POST /odata/Jobs respond-async"]);
});

test("updateAsync() (v2 MERGE) and deleteAsync() answered 200 whose body stalls say so too, each under the timeout it was given", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 200, '{"d":{"ID":1,'), { timeout: 30_000, version: "2.0" });
  const update = await rejection(client.collection("Books").key(1).updateAsync({ title: "u" }, { timeout: 200 }));
  assert.equal(update.code, "TIMEOUT");
  assert.equal(update.message, `MERGE ${root}Books(1) was answered 200 OK, so the service applied the write, but ${stalled(200)}`);
  assertStallCause(update, "MERGE", `${root}Books(1)`, 200);

  const remove = await rejection(client.collection("Books").key(1).deleteAsync({ timeout: 250, etag: "*" }));
  assert.equal(remove.code, "TIMEOUT");
  assert.equal(remove.message, `DELETE ${root}Books(1) was answered 200 OK, so the service applied the write, but ${stalled(250)}`);
  assertStallCause(remove, "DELETE", `${root}Books(1)`, 250);
  assert.deepEqual(sent(server), ["MERGE /odata/Books(1) respond-async", "DELETE /odata/Books(1) respond-async"]);
});

test("replaceAsync() with retries on is not sent again once its answer came", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 200, '{"ID":1,'), { timeout: TIMEOUT, retry: { retries: 2, delay: 1 } });
  const error = await rejection(client.collection("Books").key(1).replaceAsync({ ID: 1, title: "r" }));
  assert.equal(error.code, "TIMEOUT");
  assert.equal(error.message, `PUT ${root}Books(1) was answered 200 OK, so the service applied the write, but ${stalled(TIMEOUT)}`);
  assert.deepEqual(sent(server), ["PUT /odata/Books(1) respond-async"]);
});

test("invokeAsync() answered 200 whose body stalls says that the action ran; a function's getAsync() stall says only that its body stalled", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 200, '{"value":'), { timeout: TIMEOUT });
  const action = await rejection(client.action("runExport").invokeAsync({ format: "csv" }));
  assert.equal(action.code, "TIMEOUT");
  assert.equal(action.message, `POST ${root}runExport was answered 200 OK, so the service ran the action, but ${stalled(TIMEOUT)}`);
  assertStallCause(action, "POST", `${root}runExport`, TIMEOUT);

  const read = await rejection(client.function("countBooks").getAsync());
  assert.equal(read.code, "TIMEOUT");
  assert.equal(read.message, `GET ${root}countBooks(): the answer's body stalled, no data arrived for ${TIMEOUT} ms (option "timeout")`);
  assert.deepEqual(sent(server), ["POST /odata/runExport respond-async", "GET /odata/countBooks() respond-async"]);
});

test("createAsync() and invokeAsync() answered 200 whose body breaks off reject with NETWORK_ERROR saying the write was applied, the action ran", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => {
    stallAfter(res, 200, '{"value":');
    setTimeout(() => res.destroy(), 20);
  });
  const write = await rejection(client.collection("Jobs").createAsync({ ID: 8 }));
  assert.equal(write.code, "NETWORK_ERROR");
  assert.match(write.message, new RegExp(`^POST ${root.replace(/[.()]/g, "\\$&")}Jobs was answered 200 OK, so the service applied the write, but its answer broke off while it was read: terminated`));
  const action = await rejection(client.action("runExport").invokeAsync({ format: "csv" }));
  assert.equal(action.code, "NETWORK_ERROR");
  assert.match(action.message, new RegExp(`^POST ${root.replace(/[.()]/g, "\\$&")}runExport was answered 200 OK, so the service ran the action, but its answer broke off while it was read: terminated`));
  assert.deepEqual(sent(server), ["POST /odata/Jobs respond-async", "POST /odata/runExport respond-async"]);
});

test("a 202 with a Location whose body stalls still gives the running poller, and the caller's abort while a 201's body stalls rejects with the caller's reason", async (t) => {
  const { server, client, root } = await serveClient(
    t,
    (request, res) => (request.path === "/odata/Jobs" && request.headers["x-case"] === "202" ? stallAfter(res, 202, '{"status":', { location: `${root}monitor/1` }) : stallAfter(res, 201, '{"ID":9,')),
    { timeout: 200 },
  );
  const poller = await client.collection("Jobs").createAsync({ ID: 9 }, { headers: { "x-case": "202" } });
  assert.equal(poller.isDone(), false);
  assert.equal(poller.statusUrl, `${root}monitor/1`);

  const controller = new AbortController();
  const reason = new ODataClientError("TIMEOUT", "the caller's own deadline");
  setTimeout(() => controller.abort(reason), 50);
  const error = await client.collection("Jobs").createAsync({ ID: 9 }, { signal: controller.signal, timeout: 5_000 }).then(
    () => assert.fail("the createAsync resolved"),
    (failure: unknown) => failure,
  );
  assert.equal(error, reason);
  assert.deepEqual(sent(server), ["POST /odata/Jobs respond-async", "POST /odata/Jobs respond-async"]);
});
