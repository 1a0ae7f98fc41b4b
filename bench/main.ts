/**
 * `npm run bench`: measures and prints figures; it never passes or fails on them.
 *
 * Each section is one line in `SECTIONS`: a name and a function that resolves with its figures
 * (or prints its own output and resolves with nothing). `npm run bench -- poller` runs only the
 * named sections.
 */
import { availableParallelism, loadavg } from "node:os";

/** One measured figure of a benchmark section. */
export interface BenchFigure {
  /** What was measured, such as "poll() median". */
  name: string;
  /** The value (numbers are formatted by the table). */
  value: number | string;
  /** The unit: "µs", "ratio", "bytes", "ms", "/s" ... */
  unit: string;
  /** How it was measured, in a few words. */
  note?: string;
}

/**
 * A benchmark section: measures and resolves with its figures, as a list or as a record of named
 * values (unitless), or prints its own output and resolves with nothing.
 */
export type BenchSection = () => Promise<BenchFigure[] | Record<string, number | string> | void>;

const SECTIONS: ReadonlyArray<readonly [name: string, run: BenchSection]> = [
  ["poller", () => import("./poller.js").then((module) => module.benchPoller())],
  ["signal", () => import("./request-signal.js").then((module) => module.benchRequestSignal())],
  ["payload", () => import("./payload.js").then((module) => module.benchPayload())],
  ["batch", () => import("./batch.js").then((module) => module.benchBatch())],
  ["traversal", () => import("./traversal.js").then((module) => module.benchTraversal())],
  ["metadata", () => import("./metadata.js").then((module) => module.benchMetadata())],
  ["export", () => import("./export.js").then((module) => module.benchExport())],
  ["types", () => import("./types.js").then((module) => module.benchTypes())],
  ["codegen", () => import("./codegen.js").then((module) => module.benchCodegen())],
  ["bundle", () => import("./bundle.js").then((module) => module.benchBundle())],
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !SECTIONS.some(([known]) => known === name));
  if (unknown.length > 0) {
    throw new Error(`no bench section named ${unknown.join(", ")}; sections: ${SECTIONS.map(([name]) => name).join(", ")}`);
  }
  const load = loadavg().map((value) => value.toFixed(2)).join(" ");
  console.log(`traverse-odata bench: node ${process.version}, ${process.platform}/${process.arch}, ${availableParallelism()} CPUs, load average ${load}`);
  const results: Array<readonly [string, BenchFigure[]]> = [];
  for (const [name, run] of SECTIONS) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    console.log(`\n[${name}] running...`);
    const started = performance.now();
    const figures = asFigures(await run());
    console.log(`[${name}] done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    results.push([name, figures]);
  }
  console.log(`\n${formatTable(results)}`);
  // The rows of issue 11's table, each a ratio (or figure) against its baseline measured in this run.
  const issue = results.map(([name, figures]) => [name, figures.filter((figure) => figure.name.startsWith("[issue 11]"))] as const).filter(([, figures]) => figures.length > 0);
  if (issue.length > 0) console.log(`\nIssue 11, against the baselines of this run:\n${formatTable(issue)}`);
}

function asFigures(result: BenchFigure[] | Record<string, number | string> | void): BenchFigure[] {
  if (result === undefined) return [];
  if (Array.isArray(result)) return result;
  return Object.entries(result).map(([name, value]) => ({ name, value, unit: "" }));
}

/** The figures of all sections as one aligned text table. */
export function formatTable(results: ReadonlyArray<readonly [string, readonly BenchFigure[]]>): string {
  const rows: string[][] = [["section", "figure", "value", "unit", "how"]];
  for (const [section, figures] of results) {
    for (const figure of figures) rows.push([section, figure.name, formatValue(figure.value), figure.unit, figure.note ?? ""]);
  }
  const widths = (rows[0] as string[]).map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  const render = (row: string[]) =>
    row
      .map((cell, column) => (column === 2 ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [render(rows[0] as string[]), rule, ...rows.slice(1).map(render)].join("\n");
}

function formatValue(value: number | string): string {
  if (typeof value === "string") return value;
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

main().catch((error: unknown) => {
  process.exitCode = 1;
  console.error(error);
});
