/**
 * The one rule for objects in a JSON payload (a write's body, an action's parameters, a function's
 * parameter alias) that are no value of a type the client writes itself (an array, a `Date`, a
 * `Uint8Array`, an `edm.*` value): what `JSON.stringify` would write, but converted as a plain
 * object's members are, so that a class instance or an object of another realm (`vm`, an iframe,
 * a test runner's sandbox) is sent as a plain object would be. Used by write/requests.ts, loaded
 * with the first write; an operation's parameters, built at every program's start, take plain
 * objects only (README, Writing entities).
 */

/**
 * The value to write in place of `value`, or `value` itself where its own enumerable members are
 * to be written (a plain object, a class instance, a plain object of another realm), as JSON does:
 * - a `Date` or `Uint8Array` of another realm: the same value of this realm, for the caller to
 *   convert as its own (`instanceof` misses them, and JSON would write a v2 date as ISO text and
 *   bytes as `{"0":…}`);
 * - an object with a `toJSON()` method: what it returns (given `key`, as JSON gives it), unless
 *   `replaced` says `value` is itself such a result (JSON calls `toJSON()` once per member);
 * - a `Number`, `String` or `Boolean` object: its primitive value.
 * @throws TypeError, naming `name`, for a `Map` or `Set` (JSON would write `{}` and lose the
 * entries), for a `Headers`, `URLSearchParams`, `FormData`, `Blob` or `File` (`{}`, or in Bun their
 * entries by their own `toJSON()`), a `Request`, `Response`, `ReadableStream` or `AbortSignal`
 * (`{}`), and for binary data other than a `Uint8Array` (JSON would write `{"0":…}` or `{}`)
 */
export function jsonReplacement(value: object, key: string, name: string, replaced: boolean): unknown {
  // The type's name as `Object.prototype.toString` gives it, which, unlike `instanceof`, sees
  // through realms: `Map`, `Int16Array`, `DataView`, `ArrayBuffer`; `Object` for a class instance.
  const type = Object.prototype.toString.call(value).slice(8, -1);
  if (type === "Date") return new Date(+value);
  if (type === "Uint8Array") return Uint8Array.from(value as Uint8Array);
  // Looked at before toJSON(): Bun gives Headers, URLSearchParams and FormData one that writes
  // their entries, where Node, Deno and browsers write `{}`; refused, they fail alike everywhere.
  const web = /^(?:Headers|URLSearchParams|FormData|Blob|File|Request|Response|ReadableStream|AbortSignal)$/.test(type);
  const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
  if (!web && !replaced && typeof toJSON === "function") return toJSON.call(value, key);
  if (/^(?:Number|String|Boolean)$/.test(type)) return value.valueOf();
  // The names of the built-in types only: a class's own `Symbol.toStringTag` (`OrderViewModel`,
  // `DataSet`) is a class instance's, written by its members. Arrays never come here.
  if (web || /^(?:(?:Weak)?(?:Map|Set)|(?:Big)?(?:Int|Uint|Float)(?:8|16|32|64)(?:Clamped)?Array|(?:Shared)?ArrayBuffer|DataView)$/.test(type)) throw new TypeError(`${name} (${type}) has no JSON form; pass a plain object, an array or a Uint8Array`);
  return value;
}
