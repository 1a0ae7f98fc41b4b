// `get <service> <singleton>`: a singleton (v4 `<Singleton>`, Graph's `me`) has no key, and is read
// by its name alone (`GET Me`); an entity set given no key is refused before anything is sent,
// naming the key it needs; a singleton given a key is refused too (`Me(1)` addresses nothing).
// Against a node:http service that answers $metadata and records what else it was sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.01"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Person"><Key><PropertyRef Name="UserName"/></Key>
<Property Name="UserName" Type="Edm.String" Nullable="false"/><Property Name="Age" Type="Edm.Int64"/></EntityType>
<EntityContainer Name="C">
<EntitySet Name="People" EntityType="NS.Person"/>
<Singleton Name="Me" Type="NS.Person"/>
<Singleton Name="Deputy" Type="NS.Person" Nullable="true"/>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

async function service(t: { after(fn: () => Promise<void>): void }, options: { metadata?: boolean } = {}) {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") {
      if (options.metadata === false) return sendText(res, 404, "no metadata");
      return sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.01" });
    }
    if (request.path.startsWith("/svc/Deputy")) {
      res.writeHead(204, { "odata-version": "4.01" });
      res.end();
      return;
    }
    // Digits beyond a double's: printed as sent. An entity set answers a page.
    const body = request.path.startsWith("/svc/People")
      ? `{"@odata.context":"$metadata#People","value":[{"UserName":"a","Age":1}],"@odata.nextLink":"People?$skiptoken=1"}`
      : `{"@odata.context":"$metadata#Me","UserName":"russell","Age":9007199254740993}`;
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.01", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  t.after(() => server.close());
  const sent = () => server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
  return { url: server.url("svc/"), sent };
}

test("get <service> <singleton> reads the singleton by its name: GET Me, printed as JSON", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["get", svc.url, "Me", "--select", "UserName,Age"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(svc.sent(), ["GET /svc/Me?$select=UserName,Age"]);
  assert.match(result.stdout, /"UserName": "russell"/);
  assert.match(result.stdout, /"Age": 9007199254740993\n/);
});

test("get of a nullable singleton that has no entity (204) prints null", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["get", svc.url, "Deputy"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(svc.sent(), ["GET /svc/Deputy"]);
  assert.equal(result.stdout, "null\n");
});

test("get <service> <entity set> without a key is refused before anything is sent, naming the key", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["get", svc.url, "People"]);
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(svc.sent(), []);
  assert.match(result.stderr, /"People" is an entity set/);
  assert.match(result.stderr, /key \(UserName\)/);
  assert.match(result.stderr, /traverse-odata query/);
});

test("get <service> <singleton> <key> is refused: a singleton has no key", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["get", svc.url, "Me", "russell"]);
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(svc.sent(), []);
  assert.match(result.stderr, /"Me" is a singleton/);
});

test("without $metadata, get <service> <name> with no key reads it as a singleton", async (t) => {
  const svc = await service(t, { metadata: false });
  const result = await cliInProcess(["get", svc.url, "Me"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(svc.sent(), ["GET /svc/Me"]);
  assert.match(result.stdout, /"UserName": "russell"/);
});

test("without $metadata, a name that answers a collection is said to be an entity set, not printed as one entity", async (t) => {
  const svc = await service(t, { metadata: false });
  const result = await cliInProcess(["get", svc.url, "People"]);
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /get: "People" answered a collection, not one entity: give the key of the entity to read, traverse-odata get <service> People <key>; traverse-odata query reads the whole set/);
  assert.deepEqual(svc.sent(), ["GET /svc/People"]);
});
