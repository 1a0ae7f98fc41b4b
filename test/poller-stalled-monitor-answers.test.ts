// A status monitor that answers 200, sends its headers and the start of its body, and then nothing:
// the client's `timeout` (the stall watch) ends each such poll with TIMEOUT. What that poll means
// follows from what the headers already told:
//   - a 200 whose `AsyncResult` names a failure (rule 3) or is no status code (rule 11) is decided
//     by that header: its body only describes the failure, so the part that came is enough and the
//     operation's outcome is known on that one poll (it was polled five times, as rule 9, before);
//   - any other 200 needs its whole body (a status, a result): one that stalls, even after the
//     start of a terminal status, is no answer read. It is a transient failure (rule 9, a request
//     that got no readable answer): status() and onProgress are untouched, the next poll waits for
//     the Retry-After that answer's headers carried (it went at pollInterval before), and the fifth
//     in a row rejects with that stall's TIMEOUT, naming the monitor.
// Real node:http servers on 127.0.0.1; timings are asserted loosely (a shared 2-core machine).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { AsyncOperationFailedError, ODataClient, ODataClientError } from "../src/index.js";
import { startServer, type Handler, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

/**
 * The client's `timeout` in these tests: how long a stalled body is waited for. It bounds the
 * headers too: at 150 ms a loaded machine once took longer to answer the first poll's headers,
 * which made that poll a transient failure and the decision came on the second.
 */
const TIMEOUT = 500;

const LIMIT = { timeout: 10_000 };

const MONITOR = "odata/Jobs(1)/status";

/** Sends the headers and `start`, then nothing more (the server's close ends the connection). */
function stallAfter(res: ServerResponse, start: string, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "application/json", ...headers });
  res.write(start);
}

async function monitorService(t: TestContextLike, handler: Handler, timeout = TIMEOUT) {
  const server: RecordingServer = await startServer(handler);
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), timeout });
  const progress: string[] = [];
  const poller = client.asyncPoller<unknown>("Jobs(1)/status", { pollInterval: 10, onProgress: (status, pct) => progress.push(`${status} ${pct}`) });
  return { server, poller, progress, monitorUrl: server.url(MONITOR) };
}

function assertStall(error: unknown, url: string, timeout = TIMEOUT): void {
  assert.ok(error instanceof ODataClientError, String(error));
  assert.equal(error.code, "TIMEOUT");
  assert.equal(error.message, `GET ${url}: the answer's body stalled, no data arrived for ${timeout} ms (option "timeout")`);
}

describe("a status monitor's 200 whose body stalls", () => {
  test("with AsyncResult: 500, fails the operation on that one poll (rule 3), with the part of the error read and the stall as cause", LIMIT, async (t) => {
    const { server, poller, progress, monitorUrl } = await monitorService(t, (_request, res) =>
      stallAfter(res, '{"error":{"code":"EXPORT_FAILED","message":"disk full","details":[', { asyncresult: "500" }),
    );
    const started = performance.now();
    const error = await rejectionOf(poller.wait());
    const elapsed = performance.now() - started;
    assert.equal(server.requests.length, 1, "polls the monitor saw");
    assert.ok(error instanceof AsyncOperationFailedError, String(error));
    assert.equal(error.code, "ASYNC_OPERATION_FAILED");
    assert.equal(error.httpStatus, 500);
    assert.equal(error.statusUrl, monitorUrl);
    assert.equal(error.odataError?.code, "EXPORT_FAILED");
    assert.equal(error.odataError?.message, "disk full");
    assertStall(error.cause, monitorUrl);
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Failed");
    assert.deepEqual(progress, ["Failed -1"]);
    // Five stalls in a row take five timeouts at least; this took one (and slack for a busy machine).
    assert.ok(elapsed >= TIMEOUT - 20 && elapsed < 5 * TIMEOUT, `wait() rejected after ${Math.round(elapsed)} ms`);
    // Failed for good: the same error again, with no request.
    assert.equal(await rejectionOf(poller.poll()), error);
    assert.equal(server.requests.length, 1);
  });

  test("with an AsyncResult that is no status code, rejects on that one poll with ASYNC_BAD_RESPONSE (rule 11)", LIMIT, async (t) => {
    const { server, poller, progress } = await monitorService(t, (_request, res) => stallAfter(res, '{"ID":', { asyncresult: "done" }));
    const started = performance.now();
    const error = await rejectionOf(poller.wait());
    const elapsed = performance.now() - started;
    assert.equal(server.requests.length, 1, "polls the monitor saw");
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "ASYNC_BAD_RESPONSE");
    assert.match(error.message, /the AsyncResult header "done" is not an HTTP status code/);
    assert.ok(elapsed < 5 * TIMEOUT, `wait() rejected after ${Math.round(elapsed)} ms`);
    // Rule 11: no answer read by rules 1 to 8, the operation's own outcome unknown.
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    assert.deepEqual(progress, []);
  });

  test("after the start of a terminal status is no answer read (rule 9): wait() honours that answer's Retry-After and rejects with the fifth stall's TIMEOUT", LIMIT, async (t) => {
    // Short stalls: the one-second Retry-After is most of this test's time.
    const timeout = 60;
    const { server, poller, progress, monitorUrl } = await monitorService(
      t,
      (_request, res) => stallAfter(res, '{"status":"succeeded"', server.requests.length === 1 ? { "retry-after": "1" } : {}),
      timeout,
    );
    const started = performance.now();
    const error = await rejectionOf(poller.wait());
    const elapsed = performance.now() - started;
    assert.equal(server.requests.length, 5, "polls the monitor saw");
    assertStall(error, monitorUrl, timeout);
    const [first, second] = server.requests;
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    assert.ok(gap >= 950, `the second poll went ${gap} ms after the first, whose answer said Retry-After: 1`);
    // Slack for a loaded machine (2.8 s once was too little), still short of five one-second waits.
    assert.ok(elapsed < 1_000 + 5 * timeout + 3_000, `wait() rejected after ${Math.round(elapsed)} ms`);
    // Never read as succeeded, nor as a running status of the service's: nothing was read.
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    assert.equal(poller.percentComplete(), -1);
    assert.deepEqual(progress, []);
    assert.throws(() => poller.result(), (thrown: unknown) => thrown instanceof ODataClientError && thrown.code === "ASYNC_OPERATION_PENDING");
  });
});
