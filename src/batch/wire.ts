/**
 * The wire encoding of a `$batch`: the one `POST <serviceUrl>$batch` request that carries a plan's
 * requests, in the multipart form (payload/multipart.ts) or the JSON form of OData 4.01
 * (payload/json-batch.ts). A function of the plan; nothing here sends.
 */
import type { ODataVersion } from "../options.js";
import { isJsonContentType } from "../payload/content-type.js";
import { writeJsonBatch, type JsonBatchRequest } from "../payload/json-batch.js";
import { newBoundary, writeMultipartBatch, type BatchWireItem, type BatchWireRequest } from "../payload/multipart.js";
import { versionHeaders } from "../payload/version-headers.js";
import { urlBelowRoot } from "../util/service-root.js";
import type { BatchPlan } from "./plan.js";
import { isTextual, toBase64Url } from "./json-answer.js";
import type { PlannedRequest } from "./results.js";

/** The boundaries of a multipart body: the batch's, and the n-th changeset's (0-based). */
export interface BatchBoundaries {
  batch: string;
  changeset: (n: number) => string;
}

/** How a plan goes on the wire. */
export interface BatchWireOptions {
  serviceUrl: URL;
  version: ODataVersion;
  /** Fixed boundaries (for tests that compare bodies); random ones otherwise. */
  boundaries?: BatchBoundaries | undefined;
  /** Sends `Prefer: odata.continue-on-error`. */
  continueOnError: boolean;
}

/**
 * The `$batch` request of a plan: its URL, the headers of a write (version headers, `Content-Type`
 * and `Accept` of the plan's format, `Prefer` where asked), and the body.
 */
export function batchRequest(plan: BatchPlan, options: BatchWireOptions): { url: URL; headers: Headers; body: string } {
  const url = urlBelowRoot(options.serviceUrl, "$batch");
  const headers = new Headers(versionHeaders(options.version, "write"));
  if (options.continueOnError) headers.set("prefer", "odata.continue-on-error");
  if (plan.format === "json") {
    headers.set("content-type", "application/json");
    headers.set("accept", "application/json");
    return { url, headers, body: writeJsonBatch(plan.requests.map(jsonRequest)) };
  }
  const batchBoundary = options.boundaries?.batch ?? newBoundary("batch");
  const changesetBoundary = options.boundaries?.changeset ?? (() => newBoundary("changeset"));
  const items: BatchWireItem[] = plan.items.map((item) =>
    item.kind === "request" ? { kind: "request", request: wireRequest(item.request) } : { kind: "changeset", requests: item.requests.map(wireRequest) },
  );
  // The body first: it checks the boundaries, which then go into the Content-Type.
  const body = writeMultipartBatch(items, batchBoundary, changesetBoundary);
  headers.set("content-type", `multipart/mixed; boundary=${batchBoundary}`);
  headers.set("accept", "multipart/mixed");
  return { url, headers, body };
}

/** A request as a multipart part carries it, its Content-ID the request's id. */
function wireRequest(request: PlannedRequest): BatchWireRequest {
  return { method: request.method, url: request.path, headers: Object.entries(request.headers), body: request.body, contentId: request.id };
}

/** A request as a JSON batch carries it: a JSON body as a value, a changeset as an atomicity group. */
function jsonRequest(request: PlannedRequest): JsonBatchRequest {
  const out: JsonBatchRequest = { id: request.id, method: request.method, url: request.path };
  if (Object.keys(request.headers).length > 0) out.headers = request.headers;
  if (request.body !== undefined) {
    const type = request.headers["content-type"];
    // §19.1: JSON goes as a value, text as a string, any other type as base64url (of the text's UTF-8).
    out.body = isJsonContentType(type) ? (JSON.parse(request.body) as unknown) : isTextual(type) ? request.body : toBase64Url(new TextEncoder().encode(request.body));
  }
  if (request.changeset !== undefined) out.atomicityGroup = `g${request.changeset + 1}`;
  if (request.dependsOn.length > 0) out.dependsOn = request.dependsOn;
  return out;
}
