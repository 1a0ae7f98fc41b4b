/**
 * Reading the status monitor (spec/async-poller.md, rules 1 to 11), one answer form at a time,
 * through poll(): what the poller says after each answer, what onProgress heard, what the result
 * or the error is, and what went over the wire.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AsyncOperationCancelledError,
  AsyncOperationError,
  AsyncOperationFailedError,
  ODataClientError,
  ODataHttpError,
} from "../src/index.js";
import { EXPORT_RESULT, FAST, header, ownAsyncService, pollToEnd, progressRecorder, rejectionOf, wire, type AsyncServiceFixture } from "./async-poller-fixtures.js";
import { empty, type ScenarioName } from "./servers/async-service.js";
import { serveClient } from "./servers/recording-server.js";

/** Starts `scenario` with an onProgress recorder watching the poller. */
async function startRecorded(fixture: AsyncServiceFixture, scenario: ScenarioName) {
  const recorder = progressRecorder();
  const poller = await fixture.start<unknown>(scenario, { ...FAST, onProgress: recorder.onProgress });
  recorder.watch(poller);
  return { poller, recorder };
}

describe("every poll request", { concurrency: true }, () => {
  test("is one GET of statusUrl with Accept: application/json, no body and no Prefer", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.0-envelope-crlf");
    await pollToEnd(poller);
    const polls = fixture.service.requestsOf("monitor");
    assert.equal(polls.length, 3);
    for (const poll of polls) {
      assert.equal(poll.method, "GET");
      assert.equal(poll.url, `${fixture.service.serviceUrl}monitor/1`);
      assert.equal(header(poll, "accept"), "application/json");
      assert.equal(header(poll, "prefer"), undefined);
      assert.equal(header(poll, "content-type"), undefined);
      assert.equal(poll.body, "");
    }
  });

  test("carries the client's configured headers, credentials and User-Agent on the service's origin", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client({ headers: { "x-tenant": "t1" }, auth: { basic: { username: "alice", password: "pw" } }, userAgent: "tests/1" });
    const poller = await fixture.start("v4.02-no-content-location", FAST, client);
    await poller.wait();
    for (const request of fixture.service.requests) {
      assert.equal(header(request, "x-tenant"), "t1", `${request.method} ${request.path}`);
      assert.equal(header(request, "authorization"), `Basic ${btoa("alice:pw")}`);
      assert.equal(header(request, "user-agent"), "tests/1");
    }
  });

  test("is sent once per poll(), outside the client's retry policy", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client({ retry: { retries: 3, delay: 1 } });
    const poller = await fixture.start("transient-forever", FAST, client);
    assert.equal(await poller.poll(), true);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
    assert.equal(await poller.poll(), true);
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
  });

  test("two concurrent poll() calls share one request", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes");
    const [first, second] = await Promise.all([poller.poll(), poller.poll()]);
    assert.equal(first, true);
    assert.equal(second, true);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });
});

describe("rule 1: 202 Accepted", { concurrency: true }, () => {
  test("keeps the operation running: poll() resolves true and status() is Running", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "v4.0-envelope-crlf");
    assert.equal(await poller.poll(), true);
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    assert.equal(poller.percentComplete(), -1);
    assert.deepEqual(recorder.calls, [["Running", -1]]);
    assert.throws(() => poller.result(), (e: unknown) => e instanceof ODataClientError && e.code === "ASYNC_OPERATION_PENDING");
  });

  test("a new Location replaces statusUrl, resolved against the URL of the request that got it", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("moving-monitor");
    const base = fixture.service.serviceUrl;
    assert.equal(poller.statusUrl, `${base}monitor/1`);
    assert.equal(await poller.poll(), true);
    assert.equal(poller.statusUrl, `${base}monitor/2`);
    assert.equal(await poller.poll(), true);
    assert.equal(poller.statusUrl, `${base}monitor/3?attempt=3`);
    assert.equal(await poller.poll(), false);
    assert.deepEqual(wire(fixture.service.requestsOf("monitor")), ["GET /odata/monitor/1", "GET /odata/monitor/2", "GET /odata/monitor/3?attempt=3"]);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
  });

  test("a JSON body on a 202 gives status() and percentComplete()", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "graph-status-resource");
    assert.equal(await poller.poll(), true);
    assert.equal(poller.status(), "notStarted");
    assert.equal(poller.percentComplete(), 0);
    assert.deepEqual(recorder.calls, [["notStarted", 0]]);
  });

  test("a later 202 without a status sets status() back to Running and keeps the percentage", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "202 with status and progress, then a bare 202",
      initial: [{ status: 202, headers: { location: "monitor/1" }, json: { status: "Queued", percentComplete: 20 } }],
      monitor: [empty(202)],
    });
    assert.equal(poller.status(), "Queued");
    assert.equal(await poller.poll(), true);
    assert.equal(poller.status(), "Running");
    assert.equal(poller.percentComplete(), 20);
  });
});

describe("rule 2: 200 with Content-Type application/http (OData 4.0)", { concurrency: true }, () => {
  test("an inner 201 with JSON succeeds with the parsed inner body (CRLF)", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "v4.0-envelope-crlf");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen.map((s) => s.running), [true, true, false]);
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Succeeded");
    assert.deepEqual(poller.result(), EXPORT_RESULT);
    assert.deepEqual(recorder.calls, [["Running", -1], ["Running", -1], ["Succeeded", -1]]);
    assert.deepEqual(recorder.mismatches, []);
  });

  test("an envelope with bare LF line ends is read the same way", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.0-envelope-lf");
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.equal(poller.status(), "Succeeded");
  });

  test("an inner body that is not JSON is the result as text", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.0-envelope-text");
    assert.equal(await poller.wait(), "42 rows exported");
  });

  test("an inner 400 fails with AsyncOperationFailedError carrying httpStatus and the inner OData error", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "v4.0-envelope-failed");
    assert.equal(await poller.poll(), true);
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.ok(error instanceof AsyncOperationError && error instanceof ODataClientError);
    assert.equal(error.name, "AsyncOperationFailedError");
    assert.equal(error.code, "ASYNC_OPERATION_FAILED");
    assert.equal(error.httpStatus, 400);
    assert.deepEqual(error.odataError, { code: "BAD_FORMAT", message: "format xlsx is not supported", target: "format" });
    assert.equal(error.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(error.status, "Failed");
    assert.equal(error.percentComplete, -1);
    assert.match(error.message, /format xlsx is not supported/);
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Failed");
    assert.deepEqual(recorder.calls, [["Running", -1], ["Failed", -1]]);
  });
});

describe("rule 3: 200 with an AsyncResult header (OData 4.01)", { concurrency: true }, () => {
  test("AsyncResult 201 succeeds with the answer's body as result", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "v4.01-async-result");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen.map((s) => s.running), [true, false]);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
    assert.equal(poller.status(), "Succeeded");
    assert.deepEqual(recorder.calls, [["Running", -1], ["Succeeded", -1]]);
  });

  test("AsyncResult 500 fails with httpStatus 500 and the body's OData error", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.01-async-result-failed");
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.httpStatus, 500);
    assert.equal(error.odataError?.code, "EXPORT_CRASHED");
    assert.equal(error.odataError?.message, "the export worker died");
    assert.equal(poller.status(), "Failed");
  });
});

describe("rule 4: 200/201 with a JSON status field", { concurrency: true }, () => {
  test("Microsoft Graph: status as sent, percentageComplete rounded and kept, result fetched from resourceLocation", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "graph-status-resource");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen, [
      { running: true, status: "notStarted", percent: 0 },
      { running: true, status: "inProgress", percent: 13 },
      { running: true, status: "inProgress", percent: 13 },
      { running: false, status: "succeeded", percent: 100 },
    ]);
    assert.deepEqual(recorder.calls, [["notStarted", 0], ["inProgress", 13], ["inProgress", 13], ["succeeded", 100]]);
    assert.deepEqual(recorder.mismatches, []);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
    const [result] = fixture.service.requestsOf("result");
    assert.equal(result?.method, "GET");
    assert.equal(result?.path, "/odata/result/7");
    assert.equal(header(result, "accept"), "application/json");
    assert.equal(fixture.service.requestsOf("monitor").length, 4);
  });

  test("Microsoft Graph: status failed rejects with AsyncOperationFailedError carrying the error object", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "graph-failed");
    assert.equal(await poller.poll(), true);
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.status, "failed");
    assert.equal(error.percentComplete, 40);
    assert.deepEqual(error.odataError, { code: "generalException", message: "copy failed" });
    assert.deepEqual(recorder.calls, [["running", 40], ["failed", 40]]);
  });

  test("a status document that is the result loses the response's @odata.context, as every result body does (rule 5 alike)", async (t) => {
    const bodies = [
      { "@odata.context": "$metadata#Jobs/$entity", ID: 7, status: "Succeeded" },
      { "@odata.context": "$metadata#Jobs/$entity", ID: 8, rows: 3 },
    ];
    const { server, client } = await serveClient(t, (request, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(bodies[Number(request.path.slice(-1))]));
    });
    assert.deepEqual(await client.asyncPoller("monitor/0", FAST).wait(), { ID: 7, status: "Succeeded" });
    assert.deepEqual(await client.asyncPoller("monitor/1", FAST).wait(), { ID: 8, rows: 3 });
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/monitor/0", "GET /odata/monitor/1"]);
  });

  test("Azure: a numeric-string percentComplete is read, an out-of-range one clamped, and the status body is the result", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("azure-status-resource");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen, [
      { running: true, status: "NotStarted", percent: -1 },
      { running: true, status: "Running", percent: 43 },
      { running: false, status: "Succeeded", percent: 100 },
    ]);
    assert.deepEqual(poller.result(), { id: "op-1", status: "Succeeded", percentComplete: 250 });
    assert.equal(fixture.service.requestsOf("result").length, 0);
  });

  test("Azure: status Failed rejects with the error object as odataError and keeps the last percentage", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("azure-failed");
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.status, "Failed");
    assert.equal(error.percentComplete, 30);
    assert.equal(error.httpStatus, undefined);
    assert.deepEqual(error.odataError, { code: "QuotaExceeded", message: "the subscription quota is used up" });
    assert.equal(poller.percentComplete(), 30);
  });

  test("Azure: status Canceled rejects with AsyncOperationCancelledError; a negative percentage is clamped to 0", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "azure-canceled");
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationCancelledError);
    assert.equal(error.code, "ASYNC_OPERATION_CANCELLED");
    assert.equal(error.status, "Canceled");
    assert.equal(poller.status(), "Canceled");
    assert.equal(poller.percentComplete(), 0);
    assert.equal(poller.isDone(), true);
    assert.deepEqual(recorder.calls, [["Canceled", 0]]);
  });

  test("Dataverse: backgroundOperationStatusCode 0, 20 and 22 run, 30 succeeds with the status body as result", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("dataverse-status-codes");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen.map((s) => [s.running, s.status]), [
      [true, "0"],
      [true, "20"],
      [true, "22"],
      [false, "30"],
    ]);
    assert.deepEqual(poller.result(), { backgroundOperationStatusCode: 30, backgroundOperationId: "b-1" });
  });

  test("Dataverse: backgroundOperationStatusCode 31 fails", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("dataverse-failed");
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.status, "31");
  });

  test("Dataverse: backgroundOperationStatusCode 32 is cancelled", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("dataverse-cancelled");
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationCancelledError);
    assert.equal(poller.status(), "32");
  });

  test("SAP style: 200 while running, then a relative ResultURL resolved against the monitor request's URL", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("sap-status-resource");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen, [
      { running: true, status: "Running", percent: 10 },
      { running: true, status: "Running", percent: 10 },
      { running: false, status: "Succeeded", percent: 10 },
    ]);
    // result/7 against .../odata/monitor/1 is .../odata/monitor/result/7 (against the service root
    // it would be .../odata/result/7).
    assert.deepEqual(wire(fixture.service.requestsOf("result")), ["GET /odata/monitor/result/7"]);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
  });

  test("every running word of the contract and an unknown word keep running, with status() as sent; Complete succeeds", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("status-words");
    const seen = await pollToEnd(poller);
    assert.deepEqual(
      seen.map((s) => s.status),
      ["notStarted", "RUNNING", "inprogress", "Accepted", "started", "Waiting", "updating", "Provisioning", "canceling", "Cancelling", "DeletePending", "Thinking", "Complete"],
    );
    assert.deepEqual(seen.map((s) => s.running), [...Array<boolean>(12).fill(true), false]);
    assert.deepEqual(poller.result(), { status: "Complete" });
  });

  test("the other success and failure words of the contract end the operation", async (t) => {
    const fixture = await ownAsyncService(t);
    const outcomes: [string, string][] = [];
    for (const word of ["succeeded", "COMPLETED", "done", "Failed", "deleteFailed", "Invalid", "cancelled"]) {
      const poller = await fixture.start({ description: `status ${word}`, initial: [{ status: 202, headers: { location: "monitor/1" } }], monitor: [{ status: 200, json: { status: word } }] });
      try {
        await poller.poll();
        outcomes.push([word, "succeeded"]);
      } catch (error) {
        outcomes.push([word, error instanceof AsyncOperationFailedError ? "failed" : error instanceof AsyncOperationCancelledError ? "cancelled" : String(error)]);
      }
    }
    assert.deepEqual(outcomes, [
      ["succeeded", "succeeded"],
      ["COMPLETED", "succeeded"],
      ["done", "succeeded"],
      ["Failed", "failed"],
      ["deleteFailed", "failed"],
      ["Invalid", "failed"],
      ["cancelled", "cancelled"],
    ]);
  });

  test("progress comes from the first of percentComplete, PercentComplete, percentageComplete, progress that is numeric", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "progress under several names",
      initial: [{ status: 202, headers: { location: "monitor/1" } }],
      monitor: [
        { status: 200, json: { status: "Running", percentComplete: "n/a", PercentComplete: null, progress: 55.5 } },
        { status: 200, json: { status: "Running", PercentComplete: " 61 ", progress: 99 } },
        { status: 200, json: { status: "Running", percentageComplete: 70, progress: 99 } },
        { status: 200, json: { status: "Running", percentComplete: "", progress: true } },
        { status: 200, json: { status: "Succeeded" } },
      ],
    });
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen.map((s) => s.percent), [56, 61, 70, 70, 70]);
  });

  test("on success the result is fetched from the first of resourceLocation, ResultURL, resultUrl, resultLocation", async (t) => {
    const fixture = await ownAsyncService(t);
    const fetched: string[] = [];
    for (const body of [
      { status: "Succeeded", resultLocation: "result/4" },
      { status: "Succeeded", resultUrl: "result/3", resultLocation: "result/4" },
      { status: "Succeeded", ResultURL: "result/2", resultUrl: "result/3" },
      { status: "Succeeded", resourceLocation: "result/1", ResultURL: "result/2" },
    ]) {
      const poller = await fixture.start({
        description: `result URL in ${Object.keys(body).join(", ")}`,
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [{ status: 200, json: body }],
        result: [(c) => ({ status: 200, json: { from: c.request.path } })],
      });
      await poller.wait();
      fetched.push((poller.result() as unknown as { from: string }).from);
    }
    assert.deepEqual(fetched, ["/odata/monitor/result/4", "/odata/monitor/result/3", "/odata/monitor/result/2", "/odata/monitor/result/1"]);
  });

  test("the 202 body's status is replaced by the first poll's, and the 202 body's percentage is kept", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "status-in-202-body");
    assert.equal(poller.status(), "Accepted");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen, [
      { running: true, status: "Running", percent: 5 },
      { running: false, status: "Done", percent: 5 },
    ]);
    assert.deepEqual(recorder.calls, [["Running", 5], ["Done", 5]]);
  });
});

describe("rule 5: 200/201 without a status field", { concurrency: true }, () => {
  test("succeeds with the JSON body as result", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("result-without-status");
    assert.equal(await poller.poll(), false);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
    assert.equal(poller.status(), "Succeeded");
  });

  test("succeeds with a non-JSON body as text", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("result-as-text");
    assert.equal(await poller.poll(), false);
    assert.equal(poller.result(), "ID,rows\n7,1200\n");
  });
});

describe("rule 6: 204 No Content", { concurrency: true }, () => {
  test("with Location (OData 4.02), the result is fetched from there within the same poll()", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "v4.02-no-content-location");
    assert.equal(await poller.poll(), true);
    assert.equal(await poller.poll(), false);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "GET /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/monitor/result/7"]);
    assert.equal(header(fixture.service.requestsOf("result")[0], "accept"), "application/json");
    assert.deepEqual(poller.result(), EXPORT_RESULT);
    assert.equal(poller.status(), "Succeeded");
    assert.deepEqual(recorder.calls, [["Running", -1], ["Succeeded", -1]]);
  });

  test("without Location, succeeds with result undefined", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("no-content");
    assert.equal(await poller.poll(), false);
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Succeeded");
    assert.equal(poller.result(), undefined);
    assert.equal(fixture.service.requestsOf("result").length, 0);
  });
});

describe("rule 7: 303 See Other", { concurrency: true }, () => {
  test("succeeds; the result is fetched with a GET from its Location", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("see-other");
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "GET /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/monitor/result/7"]);
    assert.equal(poller.status(), "Succeeded");
  });

  test("a transient answer of the result URL keeps the poller going until the result arrives", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("result-transient");
    assert.equal(await poller.poll(), true);
    assert.equal(poller.isDone(), false);
    assert.throws(() => poller.result(), (e: unknown) => e instanceof ODataClientError && e.code === "ASYNC_OPERATION_PENDING");
    assert.equal(await poller.poll(), false);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
    // The monitor is not asked again: the operation is known to have succeeded.
    assert.deepEqual(wire(fixture.service.requests.slice(1)), ["GET /odata/monitor/1", "GET /odata/monitor/result/7", "GET /odata/monitor/result/7"]);
  });
});

describe("rule 8: 404 / 410", { concurrency: true }, () => {
  test("404 fails with AsyncOperationFailedError httpStatus 404 (the monitor expired)", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "expired-404");
    assert.equal(await poller.poll(), true);
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.httpStatus, 404);
    assert.equal(error.odataError?.code, "NOT_FOUND");
    assert.equal(error.status, "Failed");
    assert.equal(poller.isDone(), true);
    assert.deepEqual(recorder.calls, [["Running", -1], ["Failed", -1]]);
  });

  test("410 Gone fails with httpStatus 410", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("expired-410");
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.httpStatus, 410);
  });
});

describe("rule 9: transient answers", { concurrency: true }, () => {
  test("503, 429, 500 and a network error each resolve poll() true without changing the poller or calling onProgress", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "transient-burst");
    const seen = await pollToEnd(poller);
    assert.deepEqual(seen.map((s) => [s.running, s.status]), [
      [true, "Running"],
      [true, "Running"],
      [true, "Running"],
      [true, "Running"],
      [false, "Succeeded"],
    ]);
    assert.deepEqual(recorder.calls, [["Succeeded", -1]]);
    assert.equal(fixture.service.requestsOf("monitor").length, 5);
  });

  for (const status of [408, 429, 500, 502, 503, 504]) {
    test(`${status} is transient: poll() resolves true and the next poll goes on`, async (t) => {
      const fixture = await ownAsyncService(t);
      const poller = await fixture.start({
        description: `one ${status}, then the result`,
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [empty(status), { status: 200, json: EXPORT_RESULT }],
      });
      assert.equal(await poller.poll(), true);
      assert.equal(poller.status(), "Running");
      assert.equal(await poller.poll(), false);
      assert.deepEqual(poller.result(), EXPORT_RESULT);
    });
  }

  test("the fifth transient answer in a row rejects poll() with that answer's ODataHttpError", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("transient-forever");
    for (let i = 0; i < 4; i++) assert.equal(await poller.poll(), true);
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 503);
    assert.equal(error.method, "GET");
    assert.equal(error.url, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(error.odataError?.message, "overloaded (answer 5)");
    assert.equal(poller.isDone(), false);
    assert.equal(fixture.service.requestsOf("monitor").length, 5);
  });

  test("the fifth network error in a row rejects with the network error", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("socket-destroyed");
    for (let i = 0; i < 4; i++) assert.equal(await poller.poll(), true);
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "NETWORK_ERROR");
    assert.equal(fixture.service.requestsOf("monitor").length, 5);
  });

  test("a readable answer between transient ones starts the count afresh", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("transient-then-running");
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.equal(fixture.service.requestsOf("monitor").length, 10);
  });
});

describe("rule 10: other 4xx/5xx", { concurrency: true }, () => {
  test("403 rejects with ODataHttpError; the poller stays running and the next poll goes on", async (t) => {
    const fixture = await ownAsyncService(t);
    const { poller, recorder } = await startRecorded(fixture, "forbidden-monitor");
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 403);
    assert.equal(error.odataError?.code, "FORBIDDEN");
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    assert.deepEqual(recorder.calls, []);
    assert.equal(await poller.poll(), false);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
  });

  for (const status of [400, 401, 409, 501]) {
    test(`${status} rejects poll() with ODataHttpError ${status} and leaves the outcome open`, async (t) => {
      const fixture = await ownAsyncService(t);
      const poller = await fixture.start({
        description: `the monitor answers ${status}`,
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [empty(status)],
      });
      const error = await rejectionOf(poller.poll());
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.status, status);
      assert.equal(poller.isDone(), false);
    });
  }

  test("a 403 whose connection drops half-way through its body still rejects with ODataHttpError 403, the part read and the drop as cause", async (t) => {
    const part = '{"error":{"code":"FORBIDDEN","message":"you may';
    const { server, client } = await serveClient(t, (_request, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      // The drop comes once the client has had time to read the part.
      res.write(part, () => setTimeout(() => res.destroy(), 50));
    });
    const poller = client.asyncPoller("monitor/1", FAST);
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 403);
    assert.equal(error.body, part);
    assert.ok(error.cause instanceof TypeError, `cause: ${String(error.cause)}`);
    assert.equal(poller.isDone(), false);
    assert.equal(server.requests.length, 1);
  });

  test("wait() rejects with the ODataHttpError at once, without polling further", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("forbidden-monitor");
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof ODataHttpError);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });
});

describe("rule 11: answers the rules cannot read", { concurrency: true }, () => {
  const unreadable: [ScenarioName, RegExp][] = [
    ["v4.0-envelope-malformed", /application\/http.*status line/],
    ["v4.0-envelope-unterminated", /application\/http.*empty line/],
    ["invalid-json", /not valid JSON/],
    ["v4.01-async-result-bad", /AsyncResult header "abc"/],
    ["see-other-without-location", /303.*Location/],
  ];
  for (const [scenario, message] of unreadable) {
    test(`${scenario}: rejects with ODataClientError ASYNC_BAD_RESPONSE saying what was wrong`, async (t) => {
      const fixture = await ownAsyncService(t);
      const { poller, recorder } = await startRecorded(fixture, scenario);
      const error = await rejectionOf(poller.poll());
      assert.ok(error instanceof ODataClientError, String(error));
      assert.ok(!(error instanceof ODataHttpError));
      assert.equal(error.code, "ASYNC_BAD_RESPONSE");
      assert.match(error.message, message);
      assert.match(error.message, /monitor\/1/);
      assert.equal(poller.isDone(), false);
      assert.deepEqual(recorder.calls, []);
    });
  }
});

test("an unreadable answer breaks a run of transient answers: four more are needed before the fifth rejects", async (t) => {
  const fixture = await ownAsyncService(t);
  const poller = await fixture.start({
    description: "four 503, one broken JSON answer, then 503 forever",
    initial: [{ status: 202, headers: { location: "monitor/1" } }],
    monitor: [
      ...Array.from({ length: 4 }, () => empty(503)),
      { status: 200, headers: { "content-type": "application/json" }, text: "{" },
      empty(503),
    ],
  });
  for (let i = 0; i < 4; i++) assert.equal(await poller.poll(), true);
  const unreadable = await rejectionOf(poller.poll());
  assert.equal((unreadable as ODataClientError).code, "ASYNC_BAD_RESPONSE");
  for (let i = 0; i < 4; i++) assert.equal(await poller.poll(), true, `transient answer ${i + 1} after the unreadable one`);
  const fifth = await rejectionOf(poller.poll());
  assert.ok(fifth instanceof ODataHttpError);
  assert.equal(fixture.service.requestsOf("monitor").length, 10);
});

describe("after the outcome is known", { concurrency: true }, () => {
  test("poll() after success resolves false and sends nothing", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.01-async-result");
    await poller.wait();
    const sent = fixture.service.requests.length;
    assert.equal(await poller.poll(), false);
    assert.equal(await poller.poll(), false);
    assert.equal(fixture.service.requests.length, sent);
  });

  test("poll(), wait() and result() after a failure give the same error object again, without a request", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("graph-failed");
    const first = await rejectionOf(poller.wait());
    assert.ok(first instanceof AsyncOperationFailedError);
    const sent = fixture.service.requests.length;
    assert.equal(await rejectionOf(poller.poll()), first);
    assert.equal(await rejectionOf(poller.wait()), first);
    assert.throws(() => poller.result(), (e: unknown) => e === first);
    assert.equal(fixture.service.requests.length, sent);
  });

  test("result() before success throws ODataClientError ASYNC_OPERATION_PENDING", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes");
    assert.throws(() => poller.result(), (e: unknown) => e instanceof ODataClientError && e.code === "ASYNC_OPERATION_PENDING" && /monitor\/1/.test(e.message));
    await poller.poll();
    assert.throws(() => poller.result(), (e: unknown) => e instanceof ODataClientError && e.code === "ASYNC_OPERATION_PENDING");
  });
});
