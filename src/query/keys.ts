/**
 * Keys: the value or values that address one entity of a set, written as the key predicate of its
 * URL (`Books(1)`, `Books('O''Brien')`, `Pairs(A=1,B='x')`) with the literals of the client's version.
 */
import type { ODataVersion } from "../options.js";
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

function keyLiteral(value: unknown, version: ODataVersion, where: string): string {
  if (value === null || value === undefined) throw new TypeError(`${where}: a key value cannot be ${describe(value)}`);
  return formatLiteral(value, version, where);
}
