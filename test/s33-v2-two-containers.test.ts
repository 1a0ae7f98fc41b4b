// An OData v2 document may hold two entity containers in one schema (SAP Gateway: a default one,
// `m:IsDefaultEntityContainer="true"`, and another). The service answers the sets of both at its
// root under their plain names, so the model lists both containers' sets and imports in the
// default one, which wins where both have a name; it kept one container per schema and dropped the
// other's members. The command line's set check, which reads the model, then takes a set of the
// other container. Against a node:http service.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ServiceModel } from "../src/index.js";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

// The other container comes first, so that the default one is not simply the first one read.
const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"><edmx:DataServices m:DataServiceVersion="2.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<Schema Namespace="NS" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Product"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityType Name="Legacy"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="Extra">
<EntitySet Name="PRODUCTS" EntityType="NS.Legacy"/>
<EntitySet Name="Archive" EntityType="NS.Legacy"/>
<EntitySet Name="Orders" EntityType="NS.Legacy"/>
<FunctionImport Name="ArchiveTotal" ReturnType="Edm.Int32" m:HttpMethod="GET"/>
<EntitySet Name="Stock" EntityType="NS.Legacy"/>
<FunctionImport Name="Products" ReturnType="Edm.String" m:HttpMethod="GET"/>
</EntityContainer>
<EntityContainer Name="Main" m:IsDefaultEntityContainer="true">
<EntitySet Name="Products" EntityType="NS.Product"/>
<EntitySet Name="Orders" EntityType="NS.Order"/>
<FunctionImport Name="Stock" ReturnType="Edm.Int32" m:HttpMethod="GET"/>
</EntityContainer>
<Annotations Target="NS.Extra/Archive" xmlns="http://docs.oasis-open.org/odata/ns/edm"><Annotation Term="Org.OData.Core.V1.Description" String="Closed years"/></Annotations>
</Schema></edmx:DataServices></edmx:Edmx>`;

async function v2Service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    const v2 = { dataserviceversion: "2.0" };
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", ...v2 });
    sendJson(res, 200, { d: { ID: 1 } }, v2);
  });
  t.after(() => server.close());
  const sent = () => server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
  return { url: server.url("svc/"), sent };
}

test("metadata() of a v2 document with two containers in one schema lists the sets and imports of both in the default container; its own win a clash", async (t) => {
  const svc = await v2Service(t);
  const client = new ODataClient({ serviceUrl: svc.url, version: "2.0", retry: false });
  const model = await client.metadata();
  assert.deepEqual(svc.sent(), ["GET /svc/$metadata"]);
  assert.equal(model.entityContainer, "NS.Main");
  const container = model.container()!;
  assert.deepEqual(
    container.entitySets.map((set) => `${set.name}: ${set.entityType}`),
    ["Products: NS.Product", "Orders: NS.Order", "PRODUCTS: NS.Legacy", "Archive: NS.Legacy"],
  );
  assert.equal(model.entitySet("Archive")?.entityType, "NS.Legacy");
  assert.equal(model.entitySet("Orders")?.entityType, "NS.Order");
  assert.equal(model.functionImport("ArchiveTotal")?.httpMethod, "GET");
  // The Annotations block that targets the other container by its name still reaches its set.
  assert.equal(model.annotation(model.entitySet("Archive")!, "Core.Description"), "Closed years");
  // The plain data keeps them: a model rebuilt from its JSON finds them too.
  const again = new ServiceModel(JSON.parse(JSON.stringify(model)));
  assert.equal(again.entitySet("Archive")?.entityType, "NS.Legacy");
  assert.deepEqual(again.container()?.entitySets.map((set) => set.name), ["Products", "Orders", "PRODUCTS", "Archive"]);
});

test("a name the default container gives a member of one kind leaves out the other container's member of another kind: one name, one thing at the service root", async (t) => {
  const svc = await v2Service(t);
  const model = await new ODataClient({ serviceUrl: svc.url, version: "2.0", retry: false }).metadata();
  assert.deepEqual(svc.sent(), ["GET /svc/$metadata"]);
  const container = model.container()!;
  // The default's import Stock hides the other's set Stock; its set Products hides the other's import Products.
  assert.equal(model.entitySet("Stock"), undefined);
  assert.equal(model.functions(model.functionImport("Stock")!.function)[0]?.returnType?.type, "Edm.Int32");
  assert.equal(model.entitySet("Products")?.entityType, "NS.Product");
  assert.equal(model.functionImport("Products"), undefined);
  assert.deepEqual(
    [...container.entitySets, ...container.functionImports].map((member) => member.name),
    ["Products", "Orders", "PRODUCTS", "Archive", "Stock", "ArchiveTotal"],
  );
  // Read through the model's plain data as well.
  const again = new ServiceModel(JSON.parse(JSON.stringify(model)));
  assert.equal(again.entitySet("Stock"), undefined);
  assert.equal(again.functionImport("Products"), undefined);
});

test("the command line's set check takes a set of the other container, even one named like a default set but for case, and sends it", async (t) => {
  const svc = await v2Service(t);
  const result = await cliInProcess(["get", svc.url, "PRODUCTS", "1"]);
  assert.equal(result.code, 0, `${result.stderr}`);
  assert.deepEqual(JSON.parse(result.stdout), { ID: 1 });
  assert.deepEqual(svc.sent(), ["GET /svc/$metadata", "GET /svc/PRODUCTS(1)"]);
});
