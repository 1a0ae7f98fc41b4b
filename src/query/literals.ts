/**
 * Typed OData literals: the `edm.*` wrappers say the EDM type explicitly where JavaScript has no
 * matching value (Int64, Decimal, Guid, Date, Duration, enums...). Every wrapper validates its input
 * when it is made, so a literal can only ever contain what its type allows; each value writes its
 * literal in the form of the client's version. The checks and the literal forms are in
 * `edm-text.ts`; plain JavaScript values are written by `literal-format.ts`, which a program that
 * never uses `edm` loads alone.
 */
import type { ODataVersion } from "../options.js";
import { edmText, formatTypedText } from "./edm-text.js";
import { formatLiteral, WRITE_LITERAL, type EdmTypeName } from "./literal-format.js";
import { isIdentifier } from "../util/identifiers.js";
import { describe } from "../util/values.js";

export type { EdmTypeName } from "./literal-format.js";
export { decimalWithoutExponent, formatLiteral, isEdmValue } from "./literal-format.js";

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
  /**
   * Makes the type nominal in the declarations the package ships, where the member above is left
   * out: without it a look-alike `{ type, text }` (a JSON copy of a value) type-checks as an
   * `EdmValue`, and `key()` writes its members as a key of two parts. Nothing at run time.
   */
  declare private readonly madeByEdm: never;

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
    Object.defineProperty(this, WRITE_LITERAL, { value: (version: ODataVersion) => formatTypedText(this.type, this.text, version) });
  }

  /** The value as an OData v4 literal (for reading and debugging; queries use the client's version). */
  toString(): string {
    return formatLiteral(this, "4.0");
  }

}

/** A JavaScript value that can be written as an OData literal. */
export type LiteralValue = string | number | bigint | boolean | null | Date | Uint8Array | EdmValue;

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
    return makeEdmValue("Edm.String", edmText.string(value));
  },
  /** Edm.Boolean (the same as a plain boolean). */
  boolean(value: boolean): EdmValue {
    return makeEdmValue("Edm.Boolean", edmText.boolean(value));
  },
  /** Edm.Byte: an integer 0..255. */
  byte(value: number): EdmValue {
    return makeEdmValue("Edm.Byte", edmText.byte(value));
  },
  /** Edm.SByte: an integer -128..127. */
  sbyte(value: number): EdmValue {
    return makeEdmValue("Edm.SByte", edmText.sbyte(value));
  },
  /** Edm.Int16: an integer -32768..32767. */
  int16(value: number): EdmValue {
    return makeEdmValue("Edm.Int16", edmText.int16(value));
  },
  /** Edm.Int32: a 32-bit integer. */
  int32(value: number): EdmValue {
    return makeEdmValue("Edm.Int32", edmText.int32(value));
  },
  /** Edm.Int64 from a bigint, a safe integer or a digit string (v2 writes `123L`). */
  int64(value: bigint | number | string): EdmValue {
    return makeEdmValue("Edm.Int64", edmText.int64(value));
  },
  /**
   * Edm.Decimal from a decimal string such as `"1.10"` or `"1.5e3"` (kept exactly; the OData ABNF's
   * decimalValue, `"NaN"`, `"INF"` and `"-INF"` included), a finite number or a bigint (as its
   * `String()`, but below 1e-6 in plain digits: `1e-7` is `0.0000001`). v4 writes it as it is (with a
   * lower-case `e`); v2, whose decimal literal has no exponent, writes the same value in plain digits
   * with `M`: `edm.decimal("1.5e3")` is `1500M`.
   */
  decimal(value: string | number | bigint): EdmValue {
    return makeEdmValue("Edm.Decimal", edmText.decimal(value));
  },
  /**
   * Edm.Double: any number, `"INF"`, `"-INF"`, `"NaN"`, or the text of a number, as OData v2
   * services (SAP Gateway, SAP CAP's v2 adapter) send a Double and the reader gives it: `"0.1"`,
   * `"1.5e3"`, written as given (v2 writes `1.5d`, `1.5E+3d`). Other text is refused.
   * @example q.filter((f) => f.eq("Weight", edm.double(row.Weight)))
   */
  double(value: number | string): EdmValue {
    return makeEdmValue("Edm.Double", edmText.double(value));
  },
  /** Edm.Single: as {@link edm.double} (v2 writes `1.5f`). */
  single(value: number | string): EdmValue {
    return makeEdmValue("Edm.Single", edmText.single(value));
  },
  /** Edm.Guid from `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (v4 plain, v2 `guid'...'`). */
  guid(value: string): EdmValue {
    return makeEdmValue("Edm.Guid", edmText.guid(value));
  },
  /**
   * Edm.Date from `YYYY-MM-DD` or a `Date` (its UTC calendar day). v2 has no Edm.Date and writes
   * `datetime'YYYY-MM-DDT00:00:00'`.
   */
  date(value: string | Date): EdmValue {
    return makeEdmValue("Edm.Date", edmText.date(value));
  },
  /**
   * Edm.DateTimeOffset from a `Date` (written in UTC with `Z`) or an ISO 8601 string with `Z` or an
   * offset. v4 writes it plain, v2 as `datetimeoffset'...'`.
   */
  dateTimeOffset(value: Date | string): EdmValue {
    return makeEdmValue("Edm.DateTimeOffset", edmText.dateTimeOffset(value));
  },
  /**
   * Edm.DateTime, the OData v2 date-and-time type without offset: `datetime'2024-01-02T03:04:05'`.
   * A `Date` is written in UTC. A string may end in `Z` (or `+00:00`), as the v2 reader gives these
   * values: `edm.dateTime(row.ValidFrom)` with `"2023-11-14T22:13:20Z"` is
   * `datetime'2023-11-14T22:13:20'`; another offset is refused. Not available in v4 (use
   * {@link edm.dateTimeOffset}).
   */
  dateTime(value: Date | string): EdmValue {
    return makeEdmValue("Edm.DateTime", edmText.dateTime(value));
  },
  /** Edm.TimeOfDay from `hh:mm` or `hh:mm:ss[.fff]` (v2 writes `time'PT13H20M00S'`). */
  timeOfDay(value: string): EdmValue {
    return makeEdmValue("Edm.TimeOfDay", edmText.timeOfDay(value));
  },
  /** Edm.Duration from an ISO 8601 duration such as `"P1DT2H"` (v4 `duration'...'`, v2 `time'...'`). */
  duration(value: string): EdmValue {
    return makeEdmValue("Edm.Duration", edmText.duration(value));
  },
  /** Edm.Binary from bytes (v4 `binary'<base64url>'`, v2 `X'<hex>'`). */
  binary(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): EdmValue {
    return makeEdmValue("Edm.Binary", edmText.binary(bytes));
  },
  /**
   * A member (or, for flags, several members) of an enumeration type: `NS.Color'Red'`. OData v4 only.
   * Several members are an array, or the text of a flags value, names (or values) separated by
   * commas, as services send it and a generated type has it: `"Read, Write"` is `["Read", "Write"]`.
   * @example edm.enumMember("Sales.Color", "Red"); edm.enumMember("Sales.Access", ["Read", "Write"]); edm.enumMember("Sales.Access", row.Access)
   */
  enumMember(type: string, member: string | number | readonly (string | number)[]): EdmValue & { readonly type: "Enum" } {
    if (typeof member === "string") {
      const members = member.split(",").map((part) => (/^\s*-?\d+\s*$/.test(part) ? Number(part) : part.trim()));
      if (!members.every((each) => (typeof each === "number" ? Number.isSafeInteger(each) : isIdentifier(each)))) {
        throw new TypeError(`edm.enumMember(member): ${describe(member)} is not an OData identifier (a member's name), an integer (its value), nor such separated by commas ("Read, Write"); or give an array: ["Read", "Write"]`);
      }
      member = members;
    }
    return makeEdmValue("Enum", edmText.enumMember(type, member)) as EdmValue & { readonly type: "Enum" };
  },
} as const;
