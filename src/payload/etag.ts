/**
 * Reading the ETag an entity carries, in every form the library returns entities in: OData 4.0
 * JSON `@odata.etag`, OData 4.01 JSON `@etag` (the `odata.` prefix may be left out), v2 JSON and
 * Atom `__metadata.etag`, and the `ETag` header of a single-entity answer, which the reading layer
 * keeps in the entity under the same names when the body carries none (see `entity-answer.ts`).
 */
import { isRecord } from "../util/values.js";

function firstEtag(candidates: readonly unknown[]): string | undefined {
  for (const candidate of candidates) if (typeof candidate === "string" && candidate !== "") return candidate;
  return undefined;
}

/**
 * The ETag of an entity read earlier (with `get()`, in a page, as the answer of a write or in a
 * `$batch` result), or `undefined` when it carries none. A copy made with `{ ...entity }` carries
 * it too.
 * @example
 * const book = await books.key(1).get();
 * etagOf(book); // 'W/"2024-02-11T10:01:00.000Z"'
 * await books.key(1).update({ stock: 3 }, { etag: etagOf(book) });
 */
export function etagOf(entity: unknown): string | undefined {
  if (!isRecord(entity)) return undefined;
  const metadata = entity["__metadata"];
  return firstEtag([entity["@odata.etag"], entity["@etag"], isRecord(metadata) ? metadata["etag"] : undefined]);
}

/**
 * The ETag of an entity's media resource (`@odata.mediaEtag`, 4.01 `@mediaEtag`, v2
 * `__metadata.media_etag`), falling back to the entity's own ETag; `undefined` when it has none.
 */
export function mediaEtagOf(entity: unknown): string | undefined {
  if (!isRecord(entity)) return undefined;
  const metadata = entity["__metadata"];
  return firstEtag([entity["@odata.mediaEtag"], entity["@mediaEtag"], isRecord(metadata) ? metadata["media_etag"] : undefined]) ?? etagOf(entity);
}
