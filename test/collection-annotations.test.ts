// The annotations a collection carries (next link, count, delta link) are read from one table
// (src/payload/annotations.ts) under every name OData gives them: `@odata.nextLink`, 4.01's
// `@nextLink`, v3-era JSON light's `odata.nextLink` (no "@"), v2's `__next`. A page, a `$batch`
// part and a delta page read them alike, on the wire against a node:http server.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError, type ODataVersion } from "../src/index.js";
import { sendJson, startServer, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

/** A body for the collection `Books` whose annotations have the given names. */
function v4Body(next: string, count: string): Record<string, unknown> {
  return { value: [{ ID: 1 }], [next]: "Books?$skiptoken=1", [count]: 42 };
}

function v2Body(): Record<string, unknown> {
  return { d: { results: [{ ID: 1 }], __next: "Books?$skiptoken=1", __count: "42" } };
}

/** A multipart batch answer with one JSON part. */
function multipartAnswer(res: ServerResponse, body: unknown): void {
  const text = [
    "--r",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json",
    "",
    JSON.stringify(body),
    "--r--",
    "",
  ].join("\r\n");
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=r" });
  res.end(text);
}

/**
 * A service whose every answer carries `body`: `Books` as a page, `$batch` as the one part of a
 * multipart answer, `Changes` (a delta link) as a delta page.
 */
async function service(t: TestContextLike, body: unknown): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$batch")) return multipartAnswer(res, body);
    sendJson(res, 200, body);
  });
  t.after(() => server.close());
  return server;
}

/** What a page, a batch part and a delta page read from the same body. */
async function readAllThree(server: RecordingServer, version: ODataVersion) {
  const client = new ODataClient({ serviceUrl: server.url("odata/"), version, retry: false });
  const books = client.collection("Books").count();
  const page = await books.page();
  const batch = client.batch({ format: "multipart" });
  const handle = batch.page(books);
  await batch.send();
  const part = handle.result();
  assert.ok(part.ok, part.ok ? "" : part.error.message);
  let deltaNext: string | undefined;
  for await (const deltaPage of client.delta("Changes?$deltatoken=1")) {
    deltaNext = deltaPage.nextLink;
    break;
  }
  return { page, part: part.value, deltaNext };
}

describe("every name of a collection annotation is read by a page, a $batch part and a delta page", { concurrency: true }, () => {
  const forms: [string, ODataVersion, unknown][] = [
    ["@odata.nextLink and @odata.count (OData v4)", "4.0", v4Body("@odata.nextLink", "@odata.count")],
    ["@nextLink and @count (OData 4.01)", "4.0", v4Body("@nextLink", "@count")],
    ["odata.nextLink and odata.count (v3-era JSON light)", "4.0", v4Body("odata.nextLink", "odata.count")],
    ["__next and __count (OData v2)", "2.0", v2Body()],
  ];
  for (const [names, version, body] of forms) {
    test(names, async (t) => {
      const server = await service(t, body);
      const { page, part, deltaNext } = await readAllThree(server, version);
      const expected = server.url("odata/Books?$skiptoken=1");
      assert.deepEqual(page, { value: [{ ID: 1 }], nextLink: expected, count: 42 });
      assert.deepEqual(part, { value: [{ ID: 1 }], nextLink: expected, count: 42 });
      assert.equal(deltaNext, expected);
    });
  }
});

test("a next link that is not a string is BAD_PAYLOAD in a page and BAD_BATCH_RESPONSE in a batch part, naming the member", async (t) => {
  const server = await service(t, { value: [], "odata.nextLink": 7 });
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  await assert.rejects(client.collection("Books").page(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD" && /"odata.nextLink" is .*7, not a link/.test(error.message));
  const batch = client.batch({ format: "multipart" });
  batch.page(client.collection("Books"));
  await assert.rejects(batch.send(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE" && /"odata.nextLink" is .*7, not a link/.test(error.message));
});
