/**
 * The error classes of traverse-odata and the table of their codes. Every error the library itself
 * throws is an {@link ODataClientError} with a stable `code` from {@link ODataErrorCode}; HTTP
 * failures are {@link ODataHttpError}s that carry the parsed OData error of the response. The
 * classes are branded, so that `instanceof` and the `is…` guards hold across copies of the package
 * and across realms.
 *
 * No secret gets into an error: every constructor here passes the message, the fields (`url`,
 * `statusUrl`, `headers`, `body`, `odataError`) and the `cause` through the redaction of
 * util/redact.ts, so that `message`, `String(error)`, `stack`, `toJSON()`, `util.inspect()` and
 * the cause chain hold no password, token, signature, cookie or API key, whatever a message site
 * or a service put in them.
 */
import { clipText, redactCause, redactHeaders, redactJson, redactText, redactUrl } from "./util/redact.js";

/**
 * Every `code` that the library's own errors carry, one entry per code: when it happens and what to
 * do about it. The README's table of codes is generated from these comments (`npm run docs:errors`).
 * Compare `error.code` with a string or with an entry here; both are checked by the compiler.
 *
 * @example
 * ```ts
 * try {
 *   for await (const book of books.stream()) console.log(book.title);
 * } catch (error) {
 *   if (isODataClientError(error) && error.code === ODataErrorCode.UNTRUSTED_NEXT_LINK) console.warn(error.message);
 *   else throw error;
 * }
 * ```
 */
export const ODataErrorCode = /* @__PURE__ */ Object.freeze({
  /**
   * A long-running operation's first answer or its status monitor's cannot be read (an unexpected
   * status, a malformed body, an `AsyncResult` that is no status code, a link that is no http URL
   * or carries a password); the message names the request and what was wrong. The operation's
   * outcome is unknown: look it up at the service.
   */
  ASYNC_BAD_RESPONSE: "ASYNC_BAD_RESPONSE",
  /**
   * The service answered `202 Accepted` without a `Location` header, so there is no status monitor
   * to poll; in a browser the service must also list `Location` in `Access-Control-Expose-Headers`.
   * Where the answer names its monitor in `Operation-Location` instead (Microsoft Graph's OneNote
   * copy actions), the message gives that URL: follow it with `client.asyncPoller(url)`.
   */
  ASYNC_NO_LOCATION: "ASYNC_NO_LOCATION",
  /**
   * Thrown as {@link AsyncOperationCancelledError}: the long-running operation was cancelled, by
   * the poller's `cancel()` or by the service.
   */
  ASYNC_OPERATION_CANCELLED: "ASYNC_OPERATION_CANCELLED",
  /**
   * Thrown as {@link AsyncOperationFailedError}: the long-running operation ran to its end and
   * failed; `httpStatus` and `odataError` say why.
   */
  ASYNC_OPERATION_FAILED: "ASYNC_OPERATION_FAILED",
  /**
   * A poller's `result()` was called before its operation finished; await `wait()`, or `poll()`
   * until `isDone()`, first. Also a call for its result (`invoke()`, `get()`), a write or a read
   * (an entity, a page, a count, media) that the service answered `202 Accepted` with a status
   * monitor (`Location` or `Operation-Location`), which the message names.
   */
  ASYNC_OPERATION_PENDING: "ASYNC_OPERATION_PENDING",
  /**
   * Thrown as {@link AsyncOperationTimeoutError}: `maxWait` passed while the operation still ran; it
   * may go on at the service, so resume polling later from the poller's `toJSON()`.
   */
  ASYNC_OPERATION_TIMEOUT: "ASYNC_OPERATION_TIMEOUT",
  /**
   * No token to send: the `auth.bearer` function threw or gave none that can be sent in a header,
   * or the `auth.oauth2` token endpoint refused the credentials or gave no usable token (the
   * message has its status and OAuth2 error); fix the token source or credentials. An endpoint
   * still busy (429, 503 ...) after option `retry`'s attempts is no refusal, and its message says
   * so: try again later.
   */
  AUTH_FAILED: "AUTH_FAILED",
  /**
   * A `$batch` answer cannot be split into the requests' answers (a malformed body, more parts
   * than requests), and their outcome is unknown; in one request's result: what stands in its
   * place cannot be matched to it or cannot be read (a changeset answered with another number of
   * responses, a part without a status line).
   */
  BAD_BATCH_RESPONSE: "BAD_BATCH_RESPONSE",
  /**
   * The `fetch` function given in the options, or one of your pipeline steps (option `steps`),
   * resolved with something that is not a `Response`; fix that function or step.
   */
  BAD_FETCH_RESPONSE: "BAD_FETCH_RESPONSE",
  /**
   * A `$metadata` document (EDMX or CSDL JSON) cannot be read; the message names the element and
   * its position.
   */
  BAD_METADATA: "BAD_METADATA",
  /**
   * An answer's body is not what OData prescribes for the request (not JSON, an HTML page such as
   * a proxy's or a sign-in page, no entity object, a count that is not a number, a link that is not
   * a URL, XML that is not well-formed, a page cut short); the message says what arrived.
   */
  BAD_PAYLOAD: "BAD_PAYLOAD",
  /**
   * A redirect pointed to an invalid URL, to a scheme other than http or https, or to a URL with a
   * user name or password; it was not followed.
   */
  BAD_REDIRECT: "BAD_REDIRECT",
  /**
   * In the results of a resumed `$batch` continuation: the request was answered before the
   * continuation was saved, so its result is in the results of the send that gave
   * `results.continuation`.
   */
  BATCH_ANSWERED_EARLIER: "BATCH_ANSWERED_EARLIER",
  /**
   * In `$batch` results: the service stopped processing the batch before this request (after an
   * earlier one failed); send with `{ continueOnError: true }` to ask it to go on after a failure.
   */
  BATCH_NOT_EXECUTED: "BATCH_NOT_EXECUTED",
  /**
   * A batch handle's `result()` was called before the batch had results of its latest send or
   * reading, or after that failed (its error is the `cause`); send the batch (again).
   */
  BATCH_NOT_SENT: "BATCH_NOT_SENT",
  /**
   * In `$batch` results: the request still runs at the service, or the GET of a JSON batch's next
   * link that was to answer it got no answer or failed (the message says which); its result comes
   * from the poller in `results.continuation`.
   */
  BATCH_PENDING: "BATCH_PENDING",
  /** A request was added to a batch that was sent already; build a new batch for it. */
  BATCH_SENT: "BATCH_SENT",
  /**
   * A request URL carried a user name or password (`https://user:password@…`) and was not sent,
   * or a monitor URL given to `asyncPoller()` or in a token did and was refused at once; give
   * credentials with the `auth` option.
   */
  CREDENTIALS_IN_URL: "CREDENTIALS_IN_URL",
  /**
   * Thrown as {@link ODataHttpError}: the service answered with a status that means failure;
   * `status`, `odataError` and `body` say why.
   */
  HTTP_ERROR: "HTTP_ERROR",
  /**
   * A `ServiceModel` lookup named an entity set or type that the model does not hold (or an entity
   * set whose type it lacks); check the name against the service's `$metadata`.
   */
  METADATA_LOOKUP: "METADATA_LOOKUP",
  /**
   * The request failed before an answer arrived (an idempotent one was retried first, as `retry`
   * allows), or the connection broke while its body was read, which is not retried; the
   * transport's error is the `cause`.
   */
  NETWORK_ERROR: "NETWORK_ERROR",
  /**
   * The service sent a next link back to a page already read (of a collection or a delta); the
   * walk stopped instead of looping, as the service's paging is broken.
   */
  NEXT_LINK_LOOP: "NEXT_LINK_LOOP",
  /** The filter builder's `f.self` was used outside `f.any()` or `f.all()`, where it names nothing. */
  NOT_IN_LAMBDA: "NOT_IN_LAMBDA",
  /**
   * `partitions(n)` could not tell the entity set's key and no `key` option was given: `$metadata`
   * answered 4xx, 500 or 501, is unreadable, or names no key for the set. Pass `{ key: "ID" }` or a
   * `model`. One that times out, drops or answers 408, 429, 502, 503 or 504 rejects with that error.
   */
  PARTITION_KEY_UNKNOWN: "PARTITION_KEY_UNKNOWN",
  /**
   * No answer arrived within the `timeout` option, or the answer's body sent no data for that long;
   * the request was aborted (raise `timeout` for a slow service).
   */
  TIMEOUT: "TIMEOUT",
  /** A request was redirected more than 10 times in a row; the service's redirects loop. */
  TOO_MANY_REDIRECTS: "TOO_MANY_REDIRECTS",
  /**
   * A request was redirected where no redirect may be followed: it asked for `redirect: "error"`,
   * it is a `POST` answered `301` or `302` (not turned into a `GET`), or it is not idempotent and
   * met an opaque redirect in a browser (not sent again, as it may have taken effect).
   */
  UNEXPECTED_REDIRECT: "UNEXPECTED_REDIRECT",
  /**
   * A query, literal or request uses something that the client's OData version does not have (in
   * v2: `$search`, `$apply`, nested expand options, enumerations, bound operations, JSON batches);
   * the message names it and what to use instead.
   */
  UNSUPPORTED_BY_VERSION: "UNSUPPORTED_BY_VERSION",
  /**
   * The service sent a next link to an origin that is neither its own nor in `trustedOrigins`; it
   * was not followed, so that credentials stay with their origin (list the origin in
   * `trustedOrigins` if you trust it).
   */
  UNTRUSTED_NEXT_LINK: "UNTRUSTED_NEXT_LINK",
  /**
   * A filter expression built for one OData version was given to a builder or client of the other;
   * build it with the client's own filter builder.
   */
  VERSION_MISMATCH: "VERSION_MISMATCH",
});

/**
 * The codes of the errors that the library itself throws: a union of string literals, one per
 * entry of the {@link ODataErrorCode} table, where each is documented.
 */
export type ODataErrorCode = (typeof ODataErrorCode)[keyof typeof ODataErrorCode];

/**
 * A code of your own for an {@link ODataClientError} that your code throws (in a pipeline step,
 * say): it has a colon in it, as in `"myapp:QUOTA_EXCEEDED"`. The colon keeps your codes apart from
 * the library's, today's and those a later version adds, and so lets the compiler still check
 * every comparison of `error.code` with one of the library's codes.
 *
 * @example
 * ```ts
 * throw new ODataClientError("myapp:QUOTA_EXCEEDED", "the daily request quota is used up");
 * ```
 */
export type CustomErrorCode = `${string}:${string}`;

/** The codes that an {@link AsyncOperationError} of the library carries, one per subclass. */
export type AsyncOperationErrorCode =
  | typeof ODataErrorCode.ASYNC_OPERATION_FAILED
  | typeof ODataErrorCode.ASYNC_OPERATION_CANCELLED
  | typeof ODataErrorCode.ASYNC_OPERATION_TIMEOUT;

/**
 * The brand of each error class: a property on its prototype whose key is a symbol of the global
 * registry, which all realms share, so that it is the same symbol in every copy of this package (a
 * second install in node_modules, a bundle that inlined it) and in every realm (a `vm` context, an
 * iframe). A worker's `postMessage` copies only the data, so its copy has neither prototype nor
 * brand. `instanceof` and the `is…` guards check the brand rather than prototype identity, as
 * undici does with its errors. The names are part of the public contract.
 */
const BRANDS = {
  ODataClientError: Symbol.for("traverse-odata.ODataClientError"),
  ODataHttpError: Symbol.for("traverse-odata.ODataHttpError"),
  AsyncOperationError: Symbol.for("traverse-odata.AsyncOperationError"),
  AsyncOperationFailedError: Symbol.for("traverse-odata.AsyncOperationFailedError"),
  AsyncOperationCancelledError: Symbol.for("traverse-odata.AsyncOperationCancelledError"),
  AsyncOperationTimeoutError: Symbol.for("traverse-odata.AsyncOperationTimeoutError"),
} as const;

/** The brand of each of this module's classes; a user's subclass has none and keeps the usual `instanceof`. */
const classBrands = new WeakMap<object, symbol>();

function hasBrand(value: unknown, brand: symbol): boolean {
  return (typeof value === "object" || typeof value === "function") && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Gives a class its `name` on the prototype, as the built-in errors have it: stable under
 * minifiers (which rename classes, so `new.target.name` would not be), and not an own enumerable
 * property of every instance. Brands the prototype (see {@link BRANDS}).
 */
function defineErrorClass(errorClass: { prototype: Error }, name: keyof typeof BRANDS): void {
  const brand = BRANDS[name];
  Object.defineProperty(errorClass.prototype, "name", { value: name, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(errorClass.prototype, brand, { value: true, writable: false, configurable: false, enumerable: false });
  classBrands.set(errorClass, brand);
}

/**
 * Whether `error` is an {@link ODataClientError} (any of the library's errors, or your subclass of
 * it), from this copy of the package or any other, in this realm or another.
 *
 * @example
 * ```ts
 * if (isODataClientError(error) && error.code === "TIMEOUT") console.warn("the service is slow");
 * ```
 */
export function isODataClientError(error: unknown): error is ODataClientError {
  return hasBrand(error, BRANDS.ODataClientError);
}

/**
 * Whether `error` is an {@link ODataHttpError} (the service answered with a failure status), from
 * this copy of the package or any other, in this realm or another.
 *
 * @example
 * ```ts
 * if (isODataHttpError(error) && error.status === 404) return undefined;
 * ```
 */
export function isODataHttpError(error: unknown): error is ODataHttpError {
  return hasBrand(error, BRANDS.ODataHttpError);
}

// Literal codes here, as at every throw site (the compiler checks them against the union), so that
// a bundle keeps the ODataErrorCode object only where the program itself uses it.
const ASYNC_BRANDS = new Map<AsyncOperationErrorCode, symbol>([
  ["ASYNC_OPERATION_FAILED", BRANDS.AsyncOperationFailedError],
  ["ASYNC_OPERATION_CANCELLED", BRANDS.AsyncOperationCancelledError],
  ["ASYNC_OPERATION_TIMEOUT", BRANDS.AsyncOperationTimeoutError],
]);

/**
 * Whether `error` ended a long-running operation: an {@link AsyncOperationError}, or with `code`
 * the one subclass that carries that code ({@link AsyncOperationFailedError},
 * {@link AsyncOperationCancelledError}, {@link AsyncOperationTimeoutError}); from this copy of the
 * package or any other, in this realm or another. The check is of the class, not of `code` alone.
 *
 * @example
 * ```ts
 * if (isAsyncOperationError(error, "ASYNC_OPERATION_TIMEOUT")) saveForLater(error.statusUrl, error.maxWait);
 * ```
 */
export function isAsyncOperationError(error: unknown, code: typeof ODataErrorCode.ASYNC_OPERATION_FAILED): error is AsyncOperationFailedError;
export function isAsyncOperationError(error: unknown, code: typeof ODataErrorCode.ASYNC_OPERATION_CANCELLED): error is AsyncOperationCancelledError;
export function isAsyncOperationError(error: unknown, code: typeof ODataErrorCode.ASYNC_OPERATION_TIMEOUT): error is AsyncOperationTimeoutError;
export function isAsyncOperationError(error: unknown, code?: AsyncOperationErrorCode): error is AsyncOperationError;
export function isAsyncOperationError(error: unknown, code?: AsyncOperationErrorCode): boolean {
  if (code === undefined) return hasBrand(error, BRANDS.AsyncOperationError);
  const brand = ASYNC_BRANDS.get(code);
  if (brand === undefined) {
    const got = typeof code === "string" ? JSON.stringify(code) : typeof code;
    throw new TypeError(`isAsyncOperationError(error, code): code must be one of ${[...ASYNC_BRANDS.keys()].join(", ")}; got ${got}`);
  }
  return hasBrand(error, brand);
}

/** The OData error object of a failed response, read from the v4 JSON, v2 JSON or XML shape. */
export interface ODataErrorDetail {
  /** The service's error code (a string, even where the service sent a number). */
  code: string;
  /** The human-readable message (v2 `message.value` unwrapped). */
  message: string;
  /** The target of the error, such as a property name, where the service named one. */
  target?: string | undefined;
  /** Further errors the service listed under `details`. */
  details?: ODataErrorDetail[] | undefined;
  /** The service-specific `innererror` object, as sent. */
  innererror?: unknown;
  /**
   * The error object's instance annotations (OData JSON Format §21.1), by their names as sent, `@`
   * included: SAP's `@Common.numericSeverity` and `@Common.longtextUrl`, Dataverse's
   * `@Microsoft.PowerApps.CDS.ErrorDetails.*`. Only where the service sent any.
   */
  annotations?: Record<string, unknown> | undefined;
}

/** Options shared by the error constructors. */
export interface ODataClientErrorOptions {
  /** The underlying error, exposed as the standard `cause`. */
  cause?: unknown;
}

/**
 * The base of every error that traverse-odata throws. `code` says what went wrong in a stable,
 * machine-readable word (for example `"ASYNC_NO_LOCATION"` or `"UNTRUSTED_NEXT_LINK"`; the list
 * with what each means is {@link ODataErrorCode}). `instanceof ODataClientError` and
 * {@link isODataClientError} also hold for an error made by another copy of the package or in
 * another realm.
 */
export class ODataClientError extends Error {
  static {
    defineErrorClass(this, "ODataClientError");
  }

  /**
   * `instanceof` by brand: true for an instance of this class from any copy of the package and any
   * realm (see {@link isODataClientError}); on a subclass of your own, the usual prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const brand = classBrands.get(this);
    return brand === undefined ? Function.prototype[Symbol.hasInstance].call(this, value) : hasBrand(value, brand);
  }

  /**
   * A stable word for what went wrong: one of the library's codes ({@link ODataErrorCode}, each
   * documented there), or a {@link CustomErrorCode} (with a colon) on an error that your own code
   * threw.
   */
  readonly code: ODataErrorCode | CustomErrorCode;

  /**
   * @param code - the library's code for it, or a {@link CustomErrorCode} of your own (`"myapp:QUOTA"`).
   * @param message - what went wrong, for people; credentials in it are masked.
   */
  constructor(code: ODataErrorCode | CustomErrorCode, message: string, options?: ODataClientErrorOptions) {
    // Redacted before super(): the stack's first line is written from the message there.
    super(redactText(message), options?.cause === undefined ? undefined : { cause: redactCause(options.cause) });
    this.code = code;
  }

  /**
   * A plain object for logs: `name`, `code`, `message` and the fields of the subclass (status,
   * url, ...), all redacted. The `cause` is left out: it is a foreign error whose text this
   * library does not control (the `cause` property itself is redacted).
   */
  toJSON(): Record<string, unknown> {
    const fields: Record<string, unknown> = Object.fromEntries(Object.entries(this));
    return { name: this.name, code: this.code, message: this.message, ...fields };
  }
}

/** What an {@link ODataHttpError} is made from. */
export interface ODataHttpErrorInit {
  status: number;
  statusText?: string | undefined;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  odataError?: ODataErrorDetail | undefined;
  cause?: unknown;
}

/**
 * The service answered with an HTTP status that means failure. Carries the status, the request's
 * method and URL (user name, password and secret query values removed), the response headers
 * (credential headers left out), the parsed OData error where the body had one, and the start of
 * the body text (bounded); secrets the service echoed in them are masked.
 */
export class ODataHttpError extends ODataClientError {
  static {
    defineErrorClass(this, "ODataHttpError");
  }

  declare readonly code: typeof ODataErrorCode.HTTP_ERROR;
  /** The HTTP status code of the answer. */
  readonly status: number;
  /** The HTTP method of the request that failed. */
  readonly method: string;
  /**
   * The URL of the request that failed, with any user name and password removed and the values of
   * secret query parameters (`access_token`, `sig` ...) masked.
   */
  readonly url: string;
  /**
   * The response headers, lower-case names. Credential headers (`set-cookie`, `authorization`,
   * `x-csrf-token` but for `Required`, and any name with key, token, secret, password, session or
   * signature in it) are left out; URLs in the others are redacted.
   */
  readonly headers: Record<string, string>;
  /** The OData error parsed from the body, where there was one (secrets in its texts masked). */
  readonly odataError: ODataErrorDetail | undefined;
  /** The body text, cut to a bounded length (secrets in it masked). */
  readonly body: string;

  constructor(init: ODataHttpErrorInit) {
    const url = redactUrl(init.url);
    const odataError = init.odataError === undefined ? undefined : redactJson(init.odataError);
    super("HTTP_ERROR", describeHttpFailure({ ...init, url, odataError }), { cause: init.cause });
    this.status = init.status;
    this.method = init.method;
    this.url = url;
    this.headers = redactHeaders(init.headers);
    this.odataError = odataError;
    this.body = redactText(init.body);
  }
}

function describeHttpFailure(init: ODataHttpErrorInit): string {
  const statusLine = `${init.status}${init.statusText ? ` ${init.statusText}` : ""}`;
  const head = `${init.method} ${init.url} failed with HTTP ${statusLine}`;
  const detail = init.odataError;
  if (!detail) return head;
  const code = detail.code ? ` [${detail.code}]` : "";
  // (An error object with a code and no message text, v2's `{ lang }` without its `value`, ends at the code.)
  return `${head}${code}${detail.message ? `: ${clipText(detail.message, 500)}` : ""}`;
}

/** What every long-running-operation error carries. */
export interface AsyncOperationErrorInit {
  statusUrl: string;
  status: string;
  percentComplete: number;
  cause?: unknown;
}

/**
 * The base of the errors that end a long-running operation: it failed, was cancelled, or took
 * longer than `maxWait`.
 */
export class AsyncOperationError extends ODataClientError {
  static {
    defineErrorClass(this, "AsyncOperationError");
  }

  /**
   * The status monitor URL polled last, user name, password and secret query values (`sig`,
   * `access_token` ...) masked. To go on polling a monitor whose URL carries such a credential,
   * resume from the poller's `toJSON()`, which keeps the URL whole.
   */
  readonly statusUrl: string;
  /** The last status string seen. */
  readonly status: string;
  /** The last reported progress (0..100), or -1 if none was ever reported. */
  readonly percentComplete: number;

  declare readonly code: AsyncOperationErrorCode | CustomErrorCode;

  constructor(code: AsyncOperationErrorCode | CustomErrorCode, message: string, init: AsyncOperationErrorInit) {
    super(code, message, { cause: init.cause });
    this.statusUrl = redactUrl(init.statusUrl);
    this.status = init.status;
    this.percentComplete = init.percentComplete;
  }
}

/** The operation ran to its end and failed. */
export class AsyncOperationFailedError extends AsyncOperationError {
  static {
    defineErrorClass(this, "AsyncOperationFailedError");
  }

  declare readonly code: typeof ODataErrorCode.ASYNC_OPERATION_FAILED;
  /** The final status code of the operation (for example 400 or 500), where it is known. */
  readonly httpStatus: number | undefined;
  /** The OData error parsed from the final body, where there was one (secrets in its texts masked). */
  readonly odataError: ODataErrorDetail | undefined;

  constructor(
    message: string,
    init: AsyncOperationErrorInit & { httpStatus?: number | undefined; odataError?: ODataErrorDetail | undefined },
  ) {
    super("ASYNC_OPERATION_FAILED", message, init);
    this.httpStatus = init.httpStatus;
    this.odataError = init.odataError === undefined ? undefined : redactJson(init.odataError);
  }
}

/** The operation was cancelled (by this poller's `cancel()` or by the service). */
export class AsyncOperationCancelledError extends AsyncOperationError {
  static {
    defineErrorClass(this, "AsyncOperationCancelledError");
  }

  declare readonly code: typeof ODataErrorCode.ASYNC_OPERATION_CANCELLED;

  constructor(message: string, init: AsyncOperationErrorInit) {
    super("ASYNC_OPERATION_CANCELLED", message, init);
  }
}

/**
 * `maxWait` passed while the operation still ran. The operation may go on at the service: the
 * poller's `toJSON()` lets the caller resume polling later (the message names the call for the kind
 * of poller), as does `statusUrl` where it carried no credential that had to be masked.
 */
export class AsyncOperationTimeoutError extends AsyncOperationError {
  static {
    defineErrorClass(this, "AsyncOperationTimeoutError");
  }

  declare readonly code: typeof ODataErrorCode.ASYNC_OPERATION_TIMEOUT;
  /** The `maxWait` in milliseconds that was exceeded. */
  readonly maxWait: number;

  constructor(message: string, init: AsyncOperationErrorInit & { maxWait: number }) {
    super("ASYNC_OPERATION_TIMEOUT", message, init);
    this.maxWait = init.maxWait;
  }
}
