/**
 * Pollers made without sending anything: for a status monitor the caller already has
 * (`client.asyncPoller`), and from a token of `poller.toJSON()` (`resumeAsync`), with their checks,
 * which throw at once. The polling itself, and how a poller sends through the client, load when a
 * poller first sends (lro/poller.ts).
 */
import type { ClientCore } from "../core.js";
import { AsyncOperationCancelledError, AsyncOperationFailedError, ODataClientError } from "../errors.js";
import { markInlinedEntities, rememberDatePaths } from "../payload/v2-values.js";
import { redactText, redactUrl } from "../util/redact.js";
import { graphReference, resolveReference } from "../util/service-root.js";
import { Poller, POLLER_OPTIONS, resolvePollerOptions, type AsyncPoller, type AsyncPollerOptions } from "./poller.js";
import { refuseUnknownOptions } from "../util/values.js";
import type { PollerStart } from "./state.js";
import { resultShapeOf, TOKEN_VERSION, type AsyncPollerToken } from "./token.js";

/**
 * A poller for a status monitor the caller already has (relative to the service root, a path from
 * Microsoft Graph's host below the root's version, as a `Location` from Graph is read); sends nothing.
 */
export function pollerFor<T>(core: ClientCore, statusUrl: string, options: AsyncPollerOptions | undefined): AsyncPoller<T> {
  refuseUnknownOptions(options, POLLER_OPTIONS, "asyncPoller(statusUrl)");
  const resolved = resolvePollerOptions(options, "asyncPoller(statusUrl)");
  // A caller hands on Graph's monitor path as its `Location` gave it: read as that `Location` is.
  const base = core.options.serviceUrl;
  const url = callerUrl(typeof statusUrl === "string" ? graphReference(statusUrl, base) : statusUrl, base, "asyncPoller(statusUrl): statusUrl");
  const start: PollerStart<T> = { statusUrl: url, status: "Running", percentComplete: -1, deadline: Date.now() + resolved.maxWait };
  if (url.href === statusUrl) start.statusHref = statusUrl;
  return new Poller<T>(core, resolved, start);
}

/**
 * Rebuilds a poller from `toJSON()`; sends nothing. A `maxWait` in `options` counts from now;
 * otherwise the token's deadline holds.
 */
export function resumePoller<T>(core: ClientCore, token: unknown, options: AsyncPollerOptions | undefined): AsyncPoller<T> {
  refuseUnknownOptions(options, POLLER_OPTIONS, "resumeAsync(token)");
  // Without a new maxWait the token's deadline holds, and so does the maxWait that set it.
  const kept = options?.maxWait === undefined ? tokenMaxWait(token) : undefined;
  const resolved = resolvePollerOptions(kept === undefined ? options : { ...options, maxWait: kept }, "resumeAsync(token)");
  const resumeDeadline = options?.maxWait === undefined ? undefined : Date.now() + resolved.maxWait;
  const start = pollerStartFromToken<T>(token, core.options.serviceUrl, resumeDeadline);
  return new Poller<T>(core, resolved, start);
}

/** The token's `maxWait`, if it has one; anything but a positive number is a `TypeError` naming it. */
function tokenMaxWait(token: unknown): number | undefined {
  const maxWait = typeof token === "object" && token !== null ? (token as { maxWait?: unknown }).maxWait : undefined;
  if (maxWait === undefined) return undefined;
  if (typeof maxWait !== "number" || !(maxWait > 0)) throw new TypeError(`resumeAsync token.maxWait must be a positive number of milliseconds; got ${JSON.stringify(maxWait)}`);
  return maxWait;
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
  const statusUrl = callerUrl(t.statusUrl, base, "resumeAsync token.statusUrl");
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
  // Optional, as tokens written before they were kept have neither; a wrong one is refused, not
  // taken for none: the entity's dates would go out as ISO text, a batch's bytes be read as UTF-8.
  const dates = t.resultDates;
  if (dates !== undefined && !(Array.isArray(dates) && dates.every((path) => typeof path === "string"))) throw new TypeError("resumeAsync token.resultDates must be an array of strings");
  if (t.resultBinary !== undefined && typeof t.resultBinary !== "boolean") throw new TypeError("resumeAsync token.resultBinary must be a boolean");
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
      if (t.resultUrl !== undefined) start.phase = { name: "fetching-result", resultUrl: callerUrl(t.resultUrl, base, "resumeAsync token.resultUrl") };
      break;
    case "succeeded":
      // Only ever compared with text/html: anything but a string is a type not known. The dates a
      // v2 entity's reader converted are noted again, so that a write of it sends them as v2 dates.
      // A result of bytes stays bytes; without the field (older tokens) it is text, as it was read.
      // So are the related entities a v2 entity's reader marked (an update of it leaves them out).
      markInlinedEntities(t.result);
      start.phase = {
        name: "succeeded",
        result: t.result as T,
        resultType: typeof t.resultType === "string" ? t.resultType : undefined,
        dates: rememberDatePaths(t.result, dates),
        binary: t.resultBinary === true,
        resultUrl: t.resultUrl === undefined ? undefined : callerUrl(t.resultUrl, base, "resumeAsync token.resultUrl").href,
      };
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

/**
 * A status monitor's or result's URL the caller gives (`name` says which), resolved against
 * `base`: http(s) only, and without a user name or password. Those the pipeline would refuse to
 * send (`CREDENTIALS_IN_URL`), but kept until then they would sit in `statusUrl` and in every
 * token the poller writes: refused here, at once, with the same code.
 */
function callerUrl(value: unknown, base: URL, name: string): URL {
  if (typeof value !== "string" || value.length === 0) throw new TypeError(`${name} must be a non-empty URL string`);
  const url = resolveReference(base, value);
  if (url === undefined) throw new TypeError(`${name} ${redactText(JSON.stringify(value))} is not a URL`);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`${name} must be an http or https URL; got ${url.protocol}`);
  if (url.username || url.password) throw new ODataClientError("CREDENTIALS_IN_URL", `${name} carries a user name or password (use option "auth")`);
  return url;
}
