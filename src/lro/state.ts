/**
 * What a poller is at a given moment, as plain data: where it polls, what it last saw, its phase
 * (running → succeeded | failed | cancelled) and its deadline. The poller object (poller.ts) reads
 * it for its synchronous methods and its token; the polling itself (polling.ts, loaded when a
 * poller first sends) moves it on. Both import this module and neither imports the other's code.
 */
import type { AsyncOperationCancelledError } from "../errors.js";
import type { RedirectMode } from "../http/pipeline.js";
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
  | { name: "succeeded"; result: T; resultType?: string | undefined; dates?: string[] | undefined; binary?: boolean | undefined }
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

/** The state of one poller, changed in place as its answers are read. */
export interface PollerState<T> {
  statusUrl: URL;
  status: string;
  percent: number;
  deadline: number;
  retryAfterAt: number | undefined;
  phase: Phase<T>;
  cancelRequested: boolean;
  shape: AsyncResultShape;
}

/** The state a poller starts in. */
export function initialState<T>(start: PollerStart<T>): PollerState<T> {
  return {
    statusUrl: start.statusUrl,
    status: start.status,
    percent: start.percentComplete,
    deadline: start.deadline,
    retryAfterAt: start.retryAfterAt,
    phase: start.phase ?? { name: "running" },
    cancelRequested: start.cancelRequested ?? false,
    shape: start.shape ?? { kind: "raw" },
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
}

/** What the poller needs from the client: one request through the client's pipeline. */
export interface PollerTransport {
  send(request: { method: "GET" | "DELETE"; url: URL; signal: AbortSignal | undefined; redirect: RedirectMode; purpose: "poll" | "cancel" | "result" }): Promise<Response>;
}

/** The succeeded phase of `result`, with the `Content-Type` of a text result where there is one. */
export function succeededPhase<T>(result: T, resultType: string | undefined): Phase<T> & { name: "succeeded" } {
  return resultType === undefined ? { name: "succeeded", result } : { name: "succeeded", result, resultType };
}
