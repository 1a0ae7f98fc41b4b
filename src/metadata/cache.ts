/**
 * The client's `$metadata`, fetched once per client and read into a `ServiceModel`. Loaded by the
 * first `client.metadata()` call.
 */
import { maskedPayloadError, readBodyBytes } from "../http/body.js";
import type { ClientCore } from "../core.js";
import { httpErrorFromResponse } from "../payload/error-body.js";
import { followAbort, toAbortSignal, type AbortSignalLike } from "../http/signals.js";
import { callTimeout } from "../util/timers.js";
import { ODataClientError } from "../errors.js";
import { ServiceModel } from "./model.js";
import { readMetadata } from "./read.js";
import { metadataText } from "./text.js";
import { versionHeaders } from "../payload/version-headers.js";
import { isHtmlContentType } from "../payload/content-type.js";
import { clipText, redactUrl } from "../util/redact.js";
import { SharedRequest } from "../util/shared-request.js";
import { refuseUnknownOptions } from "../util/values.js";

/** The cache of each client core: `client.metadata()` and the partition planner share one fetch. */
const caches = new WeakMap<ClientCore, MetadataCache>();

/**
 * Refuses options `metadata()` does not take, as every read does (refuseUnknownOptions): its
 * `onResponse` in words of its own (left out of its type, but a JavaScript caller may give one):
 * its request is shared by the calls that wait for it and its model kept, so that no answer is
 * one call's own to tell of.
 */
export function refuseMetadataOptions(options: unknown): void {
  if ((options as { onResponse?: unknown } | undefined)?.onResponse !== undefined) throw new TypeError('metadata(): option "onResponse" is not taken: the $metadata request is shared by its callers');
  refuseUnknownOptions(options, { signal: 1, timeout: 1 }, "metadata()");
}

/** The `$metadata` cache of a client core (made by the first call). */
export function metadataCacheOf(core: ClientCore): MetadataCache {
  let cache = caches.get(core);
  if (cache === undefined) {
    cache = new MetadataCache(core);
    caches.set(core, cache);
  }
  return cache;
}

/**
 * The client's `$metadata`, fetched once: concurrent callers share one request, a success is kept
 * for the client's lifetime, a failure is not (the next call asks again). A caller's abort ends
 * only that caller's wait; the shared request goes on for the others and is cancelled when every
 * waiting caller has given up.
 *
 * A caller's `timeout` says how long it will wait, and a request is shared only by callers that it
 * neither keeps waiting longer nor ends sooner than they asked:
 * - without a `timeout`, a caller waits for a request sent under the client's `timeout` (for the
 *   headers, then for each piece of the body), as any other request is;
 * - `timeout: 0` asks for no limit at all (a huge `$metadata` on a slow link): the caller waits
 *   for a request sent without a timeout, never for one that the client's could end;
 * - `timeout: n` is a deadline of the caller's own wait, headers and body alike, counted from its
 *   call (`TIMEOUT` when it passes, the request going on for the others). The caller waits for a
 *   request without a timeout, or for one under the client's `timeout` where that is no shorter
 *   than `n`, whichever is in flight; with neither, it sends one without a timeout.
 *
 * So two callers asking for different limits at once may send two requests (one under the
 * client's `timeout`, one without): each ends as its own callers asked until a model arrives. The
 * first model to arrive is the one kept and given to every caller, those still waiting for the
 * other request too, at once: that request is aborted (its socket and timers gone), so that its
 * callers neither wait for it nor see it fail.
 */
export class MetadataCache {
  readonly #core: ClientCore;
  #model: ServiceModel | undefined;
  /** The request under the client's `timeout`, and the one without a timeout. */
  readonly #timed = new SharedRequest<ServiceModel>();
  readonly #untimed = new SharedRequest<ServiceModel>();

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /**
   * The model, waiting for a shared request until `given` aborts or `timeout` ms have passed
   * (`TIMEOUT`; checked as a call's option, `where` naming the call; `0`: no limit; none: the
   * client's `timeout` for the request). Which request it waits for is the class's rule.
   */
  get(given: AbortSignalLike | undefined, timeout?: unknown, where = "metadata()"): Promise<ServiceModel> {
    let signal: AbortSignal | undefined;
    let ms: number | undefined;
    try {
      ms = callTimeout(timeout, where);
      signal = toAbortSignal(given);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#model) return Promise.resolve(this.#model);
    const clientTimeout = this.#core.options.timeout;
    // A client without a timeout sends every request without one: then there is one request.
    const timed = clientTimeout > 0 && (ms === undefined || (ms > 0 && ms <= clientTimeout && this.#timed.pending && !this.#untimed.pending));
    const start = (shared: AbortSignal) =>
      fetchMetadata(this.#core, shared, timed ? undefined : 0).then((model) => {
        // The other request's callers get this model: it is aborted, and they are answered below.
        (timed ? this.#untimed : this.#timed).abort();
        return (this.#model ??= model);
      });
    const loading = timed ? this.#timed : this.#untimed;
    // A caller that has not given up gets the model kept while it waited, however its own request ended.
    const kept = (wait: AbortSignal | undefined) => (error: unknown) => {
      if (this.#model && !wait?.aborted) return this.#model;
      throw error;
    };
    if (!ms) return loading.join(start, signal).catch(kept(signal));
    // The deadline gives up this caller's wait as its signal would: the request goes on for the
    // others, and is aborted (its socket and timers gone) when this caller was the last.
    const deadline = new AbortController();
    const unfollow = followAbort(signal, deadline);
    const url = this.#core.resolve("$metadata");
    const timer = setTimeout(() => deadline.abort(new ODataClientError("TIMEOUT", `${where}: GET ${redactUrl(url)} gave no service model within ${ms} ms (option "timeout")`)), ms);
    return loading
      .join(start, deadline.signal)
      .catch(kept(deadline.signal))
      .finally(() => {
        clearTimeout(timer);
        unfollow();
      });
  }
}

/**
 * The longest `$metadata` read: http/body.ts's BODY_LIMIT (256 MiB), which `readBodyText` applies.
 * Written out here: importing it would add an export to the start chunk of a reader's program.
 */
const METADATA_LIMIT = 256 * 1024 * 1024;

/**
 * GET `$metadata` (asking for XML, which every OData version serves) and parse it; `timeout` is
 * the request's (`0`: none; `undefined`: the client's).
 */
async function fetchMetadata(core: ClientCore, signal: AbortSignal, timeout: number | undefined): Promise<ServiceModel> {
  const url = core.resolve("$metadata");
  const headers = new Headers({ accept: "application/xml", ...versionHeaders(core.options.version, "read") });
  const response = await core.send({ method: "GET", url, headers, signal, timeout, purpose: "metadata" });
  if (!response.ok) throw await httpErrorFromResponse(response, "GET", url);
  // Read as bytes: the document may be in another encoding than UTF-8 (see metadataText).
  const text = metadataText(await readBodyBytes(response, "GET", url, signal, METADATA_LIMIT), response.headers.get("content-type"));
  try {
    // As parseMetadata does; not through it, which stays unloaded unless the program calls it.
    return new ServiceModel(readMetadata(text));
  } catch (error) {
    if (error instanceof ODataClientError && error.code === "BAD_METADATA") {
      // A proxy's or a sign-in page answering in the service's place is said to be one, rather
      // than by the XML parser's complaint about it; metadata mislabelled text/html is still read.
      const contentType = response.headers.get("content-type");
      if (isHtmlContentType(contentType)) {
        const page = new ODataClientError("BAD_METADATA", `GET ${redactUrl(url)} answered with an HTML page (${clipText(contentType ?? "", 100)}), not service metadata`, { cause: error });
        throw await maskedPayloadError(page, response);
      }
      // It may quote the document's start, where a service may have echoed a secret.
      throw await maskedPayloadError(new ODataClientError("BAD_METADATA", `GET ${redactUrl(url)}: ${error.message}`, { cause: error.cause }), response);
    }
    throw error;
  }
}
