/**
 * Names of letters Unicode 16.0 and 17.0 added (Garay, Kirat Rai, Latin `Ɤ`) are OData names the
 * client sends, and JavaScript engines of Unicode 16 or later read them as identifiers, but
 * TypeScript 5.9 reads names by the tables of Unicode 15.1 and refuses them: a generated member
 * or type named with one bare made a file that did not compile. Such a property is now a quoted
 * key and such a type name gets `_` for the letter. Checked against TypeScript's own scanner for
 * every code point, by compiling a generated file and a program using it, and by running the
 * generated client against a node:http service that records what it was sent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import ts from "typescript";
import { ODataClient } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { isIdentifier, propertyName, toIdentifier } from "../src/codegen/names.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";
import { importWritten, virtualDiagnostics, virtualFolder } from "./virtual-program.js";
import { edmxV4, LIBRARY_URL, schemaV4 } from "./generated-module.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix32-unicode16");

/** A Garay word (Unicode 16.0), a Kirat Rai letter (16.0) and Latin capital ramshorn `Ɤ` (16.0). */
const GARAY = "\u{10D50}\u{10D70}";
const KIRAT_RAI = "\u{16D43}";
const RAMSHORN = "\uA7CB";
/** An entity type named in Garay, with properties named in the three. */
const TYPE = `${GARAY}Order`;
const TITLE = `Title${KIRAT_RAI}`;

const METADATA = edmxV4(
  schemaV4(
    "M",
    `<EntityType Name="${TYPE}"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/>
  <Property Name="${GARAY}" Type="Edm.String"/><Property Name="${TITLE}" Type="Edm.Int32"/><Property Name="${RAMSHORN}" Type="Edm.Guid"/></EntityType>
<ComplexType Name="${RAMSHORN}Note"><Property Name="${GARAY}" Type="Edm.String"/></ComplexType>
<Action Name="Annotate"><Parameter Name="note" Type="M.${RAMSHORN}Note" Nullable="false"/><Parameter Name="${KIRAT_RAI}" Type="Edm.Int32"/></Action>
<EntityContainer Name="Svc"><EntitySet Name="Orders" EntityType="M.${TYPE}"/><ActionImport Name="Annotate" Action="M.Annotate"/></EntityContainer>`,
  ),
);

test("every name the generator writes bare is one TypeScript 5.9 reads as an identifier, for every code point", () => {
  const target = ts.ScriptTarget.ESNext;
  const refusedStart: string[] = [];
  const refusedPart: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const char = String.fromCodePoint(cp);
    if (isIdentifier(char) && !ts.isIdentifierStart(cp, target)) refusedStart.push(cp.toString(16));
    if (isIdentifier(`a${char}`) && !ts.isIdentifierPart(cp, target)) refusedPart.push(cp.toString(16));
  }
  assert.deepEqual(refusedStart, []);
  assert.deepEqual(refusedPart, []);
  // The letters named above are the engine's (it reads Unicode 16 or later) and not TypeScript's.
  for (const char of [GARAY, KIRAT_RAI, RAMSHORN]) {
    assert.match(char, /^\p{ID_Start}+$/u);
    assert.equal(isIdentifier(char), false, char);
    assert.equal(propertyName(char), JSON.stringify(char));
  }
  assert.equal(toIdentifier(TYPE), "__Order");
  assert.equal(toIdentifier(`Note${RAMSHORN}`), "Note_");
  // Letters of Unicode 15.1 and before stay bare, as before.
  for (const name of ["客户", "Größe", "Заказ", "a\u200cb"]) assert.equal(propertyName(name), name);
});

test("a $metadata with Unicode 16 letters gives a file that compiles, and the client sends those names on the wire", async (t) => {
  let created: unknown;
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    if (request.method === "POST" && request.path.endsWith("/Annotate")) {
      res.writeHead(204);
      res.end();
      return;
    }
    if (request.method === "POST") {
      created = JSON.parse(request.body);
      return sendJson(res, 201, { ...(created as object), ID: 7 }, { "OData-Version": "4.0" });
    }
    sendJson(res, 200, { value: [{ ID: 1, [GARAY]: "g", [TITLE]: 3, [RAMSHORN]: null }] }, { "OData-Version": "4.0" });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const model = await client.metadata();
  const code = generate(model, { importFrom: IMPORT_FROM, name: "svc" })["index.ts"] ?? "";

  // Quoted keys, and type names with `_` for the letters TypeScript does not know.
  assert.match(code, /^export interface __Order extends Entity<\{$/m);
  assert.ok(code.includes(`  ${JSON.stringify(GARAY)}: string | null;\n  ${JSON.stringify(TITLE)}: number | null;\n  ${JSON.stringify(RAMSHORN)}: string | null;\n`), code);
  assert.match(code, /^export interface _Note \{$/m);
  assert.ok(code.includes(`export type AnnotateParameters = { note: _Note; ${JSON.stringify(KIRAT_RAI)}?: number | null };`), code);
  assert.match(code, /^export type __OrderKey = number;$/m);

  const program = `import { edm, type ODataClient } from "${IMPORT_FROM}";
import { svc, type __Order, type _Note } from "./index.js";

export const typed: (order: __Order) => string | null = (order) => order[${JSON.stringify(GARAY)}];

export async function run(client: ODataClient): Promise<unknown[]> {
  const s = svc(client);
  const rows = await s.Orders.select("ID", ${JSON.stringify(GARAY)}, ${JSON.stringify(TITLE)})
    .filter((f) => f.and(f.eq(${JSON.stringify(GARAY)}, "g"), f.gt(${JSON.stringify(TITLE)}, 2), f.ne(${JSON.stringify(RAMSHORN)}, edm.guid("0f8fad5b-d9cb-469f-a165-70867728950e"))))
    .list();
  const title: number | null | undefined = rows[0]?.[${JSON.stringify(TITLE)}];
  // @ts-expect-error the Garay property is a string
  const wrong: number | null | undefined = rows[0]?.[${JSON.stringify(GARAY)}];
  const made = await s.Orders.create({ ID: 7, ${JSON.stringify(GARAY)}: "new" });
  const note: _Note = { ${JSON.stringify(GARAY)}: "n" };
  await s.Annotate.invoke({ note, ${JSON.stringify(KIRAT_RAI)}: 1 });
  return [title, wrong, made?.[${JSON.stringify(GARAY)}]];
}
`;
  const files = new Map([
    [join(VIRTUAL, "gen", "index.ts"), code],
    [join(VIRTUAL, "gen", "run.ts"), program],
  ]);
  const diagnostics = virtualDiagnostics(files, VIRTUAL, ROOT, " ");
  assert.deepEqual(diagnostics.get(join(VIRTUAL, "gen", "index.ts")), []);
  assert.deepEqual(diagnostics.get(join(VIRTUAL, "gen", "run.ts")), []);
  // The declaration form compiles too.
  const declarations = generate(model, { importFrom: IMPORT_FROM, name: "svc", declarations: true });
  const declared = virtualDiagnostics(new Map([[join(VIRTUAL, "dts", "index.d.ts"), declarations["index.d.ts"] ?? ""]]), VIRTUAL, ROOT, " ");
  assert.deepEqual(declared.get(join(VIRTUAL, "dts", "index.d.ts")), []);

  const written = { "index.ts": generate(model, { importFrom: LIBRARY_URL, name: "svc" })["index.ts"] ?? "", "run.ts": program.replace(IMPORT_FROM, LIBRARY_URL) };
  const { run } = await importWritten<{ run(client: ODataClient): Promise<unknown[]> }>(t, written, "run.ts");
  assert.deepEqual(await run(client), [3, "g", "new"]);
  assert.deepEqual(
    server.requests.map((r) => [r.method, decodeURIComponent(r.path), r.body === "" ? "" : JSON.parse(r.body)]),
    [
      ["GET", "/svc/$metadata", ""],
      ["GET", `/svc/Orders?$filter=${GARAY} eq 'g' and ${TITLE} gt 2 and ${RAMSHORN} ne 0f8fad5b-d9cb-469f-a165-70867728950e&$select=ID,${GARAY},${TITLE}`, ""],
      ["POST", "/svc/Orders", { ID: 7, [GARAY]: "new" }],
      ["POST", "/svc/Annotate", { note: { [GARAY]: "n" }, [KIRAT_RAI]: 1 }],
    ],
  );
});
