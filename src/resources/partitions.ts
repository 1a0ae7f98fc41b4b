/**
 * Partitions of a collection query: the collection split into ranges of its key, so that several
 * walkers (tasks of one process, or separate machines) can read it at once, each range exactly
 * once. A plan is plain JSON: it can be printed, stored, and run anywhere a client for the same
 * service exists (`query.partition(p)`, or a GET of `p.url`).
 *
 * How the ranges are found:
 * - `quantiles` (the default where the key can be ordered): `GET <set>/$count`, then for each of
 *   the n - 1 boundaries one probe `$orderby=<key>&$skip=<position>&$top=1&$select=<key>`. The
 *   ranges hold (nearly) the same number of entities, whatever the key's type or distribution.
 * - `aggregate`: one `$apply=aggregate(<key> with min as ...,<key> with max as ...)` request, and
 *   the integer range between them cut into n equal spans of key values (one request, but ranges
 *   only as even as the keys are dense).
 * - `skip`: `$skip`/`$top` windows of the count, for a key the service cannot order by (its
 *   `Capabilities.SortRestrictions` say so, or it answers the ordered probe with 501). These rely
 *   on the service answering in the same order every time. Where they are ordered, a `key` option
 *   (which may name a property with repeated values) is followed by the entity key from the model:
 *   a window ordered by values with ties is another slice on each request where a service orders
 *   ties as it likes (SQL does), and rows would be read twice or never.
 *
 * The key is the entity type's, as the model says: of the entity set's type, or, for a navigation
 * (`Authors('austen')/books`), of the type its last navigation property leads to (navigationTarget);
 * for a type cast (`Persons/NS.Employee`, `cast(type)`), of the derived type it names, whose key is
 * its base type's.
 *
 * Key ranges cover the whole key space: the first has no lower bound, the last no upper one, so an
 * entity added after the plan was made is still in exactly one range.
 *
 * How a key range is written. The probes find the boundaries b1 ... b(n-1) in the order of
 * `$orderby`, but a range is read with `lt` and `ge` in `$filter`, whose order a service may
 * not share: SAP CAP sorts strings case-insensitively and compares them byte by byte, so "murakami"
 * comes before "O'Brien" in its order but after it in its comparisons. Range i therefore holds the
 * rows below b(i+1) that no earlier range holds: `K lt b(i+1) and K ge b1 and ... and K ge b(i)`
 * (range 0 is `K lt b1`, the last one has no `lt`). Every row is in the first range whose upper
 * boundary is above it, whatever order the comparisons follow. Where the service's comparisons
 * put b(j) at or below b(j+1), `K ge b(j+1)` implies `K ge b(j)`, which is left out: so when the
 * two orders agree, range i is `K ge b(i) and K lt b(i+1)`. That b(j) is at most b(j+1) is known
 * without a request for numbers, booleans and dates, which every service compares by value; for
 * other types (strings, GUIDs, binary) one request per pair of boundaries asks the service,
 * `$filter=K eq b(j) and K le b(j+1)&$top=1`, which answers the row b(j) only where its
 * comparisons say so. Where some pair is not so ordered, the boundaries are tried once more sorted
 * by code point (how a database compares strings byte by byte), and the order with fewer such
 * pairs is taken. Each pair left unordered adds a `ge` to the ranges after it, at most
 * MAX_LOWER_BOUNDS of them; a boundary beyond that is dropped (its range is empty, the next one
 * takes its rows), so that no filter outgrows a URL.
 *
 * Where a key has parts of other types, its Boolean parts bound no range: the ranges are of the
 * other parts, in key order. SAP CAP ignores `lt` and `ge` on `IsActiveEntity`, a key part of
 * every draft-enabled entity, so a boundary written with it put its row in both ranges beside it.
 * A Boolean in the middle of a key is left out as well: written there, the parts after it would be
 * compared under a term such a service drops. Ranges of the other parts are still disjoint and
 * complete (the rows that share their values fall on one side of every boundary), keep the parts
 * after the Boolean to split on, and lose little: two values are hardly worth a boundary. A key of
 * Boolean parts alone (no draft key is one) is split on them, which a service that compares
 * Booleans reads once each. `$skip` windows take the order of the whole key, Booleans and all.
 *
 * A key that may be null (a property named by `key` that the model does not declare
 * `Nullable="false"`, or any property when there is no model) compares false with every boundary:
 * the first range takes such rows (`or K eq null`), and where a later part of a key of several
 * properties may be null, the other ranges say `ne null` for it. A probe that meets a null bounds
 * nothing: its range is empty.
 *
 * This planning loads with the first `partitions()` call; the partitions' shape and how a query
 * runs one (partition.ts) are what a program that only runs partitions needs.
 */
import type { ClientCore } from "../core.js";
import { ODataClientError, ODataHttpError } from "../errors.js";
import { followAbort, toAbortSignal } from "../http/signals.js";
import { RETRY_STATUSES } from "../http/steps.js";
import { edmText, formatTypedText } from "../query/edm-text.js";
import { formatLiteral, type EdmTypeName } from "../query/literal-format.js";
import { checkPath } from "../query/names.js";
import type { QueryState } from "../query/state.js";
import { collectionUrl, countUrl } from "../query/url.js";
import type { ODataVersion } from "../options.js";
import { describe, optionalFunction, refuseUnknownOptions, valueAt, type OptionNames } from "../util/values.js";
import { bytesOfBase64 } from "../util/base64-text.js";
import { metadataCacheOf } from "../metadata/cache.js";
import { numberOf } from "../metadata/values.js";
import type { EntitySet, EntityType, ServiceModel, Singleton } from "../metadata/model.js";
import { readPage, walkEntities } from "../read/traversal.js";
import { callTimeout } from "../util/timers.js";
import { isQualifiedName } from "../util/identifiers.js";
import { readCount } from "../read/entity.js";
import type { PartitionOptions, PartitionStrategy, QueryPartition, partitionState } from "./partition.js";

/**
 * How a partition's state is made: `partitionState` of partition.ts, passed in by the query rather
 * than imported, so that this lazily loaded module has no static import of it; such an import
 * would move it and the query-state checks it uses out of the start bundle's chunk into a shared
 * one, which costs the start bundle (test/treeshake.test.ts) about 0.5 kB gzipped.
 */
type PartitionStateOf = typeof partitionState;

/** The most partitions one plan makes (each boundary costs a probe). */
export const MAX_PARTITIONS = 1000;

/**
 * The most `ge` terms a range's filter carries: its own lower bound and one for each boundary
 * before it that the service's comparisons were not shown to put at most the next (see the module
 * comment). With a key of 40 characters, a filter stays within about 1 kB.
 */
const MAX_LOWER_BOUNDS = 16;

interface KeyPart {
  /** The property path. */
  path: string;
  /** Its EDM type, where the model says. */
  type: string | undefined;
  /** Whether a row may have null here: not a key property, and not declared `Nullable="false"` (or no model). */
  nullable: boolean;
}

/**
 * Whether a failed read says nothing of what was asked for and may succeed when tried again: no
 * answer in time, no connection, or a status the retry step retries (408, 429, 502, 503, 504). A
 * 500 or 501 is the service's answer (a `$metadata` it does not implement), not a passing state.
 */
export function isTransientFailure(error: unknown): boolean {
  return error instanceof ODataHttpError ? RETRY_STATUSES.has(error.status) : error instanceof ODataClientError && (error.code === "TIMEOUT" || error.code === "NETWORK_ERROR");
}

/** The options `partitions(n)` takes, by name: any other member is refused (refuseUnknownOptions). */
const PARTITIONS = { signal: 1, timeout: 1, onResponse: 1, key: 1, model: 1, strategy: 1 } satisfies OptionNames<PartitionOptions>;

/**
 * Plans `n` partitions of the query: see the module comment. The caller has checked that the query
 * is a whole collection (`checkWholeCollection`); `path` is what each partition's `entitySet` holds
 * (`partitionPath` of partition.ts, passed in for the reason `stateOf` is).
 */
export async function planPartitions(
  core: ClientCore,
  state: QueryState,
  n: number,
  options: PartitionOptions | undefined,
  stateOf: PartitionStateOf,
  path: string,
): Promise<QueryPartition[]> {
  const where = "partitions(n)";
  // `query.partitions(n, options)`'s options as the caller gave them: the check of its public boundary.
  refuseUnknownOptions(options, PARTITIONS, where);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PARTITIONS) throw new RangeError(`${where}: n must be an integer from 1 to ${MAX_PARTITIONS}; got ${describe(n)}`);
  const strategy: PartitionStrategy = options?.strategy === undefined ? "auto" : options.strategy;
  if (!["auto", "quantiles", "aggregate", "skip"].includes(strategy)) {
    throw new RangeError(`${where}: option "strategy" must be "auto", "quantiles", "aggregate" or "skip"; got ${describe(strategy)}`);
  }
  const signal = toAbortSignal(options?.signal);
  // Each probe and count has it, as each page of a walk does; the read of $metadata, shared with other callers, a deadline for this plan's wait.
  const timeout = callTimeout(options?.timeout, where);
  const onResponse = optionalFunction(options?.onResponse, `${where}: option "onResponse"`);
  const givenKey: unknown = options?.key;
  if (givenKey !== undefined && typeof givenKey !== "string" && !Array.isArray(givenKey)) {
    throw new TypeError(`${where}: option "key" must be a property path or an array of them; got ${describe(givenKey)}`);
  }
  const explicitKey = givenKey === undefined ? undefined : (typeof givenKey === "string" ? [givenKey] : [...(givenKey as unknown[])]).map((path) => checkPath(path, `${where} option "key"`));
  if (explicitKey?.length === 0) throw new TypeError(`${where}: option "key" names no property`);

  let model = options?.model;
  if (model !== undefined && model !== null && (typeof model !== "object" || typeof (model as Partial<ServiceModel>).entitySet !== "function")) {
    throw new TypeError(`${where}: option "model" must be a ServiceModel, as client.metadata() gives; got ${describe(model)}`);
  }
  let modelError: unknown;
  // The count does not need the key: when $metadata is to be read first, the count is asked at the
  // same time (a round trip less before the walks start). Planning aborts it when it ends, whether
  // or not it used it (a count already read is not touched by that).
  const countStop = new AbortController();
  const unfollow = followAbort(signal, countStop);
  let total: Promise<number> | undefined;
  try {
    if (model === undefined) {
      if (strategy !== "aggregate") {
        total = readCount(core, countUrl(core.options.serviceUrl, core.options.version, state), { signal: countStop.signal, timeout, onResponse });
        total.catch(() => {}); // its failure is the plan's when the plan uses it
      }
      try {
        model = await metadataCacheOf(core).get(signal, timeout, where);
      } catch (error) {
        // A $metadata that timed out, lost its connection or was answered 429 or 503 may be read on
        // a later try: that failure is the caller's to retry, with a `key` or without. It is neither
        // a key the service cannot tell nor a service without $metadata, whose ranges a `key` writes
        // untyped (a Guid or date key then as a string).
        if (signal?.aborted || isTransientFailure(error)) throw error;
        modelError = error;
      }
    }

    const known = model;
    const set = state.parentPath === undefined ? known?.entitySet(state.entitySet) : undefined;
    const type = set && known ? known.entityTypeOf(set) : known && state.parentPath !== undefined ? navigationTarget(known, state.parentPath, state.entitySet) : undefined;
    const keyPaths = type && known ? known.keyOf(type).map((ref) => ref.path) : [];
    const partOf = (path: string): KeyPart => {
      const property = type && known ? propertyOf(known, type.qualifiedName, path) : undefined;
      // A type definition's value is written, compared and aggregated as its underlying primitive
      // type's (CSDL 4.01, 11 Type Definition): `No lt 42`, a v4 Guid unquoted.
      const declared = property && (known?.typeDefinition(property.type)?.underlyingType ?? property.type);
      // A key property is never null (CSDL requires it, whatever its Nullable says).
      return { path, type: declared, nullable: !keyPaths.includes(path) && (property?.nullable ?? true) };
    };
    const key: KeyPart[] | undefined = explicitKey ? explicitKey.map(partOf) : keyPaths.length > 0 ? keyPaths.map(partOf) : undefined;
    if (!key?.length) {
      const why =
        modelError !== undefined
          ? `$metadata could not be read (${(modelError as Error).message})`
          : model === null
            ? `no $metadata (option "model": null)`
            : state.parentPath !== undefined && !type
              ? isQualifiedName(state.entitySet)
                ? `$metadata declares no entity type ${state.entitySet}`
                : `$metadata does not tell the entity type the navigation ${state.entitySet} leads to`
              : `$metadata names no key for ${type && state.parentPath !== undefined ? type.qualifiedName : state.entitySet}`;
      throw new ODataClientError("PARTITION_KEY_UNKNOWN", `${where}: the key of ${path} is not known: ${why}; pass { key: "<property>" }`, { cause: modelError });
    }
    const sortable = set && known ? keySortable(known, set, key.map((part) => part.path)) : true;
    const rangeKey = key.some((part) => part.type !== "Edm.Boolean") ? key.filter((part) => part.type !== "Edm.Boolean") : key;

    // A key named by `key` may repeat values (a price): the entity key after it orders its ties, so
    // that each `$skip` window is the same slice of the set whatever order the service gives them;
    // not a key property the set's SortRestrictions say cannot be ordered by (the service refuses it).
    const tieBreak = keyPaths.filter((keyPath) => !key.some((part) => part.path === keyPath) && (!set || !known || keySortable(known, set, [keyPath])));
    const plan: PlanContext = { core, where, state, n, key: rangeKey, orderKey: key, tieBreak, signal, timeout, onResponse, total, stateOf, path };
    switch (strategy) {
      case "skip":
        return await skipWindows(plan, sortable);
      case "aggregate":
        return await aggregateRanges(plan);
      case "quantiles":
        return await quantileRanges(plan);
      case "auto":
        if (!sortable) return await skipWindows(plan, false);
        // A row whose Double or Single key is NaN compares false with every boundary, so it would
        // be in no range: such keys (not valid entity keys, but a `key` option may name one) are
        // cut into windows of the ordered set instead.
        if (key.some((part) => part.type === "Edm.Double" || part.type === "Edm.Single")) return await skipWindows(plan, true);
        try {
          return await quantileRanges(plan);
        } catch (error) {
          // 501: the service does not implement ordering (by this key); that is "cannot be ordered".
          if (error instanceof ODataHttpError && error.status === 501 && !signal?.aborted) return await skipWindows(plan, false);
          throw error;
        }
    }
  } finally {
    unfollow();
    countStop.abort();
  }
}

interface PlanContext {
  core: ClientCore;
  /** The call, as its errors name it. */
  where: string;
  state: QueryState;
  n: number;
  /** The key parts the ranges are of: the key without its Boolean parts where it has others (see the module comment). */
  key: KeyPart[];
  /** The whole key, the order of `$skip` windows. */
  orderKey: KeyPart[];
  /**
   * The entity key's parts from the model that `orderKey` lacks (a `key` option named another
   * property), where the model tells them: after it in the order of `$skip` windows, for its ties.
   */
  tieBreak: string[];
  signal: AbortSignal | undefined;
  /** The call's `timeout`, checked: that of each probe and count. */
  timeout: number | undefined;
  /** The call's `onResponse`, checked: told of each probe's and count's answer. */
  onResponse: PartitionOptions["onResponse"];
  /** The count: asked while `$metadata` was read where it was, else by the first strategy that needs it. */
  total: Promise<number> | undefined;
  /** The query's `partitionState`, for each partition's URL. */
  stateOf: PartitionStateOf;
  /** The query's resource path, each partition's `entitySet`. */
  path: string;
}

/**
 * The type of a property path of an entity type (`address/city` through complex types), and
 * whether its value may be null: when any property on the way may be.
 */
function propertyOf(model: ServiceModel, typeName: string, path: string): { type: string; nullable: boolean } | undefined {
  let found: { type: string; nullable: boolean } | undefined;
  for (const segment of path.split("/")) {
    const structured = model.entityType(found?.type ?? typeName) ?? model.complexType(found?.type ?? typeName);
    if (!structured) return undefined;
    const property = model.propertiesOf(structured).find((p) => p.name === segment);
    if (!property) return undefined;
    found = { type: property.type, nullable: (found?.nullable ?? false) || property.nullable };
  }
  return found;
}

/**
 * The entity type a navigation leads to: `parentPath` (encoded, as `Authors('austen')` or
 * `Books(1)/author`) starts at an entity set or a singleton, and each navigation property after it,
 * `navigation` last, leads to its declared type; where that type is not in the model, to the type
 * of the entity set or singleton a `NavigationPropertyBinding` binds the path to (v2 association
 * sets are read as such bindings). A type cast segment (a qualified name, which no property name
 * is) leads to the derived type it names, from the same source: binding paths name casts too
 * (`NS.Employee/manager`). A key written as a segment of its own (option `keyAsSegment`:
 * `Authors/austen/books`) is the segment after a collection that is no type cast. `undefined`
 * where the model does not tell.
 */
function navigationTarget(model: ServiceModel, parentPath: string, navigation: string): EntityType | undefined {
  // The path is encoded: a "/" in a key value is %2F, a name outside ASCII is percent-encoded,
  // and a segment's name ends at its key predicate's "(".
  const segments = [...parentPath.split("/"), navigation].map((segment) => ({ name: decodeURIComponent(segment.replace(/\(.*$/s, "")), keyed: segment.includes("(") }));
  const first = segments[0]?.name ?? "";
  const typeOf = (source: EntitySet | Singleton | undefined) => source && model.entityType(source.kind === "EntitySet" ? source.entityType : source.type);
  let source: EntitySet | Singleton | undefined = model.entitySet(first) ?? model.singleton(first);
  let type = typeOf(source);
  // Whether the path so far addresses a collection, whose next segment may be a key.
  let many = source?.kind === "EntitySet" && !segments[0]?.keyed;
  // The binding path from `source`: it goes on through containment navigation properties.
  let bindingPath = "";
  for (const { name, keyed } of segments.slice(1)) {
    if (many && !isQualifiedName(name)) {
      many = false;
      continue;
    }
    bindingPath = bindingPath === "" ? name : `${bindingPath}/${name}`;
    if (isQualifiedName(name)) {
      type = model.entityType(name);
      if (!type) return undefined;
      many &&= !keyed;
      continue;
    }
    const property = type && model.navigationPropertiesOf(type).find((p) => p.name === name);
    many = !!property?.collection && !keyed;
    const target = source?.navigationPropertyBindings.find((binding) => binding.path === bindingPath)?.target;
    const bound = target === undefined ? undefined : model.entitySet(target) ?? model.singleton(target);
    type = (property && model.entityType(property.type)) ?? typeOf(bound);
    if (bound || !property?.containsTarget) {
      source = bound;
      bindingPath = "";
    }
    if (!type) return undefined;
  }
  return type;
}

/** Whether the set's `Capabilities.SortRestrictions` allow ordering by every one of the property `paths`. */
function keySortable(model: ServiceModel, set: EntitySet, paths: readonly string[]): boolean {
  const restrictions = model.annotation(set, "Capabilities.SortRestrictions");
  if (typeof restrictions !== "object" || restrictions === null || Array.isArray(restrictions)) return true;
  if (restrictions["Sortable"] === false) return false;
  const nonSortable = restrictions["NonSortableProperties"];
  return !(Array.isArray(nonSortable) && paths.some((path) => nonSortable.includes(path)));
}

/** The state the probes start from: the query's filters, search and custom options, nothing else. */
function probeBase(state: QueryState): QueryState {
  return {
    entitySet: state.entitySet,
    ...(state.parentPath === undefined ? {} : { parentPath: state.parentPath }),
    ...(state.filters ? { filters: state.filters } : {}),
    ...(state.search === undefined ? {} : { search: state.search }),
    ...(state.params ? { params: state.params } : {}),
  };
}

/**
 * The count, asked once per plan: kept in `plan`, so that the `$skip` windows a 501 to the ordered
 * probes falls back to take the count the quantiles asked for (its failure too, rather than asking again).
 */
function count(plan: PlanContext): Promise<number> {
  return (plan.total ??= readCount(plan.core, countUrl(plan.core.options.serviceUrl, plan.core.options.version, plan.state), { signal: plan.signal, timeout: plan.timeout, onResponse: plan.onResponse }));
}

/** Where the `i`-th of `n` equal shares of `total` starts. */
function shareStart(i: number, n: number, total: number): number {
  return Math.floor((i * total) / n);
}

/** How many requests of a plan (boundary probes, order checks) are in flight at once. */
const PROBES_AT_ONCE = 8;

/**
 * `task(0)` ... `task(count - 1)`, at most PROBES_AT_ONCE at a time: a plan of 1,000 ranges would
 * otherwise open 999 connections. One failing aborts `stop` (the others' answers are of no use
 * then), as the caller's abort does.
 */
async function fewAtOnce<T>(count: number, stop: AbortController, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let taken = 0;
  const worker = async () => {
    while (taken < count) {
      const i = taken++;
      results[i] = await task(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, count) }, worker));
  } catch (error) {
    stop.abort(error);
    throw error;
  }
  return results;
}

async function quantileRanges(plan: PlanContext): Promise<QueryPartition[]> {
  const total = await count(plan);
  const stop = new AbortController();
  const unfollow = followAbort(plan.signal, stop);
  try {
    return await probeRanges(plan, total, stop);
  } finally {
    unfollow();
  }
}

/** The ranges of {@link quantileRanges}, its probes under `stop`, which the caller's signal aborts. */
async function probeRanges(plan: PlanContext, total: number, stop: AbortController): Promise<QueryPartition[]> {
  const { core, state, n, key } = plan;
  const version = core.options.version;
  const base = probeBase(state);
  const select = key.map((part) => part.path);
  const probeSignal = stop.signal;
  const probe = async (position: number): Promise<unknown[] | undefined> => {
    const url = collectionUrl(core.options.serviceUrl, version, { ...base, orderBy: select, skip: position, top: 1, select });
    const entity = await probeEntity(plan, url, probeSignal);
    return entity === undefined ? undefined : key.map((part) => keyValueAt(entity, part));
  };
  // Boundary i (1..n-1) is the key of the first entity of range i. A probe that finds nothing (the
  // set shrank since it was counted) ends the ranges there: the ones after it are empty.
  const boundaries = await fewAtOnce(n - 1, stop, (i) => probe(shareStart(i + 1, n, total)));
  const found = boundaries.indexOf(undefined);
  const probed = (found < 0 ? boundaries : boundaries.slice(0, found)) as unknown[][];
  // A null sorts first or last and compares false with everything: it bounds nothing. Those
  // boundaries go first, so that their (empty) ranges come right after the first, which holds the nulls.
  const withNull = probed.filter((values) => values.includes(null));
  const order = await comparisonOrder(plan, probed.filter((values) => !values.includes(null)), stop, probeSignal);
  // The estimates are the probes' shares where the ranges are the windows of `$orderby`.
  const windows = withNull.length === 0 && !order.sorted && order.atMost.every(Boolean);
  const estimate = windows ? (i: number) => shareStart(i + 1, n, total) - shareStart(i, n, total) : undefined;
  return keyRanges(plan, [...withNull.map(() => null), ...lowerBoundsOf(order.values, order.atMost)], estimate);
}

/** A boundary in range order, and whether it stands for the lower bound before it (its `ge` implies the other's). */
interface Boundary {
  values: readonly unknown[];
  replaces: boolean;
}

/**
 * The boundaries in an order in which the service's comparisons put each at most the next, as far
 * as known: `atMost[j]` says whether `values[j] <= values[j + 1]` is. First the order the probes
 * found them in; where a pair of it is not known to be ordered, also the boundaries sorted by code
 * point, the order of a service that compares strings byte by byte (SAP CAP on SQLite). The order
 * with fewer such pairs is taken.
 */
async function comparisonOrder(plan: PlanContext, values: unknown[][], stop: AbortController, signal: AbortSignal | undefined): Promise<{ values: unknown[][]; atMost: boolean[]; sorted: boolean }> {
  const asked = new Map<string, boolean>();
  const atMostOf = async (list: unknown[][]): Promise<boolean[]> => {
    const pairs = list.slice(1).map((next, j) => [list[j] as unknown[], next] as const);
    const known = pairs.map(([lower, upper]) => knownAtMost(plan.key, lower, upper));
    const ids = pairs.map((pair) => JSON.stringify(pair));
    // Each pair not known yet, once (the same pair may come up in both orders' lists).
    const ask = new Map<string, (typeof pairs)[number]>();
    for (const [j, id] of ids.entries()) if (known[j] === undefined && !asked.has(id)) ask.set(id, pairs[j]!);
    const toAsk = [...ask];
    const answers = await fewAtOnce(toAsk.length, stop, (i) => {
      const [, [lower, upper]] = toAsk[i]!;
      return serviceSaysAtMost(plan, lower, upper, signal);
    });
    toAsk.forEach(([id], i) => asked.set(id, answers[i] === true));
    return known.map((isKnown, j) => isKnown ?? asked.get(ids[j] as string) === true);
  };
  const atMost = await atMostOf(values);
  if (atMost.every(Boolean)) return { values, atMost, sorted: false };
  const sorted = [...values].sort(codePointOrder);
  if (sorted.every((boundary, i) => boundary === values[i])) return { values, atMost, sorted: false };
  const sortedAtMost = await atMostOf(sorted);
  const unordered = (list: boolean[]) => list.filter((isAtMost) => !isAtMost).length;
  return unordered(sortedAtMost) < unordered(atMost) ? { values: sorted, atMost: sortedAtMost, sorted: true } : { values, atMost, sorted: false };
}

/**
 * Whether the service's comparisons put the boundary `lower` at most `upper`: it answers
 * `$filter=K eq lower and K le upper&$top=1` with the entity whose key is `lower` only if they do.
 * No such entity (it was deleted meanwhile, or `eq` matched another) leaves it unknown: `false`.
 */
async function serviceSaysAtMost(plan: PlanContext, lower: readonly unknown[], upper: readonly unknown[], signal: AbortSignal | undefined): Promise<boolean> {
  const { core, key, state } = plan;
  const version = core.options.version;
  const base = probeBase(state);
  const equal = key.map((part, i) => `${part.path} eq ${keyLiteral(lower[i], part, version)}`).join(" and ");
  const filters = [...(base.filters ?? []), `${equal} and ${keyBound(key, upper, "le", version)}`];
  const select = key.map((part) => part.path);
  const url = collectionUrl(core.options.serviceUrl, version, { ...base, filters, select, top: 1 });
  const entity = await probeEntity(plan, url, signal);
  return entity !== undefined && key.every((part, i) => valueAt(entity, part.path) === lower[i]);
}

/**
 * The first entity a `$top=1` probe answers, or `undefined` for none, read as `first()` reads it:
 * no further than that entity where a service ignores `$top` and answers the whole set, and past
 * empty pages that name a next one.
 */
async function probeEntity(plan: PlanContext, url: URL, signal: AbortSignal | undefined): Promise<Record<string, unknown> | undefined> {
  for await (const entity of walkEntities<Record<string, unknown>>(plan.core, url, { signal, timeout: plan.timeout, onResponse: plan.onResponse, top: 1, readAhead: 0, eager: true, where: plan.where })) return entity;
  return undefined;
}

/**
 * Whether `lower <= upper` in the order every service compares these values in (numbers by value,
 * `false` before `true`, dates by instant), part by part; `undefined` where that order is the
 * service's own (strings, GUIDs, binary, enumerations) or the values do not tell.
 */
function knownAtMost(key: readonly KeyPart[], lower: readonly unknown[], upper: readonly unknown[]): boolean | undefined {
  for (let i = 0; i < key.length; i++) {
    const order = knownOrder(lower[i], upper[i], key[i]?.type);
    if (order !== 0) return order === undefined ? undefined : order < 0;
  }
  return true;
}

const DATE_TYPES = new Set(["Edm.Date", "Edm.DateTimeOffset", "Edm.DateTime"]);
const INTEGER_TEXT = /^[+-]?\d+$/;

function knownOrder(a: unknown, b: unknown, type: string | undefined): number | undefined {
  // The same JSON value gives the same literal.
  if (a === b) return 0;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : undefined;
  if (typeof a === "boolean" && typeof b === "boolean") return a ? 1 : -1;
  if (typeof a !== "string" || typeof b !== "string" || type === undefined) return undefined;
  // Int64 and Decimal values as text (v2, IEEE754Compatible); dates as ISO text. Values that these
  // read as equal (beyond a millisecond, or a double's digits) are left to the service.
  let difference = Number.NaN;
  if (INTEGER_TYPES.has(type) && INTEGER_TEXT.test(a) && INTEGER_TEXT.test(b)) difference = Number(BigInt(a) - BigInt(b));
  else if (type === "Edm.Decimal") difference = Number(a) - Number(b);
  else if (DATE_TYPES.has(type)) difference = Date.parse(a) - Date.parse(b);
  return difference < 0 ? -1 : difference > 0 ? 1 : undefined;
}

/**
 * A guess at the order of a service whose comparisons are not the order of `$orderby`: numbers by
 * value, anything else by its text's UTF-16 code units (code point order, as a byte by byte
 * comparison of UTF-8 has it, but for the few characters beyond U+FFFF).
 */
function codePointOrder(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return x < y ? -1 : 1;
    } else if (String(x) !== String(y)) {
      return String(x) < String(y) ? -1 : 1;
    }
  }
  return 0;
}

/**
 * The boundaries in range order, each saying whether its `ge` implies the last one the ranges after
 * it carry (`atMost` of the pair before it), so that it takes that one's place. A boundary that would
 * make these more than MAX_LOWER_BOUNDS is dropped (`null`): its range is empty, the next takes its rows.
 */
function lowerBoundsOf(values: readonly unknown[][], atMost: readonly boolean[]): (Boundary | null)[] {
  let carried = 0;
  let previous = -1;
  return values.map((boundary, j) => {
    const replaces = j > 0 && previous === j - 1 && atMost[j - 1] === true;
    if (!replaces && carried >= MAX_LOWER_BOUNDS) return null;
    if (!replaces) carried++;
    previous = j;
    return { values: boundary, replaces };
  });
}

/**
 * The key ranges between `bounds` (b1 ... bm, m < n; `null` for one that bounds nothing), written
 * as the module comment says: range i is `K lt b(i+1)` and above every lower bound it carries.
 * Ranges after the m + 1st are empty (the probes ran out of entities). Where the key may be null,
 * the first range takes the nulls and the others leave them out.
 */
function keyRanges(plan: PlanContext, bounds: readonly (Boundary | null)[], estimate: ((i: number) => number) | undefined): QueryPartition[] {
  const { n, key } = plan;
  const version = plan.core.options.version;
  const nullable = key.filter((part) => part.nullable);
  const lower: (readonly unknown[])[] = [];
  const partitions: QueryPartition[] = [];
  for (let i = 0; i < n; i++) {
    const from = i === 0 ? null : bounds[i - 1];
    if (from === undefined) {
      partitions.push(emptyPartition(plan, i));
      continue;
    }
    if (from) {
      if (from.replaces && lower.length > 0) lower[lower.length - 1] = from.values;
      else lower.push(from.values);
    }
    // `undefined`: no upper bound (the last range); `null`: one below every key, so an empty range.
    const to = bounds[i];
    if (to === null && (i > 0 || nullable.length === 0)) {
      partitions.push(emptyPartition(plan, i));
      continue;
    }
    const terms = [...lower.map((values) => keyBound(key, values, "ge", version)), ...(to ? [keyBound(key, to.values, "lt", version)] : [])];
    let filter: string | undefined;
    if (i === 0) {
      filter = to === undefined ? undefined : [...terms, ...nullable.map((part) => `${part.path} eq null`)].join(" or ");
    } else {
      // A comparison is false where its first property is null: that part needs no `ne null` then.
      const guards = nullable.filter((part) => terms.length === 0 || part !== key[0]).map((part) => `${part.path} ne null`);
      filter = [...terms, ...guards].join(" and ") || undefined;
    }
    partitions.push(keyRange(plan, i, from?.values, to?.values, filter, estimate?.(i)));
  }
  return partitions;
}

const INTEGER_TYPES = new Set(["Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64"]);

async function aggregateRanges(plan: PlanContext): Promise<QueryPartition[]> {
  const { core, state, n, key, signal } = plan;
  const where = 'partitions(n) with strategy "aggregate"';
  const [part] = key;
  if (key.length !== 1 || !part || (part.type !== undefined && !INTEGER_TYPES.has(part.type))) {
    throw new TypeError(`${where}: needs a single integer key; ${state.entitySet} is keyed by ${plan.orderKey.map((k) => `${k.path} (${k.type ?? "type unknown"})`).join(", ")}`);
  }
  if (state.search !== undefined) throw new TypeError(`${where}: cannot be combined with $search; use the "quantiles" strategy`);
  if (core.options.version === "2.0") throw new ODataClientError("UNSUPPORTED_BY_VERSION", `${where}: $apply does not exist in OData 2.0`);
  const transformations = [...(state.filters?.length ? [`filter(${state.filters.map((f) => `(${f})`).join(" and ")})`] : []), `aggregate(${part.path} with min as lowest,${part.path} with max as highest)`];
  const url = collectionUrl(core.options.serviceUrl, core.options.version, {
    entitySet: state.entitySet,
    ...(state.parentPath === undefined ? {} : { parentPath: state.parentPath }),
    apply: [transformations.join("/")],
    ...(state.params ? { params: state.params } : {}),
  });
  const page = await readPage<Record<string, unknown>>(core, url, { signal, timeout: plan.timeout, onResponse: plan.onResponse });
  const row = page.value[0];
  const lowest = integerOf(row?.["lowest"]);
  const highest = integerOf(row?.["highest"]);
  if (row === undefined || (row["lowest"] === null && row["highest"] === null)) {
    // No entity: one range for everything (new entities land there), the others empty.
    return Array.from({ length: n }, (_, i) => (i === 0 ? keyRange(plan, 0, undefined, undefined, undefined, 0) : emptyPartition(plan, i)));
  }
  if (lowest === undefined || highest === undefined) {
    throw new ODataClientError("BAD_PAYLOAD", `${where}: the service answered the aggregate with ${JSON.stringify(row).slice(0, 200)}, not an integer minimum and maximum`);
  }
  const span = highest - lowest + 1n;
  const bound = (i: number): bigint => lowest + (span * BigInt(i)) / BigInt(n);
  const asJson = (value: bigint): number | string => (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value));
  // The bounds rise with i: each `ge` implies the ones before it. A key of unknown type is written
  // as the Int64 it holds (in v4, the one version with $apply, the digits alone).
  const bounds = Array.from({ length: n - 1 }, (_, i) => ({ values: [asJson(bound(i + 1))], replaces: true }));
  return keyRanges({ ...plan, key: [{ ...part, type: part.type ?? "Edm.Int64" }] }, bounds, undefined);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A whole number as the nearest Int64. An Int64 beyond 2^53 in v4 JSON reaches the client as the
 * nearest double (9007199254740995 as 9007199254740996, the largest Int64 as 2^63): such a value
 * bounds ranges as consistently as the one sent, since rounding keeps the order of values.
 */
function nearestInt64(value: number): bigint {
  const big = BigInt(value);
  return big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big;
}

function integerOf(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return nearestInt64(value);
  if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) return BigInt(value);
  return undefined;
}

async function skipWindows(plan: PlanContext, ordered: boolean): Promise<QueryPartition[]> {
  const { n, orderKey, tieBreak } = plan;
  const total = await count(plan);
  const orderBy = ordered ? [...orderKey.map((part) => part.path), ...tieBreak] : undefined;
  return Array.from({ length: n }, (_, i) => {
    const skip = shareStart(i, n, total);
    const top = i === n - 1 ? undefined : shareStart(i + 1, n, total) - skip;
    return partitionOf(plan, i, {
      kind: "skip",
      skip,
      ...(top === undefined ? {} : { top }),
      ...(orderBy ? { orderBy } : {}),
      estimatedCount: shareStart(i + 1, n, total) - skip,
    });
  });
}

function keyRange(plan: PlanContext, index: number, from: readonly unknown[] | undefined, to: readonly unknown[] | undefined, filter: string | undefined, estimatedCount: number | undefined): QueryPartition {
  return partitionOf(plan, index, {
    kind: "key-range",
    key: plan.key.map((part) => part.path),
    ...(from === undefined ? {} : { from: [...from] }),
    ...(to === undefined ? {} : { to: [...to] }),
    ...(filter === undefined ? {} : { filter }),
    ...(estimatedCount === undefined ? {} : { estimatedCount }),
  });
}

function emptyPartition(plan: PlanContext, index: number): QueryPartition {
  return partitionOf(plan, index, { kind: "empty", filter: "false", estimatedCount: 0 });
}

/** Partition `index` of the plan: what every kind has (the set, the place, the URL of its first page) and `fields`. */
function partitionOf(plan: PlanContext, index: number, fields: Omit<QueryPartition, "type" | "version" | "entitySet" | "index" | "of" | "url">): QueryPartition {
  const { core, state, n } = plan;
  const partition: QueryPartition = { type: "traverse-odata/partition", version: 1, entitySet: plan.path, index, of: n, ...fields, url: "" };
  partition.url = collectionUrl(core.options.serviceUrl, core.options.version, plan.stateOf(state, partition)).href;
  return partition;
}

/**
 * The value of a key part in a probe's entity: `null` where the part may be null (also where a
 * complex property on its path is); an entity without one is a broken answer.
 */
function keyValueAt(entity: Record<string, unknown>, part: KeyPart): unknown {
  const value = valueAt(entity, part.path);
  if (part.nullable && (value === null || (value === undefined && nullOnPath(entity, part.path)))) return null;
  if (value === undefined || value === null || typeof value === "object") {
    throw new ODataClientError("BAD_PAYLOAD", `partitions(n): a probe answered an entity without a value for its key ${part.path}`);
  }
  return value;
}

function nullOnPath(entity: Record<string, unknown>, path: string): boolean {
  const segments = path.split("/");
  return segments.slice(1).some((_, i) => valueAt(entity, segments.slice(0, i + 1).join("/")) === null);
}

/**
 * `key >= values`, `key < values` or `key <= values`, in key order: for a key of several parts the
 * lexicographic comparison `(A gt a or (A eq a and B ge b))`.
 */
function keyBound(key: readonly KeyPart[], values: readonly unknown[], operator: "ge" | "lt" | "le", version: ODataVersion): string {
  const last = key.length - 1;
  const build = (i: number): string => {
    const part = key[i] as KeyPart;
    const literal = keyLiteral(values[i], part, version);
    if (i === last) return `${part.path} ${operator} ${literal}`;
    return `(${part.path} ${operator === "ge" ? "gt" : "lt"} ${literal} or (${part.path} eq ${literal} and ${build(i + 1)}))`;
  };
  return build(0);
}

/**
 * A key value (as the JSON answer gave it) as a literal of its EDM type, checked as the `edm.*`
 * function of that type checks it (the server's values are not trusted to be well formed).
 */
function keyLiteral(value: unknown, part: KeyPart, version: ODataVersion): string {
  try {
    return typedKeyLiteral(value, part, version);
  } catch (error) {
    // The edm.* checks throw RangeError/TypeError naming edm.x(value): here the value is the service's.
    if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
    throw new ODataClientError("BAD_PAYLOAD", `partitions(n): the service's value for key ${part.path}, ${describe(value)}, is not a valid ${part.type ?? "literal"}`, { cause: error });
  }
}

/**
 * A Double or Single key value as the JSON answer gave it: a number, the infinities as the strings
 * `"INF"` and `"-INF"`, or a number as text (v2, IEEE754Compatible). Any other text is refused
 * rather than written as NaN.
 */
function floatingValue(value: unknown, text: string): number | "INF" | "-INF" {
  if (typeof value === "number") return value;
  if (text === "INF" || text === "-INF") return text;
  const number = numberOf(text);
  if (number === undefined) throw new RangeError(`not a number: ${JSON.stringify(text)}`);
  return number;
}

function typedKeyLiteral(value: unknown, part: KeyPart, version: ODataVersion): string {
  const text = typeof value === "string" ? value : String(value);
  const numeric = part.type === "Edm.Double" || part.type === "Edm.Single" || part.type === "Edm.Decimal" || typeof value === "number";
  if (numeric && text === "NaN") {
    // Every comparison with NaN is false (OData 4.01 follows IEEE 754 there): the ranges on either
    // side of such a boundary would both be empty, and their rows read by no partition.
    throw new ODataClientError("BAD_PAYLOAD", `partitions(n): the service's value for key ${part.path} is NaN, which cannot bound a range (every comparison with it is false); use strategy "skip"`);
  }
  const typed = (type: EdmTypeName, checked: string) => formatTypedText(type, checked, version);
  switch (part.type) {
    case "Edm.Int64":
      return typed("Edm.Int64", edmText.int64(typeof value !== "number" ? text : Number.isInteger(value) ? nearestInt64(value) : value));
    case "Edm.Decimal":
      return typed("Edm.Decimal", edmText.decimal(typeof value === "number" ? value : text));
    case "Edm.Double":
      return typed("Edm.Double", edmText.double(floatingValue(value, text)));
    case "Edm.Single":
      return typed("Edm.Single", edmText.single(floatingValue(value, text)));
    case "Edm.Guid":
      return typed("Edm.Guid", edmText.guid(text));
    case "Edm.Date":
      return typed("Edm.Date", edmText.date(text.slice(0, 10)));
    case "Edm.DateTimeOffset":
      return typed("Edm.DateTimeOffset", edmText.dateTimeOffset(text));
    case "Edm.DateTime":
      // The v2 reader gives `/Date(ms)/` values as ISO text in UTC; DateTime literals carry no offset.
      return typed("Edm.DateTime", edmText.dateTime(text.replace(/(?:Z|[+-]00:00)$/, "")));
    case "Edm.TimeOfDay":
      return typed("Edm.TimeOfDay", edmText.timeOfDay(text));
    case "Edm.Duration":
    case "Edm.Time":
      // OData v2's Edm.Time is a duration (`PT13H20M`), whose v2 literal is time'...'.
      return typed("Edm.Duration", edmText.duration(text));
    case "Edm.Binary":
      return typed("Edm.Binary", edmText.binary(binaryBytes(text)));
    case "Edm.Boolean":
      return typed("Edm.Boolean", edmText.boolean(value as boolean));
    case "Edm.String":
      return formatLiteral(text, version);
    default:
      if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return formatLiteral(value, version);
      throw new ODataClientError("BAD_PAYLOAD", `partitions(n): a key value ${describe(value)} cannot be written as a literal`);
  }
}

/** The bytes of a Binary value as JSON gives it: base64 (v2) or base64url (v4), padded or not. */
function binaryBytes(text: string): Uint8Array {
  const bytes = bytesOfBase64(text);
  if (bytes === undefined) throw new RangeError(`not base64: ${JSON.stringify(text)}`);
  return bytes;
}
