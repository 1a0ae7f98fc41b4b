// Generated types that tell what the service sends and what a call may name: v4 Double and Single
// values that are the strings "NaN", "INF" and "-INF" (OData JSON Format §7.1), the dynamic
// properties of open types, v2 DateTimeOffset filter literals, and calls of overloaded functions
// that must name one overload's parameters. Each is checked three ways: the text generated from a
// small $metadata, a program using it type-checked in memory under the repository's tsconfig
// (index.ts and index.d.ts; a misuse marked @ts-expect-error must fail), and the factory run
// against a node:http server, asserting the URLs sent and the values read.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { edm, ODataClient, parseMetadata, type CollectionQuery } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { virtualDiagnostics } from "./virtual-program.js";
import { edmxV2, edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files seem to be for the type-check: the compiler host serves them from memory. */
const VIRTUAL = join(ROOT, "test", "codegen-truths.virtual");

/** A v4 document of one schema `S` holding `xml`. */
const v4 = (xml: string) => edmxV4(schemaV4("S", xml));

/** A v2 document of one schema `S` holding `xml`. */
const v2 = (xml: string) => edmxV2(xml, "S");

/**
 * The type errors of index.ts and of index.d.ts (the declarations form), each with a program
 * `usage` beside it that imports the factory `svc` and the types it names from "./index.js".
 * Empty lists mean: the generated files compile, the usage compiles, and each @ts-expect-error
 * in it marks a line that does not.
 */
function typeErrors(id: string, metadata: string, usage: string): Record<string, string[]> {
  const importFrom = "../../../src/index.js";
  const model = parseMetadata(metadata);
  const program = `import { edm, type FunctionCall, type ODataClient } from "${importFrom}";\nimport * as generated from "./index.js";\n\nexport async function usage(client: ODataClient): Promise<void> {\n  void edm;\n  const svc = generated.svc(client);\n${usage}\n}\n`;
  const files = new Map([
    [join(VIRTUAL, id, "index.ts"), generate(model, { importFrom, name: "svc" })["index.ts"] ?? ""],
    [join(VIRTUAL, id, "usage.ts"), program],
    [join(VIRTUAL, `${id}.d`, "index.d.ts"), generate(model, { importFrom, name: "svc", declarations: true })["index.d.ts"] ?? ""],
    [join(VIRTUAL, `${id}.d`, "usage.ts"), program],
  ]);
  const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT);
  return Object.fromEntries([...diagnostics].map(([file, list]) => [file.slice(VIRTUAL.length + 1), list]));
}

function noErrors(id: string): Record<string, string[]> {
  return { [`${id}/index.ts`]: [], [`${id}/usage.ts`]: [], [`${id}.d/index.d.ts`]: [], [`${id}.d/usage.ts`]: [] };
}

/** The generated factory `svc` in the given form, written to a folder of its own and imported. */
async function factoryOf<F>(metadata: string, form: "index.ts" | "index.js", t: { after(fn: () => void): void }, ieee754Compatible = false): Promise<F> {
  const files = generate(parseMetadata(metadata), { importFrom: LIBRARY_URL, name: "svc", declarations: form === "index.js", ieee754Compatible });
  return (await importGenerated<{ svc: F }>(t, form, files[form] ?? "")).svc;
}

function sentPaths(server: RecordingServer): string[] {
  return server.requests.map((r) => decodeURIComponent(r.path));
}

describe("v4 Edm.Double and Edm.Single: numbers, or the strings NaN, INF and -INF", () => {
  const METADATA = v4(`<TypeDefinition Name="Temperature" UnderlyingType="Edm.Double"/>
<ComplexType Name="Position"><Property Name="Lat" Type="Edm.Double" Nullable="false"/></ComplexType>
<EntityType Name="Reading"><Key><PropertyRef Name="ID"/></Key>
  <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
  <Property Name="Value" Type="Edm.Double" Nullable="false"/>
  <Property Name="Ratio" Type="Edm.Single"/>
  <Property Name="Samples" Type="Collection(Edm.Double)" Nullable="false"/>
  <Property Name="At" Type="S.Position"/>
  <Property Name="Heat" Type="S.Temperature"/>
</EntityType>
<EntityType Name="Level"><Key><PropertyRef Name="Height"/></Key><Property Name="Height" Type="Edm.Double" Nullable="false"/></EntityType>
<Function Name="Peak"><ReturnType Type="Edm.Double" Nullable="false"/></Function>
<Function Name="Scale"><Parameter Name="factor" Type="Edm.Double" Nullable="false"/><Parameter Name="ratio" Type="Edm.Single"/><ReturnType Type="Collection(Edm.Double)" Nullable="false"/></Function>
<Function Name="Near" IsBound="true"><Parameter Name="it" Type="S.Reading"/><Parameter Name="at" Type="Edm.Double" Nullable="false"/><ReturnType Type="Edm.Single"/></Function>
<Action Name="Adjust"><Parameter Name="by" Type="Edm.Double" Nullable="false"/></Action>
<EntityContainer Name="C">
  <EntitySet Name="Readings" EntityType="S.Reading"/><EntitySet Name="Levels" EntityType="S.Level"/>
  <FunctionImport Name="Peak" Function="S.Peak"/><FunctionImport Name="Scale" Function="S.Scale"/><ActionImport Name="Adjust" Action="S.Adjust"/>
</EntityContainer>`);
  const FLOAT = 'number | "NaN" | "INF" | "-INF"';

  test('properties, complex members, collections, type definitions and results are typed number | "NaN" | "INF" | "-INF"; filters, keys and bound functions take a number or an edm value, not the text', () => {
    const code = generate(parseMetadata(METADATA))["index.ts"] ?? "";
    const lines = (text: string) => new RegExp(`^${text.replace(/[|()[\]?*+.]/g, "\\$&")}$`, "m");
    assert.match(code, lines(`  Value: ${FLOAT};`));
    assert.match(code, lines(`  Ratio: ${FLOAT} | null;`));
    assert.match(code, lines(`  Samples: (${FLOAT})[];`));
    assert.match(code, lines(`  Lat: ${FLOAT};`));
    assert.match(code, lines(`export type Temperature = ${FLOAT};`));
    assert.match(code, lines(`  readonly Peak: (params?: PeakParameters) => FunctionCall<${FLOAT}>;`));
    assert.match(code, lines(`  readonly Scale: (params: ScaleParameters) => FunctionCall<(${FLOAT})[]>;`));
    // A plain string would be written quoted ('INF'): a filter, a key and a bound function's
    // parameter take a number (Infinity is written INF) or edm.double(text).
    assert.match(code, lines("  literals: { Value: number | EdmValue; Ratio: number | EdmValue; Heat: number | EdmValue };"));
    assert.match(code, lines("  literals: { Lat: number | EdmValue };"));
    assert.match(code, lines("export type LevelKey = number | EdmValue;"));
    assert.match(code, lines(`    | { name: "S.Near"; parameters: { at: number | EdmValue }; result: ${FLOAT} | null | undefined };`));
    // The factory writes a function import's text as the Double literal it stands for.
    assert.match(code, lines("        factor: params.factor == null ? params.factor : edm.double(params.factor),"));
    assert.match(code, lines("        ratio: params.ratio == null ? params.ratio : edm.single(params.ratio),"));
    // An action's parameters are JSON, where "INF" is the value's form.
    assert.match(code, lines(`export type AdjustParameters = { by: ${FLOAT} };`));
  });

  test("a program may not take a Double for a number, nor compare one with its text; a number, Infinity and edm.double() are its literals", () => {
    const usage = `  const rows = await svc.Readings.list();
  const value: ${FLOAT} = rows[0]!.Value;
  // @ts-expect-error "INF" is no number
  const sum: number = rows[0]!.Value + 1;
  const peak: ${FLOAT} = await svc.Peak().get();
  // @ts-expect-error the result may be "NaN"
  const half: number = (await svc.Peak().get()) / 2;
  void svc.Readings.filter((f) => f.and(f.eq("Value", 1.5), f.eq("Value", Infinity), f.eq("Value", edm.double("INF")), f.lt("At/Lat", 2), f.eq("Heat", -Infinity)));
  // @ts-expect-error written 'INF', a string
  void svc.Readings.filter((f) => f.eq("Value", "INF"));
  // @ts-expect-error written 'NaN', a string
  void svc.Readings.filter((f) => f.eq("At/Lat", "NaN"));
  // @ts-expect-error the text of the value read is compared through edm.double()
  void svc.Readings.filter((f) => f.eq("Value", rows[0]!.Value));
  void svc.Readings.filter((f) => f.eq("Value", edm.double(rows[0]!.Value)));
  void svc.Levels.key(Infinity);
  // @ts-expect-error written Levels('-INF')
  void svc.Levels.key("-INF");
  void svc.Readings.key(1).function("S.Near", { at: Infinity });
  // @ts-expect-error written at='INF'
  void svc.Readings.key(1).function("S.Near", { at: "INF" });
  void svc.Scale({ factor: "INF", ratio: null });
  void svc.Adjust.invoke({ by: "-INF" });
  void [value, sum, peak, half];`;
    assert.deepEqual(typeErrors("double", METADATA, usage), noErrors("double"));
  });

  test("rows and results hold the text as sent; Infinity is written INF, a function import's text as its literal; the text given to the untyped builder would be 'INF'", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("/Peak(")) return sendJson(res, 200, { "@odata.context": "$metadata#Edm.Double", value: "INF" });
      if (request.path.includes("/Scale(")) return sendJson(res, 200, { value: [1.5, "NaN", "-INF"] });
      if (request.method === "POST") {
        res.writeHead(204);
        res.end();
        return;
      }
      sendJson(res, 200, { value: [{ ID: 1, Value: "INF", Ratio: "NaN", Samples: [0.5, "-INF"], At: { Lat: "-INF" }, Heat: 21.5 }] });
    });
    t.after(() => server.close());
    type Row = { Value: unknown; Ratio: unknown; Samples: unknown; At: unknown };
    type Factory = (client: ODataClient) => {
      Readings: CollectionQuery<Row>;
      Peak(): { get(): Promise<unknown> };
      Scale(params: { factor: number | string; ratio: number | string | null }): { get(): Promise<unknown> };
      Adjust: { invoke(params: { by: number | string }): Promise<unknown> };
    };
    for (const form of ["index.ts", "index.js"] as const) {
      const client = new ODataClient({ serviceUrl: server.url(`${form}/`) });
      const svc = (await factoryOf<Factory>(METADATA, form, t))(client);
      const rows = await svc.Readings.filter((f) => f.eq("Value", Infinity)).list();
      assert.deepEqual(rows.map((row) => [row.Value, row.Ratio, row.Samples, row.At]), [["INF", "NaN", [0.5, "-INF"], { Lat: "-INF" }]]);
      assert.equal(await svc.Peak().get(), "INF");
      assert.deepEqual(await svc.Scale({ factor: "INF", ratio: "-INF" }).get(), [1.5, "NaN", "-INF"]);
      assert.deepEqual(await svc.Scale({ factor: 0.5, ratio: null }).get(), [1.5, "NaN", "-INF"]);
      // An action's parameters are JSON, where the text is the value's form, and Infinity is written as it.
      assert.equal(await svc.Adjust.invoke({ by: "-INF" }), undefined);
      assert.equal(await svc.Adjust.invoke({ by: -Infinity }), undefined);
      // What the typed filter refuses: an untyped query quotes the text.
      await client.collection("Readings").filter((f) => f.eq("Value", "INF")).list();
    }
    const sent = ["/FORM/Readings?$filter=Value eq INF", "/FORM/Peak()", "/FORM/Scale(factor=INF,ratio=-INF)", "/FORM/Scale(factor=0.5,ratio=null)", "/FORM/Adjust", "/FORM/Adjust", "/FORM/Readings?$filter=Value eq 'INF'"];
    assert.deepEqual(sentPaths(server), ["index.ts", "index.js"].flatMap((form) => sent.map((path) => path.replace("FORM", form))));
    assert.deepEqual(server.requests.filter((r) => r.method === "POST").map((r) => JSON.parse(r.body)), [{ by: "-INF" }, { by: "-INF" }, { by: "-INF" }, { by: "-INF" }]);
  });

  test("v2 keeps number | string (SAP services send every Double as text, INF too), compared as a number", () => {
    const code = generate(parseMetadata(v2(`<EntityType Name="Reading"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Value" Type="Edm.Double" Nullable="false"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Readings" EntityType="S.Reading"/></EntityContainer>`)))["index.ts"] ?? "";
    assert.match(code, /^ {2}Value: number \| string;$/m);
    assert.match(code, /^ {2}literals: \{ Value: number \| EdmValue \};$/m);
  });
});

describe("open types: dynamic properties", () => {
  const METADATA = v4(`<ComplexType Name="Extra" OpenType="true"><Property Name="A" Type="Edm.Int32"/></ComplexType>
<ComplexType Name="Fixed"><Property Name="B" Type="Edm.Int32"/></ComplexType>
<EntityType Name="Thing" OpenType="true"><Key><PropertyRef Name="ID"/></Key>
  <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
  <Property Name="Title" Type="Edm.String" Nullable="false"/>
  <Property Name="Day" Type="Edm.Date"/>
  <Property Name="Extra" Type="S.Extra"/>
  <Property Name="Fixed" Type="S.Fixed"/>
</EntityType>
<EntityType Name="Gadget" BaseType="S.Thing"><Property Name="Level" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityType Name="Plain"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Extra" Type="S.Extra"/><Property Name="Fixed" Type="S.Fixed"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Things" EntityType="S.Thing"/><EntitySet Name="Gadgets" EntityType="S.Gadget"/><EntitySet Name="Plains" EntityType="S.Plain"/></EntityContainer>`);

  test("an open entity or complex type, and a type derived from one, has an index signature of unknown values; a closed type has none", () => {
    const code = generate(parseMetadata(METADATA))["index.ts"] ?? "";
    const body = (name: string) => new RegExp(`^export interface ${name}\\b[\\s\\S]*?\\n\\}$`, "m").exec(code)?.[0] ?? "";
    for (const name of ["Thing", "Gadget", "Extra"]) assert.match(body(name), /^ {2}\[property: string\]: unknown;$/m, name);
    for (const name of ["Plain", "Fixed"]) assert.doesNotMatch(body(name), /\[property: string\]/, name);
    // The declared properties keep their types beside it.
    assert.match(body("Thing"), /^ {2}Title: string;\n {2}Day: string \| null;$/m);
  });

  test("select(), filters and rows take a dynamic property; a declared one keeps its type in the rows, and its literal in filters", () => {
    const usage = `  const rows = await svc.Things.select("ID", "Nickname").filter((f) => f.and(f.eq("Nickname", "dyn"), f.gt("Extra/Weight", 2))).list();
  const nickname: unknown = rows[0]!.Nickname;
  const id: number = rows[0]!.ID;
  // @ts-expect-error ID is a number
  const text: string = rows[0]!.ID;
  // @ts-expect-error Title was not selected
  void rows[0]!.Title;
  const all = await svc.Things.list();
  const title: string = all[0]!.Title;
  const weight: unknown = all[0]!.Extra?.Weight;
  const level: number = (await svc.Gadgets.list())[0]!.Level;
  void (await svc.Gadgets.select("Shade").list())[0]!.Shade;
  // @ts-expect-error a Date property takes edm.date(), as before
  void svc.Things.filter((f) => f.eq("Day", "2024-01-02"));
  // @ts-expect-error a closed type has no dynamic properties
  void svc.Plains.select("Nickname");
  // An open complex property of a closed entity type takes them below it, a closed one does not.
  void svc.Plains.filter((f) => f.eq("Extra/Weight", 1));
  // @ts-expect-error a closed complex type has no dynamic properties
  void svc.Plains.filter((f) => f.eq("Fixed/C", 1));
  void [nickname, id, text, title, weight, level];`;
    assert.deepEqual(typeErrors("open", METADATA, usage), noErrors("open"));
  });

  test("a dynamic property selected and filtered is sent by its name, and read as sent", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 1, Nickname: "dyn", Extra: { A: 1, Weight: 3 } }] }));
    t.after(() => server.close());
    type Factory = (client: ODataClient) => { Things: CollectionQuery<{ ID: number; [property: string]: unknown }> };
    const svc = (await factoryOf<Factory>(METADATA, "index.ts", t))(new ODataClient({ serviceUrl: server.url("s/") }));
    const rows = await svc.Things.select("ID", "Nickname", "Extra").filter((f) => f.and(f.eq("Nickname", "dyn"), f.gt("Extra/Weight", 2))).list();
    assert.deepEqual(rows, [{ ID: 1, Nickname: "dyn", Extra: { A: 1, Weight: 3 } }]);
    assert.deepEqual(sentPaths(server), ["/s/Things?$filter=Nickname eq 'dyn' and Extra/Weight gt 2&$select=ID,Nickname,Extra"]);
  });
});

describe("v2 Edm.DateTimeOffset in filters", () => {
  const METADATA = v2(`<EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key>
  <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
  <Property Name="createdAt" Type="Edm.DateTimeOffset"/>
  <Property Name="published" Type="Edm.DateTime"/>
</EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Books" EntityType="S.Book"/></EntityContainer>`);

  test("a DateTimeOffset is compared with edm.dateTimeOffset() (datetimeoffset'…Z'), not a Date, which v2 writes datetime'…' and services read as they like; a DateTime takes a Date", async (t) => {
    const code = generate(parseMetadata(METADATA))["index.ts"] ?? "";
    assert.match(code, /^ {2}literals: \{ createdAt: EdmValue; published: Date \| EdmValue \};$/m);
    const usage = `  const day = new Date("2024-03-01T00:00:00Z");
  void svc.Books.filter((f) => f.and(f.lt("createdAt", edm.dateTimeOffset(day)), f.lt("published", day)));
  // @ts-expect-error datetime'…' is a DateTime literal: SAP SuccessFactors reads it in its own zone
  void svc.Books.filter((f) => f.lt("createdAt", day));`;
    assert.deepEqual(typeErrors("v2dto", METADATA, usage), noErrors("v2dto"));
    const server = await startServer((_request, res) => sendJson(res, 200, { d: { results: [] } }));
    t.after(() => server.close());
    type Factory = (client: ODataClient) => { Books: CollectionQuery<{ createdAt: string | null; published: string | null }> };
    const svc = (await factoryOf<Factory>(METADATA, "index.ts", t))(new ODataClient({ serviceUrl: server.url("s/"), version: "2.0" }));
    const day = new Date("2024-03-01T00:00:00Z");
    await svc.Books.filter((f) => f.and(f.lt("createdAt", edm.dateTimeOffset(day)), f.lt("published", day))).list();
    await svc.Books.filter((f) => f.lt("createdAt", day)).list();
    assert.deepEqual(sentPaths(server), [
      "/s/Books?$filter=createdAt lt datetimeoffset'2024-03-01T00:00:00.000Z' and published lt datetime'2024-03-01T00:00:00.000'",
      // What the type refuses: the DateTime literal, without the offset.
      "/s/Books?$filter=createdAt lt datetime'2024-03-01T00:00:00.000'",
    ]);
  });
});

describe("overloaded functions: a call names one overload's parameters", () => {
  const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const METADATA = v4(`<EntityType Name="Thing"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityType Name="Special" BaseType="S.Thing"/>
<Function Name="F" IsBound="true"><Parameter Name="t" Type="S.Thing"/><Parameter Name="a" Type="Edm.Int32" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
<Function Name="F" IsBound="true"><Parameter Name="t" Type="S.Thing"/><Parameter Name="b" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.Int32"/></Function>
<Function Name="F" IsBound="true"><Parameter Name="t" Type="S.Special"/><Parameter Name="a" Type="Edm.Int32" Nullable="false"/><Parameter Name="c" Type="Edm.Boolean" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
<Function Name="H"><ReturnType Type="Edm.Date"/></Function>
<Function Name="H"><Parameter Name="x" Type="Edm.Int32" Nullable="false"/><ReturnType Type="Edm.Int64" Nullable="false"/></Function>
<Function Name="Find"><Parameter Name="id" Type="Edm.Guid" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
<Function Name="Find"><Parameter Name="name" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
<Function Name="Pick"><Parameter Name="valueOf" Type="Edm.Int32" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
<Function Name="Pick"><Parameter Name="name" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
<EntityContainer Name="C">
  <EntitySet Name="Things" EntityType="S.Thing"/><EntitySet Name="Specials" EntityType="S.Special"/>
  <FunctionImport Name="H" Function="S.H"/><FunctionImport Name="Find" Function="S.Find"/><FunctionImport Name="Pick" Function="S.Pick"/>
</EntityContainer>`);

  test("each overload's parameter type names the other overloads' parameters ?: never (not a name every object has); imports whose overloads differ in result get a call signature each", () => {
    const code = generate(parseMetadata(METADATA))["index.ts"] ?? "";
    const thing = /^export interface Thing [\s\S]*?\n\}$/m.exec(code)?.[0] ?? "";
    assert.match(thing, /^ {4}\| \{ name: "S\.F"; parameters: \{ a: number; b\?: never \}; result: string \| null \| undefined \}$/m);
    assert.match(thing, /^ {4}\| \{ name: "S\.F"; parameters: \{ b: string; a\?: never \}; result: number \| null \| undefined \};$/m);
    // On the derived type the overload bound to it is a third choice.
    const special = /^export interface Special [\s\S]*?\n\}$/m.exec(code)?.[0] ?? "";
    assert.match(special, /^ {4}\| \{ name: "S\.F"; parameters: \{ a: number; c: boolean; b\?: never \}; result: string \| null \| undefined \}$/m);
    assert.match(special, /^ {4}\| \{ name: "S\.F"; parameters: \{ a: number; c\?: never; b\?: never \}; result: string \| null \| undefined \}$/m);
    assert.match(special, /^ {4}\| \{ name: "S\.F"; parameters: \{ b: string; a\?: never; c\?: never \}; result: number \| null \| undefined \};$/m);
    assert.match(code, /^export type FindParameters = \{ id: string; name\?: never \} \| \{ name: string; id\?: never \};$/m);
    assert.match(code, /^export type PickParameters = \{ valueOf: number; name\?: never \} \| \{ name: string \};$/m);
    assert.match(code, /^export type HParameters = \{ x\?: never \} \| \{ x: number \};$/m);
    assert.match(code, /^ {2}readonly H: \{\n {4}\(params\?: \{ x\?: never \}\): FunctionCall<string \| null \| undefined>;\n {4}\(params: \{ x: number \}\): FunctionCall<number>;\n {2}\};$/m);
    assert.match(code, /^ {2}readonly Find: \(params: FindParameters\) => FunctionCall<string \| null \| undefined>;$/m);
  });

  test("parameters of two overloads at once do not compile; a bound call's parameters are one overload's; an import's result is its overload's", () => {
    const usage = `  const thing = svc.Things.key(1);
  void thing.function("S.F", { a: 1 });
  void thing.function("S.F", { b: "x" });
  // @ts-expect-error a and b belong to two overloads: no overload has both
  void thing.function("S.F", { a: 1, b: "x" });
  void svc.Specials.key(1).function("S.F", { a: 1, c: true });
  // @ts-expect-error b and c belong to two overloads
  void svc.Specials.key(1).function("S.F", { b: "x", c: true });
  const day: FunctionCall<string | null | undefined> = svc.H();
  const count: FunctionCall<number> = svc.H({ x: 1 });
  // @ts-expect-error the overload with x gives an Int64
  const wrong: FunctionCall<string | null | undefined> = svc.H({ x: 1 });
  void svc.Find({ id: "${GUID}" });
  void svc.Find({ name: "n" });
  // @ts-expect-error id and name belong to two overloads
  void svc.Find({ id: "${GUID}", name: "n" });
  void svc.Pick({ valueOf: 1 });
  void svc.Pick({ name: "n" });
  // @ts-expect-error valueOf and name belong to two overloads
  void svc.Pick({ valueOf: 1, name: "n" });
  void [day, count, wrong];`;
    assert.deepEqual(typeErrors("overloads", METADATA, usage), noErrors("overloads"));
  });

  test("each overload's call is sent with its own parameters, from index.ts and index.js", async (t) => {
    const server = await startServer((request, res) => sendJson(res, 200, { value: request.path.includes("/H(x") ? 7 : "ok" }));
    t.after(() => server.close());
    type Call = { get(): Promise<unknown> };
    type Factory = (client: ODataClient) => { H(params?: { x?: number }): Call; Find(params: Record<string, unknown>): Call };
    for (const form of ["index.ts", "index.js"] as const) {
      const svc = (await factoryOf<Factory>(METADATA, form, t))(new ODataClient({ serviceUrl: server.url(`${form}/`) }));
      assert.equal(await svc.H().get(), "ok");
      assert.equal(await svc.H({ x: 2 }).get(), 7);
      assert.equal(await svc.Find({ id: GUID }).get(), "ok");
    }
    const sent = ["/FORM/H()", "/FORM/H(x=2)", `/FORM/Find(id=${GUID})`];
    assert.deepEqual(sentPaths(server), ["index.ts", "index.js"].flatMap((form) => sent.map((path) => path.replace("FORM", form))));
  });
});

describe("the factory refuses a client that reads the service otherwise than its types say", () => {
  const ENTITY = `<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int64" Nullable="false"/><Property Name="Price" Type="Edm.Decimal"/></EntityType>`;
  const V4 = v4(`${ENTITY}<EntityContainer Name="C"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer>`);
  const V2 = v2(`${ENTITY}<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer>`);
  type Factory = (client: ODataClient) => { Items: CollectionQuery<{ ID: number | string; Price: number | string | null }> };

  /** Answers a read of Items with one item, Int64 and Decimal as strings where the Accept asks for that (or in v2 JSON). */
  async function itemService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
    const server = await startServer((request, res) => {
      const strings = /IEEE754Compatible=true/i.test(request.headers.accept ?? "") || request.path.includes("/v2/");
      const item = strings ? { ID: "9007199254740993", Price: "12.31" } : { ID: 42, Price: 12.31 };
      sendJson(res, 200, request.path.includes("/v2/") ? { d: { results: [item] } } : { value: [item] });
    });
    t.after(() => server.close());
    return server;
  }

  test("v4 types of numbers: a v2 client and a client with ieee754Compatible are refused by name; a plain v4 client reads numbers (index.ts and index.js)", async (t) => {
    const server = await itemService(t);
    for (const form of ["index.ts", "index.js"] as const) {
      const svc = await factoryOf<Factory>(V4, form, t);
      assert.throws(() => svc(new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0" })), {
        name: "TypeError",
        message: 'svc(client): the types were generated from OData 4 $metadata, but the client speaks OData 2.0 (option "version")',
      });
      assert.throws(() => svc(new ODataClient({ serviceUrl: server.url("v4/"), ieee754Compatible: true })), {
        name: "TypeError",
        message: /^svc\(client\): the types have Edm\.Int64 and Edm\.Decimal values as numbers \(generated without ieee754Compatible\), but the client asks for them as strings \(option ieee754Compatible; generate with --ieee754-compatible\)$/,
      });
      assert.deepEqual(await svc(new ODataClient({ serviceUrl: server.url("v4/") })).Items.list(), [{ ID: 42, Price: 12.31 }]);
    }
    // Only the two reads of the plain client went out, asking for plain JSON.
    assert.deepEqual(server.requests.map((r) => [r.path, r.headers.accept]), [["/v4/Items", "application/json"], ["/v4/Items", "application/json"]]);
  });

  test("v4 types generated with ieee754Compatible: a client without the option is refused by name; one with it asks for and reads strings", async (t) => {
    const server = await itemService(t);
    for (const form of ["index.ts", "index.js"] as const) {
      const svc = await factoryOf<Factory>(V4, form, t, true);
      assert.throws(() => svc(new ODataClient({ serviceUrl: server.url("v4/") })), {
        name: "TypeError",
        message: "svc(client): the types have Edm.Int64 and Edm.Decimal values as strings (generated with ieee754Compatible), but the client does not ask for them so (make it with ieee754Compatible: true)",
      });
      assert.deepEqual(await svc(new ODataClient({ serviceUrl: server.url("v4/"), ieee754Compatible: true })).Items.list(), [{ ID: "9007199254740993", Price: "12.31" }]);
    }
    assert.deepEqual(server.requests.map((r) => r.headers.accept), ["application/json;IEEE754Compatible=true", "application/json;IEEE754Compatible=true"]);
  });

  test("a v4 model without Int64 or Decimal reads the same either way: any v4 client is taken, whether generated with ieee754Compatible or not", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 7, Name: "n" }] }));
    t.after(() => server.close());
    const plain = v4(`<EntityType Name="Tag"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType><EntityContainer Name="C"><EntitySet Name="Tags" EntityType="S.Tag"/></EntityContainer>`);
    type Tags = (client: ODataClient) => { Tags: CollectionQuery<{ ID: number; Name: string | null }> };
    for (const generatedWith of [false, true]) {
      const svc = await factoryOf<Tags>(plain, "index.ts", t, generatedWith);
      for (const ieee754Compatible of [false, true]) {
        assert.deepEqual(await svc(new ODataClient({ serviceUrl: server.url("v4/"), ieee754Compatible })).Tags.list(), [{ ID: 7, Name: "n" }]);
      }
      assert.throws(() => svc(new ODataClient({ serviceUrl: server.url("v4/"), version: "2.0" })), /the client speaks OData 2\.0/);
    }
    assert.deepEqual(server.requests.map((r) => r.headers.accept), ["application/json", "application/json;IEEE754Compatible=true", "application/json", "application/json;IEEE754Compatible=true"]);
  });

  test("v2 types: a v4 client is refused by name; a v2 client reads the strings of v2 JSON", async (t) => {
    const server = await itemService(t);
    for (const form of ["index.ts", "index.js"] as const) {
      const svc = await factoryOf<Factory>(V2, form, t);
      assert.throws(() => svc(new ODataClient({ serviceUrl: server.url("v2/") })), {
        name: "TypeError",
        message: 'svc(client): the types were generated from OData 2.0 $metadata, but the client speaks OData 4 (make it with version: "2.0")',
      });
      assert.deepEqual(await svc(new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0" })).Items.list(), [{ ID: "9007199254740993", Price: "12.31" }]);
    }
    assert.deepEqual(sentPaths(server), ["/v2/Items", "/v2/Items"]);
  });
});
