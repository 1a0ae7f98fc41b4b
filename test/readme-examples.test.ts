/**
 * Every ```ts block of README.md compiles against the real API.
 *
 * Each block becomes a module of its own in a temporary directory: `"traverse-odata"` points at
 * src/index.ts, and the declarations of test/readme-prelude.ts stand in front of it for the names
 * the block uses without defining them. All modules are checked by one TypeScript program with the
 * project's strict options; each block's diagnostics are reported at the README line they come from.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const README = join(ROOT, "README.md");
const PRELUDE = join(ROOT, "test", "readme-prelude.ts");
const LIBRARY_ENTRY = join(ROOT, "src", "index.ts").replaceAll("\\", "/");
const CODEGEN_ENTRY = join(ROOT, "src", "codegen", "index.ts").replaceAll("\\", "/");
const READ_ENTRY = join(ROOT, "src", "read.ts").replaceAll("\\", "/");
const GENERATED_SHOP = join(ROOT, "test", "codegen", "v4", "index.ts").replaceAll("\\", "/");

/** One ```ts block: its code, the README line of its first code line, and its section heading. */
interface ReadmeBlock {
  code: string;
  firstLine: number;
  heading: string;
}

/** The ```ts blocks of a Markdown text, in order; other fences (sh, plain) are passed over. */
function tsBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: ReadmeBlock[] = [];
  let heading = "(top)";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const headingMatch = /^#{1,6}\s+(.*)$/.exec(line);
    if (headingMatch) {
      heading = headingMatch[1]!.trim();
      continue;
    }
    const fence = /^(`{3,})\s*(\S*)/.exec(line);
    if (!fence) continue;
    const closing = new RegExp(`^${fence[1]}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end]!)) end++;
    if (fence[2] === "ts" || fence[2] === "typescript") {
      blocks.push({ code: lines.slice(i + 1, end).join("\n"), firstLine: i + 2, heading });
    }
    i = end; // a fenced "#" line is code, not a heading
  }
  return blocks;
}

/** The names a top-level statement brings into its module's scope (values and types alike). */
function declaredNames(statement: ts.Statement): string[] {
  const names: string[] = [];
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
  } else if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement)
  ) {
    if (statement.name) names.push(statement.name.text);
  } else if (ts.isImportDeclaration(statement) && statement.importClause) {
    const { name, namedBindings } = statement.importClause;
    if (name) names.push(name.text);
    if (namedBindings && ts.isNamespaceImport(namedBindings)) names.push(namedBindings.name.text);
    if (namedBindings && ts.isNamedImports(namedBindings)) for (const e of namedBindings.elements) names.push(e.name.text);
  }
  return names;
}

/**
 * Points both spellings of the library (the package name, the prelude's relative path) at
 * src/index.ts, its entry points for reading and for the generator at src/read.ts and
 * src/codegen/index.ts, and the generated service of the
 * "Generated types" section (`./shop/index.js`) at the golden file the generator makes from
 * test/codegen/v4.xml, so that the example uses the generator's real output.
 */
function pointAtSources(code: string): string {
  return code
    .replace(/(from\s+|import\()(["'])(?:traverse-odata|\.\.\/src\/index\.js)\2/g, `$1$2${LIBRARY_ENTRY}$2`)
    .replace(/(from\s+|import\()(["'])traverse-odata\/codegen\2/g, `$1$2${CODEGEN_ENTRY}$2`)
    .replace(/(from\s+|import\()(["'])traverse-odata\/read\2/g, `$1$2${READ_ENTRY}$2`)
    .replace(/(from\s+|import\()(["'])\.\/shop\/index\.js\2/g, `$1$2${GENERATED_SHOP}$2`);
}

/** The module written for one block: the prelude minus what the block declares itself, then the block. */
function moduleText(prelude: ts.SourceFile, block: ReadmeBlock): { text: string; preludeLines: number } {
  const own = new Set(ts.createSourceFile("block.mts", block.code, ts.ScriptTarget.ES2022).statements.flatMap(declaredNames));
  const kept = prelude.statements
    .filter((statement) => ts.isImportDeclaration(statement) || !declaredNames(statement).some((name) => own.has(name)))
    .map((statement) => statement.getText(prelude));
  const head = pointAtSources(kept.join("\n")) + "\n";
  return { text: head + pointAtSources(block.code) + "\n", preludeLines: head.split("\n").length - 1 };
}

/** The project's compiler options (tsconfig.json), adjusted to check loose files without emitting. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = join(ROOT, "tsconfig.json");
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, configPath);
  // rootDir (and the output settings) concern the project's own build; the examples live elsewhere.
  const { rootDir: _rootDir, outDir: _outDir, ...projectOptions } = parsed.options;
  return {
    ...projectOptions,
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    allowImportingTsExtensions: true, // the examples import src/index.ts by its own name
    declaration: false,
    sourceMap: false,
  };
}

const blocks = tsBlocks(readFileSync(README, "utf8"));
const preludeSource = ts.createSourceFile(PRELUDE, readFileSync(PRELUDE, "utf8"), ts.ScriptTarget.ES2022, true);
const workDir = mkdtempSync(join(tmpdir(), "readme-examples-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

// .mts: ES modules whatever package.json the temporary directory lacks, so top-level await is allowed.
const files = blocks.map((block, index) => {
  const { text, preludeLines } = moduleText(preludeSource, block);
  const path = join(workDir, `block-${String(index + 1).padStart(2, "0")}.mts`);
  writeFileSync(path, text);
  return { block, path, preludeLines };
});

// Only the examples are checked here; src/ itself is the project typecheck's business, and
// leaving its files out of the diagnostics keeps this test fast.
const program = ts.createProgram(files.map((f) => f.path), compilerOptions());
const elsewhere: readonly ts.Diagnostic[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
function diagnosticsOf(path: string): ts.Diagnostic[] {
  const source = program.getSourceFile(path);
  assert.ok(source, `${path} is not in the program`);
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
}

/** One diagnostic as `README.md:<line>:<column> TS<code> <message>` (or where it really is, if not in the block). */
function describe(diagnostic: ts.Diagnostic, file?: { block: ReadmeBlock; preludeLines: number }): string {
  const message = `TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ")}`;
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  if (file && line >= file.preludeLines) {
    return `README.md:${file.block.firstLine + line - file.preludeLines}:${character + 1} ${message}`;
  }
  if (file) {
    const text = diagnostic.file.text.split("\n")[line]?.trim() ?? "";
    return `test/readme-prelude.ts, in the declaration \`${text}\` put in front of this block: ${message}`;
  }
  return `${diagnostic.file.fileName}:${line + 1}:${character + 1} ${message}`;
}

test("README.md has ts examples to check", () => {
  assert.ok(blocks.length > 0, "no ```ts block found in README.md");
});

for (const file of files) {
  test(`README example "${file.block.heading}" (README.md:${file.block.firstLine - 1}) compiles`, () => {
    const found = diagnosticsOf(file.path);
    assert.equal(found.length, 0, `${found.length} compiler diagnostic(s):\n${found.map((d) => describe(d, file)).join("\n")}`);
  });
}

test("the prelude declares none of the library's exported names", () => {
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(LIBRARY_ENTRY);
  const moduleSymbol = entry && checker.getSymbolAtLocation(entry);
  assert.ok(moduleSymbol, "src/index.ts is not in the program");
  const exported = new Set(checker.getExportsOfModule(moduleSymbol).map((symbol) => symbol.name));
  const clashes = preludeSource.statements
    .filter((statement) => !ts.isImportDeclaration(statement))
    .flatMap(declaredNames)
    .filter((name) => exported.has(name));
  assert.deepEqual(clashes, [], "a README example must import these from \"traverse-odata\" instead");
});

test("the README examples cause no diagnostics outside themselves", () => {
  assert.equal(elsewhere.length, 0, elsewhere.map((d) => describe(d)).join("\n"));
});
