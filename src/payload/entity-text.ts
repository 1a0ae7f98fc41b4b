/**
 * The entities of a v4 JSON page as the service wrote them: the text of the `value` array between
 * its brackets, when it can be shown cheaply to be exactly the entities `JSON.parse` read, one after
 * the other, separated by `},{` and nothing else. Whoever writes the entities out again as JSON
 * (the command line's NDJSON and JSON exports) can then cut that text at its `},{` instead of
 * serializing each entity anew, which costs about as much as parsing the page did.
 *
 * The proof, for a body `JSON.parse` has accepted and whose `value` held `n` objects:
 * - no CR, LF or tab, no `}` followed by a space and no space followed by `{` from the array's
 *   start to the end of the body: so each of the `n - 1` separators of the array is exactly `},{`;
 * - `},{` occurs exactly `n - 1` times there: so every occurrence is a separator, none is inside
 *   a string or a nested value;
 * - the array found is the body's only top-level `value` member (the one `JSON.parse` kept), its
 *   first entity ends at the first `},{`, and its last one, which starts after the last `},{`, is
 *   followed by the array's `]`.
 * Anything else (pretty-printed bodies, separators with spaces, a `},{` inside a string or a
 * nested collection) gives `undefined`, and the caller serializes the entities itself.
 *
 * The text keeps what `JSON.parse` and `JSON.stringify` would change: the digits of numbers as
 * sent (an Int64 or Decimal beyond 2^53 keeps its digits), escapes such as `\u00e9`, and the order
 * and repetition of members. Only the command line uses it (`onWholeBody` of collection-body.ts,
 * through {@link EntityTexts}).
 */
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, findStringEnd, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipJsonSpace, skipJsonValue } from "./json-text.js";

/** The separator the text is cut at. */
const SEPARATOR = "},{";

/**
 * Whether the text from `start` on has whitespace that a separator could hold: a line break or a
 * tab (JSON strings hold neither unescaped, so they are whitespace between tokens), a space after
 * `}` or before `{`. A few `indexOf` are several times faster than one regular expression here.
 */
function hasLooseSeparator(text: string, start: number): boolean {
  return text.indexOf("\n", start) >= 0 || text.indexOf("\r", start) >= 0 || text.indexOf("\t", start) >= 0 || text.indexOf("} ", start) >= 0 || text.indexOf(" {", start) >= 0;
}

/**
 * The entities of one page as the service sent them: what {@link EntityTexts.take} gives, with where
 * the text is cut and, when the body's bytes are its characters one for one, those bytes.
 */
export interface EntityText {
  /** The entities' text: separated by `},{`, no other `},{` in it, no line break. */
  readonly text: string;
  /** Where each separator `},{` starts in `text`, in order (one fewer than the entities). */
  readonly separators: readonly number[];
  /**
   * The body's bytes of `text`, when the body had as many bytes as characters: then byte `i` was
   * read as character `i` (a character of two or more UTF-8 bytes, or a BOM, makes the counts
   * differ). They are `text`'s own UTF-8 only where they are all ASCII, which the user checks.
   */
  readonly bytes?: Uint8Array | undefined;
}

/**
 * The entity text of one page (see the module comment), or `undefined` when the page's text is not
 * of that shape; `bytes` are the body's bytes that `text` was decoded from.
 */
export function entityTextIn(text: string, entities: readonly unknown[], bytes?: Uint8Array): EntityText | undefined {
  if (entities.length === 0) return undefined;
  const span = entityArraySpan(text, entities);
  if (span === undefined) return undefined;
  const [start, end, separators] = span;
  return { text: text.slice(start, end), separators, bytes: bytes?.byteLength === text.length ? bytes.subarray(start, end) : undefined };
}

/**
 * The entity texts of one walk's pages, from the reading of each body (`keep`, the walk's
 * `onWholeBody`) until its page is written (`take`). A `Map` whose entries go as they are taken, not
 * a `WeakMap` keyed by every page: with the `WeakMap`, the export moved about four times as many
 * bytes to the old generation (each page's entities and text), and needed a full collection every
 * two or three exports of 100,000 rows (`node --trace-gc-nvp`, bench/export.ts's service).
 */
export class EntityTexts {
  readonly #texts = new Map<readonly unknown[], EntityText>();

  /** Remembers the entity text of `entities` in the v4 body `text`, when it has one. */
  readonly keep = (text: string, entities: readonly unknown[], bytes?: Uint8Array): void => {
    const found = entityTextIn(text, entities, bytes);
    if (found !== undefined) this.#texts.set(entities, found);
  };

  /** The entity text kept for exactly these entities (the page's `value`), forgotten as it is given. */
  take(entities: readonly unknown[]): EntityText | undefined {
    const found = this.#texts.get(entities);
    if (found !== undefined) this.#texts.delete(entities);
    return found;
  }
}

/** The member name whose quote opens at `at` (escapes read by `JSON.parse`), and the index after it. */
function memberName(text: string, at: number): [name: string, end: number] | undefined {
  if (text.charCodeAt(at) !== QUOTE) return undefined;
  const close = findStringEnd(text, at + 1);
  if (close < 0) return undefined;
  const raw = text.slice(at, close + 1);
  return [raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1), close + 1];
}

/**
 * Reads top-level members from `at` (just after `{` or a `,`) until the member named `value`
 * (returns the index just after its `:`) or the end of the object (returns -1 with `end` set, or
 * -2 when the text is not as expected).
 */
function nextValueMember(text: string, at: number, first: boolean): number {
  let position = skipJsonSpace(text, at);
  if (first && text.charCodeAt(position) === CLOSE_BRACE) return -1;
  for (;;) {
    const member = memberName(text, position);
    if (!member) return -2;
    position = skipJsonSpace(text, member[1]);
    if (text.charCodeAt(position) !== COLON) return -2;
    position = skipJsonSpace(text, position + 1);
    if (member[0] === "value") return position;
    position = skipJsonValue(text, position);
    if (position < 0) return -2;
    position = skipJsonSpace(text, position);
    const code = text.charCodeAt(position);
    if (code === CLOSE_BRACE) return skipJsonSpace(text, position + 1) === text.length ? -1 : -2;
    if (code !== COMMA) return -2;
    position = skipJsonSpace(text, position + 1);
  }
}

/**
 * Where the text of the `value` array's entities is in a v4 JSON collection body that `JSON.parse`
 * read into `entities` (start, end), and where its separators start, relative to its start; or
 * `undefined` when it is not provably theirs (see the module comment).
 */
function entityArraySpan(text: string, entities: readonly unknown[]): [start: number, end: number, separators: number[]] | undefined {
  const n = entities.length;
  for (const entity of entities) if (typeof entity !== "object" || entity === null || Array.isArray(entity)) return undefined;
  const open = skipJsonSpace(text, 0);
  if (text.charCodeAt(open) !== OPEN_BRACE) return undefined;
  const valueAt = nextValueMember(text, open + 1, true);
  if (valueAt < 0 || text.charCodeAt(valueAt) !== OPEN_BRACKET) return undefined;
  const start = skipJsonSpace(text, valueAt + 1);

  let end: number;
  const separators: number[] = [];
  if (n === 0) {
    end = start;
  } else {
    if (hasLooseSeparator(text, start)) return undefined;
    let firstSeparator = -1;
    let lastSeparator = -1;
    for (let at = text.indexOf(SEPARATOR, start); at >= 0; at = text.indexOf(SEPARATOR, at + 1)) {
      if (firstSeparator < 0) firstSeparator = at;
      lastSeparator = at;
      // More than the separators of n entities: some are not separators, the text is of no use.
      if (separators.push(at - start) > n - 1) return undefined;
    }
    if (separators.length !== n - 1 || text.charCodeAt(start) !== OPEN_BRACE) return undefined;
    end = skipJsonValue(text, n === 1 ? start : lastSeparator + 2);
    // The first entity ends where the first separator begins: the array is the one whose separators were counted.
    if (end < 0 || (n > 1 && skipJsonValue(text, start) !== firstSeparator + 1)) return undefined;
  }
  // The array closes right after its last entity, and no later member is another `value`.
  const close = skipJsonSpace(text, end);
  if (text.charCodeAt(close) !== CLOSE_BRACKET) return undefined;
  const after = skipJsonSpace(text, close + 1);
  if (text.charCodeAt(after) === CLOSE_BRACE) {
    if (skipJsonSpace(text, after + 1) !== text.length) return undefined;
  } else if (text.charCodeAt(after) !== COMMA || nextValueMember(text, after + 1, false) !== -1) {
    return undefined;
  }
  return [start, end, separators];
}
