/**
 * One request shared by the callers that wait for it, each free to give up on its own: the
 * poller's `poll()` and the client's `$metadata` cache both need exactly this.
 */

import { onAbort, type AbortSignalLike } from "./abort-waiters.js";

/** The request in flight and the callers that still wait for it. */
interface Shared<T> {
  promise: Promise<T>;
  /** Aborts the request once no caller waits for it any more. */
  controller: AbortController;
  /** Callers that wait and have not given up; callers without a signal never give up. */
  callers: number;
}

/**
 * Shares one request between the callers that ask while it is in flight. A caller whose signal
 * aborts stops waiting at once (its promise rejects with the signal's reason) and the others go on
 * waiting; when the last one gives up, the request is aborted with that caller's reason, and that
 * caller's promise rejects once the request has unwound, so that nothing of it (no timer, no
 * socket) is left when the caller sees the rejection. A caller without a signal never gives up.
 * A settled request is forgotten: the next caller starts a new one.
 * @example
 * const polls = new SharedRequest<boolean>();
 * const running = await polls.join((signal) => pollOnce(signal), callerSignal);
 */
export class SharedRequest<T> {
  #current: Shared<T> | undefined;
  readonly #makeController: (() => AbortController) | undefined;

  /**
   * @param makeController makes the controller of each request (a new `AbortController` without
   * it); the CSRF step gives one whose signal the pipeline's timeout step may abort itself (see
   * `REQUEST_CONTROLLERS`).
   */
  constructor(makeController?: () => AbortController) {
    this.#makeController = makeController;
  }

  /**
   * The controller of a new request. A subclass may make its own here rather than give the
   * constructor a function: the poller's engine is one (lro/polling.ts), and thousands of them may
   * wait at once, each holding what it was given.
   */
  protected newController(): AbortController {
    return this.#makeController ? this.#makeController() : new AbortController();
  }

  /** Whether a request is in flight. */
  get pending(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Aborts the request in flight, if one is, with `reason` (an `AbortError` without it): its
   * callers reject as the request does, and the next caller starts a new one.
   */
  abort(reason?: unknown): void {
    const shared = this.#current;
    this.#current = undefined;
    shared?.controller.abort(reason);
  }

  /**
   * Waits for the request in flight, or starts one with `start` (which gets the signal that
   * aborts it), until it settles or `signal` aborts. `start` is called with this object as `this`,
   * so that a subclass may give one of its methods as it is, without a closure that binds it.
   */
  join(start: (this: this, signal: AbortSignal) => Promise<T>, signal?: AbortSignalLike): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let shared = this.#current;
    if (shared === undefined) {
      const started: Shared<T> = { controller: this.newController(), callers: 0, promise: undefined as unknown as Promise<T> };
      shared = this.#current = started;
      // No rejection goes unhandled: a caller without a signal gets this promise itself, and one
      // with a signal (given up or not) has handlers on it.
      started.promise = this.#run(started, start);
    }
    return this.#wait(shared, signal);
  }

  /** Runs the request of `shared` (`start` must not join this same request), then forgets it. */
  async #run(shared: Shared<T>, start: (this: this, signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await start.call(this, shared.controller.signal);
    } finally {
      if (this.#current === shared) this.#current = undefined;
    }
  }

  #wait(shared: Shared<T>, signal: AbortSignalLike | undefined): Promise<T> {
    shared.callers += 1;
    if (signal === undefined) return shared.promise;
    return new Promise<T>((resolve, reject) => {
      let gaveUp = false;
      const giveUp = () => {
        gaveUp = true;
        const reason: unknown = signal.reason;
        shared.callers -= 1;
        if (shared.callers > 0) {
          reject(reason);
          return;
        }
        if (this.#current === shared) this.#current = undefined;
        shared.controller.abort(reason);
        shared.promise.then(
          () => reject(reason),
          () => reject(reason),
        );
      };
      // One listener per signal however many callers share it (see onAbort).
      const stopWaiting = onAbort(signal, giveUp);
      shared.promise.then(
        (value) => {
          stopWaiting();
          if (!gaveUp) resolve(value);
        },
        (error: unknown) => {
          stopWaiting();
          if (!gaveUp) reject(error);
        },
      );
    });
  }
}
