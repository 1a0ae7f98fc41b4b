/**
 * Which values of the entities the library returned are there because the read expanded them
 * (`$expand`), so that a write can leave them out: `update({ ...book, stock: 4 })` of a book read
 * with its reviews must not become a deep update, which a service may take as "these are all the
 * reviews now" and delete the others (SAP CAP does).
 *
 * How the knowledge survives the caller's copy: `{ ...book }` copies own enumerable properties and
 * nothing else, so nothing attached to `book` itself would come along. But the copy holds the very
 * same expanded array or object as `book` did. The reading layer puts each expanded value (the
 * array of a collection-valued navigation property, the object of a single-valued one) in a
 * WeakSet (what the query's `$expand` names, or a page link's own, see `pageMarks`; a write and an
 * operation's result do the same for the related entities their answer holds, see
 * `markReturnedEntities`, and the readers of v2 answers for what a service inlined unasked, see
 * v2-values.ts `inlinedEntities`), and the writing layer leaves out any value it finds there. Nothing
 * visible is added to the entities, and a value the caller builds anew (`[...book.reviews]`,
 * `{ ...book.author }`) is theirs to send. What cannot be recognised: an expanded single-valued navigation that was `null`
 * (there is no object to remember), and a deep copy (`structuredClone`, a JSON round trip).
 */
import type { ExpandItem } from "../query/state.js";
import { splitOutside } from "../util/split-outside.js";
import { isRecord, valueAt } from "../util/values.js";
import { inlinedEntities as expandedValues, isV2Entity } from "./v2-values.js";

function isStructured(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** Whether `value` is an expanded navigation value of an entity the library read. */
export function isExpandedValue(value: unknown): boolean {
  return isStructured(value) && expandedValues.has(value);
}

/** The entities an expanded value holds: the array's records, or the object itself. */
export function entitiesOf(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  return isRecord(value) ? [value] : [];
}

/**
 * The structured values of an entity's properties, for `$expand=*`: without metadata a navigation
 * property cannot be told from a complex one, so every object or array value counts as expanded.
 */
function structuredProperties(entity: Record<string, unknown>): object[] {
  const values: object[] = [];
  for (const name in entity) {
    if (name === "__metadata" || name.includes("@")) continue;
    const value = entity[name];
    if (isStructured(value)) values.push(value);
  }
  return values;
}

/** The items of one level below `item`: its nested expands, and itself again while `$levels` lasts. */
function nestedItems(item: ExpandItem): readonly ExpandItem[] {
  const nested = item.options.expand ?? [];
  const levels = item.options.levels;
  if (levels === undefined || levels === 1) return nested;
  const again: ExpandItem = { path: item.path, options: { ...item.options, levels: levels === "max" ? "max" : levels - 1 } };
  return [...nested, again];
}

/**
 * Remembers the values that `items` (the query's `$expand`) put into `entity`, at every level of
 * nesting. Cheap: only expanded paths are visited. `$levels=max` stops where the data stops.
 */
export function markExpanded(entity: unknown, items: readonly ExpandItem[] | undefined): void {
  if (items === undefined || items.length === 0 || !isRecord(entity)) return;
  for (const item of items) {
    // A `/$ref` expand's references, written back, would relink; a `/$count` one gives a number.
    const values = item.path === "*" ? structuredProperties(entity) : [valueAt(entity, item.path.replace(/\/\$ref$/, ""))];
    for (const value of values) {
      if (!isStructured(value) || expandedValues.has(value)) continue;
      expandedValues.add(value);
      const below = nestedItems(item);
      if (below.length > 0) for (const child of entitiesOf(value)) markExpanded(child, below);
    }
  }
}

/**
 * The v4 control information that only an entity carries (4.01 may leave out `odata.`): its id, its
 * ETag, its links, the context URL of an entity whose set the response's does not say, a delta's
 * removal mark. Never `@odata.type`, which a complex value carries as well.
 */
const ENTITY_CONTROL = /^@(?:odata\.)?(?:id|etag|editLink|readLink|context|removed)$/;

/** Whether `value` is an entity by what only an entity carries: v4 control information, v2 `__metadata.uri`. */
function isEntity(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  if (isV2Entity(value)) return true;
  for (const name in value) if (ENTITY_CONTROL.test(name)) return true;
  return false;
}

/**
 * Whether a nested value holds related entities, for a write's answer and a delta alike: an entity,
 * or an array of which some member is one. No complex value carries an entity's control
 * information, so one member that does makes the property a navigation property, and its other
 * members entities that minimal metadata left bare (a delta's new related entity beside known ones).
 * An array of plain objects may be a collection of complex values, which leaving out would lose (a
 * PUT resets it), so it never counts; nor does an empty array, which the caller may fill with
 * complex values.
 */
export function holdsEntities(value: unknown): value is object {
  return Array.isArray(value) ? value.some(isEntity) : isEntity(value);
}

/**
 * Remembers the related entities that a write's answer holds (the `reviews` a deep insert created
 * and the service returned with the book), at every level, as {@link markExpanded} remembers what
 * a read expanded: writing the answer back (`update({ ...created, stock: 2 })`) is then no deep
 * update, which a service may take as "these are all the reviews now" (SAP CAP deletes the ones
 * added since). No `$expand` names them and minimal metadata does not tell a navigation property
 * from a complex one, so only what carries an entity's control information counts
 * (`holdsEntities`). Related entities without it (in SAP CAP's v4 answers, those of a type without
 * an ETag) look like complex values and are sent: a deep update the caller may not have meant is a
 * lesser harm than a collection of complex values silently dropped.
 */
export function markReturnedEntities(entity: unknown): void {
  // A list rather than recursion: an answer nested however deep is walked without a stack overflow.
  const pending: unknown[] = [entity];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (Array.isArray(next)) {
      for (const item of next) if (isStructured(item)) pending.push(item);
      continue;
    }
    if (!isRecord(next)) continue;
    for (const name in next) {
      if (name === "__metadata" || name.includes("@")) continue;
      const value = next[name];
      if (!isStructured(value) || expandedValues.has(value)) continue;
      if (holdsEntities(value)) expandedValues.add(value);
      // Below a complex value too, since a complex type may have navigation properties.
      pending.push(value);
    }
  }
}

/** What {@link pageMarks} reads of a walk's options (read/traversal.ts `TraversalOptions`). */
interface PageReading {
  expand?: readonly ExpandItem[] | undefined;
  operationResult?: boolean | undefined;
}

/** How deep expansions are read (from a link, a context URL, or related entities' own control information). */
export const MAX_RECOGNISED_DEPTH = 32;

/**
 * The `$expand` of a URL as expand items, or `undefined` when the URL has none: what a link asked
 * the service to expand, which services that keep the query in their links (SAP Gateway, SAP CAP
 * `Books?%24expand=reviews&%24skiptoken=10`, ASP.NET, Olingo, Dataverse) repeat in each next link.
 */
export function expansionsOfUrl(url: URL, v2: boolean): ExpandItem[] | undefined {
  const text = url.searchParams.get("$expand");
  if (text === null) return undefined;
  return v2 ? v2Expansions(text) : v4Expansions(text);
}

/** `reviews($expand=author;$levels=2),publisher/$ref`: the paths and their nested `$expand` and `$levels`. */
function v4Expansions(text: string, depth = 0): ExpandItem[] {
  const items: ExpandItem[] = [];
  if (depth >= MAX_RECOGNISED_DEPTH) return items;
  for (const part of splitOutside(text, ",")) {
    const open = part.indexOf("(");
    // A `$ref` expand gives references (`{ "@id": ... }`), written back they would relink; a
    // `$count` one gives a number.
    const path = (open < 0 ? part : part.slice(0, open)).trim().replace(/\/\$ref$/, "");
    if (path === "" || path.endsWith("/$count")) continue;
    let nested: ExpandItem[] | undefined;
    let levels: number | "max" | undefined;
    const close = part.lastIndexOf(")");
    if (open >= 0 && close > open) {
      for (const option of splitOutside(part.slice(open + 1, close), ";")) {
        const equals = option.indexOf("=");
        const name = option.slice(0, equals).trim();
        const value = option.slice(equals + 1).trim();
        if (name === "$expand") nested = v4Expansions(value, depth + 1);
        else if (name === "$levels") levels = value === "max" ? "max" : /^[1-9]\d{0,3}$/.test(value) ? Number(value) : undefined;
      }
    }
    items.push({ path, options: { ...(nested && { expand: nested }), ...(levels !== undefined && { levels }) } });
  }
  return items;
}

/** v2 has no nested options: `Author/Books` expands the author and the author's books. */
function v2Expansions(text: string): ExpandItem[] {
  let items: ExpandItem[] = [];
  for (const path of text.split(",")) {
    const segments = path.trim().split("/").filter((segment) => segment !== "");
    let item: ExpandItem | undefined;
    for (const segment of segments.reverse()) item = { path: segment, options: item ? { expand: [item] } : {} };
    if (item) items = mergeExpansions(items, [item]);
  }
  return items;
}

/**
 * Expand items joined by path, their nested items joined too: `markExpanded` leaves a value it has
 * marked, so one path must be given once, with all that lies below it.
 */
export function mergeExpansions(first: readonly ExpandItem[], second: readonly ExpandItem[]): ExpandItem[] {
  const merged = [...first];
  for (const item of second) {
    const at = merged.findIndex((known) => known.path === item.path);
    const known = merged[at];
    if (known === undefined) {
      merged.push(item);
      continue;
    }
    const expand = mergeExpansions(known.options.expand ?? [], item.options.expand ?? []);
    merged[at] = { path: item.path, options: { ...known.options, ...(expand.length > 0 && { expand }) } };
  }
  return merged;
}

/**
 * How the entities of one page of a walk are marked, or `undefined` when nothing on it can be
 * expanded. What was expanded is what the page's URL asked for, which is what the service answered
 * by: the query's `expand()`, joined with the link's own `$expand` (a walk resumed from a saved next
 * link, `pages({ from })`, or a partition's `p.url` read with `list({ from })`, has no query that
 * says it). A v4 context URL does not say it where the link does not: SAP CAP, an OData 4.0
 * service, answers `Books?$expand=reviews` with `$metadata#Books`. Read once per page, so an
 * entity costs the marking of what was expanded and nothing where nothing was.
 * `operationResult`: the page is an operation's result, which no `$expand` names; its related
 * entities are told by their own look, as a write's answer's are (see {@link markReturnedEntities}).
 */
export function pageMarks(url: URL, v2: boolean, { expand, operationResult }: PageReading): ((entity: unknown) => void) | undefined {
  const linked = expansionsOfUrl(url, v2);
  const items = linked === undefined ? expand : mergeExpansions(expand ?? [], linked);
  if (operationResult) return (entity) => (markExpanded(entity, items), markReturnedEntities(entity));
  return items?.length ? (entity) => markExpanded(entity, items) : undefined;
}
