/**
 * The interface of a derived entity or complex type is assignable to its base type's (a `Manager`
 * where an `Employee` is expected, a `USAddress` for an `Address` parameter). `Entity<S>` holds the
 * shape as a function's parameter so that this holds where the base's shape is assignable to the
 * derived one's, but the generator wrote shapes where it was not: a derived type's own literals
 * (`Budget`, an Edm.Guid), bound operations or key (below an abstract base without one) were
 * members its base's shape lacked. The base's shape now names them too (literals of its derived
 * types, `never` for a member only they have). A complex parameter of a type with derived types
 * takes their values and object literals naming their `@odata.type` as well (what else it refuses:
 * codegen-fix32b-complex-parameters.test.ts). Checked by compiling
 * programs (what must still be refused marked `@ts-expect-error`), in index.ts and index.d.ts, and
 * by running the generated client against a node:http server that records each request.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix32-derived-types");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V4 = edmxV4(
  schemaV4(
    "M",
    `<ComplexType Name="Address"><Property Name="Street" Type="Edm.String"/><Property Name="Ref" Type="Edm.Guid"/></ComplexType>
<ComplexType Name="USAddress" BaseType="M.Address"><Property Name="Zip" Type="Edm.String"/><Property Name="Region" Type="Edm.Guid"/></ComplexType>
<EntityType Name="Employee"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/>
  <Property Name="Home" Type="M.Address"/><NavigationProperty Name="Boss" Type="M.Manager"/></EntityType>
<EntityType Name="Manager" BaseType="M.Employee"><Property Name="Budget" Type="Edm.Guid"/><NavigationProperty Name="Reports" Type="Collection(M.Employee)"/></EntityType>
<EntityType Name="Thing" Abstract="true"><Property Name="Label" Type="Edm.String"/></EntityType>
<EntityType Name="Widget" BaseType="M.Thing"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Code" Type="Edm.Guid"/></EntityType>
<EntityType Name="Gadget" BaseType="M.Thing"><Key><PropertyRef Name="Serial"/></Key><Property Name="Serial" Type="Edm.String" Nullable="false"/><Property Name="Code" Type="Edm.DateTimeOffset"/></EntityType>
<Action Name="Promote" IsBound="true"><Parameter Name="self" Type="M.Manager" Nullable="false"/></Action>
<Function Name="Headcount" IsBound="true"><Parameter Name="self" Type="Collection(M.Manager)" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Action Name="Move"><Parameter Name="to" Type="M.Address" Nullable="false"/><Parameter Name="also" Type="Collection(M.Address)" Nullable="false"/></Action>
<EntityContainer Name="Svc"><EntitySet Name="Employees" EntityType="M.Employee"/><EntitySet Name="Managers" EntityType="M.Manager"/>
  <EntitySet Name="Widgets" EntityType="M.Widget"/><EntitySet Name="Gadgets" EntityType="M.Gadget"/><ActionImport Name="Move" Action="M.Move"/></EntityContainer>`,
  ),
);

/** Derived values where base types are expected; run against the server below. */
const CALLS = (library: string) => `import { edm, type ODataClient } from "${library}";
import { svc, type Address, type Employee, type Gadget, type Manager, type Thing, type USAddress, type Widget } from "./v4.js";

/** Written for the base type; given entities of the derived one. */
async function rename(client: ODataClient, employee: Employee, name: string): Promise<void> {
  await svc(client).Employees.key(employee.ID).update({ Name: name });
}

function labels(things: readonly Thing[]): string[] {
  return things.map((thing) => thing.Label ?? "");
}

export async function run(client: ODataClient): Promise<unknown[]> {
  const s = svc(client);
  const boss: Manager = await s.Managers.key(2).get();
  const employee: Employee = boss;
  await rename(client, boss, "Ada");
  const team: Employee[] = [employee, boss];
  const widget: Widget = await s.Widgets.key(1).get();
  const gadget: Gadget = await s.Gadgets.key("g1").get();
  const home: USAddress = { Street: "Main", Ref: null, Zip: "10001", Region: "${GUID}" };
  const address: Address = home;
  // A derived value naming its type (the service reads an Address otherwise), an object literal
  // naming it, and a collection of both kinds.
  await s.Move.invoke({ to: { ...home, "@odata.type": "#M.USAddress" }, also: [address, { "@odata.type": "#M.USAddress", Street: "Elm", Ref: null, Zip: "2", Region: null }] });
  // The derived type's shape is still its own: its literals and bound operations.
  await s.Managers.key(2).action("M.Promote").invoke({});
  const count: number = await s.Managers.function("M.Headcount", {}).get();
  const found = await s.Managers.filter((f) => f.eq("Budget", edm.guid("${GUID}"))).list();
  return [team.map((each) => each.ID), labels([widget, gadget]), count, found.length];
}
`;

/** What must still not compile: the shapes did not give up what they check. */
const REFUSED = `import type { ODataClient } from "${IMPORT_FROM}";
import { svc, type Address, type Employee, type Manager, type Widget } from "./v4.js";

export function refused(client: ODataClient, employee: Employee, widget: Widget): void {
  const s = svc(client);
  // @ts-expect-error a base entity is no derived one
  const manager: Manager = employee;
  // @ts-expect-error an entity of another hierarchy
  const other: Employee = widget;
  // @ts-expect-error an Edm.Guid literal given as a plain string (written quoted)
  void s.Managers.filter((f) => f.eq("Budget", "${GUID}"));
  // @ts-expect-error ... and through a complex property
  void s.Employees.filter((f) => f.eq("Home/Ref", "${GUID}"));
  // @ts-expect-error the base type has no Budget to select
  void s.Employees.select("Budget");
  // @ts-expect-error a property neither Address nor a derived type declares
  void s.Move.invoke({ to: { Street: "x", Ref: null, Floor: 3 }, also: [] });
  // @ts-expect-error a derived type's property with a value of another type
  void s.Move.invoke({ to: { "@odata.type": "#M.USAddress", Street: "x", Ref: null, Zip: 5, Region: null }, also: [] });
  const address: Address = { Street: "x", Ref: null };
  void [manager, other, address];
}
`;

function files(declarations: boolean): Map<string, string> {
  return generatedFiles(VIRTUAL, declarations, { v4: { metadata: V4, name: "svc" } }, { "calls.ts": CALLS(IMPORT_FROM), "refused.ts": REFUSED });
}

describe("a derived type's interface is assignable to its base type's", () => {
  test("the base's shape names what its derived types' shapes name", () => {
    const text = generate(parseMetadata(V4), { name: "svc" })["index.ts"] ?? "";
    // Manager's Budget among Employee's literals; Manager's bound operations `never` in Employee's shape.
    assert.ok(text.includes('export interface Employee extends Entity<{\n  key: "ID";\n  navigation: "Boss";\n  literals: { Budget: EdmValue };\n  actions: never;\n  collectionFunctions: never;\n}> {'), text);
    // Keys only below the abstract Thing; Code an Edm.DateTimeOffset in one and an Edm.Guid in the other.
    assert.ok(text.includes('export interface Thing extends Entity<{\n  key: never;\n  navigation: never;\n  literals: { Code: (Date | EdmValue) & (EdmValue) };\n}> {'), text);
    assert.ok(text.includes("export interface Address extends Entity<{\n  literals: { Ref: EdmValue; Region: EdmValue };\n}> {"), text);
    const move = '(Address & { readonly "@odata.type"?: "#M.Address" } & { readonly [K in "Zip" | "Region"]?: never }) | (USAddress & { readonly "@odata.type": "#M.USAddress" })';
    assert.ok(text.includes(`export type MoveParameters = { to: ${move}; also: (${move})[] };`), text);
  });

  test("derived entities and complex values compile where the base is expected; what was refused still is (index.ts and index.d.ts)", () => {
    for (const declarations of [false, true]) {
      for (const [file, list] of virtualDiagnostics(files(declarations), VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    }
  });

  // A guard: the change was to types alone, and these requests went so before it; it keeps the typing work from altering the wire.
  test("on the wire: the derived entity is updated through the base's set, the derived complex values go as given", async (t) => {
    const server = await startServer((request, res) => {
      const headers = { "OData-Version": "4.0" };
      if (request.path === "/Managers(2)") return sendJson(res, 200, { "@odata.type": "#M.Manager", ID: 2, Name: "A", Home: null, Budget: GUID }, headers);
      if (request.path === "/Widgets(1)") return sendJson(res, 200, { ID: 1, Label: "w", Code: null }, headers);
      if (request.path === "/Gadgets('g1')") return sendJson(res, 200, { Serial: "g1", Label: "g", Code: "2024-05-01T00:00:00Z" }, headers);
      if (request.path.startsWith("/Managers/M.Headcount")) return sendJson(res, 200, { value: 4 }, headers);
      if (request.path.startsWith("/Managers?")) return sendJson(res, 200, { value: [{ ID: 2 }] }, headers);
      res.writeHead(204);
      res.end();
    });
    t.after(() => server.close());
    const written = { "v4.ts": generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "calls.ts": CALLS(LIBRARY_URL) };
    const { run } = await importWritten<{ run(client: ODataClient): Promise<unknown[]> }>(t, written, "calls.ts");
    assert.deepEqual(await run(new ODataClient({ serviceUrl: server.url(""), retry: false })), [[2, 2], ["w", "g"], 4, 1]);
    const home = { Street: "Main", Ref: null, Zip: "10001", Region: GUID };
    assert.deepEqual(
      server.requests.map((r) => [r.method, decodeURIComponent(r.path), r.body === "" ? "" : JSON.parse(r.body)]),
      [
        ["GET", "/Managers(2)", ""],
        ["PATCH", "/Employees(2)", { Name: "Ada" }],
        ["GET", "/Widgets(1)", ""],
        ["GET", "/Gadgets('g1')", ""],
        ["POST", "/Move", { to: { ...home, "@odata.type": "#M.USAddress" }, also: [home, { "@odata.type": "#M.USAddress", Street: "Elm", Ref: null, Zip: "2", Region: null }] }],
        ["POST", "/Managers(2)/M.Promote", {}],
        ["GET", "/Managers/M.Headcount()", ""],
        ["GET", `/Managers?$filter=Budget eq ${GUID}`, ""],
      ],
    );
  });
});
