/**
 * What a poller is at a given moment, as plain data: where it polls, what it last saw, its phase
 * (running → succeeded | failed | cancelled) and its deadline. The poller object (poller.ts) reads
 * it for its synchronous methods and its token; the polling itself (polling.ts, loaded when a
 * poller first sends) moves it on. Both import this module and neither imports the other's code.
 */
import type { AsyncOperationCancelledError } from "../errors.js";
import type { ClientCore } from "../core.js";
import type { RequestOptions } from "../options.js";
import type { AsyncResultShape } from "./token.js";

/** The phase of a poller; `failed` and `cancelled` hold the error that its calls reject with. */
export type Phase<T> =
  | { name: "running" }
  | { name: "fetching-result"; resultUrl: URL }
  /**
   * `resultType`: the `Content-Type` of a result given as text (a body that is not JSON), for the
   * typed pollers to tell an HTML page from a result; kept in the token (`resultType`). `dates`:
   * where a v2 entity's reader converted dates (payload/v2-values.ts `readDatePaths`), kept in
   * the token (`resultDates`) for a resumed poller to note them again. `binary`: the result is a
   * multipart batch answer read as bytes, one character each (monitor-answer.ts `readsBytes`), for
   * the batch to read its parts from; kept in the token (`resultBinary`).
   */
  | {
      name: "succeeded";
      result: T;
      resultType?: string | undefined;
      dates?: string[] | undefined;
      binary?: boolean | undefined;
      /** Where a result fetched apart from the monitor came from (after redirects): what a relative link in it resolves against. */
      resultUrl?: string | undefined;
      /**
       * The version headers of the answer that carried an operation's result, for its poller to
       * judge the result by, as `invoke()` judges its answer, and its `ETag` (monitor-answer.ts
       * `resultVersionsOf`). Not in the token.
       */
      versions?: Record<string, string> | undefined;
    }
  | { name: "failed"; error: Error }
  | { name: "cancelled"; error: AsyncOperationCancelledError };

/** Where a new poller starts. */
export interface PollerStart<T> {
  statusUrl: URL;
  /** `statusUrl.href` where the caller has that text already: the poller keeps it rather than a copy. */
  statusHref?: string;
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

/** The state of one poller, changed in place as its answers are read. */
export interface PollerState<T> {
  /**
   * The status monitor's `href`. Text rather than a `URL`: a waiting poller would hold a `URL` (an
   * object, its parsed parts, and a copy of the text) for as long as it waits, about 200 bytes,
   * while a poll makes one in well under a microsecond.
   */
  statusUrl: string;
  status: string;
  percent: number;
  deadline: number;
  retryAfterAt: number | undefined;
  phase: Phase<T>;
  cancelRequested: boolean;
  shape: AsyncResultShape;
}

/**
 * The phase and the result shape of most pollers, one object each for all of them (a waiting
 * poller holds them as long as it waits). Never changed: a phase or a shape is replaced, not
 * written to.
 */
const RUNNING: Phase<never> = { name: "running" };
const RAW_SHAPE: AsyncResultShape = { kind: "raw" };

/** The state a poller starts in. */
export function initialState<T>(start: PollerStart<T>): PollerState<T> {
  return {
    statusUrl: start.statusHref ?? start.statusUrl.href,
    status: start.status,
    percent: start.percentComplete,
    deadline: start.deadline,
    retryAfterAt: start.retryAfterAt,
    phase: start.phase ?? RUNNING,
    cancelRequested: start.cancelRequested ?? false,
    shape: start.shape ?? RAW_SHAPE,
  };
}

/** Whether the outcome (succeeded, failed or cancelled) is known. */
export function isSettled(state: PollerState<unknown>): boolean {
  const { name } = state.phase;
  return name === "succeeded" || name === "failed" || name === "cancelled";
}

/** The validated options a poller runs with. */
export interface ResolvedPollerOptions {
  pollInterval: number;
  maxWait: number;
  onProgress: ((status: string, percentComplete: number) => void) | undefined;
  signal: AbortSignal | undefined;
  /** The timeout of each request the poller sends (the start, each poll, the result, a cancel); `undefined`: the client's. */
  timeout: number | undefined;
  /** Told of the answer of each request the poller sends (`RequestOptions.onResponse`). */
  onResponse: RequestOptions["onResponse"];
}

/**
 * What the poller needs from the client: its pipeline, and its OData version (whose headers the
 * poller's requests carry; see lro/polling.ts). The client itself, which every poller of it shares:
 * a transport of each poller's own (an object, a closure and its scope) would cost each about 130
 * bytes for as long as it waits.
 */
export type PollerTransport = Pick<ClientCore, "send" | "options">;

/** The succeeded phase of `result`, with the `Content-Type` of a text result where there is one. */
export function succeededPhase<T>(result: T, resultType: string | undefined): Phase<T> & { name: "succeeded" } {
  return resultType === undefined ? { name: "succeeded", result } : { name: "succeeded", result, resultType };
}
