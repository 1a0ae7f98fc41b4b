/**
 * A result URL that answers `202 Accepted` (the monitor said the operation succeeded, but the
 * service has not made the result ready yet). Rule 1 reads a 202 as "still running": the poller
 * must not take that answer's body (a status document) for the result, but ask the result URL
 * again at the next poll, honouring the 202's Retry-After, until it answers with the result.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

test("a result URL that answers 202 is asked again; the 202 body is not taken for the result", async (t) => {
  let resultAsks = 0;
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path === "/odata/monitor/1") {
      res.writeHead(303, { location: "/odata/results/1" });
      res.end();
    } else if (++resultAsks === 1) {
      sendJson(res, 202, { status: "Running" });
    } else {
      sendJson(res, 200, { value: 42 });
    }
  });
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 1, maxWait: 10_000 });
  assert.deepEqual(await poller.wait(), { value: 42 });
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/monitor/1", "GET /odata/results/1", "GET /odata/results/1"],
  );
  assert.equal(poller.status(), "Succeeded");
});

test("poll() resolves true while the result URL answers 202, and false once it gives the result", async (t) => {
  let resultAsks = 0;
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path === "/odata/monitor/1") sendJson(res, 200, { status: "Succeeded", resourceLocation: "/odata/results/1" });
    else if (++resultAsks === 1) sendJson(res, 202, { status: "Running" }, { "retry-after": "7" });
    else sendJson(res, 200, { value: 7 });
  });
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 1, maxWait: 60_000 });
  assert.equal(await poller.poll(), true);
  assert.equal(poller.isDone(), false);
  // The 202's Retry-After is kept for the next poll (and in the token).
  const token = poller.toJSON();
  assert.equal(token.resultUrl, `${server.url("odata/results/1")}`);
  assert.ok(token.retryAfterAt !== undefined && token.retryAfterAt - Date.now() > 5_000, `retryAfterAt ${token.retryAfterAt}`);
  assert.equal(await poller.poll(), false);
  assert.deepEqual(poller.result(), { value: 7 });
  assert.equal(server.requests.length, 3);
});

test("a result URL that keeps answering 202 ends at maxWait with the timeout, not a result", async (t) => {
  const { client } = await serveClient(t, (request, res) => {
    if (request.path === "/odata/monitor/1") {
      res.writeHead(303, { location: "/odata/results/1" });
      res.end();
    } else sendJson(res, 202, { status: "Running" });
  });
  const poller = client.asyncPoller("monitor/1", { pollInterval: 20, maxWait: 300 });
  await assert.rejects(poller.wait(), (error: Error & { code?: string }) => {
    assert.equal(error.code, "ASYNC_OPERATION_TIMEOUT");
    assert.match(error.message, /succeeded, but its result could not be fetched/);
    return true;
  });
});

test("onProgress is told of each poll whose result GET answered 202, and of the result", async (t) => {
  let resultAsks = 0;
  const { client } = await serveClient(t, (request, res) => {
    if (request.path === "/odata/monitor/1") sendJson(res, 200, { status: "Succeeded", percentComplete: 100, resourceLocation: "/odata/results/1" });
    else if (++resultAsks <= 2) sendJson(res, 202, { status: "Running" });
    else sendJson(res, 200, { value: 3 });
  });
  const told: string[] = [];
  const poller = client.asyncPoller<{ value: number }>("monitor/1", { pollInterval: 1, maxWait: 10_000, onProgress: (status, pct) => told.push(`${status} ${pct}`) });
  assert.deepEqual(await poller.wait(), { value: 3 });
  assert.deepEqual(told, ["Succeeded 100", "Succeeded 100", "Succeeded 100"]);
});
