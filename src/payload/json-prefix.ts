/**
 * Reading the start of a JSON text whose end was cut off: an error body is kept to a bounded
 * length (error-body.ts), and an OData error whose `innererror` runs past that bound (SAP's
 * `errordetails` of a mass validation, a stack trace) would otherwise lose its code and message too.
 */
import { findStringEnd, skipJsonSpace } from "./json-text.js";

/** The value read from a cut text, and the objects and arrays in it that the cut ended inside. */
export interface JsonPrefix {
  readonly value: unknown;
  readonly cut: WeakSet<object>;
}

/** The text ended inside a string, a number or a literal, or before a value. */
const ENDED = Symbol("ended");

/**
 * How deep objects and arrays are read. A text nested deeper (an error body of 64 KiB of "[") is
 * taken as cut where the limit is reached: what lies deeper is left out, and reading ends there,
 * instead of the stack running out.
 */
const MAX_DEPTH = 128;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** The start of a number that the end of the text may have cut ("-", "1.", "2e+"). */
const NUMBER_START = /-?(?:(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][+-]?\d*)?)?$/y;

/**
 * Reads `text` as the start of a JSON value: what it holds whole (members and items whose values
 * are complete) is kept, and the objects and arrays the text ends inside are listed in `cut`
 * (objects and arrays nested deeper than {@link MAX_DEPTH} count as the end of the text).
 * `undefined` when the text is not the start of any JSON value (a syntax error before its end),
 * is a whole JSON value (read it with `JSON.parse`), or ends before its first value is known.
 */
export function readJsonPrefix(text: string): JsonPrefix | undefined {
  const reader = new PrefixReader(text);
  try {
    const value = reader.value();
    if (value === ENDED || reader.cut.has(value as object) === false) return undefined;
    return { value, cut: reader.cut };
  } catch {
    // Not the start of a JSON value (a SyntaxError), or nothing that could be read safely.
    return undefined;
  }
}

class PrefixReader {
  readonly cut = new WeakSet<object>();
  readonly #text: string;
  #at = 0;
  /** The objects and arrays open around the value being read. */
  #depth = 0;

  constructor(text: string) {
    this.#text = text;
  }

  value(): unknown {
    if (this.#skipWhitespace()) return ENDED;
    const char = this.#text[this.#at];
    if ((char === "{" || char === "[") && this.#depth >= MAX_DEPTH) return ENDED;
    if (char === "{") return this.#nested(() => this.#object());
    if (char === "[") return this.#nested(() => this.#array());
    if (char === '"') return this.#string();
    for (const [word, value] of LITERALS) {
      const rest = this.#text.slice(this.#at, this.#at + word.length);
      if (rest === word) {
        this.#at += word.length;
        return value;
      }
      if (word.startsWith(rest) && this.#at + rest.length === this.#text.length) return ENDED;
    }
    // A number that reaches the end may have been cut inside it.
    NUMBER_START.lastIndex = this.#at;
    if (NUMBER_START.test(this.#text)) return ENDED;
    NUMBER.lastIndex = this.#at;
    const number = NUMBER.exec(this.#text);
    if (number === null) throw new SyntaxError(`no JSON value at ${this.#at}`);
    this.#at += number[0].length;
    return Number(number[0]);
  }

  #nested<T>(read: () => T): T {
    this.#depth++;
    try {
      return read();
    } finally {
      this.#depth--;
    }
  }

  #object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.#at++;
    for (let first = true; ; first = false) {
      if (this.#skipWhitespace()) return this.#ended(object);
      if (this.#text[this.#at] === "}" && first) {
        this.#at++;
        return object;
      }
      if (this.#text[this.#at] !== '"') throw new SyntaxError(`no member name at ${this.#at}`);
      const name = this.#string();
      if (name === ENDED || this.#skipWhitespace()) return this.#ended(object);
      if (this.#text[this.#at++] !== ":") throw new SyntaxError(`no ":" at ${this.#at - 1}`);
      const member = this.value();
      if (member === ENDED) return this.#ended(object);
      // As JSON.parse does: "__proto__" is a member like any other, not the prototype.
      Object.defineProperty(object, name, { value: member, enumerable: true, writable: true, configurable: true });
      if (this.#isCut(member) || this.#skipWhitespace()) return this.#ended(object);
      const next = this.#text[this.#at++];
      if (next === "}") return object;
      if (next !== ",") throw new SyntaxError(`no "," or "}" at ${this.#at - 1}`);
    }
  }

  #array(): unknown[] {
    const array: unknown[] = [];
    this.#at++;
    for (let first = true; ; first = false) {
      if (this.#skipWhitespace()) return this.#ended(array);
      if (this.#text[this.#at] === "]" && first) {
        this.#at++;
        return array;
      }
      const item = this.value();
      if (item === ENDED) return this.#ended(array);
      array.push(item);
      if (this.#isCut(item) || this.#skipWhitespace()) return this.#ended(array);
      const next = this.#text[this.#at++];
      if (next === "]") return array;
      if (next !== ",") throw new SyntaxError(`no "," or "]" at ${this.#at - 1}`);
    }
  }

  #string(): string | typeof ENDED {
    const start = this.#at;
    const end = findStringEnd(this.#text, start + 1);
    if (end < 0) return ENDED;
    this.#at = end + 1;
    // JSON.parse decodes the escapes, and refuses what JSON does not allow in a string.
    return JSON.parse(this.#text.slice(start, end + 1)) as string;
  }

  /** Skips whitespace; whether the text has ended. */
  #skipWhitespace(): boolean {
    this.#at = skipJsonSpace(this.#text, this.#at);
    return this.#at >= this.#text.length;
  }

  #isCut(value: unknown): boolean {
    return typeof value === "object" && value !== null && this.cut.has(value);
  }

  #ended<T extends object>(container: T): T {
    this.cut.add(container);
    return container;
  }
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ["true", true],
  ["false", false],
  ["null", null],
];
