/**
 * The plan of a `$batch`: its requests in order, grouped into changesets, each with the decoder
 * that reads its answer; the state of the batch (open changeset, sealed once sent) and the latest
 * results. The builder (`batch.ts`) fills it, the wire encoding (`wire.ts`) writes it, and sending
 * (`send.ts`) reads the answer into results by it.
 */
import { ODataClientError } from "../errors.js";
import type { AsyncResultShape } from "../lro/token.js";
import { urlBelowRoot } from "../util/service-root.js";
import type { BatchDecoder, BatchResults, PlannedItem, PlannedRequest } from "./results.js";

/** The wire form of a batch: `multipart/mixed` (every OData version) or JSON (OData 4.01). */
export type BatchFormat = "multipart" | "json";

/** A request before it has its place in the batch. */
export interface RequestSpec {
  method: string;
  /** Relative to the service root, or starting with a `$<Content-ID>` reference. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  /** Content-IDs of earlier requests this one references. */
  dependsOn: string[];
  decode: BatchDecoder;
}

/** What a poller of a batch reads its result as (its token's `resultShape`). */
export type BatchShape = Extract<AsyncResultShape, { kind: "batch" }>;

/** The requests of one batch as planned, and what became of them. */
export class BatchPlan {
  readonly format: BatchFormat;
  readonly #serviceUrl: URL;
  readonly #items: PlannedItem[] = [];
  readonly #requests: PlannedRequest[] = [];
  #changesets = 0;
  #open: number | undefined;
  /** Set by the first send (or `toRequest`): the requests are fixed from then on. */
  #sealed = false;
  /** The results of the latest send (or continuation); `undefined` before. */
  latest: BatchResults | undefined;

  constructor(serviceUrl: URL, format: BatchFormat) {
    this.#serviceUrl = serviceUrl;
    this.format = format;
  }

  /** Every request, in request order. */
  get requests(): readonly PlannedRequest[] {
    return this.#requests;
  }

  /** The items that go on the wire, in order (changesets without requests are left out). */
  get items(): PlannedItem[] {
    return this.#items.filter((item) => item.kind === "request" || item.requests.length > 0);
  }

  /**
   * Adds a request, on its own or to the changeset `changeset` (which must be the one being
   * built). Throws `BATCH_SENT` once the batch was sent.
   */
  add(spec: RequestSpec, changeset: number | undefined): PlannedRequest {
    if (this.#sealed) throw new ODataClientError("BATCH_SENT", "this batch was sent already; requests cannot be added to it any more");
    if (changeset !== undefined && this.#open !== changeset) throw new TypeError("a changeset's requests can only be added inside its build function");
    if (spec.body instanceof Uint8Array) throw new TypeError("binary bodies cannot be sent in a batch by this client");
    const index = this.#requests.length;
    const request: PlannedRequest = {
      index,
      id: String(index + 1),
      method: spec.method,
      path: spec.path,
      url: urlBelowRoot(this.#serviceUrl, spec.path),
      headers: spec.headers,
      body: spec.body,
      changeset,
      dependsOn: spec.dependsOn,
      decode: spec.decode,
    };
    for (const reference of spec.dependsOn) {
      const referenced = this.#requests.find((earlier) => earlier.id === reference);
      if (referenced === undefined) throw new TypeError(`a request references $${reference}, which is not an earlier request of this batch`);
    }
    this.#requests.push(request);
    if (changeset === undefined) this.#items.push({ kind: "request", request });
    else {
      const item = this.#items[this.#items.length - 1];
      if (item?.kind !== "changeset" || item.changeset !== changeset) throw new TypeError("a changeset's requests can only be added inside its build function");
      item.requests.push(request);
    }
    return request;
  }

  /** Opens a changeset, runs `build` with its number, and closes it (also when `build` throws). */
  changeset(build: (changeset: number) => void): void {
    if (this.#open !== undefined) throw new TypeError("changeset(build): changesets cannot be nested");
    const changeset = this.#changesets++;
    this.#items.push({ kind: "changeset", changeset, requests: [] });
    this.#open = changeset;
    try {
      build(changeset);
    } finally {
      this.#open = undefined;
    }
  }

  /** Fixes the requests: no request can be added from now on. */
  seal(): void {
    if (this.#open !== undefined) throw new TypeError("a batch cannot be sent from inside a changeset's build function");
    this.#sealed = true;
  }

  /** Seals the plan for sending it, which needs at least one request. */
  sealForSending(): void {
    this.seal();
    if (this.#requests.length === 0) throw new TypeError("send(): the batch holds no requests");
  }

  /** The requests of the items from item `from` on. */
  pendingRequests(from: number): PlannedRequest[] {
    return this.items.slice(from).flatMap((item) => (item.kind === "request" ? [item.request] : item.requests));
  }

  /**
   * What a poller of this batch reads its result as, for its token: the format, the number of
   * requests and a fingerprint of the plan (no URL or body: a token is plain JSON without secrets),
   * and the item from which the answer is still to come.
   */
  shape(from: number): BatchShape {
    const shape = { kind: "batch" as const, format: this.format, requests: this.#requests.length, fingerprint: planFingerprint(this.format, this.items) };
    return from === 0 ? shape : { ...shape, from };
  }
}

/**
 * A short hash (FNV-1a, 32 bits, hex) of what decides how a batch answer is read: the format, and
 * each item's requests (Content-ID, method, URL) in order, changesets marked. It tells a batch from
 * another in a resume token without carrying the requests' URLs.
 */
function planFingerprint(format: BatchFormat, plan: readonly PlannedItem[]): string {
  const line = (request: PlannedRequest) => `${request.id} ${request.method} ${request.path}`;
  const text = [format, ...plan.map((item) => (item.kind === "request" ? line(item.request) : `changeset(${item.requests.map(line).join("\n")})`))].join("\n");
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
