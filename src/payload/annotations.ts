/**
 * The annotations a collection carries beside its entities (the next link, the count, the delta
 * link), under every name the OData versions give them: one table, read the same way by a page,
 * a `$batch` part, a delta page and an operation's collection result.
 */
import { describe, isRecord } from "../util/values.js";
import { badPayload } from "./bad-payload.js";

/**
 * The annotations that describe a response rather than the entity in it: `@odata.context` and
 * `@odata.metadataEtag` (4.01 `@context`, `@metadataEtag`). See payload/entity-answer.ts for the
 * rule of what an entity the library returns carries.
 */
const RESPONSE_ANNOTATIONS = ["@odata.context", "@context", "@odata.metadataEtag", "@metadataEtag"];

/** Removes the response-level annotations from the top of a parsed answer, in place; returns it. */
export function dropResponseAnnotations<T>(body: T): T {
  if (isRecord(body)) for (const name of RESPONSE_ANNOTATIONS) delete body[name];
  return body;
}

/** The collection-level annotations read from a body, whichever version's names they had. */
export interface CollectionAnnotations {
  /** `@odata.nextLink` / `@nextLink` (v4) or `__next` (v2), as sent (possibly relative). */
  nextLink?: string;
  /** `@odata.count` / `@count` (v4) or `__count` (v2, sent as a string), as a number. */
  count?: number;
  /** `@odata.deltaLink` / `@deltaLink` (v4) or `__delta` (v2), as sent. */
  deltaLink?: string;
  /**
   * The collection's other instance annotations (members whose name has an `@`, such as
   * Dataverse's `@Microsoft.Dynamics.CRM.morerecords`), by name as sent, values as parsed; those
   * that describe the response (`@odata.context`, `@odata.metadataEtag`) are left out.
   */
  others?: Record<string, unknown>;
}

/** Which JSON shape a collection body has: v4 (`value` plus `@odata.*` annotations) or v2 (`d`). */
export type PayloadFormat = "v4" | "v2";

/** One of the annotations a collection carries under a name of {@link COLLECTION_ANNOTATIONS}. */
export type CollectionAnnotation = Exclude<keyof CollectionAnnotations, "others">;

/** A lookup table without a prototype, so a member named "constructor" finds nothing. */
function annotationTable(entries: Record<string, CollectionAnnotation>): Readonly<Record<string, CollectionAnnotation>> {
  return Object.assign(Object.create(null) as Record<string, CollectionAnnotation>, entries);
}

/**
 * The member names of the collection annotations, by format: v4 names sit beside `value`, v2
 * names inside `d`. OData 4.0 prefixes with `@odata.`, 4.01 allows the bare `@` form, and v3-era
 * JSON light (still sent by some 4.0 services) used `odata.` without the `@`.
 */
export const COLLECTION_ANNOTATIONS: Readonly<Record<PayloadFormat, Readonly<Record<string, CollectionAnnotation>>>> = {
  v4: annotationTable({
    "@odata.count": "count",
    "@count": "count",
    "odata.count": "count",
    "@odata.nextLink": "nextLink",
    "@nextLink": "nextLink",
    "odata.nextLink": "nextLink",
    "@odata.deltaLink": "deltaLink",
    "@deltaLink": "deltaLink",
    "odata.deltaLink": "deltaLink",
  }),
  v2: annotationTable({
    __count: "count",
    __next: "nextLink",
    __delta: "deltaLink",
  }),
};

/**
 * A count as a number: a safe integer from 0, or its decimal text (v2 and `IEEE754Compatible`
 * send it so, `m:count` and `$count` are text); `undefined` for anything else, 400 digits (which
 * would read as Infinity) and 17 (which would lose their last ones) among them.
 */
export function countOf(value: unknown): number | undefined {
  const count = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof count === "number" && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

/**
 * Sets the annotation `target` that the member `name` carries; a count that is no count or a link
 * that is no string is `BAD_PAYLOAD`, and a null link is none. v2 sends the count as a string, and
 * v4 does too under `IEEE754Compatible=true`.
 */
export function setAnnotation(annotations: CollectionAnnotations, target: CollectionAnnotation, name: string, value: unknown): void {
  if (target === "count") {
    const count = countOf(value);
    if (count === undefined) throw badPayload(`the collection body's "${name}" is ${describe(value)}, not a count`);
    annotations.count = count;
    return;
  }
  // Some services write the link on every page and null it on the last: no more pages, as when
  // the member is left out (Azure's REST guidelines allow both).
  if (value === null) return;
  if (typeof value !== "string") {
    throw badPayload(`the collection body's "${name}" is ${describe(value)}, not a link`);
  }
  annotations[target] = value;
}

/**
 * Reads one member of a collection body into `annotations`, `names` being its format's table of
 * {@link COLLECTION_ANNOTATIONS}: a count or a link as {@link setAnnotation} does, any other
 * annotation into `others`. A member without an `@` is no annotation and is skipped.
 */
export function readMember(annotations: CollectionAnnotations, names: Readonly<Record<string, CollectionAnnotation>>, name: string, value: unknown): void {
  const target = names[name];
  if (target !== undefined) setAnnotation(annotations, target, name, value);
  // A name with "@" is never "__proto__", so assigning it makes a property of that name.
  else if (name.includes("@") && !RESPONSE_ANNOTATIONS.includes(name)) (annotations.others ??= {})[name] = value;
}

/**
 * The collection annotations among the members of `object`: a v4 collection body, or a v2 body's
 * `d` object.
 * @example readCollectionAnnotations({ value: [], "@odata.nextLink": "Books?$skiptoken=9", "@ns.more": true }, "v4") // { nextLink: "Books?$skiptoken=9", others: { "@ns.more": true } }
 */
export function readCollectionAnnotations(object: Readonly<Record<string, unknown>>, format: PayloadFormat): CollectionAnnotations {
  const annotations: CollectionAnnotations = {};
  const names = COLLECTION_ANNOTATIONS[format];
  for (const name of Object.keys(object)) readMember(annotations, names, name, object[name]);
  return annotations;
}

/**
 * The next link that a collection body's text ends with, found from its last characters without
 * parsing it: `…,"@odata.nextLink":"…"}` (or another v4 name of it), or `…,"__next":"…"}}` in v2.
 * A walk uses it to request the next page while this one is parsed. It is a guess, to be checked
 * against the parsed body: the text may be no JSON at all, and in v2 the closing object need not
 * be `d`. A link with an escape in it, or any other ending, gives `undefined`.
 * @example trailingNextLink('{"value":[],"@odata.nextLink":"Books?$skiptoken=9"}', "v4") // "Books?$skiptoken=9"
 */
export function trailingNextLink(text: string, format: PayloadFormat): string | undefined {
  // The member starts at the last comma before the last quote but one (a link has no quotes and a
  // name no commas), and the pattern is tried there only.
  TRAILING_LINK.lastIndex = text.lastIndexOf(",", text.lastIndexOf('"', text.lastIndexOf('"') - 1));
  const found = TRAILING_LINK.exec(text);
  return found && COLLECTION_ANNOTATIONS[format][found[1]!] === "nextLink" && !found[3] === (format === "v4") ? found[2] : undefined;
}

/** A last member whose value is a string without escapes, then one closing brace (v4) or two (v2). */
const TRAILING_LINK = /,\s*"([@\w.]+)"\s*:\s*"([^"\\]*)"\s*\}\s*(\}\s*)?$/y;
