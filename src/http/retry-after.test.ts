import { test } from "node:test";
import assert from "node:assert/strict";
import { retryAfterMs } from "./retry-after.js";

const NOW = Date.UTC(2026, 11, 6, 2, 0, 0);

test("the three forms of an HTTP-date name the same instant, in GMT whatever the machine's zone", () => {
  for (const text of ["Sun, 06 Dec 2026 02:00:30 GMT", "Sunday, 06-Dec-26 02:00:30 GMT", "Sun Dec  6 02:00:30 2026"]) {
    assert.equal(retryAfterMs(text, NOW), 30_000, text);
  }
  assert.equal(retryAfterMs("Sun Dec 16 02:00:30 2026", NOW), 10 * 86_400_000 + 30_000);
});

test("delay-seconds, a date in the past, and what is neither", () => {
  assert.equal(retryAfterMs("120", NOW), 120_000);
  assert.equal(retryAfterMs(" 3 ", NOW), 3_000);
  assert.equal(retryAfterMs("Sat, 05 Dec 2026 02:00:30 GMT", NOW), 0);
  assert.equal(retryAfterMs(null, NOW), undefined);
  for (const text of ["", "1.5", "-1", "tomorrow", "Sun, 06 Dec 2026 02:00:30 CET", "Sun, 06 Foo 2026 02:00:30 GMT", "2026-12-06T02:00:30Z"]) {
    assert.equal(retryAfterMs(text, NOW), undefined, text);
  }
});

test("an RFC 850 date with a two-digit year of the last century is in the past", () => {
  assert.equal(retryAfterMs("Monday, 06-Dec-77 02:00:30 GMT", NOW), 0);
});
