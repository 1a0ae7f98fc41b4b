/**
 * The API report: `api/traverse-odata.api.md`, everything a user of the package can reach from
 * `dist/index.d.ts`, as API Extractor writes it, followed by the names that are values at run time
 * (API Extractor shows a class exported as a type only as it shows any other class, so the list
 * is where a constructor that becomes public shows up). The declarations are emitted the way
 * `npm run build` emits them (tsconfig.build.json, `stripInternal` included) into a temporary
 * folder, without type-checking again (`tsc --noEmit` has done that in `npm test`), so a report
 * takes a few seconds. `npm run api:update` runs this file and rewrites the report;
 * test/api-report.test.ts fails when the report in the repository differs from what this writes.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { Extractor, ExtractorConfig, ExtractorLogLevel, type ExtractorMessage } from "@microsoft/api-extractor";

const ROOT = resolve(fileURLToPath(import.meta.url), "..", "..");
/** The report in the repository. */
export const REPORT = join(ROOT, "api", "traverse-odata.api.md");
/** What brings the report up to date. */
export const UPDATE_COMMAND = "npm run api:update";

/** A report as this file makes it. */
export interface ApiReport {
  /** The text of `traverse-odata.api.md`. */
  text: string;
  /** The declarations reachable from `dist/index.d.ts` that it does not export (API Extractor's `ae-forgotten-export`). */
  forgotten: string[];
  /** API Extractor's errors, which make the report untrustworthy. */
  errors: string[];
  /** Names that `traverse-odata/read` exports and `traverse-odata` does not export as the same declaration. */
  readOnly: string[];
}

/** Emits the declarations of `src/` as `npm run build` would, into `outDir`; throws on an emit error. */
export function emitDeclarations(outDir: string): void {
  const configPath = join(ROOT, "tsconfig.build.json");
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    { outDir, emitDeclarationOnly: true, declarationMap: false, sourceMap: false, inlineSources: false, noCheck: true },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")); } },
  );
  if (config === undefined) throw new Error(`cannot read ${configPath}`);
  if (config.errors.length > 0) throw new Error(ts.formatDiagnostics(config.errors, formatHost));
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const result = program.emit(undefined, undefined, undefined, true);
  if (result.diagnostics.length > 0) throw new Error(ts.formatDiagnostics(result.diagnostics, formatHost));
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (name) => name,
  getCurrentDirectory: () => ROOT,
  getNewLine: () => "\n",
};

/** The part of the report after API Extractor's: the names `src/index.ts` exports as values. */
export function valuesSection(values: string[]): string {
  const list = values.map((name) => `- \`${name}\``).join("\n");
  return `\n## Values\n\nWhat \`import * as api from "traverse-odata"\` holds at run time; every other name above is a type only.\n\n${list}\n`;
}

/**
 * The part of the report on module augmentations, which API Extractor leaves out of its own: every
 * `declare module "..."` block of the emitted declarations, with the file it is in.
 */
export function augmentationsSection(dist: string, files: readonly string[]): string {
  const blocks: string[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(dist, file), "utf8"), ts.ScriptTarget.ES2022, true);
    for (const statement of source.statements) {
      if (ts.isModuleDeclaration(statement) && ts.isStringLiteral(statement.name)) blocks.push(`// ${file}\n${statement.getText(source)}`);
    }
  }
  if (blocks.length === 0) return "";
  return `\n## Module augmentations\n\nWhat the declarations add to interfaces of other modules (API Extractor does not show these above).\n\n\`\`\`ts\n${blocks.join("\n\n")}\n\`\`\`\n`;
}

/**
 * The part of the report on `traverse-odata/read`: the names dist/read.d.ts exports. `elsewhere`
 * lists those that dist/index.d.ts does not export as the same declaration (there should be none).
 */
export function readEntrySection(dist: string): { text: string; elsewhere: string[] } {
  const files = { read: join(dist, "read.d.ts"), index: join(dist, "index.d.ts") };
  const program = ts.createProgram({ rootNames: [files.read, files.index], options: { noEmit: true, types: [], skipLibCheck: true } });
  const checker = program.getTypeChecker();
  const exportsOf = (file: string): Map<string, ts.Symbol> => {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    if (symbol === undefined) throw new Error(`${file} has no module symbol`);
    // An export's own declaration: the same class or type reached through either entry point.
    return new Map(checker.getExportsOfModule(symbol).map((exported) => [exported.name, exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported]));
  };
  const read = exportsOf(files.read);
  const index = exportsOf(files.index);
  const names = [...read.keys()].sort();
  const elsewhere = names.filter((name) => index.get(name) !== read.get(name));
  const text = `\n## traverse-odata/read\n\nThe names \`import ... from "traverse-odata/read"\` gives; each is the same value or type as the one of \`traverse-odata\` above.\n\n${names.map((name) => `- \`${name}\``).join("\n")}\n`;
  return { text, elsewhere };
}

/** The emitted declaration files below `dist`, as paths relative to it with `/`. */
function declarationFiles(dist: string, folder = ""): string[] {
  return readdirSync(join(dist, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
    if (entry.isDirectory()) return declarationFiles(dist, path);
    return path.endsWith(".d.ts") ? [path] : [];
  }).sort();
}

/** Makes the report from the current sources. */
export async function apiReport(): Promise<ApiReport> {
  const values = Object.keys(await import(pathToFileURL(join(ROOT, "src", "index.ts")).href)).sort();
  const work = mkdtempSync(join(tmpdir(), "traverse-api-"));
  try {
    const dist = join(work, "dist");
    emitDeclarations(dist);
    const reportFolder = join(work, "report");
    mkdirSync(reportFolder);
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: work,
        mainEntryPointFilePath: join(dist, "index.d.ts"),
        // The declarations see what the sources see: the ES2023 library and Node's types. Not
        // checked again here (skipLibCheck, which saves most of the time): test/package.test.ts
        // type-checks a consumer of the packed declarations with skipLibCheck off.
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              target: "es2022",
              lib: ["es2023"],
              module: "nodenext",
              moduleResolution: "nodenext",
              strict: true,
              skipLibCheck: true,
              types: ["node"],
              typeRoots: [join(ROOT, "node_modules", "@types")],
            },
          },
        },
        apiReport: { enabled: true, reportFileName: "traverse-odata.api.md", reportFolder, reportTempFolder: join(work, "temp") },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: "lf",
        messages: {
          compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
          // The report is about the surface; what TSDoc comments say is checked elsewhere.
          tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
          extractorMessageReporting: {
            default: { logLevel: ExtractorLogLevel.None },
            "ae-forgotten-export": { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
          },
        },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: join(ROOT, "package.json"),
    });
    const errors: string[] = [];
    const result = Extractor.invoke(config, {
      localBuild: true,
      messageCallback: (message: ExtractorMessage) => {
        if (message.logLevel === ExtractorLogLevel.Error) errors.push(message.formatMessageWithLocation(work));
        // Everything else (progress notes, the messages that go into the report) stays off the console.
        message.handled = true;
      },
    });
    if (!result.succeeded && errors.length === 0) errors.push(`API Extractor failed (${result.errorCount} errors)`);
    const readEntry = readEntrySection(dist);
    const text =
      readFileSync(join(reportFolder, "traverse-odata.api.md"), "utf8") + valuesSection(values) + augmentationsSection(dist, declarationFiles(dist).filter((file) => !file.startsWith("cli/"))) + readEntry.text;
    const forgotten = [...text.matchAll(/\(ae-forgotten-export\) The symbol "([^"]+)"/g)].map((match) => match[1] ?? "");
    return { text, forgotten, errors, readOnly: readEntry.elsewhere };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The lines that differ between two texts, each change with `context` unchanged lines around it:
 * `-` a line of `before` (the report in the repository), `+` a line of `after` (the current surface).
 */
export function lineDiff(before: string, after: string, context = 3): string {
  const a = before.split("\n");
  const b = after.split("\n");
  // The lines both share at the start and at the end need no comparison table.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  // common[i][j]: the longest common subsequence of midA[i..] and midB[j..].
  const common = Array.from({ length: midA.length + 1 }, () => new Uint32Array(midB.length + 1));
  for (let i = midA.length - 1; i >= 0; i--) {
    for (let j = midB.length - 1; j >= 0; j--) {
      common[i]![j] = midA[i] === midB[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  /** One line of the comparison, with its line numbers (1-based) in `before` and `after`. */
  const lines: { mark: " " | "-" | "+"; text: string; lineA: number; lineB: number }[] = [];
  for (let k = 0; k < head; k++) lines.push({ mark: " ", text: a[k]!, lineA: k + 1, lineB: k + 1 });
  let i = 0;
  let j = 0;
  while (i < midA.length || j < midB.length) {
    if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
      lines.push({ mark: " ", text: midA[i]!, lineA: head + ++i, lineB: head + ++j });
    } else if (i < midA.length && (j === midB.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      lines.push({ mark: "-", text: midA[i]!, lineA: head + ++i, lineB: head + j });
    } else {
      lines.push({ mark: "+", text: midB[j]!, lineA: head + i, lineB: head + ++j });
    }
  }
  for (let k = 0; k < tail; k++) {
    lines.push({ mark: " ", text: a[a.length - tail + k]!, lineA: a.length - tail + k + 1, lineB: b.length - tail + k + 1 });
  }
  const shown = lines.map(() => false);
  lines.forEach((line, index) => {
    if (line.mark === " ") return;
    for (let near = Math.max(0, index - context); near <= Math.min(lines.length - 1, index + context); near++) shown[near] = true;
  });
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (!shown[index]) return;
    if (index === 0 || !shown[index - 1]) out.push(`@@ line ${line.mark === "+" ? line.lineA + 1 : line.lineA} of the report, line ${line.mark === "-" ? line.lineB + 1 : line.lineB} now @@`);
    out.push(`${line.mark}${line.text}`);
  });
  return out.join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const report = await apiReport();
  if (report.errors.length > 0) {
    console.error(report.errors.join("\n"));
    process.exitCode = 1;
  } else {
    const before = existsSync(REPORT) ? readFileSync(REPORT, "utf8") : undefined;
    if (before !== report.text) {
      mkdirSync(dirname(REPORT), { recursive: true });
      writeFileSync(REPORT, report.text);
    }
    console.log(before === report.text ? "api/traverse-odata.api.md: already up to date" : "api/traverse-odata.api.md: updated; review the change and commit it");
    if (report.forgotten.length > 0) {
      console.error(`reachable from dist/index.d.ts but not exported from it: ${report.forgotten.join(", ")} (see the warnings in the report)`);
      process.exitCode = 1;
    }
  }
}
