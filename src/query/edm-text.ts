/**
 * What the `edm.*` functions check and how each EDM type writes its literal, on texts alone: the
 * typed values of `literals.ts` are made from these, and code that writes a literal of a type it
 * learned at run time (the partition planner, from `$metadata`) uses them directly, so that it does
 * not load the `edm` object, which a program's bundle keeps only when it uses it.
 */
import { ODataClientError } from "../errors.js";
import type { ODataVersion } from "../options.js";
import { checkIdentifier, checkQualifiedName } from "./names.js";
import { describe } from "../util/values.js";
import { base64Url, bytesFromHex } from "../util/base64.js";
import {
  bytesToHex,
  checkInt64Range,
  checkWellFormed,
  DECIMAL,
  decimalWithoutExponent,
  formatFloat,
  formatInt64,
  INT32_MAX,
  INT32_MIN,
  isoFromDate,
  isV2,
  quoteString,
  withoutNegativeExponent,
  type EdmTypeName,
} from "./literal-format.js";

function unsupported(version: ODataVersion, what: string, hint: string): ODataClientError {
  return new ODataClientError("UNSUPPORTED_BY_VERSION", `${what} does not exist in OData ${version}; ${hint}`);
}

/** A checked value's canonical text as the literal of its EDM type in the form of `version`. */
export function formatTypedText(type: EdmTypeName, text: string, version: ODataVersion): string {
  const v2 = isV2(version);
  switch (type) {
    case "Edm.String":
      return quoteString(text);
    case "Edm.Boolean":
    case "Edm.Byte":
    case "Edm.SByte":
    case "Edm.Int16":
    case "Edm.Int32":
      return text;
    case "Edm.Int64":
      return formatInt64(text, version);
    case "Edm.Decimal":
      if (!v2) return text;
      if (NAN_INFINITY.has(text)) throw unsupported(version, `The Edm.Decimal value ${text}`, "its decimal literal has digits only");
      return `${decimalWithoutExponent(text)}M`;
    case "Edm.Double":
      return formatFloatText(text, version, "d");
    case "Edm.Single":
      return formatFloatText(text, version, "f");
    case "Edm.Guid":
      return v2 ? `guid'${text}'` : text;
    case "Edm.Date":
      // v2 has no Edm.Date: a date is an Edm.DateTime at midnight.
      return v2 ? `datetime'${text}T00:00:00'` : text;
    case "Edm.DateTimeOffset":
      return v2 ? `datetimeoffset'${text}'` : text;
    case "Edm.DateTime":
      if (!v2) throw unsupported(version, "Edm.DateTime", "use edm.dateTimeOffset() or edm.date()");
      return `datetime'${text}'`;
    case "Edm.TimeOfDay":
      // v2 writes a time of day as an Edm.Time duration since midnight.
      return v2 ? `time'${timeOfDayAsDuration(text)}'` : text;
    case "Edm.Duration":
      if (v2) return `time'${text}'`;
      if (/[YM]/.test(text.split("T")[0] ?? "")) {
        throw new RangeError(`edm.duration(${JSON.stringify(text)}): an OData v4 Edm.Duration has only days, hours, minutes and seconds`);
      }
      return `duration'${text}'`;
    case "Edm.Binary":
      return v2 ? `X'${text.toUpperCase()}'` : `binary'${base64Url(bytesFromHex(text))}'`;
    case "Enum":
      if (v2) throw unsupported(version, "An enumeration member", "OData v2 has no enumeration types");
      return text;
  }
}

/** A time of day (`13:20:05.5`) as the duration since midnight OData v2's `Edm.Time` is (`PT13H20M05.5S`). */
export function timeOfDayAsDuration(text: string): string {
  const [hours = "00", minutes = "00", seconds = "00"] = text.split(":");
  return `PT${hours}H${minutes}M${seconds}S`;
}

// ---------------------------------------------------------------------------------------------
// edm.* wrappers: each checks its input and names what was wrong.

function checkInteger(value: unknown, where: string, min: number, max: number): string {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${where}: expected an integer from ${min} to ${max}; got ${describe(value)}`);
  }
  return String(value === 0 ? 0 : value);
}

function checkInt64(value: unknown, where: string): string {
  let big: bigint;
  if (typeof value === "bigint") big = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) big = BigInt(value);
  else if (typeof value === "string" && /^[+-]?\d{1,19}$/.test(value)) big = BigInt(value);
  else throw new RangeError(`${where}: expected a 64-bit integer (bigint, safe integer or digit string); got ${describe(value)}`);
  return checkInt64Range(big, where);
}

// The OData ABNF's decimalValue: [ SIGN ] 1*DIGIT [ "." 1*DIGIT ] [ "e" [ SIGN ] 1*DIGIT ] / nanInfinity,
// where quoted ABNF strings match either case ("e" or "E") and nanInfinity is case-sensitive.
const NAN_INFINITY: ReadonlySet<string> = new Set(["NaN", "INF", "-INF"]);

function checkDecimal(value: unknown): string {
  let text: string;
  if (typeof value === "bigint") text = value.toString();
  else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`edm.decimal(value): a decimal number must be finite (the text "NaN", "INF" or "-INF" names those values); got ${describe(value)}`);
    // A number's exponent is String()'s, not the caller's: written in plain digits, as a Double's is.
    text = withoutNegativeExponent(String(value === 0 ? 0 : value));
  } else if (typeof value === "string") text = value;
  else throw new TypeError(`edm.decimal(value): expected a string, number or bigint; got ${describe(value)}`);
  if (NAN_INFINITY.has(text)) return text;
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`edm.decimal(value): ${describe(value)} is not a decimal number such as "12.50" or "1.5e3"`);
  const [, sign, integer, fraction, exponentSign, exponent] = match;
  // Written in the canonical form: no "+", a lower-case "e" (SAP CAP, for one, refuses "E").
  const mantissa = `${sign === "-" ? "-" : ""}${integer}${fraction === undefined ? "" : `.${fraction}`}`;
  return exponent === undefined ? mantissa : `${mantissa}e${exponentSign === "-" ? "-" : ""}${exponent}`;
}


/**
 * A Double's or Single's checked text: a number's `String()`, the infinities and NaN as
 * `Infinity`, `-Infinity`, `NaN`, or the text of a number in the OData ABNF's doubleValue form
 * (decimalValue's: `0.1`, `-1.5E+03`), which OData v2 services (SAP Gateway, SAP CAP's v2 adapter)
 * send for these types and the reader passes on. The text is kept digit for digit, canonical as
 * a decimal's is (no `+`, a lower-case `e`), so that its literal is the value that was read.
 */
function checkFloat(value: unknown, where: string): string {
  if (value === "INF" || value === "-INF" || value === "NaN") return value === "INF" ? "Infinity" : value === "-INF" ? "-Infinity" : "NaN";
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") throw new TypeError(`${where}: expected a number or its text (such as "0.1", "1.5e3", "INF"); got ${describe(value)}`);
  const match = DECIMAL.exec(value);
  if (!match) throw new RangeError(`${where}: ${describe(value)} is not a number such as "0.1" or "1.5e3" (nor "INF", "-INF", "NaN")`);
  const [, sign, integer, fraction, exponentSign, exponent] = match;
  const mantissa = `${sign === "-" ? "-" : ""}${integer}${fraction === undefined ? "" : `.${fraction}`}`;
  const text = exponent === undefined ? mantissa : `${mantissa}e${exponentSign === "-" ? "-" : ""}${exponent}`;
  // A text beyond the double range (1e999) would be read as an infinity, which it does not say.
  if (!Number.isFinite(Number(text))) throw new RangeError(`${where}: ${describe(value)} is beyond the range of a double`);
  return text;
}

/**
 * A checked Double's or Single's text as its literal. A text that is its number's `String()`
 * (every value made from a number) is written as that number is; any other is a text the caller
 * gave, written as given (`1.50`, `0.10000000000000000001`), in v2 with the mantissa and signed
 * exponent its grammar wants (`1.5E+3`) and `suffix`.
 */
function formatFloatText(text: string, version: ODataVersion, suffix: string): string {
  const number = Number(text);
  if (String(number) === text) return formatFloat(number, version, suffix);
  if (!isV2(version)) return text;
  const match = /^(-?\d+)(\.\d+)?e(-?)(\d+)$/.exec(text);
  return `${match ? `${match[1]}${match[2] ?? ".0"}E${match[3] || "+"}${match[4]}` : text}${suffix}`;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function checkCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // 2000 is a leap year
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && !leap ? 28 : daysInMonth);
}

function checkTime(hours: string, minutes: string, seconds: string | undefined): boolean {
  return Number(hours) <= 23 && Number(minutes) <= 59 && (seconds === undefined || Number(seconds) <= 59);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?/;
const OFFSET = /^(?:Z|[+-](\d{2}):(\d{2}))?$/;

/**
 * The checked text of a date and time: with its offset (`required`, a DateTimeOffset), or (`utc`,
 * a v2 DateTime) without one, where an offset that says UTC (`Z`, `+00:00`, `-00:00`) is taken and
 * left out, as `datetime'…'` has no place for it: the v2 readers give a DateTime, which
 * `/Date(ms)/` holds in UTC, with a `Z`, and that text must key and filter as it was read.
 */
function checkDateTimeText(text: unknown, where: string, offset: "required" | "utc"): string {
  if (typeof text !== "string") throw new TypeError(`${where}: expected a Date or an ISO 8601 string; got ${describe(text)}`);
  const match = DATE_TIME.exec(text);
  const zone = match && OFFSET.exec(text.slice(match[0].length));
  if (match && zone && checkCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) && checkTime(match[4] ?? "", match[5] ?? "", match[6]) && !(Number(zone[1]) > 23 || Number(zone[2]) > 59)) {
    if (offset === "required") {
      if (zone[0] !== "") return text;
    } else {
      if (zone[0] === "") return text;
      if (zone[0] === "Z" || zone[0].endsWith("00:00")) return match[0];
      // Another offset names another instant than the clock time the literal would carry.
      throw new RangeError(`${where}: ${describe(text)} has the offset ${zone[0]}, which an Edm.DateTime cannot carry; use edm.dateTimeOffset(value), or new Date(value) for the same instant in UTC`);
    }
  }
  const form = offset === "required" ? "2024-01-02T03:04:05Z or ...+01:00" : "2024-01-02T03:04:05 (no offset, or Z)";
  throw new RangeError(`${where}: ${describe(text)} is not a valid date and time such as ${form}`);
}

const DURATION = /^-?P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`edm.binary(bytes): expected a Uint8Array, ArrayBuffer or typed array; got ${describe(value)}`);
}

/**
 * The checks of the `edm.*` functions, each giving the checked value's canonical text (what
 * `EdmValue.text` holds): the EDM type is the one the function names.
 */
export const edmText = {
  string(value: string): string {
    if (typeof value !== "string") throw new TypeError(`edm.string(value): expected a string; got ${describe(value)}`);
    checkWellFormed(value, "edm.string(value)");
    return value;
  },
  boolean(value: boolean): string {
    if (typeof value !== "boolean") throw new TypeError(`edm.boolean(value): expected a boolean; got ${describe(value)}`);
    return String(value);
  },
  byte(value: number): string {
    return checkInteger(value, "edm.byte(value)", 0, 255);
  },
  sbyte(value: number): string {
    return checkInteger(value, "edm.sbyte(value)", -128, 127);
  },
  int16(value: number): string {
    return checkInteger(value, "edm.int16(value)", -32768, 32767);
  },
  int32(value: number): string {
    return checkInteger(value, "edm.int32(value)", INT32_MIN, INT32_MAX);
  },
  int64(value: bigint | number | string): string {
    return checkInt64(value, "edm.int64(value)");
  },
  decimal(value: string | number | bigint): string {
    return checkDecimal(value);
  },
  double(value: number | string): string {
    return checkFloat(value, "edm.double(value)");
  },
  single(value: number | string): string {
    return checkFloat(value, "edm.single(value)");
  },
  guid(value: string): string {
    if (typeof value !== "string" || !GUID.test(value)) {
      throw new RangeError(`edm.guid(value): ${describe(value)} is not a GUID such as "01234567-89ab-cdef-0123-456789abcdef"`);
    }
    return value.toLowerCase();
  },
  date(value: string | Date): string {
    const text = value instanceof Date ? isoFromDate(value, "edm.date(value)").slice(0, 10) : value;
    const match = typeof text === "string" ? DATE.exec(text) : null;
    if (!match || !checkCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
      throw new RangeError(`edm.date(value): ${describe(value)} is not a calendar date such as "2024-01-02"`);
    }
    return text as string;
  },
  dateTimeOffset(value: Date | string): string {
    const where = "edm.dateTimeOffset(value)";
    const text = value instanceof Date ? isoFromDate(value, where) : checkDateTimeText(value, where, "required");
    return text;
  },
  dateTime(value: Date | string): string {
    const where = "edm.dateTime(value)";
    const text = value instanceof Date ? isoFromDate(value, where).slice(0, -1) : checkDateTimeText(value, where, "utc");
    return text;
  },
  timeOfDay(value: string): string {
    const match = typeof value === "string" ? /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?$/.exec(value) : null;
    if (!match || !checkTime(match[1] ?? "", match[2] ?? "", match[3])) {
      throw new RangeError(`edm.timeOfDay(value): ${describe(value)} is not a time of day such as "13:20" or "13:20:05.5"`);
    }
    return match[3] === undefined ? `${value}:00` : value;
  },
  duration(value: string): string {
    if (typeof value !== "string" || !DURATION.test(value) || /^-?P(T)?$/.test(value) || value.endsWith("T")) {
      throw new RangeError(`edm.duration(value): ${describe(value)} is not an ISO 8601 duration such as "P1DT2H30M"`);
    }
    return value;
  },
  binary(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): string {
    return bytesToHex(toBytes(bytes));
  },
  enumMember(type: string, member: string | number | readonly (string | number)[]): string {
    checkQualifiedName(type, "edm.enumMember(type)");
    const members = Array.isArray(member) ? member : [member];
    if (members.length === 0) throw new RangeError("edm.enumMember(member): name at least one member");
    const names = members.map((name: unknown) =>
      typeof name === "number" && Number.isSafeInteger(name) ? String(name) : checkIdentifier(name, "edm.enumMember(member)"),
    );
    return `${type}'${names.join(",")}'`;
  },
} as const;
