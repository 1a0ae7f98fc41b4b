/**
 * wait(): the delay before every poll (pollInterval, Retry-After in seconds and as an HTTP-date),
 * the maxWait deadline, the defaults of both, transient answers in a row, and aborting poll() and
 * wait() (no request after the abort, no timer left behind).
 *
 * Most waits run on fake time (test/fake-time.ts): the test lets each sleep of the poller pass at
 * once and asserts its length exactly, and the service records request times on the same clock.
 * A few tests keep real intervals of some ms, asserted loosely, as end-to-end checks of the real
 * timers. Tests on fake time do not run concurrently with others in this file (the mock is
 * process-wide).
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
import { EXPORT_REQUEST, EXPORT_RESULT, FAST, afterRequests, eventually, ownAsyncService, pause, progressRecorder, rejectionOf, wire } from "./async-poller-fixtures.js";
import { useFakeTime } from "./fake-time.js";
import { empty, odataError, type RecordedRequest } from "./servers/async-service.js";

/** Timer jitter allowed below a requested delay (Node may fire a timer up to ~1 ms early). */
const EARLY = 3;

function gaps(requests: readonly RecordedRequest[]): number[] {
  return requests.slice(1).map((request, i) => request.at - (requests[i] as RecordedRequest).at);
}

function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
}

/** The gaps between the requests' arrival on the fake clock. */
function fakeGaps(requests: readonly RecordedRequest[]): number[] {
  return requests.slice(1).map((request, i) => request.receivedAt - (requests[i] as RecordedRequest).receivedAt);
}

describe("the delay before each poll", () => {
  test("wait() waits pollInterval before the first poll and between polls (real time)", async (t) => {
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

  test("wait() waits pollInterval before the first poll and between polls", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.0-envelope-crlf", { pollInterval: 40, maxWait: 2_000 });
    const waiting = poller.wait();
    for (let sleep = 0; sleep < 3; sleep++) assert.equal(await time.skip(40), 40);
    assert.deepEqual(await time.within(waiting), EXPORT_RESULT);
    assert.deepEqual(fakeGaps(fixture.service.requests), [40, 40, 40]);
  });

  test("Retry-After: 0 (on the initial 202 and on monitor answers) replaces a long pollInterval", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-zero", { pollInterval: 10_000, maxWait: 20_000 });
    // No sleep at all: the clock never moves, and nothing waits for it to.
    assert.deepEqual(await time.within(poller.wait()), EXPORT_RESULT);
    assert.equal(fixture.service.requestsOf("monitor").length, 3);
    assert.deepEqual(fakeGaps(fixture.service.requests), [0, 0, 0]);
  });

  test("Retry-After in seconds: the next poll waits that long, not pollInterval", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-one-second", { pollInterval: 7, maxWait: 5_000 });
    const waiting = poller.wait();
    assert.equal(await time.skip(7), 7, "the first poll after pollInterval");
    assert.equal(await time.skip(1_000), 1_000, "the second after Retry-After: 1");
    assert.deepEqual(await time.within(waiting), EXPORT_RESULT);
    const [first, second] = fixture.service.requestsOf("monitor");
    assert.ok(first && second);
    assert.equal(second.receivedAt - first.receivedAt, 1_000);
  });

  test("Retry-After as an HTTP-date: the next poll waits until that date", async (t) => {
    // The first poll is answered at 12:00:00.250; the scenario names the next whole second at
    // least 300 ms ahead, 12:00:01, so the poller sleeps 750 ms.
    const time = useFakeTime(t, Date.UTC(2030, 0, 1, 12, 0, 0, 249));
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-date-next-second", { pollInterval: 1, maxWait: 5_000 });
    const waiting = poller.wait();
    assert.equal(await time.skip(1), 1);
    assert.equal(await time.skip(750), 750);
    assert.deepEqual(await time.within(waiting), EXPORT_RESULT);
    const [first, second] = fixture.service.requestsOf("monitor");
    assert.equal(first?.answer?.headers?.["retry-after"], "Tue, 01 Jan 2030 12:00:01 GMT");
    assert.equal(second?.receivedAt, Date.UTC(2030, 0, 1, 12, 0, 1));
  });

  test("Retry-After as an HTTP-date in the past: polls at once, not after pollInterval", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-date-past", { pollInterval: 10_000, maxWait: 20_000 });
    assert.deepEqual(await time.within(poller.wait()), EXPORT_RESULT);
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
    assert.deepEqual(fakeGaps(fixture.service.requests), [0, 0]);
  });

  test("Retry-After: 0 on the initial answer and on monitor answers needs no real time either", async (t) => {
    // End to end on the real clock: the same scenario as above, far from pollInterval.
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start("retry-after-zero", { pollInterval: 10_000, maxWait: 20_000 });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.ok(performance.now() - started < 5_000, "far less than pollInterval");
  });

  test("a Retry-After on a 200 that says the operation still runs is honoured", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "SAP style 200 Running with Retry-After: 0, then Succeeded",
      initial: [{ status: 202, headers: { location: "monitor/1", "retry-after": "0" } }],
      monitor: [{ status: 200, headers: { "retry-after": "0" }, json: { Status: "Running" } }, { status: 200, json: { Status: "Succeeded" } }],
    }, { pollInterval: 10_000, maxWait: 20_000 });
    assert.deepEqual(await time.within(poller.wait()), { Status: "Succeeded" });
    assert.deepEqual(fakeGaps(fixture.service.requests), [0, 0]);
  });

  test("only the latest answer's Retry-After counts: an answer without one brings back pollInterval", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "initial 202 with Retry-After: 0, then a bare 202, then the result",
      initial: [{ status: 202, headers: { location: "monitor/1", "retry-after": "0" } }],
      monitor: [empty(202), { status: 200, json: EXPORT_RESULT }],
    }, { pollInterval: 600, maxWait: 5_000 });
    const waiting = poller.wait();
    assert.equal(await time.skip(600), 600);
    assert.deepEqual(await time.within(waiting), EXPORT_RESULT);
    // The first poll right after the 202 with Retry-After: 0, the second pollInterval later.
    assert.deepEqual(fakeGaps(fixture.service.requests), [0, 600]);
  });

  test("a Retry-After of a transient answer is honoured too", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "429 with Retry-After: 0, then the result",
      initial: [{ status: 202, headers: { location: "monitor/1" } }],
      monitor: [empty(429, { "retry-after": "0" }), { status: 200, json: EXPORT_RESULT }],
    }, { pollInterval: 10_000, maxWait: 20_000 });
    const first = await time.within(poller.poll());
    assert.equal(first, true);
    assert.deepEqual(await time.within(poller.wait()), EXPORT_RESULT);
    assert.deepEqual(fakeGaps(fixture.service.requests), [0, 0]);
  });
});

describe("the latest answer decides the next wait", () => {
  test("an error answer (rule 10) without Retry-After after a 429 that asked for an hour: wait() sleeps pollInterval, not the hour", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start(
      {
        description: "429 with Retry-After: 3600, then 403, then the result",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [empty(429, { "retry-after": "3600" }), odataError(403, "DENIED", "not now"), { status: 200, json: EXPORT_RESULT }],
      },
      { pollInterval: 50, maxWait: 10_000_000 },
    );
    assert.equal(await time.within(poller.poll()), true, "the 429 is transient");
    const refused = await time.within(rejectionOf(poller.poll()));
    assert.ok(refused instanceof ODataHttpError && refused.status === 403, String(refused));
    const waiting = poller.wait();
    assert.equal(await time.skip(), 50, "the 403 named no Retry-After: pollInterval");
    assert.deepEqual(await time.within(waiting), EXPORT_RESULT);
    assert.equal(fixture.service.requestsOf("monitor").length, 3);
  });

  test("an error answer (rule 10) ends a run of transient answers: a later timeout has no cause", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start(
      {
        description: "503, then 403",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [odataError(503, "BUSY", "overloaded"), odataError(403, "DENIED", "not now")],
      },
      { pollInterval: 1, maxWait: 100 },
    );
    assert.equal(await time.within(poller.poll()), true);
    await time.within(rejectionOf(poller.poll()));
    time.tick(100);
    const error = await time.within(rejectionOf(poller.poll()));
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(error.cause, undefined, "the 503 before the 403 is no cause of this timeout");
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
  });
});

describe("maxWait", () => {
  test("a Retry-After beyond the deadline: wait() sleeps until the deadline and rejects AsyncOperationTimeoutError without polling", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-long", { pollInterval: 1, maxWait: 150 });
    const started = time.now();
    const rejected = rejectionOf(poller.wait());
    assert.equal(await time.skip(), 150, "one sleep, to the deadline");
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.ok(error instanceof AsyncOperationError && error instanceof ODataClientError);
    assert.equal(error.name, "AsyncOperationTimeoutError");
    assert.equal(error.code, "ASYNC_OPERATION_TIMEOUT");
    assert.equal(error.maxWait, 150);
    assert.equal(error.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(error.status, "Running");
    assert.equal(error.percentComplete, -1);
    assert.equal(error.cause, undefined);
    assert.equal(time.now() - started, 150);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
    assert.equal(poller.isDone(), false);
    assert.deepEqual(time.pending(), []);
  });

  test("an HTTP-date Retry-After an hour ahead: one poll, then the timeout at maxWait", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-date-far", { pollInterval: 1, maxWait: 200 });
    const started = time.now();
    const rejected = rejectionOf(poller.wait());
    assert.equal(await time.skip(1), 1, "pollInterval before the first poll");
    assert.equal(await time.skip(199, await afterRequests(fixture, time, 2)), 199, "then the rest of maxWait");
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
    assert.equal(time.now() - started, 200);
  });

  test("wait() never sleeps past the deadline and sends no request after it", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    // One poll at 500 ms; the next would be due at 1000 ms, past the 600 ms deadline.
    const poller = await fixture.start("never-finishes", { pollInterval: 500, maxWait: 600 });
    const post = fixture.service.requests[0] as RecordedRequest;
    const rejected = rejectionOf(poller.wait());
    assert.equal(await time.skip(500), 500);
    assert.equal(await time.skip(100, await afterRequests(fixture, time, 2)), 100, "the sleep ends at the deadline, not at the next poll");
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(time.now() - post.receivedAt, 600);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
    assert.equal(error.status, "Running");
    assert.equal(error.percentComplete, 0);
    assert.deepEqual(time.pending(), [], "no timer is left to send a request later");
    await pause(20);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("a poll still on the wire when maxWait ends is aborted, and wait() rejects with the timeout", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-monitor", { pollInterval: 1, maxWait: 300 });
    const started = time.now();
    const rejected = rejectionOf(poller.wait());
    assert.equal(await time.skip(1), 1);
    await fixture.service.waitForRequests(2);
    // Pending now: the request's own timeout (30 s) and the deadline, 299 ms ahead.
    assert.equal(await time.skip(299), 299);
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(error.maxWait, 300);
    assert.equal(time.now() - started, 300);
    const polls = fixture.service.requestsOf("monitor");
    assert.equal(polls.length, 1);
    await eventually(() => polls[0]?.abandoned === true, "the service seeing the poll request closed");
    assert.equal(poller.isDone(), false);
  });

  test("poll() alone is cut at maxWait too", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-monitor", { pollInterval: 1, maxWait: 200 });
    const rejected = rejectionOf(poller.poll());
    await fixture.service.waitForRequests(2);
    assert.equal(await time.skip(200), 200);
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("the timeout error carries the last transient error as cause", async (t) => {
    const time = useFakeTime(t);
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
    const rejected = rejectionOf(poller.wait());
    assert.equal(await time.skip(1), 1, "pollInterval before the first poll");
    assert.equal(await time.skip(1, await afterRequests(fixture, time, 2)), 1, "and after the first 503, which names no Retry-After");
    assert.equal(await time.skip(998, await afterRequests(fixture, time, 3)), 998, "the second names an hour: the sleep ends at the deadline");
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
    assert.ok(error.cause instanceof ODataHttpError);
    assert.equal(error.cause.status, 503);
    assert.equal(error.cause.odataError?.message, "overloaded (answer 2)");
  });

  test("a readable answer after transient ones clears the cause of a later timeout", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start(
      {
        description: "503, then 202 with Retry-After: 3600",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [empty(503), empty(202, { "retry-after": "3600" })],
      },
      { pollInterval: 1, maxWait: 500 },
    );
    const rejected = rejectionOf(poller.wait());
    assert.equal(await time.skip(1), 1);
    assert.equal(await time.skip(1, await afterRequests(fixture, time, 2)), 1);
    assert.equal(await time.skip(498, await afterRequests(fixture, time, 3)), 498);
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(fixture.service.requestsOf("monitor").length, 2);
    assert.equal(error.cause, undefined);
  });

  test("poll() after the deadline rejects with AsyncOperationTimeoutError without a request", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 1, maxWait: 30 });
    time.tick(30);
    const error = await time.within(rejectionOf(poller.poll()));
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(error.maxWait, 30);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
    assert.equal(poller.isDone(), false);
  });

  test("a poller still before its deadline polls (the control of the test above)", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 1, maxWait: 30 });
    time.tick(29);
    assert.equal(await time.within(poller.poll()), true);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });

  test("maxWait is measured from the initial answer, not from the call to wait()", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-long", { pollInterval: 1, maxWait: 1_000 });
    time.tick(400);
    const rejected = rejectionOf(poller.wait());
    assert.equal(await time.skip(), 600, "wait() sleeps only what is left of maxWait");
    assert.ok((await time.within(rejected)) instanceof AsyncOperationTimeoutError);
  });

  test("maxWait on the real clock: a Retry-After beyond it ends wait() at the deadline", async (t) => {
    // End to end with real timers: the fake-time tests above assert the exact schedule.
    const fixture = await ownAsyncService(t);
    const started = performance.now();
    const poller = await fixture.start("retry-after-long", { pollInterval: 1, maxWait: 100 });
    // Not the hour the service asks for: a wait still pending after 5 s fails the test instead of hanging it.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const tooLate = new Promise<"too late">((resolve) => (guard = setTimeout(() => resolve("too late"), 5_000)));
    const error = await Promise.race([rejectionOf(poller.wait()), tooLate]);
    clearTimeout(guard);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.ok(elapsed >= 100 - 20, `rejected after ${elapsed.toFixed(0)} ms`);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
  });
});

// Every other test names pollInterval and maxWait (FAST and fixture.start() too), so a changed
// default would go unnoticed there; these two start their pollers with createAsync directly.
describe("the defaults (spec: pollInterval 2_000, maxWait 600_000)", () => {
  const BARE_202_FOREVER = {
    description: "the monitor answers a bare 202 forever: no Retry-After, so only pollInterval sets the pace",
    initial: [{ status: 202, headers: { location: "monitor/1" } }],
    monitor: [empty(202)],
  };

  test("without pollInterval, polls are 2000 ms apart: no second poll 1999 ms after the first", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    fixture.service.scenario(BARE_202_FOREVER);
    // No options argument at all: resolvePollerOptions takes its own branch for that.
    const poller = await fixture.client().collection("Jobs").createAsync(EXPORT_REQUEST);
    // The service's scenario never ends the operation: the test stops the wait, also when it fails.
    const controller = new AbortController();
    t.after(() => controller.abort());
    const waiting = rejectionOf(poller.wait(controller.signal));
    assert.equal(await time.skip(), 2_000, "the sleep before the first poll");
    // The sleep must be set before the clock moves, or it would start from the moved clock. A
    // shorter one is waited for too, so that it fires in the tick below and shows on the wire.
    const { setAfter } = await afterRequests(fixture, time, 2);
    await time.nextTimer((delay) => delay <= 2_000, { setAfter });
    time.tick(1_999);
    await pause(30);
    assert.equal(fixture.service.requestsOf("monitor").length, 1, "a second poll 1999 ms after the first");
    time.tick(1);
    await time.within(fixture.service.waitForRequests(3));
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "GET /odata/monitor/1", "GET /odata/monitor/1"]);
    assert.deepEqual(fakeGaps(fixture.service.requests), [2_000, 2_000]);
    controller.abort();
    await waiting;
  });

  test("without maxWait, wait() polls until 600000 ms after the initial answer and then rejects with AsyncOperationTimeoutError", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    fixture.service.scenario(BARE_202_FOREVER);
    // An options object that names neither option: the other way to the defaults.
    const poller = await fixture.client().collection("Jobs").createAsync(EXPORT_REQUEST, {});
    const post = fixture.service.requests[0] as RecordedRequest;
    let settled = false;
    const rejected = rejectionOf(poller.wait()).finally(() => (settled = true));
    assert.equal(await time.skip(), 2_000, "the sleep before the first poll");
    // With a shorter maxWait the polls stop early: waiting for the next one would wait forever.
    const afterPoll = (polls: number) =>
      time.within(Promise.race([afterRequests(fixture, time, 1 + polls), rejected.then((error) => assert.fail(`wait() ended before poll ${polls}, ${time.now() - post.receivedAt} ms after the initial answer: ${String(error)}`))]));
    // Polls at 2 000, 4 000 ... 598 000 ms; the next would be due at the deadline itself.
    for (let polls = 1; polls < 299; polls++) {
      assert.equal(await time.skip(2_000, await afterPoll(polls)), 2_000, `the sleep after poll ${polls}`);
    }
    // After the 299th poll, the sleep to the deadline; the 299th poll's own deadline timer is as
    // long, and was set before the service saw it.
    const { setAfter } = await afterPoll(299);
    await time.nextTimer(2_000, { setAfter });
    time.tick(1_999);
    await pause(30);
    assert.equal(settled, false, "wait() settled 1 ms before the deadline");
    time.tick(1);
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(error.code, "ASYNC_OPERATION_TIMEOUT");
    assert.equal(error.maxWait, 600_000);
    assert.equal(time.now() - post.receivedAt, 600_000);
    const polls = fixture.service.requestsOf("monitor");
    assert.equal(polls.length, 299, "no poll at or after the deadline");
    assert.deepEqual([...new Set(wire(polls))], ["GET /odata/monitor/1"]);
    assert.deepEqual([...new Set(fakeGaps(fixture.service.requests))], [2_000]);
    assert.equal((polls.at(-1) as RecordedRequest).receivedAt - post.receivedAt, 598_000);
    assert.deepEqual(time.pending(), [], "no timer is left to send a request later");
  });
});

describe("transient answers in a row", () => {
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
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("hanging-monitor");
    const poller = fixture.client({ timeout: 100 }).asyncPoller("monitor/1", FAST);
    const polling = poller.poll();
    await fixture.service.waitForRequests(1);
    assert.equal(await time.skip(100), 100);
    assert.equal(await time.within(polling), true);
    assert.equal(poller.isDone(), false);
    assert.equal(fixture.service.requestsOf("monitor").length, 1);
  });
});

describe("abort", () => {
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
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-monitor", FAST, fixture.client({ timeout: 1_500 }));
    const plain = poller.poll();
    await fixture.service.waitForRequests(2);
    const controller = new AbortController();
    const reason = new Error("only this waiter gives up");
    const waiting = poller.wait(controller.signal);
    await pause(20);
    controller.abort(reason);
    // Rejected without the clock moving: not when the shared request ends at the client's timeout.
    assert.equal(await time.within(rejectionOf(waiting)), reason);
    assert.equal(await time.skip(1_500), 1_500);
    assert.equal(await time.within(plain), true, "the other caller's poll ends by the client's timeout (transient)");
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
// Aborted when the test has seen the hanging poll arrive (a timer of 300 ms here fired before it
// was sent, with six test files at once); stdin then ends, and holds nothing open.
process.stdin.once("data", () => {
  controller.abort();
  console.log("aborted");
});
const settled = await outcomes;
console.log(JSON.stringify(settled.map((s) => (s.status === "rejected" ? s.reason.name : "fulfilled"))));
`,
    );
    try {
      const child = spawn(process.execPath, ["--import", "tsx", script, fixture.service.serviceUrl], { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let abortedAt: number | undefined;
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (abortedAt === undefined && stdout.includes("aborted")) abortedAt = performance.now();
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const killer = setTimeout(() => child.kill(), 20_000);
      const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
      // A child that fails before it polls ends the wait too (and the asserts below say why).
      await Promise.race([fixture.service.waitForRequests(1), closed]);
      child.stdin.on("error", () => undefined).end("abort\n");
      const code = await closed;
      clearTimeout(killer);
      const exitedAt = performance.now();
      assert.equal(code, 0, stderr);
      assert.deepEqual(stdout.trim().split("\n"), ["aborted", JSON.stringify(["AbortError", "AbortError"])]);
      assert.ok(abortedAt !== undefined);
      // Left open, the sleep (60 s), the deadline (600 s) or the hanging poll would keep the child
      // until it is killed at 20 s; 10 s leaves room for a loaded machine.
      assert.ok(exitedAt - abortedAt < 10_000, `the child exited ${(exitedAt - abortedAt).toFixed(0)} ms after the abort`);
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
