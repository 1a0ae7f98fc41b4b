/**
 * Reading OData v2 Atom XML payloads (feeds and single entries) into the same entity shape that
 * v2 JSON gives after `normalizeV2Entity`: properties as JavaScript values, `__metadata` with
 * `uri`, `type` and `etag`, expanded navigation properties inline (an inline feed's next link and
 * count beside them as `<name>@odata.nextLink` and `<name>@odata.count`), deferred ones left out.
 *
 * Elements are matched by namespace URI, never by prefix, so `d:`/`m:` or any other prefixes (or a
 * default namespace) work alike.
 */

import { countOf, type CollectionAnnotations } from "./annotations.js";
import { attributeValue, childElements, firstChildElement, parseXml, textContent, XML_NAMESPACE, type XmlElement } from "./xml.js";
import { clipText } from "../util/redact.js";
import { ODataClientError } from "../errors.js";
import { badPayload } from "./bad-payload.js";
import { inlinedEntities, rememberDate } from "./v2-values.js";

/** The Atom syndication namespace. */
export const ATOM_NAMESPACE = "http://www.w3.org/2005/Atom";
/** The OData v2 data namespace (`d:`): property elements. */
export const DATA_NAMESPACE = "http://schemas.microsoft.com/ado/2007/08/dataservices";
/** The OData v2 metadata namespace (`m:`): `properties`, `type`, `null`, `count`, `etag`, `inline`. */
export const METADATA_NAMESPACE = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";

/**
 * OData v4's Atom metadata namespace (OData Atom Format 4.0: `m:properties`, `m:count`, ...), whose
 * properties are in `http://docs.oasis-open.org/odata/ns/data`. This reader reads v2's alone; a
 * document of v4's, passed over element by element, would give entities without a property.
 */
const V4_METADATA_NAMESPACE = "http://docs.oasis-open.org/odata/ns/metadata";

/** Refuses an element of OData v4's Atom ({@link V4_METADATA_NAMESPACE}), whose document this reader would read as empty entities. */
function refuseV4Atom(element: XmlElement | undefined): void {
  if (element?.namespace !== V4_METADATA_NAMESPACE) return;
  throw badPayload(
    `the XML body is OData v4's Atom (<${element.name}> in namespace "${V4_METADATA_NAMESPACE}", at character offset ${element.offset}), which the client does not read: it reads v2's Atom and asks for JSON`,
  );
}

const RELATED_PREFIX = `${DATA_NAMESPACE}/related/`;
const SCHEME = `${DATA_NAMESPACE}/scheme`;

/**
 * How deep expanded entries and complex values may nest. Real answers nest as deep as a model's
 * complex types and an `$expand` go, a few levels; the readers recurse per level, and a hostile
 * document some thousands of levels deep would overflow the call stack.
 */
const MAX_NESTING = 100;

/**
 * The longest Atom page read (64 MiB), a page of a v2 walk or of a delta. Atom is parsed whole,
 * into a tree that takes more than ten times the text's size until the entities are read from it
 * (measured: some 850 MB more for 64 MiB of entries of twenty properties, twice that for 128 MiB,
 * half of V8's default heap on a large machine): a larger page would end the process for want of
 * memory rather than fail. 64 MiB is some 50,000 such entries, beyond the pages services send; and
 * an endless body, which `timeout` does not stop while data keeps coming, is cut there.
 */
export const ATOM_PAGE_LIMIT = 64 * 1024 * 1024;

/** What {@link readAtomFeed} gives: the entities of the page and its annotations. */
export interface AtomFeed {
  /** The entries of the feed, each read as an entity object. */
  entities: Record<string, unknown>[];
  /** `nextLink` from `<link rel="next">`, `count` from `<m:count>`, `deltaLink` from a delta link. */
  annotations: CollectionAnnotations;
}

/**
 * Reads an Atom `<feed>` document (one page of a collection). A document whose root is a single
 * `<entry>` is read as a feed of that one entity, so one call serves both shapes.
 *
 * Property values follow their `m:type`: `Edm.Int16/Int32/Byte/SByte/Double/Single` become numbers,
 * `Edm.Int64` and `Edm.Decimal` stay strings (so no precision is lost), `Edm.Boolean` a boolean,
 * `Edm.DateTime` an ISO 8601 string in UTC (`Z` added), `Edm.DateTimeOffset` ISO 8601 with its
 * offset, `m:null="true"` (or `"1"`) null, complex values nested objects, `Collection(...)`
 * arrays; every other type the text as sent. Malformed XML, a root that is neither feed nor entry,
 * and values that do not fit their type reject with {@link ODataClientError} code `"BAD_PAYLOAD"`,
 * its message starting with `where` when given (`GET https://...`, the request whose answer it is).
 *
 * @example
 * ```ts
 * const { entities, annotations } = readAtomFeed(await response.text());
 * annotations.nextLink; // from <link rel="next" href="..."/>
 * ```
 */
export function readAtomFeed(text: string, where?: string): AtomFeed {
  return naming(where, () => {
    const root = parseXml(text);
    if (root.namespace === ATOM_NAMESPACE && root.local === "entry") {
      return { entities: [readEntry(root, baseOf(root, undefined), 0)], annotations: {} };
    }
    if (root.namespace !== ATOM_NAMESPACE || root.local !== "feed") {
      throw badPayload(`the XML body's root element is <${root.name}> (namespace "${root.namespace}"), not an Atom feed or entry`);
    }
    return readFeed(root, baseOf(root, undefined), 0);
  });
}

/**
 * Reads an Atom document whose root is a single `<entry>` (the answer to a GET of one entity);
 * errors as {@link readAtomFeed}'s.
 *
 * @example
 * ```ts
 * const product = readAtomEntry(xml);
 * product.__metadata; // { id, uri, type, etag }
 * ```
 */
export function readAtomEntry(text: string, where?: string): Record<string, unknown> {
  return naming(where, () => {
    const root = parseXml(text);
    if (root.namespace !== ATOM_NAMESPACE || root.local !== "entry") {
      throw badPayload(`the XML body's root element is <${root.name}> (namespace "${root.namespace}"), not an Atom entry`);
    }
    return readEntry(root, baseOf(root, undefined), 0);
  });
}

/** Runs `read`; a `BAD_PAYLOAD` it throws names `where` (the request whose answer it reads) first. */
function naming<R>(where: string | undefined, read: () => R): R {
  try {
    return read();
  } catch (error) {
    if (where === undefined || !(error instanceof ODataClientError) || error.code !== "BAD_PAYLOAD") throw error;
    throw badPayload(`${where}: ${error.message}`, error);
  }
}

/** The `xml:base` in force for an element, resolved against the one of its parent. */
function baseOf(element: XmlElement, parentBase: string | undefined): string | undefined {
  const own = attributeValue(element, XML_NAMESPACE, "base");
  if (own === undefined) return parentBase;
  return resolve(own, parentBase);
}

/**
 * Resolves a link against `xml:base`. The query is carried over as written: URL resolution would
 * percent-encode characters such as the quotes of `$skiptoken='2'`, and the link should reach the
 * service as the service wrote it.
 */
function resolve(reference: string, base: string | undefined): string {
  if (base === undefined || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(reference)) return reference;
  const query = reference.indexOf("?");
  const path = query < 0 ? reference : reference.slice(0, query);
  try {
    const resolved = new URL(path, base);
    return `${resolved.origin === "null" ? resolved.href : resolved.origin + resolved.pathname}${query < 0 ? "" : reference.slice(query)}`;
  } catch {
    return reference;
  }
}

/** `depth` is how many expansions the feed is inside of (0 for the document's own). */
function readFeed(feed: XmlElement, base: string | undefined, depth: number): AtomFeed {
  const entities: Record<string, unknown>[] = [];
  const annotations: CollectionAnnotations = {};
  for (const child of feed.children) {
    if (typeof child === "string") continue;
    refuseV4Atom(child);
    if (child.namespace === ATOM_NAMESPACE) {
      if (child.local === "entry") {
        entities.push(readEntry(child, baseOf(child, base), depth));
      } else if (child.local === "link") {
        const rel = attributeValue(child, "", "rel");
        const href = attributeValue(child, "", "href");
        if (href === undefined) continue;
        if (rel === "next") annotations.nextLink = resolve(href, baseOf(child, base));
        // SAP Gateway writes rel="delta"; the namespaced form is the one in the v2 delta extension.
        else if (rel === "delta" || rel === `${DATA_NAMESPACE}/delta`) annotations.deltaLink = resolve(href, baseOf(child, base));
      }
    } else if (child.namespace === METADATA_NAMESPACE && child.local === "count") {
      const text = textContent(child).trim();
      const count = countOf(text);
      if (count === undefined) throw badPayload(`the feed's <${child.name}> is ${JSON.stringify(clipText(text, 40))}, not a count (character offset ${child.offset})`);
      annotations.count = count;
    }
  }
  return { entities, annotations };
}

function readEntry(entry: XmlElement, base: string | undefined, depth: number): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  const navigation: [string, unknown, CollectionAnnotations?][] = [];
  let properties: XmlElement | undefined;

  const id = firstChildElement(entry, ATOM_NAMESPACE, "id");
  if (id) metadata["id"] = textContent(id).trim();
  for (const child of entry.children) {
    if (typeof child === "string") continue;
    refuseV4Atom(child);
    if (child.namespace === METADATA_NAMESPACE && child.local === "properties") {
      // A media link entry carries its properties beside <content src="...">.
      properties = child;
      continue;
    }
    if (child.namespace !== ATOM_NAMESPACE) continue;
    if (child.local === "category" && attributeValue(child, "", "scheme") === SCHEME) {
      const term = attributeValue(child, "", "term");
      if (term !== undefined) metadata["type"] = term;
    } else if (child.local === "link") {
      const rel = attributeValue(child, "", "rel");
      const href = attributeValue(child, "", "href");
      if (rel === "edit" && href !== undefined) {
        metadata["uri"] = resolve(href, baseOf(child, base));
      } else if (rel === "edit-media" && href !== undefined) {
        metadata["edit_media"] = resolve(href, baseOf(child, base));
        // The media resource's own ETag, as JSON's __metadata.media_etag (a conditional media put sends it).
        const mediaEtag = attributeValue(child, METADATA_NAMESPACE, "etag");
        if (mediaEtag !== undefined) metadata["media_etag"] = mediaEtag;
      } else if (rel?.startsWith(RELATED_PREFIX)) {
        const inline = firstChildElement(child, METADATA_NAMESPACE, "inline");
        // Without <m:inline> the navigation property was not expanded: left out, as v4 does.
        if (inline) navigation.push([rel.slice(RELATED_PREFIX.length), ...readInline(inline, baseOf(child, base), depth + 1)]);
      }
    } else if (child.local === "content") {
      const src = attributeValue(child, "", "src");
      if (src !== undefined) {
        metadata["media_src"] = resolve(src, baseOf(child, base));
        const type = attributeValue(child, "", "type");
        if (type !== undefined) metadata["content_type"] = type;
      } else {
        refuseV4Atom(firstChildElement(child, V4_METADATA_NAMESPACE, "properties"));
        const inner = firstChildElement(child, METADATA_NAMESPACE, "properties");
        if (inner) properties = inner;
      }
    }
  }
  if (metadata["uri"] === undefined && metadata["id"] !== undefined) metadata["uri"] = metadata["id"];
  const etag = attributeValue(entry, METADATA_NAMESPACE, "etag");
  if (etag !== undefined) metadata["etag"] = etag;

  const entity: Record<string, unknown> = { __metadata: metadata };
  if (properties) {
    for (const property of childElements(properties, DATA_NAMESPACE)) readMember(entity, property, 0);
  }
  for (const [name, value, annotations] of navigation) {
    setMember(entity, name, value);
    // An inline feed's next link and count (and delta link), which services that page inside
    // `$expand` send, kept as v2 JSON's `__next` and `__count` are (payload/v2-values.ts): under
    // the names v4 gives them.
    for (const [term, value] of Object.entries(annotations ?? {})) entity[`${name}@odata.${term}`] = value;
  }
  return entity;
}

/**
 * Sets a member the document names. An assignment to `__proto__` would set the object's
 * prototype instead, losing the value and giving the entity members it does not have; JSON.parse
 * makes such a member an own one, and so does this.
 */
function setMember(object: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  else object[name] = value;
}

/**
 * An expanded navigation property: a feed becomes an array (with the feed's annotations), an entry
 * an object, nothing null.
 */
function readInline(inline: XmlElement, base: string | undefined, depth: number): [unknown, CollectionAnnotations?] {
  if (depth > MAX_NESTING) throw badPayload(`the expanded entries nest more than ${MAX_NESTING} levels deep (<${inline.name}> at character offset ${inline.offset})`);
  // What <m:inline> holds is related entities, whether a `$expand` asked for them or the service
  // inlined them unasked: an entity written back leaves them out (v2-values.ts inlinedEntities).
  const feed = firstChildElement(inline, ATOM_NAMESPACE, "feed");
  if (feed) {
    const { entities, annotations } = readFeed(feed, baseOf(feed, base), depth);
    inlinedEntities.add(entities);
    return [entities, annotations];
  }
  const entry = firstChildElement(inline, ATOM_NAMESPACE, "entry");
  if (!entry) return [null];
  const entity = readEntry(entry, baseOf(entry, base), depth);
  inlinedEntities.add(entity);
  return [entity];
}

/**
 * One property element; `impliedType` is the item type of an enclosing `Collection(...)`, `depth`
 * how many complex or collection values it is inside of.
 */
function readProperty(property: XmlElement, impliedType: string | undefined, depth: number): unknown {
  if (depth > MAX_NESTING) throw badPayload(`the property <${property.name}> at character offset ${property.offset} nests more than ${MAX_NESTING} levels deep`);
  // m:null is an XML Schema boolean: "1" means null as "true" does, and spaces around it do not count.
  const isNull = attributeValue(property, METADATA_NAMESPACE, "null")?.trim();
  if (isNull === "true" || isNull === "1") return null;
  const type = attributeValue(property, METADATA_NAMESPACE, "type") ?? impliedType;
  const members = childElements(property, DATA_NAMESPACE);
  if (type?.startsWith("Collection(") && type.endsWith(")")) {
    const itemType = type.slice("Collection(".length, -1);
    const items = members.map((item) => readProperty(item, itemType, depth + 1));
    if (DATE_TYPES.has(itemType)) for (const [index, item] of items.entries()) if (typeof item === "string") rememberDate(items, String(index));
    return items;
  }
  if (members.length > 0 || (type !== undefined && !type.startsWith("Edm.") && hasNoText(property))) {
    const complex: Record<string, unknown> = {};
    if (type !== undefined) complex["__metadata"] = { type };
    for (const member of members) readMember(complex, member, depth + 1);
    return complex;
  }
  return convertPrimitive(type ?? "Edm.String", textContent(property), property);
}

/** The v2 types the reader gives as ISO text, which a write sends back as `/Date(...)/`. */
const DATE_TYPES = new Set(["Edm.DateTime", "Edm.DateTimeOffset"]);

/** Reads a property element into `object`; a date is noted as one for the writes (`rememberDate`). */
function readMember(object: Record<string, unknown>, property: XmlElement, depth: number): void {
  const value = readProperty(property, undefined, depth);
  setMember(object, property.local, value);
  if (typeof value === "string" && DATE_TYPES.has(attributeValue(property, METADATA_NAMESPACE, "type") ?? "")) rememberDate(object, property.local);
}

function hasNoText(element: XmlElement): boolean {
  return element.children.every((child) => typeof child !== "string" || child.trim() === "");
}

const INTEGER = /^[+-]?\d+$/;
// `\d+(?:\.\d*)?`, not `\d+\.?\d*`: that one tries every split of a run of digits before it
// gives up, quadratic in its length (a value of 100,000 digits took seconds).
const FLOATING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_TIME = /^(\d{4,}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function convertPrimitive(type: string, raw: string, property: XmlElement): unknown {
  switch (type) {
    case "Edm.Int16":
    case "Edm.Int32":
    case "Edm.Byte":
    case "Edm.SByte": {
      const text = raw.trim();
      if (!INTEGER.test(text)) throw notOfType(property, type, raw);
      return Number(text);
    }
    case "Edm.Int64":
    case "Edm.Decimal": {
      // Kept as text: a JavaScript number would round values beyond 2^53 or with many digits.
      const text = raw.trim();
      if (!(type === "Edm.Int64" ? INTEGER : FLOATING).test(text)) throw notOfType(property, type, raw);
      return text;
    }
    case "Edm.Double":
    case "Edm.Single": {
      const text = raw.trim();
      if (text === "INF") return Number.POSITIVE_INFINITY;
      if (text === "-INF") return Number.NEGATIVE_INFINITY;
      if (text === "NaN") return Number.NaN;
      if (!FLOATING.test(text)) throw notOfType(property, type, raw);
      return Number(text);
    }
    case "Edm.Boolean": {
      const text = raw.trim();
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      throw notOfType(property, type, raw);
    }
    case "Edm.DateTime":
    case "Edm.DateTimeOffset": {
      const match = DATE_TIME.exec(raw.trim());
      if (!match) throw notOfType(property, type, raw);
      const [, minutes, seconds = ":00", fraction = "", zone] = match;
      // v2 Edm.DateTime has no zone and is read as UTC, as v2 JSON's /Date(ms)/ is. Some services
      // (SAP CAP's v2 adapter) write Edm.DateTimeOffset without a zone too; it is UTC there as well.
      const keptFraction = /^\.0+$/.test(fraction) ? "" : fraction;
      return `${minutes}${seconds}${keptFraction}${zone ?? "Z"}`;
    }
    default:
      return raw;
  }
}

function notOfType(property: XmlElement, type: string, raw: string): ODataClientError {
  return badPayload(`the property <${property.name}> has the value ${JSON.stringify(clipText(raw, 40))}, which is not an ${type} (character offset ${property.offset})`);
}
