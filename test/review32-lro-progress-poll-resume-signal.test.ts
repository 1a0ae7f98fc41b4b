// Two README claims of "Long-running operations" and "The client", on a node:http monitor: an
// onProgress that throws rejects that poll() with its error (test/lro-fix32-progress-callback.test.ts
// has wait()), and resumeAsync(), which sends nothing, does not use its options' signal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { AsyncPollerToken } from "../src/index.js";
import { sendJson, serveClient, type Handler, type RecordedRequest } from "./servers/recording-server.js";

/** An action answered 202 with a monitor, which reports Running twice and then the result 42. */
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
