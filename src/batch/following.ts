/**
 * A batch poller that goes on through the next links of a partial JSON batch result (OData JSON
 * Format 4.01 §19.4, §19.6): a monitor's final answer may hold only some of the answers and a next
 * link for the rest, which a `GET` gives at once or, answered 202, through a new status monitor.
 * The batch's poller is over once every request has its answer (or none is to come).
 */
import type { AbortSignalLike } from "../http/signals.js";
import type { AsyncPoller } from "../lro/poller.js";
import type { AsyncPollerToken } from "../lro/token.js";
import type { BatchResults } from "./results.js";

/** The continuations that read a next link, each with the poller that reads it alone. */
const NEXT_LINKS = new WeakMap<AsyncPoller<BatchResults>, AsyncPoller<BatchResults>>();

/** The poller that reads a next link alone, where `poller` is one (for send(), which reads it at once). */
export function nextLinkReader(poller: AsyncPoller<BatchResults> | undefined): AsyncPoller<BatchResults> | undefined {
  return poller === undefined ? undefined : NEXT_LINKS.get(poller);
}

/**
 * `poller`, going on to the next link its results name, and on from there. `nextLink`: `poller`
 * reads a next link itself (it is then a `results.continuation` that {@link nextLinkReader} finds).
 * `onFailure` is told the error of an end without results (the operation failed or was cancelled,
 * or its answer cannot be read), each time a call meets it, for the batch's handles to say so;
 * left out where the handles keep what they have (a send()'s continuation, see batch/send.ts).
 */
export function following(poller: AsyncPoller<BatchResults>, nextLink: boolean, onFailure?: (cause: unknown) => void): AsyncPoller<BatchResults> {
  const wrapped = new FollowingPoller(poller, onFailure);
  if (nextLink) NEXT_LINKS.set(wrapped, poller);
  return wrapped;
}

class FollowingPoller implements AsyncPoller<BatchResults> {
  #current: AsyncPoller<BatchResults>;
  readonly #onFailure: ((cause: unknown) => void) | undefined;

  constructor(first: AsyncPoller<BatchResults>, onFailure: ((cause: unknown) => void) | undefined) {
    this.#current = first;
    this.#onFailure = onFailure;
  }

  /**
   * Runs a call on the poller read now; an error it throws once that poller is over is the
   * outcome (not an abort, a timeout or a lost connection, after which it can be polled on).
   */
  #calling<R>(call: () => R): R {
    try {
      return call();
    } catch (error) {
      if (this.#current.isDone()) this.#onFailure?.(error);
      throw error;
    }
  }

  /** {@link #calling} for a call that settles later. */
  async #awaiting<R>(call: () => Promise<R>): Promise<R> {
    try {
      return await call();
    } catch (error) {
      if (this.#current.isDone()) this.#onFailure?.(error);
      throw error;
    }
  }

  /** Moves on to the next link while the poller read now is over and its results name one. */
  #advance(): void {
    while (this.#current.isDone()) {
      let results: BatchResults;
      try {
        results = this.#current.result();
      } catch {
        // Failed or cancelled: that is the outcome, read as it is.
        return;
      }
      const next = results.continuation;
      if (next === undefined || !NEXT_LINKS.has(next)) return;
      this.#current = next;
    }
  }

  get statusUrl(): string {
    this.#advance();
    return this.#current.statusUrl;
  }

  async poll(signal?: AbortSignalLike): Promise<boolean> {
    this.#advance();
    await this.#awaiting(() => this.#current.poll(signal));
    this.#advance();
    return !this.#current.isDone();
  }

  result(): BatchResults {
    this.#advance();
    return this.#calling(() => this.#current.result());
  }

  async wait(signal?: AbortSignalLike): Promise<BatchResults> {
    for (;;) {
      this.#advance();
      const results = await this.#awaiting(() => this.#current.wait(signal));
      const next = results.continuation;
      if (next === undefined || !NEXT_LINKS.has(next)) return results;
      this.#current = next;
    }
  }

  status(): string {
    this.#advance();
    return this.#current.status();
  }

  percentComplete(): number {
    this.#advance();
    return this.#current.percentComplete();
  }

  isDone(): boolean {
    this.#advance();
    return this.#current.isDone();
  }

  async cancel(signal?: AbortSignalLike): Promise<void> {
    this.#advance();
    await this.#awaiting(() => this.#current.cancel(signal));
    if (!this.#current.isDone()) return;
    // Cancelled: an end without results, which the handles say as a failure's (cancel() resolves).
    try {
      this.#current.result();
    } catch (error) {
      this.#onFailure?.(error);
    }
  }

  toJSON(): AsyncPollerToken {
    this.#advance();
    return this.#current.toJSON();
  }
}
