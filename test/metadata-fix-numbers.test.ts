/**
 * Annotation numbers past the range of a double: the model stays plain JSON-serialisable data. An
 * EDMX Decimal or Float that large is kept as its text (as CSDL JSON's string form of a decimal
 * keeps it); an Int that large, no Edm.Int64, and a CSDL JSON number read as Infinity are refused
 * with BAD_METADATA naming them, as out-of-range facets are.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ServiceModel } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

/** A v4 document whose property `id` holds `annotations`. */
function edmx(annotations: string): string {
  return `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="T"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Decimal" Nullable="false" DefaultValue="1e400">${annotations}</Property></EntityType><EntityContainer Name="C"><EntitySet Name="S" EntityType="N.T"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

/** A client of a service answering `$metadata` with `body` as `contentType`. */
async function clientOf(t: { after(fn: () => unknown): void }, body: string, contentType: string): Promise<{ client: ODataClient; paths: () => string[] }> {
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": contentType, "odata-version": "4.0" });
    res.end(body);
  });
  t.after(() => server.close());
  return { client: new ODataClient({ serviceUrl: server.url("svc/") }), paths: () => server.requests.map((request) => request.path) };
}

test("an EDMX Decimal or Float beyond the range of a double is kept as its text, and the model survives its JSON form", async (t) => {
  const annotations = `<Annotation Term="Validation.Maximum" Decimal="1e400"/><Annotation Term="Validation.Minimum"><Decimal>-9.999E+6144</Decimal></Annotation><Annotation Term="Core.Example"><Record><PropertyValue Property="Value" Float="2e308"/><PropertyValue Property="Small" Decimal="12.5"/></Record></Annotation>`;
  const { client, paths } = await clientOf(t, edmx(annotations), "application/xml");
  const model = await client.metadata();
  assert.deepEqual(paths(), ["/svc/$metadata"]);
  const expected = {
    "Org.OData.Validation.V1.Maximum": "1e400",
    "Org.OData.Validation.V1.Minimum": "-9.999E+6144",
    "Org.OData.Core.V1.Example": { Value: "2e308", Small: 12.5 },
  };
  const property = model.propertiesOf("N.T")[0];
  assert.deepEqual(property?.annotations, expected);
  // The default value of a decimal that large is its text too, not "Infinity".
  assert.equal(property?.defaultValue, "1e400");
  const again = new ServiceModel(JSON.parse(JSON.stringify(model)));
  assert.deepEqual(again.propertiesOf("N.T")[0]?.annotations, expected);
});

test("an EDMX Int beyond the range of a double is refused with BAD_METADATA naming it", async (t) => {
  const { client, paths } = await clientOf(t, edmx(`<Annotation Term="Validation.Minimum" Int="-${"9".repeat(400)}"/>`), "application/xml");
  const error = await rejectionOf(client.metadata());
  assert.deepEqual(paths(), ["/svc/$metadata"]);
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "BAD_METADATA");
  assert.match(error.message, /\$metadata: the service metadata cannot be read: <Annotation> at character offset \d+ has the Int value "-9999999999999999999…" \(401 digits\), which is beyond Edm\.Int64$/);
});

test("a CSDL JSON annotation number read as Infinity is refused with BAD_METADATA naming the annotation", async (t) => {
  const json = `{"$Version":"4.0","$EntityContainer":"N.C","N":{"T":{"$Kind":"EntityType","$Key":["id"],"id":{"$Type":"Edm.Decimal","@Org.OData.Validation.V1.Maximum":1e400}},"C":{"$Kind":"EntityContainer","S":{"$Collection":true,"$Type":"N.T"}}}}`;
  const { client, paths } = await clientOf(t, json, "application/json");
  const error = await rejectionOf(client.metadata());
  assert.deepEqual(paths(), ["/svc/$metadata"]);
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "BAD_METADATA");
  assert.match(error.message, /the value of "@Org\.OData\.Validation\.V1\.Maximum" holds the number Infinity, which the model cannot keep/);
});
