/**
 * A plain node:http server on 127.0.0.1 (port 0) for the client-core tests: it records every request
 * it receives (method, path, headers, body) and answers with a handler the test supplies.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import assert from "node:assert/strict";
import { setTimeout as realSleep } from "node:timers/promises";
import { ODataClient, ODataClientError, type ODataClientOptions, type PipelineStep } from "../../src/index.js";

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** Header names in lower case, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: string;
  /** When the request's headers arrived (Date.now()). */
  at: number;
}

/** Answers one request; the recorded request is already in `server.requests`. */
export type Handler = (request: RecordedRequest, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;

export interface RecordingServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.1:<port>/` plus `path`. */
  url(path?: string): string;
  requests: RecordedRequest[];
  /** Stops the server and destroys open connections (including ones left hanging on purpose). */
  close(): Promise<void>;
}

/** Starts a server; pair it with `t.after(() => server.close())`. */
export async function startServer(handler: Handler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at,
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res, req)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path = "") => `${origin}/${path.replace(/^\//, "")}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends a small JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends a small text answer. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** What tests hand to {@link serveClient} so the server closes when the test ends. */
export interface TestContextLike {
  after(fn: () => Promise<void>): void;
}

/**
 * A recording server answering with `handler`, closed after the test, and a client on its service
 * root `rootPath` (retries off, so every request the test sees is one the code under test sent;
 * `options` may say otherwise).
 *
 * @example
 * const { server, client } = await serveClient(t, answerJson(200, { value: [] }), { version: "4.01" });
 * await client.collection("Items").page();
 * assert.equal(onlyRequest(server).path, "/odata/Items");
 */
export async function serveClient(
  t: TestContextLike,
  handler: Handler,
  options: Partial<ODataClientOptions> = {},
  rootPath = "odata/",
): Promise<{ server: RecordingServer; client: ODataClient; root: string }> {
  const server = await startServer(handler);
  t.after(() => server.close());
  const root = server.url(rootPath);
  return { server, client: new ODataClient({ serviceUrl: root, retry: false, ...options }), root };
}

/** A handler that answers every request with the same JSON. */
export function answerJson(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, res) => sendJson(res, status, body, headers);
}

/** The one request the server saw (fails the test when there were more or none). */
export function onlyRequest(server: RecordingServer): RecordedRequest {
  assert.equal(server.requests.length, 1, `expected one request, got ${server.requests.map((r) => `${r.method} ${r.path}`).join(", ")}`);
  return server.requests[0] as RecordedRequest;
}

/** A pipeline step that records the signal of every request and whether it was aborted when sent. */
export function signalRecorder(): { seen: Array<{ signal: AbortSignal | undefined; aborted: boolean }>; step: PipelineStep } {
  const seen: Array<{ signal: AbortSignal | undefined; aborted: boolean }> = [];
  const step: PipelineStep = {
    name: "signals",
    handle(request, next) {
      seen.push({ signal: request.signal, aborted: request.signal?.aborted ?? false });
      return next(request);
    },
  };
  return { seen, step };
}

/**
 * The smallest useful `$metadata`: namespace `S`, entity type `Item` keyed by `ID` (Edm.Int32), and
 * the entity set `Items` in container `C`. For tests that need a model, not a particular one.
 */
export const ITEMS_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** How many "Timeout" resources are active in the process (the library's timers among them). */
export const activeTimers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

/**
 * Waits until `condition` holds, polling every 5 ms on the real clock (node:timers/promises stays
 * real under fake time: only the global setTimeout is faked); fails the test after `ms`.
 */
export async function waitFor(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await realSleep(5);
  }
}

/** The `ODataClientError` that `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function clientRejection(promise: Promise<unknown>): Promise<ODataClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a rejection");
}
