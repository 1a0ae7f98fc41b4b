/**
 * Reading and writing media content through the client (media.ts holds the `MediaResource` the
 * caller sees). Loaded by the first read or write of content.
 */
import type { ClientCore } from "../core.js";
import { readBodyBytes, watchedBodyStream, discard } from "../http/body.js";
import { readBodyAs } from "../payload/http-envelope.js";
import type { EntityState } from "../query/state.js";
import { mediaReadRequest, mediaWriteRequest } from "./requests.js";
import { sendChecked } from "./send.js";
import type { RequestOptions } from "../options.js";
import type { MediaWriteOptions } from "./options.js";
import { pendingReadError } from "../read/pending-read.js";
import { callTimeout } from "../util/timers.js";
import { optionalFunction, refuseUnknownOptions, type OptionNames } from "../util/values.js";

// The options of a read and of a write of content, by name: any other member is refused, as
// every read's and write's are (resources/writes.ts, read/traversal.ts).
const READ = { signal: 1, timeout: 1, onResponse: 1 } satisfies OptionNames<RequestOptions>;
const PUT = { signal: 1, timeout: 1, onResponse: 1, headers: 1, tunnel: 1, etag: 1, ifMatch: 1, contentType: 1 } satisfies OptionNames<MediaWriteOptions>;

/**
 * The GET of the content, with the `timeout` and `onResponse` given to `where` (`media().bytes()`),
 * checked before it is sent, and any option it does not take refused.
 */
function getMedia(core: ClientCore, state: EntityState, property: string | undefined, options: RequestOptions | undefined, where: string): { response: Promise<Response>; url: URL } {
  refuseUnknownOptions(options, READ, where);
  const request = mediaReadRequest(core.options, state, property);
  request.timeout = callTimeout(options?.timeout, where);
  request.onResponse = optionalFunction(options?.onResponse, `${where}: option "onResponse"`);
  // A `202` with a monitor was refused already (sendChecked: `ASYNC_OPERATION_PENDING`); one
  // without (or with one a browser's CORS hides) has no content yet either, and its body, a
  // status, is not the media's: refused as any read so answered is.
  const response = sendChecked(core, request, options).then(async (answer) => (answer.status === 202 ? Promise.reject(await pendingReadError(answer, request.url)) : answer));
  return { response, url: request.url };
}

/** `MediaResource.bytes()`. */
export async function readMediaBytes(core: ClientCore, state: EntityState, property: string | undefined, options: RequestOptions | undefined): Promise<Uint8Array> {
  const { response, url } = getMedia(core, state, property, options, "media().bytes()");
  return readBodyBytes(await response, "GET", url, options?.signal);
}

/** `MediaResource.text()`. */
export async function readMediaText(core: ClientCore, state: EntityState, property: string | undefined, options: RequestOptions | undefined): Promise<string> {
  const { response, url } = getMedia(core, state, property, options, "media().text()");
  // Media is any text the service keeps, not JSON bound to UTF-8: read by the charset it is sent
  // in, as a `$batch` part and a status monitor's answer are (a charset this runtime does not know
  // as UTF-8).
  return readBodyAs(await response, "GET", url, options?.signal, false);
}

/** `MediaResource.stream()`. */
export async function readMediaStream(
  core: ClientCore,
  state: EntityState,
  property: string | undefined,
  options: RequestOptions | undefined,
): Promise<{ body: ReadableStream<Uint8Array>; contentType: string | undefined; etag: string | undefined }> {
  const media = getMedia(core, state, property, options, "media().stream()");
  const response = await media.response;
  const body = watchedBodyStream(response, "GET", media.url, options?.signal);
  return { body, contentType: response.headers.get("content-type") ?? undefined, etag: response.headers.get("etag") ?? undefined };
}

/** `MediaResource.put()`. */
export async function putMedia(
  core: ClientCore,
  state: EntityState,
  property: string | undefined,
  content: string | Uint8Array,
  options: MediaWriteOptions,
): Promise<{ etag: string | undefined }> {
  refuseUnknownOptions(options, PUT, "media().put()");
  const response = await sendChecked(core, mediaWriteRequest(core.options, state, property, content, options), options);
  await discard(response);
  return { etag: response.headers.get("etag") ?? undefined };
}
