/**
 * SAP's v2 `sap:` attributes read as Capabilities annotations beside the document's own (which
 * win), `sap:requires-filter` and `sap:required-in-filter`, facets too large to keep exactly, and
 * a `$metadata` request answered with an HTML page.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ServiceModel, parseMetadata } from "../src/index.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const CAPABILITIES = "Org.OData.Capabilities.V1";

/** A SAP v2 document: `type` and `set` go into the entity type and set, `annotations` into a block targeting the set. */
function sapDocument(type: string, setAttributes: string, annotations = ""): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">
 <edmx:Reference Uri="https://host/Vocabularies(TechnicalName='%2FIWBEP%2FVOC_CAPABILITIES',Version='0001',SAP__Origin='LOCAL')/$value" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Capabilities"/>
 </edmx:Reference>
 <edmx:DataServices m:DataServiceVersion="2.0">
  <Schema Namespace="ZSALES_SRV" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
   <EntityType Name="Order">
    <Key><PropertyRef Name="OrderID"/></Key>
    <Property Name="OrderID" Type="Edm.String" Nullable="false" MaxLength="10"/>
    ${type}
   </EntityType>
   <EntityContainer Name="ZSALES_SRV_Entities" m:IsDefaultEntityContainer="true">
    <EntitySet Name="Orders" EntityType="ZSALES_SRV.Order" ${setAttributes}/>
   </EntityContainer>
   <Annotations Target="ZSALES_SRV.ZSALES_SRV_Entities/Orders" xmlns="http://docs.oasis-open.org/odata/ns/edm">${annotations}</Annotations>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>`;
}

function capabilitiesOf(xml: string): Record<string, unknown> {
  const model = parseMetadata(xml);
  const set = model.entitySet("Orders");
  assert.ok(set);
  return Object.fromEntries(Object.entries(set.annotations).filter(([term]) => term.startsWith(CAPABILITIES)).map(([term, value]) => [term.slice(CAPABILITIES.length + 1), value]));
}

test("a targeted Annotations block's Capabilities terms win over the ones sap: attributes derive; the attributes add only the record members the document lacks", () => {
  const type = `<Property Name="Note" Type="Edm.String" sap:sortable="false" sap:filterable="false"/><Property Name="Customer" Type="Edm.String"/>`;
  const annotations = `
    <Annotation Term="Capabilities.SortRestrictions"><Record><PropertyValue Property="Sortable" Bool="false"/></Record></Annotation>
    <Annotation Term="Capabilities.FilterRestrictions"><Record><PropertyValue Property="RequiresFilter" Bool="true"/><PropertyValue Property="RequiredProperties"><Collection><PropertyPath>Customer</PropertyPath></Collection></PropertyValue></Record></Annotation>
    <Annotation Term="Capabilities.DeleteRestrictions"><Record><PropertyValue Property="Deletable" Bool="true"/><PropertyValue Property="Description" String="Orders are cancelled, never deleted"/></Record></Annotation>
    <Annotation Term="Capabilities.TopSupported" Bool="true"/>`;
  assert.deepEqual(capabilitiesOf(sapDocument(type, `sap:deletable="false" sap:pageable="false"`, annotations)), {
    SortRestrictions: { Sortable: false, NonSortableProperties: ["Note"] },
    FilterRestrictions: { RequiresFilter: true, RequiredProperties: ["Customer"], NonFilterableProperties: ["Note"] },
    // The document's Deletable stands against sap:deletable="false".
    DeleteRestrictions: { Deletable: true, Description: "Orders are cancelled, never deleted" },
    TopSupported: true,
    SkipSupported: false,
  });
});

test("without the document's term, the sap: attributes give it (SortRestrictions NonSortableProperties)", () => {
  assert.deepEqual(capabilitiesOf(sapDocument(`<Property Name="Note" Type="Edm.String" sap:sortable="false"/>`, "")), { SortRestrictions: { NonSortableProperties: ["Note"] } });
});

test("a document's record member wins over the same member derived from sap: attributes (NonSortableProperties)", () => {
  const type = `<Property Name="Note" Type="Edm.String" sap:sortable="false"/><Property Name="Customer" Type="Edm.String"/>`;
  const annotations = `<Annotation Term="Capabilities.SortRestrictions"><Record><PropertyValue Property="NonSortableProperties"><Collection><PropertyPath>Customer</PropertyPath></Collection></PropertyValue></Record></Annotation>`;
  assert.deepEqual(capabilitiesOf(sapDocument(type, "", annotations)), { SortRestrictions: { NonSortableProperties: ["Customer"] } });
});

test("partitions of a set the document's Annotations block declares not sortable, one of whose properties is sap:sortable=\"false\", are split by $skip without an $orderby probe", async (t) => {
  const type = `<Property Name="Note" Type="Edm.String" sap:sortable="false"/>`;
  const notSortable = `<Annotation Term="Capabilities.SortRestrictions"><Record><PropertyValue Property="Sortable" Bool="false"/></Record></Annotation>`;
  const metadata = sapDocument(type, "", notSortable);
  const server = await startServer((request, res) => {
    if (request.path.includes("$metadata")) {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(metadata);
    } else if (request.path.includes("$count")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("10");
    } else {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"d":{"results":[{"OrderID":"A"}]}}');
    }
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("sap/opu/odata/sap/ZSALES_SRV/"), version: "2.0" });
  const plan = await client.collection("Orders").partitions(2);
  assert.deepEqual(plan.map((p) => p.kind), ["skip", "skip"]);
  assert.deepEqual(server.requests.map((r) => decodeURIComponent(r.path)), ["/sap/opu/odata/sap/ZSALES_SRV/Orders/$count", "/sap/opu/odata/sap/ZSALES_SRV/$metadata"]);
});

test('sap:requires-filter="true" and sap:required-in-filter="true" become FilterRestrictions RequiresFilter and RequiredProperties, beside NonFilterableProperties', () => {
  const type = `<Property Name="CompanyCode" Type="Edm.String" sap:required-in-filter="true"/><Property Name="Year" Type="Edm.String" sap:required-in-filter="true"/><Property Name="Note" Type="Edm.String" sap:filterable="false"/>`;
  const xml = sapDocument(type, `sap:requires-filter="true" sap:creatable="false"`);
  assert.deepEqual(capabilitiesOf(xml), {
    InsertRestrictions: { Insertable: false },
    FilterRestrictions: { RequiresFilter: true, RequiredProperties: ["CompanyCode", "Year"], NonFilterableProperties: ["Note"] },
  });
  assert.deepEqual(parseMetadata(xml).entitySet("Orders")?.sap, { "requires-filter": "true", creatable: "false" });
  // Only "true" asks for a filter.
  assert.deepEqual(capabilitiesOf(sapDocument(`<Property Name="Note" Type="Edm.String" sap:required-in-filter="false"/>`, `sap:requires-filter="false"`)), {});
});

test("the document's own FilterRestrictions keeps its RequiresFilter and RequiredProperties against the sap: attributes", () => {
  const type = `<Property Name="CompanyCode" Type="Edm.String" sap:required-in-filter="true"/>`;
  const annotations = `<Annotation Term="Capabilities.FilterRestrictions"><Record><PropertyValue Property="RequiresFilter" Bool="false"/></Record></Annotation>`;
  assert.deepEqual(capabilitiesOf(sapDocument(type, `sap:requires-filter="true"`, annotations)), {
    FilterRestrictions: { RequiresFilter: false, RequiredProperties: ["CompanyCode"] },
  });
});

/** A v4 document with one property written as `property`. */
function v4Document(property: string): string {
  return `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="T"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/>${property}</EntityType>
<EntityContainer Name="C"><EntitySet Name="Ts" EntityType="S.T"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

test("a MaxLength, Precision or Scale larger than Number.MAX_SAFE_INTEGER is refused with BAD_METADATA naming the attribute; the largest safe one survives the JSON round trip", () => {
  const big = "9".repeat(400);
  const cases: Array<[string, string]> = [
    [`<Property Name="s" Type="Edm.String" MaxLength="${big}"/>`, `<Property Name="s"> at character offset 280 has MaxLength="99999999999999999999…" (400 digits), which is larger than the largest integer kept exactly (9007199254740991)`],
    [`<Property Name="d" Type="Edm.Decimal" Precision="9007199254740992"/>`, `<Property Name="d"> at character offset 280 has Precision="9007199254740992", which is larger than the largest integer kept exactly (9007199254740991)`],
    [`<Property Name="d" Type="Edm.Decimal" Scale="${big}"/>`, `<Property Name="d"> at character offset 280 has Scale="99999999999999999999…" (400 digits), which is larger than the largest integer kept exactly (9007199254740991)`],
  ];
  for (const [property, message] of cases) {
    assert.throws(
      () => parseMetadata(v4Document(property)),
      (error: unknown) => error instanceof ODataClientError && error.code === "BAD_METADATA" && error.message === `the service metadata cannot be read: ${message}`,
      property,
    );
  }
  const model = parseMetadata(v4Document(`<Property Name="d" Type="Edm.Decimal" Precision="9007199254740991" Scale="9007199254740991"/>`));
  const again = new ServiceModel(JSON.parse(JSON.stringify(model)));
  const property = again.propertiesOf("S.T")[1];
  assert.deepEqual([property?.precision, property?.scale], [9007199254740991, 9007199254740991]);
});

test("a Scale too large for a Cast in an annotation is refused as well", () => {
  const xml = v4Document("").replace(
    "<EntityContainer",
    `<Annotations Target="S.T"><Annotation Term="Core.Description"><Cast Type="Edm.Decimal" Scale="${"9".repeat(30)}"><String>1</String></Cast></Annotation></Annotations><EntityContainer`,
  );
  assert.throws(() => parseMetadata(xml), /has Scale="99999999999999999999…" \(30 digits\), which is larger than the largest integer kept exactly/);
});

async function pageServer(t: { after(fn: () => unknown): void }, contentType: string, body: string): Promise<RecordingServer> {
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": contentType });
    res.end(body);
  });
  t.after(() => server.close());
  return server;
}

test("client.metadata() answered with a text/html page (a sign-in page) rejects with BAD_METADATA saying so, not with the XML parser's complaint", async (t) => {
  const pages: Array<[string, string]> = [
    ["text/html; charset=utf-8", `<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form action="/login">...</form></body></html>`],
    ["text/html", `<html><head><meta charset="utf-8"><title>Logon</title></head><body><p>Please log on<br></p></body></html>`],
    ["TEXT/HTML", `<html xmlns="http://www.w3.org/1999/xhtml"><head><title>SAML</title></head><body><form method="post"><input type="hidden" name="SAMLRequest" value="x"/></form></body></html>`],
  ];
  for (const [contentType, body] of pages) {
    const server = await pageServer(t, contentType, body);
    const error = await rejectionOf(new ODataClient({ serviceUrl: server.url("odata/") }).metadata());
    assert.ok(error instanceof ODataClientError && error.code === "BAD_METADATA", String(error));
    assert.equal(error.message, `GET ${server.url("odata/$metadata")} answered with an HTML page (${contentType}), not service metadata`);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/$metadata"]);
  }
});

test("service metadata mislabelled text/html is still read", async (t) => {
  const server = await pageServer(t, "text/html", v4Document(""));
  const model = await new ODataClient({ serviceUrl: server.url("odata/") }).metadata();
  assert.equal(model.entitySet("Ts")?.entityType, "S.T");
});

test("a CSDL JSON $Scale written as digits beyond Number.MAX_SAFE_INTEGER is refused with BAD_METADATA, as a number that large is; the largest safe one is kept", () => {
  const json = (scale: unknown, annotated: unknown = 2) =>
    JSON.stringify({
      $Version: "4.0",
      $EntityContainer: "S.C",
      S: {
        T: { $Kind: "EntityType", $Key: ["id"], id: { $Type: "Edm.Int32" }, d: { $Type: "Edm.Decimal", $Scale: scale } },
        C: { $Kind: "EntityContainer", Ts: { $Collection: true, $Type: "S.T" } },
        $Annotations: { "S.T": { "@Core.Description": { $Cast: "1", $Type: "Edm.Decimal", $Scale: annotated } } },
      },
    });
  const refused = (scale: unknown, shown: string) =>
    assert.throws(
      () => parseMetadata(json(scale)),
      (error: unknown) => error instanceof ODataClientError && error.code === "BAD_METADATA" && error.message === `the service metadata cannot be read: $["S"]["T"]["d"]["$Scale"] is ${shown}, not a non-negative integer, "variable" or "floating"`,
      shown,
    );
  refused(9007199254740992, "9007199254740992");
  refused("9007199254740992", 'the string "9007199254740992"');
  refused("9".repeat(400), "a string of 400 characters");
  assert.throws(() => parseMetadata(json(2, "9".repeat(30))), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_METADATA" && /has a \$Scale of the string "9{30}", not a non-negative integer/.test(error.message));
  const model = parseMetadata(json("9007199254740991"));
  assert.equal(new ServiceModel(JSON.parse(JSON.stringify(model))).propertiesOf("S.T")[1]?.scale, 9007199254740991);
});
