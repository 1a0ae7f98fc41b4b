/**
 * `count --search` knows the service's version as `query --search` does: named without
 * `--odata-version`, a service whose `$metadata` declares OData 2.0 is refused `$search` (exit 2,
 * nothing sent but `$metadata`), where the count went out with a `$search` v2 does not have. A v4
 * service gets its `$search`; a count without `--search` reads no `$metadata`. Over node:http on
 * 127.0.0.1; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
  <edmx:DataServices m:DataServiceVersion="2.0">
    <Schema Namespace="NS" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
      <EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="title" Type="Edm.String"/></EntityType>
      <EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Books" EntityType="NS.Book"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

const V4_METADATA = `<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="title" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="Books" EntityType="NS.Book"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

/** A service whose `$metadata` is `metadata`, its counts 3. */
async function service(t: { after(fn: () => void): void }, metadata: string, versionHeader: Record<string, string>) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml", ...versionHeader });
    if (request.path.includes("/$count")) return sendText(res, 200, "3", versionHeader);
    sendJson(res, 404, { error: { code: "404", message: "not here" } });
  });
  t.after(() => server.close());
  return server;
}

test("count --search of a service whose $metadata declares OData 2.0 is refused as query --search is; nothing but $metadata is sent", async (t) => {
  const server = await service(t, V2_METADATA, { dataserviceversion: "2.0" });
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
  const server = await service(t, V2_METADATA, { dataserviceversion: "2.0" });
  const count = await cliInProcess(["count", server.url("svc/"), "Books", "--search", "Emma", "--odata-version", "2.0"]);
  assert.equal(count.code, 2, show(count));
  assert.match(count.stderr, /\$search does not exist in OData 2\.0/);
  assert.deepEqual(server.requests, []);
});
