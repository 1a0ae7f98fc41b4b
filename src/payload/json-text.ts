/**
 * Small readers of JSON text shared by the collection scanner and the entity text of a page: the
 * end of a string, whitespace, and the end of a whole value. They look at characters only; the
 * scanner checks what they find with `JSON.parse`, the entity text reads only text that
 * `JSON.parse` has already accepted.
 */

export const QUOTE = 34;
export const BACKSLASH = 92;
export const COMMA = 44;
export const COLON = 58;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;

/** Whether a character code is JSON whitespace (space, tab, LF, CR). */
export function isJsonSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** The index of the first character at or after `at` that is not JSON whitespace (the length at the end). */
export function skipJsonSpace(text: string, at: number): number {
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at++;
  return at;
}

/**
 * Index of the quote that closes the string whose content starts at or before `from`, or -1 if
 * the text ends first. A quote preceded by an odd run of backslashes is escaped; the run is
 * counted backwards, so an escape split across chunks needs no state of its own (the unfinished
 * string is always still in the buffer).
 */
export function findStringEnd(text: string, from: number): number {
  let at = from;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let before = quote - 1;
    while (text.charCodeAt(before) === BACKSLASH) before--;
    if ((quote - 1 - before) % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** Whether the text ends with an odd run of backslashes, so that its next character is escaped. */
export function endsWithOddBackslashes(text: string): boolean {
  let at = text.length - 1;
  while (at >= 0 && text.charCodeAt(at) === BACKSLASH) at--;
  return (text.length - 1 - at) % 2 === 1;
}

/**
 * The index just after the JSON value that starts at `at` (a string, an object, an array, or a
 * number, `true`, `false` or `null`), or -1 when the text ends first. Meant for valid JSON: it
 * follows strings and nesting, and does not check the value.
 */
export function skipJsonValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) {
    const close = findStringEnd(text, at + 1);
    return close < 0 ? -1 : close + 1;
  }
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        const close = findStringEnd(text, i + 1);
        if (close < 0) return -1;
        i = close;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth++;
      } else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && --depth === 0) {
        return i + 1;
      }
    }
    return -1;
  }
  let end = at;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isJsonSpace(code)) break;
    end++;
  }
  return end > at ? end : -1;
}
