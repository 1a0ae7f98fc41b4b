// Operation imports with overloads that differ in their parameters (CSDL 4.01 §12.2: the unbound
// overloads of a function differ in their set of parameter names; OData v2 documents may declare
// two FunctionImports of one name, which the reader joins). The parameters' type is then a union,
// and a parameter the factory converts to an edm value (a GUID, a date, an Int64, an enumeration
// member, a v2 Double...) is not a member of every type in it. Checked for each form: the
// generated files and a program using them type-check (in memory, under the repository's
// tsconfig), each overload keeps its own parameter types, and the factory (index.ts run by tsx,
// index.js of --declarations) sends each overload's parameters, and only those, as their literals
// to a node:http server.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { virtualDiagnostics } from "./virtual-program.js";
import { importGenerated, LIBRARY_URL } from "./generated-module.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files seem to be for the type-check: the compiler host serves them from memory. */
const VIRTUAL = join(ROOT, "test", "codegen-overloads.virtual");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V4 = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
  <EnumType Name="Kind" IsFlags="true"><Member Name="Paper" Value="1"/><Member Name="Audio" Value="2"/></EnumType>
  <Function Name="Find"><Parameter Name="id" Type="Edm.Guid" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Find"><Parameter Name="name" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Find"><Parameter Name="day" Type="Edm.Date"/><Parameter Name="units" Type="Edm.Int64" Nullable="false"/><Parameter Name="kind" Type="Shop.Kind"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Count"><ReturnType Type="Edm.Int32"/></Function>
  <Function Name="Count"><Parameter Name="since" Type="Edm.DateTimeOffset" Nullable="false"/><ReturnType Type="Edm.Int32"/></Function>
  <EntityContainer Name="Container"><FunctionImport Name="Find" Function="Shop.Find"/><FunctionImport Name="Count" Function="Shop.Count"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const V2 = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="2.0">
<Schema Namespace="Shop" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityContainer Name="Container" m:IsDefaultEntityContainer="true">
  <FunctionImport Name="Find" ReturnType="Edm.String" m:HttpMethod="GET"><Parameter Name="id" Type="Edm.Guid" Mode="In"/></FunctionImport>
  <FunctionImport Name="Find" ReturnType="Edm.String" m:HttpMethod="GET"><Parameter Name="name" Type="Edm.String" Mode="In"/></FunctionImport>
  <FunctionImport Name="Move" ReturnType="Edm.String" m:HttpMethod="POST"><Parameter Name="id" Type="Edm.Guid" Mode="In"/></FunctionImport>
  <FunctionImport Name="Move" ReturnType="Edm.String" m:HttpMethod="POST"><Parameter Name="at" Type="Edm.DateTime" Mode="In"/><Parameter Name="by" Type="Edm.Double" Mode="In"/></FunctionImport>
</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

/** A program using the generated factory: each overload's parameters, and misuses that must not compile. */
const USAGE = {
  v4: `const svc = container(client);
  void svc.Find({ id: "${GUID}" }).get();
  void svc.Find({ name: "x" }).get();
  void svc.Find({ day: "2024-01-02", units: 9007199254740991, kind: "Paper,Audio" }).get();
  void svc.Count().get();
  void svc.Count({ since: "2024-01-02T08:30:00Z" }).get();
  // @ts-expect-error id is a GUID's text
  void svc.Find({ id: 1 });
  // @ts-expect-error name is a string
  void svc.Find({ name: 1 });
  // @ts-expect-error units is an Int64, a number here
  void svc.Find({ day: null, units: "1", kind: null });
  // @ts-expect-error not a member of Kind
  void svc.Find({ day: null, units: 1, kind: "Vinyl" });
  // @ts-expect-error since is a DateTimeOffset's text
  void svc.Count({ since: new Date() });`,
  v2: `const svc = container(client);
  void svc.Find({ id: "${GUID}" }).get();
  void svc.Find({ name: "x" }).get();
  void svc.Move.invoke({ id: "${GUID}" });
  void svc.Move.invoke({ at: "2024-01-02T08:30:00Z", by: "0.5" });
  // @ts-expect-error id is a GUID's text
  void svc.Find({ id: 1 });
  // @ts-expect-error by is a number or its text
  void svc.Move.invoke({ at: null, by: true });`,
};

/** The type errors of both generated forms, each with the usage beside it. */
function typeErrors(id: "v4" | "v2", metadata: string): Record<string, string[]> {
  const importFrom = "../../../src/index.js";
  const model = parseMetadata(metadata);
  const usage = `import type { ODataClient } from "${importFrom}";\nimport { container } from "./index.js";\n\nexport function usage(client: ODataClient): void {\n  ${USAGE[id]}\n}\n`;
  const files = new Map([
    [join(VIRTUAL, id, "index.ts"), generate(model, { importFrom })["index.ts"] ?? ""],
    [join(VIRTUAL, id, "usage.ts"), usage],
    [join(VIRTUAL, `${id}.d`, "index.d.ts"), generate(model, { importFrom, declarations: true })["index.d.ts"] ?? ""],
    [join(VIRTUAL, `${id}.d`, "usage.ts"), usage],
  ]);
  const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT);
  return Object.fromEntries([...diagnostics].map(([file, list]) => [file.slice(VIRTUAL.length + 1), list]));
}

type Call = { get(): Promise<unknown> };
type Factory = (client: ODataClient) => {
  Find(params: Record<string, unknown>): Call;
  Count(params?: Record<string, unknown>): Call;
  Move: { invoke(params: Record<string, unknown>): Promise<unknown> };
};

/** The generated factory in the given form, written to a folder of its own and imported. */
async function factoryOf(metadata: string, form: "index.ts" | "index.js", t: { after(fn: () => void): void }): Promise<Factory> {
  const files = generate(parseMetadata(metadata), { importFrom: LIBRARY_URL, declarations: form === "index.js" });
  return (await importGenerated<{ container: Factory }>(t, form, files[form] ?? "")).container;
}

describe("operation imports whose overloads differ in their parameters", () => {
  test("v4: a function import's overloads (id: Guid, name: String, day/units/kind, none) type-check, each typed apart, and each call of index.ts and index.js sends its own parameters as literals", async (t) => {
    const server: RecordingServer = await startServer((request, res) => sendJson(res, 200, { value: request.path.includes("Count") ? 7 : "ok" }));
    t.after(() => server.close());
    for (const form of ["index.ts", "index.js"] as const) {
      const container = await factoryOf(V4, form, t);
      const svc = container(new ODataClient({ serviceUrl: server.url(`${form}/`) }));
      assert.equal(await svc.Find({ name: "x" }).get(), "ok");
      assert.equal(await svc.Find({ id: GUID }).get(), "ok");
      assert.equal(await svc.Find({ day: "2024-01-02", units: 9007199254740991, kind: "Paper, Audio" }).get(), "ok");
      assert.equal(await svc.Find({ day: null, units: 1, kind: null }).get(), "ok");
      assert.equal(await svc.Count().get(), 7);
      assert.equal(await svc.Count({ since: "2024-01-02T08:30:00Z" }).get(), 7);
    }
    const sent = [
      ["GET", "/FORM/Find(name='x')"],
      ["GET", `/FORM/Find(id=${GUID})`],
      ["GET", "/FORM/Find(day=2024-01-02,units=9007199254740991,kind=Shop.Kind'Paper,Audio')"],
      ["GET", "/FORM/Find(day=null,units=1,kind=null)"],
      ["GET", "/FORM/Count()"],
      ["GET", "/FORM/Count(since=2024-01-02T08:30:00Z)"],
    ];
    assert.deepEqual(
      server.requests.map((r) => [r.method, decodeURIComponent(r.path)]),
      ["index.ts", "index.js"].flatMap((form) => sent.map(([method, path]) => [method, path?.replace("FORM", form)])),
    );
    // The factory sent these URLs before the fix as well: what failed was the type-check of index.ts.
    assert.deepEqual(typeErrors("v4", V4), { "v4/index.ts": [], "v4/usage.ts": [], "v4.d/index.d.ts": [], "v4.d/usage.ts": [] });
  });

  test("v2: two FunctionImports of one name, a GET pair (id: Guid; name: String) and a POST pair (id; at: DateTime, by: Double), type-check, and each call of index.ts and index.js sends its own parameters as literals", async (t) => {
    // The v2 JSON result of an operation: its value under the operation's name.
    const server: RecordingServer = await startServer((request, res) => sendJson(res, 200, { d: { [/\/(\w+)\?/.exec(request.path)?.[1] ?? ""]: "ok" } }));
    t.after(() => server.close());
    for (const form of ["index.ts", "index.js"] as const) {
      const container = await factoryOf(V2, form, t);
      const svc = container(new ODataClient({ serviceUrl: server.url(`${form}/`), version: "2.0" }));
      assert.equal(await svc.Find({ name: "x" }).get(), "ok");
      assert.equal(await svc.Find({ id: GUID }).get(), "ok");
      assert.equal(await svc.Move.invoke({ id: GUID }), "ok");
      assert.equal(await svc.Move.invoke({ at: "2024-01-02T08:30:00Z", by: "0.5" }), "ok");
    }
    const sent = [
      ["GET", "/FORM/Find?name='x'"],
      ["GET", `/FORM/Find?id=guid'${GUID}'`],
      ["POST", `/FORM/Move?id=guid'${GUID}'`],
      ["POST", "/FORM/Move?at=datetime'2024-01-02T08:30:00'&by=0.5"],
    ];
    assert.deepEqual(
      server.requests.map((r) => [r.method, decodeURIComponent(r.path)]),
      ["index.ts", "index.js"].flatMap((form) => sent.map(([method, path]) => [method, path?.replace("FORM", form)])),
    );
    // The factory sent these URLs before the fix as well: what failed was the type-check of index.ts.
    assert.deepEqual(typeErrors("v2", V2), { "v2/index.ts": [], "v2/usage.ts": [], "v2.d/index.d.ts": [], "v2.d/usage.ts": [] });
  });
});

describe("parameters named like members every object inherits", () => {
  const INHERITED = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
  <Function Name="Tag"><Parameter Name="toString" Type="Edm.Guid"/><Parameter Name="constructor" Type="Edm.Date"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Pick"><Parameter Name="valueOf" Type="Edm.Guid" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
  <Function Name="Pick"><Parameter Name="name" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.String"/></Function>
  <EntityContainer Name="Container"><FunctionImport Name="Tag" Function="Shop.Tag"/><FunctionImport Name="Pick" Function="Shop.Pick"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

  test("toString, constructor and valueOf left out are left out of the call (Object.prototype's members are not read as them); given, they go as their literals", async (t) => {
    const server: RecordingServer = await startServer((_request, res) => sendJson(res, 200, { value: "ok" }));
    t.after(() => server.close());
    for (const form of ["index.ts", "index.js"] as const) {
      const container = (await factoryOf(INHERITED, form, t)) as unknown as (client: ODataClient) => { Tag(params: Record<string, unknown>): Call; Pick(params: Record<string, unknown>): Call };
      const svc = container(new ODataClient({ serviceUrl: server.url(`${form}/`) }));
      assert.equal(await svc.Tag({}).get(), "ok");
      assert.equal(await svc.Tag({ toString: GUID, constructor: "2024-01-02" }).get(), "ok");
      assert.equal(await svc.Pick({ name: "x" }).get(), "ok");
      assert.equal(await svc.Pick({ valueOf: GUID }).get(), "ok");
    }
    const sent = ["/FORM/Tag()", `/FORM/Tag(toString=${GUID},constructor=2024-01-02)`, "/FORM/Pick(name='x')", `/FORM/Pick(valueOf=${GUID})`];
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      ["index.ts", "index.js"].flatMap((form) => sent.map((path) => path.replace("FORM", form))),
    );
  });
});
