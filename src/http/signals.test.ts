import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { sleep, untilAborted } from "./signals.js";

test("sleep and untilAborted on a signal already aborted reject with its reason and leave no listener behind", async () => {
  const controller = new AbortController();
  const reason = new Error("stopped before");
  controller.abort(reason);
  for (let i = 0; i < 3; i++) await assert.rejects(sleep(1_000, controller.signal), (error) => error === reason);
  let stopped = 0;
  const never = new Promise<void>(() => undefined);
  await assert.rejects(untilAborted(never, controller.signal, () => stopped++), (error) => error === reason);
  assert.equal(stopped, 1);
  // (A listener added to an aborted signal is never called, so nothing would take it off.)
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);
});

test("untilAborted: an abort while waiting rejects at once and takes its listener off; a settled promise takes it off too", async () => {
  const controller = new AbortController();
  const waiting = untilAborted(new Promise<void>(() => undefined), controller.signal);
  assert.equal(getEventListeners(controller.signal, "abort").length, 1);
  controller.abort(new Error("now"));
  await assert.rejects(waiting, /now/);
  assert.equal(getEventListeners(controller.signal, "abort").length, 0);

  const other = new AbortController();
  assert.equal(await untilAborted(Promise.resolve(7), other.signal), 7);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(getEventListeners(other.signal, "abort").length, 0);
});

test("untilAborted on an aborted signal: a later rejection of the promise is nobody's, and no unhandled rejection", async () => {
  const controller = new AbortController();
  controller.abort();
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", listener);
  try {
    await assert.rejects(untilAborted(Promise.reject(new Error("late")), controller.signal), { name: "AbortError" });
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off("unhandledRejection", listener);
  }
  assert.deepEqual(unhandled, []);
});
