// A service whose v2 EDMX declares m:DataServiceVersion="1.0" (ADO.NET and WCF Data Services, the
// classic Northwind) or "3.0" (WCF Data Services 5): the commands that read `$metadata` (`get`,
// `query` as a table, `call`) read it as OData v2 without --odata-version, as they do for "2.0".
// A 3.0 service is asked for verbose JSON (`application/json;odata=verbose`), v2's form: WCF Data
// Services 5 answers a plain `application/json` with JSON light or 415. Over node:http services on
// 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordedRequest } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/** A v2 EDMX declaring `version`: Products (with a collection property, v3's), a function import `Cheapest`. */
const metadata = (version: string) => `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
  <edmx:DataServices m:DataServiceVersion="${version}">
    <Schema Namespace="NS" xmlns="http://schemas.microsoft.com/ado/2009/11/edm">
      <EntityType Name="Product"><Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/><Property Name="Stock" Type="Edm.Int64"/>
        ${version === "3.0" ? '<Property Name="Tags" Type="Collection(Edm.String)" Nullable="false"/>' : ""}
      </EntityType>
      <EntityContainer Name="C" m:IsDefaultEntityContainer="true">
        <EntitySet Name="Products" EntityType="NS.Product"/>
        <FunctionImport Name="Cheapest" ReturnType="NS.Product" EntitySet="Products" m:HttpMethod="GET"><Parameter Name="cur" Type="Edm.String"/></FunctionImport>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** A product as WCF Data Services writes it in verbose JSON; v3 adds the collection property. */
const product = (id: number, name: string, v3: boolean) => ({
  __metadata: { uri: `http://host/svc/Products(${id})`, type: "NS.Product", ...(v3 ? { etag: `W/"${id}"` } : {}) },
  ID: id,
  Name: name,
  Stock: "9007199254740993",
  ...(v3 ? { Tags: { __metadata: { type: "Collection(Edm.String)" }, results: ["tea", "hot"] } } : {}),
});

/**
 * A v1-, v2- or v3-era WCF Data Services: `DataServiceVersion` on every answer; a 1.0 service
 * answers a collection as `{"d": [...]}`, the later ones as `{"d": {"results": [...]}}` with
 * `__count` and `__next`; a 3.0 one answers `application/json` without `odata=verbose` with 415,
 * as WCF Data Services 5.0 does, so a command that does not ask for verbose JSON gets nothing.
 */
async function wcfService(t: { after(fn: () => Promise<void>): void }, version: string) {
  const v3 = version === "3.0";
  const server = await startServer((request: RecordedRequest, res) => {
    const headers = { dataserviceversion: `${version};` };
    const path = request.path;
    if (path.endsWith("/$metadata")) return sendText(res, 200, metadata(version), { ...headers, "content-type": "application/xml;charset=utf-8" });
    if (v3 && !/^application\/json;odata=verbose\b/.test(String(request.headers.accept))) {
      return sendJson(res, 415, { error: { code: "", message: { lang: "en-US", value: "Unsupported media type requested." } } }, headers);
    }
    const type = { "content-type": v3 ? "application/json;odata=verbose;charset=utf-8" : "application/json;charset=utf-8" };
    if (path.startsWith("/svc/Products(1)")) return sendJson(res, 200, { d: product(1, "Chai", v3) }, { ...headers, ...type });
    if (path.startsWith("/svc/Cheapest")) return sendJson(res, 200, { d: product(2, "Chang", v3) }, { ...headers, ...type });
    // The pages answer $select=ID,Name, the one query that reads them.
    const selected = (id: number, name: string) => ({ __metadata: product(id, name, v3).__metadata, ID: id, Name: name });
    if (path.startsWith("/svc/Products?$skiptoken=1")) return sendJson(res, 200, { d: { results: [selected(2, "Chang")] } }, { ...headers, ...type });
    if (path.startsWith("/svc/Products")) {
      const first = [selected(1, "Chai")];
      // A 1.0 answer has no room for a count or a next link (v2 brought them, with "results").
      const body = version === "1.0" ? { d: first } : { d: { results: first, __count: "2", __next: "http://" + request.headers.host + "/svc/Products?$skiptoken=1" } };
      return sendJson(res, 200, body, { ...headers, ...type });
    }
    sendJson(res, 404, { error: { code: "", message: { lang: "en-US", value: "Resource not found" } } }, headers);
  });
  t.after(() => server.close());
  return server;
}

const wire = (requests: RecordedRequest[]) => requests.map((r) => `${r.method} ${r.path} accept=${String(r.headers.accept)}`);

for (const version of ["1.0", "3.0"]) {
  const verbose = version === "3.0" ? "application/json;odata=verbose" : "application/json";

  test(`DataServiceVersion ${version}: get reads the entity as v2, without --odata-version`, async (t) => {
    const server = await wcfService(t, version);
    const outcome = await cliInProcess(["get", server.url("svc/"), "Products", "1"]);
    assert.equal(outcome.code, 0, show(outcome));
    const entity = JSON.parse(outcome.stdout) as Record<string, unknown>;
    // The v2 reader unwraps "d"; the digits of an Int64 are the service's.
    assert.equal(entity["ID"], 1);
    assert.equal(entity["Name"], "Chai");
    assert.equal(entity["Stock"], "9007199254740993");
    if (version === "3.0") assert.deepEqual(entity["Tags"], ["tea", "hot"]);
    assert.equal(outcome.stderr, "");
    assert.deepEqual(wire(server.requests), ["GET /svc/$metadata accept=application/xml", `GET /svc/Products(1) accept=${verbose}`]);
  });

  test(`DataServiceVersion ${version}: query as a table asks as v2 ($inlinecount) and follows its pages`, async (t) => {
    const server = await wcfService(t, version);
    const outcome = await cliInProcess(["query", server.url("svc/"), "Products", "--count", "--select", "ID,Name"]);
    assert.equal(outcome.code, 0, show(outcome));
    const rows = outcome.stdout.trim().split("\n").map((line) => line.trim().split(/\s+/).join(" "));
    assert.deepEqual(rows, version === "1.0" ? ["ID Name", "-- ----", "1 Chai"] : ["ID Name", "-- -----", "1 Chai", "2 Chang"]);
    assert.match(outcome.stderr, version === "1.0" ? /^1 row in 1 page, / : /^2 rows \(count 2\) in 2 pages, /);
    assert.deepEqual(wire(server.requests), [
      "GET /svc/$metadata accept=application/xml",
      `GET /svc/Products?$select=ID,Name&$inlinecount=allpages accept=${verbose}`,
      ...(version === "3.0" ? [`GET /svc/Products?$skiptoken=1 accept=${verbose}`] : []),
    ]);
  });

  test(`DataServiceVersion ${version}: call reads a function import's answer as v2`, async (t) => {
    const server = await wcfService(t, version);
    const outcome = await cliInProcess(["call", server.url("svc/"), "Cheapest", "--param", "cur=EUR"]);
    assert.equal(outcome.code, 0, show(outcome));
    const result = JSON.parse(outcome.stdout) as Record<string, unknown>;
    assert.equal(result["Name"], "Chang");
    assert.deepEqual(wire(server.requests), ["GET /svc/$metadata accept=application/xml", `GET /svc/Cheapest?cur=%27EUR%27 accept=${verbose}`]);
  });
}

test("DataServiceVersion 3.0 with --odata-version 2.0: verbose JSON is asked for too; of a 2.0 service, plain JSON as before", async (t) => {
  const server = await wcfService(t, "3.0");
  const outcome = await cliInProcess(["get", server.url("svc/"), "Products", "1", "--odata-version", "2.0"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal((JSON.parse(outcome.stdout) as { Name: string }).Name, "Chai");
  assert.deepEqual(wire(server.requests), ["GET /svc/$metadata accept=application/xml", "GET /svc/Products(1) accept=application/json;odata=verbose"]);
  const v2 = await wcfService(t, "2.0");
  const plain = await cliInProcess(["get", v2.url("svc/"), "Products", "1"]);
  assert.equal(plain.code, 0, show(plain));
  assert.equal((JSON.parse(plain.stdout) as { Name: string }).Name, "Chai");
  assert.deepEqual(wire(v2.requests), ["GET /svc/$metadata accept=application/xml", "GET /svc/Products(1) accept=application/json"]);
});
