// A <set> that the service's $metadata does not have (`products` for `Products`) is refused by the
// commands that read $metadata before they ask for the set (get; query as a table or CSV; export to
// CSV or in partitions), exit 2, in the words of `describe`, naming the name it differs from in
// case only; only $metadata is asked for. What the container has in any form (a singleton, a
// function import, a name qualified by its container) is sent as before, and so is any name where
// $metadata is not read (count, query as JSON) or cannot be.
// The command line run in-process against the demo service started in-process, and against node:http
// services for the forms the demo does not have.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess } from "./cli-in-process.js";
import { demoCli, show } from "./cli-demo-run.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const { demo, folder, run } = demoCli(50, "traverse-cli-fix31c-");

const REFUSED = (command: string) => `error: ${command}: the service has no entity set "products" (did you mean "Products"?); it has ExportJobs, Products, ProductsUnpaged, Orders\n`;

test("get with a set name in the wrong case: exit 2 naming the set it has, after $metadata alone; the right name reads, its key typed", async () => {
  for (const key of ["42", "abc"]) {
    const result = await run(["get", demo.serviceUrl, "products", key]);
    assert.equal(result.code, 2, show(result));
    assert.equal(result.stderr, REFUSED("get"));
    assert.equal(result.stdout, "");
    assert.deepEqual(result.requests, ["GET $metadata 200"]);
  }
  const read = await run(["get", demo.serviceUrl, "Products", "42"]);
  assert.equal(read.code, 0, show(read));
  assert.equal((JSON.parse(read.stdout) as { ID: number }).ID, 42);
  assert.deepEqual(read.requests, ["GET $metadata 200", "GET Products(42) 200"]);
  // The key of Products is an Edm.Int32: `abc` is none, refused before it is sent.
  const refused = await run(["get", demo.serviceUrl, "Products", "abc"]);
  assert.equal(refused.code, 2, show(refused));
  assert.match(refused.stderr, /Edm\.Int32/);
  assert.deepEqual(refused.requests, ["GET $metadata 200"]);
});

test("query (a table, which reads $metadata) with a set name in the wrong case: exit 2, after $metadata alone; the right name reads", async () => {
  const result = await run(["query", demo.serviceUrl, "products", "--top", "2"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, REFUSED("query"));
  assert.deepEqual(result.requests, ["GET $metadata 200"]);
  const read = await run(["query", demo.serviceUrl, "Products", "--top", "2", "--format", "csv", "--quiet"]);
  assert.equal(read.code, 0, show(read));
  assert.equal(read.stdout.split("\n").length, 4);
  assert.deepEqual(read.requests, ["GET $metadata 200", "GET Products?$top=2 200"]);
});

test("export to CSV and in partitions with a set name in the wrong case: exit 2, after $metadata alone, no file written", async () => {
  for (const args of [["--out", "rows.csv"], ["--out", "rows.ndjson", "--parallel", "2"], ["--parallel", "2", "--plan"]]) {
    const result = await run(["export", demo.serviceUrl, "products", ...args]);
    assert.equal(result.code, 2, show(result));
    assert.equal(result.stderr, REFUSED("export"));
    assert.deepEqual(result.requests, ["GET $metadata 200"]);
    assert.deepEqual(readdirSync(folder), []);
  }
  const written = await run(["export", demo.serviceUrl, "Products", "--out", "rows.csv", "--top", "3", "--quiet"]);
  assert.equal(written.code, 0, show(written));
  assert.deepEqual(written.requests, ["GET $metadata 200", "GET Products?$top=3 200"]);
  assert.equal(readFileSync(join(folder, "rows.csv"), "utf8").split("\r\n")[0], "ID,Name,Category,Price,Stock,ReleaseDate");
  rmSync(join(folder, "rows.csv"));
});

test("export in partitions with --odata-version given: the planner's $metadata names the set, not --partition-key", async () => {
  // The version given, the planner asks $count while it reads $metadata, as before.
  const result = await run(["export", demo.serviceUrl, "products", "--out", "rows.ndjson", "--parallel", "2", "--odata-version", "4.0"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, REFUSED("export"));
  assert.deepEqual([...result.requests].sort(), ["GET $metadata 200", "GET products/$count 404"]);
  assert.deepEqual(readdirSync(folder), []);
});

test("describe with a set name in the wrong case names the set it has", async () => {
  const result = await run(["describe", demo.serviceUrl, "products"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, REFUSED("describe"));
});

test("a name that differs from none in case only is refused without a hint", async () => {
  const result = await run(["get", demo.serviceUrl, "Product", "1"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, 'error: get: the service has no entity set "Product"; it has ExportJobs, Products, ProductsUnpaged, Orders\n');
  assert.deepEqual(result.requests, ["GET $metadata 200"]);
});

test("count, and query as JSON, send the name first and read $metadata only after the service's 404 (test/cli-fix32-missing-set.test.ts)", async () => {
  const count = await run(["count", demo.serviceUrl, "products"]);
  assert.equal(count.code, 3, show(count));
  assert.match(count.stderr, /404 Not Found .*no resource 'products\/\$count'/);
  assert.deepEqual(count.requests, ["GET products/$count 404", "GET $metadata 200"]);
  const json = await run(["query", demo.serviceUrl, "products", "--format", "json"]);
  assert.equal(json.code, 3, show(json));
  assert.deepEqual(json.requests, ["GET products 404", "GET $metadata 200"]);
});

test("a navigation path is refused as it was: as no set name, before anything but $metadata", async () => {
  const result = await run(["get", demo.serviceUrl, "Orders(1)/Items", "1"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, 'error: collection(name): "Orders(1)/Items" is not an entity set name (letters, digits, "_" and ".")\n');
  assert.deepEqual(result.requests, ["GET $metadata 200"]);
});

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Person"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<Function Name="adults"><ReturnType Type="Collection(NS.Person)"/></Function>
<EntityContainer Name="C">
<EntitySet Name="People" EntityType="NS.Person"/>
<Singleton Name="Me" Type="NS.Person"/>
<FunctionImport Name="Adults" Function="NS.adults" EntitySet="People"/>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A v4 service answering `metadata` (a 404 where `undefined`), any key path one person, any other path no rows. */
async function service(t: { after(fn: () => Promise<void>): void }, metadata: string | undefined) {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") {
      if (metadata === undefined) return sendJson(res, 404, { error: { code: "NotFound", message: "no $metadata here" } }, { "odata-version": "4.0" });
      return sendText(res, 200, metadata, { "content-type": "application/xml", "odata-version": "4.0" });
    }
    sendJson(res, 200, request.path.includes("(") ? { ID: 1 } : { value: [] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const sent = () => server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path).replace(/^\/svc\//, "")}`);
  return { url: server.url("svc/"), sent };
}

test("a singleton in the wrong case is refused naming it; a function import and a container-qualified set are sent", async (t) => {
  const svc = await service(t, METADATA);
  const refused = await cliInProcess(["query", svc.url, "me"]);
  assert.equal(refused.code, 2, show(refused));
  assert.equal(refused.stderr, 'error: query: the service has no entity set or singleton "me" (did you mean "Me"?); it has the entity sets People and the singletons Me\n');
  const qualified = await cliInProcess(["query", svc.url, "C.people"]);
  assert.equal(qualified.code, 2, show(qualified));
  assert.match(qualified.stderr, /no entity set or singleton "C\.people" \(did you mean "C\.People"\?\)/);
  assert.deepEqual(svc.sent(), ["GET $metadata", "GET $metadata"]);
  for (const name of ["Adults", "C.People", "NS.C.People", "Other.People"]) {
    const result = await cliInProcess(["query", svc.url, name, "--quiet"]);
    assert.equal(result.code, 0, `${name}: ${show(result)}`);
  }
  // The singleton is known, and one entity: `query` is refused it, naming `get`, which reads it
  // (test/hunt41-cli-singleton-as-collection.test.ts).
  const singleton = await cliInProcess(["query", svc.url, "Me", "--quiet"]);
  assert.equal(singleton.code, 2, show(singleton));
  assert.match(singleton.stderr, /query: "Me" is a singleton, one entity and no collection: traverse-odata get <service> Me reads it/);
  assert.deepEqual(svc.sent().slice(2).filter((line) => line !== "GET $metadata"), ["GET Adults", "GET C.People", "GET NS.C.People", "GET Other.People"]);
});

test("where $metadata cannot be read, the name goes to the service as before", async (t) => {
  const readable = await service(t, METADATA);
  const refused = await cliInProcess(["get", readable.url, "people", "1"]);
  assert.equal(refused.code, 2, show(refused));
  assert.deepEqual(readable.sent(), ["GET $metadata"]);
  const svc = await service(t, undefined);
  const result = await cliInProcess(["get", svc.url, "people", "1"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(svc.sent(), ["GET $metadata", "GET people(1)"]);
});

test("a container that extends one the document does not hold may have more: nothing is refused", async (t) => {
  const plain = await service(t, METADATA);
  const refused = await cliInProcess(["get", plain.url, "Things", "1"]);
  assert.equal(refused.code, 2, show(refused));
  assert.equal(refused.stderr, 'error: get: the service has no entity set or singleton "Things"; it has the entity sets People and the singletons Me\n');
  assert.deepEqual(plain.sent(), ["GET $metadata"]);
  const svc = await service(t, METADATA.replace('<EntityContainer Name="C">', '<EntityContainer Name="C" Extends="Other.Base">'));
  const result = await cliInProcess(["get", svc.url, "Things", "1"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(svc.sent(), ["GET $metadata", "GET Things(1)"]);
});

// An OData v2 document may hold several containers (here in two schemas): the default one
// (`m:IsDefaultEntityContainer`) and others whose sets the service answers under their names.
// The check looks in them all, so the message lists them all: it listed the default container's
// alone, leaving out a set it had just offered as the name meant. What is offered as meant is what
// the command can take: a function import for query and export (they read it as a set's pages),
// never for get (no import has a key below it), and an action import for none of them (it is
// called with POST, by `call`); they were offered to every command.
const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"><edmx:DataServices m:DataServiceVersion="2.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<Schema Namespace="NS" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="Main" m:IsDefaultEntityContainer="true">
<EntitySet Name="Orders" EntityType="NS.Order"/>
<FunctionImport Name="TopOrders" ReturnType="Collection(NS.Order)" EntitySet="Orders" m:HttpMethod="GET"/>
<FunctionImport Name="CloseOrders" ReturnType="Edm.Int32" m:HttpMethod="POST"/>
</EntityContainer>
</Schema>
<Schema Namespace="Old" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityContainer Name="Archive">
<EntitySet Name="OldOrders" EntityType="NS.Order"/>
<EntitySet Name="Orders" EntityType="NS.Order"/>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A v2 service of two containers: $metadata, any key path one order, any other path no rows. */
async function v2Service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    const v2 = { dataserviceversion: "2.0" };
    if (request.path === "/svc/$metadata") return sendText(res, 200, V2_METADATA, { "content-type": "application/xml", ...v2 });
    sendJson(res, 200, request.path.includes("(") ? { d: { ID: 1 } } : { d: { results: [] } }, v2);
  });
  t.after(() => server.close());
  const sent = () => server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path).replace(/^\/svc\//, "")}`);
  return { url: server.url("svc/"), sent };
}

test("a v2 document of two containers: the sets of both are listed, each once, and a set of the other container is offered and read", async (t) => {
  const svc = await v2Service(t);
  const refused = await cliInProcess(["get", svc.url, "oldorders", "1"]);
  assert.equal(refused.code, 2, show(refused));
  assert.equal(refused.stderr, 'error: get: the service has no entity set "oldorders" (did you mean "OldOrders"?); it has Orders, OldOrders\n');
  const qualified = await cliInProcess(["query", svc.url, "Archive.oldorders"]);
  assert.equal(qualified.code, 2, show(qualified));
  assert.equal(qualified.stderr, 'error: query: the service has no entity set "Archive.oldorders" (did you mean "Archive.OldOrders"?); it has OldOrders, Orders\n');
  assert.deepEqual(svc.sent(), ["GET $metadata", "GET $metadata"]);
  for (const args of [["get", svc.url, "OldOrders", "1"], ["query", svc.url, "OldOrders", "--quiet"]]) {
    const result = await cliInProcess(args);
    assert.equal(result.code, 0, `${args.join(" ")}: ${show(result)}`);
  }
  assert.deepEqual(svc.sent().slice(2), ["GET $metadata", "GET OldOrders(1)", "GET $metadata", "GET OldOrders"]);
});

test("a function import is offered as the name meant to query and export, not to get; an action import to none", async (t) => {
  const svc = await v2Service(t);
  const cases: [string[], string][] = [
    [["query", svc.url, "toporders"], 'error: query: the service has no entity set "toporders" (did you mean "TopOrders"?); it has Orders, OldOrders\n'],
    [["export", svc.url, "toporders", "--out", "rows.csv"], 'error: export: the service has no entity set "toporders" (did you mean "TopOrders"?); it has Orders, OldOrders\n'],
  ];
  for (const [args, stderr] of cases) {
    const result = await cliInProcess(args, "", { cwd: folder });
    assert.equal(result.code, 2, `${args.join(" ")}: ${show(result)}`);
    assert.equal(result.stderr, stderr, args.join(" "));
  }
  // $metadata alone each time, and no file written.
  assert.deepEqual(svc.sent(), cases.map(() => "GET $metadata"));
  assert.deepEqual(readdirSync(folder), []);
  const read = await cliInProcess(["query", svc.url, "TopOrders", "--quiet"]);
  assert.equal(read.code, 0, show(read));
  assert.deepEqual(svc.sent().slice(cases.length), ["GET $metadata", "GET TopOrders"]);
});

test("in an OData 1.0 to 3.0 document, whose schema may hold containers the model leaves out, a name none of the kept containers has but in case is sent as given", async (t) => {
  const svc = await v2Service(t);
  for (const args of [["get", svc.url, "toporders", "1", "--quiet"], ["query", svc.url, "closeorders", "--quiet"], ["get", svc.url, "Archived", "1", "--quiet"]]) {
    const result = await cliInProcess(args, "", { cwd: folder });
    assert.notEqual(result.code, 2, `${args.join(" ")}: ${show(result)}`);
  }
  assert.deepEqual(svc.sent(), ["GET $metadata", "GET toporders(1)", "GET $metadata", "GET closeorders", "GET $metadata", "GET Archived(1)"]);
});
