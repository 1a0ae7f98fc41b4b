/**
 * The reading resources of a service: queries on an entity set (`ReadCollectionQuery`) and on one
 * entity (`ReadEntityQuery`) that build requests and read. `ODataReader` (traverse-odata/read) hands
 * them out; `CollectionQuery` and `EntityQuery` (query.ts), which `ODataClient` hands out, extend
 * them with partitions, writes, media and operations. A program built on the reader never reaches
 * query.ts, so it bundles none of that code, not even as chunks to load later.
 *
 * Queries are immutable values: every builder call returns a new query of the class it was called
 * on, the old one stays as it was and can be reused. A builder that changes what the rows hold
 * (`select`, `expand`) or leads to the other resource (`key`, `navigate`) gives the class of the
 * query's kind (`K`, looked up in {@link QueryKinds}), so the subclasses do not redeclare them.
 * Nothing is sent until a reading method runs, and that only hands the query's state to read/.
 * Walking a collection is imported here; the single reads (read/entity.ts) load with their first use.
 *
 * Why the two classes share this file: they lead to each other (`key()` gives an entity of the
 * collection, `navigate()` a collection below the entity), so either file would import the other.
 */
import type { ClientCore } from "../core.js";
import { formatKeyPredicate, keySegment } from "../query/keys.js";
import { addExpand, type ExpandBuilder } from "../query/expand.js";
import { requireV4, type FilterBuilder, type OrderByExpression } from "../query/filter.js";
import {
  addCompute,
  addFilter,
  addOrderBy,
  addSelect,
  castState,
  checkCount,
  checkFlag,
  checkOptionText,
  checkWholeSet,
  filterText,
  orderByTarget,
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
  Unexpanded,
  FieldPath,
  FilterFieldPath,
  ValidOrderByPath,
  AppliedRow,
  WithComputed,
  KeyValue,
  RelatedType,
  Selected,
  SelectItem,
  SingleNavigation,
  ValidPath,
  ValidSelect,
} from "../query/types.js";
import { checkIdentifier } from "../query/names.js";
import { collectionPath, collectionUrl, countUrl, entityPath, entityUrl } from "../query/url.js";
import { READ_OPTIONS, readPage, SINGLE_READ_OPTIONS, walkEntities, walkPages, type Page, type ReadOptions, type TraversalOptions } from "../read/traversal.js";
import type { RequestOptions } from "../options.js";
import { refuseUnknownOptions } from "../util/values.js";
import { PropertyQuery, type PropertyName, type PropertyValue } from "./property.js";

/** The single reads (`get()`, `countAll()`), loaded by the first of them. */
const singleReads = () => import("../read/entity.js");

/**
 * The query classes of each kind, by the kind's name: `read`, the classes here, which
 * `ODataReader` hands out; query.ts adds `full`, the classes of `ODataClient`, which also write and
 * call operations. `Z` is what an entity query's `get()` adds to its row (`null` for `navigateOne()`).
 */
export interface QueryKinds<T, S extends string, X, Z> {
  read: { collection: ReadCollectionQuery<T, S, X>; entity: ReadEntityQuery<T, S, X, "read", Z> };
}

/** The name of a kind of queries: `"read"` or `"full"` (see {@link QueryKinds}). */
export type QueryKind = keyof QueryKinds<unknown, never, {}, never>;

/** The collection query of kind `K`, whose rows are `T` with `S` selected and `X` expanded. */
export type CollectionOf<K extends QueryKind, T, S extends string = never, X = {}> = QueryKinds<T, S, X, never>[K]["collection"];

/**
 * The entity query of kind `K`, whose row is `T` with `S` selected and `X` expanded; `Z` is `null`
 * where `get()` may find no entity (a single-valued navigation).
 */
export type EntityOf<K extends QueryKind, T, S extends string = never, X = {}, Z = never> = QueryKinds<T, S, X, Z>[K]["entity"];

/**
 * How a builder makes the next query: the constructor of the query it was called on.
 * @internal Not exported from the package.
 */
export type QueryConstructor<Q, State> = new (core: ClientCore, state: State) => Q;

/** Any collection query, whatever its rows and kind: what the layers above take apart. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCollectionQuery = ReadCollectionQuery<any, any, any, any>;

/** Any entity query, whatever its rows and kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEntityQuery = ReadEntityQuery<any, any, any, any, any>;

let readQueryInternals: (query: AnyCollectionQuery) => { core: ClientCore; state: QueryState };

/**
 * A query on one entity set of the service that builds requests and reads, made by
 * `reader.collection<T>(name)` of `ODataReader`. `client.collection<T>(name)` gives a
 * `CollectionQuery`, which does all of this and writes too.
 * @typeParam T - the entity type, used to check field names, values and keys, and to type results.
 * @typeParam S - the names given to `select()` so far (`never`: none, every property is read).
 * @typeParam X - the navigation properties expanded so far, with their rows.
 * @typeParam K - which classes `select()`, `expand()` and `key()` give (see {@link QueryKind}).
 * @example
 * const open = reader.collection<Order>("Orders").filter((f) => f.eq("status", "open"));
 * const recent = open.orderBy("createdAt", "desc").top(10); // `open` is unchanged
 */
export class ReadCollectionQuery<T = Record<string, unknown>, S extends string = never, X = {}, K extends QueryKind = "read"> {
  readonly #core: ClientCore;
  readonly #state: QueryState;

  static {
    readQueryInternals = (query) => ({ core: query.#core, state: query.#state });
  }

  /** @internal Made by `collection()`, `navigate()` and the builders. */
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
  filter(expression: FilterInput<T>): this {
    return this.#next(addFilter(this.#state, filterText(expression, this.#version, "filter(expression)")));
  }

  /**
   * Adds `$select` items (property paths; `*` too). The rows that reading methods give hold then
   * only the selected properties (see {@link Selected}).
   */
  select<const F extends SelectItem<T>>(...fields: (F & ValidSelect<T, F>)[]): CollectionOf<K, T, S | F, X> {
    return this.#next<CollectionOf<K, T, S | F, X>>(addSelect(this.#state, fields, "select(fields)"));
  }

  /**
   * Adds an `$expand` item, with nested options built by `build` (OData v4 writes them in
   * parentheses; OData v2 allows only nested select and expand, written as paths). Expanding a
   * navigation property again replaces the earlier expand of it. A path of navigation properties
   * (`author/books`) expands each of them, below an earlier expand of its first segment if there
   * is one: OData v4 writes it nested (`author($expand=books)`), as v4 allows no navigation
   * property before the last one of an expand path; v2 writes the path. A path that ends in
   * `/$count` gives the number of related entities instead (`reviews@odata.count`; `build` may
   * `filter()` and `search()` what is counted), one that ends in `/$ref` their references
   * (`{ "@odata.id": ... }`; `build` may also `orderBy()`, `skip()`, `top()` and `count()`): OData
   * v4 alone.
   * @example q.expand("author", (a) => a.select("name").expand("books", (b) => b.top(3)))
   * @example q.expand("reviews/$count", (r) => r.filter((f) => f.ge("rating", 4))) // rows with "reviews@odata.count"
   */
  expand<const N extends ExpandPath<T>, NS extends string = never, NX = {}>(
    nav: N,
    build?: ExpandBuilder<RelatedType<T, N>, NS, NX, T>,
  ): CollectionOf<K, T, S, Unexpanded<X, N> & Expansion<T, N, Selected<RelatedType<T, N>, NS, NX>, X>> {
    return this.#next<CollectionOf<K, T, S, Unexpanded<X, N> & Expansion<T, N, Selected<RelatedType<T, N>, NS, NX>, X>>>(
      addExpand(this.#state, this.#version, nav, build, "expand(nav)"),
    );
  }

  /**
   * Adds an `$orderby` item: a path to a primitive property (through single-valued navigation and
   * complex properties, or `reviews/$count`), or `(f) => expression` (such as `f.tolower("name")`),
   * where a bare `f.field(path)` takes the paths the path form takes ({@link OrderByExpression}).
   * Several calls append. Without a direction the service's default (ascending) applies.
   * @typeParam Q - the path of the bare `f.field(path)` that the function form returns, if it does, inferred and checked.
   */
  orderBy<P extends FilterFieldPath<T>, Q extends string = never>(field: (P & ValidOrderByPath<T, P>) | ((f: FilterBuilder<T>) => OrderByExpression<T, Q>), direction?: SortDirection): this {
    return this.#next(addOrderBy(this.#state, orderByTarget(field, this.#version, "orderBy(field)"), direction, "orderBy(field)"));
  }

  /**
   * Sets `$top`: at most `n` entities. `pages()`, `stream()` and `list()` stop at `n` even where the
   * service pages past it (Microsoft Graph reads `$top` as a page size): the last page is cut to
   * what is left and carries no `nextLink` (nor its count and annotations where the cut falls in a
   * page too large to parse whole, read in pieces: the rest of it is not read). `page()` gives the
   * first page as the service sent it, its `nextLink` included. A walk resumed `from` a saved link
   * is not bounded.
   */
  top(n: number): this {
    return this.#next({ ...this.#state, top: checkCount(n, "top(n)") });
  }

  /** Sets `$skip`: leave out the first `n` entities. */
  skip(n: number): this {
    return this.#next({ ...this.#state, skip: checkCount(n, "skip(n)") });
  }

  /** Asks for the total count with the results: `$count=true` (v4), `$inlinecount=allpages` (v2). */
  count(enabled = true): this {
    return this.#next({ ...this.#state, count: checkFlag(enabled, "count(enabled)") });
  }

  /** Sets `$search` (free-text search, OData v4). */
  search(expression: string): this {
    requireV4(this.#version, "search(expression)", "$search");
    return this.#next({ ...this.#state, search: checkOptionText(expression, "search(expression)", "search") });
  }

  /**
   * Adds an `$apply` transformation (OData v4 data aggregation); several calls are joined with `/`.
   * The rows are then what the transformations make ({@link AppliedRow}): `select()`, `filter()`,
   * `orderBy()` and the others after it name their properties unchecked.
   */
  apply(expression: string): CollectionOf<K, AppliedRow> {
    requireV4(this.#version, "apply(expression)", "$apply");
    const text = checkOptionText(expression, "apply(expression)");
    return this.#next<CollectionOf<K, AppliedRow>>({ ...this.#state, apply: [...(this.#state.apply ?? []), text] });
  }

  /**
   * Adds a `$compute` item such as `"price mul quantity as total"` (OData v4); several calls append.
   * `select()`, `filter()` and `orderBy()` may name the alias of a literal text, which the rows
   * carry as `unknown` ({@link WithComputed}).
   */
  compute<const E extends string>(expression: E): CollectionOf<K, WithComputed<T, E>, S, X> {
    return this.#next<CollectionOf<K, WithComputed<T, E>, S, X>>(addCompute(this.#state, expression, this.#version));
  }

  /**
   * Sets a custom query option (such as `sap-client`) or a parameter alias (`@p`); a later call with
   * the same name replaces it. A string is sent as it is (an alias's `'text'` quoted by you); a
   * number as the filter builder writes it (`2 ** 60` as `1152921504606846976`, `1e21` as `1e21`,
   * `Infinity` as `INF`), for an alias in the client's version, for a custom option, whose syntax is
   * the service's own, as a v4 literal (no v2 `L` suffix). A system query option's name is refused
   * with a `TypeError` (use its method, where it has one): `$filter` or `$format` in any case, and
   * on OData 4.01, which reads those names without `$`, `filter`, `Top`, `search`, `skiptoken` too.
   */
  param(name: string, value: string | number | boolean): this {
    return this.#next(setParam(this.#state, name, value, this.#version));
  }

  /**
   * One entity by its key: `key(1)` is `Books(1)`, `key({ A: 1, B: "x" })` is `Pairs(A=1,B='x')`.
   * Values are written as literals of the client's version (use `edm.*` for Int64, Guid...); with
   * the client's option `keyAsSegment` a single value is a path segment of its own (`Books/1`,
   * `People/O'Neil`). The query's `select()`, `expand()`, `compute()` and `param()` options go with
   * the entity (`Books(1)?$select=…`), typed as chosen; its other system query options and
   * `trackChanges()`, which address a collection, are refused with a `TypeError` naming them.
   * @example const order = await orders.select("ID", "total").expand("items").key(7).get()
   */
  key(key: KeyValue<T>): EntityOf<K, T, S, X> {
    const keyPredicate = formatKeyPredicate(key, this.#version);
    const { entitySet, parentPath, select, expand, compute, params } = this.#state;
    // $filter, $orderby, $top and the like address collections (OData 4.01 Part 2 §5.1): dropped,
    // they would leave the caller with another entity, or another action, than chosen.
    checkWholeSet({ ...this.#state, select: [], expand: [], compute: [] }, `key${keyPredicate}`, "they address a collection, a key one entity");
    const state = { entitySet, keyPredicate: this.#core.options.keyAsSegment ? keySegment(keyPredicate) : keyPredicate, parentPath, select, expand, compute, params };
    return this.entityQuery(this.#core, state as EntityState) as EntityOf<K, T, S, X>;
  }

  /**
   * The entities of the derived type `type` (a qualified name: `NS.Employee`, or with the schema's
   * alias) among this collection's, as a query on `Persons/NS.Employee` (OData v4) that keeps this
   * query's options, which apply to the cast's result; `key()` on it is `Persons/NS.Employee(1)`.
   * Anything but a qualified name is refused with a `TypeError` naming `cast(type)`, and so is a
   * cast of a query that is cast already (OData has no two type segments in a row).
   * @example graph.collection("groups").key("x").navigate("members").cast<User>("microsoft.graph.user")
   */
  cast<U = Record<string, unknown>>(type: string): CollectionOf<K, U, S, X> {
    return this.#next<CollectionOf<K, U, S, X>>(castState(this.#state, collectionPath(this.#state), type, this.#version));
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
  trackChanges(): this {
    return this.#next({ ...this.#state, trackChanges: true });
  }

  /** The absolute request URL of this query, encoded; sends nothing. */
  url(): string {
    return collectionUrl(this.#core.options.serviceUrl, this.#version, this.#state).href;
  }

  // --- reading --------------------------------------------------------------------------------

  /**
   * One page: the entities of the first page the service sends (or of `options.from`, a next link
   * saved earlier), with its `nextLink`, `count`, `deltaLink` and other `annotations`.
   */
  async page(options?: ReadOptions): Promise<Page<Selected<T, S, X>>> {
    // Each reading method refuses options it does not take (`page(5)`, a typo) before anything
    // is sent; the reading layer below takes options of its own (TraversalOptions) beside them.
    refuseUnknownOptions(options, READ_OPTIONS, "page()");
    return await readPage<Selected<T, S, X>>(this.#core, this.#requestUrl(), readingOptions(this.#state, options));
  }

  /**
   * Page after page, following `@odata.nextLink` (v4) or `__next` (v2). The next page is requested
   * while the loop body works on the current one (`readAhead`, default 1; 0 turns it off).
   * @example
   * for await (const page of client.collection("Orders").pages()) await store(page.value);
   */
  pages(options?: ReadOptions): AsyncGenerator<Page<Selected<T, S, X>>, void, undefined> {
    // The call's name set here, after the caller's options: a `where` among them is refused, not taken.
    return walkPages<Selected<T, S, X>>(this.#core, this.#requestUrl(), { ...readingOptions(this.#state, options), where: "pages()" }, options);
  }

  /**
   * Entity after entity across all pages, in memory bounded by the pages in flight; a huge unpaged
   * answer is read entity by entity as it arrives. `for await (const e of query)` does the same.
   */
  stream(options?: ReadOptions): AsyncGenerator<Selected<T, S, X>, void, undefined> {
    return walkEntities<Selected<T, S, X>>(this.#core, this.#requestUrl(), { ...readingOptions(this.#state, options), where: "stream()" }, options);
  }

  [Symbol.asyncIterator](): AsyncGenerator<Selected<T, S, X>, void, undefined> {
    return this.stream();
  }

  /** All entities of all pages in one array (memory grows with the collection: prefer `stream()`). */
  async list(options?: ReadOptions): Promise<Selected<T, S, X>[]> {
    refuseUnknownOptions(options, READ_OPTIONS, "list()");
    const all: Selected<T, S, X>[] = [];
    // The pages as pages() reads them, its option errors naming list().
    for await (const page of walkPages<Selected<T, S, X>>(this.#core, this.#requestUrl(), readingOptions(this.#state, { ...options, where: "list()" }))) for (const entity of page.value) all.push(entity);
    return all;
  }

  /**
   * The first entity (`$top=1`), or `undefined` when there is none. An empty page that names a
   * next one (server-driven paging allows it) is followed, as a walk follows it. Should the service
   * ignore `$top` and send a large collection, its answer is read no further than the first entity.
   * `headers` go with each request, as a walk's do (see {@link ReadOptions}).
   */
  async first(options?: RequestOptions & Pick<ReadOptions, "headers">): Promise<Selected<T, S, X> | undefined> {
    refuseUnknownOptions(options, SINGLE_READ_OPTIONS, "first()");
    const state = firstEntityState(this.#state);
    const url = collectionUrl(this.#core.options.serviceUrl, this.#version, state);
    for await (const entity of walkEntities<Selected<T, S, X>>(this.#core, url, { ...options, expand: state.expand, top: state.top, readAhead: 0, eager: true, where: "first()" })) return entity;
    return undefined;
  }

  /**
   * The number of entities the query reads, whatever its paging: `GET .../$count` with its
   * `$filter`, `$search`, `$apply`, `$compute` and custom options, and the `headers` given, checked
   * as a read's (see {@link ReadOptions}).
   * @example await graph.collection("users").countAll({ headers: { ConsistencyLevel: "eventual" } }) // Microsoft Graph
   */
  async countAll(options?: RequestOptions & Pick<ReadOptions, "headers">): Promise<number> {
    refuseUnknownOptions(options, SINGLE_READ_OPTIONS, "countAll()");
    const url = countUrl(this.#core.options.serviceUrl, this.#version, this.#state);
    // `return await`: a method that returned a promise already rejected (an argument refused before
    // sending) left it unhandled for a turn, which workerd reports as an unhandled rejection.
    return await (await singleReads()).readCount(this.#core, url, options);
  }

  // --- internals ------------------------------------------------------------------------------

  /**
   * The entity query that `key()` gives: of this query's kind.
   * @internal `CollectionQuery` gives an `EntityQuery`.
   */
  protected entityQuery(core: ClientCore, state: EntityState): object {
    return new ReadEntityQuery(core, state);
  }

  #requestUrl(): URL {
    return collectionUrl(this.#core.options.serviceUrl, this.#version, this.#state);
  }

  get #version() {
    return this.#core.options.version;
  }

  /**
   * A query of this class with `state`: of this type, or of the type `Q` that `select()` or
   * `expand()` made of the rows.
   */
  #next<Q = this>(state: QueryState): Q {
    return new (this.constructor as QueryConstructor<Q, QueryState>)(this.#core, state);
  }
}

/**
 * The client core and the state behind a collection query, for the layers above that build
 * requests from it (`$batch`, the writes, the command line's export). Pair with `collectionUrl`,
 * `countUrl` and `firstEntityState` of `src/query/`. Anything else is refused with a `TypeError`
 * that names it `what`: the call and its parameter (`"page(query): the query"`).
 * @internal Not exported from the package.
 */
export function queryInternals(query: AnyCollectionQuery, what = "the query"): { core: ClientCore; state: QueryState } {
  // JavaScript may pass anything: named here, for every caller, rather than as a private member's TypeError.
  if (!(query instanceof ReadCollectionQuery)) throw new TypeError(`${what} must be a collection query, such as client.collection("Authors")`);
  return readQueryInternals(query);
}

/**
 * The caller's reading options plus what a query adds: change tracking, the expanded paths, the
 * `$top` that bounds a walk (a `where` among the options, `list()`'s, names the call in option errors).
 * @internal Not exported from the package.
 */
export function readingOptions(state: QueryState, options: TraversalOptions | undefined): TraversalOptions | undefined {
  const { trackChanges, expand, top } = state;
  return { ...options, trackChanges, expand, top };
}

/**
 * The pages of a query as `query.pages()` reads them, with the reading layer's own options too
 * (the command line's export reads the text of each page with `onWholeBody`).
 * @internal Not exported from the package.
 */
export function queryPages<T>(query: AnyCollectionQuery, options: TraversalOptions): AsyncGenerator<Page<T>, void, undefined> {
  const { core, state } = readQueryInternals(query);
  return walkPages<T>(core, collectionUrl(core.options.serviceUrl, core.options.version, state), readingOptions(state, options));
}

let readEntityInternals: (query: AnyEntityQuery) => { core: ClientCore; state: EntityState };

/**
 * One entity (of an entity set, or a singleton) that builds its request and reads, made by `key()`
 * of a {@link ReadCollectionQuery}. `EntityQuery` does all of this and writes too. Sends
 * nothing until `get()`.
 * @typeParam T - the entity type.
 * @typeParam S - the names given to `select()` so far (`never`: none, every property is read).
 * @typeParam X - the navigation properties expanded so far, with their rows.
 * @typeParam K - which classes `select()`, `expand()` and the navigations give (see {@link QueryKind}).
 * @typeParam Z - `null` where `get()` may find no entity (a single-valued navigation, `navigateOne()`; a singleton made with `{ nullable: true }`).
 */
export class ReadEntityQuery<T = Record<string, unknown>, S extends string = never, X = {}, K extends QueryKind = "read", Z = never> {
  readonly #core: ClientCore;
  readonly #state: EntityState;

  static {
    readEntityInternals = (query) => ({ core: query.#core, state: query.#state });
  }

  /** @internal Made by `key()`, `singleton()`, `navigateOne()` and the builders. */
  constructor(core: ClientCore, state: EntityState) {
    this.#core = core;
    this.#state = state;
  }

  /** Adds `$select` items; `get()` gives then only the selected properties (see {@link Selected}). */
  select<const F extends SelectItem<T>>(...fields: (F & ValidSelect<T, F>)[]): EntityOf<K, T, S | F, X, Z> {
    return this.#next<EntityOf<K, T, S | F, X, Z>>(addSelect(this.#state, fields, "select(fields)"));
  }

  /** Adds an `$expand` item, with nested options from `build` (see `ReadCollectionQuery.expand`). */
  expand<const N extends ExpandPath<T>, NS extends string = never, NX = {}>(
    nav: N,
    build?: ExpandBuilder<RelatedType<T, N>, NS, NX, T>,
  ): EntityOf<K, T, S, Unexpanded<X, N> & Expansion<T, N, Selected<RelatedType<T, N>, NS, NX>, X>, Z> {
    return this.#next<EntityOf<K, T, S, Unexpanded<X, N> & Expansion<T, N, Selected<RelatedType<T, N>, NS, NX>, X>, Z>>(
      addExpand(this.#state, this.#core.options.version, nav, build, "expand(nav)"),
    );
  }

  /** Adds a `$compute` item (OData v4), which `select()` may name, as `ReadCollectionQuery.compute` does. */
  compute<const E extends string>(expression: E): EntityOf<K, WithComputed<T, E>, S, X, Z> {
    return this.#next<EntityOf<K, WithComputed<T, E>, S, X, Z>>(addCompute(this.#state, expression, this.#core.options.version));
  }

  /**
   * Sets a custom query option (such as `sap-client`) or a parameter alias (`@p`). A string is
   * sent as it is (an alias's `'text'` quoted by you); a number as the filter builder writes it (`2 ** 60` as `1152921504606846976`, `1e21` as `1e21`,
   * `Infinity` as `INF`), for an alias in the client's version, for a custom option, whose syntax is
   * the service's own, as a v4 literal (no v2 `L` suffix). A system query option's name is refused
   * with a `TypeError` (use its method, where it has one): `$filter` or `$format` in any case, and
   * on OData 4.01, which reads those names without `$`, `filter`, `Top`, `search`, `skiptoken` too.
   */
  param(name: string, value: string | number | boolean): this {
    return this.#next(setParam(this.#state, name, value, this.#core.options.version));
  }

  /**
   * This entity as one of the derived type `type` (a qualified name), as a query on
   * `Persons(1)/NS.Employee` (OData v4) that keeps this query's options. An entity not of the type
   * is not found (404), so `get()` gives `null` only where this query's would. A cast of an entity
   * query that is a cast already (`singleton("Me").cast(a).cast(b)`) is refused with a `TypeError`;
   * one of an entity of a cast collection (`Persons/NS.Employee(1)/NS.Manager`) is not.
   */
  cast<U = Record<string, unknown>>(type: string): EntityOf<K, U, S, X, Z> {
    // The key predicate goes into the parent path; castState reads it first, to tell a cast of a cast.
    const state = castState({ ...this.#state, nullable: relatesOne(this.#state) }, entityPath(this.#state), type, this.#core.options.version);
    return this.#next<EntityOf<K, U, S, X, Z>>({ ...state, keyPredicate: "" });
  }

  /** The absolute request URL of this entity, encoded; sends nothing. */
  url(): string {
    return entityUrl(this.#core.options.serviceUrl, this.#core.options.version, this.#state).href;
  }

  // --- reading --------------------------------------------------------------------------------

  /**
   * Reads the entity. v2's `d` wrapper is removed; an `ETag` header is kept as `@odata.etag` (v4)
   * when the body has none. A missing entity rejects with `ODataHttpError` (status 404). Of a
   * single-valued navigation (`navigateOne()`) that relates no entity, or of a singleton made with
   * `{ nullable: true }` that is null, resolves with `null` (the service answers `204 No Content`).
   * `headers` go with the request, checked and merged as a read's (see {@link ReadOptions}).
   */
  async get(options?: RequestOptions & Pick<ReadOptions, "headers">): Promise<Selected<T, S, X> | Z> {
    refuseUnknownOptions(options, SINGLE_READ_OPTIONS, "get()");
    const url = new URL(this.url());
    return await (await singleReads()).readEntity<Selected<T, S, X> | Z>(this.#core, url, options, this.#state, relatesOne(this.#state));
  }

  // --- navigation -----------------------------------------------------------------------------

  /**
   * The entities of the collection-valued navigation property `navigation`, as a collection query
   * on `Books(1)/reviews`: read it (filter, page, stream...) or, from `ODataClient`, `create()` in
   * it. Sends nothing. This query's `select()` and `expand()` are refused with a `TypeError`
   * naming them: the navigation's URL has no place for them (`Books(1)/reviews?$select=...` selects
   * of the reviews), so give the options to the query this returns.
   * @example const reviews = await books.key(1).navigate("reviews").filter((f) => f.ge("rating", 4)).list()
   */
  navigate<N extends CollectionNavigation<T>, R = RelatedType<T, N>>(navigation: N): CollectionOf<K, R> {
    return this.collectionQuery(this.#core, {
      entitySet: this.#navigation(navigation, "navigate"),
      parentPath: entityPath(this.#state),
      ...(this.#state.params ? { params: this.#state.params } : {}),
    }) as CollectionOf<K, R>;
  }

  /**
   * The entity of the single-valued navigation property `navigation`, as an entity query on
   * `Books(1)/author`, whose `get()` resolves with `null` where no entity is related. Sends nothing.
   * This query's `select()` and `expand()` are refused, as by {@link ReadEntityQuery.navigate}.
   */
  navigateOne<N extends SingleNavigation<T>, R = RelatedType<T, N>>(navigation: N): EntityOf<K, R, never, {}, null> {
    return this.entityQuery(this.#core, {
      entitySet: this.#navigation(navigation, "navigateOne"),
      parentPath: entityPath(this.#state),
      keyPredicate: "",
      ...(this.#state.params ? { params: this.#state.params } : {}),
    }) as EntityOf<K, R, never, {}, null>;
  }

  /**
   * The property `name` of this entity, as a resource of its own (`Books(1)/title`): `get()` reads
   * its value, `text()` its raw value (`Books(1)/title/$value`). Sends nothing. Custom options
   * (`param()`) go with it; this query's `select()`, `expand()` and `compute()` are refused with a
   * `TypeError` naming them, as by {@link ReadEntityQuery.navigate}, and so is a name that is no
   * OData identifier.
   * @example const title = await client.collection<Book>("Books").key(1).property("title").get() // string | null, as Book declares it
   */
  property<const N extends PropertyName<T>>(name: N): PropertyQuery<PropertyValue<T, N>> {
    const checked = checkIdentifier(name, "property(name)");
    checkWholeSet(this.#state, `property(${JSON.stringify(checked)})`, "a property's URL has no place for them");
    return new PropertyQuery(this.#core, this.#state, checked);
  }

  // --- internals ------------------------------------------------------------------------------

  /**
   * The collection query that `navigate()` gives: of this query's kind.
   * @internal `EntityQuery` gives a `CollectionQuery`.
   */
  protected collectionQuery(core: ClientCore, state: QueryState): object {
    return new ReadCollectionQuery(core, state);
  }

  /**
   * The entity query that `navigateOne()` gives: of this query's kind.
   * @internal `EntityQuery` gives an `EntityQuery`.
   */
  protected entityQuery(core: ClientCore, state: EntityState): object {
    return new ReadEntityQuery(core, state);
  }

  /**
   * The name of a navigation property, checked, once this query is found to have no option the
   * navigation's URL would leave out: dropped without a word, they would leave the caller believing
   * the navigation read what they chose.
   */
  #navigation(navigation: string, call: string): string {
    const name = checkIdentifier(navigation, `${call}(navigation)`);
    checkWholeSet(this.#state, `${call}(${JSON.stringify(name)})`, "a navigation's own query options apply to its result");
    return name;
  }

  /**
   * A query of this class with `state`: of this type, or of the type `Q` that `select()` or
   * `expand()` made of the rows.
   */
  #next<Q = this>(state: EntityState): Q {
    return new (this.constructor as QueryConstructor<Q, EntityState>)(this.#core, state);
  }
}

/**
 * The client core and the state behind an entity query, for the layers above that build requests
 * from it (`$batch`, the writes, a reference's target). Anything else is refused with a
 * `TypeError` that names it `what`: the call and its parameter (`"get(query): the query"`).
 * @internal Not exported from the package.
 */
export function entityInternals(query: AnyEntityQuery, what = "the query"): { core: ClientCore; state: EntityState } {
  if (!(query instanceof ReadEntityQuery)) throw new TypeError(`${what} must be an entity query, such as client.collection("Authors").key(1)`);
  return readEntityInternals(query);
}

/**
 * Whether an entity query names an entity that may be missing without an error: that of a
 * single-valued navigation property (`Books(1)/author`), which may relate none, or a singleton the
 * caller said may be null (`singleton(name, { nullable: true })`, OData 4.01's `Nullable="true"`).
 * Either is answered `204 No Content` then, and read as `null`. Any other singleton is typed to
 * have its entity, so its 204 stays an answer without one (the client has no `$metadata` to ask).
 * @internal Not exported from the package.
 */
export function relatesOne(state: EntityState): boolean {
  // A cast of an entity (`cast()`) says whether the entity it casts may be missing in `nullable`.
  return state.keyPredicate === "" && !!(state.nullable ?? state.parentPath);
}
