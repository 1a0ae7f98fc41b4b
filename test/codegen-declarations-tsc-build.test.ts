/**
 * The README's advice for `generate --declarations` in a project that tsc builds into an `outDir`:
 * tsc neither compiles nor copies the generated `index.js`, so the folder is copied to the same
 * place in the output; `allowJs` is no way round that, since tsc then writes a declaration file of
 * its own for `index.js`, read from the JavaScript, without the generated types. Checked with the
 * TypeScript compiler on a generated service and a library that uses it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { cliInProcess } from "./cli-in-process.js";
import { ROOT, tempDir } from "./cli-harness.js";
import { emitDeclarations } from "./api-report.js";

const LIBRARY = `import { shop, type Author } from "./shop/index.js";
export { shop };
export function nameOf(author: Author): string { return author.Name; }
`;

/** Builds the project in `folder` with `options`, the files given; the diagnostics as text. */
function build(folder: string, files: string[], options: ts.CompilerOptions): string[] {
  const program = ts.createProgram(
    files.map((file) => join(folder, file)),
    { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, skipLibCheck: true, declaration: true, ...options },
  );
  const emitted = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
}

/** The package's declarations as `npm run build` writes them, installed once as the projects' traverse-odata. */
let installed: string | undefined;
function packageDeclarations(): string {
  if (installed === undefined) {
    installed = tempDir("traverse-codegen-tsc-package-");
    emitDeclarations(join(installed, "dist"));
    writeFileSync(join(installed, "package.json"), readFileSync(join(ROOT, "package.json")));
  }
  return installed;
}

async function generatedProject(): Promise<string> {
  const folder = tempDir("traverse-codegen-tsc-build-");
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "app", type: "module" }));
  mkdirSync(join(folder, "node_modules"));
  symlinkSync(packageDeclarations(), join(folder, "node_modules", "traverse-odata"), "dir");
  const written = await cliInProcess(["generate", join(ROOT, "test", "codegen", "v4.xml"), "--out", join(folder, "src", "shop"), "--name", "shop", "--declarations"]);
  assert.equal(written.code, 0, written.stderr);
  writeFileSync(join(folder, "src", "library.ts"), LIBRARY);
  return folder;
}

test("built by tsc into an outDir, the generated folder is neither compiled nor copied; copied by hand, a program type-checks against the output", async () => {
  const folder = await generatedProject();
  assert.deepEqual(build(folder, ["src/library.ts"], { outDir: join(folder, "dist"), rootDir: join(folder, "src") }), []);
  assert.equal(existsSync(join(folder, "dist", "library.js")), true);
  assert.equal(existsSync(join(folder, "dist", "shop", "index.js")), false, "tsc wrote the generated index.js");
  assert.equal(existsSync(join(folder, "dist", "shop", "index.d.ts")), false, "tsc wrote the generated index.d.ts");
  cpSync(join(folder, "src", "shop"), join(folder, "dist", "shop"), { recursive: true });
  writeFileSync(join(folder, "use.ts"), `import { nameOf } from "./dist/library.js";\nimport type { Author } from "./dist/shop/index.js";\nexport const n: string = nameOf({ Name: "Ann" } as Author);\n`);
  assert.deepEqual(build(folder, ["use.ts"], { noEmit: true }), []);
});

test("with allowJs and the folder included, tsc replaces the generated index.d.ts with one of its own, without the generated types", async () => {
  const folder = await generatedProject();
  const generated = readFileSync(join(folder, "src", "shop", "index.d.ts"), "utf8");
  assert.match(generated, /export interface Author extends Entity</);
  build(folder, ["src/library.ts", "src/shop/index.js"], { outDir: join(folder, "dist"), rootDir: join(folder, "src"), allowJs: true });
  const written = readFileSync(join(folder, "dist", "shop", "index.d.ts"), "utf8");
  assert.notEqual(written, generated);
  assert.doesNotMatch(written, /interface Author\b/);
  // A program on the output then finds no Author where the library's declarations name it.
  writeFileSync(join(folder, "use.ts"), `import type { Author } from "./dist/shop/index.js";\nexport type A = Author;\n`);
  assert.ok(build(folder, ["use.ts"], { noEmit: true }).some((message) => /Author/.test(message)));
});
