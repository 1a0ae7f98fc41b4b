/**
 * A key property whose `Nullable="false"` the document leaves out (Dataverse writes
 * `<Property Name="accountid" Type="Edm.Guid"/>` under `<PropertyRef Name="accountid"/>`). EDMX
 * reads a missing Nullable as true, but a key is never null (CSDL §6.5): the generated interface
 * typed it `string | null`, so a key read from an entity could not be given back to key() or
 * `edm.guid()` without a cast. The types are generated from the `$metadata` a node:http service
 * answers, a program using them is type-checked, then run against the same service.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ODataClient } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, sendText, serveClient } from "./servers/recording-server.js";
import { importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("hunt40-meta-key-nullable");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const METADATA = edmxV4(
  schemaV4(
    "Microsoft.Dynamics.CRM",
    `<EntityType Name="crmbaseentity" Abstract="true"/>
<EntityType Name="account" BaseType="mscrm.crmbaseentity"><Key><PropertyRef Name="accountid"/></Key><Property Name="accountid" Type="Edm.Guid"/><Property Name="name" Type="Edm.String"/></EntityType>
<EntityType Name="line"><Key><PropertyRef Name="order"/><PropertyRef Name="no"/></Key><Property Name="order" Type="Edm.String"/><Property Name="no" Type="Edm.Int32"/><Property Name="qty" Type="Edm.Int32"/></EntityType>
<EntityContainer Name="System"><EntitySet Name="accounts" EntityType="mscrm.account"/><EntitySet Name="lines" EntityType="mscrm.line"/></EntityContainer>`,
    "mscrm",
  ),
);

const PROGRAM = (library: string) => `import { edm, type ODataClient } from "${library}";
import { crm, type account, type line } from "./crm.js";

export async function run(client: ODataClient): Promise<string[]> {
  const s = crm(client);
  const first: account = await s.accounts.key(edm.guid("${GUID}")).get();
  // The key read from the entity goes back into key() as it is.
  const again = await s.accounts.key(edm.guid(first.accountid)).select("name").get();
  const row: line = (await s.lines.top(1).list())[0] as line;
  const same = await s.lines.key({ order: row.order, no: row.no }).get();
  const id: string = again.name ?? first.accountid;
  return [id, same.order];
}

export function refused(row: line): void {
  // @ts-expect-error a property that is not part of the key stays nullable
  const qty: number = row.qty;
  void qty;
}
`;

test("a key property without Nullable=\"false\" is typed without null; the program sends its key back", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    const headers = { "OData-Version": "4.0" };
    const path = decodeURIComponent(request.path);
    if (path === "/odata/$metadata") return sendText(res, 200, METADATA, { "Content-Type": "application/xml" });
    if (path.startsWith("/odata/accounts(")) return sendJson(res, 200, { accountid: GUID, name: null }, headers);
    if (path.startsWith("/odata/lines?")) return sendJson(res, 200, { value: [{ order: "A,1", no: 2, qty: null }] }, headers);
    if (path.startsWith("/odata/lines(")) return sendJson(res, 200, { order: "A,1", no: 2, qty: 5 }, headers);
    sendJson(res, 404, { error: { code: "404", message: "no" } });
  });
  const model = await client.metadata();
  const text = generate(model, { importFrom: IMPORT_FROM, name: "crm" })["index.ts"] ?? "";
  assert.match(text, /export interface account extends [^]*?\n {2}accountid: string;\n {2}name: string \| null;\n\}/);
  assert.match(text, /export interface line extends [^]*?\n {2}order: string;\n {2}no: number;\n {2}qty: number \| null;\n\}/);
  const declarations = generate(model, { importFrom: IMPORT_FROM, name: "crm", declarations: true })["index.d.ts"] ?? "";
  const files = new Map([
    [join(VIRTUAL, "ts", "crm.ts"), text],
    [join(VIRTUAL, "ts", "program.ts"), PROGRAM(IMPORT_FROM)],
    [join(VIRTUAL, "dts", "crm.d.ts"), declarations],
    [join(VIRTUAL, "dts", "program.ts"), PROGRAM(IMPORT_FROM)],
  ]);
  for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);

  const written = { "crm.ts": generate(model, { importFrom: LIBRARY_URL, name: "crm" })["index.ts"] ?? "", "program.ts": PROGRAM(LIBRARY_URL) };
  const { run } = await importWritten<{ run(client: ODataClient): Promise<string[]> }>(t, written, "program.ts");
  assert.deepEqual(await run(client), [GUID, "A,1"]);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`),
    [
      "GET /odata/$metadata",
      `GET /odata/accounts(${GUID})`,
      `GET /odata/accounts(${GUID})?$select=name`,
      "GET /odata/lines?$top=1",
      "GET /odata/lines(order='A,1',no=2)",
    ],
  );
});
