/**
 * Sending a `$batch` and reading its answer into results: at once (`send()`), as a long-running
 * operation (`sendAsync()`), resumed from a token (`resumeAsync()`), or from an answer read
 * elsewhere (`readAnswer()`). An answer in either format is matched to the plan's requests
 * (results.ts); a part the service will answer later becomes the poller of `results.continuation`.
 */
import { discard } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { clipText, isPublicValue, isSecretHeaderName, redactUrl, SENT_SECRETS, type SecretSet } from "../util/redact.js";
import { toAbortSignal } from "../http/signals.js";
import { callTimeout } from "../util/timers.js";
import type { RequestOptions } from "../options.js";
import { logBatchParts } from "../http/wire-log.js";
import { mapPoller } from "../lro/mapped-poller.js";
import { answeredUrl, resolveLocation } from "../lro/answer-url.js";
import { POLLER_OPTIONS, resolvePollerOptions, succeededPhaseOf, type AsyncPoller, type AsyncPollerOptions } from "../lro/poller.js";
import { pollerFor } from "../lro/resume.js";
import type { AsyncResultShape, LaterContinuation } from "../lro/token.js";
import { badBatchResponse } from "../payload/bad-payload.js";
import { isHtmlContentType, isJsonContentType } from "../payload/content-type.js";
import { httpErrorFromResponse } from "../payload/error-body.js";
import { readBodyAs, utf8Body, type HttpMessage } from "../payload/http-envelope.js";
import { following, nextLinkReader } from "./following.js";
import { splitJsonAnswer, splitJsonValue } from "./json-answer.js";
import { resolveNextLink } from "../read/traversal.js";
import { boundaryOf, readMultipartBatch, sniffBoundary } from "../payload/multipart.js";
import { BatchPlan, type BatchShape } from "./plan.js";
import type { BatchRecord } from "./record.js";
import { makeResults, matchJson, matchMultipart, requestName, resultOf, withLazyError, type Answer, type BatchResults, type Continuation, type MatchedAnswers, type PlannedRequest } from "./results.js";
import { batchRequest, type BatchBoundaries } from "./wire.js";
import { ODataClientError, type ODataHttpError } from "../errors.js";
import { explainFailedWrite } from "../write/requests.js";
import { maskSecretValues } from "../util/secret-values.js";
import { describe, isRecord, optionalFunction, refuseUnknownOptions, type OptionNames } from "../util/values.js";
import { resolveReference, urlBelowRoot } from "../util/service-root.js";

/** Options of `batch.send()`. */
export interface BatchSendOptions extends RequestOptions {
  /**
   * Sends `Prefer: odata.continue-on-error`: the service goes on after a failed request instead of
   * stopping there (requests after a failure otherwise read `BATCH_NOT_EXECUTED`).
   * @default false
   */
  continueOnError?: boolean | undefined;
  /**
   * Options of the poller in `results.continuation`, when the service answers part of the batch
   * later. Its `timeout` times that poller's requests, the reads of next links that `send()` makes
   * through it among them; `send()`'s own times the `$batch` request.
   */
  continuation?: AsyncPollerOptions | undefined;
}

/** Options of `batch.sendAsync()`: the poller's, and whether to continue on error. */
export interface BatchSendAsyncOptions extends AsyncPollerOptions {
  /** As in {@link BatchSendOptions.continueOnError}. */
  continueOnError?: boolean | undefined;
}

// The options of `send()` and `sendAsync()`, by name: any other member is refused
// (refuseUnknownOptions), as a write's are.
const SEND_OPTIONS = { signal: 1, timeout: 1, onResponse: 1, continueOnError: 1, continuation: 1 } satisfies OptionNames<BatchSendOptions>;
const SEND_ASYNC_OPTIONS = { ...POLLER_OPTIONS, continueOnError: 1 } satisfies OptionNames<BatchSendAsyncOptions>;
const TO_REQUEST_OPTIONS = { continueOnError: 1 } satisfies OptionNames<Pick<BatchSendOptions, "continueOnError">>;
const READ_ANSWER_OPTIONS = { continuation: 1 } satisfies OptionNames<Pick<BatchSendOptions, "continuation">>;

/**
 * A batch to send: what its builder recorded (sealed by the builder's method that got here), the
 * client it belongs to, and the boundaries of a multipart body.
 */
export interface BatchToSend {
  core: ClientCore;
  record: BatchRecord;
  boundaries: BatchBoundaries | undefined;
}

/**
 * A batch with the plan of one send (or reading): its writes built then, as the entity is then.
 * Each send builds its own (README: the writes "are built when it is sent"), so that a batch sent
 * again, after a failure or on purpose, sends the entities as they are by then; the answers of a
 * send, its continuations' included, are read by the plan that send went out with.
 */
interface PlannedBatch extends BatchToSend {
  plan: BatchPlan;
  /** The send's or reading's own object: the record's `reading` while it is the batch's latest (see {@link begin}). */
  reading: object;
}

function planned(batch: BatchToSend, reading: object = {}): PlannedBatch {
  return { ...batch, plan: new BatchPlan(batch.record, batch.core), reading };
}

/** What the handles' `BATCH_NOT_SENT` says failed, by the way the batch was sent or read. */
const SEND_FAILED = "the batch's last send failed";
const READ_FAILED = "the answer last read into the batch (readAnswer()) could not be read";
const RESUME_FAILED = "the batch's resumed poller failed";

/**
 * Begins a send or reading of the batch (`reading`, its own object): the results of an earlier one
 * are not this one's, so the handles give none until it has them, and the earlier one's
 * continuations no longer touch the batch. (Here, not in the builder loaded at start.)
 */
function begin(record: BatchRecord, reading: object = {}): object {
  record.reading = reading;
  record.latest = record.failed = undefined;
  return reading;
}

/** `results`, made the batch's latest unless a later send or reading began. */
function keep(batch: PlannedBatch, results: BatchResults): BatchResults {
  if (batch.record.reading === batch.reading) batch.record.latest = results;
  return results;
}

/**
 * Notes that the send or reading `reading` failed (`what`, with `cause`), unless a later one
 * began: the handles then refuse `result()` saying so, with the error as `cause`.
 */
function fail(record: BatchRecord, reading: object, what: string, cause: unknown): void {
  if (record.reading !== reading) return;
  record.latest = undefined;
  record.failed = { what, cause };
}

/**
 * The `$batch` request of a batch, its writes built now, its body as text (for `toRequest()`): a
 * multipart body that holds a request's bytes is bytes too, which text would carry as their UTF-8,
 * destroying them, so it is refused (a JSON batch carries them as base64url text).
 */
export function wireRequestOf(batch: BatchToSend, options: Pick<BatchSendOptions, "continueOnError"> | undefined): { url: URL; headers: Headers; body: string } {
  // The options are checked before the writes are built, as every option is before anything else.
  refuseUnknownOptions(options, TO_REQUEST_OPTIONS, "toRequest()");
  const checked = continueOnErrorOf(options?.continueOnError);
  const { url, headers, body } = requestOf(planned(batch), checked);
  if (typeof body !== "string") throw new TypeError("toRequest(): the multipart body holds bytes, not text; send() the batch");
  return { url, headers, body };
}

function continueOnErrorOf(continueOnError: unknown = false): boolean {
  if (typeof continueOnError !== "boolean") throw new TypeError(`option "continueOnError" must be a boolean; got ${describe(continueOnError)}`);
  return continueOnError;
}

function requestOf(batch: PlannedBatch, continueOnError: boolean): { url: URL; headers: Headers; body: string | Uint8Array } {
  const { serviceUrl, version } = batch.core.options;
  return batchRequest(batch.plan, { serviceUrl, version, boundaries: batch.boundaries, continueOnError });
}

/**
 * `secrets` with the values of the parts' own secret headers (a part's `x-api-key`), which travel
 * inside the body where the transport does not see them: a failed part that echoes one masks it,
 * however many parts carry one.
 */
function withPartSecrets(batch: PlannedBatch, secrets: SecretSet | undefined): SecretSet | undefined {
  const values: string[] = [];
  const authorizations: string[] = [];
  for (const [name, value] of partSecretHeaders(batch)) (name.toLowerCase() === "authorization" ? authorizations : values).push(value);
  return values.length + authorizations.length === 0 ? secrets : joinSecrets(secrets, { values, authorizations });
}

/**
 * Both sets of secrets as one (either may be missing), each value once: a chain of continuations
 * joins them again at every step.
 */
function joinSecrets(first: SecretSet | undefined, second: SecretSet | undefined): SecretSet | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return { values: [...new Set([...first.values, ...second.values])], authorizations: [...new Set([...first.authorizations, ...second.authorizations])] };
}

/** The parts' own headers named like a credential, with a value worth masking. */
function partSecretHeaders(batch: PlannedBatch): [string, string][] {
  return batch.plan.requests
    .flatMap((request) => Object.entries(request.headers))
    .filter(([name, value]) => isSecretHeaderName(name) && value !== "" && !isPublicValue(value));
}

/**
 * Notes the parts' own secret headers with the client's secrets too, so that the answers read
 * elsewhere (the whole batch's error, a monitor's, a continuation's) mask them as well.
 */
function noteSecrets(batch: PlannedBatch): void {
  batch.core.sentSecrets.sent(partSecretHeaders(batch));
}

/** Whether a `202` to a batch holds its multipart answer (then read as any other) rather than naming a monitor only. */
function holdsAnswer(headers: Headers): boolean {
  return boundaryOf(headers.get("content-type")) !== undefined;
}

/** What the refusal of a continuation's option names (`send()`'s `continuation`, `readAnswer()`'s). */
const CONTINUATION = "the batch's continuation";

/**
 * Posts the batch and reads the answer into results. A service that answers `202` with a status
 * monitor (and no multipart body) went asynchronous unasked: every answer then comes from the
 * monitor, through `results.continuation`.
 */
export async function sendBatch(toSend: BatchToSend, options: BatchSendOptions | undefined): Promise<BatchResults> {
  // The caller's options, refused before the send begins (the handles keep what they had).
  refuseUnknownOptions(options, SEND_OPTIONS, "send()");
  refuseUnknownOptions(options?.continuation, POLLER_OPTIONS, 'send(): option "continuation"');
  const reading = begin(toSend.record);
  try {
    return await sendAndRead(toSend, reading, options);
  } catch (cause) {
    fail(toSend.record, reading, SEND_FAILED, cause);
    throw cause;
  }
}

async function sendAndRead(toSend: BatchToSend, reading: object, options: BatchSendOptions | undefined): Promise<BatchResults> {
  const continueOnError = continueOnErrorOf(options?.continueOnError);
  const batch = planned(toSend, reading);
  const { url, headers, body } = requestOf(batch, continueOnError);
  const signal = toAbortSignal(options?.signal);
  const timeout = callTimeout(options?.timeout, "send()");
  const onResponse = optionalFunction(options?.onResponse, 'send(): option "onResponse"');
  // The poller options of a continuation are checked before anything is sent, as every option is.
  if (options?.continuation !== undefined) resolvePollerOptions(options.continuation, CONTINUATION);
  noteSecrets(batch);
  const response = await batch.core.send({ method: "POST", url, headers, body, signal, timeout, retry: false, onResponse });
  // The failed parts mask the secrets the batch was sent with (its Authorization among them).
  const secrets = withPartSecrets(batch, SENT_SECRETS.get(response) ?? batch.core.sentSecrets.current());
  if (response.status === 202 && response.headers.has("location") && !holdsAnswer(response.headers)) {
    await discard(response);
    const answers: Answer[] = batch.plan.requests.map(() => ({ kind: "pending" }));
    return resultsOf(batch, { answers, continuations: [{ location: response.headers.get("location") as string }] }, { continuation: options?.continuation, answeredAt: answeredUrl(response, url), secrets });
  }
  if (!response.ok) throw await explainFailedWrite(await httpErrorFromResponse(response, "POST", url, { signal }), "$batch", batch.core.options, response);
  const contentType = response.headers.get("content-type");
  // A multipart answer is read as bytes, each part's body decoded by its own type: an image's
  // bytes read as UTF-8 would be destroyed. A JSON batch is text throughout.
  const json = isJsonContentType(contentType);
  const text = await readBodyAs(response, "POST", url, signal, !json);
  const matched = masking(secrets, () => matchAnswer(batch.plan, text, contentType, { binary: !json, request: `POST ${redactUrl(url)}` }));
  let results = resultsOf(batch, matched, { continuation: options?.continuation, answeredAt: answeredUrl(response, url), secrets });
  // A partial result (JSON Format §19.4): its next link is read now, and the next after it, until
  // every request has its answer. One that answers 202 went asynchronous: the rest is then
  // results.continuation's, as a part's 202 is. One that cannot be read (a timeout, an error
  // status) leaves its requests pending with the continuation, which reads it again, saying why:
  // the answers given stand.
  for (let next = nextLinkReader(results.continuation); next !== undefined; next = nextLinkReader(results.continuation)) {
    const link = NEXT_LINK_READINGS.get(results.continuation as AsyncPoller<BatchResults>);
    if (link) link.answered = false;
    try {
      // Still running: the link answered 202 (the rest went asynchronous), or its GET got no
      // answer to read (the poller's rule 9: a timeout, a lost connection, a transient status).
      if (await next.poll(signal)) {
        if (link && !link.answered) results = nextLinkFailed(batch, results, link.requests, "got no answer it could read (it timed out, its connection broke, or the service answered 408, 429, 500, 502, 503 or 504)");
        break;
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      if (link) results = nextLinkFailed(batch, results, link.requests, `failed: ${error instanceof Error ? error.message : String(error)}`, error);
      break;
    }
    results = next.result();
  }
  return results;
}

/**
 * The next link a continuation reads (`results.continuation`): the requests it answers, and
 * whether its last poll read an answer (rules 1 to 8 of the poller, which report progress).
 */
interface NextLinkReading {
  readonly requests: readonly PlannedRequest[];
  answered: boolean;
}

/** The next link each continuation that reads one reads, by that continuation. */
const NEXT_LINK_READINGS = new WeakMap<AsyncPoller<BatchResults>, NextLinkReading>();

/**
 * `results` with the requests that `requests` names, which a next link was to answer, saying
 * that its GET `what` (a client's `TIMEOUT` among the reasons): not that they still run at the
 * service, which was not heard from. They stay `BATCH_PENDING`, since `results.continuation`
 * reads that next link again. These become the batch's latest results.
 */
function nextLinkFailed(batch: PlannedBatch, results: BatchResults, requests: readonly PlannedRequest[], what: string, cause?: unknown): BatchResults {
  const named = new Map(requests.map((request) => [request.index, request]));
  const list = results.map((result, index) => {
    const request = named.get(index);
    if (request === undefined) return result;
    const message = `${requestName(request)} got no response: the GET of the batch's next link ${what}; results.continuation reads it again`;
    return withLazyError({ ok: false as const, status: undefined }, () => new ODataClientError("BATCH_PENDING", message, cause === undefined ? undefined : { cause }));
  });
  return keep(batch, makeResults(list, results.continuation, batch.plan.requests));
}


/**
 * Runs the reading of an answer whose failure may quote it (a status line that is none, a part's
 * headers): a secret it echoes is masked in the error as in a failed part's.
 */
function masking<R>(secrets: SecretSet | undefined, read: () => R): R {
  try {
    return read();
  } catch (error) {
    if (secrets === undefined || !(error instanceof ODataClientError)) throw error;
    const message = maskSecretValues(error.message, secrets);
    throw message === error.message ? error : new ODataClientError(error.code, message);
  }
}

/**
 * Posts the batch with `Prefer: respond-async` and gives a poller whose result is the batch's
 * results. When the service ignored the preference and answered at once, the answer is read now,
 * so that the handles have their results and an unreadable answer rejects here.
 */
export async function sendBatchAsync(toSend: BatchToSend, options: BatchSendAsyncOptions | undefined): Promise<AsyncPoller<BatchResults>> {
  refuseUnknownOptions(options, SEND_ASYNC_OPTIONS, "sendAsync()");
  // As send()'s: the handles have no result while the poller runs, and say so when it failed.
  const reading = begin(toSend.record);
  try {
    return await startBatch(toSend, reading, options);
  } catch (cause) {
    fail(toSend.record, reading, SEND_FAILED, cause);
    throw cause;
  }
}

async function startBatch(toSend: BatchToSend, reading: object, options: BatchSendAsyncOptions | undefined): Promise<AsyncPoller<BatchResults>> {
  const { continueOnError, ...pollerOptions } = options ?? {};
  const checked = continueOnErrorOf(continueOnError);
  const batch = planned(toSend, reading);
  const { url, headers, body } = requestOf(batch, checked);
  const { startPoller } = await import("../lro/start.js");
  noteSecrets(batch);
  // A 202 that holds the multipart answer is the answer (OData v2 services answer every batch
  // 202), as send() reads it.
  // So is a JSON batch's 202 with a JSON body and no Location to poll, as send() reads it.
  const { plan } = batch;
  const json = plan.format === "json";
  const whole = (answer: { headers: Headers }) => holdsAnswer(answer.headers) || (json && !answer.headers.has("location") && isJsonContentType(answer.headers.get("content-type")));
  // The shape, named before the answer is read, has a multipart answer given at once read as bytes
  // (a binary part keeps them), as the monitor's final answer is.
  const explain = (error: ODataHttpError, response: Response) => explainFailedWrite(error, "$batch", batch.core.options, response);
  const inner = await startPoller<unknown>(batch.core, { method: "POST", url, headers, body }, pollerOptions, { answersAt202: whole, shape: plan.shape(0), explain, where: "sendAsync()" });
  // The secrets as the batch was sent (its Authorization among them), for its failed parts to
  // mask however many tokens later requests use.
  const secrets = withPartSecrets(batch, batch.core.sentSecrets.current());
  // An answer given at once is the batch's answer, never one request's own result (as a
  // monitor's may be, where one request ran asynchronously).
  const immediate = inner.isDone();
  // A further continuation (a part's 202) is polled as this one is, its Location resolved against
  // the monitor that answered.
  const poller = mapPoller(
    inner,
    (raw) => resultsOf(batch, masking(secrets, () => matchRaw(plan, raw, { textType: succeededPhaseOf(inner)?.resultType, binary: heldAsBytes(inner), ownResult: !immediate })), { secrets, continuation: pollerOptions, answeredAt: answeredBy(inner) }),
    plan.shape(0),
  );
  if (inner.isDone()) poller.result();
  return following(poller, false, (cause) => fail(batch.record, reading, SEND_FAILED, cause));
}

/**
 * The poller of `sendAsync()` or of `results.continuation`, rebuilt from its token on a batch with
 * the same requests (checked by the token's fingerprint); sends nothing. The requests answered
 * before a continuation was saved read `BATCH_ANSWERED_EARLIER`: those of the items before the
 * token's `from`, and those a JSON batch answered at once besides the ones its `pending` names.
 */
export function resumeBatch(toRead: BatchToSend, inner: AsyncPoller<unknown>, shape: AsyncResultShape, options?: AsyncPollerOptions): AsyncPoller<BatchResults> {
  const batch = planned(toRead);
  const { plan } = batch;
  let from = 0;
  // The requests still to come, where the token names them (a JSON batch's; see shapeOf).
  let waiting: PlannedRequest[] | undefined;
  // The continuations queued after this one, and what else the token says of the chain (chainOf).
  let later: Continuation[] = [];
  let chain: Partial<BatchShape> = {};
  const items = plan.items;
  if (shape.kind === "batch") {
    const own = plan.shape(0);
    if (shape.format !== own.format || shape.requests !== own.requests || shape.fingerprint !== own.fingerprint) {
      throw new TypeError(
        `batch.resumeAsync(token): the token is from another batch (${shape.format}, ${shape.requests} requests, fingerprint ${shape.fingerprint}; this one: ${own.format}, ${own.requests} requests, fingerprint ${own.fingerprint}); build the batch with the same requests in the same order and changesets`,
      );
    }
    from = shape.from ?? 0;
    if (from >= items.length) throw new TypeError(`batch.resumeAsync(token): token.resultShape.from is ${from}, but the batch has ${items.length} items`);
    if (shape.pending !== undefined) {
      // The requests still to come, where they are not every request from `from` on: a JSON
      // batch's 202 may come before answers given at once, and a multipart part of a request of
      // its own answered 202 (its monitor answers for it alone).
      const after = new Set(plan.pendingRequests(from).map((request) => request.index));
      const before = shape.pending.find((index) => !after.has(index));
      if (before !== undefined) {
        throw new TypeError(`batch.resumeAsync(token): token.resultShape.pending names request index ${before}, which is in an item before token.resultShape.from (${from}); the token is not one that toJSON() wrote`);
      }
      waiting = shape.pending.map((index) => plan.requests[index] as PlannedRequest);
    }
    ({ chain, later } = chainOfToken(plan, shape));
  }
  // A continuation's earlier answers stayed with the process that saved the token: those of the
  // items before `from`, and those of a JSON batch given at once after its 202 (not in `pending`).
  // The requests of the continuations queued after it are still to come, from those.
  const still = waiting ?? plan.pendingRequests(from);
  const queued = later.flatMap((named) => named.requests ?? []);
  // Each request still to come has one continuation to come from, as toJSON() wrote it.
  const seen = new Set<PlannedRequest>();
  const twice = [...still, ...queued].find((request) => seen.has(request) || (seen.add(request), false));
  if (twice !== undefined) {
    throw new TypeError(`batch.resumeAsync(token): token.resultShape.later names request index ${twice.index}, which another continuation answers too; the token is not one that toJSON() wrote`);
  }
  const earlier: Answer[] = [];
  const stillToCome = new Set(still);
  const queuedLater = new Set(queued);
  for (const request of plan.requests) if (!stillToCome.has(request)) earlier[request.index] = { kind: queuedLater.has(request) ? "pending" : "earlier" };
  // As the poller that saved the token: its parts' own credentials masked, a further continuation
  // resolved against the monitor that answered and polled with these options, the continuations
  // queued after it and the next links followed before it kept, and a next link's answer read
  // only as a batch answer.
  const read = { earlier, secrets: withPartSecrets(batch, batch.core.sentSecrets.current()), continuation: options, later, followed: new Set(chain.followed) };
  const ownResult = chain.nextLink !== true;
  // The token is this batch's: reading it begins, as a send would.
  begin(batch.record, batch.reading);
  return following(
    mapPoller(inner, (raw) => resultsOf(batch, masking(read.secrets, () => matchRaw(plan, raw, { from, textType: succeededPhaseOf(inner)?.resultType, binary: heldAsBytes(inner), waiting, ownResult })), { ...read, answeredAt: answeredBy(inner) }), {
      ...shapeOf(plan, from, waiting),
      ...chain,
    }),
    false,
    (cause) => fail(batch.record, batch.reading, RESUME_FAILED, cause),
  );
}

/**
 * The chain a token's shape names (see {@link chainOf}), checked: the token module only passes it
 * on, as only a batch reads it (and that module loads with every client). A malformed field is a
 * `TypeError` that names it, as the token's other fields are.
 */
function chainOfToken(plan: BatchPlan, shape: BatchShape): { chain: Partial<BatchShape>; later: Continuation[] } {
  const { nextLink, later, followed } = shape as Record<string, unknown>;
  const refuse = (field: string, what: string) => new TypeError(`batch.resumeAsync(token): token.resultShape.${field} must be ${what}; the token is not one that toJSON() wrote`);
  if (nextLink !== undefined && nextLink !== true) throw refuse("nextLink", "true where present");
  if (followed !== undefined && !(Array.isArray(followed) && followed.every((link) => typeof link === "string"))) throw refuse("followed", "an array of URL strings");
  if (later !== undefined && !(Array.isArray(later) && later.length > 0)) throw refuse("later", "a non-empty array");
  const queued = ((later ?? []) as unknown[]).map((entry, n): Continuation => {
    const field = `later[${n}]`;
    if (!isRecord(entry)) throw refuse(field, "an object");
    const { url, pending, nextLink: next } = entry;
    // Written absolute, as the answer that named it was read: there is nothing to resolve a
    // relative one against now.
    let href: URL | undefined;
    try {
      href = typeof url === "string" ? new URL(url) : undefined;
    } catch {
      href = undefined;
    }
    if (href === undefined || (href.protocol !== "http:" && href.protocol !== "https:")) throw refuse(`${field}.url`, "an absolute http or https URL");
    // As the token's statusUrl is (lro/resume.ts): refused at once rather than when it is polled.
    if (href.username || href.password) throw new ODataClientError("CREDENTIALS_IN_URL", `batch.resumeAsync(token): token.resultShape.${field}.url carries a user name or password (use option "auth")`);
    // Ascending request indexes; a next link may have none left to answer.
    if (!(Array.isArray(pending) && pending.every((index, i) => Number.isInteger(index) && index >= 0 && index < plan.requests.length && (i === 0 || index > (pending[i - 1] as number))))) {
      throw refuse(`${field}.pending`, "ascending request indexes");
    }
    if (next !== undefined && next !== true) throw refuse(`${field}.nextLink`, "true where present");
    return { location: url as string, requests: pending.map((index) => plan.requests[index as number] as PlannedRequest), ...(next && { next: true }) };
  });
  // Written again as chainOf writes it, whatever else the token's entries held.
  const chain = chainOf(plan, queued, [], nextLink === true, new Set(followed as string[] | undefined));
  return { chain, later: queued };
}

/**
 * What a continuation's token says of the chain it is in (see `AsyncResultShape`): whether it reads
 * a next link, the continuations queued after it (`rest`, their URLs absolute; one that names no
 * requests, a multipart answer's last part, answers those `known` still has pending that no other
 * one does), and the next links followed so far. Each only where there is something to say, so
 * that every other token stays as it was.
 */
function chainOf(plan: BatchPlan, rest: readonly Continuation[], known: readonly Answer[], nextLink: boolean | undefined, followed: ReadonlySet<string>): Partial<BatchShape> {
  const named = new Set(rest.flatMap((continuation) => continuation.requests ?? []));
  const later = rest.map(({ location, requests, next }): LaterContinuation => {
    const answers = requests ?? plan.requests.filter((request) => known[request.index]?.kind === "pending" && !named.has(request));
    return { url: location, pending: answers.map((request) => request.index), ...(next && { nextLink: true }) };
  });
  return { ...(nextLink && { nextLink: true }), ...(later.length > 0 && { later }), ...(followed.size > 0 && { followed: [...followed] }) };
}

/**
 * What a poller of the batch reads its result as (its token's `resultShape`): the answer comes for
 * the items from `from` on; `waiting`, where known, names the requests of those items still to
 * come (a JSON batch's 202 may come before answers given at once). Those are written into the
 * token only when they are not simply every request from `from` on, so that every other token
 * stays as it was.
 */
function shapeOf(plan: BatchPlan, from: number, waiting: readonly PlannedRequest[] | undefined): BatchShape {
  const shape = plan.shape(from);
  if (waiting === undefined || waiting.length === plan.pendingRequests(from).length) return shape;
  return { ...shape, pending: waiting.map((request) => request.index) };
}

/**
 * The URL a poller's batch answer came from, which a relative next link or `Location` in it
 * resolves against: where a monitor's `303` led (its token's `resultUrl` once it succeeded), else
 * the monitor. (Read from the token, the poller loaded at start needs no accessor for it.)
 */
function answeredBy(inner: AsyncPoller<unknown>): URL {
  return new URL(inner.toJSON().resultUrl ?? inner.statusUrl);
}

/** Reads an answer received elsewhere (multipart or JSON, told by `contentType`) into results. */
export function readBatchAnswer(toRead: BatchToSend, answer: { contentType: string | null; body: string }, options: Pick<BatchSendOptions, "continuation"> | undefined): BatchResults {
  refuseUnknownOptions(options, READ_ANSWER_OPTIONS, "readAnswer()");
  const continuation = options?.continuation;
  // Checked now, as send()'s are, not when a continuation is first followed.
  refuseUnknownOptions(continuation, POLLER_OPTIONS, 'readAnswer(): option "continuation"');
  if (continuation !== undefined) resolvePollerOptions(continuation, CONTINUATION);
  const reading = begin(toRead.record);
  try {
    const batch = planned(toRead, reading);
    // Read here, the answer masks the parts' own credentials as send()'s does.
    const secrets = withPartSecrets(batch, batch.core.sentSecrets.current());
    // What answered was the $batch request (toRequest()'s URL): a relative next link or Location resolves against it.
    const answeredAt = urlBelowRoot(batch.core.options.serviceUrl, "$batch");
    return resultsOf(batch, masking(secrets, () => matchAnswer(batch.plan, answer.body, answer.contentType)), { continuation, secrets, answeredAt });
  } catch (cause) {
    fail(toRead.record, reading, READ_FAILED, cause);
    throw cause;
  }
}

/**
 * Reads a whole answer body in either format and matches it to the plan; `binary`: a multipart
 * body holds its bytes one character each (see `readMultipartBatch`); `request`, the batch's
 * method and URL (redacted) where it was sent here, for the message of an answer that is none.
 */
function matchAnswer(plan: BatchPlan, text: string, contentType: string | null, { binary = false, request }: { binary?: boolean; request?: string } = {}): MatchedAnswers {
  if (isJsonContentType(contentType)) {
    const requests = plan.pendingRequests(0);
    // No more responses read than there are requests, which matchJson refuses.
    return matchJson(requests, splitJsonAnswer(text));
  }
  // An expired SAP session's logon page (or a proxy's sign-in page) answers 200 in the service's
  // place: said in the words every other request's error uses for it, so that it is recognised.
  if (isHtmlContentType(contentType)) {
    throw new ODataClientError("BAD_BATCH_RESPONSE", `${request === undefined ? "the answer is" : `${request} answered with`} an HTML page (${clipText(contentType ?? "", 100)}), not a batch response`);
  }
  const boundary = boundaryOf(contentType) ?? sniffBoundary(text);
  if (boundary === undefined) throw badBatchResponse(`the answer is neither multipart/mixed with a boundary nor JSON (Content-Type ${JSON.stringify(contentType ?? "(none)")})`);
  // No further than the first item too many, which matchMultipart refuses.
  return matchMultipart(plan.items, readMultipartBatch(text, boundary, { binary, most: plan.items.length }));
}

/**
 * Whether a poller's result is a multipart answer it read as bytes, one character each (lro/
 * monitor-answer.ts `readsBytes`). Its token says so (`resultBinary`) and is asked rather than the
 * poller's state, so that no reader of it weighs on every program's start (lro/poller.ts).
 */
function heldAsBytes(poller: AsyncPoller<unknown>): boolean {
  return poller.toJSON().resultBinary === true;
}

/** How {@link matchRaw} reads a poller's result, beyond the result itself. */
interface RawReading {
  /** The first item the answer is for (a continuation's); 0 by default. */
  from?: number;
  /** The Content-Type of a text result, where the poller kept it. */
  textType?: string | undefined;
  /**
   * A text result holds the answer's bytes one character each (a multipart answer the poller read
   * so: lro/monitor-answer.ts `readsBytes`), for its parts to be decoded each by its own type.
   */
  binary?: boolean;
  /**
   * Whether a result that is no batch answer may be the one waiting request's own (not for an
   * answer given at once, which must be the batch's); true by default.
   */
  ownResult?: boolean;
  /** The requests still to come, where known (a JSON batch's); those of the items from `from` on otherwise. */
  waiting?: readonly PlannedRequest[] | undefined;
}

/**
 * Reads a result as a poller gives it (a multipart body as text or, `binary`, as its bytes one
 * character each; a JSON batch parsed) and matches it to the plan from item `from` on. A result
 * that is neither, where exactly one request is waiting, is that request's own result (it was the
 * one that ran asynchronously), a text one of the type the poller got it as (`textType`: an HTML
 * page is refused as the request alone would); not with `ownResult` false (an answer the service
 * gave at once, which must be the batch's).
 */
function matchRaw(plan: BatchPlan, raw: unknown, { from = 0, textType, binary = false, ownResult = true, waiting }: RawReading): MatchedAnswers {
  // A JSON batch's answers come in any order: those given before the continuation may follow the
  // request still to come, so `waiting` names the requests still to come where they are known;
  // the items from `from` on otherwise. Only they are matched; the others keep their answers.
  const pending = waiting ?? plan.pendingRequests(from);
  if (typeof raw === "string") {
    // Characters beyond U+00FF are no bytes (a token edited by hand): such a result is text.
    const bytes = binary && !/[^\0-\xff]/.test(raw);
    // The boundary the answer named where the poller kept its type; found in the text otherwise.
    const boundary = boundaryOf(textType) ?? sniffBoundary(raw);
    if (boundary !== undefined) return matchMultipart(plan.items, readMultipartBatch(raw, boundary, { binary: bytes, most: plan.items.length - from }), from);
    // No batch answer after all: the one waiting request's own result (below), as the text that
    // reading it as text gives.
    if (bytes) raw = utf8Body(raw);
  }
  if (typeof raw === "object" && raw !== null && Array.isArray((raw as { responses?: unknown }).responses)) {
    const waitingNow = new Set(pending);
    const answered = new Set(plan.requests.filter((request) => !waitingNow.has(request)).map((request) => request.id));
    // The answer may hold the responses given before (a monitor's result is the whole batch's):
    // they are left out, and only the others count against the requests still to come.
    const answer = splitJsonValue(raw);
    const responses = answer.responses.filter((response) => !answered.has(response.id as string));
    return matchJson(pending, { ...answer, responses, count: answer.count - (answer.responses.length - responses.length) });
  }
  if (ownResult && pending.length === 1 && pending[0] !== undefined) {
    const message: HttpMessage =
      typeof raw === "string"
        ? { status: 200, statusText: "", headers: new Headers({ "content-type": textType ?? "text/plain" }), body: raw }
        : { status: raw === undefined ? 204 : 200, statusText: "", headers: new Headers({ "content-type": "application/json" }), body: raw === undefined ? "" : JSON.stringify(raw) };
    const answers: Answer[] = [];
    answers[pending[0].index] = { kind: "response", message };
    return { answers };
  }
  // An HTML page (an expired SAP session's logon page) is said to be one, as send() says it.
  if (typeof raw === "string" && isHtmlContentType(textType)) {
    throw new ODataClientError("BAD_BATCH_RESPONSE", `the answer is an HTML page (${clipText(textType ?? "", 100)}), not a batch response`);
  }
  // The poller keeps the Content-Type of a text answer only: one it parsed was JSON.
  const what = typeof raw === "string" ? `Content-Type ${JSON.stringify(textType ?? "(none)")}` : raw === undefined ? "an empty body" : "a JSON body without a \"responses\" array";
  if (!ownResult) throw badBatchResponse(`the answer is neither a multipart batch response nor a JSON batch response (${what})`);
  throw badBatchResponse("the batch's final result is neither a multipart batch response nor a JSON batch response");
}

/** How {@link resultsOf} reads an answer, beyond the answer itself. */
interface ReadingOf {
  /** The poller options of a continuation the answer names. */
  continuation?: AsyncPollerOptions | undefined;
  /** The answers read before (a continuation's), for the requests this answer leaves out. */
  earlier?: Answer[];
  /** The URL that answered, which a continuation's Location resolves against; the service root by default. */
  answeredAt?: URL | undefined;
  /**
   * The secrets the batch was sent with, its parts' own among them (`withPartSecrets`, by the
   * caller, once), for the failed parts to mask.
   */
  secrets: SecretSet | undefined;
  /** Continuations named before and not yet followed (a JSON batch's further 202s), their URLs absolute. */
  later?: Continuation[] | undefined;
  /** The next links followed so far for this batch, to stop one that leads round in a loop. */
  followed?: ReadonlySet<string> | undefined;
}

/** How many next links one batch's answer may take: a service whose partial results never end is stopped. */
const MAX_NEXT_LINKS = 1000;

/**
 * The results from matched answers, earlier answers kept; a continuation becomes a poller whose
 * result is the whole batch's results once the rest has come. They become the batch's latest. The
 * continuation's Location resolves against `answeredAt`, the URL that answered (the service root
 * for an answer read elsewhere, or one a monitor gave). Where there are several (a next link, and
 * JSON parts answered 202 each with a monitor of their own), the first is `results.continuation`,
 * and the results it gives carry the next one, so that every request pending has one to come from.
 */
function resultsOf(batch: PlannedBatch, matched: MatchedAnswers, read: ReadingOf): BatchResults {
  const { continuation: continuationOptions, earlier = [], answeredAt = batch.core.options.serviceUrl, later = [], followed = new Set<string>() } = read;
  // Those the batch went with (its parts' own among them), and those sent so far: a continuation
  // read after other requests (with other keys) still masks the keys this batch went with.
  const secrets = joinSecrets(read.secrets, batch.core.sentSecrets.current());
  const { plan } = batch;
  const answers = plan.requests.map((request) => matched.answers[request.index] ?? earlier[request.index]);
  // Where each continuation is, resolved now: a next link off the trusted origins, or one already
  // followed, fails its requests without anything being sent to it.
  const queue: Continuation[] = [];
  for (const named of [...(matched.continuations ?? []), ...later]) {
    let href: string;
    try {
      if (named.next) {
        // JSON Format §4.6: a relative next link resolves against the URL that answered (the
        // $batch request's, or a monitor's), not the service root; the trust check then applies.
        const absolute = resolveReference(answeredAt, named.location)?.href ?? named.location;
        const link = resolveNextLink(batch.core, absolute, "the service sent a JSON batch next link");
        // No request would send them, and the continuation that reads the link would keep them in
        // its statusUrl and token (asyncPoller refuses them so): its requests fail now.
        if (link.username || link.password) throw new ODataClientError("CREDENTIALS_IN_URL", "the service sent a JSON batch next link that carries a user name or password; it was not followed");
        href = link.href;
        if (followed.has(href) || followed.size >= MAX_NEXT_LINKS) {
          throw new ODataClientError("NEXT_LINK_LOOP", followed.has(href) ? "the service's next link leads back to a part of the answer already read" : `the service's answer went on for more than ${MAX_NEXT_LINKS} next links`);
        }
      } else {
        // The service wrote the Location (of the batch's 202, or of a part's): resolved as every
        // monitor's is (read as UTF-8 where its bytes are that, Microsoft Graph's path from the host
        // below its version root) against the URL that answered (a redirect's target), and one that
        // cannot be polled is a malformed answer (ASYNC_BAD_RESPONSE), as for createAsync.
        // A Location that is no URL is quoted with the secrets sent masked.
        href = resolveLocation(named.location, { url: answeredAt, status: 202, method: "POST", secrets }).href;
      }
    } catch (error) {
      // A next link, or the monitor of some requests (a part answered 202), that cannot be
      // followed fails those requests alone; the answers given beside it stand. Only the whole
      // batch's monitor rejects the send.
      if ((!named.next && named.requests === undefined) || !(error instanceof ODataClientError)) throw error;
      for (const request of named.requests ?? []) answers[request.index] = { kind: "unfollowed", error };
      continue;
    }
    queue.push({ ...named, location: href });
  }
  logBatchParts(batch.core.options.wireLog, plan.requests, matched.answers, secrets);
  const list = plan.requests.map((request) => resultOf(request, answers[request.index], secrets));
  let continuation: AsyncPoller<BatchResults> | undefined;
  const [first, ...rest] = queue;
  if (first !== undefined) {
    // A multipart answer's 202 is its last part: everything from `from` on is still to come. A
    // JSON batch's may come before answers given at once, which stand.
    const waiting = first.requests ?? (plan.format === "json" ? plan.requests.filter((request) => answers[request.index]?.kind === "pending") : undefined);
    // A set, not a search per request: a batch answered in many pieces reads each in a time that
    // grows with the batch, not with the batch times the requests still to come.
    const waitingIndexes = waiting === undefined ? undefined : new Set(waiting.map((request) => request.index));
    const isWaiting = (request: PlannedRequest) => (waitingIndexes === undefined ? answers[request.index]?.kind === "pending" : waitingIndexes.has(request.index));
    const from = Math.max(
      0,
      plan.items.findIndex((item) => (item.kind === "request" ? [item.request] : item.requests).some(isWaiting)),
    );
    const monitor = new URL(first.location);
    // A next link's poll that read an answer says so through onProgress (the caller's still called):
    // send() tells from it a link that went asynchronous from one that got no answer.
    const link: NextLinkReading | undefined = first.next ? { requests: waiting ?? [], answered: false } : undefined;
    const { onProgress } = resolvePollerOptions(continuationOptions, CONTINUATION);
    const options: AsyncPollerOptions | undefined = link
      ? {
          ...continuationOptions,
          onProgress: (status, percent) => {
            link.answered = true;
            onProgress?.(status, percent);
          },
        }
      : continuationOptions;
    const inner = pollerFor<unknown>(batch.core, monitor.href, options);
    // The requests this continuation answers have none before it; those of the ones after it stay pending.
    const known: Answer[] = answers.map((answer, index) => (answer?.kind === "pending" && (waitingIndexes === undefined || waitingIndexes.has(index)) ? { kind: "missing" } : answer)) as Answer[];
    const seen = first.next ? new Set([...followed, first.location]) : followed;
    continuation = mapPoller(
      inner,
      (raw) =>
        resultsOf(batch, masking(secrets, () => matchRaw(plan, raw, { from, textType: succeededPhaseOf(inner)?.resultType, binary: heldAsBytes(inner), waiting, ownResult: first.next !== true })), {
          continuation: continuationOptions,
          secrets,
          earlier: known,
          answeredAt: answeredBy(inner),
          later: rest,
          followed: seen,
        }),
      // The token says all that reading needs: a resumed continuation gives the same results.
      { ...shapeOf(plan, from, waiting), ...chainOf(plan, rest, known, first.next, seen) },
    );
    // A failed continuation leaves the handles on these results: they are this send's, the parts
    // answered at once keep their answers and the rest stay BATCH_PENDING.
    continuation = following(continuation, first.next === true);
    if (link) NEXT_LINK_READINGS.set(continuation, link);
  }
  return keep(batch, makeResults(list, continuation, plan.requests));
}
