/**
 * An open base entity type (`OpenType="true"`) and the names its derived types declare. c6e6385
 * wrote the derived types' literals into the base's shape (so that a derived interface is
 * assignable to the base's), and a filter on the base set comparing a dynamic property that a
 * derived type happens to declare (`Isbn`, an Edm.Guid of `Book`) with a string or a `Date` no
 * longer compiled, though the base's instances may hold any value under that name. Now such a name
 * takes any literal value in the base's shape, and the derived interfaces stay assignable to the
 * base's. Checked by compiling a program (what must be refused marked `@ts-expect-error`) and by
 * running it against a node:http service that records each request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix32b-open-base");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V4 = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="Item" OpenType="true"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Tag" Type="Edm.Guid"/></EntityType>
<EntityType Name="Book" BaseType="M.Item"><Property Name="Isbn" Type="Edm.Guid"/><Property Name="Released" Type="Edm.Date"/></EntityType>
<EntityType Name="Gift" BaseType="M.Item"><Property Name="Note" Type="Edm.String"/></EntityType>
<EntityContainer Name="Svc"><EntitySet Name="Items" EntityType="M.Item"/><EntitySet Name="Books" EntityType="M.Book"/></EntityContainer>`,
  ),
);

const PROGRAM = (library: string) => `import { edm, type ODataClient } from "${library}";
import { svc, type Book, type Gift, type Item } from "./v4.js";

export async function run(client: ODataClient): Promise<number[]> {
  const s = svc(client);
  // Dynamic properties of an Item, whatever a derived type declares under the name.
  const a = await s.Items.filter((f) => f.eq("Isbn", "978-3-16")).list();
  const b = await s.Items.filter((f) => f.lt("Released", new Date("2024-01-02T00:00:00Z"))).list();
  const c = await s.Items.filter((f) => f.eq("Color", "red")).list();
  const d = await s.Items.filter((f) => f.eq("Isbn", edm.guid("${GUID}"))).list();
  // The derived interfaces are assignable to the base's.
  const book: Book = await s.Books.key(1).get();
  const items: Item[] = [book, { ID: 2, Tag: null, Note: null } satisfies Gift];
  return [a.length, b.length, c.length, d.length, items.length];
}

export function refused(client: ODataClient, item: Item): void {
  const s = svc(client);
  // @ts-expect-error Book's Isbn is an Edm.Guid: a plain string is written quoted
  void s.Books.filter((f) => f.eq("Isbn", "${GUID}"));
  // @ts-expect-error ... so is the base's own Tag
  void s.Items.filter((f) => f.eq("Tag", "${GUID}"));
  // @ts-expect-error an object is no literal value
  void s.Items.filter((f) => f.eq("Isbn", { a: 1 }));
  // @ts-expect-error a base entity is no derived one
  const book: Book = item;
  void book;
}
`;

test("a filter on an open base set compares a name a derived type declares with any literal value; derived interfaces stay assignable", async (t) => {
  const model = parseMetadata(V4);
  const text = generate(model, { importFrom: IMPORT_FROM, name: "svc" })["index.ts"] ?? "";
  assert.ok(text.includes('export interface Item extends Entity<{\n  key: "ID";\n  navigation: never;\n  literals: { Tag: EdmValue; Isbn: any; Released: any };\n}> {'), text);
  const declarations = generate(model, { importFrom: IMPORT_FROM, name: "svc", declarations: true })["index.d.ts"] ?? "";
  const files = new Map([
    [join(VIRTUAL, "ts", "v4.ts"), text],
    [join(VIRTUAL, "ts", "program.ts"), PROGRAM(IMPORT_FROM)],
    [join(VIRTUAL, "dts", "v4.d.ts"), declarations],
    [join(VIRTUAL, "dts", "program.ts"), PROGRAM(IMPORT_FROM)],
  ]);
  for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);

  const server = await startServer((request, res) => {
    const headers = { "OData-Version": "4.0" };
    if (request.path === "/Books(1)") return sendJson(res, 200, { ID: 1, Tag: null, Isbn: GUID, Released: "2024-01-01" }, headers);
    sendJson(res, 200, { value: [{ ID: 9 }] }, headers);
  });
  t.after(() => server.close());
  const written = { "v4.ts": generate(model, { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "program.ts": PROGRAM(LIBRARY_URL) };
  const { run } = await importWritten<{ run(client: ODataClient): Promise<number[]> }>(t, written, "program.ts");
  assert.deepEqual(await run(new ODataClient({ serviceUrl: server.url(""), retry: false })), [1, 1, 1, 1, 2]);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`),
    [
      "GET /Items?$filter=Isbn eq '978-3-16'",
      "GET /Items?$filter=Released lt 2024-01-02T00:00:00.000Z",
      "GET /Items?$filter=Color eq 'red'",
      `GET /Items?$filter=Isbn eq ${GUID}`,
      "GET /Books(1)",
    ],
  );
});
