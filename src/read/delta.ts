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
import { maskSentSecrets, readMasked } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { ODataClientError } from "../errors.js";
import { httpErrorOf } from "../payload/failed-answer.js";
import { abortReason, toAbortSignal } from "../http/signals.js";
import type { RequestOptions } from "../options.js";
import { ATOM_PAGE_LIMIT, readAtomFeed } from "../payload/atom.js";
import { readAnswerText } from "../payload/http-envelope.js";
import { readHeaders, RecentLinks, resolveNextLink, resolveReadOptions } from "./traversal.js";
import { nextLinkLoop, withVersionHint } from "./payload-failure.js";
import { normalizeV2Entity } from "../payload/v2-values.js";
import { attributeValue, childElements, parseXml } from "../payload/xml.js";
import { describe, isRecord, refuseUnknownOptions, type OptionNames } from "../util/values.js";
import { clipText, redactUrl, SENT_SECRETS } from "../util/redact.js";
import { resolveReference } from "../util/service-root.js";
import { COLLECTION_ANNOTATIONS, dropResponseAnnotations, readCollectionAnnotations, type CollectionAnnotations } from "../payload/annotations.js";
import { isHtmlContentType, isXmlContentType } from "../payload/content-type.js";
import { entitiesOf, expansionsOfUrl, holdsEntities, markExpanded, MAX_RECOGNISED_DEPTH, mergeExpansions } from "../payload/expanded.js";
import type { ExpandItem } from "../query/state.js";
import { splitOutside } from "../util/split-outside.js";

/** The Atom tombstones extension (RFC 6721), which SAP Gateway uses for deleted entries. */
const TOMBSTONES_NAMESPACE = "http://purl.org/atompub/tombstones/1.0";


/** An entity the delta says is gone from the collection. */
export interface RemovedEntity<T = Record<string, unknown>> {
  /** The entity id (`@id`, `@odata.id` or, in 4.0, `id`), as sent. */
  id?: string;
  /**
   * The properties the removed entry carried besides its annotations: in 4.01, its key when there
   * is no id. They are a `T`'s unless `context` names another entity set or `parent` says it was
   * removed through a navigation property.
   */
  key?: Partial<T>;
  /** `"deleted"` (the entity no longer exists) or `"changed"` (it no longer matches the query). */
  reason?: "deleted" | "changed";
  /** When it was removed, where the service says (the `when` of an Atom tombstone). */
  removedAt?: string;
  /**
   * The context URL the removed entry carried (`@context`, `@odata.context`), as sent:
   * `#Orders/$deletedEntity` says it is an entity of `Orders`, not of the delta's entity set (OData
   * 4.01 JSON Format §15.3), which matters most when only its key is given. 4.0's `$deletedEntity`
   * entries always carry one; absent when the entry is of the delta's own entity set.
   */
  context?: string;
  /**
   * The removal's instance annotations, by name as sent, values as parsed: those inside 4.01's
   * `@removed` (`{ "reason": "deleted", "@myannotation.deletedBy": "Mario" }`) and those of the
   * entry itself (where 4.0's `$deletedEntity` has them); absent when it has none.
   */
  annotations?: Record<string, unknown>;
  /**
   * Where an entity deleted inside a 4.01 nested delta was given (JSON Format 4.01 §15.2: a changed
   * customer's `"Orders@delta": [{ "@removed": { "reason": "deleted" }, "OrderID": 10700 }]` says
   * the order is deleted): the entity whose nested delta named it (one of the page's `changed`, or
   * an entity in its nested delta) and the navigation property. Only such deletions are taken out
   * of a nested delta as entities; see {@link DeltaEntityControl} for the rest of it, and for the
   * links it gives in `addedLinks` and `removedLinks`.
   */
  parent?: { entity: Record<string, unknown>; navigation: string };
}

/** A link added to or removed from a navigation property (`$link` / `$deletedLink` entries). */
export interface LinkChange {
  /** The id of the entity the link starts at. */
  source: string;
  /** The navigation property. */
  relationship: string;
  /** The id of the entity it leads to (a removed link of a single-valued navigation property may leave it out). */
  target: string;
}

/**
 * The control information a changed entity of a delta may carry, as sent (4.0 names with
 * `odata.`, 4.01 names without).
 */
export interface DeltaEntityControl {
  /** The entity's id; in minimal metadata left out where the key properties give it. */
  "@odata.id"?: string;
  /** The entity's id (OData 4.01). */
  "@id"?: string;
  /**
   * The context URL of an entity of another entity set than the delta's (`#Orders/$entity`): its
   * properties are that entity's, not a `T`'s.
   */
  "@odata.context"?: string;
  /** The context URL of an entity of another entity set (OData 4.01). */
  "@context"?: string;
  /** The entity's ETag. */
  "@odata.etag"?: string;
  /** The entity's ETag (OData 4.01). */
  "@etag"?: string;
  /**
   * A 4.01 nested delta of a navigation property (`Orders@delta`, JSON Format 4.01 §15.2), kept as
   * sent: the related entities added to the relationship or changed (whole, in part, or as a bare
   * `{ "@id": ... }` reference), and those removed from it, marked `@removed`: with reason
   * `"changed"` (or none) removed from the relationship only, with reason `"deleted"` deleted,
   * and those the page also gives in `removed` (with `parent` saying where). Where this entity and
   * a related one carry an id (`@id`, `@odata.id`), the page also gives the link between them in
   * `addedLinks` (added or changed: the entity is in the relationship now, perhaps as before) or
   * `removedLinks` (removed from the relationship only); one given by its keys alone makes no link.
   */
  [nestedDelta: `${string}@delta`]: Record<string, unknown>[] | undefined;
  /** A nested delta under 4.0's prefixed name (`Orders@odata.delta`), as `Orders@delta`. */
  [nestedDelta: `${string}@odata.delta`]: Record<string, unknown>[] | undefined;
}

/**
 * An entity a delta says was added or changed. A changed entity may carry only the properties that
 * changed (with its id or key, OData 4.01 JSON Format §15.2), so each property of `T` may be
 * missing; one with a context URL of its own (`@context`, `@odata.context`) is an entity of
 * another entity set, whose properties are not `T`'s at all. Merge it into what you hold rather
 * than replacing it.
 * @example
 * for (const book of page.changed) {
 *   if (book["@context"] ?? book["@odata.context"]) continue; // an entity of another set
 *   if (book.title !== undefined) titles.set(book.ID, book.title.toUpperCase());
 * }
 */
export type ChangedEntity<T> = Partial<T> & DeltaEntityControl;

/** One page of a delta response. */
export interface DeltaPage<T> {
  /**
   * Entities added or changed since the delta link was issued (annotations kept, as for reads):
   * each may carry only what changed, see {@link ChangedEntity}.
   */
  changed: ChangedEntity<T>[];
  /** Entities removed from the collection. */
  removed: RemovedEntity<T>[];
  /**
   * Links added between entities: a 4.0 delta's `$link` entries, and in a 4.01 nested delta, the
   * related entities added or changed where both ends carry an id (see {@link DeltaEntityControl}).
   */
  addedLinks: LinkChange[];
  /**
   * Links removed between entities: a 4.0 delta's `$deletedLink` entries, and in a 4.01 nested
   * delta, the related entities only taken out of the relationship where both ends carry an id.
   * One of a single-valued navigation property may come without `target` (OData 4.01 JSON Format
   * §15.5): the source's link through it is gone, whatever it led to.
   */
  removedLinks: (Omit<LinkChange, "target"> & { target?: string })[];
  /** Where the next page of this delta is (absolute), when there is one. */
  nextLink?: string;
  /**
   * The count the service sent (`@odata.count`, `@count`, v2 `__count`, Atom `<m:count>`), read as
   * a page's is: of all the added, changed and removed entities and added and removed links of the
   * delta, not of this page (OData 4.01 JSON Format §15.1); absent when it sent none.
   */
  count?: number;
  /** On the last page: the delta link to save and read the next changes from. */
  deltaLink?: string;
  /**
   * The delta's other instance annotations, as a collection page's (`Page.annotations`): by name
   * as sent, values as parsed; absent when it has none. The count, the links and `@odata.context`
   * are not among them, nor, in the delta of a single entity, that entity's own annotations.
   */
  annotations?: Record<string, unknown>;
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
  /**
   * More headers for this delta, sent with each of its requests (the delta link's, and those of
   * the next links inside it), checked and joined to the read's own as a read's `headers`
   * are: lower-case names win over `Accept`, a `Prefer` joins `odata.maxpagesize`.
   * @example { "X-Tenant": "t1" }
   */
  headers?: Record<string, string> | undefined;
}

/** The options `delta()` takes, by name: any other is refused (refuseUnknownOptions), as a read's are. */
const DELTA_OPTIONS = { signal: 1, timeout: 1, onResponse: 1, maxPageSize: 1, format: 1, headers: 1 } satisfies OptionNames<DeltaOptions>;

/**
 * The pages of a delta, starting at a delta link (or a next link inside a delta saved earlier),
 * following next links until the page that carries the new delta link.
 */
export async function* walkDelta<T>(core: ClientCore, link: string, options: DeltaOptions | undefined): AsyncGenerator<DeltaPage<T>, void, undefined> {
  if (typeof link !== "string" || link === "") throw new TypeError("delta(link): link must be a delta link string");
  // `client.delta()`'s options as the caller gave them: the check of its public boundary.
  refuseUnknownOptions(options, DELTA_OPTIONS, "delta(link)");
  const format = options?.format === undefined ? "json" : options.format;
  if (format !== "json" && format !== "atom") throw new TypeError(`delta(link): option "format" must be "json" or "atom"; got ${JSON.stringify(format)}`);
  if (format === "atom" && core.options.version !== "2.0") throw new TypeError('delta(link): option "format": "atom" is for OData v2 services only');
  // The options a read takes are checked as a read's are, in the same words.
  const { signal, timeout, maxPageSize, headers, onResponse } = await resolveReadOptions(
    { signal: options?.signal, timeout: options?.timeout, maxPageSize: options?.maxPageSize, headers: options?.headers, onResponse: options?.onResponse },
    "delta(link)",
  );
  let next: URL | undefined = resolveNextLink(core, link, "delta(link) is a delta link", true);
  const visited = new RecentLinks();
  const v2 = core.options.version === "2.0";
  // A next link inside a delta may leave the query out (its skip token holds it): the `$expand` of
  // the links before it still says what the pages expand.
  let expand: ExpandItem[] | undefined;
  while (next) {
    if (signal?.aborted) throw abortReason(signal);
    visited.add(next.href);
    expand = expansionsOfUrl(next, v2) ?? expand;
    const { page, broken }: { page: DeltaPage<T>; broken: ODataClientError | undefined } = await readDeltaPage<T>(core, next, signal, timeout, maxPageSize, format, expand, headers, onResponse);
    // The page is the caller's before its links are judged: a link that is no URL, or one that may
    // not be followed, ends the walk after it, not in place of it (its changes are not lost).
    yield page;
    if (broken !== undefined) throw broken;
    next = page.nextLink === undefined ? undefined : resolveNextLink(core, page.nextLink);
    if (next && visited.has(next.href)) {
      throw nextLinkLoop(next, "a delta page");
    }
  }
}

async function readDeltaPage<T>(
  core: ClientCore,
  url: URL,
  signal: AbortSignal | undefined,
  timeout: number | undefined,
  maxPageSize: number | undefined,
  format: "json" | "atom",
  expand: readonly ExpandItem[] | undefined,
  given: Record<string, string> | undefined,
  onResponse: DeltaOptions["onResponse"],
): Promise<{ page: DeltaPage<T>; broken: ODataClientError | undefined }> {
  const headers = readHeaders(core, maxPageSize, false, given);
  // Atom is what the caller asked for with `format`: it wins over an `Accept` among the headers.
  if (format === "atom") headers.set("accept", "application/atom+xml");
  const response = await core.send({ method: "GET", url, headers, signal, timeout, onResponse });
  if (!response.ok) throw await httpErrorOf(response, "GET", url, { signal });
  if (response.status === 202) throw await (await import("./pending-read.js")).pendingReadError(response, url);
  // Read and parsed whole, JSON or Atom: the bound of an Atom page of a walk.
  const contentType = response.headers.get("content-type");
  const text = await readAnswerText(response, "GET", url, signal, ATOM_PAGE_LIMIT);
  const page = await readMasked(response, () => {
    if (isXmlContentType(contentType)) return readAtomDelta<T>(text, `GET ${redactUrl(url)}`, expand);
    try {
      return readJsonDelta<T>(text, url, core.options.version === "2.0", contentType, expand);
    } catch (error) {
      // A delta of the other OData version has not the members looked for: the headers say why.
      throw withVersionHint(error, response.headers, core.options.version);
    }
  });

  // A link that is no URL is left out of the page, and its error kept for after the page.
  let broken: ODataClientError | undefined;
  for (const name of ["nextLink", "deltaLink"] as const) {
    const link = page[name];
    if (link === undefined) continue;
    try {
      page[name] = absolute(core, link, url);
    } catch (error) {
      delete page[name];
      // It quotes the link, in which a service may echo a secret the request carried.
      broken ??= (await maskSentSecrets(error, SENT_SECRETS.get(response))) as ODataClientError;
    }
  }
  return { page, broken };
}

function readJsonDelta<T>(text: string, url: URL, v2: boolean, contentType: string | null, expand: readonly ExpandItem[] | undefined): DeltaPage<T> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    // As a walk's page says it (read/traversal.ts): a sign-in or proxy page is said to be one, and
    // not quoted; JSON labelled text/html is read as JSON.
    const what = isHtmlContentType(contentType) ? `with an HTML page (${clipText(contentType ?? "", 100)}), not a delta` : `a delta that is not JSON (${(error as Error).message})`;
    throw new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)} answered ${what}`, { cause: error });
  }
  return v2 ? readV2Delta<T>(body, url, expand) : readV4Delta<T>(body, url, expand);
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
 * entity. The values a changed entity holds because the delta's query expanded them are marked
 * as a read's are (see {@link markDeltaExpansions}); `expand` is the `$expand` of the delta's URL.
 * The delta of a single entity (JSON Format 4.01 §15.1, context `…/$entity/$delta`) is no
 * collection but that entity, changed or removed, with the delta link among its members: it is
 * read as a page of that one entry.
 */
export function readV4Delta<T>(body: unknown, url: URL | string, expand?: readonly ExpandItem[]): DeltaPage<T> {
  if (!isRecord(body)) throw badDelta(url, "the delta body is not a JSON object");
  const bodyContext = stringOf(body["@context"] ?? body["@odata.context"]);
  const single = ENTITY_CONTEXT.test(bodyContext ?? "") || (body["@removed"] ?? body["@odata.removed"]) !== undefined;
  const entries = single ? [deltaEntity(body)] : body["value"];
  if (!Array.isArray(entries)) throw badDelta(url, 'the delta body has no "value" array');
  const page: DeltaPage<T> = { changed: [], removed: [], addedLinks: [], removedLinks: [] };
  const bodyExpansions = mergeExpansions(expand ?? [], contextExpansions(bodyContext));
  for (const entry of entries) {
    if (!isRecord(entry)) throw badDelta(url, "a delta entry is not an object");
    // A single entity's context is the body's, which its copy leaves out (as a read's entity does).
    const context = single ? bodyContext : stringOf(entry["@context"] ?? entry["@odata.context"]);
    const removedMark = entry["@removed"] ?? entry["@odata.removed"];
    if (removedMark !== undefined || context?.endsWith("$deletedEntity")) {
      // A single entity's `…/$entity/$delta` context is the delta's own: no other set to tell (4.0's
      // `…/$deletedEntity` is kept, as for an entry of a collection's delta).
      const own = single && !context?.endsWith("$deletedEntity");
      page.removed.push(removedEntity<T>(entry, removedMark, own ? undefined : context));
    } else if (context?.endsWith("$link")) {
      page.addedLinks.push(linkChange(entry, url));
    } else if (context?.endsWith("$deletedLink")) {
      page.removedLinks.push(linkChange(entry, url, true));
    } else {
      // An entry with a context of its own is of another entity set: the delta's query is not its.
      markDeltaExpansions(entry, single || context === undefined ? bodyExpansions : contextExpansions(context));
      page.changed.push(entry as ChangedEntity<T>);
      nestedChanges(entry, page);
    }
  }
  const annotations = annotationsOf(body, "v4", url);
  // A single entity's delta is that entity: the body's annotations are the entity's, not the page's.
  if (single) delete annotations.others;
  return withAnnotations(page, annotations);
}

/** The context of a single entity's delta: `#Customers/$entity/$delta`, or of its deleted entity (4.0). */
const ENTITY_CONTEXT = /\/\$(?:entity(?:\/\$delta)?|deletedEntity)$/;

/** The entity a single entity's delta is: its body without what describes the response (its context, the links the page takes). */
function deltaEntity(body: Record<string, unknown>): Record<string, unknown> {
  // Spread, not assigned: a member named "__proto__" stays an own property, as JSON.parse made it.
  const entity = dropResponseAnnotations({ ...body });
  for (const name of Object.keys(entity)) {
    const link = COLLECTION_ANNOTATIONS.v4[name];
    if (link === "deltaLink" || link === "nextLink") delete entity[name];
  }
  return entity;
}

/** Reads a v2 delta body (pure): `d.results` are the changed entities, `d.__delta` the next delta link. */
export function readV2Delta<T>(body: unknown, url: URL | string, expand?: readonly ExpandItem[]): DeltaPage<T> {
  const d = isRecord(body) ? body["d"] : undefined;
  const entries = Array.isArray(d) ? d : isRecord(d) ? d["results"] : undefined;
  if (!Array.isArray(entries)) throw badDelta(url, 'the v2 delta body has no "d.results" array');
  const page: DeltaPage<T> = { changed: [], removed: [], addedLinks: [], removedLinks: [] };
  for (const entry of entries) {
    if (!isRecord(entry)) throw badDelta(url, "a delta entry is not an object");
    normalizeV2Entity(entry);
    markDeltaExpansions(entry, expand ?? []);
    page.changed.push(entry as ChangedEntity<T>);
  }
  return isRecord(d) ? withAnnotations(page, annotationsOf(d, "v2", url)) : page;
}

/**
 * Reads a v2 Atom delta feed (pure): its entries are the changed entities, its tombstones the
 * removed ones, `<link rel="next">` and `<link rel="delta">` its links (made absolute against the
 * feed's base). A `BAD_PAYLOAD` names `where` first when given (the request whose answer it is).
 */
export function readAtomDelta<T>(text: string, where?: string, expand?: readonly ExpandItem[]): DeltaPage<T> {
  const feed = readAtomFeed(text, where);
  for (const entity of feed.entities) markDeltaExpansions(entity, expand ?? []);
  const page: DeltaPage<T> = { changed: feed.entities as ChangedEntity<T>[], removed: [], addedLinks: [], removedLinks: [] };
  for (const tombstone of childElements(parseXml(text), TOMBSTONES_NAMESPACE, "deleted-entry")) {
    const removed: RemovedEntity<T> = { reason: "deleted" };
    const ref = attributeValue(tombstone, "", "ref");
    if (ref !== undefined) removed.id = ref;
    const when = attributeValue(tombstone, "", "when");
    if (when !== undefined) removed.removedAt = when;
    page.removed.push(removed);
  }
  return withAnnotations(page, feed.annotations);
}

/** The page with the links, the count and the other annotations read from its body. */
function withAnnotations<T>(page: DeltaPage<T>, annotations: CollectionAnnotations): DeltaPage<T> {
  if (annotations.nextLink !== undefined) page.nextLink = annotations.nextLink;
  if (annotations.count !== undefined) page.count = annotations.count;
  if (annotations.deltaLink !== undefined) page.deltaLink = annotations.deltaLink;
  if (annotations.others) page.annotations = annotations.others;
  return page;
}

/** A removed entry, `mark` its `@removed` (undefined in 4.0's form), `context` the context URL it has (its own, or a single entity's delta's). */
function removedEntity<T>(entry: Record<string, unknown>, mark: unknown, context: string | undefined): RemovedEntity<T> {
  const removed: RemovedEntity<T> = {};
  const id = stringOf(entry["@id"] ?? entry["@odata.id"] ?? (mark === undefined ? entry["id"] : undefined));
  if (id !== undefined) removed.id = id;
  const reason = isRecord(mark) ? mark["reason"] : entry["reason"];
  if (reason === "deleted" || reason === "changed") removed.reason = reason;
  if (context !== undefined) removed.context = context;
  const annotations = instanceAnnotations(entry, instanceAnnotations(isRecord(mark) ? mark : {}));
  if (annotations !== undefined) removed.annotations = annotations;
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

/**
 * The instance annotations among `object`'s members (`@ns.term`, a qualified name after the `@`),
 * not its control information (`@odata.*`, 4.01's `@id`, `@context`, `@removed` ...), added to
 * `into` (whose members win); undefined when there are none.
 */
function instanceAnnotations(object: Record<string, unknown>, into?: Record<string, unknown>): Record<string, unknown> | undefined {
  let annotations = into;
  for (const [name, value] of Object.entries(object)) {
    if (!name.startsWith("@") || !name.includes(".") || name.startsWith("@odata.")) continue;
    annotations ??= {};
    // A name with "@" is never "__proto__", so assigning it makes a property of that name.
    if (!Object.hasOwn(annotations, name)) annotations[name] = value;
  }
  return annotations;
}

/**
 * What the 4.01 nested deltas of `entity` (`Orders@delta`, at every depth) change, added to `page`
 * (JSON Format 4.01 §15.2): an entity removed with reason `"deleted"` is deleted, and goes to
 * `removed` with the entity and navigation property it was given under. Where `entity` and the
 * related entity carry an id (`@id`, `@odata.id`), the link between them is a link change too, as
 * a 4.0 delta would send it: a related entity added or changed (an upsert into the relationship) is
 * an added link, and one only taken out of it (reason `"changed"`, or none) a removed link. A
 * nested delta that gives keys alone makes none: an id made from keys takes their names from the
 * model, which a delta does not read.
 */
function nestedChanges<T>(entity: Record<string, unknown>, page: DeltaPage<T>, depth = 0): void {
  if (depth >= MAX_RECOGNISED_DEPTH) return;
  const source = stringOf(entity["@id"] ?? entity["@odata.id"]);
  for (const name of Object.keys(entity)) {
    const entries = entity[name];
    if (!NESTED_DELTA.test(name) || !Array.isArray(entries)) continue;
    const relationship = name.replace(NESTED_DELTA, "");
    for (const entry of entries) {
      if (!isRecord(entry)) continue;
      const mark = entry["@removed"] ?? entry["@odata.removed"];
      const target = stringOf(entry["@id"] ?? entry["@odata.id"]);
      const deleted = isRecord(mark) && mark["reason"] === "deleted";
      if (source !== undefined && target !== undefined) {
        if (mark === undefined) page.addedLinks.push({ source, relationship, target });
        else if (isRecord(mark) && !deleted) page.removedLinks.push({ source, relationship, target });
      }
      if (mark === undefined) {
        nestedChanges(entry, page, depth + 1);
        continue;
      }
      if (!deleted) continue;
      const gone = removedEntity<T>(entry, mark, stringOf(entry["@context"] ?? entry["@odata.context"]));
      gone.parent = { entity, navigation: relationship };
      page.removed.push(gone);
    }
  }
}

/** An added link (`target` required), or with `removed` a deleted one, which may lack it. */
function linkChange(entry: Record<string, unknown>, url: URL | string): LinkChange;
function linkChange(entry: Record<string, unknown>, url: URL | string, removed: true): DeltaPage<unknown>["removedLinks"][number];
function linkChange(entry: Record<string, unknown>, url: URL | string, removed = false): DeltaPage<unknown>["removedLinks"][number] {
  const source = stringOf(entry["source"]);
  const relationship = stringOf(entry["relationship"]);
  const target = stringOf(entry["target"]);
  // A deleted link of a single-valued navigation property may leave out its target, which the
  // source and relationship name already (JSON Format 4.01 §15.5); a target sent must be an id.
  if (source === undefined || relationship === undefined || (target === undefined && !(removed && entry["target"] == null))) {
    const missing = ["source", "relationship", ...(removed ? [] : ["target"])].filter((name) => stringOf(entry[name]) === undefined);
    const badTarget = entry["target"] != null && target === undefined ? `has for its target ${describe(entry["target"])}, which is no id` : "";
    throw badDelta(url, `a ${removed ? "deleted link" : "link entry"} ${[missing.length > 0 ? `lacks ${missing.join(" and ")}` : "", badTarget].filter(Boolean).join(", and ")}`);
  }
  return target === undefined ? { source, relationship } : { source, relationship, target };
}

function badDelta(url: URL | string, what: string, cause?: unknown): ODataClientError {
  return new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)}: ${what}`, cause === undefined ? undefined : { cause });
}

/** The collection annotations of a delta body; one that is malformed is said as a page's is, naming the request. */
function annotationsOf(object: Record<string, unknown>, format: "v4" | "v2", url: URL | string): CollectionAnnotations {
  try {
    return readCollectionAnnotations(object, format);
  } catch (error) {
    throw badDelta(url, (error as Error).message, error);
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}


/*
 * What a delta page expanded. A write leaves out what a read expanded (payload/expanded.ts): a
 * changed entity written back with its expanded reviews is a deep update, which a service such as
 * SAP CAP takes as "these are all the reviews now". A read knows its `$expand` from the query; a
 * delta link is the service's, and the query it stands for is known only by what the service says:
 *
 * 1. The link's own `$expand`. Services that keep the query in the link (CAP-style
 *    `Books?$expand=reviews&$deltatoken=2`, ASP.NET, Olingo, Dataverse) repeat the original
 *    request's options there, and the service answers by them. A next link inside a delta that
 *    leaves them out keeps those of the link before it.
 * 2. The context URL's select list: an expanded navigation property appears in it followed by
 *    parentheses, `$metadata#Books(reviews())/$delta` (always in 4.01, with a nested select or
 *    expand in 4.0). This works for opaque links (`Books?$deltatoken=abc`, the query kept at the
 *    service).
 * 3. The values themselves: a nested object that carries an entity's control information (an id,
 *    an ETag, an edit or read link, v2's `__metadata.uri`), or an array with one such object among
 *    its members, holds related entities, never complex values (`holdsEntities`, the very rule a
 *    write's answer is marked by, so that the two leave out the same values); and a 4.01 nested
 *    delta (`reviews@delta`) exists for navigation properties only.
 *
 * Each source only ever names navigation properties, so they are joined. What is not marked is
 * written as any property: complex values and collections of them are, as they must be. Treating
 * every nested object as expanded would have dropped them (a `PUT` would reset them, an edit made
 * in place would be lost). Left unrecognised: a related entity with no control information
 * (minimal metadata) that an opaque 4.0 link expanded without its context URL saying so.
 */

/**
 * The navigation properties a context URL's select list names as expanded (those followed by
 * parentheses): `$metadata#Books(ID,reviews(rating,author()))/$delta` gives `reviews` and, below it,
 * `author`. A context without a select list, or whose parentheses are a key, gives none.
 */
function contextExpansions(context: string | undefined): ExpandItem[] {
  const hash = context?.indexOf("#") ?? -1;
  if (context === undefined || hash < 0) return [];
  const fragment = context.slice(hash + 1).replace(/(?:\/\$entity)?(?:\/\$delta)?$/, "");
  if (!fragment.endsWith(")")) return [];
  let depth = 0;
  let open = fragment.length - 1;
  for (; open >= 0; open--) {
    const char = fragment[open];
    if (char === ")") depth++;
    else if (char === "(" && --depth === 0) break;
  }
  return open < 0 ? [] : (selectListExpansions(fragment.slice(open + 1, -1)) ?? []);
}

/** A select list's expanded items; `undefined` when it is no select list (a key such as `('ALFKI')`). */
function selectListExpansions(list: string, depth = 0): ExpandItem[] | undefined {
  const items: ExpandItem[] = [];
  if (list === "" || depth >= MAX_RECOGNISED_DEPTH) return items;
  for (const part of splitOutside(list, ",")) {
    const open = part.indexOf("(");
    const path = open < 0 ? part : part.slice(0, open);
    if (!/^(?:\*|[A-Za-z_][\w.]*(?:\/[A-Za-z_][\w.]*)*)$/.test(path)) return undefined;
    if (open < 0) continue;
    if (!part.endsWith(")")) return undefined;
    const nested = selectListExpansions(part.slice(open + 1, -1), depth + 1);
    if (nested === undefined) return undefined;
    items.push({ path, options: nested.length > 0 ? { expand: nested } : {} });
  }
  return items;
}

/** A 4.01 nested delta of a navigation property (`reviews@delta`). */
const NESTED_DELTA = /@(?:odata\.)?delta$/;

/** The members of `entity` that are related entities by their own look (source 3 above), at every depth. */
function recognisedExpansions(entity: Record<string, unknown>, depth = 0): ExpandItem[] {
  let items: ExpandItem[] = [];
  // Expansions nest a few levels in practice; a hostile body, link or context nested thousands
  // deep must not overflow the stack (its deeper levels are then written as they are).
  if (depth >= MAX_RECOGNISED_DEPTH) return items;
  for (const name of Object.keys(entity)) {
    const value = entity[name];
    if (!NESTED_DELTA.test(name) && !holdsEntities(value)) continue;
    let nested: ExpandItem[] = [];
    for (const record of entitiesOf(value)) nested = mergeExpansions(nested, recognisedExpansions(record, depth + 1));
    items = mergeExpansions(items, [{ path: name, options: nested.length > 0 ? { expand: nested } : {} }]);
  }
  return items;
}

/** Marks what `expand` (the delta's URL and context) and the entity's own values say were expanded. */
function markDeltaExpansions(entity: unknown, expand: readonly ExpandItem[]): void {
  if (isRecord(entity)) markExpanded(entity, mergeExpansions(expand, recognisedExpansions(entity)));
}
