/**
 * Function imports whose overloads give one parameter name different types (Graph's
 * `getUserCounts(since: Edm.Date)` and `getUserCounts(since: Edm.DateTimeOffset, zone)`): the
 * factory passed such a parameter as given, so a date went as the quoted string
 * `since='2024-01-01'`. It now picks the overload by the parameter names the call gives, as the
 * service does (CSDL 4.01 §12.2), and writes the parameter as that overload's literal; a
 * collection in one overload and a GUID in another, an Int64 (a number) in one and a GUID (a
 * string) in another, and a name every object inherits (`toString`) included. And a parameter
 * named `__proto__` in only some overloads: the others' types did not name it `?: never`, so the
 * file did not compile (the factory reads `params.__proto__` of the union). Checked by compiling
 * the files and a program (what must not compile marked `@ts-expect-error`), and by running the
 * calls of index.ts and of index.js (`declarations`) against a node:http server.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix31b-overloads");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V4 = edmxV4(
  schemaV4(
    "S",
    `<Function Name="Counts"><Parameter Name="period" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Counts"><Parameter Name="since" Type="Edm.Date" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Counts"><Parameter Name="since" Type="Edm.DateTimeOffset" Nullable="false"/><Parameter Name="zone" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Get"><Parameter Name="x" Type="Edm.Int64" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Get"><Parameter Name="x" Type="Edm.Guid" Nullable="false"/><Parameter Name="y" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Tag"><Parameter Name="ids" Type="Collection(Edm.String)" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Tag"><Parameter Name="ids" Type="Edm.Guid" Nullable="false"/><Parameter Name="single" Type="Edm.Boolean" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="When"><Parameter Name="toString" Type="Edm.Date" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="When"><Parameter Name="toString" Type="Edm.DateTimeOffset" Nullable="false"/><Parameter Name="zone" Type="Edm.String" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Find"><Parameter Name="__proto__" Type="Edm.Date" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Find"><Parameter Name="id" Type="Edm.Guid" Nullable="false"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<EntityContainer Name="C"><FunctionImport Name="Counts" Function="S.Counts"/><FunctionImport Name="Get" Function="S.Get"/><FunctionImport Name="Tag" Function="S.Tag"/><FunctionImport Name="When" Function="S.When"/><FunctionImport Name="Find" Function="S.Find"/></EntityContainer>`,
  ),
);

/** One call per overload, with the values the reader gives for the types; run against the server below. */
const CALLS = (library: string, from: string) => `import type { ODataClient } from "${library}";
import { c } from "${from}";

export async function run(client: ODataClient): Promise<number[]> {
  const s = c(client);
  return [
    await s.Counts({ period: "D7" }).get(),
    await s.Counts({ since: "2024-01-01" }).get(),
    await s.Counts({ since: "2024-01-01T00:00:00Z", zone: "UTC" }).get(),
    await s.Get({ x: 5 }).get(),
    await s.Get({ x: "${GUID}", y: "a" }).get(),
    await s.Tag({ ids: ["a", "b"] }).get(),
    await s.Tag({ ids: "${GUID}", single: true }).get(),
    await s.When({ toString: "2024-01-01" }).get(),
    await s.When({ toString: "2024-01-01T00:00:00Z", zone: "UTC" }).get(),
    await s.Find({ ["__proto__"]: "2024-01-01" }).get(),
    await s.Find({ id: "${GUID}" }).get(),
  ];
}
`;

/** The overloads stay exclusive. */
const REFUSED = `import type { ODataClient } from "${IMPORT_FROM}";
import { c } from "./index.js";

export function refused(client: ODataClient): void {
  const s = c(client);
  // @ts-expect-error the parameters of two overloads
  void s.Counts({ period: "D7", since: "2024-01-01" });
  // @ts-expect-error a parameter of the third overload alone
  void s.Counts({ zone: "UTC" });
  // @ts-expect-error x of the first overload's type with y of the second
  void s.Get({ x: 5, y: "a" });
  // @ts-expect-error the GUID overload's x without its y
  void s.Get({ x: "${GUID}" });
  // @ts-expect-error __proto__ and id together
  void s.Find({ ["__proto__"]: "2024-01-01", id: "${GUID}" });
}
`;

const WIRE = [
  "/Counts(period='D7')",
  "/Counts(since=2024-01-01)",
  "/Counts(since=2024-01-01T00:00:00Z,zone='UTC')",
  "/Get(x=5)",
  `/Get(x=${GUID},y='a')`,
  '/Tag(ids=@ids)?@ids=["a","b"]',
  `/Tag(ids=${GUID},single=true)`,
  "/When(toString=2024-01-01)",
  "/When(toString=2024-01-01T00:00:00Z,zone='UTC')",
  "/Find(__proto__=2024-01-01)",
  `/Find(id=${GUID})`,
];

describe("function import overloads that type one parameter differently", () => {
  test("the files and a program of every overload compile; mixed overloads do not (index.ts and index.d.ts)", () => {
    for (const declarations of [false, true]) {
      const files = generatedFiles(VIRTUAL, declarations, { index: { metadata: V4, name: "c" } }, { "calls.ts": CALLS(IMPORT_FROM, "./index.js"), "refused.ts": REFUSED });
      for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    }
  });

  test("the parameter types of __proto__'s overloads name it ?: never in the other", () => {
    const text = generate(parseMetadata(V4), { name: "c" })["index.ts"] ?? "";
    assert.match(text, /^export type FindParameters = \{ __proto__: string; id\?: never \} \| \{ id: string; __proto__\?: never \};$/m);
  });

  for (const declarations of [false, true]) {
    test(`on the wire (${declarations ? "index.js" : "index.ts"}): each parameter is written as the literal of the overload its call names`, async (t) => {
      const server = await startServer((_request, res) => sendJson(res, 200, { "@odata.context": "$metadata#Edm.Int32", value: 1 }, { "OData-Version": "4.0" }));
      t.after(() => server.close());
      const generated = generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "c", declarations });
      const { run } = await importWritten<{ run(client: ODataClient): Promise<number[]> }>(t, { ...generated, "calls.ts": CALLS(LIBRARY_URL, "./index.js") }, "calls.ts");
      const results = await run(new ODataClient({ serviceUrl: server.url("") }));
      assert.deepEqual(results, WIRE.map(() => 1));
      assert.deepEqual(
        server.requests.map((r) => decodeURIComponent(r.path)),
        WIRE,
      );
    });
  }
});
