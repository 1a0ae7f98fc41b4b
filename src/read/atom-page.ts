/**
 * Reading a page that an OData v2 service answers in Atom XML, loaded with the first such page.
 * The XML reader takes whole documents, so a page is read whole, up to `ATOM_PAGE_LIMIT`; a reading
 * that wants the first entity (`eager`: `first()`, the probes of `partitions(n)`) hands on the
 * entries of the page's beginning as soon as its first entry has come (see atom-first-entry.ts),
 * should the service ignore `$top=1` and send a large feed, or send it slowly.
 */
import { readBodyChunks, readMasked } from "../http/body.js";
import type { CollectionAnnotations } from "../payload/annotations.js";
import { ATOM_PAGE_LIMIT, readAtomFeed } from "../payload/atom.js";
import { AtomEntryScan } from "../payload/atom-first-entry.js";
import { xmlTextDecoder } from "../payload/xml-encoding.js";
import { redactUrl } from "../util/redact.js";

/** A piece of an Atom page: entities, and at the page's end its annotations. */
export interface AtomPagePart {
  entities: Record<string, unknown>[];
  end?: CollectionAnnotations;
}

/**
 * The pieces of an Atom page: one, the whole page; read `eager`ly, first the entries up to the
 * first one of the feed where it comes before the body's end, then the rest with the annotations.
 * A beginning the XML reader refuses is let go: the whole page is read and refused in its words.
 */
export async function* atomPageParts(response: Response, url: URL, signal: AbortSignal | undefined, eager: boolean | undefined): AsyncGenerator<AtomPagePart> {
  const where = `GET ${redactUrl(url)}`;
  let handed = 0;
  // XML, unlike JSON, need not be UTF-8: a feed is read in the charset its Content-Type names, or
  // where it names none, in the one its first bytes tell (a byte order mark, the XML declaration).
  const decoder = xmlTextDecoder(response.headers.get("content-type"));
  // Read as readBodyText reads (the stall watch, the limit, the failures' words), but piece by
  // piece; an eager reading left early (the caller has its entity) lets go of the rest of the body.
  const pieces: string[] = [];
  let scan: AtomEntryScan | undefined = eager ? new AtomEntryScan() : undefined;
  for await (const chunk of readBodyChunks(response, "GET", url, signal, ATOM_PAGE_LIMIT)) {
    const piece = decoder(chunk, true);
    pieces.push(piece);
    const end = scan?.push(piece) ?? -1;
    if (end < 0) continue;
    const start = pieces.join("");
    pieces.length = 0;
    pieces.push(start);
    let entities: Record<string, unknown>[] = [];
    try {
      entities = readAtomFeed(`${start.slice(0, end)}</${scan!.root}>`).entities;
    } catch {
      // Read whole, the page says what is wrong with it.
    }
    scan = undefined;
    handed = entities.length;
    if (handed > 0) yield { entities };
  }
  pieces.push(decoder());
  const text = pieces.join("");
  const feed = await readMasked(response, () => readAtomFeed(text, where));
  yield { entities: feed.entities.slice(handed), end: feed.annotations };
}
