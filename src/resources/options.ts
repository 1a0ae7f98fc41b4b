/**
 * The options of the query classes' writing methods: the request builders' options with the
 * `signal` every sending method takes. Apart from query.ts so that the writing code it loads on
 * first use (writes.ts) can name them.
 */
import type { AsyncPollerOptions } from "../lro/poller.js";
import type {
  CreateRequestOptions,
  DeleteRequestOptions,
  EntityBodyOptions,
  MediaCreateRequestOptions,
  UpdateRequestOptions,
  UpsertRequestOptions,
  WriteRequestOptions,
} from "../write/requests.js";
import type { SendOptions } from "../write/send.js";

/** Options of `create`: `prefer` (`Prefer: return=minimal|representation`), `headers`, `signal`. */
export type CreateOptions = CreateRequestOptions & SendOptions;
/** Options of `createAsync`: the poller's, and `deep` as for `create`. */
export type CreateAsyncOptions = AsyncPollerOptions & EntityBodyOptions;
/** Options of `createMedia`: `contentType`, `slug`, `prefer`, `headers`, `signal`. */
export type CreateMediaOptions = MediaCreateRequestOptions & SendOptions;
/** Options of `update` and `replace`: ETag handling, `prefer`, `tunnel`, `headers`, `signal`. */
export type UpdateOptions = UpdateRequestOptions & SendOptions;
/** Options of `upsert`. */
export type UpsertOptions = UpsertRequestOptions & SendOptions;
/** Options of `delete`. */
export type DeleteOptions = DeleteRequestOptions & SendOptions;
/** Options of `link`, `setLink` and `unlink`. */
export type LinkOptions = WriteRequestOptions & SendOptions;
