/**
 * The `headers` option of one request (a write's, a `$batch` part's): checked where it comes in,
 * because a `$batch` writes its parts' headers into a multipart body by hand, where a line break in
 * a value would add headers or whole requests of the caller's choosing.
 */
import { describe, isPlainObject } from "../util/values.js";
import { TRANSPORT_HEADERS } from "./pipeline.js";

/** An HTTP field name (RFC 9110 §5.1: a token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * What a field value may not hold: control characters other than HTAB, line breaks and NUL among
 * them, and DEL (RFC 9110 §5.5), which Node's HTTP client refuses only when it sends, as a
 * network error; and characters beyond U+00FF, which `Headers` cannot carry.
 */
const NOT_IN_VALUE = /[^\t -~\x80-\xff]/;

/**
 * The headers given, their names in lower case; `undefined` gives none. Refusals begin with
 * `option` (`<where>: option "headers"`; the command line names its `-H` or profile there).
 * @throws TypeError naming `where` and the option: not an object of strings, a name that is no
 * token or that the transport sets itself ({@link TRANSPORT_HEADERS}), `__proto__` (Node's fetch
 * drops it unsent), one name twice (names are case-insensitive), a value with a control character
 * (HTAB aside) or a character beyond U+00FF (the value is not quoted: it may be a secret)
 */
export function requestHeaders(value: unknown, where: string, option = `${where}: option "headers"`): Record<string, string> {
  // No prototype: a header named "constructor" is not already there.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  if (value === undefined) return headers;
  if (!isPlainObject(value)) {
    const given = typeof Headers === "function" && value instanceof Headers ? "a Headers instance (pass a plain object of header names to strings)" : describe(value);
    throw new TypeError(`${option} must be an object of header names to strings; got ${given}`);
  }
  for (const [name, text] of Object.entries(value)) {
    if (!FIELD_NAME.test(name)) throw new TypeError(`${option} has ${JSON.stringify(name)}, which is not a header name`);
    if (typeof text !== "string" || NOT_IN_VALUE.test(text)) {
      throw new TypeError(
        `${option} must give ${JSON.stringify(name)} a string without control characters or characters beyond U+00FF; got ${typeof text === "string" ? "one with them" : describe(text)}`,
      );
    }
    const lower = name.toLowerCase();
    if (TRANSPORT_HEADERS.has(lower)) throw new TypeError(`${option} names ${JSON.stringify(name)}, which the HTTP transport sets itself`);
    // Refused in a $batch part too, which would carry it: the same headers then work for a write and a part.
    if (lower === "__proto__") throw new TypeError(`${option} names "${name}", a header Node's fetch drops unsent`);
    // {"X-Tenant": "a", "x-tenant": "b"} would be ambiguous.
    if (lower in headers) throw new TypeError(`${option} names the header ${JSON.stringify(name)} twice (names are case-insensitive)`);
    headers[lower] = text;
  }
  return headers;
}
