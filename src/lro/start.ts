/**
 * Starting a long-running operation: the initial answer of a request sent with
 * `Prefer: respond-async`, read by the table of spec/async-poller.md (a pure function), and the
 * sending of that request. The functions that send take the client core; the core itself only
 * sends. Pollers made without a request (a status monitor the caller has, a token) are made by
 * resume.ts. Loaded by the first `...Async` call.
 */
import type { ClientCore, SendInit } from "../core.js";
import { ODataClientError, type ODataHttpError } from "../errors.js";
import { discard } from "../http/body.js";
import { attemptsBefore, mergePrefer } from "../http/steps.js";
import { httpErrorFromParts, httpErrorFromResponse } from "../payload/error-body.js";
import { readBodyAs } from "../payload/http-envelope.js";
import { jsonMediaType } from "../payload/content-type.js";
import { redactUrl, SENT_SECRETS } from "../util/redact.js";
import { maskSecretValues } from "../util/secret-values.js";
import { answeredUrl, badResponseDetail, resolveAnswerUrl, resolveLocation } from "./answer-url.js";
import { readMonitorAnswer, readResultBody, readsBytes, resultPhase, retryAfterAt, resultVersionsOf, textResultType, type MonitorAnswer, type MonitorReading, type ServiceProgress } from "./monitor-answer.js";
import { Poller, resolvePollerOptions, type AsyncPoller, type AsyncPollerOptions } from "./poller.js";
import type { PollerStart } from "./state.js";
import type { AsyncResultShape } from "./token.js";

/**
 * The initial answer of a request sent with `Prefer: respond-async`, its body read: as text, or as
 * bytes one character each (`binary`, a multipart batch's answer).
 */
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
 *   against the request URL, Microsoft Graph's path below its version root: answer-url.ts
 *   `resolveLocation`); status and progress from a JSON body where it has them; a `Retry-After`
 *   delays the first poll.
 * - `202` without `Location`: `ODataClientError` `ASYNC_NO_LOCATION`, whose message names the
 *   monitor of an `Operation-Location` header where the answer has one (see {@link noLocationMessage}).
 * - any other `2xx` (the service ran the request at once): a poller that is already done, its
 *   result the body (read by `shape`, as monitor-answer.ts `readResultBody` reads it), its
 *   `statusUrl` the `Location` if any, else the request URL.
 * - anything else: the `ODataHttpError` of the answer. (Sending callers make it from the unread
 *   answer instead, reading a failure's body bounded: see {@link startPoller}.)
 * The start keeps `shape`, so that the poller reads a result it fetches later the same way.
 */
export function readInitialAnswer<T>(answer: InitialAnswer, maxWait: number, shape?: AsyncResultShape): PollerStart<T> {
  const { status, answeredAt } = answer;
  const deadline = answeredAt + maxWait;
  if (status === 202) {
    const location = answer.headers.get("location");
    if (!location) throw new ODataClientError("ASYNC_NO_LOCATION", noLocationMessage(answer));
    const statusUrl = resolveLocation(location, answer);
    const progress = initialProgress(answer);
    return withShape(
      {
        statusUrl,
        status: progress.status ?? "Running",
        percentComplete: progress.percentComplete ?? -1,
        deadline,
        retryAfterAt: retryAfterAt(answer.headers.get("retry-after"), answeredAt),
      },
      shape,
    );
  }
  if (status >= 200 && status < 300) {
    const result = readResultBody(answer, shape) as T;
    const location = answer.headers.get("location");
    return withShape(
      {
        statusUrl: location ? resolveLocation(location, answer) : answer.url,
        status: "Succeeded",
        percentComplete: -1,
        deadline,
        phase: resultPhase(result, textResultType(answer.headers, result), shape, answer.binary, resultVersionsOf(answer.headers, shape)),
      },
      shape,
    );
  }
  throw httpErrorFromParts(answer);
}

/** A poller's start with the result shape where one is given (none leaves the poller's default, `raw`). */
function withShape<T>(start: PollerStart<T>, shape: AsyncResultShape | undefined): PollerStart<T> {
  if (shape !== undefined) start.shape = shape;
  return start;
}

/**
 * Why a `202` gives no poller. Microsoft Graph's OneNote copy actions (`copyNotebook`,
 * `copyToSection` ...) name their monitor in `Operation-Location` alone: the contract keeps
 * `ASYNC_NO_LOCATION` for them (spec/async-poller.md), so the message gives that monitor and what
 * follows it, for the caller not to send the copy again. One that is no http URL is left unnamed.
 */
function noLocationMessage(answer: InitialAnswer): string {
  const sent = `${answer.method} ${redactUrl(answer.url)} answered 202 Accepted without a Location header`;
  // Azure's long-running operations name theirs in Azure-AsyncOperation, beside a Location or alone.
  const header = answer.headers.has("operation-location") ? "Operation-Location" : "Azure-AsyncOperation";
  const named = answer.headers.get(header);
  if (named) {
    try {
      const monitor = resolveAnswerUrl(named, answer, header);
      // The service wrote the monitor's URL: a secret the request carried, echoed in it, is masked.
      return `${sent}; it names its status monitor in ${header} instead, which this method does not follow: client.asyncPoller(url) follows it. The monitor: ${maskSecretValues(redactUrl(monitor), answer.secrets)}`;
    } catch {
      // Unusable: the answer is then one without a monitor.
    }
  }
  return `${sent}, so there is no status monitor to poll${answer.viaCors ? CORS_HIDES_LOCATION : ""}`;
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

/** How {@link startPoller} reads the initial answer, beyond the table every answer goes by. */
export interface StartReading {
  /** Tells a `202` that is the answer itself (a v2 `$batch` answers every batch so), read as any other `2xx`. */
  answersAt202?: ((answer: { headers: Headers }) => boolean) | undefined;
  /**
   * How the poller reads its result where that is not the raw body and the poller itself must read
   * it (see {@link startWritePoller}), or where the answer itself is read by it (a multipart
   * batch's, as bytes: monitor-answer.ts `readsBytes`). Left out, the shape is the raw body until
   * a wrapper (`mapPoller`) names it.
   */
  shape?: AsyncResultShape | undefined;
  /**
   * Explains the error of a failed answer, given the answer itself: the sender's words for it (a
   * write's precondition, a CSRF token the client's csrf step could not have accepted, which that
   * step notes by the `Response`: write/requests.ts `explainFailedWrite`).
   */
  explain?: ((error: ODataHttpError, response: Response) => Promise<ODataHttpError>) | undefined;
  /**
   * What a failure of the request before an answer arrived becomes: a write's or an action's says
   * that the service may have applied it where it may have reached the service (write/send.ts
   * `unansweredFailure`), given what the attempts before the last met where the retry step sent
   * it again (http/steps.ts `attemptsBefore`). Left out, the failure stands as it is (a read's, a
   * batch's).
   */
  unanswered?: ((error: unknown, earlier: readonly unknown[] | undefined) => unknown) | undefined;
  /**
   * What a failure while the body of a success was read becomes (not a running `202`'s, whose body
   * is optional), given the answer (its stall watch holds the timeout the body was read under): a
   * write's or an action's says that the service applied it (write/send.ts `appliedAnswerFailure`),
   * for the caller not to send it again. Left out, the failure stands as it is (a read's, a batch's).
   */
  bodyFailure?: ((error: unknown, response: Response) => unknown) | undefined;
  /**
   * Given a success answered at once (any `2xx` but a running `202`: the service did not go
   * async), what an error about its body becomes: a write's or an action's says that the service
   * applied it (write/send.ts `unreadableAnswer`), as the call's own answer would. Applied here to
   * a body the table cannot read (`ASYNC_BAD_RESPONSE`, its code kept, its message without the
   * request, which the caller names); a caller whose poller reads the result further (an action's,
   * which refuses an HTML page) keeps it for that. Left out, the error stands (a read's, a batch's).
   */
  atOnce?: ((response: Response) => (error: unknown) => unknown) | undefined;
  /** The call that starts the operation (`createAsync(body)`, `sendAsync()`), as the refusal of an option names it. */
  where: string;
}

/**
 * Sends a request that may run long with `Prefer: respond-async` and reads the initial answer into
 * a poller ({@link readInitialAnswer}); the request is retried by the client's `retry` as its
 * method is. A failed answer rejects with its `ODataHttpError`, its body read bounded in size and
 * time, explained by `reading.explain` where given.
 */
export async function startPoller<T>(core: ClientCore, init: SendInit, options: AsyncPollerOptions | undefined, reading: StartReading): Promise<AsyncPoller<T>> {
  const { answersAt202, shape, explain, unanswered, bodyFailure, atOnce } = reading;
  const resolved = resolvePollerOptions(options, reading.where);
  const headers = new Headers(init.headers);
  headers.set("prefer", mergePrefer(headers.get("prefer"), "respond-async"));
  // A caller that expects another format (a multipart $batch) says so; JSON otherwise.
  const json = jsonMediaType(core.options.ieee754Compatible);
  if (!headers.has("accept")) headers.set("accept", json);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", json);
  const signal = resolved.signal;
  // Retried as its method is elsewhere (getAsync's GET, replaceAsync's PUT, deleteAsync's DELETE;
  // never a POST or PATCH): the answer that ends the retries is the initial answer.
  const sent = { ...init, headers, signal, timeout: resolved.timeout, onResponse: resolved.onResponse };
  let response: Response;
  try {
    response = await core.send(sent);
  } catch (error) {
    throw unanswered === undefined ? error : unanswered(error, attemptsBefore(sent));
  }
  const answeredAt = Date.now();
  if (response.status < 200 || response.status >= 300) {
    const error = await httpErrorFromResponse(response, init.method, init.url, { signal });
    throw explain === undefined ? error : await explain(error, response);
  }
  const binary = readsBytes(response.headers, shape, false);
  const at202 = response.status === 202 && answersAt202?.(response);
  let body: string;
  try {
    body = await readBodyAs(response, init.method, init.url, signal, binary);
  } catch (error) {
    // A 202 says the operation runs, and its Location where to follow it; its body is optional
    // (see initialProgress), so a body that stalls or loses its connection must not cost the caller
    // the poller, which would leave the operation running unseen; without a Location the status
    // still decides (ASYNC_NO_LOCATION), not the body's TIMEOUT. The caller's own abort stands.
    if (response.status !== 202 || at202 || signal?.aborted) {
      throw bodyFailure === undefined ? error : bodyFailure(error, response);
    }
    await discard(response);
    body = "";
  }
  const answer: InitialAnswer = {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    body,
    // A relative Location resolves against the URL that answered: a redirect's target, whose
    // origin must not pick a path on the service's (where the poll would carry credentials).
    url: answeredUrl(response, init.url),
    method: init.method,
    answeredAt,
    viaCors: response.type === "cors",
    // The secrets the request carried, for what is read from the answer to mask, as a poll's.
    secrets: SENT_SECRETS.get(response),
    binary,
  };
  const read = at202 ? { ...answer, status: 200 } : answer;
  const unreadable = read.status === 202 ? undefined : atOnce?.(response);
  let start: PollerStart<T>;
  try {
    start = readInitialAnswer<T>(read, resolved.maxWait, shape);
  } catch (error) {
    throw unreadable === undefined ? error : unreadable(withoutRequest(error));
  }
  return new Poller<T>(core, resolved, start);
}

/**
 * An `ASYNC_BAD_RESPONSE` of the initial answer (answer-url.ts `badResponse`) saying what was wrong
 * without naming the request first, for a message that names it its own way; the error itself its
 * cause. Any other error as it is.
 */
function withoutRequest(error: unknown): unknown {
  const detail = badResponseDetail(error);
  return detail === undefined ? error : new ODataClientError("ASYNC_BAD_RESPONSE", detail, { cause: error });
}

/**
 * {@link startPoller} for a write of an entity set or entity (`createAsync`, `updateAsync`,
 * `replaceAsync`, `deleteAsync`). On OData v2 its result, however it arrives (in the initial
 * answer, the monitor's final answer, a result URL, or after a resume from the token), is read as
 * the write's own answer is (`create()`, `update()`): `d` unwrapped and its values made readable,
 * the `ETag` header kept with the entity. On v4 the result is the parsed final body, as the
 * contract (async-poller.md) has it. A failed answer's error is explained by `reading.explain`, no
 * answer by `reading.unanswered`, a success whose body then fails or cannot be read by
 * `reading.bodyFailure` and `reading.atOnce`, as the write's own would be; `reading.where` names
 * the call.
 */
export function startWritePoller<T>(core: ClientCore, init: SendInit, options: AsyncPollerOptions | undefined, reading: Pick<StartReading, "explain" | "unanswered" | "bodyFailure" | "atOnce" | "where">): Promise<AsyncPoller<T>> {
  const version = core.options.version;
  return startPoller<T>(core, init, options, { ...reading, shape: version === "2.0" ? { kind: "entity", version } : undefined });
}
