/**
 * A wait() asleep on the long `Retry-After` of an earlier answer while another caller's poll()
 * reads an answer without one: by the contract its next poll is due `pollInterval` after that
 * latest answer, not when the old Retry-After (or, past `maxWait`, the deadline) ends. It slept on
 * to the deadline and timed out without asking again, or polled seconds late.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

test("a wait() asleep until the deadline on a Retry-After past it polls again after a poll() reads an answer without one", async (t) => {
  const times: number[] = [];
  const start = performance.now();
  const { server, client } = await serveClient(t, (_request, res) => {
    times.push(Math.round(performance.now() - start));
    if (server.requests.length === 1) sendJson(res, 202, { status: "Running" }, { "retry-after": "30" });
    else if (server.requests.length === 2) sendJson(res, 202, { status: "Running" });
    else sendJson(res, 200, { status: "Succeeded", value: 3 });
  });
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 200, maxWait: 2_000 });
  assert.equal(await poller.poll(), true);
  // Sleeps until the deadline: the next poll the answer asks for is 30 s away.
  const waited = poller.wait();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await poller.poll(), true);
  const outcome = await waited.catch((error: unknown) => error);
  assert.ok(!(outcome instanceof ODataClientError), `wait() rejected: ${String(outcome)} (polls at ${times.join(", ")} ms)`);
  assert.deepEqual(outcome, { status: "Succeeded", value: 3 });
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), Array(3).fill("GET /odata/monitor/1"));
  const [, second, third] = times as [number, number, number];
  assert.ok(third - second >= 150 && third - second < 1_000, `the wait() polled ${third - second} ms after the answer without Retry-After (polls at ${times.join(", ")} ms)`);
});

test("a wait() asleep on a 5 s Retry-After polls pollInterval after a poll() reads an answer without one", async (t) => {
  const times: number[] = [];
  const start = performance.now();
  const { server, client } = await serveClient(t, (_request, res) => {
    times.push(Math.round(performance.now() - start));
    if (server.requests.length === 1) sendJson(res, 202, { status: "Running" }, { "retry-after": "5" });
    else if (server.requests.length === 2) sendJson(res, 202, { status: "Running" });
    else sendJson(res, 200, { status: "Succeeded", value: 4 });
  });
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 200, maxWait: 30_000 });
  assert.equal(await poller.poll(), true);
  const waited = poller.wait();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await poller.poll(), true);
  assert.deepEqual(await waited, { status: "Succeeded", value: 4 });
  assert.equal(server.requests.length, 3, `polls at ${times.join(", ")} ms`);
  const [, second, third] = times as [number, number, number];
  assert.ok(third - second >= 150 && third - second < 1_000, `the wait() polled ${third - second} ms after the answer without Retry-After (polls at ${times.join(", ")} ms)`);
});
