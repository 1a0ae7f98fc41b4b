/**
 * The resources of a service as `ODataClient` hands them out: `CollectionQuery` and `EntityQuery`,
 * the reading queries of read-query.ts with partitions, writes, media and operations added.
 * Building and reading are inherited; the writing verbs (writes.ts) load with their first use, so
 * that a program that only walks collections never loads them.
 *
 * Why the two classes share this file: they lead to each other (`key()` gives an entity of the
 * collection, `navigate()` a collection below the entity), so either file would import the other.
 */
import type { ClientCore } from "../core.js";
import type { AsyncPoller } from "../lro/poller.js";
import { checkWholeSet, type EntityState, type QueryState } from "../query/state.js";
import type { CollectionNavigation, NavigationName, OperationParams, OperationResult, ShapeOperations, SingleNavigation, UntypedName } from "../query/types.js";
import { MediaResource } from "../write/media.js";
import type { EntityInput } from "../write/types.js";
import { ActionCall, FunctionCall, type OperationOptions, type ParametersThen } from "../operations/operation.js";
import { checkWholeCollection, partitionPath, partitionState, type PartitionOptions, type QueryPartition } from "./partition.js";
import type { OperationCall, OperationParameters } from "../operations/requests.js";
import type { CreateAsyncOptions, CreateMediaOptions, CreateOptions, DeleteAsyncOptions, DeleteOptions, UpdateAsyncOptions, UpdateOptions, UpsertOptions, WriteOptions } from "../write/options.js";
import { entityInternals, queryInternals, ReadCollectionQuery, ReadEntityQuery, type QueryConstructor } from "./read-query.js";


declare module "./read-query.js" {
  /** `full`: the classes of this file, which `ODataClient` hands out. */
  interface QueryKinds<T, S extends string, X, Z> {
    full: { collection: CollectionQuery<T, S, X>; entity: EntityQuery<T, S, X, Z> };
  }
}

/**
 * The writing verbs (writes.ts), loaded by the first write: a program that only reads never loads
 * them. The runtime keeps the module once loaded, so later writes only await a settled import.
 *
 * The methods that call a verb `return await` its promise rather than return it: a promise already
 * rejected when returned (an argument refused before sending) stayed unhandled for a turn while the
 * method's own promise took it over, which workerd reports as an unhandled rejection.
 */
const writing = () => import("./writes.js");

/**
 * A query on one entity set of the service, made by `client.collection<T>(name)`: everything a
 * {@link ReadCollectionQuery} does (building and reading), plus partitions, writes and operations.
 * @typeParam T - the entity type, used to check field names, values and keys, and to type results.
 * @typeParam S - the names given to `select()` so far (`never`: none, every property is read).
 * @typeParam X - the navigation properties expanded so far, with their rows.
 * @example
 * const open = client.collection<Order>("Orders").filter((f) => f.eq("status", "open"));
 * const recent = open.orderBy("createdAt", "desc").top(10); // `open` is unchanged
 */
export class CollectionQuery<T = Record<string, unknown>, S extends string = never, X = {}> extends ReadCollectionQuery<T, S, X, "full"> {
  // --- partitions -----------------------------------------------------------------------------

  /**
   * Splits the collection into `n` ranges of its key, to be read at once by several walkers (tasks,
   * processes, machines): `$count`, then one `$orderby` + `$top=1` probe per boundary (or one
   * `$apply` aggregate, or `$skip` windows where the key cannot be ordered: `options.strategy`).
   * Resolves with plain-JSON partitions; run one with {@link partition}, here or anywhere else.
   * Every entity is in exactly one range, also one added after the plan was made.
   * @example
   * const plan = await client.collection("Readings").partitions(4, { model: await client.metadata() });
   * await Promise.all(plan.map(async (p) => { for await (const row of client.collection("Readings").partition(p)) store(row); }));
   */
  async partitions(n: number, options?: PartitionOptions): Promise<QueryPartition[]> {
    const { core, state } = queryInternals(this);
    checkWholeCollection(state, "partitions(n)");
    const { planPartitions } = await import("./partitions.js");
    // `return await`, as the writing verbs' (see `writing`).
    return await planPartitions(core, state, n, options, partitionState, partitionPath(state));
  }

  /**
   * This query restricted to one partition that `partitions(n)` planned for it (its key range as
   * one more `$filter`, or its `$skip`/`$top` window). Sends nothing.
   */
  partition(partition: QueryPartition): this {
    const { core, state } = queryInternals(this);
    return new (this.constructor as QueryConstructor<this, QueryState>)(core, partitionState(state, partition));
  }

  // --- writing --------------------------------------------------------------------------------

  /**
   * Creates an entity as a long-running operation: the request of {@link create} (its headers,
   * its body without the annotations reading added) with `Prefer: respond-async`; the body is
   * checked against `T` as `create()`'s is. Resolves with a poller once the service has answered
   * the initial request.
   * @example
   * const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv" });
   * const result = await poller.wait();
   */
  async createAsync<R = T>(body: EntityInput<T>, options?: CreateAsyncOptions): Promise<AsyncPoller<R>> {
    const { core, state } = queryInternals(this);
    return await (await writing()).createAsync<R>(core, state, body, options);
  }

  // --- operations -----------------------------------------------------------------------------

  /**
   * An action bound to this entity set (`POST Books/NS.name`); sends nothing until `invoke()`.
   * @example await client.collection("Books").action<number>("CatalogService.restockAll").invoke({ quantity: 5 })
   */
  action<N extends ShapeOperations<T, "collectionActions">["name"]>(
    name: N,
    options?: OperationOptions,
  ): ActionCall<OperationResult<T, "collectionActions", N>, OperationParams<T, "collectionActions", N>>;
  action<R = unknown, const N extends string = string>(
    name: UntypedName<N, ShapeOperations<T, "collectionActions">["name"]>,
    options?: OperationOptions,
  ): ActionCall<R>;
  action(name: string, options?: OperationOptions): ActionCall<unknown> {
    const { core, state } = queryInternals(this);
    return boundCall(state, "action", name, options, (call) => new ActionCall(core, call));
  }

  /**
   * A function bound to this entity set (`GET Books/NS.name(p=1)`); sends nothing until `get()`.
   * @example const top = await client.collection<Book>("Books").function<Book[]>("CatalogService.topSellers", { n: 3 }).get()
   */
  function<N extends ShapeOperations<T, "collectionFunctions">["name"]>(
    name: N,
    ...[params, options]: ParametersThen<OperationParams<T, "collectionFunctions", N>, OperationOptions>
  ): FunctionCall<OperationResult<T, "collectionFunctions", N>>;
  function<R = unknown, const N extends string = string>(
    name: UntypedName<N, ShapeOperations<T, "collectionFunctions">["name"]>,
    params?: OperationParameters,
    options?: OperationOptions,
  ): FunctionCall<R>;
  function(name: string, params?: object, options?: OperationOptions): FunctionCall<unknown> {
    const { core, state } = queryInternals(this);
    return boundCall(state, "function", name, options, (call) => new FunctionCall(core, { ...call, parameters: params as OperationParameters | undefined }));
  }

  /**
   * Creates an entity: `POST` to the entity set (or to a navigation such as `Books(1)/reviews`).
   * Nested entities are created with it (deep insert). Resolves with the entity as the service
   * returned it (its `ETag` header kept as `@odata.etag`, v2 `__metadata.etag`), `undefined` on 204
   * (for example with `prefer: "minimal"`).
   * @example
   * const book = await client.collection<Book>("Books").create({ ID: 7, title: "Emma", reviews: [{ ID: 70, rating: 5 }] });
   */
  async create(entity: EntityInput<T>, options?: CreateOptions): Promise<T | undefined> {
    const { core, state } = queryInternals(this);
    return await (await writing()).create<T>(core, state, entity, options);
  }

  /**
   * Creates a media entity from its content: `POST` of the bytes with their `Content-Type` (and
   * `Slug`); the service makes the entity and usually answers with it.
   */
  async createMedia(content: string | Uint8Array, options: CreateMediaOptions): Promise<T | undefined> {
    const { core, state } = queryInternals(this);
    return await (await writing()).createMedia<T>(core, state, content, options);
  }

  // --- internals ------------------------------------------------------------------------------

  /** @internal */
  protected override entityQuery(core: ClientCore, state: EntityState): object {
    return new EntityQuery(core, state);
  }
}


/**
 * One entity of an entity set, made by `collection.key(...)`: everything a {@link ReadEntityQuery}
 * does (building, `get()`, navigation), plus writes, links, media and operations. Sends nothing
 * until a reading or writing method runs.
 * @typeParam T - the entity type.
 * @typeParam S - the names given to `select()` so far (`never`: none, every property is read).
 * @typeParam X - the navigation properties expanded so far, with their rows.
 * @typeParam Z - `null` where `get()` may find no entity (a single-valued navigation, `navigateOne()`; a singleton made with `{ nullable: true }`).
 */
export class EntityQuery<T = Record<string, unknown>, S extends string = never, X = {}, Z = never> extends ReadEntityQuery<T, S, X, "full", Z> {
  // --- writing --------------------------------------------------------------------------------

  /**
   * Changes the properties in `patch`: `PATCH` (OData v2 `MERGE`; `tunnel: true` sends `POST` with
   * `X-HTTP-Method`). `If-Match` is `ifMatch`, else `etag` (an ETag, or the entity read earlier),
   * else the ETag `patch` itself carries; `etag: false` sends none. Navigation values that a read
   * expanded (as a `{ ...entity }` copy holds them) are left out unless `deep: true`. Resolves with
   * the entity when the service returns it, `undefined` on 204. 412 and 428 reject with
   * `ODataHttpError`.
   * @example
   * const book = await books.key(1).get();
   * await books.key(1).update({ stock: 3 }, { etag: book }); // If-Match: W/"..."
   * await books.key(1).update({ ...book, stock: 3 });         // every property read, and its ETag
   */
  async update(patch: EntityInput<T>, options?: UpdateOptions): Promise<T | undefined> {
    const { core, state } = entityInternals(this);
    return await (await writing()).update<T>(core, state, patch, options);
  }

  /** Replaces the entity: `PUT`, `If-Match` as for {@link update}. Properties not sent get their defaults. */
  async replace(entity: EntityInput<T>, options?: UpdateOptions): Promise<T | undefined> {
    const { core, state } = entityInternals(this);
    return await (await writing()).replace<T>(core, state, entity, options);
  }

  /**
   * Creates or updates the entity at this key (OData 4.01 §11.4.4): `PATCH` (or `PUT` with
   * `replace: true`) without `If-Match`, which a service that supports upserts turns into an insert
   * when the key does not exist yet. `ifNoneMatch: "*"` inserts only (412 when it exists); for
   * update-only use `update(patch, { ifMatch: "*" })`.
   */
  async upsert(entity: EntityInput<T>, options?: UpsertOptions): Promise<T | undefined> {
    const { core, state } = entityInternals(this);
    return await (await writing()).upsert<T>(core, state, entity, options);
  }

  /** Deletes the entity: `DELETE`, with `If-Match` from `etag` (an ETag, or the entity read earlier) or `ifMatch`. */
  async delete(options?: DeleteOptions): Promise<void> {
    const { core, state } = entityInternals(this);
    return await (await writing()).remove(core, state, options);
  }

  /**
   * Updates the entity as a long-running operation: the request of {@link update} (`PATCH`, v2
   * `MERGE`, its `If-Match` and body) with `Prefer: respond-async`. Resolves with a poller once the
   * service has answered; a service that answers at once gives a finished poller. Its result is
   * what {@link update} resolves with: the entity, or `undefined` where the service answers `204`.
   * @example const poller = await books.key(1).updateAsync({ stock: 0 }, { etag: book }); await poller.wait();
   */
  async updateAsync<R = T | undefined>(patch: EntityInput<T>, options?: UpdateAsyncOptions): Promise<AsyncPoller<R>> {
    const { core, state } = entityInternals(this);
    return await (await writing()).writeAsync<R>(core, state, "update", patch, options);
  }

  /** Replaces the entity as a long-running operation: {@link replace}'s `PUT` with `Prefer: respond-async`. */
  async replaceAsync<R = T | undefined>(entity: EntityInput<T>, options?: UpdateAsyncOptions): Promise<AsyncPoller<R>> {
    const { core, state } = entityInternals(this);
    return await (await writing()).writeAsync<R>(core, state, "replace", entity, options);
  }

  /** Deletes the entity as a long-running operation: {@link delete}'s `DELETE` with `Prefer: respond-async`. */
  async deleteAsync<R = undefined>(options?: DeleteAsyncOptions): Promise<AsyncPoller<R>> {
    const { core, state } = entityInternals(this);
    return await (await writing()).writeAsync<R>(core, state, "delete", undefined, options);
  }

  /**
   * Adds `target` to the collection-valued navigation property `navigation`: v4
   * `POST Books(1)/reviews/$ref`, v2 `POST Books(1)/$links/reviews`.
   * @example await books.key(1).link("reviews", client.collection("Reviews").key(5))
   */
  async link<R>(navigation: CollectionNavigation<T>, target: EntityQuery<R>, options?: WriteOptions): Promise<void> {
    const { core, state } = entityInternals(this);
    return await (await writing()).link(core, state, navigation, targetState(target, "link(navigation, target)"), options);
  }

  /**
   * Points the single-valued navigation property `navigation` at `target`: v4
   * `PUT Books(1)/author/$ref`, v2 `PUT Books(1)/$links/author`.
   * @example await books.key(1).setLink("author", client.collection("Authors").key("austen"))
   */
  async setLink<R>(navigation: SingleNavigation<T>, target: EntityQuery<R>, options?: WriteOptions): Promise<void> {
    const { core, state } = entityInternals(this);
    return await (await writing()).setLink(core, state, navigation, targetState(target, "setLink(navigation, target)"), options);
  }

  /**
   * Removes a reference: `target` from a collection-valued navigation property (v4
   * `DELETE Books(1)/reviews/$ref?$id=...`, v2 `DELETE Books(1)/$links/reviews(5)`), or, without
   * `target`, clears a single-valued one (`DELETE Books(1)/author/$ref`).
   */
  async unlink<R>(navigation: NavigationName<T>, target?: EntityQuery<R>, options?: WriteOptions): Promise<void> {
    const { core, state } = entityInternals(this);
    return await (await writing()).unlink(core, state, navigation, target === undefined ? undefined : targetState(target, "unlink(navigation, target)"), options);
  }

  // --- media ----------------------------------------------------------------------------------

  /**
   * The content of this media entity (`Photos(1)/$value`), or of its stream property `property`
   * (`Books(1)/cover`): read as bytes, text or a stream, or replaced with `put`. Sends nothing.
   */
  media(property?: keyof T & string): MediaResource {
    const { core, state } = entityInternals(this);
    return new MediaResource(core, state, property);
  }

  // --- operations -----------------------------------------------------------------------------

  /**
   * An action bound to this entity (`POST Books(1)/NS.name`); sends nothing until `invoke()`. Pass
   * `{ etag }` to `invoke()` where the service protects the entity with an ETag.
   * @example await client.collection("Books").key(1).action<{ stock: number }>("CatalogService.order").invoke({ quantity: 2 }, { etag: "*" })
   */
  action<N extends ShapeOperations<T, "actions">["name"]>(
    name: N,
    options?: OperationOptions,
  ): ActionCall<OperationResult<T, "actions", N>, OperationParams<T, "actions", N>>;
  action<R = unknown, const N extends string = string>(
    name: UntypedName<N, ShapeOperations<T, "actions">["name"]>,
    options?: OperationOptions,
  ): ActionCall<R>;
  action(name: string, options?: OperationOptions): ActionCall<unknown> {
    const { core, state } = entityInternals(this);
    return boundCall(state, "action", name, options, (call) => new ActionCall(core, call));
  }

  /**
   * A function bound to this entity (`GET Books(1)/NS.name(p=1)`); sends nothing until `get()`.
   * @example const price = await client.collection("Books").key(1).function<number>("CatalogService.discountedPrice", { percent: 10 }).get()
   */
  function<N extends ShapeOperations<T, "functions">["name"]>(
    name: N,
    ...[params, options]: ParametersThen<OperationParams<T, "functions", N>, OperationOptions>
  ): FunctionCall<OperationResult<T, "functions", N>>;
  function<R = unknown, const N extends string = string>(
    name: UntypedName<N, ShapeOperations<T, "functions">["name"]>,
    params?: OperationParameters,
    options?: OperationOptions,
  ): FunctionCall<R>;
  function(name: string, params?: object, options?: OperationOptions): FunctionCall<unknown> {
    const { core, state } = entityInternals(this);
    return boundCall(state, "function", name, options, (call) => new FunctionCall(core, { ...call, parameters: params as OperationParameters | undefined }));
  }

  /** @internal */
  protected override collectionQuery(core: ClientCore, state: QueryState): object {
    return new CollectionQuery(core, state);
  }

  /** @internal */
  protected override entityQuery(core: ClientCore, state: EntityState): object {
    return new EntityQuery(core, state);
  }
}

/**
 * An operation bound to what a query addresses (entity set, entity, navigation), with the query's
 * custom options (`param()`). A query with system query options or `trackChanges()` is refused
 * with a `TypeError` naming them: the call's URL has no place for them, since query options after
 * an operation apply to the operation's result (`select()` would shape the result, not the set),
 * and without them `filter()`, `top()` and the like would leave the operation running on the whole
 * set; the track-changes preference would ask for the changes of the operation's answer, not of
 * the set (see `checkWholeSet`).
 */
function boundCall<C>(
  state: QueryState | EntityState,
  kind: "action" | "function",
  name: string,
  options: OperationOptions | undefined,
  make: (call: Omit<OperationCall, "kind" | "parameters" | "etag">) => C,
): C {
  // Made first, as a $batch part is (batch.ts): OData v2, which has no bound operations, refuses the
  // binding itself (UNSUPPORTED_BY_VERSION), whatever options the query holds. The state names
  // what the operation is bound to: the check below leaves it no option that would be lost.
  const call = make({ name, binding: state, namespace: options?.namespace, queryOptions: state.params });
  checkWholeSet(state, `${kind}(${JSON.stringify(name)})`);
  return call;
}

/** The entity a reference points at; anything but an entity query is refused by name. */
function targetState(target: unknown, where: string): EntityState {
  return entityInternals(target as ReadEntityQuery, `${where}: the target`).state;
}
