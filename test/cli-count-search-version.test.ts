/**
 * `count --search` knows the service's version as `query --search` does: named without
 * `--odata-version`, a service whose `$metadata` declares OData 2.0 is refused `$search` (exit 2,
 * nothing sent but `$metadata`), where the count went out with a `$search` v2 does not have. A v4
 * service gets its `$search`; a count without `--search` reads no `$metadata`. A set the service
 * answers 404 is explained by the `$metadata` read for `--search`, not by a second read. Over
 * node:http on 127.0.0.1; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";
import { BOOKS_V2_METADATA, metadataService } from "./servers/metadata-service.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const V4_METADATA = `<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="title" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="Books" EntityType="NS.Book"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

/** A service whose `$metadata` is `metadata`, its counts 3. */
function service(t: { after(fn: () => Promise<void>): void }, metadata: string, versionHeader: Record<string, string>) {
  return metadataService(t, metadata, versionHeader, (request, res) => {
    if (request.path.includes("/$count")) return sendText(res, 200, "3", versionHeader);
    sendJson(res, 404, { error: { code: "404", message: "not here" } });
  });
}

test("count --search of a service whose $metadata declares OData 2.0 is refused as query --search is; nothing but $metadata is sent", async (t) => {
  const server = await service(t, BOOKS_V2_METADATA, { dataserviceversion: "2.0" });
  const count = await cliInProcess(["count", server.url("svc/"), "Books", "--search", "Emma"]);
  const query = await cliInProcess(["query", server.url("svc/"), "Books", "--search", "Emma"]);
  assert.equal(count.code, 2, show(count));
  assert.equal(count.stdout, "");
  assert.match(count.stderr, /\$search does not exist in OData 2\.0/);
  assert.equal(query.code, 2, show(query));
  assert.equal(count.stderr, query.stderr);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /svc/$metadata", "GET /svc/$metadata"],
  );
});

test("count --search of an OData v4 service sends $search after $metadata; a count without --search reads no $metadata", async (t) => {
  const server = await service(t, V4_METADATA, { "odata-version": "4.0" });
  const searched = await cliInProcess(["count", server.url("svc/"), "Books", "--search", "Emma"]);
  assert.equal(searched.code, 0, show(searched));
  assert.equal(searched.stdout, "3\n");
  const plain = await cliInProcess(["count", server.url("svc/"), "Books", "--filter", "ID gt 1"]);
  assert.equal(plain.code, 0, show(plain));
  assert.equal(plain.stdout, "3\n");
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    ["GET /svc/$metadata", "GET /svc/Books/$count?$search=Emma", "GET /svc/Books/$count?$filter=ID gt 1"],
  );
});

test("count --search with --odata-version 2.0 is refused before anything is sent", async (t) => {
  const server = await service(t, BOOKS_V2_METADATA, { dataserviceversion: "2.0" });
  const count = await cliInProcess(["count", server.url("svc/"), "Books", "--search", "Emma", "--odata-version", "2.0"]);
  assert.equal(count.code, 2, show(count));
  assert.match(count.stderr, /\$search does not exist in OData 2\.0/);
  assert.deepEqual(server.requests, []);
});

test("count --search of a set the service answers 404, $metadata declaring OData 4.01: the one $metadata read serves the error's explanation too", async (t) => {
  const server = await metadataService(t, V4_METADATA.replace('Version="4.0"', 'Version="4.01"'), { "odata-version": "4.01" }, (_request, res) => sendJson(res, 404, { error: { code: "404", message: "not here" } }));
  const count = await cliInProcess(["count", server.url("svc/"), "books", "--search", "Emma"]);
  assert.equal(count.code, 3, show(count));
  assert.equal(count.stdout, "");
  assert.equal(count.stderr, `error: GET ${server.url("svc/books/$count")}?$search=Emma failed with HTTP 404 Not Found [404]: not here; the service has no entity set "books" (did you mean "Books"?); it has Books\n`);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    ["GET /svc/$metadata", "GET /svc/books/$count?$search=Emma"],
  );
});

test("count --search where the service answers $metadata 404 and the set 404: $metadata is asked once", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 404, { error: { code: "404", message: "not here" } }));
  t.after(() => server.close());
  const count = await cliInProcess(["count", server.url("svc/"), "books", "--search", "Emma"]);
  assert.equal(count.code, 3, show(count));
  assert.equal(count.stderr, `error: GET ${server.url("svc/books/$count")}?$search=Emma failed with HTTP 404 Not Found [404]: not here\n`);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    ["GET /svc/$metadata", "GET /svc/books/$count?$search=Emma"],
  );
});
