/**
 * The polling of a long-running operation: the state machine (running → succeeded | failed |
 * cancelled) and the waiting between polls, moving a poller's state (lro/state.ts) on. How one
 * monitor answer is read lives in monitor-answer.ts. Loaded by a poller's first `poll()`, `wait()`
 * or `cancel()` (lro/poller.ts), so that a program without long-running operations never loads it.
 */
import { readBody, discard } from "../http/body.js";
import { AsyncOperationCancelledError, AsyncOperationFailedError, AsyncOperationTimeoutError, ODataClientError, type ODataErrorDetail } from "../errors.js";
import { httpErrorFromResponse, readErrorBody } from "../payload/error-body.js";
import type { RedirectMode } from "../http/pipeline.js";
import { abortReason, REQUEST_CONTROLLERS, requestController, throwIfAborted, toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import { asyncResultSaysFailure, readMonitorAnswer, readResultBody, readsBytes, resultPhase, retryAfterAt, resultVersionsOf, textResultType, TRANSIENT_STATUSES, type MonitorAnswer, type MonitorReading, type ServiceProgress } from "./monitor-answer.js";
import { readBodyAs } from "../payload/http-envelope.js";
import { jsonMediaType } from "../payload/content-type.js";
import { versionHeaders, type RequestKind } from "../payload/version-headers.js";
import type { ODataVersion } from "../options.js";
import { resumeHint, type AsyncResultShape } from "./token.js";
import { isSettled, type Phase, type PollerState, type PollerTransport, type ResolvedPollerOptions } from "./state.js";
import { MAX_TIMER_DELAY } from "../util/timers.js";
import { SharedRequest } from "../util/shared-request.js";
import { answeredUrl } from "./answer-url.js";
import { redactUrl, SENT_SECRETS } from "../util/redact.js";

/** The fifth transient answer in a row rejects (rule 9). */
const TRANSIENT_LIMIT = 5;

/**
 * How many polls in a row one controller may be given to (see `PollerEngine.newController`);
 * a poll may send more than one request with it (a result GET, redirect hops).
 */
export const CONTROLLER_USES = 16;

/**
 * The polling of one poller: sends its requests and moves its state on. It is itself the poll
 * request that the callers of `poll()` (and the wait() calls) share while it is on the wire
 * (`SharedRequest`): thousands of pollers may wait at once, and a shared request of their own, with
 * the closures it is given, would cost each about 200 bytes for as long as it waits.
 */
export class PollerEngine<T> extends SharedRequest<boolean> {
  readonly #state: PollerState<T>;
  readonly #transport: PollerTransport;
  readonly #options: ResolvedPollerOptions;
  #transientInRow = 0;
  #lastTransient: unknown = undefined;
  /** The controller of the last poll request, for the next (see {@link newController}). */
  #spare: WeakRef<AbortController> | undefined;
  /** How many polls the spare controller has been given to. */
  #spareUses = 0;
  /**
   * `statusUrl` as a `URL`, with the text it was made from: a poll asks at the same object as the
   * one before while the monitor stays where it is (see {@link #monitorUrl}).
   */
  #monitor: { href: string; url: URL } | undefined;
  /**
   * The signals of the wait() calls under way: a successful cancel() aborts them, and any outcome a
   * poll reaches wakes those that sleep (see {@link #pollWithinDeadline}). The one signal as it is
   * while there is one (as good as always), a set of them once there are more.
   */
  #waits: WaitSignal<T> | Set<WaitSignal<T>> | undefined;

  constructor(state: PollerState<T>, transport: PollerTransport, options: ResolvedPollerOptions) {
    super();
    this.#state = state;
    this.#transport = transport;
    this.#options = options;
  }

  poll(given?: AbortSignalLike): Promise<boolean> {
    let signal: AbortSignal | undefined;
    try {
      signal = toAbortSignal(given, "poll(signal)");
    } catch (error) {
      return Promise.reject(error);
    }
    // One poll at a time: a call while one is on the wire shares its request and outcome. Each
    // caller's signal rejects that caller's promise at once; the request itself is aborted only
    // when every caller sharing it has given up.
    return this.join(this.#pollWithinDeadline, signal);
  }

  wait(given?: AbortSignalLike): Promise<T> {
    let signal: AbortSignal | undefined;
    try {
      signal = toAbortSignal(given, "wait(signal)");
      throwIfAborted(signal);
      const known = this.#outcome();
      if (known) return Promise.resolve(known.result);
    } catch (error) {
      return Promise.reject(error);
    }
    // Not an async function: a waiting poller would hold its frame and the promise it awaits (its
    // sleep's), with the functions that settle that, for as long as it sleeps. A sleeping wait holds
    // its timer, its signal and the functions that settle its promise; it polls from wakeUp().
    return new Promise<T>((resolve, reject) => {
      // The wait's own signal: the caller's abort reaches it through one listener for the whole
      // wait (not one per sleep and request), and a cancel() that succeeds aborts it, so that a
      // sleeping wait settles at once rather than when it wakes.
      const waiting = new WaitSignal<T>(this, signal, resolve, reject);
      // One listener per signal however many waits share it (an application's shutdown signal),
      // and no closure per wait: see WAITS_OF_SIGNAL.
      if (signal) watchSignal(signal, waiting);
      this.#addWait(waiting);
      this.#waitOn(waiting);
    });
  }

  /**
   * A wait() goes on: it settles where the outcome is known or `maxWait` has passed; otherwise it
   * sleeps until its next poll is due, and then polls ({@link wakeUp}).
   */
  #waitOn(waiting: WaitSignal<T>): void {
    let known: { result: T } | undefined;
    try {
      known = this.#outcome();
      if (known === undefined) {
        const now = Date.now();
        if (now >= this.#state.deadline) throw this.#timeoutError();
        const pollAt = this.#state.retryAfterAt ?? now + this.#options.pollInterval;
        // The next poll would be due after the deadline: sleep until it and give up. Decided here
        // rather than by reading the clock after the sleep, because a timer may fire a little
        // before Date.now() reaches the deadline, and then a request would go out after all.
        const last = pollAt >= this.#state.deadline;
        waiting.sleep(last ? this.#state.deadline - now : pollAt - now, last);
        return;
      }
    } catch (error) {
      this.#endWait(waiting, undefined, error);
      return;
    }
    this.#endWait(waiting, known);
  }

  /**
   * The sleep of a wait() has ended (its time was up, the outcome became known, or its signal
   * aborted): it sends the poll that was due and goes on ({@link #waitOn}), or settles. Called by
   * the wait's signal, a turn after the sleep ended, as an `await` of the sleep would go on.
   */
  async wakeUp(waiting: WaitSignal<T>, last: boolean): Promise<void> {
    try {
      if (waiting.aborted) throw waiting.reason;
      if (last) {
        // Woken early: a poll() of another caller reached the outcome meanwhile.
        const reached = this.#outcome();
        if (reached) return this.#endWait(waiting, reached);
        throw this.#timeoutError();
      }
      if (!isSettled(this.#state)) {
        const now = Date.now();
        if (now >= this.#state.deadline) throw this.#timeoutError();
        // Another caller's poll (a poll(), another wait()) read an answer with a Retry-After while
        // this wait slept: the latest answer decides when the next poll may go out, not this
        // wait's own timer, so it sleeps on rather than ask a service that asked for a pause.
        const retryAfterAt = this.#state.retryAfterAt;
        if (retryAfterAt !== undefined && retryAfterAt > now) return this.#waitOn(waiting);
        // As poll() does, with the wait's signal as it is (poll() would bridge it to an AbortSignal).
        await this.join(this.#pollWithinDeadline, waiting);
      }
    } catch (error) {
      this.#endWait(waiting, undefined, error);
      return;
    }
    this.#waitOn(waiting);
  }

  /**
   * A wait() is over: its signal no longer watches the caller's, a cancel() no longer aborts it,
   * and its promise settles, with the result where `known` has it and with `error` otherwise.
   */
  #endWait(waiting: WaitSignal<T>, known: { result: T } | undefined, error?: unknown): void {
    if (waiting.callerSignal) unwatchSignal(waiting.callerSignal, waiting);
    this.#removeWait(waiting);
    if (known) waiting.resolve(known.result);
    else waiting.reject(error);
  }

  #addWait(waiting: WaitSignal<T>): void {
    const waits = this.#waits;
    if (waits === undefined) this.#waits = waiting;
    else if (waits instanceof Set) waits.add(waiting);
    else this.#waits = new Set([waits, waiting]);
  }

  #removeWait(waiting: WaitSignal<T>): void {
    const waits = this.#waits;
    if (waits === waiting) this.#waits = undefined;
    else if (waits instanceof Set && waits.delete(waiting) && waits.size === 0) this.#waits = undefined;
  }

  /** The signals of the wait() calls under way, in the order they began. */
  #eachWait(): Iterable<WaitSignal<T>> {
    const waits = this.#waits;
    return waits === undefined ? [] : waits instanceof Set ? waits : [waits];
  }

  /** The outcome once it is known: the result (boxed), or the failure thrown; `undefined` while the operation runs. */
  #outcome(): { result: T } | undefined {
    const phase = this.#state.phase;
    if (phase.name === "succeeded") return { result: phase.result };
    if (phase.name === "failed" || phase.name === "cancelled") throw phase.error;
    return undefined;
  }

  async cancel(given?: AbortSignalLike): Promise<void> {
    const signal = toAbortSignal(given, "cancel(signal)");
    throwIfAborted(signal);
    if (isSettled(this.#state)) return;
    const url = new URL(this.#state.statusUrl);
    const response = await this.#send("cancel", "DELETE", url, signal, "manual");
    if (response.ok && isSettled(this.#state)) {
      // A poll reached the outcome while the DELETE was on the wire: it has been reported (and
      // handed out by wait() and result()), so it stays what it is, as a cancel() after it would.
      await discard(response);
      return;
    }
    if (response.status === 202) {
      await discard(response);
      // The cancellation runs; the operation's own monitor is polled on and its 404 will mean
      // "cancelled". A Location here would name a monitor of the DELETE itself, whose final 200
      // must not be taken for the operation's success, so it is not followed.
      this.#state.cancelRequested = true;
      return;
    }
    if (response.status >= 200 && response.status < 300) {
      await discard(response);
      this.#state.status = "Cancelled";
      const phase = this.#cancelledPhase();
      this.#state.phase = phase;
      // Every wait() settles now, the sleeping ones included, not when it would next wake.
      for (const waiting of this.#eachWait()) waiting.abort(phase.error);
      return;
    }
    // 405 (the service cannot cancel) and every other answer leave the poller as it was.
    throw await httpErrorFromResponse(response, "DELETE", url, { signal });
  }

  /**
   * The controller of the next poll: the last one again, while it is not aborted, for up to
   * {@link CONTROLLER_USES} polls in a row (each with all its requests: the monitor's, a result
   * GET, redirect hops). Making one costs a poll a tenth of the library's own work or more (Node 20
   * takes microseconds for an `AbortSignal`, and as long again to make it a key of
   * {@link REQUEST_CONTROLLERS}). Handing it on is safe because nothing aborts it once its poll has
   * ended: the deadline timer and the timeout step's timers end with the requests, and an aborted
   * controller is never handed on. The bound is there because `fetch` leaves a listener on every
   * signal it was given until that request is garbage. Held weakly: a poller that is not polling
   * keeps none.
   */
  protected override newController(): AbortController {
    let controller = this.#spareUses < CONTROLLER_USES ? this.#spare?.deref() : undefined;
    if (controller === undefined || controller.signal.aborted) {
      controller = requestController();
      this.#spare = typeof WeakRef === "function" ? new WeakRef(controller) : undefined;
      this.#spareUses = 0;
    }
    this.#spareUses += 1;
    return controller;
  }

  /**
   * One poll that may not outlast the deadline: a request still on the wire when `maxWait` ends is
   * aborted and the poll rejects with the timeout, as it would had it started later.
   */
  async #pollWithinDeadline(signal: AbortSignal): Promise<boolean> {
    const left = this.#state.deadline - Date.now();
    // No deadline (Infinity), or one beyond what a timer can hold: the request's own timeout rules.
    // Otherwise the signal is this poll request's own (the shared request's): the deadline aborts
    // it, so a poll costs one timer here and no second signal.
    const timer = left <= MAX_TIMER_DELAY ? setTimeout(abortAtDeadline, Math.max(0, left), REQUEST_CONTROLLERS.get(signal)) : undefined;
    try {
      const running = await this.#pollOnce(signal);
      // A cancel() that succeeded while this poll was on the wire has settled the outcome, whatever
      // the poll met meanwhile: a transient failure (a network error, a timeout) reads as running.
      // No answer was read, so nothing is reported (onProgress follows answers read).
      const phase = this.#state.phase;
      if (running && phase.name === "cancelled") throw phase.error;
      return running;
    } catch (error) {
      // The same when the poll failed (an answer that could not be read, an error status).
      const phase = this.#state.phase;
      if (phase.name === "cancelled") throw phase.error;
      if (timer !== undefined && DEADLINE_REASONS.has(signal.reason)) throw this.#timeoutError();
      throw error;
    } finally {
      clearTimeout(timer);
      // The outcome is known now (this poll reached it, or a cancel() did while it ran): every
      // wait() asleep meanwhile settles with it at once, not when it would next wake.
      if (this.#waits && isSettled(this.#state)) for (const waiting of this.#eachWait()) waiting.wake();
      else if (this.#waits) this.#replanWaits();
    }
  }

  /**
   * A poll has ended while wait() calls slept (on `pollInterval`, on the Retry-After of an earlier
   * answer, or on the deadline where that lay past it): they sleep again, until the time the latest
   * answer makes the next poll due. `pollInterval` is the time between poll requests, not between
   * each wait's own: two waits of one poller, each on its own timer, polled twice as often, and a
   * wait polled right after a poll() by hand. The wait that sent this poll is not asleep (nothing
   * to do: the loop of a lone wait pays one check per poll).
   */
  #replanWaits(): void {
    const waits = this.#waits;
    if (waits instanceof Set) {
      for (const waiting of waits) if (waiting.interrupt()) this.#waitOn(waiting);
    } else if (waits?.interrupt()) {
      this.#waitOn(waits);
    }
  }

  async #pollOnce(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.#outcome()) return false;
    throwIfAborted(signal);
    const phase = this.#state.phase;
    if (Date.now() >= this.#state.deadline) throw this.#timeoutError();
    if (phase.name === "fetching-result") return this.#fetchResultAgain(phase.resultUrl, signal);

    const url = this.#monitorUrl();
    let response: Response;
    try {
      response = await this.#send("poll", "GET", url, signal, "manual");
    } catch (error) {
      return this.#requestFailed(error, signal, undefined);
    }
    let answer: MonitorAnswer | undefined;
    try {
      if (response.type === "opaqueredirect") await discard(response);
      // An answer whose headers already say failure (an error status, a failed AsyncResult) is
      // read with the part of its body that came: it decides even when that body stalls. Any other
      // needs its whole body; one that breaks off is no answer read (rule 9).
      else if (response.ok && !asyncResultSaysFailure(response.status, response.headers)) answer = await okAnswer(response, url, signal, this.#state.shape, response.status === 200);
      else answer = await errorAnswer(response, url, signal);
    } catch (error) {
      return this.#requestFailed(error, signal, retryAfterOf(response));
    }
    // The monitor redirected, and the runtime hides where to (browsers answer a manual redirect
    // with an opaque response: no status, no Location). Rule 7 is then read the only way such a
    // runtime allows: the monitor is asked once more and fetch follows the redirect; the answer it
    // ends at is the result. So the monitor must give the same redirect a second time.
    if (answer === undefined) return this.#apply({ kind: "fetch-result", resultUrl: url }, signal);
    let reading: MonitorReading;
    try {
      reading = readMonitorAnswer(answer, this.#state.shape);
    } catch (error) {
      // Rule 11: an answer arrived, so a run of transient answers is broken.
      this.#answered(undefined);
      throw error;
    }
    return this.#apply(reading, signal);
  }

  /**
   * The URL a poll asks at: made from `statusUrl` once, and again only when the monitor moves (a
   * 202's `Location`). Parsing it for every poll cost the poll a `URL`, and a monitor that names
   * itself in every 202 had its `Location` resolved anew each time, since monitor-answer.ts keeps
   * the last one by the `URL` object the poll asked at. (The pipeline changes no request's URL in
   * place: a client with steps of yours sends a copy.)
   */
  #monitorUrl(): URL {
    const href = this.#state.statusUrl;
    let monitor = this.#monitor;
    if (monitor?.href !== href) monitor = this.#monitor = { href, url: new URL(href) };
    return monitor.url;
  }

  /** Moves the state on by one reading; a promise only where the result is fetched next. */
  #apply(reading: MonitorReading, signal: AbortSignal | undefined): boolean | Promise<boolean> {
    // A cancel() that succeeded while this poll was on the wire has settled the outcome already. The
    // answer is still reported where rules 1 to 8 read it, with the state it ended at.
    if (isSettled(this.#state)) {
      if (reading.kind !== "transient" && reading.kind !== "error") this.#reportProgress();
      this.#outcome(); // throws the cancellation
      return false;
    }
    switch (reading.kind) {
      case "transient":
        return this.#transient(reading.error, reading.retryAfter);
      case "error":
        this.#answered(undefined);
        throw reading.error;
      case "gone":
        this.#answered(undefined);
        if (this.#state.cancelRequested) {
          this.#state.status = "Cancelled";
          this.#state.phase = this.#cancelledPhase();
        } else {
          this.#state.status = "Failed";
          this.#state.phase = {
            name: "failed",
            error: this.#failedError(`the status monitor answered ${reading.httpStatus}: the operation expired or never existed`, reading.httpStatus, reading.odataError, reading.cause),
          };
        }
        return this.#settle();
      default:
        break;
    }
    this.#answered(reading.kind === "running" ? reading.retryAfter : undefined);
    switch (reading.kind) {
      case "running":
        this.#takeProgress(reading, "Running");
        if (reading.location) this.#state.statusUrl = reading.location.href;
        this.#reportProgress();
        return true;
      case "succeeded":
        this.#takeProgress(reading, "Succeeded");
        this.#state.phase = resultPhase(reading.result as T, reading.resultType, this.#state.shape, reading.binary, reading.versions);
        return this.#settle();
      case "fetch-result":
        this.#takeProgress(reading, "Succeeded");
        this.#state.phase = { name: "fetching-result", resultUrl: reading.resultUrl };
        return this.#fetchResultAndReport(reading.resultUrl, signal);
      case "failed":
        this.#takeProgress(reading, "Failed");
        this.#state.phase = { name: "failed", error: this.#failedError(reading.reason, reading.httpStatus, reading.odataError, reading.cause) };
        return this.#settle();
      case "cancelled":
        this.#takeProgress(reading, "Cancelled");
        this.#state.phase = this.#cancelledPhase();
        return this.#settle();
    }
  }

  /** Reports the outcome just reached: `false` on success, the failure's rejection otherwise. */
  #settle(): boolean {
    this.#reportProgress();
    const phase = this.#state.phase;
    if (phase.name === "failed" || phase.name === "cancelled") throw phase.error;
    return false;
  }

  /**
   * {@link #fetchResult} right after the answer that named the result, which is reported either
   * way, once, with the state it ended at (`Cancelled` when a cancel() settled the poller meanwhile).
   */
  async #fetchResultAndReport(resultUrl: URL, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      return await this.#fetchResult(resultUrl, signal);
    } finally {
      this.#reportProgress();
    }
  }

  /**
   * {@link #fetchResult} on a later poll, the answer that named the result having been reported on
   * its own poll. Reported are the result taken (the final answer), a 202 that says it is not
   * ready yet, or a cancel() that settled the poller while the GET ran. A transient answer (rule
   * 9), an error or an unreadable result is no answer of rules 1 to 8, so it is not reported.
   */
  async #fetchResultAgain(resultUrl: URL, signal: AbortSignal | undefined): Promise<boolean> {
    let running: boolean;
    try {
      running = await this.#fetchResult(resultUrl, signal);
    } catch (error) {
      if (this.#state.phase.name === "cancelled") this.#reportProgress();
      throw error;
    }
    // A 202 of the result (read as rule 1 reads it) is an answer too; a transient one is not.
    if (!running || this.#transientInRow === 0) this.#reportProgress();
    return running;
  }

  /** GET of the result where it lives apart from the monitor (rules 4, 6, 7). */
  async #fetchResult(resultUrl: URL, signal: AbortSignal | undefined): Promise<boolean> {
    let response: Response;
    try {
      response = await this.#send("result", "GET", resultUrl, signal, "follow");
    } catch (error) {
      return this.#requestFailed(error, signal, undefined);
    }
    // A cancel() that succeeded while the result was on the wire has settled the outcome already,
    // as in #apply: the result is not taken (and the caller reports the poll).
    if (isSettled(this.#state)) {
      await discard(response);
      this.#outcome(); // throws the cancellation
      return false;
    }
    if (response.status === 202) {
      // The monitor said the operation succeeded, but its result is not ready yet: rule 1 reads a
      // 202 as still running, so its body (a status document) is no result. The phase stays
      // fetching-result, and the next poll asks here again after the 202's Retry-After; maxWait
      // bounds a result that never comes.
      await discard(response);
      this.#answered(retryAfterOf(response));
      return true;
    }
    if (response.ok) {
      // A body that stalls or breaks is transient, as a result GET that got no answer is (rule 9):
      // the phase stays fetching-result, and the next poll asks for the result again.
      let answer: MonitorAnswer;
      try {
        answer = await okAnswer(response, resultUrl, signal, this.#state.shape, false);
      } catch (error) {
        return this.#requestFailed(error, signal, retryAfterOf(response));
      }
      const result = readResultBody(answer, this.#state.shape) as T;
      // The body was read after the check above: a cancel() may have succeeded meanwhile, and then
      // the result is not taken.
      if (isSettled(this.#state)) {
        this.#outcome(); // throws the cancellation
        return false;
      }
      this.#answered(undefined);
      const { shape } = this.#state;
      const phase = resultPhase(result, textResultType(response.headers, result), shape, answer.binary, resultVersionsOf(response.headers, shape));
      if (phase.name === "succeeded") phase.resultUrl = answeredUrl(response, resultUrl).href;
      this.#state.phase = phase;
      return false;
    }
    const error = await httpErrorFromResponse(response, "GET", resultUrl);
    if (TRANSIENT_STATUSES.has(response.status)) return this.#transient(error, response.headers.get("retry-after") ?? undefined);
    throw error;
  }

  /**
   * An answer other than a transient one (rules 1 to 8, 10 and 11) arrived: the run of transient
   * answers is over, its last error is no timeout's cause any more, and the next wait is this
   * answer's `Retry-After` or, without one, `pollInterval`.
   */
  #answered(retryAfter: string | undefined): void {
    this.#transientInRow = 0;
    this.#lastTransient = undefined;
    this.#state.retryAfterAt = retryAfter === undefined ? undefined : absoluteRetryAfter(retryAfter);
  }

  /**
   * A request of a poll that got no answer, or whose body broke off: the caller's abort rejects
   * with its reason, a transient failure (a network error, a timeout) counts as one (rule 9), and
   * anything else rejects as it is. `retryAfter`: the `Retry-After` of an answer whose body broke
   * off, which still says when the service wants to be asked again (rule 9 honours it).
   */
  #requestFailed(error: unknown, signal: AbortSignal | undefined, retryAfter: string | undefined): boolean {
    if (abortedByCaller(signal, error)) throw abortReason(signal as AbortSignal);
    if (isTransientPollFailure(error)) return this.#transient(error, retryAfter);
    throw error;
  }

  #transient(error: unknown, retryAfter: string | undefined): boolean {
    this.#transientInRow += 1;
    this.#lastTransient = error;
    this.#state.retryAfterAt = retryAfter === undefined ? undefined : absoluteRetryAfter(retryAfter);
    if (this.#transientInRow >= TRANSIENT_LIMIT) {
      // The caller sees the error; a later poll() starts counting afresh.
      this.#transientInRow = 0;
      throw error;
    }
    return true;
  }

  #takeProgress(progress: ServiceProgress, fallbackStatus: string): void {
    this.#state.status = progress.status ?? fallbackStatus;
    if (progress.percentComplete !== undefined) this.#state.percent = progress.percentComplete;
  }

  /**
   * Tells `onProgress`. A callback that throws rejects the poll (and the wait) with its error, as a
   * caller's own code does; a promise it returns (an async logger) is not waited for, and its
   * rejection is dropped: left unhandled it would end a Node process while the operation runs on.
   */
  #reportProgress(): void {
    const told: unknown = this.#options.onProgress?.(this.#state.status, this.#state.percent);
    if (typeof (told as PromiseLike<unknown> | undefined)?.then === "function") (told as PromiseLike<unknown>).then(undefined, () => {});
  }

  /**
   * A request through the client: a poll is a read (`GET`), a cancel a write (`DELETE`), both with
   * the version headers of their kind. A poll and the result's GET are never retried by the
   * pipeline (the poller has its own rule for transient answers, rule 9); a cancel, which no rule
   * of the poller's sends again, is retried as any `DELETE` is (a lost connection, a 503).
   */
  #send(purpose: "poll" | "cancel" | "result", method: "GET" | "DELETE", url: URL, signal: AbortSignal | undefined, redirect: RedirectMode): Promise<Response> {
    const transport = this.#transport;
    const headers = pollHeaders(transport.options.version, method === "GET" ? "read" : "write", transport.options.ieee754Compatible);
    return transport.send({ method, url, signal, redirect, purpose, retry: purpose === "cancel", headers, timeout: this.#options.timeout, onResponse: this.#options.onResponse });
  }

  #errorInit(cause?: unknown) {
    return { statusUrl: this.#state.statusUrl, status: this.#state.status, percentComplete: this.#state.percent, ...(cause === undefined ? {} : { cause }) };
  }

  #failedError(reason: string, httpStatus: number | undefined, odataError: ODataErrorDetail | undefined, cause?: unknown): AsyncOperationFailedError {
    const detail = odataError?.message ? `: ${odataError.message}` : "";
    return new AsyncOperationFailedError(`the operation at ${redactUrl(this.#state.statusUrl)} failed: ${reason}${detail}`, {
      ...this.#errorInit(cause),
      httpStatus,
      odataError,
    });
  }

  /**
   * The cancelled phase, whose error is made when first asked for (by `result()`, a `wait()` or a
   * `poll()`), once: most cancelled pollers are never asked, and an error with its message and
   * stack costs a `cancel()` about a sixth of its own work. The state it names no longer changes.
   */
  #cancelledPhase(): Phase<T> & { name: "cancelled" } {
    let error: AsyncOperationCancelledError | undefined;
    const make = () => this.#cancelledError();
    return {
      name: "cancelled",
      get error() {
        return (error ??= make());
      },
    };
  }

  #cancelledError(): AsyncOperationCancelledError {
    return new AsyncOperationCancelledError(`the operation at ${redactUrl(this.#state.statusUrl)} was cancelled`, this.#errorInit());
  }

  #timeoutError(): AsyncOperationTimeoutError {
    const maxWait = this.#options.maxWait;
    const where = redactUrl(this.#state.statusUrl);
    // Only the result GET was left: the operation is over, its result still to be had on resume.
    const what =
      this.#state.phase.name === "fetching-result"
        ? `the operation at ${where} succeeded, but its result could not be fetched before maxWait (${maxWait} ms)`
        : `the operation at ${where} still ran after maxWait (${maxWait} ms)`;
    return new AsyncOperationTimeoutError(
      `${what}; resume it with ${resumeHint(this.#state.shape)}`,
      { ...this.#errorInit(this.#lastTransient), maxWait },
    );
  }
}

/**
 * The headers of the poller's requests by version and kind, made once. Never changed: the client
 * copies them into each request (a copy of a `Headers` costs about half of one made from a record).
 */
const POLL_HEADERS = new Map<string, Headers>();

function pollHeaders(version: ODataVersion, kind: RequestKind, ieee754Compatible: boolean): Headers {
  const key = `${version} ${kind} ${ieee754Compatible}`;
  let headers = POLL_HEADERS.get(key);
  if (headers === undefined) POLL_HEADERS.set(key, (headers = new Headers({ accept: jsonMediaType(ieee754Compatible), ...versionHeaders(version, kind) })));
  return headers;
}

/** A `Retry-After` value as the epoch ms at which the next poll may go out. */
function absoluteRetryAfter(value: string): number | undefined {
  return retryAfterAt(value, Date.now());
}

/**
 * Whether a request failed because its signal was aborted by a caller (or the deadline), rather
 * than by the pipeline's timeout, which aborts a request's own signal with the `TIMEOUT` error it
 * then fails with (a transient answer, rule 9). A step that held the request up before it was sent
 * (a wait for a token, http/token-wait.ts) fails with a `TIMEOUT` of its own that says so, caused
 * by the timeout step's: that is the timeout too, not a caller's abort.
 */
function abortedByCaller(signal: AbortSignal | undefined, error: unknown): boolean {
  if (!signal?.aborted) return false;
  const reason: unknown = signal.reason;
  if (!isTransientPollFailure(reason) || !isTransientPollFailure(error)) return true;
  return error !== reason && (error as ODataClientError).cause !== reason;
}

/**
 * The wait() calls under way by the signal given to them, which aborts them through one listener
 * however many share it (an application's shutdown signal), as util/abort-waiters.ts `onAbort` does
 * for requests: one per wait would make Node warn about a leak past 10 of them, and make each
 * addEventListener cost time in proportion to those already there. Kept apart from `onAbort`,
 * whose code loads with every client: a wait is told without a closure of its own (with its
 * wrapper and the function that stops it, about 250 bytes for as long as it waits), and a lone wait
 * is held as it is (a set would add about 150 bytes to its signal).
 */
const WAITS_OF_SIGNAL = new WeakMap<AbortSignal, { listener: () => void; waits: WaitAborted | Set<WaitAborted> }>();

/** What the listener of {@link WAITS_OF_SIGNAL} needs of a wait's signal. */
interface WaitAborted {
  abort(reason: unknown): void;
}

/** Aborts `waiting` when `signal` does, with its reason (until {@link unwatchSignal}). */
function watchSignal(signal: AbortSignal, waiting: WaitAborted): void {
  const watched = WAITS_OF_SIGNAL.get(signal);
  if (watched === undefined) {
    const added = {
      listener: () => {
        WAITS_OF_SIGNAL.delete(signal);
        const { waits } = added;
        for (const each of waits instanceof Set ? waits : [waits]) each.abort(abortReason(signal));
      },
      waits: waiting as WaitAborted | Set<WaitAborted>,
    };
    WAITS_OF_SIGNAL.set(signal, added);
    signal.addEventListener("abort", added.listener, { once: true });
  } else if (watched.waits instanceof Set) {
    watched.waits.add(waiting);
  } else {
    watched.waits = new Set([watched.waits, waiting]);
  }
}

/** Stops {@link watchSignal}; the listener goes with the last wait of the signal. */
function unwatchSignal(signal: AbortSignal, waiting: WaitAborted): void {
  const watched = WAITS_OF_SIGNAL.get(signal);
  if (watched === undefined) return;
  const { waits } = watched;
  if (waits instanceof Set ? !waits.delete(waiting) || waits.size > 0 : waits !== waiting) return;
  WAITS_OF_SIGNAL.delete(signal);
  signal.removeEventListener("abort", watched.listener);
}

/**
 * One wait(): its signal, aborted by the caller's signal (see {@link WAITS_OF_SIGNAL}) or by a
 * cancel() that succeeds, and its sleep between polls. Not an `AbortSignal`: a waiting poller keeps
 * it for as long as it waits, and in Node an `AbortSignal` with its controller costs about a
 * kilobyte (an `EventTarget` with two maps, and a hidden class of its own), as much again as the
 * rest of the wait. Its sleeps end at once when it aborts, with no listener: `sleep()` of
 * http/signals.ts would register one through `onAbort` (an entry, a set and two closures), held by
 * every sleeping wait. The poll requests it joins (`SharedRequest.join`) listen to it while they
 * run.
 */
class WaitSignal<T> implements AbortSignalLike {
  aborted = false;
  reason: unknown = undefined;
  readonly engine: PollerEngine<T>;
  /** The signal given to wait(), which this one watches. */
  readonly callerSignal: AbortSignal | undefined;
  /** Settle the promise of wait(). */
  readonly resolve: (result: T) => void;
  readonly reject: (error: unknown) => void;
  #listeners: (() => void)[] | undefined;
  /** The timer of the sleep under way. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * What is left of the sleep under way once its timer fires (ms), for a sleep longer than a timer
   * can wait; `undefined` for none. Not 0: a field that has held a number that is not a small
   * integer holds every number in a box of its own, one more object per sleeping wait.
   */
  #left: number | undefined;
  /** Whether the sleep under way is the wait's last (until the deadline); `undefined` while none is. */
  #last: boolean | undefined;

  constructor(engine: PollerEngine<T>, callerSignal: AbortSignal | undefined, resolve: (result: T) => void, reject: (error: unknown) => void) {
    this.engine = engine;
    this.callerSignal = callerSignal;
    this.resolve = resolve;
    this.reject = reject;
  }

  addEventListener(_type: "abort", listener: () => void): void {
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const listeners = this.#listeners;
    const at = listeners?.indexOf(listener) ?? -1;
    if (at < 0) return;
    listeners?.splice(at, 1);
    // An empty list is let go of: the wait may sleep long after its poll has ended.
    if (listeners?.length === 0) this.#listeners = undefined;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.wake();
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Ends the sleep under way early (the operation's outcome became known, or this signal aborted). */
  wake(): void {
    if (this.#last === undefined) return;
    clearTimeout(this.#timer);
    this.#woken();
  }

  /** Ends the sleep under way without going on (its wait is planned again); whether one was under way. */
  interrupt(): boolean {
    if (this.#last === undefined) return false;
    clearTimeout(this.#timer);
    this.#last = undefined;
    this.#timer = undefined;
    return true;
  }

  /**
   * Sleeps `ms` milliseconds, or less when woken ({@link wake}) or aborted; then the wait goes on
   * (`PollerEngine.wakeUp`, which tells an abort by {@link aborted}). `last`: the sleep until the
   * deadline, after which the wait ends.
   */
  sleep(ms: number, last: boolean): void {
    this.#last = last;
    if (this.aborted || ms <= 0) this.#woken();
    else this.#sleep(ms);
  }

  /**
   * Sets the timer of the sleep under way, or of its next part: setTimeout overflows past 2^31-1
   * ms (about 24.8 days), so longer sleeps go in parts. The timer gets this signal as its argument,
   * which costs no closure.
   */
  #sleep(ms: number): void {
    const part = Math.min(ms, MAX_TIMER_DELAY);
    this.#left = part < ms ? ms - part : undefined;
    this.#timer = setTimeout(WaitSignal.#timeUp, part, this);
  }

  static #timeUp<T>(signal: WaitSignal<T>): void {
    if (signal.#left === undefined) signal.#woken();
    else signal.#sleep(signal.#left);
  }

  /** The sleep under way has ended: the wait goes on a turn later, as an `await` of it would. */
  #woken(): void {
    const last = this.#last as boolean;
    this.#last = undefined;
    this.#timer = undefined;
    queueMicrotask(() => void this.engine.wakeUp(this, last));
  }
}

function retryAfterOf(response: Response): string | undefined {
  return response.headers.get("retry-after") ?? undefined;
}

/** Network errors and request timeouts count as transient answers (rule 9). */
function isTransientPollFailure(error: unknown): boolean {
  return error instanceof ODataClientError && (error.code === "NETWORK_ERROR" || error.code === "TIMEOUT");
}

/**
 * A monitor answer that is not 2xx, or a 200 whose `AsyncResult` says failure, its body read
 * bounded (it becomes an error at most). When the body stalls or its connection drops, the
 * answer's status (or `AsyncResult`) still decides (rules 3, 8 to 10) with the part read, the
 * failure going with it as `cause`, as every error answer's does (readErrorBody).
 */
async function errorAnswer(response: Response, url: URL, signal: AbortSignal | undefined): Promise<MonitorAnswer> {
  // The poll's own signal is not handed to readErrorBody: the stall watch aborts it too, and a
  // stall is not the caller's abort (abortedByCaller tells them apart).
  const { text, cut, cause } = await readBody(() => readErrorBody(response), "GET", url, signal);
  if (cause !== undefined && abortedByCaller(signal, cause)) throw abortReason(signal as AbortSignal);
  const answer = monitorAnswer(response, url, text);
  if (cut) answer.cut = true;
  if (cause !== undefined) answer.cause = cause;
  return answer;
}

/**
 * A successful answer of a GET of `url` with its body read whole: as bytes, one character each,
 * where it is a multipart batch's answer or (`envelope`) an `application/http` message, which
 * decodes by its own type (monitor-answer.ts `readsBytes`), as text in the charset its
 * Content-Type names otherwise.
 */
async function okAnswer(response: Response, url: URL, signal: AbortSignal | undefined, shape: AsyncResultShape, envelope: boolean): Promise<MonitorAnswer> {
  const binary = readsBytes(response.headers, shape, envelope);
  const answer = monitorAnswer(response, url, await readBodyAs(response, "GET", url, signal, binary));
  if (binary) answer.binary = true;
  return answer;
}

/** An answer of a GET of `url` with its body read, as the rules read it. */
function monitorAnswer(response: Response, url: URL, body: string): MonitorAnswer {
  return { status: response.status, statusText: response.statusText, headers: response.headers, body, url, method: "GET", secrets: SENT_SECRETS.get(response) };
}

/**
 * The reasons the deadline aborted poll requests with, to tell them from the other reasons a poll
 * request is aborted for (its callers giving up, the timeout step).
 */
const DEADLINE_REASONS = new WeakSet<object>();

/** Aborts a poll request when `maxWait` has passed (a timer's callback, so that a poll makes no closure). */
function abortAtDeadline(controller: AbortController | undefined): void {
  const passed = new DOMException("maxWait has passed", "TimeoutError");
  DEADLINE_REASONS.add(passed);
  controller?.abort(passed);
}

