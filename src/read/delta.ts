/**
 * Reading delta responses (OData 4.01 Protocol §11.3, JSON Format §15): what changed since a delta
 * link was issued, page by page. A delta page holds changed entities, removed entities (4.01
 * `@removed`, 4.0 `$deletedEntity` entries and `@odata.removed`), and added or removed links; the
 * last page carries the next delta link. v2 services (SAP's delta token form) send changed entities
 * in `d.results` and the next delta link as `__delta`.
 *
 * Memory holds one page at a time, of at most 64 MiB; delta links and next links inside a delta
 * follow the same origin rule as next links (`UNTRUSTED_NEXT_LINK`).
 */
import { readBodyText, readMasked } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { ODataClientError } from "../errors.js";
import { httpErrorOf } from "../payload/failed-answer.js";
import { abortReason, toAbortSignal } from "../http/signals.js";
import type { RequestOptions } from "../options.js";
import { ATOM_PAGE_LIMIT, readAtomFeed } from "../payload/atom.js";
import { readHeaders, RecentLinks, resolveNextLink } from "./traversal.js";
import { normalizeV2Entity } from "../payload/v2-values.js";
import { attributeValue, childElements, parseXml } from "../payload/xml.js";
import { isRecord } from "../util/values.js";
import { clipText, redactUrl } from "../util/redact.js";
import { resolveReference } from "../util/service-root.js";
import { readCollectionAnnotations, type CollectionAnnotations } from "../payload/annotations.js";
import { isXmlContentType } from "../payload/content-type.js";

/** The Atom tombstones extension (RFC 6721), which SAP Gateway uses for deleted entries. */
const TOMBSTONES_NAMESPACE = "http://purl.org/atompub/tombstones/1.0";


/** An entity the delta says is gone from the collection. */
export interface RemovedEntity<T = Record<string, unknown>> {
  /** The entity id (`@id`, `@odata.id` or, in 4.0, `id`), as sent. */
  id?: string;
  /** The properties the removed entry carried besides its annotations: in 4.01, its key when there is no id. */
  key?: Partial<T>;
  /** `"deleted"` (the entity no longer exists) or `"changed"` (it no longer matches the query). */
  reason?: "deleted" | "changed";
  /** When it was removed, where the service says (the `when` of an Atom tombstone). */
  removedAt?: string;
}

/** A link added to or removed from a navigation property (`$link` / `$deletedLink` entries). */
export interface LinkChange {
  /** The id of the entity the link starts at. */
  source: string;
  /** The navigation property. */
  relationship: string;
  /** The id of the entity it leads to. */
  target: string;
}

/** One page of a delta response. */
export interface DeltaPage<T> {
  /** Entities added or changed since the delta link was issued (annotations kept, as for reads). */
  changed: T[];
  /** Entities removed from the collection. */
  removed: RemovedEntity<T>[];
  /** Links added between entities. */
  addedLinks: LinkChange[];
  /** Links removed between entities. */
  removedLinks: LinkChange[];
  /** Where the next page of this delta is (absolute), when there is one. */
  nextLink?: string;
  /** On the last page: the delta link to save and read the next changes from. */
  deltaLink?: string;
}

/** Options of `client.delta()`; its `signal` cancels the request in flight and ends the iteration. */
export interface DeltaOptions extends RequestOptions {
  /** Sent as `Prefer: odata.maxpagesize=N` (v4), overriding the client's `maxPageSize`. */
  maxPageSize?: number | undefined;
  /**
   * OData v2 only: ask for Atom instead of JSON. SAP Gateway reports deleted entities only as
   * Atom tombstones (`<at:deleted-entry ref="..." when="..."/>`), not in JSON.
   * @default "json"
   */
  format?: "json" | "atom" | undefined;
}

/**
 * The pages of a delta, starting at a delta link (or a next link inside a delta saved earlier),
 * following next links until the page that carries the new delta link.
 */
export async function* walkDelta<T>(core: ClientCore, link: string, options: DeltaOptions | undefined): AsyncGenerator<DeltaPage<T>, void, undefined> {
  if (typeof link !== "string" || link === "") throw new TypeError("delta(link): link must be a delta link string");
  const signal = toAbortSignal(options?.signal);
  const maxPageSize = options?.maxPageSize;
  if (maxPageSize !== undefined && (!Number.isInteger(maxPageSize) || maxPageSize <= 0)) {
    throw new RangeError(`option "maxPageSize" must be a positive integer; got ${String(maxPageSize)}`);
  }
  const format = options?.format === undefined ? "json" : options.format;
  if (format !== "json" && format !== "atom") throw new TypeError(`option "format" must be "json" or "atom"; got ${JSON.stringify(format)}`);
  if (format === "atom" && core.options.version !== "2.0") throw new TypeError('option "format": "atom" is for OData v2 services only');
  let next: URL | undefined = resolveNextLink(core, link, "delta(link) is a delta link");
  const visited = new RecentLinks();
  while (next) {
    if (signal?.aborted) throw abortReason(signal);
    visited.add(next.href);
    const { page, broken }: { page: DeltaPage<T>; broken: ODataClientError | undefined } = await readDeltaPage<T>(core, next, signal, maxPageSize, format);
    // The page is the caller's before its links are judged: a link that is no URL, or one that may
    // not be followed, ends the walk after it, not in place of it (its changes are not lost).
    yield page;
    if (broken !== undefined) throw broken;
    next = page.nextLink === undefined ? undefined : resolveNextLink(core, page.nextLink);
    if (next && visited.has(next.href)) {
      throw new ODataClientError("NEXT_LINK_LOOP", `the service sent a next link back to a delta page already read (${redactUrl(next)}); stopping instead of looping`);
    }
  }
}

async function readDeltaPage<T>(
  core: ClientCore,
  url: URL,
  signal: AbortSignal | undefined,
  maxPageSize: number | undefined,
  format: "json" | "atom",
): Promise<{ page: DeltaPage<T>; broken: ODataClientError | undefined }> {
  const headers = readHeaders(core, maxPageSize);
  if (format === "atom") headers.set("accept", "application/atom+xml");
  const response = await core.send({ method: "GET", url, headers, signal });
  if (!response.ok) throw await httpErrorOf(response, "GET", url, { signal });
  // Read and parsed whole, JSON or Atom: the bound of an Atom page of a walk.
  const text = await readBodyText(response, "GET", url, signal, ATOM_PAGE_LIMIT);
  const page = await readMasked(response, () =>
    isXmlContentType(response.headers.get("content-type")) ? readAtomDelta<T>(text, `GET ${redactUrl(url)}`) : readJsonDelta<T>(text, url, core.options.version === "2.0"),
  );
  // A link that is no URL is left out of the page, and its error kept for after the page.
  let broken: ODataClientError | undefined;
  for (const name of ["nextLink", "deltaLink"] as const) {
    const link = page[name];
    if (link === undefined) continue;
    try {
      page[name] = absolute(core, link, url);
    } catch (error) {
      delete page[name];
      broken ??= error as ODataClientError;
    }
  }
  return { page, broken };
}

function readJsonDelta<T>(text: string, url: URL, v2: boolean): DeltaPage<T> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)} answered a delta that is not JSON (${(error as Error).message})`);
  }
  return v2 ? readV2Delta<T>(body, url) : readV4Delta<T>(body, url);
}

function absolute(core: ClientCore, link: string, url: URL): string {
  const resolved = resolveReference(core.options.serviceUrl, link);
  if (resolved !== undefined) return resolved.href;
  throw new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)}: the delta carries a link that is not a URL: ${JSON.stringify(clipText(link, 200))}`);
}

/**
 * Reads a v4 delta body (pure). Each entry is classified by what marks it: `@removed` /
 * `@odata.removed` (4.01, and 4.0 services writing the 4.01 form) or a `$deletedEntity` context
 * (4.0) make a removal; a `$link` / `$deletedLink` context a link change; anything else is a changed
 * entity.
 */
export function readV4Delta<T>(body: unknown, url: URL | string): DeltaPage<T> {
  if (!isRecord(body)) throw badDelta(url, "the delta body is not a JSON object");
  const entries = body["value"];
  if (!Array.isArray(entries)) throw badDelta(url, 'the delta body has no "value" array');
  const page: DeltaPage<T> = { changed: [], removed: [], addedLinks: [], removedLinks: [] };
  for (const entry of entries) {
    if (!isRecord(entry)) throw badDelta(url, "a delta entry is not an object");
    const context = stringOf(entry["@context"] ?? entry["@odata.context"]);
    const removedMark = entry["@removed"] ?? entry["@odata.removed"];
    if (removedMark !== undefined || context?.endsWith("$deletedEntity")) {
      page.removed.push(removedEntity<T>(entry, removedMark));
    } else if (context?.endsWith("$link")) {
      page.addedLinks.push(linkChange(entry, url));
    } else if (context?.endsWith("$deletedLink")) {
      page.removedLinks.push(linkChange(entry, url));
    } else {
      page.changed.push(entry as T);
    }
  }
  return withLinks(page, readCollectionAnnotations(body, "v4"));
}

/** Reads a v2 delta body (pure): `d.results` are the changed entities, `d.__delta` the next delta link. */
export function readV2Delta<T>(body: unknown, url: URL | string): DeltaPage<T> {
  const d = isRecord(body) ? body["d"] : undefined;
  const entries = Array.isArray(d) ? d : isRecord(d) ? d["results"] : undefined;
  if (!Array.isArray(entries)) throw badDelta(url, 'the v2 delta body has no "d.results" array');
  const page: DeltaPage<T> = { changed: [], removed: [], addedLinks: [], removedLinks: [] };
  for (const entry of entries) {
    if (!isRecord(entry)) throw badDelta(url, "a delta entry is not an object");
    normalizeV2Entity(entry);
    page.changed.push(entry as T);
  }
  return isRecord(d) ? withLinks(page, readCollectionAnnotations(d, "v2")) : page;
}

/**
 * Reads a v2 Atom delta feed (pure): its entries are the changed entities, its tombstones the
 * removed ones, `<link rel="next">` and `<link rel="delta">` its links (made absolute against the
 * feed's base). A `BAD_PAYLOAD` names `where` first when given (the request whose answer it is).
 */
export function readAtomDelta<T>(text: string, where?: string): DeltaPage<T> {
  const feed = readAtomFeed(text, where);
  const page: DeltaPage<T> = { changed: feed.entities as T[], removed: [], addedLinks: [], removedLinks: [] };
  for (const tombstone of childElements(parseXml(text), TOMBSTONES_NAMESPACE, "deleted-entry")) {
    const removed: RemovedEntity<T> = { reason: "deleted" };
    const ref = attributeValue(tombstone, "", "ref");
    if (ref !== undefined) removed.id = ref;
    const when = attributeValue(tombstone, "", "when");
    if (when !== undefined) removed.removedAt = when;
    page.removed.push(removed);
  }
  return withLinks(page, feed.annotations);
}

/** The page with the next and delta links of the annotations read from its body (a delta page has no count). */
function withLinks<T>(page: DeltaPage<T>, annotations: CollectionAnnotations): DeltaPage<T> {
  if (annotations.nextLink !== undefined) page.nextLink = annotations.nextLink;
  if (annotations.deltaLink !== undefined) page.deltaLink = annotations.deltaLink;
  return page;
}

function removedEntity<T>(entry: Record<string, unknown>, mark: unknown): RemovedEntity<T> {
  const removed: RemovedEntity<T> = {};
  const id = stringOf(entry["@id"] ?? entry["@odata.id"] ?? (mark === undefined ? entry["id"] : undefined));
  if (id !== undefined) removed.id = id;
  const reason = isRecord(mark) ? mark["reason"] : entry["reason"];
  if (reason === "deleted" || reason === "changed") removed.reason = reason;
  const key: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(entry)) {
    if (name.includes("@") || name.startsWith("odata.")) continue;
    // The 4.0 form's own members.
    if (mark === undefined && (name === "id" || name === "reason")) continue;
    // Defined, not assigned: a member named "__proto__" would set the key's prototype to what the
    // service sent; so it stays a property, as JSON.parse made it.
    Object.defineProperty(key, name, { value, writable: true, enumerable: true, configurable: true });
  }
  if (Object.keys(key).length > 0) removed.key = key as Partial<T>;
  return removed;
}

function linkChange(entry: Record<string, unknown>, url: URL | string): LinkChange {
  const source = stringOf(entry["source"]);
  const relationship = stringOf(entry["relationship"]);
  const target = stringOf(entry["target"]);
  if (source === undefined || relationship === undefined || target === undefined) {
    throw badDelta(url, "a link entry lacks source, relationship or target");
  }
  return { source, relationship, target };
}

function badDelta(url: URL | string, what: string): ODataClientError {
  return new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)}: ${what}`);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

