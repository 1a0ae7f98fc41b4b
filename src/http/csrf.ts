/**
 * SAP-style CSRF protection (option `csrf: true`): services such as SAP Gateway refuse modifying
 * requests without an `X-CSRF-Token` that the client first fetches with `X-CSRF-Token: Fetch`. The
 * token belongs to the session that the same answer opens with its cookies, so both are kept and
 * sent together on writes.
 */
import { ODataClientError } from "../errors.js";
import { discard } from "./body.js";
import type { ODataRequest, PipelineStep, SendRequest } from "./pipeline.js";
import { isNetworkError, mergeCookies, RETRY_STATUSES, UNSENT_ANSWERS, type RetryPolicy } from "./steps.js";
import { waitForToken, WAITING_FOR } from "./token-wait.js";
import { SharedRequest } from "../util/shared-request.js";
import { requestController } from "./signals.js";
import { redactUrl } from "../util/redact.js";
import { sapSessionOptions } from "../util/query-options.js";

/** Methods that change data and so need the token (MERGE is the OData v2 partial update). */
const MODIFYING_METHODS = new Set(["POST", "PUT", "PATCH", "MERGE", "DELETE"]);

/**
 * The 403 answers with `X-CSRF-Token: Required` that the csrf step returned as they were, to why:
 * no token could be fetched for the write (the status of that fetch), or the service refused the
 * token fetched anew as well (`again`); with the URL of that token fetch. Also the answers the step
 * made itself for a write it did not send (`unsent`: its token fetch met a busy service).
 */
const refusals = new WeakMap<Response, { status: number | "again"; root: URL; unsent?: true }>();

/**
 * How many logons' tokens a client keeps: a program that takes `sap-client` or `sap-language` from
 * its users would otherwise keep a token and session cookies for every one ever used. The least
 * recently used beyond this is forgotten (its next write fetches a token again), unless a token
 * fetch for it is in flight. Enough for each language of a few clients at once.
 */
const MAX_LOGONS = 64;

/** What one token fetch gave: the token (if the service uses them) and the session cookies. */
interface CsrfSession {
  token: string | undefined;
  /** The status the token fetch was answered with (0: a redirect the runtime hides). */
  status: number;
  /** That answer's `Retry-After`, if it had one. */
  retryAfter: string | null;
  /** Cookie name to `name=value`, from the `Set-Cookie` headers of the token fetch. */
  cookies: Map<string, string>;
}

/**
 * The token sessions of one logon (the same `sap-client` and `sap-language`): the current one, and
 * the fetch in flight.
 */
interface Logon {
  /**
   * The URL of the token fetch: the service root with the logon parameters of the writes that use
   * this logon (your steps get a copy of it, since they may change the URL they are given).
   */
  root: URL;
  session: CsrfSession | undefined;
  // One fetch for the writes that wait for a token at once; each may give up on its own (its
  // abort ends its wait at once), and the fetch is aborted when the last one gives up.
  fetches: SharedRequest<CsrfSession>;
  /** The signal of the token fetch in flight, if one is. */
  fetchSignal: AbortSignal | undefined;
  /** Whether the retry step may send the latest token fetch again (see fetchSession). */
  fetchRetried?: boolean;
}

/**
 * Adds the CSRF token to modifying requests on the service's origin. The token is fetched once
 * (`GET <serviceUrl>` with `X-CSRF-Token: Fetch`, one fetch shared by concurrent writes) and
 * fetched again when the service answers 403 with `X-CSRF-Token: Required`, after which the
 * write is sent once more (the service refused it unread, so this is safe for any method). A
 * token belongs to the SAP session of its fetch, so the fetch carries the write's `sap-client` and
 * `sap-language` (util/query-options.ts `sapSessionOptions`), and each such logon has its own
 * token, never sent with a write for another. When no token can be had (the fetch failed, or brought none), or
 * the service refuses the new one too, the 403 is the answer, and {@link csrfRefusalExplanation}
 * says why. A request that already carries an `X-CSRF-Token` is left alone.
 */
export function csrfStep(serviceUrl: URL, send: SendRequest, retry: RetryPolicy | false): PipelineStep {
  const serviceOrigin = serviceUrl.origin;
  // Whether the retry step sends anything again (`retries: 0` does not, as `retry: false`).
  const retrying = retry !== false && retry.retries > 0;
  /**
   * By the logon parameters of the writes (`sap-client=100&sap-language=DE`, or none), the least
   * recently used first; at most `MAX_LOGONS` of them.
   */
  const logons = new Map<string, Logon>();

  /**
   * The logon of a write: its `sap-client` and `sap-language` query options, in one order, so that
   * writes of one logon share its token whichever option each names first (names as the write
   * spells them: the fetch must reach the session the write will).
   */
  function logonOf(url: URL): Logon {
    const root = new URL(serviceUrl);
    // The service root has no query (the client's options refuse one): the fetch's is these alone.
    root.search = sapSessionOptions(url).map(({ text }) => text).join("&");
    const key = root.search;
    const logon = logons.get(key) ?? { root, session: undefined, fetches: new SharedRequest<CsrfSession>(requestController), fetchSignal: undefined };
    // Last in the map's order, as the most recently used; the first ones are the least.
    logons.delete(key);
    logons.set(key, logon);
    for (const [oldKey, old] of logons) {
      if (logons.size <= MAX_LOGONS || old === logon) break;
      // Writes that wait for a fetch hold their logon and would share no fetch with a new one.
      if (!old.fetches.pending) logons.delete(oldKey);
    }
    return logon;
  }

  /**
   * Fetches a token and its session through the whole pipeline (`send`): your steps see it.
   * `retry`: whether the retry step may send the fetch again (a lost connection, a 503), which it
   * may where the write that asked for it is never sent twice (a POST): a write sent again by the
   * retry step fetches again with it, and a fetch retried inside it would multiply. `attempt`: the
   * retry of the write that the fetch is sent for (see `ODataRequest.attempt`).
   */
  async function fetchSession(logon: Logon, signal: AbortSignal, retry: boolean, attempt: number | undefined): Promise<CsrfSession> {
    logon.fetchSignal = signal;
    logon.fetchRetried = retry;
    try {
      return await fetchSessionOnce(logon, signal, retry, attempt);
    } finally {
      if (logon.fetchSignal === signal) logon.fetchSignal = undefined;
    }
  }

  async function fetchSessionOnce(logon: Logon, signal: AbortSignal, retry: boolean, attempt: number | undefined): Promise<CsrfSession> {
    const response = await send({
      method: "GET",
      url: new URL(logon.root),
      headers: new Headers({ "x-csrf-token": "Fetch", accept: "application/json" }),
      signal,
      redirect: "manual",
      retry,
      // No timeout of its own, as the OAuth2 token request has none: the timeout of the write that
      // started it would end it for the writes that joined later while theirs still ran. Each
      // write waits for it within its own timeout and signal, and the last to give up aborts it
      // (see SharedRequest), so it runs exactly as long as some write still waits for it.
      timeout: 0,
      purpose: "csrf",
      // What goes on the wire for a retry of a write that waited out a busy service (a PUT, see the
      // step) is this fetch: it is that retry, in the wire log ("csrf retry 2/3") and to your steps,
      // so that the write's own "retry 2/3" after it does not read as if earlier sendings went unlogged.
      attempt,
    });
    await discard(response);
    const token = response.headers.get("x-csrf-token");
    const session: CsrfSession = {
      token: token && token.toLowerCase() !== "required" ? token : undefined,
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      cookies: sessionCookies(response.headers),
    };
    // A busy service's answer (503, 429) is no session to keep: the next write fetches anew.
    if (!RETRY_STATUSES.has(session.status)) logon.session = session;
    return session;
  }

  /**
   * The current session, fetching it (once for all concurrent callers) when there is none. Each
   * write waits within its own timeout and signal, as for an OAuth2 token (see `waitForToken`):
   * when the write's timeout ends its wait, the fetch is what got no answer, so the `TIMEOUT` names
   * it, or what the fetch itself was waiting for before it could be sent (the auth step's token:
   * see `WAITING_FOR`), and what became of the write (`sent`: refused unread, to be sent again);
   * a caller's own abort still rejects with the caller's reason. Writes that still wait go on
   * waiting for the fetch.
   */
  async function sessionFor(logon: Logon, request: ODataRequest, sent = false, again = false): Promise<CsrfSession> {
    if (logon.session) return logon.session;
    // The fetch this write waits for, whichever write started it.
    let signal: AbortSignal | undefined;
    let retried: boolean | undefined;
    const fetch = `the CSRF token fetch (GET ${redactUrl(logon.root)})`;
    const noAnswer = () => {
      const waited = signal && WAITING_FOR.get(signal);
      return waited ? `${waited()} for ${fetch}` : `${fetch} got no answer`;
    };
    const fate = sent ? "the service refused for want of a token and was not sent again" : "was not sent";
    try {
      const joinFetch = (given: AbortSignal | undefined) => {
        const joined = logon.fetches.join((shared) => fetchSession(logon, shared, !request.retry, request.attempt), given);
        signal = logon.fetchSignal;
        retried = logon.fetchRetried;
        return joined;
      };
      return await waitForToken(request, noAnswer, joinFetch, fate);
    } catch (error) {
      // A fetch started by a write that the retry step sends again (a PUT) was sent once, for that
      // write's retries to repeat; a write never sent twice (a POST) that joined it fetches once
      // more, retried by the pipeline, before it gives up on a lost connection.
      // Not where retries are off (option `retry: false`): then no fetch is sent twice.
      if (retrying && !again && !retried && !request.retry && !request.signal?.aborted && isNetworkError(error)) {
        return sessionFor(logon, request, sent, true);
      }
      // Any other failure of the fetch itself (a lost connection, its auth) would speak of a GET
      // the caller never made: it names the fetch and what became of the write, keeping its code
      // (a retry goes by it). The write's own timeout (its TIMEOUT made by waitForToken) or abort,
      // a subclass's error and your own code's errors are left as they are.
      if (request.signal?.aborted || !(error instanceof ODataClientError) || error.constructor !== ODataClientError || error.code.includes(":")) throw error;
      const write = `${request.method} ${redactUrl(request.url)}`;
      const message =
        error.code === "TIMEOUT"
          ? `${noAnswer()} within the timeout (option "timeout") of ${write}, which ${fate}`
          : `${fetch} ${fetchFailure(error)}; ${write} ${sent ? "was refused by the service for want of a token and not sent again" : "waited for it and was not sent"}`;
      throw new ODataClientError(error.code, message, { cause: error });
    }
  }

  return {
    name: "csrf",
    async handle(request, next) {
      if (!MODIFYING_METHODS.has(request.method) || request.url.origin !== serviceOrigin || request.headers.has("x-csrf-token")) {
        return next(request);
      }
      const logon = logonOf(request.url);
      const used = await sessionFor(logon, request);
      // A write the retry step sends again (a PUT) whose fetch met a busy service (503, 429) is not
      // sent without a token, to be refused: that answer, without its body, is the write's, so
      // that the retry step waits and sends it again, fetching again, as after a lost fetch.
      if (retrying && request.retry && used.token === undefined && RETRY_STATUSES.has(used.status)) {
        const busy = new Response(null, { status: used.status, headers: used.retryAfter === null ? {} : { "retry-after": used.retryAfter } });
        refusals.set(busy, { status: used.status, root: logon.root, unsent: true });
        UNSENT_ANSWERS.add(busy);
        return busy;
      }
      const response = await next(withSession(request, used));
      if (!isTokenRequired(response)) return response;
      if (logon.session === used) logon.session = undefined;
      const renewed = await sessionFor(logon, request, true);
      // No token to be had: the service's refusal is the answer, and its error will say why.
      if (renewed.token === undefined) {
        refusals.set(response, { status: renewed.status, root: logon.root });
        return response;
      }
      await discard(response);
      const again = await next({ ...withSession(request, renewed), purpose: request.purpose ?? "csrf-retry" });
      // Not sent a third time: a token refused as soon as it was fetched will not do better.
      if (isTokenRequired(again)) refusals.set(again, { status: "again", root: logon.root });
      return again;
    },
  };
}

/**
 * Why a write was refused, for the message of its error, where the csrf step returned the 403 with
 * `X-CSRF-Token: Required` (or answered in the write's place, see `refusals`): what the token fetch
 * (`GET <serviceUrl>` with `X-CSRF-Token: Fetch`) was answered with when it failed or brought no
 * token, or that the service refused the token fetched anew as well; otherwise `undefined`. Names
 * only the status and the URL of the fetch (redacted), never what the fetch's answer held: the URL
 * of the fetch, which carries the write's `sap-client`, is kept with the refusal.
 */
export function csrfRefusalExplanation(response: Response): string | undefined {
  const refusal = refusals.get(response);
  if (refusal === undefined) return undefined;
  const { status, root } = refusal;
  const fetch = `GET ${redactUrl(root)} with X-CSRF-Token: Fetch`;
  if (refusal.unsent) return `its CSRF token fetch (${fetch}) was answered HTTP ${status}, so this answer is that fetch's: the request itself was not sent`;
  if (status === "again") {
    // Most often the fetch and the write were served in different sessions: a token holds only in
    // the session its fetch opened (its cookies, its sap-client).
    return `the service refused the CSRF token again: the request, sent once more with a token fetched anew (${fetch}), was answered X-CSRF-Token: Required as well; a token holds only in the session its fetch opened`;
  }
  let outcome: string;
  if (status >= 200 && status < 300) outcome = `was answered HTTP ${status} without one`;
  // A 3xx, and yet no redirect: a precondition on the fetch (a step's If-None-Match) held.
  else if (status === 304) outcome = "was answered HTTP 304 (Not Modified: a precondition on it held) without one";
  // The fetch does not follow redirects: one there usually leads to a login page.
  else if (status === 0 || (status >= 300 && status < 400)) outcome = `was redirected${status === 0 ? "" : ` (HTTP ${status})`}, which a token fetch does not follow`;
  else outcome = `failed with HTTP ${status}`;
  return `the service requires a CSRF token and none could be fetched: ${fetch} ${outcome}`;
}

/**
 * What became of a token fetch that failed with `error`, said of the fetch already named: where no
 * answer arrived (`NETWORK_ERROR`), the transport's error, which is that error's `cause` (as the
 * code's documentation has it), so that its message, which names the fetch's own request, is not
 * repeated; any other failure (the auth step's, a custom fetch's answer that is none) quoted whole.
 */
function fetchFailure(error: ODataClientError): string {
  const transport = error.code === "NETWORK_ERROR" ? error.cause : undefined;
  if (transport === undefined) return `failed: ${error.message}`;
  // The transport's error and what it gives as its own cause (Node's `fetch failed` and the
  // socket's error): both were redacted, and masked of the secrets sent, with the NETWORK_ERROR.
  const detail = transport instanceof Error ? `${transport.message}${transport.cause instanceof Error ? ` (${transport.cause.message})` : ""}` : String(transport);
  return `failed before an answer arrived: ${detail}`;
}

function isTokenRequired(response: Response): boolean {
  return response.status === 403 && response.headers.get("x-csrf-token")?.toLowerCase() === "required";
}

function withSession(request: ODataRequest, session: CsrfSession): ODataRequest {
  const headers = new Headers(request.headers);
  if (session.token !== undefined) headers.set("x-csrf-token", session.token);
  if (session.cookies.size > 0) {
    const sessionCookies = [...session.cookies.values()].join("; ");
    const existing = headers.get("cookie");
    headers.set("cookie", existing === null ? sessionCookies : mergeCookies(existing, sessionCookies));
  }
  return { ...request, headers };
}

/**
 * The `name=value` part of every `Set-Cookie` (attributes such as Path and Expires are not
 * tracked: the cookies live as long as the token). Runtimes that keep cookies themselves (browsers)
 * do not show `Set-Cookie`, and there this is empty.
 */
function sessionCookies(headers: Headers): Map<string, string> {
  const cookies = new Map<string, string>();
  const setCookies = typeof headers.getSetCookie === "function" ? headers.getSetCookie() : [];
  for (const setCookie of setCookies) {
    const pair = setCookie.split(";")[0]?.trim() ?? "";
    const equals = pair.indexOf("=");
    if (equals <= 0) continue;
    cookies.set(pair.slice(0, equals).trim(), pair);
  }
  return cookies;
}
