/**
 * The encoding of an XML document (an Atom answer, an XML error, EDMX), which its Content-Type may
 * name and its own bytes tell where it does not: one rule for every XML reader.
 */
import { charsetOf, textDecoder } from "./charset.js";

/** The start of an XML declaration's encoding (XML 1.0 §4.3.3); only its first bytes are looked at. */
const ENCODING_DECLARATION = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/;

/**
 * The encoding of an XML document's `bytes` (an Atom answer, an XML error, EDMX). A byte order mark
 * decides first (RFC 7303, as the Encoding Standard's decode does): a UTF-16 document labelled
 * `charset=utf-16` is unreadable without it. Then the Content-Type's `charset` (RFC 7303), else
 * UTF-16 told by where its zero bytes fall, else the XML declaration's `encoding` (XML 1.0 §4.3.3
 * and Appendix F), else UTF-8. An encoding this runtime does not know is passed over for the next
 * clue. The first 256 bytes, or those up to the first `>`, are enough (see {@link xmlTextDecoder}).
 */
export function xmlEncoding(bytes: Uint8Array, contentType: string | null | undefined): string {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return "utf-8";
  if (b0 === 0xff && b1 === 0xfe) return "utf-16le";
  if (b0 === 0xfe && b1 === 0xff) return "utf-16be";
  // A UTF-16 document without a byte order mark starts with `<` next to a zero byte.
  const utf16 = b0 === 0 && b1 !== 0 ? "utf-16be" : b0 !== 0 && b1 === 0 ? "utf-16le" : undefined;
  // An empty `charset=` (or `charset=""`) names no encoding: the document's own clues decide.
  if (/;\s*charset\s*=\s*"?[^";\s]/i.test(contentType ?? "")) {
    const label = knownEncoding(charsetOf(contentType));
    // A UTF-16 label takes the byte order the document shows ("utf-16" leaves it to the
    // document, and TextDecoder would read it as little-endian).
    if (label?.startsWith("utf-16") && utf16 !== undefined) return utf16;
    if (label !== undefined) return label;
  }
  if (utf16 !== undefined) return utf16;
  const declared = ENCODING_DECLARATION.exec(String.fromCharCode(...bytes.subarray(0, 256)))?.[1];
  return (declared === undefined ? undefined : knownEncoding(declared)) ?? "utf-8";
}

/**
 * A decoder of an XML document fed piece by piece, as {@link textDecoder}, in the encoding
 * {@link xmlEncoding} finds: it holds the first bytes until they can tell it (256 of them, a `>`
 * among at least 4, or the end), so a document that arrives a byte at a time reads as one read whole.
 */
export function xmlTextDecoder(contentType: string | null | undefined): (bytes?: Uint8Array, stream?: boolean) => string {
  let decoder: ((bytes?: Uint8Array, stream?: boolean) => string) | undefined;
  let held = new Uint8Array(0);
  return (bytes, stream = false) => {
    if (decoder) return decoder(bytes, stream);
    if (bytes !== undefined && bytes.length > 0) {
      const joined = new Uint8Array(held.length + bytes.length);
      joined.set(held);
      joined.set(bytes, held.length);
      held = joined;
    }
    if (stream && held.length < 256 && !(held.length >= 4 && held.includes(0x3e))) return "";
    decoder = textDecoder(xmlEncoding(held, contentType));
    return decoder(held, stream);
  };
}

/** The encoding `label` names, if this runtime decodes it. */
function knownEncoding(label: string): string | undefined {
  try {
    const { encoding } = new TextDecoder(label);
    // Labels the Encoding Standard maps to "replacement" (ISO-2022-KR...) decode to U+FFFD only.
    return encoding === "replacement" ? undefined : encoding;
  } catch {
    return undefined;
  }
}
