/**
 * The generator at size (`npm run bench -- codegen`): how long `parseMetadata` + `generate` take,
 * and how long `tsc --noEmit --strict` takes on the output and how much heap it needs, for
 * - a Graph-shaped document (bench/metadata-document.ts, Graph v1.0's counts: 1,182 entity types);
 * - a Dynamics-shaped document (bench/dynamics-document.ts: 5,000 entity types, over 300,000
 *   properties, about 30 MB), whole and with `only` of 10 entity sets;
 * - a small program that uses three sets of the whole Dynamics-shaped service, generated with
 *   `declarations` (index.d.ts + index.js, the form the README recommends for a large service:
 *   under skipLibCheck tsc checks only what the program uses), and the same program on index.ts.
 * Microsoft Graph's real `$metadata` is not available offline, so the synthetic Graph-shaped
 * document stands in for it; nothing is downloaded.
 *
 * The generated files import the library from src/, so every tsc run also checks the library's
 * sources: the baseline is tsc of a one-line program that imports the library, measured in the
 * same run, and each figure is shown beside it with the ratio. tsc runs of whole outputs are one
 * round each (they take tens of seconds on this machine); the baseline and the 3-set programs are
 * the median of 3 rounds with the spread, and generation too. tsc's own parse+bind and check
 * times (--extendedDiagnostics) are shown beside the wall time. Peak heap is
 * the largest resident set of the tsc process (`/usr/bin/time -v`), and tsc's own "Memory used".
 * Each tsc run is stopped after 10 minutes. Figures only: nothing passes or fails here.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseMetadata } from "../src/index.js";
import { generate } from "../src/codegen/index.js";
import type { BenchFigure } from "./main.js";
import { graphShapedMetadata } from "./metadata-document.js";
import { DYNAMICS_SHAPE, dynamicsEntityNames, dynamicsSetName, dynamicsShapedMetadata } from "./dynamics-document.js";
import { median } from "./stats.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TSC = createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");
const GENERATE_ROUNDS = 3;
const TSC_TIMEOUT_MS = 600_000;
/** Rounds of the baseline and of the two 3-set programs, which are compared with each other. */
const PROGRAM_ROUNDS = 3;

/** One tsc run: wall time, peak resident set, tsc's own figures, and whether it passed. */
interface TscRun {
  seconds: number;
  peakMb: number | undefined;
  memoryUsedMb: number | undefined;
  ok: boolean;
  timedOut: boolean;
  errors: string;
  /** tsc's own "Parse time" + "Bind time" and "Check time" (--extendedDiagnostics), in seconds. */
  parseBindSeconds: number | undefined;
  checkSeconds: number | undefined;
  /** With {@link tscRounds}: the fastest and slowest wall time of the rounds. */
  spread?: { min: number; max: number; rounds: number };
}

function tsc(folder: string, files: string[]): Promise<TscRun> {
  writeFileSync(
    join(folder, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "es2022", lib: ["es2023"], module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")] },
      files,
    }),
  );
  const useTime = existsSync("/usr/bin/time");
  const command = useTime ? "/usr/bin/time" : process.execPath;
  const args = [...(useTime ? ["-v", process.execPath] : []), "--max-old-space-size=8192", TSC, "-p", "tsconfig.json", "--extendedDiagnostics"];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Its own process group, so that the timeout ends tsc itself and not only /usr/bin/time.
    const child = spawn(command, args, { cwd: folder, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, TSC_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
      const used = /Memory used:\s+(\d+)K/.exec(stdout)?.[1];
      const phase = (name: string) => {
        const value = new RegExp(`${name} time:\\s+([\\d.]+)s`).exec(stdout)?.[1];
        return value === undefined ? undefined : Number(value);
      };
      const parse = phase("Parse");
      const bind = phase("Bind");
      resolve({
        seconds,
        peakMb: rss === undefined ? undefined : Number(rss) / 1024,
        memoryUsedMb: used === undefined ? undefined : Number(used) / 1024,
        ok: code === 0,
        timedOut,
        errors: stdout.split("\n").filter((line) => line.includes("error TS")).slice(0, 3).join(" | "),
        parseBindSeconds: parse === undefined || bind === undefined ? undefined : parse + bind,
        checkSeconds: phase("Check"),
      });
    });
  });
}

/**
 * tsc `rounds` times, for the rows whose difference is smaller than this machine's noise: the
 * run nearest the median wall time (bench/stats.ts), with the spread.
 */
async function tscRounds(folder: string, files: string[], rounds: number): Promise<TscRun> {
  const runs: TscRun[] = [];
  for (let round = 0; round < rounds; round++) runs.push(await tsc(folder, files));
  const seconds = runs.map((run) => run.seconds);
  const middle = median(seconds);
  const nearest = runs.reduce((best, run) => (Math.abs(run.seconds - middle) < Math.abs(best.seconds - middle) ? run : best));
  return { ...nearest, spread: { min: Math.min(...seconds), max: Math.max(...seconds), rounds } };
}

/** Parses and generates `rounds` times; the median and spread in seconds, and the last files. */
function timeGenerate(text: string, options: Parameters<typeof generate>[1]): { median: number; min: number; max: number; files: Record<string, string> } {
  const times: number[] = [];
  let files: Record<string, string> = {};
  for (let round = 0; round < GENERATE_ROUNDS; round++) {
    const started = performance.now();
    files = generate(parseMetadata(text), options);
    times.push((performance.now() - started) / 1000);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), files };
}

/** Prints figures as they are measured (a whole run takes minutes), and passes them on. */
function shown(figures: BenchFigure[]): BenchFigure[] {
  for (const figure of figures) console.log(`  ${figure.name}: ${figure.value} ${figure.unit}${figure.note ? ` (${figure.note})` : ""}`);
  return figures;
}

function tscFigures(label: string, run: TscRun, target: string, baseline?: TscRun): BenchFigure[] {
  const status = run.timedOut ? "stopped after 10 min" : run.ok ? "passed" : `FAILED: ${run.errors}`;
  const spread = run.spread ? `; median of ${run.spread.rounds}, spread ${run.spread.min.toFixed(1)}-${run.spread.max.toFixed(1)}` : "";
  const ratio = baseline ? `; baseline ${baseline.seconds.toFixed(1)} s, ${(run.seconds / baseline.seconds).toFixed(2)}x` : "";
  const phases = run.parseBindSeconds !== undefined && run.checkSeconds !== undefined ? `; tsc parse+bind ${run.parseBindSeconds.toFixed(1)} s, check ${run.checkSeconds.toFixed(1)} s` : "";
  const figures: BenchFigure[] = [
    { name: `${label}: tsc --noEmit --strict`, value: Number(run.seconds.toFixed(1)), unit: "s", note: `${status}; target ${target}${spread}${ratio}${phases}` },
  ];
  if (run.peakMb !== undefined) figures.push({ name: `${label}: tsc peak RSS`, value: Math.round(run.peakMb), unit: "MB", note: baseline?.peakMb ? `baseline ${Math.round(baseline.peakMb)} MB` : "" });
  if (run.memoryUsedMb !== undefined) figures.push({ name: `${label}: tsc memory used`, value: Math.round(run.memoryUsedMb), unit: "MB", note: "tsc --extendedDiagnostics" });
  return figures;
}

/** Runs the section. */
export async function benchCodegen(): Promise<BenchFigure[]> {
  console.log("Microsoft Graph's real $metadata is not available offline: a synthetic Graph-shaped document (Graph v1.0's counts) stands in for it, and the Dynamics-size model is synthetic too. Nothing is downloaded.");
  const work = mkdtempSync(join(tmpdir(), "traverse-bench-codegen-"));
  try {
    const importFrom = (folder: string) => relative(join(work, folder), join(ROOT, "src", "index.js"));
    const figures: BenchFigure[] = [];
    writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));

    // Baseline: the library alone.
    writeFileSync(join(work, "baseline.ts"), `import type { ODataClient } from "${relative(work, join(ROOT, "src", "index.js"))}";\nexport type Client = ODataClient;\n`);
    const baseline = await tscRounds(work, ["baseline.ts"], PROGRAM_ROUNDS);
    figures.push(...shown(tscFigures("baseline (library only)", baseline, "-")));

    // Graph-shaped.
    const graph = graphShapedMetadata();
    const graphRun = timeGenerate(graph, { importFrom: importFrom("graph"), name: "graph" });
    writeFiles(join(work, "graph"), graphRun.files);
    figures.push(...shown([{ name: "graph-shaped: parse + generate", value: Number(graphRun.median.toFixed(2)), unit: "s", note: `${(graph.length / 1e6).toFixed(1)} MB EDMX; ${(size(graphRun.files) / 1e6).toFixed(1)} MB out; spread ${graphRun.min.toFixed(2)}-${graphRun.max.toFixed(2)}; target ≤ 5 s` }]));
    figures.push(...shown(tscFigures("graph-shaped", await tsc(work, ["graph/index.ts"]), "≤ 60 s, ≤ 2 GB", baseline)));

    // Dynamics-size.
    const dynamics = dynamicsShapedMetadata(DYNAMICS_SHAPE);
    console.log(`dynamics-shaped document: ${(dynamics.text.length / 1e6).toFixed(1)} MB, ${dynamics.stats.entityTypes} entity types, ${dynamics.stats.properties} properties, ${dynamics.stats.navigationProperties} navigation properties`);
    const whole = timeGenerate(dynamics.text, { importFrom: importFrom("dynamics"), name: "dynamics" });
    writeFiles(join(work, "dynamics"), whole.files);
    figures.push(...shown([{ name: "dynamics-size: parse + generate", value: Number(whole.median.toFixed(2)), unit: "s", note: `${(dynamics.text.length / 1e6).toFixed(1)} MB EDMX, ${dynamics.stats.entityTypes} types, ${dynamics.stats.properties} properties; ${(size(whole.files) / 1e6).toFixed(1)} MB out; spread ${whole.min.toFixed(2)}-${whole.max.toFixed(2)}; target ≤ 30 s` }]));
    figures.push(...shown(tscFigures("dynamics-size", await tsc(work, ["dynamics/index.ts"]), "≤ 3 min, ≤ 4 GB", baseline)));

    // --only of 10 sets.
    const names = dynamicsEntityNames(DYNAMICS_SHAPE.entityTypes);
    const only = names.slice(1, 11).map(dynamicsSetName);
    const narrow = timeGenerate(dynamics.text, { importFrom: importFrom("only"), name: "dynamics", only });
    writeFiles(join(work, "only"), narrow.files);
    const kept = (narrow.files["index.ts"]?.match(/^export interface /gm) ?? []).length;
    figures.push(...shown([{ name: "dynamics-size --only 10 sets: parse + generate", value: Number(narrow.median.toFixed(2)), unit: "s", note: `${kept} interfaces kept; spread ${narrow.min.toFixed(2)}-${narrow.max.toFixed(2)}; target ≤ 5 s` }]));
    figures.push(...shown(tscFigures("dynamics-size --only 10 sets", await tsc(work, ["only/index.ts"]), "≤ 20 s", baseline)));

    // A small program on three sets of the whole service, in the declarations form and as index.ts.
    const declared = generate(parseMetadata(dynamics.text), { importFrom: importFrom("declarations"), name: "dynamics", declarations: true });
    writeFiles(join(work, "declarations"), declared);
    const program = (folder: string) =>
      [
        `import { ODataClient } from "${relative(work, join(ROOT, "src", "index.js"))}";`,
        `import { dynamics } from "./${folder}/index.js";`,
        `const svc = dynamics(new ODataClient({ serviceUrl: "https://example.crm.dynamics.com/api/data/v9.2/" }));`,
        // The key is the one property whose type the synthetic model fixes (Edm.Guid, a string).
        `export const names = svc.accounts.select("new_attribute1").filter((f) => f.ne("accountid", "00000000-0000-0000-0000-000000000000")).top(5).url();`,
        `export const contact = svc.contacts.key("00000000-0000-0000-0000-000000000001").url();`,
        `export const leads = svc.leads.expand("createdby").top(1).url();`,
        "",
      ].join("\n");
    writeFileSync(join(work, "program.ts"), program("declarations"));
    writeFileSync(join(work, "program-index-ts.ts"), program("dynamics"));
    figures.push(...shown(tscFigures("program using 3 sets of the whole service (--declarations)", await tscRounds(work, ["program.ts"], PROGRAM_ROUNDS), "≤ 10 s", baseline)));
    figures.push(...shown(tscFigures("program using 3 sets of the whole service (index.ts)", await tscRounds(work, ["program-index-ts.ts"], PROGRAM_ROUNDS), "-", baseline)));
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function writeFiles(folder: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const path = join(folder, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

function size(files: Record<string, string>): number {
  return Object.values(files).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import("./main.js");
  console.log(formatTable([["codegen", await benchCodegen()]]));
}
