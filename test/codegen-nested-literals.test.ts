// The `literals` of complex types: a filter path into a complex property (`Address/Lat`) ends at a
// property whose literal is not a quoted string (a v2 Double, Single, Int64 or DateTime, a Guid, a
// v4 Date), so the generated complex interface names it in a shape of its own and the comparison
// demands the edm value (or a number, or a JS Date where that is the literal). A plain string, which
// the service would receive quoted and refuse, no longer compiles; neither does one for a related
// entity's property the related type's shape names (`Owner/ID`). Interfaces without `literals`
// are typed as before. The generated files and programs that use them are type-checked here, in
// memory, under the repository's compiler options; the accepted values are sent to a node:http
// server, which records the `$filter` they give.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { virtualDiagnostics } from "./virtual-program.js";
import { edm, ODataClient, parseMetadata, type CollectionQuery } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { importGenerated, LIBRARY_URL } from "./generated-module.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files seem to be: the compiler host serves them from memory. */
const VIRTUAL = join(ROOT, "test", "codegen-nested-literals.virtual");
/** The library as seen from a generated folder below VIRTUAL. */
const IMPORT_FROM = "../../../src/index.js";
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
 <edmx:DataServices m:DataServiceVersion="2.0">
  <Schema Namespace="Geo" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
   <ComplexType Name="Address">
    <Property Name="Street" Type="Edm.String"/>
    <Property Name="Lat" Type="Edm.Double"/>
    <Property Name="Ratio" Type="Edm.Single" Nullable="false"/>
    <Property Name="Ref" Type="Edm.Guid"/>
    <Property Name="Since" Type="Edm.DateTime"/>
    <Property Name="Big" Type="Edm.Int64"/>
    <Property Name="Floor" Type="Edm.Int32"/>
   </ComplexType>
   <ComplexType Name="Note"><Property Name="Text" Type="Edm.String"/><Property Name="Count" Type="Edm.Int32"/></ComplexType>
   <EntityType Name="Site">
    <Key><PropertyRef Name="ID"/></Key>
    <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
    <Property Name="Address" Type="Geo.Address" Nullable="false"/>
    <Property Name="Note" Type="Geo.Note"/>
    <NavigationProperty Name="Owner" Relationship="Geo.SiteOwner" FromRole="Site" ToRole="Owner"/>
   </EntityType>
   <EntityType Name="Person">
    <Key><PropertyRef Name="ID"/></Key>
    <Property Name="ID" Type="Edm.Guid" Nullable="false"/>
    <Property Name="Name" Type="Edm.String"/>
   </EntityType>
   <Association Name="SiteOwner"><End Type="Geo.Site" Multiplicity="*" Role="Site"/><End Type="Geo.Person" Multiplicity="0..1" Role="Owner"/></Association>
   <EntityContainer Name="GeoService" m:IsDefaultEntityContainer="true">
    <EntitySet Name="Sites" EntityType="Geo.Site"/>
    <EntitySet Name="People" EntityType="Geo.Person"/>
    <AssociationSet Name="SiteOwners" Association="Geo.SiteOwner"><End EntitySet="Sites" Role="Site"/><End EntitySet="People" Role="Owner"/></AssociationSet>
   </EntityContainer>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>`;

const V4_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Transit" xmlns="http://docs.oasis-open.org/odata/ns/edm">
 <ComplexType Name="Stop"><Property Name="Ref" Type="Edm.Guid"/><Property Name="Day" Type="Edm.Date"/><Property Name="Name" Type="Edm.String"/></ComplexType>
 <EntityType Name="Route"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="First" Type="Transit.Stop"/><Property Name="Stops" Type="Collection(Transit.Stop)"/></EntityType>
 <EntityContainer Name="TransitService"><EntitySet Name="Routes" EntityType="Transit.Route"/></EntityContainer>
</Schema>
</edmx:DataServices></edmx:Edmx>`;

/** A program using the generated module `./index.js` with `client`; every misuse is marked. */
function usage(imports: string, body: string): string {
  return `import { edm, type ODataClient } from "${IMPORT_FROM}";\nimport { ${imports} } from "./index.js";\n\nexport function usage(client: ODataClient): void {\n${body}\n}\n`;
}

const V2_PATHS = `  const svc = geoService(client);
  // @ts-expect-error a v2 Double in a complex property given as text would be written '1.5'
  void svc.Sites.filter((f) => f.eq("Address/Lat", "1.5"));
  // @ts-expect-error in a list too
  void svc.Sites.filter((f) => f.in("Address/Lat", ["1.5"]));
  // @ts-expect-error a Single
  void svc.Sites.filter((f) => f.gt("Address/Ratio", "2.5"));
  // @ts-expect-error a Guid
  void svc.Sites.filter((f) => f.eq("Address/Ref", "${GUID}"));
  // @ts-expect-error a v2 DateTime
  void svc.Sites.filter((f) => f.lt("Address/Since", "2024-01-02T00:00:00"));
  // @ts-expect-error a v2 Int64
  void svc.Sites.filter((f) => f.ne("Address/Big", "10"));
  // @ts-expect-error a related entity's Guid, which its own shape names
  void svc.Sites.filter((f) => f.eq("Owner/ID", "${GUID}"));
  void svc.Sites.filter((f) =>
    f.and(
      f.eq("Address/Lat", 1.5),
      f.eq("Address/Lat", edm.double(1.5)),
      f.eq("Address/Lat", null),
      f.in("Address/Ratio", [2.5, edm.single(2.5)]),
      f.eq("Address/Ref", edm.guid("${GUID}")),
      f.lt("Address/Since", new Date(0)),
      f.ne("Address/Big", edm.int64("10")),
      f.eq("Address/Street", "x"),
      f.gt("Address/Floor", 2),
      f.eq("Note/Text", "x"),
      f.eq("Owner/ID", edm.guid("${GUID}")),
      f.eq("Owner/Name", "x"),
    ),
  );
  // The compared values keep their own types where no literal is named.
  // @ts-expect-error Floor is an Int32
  void svc.Sites.filter((f) => f.eq("Address/Floor", "2"));
  const note: Note = { Text: "x", Count: 1 };
  const address: Address = { Street: null, Lat: "1.5", Ratio: 2.5, Ref: null, Since: null, Big: null, Floor: null };
  void [note, address];`;

/** Interfaces without `literals` (hand-written, and a generated complex type without any): text compiles as before. */
const V2_PLAIN = `  interface PlainAddress { Lat: number | string | null; Ref: string | null }
  interface PlainSite { ID: number; Address: PlainAddress; Note: Note | null }
  const plain = client.collection<PlainSite>("Sites");
  void plain.filter((f) => f.and(f.eq("Address/Lat", "1.5"), f.eq("Address/Ref", "${GUID}"), f.eq("Note/Text", "x")));
  void client.collection("Sites").filter((f) => f.eq("Address/Lat", "1.5"));`;

const V4_PATHS = `  const svc = transitService(client);
  // @ts-expect-error a Guid in a complex property
  void svc.Routes.filter((f) => f.eq("First/Ref", "${GUID}"));
  // @ts-expect-error a Date in a complex property
  void svc.Routes.filter((f) => f.eq("First/Day", "2024-01-02"));
  void svc.Routes.filter((f) => f.and(f.eq("First/Ref", edm.guid("${GUID}")), f.eq("First/Day", edm.date("2024-01-02")), f.eq("First/Name", "x")));`;

const V4_LAMBDA = `  const svc = transitService(client);
  // @ts-expect-error inside a lambda over a collection of complex values, the complex type's shape applies
  void svc.Routes.filter((f) => f.any("Stops", (s) => s.eq("Ref", "${GUID}")));
  void svc.Routes.filter((f) => f.any("Stops", (s) => s.and(s.eq("Ref", edm.guid("${GUID}")), s.eq("Name", "x"))));`;

const v2 = parseMetadata(V2_METADATA);
const v4 = parseMetadata(V4_METADATA);
const v2Code = generate(v2, { importFrom: IMPORT_FROM })["index.ts"] ?? "";
const v2Declarations = generate(v2, { importFrom: IMPORT_FROM, declarations: true })["index.d.ts"] ?? "";
const v4Code = generate(v4, { importFrom: IMPORT_FROM })["index.ts"] ?? "";

const FILES = new Map<string, string>([
  [join(VIRTUAL, "v2", "index.ts"), v2Code],
  [join(VIRTUAL, "v2", "paths.ts"), usage("geoService, type Address, type Note", V2_PATHS)],
  [join(VIRTUAL, "v2", "plain.ts"), usage("type Note", V2_PLAIN)],
  // One misuse without @ts-expect-error: proves that the programs are really checked.
  [join(VIRTUAL, "v2", "wrong.ts"), usage("geoService", `  void geoService(client).Sites.filter((f) => f.eq("Address/Lat", "1.5"));`)],
  [join(VIRTUAL, "v2.d", "index.d.ts"), v2Declarations],
  [join(VIRTUAL, "v2.d", "paths.ts"), usage("geoService, type Address, type Note", V2_PATHS)],
  [join(VIRTUAL, "v4", "index.ts"), v4Code],
  [join(VIRTUAL, "v4", "paths.ts"), usage("transitService", V4_PATHS)],
  [join(VIRTUAL, "v4", "lambda.ts"), usage("transitService", V4_LAMBDA)],
]);

let diagnosticsByFile: Map<string, string[]> | undefined;

/** The diagnostics of one virtual file, all files checked in one program under the repository's options. */
function diagnosticsOf(file: string): string[] {
  diagnosticsByFile ??= virtualDiagnostics(FILES, VIRTUAL, ROOT, " ");
  return diagnosticsByFile.get(file) ?? [`${file} is not in the program`];
}

describe("generated complex types name their literals, and paths into them demand the edm values", () => {
  test("a complex type with such properties extends Entity<{ literals }> naming each, as an entity's shape would; one without any, and v4 JSON numbers, are typed as before", () => {
    assert.match(v2Code, /^export interface Address extends Entity<\{\n {2}literals: \{ Lat: number \| EdmValue; Ratio: number \| EdmValue; Ref: EdmValue; Since: Date \| EdmValue; Big: EdmValue \};\n\}> \{\n {2}Street: string \| null;\n {2}Lat: number \| string \| null;/m);
    assert.match(v2Code, /^export interface Note \{\n {2}Text: string \| null;\n {2}Count: number \| null;\n\}$/m);
    assert.match(v2Declarations, /^export interface Address extends Entity<\{\n {2}literals: \{ Lat: number \| EdmValue;/m);
    assert.match(v2Declarations, /^import type \{ [^}]*\bEntity\b[^}]*\} from /m);
    assert.match(v4Code, /^export interface Stop extends Entity<\{\n {2}literals: \{ Ref: EdmValue; Day: EdmValue \};\n\}> \{$/m);
    // A model of complex types alone imports Entity for them.
    const complexOnly = generate(parseMetadata(V4_METADATA.replace(/<EntityType[^]*?<\/EntityType>/, "").replace(/<EntitySet[^>]*\/>/, "")))["index.ts"] ?? "";
    assert.match(complexOnly, /^import type \{ EdmValue, Entity, ODataClient \} from "traverse-odata";$/m);
    assert.match(complexOnly, /^export interface Stop extends Entity<\{$/m);
  });

  test("v2 filter paths into a complex property (Double, Single, Guid, DateTime, Int64) and to a related entity's Guid refuse text and take the edm values, numbers and Dates; the index.ts and index.d.ts forms alike", () => {
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "v2", "paths.ts")), []);
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "v2.d", "paths.ts")), []);
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "v2", "index.ts")), []);
    const wrong = diagnosticsOf(join(VIRTUAL, "v2", "wrong.ts"));
    assert.equal(wrong.length, 1, wrong.join("\n"));
    assert.equal(wrong[0], `5: Argument of type '"1.5"' is not assignable to parameter of type 'number | bigint | EdmValue | FilterExpression | null'.`);
  });

  test("v4 filter paths into a complex property (Guid, Date) refuse text and take the edm values", () => {
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "v4", "index.ts")), []);
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "v4", "paths.ts")), []);
  });

  test("inside f.any over a collection of complex values, the complex type's literals apply to the lambda variable's properties", () => {
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "v4", "lambda.ts")), []);
  });

  test("interfaces without literals (hand-written, a generated complex type without any, a loose type) take text in nested paths as before", () => {
    assert.deepEqual(diagnosticsOf(join(VIRTUAL, "v2", "plain.ts")), []);
  });

  test("on the wire: the accepted values of nested paths are written as the typed literals of their properties, and the rows come back as sent", async (t) => {
    type Site = { ID: number; Address: { Lat: number | string | null; Ref: string | null; Since: string | null; Big: string | null }; Owner?: { ID: string } | null };
    const { geoService } = await importGenerated<{ geoService: (client: ODataClient) => { Sites: CollectionQuery<Site> } }>(t, "index.ts", generate(v2, { importFrom: LIBRARY_URL })["index.ts"] ?? "");
    const row = { ID: 1, Address: { Street: "Main", Lat: "1.5", Ratio: "2.5", Ref: GUID, Since: "/Date(1704153600000)/", Big: "9007199254740993", Floor: 2 } };
    const server: RecordingServer = await startServer((_, res) => sendJson(res, 200, { d: { results: [row] } }));
    t.after(() => server.close());
    const svc = geoService(new ODataClient({ serviceUrl: server.url("geo/"), version: "2.0" }));
    // The values the generated types accept (checked above).
    const page = await svc.Sites.filter((f) =>
      f.and(
        f.eq("Address/Lat", 1.5),
        f.eq("Address/Lat", edm.double(1e10)),
        f.eq("Address/Ref", edm.guid(GUID)),
        f.lt("Address/Since", new Date(Date.UTC(2024, 0, 2))),
        f.gt("Address/Big", edm.int64("9007199254740993")),
        f.eq("Owner/ID", edm.guid(GUID)),
      ),
    ).page();
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      [`/geo/Sites?$filter=Address/Lat eq 1.5 and Address/Lat eq 10000000000d and Address/Ref eq guid'${GUID}' and Address/Since lt datetime'2024-01-02T00:00:00.000' and Address/Big gt 9007199254740993L and Owner/ID eq guid'${GUID}'`],
    );
    assert.deepEqual(page.value.map((site) => [site.ID, site.Address.Lat, site.Address.Big]), [[1, "1.5", "9007199254740993"]]);
  });
});
