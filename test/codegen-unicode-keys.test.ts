/**
 * The generator writes a property key bare wherever JavaScript reads it as an identifier, in every
 * script (`客户`, `Größe`, `Заказ`), as it keeps such letters in type names. A property that is no
 * OData name (`a-b`, `1x`), which the client refuses in a query, is left out and named in the
 * header (a key that is no identifier stays quoted where one is written). The `$metadata` comes from a node:http service through the
 * client, the generated file is type-checked in memory (so `row.客户` must compile), and the
 * generated code then reads rows from that service, whose requests are recorded.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { virtualDiagnostics } from "./virtual-program.js";
import { ODataClient, type CollectionQuery } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { isIdentifier, propertyName } from "../src/codegen/names.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";
import { importGenerated, LIBRARY_URL } from "./generated-module.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files seem to be: the compiler host serves them from memory. */
const VIRTUAL = join(ROOT, "test", "codegen-unicode-keys.virtual");
const IMPORT_FROM = "../../../src/index.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
 <ComplexType Name="Ort"><Property Name="Straße" Type="Edm.String"/><Property Name="x-y" Type="Edm.String"/></ComplexType>
 <EntityType Name="Kunde">
  <Key><PropertyRef Name="客户"/></Key>
  <Property Name="客户" Type="Edm.String" Nullable="false"/>
  <Property Name="Größe" Type="Edm.Int32"/>
  <Property Name="Заказ" Type="Edm.String"/>
  <Property Name="Ort" Type="Shop.Ort"/>
  <Property Name="a-b" Type="Edm.String"/>
  <Property Name="1x" Type="Edm.String"/>
 </EntityType>
 <EntityContainer Name="Laden"><EntitySet Name="Kunden" EntityType="Shop.Kunde"/><EntitySet Name="Größen" EntityType="Shop.Kunde"/></EntityContainer>
</Schema>
</edmx:DataServices></edmx:Edmx>`;

const ROW = { 客户: "K-1", Größe: 42, Заказ: "z", Ort: { Straße: "Hauptstraße 1", "x-y": "v" }, "a-b": "ab", "1x": "one" };

/** A service that answers `$metadata` with METADATA and every other GET with one row, recording the requests. */
async function shop(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) sendText(res, 200, METADATA, { "content-type": "application/xml" });
    else sendJson(res, 200, { value: [ROW] });
  });
  t.after(() => server.close());
  return server;
}

test("identifiers of every script are bare keys; a-b and 1x are not identifiers and stay quoted", () => {
  for (const name of ["客户", "Größe", "Заказ", "Πελάτης", "$x", "_1", "class", "a\u200cb"]) {
    assert.equal(isIdentifier(name), true, name);
    assert.equal(propertyName(name), name);
  }
  for (const name of ["a-b", "1x", "", "a b", "x.y", "\u200cab", "😀"]) {
    assert.equal(isIdentifier(name), false, name);
    assert.equal(propertyName(name), JSON.stringify(name));
  }
});

test("a $metadata with 客户, Größe and Заказ gives bare members that compile as row.客户; a-b and 1x, no OData names, are left out and named; the generated service reads them from the wire", async (t) => {
  const server = await shop(t);
  const client = new ODataClient({ serviceUrl: server.url("shop/") });
  const model = await client.metadata();
  const code = generate(model, { importFrom: IMPORT_FROM })["index.ts"] ?? "";

  assert.match(code, /^ {2}客户: string;$/m);
  assert.match(code, /^ {2}Größe: number \| null;$/m);
  assert.match(code, /^ {2}Заказ: string \| null;$/m);
  assert.match(code, /^ {2}Straße: string \| null;$/m);
  assert.doesNotMatch(code, /"a-b":|"1x":|"x-y":/);
  assert.match(code, /^\/\/ {3}properties: "Shop\.Kunde\/1x", "Shop\.Kunde\/a-b", "Shop\.Ort\/x-y"$/m);
  // The entity set named with ß is a bare getter of the service as well.
  assert.match(code, /^ {4}get Größen\(\) \{$/m);
  assert.doesNotMatch(code, /"客户":|"Größe":|"Заказ":|"Straße":/);

  const program = `import type { ODataClient } from "${IMPORT_FROM}";
import { laden, type Kunde } from "./index.js";

export async function usage(client: ODataClient): Promise<string> {
  const row: Kunde | undefined = (await laden(client).Kunden.filter((f) => f.eq("客户", "K-1")).list())[0];
  if (row === undefined) return "";
  const id: string = row.客户;
  const size: number | null = row.Größe;
  const street: string | null | undefined = row.Ort?.Straße;
  // @ts-expect-error a-b is no OData name: select("a-b") and f.eq("a-b", …) would throw
  const quoted: string | null = row["a-b"];
  // @ts-expect-error Größe is a number
  const wrong: string = row.Größe;
  const [selected] = await laden(client).Größen.select("客户", "Ort/Straße").list();
  // @ts-expect-error Заказ was not selected
  void selected?.Заказ;
  return [id, size, street, quoted, row.Заказ, wrong, selected?.客户, selected?.Ort?.Straße].join();
}
`;
  const files = new Map([
    [join(VIRTUAL, "gen", "index.ts"), code],
    [join(VIRTUAL, "gen", "usage.ts"), program],
  ]);
  const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT, " ");
  assert.deepEqual(diagnostics.get(join(VIRTUAL, "gen", "index.ts")), []);
  assert.deepEqual(diagnostics.get(join(VIRTUAL, "gen", "usage.ts")), []);

  // The same generated file, run: it names the set and the properties as the service does.
  type Kunde = { 客户: string; Größe: number | null; Ort: { Straße: string | null } | null };
  const { laden } = await importGenerated<{ laden: (client: ODataClient) => { Größen: CollectionQuery<Kunde> } }>(t, "index.ts", generate(model, { importFrom: LIBRARY_URL })["index.ts"] ?? "");
  const rows = await laden(client).Größen.select("客户", "Größe", "Ort/Straße").filter((f) => f.gt("Größe", 1)).list();
  assert.deepEqual(
    server.requests.map((request) => decodeURIComponent(request.path)),
    ["/shop/$metadata", "/shop/Größen?$filter=Größe gt 1&$select=客户,Größe,Ort/Straße"],
  );
  assert.deepEqual(rows.map((row) => [row.客户, row.Größe, row.Ort?.Straße]), [["K-1", 42, "Hauptstraße 1"]]);
});
