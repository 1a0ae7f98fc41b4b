/** Small helpers around `AbortSignal` used by the pipeline and the poller. */

/** The reason an aborted signal carries (an `AbortError` `DOMException` when none was given). */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** Throws the signal's reason if it is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. Either way no
 * timer and no listener is left behind.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  // setTimeout overflows past 2^31-1 ms (about 24.8 days) and would fire at once: wait in parts.
  let left = ms;
  do {
    const part = Math.min(left, MAX_TIMER);
    await sleepOnce(part, signal);
    left -= part;
  } while (left > 0);
}

const MAX_TIMER = 2 ** 31 - 1;

function sleepOnce(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** One signal that aborts when any of the given ones does (with that one's reason). */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  if (typeof AbortSignal.any === "function") return AbortSignal.any(present);
  return anySignalFallback(present);
}

/**
 * `AbortSignal.any` for runtimes without it (Node 20.0 to 20.2, browsers before 2024). Its
 * listeners go once the combined signal aborts; until then they stay on the given signals, which
 * `AbortSignal.any` avoids with weak references that user code cannot express.
 */
export function anySignalFallback(signals: readonly AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  const already = signals.find((signal) => signal.aborted);
  if (already) {
    controller.abort(already.reason);
    return controller.signal;
  }
  const onAbort = (event: Event) => {
    for (const signal of signals) signal.removeEventListener("abort", onAbort);
    controller.abort((event.target as AbortSignal).reason);
  };
  for (const signal of signals) signal.addEventListener("abort", onAbort);
  return controller.signal;
}
