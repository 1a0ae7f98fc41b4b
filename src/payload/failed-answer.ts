/**
 * The error of a failed answer for the paths that usually succeed (reading pages and entities,
 * writes, operation calls): the reading of error bodies (error-body.ts: JSON, XML, bounded in size
 * and time) loads with the first failure, so that a program whose requests succeed never loads it.
 */
import type { ODataHttpError } from "../errors.js";
import type { ErrorBodyReading } from "./error-body.js";

/** `httpErrorFromResponse` of error-body.ts, loaded on first use. */
export async function httpErrorOf(response: Response, method: string, url: string | URL, reading?: ErrorBodyReading): Promise<ODataHttpError> {
  const { httpErrorFromResponse } = await import("./error-body.js");
  return httpErrorFromResponse(response, method, url, reading);
}
