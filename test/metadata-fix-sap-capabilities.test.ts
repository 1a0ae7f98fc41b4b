/**
 * SAP's v2 capability attributes the model did not read as Capabilities annotations: `sap:topable`,
 * `sap:updatable-path`, `sap:deletable-path`, `sap:searchable="false"`, `sap:change-tracking`,
 * `sap:filter-restriction` on properties and `sap:creatable`, `sap:creatable-path` and
 * `sap:filterable` on navigation properties ("SAP Annotations for OData Version 2.0").
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type ServiceModel } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

const CAPABILITIES = "Org.OData.Capabilities.V1.";

/** A SAP v2 document: `sets` are the EntitySet elements of type `Order`, `annotations` a block targeting `Orders`. */
function sapDocument(sets: string, annotations = ""): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:sap="http://www.sap.com/Protocols/SAPData">
 <edmx:DataServices m:DataServiceVersion="2.0">
  <Schema Namespace="ZSALES_SRV" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
   <EntityType Name="Document" Abstract="true">
    <Key><PropertyRef Name="OrderID"/></Key>
    <Property Name="OrderID" Type="Edm.String" Nullable="false" sap:filter-restriction="multi-value"/>
   </EntityType>
   <EntityType Name="Order" BaseType="ZSALES_SRV.Document">
    <Property Name="Editable" Type="Edm.Boolean"/>
    <Property Name="CanAddItems" Type="Edm.Boolean"/>
    <Property Name="Customer" Type="Edm.String" sap:filter-restriction="single-value"/>
    <Property Name="CreatedAt" Type="Edm.DateTime" sap:filter-restriction="interval"/>
    <Property Name="Note" Type="Edm.String" sap:filter-restriction="something-else"/>
    <NavigationProperty Name="Items" Relationship="ZSALES_SRV.Order_Items" FromRole="Order" ToRole="Item" sap:creatable-path="CanAddItems"/>
    <NavigationProperty Name="Notes" Relationship="ZSALES_SRV.Order_Notes" FromRole="Order" ToRole="Note" sap:creatable="false" sap:filterable="false"/>
    <NavigationProperty Name="Partner" Relationship="ZSALES_SRV.Order_Partner" FromRole="Order" ToRole="Partner" sap:creatable="true" sap:creatable-path="CanAddItems"/>
   </EntityType>
   <EntityType Name="Item"><Key><PropertyRef Name="ItemID"/></Key><Property Name="ItemID" Type="Edm.String" Nullable="false"/></EntityType>
   <Association Name="Order_Items"><End Type="ZSALES_SRV.Order" Multiplicity="1" Role="Order"/><End Type="ZSALES_SRV.Item" Multiplicity="*" Role="Item"/></Association>
   <Association Name="Order_Notes"><End Type="ZSALES_SRV.Order" Multiplicity="1" Role="Order"/><End Type="ZSALES_SRV.Item" Multiplicity="*" Role="Note"/></Association>
   <Association Name="Order_Partner"><End Type="ZSALES_SRV.Order" Multiplicity="1" Role="Order"/><End Type="ZSALES_SRV.Item" Multiplicity="0..1" Role="Partner"/></Association>
   <EntityContainer Name="ZSALES_SRV_Entities" m:IsDefaultEntityContainer="true">
    ${sets}
    <EntitySet Name="Items" EntityType="ZSALES_SRV.Item"/>
   </EntityContainer>
   <Annotations Target="ZSALES_SRV.ZSALES_SRV_Entities/Orders" xmlns="http://docs.oasis-open.org/odata/ns/edm">${annotations}</Annotations>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>`;
}

/** The model a client reads from `xml` served as `$metadata`; the server saw only that request. */
async function served(t: { after(fn: () => unknown): void }, xml: string): Promise<ServiceModel> {
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/xml", dataserviceversion: "2.0" });
    res.end(xml);
  });
  t.after(() => server.close());
  const model = await new ODataClient({ serviceUrl: server.url("sap/opu/odata/sap/ZSALES_SRV/"), version: "2.0" }).metadata();
  assert.deepEqual(server.requests.map((request) => request.path), ["/sap/opu/odata/sap/ZSALES_SRV/$metadata"]);
  return model;
}

/** The Capabilities annotations of `set`, by their short names. */
function capabilitiesOf(model: ServiceModel, set: string): Record<string, unknown> {
  const found = model.entitySet(set);
  assert.ok(found, set);
  return Object.fromEntries(Object.entries(found.annotations).filter(([term]) => term.startsWith(CAPABILITIES)).map(([term, value]) => [term.slice(CAPABILITIES.length), value]));
}

/** What the entity type's properties and navigation properties give every set of it. */
const FROM_THE_TYPE = {
  InsertRestrictions: { NonInsertableNavigationProperties: [{ $If: [{ $Not: { $Path: "CanAddItems" } }, "Items"] }, "Notes", "Partner"] },
  FilterRestrictions: {
    FilterExpressionRestrictions: [
      { Property: "OrderID", AllowedExpressions: "MultiValue" },
      { Property: "Customer", AllowedExpressions: "SingleValue" },
      { Property: "CreatedAt", AllowedExpressions: "SingleRange" },
    ],
  },
  NavigationRestrictions: { RestrictedProperties: [{ NavigationProperty: "Notes", FilterRestrictions: { Filterable: false } }] },
};

test('sap:topable="false", sap:searchable="false" and sap:change-tracking become TopSupported, SearchRestrictions and ChangeTracking', async (t) => {
  const model = await served(
    t,
    sapDocument(`<EntitySet Name="Orders" EntityType="ZSALES_SRV.Order" sap:topable="false" sap:searchable="false" sap:change-tracking="true"/>
    <EntitySet Name="Searchable" EntityType="ZSALES_SRV.Order" sap:searchable="true" sap:change-tracking="false" sap:topable="true"/>`),
  );
  assert.deepEqual(capabilitiesOf(model, "Orders"), { ...FROM_THE_TYPE, TopSupported: false, SearchRestrictions: { Searchable: false }, ChangeTracking: { Supported: true } });
  assert.deepEqual(capabilitiesOf(model, "Searchable"), { ...FROM_THE_TYPE, SearchRestrictions: { Searchable: true }, ChangeTracking: { Supported: false } });
  // Items' type has no sap: attributes: nothing is said of it.
  assert.deepEqual(capabilitiesOf(model, "Items"), {});
  assert.deepEqual(model.entitySet("Orders")?.sap, { topable: "false", searchable: "false", "change-tracking": "true" });
});

test("sap:updatable-path and sap:deletable-path become Updatable and Deletable paths; beside sap:updatable or sap:deletable they mean false", async (t) => {
  const model = await served(
    t,
    sapDocument(`<EntitySet Name="Orders" EntityType="ZSALES_SRV.Order" sap:updatable-path="Editable" sap:deletable-path="Editable" sap:creatable="false"/>
    <EntitySet Name="Broken" EntityType="ZSALES_SRV.Order" sap:updatable="true" sap:updatable-path="Editable" sap:deletable="true" sap:deletable-path="Editable"/>`),
  );
  const orders = capabilitiesOf(model, "Orders");
  assert.deepEqual(orders["UpdateRestrictions"], { Updatable: { $Path: "Editable" } });
  assert.deepEqual(orders["DeleteRestrictions"], { Deletable: { $Path: "Editable" } });
  assert.deepEqual(orders["InsertRestrictions"], { Insertable: false, NonInsertableNavigationProperties: FROM_THE_TYPE.InsertRestrictions.NonInsertableNavigationProperties });
  const broken = capabilitiesOf(model, "Broken");
  assert.deepEqual([broken["UpdateRestrictions"], broken["DeleteRestrictions"]], [{ Updatable: false }, { Deletable: false }]);
});

test("the document's own UpdateRestrictions keeps its Updatable against sap:updatable-path and gets what it lacks", async (t) => {
  const annotations = `<Annotation Term="Org.OData.Capabilities.V1.UpdateRestrictions"><Record><PropertyValue Property="Updatable" Bool="true"/></Record></Annotation>
    <Annotation Term="Org.OData.Capabilities.V1.SearchRestrictions"><Record><PropertyValue Property="UnsupportedExpressions" EnumMember="Org.OData.Capabilities.V1.SearchExpressions/NOT"/></Record></Annotation>
    <Annotation Term="Org.OData.Capabilities.V1.TopSupported" Bool="true"/>`;
  const model = await served(t, sapDocument(`<EntitySet Name="Orders" EntityType="ZSALES_SRV.Order" sap:updatable-path="Editable" sap:searchable="false" sap:topable="false"/>`, annotations));
  const orders = capabilitiesOf(model, "Orders");
  assert.deepEqual(orders["UpdateRestrictions"], { Updatable: true });
  assert.deepEqual(orders["SearchRestrictions"], { UnsupportedExpressions: "NOT", Searchable: false });
  assert.equal(orders["TopSupported"], true);
});
