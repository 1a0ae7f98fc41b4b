/**
 * The wire encoding of a `$batch`: the one `POST <serviceUrl>$batch` request that carries a plan's
 * requests, in the multipart form (payload/multipart.ts) or the JSON form of OData 4.01
 * (payload/json-batch.ts). A function of the plan; nothing here sends.
 */
import type { ODataVersion } from "../options.js";
import { isJsonContentType } from "../payload/content-type.js";
import { skipJsonSpace, skipJsonValue } from "../payload/json-text.js";
import { bytesOf, byteText } from "../payload/http-envelope.js";
import { charsetOf, decode } from "../payload/charset.js";
import { newBoundary, writeMultipartBatch, type BatchWireItem, type BatchWireRequest } from "../payload/multipart.js";
import { versionHeaders } from "../payload/version-headers.js";
import { base64UrlUnpadded } from "../util/base64.js";
import { urlBelowRoot } from "../util/service-root.js";
import { sapSessionOptions, type SapSessionOption } from "../util/query-options.js";
import type { BatchPlan } from "./plan.js";
import { isTextual } from "./json-answer.js";
import { requestName, type PlannedRequest } from "./results.js";

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
 * and `Accept` of the plan's format, `Prefer` where asked), and the body: text, or the bytes of a
 * multipart body that holds a request's bytes.
 */
export function batchRequest(plan: BatchPlan, options: BatchWireOptions): { url: URL; headers: Headers; body: string | Uint8Array } {
  const url = urlBelowRoot(options.serviceUrl, "$batch");
  // A SAP system logs the $batch request on, in the client and language its own URL names: the
  // one every part names (`param("sap-client", …)`) goes on it too, and so on its CSRF token's
  // fetch. Parts of different clients, or some naming none (the default client's), are left to
  // the service.
  // Of each name, a part's first option counts; values are compared percent-decoded and the first
  // part's goes on as it wrote it (a `+` is a plus: util/query-options.ts). The service root has no
  // query of its own.
  const parts = plan.requests.map((request) => sapSessionOptions(new URL(request.path, url)));
  const session: string[] = [];
  for (const option of parts[0] ?? []) {
    const named = (options: SapSessionOption[]) => options.find(({ name }) => name === option.name);
    if (option.value !== undefined && named(parts[0]!) === option && parts.every((options) => named(options)?.value === option.value)) session.push(option.text);
  }
  url.search = session.join("&");
  const headers = new Headers(versionHeaders(options.version, "write"));
  if (options.continueOnError) headers.set("prefer", "odata.continue-on-error");
  if (plan.format === "json") {
    headers.set("content-type", "application/json");
    headers.set("accept", "application/json");
    const groups = new Map(plan.requests.map((request) => [request.id, request.changeset]));
    return { url, headers, body: `{"requests":[${plan.requests.map((request) => jsonRequestText(request, groups)).join(",")}]}` };
  }
  const batchBoundary = options.boundaries?.batch ?? newBoundary("batch");
  const changesetBoundary = options.boundaries?.changeset ?? (() => newBoundary("changeset"));
  const binary = plan.requests.some((request) => isBytes(request.body));
  const part = (request: PlannedRequest) => wireRequest(request, binary);
  const items: BatchWireItem[] = plan.items.map((item) => (item.kind === "request" ? { kind: "request", request: part(item.request) } : { kind: "changeset", requests: item.requests.map(part) }));
  // The body first: it checks the boundaries, which then go into the Content-Type.
  const body = writeMultipartBatch(items, batchBoundary, changesetBoundary);
  headers.set("content-type", `multipart/mixed; boundary=${batchBoundary}`);
  headers.set("accept", "multipart/mixed");
  return { url, headers, body: binary ? bytesOf(body) : body };
}

function isBytes(body: string | Uint8Array | undefined): body is Uint8Array {
  return body instanceof Uint8Array;
}

/**
 * A request as a multipart part carries it, its Content-ID the request's id. In a batch that holds
 * bytes (`binary`), the part is written one byte a character (`byteText`): its text as the UTF-8
 * that fetch would have made of it, its bytes as they are, so that the body, turned into bytes
 * character by character, is the text's UTF-8 with the bytes untouched among it.
 */
function wireRequest(request: PlannedRequest, binary: boolean): BatchWireRequest {
  const body: string | Uint8Array | undefined = request.body;
  const text = binary ? (value: string) => byteText(new TextEncoder().encode(value)) : (value: string) => value;
  return {
    method: request.method,
    url: text(request.path),
    headers: Object.entries(request.headers).map(([name, value]) => [name, text(value)] as const),
    body: isBytes(body) ? byteText(body) : body === undefined ? undefined : text(body),
    contentId: request.id,
  };
}

/**
 * A request as a JSON batch carries it (its JSON text): a JSON body as a value, a changeset as an
 * atomicity group. A JSON body goes in as the text given, not parsed and written again: a number
 * beyond a double's precision or range (an Int64 key, a Decimal, `1e400`) would come out changed.
 * @param groups the changeset of each request, by id: its `dependsOn` names them.
 */
function jsonRequestText(request: PlannedRequest, groups: ReadonlyMap<string, number | undefined>): string {
  // The members in the order the format lists them, each written as JSON text.
  const members: string[] = [];
  const add = (name: string, text: string): void => void members.push(`${JSON.stringify(name)}:${text}`);
  add("id", JSON.stringify(request.id));
  add("method", JSON.stringify(request.method));
  add("url", JSON.stringify(request.path));
  if (Object.keys(request.headers).length > 0) add("headers", JSON.stringify(request.headers));
  const body: string | Uint8Array | undefined = request.body;
  if (body !== undefined) {
    const type = request.headers["content-type"];
    // §19.1: JSON goes as a value, text as a string, any other type as base64url (of text, its UTF-8).
    if (!isTextual(type)) add("body", JSON.stringify(base64UrlUnpadded(isBytes(body) ? body : new TextEncoder().encode(body))));
    else {
      const text = isBytes(body) ? textOfBytes(body, type) : body;
      add("body", isJsonContentType(type) ? oneJsonValue(text, request) : JSON.stringify(text));
    }
  }
  if (request.changeset !== undefined) add("atomicityGroup", JSON.stringify(`g${request.changeset + 1}`));
  // §19.1: a request that depends on one of another atomicity group lists that group too (SAP's
  // OData server library refuses the whole batch otherwise).
  const dependsOn = request.dependsOn.flatMap((id) => {
    const group = groups.get(id);
    return group === undefined || group === request.changeset ? [id] : [id, `g${group + 1}`];
  });
  if (dependsOn.length > 0) add("dependsOn", JSON.stringify([...new Set(dependsOn)]));
  return `{${members.join(",")}}`;
}

/**
 * The one JSON value that a JSON body's text is, without the space around it or a leading byte
 * order mark; `JSON.parse` only
 * checks it, since its numbers must stay as written.
 */
function oneJsonValue(given: string, request: PlannedRequest): string {
  // A byte order mark is no part of JSON text (RFC 8259 §8.1 lets a reader ignore it): it goes.
  const text = given.replace(/^\uFEFF/, "");
  try {
    JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${requestName(request)}: body: a JSON body must be JSON text (${(error as Error).message})`);
  }
  const start = skipJsonSpace(text, 0);
  return text.slice(start, skipJsonValue(text, start));
}

/**
 * The text that bytes given under a text or JSON type are, by its charset (UTF-8 without one): a
 * JSON batch carries them as a string or a JSON value, not as base64url (§19.1).
 */
function textOfBytes(bytes: Uint8Array, type: string | undefined): string {
  const charset = charsetOf(type);
  try {
    // As a multipart answer's part is read: iso-8859-1's 0x80-0x9F as windows-1252 in every runtime.
    return decode(bytes, charset, { fatal: true });
  } catch {
    throw new TypeError(`request(request): body: the bytes given as ${JSON.stringify(type)} cannot be read as ${charset} text, as which a JSON batch carries that type; send them in a multipart batch, or under a type that is not text`);
  }
}
