// The booleans of a `$metadata` document are xs:boolean, whose lexical forms are true, false, 1
// and 0, white space around them collapsed (as for the other typed constants). The facets
// (`Nullable="0"`) were read so already; three other places compared with "true" alone: the `Bool`
// constant of an annotation refused "1" and "0" (and with it the whole document), and
// `m:IsDefaultEntityContainer="1"` and `m:HasStream="1"` of a v2 document read as false, so the
// service's default container was not the one served. And a typed constant in attribute notation
// kept the white space around it (`Int=" 5 "` refused the document), where the element notation
// dropped it. Served by node:http and read by `client.metadata()`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";
import { edmxV4, schemaV4 } from "./generated-module.js";

const V4 = edmxV4(
  schemaV4(
    "N",
    `<EntityType Name="T"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="S" EntityType="N.T"/></EntityContainer>
<Annotations Target="N.C/S">
  <Annotation Term="Org.OData.Capabilities.V1.TopSupported" Bool="0"/>
  <Annotation Term="Org.OData.Capabilities.V1.SkipSupported"><Bool> 1 </Bool></Annotation>
  <Annotation Term="Org.OData.Capabilities.V1.CountRestrictions"><Record><PropertyValue Property="Countable" Bool=" false "/></Record></Annotation>
  <Annotation Term="Org.OData.Core.V1.Description" String=" kept "/>
  <Annotation Term="N.Size" Int=" 5 "/>
  <Annotation Term="N.Ratio" Decimal=" 2.50"/>
</Annotations>`,
  ),
);

// Two containers in one schema: the second is the default, and serves the sets at the root.
const V2 = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="2.0">
<Schema Namespace="S" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
  <EntityType Name="Photo" m:HasStream="1"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
  <EntityContainer Name="Other" m:IsDefaultEntityContainer="0"><EntitySet Name="Archive" EntityType="S.Photo"/></EntityContainer>
  <EntityContainer Name="Main" m:IsDefaultEntityContainer="1"><EntitySet Name="Photos" EntityType="S.Photo"/></EntityContainer>
</Schema>
</edmx:DataServices></edmx:Edmx>`;

async function served(t: { after(fn: () => Promise<void>): void }, document: string, version: "2.0" | "4.0") {
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(document);
  });
  t.after(() => server.close());
  const model = await new ODataClient({ serviceUrl: server.url("svc/"), version }).metadata();
  assert.deepEqual(server.requests.map((request) => request.path), ["/svc/$metadata"]);
  return model;
}

test("an annotation's Bool written 1 or 0, with white space in element or attribute, reads as true or false", async (t) => {
  const model = await served(t, V4, "4.0");
  const set = model.entitySet("S");
  assert.ok(set);
  assert.equal(model.annotation(set, "Capabilities.TopSupported"), false);
  assert.equal(model.annotation(set, "Capabilities.SkipSupported"), true);
  assert.deepEqual(model.annotation(set, "Capabilities.CountRestrictions"), { Countable: false });
  // The other typed constants collapse their white space too, in attribute notation as in elements;
  // a string keeps it.
  assert.equal(model.annotation(set, "N.Size"), 5);
  assert.equal(model.annotation(set, "N.Ratio"), 2.5);
  assert.equal(model.annotation(set, "Core.Description"), " kept ");
});

test("an annotation's Bool that is no xs:boolean is still refused, naming it", async () => {
  const { parseMetadata } = await import("../src/metadata/parse.js");
  assert.throws(() => parseMetadata(V4.replace('Bool="0"', 'Bool="no"')), /has the Bool value "no"/);
  assert.throws(() => parseMetadata(V4.replace("<Bool> 1 </Bool>", "<Bool>2</Bool>")), /has the Bool value "2"/);
});

test('v2: m:IsDefaultEntityContainer="1" makes the service\'s container, and m:HasStream="1" a media entity type', async (t) => {
  const model = await served(t, V2, "2.0");
  assert.equal(model.container()?.qualifiedName, "S.Main");
  // The default container lists its own set first, then the other container's.
  assert.deepEqual(model.container()?.entitySets.map((set) => set.name), ["Photos", "Archive"]);
  assert.equal(model.entityType("S.Photo")?.hasStream, true);
});
