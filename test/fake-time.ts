/**
 * Fake time for the tests of waits (poll intervals, `Retry-After`, `maxWait`, retry backoff, body
 * stalls): `node:test`'s mock timers for `setTimeout` and `Date`, and a record of the timers set,
 * so that a test can wait until the code under test sleeps, check for how long, and move the clock
 * by exactly that much. Such a test takes no real time for its waits and cannot fail because the
 * machine is busy; what it asserts about timing is exact.
 *
 * The mock is process-wide: a test that uses it must not run at the same time as another test of
 * its file (leave out `concurrency: true` there). Test files run in processes of their own, so
 * other files are not affected. HTTP requests, servers and `setImmediate` stay real.
 */
import type { TestContext } from "node:test";

/** The clock of a test with fake time (see {@link useFakeTime}). */
export interface FakeTime {
  /** The fake `Date.now()`. */
  now(): number;
  /** The delays (ms) of the timers set and neither fired nor cleared yet, soonest due first. */
  pending(): number[];
  /**
   * When the soonest pending timer set from code whose stack `setFrom` matches is due (fake
   * epoch ms), `undefined` when there is none: tells one kind of timer from others of the same
   * delay, as a poller's sleeps (`/\bsleep\b[^\n]*polling/`) from its deadline timers.
   */
  soonestDue(setFrom: RegExp): number | undefined;
  /**
   * Resolves with the delay of a pending timer once there is one whose delay `match` accepts (a
   * number: exactly that delay; by default any) and, with `setAfter`, that was set after that
   * {@link mark}. Waits in real time for the code under test to get there (its requests are
   * real), and fails after `realTimeoutMs` naming the timers pending.
   */
  nextTimer(match?: TimerMatch, options?: TimerOptions): Promise<number>;
  /** Moves the clock `ms` forward, firing every timer that falls due on the way. */
  tick(ms: number): void;
  /**
   * {@link nextTimer} and then {@link tick} by the time left on that timer: lets the next matching
   * sleep pass at once. Resolves with the timer's delay.
   */
  skip(match?: TimerMatch, options?: TimerOptions): Promise<number>;
  /**
   * Settles `promise` by letting every timer that `match` accepts pass as soon as it is set (see
   * {@link skip}), as a real clock would: for code that sleeps again and again (a poller on a
   * service whose job takes its time). Fails after `maxSkips` timers, or when neither the promise
   * settles nor a matching timer is set within {@link TimerOptions.realTimeoutMs} of real time.
   */
  run<T>(promise: Promise<T>, match: TimerMatch, options?: TimerOptions & { maxSkips?: number }): Promise<T>;
  /**
   * A mark in the sequence of timers set, for {@link TimerOptions.setAfter}. Two timers can have
   * the same delay: a request's deadline, set before it is sent, and the sleep after its answer.
   * A mark taken once the server has seen the request tells them apart.
   */
  mark(): number;
  /** Resolves after `ms` of real time (for "nothing happens meanwhile" checks). */
  realPause(ms: number): Promise<void>;
  /**
   * `promise`, or a failure if it has not settled within `realTimeoutMs` of real time: for code
   * that should finish without the clock moving, which would otherwise wait forever on a fake timer.
   */
  within<T>(promise: Promise<T>, realTimeoutMs?: number): Promise<T>;
}

/** Whether the function that called the caller of this one is part of Node itself (its `node:internal/` modules). */
function calledFromNodeInternals(): boolean {
  // Frames: this function, the setTimeout wrapper, its caller.
  const caller = new Error().stack?.split("\n")[3] ?? "";
  return caller.includes("(node:internal/") || caller.includes(" node:internal/");
}

/** Where the fake clock starts unless a test says otherwise: a fixed instant, the same every run. */
export const FAKE_START = Date.UTC(2030, 0, 1, 12, 0, 0);

/** Which timers a test waits for: an exact delay in ms, or a test of the delay. */
export type TimerMatch = number | ((delay: number) => boolean);

/** More conditions on the timer {@link FakeTime.nextTimer} waits for. */
export interface TimerOptions {
  /** Only a timer set after this {@link FakeTime.mark}. */
  setAfter?: number;
  /** How long to wait, in real time, before failing. @default 5_000 */
  realTimeoutMs?: number;
}

interface TimerRecord {
  delay: number;
  due: number;
  order: number;
  /** The stack of the call that set it. */
  setFrom: string;
}

const realSetTimeout = globalThis.setTimeout;
const clearRealTimeout = globalThis.clearTimeout;
const realSetImmediate = globalThis.setImmediate;

/**
 * Turns on fake `setTimeout` and `Date` for the rest of test `t` (they are restored when it ends),
 * the clock starting at `start` ({@link FAKE_START} by default).
 *
 * @example
 * const time = useFakeTime(t);
 * const waiting = poller.wait();
 * assert.equal(await time.skip(), 40); // the sleep before the first poll was pollInterval
 */
export function useFakeTime(t: TestContext, start: number = FAKE_START): FakeTime {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: start });
  const mockedSetTimeout = globalThis.setTimeout;
  const mockedClearTimeout = globalThis.clearTimeout;
  const timers = new Map<unknown, TimerRecord>();
  let order = 0;

  const recordingSetTimeout = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    // Node's own fetch (undici) sets timers too: keep-alive, header and body timeouts of its
    // connections. Those stay on the real clock, or moving the fake one would close or break the
    // connections under the code being tested.
    if (calledFromNodeInternals()) return realSetTimeout(callback, delay, ...args);
    const ms = Math.max(1, Number(delay) || 0);
    const id: unknown = mockedSetTimeout(
      (...given: unknown[]) => {
        timers.delete(id);
        callback(...given);
      },
      delay,
      ...args,
    );
    timers.set(id, { delay: ms, due: Date.now() + ms, order: order++, setFrom: new Error().stack ?? "" });
    return id;
  };
  const recordingClearTimeout = (id: unknown) => {
    if (timers.delete(id)) mockedClearTimeout(id as Parameters<typeof clearTimeout>[0]);
    else clearRealTimeout(id as Parameters<typeof clearTimeout>[0]);
  };
  // The mock restores the real functions when the test ends, replacing these wrappers too.
  globalThis.setTimeout = recordingSetTimeout as unknown as typeof setTimeout;
  globalThis.clearTimeout = recordingClearTimeout as typeof clearTimeout;

  const sorted = (): TimerRecord[] => [...timers.values()].sort((a, b) => a.due - b.due || a.order - b.order);
  const accepts = (match: TimerMatch | undefined, options: TimerOptions, timer: TimerRecord): boolean =>
    (options.setAfter === undefined || timer.order >= options.setAfter) &&
    (match === undefined ? true : typeof match === "number" ? timer.delay === match : match(timer.delay));
  const find = (match: TimerMatch | undefined, options: TimerOptions): TimerRecord | undefined => sorted().find((timer) => accepts(match, options, timer));

  const time: FakeTime = {
    now: () => Date.now(),
    pending: () => sorted().map((timer) => timer.delay),
    soonestDue: (setFrom) => sorted().find((timer) => setFrom.test(timer.setFrom))?.due,
    async nextTimer(match, options = {}) {
      const realTimeoutMs = options.realTimeoutMs ?? 5_000;
      const giveUp = performance.now() + realTimeoutMs;
      for (;;) {
        const found = find(match, options);
        if (found) return found.delay;
        if (performance.now() > giveUp) {
          throw new Error(`no timer ${match === undefined ? "" : `matching ${String(match)} `}was set within ${realTimeoutMs} ms of real time; pending: [${time.pending().join(", ")}]`);
        }
        await new Promise<void>((resolve) => realSetImmediate(resolve));
      }
    },
    tick(ms) {
      t.mock.timers.tick(ms);
    },
    async skip(match, options = {}) {
      const delay = await time.nextTimer(match, options);
      const timer = find(match, options);
      time.tick(Math.max(0, (timer?.due ?? Date.now()) - Date.now()));
      return delay;
    },
    mark: () => order,
    async run(promise, match, options = {}) {
      let settled = false;
      const watched = promise.finally(() => {
        settled = true;
      });
      watched.catch(() => {});
      const realTimeoutMs = options.realTimeoutMs ?? 5_000;
      for (let skips = 0; skips <= (options.maxSkips ?? 1_000); skips++) {
        const giveUp = performance.now() + realTimeoutMs;
        while (!settled && find(match, options) === undefined) {
          if (performance.now() > giveUp) {
            throw new Error(`neither settled nor set a timer matching ${String(match)} within ${realTimeoutMs} ms of real time; pending: [${time.pending().join(", ")}]`);
          }
          await new Promise<void>((resolve) => realSetImmediate(resolve));
        }
        if (settled) return watched;
        const timer = find(match, options) as TimerRecord;
        time.tick(Math.max(0, timer.due - Date.now()));
      }
      throw new Error(`still not settled after ${options.maxSkips ?? 1_000} timers`);
    },
    realPause: (ms) => new Promise<void>((resolve) => realSetTimeout(resolve, ms)),
    within(promise, realTimeoutMs = 5_000) {
      let guard: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<never>((_, reject) => {
        guard = realSetTimeout(() => {
          reject(new Error(`did not settle within ${realTimeoutMs} ms of real time; fake timers pending: [${time.pending().join(", ")}]`));
        }, realTimeoutMs);
      });
      return Promise.race([promise, expired]).finally(() => clearRealTimeout(guard));
    },
  };
  return time;
}
