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
import { createRequest, deleteRequest, ifMatchFor, replaceRequest, updateRequest, type BatchPartKind } from "../write/requests.js";
import { refuseUnknownOptions, type OptionNames } from "../util/values.js";
import { requestHeaders } from "../http/request-headers.js";
import { isTrustedOrigin, withConfigured } from "../http/steps.js";
import type { ResolvedClientOptions } from "../options.js";
import type { CreateOptions, DeleteOptions, UpdateOptions } from "../write/options.js";
import { isSecretHeaderName } from "../util/redact.js";
import { decoderOf } from "./decoders.js";
import type { BatchFormat, BatchRecord, PartCall, RecordedRequest, WireSpec, WriteCall } from "./record.js";
import { requestName, type PlannedItem, type PlannedRequest } from "./results.js";

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

  /** Of the batch as built: see {@link planFingerprint}. */
  readonly #fingerprint: string;

  /**
   * Completes the requests of a sealed record (building its writes). For OData v2, each write
   * added to the batch itself goes in a changeset of its own (see {@link changesetsOfV2}).
   */
  constructor(record: BatchRecord, core: ClientCore) {
    this.format = record.format;
    const requests = record.requests.map((request) => completeRequest(request, core, record.format));
    const items = record.items
      .filter((item) => item.kind === "request" || item.requests.length > 0)
      .map((item): PlannedItem => (item.kind === "request" ? { kind: "request", request: requests[item.request.index]! } : { kind: "changeset", changeset: item.changeset, requests: item.requests.map((request) => requests[request.index]!) }));
    // Taken before the v2 wrapping: a token saved before this wrapping existed names the batch as
    // its caller built it, and an answer to either body reads the same (a one-request changeset's
    // single response is that request's answer, results.ts matchMultipart).
    this.#fingerprint = planFingerprint(this.format, items);
    const v2 = core.options.version === "2.0" && this.format === "multipart";
    this.items = v2 ? changesetsOfV2(items, requests, record.items.length) : items;
    this.requests = requests;
    if (v2) checkV2References(requests);
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
    const shape = { kind: "batch" as const, format: this.format, requests: this.requests.length, fingerprint: this.#fingerprint };
    return from === 0 ? shape : { ...shape, from };
  }
}

/**
 * OData v2 allows only retrieve requests (`GET`) outside a changeset (MS-ODATA 2.2.7.6; SAP
 * Gateway, and Apache Olingo v2, which refuses the whole batch with 400 otherwise), where OData 4.0
 * takes any request there. So each other top-level request goes in a changeset of its own, in its
 * place: its failure stays its own, as a top-level request's is in v4, and the items keep their
 * number, which a resume token's `from` counts. The changesets get numbers after the caller's
 * (`firstFree`), and their requests the number too.
 * `requests` is updated in place.
 */
function changesetsOfV2(items: readonly PlannedItem[], requests: PlannedRequest[], firstFree: number): PlannedItem[] {
  let next = firstFree;
  return items.map((item) => {
    if (item.kind !== "request" || item.request.method === "GET") return item;
    const changeset = next++;
    const request: PlannedRequest = { ...item.request, changeset };
    requests[request.index] = request;
    return { kind: "changeset", changeset, requests: [request] };
  });
}

/**
 * Refuses a `$<Content-ID>` reference that crosses changesets: OData v2 resolves one only within
 * the changeset of the request it names ("Requests in different change sets cannot reference one
 * another", MS-ODATA 2.2.7.6.1.1; SAP Gateway and Olingo v2 keep Content-IDs per changeset), so
 * the service would fail it, or the whole batch. A write added to the batch itself is in a
 * changeset of its own (see {@link changesetsOfV2}) and can be referenced by nothing else.
 */
function checkV2References(requests: readonly PlannedRequest[]): void {
  for (const request of requests) {
    for (const id of request.dependsOn) {
      const named = requests.find((other) => other.id === id);
      if (named === undefined || (request.changeset !== undefined && named.changeset === request.changeset)) continue;
      throw new TypeError(
        `${requestName(request)} references $${id}, ${requestName(named)}, which is not in the same changeset: ` +
          "an OData v2 service resolves $<Content-ID> only within one changeset, and a write added to the batch itself goes in a changeset of its own; add both writes to one batch.changeset()",
      );
    }
  }
}

/** A recorded request as it goes on the wire, its decoder resolved. */
function completeRequest(request: RecordedRequest, core: ClientCore, format: BatchFormat): PlannedRequest {
  // A write is built now (its checks throw here); the headers of any other request are checked now
  // too, since a line break in one would add headers or requests to a multipart body.
  const { call } = request;
  refuseSendingOptions(call);
  refusePartOptions(call);
  if (request.request !== undefined) checkOperationEtag(request.request, call);
  const wire = request.request === undefined ? buildWrite(request.call, core) : { ...request.request, headers: requestHeaders(request.request.headers, "request(request)") };
  // A raw request's bytes are bytes to the service, where the caller named no type for them (a
  // JSON value got application/json in batch.ts). So is its text in a JSON batch, which must name
  // the type of every body, as it says how the body is written there (JSON Format 4.01 §19.1); a
  // multipart part carries text as it is, untyped, as a service that reads it (as JSON, or by its
  // own rule) was given it before.
  if (typeof wire.body === "object" || (wire.body !== undefined && format === "json")) wire.headers["content-type"] ??= "application/octet-stream";
  const url = urlBelowRoot(core.options.serviceUrl, wire.path);
  return {
    index: request.index,
    id: request.id,
    method: wire.method,
    path: wire.path,
    url,
    headers: withConfiguredHeaders(wire.headers, url, core.options),
    body: typeof wire.body === "object" ? viewOf(wire.body) : wire.body,
    changeset: request.changeset,
    dependsOn: request.dependsOn,
    decode: decoderOf(request.decode, core),
    ...withoutIfMatch(call),
  };
}

/**
 * The builder's method of a part that has no `etag` and `ifMatch` options, for the advice of a 428
 * (write/requests.ts `ifMatchAdvice`), named as the part's other errors name it ({@link callName}:
 * `create(entity)`, `action("Shelve")`): a create, whose options have neither; an action, whose
 * `etag` is all it has; a function, a GET with no option for a condition; a raw request, whose
 * headers are the caller's own. These three also keep their kind (`partKind`, the call's method),
 * by which their 412 and 428 are explained. An update, replace or delete takes both, as the same
 * write sent alone does; a read is told nothing (a service asks none of it).
 */
function withoutIfMatch(call: PartCall): { withoutIfMatch?: string; partKind?: BatchPartKind; collectionBound?: true } {
  const { method } = call;
  // An action bound to a collection, which has no ETag of its own, is advised `If-Match: *`.
  if (method === "action" && call.binding !== undefined && call.binding.keyPredicate === undefined) return { withoutIfMatch: callName(call), partKind: method, collectionBound: true };
  if (method === "action" || method === "function" || method === "request") return { withoutIfMatch: callName(call), partKind: method };
  return method === "create" ? { withoutIfMatch: callName(call) } : {};
}

/**
 * A part's own headers (names in lower case) with the client's configured `headers` it would get
 * sent alone, by the rules of the headers step (http/steps.ts): for a trusted origin only, a
 * header the part sets itself winning, a configured `Prefer` joining the part's own. Services
 * read a part's headers, not the envelope's: Microsoft Graph answers a `$count` or `$search` part
 * without `ConsistencyLevel: eventual` with 400. Headers named like a credential
 * (`isSecretHeaderName`: `Authorization`, `Cookie`, `x-api-key` ...) stay on the envelope, where
 * the origin rule guards them: a part is body, which goes wherever the envelope is sent.
 */
function withConfiguredHeaders(own: Record<string, string>, url: URL, options: ResolvedClientOptions): Record<string, string> {
  if (!isTrustedOrigin(options.trustedOrigins, url)) return own;
  for (const [given, value] of options.headers) {
    const name = given.toLowerCase();
    if (isSecretHeaderName(name)) continue;
    // Own members only: a write's headers are a plain object, where "constructor" is inherited.
    own[name] = withConfigured(name, value, Object.hasOwn(own, name) ? own[name]! : null);
  }
  return own;
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
function checkOperationEtag(request: WireSpec, call: PartCall): void {
  const etag = request.headers["if-match"];
  if ((call.method !== "action" && call.method !== "function") || etag === undefined) return;
  ifMatchFor({ etag }, undefined, callName(call));
}

/** A write the builder recorded, built as the same write sent alone is: its checks throw here. */
function buildWrite(call: WriteCall, core: ClientCore): WireSpec {
  switch (call.method) {
    case "create":
      return createRequest(core.options, call.state, call.entity, call.options);
    case "update":
      return updateRequest(core.options, call.state, call.entity, call.options);
    case "replace":
      return replaceRequest(core.options, call.state, call.entity, call.options);
    case "delete":
      return deleteRequest(core.options, call.state, call.options);
  }
}

/**
 * Refuses the `timeout`, `signal` and `onResponse` of a part's options (left out of the types, but
 * a JavaScript caller may give them): a part is never sent alone, so it would ignore them where its
 * caller counts on them. The batch's own request takes them. So for every method: a write's and an
 * operation's options, a raw request's request, and what `get()`, `page()` or `count()` was given
 * beside its query (which they take no options of their own for). And a write's `tunnel: true`
 * (its type takes `false` alone), which no part can use.
 */
function refuseSendingOptions(call: PartCall): void {
  const options = call.options as Record<string, unknown> | undefined;
  for (const name of ["timeout", "signal", "onResponse"] as const) {
    if (options?.[name] === undefined) continue;
    throw new TypeError(`${callName(call)}: option "${name}" is not taken by a request in a $batch, which is never sent alone: give it to batch.send() or batch.sendAsync()`);
  }
  // A tunnel gets a write past a proxy that refuses its method; a part's method is written inside
  // the batch's POST, where no proxy reads it, so the tunnel would only reach the service, which
  // may refuse it (SAP CAP does in v4). `false` asks for what a part does anyway.
  if (options?.["tunnel"] === true) {
    throw new TypeError(`${callName(call)}: option "tunnel" is not taken by a request in a $batch, whose method no proxy sees inside the batch's POST: add it without { tunnel: true }`);
  }
}

/**
 * How the errors of a part name its builder's method, one way for each: a write as the same write
 * sent alone, whose checks its build runs (`create(entity)`, `update(patch)`, `delete()`); an
 * operation by its name, as its request's checks do (`action("Shelve")`); a read by its query and
 * a raw request by its request, as the builder's checks do (`get(query)`, `request(request)`).
 */
function callName(call: PartCall): string {
  switch (call.method) {
    case "action":
    case "function":
      return `${call.method}(${JSON.stringify(call.name)})`;
    case "create":
    case "replace":
      return `${call.method}(entity)`;
    case "update":
      return "update(patch)";
    case "delete":
      return "delete()";
    case "request":
      return "request(request)";
    default:
      return `${call.method}(query)`;
  }
}

// The options each builder's method takes, by name (those of a `request()` its request's members):
// any other is refused when the batch is planned, as a write sent alone refuses it. A part's
// `timeout`, `signal` and `onResponse` are refused before, in words of their own
// (refuseSendingOptions). Kept here, not with the builder, so that they load with the first send
// rather than at start; the compiler holds the writes' to their types here, and the names of the
// options declared with the builder (BatchOperationOptions, BatchRawRequest) to those types in
// test/batch-media-unknown-options.test.ts, as a type import of them would close a cycle.
type PartOptions<O> = OptionNames<Omit<O, "signal" | "timeout" | "onResponse">>;
const UPDATE = { headers: 1, tunnel: 1, etag: 1, ifMatch: 1, deep: 1, prefer: 1 } satisfies PartOptions<UpdateOptions>;
const PART_OPTIONS = {
  create: { headers: 1, tunnel: 1, deep: 1, prefer: 1 } satisfies PartOptions<CreateOptions>,
  update: UPDATE,
  replace: UPDATE,
  delete: { headers: 1, tunnel: 1, etag: 1, ifMatch: 1 } satisfies PartOptions<DeleteOptions>,
  action: { bound: 1, namespace: 1, etag: 1, method: 1 },
  function: { bound: 1, namespace: 1, method: 1 },
  request: { method: 1, url: 1, headers: 1, body: 1 },
  // They take a query and no options.
  get: {},
  page: {},
  count: {},
} as const;

/** The builder's methods and the names of the options each takes, as the plan refuses others. */
export type PartOptionNames = typeof PART_OPTIONS;

/**
 * Refuses a member of the options a part's builder method was given that the method does not
 * take (write/requests.ts `refuseUnknownOptions`), naming the method as its other errors do
 * ({@link callName}): a write's and an operation's options, a raw request's request and what a
 * read was given beside its query (record.ts `PartCall`).
 */
function refusePartOptions(call: PartCall): void {
  refuseUnknownOptions(call.options, PART_OPTIONS[call.method], callName(call));
}

/**
 * A short hash (FNV-1a, 32 bits, hex) of what decides how a batch answer is read: the format, and
 * each item's requests (Content-ID, method, URL) in order, changesets marked: the caller's, not
 * the ones an OData v2 batch puts its top-level writes in, which follow from the version and the
 * methods and which an answer reads the same with or without. It tells a batch from another in a
 * resume token without carrying the requests' URLs.
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
