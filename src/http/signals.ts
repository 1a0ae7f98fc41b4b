/** Small helpers around `AbortSignal` used by the pipeline and the poller. */
import { describe } from "../util/values.js";
import { MAX_TIMER_DELAY } from "../util/timers.js";
import { isAbortSignalLike, onAbort, type AbortSignalLike } from "../util/abort-waiters.js";

export type { AbortSignalLike } from "../util/abort-waiters.js";

/**
 * The reason an aborted signal carries, `null` included (`abort(null)`: fetch rejects with it);
 * an `AbortError` `DOMException` only where a signal of another make has no reason at all.
 */
export function abortReason(signal: AbortSignalLike): unknown {
  const reason = signal.reason;
  return reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
}

/** Throws the signal's reason if it is already aborted. */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

// The real signal standing in for each foreign one, so that however many requests a foreign signal
// is given to, it carries one listener (which goes once it fires) and the requests share one
// bridge. Weak keys: the bridge lives as long as the caller keeps the foreign signal.
const bridges = new WeakMap<AbortSignalLike, AbortSignal>();

/**
 * The signal a caller gave, as a real `AbortSignal`, which is what `fetch` and `AbortSignal.any`
 * insist on: an `AbortSignal` as it is; another object that behaves like one (jsdom's, a
 * polyfill's) bridged to a real one that aborts with the same reason; `undefined` as it is.
 * @throws TypeError naming `where` for anything else
 */
export function toAbortSignal(signal: unknown, where = 'option "signal"'): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  if (!isAbortSignalLike(signal)) {
    throw new TypeError(`${where} must be an AbortSignal (or an object like one, with aborted, reason, addEventListener and removeEventListener); got ${describe(signal)}`);
  }
  let bridge = bridges.get(signal);
  if (bridge === undefined) {
    const controller = new AbortController();
    bridge = controller.signal;
    bridges.set(signal, bridge);
    if (signal.aborted) controller.abort(abortReason(signal));
    else signal.addEventListener("abort", () => controller.abort(abortReason(signal)), { once: true });
  }
  return bridge;
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. Either way no
 * timer and no listener is left behind.
 */
export async function sleep(ms: number, signal?: AbortSignalLike): Promise<void> {
  // setTimeout overflows past 2^31-1 ms (about 24.8 days) and would fire at once: wait in parts.
  let left = ms;
  do {
    const part = Math.min(left, MAX_TIMER_DELAY);
    await sleepOnce(part, signal);
    left -= part;
  } while (left > 0);
}

function sleepOnce(ms: number, signal: AbortSignalLike | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return untilAborted(new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), signal, () => clearTimeout(timer));
}

/**
 * What `promise` gives, or a rejection with the signal's reason as soon as the signal aborts (at
 * once when it has): `stop` then ends at once what the promise waited on (a timer). No listener is
 * left behind either way.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignalLike | undefined, stop?: () => void): Promise<T> {
  if (signal?.aborted) {
    // No listener on a signal that will not abort again: `promise`, which `stop` may keep from
    // settling, would never take it off. Its own failure is nobody's now.
    stop?.();
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    // One listener on the signal however many wait on it (retries of many requests given one signal).
    const stopWaiting = signal && onAbort(signal, () => {
      stop?.();
      reject(abortReason(signal));
    });
    promise.then(resolve, reject).finally(stopWaiting);
  });
}

/**
 * The controllers that abort a signal given to one request at a time, whose failure ends whatever
 * owns the signal, by that signal: the poller's per poll request (lro/polling.ts) and a walk's
 * (read/traversal.ts). The pipeline's timeout step aborts such a signal itself rather than making
 * a second signal and combining the two, which costs a poll about a tenth of its time and a walk
 * about a twentieth.
 */
export const REQUEST_CONTROLLERS = new WeakMap<AbortSignal, AbortController>();

/** A controller whose signal goes to one request at a time, registered in {@link REQUEST_CONTROLLERS}. */
export function requestController(): AbortController {
  const controller = new AbortController();
  REQUEST_CONTROLLERS.set(controller.signal, controller);
  return controller;
}

/**
 * Aborts `target` with `source`'s reason when `source` aborts (at once if it has); the returned
 * function stops that, and is to be called when `target`'s work is done. Through {@link onAbort}:
 * one listener on `source` however many requests and walks follow it, gone with the last of them.
 * Not `AbortSignal.any`, which leaves an entry in `source` per combined signal for as long as
 * `source` lives (Node 20 to 26): a program that gives one signal to every call grew by some 50
 * bytes a request for good.
 */
export function followAbort(source: AbortSignalLike | undefined, target: AbortController): () => void {
  if (source === undefined) return () => undefined;
  if (source.aborted) {
    target.abort(abortReason(source));
    return () => undefined;
  }
  return onAbort(source, () => target.abort(abortReason(source)));
}
