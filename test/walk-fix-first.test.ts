// first() against node:http services on 127.0.0.1 that ignore its `$top=1` and answer the whole
// collection unpaged: it read the whole answer (1.5 million entities: seconds and hundreds of MiB
// of heap) to give the first entity. Now it stops after the first entity and cancels the body.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient } from "../src/index.js";

const row = (i: number): string => JSON.stringify({ ID: i, name: `n${i}`, pad: "p".repeat(100) });

/** A service answering every request with `rows` entities in one page (about 130 bytes each), honouring backpressure. */
async function unpagedService(t: { after(fn: () => Promise<void>): void }, rows: number, version: "4.0" | "2.0" = "4.0") {
  const seen: string[] = [];
  let finished: boolean | undefined;
  let closed: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (closed = resolve));
  let written = 0;
  const server = createServer((request, res) => {
    seen.push(request.url ?? "");
    res.writeHead(200, { "content-type": "application/json" });
    res.write(version === "2.0" ? '{"d":{"results":[' : '{"value":[');
    let i = 0;
    res.on("close", () => {
      finished = res.writableFinished;
      closed();
    });
    const pump = (): void => {
      while (i < rows && !res.destroyed) {
        let text = "";
        for (const end = Math.min(rows, i + 500); i < end; i++) text += (i ? "," : "") + row(i);
        written += text.length;
        if (!res.write(text)) return void res.once("drain", pump);
      }
      res.end(version === "2.0" ? "]}}" : "]}");
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  );
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`,
    seen,
    done,
    finished: () => finished,
    written: () => written,
  };
}

test("first() on a service that ignores $top=1 gives the first entity and cancels the rest of the answer", { timeout: 60_000 }, async (t) => {
  const rows = 400_000; // about 50 MB
  const service = await unpagedService(t, rows);
  const client = new ODataClient({ serviceUrl: service.serviceUrl, retry: false });
  const first = await client.collection("Items").filter("ID ge 0").first();
  assert.deepEqual(first, JSON.parse(row(0)));
  assert.deepEqual(service.seen, ["/svc/Items?$filter=ID%20ge%200&$top=1"]);
  await service.done;
  assert.equal(service.finished(), false, "the answer was read to its end");
  // What the client read before it stopped: its buffer for a whole-page parse (8 MiB) and what was in flight.
  assert.ok(service.written() < 40 * 1024 * 1024, `the service wrote ${service.written()} bytes`);
});

test("first() of OData v2 stops after the first entity of d.results too", { timeout: 60_000 }, async (t) => {
  const service = await unpagedService(t, 400_000, "2.0");
  const client = new ODataClient({ serviceUrl: service.serviceUrl, version: "2.0", retry: false });
  assert.deepEqual(await client.collection("Items").first(), JSON.parse(row(0)));
  assert.deepEqual(service.seen, ["/svc/Items?$top=1"]);
  await service.done;
  assert.equal(service.finished(), false, "the answer was read to its end");
});

test("first() of a page read whole is its first entity, as before", async (t) => {
  const service = await unpagedService(t, 3);
  const client = new ODataClient({ serviceUrl: service.serviceUrl, retry: false });
  assert.deepEqual(await client.collection("Items").first(), JSON.parse(row(0)));
  await service.done;
  assert.equal(service.finished(), true);
});
