/**
 * The incremental reading of a JSON collection body that outgrew `readCollectionBody`'s buffer: a
 * small scanner walks the text tracking only whether it is inside a string and how deep it is
 * nested, cuts the entity array at its top-level commas, and hands runs of complete entities to
 * `JSON.parse` together. Only the current network chunk and one unfinished entity are held at a
 * time; an unfinished entity beyond 256 KiB is kept as a list of pieces and joined once, when it
 * ends, so even a single huge entity costs time in proportion to its size. Pieces much shorter than
 * the unfinished text are held back and scanned together (see {@link HOLD_FRACTION}), so that a
 * body that arrives a few characters at a time costs no more than one in ordinary pieces. One
 * unfinished entity, annotation or member name is bounded (see {@link VALUE_LIMIT}), and so are the
 * collection's annotations together, which are kept until the body ends; the body as a whole is
 * not, its entities being handed on as they end. Loaded by the first such body
 * (collection-body.ts imports it then).
 */
import { isRecord } from "../util/values.js";
import type { ODataClientError } from "../errors.js";
import { badPayload } from "./bad-payload.js";
import { COLLECTION_ANNOTATIONS, readMember, type CollectionAnnotations, type PayloadFormat } from "./annotations.js";
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, endsWithOddBackslashes, findStringEnd, isJsonSpace, OPEN_BRACE, OPEN_BRACKET, QUOTE } from "./json-text.js";

/**
 * How many characters of complete entities are parsed in one `JSON.parse` in incremental mode.
 * Large enough that the per-call overhead vanishes, small enough that one batch stays a few
 * hundred entities.
 */
const GROUP_CHARS = 64 * 1024;

/**
 * An unfinished entity (or other member value) longer than this many characters is no longer
 * joined with each new chunk (which would copy it again every time, quadratic in its size): its
 * pieces are collected and joined once, when its end is found.
 */
const LARGE_VALUE_CHARS = 256 * 1024;

/**
 * The longest unfinished entity, member value or member name, in characters: get()'s bound on the
 * answer of one entity (ENTITY_LIMIT of read/entity.ts, 64 MiB), here on the one thing a walk
 * must hold whole. Beyond it the body is refused: a service that never ends an entity (or keeps
 * sending white space inside the array) would otherwise fill memory until the process dies, which
 * `timeout` does not prevent while data keeps coming.
 */
const VALUE_LIMIT = 64 * 1024 * 1024;

/**
 * A piece is held back, unscanned, while the pieces held come to less than this fraction of the
 * unfinished text carried from the pieces before. Each scan of the carried text (the fast path's
 * search, and the string join) costs its length, so scanning it once per piece would cost the square
 * of an entity's length when the pieces are tiny (a 250 KB entity in 1-character pieces took 32 s).
 * Held back, the text grows by at least this fraction between scans, and the scans add up to a
 * small multiple of the entity's length. Ordinary network pieces (a kilobyte or more, beside
 * entities of a few hundred characters) are never held.
 */
const HOLD_FRACTION = 1 / 8;

/** Below this many characters, scanning is cheap enough that the unscanned fast path is not tried. */
const SPECULATE_MIN_CHARS = 2048;

/** A member name that only JSON.parse reads right: one with an escape or a raw control character. */
const NEEDS_PARSE = /[\\\u0000-\u001f]/;

/** What is told of each run of entities parsed together (see the constructor of CollectionScanner). */
type PieceListener = (json: string, entities: unknown[], bytes: Uint8Array, piece: true) => void;

/** The bytes a piece is given: none, its text being a part of the body's decoded text. */
const NO_BYTES = new Uint8Array(0);

// Where the scanner is in the document.
const S_ROOT = 0; // before the top-level "{"
const S_MEMBER_FIRST = 1; // after "{": a member name or "}"
const S_MEMBER_NEXT = 2; // after ",": a member name
const S_KEY = 3; // inside a member name
const S_COLON = 4; // after a member name
const S_VALUE = 5; // after ":"
const S_OTHER_VALUE = 6; // inside a member value that is not the entity array
const S_AFTER_VALUE = 7; // after a member value: "," or "}"
const S_ENTITIES = 8; // inside the entity array
const S_DONE = 9; // after the top-level "}"

/**
 * The incremental part: fed decoded text piece by piece, it finds the entity array and the
 * annotation members, and emits batches of parsed entities.
 */
export class CollectionScanner {
  readonly #format: PayloadFormat;
  /** Text not yet consumed; `#base` is the document offset of its first character. */
  #text = "";
  #base = 0;
  #pos = 0;
  #state = S_ROOT;
  /** Which object the members belong to: the top level, or v2's `d`. */
  #inD = false;
  #key = "";
  /** Start of the member name or member value being read. */
  #tokenStart = 0;
  #sawEntities = false;
  // Scanning state inside a value (entity array or other member): nesting and string state.
  #depth = 0;
  #inString = false;
  /** Start of the entities of the array not yet parsed. */
  #runStart = 0;
  #elementCount = 0;
  /** How many entities were parsed so far, to name the one at fault in errors. */
  #parsedCount = 0;
  /** Whether the unscanned fast path is still tried, and how often it missed. */
  #speculate = true;
  #speculationMisses = 0;
  /** The text sought as an entity boundary by the fast path. */
  #boundary = "},{";
  #boundaryLearned = false;
  /** The pieces of one unfinished large value, their document offset, and a pending escape. */
  #parts: string[] | undefined;
  #partsStart = 0;
  #escapePending = false;
  /** Pieces held back, unscanned, and their length (see {@link HOLD_FRACTION}). */
  #held: string[] = [];
  #heldChars = 0;
  readonly #annotations: CollectionAnnotations = {};
  /** The characters of the annotation values read so far, which are kept until the body ends. */
  #annotationChars = 0;
  /** Told of each run of entities parsed together (see the constructor); a library walk has none. */
  readonly #onRun: PieceListener | undefined;

  /**
   * `onPiece` (the `onWholeBody` of collection-body.ts, for a v4 body) is called with the text of
   * each run of entities as it was parsed (a JSON array: `[` and `]` around the body's text of
   * those entities, whitespace and all), the entities read from it, no bytes and `piece` true,
   * before the entities are handed on: the command line keeps it to write long numbers' digits.
   */
  constructor(format: PayloadFormat, onPiece?: PieceListener) {
    this.#format = format;
    this.#onRun = format === "v4" ? onPiece : undefined;
  }

  /**
   * Consumes the next piece of text, appending any completed entity batches to `out`. A short piece
   * may be held back until more text comes: {@link flush} scans what is held when the body ends.
   */
  push(piece: string, out: unknown[][]): void {
    if (piece.length === 0) return;
    // `#text` is what the last scan left unfinished (an entity, a value or a name); in large-value
    // mode it is empty, and nothing is held: #continueLarge looks at each piece once.
    if (this.#heldChars + piece.length < this.#text.length * HOLD_FRACTION) {
      this.#held.push(piece);
      this.#heldChars += piece.length;
      return;
    }
    if (this.#held.length > 0) {
      this.#held.push(piece);
      piece = this.#held.join("");
      this.#held = [];
      this.#heldChars = 0;
    }
    this.#scan(piece, out);
  }

  /** Scans the pieces held back by {@link push}, appending any completed entity batches to `out`. */
  flush(out: unknown[][]): void {
    if (this.#held.length === 0) return;
    const piece = this.#held.join("");
    this.#held = [];
    this.#heldChars = 0;
    this.#scan(piece, out);
  }

  #scan(piece: string, out: unknown[][]): void {
    let rest = piece;
    if (this.#parts !== undefined) {
      rest = this.#continueLarge(piece, out);
      if (rest.length === 0) return;
    }
    this.#text = this.#text.length === 0 ? rest : this.#text + rest;
    this.#run(out);
    this.#compact();
    if ((this.#state === S_ENTITIES || this.#state === S_OTHER_VALUE) && this.#text.length > LARGE_VALUE_CHARS) {
      // After compaction the text is exactly the unfinished value: collect it piece by piece now.
      this.#parts = [this.#text];
      this.#partsStart = this.#base;
      this.#escapePending = this.#inString && endsWithOddBackslashes(this.#text);
      this.#base += this.#text.length;
      this.#text = "";
      this.#pos = 0;
      this.#runStart = 0;
      this.#tokenStart = 0;
    }
    // Only a member name is left to grow here: every other unfinished thing is in large-value mode.
    if (this.#text.length > VALUE_LIMIT) this.#tooLong(this.#base);
  }

  /**
   * Scans a piece for the end of the large unfinished value, carrying the nesting depth and the
   * string and escape state from piece to piece. While the end is not in sight the piece is only
   * kept; once it is, the value is joined and parsed, the state moves on, and the rest of the piece
   * is returned for the ordinary path ("" while the value goes on).
   */
  #continueLarge(piece: string, out: unknown[][]): string {
    const parts = this.#parts!;
    const length = piece.length;
    let depth = this.#depth;
    let inString = this.#inString;
    let at = 0;
    let end = -1;
    let nextBackslash = -1;
    while (at < length) {
      if (inString) {
        if (this.#escapePending) {
          this.#escapePending = false;
          at++;
          continue;
        }
        // Escapes are followed forwards here: the piece before may have ended inside one.
        if (nextBackslash < at) {
          nextBackslash = piece.indexOf("\\", at);
          if (nextBackslash < 0) nextBackslash = length;
        }
        const quote = piece.indexOf('"', at);
        if (nextBackslash < length && (quote < 0 || nextBackslash < quote)) {
          at = nextBackslash + 2;
          if (at > length) this.#escapePending = true;
          continue;
        }
        if (quote < 0) {
          at = length;
          break;
        }
        inString = false;
        at = quote + 1;
        continue;
      }
      const code = piece.charCodeAt(at);
      if (code === QUOTE) {
        inString = true;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth++;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (depth === 0) {
          end = at;
          break;
        }
        depth--;
      } else if (code === COMMA && depth === 0) {
        end = at;
        break;
      }
      at++;
    }
    this.#depth = depth;
    this.#inString = inString;
    if (end < 0) {
      parts.push(piece);
      this.#base += length;
      if (this.#base - this.#partsStart > VALUE_LIMIT) this.#tooLong(this.#partsStart);
      return "";
    }

    parts.push(piece.slice(0, end));
    const valueText = parts.join("");
    this.#parts = undefined;
    const pieceBase = this.#base;
    this.#base = this.#partsStart;
    this.#depth = 0;
    this.#inString = false;
    this.#pos = 0;
    this.#runStart = 0;
    this.#tokenStart = 0;
    if (this.#state === S_OTHER_VALUE) {
      this.#finishOtherValue(valueText, 0);
      this.#base = pieceBase + end;
      return piece.slice(end);
    }
    const delimiter = piece.charCodeAt(end);
    if (valueText.trim().length > 0) {
      out.push(this.#parseRun(`[${valueText}]`, 0));
    } else if (delimiter !== CLOSE_BRACKET || this.#elementCount > 0) {
      this.#base = pieceBase;
      this.#fail(delimiter === CLOSE_BRACKET ? "an entity is missing before the end of the array (trailing comma)" : "an entity is missing in the entity array", end);
    }
    // Else only whitespace came between "[" and "]": an empty array, whose whitespace outgrew the buffer.
    this.#base = pieceBase;
    if (delimiter === CLOSE_BRACE) this.#fail('expected "," or "]" in the entity array but found "}"', end);
    if (delimiter === COMMA) this.#elementCount++;
    else this.#state = S_AFTER_VALUE;
    this.#base = pieceBase + end + 1;
    return piece.slice(end + 1);
  }

  /** Checks the document ended properly and gives the annotations ({@link flush} first). */
  end(): CollectionAnnotations {
    if (this.#held.length > 0) throw new Error("CollectionScanner.end() with pieces held back: flush(out) first");
    if (this.#state !== S_DONE) {
      throw badPayload(`the collection body ended early, after ${this.#base + this.#text.length} characters, ${this.#where()}`);
    }
    if (!this.#sawEntities) {
      throw badPayload(this.#format === "v4" ? 'the collection body has no "value" member' : 'the v2 collection body has no "d.results" member');
    }
    return this.#annotations;
  }

  #where(): string {
    switch (this.#state) {
      case S_ENTITIES:
        return "inside the entity array";
      case S_KEY:
      case S_MEMBER_FIRST:
      case S_MEMBER_NEXT:
        return "where a member name was expected";
      case S_OTHER_VALUE:
      case S_VALUE:
      case S_COLON:
        return `inside the member "${this.#key}"`;
      case S_ROOT:
        return "before the JSON object started";
      default:
        return "before the closing brace";
    }
  }

  /** Refuses an unfinished entity, member value or member name that starts at `start` and outgrew {@link VALUE_LIMIT}. */
  #tooLong(start: number): never {
    const what = this.#state === S_ENTITIES ? "an entity (with the white space after it)" : this.#state === S_KEY ? "a member name" : `the value of "${this.#key}"`;
    throw badPayload(`the collection body has ${what} longer than ${VALUE_LIMIT} characters, from character offset ${start}; it was not read further`);
  }

  #fail(what: string, at: number): never {
    throw badPayload(`the collection body is not valid JSON: ${what} at character offset ${this.#base + at}`);
  }

  /** Drops the text that is fully consumed, keeping the unfinished token or entity. */
  #compact(): void {
    let keep = this.#pos;
    if (this.#state === S_ENTITIES) keep = this.#runStart;
    else if (this.#state === S_KEY || this.#state === S_OTHER_VALUE) keep = this.#tokenStart;
    if (keep === 0) return;
    this.#text = keep >= this.#text.length ? "" : this.#text.slice(keep);
    this.#base += keep;
    this.#pos -= keep;
    this.#runStart -= keep;
    this.#tokenStart -= keep;
  }

  /** Skips JSON whitespace from `#pos`; returns the next character code or -1 at the end of the text. */
  #peek(): number {
    const text = this.#text;
    let at = this.#pos;
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (!isJsonSpace(code)) {
        this.#pos = at;
        return code;
      }
      at++;
    }
    this.#pos = at;
    return -1;
  }

  #run(out: unknown[][]): void {
    for (;;) {
      switch (this.#state) {
        case S_ROOT: {
          const code = this.#peek();
          if (code < 0) return;
          if (code !== OPEN_BRACE) this.#fail(`expected "{" but found ${this.#show(this.#pos)}`, this.#pos);
          this.#pos++;
          this.#state = S_MEMBER_FIRST;
          break;
        }
        case S_MEMBER_FIRST:
        case S_MEMBER_NEXT: {
          const code = this.#peek();
          if (code < 0) return;
          if (code === CLOSE_BRACE && this.#state === S_MEMBER_FIRST) {
            this.#pos++;
            this.#closeObject();
          } else if (code === QUOTE) {
            this.#tokenStart = this.#pos;
            this.#pos++;
            this.#state = S_KEY;
          } else {
            this.#fail(`expected a member name but found ${this.#show(this.#pos)}`, this.#pos);
          }
          break;
        }
        case S_KEY: {
          const close = findStringEnd(this.#text, this.#pos);
          if (close < 0) {
            this.#pos = this.#text.length;
            return;
          }
          const raw = this.#text.slice(this.#tokenStart, close + 1);
          // A name with an escape is decoded by JSON.parse, and so is one with a raw control
          // character, which JSON forbids: JSON.parse refuses it, as it does in a body read whole.
          this.#key = NEEDS_PARSE.test(raw) ? (this.#parseValue(raw, this.#tokenStart) as string) : raw.slice(1, -1);
          this.#pos = close + 1;
          this.#state = S_COLON;
          break;
        }
        case S_COLON: {
          const code = this.#peek();
          if (code < 0) return;
          if (code !== COLON) this.#fail(`expected ":" after "${this.#key}" but found ${this.#show(this.#pos)}`, this.#pos);
          this.#pos++;
          this.#state = S_VALUE;
          break;
        }
        case S_VALUE:
          if (!this.#startValue()) return;
          break;
        case S_OTHER_VALUE:
          if (!this.#scanOtherValue()) return;
          break;
        case S_ENTITIES:
          if (!this.#scanEntities(out)) return;
          break;
        case S_AFTER_VALUE: {
          const code = this.#peek();
          if (code < 0) return;
          if (code === COMMA) {
            this.#pos++;
            this.#state = S_MEMBER_NEXT;
          } else if (code === CLOSE_BRACE) {
            this.#pos++;
            this.#closeObject();
          } else {
            this.#fail(`expected "," or "}" but found ${this.#show(this.#pos)}`, this.#pos);
          }
          break;
        }
        default: {
          // S_DONE: only whitespace may follow the document.
          const code = this.#peek();
          if (code < 0) return;
          this.#fail(`unexpected ${this.#show(this.#pos)} after the end of the JSON object`, this.#pos);
        }
      }
    }
  }

  #closeObject(): void {
    if (this.#inD) {
      this.#inD = false;
      this.#state = S_AFTER_VALUE;
    } else {
      this.#state = S_DONE;
    }
  }

  /** Decides what the member value that starts here is; false if the text ran out first. */
  #startValue(): boolean {
    const code = this.#peek();
    if (code < 0) return false;
    const key = this.#key;
    const v4 = this.#format === "v4";
    let entityArray = false;
    if (v4) {
      entityArray = !this.#inD && key === "value";
    } else if (this.#inD) {
      entityArray = key === "results";
    } else if (key === "d") {
      if (code === OPEN_BRACE) {
        this.#pos++;
        this.#inD = true;
        this.#state = S_MEMBER_FIRST;
        return true;
      }
      if (code !== OPEN_BRACKET) this.#fail(`"d" must be an object or an array but starts with ${this.#show(this.#pos)}`, this.#pos);
      entityArray = true;
    }
    if (entityArray) {
      const name = v4 ? '"value"' : this.#inD ? '"d.results"' : '"d"';
      if (code !== OPEN_BRACKET) this.#fail(`${name} must be an array but starts with ${this.#show(this.#pos)}`, this.#pos);
      if (this.#sawEntities) this.#fail(`a second entity array ${name}`, this.#pos);
      this.#sawEntities = true;
      this.#pos++;
      this.#runStart = this.#pos;
      this.#depth = 0;
      this.#inString = false;
      this.#elementCount = 0;
      this.#state = S_ENTITIES;
      return true;
    }
    this.#tokenStart = this.#pos;
    this.#depth = 0;
    this.#inString = false;
    this.#state = S_OTHER_VALUE;
    return true;
  }

  /**
   * Finds the end of a member value other than the entity array (an annotation, or an unknown
   * member that is skipped), then parses it, which also checks it is valid JSON.
   */
  #scanOtherValue(): boolean {
    const text = this.#text;
    const length = text.length;
    let depth = this.#depth;
    let at = this.#pos;
    let end = -1;
    if (this.#inString) {
      const close = findStringEnd(text, at);
      if (close < 0) {
        this.#pos = length;
        return false;
      }
      at = close + 1;
      this.#inString = false;
    }
    while (at < length) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) {
        const close = findStringEnd(text, at + 1);
        if (close < 0) {
          this.#inString = true;
          at = length;
          break;
        }
        at = close + 1;
        continue;
      }
      if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth++;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (depth === 0) {
          end = at;
          break;
        }
        depth--;
      } else if (code === COMMA && depth === 0) {
        end = at;
        break;
      }
      at++;
    }
    if (end < 0) {
      this.#depth = depth;
      this.#pos = length;
      return false;
    }
    this.#finishOtherValue(text.slice(this.#tokenStart, end), this.#tokenStart);
    this.#pos = end;
    return true;
  }

  /** Parses a complete member value other than the entity array and keeps it if it is an annotation. */
  #finishOtherValue(raw: string, start: number): void {
    if (raw.trim().length === 0) this.#fail(`a value for "${this.#key}" is missing`, start);
    const value = this.#parseValue(raw, start);
    const names = this.#format === "v4" ? (this.#inD ? undefined : COLLECTION_ANNOTATIONS.v4) : this.#inD ? COLLECTION_ANNOTATIONS.v2 : undefined;
    if (names !== undefined) {
      // The walk hands entities on as they end, but annotations are kept to the end of the body:
      // they are bounded together, as one entity is, so that a stream of them cannot fill memory.
      if (this.#key.includes("@") && (this.#annotationChars += raw.length) > VALUE_LIMIT) {
        throw badPayload(`the collection body's annotations come to more than ${VALUE_LIMIT} characters together (the last from character offset ${this.#base + start}); it was not read further`);
      }
      readMember(this.#annotations, names, this.#key, value);
    }
    this.#state = S_AFTER_VALUE;
  }

  /**
   * The hot loop: walks the entity array, tracking only string state and nesting depth, and parses
   * each run of complete entities with one `JSON.parse`. Returns true when the array closed.
   */
  #scanEntities(out: unknown[][]): boolean {
    const text = this.#text;
    const length = text.length;
    let depth = this.#depth;
    let at = this.#pos;
    let runStart = this.#runStart;
    let lastComma = -1;
    let elements = this.#elementCount;

    if (this.#speculate) {
      const cut = this.#speculativeCut(text, runStart, out);
      if (cut > 0) {
        runStart = cut;
        at = cut;
        depth = 0;
        elements++;
        this.#inString = false;
      }
    }
    if (this.#inString) {
      const close = findStringEnd(text, at);
      if (close < 0) {
        this.#pos = length;
        return false;
      }
      at = close + 1;
      this.#inString = false;
    }
    while (at < length) {
      const code = text.charCodeAt(at);
      if (code === QUOTE) {
        const close = findStringEnd(text, at + 1);
        if (close < 0) {
          this.#inString = true;
          at = length;
          break;
        }
        at = close + 1;
        continue;
      }
      if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth++;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (depth === 0) {
          if (code === CLOSE_BRACE) this.#fail('expected "," or "]" in the entity array but found "}"', at);
          const tail = text.slice(Math.max(runStart, lastComma + 1), at);
          if (tail.trim().length === 0) {
            if (elements > 0) this.#fail("an entity is missing before the end of the array (trailing comma)", at);
          } else {
            out.push(this.#parseRun(`[${text.slice(runStart, at)}]`, runStart));
          }
          this.#pos = at + 1;
          this.#runStart = at + 1;
          this.#depth = 0;
          this.#state = S_AFTER_VALUE;
          return true;
        }
        depth--;
      } else if (code === COMMA && depth === 0) {
        elements++;
        lastComma = at;
        if (at - runStart >= GROUP_CHARS) {
          out.push(this.#parseRun(`[${text.slice(runStart, at)}]`, runStart));
          runStart = at + 1;
        }
      }
      at++;
    }
    if (lastComma >= runStart) {
      // `[]` parses: an element left empty (`[,` or `,,`) where a piece ends at its comma must be
      // refused here, as it is whatever the split when the run goes on past it.
      if (text.slice(runStart, lastComma).trim().length === 0) this.#fail("an entity is missing in the entity array", lastComma);
      out.push(this.#parseRun(`[${text.slice(runStart, lastComma)}]`, runStart));
      runStart = lastComma + 1;
    }
    this.#depth = depth;
    this.#pos = at;
    this.#runStart = runStart;
    this.#elementCount = elements;
    return false;
  }

  /**
   * The fast path: parses everything from `runStart` up to the last entity boundary the text seems
   * to have, in one go, without scanning it. A boundary is sought as `},` followed by the way the
   * first entity began (`{"ID":`, `{"__metadata":`, or just `{` until the first entity is known),
   * which nested objects rarely share. If the run parses, the comma was necessarily a top-level
   * separator: the run starts where the array expects an entity, and JSON's grammar is
   * deterministic, so a cut inside a string or a nested array could not form a complete array.
   * If it does not parse (the cut was nested, or the data is malformed), the scanner takes over;
   * when misses outweigh hits the fast path is given up for this body.
   * Returns the index just after the comma, or 0 when nothing was parsed.
   */
  #speculativeCut(text: string, runStart: number, out: unknown[][]): number {
    const cut = text.lastIndexOf(this.#boundary);
    if (cut < runStart || cut - runStart < SPECULATE_MIN_CHARS) return 0;
    const json = `[${text.slice(runStart, cut + 1)}]`;
    let entities: unknown[];
    try {
      entities = JSON.parse(json) as unknown[];
    } catch {
      if (++this.#speculationMisses >= 3) this.#speculate = false;
      return 0;
    }
    if (this.#speculationMisses > 0) this.#speculationMisses--;
    this.#parsedCount += entities.length;
    this.#learnBoundary(entities);
    this.#onRun?.(json, entities, NO_BYTES, true);
    out.push(entities);
    return cut + 2;
  }

  /** Takes the boundary pattern from the first entity's first member name, if it is a plain one. */
  #learnBoundary(entities: unknown[]): void {
    if (this.#boundaryLearned || entities.length === 0) return;
    this.#boundaryLearned = true;
    const first = entities[0];
    if (!isRecord(first)) return;
    for (const name in first) {
      // Integer-like names are listed first whatever their place in the text, so they say nothing.
      if (/^[\w@.$#-]{1,100}$/.test(name) && !/^\d+$/.test(name)) this.#boundary = `},{"${name}":`;
      return;
    }
  }

  #parseRun(json: string, runStart: number): unknown[] {
    let entities: unknown[];
    try {
      entities = JSON.parse(json) as unknown[];
    } catch (error) {
      throw this.#runFault(json.slice(1, -1), runStart, error);
    }
    this.#parsedCount += entities.length;
    this.#learnBoundary(entities);
    this.#onRun?.(json, entities, NO_BYTES, true);
    return entities;
  }

  /**
   * Finds which entity of a run that failed to parse is at fault (a rare path, so it may be slow)
   * and says where it starts and what the parser saw.
   */
  #runFault(run: string, runStart: number, runError: unknown): ODataClientError {
    let start = 0;
    let depth = 0;
    let index = this.#parsedCount;
    for (let at = 0; at <= run.length; at++) {
      const code = at < run.length ? run.charCodeAt(at) : COMMA;
      if (code === QUOTE) {
        const close = findStringEnd(run, at + 1);
        if (close < 0) break;
        at = close;
      } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
        depth++;
      } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        depth--;
      } else if (code === COMMA && depth === 0) {
        const element = run.slice(start, at);
        try {
          JSON.parse(element);
        } catch (error) {
          const lead = element.length - element.trimStart().length;
          const offset = this.#base + runStart + start + lead;
          return badPayload(
            `the collection body is not valid JSON: entity ${index} of the array, at character offset ${offset}, does not parse: ${(error as Error).message}`,
            error,
          );
        }
        index++;
        start = at + 1;
      }
    }
    return badPayload(`the collection body is not valid JSON in the entities from character offset ${this.#base + runStart}: ${(runError as Error).message}`, runError);
  }

  #parseValue(raw: string, start: number): unknown {
    try {
      return JSON.parse(raw);
    } catch (error) {
      throw badPayload(`the collection body is not valid JSON in the value starting at character offset ${this.#base + start}: ${(error as Error).message}`, error);
    }
  }

  #show(at: number): string {
    const char = this.#text[at];
    return char === undefined ? "the end" : JSON.stringify(char);
  }
}
