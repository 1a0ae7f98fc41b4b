/**
 * A nullable result of a generated operation (a function or action import, a bound operation; v4
 * and v2) is typed `X | null | undefined`: services answer the null value with `204 No Content`
 * (OData 4.01 Part 1, 9.1.4), as SAP CAP does, which a call gives as `undefined`; only a body that
 * says null gives `null`. Typed `X | null`, `if (r !== null) r.Name` compiled and threw. Checked
 * three ways: the generated text, a program type-checked in memory (a misuse marked
 * `@ts-expect-error` must fail), and the factory run against a node:http server and SAP CAP.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ODataClient, parseMetadata, type PipelineStep } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import { virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV2, edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix-null-results");

const V4 = edmxV4(
  schemaV4(
    "S",
    `<EntityType Name="Author"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String" Nullable="false"/></EntityType>
<Function Name="Nearest"><Parameter Name="x" Type="Edm.Int32" Nullable="false"/><ReturnType Type="S.Author"/></Function>
<Function Name="Count"><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="All"><ReturnType Type="Collection(S.Author)"/></Function>
<Function Name="Rename" IsBound="true"><Parameter Name="it" Type="S.Author"/><ReturnType Type="Edm.String"/></Function>
<Action Name="Adopt"><Parameter Name="id" Type="Edm.Int32" Nullable="false"/><ReturnType Type="S.Author"/></Action>
<Action Name="Touch"><Parameter Name="id" Type="Edm.Int32" Nullable="false"/></Action>
<EntityContainer Name="C">
  <EntitySet Name="Authors" EntityType="S.Author"/>
  <FunctionImport Name="Nearest" Function="S.Nearest"/><FunctionImport Name="Count" Function="S.Count"/><FunctionImport Name="All" Function="S.All"/>
  <ActionImport Name="Adopt" Action="S.Adopt"/><ActionImport Name="Touch" Action="S.Touch"/>
</EntityContainer>`,
  ),
);

const V2 = edmxV2(
  `<EntityType Name="Author"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String" Nullable="false"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Authors" EntityType="S.Author"/>
  <FunctionImport Name="Nearest" ReturnType="S.Author" EntitySet="Authors" m:HttpMethod="GET"><Parameter Name="x" Type="Edm.Int32" Nullable="false"/></FunctionImport>
</EntityContainer>`,
  "S",
);

const USAGE = `import type { ODataClient } from "${IMPORT_FROM}";
import { svc } from "./index.js";

export async function usage(client: ODataClient): Promise<void> {
  const s = svc(client);
  const author = await s.Nearest({ x: 1 }).get();
  // @ts-expect-error a 204 No Content (the null value) gives undefined, which !== null lets through
  if (author !== null) void author.Name;
  if (author != null) void author.Name;
  const adopted = await s.Adopt.invoke({ id: 1 });
  // @ts-expect-error the same for an action
  if (adopted !== null) void adopted.Name;
  const renamed = await s.Authors.key(1).function("S.Rename", {}).get();
  // @ts-expect-error and for a bound function
  if (renamed !== null) void renamed.length;
  // A result that is not nullable, and a collection, stay as they were.
  const count: number = await s.Count().get();
  const all: { Name: string }[] = await s.All().get();
  const none: undefined = await s.Touch.invoke({ id: 1 });
  void [count, all, none];
}
`;

describe("a nullable operation result may be undefined: the null value comes as 204 No Content", () => {
  test("the generated types say X | null | undefined for a nullable single result, in v4 and v2, imports and bound operations; not for a collection or a non-nullable result", () => {
    const v4 = generate(parseMetadata(V4), { name: "svc" })["index.ts"] ?? "";
    assert.match(v4, /^ {2}readonly Nearest: \(params: NearestParameters\) => FunctionCall<Author \| null \| undefined>;$/m);
    assert.match(v4, /^ {2}readonly Adopt: ActionCall<Author \| null \| undefined, AdoptParameters>;$/m);
    assert.match(v4, /^ {4}\| \{ name: "S\.Rename"; parameters: Record<string, never>; result: string \| null \| undefined \};$/m);
    assert.match(v4, /^ {2}readonly Count: \(params\?: CountParameters\) => FunctionCall<number>;$/m);
    assert.match(v4, /^ {2}readonly All: \(params\?: AllParameters\) => FunctionCall<Author\[\]>;$/m);
    assert.match(v4, /^ {2}readonly Touch: ActionCall<undefined, TouchParameters>;$/m);
    const v2 = generate(parseMetadata(V2), { name: "svc" })["index.ts"] ?? "";
    assert.match(v2, /^ {2}readonly Nearest: \(params: NearestParameters\) => FunctionCall<Author \| null \| undefined>;$/m);
  });

  test("a program that tests the result with !== null alone does not compile (index.ts and index.d.ts)", () => {
    const model = parseMetadata(V4);
    const files = new Map([
      [join(VIRTUAL, "ts", "index.ts"), generate(model, { importFrom: IMPORT_FROM, name: "svc" })["index.ts"] ?? ""],
      [join(VIRTUAL, "ts", "usage.ts"), USAGE],
      [join(VIRTUAL, "dts", "index.d.ts"), generate(model, { importFrom: IMPORT_FROM, name: "svc", declarations: true })["index.d.ts"] ?? ""],
      [join(VIRTUAL, "dts", "usage.ts"), USAGE],
    ]);
    const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT, " ");
    for (const [file, list] of diagnostics) assert.deepEqual(list, [], file);
  });

  test("on the wire: a 204 gives undefined and a body that says null gives null, from the generated v4 and v2 calls", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("/null/")) sendJson(res, 200, { "@odata.context": "$metadata#S.Author", "@odata.null": true });
      else {
        res.writeHead(204, { "odata-version": "4.0", dataserviceversion: "2.0" });
        res.end();
      }
    });
    t.after(() => server.close());
    type Call = { get(): Promise<unknown> };
    type Factory = (client: ODataClient) => {
      Nearest(params: { x: number }): Call;
      Adopt: { invoke(params: { id: number }): Promise<unknown> };
      Authors: { key(id: number): { function(name: string, params: object): Call } };
    };
    const v4 = (await importGenerated<{ svc: Factory }>(t, "index.ts", generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "")).svc;
    const v2 = (await importGenerated<{ svc: (client: ODataClient) => { Nearest(params: { x: number }): Call } }>(t, "index.ts", generate(parseMetadata(V2), { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "")).svc;
    const shop = v4(new ODataClient({ serviceUrl: server.url("svc/") }));
    assert.equal(await shop.Nearest({ x: 1 }).get(), undefined);
    assert.equal(await shop.Adopt.invoke({ id: 1 }), undefined);
    assert.equal(await shop.Authors.key(1).function("S.Rename", {}).get(), undefined);
    assert.equal(await v4(new ODataClient({ serviceUrl: server.url("null/") })).Nearest({ x: 2 }).get(), null);
    assert.equal(await v2(new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0" })).Nearest({ x: 3 }).get(), undefined);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}${r.body === "" ? "" : ` ${r.body}`}`),
      ["GET /svc/Nearest(x=1)", 'POST /svc/Adopt {"id":1}', "GET /svc/Authors(1)/S.Rename()", "GET /null/Nearest(x=2)", "GET /v2/Nearest?x=3"],
    );
  });
});

describe("against SAP CAP, which answers a null function result with 204 No Content", () => {
  const cap = useCap();

  test("bookById of a book that does not exist is typed Books | null | undefined and gives undefined (a 204), in v4 and v2", async (t) => {
    const v4Model = await new ODataClient({ serviceUrl: cap.v4 }).metadata();
    const v2Model = await new ODataClient({ serviceUrl: cap.v2, version: "2.0" }).metadata();
    const v4Text = generate(v4Model, { importFrom: LIBRARY_URL, name: "catalog" })["index.ts"] ?? "";
    const v2Text = generate(v2Model, { importFrom: LIBRARY_URL, name: "catalog" })["index.ts"] ?? "";
    for (const text of [v4Text, v2Text]) assert.match(text, /^ {2}readonly bookById: \(params\??: BookByIdParameters\) => FunctionCall<Books \| null \| undefined>;$/m);
    type Catalog = (client: ODataClient) => { bookById(params: { id: number }): { get(): Promise<{ ID: number } | null | undefined> } };
    const wire: string[] = [];
    const steps: PipelineStep[] = [
      {
        name: "record",
        async handle(request, next) {
          const response = await next(request);
          const { url } = request;
          wire.push(`${request.method} ${decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf("/") + 1) + url.search)} ${response.status}`);
          return response;
        },
      },
    ];
    const v4 = (await importGenerated<{ catalog: Catalog }>(t, "index.ts", v4Text)).catalog(new ODataClient({ serviceUrl: cap.v4, steps }));
    const v2 = (await importGenerated<{ catalog: Catalog }>(t, "index.ts", v2Text)).catalog(new ODataClient({ serviceUrl: cap.v2, version: "2.0", steps }));
    assert.equal(await v4.bookById({ id: 999 }).get(), undefined);
    assert.equal(await v2.bookById({ id: 999 }).get(), undefined);
    assert.equal((await v4.bookById({ id: 1 }).get())?.ID, 1);
    assert.deepEqual(wire, ["GET bookById(id=999) 204", "GET bookById?id=999 204", "GET bookById(id=1) 200"]);
  });
});
