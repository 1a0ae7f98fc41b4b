/**
 * Type-checks source files that exist only in memory (generated code and the programs that use
 * it), in one TypeScript program under the repository's compiler options, as if they were files
 * below `virtualRoot`: they import the repository's own files by relative paths, which resolve on
 * disk. Gives each virtual file's diagnostics as `line: message`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";

/** The repository's folder, whose tsconfig.json and sources a virtual program is checked against. */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Where a test's in-memory files stand, and how a file one folder below that imports the library. */
export interface VirtualFolder {
  /** The repository's folder ({@link REPOSITORY_ROOT}). */
  readonly root: string;
  /** `test/<name>.virtual`: never written, only named, so that relative imports resolve on disk. */
  readonly virtual: string;
  /** The library's entry point as `<virtual>/<folder>/<file>.ts` imports it. */
  readonly importFrom: string;
  /** The reader's entry point (traverse-odata/read) as `<virtual>/<folder>/<file>.ts` imports it. */
  readonly readFrom: string;
}

/** From `test/<name>.virtual/<folder>/`, three levels up is the repository's folder. */
const LIBRARY_FROM = "../../../src/index.js";

/** The virtual folder of the test named `name` (its file name without `.test.ts`). */
export function virtualFolder(name: string): VirtualFolder {
  return { root: REPOSITORY_ROOT, virtual: join(REPOSITORY_ROOT, "test", `${name}.virtual`), importFrom: LIBRARY_FROM, readFrom: "../../../src/read.js" };
}

export function virtualDiagnostics(files: ReadonlyMap<string, string>, virtualRoot: string, repositoryRoot: string, lineJoin = "\n"): Map<string, string[]> {
  const config = ts.readConfigFile(join(repositoryRoot, "tsconfig.json"), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repositoryRoot);
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, declaration: false, sourceMap: false };
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  const inVirtual = (path: string) => path === virtualRoot || path.startsWith(`${virtualRoot}/`);
  host.fileExists = (path) => files.has(path) || (!inVirtual(path) && fileExists.call(host, path));
  host.readFile = (path) => files.get(path) ?? (inVirtual(path) ? undefined : readFile.call(host, path));
  host.directoryExists = (path) => (inVirtual(path) ? [...files.keys()].some((file) => file.startsWith(`${path}/`)) : (directoryExists?.call(host, path) ?? true));
  host.getSourceFile = (path, language, onError, create) => {
    const text = files.get(path);
    return text === undefined ? getSourceFile.call(host, path, language, onError, create) : ts.createSourceFile(path, text, language, true);
  };
  host.realpath = (path) => (inVirtual(path) ? path : (ts.sys.realpath?.(path) ?? path));
  const program = ts.createProgram([...files.keys()], options, host);
  const byFile = new Map<string, string[]>();
  for (const path of files.keys()) {
    const source = program.getSourceFile(path);
    const diagnostics = source ? [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)] : [];
    byFile.set(
      path,
      diagnostics.map((d) => `${d.file && d.start !== undefined ? `${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, lineJoin)}`),
    );
  }
  return byFile;
}

/**
 * The diagnostics of one file on disk (a test's type-level cases), checked alone under the
 * repository's compiler options without emitting, each as `name:line TScode message`.
 */
export function fileDiagnostics(file: string, repositoryRoot: string): string[] {
  const configPath = join(repositoryRoot, "tsconfig.json");
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repositoryRoot, undefined, configPath);
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true, declaration: false, sourceMap: false });
  const source = program.getSourceFile(file);
  if (source === undefined) throw new Error(`${file} is not in the program`);
  const name = file.split(/[\\/]/).pop();
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
    const at = d.start === undefined ? "" : `:${source.getLineAndCharacterOfPosition(d.start).line + 1}`;
    return `${name}${at} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  });
}

/**
 * Writes `files` (generated code and a program using it, by name) into a fresh folder of ES
 * modules, removed when the test ends, and imports `entry` from it: the program run as written,
 * with the library it imports.
 */
export async function importWritten<M>(t: { after(fn: () => void): void }, files: Readonly<Record<string, string>>, entry: string): Promise<M> {
  const folder = mkdtempSync(join(tmpdir(), "traverse-written-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, "package.json"), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return (await import(pathToFileURL(join(folder, entry)).href)) as M;
}

/**
 * The generated client of each model (by module name, with its factory's name) and the programs
 * that use it, as in-memory files one folder below `virtual`: `ts/<module>.ts`, or with
 * `declarations` `dts/<module>.d.ts` (what a program using the .js form compiles against), then
 * each program by file name. Check them with {@link virtualDiagnostics}.
 */
export function generatedFiles(
  virtual: string,
  declarations: boolean,
  modules: Readonly<Record<string, { metadata: string; name: string }>>,
  programs: Readonly<Record<string, string>>,
): Map<string, string> {
  const folder = join(virtual, declarations ? "dts" : "ts");
  const files = new Map<string, string>();
  for (const [module, { metadata, name }] of Object.entries(modules)) {
    const generated = generate(parseMetadata(metadata), { importFrom: LIBRARY_FROM, name, declarations });
    files.set(join(folder, declarations ? `${module}.d.ts` : `${module}.ts`), (declarations ? generated["index.d.ts"] : generated["index.ts"]) ?? "");
  }
  for (const [file, text] of Object.entries(programs)) files.set(join(folder, file), text);
  return files;
}
