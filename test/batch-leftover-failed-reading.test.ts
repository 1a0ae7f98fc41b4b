// A batch's handles after a send or reading that failed, whichever way it went: send(), sendAsync()
// (at once or through its poller), readAnswer(), a continuation, a resumed poller. Each leaves the
// handles refusing result() with BATCH_NOT_SENT, the failure as the cause, as a failed send() did;
// and a continuation of an earlier send no longer puts its results over a later send's.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataClientError } from "../src/index.js";
import { json, serve, type Reply, type Seen } from "./batch-server.js";

type Handle = { result(): { ok: boolean; value?: unknown } };

/** A JSON batch answer that gives request 1 the entity `{ ID: id }`. */
const answered = (id: number): Reply => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: id } }] }) });

const said = (seen: Seen[]) => seen.map((request) => `${request.method} ${request.url}`);

/** A JSON batch of one GET on the service, whose handle the tests read. */
function oneGet(url: string) {
  const client = new ODataClient({ serviceUrl: url, retry: false });
  const batch = client.batch({ format: "json" });
  const handle: Handle = batch.get(client.collection<{ ID: number }>("Books").key(1));
  return { batch, handle };
}

/** Asserts that `handle.result()` refuses with BATCH_NOT_SENT whose cause is `cause` and whose message matches `what`. */
function refuses(handle: Handle, cause: unknown, what: RegExp): void {
  assert.throws(
    () => handle.result(),
    (error: unknown) => error instanceof ODataClientError && error.code === "BATCH_NOT_SENT" && what.test(error.message) && error.cause === cause,
  );
}

test("sendAsync() whose POST fails leaves the handles refusing with BATCH_NOT_SENT, the failure as cause, not on the earlier send's results", async (t) => {
  let down = false;
  const service = await serve(() => (down ? { status: 503, headers: json, body: '{"error":{"code":"DOWN","message":"maintenance"}}' } : answered(1)));
  t.after(service.close);
  const { batch, handle } = oneGet(service.url);
  await batch.send();
  assert.deepEqual(handle.result().value, { ID: 1 });
  down = true;
  const failure = await batch.sendAsync().catch((error: unknown) => error);
  assert.equal((failure as { status?: number }).status, 503);
  assert.deepEqual(said(service.seen), ["POST /svc/$batch", "POST /svc/$batch"]);
  assert.equal(service.seen[1]!.headers["prefer"], "respond-async");
  assert.equal(batch.results(), undefined);
  refuses(handle, failure, /last send failed/);
});

test("sendAsync()'s poller: the handles have no result while it runs, and refuse with the monitor's failure as cause once it failed", async (t) => {
  let async = false;
  const service = await serve((request): Reply => {
    if (request.method === "POST") return async ? { status: 202, headers: { Location: "/svc/monitor" } } : answered(1);
    return { status: 410, headers: json, body: '{"error":{"code":"GONE","message":"expired"}}' };
  });
  t.after(service.close);
  const { batch, handle } = oneGet(service.url);
  await batch.send();
  assert.deepEqual(handle.result().value, { ID: 1 });
  async = true;
  const poller = await batch.sendAsync({ pollInterval: 1 });
  // Sent again: the first send's results are not this send's.
  assert.equal(batch.results(), undefined);
  assert.throws(
    () => handle.result(),
    (error: unknown) =>
      error instanceof ODataClientError && error.code === "BATCH_NOT_SENT" && error.cause === undefined && /has no result yet: the batch is under way/.test(error.message),
  );
  const failure = await poller.wait().catch((error: unknown) => error);
  assert.equal((failure as { code?: string }).code, "ASYNC_OPERATION_FAILED");
  assert.deepEqual(said(service.seen), ["POST /svc/$batch", "POST /svc/$batch", "GET /svc/monitor"]);
  refuses(handle, failure, /last send failed/);
});

test("sendAsync()'s poller whose final answer is no batch answer: the handles refuse with that BAD_BATCH_RESPONSE as cause", async (t) => {
  let async = false;
  const service = await serve((request): Reply => {
    if (request.method === "POST") return async ? { status: 202, headers: { Location: "/svc/monitor" } } : answered(1);
    return { status: 200, headers: { "Content-Type": "text/plain" }, body: "all done" };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const books = client.collection<{ ID: number }>("Books");
  const first: Handle = batch.get(books.key(1));
  batch.get(books.key(2));
  await batch.send();
  async = true;
  const failure = await (await batch.sendAsync({ pollInterval: 1 })).wait().catch((error: unknown) => error);
  assert.equal((failure as { code?: string }).code, "BAD_BATCH_RESPONSE");
  assert.deepEqual(said(service.seen), ["POST /svc/$batch", "POST /svc/$batch", "GET /svc/monitor"]);
  refuses(first, failure, /last send failed/);
});

test("sendAsync()'s poller cancelled: the handles refuse with the cancellation as cause", async (t) => {
  const service = await serve((request): Reply => {
    if (request.method === "POST") return { status: 202, headers: { Location: "/svc/monitor" } };
    if (request.method === "DELETE") return { status: 204 };
    return { status: 202, headers: { Location: "/svc/monitor" } };
  });
  t.after(service.close);
  const { batch, handle } = oneGet(service.url);
  const poller = await batch.sendAsync({ pollInterval: 1 });
  await poller.cancel();
  const cancellation = (() => {
    try {
      poller.result();
    } catch (error) {
      return error;
    }
  })();
  assert.equal((cancellation as { code?: string }).code, "ASYNC_OPERATION_CANCELLED");
  assert.deepEqual(said(service.seen), ["POST /svc/$batch", "DELETE /svc/monitor"]);
  refuses(handle, cancellation, /last send failed/);
});

test("readAnswer() of an answer that cannot be read leaves the handles refusing with its BAD_BATCH_RESPONSE as cause", async (t) => {
  const service = await serve(() => answered(1));
  t.after(service.close);
  const { batch, handle } = oneGet(service.url);
  await batch.send();
  assert.deepEqual(handle.result().value, { ID: 1 });
  const failure = await batch.readAnswer({ contentType: "text/plain", body: "not a batch" }).catch((error: unknown) => error);
  assert.equal((failure as { code?: string }).code, "BAD_BATCH_RESPONSE");
  assert.deepEqual(said(service.seen), ["POST /svc/$batch"]);
  assert.equal(batch.results(), undefined);
  refuses(handle, failure, /answer.*could not be read/);
  // An answer read after it gives the handles their results again.
  await batch.readAnswer({ contentType: "application/json", body: answered(7).body as string });
  assert.deepEqual(handle.result().value, { ID: 7 });
});

test("a continuation that failed leaves the handles on its send's results, as before this change: the part answered keeps its answer, the pending one stays BATCH_PENDING", async (t) => {
  const service = await serve((request): Reply => {
    if (request.method === "POST") {
      return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 202, headers: { location: "/svc/monitor" } }, { id: "2", status: 200, headers: json, body: { ID: 2 } }] }) };
    }
    return { status: 410, headers: json, body: '{"error":{"code":"GONE","message":"expired"}}' };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const books = client.collection<{ ID: number }>("Books");
  const pending: Handle = batch.get(books.key(1));
  const second: Handle = batch.get(books.key(2));
  const results = await batch.send({ continuation: { pollInterval: 1 } });
  assert.deepEqual(second.result().value, { ID: 2 });
  const failure = await results.continuation!.wait().catch((error: unknown) => error);
  assert.equal((failure as { code?: string }).code, "ASYNC_OPERATION_FAILED");
  assert.deepEqual(said(service.seen), ["POST /svc/$batch", "GET /svc/monitor"]);
  assert.equal(batch.results(), results);
  assert.deepEqual(second.result().value, { ID: 2 });
  const stillPending = pending.result();
  assert.equal(stillPending.ok, false);
  assert.equal((stillPending as { error?: { code?: string } }).error?.code, "BATCH_PENDING");
  // The send's own results stand where the caller holds them.
  assert.deepEqual((results[1] as { value?: unknown }).value, { ID: 2 });
});

test("a continuation of an earlier send that finishes after a later send does not put its results over the later send's", async (t) => {
  let posts = 0;
  const service = await serve((request): Reply => {
    if (request.method === "POST") {
      posts++;
      return posts === 1 ? { status: 202, headers: { Location: "/svc/monitor" } } : answered(2);
    }
    return { status: 200, headers: { ...json, AsyncResult: "200" }, body: answered(1).body as string };
  });
  t.after(service.close);
  const { batch, handle } = oneGet(service.url);
  const first = await batch.send({ continuation: { pollInterval: 1 } });
  const second = await batch.send();
  assert.deepEqual(handle.result().value, { ID: 2 });
  const late = await first.continuation!.wait();
  assert.deepEqual((late[0] as { value?: unknown }).value, { ID: 1 });
  assert.deepEqual(said(service.seen), ["POST /svc/$batch", "POST /svc/$batch", "GET /svc/monitor"]);
  assert.equal(batch.results(), second);
  assert.deepEqual(handle.result().value, { ID: 2 });
});

test("a resumed poller that failed leaves the handles refusing with its failure as cause, not on an earlier send's results", async (t) => {
  const service = await serve((request): Reply => {
    if (request.method === "POST") return request.headers["prefer"] === "respond-async" ? { status: 202, headers: { Location: "/svc/monitor" } } : answered(1);
    return { status: 410, headers: json, body: '{"error":{"code":"GONE","message":"expired"}}' };
  });
  t.after(service.close);
  const token = JSON.parse(JSON.stringify((await oneGet(service.url).batch.sendAsync()).toJSON()));
  const { batch, handle } = oneGet(service.url);
  await batch.send();
  assert.deepEqual(handle.result().value, { ID: 1 });
  const failure = await batch.resumeAsync(token, { pollInterval: 1 }).wait().catch((error: unknown) => error);
  assert.equal((failure as { code?: string }).code, "ASYNC_OPERATION_FAILED");
  assert.deepEqual(said(service.seen), ["POST /svc/$batch", "POST /svc/$batch", "GET /svc/monitor"]);
  assert.equal(batch.results(), undefined);
  refuses(handle, failure, /resumed poller failed/);
});
