/**
 * The client's inner workings shared by queries, operations and pollers: the resolved options,
 * the pipeline, and starting long-running operations. Not exported from the package.
 */
import { readBodyText } from "./http/body.js";
import { ODataClientError } from "./errors.js";
import { httpErrorFromResponse } from "./payload/error-body.js";
import { composePipeline, IDEMPOTENT_METHODS, type ODataRequest, type RedirectMode, type PipelineStep, type SendRequest } from "./http/pipeline.js";
import { retryAfterMs } from "./http/retry-after.js";
import { authStep, fetchTransport, headersStep, redirectStep, retryStep, timeoutStep } from "./http/steps.js";
import { csrfStep } from "./http/csrf.js";
import { abortReason } from "./http/signals.js";
import { redactText, redactUrl } from "./util/redact.js";
import { readMonitorAnswer, readResultBody, resolveAnswerUrl, type MonitorAnswer, type MonitorReading, type ServiceProgress } from "./lro/monitor-answer.js";
import { Poller, resolvePollerOptions, type AsyncPoller, type AsyncPollerOptions, type PollerTransport } from "./lro/poller.js";
import { pollerStartFromToken } from "./lro/token.js";
import type { ResolvedClientOptions } from "./options.js";
import { versionHeaders } from "./payload/version-headers.js";
import { resolveReference } from "./util/service-root.js";

/** What a caller inside the library gives to `send`. */
export interface SendInit {
  method: string;
  url: URL;
  headers?: Record<string, string> | Headers;
  body?: string | Uint8Array;
  signal?: AbortSignal | undefined;
  redirect?: RedirectMode;
  /** Whether the retry step may resend it; defaults to true for idempotent methods. */
  retry?: boolean;
  timeout?: number;
}

/**
 * The pipeline steps of a client, in order, ending before the transport: retry (outermost, so
 * every attempt runs all the others), timeout (per attempt), redirect (each hop runs the rest), the
 * user's steps, CSRF, then headers and auth (innermost, so they apply the origin rule to the very
 * URL that is sent).
 */
export function buildSteps(options: ResolvedClientOptions): PipelineStep[] {
  const steps: PipelineStep[] = [];
  if (options.retry) steps.push(retryStep(options.retry));
  steps.push(timeoutStep(options.timeout), redirectStep(), ...options.steps);
  if (options.csrf) steps.push(csrfStep(options.serviceUrl));
  steps.push(headersStep(options));
  if (options.auth) steps.push(authStep(options.auth, options.trustedOrigins));
  return steps;
}

/** The inner client: options, pipeline, and the entry points that queries and pollers share. */
export class ClientCore {
  readonly options: ResolvedClientOptions;
  readonly #pipeline: SendRequest;
  readonly #pollerTransport: PollerTransport;

  constructor(options: ResolvedClientOptions) {
    this.options = options;
    this.#pipeline = composePipeline(buildSteps(options), fetchTransport(options.fetch));
    this.#pollerTransport = {
      // A poll is a read; a DELETE asks the service to cancel, a write.
      send: ({ method, url, signal, redirect }) =>
        this.send({
          method,
          url,
          signal,
          redirect,
          retry: false,
          headers: { accept: "application/json", ...versionHeaders(options.version, method === "GET" ? "read" : "write") },
        }),
    };
  }

  /**
   * Sends one request through the pipeline. An already aborted signal rejects with its reason
   * before any step runs (no token is fetched, nothing is sent).
   */
  send(init: SendInit): Promise<Response> {
    if (init.signal?.aborted) return Promise.reject(abortReason(init.signal));
    const method = init.method.toUpperCase();
    const request: ODataRequest = {
      method,
      // A copy: steps may change the request's URL in place, the caller's URL stays as it was.
      url: new URL(init.url),
      headers: new Headers(init.headers),
      body: init.body,
      signal: init.signal,
      redirect: init.redirect,
      retry: init.retry ?? IDEMPOTENT_METHODS.has(method),
      timeout: init.timeout,
    };
    return this.#pipeline(request);
  }

  /**
   * Resolves a URL (absolute, or relative to the service root).
   * @throws TypeError when `url` is not a URL
   */
  resolve(url: string): URL {
    const resolved = resolveReference(this.options.serviceUrl, url);
    if (resolved === undefined) throw new TypeError(`${redactText(JSON.stringify(url))} is not a URL`);
    return resolved;
  }

  /**
   * Sends a request that may run long with `Prefer: respond-async` and reads the initial answer
   * into a poller (see the table in spec/async-poller.md).
   */
  async startAsync<T>(init: SendInit, options: AsyncPollerOptions | undefined): Promise<AsyncPoller<T>> {
    const resolved = resolvePollerOptions(options);
    const headers = new Headers(init.headers);
    headers.set("prefer", mergePrefer(headers.get("prefer"), "respond-async"));
    // A caller that expects another format (a multipart $batch) says so; JSON otherwise.
    if (!headers.has("accept")) headers.set("accept", "application/json");
    if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    const signal = resolved.signal;
    const response = await this.send({ ...init, headers, signal, retry: false });
    const answeredAt = Date.now();
    const deadline = answeredAt + resolved.maxWait;

    if (response.status === 202) {
      const location = response.headers.get("location");
      const answer = await readText(response, init, signal);
      if (!location) {
        throw new ODataClientError(
          "ASYNC_NO_LOCATION",
          `${init.method} ${redactUrl(init.url)} answered 202 Accepted without a Location header, so there is no status monitor to poll${corsHidden(response, "Location")}`,
        );
      }
      const statusUrl = resolveAnswerUrl(location, answer, "Location");
      const progress = initialProgress(answer);
      const retryAfter = retryAfterMs(response.headers.get("retry-after"), answeredAt);
      return new Poller<T>(this.#pollerTransport, resolved, {
        statusUrl,
        status: progress.status ?? "Running",
        percentComplete: progress.percentComplete ?? -1,
        deadline,
        retryAfterAt: retryAfter === undefined ? undefined : answeredAt + retryAfter,
      });
    }
    if (response.status >= 200 && response.status < 300) {
      // The service ignored respond-async and ran the request at once.
      const answer = await readText(response, init, signal);
      const result = readResultBody(answer);
      const location = response.headers.get("location");
      return new Poller<T>(this.#pollerTransport, resolved, {
        statusUrl: location ? resolveAnswerUrl(location, answer, "Location") : init.url,
        status: "Succeeded",
        percentComplete: -1,
        deadline,
        phase: { name: "succeeded", result: result as T },
      });
    }
    throw await httpErrorFromResponse(response, init.method, init.url);
  }

  /** A poller for a status monitor the caller already has; sends nothing. */
  pollerFor<T>(statusUrl: string, options: AsyncPollerOptions | undefined): AsyncPoller<T> {
    const resolved = resolvePollerOptions(options);
    if (typeof statusUrl !== "string" || statusUrl.length === 0) {
      throw new TypeError("asyncPoller(statusUrl): statusUrl must be a non-empty URL string");
    }
    let url: URL;
    try {
      url = this.resolve(statusUrl);
    } catch {
      throw new TypeError(`asyncPoller(statusUrl): ${redactText(JSON.stringify(statusUrl))} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`asyncPoller(statusUrl): only http and https status monitors can be polled; got ${url.protocol}`);
    }
    return new Poller<T>(this.#pollerTransport, resolved, {
      statusUrl: url,
      status: "Running",
      percentComplete: -1,
      deadline: Date.now() + resolved.maxWait,
    });
  }

  /** Rebuilds a poller from `toJSON()`; sends nothing. */
  resumePoller<T>(token: unknown, options: AsyncPollerOptions | undefined): AsyncPoller<T> {
    const resolved = resolvePollerOptions(options);
    const resumeDeadline = options?.maxWait === undefined ? undefined : Date.now() + resolved.maxWait;
    const start = pollerStartFromToken<T>(token, this.options.serviceUrl, resumeDeadline);
    return new Poller<T>(this.#pollerTransport, resolved, start);
  }
}

/**
 * The status and progress a 202 body may carry. The operation runs at the service once it has
 * answered 202 with a Location, so an unreadable body (say, broken JSON) must not cost the caller
 * the poller: the body is an optional extra, and the first poll reads the monitor properly.
 */
function initialProgress(answer: MonitorAnswer): ServiceProgress {
  let reading: MonitorReading;
  try {
    reading = readMonitorAnswer(answer);
  } catch (error) {
    if (error instanceof ODataClientError && error.code === "ASYNC_BAD_RESPONSE") return {};
    throw error;
  }
  return reading.kind === "running" ? reading : {};
}

/**
 * What to add to a message about a missing response header when the answer came through CORS
 * (type `"cors"`: a browser's answer from another origin), where a header the service does not list
 * in `Access-Control-Expose-Headers` is hidden from the script; empty otherwise.
 */
function corsHidden(response: Response, header: string): string {
  if (response.type !== "cors") return "";
  return `; the answer came from another origin, and the service may not expose ${header} to browsers (it must list it in Access-Control-Expose-Headers)`;
}

/** Adds one preference to a `Prefer` header value (RFC 7240 allows a comma-separated list). */
export function mergePrefer(existing: string | null, preference: string): string {
  if (!existing) return preference;
  const name = preference.split("=")[0]?.trim().toLowerCase();
  const kept = existing
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "" && part.split("=")[0]?.trim().toLowerCase() !== name);
  return [...kept, preference].join(", ");
}

async function readText(response: Response, init: SendInit, signal: AbortSignal | undefined): Promise<MonitorAnswer> {
  const body = await readBodyText(response, init.method, init.url, signal);
  return { status: response.status, statusText: response.statusText, headers: response.headers, body, url: init.url, method: init.method };
}
