/**
 * Partitions of a collection query as plain JSON, and how a query runs one: `query.partition(p)`
 * adds the partition's key range (or `$skip` window) to the query. Planning them (`partitions(n)`,
 * in partitions.ts) loads on first use.
 */
import type { RequestOptions } from "../options.js";
import type { ServiceModel } from "../metadata/model.js";
import { checkPath } from "../query/names.js";
import { addFilter, addOrderBy, checkOptionText, type QueryState } from "../query/state.js";
import { collectionPath } from "../query/url.js";
import { describe } from "../util/values.js";

/** How {@link CollectionQuery.partitions} finds the ranges; see the module comment. */
export type PartitionStrategy = "auto" | "quantiles" | "aggregate" | "skip";

/** Options of `query.partitions(n, options)`. */
export interface PartitionOptions extends RequestOptions {
  /**
   * The property (or properties, in order) whose ranges make the partitions.
   * @default the key of the entity set's type, from `$metadata`
   */
  key?: string | readonly string[] | undefined;
  /**
   * The service model to read the key, its types and the sort restrictions from. Pass
   * `await client.metadata()` to reuse the client's copy; without it `$metadata` is fetched once
   * for the plan. Where no model can be had, `key` must be given, and key values are written as
   * the JSON gave them (numbers as numbers, strings as string literals). `null`: the service has
   * no `$metadata` (the caller asked it already): planned without a model, `$metadata` not asked.
   */
  model?: ServiceModel | null | undefined;
  /**
   * How the ranges are found: `"quantiles"`, `"aggregate"`, `"skip"`, or `"auto"`: quantiles
   * where the key can be ordered, `$skip` windows where it cannot.
   * @default "auto"
   */
  strategy?: PartitionStrategy | undefined;
}

/**
 * One partition of a query: plain JSON (`JSON.stringify` keeps everything), made by
 * `query.partitions(n)` and run with `query.partition(p)` on the same query, or by reading
 * `p.url` page by page (`query.pages({ from: p.url })`).
 */
export interface QueryPartition {
  type: "traverse-odata/partition";
  version: 1;
  /**
   * The query's resource path, to check that a partition is run on its own query: the entity set
   * (`Books`), or the navigation path with its keys as the URL has it (`Authors('O''Brien')/books`).
   */
  entitySet: string;
  /** This partition's place, from 0. */
  index: number;
  /** How many partitions the plan has. */
  of: number;
  /** `key-range`: a `$filter` on the key; `skip`: a `$skip`/`$top` window; `empty`: nothing (the set held fewer entities than partitions). */
  kind: "key-range" | "skip" | "empty";
  /** The key properties the ranges are of (`key-range`). */
  key?: string[] | undefined;
  /**
   * The lower bound, inclusive: the key values (as JSON) of the entity the range starts at; absent
   * for the first range, and where that entity's key was null.
   */
  from?: unknown[] | undefined;
  /** The upper bound, exclusive: the key values of the next range's `from`; absent for the last range. */
  to?: unknown[] | undefined;
  /**
   * The `$filter` expression that restricts the query to this range (`key-range`, and `false` for
   * `empty`): `key lt to` and `key ge from`, and `key ge` the `from` of earlier ranges where the
   * service's comparisons do not put those below this one; the first range also holds the rows
   * whose key is null (`or key eq null`) where the key may be null.
   */
  filter?: string | undefined;
  /** The window (`skip`): entities from `skip`, at most `top` of them (no `top` on the last one). */
  skip?: number;
  top?: number;
  /** The `$orderby` items a window adds, so that the windows are taken from one order. */
  orderBy?: string[] | undefined;
  /**
   * How many entities the range held when it was planned; absent where the ranges follow another
   * order than the service's `$orderby` (or, with `aggregate`, no count was made).
   */
  estimatedCount?: number;
  /** The absolute URL of the partition's first page: the query's own URL with the range added. */
  url: string;
}

/**
 * Refuses a query that is not a whole collection to split: one with `$top` or `$skip` (each
 * partition has its own range or window) or `$apply` (whose answer is not the set's entities).
 * Both planning and running a partition check it, since a plan may be run on any query.
 */
export function checkWholeCollection(state: QueryState, where: string): void {
  if (state.top !== undefined || state.skip !== undefined) {
    throw new TypeError(`${where}: the query has $top or $skip; partitions split a whole collection, so use them on the query without these`);
  }
  if (state.apply?.length) throw new TypeError(`${where}: the query has $apply, whose answer is not the entities of the set; partitions need the entities themselves`);
}

/**
 * The query state of one partition of `state` (the query the plan was made for). A plan may come
 * from a file (the CLI's `--plan-file`), so its filter and `$orderby` items get the checks that
 * `filter()` and `orderBy()` apply: a filter that closed the parenthesis it is ANDed in could widen
 * the query to everything.
 */
export function partitionState(state: QueryState, partition: QueryPartition): QueryState {
  checkWholeCollection(state, "partition(p)");
  const p = checkPartition(partition);
  const path = partitionPath(state);
  if (p.entitySet !== path) {
    throw new TypeError(`partition(p): the partition is of ${JSON.stringify(p.entitySet)}, not of this query's ${JSON.stringify(path)}`);
  }
  if (p.kind === "skip") {
    // The window's order comes first, the query's own after it.
    const ordered = (p.orderBy ?? []).reduce(addOrderItem, { ...state, orderBy: [] });
    return {
      ...state,
      ...(p.orderBy?.length ? { orderBy: [...(ordered.orderBy ?? []), ...(state.orderBy ?? [])] } : {}),
      skip: p.skip ?? 0,
      ...(p.top === undefined ? {} : { top: p.top }),
    };
  }
  return p.filter === undefined ? state : addFilter(state, checkOptionText(p.filter, "partition(p) filter"));
}

/**
 * What a partition's `entitySet` holds for the query of `state`. The keys are part of it: a plan of
 * `Authors('austen')/books` holds ranges of Austen's books, not of another author's. An entity set
 * keeps its bare name, so plans made before navigation paths were written in full still run.
 */
export function partitionPath(state: QueryState): string {
  return state.parentPath === undefined ? state.entitySet : collectionPath(state);
}

/** Adds one `$orderby` item of a partition (`path`, `path asc` or `path desc`), checked as `orderBy()` checks it. */
function addOrderItem(state: QueryState, item: string): QueryState {
  const where = "partition(p) orderBy";
  const [, path = item, direction] = /^(.*) (asc|desc)$/.exec(item) ?? [];
  return addOrderBy(state, checkPath(path, where), direction, where);
}

function checkPartition(p: unknown): QueryPartition {
  const fail = (what: string): never => {
    throw new TypeError(`partition(p): ${what}; pass one of the objects that query.partitions(n) gave`);
  };
  if (typeof p !== "object" || p === null || Array.isArray(p)) return fail(`expected a partition object; got ${describe(p)}`);
  const partition = p as Partial<QueryPartition>;
  if (partition.type !== "traverse-odata/partition" || partition.version !== 1) return fail('its type is not "traverse-odata/partition" version 1');
  if (typeof partition.entitySet !== "string") return fail("it names no entitySet");
  if (partition.kind !== "key-range" && partition.kind !== "skip" && partition.kind !== "empty") return fail(`its kind ${describe(partition.kind)} is not key-range, skip or empty`);
  if (partition.kind === "skip") {
    if (!isCount(partition.skip) || (partition.top !== undefined && !isCount(partition.top))) return fail("its skip and top must be integers >= 0");
    if (partition.orderBy !== undefined && (!Array.isArray(partition.orderBy) || partition.orderBy.some((item) => typeof item !== "string"))) {
      return fail("its orderBy must be a list of $orderby items");
    }
  } else if (partition.filter !== undefined && typeof partition.filter !== "string") {
    return fail("its filter must be $filter text");
  }
  return partition as QueryPartition;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
