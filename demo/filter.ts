/**
 * `$filter` and `$orderby` in the demo service: a parser and evaluator of the part of OData's
 * expression language (OData 4.01 Part 2 §5.1.1) that a demo of reading needs, for entity types
 * whose properties are all primitive.
 *
 * The subset: the comparisons `eq ne gt ge lt le`, `and`, `or`, `not`, parentheses, `in (...)`,
 * the functions `startswith`, `endswith`, `contains`, `tolower` and `toupper`, the entity's
 * properties, and literals of strings (`''` for a quote), numbers (`INF`, `NaN` too), booleans,
 * `null`, dates, DateTimeOffsets and GUIDs. An `$orderby` item is such an expression with `asc` or
 * `desc`.
 *
 * Reading is in two steps, so that what a client is told does not depend on what comes first in
 * its text: the whole text is parsed by OData's grammar (operators, calls, paths, lambdas,
 * aliases), and text that is no expression is refused 400 naming the character where reading
 * stopped; then the expression is checked, and a part of the language outside the subset
 * (arithmetic, other functions, lambdas, `has`, aliases, other literals) is refused 501 naming it,
 * a name that is no property or a comparison of two types that do not compare 400. (JSON array
 * and object literals alone are refused as soon as they are met: they are not read.)
 */
import type { QueryRefusal } from "./query-options.js";

/** The primitive types a property of a demo entity has. */
export type PropertyType = "Edm.Int32" | "Edm.Int64" | "Edm.Decimal" | "Edm.Double" | "Edm.String" | "Edm.Boolean" | "Edm.Date" | "Edm.DateTimeOffset" | "Edm.Guid";

/** An entity type as expressions see it: its name (for messages) and its properties' types. */
export interface EntityShape {
  readonly type: string;
  readonly properties: Readonly<Record<string, PropertyType>>;
}

/** An entity as the service holds it: an object of property values as they go into JSON. */
export type Entity = object;

/**
 * A value during evaluation: numbers (every numeric type; a DateTimeOffset as its milliseconds),
 * strings (a date as `YYYY-MM-DD`, which sorts as dates do; a GUID in lower case), booleans, null.
 */
export type Value = number | string | boolean | null;

/** One `$orderby` item, ready to sort by. */
export interface OrderItem {
  /** The item's expression, evaluated for an entity. */
  readonly evaluate: (entity: Entity) => Value;
  readonly descending: boolean;
  /** The expression as the client wrote it. */
  readonly text: string;
}

/** A `$filter` text as a predicate of `shape`'s entities, or why it is refused. */
export function compileFilter(text: string, shape: EntityShape): ((entity: Entity) => boolean) | QueryRefusal {
  return attempt("$filter", () => {
    const reader = new Reader("$filter", text);
    const node = reader.expression();
    reader.expectEnd();
    const compiled = new Compiler("$filter", shape, text).compile(node);
    if (compiled.kind !== "boolean" && compiled.kind !== "null") {
      throw new Refusal(400, `$filter must be a Boolean expression; ${compiled.text} (at character ${node.at + 1}) is ${KIND_TEXT[compiled.kind]}`);
    }
    const evaluate = compiled.evaluate;
    // OData keeps the entities for which the expression is true: null (a comparison with a missing
    // value inside `and`) drops them, as false does.
    return (entity: Entity) => evaluate(entity) === true;
  });
}

/** An `$orderby` text as the items to sort `shape`'s entities by, or why it is refused. */
export function compileOrderBy(text: string, shape: EntityShape): OrderItem[] | QueryRefusal {
  return attempt("$orderby", () => {
    const reader = new Reader("$orderby", text);
    const read: { node: Node; direction: "asc" | "desc" | undefined }[] = [];
    do read.push({ node: reader.expression(), direction: reader.direction() });
    while (reader.comma());
    reader.expectEnd();
    // Checked once the whole text has been read: a syntax error is told before an unsupported part.
    const compiler = new Compiler("$orderby", shape, text);
    return read.map(({ node, direction }) => {
      const compiled = compiler.compile(node);
      return { evaluate: compiled.evaluate, descending: direction === "desc", text: compiled.text };
    });
  });
}

/**
 * The order of two values in an ascending sort: null first (OData 4.01 Part 2 §5.1.5), then by
 * value; strings by UTF-16 code units, which no culture's collation changes from one request to
 * the next.
 */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order of two entities in a sort by `items`, each entity given as its keys (the items'
 * values, in their order) and its ID: by the keys, each in its item's direction, then by ID, so
 * that the order is total and a page's skiptoken (the last ID sent) says where the next one starts.
 */
export function compareByItems(items: readonly OrderItem[]): (keysA: readonly Value[], idA: number, keysB: readonly Value[], idB: number) => number {
  return (keysA, idA, keysB, idB) => {
    for (let index = 0; index < items.length; index++) {
      const order = compareValues(keysA[index] as Value, keysB[index] as Value);
      if (order !== 0) return (items[index] as OrderItem).descending ? -order : order;
    }
    return idA - idB;
  };
}

// --- refusals --------------------------------------------------------------------------------------

/** Why an expression is refused: 400 for text that is wrong, 501 for a part the demo does not implement. */
class Refusal extends Error {
  constructor(
    readonly status: 400 | 501,
    message: string,
  ) {
    super(message);
  }
}

function attempt<T>(option: "$filter" | "$orderby", work: () => T): T | QueryRefusal {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return error.status === 501
      ? { status: 501, code: "NotImplemented", message: error.message, target: option }
      : { status: 400, code: "InvalidQuery", message: error.message, target: option };
  }
}

// --- reading the text ------------------------------------------------------------------------------

type LiteralKind = "number" | "string" | "boolean" | "date" | "dateTimeOffset" | "guid" | "null";

interface Token {
  type: "word" | "literal" | "typed" | "(" | ")" | "," | "/" | ":" | "-" | "end";
  /** The token's text (for a string literal, with its quotes). */
  text: string;
  /** Where the token starts in the option's text (0-based). */
  at: number;
  end: number;
  kind?: LiteralKind;
  value?: Value;
  /** For a literal of a type outside the subset: what it is, for the refusal. */
  what?: string;
}

/** The expression tree OData's grammar gives, before it is checked against the subset. */
type Node = { at: number; end: number } & (
  | { type: "literal"; kind: LiteralKind; value: Value }
  | { type: "typed"; what: string }
  | { type: "alias" }
  | { type: "path"; segments: string[]; lambda?: "any" | "all" }
  | { type: "call"; name: string; args: Node[] }
  | { type: "binary"; operator: string; left: Node; right: Node }
  | { type: "in"; left: Node; items: Node[] }
  | { type: "not" | "negate"; operand: Node }
);

// Binary operators by binding strength, loosest first (Part 2 §5.1.1.16). `in` and `has` are not
// here: OData 4.01 lists them with the member path, binding tighter than the unary `not` and `-`
// (`not Name in ('a')` is `not (Name in ('a'))`).
const BINARY_LEVELS: readonly (readonly string[])[] = [["or"], ["and"], ["eq", "ne"], ["gt", "ge", "lt", "le"], ["add", "sub"], ["mul", "div", "divby", "mod"]];

// A number's sign is `-` or `+` (OData's ABNF: SIGN = "+" / "%2B" / "-"); `+` is no operator of its own.
const NUMBER = /[-+]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const GUID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w.-])/y;
const DATE_TIME = /(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,12})?)?(Z|[+-]\d{2}:\d{2}))?/y;
const TIME_OF_DAY = /\d{2}:\d{2}(?::\d{2}(?:\.\d{1,12})?)?(?![\w.])/y;
/** Operator words: never a property where an operand is expected, nor a type prefix before a quote. */
const OPERATORS = new Set([...BINARY_LEVELS.flat(), "in", "has", "not"]);
// Names: identifiers, qualified ones (`Edm.String`, `Demo.ship`), and `$it` or `@alias`.
const WORD = /[$@]?[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*/y;

/** Reads one option's text into {@link Node}s by OData's grammar. */
/**
 * How deep an expression may nest (parentheses, calls, `not`): far beyond what a reader writes, and
 * short of what would exhaust the stack of the reading and of the evaluation, which recurse.
 */
const MAX_DEPTH = 100;

class Reader {
  readonly #option: string;
  readonly #text: string;
  readonly #tokens: Token[];
  #next = 0;
  /** How deep the expression being read is nested. */
  #depth = 0;

  constructor(option: string, text: string) {
    this.#option = option;
    this.#text = text;
    this.#tokens = this.#tokenize();
    if (this.#tokens.length === 1) throw new Refusal(400, `${option} is empty`);
  }

  /** One whole expression (`commonExpr`), nested at most {@link MAX_DEPTH} deep. */
  expression(): Node {
    this.#deeper();
    const node = this.#level(0);
    this.#depth -= 1;
    return node;
  }

  /** One level deeper (a parenthesis, a call's argument, a `not` or `-`): refused past {@link MAX_DEPTH}. */
  #deeper(): void {
    if (++this.#depth > MAX_DEPTH) throw new Refusal(400, `${this.#option} is nested more than ${MAX_DEPTH} levels deep at character ${this.#peek().at + 1}`);
  }

  /** An `$orderby` item's `asc` or `desc`, if one follows. */
  direction(): "asc" | "desc" | undefined {
    const token = this.#peek();
    if (token.type === "word" && (token.text === "asc" || token.text === "desc")) {
      this.#take();
      return token.text;
    }
    return undefined;
  }

  /** Takes a `,` if one follows. */
  comma(): boolean {
    if (this.#peek().type !== ",") return false;
    this.#take();
    return true;
  }

  /** Refuses anything left over: an expression ends where no operator joins it to more. */
  expectEnd(): void {
    const token = this.#peek();
    if (token.type !== "end") this.#fail(token, this.#option === "$orderby" ? "an operator, asc, desc, a comma or the end" : "an operator or the end");
  }

  #level(index: number): Node {
    const operators = BINARY_LEVELS[index];
    if (operators === undefined) return this.#unary();
    let left = this.#level(index + 1);
    for (let token = this.#peek(); token.type === "word" && operators.includes(token.text); token = this.#peek()) {
      this.#take();
      const right = this.#level(index + 1);
      left = { type: "binary", operator: token.text, left, right, at: left.at, end: right.end };
    }
    return left;
  }

  #unary(): Node {
    const token = this.#peek();
    if ((token.type === "word" && token.text === "not") || token.type === "-") {
      this.#take();
      this.#deeper();
      const operand = this.#unary();
      this.#depth -= 1;
      return { type: token.type === "-" ? "negate" : "not", operand, at: token.at, end: operand.end };
    }
    let node = this.#primary();
    for (let next = this.#peek(); next.type === "word" && (next.text === "in" || next.text === "has"); next = this.#peek()) {
      this.#take();
      if (next.text === "has") {
        const right = this.#primary();
        node = { type: "binary", operator: "has", left: node, right, at: node.at, end: right.end };
        continue;
      }
      this.#expect("(", "( after in");
      const items = this.#list();
      node = { type: "in", left: node, items, at: node.at, end: this.#previousEnd() };
    }
    return node;
  }

  #primary(): Node {
    const token = this.#peek();
    if (token.type === "(") {
      this.#take();
      const inner = this.expression();
      const close = this.#expect(")", "an operator or )");
      return { ...inner, at: token.at, end: close.end };
    }
    if (token.type === "literal") {
      this.#take();
      return { type: "literal", kind: token.kind as LiteralKind, value: token.value as Value, at: token.at, end: token.end };
    }
    if (token.type === "typed") {
      this.#take();
      return { type: "typed", what: token.what as string, at: token.at, end: token.end };
    }
    if (token.type !== "word" || OPERATORS.has(token.text)) this.#fail(token, "an operand");
    this.#take();
    if (token.text.startsWith("@")) return { type: "alias", at: token.at, end: token.end };
    if (!token.text.startsWith("$") && this.#peek().type === "(") {
      this.#take();
      const args = this.#peek().type === ")" ? (this.#take(), []) : this.#list();
      return { type: "call", name: token.text, args, at: token.at, end: this.#previousEnd() };
    }
    const segments = [token.text];
    while (this.#peek().type === "/") {
      this.#take();
      const segment = this.#peek();
      if (segment.type !== "word" || segment.text.startsWith("@")) this.#fail(segment, "a property name after /");
      this.#take();
      if ((segment.text === "any" || segment.text === "all") && this.#peek().type === "(") {
        this.#take();
        this.#lambdaBody();
        return { type: "path", segments, lambda: segment.text, at: token.at, end: this.#previousEnd() };
      }
      segments.push(segment.text);
    }
    return { type: "path", segments, at: token.at, end: this.#previousEnd() };
  }

  /** `(a,b,...)` after its `(`: one expression at least. */
  #list(): Node[] {
    const items = [this.expression()];
    while (this.#peek().type === ",") {
      this.#take();
      items.push(this.expression());
    }
    this.#expect(")", "a comma or )");
    return items;
  }

  /** A lambda's `(v:expression)` or `()` after its `(`, read for its syntax alone. */
  #lambdaBody(): void {
    if (this.#peek().type === ")") {
      this.#take();
      return;
    }
    const variable = this.#peek();
    if (variable.type !== "word" || /^[$@]/.test(variable.text)) this.#fail(variable, "a lambda variable");
    this.#take();
    this.#expect(":", ": after the lambda variable");
    this.expression();
    this.#expect(")", "an operator or )");
  }

  #peek(): Token {
    return this.#tokens[this.#next] as Token;
  }

  #take(): Token {
    const token = this.#peek();
    if (token.type !== "end") this.#next += 1;
    return token;
  }

  #previousEnd(): number {
    return (this.#tokens[this.#next - 1] as Token).end;
  }

  #expect(type: Token["type"], what: string): Token {
    const token = this.#peek();
    if (token.type !== type) this.#fail(token, what);
    return this.#take();
  }

  #fail(token: Token, expected: string): never {
    const found = token.type === "end" ? "the end of the text" : JSON.stringify(token.text);
    throw new Refusal(400, `${this.#option}: expected ${expected} at character ${token.at + 1}, found ${found}`);
  }

  #tokenize(): Token[] {
    const text = this.#text;
    const tokens: Token[] = [];
    let at = 0;
    const push = (token: Omit<Token, "at" | "end">, length: number) => {
      tokens.push({ ...token, at, end: at + length });
      at += length;
    };
    const sticky = (pattern: RegExp) => {
      pattern.lastIndex = at;
      return pattern.exec(text);
    };
    while (at < text.length) {
      const char = text[at] as string;
      if (char === " " || char === "\t") {
        at += 1;
        continue;
      }
      if ("(),/:".includes(char)) {
        push({ type: char as Token["type"], text: char }, 1);
        continue;
      }
      if (char === "'") {
        const length = this.#stringLength(at);
        push({ type: "literal", kind: "string", text: text.slice(at, at + length), value: text.slice(at + 1, at + length - 1).replaceAll("''", "'") }, length);
        continue;
      }
      if (char === "[" || char === "{") {
        // JSON arrays and objects are OData 4.01 literals too; reading them is not worth the demo's while.
        throw new Refusal(501, `The demo service does not implement JSON literals (${char}...) in ${this.#option} (at character ${at + 1})`);
      }
      const guid = sticky(GUID);
      if (guid) {
        push({ type: "literal", kind: "guid", text: guid[0], value: guid[0].toLowerCase() }, guid[0].length);
        continue;
      }
      if (/[\d-]/.test(char) || (char === "+" && /\d/.test(text[at + 1] ?? ""))) {
        this.#numberOrDate(push, sticky, at);
        continue;
      }
      const word = sticky(WORD);
      if (word) {
        const name = word[0];
        if (text[at + name.length] === "'" && /^[A-Za-z]/.test(name) && !OPERATORS.has(name)) {
          // A literal with a type prefix: duration'P1D', binary'...', Demo.Color'Red'.
          const length = name.length + this.#stringLength(at + name.length);
          push({ type: "typed", text: text.slice(at, at + length), what: `${name}'...' literals` }, length);
        } else if (name === "true" || name === "false") {
          push({ type: "literal", kind: "boolean", text: name, value: name === "true" }, name.length);
        } else if (name === "null") {
          push({ type: "literal", kind: "null", text: name, value: null }, name.length);
        } else if (name === "INF" || name === "NaN") {
          push({ type: "literal", kind: "number", text: name, value: name === "INF" ? Infinity : Number.NaN }, name.length);
        } else {
          push({ type: "word", text: name }, name.length);
        }
        continue;
      }
      // A client that writes its query as an HTML form does, a space as `+`, is told how it was read.
      const hint = char === "+" ? " (a + in the query is a plus sign, as OData's URL syntax has it: send a space as %20)" : "";
      throw new Refusal(400, `${this.#option}: unexpected ${JSON.stringify(char)} at character ${at + 1}${hint}`);
    }
    tokens.push({ type: "end", text: "", at, end: at });
    return tokens;
  }

  /** The length of the string literal at `from` (its `'`), `''` inside counted as one quote. */
  #stringLength(from: number): number {
    for (let index = from + 1; index < this.#text.length; index++) {
      if (this.#text[index] !== "'") continue;
      if (this.#text[index + 1] === "'") index += 1;
      else return index + 1 - from;
    }
    throw new Refusal(400, `${this.#option}: the string literal at character ${from + 1} is never closed`);
  }

  /** A number, date, DateTimeOffset, or a `-` (negation) at `at`. */
  #numberOrDate(push: (token: Omit<Token, "at" | "end">, length: number) => void, sticky: (pattern: RegExp) => RegExpExecArray | null, at: number): void {
    const text = this.#text;
    const date = sticky(DATE_TIME);
    if (date) {
      push(dateToken(date, this.#option, at), date[0].length);
      if (text[at + date[0].length] === "T") throw new Refusal(400, `${this.#option}: the DateTimeOffset at character ${at + 1} needs hours, minutes and an offset (Z or +hh:mm)`);
      return;
    }
    const time = sticky(TIME_OF_DAY);
    if (time) return push({ type: "typed", text: time[0], what: "Edm.TimeOfDay literals" }, time[0].length);
    if (text.startsWith("-INF", at)) return push({ type: "literal", kind: "number", text: "-INF", value: -Infinity }, 4);
    const number = sticky(NUMBER);
    if (!number) return push({ type: "-", text: "-" }, 1);
    // 10M or 1.5d are OData v2 literals; in v4 a number is followed by a space, a bracket or a comma.
    if (/[\w.]/.test(text[at + number[0].length] ?? "")) {
      throw new Refusal(400, `${this.#option}: ${JSON.stringify(/^[-+\w.]+/.exec(text.slice(at))?.[0])} at character ${at + 1} is not a literal of OData v4`);
    }
    push({ type: "literal", kind: "number", text: number[0], value: Number(number[0]) }, number[0].length);
  }
}

/** A Date or DateTimeOffset token from its match, its fields checked. */
function dateToken(match: RegExpExecArray, option: string, at: number): Omit<Token, "at" | "end"> {
  const [whole, year, month, day, hour, minute, second, fraction, offset] = match;
  const days = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const valid =
    Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= days &&
    (hour === undefined || (Number(hour) < 24 && Number(minute) < 60 && Number(second ?? 0) < 60));
  if (!valid) throw new Refusal(400, `${option}: ${whole} at character ${at + 1} is not a valid ${hour === undefined ? "date" : "point in time"}`);
  if (hour === undefined) return { type: "literal", kind: "date", text: whole, value: whole };
  // Date.parse reads milliseconds only: a finer fraction is cut to them.
  const millis = fraction === undefined ? "" : `.${fraction.slice(1, 4).padEnd(3, "0")}`;
  const value = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second ?? "00"}${millis}${offset}`);
  return { type: "literal", kind: "dateTimeOffset", text: whole, value };
}

// --- checking and evaluating -----------------------------------------------------------------------

type Kind = LiteralKind;

/** An expression checked against the subset: its type and how to evaluate it. */
interface Compiled {
  kind: Kind;
  /** The expression as the client wrote it, for messages. */
  text: string;
  evaluate: (entity: Entity) => Value;
}

const KIND_OF: Readonly<Record<PropertyType, Kind>> = {
  "Edm.Int32": "number",
  "Edm.Int64": "number",
  "Edm.Decimal": "number",
  "Edm.Double": "number",
  "Edm.String": "string",
  "Edm.Boolean": "boolean",
  "Edm.Date": "date",
  "Edm.DateTimeOffset": "dateTimeOffset",
  "Edm.Guid": "guid",
};

const KIND_TEXT: Readonly<Record<Kind, string>> = {
  number: "a number",
  string: "a string",
  boolean: "a Boolean",
  date: "an Edm.Date",
  dateTimeOffset: "an Edm.DateTimeOffset",
  guid: "an Edm.Guid",
  null: "null",
};

/** The functions of the subset: their parameters' kinds and their result's. */
const FUNCTIONS: Readonly<Record<string, { parameters: readonly Kind[]; result: Kind; apply: (...args: never[]) => Value }>> = {
  startswith: { parameters: ["string", "string"], result: "boolean", apply: (text: string, prefix: string) => text.startsWith(prefix) },
  endswith: { parameters: ["string", "string"], result: "boolean", apply: (text: string, suffix: string) => text.endsWith(suffix) },
  contains: { parameters: ["string", "string"], result: "boolean", apply: (text: string, part: string) => text.includes(part) },
  tolower: { parameters: ["string"], result: "string", apply: (text: string) => text.toLowerCase() },
  toupper: { parameters: ["string"], result: "string", apply: (text: string) => text.toUpperCase() },
};

/** OData's other canonical functions (Part 2 §5.1.1.5 to §5.1.1.11), and v2's substringof: OData, but not the demo's. */
const OTHER_FUNCTIONS = new Set([
  "concat", "indexof", "length", "substring", "matchespattern", "trim", "substringof",
  "year", "month", "day", "hour", "minute", "second", "fractionalseconds", "totalseconds", "date", "time",
  "totaloffsetminutes", "mindatetime", "maxdatetime", "now", "round", "floor", "ceiling", "cast", "isof",
  "hassubset", "hassubsequence", "case", "geo.distance", "geo.intersects", "geo.length",
]);

const RELATIONAL: Readonly<Record<string, (order: number) => boolean>> = {
  gt: (order) => order > 0,
  ge: (order) => order >= 0,
  lt: (order) => order < 0,
  le: (order) => order <= 0,
};

/** Checks {@link Node}s against the subset and `shape`, and makes them evaluable. */
class Compiler {
  readonly #option: string;
  readonly #shape: EntityShape;
  /** The option's text, which nodes point into. */
  readonly #source: string;

  constructor(option: string, shape: EntityShape, source: string) {
    this.#option = option;
    this.#shape = shape;
    this.#source = source;
  }

  compile(node: Node): Compiled {
    switch (node.type) {
      case "literal": {
        const value = node.value;
        return { kind: node.kind, text: this.#text(node), evaluate: () => value };
      }
      case "typed":
        return this.#unsupported(node, node.what);
      case "alias":
        return this.#unsupported(node, "parameter aliases (@name)");
      case "path":
        return this.#path(node);
      case "call":
        return this.#call(node);
      case "not": {
        const operand = this.#boolean(node.operand, "not");
        const evaluate = operand.evaluate;
        return { kind: "boolean", text: this.#text(node), evaluate: (entity) => negate(evaluate(entity)) };
      }
      case "negate":
        return this.#unsupported(node, "the negation operator -");
      case "in":
        return this.#in(node);
      case "binary":
        return this.#binary(node);
    }
  }

  #path(node: Node & { type: "path" }): Compiled {
    const [first, ...rest] = node.segments as [string, ...string[]];
    if (node.lambda) return this.#unsupported(node, `the lambda operator ${node.lambda}`);
    if (first.startsWith("$")) return this.#unsupported(node, first);
    const type = this.#shape.properties[first];
    if (type === undefined) throw this.#invalid(node, `${first} is not a property of ${this.#shape.type}`);
    if (rest.length > 0) throw this.#invalid(node, `${first} is an ${type}, which has no ${rest[0]}`);
    const kind = KIND_OF[type];
    const read = (entity: Entity) => (entity as Record<string, unknown>)[first] ?? null;
    const evaluate = kind === "dateTimeOffset"
      ? (entity: Entity) => (read(entity) === null ? null : Date.parse(String(read(entity))))
      : kind === "guid"
        ? (entity: Entity) => (read(entity) === null ? null : String(read(entity)).toLowerCase())
        : (read as (entity: Entity) => Value);
    return { kind, text: first, evaluate };
  }

  #call(node: Node & { type: "call" }): Compiled {
    const fn = FUNCTIONS[node.name];
    if (fn === undefined) {
      if (OTHER_FUNCTIONS.has(node.name) || node.name.includes(".")) return this.#unsupported(node, `the function ${node.name}()`);
      throw this.#invalid(node, `${node.name} is not a function of OData`);
    }
    if (node.args.length !== fn.parameters.length) {
      throw this.#invalid(node, `${node.name} takes ${fn.parameters.length} argument${fn.parameters.length === 1 ? "" : "s"}; ${this.#text(node)} has ${node.args.length}`);
    }
    const args = node.args.map((arg, index) => {
      const compiled = this.compile(arg);
      const expected = fn.parameters[index] as Kind;
      if (compiled.kind !== expected && compiled.kind !== "null") {
        throw this.#invalid(arg, `${node.name} takes ${KIND_TEXT[expected]}; ${compiled.text} is ${KIND_TEXT[compiled.kind]}`);
      }
      return compiled.evaluate;
    });
    const apply = fn.apply as (...values: Value[]) => Value;
    return {
      kind: fn.result,
      text: this.#text(node),
      evaluate: (entity) => {
        const values = args.map((arg) => arg(entity));
        // A canonical function of null is null (Part 2 §5.1.1.5).
        return values.includes(null) ? null : apply(...values);
      },
    };
  }

  #in(node: Node & { type: "in" }): Compiled {
    const left = this.compile(node.left);
    const items = node.items.map((item) => this.#comparable(item, left, this.compile(item), "in").evaluate);
    const evaluateLeft = left.evaluate;
    return {
      kind: "boolean",
      text: this.#text(node),
      evaluate: (entity) => {
        const value = evaluateLeft(entity);
        return items.some((item) => item(entity) === value);
      },
    };
  }

  #binary(node: Node & { type: "binary" }): Compiled {
    const { operator } = node;
    if (operator === "and" || operator === "or") {
      const left = this.#boolean(node.left, operator).evaluate;
      const right = this.#boolean(node.right, operator).evaluate;
      const combine = operator === "and" ? and : or;
      return { kind: "boolean", text: this.#text(node), evaluate: (entity) => combine(left(entity), right(entity)) };
    }
    if (operator === "eq" || operator === "ne" || operator in RELATIONAL) {
      const left = this.compile(node.left);
      const right = this.#comparable(node, left, this.compile(node.right), operator);
      const [leftValue, rightValue] = [left.evaluate, right.evaluate];
      const holds = RELATIONAL[operator];
      const evaluate: (entity: Entity) => Value = holds
        ? (entity) => {
            const a = leftValue(entity);
            const b = rightValue(entity);
            // An order with one null is false, ge and le of two nulls true as eq is (Part 2
            // §5.1.1.1.3 to §5.1.1.1.6); NaN compares as nothing does.
            if (a === null || b === null) return a === b && (operator === "ge" || operator === "le");
            return holds(compareValues(a, b)) && a === a && b === b;
          }
        : operator === "eq"
          ? (entity) => leftValue(entity) === rightValue(entity)
          : (entity) => leftValue(entity) !== rightValue(entity);
      return { kind: "boolean", text: this.#text(node), evaluate };
    }
    return this.#unsupported(node, `the operator ${operator}`);
  }

  /** `right`, if it compares with `left`: the same kind (all numbers are one), or null. */
  #comparable(node: Node, left: Compiled, right: Compiled, operator: string): Compiled {
    if (left.kind === right.kind || left.kind === "null" || right.kind === "null") return right;
    throw this.#invalid(node, `${operator} cannot compare ${left.text}, ${KIND_TEXT[left.kind]}, with ${right.text}, ${KIND_TEXT[right.kind]}`);
  }

  /** `node` compiled, if it is a Boolean expression (or null): what `and`, `or` and `not` take. */
  #boolean(node: Node, operator: string): Compiled {
    const operand = this.compile(node);
    if (operand.kind === "boolean" || operand.kind === "null") return operand;
    throw this.#invalid(node, `${operator} takes Boolean expressions; ${operand.text} is ${KIND_TEXT[operand.kind]}`);
  }

  #unsupported(node: Node, what: string): never {
    throw new Refusal(501, `The demo service does not implement ${what} in ${this.#option} (at character ${node.at + 1})`);
  }

  #invalid(node: Node, message: string): Refusal {
    return new Refusal(400, `${this.#option}: ${message} (at character ${node.at + 1})`);
  }

  #text(node: Node): string {
    return this.#source.slice(node.at, node.end);
  }
}

// OData's logic with null (Part 2 §5.1.1.2): unknown unless the other operand decides.
function and(a: Value, b: Value): Value {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}

function or(a: Value, b: Value): Value {
  if (a === true || b === true) return true;
  return a === null || b === null ? null : false;
}

function negate(value: Value): Value {
  return value === null ? null : !value;
}
