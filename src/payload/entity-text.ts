/**
 * The entities of a v4 JSON page as the service wrote them: the text of each entity of the `value`
 * array, joined by commas. Whoever writes the entities out again as JSON (the command line's NDJSON
 * and JSON exports) can then cut that text at its separators instead of serializing each entity
 * anew, which costs about as much as parsing the page did; and every format keeps from it the
 * digits of numbers that `JSON.parse` rounds.
 *
 * The array is found by a scan of the body that `JSON.parse` has accepted: the body's members are
 * read up to its only top-level `value` (the one `JSON.parse` kept), then each entity of the array
 * from its `{` to the `}` that closes it (strings, escapes and nested objects and arrays followed,
 * so a `},{` inside a string or an expanded collection is no separator), and the array must hold
 * exactly the `n` objects `JSON.parse` read. Where the service put whitespace between the entities
 * or line breaks inside them (a pretty-printed page), the text is rebuilt without the whitespace
 * between tokens, strings untouched: one entity then fits one NDJSON line. Only a page whose
 * `value` is not an array of objects, or that has two `value` members, has no entity text; its
 * body is kept instead ({@link UnsplitPage}).
 *
 * The text keeps what `JSON.parse` and `JSON.stringify` would change: the digits of numbers as
 * sent (an Int64 or Decimal beyond 2^53 keeps its digits), escapes such as `\u00e9`, and the order
 * and repetition of members. Only the command line uses it (`onWholeBody` of collection-body.ts,
 * through {@link EntityTexts}).
 *
 * A body too large to be read whole (beyond collection-body.ts's buffer) comes in pieces: each run
 * of entities its scanner parsed together, as the JSON array it parsed. Each piece gets its own
 * entity text (or is kept whole), found as a body's is, and a page is the pieces its entities came in
 * ({@link PiecedPage}).
 */
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, findStringEnd, isJsonSpace, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipJsonSpace, skipJsonValue } from "./json-text.js";

/** The separator of a compact page's entities. */
const SEPARATOR = "},{";

/**
 * The entities of one page as the service sent them: what {@link EntityTexts.take} gives, with where
 * the text is cut and, when the body's bytes are its characters one for one, those bytes.
 */
export interface EntityText {
  /**
   * The entities' text, separated by a comma each (`},{` at each of `separators`), no line break.
   * A `},{` elsewhere is inside an entity (a string, a nested collection): cut only at `separators`.
   */
  readonly text: string;
  /** Where each separator `},{` starts in `text`, in order (one fewer than the entities). */
  readonly separators: readonly number[];
  /**
   * The body's bytes of `text`, when `text` is the body's own and the body had as many bytes as
   * characters: then byte `i` was read as character `i` (a character of two or more UTF-8 bytes,
   * or a BOM, makes the counts differ). They are `text`'s own UTF-8 only where they are all ASCII,
   * which the user checks.
   */
  readonly bytes?: Uint8Array | undefined;
  readonly pieces?: undefined;
}

/**
 * A page whose entities have no text of their own (its `value` is not an array of objects, or it
 * has two `value` members): the whole body, from which the digits of long numbers can still be
 * taken by matching it with the entities read.
 */
interface UnsplitPage {
  /** The body's text; for a piece of a body read in pieces, the JSON array of the piece's entities. */
  readonly body: string;
  readonly text?: undefined;
  readonly pieces?: undefined;
}

/** One piece of a page read in pieces: the entities the reader parsed together, and their text. */
export interface PageTextPiece {
  readonly entities: readonly unknown[];
  readonly page: EntityText | UnsplitPage;
}

/**
 * A page whose body was too large to be read whole: its entities are those of its pieces, in
 * order, each piece with a text of its own.
 */
interface PiecedPage {
  readonly pieces: readonly PageTextPiece[];
  readonly text?: undefined;
  readonly body?: undefined;
}

/** What {@link EntityTexts.take} gives for a page: its entity text, its whole body, or its pieces. */
export type PageText = EntityText | UnsplitPage | PiecedPage;

/**
 * The entity text of one page (see the module comment), or `undefined` when the page's text is not
 * of that shape; `bytes` are the body's bytes that `text` was decoded from. With `piece`, `text` is
 * the JSON array of a piece's entities, not a body.
 */
export function entityTextIn(text: string, entities: readonly unknown[], bytes?: Uint8Array, piece = false): EntityText | undefined {
  if (entities.length === 0) return undefined;
  const found = separatorSpan(text, entities, piece);
  if (found !== undefined && (!piece || tight(text, found[0], found[1]))) {
    const [start, end, separators] = found;
    return { text: text.slice(start, end), separators, bytes: bytes?.byteLength === text.length ? bytes.subarray(start, end) : undefined };
  }
  const spans = entitySpans(text, entities, piece);
  if (spans === undefined) return undefined;
  const n = spans.length / 2;
  const start = spans[0] as number;
  const end = spans[spans.length - 1] as number;
  // The service's own text, when each separator is a lone comma and no line break is in it (JSON
  // strings hold none unescaped: any is whitespace between tokens).
  let own = !hasLineBreak(text, start, end) && (!piece || tight(text, start, end));
  for (let k = 1; own && k < n; k++) own = (spans[2 * k] as number) === (spans[2 * k - 1] as number) + 1;
  const separators: number[] = [];
  if (own) {
    for (let k = 1; k < n; k++) separators.push((spans[2 * k - 1] as number) - 1 - start);
    return { text: text.slice(start, end), separators, bytes: bytes?.byteLength === text.length ? bytes.subarray(start, end) : undefined };
  }
  let joined = "";
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      separators.push(joined.length - 1);
      joined += ",";
    }
    joined += compact(text, spans[2 * k] as number, spans[2 * k + 1] as number);
  }
  return { text: joined, separators };
}

/**
 * Whether a piece's entities from `start` to `end` fill its array: no whitespace came after the
 * comma before them or before the comma after them. A page whose separators hold whitespace is
 * rebuilt without it, and so is each of its pieces, also one of a single entity (which has no
 * separator of its own to show it).
 */
function tight(text: string, start: number, end: number): boolean {
  return start === 1 && end === text.length - 1;
}

/** Whether the text from `start` to `end` holds a CR or LF. */
function hasLineBreak(text: string, start: number, end: number): boolean {
  const lf = text.indexOf("\n", start);
  if (lf >= 0 && lf < end) return true;
  const cr = text.indexOf("\r", start);
  return cr >= 0 && cr < end;
}

/** The JSON text from `start` to `end` without whitespace between tokens; strings as they are. */
function compact(text: string, start: number, end: number): string {
  let out = "";
  let from = start;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = findStringEnd(text, i + 1);
      if (i < 0) return out + text.slice(from, end);
    } else if (isJsonSpace(code)) {
      out += text.slice(from, i);
      while (i + 1 < end && isJsonSpace(text.charCodeAt(i + 1))) i++;
      from = i + 1;
    }
  }
  return out + text.slice(from, end);
}

/**
 * The texts of one walk's pages, from the reading of each body (`keep`, the walk's `onWholeBody`)
 * until its page is written (`take`). A `Map` whose entries go as they are taken, not a `WeakMap`
 * keyed by every page: with the `WeakMap`, the export moved about four times as many bytes to the
 * old generation (each page's entities and text), and needed a full collection every two or three
 * exports of 100,000 rows (`node --trace-gc-nvp`, bench/export.ts's service).
 */
export class EntityTexts {
  readonly #texts = new Map<readonly unknown[], EntityText | UnsplitPage>();
  /**
   * The pieces of bodies read in pieces, in the order they were read: the walk gives its pages in
   * that order, each made of its pieces' entities (the reader's arrays are joined into the page's,
   * so a page cannot be found by its array as one read whole is).
   */
  #pieces: PageTextPiece[] = [];

  /**
   * Remembers the entity text of `entities` in the v4 body `text`, or, for a page with entities
   * and no entity text, the body itself. With `piece`, `text` is a piece of a body read in pieces
   * (`onWholeBody` of collection-body.ts): the JSON array of `entities`.
   */
  readonly keep = (text: string, entities: readonly unknown[], bytes?: Uint8Array, piece = false): void => {
    if (entities.length === 0) return;
    if (piece) this.#pieces.push({ entities, page: entityTextIn(text, entities, undefined, true) ?? { body: text } });
    else this.#texts.set(entities, entityTextIn(text, entities, bytes) ?? { body: text });
  };

  /**
   * The text kept for these entities (the page's `value`), forgotten as it is given: a page read
   * whole by its array, one read in pieces by the pieces its entities are, one after another. A
   * page cut to `$top` (read/traversal.ts slices the service's array when the service sent more,
   * as Graph does) is found by the page whose entities it begins with, its text cut to them.
   */
  take(entities: readonly unknown[]): PageText | undefined {
    const found = this.#texts.get(entities);
    if (found !== undefined) {
      this.#texts.delete(entities);
      return found;
    }
    if (entities.length === 0) return undefined;
    const n = entities.length;
    // A page kept is one or two (the one read ahead): a look at each costs nothing.
    for (const [kept, page] of this.#texts) {
      if (kept.length > n && kept[0] === entities[0] && kept[n - 1] === entities[n - 1]) {
        this.#texts.delete(kept);
        return cutText(page, n);
      }
    }
    return this.#pieces.length === 0 ? undefined : this.#takePieces(entities);
  }

  /**
   * The pieces whose entities are `entities`, in order, taken from the front of those kept; the
   * last one cut to the entities it begins with when the page was cut to `$top` inside it.
   */
  #takePieces(entities: readonly unknown[]): PiecedPage | undefined {
    const kept = this.#pieces;
    // Pieces before the page's first are of a page never taken: they go.
    const first = kept.findIndex((piece) => piece.entities[0] === entities[0]);
    if (first < 0) return undefined;
    const pieces: PageTextPiece[] = [];
    let at = 0;
    let end = first;
    for (; end < kept.length && at < entities.length; end++) {
      const piece = kept[end] as PageTextPiece;
      const n = Math.min(piece.entities.length, entities.length - at);
      if (piece.entities[0] !== entities[at] || piece.entities[n - 1] !== entities[at + n - 1]) break;
      pieces.push(n === piece.entities.length ? piece : { entities: piece.entities.slice(0, n), page: cutText(piece.page, n) });
      at += n;
    }
    // One copy a page, of the few pieces read ahead of it.
    this.#pieces = kept.slice(end);
    return at === entities.length ? { pieces } : undefined;
  }
}

/**
 * The text of the first `n` entities of a page read whole or of a piece: an entity text cut at
 * its `n`-th separator (its bytes with it: they are its characters one for one); a body kept
 * unsplit as it is, since its entities are matched with those read, first to last.
 */
function cutText(page: EntityText | UnsplitPage, n: number): EntityText | UnsplitPage {
  if (page.text === undefined || n > page.separators.length) return page;
  // The separator `},{` starts with the closing brace of the n-th entity.
  const end = (page.separators[n - 1] as number) + 1;
  return { text: page.text.slice(0, end), separators: page.separators.slice(0, n - 1), bytes: page.bytes?.subarray(0, end) };
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
 * Whether the text from `start` on has whitespace that a separator could hold: a line break or a
 * tab (JSON strings hold neither unescaped, so they are whitespace between tokens), a space after
 * `}` or before `{`. A few `indexOf` are several times faster than one regular expression here.
 */
function hasLooseSeparator(text: string, start: number): boolean {
  return text.indexOf("\n", start) >= 0 || text.indexOf("\r", start) >= 0 || text.indexOf("\t", start) >= 0 || text.indexOf("} ", start) >= 0 || text.indexOf(" {", start) >= 0;
}

/**
 * The entities' text found the cheap way, for a compact page with no `},{`, `} ` or ` {` but its
 * separators: where it is (start, end) and where its separators start, relative to its start; or
 * `undefined` where that cannot be shown so, and the page is scanned entity by entity
 * (entitySpans). The proof, for a body whose `value` held `n` objects:
 * - no CR, LF or tab, no `}` followed by a space and no space followed by `{` from the array's
 *   start to the end of the body: so each of the `n - 1` separators of the array is exactly `},{`;
 * - `},{` occurs exactly `n - 1` times there: so every occurrence is a separator, none is inside
 *   a string or a nested value;
 * - the array found is the body's only top-level `value` member, its first entity ends at the
 *   first `},{`, and its last one, which starts after the last `},{`, is followed by the array's `]`.
 * A few native `indexOf` over the page: about a tenth of what its `JSON.parse` costs, where a scan
 * of every character costs a third to three quarters (bench/export.ts's pages of 1000 rows).
 */
function separatorSpan(text: string, entities: readonly unknown[], piece: boolean): [start: number, end: number, separators: number[]] | undefined {
  const n = entities.length;
  const valueAt = arrayOfObjects(text, entities, piece);
  if (valueAt < 0) return undefined;
  const start = skipJsonSpace(text, valueAt + 1);
  if (hasLooseSeparator(text, start)) return undefined;
  const separators: number[] = [];
  let firstSeparator = -1;
  let lastSeparator = -1;
  for (let at = text.indexOf(SEPARATOR, start); at >= 0; at = text.indexOf(SEPARATOR, at + 1)) {
    if (firstSeparator < 0) firstSeparator = at;
    lastSeparator = at;
    // More than the separators of n entities: some are not separators.
    if (separators.push(at - start) > n - 1) return undefined;
  }
  if (separators.length !== n - 1 || text.charCodeAt(start) !== OPEN_BRACE) return undefined;
  const end = skipJsonValue(text, n === 1 ? start : lastSeparator + 2);
  // The first entity ends where the first separator begins: the array is the one whose separators were counted.
  if (end < 0 || (n > 1 && skipJsonValue(text, start) !== firstSeparator + 1)) return undefined;
  return closesBody(text, skipJsonSpace(text, end), piece) ? [start, end, separators] : undefined;
}

/**
 * Where the `[` of the body's `value` is, when `entities` (what `JSON.parse` read from it) are
 * all objects and it is an object whose `value` is an array; -1 else. A piece's array is the text itself.
 */
function arrayOfObjects(text: string, entities: readonly unknown[], piece: boolean): number {
  for (const entity of entities) if (typeof entity !== "object" || entity === null || Array.isArray(entity)) return -1;
  const open = skipJsonSpace(text, 0);
  if (piece) return text.charCodeAt(open) === OPEN_BRACKET ? open : -1;
  if (text.charCodeAt(open) !== OPEN_BRACE) return -1;
  const valueAt = nextValueMember(text, open + 1, true);
  return valueAt < 0 || text.charCodeAt(valueAt) !== OPEN_BRACKET ? -1 : valueAt;
}

/**
 * Whether the `]` at `close` ends the array, then the body, with no later member named `value`
 * (a piece: then the text).
 */
function closesBody(text: string, close: number, piece: boolean): boolean {
  if (text.charCodeAt(close) !== CLOSE_BRACKET) return false;
  const after = skipJsonSpace(text, close + 1);
  if (piece) return after === text.length;
  if (text.charCodeAt(after) === CLOSE_BRACE) return skipJsonSpace(text, after + 1) === text.length;
  return text.charCodeAt(after) === COMMA && nextValueMember(text, after + 1, false) === -1;
}

/**
 * Where each entity of the `value` array is in a v4 JSON collection body that `JSON.parse` read
 * into `entities`: its start and end, entity after entity, in one array; or `undefined` when the
 * array is not provably theirs (see the module comment).
 */
function entitySpans(text: string, entities: readonly unknown[], piece: boolean): number[] | undefined {
  const valueAt = arrayOfObjects(text, entities, piece);
  if (valueAt < 0) return undefined;
  // Entity by entity: each an object (skipJsonValue follows its strings and nesting to the brace
  // that closes it), then a comma or the array's end.
  const spans: number[] = [];
  let at = skipJsonSpace(text, valueAt + 1);
  for (;;) {
    if (text.charCodeAt(at) !== OPEN_BRACE || spans.length === 2 * entities.length) return undefined;
    const end = skipJsonValue(text, at);
    if (end < 0) return undefined;
    spans.push(at, end);
    at = skipJsonSpace(text, end);
    const code = text.charCodeAt(at);
    if (code === CLOSE_BRACKET) break;
    if (code !== COMMA) return undefined;
    at = skipJsonSpace(text, at + 1);
  }
  return spans.length === 2 * entities.length && closesBody(text, at, piece) ? spans : undefined;
}
