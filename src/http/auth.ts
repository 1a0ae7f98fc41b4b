/**
 * Credentials for the service (option `auth`): a bearer token or a function giving one, basic
 * credentials, or OAuth2 client credentials (RFC 6749 §4.4), for which the client fetches an access
 * token from the token endpoint, keeps it until shortly before it expires, shares one fetch between
 * concurrent requests, and fetches a new one when the service answers 401. The auth step sends them
 * as `Authorization`, to trusted origins only. The OAuth2 token client is in `oauth2.ts`, which the
 * client loads when a client with OAuth2 credentials sends its first request.
 */
import { ODataClientError } from "../errors.js";
import type { ODataRequest, PipelineStep } from "./pipeline.js";
import { isTrustedOrigin } from "./steps.js";
import { waitForToken } from "./token-wait.js";
import { base64 } from "../util/base64.js";
import { isBearerToken } from "./bearer-token.js";
import { abortReason, untilAborted } from "./signals.js";
import { redactCause, SENT_SECRETS, type SecretSet } from "../util/redact.js";
import { maskSecretValues } from "../util/secret-values.js";

/** A bearer token, or a function that returns one (called for every request). */
export type BearerToken = string | (() => string | Promise<string>);

/**
 * How the client authenticates itself to the token endpoint (RFC 6749 §2.3.1): `"body"` sends
 * `client_id` and `client_secret` as form fields, `"basic"` sends them as HTTP basic credentials
 * (each form-encoded first, as the RFC says) and leaves them out of the form.
 */
export type OAuth2ClientAuthentication = "body" | "basic";

/**
 * OAuth2 client credentials (RFC 6749 §4.4): the client asks the token endpoint for an access token
 * with a form POST of `grant_type=client_credentials` and sends the token as `Bearer` to the
 * service. The token is kept until shortly before it expires (`expires_in`: a minute before, or
 * half its lifetime for a token that lives less than two minutes; one without `expires_in` until
 * the service refuses it); concurrent requests share one token request; a 401 from the service
 * gets a new token and the request is sent once more.
 * @example
 * // Microsoft Graph or Dataverse (Microsoft Entra ID)
 * const graph: OAuth2ClientCredentials = {
 *   tokenUrl: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
 *   clientId: applicationId,
 *   clientSecret: process.env.GRAPH_CLIENT_SECRET!,
 *   scope: "https://graph.microsoft.com/.default",
 * };
 * // SAP BTP (XSUAA): url, clientid and clientsecret of the service key
 * const btp: OAuth2ClientCredentials = {
 *   tokenUrl: `${serviceKey.uaa.url}/oauth/token`,
 *   clientId: serviceKey.uaa.clientid,
 *   clientSecret: serviceKey.uaa.clientsecret,
 * };
 */
export interface OAuth2ClientCredentials {
  /**
   * The token endpoint. Only `https`, or `http` to a loopback address (`localhost`, `127.x.x.x`,
   * `[::1]`): the client secret never crosses a network in clear text. Redirects are not followed.
   */
  tokenUrl: string;
  /** The client (application) id. */
  clientId: string;
  /** The client secret. It appears in no message, error or log line. */
  clientSecret: string;
  /**
   * The `scope` form field: space-separated scopes, such as `https://graph.microsoft.com/.default`
   * (Microsoft Entra ID wants the resource followed by `/.default`). Not sent when not given.
   */
  scope?: string | undefined;
  /** The `resource` form field (RFC 8707; Entra's v1 endpoint). Not sent when not given. */
  resource?: string | undefined;
  /** The `audience` form field, for endpoints that want one (Auth0 and others). Not sent when not given. */
  audience?: string | undefined;
  /**
   * Where the client id and secret go. `"body"`, the default, is what Microsoft Entra ID documents
   * and what SAP XSUAA (and Cloud Foundry UAA) also take; `"basic"` is for endpoints that take only
   * HTTP basic client authentication, which RFC 6749 requires every endpoint to support. With
   * `"basic"` the id and secret are percent-encoded before base64 (RFC 6749 §2.3.1), which leaves
   * letters, digits and `-._~!*'()` as they are.
   * @default "body"
   */
  clientAuthentication?: OAuth2ClientAuthentication | undefined;
}

/**
 * Credentials sent to the service's own origin (and to `trustedOrigins`): a bearer token, basic
 * credentials, or OAuth2 client credentials (see {@link OAuth2ClientCredentials}).
 */
export type AuthOptions = { bearer: BearerToken } | { basic: { username: string; password: string } } | { oauth2: OAuth2ClientCredentials };

/** OAuth2 client credentials after validation, defaults applied. */
export interface ResolvedOAuth2 {
  readonly tokenUrl: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string | undefined;
  readonly resource: string | undefined;
  readonly audience: string | undefined;
  readonly clientAuthentication: OAuth2ClientAuthentication;
}

/** The option `auth` after validation. */
export type ResolvedAuth = { bearer: BearerToken } | { basic: { username: string; password: string } } | { oauth2: ResolvedOAuth2 };

/**
 * Adds `Authorization` for trusted origins: a bearer function is called for every request. (OAuth2
 * client credentials have their own step, `oauth2Step` in `oauth2.ts`.)
 */
export function authStep(auth: Exclude<ResolvedAuth, { oauth2: ResolvedOAuth2 }>, trustedOrigins: ReadonlySet<string>): PipelineStep {
  // The secrets the client had sent by the latest answer (its tokens among them), which a token
  // function's failure may quote ("refresh failed, <token> expired").
  let sent: SecretSet | undefined;
  return {
    name: "auth",
    async handle(request, next) {
      if (!isTrustedOrigin(trustedOrigins, request.url) || request.headers.has("authorization")) return next(request);
      // (A string or basic credentials cannot keep it waiting: no wrapper for them.)
      const value = "bearer" in auth && typeof auth.bearer === "function" ? await fromTokenFunction(auth, request, sent) : await authorizationValue(auth);
      const response = await next(withAuthorization(request, value));
      sent = SENT_SECRETS.get(response) ?? sent;
      return response;
    },
  };
}

/**
 * The `Authorization` of the token function's token. The function cannot be stopped, but the
 * request stops waiting for it when its signal aborts (the caller's, or the timeout's): the caller
 * sees the abort at once, and a timeout names the function, as nothing was sent.
 */
function fromTokenFunction(auth: { bearer: BearerToken }, request: ODataRequest, sent: SecretSet | undefined): Promise<string> {
  return waitForToken(request, () => 'the token function (option "auth.bearer") gave no token', (signal) =>
    // On a signal already aborted the token function is not called.
    signal?.aborted ? Promise.reject(abortReason(signal)) : untilAborted(authorizationValue(auth, sent), signal),
  );
}

/** A copy of `request` with `Authorization` set to `value`. */
export function withAuthorization(request: ODataRequest, value: string): ODataRequest {
  const headers = new Headers(request.headers);
  headers.set("authorization", value);
  return { ...request, headers };
}

/** `sent`: the secrets the client has sent, masked by value in what a throwing token function throws. */
async function authorizationValue(auth: { bearer: BearerToken } | { basic: { username: string; password: string } }, sent?: SecretSet): Promise<string> {
  if ("bearer" in auth) {
    let token: unknown;
    try {
      token = typeof auth.bearer === "function" ? await auth.bearer() : auth.bearer;
    } catch (error) {
      const cause = redactCause(error, (text) => maskSecretValues(text, sent));
      throw new ODataClientError("AUTH_FAILED", 'option "auth.bearer" threw instead of giving a token (see cause)', { cause });
    }
    if (typeof token !== "string" || token.length === 0) {
      throw new ODataClientError("AUTH_FAILED", 'option "auth.bearer" gave no token (expected a non-empty string)');
    }
    // Checked here rather than left to Headers.set, whose error message would quote the token.
    if (!isBearerToken(token)) {
      throw new ODataClientError("AUTH_FAILED", 'option "auth.bearer" gave a token with characters that cannot be sent (spaces, line breaks or non-ASCII)');
    }
    return `Bearer ${token}`;
  }
  const { username, password } = auth.basic;
  return basicCredentials(username, password);
}

export function basicCredentials(userId: string, password: string): string {
  return `Basic ${base64(new TextEncoder().encode(`${userId}:${password}`))}`;
}
