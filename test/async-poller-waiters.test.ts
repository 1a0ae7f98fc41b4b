/**
 * Many waits at once: a successful cancel() settles every wait() under way at once (the sleeping
 * ones and the one whose poll is on the wire), and one AbortSignal shared by many waits and polls
 * carries one listener, so Node prints no MaxListenersExceededWarning (issue 11).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { AsyncOperationCancelledError } from "../src/index.js";
import { eventually, ownAsyncService, pause, rejectionOf, wire } from "./async-poller-fixtures.js";
import { empty } from "./servers/async-service.js";

/** Collects the process warnings emitted while `run` runs (and one turn after, when Node emits them). */
async function warningsDuring(run: () => Promise<void>): Promise<Error[]> {
  const warnings: Error[] = [];
  const collect = (warning: Error) => warnings.push(warning);
  process.on("warning", collect);
  try {
    await run();
    await pause(20);
  } finally {
    process.off("warning", collect);
  }
  return warnings;
}

describe("cancel() and the waits under way", { concurrency: true }, () => {
  test("a cancel() that succeeds settles every sleeping wait() at once, long before the poll interval", async (t) => {
    const fixture = await ownAsyncService(t);
    const pollInterval = 30_000;
    const poller = await fixture.start("cancel-200", { pollInterval, maxWait: 600_000 });
    const waits = Array.from({ length: 20 }, () =>
      poller.wait().then(
      () => assert.fail("a cancelled wait resolved"),
      (error: unknown) => ({ error, at: performance.now() }),
    ));
    await pause(20);
    const cancelled = performance.now();
    await poller.cancel();
    const outcomes = await Promise.race([Promise.all(waits), pause(5_000).then(() => assert.fail("the waits still pended 5 s after cancel()"))]);
    const result = rejectionOf(Promise.resolve().then(() => poller.result()));
    for (const { error, at } of outcomes) {
      assert.ok(error instanceof AsyncOperationCancelledError, String(error));
      assert.equal(error, await result, "the waits reject with the poller's one cancellation error");
      assert.ok(at - cancelled < pollInterval / 10, `a wait settled ${Math.round(at - cancelled)} ms after cancel()`);
    }
    // Nothing was polled: the waits were asleep and did not wake for a last poll.
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "DELETE /odata/monitor/1"]);
  });

  test("a wait() whose poll is on the wire when cancel() succeeds settles at once, and the poll is abandoned", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start(
      {
        description: "a monitor that never answers; DELETE answers 200",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [{ status: 0, hang: true }],
        cancel: [empty(200)],
      },
      { pollInterval: 0, maxWait: 600_000 },
    );
    const waiting = rejectionOf(poller.wait());
    await fixture.service.waitForRequests(2);
    await poller.cancel();
    const error = await Promise.race([waiting, pause(5_000).then(() => "still pending")]);
    assert.ok(error instanceof AsyncOperationCancelledError, String(error));
    await eventually(() => fixture.service.requestsOf("monitor")[0]?.abandoned === true, "the service seeing the poll closed");
  });

  test("a refused cancel() (405) leaves the sleeping waits alone", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start(
      { description: "DELETE answers 405", initial: [{ status: 202, headers: { location: "monitor/1" } }], monitor: [empty(202)], cancel: [empty(405)] },
      { pollInterval: 60_000, maxWait: 600_000 },
    );
    const controller = new AbortController();
    const waiting = poller.wait(controller.signal).then(() => "resolved", (error: unknown) => error);
    await rejectionOf(poller.cancel());
    const early = await Promise.race([waiting, pause(50).then(() => "pending")]);
    assert.equal(early, "pending");
    const reason = new Error("done with it");
    controller.abort(reason);
    assert.equal(await waiting, reason);
  });
});

describe("one AbortSignal shared by many waits and polls", { concurrency: true }, () => {
  test("20 pollers waiting on one signal: no MaxListenersExceededWarning, one listener, all reject with its reason", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client();
    const shared = new AbortController();
    const reason = new Error("shutting down");
    let outcomes: unknown[] = [];
    const warnings = await warningsDuring(async () => {
      const waits = Array.from({ length: 20 }, (_, i) =>
        client.asyncPoller(`monitor/${i}`, { pollInterval: 60_000 }).wait(shared.signal).catch((error: unknown) => error),
      );
      await eventually(() => getEventListeners(shared.signal, "abort").length > 0, "the waits listening to the shared signal");
      await pause(20);
      assert.equal(getEventListeners(shared.signal, "abort").length, 1, "listeners on the shared signal while 20 waits sleep");
      shared.abort(reason);
      outcomes = await Promise.all(waits);
    });
    assert.deepEqual(
      warnings.filter((warning) => warning.name === "MaxListenersExceededWarning").map((warning) => warning.message),
      [],
    );
    assert.equal(outcomes.length, 20);
    for (const outcome of outcomes) assert.equal(outcome, reason);
    assert.equal(getEventListeners(shared.signal, "abort").length, 0);
    assert.equal(fixture.service.requests.length, 0, "no poll was due");
  });

  test("20 pollers polling on one signal with their requests on the wire: no warning, and the abort stops every request", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("hanging-monitor");
    const client = fixture.client();
    const shared = new AbortController();
    let outcomes: unknown[] = [];
    const warnings = await warningsDuring(async () => {
      const polls = Array.from({ length: 20 }, (_, i) => client.asyncPoller(`monitor/${i}`).poll(shared.signal).catch((error: unknown) => error));
      await fixture.service.waitForRequests(20);
      assert.equal(getEventListeners(shared.signal, "abort").length, 1, "listeners on the shared signal while 20 polls are on the wire");
      shared.abort();
      outcomes = await Promise.all(polls);
    });
    assert.deepEqual(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning").map((warning) => warning.message), []);
    for (const outcome of outcomes) assert.equal((outcome as Error).name, "AbortError");
    await eventually(() => fixture.service.requests.every((request) => request.abandoned === true), "the service seeing every poll closed");
  });

  test("a wait that ends without an abort takes its listener off the shared signal", async (t) => {
    const fixture = await ownAsyncService(t);
    const shared = new AbortController();
    const poller = await fixture.start("cancel-200", { pollInterval: 60_000, maxWait: 600_000 });
    const waiting = rejectionOf(poller.wait(shared.signal));
    await eventually(() => getEventListeners(shared.signal, "abort").length === 1, "the wait listening to the shared signal");
    await poller.cancel();
    assert.ok((await waiting) instanceof AsyncOperationCancelledError);
    assert.equal(getEventListeners(shared.signal, "abort").length, 0);
  });
});
