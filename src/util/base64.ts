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

/**
 * Bytes in base64url without the padding: the form of a JSON `$batch` request's body whose type is
 * neither JSON nor text (OData JSON Format 4.01 §19.1). Apart from {@link base64Url}, so that the
 * literals, which load at start, carry no choice that only `$batch` makes.
 * @example base64UrlUnpadded(new Uint8Array([0xfb, 0xff])) // "-_8"
 */
export function base64UrlUnpadded(bytes: Uint8Array): string {
  return base64Url(bytes).replace(/=+$/, "");
}

/** The bytes an even-length hex text (`"0aff"`) stands for; the text is not checked. */
export function bytesFromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
