/**
 * The options of the writing methods, as users pass them. Each extends `RequestOptions` (the
 * `signal`); the request builders of `requests.ts` read the rest and leave the signal to the
 * sending side, and a `$batch`, whose requests are sent together, takes them without it.
 */
import type { RequestOptions } from "../options.js";
import type { AsyncPollerOptions } from "../lro/poller.js";

/** An ETag: its text (`W/"2024-01-01T00:00:00Z"`), or an entity read earlier that carries one. */
export type EtagSource = string | object;

/** Which version of the entity a write applies to (`If-Match`). */
export interface ConditionalOptions {
  /**
   * The ETag to send as `If-Match`: its text, or the entity read earlier (its `@odata.etag`, v2
   * `__metadata.etag`). Without it, an ETag the body carries is used; `false` sends no `If-Match`
   * at all.
   */
  etag?: EtagSource | false | undefined;
  /**
   * A literal `If-Match` value, winning over `etag`. `"*"` means "whatever version, but the
   * entity must exist" (an update that can never turn into an insert, OData 4.01 §11.4.4).
   */
  ifMatch?: string | undefined;
}

/** `Prefer: return=minimal` (answer 204, no body) or `return=representation` (answer with the entity). */
export type ReturnPreference = "minimal" | "representation";

/** Options every write takes; alone, those of `link`, `setLink` and `unlink`. */
export interface WriteOptions extends RequestOptions {
  /**
   * More headers for this request (lower-case names win over the defaults). A `Prefer` among them
   * joins the `return=...` of the option `prefer` (`odata.include-annotations="*"` beside it); one
   * that asks for the other `return` than that option is refused with a `TypeError`, as is an
   * `If-Match` that differs from the one the option `etag` or `ifMatch` gives.
   */
  headers?: Record<string, string> | undefined;
  /**
   * Sends the request as `POST` with `X-HTTP-Method: <method>` (method tunnelling), for services
   * and proxies that refuse `MERGE`, `PATCH`, `PUT` or `DELETE`.
   * @default false
   */
  tunnel?: boolean | undefined;
}

/** Options of the writes that send an entity body: whether what a read expanded goes along. */
export interface EntityBodyOptions {
  /**
   * Send the navigation properties that a read expanded (the same arrays and objects, as a
   * `{ ...entity }` copy holds them) as part of the body: a deep update or deep insert (OData 4.01
   * §11.4.3.1, §11.4.2.2), in which a service may replace the related entities with the ones sent
   * and delete the others. By default they are left out, so that writing back an entity read with
   * `$expand` changes only the entity. Nested values you build yourself are always sent.
   * @default false
   */
  deep?: boolean | undefined;
}

/** Options of `create`: `prefer`, `deep`, `headers`, `tunnel`, `signal`. */
export interface CreateOptions extends WriteOptions, EntityBodyOptions {
  /** Sent as `Prefer: return=...`; without it the service decides (usually the created entity). */
  prefer?: ReturnPreference | undefined;
}

/** The `headers` of an `...Async` write: for the request that starts the operation. */
export interface AsyncStartHeaders {
  /**
   * More headers for the request that starts the operation (not for its polls), as
   * {@link WriteOptions} `headers`: an `If-Match` a service wants of a create goes here.
   */
  headers?: Record<string, string> | undefined;
}

/** Options of `createAsync`: the poller's, and `deep` and `headers` as for `create`. */
export interface CreateAsyncOptions extends AsyncPollerOptions, EntityBodyOptions, AsyncStartHeaders {}

/** Options of `update` (PATCH; v2 MERGE) and `replace` (PUT): the `If-Match`, `prefer`, `deep`, `headers`, `tunnel`, `signal`. */
export interface UpdateOptions extends WriteOptions, ConditionalOptions, EntityBodyOptions {
  /** Sent as `Prefer: return=...` (v4): `representation` asks for the entity after the change. */
  prefer?: ReturnPreference | undefined;
}

/** Options of `upsert`. */
export interface UpsertOptions extends WriteOptions, EntityBodyOptions {
  /** PUT (replace every property) instead of PATCH (change the ones sent). @default false */
  replace?: boolean | undefined;
  /**
   * `"*"` sends `If-None-Match: *`: insert only; when the entity already exists the service
   * answers 412 instead of updating it (OData 4.01 §11.4.4).
   */
  ifNoneMatch?: "*" | undefined;
  /** Sent as `Prefer: return=...`. */
  prefer?: ReturnPreference | undefined;
}

/** Options of `delete`: the `If-Match`, `headers`, `tunnel`, `signal`. */
export interface DeleteOptions extends WriteOptions, ConditionalOptions {}

/** Options of `updateAsync` and `replaceAsync`: the poller's, the `If-Match`, `deep` and `headers` as for `update`. */
export interface UpdateAsyncOptions extends AsyncPollerOptions, ConditionalOptions, EntityBodyOptions, AsyncStartHeaders {}

/** Options of `deleteAsync`: the poller's, the `If-Match` and `headers` as for `delete`. */
export interface DeleteAsyncOptions extends AsyncPollerOptions, ConditionalOptions, AsyncStartHeaders {}

/**
 * Options of `MediaResource.put`: writing a media resource or stream property. An entity read
 * earlier, given as `etag`, gives the ETag of the stream written: `@odata.mediaEtag` (v2
 * `__metadata.media_etag`) for the media entity's own (`$value`), `<property>@odata.mediaEtag` for
 * a stream property, and the entity's own ETag where it carries none (services such as SAP CAP
 * guard their streams with it).
 */
export interface MediaWriteOptions extends WriteOptions, ConditionalOptions {
  /** The media type of the content, sent as `Content-Type`. */
  contentType: string;
}

/** Options of `createMedia`: creating a media entity from its content. */
export interface CreateMediaOptions extends WriteOptions {
  /** The media type of the content, sent as `Content-Type`. */
  contentType: string;
  /** Sent as `Slug` (RFC 5023): a hint for the new entity's key or name. */
  slug?: string | undefined;
  /** Sent as `Prefer: return=...`; without it the service decides. */
  prefer?: ReturnPreference | undefined;
}
