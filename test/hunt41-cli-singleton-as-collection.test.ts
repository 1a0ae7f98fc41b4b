// `query`, `count` and `export` of a singleton (`Me`): one entity, not a collection, whose answer
// the walk cannot read as pages ("the collection body has no value member") and whose `Me/$count`
// is no count. Where the command reads $metadata before (a table, CSV, partitions), it is refused
// before the singleton's request, naming `get`, which reads it; where it reads none (JSON, NDJSON,
// count), a 404 of its first request asks $metadata, as for a set of another case, and the error
// says the same, its exit code kept. Any other failure is told as it came, at no request more.
// Against a node:http service that answers $metadata and records what else it was sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendText, startServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Person"><Key><PropertyRef Name="UserName"/></Key>
<Property Name="UserName" Type="Edm.String" Nullable="false"/><Property Name="Age" Type="Edm.Int64"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="People" EntityType="NS.Person"/><Singleton Name="Me" Type="NS.Person"/><Singleton Name="Gone" Type="NS.Person"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

async function service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) {
      sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
      return;
    }
    if (request.path.startsWith("/svc/Gone/") || request.path === "/svc/Gone") {
      sendText(res, 404, '{"error":{"code":"404","message":"no such resource"}}', { "content-type": "application/json", "odata-version": "4.0" });
      return;
    }
    const body = request.path.startsWith("/svc/Me") ? '{"@odata.context":"$metadata#Me","UserName":"russell","Age":3}' : '{"value":[{"UserName":"a","Age":1}]}';
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" });
    res.end(body);
  });
  t.after(() => server.close());
  const sent = () => server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
  return { url: server.url("svc/"), sent };
}

const SAID = /"Me" is a singleton, one entity and no collection: traverse-odata get <service> Me reads it/;
const SAID_GONE = /"Gone" is a singleton, one entity and no collection: traverse-odata get <service> Gone reads it/;

test("query as a table or CSV, and export to CSV, of a singleton are refused before its request, naming get", async (t) => {
  const svc = await service(t);
  for (const args of [["query", svc.url, "Me"], ["query", svc.url, "Me", "--format", "csv"], ["export", svc.url, "Me", "--out", "-", "--format", "csv"], ["export", svc.url, "Me", "--out", "-", "--partition", "1/2"]]) {
    const result = await cliInProcess(args);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, SAID, args.join(" "));
    assert.equal(result.stdout, "");
  }
  assert.deepEqual(svc.sent(), ["GET /svc/$metadata", "GET /svc/$metadata", "GET /svc/$metadata", "GET /svc/$metadata"]);
});

test("query as JSON or NDJSON, export to NDJSON and count of a singleton answered 404: the error names get", async (t) => {
  const svc = await service(t);
  for (const args of [["query", svc.url, "Gone", "--format", "json"], ["query", svc.url, "Gone", "--format", "ndjson"], ["export", svc.url, "Gone", "--out", "-"], ["count", svc.url, "Gone"]]) {
    const result = await cliInProcess(args);
    // The 404's own exit code and words first.
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /no such resource.*; /, args.join(" "));
    assert.match(result.stderr, SAID_GONE, args.join(" "));
    assert.equal(result.stdout, "");
  }
});

test("a singleton's entity answered to JSON or count is told as the library reads it, asking no $metadata", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["query", svc.url, "Me", "--format", "json"]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /the collection body has no "value" member\n$/);
  assert.deepEqual(svc.sent(), ["GET /svc/Me"]);
});

test("an entity set is read as before: no singleton note, and a set's own failure is left as it was", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["query", svc.url, "People", "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(svc.sent(), ["GET /svc/People"]);
});
