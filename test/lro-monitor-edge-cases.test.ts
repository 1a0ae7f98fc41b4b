/**
 * Status monitor answers at the edges of the contract (spec/async-poller.md), each over a real
 * node:http server: a 202 whose JSON label lies, a wait() asleep when another poll() reaches the
 * outcome, a Dataverse failure's own reason, maxWait passing while only the result GET is left, and
 * what onProgress hears while a result GET is retried.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AsyncOperationFailedError, AsyncOperationTimeoutError } from "../src/index.js";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";

/** Each request as `METHOD path`. */
const wire = (server: RecordingServer): string[] => server.requests.map((request) => `${request.method} ${request.path}`);

test("a monitor 202 whose body is labelled JSON but is not JSON still runs (rule 1), with no status or progress from it", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (server.requests.length === 1) {
      res.writeHead(202, { "content-type": "application/json" });
      res.end("Accepted");
      return;
    }
    sendJson(res, 200, { ok: true });
  });
  const poller = client.asyncPoller<{ ok: boolean }>("monitor/1", { pollInterval: 1 });
  assert.equal(await poller.poll(), true);
  assert.equal(poller.status(), "Running");
  assert.equal(poller.percentComplete(), -1);
  assert.equal(poller.isDone(), false);
  assert.deepEqual(await poller.wait(), { ok: true });
  assert.deepEqual(wire(server), ["GET /odata/monitor/1", "GET /odata/monitor/1"]);
});

for (const outcome of ["success", "failure"] as const) {
  test(`a wait() asleep on a long Retry-After settles at once when a concurrent poll() reaches the ${outcome}`, async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => {
      if (server.requests.length === 1) sendJson(res, 202, { status: "Running" }, { "retry-after": "30" });
      else if (outcome === "success") sendJson(res, 200, { status: "Succeeded", value: 7 });
      else sendJson(res, 200, { status: "Failed", error: { code: "E1", message: "broke" } });
    });
    const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 1, maxWait: 60_000 });
    assert.equal(await poller.poll(), true);
    const waiting = poller.wait().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const started = Date.now();
    const polled = await poller.poll().then(
      (running) => ({ running }),
      (error: unknown) => ({ error }),
    );
    const waited = await waiting;
    assert.ok(Date.now() - started < 5_000, `wait() settled after ${Date.now() - started} ms`);
    if (outcome === "success") {
      assert.deepEqual(polled, { running: false });
      assert.deepEqual(waited, { value: { status: "Succeeded", value: 7 } });
    } else {
      assert.ok("error" in polled && polled.error instanceof AsyncOperationFailedError, String(polled));
      assert.ok("error" in waited);
      assert.equal(waited.error, polled.error, "wait() rejects with the failure poll() met");
    }
    // The sleeping wait() sent nothing of its own.
    assert.deepEqual(wire(server), ["GET /odata/monitor/1", "GET /odata/monitor/1"]);
  });
}

test("a Dataverse background operation that failed (status 31) gives its error code and message as odataError and in the message", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) =>
    sendJson(res, 200, {
      backgroundOperationStateCode: 3,
      backgroundOperationStatusCode: 31,
      backgroundOperationErrorCode: -2147187707,
      backgroundOperationErrorMessage: "Access is denied.",
    }),
  );
  const poller = client.asyncPoller("backgroundoperation/f86f", { pollInterval: 1 });
  const error = await poller.poll().then(
    () => assert.fail("poll() resolved"),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof AsyncOperationFailedError, String(error));
  assert.equal(error.status, "31");
  assert.deepEqual(error.odataError, { code: "-2147187707", message: "Access is denied." });
  assert.match(error.message, /failed: the service reported status "31": Access is denied\.$/);
  assert.deepEqual(wire(server), ["GET /odata/backgroundoperation/f86f"]);
});

test("maxWait passing while only the result GET is left (its answers transient) says the operation succeeded and its result was not fetched", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path.endsWith("/monitor/1")) {
      res.writeHead(303, { location: "result/1" });
      res.end();
      return;
    }
    sendJson(res, 503, {}, { "retry-after": "10" });
  });
  const poller = client.asyncPoller("monitor/1", { pollInterval: 1, maxWait: 300 });
  const error = await poller.wait().then(
    () => assert.fail("wait() resolved"),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
  assert.equal(error.code, "ASYNC_OPERATION_TIMEOUT");
  assert.equal(error.status, "Succeeded");
  assert.match(error.message, /succeeded, but its result could not be fetched before maxWait \(300 ms\); resume it with/);
  assert.doesNotMatch(error.message, /still ran/);
  assert.equal(poller.status(), "Succeeded");
  assert.equal(poller.isDone(), false);
  assert.deepEqual(wire(server), ["GET /odata/monitor/1", "GET /odata/monitor/result/1"]);
});

test("onProgress hears the answer naming the result once and the final result, not each transient retry of the result GET", async (t) => {
  let resultGets = 0;
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path.endsWith("/monitor/1")) {
      res.writeHead(303, { location: "result/1" });
      res.end();
      return;
    }
    resultGets += 1;
    if (resultGets <= 2) sendJson(res, 503, {});
    else sendJson(res, 200, { value: 1 });
  });
  const heard: [string, number, boolean][] = [];
  const poller = client.asyncPoller("monitor/1", { pollInterval: 1, onProgress: (status, pct) => heard.push([status, pct, poller.isDone()]) });
  assert.equal(await poller.poll(), true); // the 303 read, its result GET transient
  assert.equal(await poller.poll(), true); // the result GET transient again: no answer of rules 1 to 8
  assert.equal(await poller.poll(), false); // the result: the final answer
  assert.deepEqual(poller.result(), { value: 1 });
  assert.deepEqual(heard, [
    ["Succeeded", -1, false],
    ["Succeeded", -1, true],
  ]);
  assert.deepEqual(wire(server), ["GET /odata/monitor/1", "GET /odata/monitor/result/1", "GET /odata/monitor/result/1", "GET /odata/monitor/result/1"]);
});
