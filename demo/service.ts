/**
 * The demo OData v4 service that ships with traverse-odata: a small export service on node:http
 * (127.0.0.1, a free port) for the demo, the benchmarks and the tests.
 *
 * - `ExportJobs`: `POST` with `Prefer: respond-async` starts an export of products and answers
 *   `202 Accepted` with the `Location` of a status monitor and a `Retry-After`. The monitor reports
 *   `{ status, percentComplete }` while the job runs and then the created export, in the OData 4.01
 *   form (200 + `AsyncResult: 201`) or the 4.0 form (200 + `application/http`), chosen per job by
 *   the request's `resultForm`. `DELETE` on the monitor cancels the job; the monitor is gone (404)
 *   afterwards. A job that has finished is not cancelled: `DELETE` answers `409 Conflict`, and the
 *   monitor still gives the outcome. An unsupported format fails the job with a final 400 and an
 *   OData error. `GET ExportJobs` lists the finished exports, with `$top`, `$skip`, `$count=true`
 *   and `$select`.
 * - `Products`: a collection of generated products (never held in memory) with server-driven
 *   paging (`@odata.nextLink` with `$skiptoken`), `$filter` and `$orderby` (the subset of
 *   demo/filter.ts), `$top`, `$skip`, `$count=true`, `$select` and `Prefer: odata.maxpagesize`;
 *   `Products/$count` (with `$filter`) and `Products(<ID>)`.
 * - `ProductsUnpaged`: the same products in one response, streamed with backpressure.
 * - The query is read with percent-decoding only (RFC 3986), here and inside `$batch`: a `+` is a
 *   plus sign, as OData's URL syntax has it (`2024-01-01T00:00:00+01:00`), not a space as in HTML
 *   forms; a malformed percent-escape is refused (400).
 * - A read of `ExportJobs`, `Products`, `ProductsUnpaged` or `Orders` refuses a system query option
 *   it does not apply (501) and one OData does not define, such as `$foo` (400, also on `/$count`),
 *   each with an OData error naming it: none is ignored. Their names are read in any case (`$Top`),
 *   and without the `$` too in a request of OData 4.01 (OData-Version, or OData-MaxVersion, 4.01).
 * - `Orders`: a writable entity set held in memory (demo/orders.ts), three orders to start with.
 *   `POST`, `GET`, `PATCH`, `PUT` (to a new key: an upsert) and `DELETE`; every order has an ETag
 *   (`@odata.etag` and the `ETag` header), and changes need `If-Match` (none: 428, stale: 412).
 *   `Prefer: odata.track-changes` puts an `@odata.deltaLink` on the last page; the delta link
 *   answers the orders changed and removed since. Paged by the server (`Prefer: odata.maxpagesize`),
 *   with `$filter` and `$orderby` (ties by ID). A filtered read tracks no changes: it gets no delta
 *   link and `Preference-Applied` leaves `odata.track-changes` out (OData 4.01 Part 1 §11.3 lets a
 *   service decline; `$metadata` names no `FilterableProperties` for change tracking), and a delta
 *   request with `$filter` or `$orderby` is refused 501; one with `$top`, `$skip` or `$count` 400,
 *   as a client must not add system query options to a delta link (§11.3). `Orders/$count` with
 *   a delta link's `$deltatoken` counts its changes (changed and removed orders).
 * - Operations: `Orders(<ID>)/Demo.ship` (action, with If-Match), `Orders(<ID>)/Demo.discountedAmount(percent=...)`
 *   (function), and the imports `totalValue(status='...')` (function), `cancelOpenOrders` (action) and
 *   `exportProducts` (action: an export job as an operation, long-running with `Prefer: respond-async`).
 * - `$batch`: multipart batches of requests on orders and products, changesets all or nothing with
 *   `$<Content-ID>` references (demo/batch.ts).
 * - CSRF (demo/csrf.ts): `GET` with `X-CSRF-Token: Fetch` gives a token and a session cookie;
 *   modifying requests on orders, their operations and `$batch` without both answer 403 with
 *   `X-CSRF-Token: Required`. (Export jobs stay unprotected, as they always were.)
 * - `$metadata`: the CSDL of all of this, with `Core.OptimisticConcurrency` and
 *   `Capabilities.ChangeTracking` on `Orders`, and the restrictions of what the sets refuse (501):
 *   `$search` on none (`SearchRestrictions`), `$filter` and `$orderby` not on `ExportJobs`.
 *
 * @example
 * const service = await startDemoService({ productCount: 10_000, jobDuration: 1_000 });
 * const client = new ODataClient({ serviceUrl: service.serviceUrl });
 * // ...
 * await service.close();
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerBatch } from "./batch.js";
import { CsrfSessions } from "./csrf.js";
import { ExportJob, exportFileChunks, exportWriter, type ExportJobRequest } from "./exports.js";
import { answerOrderRequest, error as orderError, isOrderPath, type OrderContext, type PlainRequest, type PlainResponse } from "./order-requests.js";
import { OrderStore } from "./orders.js";
import { ProductQueries } from "./product-query.js";
import { PRODUCT_PROPERTIES, productJson, productJsonSelected, type Product } from "./products.js";
import { entityReadOptions, normaliseKey, percentDecoded, queryOptions, readsBareOptionNames, systemOptionName, systemOptionNames, unappliedOptionRefusal, unknownOptionRefusal, type QueryRefusal } from "./query-options.js";

/** Options of {@link startDemoService}. */
export interface DemoServiceOptions {
  /** The TCP port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /** How many products `Products` holds (IDs 1..productCount). @default 1_000_000 */
  productCount?: number;
  /** The server's page size for `Products` when the client sends no `odata.maxpagesize`. @default 1_000 */
  pageSize?: number;
  /** How long an export job runs, in ms (a tenth queued, the rest writing rows). @default 3_000 */
  jobDuration?: number;
  /** Seconds in the `Retry-After` of the 202 that starts a job; 0 sends none. @default 1 */
  retryAfter?: number;
  /** How many products an export writes when the request names no `maxRows`. @default 10_000 */
  exportRows?: number;
  /** The server's page size for `Orders` when the client sends no `odata.maxpagesize`. @default 100 */
  orderPageSize?: number;
  /**
   * Whether the products answer `$orderby`; `false` answers it 501, as a service that cannot sort
   * does (SAP Gateway services often), for which partition plans fall back to `$skip` windows.
   * @default true
   */
  orderBy?: boolean;
  /** Called once per answered request (for a request log). */
  onRequest?: (method: string, url: string, status: number) => void;
}

/** A running demo service. */
export interface DemoService {
  /** The service root, ending in `/`, such as `http://127.0.0.1:40123/odata/v4/demo/`. */
  readonly serviceUrl: string;
  /** Requests answered so far, for benchmarks and the demo (monitor polls, CSRF token fetches and refusals, batches counted apart). */
  stats(): DemoServiceStats;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/** What {@link DemoService.stats} counts. */
export interface DemoServiceStats {
  requests: number;
  monitorPolls: number;
  /** `GET` requests with `X-CSRF-Token: Fetch` answered with a token. */
  csrfTokenFetches: number;
  /** Modifying requests refused with 403 and `X-CSRF-Token: Required`. */
  csrfRefusals: number;
  /** `$batch` requests answered. */
  batches: number;
}

/** The orders the service starts with (products wrap around in a small catalogue). */
const SEED_ORDERS = [
  { customer: "Ada", productID: 7, quantity: 2 },
  { customer: "Grace", productID: 42, quantity: 1 },
  { customer: "Ada", productID: 3, quantity: 5 },
] as const;

/** The request body of `POST ExportJobs`. */
export interface ExportJobCreate {
  /** `"csv"` or `"json"`; other formats are accepted and then fail the job with a final 400. */
  format: string;
  /** How many products to export (the first ones by ID). Defaults to the service's `exportRows`. */
  maxRows?: number;
  /** How the monitor delivers the final answer. @default "4.01" */
  resultForm?: "4.01" | "4.0";
}

const SERVICE_PATH = "/odata/v4/demo/";
const MAX_PAGE_SIZE = 100_000;
const ROWS_PER_CHUNK = 1_000;
/** The system query options the product collections apply; any other is refused, never ignored. */
const PRODUCTS_OPTIONS: ReadonlySet<string> = new Set(["$filter", "$orderby", "$top", "$skip", "$count", "$select", "$skiptoken"]);
/** Those of a service started with `orderBy: false`. */
const UNSORTED_PRODUCTS_OPTIONS: ReadonlySet<string> = new Set([...PRODUCTS_OPTIONS].filter((name) => name !== "$orderby"));
/** The system query options `ExportJobs` applies: it is not paged, so no `$skiptoken` of its own. */
const EXPORTS_OPTIONS: ReadonlySet<string> = new Set(["$top", "$skip", "$count", "$select"]);
/** The properties of an export, in the order of `$metadata`. */
const EXPORT_PROPERTIES = ["ID", "format", "rowCount", "size", "url", "checksum", "createdAt", "finishedAt"] as const;

/** Starts the demo service; resolves once it listens. */
export async function startDemoService(options: DemoServiceOptions = {}): Promise<DemoService> {
  const config = {
    productCount: nonNegativeInteger(options.productCount, 1_000_000, "productCount"),
    pageSize: positiveInteger(options.pageSize, 1_000, "pageSize"),
    jobDuration: nonNegativeInteger(options.jobDuration, 3_000, "jobDuration"),
    retryAfter: nonNegativeInteger(options.retryAfter, 1, "retryAfter"),
    exportRows: nonNegativeInteger(options.exportRows, 10_000, "exportRows"),
    orderPageSize: positiveInteger(options.orderPageSize, 100, "orderPageSize"),
    orderBy: options.orderBy ?? true,
    onRequest: options.onRequest,
  };
  const counters = { requests: 0, monitorPolls: 0, batches: 0 };
  const csrf = new CsrfSessions();
  const orders = new OrderStore(
    config.productCount,
    config.productCount === 0 ? [] : SEED_ORDERS.map((order) => ({ ...order, productID: ((order.productID - 1) % config.productCount) + 1 })),
  );
  const orderContext = (): OrderContext => ({ store: orders, root, pageSize: config.orderPageSize });
  const productQueries = new ProductQueries(config.productCount);
  const jobsByMonitor = new Map<string, ExportJob>();
  const exportsById = new Map<number, ExportJob>();
  let nextJobId = 1;
  let root = "";

  const server: Server = createServer((request, response) => {
    counters.requests += 1;
    if (config.onRequest) {
      const onRequest = config.onRequest;
      response.once("finish", () => onRequest(request.method ?? "", request.url ?? "", response.statusCode));
    }
    handle(request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLarge && !response.headersSent) {
        // The body was read to its end (or the connection is closed after this answer), so the
        // client reads the 413 rather than a reset.
        const headers: Record<string, string> = error.drained ? {} : { Connection: "close" };
        return sendError(response, 413, "PayloadTooLarge", `The demo service accepts request bodies up to ${MAX_BODY_BYTES.toLocaleString("en-US")} bytes`, undefined, headers);
      }
      if (!response.headersSent) sendError(response, 500, "InternalError", `The demo service failed: ${(error as Error).message}`);
      else response.destroy(error as Error);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader("OData-Version", "4.0");
    const url = new URL(request.url ?? "/", root);
    if (!url.pathname.startsWith(SERVICE_PATH)) return sendError(response, 404, "NotFound", `No service at ${url.pathname}`);
    const written = url.pathname.slice(SERVICE_PATH.length);
    const keyed = normaliseKey(percentDecoded(written) ?? written);
    if ("status" in keyed) return sendError(response, keyed.status, keyed.code, keyed.message);
    const path = keyed.path;
    const headers = headersOf(request);
    // Every handler reads the system query options by the names OData 4.0 gives them.
    const bare = readsBareOptionNames(headers);
    const options = queryOptions(url.search);
    if (!(options instanceof URLSearchParams)) return sendError(response, options.status, options.code, options.message, options.target);
    const query = systemOptionNames(options, bare);
    if (!(query instanceof URLSearchParams)) return sendError(response, query.status, query.code, query.message);
    // HEAD is GET without the body: node:http writes no body for a HEAD request. It is routed as GET;
    // a refusal names the method the client used (`requested`).
    const requested = request.method ?? "GET";
    const method = requested === "HEAD" ? "GET" : requested;
    if (method === "GET" && headerText(request.headers["x-csrf-token"]).toLowerCase() === "fetch") {
      // Any GET may fetch a token (clients use the service root); the answer itself is the usual one.
      const { token, setCookie } = csrf.issue(SERVICE_PATH);
      response.setHeader("X-CSRF-Token", token);
      response.setHeader("Set-Cookie", setCookie);
    }

    if (path === "") {
      if (only(requested, ["GET"], response)) sendJson(response, 200, serviceDocument(root));
      return;
    }
    if (path === "$metadata") {
      if (only(requested, ["GET"], response)) sendXml(response, METADATA);
      return;
    }
    if (path === "$batch") {
      if (!only(requested, ["POST"], response) || !csrfAccepted(request, response)) return;
      const body = await readBody(request);
      counters.batches += 1;
      const answer = answerBatch(
        { root, execute: (part) => answerInBatch(part, headers), atomically: (work) => orders.atomically(work) },
        request.headers["content-type"],
        body,
        headerText(request.headers.prefer),
      );
      return sendText(response, answer.status, answer.headers["Content-Type"] as string, answer.body, answer.headers);
    }
    if (isOrderPath(path)) {
      if (method !== "GET" && !csrfAccepted(request, response)) return;
      const answer = answerOrderRequest(orderContext(), { method: requested, path, query, headers, body: await readBody(request) });
      if (answer) return sendPlain(response, answer);
    }
    if (path === "exportProducts") {
      // The action import of export jobs: its parameters are the export request of POST ExportJobs,
      // and it runs the same way (202 + status monitor with respond-async, the export otherwise).
      if (only(requested, ["POST"], response)) return createExportJob(request, response);
      return;
    }
    if (path === "ExportJobs") {
      if (method === "POST") return createExportJob(request, response);
      if (only(requested, ["GET", "POST"], response)) listExports(query, response);
      return;
    }
    if (path === "ExportJobs/$count") {
      if (!only(requested, ["GET"], response)) return;
      return sendCount(response, query, (filter) => (filter === null ? { length: exportsById.size } : notImplemented("$filter", "ExportJobs")));
    }
    const monitor = /^\$monitor\/([\w-]+)$/.exec(path);
    if (monitor) return answerMonitor(method, monitor[1] as string, response);
    const exportEntity = /^ExportJobs\((\d+)\)(\/\$value)?$/.exec(path);
    if (exportEntity) {
      if (!only(requested, ["GET"], response)) return;
      return exportEntity[2] ? sendExportFile(Number(exportEntity[1]), response) : sendExport(Number(exportEntity[1]), response);
    }
    if (path === "Products" || path === "ProductsUnpaged") {
      if (!only(requested, ["GET"], response)) return;
      return sendProducts(request, { url, query, bare }, path === "ProductsUnpaged", response);
    }
    if (path === "Products/$count" || path === "ProductsUnpaged/$count") {
      if (!only(requested, ["GET"], response)) return;
      return sendCount(response, query, (filter) => productQueries.sequence(filter, null));
    }
    const product = /^(Products|ProductsUnpaged)\((\d+)\)$/.exec(path);
    if (product) {
      if (!only(requested, ["GET"], response)) return;
      return sendPlain(response, productAnswer(product[1] as string, Number(product[2]), query));
    }
    sendError(response, 404, "NotFound", `The demo service has no resource '${path}'`);
  }

  // --- Orders, $batch and CSRF ----------------------------------------------------------------------

  /** Refuses a modifying request without the session's CSRF token (false: the 403 was sent). */
  function csrfAccepted(request: IncomingMessage, response: ServerResponse): boolean {
    if (csrf.accepts(request.headers)) return true;
    // The body is left unread: the refusal does not depend on it.
    request.resume();
    sendError(response, 403, "CsrfTokenRequired", "This request needs the X-CSRF-Token of a session: GET the service root with X-CSRF-Token: Fetch", undefined, {
      "X-CSRF-Token": "Required",
    });
    return false;
  }

  /**
   * A `$count` of a collection: how many entities `select` gives for the request's `$filter` (null:
   * none), or its refusal; $search is refused as the collections refuse it.
   */
  function sendCount(response: ServerResponse, query: URLSearchParams, select: (filter: string | null) => { length: number } | QueryRefusal): void {
    const unknown = unknownOptionRefusal(query);
    if (unknown) return sendError(response, unknown.status, unknown.code, unknown.message);
    // $filter and $search apply to /$count (Part 2 §4.8).
    if (query.has("$search")) return sendError(response, 501, "NotImplemented", "The demo service does not implement $search");
    const selected = select(query.get("$filter"));
    if ("status" in selected) return sendError(response, selected.status, selected.code, selected.message, selected.target);
    response.writeHead(200, { "Content-Type": "text/plain" });
    response.end(String(selected.length));
  }

  /** One product, with the `$select` asked for; query options an entity read does not take are refused. */
  function productAnswer(entitySet: string, id: number, query: URLSearchParams): PlainResponse {
    const options = entityReadOptions(query, "Product", PRODUCT_PROPERTIES);
    if ("status" in options) return orderError(options.status, options.code, options.message);
    if (id < 1 || id > config.productCount) return orderError(404, "NotFound", `No product with ID ${id}`);
    const { select } = options;
    const context = `${root}$metadata#${entitySet}${select ? `(${select.join(",")})` : ""}/$entity`;
    const entity = select ? productJsonSelected(id, select) : productJson(id);
    return { status: 200, headers: { "Content-Type": "application/json;odata.metadata=minimal" }, body: `{"@odata.context":${JSON.stringify(context)}${entity === "{}" ? "}" : `,${entity.slice(1)}`}` };
  }

  /** Answers one request inside a `$batch`: orders and their operations, single products, and `$metadata`. */
  function answerInBatch(request: PlainRequest, batchHeaders: Headers): PlainResponse {
    const keyed = normaliseKey(request.path);
    if ("status" in keyed) return orderError(keyed.status, keyed.code, keyed.message);
    const query = systemOptionNames(request.query, readsBareOptionNames(request.headers, batchHeaders));
    if (!(query instanceof URLSearchParams)) return orderError(query.status, query.code, query.message);
    request = { ...request, path: keyed.path, query };
    const answer = isOrderPath(request.path) ? answerOrderRequest(orderContext(), request) : undefined;
    if (answer) return answer;
    const product = /^(Products|ProductsUnpaged)\((\d+)\)$/.exec(request.path);
    // A HEAD part is answered as GET; the batch leaves its body out.
    const reads = request.method === "GET" || request.method === "HEAD";
    if (product && reads) return productAnswer(product[1] as string, Number(product[2]), request.query);
    if (request.path === "$metadata" && reads) return { status: 200, headers: { "Content-Type": "application/xml" }, body: METADATA };
    return orderError(404, "NotFound", `The demo service answers ${request.method} ${request.path} outside a $batch only (a batch holds requests on Orders, its operations and single Products)`);
  }

  // --- Export jobs -------------------------------------------------------------------------------

  async function createExportJob(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    if (!/^application\/json\b/i.test(request.headers["content-type"] ?? "")) {
      return sendError(response, 415, "UnsupportedMediaType", "Send the export request as application/json");
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendError(response, 400, "InvalidJson", "The request body is not valid JSON");
    }
    const parsed = readExportRequest(body, config.exportRows, config.productCount);
    if ("problem" in parsed) return sendError(response, 400, "InvalidExportRequest", parsed.problem, parsed.target);

    const now = Date.now();
    const job = new ExportJob(nextJobId++, randomUUID(), parsed, now, config.jobDuration);
    if (!prefersAsync(request.headers.prefer)) {
      // Without respond-async the export runs while the client waits, as OData allows.
      job.runToCompletion();
      if (job.state.name === "succeeded") exportsById.set(job.id, job);
      return sendFinal(response, job, false);
    }
    jobsByMonitor.set(job.monitorId, job);
    const headers: Record<string, string> = {
      Location: `${root}$monitor/${job.monitorId}`,
      "Preference-Applied": "respond-async",
    };
    if (config.retryAfter > 0) headers["Retry-After"] = String(config.retryAfter);
    sendJson(response, 202, monitorBody(job), headers);
  }

  function answerMonitor(method: string, monitorId: string, response: ServerResponse): void {
    const job = jobsByMonitor.get(monitorId);
    if (method === "DELETE") {
      if (!job) return sendError(response, 404, "NotFound", "No such export job (it was cancelled, or never existed)");
      // The job is caught up first: one whose time has passed has finished, polled or not.
      job.advance(Date.now());
      const state = job.state.name;
      if (state === "succeeded" || state === "failed") {
        // Nothing is left to cancel: the monitor stays and still answers the outcome. 409, as
        // Dataverse answers DELETE on the monitor of a finished background operation; a 2xx would
        // tell the client that it cancelled the job.
        if (state === "succeeded") exportsById.set(job.id, job);
        return sendError(response, 409, "AlreadyFinished", `The export job has already ${state === "succeeded" ? `succeeded (export ${job.id})` : "failed"}; there is nothing to cancel`);
      }
      job.cancel();
      jobsByMonitor.delete(monitorId);
      response.writeHead(204).end();
      return;
    }
    if (!only(method, ["GET", "DELETE"], response)) return;
    counters.monitorPolls += 1;
    if (!job) return sendError(response, 404, "NotFound", "No such export job (it was cancelled, or never existed)");
    job.advance(Date.now());
    const state = job.state.name;
    if (state === "queued" || state === "running") return sendJson(response, 202, monitorBody(job));
    if (state === "succeeded") exportsById.set(job.id, job);
    sendFinal(response, job, true);
  }

  /** The job's final answer: directly (synchronous request) or wrapped as the monitor sends it. */
  function sendFinal(response: ServerResponse, job: ExportJob, fromMonitor: boolean): void {
    const state = job.state;
    let status: number;
    let headers: Record<string, string>;
    let body: string;
    if (state.name === "succeeded") {
      status = 201;
      headers = { "Content-Type": "application/json;odata.metadata=minimal", Location: `${root}ExportJobs(${job.id})` };
      body = JSON.stringify(exportEntity(job));
    } else if (state.name === "failed") {
      status = state.httpStatus;
      headers = { "Content-Type": "application/json" };
      body = JSON.stringify({ error: state.error });
    } else {
      return sendError(response, 500, "InternalError", `The export job is ${state.name}`);
    }
    if (!fromMonitor) return sendText(response, status, headers["Content-Type"] as string, body, headers);
    if (job.request.resultForm === "4.01") {
      return sendText(response, 200, headers["Content-Type"] as string, body, { ...headers, AsyncResult: String(status) });
    }
    // OData 4.0: the body is the whole final response, status line and headers included.
    const message = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ""}`.trimEnd(), ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), "OData-Version: 4.0", "", body].join("\r\n");
    sendText(response, 200, "application/http", message);
  }

  function exportEntity(job: ExportJob): Record<string, unknown> {
    const state = job.state;
    if (state.name !== "succeeded") throw new Error(`export ${job.id} has not succeeded`);
    return {
      "@odata.context": `${root}$metadata#ExportJobs/$entity`,
      ID: job.id,
      format: job.request.format,
      rowCount: job.request.rowCount,
      size: state.size,
      url: `${root}ExportJobs(${job.id})/$value`,
      checksum: state.checksum,
      createdAt: new Date(job.createdAt).toISOString(),
      finishedAt: new Date(state.finishedAt).toISOString(),
    };
  }

  /** The finished exports, with `$top`, `$skip`, `$count` and `$select` applied; other options refused as Products refuses them. */
  function listExports(params: URLSearchParams, response: ServerResponse): void {
    const refused = unknownOptionRefusal(params);
    if (refused) return sendError(response, refused.status, refused.code, refused.message);
    const query = readCollectionQuery(params, "Export", EXPORT_PROPERTIES);
    if (typeof query === "string") return sendError(response, 400, "InvalidQuery", query);
    const unapplied = unappliedOptionRefusal(params, EXPORTS_OPTIONS, "ExportJobs");
    if (unapplied) return sendError(response, unapplied.status, unapplied.code, unapplied.message);
    const all = [...exportsById.values()];
    const { select } = query;
    const value = all.slice(query.skip, query.top === undefined ? undefined : query.skip + query.top).map((job) => {
      const { "@odata.context": _context, ...entity } = exportEntity(job);
      return select ? Object.fromEntries(Object.entries(entity).filter(([name]) => select.includes(name as (typeof EXPORT_PROPERTIES)[number]))) : entity;
    });
    const body: Record<string, unknown> = { "@odata.context": `${root}$metadata#ExportJobs${select ? `(${select.join(",")})` : ""}` };
    // As for Products: $count counts the whole collection, before $top and $skip.
    if (query.count) body["@odata.count"] = all.length;
    body["value"] = value;
    sendJson(response, 200, body);
  }

  function sendExport(id: number, response: ServerResponse): void {
    const job = exportsById.get(id);
    if (!job) return sendError(response, 404, "NotFound", `No export with ID ${id}`);
    sendJson(response, 200, exportEntity(job));
  }

  async function sendExportFile(id: number, response: ServerResponse): Promise<void> {
    const job = exportsById.get(id);
    const writer = job && exportWriter(job.request.format);
    if (!job || !writer) return sendError(response, 404, "NotFound", `No export with ID ${id}`);
    // The file is written again from the products rather than kept: its checksum proves it is the same.
    response.writeHead(200, { "Content-Type": writer.contentType });
    for (const chunk of exportFileChunks(writer, job.request.rowCount)) {
      if (!(await write(response, chunk))) return;
    }
    response.end();
  }

  // --- Products ----------------------------------------------------------------------------------

  /** `query` holds the options of `url` under their OData 4.0 names; `bare`: whether names without `$` name system query options. */
  async function sendProducts(request: IncomingMessage, options: { url: URL; query: URLSearchParams; bare: boolean }, unpaged: boolean, response: ServerResponse): Promise<void> {
    const { url, query: params, bare } = options;
    const entitySet = unpaged ? "ProductsUnpaged" : "Products";
    const unknown = unknownOptionRefusal(params);
    if (unknown) return sendError(response, unknown.status, unknown.code, unknown.message);
    const query = readCollectionQuery(params, "Product", PRODUCT_PROPERTIES);
    if (typeof query === "string") return sendError(response, 400, "InvalidQuery", query);
    const unapplied = unappliedOptionRefusal(params, config.orderBy ? PRODUCTS_OPTIONS : UNSORTED_PRODUCTS_OPTIONS, entitySet);
    if (unapplied) return sendError(response, unapplied.status, unapplied.code, unapplied.message);
    const sequence = productQueries.sequence(params.get("$filter"), params.get("$orderby"));
    if ("status" in sequence) return sendError(response, sequence.status, sequence.code, sequence.message, sequence.target);
    const total = sequence.length;
    const end = query.top === undefined ? total : Math.min(total, query.skip + query.top);
    const first = Math.max(query.skip, query.skiptoken === undefined ? 0 : sequence.positionAfter(query.skiptoken));
    const headers: Record<string, string> = { "Content-Type": "application/json;odata.metadata=minimal;odata.streaming=true" };
    let last = end;
    if (!unpaged) {
      const maxPageSize = maxPageSizeOf(request.headers.prefer);
      const pageSize = Math.min(MAX_PAGE_SIZE, maxPageSize ?? config.pageSize);
      if (maxPageSize !== undefined) headers["Preference-Applied"] = `odata.maxpagesize=${pageSize}`;
      last = Math.min(end, first + pageSize);
    }

    const select = query.select;
    const context = `${root}$metadata#${entitySet}${select ? `(${select.join(",")})` : ""}`;
    let head = `{"@odata.context":${JSON.stringify(context)}`;
    // $count counts the products the filter selects: $top and $skip do not change it (OData 4.01 §11.2.6.5).
    if (query.count) head += `,"@odata.count":${total}`;
    head += `,"value":[`;
    response.writeHead(200, headers);
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    if (!(await write(response, head))) return;
    const entity = select ? (id: number) => productJsonSelected(id, select) : productJson;
    for (let from = first; from < last; from += ROWS_PER_CHUNK) {
      const to = Math.min(last, from + ROWS_PER_CHUNK);
      let chunk = "";
      for (let index = from; index < to; index++) chunk += (index === first ? "" : ",") + entity(sequence.idAt(index));
      if (!(await write(response, chunk))) return;
    }
    let tail = "]";
    if (last < end) {
      // The skiptoken is the ID of the last product sent: the next page starts after it in the
      // order of the query. The other query options, $filter and $orderby among them, are kept as
      // the client wrote them, so the next page is of the same query. Each name decodes: a % that
      // starts no escape was refused (queryOptions) before the request came here.
      const kept = url.search
        .slice(1)
        .split("&")
        .filter((part) => part !== "" && systemOptionName(percentDecoded(part.split("=")[0] as string) ?? "", bare) !== "$skiptoken");
      const nextLink = `${root}${entitySet}?${[...kept, `$skiptoken=${sequence.idAt(last - 1)}`].join("&")}`;
      tail += `,"@odata.nextLink":${JSON.stringify(nextLink)}`;
    }
    response.end(`${tail}}`);
  }

  // --- Listening ---------------------------------------------------------------------------------

  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  root = `http://127.0.0.1:${port}${SERVICE_PATH}`;

  return {
    serviceUrl: root,
    stats: () => ({ ...counters, csrfTokenFetches: csrf.fetches, csrfRefusals: csrf.rejections }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// --- Reading requests ------------------------------------------------------------------------------

/** Reads an export request, or says what is wrong with it. */
function readExportRequest(body: unknown, defaultRows: number, productCount: number): ExportJobRequest | { problem: string; target?: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { problem: 'The body must be a JSON object such as {"format":"csv"}' };
  const { format, maxRows: givenRows, resultForm: givenForm, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) return { problem: `'${unknown}' is not part of an export request (format, maxRows, resultForm)`, target: unknown };
  if (typeof format !== "string" || format === "") return { problem: 'The export format is required, a string such as "csv"', target: "format" };
  // maxRows and resultForm are nullable (see $metadata): null is a value the client may send for
  // either, and means what leaving it out means, the default.
  const maxRows = givenRows ?? undefined;
  const resultForm = givenForm ?? undefined;
  if (maxRows !== undefined && (typeof maxRows !== "number" || !Number.isInteger(maxRows) || maxRows < 0)) {
    return { problem: "The row limit must be an integer >= 0", target: "maxRows" };
  }
  if (resultForm !== undefined && resultForm !== "4.01" && resultForm !== "4.0") return { problem: 'The result form must be "4.01" or "4.0"', target: "resultForm" };
  return {
    format: format.toLowerCase(),
    rowCount: Math.min(productCount, maxRows ?? defaultRows),
    resultForm: resultForm ?? "4.01",
  };
}

interface CollectionQuery<P extends string> {
  top: number | undefined;
  skip: number;
  count: boolean;
  skiptoken: number | undefined;
  select: P[] | undefined;
}

/** The values of the paging and shaping options of a collection read, or what is wrong with one (a 400). */
function readCollectionQuery<P extends string>(params: URLSearchParams, entityType: string, properties: readonly P[]): CollectionQuery<P> | string {
  const integer = (name: string): number | undefined | string => {
    const value = params.get(name);
    if (value === null) return undefined;
    return /^\d{1,15}$/.test(value) ? Number(value) : `${name} must be a non-negative integer; got ${JSON.stringify(value)}`;
  };
  const top = integer("$top");
  const skip = integer("$skip");
  const skiptoken = integer("$skiptoken");
  for (const value of [top, skip, skiptoken]) if (typeof value === "string") return value;
  const count = params.get("$count");
  if (count !== null && count !== "true" && count !== "false") return `$count must be true or false; got ${JSON.stringify(count)}`;
  let select: P[] | undefined;
  const selectText = params.get("$select");
  if (selectText !== null && selectText.trim() !== "*") {
    select = [];
    for (const name of selectText.split(",").map((part) => part.trim())) {
      if (!properties.includes(name as P)) return `$select names ${JSON.stringify(name)}, which is not a property of ${entityType}`;
      // Named twice, a property is still selected once (and named once in the context URL).
      if (!select.includes(name as P)) select.push(name as P);
    }
  }
  return {
    top: top as number | undefined,
    skip: (skip as number | undefined) ?? 0,
    count: count === "true",
    skiptoken: skiptoken as number | undefined,
    select,
  };
}

/** Whether a `Prefer` header asks for `respond-async` (RFC 7240: a comma-separated list). */
function prefersAsync(prefer: string | string[] | undefined): boolean {
  return headerText(prefer).split(",").some((part) => part.trim().toLowerCase() === "respond-async");
}

/** The `odata.maxpagesize` preference, if the request has a valid one. */
function maxPageSizeOf(prefer: string | string[] | undefined): number | undefined {
  for (const part of headerText(prefer).split(",")) {
    const match = /^\s*(?:odata\.)?maxpagesize\s*=\s*"?(\d{1,9})"?\s*$/i.exec(part);
    if (match && Number(match[1]) > 0) return Number(match[1]);
  }
  return undefined;
}

/** The request's headers as a `Headers` value. */
function headersOf(request: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/** A request header as one string (repeated headers joined as a list). */
function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

const MAX_BODY_BYTES = 1_000_000;
/** How much of a body over the limit is read and dropped before the answer: the client then reads a 413, not a reset. */
const MAX_DRAINED_BYTES = 32_000_000;

/** A request body over {@link MAX_BODY_BYTES}: answered 413. */
class BodyTooLarge extends Error {
  /** Whether the body was read to its end (false: the connection must close). */
  readonly drained: boolean;
  constructor(drained: boolean) {
    super(`request body larger than ${MAX_BODY_BYTES} bytes`);
    this.drained = drained;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_DRAINED_BYTES) throw new BodyTooLarge(false);
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw new BodyTooLarge(true);
  return Buffer.concat(chunks).toString("utf8");
}

/** The refusal of a system query option a collection does not apply. */
function notImplemented(option: string, entitySet: string): QueryRefusal {
  return { status: 501, code: "NotImplemented", message: `The demo service does not implement ${option} on ${entitySet}` };
}

// --- Writing answers -------------------------------------------------------------------------------

const STATUS_TEXT: Readonly<Record<number, string>> = { 200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error" };

function monitorBody(job: ExportJob): Record<string, unknown> {
  return { status: job.statusText, percentComplete: job.percentComplete, rowsExported: job.rowsWritten, rowCount: job.request.rowCount };
}

/** Writes a chunk, waiting for the socket to drain when it is full; false once the client has gone. */
async function write(response: ServerResponse, chunk: string): Promise<boolean> {
  if (response.destroyed) return false;
  if (chunk === "" || response.write(chunk)) return true;
  return new Promise<boolean>((resolve) => {
    const settle = (drained: boolean) => () => {
      response.off("drain", onDrain);
      response.off("close", onClose);
      resolve(drained && !response.destroyed);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    response.on("drain", onDrain);
    response.on("close", onClose);
  });
}

/** Whether `requested` (the request's own method) is allowed, HEAD wherever GET is; false: the 405 was sent. */
function only(requested: string, allowed: readonly string[], response: ServerResponse): boolean {
  if (allowed.includes(requested === "HEAD" ? "GET" : requested)) return true;
  const listed = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  sendError(response, 405, "MethodNotAllowed", `${requested} is not allowed here; use ${listed.join(" or ")}`, undefined, { Allow: listed.join(", ") });
  return false;
}

function sendText(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendText(response, status, "application/json;odata.metadata=minimal", JSON.stringify(value), headers);
}

function sendPlain(response: ServerResponse, answer: PlainResponse): void {
  if (answer.status === 204 || answer.body === "") {
    const { "Content-Type": _type, ...headers } = answer.headers;
    response.writeHead(answer.status, headers).end();
    return;
  }
  sendText(response, answer.status, answer.headers["Content-Type"] as string, answer.body, answer.headers);
}

function sendXml(response: ServerResponse, body: string): void {
  sendText(response, 200, "application/xml", body);
}

/** An answer with the OData v4 JSON error body. */
function sendError(response: ServerResponse, status: number, code: string, message: string, target?: string, headers: Record<string, string> = {}): void {
  const error: Record<string, string> = { code, message };
  if (target) error.target = target;
  sendJson(response, status, { error }, headers);
}

function serviceDocument(root: string): unknown {
  return {
    "@odata.context": `${root}$metadata`,
    // totalValue is left out: a function import with a required parameter has no URL of its own to list.
    value: ["ExportJobs", "Products", "ProductsUnpaged", "Orders"].map((name) => ({ name, kind: "EntitySet", url: name })),
  };
}

/** What every set's `$metadata` says of `$search`, which the service answers 501. */
const NOT_SEARCHABLE = `          <Annotation Term="Capabilities.SearchRestrictions">
            <Record><PropertyValue Property="Searchable" Bool="false"/></Record>
          </Annotation>
`;

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>
  </edmx:Reference>
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Capabilities"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Demo">
      <EntityType Name="Product">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
        <Property Name="Name" Type="Edm.String" Nullable="false"/>
        <Property Name="Category" Type="Edm.String" Nullable="false"/>
        <Property Name="Price" Type="Edm.Decimal" Nullable="false" Precision="9" Scale="2"/>
        <Property Name="Stock" Type="Edm.Int32" Nullable="false"/>
        <Property Name="ReleaseDate" Type="Edm.Date" Nullable="false"/>
      </EntityType>
      <EntityType Name="Export" HasStream="true">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
        <Property Name="format" Type="Edm.String" Nullable="false"/>
        <Property Name="rowCount" Type="Edm.Int64" Nullable="false"/>
        <Property Name="size" Type="Edm.Int64" Nullable="false"/>
        <Property Name="url" Type="Edm.String" Nullable="false"/>
        <Property Name="checksum" Type="Edm.String" Nullable="false"/>
        <Property Name="createdAt" Type="Edm.DateTimeOffset" Nullable="false"/>
        <Property Name="finishedAt" Type="Edm.DateTimeOffset" Nullable="false"/>
      </EntityType>
      <EntityType Name="Order">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
        <Property Name="customer" Type="Edm.String" Nullable="false"/>
        <Property Name="productID" Type="Edm.Int32" Nullable="false"/>
        <Property Name="quantity" Type="Edm.Int32" Nullable="false"/>
        <Property Name="status" Type="Edm.String" Nullable="false">
          <Annotation Term="Core.Computed" Bool="true"/>
        </Property>
        <Property Name="carrier" Type="Edm.String">
          <Annotation Term="Core.Computed" Bool="true"/>
        </Property>
        <Property Name="amount" Type="Edm.Decimal" Nullable="false" Precision="12" Scale="2">
          <Annotation Term="Core.Computed" Bool="true"/>
        </Property>
        <Property Name="revision" Type="Edm.Int64" Nullable="false">
          <Annotation Term="Core.Computed" Bool="true"/>
          <Annotation Term="Core.Description" String="The number of the order's latest change; its ETag is W/&quot;revision&quot;"/>
        </Property>
      </EntityType>
      <Action Name="ship" IsBound="true">
        <Parameter Name="order" Type="Demo.Order" Nullable="false"/>
        <Parameter Name="carrier" Type="Edm.String" Nullable="false"/>
        <ReturnType Type="Demo.Order" Nullable="false"/>
      </Action>
      <Function Name="discountedAmount" IsBound="true">
        <Parameter Name="order" Type="Demo.Order" Nullable="false"/>
        <Parameter Name="percent" Type="Edm.Decimal" Nullable="false"/>
        <ReturnType Type="Edm.Decimal" Nullable="false"/>
      </Function>
      <Function Name="totalValue">
        <Parameter Name="status" Type="Edm.String" Nullable="false"/>
        <ReturnType Type="Edm.Decimal" Nullable="false"/>
      </Function>
      <Action Name="cancelOpenOrders">
        <Parameter Name="customer" Type="Edm.String" Nullable="false"/>
        <ReturnType Type="Edm.Int32" Nullable="false"/>
      </Action>
      <Action Name="exportProducts">
        <Parameter Name="format" Type="Edm.String" Nullable="false"/>
        <Parameter Name="maxRows" Type="Edm.Int32"/>
        <Parameter Name="resultForm" Type="Edm.String"/>
        <ReturnType Type="Demo.Export" Nullable="false"/>
      </Action>
      <EntityContainer Name="DemoService">
        <EntitySet Name="ExportJobs" EntityType="Demo.Export">
          <Annotation Term="Capabilities.FilterRestrictions">
            <Record><PropertyValue Property="Filterable" Bool="false"/></Record>
          </Annotation>
          <Annotation Term="Capabilities.SortRestrictions">
            <Record><PropertyValue Property="Sortable" Bool="false"/></Record>
          </Annotation>
${NOT_SEARCHABLE}        </EntitySet>
        <EntitySet Name="Products" EntityType="Demo.Product">
${NOT_SEARCHABLE}        </EntitySet>
        <EntitySet Name="ProductsUnpaged" EntityType="Demo.Product">
${NOT_SEARCHABLE}        </EntitySet>
        <EntitySet Name="Orders" EntityType="Demo.Order">
${NOT_SEARCHABLE}          <Annotation Term="Core.OptimisticConcurrency">
            <Collection><PropertyPath>revision</PropertyPath></Collection>
          </Annotation>
          <Annotation Term="Capabilities.ChangeTracking">
            <Record><PropertyValue Property="Supported" Bool="true"/></Record>
          </Annotation>
        </EntitySet>
        <FunctionImport Name="totalValue" Function="Demo.totalValue"/>
        <ActionImport Name="cancelOpenOrders" Action="Demo.cancelOpenOrders"/>
        <ActionImport Name="exportProducts" Action="Demo.exportProducts" EntitySet="ExportJobs"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`;

// --- Options ---------------------------------------------------------------------------------------

function nonNegativeInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`startDemoService option "${name}" must be an integer >= 0; got ${value}`);
  return value;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  const checked = nonNegativeInteger(value, fallback, name);
  if (checked === 0) throw new RangeError(`startDemoService option "${name}" must be positive`);
  return checked;
}
