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
 * WeakSet (a write does the same for the related entities its answer holds, see
 * `markReturnedEntities`), and the writing layer leaves out any value it finds there. Nothing
 * visible is added to the entities, and a value the caller builds anew (`[...book.reviews]`,
 * `{ ...book.author }`) is theirs to send. What cannot be recognised: an expanded single-valued navigation that was `null`
 * (there is no object to remember), and a deep copy (`structuredClone`, a JSON round trip).
 */
import type { ExpandItem } from "../query/state.js";
import { isRecord, valueAt } from "../util/values.js";

const expandedValues = new WeakSet<object>();

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
    const values = item.path === "*" ? structuredProperties(entity) : [valueAt(entity, item.path)];
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
  const metadata = value["__metadata"];
  // v2: a complex value's `__metadata` has a type only.
  if (isRecord(metadata) && typeof metadata["uri"] === "string") return true;
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
