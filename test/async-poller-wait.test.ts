/**
 * wait(): the delay before every poll (pollInterval, Retry-After in seconds and as an HTTP-date),
 * the maxWait deadline, transient answers in a row, and aborting poll() and wait() (no request
 * after the abort, no timer left behind). Intervals are a few ms to a second; timings are asserted
 * loosely from the request arrival times the service recorded.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { getEventListeners } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { AsyncOperationError, AsyncOperationTimeoutError, ODataClientError, ODataHttpError } from "../src/index.js";
import { EXPORT_RESULT, FAST, eventually, ownAsyncService, pause, progressRecorder, rejectionOf } from "./async-poller-fixtures.js";
import { empty, odataError, type RecordedRequest } from "./servers/async-service.js";

/** Timer jitter allowed below a requested delay (Node may fire a timer up to ~1 ms early). */
const EARLY = 3;

function gaps(requests: readonly RecordedRequest[]): number[] {
  return requests.slice(1).map((request, i) => request.at - (requests[i] as RecordedRequest).at);
}

function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
}

describe("the delay before each poll", { concurrency: true }, () => {
  test("wait() waits pollInterval before the first poll and between polls", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.0-envelope-crlf", { pollInterval: 40, maxWait: 2_000 });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    const requests = fixture.service.requests;
    assert.equal(requests.length, 4);
    for (const gap of gaps(requests)) {
      assert.ok(gap >= 40 - EARLY, `gap of ${gap.toFixed(1)} ms is shorter than pollInterval`);
      assert.ok(gap < 1_000, `gap of ${gap.toFixed(1)} ms is far longer than pollInterval`);
    }
  });

  test("wait() resolves with the same value result() returns", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("graph-status-resource");
    const waited = await poller.wait();
    assert.equal(waited, poller.result());
  });

  test("onProgress is called after every poll of wait(), the final one included", async (t) => {
    const fixture = await ownAsyncService(t);
    const recorder = progressRecorder();
    const poller = await fixture.start("graph-status-resource", { ...FAST, onProgress: recorder.onProgress });
    recorder.watch(poller);
    await poller.wait();
    assert.deepEqual(recorder.calls, [["notStarted", 0], ["inProgress", 13], ["inProgress", 13], ["succeeded", 100]]);
    assert.deepEqual(recorder.mismatches, []);
  });

  test("Retry-After: 0 (on the initial 202 and on monitor answers) replaces a long pollInterval", async (t) => {
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start("retry-after-zero", { pollInterval: 10_000, maxWait: 20_000 });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.equal(fixture.service.requestsOf("monitor").length, 3);
    assert.ok(performance.now() - started < 3_000, "far less than pollInterval");
  });

  test("Retry-After in seconds: the next poll waits that long, not pollInterval", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-one-second", { pollInterval: 1, maxWait: 5_000 });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    const [first, second] = fixture.service.requestsOf("monitor");
    assert.ok(first && second);
    const gap = second.at - first.at;
    assert.ok(gap >= 1_000 - EARLY, `the second poll came ${gap.toFixed(0)} ms after the first, before Retry-After: 1`);
    assert.ok(gap < 2_500, `the second poll came ${gap.toFixed(0)} ms after the first`);
  });

  test("Retry-After as an HTTP-date: the next poll waits until that date", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-date-next-second", { pollInterval: 1, maxWait: 5_000 });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    const [first, second] = fixture.service.requestsOf("monitor");
    const date = Date.parse(first?.answer?.headers?.["retry-after"] ?? "");
    assert.ok(Number.isFinite(date) && second);
    assert.ok(date - (first?.receivedAt ?? 0) >= 300, "the scenario names a date at least 300 ms ahead");
    assert.ok(second.receivedAt >= date - EARLY, `polled ${date - second.receivedAt} ms before the Retry-After date`);
    assert.ok(second.receivedAt < date + 1_500);
  });

  test("Retry-After as an HTTP-date in the past: polls at once, not after pollInterval", async (t) => {
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start("retry-after-date-past", { pollInterval: 10_000, maxWait: 20_000 });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
    assert.ok(performance.now() - started < 3_000, "far less than pollInterval");
  });

  test("a Retry-After on a 200 that says the operation still runs is honoured", async (t) => {
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start({
      description: "SAP style 200 Running with Retry-After: 0, then Succeeded",
      initial: [{ status: 202, headers: { location: "monitor/1", "retry-after": "0" } }],
      monitor: [{ status: 200, headers: { "retry-after": "0" }, json: { Status: "Running" } }, { status: 200, json: { Status: "Succeeded" } }],
    }, { pollInterval: 10_000, maxWait: 20_000 });
    assert.deepEqual(await poller.wait(), { Status: "Succeeded" });
    assert.ok(performance.now() - started < 3_000, "far less than pollInterval");
  });

  test("only the latest answer's Retry-After counts: an answer without one brings back pollInterval", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "initial 202 with Retry-After: 0, then a bare 202, then the result",
      initial: [{ status: 202, headers: { location: "monitor/1", "retry-after": "0" } }],
      monitor: [empty(202), { status: 200, json: EXPORT_RESULT }],
    }, { pollInterval: 600, maxWait: 5_000 });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    const [post, first, second] = fixture.service.requests;
    assert.ok(post && first && second);
    assert.ok(first.at - post.at < 500, `the first poll came ${(first.at - post.at).toFixed(0)} ms after the 202 with Retry-After: 0`);
    assert.ok(second.at - first.at >= 600 - EARLY, `the second poll came ${(second.at - first.at).toFixed(0)} ms after the first`);
  });

  test("a Retry-After of a transient answer is honoured too", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "429 with Retry-After: 0, then the result",
      initial: [{ status: 202, headers: { location: "monitor/1" } }],
      monitor: [empty(429, { "retry-after": "0" }), { status: 200, json: EXPORT_RESULT }],
    }, { pollInterval: 10_000, maxWait: 20_000 });
    const started = performance.now();
    const first = await poller.poll();
    assert.equal(first, true);
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.ok(performance.now() - started < 3_000, "far less than pollInterval");
  });
});

describe("maxWait", { concurrency: true }, () => {
  test("a Retry-After beyond the deadline: wait() sleeps until the deadline and rejects AsyncOperationTimeoutError without polling", async (t) => {
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start("retry-after-long", { pollInterval: 1, maxWait: 150 });
    const error = await rejectionOf(poller.wait());
    const elapsed = performance.now() - started;
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.ok(error instanceof AsyncOperationError && error instanceof ODataClientError);
    assert.equal(error.name, "AsyncOperationTimeoutError");
    assert.equal(error.code, "ASYNC_OPERATION_TIMEOUT");
    assert.equal(error.maxWait, 150);
    assert.equal(error.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(error.status, "Running");
    assert.equal(error.percentComplete, -1);
    assert.equal(error.cause, undefined);
    assert.ok(elapsed >= 150 - 20 && elapsed < 1_500, `rejected after ${elapsed.toFixed(0)} ms`);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
    assert.equal(poller.isDone(), false);
  });

  test("an HTTP-date Retry-After an hour ahead: one poll, then the timeout at maxWait", async (t) => {
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start("retry-after-date-far", { pollInterval: 1, maxWait: 200 });
    const error = await rejectionOf(poller.wait());
    const elapsed = performance.now() - started;
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
    assert.ok(elapsed >= 200 - 20 && elapsed < 1_500, `rejected after ${elapsed.toFixed(0)} ms`);
  });

  test("wait() never sleeps past the deadline and sends no request after it", async (t) => {
    const fixture = await ownAsyncService(t);
    // One poll at about 500 ms; the next would be due at about 1000 ms, past the 600 ms deadline.
    const poller = await fixture.start("never-finishes", { pollInterval: 500, maxWait: 600 });
    const post = fixture.service.requests[0] as RecordedRequest;
    const error = await rejectionOf(poller.wait());
    const rejectedAfter = performance.now() - post.at;
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
    assert.ok(rejectedAfter >= 600 - 20, `rejected ${rejectedAfter.toFixed(0)} ms after the initial request, before maxWait`);
    assert.ok(rejectedAfter < 950, `rejected ${rejectedAfter.toFixed(0)} ms after the initial request: it slept past maxWait`);
    assert.equal(error.status, "Running");
    assert.equal(error.percentComplete, 0);
    await pause(50);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("a poll still on the wire when maxWait ends is aborted, and wait() rejects with the timeout", async (t) => {
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start("hanging-monitor", { pollInterval: 1, maxWait: 300 });
    const error = await rejectionOf(poller.wait());
    const elapsed = performance.now() - started;
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(error.maxWait, 300);
    assert.ok(elapsed >= 300 - 20 && elapsed < 1_500, `rejected after ${elapsed.toFixed(0)} ms, not at maxWait`);
    const polls = fixture.service.requestsOf("monitor");
    assert.equal(polls.length, 1);
    await eventually(() => polls[0]?.abandoned === true, "the service seeing the poll request closed");
    assert.equal(poller.isDone(), false);
  });

  test("poll() alone is cut at maxWait too", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-monitor", { pollInterval: 1, maxWait: 200 });
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("the timeout error carries the last transient error as cause", async (t) => {
    const fixture = await ownAsyncService(t);
    // Two 503 answers; the second asks for an hour's pause, so the deadline comes during the sleep.
    const poller = await fixture.start(
      {
        description: "503, then 503 with Retry-After: 3600",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [odataError(503, "BUSY", "overloaded (answer 1)"), odataError(503, "BUSY", "overloaded (answer 2)", { "retry-after": "3600" })],
      },
      { pollInterval: 1, maxWait: 1_000 },
    );
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
    assert.ok(error.cause instanceof ODataHttpError);
    assert.equal(error.cause.status, 503);
    assert.equal(error.cause.odataError?.message, "overloaded (answer 2)");
  });

  test("a readable answer after transient ones clears the cause of a later timeout", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start(
      {
        description: "503, then 202 with Retry-After: 3600",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [empty(503), empty(202, { "retry-after": "3600" })],
      },
      { pollInterval: 1, maxWait: 500 },
    );
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
    assert.equal(error.cause, undefined);
  });

  test("poll() after the deadline rejects with AsyncOperationTimeoutError without a request", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 1, maxWait: 30 });
    await pause(50);
    const error = await rejectionOf(poller.poll());
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(error.maxWait, 30);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
    assert.equal(poller.isDone(), false);
  });

  test("maxWait is measured from the initial answer, not from the call to wait()", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-long", { pollInterval: 1, maxWait: 1_000 });
    await pause(500);
    const started = performance.now();
    const error = await rejectionOf(poller.wait());
    const elapsed = performance.now() - started;
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.ok(elapsed < 900, `wait() took ${elapsed.toFixed(0)} ms; only about 500 ms of maxWait were left`);
  });
});

describe("transient answers in a row", { concurrency: true }, () => {
  test("wait() rejects with the fifth transient answer's ODataHttpError", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("transient-forever");
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 503);
    assert.equal(error.odataError?.message, "overloaded (answer 5)");
    assert.equal(fixture.service.requestsOf("monitor").length, 5);
  });

  test("wait() treats network errors (a destroyed socket) as transient and rejects with the fifth", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("socket-destroyed");
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "NETWORK_ERROR");
    assert.equal(fixture.service.requestsOf("monitor").length, 5);
  });

  test("wait() rides out a burst of 503, 429, 500 and a network error", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("transient-burst");
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.equal(fixture.service.requestsOf("monitor").length, 5);
  });

  test("a poll request that hits the client's timeout counts as transient", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("hanging-monitor");
    const poller = fixture.client({ timeout: 100 }).asyncPoller("monitor/1", FAST);
    assert.equal(await poller.poll(), true);
    assert.equal(poller.isDone(), false);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });
});

describe("abort", { concurrency: true }, () => {
  test("aborting wait() during its sleep rejects at once with signal.reason, and nothing is sent after", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 60_000, maxWait: 600_000 });
    const controller = new AbortController();
    const reason = new Error("stop waiting");
    const waiting = poller.wait(controller.signal);
    await pause(20);
    const abortedAt = performance.now();
    controller.abort(reason);
    assert.equal(await rejectionOf(waiting), reason);
    assert.ok(performance.now() - abortedAt < 1_000);
    await pause(30);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
    assert.equal(poller.isDone(), false);
  });

  test("aborting without a reason rejects with a DOMException named AbortError", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 60_000 });
    const controller = new AbortController();
    const waiting = poller.wait(controller.signal);
    controller.abort();
    const error = await rejectionOf(waiting);
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "AbortError");
  });

  test("aborting poll() stops the request in flight and rejects with signal.reason", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-monitor");
    const controller = new AbortController();
    const reason = new Error("enough");
    const polling = poller.poll(controller.signal);
    await fixture.service.waitForRequests(2);
    const [poll] = fixture.service.requestsOf("monitor");
    assert.equal(poll?.abandoned, undefined);
    controller.abort(reason);
    assert.equal(await rejectionOf(polling), reason);
    await eventually(() => poll?.abandoned === true, "the service seeing the poll request closed");
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    await pause(30);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("aborting wait() while its poll is in flight rejects with signal.reason and sends nothing more", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-monitor", { pollInterval: 1, maxWait: 5_000 });
    const controller = new AbortController();
    const reason = new Error("enough");
    const waiting = poller.wait(controller.signal);
    await fixture.service.waitForRequests(2);
    controller.abort(reason);
    assert.equal(await rejectionOf(waiting), reason);
    await eventually(() => fixture.service.requestsOf("monitor")[0]?.abandoned === true, "the service seeing the poll request closed");
    await pause(30);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("aborting a wait() that joined another caller's poll in flight rejects it at once; the other poll goes on", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-monitor", FAST, fixture.client({ timeout: 1_500 }));
    const plain = poller.poll();
    await fixture.service.waitForRequests(2);
    const controller = new AbortController();
    const reason = new Error("only this waiter gives up");
    const waiting = poller.wait(controller.signal);
    await pause(20);
    const abortedAt = performance.now();
    controller.abort(reason);
    assert.equal(await rejectionOf(waiting), reason);
    assert.ok(performance.now() - abortedAt < 1_000, "wait() rejected only when the shared request ended");
    assert.equal(await plain, true, "the other caller's poll ends by the client's timeout (transient)");
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("a wait() adds one listener to the caller's signal for its whole duration, however many polls it makes", async (t) => {
    const fixture = await ownAsyncService(t);
    const shared = new AbortController();
    let added = 0;
    const add = shared.signal.addEventListener.bind(shared.signal);
    shared.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added += 1;
      add(...args);
    }) as typeof add;
    const poller = await fixture.start("never-finishes", { pollInterval: 2, maxWait: 5_000 });
    const waiting = poller.wait(shared.signal).catch((error: unknown) => error);
    await eventually(() => fixture.service.requests.length >= 6, "six requests");
    assert.equal(added, 1, `listeners added to the caller's signal during ${fixture.service.requests.length - 1} polls`);
    shared.abort(new Error("shutdown"));
    assert.equal(((await waiting) as Error).message, "shutdown");
    assert.equal(getEventListeners(shared.signal, "abort").length, 0);
  });

  test("an already aborted signal makes poll() and wait() reject without a request", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes");
    const reason = new Error("aborted before");
    const signal = AbortSignal.abort(reason);
    assert.equal(await rejectionOf(poller.poll(signal)), reason);
    assert.equal(await rejectionOf(poller.wait(signal)), reason);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
  });
});

// These tests look at the whole process (its active timers, a child's exit): they run alone.
describe("nothing is left behind", () => {
  test("poll() callers sharing a request each reject with their own reason; the request stops when the last one aborts", async (t) => {
    const fixture = await ownAsyncService(t);
    const before = activeTimeouts();
    const poller = await fixture.start("hanging-monitor");
    const first = new AbortController();
    const second = new AbortController();
    const firstPoll = poller.poll(first.signal);
    await fixture.service.waitForRequests(2);
    const secondPoll = poller.poll(second.signal);
    const firstReason = new Error("first");
    first.abort(firstReason);
    assert.equal(await rejectionOf(firstPoll), firstReason);
    await pause(20);
    assert.equal(fixture.service.requestsOf("monitor")[0]?.abandoned, undefined, "the request goes on for the second caller");
    const stillPending = await Promise.race([secondPoll.then(() => "settled", () => "settled"), pause(50).then(() => "pending")]);
    assert.equal(stillPending, "pending");
    assert.ok(activeTimeouts() > before, "the shared request is still on the wire");
    const secondReason = new Error("second");
    second.abort(secondReason);
    assert.equal(await rejectionOf(secondPoll), secondReason);
    await eventually(() => fixture.service.requestsOf("monitor")[0]?.abandoned === true, "the service seeing the shared request closed");
    assert.equal(activeTimeouts(), before, "the request (and its timeout timer) ended with the last caller");
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("no timer is left behind after aborting a sleeping or an in-flight wait()", async (t) => {
    const fixture = await ownAsyncService(t);
    const before = activeTimeouts();
    const sleeping = await fixture.start("never-finishes", { pollInterval: 60_000, maxWait: 600_000 });
    const controller = new AbortController();
    const waiting = sleeping.wait(controller.signal);
    await pause(10);
    assert.equal(activeTimeouts(), before + 1, "the sleep before the first poll is one timer");
    controller.abort();
    await rejectionOf(waiting);
    assert.equal(activeTimeouts(), before);

    const inFlight = await fixture.start("hanging-monitor", { pollInterval: 0, maxWait: 600_000 });
    const second = new AbortController();
    const polling = inFlight.wait(second.signal);
    await fixture.service.waitForRequests(2);
    assert.ok(activeTimeouts() > before, "the request timeout of the poll in flight is a timer");
    second.abort();
    await rejectionOf(polling);
    assert.equal(activeTimeouts(), before);
  });

  test("a process whose waiting pollers are aborted exits at once", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario({
      description: "a monitor that never answers (hang) and one that runs forever",
      monitor: [(c) => (c.request.path.includes("hang") ? { status: 0, hang: true } : empty(202))],
    });
    const directory = await mkdtemp(join(tmpdir(), "traverse-odata-poller-"));
    const script = join(directory, "abort-child.mts");
    await writeFile(
      script,
      `import { ODataClient } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
const client = new ODataClient({ serviceUrl: process.argv[2] });
const sleeping = client.asyncPoller("monitor/sleep", { pollInterval: 60_000, maxWait: 600_000 });
const inFlight = client.asyncPoller("monitor/hang", { pollInterval: 0, maxWait: 600_000 });
const controller = new AbortController();
const outcomes = Promise.allSettled([sleeping.wait(controller.signal), inFlight.wait(controller.signal)]);
setTimeout(() => {
  controller.abort();
  console.log("aborted");
}, 300);
const settled = await outcomes;
console.log(JSON.stringify(settled.map((s) => (s.status === "rejected" ? s.reason.name : "fulfilled"))));
`,
    );
    try {
      const child = spawn(process.execPath, ["--import", "tsx", script, fixture.service.serviceUrl], { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let abortedAt: number | undefined;
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (abortedAt === undefined && stdout.includes("aborted")) abortedAt = performance.now();
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const killer = setTimeout(() => child.kill(), 20_000);
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      clearTimeout(killer);
      const exitedAt = performance.now();
      assert.equal(code, 0, stderr);
      assert.deepEqual(stdout.trim().split("\n"), ["aborted", JSON.stringify(["AbortError", "AbortError"])]);
      assert.ok(abortedAt !== undefined);
      assert.ok(exitedAt - abortedAt < 3_000, `the child exited ${(exitedAt - abortedAt).toFixed(0)} ms after the abort`);
      assert.deepEqual(
        fixture.service.requests.map((r) => r.path),
        ["/odata/monitor/hang"],
        "the sleeping poller never polled; the hanging one polled once",
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
