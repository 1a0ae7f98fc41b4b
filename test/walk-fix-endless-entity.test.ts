// A walk's page whose one entity, annotation, member name or white space never ends, against
// node:http services on 127.0.0.1 that keep sending for as long as the client reads: the scanner
// that reads a page too large to be parsed whole held the unfinished part without a bound, so the
// process died out of memory (exit 134, which no `catch` sees) where `get()` of one entity stops at
// 64 MiB. Now one unfinished entity (or value, or name) past 64 MiB rejects with BAD_PAYLOAD naming
// the page's request and the limit, and the connection is closed; a page of many small entities
// is still read whatever its size, its entities handed on as they end.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient } from "../src/index.js";
import { clientRejection } from "./servers/recording-server.js";
import { assertCutOff, serveEndless, type EndlessService } from "./servers/endless-service.js";

const LIMIT = 64 * 1024 * 1024;

/** Answers a JSON `head`, then `fill` for as long as the client reads (test/servers/endless-service.ts). */
function endlessService(t: { after(fn: () => Promise<void>): void }, head: string, fill: string): Promise<EndlessService> {
  return serveEndless(t, "application/json", head, fill, LIMIT);
}

async function walk(service: EndlessService, version?: "2.0"): Promise<unknown[]> {
  const client = new ODataClient({ serviceUrl: service.url("svc/"), retry: false, timeout: 5_000, ...(version ? { version } : {}) });
  const seen: unknown[] = [];
  for await (const entity of client.collection("Items")) seen.push(entity);
  return seen;
}

describe("a walk's page whose one entity never ends", () => {
  test("an entity whose string never ends rejects with BAD_PAYLOAD naming the page's request and the limit, and closes the connection", { timeout: 60_000 }, async (t) => {
    const service = await endlessService(t, '{"value":[{"ID":1,"s":"', "x");
    const error = await clientRejection(walk(service));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(
      error.message,
      `GET ${service.url("svc/Items")}: the collection body has an entity (with the white space after it) longer than ${LIMIT} characters, from character offset 10; it was not read further`,
    );
    await assertCutOff(service);
    assert.deepEqual(service.paths, ["/svc/Items"]);
  });

  test("white space that never ends after an entity rejects with BAD_PAYLOAD after 64 MiB, and closes the connection", { timeout: 60_000 }, async (t) => {
    const service = await endlessService(t, '{"value":[{"ID":1}', " ");
    const error = await clientRejection(walk(service));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, new RegExp(`^GET ${service.url("svc/Items").replace(/[.?]/g, "\\$&")}: the collection body has an entity .* longer than ${LIMIT} characters`));
    await assertCutOff(service);
  });

  test("an @odata.context annotation that never ends rejects with BAD_PAYLOAD naming it, and closes the connection", { timeout: 60_000 }, async (t) => {
    const service = await endlessService(t, '{"@odata.context":"', "x");
    const error = await clientRejection(walk(service));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(
      error.message,
      `GET ${service.url("svc/Items")}: the collection body has the value of "@odata.context" longer than ${LIMIT} characters, from character offset 18; it was not read further`,
    );
    await assertCutOff(service);
  });

  test("a member name that never ends rejects with BAD_PAYLOAD, and closes the connection", { timeout: 60_000 }, async (t) => {
    const service = await endlessService(t, '{"', "a");
    const error = await clientRejection(walk(service));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${service.url("svc/Items")}: the collection body has a member name longer than ${LIMIT} characters, from character offset 1; it was not read further`);
    await assertCutOff(service);
  });

  test("a v2 entity that never ends in d.results is refused the same way", { timeout: 60_000 }, async (t) => {
    const service = await endlessService(t, '{"d":{"results":[{"ID":1,"s":[', "[1],");
    const error = await clientRejection(walk(service, "2.0"));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, new RegExp(`an entity .* longer than ${LIMIT} characters, from character offset 17;`));
    await assertCutOff(service);
  });
});

describe("a walk's page larger than 64 MiB of ordinary entities", () => {
  test("is read to its end, entity by entity: the bound is on one entity, not on the page", { timeout: 60_000 }, async (t) => {
    const row = (i: number): string => JSON.stringify({ ID: i, name: `n${i}`, pad: "p".repeat(100) });
    const rows = 600_000; // about 75 MB of text
    let written = 0;
    const server = createServer((_request, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"value":[');
      let i = 0;
      const pump = (): void => {
        while (i < rows) {
          let text = "";
          for (const end = Math.min(rows, i + 500); i < end; i++) text += (i ? "," : "") + row(i);
          written += text.length;
          if (!res.write(text)) return void res.once("drain", pump);
        }
        res.end('],"@odata.count":600000}');
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = new ODataClient({ serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`, retry: false });
    let count = 0;
    let last: unknown;
    for await (const entity of client.collection("Items")) {
      count++;
      last = entity;
    }
    assert.ok(written > LIMIT, `the page was ${written} bytes`);
    assert.equal(count, rows);
    assert.deepEqual(last, JSON.parse(row(rows - 1)));
  });
});
