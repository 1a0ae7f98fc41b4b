// onProgress is the program's own code. An async one (a logger that writes a file) whose promise
// rejected was left unhandled, and ended the Node process mid-wait while the operation ran on at
// the service. Its rejection is dropped now; a callback that throws still rejects the wait with
// its own error, as the README says; so does a poll() (README "Long-running operations"), and
// resumeAsync(), which sends nothing, does not use its options' signal (README "The client").
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { AsyncPollerToken } from "../src/index.js";
import { sendJson, serveClient, type Handler, type RecordedRequest } from "./servers/recording-server.js";

function job(): Handler {
  let polls = 0;
  return (request, res) => {
    if (request.method === "POST") {
      res.writeHead(202, { location: "/odata/monitor/1" });
      return void res.end();
    }
    polls += 1;
    if (polls < 3) return sendJson(res, 202, { status: "Running", percentComplete: polls * 30 }, { location: "/odata/monitor/1" });
    sendJson(res, 200, { value: 42 });
  };
}

test("an async onProgress whose promise rejects does not end the process: the wait resolves the result", async (t) => {
  const { server, client } = await serveClient(t, job());
  const unhandled: unknown[] = [];
  const note = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", note);
  t.after(() => process.off("unhandledRejection", note));
  const told: string[] = [];
  const poller = await client.action<number>("Reconcile").invokeAsync({}, {
    pollInterval: 5,
    onProgress: async (status, percent) => {
      told.push(`${status} ${percent}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error(`the progress log could not be written at ${status}`);
    },
  });
  assert.equal(await poller.wait(), 42);
  // A turn of the event loop for any rejection left unhandled to be reported.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(unhandled, []);
  assert.deepEqual(told, ["Running 30", "Running 60", "Succeeded 60"]);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["POST /odata/Reconcile", "GET /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/monitor/1"],
  );
});

test("an onProgress that throws rejects the wait with its own error, and the poller is not done", async (t) => {
  const { server, client } = await serveClient(t, job());
  const failure = new Error("the disk is full");
  let full = true;
  const poller = await client.action<number>("Reconcile").invokeAsync({}, {
    pollInterval: 5,
    onProgress: () => {
      if (full) throw failure;
    },
  });
  await assert.rejects(poller.wait(), (error: unknown) => error === failure);
  assert.equal(poller.isDone(), false);
  assert.equal(server.requests.length, 2);
  // The operation went on; the poller waits for it again.
  full = false;
  assert.equal(await poller.wait(), 42);
  assert.equal(server.requests.length, 4);
});

test("the signal of invokeAsync's options aborts the start alone: a wait after the abort goes on (the README's words)", async (t) => {
  const { server, client } = await serveClient(t, job());
  const controller = new AbortController();
  const poller = await client.action<number>("Reconcile").invokeAsync({}, { pollInterval: 5, signal: controller.signal });
  controller.abort();
  assert.equal(await poller.wait(), 42);
  assert.equal(server.requests.length, 4);
  // wait(signal) is the wait's: aborted without a reason, it rejects with the DOMException the signal holds.
  const again = client.asyncPoller<{ value: number }>(server.url("odata/monitor/1"), { pollInterval: 5, signal: controller.signal });
  const stop = new AbortController();
  stop.abort();
  const error = await again.wait(stop.signal).then(
    () => assert.fail("resolved"),
    (reason: unknown) => reason,
  );
  assert.equal(error, stop.signal.reason);
  assert.ok(error instanceof DOMException);
  assert.equal(error.name, "AbortError");
  assert.equal(server.requests.length, 4, "an aborted wait sends nothing");
  // asyncPoller()'s own aborted signal leaves its waits alone: the monitor answers with the result.
  assert.deepEqual(await again.wait(), { value: 42 });
  assert.equal(server.requests.length, 5);
});

const wire = (requests: readonly RecordedRequest[]) => requests.map((request) => `${request.method} ${request.path}`);

test("an onProgress that throws rejects that poll() with its error: polling stops, the poller is not done, and a later poll goes on", async (t) => {
  const { server, client } = await serveClient(t, job());
  const failure = new Error("the progress log is full");
  const told: string[] = [];
  let full = true;
  const poller = await client.action<number>("Reconcile").invokeAsync({}, {
    pollInterval: 5,
    onProgress: (status, percent) => {
      told.push(`${status} ${percent}`);
      if (full) throw failure;
    },
  });
  await assert.rejects(poller.poll(), (error: unknown) => error === failure);
  assert.equal(poller.isDone(), false);
  assert.deepEqual(told, ["Running 30"]);
  // Several poll intervals: nothing polls on its own after the rejection.
  await sleep(40);
  assert.deepEqual(wire(server.requests), ["POST /odata/Reconcile", "GET /odata/monitor/1"]);
  // The operation went on at the service; the next poll reads it.
  full = false;
  assert.equal(await poller.poll(), true);
  assert.deepEqual(told, ["Running 30", "Running 60"]);
  assert.deepEqual(wire(server.requests), ["POST /odata/Reconcile", "GET /odata/monitor/1", "GET /odata/monitor/1"]);
});

test("resumeAsync(token, { signal }) does not use the signal: aborted, the resumed poller's wait() still polls and resolves", async (t) => {
  const { server, client } = await serveClient(t, job());
  const started = await client.action<number>("Reconcile").invokeAsync({}, { pollInterval: 5 });
  const token = JSON.parse(JSON.stringify(started.toJSON())) as AsyncPollerToken;
  const aborted = new AbortController();
  aborted.abort(new Error("the program stopped waiting"));
  const resumed = client.resumeAsync<number>(token, { pollInterval: 5, signal: aborted.signal });
  assert.deepEqual(wire(server.requests), ["POST /odata/Reconcile"], "resumeAsync() sends nothing");
  assert.equal(await resumed.wait(), 42);
  assert.equal(resumed.isDone(), true);
  assert.deepEqual(wire(server.requests), ["POST /odata/Reconcile", "GET /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/monitor/1"]);
});
