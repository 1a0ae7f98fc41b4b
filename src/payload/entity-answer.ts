/**
 * The one rule for what an entity (or operation result) returned by the library carries:
 * - the annotations that belong to it stay: `@odata.etag`, `@odata.type`, `@odata.id`, links,
 *   v2 `__metadata`, and the `ETag` header of a single-entity answer, kept where `etagOf` reads it;
 * - what describes the response rather than the entity goes: `@odata.context` and
 *   `@odata.metadataEtag` (4.01 `@context`, `@metadataEtag`). A page's items never carried them
 *   (they sit on the collection), and now neither does an entity read alone, a write's answer, an
 *   operation's result, a `$batch` result or a long-running operation's result.
 */
import { isRecord } from "../util/values.js";

const RESPONSE_ANNOTATIONS = ["@odata.context", "@context", "@odata.metadataEtag", "@metadataEtag"];

/** Removes the response-level annotations from the top of a parsed answer, in place; returns it. */
export function dropResponseAnnotations<T>(body: T): T {
  if (isRecord(body)) for (const name of RESPONSE_ANNOTATIONS) delete body[name];
  return body;
}

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
  if (metadata === undefined) entity["__metadata"] = { etag };
  else if (isRecord(metadata) && metadata["etag"] === undefined) metadata["etag"] = etag;
}
