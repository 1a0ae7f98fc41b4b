import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, createFilterBuilder, edm, type FilterBuilder, type FilterExpression } from "../src/index.js";
import { formatLiteral } from "../src/query/literals.js";
import { answerJson, serveClient } from "./servers/recording-server.js";

interface Order {
  id: number;
  status: string;
  total: number;
  placed: Date;
  customer: { name: string; city: string };
  items: { sku: string; qty: number }[];
  tags: string[];
  color: string;
}

const v4 = createFilterBuilder<Order>("4.0");
const v401 = createFilterBuilder<Order>("4.01");
const v2 = createFilterBuilder<Order>("2.0");

function lit(value: unknown, version: "2.0" | "4.0" | "4.01"): string {
  return formatLiteral(value, version);
}

function text(expression: FilterExpression): string {
  return String(expression);
}

describe("literals of plain JavaScript values", () => {
  test("a string is quoted with single quotes doubled", () => {
    assert.equal(lit("O'Brien", "4.0"), "'O''Brien'");
    assert.equal(lit("''", "2.0"), "''''''");
    assert.equal(lit("", "4.0"), "''");
  });

  test("booleans and null are keywords", () => {
    assert.equal(lit(true, "4.0"), "true");
    assert.equal(lit(false, "2.0"), "false");
    assert.equal(lit(null, "2.0"), "null");
  });

  test("an Int32-sized integer is written plain in both versions", () => {
    assert.equal(lit(42, "4.0"), "42");
    assert.equal(lit(-2147483648, "2.0"), "-2147483648");
    assert.equal(lit(-0, "2.0"), "0");
  });

  test("an integer beyond Int32 is plain in v4 and gets L in v2", () => {
    assert.equal(lit(2 ** 40, "4.0"), "1099511627776");
    assert.equal(lit(2 ** 40, "2.0"), "1099511627776L");
  });

  test("a bigint is an Int64 literal", () => {
    assert.equal(lit(9223372036854775807n, "4.0"), "9223372036854775807");
    assert.equal(lit(-5n, "2.0"), "-5L");
    assert.throws(() => lit(9223372036854775808n, "4.0"), /outside the Edm.Int64 range/);
  });

  test("a non-integer number is a Double written without a type suffix in both versions", () => {
    assert.equal(lit(1.5, "4.0"), "1.5");
    assert.equal(lit(1.5, "2.0"), "1.5");
    assert.equal(lit(-0.25, "2.0"), "-0.25");
  });

  test("exponents are written as v4 and v2 grammars want them", () => {
    // v4 needs no sign on an exponent (SAP CAP refuses 1e+21).
    assert.equal(lit(1e21, "4.0"), "1e21");
    assert.equal(lit(-1.5e300, "4.0"), "-1.5e300");
    assert.equal(lit(1.5e-7, "4.0"), "0.00000015"); // SAP CAP refuses a signed exponent
    assert.equal(lit(1e21, "2.0"), "1.0E+21");
    assert.equal(lit(1.5e-7, "2.0"), "0.00000015");
  });

  test("a whole number beyond 2^53 is written as its exact digits in v4, not as the shortest digits that read back as the same double", () => {
    // String(2 ** 60) is 1152921504606847000: an Int64 of another value.
    assert.equal(lit(2 ** 60, "4.0"), "1152921504606846976");
    assert.equal(lit(-(2 ** 60), "4.0"), "-1152921504606846976");
    assert.equal(lit(2 ** 53 + 2, "4.0"), "9007199254740994");
    assert.equal(lit(2 ** 60, "2.0"), "1.152921504606847E+18");
  });

  test("NaN and the infinities are NaN, INF and -INF", () => {
    assert.equal(lit(Number.NaN, "4.0"), "NaN");
    assert.equal(lit(Infinity, "4.0"), "INF");
    assert.equal(lit(-Infinity, "4.0"), "-INF");
    assert.equal(lit(Number.NaN, "2.0"), "NaN");
    assert.equal(lit(-Infinity, "2.0"), "-INF");
  });

  test("a Date is a DateTimeOffset in UTC in v4, and v2's datetime'...' (UTC, no offset) in v2", () => {
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    assert.equal(lit(date, "4.0"), "2024-01-02T03:04:05.678Z");
    // Edm.DateTime is what v2 services accept for DateTime and DateTimeOffset properties alike;
    // datetimeoffset'...' is refused for an Edm.DateTime property (SAP CAP's v2 adapter: 400).
    assert.equal(lit(date, "2.0"), "datetime'2024-01-02T03:04:05.678'");
    assert.equal(lit(edm.dateTimeOffset(date), "2.0"), "datetimeoffset'2024-01-02T03:04:05.678Z'");
  });

  test("a Date in a v2 key and in a v2 function parameter is datetime'...' too", () => {
    const date = new Date(Date.UTC(2024, 0, 2));
    const v2Client = new ODataClient({ serviceUrl: "https://host/svc/", version: "2.0" });
    assert.equal(v2Client.collection("Slots").key(date).url(), "https://host/svc/Slots(datetime'2024-01-02T00:00:00.000')");
    assert.equal(v2Client.function("SlotsOn", { day: date }).url(), "https://host/svc/SlotsOn?day=datetime%272024-01-02T00:00:00.000%27");
  });

  test("an invalid Date is refused", () => {
    assert.throws(() => lit(new Date("nope"), "4.0"), /invalid Date/);
  });

  test("a Uint8Array is Binary: base64url in v4, X'hex' in v2", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0x01]);
    assert.equal(lit(bytes, "4.0"), "binary'-_8B'");
    assert.equal(lit(bytes, "2.0"), "X'FBFF01'");
  });

  test("values that have no literal are refused with a TypeError", () => {
    for (const bad of [undefined, {}, [], () => 1, Symbol("s")]) {
      assert.throws(() => lit(bad, "4.0"), TypeError);
    }
  });
});

describe("edm.* typed literals", () => {
  test("int64 from bigint, number or digit string (v2 adds L)", () => {
    assert.equal(lit(edm.int64("123"), "4.0"), "123");
    assert.equal(lit(edm.int64(123n), "2.0"), "123L");
    assert.equal(lit(edm.int64(-7), "2.0"), "-7L");
    assert.throws(() => edm.int64("12a"), /expected a 64-bit integer/);
    assert.throws(() => edm.int64(1.5), /expected a 64-bit integer/);
  });

  test("int32, int16, byte and sbyte check their ranges", () => {
    assert.equal(lit(edm.int32(5), "2.0"), "5");
    assert.equal(lit(edm.int16(-32768), "4.0"), "-32768");
    assert.equal(lit(edm.byte(255), "4.0"), "255");
    assert.equal(lit(edm.sbyte(-128), "2.0"), "-128");
    assert.throws(() => edm.int32(2 ** 31), /from -2147483648 to 2147483647/);
    assert.throws(() => edm.byte(256), /edm\.byte\(value\)/);
    assert.throws(() => edm.int16(1.5), /edm\.int16\(value\)/);
  });

  test("decimal keeps its digits exactly (v2 adds M)", () => {
    assert.equal(lit(edm.decimal("1.10"), "4.0"), "1.10");
    assert.equal(lit(edm.decimal("1.10"), "2.0"), "1.10M");
    assert.equal(lit(edm.decimal("+3"), "4.0"), "3");
    assert.equal(lit(edm.decimal(2.5), "2.0"), "2.5M");
    assert.equal(lit(edm.decimal(10n), "4.0"), "10");
  });

  test("decimal takes an exponent as the ABNF's decimalValue does: v4 writes it, v2 writes the plain digits", () => {
    // decimalValue = [ SIGN ] 1*DIGIT [ "." 1*DIGIT ] [ "e" [ SIGN ] 1*DIGIT ] / nanInfinity;
    // ABNF strings are case-insensitive, so "E" is allowed too; the canonical "e" is written.
    assert.equal(lit(edm.decimal("1e5"), "4.0"), "1e5");
    assert.equal(lit(edm.decimal("1.5E+1"), "4.0"), "1.5e1");
    assert.equal(lit(edm.decimal("-2.50e-3"), "4.01"), "-2.50e-3");
    assert.equal(lit(edm.decimal(1e21), "4.0"), "1e21");
    assert.equal(lit(edm.decimal(1e-9), "4.0"), "0.000000001");
    // OData v2's decimal literal has no exponent: the same value, digit for digit.
    assert.equal(lit(edm.decimal("1e5"), "2.0"), "100000M");
    assert.equal(lit(edm.decimal("1.5E+1"), "2.0"), "15M");
    assert.equal(lit(edm.decimal("-2.50e-3"), "2.0"), "-0.00250M");
    assert.equal(lit(edm.decimal("12.345e1"), "2.0"), "123.45M");
    assert.equal(lit(edm.decimal("0e0"), "2.0"), "0M");
  });

  test("decimal takes NaN, INF and -INF as the ABNF does (v4 only)", () => {
    assert.equal(lit(edm.decimal("NaN"), "4.0"), "NaN");
    assert.equal(lit(edm.decimal("INF"), "4.0"), "INF");
    assert.equal(lit(edm.decimal("-INF"), "4.01"), "-INF");
    assert.throws(
      () => lit(edm.decimal("INF"), "2.0"),
      (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && /INF/.test(error.message),
    );
  });

  test("decimal refuses what the ABNF does not accept", () => {
    for (const bad of ["1.2.3", "1e", "e5", "1e5.5", ".5", "5.", "1,5", " 1", "1 ", "0x10", "%2B1", "++1", "inf", "nan", "+INF", "1_000", "1e+-5", ""]) {
      assert.throws(() => edm.decimal(bad), /not a decimal number/, bad);
    }
    assert.throws(() => edm.decimal(Number.NaN), /must be finite/);
  });

  test("a v2 decimal whose exponent gives more than 29 digits on a side is refused", () => {
    assert.throws(() => lit(edm.decimal("1e29"), "2.0"), /29 digits/);
    assert.throws(() => lit(edm.decimal("1e-30"), "2.0"), /29 digits/);
    assert.throws(() => lit(edm.decimal("1e999999999"), "2.0"), /29 digits/);
    assert.equal(lit(edm.decimal("1e28"), "2.0"), `1${"0".repeat(28)}M`);
  });

  test("double and single (v2 adds d and f)", () => {
    assert.equal(lit(edm.double(2), "4.0"), "2");
    assert.equal(lit(edm.double(2), "2.0"), "2d");
    assert.equal(lit(edm.double(1e21), "2.0"), "1.0E+21d");
    assert.equal(lit(edm.double("INF"), "2.0"), "INFd");
    assert.equal(lit(edm.double("NaN"), "4.0"), "NaN");
    assert.equal(lit(edm.single(1.5), "4.0"), "1.5");
    assert.equal(lit(edm.single(1.5), "2.0"), "1.5f");
    assert.equal(lit(edm.single("-INF"), "2.0"), "-INFf");
    // The text of a number, as OData v2 services send a Double, is taken digit for digit; other text is not.
    assert.equal(lit(edm.double("1.50"), "2.0"), "1.50d");
    assert.throws(() => edm.double("x"), RangeError);
  });

  test("guid is plain in v4 and guid'...' in v2, lower-cased", () => {
    const id = edm.guid("0123ABCD-89ab-cdef-0123-456789ABCDEF");
    assert.equal(lit(id, "4.0"), "0123abcd-89ab-cdef-0123-456789abcdef");
    assert.equal(lit(id, "2.0"), "guid'0123abcd-89ab-cdef-0123-456789abcdef'");
  });

  test("guid refuses a value that is not a GUID", () => {
    assert.throws(() => edm.guid("0123abcd-89ab-cdef-0123-456789abcde"), /is not a GUID/);
    assert.throws(() => edm.guid("0123abcd-89ab-cdef-0123-456789abcdef') or (1 eq 1"), /is not a GUID/);
  });

  test("date is plain in v4 and a midnight datetime in v2", () => {
    assert.equal(lit(edm.date("2024-02-29"), "4.0"), "2024-02-29");
    assert.equal(lit(edm.date("2024-02-29"), "2.0"), "datetime'2024-02-29T00:00:00'");
    assert.equal(lit(edm.date(new Date(Date.UTC(2024, 4, 6, 23))), "4.0"), "2024-05-06");
  });

  test("date refuses impossible dates and other shapes", () => {
    assert.throws(() => edm.date("2023-02-29"), /not a calendar date/);
    assert.throws(() => edm.date("2024-13-01"), /not a calendar date/);
    assert.throws(() => edm.date("2024-1-2"), /not a calendar date/);
    assert.throws(() => edm.date(new Date(Number.NaN)), /invalid Date/);
  });

  test("dateTimeOffset is plain in v4 and datetimeoffset'...' in v2", () => {
    assert.equal(lit(edm.dateTimeOffset("2024-01-02T03:04:05+01:00"), "4.0"), "2024-01-02T03:04:05+01:00");
    assert.equal(lit(edm.dateTimeOffset("2024-01-02T03:04Z"), "2.0"), "datetimeoffset'2024-01-02T03:04Z'");
    assert.equal(lit(edm.dateTimeOffset(new Date(0)), "4.0"), "1970-01-01T00:00:00.000Z");
  });

  test("dateTimeOffset refuses a value without offset or with impossible parts", () => {
    assert.throws(() => edm.dateTimeOffset("2024-01-02T03:04:05"), /not a valid date and time/);
    assert.throws(() => edm.dateTimeOffset("2024-01-02T25:00:00Z"), /not a valid date and time/);
    assert.throws(() => edm.dateTimeOffset("2024-01-02T03:04:05Z' or 1 eq 1"), /not a valid date and time/);
  });

  test("dateTime is v2's datetime'...' and refused in v4", () => {
    assert.equal(lit(edm.dateTime("2024-01-02T03:04:05.123"), "2.0"), "datetime'2024-01-02T03:04:05.123'");
    assert.equal(lit(edm.dateTime(new Date(Date.UTC(2024, 0, 2))), "2.0"), "datetime'2024-01-02T00:00:00.000'");
    assert.throws(
      () => lit(edm.dateTime("2024-01-02T03:04:05"), "4.0"),
      (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION",
    );
    // The v2 reader's own text of a DateTime (UTC, with Z) is taken; another offset is not.
    assert.equal(lit(edm.dateTime("2024-01-02T03:04:05Z"), "2.0"), "datetime'2024-01-02T03:04:05'");
    assert.throws(() => edm.dateTime("2024-01-02T03:04:05+01:00"), /edm\.dateTimeOffset/);
  });

  test("timeOfDay is plain in v4 and time'PT..H..M..S' in v2", () => {
    assert.equal(lit(edm.timeOfDay("13:20"), "4.0"), "13:20:00");
    assert.equal(lit(edm.timeOfDay("13:20:05.5"), "4.0"), "13:20:05.5");
    assert.equal(lit(edm.timeOfDay("13:20:05"), "2.0"), "time'PT13H20M05S'");
    assert.throws(() => edm.timeOfDay("24:00"), /not a time of day/);
  });

  test("duration is duration'...' in v4 and time'...' in v2", () => {
    assert.equal(lit(edm.duration("P1DT2H30M"), "4.0"), "duration'P1DT2H30M'");
    assert.equal(lit(edm.duration("-PT0.5S"), "4.0"), "duration'-PT0.5S'");
    assert.equal(lit(edm.duration("P1Y2M"), "2.0"), "time'P1Y2M'");
  });

  test("duration refuses malformed text, and years or months in v4", () => {
    for (const bad of ["P", "PT", "P1DT", "1D", "P1H", "P1D'"]) assert.throws(() => edm.duration(bad), /not an ISO 8601 duration/);
    assert.throws(() => lit(edm.duration("P1Y"), "4.0"), /only days, hours, minutes and seconds/);
  });

  test("binary accepts Uint8Array, ArrayBuffer and other typed arrays", () => {
    assert.equal(lit(edm.binary(new Uint8Array([1, 2, 3])), "4.0"), "binary'AQID'");
    assert.equal(lit(edm.binary(new Uint8Array([1]).buffer), "2.0"), "X'01'");
    assert.equal(lit(edm.binary(new Uint16Array([0x0102])), "2.0"), "X'0201'");
    assert.throws(() => edm.binary("AQID" as never), /expected a Uint8Array/);
  });

  test("enumMember is Type'Member' in v4 (flags joined with commas) and refused in v2", () => {
    assert.equal(lit(edm.enumMember("Sales.Color", "Red"), "4.0"), "Sales.Color'Red'");
    assert.equal(lit(edm.enumMember("Sales.Access", ["Read", "Write"]), "4.01"), "Sales.Access'Read,Write'");
    assert.throws(
      () => lit(edm.enumMember("Sales.Color", "Red"), "2.0"),
      (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION",
    );
  });

  test("enumMember refuses a type or member that is not an identifier", () => {
    assert.throws(() => edm.enumMember("Color", "Red"), /qualified type name/);
    assert.throws(() => edm.enumMember("Sales.Color", "Red'"), /not an OData identifier/);
    assert.throws(() => edm.enumMember("Sales.Color", []), /name at least one member/);
  });

  test("an EdmValue cannot be made without an edm.* function", () => {
    const Ctor = edm.guid("01234567-89ab-cdef-0123-456789abcdef").constructor as new (...args: unknown[]) => unknown;
    assert.throws(() => new Ctor(Symbol("checked"), "Edm.Guid", "x') or true or ('"), /use the edm\.\* functions/);
  });

  test("string and boolean wrappers give the plain forms", () => {
    assert.equal(lit(edm.string("it's"), "2.0"), "'it''s'");
    assert.equal(lit(edm.boolean(false), "4.0"), "false");
  });
});

describe("comparison operators", () => {
  for (const op of ["eq", "ne", "gt", "ge", "lt", "le"] as const) {
    test(`${op} writes field ${op} literal`, () => {
      assert.equal(text(v4[op]("total", 10)), `total ${op} 10`);
    });
  }

  test("eq null compares with the null keyword", () => {
    assert.equal(text(v4.eq("status", null)), "status eq null");
  });

  test("paths, a field on the right and expressions on the left are allowed", () => {
    assert.equal(text(v4.eq("customer/city", "Oslo")), "customer/city eq 'Oslo'");
    assert.equal(text(v4.gt("total", v4.field("id"))), "total gt id");
    assert.equal(text(v4.eq(v4.tolower("status"), "open")), "tolower(status) eq 'open'");
  });

  test("in writes an OData 4.01 list; OData 4.0, which has no in, gets an or of eq", () => {
    assert.equal(text(v401.in("status", ["a", "b'c"])), "status in ('a','b''c')");
    assert.equal(text(v4.in("status", ["a", "b'c"])), "status eq 'a' or status eq 'b''c'");
    assert.equal(text(v4.and(v4.in("id", [1, 2]), v4.eq("status", "x"))), "(id eq 1 or id eq 2) and status eq 'x'");
  });

  test("in with an expression among its values becomes an or of eq in 4.01 too: the list of in holds literals only", () => {
    assert.equal(text(v401.in("total", [1, v401.field("id")])), "total eq 1 or total eq id");
    assert.equal(text(v401.in("total", [v401.add("id", 1)])), "total eq id add 1");
    // Typed values written as literals stay in the list.
    assert.equal(text(v401.in("id", [edm.int64(5n), edm.int64("9007199254740993")])), "id in (5,9007199254740993)");
  });

  test("in becomes an or of eq in v2", () => {
    assert.equal(text(v2.in("id", [1, 2, 3])), "id eq 1 or id eq 2 or id eq 3");
    assert.equal(text(v2.in("id", [1])), "id eq 1");
  });

  test("a compound left operand of in or has is parenthesised", () => {
    assert.equal(text(v401.in(v401.add("id", 1), [2, 3])), "(id add 1) in (2,3)");
    assert.equal(text(v401.in(v401.tolower("status"), ["a"])), "tolower(status) in ('a')");
    assert.equal(text(v4.in(v4.add("id", 1), [2, 3])), "id add 1 eq 2 or id add 1 eq 3");
    assert.equal(text(v4.has(v4.raw("color"), edm.enumMember("Sales.Color", "Red"))), "(color) has Sales.Color'Red'");
  });

  test("in with an empty list is false", () => {
    assert.equal(text(v4.in("id", [])), "false");
    assert.equal(text(v2.in("id", [])), "false");
  });

  test("has compares enumeration flags in v4 and is refused in v2", () => {
    assert.equal(text(v4.has("color", edm.enumMember("Sales.Color", "Red"))), "color has Sales.Color'Red'");
    assert.throws(() => v2.has("color", edm.enumMember("Sales.Color", "Red")), (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION");
  });
});

describe("string matching", () => {
  test("contains is contains() in v4 and substringof() eq true in v2", () => {
    assert.equal(text(v4.contains("status", "pen")), "contains(status,'pen')");
    assert.equal(text(v2.contains("status", "pen")), "substringof('pen',status) eq true");
  });

  test("startsWith and endsWith are plain calls in v4 and compared with true in v2", () => {
    assert.equal(text(v4.startsWith("status", "op")), "startswith(status,'op')");
    assert.equal(text(v4.endsWith("status", "en")), "endswith(status,'en')");
    assert.equal(text(v2.startsWith("status", "op")), "startswith(status,'op') eq true");
    assert.equal(text(v2.endsWith("status", "en")), "endswith(status,'en') eq true");
  });
});

describe("logical operators and precedence", () => {
  test("and joins comparisons without parentheses", () => {
    assert.equal(text(v4.and(v4.eq("id", 1), v4.gt("total", 2))), "id eq 1 and total gt 2");
  });

  test("an or inside an and is parenthesised", () => {
    const expression = v4.and(v4.or(v4.eq("id", 1), v4.eq("id", 2)), v4.eq("status", "x"));
    assert.equal(text(expression), "(id eq 1 or id eq 2) and status eq 'x'");
  });

  test("an and inside an or needs no parentheses", () => {
    assert.equal(text(v4.or(v4.and(v4.eq("id", 1), v4.eq("id", 2)), v4.eq("id", 3))), "id eq 1 and id eq 2 or id eq 3");
  });

  test("the v2 in expansion is parenthesised inside an and", () => {
    assert.equal(text(v2.and(v2.in("id", [1, 2]), v2.eq("status", "x"))), "(id eq 1 or id eq 2) and status eq 'x'");
  });

  test("not wraps anything but a primary expression in parentheses", () => {
    assert.equal(text(v4.not(v4.contains("status", "x"))), "not contains(status,'x')");
    assert.equal(text(v4.not(v4.eq("id", 1))), "not (id eq 1)");
    assert.equal(text(v2.not(v2.startsWith("status", "x"))), "not (startswith(status,'x') eq true)");
  });

  test("and() and or() with no arguments are true and false; with one they are that expression", () => {
    assert.equal(text(v4.and()), "true");
    assert.equal(text(v4.or()), "false");
    assert.equal(text(v4.and(v4.eq("id", 1))), "id eq 1");
  });

  test("raw text is always parenthesised when composed", () => {
    assert.equal(text(v4.and(v4.raw("a eq 1 or b eq 2"), v4.eq("id", 3))), "(a eq 1 or b eq 2) and id eq 3");
  });

  test("logical operators refuse plain strings", () => {
    assert.throws(() => v4.and("id eq 1" as never), /wrap hand-written text in f\.raw\(\)/);
  });
});

describe("lambda operators", () => {
  test("any prefixes fields with the lambda variable", () => {
    assert.equal(text(v4.any("items", (i) => i.gt("qty", 2))), "items/any(i:i/qty gt 2)");
  });

  test("all requires the predicate for every member", () => {
    assert.equal(text(v4.all("items", (i) => i.eq("sku", "x"))), "items/all(i:i/sku eq 'x')");
  });

  test("any without a predicate tests for a non-empty collection", () => {
    assert.equal(text(v4.any("items")), "items/any()");
  });

  test("self refers to the lambda variable of a primitive collection", () => {
    assert.equal(text(v4.any("tags", (t) => t.eq(t.self, "new"))), "tags/any(t:t eq 'new')");
  });

  test("the outer builder inside a lambda refers to the entity being filtered", () => {
    const expression = v4.any("items", (i) => v4.and(i.gt("qty", v4.field("total")), v4.eq("status", "open")));
    assert.equal(text(expression), "items/any(i:i/qty gt total and status eq 'open')");
  });

  test("$it/... and $this/... name the entity filtered inside a lambda too: no lambda variable goes before them", () => {
    const expression = v401.any("items", (i) => i.and(i.ge("qty", 4), i.lt("$it/total", 4), i.gt("qty", i.field("$this/total"))));
    assert.equal(text(expression), "items/any(i:i/qty ge 4 and $it/total lt 4 and i/qty gt $this/total)");
    assert.equal(text(v4.eq("$it/status", "open")), "$it/status eq 'open'");
  });

  test("OData v2 has no $count, $it or $this in an expression or $orderby: refused before anything is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const books = client.collection("Books");
    for (const [path, build] of [
      ["reviews/$count", () => books.filter((f) => f.ge("reviews/$count", 2)).url()],
      ["$it/ID", () => books.filter((f) => f.eq("$it/ID", 1)).url()],
      ["reviews/$count", () => books.orderBy("reviews/$count").url()],
    ] as const) {
      assert.throws(build, (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && error.message.includes(`the path ${path} does not exist in OData 2.0`), path);
    }
    await books.orderBy("title").page();
    assert.deepEqual(server.requests.map((r) => decodeURIComponent(r.path)), ["/odata/Books?$orderby=title"]);
  });

  test("nested lambdas get distinct variable names", () => {
    type Node = { children: Node[]; name: string };
    const f = createFilterBuilder<Node>("4.0");
    const expression = f.any("children", (c) => c.any("children", (d) => d.eq("name", "x")));
    assert.equal(text(expression), "children/any(c:c/children/any(c1:c1/name eq 'x'))");
  });

  test("the variable name can be chosen and must be an identifier", () => {
    assert.equal(text(v4.any("items", (x) => x.eq("sku", "a"), { as: "item" })), "items/any(item:item/sku eq 'a')");
    assert.throws(() => v4.any("items", (x) => x.eq("sku", "a"), { as: "i:i" }), /not an OData identifier/);
  });

  test("self outside a lambda is an error", () => {
    assert.throws(() => v4.self, (error: unknown) => error instanceof ODataClientError && error.code === "NOT_IN_LAMBDA");
  });

  test("lambda operators are refused in v2", () => {
    assert.throws(() => v2.any("items", (i) => i.eq("sku", "x")), (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION");
    assert.throws(() => v2.all("items", (i) => i.eq("sku", "x")), /does not exist in OData 2\.0/);
  });
});

describe("arithmetic", () => {
  test("add, sub, mul, div and mod write the operators", () => {
    assert.equal(text(v4.add("total", 1)), "total add 1");
    assert.equal(text(v4.sub("total", 1)), "total sub 1");
    assert.equal(text(v4.mul("total", 2)), "total mul 2");
    assert.equal(text(v4.div("total", 2)), "total div 2");
    assert.equal(text(v4.mod("id", 2)), "id mod 2");
  });

  test("arithmetic operands are parenthesised by precedence", () => {
    assert.equal(text(v4.mul(v4.add("total", 1), 2)), "(total add 1) mul 2");
    assert.equal(text(v4.add(v4.mul("total", 2), 1)), "total mul 2 add 1");
    assert.equal(text(v4.sub("total", v4.sub("id", 1))), "total sub (id sub 1)");
    assert.equal(text(v4.gt(v4.mod("id", 2), 0)), "id mod 2 gt 0");
  });

  test("a comparison inside a comparison is parenthesised", () => {
    assert.equal(text(v4.eq(v4.eq("id", 1), true)), "(id eq 1) eq true");
  });

  test("v2 arithmetic uses v2 literals", () => {
    assert.equal(text(v2.add("total", edm.double(1.5))), "total add 1.5d");
  });
});

describe("functions", () => {
  test("string functions", () => {
    assert.equal(text(v4.tolower("status")), "tolower(status)");
    assert.equal(text(v4.toupper("status")), "toupper(status)");
    assert.equal(text(v4.trim("status")), "trim(status)");
    assert.equal(text(v4.length("status")), "length(status)");
    assert.equal(text(v4.indexof("status", "x")), "indexof(status,'x')");
    assert.equal(text(v4.substring("status", 1)), "substring(status,1)");
    assert.equal(text(v4.substring("status", 1, 2)), "substring(status,1,2)");
    assert.equal(text(v4.concat("status", v4.field("customer/name"))), "concat(status,customer/name)");
    assert.equal(text(v2.concat("status", "!")), "concat(status,'!')");
  });

  test("date parts exist in both versions", () => {
    for (const name of ["year", "month", "day", "hour", "minute", "second"] as const) {
      assert.equal(text(v4[name]("placed")), `${name}(placed)`);
      assert.equal(text(v2[name]("placed")), `${name}(placed)`);
    }
  });

  test("date, time and now exist in v4 only", () => {
    assert.equal(text(v4.date("placed")), "date(placed)");
    assert.equal(text(v4.time("placed")), "time(placed)");
    assert.equal(text(v4.lt("placed", v4.now())), "placed lt now()");
    for (const call of [() => v2.date("placed"), () => v2.time("placed"), () => v2.now()]) {
      assert.throws(call, (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION");
    }
  });

  test("math functions", () => {
    assert.equal(text(v4.round("total")), "round(total)");
    assert.equal(text(v4.floor("total")), "floor(total)");
    assert.equal(text(v4.ceiling("total")), "ceiling(total)");
  });

  test("isof and cast write the type name plain in v4 and quoted in v2", () => {
    assert.equal(text(v4.isof("Sales.BigOrder")), "isof(Sales.BigOrder)");
    assert.equal(text(v4.isof("customer", "Sales.VipCustomer")), "isof(customer,Sales.VipCustomer)");
    assert.equal(text(v4.eq(v4.cast("total", "Edm.Int64"), 3)), "cast(total,Edm.Int64) eq 3");
    assert.equal(text(v2.isof("Sales.BigOrder")), "isof('Sales.BigOrder')");
    assert.equal(text(v2.cast("total", "Edm.Int64")), "cast(total,'Edm.Int64')");
  });

  test("isof and cast refuse type names that are not qualified names", () => {
    assert.throws(() => v4.isof("Order"), /qualified type name/);
    assert.throws(() => v4.cast("total", "Edm.Int64) or (1"), /qualified type name/);
  });

  test("literal gives the literal alone for hand-written expressions", () => {
    assert.equal(text(v4.literal("O'Brien")), "'O''Brien'");
    assert.equal(text(v2.literal(edm.guid("01234567-89ab-cdef-0123-456789abcdef"))), "guid'01234567-89ab-cdef-0123-456789abcdef'");
  });
});

describe("field validation", () => {
  test("a field that is an expression in disguise is refused", () => {
    for (const bad of ["Name eq 'x' or 1 eq 1", "a)", "a b", "a/", "/a", "a//b", "1a", "a'", "a&b", "", "a,b"]) {
      assert.throws(() => v4.eq(bad as never, 1), TypeError, bad);
    }
  });

  test("paths with type casts, $count and unicode identifiers are accepted", () => {
    assert.equal(text(v4.eq("customer/Sales.Vip/level" as never, 1)), "customer/Sales.Vip/level eq 1");
    assert.equal(text(v4.gt("items/$count", 2)), "items/$count gt 2");
    assert.equal(text(createFilterBuilder("4.0").eq("Straße", "x")), "Straße eq 'x'");
  });

  test("a non-string field is refused", () => {
    assert.throws(() => v4.eq(42 as never, 1), /must be a non-empty string/);
  });
});

describe("the builder inside a query", () => {
  test("filter((f) => ...) gets a builder for the client's version", () => {
    let seen: FilterBuilder<Order> | undefined;
    const client = new ODataClient({ serviceUrl: "http://example.test/", version: "2.0" });
    const url = client
      .collection<Order>("Orders")
      .filter((f) => {
        seen = f;
        return f.contains("status", "x");
      })
      .url();
    assert.equal(seen?.version, "2.0");
    assert.equal(new URL(url).searchParams.get("$filter"), "substringof('x',status) eq true");
  });

  test("the builder's field names are checked against T by the compiler", () => {
    // @ts-expect-error "stat" is not a field of Order
    assert.throws(() => v4.eq("stat us", 1), TypeError);
    // @ts-expect-error "nme" is not a field of the customer type
    v4.eq("customer/nme", "x");
    // @ts-expect-error "quantity" is not a field of an item
    v4.any("items", (i) => i.gt("quantity", 1));
  });
});
