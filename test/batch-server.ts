/**
 * A node:http service on 127.0.0.1 for the `$batch` tests that script each answer: every request is
 * kept as it came (method, URL, headers, body), and `handler` gives the answer's status, headers
 * and body (text or bytes).
 */
import http from "node:http";
import assert from "node:assert/strict";
import { ODataHttpError, type BatchResult } from "../src/index.js";

/** One scripted answer. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string | Buffer };

/** A request as the service got it. */
export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Starts the service; `url` is its service root (`/svc/`). */
export async function serve(handler: (request: Seen) => Reply): Promise<{ url: string; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const request = { method: req.method!, url: req.url!, headers: req.headers, body };
    seen.push(request);
    const reply = handler(request);
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body ?? "");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/svc/`, seen, close: () => (server.closeAllConnections(), server.close()) };
}

/** The JSON answer's `Content-Type`. */
export const json = { "Content-Type": "application/json" };

/** A batch result as the tests compare it: ok with its status and value, or its status and error code. */
export const short = (result: { ok: boolean; status: number | undefined; value?: unknown; error?: { code: string } }) =>
  result.ok ? { ok: true, status: result.status, value: result.value } : { ok: false, status: result.status, code: result.error?.code };

/** A JSON batch's answer to three GETs: request 1 runs asynchronously (its 202 first, monitor `mon/1`), 2 and 3 are answered at once. */
export const answeredAfter202: Reply = {
  status: 200,
  headers: json,
  body: JSON.stringify({
    responses: [
      { id: "1", status: 202, headers: { location: "mon/1" } },
      { id: "2", status: 200, headers: json, body: { ID: 2 } },
      { id: "3", status: 200, headers: json, body: { ID: 3 } },
    ],
  }),
};

/** The `ODataHttpError` of a part that failed with `status`, failing where it did not. */
export function failure(result: BatchResult<unknown>, status: number): ODataHttpError {
  assert.equal(result.ok, false);
  assert.equal(result.status, status);
  const { error } = result as { error: unknown };
  assert.ok(error instanceof ODataHttpError);
  assert.equal(error.status, status);
  return error;
}
