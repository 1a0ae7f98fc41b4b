/**
 * The client's options: their public shape, their defaults, and the one function that validates
 * and merges them. Nothing else in the library reads raw options.
 */
import { TRANSPORT_HEADERS, type PipelineStep } from "./http/pipeline.js";
import type { AbortSignalLike } from "./http/signals.js";
import { consoleWireLogger, nodeDebugFromEnvironment, nodeDebugNames, type WireLogger } from "./http/debug.js";
import type { RetryPolicy } from "./http/steps.js";
import { isBearerToken } from "./http/bearer-token.js";
import type { AuthOptions, BearerToken, OAuth2ClientAuthentication, OAuth2ClientCredentials, ResolvedAuth, ResolvedOAuth2 } from "./http/auth.js";
import { redactText, redactUrl } from "./util/redact.js";
import { describe } from "./util/values.js";
import { checkTimeout } from "./util/timers.js";

/**
 * What every method that sends a request takes as its last argument (alone, or extended by the
 * method's own options, such as `ReadOptions` or `UpdateOptions`).
 * @example
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 5_000);
 * const book = await client.collection("Books").key(1).get({ signal: controller.signal });
 */
export interface RequestOptions {
  /**
   * Cancels the request, its retries and the reading of its answer: the promise rejects with the
   * signal's reason and nothing goes on running. An `AbortSignal`, or an object that behaves like
   * one (see {@link AbortSignalLike}).
   */
  signal?: AbortSignalLike | undefined;
  /**
   * The client's `timeout` for this call's requests alone, in ms: how long each attempt may wait
   * for its answer's headers and then for more of its body (each page of a walk has its own), and
   * how long a promise `onResponse` returns may take.
   * `0` turns it off for this call; at most 2147483647. Of a poller (`createAsync()`,
   * `asyncPoller()`), it times each of its requests (the start, each poll, a cancel), the whole wait
   * being `maxWait`'s; of `metadata()`, whose request callers share, it bounds this call's wait.
   * @default the client's `timeout`
   */
  timeout?: number | undefined;
  /**
   * Called with the status, headers and URL of each answer this call reads as its result, once
   * its headers have come and before its body is read: each page of a walk (a page requested
   * ahead too), the answer of a get, a count, a write, an operation (each next page of a
   * function's result too), a `$batch` request, each count and probe of `partitions(n)`; of a
   * poller, the start's and each poll's, result's and cancel's. An answer is seen after the
   * client's retries and redirects (the last attempt's, the last hop's, whose URL it gives),
   * whatever its status: an error answer before the call rejects with its error. The CSRF token
   * fetch, an OAuth2 token request and `$metadata` are not the call's answers and are not seen.
   * A promise it returns is waited for, as part of the call: the call's `signal` ends that wait
   * (the call rejects with the signal's reason), and so do leaving a walk and a poller's `maxWait`;
   * the call's `timeout` bounds it too, `timeout` ms of its own for each answer (counted from the
   * call of `onResponse`, like a wait for more of a body), after which the call rejects with code
   * `"TIMEOUT"` (with `timeout` `0`, only the signal ends it). Either way the answer's body is let
   * go and what the promise later does is ignored. What it throws, or a promise it returns rejects
   * with, rejects the call with that very error, the answer's body left unread. The headers are a
   * copy, for reading what a service says beside the body: SAP's messages ({@link sapMessages}), a
   * request id, rate limits. Not taken by `metadata()` (one request shared by its callers) nor by
   * the requests of a `$batch` (give it to `batch.send()`).
   * @example
   * await client.collection("Orders").key(1).update({ status: "shipped" }, {
   *   onResponse: ({ headers }) => console.log(sapMessages(headers)),
   * });
   */
  onResponse?: ((answer: ResponseInfo) => void | PromiseLike<void>) | undefined;
}

/** What a call's `onResponse` is told of an answer (see {@link RequestOptions.onResponse}). */
export interface ResponseInfo {
  /** The HTTP status. */
  status: number;
  /** A copy of the answer's headers. */
  headers: Headers;
  /** The URL that answered: the request's, or the last redirect's target. */
  url: string;
}

/** The OData protocol version a client speaks: literals, URLs, payloads and paging follow it. */
export type ODataVersion = "2.0" | "4.0" | "4.01";

/** When and how often idempotent requests are sent again. */
export interface RetryOptions {
  /** How many times a request is sent again after the first attempt. @default 3 */
  retries?: number | undefined;
  /** The first backoff delay in ms; it doubles on every attempt (with jitter). @default 300 */
  delay?: number | undefined;
  /** The longest wait between two attempts in ms, `Retry-After` included. @default 30_000 */
  maxDelay?: number | undefined;
}

/** The options of `new ODataClient(options)`. */
export interface ODataClientOptions {
  /** The service root, such as `https://host/odata/v4/catalog/`. Required. */
  serviceUrl: string;
  /** The protocol version. @default "4.0" */
  version?: ODataVersion | undefined;
  /**
   * A `fetch`-compatible function that sends every request (for proxies, instrumentation, or
   * runtimes without a global `fetch`). `null` is refused rather than read as "the default".
   * @default globalThis.fetch (looked up per request)
   */
  fetch?: typeof fetch | undefined;
  /**
   * Headers sent on every request to the service's origin and to `trustedOrigins`, never to other
   * origins (not even after a redirect). A header the request sets itself wins (`Accept`, for
   * one: its `IEEE754Compatible=true` form is option `ieee754Compatible`'s); a configured `Cookie` is merged with the CSRF session cookies, and a configured `Prefer`
   * with the request's own preferences (`odata.maxpagesize`, `respond-async`, `return=`), the
   * request's winning where both name one. No request header ever goes into an error;
   * a service that echoes one back is masked where the header's name marks a secret (key, token,
   * secret, password, session id, signature, cookie, authorization: `x-api-key` is, `x-tenant`
   * is not), so give a secret header such a name. A header named `__proto__` (an own member
   * `JSON.parse` makes) is refused with a `TypeError`: Node's `fetch` would drop it unsent.
   * @example { "x-tenant": "acme", "Accept-Language": "de" }
   * @default {}
   */
  headers?: Record<string, string> | undefined;
  /**
   * Credentials, sent as `Authorization` to the service's origin and `trustedOrigins` only:
   * `{ bearer }` (a token, or a function called for every request, so that it can refresh),
   * `{ basic: { username, password } }` (UTF-8, RFC 7617), or
   * `{ oauth2: { tokenUrl, clientId, clientSecret, scope } }` (OAuth2 client credentials: the
   * client fetches the access token itself, keeps it until shortly before it expires, and gets a
   * new one when the service answers 401; see {@link OAuth2ClientCredentials}). A bearer function
   * that throws, or a token endpoint that refuses, rejects the request with code `"AUTH_FAILED"`.
   * Tokens and secrets never appear in error messages or the wire log.
   * @example { bearer: () => tokenCache.get() }
   * @example
   * {
   *   oauth2: {
   *     tokenUrl: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
   *     clientId,
   *     clientSecret,
   *     scope: "https://graph.microsoft.com/.default",
   *   },
   * }
   */
  auth?: AuthOptions | undefined;
  /**
   * SAP-style `X-CSRF-Token` handling: before the first modifying request (POST, PUT, PATCH, MERGE,
   * DELETE) on the service's origin, a token is fetched with `GET serviceUrl` and
   * `X-CSRF-Token: Fetch`; it is sent, with the session cookies of that answer, on every write, and
   * fetched again once when the service answers 403 with `X-CSRF-Token: Required`.
   * @default false
   */
  csrf?: boolean | undefined;
  /**
   * Sent as `Prefer: odata.maxpagesize=N` on every page request of a v4 read (services read it per
   * request). `Prefer` is not CORS-safelisted: in a browser, a read of another origin with it is
   * preflighted page by page. No default: nothing is sent unless set.
   */
  maxPageSize?: number | undefined;
  /**
   * How long one attempt may wait for the answer's headers, in ms (redirect hops included; each
   * retry has its own), and then how long the library's reading of the body may wait for more data
   * (page after page, an unpaged collection, an entity, an error body, a `$batch` answer, a status
   * monitor, media content). Either way the request is aborted, its connection closed, and it
   * rejects with code `"TIMEOUT"` (an error answer whose body stalls rejects with its
   * `ODataHttpError`, the timeout as `cause`). A body may take as long as it needs in all while
   * data keeps coming, and time the caller spends holding the body back is not counted; the
   * caller's `signal` still stops it at any moment. A promise a call's `onResponse` returns gets
   * as long (see {@link RequestOptions.onResponse}). `0` turns the timeout off; at most 2147483647.
   * @default 30_000
   */
  timeout?: number | undefined;
  /**
   * Retries of idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) after 408, 429, 502, 503, 504
   * and network errors, honouring `Retry-After` (seconds or HTTP-date; a longer one than
   * `maxDelay` gives the answer back instead). POST and PATCH are never retried. `false` turns
   * retries off. An OAuth2 token request (option `auth.oauth2`) whose endpoint is busy is asked
   * again under the same options, whatever the request waiting for the token.
   * @default { retries: 3, delay: 300, maxDelay: 30_000 }
   */
  retry?: RetryOptions | false | undefined;
  /**
   * Other origins (`https://files.example.com`, no path) that may receive credentials and the
   * configured headers, such as where next links, status monitors or media are served.
   * @default [] (only the service's own origin)
   */
  trustedOrigins?: string[] | undefined;
  /** The `User-Agent` sent where the runtime allows it. @default "traverse-odata/<version>" */
  userAgent?: string | undefined;
  /**
   * The `Accept-Language` sent on every request that does not set one itself (in `headers` or a
   * step), to any origin: it tells the service the language of texts such as error messages and
   * labels. Without it Node's `fetch` sends `Accept-Language: *`, which some services refuse (CAP's
   * OData v2 adapter answers `$metadata` with a 500). `false` sends none of the client's own.
   * @example "de-CH, de;q=0.9, en;q=0.5"
   * @default "en"
   */
  acceptLanguage?: string | false | undefined;
  /**
   * OData v4: asks for the `IEEE754Compatible=true` form of JSON (OData JSON Format §3.2), in
   * which `Edm.Int64` and `Edm.Decimal` values are strings, so that no digit is lost to a
   * JavaScript number: the parameter goes on the `Accept` of reads, writes, operations, a
   * `$batch`'s parts and a long-running operation's polls, and on the `Content-Type` of their JSON
   * bodies (never on `$metadata` or `$count`), whose `bigint`, `edm.int64(…)` and `edm.decimal(…)`
   * values are then written as strings (give such properties as strings yourself, too: a service
   * may refuse a number there). The types `traverse-odata generate --ieee754-compatible` writes
   * expect it. A v2 client sends nothing for it: v2 JSON has these values as strings anyway.
   * @default false
   */
  ieee754Compatible?: boolean | undefined;
  /**
   * Addresses an entity by its key as a path segment of its own, `Customers/ALFKI` where the
   * default is `Customers('ALFKI')`: OData 4.01's key-as-segment convention (Part 2 §4.3.6), which
   * a service announces with `Capabilities.KeyAsSegmentSupported` and in which Microsoft Graph
   * documents its URLs (`users/{id}`). `key(value)` then writes a string as its text,
   * without quotes (`%`, spaces and other characters percent-encoded), and a number, GUID or date
   * as its literal; navigation, bound operations, writes, references and `$batch` parts below the
   * entity follow. A named key (`key({ A: 1, B: "x" })`), a typed literal with a prefix
   * (`duration'P1D'`), a text with `/`, `?` or `#` (which a service that decodes the path first
   * reads as delimiters: SAP CAP does) and a text the service would read as something other than
   * a key (`$count`, a qualified name such as `NS.Type` or `NS.f()`, `.`, `..`, the empty text) keep
   * the parenthesised form, which such a service takes as well. OData v4 only: a `"2.0"` client
   * refuses it with a `TypeError`.
   * @default false
   */
  keyAsSegment?: boolean | undefined;
  /**
   * Extra pipeline steps (logging, tracing, custom headers, metrics), run in the order given on
   * every attempt and every redirect hop: after the client's retry, timeout and redirect steps and
   * before its CSRF, header and auth steps (so a step sees the request without the configured
   * headers and credentials, which are added for trusted origins only). Names must be unique and must not
   * be one of the built-in names (`retry`, `timeout`, `redirect`, `headers`, `auth`, `csrf`).
   * @example
   * const client = new ODataClient({
   *   serviceUrl,
   *   steps: [{
   *     name: "trace",
   *     async handle(request, next) {
   *       request.headers.set("traceparent", newTraceParent());
   *       return next(request);
   *     },
   *   }],
   * });
   * @default []
   */
  steps?: PipelineStep[] | undefined;
  /**
   * The wire log: one line for every request the client sends and one for every answer, failure
   * or abort, including those your `steps` never see (the CSRF token fetch, each retry attempt and
   * redirect hop, status monitor polls and cancels, the `$metadata` fetch), and one line per part of
   * every `$batch` answer it reads. A line says what the request is for (`csrf`, `retry 2/3`,
   * `redirect 1`, `poll`, `batch part 3`), its method and URL, the status and the time taken, and
   * every header but the credentials and the transport's own (`X-CSRF-Token`, `If-Match`, `Prefer`,
   * `OData-Version`, `Content-Type`, `Location`, `Retry-After`, `ETag` ...). Credentials are never logged: no
   * `Authorization`, `Cookie` or `Set-Cookie`, tokens masked as `***`, URLs redacted as in error
   * messages. `true` writes the lines to `console.error`, each prefixed with `traverse-odata `; a
   * function receives each line instead (an exception it throws is ignored). Not given, the log is on when the environment variable
   * `NODE_DEBUG` names `traverse-odata` (Node's rules: a comma-separated list, `*` as wildcard),
   * where the runtime lets it be read; `false` keeps it off whatever `NODE_DEBUG` says.
   * @example
   * new ODataClient({ serviceUrl, debug: true });
   * new ODataClient({ serviceUrl, debug: (line) => logger.debug(line) });
   * @default false (unless `NODE_DEBUG` names `traverse-odata`)
   */
  debug?: boolean | ((line: string) => void) | undefined;
}

/** The client's options after validation and defaults; frozen. */
export interface ResolvedClientOptions {
  /** The service root; its path always ends in `/`. */
  serviceUrl: URL;
  version: ODataVersion;
  fetch: typeof fetch;
  headers: ReadonlyArray<readonly [string, string]>;
  auth: ResolvedAuth | undefined;
  csrf: boolean;
  maxPageSize: number | undefined;
  timeout: number;
  retry: RetryPolicy | false;
  /** The service's own origin and the trusted ones, as `URL.origin` strings. */
  trustedOrigins: ReadonlySet<string>;
  userAgent: string;
  /** The `Accept-Language` of requests that set none; `undefined` for none. */
  acceptLanguage: string | undefined;
  /** Whether JSON is asked for and sent in the `IEEE754Compatible=true` form; never for v2. */
  ieee754Compatible: boolean;
  /** Whether `key(value)` writes the key as a path segment (OData v4 only). */
  keyAsSegment: boolean;
  steps: readonly PipelineStep[];
  /** Where the wire log goes; `undefined` when it is off. */
  wireLog: WireLogger | undefined;
}

/** The package version, sent in the default `User-Agent`. */
export const LIBRARY_VERSION = "0.1.0";

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_RETRY: RetryPolicy = { retries: 3, delay: 300, maxDelay: 30_000 };
const VERSIONS: readonly ODataVersion[] = ["2.0", "4.0", "4.01"];

/** The class whose options are being resolved, as the errors name it (see resolveClientOptions). */
let owner = "ODataClient";

/**
 * Validates the options and merges them with the defaults. Throws a `TypeError` or `RangeError`
 * that names the option at fault, as an option of `className`: the class the program made.
 */
export function resolveClientOptions(options: ODataClientOptions, className = "ODataClient"): ResolvedClientOptions {
  owner = className;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${owner} options must be an object with at least serviceUrl`);
  }
  const serviceUrl = resolveServiceUrl(options.serviceUrl);
  const version = options.version ?? "4.0";
  if (!VERSIONS.includes(version)) {
    throw new RangeError(`${owner} option "version" must be one of ${VERSIONS.join(", ")}; got ${describe(version)}`);
  }
  const trustedOrigins = new Set([serviceUrl.origin]);
  for (const origin of optionalArray(options.trustedOrigins, "trustedOrigins")) {
    trustedOrigins.add(resolveOrigin(origin));
  }
  const resolved: ResolvedClientOptions = {
    serviceUrl,
    version,
    fetch: resolveFetch(options.fetch),
    headers: resolveHeaders(options.headers),
    auth: resolveAuth(options.auth),
    csrf: optionalBoolean(options.csrf, "csrf") ?? false,
    maxPageSize: optionalPositiveInteger(options.maxPageSize, "maxPageSize"),
    timeout: resolveTimeout(options.timeout),
    retry: resolveRetry(options.retry),
    trustedOrigins,
    userAgent: resolveUserAgent(options.userAgent),
    acceptLanguage: resolveAcceptLanguage(options.acceptLanguage),
    ieee754Compatible: optionalBoolean(options.ieee754Compatible, "ieee754Compatible") === true && version !== "2.0",
    keyAsSegment: resolveKeyAsSegment(options.keyAsSegment, version),
    steps: resolveSteps(options.steps),
    wireLog: resolveDebug(options.debug),
  };
  return Object.freeze(resolved);
}

/**
 * `options` with `version` in place of theirs, what depends on it resolved again: `ieee754Compatible`
 * as they have it (never for v2), and `keyAsSegment` refused for v2 as {@link resolveClientOptions}
 * refuses it.
 * @internal Not exported from the package; for `speakingVersion` (client.ts).
 */
export function withVersion(options: ResolvedClientOptions, version: ODataVersion): ResolvedClientOptions {
  owner = "ODataClient";
  return Object.freeze({ ...options, version, ieee754Compatible: options.ieee754Compatible && version !== "2.0", keyAsSegment: resolveKeyAsSegment(options.keyAsSegment, version) });
}

function resolveKeyAsSegment(value: unknown, version: ODataVersion): boolean {
  const on = optionalBoolean(value, "keyAsSegment") === true;
  // OData v2 knows key predicates alone; a v2 service would read the segment as a navigation.
  if (on && version === "2.0") throw new TypeError(`${owner} option "keyAsSegment" needs OData v4, not version "2.0"`);
  return on;
}

function resolveFetch(value: unknown): typeof fetch {
  // Only a missing option means the default: `fetch: null` is a mistake worth reporting.
  if (value === undefined) return (input, init) => globalThis.fetch(input, init);
  if (typeof value !== "function") {
    throw new TypeError(`${owner} option "fetch" must be a fetch-compatible function; got ${describe(value)}`);
  }
  return value as typeof fetch;
}

function resolveUserAgent(value: unknown): string {
  if (value === undefined) return `traverse-odata/${LIBRARY_VERSION}`;
  if (typeof value !== "string" || !isHeaderValue(value)) {
    throw new TypeError(`${owner} option "userAgent" must be a string that is a valid header value; got ${describe(value)}`);
  }
  return value;
}

function resolveAcceptLanguage(value: unknown): string | undefined {
  if (value === undefined) return "en";
  if (value === false) return undefined;
  if (typeof value !== "string" || value.trim() === "" || !isHeaderValue(value)) {
    throw new TypeError(`${owner} option "acceptLanguage" must be a language range such as "en" or "de-CH, de;q=0.9", or false; got ${describe(value)}`);
  }
  return value;
}

function resolveServiceUrl(value: unknown): URL {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`${owner} option "serviceUrl" must be a non-empty string; got ${describe(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The text is echoed only when it cannot hold credentials (user:password@host).
    const shown = value.includes("@") ? "" : `: ${describe(redactText(value))}`;
    throw new TypeError(`${owner} option "serviceUrl" must be an absolute http or https URL${shown}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`${owner} option "serviceUrl" must use http or https; got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new TypeError(`${owner} option "serviceUrl" must not carry a user name or password; use option "auth"`);
  }
  if (url.search || url.hash || value.includes("?") || value.includes("#")) {
    // SAP services are often given as ".../?sap-client=100": say how to keep that working.
    throw new TypeError(
      `${owner} option "serviceUrl" must not carry a query or fragment; it is the service root (a query option every request needs, such as sap-client, can be sent as a header instead, option "headers")`,
    );
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

function resolveOrigin(value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`${owner} option "trustedOrigins" must hold strings; got ${describe(value)}`);
  }
  // Quoted redacted, as serviceUrl is: an entry given as a whole URL may carry a token in its query.
  const problem = `${owner} option "trustedOrigins" holds ${value.includes("@") ? "a URL with credentials" : describe(redactText(value))}, which is not an origin such as "https://host:8443"`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(problem);
  }
  // An origin is scheme, host and port. A path, query or credentials would suggest that trust is
  // narrower than it is (the whole origin receives the credentials), so they are refused.
  const isOrigin =
    (url.protocol === "http:" || url.protocol === "https:") &&
    !url.username &&
    !url.password &&
    url.pathname === "/" &&
    !url.search &&
    !url.hash &&
    !value.includes("?") &&
    !value.includes("#");
  if (!isOrigin) throw new TypeError(problem);
  return url.origin;
}

function resolveHeaders(headers: unknown): ReadonlyArray<readonly [string, string]> {
  if (headers === undefined) return [];
  if (typeof headers !== "object" || headers === null || Array.isArray(headers) || headers instanceof Headers) {
    // A Headers instance has no own entries: taken as an object, its headers would be lost.
    const given = headers instanceof Headers ? "a Headers instance (pass a plain object of header names to strings)" : describe(headers);
    throw new TypeError(`${owner} option "headers" must be an object of header names to strings; got ${given}`);
  }
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw new TypeError(`${owner} option "headers" has a non-string value for ${JSON.stringify(name)}`);
    }
    // Headers takes the control characters other than line breaks and NUL, which fetch refuses as it
    // sends; RFC 9110 §5.5 allows none but HTAB (as NOT_IN_VALUE in http/request-headers.ts, not
    // imported: the client would then load that module's checks of a request's headers at start).
    let valid = !/[^\t -~\x80-\xff]/.test(value);
    try {
      new Headers([[name, value]]);
    } catch {
      valid = false;
    }
    if (!valid) throw new TypeError(`${owner} option "headers" has an invalid header ${JSON.stringify(name)} (bad name or value)`);
    const lower = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(lower)) {
      throw new TypeError(`${owner} option "headers" names ${JSON.stringify(name)}, which the HTTP transport sets itself`);
    }
    // A valid name, but Node's fetch builds a plain object of the headers it sends, where this one is lost.
    if (lower === "__proto__") throw new TypeError(`${owner} option "headers" names "${name}", a header Node's fetch drops unsent`);
    // Header names are case-insensitive: {"X-Tenant": "a", "x-tenant": "b"} would be ambiguous.
    if (seen.has(lower)) {
      throw new TypeError(`${owner} option "headers" names the header ${JSON.stringify(name)} twice (names are case-insensitive)`);
    }
    seen.add(lower);
    entries.push([name, value]);
  }
  return entries;
}

const AUTH_KINDS = ["bearer", "basic", "oauth2"] as const;

function resolveAuth(auth: unknown): ResolvedAuth | undefined {
  if (auth === undefined) return undefined;
  const shape = `${owner} option "auth" must be { bearer }, { basic: { username, password } } or { oauth2: { tokenUrl, clientId, clientSecret } }`;
  if (typeof auth !== "object" || auth === null) throw new TypeError(shape);
  const kinds = AUTH_KINDS.filter((kind) => kind in auth);
  if (kinds.length > 1) {
    throw new TypeError(`${owner} option "auth" must hold one of "bearer", "basic" or "oauth2", not several; got ${kinds.map((kind) => `"${kind}"`).join(" and ")}`);
  }
  if (kinds[0] === "bearer") {
    const bearer = (auth as { bearer: unknown }).bearer;
    if (typeof bearer === "function") return { bearer: bearer as BearerToken };
    if (typeof bearer !== "string") {
      throw new TypeError(`${owner} option "auth.bearer" must be a string or a function returning one`);
    }
    // The token itself never goes into the message.
    if (!isBearerToken(bearer)) {
      throw new TypeError(`${owner} option "auth.bearer" must be a non-empty token of visible ASCII characters (no spaces or line breaks)`);
    }
    return { bearer };
  }
  if (kinds[0] === "basic") {
    const basic = (auth as { basic: unknown }).basic as { username?: unknown; password?: unknown } | null;
    if (typeof basic !== "object" || basic === null || typeof basic.username !== "string" || typeof basic.password !== "string") {
      throw new TypeError(`${owner} option "auth.basic" must be { username: string, password: string }`);
    }
    // RFC 7617 §2: the user-id cannot contain a colon; the first colon separates the password.
    if (basic.username.includes(":")) {
      throw new TypeError(`${owner} option "auth.basic.username" must not contain ":"`);
    }
    return { basic: { username: basic.username, password: basic.password } };
  }
  if (kinds[0] === "oauth2") return { oauth2: resolveOAuth2((auth as { oauth2: unknown }).oauth2) };
  throw new TypeError(shape);
}

const OAUTH2_FIELDS: ReadonlySet<string> = new Set(["tokenUrl", "clientId", "clientSecret", "scope", "resource", "audience", "clientAuthentication"]);
const CLIENT_AUTHENTICATIONS: readonly OAuth2ClientAuthentication[] = ["body", "basic"];

function resolveOAuth2(value: unknown): ResolvedOAuth2 {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${owner} option "auth.oauth2" must be an object { tokenUrl, clientId, clientSecret, scope? }`);
  }
  const fields = value as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!OAUTH2_FIELDS.has(name)) {
      throw new TypeError(`${owner} option "auth.oauth2.${name}" is not an OAuth2 setting (${[...OAUTH2_FIELDS].join(", ")})`);
    }
  }
  const clientId = fields["clientId"];
  if (typeof clientId !== "string" || clientId === "") {
    throw new TypeError(`${owner} option "auth.oauth2.clientId" must be a non-empty string; got ${describe(clientId)}`);
  }
  const clientSecret = fields["clientSecret"];
  if (typeof clientSecret !== "string" || clientSecret === "") {
    // Whatever was given is not echoed: it may be the secret in the wrong form.
    throw new TypeError(`${owner} option "auth.oauth2.clientSecret" must be a non-empty string`);
  }
  const clientAuthentication = fields["clientAuthentication"] ?? "body";
  if (!CLIENT_AUTHENTICATIONS.includes(clientAuthentication as OAuth2ClientAuthentication)) {
    throw new TypeError(`${owner} option "auth.oauth2.clientAuthentication" must be "body" or "basic"; got ${describe(clientAuthentication)}`);
  }
  return {
    tokenUrl: resolveTokenUrl(fields["tokenUrl"]),
    clientId,
    clientSecret,
    scope: optionalText(fields["scope"], "auth.oauth2.scope"),
    resource: optionalText(fields["resource"], "auth.oauth2.resource"),
    audience: optionalText(fields["audience"], "auth.oauth2.audience"),
    clientAuthentication: clientAuthentication as OAuth2ClientAuthentication,
  };
}

/**
 * The token endpoint: https, or http to a loopback address only, since the client secret (and
 * the token that comes back) would otherwise cross the network in clear text.
 */
function resolveTokenUrl(value: unknown): URL {
  const name = `${owner} option "auth.oauth2.tokenUrl"`;
  if (typeof value !== "string" || value === "") throw new TypeError(`${name} must be the token endpoint's https URL; got ${describe(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const shown = value.includes("@") ? "" : `: ${describe(redactText(value))}`;
    throw new TypeError(`${name} must be an absolute https URL${shown}`);
  }
  if (url.username || url.password) throw new TypeError(`${name} must not carry a user name or password; the client id and secret have options of their own`);
  if (url.hash || value.includes("#")) throw new TypeError(`${name} must not carry a fragment`);
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) return url;
  if (url.protocol === "http:") {
    throw new TypeError(`${name} must use https, so that the client secret does not cross the network in clear text (http is taken for loopback addresses only); got ${redactUrl(url)}`);
  }
  throw new TypeError(`${name} must be an https URL; got a ${url.protocol} URL`);
}

/** Whether a URL host name is this machine: `localhost` (and its subdomains), 127.0.0.0/8, or [::1]. */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new TypeError(`${owner} option "${name}" must be a non-empty string; got ${describe(value)}`);
  }
  return value;
}

function isHeaderValue(value: string): boolean {
  try {
    new Headers([["x-check", value]]);
    return true;
  } catch {
    return false;
  }
}

function resolveTimeout(value: unknown): number {
  return value === undefined ? DEFAULT_TIMEOUT : checkTimeout(value, `${owner} option`);
}

function resolveRetry(value: unknown): RetryPolicy | false {
  if (value === undefined) return DEFAULT_RETRY;
  if (value === false) return false;
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`${owner} option "retry" must be an object or false; got ${describe(value)}`);
  }
  const retry = value as RetryOptions;
  return {
    retries: optionalNonNegativeInteger(retry.retries, "retry.retries") ?? DEFAULT_RETRY.retries,
    delay: optionalNonNegativeNumber(retry.delay, "retry.delay") ?? DEFAULT_RETRY.delay,
    maxDelay: optionalNonNegativeNumber(retry.maxDelay, "retry.maxDelay") ?? DEFAULT_RETRY.maxDelay,
  };
}

/** The names of the client's own pipeline steps; user steps may not take them. */
export const BUILT_IN_STEP_NAMES: ReadonlySet<string> = new Set(["retry", "timeout", "redirect", "headers", "auth", "csrf"]);

function resolveSteps(value: unknown): readonly PipelineStep[] {
  const steps = optionalArray(value, "steps");
  const names = new Set<string>();
  for (const [index, step] of steps.entries()) {
    const candidate = step as Partial<PipelineStep> | null;
    if (typeof candidate !== "object" || candidate === null || typeof candidate.name !== "string" || candidate.name === "" || typeof candidate.handle !== "function") {
      throw new TypeError(`${owner} option "steps" must hold objects { name: string, handle(request, next) }; steps[${index}] is not one`);
    }
    if (BUILT_IN_STEP_NAMES.has(candidate.name)) {
      throw new TypeError(`${owner} option "steps" uses the name ${JSON.stringify(candidate.name)}, which belongs to a built-in step`);
    }
    if (names.has(candidate.name)) {
      throw new TypeError(`${owner} option "steps" names the step ${JSON.stringify(candidate.name)} twice`);
    }
    names.add(candidate.name);
  }
  // A copy, so that changing the caller's array later does not change the pipeline.
  return Object.freeze([...steps] as PipelineStep[]);
}

function resolveDebug(value: unknown): WireLogger | undefined {
  if (value === undefined) return nodeDebugNames(nodeDebugFromEnvironment()) ? consoleWireLogger : undefined;
  if (value === false) return undefined;
  if (value === true) return consoleWireLogger;
  if (typeof value === "function") return value as WireLogger;
  throw new TypeError(`${owner} option "debug" must be true, false or a function (line: string) => void; got ${describe(value)}`);
}

function optionalArray(value: unknown, name: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${owner} option "${name}" must be an array; got ${describe(value)}`);
  return value;
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new TypeError(`${owner} option "${name}" must be a boolean; got ${describe(value)}`);
}

function optionalPositiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${owner} option "${name}" must be a positive integer; got ${describe(value)}`);
  }
  return value;
}

function optionalNonNegativeInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${owner} option "${name}" must be an integer >= 0; got ${describe(value)}`);
  }
  return value;
}

function optionalNonNegativeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${owner} option "${name}" must be a finite number >= 0; got ${describe(value)}`);
  }
  return value;
}

