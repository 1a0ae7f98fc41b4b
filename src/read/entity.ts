/**
 * Reading one entity and the count of a collection: the single reads of the query classes, apart
 * from the walks of traversal.ts so that a program that only walks collections does not load the
 * reading of entity answers (Atom entries among them). A read answered `202 Accepted` is refused
 * by read/pending-read.ts, which the walks and deltas load alone.
 */
import { maskedPayloadError, readBodyText, readMasked } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { ODataClientError } from "../errors.js";
import { httpErrorOf } from "../payload/failed-answer.js";
import { atomReaderFor, readEntityAnswer, relatesNoEntity } from "../payload/entity-answer.js";
import { markExpanded } from "../payload/expanded.js";
import type { EntityState } from "../query/state.js";
import { clipText, redactUrl } from "../util/redact.js";
import { readHeaders, resolveReadOptions, type ReadOptions, type ResolvedReadOptions } from "./traversal.js";
import { pendingReadError } from "./pending-read.js";
import { refuseV2Envelope } from "./payload-failure.js";
import { countOf } from "../payload/annotations.js";
import { readAnswerText } from "../payload/http-envelope.js";

/** The longest `$count` answer read: a count is some digits; more is no count, and an endless one must not fill memory. */
const COUNT_LIMIT = 1024;

/**
 * The longest answer of one entity read (64 MiB): far beyond what one entity, its expands among
 * them, comes to (larger content is media, read through `media()`), and a bound on the memory an
 * endless answer takes, which `timeout` does not stop while data keeps coming. A walk's pages are
 * not capped: they are read piece by piece; one entity in them is, at the same size
 * (VALUE_LIMIT of payload/collection-scanner.ts).
 */
export const ENTITY_LIMIT = 64 * 1024 * 1024;

/** GET of `/$count` as a number, with the caller's `headers` and `timeout` (`countAll()`). */
export async function readCount(core: ClientCore, url: URL, options: ReadOptions | undefined): Promise<number> {
  // Not awaited where it need not be: the count goes out in this turn (see resolveReadOptions).
  let resolved = resolveReadOptions(options, "countAll()");
  if (resolved instanceof Promise) resolved = await resolved;
  const response = await core.send({ method: "GET", url, headers: singleReadHeaders(core, resolved, "text/plain"), signal: resolved.signal, timeout: resolved.timeout, onResponse: resolved.onResponse });
  if (!response.ok) throw await httpErrorOf(response, "GET", url, { signal: resolved.signal });
  if (response.status === 202) throw await pendingReadError(response, url);
  const text = (await readBodyText(response, "GET", url, resolved.signal, COUNT_LIMIT)).trim();
  const count = countOf(text);
  if (count === undefined) {
    // The text is quoted: a secret the service echoes in it is masked, as in an error body.
    throw await maskedPayloadError(new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)} answered ${JSON.stringify(clipText(text))}, which is not a count`), response);
  }
  return count;
}

/**
 * The headers of a read that is no page (an entity, a count): a page's, without the client's
 * `maxPageSize`, with `accept` where given, then the caller's (which win, `Prefer` too: no
 * preference of the read's own is left to join).
 */
function singleReadHeaders(core: ClientCore, options: ResolvedReadOptions, accept?: string): Headers {
  return readHeaders(core, 0, false, accept === undefined ? options.headers : { accept, ...options.headers });
}

/**
 * GET of one entity; v2's `d` wrapper is removed, the `ETag` header kept as `@odata.etag` (v4)
 * or `__metadata.etag` (v2), `@odata.context` left out. With `orNull` (a single-valued navigation
 * property), an answer that relates no entity gives `null`. A client of v4 refuses a v2 service's
 * `{"d": …}` as `BAD_PAYLOAD` where the answer's headers say v2 (read/payload-failure.ts). The
 * caller's `headers` and `timeout` go with the request (`get()`).
 * `state`: the query's, for what it expanded and, where no entity came, whether it is a singleton.
 */
export async function readEntity<T>(
  core: ClientCore,
  url: URL,
  options: ReadOptions | undefined,
  state: EntityState,
  orNull = false,
): Promise<T> {
  // A 202 is refused before the body is read as the entity: its empty body is no "relates no entity" either.
  const { response, signal } = await getSingle(core, url, options, "get()");
  const contentType = response.headers.get("content-type");
  const text = await readAnswerText(response, "GET", url, signal, ENTITY_LIMIT);
  if (orNull && relatesNoEntity(text, core.options.version)) return null as T;
  const where = `GET ${redactUrl(url)}`;
  const readAtomEntry = await atomReaderFor(contentType);
  const entity = await readMasked(response, () => {
    // A v2 service's {"d": …} would pass, for a client of v4, as an entity whose one property is d.
    refuseV2Envelope(text, response.headers, core.options.version, where);
    return readEntityAnswer({ body: text, contentType, etag: response.headers.get("etag") }, core.options.version, where, readAtomEntry);
  });
  // An empty body is a write's "no content"; a read of one entity must get it. A singleton that
  // has none answers so (204) where `$metadata` declares it `Nullable="true"`, which the client
  // cannot know unless it is told: the message says how.
  if (entity === undefined) {
    const name = JSON.stringify(state.entitySet);
    const singleton = state.keyPredicate === "" && state.parentPath === undefined;
    const hint = singleton ? `; where the singleton ${name} may have no entity, make it with singleton(${name}, { nullable: true }), whose get() then gives null` : "";
    throw new ODataClientError("BAD_PAYLOAD", `${where} did not answer with an entity object (got an empty body)${hint}`);
  }
  markExpanded(entity, state.expand);
  return entity as T;
}

/**
 * Sends a single read's GET with the caller's options (checked, errors naming `where`) and checks
 * its answer: a failure rejects with its `ODataHttpError`, a `202 Accepted` as a pending read.
 */
export async function getSingle(core: ClientCore, url: URL, options: ReadOptions | undefined, where: string, accept?: string): Promise<{ response: Response; signal: AbortSignal | undefined }> {
  const resolved = await resolveReadOptions(options, where);
  const signal = resolved.signal;
  const response = await core.send({ method: "GET", url, headers: singleReadHeaders(core, resolved, accept), signal, timeout: resolved.timeout, onResponse: resolved.onResponse });
  if (!response.ok) throw await httpErrorOf(response, "GET", url, { signal });
  if (response.status === 202) throw await pendingReadError(response, url);
  return { response, signal };
}
