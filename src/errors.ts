/**
 * The error classes of traverse-odata. Every error the library itself throws is an
 * {@link ODataClientError} with a stable `code`; HTTP failures are {@link ODataHttpError}s that
 * carry the parsed OData error of the response.
 *
 * No secret gets into an error: every constructor here passes the message, the fields (`url`,
 * `statusUrl`, `headers`, `body`, `odataError`) and the `cause` through the redaction of
 * util/redact.ts, so that `message`, `String(error)`, `stack`, `toJSON()`, `util.inspect()` and
 * the cause chain hold no password, token, signature, cookie or API key, whatever a message site
 * or a service put in them.
 */
import { clipText, redactCause, redactHeaders, redactJson, redactText, redactUrl } from "./util/redact.js";

/** The OData error object of a failed response, read from the v4 JSON, v2 JSON or XML shape. */
export interface ODataErrorDetail {
  /** The service's error code (a string, even where the service sent a number). */
  code: string;
  /** The human-readable message (v2 `message.value` unwrapped). */
  message: string;
  /** The target of the error, such as a property name, where the service named one. */
  target?: string;
  /** Further errors the service listed under `details`. */
  details?: ODataErrorDetail[];
  /** The service-specific `innererror` object, as sent. */
  innererror?: unknown;
}

/** Options shared by the error constructors. */
export interface ODataClientErrorOptions {
  /** The underlying error, exposed as the standard `cause`. */
  cause?: unknown;
}

/**
 * The base of every error that traverse-odata throws. `code` says what went wrong in a stable,
 * machine-readable word (for example `"ASYNC_NO_LOCATION"` or `"UNTRUSTED_NEXT_LINK"`).
 */
export class ODataClientError extends Error {
  static {
    nameErrorClass(this, "ODataClientError");
  }

  /** A stable word for what went wrong. */
  readonly code: string;

  constructor(code: string, message: string, options?: ODataClientErrorOptions) {
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

/**
 * Gives a class its `name` on the prototype, as the built-in errors have it: stable under
 * minifiers (which rename classes, so `new.target.name` would not be), and not an own enumerable
 * property of every instance.
 */
function nameErrorClass(errorClass: { prototype: Error }, name: string): void {
  Object.defineProperty(errorClass.prototype, "name", { value: name, writable: true, configurable: true, enumerable: false });
}

/** What an {@link ODataHttpError} is made from. */
export interface ODataHttpErrorInit {
  status: number;
  statusText?: string;
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
    nameErrorClass(this, "ODataHttpError");
  }

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
  return `${head}${code}: ${clipText(detail.message, 500)}`;
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
    nameErrorClass(this, "AsyncOperationError");
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

  constructor(code: string, message: string, init: AsyncOperationErrorInit) {
    super(code, message, { cause: init.cause });
    this.statusUrl = redactUrl(init.statusUrl);
    this.status = init.status;
    this.percentComplete = init.percentComplete;
  }
}

/** The operation ran to its end and failed. */
export class AsyncOperationFailedError extends AsyncOperationError {
  static {
    nameErrorClass(this, "AsyncOperationFailedError");
  }

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
    nameErrorClass(this, "AsyncOperationCancelledError");
  }

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
    nameErrorClass(this, "AsyncOperationTimeoutError");
  }

  /** The `maxWait` in milliseconds that was exceeded. */
  readonly maxWait: number;

  constructor(message: string, init: AsyncOperationErrorInit & { maxWait: number }) {
    super("ASYNC_OPERATION_TIMEOUT", message, init);
    this.maxWait = init.maxWait;
  }
}
