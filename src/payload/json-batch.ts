/**
 * The JSON form of `$batch` (OData 4.01 JSON Format §19): reading the `responses` array back,
 * matched by `id` because a service may answer in any order (batch/wire.ts writes the `requests`
 * array). Pure functions.
 */
import { byteString, type HttpMessage } from "./http-envelope.js";
import { describe, isRecord } from "../util/values.js";
import { badBatchResponse } from "./bad-payload.js";
import { isJsonContentType } from "./content-type.js";

/** What the errors of this reader call the answer. */
const JSON_BATCH = "JSON batch response";

/**
 * One response of a JSON batch, as an HTTP message (a JSON body re-serialised as text); or, for a
 * response with an id whose status, headers or body cannot be read, `why` in place of the message,
 * so that the other responses are still read.
 */
export type JsonBatchResponse = {
  id: string | undefined;
  atomicityGroup: string | undefined;
} & ({ message: HttpMessage; why?: undefined } | { message?: undefined; why: string });

/**
 * Reads a JSON `$batch` response body. Throws `ODataClientError` `BAD_BATCH_RESPONSE` naming what
 * is wrong. Bodies come back as text with a content type, so that one decoder serves both formats.
 */
export function readJsonBatch(body: string): JsonBatchResponse[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw badBatchResponse(`the body is not JSON (${(error as Error).message})`, JSON_BATCH);
  }
  return readJsonBatchValue(parsed);
}

/** As {@link readJsonBatch}, for a body already parsed (a status monitor's result). */
export function readJsonBatchValue(parsed: unknown): JsonBatchResponse[] {
  if (!isRecord(parsed) || !Array.isArray(parsed["responses"])) throw badBatchResponse('the body has no "responses" array', JSON_BATCH);
  return parsed["responses"].map((entry: unknown, index) => {
    const where = `response ${index + 1}`;
    if (!isRecord(entry)) throw badBatchResponse(`${where} is not an object`, JSON_BATCH);
    const id = entry["id"];
    if (id !== undefined && typeof id !== "string" && typeof id !== "number") throw badBatchResponse(`${where} has an id that is not a string`, JSON_BATCH);
    const group = entry["atomicityGroup"];
    const named = { id: id === undefined ? undefined : String(id), atomicityGroup: typeof group === "string" ? group : undefined };
    const message = responseMessage(entry, where);
    if (typeof message !== "string") return { ...named, message };
    // A response with an id is matched to its request however unreadable the rest is; one
    // without cannot be matched at all.
    if (named.id === undefined) throw badBatchResponse(message, JSON_BATCH);
    return { ...named, why: message };
  });
}

/** The HTTP message of one response of a JSON batch, or what is wrong with it (naming it). */
function responseMessage(entry: Record<string, unknown>, where: string): HttpMessage | string {
  const status = entry["status"];
  // Described, not quoted: the value is the service's and may be nested or huge.
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) return `${where} has no HTTP status (got ${describe(status)})`;
  const headers = new Headers();
  const rawHeaders = entry["headers"];
  if (rawHeaders !== undefined) {
    if (!isRecord(rawHeaders)) return `${where} has headers that are not an object`;
    for (const [name, value] of Object.entries(rawHeaders)) {
      try {
        headers.set(name, byteString(String(value)));
      } catch {
        return `${where} has an invalid header ${JSON.stringify(name)}`;
      }
    }
  }
  const rawBody = entry["body"];
  let text = "";
  if (typeof rawBody === "string" && !isJsonContentType(headers.get("content-type"))) {
    text = rawBody;
  } else if (rawBody !== undefined && rawBody !== null) {
    // `JSON.parse` reads nesting of any depth, but `JSON.stringify` recurses and overflows the
    // stack a few thousand levels down (its only failure on a parsed value): named, not a RangeError.
    try {
      text = JSON.stringify(rawBody);
    } catch (error) {
      return `${where} has a body nested too deeply to read (${(error as Error).message})`;
    }
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return { status, statusText: "", headers, body: text };
}
