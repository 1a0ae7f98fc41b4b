/**
 * The client's own pipeline steps: retry, timeout, redirect and default headers (the last two under
 * the origin rule), and the transport that calls `fetch`. CSRF is in `csrf.ts`, auth in `auth.ts`.
 */
import { ODataClientError } from "../errors.js";
import { copyRequest, dropCredentials, REDIRECT_STATUSES, type ODataRequest, type PipelineStep, type SendRequest } from "./pipeline.js";
import { followAbort, REQUEST_CONTROLLERS, sleep, throwIfAborted, untilAborted } from "./signals.js";
import { BodyStallWatch, watchBodyStalls } from "./stall.js";
import { redactText, redactUrl, SENT_SECRETS, type SentSecrets } from "../util/redact.js";
import { MAX_TIMER_DELAY } from "../util/timers.js";
import { loadOnce } from "../util/load-once.js";
import { loadHolding, maskSentSecrets, discard } from "./body.js";
import { UNANSWERED } from "./unanswered.js";

/** Whether a URL's origin may receive credentials and the configured headers. */
export function isTrustedOrigin(trustedOrigins: ReadonlySet<string>, url: URL): boolean {
  return trustedOrigins.has(url.origin);
}

/** When and how often the retry step sends an idempotent request again (option `retry`, defaults applied). */
export interface RetryPolicy {
  /** How many times a request is sent again after the first attempt. */
  retries: number;
  /** The first backoff delay in ms; it doubles on every attempt (with jitter). */
  delay: number;
  /** The longest wait between two attempts in ms, `Retry-After` included. */
  maxDelay: number;
}

/** Statuses worth sending an idempotent request again for: the service may answer otherwise later. */
export const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);

/**
 * What the attempts before the one a retried request's answer (or its failure) came from met: each
 * one's status, or its network error. A PUT or DELETE that one of them applied may be refused when
 * sent again (412, 404), or its last attempt fail otherwise, and the write's error says so
 * (write/requests.ts, write/send.ts). Kept by the answer, or, where the last attempt failed, by
 * the request as the retry step was given it ({@link attemptsBefore}), never by the error: one
 * error may reject several requests (the failure of a token fetch they all waited for).
 */
export const EARLIER_ATTEMPTS = new WeakMap<object, unknown[]>();

/**
 * The answers a step gave in place of sending the request (the csrf step's, to a PUT whose token
 * fetch met a busy service): such an attempt reached nothing, and {@link EARLIER_ATTEMPTS} keeps
 * it as `"not sent"` rather than as a status that may have come after the write was applied.
 */
export const UNSENT_ANSWERS = new WeakSet<Response>();

/** The request `ClientCore.send` made of each init it was given (core.ts `SendInit`), for {@link attemptsBefore}. */
export const SENT_AS = new WeakMap<object, ODataRequest>();

/**
 * What the attempts of the request sent with `init` (what a caller gave `ClientCore.send`) met
 * before its last one, which failed: each one's status or its network error, or `undefined` where
 * it was sent once. Asked by the request, not by the error: one error may reject several requests
 * (the failure of a token fetch they all waited for).
 */
export function attemptsBefore(init: object): readonly unknown[] | undefined {
  const request = SENT_AS.get(init);
  return request && EARLIER_ATTEMPTS.get(request);
}

/**
 * Sends idempotent requests again after 408/429/502/503/504 answers and network errors, waiting
 * `Retry-After` where the answer has one, otherwise an exponential backoff with jitter.
 */
export function retryStep(policy: RetryPolicy, random: () => number = Math.random): PipelineStep {
  return {
    name: "retry",
    handle(request, next) {
      // Not async: a request that is never retried (a poll) goes on without a promise of this step.
      if (!request.retry || policy.retries === 0) return next(request);
      return sendWithRetries(request, next, policy, random);
    },
  };
}

async function sendWithRetries(request: ODataRequest, next: SendRequest, policy: RetryPolicy, random: () => number): Promise<Response> {
  const earlier: unknown[] = [];
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= policy.retries;
    let response: Response;
    try {
      // Every attempt gets its own copy: steps further down may change its headers or URL in
      // place, and what they add must not pile up from one attempt to the next.
      const copy = copyRequest(request);
      if (attempt > 0) copy.attempt = attempt;
      response = await next(copy);
    } catch (error) {
      if (request.signal?.aborted) throw error;
      if (last || !isNetworkError(error)) {
        if (earlier.length > 0) EARLIER_ATTEMPTS.set(request, earlier);
        throw error;
      }
      earlier.push(error);
      await sleep(backoff(policy, attempt, random), request.signal);
      continue;
    }
    if (!last && RETRY_STATUSES.has(response.status)) {
      const header = response.headers.get("retry-after");
      // Its reading (an HTTP-date's three forms) loads with the first answer that asks for a pause.
      const retryAfter = header === null ? undefined : (await loadRetryAfter()).retryAfterMs(header, Date.now());
      // A service that asks for a longer pause than the policy allows is answered with its own
      // response (below, with what the attempts before it met) rather than with a request it has
      // said it does not want yet.
      if ((retryAfter ?? 0) <= policy.maxDelay) {
        earlier.push(UNSENT_ANSWERS.has(response) ? "not sent" : response.status);
        await discard(response);
        await sleep(retryAfter ?? backoff(policy, attempt, random), request.signal);
        continue;
      }
    }
    if (earlier.length > 0) EARLIER_ATTEMPTS.set(response, earlier);
    return response;
  }
}

function backoff(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelay, policy.delay * 2 ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Network-level failures (`fetch` rejected without an answer), as opposed to aborts. */
export function isNetworkError(error: unknown): boolean {
  return error instanceof ODataClientError && error.code === "NETWORK_ERROR";
}

/**
 * Aborts a request that has not received its answer's headers within `timeout` ms, and then watches
 * the reading of its body: a read that waits `timeout` ms for data aborts it too (see
 * {@link BodyStallWatch}). A long body (a streamed collection) may take its time as long as data
 * keeps coming; the caller's signal still cancels it at any moment.
 */
export function timeoutStep(defaultTimeout: number): PipelineStep {
  return {
    name: "timeout",
    handle(request, next) {
      const given = request.signal;
      // A signal made for this one request (the poller's, a walk's) is aborted by the timer
      // itself; any other signal (the caller's, which may be shared by many requests) is followed
      // by one of ours, with or without a timeout: `fetch` leaves a listener on the signal it is
      // given until the request is garbage, and many requests given one signal made Node warn.
      const own = given && REQUEST_CONTROLLERS.get(given);
      // Beyond the largest timer delay setTimeout would fire at once; such a timeout means "never".
      const timeout = Math.max(request.timeout ?? defaultTimeout, 0);
      const timed = timeout <= MAX_TIMER_DELAY ? timeout : 0;
      if (own) return timed > 0 ? sendTimed(request, next, new BodyStallWatch(timed, request, own)) : next(request);
      return given || timed > 0 ? sendTimedShared(request, next, timed) : next(request);
    },
  };
}

/**
 * Sends a request whose signal is its own under its watch (the owner of the signal waits for the
 * request to unwind, which clears the timer of the headers).
 */
async function sendTimed(request: ODataRequest, next: SendRequest, watch: BodyStallWatch): Promise<Response> {
  let response: Response;
  try {
    response = await next(request);
  } catch (error) {
    const timedOut = watch.answered();
    // A step below that says what timed out (the auth step's token request or token function, the
    // CSRF token fetch, before this request was sent) is believed.
    const failed = (error as { code?: unknown } | undefined)?.code === "TIMEOUT" ? error : (timedOut ?? error);
    // The transport's failure of a hop of this attempt, or of the URL a step sent it to, is its own.
    const kept = UNANSWERED.get(failed as object);
    if (kept && kept.request.signal === request.signal && kept.request.method === request.method) kept.request = request;
    throw failed;
  }
  watch.answered();
  // The body is still governed by the signal fetch was given: aborting it errors the body with the
  // reason and closes the connection.
  watchBodyStalls(response, watch);
  return response;
}

/**
 * Sends a request under a controller of its own, which the caller's signal aborts (with its
 * reason) until the answer's body is done: read, cancelled or discarded, which ends the watch.
 */
async function sendTimedShared(request: ODataRequest, next: SendRequest, timeout: number): Promise<Response> {
  const controller = new AbortController();
  const sent = { ...request, signal: controller.signal };
  const watch = new BodyStallWatch(timeout, sent, controller);
  // The caller's abort also ends the timer at once, through the controller's abort, not only when
  // fetch has settled: whoever waits on that signal may return before fetch does and expects no
  // timer behind. One signal is often given to many requests at once (see followAbort).
  const unfollow = followAbort(request.signal, controller);
  controller.signal.addEventListener("abort", () => void watch.answered(), { once: true });
  watch.untilEnd(unfollow);
  let response: Response;
  try {
    response = await sendTimed(sent, next, watch);
  } catch (error) {
    unfollow();
    throw error;
  }
  if (response.body === null) unfollow();
  return response;
}


/** What the headers step needs of the client's options. */
export interface HeadersStepOptions {
  /** The origins that get the configured headers: the service's own and the trusted ones. */
  readonly trustedOrigins: ReadonlySet<string>;
  /** The configured headers, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The `User-Agent` sent where the runtime sends none of its own. */
  readonly userAgent: string;
  /** The `Accept-Language` of requests that set none (`undefined`: leave it to the runtime). */
  readonly acceptLanguage?: string | undefined;
}

/**
 * The value of a request's header `name` with the configured `value` (the client's `headers`), where
 * the request has `present` (`null`: none): the configured one where the request has none, else the
 * request's own, but for cookies from elsewhere (the CSRF session) beside configured ones and
 * configured preferences beside the request's own (maxpagesize, respond-async), both needed. The
 * headers step and a `$batch` part's headers (batch/plan.ts) go by it.
 */
export function withConfigured(name: string, value: string, present: string | null): string {
  if (present === null) return value;
  const lower = name.toLowerCase();
  return lower === "cookie" ? mergeCookies(present, value) : lower === "prefer" ? mergePrefer(value, present) : present;
}

/**
 * Adds the `User-Agent` (where the runtime does not send its own, see
 * {@link runtimeSendsOwnUserAgent}) and the `Accept-Language` where the request has none, and for
 * trusted origins the configured headers. For other
 * origins it removes the credential headers ({@link CREDENTIAL_HEADERS}), whoever set them:
 * credentials never leave the service's origin by accident.
 */
export function headersStep(options: HeadersStepOptions): PipelineStep {
  const userAgent = runtimeSendsOwnUserAgent() ? undefined : options.userAgent;
  return {
    name: "headers",
    handle(request, next) {
      // Changed in place: every request reaches this step as a copy of its own (the client makes
      // one per request, the retry and redirect steps one per attempt and per hop).
      const headers = request.headers;
      if (isTrustedOrigin(options.trustedOrigins, request.url)) {
        for (const [name, value] of options.headers) headers.set(name, withConfigured(name, value, headers.get(name)));
      } else {
        dropCredentials(headers);
      }
      // After the configured headers, so that a configured User-Agent wins over the default.
      if (userAgent !== undefined && !headers.has("user-agent")) headers.set("user-agent", userAgent);
      // Instead of fetch's default "*", which some services cannot answer.
      if (options.acceptLanguage !== undefined && !headers.has("accept-language")) headers.set("accept-language", options.acceptLanguage);
      return next(request);
    },
  };
}

/**
 * The preferences (RFC 7240) of a `Prefer` value, as written (spaces kept): its parts between the
 * commas outside quoted values, so that `odata.include-annotations="display.*,-display.subtitle"`
 * is one.
 */
export function splitPrefer(value: string): string[] {
  return value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
}

/**
 * The preferences (RFC 7240) of `base` and `own` as one `Prefer` value, those of `own` winning
 * where both name the same preference (its name ends at `=` or `;`); see {@link splitPrefer}.
 */
export function mergePrefer(base: string | null, own: string): string {
  const name = (part: string) => part.split(/[=;]/)[0]!.trim().toLowerCase();
  const taken = splitPrefer(own).map(name);
  const kept = splitPrefer(base ?? "").filter((part) => part.trim() && !taken.includes(name(part))).join(",").trim();
  return kept ? `${kept}, ${own}` : own;
}

/**
 * Whether the runtime sends a `User-Agent` of its own that the client should leave alone, as
 * browsers do, in pages and workers alike. Two things tell:
 * - the runtime refuses the header: a `Request` drops it (Chromium does, so a script-set one would
 *   never be sent anyway);
 * - the runtime acts for a web origin (it has a `location` with an origin, as pages and workers
 *   do): there a script-set `User-Agent` is not a CORS-safelisted header, so a browser that does
 *   send it (Firefox) sends a preflight before every request to another origin first, and a
 *   service whose CORS setup does not allow `User-Agent` refuses them all.
 * Node, Deno, Bun and workerd have neither, and get the library's `User-Agent`.
 */
export function runtimeSendsOwnUserAgent(): boolean {
  try {
    if (!new Request("http://user-agent.invalid/", { headers: { "user-agent": "probe" } }).headers.has("user-agent")) return true;
  } catch {
    // A runtime whose Request refuses the header outright.
    return true;
  }
  const location = (globalThis as { location?: { origin?: unknown } }).location;
  return typeof location?.origin === "string";
}

/** `Cookie` header value `first` with the pairs of `second` whose names it does not have yet. */
export function mergeCookies(first: string, second: string): string {
  const names = new Set(first.split(";").map((pair) => pair.split("=")[0]?.trim()));
  const added = second
    .split(";")
    .map((pair) => pair.trim())
    .filter((pair) => pair !== "" && !names.has(pair.split("=")[0]?.trim()));
  return [first, ...added].filter((part) => part.trim() !== "").join("; ");
}

/**
 * The end of the pipeline: calls `fetch`. A rejection without an answer becomes an
 * `ODataClientError` with code `"NETWORK_ERROR"`; an abort rejects with the signal's reason.
 */
export function fetchTransport(fetchFn: typeof fetch, secrets?: SentSecrets): SendRequest {
  return async (request: ODataRequest) => {
    // fetch refuses such URLs with a message that quotes them, password included; refuse first.
    if (request.url.username || request.url.password) {
      throw new ODataClientError(
        "CREDENTIALS_IN_URL",
        `${request.method} ${redactUrl(request.url)} was not sent: the URL carries a user name or password (use option "auth")`,
      );
    }
    const init: RequestInit = { method: request.method, headers: request.headers };
    if (request.body !== undefined) init.body = request.body;
    if (request.signal) init.signal = request.signal;
    if (request.redirect) init.redirect = request.redirect;
    const sentSecrets = secrets?.sent(request.headers);
    let response: Response;
    try {
      response = await fetchFn(request.url.href, init);
    } catch (error) {
      throwIfAborted(request.signal);
      const detail = `failed before an answer arrived: ${messageOf(error)}`;
      const made = new ODataClientError("NETWORK_ERROR", `${request.method} ${redactUrl(request.url)} ${detail}`, { cause: error });
      // A custom fetch's error may quote what was sent under any name (`detail`, `request.note`):
      // the secret values sent are masked in it too. (The masked message is then its own detail.)
      const failed = (await maskSentSecrets(made, sentSecrets)) as ODataClientError;
      UNANSWERED.set(failed, { request, detail: failed === made ? detail : failed.message });
      throw failed;
    }
    // A custom `fetch` that resolves with something else would otherwise fail later, far from here.
    checkResponse(response, request, 'option "fetch"');
    if (sentSecrets !== undefined) SENT_SECRETS.set(response, sentSecrets);
    return response;
  };
}

/**
 * Your own pipeline step, with its answer checked: a step that resolves with something other than a
 * `Response` fails with `BAD_FETCH_RESPONSE` naming it, not with a `TypeError` far from it.
 */
export function checkedStep(step: PipelineStep): PipelineStep {
  const what = `pipeline step ${JSON.stringify(step.name)}`;
  return {
    name: step.name,
    handle: async (request, next) => {
      const signal = request.signal;
      // A step may wait on something of its own before it calls next (a token service): the
      // request's timeout and the caller's abort end that wait as they end the auth step's, and a
      // next called after them sends nothing.
      const handled = Promise.resolve(step.handle(request, async (sent) => (throwIfAborted(signal), next(sent))));
      return checkResponse(await untilAborted(handled, signal), request, what);
    },
  };
}

function checkResponse(response: Response, request: ODataRequest, what: string): Response {
  if (typeof response !== "object" || response === null || typeof response.status !== "number" || typeof response.headers?.get !== "function") {
    throw new ODataClientError("BAD_FETCH_RESPONSE", `${request.method} ${redactUrl(request.url)}: ${what} resolved with something that is not a Response`);
  }
  return response;
}

function messageOf(error: unknown): string {
  let text: string;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : "";
    text = `${error.message}${causeText}`;
  } else {
    text = String(error);
  }
  // A foreign message may quote a URL or a header: never let a credential through.
  return redactText(text);
}


/**
 * Follows redirects itself (up to `maxRedirects`) instead of leaving it to `fetch`, so that every
 * hop goes through the user steps and the header and auth steps again and the origin rule is
 * applied to each target: configured headers and credentials never follow a redirect to an
 * untrusted origin. Requests with `redirect: "manual"` (the poller's) see the 3xx answer itself;
 * with `redirect: "error"` a redirect rejects with code `"UNEXPECTED_REDIRECT"`.
 *
 * That needs a runtime whose `fetch` shows a manual redirect: Node, Deno, Bun and workerd give the
 * 3xx answer with its `Location`. Browsers give an opaque answer instead (type `"opaqueredirect"`,
 * status 0, no headers) and so leave following to themselves: the browser drops `Authorization` on
 * a hop to another origin (Fetch standard), sends cookies by its own rules, and other headers go
 * there only when that origin's CORS preflight allows them. Which kind of runtime this is is learnt
 * from the first opaque answer, not guessed from which globals exist (workerd defines
 * `WorkerGlobalScope` and yet shows real 3xx answers); until then the client follows redirects
 * itself.
 */
export function redirectStep(maxRedirects = 10): PipelineStep {
  let runtimeHidesRedirects = false;
  const learn = (response: Response): Response => {
    if (response.type === "opaqueredirect") runtimeHidesRedirects = true;
    return response;
  };
  return {
    name: "redirect",
    handle(request, next) {
      // The caller sees the 3xx answer itself (a poll); it still tells what kind of runtime this is.
      if (request.redirect === "manual") return Promise.resolve(next(request)).then(learn);
      if (runtimeHidesRedirects) return next({ ...request, redirect: request.redirect ?? "follow" });
      return sendFollowing(request, next, maxRedirects, learn);
    },
  };
}

/**
 * Sends `request`'s first hop. An answer that is a redirect loads the code that follows it
 * (redirects.ts), with the first redirect; a client never redirected never loads it.
 */
async function sendFollowing(request: ODataRequest, next: SendRequest, maxRedirects: number, learn: (response: Response) => Response): Promise<Response> {
  const response = await next(copyRequest({ ...request, redirect: "manual" }));
  if (learn(response).type !== "opaqueredirect" && !(REDIRECT_STATUSES.has(response.status) && response.headers.get("location"))) return response;
  return (await loadHolding(loadRedirects, response)).followRedirects(request, next, maxRedirects, learn, response);
}

const loadRedirects = /* @__PURE__ */ loadOnce(() => import("./redirects.js"));
const loadRetryAfter = /* @__PURE__ */ loadOnce(() => import("./retry-after.js"));
