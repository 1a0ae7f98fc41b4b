/**
 * Typed OData literals: the `edm.*` wrappers say the EDM type explicitly where JavaScript has no
 * matching value (Int64, Decimal, Guid, Date, Duration, enums...). Every wrapper validates its input
 * when it is made, so a literal can only ever contain what its type allows; each value writes its
 * literal in the form of the client's version. Plain JavaScript values are written by
 * `literal-format.ts`, which a program that never uses `edm` loads alone.
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
  formatFloat,
  formatInt64,
  formatLiteral,
  INT32_MAX,
  INT32_MIN,
  isoFromDate,
  isV2,
  quoteString,
  WRITE_LITERAL,
  type EdmTypeName,
  type TypedLiteral,
} from "./literal-format.js";

export type { EdmTypeName } from "./literal-format.js";
export { formatLiteral, isEdmValue } from "./literal-format.js";

// Only this module can make an EdmValue, so every one has passed its wrapper's validation.
const CHECKED = Symbol("checked");

let makeEdmValue: (type: EdmTypeName, text: string) => EdmValue;

/**
 * A value with an explicit EDM type, made by the `edm.*` functions. Its literal is written when the
 * query is built, in the form of the client's OData version. Exported as a class so that
 * `value instanceof EdmValue` tells typed values apart; it cannot be constructed directly.
 */
export class EdmValue {
  /** The EDM type, or `"Enum"` for enumeration members. */
  readonly type: EdmTypeName;
  /** The checked value in its canonical text form (for Binary: lower-case hex; for enums: `Type'Members'`). */
  readonly text: string;
  /** @internal The literal in the form of `version` (how `formatLiteral` writes typed values). */
  declare readonly [WRITE_LITERAL]: (version: ODataVersion) => string;

  static {
    makeEdmValue = (type, text) => new EdmValue(CHECKED, type, text);
  }

  /**
   * Made by the `edm.*` functions, which validate `text`. Private, so that the declarations show no
   * way to call it; the token refuses calls from plain JavaScript too.
   */
  private constructor(token: typeof CHECKED, type: EdmTypeName, text: string) {
    if (token !== CHECKED) throw new TypeError("EdmValue: use the edm.* functions to make typed values");
    this.type = type;
    this.text = text;
    // Set here, not declared as a method: a method under a computed key is evaluated where the
    // class is defined, which keeps the class (and the formatting) in bundles that never use edm.
    Object.defineProperty(this, WRITE_LITERAL, { value: (version: ODataVersion) => formatEdmValue(this, version) });
  }

  /** The value as an OData v4 literal (for reading and debugging; queries use the client's version). */
  toString(): string {
    return formatLiteral(this, "4.0");
  }

}

/** A JavaScript value that can be written as an OData literal. */
export type LiteralValue = string | number | bigint | boolean | null | Date | Uint8Array | EdmValue;

function unsupported(version: ODataVersion, what: string, hint: string): ODataClientError {
  return new ODataClientError("UNSUPPORTED_BY_VERSION", `${what} does not exist in OData ${version}; ${hint}`);
}

function formatEdmValue(value: EdmValue, version: ODataVersion): string {
  const v2 = isV2(version);
  const text = value.text;
  switch (value.type) {
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
      return formatFloat(Number(text), version, "d");
    case "Edm.Single":
      return formatFloat(Number(text), version, "f");
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

function timeOfDayAsDuration(text: string): string {
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
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?)(\d+))?$/;
const NAN_INFINITY: ReadonlySet<string> = new Set(["NaN", "INF", "-INF"]);

function checkDecimal(value: unknown): string {
  let text: string;
  if (typeof value === "bigint") text = value.toString();
  else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`edm.decimal(value): a decimal number must be finite (the text "NaN", "INF" or "-INF" names those values); got ${describe(value)}`);
    text = String(value === 0 ? 0 : value);
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

/** The most digits an OData v2 decimal literal has on either side of its point. */
const V2_DECIMAL_DIGITS = 29;

/**
 * A checked decimal text with its exponent worked into the digits (`1.5e2` is `150`,
 * `2.50e-3` is `0.00250`): the same value digit for digit, for OData v2, whose decimal literal has
 * no exponent, and for comparing decimal texts. Text without an exponent is returned as it is.
 * @throws RangeError when the result would have more than 29 digits on a side (v2's limit).
 */
export function decimalWithoutExponent(text: string): string {
  const match = DECIMAL.exec(text);
  if (!match || match[5] === undefined) return text;
  const [, sign, integer = "", fraction = "", exponentSign, exponentDigits] = match;
  const digits = `${integer}${fraction}`;
  // Where the point goes within `digits`, checked before any padding so that a huge exponent
  // costs nothing.
  const point = integer.length + Number(`${exponentSign === "-" ? "-" : ""}${exponentDigits}`);
  const tooLong = new RangeError(
    `edm.decimal(${JSON.stringify(text)}) has more than ${V2_DECIMAL_DIGITS} digits on a side of its point once written without the exponent, which OData v2 requires`,
  );
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

function checkFloat(value: unknown, where: string): string {
  if (value === "INF" || value === "-INF" || value === "NaN") return value === "INF" ? "Infinity" : value === "-INF" ? "-Infinity" : "NaN";
  if (typeof value !== "number") throw new TypeError(`${where}: expected a number (or "INF", "-INF", "NaN"); got ${describe(value)}`);
  return String(value);
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
const OFFSET = /^(?:Z|[+-](\d{2}):(\d{2}))$/;

function checkDateTimeText(text: unknown, where: string, offset: "required" | "forbidden"): string {
  if (typeof text !== "string") throw new TypeError(`${where}: expected a Date or an ISO 8601 string; got ${describe(text)}`);
  const match = DATE_TIME.exec(text);
  let valid = match !== null && checkCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) && checkTime(match[4] ?? "", match[5] ?? "", match[6]);
  if (valid && match) {
    const rest = text.slice(match[0].length);
    if (offset === "forbidden") valid = rest === "";
    else {
      const zone = OFFSET.exec(rest);
      valid = zone !== null && (zone[1] === undefined || (Number(zone[1]) <= 23 && Number(zone[2]) <= 59));
    }
  }
  if (!valid) {
    const form = offset === "required" ? "2024-01-02T03:04:05Z or ...+01:00" : "2024-01-02T03:04:05 (no offset)";
    throw new RangeError(`${where}: ${describe(text)} is not a valid date and time such as ${form}`);
  }
  return text;
}

const DURATION = /^-?P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`edm.binary(bytes): expected a Uint8Array, ArrayBuffer or typed array; got ${describe(value)}`);
}

/**
 * Values with an explicit EDM type, for where a JavaScript value alone does not say which literal
 * to write. Each function checks its input and throws a `RangeError` or `TypeError` that says what
 * was wrong.
 * @example
 * q.filter((f) => f.and(f.eq("id", edm.guid(id)), f.ge("createdOn", edm.date("2024-01-02")), f.lt("price", edm.decimal("9.99"))))
 */
export const edm = {
  /** Edm.String (the same as a plain string). */
  string(value: string): EdmValue {
    if (typeof value !== "string") throw new TypeError(`edm.string(value): expected a string; got ${describe(value)}`);
    checkWellFormed(value, "edm.string(value)");
    return makeEdmValue("Edm.String", value);
  },
  /** Edm.Boolean (the same as a plain boolean). */
  boolean(value: boolean): EdmValue {
    if (typeof value !== "boolean") throw new TypeError(`edm.boolean(value): expected a boolean; got ${describe(value)}`);
    return makeEdmValue("Edm.Boolean", String(value));
  },
  /** Edm.Byte: an integer 0..255. */
  byte(value: number): EdmValue {
    return makeEdmValue("Edm.Byte", checkInteger(value, "edm.byte(value)", 0, 255));
  },
  /** Edm.SByte: an integer -128..127. */
  sbyte(value: number): EdmValue {
    return makeEdmValue("Edm.SByte", checkInteger(value, "edm.sbyte(value)", -128, 127));
  },
  /** Edm.Int16: an integer -32768..32767. */
  int16(value: number): EdmValue {
    return makeEdmValue("Edm.Int16", checkInteger(value, "edm.int16(value)", -32768, 32767));
  },
  /** Edm.Int32: a 32-bit integer. */
  int32(value: number): EdmValue {
    return makeEdmValue("Edm.Int32", checkInteger(value, "edm.int32(value)", INT32_MIN, INT32_MAX));
  },
  /** Edm.Int64 from a bigint, a safe integer or a digit string (v2 writes `123L`). */
  int64(value: bigint | number | string): EdmValue {
    return makeEdmValue("Edm.Int64", checkInt64(value, "edm.int64(value)"));
  },
  /**
   * Edm.Decimal from a decimal string such as `"1.10"` or `"1.5e3"` (kept exactly; the OData ABNF's
   * decimalValue, `"NaN"`, `"INF"` and `"-INF"` included), a finite number or a bigint. v4 writes it
   * as it is (with a lower-case `e`); v2, whose decimal literal has no exponent, writes the same
   * value in plain digits with `M`: `edm.decimal("1.5e3")` is `1500M`.
   */
  decimal(value: string | number | bigint): EdmValue {
    return makeEdmValue("Edm.Decimal", checkDecimal(value));
  },
  /** Edm.Double: any number, or `"INF"`, `"-INF"`, `"NaN"` (v2 writes `1.5d`). */
  double(value: number | "INF" | "-INF" | "NaN"): EdmValue {
    return makeEdmValue("Edm.Double", checkFloat(value, "edm.double(value)"));
  },
  /** Edm.Single: any number, or `"INF"`, `"-INF"`, `"NaN"` (v2 writes `1.5f`). */
  single(value: number | "INF" | "-INF" | "NaN"): EdmValue {
    return makeEdmValue("Edm.Single", checkFloat(value, "edm.single(value)"));
  },
  /** Edm.Guid from `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (v4 plain, v2 `guid'...'`). */
  guid(value: string): EdmValue {
    if (typeof value !== "string" || !GUID.test(value)) {
      throw new RangeError(`edm.guid(value): ${describe(value)} is not a GUID such as "01234567-89ab-cdef-0123-456789abcdef"`);
    }
    return makeEdmValue("Edm.Guid", value.toLowerCase());
  },
  /**
   * Edm.Date from `YYYY-MM-DD` or a `Date` (its UTC calendar day). v2 has no Edm.Date and writes
   * `datetime'YYYY-MM-DDT00:00:00'`.
   */
  date(value: string | Date): EdmValue {
    const text = value instanceof Date ? isoFromDate(value, "edm.date(value)").slice(0, 10) : value;
    const match = typeof text === "string" ? DATE.exec(text) : null;
    if (!match || !checkCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
      throw new RangeError(`edm.date(value): ${describe(value)} is not a calendar date such as "2024-01-02"`);
    }
    return makeEdmValue("Edm.Date", text as string);
  },
  /**
   * Edm.DateTimeOffset from a `Date` (written in UTC with `Z`) or an ISO 8601 string with `Z` or an
   * offset. v4 writes it plain, v2 as `datetimeoffset'...'`.
   */
  dateTimeOffset(value: Date | string): EdmValue {
    const where = "edm.dateTimeOffset(value)";
    const text = value instanceof Date ? isoFromDate(value, where) : checkDateTimeText(value, where, "required");
    return makeEdmValue("Edm.DateTimeOffset", text);
  },
  /**
   * Edm.DateTime, the OData v2 date-and-time type without offset: `datetime'2024-01-02T03:04:05'`.
   * A `Date` is written in UTC. Not available in v4 (use {@link edm.dateTimeOffset}).
   */
  dateTime(value: Date | string): EdmValue {
    const where = "edm.dateTime(value)";
    const text = value instanceof Date ? isoFromDate(value, where).slice(0, -1) : checkDateTimeText(value, where, "forbidden");
    return makeEdmValue("Edm.DateTime", text);
  },
  /** Edm.TimeOfDay from `hh:mm` or `hh:mm:ss[.fff]` (v2 writes `time'PT13H20M00S'`). */
  timeOfDay(value: string): EdmValue {
    const match = typeof value === "string" ? /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?$/.exec(value) : null;
    if (!match || !checkTime(match[1] ?? "", match[2] ?? "", match[3])) {
      throw new RangeError(`edm.timeOfDay(value): ${describe(value)} is not a time of day such as "13:20" or "13:20:05.5"`);
    }
    return makeEdmValue("Edm.TimeOfDay", match[3] === undefined ? `${value}:00` : value);
  },
  /** Edm.Duration from an ISO 8601 duration such as `"P1DT2H"` (v4 `duration'...'`, v2 `time'...'`). */
  duration(value: string): EdmValue {
    if (typeof value !== "string" || !DURATION.test(value) || /^-?P(T)?$/.test(value) || value.endsWith("T")) {
      throw new RangeError(`edm.duration(value): ${describe(value)} is not an ISO 8601 duration such as "P1DT2H30M"`);
    }
    return makeEdmValue("Edm.Duration", value);
  },
  /** Edm.Binary from bytes (v4 `binary'<base64url>'`, v2 `X'<hex>'`). */
  binary(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): EdmValue {
    return makeEdmValue("Edm.Binary", bytesToHex(toBytes(bytes)));
  },
  /**
   * A member (or, for flags, several members) of an enumeration type: `NS.Color'Red'`. OData v4 only.
   * @example edm.enumMember("Sales.Color", "Red"); edm.enumMember("Sales.Access", ["Read", "Write"])
   */
  enumMember(type: string, member: string | number | readonly (string | number)[]): EdmValue {
    checkQualifiedName(type, "edm.enumMember(type)");
    const members = Array.isArray(member) ? member : [member];
    if (members.length === 0) throw new RangeError("edm.enumMember(member): name at least one member");
    const names = members.map((name: unknown) =>
      typeof name === "number" && Number.isSafeInteger(name) ? String(name) : checkIdentifier(name, "edm.enumMember(member)"),
    );
    return makeEdmValue("Enum", `${type}'${names.join(",")}'`);
  },
} as const;
