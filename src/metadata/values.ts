/**
 * The value rules both readers (EDMX and CSDL JSON) apply, so that one service gives one model
 * whichever form it was read from: numbers as `JSON.parse` gives them, line ends of strings, the
 * facet defaults each form implies, and default values in one literal form.
 */
import type { TypeFacets } from "./model.js";

/** The Edm types whose `Precision` counts decimal places of seconds (OData CSDL 4.01 §3.4.3). */
const TEMPORAL_TYPES = new Set(["Edm.DateTimeOffset", "Edm.Duration", "Edm.TimeOfDay"]);

const NUMERIC_TYPES = new Set(["Edm.Byte", "Edm.SByte", "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Decimal", "Edm.Double", "Edm.Single"]);

// `\d+(?:\.\d*)?`, not `\d+\.?\d*`: that one tries every split of a run of digits before it
// gives up, quadratic in its length (an attribute of 100,000 digits took seconds).
const DECIMAL_LITERAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * How deep annotation expressions may nest. Real vocabularies nest a few levels (a collection of
 * records holding a collection); both readers recurse per level, and a hostile document (or a
 * parsed object that contains itself) would overflow the call stack some thousands of levels down.
 */
export const MAX_NESTING = 100;

/**
 * The values each underlying type of an enumeration holds (OData CSDL 4.01 §10.1.2; Edm.Int32 when
 * none is named), by its width, read signed or unsigned: services write flag bits as unsigned
 * numbers (2147483648 for the highest bit of an Edm.Int32), which is taken; a value beyond the
 * width is not. Edm.Int64's ends are the numbers nearest to them: a value beyond 2^53 is read as
 * the nearest number, as `JSON.parse` gives it.
 */
const ENUM_RANGES: ReadonlyMap<string, readonly [low: number, high: number]> = new Map([
  ["Edm.Byte", [-(2 ** 7), 2 ** 8 - 1]],
  ["Edm.SByte", [-(2 ** 7), 2 ** 8 - 1]],
  ["Edm.Int16", [-(2 ** 15), 2 ** 16 - 1]],
  ["Edm.Int32", [-(2 ** 31), 2 ** 32 - 1]],
  ["Edm.Int64", [-(2 ** 63), 2 ** 64]],
]);

/**
 * Whether an enumeration member's value is one its underlying type holds: an integer within the
 * type's width. An underlying type that is none of the five is not judged here (the model keeps
 * what the document says); its values are held to the integers a number represents exactly.
 */
export function enumValueFits(value: number, underlyingType: string): boolean {
  const range = ENUM_RANGES.get(underlyingType);
  if (range === undefined) return Number.isSafeInteger(value);
  return Number.isInteger(value) && value >= range[0] && value <= range[1];
}

/** An integer as an XML Schema `long` writes it: a sign, digits, white space around. */
export const XML_INTEGER = /^\s*[-+]?\d+\s*$/;

/**
 * Sets a member whose name the document gives. A plain assignment to `__proto__` sets the
 * object's prototype instead: the value is lost and the object inherits the document's members,
 * and where the object is found by that name (`externalAnnotations["__proto__"]` is
 * `Object.prototype` itself) the document's annotations land on every object of the program.
 * JSON.parse makes such a member an own one; so does this.
 */
export function setMember(object: object, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  else (object as Record<string, unknown>)[name] = value;
}

/**
 * The number a numeric literal stands for, as `JSON.parse` would give it (so integers beyond 2^53
 * and long decimals are rounded, the same as from CSDL JSON); `undefined` for anything else, such
 * as `INF` or `NaN`. Negative zero is zero, as JSON writes it.
 */
export function numberOf(literal: string): number | undefined {
  if (!DECIMAL_LITERAL.test(literal)) return undefined;
  const value = Number(literal);
  return value === 0 ? 0 : value;
}

/** CR LF and a lone CR as LF: how the model keeps the line ends of string values. */
export function normaliseLineEnds(text: string): string {
  return text.indexOf("\r") < 0 ? text : text.replace(/\r\n?/g, "\n");
}

/**
 * Fills in the facets a form implies when they are not written: in CSDL XML an `Edm.Decimal`
 * without `Scale` has scale 0 and (OData v4) a temporal value without `Precision` has precision
 * 0; in CSDL JSON a decimal without `$Scale` has a variable scale (OData CSDL JSON and XML 4.01,
 * §7.2.3 and §7.2.4). `type` is the (underlying) primitive type.
 */
export function applyFacetDefaults(facets: Omit<TypeFacets, "nullable">, type: string, form: "xml-v4" | "xml-v2" | "json"): void {
  if (type === "Edm.Decimal" && facets.scale === undefined) facets.scale = form === "json" ? "variable" : 0;
  if (form === "xml-v4" && facets.precision === undefined && TEMPORAL_TYPES.has(type)) facets.precision = 0;
}

/**
 * A `Scale` facet from either form: a non-negative integer or `variable`/`floating`, the words
 * read regardless of case; `undefined` when it is neither.
 */
export function scaleOf(value: unknown): TypeFacets["scale"] | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const lower = value.toLowerCase();
  if (lower === "variable" || lower === "floating") return lower;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * An `SRID` facet as the model keeps it: the text, with `variable` read regardless of case, as
 * `scaleOf` reads Scale's words (Microsoft.OData.Edm 7, behind most ASP.NET Core OData services,
 * writes both as `Variable`).
 */
export function sridOf(value: unknown): string {
  const text = String(value);
  return text.toLowerCase() === "variable" ? "variable" : text;
}

/**
 * A default value as the model keeps it: the literal text, with a number of a numeric type in the
 * shortest form (`"2.50"` and the JSON number 2.5 both give `"2.5"`) as long as that loses no
 * digit; booleans and numbers from CSDL JSON as their literals.
 */
export function defaultValueText(value: unknown, type: string): string {
  if (typeof value === "number") return String(value);
  const text = String(value);
  if (!NUMERIC_TYPES.has(type)) return text;
  const number = numberOf(text);
  // At most 15 significant digits survive the trip through a double unchanged; one past the
  // doubles' range would read "Infinity".
  if (number === undefined || !Number.isFinite(number) || text.replace(/[eE].*$/, "").replace(/\D/g, "").replace(/^0+/, "").length > 15) return text;
  return String(number);
}
