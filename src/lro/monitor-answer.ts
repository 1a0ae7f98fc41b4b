/**
 * Reading one answer of a status monitor, rules 1 to 11 of the contract (spec/async-poller.md), as
 * a pure function of the answer. What the poller does with the reading is the state machine's
 * business (poller.ts).
 */
import type { ODataErrorDetail, ODataHttpError } from "../errors.js";
import { httpErrorFromParts, parseODataError } from "../payload/error-body.js";
import { decodedMessage, parseHttpMessage } from "../payload/http-envelope.js";
import { clipText, type SecretSet } from "../util/redact.js";
import { maskSecretValues } from "../util/secret-values.js";
import { badResponse, resolveAnswerUrl, resolveLocation } from "./answer-url.js";
import { dropResponseAnnotations } from "../payload/annotations.js";
import { isRecord } from "../util/values.js";
import { isJsonContentType } from "../payload/content-type.js";
import { readEntityResult } from "../payload/entity-answer.js";
import type { AsyncResultShape } from "./token.js";
import { succeededPhase, type Phase } from "./state.js";
import { readDatesOf } from "../payload/v2-values.js";
import { ANSWER_VERSION } from "../payload/version-headers.js";
import { retryAfterMs } from "../http/retry-after.js";

/** One answer of the monitor, its body already read as text. */
export interface MonitorAnswer {
  status: number;
  statusText?: string;
  headers: Headers;
  body: string;
  /** The URL of the request that got this answer; relative URLs in the answer resolve against it. */
  url: URL;
  method: string;
  /**
   * How reading the body failed (a stall, a dropped connection) where it did: `body` is the part
   * read before. Only error answers (and a 200 whose `AsyncResult` says failure, see
   * {@link asyncResultSaysFailure}) are read on after such a failure; their error carries it.
   */
  cause?: unknown;
  /** The body is only the start of the answer's (an error body read bounded, see readErrorBody). */
  cut?: boolean | undefined;
  /**
   * The secret values the client sent (util/redact.ts): a failure the answer reports is read with
   * them masked, since a service may echo a credential into its error message.
   */
  secrets?: SecretSet | undefined;
  /**
   * `body` holds the answer's bytes one character each rather than its text: an `application/http`
   * answer, whose message decodes by its own type, or a multipart batch answer (see {@link readsBytes}).
   */
  binary?: boolean | undefined;
}

/** What the service said about the operation's state and progress, where it said anything. */
export interface ServiceProgress {
  /** The service's own status value, as sent (numbers as their decimal text). */
  status?: string;
  /** The reported progress, 0..100, clamped and rounded. */
  percentComplete?: number;
}

/** The reading of one monitor answer. */
export type MonitorReading =
  | (ServiceProgress & { kind: "running"; location?: URL; retryAfter?: string })
  | (ServiceProgress & { kind: "succeeded"; result: unknown; resultType?: string | undefined; binary?: true; versions?: Record<string, string> })
  | (ServiceProgress & { kind: "fetch-result"; resultUrl: URL })
  /** `cause`: how reading the body that describes the failure broke off, where it did. */
  | (ServiceProgress & { kind: "failed"; httpStatus?: number; odataError?: ODataErrorDetail; reason: string; cause?: unknown })
  | (ServiceProgress & { kind: "cancelled" })
  | { kind: "gone"; httpStatus: number; odataError?: ODataErrorDetail; cause?: unknown }
  | { kind: "transient"; error: ODataHttpError; retryAfter?: string }
  | { kind: "error"; error: ODataHttpError };

/** The last instant a `Date` holds (epoch ms): see {@link retryAfterAt}. */
const LAST_INSTANT = 8.64e15;

/**
 * When the next request may go out (epoch ms) by an answer's `Retry-After`, or `undefined` where it
 * has none that can be read. Hundreds of digits of seconds make the delay `Infinity`, which the
 * token's JSON would write as `null`, a time `resumeAsync` refuses: a pause that long ends at the
 * last instant a `Date` holds instead, which outlasts every deadline just the same.
 */
export function retryAfterAt(value: string | null, now: number): number | undefined {
  const delay = retryAfterMs(value, now);
  return delay === undefined ? undefined : Math.min(now + delay, LAST_INSTANT);
}

/** Statuses of rule 9: the operation is not over, ask again later. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

type Outcome = "running" | "succeeded" | "failed" | "cancelled";

const STATUS_WORDS: ReadonlyMap<string, Outcome> = new Map([
  ...["notstarted", "running", "inprogress", "accepted", "started", "waiting", "updating", "provisioning", "canceling", "cancelling", "deletepending"].map(
    (word) => [word, "running"] as const,
  ),
  ...["succeeded", "completed", "complete", "done"].map((word) => [word, "succeeded"] as const),
  ...["failed", "deletefailed", "invalid"].map((word) => [word, "failed"] as const),
  ...["canceled", "cancelled"].map((word) => [word, "cancelled"] as const),
]);

// Dataverse backgroundOperationStatusCode values.
const DATAVERSE_CODES: ReadonlyMap<number, Outcome> = new Map([
  [0, "running"],
  [20, "running"],
  [22, "running"],
  [30, "succeeded"],
  [31, "failed"],
  [32, "cancelled"],
]);

const STATUS_FIELDS = ["status", "Status", "backgroundOperationStatusCode"] as const;
const RESULT_URL_FIELDS = ["resourceLocation", "ResultURL", "resultUrl", "resultLocation"] as const;
const PROGRESS_FIELDS = ["percentComplete", "PercentComplete", "percentageComplete", "progress"] as const;

/**
 * Whether a successful answer's body is read as bytes, one character each, rather than as text
 * in its charset: where the poller's result is a multipart batch's answer (`shape`) and the answer
 * is `multipart/*`, or, where rule 2 may read it (`envelope`: a monitor's 200), `application/http`,
 * whose message has a charset of its own (an ISO-8859-1 error, say) and may be that batch answer.
 * Read as text, a binary part's bytes (an image from `$value`) would be destroyed before the batch
 * reads them; a status document is read as text.
 */
export function readsBytes(headers: Headers, shape: AsyncResultShape | undefined, envelope: boolean): boolean {
  const type = headers.get("content-type");
  return (envelope && isEnvelope(type)) || (shape?.kind === "batch" && shape.format === "multipart" && isMultipart(type));
}

/**
 * Whether a 200 answer's headers alone tell that the operation did not succeed: an `AsyncResult`
 * (rule 3; rule 2 comes first for `application/http`) that is no 2xx code. Its body then only
 * describes the failure, so it is read as an error answer's is (bounded; one that stalls or breaks
 * off leaves the part read, and the header still decides). Any other 2xx answer is read from its
 * whole body (a status, a result), and one whose body breaks off is left unread (rule 9).
 */
export function asyncResultSaysFailure(status: number, headers: Headers): boolean {
  if (status !== 200 || isEnvelope(headers.get("content-type"))) return false;
  const asyncResult = headers.get("asyncresult");
  return asyncResult !== null && !/^2\d\d$/.test(asyncResult.trim());
}

/** Whether a content type is `multipart/*` (a multipart batch answer). */
function isMultipart(type: string | null): boolean {
  return /^\s*multipart\//i.test(type ?? "");
}

/** Whether a content type is `application/http` (rule 2). */
function isEnvelope(type: string | null): boolean {
  return /^\s*application\/http\b/i.test(type ?? "");
}

/**
 * Reads one monitor answer by the contract's rules, the first that applies deciding. Throws
 * `ODataClientError` `ASYNC_BAD_RESPONSE` for an answer that cannot be read (rule 11). A result
 * given in the answer is read by `shape` (see {@link readResultBody}).
 */
export function readMonitorAnswer(answer: MonitorAnswer, shape?: AsyncResultShape): MonitorReading {
  const { status } = answer;
  // Rule 1
  if (status === 202) {
    const location = answer.headers.get("location");
    const reading: MonitorReading = { kind: "running", ...runningProgressOf(answer) };
    if (location) reading.location = resolveMonitorLocation(location, answer);
    const retryAfter = answer.headers.get("retry-after");
    if (retryAfter !== null) reading.retryAfter = retryAfter;
    return reading;
  }
  // Rule 6
  if (status === 204) {
    const location = answer.headers.get("location");
    if (location) return { kind: "fetch-result", resultUrl: resolveLocation(location, answer) };
    return { kind: "succeeded", result: undefined };
  }
  if (status >= 200 && status < 300) return readFinishedAnswer(answer, shape);
  // Rule 7
  if (status === 303) {
    const location = answer.headers.get("location");
    if (!location) throw badResponse(answer, "a 303 See Other answer has no Location header");
    return { kind: "fetch-result", resultUrl: resolveLocation(location, answer) };
  }
  // Rule 8
  if (status === 404 || status === 410) {
    const reading: MonitorReading = { kind: "gone", httpStatus: status };
    const odataError = parseODataError(maskedText(answer.body, answer), answer.headers.get("content-type"), answer.cut, answer.secrets);
    if (odataError) reading.odataError = odataError;
    // The body could not be read whole (it stalled, the connection dropped): the failure says why.
    if (answer.cause !== undefined) reading.cause = answer.cause;
    return reading;
  }
  // Rule 9
  if (TRANSIENT_STATUSES.has(status)) {
    const reading: MonitorReading = { kind: "transient", error: httpErrorOf(answer) };
    const retryAfter = answer.headers.get("retry-after");
    if (retryAfter !== null) reading.retryAfter = retryAfter;
    return reading;
  }
  // Rule 10
  if (status >= 400) return { kind: "error", error: httpErrorOf(answer) };
  // Rule 11: 1xx, 3xx other than 303 (the monitor is asked with redirect: "manual").
  throw badResponse(answer, `unexpected HTTP ${status} answer`);
}

/** Rules 2 to 5, for 2xx answers other than 202 and 204. */
function readFinishedAnswer(answer: MonitorAnswer, shape: AsyncResultShape | undefined): MonitorReading {
  const contentType = answer.headers.get("content-type") ?? "";
  // Rules 2 and 3 read a 200 (the OData 4.0 and 4.01 forms); a 201 or another 2xx goes on to
  // rules 4 and 5, as the contract reads.
  const final = answer.status === 200;
  // Rule 2
  if (final && isEnvelope(contentType)) {
    let inner;
    try {
      // Read as bytes, a UTF-8 byte order mark (.NET writes one) is still there: reading as text drops it.
      inner = parseHttpMessage(answer.binary ? answer.body.replace(/^\xef\xbb\xbf/, "") : answer.body);
    } catch (error) {
      throw badResponse(answer, (error as Error).message);
    }
    // Read as bytes (readsBytes): a multipart batch answer inside keeps them; any other message
    // (a status, a single result, an error) is text in the charset its own Content-Type names.
    const bytes = answer.binary === true && readsBytes(inner.headers, shape, false);
    if (answer.binary && !bytes) inner = decodedMessage(inner);
    return finalOutcome(inner.status, inner.headers, inner.body, answer, shape, bytes);
  }
  // Rule 3
  const asyncResult = answer.headers.get("asyncresult");
  if (final && asyncResult !== null) {
    const text = asyncResult.trim();
    if (!/^[1-5]\d\d$/.test(text)) {
      throw badResponse(answer, `the AsyncResult header ${JSON.stringify(clipText(asyncResult))} is not an HTTP status code`);
    }
    return finalOutcome(Number(text), answer.headers, answer.body, answer, shape, answer.binary);
  }
  const json = jsonBodyOf(answer);
  const statusValue = statusFieldOf(json);
  // Rule 5
  if (statusValue === undefined) return succeeded(answer.headers, answer.body, answer, shape, answer.binary);
  // Rule 4
  const progress = progressOf(json, answer);
  const outcome = outcomeOf(statusValue);
  switch (outcome) {
    case "running": {
      // A 200 that says "still running" may pace the client like a 202 does. Its Location is not
      // followed: on such answers (Azure's, for one) it names the final result, not a new monitor.
      const reading: MonitorReading = { kind: "running", ...progress };
      const retryAfter = answer.headers.get("retry-after");
      if (retryAfter !== null) reading.retryAfter = retryAfter;
      return reading;
    }
    case "cancelled":
      return { kind: "cancelled", ...progress };
    case "failed": {
      const reading: MonitorReading = { kind: "failed", ...progress, reason: `the service reported status ${JSON.stringify(progress.status)}` };
      const odataError = json === undefined ? undefined : (parseODataError(maskedText(answer.body, answer), "application/json", false, answer.secrets) ?? dataverseError(json, answer));
      if (odataError) reading.odataError = odataError;
      return reading;
    }
    case "succeeded": {
      const resultUrl = resultUrlOf(json as Record<string, unknown>, answer);
      if (resultUrl) return { kind: "fetch-result", ...progress, resultUrl };
      // The status document is the result: an ETag on it is the monitor's, not an entity's, and
      // its @odata.context the response's, as for every other result body.
      return { kind: "succeeded", ...progress, result: resultOf(dropResponseAnnotations(json), null, shape) };
    }
  }
}

/**
 * The final status code of the operation (rules 2 and 3) decides success or failure; `binary`: the
 * body holds its bytes one character each (see {@link readsBytes}).
 */
function finalOutcome(finalStatus: number, headers: Headers, body: string, answer: MonitorAnswer, shape: AsyncResultShape | undefined, binary: boolean | undefined): MonitorReading {
  if (finalStatus >= 200 && finalStatus < 300) return succeeded(headers, body, answer, shape, binary);
  if (finalStatus >= 400) {
    const reading: MonitorReading = { kind: "failed", httpStatus: finalStatus, reason: `the operation ended with HTTP ${finalStatus}` };
    // (Only rule 3's body, the answer's own, may be cut or broken off: rule 2's is read whole.)
    const odataError = parseODataError(maskedText(body, answer), headers.get("content-type"), answer.cut === true, answer.secrets);
    if (odataError) reading.odataError = odataError;
    if (answer.cause !== undefined) reading.cause = answer.cause;
    return reading;
  }
  throw badResponse(answer, `the final status ${finalStatus} is neither success nor failure`);
}

/** Text the answer reports (a failure, a status), with the secrets the client sent masked. */
function maskedText(text: string, answer: MonitorAnswer): string {
  return maskSecretValues(text, answer.secrets);
}

/**
 * The body of a result fetched apart from the monitor (or given in the initial answer): JSON parsed
 * under a JSON type, text otherwise; then read by `shape`: a write's poller (`entity`) reads it as
 * the write's own answer is read (payload/entity-answer.ts `readEntityResult`), with the answer's
 * `ETag` header; any other poller gives it as it is (an operation's poller unwraps it itself).
 */
export function readResultBody(answer: MonitorAnswer, shape?: AsyncResultShape): unknown {
  return resultOf(bodyResult(answer.headers, answer.body, answer), answer.headers.get("etag"), shape);
}

/** A result read by `shape` (see {@link readResultBody}); `etag` is the `ETag` of the answer that carried it. */
function resultOf(result: unknown, etag: string | null, shape: AsyncResultShape | undefined): unknown {
  return shape?.kind === "entity" ? readEntityResult(result, etag, shape.version) : result;
}

/**
 * The succeeded phase of `result`, read by `shape`: a v2 entity's names where its reader converted
 * dates (`readDatePaths`), for the token to keep (token.ts `resultDates`), since JSON loses the
 * reader's notes of them and a resumed poller's entity must be written back as this one would.
 * `binary`: a text result holds its bytes one character each (see {@link readsBytes}), which the
 * token keeps too (`resultBinary`). `versions`: see {@link resultVersionsOf}.
 */
export function resultPhase<T>(result: T, resultType: string | undefined, shape: AsyncResultShape | undefined, binary?: boolean, versions?: Record<string, string>): Phase<T> {
  const phase = succeededPhase(result, resultType);
  if (binary && typeof result === "string") phase.binary = true;
  if (versions !== undefined) phase.versions = versions;
  if (shape?.kind === "entity" && shape.version === "2.0") {
    const dates = readDatePaths(result);
    if (dates.length > 0) phase.dates = dates;
  }
  return phase;
}

/**
 * Where in `value` (an entity, with everything nested in it) the reader converted dates, as paths
 * of member names and array indexes joined by `/`: `published`, `address/validFrom`,
 * `reviews/0/at`, `holidays/1` (OData names hold no `/`). The reader's notes (payload/v2-values.ts
 * `readDatesOf`) are kept beside the objects, so JSON loses them; a poller's token keeps these
 * paths instead, and `rememberDatePaths` notes them again on the entity read back from it. Here
 * rather than beside the notes: v2-values.ts loads with every client, this only with polling.
 * @example readDatePaths(normalizeV2Entity({ at: "/Date(0)/", address: { from: "/Date(0)/" } })) // ["at", "address/from"]
 */
export function readDatePaths(value: unknown): string[] {
  const paths: string[] = [];
  const pending: [unknown, string][] = [[value, ""]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [object, at] = next;
    if (typeof object !== "object" || object === null) continue;
    const dates = readDatesOf(object);
    for (const name of Object.keys(object)) {
      if (dates?.has(name)) paths.push(at + name);
      else if (name !== "__metadata") pending.push([(object as Record<string, unknown>)[name], `${at}${name}/`]);
    }
  }
  return paths;
}

/**
 * The `Content-Type` that goes with a result given as text (see `resultType` of the succeeded
 * phase, state.ts); `undefined` for a JSON or empty result.
 */
export function textResultType(headers: Headers, result: unknown): string | undefined {
  return typeof result === "string" ? (headers.get("content-type") ?? "") : undefined;
}

/**
 * The version headers (`DataServiceVersion`, `OData-Version`, names in lower case) of the answer
 * that carried an operation's result (`shape`), for the operation's poller to judge the result by
 * them as `invoke()` judges its answer (a v2 service's `{"d": …}` to a client of v4 is refused,
 * operations/results.ts), the answer being gone by the time the result is read; and its `ETag`,
 * which an entity result keeps as `invoke()`'s does. `undefined` for other pollers, and where the
 * answer has none of these headers.
 */
export function resultVersionsOf(headers: Headers, shape: AsyncResultShape | undefined): Record<string, string> | undefined {
  if (shape?.kind !== "operation") return undefined;
  let versions: Record<string, string> | undefined;
  for (const name of [ANSWER_VERSION.v2, ANSWER_VERSION.v4, "etag"]) {
    const value = headers.get(name);
    if (value !== null) (versions ??= {})[name] = value;
  }
  return versions;
}

/**
 * Success with the body as the result (rules 2, 3 and 5), read by `shape`; `binary`: the body holds
 * its bytes one character each, and so does a text result. `headers` are those of the answer that
 * carried the body (rule 2: the inner message's).
 */
function succeeded(headers: Headers, body: string, answer: MonitorAnswer, shape: AsyncResultShape | undefined, binary: boolean | undefined): MonitorReading {
  const result = resultOf(bodyResult(headers, body, answer), headers.get("etag"), shape);
  const resultType = textResultType(headers, result);
  const reading: MonitorReading = resultType === undefined ? { kind: "succeeded", result } : { kind: "succeeded", result, resultType };
  if (binary && resultType !== undefined) reading.binary = true;
  const versions = resultVersionsOf(headers, shape);
  if (versions !== undefined) reading.versions = versions;
  return reading;
}

/**
 * A result body: parsed JSON under a JSON content type (rule 11 when it does not parse) without the
 * response's `@odata.context` (the rule in `payload/entity-answer.ts`), `undefined` when empty,
 * otherwise the text as sent.
 */
function bodyResult(headers: Headers, body: string, answer: MonitorAnswer): unknown {
  if (body.trim() === "") return undefined;
  if (isJsonContentType(headers.get("content-type"))) return dropResponseAnnotations(parseJson(body, answer));
  return body;
}

/**
 * Status and progress of a 202 answer (rule 1), where its body gives them. They are optional there:
 * a body that is not JSON, whatever its label says (some services send a bare "Accepted"), gives
 * none, as in the initial answer (start.ts), rather than failing a poll of an operation that runs.
 */
function runningProgressOf(answer: MonitorAnswer): ServiceProgress {
  let json: unknown;
  try {
    json = jsonBodyOf(answer);
  } catch {
    return {};
  }
  return progressOf(json, answer);
}

/**
 * The reason of a Dataverse background operation that failed (status 31), which it gives in its own
 * fields rather than in an OData error object; `undefined` where it gives none.
 */
function dataverseError(json: unknown, answer: MonitorAnswer): ODataErrorDetail | undefined {
  if (!isRecord(json)) return undefined;
  const code = json["backgroundOperationErrorCode"];
  const message = json["backgroundOperationErrorMessage"];
  const hasCode = typeof code === "string" || (typeof code === "number" && Number.isFinite(code));
  if (!hasCode && typeof message !== "string") return undefined;
  return {
    code: hasCode ? maskedText(String(code), answer) : "",
    message: typeof message === "string" ? maskedText(message, answer) : "",
  };
}

/** The JSON body of an answer with a JSON content type, `undefined` otherwise or when empty. */
function jsonBodyOf(answer: MonitorAnswer): unknown {
  if (!isJsonContentType(answer.headers.get("content-type")) || answer.body.trim() === "") return undefined;
  return parseJson(answer.body, answer);
}

function parseJson(text: string, answer: MonitorAnswer): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // The parser quotes the body where it failed: badResponse masks an echoed secret there too.
    throw badResponse(answer, `the body is not valid JSON (${(error as Error).message})`);
  }
}

function statusFieldOf(json: unknown): string | number | undefined {
  if (!isRecord(json)) return undefined;
  for (const field of STATUS_FIELDS) {
    const value = json[field];
    if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) return value;
  }
  return undefined;
}

function outcomeOf(value: string | number): Outcome {
  if (typeof value === "number") return DATAVERSE_CODES.get(value) ?? "running";
  const word = value.trim().toLowerCase();
  if (/^\d+$/.test(word)) return DATAVERSE_CODES.get(Number(word)) ?? "running";
  // Unknown words mean running: a service may add states, and polling on is the safe reading.
  return STATUS_WORDS.get(word) ?? "running";
}

/**
 * The status and percentage the answer's JSON body reports. The status is kept with the secrets
 * the client sent masked (a monitor may echo the credential it was polled with): it goes into
 * `status()`, the errors and the resume token, which is written to files and stdout.
 */
function progressOf(json: unknown, answer: MonitorAnswer): ServiceProgress {
  const progress: ServiceProgress = {};
  const statusValue = statusFieldOf(json);
  if (statusValue !== undefined) progress.status = maskedText(String(statusValue), answer);
  if (!isRecord(json)) return progress;
  for (const field of PROGRESS_FIELDS) {
    const value = json[field];
    const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    if (Number.isFinite(number)) {
      progress.percentComplete = Math.min(100, Math.max(0, Math.round(number)));
      break;
    }
  }
  return progress;
}

function resultUrlOf(json: Record<string, unknown>, answer: MonitorAnswer): URL | undefined {
  for (const field of RESULT_URL_FIELDS) {
    const value = json[field];
    if (typeof value === "string" && value.trim() !== "") return resolveAnswerUrl(value, answer, field);
  }
  return undefined;
}

/**
 * The monitor URL each status monitor URL's 202 answer named last, by the URL it was asked at: a
 * monitor that names itself on every answer (most do) is resolved once, not once per poll.
 */
const lastLocations = new WeakMap<URL, { location: string; url: URL }>();

/**
 * The `Location` of a 202 answer, resolved (see {@link resolveLocation}). When it names the URL
 * that was asked, that same URL object is given back, so that the next poll, asked at it, finds it
 * in {@link lastLocations}. (URLs read from answers are never changed in place.)
 */
function resolveMonitorLocation(location: string, answer: MonitorAnswer): URL {
  const last = lastLocations.get(answer.url);
  if (last !== undefined && last.location === location) return last.url;
  let url = resolveLocation(location, answer);
  if (url.href === answer.url.href) url = answer.url;
  lastLocations.set(answer.url, { location, url });
  return url;
}

function httpErrorOf(answer: MonitorAnswer): ODataHttpError {
  return httpErrorFromParts({
    status: answer.status,
    ...(answer.statusText ? { statusText: maskSecretValues(answer.statusText, answer.secrets) } : {}),
    method: answer.method,
    url: answer.url,
    headers: answer.headers,
    body: answer.body,
    cut: answer.cut,
    secrets: answer.secrets,
    ...(answer.cause === undefined ? {} : { cause: answer.cause }),
  });
}
