/**
 * A poller whose result is read from another poller's raw result: the operations layer unwraps
 * `{"value": ...}` and v2 wrappers, the batch layer reads a batch answer. Everything but the result
 * is the inner poller's.
 */
import type { AsyncPollerToken, AsyncResultShape } from "./token.js";
import { describeResult, type AsyncPoller } from "./poller.js";
import type { AbortSignalLike } from "../http/signals.js";

/**
 * Wraps `inner` so that `poll()`, `result()` and `wait()` give `read(raw)`. The reading runs once
 * per raw result (readers may change the parsed body in place, as the v2 value reading does).
 * `shape` says what `read` does, in terms a resume can act on: it goes into the token (so that a
 * resumed poller reads its result the same way) and into the timeout message (which names the way
 * to resume).
 */
export function mapPoller<Raw, T>(inner: AsyncPoller<Raw>, read: (raw: Raw) => T, shape: AsyncResultShape): AsyncPoller<T> {
  describeResult(inner as AsyncPoller<unknown>, shape);
  return new MappedPoller(inner, read);
}

class MappedPoller<Raw, T> implements AsyncPoller<T> {
  readonly #inner: AsyncPoller<Raw>;
  readonly #read: (raw: Raw) => T;
  #cache: { raw: Raw; value: T } | undefined;

  constructor(inner: AsyncPoller<Raw>, read: (raw: Raw) => T) {
    this.#inner = inner;
    this.#read = read;
  }

  get statusUrl(): string {
    return this.#inner.statusUrl;
  }

  async poll(signal?: AbortSignalLike): Promise<boolean> {
    const running = await this.#inner.poll(signal);
    // Read the result as soon as it is there: an unreadable one rejects this poll(), and readers
    // with side effects (the batch's handles) show it at once.
    if (!running) this.result();
    return running;
  }

  result(): T {
    const raw = this.#inner.result();
    if (this.#cache === undefined || this.#cache.raw !== raw) this.#cache = { raw, value: this.#read(raw) };
    return this.#cache.value;
  }

  async wait(signal?: AbortSignalLike): Promise<T> {
    await this.#inner.wait(signal);
    return this.result();
  }

  status(): string {
    return this.#inner.status();
  }

  percentComplete(): number {
    return this.#inner.percentComplete();
  }

  isDone(): boolean {
    return this.#inner.isDone();
  }

  cancel(signal?: AbortSignalLike): Promise<void> {
    return this.#inner.cancel(signal);
  }

  toJSON(): AsyncPollerToken {
    return this.#inner.toJSON();
  }
}
