import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { MAX_TIMER_DELAY } from "./timers.js";

test("MAX_TIMER_DELAY is 2^31-1 ms, and a timer of that length is held rather than fired at once", async () => {
  assert.equal(MAX_TIMER_DELAY, 2147483647);
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
  }, MAX_TIMER_DELAY);
  await sleep(20);
  clearTimeout(timer);
  assert.equal(fired, false);
});
