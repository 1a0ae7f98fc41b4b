// The README says a service root with a query is refused, and that SAP's sap-client goes with every
// request as a header (option "headers"), the CSRF token fetch and $metadata included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Books" EntityType="S.Book"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

test("serviceUrl with a query is refused, naming the option", () => {
  assert.throws(() => new ODataClient({ serviceUrl: "https://host/sap/opu/odata/sap/API_X_SRV/?sap-client=100" }), (error: unknown) => {
    assert.ok(error instanceof TypeError);
    assert.equal(
      error.message,
      'ODataClient option "serviceUrl" must not carry a query or fragment; it is the service root (a query option every request needs, such as sap-client, can be sent as a header instead, option "headers")',
    );
    return true;
  });
  assert.throws(() => new ODataClient({ serviceUrl: "https://host/svc/#x" }), /must not carry a query or fragment/);
  assert.throws(() => new ODataClient({ serviceUrl: "https://u:pw@host/svc/" }), /must not carry a user name or password/);
});

test("headers: { \"sap-client\": \"100\" } goes with $metadata, the CSRF token fetch and the write", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("$metadata")) return sendText(res, 200, EDMX, { "content-type": "application/xml" });
    if (request.headers["x-csrf-token"] === "Fetch") {
      res.writeHead(200, { "x-csrf-token": "tok" });
      return void res.end();
    }
    sendJson(res, 201, { ID: 1 });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("sap/opu/odata/sap/API_X_SRV/"), csrf: true, headers: { "sap-client": "100" } });
  await client.metadata();
  assert.deepEqual(await client.collection("Books").create({ ID: 1 }), { ID: 1 });
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${String(request.headers["sap-client"])} ${String(request.headers["x-csrf-token"] ?? "-")}`),
    [
      "GET /sap/opu/odata/sap/API_X_SRV/$metadata 100 -",
      "GET /sap/opu/odata/sap/API_X_SRV/ 100 Fetch",
      "POST /sap/opu/odata/sap/API_X_SRV/Books 100 tok",
    ],
  );
});
