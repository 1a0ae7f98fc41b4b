/**
 * A wait() that is asleep while another caller's poll (a poll() by hand, or a second wait() of the
 * same poller) reads an answer with `Retry-After`: the contract has wait() wait before every poll
 * for the Retry-After of the latest answer, so the sleeping wait must not poll when its own,
 * earlier timer fires, but sleep on until the time the service asked for.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

test("a sleeping wait() does not poll before the Retry-After of the answer another caller's poll() read", async (t) => {
  // When each request arrived, in ms from the start of the test.
  const times: number[] = [];
  const start = performance.now();
  const { server, client } = await serveClient(t, (_request, res) => {
    times.push(Math.round(performance.now() - start));
    // The poll() by hand is asked to come back in 2 s; the operation is done by then.
    if (server.requests.length === 1) sendJson(res, 202, { status: "Running" }, { "retry-after": "2" });
    else sendJson(res, 200, { status: "Succeeded", value: 1 });
  });
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 400, maxWait: 30_000 });
  const waited = poller.wait();
  assert.equal(await poller.poll(), true);
  assert.deepEqual(await waited, { status: "Succeeded", value: 1 });
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["GET /odata/monitor/1", "GET /odata/monitor/1"]);
  const [first, second] = times as [number, number];
  assert.ok(second - first >= 1_900, `the wait() polled ${second - first} ms after the answer that asked for 2 s`);
});

test("of two wait() calls on one poller, the one asleep does not poll before the Retry-After the other's poll read", async (t) => {
  // When each request arrived, in ms from the start of the test.
  const times: number[] = [];
  const start = performance.now();
  const { server, client } = await serveClient(t, (_request, res) => {
    times.push(Math.round(performance.now() - start));
    if (server.requests.length === 1) sendJson(res, 202, { status: "Running" });
    else if (server.requests.length === 2) sendJson(res, 202, { status: "Running" }, { "retry-after": "2" });
    else sendJson(res, 200, { status: "Succeeded", value: 2 });
  });
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 400, maxWait: 30_000 });
  const first = poller.wait();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const second = poller.wait();
  assert.deepEqual(await Promise.all([first, second]), [
    { status: "Succeeded", value: 2 },
    { status: "Succeeded", value: 2 },
  ]);
  assert.equal(server.requests.length, 3, `polls: ${times.join(", ")} ms`);
  const [, asked, last] = times as [number, number, number];
  assert.ok(last - asked >= 1_900, `a wait() polled ${last - asked} ms after the answer that asked for 2 s (polls at ${times.join(", ")} ms)`);
});
