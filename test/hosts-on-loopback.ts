/**
 * A node:http server on 127.0.0.1 standing in for a service on a host of its own (Microsoft
 * Graph's `https://graph.microsoft.com`, say), and a `fetch` for the client's `fetch` option that
 * sends every request there with its path and query, the response's `url` the original one. The
 * library's rules that go by the host (Graph's monitor paths) are then tested over real HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";

/** What the server is given of each request: its URL on the loopback server, and its body as text. */
export interface LoopbackRequest {
  url: URL;
  body: string;
}

export type LoopbackHandler = (request: IncomingMessage, response: ServerResponse, read: LoopbackRequest) => void;

/** Starts the server (closed when `t` ends); `asked` lists `METHOD url` of each request as the client made it. */
export async function hostsOnLoopback(t: TestContext, handle: LoopbackHandler): Promise<{ asked: string[]; fetch: typeof fetch }> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    handle(request, response, { url: new URL(request.url ?? "/", "http://loopback"), body: Buffer.concat(chunks).toString("utf8") });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  t.after(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  const asked: string[] = [];
  const fetchVia: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    asked.push(`${init?.method ?? "GET"} ${url.href}`);
    const response = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, init);
    Object.defineProperty(response, "url", { value: url.href });
    return response;
  };
  return { asked, fetch: fetchVia };
}
