// The fake clock the tests of waits use (test/fake-time.ts): timers pass when the test says, with
// their exact length; Node's own fetch keeps real timers; nothing of it outlives the test.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FAKE_START, useFakeTime } from "./fake-time.js";
import { answerJson, startServer } from "./servers/recording-server.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("fake time", () => {
  test("a sleep passes when the test skips it, with its exact length, and the clock moves by that much", async (t) => {
    const time = useFakeTime(t);
    assert.equal(Date.now(), FAKE_START);
    let woke = false;
    const sleeping = sleep(1_500).then(() => (woke = true));
    assert.deepEqual(time.pending(), [1_500]);
    await time.realPause(5);
    assert.equal(woke, false, "a fake timer does not fire on the real clock");
    assert.equal(await time.skip(), 1_500);
    await time.within(sleeping);
    assert.equal(woke, true);
    assert.equal(Date.now(), FAKE_START + 1_500);
    assert.equal(new Date().getTime(), FAKE_START + 1_500);
    assert.deepEqual(time.pending(), []);
  });

  test("soonestDue() tells timers apart by the code that set them", (t) => {
    const time = useFakeTime(t, 0);
    function deadlineTimer(): void {
      setTimeout(() => {}, 20);
    }
    function napTimer(ms: number): void {
      setTimeout(() => {}, ms);
    }
    deadlineTimer();
    napTimer(50);
    napTimer(40);
    assert.equal(time.soonestDue(/\bnapTimer\b/), 40);
    assert.equal(time.soonestDue(/\bdeadlineTimer\b/), 20);
    assert.equal(time.soonestDue(/\bnoSuchFunction\b/), undefined);
    time.tick(45);
    assert.equal(time.soonestDue(/\bnapTimer\b/), 50, "the one that fired is gone");
  });

  test("tick() fires only the timers that fall due, in order", (t) => {
    const time = useFakeTime(t, 0);
    const fired: number[] = [];
    for (const ms of [30, 10, 20]) setTimeout(() => fired.push(ms), ms);
    time.tick(20);
    assert.deepEqual(fired, [10, 20]);
    assert.deepEqual(time.pending(), [30]);
    time.tick(10);
    assert.deepEqual(fired, [10, 20, 30]);
  });

  test("a cleared timer is no longer pending and never fires", (t) => {
    const time = useFakeTime(t);
    let fired = false;
    const timer = setTimeout(() => (fired = true), 100);
    clearTimeout(timer);
    assert.deepEqual(time.pending(), []);
    time.tick(1_000);
    assert.equal(fired, false);
  });

  test("nextTimer() waits for the code to set a matching timer; with setAfter, one set after the mark", async (t) => {
    const time = useFakeTime(t);
    setTimeout(() => {}, 50);
    const mark = time.mark();
    // Set later, in real time, as a sleep after an answer would be.
    setImmediate(() => setTimeout(() => {}, 50));
    assert.equal(await time.nextTimer(50), 50, "the first is there already");
    let secondSeen = false;
    const second = time.nextTimer(50, { setAfter: mark }).then(() => (secondSeen = true));
    await second;
    assert.equal(secondSeen, true);
    assert.deepEqual(time.pending(), [50, 50]);
  });

  test("nextTimer() fails, naming the timers pending, when no matching timer comes", async (t) => {
    const time = useFakeTime(t);
    setTimeout(() => {}, 7);
    await assert.rejects(time.nextTimer(8, { realTimeoutMs: 50 }), /no timer matching 8 was set within 50 ms of real time; pending: \[7\]/);
  });

  test("run() lets every matching sleep pass until the promise settles", async (t) => {
    const time = useFakeTime(t);
    const started = time.now();
    const polls = (async () => {
      let n = 0;
      while (n < 10) {
        await sleep(25);
        n++;
      }
      return n;
    })();
    assert.equal(await time.run(polls, 25), 10);
    assert.equal(time.now() - started, 250);
  });

  test("within() fails, naming the fake timers pending, when the promise waits for the fake clock", async (t) => {
    const time = useFakeTime(t);
    await assert.rejects(time.within(sleep(60_000), 50), /did not settle within 50 ms of real time; fake timers pending: \[60000\]/);
  });

  test("Node's own fetch keeps the real clock: a request completes, and none of its timers is pending", async (t) => {
    const time = useFakeTime(t);
    const server = await startServer(answerJson(200, { value: [1] }));
    t.after(() => server.close());
    const response = await time.within(fetch(server.url("x")));
    assert.deepEqual(await response.json(), { value: [1] });
    assert.deepEqual(time.pending(), [], "undici's keep-alive and header timers are real ones");
    // A second request on the kept-alive connection, after the fake clock moved an hour.
    time.tick(3_600_000);
    assert.equal((await time.within(fetch(server.url("x")))).status, 200);
  });
});

test("after a test with fake time, the real setTimeout and Date are back", async () => {
  // Both would stand still on the fake clock: the timer would never fire, Date.now() not move.
  const before = Date.now();
  await new Promise<void>((resolve) => setTimeout(resolve, 20));
  assert.ok(Date.now() - before >= 15, `Date.now() moved ${Date.now() - before} ms in a 20 ms sleep`);
});
