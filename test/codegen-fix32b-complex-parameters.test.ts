/**
 * An operation parameter of a complex type that has derived types. c6e6385 typed it
 * `(Address | EUAddress | USAddress) & { "@odata.type"?: string }`, and the compiler's check of an
 * object literal against that union took a literal mixing members of two derived types (a
 * USAddress's `Zip` with an EUAddress's `Region: 5`) and wrong-typed values (a USAddress's `Region`,
 * an Edm.Guid, given 7): each property was known to some member. Now each member is one type with
 * its own `@odata.type`, required of a derived type, and the declared type's member refuses what
 * only derived types declare: a literal is checked against the one type it names. An abstract
 * complex type without properties is an object type still (its empty interface took a number).
 * Checked by compiling programs (what must be refused marked `@ts-expect-error`), in index.ts and
 * index.d.ts, and by running the generated client against a node:http service that records each
 * request body.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix32b-complex-parameters");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V4 = edmxV4(
  schemaV4(
    "M",
    `<ComplexType Name="Address"><Property Name="Street" Type="Edm.String"/><Property Name="Ref" Type="Edm.Guid"/></ComplexType>
<ComplexType Name="USAddress" BaseType="M.Address"><Property Name="Zip" Type="Edm.String"/><Property Name="Region" Type="Edm.Guid"/></ComplexType>
<ComplexType Name="EUAddress" BaseType="M.Address"><Property Name="Region" Type="Edm.Int64"/><Property Name="Vat" Type="Edm.Decimal" Scale="2" Precision="10"/></ComplexType>
<ComplexType Name="Shape" Abstract="true"/>
<ComplexType Name="Circle" BaseType="M.Shape"><Property Name="Radius" Type="Edm.Decimal" Nullable="false"/><Property Name="Id" Type="Edm.Guid"/></ComplexType>
<ComplexType Name="Square" BaseType="M.Shape"><Property Name="Side" Type="Edm.Int32" Nullable="false"/></ComplexType>
<EntityType Name="Person"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Home" Type="M.Address"/></EntityType>
<Action Name="Move"><Parameter Name="to" Type="M.Address" Nullable="false"/></Action>
<Action Name="MoveAll"><Parameter Name="to" Type="Collection(M.Address)"/></Action>
<Action Name="Draw"><Parameter Name="s" Type="M.Shape" Nullable="false"/></Action>
<EntityContainer Name="Svc"><EntitySet Name="People" EntityType="M.Person"/><ActionImport Name="Move" Action="M.Move"/><ActionImport Name="MoveAll" Action="M.MoveAll"/><ActionImport Name="Draw" Action="M.Draw"/></EntityContainer>`,
  ),
);

/** What a parameter of Address or Shape takes; run against the server below. */
const CALLS = (library: string) => `import type { ODataClient } from "${library}";
import { svc, type USAddress } from "./v4.js";

export async function run(client: ODataClient): Promise<void> {
  const s = svc(client);
  const { Home: home } = await s.People.key(1).get();
  const us: USAddress = { Street: "Elm", Ref: null, Zip: "10001", Region: "${GUID}" };
  await s.Move.invoke({ to: { Street: "Main", Ref: null } });
  await s.Move.invoke({ to: { "@odata.type": "#M.Address", Street: "Main", Ref: "${GUID}" } });
  await s.Move.invoke({ to: { "@odata.type": "#M.USAddress", Street: "Elm", Ref: null, Zip: "10001", Region: "${GUID}" } });
  await s.Move.invoke({ to: { "@odata.type": "#M.EUAddress", Street: "Rue", Ref: null, Region: 75, Vat: 19.5 } });
  // A derived value names its type; an Address read earlier goes as it was read.
  await s.Move.invoke({ to: { ...us, "@odata.type": "#M.USAddress" } });
  await s.MoveAll.invoke({ to: [home, { "@odata.type": "#M.EUAddress", Street: null, Ref: null, Region: null, Vat: null }] });
  await s.Draw.invoke({ s: { "@odata.type": "#M.Circle", Radius: 2, Id: null } });
  await s.Draw.invoke({ s: { "@odata.type": "#M.Square", Side: 3 } });
}
`;

/** What the parameter types must refuse: each had compiled with c6e6385's type (the first seven) or before (the last three). */
const REFUSED = `import type { ODataClient } from "${IMPORT_FROM}";
import { svc, type USAddress } from "./v4.js";

export function refused(client: ODataClient, us: USAddress): void {
  const s = svc(client);
  // @ts-expect-error USAddress's Zip with EUAddress's Int64 Region, no type named
  void s.Move.invoke({ to: { Street: "x", Ref: null, Zip: "1", Region: 5 } });
  // @ts-expect-error EUAddress's Vat with a Region that is no Int64
  void s.Move.invoke({ to: { Street: "x", Ref: null, Region: "abc", Vat: 5 } });
  // @ts-expect-error a USAddress's Region is an Edm.Guid (a string)
  void s.Move.invoke({ to: { "@odata.type": "#M.USAddress", Street: "x", Ref: null, Zip: "1", Region: 7 } });
  // @ts-expect-error a derived type's property without its type: the service would read an Address
  void s.Move.invoke({ to: { Street: "x", Ref: null, Region: "${GUID}" } });
  // @ts-expect-error a USAddress naming an EUAddress's property
  void s.Move.invoke({ to: { "@odata.type": "#M.USAddress", Street: "x", Ref: null, Zip: "1", Region: null, Vat: 1 } });
  // @ts-expect-error ... in a collection too
  void s.MoveAll.invoke({ to: [{ Street: "x", Ref: null, Zip: "1", Region: 5 }] });
  // @ts-expect-error an abstract type without properties is still an object
  void s.Draw.invoke({ s: 5 });
  // @ts-expect-error ... not text
  void s.Draw.invoke({ s: "text" });
  // @ts-expect-error a derived value that does not name its type
  void s.Move.invoke({ to: us });
  // @ts-expect-error a type the model does not derive from Address
  void s.Move.invoke({ to: { "@odata.type": "#M.Circle", Street: "x", Ref: null } });
  // @ts-expect-error a Circle's property with a Square's
  void s.Draw.invoke({ s: { "@odata.type": "#M.Circle", Radius: 1, Id: null, Side: 2 } });
}
`;

function files(declarations: boolean): Map<string, string> {
  return generatedFiles(VIRTUAL, declarations, { v4: { metadata: V4, name: "svc" } }, { "calls.ts": CALLS(IMPORT_FROM), "refused.ts": REFUSED });
}

test("a complex parameter with derived types takes each type's literal naming it, and refuses mixed or wrong-typed ones (index.ts and index.d.ts)", () => {
  const text = generate(parseMetadata(V4), { name: "svc" })["index.ts"] ?? "";
  const address =
    '(Address & { readonly "@odata.type"?: "#M.Address" } & { readonly [K in "Region" | "Vat" | "Zip"]?: never }) | (EUAddress & { readonly "@odata.type": "#M.EUAddress" }) | (USAddress & { readonly "@odata.type": "#M.USAddress" })';
  assert.ok(text.includes(`export type MoveParameters = { to: ${address} };`), text);
  assert.ok(text.includes(`export type MoveAllParameters = { to: (${address} | null)[] };`), text);
  assert.ok(text.includes('export type DrawParameters = { s: (Shape & object & { readonly "@odata.type"?: "#M.Shape" } & { readonly [K in "Radius" | "Id" | "Side"]?: never }) | (Circle & { readonly "@odata.type": "#M.Circle" }) | (Square & { readonly "@odata.type": "#M.Square" }) };'), text);
  for (const declarations of [false, true]) {
    for (const [file, list] of virtualDiagnostics(files(declarations), VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
  }
});

// A guard: the change was to the parameter types alone, and these bodies went so before it; it keeps them from changing with the types.
test("on the wire: each complex value goes as given, with the @odata.type it names", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path === "/People(1)") {
      res.writeHead(200, { "content-type": "application/json", "OData-Version": "4.0" });
      res.end(JSON.stringify({ ID: 1, Home: { "@odata.type": "#M.USAddress", Street: "Old", Ref: null, Zip: "1", Region: null } }));
      return;
    }
    res.writeHead(204, { "OData-Version": "4.0" });
    res.end();
  });
  t.after(() => server.close());
  const written = { "v4.ts": generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "calls.ts": CALLS(LIBRARY_URL) };
  const { run } = await importWritten<{ run(client: ODataClient): Promise<void> }>(t, written, "calls.ts");
  await run(new ODataClient({ serviceUrl: server.url(""), retry: false }));
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.path, r.body === "" ? "" : JSON.parse(r.body)]),
    [
      ["GET", "/People(1)", ""],
      ["POST", "/Move", { to: { Street: "Main", Ref: null } }],
      ["POST", "/Move", { to: { "@odata.type": "#M.Address", Street: "Main", Ref: GUID } }],
      ["POST", "/Move", { to: { "@odata.type": "#M.USAddress", Street: "Elm", Ref: null, Zip: "10001", Region: GUID } }],
      ["POST", "/Move", { to: { "@odata.type": "#M.EUAddress", Street: "Rue", Ref: null, Region: 75, Vat: 19.5 } }],
      ["POST", "/Move", { to: { Street: "Elm", Ref: null, Zip: "10001", Region: GUID, "@odata.type": "#M.USAddress" } }],
      ["POST", "/MoveAll", { to: [{ "@odata.type": "#M.USAddress", Street: "Old", Ref: null, Zip: "1", Region: null }, { "@odata.type": "#M.EUAddress", Street: null, Ref: null, Region: null, Vat: null }] }],
      ["POST", "/Draw", { s: { "@odata.type": "#M.Circle", Radius: 2, Id: null } }],
      ["POST", "/Draw", { s: { "@odata.type": "#M.Square", Side: 3 } }],
    ],
  );
});
