/**
 * The factory's name (`generate --name`, option `name`) cannot be a global the generated code
 * uses: `--name TypeError` made `export function TypeError(client)`, whose own check then called
 * `new TypeError(...)`, the factory itself, and the v2 helpers' `NaN` and `Infinity` became the
 * factory with `--name NaN`: the file did not compile. The globals are found, not listed by hand:
 * every identifier of generated files (rich v4 and v2 models and the golden documents) that the
 * compiler resolves to a declaration of its standard library is refused as a name (exit 2 from
 * the command line), and a type of the model so named is renamed.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import { cliInProcess } from "./cli-in-process.js";
import { edmxV2, edmxV4, schemaV4 } from "./generated-module.js";
import { virtualFolder } from "./virtual-program.js";

const { root: ROOT, virtual: VIRTUAL, importFrom: IMPORT_FROM } = virtualFolder("codegen-fix-factory-name");

/** A v4 model that makes the factory write every helper: Binary, Double, flags, a parameter named like Object.prototype's members, geography. */
const RICH_V4 = edmxV4(
  schemaV4(
    "S",
    `<EnumType Name="Perm" IsFlags="true"><Member Name="Read"/><Member Name="Write"/></EnumType>
<EntityType Name="E"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Guid" Nullable="false"/><Property Name="G" Type="Edm.GeographyPoint"/><Property Name="N" Type="Edm.Int64"/></EntityType>
<Function Name="F"><Parameter Name="toString" Type="Edm.Guid"/><Parameter Name="b" Type="Edm.Binary"/><Parameter Name="d" Type="Edm.Double"/><Parameter Name="p" Type="S.Perm"/><ReturnType Type="S.E"/></Function>
<Function Name="F"><Parameter Name="valueOf" Type="Edm.Int64"/><ReturnType Type="Edm.String"/></Function>
<Action Name="A"><Parameter Name="x" Type="Edm.Int32"/><ReturnType Type="Collection(S.E)"/></Action>
<Function Name="B" IsBound="true"><Parameter Name="it" Type="S.E"/><Parameter Name="d" Type="Edm.Date"/><ReturnType Type="Edm.Int32"/></Function>
<EntityContainer Name="C"><EntitySet Name="Es" EntityType="S.E"/><Singleton Name="One" Type="S.E"/><FunctionImport Name="F" Function="S.F"/><ActionImport Name="A" Action="S.A"/></EntityContainer>`,
  ),
);

/** A v2 model whose imports need the Double, Single, Binary and DateTime conversions, a PUT action import among them. */
const RICH_V2 = edmxV2(
  `<EntityType Name="E"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int64" Nullable="false"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Es" EntityType="S.E"/>
  <FunctionImport Name="F" ReturnType="S.E" EntitySet="Es" m:HttpMethod="GET"><Parameter Name="d" Type="Edm.Double"/><Parameter Name="s" Type="Edm.Single"/><Parameter Name="b" Type="Edm.Binary"/><Parameter Name="t" Type="Edm.DateTime"/><Parameter Name="constructor" Type="Edm.Guid"/></FunctionImport>
  <FunctionImport Name="P" ReturnType="Edm.Int32" m:HttpMethod="PUT"><Parameter Name="d" Type="Edm.Double"/><Parameter Name="b" Type="Edm.Binary"/></FunctionImport>
</EntityContainer>`,
  "S",
);

function goldenModel(file: string) {
  return parseMetadata(readFileSync(join(ROOT, "test", "codegen", file), "utf8"));
}

/** The identifiers of the generated files that resolve to declarations of TypeScript's standard library (the globals they use). */
function globalsUsed(texts: readonly string[]): Set<string> {
  const files = new Map(texts.map((text, index) => [join(VIRTUAL, String(index), "index.ts"), text]));
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ["lib.es2023.d.ts", "lib.dom.d.ts"], skipLibCheck: true };
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => files.has(path) || fileExists.call(host, path);
  host.readFile = (path) => files.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = files.get(path);
    return text === undefined ? getSourceFile.call(host, path, language, onError, create) : ts.createSourceFile(path, text, language, true);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const checker = program.getTypeChecker();
  const found = new Set<string>();
  for (const path of files.keys()) {
    const source = program.getSourceFile(path) as ts.SourceFile;
    const visit = (node: ts.Node): void => {
      // A member name (`client.version`, `Number.isSafeInteger`) is not a global.
      const member = (node: ts.Identifier) => (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) || (ts.isQualifiedName(node.parent) && node.parent.right === node);
      if (ts.isIdentifier(node) && !member(node)) {
        const declaration = checker.getSymbolAtLocation(node)?.declarations?.[0]?.getSourceFile().fileName ?? "";
        if (/[\\/]typescript[\\/]lib[\\/]lib\.[^\\/]*\.d\.ts$/.test(declaration)) found.add(node.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe("the factory's name cannot be a global the generated code uses", () => {
  const generated = [parseMetadata(RICH_V4), parseMetadata(RICH_V2), goldenModel("v4.xml"), goldenModel("v2.xml"), goldenModel("csdl.json")].map(
    (model) => generate(model, { importFrom: IMPORT_FROM, name: "svc" })["index.ts"] ?? "",
  );
  const globals = globalsUsed(generated);

  test("the globals found include those of the factory's checks and helpers", () => {
    for (const name of ["TypeError", "RangeError", "NaN", "Infinity", "Number", "JSON", "Object", "Uint8Array", "atob", "Pick", "Record"]) assert.ok(globals.has(name), `${name} among ${[...globals].join(", ")}`);
  });

  test("each is refused by generate() with a TypeError, and a model type so named gets a _", () => {
    const model = parseMetadata(RICH_V4);
    for (const name of globals) {
      assert.throws(() => generate(model, { name }), (error: unknown) => error instanceof TypeError && /option "name" must be a JavaScript identifier that is not a reserved word or a name the generated file uses/.test(error.message), name);
    }
    const named = generate(parseMetadata(edmxV4(schemaV4("N", `<EntityType Name="NaN"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType><EntityType Name="TypeError"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="Ns" EntityType="N.NaN"/><EntitySet Name="Ts" EntityType="N.TypeError"/></EntityContainer>`))))["index.ts"] ?? "";
    assert.match(named, /^export interface NaN_ extends/m);
    assert.match(named, /^export interface TypeError_ extends/m);
  });

  test("generate --name TypeError, NaN or Infinity exits 2 naming the rule, and writes nothing", async () => {
    const folder = mkdtempSync(join(tmpdir(), "traverse-factory-name-"));
    try {
      writeFileSync(join(folder, "v2.xml"), RICH_V2);
      for (const name of ["TypeError", "NaN", "Infinity"]) {
        const out = join(folder, name);
        const result = await cliInProcess(["generate", join(folder, "v2.xml"), "--out", out, "--name", name]);
        assert.equal(result.code, 2, `${name}: ${result.stderr}`);
        assert.match(result.stderr, new RegExp(`--name must be a JavaScript identifier that is not a reserved word or a name the generated file uses; got "${name}"`));
        assert.throws(() => readFileSync(join(out, "index.ts")), { code: "ENOENT" });
      }
      const accepted = await cliInProcess(["generate", join(folder, "v2.xml"), "--out", join(folder, "ok"), "--name", "typeError"]);
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.match(readFileSync(join(folder, "ok", "index.ts"), "utf8"), /^export function typeError\(client: ODataClient\): TypeError_ \{$/m);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
