/**
 * The request pipeline: a short ordered list of named steps, each `(request, next) => Response`.
 * The client builds it once from its resolved options; every request of the library goes through
 * it, so that auth, default headers, the origin rule, timeouts and retries apply the same way
 * everywhere.
 */
import { loadOnce } from "../util/load-once.js";
import { isSecretHeaderName } from "../util/redact.js";

/** Methods whose request may be sent again without a second effect at the service (RFC 9110 §9.2.2). */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/** How a request treats redirects (the `fetch` `redirect` option). */
export type RedirectMode = "follow" | "manual" | "error";

/**
 * One request as it travels through the pipeline. A step may change it (its headers in place, or
 * a changed copy) before calling `next`: every attempt of a retried request and every redirect hop
 * starts from a fresh copy, so changes never pile up across attempts.
 */
export interface ODataRequest {
  /** HTTP method, upper case. */
  method: string;
  /** The absolute URL. */
  url: URL;
  /** The request headers; steps add theirs here. */
  headers: Headers;
  /** The request body, where there is one. Strings and bytes only, so that a retry can resend it. */
  body?: string | Uint8Array | undefined;
  /** Cancels the request (and the reading of its body). */
  signal?: AbortSignal | undefined;
  /** How redirects are handled; the poller uses `"manual"` to see 3xx answers. */
  redirect?: RedirectMode | undefined;
  /**
   * Whether the retry step may send this request again. The client sets it for idempotent methods;
   * poll requests set it to `false` because the poller has its own rule for transient answers.
   */
  retry: boolean;
  /** A per-request timeout in ms overriding the client's `timeout`; `0` turns it off. */
  timeout?: number | undefined;
  /**
   * What the library sends this request for, where the caller did not ask for it as such:
   * `"metadata"` (the `$metadata` fetch), `"poll"`, `"cancel"` and `"result"` (a status monitor's
   * poll, the DELETE that cancels its operation, the GET of the operation's result), `"csrf"` (the
   * token fetch, which goes through every step), and, seen only by the steps after CSRF,
   * `"csrf-retry"` (a write sent again with a fresh token), and, seen only by the transport (after
   * the auth step), `"oauth2"` (the OAuth2
   * token request) and `"oauth2-retry"` (a request sent again with a new token after a 401). Unset
   * on the caller's own requests. The wire log (option `debug`) shows it.
   */
  purpose?: "metadata" | "poll" | "cancel" | "result" | "csrf" | "csrf-retry" | "oauth2" | "oauth2-retry" | undefined;
  /**
   * Which retry this attempt is: unset on the first attempt, `n` on the n-th retry (set by the retry
   * step). A CSRF token fetch made for the n-th retry of a write, and the n-th retry of an OAuth2
   * token request to a busy endpoint, have `n` too.
   */
  attempt?: number | undefined;
  /** Which redirect hop this is: unset on the request as made, `n` on the n-th redirect's target (set by the redirect step). */
  hop?: number | undefined;
}

/** Sends a request on to the rest of the pipeline and resolves with the answer (any status). */
export type SendRequest = (request: ODataRequest) => Promise<Response>;

/**
 * One named step of the pipeline, given to the client with the `steps` option. The client's own
 * pipeline is: retry, timeout, redirect, your steps in order, csrf (with option `csrf`), headers
 * (user agent, configured headers, the origin rule), auth, then `fetch`. So a step runs once per
 * attempt and per redirect hop, sees the request before credentials are added, and sees every
 * answer, failures included (an HTTP error status is an answer, not an exception).
 *
 * `handle` may change the request, call `next` zero or more times (zero: answer from a cache),
 * and change or replace the answer. Throwing rejects the request; throw an `ODataClientError`
 * with your own `code` to keep the library's error contract. A step that waits on something of its
 * own (a token service) is bounded like the rest of the request: the request's `timeout` and the
 * caller's signal reject it at once, and a `next` called after that rejects with the same reason
 * and sends nothing.
 * @example
 * const logging: PipelineStep = {
 *   name: "logging",
 *   async handle(request, next) {
 *     const response = await next(request);
 *     console.log(request.method, request.url.href, response.status);
 *     return response;
 *   },
 * };
 */
export interface PipelineStep {
  /** A short name, unique within the pipeline; the built-in steps' names are taken. */
  readonly name: string;
  /** Handles one request: usually changes it, calls `next(request)` and returns the answer. */
  handle(request: ODataRequest, next: SendRequest): Promise<Response>;
}

/**
 * A copy of a request whose URL and headers can be changed in place without touching the
 * original: each attempt and each redirect hop is sent as one.
 */
export function copyRequest(request: ODataRequest): ODataRequest {
  return { ...request, url: new URL(request.url), headers: new Headers(request.headers) };
}

/**
 * Who is told of a failure met while an answer's body is read (the connection dropped, a stall's
 * `TIMEOUT`, an abort): the wire log (option `debug`), for the answers it logged, so that a
 * request failing after its headers came ends in a line as one failing before does. The readers
 * of bodies (http/body.ts) tell it; only the log fills it, so without the log a failed read looks
 * it up and finds nothing.
 */
export const BODY_FAILURES = new WeakMap<Response, (error: unknown) => void>();

/** Chains the steps in order, ending in `transport` (the actual `fetch`). */
export function composePipeline(steps: readonly PipelineStep[], transport: SendRequest): SendRequest {
  return steps.reduceRight<SendRequest>((next, step) => (request) => step.handle(request, next), transport);
}

/**
 * A step whose code loads with the first request that reaches it (`load` makes the step once), for
 * the optional steps (CSRF) that a client without them should not load. A load that failed (a
 * chunk the network did not deliver) is tried again by the next request.
 */
export function lazyStep(name: string, load: () => Promise<PipelineStep>): PipelineStep {
  const step = loadOnce(load);
  return {
    name,
    handle(request, next) {
      return step().then((loaded) => loaded.handle(request, next));
    },
  };
}

/**
 * Request headers that carry credentials or session secrets. They are removed from requests to
 * untrusted origins and when a redirect leaves the origin, whoever set them; so is every header
 * named like a credential (`x-api-key`, see `isSecretHeaderName`).
 */
export const CREDENTIAL_HEADERS: readonly string[] = ["authorization", "proxy-authorization", "cookie", "x-csrf-token"];

export function dropCredentials(headers: Headers): void {
  for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  for (const [name] of [...headers]) if (isSecretHeaderName(name)) headers.delete(name);
}

/**
 * Connection-level headers that `fetch` manages (browsers forbid them; Node's fetch rejects some,
 * such as Transfer-Encoding, on every request): a value given for one, client-wide or for one
 * request, can only be a mistake.
 */
export const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "content-length",
  "expect",
  "host",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The statuses of a redirect that carries a `Location` to follow. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
