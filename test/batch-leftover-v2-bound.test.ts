// An OData v2 batch part bound to an entity or a set is refused for what v2 lacks, bound
// operations (UNSUPPORTED_BY_VERSION), before the query's own options ($expand, $select) are
// named: those would matter only to a service that had bound operations.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataClientError } from "../src/index.js";
import { serve } from "./batch-server.js";

const CRLF = "\r\n";

test("a v2 batch part bound to key(1).expand(...) is refused with UNSUPPORTED_BY_VERSION, not for its $expand, and nothing is sent", async (t) => {
  const service = await serve(() => ({
    status: 202,
    headers: { "Content-Type": "multipart/mixed; boundary=r" },
    body: `--r${CRLF}Content-Type: application/http${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}{"d":{"ping":1}}${CRLF}--r--${CRLF}`,
  }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "2.0", retry: false });
  const books = client.collection<{ ID: number; author?: object }>("Books");
  const batch = client.batch();
  const bounds = [books.key(1).expand("author"), books.key(1).select("ID"), books.expand("author")] as const;
  for (const bound of bounds) {
    for (const add of [() => batch.function("top", {}, { bound }), () => batch.action("mark", {}, { bound })]) {
      assert.throws(add, (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && /OData v2 has no bound operations/.test(error.message));
    }
  }
  // Refused when added: the batch holds only what came after, and the service got only that.
  const ping = batch.function<number>("ping");
  await batch.send();
  assert.equal(service.seen.length, 1);
  assert.deepEqual(service.seen[0]!.body.split(CRLF).filter((line) => /^(GET|POST) /.test(line)), ["GET ping HTTP/1.1"]);
  assert.deepEqual((ping.result() as { value?: unknown }).value, 1);
});
