/**
 * Microsoft.OData.Edm 7 (behind ASP.NET Core OData 7 and 8) writes the facet words as
 * `Scale="Variable"` and `SRID="Variable"` (OData/odata.net#1243; CSDL 4.01 §7.2.4, §7.2.6 spell
 * them `variable`). The model read Scale's word regardless of case, but kept `SRID="Variable"` as
 * written: such a service's EDMX and its CSDL JSON (or a service writing `variable`) gave models
 * that differ, and `srid === "variable"` missed it. Read here with `client.metadata()` from
 * node:http services, on properties and on a `Cast` expression's facets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, sendText, serveClient } from "./servers/recording-server.js";

const EDMX = (variable: string) => `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Geo" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Site"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/>
<Property Name="price" Type="Edm.Decimal" Scale="${variable}"/>
<Property Name="where" Type="Edm.GeographyPoint" SRID="${variable}"/>
<Property Name="fixed" Type="Edm.GeographyPoint" SRID="4326"/>
<Annotation Term="Core.Description"><Cast Type="Edm.GeographyPoint" SRID="${variable}"><Path>where</Path></Cast></Annotation>
</EntityType>
<EntityContainer Name="Container"><EntitySet Name="Sites" EntityType="Geo.Site"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const CSDL_JSON = {
  $Version: "4.0",
  $EntityContainer: "Geo.Container",
  Geo: {
    Site: {
      $Kind: "EntityType",
      $Key: ["id"],
      id: { $Type: "Edm.Int32" },
      price: { $Type: "Edm.Decimal", $Nullable: true, $Scale: "variable" },
      where: { $Type: "Edm.GeographyPoint", $Nullable: true, $SRID: "variable" },
      fixed: { $Type: "Edm.GeographyPoint", $Nullable: true, $SRID: 4326 },
      "@Org.OData.Core.V1.Description": { $Cast: { $Path: "where" }, $Type: "Edm.GeographyPoint", $SRID: "variable" },
    },
    Container: { $Kind: "EntityContainer", Sites: { $Collection: true, $Type: "Geo.Site" } },
  },
};

/** What the model says of Site's facets, as a client reads the document a node:http service answers. */
async function facetsServed(t: Parameters<typeof serveClient>[0], answer: { xml: string } | { json: unknown }) {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.path !== "/odata/$metadata") return sendJson(res, 404, { error: { code: "404", message: "no" } });
    if ("xml" in answer) return sendText(res, 200, answer.xml, { "Content-Type": "application/xml" });
    sendJson(res, 200, answer.json);
  });
  const model = await client.metadata();
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    ["GET /odata/$metadata"],
  );
  const type = model.entityTypeOf("Sites");
  const facets = Object.fromEntries(model.propertiesOf(type).map((p) => [p.name, { scale: p.scale, srid: p.srid }]));
  return { facets, cast: model.annotation(type, "Core.Description") };
}

const EXPECTED = {
  facets: {
    id: { scale: undefined, srid: undefined },
    price: { scale: "variable", srid: undefined },
    where: { scale: undefined, srid: "variable" },
    fixed: { scale: undefined, srid: "4326" },
  },
  cast: { $Cast: { $Path: "where" }, $Type: "Edm.GeographyPoint", $SRID: "variable" },
};

test('SRID="Variable" (Microsoft.OData.Edm 7) reads as "variable", on a property and in a Cast, as Scale="Variable" does', async (t) => {
  assert.deepEqual(await facetsServed(t, { xml: EDMX("Variable") }), EXPECTED);
});

test("the same service as EDMX written with variable and as CSDL JSON gives the same facets", async (t) => {
  assert.deepEqual(await facetsServed(t, { xml: EDMX("variable") }), EXPECTED);
  assert.deepEqual(await facetsServed(t, { json: CSDL_JSON }), EXPECTED);
  const upper = structuredClone(CSDL_JSON);
  upper.Geo.Site.where.$SRID = "Variable";
  upper.Geo.Site["@Org.OData.Core.V1.Description"].$SRID = "Variable";
  assert.deepEqual(await facetsServed(t, { json: upper }), EXPECTED);
});
