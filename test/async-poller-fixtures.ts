/**
 * Shared setup of the async-poller test files: an async service per test (so tests can run
 * concurrently), clients pointed at it, and small helpers to read what went over the wire.
 */
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type AsyncPoller, type AsyncPollerOptions, type ODataClientOptions } from "../src/index.js";
import { startAsyncService, type AsyncService, type RecordedRequest, type Scenario, type ScenarioName } from "./servers/async-service.js";
import type { FakeTime } from "./fake-time.js";

export { EXPORT_RESULT } from "./servers/async-service.js";

/** The shape of the result entity the scenarios end with. */
export interface ExportResult {
  ID: number;
  rows: number;
  file: string;
}

/** The body every test sends with `createAsync`. */
export const EXPORT_REQUEST = { format: "csv", entitySet: "Books" } as const;

/**
 * Poller options for tests: poll at once. maxWait is only a net for a poller that never ends: a
 * tight one failed tests whose handful of polls took longer on a busy machine. Tests of maxWait
 * set their own, on fake time.
 */
export const FAST: AsyncPollerOptions = { pollInterval: 1, maxWait: 30_000 };

/** Client options without the service URL (the fixture adds it). */
export type TestClientOptions = Omit<ODataClientOptions, "serviceUrl">;

/** An async service and the ways a test uses it (see {@link ownAsyncService}). */
export interface AsyncServiceFixture {
  /** The running service. */
  readonly service: AsyncService;
  /** A new client of the service (the library's defaults unless `options` says otherwise). */
  client(options?: TestClientOptions): ODataClient;
  /** Plays `scenario` and starts an operation with `createAsync` on the entity set `Jobs`. */
  start<T = ExportResult>(scenario: ScenarioName | Scenario, options?: AsyncPollerOptions, client?: ODataClient): Promise<AsyncPoller<T>>;
}

/**
 * Starts an async service of the test's own, closed when the test ends, so that tests with one
 * each can run concurrently (their scenarios and request logs cannot mix).
 */
export async function ownAsyncService(t: TestContext): Promise<AsyncServiceFixture> {
  const service = await startAsyncService();
  t.after(() => service.close());
  return fixtureOf(() => service);
}

function fixtureOf(current: () => AsyncService): AsyncServiceFixture {
  const fixture: AsyncServiceFixture = {
    get service(): AsyncService {
      return current();
    },
    client(options: TestClientOptions = {}): ODataClient {
      return new ODataClient({ serviceUrl: fixture.service.serviceUrl, ...options });
    },
    start<T = ExportResult>(scenario: ScenarioName | Scenario, options: AsyncPollerOptions = FAST, client = fixture.client()): Promise<AsyncPoller<T>> {
      fixture.service.scenario(scenario);
      return client.collection("Jobs").createAsync<T>(EXPORT_REQUEST, options);
    },
  };
  return fixture;
}

/** A header of a recorded request (node:http lower-cases names; repeated headers are joined). */
export function header(request: RecordedRequest | undefined, name: string): string | undefined {
  assert.ok(request, "expected a request to have been recorded");
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** `METHOD path` of each request, for compact wire assertions. */
export function wire(requests: readonly RecordedRequest[]): string[] {
  return requests.map((request) => `${request.method} ${request.path}`);
}

/** Records every `onProgress` call, checking each against the poller's getters at that moment. */
export function progressRecorder() {
  const calls: [string, number][] = [];
  let poller: AsyncPoller<unknown> | undefined;
  const mismatches: string[] = [];
  return {
    calls,
    mismatches,
    /** Lets the recorder compare each call with `status()` and `percentComplete()`. */
    watch(target: AsyncPoller<unknown>) {
      poller = target;
    },
    onProgress(status: string, percent: number) {
      calls.push([status, percent]);
      if (poller && (poller.status() !== status || poller.percentComplete() !== percent)) {
        mismatches.push(`onProgress(${status}, ${percent}) while status()=${poller.status()} percentComplete()=${poller.percentComplete()}`);
      }
    },
  };
}

/** Polls until `poll()` resolves false (or `limit` polls), noting what the poller says after each. */
export async function pollToEnd(poller: AsyncPoller<unknown>, limit = 30): Promise<{ running: boolean; status: string; percent: number }[]> {
  const seen: { running: boolean; status: string; percent: number }[] = [];
  for (let i = 0; i < limit; i++) {
    const running = await poller.poll();
    seen.push({ running, status: poller.status(), percent: poller.percentComplete() });
    if (!running) return seen;
  }
  assert.fail(`the poller still ran after ${limit} polls`);
}

// The real timer functions, taken before any test turns on fake time (test/fake-time.ts): pause()
// and eventually() wait in real time whatever the clock of the code under test does.
const realSetTimeout = globalThis.setTimeout;

/** Resolves after `ms` milliseconds of real time (for tests that check nothing happens meanwhile). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/** Resolves once `condition()` holds, checking every few ms; fails after `timeout` ms of real time. */
export async function eventually(condition: () => boolean, what: string, timeout = 2_000): Promise<void> {
  const giveUp = performance.now() + timeout;
  while (!condition()) {
    if (performance.now() > giveUp) assert.fail(`${what} did not happen within ${timeout} ms`);
    await pause(5);
  }
}

/**
 * On fake time: a mark (see FakeTime.mark) once the service has seen `count` requests. The poll
 * on the wire has set its deadline timer already, so a sleep set after the mark is the one after
 * its answer, even when both are as long (the clock does not move while a request is on the wire).
 */
export async function afterRequests(fixture: AsyncServiceFixture, time: FakeTime, count: number): Promise<{ setAfter: number }> {
  await fixture.service.waitForRequests(count);
  return { setAfter: time.mark() };
}

/** The settled rejection of a promise, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the promise to reject");
}

/** The rejection of `promise`, checked to be an instance of `type` (the error classes the tests expect). */
export async function rejectionAs<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await rejectionOf(promise);
  assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
  return error;
}
