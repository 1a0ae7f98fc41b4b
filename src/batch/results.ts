/**
 * The results of a `$batch`: their public types, and turning the responses read from the wire into
 * one result per request (changeset failures spread to every member, requests the service never
 * answered marked as such). Pure functions.
 */
import { ODataClientError, type ODataErrorCode, type ODataHttpError } from "../errors.js";
import { httpErrorFromParts, parseODataError } from "../payload/error-body.js";
import type { SecretSet } from "../util/redact.js";
import { maskSecretValues } from "../util/secret-values.js";
import { clipText, redactHeaders, redactText } from "../util/redact.js";
import type { HttpMessage } from "../payload/http-envelope.js";
import type { AsyncPoller } from "../lro/poller.js";
import type { BatchWireAnswer, BatchWireResponse } from "../payload/multipart.js";
import type { JsonBatchResponse } from "../payload/json-batch.js";
import { surplusResponses, type JsonAnswer } from "./json-answer.js";
import { badBatchResponse } from "../payload/bad-payload.js";
import { explainPrecondition, type BatchPartKind } from "../write/requests.js";

/** A request of the batch that the service answered with success (2xx). */
export interface BatchSuccess<T> {
  readonly ok: true;
  readonly status: number;
  readonly headers: Headers;
  /** The answer's body, read as the request's kind says (an entity, a page, a count, ...). */
  readonly value: T;
  /**
   * Where the rest of an operation's collection result is, when the service paged it
   * (`@odata.nextLink`, v2 `__next`), made absolute as a page's `nextLink` is; absent otherwise.
   * The value is that one answer, its first page: `pages({ from: result.nextLink })` of the
   * function reads the rest. (A `page()` part's next link is in its value, the page.)
   */
  readonly nextLink?: string;
}

/**
 * A request that failed: the service answered it (or the changeset it belongs to) with an error
 * status. `error` carries the status and the parsed OData error.
 */
export interface BatchFailure {
  readonly ok: false;
  readonly status: number;
  readonly headers: Headers;
  readonly error: ODataHttpError;
}

/**
 * A request the service did not answer: it stopped processing before it (code
 * `"BATCH_NOT_EXECUTED"`: a service stops at the first failure unless asked to continue on
 * error), its answer is still to come from `results.continuation` (code `"BATCH_PENDING"`: the
 * service runs it still, or the GET of a JSON batch's next link that was to give it got no
 * answer or failed, which the message says and the continuation tries again), or
 * it was answered before a continuation was saved and then resumed with `batch.resumeAsync()`
 * (code `"BATCH_ANSWERED_EARLIER"`: its result is in the results of the original send), or what
 * the service sent in its place cannot be matched to it (code `"BAD_BATCH_RESPONSE"`: a changeset
 * answered with another number of responses, a response naming another request, a part in its
 * place that cannot be read; whether it ran is not known), or its answer was to come from a JSON
 * batch's next link that was not followed (code `"UNTRUSTED_NEXT_LINK"` or `"NEXT_LINK_LOOP"`).
 */
export interface BatchUnanswered {
  readonly ok: false;
  readonly status: undefined;
  readonly error: ODataClientError;
}

/**
 * A request the service answered with a success status and a body that cannot be read as its
 * request's kind says (not JSON, an HTML page, a count that is no number, a link that is no URL):
 * `error` has the code the same request sent alone rejects with (`"BAD_PAYLOAD"`) and names the
 * part. The service ran the request; the other requests' results stand.
 */
export interface BatchUnreadable {
  readonly ok: false;
  readonly status: number;
  readonly headers: Headers;
  readonly error: ODataClientError;
}

/** The result of one request of a batch. */
export type BatchResult<T> = BatchSuccess<T> | BatchFailure | BatchUnreadable | BatchUnanswered;

/** Something that names one request of a batch (a handle). */
export interface BatchRequestRef<T> {
  /** The request's position in the batch (0-based, request order). */
  readonly index: number;
  /**
   * The type of the result's value, for the compiler only (never set): `results.of(handle)` takes
   * its result type from here.
   */
  readonly __value?: T;
}

/**
 * The results of a sent batch, one per request in request order (an array), with typed access
 * through the handles.
 */
export interface BatchResults extends ReadonlyArray<BatchResult<unknown>> {
  /** The result of the request `handle` names, typed. */
  of<T>(handle: BatchRequestRef<T>): BatchResult<T>;
  /** Whether every request succeeded. */
  readonly ok: boolean;
  /**
   * Present when the service answered only part of the batch and named a status monitor for the
   * rest (a last response `202 Accepted` with `Location`): its result is the whole batch's results,
   * those already given and the rest. The requests still to come read `BATCH_PENDING` here.
   */
  readonly continuation: AsyncPoller<BatchResults> | undefined;
}

/** What a decoder reads from a successful answer: the request's value, and an operation's next link. */
export interface Decoded {
  value: unknown;
  nextLink?: string;
}

/** What reading a request's successful answer needs: the answer, parsed into the request's value. */
export type BatchDecoder = (message: HttpMessage) => Decoded;

/** One request of a batch as planned: what goes on the wire and how its answer is read. */
export interface PlannedRequest {
  index: number;
  /** Content-ID (multipart) and id (JSON). */
  id: string;
  method: string;
  /** Relative to the service root, or starting with a `$<Content-ID>` reference. */
  path: string;
  /** The absolute URL, for error messages. */
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  /** The changeset (atomicity group) the request belongs to, if any. */
  changeset: number | undefined;
  /** Ids of earlier requests this one references. */
  dependsOn: string[];
  decode: BatchDecoder;
  /**
   * The builder's method that added it, where that method has no `etag` and `ifMatch` options,
   * named as the batch's errors name it (`"create(entity)"`, `"action(\"Shelve\")"`): a 428's
   * explanation advises what it can do instead, as for a write sent alone (write/requests.ts
   * `WriteRequest.withoutIfMatch`), a function's and a raw GET's too, and their 412 is explained.
   */
  withoutIfMatch?: string;
  /**
   * Of an action's, a function's and a raw request's part, the builder's method that added it
   * (its call's `method`), by which its 412 and 428 are explained (write/requests.ts
   * `BatchPartKind`).
   */
  partKind?: BatchPartKind;
  /** Of an action's part, whether it is bound to a collection, which a 428 advises `If-Match: *` (write/requests.ts `ifMatchAdvice`). */
  collectionBound?: true;
}

/**
 * How messages name a request of the batch (`request 2 (POST Authors?api_key=***)`): its path's
 * credential query values masked, as every URL in a message is. Masked here too, since a TypeError
 * gets no masking of its own, and the masking of an `ODataClientError`'s message would take the
 * `)` after a masked value along with it.
 */
export function requestName(request: Pick<PlannedRequest, "index" | "method" | "path">): string {
  return `request ${request.index + 1} (${request.method} ${redactText(request.path)})`;
}

/** A top-level item of the plan: one request, or the requests of one changeset. */
export type PlannedItem = { kind: "request"; request: PlannedRequest } | { kind: "changeset"; changeset: number; requests: PlannedRequest[] };

/** What the service said about one request. */
export type Answer =
  | { kind: "response"; message: HttpMessage }
  /**
   * Its changeset failed with `message`: `members` are the changeset's requests, `failed` the one
   * that failed, where the service said which (see {@link changesetFailed}). Its result's error and
   * its wire log line both go by `failed`, so that they name the same request. `dependent` is its
   * own answer where the service answered it `424 Failed Dependency` because of `failed` (SAP CAP
   * in a JSON batch): its result's status, headers and error's body are that answer's.
   */
  | { kind: "changeset-failed"; message: HttpMessage; members: readonly PlannedRequest[]; failed?: PlannedRequest | undefined; dependent?: HttpMessage }
  | { kind: "missing" }
  | { kind: "pending" }
  /** Answered before a continuation was saved and resumed elsewhere: the answer is not here. */
  | { kind: "earlier" }
  /** The service answered in this request's place with what cannot be matched to it (`why`). */
  | { kind: "unmatched"; why: string }
  /** The part in this request's place cannot be read (`why`): its status is not known. */
  | { kind: "unreadable"; why: string }
  /** The rest of the answers was to come from a link not followed (off the trusted origins, or round in a loop). */
  | { kind: "unfollowed"; error: ODataClientError };

/**
 * Where answers still to come are read: the `Location` of a 202 (a status monitor), or a JSON
 * batch's next link (`next`: a partial result, §19.4, whose rest a `GET` of it gives), for the
 * requests it names (every request from the first one pending on, where not named).
 */
export interface Continuation {
  location: string;
  requests?: PlannedRequest[] | undefined;
  next?: boolean;
}

/** Answers per request index, and where the rest continues, if the service said so. */
export interface MatchedAnswers {
  answers: Answer[];
  /** Where the requests not yet answered are answered, in the order they are followed. */
  continuations?: Continuation[];
}

/**
 * Matches the items of a multipart answer to the plan's items from `from` on, in order: a single
 * response for a changeset is that changeset's failure; fewer items than requests means the
 * service stopped, and more is refused (`wire` need hold no more than one beyond them); a last `202` with `Location` stands for everything from there on, and one before
 * it for its own request alone.
 */
export function matchMultipart(plan: readonly PlannedItem[], wire: readonly BatchWireAnswer[], from = 0): MatchedAnswers {
  const answers: Answer[] = [];
  let continuation: string | undefined;
  // A request of its own answered 202 with a monitor before the last part (it asked for
  // respond-async): its answer comes from that monitor, as a JSON batch part's does.
  const monitors: Continuation[] = [];
  const pending = plan.slice(from);
  // The reader stops at the first response beyond them (send.ts), so how many more is not known.
  if (wire.length > pending.length) {
    throw badBatchResponse(`the service sent more than ${pending.length} responses for ${pending.length} requests or changesets`);
  }
  pending.forEach((item, n) => {
    const members = item.kind === "request" ? [item.request] : item.requests;
    const got = wire[n];
    if (continuation !== undefined) {
      for (const member of members) answers[member.index] = { kind: "pending" };
      return;
    }
    if (got === undefined) {
      for (const member of members) answers[member.index] = { kind: "missing" };
      return;
    }
    if (got.kind === "response" && n === wire.length - 1 && isContinuation(got.message)) {
      continuation = locationOf(got.message);
      for (const member of members) answers[member.index] = { kind: "pending" };
      return;
    }
    if (got.kind === "response" && item.kind === "request" && isContinuation(got.message)) {
      answers[item.request.index] = { kind: "pending" };
      monitors.push({ location: locationOf(got.message) as string, requests: [item.request] });
      return;
    }
    if (got.kind === "unreadable") {
      for (const member of members) answers[member.index] = { kind: "unreadable", why: got.why };
      return;
    }
    if (item.kind === "request") {
      if (got.kind === "changeset") {
        answers[item.request.index] = { kind: "unmatched", why: `response ${n + 1}, in its place, is a changeset` };
        return;
      }
      // Top-level responses come in the requests' order; one that names another top-level request
      // by its Content-ID contradicts that, and which request it answers is then not known. (A
      // service that numbers its responses itself may give a changeset member's number: position.)
      const named = got.contentId === undefined || got.contentId === item.request.id ? undefined : plan.find((other): other is PlannedItem & { kind: "request" } => other.kind === "request" && other.request.id === got.contentId)?.request;
      answers[item.request.index] =
        named === undefined
          ? { kind: "response", message: got.message }
          : { kind: "unmatched", why: `response ${n + 1}, in its place, carries the Content-ID ${JSON.stringify(got.contentId)} of request ${named.index + 1}` };
      return;
    }
    if (got.kind === "response") {
      // A changeset that failed comes back as one response in its place (OData 4.01 §11.7.4).
      if (got.message.status >= 400) {
        const failed = changesetFailed(got.message, members, got.contentId === undefined ? undefined : members.find((member) => member.id === got.contentId));
        for (const member of members) answers[member.index] = failed;
      } else if (members.length === 1) {
        answers[members[0]!.index] = { kind: "response", message: got.message };
      } else {
        const why = `response ${n + 1} is a single ${got.message.status} in the place of its changeset of ${members.length} requests`;
        for (const member of members) answers[member.index] = { kind: "unmatched", why };
      }
      return;
    }
    matchChangeset(members, got.responses, answers, monitors);
  });
  const continuations = continuation === undefined ? monitors : [...monitors, { location: continuation }];
  return continuations.length === 0 ? { answers } : { answers, continuations };
}

/**
 * The responses of a changeset. A failure among them fails every member (one answered 424 Failed
 * Dependency because of it keeping its own answer), naming the member it answers where the
 * responses can be paired with the members. Otherwise there is one response per member, paired as
 * {@link pairChangeset} says.
 */
function matchChangeset(members: readonly PlannedRequest[], responses: readonly BatchWireResponse[], answers: Answer[], monitors: Continuation[]): void {
  const { own, why } = pairChangeset(members, responses);
  const failure = changesetFailure(responses.filter((response): response is BatchWireResponse & { kind: "response" } => response.kind === "response" && response.message.status >= 400));
  if (failure !== undefined) {
    // Where the responses cannot be paired, the failure's own Content-ID is all that names its member.
    const answered = own.length === 0 ? members.find((member) => member.id === failure.contentId) : members.find((_, position) => own[position] === failure);
    const failed = changesetFailed(failure.message, members, answered);
    for (const [position, member] of members.entries()) {
      const response = own[position];
      const message = response?.kind === "response" ? response.message : undefined;
      answers[member.index] = message !== undefined && failedForAnother(member, message, failure.message, failed.failed) ? { ...failed, dependent: message } : failed;
    }
    return;
  }
  if (why !== undefined) {
    for (const member of members) answers[member.index] = { kind: "unmatched", why };
    return;
  }
  for (const [position, member] of members.entries()) {
    const response = own[position]!;
    // A member answered 202 with a monitor runs on at the service, as a JSON batch's does: its
    // answer comes from that monitor, not read as a success now.
    if (response.kind === "response" && isContinuation(response.message)) {
      answers[member.index] = { kind: "pending" };
      monitors.push({ location: locationOf(response.message) as string, requests: [member] });
    } else answers[member.index] = response.kind === "response" ? { kind: "response", message: response.message } : { kind: "unreadable", why: response.why };
  }
}

/**
 * Which of a changeset's responses answers each member (`own`, in the members' order): by
 * Content-ID where every response names a member of its own (a service may reorder them), else by
 * position where there is one response per member; never some one way and some the other, which
 * would hand a member another's answer. `why` says what leaves a member without a response (a
 * failed changeset's members are paired as far as this goes; a successful one is refused).
 */
function pairChangeset(members: readonly PlannedRequest[], responses: readonly BatchWireResponse[]): { own: (BatchWireResponse | undefined)[]; why?: string } {
  const named = new Set(responses.map((response) => response.contentId));
  if (named.size === responses.length && responses.every((response) => members.some((member) => member.id === response.contentId))) {
    const own = members.map((member) => responses.find((response) => response.contentId === member.id));
    return responses.length === members.length ? { own } : { own, why: answeredWith(members, responses) };
  }
  if (responses.length !== members.length) return { own: [], why: answeredWith(members, responses) };
  // By position, a response that names another member than the one in its place, beside a part
  // without a Content-ID (one that cannot be read), would hand that member's answer to its
  // neighbour. (Where every response has one, some naming no member, the service numbered them
  // itself, in order.) A number that is both its place, 1 for the first, and another member's id
  // tells neither: a request before the changeset shifts the members' ids past their places.
  const numbered = responses.every((response) => response.contentId !== undefined);
  const misplaced = numbered ? -1 : responses.findIndex(({ contentId }, position) => contentId !== undefined && contentId !== members[position]?.id && members.some((member) => member.id === contentId));
  if (misplaced !== -1) {
    return { own: [], why: `response ${misplaced + 1} of its changeset carries the Content-ID ${JSON.stringify(responses[misplaced]!.contentId)} of another of its requests, and not every response names one` };
  }
  return { own: [...responses] };
}

function answeredWith(members: readonly PlannedRequest[], responses: readonly BatchWireResponse[]): string {
  return `its changeset of ${members.length} requests was answered with ${responses.length} ${responses.length === 1 ? "response" : "responses"}`;
}

/**
 * Matches the responses of a JSON batch to the planned requests by id. A failure in an atomicity
 * group fails every member. Each response with 202 and `Location` is its own request's monitor; the
 * requests without a response come from the next link of a partial result (`nextLink`, §19.4), or
 * else from the first such monitor (as a multipart answer's last 202 stands for the rest). A
 * response that names no request (`strays`, no id or one no request has) or names one twice
 * cannot be given to anyone: only the requests it may have been meant for, those left without a
 * response, fail (`BAD_BATCH_RESPONSE` naming it); the responses matched stand. More responses
 * than requests (`count`, strays among them) are refused whole, as a multipart answer's surplus is.
 */
export function matchJson(requests: readonly PlannedRequest[], { responses, nextLink, strays, count }: JsonAnswer): MatchedAnswers {
  // One response per request: a surplus answers none, and leaves in doubt which request each of
  // the others answers (a multipart answer of surplus parts is refused alike, matchMultipart).
  if (count > requests.length) throw surplusResponses(count, requests.length);
  const byId = new Map<string, JsonBatchResponse>();
  const twice = new Set<string>();
  const stray = [...strays];
  // Sets and maps, not a search of the requests per response: an answer of thousands of parts
  // is read in a time that grows with its size, not with its square.
  const ids = new Set(requests.map((request) => request.id));
  for (const response of responses) {
    const id = response.id as string;
    if (!ids.has(id)) stray.push(`a response has the id ${JSON.stringify(clipText(id, 100))}, which no request has`);
    else if (byId.has(id)) twice.add(id);
    else byId.set(id, response);
  }
  // The failed members of each group, in request order, and so the group's failure.
  const failuresByGroup = new Map<number, { message: HttpMessage; failed: PlannedRequest }[]>();
  for (const request of requests) {
    const message = byId.get(request.id)?.message;
    if (request.changeset === undefined || message === undefined || message.status < 400) continue;
    const known = failuresByGroup.get(request.changeset);
    if (known === undefined) failuresByGroup.set(request.changeset, [{ message, failed: request }]);
    else known.push({ message, failed: request });
  }
  const groupFailures = new Map<number, { message: HttpMessage; failed: PlannedRequest }>();
  for (const [changeset, failures] of failuresByGroup) groupFailures.set(changeset, changesetFailure(failures)!);
  // The members of each failed group, in request order.
  const failedMembers = new Map<number, PlannedRequest[]>();
  if (groupFailures.size > 0) {
    for (const request of requests) {
      if (request.changeset === undefined || !groupFailures.has(request.changeset)) continue;
      const members = failedMembers.get(request.changeset);
      if (members === undefined) failedMembers.set(request.changeset, [request]);
      else members.push(request);
    }
  }
  const answers: Answer[] = [];
  const monitors: Continuation[] = [];
  const unanswered: PlannedRequest[] = [];
  for (const request of requests) {
    const response = byId.get(request.id);
    const message = response?.message;
    const groupFailure = request.changeset === undefined ? undefined : groupFailures.get(request.changeset);
    // SAP CAP answers the members after a failure in a JSON batch's group 424: such a member says
    // so, as its neighbours answered with no error status do, and keeps its own answer.
    const dependent = groupFailure !== undefined && message !== undefined && failedForAnother(request, message, groupFailure.message, groupFailure.failed);
    if (twice.has(request.id)) answers[request.index] = { kind: "unmatched", why: `two responses have its id ${JSON.stringify(request.id)}` };
    else if (groupFailure !== undefined && (dependent || message === undefined || message.status < 400)) {
      const members = failedMembers.get(request.changeset as number) as PlannedRequest[];
      answers[request.index] = { kind: "changeset-failed", ...groupFailure, members, ...(dependent ? { dependent: message as HttpMessage } : {}) };
    } else if (response === undefined) unanswered.push(request);
    else if (message === undefined) answers[request.index] = { kind: "unreadable", why: response.why as string };
    else if (isContinuation(message)) {
      answers[request.index] = { kind: "pending" };
      monitors.push({ location: locationOf(message) as string, requests: [request] });
    } else answers[request.index] = { kind: "response", message };
  }
  const continuations = nextLink === undefined ? monitors : [{ location: nextLink, requests: unanswered, next: true }, ...monitors];
  for (const request of unanswered) {
    if (stray.length > 0) answers[request.index] = { kind: "unmatched", why: `${stray.join("; ")}, and it got no response of its own` };
    else if (continuations.length > 0) {
      answers[request.index] = { kind: "pending" };
      if (nextLink === undefined) monitors[0]?.requests?.push(request);
    } else answers[request.index] = { kind: "missing" };
  }
  if (stray.length > 0 && nextLink !== undefined) continuations.shift();
  return continuations.length === 0 ? { answers } : { answers, continuations };
}

/** HTTP 424 Failed Dependency (RFC 4918 §11.4): a request not performed because another failed. */
const FAILED_DEPENDENCY = 424;

/**
 * The failure of a changeset (a multipart one's, a JSON batch's atomicity group's), of the answers
 * of its members with an error status, in order: the first with a status other than 424 Failed
 * Dependency, which says only that its request failed because another did, or else the first.
 */
function changesetFailure<F extends { message: HttpMessage }>(failures: readonly F[]): F | undefined {
  return failures.find((failure) => failure.message.status !== FAILED_DEPENDENCY) ?? failures[0];
}

/**
 * Whether `member` of a failed changeset, answered `own`, was not applied because of the member
 * that failed (`failed`, where the service says which; its answer `failure`): it was answered 424
 * Failed Dependency, and `failed` is another member, which failed otherwise. Such a member keeps
 * its own answer and says it failed because of that one (see {@link Answer}).
 */
function failedForAnother(member: PlannedRequest, own: HttpMessage, failure: HttpMessage, failed: PlannedRequest | undefined): boolean {
  return own.status === FAILED_DEPENDENCY && failed !== undefined && failed !== member && failure.status !== FAILED_DEPENDENCY;
}

/**
 * The answer of every member of a changeset that failed with `message`, naming the member that
 * failed where the service says which: the one `message` answers (`answered`: paired with it by
 * {@link pairChangeset}, or named by the Content-ID of the answer in the changeset's place), or
 * else the one its error names (`@Core.ContentID`, as SAP CAP's does). An id that names no member
 * names none.
 */
function changesetFailed(message: HttpMessage, members: readonly PlannedRequest[], answered: PlannedRequest | undefined): Extract<Answer, { kind: "changeset-failed" }> {
  const named = answered === undefined ? parseODataError(message.body, message.headers.get("content-type"))?.annotations?.["@Core.ContentID"] : undefined;
  const failed = answered ?? (named === undefined ? undefined : members.find((member) => member.id === String(named)));
  return { kind: "changeset-failed", message, members, failed };
}

function isContinuation(message: HttpMessage): boolean {
  return message.status === 202 && message.headers.has("location");
}

/** A part's `Location` as it came: where it is followed, `resolveLocation` reads it as UTF-8 (once). */
function locationOf(message: HttpMessage): string | undefined {
  return message.headers.get("location") ?? undefined;
}

/**
 * The result of one request from what the service said about it. A failure's body is read with the
 * `secrets` the client sent masked, as any error body is (payload/error-body.ts).
 */
export function resultOf(request: PlannedRequest, answer: Answer | undefined, secrets?: SecretSet): BatchResult<unknown> {
  if (answer === undefined || answer.kind === "missing") {
    return unanswered(
      "BATCH_NOT_EXECUTED",
      () => `${requestName(request)} got no response: the service stopped processing the batch before it (send with { continueOnError: true } to ask it to go on after a failure)`,
    );
  }
  if (answer.kind === "pending") {
    return unanswered("BATCH_PENDING", () => `${requestName(request)} is still running at the service; its result comes from results.continuation`);
  }
  // Why a request has no answer quotes the answer (an id no request has, a next link that is no
  // URL), where a service may echo a secret it was sent.
  if (answer.kind === "unmatched") {
    return unanswered("BAD_BATCH_RESPONSE", () => maskSecretValues(`${requestName(request)} cannot be matched to the answer: ${answer.why}; whether it ran is not known`, secrets));
  }
  if (answer.kind === "unreadable") {
    return unanswered("BAD_BATCH_RESPONSE", () => maskSecretValues(`${requestName(request)} has an answer that cannot be read: ${answer.why}; whether it ran is not known`, secrets));
  }
  if (answer.kind === "unfollowed") {
    return unanswered(answer.error.code as ODataErrorCode, () => maskSecretValues(`${requestName(request)} got no response: ${answer.error.message}; whether it ran is not known`, secrets));
  }
  if (answer.kind === "earlier") {
    return unanswered(
      "BATCH_ANSWERED_EARLIER",
      () => `${requestName(request)} was answered before the continuation was saved; its result is in the results of the send that gave results.continuation`,
    );
  }
  const { message } = answer;
  // A member answered 424 Failed Dependency for another's failure keeps its own answer (see Answer).
  const own = (answer.kind === "changeset-failed" ? answer.dependent : undefined) ?? message;
  if (answer.kind === "response" && message.status >= 200 && message.status < 300) {
    let decoded: Decoded;
    try {
      decoded = decodedOnce(request, message);
    } catch (error) {
      if (!(error instanceof ODataClientError)) throw error;
      // This request's answer alone is unreadable, as it would be sent alone; the others stand. The
      // reader's message may quote the body's start, so the secrets sent are masked in it (and the
      // reader's error, which quotes it as well, is not kept as the cause). A write's or an
      // action's success status says the service applied it, as the same call alone says
      // (write/send.ts): sent again, a create would be applied twice.
      // A 202 naming its monitor is no answer that failed to be read: the operation runs on.
      const applied = error.code === "ASYNC_OPERATION_PENDING" ? undefined : request.partKind === "action" ? "ran the action" : request.partKind === undefined && request.method !== "GET" ? "applied the write" : undefined;
      const text = `response to ${requestName(request)}: ${applied ? `answered ${message.status}, so the service ${applied}, but its answer could not be read: ` : ""}${error.message}`;
      const unreadable = new ODataClientError(error.code, maskSecretValues(text, secrets));
      return { ok: false, status: message.status, headers: failureHeaders(message.headers, secrets), error: unreadable };
    }
    const { value, nextLink } = decoded;
    const success = { ok: true as const, status: message.status, headers: successHeaders(message.headers, secrets), value };
    return nextLink === undefined ? success : { ...success, nextLink };
  }
  const failureOf = (of: PlannedRequest, answered = message) =>
    httpErrorFromParts({
      status: answered.status,
      statusText: maskSecretValues(answered.statusText, secrets),
      method: of.method,
      url: of.url,
      headers: answered.headers,
      body: maskSecretValues(answered.body, secrets),
      secrets,
    });
  const error = failureOf(request, own);
  // The CSRF token went with the $batch request, so a part says nothing of it. A changeset's
  // failure may be another member's, whose preconditions are not this one's; but the one answer of
  // a changeset of one request (an OData v2 write, which the client sends in one of its own) is
  // that request's own, as a top-level request's is. So is the answer of the member the service
  // names as the one that failed (see changesetFailed).
  if (answer.kind === "response" || answer.members.length === 1 || answer.failed === request) {
    explainPrecondition(error, request, "batch-part");
  } else {
    // The service may tell which member failed (see changesetFailed).
    const { failed } = answer;
    if (failed !== request) notApplied(error, failed === undefined ? undefined : { index: failed.index, error: failureOf(failed) }, own !== message);
  }
  return { ok: false, status: own.status, headers: failureHeaders(own.headers, secrets), error };
}

/**
 * What each successful answer decoded to (its value and next link), or the error its decoder threw,
 * by the answer, with the request it was decoded for: a batch answered in pieces (a JSON batch's
 * next links, its parts' monitors) makes results after every piece, and those of the answers given
 * before are made again from the same answers. Decoded once, a batch of n parts in k pieces is read
 * in a time that grows with n, not with n times k.
 */
const DECODED = new WeakMap<HttpMessage, { request: PlannedRequest; decoded: Decoded } | { request: PlannedRequest; error: ODataClientError }>();

/** `request.decode(message)`, once for each answer (see {@link DECODED}); throws again what it threw. */
function decodedOnce(request: PlannedRequest, message: HttpMessage): Decoded {
  const known = DECODED.get(message);
  if (known?.request === request) {
    if ("error" in known) throw known.error;
    return known.decoded;
  }
  try {
    const decoded = request.decode(message);
    DECODED.set(message, { request, decoded });
    return decoded;
  } catch (error) {
    if (error instanceof ODataClientError) DECODED.set(message, { request, error });
    throw error;
  }
}

/**
 * Words a changeset's failure for a member that is not the one that failed: the service applied
 * none of the changeset, so this request was not applied, for the reason `failed` (the member that
 * failed, its request number and its own error, which becomes the cause) gave, where the service
 * named it. Status, code and parsed error stay the changeset's failure; for a member the service
 * answered 424 Failed Dependency (`dependent`), they are that answer's, which the message adds.
 */
function notApplied(error: ODataHttpError, failed: { index: number; error: ODataHttpError } | undefined, dependent = false): void {
  const head = `${error.method} ${error.url} failed with `;
  if (!error.message.startsWith(head)) return;
  const at = failed === undefined ? "" : ` at request ${failed.index + 1} (${failed.error.method} ${failed.error.url})`;
  const own = error.message.slice(head.length);
  if (dependent && failed !== undefined) {
    const said = failed.error.message;
    const failedHead = `${failed.error.method} ${failed.error.url} failed with `;
    const reason = said.startsWith(failedHead) ? said.slice(failedHead.length) : said;
    error.message = `${error.method} ${error.url} was not applied: its changeset failed${at} with ${reason}; the service answered it with ${own}`;
  } else error.message = `${error.method} ${error.url} was not applied: its changeset failed${at} with ${own}`;
  if (failed !== undefined) Object.defineProperty(error, "cause", { value: failed.error, writable: true, configurable: true });
}

/**
 * A failed part's headers as its result shows them: as its error's `headers` are (credential
 * headers left out, the secrets the client sent masked where a service echoes them bare, see
 * payload/error-body.ts), so that the result beside the error gives away nothing the error hides.
 */
function failureHeaders(headers: Headers, secrets: SecretSet | undefined): Headers {
  const shown: Record<string, string> = {};
  headers.forEach((value, name) => {
    shown[name] = maskSecretValues(value, secrets);
  });
  return new Headers(redactHeaders(shown));
}

/**
 * A successful part's headers as its result shows them: the data asked for, so every header stays
 * as the service sent it (a `Location` with a signed URL, a token the service hands out), but for
 * the secrets the client itself sent (its `Authorization`, CSRF token, cookie), which a service may
 * echo and which are never data: they read `***`.
 */
function successHeaders(headers: Headers, secrets: SecretSet | undefined): Headers {
  const shown = new Headers();
  let masked = false;
  headers.forEach((value, name) => {
    const text = maskSecretValues(value, secrets);
    masked ||= text !== value;
    shown.append(name, text);
  });
  return masked ? shown : headers;
}

/**
 * The result of a request without an answer, its error built when `error` is first read: a batch
 * answered in many pieces (a JSON batch's next links) has results made after every piece, most of
 * whose errors (`BATCH_PENDING`) are never read. It reads as any result with an `error` property.
 */
function unanswered(code: ODataErrorCode, message: () => string): BatchUnanswered {
  return withLazyError({ ok: false, status: undefined }, () => new ODataClientError(code, message()));
}

/**
 * `result` with an own enumerable property `error` that `build` gives when first read, and is then
 * a plain value, as when it is assigned (on a result frozen before, the one built stays its value).
 */
export function withLazyError<R extends object, E>(result: R, build: () => E): R & { error: E } {
  let built: { error: E } | undefined;
  const settle = (error: E): boolean => Reflect.defineProperty(result, "error", { value: error, writable: true, enumerable: true, configurable: true });
  return Object.defineProperty(result, "error", {
    get(): E {
      built ??= { error: build() };
      settle(built.error);
      return built.error;
    },
    set: settle,
    enumerable: true,
    configurable: true,
  }) as R & { error: E };
}

/**
 * The results array with `of`, `ok` and `continuation`; frozen. `requests` are the plan's, in
 * order: `of` gives a handle the result in its place only if the request there has its Content-ID.
 */
export function makeResults(list: BatchResult<unknown>[], continuation: AsyncPoller<BatchResults> | undefined, requests: readonly { id: string }[]): BatchResults {
  const results = [...list] as BatchResult<unknown>[] & { of?: unknown; ok?: boolean; continuation?: unknown };
  Object.defineProperties(results, {
    of: {
      value<T>(handle: BatchRequestRef<T> & { contentId?: string }): BatchResult<T> {
        const { index, contentId } = handle;
        // A batch gives no Content-ID twice: a handle whose id is not the one in its place is of a
        // request taken out with its changeset (a later request may have its place), not sent.
        if (contentId !== undefined && requests[index]?.id !== contentId) {
          throw new TypeError(`results.of(handle): request ${index + 1} (Content-ID ${contentId}) is not in this batch: its changeset's build threw, which left it out`);
        }
        const result = list[index];
        if (result === undefined) throw new RangeError(`results.of(handle): this batch has no request ${index + 1}`);
        return result as BatchResult<T>;
      },
    },
    ok: { value: list.every((result) => result.ok), enumerable: false },
    continuation: { value: continuation, enumerable: false },
  });
  return Object.freeze(results) as unknown as BatchResults;
}

