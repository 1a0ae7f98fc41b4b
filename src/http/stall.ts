/**
 * The stall watch: how the client's `timeout` also bounds the time an answer's body goes without
 * progress once its headers are in.
 */
import { ODataClientError } from "../errors.js";
import { redactUrl } from "../util/redact.js";
import { UNANSWERED } from "./unanswered.js";

/** What a stall watch needs of the request it watches: what to name in its error, and its signal. */
export interface WatchedRequest {
  readonly method: string;
  readonly url: URL;
  /** The signal `fetch` is given (the watch's controller's, or one combined with it): its abort errors the body. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Watches one request against the client's `timeout`, in two phases. Until its answer's headers
 * are in ({@link answered}), one timer aborts the request when they take `timeout` ms. Then it
 * watches the reading of the body: when a read of the body has waited `timeout` ms for data, the
 * request is aborted (which errors the body and closes the connection). Either way with code
 * `"TIMEOUT"`, through `controller`, whose signal the request was sent with. Only time spent
 * waiting on the network counts: while the caller holds the body back (backpressure, a consumer
 * busy with the previous page) no read is pending and nothing is timed.
 *
 * It costs one timer for the headers, and one per body, armed at the first pending read and
 * re-armed only when it fires while a read is still waiting; each chunk costs a clock read. The
 * error messages are made only when a timer aborts. While the body's timer is armed, an abort of
 * the request's signal ends the watch: a body nobody reads after the abort (a stream the caller
 * dropped, a walk left) would otherwise keep the timer, and the process with it, for up to
 * `timeout` ms.
 */
export class BodyStallWatch {
  /** The `timeout` it watches, in ms (0: none): what an error about a stall it found names. */
  readonly timeout: number;
  readonly #request: WatchedRequest;
  readonly #controller: AbortController;
  /** The `TIMEOUT` the headers' timer aborted the request with, if it did. */
  #headersTimedOut: ODataClientError | undefined;
  /** When the pending read started (epoch ms), or -1 when no read is pending. */
  #waitingSince = -1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  /** The `TIMEOUT` the body's stall aborted the request with, if it did. */
  #stalled: ODataClientError | undefined;
  /** Ends the watch on the request's abort; listening while the body's timer is armed. */
  #onAbort: (() => void) | undefined;
  /** What else ends with the body ({@link untilEnd}). */
  #atEnd: (() => void) | undefined;

  /**
   * Arms the timer of the headers at once.
   * @param request its `signal` is the one `fetch` is given
   * @param controller aborts the request
   */
  constructor(timeout: number, request: WatchedRequest, controller: AbortController) {
    this.timeout = timeout;
    this.#request = request;
    this.#controller = controller;
    // Without a timeout (0) nothing is timed: the watch only tells when the body ends (untilEnd).
    if (timeout > 0) this.#timer = setTimeout(() => this.#headersExpired(), timeout);
  }

  /**
   * The answer's headers are in, or the request failed: the timer of the headers goes. Returns the
   * `TIMEOUT` error if that timer aborted the request, for the request to fail with.
   */
  answered(): ODataClientError | undefined {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.#headersTimedOut;
  }

  /** A read of the body is about to wait for data. */
  reading(): void {
    if (this.#ended || this.timeout <= 0) return;
    this.#waitingSince = Date.now();
    if (this.#timer === undefined) this.#arm(this.timeout);
    else holdOpen(this.#timer, true);
  }

  /**
   * The pending read has settled (data, the end, or a failure). The timer stays armed for the next
   * read, but holds the process open only while a read waits: a body nobody reads any more (a media
   * stream dropped after a chunk, its connection then gone) must not hold it for up to `timeout`.
   */
  progressed(): void {
    this.#waitingSince = -1;
    if (this.#timer !== undefined) holdOpen(this.#timer, false);
  }

  /**
   * What a failed read of the body reports: the `TIMEOUT` this watch aborted the request with, if
   * it did, else `error`. A runtime may error the body with a copy of the abort's reason rather
   * than the reason itself (workerd, a plain `Error` of its message).
   */
  failure(error: unknown): unknown {
    return this.#stalled ?? error;
  }

  /** The body is read, cancelled or failed: the timer goes, and nothing is timed any more. */
  end(): void {
    this.#ended = true;
    this.#waitingSince = -1;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unlisten();
    this.#atEnd?.();
    this.#atEnd = undefined;
  }

  /** Calls `callback` when the body ends ({@link end}): the request's hold on the caller's signal. */
  untilEnd(callback: () => void): void {
    this.#atEnd = callback;
  }

  /** (Nothing to remove, or removed already: a no-op.) */
  #unlisten(): void {
    this.#request.signal!.removeEventListener("abort", this.#onAbort!);
  }

  #describe(): string {
    return `${this.#request.method} ${redactUrl(this.#request.url)}`;
  }

  #headersExpired(): void {
    this.#timer = undefined;
    // Aborted already (by its owner, or the caller): the request fails with that reason.
    if (this.#controller.signal.aborted) return;
    const detail = `got no answer within ${this.timeout} ms (option "timeout")`;
    this.#headersTimedOut = new ODataClientError("TIMEOUT", `${this.#describe()} ${detail}`);
    UNANSWERED.set(this.#headersTimedOut, { request: this.#request, detail });
    this.#controller.abort(this.#headersTimedOut);
  }

  #arm(ms: number): void {
    // Once per body, not per chunk (a re-arm adds the same listener, which counts once).
    this.#request.signal!.addEventListener("abort", (this.#onAbort ??= () => this.end()));
    this.#timer = setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    this.#timer = undefined;
    // No read pending: the caller is holding the body back, which is not a stall. The next read
    // arms the timer again (and listens again).
    if (this.#waitingSince < 0 || this.#ended) return this.#unlisten();
    const idle = Date.now() - this.#waitingSince;
    if (idle < this.timeout) {
      this.#arm(this.timeout - idle);
      return;
    }
    this.end();
    this.#controller.abort((this.#stalled = new ODataClientError("TIMEOUT", `${this.#describe()}: the answer's body stalled, no data arrived for ${this.timeout} ms (option "timeout")`)));
  }
}

/**
 * Whether `timer` holds the process open, where the runtime can say (Node, Bun: `ref`/`unref`; a
 * no-op elsewhere).
 */
function holdOpen(timer: ReturnType<typeof setTimeout>, hold: boolean): void {
  (timer as { ref?: () => void; unref?: () => void })[hold ? "ref" : "unref"]?.();
}

const stallWatches = new WeakMap<Response, BodyStallWatch>();

/** Registers the stall watch of an answer (the timeout step does, once its headers are in). */
export function watchBodyStalls(response: Response, watch: BodyStallWatch): void {
  stallWatches.set(response, watch);
}

/**
 * The stall watch of an answer, if the client's timeout step gave it one (with `timeout` 0, one that
 * times nothing and is there for its end; none when a pipeline step answered with a `Response` of
 * its own, or for a request under a signal of its own without a timeout).
 */
export function bodyStallWatch(response: Response): BodyStallWatch | undefined {
  return stallWatches.get(response);
}

