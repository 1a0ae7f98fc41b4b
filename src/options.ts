/**
 * The client's options: their public shape, their defaults, and the one function that validates
 * and merges them. Nothing else in the library reads raw options.
 */
import type { PipelineStep } from "./http/pipeline.js";

/** The OData protocol version a client speaks: literals, URLs, payloads and paging follow it. */
export type ODataVersion = "2.0" | "4.0" | "4.01";

/** A bearer token, or a function that returns one (called for every request). */
export type BearerToken = string | (() => string | Promise<string>);

/** Credentials sent to the service's own origin (and to `trustedOrigins`). */
export type AuthOptions = { bearer: BearerToken } | { basic: { username: string; password: string } };

/** When and how often idempotent requests are sent again. */
export interface RetryOptions {
  /** How many times a request is sent again after the first attempt. @default 3 */
  retries?: number;
  /** The first backoff delay in ms; it doubles on every attempt (with jitter). @default 300 */
  delay?: number;
  /** The longest wait between two attempts in ms, `Retry-After` included. @default 30_000 */
  maxDelay?: number;
}

/** The options of `new ODataClient(options)`. */
export interface ODataClientOptions {
  /** The service root, such as `https://host/odata/v4/catalog/`. Required. */
  serviceUrl: string;
  /** The protocol version. @default "4.0" */
  version?: ODataVersion;
  /** A `fetch`-compatible function. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Headers sent on every request to the service's origin (and `trustedOrigins`). */
  headers?: Record<string, string>;
  /** Credentials: `{ bearer }` (a token or a function called per request) or `{ basic }`. */
  auth?: AuthOptions;
  /** SAP-style `X-CSRF-Token` handling for modifying requests. @default false */
  csrf?: boolean;
  /** Sent as `Prefer: odata.maxpagesize=N` on reads. No default: nothing is sent unless set. */
  maxPageSize?: number;
  /** Per-request timeout in ms, until the answer's headers arrive; `0` turns it off. @default 30_000 */
  timeout?: number;
  /** Retries of idempotent requests; `false` turns them off. @default { retries: 3 } */
  retry?: RetryOptions | false;
  /** Other origins (`https://files.example.com`) that may receive credentials and configured headers. */
  trustedOrigins?: string[];
  /** The `User-Agent` sent where the runtime allows it. @default "traverse-odata/<version>" */
  userAgent?: string;
  /**
   * Extra pipeline steps (logging, tracing, custom auth), run after the client's retry and timeout
   * steps and before its header and auth steps, on every attempt.
   */
  steps?: PipelineStep[];
}

/** The retry policy after defaults. */
export interface ResolvedRetry {
  retries: number;
  delay: number;
  maxDelay: number;
}

/** The client's options after validation and defaults; frozen. */
export interface ResolvedClientOptions {
  /** The service root; its path always ends in `/`. */
  serviceUrl: URL;
  version: ODataVersion;
  fetch: typeof fetch;
  headers: ReadonlyArray<readonly [string, string]>;
  auth: AuthOptions | undefined;
  csrf: boolean;
  maxPageSize: number | undefined;
  timeout: number;
  retry: ResolvedRetry | false;
  /** The service's own origin and the trusted ones, as `URL.origin` strings. */
  trustedOrigins: ReadonlySet<string>;
  userAgent: string;
  steps: readonly PipelineStep[];
}

/** The package version, sent in the default `User-Agent`. */
export const LIBRARY_VERSION = "0.1.0";

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_RETRY: ResolvedRetry = { retries: 3, delay: 300, maxDelay: 30_000 };
const VERSIONS: readonly ODataVersion[] = ["2.0", "4.0", "4.01"];

/**
 * Validates the options and merges them with the defaults. Throws a `TypeError` or `RangeError`
 * that names the option at fault.
 */
export function resolveClientOptions(options: ODataClientOptions): ResolvedClientOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("ODataClient options must be an object with at least serviceUrl");
  }
  const serviceUrl = resolveServiceUrl(options.serviceUrl);
  const version = options.version ?? "4.0";
  if (!VERSIONS.includes(version)) {
    throw new RangeError(`ODataClient option "version" must be one of ${VERSIONS.join(", ")}; got ${describe(version)}`);
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function") {
    throw new TypeError(`ODataClient option "fetch" must be a function; got ${describe(options.fetch)}`);
  }
  const trustedOrigins = new Set([serviceUrl.origin]);
  for (const origin of optionalArray(options.trustedOrigins, "trustedOrigins")) {
    trustedOrigins.add(resolveOrigin(origin));
  }
  const resolved: ResolvedClientOptions = {
    serviceUrl,
    version,
    fetch: options.fetch ? options.fetch : (input, init) => globalThis.fetch(input, init),
    headers: resolveHeaders(options.headers),
    auth: resolveAuth(options.auth),
    csrf: optionalBoolean(options.csrf, "csrf") ?? false,
    maxPageSize: optionalPositiveInteger(options.maxPageSize, "maxPageSize"),
    timeout: resolveTimeout(options.timeout),
    retry: resolveRetry(options.retry),
    trustedOrigins,
    userAgent: options.userAgent ?? `traverse-odata/${LIBRARY_VERSION}`,
    steps: resolveSteps(options.steps),
  };
  if (typeof resolved.userAgent !== "string") {
    throw new TypeError(`ODataClient option "userAgent" must be a string; got ${describe(options.userAgent)}`);
  }
  return Object.freeze(resolved);
}

function resolveServiceUrl(value: unknown): URL {
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`ODataClient option "serviceUrl" must be a non-empty string; got ${describe(value)}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`ODataClient option "serviceUrl" is not an absolute URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`ODataClient option "serviceUrl" must use http or https; got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new TypeError('ODataClient option "serviceUrl" must not carry a user name or password; use option "auth"');
  }
  if (url.search || url.hash) {
    throw new TypeError('ODataClient option "serviceUrl" must not carry a query or fragment; it is the service root');
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

function resolveOrigin(value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`ODataClient option "trustedOrigins" must hold strings; got ${describe(value)}`);
  }
  try {
    const url = new URL(value);
    if (url.origin === "null") throw new TypeError("opaque origin");
    return url.origin;
  } catch {
    throw new TypeError(`ODataClient option "trustedOrigins" holds ${JSON.stringify(value)}, which is not an origin such as "https://host:8443"`);
  }
}

function resolveHeaders(headers: unknown): ReadonlyArray<readonly [string, string]> {
  if (headers === undefined) return [];
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw new TypeError(`ODataClient option "headers" must be an object of header names to strings; got ${describe(headers)}`);
  }
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw new TypeError(`ODataClient option "headers" has a non-string value for ${JSON.stringify(name)}`);
    }
    try {
      new Headers([[name, value]]);
    } catch {
      throw new TypeError(`ODataClient option "headers" has an invalid header ${JSON.stringify(name)} (bad name or value)`);
    }
    entries.push([name, value]);
  }
  return entries;
}

function resolveAuth(auth: unknown): AuthOptions | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth === "object" && auth !== null) {
    if ("bearer" in auth) {
      const bearer = (auth as { bearer: unknown }).bearer;
      if (typeof bearer === "string" || typeof bearer === "function") return { bearer: bearer as BearerToken };
      throw new TypeError('ODataClient option "auth.bearer" must be a string or a function returning one');
    }
    if ("basic" in auth) {
      const basic = (auth as { basic: unknown }).basic as { username?: unknown; password?: unknown } | null;
      if (typeof basic === "object" && basic !== null && typeof basic.username === "string" && typeof basic.password === "string") {
        if (basic.username.includes(":")) {
          throw new TypeError('ODataClient option "auth.basic.username" must not contain ":"');
        }
        return { basic: { username: basic.username, password: basic.password } };
      }
      throw new TypeError('ODataClient option "auth.basic" must be { username: string, password: string }');
    }
  }
  throw new TypeError('ODataClient option "auth" must be { bearer } or { basic: { username, password } }');
}

function resolveTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`ODataClient option "timeout" must be a finite number of ms >= 0; got ${describe(value)}`);
  }
  return value;
}

function resolveRetry(value: unknown): ResolvedRetry | false {
  if (value === undefined) return DEFAULT_RETRY;
  if (value === false) return false;
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`ODataClient option "retry" must be an object or false; got ${describe(value)}`);
  }
  const retry = value as RetryOptions;
  return {
    retries: optionalNonNegativeInteger(retry.retries, "retry.retries") ?? DEFAULT_RETRY.retries,
    delay: optionalNonNegativeNumber(retry.delay, "retry.delay") ?? DEFAULT_RETRY.delay,
    maxDelay: optionalNonNegativeNumber(retry.maxDelay, "retry.maxDelay") ?? DEFAULT_RETRY.maxDelay,
  };
}

function resolveSteps(value: unknown): readonly PipelineStep[] {
  const steps = optionalArray(value, "steps");
  const names = new Set<string>();
  for (const step of steps) {
    const candidate = step as Partial<PipelineStep> | null;
    if (typeof candidate !== "object" || candidate === null || typeof candidate.name !== "string" || typeof candidate.handle !== "function") {
      throw new TypeError('ODataClient option "steps" must hold objects { name: string, handle(request, next) }');
    }
    if (names.has(candidate.name)) {
      throw new TypeError(`ODataClient option "steps" names the step ${JSON.stringify(candidate.name)} twice`);
    }
    names.add(candidate.name);
  }
  return steps as PipelineStep[];
}

function optionalArray(value: unknown, name: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`ODataClient option "${name}" must be an array; got ${describe(value)}`);
  return value;
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  throw new TypeError(`ODataClient option "${name}" must be a boolean; got ${describe(value)}`);
}

function optionalPositiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`ODataClient option "${name}" must be a positive integer; got ${describe(value)}`);
  }
  return value;
}

function optionalNonNegativeInteger(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`ODataClient option "${name}" must be an integer >= 0; got ${describe(value)}`);
  }
  return value;
}

function optionalNonNegativeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`ODataClient option "${name}" must be a finite number >= 0; got ${describe(value)}`);
  }
  return value;
}

/** A short description of a bad value for messages; never the value of a secret. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    default:
      return `a ${typeof value}`;
  }
}
