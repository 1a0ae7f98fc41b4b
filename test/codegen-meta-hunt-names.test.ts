// Names that TypeScript reads otherwise than the generator meant: operation import parameters
// named like a member every object inherits (`toString`, `constructor`, `__proto__`, `valueOf`) of
// a type the factory converts to an edm value, and types named like a keyword that stands only
// where a type is expected (`unique`, `intrinsic`). The generated files are type-checked in memory
// under the repository's tsconfig, and the factory (index.ts run by tsx, index.js of
// --declarations) sends its requests to a node:http server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { virtualDiagnostics } from "./virtual-program.js";
import { edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files seem to be for the type-check: the compiler host serves them from memory. */
const VIRTUAL = join(ROOT, "test", "codegen-meta-hunt-names.virtual");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

/** test/codegen-overloads.test.ts's INHERITED document, with more inherited names and types. */
const INHERITED = edmxV4(
  schemaV4(
    "Shop",
    `<EnumType Name="Kind" IsFlags="true"><Member Name="Paper" Value="1"/><Member Name="Audio" Value="2"/></EnumType>
  <Function Name="Tag"><Parameter Name="toString" Type="Edm.Guid"/><Parameter Name="constructor" Type="Edm.Date"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Pick"><Parameter Name="valueOf" Type="Edm.Guid" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Pick"><Parameter Name="name" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Mark"><Parameter Name="__proto__" Type="Edm.Int64"/><Parameter Name="isPrototypeOf" Type="Shop.Kind"/><Parameter Name="propertyIsEnumerable" Type="Edm.Binary"/><Parameter Name="toLocaleString" Type="Edm.Double"/><Parameter Name="hasOwnProperty" Type="Edm.DateTimeOffset"/><ReturnType Type="Edm.String"/></Function>
  <EntityContainer Name="Container"><FunctionImport Name="Tag" Function="Shop.Tag"/><FunctionImport Name="Pick" Function="Shop.Pick"/><FunctionImport Name="Mark" Function="Shop.Mark"/></EntityContainer>`,
  ),
);

/** The diagnostics of index.ts and of index.d.ts, each beside a usage program, by file. */
function typeErrors(metadata: string, usage: string): Record<string, string[]> {
  const importFrom = "../../../src/index.js";
  const model = parseMetadata(metadata);
  const program = `import { ODataClient } from "${importFrom}";\nimport * as generated from "./index.js";\n\nexport function usage(client: ODataClient): void {\n  ${usage}\n}\n`;
  const files = new Map([
    [join(VIRTUAL, "ts", "index.ts"), generate(model, { importFrom })["index.ts"] ?? ""],
    [join(VIRTUAL, "ts", "usage.ts"), program],
    [join(VIRTUAL, "dts", "index.d.ts"), generate(model, { importFrom, declarations: true })["index.d.ts"] ?? ""],
    [join(VIRTUAL, "dts", "usage.ts"), program],
  ]);
  const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT);
  return Object.fromEntries([...diagnostics].map(([file, list]) => [file.slice(VIRTUAL.length + 1), list]));
}

const NO_ERRORS = { "ts/index.ts": [], "ts/usage.ts": [], "dts/index.d.ts": [], "dts/usage.ts": [] };

type Call = { get(): Promise<unknown> };
type Service = Record<"Tag" | "Pick" | "Mark", (params: Record<string, unknown>) => Call>;

test("parameters named toString, constructor, valueOf, __proto__, isPrototypeOf... of Guid, Date, Int64, flags, Binary, Double and DateTimeOffset types: index.ts and index.d.ts type-check under the repository's tsconfig, and index.ts and index.js send each given one as its literal", async (t) => {
  const usage = `const svc = generated.container(client);
  void svc.Tag({ toString: "${GUID}", constructor: null }).get();
  void svc.Pick({ valueOf: "${GUID}" }).get();
  void svc.Mark({ __proto__: 1, isPrototypeOf: "Paper,Audio", propertyIsEnumerable: "AQI", toLocaleString: "INF", hasOwnProperty: null }).get();
  // @ts-expect-error toString is a GUID's text
  void svc.Tag({ toString: 1, constructor: null });`;
  // Before the fix: TS2345 in ts/index.ts, the test of each conditional expression not narrowing
  // its repetition (and valueOf typed with Object.prototype's member).
  assert.deepEqual(typeErrors(INHERITED, usage), NO_ERRORS);

  const server: RecordingServer = await startServer((_request, res) => sendJson(res, 200, { value: "ok" }));
  t.after(() => server.close());
  for (const form of ["index.ts", "index.js"] as const) {
    const files = generate(parseMetadata(INHERITED), { importFrom: LIBRARY_URL, declarations: form === "index.js" });
    const { container } = await importGenerated<{ container: (client: ODataClient) => Service }>(t, form, files[form] ?? "");
    const svc = container(new ODataClient({ serviceUrl: server.url(`${form}/`) }));
    assert.equal(await svc.Tag({}).get(), "ok");
    assert.equal(await svc.Tag({ toString: GUID, constructor: "2024-01-02" }).get(), "ok");
    assert.equal(await svc.Pick({ name: "x" }).get(), "ok");
    assert.equal(await svc.Pick({ valueOf: GUID }).get(), "ok");
    // A computed key makes __proto__ an own member, as the generated object literal does.
    assert.equal(await svc.Mark({ ["__proto__"]: 9007199254740991, isPrototypeOf: "Paper, Audio", propertyIsEnumerable: "AQI", toLocaleString: "INF", hasOwnProperty: null }).get(), "ok");
    assert.equal(await svc.Mark({}).get(), "ok");
  }
  const sent = [
    "/FORM/Tag()",
    `/FORM/Tag(toString=${GUID},constructor=2024-01-02)`,
    "/FORM/Pick(name='x')",
    `/FORM/Pick(valueOf=${GUID})`,
    "/FORM/Mark(__proto__=9007199254740991,isPrototypeOf=Shop.Kind'Paper,Audio',propertyIsEnumerable=binary'AQI=',toLocaleString=INF,hasOwnProperty=null)",
    "/FORM/Mark()",
  ];
  assert.deepEqual(
    server.requests.map((r) => decodeURIComponent(r.path)),
    ["index.ts", "index.js"].flatMap((form) => sent.map((path) => path.replace("FORM", form))),
  );
});

/** Types named like the keywords that stand only where a type is expected, each used as a type. */
const KEYWORDS = edmxV4(
  schemaV4(
    "N",
    `<EntityType Name="unique"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="at" Type="N.intrinsic"/><NavigationProperty Name="next" Type="N.unique"/></EntityType>
<EntityType Name="infer"><Key><PropertyRef Name="code"/></Key><Property Name="code" Type="N.intrinsic" Nullable="false"/><Property Name="shape" Type="N.keyof"/></EntityType>
<ComplexType Name="keyof"><Property Name="x" Type="Edm.String"/></ComplexType>
<TypeDefinition Name="intrinsic" UnderlyingType="Edm.String"/>
<EntityContainer Name="C"><EntitySet Name="Items" EntityType="N.unique"/><EntitySet Name="Codes" EntityType="N.infer"/><Singleton Name="First" Type="N.unique"/></EntityContainer>`,
  ),
);

test("types named unique and intrinsic (and infer, keyof) become unique_ and intrinsic_: index.ts and index.d.ts parse and type-check, and the factory reads the set", async (t) => {
  const usage = `const svc = generated.c(client);
  const items: generated.unique_[] = [];
  const at: generated.intrinsic_ | null | undefined = items[0]?.at;
  const key: generated.infer_Key = "A";
  const shape: generated.keyof_ | null | undefined = undefined;
  void svc.Items.filter((f) => f.eq("at", "x")).page();
  void svc.First.get();
  void [at, key, shape];`;
  // Before the fix: TS1110 "Type expected." at CollectionQuery<unique>, EntityQuery<unique> and
  // next?: unique, in both files, and TS2795 at `type infer_Key = intrinsic` in index.ts.
  assert.deepEqual(typeErrors(KEYWORDS, usage), NO_ERRORS);

  const server: RecordingServer = await startServer((_request, res) => sendJson(res, 200, { value: [{ id: 1, at: "x" }] }));
  t.after(() => server.close());
  const files = generate(parseMetadata(KEYWORDS), { importFrom: LIBRARY_URL });
  const { c } = await importGenerated<{ c: (client: ODataClient) => { Items: { filter(fn: (f: { eq(p: string, v: string): unknown }) => unknown): { page(): Promise<{ value: unknown }> } } } }>(t, "index.ts", files["index.ts"] ?? "");
  const page = await c(new ODataClient({ serviceUrl: server.url() })).Items.filter((f) => f.eq("at", "x")).page();
  assert.deepEqual(page.value, [{ id: 1, at: "x" }]);
  assert.deepEqual(server.requests.map((r) => decodeURIComponent(r.path)), ["/Items?$filter=at eq 'x'"]);
});
