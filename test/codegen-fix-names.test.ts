/**
 * Names the client refuses in a request (not an OData name: a hyphen, a `$`, a leading digit, more
 * than 128 characters) are left out of the generated file and listed in its header, rather than
 * typed as members that compile and throw when used (`shop["second-hand"].list()` threw
 * `"second-hand" is not an entity set name`). Checked on the generated text, by compiling a program
 * that uses it (what was left out must not compile), and by running the factory against a
 * node:http server: every member it has is one the client sends.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ODataClient, parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV2, edmxV4, importGenerated, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix-names");
const LONG = "p".repeat(129);
const LONGEST = "q".repeat(128);

const V4 = edmxV4(
  schemaV4(
    "S",
    `<EntityType Name="Book"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/>
  <Property Name="Title" Type="Edm.String"/><Property Name="shelf-code" Type="Edm.String"/><Property Name="${LONG}" Type="Edm.String"/><Property Name="${LONGEST}" Type="Edm.String"/>
  <NavigationProperty Name="Author" Type="S.Author"/><NavigationProperty Name="co-author" Type="S.Author"/></EntityType>
<EntityType Name="Author"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="$count" Type="Edm.Int32"/></EntityType>
<Function Name="Find"><Parameter Name="title" Type="Edm.String"/><ReturnType Type="Collection(S.Book)"/></Function>
<Function Name="Odd"><Parameter Name="a-b" Type="Edm.String"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Rate" IsBound="true"><Parameter Name="it" Type="S.Book"/><Parameter Name="x-y" Type="Edm.Int32"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Function Name="Score" IsBound="true"><Parameter Name="it" Type="S.Book"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
<Action Name="Go"/>
<EntityContainer Name="Shop">
  <EntitySet Name="Books" EntityType="S.Book"/><EntitySet Name="second-hand" EntityType="S.Book"/><EntitySet Name="Authors" EntityType="S.Author"/>
  <Singleton Name="9Best" Type="S.Book"/><FunctionImport Name="Find" Function="S.Find"/><FunctionImport Name="Odd" Function="S.Odd"/>
  <ActionImport Name="go-now" Action="S.Go"/>
</EntityContainer>`,
  ),
);

const V2 = edmxV2(
  `<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="net-price" Type="Edm.String"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Orders" EntityType="S.Order"/><EntitySet Name="old-orders" EntityType="S.Order"/>
  <FunctionImport Name="Close" ReturnType="Edm.Boolean" m:HttpMethod="POST"><Parameter Name="order-id" Type="Edm.Int32"/></FunctionImport>
</EntityContainer>`,
  "S",
);

const USAGE = `import type { ODataClient } from "${IMPORT_FROM}";
import { shop, type Book, type Author } from "./index.js";

export async function usage(client: ODataClient): Promise<void> {
  const s = shop(client);
  await s.Books.select("ID", "Title", "${LONGEST}").expand("Author").list();
  await s.Books.key(1).function("S.Score", {}).get();
  await s.Find({ title: "x" }).get();
  // @ts-expect-error an entity set named second-hand is left out
  void s["second-hand"];
  // @ts-expect-error so is a singleton named 9Best
  void s["9Best"];
  // @ts-expect-error and an action import named go-now
  void s["go-now"];
  // @ts-expect-error and an import with a parameter named a-b
  void s.Odd;
  // @ts-expect-error a property named shelf-code
  void s.Books.select("shelf-code");
  // @ts-expect-error a property name of 129 characters
  void s.Books.filter((f) => f.eq("${LONG}", "x"));
  // @ts-expect-error a navigation property named co-author
  void s.Books.expand("co-author");
  // A bound function with a parameter named x-y is no longer in the shape: untyped, its result is unknown.
  // @ts-expect-error not a number
  const rated: number = await s.Books.key(1).function("S.Rate", {}).get();
  const scored: number = await s.Books.key(1).function("S.Score", {}).get();
  void [rated, scored];
  const row = null as unknown as Book & Author;
  // @ts-expect-error $count is no member of Author
  void row.$count;
}
`;

describe("names OData cannot address are left out and listed in the header", () => {
  test("v4: sets, singletons, imports (by name or parameter), properties, navigation properties and bound operations so named are left out; the header names each", () => {
    const text = generate(parseMetadata(V4), { name: "shop" })["index.ts"] ?? "";
    const header = text.slice(0, text.indexOf("\n\n"));
    assert.equal(
      header.split("\n").slice(3).join("\n"),
      [
        '// Left out: names OData cannot address (an OData name is letters, digits and "_", at most 128 characters, not starting with a digit):',
        '//   entity sets, singletons and operation imports: "9Best", "go-now", "second-hand"',
        '//   operation imports with such a parameter: "Odd"',
        '//   bound operations so named or with such a parameter: "S.Rate"',
        `//   properties: "S.Author/$count", "S.Book/co-author", "S.Book/${LONG}", "S.Book/shelf-code"`,
      ].join("\n"),
    );
    const body = text.slice(header.length);
    assert.doesNotMatch(body, /second-hand|9Best|go-now|\bOdd\b|shelf-code|co-author|\$count|S\.Rate/);
    assert.ok(!body.includes(LONG));
    assert.match(text, new RegExp(`^ {2}${LONGEST}: string \\| null;$`, "m"));
    assert.match(text, /^ {2}navigation: "Author";$/m);
  });

  test("a program may use what is there and cannot name what was left out (index.ts and index.d.ts)", () => {
    const model = parseMetadata(V4);
    const files = new Map([
      [join(VIRTUAL, "ts", "index.ts"), generate(model, { importFrom: IMPORT_FROM, name: "shop" })["index.ts"] ?? ""],
      [join(VIRTUAL, "ts", "usage.ts"), USAGE],
      [join(VIRTUAL, "dts", "index.d.ts"), generate(model, { importFrom: IMPORT_FROM, name: "shop", declarations: true })["index.d.ts"] ?? ""],
      [join(VIRTUAL, "dts", "usage.ts"), USAGE],
    ]);
    for (const [file, list] of virtualDiagnostics(files, VIRTUAL, ROOT, " ")) assert.deepEqual(list, [], file);
  });

  test("every member the v4 and v2 factories have (index.ts and index.js) is sent as named; none throws for its name", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { d: { results: [] }, value: [] }));
    t.after(() => server.close());
    const v4Client = new ODataClient({ serviceUrl: server.url("v4/") });
    const v2Client = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0" });
    for (const form of ["index.ts", "index.js"] as const) {
      const v4Files = generate(parseMetadata(V4), { importFrom: LIBRARY_URL, name: "shop", declarations: form === "index.js" });
      const v2Files = generate(parseMetadata(V2), { importFrom: LIBRARY_URL, name: "orders", declarations: form === "index.js" });
      const v4 = (await importGenerated<{ shop: (client: ODataClient) => Record<string, unknown> }>(t, form, v4Files[form] ?? "")).shop(v4Client);
      const v2 = (await importGenerated<{ orders: (client: ODataClient) => Record<string, unknown> }>(t, form, v2Files[form] ?? "")).orders(v2Client);
      assert.deepEqual(Object.keys(v4).sort(), ["Authors", "Books", "Find"]);
      assert.deepEqual(Object.keys(v2).sort(), ["Orders"]);
      for (const service of [v4, v2]) {
        for (const [name, member] of Object.entries(service)) {
          if (typeof member === "function") await (member as (params: object) => { get(): Promise<unknown> })({ title: "x" }).get();
          else await (member as { list(): Promise<unknown> }).list();
          assert.ok(server.requests.at(-1)?.path.includes(`/${name}`), name);
        }
      }
    }
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      [..."12"].flatMap(() => ["/v4/Authors", "/v4/Books", "/v4/Find(title='x')", "/v2/Orders"]),
    );
  });

  test("v2: a set, a property and a function import with a parameter so named are left out and named", () => {
    const text = generate(parseMetadata(V2), { name: "orders" })["index.ts"] ?? "";
    assert.match(text, /^\/\/ {3}entity sets, singletons and operation imports: "old-orders"$/m);
    assert.match(text, /^\/\/ {3}operation imports with such a parameter: "Close"$/m);
    assert.match(text, /^\/\/ {3}properties: "S\.Order\/net-price"$/m);
    assert.doesNotMatch(text, /"old-orders"[(:]|Close[(:]|"net-price":/);
  });
});
