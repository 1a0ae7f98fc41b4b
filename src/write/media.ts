/**
 * Media resources: the content of a media entity (`Photos(1)/$value`) or of a stream property
 * (`Books(1)/cover`), read as bytes, text or a stream and written with its content type. The
 * sending (media-transfer.ts) loads with the first read or write of content.
 */
import type { ClientCore } from "../core.js";
import type { EntityState } from "../query/state.js";
import { customOptions, mediaPath, resourceUrl } from "../query/url.js";
import type { RequestOptions } from "../options.js";
import type { MediaWriteOptions } from "./options.js";

/**
 * The sending of media content, loaded by the first read or write of it.
 *
 * The methods that call it `return await` its functions' promises rather than return them: one
 * already rejected when returned (an argument refused before sending) stayed unhandled for a turn
 * while the method's own promise took it over, which workerd reports as an unhandled rejection.
 */
const transfer = () => import("./media-transfer.js");

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
    mediaPath(state, property);
  }

  /** The absolute URL of the content; sends nothing. */
  url(): string {
    return resourceUrl(this.#core.options.serviceUrl, mediaPath(this.#state, this.#property), customOptions(this.#state)).href;
  }

  /** The content as bytes. */
  async bytes(options?: RequestOptions): Promise<Uint8Array> {
    return await (await transfer()).readMediaBytes(this.#core, this.#state, this.#property, options);
  }

  /**
   * The content as text, decoded by the `charset` its `Content-Type` names (UTF-8 where it names
   * none or one the runtime does not know; `iso-8859-1` as windows-1252), a byte order mark dropped.
   */
  async text(options?: RequestOptions): Promise<string> {
    return await (await transfer()).readMediaText(this.#core, this.#state, this.#property, options);
  }

  /**
   * The content as a stream of bytes, with the content type and ETag the service sent; read it to
   * the end or cancel it to free the connection.
   */
  async stream(options?: RequestOptions): Promise<{ body: ReadableStream<Uint8Array>; contentType: string | undefined; etag: string | undefined }> {
    return await (await transfer()).readMediaStream(this.#core, this.#state, this.#property, options);
  }

  /**
   * Replaces the content: `PUT` with `Content-Type` (and `If-Match` from `etag`, the ETag of this
   * stream that an entity read earlier carries, or `ifMatch`; see {@link MediaWriteOptions}).
   * Resolves with the content's new ETag where the service answers with one (its `ETag` header),
   * for the next conditional write.
   * @example
   * const { etag } = await photo.media().put(png, { contentType: "image/png", etag: photoRead });
   * await photo.media().put(smaller, { contentType: "image/png", etag });
   */
  async put(content: string | Uint8Array, options: MediaWriteOptions): Promise<{ etag: string | undefined }> {
    return await (await transfer()).putMedia(this.#core, this.#state, this.#property, content, options);
  }
}
