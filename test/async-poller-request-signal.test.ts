/**
 * The signal of a poller's poll requests: one is handed on from poll to poll (making an AbortSignal
 * costs Node 20 microseconds), but never once it has been aborted, and never to more than 16 polls
 * (one poll may send more than one request with it: a result GET, redirect hops), since fetch
 * leaves a listener on each signal it was given until the request is garbage.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { CONTROLLER_USES } from "../src/lro/polling.js";
import { serveClient, sendJson, signalRecorder } from "./servers/recording-server.js";



test("consecutive polls share one request signal for up to CONTROLLER_USES requests, and fetch's listeners on it stay within that", async (t) => {
  const uses = CONTROLLER_USES;
  const polls = 2 * uses + uses / 2;
  const { seen, step } = signalRecorder();
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 202, { status: "Running" }), { steps: [step] });
  const poller = client.asyncPoller("monitor/1", { maxWait: 600_000 });
  for (let i = 0; i < polls; i++) assert.equal(await poller.poll(), true);
  assert.equal(server.requests.length, polls);
  const signals = seen.map(({ signal }) => signal);
  assert.ok(signals.every((signal) => signal instanceof AbortSignal));
  // A new signal after every `uses` requests, the same one in between.
  assert.deepEqual(
    [...new Set(signals)].map((signal) => signals.filter((other) => other === signal).length),
    [uses, uses, uses / 2],
  );
  for (let i = 0; i < polls; i++) assert.equal(signals[i], signals[i - (i % uses)], `request ${i + 1}`);
  for (const signal of new Set(signals)) {
    assert.ok(getEventListeners(signal as AbortSignal, "abort").length <= uses, "listeners left on a request signal");
    assert.equal((signal as AbortSignal).aborted, false);
  }
});

test("after a poll whose caller gave up, the next poll gets a fresh signal and succeeds", async (t) => {
  const { seen, step } = signalRecorder();
  let hang = false;
  const { server, client } = await serveClient(
    t,
    (_request, res) => {
      // The poll to give up on is never answered; the server closes its connection at the end.
      if (!hang) sendJson(res, 202, { status: "Running", percentComplete: seen.length });
    },
    { steps: [step] },
  );
  const poller = client.asyncPoller("monitor/1", { maxWait: 600_000 });
  assert.equal(await poller.poll(), true);
  assert.equal(await poller.poll(), true);
  hang = true;
  const caller = new AbortController();
  const reason = new Error("gave up");
  const abandoned = poller.poll(caller.signal).then(
    () => assert.fail("the abandoned poll resolved"),
    (error: unknown) => error,
  );
  while (server.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  caller.abort(reason);
  assert.equal(await abandoned, reason);
  const given = seen[2]?.signal;
  assert.equal(given?.aborted, true, "the abandoned request's signal was aborted");
  hang = false;
  assert.equal(await poller.poll(), true);
  assert.equal(poller.percentComplete(), 4, "the fourth answer was read");
  assert.equal(seen[0]?.signal, seen[2]?.signal, "polls before the abandoned one shared its signal");
  assert.notEqual(seen[3]?.signal, given, "the poll after it has a signal of its own");
  assert.deepEqual(
    seen.map(({ aborted }) => aborted),
    [false, false, false, false],
    "no request was sent with an aborted signal",
  );
});
