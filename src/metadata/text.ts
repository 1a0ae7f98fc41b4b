/**
 * The text of a `$metadata` answer from its bytes, in the encoding the answer and the document
 * declare. Loaded with the metadata cache, never at a program's start.
 */
import { charsetOf, decode } from "../payload/charset.js";

/** The start of an XML declaration's encoding (XML 1.0 §4.3.3); only its first bytes are looked at. */
const ENCODING_DECLARATION = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/;

/**
 * `bytes` of a metadata document as text. A byte order mark decides first (RFC 7303, as the
 * Encoding Standard's decode does): a UTF-16 document labelled `charset=utf-16` is unreadable
 * without it. CSDL JSON is UTF-8 (RFC 8259 §8.1: a charset label on JSON means nothing). EDMX
 * then follows the Content-Type's `charset` (RFC 7303), else UTF-16 told by where its
 * zero bytes fall, else the XML declaration's `encoding` (XML 1.0 §4.3.3 and Appendix F), else
 * UTF-8. An encoding this runtime does not know is passed over for the next clue.
 */
export function metadataText(bytes: Uint8Array, contentType: string | null | undefined): string {
  return decode(bytes, metadataEncoding(bytes, contentType));
}

function metadataEncoding(bytes: Uint8Array, contentType: string | null | undefined): string {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return "utf-8";
  if (b0 === 0xff && b1 === 0xfe) return "utf-16le";
  if (b0 === 0xfe && b1 === 0xff) return "utf-16be";
  // A UTF-16 document without a byte order mark starts with `<` or `{` next to a zero byte.
  const utf16 = b0 === 0 && b1 !== 0 ? "utf-16be" : b0 !== 0 && b1 === 0 ? "utf-16le" : undefined;
  let first = 0;
  while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x09 || bytes[first] === 0x0a || bytes[first] === 0x0d)) first++;
  if (utf16 === undefined && bytes[first] === 0x7b) return "utf-8";
  // An empty `charset=` (or `charset=""`) names no encoding: the document's own clues decide.
  if (/;\s*charset\s*=\s*"?[^";\s]/i.test(contentType ?? "")) {
    const label = known(charsetOf(contentType));
    // A UTF-16 label takes the byte order the document shows ("utf-16" leaves it to the
    // document, and TextDecoder would read it as little-endian).
    if (label?.startsWith("utf-16") && utf16 !== undefined) return utf16;
    if (label !== undefined) return label;
  }
  if (utf16 !== undefined) return utf16;
  const declared = ENCODING_DECLARATION.exec(decode(bytes.subarray(0, 256), "latin1"))?.[1];
  return (declared === undefined ? undefined : known(declared)) ?? "utf-8";
}

/** The encoding `label` names, if this runtime decodes it. */
function known(label: string): string | undefined {
  try {
    const { encoding } = new TextDecoder(label);
    // Labels the Encoding Standard maps to "replacement" (ISO-2022-KR...) decode to U+FFFD only.
    return encoding === "replacement" ? undefined : encoding;
  } catch {
    return undefined;
  }
}
