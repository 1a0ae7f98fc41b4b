/**
 * The servers the conformance script talks to, on 127.0.0.1 port 0:
 * - `service`: the OData service. Each runtime gets its own root `/rt/<runtime>/svc/`, so that its
 *   requests can be told apart; it answers CORS like a usual OData service set up for browsers
 *   (`Access-Control-Allow-Origin: *`, preflights allowed for the headers asked for, `Location`,
 *   `Retry-After`, `ETag`, `AsyncResult` and `X-CSRF-Token` exposed), except on the `Hidden…` and
 *   `monitor/hidden…` paths, which expose nothing.
 * - `other`: another origin, where `Moved(1)` redirects to.
 * Both record every request (test/servers/recording-server.ts), preflights included.
 */
import type { ServerResponse } from "node:http";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "../servers/recording-server.js";

/** CORS headers on every answer of the service but the hidden ones. */
const EXPOSED = "Location, Retry-After, ETag, AsyncResult, X-CSRF-Token, OData-Version, Preference-Applied";

/**
 * The `Retry-After` (seconds) of the routes whose headers the service does not expose through CORS
 * (HiddenFlaky(1), monitor/hidden-retry), outside browsers, where it is seen and honoured.
 */
export const HIDDEN_RETRY_AFTER = "2";

/**
 * The same routes' `Retry-After` for a browser: an hour. Were it seen, the retry would give the
 * 503 back (beyond the client's maxDelay) and the poll would sleep until maxWait; that it is not
 * seen shows in the outcome, whatever the timing on a busy machine.
 */
export const HIDDEN_RETRY_AFTER_IN_BROWSERS = "3600";

const BROWSER = /^(chromium|firefox)(-worker)?$/;

function hiddenRetryAfter(runtime: string): string {
  return BROWSER.test(runtime) ? HIDDEN_RETRY_AFTER_IN_BROWSERS : HIDDEN_RETRY_AFTER;
}

/** What a runtime's scenarios did to the servers, beyond the recorded requests. */
interface RuntimeState {
  monitorPolls: Map<string, number>;
  /** Answers so far per flaky route: the first is a 503. */
  flakyAnswers: Map<string, number>;
  /** Whether the read-ahead request for the stalled page has arrived, and who waits for it. */
  stalledSeen: boolean;
  stalledWaiters: (() => void)[];
  /** Set once the stalled request's connection was closed by the client. */
  stalledClosed: boolean;
}

export interface ConformanceServers {
  service: RecordingServer;
  other: RecordingServer;
  /** `http://127.0.0.1:<port>/rt/<runtime>/svc/` */
  serviceRoot(runtime: string): string;
  /** The requests of one runtime to the service (path relative to its root), preflights included. */
  requestsOf(runtime: string): (RecordedRequest & { route: string })[];
  /** The requests of one runtime to the other origin. */
  otherRequestsOf(runtime: string): RecordedRequest[];
  /** Whether the client closed the stalled page request of a runtime's aborted walk. */
  stalledClosed(runtime: string): boolean;
  close(): Promise<void>;
}

const ROOT = /^\/rt\/([\w-]+)\/svc\/(.*)$/;

export async function startConformanceServers(): Promise<ConformanceServers> {
  const states = new Map<string, RuntimeState>();
  const stateOf = (runtime: string): RuntimeState => {
    let state = states.get(runtime);
    if (!state) {
      state = { monitorPolls: new Map(), flakyAnswers: new Map(), stalledSeen: false, stalledWaiters: [], stalledClosed: false };
      states.set(runtime, state);
    }
    return state;
  };

  const other = await startServer((request, res) => {
    if (request.method === "OPTIONS") return preflight(request, res);
    cors(res);
    if (request.path.endsWith("/results/export-1")) return sendJson(res, 200, { ID: 9, file: "export.csv" });
    sendJson(res, 200, { ID: 1, title: "Landed" });
  });

  const service = await startServer((request, res) => {
    const match = ROOT.exec(request.path);
    if (!match) return sendText(res, 404, "no such runtime root");
    if (request.method === "OPTIONS") return preflight(request, res);
    const [, runtime = "", route = ""] = match;
    const hidden = route.startsWith("Hidden") || route.startsWith("monitor/hidden");
    if (!hidden) cors(res);
    else res.setHeader("access-control-allow-origin", "*");
    return answer(stateOf(runtime), runtime, route, request, res);
  });

  function answer(state: RuntimeState, runtime: string, route: string, request: RecordedRequest, res: ServerResponse): void {
    const { method } = request;
    const path = decodeURIComponent(route);
    const book = (id: number, title: string) => ({ ID: id, title });
    if (method === "GET" && (path === "Books" || path === "anon/Books")) {
      return sendJson(res, 200, { value: [book(1, "One"), book(2, "Two")], "@odata.nextLink": "Books?$skiptoken=2" });
    }
    if (method === "GET" && (path === "Books?$skiptoken=2" || path === "anon/Books?$skiptoken=2")) {
      return sendJson(res, 200, { value: [book(3, "Three"), book(4, "Four")], "@odata.nextLink": "Books?$skiptoken=4" });
    }
    if (method === "GET" && (path === "Books?$skiptoken=4" || path === "anon/Books?$skiptoken=4")) {
      return sendJson(res, 200, { value: [book(5, "Five")] });
    }
    if (method === "GET" && path === "reader/Books?$filter=ID gt 1&$select=ID,title") {
      return sendJson(res, 200, { value: [book(2, "Two"), book(3, "Three")], "@odata.nextLink": "Books?$filter=ID%20gt%201&$select=ID,title&$skiptoken=3" });
    }
    if (method === "GET" && path === "reader/Books?$filter=ID gt 1&$select=ID,title&$skiptoken=3") {
      return sendJson(res, 200, { value: [book(4, "Four")] });
    }
    if (method === "GET" && path.startsWith("Counted?")) {
      const query = new URLSearchParams(path.slice("Counted?".length));
      if (query.get("$count") !== "true" || query.get("$top") !== "2") return sendJson(res, 400, { error: { code: "400", message: `unexpected query ${path}` } });
      return sendJson(res, 200, { "@odata.count": 5, value: [book(1, "One"), book(2, "Two")] });
    }
    if (path === "Books(1)" && method === "GET") {
      return sendJson(res, 200, { "@odata.etag": 'W/"7"', ...book(1, "One"), stock: 3 }, { etag: 'W/"7"' });
    }
    if (path === "Books(1)" && method === "PATCH") {
      if (request.headers["if-match"] !== 'W/"7"') return sendJson(res, 412, { error: { code: "412", message: "precondition failed" } });
      res.writeHead(204, { etag: 'W/"8"' });
      return void res.end();
    }
    const monitors: Record<string, string> = {
      Jobs: "job-1",
      CancelJobs: "cancel-1",
      Exports: "export-1",
      HiddenJobs: "hidden-1",
      AsyncResultJobs: "hidden-asyncresult",
      RetryJobs: "hidden-retry",
    };
    if (method === "POST" && monitors[path] !== undefined) {
      const monitor = monitors[path];
      res.writeHead(202, { location: `monitor/${monitor}`, "content-length": 0 });
      return void res.end();
    }
    if (path.startsWith("monitor/")) return monitorAnswer(state, runtime, path.slice("monitor/".length), method, res);
    if (method === "GET" && path === "results/job-1") return sendJson(res, 200, { rowCount: 3 });
    if (method === "GET" && (path === "HalfBooks(1)" || path === "HalfFailures(1)")) {
      // Headers and the start of the body, then nothing: the client's timeout ends it.
      res.writeHead(path === "HalfBooks(1)" ? 200 : 500, { "content-type": "application/json" });
      res.write(path === "HalfBooks(1)" ? '{"ID":1,' : '{"error":{"code":"E1","message":"partial');
      return;
    }
    if (method === "GET" && (path === "HalfBooks(1)/$value" || path === "HalfBooks(2)/$value")) {
      // Media content that stalls after its first bytes: a stall (1), a caller's abort (2).
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write("abc");
      return;
    }
    if (method === "GET" && path === "Stalled") {
      return sendJson(res, 200, { value: [book(1, "Before the stall")], "@odata.nextLink": "Stalled?$skiptoken=1" });
    }
    if (method === "GET" && path === "Stalled?$skiptoken=1") {
      // Never answered: the client must give up on it when aborted, and close the connection.
      res.on("close", () => (state.stalledClosed = true));
      state.stalledSeen = true;
      for (const wake of state.stalledWaiters.splice(0)) wake();
      return;
    }
    if (method === "GET" && path === "_control/stalled-seen") {
      if (state.stalledSeen) return sendText(res, 200, "seen");
      state.stalledWaiters.push(() => sendText(res, 200, "seen"));
      return;
    }
    if (method === "GET" && path === "Moved(1)") {
      res.writeHead(307, { location: `${other.origin}/landing/${runtime}/Moved(1)`, "content-length": 0 });
      return void res.end();
    }
    if (method === "GET" && (path === "Flaky(1)" || path === "HiddenFlaky(1)")) {
      const answers = (state.flakyAnswers.get(path) ?? 0) + 1;
      state.flakyAnswers.set(path, answers);
      if (answers === 1) return sendJson(res, 503, { error: { code: "503", message: "busy" } }, { "retry-after": path === "HiddenFlaky(1)" ? hiddenRetryAfter(runtime) : "1" });
      return sendJson(res, 200, book(1, "Steady"));
    }
    // Token fetches and writes of csrfWrite (root) and hiddenCsrf (root HiddenCsrf/).
    if (method === "GET" && (path === "" || path === "HiddenCsrf/") && request.headers["x-csrf-token"] === "Fetch") {
      return sendJson(res, 200, { value: [] }, { "x-csrf-token": `csrf-${runtime}` });
    }
    if (method === "POST" && (path === "Notes" || path === "HiddenCsrf/Notes")) {
      if (request.headers["x-csrf-token"] !== `csrf-${runtime}`) return sendJson(res, 403, { error: { code: "403", message: "CSRF token required" } }, { "x-csrf-token": "Required" });
      return sendJson(res, 201, JSON.parse(request.body) as unknown);
    }
    if (method === "POST" && path === "$batch") return batchAnswer(request, res);
    if (path === "HiddenEtagDocs(1)" && method === "GET") return sendJson(res, 200, { ID: 1, title: "Doc" }, { etag: 'W/"3"' });
    if (path === "HiddenEtagDocs(1)" && method === "PATCH") {
      res.writeHead(204);
      return void res.end();
    }
    sendJson(res, 404, { error: { code: "404", message: `no route for ${method} ${path}` } });
  }

  function monitorAnswer(state: RuntimeState, runtime: string, monitor: string, method: string, res: ServerResponse): void {
    if (method === "DELETE") {
      res.writeHead(204);
      return void res.end();
    }
    const polls = (state.monitorPolls.get(monitor) ?? 0) + 1;
    state.monitorPolls.set(monitor, polls);
    if (monitor === "job-1") {
      if (polls === 1) return sendJson(res, 202, { status: "Running", percentComplete: 40 }, { "retry-after": "1" });
      return sendJson(res, 200, { status: "Succeeded", percentComplete: 100, resourceLocation: "../results/job-1" });
    }
    if (monitor === "hidden-asyncresult") {
      // OData 4.01: the final status is in AsyncResult, the body is the final answer's own.
      return sendJson(res, 200, { error: { code: "EXPORT", message: "export failed" } }, { asyncresult: "500" });
    }
    if (monitor === "hidden-retry") {
      if (polls === 1) return sendJson(res, 202, { status: "Running" }, { "retry-after": hiddenRetryAfter(runtime) });
      return sendJson(res, 200, { done: true });
    }
    if (monitor === "export-1") {
      // The result lives on another origin, as with a file store behind the service.
      res.writeHead(303, { location: `${other.origin}/landing/${runtime}/results/export-1`, "content-length": 0 });
      return void res.end();
    }
    sendJson(res, 404, { error: { code: "404", message: "no such operation" } });
  }

  return {
    service,
    other,
    serviceRoot: (runtime) => service.url(`rt/${runtime}/svc/`),
    requestsOf: (runtime) =>
      service.requests.flatMap((request) => {
        const match = ROOT.exec(request.path);
        return match && match[1] === runtime ? [{ ...request, route: decodeURIComponent(match[2] ?? "") }] : [];
      }),
    otherRequestsOf: (runtime) => other.requests.filter((request) => request.path.startsWith(`/landing/${runtime}/`)),
    stalledClosed: (runtime) => stateOf(runtime).stalledClosed,
    close: async () => {
      await Promise.all([service.close(), other.close()]);
    },
  };
}

function cors(res: ServerResponse): void {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-expose-headers", EXPOSED);
}

/** A preflight answer that allows what was asked for, as a service set up for browsers would. */
function preflight(request: RecordedRequest, res: ServerResponse): void {
  const headers: Record<string, string> = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, POST, PUT, PATCH, MERGE, DELETE",
    "access-control-max-age": "600",
    "content-length": "0",
  };
  const asked = request.headers["access-control-request-headers"];
  if (typeof asked === "string") headers["access-control-allow-headers"] = asked;
  res.writeHead(204, headers);
  res.end();
}

const CRLF = "\r\n";

/** The answer to the script's batch: its read (Content-ID of the first part) and its changeset's create. */
function batchAnswer(request: RecordedRequest, res: ServerResponse): void {
  const ids = [...request.body.matchAll(/^Content-ID: *(\S+)\r$/gim)].map((match) => match[1]);
  const part = (status: string, body: unknown, contentId: string | undefined) =>
    ["Content-Type: application/http", "Content-Transfer-Encoding: binary", ...(contentId ? [`Content-ID: ${contentId}`] : []), "", `HTTP/1.1 ${status}`, "Content-Type: application/json", "", JSON.stringify(body)].join(CRLF);
  const body = [
    "--answer",
    part("200 OK", { ID: 1, title: "One" }, ids[0]),
    "--answer",
    "Content-Type: multipart/mixed; boundary=changes",
    "",
    "--changes",
    part("201 Created", { ID: 7, title: "Seven" }, ids[1]),
    "--changes--",
    "--answer--",
    "",
  ].join(CRLF);
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=answer", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
