/**
 * `$batch`: many requests in one HTTP request (OData 4.01 Part 1 §11.7), in the multipart form or
 * the JSON form of OData 4.01. The builder collects requests and hands out typed handles; `send()`
 * writes the body (multipart.ts, json.ts), posts it through the client's pipeline and reads the
 * answer into one result per request (results.ts).
 */
import { readBodyText } from "../http/body.js";
import { mapPoller } from "../lro/mapped-poller.js";
import type { ClientCore } from "../core.js";
import { ODataClientError } from "../errors.js";
import { httpErrorFromResponse } from "../payload/error-body.js";
import type { HttpMessage } from "../payload/http-envelope.js";
import type { AsyncPoller, AsyncPollerOptions } from "../lro/poller.js";
import { resultShapeOf, type AsyncPollerToken, type AsyncResultShape } from "../lro/token.js";
import { buildOperationRequest, type OperationCall, type OperationParameters } from "../operations/requests.js";
import { readOperationResult } from "../operations/results.js";
import type { ODataVersion } from "../options.js";
import { CollectionQuery, entityInternals, queryInternals, type EntityQuery } from "../resources/query.js";
import type { EntityState, ExpandItem, QueryState } from "../query/state.js";
import type { RelatedType } from "../query/types.js";
import { collectionUrl, countUrl, encodePathText, entityUrl } from "../query/url.js";
import { toPage, type Page } from "../read/traversal.js";
import { normalizeV2Entity } from "../payload/v2-values.js";
import {
  createRequest,
  deleteRequest,
  replaceRequest,
  updateRequest,
  type CreateRequestOptions,
  type DeleteRequestOptions,
  type UpdateRequestOptions,
  type WriteContext,
} from "../write/requests.js";
import { readJsonBatch, readJsonBatchValue, writeJsonBatch, type JsonBatchRequest } from "../payload/json-batch.js";
import { boundaryOf, newBoundary, readMultipartBatch, sniffBoundary, writeMultipartBatch, type BatchWireItem } from "../payload/multipart.js";
import { versionHeaders } from "../payload/version-headers.js";
import { readEntityAnswer } from "../payload/entity-answer.js";
import { readCollectionAnnotations, type CollectionAnnotations } from "../payload/annotations.js";
import { markExpanded } from "../payload/expanded.js";
import { toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import {
  makeResults,
  matchJson,
  matchMultipart,
  resultOf,
  type Answer,
  type BatchDecoder,
  type BatchRequestRef,
  type BatchResult,
  type BatchResults,
  type MatchedAnswers,
  type PlannedItem,
  type PlannedRequest,
} from "./results.js";
import { isRecord } from "../util/values.js";
import { clipText } from "../util/redact.js";
import { isIdentifier } from "../util/identifiers.js";
import { pathBelowRoot, urlBelowRoot } from "../util/service-root.js";
import { badBatchResponse } from "../payload/bad-payload.js";
import { pollerFor, resumePoller, startPoller } from "../lro/start.js";
import { isJsonContentType } from "../payload/content-type.js";

/** The wire form of a batch: `multipart/mixed` (every OData version) or JSON (OData 4.01). */
export type BatchFormat = "multipart" | "json";

/** Options of `client.batch(options)`. */
export interface BatchOptions {
  /**
   * The wire form. JSON batches are OData 4.01 (many 4.0 services, SAP CAP among them, accept them
   * too); OData v2 knows only multipart.
   * @default "json" for a 4.01 client, "multipart" otherwise
   */
  format?: BatchFormat | undefined;
  /**
   * The boundaries of the multipart body (the batch's, and the n-th changeset's). Random by
   * default; fixed ones are for tests that compare bodies byte for byte.
   */
  boundaries?: { batch: string; changeset: (n: number) => string } | undefined;
}

/** Options of `batch.send()`. */
export interface BatchSendOptions {
  /** Cancels the request and the reading of its answer. */
  signal?: AbortSignalLike | undefined;
  /**
   * Sends `Prefer: odata.continue-on-error`: the service goes on after a failed request instead of
   * stopping there (requests after a failure otherwise read `BATCH_NOT_EXECUTED`).
   * @default false
   */
  continueOnError?: boolean | undefined;
  /** Options of the poller in `results.continuation`, when the service answers part of the batch later. */
  continuation?: AsyncPollerOptions | undefined;
}

/** Options of `batch.sendAsync()`: the poller's, and whether to continue on error. */
export interface BatchSendAsyncOptions extends AsyncPollerOptions {
  /** As in {@link BatchSendOptions.continueOnError}. */
  continueOnError?: boolean | undefined;
}

/** Options of `batch.action()` and `batch.function()`. */
export interface BatchOperationOptions {
  /**
   * The entity or entity set the operation is bound to; unbound without it. (Any entity type: the
   * query classes are not assignable to their `unknown` instantiations, their field paths being
   * checked against `T`.)
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  bound?: EntityQuery<any> | CollectionQuery<any> | undefined;
  /** The namespace that qualifies a simple name of a bound operation (as in `OperationOptions`). */
  namespace?: string | undefined;
  /** Sent as `If-Match` (actions). */
  etag?: string | undefined;
}

/**
 * A request of the batch that the service addresses by its Content-ID (`$1`), for later requests of
 * the batch to build on: `handle.ref()` is the entity it created, `handle.navigation("reviews")`
 * a collection below it.
 */
export class BatchReference<T, K extends "entity" | "collection" = "entity"> {
  /** The path the service resolves: `$1` or `$1/reviews`. */
  readonly path: string;
  /** The Content-ID of the referenced request. */
  readonly contentId: string;
  /** Whether it addresses one entity or a collection. */
  readonly kind: K;
  /** @internal The entity type; never set. */
  declare readonly __type?: T;

  /** @internal Made by handles. */
  constructor(contentId: string, path: string, kind: K) {
    this.contentId = contentId;
    this.path = path;
    this.kind = kind;
  }
}

/** A request added to a batch; its typed result once the batch was sent. */
export class BatchHandle<T> implements BatchRequestRef<T> {
  readonly index: number;
  /** The Content-ID (multipart) or id (JSON) the request is sent with. */
  readonly contentId: string;
  readonly #results: () => BatchResults | undefined;
  /** @internal The type of the result's value; never set. */
  declare readonly __value?: T;

  /** @internal Made by the batch. */
  constructor(index: number, contentId: string, results: () => BatchResults | undefined) {
    this.index = index;
    this.contentId = contentId;
    this.#results = results;
  }

  /**
   * The request's result in the batch's latest results (after `send()`, or after its continuation
   * or asynchronous poller finished). Throws `BATCH_NOT_SENT` before that.
   */
  result(): BatchResult<T> {
    const results = this.#results();
    if (results === undefined) throw new ODataClientError("BATCH_NOT_SENT", `request ${this.index + 1} has no result yet: the batch has not been sent`);
    return results.of(this);
  }
}

/** A handle of a request that yields an entity (get, create): later requests can reference it. */
export class BatchEntityHandle<T, V = T> extends BatchHandle<V> {
  /** `$<Content-ID>`: the entity this request reads or creates, for update, replace or delete. */
  ref(): BatchReference<T, "entity"> {
    return new BatchReference<T, "entity">(this.contentId, `$${this.contentId}`, "entity");
  }

  /** `$<Content-ID>/<name>`: a collection-valued navigation property of the entity, to create into. */
  navigation<K extends keyof T & string>(name: K): BatchReference<RelatedType<T, K>, "collection"> {
    if (typeof name !== "string" || !isIdentifier(name)) {
      throw new TypeError(`navigation(name): ${JSON.stringify(name)} is not a property name`);
    }
    return new BatchReference<RelatedType<T, K>, "collection">(this.contentId, `$${this.contentId}/${encodePathText(name)}`, "collection");
  }
}

/** Where an entity can be created: an entity set query or a navigation of an earlier request. */
export type BatchCollectionTarget<T> = CollectionQuery<T> | BatchReference<T, "collection">;
/** Which entity a write changes: an entity query or an earlier request's entity. */
export type BatchEntityTarget<T> = EntityQuery<T> | BatchReference<T, "entity">;

/** A request given as it goes on the wire (for what the builder has no method for). */
export interface BatchRawRequest {
  method: string;
  /** Relative to the service root (or a `$<Content-ID>` reference). */
  url: string;
  headers?: Record<string, string>;
  /** A JSON value (sent as JSON) or text. */
  body?: unknown;
}

/** What a batch and a changeset share: the writes. */
abstract class BatchWrites {
  /** @internal */
  protected abstract add<V>(spec: RequestSpec, handle: "plain"): BatchHandle<V>;
  /** @internal */
  protected abstract add<V, T>(spec: RequestSpec, handle: "entity"): BatchEntityHandle<T, V>;
  /** @internal */
  protected abstract get context(): BatchContext;

  /**
   * `POST` of a new entity into an entity set, or into a navigation of an entity created earlier
   * in the batch. The value is the created entity (`undefined` when the service answered 204).
   */
  create<T>(target: BatchCollectionTarget<T>, entity: Partial<T> | Record<string, unknown>, options?: CreateRequestOptions): BatchEntityHandle<T, T | undefined> {
    const { state, dependsOn } = collectionTarget(this.context, target, "create(target)");
    const request = createRequest(this.context.write, state, entity, options);
    return this.add<T | undefined, T>({ ...request, dependsOn, decode: entityDecoder(this.context) }, "entity");
  }

  /** `PATCH` (v2 `MERGE`) of the properties given, with `If-Match` as `update()` sends it. */
  update<T>(target: BatchEntityTarget<T>, patch: Partial<T> | Record<string, unknown>, options?: UpdateRequestOptions): BatchHandle<T | undefined> {
    const { state, dependsOn } = entityTarget(this.context, target, "update(target)");
    const request = updateRequest(this.context.write, state, patch, options);
    return this.add<T | undefined>({ ...request, dependsOn, decode: entityDecoder(this.context) }, "plain");
  }

  /** `PUT` of the whole entity. */
  replace<T>(target: BatchEntityTarget<T>, entity: Partial<T> | Record<string, unknown>, options?: UpdateRequestOptions): BatchHandle<T | undefined> {
    const { state, dependsOn } = entityTarget(this.context, target, "replace(target)");
    const request = replaceRequest(this.context.write, state, entity, options);
    return this.add<T | undefined>({ ...request, dependsOn, decode: entityDecoder(this.context) }, "plain");
  }

  /** `DELETE` of the entity. */
  delete<T>(target: BatchEntityTarget<T>, options?: DeleteRequestOptions): BatchHandle<undefined> {
    const { state, dependsOn } = entityTarget(this.context, target, "delete(target)");
    const request = deleteRequest(this.context.write, state, options);
    return this.add<undefined>({ ...request, dependsOn, decode: () => undefined }, "plain");
  }

  /**
   * An action call (`POST`), unbound or bound (`{ bound: query }`); the value is the unwrapped
   * result as `ActionCall.invoke()` gives it.
   */
  action<R = unknown>(name: string, params?: OperationParameters, options?: BatchOperationOptions): BatchHandle<R> {
    return this.add<R>(operationSpec(this.context, "action", name, params, options), "plain");
  }
}

/** The requests of one changeset: they succeed or fail together. */
export class BatchChangeset extends BatchWrites {
  readonly #batch: Batch;
  readonly #changeset: number;

  /** @internal Made by `batch.changeset()`. */
  constructor(batch: Batch, changeset: number) {
    super();
    this.#batch = batch;
    this.#changeset = changeset;
  }

  protected override add<V>(spec: RequestSpec, handle: "plain"): BatchHandle<V>;
  protected override add<V, T>(spec: RequestSpec, handle: "entity"): BatchEntityHandle<T, V>;
  protected override add(spec: RequestSpec, handle: "plain" | "entity"): BatchHandle<unknown> {
    return addRequest(this.#batch, spec, handle, this.#changeset);
  }

  protected override get context(): BatchContext {
    return contextOf(this.#batch);
  }
}

/** What building requests needs from the client. */
interface BatchContext {
  core: ClientCore;
  write: WriteContext;
  version: ODataVersion;
}

/** A request before it has its place in the batch. */
interface RequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  dependsOn: string[];
  decode: BatchDecoder;
}

let addRequest: (batch: Batch, spec: RequestSpec, handle: "plain" | "entity", changeset: number | undefined) => BatchHandle<unknown>;
let contextOf: (batch: Batch) => BatchContext;

/**
 * A batch being built: requests are added with typed handles, then `send()` posts them as one
 * `$batch` request. Made by `client.batch()`.
 * @example
 * const batch = client.batch();
 * const book = batch.get(client.collection<Book>("Books").key(1));
 * batch.changeset((cs) => {
 *   const author = cs.create(client.collection<Author>("Authors"), { ID: "a9", name: "Ann" });
 *   cs.create(author.navigation("books"), { ID: 900, title: "New" });
 * });
 * await batch.send();
 * const result = book.result(); // BatchResult<Book>
 * if (result.ok) console.log(result.value.title);
 */
export class Batch extends BatchWrites {
  readonly #context: BatchContext;
  readonly #format: BatchFormat;
  readonly #boundaries: { batch: string; changeset: (n: number) => string } | undefined;
  readonly #items: PlannedItem[] = [];
  readonly #requests: PlannedRequest[] = [];
  #changesets = 0;
  #open: number | undefined;
  #latest: BatchResults | undefined;
  /** Set by the first send (or `toRequest`): the requests are fixed from then on. */
  #sealed = false;

  static {
    addRequest = (batch, spec, handle, changeset) => batch.#addRequest(spec, handle, changeset);
    contextOf = (batch) => batch.#context;
  }

  /** @internal Made by `client.batch()`. */
  constructor(core: ClientCore, options: BatchOptions | undefined) {
    super();
    const version = core.options.version;
    const format = options?.format ?? (version === "4.01" ? "json" : "multipart");
    if (format !== "multipart" && format !== "json") throw new TypeError(`batch(options): option "format" must be "multipart" or "json"; got ${JSON.stringify(format)}`);
    if (format === "json" && version === "2.0") {
      throw new ODataClientError("UNSUPPORTED_BY_VERSION", 'batch({ format: "json" }): JSON batches are OData 4.01; an OData v2 service knows only multipart');
    }
    this.#context = { core, version, write: { serviceUrl: core.options.serviceUrl, version } };
    this.#format = format;
    this.#boundaries = options?.boundaries;
  }

  /** The wire form this batch is sent in. */
  get format(): BatchFormat {
    return this.#format;
  }

  /** How many requests the batch holds. */
  get size(): number {
    return this.#requests.length;
  }

  protected override add<V>(spec: RequestSpec, handle: "plain"): BatchHandle<V>;
  protected override add<V, T>(spec: RequestSpec, handle: "entity"): BatchEntityHandle<T, V>;
  protected override add(spec: RequestSpec, handle: "plain" | "entity"): BatchHandle<unknown> {
    return this.#addRequest(spec, handle, undefined);
  }

  protected override get context(): BatchContext {
    return this.#context;
  }

  // --- reads ------------------------------------------------------------------------------------

  /** `GET` of one entity (with the query's `$select`/`$expand`); the value is the entity. */
  get<T>(query: EntityQuery<T>): BatchEntityHandle<T> {
    const { core, state } = entityInternals(query);
    this.#checkClient(core, "get(query)");
    const url = entityUrl(core.options.serviceUrl, this.#context.version, state);
    return this.add<T, T>(readSpec(this.#context, url, entityDecoder(this.#context, state.expand)), "entity");
  }

  /**
   * `GET` of a collection query; the value is its page, as `query.page()` gives it: the entities,
   * and a `nextLink` when the service paged the answer (read the rest with `query.pages({ from })`).
   */
  page<T>(query: CollectionQuery<T>): BatchHandle<Page<T>> {
    const { core, state } = queryInternals(query);
    this.#checkClient(core, "page(query)");
    const url = collectionUrl(core.options.serviceUrl, this.#context.version, state);
    return this.add<Page<T>>(readSpec(this.#context, url, pageDecoder(this.#context, state.expand)), "plain");
  }

  /** `GET <set>/$count` with the query's `$filter` and `$search`; the value is the number. */
  count<T>(query: CollectionQuery<T>): BatchHandle<number> {
    const { core, state } = queryInternals(query);
    this.#checkClient(core, "count(query)");
    const url = countUrl(core.options.serviceUrl, this.#context.version, state as QueryState);
    const spec = readSpec(this.#context, url, countDecoder);
    spec.headers["accept"] = "text/plain";
    return this.add<number>(spec, "plain");
  }

  /** A function call (`GET`), unbound or bound (`{ bound: query }`); the value is the unwrapped result. */
  function<R = unknown>(name: string, params?: OperationParameters, options?: Omit<BatchOperationOptions, "etag">): BatchHandle<R> {
    return this.add<R>(operationSpec(this.#context, "function", name, params, options), "plain");
  }

  /**
   * Any request, given as it goes on the wire; the value is the parsed JSON body (text for other
   * content types, `undefined` when empty).
   */
  request<R = unknown>(request: BatchRawRequest): BatchHandle<R> {
    if (typeof request?.method !== "string" || !/^[A-Z]+$/i.test(request.method)) throw new TypeError("request(request): method must be an HTTP method");
    if (typeof request.url !== "string" || /[\s]/.test(request.url) || /^[a-z][a-z0-9+.-]*:/i.test(request.url)) {
      throw new TypeError("request(request): url must be relative to the service root, without spaces");
    }
    const headers: Record<string, string> = { accept: "application/json" };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);
      if (typeof request.body !== "string" && headers["content-type"] === undefined) headers["content-type"] = "application/json";
    }
    const dependsOn = /^\$([^/?]+)/.exec(request.url)?.[1];
    return this.add<R>({ method: request.method.toUpperCase(), path: request.url, headers, body, dependsOn: dependsOn ? [dependsOn] : [], decode: rawDecoder }, "plain");
  }

  /**
   * A changeset: the requests `build` adds succeed or fail together (multipart: a nested part;
   * JSON: one atomicity group). Later requests inside it can reference earlier ones
   * (`handle.ref()`, `handle.navigation(name)`). If it fails, every request in it reads as failed.
   */
  changeset(build: (changeset: BatchChangeset) => void): void {
    if (typeof build !== "function") throw new TypeError("changeset(build): build must be a function");
    if (this.#open !== undefined) throw new TypeError("changeset(build): changesets cannot be nested");
    const changeset = this.#changesets++;
    this.#items.push({ kind: "changeset", changeset, requests: [] });
    this.#open = changeset;
    try {
      build(new BatchChangeset(this, changeset));
    } finally {
      this.#open = undefined;
    }
  }

  // --- sending ----------------------------------------------------------------------------------

  /**
   * Posts the batch to `<serviceUrl>$batch` and reads the answer: one result per request, in
   * request order, also reachable through the handles. Rejects only when the batch as a whole
   * failed (an HTTP error status, a network error, an unreadable answer: `BAD_BATCH_RESPONSE`).
   */
  async send(options?: BatchSendOptions): Promise<BatchResults> {
    const { url, headers, body } = this.#wireRequest(options?.continueOnError ?? false);
    const signal = toAbortSignal(options?.signal);
    const core = this.#context.core;
    const response = await core.send({ method: "POST", url, headers, body, signal, retry: false });
    if (response.status === 202 && response.headers.has("location") && boundaryOf(response.headers.get("content-type")) === undefined) {
      // The service went asynchronous without being asked: every answer comes from the monitor.
      await response.body?.cancel().catch(() => {});
      const answers: Answer[] = this.#requests.map(() => ({ kind: "pending" }));
      return this.#results({ answers, continuation: response.headers.get("location") as string }, options?.continuation);
    }
    if (!response.ok) throw await httpErrorFromResponse(response, "POST", url, { signal });
    const text = await readBodyText(response, "POST", url, signal);
    const matched = this.#match(text, response.headers.get("content-type"), 0);
    return this.#results(matched, options?.continuation);
  }

  /**
   * Posts the batch with `Prefer: respond-async` and returns a poller once the service answered;
   * its result is the batch's results. A service that ignores the preference and answers at once
   * gives a poller that is already done.
   * @example
   * const poller = await batch.sendAsync({ pollInterval: 1_000 });
   * const results = await poller.wait();
   */
  async sendAsync(options?: BatchSendAsyncOptions): Promise<AsyncPoller<BatchResults>> {
    const { continueOnError = false, ...pollerOptions } = options ?? {};
    const { url, headers, body } = this.#wireRequest(continueOnError);
    const inner = await startPoller<unknown>(this.#context.core, { method: "POST", url, headers, body }, pollerOptions);
    const poller = mapPoller(inner, (raw) => this.#results(this.#matchRaw(raw, 0), undefined), this.#shape(0));
    // A service that ignored respond-async answered already: read its answer now, so the handles
    // have their results and an unreadable answer rejects here.
    if (inner.isDone()) poller.result();
    return poller;
  }

  /**
   * Rebuilds the poller of `sendAsync()` or of `results.continuation` from its `toJSON()`, on a
   * batch with the same requests (for example in another process that built the same batch), so
   * that the answer is read into this batch's results and handles. Sends nothing. A token of
   * another batch (other requests, order or changesets) or of an operation's poller is refused
   * with a `TypeError`; a version 1 token (an earlier release's, which names no batch) is read as
   * this batch's answer. Resuming a continuation, the requests answered before it was saved read
   * `BATCH_ANSWERED_EARLIER`: their results are in the results of the send that gave it.
   * @example
   * const batch = buildTheSameBatch(client);
   * const results = await batch.resumeAsync(JSON.parse(saved)).wait();
   */
  resumeAsync(token: AsyncPollerToken, options?: AsyncPollerOptions): AsyncPoller<BatchResults> {
    const inner = resumePoller<unknown>(this.#context.core, token, options);
    const shape = resultShapeOf(token);
    if (shape.kind === "operation") {
      throw new TypeError(`batch.resumeAsync(token): the token is from the poller of the operation ${JSON.stringify(shape.name)} (invokeAsync or getAsync), not of a batch; resume it with client.resumeAsync(token)`);
    }
    this.#seal();
    let from = 0;
    if (shape.kind === "batch") {
      const own = this.#shape(0);
      if (shape.format !== own.format || shape.requests !== own.requests || shape.fingerprint !== own.fingerprint) {
        throw new TypeError(
          `batch.resumeAsync(token): the token is from another batch (${shape.format}, ${shape.requests} requests, fingerprint ${shape.fingerprint}; this one: ${own.format}, ${own.requests} requests, fingerprint ${own.fingerprint}); build the batch with the same requests in the same order and changesets`,
        );
      }
      from = shape.from ?? 0;
      if (from >= this.#plan.length) throw new TypeError(`batch.resumeAsync(token): token.resultShape.from is ${from}, but the batch has ${this.#plan.length} items`);
    }
    // A continuation's earlier answers stayed with the process that saved the token.
    const earlier: Answer[] = [];
    for (const item of this.#plan.slice(0, from)) {
      for (const request of item.kind === "request" ? [item.request] : item.requests) earlier[request.index] = { kind: "earlier" };
    }
    return mapPoller(inner, (raw) => this.#results(this.#matchRaw(raw, from), undefined, earlier), this.#shape(from));
  }

  /**
   * The `$batch` request this batch sends, without sending it: for logging, or for a transport of
   * the caller's own. Seals the batch like `send()` does.
   */
  toRequest(options?: Pick<BatchSendOptions, "continueOnError">): { method: "POST"; url: string; headers: Record<string, string>; body: string } {
    const { url, headers, body } = this.#wireRequest(options?.continueOnError ?? false);
    return { method: "POST", url: url.href, headers: Object.fromEntries(headers), body };
  }

  /**
   * Reads the body of a `$batch` answer (multipart or JSON, told by `contentType`) into this
   * batch's results, as `send()` does with what it receives; a pure function of the answer.
   * Throws `BAD_BATCH_RESPONSE` for an answer that cannot be read.
   */
  readAnswer(answer: { contentType: string | null; body: string }, options?: Pick<BatchSendOptions, "continuation">): BatchResults {
    this.#seal();
    return this.#results(this.#match(answer.body, answer.contentType, 0), options?.continuation);
  }

  /** The results of the latest send (or continuation) of this batch; `undefined` before. */
  results(): BatchResults | undefined {
    return this.#latest;
  }

  // --- internals --------------------------------------------------------------------------------

  #addRequest(spec: RequestSpec, handle: "plain" | "entity", changeset: number | undefined): BatchHandle<unknown> {
    if (this.#sealed) throw new ODataClientError("BATCH_SENT", "this batch was sent already; requests cannot be added to it any more");
    if (changeset !== undefined && this.#open !== changeset) throw new TypeError("a changeset's requests can only be added inside its build function");
    if (spec.body instanceof Uint8Array) throw new TypeError("binary bodies cannot be sent in a batch by this client");
    const index = this.#requests.length;
    const id = String(index + 1);
    const { serviceUrl } = this.#context.core.options;
    const request: PlannedRequest = {
      index,
      id,
      method: spec.method,
      path: spec.path,
      url: urlBelowRoot(serviceUrl, spec.path),
      headers: spec.headers,
      body: spec.body,
      changeset,
      dependsOn: spec.dependsOn,
      decode: spec.decode,
    };
    for (const reference of spec.dependsOn) {
      const referenced = this.#requests.find((earlier) => earlier.id === reference);
      if (referenced === undefined) throw new TypeError(`a request references $${reference}, which is not an earlier request of this batch`);
    }
    this.#requests.push(request);
    if (changeset === undefined) this.#items.push({ kind: "request", request });
    else {
      const item = this.#items[this.#items.length - 1];
      if (item?.kind !== "changeset" || item.changeset !== changeset) throw new TypeError("a changeset's requests can only be added inside its build function");
      item.requests.push(request);
    }
    const results = () => this.#latest;
    return handle === "entity" ? new BatchEntityHandle(index, id, results) : new BatchHandle(index, id, results);
  }

  #seal(): void {
    if (this.#open !== undefined) throw new TypeError("a batch cannot be sent from inside a changeset's build function");
    this.#sealed = true;
  }

  #checkClient(core: ClientCore, where: string): void {
    if (core !== this.#context.core) throw new TypeError(`${where}: the query belongs to another client than this batch`);
  }

  /** The `$batch` request: URL, headers, body in the batch's format. */
  #wireRequest(continueOnError: boolean): { url: URL; headers: Headers; body: string } {
    this.#seal();
    if (this.#requests.length === 0) throw new TypeError("send(): the batch holds no requests");
    const { serviceUrl } = this.#context.core.options;
    const url = urlBelowRoot(serviceUrl, "$batch");
    const headers = new Headers(versionHeaders(this.#context.version, "write"));
    if (continueOnError) headers.set("prefer", "odata.continue-on-error");
    if (this.#format === "json") {
      headers.set("content-type", "application/json");
      headers.set("accept", "application/json");
      return { url, headers, body: writeJsonBatch(this.#requests.map(jsonRequest)) };
    }
    const batchBoundary = this.#boundaries?.batch ?? newBoundary("batch");
    const changesetBoundary = this.#boundaries?.changeset ?? (() => newBoundary("changeset"));
    headers.set("content-type", `multipart/mixed; boundary=${batchBoundary}`);
    headers.set("accept", "multipart/mixed");
    const items: BatchWireItem[] = this.#items
      .filter((item) => item.kind === "request" || item.requests.length > 0)
      .map((item) => (item.kind === "request" ? { kind: "request", request: wireRequest(item.request) } : { kind: "changeset", requests: item.requests.map(wireRequest) }));
    return { url, headers, body: writeMultipartBatch(items, batchBoundary, changesetBoundary) };
  }

  /** The items of the plan that go on the wire (empty changesets are left out). */
  get #plan(): PlannedItem[] {
    return this.#items.filter((item) => item.kind === "request" || item.requests.length > 0);
  }

  /** Reads an answer body in either format and matches it to the plan from item `from` on. */
  #match(text: string, contentType: string | null, from: number): MatchedAnswers {
    if (isJsonContentType(contentType)) {
      return matchJson(this.#pendingRequests(from), readJsonBatch(text));
    }
    const boundary = boundaryOf(contentType) ?? sniffBoundary(text);
    if (boundary === undefined) throw badBatchResponse(`the answer is neither multipart/mixed with a boundary nor JSON (Content-Type ${JSON.stringify(contentType ?? "(none)")})`);
    return matchMultipart(this.#plan, readMultipartBatch(text, boundary), from);
  }

  /**
   * Reads a result as a poller gives it (a multipart body as text, a JSON batch parsed) and
   * matches it to the plan from item `from` on. A result that is neither, where exactly one
   * request is waiting, is that request's own result (it was the one that ran asynchronously).
   */
  #matchRaw(raw: unknown, from: number): MatchedAnswers {
    if (typeof raw === "string") {
      const boundary = sniffBoundary(raw);
      if (boundary !== undefined) return matchMultipart(this.#plan, readMultipartBatch(raw, boundary), from);
    }
    if (typeof raw === "object" && raw !== null && Array.isArray((raw as { responses?: unknown }).responses)) {
      return matchJson(this.#pendingRequests(from), readJsonBatchValue(raw));
    }
    const pending = this.#pendingRequests(from);
    if (pending.length === 1 && pending[0] !== undefined) {
      const message: HttpMessage =
        typeof raw === "string"
          ? { status: 200, statusText: "", headers: new Headers({ "content-type": "text/plain" }), body: raw }
          : { status: raw === undefined ? 204 : 200, statusText: "", headers: new Headers({ "content-type": "application/json" }), body: raw === undefined ? "" : JSON.stringify(raw) };
      const answers: Answer[] = [];
      answers[pending[0].index] = { kind: "response", message };
      return { answers };
    }
    throw badBatchResponse("the batch's final result is neither a multipart batch response nor a JSON batch response");
  }

  /**
   * What a poller of this batch reads its result as, for its token: the format, the number of
   * requests and a fingerprint of the plan (no URL or body: a token is plain JSON without secrets),
   * and the plan item from which the answer is still to come.
   */
  #shape(from: number): Extract<AsyncResultShape, { kind: "batch" }> {
    const shape = { kind: "batch" as const, format: this.#format, requests: this.#requests.length, fingerprint: planFingerprint(this.#format, this.#plan) };
    return from === 0 ? shape : { ...shape, from };
  }

  /** The requests of the plan's items from `from` on. */
  #pendingRequests(from: number): PlannedRequest[] {
    return this.#plan.slice(from).flatMap((item) => (item.kind === "request" ? [item.request] : item.requests));
  }

  /**
   * The results from matched answers, earlier answers kept; a continuation becomes a poller whose
   * result is the whole batch's results once the rest has come.
   */
  #results(matched: MatchedAnswers, continuationOptions: AsyncPollerOptions | undefined, earlier: Answer[] = []): BatchResults {
    const answers = this.#requests.map((request) => matched.answers[request.index] ?? earlier[request.index]);
    const list = this.#requests.map((request) => resultOf(request, answers[request.index]));
    let continuation: AsyncPoller<BatchResults> | undefined;
    if (matched.continuation !== undefined) {
      const from = this.#plan.findIndex((item) =>
        (item.kind === "request" ? [item.request] : item.requests).some((request) => answers[request.index]?.kind === "pending"),
      );
      const inner = pollerFor<unknown>(this.#context.core, matched.continuation, continuationOptions);
      const known: Answer[] = answers.map((answer) => (answer?.kind === "pending" ? { kind: "missing" } : answer)) as Answer[];
      continuation = mapPoller(
        inner,
        (raw) => {
          const rest = this.#matchRaw(raw, Math.max(0, from));
          return this.#results(rest, continuationOptions, known);
        },
        this.#shape(Math.max(0, from)),
      );
    }
    const results = makeResults(list, continuation);
    this.#latest = results;
    return results;
  }
}

/**
 * A short hash (FNV-1a, 32 bits, hex) of what decides how a batch answer is read: the format, and
 * each item's requests (Content-ID, method, URL) in order, changesets marked. It tells a batch from
 * another in a resume token without carrying the requests' URLs.
 */
function planFingerprint(format: BatchFormat, plan: readonly PlannedItem[]): string {
  const line = (request: PlannedRequest) => `${request.id} ${request.method} ${request.path}`;
  const text = [format, ...plan.map((item) => (item.kind === "request" ? line(item.request) : `changeset(${item.requests.map(line).join("\n")})`))].join("\n");
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

// --- building requests -------------------------------------------------------------------------

function readSpec(context: BatchContext, url: URL, decode: BatchDecoder): RequestSpec {
  // The version headers of a read (none); the $batch request itself carries the write's.
  const headers: Record<string, string> = { accept: "application/json", ...versionHeaders(context.version, "read") };
  return { method: "GET", path: pathBelowRoot(context.core.options.serviceUrl, url), headers, dependsOn: [], decode };
}


function collectionTarget<T>(context: BatchContext, target: BatchCollectionTarget<T>, where: string): { state: QueryState; dependsOn: string[] } {
  if (target instanceof BatchReference) {
    if (target.kind !== "collection") throw new TypeError(`${where}: ${target.path} is an entity, not a collection to create into`);
    const slash = target.path.indexOf("/");
    return { state: { parentPath: target.path.slice(0, slash), entitySet: target.path.slice(slash + 1) }, dependsOn: [target.contentId] };
  }
  const { core, state } = queryInternals(target);
  if (core !== context.core) throw new TypeError(`${where}: the query belongs to another client than this batch`);
  return { state, dependsOn: [] };
}

function entityTarget<T>(context: BatchContext, target: BatchEntityTarget<T>, where: string): { state: EntityState; dependsOn: string[] } {
  if (target instanceof BatchReference) {
    if (target.kind !== "entity") throw new TypeError(`${where}: ${target.path} is a collection, not an entity`);
    return { state: { entitySet: target.path, keyPredicate: "" }, dependsOn: [target.contentId] };
  }
  const { core, state } = entityInternals(target);
  if (core !== context.core) throw new TypeError(`${where}: the query belongs to another client than this batch`);
  return { state, dependsOn: [] };
}

function operationSpec(
  context: BatchContext,
  kind: "action" | "function",
  name: string,
  params: OperationParameters | undefined,
  options: BatchOperationOptions | undefined,
): RequestSpec {
  let binding: OperationCall["binding"];
  let queryOptions: OperationCall["queryOptions"];
  const bound = options?.bound;
  if (bound !== undefined) {
    const internals = bound instanceof CollectionQuery ? queryInternals(bound) : entityInternals(bound);
    if (internals.core !== context.core) throw new TypeError(`${kind}(name): the bound query belongs to another client than this batch`);
    const state = internals.state as Partial<EntityState> & QueryState;
    binding = state.keyPredicate === undefined ? { entitySet: state.entitySet } : { entitySet: state.entitySet, keyPredicate: state.keyPredicate };
    queryOptions = state.params;
  }
  const call: OperationCall = { kind, name, parameters: params, binding, namespace: options?.namespace, etag: options?.etag, queryOptions };
  const request = buildOperationRequest(context.core.options.serviceUrl, context.version, call);
  const headers = { ...request.headers };
  const decode: BatchDecoder = (message) => readOperationResult(jsonBody(message), context.version, name).value;
  return { method: request.method, path: request.path, headers, body: request.body, dependsOn: [], decode };
}

function wireRequest(request: PlannedRequest) {
  return { method: request.method, url: request.path, headers: Object.entries(request.headers), body: request.body, contentId: request.id };
}

function jsonRequest(request: PlannedRequest): JsonBatchRequest {
  const out: JsonBatchRequest = { id: request.id, method: request.method, url: request.path };
  if (Object.keys(request.headers).length > 0) out.headers = request.headers;
  if (request.body !== undefined) {
    const json = isJsonContentType(request.headers["content-type"]);
    out.body = json ? (JSON.parse(request.body) as unknown) : request.body;
  }
  if (request.changeset !== undefined) out.atomicityGroup = `g${request.changeset + 1}`;
  if (request.dependsOn.length > 0) out.dependsOn = request.dependsOn;
  return out;
}

// --- reading answers -----------------------------------------------------------------------------

/** The JSON body of a response part; `undefined` when empty. Broken JSON is `BAD_BATCH_RESPONSE`. */
function jsonBody(message: HttpMessage): unknown {
  if (message.body.trim() === "") return undefined;
  try {
    return JSON.parse(message.body);
  } catch (error) {
    throw new ODataClientError("BAD_BATCH_RESPONSE", `the body is not JSON (${(error as Error).message})`);
  }
}

/**
 * An entity answer, read as a single request's is (`payload/entity-answer.ts`): v2's `d`
 * unwrapped, the `ETag` header kept as the entity's ETag; 204 gives `undefined`.
 */
function entityDecoder(context: BatchContext, expand?: readonly ExpandItem[]): BatchDecoder {
  return (message) => {
    const entity = readEntityAnswer({ body: message.body, contentType: message.headers.get("content-type"), etag: message.headers.get("etag") }, context.version);
    if (entity === undefined) return undefined;
    if (!isRecord(entity)) throw new ODataClientError("BAD_BATCH_RESPONSE", "the answer is not an entity object");
    markExpanded(entity, expand);
    return entity;
  };
}

/**
 * A collection answer as a page, as `query.page()` reads one: v4 `value` or v2 `d.results` (or
 * `d`), the next link (made absolute) and the count under any of their names
 * (`payload/annotations.ts`).
 */
function pageDecoder(context: BatchContext, expand?: readonly ExpandItem[]): BatchDecoder {
  const v2 = context.version === "2.0";
  return (message) => {
    const body = jsonBody(message);
    let value: unknown;
    let annotations: CollectionAnnotations = {};
    if (v2) {
      const d = isRecord(body) && "d" in body ? body["d"] : body;
      if (Array.isArray(d)) value = d;
      else if (isRecord(d)) {
        value = d["results"];
        annotations = readCollectionAnnotations(d, "v2");
      }
      if (Array.isArray(value)) for (const entity of value) normalizeV2Entity(entity);
    } else if (isRecord(body)) {
      value = body["value"];
      annotations = readCollectionAnnotations(body, "v4");
    }
    if (!Array.isArray(value)) throw new ODataClientError("BAD_BATCH_RESPONSE", "the answer is not a collection");
    for (const entity of value) markExpanded(entity, expand);
    return toPage(context.core, value, annotations);
  };
}

function countDecoder(message: HttpMessage): number {
  const text = message.body.trim();
  if (!/^\d+$/.test(text)) throw new ODataClientError("BAD_BATCH_RESPONSE", `${JSON.stringify(clipText(text))} is not a count`);
  return Number(text);
}

function rawDecoder(message: HttpMessage): unknown {
  if (isJsonContentType(message.headers.get("content-type"))) return jsonBody(message);
  return message.body === "" ? undefined : message.body;
}

