/**
 * A property, parameter or return type whose type only an `edmx:Reference`d document declares
 * (`Type="E.Color"`, `E` an `edmx:Include` alias) was typed `Record<string, unknown>`: false for
 * an enumeration (sent as a string) or a type definition of a primitive, so a program could not
 * put a string there. The generator cannot know such a type's shape, so it says `unknown`; a
 * navigation property to an entity type of the referenced document still leads to an object.
 * The types are generated from the `$metadata` a node:http service answers, a program using them
 * is type-checked, then run against the same service.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ODataClient } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, sendText, serveClient } from "./servers/recording-server.js";
import { importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { LIBRARY_URL } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("hunt40b-meta-referenced-types");

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:Reference Uri="https://example.com/common/$metadata"><edmx:Include Namespace="Example.Common" Alias="E"/></edmx:Reference>
<edmx:DataServices>
<Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Color" Type="E.Color"/><Property Name="Code" Type="E.Code" Nullable="false"/><Property Name="Tags" Type="Collection(E.Color)"/><NavigationProperty Name="Owner" Type="E.Person"/></EntityType>
<Function Name="ByColor"><Parameter Name="color" Type="E.Color" Nullable="false"/><ReturnType Type="E.Code"/></Function>
<EntityContainer Name="Container"><EntitySet Name="Items" EntityType="Shop.Item"/><FunctionImport Name="ByColor" Function="Shop.ByColor"/></EntityContainer>
</Schema>
</edmx:DataServices></edmx:Edmx>`;

const PROGRAM = (library: string) => `import { type ODataClient } from "${library}";
import { shop, type Item } from "./shop.js";

export async function run(client: ODataClient): Promise<unknown[]> {
  const s = shop(client);
  const item: Item = await s.Items.key(1).get();
  // A string is a value of an enumeration or of a type definition of Edm.String.
  const draft: Item = { ...item, Color: "Red", Code: "X1", Tags: ["Red", null] };
  const code = await s.ByColor({ color: "Red" }).get();
  return [item.Color, draft.Color, item.Code, code];
}
`;

test("a type only a referenced document declares is typed unknown, not Record<string, unknown>; a string may be put there", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    const headers = { "OData-Version": "4.0" };
    const path = decodeURIComponent(request.path);
    if (path === "/odata/$metadata") return sendText(res, 200, METADATA, { "Content-Type": "application/xml" });
    if (path === "/odata/Items(1)") return sendJson(res, 200, { ID: 1, Color: "Blue", Code: "C7", Tags: ["Blue"] }, headers);
    if (path.startsWith("/odata/ByColor(")) return sendJson(res, 200, { value: "C9" }, headers);
    sendJson(res, 404, { error: { code: "404", message: "no" } });
  });
  const model = await client.metadata();
  const text = generate(model, { importFrom: IMPORT_FROM, name: "shop" })["index.ts"] ?? "";
  assert.match(text, /\n {2}Color: unknown;\n/);
  assert.match(text, /\n {2}Code: unknown;\n/);
  assert.match(text, /\n {2}Tags: unknown\[\];\n/);
  // A navigation property leads to an entity, an object whatever its type declares.
  assert.match(text, /\n {2}Owner\?: Record<string, unknown> \| null;\n/);
  assert.match(text, /color: unknown/);
  assert.doesNotMatch(text, /(?:Color|Code|Tags|color): Record<string, unknown>/);
  const declarations = generate(model, { importFrom: IMPORT_FROM, name: "shop", declarations: true })["index.d.ts"] ?? "";
  const files = new Map([
    [join(VIRTUAL, "ts", "shop.ts"), text],
    [join(VIRTUAL, "ts", "program.ts"), PROGRAM(IMPORT_FROM)],
    [join(VIRTUAL, "dts", "shop.d.ts"), declarations],
    [join(VIRTUAL, "dts", "program.ts"), PROGRAM(IMPORT_FROM)],
  ]);
  for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);

  const written = { "shop.ts": generate(model, { importFrom: LIBRARY_URL, name: "shop" })["index.ts"] ?? "", "program.ts": PROGRAM(LIBRARY_URL) };
  const { run } = await importWritten<{ run(client: ODataClient): Promise<unknown[]> }>(t, written, "program.ts");
  assert.deepEqual(await run(client), ["Blue", "Red", "C7", "C9"]);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`),
    ["GET /odata/$metadata", "GET /odata/Items(1)", "GET /odata/ByColor(color='Red')"],
  );
});
