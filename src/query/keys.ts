/**
 * Keys: the value or values that address one entity of a set, written as the key predicate of its
 * URL (`Books(1)`, `Books('O''Brien')`, `Pairs(A=1,B='x')`) with the literals of the client's version,
 * or with option `keyAsSegment` as a path segment of its own (`Customers/ALFKI`).
 */
import type { ODataVersion } from "../options.js";
import { isQualifiedName } from "../util/identifiers.js";
import { describe, isPlainObject } from "../util/values.js";
import { formatLiteral } from "./literal-format.js";
import type { LiteralValue } from "./literals.js";
import { checkIdentifier } from "./names.js";

/** A key: one value, or an object naming the values of a compound key (names checked against `T`). */
export type EntityKey<T> = LiteralValue | { readonly [K in keyof T & string]?: LiteralValue };

/**
 * The key predicate `(…)` for `key` in `version`, before percent-encoding.
 * @example formatKeyPredicate({ A: 1, B: "x" }, "4.0") // "(A=1,B='x')"
 */
export function formatKeyPredicate(key: unknown, version: ODataVersion): string {
  if (isPlainObject(key)) {
    const entries = Object.entries(key);
    if (entries.length === 0) throw new TypeError("key({ ... }): a compound key needs at least one property");
    const parts = entries.map(([name, value]) => `${checkIdentifier(name, "key({ name })")}=${keyLiteral(value, version, `key({ ${name} })`)}`);
    return `(${parts.join(",")})`;
  }
  return `(${keyLiteral(key, version, "key(value)")})`;
}

/**
 * The key of `predicate` (as {@link formatKeyPredicate} writes it) in the key-as-segment form of
 * OData 4.01 Part 2 §4.3.6, `/` and the value before percent-encoding: a string as its text, with
 * no quotes and its `'` as they are; any other value as its literal (`1`, a GUID, a date). Where a
 * segment would not say the same, the predicate stays as it is, which a service that takes
 * segments takes too (the spec asks it to):
 * - a named key (`{ A: 1, B: "x" }`): a compound key's segments go in the order `$metadata`
 *   declares its properties, which an object's order need not be, and a one-name object may be an
 *   alternate key, which has no segment form;
 * - a literal with a type prefix (`duration'P1D'`, `binary'…'`, an enumeration member);
 * - a text the service reads before it tries a key (§4.3.6's precedence): `$…` (`$count`, `$ref`),
 *   a qualified name, alone or before `(` (a type cast, a bound action or function, its call); and
 *   the empty text, `.` and `..`, which are no segment a URL keeps;
 * - a text with `/`, `?` or `#`: percent-encoded they belong to the segment, but a service that
 *   decodes the path before it splits it reads them as delimiters. SAP CAP 9 does: `Authors/a%2Fb`
 *   is `Authors/a/b` to it, `Authors/x%3F$select=name` reads `x` with `$select`, and
 *   `DELETE Authors/austen%2Fbooks%2F2` would delete book 2; inside parentheses they stay the key's.
 * - a text with `(`: in a segment, parentheses are a key predicate's or a call's (`name(…)`), and
 *   SAP CAP 9 reads them so: `Authors/austen(1)` is the author `austen()` to it, `Authors/ACME%20(UK)`
 *   a 400, and `Authors/x%20(1)` a 404, where `Authors('austen(1)')` is the author of that ID.
 * An unqualified name (`ALFKI`) goes as a segment: only a service with a default namespace could
 * read it as an operation's or a type's, which the client cannot know.
 * @example keySegment("('O''Neil')") // "/O'Neil"; keySegment("('a/b')") // "('a/b')"
 */
export function keySegment(predicate: string): string {
  const literal = predicate.slice(1, -1);
  const text = literal[0] === "'" ? literal.slice(1, -1).replaceAll("''", "'") : literal;
  // Unquoted, a `'` or `=` is a prefixed literal's or a named key's.
  const kept = (text === literal && /['=]/.test(text)) || /^\$|[/?#(]|^\.{0,2}$/.test(text) || isQualifiedName(text);
  return kept ? predicate : `/${text}`;
}

function keyLiteral(value: unknown, version: ODataVersion, where: string): string {
  // NaN equals no value, so no entity has it as its key: it comes from a failed parse
  // (`parseInt("x")`), and `Books(NaN)` would meet a 400 or a 404 far from the mistake.
  if (value === null || value === undefined || Number.isNaN(value)) throw new TypeError(`${where}: a key value cannot be ${describe(value)}`);
  return formatLiteral(value, version, where);
}
