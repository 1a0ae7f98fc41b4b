/**
 * The long-running-operation poller: the state machine (running → succeeded | failed | cancelled)
 * and the waiting between polls. How one monitor answer is read lives in monitor-answer.ts.
 */
import { readBody, readBodyText } from "../http/body.js";
import {
  AsyncOperationCancelledError,
  AsyncOperationFailedError,
  AsyncOperationTimeoutError,
  ODataClientError,
  type ODataErrorDetail,
} from "../errors.js";
import { httpErrorFromResponse, readBoundedText } from "../payload/error-body.js";
import type { RedirectMode } from "../http/pipeline.js";
import { retryAfterMs } from "../http/retry-after.js";
import { abortReason, anySignal, sleep, throwIfAborted, toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import type { RequestOptions } from "../options.js";
import { readMonitorAnswer, readResultBody, TRANSIENT_STATUSES, type MonitorAnswer, type MonitorReading, type ServiceProgress } from "./monitor-answer.js";
import { resumeHint, TOKEN_VERSION, type AsyncPollerToken, type AsyncResultShape } from "./token.js";
import { MAX_TIMER_DELAY } from "../util/timers.js";
import { SharedRequest } from "../util/shared-request.js";
import { redactUrl } from "../util/redact.js";

/**
 * Options of a poller, given to `createAsync`, `asyncPoller` and `resumeAsync`. Its `signal`
 * cancels the initial request (`createAsync` and the other `...Async` methods); polls take theirs
 * as the argument of `poll(signal)`, `wait(signal)` and `cancel(signal)`.
 */
export interface AsyncPollerOptions extends RequestOptions {
  /** Milliseconds between poll requests when the service sends no `Retry-After`. @default 2_000 */
  pollInterval?: number | undefined;
  /** Milliseconds in total, from the initial answer (or from the resume). @default 600_000 */
  maxWait?: number | undefined;
  /** Called after every poll whose answer was read, with `status()` and `percentComplete()`. */
  onProgress?: ((status: string, percentComplete: number) => void) | undefined;
}

/**
 * A long-running operation in progress at the service. Not thenable: awaiting `createAsync()`
 * gives the poller; `wait()` waits for the operation.
 * @example
 * const poller = await client.collection("ExportJobs").createAsync<ExportResult>(request);
 * const result = await poller.wait();
 */
export interface AsyncPoller<T> {
  /** Sends one poll request; resolves `true` while the operation runs, `false` once it succeeded. */
  poll(signal?: AbortSignalLike): Promise<boolean>;
  /** The final result; throws `ASYNC_OPERATION_PENDING` before success and the failure after one. */
  result(): T;
  /** Polls until the operation is over, `maxWait` has passed, or `signal` aborts. */
  wait(signal?: AbortSignalLike): Promise<T>;
  /** The status string of the latest answer read. */
  status(): string;
  /** The last progress the service reported (0..100), or -1 if it never reported any. */
  percentComplete(): number;
  /** Whether the outcome (succeeded, failed or cancelled) is known. */
  isDone(): boolean;
  /** The status monitor URL that is polled now. */
  readonly statusUrl: string;
  /** Asks the service to cancel the operation (`DELETE statusUrl`). */
  cancel(signal?: AbortSignalLike): Promise<void>;
  /** Plain JSON from which `client.resumeAsync()` rebuilds the poller. */
  toJSON(): AsyncPollerToken;
}

/** What the poller needs from the client: one request through the client's pipeline. */
export interface PollerTransport {
  send(request: { method: "GET" | "DELETE"; url: URL; signal: AbortSignal | undefined; redirect: RedirectMode; purpose: "poll" | "cancel" | "result" }): Promise<Response>;
}

/** The validated options a poller runs with. */
export interface ResolvedPollerOptions {
  pollInterval: number;
  maxWait: number;
  onProgress: ((status: string, percentComplete: number) => void) | undefined;
  signal: AbortSignal | undefined;
}

export const DEFAULT_POLL_INTERVAL = 2_000;
export const DEFAULT_MAX_WAIT = 600_000;
/** The fifth transient answer in a row rejects (rule 9). */
const TRANSIENT_LIMIT = 5;

/** Validates poller options before anything is sent; errors name the option. */
export function resolvePollerOptions(options: AsyncPollerOptions | undefined): ResolvedPollerOptions {
  if (options === undefined) {
    return { pollInterval: DEFAULT_POLL_INTERVAL, maxWait: DEFAULT_MAX_WAIT, onProgress: undefined, signal: undefined };
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`async poller options must be an object; got ${typeof options}`);
  }
  const { pollInterval = DEFAULT_POLL_INTERVAL, maxWait = DEFAULT_MAX_WAIT, onProgress, signal } = options;
  if (typeof pollInterval !== "number") throw new TypeError(`option "pollInterval" must be a number of ms; got ${typeof pollInterval}`);
  if (!Number.isFinite(pollInterval) || pollInterval < 0) {
    throw new RangeError(`option "pollInterval" must be a finite number of ms >= 0; got ${pollInterval}`);
  }
  if (typeof maxWait !== "number") throw new TypeError(`option "maxWait" must be a number of ms; got ${typeof maxWait}`);
  if (Number.isNaN(maxWait) || maxWait <= 0) throw new RangeError(`option "maxWait" must be a positive number of ms; got ${maxWait}`);
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new TypeError(`option "onProgress" must be a function; got ${onProgress === null ? "null" : typeof onProgress}`);
  }
  return { pollInterval, maxWait, onProgress, signal: toAbortSignal(signal) };
}

type Phase<T> =
  | { name: "running" }
  | { name: "fetching-result"; resultUrl: URL }
  | { name: "succeeded"; result: T }
  | { name: "failed"; error: Error }
  | { name: "cancelled"; error: AsyncOperationCancelledError };

/** Where a new poller starts. */
export interface PollerStart<T> {
  statusUrl: URL;
  status: string;
  percentComplete: number;
  /** Absolute deadline (epoch ms); `Infinity` for none. */
  deadline: number;
  /** When the first poll may go out (epoch ms), from a `Retry-After` on the initial answer. */
  retryAfterAt?: number | undefined;
  cancelRequested?: boolean;
  phase?: Phase<T>;
  /** What the result is read as by whoever wraps this poller. @default { kind: "raw" } */
  shape?: AsyncResultShape;
}

/**
 * Tells a poller what its raw result is read as (by the `mapPoller` that wraps it), so that its
 * token and its timeout message say how to resume it. Internal: set by `mapPoller`.
 */
export let describeResult: (poller: AsyncPoller<unknown>, shape: AsyncResultShape) => void;

/** The poller of the contract; built by the client, never by users directly. */
export class Poller<T> implements AsyncPoller<T> {
  #transport: PollerTransport;
  #options: ResolvedPollerOptions;
  #statusUrl: URL;
  #status: string;
  #percent: number;
  #deadline: number;
  #retryAfterAt: number | undefined;
  #phase: Phase<T>;
  #cancelRequested: boolean;
  #transientInRow = 0;
  #lastTransient: unknown = undefined;
  /** The poll request on the wire, shared by the callers of `poll()` waiting for it. */
  readonly #polls = new SharedRequest<boolean>();
  #shape: AsyncResultShape;

  static {
    describeResult = (poller, shape) => {
      if (poller instanceof Poller) poller.#shape = shape;
    };
  }

  constructor(transport: PollerTransport, options: ResolvedPollerOptions, start: PollerStart<T>) {
    this.#transport = transport;
    this.#options = options;
    this.#statusUrl = start.statusUrl;
    this.#status = start.status;
    this.#percent = start.percentComplete;
    this.#deadline = start.deadline;
    this.#retryAfterAt = start.retryAfterAt;
    this.#cancelRequested = start.cancelRequested ?? false;
    this.#phase = start.phase ?? { name: "running" };
    this.#shape = start.shape ?? { kind: "raw" };
  }

  get statusUrl(): string {
    return this.#statusUrl.href;
  }

  status(): string {
    return this.#status;
  }

  percentComplete(): number {
    return this.#percent;
  }

  isDone(): boolean {
    const { name } = this.#phase;
    return name === "succeeded" || name === "failed" || name === "cancelled";
  }

  result(): T {
    switch (this.#phase.name) {
      case "succeeded":
        return this.#phase.result;
      case "failed":
      case "cancelled":
        throw this.#phase.error;
      default:
        throw new ODataClientError("ASYNC_OPERATION_PENDING", `the operation at ${redactUrl(this.#statusUrl)} has not finished yet (status "${this.#status}")`);
    }
  }

  poll(given?: AbortSignalLike): Promise<boolean> {
    let signal: AbortSignal | undefined;
    try {
      signal = toAbortSignal(given, "poll(signal)");
    } catch (error) {
      return Promise.reject(error);
    }
    // One poll at a time: a call while one is on the wire shares its request and outcome. Each
    // caller's signal rejects that caller's promise at once; the request itself is aborted only
    // when every caller sharing it has given up.
    return this.#polls.join((shared) => this.#pollWithinDeadline(shared), signal);
  }

  async wait(given?: AbortSignalLike): Promise<T> {
    const signal = toAbortSignal(given, "wait(signal)");
    throwIfAborted(signal);
    if (!signal) return this.#waitUntilDone(undefined);
    // One listener on the caller's signal for the whole wait, not one per sleep and request: many
    // pollers often share one signal (a shutdown signal), and adding a listener to an EventTarget
    // costs time in proportion to the listeners it already has.
    const inner = new AbortController();
    const onAbort = () => inner.abort(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.#waitUntilDone(inner.signal);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async #waitUntilDone(signal: AbortSignal | undefined): Promise<T> {
    for (;;) {
      if (this.#phase.name === "succeeded") return this.#phase.result;
      if (this.#phase.name === "failed" || this.#phase.name === "cancelled") throw this.#phase.error;
      const now = Date.now();
      if (now >= this.#deadline) throw this.#timeoutError();
      const pollAt = this.#retryAfterAt ?? now + this.#options.pollInterval;
      if (pollAt >= this.#deadline) {
        // The next poll would be due after the deadline: sleep until it and give up. Decided here
        // rather than by reading the clock after the sleep, because a timer may fire a little
        // before Date.now() reaches the deadline, and then a request would go out after all.
        await sleep(this.#deadline - now, signal);
        throw this.#timeoutError();
      }
      await sleep(pollAt - now, signal);
      if (Date.now() >= this.#deadline) throw this.#timeoutError();
      await this.poll(signal);
    }
  }

  async cancel(given?: AbortSignalLike): Promise<void> {
    const signal = toAbortSignal(given, "cancel(signal)");
    throwIfAborted(signal);
    if (this.isDone()) return;
    const url = this.#statusUrl;
    const response = await this.#send("cancel", "DELETE", url, signal, "manual");
    if (response.status === 202) {
      await discard(response);
      // The cancellation runs; the operation's own monitor is polled on and its 404 will mean
      // "cancelled". A Location here would name a monitor of the DELETE itself, whose final 200
      // must not be taken for the operation's success, so it is not followed.
      this.#cancelRequested = true;
      return;
    }
    if (response.status >= 200 && response.status < 300) {
      await discard(response);
      this.#status = "Cancelled";
      this.#phase = { name: "cancelled", error: this.#cancelledError() };
      return;
    }
    // 405 (the service cannot cancel) and every other answer leave the poller as it was.
    throw await httpErrorFromResponse(response, "DELETE", url);
  }

  toJSON(): AsyncPollerToken {
    const token: AsyncPollerToken = {
      type: "traverse-odata/async-poller",
      version: TOKEN_VERSION,
      statusUrl: this.#statusUrl.href,
      status: this.#status,
      percentComplete: this.#percent,
      deadline: Number.isFinite(this.#deadline) ? this.#deadline : null,
      resultShape: { ...this.#shape },
    };
    if (this.#retryAfterAt !== undefined) token.retryAfterAt = this.#retryAfterAt;
    if (this.#cancelRequested) token.cancelRequested = true;
    const phase = this.#phase;
    if (phase.name === "fetching-result") token.resultUrl = phase.resultUrl.href;
    if (phase.name === "succeeded") {
      token.outcome = "succeeded";
      if (phase.result !== undefined) token.result = phase.result;
    }
    if (phase.name === "cancelled") token.outcome = "cancelled";
    if (phase.name === "failed") {
      token.outcome = "failed";
      const error = phase.error;
      token.failure = { message: error.message };
      if (error instanceof AsyncOperationFailedError) {
        if (error.httpStatus !== undefined) token.failure.httpStatus = error.httpStatus;
        if (error.odataError !== undefined) token.failure.odataError = error.odataError;
      }
    }
    return token;
  }

  /**
   * One poll that may not outlast the deadline: a request still on the wire when `maxWait` ends is
   * aborted and the poll rejects with the timeout, as it would had it started later.
   */
  async #pollWithinDeadline(signal: AbortSignal): Promise<boolean> {
    const left = this.#deadline - Date.now();
    // No deadline (Infinity), or one beyond what a timer can hold: the request's own timeout rules.
    if (!(left <= MAX_TIMER_DELAY)) return this.#pollOnce(signal);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), Math.max(0, left));
    try {
      return await this.#pollOnce(anySignal([signal, deadline.signal]));
    } catch (error) {
      if (deadline.signal.aborted && !signal.aborted) throw this.#timeoutError();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #pollOnce(signal: AbortSignal | undefined): Promise<boolean> {
    const phase = this.#phase;
    if (phase.name === "succeeded") return false;
    if (phase.name === "failed" || phase.name === "cancelled") throw phase.error;
    throwIfAborted(signal);
    if (Date.now() >= this.#deadline) throw this.#timeoutError();
    if (phase.name === "fetching-result") {
      const running = await this.#fetchResult(phase.resultUrl, signal);
      this.#reportProgress();
      return running;
    }

    const url = this.#statusUrl;
    let answer: MonitorAnswer | undefined;
    try {
      const response = await this.#send("poll", "GET", url, signal, "manual");
      if (response.type === "opaqueredirect") await discard(response);
      else answer = await readAnswer(response, url, signal);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (isTransientFailure(error)) return this.#transient(error, undefined);
      throw error;
    }
    // The monitor redirected, and the runtime hides where to (browsers answer a manual redirect
    // with an opaque response: no status, no Location). Rule 7 is then read the only way such a
    // runtime allows: the monitor is asked once more and fetch follows the redirect; the answer it
    // ends at is the result. So the monitor must give the same redirect a second time.
    if (answer === undefined) return this.#apply({ kind: "fetch-result", resultUrl: url }, signal);
    let reading: MonitorReading;
    try {
      reading = readMonitorAnswer(answer);
    } catch (error) {
      // Rule 11: an answer arrived, so a run of transient answers is broken.
      this.#transientInRow = 0;
      this.#lastTransient = undefined;
      throw error;
    }
    return this.#apply(reading, signal);
  }

  async #apply(reading: MonitorReading, signal: AbortSignal | undefined): Promise<boolean> {
    // A cancel() that succeeded while this poll was on the wire has settled the outcome already.
    if (this.isDone()) return this.#settle();
    switch (reading.kind) {
      case "transient":
        return this.#transient(reading.error, reading.retryAfter);
      case "error":
        this.#transientInRow = 0;
        throw reading.error;
      case "gone":
        this.#transientInRow = 0;
        if (this.#cancelRequested) {
          this.#status = "Cancelled";
          this.#phase = { name: "cancelled", error: this.#cancelledError() };
        } else {
          this.#status = "Failed";
          this.#phase = {
            name: "failed",
            error: this.#failedError(`the status monitor answered ${reading.httpStatus}: the operation expired or never existed`, reading.httpStatus, reading.odataError),
          };
        }
        return this.#settle();
      default:
        break;
    }
    this.#transientInRow = 0;
    this.#lastTransient = undefined;
    this.#retryAfterAt = undefined;
    switch (reading.kind) {
      case "running":
        this.#takeProgress(reading, "Running");
        if (reading.location) this.#statusUrl = reading.location;
        if (reading.retryAfter !== undefined) this.#retryAfterAt = absoluteRetryAfter(reading.retryAfter);
        this.#reportProgress();
        return true;
      case "succeeded":
        this.#takeProgress(reading, "Succeeded");
        this.#phase = { name: "succeeded", result: reading.result as T };
        return this.#settle();
      case "fetch-result": {
        this.#takeProgress(reading, "Succeeded");
        this.#phase = { name: "fetching-result", resultUrl: reading.resultUrl };
        try {
          return await this.#fetchResult(reading.resultUrl, signal);
        } finally {
          this.#reportProgress();
        }
      }
      case "failed":
        this.#takeProgress(reading, "Failed");
        this.#phase = { name: "failed", error: this.#failedError(reading.reason, reading.httpStatus, reading.odataError) };
        return this.#settle();
      case "cancelled":
        this.#takeProgress(reading, "Cancelled");
        this.#phase = { name: "cancelled", error: this.#cancelledError() };
        return this.#settle();
    }
  }

  /** Reports the outcome just reached: `false` on success, the failure's rejection otherwise. */
  #settle(): boolean {
    this.#reportProgress();
    const phase = this.#phase;
    if (phase.name === "failed" || phase.name === "cancelled") throw phase.error;
    return false;
  }

  /** GET of the result where it lives apart from the monitor (rules 4, 6, 7). */
  async #fetchResult(resultUrl: URL, signal: AbortSignal | undefined): Promise<boolean> {
    let response: Response;
    try {
      response = await this.#send("result", "GET", resultUrl, signal, "follow");
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (isTransientFailure(error)) return this.#transient(error, undefined);
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      const answer = await readAnswer(response, resultUrl, signal);
      this.#transientInRow = 0;
      this.#lastTransient = undefined;
      this.#phase = { name: "succeeded", result: readResultBody(answer) as T };
      return false;
    }
    const error = await httpErrorFromResponse(response, "GET", resultUrl);
    if (TRANSIENT_STATUSES.has(response.status)) return this.#transient(error, response.headers.get("retry-after") ?? undefined);
    throw error;
  }

  #transient(error: unknown, retryAfter: string | undefined): boolean {
    this.#transientInRow += 1;
    this.#lastTransient = error;
    this.#retryAfterAt = retryAfter === undefined ? undefined : absoluteRetryAfter(retryAfter);
    if (this.#transientInRow >= TRANSIENT_LIMIT) {
      // The caller sees the error; a later poll() starts counting afresh.
      this.#transientInRow = 0;
      throw error;
    }
    return true;
  }

  #takeProgress(progress: ServiceProgress, fallbackStatus: string): void {
    this.#status = progress.status ?? fallbackStatus;
    if (progress.percentComplete !== undefined) this.#percent = progress.percentComplete;
  }

  #reportProgress(): void {
    this.#options.onProgress?.(this.#status, this.#percent);
  }

  #send(purpose: "poll" | "cancel" | "result", method: "GET" | "DELETE", url: URL, signal: AbortSignal | undefined, redirect: RedirectMode): Promise<Response> {
    return this.#transport.send({ method, url, signal, redirect, purpose });
  }

  #errorInit(cause?: unknown) {
    return { statusUrl: this.#statusUrl.href, status: this.#status, percentComplete: this.#percent, ...(cause === undefined ? {} : { cause }) };
  }

  #failedError(reason: string, httpStatus: number | undefined, odataError: ODataErrorDetail | undefined): AsyncOperationFailedError {
    const detail = odataError?.message ? `: ${odataError.message}` : "";
    return new AsyncOperationFailedError(`the operation at ${redactUrl(this.#statusUrl)} failed: ${reason}${detail}`, {
      ...this.#errorInit(),
      httpStatus,
      odataError,
    });
  }

  #cancelledError(): AsyncOperationCancelledError {
    return new AsyncOperationCancelledError(`the operation at ${redactUrl(this.#statusUrl)} was cancelled`, this.#errorInit());
  }

  #timeoutError(): AsyncOperationTimeoutError {
    const maxWait = this.#options.maxWait;
    return new AsyncOperationTimeoutError(
      `the operation at ${redactUrl(this.#statusUrl)} still ran after maxWait (${maxWait} ms); resume it with ${resumeHint(this.#shape)}`,
      { ...this.#errorInit(this.#lastTransient), maxWait },
    );
  }
}

/** A `Retry-After` value as the epoch ms at which the next poll may go out. */
function absoluteRetryAfter(value: string): number | undefined {
  const now = Date.now();
  const delay = retryAfterMs(value, now);
  return delay === undefined ? undefined : now + delay;
}

/** Network errors and request timeouts count as transient answers (rule 9). */
function isTransientFailure(error: unknown): boolean {
  return error instanceof ODataClientError && (error.code === "NETWORK_ERROR" || error.code === "TIMEOUT");
}

/** Reads an answer's body: whole for 2xx, bounded for the rest (they become errors at most). */
async function readAnswer(response: Response, url: URL, signal: AbortSignal | undefined): Promise<MonitorAnswer> {
  const ok = response.status >= 200 && response.status < 300;
  const body = ok ? await readBodyText(response, "GET", url, signal) : await readBody(() => readBoundedText(response), "GET", url, signal);
  return { status: response.status, statusText: response.statusText, headers: response.headers, body, url, method: "GET" };
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}
