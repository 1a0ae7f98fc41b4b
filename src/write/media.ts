/**
 * Media resources: the content of a media entity (`Photos(1)/$value`) or of a stream property
 * (`Books(1)/cover`), read as bytes, text or a stream and written with its content type.
 */
import type { ClientCore } from "../core.js";
import { readBodyBytes, readBodyText, watchedBodyStream } from "../http/body.js";
import type { EntityState } from "../query/state.js";
import type { RequestOptions } from "../options.js";
import type { MediaWriteOptions } from "./options.js";
import { mediaReadRequest, mediaWriteRequest } from "./requests.js";
import { sendChecked, sendWithoutResult } from "./send.js";

/**
 * The content of a media entity or a stream property, made by `entity.media()` or
 * `entity.media("cover")`. Sends nothing until a method runs.
 * @example
 * const png = await client.collection("Photos").key(1).media().bytes();
 * await client.collection("Photos").key(1).media().put(png, { contentType: "image/png" });
 */
export class MediaResource {
  readonly #core: ClientCore;
  readonly #state: EntityState;
  readonly #property: string | undefined;

  /** @internal Made by `EntityQuery.media()`. */
  constructor(core: ClientCore, state: EntityState, property: string | undefined) {
    this.#core = core;
    this.#state = state;
    this.#property = property;
    // Checks the property name now rather than at the first request.
    mediaReadRequest(core.options, state, property);
  }

  /** The absolute URL of the content; sends nothing. */
  url(): string {
    return mediaReadRequest(this.#core.options, this.#state, this.#property).url.href;
  }

  /** The content as bytes. */
  async bytes(options?: RequestOptions): Promise<Uint8Array> {
    const response = await this.#get(options);
    return readBodyBytes(response, "GET", new URL(this.url()), options?.signal);
  }

  /** The content as text (decoded as UTF-8). */
  async text(options?: RequestOptions): Promise<string> {
    const response = await this.#get(options);
    return readBodyText(response, "GET", new URL(this.url()), options?.signal);
  }

  /**
   * The content as a stream of bytes, with the content type and ETag the service sent; read it to
   * the end or cancel it to free the connection.
   */
  async stream(options?: RequestOptions): Promise<{ body: ReadableStream<Uint8Array>; contentType: string | undefined; etag: string | undefined }> {
    const response = await this.#get(options);
    const body = watchedBodyStream(response);
    return { body, contentType: response.headers.get("content-type") ?? undefined, etag: response.headers.get("etag") ?? undefined };
  }

  /**
   * Replaces the content: `PUT` with `Content-Type` (and `If-Match` from `etag`, the media ETag of
   * an entity read earlier, or `ifMatch`).
   */
  put(content: string | Uint8Array, options: MediaWriteOptions): Promise<void> {
    try {
      return sendWithoutResult(this.#core, mediaWriteRequest(this.#core.options, this.#state, this.#property, content, options), options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #get(options: RequestOptions | undefined): Promise<Response> {
    return sendChecked(this.#core, mediaReadRequest(this.#core.options, this.#state, this.#property), options);
  }
}
