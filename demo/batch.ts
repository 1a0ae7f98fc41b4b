/**
 * `$batch` in the demo service (OData 4.01 Part 1 §11.7, multipart form): reading a
 * `multipart/mixed` request into its requests and changesets, running them in order, and writing
 * the `multipart/mixed` answer.
 *
 * - Each request is an `application/http` part; a changeset is a nested `multipart/mixed` part whose
 *   requests run all or nothing. A later request may address what an earlier one created by its
 *   Content-ID: `$1`, `$1/...`.
 * - A changeset that fails is answered by one response in its place: the failing request's.
 * - Processing stops after the first failure unless the client sent
 *   `Prefer: odata.continue-on-error`.
 */
import { randomUUID } from "node:crypto";
import { error, type PlainRequest, type PlainResponse } from "./order-requests.js";
import { queryOptions } from "./query-options.js";

/** One request read from a batch. */
export interface BatchPartRequest {
  contentId: string | undefined;
  method: string;
  /** The URL as written in the part: relative, absolute, or starting with `$<Content-ID>`. */
  url: string;
  headers: Headers;
  body: string;
}

/** A top-level item of a batch request. */
export type BatchItem = { kind: "request"; request: BatchPartRequest } | { kind: "changeset"; requests: BatchPartRequest[] };

/** How the service runs the requests of a batch. */
export interface BatchRunner {
  /** The service root, ending in `/`. */
  root: string;
  /** Answers one request (the path relative to the root). */
  execute(request: PlainRequest): PlainResponse;
  /** Runs `work` all or nothing: the data is put back when it reports failure. */
  atomically<R>(work: () => { ok: boolean; result: R }): R;
}

/** The answer to a whole `$batch` request. */
export interface BatchAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CRLF = "\r\n";
/** Resource names OData spells with a leading `$` (Part 2 §4), which a Content-ID reference never is. */
const SYSTEM_RESOURCES = new Set(["metadata", "batch", "all", "crossjoin", "entity", "root", "count", "ref", "value", "each", "filter", "select"]);

/** Answers a `$batch` request: reads it, runs it, writes the answer (or a 400 for a body it cannot read). */
export function answerBatch(runner: BatchRunner, contentType: string | undefined, body: string, prefer: string | undefined): BatchAnswer {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) return error(415, "UnsupportedMediaType", "The demo service reads $batch requests as multipart/mixed with a boundary");
  let items: BatchItem[];
  try {
    items = readBatchRequest(body, boundary);
  } catch (problem) {
    return error(400, "InvalidBatch", `The $batch request cannot be read: ${(problem as Error).message}`);
  }
  const continueOnError = (prefer ?? "").split(",").some((part) => part.trim().toLowerCase() === "odata.continue-on-error");
  const locations = new Map<string, string>();
  const answerBoundary = `batchresponse_${randomUUID()}`;
  let text = "";
  for (const item of items) {
    text += `--${answerBoundary}${CRLF}`;
    let failed: boolean;
    if (item.kind === "request") {
      const response = run(runner, item.request, locations);
      text += responsePart(response, item.request.contentId);
      failed = response.status >= 400;
    } else {
      const outcome = runChangeset(runner, item.requests, locations);
      text += outcome.text;
      failed = outcome.failed;
    }
    if (failed && !continueOnError) break;
  }
  text += `--${answerBoundary}--${CRLF}`;
  const headers: Record<string, string> = { "Content-Type": `multipart/mixed; boundary=${answerBoundary}` };
  if (continueOnError) headers["Preference-Applied"] = "odata.continue-on-error";
  return { status: 200, headers, body: text };
}

/** Runs a changeset all or nothing; its answer part (a nested multipart, or the one failure). */
function runChangeset(runner: BatchRunner, requests: readonly BatchPartRequest[], locations: Map<string, string>): { text: string; failed: boolean } {
  return runner.atomically<{ text: string; failed: boolean }>(() => {
    const created = new Map<string, string>();
    const answered: Array<[BatchPartRequest, PlainResponse]> = [];
    for (const request of requests) {
      const response = run(runner, request, new Map([...locations, ...created]));
      if (response.status >= 400) {
        // The changeset fails as a whole: its answer is the failing request's response alone.
        return { ok: false, result: { text: responsePart(response, request.contentId), failed: true } };
      }
      const location = response.headers["Location"] ?? response.headers["OData-EntityId"];
      if (request.contentId !== undefined && location !== undefined) created.set(request.contentId, location);
      answered.push([request, response]);
    }
    for (const [id, location] of created) locations.set(id, location);
    const inner = `changesetresponse_${randomUUID()}`;
    let text = `Content-Type: multipart/mixed; boundary=${inner}${CRLF}${CRLF}`;
    for (const [request, response] of answered) text += `--${inner}${CRLF}${responsePart(response, request.contentId)}`;
    text += `--${inner}--${CRLF}`;
    return { ok: true, result: { text, failed: false } };
  });
}

/** Runs one request, its `$<Content-ID>` reference resolved to the entity it stands for. */
function run(runner: BatchRunner, request: BatchPartRequest, locations: ReadonlyMap<string, string>): PlainResponse {
  let url = request.url;
  const reference = /^\$([^/?]+)(.*)$/.exec(url);
  // `$metadata`, `$batch`, `$all`... are resources of the service, not Content-ID references.
  if (reference && !(SYSTEM_RESOURCES.has(reference[1] as string) && !locations.has(reference[1] as string))) {
    const location = locations.get(reference[1] as string);
    if (location === undefined) return error(400, "InvalidReference", `${url} refers to no earlier request of this batch that created an entity`);
    url = `${location}${reference[2]}`;
  }
  let resolved: URL;
  try {
    resolved = new URL(url, runner.root);
  } catch {
    return error(400, "InvalidUrl", `${JSON.stringify(url)} is not a URL`);
  }
  if (!resolved.href.startsWith(runner.root)) return error(404, "NotFound", `${resolved.pathname} is not a resource of this service`);
  let path: string;
  try {
    path = decodeURIComponent(resolved.pathname.slice(new URL(runner.root).pathname.length));
  } catch {
    // A bad percent-escape fails this request alone, not the batch.
    return error(400, "InvalidUrl", `${JSON.stringify(request.url)} has a malformed percent-escape`);
  }
  // The query is read as one outside a batch is: percent-decoding only, a `+` stays a `+`.
  const query = queryOptions(resolved.search);
  if (!(query instanceof URLSearchParams)) return error(query.status, query.code, query.message, query.target);
  const answer = runner.execute({ method: request.method, path, query, headers: request.headers, body: request.body });
  // HEAD is answered as GET without the body, inside a batch as outside one.
  return request.method === "HEAD" ? { ...answer, body: "" } : answer;
}

// --- reading the request --------------------------------------------------------------------------

/** Reads a multipart batch request body into its items. Throws an `Error` saying what is wrong. */
export function readBatchRequest(body: string, boundary: string): BatchItem[] {
  return splitParts(body, boundary).map((part, index) => {
    const { headers, content } = partHeaders(part, `part ${index + 1}`);
    const type = headers.get("content-type") ?? "";
    if (/^multipart\/mixed\b/i.test(type)) {
      const inner = boundaryOf(type);
      if (inner === undefined) throw new Error(`part ${index + 1} is a changeset without a boundary`);
      const requests = splitParts(content, inner).map((changesetPart, n) => {
        const read = partHeaders(changesetPart, `request ${n + 1} of the changeset in part ${index + 1}`);
        const request = httpRequest(read.headers, read.content, `request ${n + 1} of the changeset in part ${index + 1}`);
        if (request.contentId === undefined) throw new Error(`request ${n + 1} of the changeset in part ${index + 1} has no Content-ID`);
        return request;
      });
      return { kind: "changeset", requests };
    }
    return { kind: "request", request: httpRequest(headers, content, `part ${index + 1}`) };
  });
}

function httpRequest(mimeHeaders: Headers, content: string, where: string): BatchPartRequest {
  if (!/^application\/http\b/i.test(mimeHeaders.get("content-type") ?? "")) throw new Error(`${where} is not application/http`);
  const lineEnd = content.indexOf("\n");
  const requestLine = (lineEnd === -1 ? content : content.slice(0, lineEnd)).replace(/\r$/, "");
  const match = /^([A-Z]+) (\S+)(?: HTTP\/1\.[01])?$/.exec(requestLine);
  if (!match) throw new Error(`${where} does not start with a request line such as "GET Orders(1) HTTP/1.1"`);
  const { headers, content: body } = partHeaders(content.slice(lineEnd + 1), where);
  return { contentId: mimeHeaders.get("content-id") ?? undefined, method: match[1] as string, url: match[2] as string, headers, body };
}

/** The parts between the delimiters of `boundary`; the CRLF before a delimiter belongs to it (RFC 2046 §5.1.1). */
function splitParts(body: string, boundary: string): string[] {
  const escaped = boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escaped}(--)?[ \\t]*(?:\\r?\\n|$)`, "g");
  const parts: string[] = [];
  let start: number | undefined;
  for (const match of body.matchAll(delimiter)) {
    if (start !== undefined) parts.push(body.slice(start, match.index));
    if (match[1] === "--") return parts;
    start = (match.index ?? 0) + match[0].length;
  }
  throw new Error(`the body does not end with the closing delimiter --${boundary}--`);
}

/** Header lines up to the first empty line, and the rest. */
function partHeaders(text: string, where: string): { headers: Headers; content: string } {
  const headers = new Headers();
  let position = 0;
  for (;;) {
    const end = text.indexOf("\n", position);
    const line = (end === -1 ? text.slice(position) : text.slice(position, end)).replace(/\r$/, "");
    position = end === -1 ? text.length : end + 1;
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`${where} has a header line without a name: ${JSON.stringify(line.slice(0, 60))}`);
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    if (end === -1) break;
  }
  return { headers, content: text.slice(position) };
}

function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/mixed\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

// --- writing the answer ---------------------------------------------------------------------------

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  415: "Unsupported Media Type",
  428: "Precondition Required",
  501: "Not Implemented",
};

function responsePart(response: PlainResponse, contentId: string | undefined): string {
  let text = `Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}`;
  if (contentId !== undefined) text += `Content-ID: ${contentId}${CRLF}`;
  text += CRLF;
  text += `HTTP/1.1 ${response.status} ${STATUS_TEXT[response.status] ?? ""}`.trimEnd() + CRLF;
  for (const [name, value] of Object.entries(response.headers)) text += `${name}: ${value}${CRLF}`;
  text += CRLF;
  return `${text}${response.body}${CRLF}`;
}
