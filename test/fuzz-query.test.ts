/**
 * Fuzzing of the query layer's promise (spec/client.md): the filter builder, keys and function
 * parameters write every value as ONE literal of the client's version, which reads back as the value
 * given, and no value can leave its literal, its path segment or its query option.
 *
 * Inputs come from a seeded PRNG (the mulberry32 of the bench), so every run builds the same ones and
 * a failure names the seed, the input number and the input. Nothing is sent: `url()` builds the URL,
 * which the test reads back as a service would (`new URL`, `searchParams`, `decodeURIComponent`),
 * then splits the OData expression with a small tokenizer of its own and compares the tokens with the
 * structure it built: the field, the operator, and exactly one literal per value, each of which must
 * decode to the value given. Values that have no literal must throw a `TypeError`, `RangeError` or
 * `UNSUPPORTED_BY_VERSION` naming the problem instead of giving a URL.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataClientError, edm, type FilterBuilder, type FilterExpression } from "../src/index.js";
import type { EdmValue } from "../src/query/literals.js";
import { Random } from "./fuzz-random.js";

const SERVICE = "https://example.com/odata/";
const SEEDS = [1, 2, 3, 42, 1182, 7919, 20240102, 0xdecaf] as const;
const VERSIONS = ["4.0", "2.0", "4.01"] as const;
type Version = (typeof VERSIONS)[number];

const clients: Record<Version, ODataClient> = {
  "4.0": new ODataClient({ serviceUrl: SERVICE }),
  "2.0": new ODataClient({ serviceUrl: SERVICE, version: "2.0" }),
  "4.01": new ODataClient({ serviceUrl: SERVICE, version: "4.01" }),
};

// --- showing inputs -------------------------------------------------------------------------------

/** A value as a failure message shows it: strings escaped, bigints, Dates and typed values named. */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : `Date(${value.getTime()})`;
  if (value instanceof Uint8Array) return `Uint8Array[${[...value].join(",")}]`;
  if (isEdm(value)) return `edm<${value.type}>(${JSON.stringify(value.text)})`;
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "object" && value !== null) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${show(v)}`).join(", ")}}`;
  return String(value);
}

function isEdm(value: unknown): value is EdmValue {
  return typeof value === "object" && value !== null && "type" in value && "text" in value && !(value instanceof Date);
}

// --- the tokenizer --------------------------------------------------------------------------------

/** One token of an OData expression, key predicate or parameter list. */
type Token =
  | { kind: "string"; text: string } // '...' with '' undone
  | { kind: "typed"; prefix: string; text: string } // datetime'...', guid'...', X'...', NS.Color'...', '' undone
  | { kind: "number"; text: string } // 12, -1.5e+3, 12L, 1.0E+21d, 1500M, NaN, INF, -INF
  | { kind: "bare"; text: string } // v4 GUID, date, date-time with offset, time of day
  | { kind: "name"; text: string } // identifiers and paths (Author/Name, Tags/any), eq, and, true, null
  | { kind: "punct"; text: string };

const TOKEN_RULES: readonly [Token["kind"], RegExp][] = [
  ["string", /'((?:[^']|'')*)'/y],
  ["bare", /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w.:-])/y],
  ["bare", /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?(?![\w.:-])/y],
  ["bare", /\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?![\w.:])/y],
  ["number", /-?(?:INF|NaN|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[LMdf]?(?![\w.])/y],
  ["typed", /([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)'((?:[^']|'')*)'/y],
  ["name", /[A-Za-z_$]\w*(?:[./][A-Za-z_$]\w*)*/y],
  ["punct", /[(),:/=@]/y],
];

/** Splits `text` into tokens; single spaces separate them, anything else outside a literal is an error. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  next: while (at < text.length) {
    if (text[at] === " " && at > 0 && text[at + 1] !== " " && at + 1 < text.length) {
      at++;
      continue;
    }
    for (const [kind, rule] of TOKEN_RULES) {
      rule.lastIndex = at;
      const match = rule.exec(text);
      if (!match) continue;
      at = rule.lastIndex;
      if (kind === "string") tokens.push({ kind, text: match[1]!.replaceAll("''", "'") });
      else if (kind === "typed") tokens.push({ kind, prefix: match[1]!, text: match[2]!.replaceAll("''", "'") });
      else tokens.push({ kind, text: match[0] });
      continue next;
    }
    throw new Error(`no token at character ${at + 1} of ${JSON.stringify(text)}: ${JSON.stringify(text.slice(at, at + 20))}`);
  }
  return tokens;
}

// --- values and what their literal must read back as ----------------------------------------------

/**
 * A generated value with the check of the token that must carry it: `undefined` when the token
 * reads back as the value, otherwise what is wrong. `writable(v2)` is false for values the version
 * has no literal for (they belong to the error tests).
 */
interface Val {
  readonly value: unknown;
  readonly check: (token: Token, v2: boolean) => string | undefined;
  readonly writable: (v2: boolean) => boolean;
}

const always = (): boolean => true;
const onlyV4 = (v2: boolean): boolean => !v2;
const onlyV2 = (v2: boolean): boolean => v2;

function expectToken(token: Token, kind: Token["kind"], text: string, prefix?: string): string | undefined {
  if (token.kind !== kind) return `expected a ${kind} token, got ${JSON.stringify(token)}`;
  if (prefix !== undefined && (token.kind !== "typed" || token.prefix !== prefix)) return `expected the prefix ${prefix}, got ${JSON.stringify(token)}`;
  return token.text === text ? undefined : `expected ${JSON.stringify(text)}, got ${JSON.stringify(token.text)}`;
}

/** The v4 plain form or the v2 typed form, whichever the version writes. */
function versioned(token: Token, v2: boolean, v4Kind: Token["kind"], v4Text: string, v2Prefix: string, v2Text: string): string | undefined {
  return v2 ? expectToken(token, "typed", v2Text, v2Prefix) : expectToken(token, v4Kind, v4Text);
}

// Pieces of hostile strings: the literal's quote, URL and query syntax, OData operators, controls,
// surrogate pairs, bidi marks.
const PIECES = [
  "'", "''", "'''", '"', ")", "(", ",", "=", "/", "?", "#", "&", "%", "%27", "%2527", "%ZZ", "+", "$", "@", " ", "  ",
  "\r\n", "\r", "\n", "\t", "\u0000", "\u0001", "\u001b", "\u001f", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029",
  "\u200b", "\u200e", "\u200f", "\u202e", "\u2066", "\ufeff", "\ufffd", "😀", "👩‍👩‍👧", "\ud834\udd1e", "Ω", "Łódź", "中文", "עברית",
  " eq ", " or ", " and ", "not ", "eq", "or", "and", "null", "true", "false", "$filter=", "&$top=1", "?$filter=true", "#frag",
  "') or true or ('", "' or 1 eq 1 or Name eq '", "1 eq 1", "\\", "\\'", "<script>", ";", ":", "*", "~", "[", "]", "{", "}",
  "O'Brien", "datetime'", "guid'", "X'", "0x", "1e3", "-INF", "NaN", "%00", "%0D%0A", "%u0027", "..", "./", "//",
];

/** A random code point as text: mostly printable ASCII, also controls, BMP and astral characters (never a lone surrogate). */
function randomChar(r: Random): string {
  switch (r.int(5)) {
    case 0:
      return String.fromCharCode(r.int(32));
    case 1: {
      const code = r.between(0x80, 0xfffd);
      return code >= 0xd800 && code <= 0xdfff ? "\ue000" : String.fromCharCode(code);
    }
    case 2:
      return String.fromCodePoint(r.between(0x10000, 0x10ffff));
    default:
      return String.fromCharCode(r.between(32, 126));
  }
}

function hostileString(r: Random): string {
  let text = "";
  for (let n = r.between(0, 8); n > 0; n--) text += r.chance(0.7) ? r.pick(PIECES) : randomChar(r);
  return text;
}

/** A hostile string with one lone surrogate somewhere in it. */
function loneSurrogateString(r: Random): string {
  const text = hostileString(r);
  const lone = r.chance(0.5) ? String.fromCharCode(r.between(0xd800, 0xdbff)) : String.fromCharCode(r.between(0xdc00, 0xdfff));
  // Between spaces, so that it cannot pair with a neighbour (nor split a pair of the text).
  const at = r.int(text.length + 1);
  const before = text.slice(0, at);
  return /[\ud800-\udbff]$/.test(before) ? `${text} ${lone} ` : `${before} ${lone} ${text.slice(at)}`;
}

function stringVal(value: string): Val {
  return { value, writable: always, check: (token) => expectToken(token, "string", value) };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Numbers JavaScript programs use: integers near 2^53 and the Int32 bounds, -0, decimals, exponents, NaN, infinities. */
function randomNumber(r: Random): number {
  switch (r.int(9)) {
    case 0:
      return r.pick([0, -0, 1, -1, INT32_MAX, INT32_MAX + 1, INT32_MIN, INT32_MIN - 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]);
    case 1:
      return Number.MAX_SAFE_INTEGER - r.int(1000);
    case 2:
      return -(Number.MAX_SAFE_INTEGER - r.int(1000));
    case 3:
      return r.between(-1e6, 1e6);
    case 4:
      return (r.float() - 0.5) * 10 ** r.between(-12, 12);
    case 5:
      return Number(`${r.chance(0.5) ? "-" : ""}${r.between(1, 9)}.${r.digits(0, 6)}e${r.chance(0.5) ? "-" : ""}${r.between(1, 300)}`);
    case 6:
      return r.pick([Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, Number.EPSILON, 0.1 + 0.2, 1e21, 1e-7, 5e-324]);
    case 7:
      return r.pick([NaN, Infinity, -Infinity]);
    default:
      return r.between(INT32_MIN, INT32_MAX);
  }
}

/**
 * The literal of a plain number: safe integers as their digits (v2: `L` beyond Int32); other
 * numbers as a Double that reads back as the same number (v2 exponents as `1.0E+21`); NaN, INF, -INF.
 * `-0` is written as `0` (documented), which `===` accepts.
 */
function checkNumber(token: Token, v2: boolean, value: number, suffix = ""): string | undefined {
  if (token.kind !== "number") return `expected a number token, got ${JSON.stringify(token)}`;
  let text = token.text;
  if (Number.isSafeInteger(value) && suffix === "") {
    const int64 = v2 && (value < INT32_MIN || value > INT32_MAX);
    return expectToken(token, "number", `${value === 0 ? 0 : value}${int64 ? "L" : ""}`);
  }
  if (v2) {
    if (!text.endsWith(suffix)) return `expected the v2 suffix ${JSON.stringify(suffix)} on ${text}`;
    text = text.slice(0, text.length - suffix.length);
    if (/[eE]/.test(text) && !/^-?\d+\.\d+E[+-]\d+$/.test(text)) return `${text} is not a v2 exponent literal such as 1.0E+21`;
  } else if (/[LMdf]$/.test(text)) return `v4 literal ${text} has a type suffix`;
  if (Number.isNaN(value)) return text === "NaN" ? undefined : `expected NaN, got ${text}`;
  if (value === Infinity) return text === "INF" ? undefined : `expected INF, got ${text}`;
  if (value === -Infinity) return text === "-INF" ? undefined : `expected -INF, got ${text}`;
  return Number(text) === value ? undefined : `${text} reads back as ${Number(text)}, not ${value}`;
}

function numberVal(value: number): Val {
  return { value, writable: always, check: (token, v2) => checkNumber(token, v2, value) };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function int64Text(token: Token, v2: boolean, digits: string): string | undefined {
  return expectToken(token, "number", `${digits}${v2 ? "L" : ""}`);
}

const MIN_TIME = Date.parse("0000-01-01T00:00:00.000Z");
const MAX_TIME = Date.parse("9999-12-31T23:59:59.999Z");

function randomDate(r: Random): Date {
  const time = r.chance(0.2) ? r.pick([MIN_TIME, MAX_TIME, 0, -1, 1]) : MIN_TIME + Math.floor(r.float() * (MAX_TIME - MIN_TIME));
  return new Date(time);
}

function dateVal(date: Date): Val {
  const iso = date.toISOString();
  return {
    value: date,
    writable: always,
    check: (token, v2) => {
      const problem = versioned(token, v2, "bare", iso, "datetime", iso.slice(0, -1));
      if (problem) return problem;
      return Date.parse(v2 ? `${token.text}Z` : token.text) === date.getTime() ? undefined : `${token.text} is not the instant ${date.getTime()}`;
    },
  };
}

function randomBytes(r: Random): Uint8Array {
  return Uint8Array.from({ length: r.between(0, 12) }, () => r.int(256));
}

function bytesVal(bytes: Uint8Array, value: unknown = bytes): Val {
  const hex = Buffer.from(bytes).toString("hex");
  return {
    value,
    writable: always,
    check: (token, v2) => {
      if (token.kind !== "typed") return `expected a binary literal, got ${JSON.stringify(token)}`;
      if (v2) return token.prefix === "X" && token.text.toLowerCase() === hex && /^[0-9A-F]*$/.test(token.text) ? undefined : `expected X'${hex}', got ${JSON.stringify(token)}`;
      if (token.prefix !== "binary" || !/^[A-Za-z0-9_-]*=*$/.test(token.text)) return `expected binary'<base64url>', got ${JSON.stringify(token)}`;
      return Buffer.from(token.text, "base64url").toString("hex") === hex ? undefined : `${token.text} does not decode to ${hex}`;
    },
  };
}

/** A decimal as sign, digits without leading or trailing zeros, and the exponent of the last digit. */
function decimalValue(text: string): string {
  const match = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return `not a decimal: ${text}`;
  const [, sign, whole = "", fraction = "", exponent = "0"] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, "");
  let scale = Number(exponent) - fraction.length;
  while (digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    scale++;
  }
  return digits === "" ? "0" : `${sign === "-" ? "-" : ""}${digits}e${scale}`;
}

function randomDecimalText(r: Random): string {
  let text = `${r.pick(["", "", "-", "+"])}${r.digits(1, 10)}`;
  if (r.chance(0.6)) text += `.${r.digits(1, 10)}`;
  if (r.chance(0.4)) text += `${r.pick(["e", "E"])}${r.pick(["", "+", "-"])}${r.between(0, 9)}`;
  return text;
}

const GUID_PARTS = [8, 4, 4, 4, 12];

function randomGuid(r: Random): string {
  return GUID_PARTS.map((n) => Array.from({ length: n }, () => r.pick([..."0123456789abcdefABCDEF"])).join("")).join("-");
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function randomCalendarDate(r: Random): string {
  const year = r.between(0, 9999);
  const month = r.between(1, 12);
  const day = r.between(1, new Date(Date.UTC(2001, month, 0)).getUTCDate());
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

function randomTime(r: Random): string {
  let text = `${pad(r.between(0, 23))}:${pad(r.between(0, 59))}`;
  if (r.chance(0.7)) text += `:${pad(r.between(0, 59))}`;
  if (text.length > 5 && r.chance(0.4)) text += `.${r.digits(1, 7)}`;
  return text;
}

function randomDuration(r: Random): string {
  const parts = [r.chance(0.5) ? `${r.between(0, 400)}D` : ""];
  const time = [r.chance(0.5) ? `${r.between(0, 99)}H` : "", r.chance(0.5) ? `${r.between(0, 99)}M` : "", r.chance(0.5) ? `${r.between(0, 99)}${r.chance(0.3) ? `.${r.digits(1, 6)}` : ""}S` : ""].join("");
  if (time !== "") parts.push(`T${time}`);
  if (parts.join("") === "") parts.push("T1S");
  return `${r.chance(0.2) ? "-" : ""}P${parts.join("")}`;
}

/** A typed `edm.*` value with the literal it must give in each version. */
function edmVal(r: Random): Val {
  switch (r.int(16)) {
    case 0:
    {
      const s = hostileString(r);
      return { ...stringVal(s), value: edm.string(s) };
    }
    case 1: {
      const [make, low, high] = r.pick([[edm.byte, 0, 255], [edm.sbyte, -128, 127], [edm.int16, -32768, 32767], [edm.int32, INT32_MIN, INT32_MAX]] as const);
      const n = r.chance(0.3) ? r.pick([low, high]) : r.between(low, high);
      return { value: make(n), writable: always, check: (token) => expectToken(token, "number", String(n)) };
    }
    case 2: {
      const big = r.chance(0.2) ? r.pick([INT64_MIN, INT64_MAX, 0n]) : r.bigint(INT64_MIN, INT64_MAX);
      const input = r.pick(["bigint", "string", "padded"] as const);
      const value = input === "bigint" ? edm.int64(big) : input === "string" ? edm.int64(String(big)) : edm.int64(big < 0n ? `-${String(-big).padStart(19, "0")}` : `+${big}`);
      return { value, writable: always, check: (token, v2) => int64Text(token, v2, String(big)) };
    }
    case 3: {
      const text = r.chance(0.1) ? r.pick(["NaN", "INF", "-INF"]) : randomDecimalText(r);
      const special = ["NaN", "INF", "-INF"].includes(text);
      return {
        value: edm.decimal(text),
        writable: (v2) => !(v2 && special),
        check: (token, v2) => {
          if (token.kind !== "number") return `expected a number token, got ${JSON.stringify(token)}`;
          if (special) return expectToken(token, "number", text);
          // v4: as given, without a "+" and with a lower-case "e" (edm-text.ts checkDecimal).
          if (!v2) return expectToken(token, "number", text.replace(/^\+/, "").replace(/[eE]\+?/, "e"));
          if (!/^-?\d+(?:\.\d+)?M$/.test(token.text)) return `v2 decimal ${token.text} must be digits with M`;
          return decimalValue(token.text.slice(0, -1)) === decimalValue(text) ? undefined : `${token.text} is not the decimal ${text}`;
        },
      };
    }
    case 4:
    case 5: {
      const single = r.chance(0.5);
      const n = randomNumber(r);
      const given = Number.isNaN(n) ? "NaN" : n === Infinity ? "INF" : n === -Infinity ? "-INF" : n;
      const value = single ? edm.single(given) : edm.double(given);
      return { value, writable: always, check: (token, v2) => checkNumber(token, v2, n, single ? "f" : "d") };
    }
    case 6: {
      const guid = randomGuid(r);
      return { value: edm.guid(guid), writable: always, check: (token, v2) => versioned(token, v2, "bare", guid.toLowerCase(), "guid", guid.toLowerCase()) };
    }
    case 7: {
      const day = r.chance(0.5) ? randomCalendarDate(r) : randomDate(r);
      const text = typeof day === "string" ? day : day.toISOString().slice(0, 10);
      return { value: edm.date(day), writable: always, check: (token, v2) => versioned(token, v2, "bare", text, "datetime", `${text}T00:00:00`) };
    }
    case 8: {
      let text: string;
      let value: EdmValue;
      if (r.chance(0.5)) {
        const date = randomDate(r);
        text = date.toISOString();
        value = edm.dateTimeOffset(date);
      } else {
        text = `${randomCalendarDate(r)}T${randomTime(r)}${r.chance(0.5) ? "Z" : `${r.pick(["+", "-"])}${pad(r.between(0, 23))}:${pad(r.between(0, 59))}`}`;
        value = edm.dateTimeOffset(text);
      }
      return { value, writable: always, check: (token, v2) => versioned(token, v2, "bare", text, "datetimeoffset", text) };
    }
    case 9: {
      const date = r.chance(0.5) ? randomDate(r) : undefined;
      const text = date ? date.toISOString().slice(0, -1) : `${randomCalendarDate(r)}T${randomTime(r)}`;
      return { value: edm.dateTime(date ?? text), writable: onlyV2, check: (token) => expectToken(token, "typed", text, "datetime") };
    }
    case 10: {
      const text = randomTime(r);
      const full = text.length === 5 ? `${text}:00` : text;
      const [h, m, s] = full.split(":");
      return { value: edm.timeOfDay(text), writable: always, check: (token, v2) => versioned(token, v2, "bare", full, "time", `PT${h}H${m}M${s}S`) };
    }
    case 11: {
      const text = randomDuration(r);
      return { value: edm.duration(text), writable: always, check: (token, v2) => expectToken(token, "typed", text, v2 ? "time" : "duration") };
    }
    case 12: {
      const bytes = randomBytes(r);
      return bytesVal(bytes, edm.binary(r.chance(0.5) ? bytes : (bytes.buffer as ArrayBuffer)));
    }
    case 13: {
      const members = r.pick([["Red"], ["Read", "Write"], [3], ["A_1", 0, "z"]] as const);
      const type = r.pick(["NS.Color", "Sales.Access", "a.b.c.Flags"]);
      const value = edm.enumMember(type, members.length === 1 ? members[0]! : members);
      return { value, writable: onlyV4, check: (token) => expectToken(token, "typed", members.join(","), type) };
    }
    default: {
      const b = r.chance(0.5);
      return { value: edm.boolean(b), writable: always, check: (token) => expectToken(token, "name", String(b)) };
    }
  }
}

/** Any value that has a literal (in at least one version). */
function randomVal(r: Random): Val {
  switch (r.int(12)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return stringVal(hostileString(r));
    case 4:
      return numberVal(randomNumber(r));
    case 5: {
      const big = r.chance(0.2) ? r.pick([INT64_MIN, INT64_MAX, 0n, -1n, 2n ** 53n + 1n]) : r.bigint(INT64_MIN, INT64_MAX);
      return { value: big, writable: always, check: (token, v2) => int64Text(token, v2, String(big)) };
    }
    case 6: {
      const b = r.chance(0.5);
      return { value: b, writable: always, check: (token) => expectToken(token, "name", String(b)) };
    }
    case 7:
      return { value: null, writable: always, check: (token) => expectToken(token, "name", "null") };
    case 8:
      return dateVal(randomDate(r));
    case 9:
      return bytesVal(randomBytes(r));
    default:
      return edmVal(r);
  }
}

/** A value the version can write; plain numbers only where they are safe integers in v2 (bigger ones: the test of v2 big integers below). */
function writableVal(r: Random, v2: boolean): Val {
  for (;;) {
    const val = randomVal(r);
    if (!val.writable(v2)) continue;
    if (v2 && typeof val.value === "number" && Number.isInteger(val.value) && !Number.isSafeInteger(val.value)) continue;
    return val;
  }
}

// --- expressions and the tokens they must give ----------------------------------------------------

type Item = { kind: "name" | "punct"; text: string } | { kind: "literal"; val: Val };
type B = FilterBuilder<Record<string, unknown>>;

/** An expression to build, the token structure it must have, and how tightly it binds (filter.ts). */
interface Node {
  build: (f: B) => FilterExpression;
  items: Item[];
  precedence: number;
  values: unknown[];
}

const OR = 1;
const AND = 2;
const COMPARISON = 3;
const UNARY = 6;
const PRIMARY = 7;

const FIELDS = ["Name", "City", "Code", "Price", "Author/Name", "Meta/Created_On"] as const;

const name = (text: string): Item => ({ kind: "name", text });
const punct = (text: string): Item => ({ kind: "punct", text });
const lit = (val: Val): Item => ({ kind: "literal", val });

function wrap(node: Node, minimum: number): Item[] {
  return node.precedence < minimum ? [punct("("), ...node.items, punct(")")] : node.items;
}

/**
 * A random filter expression of `depth` levels at most; `lambda` is the variable stack inside
 * f.any/f.all; `lists`: whether f.in writes an `in` list (OData 4.01), else an `or` of `eq`.
 */
function randomNode(r: Random, v2: boolean, depth: number, lambda: readonly string[], lists: boolean): Node {
  const variable = lambda.at(-1);
  const fieldPath = r.pick(FIELDS);
  const fieldText = variable === undefined ? fieldPath : `${variable}/${fieldPath}`;
  const choice = depth <= 0 ? r.int(7) : r.int(12);
  switch (choice) {
    case 0:
    case 1: {
      const op = r.pick(["eq", "ne", "gt", "ge", "lt", "le"] as const);
      const val = writableVal(r, v2);
      const viaLiteral = r.chance(0.2);
      const self = variable !== undefined && r.chance(0.3);
      return {
        build: (f) => f[op](self ? f.self : fieldPath, (viaLiteral ? f.literal(val.value as never) : val.value) as never),
        items: [name(self ? variable : fieldText), name(op), lit(val)],
        precedence: COMPARISON,
        values: [val.value],
      };
    }
    case 2: {
      const vals = Array.from({ length: r.between(0, 4) }, () => writableVal(r, v2));
      let items: Item[];
      let precedence = COMPARISON;
      if (vals.length === 0) [items, precedence] = [[name("false")], PRIMARY];
      else if (!lists) {
        items = vals.flatMap((val, i) => [...(i > 0 ? [name("or")] : []), name(fieldText), name("eq"), lit(val)]);
        if (vals.length > 1) precedence = OR;
      } else items = [name(fieldText), name("in"), punct("("), ...vals.flatMap((val, i) => [...(i > 0 ? [punct(",")] : []), lit(val)]), punct(")")];
      return { build: (f) => f.in(fieldPath, vals.map((val) => val.value) as never[]), items, precedence, values: vals.map((val) => val.value) };
    }
    case 3:
    case 4:
    case 5: {
      const method = r.pick(["contains", "startsWith", "endsWith"] as const);
      const val = r.chance(0.8) ? stringVal(hostileString(r)) : writableVal(r, v2);
      const fn = method === "contains" ? (v2 ? "substringof" : "contains") : method.toLowerCase();
      const args = method === "contains" && v2 ? [lit(val), punct(","), name(fieldText)] : [name(fieldText), punct(","), lit(val)];
      const call = [name(fn), punct("("), ...args, punct(")")];
      return {
        build: (f) => f[method](fieldPath, val.value as never),
        items: v2 ? [...call, name("eq"), name("true")] : call,
        precedence: v2 ? COMPARISON : PRIMARY,
        values: [val.value],
      };
    }
    case 6: {
      const val = writableVal(r, v2);
      return { build: (f) => f.eq(f.literal(val.value as never), f.field(fieldPath)), items: [lit(val), name("eq"), name(fieldText)], precedence: COMPARISON, values: [val.value] };
    }
    case 7: {
      const child = randomNode(r, v2, depth - 1, lambda, lists);
      return { build: (f) => f.not(child.build(f)), items: [name("not"), ...wrap(child, PRIMARY)], precedence: UNARY, values: child.values };
    }
    case 8:
    case 9: {
      const [op, precedence, empty] = r.chance(0.5) ? (["and", AND, "true"] as const) : (["or", OR, "false"] as const);
      const children = Array.from({ length: r.between(0, 3) }, () => randomNode(r, v2, depth - 1, lambda, lists));
      if (children.length === 0) return { build: (f) => f[op](), items: [name(empty)], precedence: PRIMARY, values: [] };
      if (children.length === 1) return { ...children[0]!, build: (f) => f[op](children[0]!.build(f)) };
      return {
        build: (f) => f[op](...children.map((child) => child.build(f))),
        items: children.flatMap((child, i) => [...(i > 0 ? [name(op)] : []), ...wrap(child, precedence)]),
        precedence,
        values: children.flatMap((child) => child.values),
      };
    }
    default: {
      if (v2) return randomNode(r, v2, 0, lambda, lists);
      // f.any / f.all over a collection; the variable is the collection's initial, numbered when an
      // enclosing lambda uses it (filter.ts #freshVariable), or the one given with { as }.
      const collection = r.pick(["Tags", "Items", "Author/Books"]);
      const operator = r.pick(["any", "all"] as const);
      const last = collection.split("/").pop()!;
      let own = last.charAt(0).toLowerCase();
      for (let n = 1; lambda.includes(own); n++) own = `${last.charAt(0).toLowerCase()}${n}`;
      const given = r.chance(0.3) ? `v${lambda.length}` : undefined;
      const inner = given ?? own;
      if (operator === "any" && r.chance(0.15)) {
        return { build: (f) => f.any(collection, undefined), items: [name(`${variable === undefined ? "" : `${variable}/`}${collection}/any`), punct("("), punct(")")], precedence: PRIMARY, values: [] };
      }
      const body = randomNode(r, v2, depth - 1, [...lambda, inner], lists);
      const path = `${variable === undefined ? "" : `${variable}/`}${collection}/${operator}`;
      return {
        build: (f) => f[operator](collection, (x) => body.build(x as B), given === undefined ? undefined : { as: given }),
        items: [name(path), punct("("), name(inner), punct(":"), ...body.items, punct(")")],
        precedence: PRIMARY,
        values: body.values,
      };
    }
  }
}

/** Compares tokens with the structure built; each literal must read back as its value. */
function compare(tokens: Token[], items: readonly Item[], v2: boolean): string | undefined {
  for (let i = 0; i < Math.max(tokens.length, items.length); i++) {
    const token = tokens[i];
    const item = items[i];
    if (token === undefined) return `the tokens end before ${JSON.stringify(item)} (token ${i + 1})`;
    if (item === undefined) return `token ${i + 1}, ${JSON.stringify(token)}, is more than the structure built`;
    if (item.kind === "literal") {
      const problem = item.val.check(token, v2);
      if (problem !== undefined) return `token ${i + 1}, the literal of ${show(item.val.value)}: ${problem}`;
    } else if (token.kind !== item.kind || token.text !== item.text) {
      return `token ${i + 1} is ${JSON.stringify(token)} where ${JSON.stringify(item)} belongs`;
    }
  }
  return undefined;
}

// --- reading URLs back ----------------------------------------------------------------------------

// What encodeURIComponent leaves, and the characters the library keeps readable: never a raw space,
// `+` (form decoding reads it as a space), `&`, `#`, `'`, `%` outside an escape, or anything non-ASCII.
const QUERY_VALUE = /^(?:[A-Za-z0-9\-_.!~*()$,/:;=@]|%[0-9A-F]{2})*$/;

/** The query options of a URL, each checked to be encoded so that every reader decodes it the same way. */
function queryOptions(url: URL): [string, string][] {
  assert.equal(url.hash, "", "the URL has no fragment");
  if (url.search === "") return [];
  return url.search.slice(1).split("&").map((pair) => {
    const [key = "", value, ...more] = pair.split("=");
    assert.ok(value !== undefined, `the option ${JSON.stringify(pair)} has a "="`);
    const joined = [value, ...more].join("=");
    assert.match(key, QUERY_VALUE);
    assert.match(joined, QUERY_VALUE);
    return [decodeURIComponent(key), decodeURIComponent(joined)];
  });
}

/** The input being checked, for a failure that throws before `check` returns it. */
let noted = "";

/** Names the input being checked (shown if the check throws). */
function note(input: string): string {
  noted = input;
  return input;
}

/**
 * Runs `check` for `count` inputs of every seed, alternating the versions; fails once with the first
 * failures, each with its seed, input number and input.
 */
function fuzz(
  what: string,
  count: number,
  check: (r: Random, version: Version, index: number) => { input: string; problem: string | undefined },
  versions: readonly Version[] = VERSIONS,
): void {
  const failures: string[] = [];
  for (const seed of SEEDS) {
    const r = new Random(seed);
    for (let index = 0; index < count; index++) {
      const version = versions[index % versions.length]!;
      noted = "(not made)";
      let input = noted;
      try {
        const outcome = check(r, version, index);
        input = outcome.input;
        if (outcome.problem !== undefined) failures.push(`seed ${seed} #${index} v${version}: ${outcome.problem}\n  input: ${input}`);
      } catch (error) {
        failures.push(`seed ${seed} #${index} v${version}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n  input: ${noted}`);
      }
      if (failures.length >= 5) break;
    }
    if (failures.length >= 5) break;
  }
  assert.deepEqual(failures, [], `${what}:\n${failures.join("\n")}`);
}

// --- the properties -------------------------------------------------------------------------------

test("filters: every value is one literal that reads back as it, in the expected structure, in a well-formed URL", () => {
  fuzz("filter", 250, (r, version) => {
    const v2 = version === "2.0";
    const nodes = Array.from({ length: r.chance(0.2) ? 2 : 1 }, () => randomNode(r, v2, r.between(0, 3), [], version === "4.01"));
    const input = note(nodes.map((node) => node.values.map(show).join(", ")).join(" | "));
    let query = clients[version].collection("People");
    for (const node of nodes) query = query.filter((f) => node.build(f as B));
    const url = new URL(query.url());
    assert.equal(`${url.origin}${url.pathname}`, `${SERVICE}People`);
    const options = queryOptions(url);
    if (options.length !== 1 || options[0]![0] !== "$filter") return { input, problem: `expected $filter alone, got ${JSON.stringify(options)}` };
    const filter = options[0]![1];
    if (url.searchParams.get("$filter") !== filter) return { input, problem: "searchParams decodes $filter differently from decodeURIComponent" };
    // Several filters are ANDed, each parenthesised (url.ts filterValue).
    const items = nodes.length === 1 ? nodes[0]!.items : nodes.flatMap((node, i) => [...(i > 0 ? [name("and")] : []), punct("("), ...node.items, punct(")")]);
    return { input: `${input}\n  $filter: ${JSON.stringify(filter)}`, problem: compare(tokenize(filter), items, v2) };
  });
});

const KEY_NAMES = ["ID", "A", "B", "Code_2"] as const;

test("keys: single and compound keys stay one path segment and each value reads back from its literal", () => {
  fuzz("key", 300, (r, version) => {
    const v2 = version === "2.0";
    const writable = (): Val => {
      for (;;) {
        const val = writableVal(r, v2);
        // A key is never null, nor NaN (no entity has it as its key: refused, test/key-nan.test.ts).
        if (val.value !== null && !Number.isNaN(val.value)) return val;
      }
    };
    let key: unknown;
    let items: Item[];
    let shown: string;
    if (r.chance(0.5)) {
      const val = writable();
      key = val.value;
      items = [punct("("), lit(val), punct(")")];
      shown = show(key);
    } else {
      const names = KEY_NAMES.slice(0, r.between(1, KEY_NAMES.length));
      const vals = names.map(() => writable());
      key = Object.fromEntries(names.map((keyName, i) => [keyName, vals[i]!.value]));
      items = [punct("("), ...names.flatMap((keyName, i) => [...(i > 0 ? [punct(",")] : []), name(keyName), punct("="), lit(vals[i]!)]), punct(")")];
      shown = show(key);
    }
    note(shown);
    const url = new URL(clients[version].collection("People").key(key as never).url());
    if (url.search !== "" || url.hash !== "") return { input: shown, problem: `the key added a query or fragment: ${url.href}` };
    const prefix = "/odata/People";
    if (!url.pathname.startsWith(prefix)) return { input: shown, problem: `the path is ${url.pathname}` };
    const segment = url.pathname.slice(prefix.length);
    if (segment.includes("/")) return { input: shown, problem: `the key added a path segment: ${url.pathname}` };
    if (!QUERY_VALUE.test(segment.replaceAll("'", ""))) return { input: shown, problem: `the key segment is not encoded: ${segment}` };
    const predicate = decodeURIComponent(segment);
    return { input: `${shown}\n  predicate: ${JSON.stringify(predicate)}`, problem: compare(tokenize(predicate), items, v2) };
  });
});

/** A JSON-shaped value for a v4 parameter alias (complex or collection value), and what JSON.parse must give back. */
function randomStructure(r: Random, depth: number): { value: unknown; json: unknown } {
  const kind = depth <= 0 ? r.int(5) : r.int(7);
  switch (kind) {
    case 0:
    case 1: {
      const s = hostileString(r);
      return { value: s, json: s };
    }
    case 2: {
      const n = r.chance(0.5) ? r.between(-1e9, 1e9) : (r.float() - 0.5) * 1e6;
      return { value: n, json: n };
    }
    case 3: {
      const b = r.chance(0.5) ? r.chance(0.5) : null;
      return { value: b, json: b };
    }
    case 4: {
      const date = randomDate(r);
      return { value: date, json: date.toISOString() };
    }
    case 5: {
      const items = Array.from({ length: r.between(0, 3) }, () => randomStructure(r, depth - 1));
      return { value: items.map((item) => item.value), json: items.map((item) => item.json) };
    }
    default: {
      const entries = Array.from({ length: r.between(0, 3) }, () => [hostileString(r), randomStructure(r, depth - 1)] as const);
      return { value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])), json: Object.fromEntries(entries.map(([k, v]) => [k, v.json])) };
    }
  }
}

test("function parameters: literals in the path (v4) or one query option each (v2); objects and arrays as JSON aliases (v4)", () => {
  fuzz("function", 300, (r, version) => {
    const v2 = version === "2.0";
    const params: Record<string, unknown> = {};
    const inline: Item[] = [];
    const aliases: [string, unknown][] = [];
    const v2Items: [string, Val][] = [];
    for (let i = 0, n = r.between(0, 4); i < n; i++) {
      const param = `p${i}`;
      if (!v2 && r.chance(0.3)) {
        const { value, json } = randomStructure(r, 2);
        // A string, number, boolean, null or Date at the top goes inline; wrap it to make it an alias.
        const structured = Array.isArray(value) || (typeof value === "object" && value !== null && !(value instanceof Date)) ? { value, json } : { value: [value], json: [json] };
        params[param] = structured.value;
        inline.push(...(inline.length ? [punct(",")] : []), name(param), punct("="), punct("@"), name(param));
        aliases.push([`@${param}`, structured.json]);
      } else {
        const val = writableVal(r, v2);
        params[param] = val.value;
        if (v2) v2Items.push([param, val]);
        else inline.push(...(inline.length ? [punct(",")] : []), name(param), punct("="), lit(val));
      }
    }
    const input = note(show(params));
    const url = new URL(clients[version].function("fn", params).url());
    const options = queryOptions(url);
    if (v2) {
      if (url.pathname !== "/odata/fn") return { input, problem: `the path is ${url.pathname}` };
      if (options.length !== v2Items.length) return { input, problem: `expected ${v2Items.length} options, got ${JSON.stringify(options)}` };
      for (const [i, [param, val]] of v2Items.entries()) {
        const [key, value] = options[i]!;
        if (key !== param) return { input, problem: `option ${i + 1} is ${key}, not ${param}` };
        if (url.searchParams.get(param) !== value) return { input, problem: `searchParams decodes ${param} differently` };
        const problem = compare(tokenize(value), [lit(val)], v2);
        if (problem) return { input: `${input}\n  ${param}=${JSON.stringify(value)}`, problem };
      }
      return { input, problem: undefined };
    }
    const prefix = "/odata/fn";
    const segment = url.pathname.slice(prefix.length);
    if (!url.pathname.startsWith(prefix) || segment.includes("/")) return { input, problem: `the parameters left their path segment: ${url.pathname}` };
    const list = decodeURIComponent(segment);
    const problem = compare(tokenize(list), [punct("("), ...inline, punct(")")], v2);
    if (problem) return { input: `${input}\n  parameters: ${JSON.stringify(list)}`, problem };
    if (options.length !== aliases.length) return { input, problem: `expected the aliases ${aliases.map(([a]) => a).join(",")}, got ${JSON.stringify(options)}` };
    for (const [i, [alias, json]] of aliases.entries()) {
      const [key, text] = options[i]!;
      if (key !== alias) return { input, problem: `option ${i + 1} is ${key}, not ${alias}` };
      try {
        assert.deepEqual(JSON.parse(text), json);
      } catch (error) {
        return { input: `${input}\n  ${alias}=${text}`, problem: `the alias does not read back: ${(error as Error).message.split("\n")[0]}` };
      }
    }
    return { input, problem: undefined };
  });
});

// --- values that have no literal ------------------------------------------------------------------

/** What making a URL with a value must throw: an error class, and a code or message naming the problem. */
interface Refusal {
  value: () => unknown;
  error: typeof TypeError | typeof RangeError | "UNSUPPORTED_BY_VERSION";
  message: RegExp;
  /** Only for these versions (both when absent). */
  version?: Version;
}

function refusal(r: Random): Refusal {
  switch (r.int(12)) {
    case 0:
    case 1: {
      const s = loneSurrogateString(r);
      return { value: () => s, error: TypeError, message: /lone UTF-16 surrogate/ };
    }
    case 2: {
      const s = loneSurrogateString(r);
      return { value: () => edm.string(s), error: TypeError, message: /edm\.string.*lone UTF-16 surrogate/ };
    }
    case 3:
      return { value: () => new Date(r.pick([NaN, 8.64e15 + 1])), error: RangeError, message: /invalid Date/ };
    case 4: {
      const time = r.chance(0.5) ? MIN_TIME - 1 - r.int(1e12) : MAX_TIME + 1 + r.int(1e12);
      return { value: () => new Date(time), error: RangeError, message: /outside 0000-9999/ };
    }
    case 5: {
      const big = r.chance(0.5) ? INT64_MAX + 1n + r.bigint(0n, 2n ** 70n) : INT64_MIN - 1n - r.bigint(0n, 2n ** 70n);
      return { value: () => big, error: RangeError, message: /outside the Edm\.Int64 range/ };
    }
    case 6: {
      const v = r.pick([undefined, Symbol("x"), () => 1, { a: 1 }, [1, 2], new Map(), /re/, new Number(1)]);
      return { value: () => v, error: TypeError, message: /cannot be written as an OData literal|a key value cannot be undefined/ };
    }
    case 7:
      return r.pick<Refusal>([
        { value: () => edm.dateTime("2024-01-02T03:04:05"), error: "UNSUPPORTED_BY_VERSION", message: /Edm\.DateTime/, version: "4.0" },
        { value: () => edm.enumMember("NS.Color", "Red"), error: "UNSUPPORTED_BY_VERSION", message: /enumeration/, version: "2.0" },
        { value: () => edm.decimal(r.pick(["NaN", "INF", "-INF"])), error: "UNSUPPORTED_BY_VERSION", message: /Edm\.Decimal/, version: "2.0" },
        { value: () => edm.decimal(`1e${r.between(30, 400)}`), error: RangeError, message: /more than 29 digits/, version: "2.0" },
        { value: () => edm.duration(`P${r.between(1, 9)}${r.pick(["Y", "M"])}`), error: RangeError, message: /days, hours, minutes and seconds/, version: "4.0" },
      ]);
    case 8: {
      const s = hostileString(r);
      return r.pick<Refusal>([
        { value: () => edm.guid(`${randomGuid(r)}${s}'`), error: RangeError, message: /edm\.guid/ },
        { value: () => edm.int64(`1${s}'`), error: RangeError, message: /edm\.int64/ },
        { value: () => edm.decimal(`1${s}'`), error: RangeError, message: /edm\.decimal/ },
        { value: () => edm.date(`${randomCalendarDate(r)}${s}'`), error: RangeError, message: /edm\.date/ },
        { value: () => edm.dateTimeOffset(`${randomCalendarDate(r)}T00:00:00${s}'`), error: RangeError, message: /edm\.dateTimeOffset/ },
        { value: () => edm.timeOfDay(`12:00${s}'`), error: RangeError, message: /edm\.timeOfDay/ },
        { value: () => edm.duration(`PT1S${s}'`), error: RangeError, message: /edm\.duration/ },
        { value: () => edm.enumMember("NS.Color", `Red${s}'`), error: TypeError, message: /edm\.enumMember/ },
        { value: () => edm.enumMember(`NS.Color${s}'`, "Red"), error: TypeError, message: /edm\.enumMember/ },
      ]);
    }
    default: {
      const bad = r.pick([2 ** 31 + 0.5, 1.5, NaN, 40000, -40000, Infinity]);
      return { value: () => r.pick([edm.byte, edm.sbyte, edm.int16])(bad), error: RangeError, message: /expected an integer/ };
    }
  }
}

function refusedAs(error: unknown, expected: Refusal): string | undefined {
  if (expected.error === "UNSUPPORTED_BY_VERSION") {
    if (!(error instanceof ODataClientError) || error.code !== "UNSUPPORTED_BY_VERSION") return `expected UNSUPPORTED_BY_VERSION, got ${String(error)}`;
  } else if (!(error instanceof expected.error)) return `expected a ${expected.error.name}, got ${String(error)}`;
  return expected.message.test((error as Error).message) ? undefined : `the message ${JSON.stringify((error as Error).message)} does not name the problem (${expected.message})`;
}

test("values without a literal are refused with an error naming the problem, in filters, keys and function parameters", () => {
  fuzz("refusal", 250, (r, version) => {
    let expected = refusal(r);
    while (expected.version !== undefined && expected.version !== version) expected = refusal(r);
    const where = r.pick(["eq", "in", "contains", "literal", "key", "compound key", "function"] as const);
    const made = (() => {
      try {
        return { value: expected.value() };
      } catch (error) {
        return { error };
      }
    })();
    const input = note(`${where} with ${"value" in made ? show(made.value) : "an edm.* call"}`);
    if ("error" in made) return { input, problem: refusedAs(made.error, expected) };
    const given = made.value;
    // undefined is an absent parameter, objects and arrays are JSON aliases of a v4 function, and
    // a plain object is a compound key.
    const structured = (given === undefined || typeof given === "object") && !(given instanceof Date) && !isEdm(given);
    if ((where === "function" && structured) || (where === "key" && structured && given !== undefined && Object.getPrototypeOf(given) === Object.prototype)) {
      return { input, problem: undefined };
    }
    const value = given as never;
    const people = clients[version].collection("People");
    let url: string;
    try {
      switch (where) {
        case "eq":
          url = people.filter((f) => f.eq("Name", value)).url();
          break;
        case "in":
          url = people.filter((f) => f.in("Name", ["ok", value])).url();
          break;
        case "contains":
          url = people.filter((f) => f.contains("Name", value)).url();
          break;
        case "literal":
          url = people.filter((f) => f.ne(f.literal(value), 1)).url();
          break;
        case "key":
          url = people.key(value).url();
          break;
        case "compound key":
          url = people.key({ A: 1, B: value } as never).url();
          break;
        default:
          url = clients[version].function("fn", { a: 1, b: value }).url();
      }
    } catch (error) {
      return { input, problem: refusedAs(error, expected) };
    }
    return { input, problem: `gave a URL instead of refusing the value: ${url}` };
  });
});

test("a lone surrogate inside a v4 function's JSON alias is escaped in the JSON, so it reads back exactly", () => {
  fuzz("alias surrogate", 100, (r, version) => {
    const s = loneSurrogateString(r);
    if (version === "2.0") return { input: show(s), problem: undefined };
    const url = new URL(clients[version].function("fn", { p: [s, { [s]: s }] }).url());
    const text = url.searchParams.get("@p") ?? "";
    try {
      assert.deepEqual(JSON.parse(text), [s, { [s]: s }]);
      return { input: show(s), problem: undefined };
    } catch {
      return { input: show(s), problem: `the alias ${text} does not read back` };
    }
  });
});

// --- found by this file, mended ----------------------------------------------------------------------

test(
  "v2: integer numbers beyond 2^53 are written as Int64 (L) or as a Double, never as bare digits beyond Int32",
  () => {
    fuzz("v2 big integers", 60, (r) => {
      const value = r.pick([2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 60 + 2 ** 10 * r.int(100), 2 ** 63, -(2 ** 63), 1e20, -1e20]);
      const predicate = decodeURIComponent(new URL(clients["2.0"].collection("People").key(value).url()).pathname.slice("/odata/People".length));
      const token = tokenize(predicate)[1]!;
      const bare = /^-?\d+$/.test(token.text) && Math.abs(value) > INT32_MAX;
      return { input: show(value), problem: bare ? `${predicate}: a v2 literal of digits alone is an Int32, and ${value} is beyond Int32` : checkNumber(token, true, value) };
    }, ["2.0"]);
  },
);

test(
  "v2: edm.decimal with more than 29 digits on a side is refused without an exponent as it is with one",
  () => {
    fuzz("v2 long decimals", 40, (r) => {
      const text = r.chance(0.5) ? `1${"0".repeat(r.between(29, 40))}` : `0.${r.digits(30, 40)}`;
      try {
        const url = clients["2.0"].collection("People").filter((f) => f.eq("Price", edm.decimal(text))).url();
        return { input: text, problem: `gave ${decodeURIComponent(url)}, a literal with more than 29 digits on a side (written from an exponent, the same value is refused)` };
      } catch (error) {
        return { input: text, problem: error instanceof RangeError && /29 digits/.test(error.message) ? undefined : `threw ${String(error)}` };
      }
    }, ["2.0"]);
  },
);

test(
  "v4: a Date outside 0000-9999 in a function's JSON alias is refused as it is as a literal",
  () => {
    fuzz("alias dates", 40, (r) => {
      const time = r.chance(0.5) ? MIN_TIME - 1 - r.int(1e12) : MAX_TIME + 1 + r.int(1e12);
      const date = new Date(time);
      try {
        const url = clients["4.0"].function("fn", { p: [date] }).url();
        return { input: show(date), problem: `gave ${decodeURIComponent(url)}` };
      } catch (error) {
        return { input: show(date), problem: error instanceof RangeError && /0000-9999/.test(error.message) ? undefined : `threw ${String(error)}` };
      }
    }, ["4.0"]);
  },
);
