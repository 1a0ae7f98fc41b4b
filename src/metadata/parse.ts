/**
 * `parseMetadata`: one entry for every form `$metadata` comes in. A file of its own, holding only
 * this function, so that a bundle whose program never calls it does not load the readers (the
 * client's own `metadata()` loads them through cache.ts when first called).
 */
import { ServiceModel } from "./model.js";
import { readMetadata } from "./read.js";
import { metadataText } from "./text.js";

/**
 * Reads service metadata into a {@link ServiceModel}: EDMX text (OData v4, or v2/v3 with
 * associations and function imports), CSDL JSON text, CSDL JSON already parsed, or either document
 * as bytes (a file read without an encoding), decoded as the client's `metadata()` decodes an
 * answer: by its byte order mark, a UTF-16 start or its XML declaration's `encoding`, else UTF-8.
 * Pure: sends nothing. A document that cannot be read rejects with `ODataClientError` code
 * `"BAD_METADATA"`, naming what is wrong and where.
 * @example
 * const model = parseMetadata(await readFile("metadata.xml"));
 * model.keyOf(model.entitySet("Books")!.entityType);
 */
export function parseMetadata(metadata: string | Uint8Array | ArrayBuffer | object): ServiceModel {
  // By its tag, which a Uint8Array of another realm (a test runner's sandbox) has too; Buffer is one.
  // An ArrayBuffer (`await response.arrayBuffer()`) is the same bytes.
  const tag = Object.prototype.toString.call(metadata);
  const bytes = tag === "[object ArrayBuffer]" ? new Uint8Array(metadata as ArrayBuffer) : tag === "[object Uint8Array]" ? (metadata as Uint8Array) : undefined;
  return new ServiceModel(readMetadata(bytes ? metadataText(bytes, undefined) : metadata));
}
