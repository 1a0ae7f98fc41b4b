/**
 * `key()` of a generated set takes exactly what its `<Type>Key` takes, for the keys the shape's
 * `literals` did not name before: a key property inside a complex property, named by its alias
 * (`<PropertyRef Name="Addr/Id" Alias="AddrId"/>`), which key() took as any literal value (a GUID
 * given as text went quoted, `AddrId='…'`), and an enumeration key, whose `<Type>Key` refused the
 * member names key() and the filter comparisons take. Checked by compiling a program (what must not
 * compile marked `@ts-expect-error`) and by running the factory against a node:http server.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { edm, ODataClient, parseMetadata, type EdmValue } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix-alias-keys");
const GUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

const METADATA = edmxV4(
  schemaV4(
    "K",
    `<EnumType Name="Kind"><Member Name="A"/><Member Name="B"/></EnumType>
<ComplexType Name="Addr"><Property Name="Zip" Type="Edm.String" Nullable="false"/><Property Name="Id" Type="Edm.Guid" Nullable="false"/><Property Name="No" Type="Edm.Int32" Nullable="false"/></ComplexType>
<EntityType Name="Site"><Key><PropertyRef Name="Addr/Zip" Alias="Zip"/><PropertyRef Name="Addr/Id" Alias="AddrId"/></Key><Property Name="Addr" Type="K.Addr" Nullable="false"/><Property Name="Label" Type="Edm.String"/></EntityType>
<EntityType Name="Spot"><Key><PropertyRef Name="Addr/No" Alias="No"/></Key><Property Name="Addr" Type="K.Addr" Nullable="false"/></EntityType>
<EntityType Name="Typed"><Key><PropertyRef Name="Kind"/></Key><Property Name="Kind" Type="K.Kind" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Sites" EntityType="K.Site"/><EntitySet Name="Spots" EntityType="K.Spot"/><EntitySet Name="Typeds" EntityType="K.Typed"/></EntityContainer>`,
  ),
);

const USAGE = `import { edm, type ODataClient } from "${IMPORT_FROM}";
import { c, type SiteKey, type SpotKey, type TypedKey } from "./index.js";

export function usage(client: ODataClient): void {
  const svc = c(client);
  const site: SiteKey = { Zip: "1", AddrId: edm.guid("${GUID}") };
  void svc.Sites.key(site);
  void svc.Sites.key({ Zip: "1", AddrId: edm.guid("${GUID}") });
  // @ts-expect-error SiteKey refuses a GUID given as text (key() would quote it) ...
  const text: SiteKey = { Zip: "1", AddrId: "${GUID}" };
  // @ts-expect-error ... and so does key()
  void svc.Sites.key({ Zip: "1", AddrId: "${GUID}" });
  // @ts-expect-error a number for the string Zip
  void svc.Sites.key({ Zip: 5, AddrId: edm.guid("${GUID}") });
  const spot: SpotKey = 7;
  void svc.Spots.key(spot);
  void svc.Spots.key({ No: 7 });
  // @ts-expect-error the aliased Int32 key is not text
  void svc.Spots.key("7");
  // An enumeration key: its member names, as its filter comparisons take them, or edm.enumMember().
  const kind: TypedKey = "A";
  const qualified: TypedKey = edm.enumMember("K.Kind", "B");
  void svc.Typeds.key(kind);
  void svc.Typeds.key(qualified);
  void svc.Typeds.filter((f) => f.eq("Kind", "A"));
  // @ts-expect-error not a member of Kind
  const other: TypedKey = "C";
  // @ts-expect-error nor for key()
  void svc.Typeds.key("C");
  void [text, other];
}
`;

describe("key() takes what <Type>Key takes: aliased key properties and enumeration keys", () => {
  test("the generated key types and shapes: the aliases with their <Type>Key types in the literals, an enumeration key its member names", () => {
    const text = generate(parseMetadata(METADATA), { name: "c" })["index.ts"] ?? "";
    assert.match(text, /^export interface Site extends Entity<\{\n {2}key: "Zip" \| "AddrId";\n {2}navigation: never;\n {2}literals: \{ Zip: string; AddrId: EdmValue \};\n\}> \{$/m);
    assert.match(text, /^export interface Spot extends Entity<\{\n {2}key: "No";\n {2}navigation: never;\n {2}literals: \{ No: number \};\n\}> \{$/m);
    assert.match(text, /^export type SiteKey = \{ Zip: string; AddrId: EdmValue \};$/m);
    assert.match(text, /^export type SpotKey = number;$/m);
    assert.match(text, /^export type TypedKey = Kind \| EdmValue;$/m);
  });

  test("a program may give key() what <Type>Key takes and nothing else (index.ts and index.d.ts)", () => {
    const model = parseMetadata(METADATA);
    const files = new Map([
      [join(VIRTUAL, "ts", "index.ts"), generate(model, { importFrom: IMPORT_FROM, name: "c" })["index.ts"] ?? ""],
      [join(VIRTUAL, "ts", "usage.ts"), USAGE],
      [join(VIRTUAL, "dts", "index.d.ts"), generate(model, { importFrom: IMPORT_FROM, name: "c", declarations: true })["index.d.ts"] ?? ""],
      [join(VIRTUAL, "dts", "usage.ts"), USAGE],
    ]);
    for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
  });

  test("on the wire: an aliased GUID key goes unquoted, an aliased Int32 as a number, an enumeration key by its member name or qualified", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { Label: "x" }));
    t.after(() => server.close());
    type Key<K> = { key(key: K): { get(): Promise<unknown> } };
    type Factory = (client: ODataClient) => { Sites: Key<{ Zip: string; AddrId: EdmValue }>; Spots: Key<number | { No: number }>; Typeds: Key<string | EdmValue> };
    const { c } = await importGenerated<{ c: Factory }>(t, "index.ts", generate(parseMetadata(METADATA), { importFrom: LIBRARY_URL, name: "c" })["index.ts"] ?? "");
    const svc = c(new ODataClient({ serviceUrl: server.url("svc/") }));
    await svc.Sites.key({ Zip: "1", AddrId: edm.guid(GUID) }).get();
    await svc.Spots.key(7).get();
    await svc.Spots.key({ No: 8 }).get();
    await svc.Typeds.key("A").get();
    await svc.Typeds.key(edm.enumMember("K.Kind", "B")).get();
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      [`/svc/Sites(Zip='1',AddrId=${GUID})`, "/svc/Spots(7)", "/svc/Spots(No=8)", "/svc/Typeds('A')", "/svc/Typeds(K.Kind'B')"],
    );
  });
});
