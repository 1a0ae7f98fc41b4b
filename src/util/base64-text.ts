/**
 * Reading base64 text: a module of its own, apart from util/base64.ts, so that the writing of
 * base64 (which the auth step and every literal writer load at start) does not bring it along.
 */

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
