/**
 * What the builder of a `$batch` (batch.ts) collects: its requests in order, grouped into
 * changesets, each with its Content-ID, the earlier requests it references and how its answer is
 * read; the state of the batch (open changeset, sealed once sent); and its latest results. Reads,
 * operations and raw requests are recorded as they go on the wire; writes as what to build, which
 * the batch code (plan.ts, loaded by the first send) builds with the writing layer. The builder
 * thus costs a program that never sends a batch almost nothing.
 */
import { ODataClientError } from "../errors.js";
import type { OperationBinding } from "../operations/requests.js";
import type { EntityState, ExpandItem, QueryState } from "../query/state.js";
import type { CreateOptions, DeleteOptions, UpdateOptions } from "../write/options.js";
import type { BatchResults } from "./results.js";

/** The wire form of a batch: `multipart/mixed` (every OData version) or JSON (OData 4.01). */
export type BatchFormat = "multipart" | "json";

/** A request as it goes on the wire. */
export interface WireSpec {
  method: string;
  /** Relative to the service root, or starting with a `$<Content-ID>` reference. */
  path: string;
  headers: Record<string, string>;
  /** Text, or bytes (a raw request's binary body, which the wire writes as it is). */
  body?: string | ArrayBuffer | ArrayBufferView | undefined;
}

/** A write's options as a part takes them: a part is never sent alone (plan.ts refuses these three). */
type PartOptions<O> = Omit<O, "signal" | "timeout" | "onResponse">;

/**
 * The builder's method that added a request and what it was given beside its target or query:
 * the one record of that method, from which the plan (plan.ts) takes the options to refuse and a
 * 428's advice. A write's is what to build when the batch is sent or written (the builder's
 * arguments, checked for what they name). For the other methods, whose request is recorded as it
 * goes on the wire, `options` is kept for the plan to refuse a member the method does not take:
 * an operation's options, a raw request's request, and the second argument of `get()`, `page()`
 * and `count()`, which take none (a JavaScript caller may give some). An operation's `binding` tells
 * an action bound to a collection, which a 428 advises `If-Match: *` (plan.ts `withoutIfMatch`).
 */
export type PartCall = WriteCall | { method: "action" | "function"; name: string; options: object | undefined; binding: OperationBinding | undefined } | { method: "get" | "page" | "count" | "request"; options: unknown };

/** The call of a write, built when the batch is sent or written. */
export type WriteCall =
  | { method: "create"; state: QueryState; entity: unknown; options: PartOptions<CreateOptions> | undefined }
  | { method: "update" | "replace"; state: EntityState; entity: unknown; options: PartOptions<UpdateOptions> | undefined }
  | { method: "delete"; state: EntityState; options: PartOptions<DeleteOptions> | undefined };

/** How the answer of a request is read into its value (decoders.ts has the readers). */
export type DecodeSpec =
  /**
   * `read`: a read of one entity, which must get one (a write's answer may be empty), or with
   * `"or null"` (a single-valued navigation) gets `null` where none is related.
   */
  | { kind: "entity"; expand?: readonly ExpandItem[] | undefined; read?: boolean | "or null" }
  | { kind: "page"; expand?: readonly ExpandItem[] | undefined }
  | { kind: "count" }
  | { kind: "operation"; name: string }
  | { kind: "raw" }
  | { kind: "none" };

/** A request before it has its place in the batch: a write to build, or a request as it goes on the wire. */
export type RequestSpec = WriteSpec | SentSpec;

interface SpecBase {
  /** Content-IDs of earlier requests this one references. */
  dependsOn: string[];
  decode: DecodeSpec;
}

/** A write, built from its call when the batch is sent or written. */
export interface WriteSpec extends SpecBase {
  call: WriteCall;
  request?: undefined;
}

/** Any other request, recorded as it goes on the wire. */
export interface SentSpec extends SpecBase {
  call: Exclude<PartCall, WriteCall>;
  request: WireSpec;
}

/** One request of the batch as recorded. */
export type RecordedRequest = RequestSpec & {
  index: number;
  /** Content-ID (multipart) and id (JSON). */
  id: string;
  /** The changeset (atomicity group) the request belongs to, if any. */
  changeset: number | undefined;
};

/** A top-level item: one request, or the requests of one changeset. */
export type RecordedItem = { kind: "request"; request: RecordedRequest } | { kind: "changeset"; changeset: number; requests: RecordedRequest[] };

/** The requests of one batch as the builder recorded them, and what became of them. */
export class BatchRecord {
  readonly format: BatchFormat;
  readonly #items: RecordedItem[] = [];
  readonly #requests: RecordedRequest[] = [];
  #changesets = 0;
  /** Content-IDs given so far: one taken out with its changeset is not given again, so that a reference to it fails. */
  #ids = 0;
  #open: number | undefined;
  /** Set by the first send (or `toRequest`): the requests are fixed from then on. */
  #sealed = false;
  /** The results of the latest send (or continuation); `undefined` before, and after it failed. */
  latest: BatchResults | undefined;
  /**
   * Set by a send or reading that failed, its continuations' included (send.ts): the handles'
   * `BATCH_NOT_SENT` says what failed, with its error as the `cause`.
   */
  declare failed?: { what: string; cause: unknown } | undefined;
  /**
   * The send or reading whose results (or failure) are the batch's, set when it begins (send.ts):
   * one begun later takes its place, and the earlier one's continuations no longer touch the batch.
   */
  declare reading?: object | undefined;

  constructor(format: BatchFormat) {
    this.format = format;
  }

  /** Every request, in request order. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** The items in order, empty changesets included. */
  get items(): readonly RecordedItem[] {
    return this.#items;
  }

  /**
   * Adds a request, on its own or to the changeset `changeset` (which must be the one being
   * built). Throws `BATCH_SENT` once the batch was sent.
   */
  add(spec: RequestSpec, changeset: number | undefined): RecordedRequest {
    if (this.#sealed) throw new ODataClientError("BATCH_SENT", "this batch was sent already; requests cannot be added to it any more");
    if (changeset !== undefined && this.#open !== changeset) throw new TypeError("a changeset's requests can only be added inside its build function");
    const index = this.#requests.length;
    // The id is taken once the request is accepted: one refused uses up none, so that the same
    // requests built again elsewhere get the same ids (a resume token checks them).
    const request: RecordedRequest = { ...spec, index, id: String(this.#ids + 1), changeset };
    for (const reference of spec.dependsOn) {
      const referenced = this.#requests.find((earlier) => earlier.id === reference);
      if (referenced === undefined) throw new TypeError(`a request references $${reference}, which is not an earlier request of this batch`);
    }
    this.#ids++;
    this.#requests.push(request);
    if (changeset === undefined) this.#items.push({ kind: "request", request });
    else {
      const item = this.#items[this.#items.length - 1];
      if (item?.kind !== "changeset" || item.changeset !== changeset) throw new TypeError("a changeset's requests can only be added inside its build function");
      item.requests.push(request);
    }
    return request;
  }

  /**
   * Opens a changeset, runs `build` with its number, and closes it. When `build` throws, the
   * changeset and the requests it added are taken out again (its requests succeed or fail
   * together, so none of them is sent) and the error goes on to the caller.
   */
  changeset(build: (changeset: number) => void): void {
    if (this.#open !== undefined) throw new TypeError("changeset(build): changesets cannot be nested");
    const changeset = this.#changesets++;
    const items = this.#items.length;
    const requests = this.#requests.length;
    this.#items.push({ kind: "changeset", changeset, requests: [] });
    this.#open = changeset;
    try {
      build(changeset);
    } catch (error) {
      // Its Content-IDs are not given again: results.of() refuses its handles by theirs.
      this.#items.length = items;
      this.#requests.length = requests;
      this.#changesets = changeset;
      throw error;
    } finally {
      this.#open = undefined;
    }
  }

  /** Fixes the requests: no request can be added from now on. */
  seal(): void {
    if (this.#open !== undefined) throw new TypeError("a batch cannot be sent from inside a changeset's build function");
    this.#sealed = true;
  }

  /** Seals the batch for sending it, which needs at least one request; `call` names the method called. */
  sealForSending(call: string): void {
    this.seal();
    if (this.#requests.length === 0) throw new TypeError(`${call}: the batch holds no requests`);
  }
}
