/**
 * The text of a `$metadata` answer from its bytes, in the encoding the answer and the document
 * declare. Loaded with the metadata cache, never at a program's start.
 */
import { decode } from "../payload/charset.js";
import { xmlEncoding } from "../payload/xml-encoding.js";

/**
 * `bytes` of a metadata document as text. CSDL JSON is UTF-8 (RFC 8259 §8.1: a charset label on
 * JSON means nothing); EDMX is read by the rule of any XML answer (see `xmlEncoding`): a byte
 * order mark, the Content-Type's `charset`, UTF-16 told by its zero bytes, the XML declaration's
 * `encoding`, UTF-8.
 */
export function metadataText(bytes: Uint8Array, contentType: string | null | undefined): string {
  return decode(bytes, metadataEncoding(bytes, contentType));
}

function metadataEncoding(bytes: Uint8Array, contentType: string | null | undefined): string {
  // `{` first, not next to a zero byte (UTF-16) nor after a byte order mark: CSDL JSON.
  let first = 0;
  while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x09 || bytes[first] === 0x0a || bytes[first] === 0x0d)) first++;
  if (bytes[first] === 0x7b && bytes[1] !== 0) return "utf-8";
  return xmlEncoding(bytes, contentType);
}
