/**
 * The input type of a complex operation parameter that holds an entity (a navigation property of
 * a complex type, at any depth) is declared once per complex type and named where the type
 * stands. Written out inline at each use, as it was, a type held by two properties on each of n
 * levels was written 2^n times: 12 MB of generated text for 16 levels, and every path walked even
 * where no entity was held. The name `<Type>Input` yields to a model type of that name, as the
 * generator's other names do.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("s33-final-complex-input-size");

/** Complex types `T0` to `T<depth>`, each but the last with two properties of the next; the last holds a navigation property when `nav`. */
function layered(depth: number, nav: boolean): string {
  let types = "";
  for (let i = 0; i < depth; i++) types += `<ComplexType Name="T${i}"><Property Name="A" Type="M.T${i + 1}"/><Property Name="B" Type="M.T${i + 1}"/></ComplexType>\n`;
  types += `<ComplexType Name="T${depth}"><Property Name="x" Type="Edm.String"/>${nav ? '<NavigationProperty Name="Who" Type="M.E"/>' : ""}</ComplexType>`;
  return edmxV4(
    schemaV4(
      "M",
      `<EntityType Name="E"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType>
${types}
<Action Name="Do"><Parameter Name="p" Type="M.T0"/></Action>
<EntityContainer Name="C"><EntitySet Name="Es" EntityType="M.E"/><ActionImport Name="Do" Action="M.Do"/></EntityContainer>`,
    ),
  );
}

test("a complex type held twice on each of 16 levels, ending in a navigation property: one input type per level, the text linear in the depth", () => {
  const model = parseMetadata(layered(16, true));
  const started = performance.now();
  const text = generate(model, { name: "svc" })["index.ts"] ?? "";
  const elapsed = performance.now() - started;
  assert.ok(text.length < 100_000, `${text.length} characters`);
  assert.ok(elapsed < 1000, `${elapsed} ms`);
  for (let i = 0; i < 16; i++) {
    assert.ok(text.includes(`export type T${i}Input = { [K in keyof T${i} as K extends "A" | "B" ? never : K]: T${i}[K] } & { A: T${i + 1}Input | null; B: T${i + 1}Input | null };`), `T${i}Input`);
  }
  assert.ok(text.includes('export type T16Input = { [K in keyof T16 as K extends "Who" ? never : K]: T16[K] } & { Who?: EntityInput<E> | null };'), text);
  assert.ok(text.includes("export type DoParameters = { p?: T0Input | null };"), text);
});

test("the same 20 levels without a navigation property: the interfaces alone, found without walking every path", () => {
  const model = parseMetadata(layered(20, false));
  const started = performance.now();
  const text = generate(model, { name: "svc" })["index.ts"] ?? "";
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `${elapsed} ms`);
  assert.doesNotMatch(text, /Input\b/);
  assert.ok(text.includes("export type DoParameters = { p?: T0 | null };"), text);
});

// A model type already named `AccessInput`: the generated input yields, and both stand in the file.
const CLASH = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="user"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="name" Type="Edm.String"/></EntityType>
<ComplexType Name="Access"><Property Name="Mask" Type="Edm.Int32" Nullable="false"/><NavigationProperty Name="Principal" Type="M.user" Nullable="false"/></ComplexType>
<ComplexType Name="AccessInput"><Property Name="Note" Type="Edm.String" Nullable="false"/></ComplexType>
<Action Name="Grant"><Parameter Name="access" Type="M.Access" Nullable="false"/><Parameter Name="note" Type="M.AccessInput" Nullable="false"/></Action>
<EntityContainer Name="C"><EntitySet Name="users" EntityType="M.user"/><ActionImport Name="Grant" Action="M.Grant"/></EntityContainer>`,
  ),
);

const CALLS = (library: string) => `import type { ODataClient } from "${library}";
import { svc, type AccessInput, type AccessInput_ } from "./clash.js";

export async function run(client: ODataClient): Promise<void> {
  const note: AccessInput = { Note: "read" };
  const access: AccessInput_ = { Mask: 1, Principal: { id: 7 } };
  await svc(client).Grant.invoke({ access, note });
}

// @ts-expect-error the model's AccessInput has no Mask
export const wrong: AccessInput = { Note: "read", Mask: 1 };
`;

test("a model type named <Type>Input keeps its name; the generated input takes the next free one (index.ts and index.d.ts), and the call sends both as given", async (t) => {
  const text = generate(parseMetadata(CLASH), { name: "svc" })["index.ts"] ?? "";
  assert.ok(text.includes("export interface AccessInput {\n  Note: string;\n}"), text);
  assert.ok(text.includes('export type AccessInput_ = { [K in keyof Access as K extends "Principal" ? never : K]: Access[K] } & { Principal?: EntityInput<user> };'), text);
  assert.ok(text.includes("export type GrantParameters = { access: AccessInput_; note: AccessInput };"), text);
  for (const declarations of [false, true]) {
    const files = generatedFiles(VIRTUAL, declarations, { clash: { metadata: CLASH, name: "svc" } }, { "calls.ts": CALLS(IMPORT_FROM) });
    for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
  }

  const server = await startServer((_request, res) => {
    res.writeHead(204, { "OData-Version": "4.0" });
    res.end();
  });
  t.after(() => server.close());
  const written = { "clash.ts": generate(parseMetadata(CLASH), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "calls.ts": CALLS(LIBRARY_URL) };
  const { run } = await importWritten<{ run(client: ODataClient): Promise<void> }>(t, written, "calls.ts");
  await run(new ODataClient({ serviceUrl: server.url(""), retry: false }));
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.path, JSON.parse(r.body)]),
    [["POST", "/Grant", { access: { Mask: 1, Principal: { id: 7 } }, note: { Note: "read" } }]],
  );
});
