/**
 * Making OData v2 JSON ("verbose" JSON) entities read like v4 ones, so the rest of the client and
 * its users see one shape whichever version the service speaks.
 *
 * What changes, in one walk over each entity, in place:
 * - `"/Date(1700000000000)/"` becomes `"2023-11-14T22:13:20Z"` and `"/Date(1700000000000+0060)/"`
 *   becomes `"2023-11-14T23:13:20+01:00"`: the ISO 8601 text a v4 service sends for
 *   `Edm.DateTimeOffset`. The instant is the same; the offset (minutes in v2) is kept as the local
 *   time and `±hh:mm` suffix, `Z` where there was none or it was zero. Milliseconds are written only when not zero,
 *   as v4 services do for second-precision values. Strings are recognised by their form alone (v2
 *   JSON carries no types), so a `Edm.String` property whose text is exactly `/Date(<digits>)/` is
 *   converted too. Which members were converted is remembered (see {@link readDatesOf}), so that a
 *   write sends exactly those as `/Date(<ms>)/` again and leaves ISO-looking text of the caller's
 *   own, or of a string property, as it is.
 * - An expanded to-many navigation property `{ "results": [...] }` becomes the array itself, as in
 *   v4. An inline `__next` or `__count` beside `results` (services that page inside `$expand`:
 *   Olingo, SAP Gateway) is kept on the entity as v4 sends it: `Items@odata.nextLink`, the link as
 *   sent, and `Items@odata.count`, a number (see {@link keepInlineAnnotations}).
 * - A navigation property that was not expanded, `{ "__deferred": { "uri": "..." } }`, is removed: a
 *   v4 service leaves such properties out of the payload altogether, and the link is the entity's
 *   URI plus the property name.
 * - `__metadata` (uri, type, etag, media links) is kept untouched: the writing layer takes the ETag
 *   from `__metadata.etag`.
 *
 * Everything else (numbers, `Edm.Int64` and `Edm.Decimal` sent as strings, `Edm.Time` durations
 * such as `"PT13H20M"`) is left as sent.
 */

import { readCollectionAnnotations } from "./annotations.js";

/**
 * Converts one parsed v2 JSON entity (or complex value) to the v4-like shape described in this
 * module, changing it in place; returns the same value for convenience. It goes through the value
 * with a list of the objects and arrays still to visit rather than by recursion, so that a value
 * nested however deep is read as `JSON.parse` read it, not ended by a stack overflow.
 *
 * @example
 * ```ts
 * const entity = normalizeV2Entity(JSON.parse(text).d);
 * entity.CreatedAt; // "2023-11-14T22:13:20Z" instead of "/Date(1700000000000)/"
 * ```
 */
export function normalizeV2Entity<T>(entity: T): T {
  const pending: unknown[] = [entity];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next !== "object" || next === null) continue;
    if (Array.isArray(next)) for (let i = 0; i < next.length; i++) normalizeMember(next as unknown as Record<string, unknown>, String(i), pending, true);
    else for (const name in next) if (name !== "__metadata") normalizeMember(next as Record<string, unknown>, name, pending, false);
  }
  return entity;
}

/** Applies {@link normalizeV2Entity} to each entity of an array, in place; returns the array. */
export function normalizeV2Entities<T>(entities: T[]): T[] {
  for (const entity of entities) normalizeV2Entity(entity);
  return entities;
}

const V2_DATE = /^\/Date\((-?\d{1,16})(?:([+-])(\d{4}))?\)\/$/;

/** The largest time value a JavaScript Date can hold, in milliseconds either side of 1970. */
const MAX_TIME = 8.64e15;

/**
 * Converts a v2 JSON date string (`/Date(<ms since 1970 UTC>)/` or `/Date(<ms><±minutes>)/`) to ISO
 * 8601; returns `undefined` for any other string.
 *
 * @example
 * ```ts
 * v2DateToIso("/Date(1700000000000)/");      // "2023-11-14T22:13:20Z"
 * v2DateToIso("/Date(1700000000000+0060)/"); // "2023-11-14T23:13:20+01:00"
 * ```
 */
export function v2DateToIso(text: string): string | undefined {
  const match = V2_DATE.exec(text);
  if (!match) return undefined;
  const time = Number(match[1]);
  if (Math.abs(time) > MAX_TIME) return undefined;
  const minutes = match[3] === undefined ? 0 : Number(match[3]);
  // No offset and a zero offset (SAP CAP's v2 adapter sends "+0000") both mean UTC: written "Z".
  if (minutes === 0) return isoText(time, "Z");
  // An offset of a day or more is not a time zone; such a string is left as it is.
  if (minutes >= 24 * 60) return undefined;
  const sign = match[2] === "-" ? -1 : 1;
  const suffix = `${match[2]!}${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
  const local = time + sign * minutes * 60_000;
  if (Math.abs(local) > MAX_TIME) return undefined;
  return isoText(local, suffix);
}

function isoText(time: number, suffix: string): string {
  const text = new Date(time).toISOString(); // "...T22:13:20.000Z"
  const withoutZ = text.slice(0, -1);
  return (withoutZ.endsWith(".000") ? withoutZ.slice(0, -4) : withoutZ) + suffix;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

const SLASH = 47;

/**
 * The members whose `/Date(...)/` text the reader made ISO text, per object it converted: property
 * names of an entity or complex value, item indexes of an array (a collection value).
 *
 * Keyed, where the object has one, on its `__metadata` object, not on the object itself: the usual
 * `update({ ...entity, stock: 3 })` copies the properties into a new object, but the copy holds the
 * very same `__metadata` (payload/expanded.ts keeps its marks on shared values for the same
 * reason). An object without `__metadata` (a complex value some services send bare, an array) is
 * its own key, so it is recognised where the caller passes or copies it along as it is. What is
 * lost: a `__metadata` the caller replaces, and a deep copy (`structuredClone`, a JSON round trip);
 * the dates of such a copy are then sent as the ISO text they hold. (A poller's token is such a
 * round trip: it keeps the notes as paths, see {@link rememberDatePaths}.) A WeakMap adds nothing visible
 * to the entities and keeps none of them alive.
 */
const readDates = new WeakMap<object, Set<string>>();

/** What an object's converted members are remembered under: its `__metadata` if it has one, else itself. */
function datesKey(object: object): object {
  const metadata = (object as Record<string, unknown>)["__metadata"];
  return typeof metadata === "object" && metadata !== null ? metadata : object;
}

/**
 * Notes that the reader made ISO text of a v2 date in `object`'s `member` (a name, or an array's
 * index): the JSON reader here, and the Atom reader for its `Edm.DateTime` and `Edm.DateTimeOffset`
 * properties (see {@link readDatesOf}).
 */
export function rememberDate(object: object, member: string): void {
  const key = datesKey(object);
  readDates.set(key, (readDates.get(key) ?? new Set<string>()).add(member));
}

/**
 * Gives `object` a `__metadata` of its own (`metadata`) and keeps the dates remembered for it:
 * an entity read without one gets one when the answer's `ETag` header is kept with it, and its
 * `{ ...copy }` is looked up by that.
 */
export function setMetadata(object: Record<string, unknown>, metadata: Record<string, unknown>): void {
  const dates = readDates.get(object);
  object["__metadata"] = metadata;
  if (dates !== undefined) readDates.set(metadata, dates);
}

/**
 * The members of `object` (an entity, a complex value, or an array's indexes) that held a
 * `/Date(...)/` the reader converted to ISO text, found through a `{ ...object }` copy too; or
 * `undefined` when the reader converted none (or never saw the object). A v2 write turns these,
 * and only these, back into `/Date(<ms>)/`.
 *
 * @example
 * ```ts
 * const book = normalizeV2Entity({ __metadata: { uri: "Books(1)" }, published: "/Date(0)/", note: "x" });
 * readDatesOf({ ...book, stock: 3 }); // Set { "published" }
 * ```
 */
export function readDatesOf(object: object): ReadonlySet<string> | undefined {
  // The object itself as well: one read without `__metadata` may have been given one since (the
  // ETag of the answer's header is kept in a new `__metadata`).
  return readDates.get(datesKey(object)) ?? readDates.get(object);
}

/**
 * Notes the dates that `paths` name in `value`, as the reader noted them when it converted them
 * (see {@link readDatesOf}); returns the paths it noted. The paths are those of a poller's token
 * (lro/monitor-answer.ts `readDatePaths`: member names and array indexes joined by `/`, such as
 * `reviews/0/at`), since JSON keeps no note; anything but an array of them is taken for none.
 *
 * A path is noted only where it ends at a string that an object or array holds, so a token edited
 * by hand notes nothing else. Members are looked up plainly (this module loads with every client):
 * beyond the members of parsed JSON, a path reaches only prototypes, whose members hold no string,
 * and functions (`constructor/name`), which are no objects.
 */
export function rememberDatePaths(value: unknown, paths: unknown): string[] {
  return Array.isArray(paths)
    ? paths.filter((path) => {
        let container: unknown;
        let member = "";
        let found = value;
        for (member of typeof path === "string" ? path.split("/") : []) {
          container = found;
          found = container == null ? undefined : (container as Record<string, unknown>)[member];
        }
        if (typeof found !== "string" || typeof container !== "object") return false;
        rememberDate(container as object, member);
        return true;
      })
    : [];
}

/**
 * The related entities (an entity, or an array holding some) that the v2 answers this module
 * converted hold inline: a v2 service (SAP Gateway) inlines some that no `$expand` asked for, where
 * v2 JSON otherwise has `__deferred`, and an entity written back with them would be a deep update.
 * The set of payload/expanded.ts, which the writing layer asks; kept here, where the answer is
 * converted, so that marking them costs a read no module and no second pass over its members.
 */
export const inlinedEntities = new WeakSet<object>();

/** Whether `value` is an OData v2 entity: its `__metadata` has a `uri` (a complex value's has a type only). */
export function isV2Entity(value: unknown): boolean {
  return typeof (value as { __metadata?: { uri?: unknown } } | null)?.__metadata?.uri === "string";
}

/**
 * Marks the related entities `value` holds (see {@link inlinedEntities}) where no reader converted
 * it in this process: a poller's result read back from its token (lro/resume.ts), which JSON kept
 * without the marks.
 */
export function markInlinedEntities(value: unknown): void {
  const pending = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next !== "object" || next === null) continue;
    for (const name in next) {
      const member = (next as Record<string, unknown>)[name];
      if (name === "__metadata" || typeof member !== "object" || member === null) continue;
      if (Array.isArray(member) ? member.some(isV2Entity) : isV2Entity(member)) inlinedEntities.add(member);
      pending.push(member);
    }
  }
}

/**
 * One member of an object or item of an array: a `/Date(ms)/` text made ISO text; a deferred
 * navigation dropped, a `results` wrapper replaced by its array (members of objects only); objects
 * and arrays put on `pending`, to be visited in turn.
 */
function normalizeMember(container: Record<string, unknown>, name: string, pending: unknown[], inArray: boolean): void {
  const value = container[name];
  if (typeof value === "string") {
    // A cheap first-character test keeps ordinary strings off the regular expression.
    if (value.charCodeAt(0) === SLASH) {
      const iso = v2DateToIso(value);
      if (iso !== undefined) {
        container[name] = iso;
        rememberDate(container, name);
      }
    }
  } else if (typeof value === "object" && value !== null) {
    if (inArray || Array.isArray(value)) pending.push(value);
    else if ((value as Record<string, unknown>)["__deferred"] !== undefined) delete container[name];
    else if (isResultsWrapper(value as Record<string, unknown>)) {
      const results = (value as Record<string, unknown[]>)["results"]!;
      pending.push((container[name] = results));
      keepInlineAnnotations(container, name, value as Record<string, unknown>);
      // Related entities the service inlined, asked for by a `$expand` or not (see inlinedEntities):
      // an entity written back leaves them out. Entities only: a collection of complex values is
      // the entity's own. Marked here, where the answer is converted anyway, it costs a read nothing
      // where nothing is inlined.
      if (results.some(isV2Entity)) inlinedEntities.add(results);
    } else {
      if (isV2Entity(value)) inlinedEntities.add(value as object);
      pending.push(value);
    }
  }
}

/**
 * Keeps the `__next` and `__count` (and a `__delta`) of the wrapper of the expanded collection
 * `name` on its entity, named as v4 names them (`Items@odata.nextLink`, `Items@odata.count`) and
 * read as a page's are (the count a number; one that is no count, or a link that is neither a
 * string nor null, is `BAD_PAYLOAD`; a null link is none).
 * Dropped with the wrapper, the first page of a collection a service pages inside `$expand` would
 * pass for all of it; kept, `navigate("Items").pages({ from })` reads the rest. A v2 write leaves
 * them out again (write/requests.ts).
 */
function keepInlineAnnotations(entity: Record<string, unknown>, name: string, wrapper: Record<string, unknown>): void {
  // The wrapper has no member with "@" (see isResultsWrapper), so these are `nextLink`, `count` and
  // `deltaLink` alone; a name with "@" is never "__proto__", so the assignment makes a member.
  for (const [term, value] of Object.entries(readCollectionAnnotations(wrapper, "v2"))) entity[`${name}@odata.${term}`] = value;
}

/**
 * True for v2's wrapper around an expanded to-many navigation (or a collection value): an object
 * with a `results` array and nothing else but `__`-prefixed members such as `__count` and `__next`.
 * An entity or complex value has `__metadata`, so it is never mistaken for one; a `__metadata` is
 * taken only where it types the wrapper a collection (OData v3 verbose JSON writes one there).
 */
function isResultsWrapper(object: Record<string, unknown>): boolean {
  if (!Array.isArray(object["results"])) return false;
  for (const name in object) {
    if (name !== "results" && !name.startsWith("__")) return false;
    if (name === "__metadata" && !isCollectionMetadata(object[name])) return false;
  }
  return true;
}

/** Whether `__metadata` is that of a collection (OData v3 verbose JSON types one: `Collection(Edm.String)`). */
function isCollectionMetadata(metadata: unknown): boolean {
  const type = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>)["type"] : undefined;
  return typeof type === "string" && type.startsWith("Collection(");
}

// --- One value alone: an operation's result, a property read alone ---------------------------------
//
// Both come in the same forms, read by these three for operations/results.ts and
// property-answer.ts alike; each caller keeps its own rules on top (see there). The v4 test lives
// here beside its v2 counterparts so that it loads where they do: at the client's start, which
// reads operation results, and with a reader's first property read, not at a reader's start.

/**
 * Whether a v4 body is a wrapper around one value (OData JSON Format §7, §12): `{"value": …}` with
 * nothing but annotations beside it (a primitive or a collection), or a null as OData 4.0 services
 * (Microsoft.OData 6.x, SharePoint) write it, `{"@odata.null": true}` beside the context (4.01
 * may leave out the `odata.`: `@null`); its value is `body.value ?? null`. Not a wrapper: an entity
 * or complex value, which is the body itself. A value whose one property is called `value` reads
 * as a wrapper: a context that names a type (`#NS.Result`) is the same for a complex value and for
 * an enumeration's or a type definition's value, a property's (`#Books(1)/address`) tells nothing,
 * and services may leave the context out.
 * @example isV4ValueWrapper({ "@odata.context": "$metadata#Edm.Int32", value: 9 }) // true
 * @example isV4ValueWrapper({ "@odata.context": "$metadata#Edm.String", "@odata.null": true }) // true
 * @example isV4ValueWrapper({ ID: 1, title: "Emma" }) // false
 */
export function isV4ValueWrapper(body: Readonly<Record<string, unknown>>): boolean {
  const properties = Object.keys(body).filter((key) => !key.includes("@"));
  return properties.length ? properties.length === 1 && properties[0] === "value" : body["@odata.null"] === true || body["@null"] === true;
}

/**
 * Whether a v2 value is a collection's wrapper, `{"results": [...]}` beside `__` members only
 * (`__next`, `__count`): an operation's collection result, a collection property (OData v3's,
 * which v2 services built on its libraries send).
 * @example isV2ValueCollection({ results: [1, 2], __next: "f?$skiptoken=2" }) // true
 */
export function isV2ValueCollection(value: unknown): value is { results: unknown[] } & Record<string, unknown> {
  return typeof value === "object" && value !== null && Array.isArray((value as Record<string, unknown>)["results"]) && Object.keys(value).every((key) => key === "results" || key.startsWith("__"));
}

/**
 * A v2 value (a collection's wrapper taken off) as v4 reads it: a `/Date(…)/` string as ISO 8601,
 * an entity, complex value or array converted in place by {@link normalizeV2Entity}.
 * @example v2ValueAsV4("/Date(0)/") // "1970-01-01T00:00:00Z"
 */
export function v2ValueAsV4(value: unknown): unknown {
  return typeof value === "string" ? (v2DateToIso(value) ?? value) : normalizeV2Entity(value);
}
