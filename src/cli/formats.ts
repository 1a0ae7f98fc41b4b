/**
 * How entities are written: NDJSON (one entity a line), a JSON array, CSV (RFC 4180) and, for
 * `query`, an aligned table (fitted to the width of a terminal, its cells whole elsewhere). Each format turns a page of entities into one piece of
 * text, so that a page is one write and the output's length after it is a clean place to resume.
 *
 * NDJSON and JSON write each entity as the service sent it when the page's text allows
 * (`rowsFromText`: a v4 JSON page, see payload/entity-text.ts), else as `JSON.stringify` of the
 * entity read, each long number with the digits found at its place in the body
 * (`entitiesWithServiceDigits`); the two differ only where JSON allows (number digits such as
 * `1.50`, escapes such as `\u00e9`, whitespace).
 * A page whose bytes are all ASCII is written from its bytes, its separators patched in a copy:
 * the same bytes as its text would give, without building that text and encoding it again.
 *
 * CSV:
 * - one header line of column names, then one line per entity, lines ended by CRLF; a field that
 *   holds `"`, `,`, CR or LF is quoted, its `"` doubled (RFC 4180 §2). Text is UTF-8, without BOM.
 * - the columns are fixed before the first row: the `$select` items (plus expanded navigation
 *   properties), else the entity type's properties from `$metadata`, else the first entity's own
 *   properties (annotations left out).
 * - a value that is an object or an array (a complex value, a collection, an expanded entity) is
 *   written as its JSON text; `null` and a missing property as an empty field, an empty string as
 *   `""`; a number as the service wrote it where `JSON.parse` would change it (INEXACT_NUMBER).
 * - rows differ from the columns: a property that has no column is left out (a warning names it
 *   once), a column the row lacks is an empty field.
 */

import { isAscii } from "node:buffer";
import type { EntityText, PageText, PageTextPiece } from "../payload/entity-text.js";
import { isRecord, topMember, valueAt } from "../util/values.js";

/** The output formats of `query` and `export`. */
export type FormatName = "table" | "json" | "ndjson" | "csv";

/** The formats a file can be written in. */
export type FileFormatName = Exclude<FormatName, "table">;

/** Writes entities in one format: the text before the rows, each page's rows, the text after. */
export interface RowFormat {
  readonly name: FileFormatName;
  /** The text before the first row (CSV header, `[`). */
  head(): string;
  /** The rows of one page; `written` is how many rows were written before this page. */
  rows(entities: readonly Record<string, unknown>[], written: number): string;
  /**
   * The rows of one page from the text the service sent for its entities (`EntityTexts`:
   * entities separated by a comma at each of its `separators`), `entities` being what was read from it: for
   * the formats that write entities as JSON, and for CSV, which takes the digits of long numbers
   * from it. Text, or its UTF-8 bytes.
   */
  rowsFromText?(page: EntityText, written: number, entities?: readonly Record<string, unknown>[]): string | Uint8Array;
  /** The text after the last row; `written` is how many rows were written. */
  tail(written: number): string;
  /** What joins two pieces of rows written apart (a JSON array's comma); empty for line formats. */
  readonly separator: string;
}

/**
 * The rows of one page in `format`: from the text the service sent for its entities where there
 * is one and the format writes from it, else from the entities read, with the digits of long
 * numbers taken from the page's body where it was kept. A page read in pieces is written piece
 * after piece, each as a page of its own.
 */
export function pageRows(format: RowFormat, entities: readonly Record<string, unknown>[], written: number, page: PageText | undefined): string | Uint8Array {
  if (page?.pieces !== undefined) return piecedRows(format, written, page.pieces);
  if (page?.text !== undefined && format.rowsFromText) return format.rowsFromText(page, written, entities);
  const exact = page === undefined || page.text !== undefined ? entities : entitiesWithServiceDigits(entities, page.body);
  if (exact === entities) return format.rows(entities, written);
  // CSV writes a marked string as its digits itself; JSON text gets them written back.
  const rows = format.rows(exact, written);
  return format.name === "csv" ? rows : withDigits(rows);
}

/**
 * {@link pageRows} as text, for a writer that joins the rows to other text: rows that came as bytes
 * (copied from the page's body) read as the UTF-8 they are.
 */
export function pageRowsText(format: RowFormat, entities: readonly Record<string, unknown>[], written: number, page: PageText | undefined): string {
  const rows = pageRows(format, entities, written, page);
  return typeof rows === "string" ? rows : Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength).toString("utf8");
}

/** The rows of a page read in pieces: each piece's rows, the rows before it counted as written. */
function piecedRows(format: RowFormat, written: number, pieces: readonly PageTextPiece[]): string {
  let text = "";
  for (const piece of pieces) {
    // A piece has no bytes of its own (entity-text.ts), so its rows come as text anyway.
    text += pageRowsText(format, piece.entities as readonly Record<string, unknown>[], written, piece.page);
    written += piece.entities.length;
  }
  return text;
}

/** The page's text with `joint` in place of the comma of each separator. */
function joinedAt(page: EntityText, joint: string): string {
  const { text, separators } = page;
  let out = "";
  let from = 0;
  for (const at of separators) {
    out += `${text.slice(from, at + 1)}${joint}`;
    from = at + 2;
  }
  return out + text.slice(from);
}

/** Whether a member name is an annotation (`@odata.etag`, `name@odata.type`, v2 `__metadata`). */
function isAnnotation(name: string): boolean {
  return name.includes("@") || name === "__metadata" || name === "__deferred";
}

/**
 * A value as the text of a CSV field or table cell: JSON text for objects and arrays, empty for
 * null; a long number's digits as sent (withExactNumbers) as those digits, inside JSON text too.
 */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return isExact(value) ? value.slice(EXACT.length) : value;
  if (typeof value === "object") return withDigits(JSON.stringify(value));
  return String(value);
}

/** A CSV field must be quoted when it holds one of these (RFC 4180 §2). */
const CSV_SPECIAL = /[",\r\n]/;

/** One CSV field (RFC 4180): quoted when it holds a quote, a comma, CR or LF. */
function csvField(text: string): string {
  return CSV_SPECIAL.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const LF = 0x0a;
const COMMA = 0x2c;

/**
 * The page's bytes when they are its text's own UTF-8: the body had a byte for every character
 * (entity-text.ts) and each is ASCII.
 */
function asciiBytes(page: EntityText): Uint8Array | undefined {
  return page.bytes !== undefined && isAscii(page.bytes) ? page.bytes : undefined;
}

/** NDJSON: one entity a line. */
export function ndjsonFormat(): RowFormat {
  return {
    name: "ndjson",
    separator: "",
    head: () => "",
    rows: (entities) => {
      let text = "";
      for (const entity of entities) text += `${JSON.stringify(entity)}\n`;
      return text;
    },
    rowsFromText: (page) => {
      const bytes = asciiBytes(page);
      if (bytes === undefined) return `${joinedAt(page, "\n")}\n`;
      // `},{` becomes `}\n{`, as long: a copy with each separator's comma overwritten.
      // Every byte is written below: no zero-filling first.
      const out = Buffer.allocUnsafe(bytes.byteLength + 1);
      out.set(bytes);
      for (const at of page.separators) out[at + 1] = LF;
      out[bytes.byteLength] = LF;
      return out;
    },
    tail: () => "",
  };
}

/** A JSON array, one entity a line: `[\n{...},\n{...}\n]\n`. */
export function jsonFormat(): RowFormat {
  return {
    name: "json",
    separator: ",\n",
    head: () => "[\n",
    rows: (entities, written) => {
      let text = "";
      let first = written === 0;
      for (const entity of entities) {
        text += `${first ? "" : ",\n"}${JSON.stringify(entity)}`;
        first = false;
      }
      return text;
    },
    rowsFromText: (page, written) => {
      const lead = written === 0 ? 0 : 2;
      const bytes = asciiBytes(page);
      if (bytes === undefined) return `${lead === 0 ? "" : ",\n"}${joinedAt(page, ",\n")}`;
      // `},{` becomes `},\n{`. The bytes go in shifted right by as many bytes as line breaks come,
      // then each entity but the last moves left to its place, first to last: none is overwritten
      // before it has moved. Two native copies; one per entity from the page's bytes costs more.
      const separators = page.separators;
      const shift = separators.length;
      const out = Buffer.allocUnsafe(lead + bytes.byteLength + shift);
      if (lead > 0) {
        out[0] = COMMA;
        out[1] = LF;
      }
      out.set(bytes, lead + shift);
      let from = 0;
      for (let k = 0; k < shift; k++) {
        const to = (separators[k] as number) + 2;
        out.copyWithin(lead + from + k, lead + shift + from, lead + shift + to);
        out[lead + to + k] = LF;
        from = to;
      }
      return out;
    },
    tail: (written) => (written === 0 ? "]\n" : "\n]\n"),
  };
}

/**
 * `csvField(cellText(value))`, with the cases that need no look at the text taken first: a number
 * or a boolean never holds a quote, a comma or a line break. CSV export formats every value of
 * every row, so this is most of its time.
 */
function csvValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      // A long number's digits as sent (withExactNumbers): a number, never quoted. An empty string
      // is a quoted empty field, apart from null's empty one (as PostgreSQL's COPY writes them).
      return isExact(value) ? value.slice(EXACT.length) : value === "" ? '""' : csvField(value);
    case "number":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "";
    default:
      return value === null ? "" : csvField(cellText(value));
  }
}

/**
 * What tells of the properties of rows that no column reads: called with a row, it calls `onExtra`
 * once per property name (annotations left out) that is not one of `tops`, the first time a row
 * has it. CSV and the table both fix their columns before the rows: a row may have more.
 */
function extraReporter(tops: readonly string[], onExtra: (name: string) => void): (entity: Record<string, unknown>) => void {
  const known = new Set(tops);
  const reported = new Set<string>();
  return (entity) => {
    for (const name in entity) {
      if (!known.has(name) && !reported.has(name) && !isAnnotation(name)) {
        reported.add(name);
        onExtra(name);
      }
    }
  };
}

/**
 * The value of a column's path in a row, as valueAt reads it; a path through a collection of
 * complex values (`Addresses/City`) gives the list of its members' values (null where a member
 * lacks it), where valueAt finds no single value.
 */
function columnValue(entity: Record<string, unknown>, path: string): unknown {
  const value = valueAt(entity, path);
  if (value !== undefined || !path.includes("/")) return value;
  // `--expand reviews/$count`: the service sends the number as the annotation `reviews@odata.count`
  // (4.01: `reviews@count`) on the object that holds the navigation property, not as a member.
  const counted = /^(?:(.*)\/)?([^/]+)\/\$count$/.exec(path);
  if (counted) {
    const holder = counted[1] === undefined ? entity : columnValue(entity, counted[1]);
    const name = counted[2] as string;
    return isRecord(holder) ? (holder[`${name}@odata.count`] ?? holder[`${name}@count`]) : undefined;
  }
  return valuesAt(entity, path.split("/"));
}

function valuesAt(value: unknown, segments: readonly string[]): unknown {
  let current = value;
  for (const [i, segment] of segments.entries()) {
    if (segment.includes(".")) continue;
    if (Array.isArray(current)) return current.map((member) => valuesAt(member, segments.slice(i)) ?? null);
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/**
 * CSV with fixed columns. `onExtra` is called once per property name that a row has and the
 * columns lack (its values are left out).
 */
export function csvFormat(columns: readonly string[], onExtra: (name: string) => void = () => {}): RowFormat {
  // The members the columns read (a cast in front of a path names no member).
  const tops = [...new Set(columns.map(topMember))];
  // A column that is a property's name is read straight from the entity, a path through columnValue
  // (as is a column named like a member of every object, which valueAt reads only as the row's own).
  const plain = columns.map((column) => !column.includes("/") && !(column in Object.prototype));
  // A column named as a member of every object (`constructor`) reads as present in every row: no count then.
  const countable = tops.every((top) => !(top in Object.prototype));
  // Columns that are each a property of their own: the values read for the row count them too.
  const ownColumns = plain.every(Boolean) && tops.length === columns.length;
  const reportExtra = extraReporter(tops, onExtra);
  const format: RowFormat = {
    name: "csv",
    separator: "",
    head: () => `${columns.map(csvField).join(",")}\r\n`,
    rows: (entities) => {
      let text = "";
      for (const entity of entities) {
        let present = 0;
        for (let i = 0; i < columns.length; i++) {
          const column = columns[i] as string;
          const value = plain[i] ? entity[column] : columnValue(entity, column);
          if (value !== undefined) present++;
          if (i > 0) text += ",";
          text += csvValue(value);
        }
        text += "\r\n";
        // Every property of the row is a column when the row has as many properties as columns of
        // its own (a count, no lookups); else each property is looked up.
        if (!ownColumns) {
          present = 0;
          for (const top of tops) if (entity[top] !== undefined) present++;
        }
        let properties = 0;
        for (const _ in entity) properties++;
        if (!countable || properties !== present) reportExtra(entity);
      }
      return text;
    },
    tail: () => "",
  };
  format.rowsFromText = (page, written, entities) => format.rows(exactEntities(page, entities), written);
  return format;
}

/**
 * The entities of a page for the formats that write each value on its own (CSV, the table):
 * `entities` as read, or, when the page's text has a long number (or `entities` are not given),
 * that text read again with each long number's digits kept (withExactNumbers); for a page kept
 * whole, `entities` with the digits found in its body (entitiesWithServiceDigits); for a page read in
 * pieces, each piece's entities so.
 */
export function exactEntities(page: PageText, entities?: readonly Record<string, unknown>[]): readonly Record<string, unknown>[] {
  if (page.pieces !== undefined) {
    const exact: Record<string, unknown>[] = [];
    let changed = false;
    for (const piece of page.pieces) {
      const read = piece.entities as readonly Record<string, unknown>[];
      const found = exactEntities(piece.page, read);
      if (found !== read) changed = true;
      for (const entity of found) exact.push(entity);
    }
    return changed || entities === undefined ? exact : entities;
  }
  if (page.text === undefined) return entitiesWithServiceDigits(entities ?? [], page.body);
  return entities === undefined || INEXACT_NUMBER.test(page.text) ? withExactNumbers(page.text) : entities;
}

/**
 * `entities`, read from the `value` of the v4 body `body` (or from `body`, the JSON array of a
 * piece of a body read in pieces), or its first ones (a page cut to `$top`), with each number
 * whose place in the body holds a long number that reads as it replaced by a marked string of
 * those digits (withDigitsFrom); `entities` themselves when the body has no long number or does
 * not match.
 * For a page whose entities have no text of their own (entity-text.ts): the body is read again
 * as withExactNumbers does, `JSON.parse` keeping the same `value` it kept the first time.
 */
function entitiesWithServiceDigits(entities: readonly Record<string, unknown>[], body: string): readonly Record<string, unknown>[] {
  const answer = parsedWithDigits(body);
  const value = Array.isArray(answer) ? answer : isRecord(answer) ? answer["value"] : undefined;
  // A page cut to `$top` has fewer entities than its body: they are its first ones.
  if (!Array.isArray(value) || value.length < entities.length) return entities;
  let found = false;
  const exact = entities.map((entity, i) => withDigitsFrom(entity, value[i], () => (found = true)) as Record<string, unknown>);
  return found ? exact : entities;
}

/**
 * `body` parsed with each long number marked as the string of its digits (markLongNumbers);
 * `undefined` where it holds no long number or is not JSON, and there is nothing to take.
 */
function parsedWithDigits(body: string): unknown {
  if (!INEXACT_NUMBER.test(body)) return undefined;
  try {
    return JSON.parse(markLongNumbers(body));
  } catch {
    return undefined;
  }
}

/**
 * A number that `JSON.parse` may not read as written, a "long number" here: one of 16 digits or
 * more (dots counted), which a double may not hold exactly (an Int64 beyond 2^53, a Decimal with
 * many digits), or one in exponent form, before a comma, a brace, a bracket or a space (`1e-400`
 * reads as 0, `1E+400` as Infinity, `12345e10` is written back as 123450000000000), or a negative
 * zero (`-0`, `-0.0`: `String` and `JSON.stringify` write -0 as `0`). A string that looks so
 * matches too, which only costs a second parse of its page; hex digits in a GUID or a base64 text
 * rarely do, followed by another character.
 */
const INEXACT_NUMBER = /\d[\d.]{15}|\d[eE][+-]?\d+[,}\]\s]|-0(?:\.0+)?[,}\]\s]/;

/**
 * What marks a string as a long number's digits (withExactNumbers): a NUL and a word of this
 * process's own, which no service's text holds by chance.
 */
const EXACT = `\u0000${Math.random().toString(36).slice(2, 10)}:`;
/** The mark as JSON writes it inside a string, and such a string in JSON text (its digits captured). */
const EXACT_IN_JSON = JSON.stringify(EXACT).slice(1, -1);
const EXACT_STRING_IN_JSON = new RegExp(`"${EXACT_IN_JSON.replace(/\\/g, "\\\\")}([^"]*)"`, "g");

/** Whether a string holds a long number's digits as sent (withExactNumbers). */
function isExact(value: string): boolean {
  return value.charCodeAt(0) === 0 && value.startsWith(EXACT);
}

/** JSON text with each long number's digits as sent (a marked string in it) written back as a number. */
function withDigits(json: string): string {
  return json.includes(EXACT_IN_JSON) ? json.replace(EXACT_STRING_IN_JSON, "$1") : json;
}

/** JSON text with each long number (INEXACT_NUMBER) outside a string put into a marked string of its text. */
function markLongNumbers(text: string): string {
  return markNumbers(text, STRING_OR_SENT_NUMBER);
}

/** `text` with each number `pattern` captures (see {@link stringOrNumber}) put into a marked string of its text. */
function markNumbers(text: string, pattern: RegExp): string {
  return text.replace(pattern, (match, number: string | undefined) => (number === undefined ? match : `"${EXACT_IN_JSON}${number}"`));
}

/**
 * The source of a pattern of a number that `JSON.parse` may not read as written: one of 16 digits
 * and dots or more, or one with an exponent (as INEXACT_NUMBER, the quick test of a page for one:
 * `1e400` would be Infinity, `1e-400` zero).
 */
const INEXACT_NUMBER_SOURCE = String.raw`-?\d[\d.]{15,}(?:[eE][+-]?\d+)?|-?\d[\d.]*[eE][+-]?\d+`;

/** The source of a pattern of a negative zero (`-0`, `-0.00`, not `-0.05`), which `JSON.stringify` writes as `0`. */
const NEGATIVE_ZERO_SOURCE = String.raw`-0(?:\.0+)?(?![\d.eE])`;

/** A JSON string, or (captured) a number outside one that matches `number` (a pattern's source). */
function stringOrNumber(number: string): RegExp {
  return new RegExp(String.raw`"(?:[^"\\]|\\.)*"|(${number})`, "g");
}

/** A JSON string, or (captured) a number outside one that `JSON.parse` may not read as written. */
const STRING_OR_INEXACT_NUMBER = stringOrNumber(INEXACT_NUMBER_SOURCE);

/**
 * STRING_OR_INEXACT_NUMBER, a negative zero captured too: in a page, where each value is written
 * as the service sent it (INEXACT_NUMBER). A `--param` value keeps the other's reading: a negative
 * zero there is a number for the parameter's type to judge.
 */
const STRING_OR_SENT_NUMBER = stringOrNumber(`${INEXACT_NUMBER_SOURCE}|${NEGATIVE_ZERO_SOURCE}`);

/**
 * JSON text typed by a user (`--param name:=JSON`), parsed with each number that `JSON.parse`
 * may not keep as written (STRING_OR_INEXACT_NUMBER) as a marked string of its text, which
 * {@link numberText} reads: the caller decides from the value's type what it becomes.
 * @throws SyntaxError where `text` is not JSON, as `JSON.parse` throws it
 */
export function parseKeepingNumbers(text: string): unknown {
  // Parsed as it is first: what is not JSON fails as JSON.parse fails, marks or none.
  const plain: unknown = JSON.parse(text);
  if (!/\d[\d.]{15}|\d[eE]/.test(text)) return plain;
  return JSON.parse(markNumbers(text, STRING_OR_INEXACT_NUMBER));
}

/** The text of a number that {@link parseKeepingNumbers} kept, or `undefined` for any other value. */
export function numberText(value: unknown): string | undefined {
  return typeof value === "string" && isExact(value) ? value.slice(EXACT.length) : undefined;
}

/**
 * The entities of a page's text read again with each long number kept as the digits the service
 * sent, in a marked string: CSV writes them as they came, a property's value and a number inside
 * an object or array alike (`JSON.parse` would round 9007199254740995 to 9007199254740996).
 */
function withExactNumbers(text: string): Record<string, unknown>[] {
  return JSON.parse(`[${markLongNumbers(text)}]`) as Record<string, unknown>[];
}

/**
 * `value`, what the library read from an answer whose text is `body`, as indented JSON in which
 * each long number has the digits the service sent (`JSON.stringify` writes 9007199254740995, read
 * as 9007199254740996, as the latter). The answer's text is read again as withExactNumbers does
 * and matched with `value` member by member, from where the library took `value`: the answer
 * itself, its `value` (an operation's result), or v2's `d` or the one member of `d` (a v2
 * collection's `results` taken as the array it holds).
 * A number takes the digits found at its place only when they read as that very number; where
 * nothing matches (a body that is not JSON, one the library reshaped), `value` is written as read.
 * `indent`: as `JSON.stringify`'s (0 writes the JSON on one line).
 */
export function jsonWithServiceDigits(value: unknown, body: string | undefined, indent = 2): string {
  const plain = JSON.stringify(value, null, indent);
  const answer = body === undefined ? undefined : parsedWithDigits(body);
  if (answer === undefined) return plain;
  const d = isRecord(answer) ? answer["d"] : undefined;
  const dMembers = isRecord(d) ? Object.values(d) : [];
  const roots = [answer, isRecord(answer) ? answer["value"] : undefined, d, dMembers.length === 1 ? dMembers[0] : undefined];
  for (const root of roots) {
    let found = false;
    const exact = withDigitsFrom(value, root, () => (found = true));
    if (found) return withDigits(JSON.stringify(exact, null, indent));
  }
  return plain;
}

/**
 * `value` with each number whose place in `answer` holds a long number that reads as it replaced
 * by that marked string (`onFound` told); the objects and arrays on the way copied, others kept.
 */
function withDigitsFrom(value: unknown, answer: unknown, onFound: () => void): unknown {
  if (typeof value === "number") {
    if (typeof answer === "string" && isExact(answer) && Number(answer.slice(EXACT.length)) === value) {
      onFound();
      return answer;
    }
    return value;
  }
  if (Array.isArray(value)) {
    // v2 writes a collection in an object, as its `results`.
    const items = isRecord(answer) ? answer["results"] : answer;
    return Array.isArray(items) && items.length === value.length ? value.map((item, i) => withDigitsFrom(item, items[i], onFound)) : value;
  }
  if (!isRecord(value) || !isRecord(answer) || typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  // No prototype: a member named "__proto__" (JSON.parse makes it an own one) stays a member.
  const copy = Object.create(null) as Record<string, unknown>;
  for (const name of Object.keys(value)) copy[name] = Object.hasOwn(answer, name) ? withDigitsFrom(value[name], answer[name], onFound) : value[name];
  return copy;
}

/** The columns an entity has on its own: its properties in order, annotations left out. */
export function columnsOf(entity: Record<string, unknown> | undefined): string[] {
  return entity === undefined ? [] : Object.keys(entity).filter((name) => !isAnnotation(name));
}

/**
 * An aligned table: the column widths come from the first rows it sees. On a terminal a column is
 * at most 40 wide and the table fits the terminal's width, later cells cut to their column; written
 * elsewhere (a file, a pipe) no cell is cut: a column is as wide as its widest sampled cell, and a
 * wider cell later pushes the rest of its line along. Widths are terminal columns (displayWidth),
 * not UTF-16 code units. Line breaks and tabs inside values are shown as `⏎` and `→`, other control
 * characters visibly (visibleText). A property of a row that no column reads is left out,
 * `onExtra` told of its name once.
 */
export class TableWriter {
  /** The column paths, read from each row, and their names as shown. */
  readonly #paths: string[];
  readonly #columns: string[];
  readonly #widths: number[];
  /** Whether cells are cut to their column's width (on a terminal only). */
  readonly #cut: boolean;
  readonly #reportExtra: (entity: Record<string, unknown>) => void;
  #headerDone = false;

  /**
   * `sample`: the first rows, to size the columns; `width`: the terminal's width, or `undefined`
   * when the table is not written to a terminal (no cell is cut then).
   */
  constructor(columns: readonly string[], sample: readonly Record<string, unknown>[], width: number | undefined, onExtra: (name: string) => void = () => {}) {
    this.#columns = columns.map((column) => visibleText(column));
    const natural = columns.map((column, i) => Math.max(displayWidth(this.#columns[i] as string), ...sample.map((row) => displayWidth(tableCell(columnValue(row, column))))));
    this.#cut = width !== undefined;
    const widths = width === undefined ? natural : natural.map((w) => Math.min(w, 40));
    // Shrink the widest columns until the table fits the terminal (two spaces between columns).
    const fits = () => width === undefined || widths.reduce((sum, w) => sum + w, 0) + 2 * Math.max(0, widths.length - 1) <= width;
    while (!fits()) {
      const widest = widths.indexOf(Math.max(...widths));
      if ((widths[widest] as number) <= 6) break;
      widths[widest] = (widths[widest] as number) - 1;
    }
    this.#widths = widths;
    this.#paths = [...columns];
    this.#reportExtra = extraReporter([...new Set(columns.map(topMember))], onExtra);
  }

  /** The header line and a rule under it (once), then the rows; nothing for a table without columns. */
  rows(entities: readonly Record<string, unknown>[]): string {
    if (this.#columns.length === 0) return "";
    let text = "";
    if (!this.#headerDone) {
      this.#headerDone = true;
      text += `${this.#line(this.#columns)}\n${this.#line(this.#widths.map((w) => "-".repeat(w)))}\n`;
    }
    for (const entity of entities) {
      text += `${this.#line(this.#paths.map((column) => tableCell(columnValue(entity, column))))}\n`;
      this.#reportExtra(entity);
    }
    return text;
  }

  #line(cells: readonly string[]): string {
    return cells
      .map((cell, i) => {
        const width = this.#widths[i] as number;
        const [fitted, used] = this.#cut ? fitWidth(cell, width) : [cell, displayWidth(cell)];
        return i === cells.length - 1 ? fitted : fitted + " ".repeat(Math.max(0, width - used));
      })
      .join("  ")
      .trimEnd();
  }
}

function tableCell(value: unknown): string {
  return visibleText(cellText(value));
}

/**
 * C0 and C1 controls, DEL, the line and paragraph separators (U+2028, U+2029: many terminals break
 * the line there) and the bidirectional controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069):
 * what would move the cursor, clear the screen, break the line or reorder the text around it when
 * printed. CR LF is one match, a line break seen as one.
 */
const CONTROL = /\r\n|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Text from a service made safe for a terminal: each control character (CONTROL) shown instead of
 * acted on, a C0 control and DEL as its Control Pictures symbol (ESC as `␛`), the others as
 * `\u{…}`; a line break (U+2028 and U+2029 too) as `⏎` and a tab as `→`. The same in a table cell,
 * a progress line and a message: a message built by the library is one line, so a line break in
 * one is a service's, which would otherwise start a line of its own (`error: …` faked on stderr).
 */
export function visibleText(text: string): string {
  return text.replace(CONTROL, (control) => {
    if (control.length === 2 || control === "\n" || control === "\r" || control === "\u2028" || control === "\u2029") return "⏎";
    if (control === "\t") return "→";
    const code = control.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? "\u2421" : `\\u{${code.toString(16).toUpperCase()}}`;
  });
}

/** Text that is all printable ASCII: one column a character, no need to look further. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** A grapheme that takes no column: it starts with a combining mark or a format character (ZWJ, ZWSP, variation selector). */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]/u;
/**
 * A grapheme that takes two columns: it starts with a character of Unicode's East Asian Wide or
 * Fullwidth blocks (Hangul Jamo, CJK symbols, kana, ideographs, Hangul syllables, fullwidth forms,
 * Tangut, kana supplements, enclosed ideographs; a few narrow code points in them count as wide,
 * as unassigned ones do) or with an emoji shown as one (which covers flags and ZWJ sequences).
 */
const WIDE =
  /^(?:[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{18aff}\u{1b000}-\u{1b2ff}\u{1f200}-\u{1f2ff}\u{20000}-\u{3fffd}]|\p{Emoji_Presentation})/u;

/**
 * Characters of Grapheme_Cluster_Break=Prepend (Unicode 15.1), at the start of a cluster: each
 * joins the character after it into its cluster (U+0600 ARABIC NUMBER SIGN and the digits it
 * spans), which then takes that character's columns. Most are format characters, which alone take none.
 */
const PREPEND = /^[\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u0d4e\u{110bd}\u{110cd}\u{111c2}\u{111c3}\u{1193f}\u{11941}\u{11a3a}\u{11a84}-\u{11a89}\u{11d46}\u{11f02}]+/u;

let segmenter: Intl.Segmenter | undefined;

/** The grapheme clusters of `text` (what a terminal shows as one character each). */
function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/**
 * The columns one grapheme cluster takes: 0, 1 or 2 (U+FE0F asks for an emoji's presentation: 2),
 * those of its first character after any prepended ones (PREPEND).
 */
function graphemeWidth(grapheme: string): number {
  if (PREPEND.test(grapheme)) grapheme = grapheme.replace(PREPEND, "") || grapheme;
  if (ZERO_WIDTH.test(grapheme)) return 0;
  return WIDE.test(grapheme) || grapheme.includes("\ufe0f") ? 2 : 1;
}

/** The columns `text` (without control characters) takes on a terminal. */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const grapheme of graphemes(text)) width += graphemeWidth(grapheme);
  return width;
}

/**
 * `text` fitted to `width` columns, with the columns it takes: as it is when it fits, else cut at a
 * grapheme boundary (never inside a surrogate pair or a cluster) and ended by `…`.
 */
export function fitWidth(text: string, width: number): [text: string, width: number] {
  const full = displayWidth(text);
  if (full <= width) return [text, full];
  if (PRINTABLE_ASCII.test(text)) return [`${text.slice(0, Math.max(0, width - 1))}…`, Math.max(1, width)];
  let kept = "";
  let used = 0;
  for (const grapheme of graphemes(text)) {
    const next = graphemeWidth(grapheme);
    if (used + next > width - 1) break;
    kept += grapheme;
    used += next;
  }
  return [`${kept}…`, used + 1];
}

/** The format a file name's extension suggests: `.csv`, `.json`, else NDJSON. */
export function formatFromFileName(file: string): FileFormatName {
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.json$/i.test(file)) return "json";
  return "ndjson";
}

/** Whether a file name's extension names its format (formatFromFileName's NDJSON as `.ndjson` or `.jsonl`). */
export function namesFormat(file: string): boolean {
  return /\.(?:csv|json|ndjson|jsonl)$/i.test(file);
}
