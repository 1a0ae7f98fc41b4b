// CSDL 1.0 to 3.0 (the `$metadata` of OData v2 and v3 services) lets one schema name another's
// types through an alias it declares with `<Using Namespace="…" Alias="…"/>`, as v4 does with
// edmx:Include. The alias was not read: `Type="T.Address"` stayed "T.Address", a type no schema
// has, and an entity type derived from `T.Base` had no key. Served by node:http and read by
// `client.metadata()`, then given to the generator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { startServer } from "./servers/recording-server.js";

const EDMX_V3 = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="3.0">
<Schema Namespace="Shop.Types" xmlns="http://schemas.microsoft.com/ado/2009/11/edm">
  <ComplexType Name="Address"><Property Name="City" Type="Edm.String"/></ComplexType>
  <EntityType Name="Base"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
</Schema>
<Schema Namespace="Shop" xmlns="http://schemas.microsoft.com/ado/2009/11/edm">
  <Using Namespace="Shop.Types" Alias="T"/>
  <EntityType Name="Order" BaseType="T.Base"><Property Name="Ship" Type="T.Address"/><Property Name="Bill" Type="Collection(T.Address)"/></EntityType>
  <EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Orders" EntityType="T.Base"/><EntitySet Name="Orders2" EntityType="Shop.Order"/></EntityContainer>
</Schema>
</edmx:DataServices></edmx:Edmx>`;

test("a v3 schema's <Using> alias names the other schema's types (metadata() served by node:http)", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/xml", dataserviceversion: "3.0" });
    res.end(EDMX_V3);
  });
  t.after(() => server.close());
  const model = await new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0" }).metadata();
  assert.deepEqual(server.requests.map((request) => request.path), ["/svc/$metadata"]);

  const order = model.entityType("Shop.Order");
  assert.ok(order);
  assert.equal(order.baseType, "Shop.Types.Base");
  assert.deepEqual(order.properties.map((p) => [p.name, p.type, p.collection]), [
    ["Ship", "Shop.Types.Address", false],
    ["Bill", "Shop.Types.Address", true],
  ]);
  // The key is inherited through the alias, and the complex type is found by what the property names.
  assert.deepEqual(model.keyOf(order), [{ name: "ID", path: "ID" }]);
  assert.equal(model.complexType(order.properties[0]!.type)?.qualifiedName, "Shop.Types.Address");
  assert.deepEqual(
    model.container()?.entitySets.map((set) => [set.name, set.entityType]),
    [
      ["Orders", "Shop.Types.Base"],
      ["Orders2", "Shop.Order"],
    ],
  );
  assert.deepEqual(model.keyOf(model.entityTypeOf("Orders")), [{ name: "ID", path: "ID" }]);

  // The generator types the properties by the complex type, where it had nothing to go by.
  const files = generate(model);
  const text = Object.values(files).join("\n");
  assert.doesNotMatch(text, /T\.Address/);
  assert.match(text, /Ship\??: [^;\n]*Address/);
});

test("a <Using> without its Alias is refused, naming the element", async () => {
  const { parseMetadata } = await import("../src/metadata/parse.js");
  assert.throws(() => parseMetadata(EDMX_V3.replace(' Alias="T"', "")), (error: Error) => /Using/.test(error.message) && /Alias/.test(error.message));
});

// CSDL's boolean facets are xs:boolean, whose lexical forms include 1 and 0: `Nullable="0"` was
// refused ("which is not true or false") and the whole document with it.
test("a CSDL boolean written 1 or 0 reads as true or false", async () => {
  const { parseMetadata } = await import("../src/metadata/parse.js");
  const v4 = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="T" OpenType="1"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="0"/><Property Name="note" Type="Edm.String" Nullable="1"/></EntityType><EntityContainer Name="C"><EntitySet Name="S" EntityType="N.T"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  const type = parseMetadata(v4).entityType("N.T");
  assert.equal(type?.openType, true);
  assert.deepEqual(type?.properties.map((p) => [p.name, p.nullable]), [
    ["id", false],
    ["note", true],
  ]);
  assert.throws(() => parseMetadata(v4.replace('Nullable="0"', 'Nullable="no"')), /Nullable="no", which is not true or false/);
});

// An empty `$metadata` answer (a proxy's 200 without a body) said the document "starts with """.
test("an empty $metadata answer is said to be empty (served by node:http)", async (t) => {
  const bodies = ["", " \r\n "];
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(bodies.shift());
  });
  t.after(() => server.close());
  for (const said of [/the document is empty: neither EDMX \(XML\) nor CSDL JSON/, /the document is empty \(white space only\): neither EDMX/]) {
    await assert.rejects(new ODataClient({ serviceUrl: server.url("svc/") }).metadata(), (error: Error & { code?: string }) => error.code === "BAD_METADATA" && said.test(error.message) && !error.message.includes('""'));
  }
  assert.equal(server.requests.length, 2);
});
