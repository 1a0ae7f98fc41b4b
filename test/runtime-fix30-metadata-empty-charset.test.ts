/**
 * An empty `charset` parameter on a `$metadata` answer (`application/xml; charset=`) names no
 * encoding: the document's own clues decide (its XML declaration), as when the parameter is
 * absent. It was taken as UTF-8, which read an ISO-8859-1 document's non-ASCII names as U+FFFD.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

/** A v4 EDMX document in ISO-8859-1 (each character its own byte), declaring so, with the property `Größe`. */
const LATIN1_EDMX = Uint8Array.from(
  `<?xml version="1.0" encoding="ISO-8859-1"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Maß"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="Größe" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="Maße" EntityType="N.Maß"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`,
  (c) => c.charCodeAt(0),
);

for (const contentType of ["application/xml; charset=", 'application/xml;charset=""', "application/xml; charset= ; q=1"]) {
  test(`$metadata in ISO-8859-1 served as ${JSON.stringify(contentType)} is read in the encoding its XML declaration names`, async (t) => {
    const server = await startServer((_request, res) => {
      res.writeHead(200, { "content-type": contentType, "content-length": LATIN1_EDMX.byteLength, "odata-version": "4.0" });
      res.end(LATIN1_EDMX);
    });
    t.after(() => server.close());
    const model = await new ODataClient({ serviceUrl: server.url("svc/") }).metadata();
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path}`),
      ["GET /svc/$metadata"],
    );
    const type = model.entityType("N.Maß");
    assert.ok(type, "the entity type N.Maß is read under its name");
    assert.deepEqual(
      model.propertiesOf(type).map((property) => property.name),
      ["id", "Größe"],
    );
  });
}

test("a charset the Content-Type does name still wins over the XML declaration", async (t) => {
  // The declaration says ISO-8859-1, the answer says UTF-8, and the bytes are UTF-8.
  const utf8 = new TextEncoder().encode(new TextDecoder("latin1").decode(LATIN1_EDMX));
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/xml; charset=utf-8", "content-length": utf8.byteLength, "odata-version": "4.0" });
    res.end(utf8);
  });
  t.after(() => server.close());
  const model = await new ODataClient({ serviceUrl: server.url("svc/") }).metadata();
  const type = model.entityType("N.Maß");
  assert.ok(type);
  assert.deepEqual(
    model.propertiesOf(type).map((property) => property.name),
    ["id", "Größe"],
  );
});
