/**
 * Sending the write requests built in `requests.ts` through the client's pipeline, and reading
 * their answers: the entity the service returned (v2 `d` unwrapped, its `ETag` header kept), or
 * `undefined` when it returned none (204, or a 202 without a status monitor, whose body is no entity).
 */
import { discard, failureDetail, readMasked } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { attemptsBefore } from "../http/steps.js";
import { httpErrorOf } from "../payload/failed-answer.js";
import { atomReaderFor, readWriteAnswer } from "../payload/entity-answer.js";
import { readAnswerText } from "../payload/http-envelope.js";
import { explainFailedWrite, explainMethodRefused, lostAttemptsExplanation, sentUnanswered, type WriteRequest } from "./requests.js";
import { toAbortSignal } from "../http/signals.js";
import { bodyStallWatch } from "../http/stall.js";
import type { RequestOptions } from "../options.js";
import { clipText, redactUrl } from "../util/redact.js";
import { ODataClientError } from "../errors.js";

/**
 * Sends one request, with the call's `timeout` where it gave one, and checks its status; a failure rejects with `ODataHttpError`, whose message
 * says what a 412 or 428 means, and a `202 Accepted` with a status monitor with
 * `ASYNC_OPERATION_PENDING` naming it (see pending-answer.ts).
 */
export async function sendChecked(core: ClientCore, request: WriteRequest, options: RequestOptions | undefined): Promise<Response> {
  const signal = toAbortSignal(options?.signal);
  const init = {
    method: request.method,
    url: request.url,
    headers: request.headers,
    signal,
    retry: request.retry,
    // The call's own, checked with its other options when the request was built.
    timeout: request.timeout,
    onResponse: request.onResponse,
    ...(request.body === undefined ? {} : { body: request.body }),
  };
  let response: Response;
  try {
    response = await core.send(init);
  } catch (error) {
    throw unansweredFailure(error, request, "write", attemptsBefore(init));
  }
  if (response.ok) {
    // Microsoft Graph's `POST /teams` answers so unasked: resolving as a 204 would say "done" and
    // lose the monitor. The rare 202 loads the reading of its Location, not every write.
    if (response.status === 202) {
      const pending = await (await import("./pending-answer.js")).pendingAnswerError(response, request.method, request.url, request.asyncTwin);
      if (pending) throw pending;
    }
    return response;
  }
  // Every write sent here takes the option tunnel (the ...Async ones, which do not, start a poller).
  throw explainMethodRefused(await explainFailedWrite(await httpErrorOf(response, request.method, request.url, { signal }), request, core.options, response), request);
}

/** Sends a write and reads the entity it answers with, or `undefined` for an answer without a body. */
export async function sendWrite<R>(core: ClientCore, request: WriteRequest, options: RequestOptions | undefined): Promise<R | undefined> {
  const response = await sendChecked(core, request, options);
  // A 202 that names no monitor (or one a browser's CORS hides) was accepted, not done: its body,
  // where it has one, is the operation's status, never the entity.
  if (response.status === 202) {
    await discard(response);
    return undefined;
  }
  let text: string;
  const signal = toAbortSignal(options?.signal);
  try {
    text = await readAnswerText(response, request.method, request.url, signal);
  } catch (error) {
    throw appliedAnswerFailure(error, request, response, "write");
  }
  if (response.status === 204 || text.trim() === "") return undefined;
  const answer = { body: text, contentType: response.headers.get("content-type"), etag: response.headers.get("etag") };
  const readAtomEntry = await atomReaderFor(answer.contentType);
  return (await readMasked(response, () => {
    try {
      return readWriteAnswer(answer, core.options.version, undefined, readAtomEntry);
    } catch (error) {
      throw unreadableAnswer(error, request, response, "write");
    }
  })) as R;
}

/**
 * The `BAD_PAYLOAD` of a write whose successful answer holds no entity that can be read (an HTML
 * page a proxy sent in the service's place, a collection), or of an action whose successful answer
 * holds no result that can be read (an HTML page, JSON that does not parse), saying that the
 * status was a success: the service applied the write (ran the action), and a caller who sends it
 * again (a create) would apply it twice. The entity's URL, where the answer gives it, is where to
 * read what was written. An `...Async` call's answer given at once that the poller's table cannot
 * read (`ASYNC_BAD_RESPONSE`, lro/start.ts) says the same, keeping its code. Any other error comes
 * back as it is.
 */
export function unreadableAnswer(error: unknown, request: SentCall, response: Response, call: AppliedCall): unknown {
  if (!(error instanceof ODataClientError) || (error.code !== "BAD_PAYLOAD" && error.code !== "ASYNC_BAD_RESPONSE")) return error;
  const what = call === "write" ? "its answer could not be read as an entity" : "its answer could not be read";
  return new ODataClientError(error.code, appliedMessage(request, response, call, `${what}: ${error.message}`), { cause: error.cause });
}

/** What the service did on a successful answer: applied a write, or ran an action. */
export type AppliedCall = "write" | "action";

/**
 * What a failure while the body of a successful answer to a write or an action was read becomes:
 * it says that the status was a success, so the service applied the write (or ran the action), as
 * {@link unreadableAnswer} does, and a caller who sends it again would apply it twice. The code
 * stays the failure's: `NETWORK_ERROR` where the answer broke off (the connection lost after the
 * headers), with the transport's error as its cause; `TIMEOUT` where the body stalled (no data
 * for the `timeout` its stall watch held, the one the request was sent with), with the watch's
 * error as its cause. Anything else (the caller's abort reason) comes back as it is.
 */
export function appliedAnswerFailure(error: unknown, request: SentCall, response: Response, call: AppliedCall): unknown {
  if (!(error instanceof ODataClientError)) return error;
  if (error.code === "NETWORK_ERROR") {
    // The body reader's message names the request, which this one names first: its cause's words.
    const detail = error.cause === undefined ? error.message : failureDetail(error.cause);
    return new ODataClientError("NETWORK_ERROR", appliedMessage(request, response, call, `its answer broke off while it was read: ${detail}`), { cause: error.cause });
  }
  // A TIMEOUT is this answer's stall only where its stall watch says it stalled (`failure` gives
  // the watch's own error then), after its `timeout`; another is a reason the caller aborted with.
  const watch = bodyStallWatch(response);
  if (error.code === "TIMEOUT" && watch?.failure(undefined) !== undefined) {
    return new ODataClientError("TIMEOUT", appliedMessage(request, response, call, `its answer's body stalled: no data arrived for ${watch.timeout} ms (option "timeout")`), { cause: error });
  }
  return error;
}

/**
 * What a write's or an action's request that got no answer becomes where it may have reached the
 * service: a `TIMEOUT` of its own (no answer within the `timeout`) or a `NETWORK_ERROR` of its
 * own (the connection failed after it may have been written), as the timeout step and the
 * transport keep them ({@link sentUnanswered}, whichever redirect's hop or URL your step sent it
 * to). The client never sends a POST twice, so the caller decides, and the message tells it that
 * the service may have applied the write (run the action) and to read before sending it again.
 * The code stays; a `NETWORK_ERROR` keeps the transport's error as its cause, a `TIMEOUT` the
 * timeout's error. A PUT or DELETE that the retry step sent again after such an attempt says so
 * whatever its last attempt failed with ({@link lostAttemptsExplanation}): `earlier` is what its
 * attempts before the last met (http/steps.ts `attemptsBefore`). Left as they are: a
 * read's (GET), one whose request was certainly not sent (a connection refused, a host name that
 * does not resolve: the transport's error's `code`), another request's (a token fetch the write
 * waited for and was not sent after: http/token-wait.ts, csrf.ts), your step's own error however
 * it is worded, and anything else (the caller's abort reason, a refused option).
 */
export function unansweredFailure(error: unknown, request: SentCall, call: AppliedCall, earlier?: readonly unknown[]): unknown {
  if (request.method === "GET" || !(error instanceof ODataClientError)) return error;
  const { code, message } = error;
  const cause = code === "NETWORK_ERROR" ? error.cause : error;
  if (sentUnanswered(error, request)) {
    const done = call === "write" ? "received and applied the write" : "received it and run the action";
    return new ODataClientError(code, `${message}; the service may have ${done}: read before sending it again`, { cause });
  }
  // Your own code's errors (a code with a colon, a subclass) are left as they are.
  const lost = error.constructor === ODataClientError && !code.includes(":") ? lostAttemptsExplanation(earlier, request, false) : undefined;
  return lost === undefined ? error : new ODataClientError(code, `${message}; ${lost}`, { cause });
}

/** What names a request in a message: its method and URL (a write's, an action's). */
type SentCall = Pick<WriteRequest, "method" | "url">;

/**
 * `<method> <url> was answered <status>, so the service applied the write (ran the action), but
 * <what>`, and the entity's URL where the answer gives it.
 */
function appliedMessage(request: SentCall, response: Response, call: AppliedCall, what: string): string {
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const [name, value] = entityUrlOf(response, request.url);
  // The URL ends the message: the masking of the message as a whole (ODataClientError) takes what
  // follows a masked query value up to a space as part of it.
  const entity = value === undefined ? "" : `. ${name}: ${value}`;
  const done = call === "write" ? "applied the write" : "ran the action";
  return `${request.method} ${redactUrl(request.url)} was answered ${status}, so the service ${done}, but ${what}${entity}`;
}

/** The `Location` (else the `OData-EntityId`) of an answer, resolved against the request's URL and redacted. */
function entityUrlOf(response: Response, url: URL): [string, string | undefined] {
  const location = response.headers.get("location");
  const name = location === null ? "OData-EntityId" : "Location";
  const given = location ?? response.headers.get("odata-entityid");
  if (given === null) return [name, undefined];
  try {
    return [name, redactUrl(new URL(given, url))];
  } catch {
    return [name, clipText(given, 200)];
  }
}

/** Sends a write whose answer carries nothing the caller needs (delete, `$ref`); the body is discarded. */
export async function sendWithoutResult(core: ClientCore, request: WriteRequest, options: RequestOptions | undefined): Promise<void> {
  const response = await sendChecked(core, request, options);
  await discard(response);
}

/**
 * Builds a request and sends it, reading the entity it answers with. A builder that throws (a bad
 * argument) rejects the promise instead of throwing synchronously.
 */
export function writeEntity<R>(core: ClientCore, build: () => WriteRequest, options: RequestOptions | undefined): Promise<R | undefined> {
  try {
    return sendWrite<R>(core, build(), options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** As {@link writeEntity}, for writes whose answer is discarded. */
export function writeWithoutResult(core: ClientCore, build: () => WriteRequest, options: RequestOptions | undefined): Promise<void> {
  try {
    return sendWithoutResult(core, build(), options);
  } catch (error) {
    return Promise.reject(error);
  }
}
