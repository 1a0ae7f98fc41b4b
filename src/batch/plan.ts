/**
 * The plan of a `$batch`: the builder's record (record.ts) with every request complete, as it goes
 * on the wire and with the decoder that reads its answer. Made when the batch is first sent,
 * written or read (send.ts), where the writes the builder recorded are built by the writing layer
 * (whose checks then throw). The wire encoding (`wire.ts`) writes the plan, and sending (`send.ts`)
 * reads the answer into results by it.
 */
import type { ClientCore } from "../core.js";
import type { AsyncResultShape } from "../lro/token.js";
import { urlBelowRoot } from "../util/service-root.js";
import { createRequest, deleteRequest, ifMatchFor, replaceRequest, updateRequest } from "../write/requests.js";
import { requestHeaders } from "../http/request-headers.js";
import { decoderOf } from "./decoders.js";
import type { BatchFormat, BatchRecord, DecodeSpec, RecordedRequest, WireSpec, WriteRecipe } from "./record.js";
import type { PlannedItem, PlannedRequest } from "./results.js";

export type { BatchFormat } from "./record.js";

/** What a poller of a batch reads its result as (its token's `resultShape`). */
export type BatchShape = Extract<AsyncResultShape, { kind: "batch" }>;

/** The requests of one batch, complete, in order and grouped into changesets. */
export class BatchPlan {
  readonly format: BatchFormat;
  /** Every request, in request order. */
  readonly requests: readonly PlannedRequest[];
  /** The items that go on the wire, in order (changesets without requests are left out). */
  readonly items: readonly PlannedItem[];

  /** Completes the requests of a sealed record (building its writes). */
  constructor(record: BatchRecord, core: ClientCore) {
    this.format = record.format;
    const requests = record.requests.map((request) => completeRequest(request, core));
    this.requests = requests;
    this.items = record.items
      .filter((item) => item.kind === "request" || item.requests.length > 0)
      .map((item): PlannedItem => (item.kind === "request" ? { kind: "request", request: requests[item.request.index]! } : { kind: "changeset", changeset: item.changeset, requests: item.requests.map((request) => requests[request.index]!) }));
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
    const shape = { kind: "batch" as const, format: this.format, requests: this.requests.length, fingerprint: planFingerprint(this.format, this.items) };
    return from === 0 ? shape : { ...shape, from };
  }
}

/** A recorded request as it goes on the wire, its decoder resolved. */
function completeRequest(request: RecordedRequest, core: ClientCore): PlannedRequest {
  // A write is built now (its checks throw here); the headers of any other request are checked now
  // too, since a line break in one would add headers or requests to a multipart body.
  if (!("write" in request.request)) checkOperationEtag(request.request, request.decode);
  const wire = "write" in request.request ? buildWrite(request.request.write, core) : { ...request.request, headers: requestHeaders(request.request.headers, "request(request)") };
  // A raw request's bytes are bytes to the service too, where the caller named no type for them.
  if (typeof wire.body === "object") wire.headers["content-type"] ??= "application/octet-stream";
  return {
    index: request.index,
    id: request.id,
    method: wire.method,
    path: wire.path,
    url: urlBelowRoot(core.options.serviceUrl, wire.path),
    headers: wire.headers,
    body: typeof wire.body === "object" ? viewOf(wire.body) : wire.body,
    changeset: request.changeset,
    dependsOn: request.dependsOn,
    decode: decoderOf(request.decode, core),
  };
}

/** A raw request's bytes (a typed array or an `ArrayBuffer`) as a view, read as they are when written. */
function viewOf(body: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (body instanceof Uint8Array) return body;
  return ArrayBuffer.isView(body) ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array(body);
}

/**
 * Refuses an operation's `etag` option (its `If-Match`, checked for line breaks only when the
 * operation was added) as the operation sent alone refuses it: NUL and characters beyond U+00FF
 * too, naming the option rather than the header.
 */
function checkOperationEtag(request: WireSpec, decode: DecodeSpec): void {
  const etag = request.headers["if-match"];
  if (decode.kind !== "operation" || etag === undefined) return;
  ifMatchFor({ etag }, undefined, `${request.method === "GET" ? "function" : "action"}(${JSON.stringify(decode.name)})`);
}

/** A write the builder recorded, built as the same write sent alone is (its checks throw here). */
function buildWrite(recipe: WriteRecipe, core: ClientCore): WireSpec {
  switch (recipe.verb) {
    case "create":
      return createRequest(core.options, recipe.state, recipe.entity, recipe.options);
    case "update":
      return updateRequest(core.options, recipe.state, recipe.entity, recipe.options);
    case "replace":
      return replaceRequest(core.options, recipe.state, recipe.entity, recipe.options);
    case "delete":
      return deleteRequest(core.options, recipe.state, recipe.options);
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
