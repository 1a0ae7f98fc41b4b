/**
 * The long-running-operation poller as the caller holds it: its state (lro/state.ts), read by the
 * synchronous methods and written into its token, and the polling, which the first `poll()`,
 * `wait()` or `cancel()` loads (lro/polling.ts: the state machine, the waiting between polls, the
 * reading of monitor answers). A program that never polls never loads that code, and a poller made
 * synchronously (`asyncPoller`, `resumeAsync`) still answers `status()`, `result()`, `toJSON()` at
 * once from its state.
 */
import { AsyncOperationFailedError, ODataClientError } from "../errors.js";
import { toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import { TOKEN_VERSION, type AsyncPollerToken, type AsyncResultShape } from "./token.js";
import { initialState, isSettled, type Phase, type PollerStart, type PollerState, type PollerTransport, type ResolvedPollerOptions } from "./state.js";
import type { PollerEngine } from "./polling.js";
import type { RequestOptions } from "../options.js";
import { redactUrl } from "../util/redact.js";
import { loadOnce } from "../util/load-once.js";
import { callTimeout } from "../util/timers.js";
import { optionalFunction, type OptionNames } from "../util/values.js";

/**
 * Options of a poller, given to `createAsync`, `asyncPoller` and `resumeAsync`. Its `signal`
 * cancels the initial request (`createAsync` and the other `...Async` methods); polls take theirs
 * as the argument of `poll(signal)`, `wait(signal)` and `cancel(signal)`. Its `timeout` times each
 * request on its own, as the client's does: the initial one, each poll, the GET of a result
 * elsewhere and a cancel; the whole wait is bounded by `maxWait`. Its `onResponse` is told of the
 * answer of each of them. A token keeps neither: give them again to `resumeAsync`.
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

/**
 * The options of a poller, by name, for `refuseUnknownOptions`: what `asyncPoller()`,
 * `resumeAsync()` and a batch's `continuation` take.
 */
export const POLLER_OPTIONS = { signal: 1, timeout: 1, onResponse: 1, pollInterval: 1, maxWait: 1, onProgress: 1 } satisfies OptionNames<AsyncPollerOptions>;

export const DEFAULT_POLL_INTERVAL = 2_000;
export const DEFAULT_MAX_WAIT = 600_000;

/** Validates poller options before anything is sent; errors name the call (`where`) and the option. */
export function resolvePollerOptions(options: AsyncPollerOptions | undefined, where: string): ResolvedPollerOptions {
  if (options === undefined) {
    return { pollInterval: DEFAULT_POLL_INTERVAL, maxWait: DEFAULT_MAX_WAIT, onProgress: undefined, signal: undefined, timeout: undefined, onResponse: undefined };
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: poller options must be an object; got ${typeof options}`);
  }
  const { pollInterval = DEFAULT_POLL_INTERVAL, maxWait = DEFAULT_MAX_WAIT, onProgress, signal } = options;
  if (typeof pollInterval !== "number") throw new TypeError(`${where}: option "pollInterval" must be a number of ms; got ${typeof pollInterval}`);
  if (!Number.isFinite(pollInterval) || pollInterval < 0) {
    throw new RangeError(`${where}: option "pollInterval" must be a finite number of ms >= 0; got ${pollInterval}`);
  }
  if (typeof maxWait !== "number") throw new TypeError(`${where}: option "maxWait" must be a number of ms; got ${typeof maxWait}`);
  if (Number.isNaN(maxWait) || maxWait <= 0) throw new RangeError(`${where}: option "maxWait" must be a positive number of ms; got ${maxWait}`);
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new TypeError(`${where}: option "onProgress" must be a function; got ${onProgress === null ? "null" : typeof onProgress}`);
  }
  return { pollInterval, maxWait, onProgress, signal: toAbortSignal(signal), timeout: callTimeout(options.timeout, where), onResponse: optionalFunction(options.onResponse, `${where}: option "onResponse"`) };
}

/**
 * Tells a poller what its raw result is read as (by the `mapPoller` that wraps it), so that its
 * token and its timeout message say how to resume it. Internal: set by `mapPoller`.
 */
export let describeResult: (poller: AsyncPoller<unknown>, shape: AsyncResultShape) => void;

/**
 * A poller's succeeded phase (state.ts), for the readers that wrap it to read its result by what
 * its answer said beside the body: the `Content-Type` of a text result (`resultType`; missing
 * where it was not in the token a poller was resumed from), the version headers of the answer
 * that carried an operation's result (`versions`). `undefined` until the operation has succeeded.
 * @internal
 */
export let succeededPhaseOf: (poller: AsyncPoller<unknown>) => (Phase<unknown> & { name: "succeeded" }) | undefined;


/** The poller of the contract; built by the client, never by users directly. */
export class Poller<T> implements AsyncPoller<T> {
  readonly #transport: PollerTransport;
  readonly #options: ResolvedPollerOptions;
  readonly #state: PollerState<T>;
  /** The polling code and this poller's part of it, loaded by the first call that sends. */
  #engine: PollerEngine<T> | undefined;

  static {
    describeResult = (poller, shape) => {
      if (poller instanceof Poller) poller.#state.shape = shape;
    };
    succeededPhaseOf = (poller) => {
      const phase = poller instanceof Poller ? poller.#state.phase : undefined;
      return phase?.name === "succeeded" ? phase : undefined;
    };
  }

  constructor(transport: PollerTransport, options: ResolvedPollerOptions, start: PollerStart<T>) {
    this.#transport = transport;
    this.#options = options;
    this.#state = initialState(start);
  }

  get statusUrl(): string {
    return this.#state.statusUrl;
  }

  status(): string {
    return this.#state.status;
  }

  percentComplete(): number {
    return this.#state.percent;
  }

  isDone(): boolean {
    return isSettled(this.#state);
  }

  result(): T {
    const { phase } = this.#state;
    switch (phase.name) {
      case "succeeded":
        return phase.result;
      case "failed":
      case "cancelled":
        throw phase.error;
      default:
        throw new ODataClientError("ASYNC_OPERATION_PENDING", `the operation at ${redactUrl(this.#state.statusUrl)} has not finished yet (status "${this.#state.status}")`);
    }
  }

  poll(signal?: AbortSignalLike): Promise<boolean> {
    // Once loaded, the engine is called at once: a call joins a poll on the wire in the same turn
    // (a caller that aborts right after another's call must not end the request they share).
    const engine = this.#engine ?? this.#engineOfLoadedPolling();
    if (engine) return engine.poll(signal);
    return this.#polling().then((engine) => engine.poll(signal));
  }

  wait(signal?: AbortSignalLike): Promise<T> {
    const engine = this.#engine ?? this.#engineOfLoadedPolling();
    if (engine) return engine.wait(signal);
    return this.#polling().then((engine) => engine.wait(signal));
  }

  cancel(signal?: AbortSignalLike): Promise<void> {
    const engine = this.#engine ?? this.#engineOfLoadedPolling();
    if (engine) return engine.cancel(signal);
    return this.#polling().then((engine) => engine.cancel(signal));
  }

  toJSON(): AsyncPollerToken {
    const state = this.#state;
    const token: AsyncPollerToken = {
      type: "traverse-odata/async-poller",
      version: TOKEN_VERSION,
      statusUrl: state.statusUrl,
      status: state.status,
      percentComplete: state.percent,
      deadline: Number.isFinite(state.deadline) ? state.deadline : null,
      resultShape: { ...state.shape },
    };
    if (Number.isFinite(state.deadline)) token.maxWait = this.#options.maxWait;
    if (state.retryAfterAt !== undefined) token.retryAfterAt = state.retryAfterAt;
    if (state.cancelRequested) token.cancelRequested = true;
    const phase = state.phase;
    if (phase.name === "fetching-result") token.resultUrl = phase.resultUrl.href;
    if (phase.name === "succeeded") {
      token.outcome = "succeeded";
      if (phase.result !== undefined) token.result = phase.result;
      if (phase.resultType !== undefined) token.resultType = phase.resultType;
      if (phase.dates?.length) token.resultDates = phase.dates;
      if (phase.binary) token.resultBinary = true;
      if (phase.resultUrl !== undefined) token.resultUrl = phase.resultUrl;
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
   * The polling of this poller. The module is loaded once per process ({@link loadPolling}, which
   * forgets a load that failed, so that the next call tries again).
   */
  #polling(): Promise<PollerEngine<T>> {
    return loadPolling().then(({ PollerEngine }) => (this.#engine ??= new PollerEngine(this.#state, this.#transport, this.#options)));
  }

  /**
   * This poller's polling, made at once where another poller has loaded the module already. A
   * first call then waits for no promise of the load: a wait() would hold that promise, and the
   * functions that settle it, for as long as it waits (about 250 bytes each of thousands of
   * waiting pollers).
   */
  #engineOfLoadedPolling(): PollerEngine<T> | undefined {
    return polling && (this.#engine = new polling.PollerEngine(this.#state, this.#transport, this.#options));
  }
}

/** The polling module once loaded (see {@link Poller.#engineOfLoadedPolling}). */
let polling: typeof import("./polling.js") | undefined;

/** The polling module, imported once for all pollers (a thousand cancelled at once would each pay for an import). */
const loadPolling = /* @__PURE__ */ loadOnce(() => import("./polling.js").then((module) => (polling = module)));
