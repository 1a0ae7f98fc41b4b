/**
 * Waiting for aborts cheaply: one listener per signal however many wait on it. The waits on a
 * caller's signal go through it (a request's timeout, a retry's backoff, a shared request), since
 * one signal is often given to many of them at once; a poller's wait() has a leaner table of its
 * own (lro/polling.ts `WAITS_OF_SIGNAL`: no closure per wait, which a waiting poller would hold).
 */

/** What {@link onAbort} needs of a signal (an `AbortSignal`, or an object that behaves like one). */
export interface AbortTarget {
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/**
 * What the library takes as a signal: an `AbortSignal`, or any object that behaves like one
 * (jsdom's, a polyfill's): `aborted`, `reason`, and `addEventListener`/`removeEventListener` for
 * `"abort"`.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Whether `value` behaves like an `AbortSignal` (see {@link AbortSignalLike}). */
export function isAbortSignalLike(value: unknown): value is AbortSignalLike {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<keyof AbortSignalLike, unknown>>;
  return typeof candidate.aborted === "boolean" && typeof candidate.addEventListener === "function" && typeof candidate.removeEventListener === "function";
}

// The callbacks waiting for each signal's abort, run by one listener per signal: many pollers and
// requests often share one signal (an application's shutdown signal), and one listener per waiter
// would make Node warn about a leak past 10 of them, and make every addEventListener cost time in
// proportion to the listeners already there.
const abortWaiters = new WeakMap<AbortTarget, { listener: () => void; callbacks: Set<() => void> }>();

/**
 * Calls `callback` once when `signal` aborts; the returned function stops that. However many
 * callbacks wait on one signal, it carries one listener (gone with the last callback). A signal
 * that has already aborted fires no more: callers check `aborted` first.
 */
export function onAbort(signal: AbortTarget, callback: () => void): () => void {
  let waiters = abortWaiters.get(signal);
  if (waiters === undefined) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      abortWaiters.delete(signal);
      for (const waiter of callbacks) waiter();
      callbacks.clear();
    };
    waiters = { listener, callbacks };
    abortWaiters.set(signal, waiters);
    signal.addEventListener("abort", listener, { once: true });
  }
  // A wrapper of its own, so that the same function registered twice is two registrations.
  const entry = () => callback();
  const registered = waiters;
  registered.callbacks.add(entry);
  return () => {
    if (!registered.callbacks.delete(entry) || registered.callbacks.size > 0) return;
    if (abortWaiters.get(signal) === registered) abortWaiters.delete(signal);
    signal.removeEventListener("abort", registered.listener);
  };
}
