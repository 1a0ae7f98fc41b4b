/**
 * Where a poller starts: the initial answer of a request sent with `Prefer: respond-async` (read by
 * the table of spec/async-poller.md, a pure function), a status monitor the caller already has, or
 * a token from `poller.toJSON()`. The functions that send take the client core; the core itself
 * only sends.
 */
import type { ClientCore, SendInit } from "../core.js";
import { ODataClientError, AsyncOperationCancelledError, AsyncOperationFailedError } from "../errors.js";
import { readBodyText } from "../http/body.js";
import { retryAfterMs } from "../http/retry-after.js";
import { httpErrorFromParts, httpErrorFromResponse } from "../payload/error-body.js";
import { versionHeaders } from "../payload/version-headers.js";
import { redactText, redactUrl } from "../util/redact.js";
import { resolveReference } from "../util/service-root.js";
import { readMonitorAnswer, readResultBody, resolveAnswerUrl, type MonitorAnswer, type MonitorReading, type ServiceProgress } from "./monitor-answer.js";
import { Poller, resolvePollerOptions, type AsyncPoller, type AsyncPollerOptions, type PollerStart, type PollerTransport } from "./poller.js";
import { resultShapeOf, TOKEN_VERSION, type AsyncPollerToken } from "./token.js";

/** The initial answer of a request sent with `Prefer: respond-async`, its body read as text. */
export interface InitialAnswer extends MonitorAnswer {
  /** When the answer arrived (epoch ms): `maxWait` and a `Retry-After` count from here. */
  answeredAt: number;
  /**
   * Whether a browser got it from another origin through CORS (response type `"cors"`), where
   * headers the service does not expose are hidden from the script.
   */
  viaCors?: boolean;
}

/**
 * Reads the initial answer by the table of spec/async-poller.md, the first row that applies
 * deciding; pure.
 * - `202` with `Location`: a running poller for that monitor (a relative `Location` resolved
 *   against the request URL); status and progress from a JSON body where it has them; a
 *   `Retry-After` delays the first poll.
 * - `202` without `Location`: `ODataClientError` `ASYNC_NO_LOCATION`.
 * - any other `2xx` (the service ran the request at once): a poller that is already done, its
 *   result the body, its `statusUrl` the `Location` if any, else the request URL.
 * - anything else: the `ODataHttpError` of the answer. (Sending callers make it from the unread
 *   answer instead, reading a failure's body bounded: see {@link startPoller}.)
 */
export function readInitialAnswer<T>(answer: InitialAnswer, maxWait: number): PollerStart<T> {
  const { status, answeredAt } = answer;
  const deadline = answeredAt + maxWait;
  if (status === 202) {
    const location = answer.headers.get("location");
    if (!location) {
      throw new ODataClientError(
        "ASYNC_NO_LOCATION",
        `${answer.method} ${redactUrl(answer.url)} answered 202 Accepted without a Location header, so there is no status monitor to poll${answer.viaCors ? CORS_HIDES_LOCATION : ""}`,
      );
    }
    const statusUrl = resolveAnswerUrl(location, answer, "Location");
    const progress = initialProgress(answer);
    const retryAfter = retryAfterMs(answer.headers.get("retry-after"), answeredAt);
    return {
      statusUrl,
      status: progress.status ?? "Running",
      percentComplete: progress.percentComplete ?? -1,
      deadline,
      retryAfterAt: retryAfter === undefined ? undefined : answeredAt + retryAfter,
    };
  }
  if (status >= 200 && status < 300) {
    const result = readResultBody(answer);
    const location = answer.headers.get("location");
    return {
      statusUrl: location ? resolveAnswerUrl(location, answer, "Location") : answer.url,
      status: "Succeeded",
      percentComplete: -1,
      deadline,
      phase: { name: "succeeded", result: result as T },
    };
  }
  throw httpErrorFromParts(answer);
}

/**
 * Where the message about a missing `Location` points when the answer came through CORS: a header
 * the service does not list in `Access-Control-Expose-Headers` is hidden from the script there.
 */
const CORS_HIDES_LOCATION =
  "; the answer came from another origin, and the service may not expose Location to browsers (it must list it in Access-Control-Expose-Headers)";

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
 * How a poller sends through the client: a poll is a read (`GET`), a cancel a write (`DELETE`),
 * both with the version headers of their kind, never retried by the pipeline (the poller has its
 * own rule for transient answers).
 */
export function pollerTransport(core: ClientCore): PollerTransport {
  return {
    send: ({ method, url, signal, redirect, purpose }) =>
      core.send({
        method,
        url,
        signal,
        redirect,
        purpose,
        retry: false,
        headers: { accept: "application/json", ...versionHeaders(core.options.version, method === "GET" ? "read" : "write") },
      }),
  };
}

/**
 * Sends a request that may run long with `Prefer: respond-async` and reads the initial answer into
 * a poller ({@link readInitialAnswer}). A failed answer rejects with its `ODataHttpError`, its body
 * read bounded in size and time.
 */
export async function startPoller<T>(core: ClientCore, init: SendInit, options: AsyncPollerOptions | undefined): Promise<AsyncPoller<T>> {
  const resolved = resolvePollerOptions(options);
  const headers = new Headers(init.headers);
  headers.set("prefer", mergePrefer(headers.get("prefer"), "respond-async"));
  // A caller that expects another format (a multipart $batch) says so; JSON otherwise.
  if (!headers.has("accept")) headers.set("accept", "application/json");
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  const signal = resolved.signal;
  const response = await core.send({ ...init, headers, signal, retry: false });
  const answeredAt = Date.now();
  if (response.status < 200 || response.status >= 300) throw await httpErrorFromResponse(response, init.method, init.url);
  const body = await readBodyText(response, init.method, init.url, signal);
  const answer: InitialAnswer = {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    body,
    url: init.url,
    method: init.method,
    answeredAt,
    viaCors: response.type === "cors",
  };
  return new Poller<T>(pollerTransport(core), resolved, readInitialAnswer<T>(answer, resolved.maxWait));
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

/** A poller for a status monitor the caller already has (relative to the service root); sends nothing. */
export function pollerFor<T>(core: ClientCore, statusUrl: string, options: AsyncPollerOptions | undefined): AsyncPoller<T> {
  const resolved = resolvePollerOptions(options);
  if (typeof statusUrl !== "string" || statusUrl.length === 0) {
    throw new TypeError("asyncPoller(statusUrl): statusUrl must be a non-empty URL string");
  }
  const url = resolveReference(core.options.serviceUrl, statusUrl);
  if (url === undefined) throw new TypeError(`asyncPoller(statusUrl): ${redactText(JSON.stringify(statusUrl))} is not a URL`);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`asyncPoller(statusUrl): only http and https status monitors can be polled; got ${url.protocol}`);
  }
  return new Poller<T>(pollerTransport(core), resolved, {
    statusUrl: url,
    status: "Running",
    percentComplete: -1,
    deadline: Date.now() + resolved.maxWait,
  });
}

/**
 * Rebuilds a poller from `toJSON()`; sends nothing. A `maxWait` in `options` counts from now;
 * otherwise the token's deadline holds.
 */
export function resumePoller<T>(core: ClientCore, token: unknown, options: AsyncPollerOptions | undefined): AsyncPoller<T> {
  const resolved = resolvePollerOptions(options);
  const resumeDeadline = options?.maxWait === undefined ? undefined : Date.now() + resolved.maxWait;
  const start = pollerStartFromToken<T>(token, core.options.serviceUrl, resumeDeadline);
  return new Poller<T>(pollerTransport(core), resolved, start);
}

/**
 * Checks a token and turns it into a poller's starting point. `statusUrl` and `resultUrl` may be
 * relative (to `base`). Throws a `TypeError` that names the field at fault.
 */
export function pollerStartFromToken<T>(token: unknown, base: URL, resumeDeadline: number | undefined): PollerStart<T> {
  if (typeof token !== "object" || token === null || Array.isArray(token)) {
    throw new TypeError("resumeAsync token must be the object that poller.toJSON() returned");
  }
  const t = token as Partial<Record<keyof AsyncPollerToken, unknown>>;
  if (t.type !== undefined && t.type !== "traverse-odata/async-poller") {
    throw new TypeError(`resumeAsync token.type must be "traverse-odata/async-poller"; got ${JSON.stringify(t.type)}`);
  }
  if (t.version !== undefined && t.version !== 1 && t.version !== TOKEN_VERSION) {
    throw new TypeError(`resumeAsync token.version ${JSON.stringify(t.version)} is not supported (expected 1 or ${TOKEN_VERSION})`);
  }
  const statusUrl = tokenUrl(t.statusUrl, base, "statusUrl");
  const status = t.status === undefined ? "Running" : t.status;
  if (typeof status !== "string") throw new TypeError("resumeAsync token.status must be a string");
  const percent = t.percentComplete === undefined ? -1 : t.percentComplete;
  if (typeof percent !== "number" || !Number.isInteger(percent) || percent < -1 || percent > 100) {
    throw new TypeError("resumeAsync token.percentComplete must be an integer from -1 to 100");
  }
  const deadline = t.deadline === undefined || t.deadline === null ? Infinity : t.deadline;
  if (typeof deadline !== "number" || Number.isNaN(deadline)) throw new TypeError("resumeAsync token.deadline must be epoch milliseconds or null");
  const retryAfterAt = t.retryAfterAt;
  if (retryAfterAt !== undefined && (typeof retryAfterAt !== "number" || !Number.isFinite(retryAfterAt))) {
    throw new TypeError("resumeAsync token.retryAfterAt must be epoch milliseconds");
  }
  const start: PollerStart<T> = {
    statusUrl,
    status,
    percentComplete: percent,
    deadline: resumeDeadline ?? deadline,
    retryAfterAt,
    cancelRequested: t.cancelRequested === true,
    shape: resultShapeOf(token),
  };
  const errorInit = { statusUrl: statusUrl.href, status, percentComplete: percent };
  switch (t.outcome) {
    case undefined:
      if (t.resultUrl !== undefined) start.phase = { name: "fetching-result", resultUrl: tokenUrl(t.resultUrl, base, "resultUrl") };
      break;
    case "succeeded":
      start.phase = { name: "succeeded", result: t.result as T };
      break;
    case "cancelled":
      start.phase = { name: "cancelled", error: new AsyncOperationCancelledError(`the operation at ${redactUrl(statusUrl)} was cancelled`, errorInit) };
      break;
    case "failed": {
      const failure = (typeof t.failure === "object" && t.failure !== null ? t.failure : {}) as Partial<NonNullable<AsyncPollerToken["failure"]>>;
      const message = typeof failure.message === "string" ? failure.message : `the operation at ${redactUrl(statusUrl)} failed`;
      start.phase = {
        name: "failed",
        error: new AsyncOperationFailedError(message, {
          ...errorInit,
          httpStatus: typeof failure.httpStatus === "number" ? failure.httpStatus : undefined,
          odataError: failure.odataError,
        }),
      };
      break;
    }
    default:
      throw new TypeError(`resumeAsync token.outcome must be "succeeded", "failed" or "cancelled"; got ${JSON.stringify(t.outcome)}`);
  }
  return start;
}

function tokenUrl(value: unknown, base: URL, field: string): URL {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`resumeAsync token.${field} must be a non-empty URL string`);
  const url = resolveReference(base, value);
  if (url === undefined) throw new TypeError(`resumeAsync token.${field} is not a URL`);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`resumeAsync token.${field} must be an http or https URL`);
  return url;
}
