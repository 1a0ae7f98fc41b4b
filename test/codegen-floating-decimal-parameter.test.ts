/**
 * A v4 `Edm.Decimal` parameter of `Scale="floating"` is typed `number | "NaN" | "INF" | "-INF"`,
 * as a Double is (edm-types.ts): the generated factory writes every value of that type, the
 * numbers Infinity, -Infinity and NaN among them, as the literal a filter writes for the number
 * (`INF`, `-INF`, `NaN`), where it threw for them ("a decimal number must be finite"). A decimal
 * of fixed scale, and one generated with `ieee754Compatible` (typed as a string), still go
 * through `edm.decimal`. Run against a node:http server that records the URLs.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata, type CollectionQuery, type FunctionCall } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";
import { generatedFiles, virtualDiagnostics, virtualFolder } from "./virtual-program.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-floating-decimal-parameter");

const METADATA = edmxV4(
  schemaV4(
    "F",
    `<EntityType Name="M"><Key><PropertyRef Name="Id"/></Key><Property Name="Id" Type="Edm.Int32" Nullable="false"/><Property Name="V" Type="Edm.Decimal" Scale="floating" Nullable="false"/></EntityType>
<TypeDefinition Name="Amount" UnderlyingType="Edm.Decimal" Scale="floating"/>
<Function Name="Near"><Parameter Name="v" Type="Edm.Decimal" Scale="floating" Nullable="false"/><ReturnType Type="Collection(F.M)"/></Function>
<Function Name="NearAmount"><Parameter Name="v" Type="F.Amount" Nullable="false"/><ReturnType Type="Edm.Boolean"/></Function>
<Function Name="Exact"><Parameter Name="v" Type="Edm.Decimal" Scale="2" Nullable="false"/><ReturnType Type="Edm.Boolean"/></Function>
<EntityContainer Name="C"><EntitySet Name="Ms" EntityType="F.M"/><FunctionImport Name="Near" Function="F.Near" EntitySet="Ms"/><FunctionImport Name="NearAmount" Function="F.NearAmount"/><FunctionImport Name="Exact" Function="F.Exact"/></EntityContainer>`,
  ),
);

type Floating = number | "NaN" | "INF" | "-INF";
interface Service {
  Ms: CollectionQuery<{ Id: number; V: Floating }>;
  Near(params: { v: Floating }): FunctionCall<unknown[]>;
  NearAmount(params: { v: Floating }): FunctionCall<boolean>;
  Exact(params: { v: number }): FunctionCall<boolean>;
}

/** Calls a typed program makes: the numbers the type lets through, as the compiler checks them. */
const PROGRAM = `import type { ODataClient } from "${IMPORT_FROM}";
import { c } from "./fl.js";

export function calls(client: ODataClient): string[] {
  const s = c(client);
  return [s.Near({ v: Infinity }).url(), s.Near({ v: -Infinity }).url(), s.Near({ v: NaN }).url(), s.Near({ v: "INF" }).url(), s.NearAmount({ v: Infinity }).url()];
}
`;

describe("a v4 Edm.Decimal parameter of floating scale", () => {
  test("is converted as a Double is; a fixed-scale decimal, and a floating one typed as a string (ieee754Compatible), by edm.decimal", () => {
    const text = generate(parseMetadata(METADATA), { name: "c" })["index.ts"] ?? "";
    assert.match(text, /^export type NearParameters = \{ v: number \| "NaN" \| "INF" \| "-INF" \};$/m);
    assert.match(text, /^ {8}v: params\.v == null \? params\.v : edm\.double\(params\.v\),$/m);
    assert.match(text, /client\.function<[^(]*>\("NearAmount", params && \{\n {8}\.\.\.params,\n {8}v: params\.v == null \? params\.v : edm\.double\(params\.v\),$/m);
    assert.match(text, /client\.function<[^(]*>\("Exact", params && \{\n {8}\.\.\.params,\n {8}v: params\.v == null \? params\.v : edm\.decimal\(params\.v\),$/m);
    const strings = generate(parseMetadata(METADATA), { name: "c", ieee754Compatible: true })["index.ts"] ?? "";
    assert.match(strings, /^export type NearParameters = \{ v: string \};$/m);
    assert.match(strings, /client\.function<[^(]*>\("Near", params && \{\n {8}\.\.\.params,\n {8}v: params\.v == null \? params\.v : edm\.decimal\(params\.v\),$/m);
    assert.doesNotMatch(strings, /edm\.double/);
  });

  test("a program that passes Infinity, -Infinity, NaN and the text INF compiles (index.ts and index.d.ts)", () => {
    for (const declarations of [false, true]) {
      const files = generatedFiles(VIRTUAL, declarations, { fl: { metadata: METADATA, name: "c" } }, { "calls.ts": PROGRAM });
      for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    }
  });

  test("on the wire: Infinity, -Infinity and NaN are the literals a filter on the property writes, INF, -INF and NaN", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { "@odata.context": "$metadata#Ms", value: [] }, { "OData-Version": "4.0" }));
    t.after(() => server.close());
    const { c } = await importGenerated<{ c(client: ODataClient): Service }>(t, "index.ts", generate(parseMetadata(METADATA), { importFrom: LIBRARY_URL, name: "c" })["index.ts"] ?? "");
    const s = c(new ODataClient({ serviceUrl: server.url("odata/") }));
    const values = [Infinity, -Infinity, NaN, 1.5, -0.25, 2 ** 60];
    for (const v of values) {
      await s.Near({ v }).get();
      await s.Ms.filter((f) => f.eq("V", v)).list();
    }
    await s.Near({ v: "INF" }).get();
    await s.NearAmount({ v: -Infinity }).get();
    const sent = server.requests.map((r) => decodeURIComponent(r.path));
    const expected = ["INF", "-INF", "NaN", "1.5", "-0.25", "1152921504606846976"];
    assert.deepEqual(sent, [...expected.flatMap((literal) => [`/odata/Near(v=${literal})`, `/odata/Ms?$filter=V eq ${literal}`]), "/odata/Near(v=INF)", "/odata/NearAmount(v=-INF)"]);
    // A decimal of fixed scale has no infinity: edm.decimal still refuses it, before anything is sent.
    assert.throws(() => s.Exact({ v: Infinity }), /edm\.decimal\(value\): a decimal number must be finite/);
    assert.equal(server.requests.length, 2 * values.length + 2);
  });
});
