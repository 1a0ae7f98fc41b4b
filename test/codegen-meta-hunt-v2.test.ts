// OData v2 as SAP Gateway and SAP CAP's v2 adapter serve it: `sap:` attributes on a base type's
// properties restrict the sets of the types derived from it, and an `Edm.Double` comes as text
// ("0.1"), which `edm.double()` takes as the reader gives it. Each is checked against node:http
// servers on 127.0.0.1 (what the client sent, what came back), the types by the compiler (the
// generated v2 file and a program using it, in memory, under the repository's tsconfig).
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { edm, ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { virtualDiagnostics } from "./virtual-program.js";
import { edmxV2 } from "./generated-module.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files seem to be for the type-check: the compiler host serves them from memory. */
const VIRTUAL = join(ROOT, "test", "codegen-meta-hunt-v2.virtual");
const CAPABILITIES = "Org.OData.Capabilities.V1";

/** A SAP v2 service whose set `Things` holds a type derived from a base type with sap: attributes. */
const INHERITED_SAP = edmxV2(
  `<EntityType Name="Base" Abstract="true"><Key><PropertyRef Name="ID"/></Key>
  <Property Name="ID" Type="Edm.Int32" Nullable="false" sap:sortable="false"/>
  <Property Name="Secret" Type="Edm.String" sap:filterable="false" sap:sortable="false" sap:required-in-filter="true"/></EntityType>
<EntityType Name="Derived" BaseType="NS.Base"><Property Name="Name" Type="Edm.String" sap:filterable="false"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Things" EntityType="NS.Derived"/></EntityContainer>`,
  "NS",
).replace("<edmx:Edmx ", '<edmx:Edmx xmlns:sap="http://www.sap.com/Protocols/SAPData" ');

test('v2: sap:filterable, sap:sortable and sap:required-in-filter on a base type\'s properties restrict the derived type\'s set: the $metadata read from the service has its Capabilities, and partitions split by $skip without an $orderby probe of the key', async (t) => {
  const server: RecordingServer = await startServer((request, res) => {
    if (request.path.endsWith("$metadata")) {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(INHERITED_SAP);
    } else if (request.path.includes("$count")) {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("10");
    } else sendJson(res, 200, { d: { results: [{ ID: 1 }] } });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("sap/opu/odata/sap/Z_SRV/"), version: "2.0" });
  const model = await client.metadata();
  const set = model.entitySet("Things");
  assert.ok(set);
  // Before the fix only the derived type's own properties counted: FilterRestrictions named Name
  // alone, no SortRestrictions, and the planner probed $orderby=ID.
  assert.deepEqual(Object.fromEntries(Object.entries(set.annotations).filter(([term]) => term.startsWith(CAPABILITIES)).map(([term, value]) => [term.slice(CAPABILITIES.length + 1), value])), {
    FilterRestrictions: { RequiredProperties: ["Secret"], NonFilterableProperties: ["Secret", "Name"] },
    SortRestrictions: { NonSortableProperties: ["ID", "Secret"] },
  });
  const plan = await client.collection("Things").partitions(2, { model });
  assert.deepEqual(plan.map((p) => p.kind), ["skip", "skip"]);
  assert.deepEqual(server.requests.map((r) => decodeURIComponent(r.path)), ["/sap/opu/odata/sap/Z_SRV/$metadata", "/sap/opu/odata/sap/Z_SRV/Things/$count"]);
});

/** A SAP v2 service with an Edm.Double property. */
const DOUBLE = edmxV2(
  `<EntityType Name="SalesOrder"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Weight" Type="Edm.Double"/></EntityType>
<EntityContainer Name="Z_SRV_Entities" m:IsDefaultEntityContainer="true"><EntitySet Name="SalesOrderSet" EntityType="NS.SalesOrder"/></EntityContainer>`,
  "NS",
);

test('v2: edm.double() takes the Double text the reader gives ("0.1", "1.50", "-2.5E-07") and writes it as given; other text is refused, naming it; v4 writes the text bare', async (t) => {
  // As SAP Gateway answers: the Double as text.
  const server: RecordingServer = await startServer((request, res) =>
    request.path.startsWith("/v4/") ? sendJson(res, 200, { value: [] }) : sendJson(res, 200, { d: { results: [{ ID: 1, Weight: "0.1" }, { ID: 2, Weight: "1.50" }, { ID: 3, Weight: "-2.5E-07" }] } }),
  );
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0" });
  const rows = (await client.collection<{ ID: number; Weight: number | string | null }>("SalesOrderSet").page()).value;
  assert.deepEqual(rows.map((row) => row.Weight), ["0.1", "1.50", "-2.5E-07"]);
  for (const row of rows) await client.collection("SalesOrderSet").filter((f) => f.eq("Weight", edm.double(row.Weight as string))).page();
  await client.collection("SalesOrderSet").filter((f) => f.eq("Weight", edm.double(0.25))).page();
  const v4 = new ODataClient({ serviceUrl: server.url("v4/") });
  await v4.collection("Things").filter((f) => f.and(f.eq("Weight", edm.double("1.50")), f.eq("Weight", edm.double("+1.5E+03")), f.eq("Weight", edm.double("INF")))).page();
  assert.deepEqual(server.requests.map((r) => decodeURIComponent(r.path)), [
    "/v2/SalesOrderSet",
    "/v2/SalesOrderSet?$filter=Weight eq 0.1d",
    "/v2/SalesOrderSet?$filter=Weight eq 1.50d",
    "/v2/SalesOrderSet?$filter=Weight eq -2.5E-07d",
    "/v2/SalesOrderSet?$filter=Weight eq 0.25d",
    "/v4/Things?$filter=Weight eq 1.50 and Weight eq 1.5e03 and Weight eq INF",
  ]);
  for (const [text, message] of [
    ["abc", 'edm.double(value): the string "abc" is not a number such as "0.1" or "1.5e3" (nor "INF", "-INF", "NaN")'],
    ["0x10", 'edm.double(value): the string "0x10" is not a number such as "0.1" or "1.5e3" (nor "INF", "-INF", "NaN")'],
    [" 1", 'edm.double(value): the string " 1" is not a number such as "0.1" or "1.5e3" (nor "INF", "-INF", "NaN")'],
    ["Infinity", 'edm.double(value): the string "Infinity" is not a number such as "0.1" or "1.5e3" (nor "INF", "-INF", "NaN")'],
    ["1e999", 'edm.double(value): the string "1e999" is beyond the range of a double'],
  ] as const) {
    assert.throws(() => edm.double(text), { name: "RangeError", message });
  }
  assert.throws(() => edm.single("1,5"), { name: "RangeError", message: 'edm.single(value): the string "1,5" is not a number such as "0.1" or "1.5e3" (nor "INF", "-INF", "NaN")' });
  assert.equal(server.requests.length, 6);
});

test("v2: the generated type of a Double property (number | string) goes to edm.double() in a filter, and not bare (which would be written quoted)", () => {
  const importFrom = "../../src/index.js";
  const usage = `import { edm, type ODataClient } from "${importFrom}";
import { z_SRV_Entities } from "./index.js";

export async function usage(client: ODataClient): Promise<void> {
  const service = z_SRV_Entities(client);
  const weight = (await service.SalesOrderSet.top(1).page()).value[0]?.Weight;
  const w: number | string = weight ?? 0;
  void service.SalesOrderSet.filter((f) => f.eq("Weight", edm.double(w)));
  void service.SalesOrderSet.filter((f) => f.eq("Weight", 0.1));
  // @ts-expect-error the reader's text would be written as a quoted string, '0.1'
  void service.SalesOrderSet.filter((f) => f.eq("Weight", w));
}
`;
  const files = new Map([
    [join(VIRTUAL, "index.ts"), generate(parseMetadata(DOUBLE), { importFrom })["index.ts"] ?? ""],
    [join(VIRTUAL, "usage.ts"), usage],
  ]);
  assert.match(files.get(join(VIRTUAL, "index.ts")) ?? "", /Weight: number \| string \| null;/);
  const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT);
  // Before the fix: TS2345, "string | number" is not assignable to edm.double()'s "number | "INF" | "-INF" | "NaN"".
  assert.deepEqual(Object.fromEntries([...diagnostics].map(([file, list]) => [file.slice(VIRTUAL.length + 1), list])), { "index.ts": [], "usage.ts": [] });
});
