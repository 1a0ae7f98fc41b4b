/**
 * cancel() (DELETE on the status monitor: 200/204/202/405), toJSON() and resumeAsync() in a new
 * client (spec/async-poller.md, "Cancel, resume, safety").
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AsyncOperationCancelledError,
  AsyncOperationError,
  AsyncOperationFailedError,
  AsyncOperationTimeoutError,
  ODataClientError,
  ODataHttpError,
  type AsyncPollerToken,
} from "../src/index.js";
import { EXPORT_RESULT, FAST, afterRequests, eventually, header, ownAsyncService, pause, progressRecorder, rejectionOf, wire, type ExportResult } from "./async-poller-fixtures.js";
import { useFakeTime } from "./fake-time.js";
import { empty, odataError } from "./servers/async-service.js";
import { serveClient } from "./servers/recording-server.js";
import type { ServerResponse } from "node:http";

/** Whether a value is made of JSON values only (no functions, class instances, undefined, NaN). */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value === "object") {
    const prototype = Object.getPrototypeOf(value) as unknown;
    return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isPlainJson);
  }
  return false;
}

/** A token as another process would read it: through JSON text. */
function throughJson(token: AsyncPollerToken): AsyncPollerToken {
  return JSON.parse(JSON.stringify(token)) as AsyncPollerToken;
}

describe("cancel()", { concurrency: true }, () => {
  test("DELETE answered 200 cancels: isDone(), status Cancelled, and wait()/poll()/result() give one AsyncOperationCancelledError", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("cancel-200");
    assert.equal(await poller.poll(), true);
    await poller.cancel();
    const [, , cancel] = fixture.service.requests;
    assert.equal(cancel?.method, "DELETE");
    assert.equal(cancel?.url, poller.statusUrl);
    assert.equal(header(cancel, "accept"), "application/json");
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Cancelled");
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationCancelledError);
    assert.ok(error instanceof AsyncOperationError && error instanceof ODataClientError);
    assert.equal(error.code, "ASYNC_OPERATION_CANCELLED");
    assert.equal(error.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(error.status, "Cancelled");
    assert.equal(await rejectionOf(poller.poll()), error);
    assert.throws(() => poller.result(), (e: unknown) => e === error);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "GET /odata/monitor/1", "DELETE /odata/monitor/1"]);
  });

  test("DELETE answered 204 cancels the same way", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("cancel-204");
    await poller.cancel();
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Cancelled");
    assert.ok((await rejectionOf(poller.poll())) instanceof AsyncOperationCancelledError);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "DELETE /odata/monitor/1"]);
  });

  test("DELETE answered 202: the poller keeps polling and a later 404 counts as cancelled", async (t) => {
    const fixture = await ownAsyncService(t);
    const recorder = progressRecorder();
    const poller = await fixture.start("cancel-202", { ...FAST, onProgress: recorder.onProgress });
    recorder.watch(poller);
    await poller.cancel();
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationCancelledError, String(error));
    assert.equal(poller.status(), "Cancelled");
    assert.equal(poller.isDone(), true);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "DELETE /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/monitor/1"]);
    assert.deepEqual(recorder.calls, [["Running", -1], ["Cancelled", -1]]);
  });

  test("DELETE answered 202 with a Location: polling goes on at the operation's own monitor", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "DELETE 202 naming a monitor of the cancellation",
      initial: [{ status: 202, headers: { location: "monitor/1" } }],
      monitor: [(c) => (c.request.path.includes("cancellation") ? { status: 200, json: { cancelled: true } } : empty(404))],
      cancel: [{ status: 202, headers: { location: "monitor/cancellation/1" } }],
    });
    await poller.cancel();
    assert.equal(poller.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.ok((await rejectionOf(poller.wait())) instanceof AsyncOperationCancelledError);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "DELETE /odata/monitor/1", "GET /odata/monitor/1"]);
  });

  test("DELETE answered 405 rejects with ODataHttpError and leaves the poller as it was", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("cancel-405");
    assert.equal(await poller.poll(), true);
    const before = { statusUrl: poller.statusUrl, status: poller.status(), percent: poller.percentComplete() };
    const error = await rejectionOf(poller.cancel());
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 405);
    assert.equal(error.method, "DELETE");
    assert.equal(error.url, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(error.odataError?.code, "NOT_CANCELABLE");
    assert.equal(poller.isDone(), false);
    assert.deepEqual({ statusUrl: poller.statusUrl, status: poller.status(), percent: poller.percentComplete() }, before);
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
  });

  test("after a refused cancel(), a 404 of the monitor is a failure, not a cancellation", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "DELETE 405, then the monitor expires",
      initial: [{ status: 202, headers: { location: "monitor/1" } }],
      monitor: [empty(404)],
      cancel: [empty(405)],
    });
    await rejectionOf(poller.cancel());
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.httpStatus, 404);
  });

  test("aborting cancel() stops the DELETE in flight, rejects with signal.reason and leaves the poller running", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("hanging-cancel");
    const controller = new AbortController();
    const reason = new Error("never mind");
    const cancelling = poller.cancel(controller.signal);
    await fixture.service.waitForRequests(2);
    controller.abort(reason);
    assert.equal(await rejectionOf(cancelling), reason);
    await eventually(() => fixture.service.requestsOf("cancel")[0]?.abandoned === true, "the service seeing the DELETE closed");
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    await pause(30);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "DELETE /odata/monitor/1"]);
  });

  test("cancel() with an already aborted signal sends nothing", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("cancel-200");
    const error = await rejectionOf(poller.cancel(AbortSignal.abort()));
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "AbortError");
    assert.equal(fixture.service.requestsOf("cancel").length, 0);
    assert.equal(poller.isDone(), false);
  });

  test("cancel() still sends DELETE after wait() timed out (the operation may still run)", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("cancel-200", { pollInterval: 1, maxWait: 50 });
    assert.ok((await rejectionOf(poller.wait())) instanceof AsyncOperationTimeoutError);
    await poller.cancel();
    assert.equal(fixture.service.requestsOf("cancel").length, 1);
    assert.equal(poller.status(), "Cancelled");
    assert.equal(poller.isDone(), true);
  });

  // onProgress follows the answers read by rules 1 to 8: the 202 is reported (with the state it
  // ended at), a network failure, an unreadable answer and a 500 (rule 9) are not.
  for (const [what, answer, reported] of [
    ["says the operation still runs (202), which does not bring the poller back,", 202, [["Cancelled", -1]]],
    ["fails on the network (the socket destroyed)", { status: 0, destroy: true }, []],
    ["is unreadable (200 with a body that is not JSON)", { status: 200, text: "<html>not a status</html>", headers: { "content-type": "application/json" } }, []],
    ["is an HTTP error (500)", odataError(500, "500", "the monitor broke"), []],
  ] as const) {
    test(`a poll whose answer ${what} after a cancel() that succeeded meanwhile rejects with AsyncOperationCancelledError, reported ${reported.length} time(s)`, async (t) => {
      const fixture = await ownAsyncService(t);
      const progress = progressRecorder();
      const poller = await fixture.start({
        description: "the monitor's answer is held until released; DELETE answers 204",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [{ status: 0, hang: true }],
        cancel: [{ status: 204 }],
      }, { pollInterval: 1, maxWait: 5_000, onProgress: progress.onProgress });
      progress.watch(poller);
      const polling = poller.poll();
      await fixture.service.waitForRequests(2);
      await poller.cancel();
      fixture.service.release(answer);
      const error = await rejectionOf(polling);
      assert.ok(error instanceof AsyncOperationCancelledError, String(error));
      assert.equal(poller.status(), "Cancelled");
      assert.equal(poller.isDone(), true);
      assert.equal(await rejectionOf(poller.wait()), error);
      assert.deepEqual(progress.calls, reported);
      assert.deepEqual(progress.mismatches, []);
    });
  }

  test("a result whose body arrives after a cancel() that succeeded while it was read is not taken: poll() rejects with AsyncOperationCancelledError", async (t) => {
    let resultBody: ServerResponse | undefined;
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "DELETE") return void res.writeHead(204).end();
      if (request.path.endsWith("/monitor/1")) return void res.writeHead(303, { location: "result/7" }).end();
      // The result's headers go out at once; its body is held until the test sends it.
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"ID":7,');
      resultBody = res;
    });
    const poller = client.asyncPoller<{ ID: number; rows: number }>("monitor/1", { maxWait: 5_000 });
    const polling = rejectionOf(poller.poll());
    await eventually(() => resultBody !== undefined, "the result's headers on the wire");
    await poller.cancel();
    assert.equal(poller.status(), "Cancelled");
    resultBody?.end('"rows":3}');
    const error = await polling;
    assert.ok(error instanceof AsyncOperationCancelledError, String(error));
    assert.equal(poller.status(), "Cancelled");
    assert.equal(await rejectionOf(Promise.resolve().then(() => poller.result())), error);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/monitor/1", "GET /odata/monitor/result/7", "DELETE /odata/monitor/1"]);
  });

  for (const [what, answer] of [
    ["answered", { status: 200, json: EXPORT_RESULT }],
    ["failing on the network (the socket destroyed)", { status: 0, destroy: true }],
  ] as const) {
    test(`a result GET ${what} after a cancel() that succeeded meanwhile is discarded: poll() rejects with AsyncOperationCancelledError`, async (t) => {
      const fixture = await ownAsyncService(t);
      const progress = progressRecorder();
      const poller = await fixture.start({
        description: "303 to the result, whose GET is held until released; DELETE answers 204",
        initial: [{ status: 202, headers: { location: "monitor/1" } }],
        monitor: [empty(303, { location: "result/7" })],
        result: [{ status: 0, hang: true }],
        cancel: [empty(204)],
      }, { ...FAST, onProgress: progress.onProgress });
      progress.watch(poller);
      const polling = poller.poll();
      await fixture.service.waitForRequests(3);
      await poller.cancel();
      assert.equal(poller.status(), "Cancelled");
      assert.equal(poller.isDone(), true);
      fixture.service.release(answer);
      const error = await rejectionOf(polling);
      assert.ok(error instanceof AsyncOperationCancelledError, String(error));
      assert.equal(await rejectionOf(Promise.resolve().then(() => poller.result())), error);
      assert.equal(poller.status(), "Cancelled");
      assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "GET /odata/monitor/1", "GET /odata/monitor/result/7", "DELETE /odata/monitor/1"]);
      // The poll is reported once, with the outcome it ended at.
      assert.deepEqual(progress.calls, [["Cancelled", -1]]);
      assert.deepEqual(progress.mismatches, []);
    });
  }

  test("a result GET of a later poll (after a transient answer) answered after a successful cancel() rejects with AsyncOperationCancelledError", async (t) => {
    const fixture = await ownAsyncService(t);
    const progress = progressRecorder();
    const poller = await fixture.start({
      description: "303 to the result, whose first GET answers 503 and whose second is held; DELETE answers 204",
      initial: [{ status: 202, headers: { location: "monitor/1" } }],
      monitor: [empty(303, { location: "result/7" })],
      result: [empty(503), { status: 0, hang: true }],
      cancel: [empty(204)],
    }, { ...FAST, onProgress: progress.onProgress });
    progress.watch(poller);
    assert.equal(await poller.poll(), true);
    const polling = poller.poll();
    await fixture.service.waitForRequests(4);
    await poller.cancel();
    fixture.service.release({ status: 200, json: EXPORT_RESULT });
    const error = await rejectionOf(polling);
    assert.ok(error instanceof AsyncOperationCancelledError, String(error));
    assert.equal(await rejectionOf(Promise.resolve().then(() => poller.result())), error);
    assert.equal(poller.isDone(), true);
    assert.deepEqual(wire(fixture.service.requests).slice(2), ["GET /odata/monitor/result/7", "GET /odata/monitor/result/7", "DELETE /odata/monitor/1"]);
    assert.deepEqual(progress.calls, [["Succeeded", -1], ["Cancelled", -1]]);
    assert.deepEqual(progress.mismatches, []);
  });

  test("cancel() of an operation already finished sends nothing and changes nothing", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.01-async-result");
    await poller.wait();
    await poller.cancel();
    assert.equal(fixture.service.requestsOf("cancel").length, 0);
    assert.equal(poller.status(), "Succeeded");
    assert.deepEqual(poller.result(), EXPORT_RESULT);
  });
});

describe("toJSON()", { concurrency: true }, () => {
  test("is plain JSON with the monitor URL, the last status and percentage, and the absolute deadline", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("graph-status-resource", { pollInterval: 1, maxWait: 60_000 });
    const answeredBefore = Date.now();
    await poller.poll();
    await poller.poll();
    const token = poller.toJSON();
    assert.ok(isPlainJson(token), JSON.stringify(token));
    assert.deepEqual(throughJson(token), token);
    assert.equal(token.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(token.status, "inProgress");
    assert.equal(token.percentComplete, 13);
    assert.equal(typeof token.deadline, "number");
    const deadline = token.deadline as number;
    assert.ok(deadline <= answeredBefore + 60_000 && deadline > answeredBefore + 60_000 - 5_000, `deadline ${deadline - answeredBefore} ms ahead`);
  });

  test("names the newest monitor after a Location change", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("moving-monitor");
    await poller.poll();
    assert.equal(poller.toJSON().statusUrl, `${fixture.service.serviceUrl}monitor/2`);
  });

  test("an infinite maxWait gives a null deadline", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { maxWait: Number.POSITIVE_INFINITY });
    assert.equal(poller.toJSON().deadline, null);
    assert.ok(isPlainJson(poller.toJSON()));
  });
});

describe("resumeAsync()", () => {
  test("a new client goes on polling the same operation from the token, sending nothing until polled", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("graph-status-resource");
    await poller.poll();
    await poller.poll();
    const token = throughJson(poller.toJSON());
    const sentBefore = fixture.service.requests.length;

    const recorder = progressRecorder();
    const resumed = fixture.client().resumeAsync<ExportResult>(token, { ...FAST, onProgress: recorder.onProgress });
    recorder.watch(resumed);
    assert.equal(resumed.statusUrl, poller.statusUrl);
    assert.equal(resumed.status(), "inProgress");
    assert.equal(resumed.percentComplete(), 13);
    assert.equal(resumed.isDone(), false);
    assert.equal(fixture.service.requests.length, sentBefore);

    assert.deepEqual(await resumed.wait(), EXPORT_RESULT);
    assert.deepEqual(wire(fixture.service.requests.slice(sentBefore)), ["GET /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/result/7"]);
    assert.deepEqual(recorder.calls, [["inProgress", 13], ["succeeded", 100]]);
  });

  test("without maxWait the token's deadline holds: past it, poll() rejects with a timeout and sends nothing", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 1, maxWait: 50 });
    const token = throughJson(poller.toJSON());
    time.tick(80);
    const resumed = fixture.client().resumeAsync(token, { pollInterval: 1 });
    const error = await time.within(rejectionOf(resumed.poll()));
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
  });

  test("a new maxWait is measured from the resume", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 1, maxWait: 50 });
    const token = throughJson(poller.toJSON());
    time.tick(80);
    const resumedAt = time.now();
    const resumed = fixture.client().resumeAsync(token, { pollInterval: 70, maxWait: 300 });
    const rejected = rejectionOf(resumed.wait());
    // Polls at 70, 140, 210 and 280 ms after the resume; the next would be past the new deadline.
    for (let poll = 1; poll <= 4; poll++) assert.equal(await time.skip(70), 70);
    assert.equal(await time.skip(20, await afterRequests(fixture, time, 5)), 20);
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.equal(error.maxWait, 300);
    assert.equal(time.now() - resumedAt, 300, "timed out at the new maxWait after the resume");
    assert.equal(fixture.service.requestsOf("monitor").length, 4, "the resumed poller polled until its new deadline");
  });

  test("without a new maxWait the token's deadline holds, and its timeout names the maxWait that set it; a bad token.maxWait is a TypeError", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes", { pollInterval: 1, maxWait: 45_000 });
    const token = throughJson(poller.toJSON());
    assert.equal(token.maxWait, 45_000);
    time.tick(45_000);
    const error = await time.within(rejectionOf(fixture.client().resumeAsync(token).poll()));
    assert.ok(error instanceof AsyncOperationTimeoutError, String(error));
    assert.equal(error.maxWait, 45_000, "the token's, not the default 600000");
    assert.equal(fixture.service.requestsOf("monitor").length, 0, "past the deadline: no request");
    assert.throws(() => fixture.client().resumeAsync({ ...token, maxWait: -1 }), { name: "TypeError", message: /token\.maxWait must be a positive number of milliseconds; got -1/ });
  });

  test("a pending Retry-After travels in the token", async (t) => {
    const time = useFakeTime(t);
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("retry-after-long", { pollInterval: 1, maxWait: 600_000 });
    const resumed = fixture.client().resumeAsync(throughJson(poller.toJSON()), { pollInterval: 1, maxWait: 100 });
    const rejected = rejectionOf(resumed.wait());
    assert.equal(await time.skip(), 100, "no poll: the Retry-After of an hour is beyond the new maxWait");
    assert.ok((await time.within(rejected)) instanceof AsyncOperationTimeoutError);
    assert.equal(fixture.service.requestsOf("monitor").length, 0);
  });

  test("a cancellation under way (DELETE answered 202) travels in the token: a later 404 is cancelled", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("cancel-202");
    await poller.cancel();
    assert.equal(fixture.service.requestsOf("cancel").length, 1);
    const sentBefore = fixture.service.requests.length;
    const resumed = fixture.client().resumeAsync(throughJson(poller.toJSON()), FAST);
    assert.ok((await rejectionOf(resumed.wait())) instanceof AsyncOperationCancelledError);
    // The monitor polled until its 404 (a 202 first, as the service says), and no second DELETE.
    const after = wire(fixture.service.requests.slice(sentBefore));
    assert.equal(after.length, 2, after.join(", "));
    for (const line of after) assert.match(line, /^GET \/odata\/monitor\//);
    assert.equal(fixture.service.requestsOf("cancel").length, 1);
  });

  test("a result still to be fetched travels in the token: the resumed poller fetches it, not the monitor", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("result-transient");
    assert.equal(await poller.poll(), true);
    const sentBefore = fixture.service.requests.length;
    const resumed = fixture.client().resumeAsync<ExportResult>(throughJson(poller.toJSON()), FAST);
    assert.equal(await resumed.poll(), false);
    assert.deepEqual(resumed.result(), EXPORT_RESULT);
    assert.deepEqual(wire(fixture.service.requests.slice(sentBefore)), ["GET /odata/monitor/result/7"]);
  });

  test("a succeeded poller resumes done with its result and sends nothing", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("sync-200");
    const resumed = fixture.client().resumeAsync<ExportResult>(throughJson(poller.toJSON()));
    assert.equal(resumed.isDone(), true);
    assert.equal(resumed.status(), "Succeeded");
    assert.deepEqual(resumed.result(), EXPORT_RESULT);
    assert.equal(await resumed.poll(), false);
    assert.equal(fixture.service.requests.length, 1);
  });

  test("a failed poller resumes failed, with httpStatus and odataError, and sends nothing", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.0-envelope-failed");
    const original = await rejectionOf(poller.wait());
    assert.ok(original instanceof AsyncOperationFailedError);
    const sent = fixture.service.requests.length;
    const resumed = fixture.client().resumeAsync(throughJson(poller.toJSON()));
    assert.equal(resumed.isDone(), true);
    assert.equal(resumed.status(), "Failed");
    const error = await rejectionOf(resumed.wait());
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.httpStatus, 400);
    assert.deepEqual(error.odataError, original.odataError);
    assert.equal(error.statusUrl, original.statusUrl);
    assert.equal(fixture.service.requests.length, sent);
  });

  test("a cancelled poller resumes cancelled", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("cancel-204");
    await poller.cancel();
    const resumed = fixture.client().resumeAsync(throughJson(poller.toJSON()));
    assert.equal(resumed.isDone(), true);
    assert.ok((await rejectionOf(resumed.poll())) instanceof AsyncOperationCancelledError);
  });

  test("a token that is not one rejects with a TypeError naming the field, sending nothing", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("never-finishes");
    const client = fixture.client();
    assert.throws(() => client.resumeAsync(null as unknown as AsyncPollerToken), TypeError);
    assert.throws(
      () => client.resumeAsync({ statusUrl: 5 } as unknown as AsyncPollerToken),
      (e: unknown) => e instanceof TypeError && /statusUrl/.test(e.message),
    );
    assert.throws(
      () => client.resumeAsync({ statusUrl: "monitor/1", percentComplete: 250 } as unknown as AsyncPollerToken),
      (e: unknown) => e instanceof TypeError && /percentComplete/.test(e.message),
    );
    assert.equal(fixture.service.requests.length, 0);
  });

  test("a token whose resultDates is not an array of strings, or whose resultBinary is not a boolean, is refused with a TypeError naming the field, sending nothing; missing, both are fine", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("sync-200");
    const token = throughJson(poller.toJSON());
    assert.equal(token.outcome, "succeeded");
    assert.equal(fixture.service.requests.length, 1);
    const client = fixture.client();
    for (const resultDates of ["published", { published: true }, 1, null, true, [42], ["published", null], [["published"]]]) {
      assert.throws(() => client.resumeAsync({ ...token, resultDates } as unknown as AsyncPollerToken), {
        name: "TypeError",
        message: "resumeAsync token.resultDates must be an array of strings",
      }, JSON.stringify(resultDates));
    }
    for (const resultBinary of ["true", 1, 0, null, {}, []]) {
      assert.throws(() => client.resumeAsync({ ...token, resultBinary } as unknown as AsyncPollerToken), {
        name: "TypeError",
        message: "resumeAsync token.resultBinary must be a boolean",
      }, JSON.stringify(resultBinary));
    }
    // A running poller's token is checked the same way.
    assert.throws(() => client.resumeAsync({ statusUrl: "monitor/1", resultBinary: "yes" } as unknown as AsyncPollerToken), { name: "TypeError", message: /token\.resultBinary/ });
    // Missing (tokens of earlier releases), an empty list and false are what they always were.
    for (const fields of [{}, { resultDates: [] }, { resultDates: ["missing"] }, { resultBinary: false }]) {
      const resumed = client.resumeAsync<ExportResult>({ ...token, ...fields });
      assert.equal(resumed.status(), "Succeeded");
      assert.deepEqual(resumed.result(), EXPORT_RESULT);
    }
    assert.equal(fixture.service.requests.length, 1, "nothing sent after the first poller's request");
  });

  test("a relative statusUrl in a token resolves against serviceUrl", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("v4.01-async-result");
    const resumed = fixture.client().resumeAsync({ statusUrl: "monitor/1" } as AsyncPollerToken, FAST);
    assert.equal(resumed.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.deepEqual(await resumed.wait(), EXPORT_RESULT);
  });
});

test("a monitor's OData error on 410 after a cancellation under way still counts as cancelled", async (t) => {
  const fixture = await ownAsyncService(t);
  const poller = await fixture.start({
    description: "DELETE 202, then 410 with an error body",
    initial: [{ status: 202, headers: { location: "monitor/1" } }],
    monitor: [odataError(410, "GONE", "the job was removed")],
    cancel: [empty(202)],
  });
  await poller.cancel();
  const error = await rejectionOf(poller.poll());
  assert.ok(error instanceof AsyncOperationCancelledError);
  assert.equal(poller.status(), "Cancelled");
});
