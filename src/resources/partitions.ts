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
 *   on the service answering in the same order every time.
 *
 * Key ranges cover the whole key space: the first has no lower bound, the last no upper one, so an
 * entity added after the plan was made is still in exactly one range.
 *
 * This planning loads with the first `partitions()` call; the partitions' shape and how a query
 * runs one (partition.ts) are what a program that only runs partitions needs.
 */
import type { ClientCore } from "../core.js";
import { ODataClientError, ODataHttpError } from "../errors.js";
import { anySignal, toAbortSignal } from "../http/signals.js";
import { edmText, formatTypedText } from "../query/edm-text.js";
import { formatLiteral, type EdmTypeName } from "../query/literal-format.js";
import { checkPath } from "../query/names.js";
import type { QueryState } from "../query/state.js";
import { collectionUrl, countUrl } from "../query/url.js";
import type { ODataVersion } from "../options.js";
import { describe, valueAt } from "../util/values.js";
import { metadataCacheOf } from "../metadata/cache.js";
import { numberOf } from "../metadata/values.js";
import type { EntitySet, ServiceModel } from "../metadata/model.js";
import { readPage } from "../read/traversal.js";
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

interface KeyPart {
  /** The property path. */
  path: string;
  /** Its EDM type, where the model says. */
  type: string | undefined;
}

/**
 * Plans `n` partitions of the query: see the module comment. The caller has checked that the query
 * is a whole collection (`checkWholeCollection`).
 */
export async function planPartitions(core: ClientCore, state: QueryState, n: number, options: PartitionOptions | undefined, stateOf: PartitionStateOf): Promise<QueryPartition[]> {
  const where = "partitions(n)";
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PARTITIONS) throw new RangeError(`${where}: n must be an integer from 1 to ${MAX_PARTITIONS}; got ${describe(n)}`);
  const strategy: PartitionStrategy = options?.strategy === undefined ? "auto" : options.strategy;
  if (!["auto", "quantiles", "aggregate", "skip"].includes(strategy)) {
    throw new RangeError(`${where}: option "strategy" must be "auto", "quantiles", "aggregate" or "skip"; got ${describe(strategy)}`);
  }
  const signal = toAbortSignal(options?.signal);
  const givenKey: unknown = options?.key;
  if (givenKey !== undefined && typeof givenKey !== "string" && !Array.isArray(givenKey)) {
    throw new TypeError(`${where}: option "key" must be a property path or an array of them; got ${describe(givenKey)}`);
  }
  const explicitKey = givenKey === undefined ? undefined : (typeof givenKey === "string" ? [givenKey] : [...(givenKey as unknown[])]).map((path) => checkPath(path, `${where} option "key"`));
  if (explicitKey?.length === 0) throw new TypeError(`${where}: option "key" names no property`);

  let model = options?.model;
  if (model !== undefined && (typeof model !== "object" || model === null || typeof (model as Partial<ServiceModel>).entitySet !== "function")) {
    throw new TypeError(`${where}: option "model" must be a ServiceModel, as client.metadata() gives; got ${describe(model)}`);
  }
  let modelError: unknown;
  // The count does not need the key: when $metadata is to be read first, the count is asked at the
  // same time (a round trip less before the walks start). Planning aborts it when it ends, whether
  // or not it used it (a count already read is not touched by that).
  const countStop = new AbortController();
  let total: Promise<number> | undefined;
  try {
    if (model === undefined) {
      if (strategy !== "aggregate") {
        total = readCount(core, countUrl(core.options.serviceUrl, core.options.version, state), { signal: anySignal([signal, countStop.signal]) });
        total.catch(() => {}); // its failure is the plan's when the plan uses it
      }
      try {
        model = await metadataCacheOf(core).get(signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        modelError = error;
      }
    }

    const known = model;
    const set = state.parentPath === undefined ? known?.entitySet(state.entitySet) : undefined;
    const type = set && known ? known.entityTypeOf(set) : undefined;
    const key: KeyPart[] | undefined = explicitKey
      ? explicitKey.map((path) => ({ path, type: type && known ? propertyType(known, type.qualifiedName, path) : undefined }))
      : type && known
        ? known.keyOf(type).map((ref) => ({ path: ref.path, type: propertyType(known, type.qualifiedName, ref.path) }))
        : undefined;
    if (!key?.length) {
      const why = modelError === undefined ? `$metadata names no key for ${state.entitySet}` : `$metadata could not be read (${(modelError as Error).message})`;
      throw new ODataClientError("PARTITION_KEY_UNKNOWN", `${where}: the key of ${state.entitySet} is not known: ${why}; pass { key: "<property>" }`, { cause: modelError });
    }
    const sortable = set && known ? keySortable(known, set, key) : true;

    const plan: PlanContext = { core, state, n, key, signal, total, stateOf };
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
    countStop.abort();
  }
}

interface PlanContext {
  core: ClientCore;
  state: QueryState;
  n: number;
  key: KeyPart[];
  signal: AbortSignal | undefined;
  /** The count asked while `$metadata` was read, if it was. */
  total: Promise<number> | undefined;
  /** The query's `partitionState`, for each partition's URL. */
  stateOf: PartitionStateOf;
}

/** The type of a property path of an entity type (`address/city` through complex types). */
function propertyType(model: ServiceModel, typeName: string, path: string): string | undefined {
  let current = typeName;
  let found: string | undefined;
  for (const segment of path.split("/")) {
    const structured = model.entityType(current) ?? model.complexType(current);
    if (!structured) return undefined;
    const property = model.propertiesOf(structured).find((p) => p.name === segment);
    if (!property) return undefined;
    found = property.type;
    current = property.type;
  }
  return found;
}

/** Whether the set's `Capabilities.SortRestrictions` allow ordering by every key part. */
function keySortable(model: ServiceModel, set: EntitySet, key: KeyPart[]): boolean {
  const restrictions = model.annotation(set, "Capabilities.SortRestrictions");
  if (typeof restrictions !== "object" || restrictions === null || Array.isArray(restrictions)) return true;
  if (restrictions["Sortable"] === false) return false;
  const nonSortable = restrictions["NonSortableProperties"];
  return !(Array.isArray(nonSortable) && key.some((part) => nonSortable.includes(part.path)));
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

function count(plan: PlanContext): Promise<number> {
  return plan.total ?? readCount(plan.core, countUrl(plan.core.options.serviceUrl, plan.core.options.version, plan.state), { signal: plan.signal });
}

/** Where the `i`-th of `n` equal shares of `total` starts. */
function shareStart(i: number, n: number, total: number): number {
  return Math.floor((i * total) / n);
}

/** How many boundary probes of a plan are in flight at once. */
const PROBES_AT_ONCE = 8;

async function quantileRanges(plan: PlanContext): Promise<QueryPartition[]> {
  const { core, state, n, key, signal } = plan;
  const total = await count(plan);
  const version = core.options.version;
  const base = probeBase(state);
  const select = key.map((part) => part.path);
  // One probe failing stops the others (their answers are of no use then), as the caller's abort does.
  const stop = new AbortController();
  const probeSignal = anySignal([signal, stop.signal]);
  const probe = async (position: number): Promise<unknown[] | undefined> => {
    const url = collectionUrl(core.options.serviceUrl, version, { ...base, orderBy: select, skip: position, top: 1, select });
    const page = await readPage<Record<string, unknown>>(core, url, { signal: probeSignal });
    const entity = page.value[0];
    return entity === undefined ? undefined : key.map((part) => keyValueAt(entity, part.path));
  };
  // Boundary i (1..n-1) is the key of the first entity of range i. A probe that finds nothing (the
  // set shrank since it was counted) ends the ranges there: the ones after it are empty. At most
  // PROBES_AT_ONCE go at a time: a plan of 1,000 ranges would otherwise open 999 connections.
  const boundaries: (unknown[] | undefined)[] = [];
  let taken = 0;
  const prober = async () => {
    while (taken < n - 1) {
      const i = taken++;
      boundaries[i] = await probe(shareStart(i + 1, n, total));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, n - 1) }, prober));
  } catch (error) {
    stop.abort(error);
    throw error;
  }
  const partitions: QueryPartition[] = [];
  let open = true;
  for (let i = 0; i < n; i++) {
    const from = i === 0 ? undefined : boundaries[i - 1];
    const to = i === n - 1 ? undefined : boundaries[i];
    const estimatedCount = shareStart(i + 1, n, total) - shareStart(i, n, total);
    if (!open || (i > 0 && from === undefined)) {
      open = false;
      partitions.push(emptyPartition(plan, i));
      continue;
    }
    const filters = [
      ...(from === undefined ? [] : [keyBound(key, from, "from", version)]),
      ...(to === undefined ? [] : [keyBound(key, to, "to", version)]),
    ];
    const filter = filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : `${filters[0]} and ${filters[1]}`;
    partitions.push(keyRange(plan, i, from, to, filter, estimatedCount));
  }
  return partitions;
}

const INTEGER_TYPES = new Set(["Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64"]);

async function aggregateRanges(plan: PlanContext): Promise<QueryPartition[]> {
  const { core, state, n, key, signal } = plan;
  const where = 'partitions(n) with strategy "aggregate"';
  const [part] = key;
  if (key.length !== 1 || !part || (part.type !== undefined && !INTEGER_TYPES.has(part.type))) {
    throw new TypeError(`${where}: needs a single integer key; ${state.entitySet} is keyed by ${key.map((k) => `${k.path} (${k.type ?? "type unknown"})`).join(", ")}`);
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
  const page = await readPage<Record<string, unknown>>(core, url, { signal });
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
  const version = core.options.version;
  return Array.from({ length: n }, (_, i) => {
    const from = i === 0 ? undefined : [asJson(bound(i))];
    const to = i === n - 1 ? undefined : [asJson(bound(i + 1))];
    const filters = [...(from ? [keyBound(key, from, "from", version)] : []), ...(to ? [keyBound(key, to, "to", version)] : [])];
    return keyRange(plan, i, from, to, filters.length === 0 ? undefined : filters.join(" and "), undefined);
  });
}

function integerOf(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) return BigInt(value);
  return undefined;
}

async function skipWindows(plan: PlanContext, ordered: boolean): Promise<QueryPartition[]> {
  const { n, key } = plan;
  const total = await count(plan);
  const orderBy = ordered ? key.map((part) => part.path) : undefined;
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

function keyRange(plan: PlanContext, index: number, from: unknown[] | undefined, to: unknown[] | undefined, filter: string | undefined, estimatedCount: number | undefined): QueryPartition {
  return partitionOf(plan, index, {
    kind: "key-range",
    key: plan.key.map((part) => part.path),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
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
  const partition: QueryPartition = { type: "traverse-odata/partition", version: 1, entitySet: state.entitySet, index, of: n, ...fields, url: "" };
  partition.url = collectionUrl(core.options.serviceUrl, core.options.version, plan.stateOf(state, partition)).href;
  return partition;
}

/** The value of a key part in a probe's entity; an entity without one is a broken answer. */
function keyValueAt(entity: Record<string, unknown>, path: string): unknown {
  const value = valueAt(entity, path);
  if (value === undefined || value === null || typeof value === "object") {
    throw new ODataClientError("BAD_PAYLOAD", `partitions(n): a probe answered an entity without a value for its key ${path}`);
  }
  return value;
}

/**
 * `key >= values` (`from`) or `key < values` (`to`), in key order: for a key of several parts the
 * lexicographic comparison `A gt a or (A eq a and (B ge b))`.
 */
function keyBound(key: readonly KeyPart[], values: readonly unknown[], side: "from" | "to", version: ODataVersion): string {
  const last = key.length - 1;
  const build = (i: number): string => {
    const part = key[i] as KeyPart;
    const literal = keyLiteral(values[i], part, version);
    if (i === last) return `${part.path} ${side === "from" ? "ge" : "lt"} ${literal}`;
    return `(${part.path} ${side === "from" ? "gt" : "lt"} ${literal} or (${part.path} eq ${literal} and ${build(i + 1)}))`;
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
      return typed("Edm.Int64", edmText.int64(typeof value === "number" ? value : text));
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
      return typed("Edm.Duration", edmText.duration(text));
    case "Edm.Boolean":
      return typed("Edm.Boolean", edmText.boolean(value as boolean));
    case "Edm.String":
      return formatLiteral(text, version);
    default:
      if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return formatLiteral(value, version);
      throw new ODataClientError("BAD_PAYLOAD", `partitions(n): a key value ${describe(value)} cannot be written as a literal`);
  }
}
