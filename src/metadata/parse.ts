/**
 * `parseMetadata`: one entry for every form `$metadata` comes in. A file of its own, holding only
 * this function, so that a bundle whose program never calls it does not load the readers (the
 * client's own `metadata()` loads them through cache.ts when first called).
 */
import { ServiceModel } from "./model.js";
import { readMetadata } from "./read.js";

/**
 * Reads service metadata into a {@link ServiceModel}: EDMX text (OData v4, or v2/v3 with
 * associations and function imports), CSDL JSON text, or CSDL JSON already parsed. Pure: sends
 * nothing. A document that cannot be read rejects with `ODataClientError` code `"BAD_METADATA"`,
 * naming what is wrong and where.
 * @example
 * const model = parseMetadata(await readFile("metadata.xml", "utf8"));
 * model.keyOf(model.entitySet("Books")!.entityType);
 */
export function parseMetadata(metadata: string | object): ServiceModel {
  return new ServiceModel(readMetadata(metadata));
}
