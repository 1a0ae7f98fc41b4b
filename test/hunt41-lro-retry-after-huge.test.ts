/**
 * A `Retry-After` of more delay-seconds than a double holds (more than 308 digits): the poller must
 * still write a token that `resumeAsync` reads. Its `retryAfterAt` was `Infinity`, which JSON
 * writes as `null`, and `resumeAsync` refused that token.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AsyncPollerToken } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

const HUGE = "9".repeat(320);

test("a monitor's Retry-After of 320 digits leaves a token that resumeAsync reads", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => {
    if (server.requests.length === 1) sendJson(res, 202, { status: "Running" }, { "retry-after": HUGE });
    else sendJson(res, 200, { status: "Succeeded", value: 1 });
  });
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 1, maxWait: 60_000 });
  assert.equal(await poller.poll(), true);
  const token = JSON.parse(JSON.stringify(poller.toJSON())) as AsyncPollerToken;
  assert.equal(typeof token.retryAfterAt, "number", `retryAfterAt ${String(token.retryAfterAt)}`);
  const resumed = client.resumeAsync<{ value: number }>(token, { maxWait: 60_000 });
  // The service asked for a pause longer than any deadline: wait() gives up at the deadline
  // without asking again, as the poller that read the answer would.
  const short = client.resumeAsync<{ value: number }>(token, { maxWait: 100 });
  await assert.rejects(short.wait(), { code: "ASYNC_OPERATION_TIMEOUT" });
  assert.equal(server.requests.length, 1);
  // A poll by hand still asks.
  assert.equal(await resumed.poll(), false);
  assert.deepEqual(resumed.result(), { status: "Succeeded", value: 1 });
});

test("an initial 202 with a Retry-After of 320 digits leaves a token that resumeAsync reads", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") sendJson(res, 202, { status: "Running" }, { location: "/odata/monitor/1", "retry-after": HUGE });
    else sendJson(res, 200, { status: "Succeeded", value: 2 });
  });
  const poller = await client.collection("Jobs").createAsync<{ value: number }>({ a: 1 }, { pollInterval: 1, maxWait: 60_000 });
  const token = JSON.parse(JSON.stringify(poller.toJSON())) as AsyncPollerToken;
  assert.equal(typeof token.retryAfterAt, "number", `retryAfterAt ${String(token.retryAfterAt)}`);
  const resumed = client.resumeAsync<{ value: number }>(token);
  assert.equal(await resumed.poll(), false);
  assert.deepEqual(resumed.result(), { status: "Succeeded", value: 2 });
  assert.equal(server.requests.length, 2);
});
