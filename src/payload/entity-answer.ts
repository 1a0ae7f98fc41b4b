/**
 * The one rule for what an entity (or operation result) returned by the library carries:
 * - the annotations that belong to it stay: `@odata.etag`, `@odata.type`, `@odata.id`, links,
 *   v2 `__metadata`, and the `ETag` header of a single-entity answer, kept where `etagOf` reads it;
 * - what describes the response rather than the entity goes: `@odata.context` and
 *   `@odata.metadataEtag` (4.01 `@context`, `@metadataEtag`). A page's items never carried them
 *   (they sit on the collection), and now neither does an entity read alone, a write's answer, an
 *   operation's result, a `$batch` result or a long-running operation's result.
 */
import type { ODataVersion } from "../options.js";
import { describe, isRecord } from "../util/values.js";
import { badPayload } from "./bad-payload.js";
import { dropResponseAnnotations } from "./annotations.js";
import { isHtmlContentType, isXmlContentType } from "./content-type.js";
import { clipText } from "../util/redact.js";
import { normalizeV2Entity, setMetadata } from "./v2-values.js";
import { markReturnedEntities } from "./expanded.js";

/**
 * Keeps an `ETag` header with the entity where `etagOf` and the writing layer look for it, unless
 * the body carried one: `@odata.etag` (v4) or `__metadata.etag` (v2; SAP CAP's v2 adapter, for
 * one, sends the ETag of an Atom entry only as a header).
 */
export function keepEtagHeader(entity: unknown, etag: string | null, v2: boolean): void {
  if (!etag || !isRecord(entity)) return;
  if (!v2) {
    if (entity["@odata.etag"] === undefined && entity["@etag"] === undefined) entity["@odata.etag"] = etag;
    return;
  }
  const metadata = entity["__metadata"];
  if (metadata === undefined) setMetadata(entity, { etag });
  else if (isRecord(metadata) && metadata["etag"] === undefined) metadata["etag"] = etag;
}

/** An answer whose body holds one entity: a read of it, a write's answer, a `$batch` part. */
export interface EntityAnswer {
  /** The body text. */
  body: string;
  /** The answer's `Content-Type`: Atom or other XML is read as an Atom entry, anything else as JSON. */
  contentType: string | null;
  /** The answer's `ETag` header, kept with the entity where its body carries none. */
  etag: string | null;
}

/** Reads the entity of an Atom entry document (payload/atom.ts `readAtomEntry`). */
export type AtomEntryReader = (text: string, where?: string) => unknown;

/**
 * The Atom entry reader when `contentType` is XML, loaded then (with the XML parser under it);
 * `undefined` for anything else. For callers that can wait, so that JSON answers never load it.
 */
export async function atomReaderFor(contentType: string | null): Promise<AtomEntryReader | undefined> {
  return isXmlContentType(contentType) ? (await import("./atom.js")).readAtomEntry : undefined;
}

/**
 * Whether the answer to a GET of a single-valued navigation property says that no entity is
 * related: `204 No Content` (OData v4, and v2 services such as SAP CAP's adapter), or v2's
 * `{"d": null}`.
 */
export function relatesNoEntity(body: string, version: ODataVersion): boolean {
  const text = body.trim();
  return text === "" || (version === "2.0" && /^\{\s*"d"\s*:\s*null\s*\}$/.test(text));
}

/**
 * The entity in an answer's body, by the rule of this module: Atom or JSON, v2's `d` (and a lone
 * `results`) unwrapped and its values made readable (`normalizeV2Entity`), the `ETag` header kept
 * with it, the response's `@odata.context` left out. An empty body gives `undefined`. A body that
 * is not JSON, or not one entity object, is `BAD_PAYLOAD`, its message starting with `where`
 * (`GET https://...`) when given.
 * An Atom body is read by `readAtomEntry`, which the caller gives (`atomReaderFor` loads it).
 * @example readEntityAnswer({ body: '{"d":{"ID":1}}', contentType: "application/json", etag: 'W/"1"' }, "2.0", undefined, undefined) // { ID: 1, __metadata: { etag: 'W/"1"' } }
 */
export function readEntityAnswer(
  answer: EntityAnswer,
  version: ODataVersion,
  where: string | undefined,
  readAtomEntry: AtomEntryReader | undefined,
): Record<string, unknown> | undefined {
  return readAnswer(answer, version, where, readAtomEntry, false);
}

/**
 * The entity a write (`create`, `update`, `replace`, `upsert`, alone or in a `$batch`) answered
 * with, read as {@link readEntityAnswer} reads one, a collection's wrapper (`{"value":[...]}`)
 * refused as `BAD_PAYLOAD` as well, and the related entities it holds (a deep insert's) remembered
 * (`markReturnedEntities`), so that writing the answer back leaves them out as it leaves out what
 * a read expanded.
 * @example readWriteAnswer({ body: '{"ID":1,"reviews":[{"@odata.id":"Reviews(2)","ID":2}]}', contentType: "application/json", etag: null }, "4.0", "POST https://host/svc/Books", undefined) // { ID: 1, reviews: [{ "@odata.id": "Reviews(2)", ID: 2 }] }, whose reviews update({ ...it }) leaves out
 */
export function readWriteAnswer(
  answer: EntityAnswer,
  version: ODataVersion,
  where: string | undefined,
  readAtomEntry: AtomEntryReader | undefined,
): Record<string, unknown> | undefined {
  const entity = readAnswer(answer, version, where, readAtomEntry, true);
  markReturnedEntities(entity);
  return entity;
}

function readAnswer(
  answer: EntityAnswer,
  version: ODataVersion,
  where: string | undefined,
  readAtomEntry: AtomEntryReader | undefined,
  write: boolean,
): Record<string, unknown> | undefined {
  const v2 = version === "2.0";
  if (answer.body.trim() === "") return undefined;
  let entity: unknown;
  if (isXmlContentType(answer.contentType)) {
    if (readAtomEntry === undefined) throw new TypeError("readEntityAnswer: an Atom answer needs the Atom entry reader (see atomReaderFor)");
    entity = readAtomEntry(answer.body, where);
  } else {
    entity = parseJsonAnswer(answer.body, answer.contentType, where, "an entity");
    if (v2) entity = v2EntityOf(entity);
  }
  // Every answer read here is one entity: an array, a primitive or null is no answer to it, nor is,
  // to a write, a collection's wrapper (a redirected write's GET landing on an entity set, a
  // service answering a write with the set it changed), which is an object but would pass for an
  // entity of one member. A read still takes such an answer as it came (the check is kept to writes:
  // a key read that a service answers with its set's wrapper was read so before writes were checked).
  if (!isRecord(entity) || (write && isCollectionWrapper(entity, v2))) {
    const got = isRecord(entity) ? (v2 ? 'a collection, {"d":{"results":[...]}}' : 'a collection, {"value":[...]}') : describe(entity);
    throw badPayload(`${where === undefined ? "the answer is not an entity object" : `${where} did not answer with an entity object`} (got ${got})`);
  }
  return withEntityAnnotations(entity, answer.etag, v2);
}

/**
 * Whether a parsed answer is a collection's wrapper rather than an entity: v4 `value` holding an
 * array with nothing but annotations beside it (unless the context URL says `$entity`: an entity
 * whose one property is called `value`), v2 `results` (what is left of `{"d":{"results":[...]}}`)
 * with nothing but `__count` or `__next` beside it.
 */
function isCollectionWrapper(body: Record<string, unknown>, v2: boolean): boolean {
  const member = v2 ? "results" : "value";
  if (!Array.isArray(body[member])) return false;
  for (const name in body) {
    if (name === member) continue;
    // An entity's `__metadata` (v2) makes it no wrapper, whatever its members are called.
    if (v2 ? !name.startsWith("__") || name === "__metadata" : !name.includes("@")) return false;
  }
  const context = body["@odata.context"] ?? body["@context"];
  return v2 || typeof context !== "string" || !context.endsWith("$entity");
}

/**
 * The result of a long-running write (`createAsync`, `updateAsync`, `replaceAsync`,
 * `deleteAsync`), read as {@link readEntityAnswer} reads the answer of the write itself: v2's `d`
 * unwrapped and its values made readable, the response's annotations left out, the `ETag` header
 * of the answer that carried it kept. `body` is the result as the poller parsed it, so that a
 * result that is no entity (a text, a JSON array, none at all) is given back as it came: the
 * contract makes such a poller's result the final body whatever it holds.
 * @example readEntityResult({ d: { ID: 1, at: "/Date(0)/" } }, 'W/"1"', "2.0") // { ID: 1, at: "1970-01-01T00:00:00Z", __metadata: { etag: 'W/"1"' } }
 */
export function readEntityResult(body: unknown, etag: string | null, version: ODataVersion): unknown {
  const v2 = version === "2.0";
  const entity = v2 ? v2EntityOf(body) : body;
  return isRecord(entity) ? withEntityAnnotations(entity, etag, v2) : entity;
}

/** The entity of a parsed v2 JSON body: `d` (and a lone `results` object in it) unwrapped, values made readable. */
function v2EntityOf(json: unknown): unknown {
  let entity = json;
  if (isRecord(entity) && "d" in entity) entity = entity["d"];
  if (isRecord(entity) && isRecord(entity["results"]) && Object.keys(entity).length === 1) entity = entity["results"];
  return normalizeV2Entity(entity);
}

/** An entity with the annotations of this module's rule: the response's left out, the `ETag` header kept. */
function withEntityAnnotations(entity: Record<string, unknown>, etag: string | null, v2: boolean): Record<string, unknown> {
  dropResponseAnnotations(entity);
  keepEtagHeader(entity, etag, v2);
  return entity;
}

/**
 * An answer's JSON body, parsed. A body that is no JSON is `BAD_PAYLOAD`, and where it is labelled
 * `text/html` it is said to be an HTML page (a proxy's or a sign-in page answering in the service's
 * place), not `what` was due; JSON mislabelled `text/html` is read as JSON. `where` names the
 * request (`GET https://…`); none, a body given alone.
 */
export function parseJsonAnswer(body: string, contentType: string | null | undefined, where: string | undefined, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    if (isHtmlContentType(contentType)) {
      throw badPayload(`${where === undefined ? "the body is" : `${where} answered with`} an HTML page (${clipText(contentType ?? "", 100)}), not ${what}`, error);
    }
    throw badPayload(`${where === undefined ? "the body is" : `${where} answered with a body that is`} not JSON (${(error as Error).message})`, error);
  }
}
