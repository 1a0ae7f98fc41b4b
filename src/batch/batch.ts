/**
 * `$batch`: many requests in one HTTP request (OData 4.01 Part 1 §11.7), in the multipart form or
 * the JSON form of OData 4.01. This file is the builder: it records requests (record.ts) and hands
 * out typed handles. The rest loads when the batch is first sent, written or read (send.ts): the
 * recorded writes are built and the plan completed (plan.ts), the plan goes on the wire by wire.ts,
 * and its answer is read into one result per request, each part by the decoders of decoders.ts
 * with the readers of payload/. A program that never sends a batch loads only this builder.
 */
import type { ClientCore } from "../core.js";
import { ODataClientError } from "../errors.js";
import { lazilyMappedPoller } from "../lro/mapped-poller.js";
import type { AsyncPoller, AsyncPollerOptions } from "../lro/poller.js";
import { resumePoller } from "../lro/resume.js";
import { resultShapeOf, type AsyncPollerToken } from "../lro/token.js";
import { buildOperationRequest, type OperationCall, type OperationParameters } from "../operations/requests.js";
import type { ServiceOperationMethod } from "../operations/operation.js";
import type { ODataVersion } from "../options.js";
import { jsonMediaType } from "../payload/content-type.js";
import { checkWholeSet, type EntityState, type QueryState } from "../query/state.js";
import type { CollectionNavigation, RelatedType, Selected } from "../query/types.js";
import { collectionUrl, countUrl, encodePathText, entityUrl } from "../query/url.js";
import { readHeaders, type Page } from "../read/traversal.js";
import { CollectionQuery, type EntityQuery } from "../resources/query.js";
import { entityInternals, queryInternals, ReadEntityQuery, relatesOne } from "../resources/read-query.js";
import { isIdentifier } from "../util/identifiers.js";
import { describe, isPlainObject } from "../util/values.js";
import { pathBelowRoot } from "../util/service-root.js";
import type { CreateOptions, DeleteOptions, UpdateOptions } from "../write/options.js";
import type { EntityInput } from "../write/types.js";
import { BatchRecord, type BatchFormat, type DecodeSpec, type RequestSpec, type SentSpec, type WireSpec } from "./record.js";
import type { BatchRequestRef, BatchResult, BatchResults } from "./results.js";
import type { BatchSendAsyncOptions, BatchSendOptions, BatchToSend } from "./send.js";
import type { BatchBoundaries } from "./wire.js";

/** Sending, writing and reading a batch: loaded by the first of them. */
const sending = () => import("./send.js");

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
  boundaries?: BatchBoundaries | undefined;
}

/** Options of `batch.action()` and `batch.function()`. */
export interface BatchOperationOptions {
  /**
   * The entity or entity set the operation is bound to; unbound without it. (Any entity type: the
   * query classes are not assignable to their `unknown` instantiations, their field paths being
   * checked against `T`.)
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  bound?: EntityQuery<any, any, any> | CollectionQuery<any, any, any> | undefined;
  /** The namespace that qualifies a simple name of a bound operation (as in `OperationOptions`). */
  namespace?: string | undefined;
  /** Sent as `If-Match` (actions). */
  etag?: string | undefined;
  /** The method of an OData v2 service operation declared with another than `POST` (as in `ActionImportOptions`). */
  method?: ServiceOperationMethod | undefined;
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
  /**
   * The entity type, for the compiler only (never set): it keeps references to different types
   * apart, so that `create(author.navigation("books"), book)` is checked against `Book`.
   */
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
  readonly #record: BatchRecord;
  /** The type of the result's value, for the compiler only (never set). */
  declare readonly __value?: T;

  /** @internal Made by the batch. */
  constructor(index: number, contentId: string, record: BatchRecord) {
    this.index = index;
    this.contentId = contentId;
    this.#record = record;
  }

  /**
   * The request's result in the batch's latest results (after `send()` or `readAnswer()`, or after
   * its continuation or asynchronous poller finished). Throws `BATCH_NOT_SENT` before that, and
   * after a send or reading that failed, whichever way it went (`send()`, `sendAsync()` and its
   * poller, `readAnswer()`, a continuation, a resumed poller), with that failure as `cause`: the
   * results of an earlier send are not kept.
   */
  result(): BatchResult<T> {
    const { latest, failed, reading } = this.#record;
    if (latest) return latest.of(this);
    throw new ODataClientError("BATCH_NOT_SENT", `request ${this.index + 1} has no result${failed ? `: ${failed.what}` : ` yet: the batch ${reading ? "is under way" : "has not been sent"}`}`, failed);
  }
}

/** A handle of a request that yields an entity (get, create): later requests can reference it. */
export class BatchEntityHandle<T, V = T> extends BatchHandle<V> {
  /** `$<Content-ID>`: the entity this request reads or creates, for update, replace or delete. */
  ref(): BatchReference<T, "entity"> {
    return new BatchReference<T, "entity">(this.contentId, `$${this.contentId}`, "entity");
  }

  /** `$<Content-ID>/<name>`: a collection-valued navigation property of the entity, to create into. */
  navigation<K extends CollectionNavigation<T>>(name: K): BatchReference<RelatedType<T, K>, "collection"> {
    if (typeof name !== "string" || !isIdentifier(name)) {
      throw new TypeError(`navigation(name): ${JSON.stringify(name)} is not a property name`);
    }
    return new BatchReference<RelatedType<T, K>, "collection">(this.contentId, `$${this.contentId}/${encodePathText(name)}`, "collection");
  }
}

/**
 * Where an entity can be created: an entity set query (whatever it selects) or a navigation of an
 * earlier request.
 */
export type BatchCollectionTarget<T, S extends string = never, X = {}> = CollectionQuery<T, S, X> | BatchReference<T, "collection">;
/** Which entity a write changes: an entity query (whatever it selects) or an earlier request's entity. */
export type BatchEntityTarget<T, S extends string = never, X = {}> = EntityQuery<T, S, X> | BatchReference<T, "entity">;

/** A request given as it goes on the wire (for what the builder has no method for). */
export interface BatchRawRequest {
  method: string;
  /** Relative to the service root (or a `$<Content-ID>` reference). */
  url: string;
  headers?: Record<string, string> | undefined;
  /**
   * A JSON value (sent as JSON), text, or bytes (a `Uint8Array`, another typed array or an
   * `ArrayBuffer`): sent as they are under the `Content-Type` given, in a multipart batch raw and
   * in a JSON batch base64url-encoded (text and JSON types as the text they are). Without one,
   * bytes go as `application/octet-stream`, and so does text in a JSON batch (which must name every
   * body's type: name `application/json` for JSON text, or give the value); a multipart part
   * carries text untyped. A `ReadableStream`, `Blob`, `FormData` or another object that
   * JSON would write as `{}` is refused with a `TypeError`: a batch's body is written whole.
   */
  body?: unknown;
}

/**
 * What a batch and a changeset share: the writes, added to the batch's plan. Name it for code that
 * adds the same writes to either.
 * @example
 * function addOrder(writes: BatchWrites, order: Order) {
 *   return writes.create(client.collection<Order>("Orders"), order);
 * }
 */
export abstract class BatchWrites {
  /**
   * What building requests needs, the client's core (its credentials) among it: private, so that
   * neither a property nor `util.inspect` with its getters shown reaches it.
   */
  readonly #context: BatchContext;
  /** The changeset the writes go into; `undefined` for the batch itself. */
  readonly #changeset: number | undefined;

  /** @internal */
  constructor(context: BatchContext, changeset: number | undefined) {
    this.#context = context;
    this.#changeset = changeset;
  }

  /** @internal Adds a request to the plan and gives its handle. */
  protected add<V>(spec: RequestSpec, handle: "plain"): BatchHandle<V>;
  /** @internal */
  protected add<V, T>(spec: RequestSpec, handle: "entity"): BatchEntityHandle<T, V>;
  protected add(spec: RequestSpec, handle: "plain" | "entity"): BatchHandle<unknown> {
    const { record } = this.#context;
    const request = record.add(spec, this.#changeset);
    return handle === "entity" ? new BatchEntityHandle(request.index, request.id, record) : new BatchHandle(request.index, request.id, record);
  }

  /**
   * `POST` of a new entity into an entity set, or into a navigation of an entity created earlier
   * in the batch. The value is the created entity (`undefined` when the service answered 204).
   * The request is built when the batch is sent or written (`toRequest()`): the entity is read as
   * it is then, and a bad entity or option rejects that call with the error `create()` would throw.
   * A write's options here are those of the write sent alone but `signal`, `timeout` and
   * `onResponse` (give them to `send()`) and `tunnel: true`, which is refused: a part's method goes
   * inside the batch's `POST`, where no proxy sees it.
   */
  create<T, S extends string = never, X = {}>(
    target: BatchCollectionTarget<T, S, X>,
    entity: NoInfer<EntityInput<T>>,
    options?: Omit<CreateOptions, "signal" | "timeout" | "onResponse" | "tunnel"> & { tunnel?: false | undefined },
  ): BatchEntityHandle<T, T | undefined> {
    const { state, dependsOn } = collectionTarget(this.#context, target, "create(entity)");
    return this.add<T | undefined, T>({ call: { method: "create", state, entity, options }, dependsOn, decode: { kind: "entity" } }, "entity");
  }

  /**
   * `PATCH` (v2 `MERGE`) of the properties given, with `If-Match` as `update()` sends it (built
   * when the batch is sent or written, as for {@link create}).
   */
  update<T, S extends string = never, X = {}>(
    target: BatchEntityTarget<T, S, X>,
    patch: NoInfer<EntityInput<T>>,
    options?: Omit<UpdateOptions, "signal" | "timeout" | "onResponse" | "tunnel"> & { tunnel?: false | undefined },
  ): BatchHandle<T | undefined> {
    const { state, dependsOn } = entityTarget(this.#context, target, "update(patch)");
    return this.add<T | undefined>({ call: { method: "update", state, entity: patch, options }, dependsOn, decode: { kind: "entity" } }, "plain");
  }

  /** `PUT` of the whole entity (built when the batch is sent or written). */
  replace<T, S extends string = never, X = {}>(
    target: BatchEntityTarget<T, S, X>,
    entity: NoInfer<EntityInput<T>>,
    options?: Omit<UpdateOptions, "signal" | "timeout" | "onResponse" | "tunnel"> & { tunnel?: false | undefined },
  ): BatchHandle<T | undefined> {
    const { state, dependsOn } = entityTarget(this.#context, target, "replace(entity)");
    return this.add<T | undefined>({ call: { method: "replace", state, entity, options }, dependsOn, decode: { kind: "entity" } }, "plain");
  }

  /** `DELETE` of the entity (built when the batch is sent or written). */
  delete<T, S extends string = never, X = {}>(target: BatchEntityTarget<T, S, X>, options?: Omit<DeleteOptions, "signal" | "timeout" | "onResponse" | "tunnel"> & { tunnel?: false | undefined }): BatchHandle<undefined> {
    const { state, dependsOn } = entityTarget(this.#context, target, "delete()");
    return this.add<undefined>({ call: { method: "delete", state, options }, dependsOn, decode: { kind: "none" } }, "plain");
  }

  /**
   * An action call (`POST`), unbound or bound (`{ bound: query }`); the value is the unwrapped
   * result as `ActionCall.invoke()` gives it.
   */
  action<R = unknown>(name: string, params?: OperationParameters, options?: BatchOperationOptions): BatchHandle<R> {
    return this.add<R>(operationSpec(this.#context, "action", name, params, options), "plain");
  }
}

/** The requests of one changeset: they succeed or fail together. */
export class BatchChangeset extends BatchWrites {
  /** @internal Made by `batch.changeset()`. */
  constructor(context: BatchContext, changeset: number) {
    super(context, changeset);
  }
}

/** What building requests needs: the client, its version, and the batch's record. */
interface BatchContext {
  core: ClientCore;
  version: ODataVersion;
  record: BatchRecord;
}

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
  readonly #boundaries: BatchBoundaries | undefined;

  /** @internal Made by `client.batch()`. */
  constructor(core: ClientCore, options: BatchOptions | undefined) {
    const version = core.options.version;
    const format = options?.format === undefined ? (version === "4.01" ? "json" : "multipart") : options.format;
    if (format !== "multipart" && format !== "json") throw new TypeError(`batch(options): option "format" must be "multipart" or "json"; got ${JSON.stringify(format)}`);
    if (format === "json" && version === "2.0") {
      throw new ODataClientError("UNSUPPORTED_BY_VERSION", 'batch({ format: "json" }): JSON batches are OData 4.01; an OData v2 service knows only multipart');
    }
    const context = { core, version, record: new BatchRecord(format) };
    super(context, undefined);
    this.#context = context;
    const boundaries = options?.boundaries;
    // Fixed boundaries are for tests that compare bodies; each is checked as a boundary when the batch is written.
    if (boundaries !== undefined && (typeof boundaries !== "object" || boundaries === null || typeof boundaries.batch !== "string" || typeof boundaries.changeset !== "function")) {
      throw new TypeError('batch(options): option "boundaries" must be { batch: string, changeset: (n) => string }');
    }
    this.#boundaries = boundaries;
  }

  /** The wire form this batch is sent in. */
  get format(): BatchFormat {
    return this.#context.record.format;
  }

  /** How many requests the batch holds. */
  get size(): number {
    return this.#context.record.requests.length;
  }

  // --- reads ------------------------------------------------------------------------------------

  /** `GET` of one entity (with the query's `$select`/`$expand`); the value is the entity, typed as `query.get()` gives it. */
  get<T, S extends string = never, X = {}, Z = never>(query: EntityQuery<T, S, X, Z>): BatchEntityHandle<T, Selected<T, S, X> | Z> {
    const { core, state } = entityInternals(query, "get(query): the query");
    this.#checkClient(core, "get(query)");
    const url = entityUrl(core.options.serviceUrl, this.#context.version, state);
    // Options a JavaScript caller gives it, which it has none of, go along for the plan to refuse.
    return this.add<Selected<T, S, X> | Z, T>(readSpec(this.#context, url, { kind: "entity", expand: state.expand, read: relatesOne(state) ? "or null" : true }, { method: "get", options: arguments[1] }), "entity");
  }

  /**
   * `GET` of a collection query, with the `Prefer` that `query.page()` sends (the client's
   * `maxPageSize`, `trackChanges()`); the value is its page, as `query.page()` gives it: the
   * entities, a `nextLink` when the service paged the answer (read the rest with
   * `query.pages({ from })`), and a `deltaLink` when it tracks changes.
   */
  page<T, S extends string = never, X = {}>(query: CollectionQuery<T, S, X>): BatchHandle<Page<Selected<T, S, X>>> {
    const { core, state } = queryInternals(query, "page(query): the query");
    this.#checkClient(core, "page(query)");
    const url = collectionUrl(core.options.serviceUrl, this.#context.version, state);
    // With the Prefer of query.page(): trackChanges(), without which the page would carry no deltaLink.
    const spec = readSpec(this.#context, url, { kind: "page", expand: state.expand }, { method: "page", options: arguments[1] }, { trackChanges: state.trackChanges === true });
    return this.add<Page<Selected<T, S, X>>>(spec, "plain");
  }

  /**
   * `GET <set>/$count` with the query's `$filter`, `$search`, `$apply`, `$compute` and custom
   * options, as `countAll()` sends it; the value is the number.
   */
  count<T, S extends string = never, X = {}>(query: CollectionQuery<T, S, X>): BatchHandle<number> {
    const { core, state } = queryInternals(query, "count(query): the query");
    this.#checkClient(core, "count(query)");
    const url = countUrl(core.options.serviceUrl, this.#context.version, state as QueryState);
    const spec = readSpec(this.#context, url, { kind: "count" }, { method: "count", options: arguments[1] });
    spec.request.headers["accept"] = "text/plain";
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
    if (request.headers !== undefined && !isPlainObject(request.headers)) throw new TypeError(`request(request): headers must be an object of header names to strings; got ${describe(request.headers)}`);
    // Kept as given: names and values (one name twice in other case among them) are checked, and
    // lower-cased, when the batch is sent or written (batch/plan.ts), as writes are; the checker
    // loads with that code rather than with every client.
    const headers: Record<string, string> = { ...request.headers };
    const has = (name: string) => Object.keys(headers).some((given) => given.toLowerCase() === name);
    const json = jsonMediaType(this.#context.core.options.ieee754Compatible);
    // A raw value (`.../$value`: media, a property's value) is of its own type, not JSON, as a
    // media read alone asks for it; SAP CAP answers 406 to JSON only.
    if (!has("accept")) headers["accept"] = /\/\$value(?:\?|$)/.test(request.url) ? "*/*" : json;
    let body: WireSpec["body"];
    const given: unknown = request.body;
    // Bytes are sent as they are, under application/octet-stream where no type is given, and text so in a JSON batch (plan.ts).
    if (given instanceof ArrayBuffer || ArrayBuffer.isView(given)) body = given;
    else if (given !== undefined) {
      body = typeof given === "string" ? given : JSON.stringify(given);
      // A stream, a Blob, FormData, URLSearchParams: bodies fetch takes, which JSON writes as {} (or,
      // in Bun, as their text fields without the files), refused rather than lost.
      const fetchBody = [globalThis.ReadableStream, globalThis.Blob, globalThis.FormData, globalThis.URLSearchParams].some((type) => typeof type === "function" && given instanceof type);
      if (typeof given === "object" && !isPlainObject(given) && (body === "{}" || fetchBody)) {
        throw new TypeError(`request(request): body: a ${given?.constructor?.name} cannot be sent in a batch; give its bytes as a Uint8Array`);
      }
      if (typeof given !== "string" && !has("content-type")) headers["content-type"] = json;
    }
    // Only a number names an earlier request (the ids this client gives); `$metadata`, `$all`,
    // `$entity`, `$crossjoin(...)` are the service's own resources.
    const dependsOn = /^\$(\d+)(?![^/?])/.exec(request.url)?.[1];
    // The request goes along too, for the plan to refuse a member it does not take (an `etag`,
    // which a raw request gives as a header), as an option a write does not take is.
    return this.add<R>({ call: { method: "request", options: request }, request: { method: request.method.toUpperCase(), path: request.url, headers, body }, dependsOn: dependsOn ? [dependsOn] : [], decode: { kind: "raw" } }, "plain");
  }

  /**
   * A changeset: the requests `build` adds succeed or fail together (multipart: a nested part;
   * JSON: one atomicity group). Later requests inside it can reference earlier ones
   * (`handle.ref()`, `handle.navigation(name)`). If it fails, every request in it reads as failed.
   * If `build` throws, its error goes on to the caller and the changeset is left out of the batch
   * with every request it added: their handles' `result()` throws a `TypeError`, and a reference to
   * one of them is refused like one to a request the batch does not hold.
   */
  changeset(build: (changeset: BatchChangeset) => void): void {
    if (typeof build !== "function") throw new TypeError("changeset(build): build must be a function");
    this.#context.record.changeset((changeset) => build(new BatchChangeset(this.#context, changeset)));
  }

  // --- sending ----------------------------------------------------------------------------------
  // Each seals the batch at once (no request can be added after the call), then loads the code
  // that sends, writes or reads it.

  /**
   * Posts the batch to `<serviceUrl>$batch` and reads the answer: one result per request, in
   * request order, also reachable through the handles. Rejects only when the batch as a whole
   * failed (an HTTP error status, a network error, an answer that cannot be split into its
   * requests' answers: `BAD_BATCH_RESPONSE`), or when a write it holds cannot be built (the error
   * `create()` and the others would throw alone). A part whose own body cannot be read is that
   * request's failed result. A send drops the results of the one before: after a send that failed,
   * `results()` is `undefined` and the handles' `result()` throws `BATCH_NOT_SENT`. So does every
   * other way of sending or reading the batch (`sendAsync()` and its poller, `readAnswer()`, a
   * continuation, a resumed poller) that fails; a continuation of an earlier send, once the batch
   * was sent again, gives its results to its caller only.
   */
  async send(options?: BatchSendOptions): Promise<BatchResults> {
    this.#context.record.sealForSending("send()");
    // `return await`: a method that returned a promise already rejected (an argument refused before
    // sending) left it unhandled for a turn, which workerd reports as an unhandled rejection.
    return await (await sending()).sendBatch(this.#toSend, options);
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
    this.#context.record.sealForSending("sendAsync()");
    return await (await sending()).sendBatchAsync(this.#toSend, options);
  }

  /**
   * Rebuilds the poller of `sendAsync()` or of `results.continuation` from its `toJSON()`, on a
   * batch with the same requests (for example in another process that built the same batch), so
   * that the answer is read into this batch's results and handles. Sends nothing. A token that is
   * not one, or of an operation's poller, is refused at once with a `TypeError`. Whether the token
   * is of this batch (the same requests, order and changesets) is checked when the batch's code
   * loads, on the poller's first `poll()`, `wait()` or `cancel()`, which reject with a `TypeError`
   * for another batch's token; until then `result()` of a token saved after success throws
   * `ASYNC_OPERATION_PENDING`, as the answer is read then too. A version 1 token (an earlier
   * release's, which names no batch) is read as this batch's answer. Resuming a continuation, the
   * requests answered before it was saved read `BATCH_ANSWERED_EARLIER`: their results are in the
   * results of the send that gave it. That holds for a JSON batch's requests answered at once
   * after the `202` of one still to come too: the token names the requests still to come, and only
   * they are matched to the monitor's answer (a token written before it named them matches every
   * request from the first one still to come on, as it did).
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
    if (shape.kind === "entity") {
      throw new TypeError("batch.resumeAsync(token): the token is from the poller of a write (createAsync, updateAsync, replaceAsync or deleteAsync), not of a batch; resume it with client.resumeAsync(token)");
    }
    this.#context.record.seal();
    const batch = this.#toSend;
    return lazilyMappedPoller(inner, async () => (await sending()).resumeBatch(batch, inner, shape, options));
  }

  /**
   * The `$batch` request this batch sends, without sending it: for logging, or for a transport of
   * the caller's own. Seals the batch like `send()` does. A promise, since the code that writes a
   * batch loads with the first use. Its body is text: a multipart batch whose body holds a
   * `request()`'s bytes rejects with a `TypeError` (a JSON batch carries them as base64url text).
   */
  async toRequest(options?: Pick<BatchSendOptions, "continueOnError">): Promise<{ method: "POST"; url: string; headers: Record<string, string>; body: string }> {
    this.#context.record.sealForSending("toRequest()");
    const { url, headers, body } = (await sending()).wireRequestOf(this.#toSend, options);
    return { method: "POST", url: url.href, headers: Object.fromEntries(headers), body };
  }

  /**
   * Reads the body of a `$batch` answer (multipart or JSON, told by `contentType`) into this
   * batch's results, as `send()` does with what it receives; a function of the answer alone
   * (nothing is sent). Rejects with `BAD_BATCH_RESPONSE` for an answer that cannot be read. A
   * promise, since the code that reads a batch loads with the first use.
   */
  async readAnswer(answer: { contentType: string | null; body: string }, options?: Pick<BatchSendOptions, "continuation">): Promise<BatchResults> {
    this.#context.record.seal();
    return await (await sending()).readBatchAnswer(this.#toSend, answer, options);
  }

  /**
   * The results of the latest send or reading (or its continuation) of this batch; `undefined`
   * before, while `sendAsync()`'s poller runs, and after the latest failed.
   */
  results(): BatchResults | undefined {
    return this.#context.record.latest;
  }

  // --- internals --------------------------------------------------------------------------------

  /** The batch as sending sees it. */
  get #toSend(): BatchToSend {
    return { core: this.#context.core, record: this.#context.record, boundaries: this.#boundaries };
  }

  #checkClient(core: ClientCore, where: string): void {
    if (core !== this.#context.core) throw new TypeError(`${where}: the query belongs to another client than this batch`);
  }
}

// --- building requests -------------------------------------------------------------------------

/**
 * A read part with the headers the same read sends on its own (read/traversal.ts `readHeaders`:
 * `Accept`, the version headers of a read, which are none, and for a `page` the `Prefer` with the
 * client's `maxPageSize` and the query's `trackChanges`, which an entity or a count read leaves
 * out); the $batch request itself carries the write's version headers. `call` is the builder's
 * method and what the caller gave it beyond the query (it takes nothing more), for the plan to refuse.
 */
function readSpec(context: BatchContext, url: URL, decode: DecodeSpec, call: SentSpec["call"], page?: { trackChanges: boolean }): SentSpec {
  const sent = readHeaders(context.core, undefined, page?.trackChanges);
  if (page === undefined) sent.delete("prefer");
  const headers: Record<string, string> = Object.fromEntries(sent);
  return { call, request: { method: "GET", path: pathBelowRoot(context.core.options.serviceUrl, url), headers }, dependsOn: [], decode };
}

function collectionTarget<T, S extends string, X>(context: BatchContext, target: BatchCollectionTarget<T, S, X>, where: string): { state: QueryState; dependsOn: string[] } {
  if (target instanceof BatchReference) {
    if (target.kind !== "collection") throw new TypeError(`${where}: the target ${target.path} is an entity, not a collection to create into`);
    const slash = target.path.indexOf("/");
    return { state: { parentPath: target.path.slice(0, slash), entitySet: target.path.slice(slash + 1) }, dependsOn: [target.contentId] };
  }
  const { core, state } = queryInternals(target, `${where}: the target`);
  if (core !== context.core) throw new TypeError(`${where}: the query belongs to another client than this batch`);
  return { state, dependsOn: [] };
}

function entityTarget<T, S extends string, X>(context: BatchContext, target: BatchEntityTarget<T, S, X>, where: string): { state: EntityState; dependsOn: string[] } {
  if (target instanceof BatchReference) {
    if (target.kind !== "entity") throw new TypeError(`${where}: the target ${target.path} is a collection, not an entity`);
    return { state: { entitySet: target.path, keyPredicate: "" }, dependsOn: [target.contentId] };
  }
  const { core, state } = entityInternals(target, `${where}: the target`);
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
  // Named as its request's checks name it (operations/requests.ts).
  const where = `${kind}(${JSON.stringify(name)})`;
  let binding: OperationCall["binding"];
  let state: (Partial<EntityState> & QueryState) | undefined;
  const bound = options?.bound;
  if (bound !== undefined) {
    if (!(bound instanceof CollectionQuery) && !(bound instanceof ReadEntityQuery)) {
      throw new TypeError(`${where}: option "bound" must be a collection or entity query of this client`);
    }
    const internals = bound instanceof CollectionQuery ? queryInternals(bound) : entityInternals(bound);
    if (internals.core !== context.core) throw new TypeError(`${where}: the bound query belongs to another client than this batch`);
    state = internals.state as Partial<EntityState> & QueryState;
    binding = { entitySet: state.entitySet, parentPath: state.parentPath, ...(state.keyPredicate === undefined ? {} : { keyPredicate: state.keyPredicate }) };
  }
  const call: OperationCall = { kind, name, parameters: params, binding, namespace: options?.namespace, etag: options?.etag, queryOptions: state?.params, method: options?.method };
  // Built before the bound query's options are checked: OData v2, which has no bound operations,
  // refuses the binding itself (UNSUPPORTED_BY_VERSION), whatever the query holds.
  const request = buildOperationRequest(context.core.options.serviceUrl, context.version, call, context.core.options.ieee754Compatible);
  if (state) checkWholeSet(state, `${where} option "bound"`);
  // A function's part asks for the client's page size as the function sent alone does (operations/call.ts).
  const prefer = request.method === "GET" ? readHeaders(context.core, undefined).get("prefer") : null;
  const headers = prefer ? { ...request.headers, prefer } : { ...request.headers };
  // The options go along for the plan to refuse a `timeout` or `signal` in them, as a write's are.
  return { call: { method: kind, name, options, binding }, request: { method: request.method, path: request.path, headers, body: request.body }, dependsOn: [], decode: { kind: "operation", name } };
}
