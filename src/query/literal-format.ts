/**
 * Writing values as OData primitive literals for the protocol version the client speaks: the plain
 * JavaScript values (strings with `'` doubled, so that no value can end its literal early; numbers,
 * bigints, booleans, `null`, `Date`, `Uint8Array`) here, and the typed `edm.*` values through the
 * formatting they carry (`literals.ts`). Kept apart from the `edm.*` wrappers and their checks so
 * that a program that filters with plain values does not load those.
 */
import type { ODataVersion } from "../options.js";
import { describe } from "../util/values.js";
import { base64Url, bytesFromHex } from "../util/base64.js";

/** The EDM types that an `EdmValue` can carry. */
export type EdmTypeName =
  | "Edm.String"
  | "Edm.Boolean"
  | "Edm.Byte"
  | "Edm.SByte"
  | "Edm.Int16"
  | "Edm.Int32"
  | "Edm.Int64"
  | "Edm.Decimal"
  | "Edm.Double"
  | "Edm.Single"
  | "Edm.Guid"
  | "Edm.Date"
  | "Edm.DateTimeOffset"
  | "Edm.DateTime"
  | "Edm.TimeOfDay"
  | "Edm.Duration"
  | "Edm.Binary"
  | "Enum";

/**
 * The key under which a typed value (an `EdmValue`, made only by the checked `edm.*` functions)
 * writes its own literal. Its presence is the brand {@link isEdmValue} tests.
 * @internal
 */
export const WRITE_LITERAL = Symbol("EdmValue.writeLiteral");

/** A value that writes its own literal: what the `edm.*` functions make. */
export interface TypedLiteral {
  readonly type: EdmTypeName;
  readonly text: string;
  /** @internal */
  [WRITE_LITERAL](version: ODataVersion): string;
}

/** Whether `value` is a typed value made by an `edm.*` function. */
export function isEdmValue(value: unknown): value is TypedLiteral {
  return typeof value === "object" && value !== null && typeof (value as Partial<TypedLiteral>)[WRITE_LITERAL] === "function";
}

/** Whether the version is OData v2 (whose literals and functions differ from v4). */
export function isV2(version: ODataVersion): boolean {
  return version === "2.0";
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/**
 * Writes `value` as a literal for `version`.
 * - strings: `'...'` with `'` doubled
 * - integers: as they are (v2: `L` suffix beyond Int32); other numbers as Double without a type
 *   suffix (`1.5`, below 1e-6 in plain digits, v2 exponents as `1.0E+21`); `NaN`, `INF`, `-INF`
 * - bigint: Int64 (v2: `L` suffix)
 * - `Date`: v4 DateTimeOffset (plain ISO 8601 in UTC); v2 DateTime (`datetime'...'` in UTC without
 *   offset). A v2 Edm.DateTimeOffset wants `edm.dateTimeOffset()` (`datetimeoffset'...'`): some
 *   services read a `datetime` there in their own time zone
 * - `Uint8Array`: Binary (v4 `binary'<base64url>'`; v2 `X'<hex>'`)
 * - booleans, `null`; `EdmValue`s per their type.
 *
 * `where` names the call or parameter the value was given to (`f.eq(value)`, `key(value)`,
 * `function("f") parameter "n"`); every error thrown then starts with it.
 * @throws TypeError for anything else (objects, `undefined`, functions, symbols); RangeError for a
 * value outside its type's range; `ODataClientError` `UNSUPPORTED_BY_VERSION` for an `edm.*` value
 * `version` has no literal for
 */
export function formatLiteral(value: unknown, version: ODataVersion, where?: string): string {
  try {
    return literalText(value, version);
  } catch (error) {
    // Each error below is made for this one value, so the caller's name is put into its message
    // rather than into a copy (which would lose the class and code of an ODataClientError).
    if (where) (error as Error).message = `${where}: ${(error as Error).message}`;
    throw error;
  }
}

function literalText(value: unknown, version: ODataVersion): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quoteString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return formatNumber(value, version);
    case "bigint":
      return formatInt64(checkInt64Range(value), version);
    case "object":
      if (isEdmValue(value)) return value[WRITE_LITERAL](version);
      if (value instanceof Date) {
        // Written as edm.dateTime() (v2) and edm.dateTimeOffset() (v4) write a Date, and named so.
        if (!isV2(version)) return isoFromDate(value, "edm.dateTimeOffset(value)");
        return `datetime'${isoFromDate(value, "edm.dateTime(value)").slice(0, -1)}'`;
      }
      if (value instanceof Uint8Array) return isV2(version) ? `X'${bytesToHex(value).toUpperCase()}'` : `binary'${base64Url(value)}'`;
      break;
    default:
      break;
  }
  throw new TypeError(
    `${describe(value)} cannot be written as an OData literal; use a string, number, bigint, boolean, null, Date, Uint8Array or an edm.* value`,
  );
}

/** `'text'` with every `'` doubled: the only escape OData string literals have. */
export function quoteString(text: string): string {
  checkWellFormed(text, "a string literal");
  return `'${text.replaceAll("'", "''")}'`;
}

/** Throws if `text` holds a lone UTF-16 surrogate, which cannot be sent as UTF-8. */
export function checkWellFormed(text: string, what: string): void {
  if (/\p{Cs}/u.test(text)) {
    throw new TypeError(`${what} holds a lone UTF-16 surrogate, which cannot be encoded as UTF-8 in a URL`);
  }
}

function formatNumber(value: number, version: ODataVersion): string {
  if (Number.isSafeInteger(value)) {
    const text = String(value === 0 ? 0 : value); // -0 is written as 0
    if (isV2(version) && (value < INT32_MIN || value > INT32_MAX)) return `${text}L`;
    return text;
  }
  // A plain JavaScript number goes without a v2 type suffix: `1.5` is a v2 Double literal as it
  // is, and unlike `1.5d` it is also understood by servers that translate v2 to v4 (SAP CAP's
  // v2 adapter). `edm.double()` writes the suffixed form.
  return formatFloat(value, version, "");
}

/** A Double or Single literal; v2 writes exponents as `1.0E+21` and adds `v2Suffix` (`d`, `f`). */
export function formatFloat(value: number, version: ODataVersion, v2Suffix: string): string {
  let text: string;
  if (Number.isNaN(value)) text = "NaN";
  else if (value === Infinity) text = "INF";
  else if (value === -Infinity) text = "-INF";
  // A whole number beyond 2^53 is written by String() as the shortest digits that read back as
  // the same double (2^60 as 1152921504606847000), which an Int64 reads as another integer: v4
  // gets its exact digits below 10^21 (String() switches to an exponent there); v2, which reads
  // bare digits as an Int32 (and allows 17 digits at most in a Double), its exponent form.
  else if (Number.isInteger(value) && !Number.isSafeInteger(value)) text = isV2(version) ? value.toExponential() : Math.abs(value) < 1e21 ? BigInt(value).toString() : String(value);
  else text = withoutNegativeExponent(String(value === 0 ? 0 : value));
  // v4's exponent needs no sign (1e21), and a "+" is the one a URL may turn into a space.
  if (!isV2(version)) return text.replace("e+", "e");
  // The v2 grammar wants a mantissa with a decimal point and a signed exponent: 1.0E+21.
  const match = /^(-?\d+)(\.\d+)?e([+-]\d+)$/.exec(text);
  if (match) text = `${match[1]}${match[2] ?? ".0"}E${match[3]}`;
  return `${text}${v2Suffix}`;
}

/**
 * A number's `String()` with a negative exponent worked into plain digits: `1.5e-7` is
 * `0.00000015`, the same digits and so the same double. `String()` writes every number below 1e-6
 * so, and SAP CAP refuses a signed exponent (v4 `1.5e-7`, and v2 `1.5E-7` through its adapter)
 * where plain digits are a Double and a Decimal literal in both versions. Unbounded: the smallest
 * double is some 330 characters so, against URLs of kilobytes. A positive exponent (`1e21`) stays.
 */
export function withoutNegativeExponent(text: string): string {
  const match = /^(-?)(\d)(?:\.(\d+))?e-(\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, first, rest = "", exponent] = match;
  return `${sign}0.${"0".repeat(Number(exponent) - 1)}${first}${rest}`;
}

/** An Int64 literal from its checked digits (v2 adds `L`). */
export function formatInt64(text: string, version: ODataVersion): string {
  return isV2(version) ? `${text}L` : text;
}

/** The digits of `big`, checked to be in the Edm.Int64 range (a `RangeError` naming `where` when given). */
export function checkInt64Range(big: bigint, where?: string): string {
  if (big < INT64_MIN || big > INT64_MAX) {
    throw new RangeError(`${where === undefined ? "" : `${where}: `}${big} is outside the Edm.Int64 range`);
  }
  return big.toString();
}

/** A `Date` as ISO 8601 in UTC, checked to be valid and within the years 0000-9999. */
export function isoFromDate(date: unknown, where: string): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new RangeError(`${where}: expected a valid Date; got ${date instanceof Date ? "an invalid Date" : describe(date)}`);
  }
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`${where}: the year ${year} is outside 0000-9999`);
  return date.toISOString();
}

/** Bytes as lower-case hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/**
 * The OData ABNF's decimalValue without nanInfinity: [ SIGN ] 1*DIGIT [ "." 1*DIGIT ] [ "e" [ SIGN ] 1*DIGIT ],
 * where quoted ABNF strings match either case ("e" or "E"). Groups: sign, integer digits,
 * fraction digits, exponent sign, exponent digits.
 */
export const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?)(\d+))?$/;

/** The most digits an OData v2 decimal literal has on either side of its point. */
const V2_DECIMAL_DIGITS = 29;

/**
 * A checked decimal text with its exponent worked into the digits (`1.5e2` is `150`,
 * `2.50e-3` is `0.00250`): the same value digit for digit, for OData v2, whose decimal literal has
 * no exponent, and for comparing decimal texts. Text without an exponent is returned as it is.
 * @throws RangeError when the result has more than 29 digits on a side (v2's limit), with an
 * exponent or without.
 */
export function decimalWithoutExponent(text: string): string {
  const match = DECIMAL.exec(text);
  if (!match) return text;
  const [, sign, integer = "", fraction = "", exponentSign, exponentDigits] = match;
  const tooLong = new RangeError(
    `edm.decimal(${JSON.stringify(text)}) has more than ${V2_DECIMAL_DIGITS} digits on a side of its point once written without the exponent, which OData v2 requires`,
  );
  if (exponentDigits === undefined) {
    if (integer.replace(/^0+(?=\d)/, "").length > V2_DECIMAL_DIGITS || fraction.length > V2_DECIMAL_DIGITS) throw tooLong;
    return text;
  }
  const digits = `${integer}${fraction}`;
  // Where the point goes within `digits`, checked before any padding so that a huge exponent
  // costs nothing.
  const point = integer.length + Number(`${exponentSign === "-" ? "-" : ""}${exponentDigits}`);
  let whole: string;
  let part: string;
  if (point <= 0) {
    if (-point + digits.length > V2_DECIMAL_DIGITS) throw tooLong;
    whole = "0";
    part = `${"0".repeat(-point)}${digits}`;
  } else if (point >= digits.length) {
    if (point - digits.length > V2_DECIMAL_DIGITS) throw tooLong;
    whole = `${digits}${"0".repeat(point - digits.length)}`;
    part = "";
  } else {
    whole = digits.slice(0, point);
    part = digits.slice(point);
  }
  whole = whole.replace(/^0+(?=\d)/, "");
  if (whole.length > V2_DECIMAL_DIGITS || part.length > V2_DECIMAL_DIGITS) throw tooLong;
  return `${sign === "-" ? "-" : ""}${whole}${part === "" ? "" : `.${part}`}`;
}

/**
 * A decimal text as a JSON number when the number is the same value (`1e5` is `100000`, `12.50`
 * is `12.5`, `007.5` is `7.5`, `-0.0` is `0`), otherwise as the string: more digits than a double holds, and `NaN`/`INF`/`-INF`,
 * which JSON writes as strings. A string where OData JSON asks a number (without
 * `IEEE754Compatible`) is kept for a value a number would change.
 */
export function exactJsonNumber(text: string): number | string {
  const number = Number(text);
  if (!Number.isFinite(number)) return text;
  try {
    // Zeros after the last digit of a fraction change no value (`12.50` is `12.5`, `1.0` is `1`),
    // nor do those before the whole part's first (`007.5`). The sign is the text's whatever its
    // digits, so it is left out of the comparison: `+1` is 1, and `-0` the 0 JSON writes for -0.
    return decimalWithoutExponent(`${Math.abs(number)}`) === decimalWithoutExponent(text).replace(/^[+-]?0*(?=\d)|\.0*$|(\.\d*?)0+$/g, "$1") ? number : text;
  } catch {
    // Beyond the digits that can be compared this way: the text is exact.
    return text;
  }
}

/**
 * The OData v4 JSON value of an `edm.*` value in a request body (an action's parameters, a write's
 * properties): numbers as exact as {@link exactJsonNumber} writes them, the infinities and NaN as
 * `INF`, `-INF`, `NaN`, binary values base64url, an enumeration member by its name. (A v2 write
 * body's forms differ for a few types: write/requests.ts.)
 */
export function edmJsonValue(value: TypedLiteral): unknown {
  const { type, text } = value;
  switch (type) {
    case "Edm.Boolean":
      return text === "true";
    case "Edm.Int64":
    case "Edm.Decimal":
      return exactJsonNumber(text);
    case "Edm.Double":
    case "Edm.Single":
      // Kept as "Infinity"; JSON writes the infinities and NaN as the strings INF, -INF, NaN.
      return jsonNumber(Number(text));
    case "Edm.Byte":
    case "Edm.SByte":
    case "Edm.Int16":
    case "Edm.Int32":
      return Number(text);
    case "Edm.Binary":
      return base64Url(bytesFromHex(text));
    case "Enum":
      // `NS.Color'Red'` in a URL; the member names alone in JSON.
      return /'(.*)'$/.exec(text)?.[1] ?? text;
    default:
      return text;
  }
}

/**
 * A number as a body's JSON value: itself, or for the infinities and NaN, for which JSON has no
 * number (`JSON.stringify` writes `null`, which would clear the property), the strings `INF`,
 * `-INF` and `NaN` that OData JSON Format 4.0 §7.1 gives an `Edm.Double` or `Edm.Single`. OData v2
 * (MS-ODATA 2.2.6.3.1) gives a Double its URL literal, whose special values are the same words,
 * which bare are no JSON: v2 bodies send the strings too. Write bodies, operation parameters and
 * `edm.double()` values all go by it.
 */
export function jsonNumber(number: number): number | string {
  return Number.isFinite(number) ? number : Number.isNaN(number) ? "NaN" : number > 0 ? "INF" : "-INF";
}
