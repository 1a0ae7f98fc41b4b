// What a write's entity input takes beside a property's read type (test/s33-write-input-cases.ts
// holds the type-level cases): a string property also a `Date`, a `Uint8Array` and an `edm.*`
// value, a number property also a `bigint` and an `edm.*` value, an enumeration its members or
// `edm.enumMember()`. This file type-checks the cases, and a program using a client generated from
// v2 metadata, then sends the writes that compile to node:http servers and asserts each body as
// it went on the wire: the JSON value of the property's EDM type, in the version's form.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { fileDiagnostics, generatedFiles, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { BIG, EXACT, INSTANT, v2Writes, v4Writes } from "./s33-write-input-cases.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("s33-write-input-types");
const CASES = join(ROOT, "test", "s33-write-input-cases.ts");

/** The method, path and raw body of each request (raw: JSON.parse would round a long number). */
function sent(server: RecordingServer): Array<[string, string, string]> {
  return server.requests.map((request) => [request.method, decodeURIComponent(request.path), request.body]);
}

test("the type-level cases compile as expected: each converted value compiles for its own property types, each refused use is an error", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

test("a client generated from v2 metadata takes a Date for Edm.DateTime, bigint and edm.int64 for Edm.Int64, bytes for Edm.Binary", () => {
  const metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="2.0"><Schema Namespace="NS" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Guid" Nullable="false"/><Property Name="At" Type="Edm.DateTime"/><Property Name="Qty" Type="Edm.Int64"/><Property Name="Blob" Type="Edm.Binary"/><Property Name="N" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="Svc" m:IsDefaultEntityContainer="true"><EntitySet Name="Orders" EntityType="NS.Order"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;
  const program = `import { edm, type ODataClient } from "${IMPORT_FROM}";
import { svc } from "./v2.js";

export async function run(client: ODataClient): Promise<void> {
  const s = svc(client);
  const id = edm.guid("0b6fa2b2-1111-2222-3333-444455556666");
  await s.Orders.create({ ID: "0b6fa2b2-1111-2222-3333-444455556666", At: new Date(), Qty: edm.int64("9007199254740993"), Blob: new Uint8Array([1]), N: 5n });
  await s.Orders.key(id).update({ At: edm.dateTime("2024-01-02T10:00:00"), Qty: null });
  // @ts-expect-error Edm.Int32 is not nullable
  await s.Orders.key(id).update({ N: null });
}
`;
  const files = generatedFiles(VIRTUAL, false, { v2: { metadata, name: "svc" } }, { "program.ts": program });
  const diagnostics = [...virtualDiagnostics(files, VIRTUAL, ROOT)].flatMap(([file, lines]) => lines.map((line) => `${file.slice(VIRTUAL.length)}:${line}`));
  assert.deepEqual(diagnostics, []);
});

test("v2 bodies: a Date and edm.dateTime() as /Date(ms)/, edm.int64, edm.decimal and a bigint as digit strings, a Uint8Array and edm.binary() as base64", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => {
      res.writeHead(204).end();
    },
    { version: "2.0" },
  );
  await v2Writes(client);
  const ms = INSTANT.getTime();
  assert.deepEqual(sent(server), [
    ["POST", "/odata/Orders", `{"ID":"o1","At":"/Date(${ms})/","Qty":"${BIG}","Blob":"AQL/","Count":"5"}`],
    ["MERGE", "/odata/Orders('o1')", `{"At":"/Date(${ms})/","Amount":"1.10"}`],
    ["PUT", "/odata/Orders('o1')", `{"ID":"o1","At":null,"Qty":null,"Amount":"2","Blob":null,"Count":7}`],
    ["MERGE", "/odata/Orders('o1')", `{"At":"/Date(${ms})/","Blob":"+/8="}`],
  ]);
});

test("v4 bodies: a bigint and edm.int64() as their exact digits (a number where a double holds the value, a string where not), a Uint8Array as base64url, edm.* values and Dates as their JSON values, nested ones too", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") sendJson(res, 201, { ID: 1 }, { "odata-version": "4.0" });
    else res.writeHead(204).end();
  });
  await v4Writes(client);
  assert.deepEqual(sent(server), [
    [
      "POST",
      "/odata/Books",
      `{"ID":1,"Big":"${BIG}","Photo":"-_8=","Color":"Green","Active":true,"Stamps":["${INSTANT.toISOString()}","2024-01-03T00:00:00Z"],"Home":{"Street":"Main","ValidFrom":"2024-01-02"}}`,
    ],
    ["PATCH", "/odata/Books(1)", `{"Big":${EXACT},"Color":"Red","Photo":null}`],
    ["PATCH", "/odata/Books(1)", `{"Big":${EXACT}}`],
  ]);
});
