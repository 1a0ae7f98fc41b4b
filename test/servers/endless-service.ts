/**
 * A node:http service on 127.0.0.1 whose answer never ends: `head`, then `fill` for as long as the
 * client reads, honouring backpressure as a real server does. For the tests of the bounds the
 * library sets on what it reads (a page, an entity, an answer read whole).
 */
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What a client may have been sent beyond the limit when it stops reading: what was in flight in
 * the sockets' buffers (and the chunk it was scanning). The service gives up 16 MiB later (the
 * connection destroyed), so a client that reads on fails without filling the test's memory.
 */
export const IN_FLIGHT = 32 * 1024 * 1024;

export interface EndlessService {
  url(path: string): string;
  /** The path of each request, in order. */
  readonly paths: string[];
  /** Resolves when the first answer's connection is closed, with the bytes written by then and whether the server gave up. */
  readonly closed: Promise<{ written: number; capped: boolean }>;
  /** The bytes written to the answer so far. */
  written(): number;
  /** The limit the client is to stop at. */
  readonly limit: number;
}

/** Starts the service for the test `t` (closed after it); it answers every request the same way. */
export async function serveEndless(t: { after(fn: () => Promise<void>): void }, contentType: string, head: string, fill: string, limit: number): Promise<EndlessService> {
  const cap = limit + IN_FLIGHT + 16 * 1024 * 1024;
  const chunk = Buffer.from(fill.repeat(Math.ceil((64 * 1024) / fill.length)));
  const paths: string[] = [];
  let written = 0;
  let closedWith: (value: { written: number; capped: boolean }) => void = () => undefined;
  const closed = new Promise<{ written: number; capped: boolean }>((resolve) => (closedWith = resolve));
  const server = createServer((request, res: ServerResponse) => {
    paths.push(request.url ?? "");
    res.writeHead(200, { "content-type": contentType });
    written += Buffer.byteLength(head);
    res.write(head);
    let capped = false;
    const pump = (): void => {
      while (!res.destroyed) {
        if (written >= cap) {
          capped = true;
          res.destroy();
          return;
        }
        written += chunk.byteLength;
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
    };
    res.on("close", () => closedWith({ written, capped }));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: (path) => `http://127.0.0.1:${port}/${path}`, paths, closed, written: () => written, limit };
}

/**
 * That the service saw its answer's connection closed by the client soon after the rejection, not
 * given up on by the server, having written past the limit no more than was in flight, and that no
 * data flowed after that.
 */
export async function assertCutOff(service: EndlessService): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the client kept the connection open for 5 s after the rejection")), 5_000);
  });
  const { written, capped } = await Promise.race([service.closed, late]).finally(() => clearTimeout(timer));
  assert.equal(capped, false, "the server gave up: the client read on past the limit");
  assert.ok(written > service.limit && written < service.limit + IN_FLIGHT, `the server wrote ${written} bytes`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(service.written(), written, "data kept flowing after the connection closed");
}
