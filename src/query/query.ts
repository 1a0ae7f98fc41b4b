/**
 * Queries: immutable values naming an entity set and its system query options. Every builder call
 * returns a new query; the old one is unchanged and can be reused. Nothing is sent until a reading
 * or writing method runs.
 */
import type { ClientCore } from "../core.js";
import type { AsyncPoller, AsyncPollerOptions } from "../lro/poller.js";
import { formatKeyPredicate, EntityQuery, type EntityKey } from "./entity.js";
import { addExpand, type ExpandBuilder } from "./expand.js";
import type { FilterBuilder, FilterExpression } from "./filter.js";
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
  type FilterInput,
  type QueryState,
  type SortDirection,
} from "./state.js";
import type { FieldPath, RelatedType, SelectItem } from "./types.js";
import { collectionUrl, countUrl } from "./url.js";
import { readCount, readPage, walkEntities, walkPages, type Page, type ReadOptions, type TraversalOptions } from "../read/traversal.js";
import {
  createRequest,
  mediaCreateRequest,
  type CreateRequestOptions,
  type EntityBodyOptions,
  type MediaCreateRequestOptions,
  type WriteRequest,
} from "../write/requests.js";
import { writeEntity, type SendOptions } from "../write/send.js";
import type { EntityInput } from "../write/types.js";
import { ActionCall, FunctionCall, type OperationOptions } from "../operations/operation.js";
import { partitionState, planPartitions, type PartitionOptions, type QueryPartition } from "../read/partitions.js";
import type { OperationParameters } from "../operations/requests.js";

export type { QueryState } from "./state.js";

/** A query state that may ask for change tracking (kept through every builder call, which spread the state). */
interface TrackedState extends QueryState {
  readonly trackChanges?: boolean;
}

/** Options of `create`: `prefer` (`Prefer: return=minimal|representation`), `headers`, `signal`. */
export type CreateOptions = CreateRequestOptions & SendOptions;
/** Options of `createAsync`: the poller's, and `deep` as for `create`. */
export type CreateAsyncOptions = AsyncPollerOptions & EntityBodyOptions;
/** Options of `createMedia`: `contentType`, `slug`, `prefer`, `headers`, `signal`. */
export type CreateMediaOptions = MediaCreateRequestOptions & SendOptions;

let readQueryInternals: <T>(query: CollectionQuery<T>) => { core: ClientCore; state: QueryState };

/**
 * A query on one entity set of the service, made by `client.collection<T>(name)`.
 * @typeParam T - the entity type, used to check field names and to type results.
 * @example
 * const open = client.collection<Order>("Orders").filter((f) => f.eq("status", "open"));
 * const recent = open.orderBy("createdAt", "desc").top(10); // `open` is unchanged
 */
export class CollectionQuery<T = Record<string, unknown>> {
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
  filter(expression: FilterInput<T>): CollectionQuery<T> {
    return this.#next(addFilter(this.#state, filterText(expression, this.#version, "filter(expression)")));
  }

  /** Adds `$select` items (property paths; `*` too). */
  select(...fields: SelectItem<T>[]): CollectionQuery<T> {
    return this.#next(addSelect(this.#state, fields, "select(fields)"));
  }

  /**
   * Adds an `$expand` item, with nested options built by `build` (OData v4 writes them in
   * parentheses; OData v2 allows only nested select and expand, written as paths).
   * @example q.expand("author", (a) => a.select("name").expand("books", (b) => b.top(3)))
   */
  expand<K extends FieldPath<T>>(nav: K, build?: ExpandBuilder<RelatedType<T, K>>): CollectionQuery<T> {
    return this.#next(addExpand(this.#state, this.#version, nav, build, "expand(nav)"));
  }

  /**
   * Adds an `$orderby` item: a field path, or `(f) => expression` (such as `f.tolower("name")`).
   * Several calls append. Without a direction the service's default (ascending) applies.
   */
  orderBy(field: FieldPath<T> | ((f: FilterBuilder<T>) => FilterExpression), direction?: SortDirection): CollectionQuery<T> {
    return this.#next(addOrderBy(this.#state, orderByTarget(field, this.#version, "orderBy(field)"), direction, "orderBy(field)"));
  }

  /** Sets `$top`: at most `n` entities. */
  top(n: number): CollectionQuery<T> {
    return this.#next({ ...this.#state, top: checkCount(n, "top(n)") });
  }

  /** Sets `$skip`: leave out the first `n` entities. */
  skip(n: number): CollectionQuery<T> {
    return this.#next({ ...this.#state, skip: checkCount(n, "skip(n)") });
  }

  /** Asks for the total count with the results: `$count=true` (v4), `$inlinecount=allpages` (v2). */
  count(enabled = true): CollectionQuery<T> {
    return this.#next({ ...this.#state, count: enabled });
  }

  /** Sets `$search` (free-text search, OData v4). */
  search(expression: string): CollectionQuery<T> {
    requireV4(this.#version, "search(expression)", "$search");
    return this.#next({ ...this.#state, search: checkOptionText(expression, "search(expression)", "search") });
  }

  /** Adds an `$apply` transformation (OData v4 data aggregation); several calls are joined with `/`. */
  apply(expression: string): CollectionQuery<T> {
    requireV4(this.#version, "apply(expression)", "$apply");
    const text = checkOptionText(expression, "apply(expression)");
    return this.#next({ ...this.#state, apply: [...(this.#state.apply ?? []), text] });
  }

  /** Adds a `$compute` item such as `"price mul quantity as total"` (OData v4); several calls append. */
  compute(expression: string): CollectionQuery<T> {
    requireV4(this.#version, "compute(expression)", "$compute");
    const text = checkOptionText(expression, "compute(expression)");
    return this.#next({ ...this.#state, compute: [...(this.#state.compute ?? []), text] });
  }

  /** Sets a custom query option (such as `sap-client`) or a parameter alias (`@p`); a later call with the same name replaces it. */
  param(name: string, value: string | number | boolean): CollectionQuery<T> {
    return this.#next(setParam(this.#state, name, value));
  }

  /**
   * One entity by its key: `key(1)` is `Books(1)`, `key({ A: 1, B: "x" })` is `Pairs(A=1,B='x')`.
   * Values are written as literals of the client's version (use `edm.*` for Int64, Guid...).
   */
  key(key: EntityKey<T>): EntityQuery<T> {
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
  trackChanges(): CollectionQuery<T> {
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
  page(options?: ReadOptions): Promise<Page<T>> {
    return readPage<T>(this.#core, this.#requestUrl(), this.#reading(options));
  }

  /**
   * Page after page, following `@odata.nextLink` (v4) or `__next` (v2). The next page is requested
   * while the loop body works on the current one (`readAhead`, default 1; 0 turns it off).
   * @example
   * for await (const page of client.collection("Orders").pages()) await store(page.value);
   */
  pages(options?: ReadOptions): AsyncGenerator<Page<T>, void, undefined> {
    return walkPages<T>(this.#core, this.#requestUrl(), this.#reading(options));
  }

  /**
   * Entity after entity across all pages, in memory bounded by the pages in flight; a huge unpaged
   * answer is read entity by entity as it arrives. `for await (const e of query)` does the same.
   */
  stream(options?: ReadOptions): AsyncGenerator<T, void, undefined> {
    return walkEntities<T>(this.#core, this.#requestUrl(), this.#reading(options));
  }

  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.stream();
  }

  /** All entities of all pages in one array (memory grows with the collection: prefer `stream()`). */
  async list(options?: ReadOptions): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages(options)) for (const entity of page.value) all.push(entity);
    return all;
  }

  /** The first entity (`$top=1`), or `undefined` when there is none. */
  async first(options?: Pick<ReadOptions, "signal">): Promise<T | undefined> {
    const url = collectionUrl(this.#core.options.serviceUrl, this.#version, firstEntityState(this.#state));
    const expand = this.#state.expand;
    const page = await readPage<T>(this.#core, url, expand === undefined ? options : { ...options, expand });
    return page.value[0];
  }

  /** The number of entities matching the query's `$filter` and `$search`: `GET .../$count`. */
  countAll(options?: Pick<ReadOptions, "signal">): Promise<number> {
    return readCount(this.#core, countUrl(this.#core.options.serviceUrl, this.#version, this.#state), options);
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
  partitions(n: number, options?: PartitionOptions): Promise<QueryPartition[]> {
    return planPartitions(this.#core, this.#state, n, options);
  }

  /**
   * This query restricted to one partition that `partitions(n)` planned for it (its key range as
   * one more `$filter`, or its `$skip`/`$top` window). Sends nothing.
   */
  partition(partition: QueryPartition): CollectionQuery<T> {
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
  createAsync<R = T>(body: unknown, options?: CreateAsyncOptions): Promise<AsyncPoller<R>> {
    let request: WriteRequest;
    try {
      request = createRequest(this.#core.options, this.#state, body, options?.deep === undefined ? undefined : { deep: options.deep }, "createAsync(body)");
    } catch (error) {
      return Promise.reject(error);
    }
    const { method, url, headers } = request;
    return this.#core.startAsync<R>({ method, url, headers, ...(request.body === undefined ? {} : { body: request.body }) }, options);
  }

  // --- operations -----------------------------------------------------------------------------

  /**
   * An action bound to this entity set (`POST Books/NS.name`); sends nothing until `invoke()`.
   * @example await client.collection("Books").action<number>("CatalogService.restockAll").invoke({ quantity: 5 })
   */
  action<R = unknown>(name: string, options?: OperationOptions): ActionCall<R> {
    return new ActionCall<R>(this.#core, this.#operation(name, options));
  }

  /**
   * A function bound to this entity set (`GET Books/NS.name(p=1)`); sends nothing until `get()`.
   * @example const top = await client.collection<Book>("Books").function<Book[]>("CatalogService.topSellers", { n: 3 }).get()
   */
  function<R = unknown>(name: string, params?: OperationParameters, options?: OperationOptions): FunctionCall<R> {
    return new FunctionCall<R>(this.#core, { ...this.#operation(name, options), parameters: params });
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
  create(entity: EntityInput<T>, options?: CreateOptions): Promise<T | undefined> {
    return writeEntity<T>(this.#core, () => createRequest(this.#core.options, this.#state, entity, options), options);
  }

  /**
   * Creates a media entity from its content: `POST` of the bytes with their `Content-Type` (and
   * `Slug`); the service makes the entity and usually answers with it.
   */
  createMedia(content: string | Uint8Array, options: CreateMediaOptions): Promise<T | undefined> {
    return writeEntity<T>(this.#core, () => mediaCreateRequest(this.#core.options, this.#state, content, options), options);
  }

  // --- internals ------------------------------------------------------------------------------

  #requestUrl(): URL {
    return collectionUrl(this.#core.options.serviceUrl, this.#version, this.#state);
  }

  get #version() {
    return this.#core.options.version;
  }

  /** The caller's reading options plus what this query adds (change tracking, the expanded paths). */
  #reading(options: ReadOptions | undefined): TraversalOptions | undefined {
    const tracked = (this.#state as TrackedState).trackChanges === true;
    const expand = this.#state.expand;
    if (!tracked && expand === undefined) return options;
    return { ...options, ...(tracked ? { trackChanges: true } : {}), ...(expand === undefined ? {} : { expand }) };
  }

  #next(state: QueryState): CollectionQuery<T> {
    return new CollectionQuery<T>(this.#core, state);
  }
}

/**
 * The client core and the state behind a collection query, for the reading layer (`src/read`).
 * Pair with `collectionUrl`, `countUrl` and `firstEntityState` from this folder.
 * @internal Not exported from the package.
 */
export function queryInternals<T>(query: CollectionQuery<T>): { core: ClientCore; state: QueryState } {
  return readQueryInternals(query);
}
