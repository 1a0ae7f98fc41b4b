/**
 * Export benchmarks (`npm run bench -- export`): figures and ratios only, nothing passes or fails.
 *
 * 1. Speed: rows/s of `traverse-odata export` (the command run in this process, NDJSON to a new
 *    file each run, checkpoints as by default) against the library's own `for await` over the same
 *    collection, once only counting the rows and once writing the same NDJSON file by hand; the
 *    export to JSON and to CSV beside them. 100,000 rows of ~100 bytes in pages of 1000 from
 *    bench/static-service.ts (a process of its own); the variants take turns, medians of the rounds,
 *    each ratio the median of the rounds' own ratios (the two measured next to each other), with the
 *    spread (lowest to highest).
 * 2. Memory: the peak RSS (the kernel's high-water mark, VmHWM of /proc/self/status at exit)
 *    of the command as its own process, bundled for plain node, exporting 100,000 and 1,000,000
 *    rows; beside it the peak RSS of the same process printing its help (what node and the code
 *    take before any row), and the 1,000,000 rows once more with a V8 heap capped at 24 MiB, far
 *    too small for the rows were they kept.
 * 3. Parallel: `--parallel 4` against one walk, both as processes of their own, against a service
 *    that answers every request after 50 ms (bench/export-service.ts), 100,000 rows in pages of
 *    1000, 3 rounds taking turns going first, the speedup the median of the rounds' own ratios with
 *    the spread; the two files hold the same rows (checked).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ODataClient } from "../src/index.js";
import { runCli } from "../src/cli/run.js";
import type { TextStream } from "../src/cli/terminal.js";
import type { BenchFigure } from "./main.js";
import { startSlowService } from "./export-service.js";
import { pagedSet, startStaticService } from "./static-service.js";
import { median } from "./stats.js";

const CLI_MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const SPEED_ROWS = 100_000;
const SPEED_PAGE = 1000;
const SPEED_ROUNDS = 21;
const PARALLEL_ROWS = 100_000;
const PARALLEL_DELAY_MS = 50;
/** Rounds of one walk and `--parallel 4`, each round both. */
const PARALLEL_ROUNDS = 3;
const CAPPED_HEAP_MB = 24;

/** A stream that takes everything and keeps nothing (the command's stdout and stderr here). */
const nowhere: TextStream = { write: () => true, once: () => nowhere, removeListener: () => nowhere };

/** The command line in this process, as `main.ts` runs it. */
async function exportInProcess(args: string[], cwd: string): Promise<void> {
  const code = await runCli({
    argv: args,
    stdout: nowhere,
    stderr: nowhere,
    stdin: process.stdin,
    environment: { env: {}, cwd, platform: process.platform },
    signal: new AbortController().signal,
  });
  if (code !== 0) throw new Error(`traverse-odata ${args.join(" ")} exited with ${code}`);
}

async function measureSpeed(directory: string): Promise<BenchFigure[]> {
  const service = await startStaticService();
  try {
    const set = pagedSet(SPEED_ROWS, SPEED_PAGE);
    await service.prepare(set);
    const client = new ODataClient({ serviceUrl: service.serviceUrl });
    // Each timed run writes a file of its own, removed after the clock stops, as an export to a new
    // file runs. Writing over the file of the run before costs more on ext4 (data=ordered, with
    // auto_da_alloc): a file truncated on open has all its data flushed when it is closed, and the
    // next metadata change (the checkpoint's removal) waits for that. One variant shows that cost.
    let fileNumber = 0;
    const fresh = (extension: string) => join(directory, `speed-${++fileNumber}.${extension}`);
    const overwritten = join(directory, "speed-overwritten.ndjson");
    const variants: [string, () => Promise<void>][] = [
      [
        "for await (count)",
        async () => {
          let rows = 0;
          for await (const row of client.collection(set)) if (row !== undefined) rows++;
          if (rows !== SPEED_ROWS) throw new Error(`read ${rows} rows`);
        },
      ],
      [
        "for await + NDJSON file",
        async () => {
          const file = createWriteStream(fresh("ndjson"));
          for await (const row of client.collection(set)) {
            if (!file.write(`${JSON.stringify(row)}\n`)) await once(file, "drain");
          }
          file.end();
          await once(file, "close");
        },
      ],
      ["traverse-odata export", () => exportInProcess(["export", service.serviceUrl, set, "--out", fresh("ndjson"), "--quiet"], directory)],
      ["traverse-odata export (JSON)", () => exportInProcess(["export", service.serviceUrl, set, "--out", fresh("json"), "--quiet"], directory)],
      ["traverse-odata export (CSV)", () => exportInProcess(["export", service.serviceUrl, set, "--out", fresh("csv"), "--quiet"], directory)],
      ["traverse-odata export over the last file", () => exportInProcess(["export", service.serviceUrl, set, "--out", overwritten, "--quiet"], directory)],
      ["traverse-odata export, no pause between checkpoint saves", () => exportInProcess(["export", service.serviceUrl, set, "--out", fresh("ndjson"), "--quiet", "--checkpoint-interval", "0"], directory)],
    ];
    const removeWritten = async () => {
      for (const name of await readdir(directory)) if (name.startsWith("speed-") && name !== "speed-overwritten.ndjson") await rm(join(directory, name));
    };
    const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (const [, run] of variants) await run(); // warm-up
    await removeWritten();
    for (let round = 0; round < SPEED_ROUNDS; round++) {
      for (let i = 0; i < variants.length; i++) {
        const [name, run] = variants[(i + round) % variants.length] as [string, () => Promise<void>];
        const started = performance.now();
        await run();
        times.get(name)?.push((performance.now() - started) / 1000);
        await removeWritten();
      }
    }
    const seconds = (name: string) => times.get(name) ?? [];
    const rate = (name: string) => SPEED_ROWS / median(seconds(name));
    const rateSpread = (name: string) => {
      const rates = seconds(name).map((s) => SPEED_ROWS / s);
      return `${Math.round(Math.min(...rates)).toLocaleString("en-US")} to ${Math.round(Math.max(...rates)).toLocaleString("en-US")}`;
    };
    // The ratio of each round (the two ran next to each other, under the same load), then their median and spread.
    const ratio = (name: string, baseline: string) => {
      const ratios = seconds(name).map((s, round) => (seconds(baseline)[round] as number) / s);
      return { value: median(ratios), spread: `rounds ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}` };
    };
    const note = `${SPEED_ROWS.toLocaleString("en-US")} rows, pages of ${SPEED_PAGE}, median of ${SPEED_ROUNDS} rounds`;
    const figures: BenchFigure[] = [
      { name: "for await, counting rows", value: rate("for await (count)"), unit: "rows/s", note: `${note}; ${rateSpread("for await (count)")}` },
      { name: "for await + writing NDJSON by hand", value: rate("for await + NDJSON file"), unit: "rows/s", note: `a WriteStream, JSON.stringify per row; ${rateSpread("for await + NDJSON file")}` },
    ];
    for (const [format, variant, what] of [
      ["NDJSON", "traverse-odata export", "in this process; checkpoints as by default (at most one save per 100 ms)"],
      ["JSON", "traverse-odata export (JSON)", "a JSON array, one entity a line"],
      ["CSV", "traverse-odata export (CSV)", "columns from the first row (no $metadata); every value formatted"],
    ] as const) {
      const against = ratio(variant, "for await (count)");
      figures.push(
        { name: `traverse-odata export (${format})`, value: rate(variant), unit: "rows/s", note: `${what}; ${rateSpread(variant)}` },
        { name: `export ${format} / for await (counting)`, value: against.value, unit: "ratio", note: `target >= 0.9; ${against.spread}` },
      );
    }
    const everyPage = ratio("traverse-odata export, no pause between checkpoint saves", "for await (count)");
    figures.push({ name: "export NDJSON, --checkpoint-interval 0 / for await", value: everyPage.value, unit: "ratio", note: `a save starts as soon as the last one ends (checkpoints given during a save wait as one); ${everyPage.spread}` });
    const overwriting = ratio("traverse-odata export over the last file", "for await (count)");
    figures.push({ name: "export NDJSON over the last run's file / for await", value: overwriting.value, unit: "ratio", note: `the same file every round (truncated on open); ${overwriting.spread}` });
    const byHand = ratio("traverse-odata export", "for await + NDJSON file");
    figures.push({ name: "export NDJSON / for await + NDJSON by hand", value: byHand.value, unit: "ratio", note: `the same job written by hand; ${byHand.spread}` });
    return figures;
  } finally {
    await service.stop();
  }
}

/** Bundles the command line into one file for plain node (no TypeScript loader in the figures). */
async function bundleCli(directory: string): Promise<string> {
  const esbuild = await import("esbuild");
  const outfile = join(directory, "traverse-odata.mjs");
  await esbuild.build({ entryPoints: [CLI_MAIN], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent" });
  return outfile;
}

// Reports the process's peak RSS (KiB) on stderr as it exits, after everything else: VmHWM of
// /proc/self/status, the high-water mark of this program's own memory. Not resourceUsage().maxRSS
// where there is a /proc: Linux carries the parent's mark over the fork and the exec into the
// child, so under `npm run bench` every run read the bench process's own RSS (153 MiB for --help).
const REPORT_PEAK_RSS = `data:text/javascript,import{readFileSync,writeSync}from"node:fs";process.on("exit",()=>{let k;try{k=/VmHWM:\\s*(\\d+)/.exec(readFileSync("/proc/self/status","utf8"))[1]}catch{k=process.resourceUsage().maxRSS}writeSync(2,"\\nmaxRSS "+k+"\\n")})`;

/** Runs the bundled command line (with `nodeOptions` for node); resolves with its wall time and peak RSS. */
async function runBundled(bundle: string, args: string[], cwd: string, nodeOptions: string[] = []): Promise<{ seconds: number; peakRss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, "--import", REPORT_PEAK_RSS, bundle, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  const peak = /maxRSS (\d+)/.exec(stderr)?.[1];
  if (code !== 0 || peak === undefined) throw new Error(`traverse-odata ${args.join(" ")} exited with ${String(code)}: ${stderr.slice(-500)}`);
  return { seconds, peakRss: Number(peak) * 1024 };
}

async function measureMemory(directory: string, bundle: string): Promise<BenchFigure[]> {
  const service = await startStaticService();
  try {
    const small = pagedSet(100_000, 1000);
    const large = pagedSet(1_000_000, 1000);
    await service.prepare(small, large);
    const mb = (bytes: number) => bytes / 2 ** 20;
    const idle = await runBundled(bundle, ["--help"], directory);
    const figures: BenchFigure[] = [{ name: "peak RSS, --help only", value: mb(idle.peakRss), unit: "MiB", note: "node and the command's code, no row" }];
    for (const [set, rows] of [[small, 100_000], [large, 1_000_000]] as const) {
      const peaks: number[] = [];
      let seconds = 0;
      for (let run = 0; run < 2; run++) {
        const result = await runBundled(bundle, ["export", service.serviceUrl, set, "--out", join(directory, "memory.ndjson"), "--quiet"], directory);
        peaks.push(result.peakRss);
        seconds = result.seconds;
      }
      figures.push({ name: `peak RSS, export of ${rows.toLocaleString("en-US")} rows`, value: mb(Math.max(...peaks)), unit: "MiB", note: `NDJSON, pages of 1000, its own process (${(rows / seconds).toLocaleString("en-US", { maximumFractionDigits: 0 })} rows/s with start-up)` });
    }
    // A heap too small for the rows, were they kept: the export still completes.
    const capped = await runBundled(bundle, ["export", service.serviceUrl, large, "--out", join(directory, "memory.ndjson"), "--quiet"], directory, [`--max-old-space-size=${CAPPED_HEAP_MB}`]);
    figures.push({ name: `peak RSS, 1,000,000 rows, ${CAPPED_HEAP_MB} MiB heap`, value: mb(capped.peakRss), unit: "MiB", note: `--max-old-space-size=${CAPPED_HEAP_MB} (the rows, were they kept, would need hundreds of MiB): completed` });
    return figures;
  } finally {
    await service.stop();
  }
}

async function measureParallel(directory: string, bundle: string): Promise<BenchFigure[]> {
  const service = await startSlowService(PARALLEL_ROWS, 1000, PARALLEL_DELAY_MS);
  try {
    // Each run writes a new file (the one of the round before is removed first, see measureSpeed).
    const exportTo = async (file: string, extra: string[]) => {
      await rm(join(directory, file), { force: true });
      return (await runBundled(bundle, ["export", service.serviceUrl, "Rows", "--out", join(directory, file), ...extra, "--quiet"], directory)).seconds;
    };
    const ones: number[] = [];
    const fours: number[] = [];
    // The two take turns going first, so that neither always runs on the service the other warmed.
    for (let round = 0; round < PARALLEL_ROUNDS; round++) {
      if (round % 2 === 0) {
        ones.push(await exportTo("one.ndjson", []));
        fours.push(await exportTo("four.ndjson", ["--parallel", "4"]));
      } else {
        fours.push(await exportTo("four.ndjson", ["--parallel", "4"]));
        ones.push(await exportTo("one.ndjson", []));
      }
    }
    const speedups = ones.map((seconds, round) => seconds / (fours[round] as number));
    const ids = async (file: string) =>
      (await readFile(join(directory, file), "utf8"))
        .trimEnd()
        .split("\n")
        .map((line) => (JSON.parse(line) as { ID: number }).ID)
        .sort((a, b) => a - b);
    const [a, b] = await Promise.all([ids("one.ndjson"), ids("four.ndjson")]);
    const same = a.length === PARALLEL_ROWS && a.length === b.length && a.every((id, i) => id === b[i]) && new Set(a).size === a.length;
    return [
      { name: "one walk", value: median(ones), unit: "s", note: `${PARALLEL_ROWS.toLocaleString("en-US")} rows, 100 pages, ${PARALLEL_DELAY_MS} ms per request; median of ${PARALLEL_ROUNDS} rounds` },
      { name: "--parallel 4", value: median(fours), unit: "s", note: "$count + 3 probes, then 4 walks; same rounds" },
      {
        name: "--parallel 4 speedup",
        value: median(speedups),
        unit: "ratio",
        note: `target >= 3; median of the ${PARALLEL_ROUNDS} rounds' ratios, rounds ${Math.min(...speedups).toFixed(2)} to ${Math.max(...speedups).toFixed(2)}`,
      },
      { name: "same rows in both files", value: same ? "yes" : "NO", unit: "", note: "every ID once, the same set" },
    ];
  } finally {
    await service.close();
  }
}

/** The `export` section of `npm run bench`. */
export async function benchExport(): Promise<BenchFigure[]> {
  const directory = await mkdtemp(join(tmpdir(), "export-bench-"));
  try {
    const figures = await measureSpeed(directory);
    const bundle = await bundleCli(directory);
    figures.push(...(await measureMemory(directory, bundle)));
    figures.push(...(await measureParallel(directory, bundle)));
    return figures;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
