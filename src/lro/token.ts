/**
 * The resume token of a poller: plain JSON from `poller.toJSON()` that `client.resumeAsync()`
 * turns back into a poller, in this process or another one.
 */
import type { ODataErrorDetail } from "../errors.js";
import type { ODataVersion } from "../options.js";

/**
 * What the result of a poller is read as, so that a resumed poller gives the result its type
 * promises. Plain JSON, and free of secrets: names, counts and the URLs the service itself named
 * for what is still to come (as `statusUrl` is one), never a body or a header.
 * - `raw`: the final body as the monitor gave it (`asyncPoller`, and tokens that name no shape).
 * - `entity`: the final body read as the write's own answer is read, where it is an entity (v2's
 *   `d` unwrapped and its values made readable, the `ETag` header kept; see
 *   payload/entity-answer.ts `readEntityResult`): `createAsync`, `updateAsync`, `replaceAsync`,
 *   `deleteAsync`. The poller itself reads it, as each answer arrives, since the `ETag` header is
 *   gone once the body is parsed. `version` is the client's OData version.
 * - `operation`: unwrapped as `invoke()` and `get()` unwrap it (`invokeAsync`, `getAsync`).
 * - `batch`: read into the results of a batch with the same requests (`batch.sendAsync()` and
 *   `results.continuation`); only `batch.resumeAsync()` on such a batch can read it. `from` is the
 *   first item (request or changeset) the answer still has to come for; `fingerprint` tells one
 *   batch's requests (methods, URLs, order, changesets) from another's. `pending` (a JSON batch
 *   only) lists the indexes of the requests still to come, ascending, where they are not simply
 *   every request from `from` on: a JSON batch's `202` may come before answers given at once,
 *   which must not be matched again. Missing (tokens written before it was kept, and every other
 *   batch) means every request from `from` on. A continuation's token also says what else of the
 *   batch is still to come, so that the resumed one carries on as the original would (the fields
 *   marked internal below: the batch's own, written by `toJSON()` for `batch.resumeAsync()`).
 */
export type AsyncResultShape =
  | { kind: "raw" }
  | { kind: "entity"; version: ODataVersion }
  | { kind: "operation"; name: string; version: ODataVersion }
  | {
      kind: "batch";
      format: "multipart" | "json";
      requests: number;
      fingerprint: string;
      from?: number | undefined;
      pending?: number[] | undefined;
      /**
       * @internal The answer is a next link's (a `results.continuation` that reads one, §19.4): a
       * batch answer, never the one request's own result, so a resumed poller refuses anything else
       * as the one that wrote the token does. Missing means not.
       */
      nextLink?: true | undefined;
      /**
       * @internal The continuations the batch's answers named after this one (further parts
       * answered 202, a next link), which the results of this one carry on to: without them a
       * resumed poller would leave their requests as answered before the token was saved. Missing
       * means none, as in tokens written before it was kept.
       */
      later?: LaterContinuation[] | undefined;
      /** @internal The next links already followed, so that a resumed poller stops a loop where the original would. */
      followed?: string[] | undefined;
    };

/**
 * A continuation queued after the one a batch token is of: where it is (an absolute URL), the
 * indexes of the requests it answers (ascending), and whether it is a next link.
 * @internal
 */
export interface LaterContinuation {
  url: string;
  pending: number[];
  nextLink?: true | undefined;
}

/** The version of the tokens `toJSON()` writes; version 1 tokens (no result shape) are still read. */
export const TOKEN_VERSION = 2;

/** What `poller.toJSON()` returns. Everything in it is plain JSON. */
export interface AsyncPollerToken {
  type: "traverse-odata/async-poller";
  /** 2 since the token names its result shape; a version 1 token is read as a raw result. */
  version: 1 | 2;
  /** The status monitor URL to poll. */
  statusUrl: string;
  /** The last status seen, with the secrets the client sent masked where the monitor echoed one. */
  status: string;
  /** The last reported progress, or -1. */
  percentComplete: number;
  /** The absolute deadline (epoch ms), `null` for none. */
  deadline: number | null;
  /**
   * The `maxWait` (ms) that set the deadline, which a resumed poller's timeout error names; missing
   * in tokens written before it was kept.
   */
  maxWait?: number | undefined;
  /** When the next poll may go out (epoch ms), from the last `Retry-After`. */
  retryAfterAt?: number | undefined;
  /** A cancellation was accepted (202) and is under way. */
  cancelRequested?: boolean | undefined;
  /**
   * The operation succeeded and its result is still to be fetched from here; with `outcome`
   * "succeeded", where the result was fetched from (a relative link in it resolves against it).
   */
  resultUrl?: string | undefined;
  /** The outcome, once known. */
  outcome?: "succeeded" | "failed" | "cancelled" | undefined;
  /** The result of a succeeded operation. */
  result?: unknown;
  /**
   * Where in `result` (a v2 write's entity: `resultShape` `entity`, version `"2.0"`) the reader
   * made ISO text of `/Date(...)/` values: member names and array indexes joined by `/`
   * (`published`, `reviews/0/at`). A write of the entity sends the members the reader converted
   * as `/Date(<ms>)/` again and any other text as it is (payload/v2-values.ts `readDatesOf`); JSON
   * keeps no note of which they were, so the token does, and a resumed poller's entity is written
   * back as the one that wrote the token. Missing where the reader converted none, and in tokens
   * written before it was kept (their dates are then sent as the ISO text they hold).
   */
  resultDates?: string[] | undefined;
  /**
   * The `Content-Type` of a succeeded operation's result given as text (a body that is not JSON),
   * so that a resumed poller reads it by its type as the poller that wrote the token did.
   */
  resultType?: string | undefined;
  /**
   * `true` where `result` is a multipart batch answer that holds its bytes one character each
   * (ISO-8859-1) rather than its UTF-8 text, so that a binary part (an image from `$value`) keeps
   * them; `batch.resumeAsync()` reads it so. Missing means text, as in tokens written before it was
   * kept.
   */
  resultBinary?: boolean | undefined;
  /** What is known of a failure. */
  failure?: { message: string; httpStatus?: number | undefined; odataError?: ODataErrorDetail | undefined } | undefined;
  /** What the result is read as (version 2); missing means `{ kind: "raw" }`. */
  resultShape?: AsyncResultShape | undefined;
}

/**
 * The result shape a token names (`{ kind: "raw" }` for version 1 tokens and tokens without one).
 * Throws a `TypeError` that names the field at fault.
 */
export function resultShapeOf(token: unknown): AsyncResultShape {
  const shape = typeof token === "object" && token !== null ? (token as { resultShape?: unknown }).resultShape : undefined;
  if (shape === undefined) return { kind: "raw" };
  if (typeof shape !== "object" || shape === null || Array.isArray(shape)) throw new TypeError("resumeAsync token.resultShape must be an object");
  const s = shape as Record<string, unknown>;
  switch (s["kind"]) {
    case "raw":
      return { kind: "raw" };
    case "entity":
      return { kind: "entity", version: shapeVersion(s["version"]) };
    case "operation": {
      const { name } = s;
      if (typeof name !== "string" || name === "") throw new TypeError("resumeAsync token.resultShape.name must be the operation's name");
      return { kind: "operation", name, version: shapeVersion(s["version"]) };
    }
    case "batch": {
      const { format, requests, fingerprint, from, pending, nextLink, later, followed } = s;
      if (format !== "multipart" && format !== "json") throw new TypeError('resumeAsync token.resultShape.format must be "multipart" or "json"');
      if (!(Number.isInteger(requests) && (requests as number) > 0)) {
        throw new TypeError("resumeAsync token.resultShape.requests must be the batch's number of requests");
      }
      if (typeof fingerprint !== "string" || fingerprint === "") throw new TypeError("resumeAsync token.resultShape.fingerprint must be a string");
      if (from !== undefined && !(Number.isInteger(from) && (from as number) >= 0)) {
        throw new TypeError("resumeAsync token.resultShape.from must be an integer >= 0");
      }
      // A short check (this module loads with every client); that only a JSON batch names
      // `pending` is checked with the batch (batch/send.ts `resumeBatch`). `(last = index) >= 0`
      // only keeps the index for the next one's "ascending" (it is always true there).
      let last = -1;
      if (pending !== undefined && (!Array.isArray(pending) || !pending.length || !pending.every((index) => Number.isInteger(index) && index > last && index < (requests as number) && (last = index) >= 0))) {
        throw new TypeError("resumeAsync token.resultShape.pending must be ascending request indexes");
      }
      // The chain of continuations (batch/send.ts `chainOf`) is only the batch's to read: it is
      // checked with the batch too (`resumeBatch`), and kept as it is until then.
      return {
        kind: "batch",
        format,
        requests: requests as number,
        fingerprint,
        ...(from ? { from: from as number } : {}),
        ...(pending && { pending: pending as number[] }),
        ...((nextLink !== undefined && { nextLink }) as { nextLink?: true }),
        ...((later !== undefined && { later }) as { later?: LaterContinuation[] }),
        ...((followed !== undefined && { followed }) as { followed?: string[] }),
      };
    }
    default:
      throw new TypeError(`resumeAsync token.resultShape.kind must be "raw", "entity", "operation" or "batch"; got ${JSON.stringify(s["kind"])}`);
  }
}

/** The OData version a result shape names; anything else is a `TypeError` naming the field. */
function shapeVersion(version: unknown): ODataVersion {
  if (version !== "4.0" && version !== "4.01" && version !== "2.0") throw new TypeError('resumeAsync token.resultShape.version must be "4.0", "4.01" or "2.0"');
  return version;
}

/** How to resume a poller of this shape, for messages: the call that rebuilds it from its token. */
export function resumeHint(shape: AsyncResultShape): string {
  return shape.kind === "batch"
    ? "batch.resumeAsync(poller.toJSON()) on a batch with the same requests"
    : "client.resumeAsync(poller.toJSON())";
}
