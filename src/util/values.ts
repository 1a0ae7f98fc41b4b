/**
 * Telling what a value is: the checks that reading JSON and options needs everywhere, and the
 * short description of a bad value that messages show.
 */
import { isAbortSignalLike } from "./abort-waiters.js";

/**
 * Whether `value` is an object with named members, as a parsed JSON object is: not `null`, not an
 * array, and not binary data (a `Uint8Array` or another view on bytes, which a body may be).
 * @example isRecord({ value: [] }) // true; isRecord([]) and isRecord(new Uint8Array(1)) are false
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/**
 * Whether `value` is a plain object (`{ ... }`, or one made with `Object.create(null)`), not an
 * instance of a class such as `Date` or `Map`.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The value at a property path of a parsed entity (`address/city`): `undefined` where the path
 * leads through something that is not a record (`null`, an array, a missing member). In a path of
 * several segments, one that names a type (`NS.Derived`, a cast) is passed over: the entity
 * already has that type. A path of one segment is a member's name, whatever it holds.
 * @example valueAt({ address: { city: "Bern" } }, "address/city") // "Bern"
 */
export function valueAt(entity: Record<string, unknown>, path: string): unknown {
  // Own members only: a property named like a member of every object (`constructor`) that the
  // entity lacks is missing, not Object.prototype's.
  if (!path.includes("/")) return Object.hasOwn(entity, path) ? entity[path] : undefined;
  let current: unknown = entity;
  for (const segment of path.split("/")) {
    if (segment.includes(".")) continue;
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * The member of the entity that a property path starts at, by the rule of {@link valueAt}: the
 * path itself when it is one segment, else its first segment that does not name a type.
 * @example topMember("NS.Derived/bonus") // "bonus"
 */
export function topMember(path: string): string {
  if (!path.includes("/")) return path;
  return path.split("/").find((segment) => !segment.includes(".")) ?? path;
}

/**
 * An option that is a function where given (a call's `onResponse`), checked for the callers that
 * types do not hold (JavaScript); `undefined` stays so.
 * @throws TypeError naming `option` (`get(): option "onResponse"`)
 */
export function optionalFunction<T>(value: T, option: string): T {
  if (value === undefined || typeof value === "function") return value;
  throw new TypeError(`${option} must be a function; got ${describe(value)}`);
}

/** Strings up to this length are shown in a description; longer ones only by their length. */
const SHOWN_STRING_LENGTH = 60;

/**
 * A short description of a value for a message: what kind of value it is, and the value itself
 * where that is short and harmless (`null`, `5`, `true`, `the string "abc"`). A string longer
 * than 60 characters is described by its length alone, since it may be a secret given in the
 * wrong place.
 * @example describe("5.0") // 'the string "5.0"'; describe({}) // "an object"; describe([]) // "an array"
 */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return value.length > SHOWN_STRING_LENGTH ? `a string of ${value.length} characters` : `the string ${JSON.stringify(value)}`;
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "object":
      return ArrayBuffer.isView(value) ? "binary data" : "an object";
    default:
      return `a ${typeof value}`;
  }
}

/**
 * The names of the options a method takes, for {@link refuseUnknownOptions}: a member for each
 * option of its options type `O`, no more and no fewer, which the compiler checks.
 */
export type OptionNames<O> = Readonly<Record<keyof O, 1>>;

/** Whether `value` is a plain object of this realm or another (an iframe's, a `vm` context's): its prototype is null or has none. */
function isPlainOfAnyRealm(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Refuses with a `TypeError`, before anything is sent, options that `method` (`"create(entity)"`,
 * `"page()"`) cannot take: options that are no object (`page(5)`, `key(1).get("title")`; `undefined`
 * is none given), and a member that is not one of `taken`. Typed code can pass neither, but a
 * JavaScript caller's typo (`ifmatch`, `tiemout`) or an option of another method
 * (`create(entity, { etag })`) would otherwise be dropped without a word, and the request sent
 * without what the caller meant. A member given as `undefined` gives nothing, as an option the
 * method takes does not. A method that takes none (`batch.get()`) has `taken` empty. Called at a
 * public method's start with the caller's own options: the layers below take options of their
 * own beside the caller's (a walk's `where`, `top`), which no caller may pass.
 */
export function refuseUnknownOptions(options: unknown, taken: Readonly<Record<string, 1>>, method: string): void {
  if (options === undefined) return;
  // Options are a plain object (of any realm: its prototype's prototype is null). An instance of a
  // class has no member of its own to refuse, so a signal given where its options go
  // (`first(controller.signal)`), a controller or a `Map` would go out as no options at all.
  if (!isRecord(options) || !isPlainOfAnyRealm(options)) {
    const got = isAbortSignalLike(options) ? "an AbortSignal: pass it as { signal }" : isRecord(options) ? `an instance of ${String((options.constructor as { name?: unknown } | undefined)?.name || "a class")}` : describe(options);
    throw new TypeError(`${method}: options must be an object; got ${got}`);
  }
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || Object.hasOwn(taken, name)) continue;
    const names = Object.keys(taken);
    const meant = names.find((option) => option.toLowerCase() === name.toLowerCase());
    const takes = names.length === 0 ? "none" : names.join(", ");
    throw new TypeError(`${method} has no option ${JSON.stringify(name)}${meant === undefined ? "" : ` (did you mean "${meant}"?)`}; it takes ${takes}`);
  }
}
