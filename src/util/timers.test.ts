import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { callTimeout, checkTimeout, MAX_TIMER_DELAY } from "./timers.js";

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

test("checkTimeout takes 0 to MAX_TIMER_DELAY ms and refuses anything else naming the option; callTimeout leaves undefined to the client", () => {
  assert.equal(checkTimeout(0, "ODataClient option"), 0);
  assert.equal(checkTimeout(MAX_TIMER_DELAY, "ODataClient option"), MAX_TIMER_DELAY);
  for (const bad of [-1, NaN, Infinity, MAX_TIMER_DELAY + 1, "100", null]) {
    assert.throws(() => checkTimeout(bad, "ODataClient option"), (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /^ODataClient option "timeout" must be a number of ms from 0 \(no timeout\) to 2147483647; got /);
      return true;
    });
  }
  assert.equal(callTimeout(undefined, "get()"), undefined);
  assert.equal(callTimeout(250, "get()"), 250);
  assert.throws(() => callTimeout(-5, "get()"), /^RangeError: get\(\): option "timeout" must be a number of ms from 0 \(no timeout\) to 2147483647; got -5$/);
});
