/**
 * A write or an action answered with a success status whose body then stalls (the headers and the
 * start of the body sent, then nothing) until the call's timeout: the rejection keeps the code
 * `TIMEOUT` and says that the service answered a success, so the write was applied (the action
 * ran), with the stall's own error as its cause, as a body that breaks off says it. A function's
 * stall is a read's, and says nothing of the kind. Against a node:http service on 127.0.0.1 that
 * holds the body open.
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
    (value) => assert.fail(`resolved with ${JSON.stringify(value)}`),
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

const sent = (server: RecordingServer) => server.requests.map((r) => `${r.method} ${r.path}`);

test("a create answered 201 whose body stalls rejects with TIMEOUT saying the service applied the write, with its Location; it is sent once", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 201, '{"ID":7,"title":"', { location: `${root}Books(7)` }), { timeout: TIMEOUT });
  const started = performance.now();
  const error = await rejection(client.collection("Books").create({ ID: 7, title: "t" }));
  assert.ok(performance.now() - started >= TIMEOUT - 20, "not before the timeout");
  assert.equal(error.code, "TIMEOUT");
  assert.equal(
    error.message,
    `POST ${root}Books was answered 201 Created, so the service applied the write, but its answer's body stalled: no data arrived for ${TIMEOUT} ms (option "timeout"). Location: ${root}Books(7)`,
  );
  assertStallCause(error, "POST", `${root}Books`, TIMEOUT);
  assert.deepEqual(sent(server), ["POST /odata/Books"]);
});

test("an OData v2 update (MERGE) answered 200 whose body stalls says so too", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 200, '{"d":{"ID":1,'), { timeout: TIMEOUT, version: "2.0" });
  const error = await rejection(client.collection("Books").key(1).update({ title: "u" }));
  assert.equal(error.code, "TIMEOUT");
  assert.equal(error.message, `MERGE ${root}Books(1) was answered 200 OK, so the service applied the write, but its answer's body stalled: no data arrived for ${TIMEOUT} ms (option "timeout")`);
  assertStallCause(error, "MERGE", `${root}Books(1)`, TIMEOUT);
  assert.deepEqual(sent(server), ["MERGE /odata/Books(1)"]);
});

test("a replace under its own timeout names that timeout, the one its body was watched with, and is not sent again", async (t) => {
  // Retries on: a PUT may be retried, but not after its answer came.
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 200, '{"ID":1,'), { timeout: 30_000, retry: { retries: 2, delay: 1 } });
  const error = await rejection(client.collection("Books").key(1).replace({ ID: 1, title: "r" }, { timeout: 200 }));
  assert.equal(error.code, "TIMEOUT");
  assert.equal(error.message, `PUT ${root}Books(1) was answered 200 OK, so the service applied the write, but its answer's body stalled: no data arrived for 200 ms (option "timeout")`);
  assertStallCause(error, "PUT", `${root}Books(1)`, 200);
  assert.deepEqual(sent(server), ["PUT /odata/Books(1)"]);
});

test("an action answered 200 whose body stalls says that the action ran; a function's stall says only that its body stalled", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => stallAfter(res, 200, '{"value":'), { timeout: TIMEOUT });
  const action = await rejection(client.action("submitOrder").invoke({ quantity: 2 }));
  assert.equal(action.code, "TIMEOUT");
  assert.equal(action.message, `POST ${root}submitOrder was answered 200 OK, so the service ran the action, but its answer's body stalled: no data arrived for ${TIMEOUT} ms (option "timeout")`);
  assertStallCause(action, "POST", `${root}submitOrder`, TIMEOUT);

  const read = await rejection(client.function("countBooks").get());
  assert.equal(read.code, "TIMEOUT");
  assert.equal(read.message, `GET ${root}countBooks(): the answer's body stalled, no data arrived for ${TIMEOUT} ms (option "timeout")`);
  assert.deepEqual(sent(server), ["POST /odata/submitOrder", "GET /odata/countBooks()"]);
});

test("an action answered 200 whose body breaks off rejects with NETWORK_ERROR saying that the action ran", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => {
    stallAfter(res, 200, '{"value":');
    setTimeout(() => res.destroy(), 20);
  });
  const error = await rejection(client.action("submitOrder").invoke({ quantity: 2 }));
  assert.equal(error.code, "NETWORK_ERROR");
  assert.match(error.message, new RegExp(`^POST ${root.replace(/[.()]/g, "\\$&")}submitOrder was answered 200 OK, so the service ran the action, but its answer broke off while it was read: terminated`));
  assert.deepEqual(sent(server), ["POST /odata/submitOrder"]);
});

test("the caller's abort while a write's answer body stalls rejects with the caller's reason itself", async (t) => {
  const { client } = await serveClient(t, (_request, res) => stallAfter(res, 201, '{"ID":7,'), { timeout: 5_000 });
  const controller = new AbortController();
  const reason = new ODataClientError("TIMEOUT", "the caller's own deadline");
  setTimeout(() => controller.abort(reason), 100);
  const error = await client.collection("Books").create({ ID: 7 }, { signal: controller.signal }).then(
    () => assert.fail("the create resolved"),
    (failure: unknown) => failure,
  );
  assert.equal(error, reason);
});

test("a delete answered 200 whose body would stall resolves at once: its body is not read", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => stallAfter(res, 200, '{"ID":1,'), { timeout: 5_000 });
  const started = performance.now();
  assert.equal(await client.collection("Books").key(1).delete({ etag: 'W/"1"' }), undefined);
  assert.ok(performance.now() - started < 2_000, "before the timeout");
  assert.deepEqual(sent(server), ["DELETE /odata/Books(1)"]);
});
