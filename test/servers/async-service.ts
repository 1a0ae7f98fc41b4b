/**
 * The repository's OData async test service: a node:http server on 127.0.0.1 that plays one named
 * scenario of a long-running operation (the answer to the initial request, to each GET of the
 * status monitor, to DELETE, to the result URL) and records every request it receives, so that
 * tests can assert what went over the wire.
 *
 * Two servers are started on two ports: `service` (the OData service's own origin) and `foreign`
 * (another origin). Both play the same scenario and write to the same request log, so a scenario
 * can put the status monitor or the result URL on the other origin to exercise the origin rule.
 *
 * Which script a request meets is decided by its method and URL, the same on both servers:
 * - `POST` anything                                           → `initial`
 * - `DELETE` anything                                         → `cancel`
 * - `GET` a path with a `result` segment                      → `result`
 * - `GET` a path with a `monitor` segment or `monitor=` query → `monitor`
 * Each script is a list of answers; the n-th request of a kind gets the n-th answer, and the last
 * answer repeats once the list runs out.
 *
 * @example
 * const service = await startAsyncService();
 * service.scenario("sap-status-resource");
 * const client = new ODataClient({ serviceUrl: service.serviceUrl });
 * const poller = await client.collection("Jobs").createAsync({ kind: "export" });
 * await poller.wait();
 * service.requests.map((r) => `${r.method} ${r.path}`);
 * await service.close();
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";

/** The kind of request, by the routing rule above. */
export type RequestKind = "initial" | "monitor" | "cancel" | "result" | "other";

/** One request as the service received it. */
export interface RecordedRequest {
  kind: RequestKind;
  /** The origin of the server that received it (`service.origin` or `service.foreignOrigin`). */
  origin: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** The absolute URL (origin + path). */
  url: string;
  /** Header names in lower case, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: string;
  /** `performance.now()` when the request arrived; compare spacing, not absolute values. */
  at: number;
  /** `Date.now()` when the request arrived, to compare with HTTP-dates and deadlines. */
  receivedAt: number;
  /** The answer the scenario gave (set once chosen). */
  answer?: Answer;
  /**
   * Set when the connection closed before the answer was complete: the client aborted the request
   * (or the answer was `destroy`).
   */
  abandoned?: boolean;
}

/** One scripted answer. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as `application/json` unless `headers` names another type. */
  json?: unknown;
  /** Sent as is (raw text); `headers` should name its type. */
  text?: string;
  /** Destroys the socket instead of answering: the client sees a network error. */
  destroy?: boolean;
  /**
   * Holds the answer: the request stays open until `release()` answers it, the client aborts, or
   * the service closes.
   */
  hang?: boolean;
}

/** What a scripted answer may depend on. */
export interface ScriptContext {
  /** The service root on the service's own origin, ending in `/` (`http://127.0.0.1:p/odata/`). */
  serviceUrl: string;
  /** The service's own origin. */
  origin: string;
  /** The other origin (the second server). */
  foreignOrigin: string;
  /** How many requests of this kind came before this one (0 for the first). */
  index: number;
  /** How many DELETE requests the service has received so far. */
  deletes: number;
  /**
   * How many requests of this kind came after the first DELETE and before this one (0 for the
   * first one after it); `undefined` while no DELETE has arrived.
   */
  sinceDelete: number | undefined;
  request: RecordedRequest;
}

/** An answer, or a function of the request's context that gives one. */
export type Step = Answer | ((context: ScriptContext) => Answer);

/** A named behaviour: the scripts for each kind of request. Missing scripts answer 404. */
export interface Scenario {
  /** What the scenario stands for (shown in failure messages). */
  description: string;
  initial?: Step[];
  monitor?: Step[];
  cancel?: Step[];
  result?: Step[];
}

// ---------------------------------------------------------------------------------------------
// Answer builders: small words for the table below.

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, json: body, headers };
}

/** An answer without a body. */
export function empty(status: number, headers: Record<string, string> = {}): Answer {
  return { status, headers };
}

/** An OData v4 error answer. */
export function odataError(status: number, code: string, message: string, headers: Record<string, string> = {}): Answer {
  return json(status, { error: { code, message } }, headers);
}

/** `202 Accepted` pointing at a status monitor, with optional extra headers and a JSON body. */
export function accepted(location: string | undefined, headers: Record<string, string> = {}, body?: unknown): Answer {
  const all = location === undefined ? { ...headers } : { location, ...headers };
  return body === undefined ? empty(202, all) : json(202, body, all);
}

/** An OData 4.0 final answer: `200` with `Content-Type: application/http` wrapping `inner`. */
export function envelope(inner: string, newline: "\r\n" | "\n" = "\r\n"): Answer {
  return { status: 200, headers: { "content-type": "application/http" }, text: inner.replace(/\r?\n/g, newline) };
}

/** The text of one HTTP response (status line, headers, empty line, body) with CRLF line ends. */
export function httpMessage(status: string, headers: Record<string, string>, body: string): string {
  const lines = [`HTTP/1.1 ${status}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), "", body];
  return lines.join("\r\n");
}

/** The result entity most scenarios end with. */
export const EXPORT_RESULT = { ID: 7, rows: 1200, file: "export-7.csv" } as const;

const JSON_TYPE = { "content-type": "application/json" };

/** The usual result answer. */
const resultOk = json(200, EXPORT_RESULT);

/** `202` on the service's own monitor (relative Location, resolved against the request URL). */
const startOnOwnMonitor = accepted("monitor/1");

/** The monitor answers `202` (still running) `n` times, then `last`. */
function runningThen(n: number, last: Step): Step[] {
  return [...Array.from({ length: n }, () => empty(202)), last];
}

/** An HTTP-date (IMF-fixdate) for `Retry-After`. */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

// ---------------------------------------------------------------------------------------------
// The scenarios: every form of a long-running operation the contract reads.

export const SCENARIOS = {
  // OData 4.0: the final answer is an application/http envelope.
  "v4.0-envelope-crlf": {
    description: "OData 4.0: 202 twice, then 200 application/http wrapping 201 + JSON (CRLF)",
    initial: [startOnOwnMonitor],
    monitor: runningThen(2, envelope(httpMessage("201 Created", JSON_TYPE, JSON.stringify(EXPORT_RESULT)))),
  },
  "v4.0-envelope-lf": {
    description: "OData 4.0: 200 application/http with bare LF line ends",
    initial: [startOnOwnMonitor],
    monitor: runningThen(1, envelope(httpMessage("200 OK", JSON_TYPE, JSON.stringify(EXPORT_RESULT)), "\n")),
  },
  "v4.0-envelope-text": {
    description: "OData 4.0: the inner response is text/plain",
    initial: [startOnOwnMonitor],
    monitor: [envelope(httpMessage("200 OK", { "content-type": "text/plain" }, "42 rows exported"))],
  },
  "v4.0-envelope-failed": {
    description: "OData 4.0: application/http wrapping 400 with an OData error",
    initial: [startOnOwnMonitor],
    monitor: runningThen(
      1,
      envelope(httpMessage("400 Bad Request", JSON_TYPE, JSON.stringify({ error: { code: "BAD_FORMAT", message: "format xlsx is not supported", target: "format" } }))),
    ),
  },
  "v4.0-envelope-malformed": {
    description: "OData 4.0: application/http body that is no HTTP message",
    initial: [startOnOwnMonitor],
    monitor: [{ status: 200, headers: { "content-type": "application/http" }, text: "this is not an HTTP response" }],
  },
  "v4.0-envelope-unterminated": {
    description: "OData 4.0: application/http headers never end with an empty line",
    initial: [startOnOwnMonitor],
    monitor: [{ status: 200, headers: { "content-type": "application/http" }, text: "HTTP/1.1 200 OK\r\nContent-Type: application/json" }],
  },

  // OData 4.01: the final status is in the AsyncResult header.
  "v4.01-async-result": {
    description: "OData 4.01: 202, then 200 with AsyncResult: 201 and the result as body",
    initial: [startOnOwnMonitor],
    monitor: runningThen(1, json(200, EXPORT_RESULT, { asyncresult: "201" })),
  },
  "v4.01-async-result-failed": {
    description: "OData 4.01: 200 with AsyncResult: 500 and an OData error body",
    initial: [startOnOwnMonitor],
    monitor: [odataError(200, "EXPORT_CRASHED", "the export worker died", { asyncresult: "500" })],
  },
  "v4.01-async-result-bad": {
    description: "OData 4.01: AsyncResult that is not a status code",
    initial: [startOnOwnMonitor],
    monitor: [json(200, EXPORT_RESULT, { asyncresult: "abc" })],
  },

  // OData 4.02 draft: return=minimal gives 204 + Location of the result.
  "v4.02-no-content-location": {
    description: "OData 4.02: 204 with Location; the result is fetched from there",
    initial: [startOnOwnMonitor],
    monitor: runningThen(1, empty(204, { location: "result/7" })),
    result: [resultOk],
  },
  "no-content": {
    description: "204 without Location: succeeded, result undefined",
    initial: [startOnOwnMonitor],
    monitor: [empty(204)],
  },
  "see-other": {
    description: "303 See Other; the result is fetched from its Location",
    initial: [startOnOwnMonitor],
    monitor: runningThen(1, empty(303, { location: "result/7" })),
    result: [resultOk],
  },
  "see-other-without-location": {
    description: "303 without Location: an answer the rules cannot read",
    initial: [startOnOwnMonitor],
    monitor: [empty(303)],
  },

  // JSON status resources of real services.
  "graph-status-resource": {
    description: "Microsoft Graph: status notStarted/inProgress/succeeded, percentageComplete, resourceLocation",
    initial: [accepted("monitor/1")],
    monitor: [
      json(202, { status: "notStarted", percentageComplete: 0 }),
      json(200, { status: "inProgress", percentageComplete: 12.6 }),
      json(200, { status: "inProgress" }),
      (c) => json(200, { status: "succeeded", percentageComplete: 100, resourceLocation: `${c.serviceUrl}result/7` }),
    ],
    result: [resultOk],
  },
  "graph-failed": {
    description: "Microsoft Graph: status failed with an error object",
    initial: [startOnOwnMonitor],
    monitor: [json(200, { status: "running", percentageComplete: 40 }), json(200, { status: "failed", error: { code: "generalException", message: "copy failed" } })],
  },
  "azure-status-resource": {
    description: "Azure: status NotStarted/Running/Succeeded, percentComplete (a numeric string, then out of range); no result URL",
    initial: [startOnOwnMonitor],
    monitor: [
      json(200, { status: "NotStarted" }),
      json(200, { status: "Running", percentComplete: "42.5" }),
      json(200, { id: "op-1", status: "Succeeded", percentComplete: 250 }),
    ],
  },
  "azure-failed": {
    description: "Azure: status Failed with an error object",
    initial: [startOnOwnMonitor],
    monitor: [json(200, { status: "Running", percentComplete: 30 }), json(200, { status: "Failed", error: { code: "QuotaExceeded", message: "the subscription quota is used up" } })],
  },
  "azure-canceled": {
    description: "Azure: status Canceled",
    initial: [startOnOwnMonitor],
    monitor: [json(200, { status: "Canceled", percentComplete: -5 })],
  },
  "dataverse-status-codes": {
    description: "Dataverse: backgroundOperationStatusCode 0, 20, 22, then 30",
    initial: [startOnOwnMonitor],
    monitor: [
      json(200, { backgroundOperationStatusCode: 0 }),
      json(200, { backgroundOperationStatusCode: 20 }),
      json(200, { backgroundOperationStatusCode: 22 }),
      json(200, { backgroundOperationStatusCode: 30, backgroundOperationId: "b-1" }),
    ],
  },
  "dataverse-failed": {
    description: "Dataverse: backgroundOperationStatusCode 31",
    initial: [startOnOwnMonitor],
    monitor: [json(200, { backgroundOperationStatusCode: 31 })],
  },
  "dataverse-cancelled": {
    description: "Dataverse: backgroundOperationStatusCode 32",
    initial: [startOnOwnMonitor],
    monitor: [json(200, { backgroundOperationStatusCode: 32 })],
  },
  "sap-status-resource": {
    description: 'SAP style: 200 {"Status":"Running"} (200 while running), then Succeeded with a relative ResultURL',
    initial: [startOnOwnMonitor],
    monitor: [json(200, { Status: "Running", PercentComplete: 10 }), json(200, { Status: "Running" }), json(200, { Status: "Succeeded", ResultURL: "result/7" })],
    result: [resultOk],
  },
  "status-in-202-body": {
    description: "the 202 of the initial request carries a status and progress",
    initial: [accepted("monitor/1", {}, { status: "Accepted", percentComplete: 5 })],
    monitor: [json(200, { status: "Running" }), json(200, { status: "Done" })],
  },
  "status-words": {
    description: "every running word of rule 4, then an unknown word (running), then complete",
    initial: [startOnOwnMonitor],
    monitor: [
      ...["notStarted", "RUNNING", "inprogress", "Accepted", "started", "Waiting", "updating", "Provisioning", "canceling", "Cancelling", "DeletePending", "Thinking"].map(
        (word) => json(200, { status: word }),
      ),
      json(201, { status: "Complete" }),
    ],
  },
  "result-without-status": {
    description: "200 JSON without a status field: the body is the result (rule 5)",
    initial: [startOnOwnMonitor],
    monitor: [json(200, EXPORT_RESULT)],
  },
  "result-as-text": {
    description: "200 text/csv without a status field: the text is the result",
    initial: [startOnOwnMonitor],
    monitor: [{ status: 200, headers: { "content-type": "text/csv" }, text: "ID,rows\n7,1200\n" }],
  },
  "invalid-json": {
    description: "200 under application/json with a body that is not JSON",
    initial: [startOnOwnMonitor],
    monitor: [{ status: 200, headers: { "content-type": "application/json" }, text: '{"status": "Running",' }],
  },

  // The status monitor moves.
  "moving-monitor": {
    description: "every 202 names a new Location (relative to the request URL)",
    initial: [accepted("monitor/1")],
    monitor: [accepted("../monitor/2"), accepted("3?attempt=3"), json(200, EXPORT_RESULT)],
  },
  "query-location": {
    description: "the initial 202 names its monitor as a query-only relative reference",
    initial: [accepted("?monitor=1")],
    monitor: [json(200, EXPORT_RESULT)],
  },

  // Retry-After.
  "retry-after-zero": {
    description: "Retry-After: 0 on the initial 202 and every monitor 202",
    initial: [accepted("monitor/1", { "retry-after": "0" })],
    monitor: [accepted(undefined, { "retry-after": "0" }), accepted(undefined, { "retry-after": "0" }), json(200, EXPORT_RESULT)],
  },
  "retry-after-one-second": {
    description: "the first monitor 202 asks for Retry-After: 1",
    initial: [startOnOwnMonitor],
    monitor: [accepted(undefined, { "retry-after": "1" }), json(200, EXPORT_RESULT)],
  },
  "retry-after-long": {
    description: "the initial 202 asks for Retry-After: 3600",
    initial: [accepted("monitor/1", { "retry-after": "3600" })],
    monitor: [json(200, EXPORT_RESULT)],
  },
  "retry-after-date-past": {
    description: "Retry-After as an HTTP-date in the past",
    initial: [accepted("monitor/1", { "retry-after": httpDate(Date.UTC(2001, 0, 1)) })],
    monitor: [accepted(undefined, { "retry-after": httpDate(Date.UTC(2001, 0, 1)) }), json(200, EXPORT_RESULT)],
  },
  "retry-after-date-far": {
    description: "Retry-After as an HTTP-date an hour ahead",
    initial: [startOnOwnMonitor],
    monitor: [() => accepted(undefined, { "retry-after": httpDate(Date.now() + 3_600_000) }), json(200, EXPORT_RESULT)],
  },
  "retry-after-date-next-second": {
    description: "Retry-After as an HTTP-date: the next whole second at least 300 ms ahead",
    initial: [startOnOwnMonitor],
    monitor: [() => accepted(undefined, { "retry-after": httpDate(Math.ceil((Date.now() + 300) / 1000) * 1000) }), json(200, EXPORT_RESULT)],
  },

  // Cancellation.
  "cancel-200": {
    description: "DELETE on the monitor answers 200",
    initial: [startOnOwnMonitor],
    monitor: [(c) => (c.deletes > 0 ? empty(404) : empty(202))],
    cancel: [empty(200)],
  },
  "cancel-204": {
    description: "DELETE on the monitor answers 204",
    initial: [startOnOwnMonitor],
    monitor: [(c) => (c.deletes > 0 ? empty(404) : empty(202))],
    cancel: [empty(204)],
  },
  "cancel-202": {
    description: "DELETE answers 202: the cancellation runs; the monitor answers 202 once more, then 404",
    initial: [startOnOwnMonitor],
    monitor: [(c) => (c.sinceDelete === undefined || c.sinceDelete < 1 ? empty(202) : empty(404))],
    cancel: [empty(202)],
  },
  "cancel-405": {
    description: "DELETE answers 405: the service cannot cancel",
    initial: [startOnOwnMonitor],
    monitor: [empty(202), json(200, EXPORT_RESULT)],
    cancel: [odataError(405, "NOT_CANCELABLE", "this operation cannot be cancelled", { allow: "GET" })],
  },

  // The monitor expires.
  "expired-404": {
    description: "the monitor answers 404",
    initial: [startOnOwnMonitor],
    monitor: [empty(202), odataError(404, "NOT_FOUND", "no such job")],
  },
  "expired-410": {
    description: "the monitor answers 410 Gone",
    initial: [startOnOwnMonitor],
    monitor: [empty(410)],
  },

  // Transient answers (rule 9) and other failures (rule 10).
  "transient-burst": {
    description: "503, 429 (Retry-After: 0), 500, network error, then the result",
    initial: [startOnOwnMonitor],
    monitor: [
      odataError(503, "BUSY", "try later"),
      empty(429, { "retry-after": "0" }),
      empty(500),
      { status: 0, destroy: true },
      json(200, EXPORT_RESULT),
    ],
  },
  "transient-forever": {
    description: "the monitor answers 503 with an OData error, always",
    initial: [startOnOwnMonitor],
    monitor: [(c) => odataError(503, "BUSY", `overloaded (answer ${c.index + 1})`)],
  },
  "transient-then-running": {
    description: "four 503 answers, one 202, four more 503, then the result",
    initial: [startOnOwnMonitor],
    monitor: [...Array.from({ length: 4 }, () => empty(503)), empty(202), ...Array.from({ length: 4 }, () => empty(503)), json(200, EXPORT_RESULT)],
  },
  "socket-destroyed": {
    description: "the monitor destroys the socket of every request",
    initial: [startOnOwnMonitor],
    monitor: [{ status: 0, destroy: true }],
  },
  "forbidden-monitor": {
    description: "the monitor answers 403 with an OData error, then the result",
    initial: [startOnOwnMonitor],
    monitor: [odataError(403, "FORBIDDEN", "you may not see this job"), json(200, EXPORT_RESULT)],
  },
  "result-transient": {
    description: "303 to the result, whose first GET answers 503",
    initial: [startOnOwnMonitor],
    monitor: [empty(303, { location: "result/7" })],
    result: [empty(503), resultOk],
  },

  // Never done, or never answering.
  "never-finishes": {
    description: "the monitor answers 202 with progress forever",
    initial: [startOnOwnMonitor],
    monitor: [(c) => json(202, { status: "Running", percentComplete: Math.min(99, c.index * 10) })],
  },
  "hanging-monitor": {
    description: "the monitor never answers",
    initial: [startOnOwnMonitor],
    monitor: [{ status: 0, hang: true }],
  },
  "hanging-cancel": {
    description: "DELETE never answers",
    initial: [startOnOwnMonitor],
    monitor: [empty(202)],
    cancel: [{ status: 0, hang: true }],
  },

  // The service does not go async.
  "sync-200": {
    description: "the service ignores respond-async and answers 200 with the result",
    initial: [json(200, EXPORT_RESULT)],
  },
  "sync-201": {
    description: "the service ignores respond-async and answers 201 Created with Location",
    initial: [json(201, EXPORT_RESULT, { location: "Jobs(7)" })],
  },
  "sync-204": {
    description: "the service ignores respond-async and answers 204",
    initial: [empty(204)],
  },
  "accepted-without-location": {
    description: "202 without Location",
    initial: [accepted(undefined)],
  },
  "initial-400": {
    description: "the initial request fails with 400 and an OData v4 error",
    initial: [json(400, { error: { code: "INVALID_FORMAT", message: "format must be csv or json", target: "format" } })],
  },
  "initial-500-v2": {
    description: "the initial request fails with 500 and an OData v2 error",
    initial: [json(500, { error: { code: "SY/530", message: { lang: "en", value: "internal failure" } } })],
  },

  // Another origin.
  "monitor-on-foreign-origin": {
    description: "the 202 Location is on the other origin; so is the result (303)",
    initial: [(c) => accepted(`${c.foreignOrigin}/monitor/1`)],
    monitor: [empty(202), (c) => empty(303, { location: `${c.foreignOrigin}/result/7` })],
    result: [resultOk],
  },
  "result-on-foreign-origin": {
    description: "the monitor is the service's own; the ResultURL is on the other origin",
    initial: [startOnOwnMonitor],
    monitor: [(c) => json(200, { Status: "Succeeded", ResultURL: `${c.foreignOrigin}/result/7` })],
    result: [resultOk],
  },
} satisfies Record<string, Scenario>;

/** The name of a scenario in the table. */
export type ScenarioName = keyof typeof SCENARIOS;

/** A running async service (two servers: the service's origin and a foreign one). */
export interface AsyncService {
  /** The service root, `http://127.0.0.1:<port>/odata/`. */
  readonly serviceUrl: string;
  /** The service's origin. */
  readonly origin: string;
  /** Another origin (a second server) that plays the same scenario. */
  readonly foreignOrigin: string;
  /** Every request received since the last `scenario()`, in order of arrival. */
  readonly requests: RecordedRequest[];
  /** Plays the named scenario (or an ad-hoc one) from now on, and clears the request log. */
  scenario(name: ScenarioName | Scenario): void;
  /** The requests of one kind. */
  requestsOf(kind: RequestKind): RecordedRequest[];
  /** Waits until `count` requests have arrived (for tests that abort in-flight requests). */
  waitForRequests(count: number): Promise<void>;
  /** Answers every held (`hang`) request still open with `answer` (a status alone for an empty answer). */
  release(answer: Answer | number): void;
  close(): Promise<void>;
}

/** Starts the service on 127.0.0.1 with two free ports. */
export async function startAsyncService(): Promise<AsyncService> {
  const requests: RecordedRequest[] = [];
  let current: Scenario = { description: "none chosen yet" };
  let counts = new Map<RequestKind, number>();
  let deletes = 0;
  let countsAtDelete: Map<RequestKind, number> | undefined;
  let waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();

  const handle = (origin: () => string) => (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      const kind = kindOf(request.method ?? "GET", path);
      const recorded: RecordedRequest = {
        kind,
        origin: origin(),
        method: request.method ?? "GET",
        path,
        url: `${origin()}${path}`,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.now(),
        receivedAt: Date.now(),
      };
      requests.push(recorded);
      const index = counts.get(kind) ?? 0;
      counts.set(kind, index + 1);
      if (kind === "cancel") {
        deletes += 1;
        countsAtDelete ??= new Map(counts);
      }
      const sinceDelete = countsAtDelete === undefined ? undefined : index - (countsAtDelete.get(kind) ?? 0);
      waiters = waiters.filter((waiter) => {
        if (requests.length < waiter.count) return true;
        waiter.resolve();
        return false;
      });
      const script = kind === "other" ? undefined : current[kind];
      const step = script?.[Math.min(index, script.length - 1)];
      const answer =
        step === undefined
          ? odataError(404, "NOT_FOUND", `scenario "${current.description}" has no ${kind} answer for ${recorded.method} ${path}`)
          : typeof step === "function"
            ? step({ serviceUrl, origin: serviceOrigin, foreignOrigin, index, deletes, sinceDelete, request: recorded })
            : step;
      recorded.answer = answer;
      response.on("close", () => {
        held.delete(response);
        if (!response.writableFinished) recorded.abandoned = true;
      });
      if (answer.hang) held.add(response);
      else send(response, answer);
    });
  };

  const service = createServer(handle(() => serviceOrigin));
  const foreign = createServer(handle(() => foreignOrigin));
  for (const server of [service, foreign]) {
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
  }
  const serviceOrigin = await listen(service);
  const foreignOrigin = await listen(foreign);
  const serviceUrl = `${serviceOrigin}/odata/`;

  return {
    serviceUrl,
    origin: serviceOrigin,
    foreignOrigin,
    requests,
    scenario(name) {
      current = typeof name === "string" ? SCENARIOS[name] : name;
      requests.length = 0;
      counts = new Map();
      deletes = 0;
      countsAtDelete = undefined;
    },
    requestsOf(kind) {
      return requests.filter((r) => r.kind === kind);
    },
    release(answer) {
      for (const response of held) send(response, typeof answer === "number" ? empty(answer) : answer);
      held.clear();
    },
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([service, foreign].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function kindOf(method: string, path: string): RequestKind {
  if (method === "POST") return "initial";
  if (method === "DELETE") return "cancel";
  if (method !== "GET") return "other";
  const [pathname = "", query = ""] = path.split("?", 2);
  const segments = pathname.split("/");
  if (segments.includes("result")) return "result";
  if (segments.includes("monitor") || /(^|&)monitor=/.test(query)) return "monitor";
  return "other";
}

function send(response: ServerResponse, answer: Answer): void {
  if (answer.destroy) {
    response.socket?.destroy();
    return;
  }
  const headers: Record<string, string> = { ...answer.headers };
  let body = "";
  if (answer.json !== undefined) {
    body = JSON.stringify(answer.json);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  } else if (answer.text !== undefined) {
    body = answer.text;
  }
  response.writeHead(answer.status, headers);
  response.end(body);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}
