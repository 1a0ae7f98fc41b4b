/**
 * A nullable parameter of a v4 action (bound or imported) or of a v2 service operation may be left
 * out of a generated call: a v4 action's parameter missing from the body is null (OData JSON
 * Format 4.0 §17; 4.01 Part 1 §11.5.4.1), and a v2 service operation's nullable parameter may be
 * missing from its URL (MS-ODATA 2.2.3.6.3). The generated parameter types made every parameter
 * not annotated `Core.OptionalParameter` a required key, so such calls did not compile. A v4
 * function's parameters stay required unless so annotated (its overload is chosen by the names a
 * call gives), as do non-nullable and collection-valued parameters. Checked by compiling programs
 * (what must not compile marked `@ts-expect-error`), and by running one that leaves the parameters
 * out against a node:http server, which records what was sent.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { generatedFiles, importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV2, edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix31-nullable-parameters");
const GUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

const V4 = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="Account"><Key><PropertyRef Name="accountid"/></Key><Property Name="accountid" Type="Edm.Guid" Nullable="false"/><Property Name="name" Type="Edm.String"/></EntityType>
<Action Name="Notify"><Parameter Name="text" Type="Edm.String" Nullable="false"/><Parameter Name="channel" Type="Edm.String"/><Parameter Name="tags" Type="Collection(Edm.String)"/></Action>
<Action Name="Rename" IsBound="true"><Parameter Name="acc" Type="M.Account" Nullable="false"/><Parameter Name="name" Type="Edm.String" Nullable="false"/><Parameter Name="reason" Type="Edm.String"/></Action>
<Function Name="Find"><Parameter Name="q" Type="Edm.String"/><Parameter Name="limit" Type="Edm.Int32"><Annotation Term="Org.OData.Core.V1.OptionalParameter"/></Parameter><ReturnType Type="Edm.String"/></Function>
<EntityContainer Name="Svc"><EntitySet Name="accounts" EntityType="M.Account"/><ActionImport Name="Notify" Action="M.Notify"/><FunctionImport Name="Find" Function="M.Find"/></EntityContainer>`,
  ),
);

const V2 = edmxV2(
  `<EntityContainer Name="Old" m:IsDefaultEntityContainer="true">
<FunctionImport Name="Search" ReturnType="Edm.String" m:HttpMethod="GET"><Parameter Name="q" Type="Edm.String" Nullable="false"/><Parameter Name="since" Type="Edm.DateTime"/></FunctionImport>
<FunctionImport Name="Recent" ReturnType="Edm.String" m:HttpMethod="GET"><Parameter Name="since" Type="Edm.DateTime"/></FunctionImport>
<FunctionImport Name="Release" m:HttpMethod="POST"><Parameter Name="id" Type="Edm.Guid"/><Parameter Name="note" Type="Edm.String" Nullable="false"/></FunctionImport>
</EntityContainer>`,
  "S",
);

/** Calls that leave every nullable parameter they may out; run against the server below. */
const CALLS = (library: string) => `import { edm, type ODataClient } from "${library}";
import { svc } from "./v4.js";
import { old } from "./v2.js";

export async function run(v4Client: ODataClient, v2Client: ODataClient): Promise<Array<string | null | undefined>> {
  const v4 = svc(v4Client);
  const v2 = old(v2Client);
  const results: Array<string | null | undefined> = [];
  results.push(await v4.Notify.invoke({ text: "x", tags: [] }));
  results.push(await v4.accounts.key(edm.guid("${GUID}")).action("M.Rename").invoke({ name: "n" }));
  results.push(await v4.Find({ q: null }).get());
  results.push(await v2.Search({ q: "a" }).get());
  results.push(await v2.Recent().get());
  results.push(await v2.Release.invoke({ note: "n" }));
  return results;
}
`;

/** What may not be left out. */
const REFUSED = `import { edm, type ODataClient } from "${IMPORT_FROM}";
import { svc } from "./v4.js";
import { old } from "./v2.js";

export function refused(v4Client: ODataClient, v2Client: ODataClient): void {
  const v4 = svc(v4Client);
  const v2 = old(v2Client);
  // @ts-expect-error a non-nullable parameter of an action
  void v4.Notify.invoke({ channel: "mail", tags: [] });
  // @ts-expect-error a collection parameter, whose Nullable speaks of its items
  void v4.Notify.invoke({ text: "x" });
  // @ts-expect-error a non-nullable parameter of a bound action
  void v4.accounts.key(edm.guid("${GUID}")).action("M.Rename").invoke({ reason: "r" });
  // @ts-expect-error a v4 function's nullable parameter without Core.OptionalParameter
  void v4.Find({ limit: 1 });
  // @ts-expect-error ... nor with no parameters at all
  void v4.Find();
  // @ts-expect-error a non-nullable parameter of a v2 function import
  void v2.Search({ since: "2024-01-02T00:00:00Z" });
  // @ts-expect-error a non-nullable parameter of a v2 POST service operation
  void v2.Release.invoke({ id: "${GUID}" });
}
`;

function files(declarations: boolean): Map<string, string> {
  const modules = { v4: { metadata: V4, name: "svc" }, v2: { metadata: V2, name: "old" } };
  return generatedFiles(VIRTUAL, declarations, modules, { "calls.ts": CALLS(IMPORT_FROM), "refused.ts": REFUSED });
}

describe("a nullable parameter of a v4 action or a v2 service operation may be left out of a generated call", () => {
  test("the parameter types: ? on nullable action and v2 parameters, none on non-nullable, collection and v4 function parameters", () => {
    const v4 = generate(parseMetadata(V4), { name: "svc" })["index.ts"] ?? "";
    const v2 = generate(parseMetadata(V2), { name: "old" })["index.ts"] ?? "";
    assert.match(v4, /^export type NotifyParameters = \{ text: string; channel\?: string \| null; tags: \(string \| null\)\[\] \};$/m);
    assert.match(v4, /^ {4}\| \{ name: "M\.Rename"; parameters: \{ name: string; reason\?: string \| null \}; result: undefined \};$/m);
    assert.match(v4, /^export type FindParameters = \{ q: string \| null; limit\?: number \| null \};$/m);
    assert.match(v4, /^ {2}readonly Find: \(params: FindParameters\) => FunctionCall<string \| null \| undefined>;$/m);
    assert.match(v2, /^export type SearchParameters = \{ q: string; since\?: string \| null \};$/m);
    assert.match(v2, /^export type RecentParameters = \{ since\?: string \| null \};$/m);
    assert.match(v2, /^ {2}readonly Recent: \(params\?: RecentParameters\) => FunctionCall<string \| null \| undefined>;$/m);
    assert.match(v2, /^export type ReleaseParameters = \{ id\?: string \| null; note: string \};$/m);
  });

  test("a program that leaves them out compiles, and one that leaves out any other does not (index.ts and index.d.ts)", () => {
    for (const declarations of [false, true]) {
      for (const [file, list] of virtualDiagnostics(files(declarations), VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    }
  });

  test("on the wire: the action bodies and the v2 URLs without the parameters left out", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.startsWith("/v4/Find")) return sendJson(res, 200, { "@odata.context": "$metadata#Edm.String", value: "found" }, { "OData-Version": "4.0" });
      if (request.path.startsWith("/v2/Search")) return sendJson(res, 200, { d: { Search: "searched" } });
      if (request.path.startsWith("/v2/Recent")) return sendJson(res, 200, { d: { Recent: "recent" } });
      res.writeHead(204);
      res.end();
    });
    t.after(() => server.close());
    // The program the compile test above checks, compiled here too (tsx runs it unchecked), then
    // run with the library it was checked against.
    const compiled = files(false);
    for (const file of compiled.keys()) if (file.endsWith("refused.ts")) compiled.delete(file);
    for (const [file, list] of virtualDiagnostics(compiled, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
    type Calls = { run(v4: ODataClient, v2: ODataClient): Promise<Array<string | null | undefined>> };
    const { run } = await importWritten<Calls>(
      t,
      {
        "v4.ts": generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "",
        "v2.ts": generate(parseMetadata(V2), { importFrom: LIBRARY_URL, name: "old" })["index.ts"] ?? "",
        "calls.ts": CALLS(LIBRARY_URL),
      },
      "calls.ts",
    );
    const results = await run(new ODataClient({ serviceUrl: server.url("v4/") }), new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0" }));
    assert.deepEqual(results, [undefined, undefined, "found", "searched", "recent", undefined]);
    assert.deepEqual(
      server.requests.map((r) => [r.method, decodeURIComponent(r.path), r.body]),
      [
        ["POST", "/v4/Notify", '{"text":"x","tags":[]}'],
        ["POST", `/v4/accounts(${GUID})/M.Rename`, '{"name":"n"}'],
        ["GET", "/v4/Find(q=null)", ""],
        ["GET", "/v2/Search?q='a'", ""],
        ["GET", "/v2/Recent", ""],
        ["POST", "/v2/Release?note='n'", ""],
      ],
    );
  });
});
