/**
 * The multipart/mixed form of `$batch` (OData 4.01 Part 1 §11.7, RFC 2046 §5.1): writing a batch
 * request body and reading a batch response body. Pure functions of their inputs; nothing here
 * sends a request.
 */
import { bytesOf, byteString, decodedMessage, parseHttpMessage, type HttpMessage } from "./http-envelope.js";
import { clipText } from "../util/redact.js";
import { badBatchResponse } from "./bad-payload.js";
import { ODataClientError } from "../errors.js";

/** One request inside a batch, as it goes on the wire. */
export interface BatchWireRequest {
  method: string;
  /** Relative to the service root (`Books(1)?$select=title`), or a `$<Content-ID>` reference. */
  url: string;
  headers: ReadonlyArray<readonly [string, string]>;
  /** The body text, where there is one. */
  body?: string | undefined;
  /** The request's Content-ID (required inside a changeset, used for `$<Content-ID>` references). */
  contentId: string;
}

/** A top-level item of a batch: one request, or a changeset of requests that succeed or fail together. */
export type BatchWireItem = { kind: "request"; request: BatchWireRequest } | { kind: "changeset"; requests: readonly BatchWireRequest[] };

/**
 * One response read from a batch response body, with the Content-ID its part named; or a part in a
 * response's place that cannot be read (`why`: no status line, a Content-Type that is not
 * `application/http`, a header line that is none). The parts around it are delimited all the same,
 * so the rest of the answer is still read and matched by its places.
 */
export type BatchWireResponse = { kind: "response"; contentId: string | undefined; message: HttpMessage } | BatchWireUnreadable;

/** A part of a batch response that cannot be read, in its place among the others. */
export interface BatchWireUnreadable {
  kind: "unreadable";
  contentId: string | undefined;
  /** What is wrong with it, naming the part. */
  why: string;
}

/** A top-level item of a batch response: a response, or a changeset's responses. */
export type BatchWireAnswer = BatchWireResponse | { kind: "changeset"; responses: BatchWireResponse[] };

const CRLF = "\r\n";
/** What the errors of this reader call the answer. */
const MULTIPART = "multipart batch response";

// The boundaries the client writes: 1 to 70 of RFC 2046's bchars that a header's token may hold
// too. The others (`( ) , / : = ?` and the space) would have to be quoted in the Content-Type,
// which SAP CAP 9 does not read ("No boundary found"), and unquoted the header is malformed.
const BOUNDARY = /^[0-9A-Za-z'+_\-.]{1,70}$/;

/**
 * A fresh boundary: a prefix and a random UUID (122 random bits). Random so that no body text can
 * contain the delimiter by accident or on purpose (a request body that held it would end its part
 * early).
 */
export function newBoundary(prefix: "batch" | "changeset"): string {
  return `${prefix}_${randomUuid()}`;
}

/**
 * A version 4 UUID (RFC 9562 §5.4) from `crypto.getRandomValues`. Not `crypto.randomUUID`: browsers
 * offer that only in secure contexts (https or localhost), and a page served over plain http has
 * none, while `getRandomValues` exists everywhere.
 */
function randomUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // variant 10
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Writes the body of a multipart `$batch` request: CRLF line ends throughout, each request an
 * `application/http` part with `Content-Transfer-Encoding: binary` and its `Content-ID`, each
 * changeset a nested `multipart/mixed` part with its own boundary.
 * @param changesetBoundary - the boundary of the n-th changeset (0-based); fixed in tests, random otherwise.
 * @example writeMultipartBatch(items, "batch_1", (n) => `changeset_${n}`)
 */
export function writeMultipartBatch(items: readonly BatchWireItem[], batchBoundary: string, changesetBoundary: (n: number) => string): string {
  checkBoundary(batchBoundary);
  let text = "";
  let changesets = 0;
  for (const item of items) {
    text += `--${batchBoundary}${CRLF}`;
    if (item.kind === "request") {
      text += requestPart(item.request, false);
      continue;
    }
    const inner = changesetBoundary(changesets++);
    checkBoundary(inner);
    if (inner === batchBoundary) throw new TypeError("a changeset boundary must differ from the batch boundary");
    text += `Content-Type: multipart/mixed; boundary=${inner}${CRLF}${CRLF}`;
    for (const request of item.requests) text += `--${inner}${CRLF}${requestPart(request, true)}`;
    text += `--${inner}--${CRLF}`;
  }
  return `${text}--${batchBoundary}--${CRLF}`;
}

function requestPart(request: BatchWireRequest, inChangeset: boolean): string {
  let text = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}`;
  // Outside a changeset a Content-ID is optional; it is sent anyway so that answers can be matched.
  if (inChangeset || request.contentId) text += `Content-ID: ${request.contentId}${CRLF}`;
  text += CRLF;
  text += `${request.method} ${request.url} HTTP/1.1${CRLF}`;
  for (const [name, value] of request.headers) {
    // Checked where headers come in (http/request-headers.ts); a line break here would add headers
    // or requests to the body, so it is refused once more where the text is made.
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new TypeError(`the header ${JSON.stringify(name)} of a $batch part holds a line break`);
    text += `${name}: ${value}${CRLF}`;
  }
  text += CRLF;
  if (request.body !== undefined) text += request.body;
  // The CRLF before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the body.
  return `${text}${CRLF}`;
}

function checkBoundary(boundary: string): void {
  if (!BOUNDARY.test(boundary)) throw new TypeError(`${JSON.stringify(boundary)} is not a multipart boundary the client writes: 1 to 70 letters, digits and ' + _ - . (RFC 2046 allows more, which the Content-Type would have to quote)`);
}

/**
 * The `boundary` parameter of a `multipart/mixed` content type, quoted or not; `undefined` when the
 * type is not multipart or names no boundary.
 */
export function boundaryOf(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(contentType);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2];
}

/**
 * The boundary of a multipart body whose content type is lost (an asynchronous batch's result read
 * through a status monitor arrives as text): the first line that looks like a delimiter names it.
 */
export function sniffBoundary(body: string): string | undefined {
  const match = /(?:^|\n)--([0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?])[ \t]*\r?\n/.exec(body);
  return match?.[1];
}

/**
 * Reads a multipart `$batch` response body into its items in order. Tolerates bare LF line ends,
 * a preamble and an epilogue. Throws `ODataClientError` `BAD_BATCH_RESPONSE` naming what is wrong
 * when the parts cannot be told apart (no delimiter, no closing delimiter); a part that is delimited
 * but cannot be read is an `"unreadable"` item in its place (a changeset whose own parts cannot be
 * told apart, one for the whole changeset). With `binary`, `body` holds the answer's bytes one
 * character each (read as ISO-8859-1), so that a part's bytes survive the split; each part's body
 * is then decoded by its own charset (UTF-8 by default), one of a type that is not text keeping its
 * bytes (`message.bytes`), and its status text and header values are read as UTF-8 where they are.
 * With `most`, the most items the caller can match, a body that holds more is read no further than
 * the item after them (`most + 1` items come back, and the caller refuses them): an answer of many
 * surplus parts costs no more than one the caller can use, and what follows them, whether
 * well-formed or not, is never read.
 */
export function readMultipartBatch(body: string, boundary: string, { binary = false, most = Infinity }: { binary?: boolean; most?: number } = {}): BatchWireAnswer[] {
  return splitParts(body, boundary, "the batch response", most).map((part, index) => {
    const where = `part ${index + 1} of the batch response`;
    return partAnswer(() => {
      const { headers, content } = readPartHeaders(part, where);
      const type = headers.get("content-type") ?? "";
      if (!/^\s*multipart\/mixed\b/i.test(type)) return responsePart(headers, content, where, binary);
      const inner = boundaryOf(type);
      if (!inner) throw badBatchResponse(`${where} is multipart/mixed without a boundary`, MULTIPART);
      const responses = splitParts(content, inner, `the changeset in ${where}`).map((changesetPart, n) => {
        const innerWhere = `part ${n + 1} of the changeset in ${where}`;
        return partAnswer(() => {
          const read = readPartHeaders(changesetPart, innerWhere);
          return responsePart(read.headers, read.content, innerWhere, binary);
        });
      });
      return { kind: "changeset" as const, responses };
    });
  });
}

/** What `read` makes of a part, or the part as unreadable with the reason it threw (which names the part). */
function partAnswer<T extends BatchWireAnswer>(read: () => T): T | BatchWireUnreadable {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ODataClientError)) throw error;
    const prefix = `malformed ${MULTIPART}: `;
    return { kind: "unreadable", contentId: undefined, why: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message };
  }
}

function responsePart(headers: Headers, content: string, where: string, binary: boolean): BatchWireResponse {
  // Early services put the Content-ID inside the embedded response instead of the part headers.
  const partId = headers.get("content-id")?.trim() ?? undefined;
  const type = headers.get("content-type");
  if (type === null || !/^\s*application\/http\b/i.test(type)) {
    return { kind: "unreadable", contentId: partId, why: `${where} has Content-Type ${JSON.stringify(type ?? "(none)")}; expected application/http or multipart/mixed` };
  }
  let message: HttpMessage;
  try {
    message = parseHttpMessage(content, "BAD_BATCH_RESPONSE");
  } catch (error) {
    return { kind: "unreadable", contentId: partId, why: `${where}: ${(error as Error).message}` };
  }
  const contentId = partId ?? message.headers.get("content-id")?.trim() ?? undefined;
  return { kind: "response", contentId, message: binary ? decodedMessage(message) : message };
}

/**
 * The parts between the delimiters of `boundary`, each without the delimiters' line ends; no more
 * than `most + 1`, the rest of the body left unread.
 */
function splitParts(body: string, boundary: string, what: string, most = Infinity): string[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // A delimiter is a line of its own; the line end before it belongs to it (RFC 2046 §5.1.1).
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escaped}(--)?[ \\t]*(?=\\r?\\n|$)`, "g");
  const parts: string[] = [];
  let start: number | undefined;
  let closed = false;
  for (const match of body.matchAll(delimiter)) {
    if (start !== undefined) parts.push(body.slice(start, match.index));
    if (match[1] === "--") {
      closed = true;
      break;
    }
    if (parts.length > most) return parts;
    // The part starts after the line end that ends the delimiter line.
    const lineEnd = body.indexOf("\n", match.index + match[0].length);
    start = lineEnd === -1 ? body.length : lineEnd + 1;
  }
  if (start === undefined && !closed) throw badBatchResponse(`${what} has no part delimited by --${boundary}`, MULTIPART);
  if (!closed) throw badBatchResponse(`${what} ends without the closing delimiter --${boundary}-- (cut off?)`, MULTIPART);
  return parts;
}

/** The MIME headers of a part, and what follows the empty line after them. */
function readPartHeaders(part: string, where: string): { headers: Headers; content: string } {
  const headers = new Headers();
  let position = 0;
  for (;;) {
    const end = part.indexOf("\n", position);
    if (end === -1) {
      if (part.slice(position).trim() === "") throw badBatchResponse(`${where} is empty`, MULTIPART);
      throw badBatchResponse(`${where}: its headers do not end with an empty line`, MULTIPART);
    }
    let line = part.slice(position, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    position = end + 1;
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) throw badBatchResponse(`${where}: the header line ${JSON.stringify(clipText(line))} has no name`, MULTIPART);
    try {
      headers.append(line.slice(0, colon).trim(), byteString(line.slice(colon + 1).trim()));
    } catch {
      throw badBatchResponse(`${where}: the header line ${JSON.stringify(clipText(line))} is not a valid header`, MULTIPART);
    }
  }
  return { headers, content: part.slice(position) };
}

