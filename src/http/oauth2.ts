/**
 * OAuth2 client credentials (RFC 6749 §4.4) at run time: the token cache that fetches, keeps and
 * renews the access token, and the auth step that sends it and retries once on a 401. Loaded by
 * `auth.ts` when a client with OAuth2 credentials sends its first request, so that other programs
 * do not carry it.
 */
import { ODataClientError } from "../errors.js";
import type { ODataRequest, PipelineStep, SendRequest } from "./pipeline.js";
import { isNetworkError, isTrustedOrigin, RETRY_STATUSES, runtimeSendsOwnUserAgent, type RetryPolicy } from "./steps.js";
import { TOKEN_ANSWER_READ, waitForToken } from "./token-wait.js";
import { retryAfterMs } from "./retry-after.js";
import { sleep } from "./signals.js";
import { readBodyText, discard } from "./body.js";
import { basicCredentials, withAuthorization, type ResolvedOAuth2 } from "./auth.js";
import { isBearerToken } from "./bearer-token.js";
import { clipText, redactUrl } from "../util/redact.js";
import { maskSecretValues } from "../util/secret-values.js";
import { SharedRequest } from "../util/shared-request.js";
import { isRecord } from "../util/values.js";

/**
 * The auth step for OAuth2 client credentials. A 401 from the service means the token was refused
 * (revoked, or expired earlier than it said): the token is dropped, a new one fetched, and the
 * request sent once more, which is safe because the service refused it unread and its body is a
 * string or bytes. A second 401 is the answer.
 */
export function oauth2Step(tokens: OAuth2TokenCache, trustedOrigins: ReadonlySet<string>): PipelineStep {
  return {
    name: "auth",
    async handle(request, next) {
      if (!isTrustedOrigin(trustedOrigins, request.url) || request.headers.has("authorization")) return next(request);
      const used = await tokenFor(tokens, request, next);
      const response = await next(withAuthorization(request, `Bearer ${used}`));
      if (response.status !== 401 || !isReplayable(request)) return response;
      tokens.forget(used);
      let fresh: string;
      try {
        fresh = await tokenFor(tokens, request, next, true);
      } catch (error) {
        await discard(response);
        throw error;
      }
      // The endpoint gave the refused token again: sending it once more would only be refused again.
      if (fresh === used) return response;
      await discard(response);
      return next({ ...withAuthorization(request, `Bearer ${fresh}`), purpose: request.purpose ?? "oauth2-retry" });
    },
  };
}

/**
 * The token for `request`. When the request's timeout ends it while the token is fetched, the
 * token request is what got no answer: the `TIMEOUT` names the token endpoint and says what became
 * of the request (not sent; or, `refused`, refused with 401 and not sent again). A caller's own
 * abort still rejects with the caller's reason.
 */
function tokenFor(tokens: OAuth2TokenCache, request: ODataRequest, send: SendRequest, refused = false): Promise<string> {
  return waitForToken(
    request,
    // Where the endpoint did answer (busy, or a body that stopped), what held the request up is that.
    () => `the OAuth2 token endpoint POST ${redactUrl(tokens.tokenUrl)} (option "auth.oauth2.tokenUrl") ${tokens.answered ?? "got no answer"}`,
    // A request the retry step sends again (a GET) asks for the token again with it.
    (signal) => tokens.token(send, signal, !request.retry),
    refused ? "the service refused with 401 and was not sent again" : undefined,
  );
}

/** Whether a request can be sent again as it is: no body, or one that is not consumed by sending. */
function isReplayable(request: ODataRequest): boolean {
  const body: unknown = request.body;
  return body === undefined || typeof body === "string" || body instanceof Uint8Array;
}

/** A token as it is kept: the value and when to fetch the next (ms since the epoch). */
interface CachedToken {
  readonly value: string;
  readonly refreshAt: number;
}

/** The tokens a token answer issues (RFC 6749 §5.1, and OpenID Connect's `id_token`). */
function issuedTokens(answer: unknown): string[] {
  const issued = isRecord(answer) ? [answer["access_token"], answer["refresh_token"], answer["id_token"]] : [];
  return issued.filter((value): value is string => typeof value === "string");
}

/** The longest token answer read (1 MiB): one is a few kilobytes (RFC 6749 §5.1); an endless one is cut here. */
const TOKEN_ANSWER_LIMIT = 1 << 20;

/** How long before its expiry a token is replaced, at most. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The access token of one set of OAuth2 client credentials: fetched when there is none or it is
 * about to expire, one fetch shared by the requests that need it meanwhile (each may give up on
 * its own, see {@link SharedRequest}). A failed fetch is not kept: the next request tries again.
 */
export class OAuth2TokenCache {
  readonly #credentials: ResolvedOAuth2;
  readonly #now: () => number;
  readonly #userAgent: string | undefined;
  readonly #retry: RetryPolicy | false;
  readonly #fetches = new SharedRequest<CachedToken>();
  #token: CachedToken | undefined;
  /**
   * While the fetch waits on an answer it has: to ask a busy endpoint again ("was busy (answered
   * 503, asking to wait 10 s)"), or for the rest of the body of the answer being read.
   */
  #answered: string | undefined;

  /**
   * `userAgent` is the client's (option `userAgent`): the token request goes to the transport
   * straight from the auth step, past the headers step that gives the other requests theirs, and
   * takes none of the configured headers, which are the service's. `retry` is the client's (option
   * `retry`), by which a busy endpoint is asked again. `now` is the clock (a test's).
   */
  constructor(
    credentials: ResolvedOAuth2,
    { userAgent, retry = false, now = Date.now }: { userAgent?: string | undefined; retry?: RetryPolicy | false; now?: () => number } = {},
  ) {
    this.#credentials = credentials;
    this.#now = now;
    this.#userAgent = userAgent;
    this.#retry = retry;
  }

  /**
   * The kept token while it is fresh, else a new one fetched with `send` (the pipeline's rest, so
   * the token request is in the wire log and goes through the transport). A busy endpoint (a
   * 429, a 503 ...) is asked again under the option `retry`, as the retry step sends a request
   * again; with `retryLost` (for a request the retry step does not send again, a POST), so is one
   * whose connection was lost. Rejects with `AUTH_FAILED` when the endpoint refuses, stays busy or
   * answers something unusable, with the transport's error when it cannot be reached, and with
   * the signal's reason when `signal` aborts.
   */
  async token(send: SendRequest, signal: AbortSignal | undefined, retryLost = false): Promise<string> {
    const kept = this.#token;
    if (kept !== undefined && this.#now() < kept.refreshAt) return kept.value;
    return (await this.#fetches.join((shared) => this.#fetch(send, shared, retryLost), signal)).value;
  }

  /** Where the token is fetched (option `auth.oauth2.tokenUrl`). */
  get tokenUrl(): URL {
    return this.#credentials.tokenUrl;
  }

  /**
   * What the endpoint answered, while the fetch still waits on that answer (see {@link #answered});
   * `undefined` while it waits for an answer.
   */
  get answered(): string | undefined {
    return this.#answered;
  }

  /** Drops `token` if it is the one kept (the service refused it); a newer one stays. */
  forget(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  /**
   * Sends the token request, and again while the endpoint is busy and the option `retry` allows:
   * asking for a token again has no effect beyond the token (RFC 6749 §4.4), whatever the request
   * waiting for it is. The wait is the answer's `Retry-After`, else the retry step's backoff, and
   * ends at once with `signal`. A busy answer that is not waited out is read as the last one.
   * A lost connection is asked again only with `retryLost` (see {@link token}).
   */
  async #fetch(send: SendRequest, signal: AbortSignal, retryLost: boolean): Promise<CachedToken> {
    const retry = this.#retry;
    for (let attempt = 0; ; attempt++) {
      this.#answered = undefined;
      const sentAt = this.#now();
      let response: Response;
      try {
        response = await this.#send(send, signal, attempt);
      } catch (error) {
        // Nothing was issued, and the request waiting for the token was not sent. One that the
        // retry step sends again (a GET) asks again with it; asking here as well would multiply.
        if (!retryLost || retry === false || attempt >= retry.retries || signal.aborted || !isNetworkError(error)) throw error;
        await sleep(backoff(retry, attempt), signal);
        continue;
      }
      if (!RETRY_STATUSES.has(response.status)) return this.#read(response, sentAt, signal);
      const wait = retryAfterMs(response.headers.get("retry-after"), Date.now());
      const asked = wait === undefined ? "" : `asking to wait ${Math.ceil(wait / 1000)} s`;
      let busy: string;
      if (retry === false || retry.retries === 0) busy = 'and was not asked again (option "retry" sends no request twice)';
      else if (wait !== undefined && wait > retry.maxDelay) busy = `${asked} (Retry-After), more than option "retry.maxDelay" (${retry.maxDelay} ms) allows`;
      else if (attempt >= retry.retries) busy = `to each of ${attempt + 1} token requests (option "retry" allows ${retry.retries} retries)`;
      else {
        this.#answered = `was busy (answered ${response.status}${asked && `, ${asked}`})`;
        await discard(response);
        await sleep(wait ?? backoff(retry, attempt), signal);
        continue;
      }
      return this.#read(response, sentAt, signal, busy);
    }
  }

  /** The token request, the `attempt`-th retry (0: the first request). */
  #send(send: SendRequest, signal: AbortSignal, attempt: number): Promise<Response> {
    const credentials = this.#credentials;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    const headers = new Headers({ accept: "application/json", "content-type": "application/x-www-form-urlencoded" });
    if (this.#userAgent !== undefined && !runtimeSendsOwnUserAgent()) headers.set("user-agent", this.#userAgent);
    if (credentials.clientAuthentication === "basic") {
      headers.set("authorization", basicCredentials(encodeURIComponent(credentials.clientId), encodeURIComponent(credentials.clientSecret)));
    } else {
      form.set("client_id", credentials.clientId);
      form.set("client_secret", credentials.clientSecret);
    }
    if (credentials.scope !== undefined) form.set("scope", credentials.scope);
    if (credentials.resource !== undefined) form.set("resource", credentials.resource);
    if (credentials.audience !== undefined) form.set("audience", credentials.audience);
    return send({
      method: "POST",
      url: new URL(credentials.tokenUrl),
      headers,
      body: form.toString(),
      signal,
      // A redirect would take the secret elsewhere: it is reported, not followed.
      redirect: "manual",
      retry: false,
      purpose: "oauth2",
      // For the wire log: "oauth2 retry 1/3".
      ...(attempt > 0 && { attempt }),
    });
  }

  /**
   * The token of the endpoint's answer, read to its end; `busy`, of a busy endpoint's answer that
   * is not waited out, what became of the token requests (see {@link #readAnswer}).
   */
  async #read(response: Response, sentAt: number, signal: AbortSignal, busy?: string): Promise<CachedToken> {
    const credentials = this.#credentials;
    let answer: unknown;
    try {
      let text: string;
      try {
        this.#answered = `answered ${response.status} and its body did not come in full`;
        text = await readBodyText(response, "POST", credentials.tokenUrl, signal, TOKEN_ANSWER_LIMIT);
        this.#answered = undefined;
      } catch (error) {
        // The one BAD_PAYLOAD of a body read to a limit is a body over it: no usable token.
        if (!(error instanceof ODataClientError) || error.code !== "BAD_PAYLOAD") throw error;
        throw this.#failure(`answered ${response.status} with a body over 1 MiB, the limit of a token answer`);
      }
      try {
        answer = JSON.parse(text);
      } catch {
        answer = undefined;
      }
    } finally {
      // The wire log's line of this answer waits for the tokens it issues, to mask them in any header.
      TOKEN_ANSWER_READ.get(response)?.(issuedTokens(answer));
    }
    const token = this.#readAnswer(response, answer, sentAt, busy);
    this.#token = token;
    return token;
  }

  /**
   * The token of the endpoint's answer (RFC 6749 §5.1), or the `AUTH_FAILED` error that its answer
   * is (§5.2). Of a busy endpoint (`busy`: what became of its token requests), that error says it
   * was busy and that the credentials are not in question: the one code of a token that could not
   * be had, and yet the caller is to try again later, not to change them.
   */
  #readAnswer(response: Response, answer: unknown, sentAt: number, busy?: string): CachedToken {
    const fail = (what: string) => this.#failure(what);
    const contentType = response.headers.get("content-type")?.split(";")[0]?.trim() || "no content type";
    if (response.status >= 300 && response.status < 400 || response.type === "opaqueredirect") {
      throw fail(`answered ${response.status} (a redirect, not followed: the credentials go to tokenUrl alone)`);
    }
    const error = isRecord(answer) ? this.#endpointText(answer["error"]) : undefined;
    const refusal = () => {
      const description = isRecord(answer) ? this.#endpointText(answer["error_description"]) : undefined;
      return fail(`answered ${response.status}: ${error}${description === undefined ? "" : `: ${description}`}`);
    };
    if (busy !== undefined) {
      const description = isRecord(answer) ? this.#endpointText(answer["error_description"]) : undefined;
      const said = error === undefined ? "" : ` (${error}${description === undefined ? "" : `: ${description}`})`;
      const state = response.status === 429 || response.status === 503 ? "busy" : "unavailable";
      throw fail(`was ${state}: it answered ${response.status}${said} ${busy}; this is no refusal of the credentials (try again later)`);
    }
    if (!response.ok) {
      if (error === undefined) throw fail(`answered ${response.status} (no OAuth2 error in its ${contentType} body)`);
      throw refusal();
    }
    if (!isRecord(answer)) throw fail(`answered ${response.status} with a body that is not JSON (${contentType})`);
    const accessToken = answer["access_token"];
    if (typeof accessToken !== "string" || accessToken === "") {
      // Some endpoints refuse with 200 and an OAuth2 error (RFC 6749 §5.2) in place of the token.
      throw error === undefined ? fail(`answered ${response.status} without an access_token`) : refusal();
    }
    const tokenType = answer["token_type"];
    // token_type is required (RFC 6749 §5.1) and case-insensitive; a missing one is taken as Bearer.
    if (tokenType !== undefined && (typeof tokenType !== "string" || tokenType.toLowerCase() !== "bearer")) {
      // Quoted without the token just issued (an endpoint may write "mac <token>") or the client secret.
      throw fail(`gave a token of type ${JSON.stringify(typeof tokenType === "string" ? clipText(this.#masked(tokenType, [accessToken]), 40) : tokenType)}; only Bearer tokens can be sent`);
    }
    // Checked here rather than left to Headers.set, whose error message would quote the token.
    if (!isBearerToken(accessToken)) throw fail("gave an access_token that cannot be sent in a header (spaces, line breaks or non-ASCII)");
    return { value: accessToken, refreshAt: refreshTime(sentAt, answer["expires_in"]) };
  }

  /** The `AUTH_FAILED` error of an endpoint that `what` (answered ...). */
  #failure(what: string): ODataClientError {
    return new ODataClientError("AUTH_FAILED", `the OAuth2 token endpoint POST ${redactUrl(this.#credentials.tokenUrl)} (option "auth.oauth2.tokenUrl") ${what}`);
  }

  /**
   * A text of the endpoint's error answer fit for a message: on one line, clipped, and with the
   * client secret masked (see {@link #masked}). Masked before the whitespace is collapsed, which
   * would otherwise change a secret holding a tab, a line break or a run of spaces so that it no
   * longer matches, and then once more in the collapsed form an endpoint may have echoed it in.
   */
  #endpointText(value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim() === "") return undefined;
    return clipText(this.#masked(this.#masked(value).replace(/\s+/g, " ").trim()), 300);
  }

  /**
   * `text` with the client secret masked in the forms it was sent in ({@link secretForms}, its
   * white space collapsed too) and as an encoder may have escaped it (`&amp;`, `\u002b`, `%2B`:
   * maskSecretValues), and so are the `issued` tokens.
   */
  #masked(text: string, issued: readonly string[] = []): string {
    const { clientId, clientSecret } = this.#credentials;
    const collapsed = clientSecret.replace(/\s+/g, " ");
    const sent = text.replace(secretForms(clientId, clientSecret), "***").replace(secretForms(clientId, collapsed), "***");
    return maskSecretValues(sent, { values: [clientSecret, collapsed, ...issued], authorizations: [] });
  }
}

/**
 * The forms the client secret travelled to the endpoint in, and may come back in within its error
 * (an endpoint may echo the request), as one pattern, longest first, letter case ignored: as it
 * is, percent-encoded, form-encoded, JSON-escaped, and the base64 of the basic credentials
 * (`clientAuthentication: "basic"`), which an endpoint may quote without their `Basic` scheme, with
 * or without padding, in the URL-safe alphabet too.
 */
function secretForms(clientId: string, secret: string): RegExp {
  const basic = basicCredentials(encodeURIComponent(clientId), encodeURIComponent(secret)).slice(6);
  const forms = [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    basic,
    basic.replace(/=+$/, ""),
    basic.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"),
  ];
  const escaped = [...new Set(forms)].sort((a, b) => b.length - a.length).map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(escaped.join("|"), "gi");
}

/**
 * The wait before the token request's retry `attempt + 1` where the busy answer asked for none: the
 * retry step's backoff (steps.ts), doubling from `delay` up to `maxDelay`, with jitter. Kept here,
 * not shared, so that programs that never load this module do not carry its export.
 */
function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelay, policy.delay * 2 ** attempt);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

/**
 * When a token sent at `sentAt` with `expiresIn` (seconds; a number, or a numeric string as some
 * endpoints send it) is to be replaced: a minute before it expires, or halfway through a shorter
 * life. Without a usable `expires_in` it is kept until the service refuses it.
 */
function refreshTime(sentAt: number, expiresIn: unknown): number {
  const seconds = typeof expiresIn === "string" && expiresIn.trim() !== "" ? Number(expiresIn) : expiresIn;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return Number.POSITIVE_INFINITY;
  const lifetime = seconds * 1000;
  return sentAt + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 2);
}
