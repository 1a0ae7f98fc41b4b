/**
 * The `timeout` of `metadata()` and the one `$metadata` request its callers share, against a
 * node:http service that sends `$metadata` slowly: `timeout: 0` asks for no limit, so its caller
 * never waits for a request the client's `timeout` could end; a `timeout` longer than the client's
 * is not cut short by it either; a caller without one keeps the client's; callers asking for
 * different limits at once each end as they asked, and every caller gets the one model kept: those
 * still waiting for another request when it arrives get it at once, that request closed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClient, ODataClientError, ServiceModel } from "../src/index.js";
import { ITEMS_METADATA, startServer, type TestContextLike } from "./servers/recording-server.js";

/** The client's timeout in these tests: shorter than the service's pauses. */
const CLIENT_TIMEOUT = 150;

/**
 * A service whose `$metadata` answer waits `late` ms before its headers, then sends the document
 * in `pieces` parts `gap` ms apart. Every request is recorded with the time it took on the wire.
 */
async function slowMetadata(t: TestContextLike, { late = 0, pieces = 1, gap = 0 }: { late?: number; pieces?: number; gap?: number }) {
  const ended: string[] = [];
  const server = await startServer(async (request, res) => {
    res.on("close", () => ended.push(`${request.path} ${res.writableFinished ? "sent" : "cut off"}`));
    await sleep(late);
    const body = Buffer.from(ITEMS_METADATA);
    res.writeHead(200, { "content-type": "application/xml", "content-length": body.length });
    const size = Math.ceil(body.length / pieces);
    for (let at = 0; at < body.length; at += size) {
      if (at > 0) await sleep(gap);
      if (res.destroyed) return;
      res.write(body.subarray(at, at + size));
    }
    res.end();
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout: CLIENT_TIMEOUT });
  return { server, client, ended };
}

/** Whether `error` is a `TIMEOUT`; `said`: what its message must hold. */
function isTimeout(error: unknown, said: string | RegExp): boolean {
  assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", String(error));
  assert.match(error.message, typeof said === "string" ? new RegExp(said.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : said);
  return true;
}

test("metadata({ timeout: 0 }) reads a $metadata whose body pauses longer than the client's timeout between its pieces", async (t) => {
  const { server, client } = await slowMetadata(t, { pieces: 3, gap: CLIENT_TIMEOUT + 150 });
  // The client's own timeout ends the same read: the pauses are what is being lifted.
  await assert.rejects(client.metadata(), (error) => isTimeout(error, /\$metadata/));
  const model = await client.metadata({ timeout: 0 });
  assert.ok(model.entitySet("Items"));
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /svc/$metadata", "GET /svc/$metadata"]);
});

test("metadata({ timeout }) longer than the client's waits for headers that come after the client's timeout", async (t) => {
  const { server, client } = await slowMetadata(t, { late: CLIENT_TIMEOUT + 250 });
  const model = await client.metadata({ timeout: 5_000 });
  assert.ok(model.entitySet("Items"));
  assert.deepEqual(server.requests.map((r) => r.path), ["/svc/$metadata"]);
});

test("callers asking for different limits at once: each ends as it asked, and all later calls get the one model kept", async (t) => {
  const { server, client, ended } = await slowMetadata(t, { late: CLIENT_TIMEOUT + 350 });
  // Without a timeout: a request under the client's, which its headers outlast.
  const bounded = client.metadata().catch((error: unknown) => error);
  // timeout 0: a request of its own, without a timeout; it does not wait for the first.
  const unbounded = client.metadata({ timeout: 0 });
  // A deadline of its own, shorter than the pause: it shares the request without a timeout and
  // gives up alone, leaving it to the caller of timeout 0.
  const hurried = client.metadata({ timeout: 100 }).catch((error: unknown) => error);
  assert.ok(isTimeout(await hurried, /^metadata\(\): GET http:\/\/127\.0\.0\.1:\d+\/svc\/\$metadata gave no service model within 100 ms \(option "timeout"\)$/));
  // The client's timeout ended the first request (no answer), not a caller's deadline.
  assert.ok(isTimeout(await bounded, /^GET http:\/\/127\.0\.0\.1:\d+\/svc\/\$metadata got no answer within 150 ms/));
  const model = await unbounded;
  assert.ok(model.entitySet("Items"));
  assert.deepEqual(server.requests.map((r) => r.path), ["/svc/$metadata", "/svc/$metadata"]);
  // The model is kept: a call without a timeout now gets the same one, sending nothing.
  assert.equal(await client.metadata(), model);
  assert.equal(await client.metadata({ timeout: 1 }), model);
  assert.equal(server.requests.length, 2);
  await sleep(50);
  assert.deepEqual(ended.sort(), ["/svc/$metadata cut off", "/svc/$metadata sent"]);
});

test("a caller's timeout no longer than the client's shares the request under the client's timeout that is in flight", async (t) => {
  const { server, client } = await slowMetadata(t, { late: 50 });
  const [first, second] = await Promise.all([client.metadata(), client.metadata({ timeout: CLIENT_TIMEOUT })]);
  assert.equal(first, second);
  assert.deepEqual(server.requests.map((r) => r.path), ["/svc/$metadata"]);
});

/**
 * A service that answers the first `$metadata` request after `fast` ms with the document and holds
 * each later one `slow` ms, then answers it with `late` (a 500, or the document). Each request's
 * end is recorded: "sent" where its answer was written, "cut off" where the client closed it first.
 */
async function oneFastOneSlow(t: TestContextLike, late: "500" | "document", timeout: number) {
  const fast = 30;
  const slow = 1_500;
  const ended: string[] = [];
  let answered = 0;
  const server = await startServer(async (_request, res) => {
    const first = answered++ === 0;
    res.on("close", () => ended.push(res.writableFinished ? "sent" : "cut off"));
    await sleep(first ? fast : slow);
    if (res.destroyed) return;
    if (!first && late === "500") {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "DOWN", message: "metadata service failed" } }));
      return;
    }
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(ITEMS_METADATA);
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout });
  return { server, client, ended, slow };
}

for (const late of ["500", "document"] as const) {
  test(`the first model kept is given at once to the callers still waiting for the other request, which the client closes (its late answer: ${late})`, async (t) => {
    // The client's timeout is longer than the service's pause: only the model kept ends the slow request.
    const { server, client, ended, slow } = await oneFastOneSlow(t, late, 5_000);
    const began = Date.now();
    /** What a call gave (a model or an error), and when. */
    const outcome = (call: Promise<ServiceModel>) => call.then((given: unknown) => given, (error: unknown) => error).then((given) => ({ given, after: Date.now() - began }));
    // One request under the client's timeout; one without, shared by timeout 0 and a deadline
    // longer than the client's timeout.
    const results = await Promise.all([client.metadata(), client.metadata({ timeout: 0 }), client.metadata({ timeout: 10_000 })].map(outcome));
    const model = results[0]?.given;
    assert.ok(model instanceof ServiceModel && model.entitySet("Items"), String(model));
    for (const { given, after } of results) {
      assert.equal(given, model);
      assert.ok(after < slow / 2, `a caller waited ${after} ms`);
    }
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /svc/$metadata", "GET /svc/$metadata"]);
    // Nothing of the slow request is left: the client closed it before its answer.
    await sleep(50);
    assert.deepEqual(ended.sort(), ["cut off", "sent"]);
    // Kept: a later call, whatever its limit, sends nothing.
    assert.equal(await client.metadata({ timeout: 0 }), model);
    assert.equal(await client.metadata(), model);
    assert.equal(server.requests.length, 2);
  });
}
