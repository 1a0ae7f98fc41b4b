/** Base64 (RFC 4648 §4) and its URL-safe form (§5), on `btoa`, which every runtime has. */

/** Bytes in base64, padded: `base64(new TextEncoder().encode("a:b"))` is `"YTpi"`. */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Bytes in base64url (`-` and `_` instead of `+` and `/`), padding kept: the form of OData's
 * `binary'...'` literal and of `Edm.Binary` values in JSON, whose ABNF allows the padding.
 */
export function base64Url(bytes: Uint8Array): string {
  return base64(bytes).replaceAll("+", "-").replaceAll("/", "_");
}

/** Base64 text in either alphabet, padded or not (the length decides what padding it may have). */
const BASE64_TEXT = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

/**
 * The bytes of base64 or base64url text, padded or not, as JSON gives binary values (v2 base64,
 * v4 and JSON batch bodies base64url); `undefined` for text that is neither.
 */
export function bytesOfBase64(text: string): Uint8Array | undefined {
  if (!BASE64_TEXT.test(text)) return undefined;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}

/** The bytes an even-length hex text (`"0aff"`) stands for; the text is not checked. */
export function bytesFromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
