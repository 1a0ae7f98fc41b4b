/**
 * Reading service metadata in every form it comes in: EDMX text (OData v4, or v2/v3 with
 * associations and function imports), CSDL JSON text, or CSDL JSON already parsed. Used by
 * `parseMetadata` (parse.ts) and by the client's cache (cache.ts), each loaded only when used.
 */
import { readCsdlJson } from "./csdl-json.js";
import { badMetadata, readEdmx } from "./edmx.js";
import type { ServiceModelData } from "./model.js";
import { clipText } from "../util/redact.js";

/** The model data of a metadata document; a document that cannot be read throws `BAD_METADATA`. */
export function readMetadata(metadata: string | object): ServiceModelData {
  if (typeof metadata === "object" && metadata !== null) return readCsdlJson(metadata);
  if (typeof metadata !== "string") throw new TypeError(`parseMetadata(metadata): expected EDMX or CSDL JSON text, or a parsed CSDL JSON object; got ${typeof metadata}`);
  const start = metadata.replace(/^\uFEFF/, "").trimStart();
  // The readers get the document with what comes before its first character turned into spaces,
  // not cut off: the offsets and positions their errors name are then those of the text the
  // caller has, byte order mark and leading white space counted.
  const skipped = metadata.length - start.length;
  const text = skipped === 0 ? metadata : " ".repeat(skipped) + start;
  if (start.startsWith("{")) {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw badMetadata(`the CSDL JSON is not JSON (${(error as Error).message})`, error);
    }
    return readCsdlJson(document);
  }
  if (start.startsWith("<")) return readEdmx(text);
  // An empty answer (a proxy's 200, a service that sends none) is said as such, not quoted as "".
  if (start === "") throw badMetadata(`the document is empty${metadata === "" ? "" : " (white space only)"}: neither EDMX (XML) nor CSDL JSON`);
  throw badMetadata(`the document is neither EDMX (XML) nor CSDL JSON; it starts with ${JSON.stringify(clipText(start, 40))}`);
}
