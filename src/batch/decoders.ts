/**
 * Reading the answer of each kind of request in a `$batch` into its value, with the readers a
 * single request's answer goes through (payload/, operations/results.ts, read/traversal.ts), so
 * that a part reads exactly as the same request sent alone: a `204` is `undefined`, a byte order
 * mark is dropped. A decoder that cannot read its part throws; that request's result is then the
 * failure, naming the request (`BatchUnreadable`, results.ts).
 */
import type { ClientCore } from "../core.js";
import { readOperationResult } from "../operations/results.js";
import { readOperationBody } from "../operations/result-body.js";
import { refuseV2Result } from "../read/payload-failure.js";
import type { ODataVersion } from "../options.js";
import { countOf, readCollectionAnnotations, type CollectionAnnotations } from "../payload/annotations.js";
import { badPayload } from "../payload/bad-payload.js";
import { ODataClientError } from "../errors.js";
import { isHtmlContentType, isJsonContentType, isXmlContentType } from "../payload/content-type.js";
import { keepEtagHeader, readEntityAnswer, readWriteAnswer, relatesNoEntity } from "../payload/entity-answer.js";
import { readAtomEntry, readAtomFeed } from "../payload/atom.js";
import { markExpanded, markReturnedEntities } from "../payload/expanded.js";
import type { HttpMessage } from "../payload/http-envelope.js";
import { normalizeV2Entity } from "../payload/v2-values.js";
import type { ExpandItem } from "../query/state.js";
import { toPage } from "../read/traversal.js";
import { clipText, redactUrl } from "../util/redact.js";
import { isRecord } from "../util/values.js";
import type { BatchDecoder } from "./results.js";
import type { DecodeSpec } from "./record.js";

/** Reads the value of a successful answer (every request's but an operation's, which may have a next link beside it). */
type ValueReader = (message: HttpMessage) => unknown;

/** A part's body as text, a byte order mark dropped as from a whole answer (`readBodyText`). */
function textOf(message: HttpMessage): string {
  return message.body.charCodeAt(0) === 0xfeff ? message.body.slice(1) : message.body;
}

/** The JSON body of a response part; `undefined` when empty. */
function jsonBody(message: HttpMessage): unknown {
  const text = textOf(message);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    const contentType = message.headers.get("content-type");
    if (isHtmlContentType(contentType)) throw badPayload(`the body is an HTML page (${clipText(contentType ?? "", 100)}), not JSON`, error);
    throw badPayload(`the body is not JSON (${(error as Error).message})`, error);
  }
}

/**
 * An entity answer, read as a single request's is (`payload/entity-answer.ts`): v2's `d`
 * unwrapped, the `ETag` header kept as the entity's ETag, what the query expanded remembered; 204
 * gives `undefined` (`null` for a read `"or null"`, see `DecodeSpec`).
 */
export function entityDecoder(version: ODataVersion, expand?: readonly ExpandItem[], read: boolean | "or null" = false): ValueReader {
  return (message) => {
    if (message.status === 204 && !read) return undefined;
    if (read === "or null" && relatesNoEntity(textOf(message), version)) return null;
    const answer = { body: textOf(message), contentType: message.headers.get("content-type"), etag: message.headers.get("etag") };
    // A write's answer (a deep insert's) holds related entities no $expand names, as a write alone.
    const entity = read ? readEntityAnswer(answer, version, undefined, readAtomEntry) : readWriteAnswer(answer, version, undefined, readAtomEntry);
    // An empty body is a write's "no content"; a read of one entity must get it, as get() alone.
    if (entity === undefined && read) throw badPayload("the answer is not an entity object (got an empty body)");
    if (entity === undefined) return undefined;
    markExpanded(entity, expand);
    return entity;
  };
}

/**
 * A collection answer as a page, as `query.page()` reads one: v4 `value` or v2 `d.results` (or
 * `d`), the next link (made absolute) and the count under any of their names
 * (`payload/annotations.ts`).
 */
export function pageDecoder(core: ClientCore, expand?: readonly ExpandItem[]): ValueReader {
  const v2 = core.options.version === "2.0";
  return (message) => {
    // A v2 service that answers in Atom, as page() alone reads it.
    if (isXmlContentType(message.headers.get("content-type"))) {
      const feed = readAtomFeed(textOf(message));
      for (const entity of feed.entities) markExpanded(entity, expand);
      return toPage(core, feed.entities, feed.annotations);
    }
    const body = jsonBody(message);
    let value: unknown;
    let annotations: CollectionAnnotations = {};
    if (v2) {
      const d = isRecord(body) && "d" in body ? body["d"] : body;
      if (Array.isArray(d)) value = d;
      else if (isRecord(d)) {
        value = d["results"];
        annotations = readCollectionAnnotations(d, "v2");
      }
      if (Array.isArray(value)) for (const entity of value) normalizeV2Entity(entity);
    } else if (isRecord(body)) {
      value = body["value"];
      annotations = readCollectionAnnotations(body, "v4");
    }
    if (!Array.isArray(value)) throw badPayload("the answer is not a collection");
    for (const entity of value) markExpanded(entity, expand);
    return toPage(core, value, annotations);
  };
}

/** A `$count` answer: the number in a text body. */
export function countDecoder(message: HttpMessage): number {
  const text = textOf(message);
  const count = countOf(text);
  if (count === undefined) throw badPayload(`${JSON.stringify(clipText(text.trim()))} is not a count`);
  return count;
}

/**
 * An operation's answer, read as `invoke()` and `get()` read it (operations/result-body.ts): JSON
 * unwrapped, a result in a format of its own as its text, an HTML page refused. A collection
 * result the service paged is its first page, with its next link made absolute as a page's
 * (`toPage`): a relative one against the service root, one that is no URL `BAD_PAYLOAD`.
 */
export function operationDecoder(core: ClientCore, name: string): BatchDecoder {
  return (message) => {
    if (message.status === 204) return { value: undefined };
    const body = readOperationBody(textOf(message), message.headers.get("content-type"), undefined);
    if (body === undefined) return { value: undefined };
    if ("text" in body) return { value: body.text };
    // As invoke() and get() alone: the part's headers say whether `{"d": …}` is v2's wrapper.
    refuseV2Result(body.json, message.headers, core.options.version, undefined);
    const { value, nextLink } = readOperationResult(body.json, core.options.version, name);
    // An entity result keeps the ETag its part sent in the header alone, as the call alone keeps
    // it (operations/call.ts); a collection has no ETag of one entity, a primitive nowhere to keep one.
    if (!Array.isArray(value)) keepEtagHeader(value, message.headers.get("etag"), core.options.version === "2.0");
    // Its related entities remembered, as those of the call alone (operations/call.ts).
    markReturnedEntities(value);
    if (nextLink === undefined) return { value };
    return { value, nextLink: toPage(core, [], { nextLink }).nextLink as string };
  };
}

/**
 * A request given as it goes on the wire: a JSON body parsed, other text as it is, a body of
 * another type (read by `send()`) as its bytes (`Uint8Array`), empty `undefined`.
 */
export function rawDecoder(message: HttpMessage): unknown {
  if (message.status === 204) return undefined;
  // A part that is not text (an image, a PDF): its bytes, as media().bytes() gives them alone.
  if (message.bytes !== undefined) return message.bytes;
  if (isJsonContentType(message.headers.get("content-type"))) return jsonBody(message);
  const text = textOf(message);
  return text === "" ? undefined : text;
}

/** The decoder a request's answer is read with, by what the builder recorded of it. */
export function decoderOf(spec: DecodeSpec, core: ClientCore): BatchDecoder {
  const decode = ownDecoder(spec, core);
  // A 202 with a monitor is pending (results.ts); one without is read as the request alone reads
  // it: its body is the status of work the service runs later, never the entity or the result, so
  // a write or a call gets undefined and a read has no answer yet (write/send.ts, read/pending-read.ts).
  // A raw request's answer is given as it came.
  if (spec.kind === "raw") return decode;
  const reading = spec.kind === "page" || spec.kind === "count" || (spec.kind === "entity" && spec.read !== undefined && spec.read !== false);
  return (message) => {
    if (message.status !== 202) return decode(message);
    // Microsoft Graph's OneNote copies name their monitor in Operation-Location alone: the request
    // alone rejects so (write/pending-answer.ts, read/pending-read.ts), and a success would drop it.
    const operationLocation = message.headers.get("operation-location")?.trim();
    if (operationLocation) {
      // A relative one resolves against the service root, as the part's own URL is written.
      let monitor: URL | string = operationLocation;
      try {
        monitor = new URL(operationLocation, core.options.serviceUrl);
      } catch {
        // Named as the service wrote it.
      }
      // In the words of write/pending-answer.ts's refusal of the same answer to a write sent
      // alone. Not shared: that module reads Location with lro/answer-url.ts, which would come
      // along with every batch (0.5 kB gzipped), and the words in a module both load split the
      // chunks at a cost of their own (0.2 kB more to a program that writes).
      throw new ODataClientError(
        "ASYNC_OPERATION_PENDING",
        `the service answered 202 Accepted: the operation runs at the service; follow it with client.asyncPoller() on its status monitor, which the answer names in Operation-Location. The monitor: ${redactUrl(monitor)}`,
      );
    }
    if (!reading) return { value: undefined };
    throw new ODataClientError("ASYNC_NO_LOCATION", "the service answered 202 Accepted without a status monitor: it runs the read asynchronously, and this answer holds no result");
  };
}

/** The decoder of a request's kind, for every status it reads as a success. */
function ownDecoder(spec: DecodeSpec, core: ClientCore): BatchDecoder {
  if (spec.kind === "operation") return operationDecoder(core, spec.name);
  const read = valueReader(spec, core);
  return (message) => ({ value: read(message) });
}

/** How the value of a request of another kind than an operation is read: it has no next link beside it. */
function valueReader(spec: Exclude<DecodeSpec, { kind: "operation" }>, core: ClientCore): ValueReader {
  const version = core.options.version;
  switch (spec.kind) {
    case "entity":
      return entityDecoder(version, spec.expand, spec.read);
    case "page":
      return pageDecoder(core, spec.expand);
    case "count":
      return countDecoder;
    case "raw":
      return rawDecoder;
    case "none":
      return () => undefined;
  }
}
