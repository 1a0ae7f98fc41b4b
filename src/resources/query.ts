/**
 * The resources of a service as a client sees them: queries on an entity set (`CollectionQuery`)
 * and on one entity (`EntityQuery`). Both are immutable values: every builder call returns a new
 * query, the old one stays as it was and can be reused. Nothing is sent until a reading or writing
 * method runs, and those only hand the query's state to the I/O layers (read/, write/,
 * operations/, lro/). Walking a collection is imported here; the writing verbs (writes.ts) and the
 * single reads (read/entity.ts) load with their first use, so that a program that only walks
 * collections never loads them.
 *
 * Why the two classes share this file: they lead to each other (`key()` gives an entity of the
 * collection, `navigate()` a collection below the entity), so either file would import the other.
 * Other ways out hide the cycle rather than remove it (a constructor handed in at run time, a
 * registry filled when a module loads); one file says plainly that the two belong together.
 */
import type { ClientCore } from "../core.js";
import type { AsyncPoller } from "../lro/poller.js";
import { formatKeyPredicate } from "../query/keys.js";
import { addExpand, type ExpandBuilder } from "../query/expand.js";
import type { FilterBuilder, FilterExpression } from "../query/filter.js";
import {
  addFilter,
  addOrderBy,
  addSelect,
  checkCount,
  checkOptionText,
  filterText,
  orderByTarget,
  requireV4,
  firstEntityState,
  setParam,
  type EntityState,
  type FilterInput,
  type QueryState,
  type SortDirection,
} from "../query/state.js";
import type {
  CollectionNavigation,
  ExpandPath,
  Expansion,
  FieldPath,
  KeyValue,
  NavigationName,
  OperationParams,
  OperationResult,
  RelatedType,
  Selected,
  SelectItem,
  ShapeOperations,
  SingleNavigation,
  UntypedName,
  ValidPath,
  ValidSelect,
} from "../query/types.js";
import { checkIdentifier } from "../query/names.js";
import { collectionUrl, countUrl, entityPath, entityUrl } from "../query/url.js";
import { readPage, walkEntities, walkPages, type Page, type ReadOptions, type TraversalOptions } from "../read/traversal.js";
import { MediaResource } from "../write/media.js";
import type { EntityInput } from "../write/types.js";
import { ActionCall, FunctionCall, type OperationOptions, type ParametersThen } from "../operations/operation.js";
import { partitionState, type PartitionOptions, type QueryPartition } from "./partition.js";
import type { OperationParameters } from "../operations/requests.js";
import type { RequestOptions } from "../options.js";
import type { CreateAsyncOptions, CreateMediaOptions, CreateOptions, DeleteOptions, UpdateOptions, UpsertOptions, WriteOptions } from "../write/options.js";

export type { QueryState } from "../query/state.js";

/**
 * The writing verbs (writes.ts), loaded by the first write: a program that only reads never loads
 * them. The runtime keeps the module once loaded, so later writes only await a settled import.
 */
const writing = () => import("./writes.js");

/** The single reads (`get()`, `countAll()`), loaded by the first of them. */
const singleReads = () => import("../read/entity.js");

/** A query state that may ask for change tracking (kept through every builder call, which spread the state). */
interface TrackedState extends QueryState {
  readonly trackChanges?: boolean;
}

let readQueryInternals: <T, S extends string, X>(query: CollectionQuery<T, S, X>) => { core: ClientCore; state: QueryState };

/**
 * A query on one entity set of the service, made by `client.collection<T>(name)`.
 * @typeParam T - the entity type, used to check field names, values and keys, and to type results.
 * @typeParam S - the names given to `select()` so far (`never`: none, every property is read).
 * @typeParam X - the navigation properties expanded so far, with their rows.
 * @example
 * const open = client.collection<Order>("Orders").filter((f) => f.eq("status", "open"));
 * const recent = open.orderBy("createdAt", "desc").top(10); // `open` is unchanged
 */
export class CollectionQuery<T = Record<string, unknown>, S extends string = never, X = {}> {
  readonly #core: ClientCore;
  readonly #state: QueryState;

  static {
    readQueryInternals = (query) => ({ core: query.#core, state: query.#state });
  }

  /** @internal Made by `client.collection()`. */
  constructor(core: ClientCore, state: QueryState) {
    this.#core = core;
    this.#state = state;
  }

  // --- builder methods: each returns a new query ----------------------------------------------

  /**
   * Adds a `$filter` expression: raw text, or `(f) => ...` with the filter builder. Several calls
   * are ANDed, each in parentheses.
   * @example q.filter((f) => f.or(f.contains("title", "odata"), f.lt("price", 10)))
   */
  filter(expression: FilterInput<T>): CollectionQuery<T, S, X> {
    return this.#next(addFilter(this.#state, filterText(expression, this.#version, "filter(expression)")));
  }

  /**
   * Adds `$select` items (property paths; `*` too). The rows that reading methods give hold then
   * only the selected properties (see {@link Selected}).
   */
  select<const F extends SelectItem<T>>(...fields: (F & ValidSelect<T, F>)[]): CollectionQuery<T, S | F, X> {
    return this.#next<S | F>(addSelect(this.#state, fields, "select(fields)"));
  }

  /**
   * Adds an `$expand` item, with nested options built by `build` (OData v4 writes them in
   * parentheses; OData v2 allows only nested select and expand, written as paths).
   * @example q.expand("author", (a) => a.select("name").expand("books", (b) => b.top(3)))
   */
  expand<const K extends ExpandPath<T>, NS extends string = never, NX = {}>(
    nav: K,
    build?: ExpandBuilder<RelatedType<T, K>, NS, NX>,
  ): CollectionQuery<T, S, X & Expansion<T, K, Selected<RelatedType<T, K>, NS, NX>>> {
    return this.#next<S, X & Expansion<T, K, Selected<RelatedType<T, K>, NS, NX>>>(addExpand(this.#state, this.#version, nav, build, "expand(nav)"));
  }

  /**
   * Adds an `$orderby` item: a field path, or `(f) => expression` (such as `f.tolower("name")`).
   * Several calls append. Without a direction the service's default (ascending) applies.
   */
  orderBy<P extends FieldPath<T>>(field: (P & ValidPath<T, P>) | ((f: FilterBuilder<T>) => FilterExpression), direction?: SortDirection): CollectionQuery<T, S, X> {
    return this.#next(addOrderBy(this.#state, orderByTarget(field, this.#version, "orderBy(field)"), direction, "orderBy(field)"));
  }

  /** Sets `$top`: at most `n` entities. */
  top(n: number): CollectionQuery<T, S, X> {
    return this.#next({ ...this.#state, top: checkCount(n, "top(n)") });
  }

  /** Sets `$skip`: leave out the first `n` entities. */
  skip(n: number): CollectionQuery<T, S, X> {
    return this.#next({ ...this.#state, skip: checkCount(n, "skip(n)") });
  }

  /** Asks for the total count with the results: `$count=true` (v4), `$inlinecount=allpages` (v2). */
  count(enabled = true): CollectionQuery<T, S, X> {
    return this.#next({ ...this.#state, count: enabled });
  }

  /** Sets `$search` (free-text search, OData v4). */
  search(expression: string): CollectionQuery<T, S, X> {
    requireV4(this.#version, "search(expression)", "$search");
    return this.#next({ ...this.#state, search: checkOptionText(expression, "search(expression)", "search") });
  }

  /** Adds an `$apply` transformation (OData v4 data aggregation); several calls are joined with `/`. */
  apply(expression: string): CollectionQuery<T, S, X> {
    requireV4(this.#version, "apply(expression)", "$apply");
    const text = checkOptionText(expression, "apply(expression)");
    return this.#next({ ...this.#state, apply: [...(this.#state.apply ?? []), text] });
  }

  /** Adds a `$compute` item such as `"price mul quantity as total"` (OData v4); several calls append. */
  compute(expression: string): CollectionQuery<T, S, X> {
    requireV4(this.#version, "compute(expression)", "$compute");
    const text = checkOptionText(expression, "compute(expression)");
    return this.#next({ ...this.#state, compute: [...(this.#state.compute ?? []), text] });
  }

  /** Sets a custom query option (such as `sap-client`) or a parameter alias (`@p`); a later call with the same name replaces it. */
  param(name: string, value: string | number | boolean): CollectionQuery<T, S, X> {
    return this.#next(setParam(this.#state, name, value));
  }

  /**
   * One entity by its key: `key(1)` is `Books(1)`, `key({ A: 1, B: "x" })` is `Pairs(A=1,B='x')`.
   * Values are written as literals of the client's version (use `edm.*` for Int64, Guid...).
   */
  key(key: KeyValue<T>): EntityQuery<T> {
    return new EntityQuery<T>(this.#core, {
      entitySet: this.#state.entitySet,
      keyPredicate: formatKeyPredicate(key, this.#version),
      ...(this.#state.parentPath === undefined ? {} : { parentPath: this.#state.parentPath }),
      ...(this.#state.params ? { params: this.#state.params } : {}),
    });
  }

  /**
   * Asks the service to track changes (`Prefer: odata.track-changes`, OData v4) on every read of
   * this query: the last page then carries a `deltaLink`, which `client.delta(deltaLink)` reads the
   * changes from later. OData v2 has no such preference (SAP services that support delta send
   * `__delta` on their own), so on v2 nothing extra is sent.
   * @example
   * let link: string | undefined;
   * for await (const page of client.collection<Book>("Books").trackChanges().pages()) {
   *   await store(page.value);
   *   link = page.deltaLink ?? link;
   * }
   */
  trackChanges(): CollectionQuery<T, S, X> {
    return this.#next({ ...this.#state, trackChanges: true } as TrackedState);
  }

  /** The absolute request URL of this query, encoded; sends nothing. */
  url(): string {
    return collectionUrl(this.#core.options.serviceUrl, this.#version, this.#state).href;
  }

  // --- reading --------------------------------------------------------------------------------

  /**
   * One page: the entities of the first page the service sends (or of `options.from`, a next link
   * saved earlier), with its `nextLink`, `count` and `deltaLink`.
   */
  page(options?: ReadOptions): Promise<Page<Selected<T, S, X>>> {
    return readPage<Selected<T, S, X>>(this.#core, this.#requestUrl(), this.#reading(options));
  }

  /**
   * Page after page, following `@odata.nextLink` (v4) or `__next` (v2). The next page is requested
   * while the loop body works on the current one (`readAhead`, default 1; 0 turns it off).
   * @example
   * for await (const page of client.collection("Orders").pages()) await store(page.value);
   */
  pages(options?: ReadOptions): AsyncGenerator<Page<Selected<T, S, X>>, void, undefined> {
    return walkPages<Selected<T, S, X>>(this.#core, this.#requestUrl(), this.#reading(options));
  }

  /**
   * Entity after entity across all pages, in memory bounded by the pages in flight; a huge unpaged
   * answer is read entity by entity as it arrives. `for await (const e of query)` does the same.
   */
  stream(options?: ReadOptions): AsyncGenerator<Selected<T, S, X>, void, undefined> {
    return walkEntities<Selected<T, S, X>>(this.#core, this.#requestUrl(), this.#reading(options));
  }

  [Symbol.asyncIterator](): AsyncGenerator<Selected<T, S, X>, void, undefined> {
    return this.stream();
  }

  /** All entities of all pages in one array (memory grows with the collection: prefer `stream()`). */
  async list(options?: ReadOptions): Promise<Selected<T, S, X>[]> {
    const all: Selected<T, S, X>[] = [];
    for await (const page of this.pages(options)) for (const entity of page.value) all.push(entity);
    return all;
  }

  /** The first entity (`$top=1`), or `undefined` when there is none. */
  async first(options?: RequestOptions): Promise<Selected<T, S, X> | undefined> {
    const url = collectionUrl(this.#core.options.serviceUrl, this.#version, firstEntityState(this.#state));
    const expand = this.#state.expand;
    const page = await readPage<Selected<T, S, X>>(this.#core, url, expand === undefined ? options : { ...options, expand });
    return page.value[0];
  }

  /** The number of entities matching the query's `$filter` and `$search`: `GET .../$count`. */
  async countAll(options?: RequestOptions): Promise<number> {
    const url = countUrl(this.#core.options.serviceUrl, this.#version, this.#state);
    return (await singleReads()).readCount(this.#core, url, options);
  }

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
    const { planPartitions } = await import("./partitions.js");
    return planPartitions(this.#core, this.#state, n, options, partitionState);
  }

  /**
   * This query restricted to one partition that `partitions(n)` planned for it (its key range as
   * one more `$filter`, or its `$skip`/`$top` window). Sends nothing.
   */
  partition(partition: QueryPartition): CollectionQuery<T, S, X> {
    return this.#next(partitionState(this.#state, partition));
  }

  // --- writing --------------------------------------------------------------------------------

  /**
   * Creates an entity as a long-running operation: the request of {@link create} (its headers,
   * its body without the annotations reading added) with `Prefer: respond-async`. Resolves with a
   * poller once the service has answered the initial request.
   * @example
   * const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv" });
   * const result = await poller.wait();
   */
  async createAsync<R = T>(body: unknown, options?: CreateAsyncOptions): Promise<AsyncPoller<R>> {
    return (await writing()).createAsync<R>(this.#core, this.#state, body, options);
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
    return new ActionCall(this.#core, this.#operation(name, options));
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
    return new FunctionCall(this.#core, { ...this.#operation(name, options), parameters: params as OperationParameters | undefined });
  }

  #operation(name: string, options: OperationOptions | undefined) {
    return {
      name,
      binding: { entitySet: this.#state.entitySet },
      namespace: options?.namespace,
      queryOptions: this.#state.params,
    };
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
    return (await writing()).create<T>(this.#core, this.#state, entity, options);
  }

  /**
   * Creates a media entity from its content: `POST` of the bytes with their `Content-Type` (and
   * `Slug`); the service makes the entity and usually answers with it.
   */
  async createMedia(content: string | Uint8Array, options: CreateMediaOptions): Promise<T | undefined> {
    return (await writing()).createMedia<T>(this.#core, this.#state, content, options);
  }

  // --- internals ------------------------------------------------------------------------------

  #requestUrl(): URL {
    return collectionUrl(this.#core.options.serviceUrl, this.#version, this.#state);
  }

  get #version() {
    return this.#core.options.version;
  }

  #reading(options: ReadOptions | undefined): TraversalOptions | undefined {
    return readingOptions(this.#state, options);
  }

  /** The query with `state`; `S2` and `X2` are what select() and expand() made of the rows. */
  #next<S2 extends string = S, X2 = X>(state: QueryState): CollectionQuery<T, S2, X2> {
    return new CollectionQuery<T, S2, X2>(this.#core, state);
  }
}

/**
 * The client core and the state behind a collection query, for the layers above that build
 * requests from it (`$batch`). Pair with `collectionUrl`, `countUrl` and `firstEntityState` of
 * `src/query/`.
 * @internal Not exported from the package.
 */
export function queryInternals<T, S extends string, X>(query: CollectionQuery<T, S, X>): { core: ClientCore; state: QueryState } {
  return readQueryInternals(query);
}

/** The caller's reading options plus what a query adds (change tracking, the expanded paths). */
function readingOptions(state: QueryState, options: TraversalOptions | undefined): TraversalOptions | undefined {
  const tracked = (state as TrackedState).trackChanges === true;
  const expand = state.expand;
  if (!tracked && expand === undefined) return options;
  return { ...options, ...(tracked ? { trackChanges: true } : {}), ...(expand === undefined ? {} : { expand }) };
}

/**
 * The pages of a query as `query.pages()` reads them, with the reading layer's own options too
 * (the command line's export reads the text of each page with `onWholeBody`).
 * @internal Not exported from the package.
 */
export function queryPages<T>(query: CollectionQuery<T>, options: TraversalOptions): AsyncGenerator<Page<T>, void, undefined> {
  const { core, state } = readQueryInternals(query);
  return walkPages<T>(core, collectionUrl(core.options.serviceUrl, core.options.version, state), readingOptions(state, options));
}

let readEntityInternals: <T, S extends string, X>(query: EntityQuery<T, S, X>) => { core: ClientCore; state: EntityState };

/**
 * One entity of an entity set, made by `collection.key(...)`. Sends nothing until a reading or
 * writing method runs.
 * @typeParam T - the entity type.
 * @typeParam S - the names given to `select()` so far (`never`: none, every property is read).
 * @typeParam X - the navigation properties expanded so far, with their rows.
 */
export class EntityQuery<T = Record<string, unknown>, S extends string = never, X = {}> {
  readonly #core: ClientCore;
  readonly #state: EntityState;

  static {
    readEntityInternals = (query) => ({ core: query.#core, state: query.#state });
  }

  /** @internal Made by `CollectionQuery.key()`. */
  constructor(core: ClientCore, state: EntityState) {
    this.#core = core;
    this.#state = state;
  }

  /** Adds `$select` items; `get()` gives then only the selected properties (see {@link Selected}). */
  select<const F extends SelectItem<T>>(...fields: (F & ValidSelect<T, F>)[]): EntityQuery<T, S | F, X> {
    return this.#next<S | F>(addSelect(this.#state, fields, "select(fields)"));
  }

  /** Adds an `$expand` item, with nested options from `build` (see `CollectionQuery.expand`). */
  expand<const K extends ExpandPath<T>, NS extends string = never, NX = {}>(
    nav: K,
    build?: ExpandBuilder<RelatedType<T, K>, NS, NX>,
  ): EntityQuery<T, S, X & Expansion<T, K, Selected<RelatedType<T, K>, NS, NX>>> {
    return this.#next<S, X & Expansion<T, K, Selected<RelatedType<T, K>, NS, NX>>>(addExpand(this.#state, this.#core.options.version, nav, build, "expand(nav)"));
  }

  /** Sets a custom query option (such as `sap-client`) or a parameter alias (`@p`). */
  param(name: string, value: string | number | boolean): EntityQuery<T, S, X> {
    return this.#next(setParam(this.#state, name, value));
  }

  /** The absolute request URL of this entity, encoded; sends nothing. */
  url(): string {
    return entityUrl(this.#core.options.serviceUrl, this.#core.options.version, this.#state).href;
  }

  // --- reading --------------------------------------------------------------------------------

  /**
   * Reads the entity. v2's `d` wrapper is removed; an `ETag` header is kept as `@odata.etag` (v4)
   * when the body has none. A missing entity rejects with `ODataHttpError` (status 404).
   */
  async get(options?: RequestOptions): Promise<Selected<T, S, X>> {
    const url = new URL(this.url());
    return (await singleReads()).readEntity<Selected<T, S, X>>(this.#core, url, options, this.#state.expand);
  }

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
    return (await writing()).update<T>(this.#core, this.#state, patch, options);
  }

  /** Replaces the entity: `PUT`, `If-Match` as for {@link update}. Properties not sent get their defaults. */
  async replace(entity: EntityInput<T>, options?: UpdateOptions): Promise<T | undefined> {
    return (await writing()).replace<T>(this.#core, this.#state, entity, options);
  }

  /**
   * Creates or updates the entity at this key (OData 4.01 §11.4.4): `PATCH` (or `PUT` with
   * `replace: true`) without `If-Match`, which a service that supports upserts turns into an insert
   * when the key does not exist yet. `ifNoneMatch: "*"` inserts only (412 when it exists); for
   * update-only use `update(patch, { ifMatch: "*" })`.
   */
  async upsert(entity: EntityInput<T>, options?: UpsertOptions): Promise<T | undefined> {
    return (await writing()).upsert<T>(this.#core, this.#state, entity, options);
  }

  /** Deletes the entity: `DELETE`, with `If-Match` from `etag` (an ETag, or the entity read earlier) or `ifMatch`. */
  async delete(options?: DeleteOptions): Promise<void> {
    return (await writing()).remove(this.#core, this.#state, options);
  }

  /**
   * Adds `target` to the collection-valued navigation property `navigation`: v4
   * `POST Books(1)/reviews/$ref`, v2 `POST Books(1)/$links/reviews`.
   * @example await books.key(1).link("reviews", client.collection("Reviews").key(5))
   */
  async link<R>(navigation: CollectionNavigation<T>, target: EntityQuery<R>, options?: WriteOptions): Promise<void> {
    return (await writing()).link(this.#core, this.#state, navigation, entityInternals(target).state, options);
  }

  /**
   * Points the single-valued navigation property `navigation` at `target`: v4
   * `PUT Books(1)/author/$ref`, v2 `PUT Books(1)/$links/author`.
   * @example await books.key(1).setLink("author", client.collection("Authors").key("austen"))
   */
  async setLink<R>(navigation: SingleNavigation<T>, target: EntityQuery<R>, options?: WriteOptions): Promise<void> {
    return (await writing()).setLink(this.#core, this.#state, navigation, entityInternals(target).state, options);
  }

  /**
   * Removes a reference: `target` from a collection-valued navigation property (v4
   * `DELETE Books(1)/reviews/$ref?$id=...`, v2 `DELETE Books(1)/$links/reviews(5)`), or, without
   * `target`, clears a single-valued one (`DELETE Books(1)/author/$ref`).
   */
  async unlink<R>(navigation: NavigationName<T>, target?: EntityQuery<R>, options?: WriteOptions): Promise<void> {
    return (await writing()).unlink(this.#core, this.#state, navigation, target === undefined ? undefined : entityInternals(target).state, options);
  }

  // --- navigation and media -------------------------------------------------------------------

  /**
   * The entities of the collection-valued navigation property `navigation`, as a collection query
   * on `Books(1)/reviews`: read it (filter, page, stream...) or `create()` in it. Sends nothing.
   * @example const reviews = await books.key(1).navigate("reviews").filter((f) => f.ge("rating", 4)).list()
   */
  navigate<K extends CollectionNavigation<T>, R = RelatedType<T, K>>(navigation: K): CollectionQuery<R> {
    return new CollectionQuery<R>(this.#core, {
      entitySet: checkIdentifier(navigation, "navigate(navigation)"),
      parentPath: entityPath(this.#state),
      ...(this.#state.params ? { params: this.#state.params } : {}),
    });
  }

  /**
   * The entity of the single-valued navigation property `navigation`, as an entity query on
   * `Books(1)/author`. Sends nothing.
   */
  navigateOne<K extends SingleNavigation<T>, R = RelatedType<T, K>>(navigation: K): EntityQuery<R> {
    return new EntityQuery<R>(this.#core, {
      entitySet: checkIdentifier(navigation, "navigateOne(navigation)"),
      parentPath: entityPath(this.#state),
      keyPredicate: "",
      ...(this.#state.params ? { params: this.#state.params } : {}),
    });
  }

  /**
   * The content of this media entity (`Photos(1)/$value`), or of its stream property `property`
   * (`Books(1)/cover`): read as bytes, text or a stream, or replaced with `put`. Sends nothing.
   */
  media(property?: keyof T & string): MediaResource {
    return new MediaResource(this.#core, this.#state, property);
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
    return new ActionCall(this.#core, this.#operation(name, options));
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
    return new FunctionCall(this.#core, { ...this.#operation(name, options), parameters: params as OperationParameters | undefined });
  }

  #operation(name: string, options: OperationOptions | undefined) {
    return {
      name,
      binding: { entitySet: this.#state.entitySet, keyPredicate: this.#state.keyPredicate },
      namespace: options?.namespace,
      queryOptions: this.#state.params,
    };
  }

  /** The query with `state`; `S2` and `X2` are what select() and expand() made of the rows. */
  #next<S2 extends string = S, X2 = X>(state: EntityState): EntityQuery<T, S2, X2> {
    return new EntityQuery<T, S2, X2>(this.#core, state);
  }
}

/**
 * The client core and the state behind an entity query, for the layers above that build requests
 * from it (`$batch`).
 * @internal Not exported from the package.
 */
export function entityInternals<T, S extends string, X>(query: EntityQuery<T, S, X>): { core: ClientCore; state: EntityState } {
  return readEntityInternals(query);
}
