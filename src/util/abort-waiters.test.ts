import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { onAbort } from "./abort-waiters.js";

test("many callbacks on one signal: one listener, each called once on abort, in order", () => {
  const controller = new AbortController();
  const calls: number[] = [];
  for (let i = 0; i < 50; i++) onAbort(controller.signal, () => calls.push(i));
  assert.equal(getEventListeners(controller.signal, "abort").length, 1);
  controller.abort();
  controller.abort();
  assert.deepEqual(calls, Array.from({ length: 50 }, (_, i) => i));
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
});

test("a stopped callback is not called; the listener goes with the last one and comes back with a new one", () => {
  const controller = new AbortController();
  const calls: string[] = [];
  const stopA = onAbort(controller.signal, () => calls.push("a"));
  const stopB = onAbort(controller.signal, () => calls.push("b"));
  stopA();
  stopA();
  assert.equal(getEventListeners(controller.signal, "abort").length, 1);
  stopB();
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  const same = () => calls.push("c");
  onAbort(controller.signal, same);
  const stopSecond = onAbort(controller.signal, same);
  stopSecond();
  controller.abort();
  assert.deepEqual(calls, ["c"], "the same function registered twice is two registrations; stopping one leaves the other");
});
