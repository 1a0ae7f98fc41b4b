/**
 * A poller whose result is read from another poller's raw result: the operations layer unwraps
 * `{"value": ...}` and v2 wrappers, the batch layer reads a batch answer. Everything but the result
 * is the inner poller's.
 */
import type { AsyncPollerToken, AsyncResultShape } from "./token.js";
import { describeResult, type AsyncPoller } from "./poller.js";
import type { AbortSignalLike } from "../http/signals.js";
import { ODataClientError } from "../errors.js";
import { redactUrl } from "../util/redact.js";

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

/**
 * A poller like {@link mapPoller}'s whose reader is loaded with the code that reads the result
 * (`load` gives the mapped poller, or rejects when the inner poller's result cannot be read this
 * way, which then rejects the first `poll()`, `wait()` or `cancel()`). Until `load` has settled,
 * everything but the result is the inner poller's; `result()` of an inner poller that succeeded is
 * then `ASYNC_OPERATION_PENDING`, since the result is read once the reader is there.
 */
export function lazilyMappedPoller<T>(inner: AsyncPoller<unknown>, load: () => Promise<AsyncPoller<T>>): AsyncPoller<T> {
  return new LazilyMappedPoller(inner, load);
}

class LazilyMappedPoller<T> implements AsyncPoller<T> {
  readonly #inner: AsyncPoller<unknown>;
  readonly #load: () => Promise<AsyncPoller<T>>;
  #loading: Promise<AsyncPoller<T>> | undefined;
  #mapped: AsyncPoller<T> | undefined;

  constructor(inner: AsyncPoller<unknown>, load: () => Promise<AsyncPoller<T>>) {
    this.#inner = inner;
    this.#load = load;
  }

  get statusUrl(): string {
    return (this.#mapped ?? this.#inner).statusUrl;
  }

  poll(signal?: AbortSignalLike): Promise<boolean> {
    // Once loaded, the mapped poller is called at once, in the caller's turn (see Poller.poll).
    if (this.#mapped) return this.#mapped.poll(signal);
    return this.#reader().then((mapped) => mapped.poll(signal));
  }

  result(): T {
    if (this.#mapped) return this.#mapped.result();
    // Pending, failed or cancelled: the inner poller says so (and throws); succeeded: not read yet.
    this.#inner.result();
    throw new ODataClientError(
      "ASYNC_OPERATION_PENDING",
      `the operation at ${redactUrl(this.#inner.statusUrl)} has finished, but its result is read with the poller's first poll(), wait() or cancel(); await one of them first`,
    );
  }

  wait(signal?: AbortSignalLike): Promise<T> {
    if (this.#mapped) return this.#mapped.wait(signal);
    return this.#reader().then((mapped) => mapped.wait(signal));
  }

  status(): string {
    return (this.#mapped ?? this.#inner).status();
  }

  percentComplete(): number {
    return (this.#mapped ?? this.#inner).percentComplete();
  }

  isDone(): boolean {
    return (this.#mapped ?? this.#inner).isDone();
  }

  cancel(signal?: AbortSignalLike): Promise<void> {
    if (this.#mapped) return this.#mapped.cancel(signal);
    return this.#reader().then((mapped) => mapped.cancel(signal));
  }

  toJSON(): AsyncPollerToken {
    return (this.#mapped ?? this.#inner).toJSON();
  }

  #reader(): Promise<AsyncPoller<T>> {
    this.#loading ??= this.#load().then(
      (mapped) => (this.#mapped = mapped),
      (error: unknown) => {
        // A load that failed for want of the code (a chunk the network did not deliver) is tried
        // again by the next call; one that refused the token refuses it again.
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }
}
