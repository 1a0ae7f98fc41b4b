/**
 * OAuth2 client credentials (RFC 6749 §4.4) at run time: the token cache that fetches, keeps and
 * renews the access token, and the auth step that sends it and retries once on a 401. Loaded by
 * `auth.ts` when a client with OAuth2 credentials sends its first request, so that other programs
 * do not carry it.
 */
import { ODataClientError } from "../errors.js";
import type { ODataRequest, PipelineStep, SendRequest } from "./pipeline.js";
import { isTrustedOrigin } from "./steps.js";
import { readBodyText } from "./body.js";
import { basicCredentials, withAuthorization, type ResolvedOAuth2 } from "./auth.js";
import { isBearerToken } from "./bearer-token.js";
import { clipText, redactUrl } from "../util/redact.js";
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
        fresh = await tokenFor(tokens, request, next);
      } catch (error) {
        await response.body?.cancel().catch(() => {});
        throw error;
      }
      // The endpoint gave the refused token again: sending it once more would only be refused again.
      if (fresh === used) return response;
      await response.body?.cancel().catch(() => {});
      return next({ ...withAuthorization(request, `Bearer ${fresh}`), purpose: request.purpose ?? "oauth2-retry" });
    },
  };
}

/**
 * The token for `request`. When the request's timeout ends it while the token is fetched, the
 * token request is what got no answer: the service was never asked, so the `TIMEOUT` names the
 * token endpoint and not the request (a caller's own abort still rejects with the caller's reason).
 */
async function tokenFor(tokens: OAuth2TokenCache, request: ODataRequest, send: SendRequest): Promise<string> {
  try {
    return await tokens.token(send, request.signal);
  } catch (error) {
    const reason: unknown = request.signal?.aborted ? request.signal.reason : undefined;
    // The timeout step aborts with its own TIMEOUT error; any other reason is the caller's.
    if (error !== reason || !(reason instanceof ODataClientError) || reason.code !== "TIMEOUT") throw error;
    throw new ODataClientError(
      "TIMEOUT",
      `the OAuth2 token endpoint POST ${redactUrl(tokens.tokenUrl)} (option "auth.oauth2.tokenUrl") got no answer within the timeout (option "timeout") of ${request.method} ${redactUrl(request.url)}, which was not sent`,
      { cause: reason },
    );
  }
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
  readonly #fetches = new SharedRequest<CachedToken>();
  #token: CachedToken | undefined;

  constructor(credentials: ResolvedOAuth2, now: () => number = Date.now) {
    this.#credentials = credentials;
    this.#now = now;
  }

  /**
   * The kept token while it is fresh, else a new one fetched with `send` (the pipeline's rest, so
   * the token request is in the wire log and goes through the transport). Rejects with
   * `AUTH_FAILED` when the endpoint refuses or answers something unusable, with the transport's
   * error when it cannot be reached, and with the signal's reason when `signal` aborts.
   */
  async token(send: SendRequest, signal: AbortSignal | undefined): Promise<string> {
    const kept = this.#token;
    if (kept !== undefined && this.#now() < kept.refreshAt) return kept.value;
    return (await this.#fetches.join((shared) => this.#fetch(send, shared), signal)).value;
  }

  /** Where the token is fetched (option `auth.oauth2.tokenUrl`). */
  get tokenUrl(): URL {
    return this.#credentials.tokenUrl;
  }

  /** Drops `token` if it is the one kept (the service refused it); a newer one stays. */
  forget(token: string): void {
    if (this.#token?.value === token) this.#token = undefined;
  }

  async #fetch(send: SendRequest, signal: AbortSignal): Promise<CachedToken> {
    const credentials = this.#credentials;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    const headers = new Headers({ accept: "application/json", "content-type": "application/x-www-form-urlencoded" });
    if (credentials.clientAuthentication === "basic") {
      headers.set("authorization", basicCredentials(encodeURIComponent(credentials.clientId), encodeURIComponent(credentials.clientSecret)));
    } else {
      form.set("client_id", credentials.clientId);
      form.set("client_secret", credentials.clientSecret);
    }
    if (credentials.scope !== undefined) form.set("scope", credentials.scope);
    if (credentials.resource !== undefined) form.set("resource", credentials.resource);
    if (credentials.audience !== undefined) form.set("audience", credentials.audience);
    const sentAt = this.#now();
    const response = await send({
      method: "POST",
      url: new URL(credentials.tokenUrl),
      headers,
      body: form.toString(),
      signal,
      // A redirect would take the secret elsewhere: it is reported, not followed.
      redirect: "manual",
      retry: false,
      purpose: "oauth2",
    });
    const text = await readBodyText(response, "POST", credentials.tokenUrl, signal, TOKEN_ANSWER_LIMIT);
    const token = this.#readAnswer(response, text, sentAt);
    this.#token = token;
    return token;
  }

  /** The token of the endpoint's answer (RFC 6749 §5.1), or the `AUTH_FAILED` error that its answer is (§5.2). */
  #readAnswer(response: Response, text: string, sentAt: number): CachedToken {
    const fail = (what: string) =>
      new ODataClientError("AUTH_FAILED", `the OAuth2 token endpoint POST ${redactUrl(this.#credentials.tokenUrl)} (option "auth.oauth2.tokenUrl") ${what}`);
    const contentType = response.headers.get("content-type")?.split(";")[0]?.trim() || "no content type";
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = undefined;
    }
    if (response.status >= 300 && response.status < 400 || response.type === "opaqueredirect") {
      throw fail(`answered ${response.status} (a redirect, not followed: the credentials go to tokenUrl alone)`);
    }
    if (!response.ok) {
      const error = isRecord(answer) ? this.#endpointText(answer["error"]) : undefined;
      if (error === undefined) throw fail(`answered ${response.status} (no OAuth2 error in its ${contentType} body)`);
      const description = isRecord(answer) ? this.#endpointText(answer["error_description"]) : undefined;
      throw fail(`answered ${response.status}: ${error}${description === undefined ? "" : `: ${description}`}`);
    }
    if (!isRecord(answer)) throw fail(`answered ${response.status} with a body that is not JSON (${contentType})`);
    const accessToken = answer["access_token"];
    if (typeof accessToken !== "string" || accessToken === "") throw fail(`answered ${response.status} without an access_token`);
    const tokenType = answer["token_type"];
    // token_type is required (RFC 6749 §5.1) and case-insensitive; a missing one is taken as Bearer.
    if (tokenType !== undefined && (typeof tokenType !== "string" || tokenType.toLowerCase() !== "bearer")) {
      throw fail(`gave a token of type ${JSON.stringify(typeof tokenType === "string" ? clipText(tokenType, 40) : tokenType)}; only Bearer tokens can be sent`);
    }
    // Checked here rather than left to Headers.set, whose error message would quote the token.
    if (!isBearerToken(accessToken)) throw fail("gave an access_token that cannot be sent in a header (spaces, line breaks or non-ASCII)");
    return { value: accessToken, refreshAt: refreshTime(sentAt, answer["expires_in"]) };
  }

  /**
   * A text of the endpoint's error answer fit for a message: on one line, clipped, and with the
   * client secret masked in every form it travelled in (an endpoint may echo the request).
   */
  #endpointText(value: unknown): string | undefined {
    if (typeof value !== "string" || value.trim() === "") return undefined;
    let text = value.replace(/\s+/g, " ").trim();
    const secret = this.#credentials.clientSecret;
    const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
    for (const form of forms.sort((a, b) => b.length - a.length)) text = text.split(form).join("***");
    return clipText(text, 300);
  }
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
