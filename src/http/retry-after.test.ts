import { test } from "node:test";
import assert from "node:assert/strict";
import { retryAfterMs } from "./retry-after.js";

const NOW = Date.UTC(2026, 11, 6, 2, 0, 0);

test("the three forms of an HTTP-date name the same instant, in GMT whatever the machine's zone", () => {
  for (const text of ["Sun, 06 Dec 2026 02:00:30 GMT", "Sunday, 06-Dec-26 02:00:30 GMT", "Sun Dec  6 02:00:30 2026", "Sun Dec 06 02:00:30 2026"]) {
    assert.equal(retryAfterMs(text, NOW), 30_000, text);
  }
  assert.equal(retryAfterMs("Wed Dec 16 02:00:30 2026", NOW), 10 * 86_400_000 + 30_000);
  assert.equal(retryAfterMs("Wednesday, 16-Dec-26 02:00:30 GMT", NOW), 10 * 86_400_000 + 30_000);
});

test("delay-seconds, a date in the past, and what is neither", () => {
  assert.equal(retryAfterMs("120", NOW), 120_000);
  assert.equal(retryAfterMs(" 3 ", NOW), 3_000);
  assert.equal(retryAfterMs("Sat, 05 Dec 2026 02:00:30 GMT", NOW), 0);
  assert.equal(retryAfterMs(null, NOW), undefined);
  for (const text of ["", "1.5", "-1", "tomorrow", "Invalid Date", "Sun, 06 Dec 2026 02:00:30 CET", "Sun, 06 Foo 2026 02:00:30 GMT", "2026-12-06T02:00:30Z"]) {
    assert.equal(retryAfterMs(text, NOW), undefined, text);
  }
});

test("a date with a field out of range is unread, not rolled over: engines' Date.parse differ on those", () => {
  for (const text of [
    "Sun, 06 Dec 2026 25:00:03 GMT", // Firefox's Date.parse reads 01:00 on the 7th
    "Sun, 06 Dec 2026 24:00:00 GMT",
    "Sun, 06 Dec 2026 02:60:00 GMT",
    "Sun, 06 Dec 2026 02:00:61 GMT",
    "Sun, 06 Dec 2026 02:00:60 GMT", // a leap second: allowed by the grammar, let go as unreadable
    "Wed, 31 Feb 2027 02:00:30 GMT", // V8's Date.parse reads 3 March
    "Sat, 00 Dec 2026 02:00:30 GMT",
    "Sun, 32 Dec 2026 02:00:30 GMT",
    "Sunday, 31-Feb-27 02:00:30 GMT",
    "Sun Feb 31 02:00:30 2027",
    "Sun Dec  6 25:00:30 2026",
  ]) {
    assert.equal(retryAfterMs(text, NOW), undefined, text);
  }
});

test("an HTTP-date is read only in its exact forms: case, spaces, digits, zone and weekday as the grammar has them", () => {
  for (const text of [
    "Mon, 06 Dec 2026 02:00:30 GMT", // 6 December 2026 is a Sunday
    "Sun, 06 Dec 2026 02:00:30 gmt",
    "sun, 06 Dec 2026 02:00:30 GMT",
    "Sun, 06 DEC 2026 02:00:30 GMT",
    "Sun, 6 Dec 2026 02:00:30 GMT",
    "Sun,  06 Dec 2026 02:00:30 GMT",
    "Sun, 06 Dec 2026 2:00:30 GMT",
    "Sun, 06 Dec 26 02:00:30 GMT",
    "Sun, 06 Dec 2026 02:00:30 +0000",
    "Sun, 06 Dec 2026 02:00:30",
    "06 Dec 2026 02:00:30 GMT",
    "Sun, 06-Dec-26 02:00:30 GMT",
    "Sunday, 06-Dec-2026 02:00:30 GMT",
    "Sunday, 06 Dec 26 02:00:30 GMT",
    "Sunday, 06-Dec-26 02:00:30",
    "Sunxday, 06-Dec-26 02:00:30 GMT",
    "Sun Dec 6 02:00:30 2026",
    "Sun Dec  6 02:00:30 2026 GMT",
    "Sun Dec  6 02:00:30 26",
  ]) {
    assert.equal(retryAfterMs(text, NOW), undefined, text);
  }
});

test("an RFC 850 two-digit year is the latest with those digits not more than 50 years ahead (RFC 9110 §5.6.7)", () => {
  // Today's engines read -68 and -51 as 1968 and 1951, and so retry at once.
  assert.equal(retryAfterMs("Thursday, 06-Dec-68 02:00:30 GMT", NOW), Date.UTC(2068, 11, 6, 2, 0, 30) - NOW);
  assert.equal(retryAfterMs("Wednesday, 06-Dec-51 02:00:30 GMT", NOW), Date.UTC(2051, 11, 6, 2, 0, 30) - NOW);
  assert.equal(retryAfterMs("Sunday, 06-Dec-76 02:00:30 GMT", NOW), Date.UTC(2076, 11, 6, 2, 0, 30) - NOW);
  // 2077 is more than 50 years ahead: 1977, in the past.
  assert.equal(retryAfterMs("Tuesday, 06-Dec-77 02:00:30 GMT", NOW), 0);
  // The window moves with the clock: in 2090, -10 is 2110 and -41 is 2041.
  const in2090 = Date.UTC(2090, 0, 1);
  assert.equal(retryAfterMs("Sunday, 01-Jun-10 00:00:00 GMT", in2090), Date.UTC(2110, 5, 1) - in2090);
  assert.equal(retryAfterMs("Wednesday, 01-Jun-40 00:00:00 GMT", in2090), Date.UTC(2140, 5, 1) - in2090);
  assert.equal(retryAfterMs("Saturday, 01-Jun-41 00:00:00 GMT", in2090), 0);
});
