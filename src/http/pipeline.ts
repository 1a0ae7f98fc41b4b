/**
 * The request pipeline: a short ordered list of named steps, each `(request, next) => Response`.
 * The client builds it once from its resolved options; every request of the library goes through
 * it, so that auth, default headers, the origin rule, timeouts and retries apply the same way
 * everywhere.
 */

/** How a request treats redirects (the `fetch` `redirect` option). */
export type RedirectMode = "follow" | "manual" | "error";

/** One request as it travels through the pipeline. Steps may change it before calling `next`. */
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
}

/** Sends a request on to the rest of the pipeline. */
export type SendRequest = (request: ODataRequest) => Promise<Response>;

/**
 * One named step of the pipeline. `handle` may change the request, call `next` zero or more times
 * and change or replace the answer.
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
  /** A short name, unique within the pipeline, used in error messages and for ordering. */
  readonly name: string;
  handle(request: ODataRequest, next: SendRequest): Promise<Response>;
}

/** Chains the steps in order, ending in `transport` (the actual `fetch`). */
export function composePipeline(steps: readonly PipelineStep[], transport: SendRequest): SendRequest {
  return steps.reduceRight<SendRequest>((next, step) => (request) => step.handle(request, next), transport);
}
