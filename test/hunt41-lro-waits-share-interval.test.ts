/**
 * `pollInterval` is the time between poll requests (spec/async-poller.md: "ms between poll
 * requests"), and wait() waits before every poll for the latest answer's Retry-After, or else
 * pollInterval. Two wait() calls of one poller each kept a timer of its own, so the monitor was
 * asked twice per interval; a wait() asleep while a poll() by hand was answered polled again right
 * after it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

const INTERVAL = 300;

/** The gaps between the requests, in ms. */
function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((time, i) => time - (times[i] as number));
}

test("two wait() calls of one poller poll once per pollInterval between them, not once each", async (t) => {
  const times: number[] = [];
  const { server, client } = await serveClient(t, (_request, res) => {
    times.push(performance.now());
    if (times.length === 4) sendJson(res, 200, { status: "Succeeded" });
    else sendJson(res, 202, { status: "Running" });
  });
  const poller = client.asyncPoller("monitor/1", { pollInterval: INTERVAL, maxWait: 30_000 });
  // Loads the polling code first, so that the two waits' timers are set where this test says.
  await poller.poll();
  const first = poller.wait();
  await new Promise((resolve) => setTimeout(resolve, INTERVAL / 2));
  const second = poller.wait();
  await Promise.all([first, second]);
  assert.equal(server.requests.length, 4, `requests at ${times.map(Math.round).join(", ")}`);
  for (const gap of gaps(times)) assert.ok(gap >= INTERVAL - 30, `a poll went out ${Math.round(gap)} ms after the one before (pollInterval ${INTERVAL})`);
});

test("a wait() asleep while a poll() by hand is answered waits pollInterval from that answer", async (t) => {
  const times: number[] = [];
  const { server, client } = await serveClient(t, (_request, res) => {
    times.push(performance.now());
    if (times.length === 3) sendJson(res, 200, { status: "Succeeded" });
    else sendJson(res, 202, { status: "Running" });
  });
  const poller = client.asyncPoller("monitor/1", { pollInterval: INTERVAL, maxWait: 30_000 });
  await poller.poll();
  const waited = poller.wait();
  await new Promise((resolve) => setTimeout(resolve, INTERVAL - 100));
  assert.equal(await poller.poll(), true);
  await waited;
  assert.equal(server.requests.length, 3);
  const [, byHand] = gaps(times) as [number, number];
  assert.ok(byHand >= INTERVAL - 30, `the wait() polled ${Math.round(byHand)} ms after the poll() by hand (pollInterval ${INTERVAL})`);
});
