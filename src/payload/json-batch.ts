/**
 * The JSON form of `$batch` (OData 4.01 JSON Format §19): a `requests` array out, a `responses`
 * array back, matched by `id` because a service may answer in any order. Pure functions.
 */
import type { HttpMessage } from "./http-envelope.js";
import { describe, isRecord } from "../util/values.js";
import { badBatchResponse } from "./bad-payload.js";
import { isJsonContentType } from "./content-type.js";

/** One request of a JSON batch, as it goes on the wire. */
export interface JsonBatchRequest {
  id: string;
  method: string;
  /** Relative to the service root, or a `$<id>` reference. */
  url: string;
  headers?: Record<string, string>;
  /** A JSON value for JSON bodies, a string for others. */
  body?: unknown;
  /** Requests of one atomicity group succeed or fail together (a changeset). */
  atomicityGroup?: string;
  /** Ids of requests (or groups) that must have run before this one. */
  dependsOn?: string[];
}

/** Writes the body of a JSON `$batch` request. */
export function writeJsonBatch(requests: readonly JsonBatchRequest[]): string {
  return JSON.stringify({ requests });
}

/** One response of a JSON batch, as an HTTP message (a JSON body re-serialised as text). */
export interface JsonBatchResponse {
  id: string | undefined;
  atomicityGroup: string | undefined;
  message: HttpMessage;
}

/**
 * Reads a JSON `$batch` response body. Throws `ODataClientError` `BAD_BATCH_RESPONSE` naming what
 * is wrong. Bodies come back as text with a content type, so that one decoder serves both formats.
 */
export function readJsonBatch(body: string): JsonBatchResponse[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw badBatchResponse(`the body is not JSON (${(error as Error).message})`, "JSON batch response");
  }
  return readJsonBatchValue(parsed);
}

/** As {@link readJsonBatch}, for a body already parsed (a status monitor's result). */
export function readJsonBatchValue(parsed: unknown): JsonBatchResponse[] {
  if (!isRecord(parsed) || !Array.isArray(parsed["responses"])) throw badBatchResponse('the body has no "responses" array', "JSON batch response");
  return parsed["responses"].map((entry: unknown, index) => {
    const where = `response ${index + 1}`;
    if (!isRecord(entry)) throw badBatchResponse(`${where} is not an object`, "JSON batch response");
    const status = entry["status"];
    if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
      // Described, not quoted: the value is the service's and may be nested or huge.
      throw badBatchResponse(`${where} has no HTTP status (got ${describe(status)})`, "JSON batch response");
    }
    const id = entry["id"];
    if (id !== undefined && typeof id !== "string" && typeof id !== "number") throw badBatchResponse(`${where} has an id that is not a string`, "JSON batch response");
    const headers = new Headers();
    const rawHeaders = entry["headers"];
    if (rawHeaders !== undefined) {
      if (!isRecord(rawHeaders)) throw badBatchResponse(`${where} has headers that are not an object`, "JSON batch response");
      for (const [name, value] of Object.entries(rawHeaders)) {
        try {
          headers.set(name, String(value));
        } catch {
          throw badBatchResponse(`${where} has an invalid header ${JSON.stringify(name)}`, "JSON batch response");
        }
      }
    }
    const rawBody = entry["body"];
    let text = "";
    if (typeof rawBody === "string" && !isJsonContentType(headers.get("content-type"))) {
      text = rawBody;
    } else if (rawBody !== undefined && rawBody !== null) {
      text = bodyText(rawBody, where);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    const group = entry["atomicityGroup"];
    return {
      id: id === undefined ? undefined : String(id),
      atomicityGroup: typeof group === "string" ? group : undefined,
      message: { status, statusText: "", headers, body: text },
    };
  });
}

/**
 * A JSON body as text again. `JSON.parse` reads nesting of any depth, but `JSON.stringify` recurses
 * and overflows the stack a few thousand levels down (its only failure on a parsed value): such a
 * body is refused by name instead of escaping as a RangeError.
 */
function bodyText(body: unknown, where: string): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    throw badBatchResponse(`${where} has a body nested too deeply to read (${(error as Error).message})`, "JSON batch response");
  }
}
