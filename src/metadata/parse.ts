/**
 * `parseMetadata`: one entry for every form `$metadata` comes in, and the client's fetch-once
 * cache of it.
 */
import { readBodyText } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { httpErrorFromResponse } from "../payload/error-body.js";
import { toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import { ODataClientError } from "../errors.js";
import { readCsdlJson } from "./csdl-json.js";
import { badMetadata, readEdmx } from "./edmx.js";
import { ServiceModel, type ServiceModelData } from "./model.js";
import { versionHeaders } from "../payload/version-headers.js";
import { clipText, redactUrl } from "../util/redact.js";
import { SharedRequest } from "../util/shared-request.js";

/**
 * Reads service metadata into a {@link ServiceModel}: EDMX text (OData v4, or v2/v3 with
 * associations and function imports), CSDL JSON text, or CSDL JSON already parsed. Pure: sends
 * nothing. A document that cannot be read rejects with `ODataClientError` code `"BAD_METADATA"`,
 * naming what is wrong and where.
 * @example
 * const model = parseMetadata(await readFile("metadata.xml", "utf8"));
 * model.keyOf(model.entitySet("Books")!.entityType);
 */
export function parseMetadata(metadata: string | object): ServiceModel {
  return new ServiceModel(readMetadata(metadata));
}

function readMetadata(metadata: string | object): ServiceModelData {
  if (typeof metadata === "object" && metadata !== null) return readCsdlJson(metadata);
  if (typeof metadata !== "string") throw new TypeError(`parseMetadata(metadata): expected EDMX or CSDL JSON text, or a parsed CSDL JSON object; got ${typeof metadata}`);
  const start = metadata.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("{")) {
    let document: unknown;
    try {
      document = JSON.parse(start);
    } catch (error) {
      throw badMetadata(`the CSDL JSON is not JSON (${(error as Error).message})`, error);
    }
    return readCsdlJson(document);
  }
  if (start.startsWith("<")) return readEdmx(start);
  throw badMetadata(`the document is neither EDMX (XML) nor CSDL JSON; it starts with ${JSON.stringify(clipText(start, 40))}`);
}

/**
 * The client's `$metadata`, fetched once: concurrent callers share one request, a success is kept
 * for the client's lifetime, a failure is not (the next call asks again). A caller's abort ends
 * only that caller's wait; the shared request goes on for the others and is cancelled when every
 * waiting caller has given up.
 */
export class MetadataCache {
  readonly #core: ClientCore;
  #model: ServiceModel | undefined;
  readonly #loading = new SharedRequest<ServiceModel>();

  constructor(core: ClientCore) {
    this.#core = core;
  }

  get(given: AbortSignalLike | undefined): Promise<ServiceModel> {
    let signal: AbortSignal | undefined;
    try {
      signal = toAbortSignal(given);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#model) return Promise.resolve(this.#model);
    return this.#loading.join(
      (shared) =>
        fetchMetadata(this.#core, shared).then((model) => {
          this.#model = model;
          return model;
        }),
      signal,
    );
  }
}

/** GET `$metadata` (asking for XML, which every OData version serves) and parse it. */
async function fetchMetadata(core: ClientCore, signal: AbortSignal): Promise<ServiceModel> {
  const url = core.resolve("$metadata");
  const headers = new Headers({ accept: "application/xml", ...versionHeaders(core.options.version, "read") });
  const response = await core.send({ method: "GET", url, headers, signal, purpose: "metadata" });
  if (!response.ok) throw await httpErrorFromResponse(response, "GET", url);
  const text = await readBodyText(response, "GET", url, signal);
  try {
    return parseMetadata(text);
  } catch (error) {
    if (error instanceof ODataClientError && error.code === "BAD_METADATA") {
      throw new ODataClientError("BAD_METADATA", `GET ${redactUrl(url)}: ${error.message}`, { cause: error.cause });
    }
    throw error;
  }
}
