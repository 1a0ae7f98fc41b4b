/**
 * Reading a JSON collection response body (v4 `{"value": [...]}` or v2 `{"d": {"results": [...]}}`)
 * fast and in bounded memory.
 *
 * A body that fits in `bufferLimit` bytes is parsed with one `JSON.parse` of the whole text, which is
 * as fast as reading JSON gets in JavaScript. A body that grows beyond it is read incrementally from
 * there on, by the scanner of collection-scanner.ts (loaded then, the first time).
 */

import type { BodyStallWatch } from "../http/stall.js";
import { describe, isRecord } from "../util/values.js";
import type { ODataClientError } from "../errors.js";
import { badPayload } from "./bad-payload.js";
import { readCollectionAnnotations, trailingNextLink, type CollectionAnnotations, type PayloadFormat } from "./annotations.js";

/** Options of {@link readCollectionBody}. */
export interface ReadCollectionBodyOptions {
  /**
   * How many bytes of body are buffered for one whole-text `JSON.parse` before the reader switches
   * to incremental scanning. Larger pages parse a little faster; smaller ones bound memory tighter.
   * @default 8388608 (8 MiB)
   */
  bufferLimit?: number;
  /** Told when a read waits for data and when it settles, so that a stalled body is aborted. */
  stallWatch?: BodyStallWatch | undefined;
  /**
   * Called with the text of a v4 body read whole, the entities parsed from it and the bytes the
   * text was decoded from, before the entities are yielded (the command line's export keeps their
   * text with `EntityTexts.keep` of entity-text.ts). A body that outgrew `bufferLimit` calls it
   * for each run of entities the scanner parsed, with `piece` true: `text` is then a JSON array of
   * those entities as the body wrote them, and `bytes` empty.
   */
  onWholeBody?: ((text: string, entities: unknown[], bytes: Uint8Array, piece?: boolean) => void) | undefined;
  /**
   * Called, before a body read whole is parsed, with the next link its text ends with
   * (`trailingNextLink` of annotations.ts), so that a walk can request the next page meanwhile. A
   * guess: the annotations returned at the end are what counts.
   */
  onTrailingNextLink?: ((link: string) => void) | undefined;
  /**
   * Scans the body from its first chunk, as it buffers it, and hands on the first entities as soon
   * as they are parsed (a reader that wants one entity need not wait for `bufferLimit` bytes). A
   * body in which no entity is found before it ends is read whole, as without this option, so
   * that what is wrong with it is said in the same words.
   */
  eager?: boolean | undefined;
}

/**
 * The default of {@link ReadCollectionBodyOptions.bufferLimit}. Measured with `bench/payload.ts`:
 * incremental reading of 1000- and 5000-row pages runs at about 0.8 to 1.0 of the speed of one
 * whole-text parse, so the buffer buys little speed; what it buys is that every ordinary page
 * (services page at 1000 to 5000 rows, well under 1 MiB) takes exactly the path of
 * `fetch` + `JSON.parse`. 8 MiB (about 80,000 rows of 100 bytes, about 17 MB of heap for the text
 * and entities beyond the bytes) bounds what one whole parse may cost.
 */
export const DEFAULT_BUFFER_LIMIT = 8 * 1024 * 1024;

/**
 * Reads a JSON collection response body incrementally. Yields non-empty arrays of raw entities in
 * order; returns the annotations when the body ends.
 *
 * Entities are returned as parsed (v2 values are not converted; see `normalizeV2Entity`). Malformed
 * JSON and bodies without the entity array reject with {@link ODataClientError} code
 * `"BAD_PAYLOAD"`. Stopping early (`break` in `for await`, or `return()`) cancels the body so the
 * connection is released.
 *
 * @example
 * ```ts
 * const pages = readCollectionBody(response.body!, "v4");
 * for (;;) {
 *   const next = await pages.next();
 *   if (next.done) { console.log("next link:", next.value.nextLink); break; }
 *   for (const entity of next.value) handle(entity);
 * }
 * ```
 */
export async function* readCollectionBody(
  body: ReadableStream<Uint8Array>,
  format: PayloadFormat,
  options?: ReadCollectionBodyOptions,
): AsyncGenerator<unknown[], CollectionAnnotations, void> {
  const bufferLimit = options?.bufferLimit ?? DEFAULT_BUFFER_LIMIT;
  if (typeof bufferLimit !== "number" || !(bufferLimit >= 0)) {
    // A caller's mistake, reported the way the client's option checks report theirs.
    throw new RangeError(`option "bufferLimit" must be a number of bytes >= 0; got ${String(bufferLimit)}`);
  }
  const watch = options?.stallWatch;
  const reader = body.getReader();
  let streamEnded = false;
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let batches: unknown[][] = [];
    // The scanner, loaded by the first body that needs it; ordinary pages never do.
    const newScanner = async () => new (await import("./collection-scanner.js")).CollectionScanner(format, options?.onWholeBody);
    // An eager reading's scanner, fed each chunk as it is buffered; given up at the first thing it
    // refuses, so that the body is read whole and refused in the whole reading's words.
    let eager = options?.eager ? await newScanner() : undefined;
    let decoder = eager && new TextDecoder();
    while (size <= bufferLimit) {
      watch?.reading();
      const step = await reader.read();
      watch?.progressed();
      if (step.done) {
        streamEnded = true;
        break;
      }
      chunks.push(step.value);
      size += step.value.byteLength;
      try {
        eager?.push(decoder!.decode(step.value, { stream: true }), batches);
      } catch {
        eager = undefined;
        batches = [];
      }
      if (batches.length > 0) break;
    }

    if (streamEnded) {
      const bytes = wholeBody(chunks, size);
      const text = (utf8 ??= new TextDecoder()).decode(bytes);
      const onNextLink = options?.onTrailingNextLink;
      if (onNextLink) {
        const link = trailingNextLink(text, format);
        if (link !== undefined) onNextLink(link);
      }
      const { entities, annotations } = interpretDocument(parseWholeBody(text), format);
      if (format === "v4") options?.onWholeBody?.(text, entities, bytes);
      if (entities.length > 0) yield entities;
      return annotations;
    }

    // The body outgrew the buffer, or an eager scan found entities in it: scan the rest as it
    // arrives, and first what is buffered unless the eager scan read it.
    let scanner = eager;
    if (!scanner) {
      scanner = await newScanner();
      decoder = new TextDecoder();
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i]!;
        chunks[i] = EMPTY_CHUNK; // let the buffered bytes go as soon as they are read
        scanner.push(decoder.decode(chunk, { stream: true }), batches);
        if (batches.length > 0) {
          for (const batch of batches) yield batch;
          batches = [];
        }
      }
    }
    chunks.length = 0;
    for (;;) {
      if (batches.length > 0) {
        for (const batch of batches) yield batch;
        batches = [];
      }
      watch?.reading();
      const step = await reader.read();
      watch?.progressed();
      if (step.done) {
        streamEnded = true;
        break;
      }
      scanner.push(decoder!.decode(step.value, { stream: true }), batches);
    }
    scanner.push(decoder!.decode(), batches);
    scanner.flush(batches);
    for (const batch of batches) yield batch;
    return scanner.end();
  } catch (error) {
    throw watch?.failure(error) ?? error;
  } finally {
    watch?.end();
    // A body read to its end is closed: its reader needs no release. Stopped early by the
    // consumer or by a payload error: cancel it, which releases the connection.
    if (!streamEnded) await reader.cancel().catch(() => undefined);
  }
}

const EMPTY_CHUNK = new Uint8Array(0);

/**
 * One decoder for every whole body (`decode` without `stream` keeps no state between calls), made
 * with the first: loading the module makes none, so it loads in realms without `TextDecoder`.
 */
let utf8: InstanceType<typeof TextDecoder> | undefined;

/** The buffered chunks as one run of bytes (decoded as UTF-8 by the caller, a BOM dropped). */
function wholeBody(chunks: Uint8Array[], size: number): Uint8Array {
  let bytes: Uint8Array;
  if (chunks.length === 1) {
    bytes = chunks[0]!;
  } else {
    bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
  }
  return bytes;
}

/** Parses a whole body's text in one go. */
function parseWholeBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badPayload(`the collection body is not valid JSON (${text.length} characters): ${(error as Error).message}`, error);
  }
}

/** Finds the entity array and the annotations in a parsed collection body. */
function interpretDocument(document: unknown, format: PayloadFormat): { entities: unknown[]; annotations: CollectionAnnotations } {
  if (!isRecord(document)) {
    throw badPayload(`the collection body is ${describe(document)}, not a JSON object`);
  }
  if (format === "v4") {
    const annotations = readCollectionAnnotations(document, "v4");
    const entities = document["value"];
    if (!Array.isArray(entities)) {
      throw badPayload(entities === undefined ? 'the collection body has no "value" member' : `the collection body's "value" is ${describe(entities)}, not an array`);
    }
    return { entities, annotations };
  }
  const d = document["d"];
  if (Array.isArray(d)) return { entities: d, annotations: {} };
  if (!isRecord(d)) {
    throw badPayload(d === undefined ? 'the v2 collection body has no "d" member' : `the v2 collection body's "d" is ${describe(d)}, not an object or array`);
  }
  const annotations = readCollectionAnnotations(d, "v2");
  const entities = d["results"];
  if (!Array.isArray(entities)) {
    throw badPayload(entities === undefined ? 'the v2 collection body has no "d.results" member' : `the v2 collection body's "d.results" is ${describe(entities)}, not an array`);
  }
  return { entities, annotations };
}
