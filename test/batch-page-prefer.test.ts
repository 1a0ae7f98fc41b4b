/**
 * `batch.page(query)` sends the `Prefer` that `query.page()` sends: `odata.maxpagesize` from the
 * client's `maxPageSize` and `odata.track-changes` from `trackChanges()`, so a change-tracked query
 * read through `$batch` gets its deltaLink. Multipart and JSON batches, on node:http servers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerResponse } from "node:http";
import type { ODataClient } from "../src/index.js";
import { serveClient, sendJson, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

const CRLF = "\r\n";

/** One collection answer; with a deltaLink where the request asked to track changes. */
function pageBody(prefer: string | undefined): Record<string, unknown> {
  return { value: [{ ID: 1 }], ...(prefer?.includes("odata.track-changes") ? { "@odata.deltaLink": "Books?$deltatoken=abc" } : {}) };
}

/** The headers of the one request inside a multipart `$batch` body, lower-cased names. */
function partHeaders(body: string): Record<string, string> {
  const lines = body.split(CRLF);
  const start = lines.findIndex((line) => line.startsWith("GET "));
  const headers: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (line === "") break;
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * A service that answers a collection GET with one page and a `$batch` (multipart or JSON) with
 * that page for its one request, each with a deltaLink only when its own Prefer asked for it.
 */
function service(request: RecordedRequest, res: ServerResponse): void {
  if (!request.path.endsWith("/$batch")) return sendJson(res, 200, pageBody(request.headers["prefer"] as string | undefined));
  if (String(request.headers["content-type"]).startsWith("application/json")) {
    const [only] = (JSON.parse(request.body) as { requests: { id: string; headers?: Record<string, string> }[] }).requests;
    return sendJson(res, 200, { responses: [{ id: only!.id, status: 200, headers: { "content-type": "application/json" }, body: pageBody(only!.headers?.["prefer"]) }] });
  }
  const part = ["--r", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", JSON.stringify(pageBody(partHeaders(request.body)["prefer"]))].join(CRLF);
  const body = `${part}${CRLF}--r--${CRLF}`;
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=r", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** The Prefer of the one request in the batch the server got last (`undefined`: none). */
function sentPrefer(server: RecordingServer): string | undefined {
  const sent = server.requests.at(-1)!;
  assert.equal(sent.path, "/svc/$batch");
  if (String(sent.headers["content-type"]).startsWith("application/json")) {
    const [only] = (JSON.parse(sent.body) as { requests: { method: string; url: string; headers?: Record<string, string> }[] }).requests;
    assert.equal(`${only!.method} ${only!.url}`, "GET Books");
    return only!.headers?.["prefer"];
  }
  assert.ok(sent.body.includes(`${CRLF}GET Books HTTP/1.1${CRLF}`), sent.body);
  return partHeaders(sent.body)["prefer"];
}

/** `query.page()` of `Books` alone, then `batch.page()` of it: the Prefer each sent, and each page. */
async function pageBothWays(server: RecordingServer, client: ODataClient, format: "multipart" | "json", tracked: boolean) {
  const books = client.collection("Books");
  const query = tracked ? books.trackChanges() : books;
  const alone = await query.page();
  const preferAlone = server.requests.at(-1)!.headers["prefer"] as string | undefined;
  const batch = client.batch({ format });
  const handle = batch.page(query);
  await batch.send();
  const result = handle.result();
  assert.ok(result.ok, JSON.stringify(result));
  return { alone, preferAlone, inBatch: result.value, preferInBatch: sentPrefer(server) };
}

for (const format of ["multipart", "json"] as const) {
  test(`${format}: batch.page() of a trackChanges() query on a client with maxPageSize sends query.page()'s Prefer and its page has the deltaLink`, async (t) => {
    const { server, client, root } = await serveClient(t, service, { maxPageSize: 50 }, "svc/");
    const { alone, preferAlone, inBatch, preferInBatch } = await pageBothWays(server, client, format, true);
    assert.equal(preferAlone, "odata.maxpagesize=50, odata.track-changes");
    assert.equal(preferInBatch, preferAlone);
    assert.equal(inBatch.deltaLink, `${root}Books?$deltatoken=abc`);
    assert.deepEqual(inBatch, alone);
  });

  test(`${format}: batch.page() of a trackChanges() query sends odata.track-changes alone when the client has no maxPageSize`, async (t) => {
    const { server, client, root } = await serveClient(t, service, {}, "svc/");
    const { preferAlone, inBatch, preferInBatch } = await pageBothWays(server, client, format, true);
    assert.equal(preferAlone, "odata.track-changes");
    assert.equal(preferInBatch, "odata.track-changes");
    assert.equal(inBatch.deltaLink, `${root}Books?$deltatoken=abc`);
  });

  test(`${format}: batch.page() on a client with maxPageSize sends odata.maxpagesize, and no deltaLink is asked for`, async (t) => {
    const { server, client } = await serveClient(t, service, { maxPageSize: 7 }, "svc/");
    const { preferAlone, inBatch, preferInBatch } = await pageBothWays(server, client, format, false);
    assert.equal(preferAlone, "odata.maxpagesize=7");
    assert.equal(preferInBatch, "odata.maxpagesize=7");
    assert.deepEqual(inBatch, { value: [{ ID: 1 }] });
  });
}

test("multipart: batch.page() of a plain query sends no Prefer, as query.page() sends none", async (t) => {
  const { server, client } = await serveClient(t, service, {}, "svc/");
  const { preferAlone, inBatch, preferInBatch } = await pageBothWays(server, client, "multipart", false);
  assert.equal(preferAlone, undefined);
  assert.equal(preferInBatch, undefined);
  assert.deepEqual(inBatch, { value: [{ ID: 1 }] });
});

test("OData v2: batch.page() of a trackChanges() query on a client with maxPageSize sends no Prefer, as query.page() sends none", async (t) => {
  const { server, client } = await serveClient(
    t,
    (request, res) => {
      if (!request.path.endsWith("/$batch")) return sendJson(res, 200, { d: { results: [{ ID: 1 }] } });
      const part = ["--r", "Content-Type: application/http", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", JSON.stringify({ d: { results: [{ ID: 1 }] } })].join(CRLF);
      const body = `${part}${CRLF}--r--${CRLF}`;
      res.writeHead(200, { "content-type": "multipart/mixed; boundary=r", "content-length": Buffer.byteLength(body) });
      res.end(body);
    },
    { version: "2.0", maxPageSize: 50 },
    "svc/",
  );
  const { preferAlone, inBatch, preferInBatch } = await pageBothWays(server, client, "multipart", true);
  assert.equal(preferAlone, undefined);
  assert.equal(preferInBatch, undefined);
  assert.deepEqual(inBatch.value, [{ ID: 1 }]);
});

test("multipart: batch.get() sends no Prefer on a client with maxPageSize, as key().get() sends none (a page's preference)", async (t) => {
  const { server, client } = await serveClient(t, service, { maxPageSize: 7 }, "svc/");
  await client.collection("Books").key(1).get();
  const alone = server.requests.at(-1)!.headers;
  const batch = client.batch();
  batch.get(client.collection("Books").key(1));
  await batch.send();
  const sent = server.requests.at(-1)!;
  assert.ok(sent.body.includes(`${CRLF}GET Books(1) HTTP/1.1${CRLF}`), sent.body);
  assert.equal(alone["prefer"], undefined);
  assert.equal(partHeaders(sent.body)["prefer"], undefined);
  assert.equal(partHeaders(sent.body)["accept"], alone["accept"]);
});
