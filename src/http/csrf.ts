/**
 * SAP-style CSRF protection (option `csrf: true`): services such as SAP Gateway refuse modifying
 * requests without an `X-CSRF-Token` that the client first fetches with `X-CSRF-Token: Fetch`. The
 * token belongs to the session that the same answer opens with its cookies, so both are kept and
 * sent together on writes.
 */
import { ODataClientError } from "../errors.js";
import { discard } from "./body.js";
import type { ODataRequest, PipelineStep, SendRequest } from "./pipeline.js";
import { mergeCookies } from "./steps.js";
import { tokenWaitFailure, WAITING_FOR } from "./token-wait.js";
import { SharedRequest } from "../util/shared-request.js";
import { requestController } from "./signals.js";
import { redactUrl } from "../util/redact.js";

/** Methods that change data and so need the token (MERGE is the OData v2 partial update). */
const MODIFYING_METHODS = new Set(["POST", "PUT", "PATCH", "MERGE", "DELETE"]);

/**
 * The 403 answers that the csrf step returned because no token could be fetched for the write it
 * refused, to the status of that token fetch.
 */
const refusedWithoutToken = new WeakMap<Response, number>();

/** What one token fetch gave: the token (if the service uses them) and the session cookies. */
interface CsrfSession {
  token: string | undefined;
  /** The status the token fetch was answered with (0: a redirect the runtime hides). */
  status: number;
  /** Cookie name to `name=value`, from the `Set-Cookie` headers of the token fetch. */
  cookies: Map<string, string>;
}

/**
 * Adds the CSRF token to modifying requests on the service's origin. The token is fetched once
 * (`GET <serviceUrl>` with `X-CSRF-Token: Fetch`, one fetch shared by concurrent writes) and
 * fetched again when the service answers 403 with `X-CSRF-Token: Required`, after which the
 * write is sent once more (the service refused it unread, so this is safe for any method). When
 * no token can be had (the fetch failed, or brought none), the 403 is the answer, and
 * {@link csrfRefusalExplanation} says what the fetch was answered with. A request that already
 * carries an `X-CSRF-Token` is left alone.
 */
export function csrfStep(serviceUrl: URL, send: SendRequest): PipelineStep {
  const serviceOrigin = serviceUrl.origin;
  let session: CsrfSession | undefined;
  // One fetch for the writes that wait for a token at once; each may give up on its own (its
  // abort ends its wait at once), and the fetch is aborted when the last one gives up.
  const fetches = new SharedRequest<CsrfSession>(requestController);
  /** The signal of the token fetch in flight, if one is. */
  let fetchSignal: AbortSignal | undefined;

  /** Fetches a token and its session through the whole pipeline (`send`): your steps see it, its own timeout applies. */
  async function fetchSession(signal: AbortSignal, timeout: number | undefined): Promise<CsrfSession> {
    fetchSignal = signal;
    try {
      return await fetchSessionOnce(signal, timeout);
    } finally {
      if (fetchSignal === signal) fetchSignal = undefined;
    }
  }

  async function fetchSessionOnce(signal: AbortSignal, timeout: number | undefined): Promise<CsrfSession> {
    const response = await send({
      method: "GET",
      url: new URL(serviceUrl),
      headers: new Headers({ "x-csrf-token": "Fetch", accept: "application/json" }),
      signal,
      redirect: "manual",
      retry: false,
      timeout,
      purpose: "csrf",
    });
    await discard(response);
    const token = response.headers.get("x-csrf-token");
    const fetched: CsrfSession = {
      token: token && token.toLowerCase() !== "required" ? token : undefined,
      status: response.status,
      cookies: sessionCookies(response.headers),
    };
    session = fetched;
    return fetched;
  }

  /**
   * The current session, fetching it (once for all concurrent callers) when there is none. When
   * the write's timeout ends it while the token is fetched, the fetch is what got no answer, so the
   * `TIMEOUT` names it, or what the fetch itself was waiting for before it could be sent (the
   * auth step's token: see `WAITING_FOR`), and what became of the write (`sent`: refused unread,
   * to be sent again); a caller's own abort still rejects with the caller's reason.
   */
  async function sessionFor(request: ODataRequest, sent = false): Promise<CsrfSession> {
    if (session) return session;
    const joined = fetches.join((signal) => fetchSession(signal, request.timeout), request.signal);
    // The fetch this write waits for, whichever write started it.
    const signal = fetchSignal;
    try {
      return await joined;
    } catch (error) {
      const root = `GET ${redactUrl(serviceUrl)}`;
      const fetch = `the CSRF token fetch (${root})`;
      const waited = signal && WAITING_FOR.get(signal);
      const noAnswer = waited ? `${waited()} for ${fetch}` : `${fetch} got no answer`;
      const fate = sent ? "the service refused for want of a token and was not sent again" : "was not sent";
      const failure = tokenWaitFailure(error, request, noAnswer, fate);
      // Any other failure of the fetch itself (a lost connection, its own timeout while another
      // write still waited, its auth) would speak of a GET the caller never made: it names the
      // fetch and what became of the write, keeping its code (a retry goes by it). A caller's
      // abort, a subclass's error and your own code's errors are left as they are.
      if (failure !== error || request.signal?.aborted || !(error instanceof ODataClientError) || error.constructor !== ODataClientError || error.code.includes(":")) throw failure;
      const write = `${request.method} ${redactUrl(request.url)}`;
      const message =
        error.code === "TIMEOUT"
          ? `${noAnswer} within the timeout (option "timeout") of ${write}, which ${fate}`
          : `${error.message.startsWith(`${root} `) ? fetch + error.message.slice(root.length) : `${fetch} failed: ${error.message}`}; ${write} ${sent ? "was refused by the service for want of a token and not sent again" : "waited for it and was not sent"}`;
      throw new ODataClientError(error.code, message, { cause: error });
    }
  }

  return {
    name: "csrf",
    async handle(request, next) {
      if (!MODIFYING_METHODS.has(request.method) || request.url.origin !== serviceOrigin || request.headers.has("x-csrf-token")) {
        return next(request);
      }
      const used = await sessionFor(request);
      const response = await next(withSession(request, used));
      if (!isTokenRequired(response)) return response;
      if (session === used) session = undefined;
      const renewed = await sessionFor(request, true);
      // No token to be had: the service's refusal is the answer, and its error will say why.
      if (renewed.token === undefined) {
        refusedWithoutToken.set(response, renewed.status);
        return response;
      }
      await discard(response);
      return next({ ...withSession(request, renewed), purpose: request.purpose ?? "csrf-retry" });
    },
  };
}

/**
 * Why a write was refused, for the message of its error: for a 403 with `X-CSRF-Token: Required`
 * that this client answered without a token because the token fetch (`GET <serviceUrl>` with
 * `X-CSRF-Token: Fetch`) failed or brought none, what that fetch was answered with; otherwise
 * `undefined`. Names only the status and the service root (redacted), never what the fetch's
 * answer held.
 */
export function csrfRefusalExplanation(response: Response, serviceUrl: URL): string | undefined {
  const status = refusedWithoutToken.get(response);
  if (status === undefined) return undefined;
  let outcome: string;
  if (status >= 200 && status < 300) outcome = `was answered HTTP ${status} without one`;
  // The fetch does not follow redirects: one there usually leads to a login page.
  else if (status === 0 || (status >= 300 && status < 400)) outcome = `was redirected${status === 0 ? "" : ` (HTTP ${status})`}, which a token fetch does not follow`;
  else outcome = `failed with HTTP ${status}`;
  return `the service requires a CSRF token and none could be fetched: GET ${redactUrl(serviceUrl)} with X-CSRF-Token: Fetch ${outcome}`;
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
