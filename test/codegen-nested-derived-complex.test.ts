/**
 * A complex property, inside a complex parameter or an entity parameter, whose type has derived
 * types. An operation parameter of such a type took a value of the type or of a derived one
 * naming its `@odata.type` (test/codegen-fix32b-complex-parameters.test.ts), but one level down
 * the property kept the declared type's interface: `{ To: { "@odata.type": "#M.USAddress", Zip } }`
 * in a `Shipment` parameter, or `Home` of the same in a `Person` parameter (`EntityInput<Person>`),
 * did not compile (TS2353). Now such a property takes the same union as a parameter of its type,
 * at any depth: a complex type that holds one has its `<Type>Input`, and an entity type that has
 * one its `<Type>Input` over `EntityInput`, where each type of the union stands as an entity
 * input's property takes it (a `Date` for a DateTimeOffset still). Mixed or wrong-typed literals
 * are refused as at the top level. Checked by compiling programs (what must be refused marked
 * `@ts-expect-error`) against index.ts and index.d.ts, and by running the generated client against
 * a node:http service that records each request body.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-nested-derived-complex");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V4 = edmxV4(
  schemaV4(
    "M",
    `<ComplexType Name="Address"><Property Name="Street" Type="Edm.String"/><Property Name="Since" Type="Edm.DateTimeOffset"/></ComplexType>
<ComplexType Name="USAddress" BaseType="M.Address"><Property Name="Zip" Type="Edm.String"/><Property Name="Region" Type="Edm.Guid"/></ComplexType>
<ComplexType Name="EUAddress" BaseType="M.Address"><Property Name="Region" Type="Edm.Int64"/></ComplexType>
<ComplexType Name="Shipment"><Property Name="To" Type="M.Address"/><Property Name="Stops" Type="Collection(M.Address)"/><Property Name="Note" Type="Edm.String"/></ComplexType>
<ComplexType Name="Order"><Property Name="Ship" Type="M.Shipment" Nullable="false"/></ComplexType>
<ComplexType Name="Shape" Abstract="true"/>
<ComplexType Name="Circle" BaseType="M.Shape"><Property Name="Radius" Type="Edm.Int32" Nullable="false"/></ComplexType>
<ComplexType Name="Drawing"><Property Name="Main" Type="M.Shape" Nullable="false"/></ComplexType>
<EntityType Name="Person"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Home" Type="M.Address"/><Property Name="Last" Type="M.Shipment"/><Property Name="Name" Type="Edm.String"/></EntityType>
<Action Name="Ship"><Parameter Name="s" Type="M.Shipment" Nullable="false"/></Action>
<Action Name="Place"><Parameter Name="o" Type="M.Order" Nullable="false"/></Action>
<Action Name="Draw"><Parameter Name="d" Type="M.Drawing" Nullable="false"/></Action>
<Action Name="Enroll"><Parameter Name="p" Type="M.Person" Nullable="false"/></Action>
<EntityContainer Name="Svc"><EntitySet Name="People" EntityType="M.Person"/><ActionImport Name="Ship" Action="M.Ship"/><ActionImport Name="Place" Action="M.Place"/><ActionImport Name="Draw" Action="M.Draw"/><ActionImport Name="Enroll" Action="M.Enroll"/></EntityContainer>`,
  ),
);

/** What the parameters take; run against the server below. Before, each call naming a derived type below the top level was TS2353. */
const CALLS = (library: string) => `import type { ODataClient } from "${library}";
import { svc } from "./v4.js";

export async function run(client: ODataClient): Promise<void> {
  const s = svc(client);
  const person = await s.People.key(1).get();
  await s.Ship.invoke({
    s: {
      To: { "@odata.type": "#M.USAddress", Street: "Elm", Since: null, Zip: "10001", Region: "${GUID}" },
      Stops: [{ "@odata.type": "#M.EUAddress", Street: "Rue", Since: null, Region: 75 }, null, { Street: "Main", Since: null }],
      Note: null,
    },
  });
  // Two complex levels down.
  await s.Place.invoke({ o: { Ship: { To: { "@odata.type": "#M.EUAddress", Street: null, Since: null, Region: 7 }, Stops: [], Note: "n" } } });
  await s.Draw.invoke({ d: { Main: { "@odata.type": "#M.Circle", Radius: 2 } } });
  // An entity parameter's complex property, and one a complex level further down; an entity input's property takes a Date still.
  await s.Enroll.invoke({
    p: {
      ID: 2,
      Home: { "@odata.type": "#M.USAddress", Street: "Elm", Zip: "10001", Since: new Date(Date.UTC(2024, 0, 2)) },
      Last: { To: { "@odata.type": "#M.EUAddress", Street: "Rue", Since: null, Region: 75 }, Stops: [], Note: null },
    },
  });
  // Values read earlier go as they were read.
  await s.Enroll.invoke({ p: person });
  if (person.Last !== null) await s.Ship.invoke({ s: person.Last });
}
`;

/** What the parameters must refuse, as the top-level parameter of a complex type does. */
const REFUSED = `import type { ODataClient } from "${IMPORT_FROM}";
import { svc } from "./v4.js";

export function refused(client: ODataClient): void {
  const s = svc(client);
  // @ts-expect-error USAddress's Zip with EUAddress's Int64 Region, no type named
  void s.Ship.invoke({ s: { To: { Street: "x", Since: null, Zip: "1", Region: 5 }, Stops: [], Note: null } });
  // @ts-expect-error a USAddress's Region is an Edm.Guid (a string)
  void s.Ship.invoke({ s: { To: { "@odata.type": "#M.USAddress", Street: "x", Since: null, Zip: "1", Region: 7 }, Stops: [], Note: null } });
  // @ts-expect-error ... in a collection too
  void s.Ship.invoke({ s: { To: null, Stops: [{ Street: "x", Since: null, Zip: "1" }], Note: null } });
  // @ts-expect-error ... two levels down: an EUAddress's Region is an Int64
  void s.Place.invoke({ o: { Ship: { To: { "@odata.type": "#M.EUAddress", Street: null, Since: null, Region: "abc" }, Stops: [], Note: null } } });
  // @ts-expect-error a type the model does not derive from Shape
  void s.Draw.invoke({ d: { Main: { "@odata.type": "#M.Address", Radius: 2 } } });
  // @ts-expect-error an abstract type without properties is still an object
  void s.Draw.invoke({ d: { Main: 5 } });
  // @ts-expect-error an entity parameter's complex property: a derived type's property without its type
  void s.Enroll.invoke({ p: { ID: 1, Home: { Street: "x", Zip: "1" } } });
  // @ts-expect-error ... an EUAddress's property in a USAddress
  void s.Enroll.invoke({ p: { ID: 1, Home: { "@odata.type": "#M.USAddress", Street: "x", Region: 5 } } });
  // @ts-expect-error ... one complex level down
  void s.Enroll.invoke({ p: { ID: 1, Last: { To: { Street: "x", Since: null, Zip: "1" }, Stops: [], Note: null } } });
  // @ts-expect-error the entity's other properties keep their types
  void s.Enroll.invoke({ p: { ID: "one" } });
}
`;

function files(declarations: boolean): Map<string, string> {
  return generatedFiles(VIRTUAL, declarations, { v4: { metadata: V4, name: "svc" } }, { "calls.ts": CALLS(IMPORT_FROM), "refused.ts": REFUSED });
}

test("a complex property with derived types, in a complex or an entity parameter at any depth, takes each type's literal naming it and refuses mixed or wrong-typed ones (index.ts and index.d.ts)", () => {
  const text = generate(parseMetadata(V4), { name: "svc" })["index.ts"] ?? "";
  const address = (value: (name: string) => string) =>
    `(${value("Address")} & { readonly "@odata.type"?: "#M.Address" } & { readonly [K in "Region" | "Zip"]?: never }) | (${value("EUAddress")} & { readonly "@odata.type": "#M.EUAddress" }) | (${value("USAddress")} & { readonly "@odata.type": "#M.USAddress" })`;
  const plain = address((name) => name);
  assert.ok(text.includes(`export type ShipmentInput = { [K in keyof Shipment as K extends "To" | "Stops" ? never : K]: Shipment[K] } & { To: ${plain} | null; Stops: (${plain} | null)[] };`), text);
  assert.ok(text.includes("export type OrderInput = { [K in keyof Order as K extends \"Ship\" ? never : K]: Order[K] } & { Ship: ShipmentInput };"), text);
  const inEntity = address((name) => `EntityInputValue<${name}>`);
  assert.ok(
    text.includes(`export type PersonInput = EntityInput<{ [K in keyof Person as K extends "Home" | "Last" ? never : K]: Person[K] }> & { Home?: ${inEntity} | null; Last?: ShipmentInputValue | null };`),
    text,
  );
  assert.ok(
    text.includes(`export type ShipmentInputValue = EntityInput<{ [K in keyof Shipment as K extends "To" | "Stops" ? never : K]: Shipment[K] }> & { To?: ${inEntity} | null; Stops?: (${inEntity} | null)[] };`),
    text,
  );
  for (const [name, type] of [["Ship", "{ s: ShipmentInput }"], ["Place", "{ o: OrderInput }"], ["Draw", "{ d: DrawingInput }"], ["Enroll", "{ p: PersonInput }"]]) {
    assert.ok(text.includes(`export type ${name}Parameters = ${type};`), `${name}: ${text}`);
  }
  // The read interfaces stay as they were.
  assert.match(text, /export interface Shipment \{\n {2}To: Address \| null;\n {2}Stops: \(Address \| null\)\[\];\n {2}Note: string \| null;\n\}/);
  for (const declarations of [false, true]) {
    for (const [file, list] of virtualDiagnostics(files(declarations), VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
  }
});

// A guard: the change is to the types alone; the bodies go as given, with the @odata.type each names.
test("on the wire: each nested complex value goes as given, with the @odata.type it names", async (t) => {
  const person = { ID: 1, Home: { "@odata.type": "#M.USAddress", Street: "Old", Since: null, Zip: "1", Region: null }, Last: { To: null, Stops: [{ Street: "A", Since: null }], Note: null }, Name: "Ann" };
  const server = await startServer((request, res) => {
    if (request.method === "GET") {
      res.writeHead(200, { "content-type": "application/json", "OData-Version": "4.0" });
      res.end(JSON.stringify(person));
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
      [
        "POST",
        "/Ship",
        {
          s: {
            To: { "@odata.type": "#M.USAddress", Street: "Elm", Since: null, Zip: "10001", Region: GUID },
            Stops: [{ "@odata.type": "#M.EUAddress", Street: "Rue", Since: null, Region: 75 }, null, { Street: "Main", Since: null }],
            Note: null,
          },
        },
      ],
      ["POST", "/Place", { o: { Ship: { To: { "@odata.type": "#M.EUAddress", Street: null, Since: null, Region: 7 }, Stops: [], Note: "n" } } }],
      ["POST", "/Draw", { d: { Main: { "@odata.type": "#M.Circle", Radius: 2 } } }],
      [
        "POST",
        "/Enroll",
        {
          p: {
            ID: 2,
            Home: { "@odata.type": "#M.USAddress", Street: "Elm", Zip: "10001", Since: "2024-01-02T00:00:00.000Z" },
            Last: { To: { "@odata.type": "#M.EUAddress", Street: "Rue", Since: null, Region: 75 }, Stops: [], Note: null },
          },
        },
      ],
      ["POST", "/Enroll", { p: person }],
      ["POST", "/Ship", { s: person.Last }],
    ],
  );
});
