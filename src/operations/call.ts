/**
 * Sending operation calls and reading their answers: `invoke()` and `get()`, and their `...Async`
 * twins, which start a long-running operation. Loaded by the first call (operation.ts), so that a
 * program that only builds queries or reads collections never loads it.
 */
import { readBodyText, readMasked, discard, maskSentSecrets } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { httpErrorOf } from "../payload/failed-answer.js";
import type { AsyncPollerOptions } from "../lro/poller.js";
import { readHeaders, resolveNextLink, SINGLE_READ_OPTIONS, walkPages } from "../read/traversal.js";
import { markReturnedEntities } from "../payload/expanded.js";
import { keepEtagHeader } from "../payload/entity-answer.js";
import { isV2 } from "../query/literal-format.js";
import { callTimeout } from "../util/timers.js";
import type { RequestOptions } from "../options.js";
import { optionalFunction, refuseUnknownOptions, type OptionNames } from "../util/values.js";
import { buildOperationRequest, type OperationCall, type OperationParameters, type OperationRequest } from "./requests.js";
import { operationPoller, readOperationResult, type OperationPoller } from "./results.js";
import { explainFailedWrite, ifMatchFor, refuseOtherIfMatch } from "../write/requests.js";
import type { ConditionalOptions } from "../write/options.js";
import { appliedAnswerFailure, unansweredFailure, unreadableAnswer } from "../write/send.js";
import { toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import { redactUrl, SENT_SECRETS } from "../util/redact.js";
import { requestHeaders } from "../http/request-headers.js";
import { mergePrefer } from "../http/steps.js";
import { readOperationBody } from "./result-body.js";
import { refuseV2Result } from "../read/payload-failure.js";
import type { ODataHttpError } from "../errors.js";

/** The `headers` option of one call: more headers for its request alone. */
interface CallHeaders {
  headers?: Record<string, string> | undefined;
}

/** What `invoke()` and `get()` take beside the condition: the headers and the {@link RequestOptions}. */
interface CallOptions extends CallHeaders, RequestOptions {}

/**
 * The request with the caller's `headers`, checked as a write's are (http/request-headers.ts) and
 * winning over the ones built, as a write's do; `where` names the call in the error.
 */
function withHeaders(request: OperationRequest, given: unknown, where: string): OperationRequest {
  return given === undefined ? request : { ...request, headers: { ...request.headers, ...requestHeaders(given, where) } };
}

/** Whether the call is bound to a collection (no key), which has no ETag of its own to send. */
function collectionBound(call: OperationCall): boolean {
  return call.binding !== undefined && call.binding.keyPredicate === undefined;
}

/** The request of an action call, with `If-Match` from the conditions and the `headers` given to `method`. */
function actionRequest(core: ClientCore, call: OperationCall, params: OperationParameters | undefined, options: (ConditionalOptions & CallHeaders) | undefined, method: string): OperationRequest {
  const where = `action(${JSON.stringify(call.name)}).${method}()`;
  const etag = ifMatchFor(options, undefined, where);
  const built = buildOperationRequest(core.options.serviceUrl, core.options.version, { ...call, parameters: params, ...(etag === undefined ? {} : { etag }) }, core.options.ieee754Compatible);
  const request = withHeaders(built, options?.headers, where);
  refuseOtherIfMatch(options, etag, request.headers["if-match"], where);
  return collectionBound(call) ? { ...request, collectionBound: true } : request;
}

// The options of an action call, by name: any other member is refused (refuseUnknownOptions), as a
// write's are (resources/writes.ts). The compiler holds each to the options its function takes
// here, which operation.ts's InvokeOptions and InvokeAsyncOptions are given as (a type import of
// those would close a cycle with operation.ts, which loads this module).
const INVOKE = { signal: 1, timeout: 1, onResponse: 1, etag: 1, ifMatch: 1, headers: 1 } satisfies OptionNames<ConditionalOptions & CallOptions>;
const INVOKE_ASYNC = { signal: 1, timeout: 1, onResponse: 1, pollInterval: 1, maxWait: 1, onProgress: 1, etag: 1, ifMatch: 1, headers: 1 } satisfies OptionNames<AsyncPollerOptions & ConditionalOptions & CallHeaders>;
// A function's are a read's (its `pages()` and `stream()` take READ_OPTIONS).
const GET = SINGLE_READ_OPTIONS satisfies OptionNames<CallOptions>;
const GET_ASYNC = { signal: 1, timeout: 1, onResponse: 1, pollInterval: 1, maxWait: 1, onProgress: 1, headers: 1 } satisfies OptionNames<AsyncPollerOptions & CallHeaders>;

/**
 * `error` with what a `405 Method Not Allowed` of an operation call may mean: the operation is of
 * the other kind. A function is called with `GET`, an action with `POST`, and an OData v2 function
 * import with the method its `m:HttpMethod` declares, which only its `$metadata` shows; the
 * service's own answer names neither. Any other error as it is.
 */
function explainOtherKind(error: ODataHttpError, method: OperationRequest["method"], name: string, v2: boolean): ODataHttpError {
  // A v2 service operation sent with the PUT, MERGE or DELETE its `m:HttpMethod` declares was
  // given that method by the caller, who read it there: its 405 is no mix-up of the two kinds.
  if (error.status !== 405 || (method !== "GET" && method !== "POST")) return error;
  const quoted = JSON.stringify(name);
  const explanation =
    method === "GET"
      ? `${quoted} may be ${v2 ? "a function import declared with m:HttpMethod other than GET" : "an action"}, which is called with action(${quoted}).invoke() (POST${v2 ? '; option "method" for another' : ""}), not with GET`
      : `${quoted} may be ${v2 ? 'a function import declared with m:HttpMethod="GET"' : "a function"}, which is called with function(${quoted}, params).get() (GET), not with POST`;
  error.message = `${error.message} (method not allowed: ${explanation})`;
  return error;
}

/** `ActionCall.invoke()`: sends the action and reads its result. */
export function invokeAction(core: ClientCore, call: OperationCall, params: OperationParameters | undefined, options: (ConditionalOptions & CallOptions) | undefined): Promise<unknown> {
  refuseUnknownOptions(options, INVOKE, `action(${JSON.stringify(call.name)}).invoke()`);
  // An action's next pages are GETs of another resource than the one posted to: the caller's headers were for the POST.
  return sendOperation(core, actionRequest(core, call, params, options, "invoke"), call.name, { signal: options?.signal, timeout: options?.timeout, onResponse: options?.onResponse }, `action(${JSON.stringify(call.name)}).invoke()`);
}

/** `ActionCall.invokeAsync()`: sends the action with `Prefer: respond-async` and gives its poller. */
export function invokeActionAsync<R>(core: ClientCore, call: OperationCall, params: OperationParameters | undefined, options: (AsyncPollerOptions & ConditionalOptions & CallHeaders) | undefined): Promise<OperationPoller<R>> {
  refuseUnknownOptions(options, INVOKE_ASYNC, `action(${JSON.stringify(call.name)}).invokeAsync()`);
  // The request takes what it reads of the options (the condition, the headers); the poller the rest.
  const { etag, ifMatch, headers, ...pollerOptions } = options ?? {};
  const request = actionRequest(core, call, params, options, "invokeAsync");
  return startOperation<R>(core, request, call.name, options === undefined ? undefined : pollerOptions, `action(${JSON.stringify(call.name)}).invokeAsync()`);
}

/** `FunctionCall.get()`: sends the function's request, with the `headers` given, and reads its result. */
export function getFunction(core: ClientCore, request: OperationRequest, name: string, options: CallOptions | undefined): Promise<unknown> {
  const where = `function(${JSON.stringify(name)}).get()`;
  refuseUnknownOptions(options, GET, where);
  return sendOperation(core, withHeaders(request, options?.headers, where), name, options, where);
}

/** `FunctionCall.getAsync()`: sends the function's request with `Prefer: respond-async` and gives its poller. */
export function getFunctionAsync<R>(core: ClientCore, request: OperationRequest, name: string, options: (AsyncPollerOptions & CallHeaders) | undefined): Promise<OperationPoller<R>> {
  const where = `function(${JSON.stringify(name)}).getAsync()`;
  refuseUnknownOptions(options, GET_ASYNC, where);
  const { headers, ...pollerOptions } = options ?? {};
  return startOperation<R>(core, withHeaders(request, headers, where), name, options === undefined ? undefined : pollerOptions, where);
}

/**
 * The headers an operation request is sent with: a function's (`GET`) ask for the client's
 * `maxPageSize` (`Prefer: odata.maxpagesize`, v4) as the requests of the result's next pages do,
 * since its answer is the first page of a result the service may page; a `Prefer` of the call's
 * own `headers` is merged with it, its preferences winning.
 */
function sentHeaders(core: ClientCore, request: OperationRequest): Readonly<Record<string, string>> {
  const prefer = request.method === "GET" ? readHeaders(core, undefined).get("prefer") : null;
  if (!prefer) return request.headers;
  const own = request.headers["prefer"];
  return { ...request.headers, prefer: own === undefined ? prefer : mergePrefer(prefer, own) };
}

/**
 * Sends an operation request and reads its result (see `results.ts`). The call's `timeout`
 * (checked, `where` naming the call) times its request and each next page of a collection result;
 * its `headers`, given here for a function alone, go with those pages too.
 */
export async function sendOperation(core: ClientCore, request: OperationRequest, name: string, options: CallOptions | undefined, where: string): Promise<unknown> {
  const timeout = callTimeout(options?.timeout, where);
  const onResponse = optionalFunction(options?.onResponse, `${where}: option "onResponse"`);
  const signal = toAbortSignal(options?.signal);
  const { method, url } = request;
  let response: Response;
  try {
    response = await core.send({
      method,
      url,
      headers: sentHeaders(core, request),
      ...(request.body === undefined ? {} : { body: request.body }),
      signal,
      timeout,
      onResponse,
      // An action is never sent twice, not even a v2 service operation declared with PUT or DELETE.
      retry: method === "GET",
    });
  } catch (error) {
    // An action that got no answer may have run; a function's failure is a read's (left as it is there).
    throw unansweredFailure(error, request, "action");
  }
  if (!response.ok) {
    const failed = await explainFailedWrite(await httpErrorOf(response, method, url, { signal }), request, core.options, response);
    throw explainOtherKind(failed, method, name, isV2(core.options.version));
  }
  // Microsoft Graph's `copy` answers so unasked: the result comes from the monitor, not from here.
  if (response.status === 202) {
    const pending = await (await import("../write/pending-answer.js")).pendingAnswerError(response, method, url, "invokeAsync() or getAsync()");
    if (pending) throw pending;
    // Accepted, naming no monitor to follow (or one a browser's CORS hides): its body is a status.
    await discard(response);
    return undefined;
  }
  // An action (never a GET) answered with success has run, however its answer's body then fails
  // or cannot be read; a function's answer is a read's.
  const action = method !== "GET";
  let text: string;
  try {
    text = await readBodyText(response, method, url, signal);
  } catch (error) {
    throw action ? appliedAnswerFailure(error, request, response, "action") : error;
  }
  if (response.status === 204) return undefined;
  const read = await readMasked(response, () => {
    // An action's answer that cannot be read says first that the action ran, naming the request
    // there (write/send.ts `unreadableAnswer`); a function's names it here.
    const where = action ? undefined : `${method} ${redactUrl(url)}`;
    try {
      const body = readOperationBody(text, response.headers.get("content-type"), where);
      if (body === undefined || "text" in body) return body;
      // A v4 client at a v2 service would take `{"d": …}` for an object result: the answer's
      // headers tell, as they do for an entity's read.
      refuseV2Result(body.json, response.headers, core.options.version, where);
      return readOperationResult(body.json, core.options.version, name);
    } catch (error) {
      throw action ? unreadableAnswer(error, request, response, "action") : error;
    }
  });
  if (read === undefined) return undefined;
  if ("text" in read) return read.text;
  const result = read;
  // One entity may come with its ETag in the header alone, as an entity read may: kept where
  // `etagOf` and update() look, unless the body has one. A collection's or a primitive's answer
  // has no ETag of one entity to keep.
  if (!Array.isArray(result.value)) keepEtagHeader(result.value, response.headers.get("etag"), isV2(core.options.version));
  // The related entities a result holds (SAP Gateway's function imports answer with them inline)
  // are remembered, so that writing a result back leaves them out, as a write's answer's are.
  markReturnedEntities(result.value);
  if (result.nextLink === undefined || !Array.isArray(result.value)) return result.value;
  const items: unknown[] = result.value;
  // The pages continue the call's answer: its signal, timeout, onResponse and (a function's) headers, already checked.
  const readOptions = { signal, timeout, headers: options?.headers, onResponse, operationResult: true };
  let next: URL;
  try {
    next = resolveNextLink(core, result.nextLink);
  } catch (error) {
    // A link that is no URL is quoted: masked of what the call was sent with, as a page's is.
    throw await maskSentSecrets(error, SENT_SECRETS.get(response));
  }
  for await (const page of walkPages<unknown>(core, next, readOptions)) {
    for (const item of page.value) items.push(item);
  }
  return items;
}

/** Starts an operation with `Prefer: respond-async` and unwraps the result the poller yields. */
export async function startOperation<R>(
  core: ClientCore,
  request: OperationRequest,
  name: string,
  options: AsyncPollerOptions | undefined,
  call: string,
): Promise<OperationPoller<R>> {
  const init = { method: request.method, url: request.url, headers: sentHeaders(core, request), retry: request.method === "GET", ...(request.body === undefined ? {} : { body: request.body }) };
  // Starting a long-running operation loads with the first ...Async call, not with every call.
  const { startPoller } = await import("../lro/start.js");
  // A failed start says what it means (a 412, a 403 for want of a CSRF token), as invoke()'s does.
  // The shape (operationPoller's) is given now, so that a result in the initial answer keeps its
  // version headers as one from the monitor does (a v2 service's `{"d": …}` is refused by them).
  const version = core.options.version;
  const action = request.method !== "GET";
  // What an answer at once that cannot be read becomes: kept for the poller's reading of the result.
  let ranAtOnce: ((error: unknown) => unknown) | undefined;
  const poller = await startPoller<unknown>(core, init, options, {
    where: call,
    shape: { kind: "operation", name, version },
    explain: async (error, response) => explainOtherKind(await explainFailedWrite(error, request, core.options, response), request.method, name, isV2(version)),
    unanswered: (error) => unansweredFailure(error, request, "action"),
    // An action answered with success at once (the service did not go async) has run, however its
    // answer's body then fails or cannot be read, as invoke() says; a function's body is a read's.
    bodyFailure: action ? (error, response) => appliedAnswerFailure(error, request, response, "action") : undefined,
    atOnce: action ? (response) => (ranAtOnce = (error) => unreadableAnswer(error, request, response, "action")) : undefined,
  });
  // An error about the result names this request, and the status monitor where there is one.
  const where = (statusUrl: string): string => {
    const sent = `${request.method} ${redactUrl(request.url)}`;
    return statusUrl === request.url.href ? sent : `${sent} (a long-running operation, status monitor ${redactUrl(statusUrl)})`;
  };
  // An entity result keeps the ETag its answer sent in the header alone, as invoke()'s does.
  const keepEtag = (value: unknown, etag: string | undefined): void => {
    if (!Array.isArray(value)) keepEtagHeader(value, etag ?? null, isV2(version));
  };
  return operationPoller<R>(poller, version, name, where, (body, headers, at) => refuseV2Result(body, headers, version, at), ranAtOnce, keepEtag);
}

