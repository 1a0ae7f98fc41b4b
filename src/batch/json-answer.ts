/**
 * What the batch layer reads of a JSON batch answer beyond its responses (OData JSON Format 4.01
 * §19): the next link of a partial result, the responses that name no request of their own, and
 * the bodies a service sends base64url-encoded because they are neither JSON nor text.
 */
import { isJsonContentType } from "../payload/content-type.js";
import { readJsonBatch, readJsonBatchValue, type JsonBatchResponse } from "../payload/json-batch.js";
import { describe, isRecord } from "../util/values.js";
import { COLLECTION_ANNOTATIONS } from "../payload/annotations.js";
import { bytesOfBase64 } from "../util/base64-text.js";
import { badBatchResponse } from "../payload/bad-payload.js";
import type { ODataClientError } from "../errors.js";

/** A JSON batch answer, split: its responses, its next link, and what cannot be matched. */
export interface JsonAnswer {
  responses: JsonBatchResponse[];
  /** `@nextLink` (or `@odata.nextLink`) of a partial result: the rest of the answers come from it (§19.4). */
  nextLink?: string;
  /** The responses that cannot be given to any request (no id, an id that is no string), described. */
  strays: string[];
  /** How many responses the answer holds, strays among them: no more than the requests they answer (results.ts `matchJson`). */
  count: number;
}

/** Reads a JSON batch answer body (see {@link splitJsonValue}). */
export function splitJsonAnswer(text: string): JsonAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The reader names what is wrong with it, as it always has.
    readJsonBatch(text);
  }
  return splitJsonValue(parsed);
}

/**
 * Reads a parsed JSON batch answer. A response without a usable id is set aside as a stray rather
 * than failing the whole answer: it fails only the requests left without an answer (results.ts).
 * `count` says how many responses there were, for `matchJson` to refuse a surplus.
 */
export function splitJsonValue(parsed: unknown): JsonAnswer {
  const strays: string[] = [];
  let value = parsed;
  if (isRecord(parsed) && Array.isArray(parsed["responses"])) {
    const entries = parsed["responses"] as unknown[];
    const set = new Set<number>();
    entries.forEach((entry, index) => {
      const id = isRecord(entry) ? entry["id"] : undefined;
      if (typeof id === "string" || typeof id === "number") return;
      set.add(index);
      strays.push(`response ${index + 1} ${!isRecord(entry) ? "is not an object" : id === undefined ? "has no id" : "has an id that is not a string"}`);
    });
    // Put in their places by a response the reader takes, so that it names the others by their
    // places still; dropped again below.
    if (set.size > 0) value = { responses: entries.map((entry, index) => (set.has(index) ? { id: "", status: 200 } : entry)) };
    const responses = readJsonBatchValue(value).filter((_, index) => !set.has(index));
    for (const response of responses) decodeBinaryBody(response);
    // The next link by any of its names (payload/annotations.ts has them all).
    const link = Object.keys(parsed).map((name) => (COLLECTION_ANNOTATIONS.v4[name] === "nextLink" ? parsed[name] : undefined)).find((value) => value !== undefined);
    if (typeof link === "string" && link.trim() !== "") return { responses, strays, nextLink: link, count: entries.length };
    // A next link that is no link: the requests left without an answer fail naming it, rather than
    // read as never run (the service did say their answers were still to come).
    if (link !== undefined) strays.push(`the answer's next link is ${describe(link)}, not a link`);
    return { responses, strays, count: entries.length };
  }
  const responses = readJsonBatchValue(value);
  return { responses, strays, count: responses.length };
}

/**
 * The refusal of a JSON batch answer of `count` responses for `requests` requests: each request
 * has one response, so the surplus answers none, and which request each of the others answers is
 * in doubt (as for a multipart answer of surplus parts, payload/multipart.ts).
 */
export function surplusResponses(count: number, requests: number): ODataClientError {
  return badBatchResponse(`the service sent ${count} responses for ${requests} ${requests === 1 ? "request" : "requests"}`);
}

/**
 * Whether a body of this media type travels in a JSON batch as it is (JSON as a value, a type of
 * top-level type `text` as a string) rather than base64url-encoded: §19.1 names those two, and
 * every other type, `application/xml` among them, goes as base64url.
 */
export function isTextual(contentType: string | null | undefined): boolean {
  if (contentType === null || contentType === undefined || isJsonContentType(contentType)) return true;
  return /^\s*text\//i.test(contentType);
}

/**
 * A response body that is no JSON and no text came base64url-encoded: given as its bytes (as a
 * multipart answer's binary part is), and as the text they read as. A body that is no base64url
 * (a service that wrote it as text) stays text.
 */
function decodeBinaryBody(response: JsonBatchResponse): void {
  const message = response.message;
  if (message === undefined || isTextual(message.headers.get("content-type"))) return;
  const bytes = bytesOfBase64(message.body);
  if (bytes === undefined) return;
  message.bytes = bytes;
  message.body = new TextDecoder().decode(bytes);
}
