/**
 * The OData version headers of every request the library sends, decided in this one place: each
 * request builder (reads, writes, operations, `$batch`, long-running operations, polls) asks
 * {@link versionHeaders} instead of writing its own.
 */
import type { ODataVersion } from "../options.js";

/**
 * What a request does, as far as its version headers go.
 * - `"read"`: a `GET` whose answer the client reads (collections, entities, counts, functions,
 *   `$metadata`, media, status monitors).
 * - `"write"`: a request that carries an OData payload or changes something (create, update,
 *   delete, references, media uploads, actions, `$batch`, cancelling an operation).
 */
export type RequestKind = "read" | "write";

/**
 * The version headers a request of `kind` carries for a client of `version`, names in lower case.
 *
 * A read carries none. OData-MaxVersion (v2: MaxDataServiceVersion) only caps the version of the
 * answer; without it the service answers in its own default version (OData 4.01 §8.2.7, MS-ODATA
 * §1.7), and the readers take the 4.0 and the 4.01 forms alike (`@odata.count` and `@count`,
 * `@odata.etag` and `@etag`, both delta forms). Leaving it out keeps an anonymous or
 * cookie-authenticated read a CORS-simple request (only `Accept` with a safelisted value), so a
 * browser walking a collection on another origin sends no preflight for every page, whose URLs
 * all differ and so never hit the preflight cache.
 *
 * A write carries both: OData-Version says which version its payload is written in (4.01 §8.2.6
 * requires it of a request with a payload), OData-MaxVersion caps the answer to what the client
 * was built for. Writes are preflighted anyway (their methods and `Content-Type` are not
 * CORS-safelisted).
 * @example versionHeaders("4.0", "write") // { "odata-version": "4.0", "odata-maxversion": "4.0" }
 */
export function versionHeaders(version: ODataVersion, kind: RequestKind): Record<string, string> {
  if (kind === "read") return {};
  if (version === "2.0") return { dataserviceversion: "2.0", maxdataserviceversion: "2.0" };
  return { "odata-version": version, "odata-maxversion": version };
}

/**
 * The headers whose presence says which version an answer is in: a v2 service sends
 * `DataServiceVersion` (MS-ODATA §2.2.5.3), a v4 service `OData-Version` (OData 4.01 §8.1.5).
 * Read by read/payload-failure.ts, for the words of an answer that a client of the other version
 * cannot read.
 */
export const ANSWER_VERSION = { v2: "dataserviceversion", v4: "odata-version" } as const;
