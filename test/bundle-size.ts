/**
 * What a program that uses traverse-odata bundles to, measured with esbuild as an application's
 * bundler would build it: the scenario files of test/bundle/ are bundled with code splitting into
 * ES modules (`--bundle --splitting --format=esm --minify`, target es2022), and each output chunk is
 * gzipped on its own (zlib's default level, as `gzip` and most servers compress).
 *
 * What loads at start is the entry chunk and every chunk it imports statically, transitively: a
 * browser or a runtime fetches those before the program's first line runs. A chunk reached only
 * through a dynamic `import()` loads when the code that imports it first runs, that is, when its
 * feature is used. `test/treeshake.test.ts` holds the budget; the README's "Bundle size" section
 * quotes the table this prints: `node --import tsx test/bundle-size.ts`.
 */
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { relative, sep } from "node:path";
import { build, type Metafile } from "esbuild";

/** One program, bundled. */
export interface Scenario {
  /** What the program does, as the table shows it. */
  readonly name: string;
  /** The file under test/bundle/. */
  readonly file: string;
  /**
   * The modules (below `src/`) that the program's features load with `import()` when first used;
   * `"*"` for every module loaded that way.
   */
  readonly loads: readonly string[] | "*";
}

/** The programs measured, from the smallest use to the whole library. */
export const SCENARIOS: readonly Scenario[] = [
  { name: "read-only through traverse-odata/read: ODataReader, collection().filter().stream()", file: "read-entry.ts", loads: [] },
  { name: "read-only: collection().filter().stream()", file: "read-only.ts", loads: [] },
  { name: "read + write: create, update, delete", file: "read-write.ts", loads: ["resources/writes.ts"] },
  { name: "read + $batch", file: "read-batch.ts", loads: ["batch/send.ts"] },
  { name: "read + $metadata", file: "read-metadata.ts", loads: ["metadata/cache.ts"] },
  { name: "read + long-running operation: createAsync, resumeAsync, wait", file: "read-lro.ts", loads: ["resources/writes.ts", "lro/start.ts", "lro/polling.ts"] },
  { name: "the whole library: every export", file: "everything.ts", loads: "*" },
];

/**
 * Not a program a user writes: the read-only program's walk put together from the library's own
 * modules without `ODataClient` (test/bundle/walk-modules.ts), the floor under its start.
 */
export const WALK_MODULES: Scenario = { name: "the walk's own modules, without ODataClient", file: "walk-modules.ts", loads: [] };

/** Sizes of a set of chunks, in bytes. */
export interface ChunkSet {
  /** The chunks' file names, as esbuild wrote them. */
  readonly chunks: readonly string[];
  readonly minified: number;
  /** The sum of each chunk gzipped on its own: what goes over the wire. */
  readonly gzipped: number;
  /** The chunks joined and gzipped as one file: what the same code costs without the split into chunks. */
  readonly gzippedTogether: number;
  /** The source files (below `src/`, with `/`) that put code into these chunks. */
  readonly sources: ReadonlySet<string>;
}

/** What one scenario bundles to. */
export interface ScenarioSize {
  readonly scenario: Scenario;
  /** The entry chunk and the chunks it imports statically: what loads at start. */
  readonly start: ChunkSet;
  /** The chunks the program's features load when first used (`Scenario.loads`), beyond the start. */
  readonly used: ChunkSet;
  /** Every chunk that `import()` can load, from the start on: the rest of the library. */
  readonly lazy: ChunkSet;
}

const BUNDLE_DIR = fileURLToPath(new URL("./bundle/", import.meta.url));
const SRC_DIR = fileURLToPath(new URL("../src/", import.meta.url));

/** The path of a metafile input below `src/`, or `undefined` for files outside it. */
export function sourcePath(input: string): string | undefined {
  const path = relative(SRC_DIR, fileURLToPath(new URL(input, `file://${process.cwd()}/`)));
  return path.startsWith("..") ? undefined : path.split(sep).join("/");
}

/** A program under test/bundle/ as esbuild bundles it here: its chunks by file name, and what the metafile says of each. */
export interface Bundle {
  readonly contents: ReadonlyMap<string, Uint8Array>;
  readonly outputs: ReadonlyMap<string, Metafile["outputs"][string]>;
}

/** Bundles the program `file` (under test/bundle/) with code splitting, as an application's bundler would. */
export async function bundleProgram(file: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [`${BUNDLE_DIR}${file}`],
    bundle: true,
    splitting: true,
    format: "esm",
    minify: true,
    target: "es2022",
    platform: "neutral",
    outdir: "/bundle-size-out",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const metafile: Metafile = result.metafile;
  return {
    contents: new Map(result.outputFiles.map((output) => [relative("/bundle-size-out", output.path).split(sep).join("/"), output.contents])),
    outputs: new Map(Object.entries(metafile.outputs).map(([path, output]) => [path.replace(/^.*bundle-size-out\//, ""), output])),
  };
}

/** Bundles one scenario and sorts its chunks into those loaded at start and those loaded lazily. */
export async function measureScenario(scenario: Scenario): Promise<ScenarioSize> {
  const { contents, outputs } = await bundleProgram(scenario.file);
  // Chunks loaded by import() name their module as entry point too: the scenario's is its file.
  const entry = [...outputs].find(([, output]) => output.entryPoint?.endsWith(`bundle/${scenario.file}`))?.[0];
  if (entry === undefined) throw new Error(`esbuild made no entry chunk for ${scenario.file}`);

  const name = (path: string) => path.replace(/^.*bundle-size-out\//, "");
  const reach = (roots: readonly string[], kinds: ReadonlySet<string>): Set<string> => {
    const seen = new Set<string>();
    const queue = [...roots];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      for (const imported of outputs.get(next)?.imports ?? []) if (kinds.has(imported.kind)) queue.push(name(imported.path));
    }
    return seen;
  };
  const statically = new Set(["import-statement"]);
  const start = reach([entry], statically);
  const everything = reach([entry], new Set(["import-statement", "dynamic-import"]));
  const lazy = [...everything].filter((chunk) => !start.has(chunk));
  // A module loaded with import() is the entry point of its own chunk.
  // (A module that no import() loads adds nothing here; the tests then name it.)
  const loadedChunks =
    scenario.loads === "*"
      ? lazy
      : scenario.loads.flatMap((module) => [...outputs].filter(([, output]) => output.entryPoint !== undefined && sourcePath(output.entryPoint) === module).map(([chunk]) => chunk));
  const used = [...reach(loadedChunks, statically)].filter((chunk) => !start.has(chunk));

  const measure = (chunks: readonly string[]): ChunkSet => {
    let minified = 0;
    let gzipped = 0;
    const sources = new Set<string>();
    for (const chunk of chunks) {
      const bytes = contents.get(chunk);
      if (bytes === undefined) throw new Error(`esbuild listed ${chunk} but wrote no such file`);
      minified += bytes.byteLength;
      gzipped += gzipSync(bytes).byteLength;
      for (const [input, use] of Object.entries(outputs.get(chunk)?.inputs ?? {})) {
        const source = use.bytesInOutput > 0 ? sourcePath(input) : undefined;
        if (source !== undefined) sources.add(source);
      }
    }
    const together = gzipSync(Buffer.concat(chunks.map((chunk) => contents.get(chunk) as Uint8Array))).byteLength;
    return { chunks: [...chunks].sort(), minified, gzipped, gzippedTogether: together, sources };
  };
  return { scenario, start: measure([...start]), used: measure(used), lazy: measure(lazy) };
}

/** Bytes as kB (1,000 bytes) with one decimal. */
export function kilobytes(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

/** The table of the README's "Bundle size" section, in Markdown. */
export function sizeTable(sizes: readonly ScenarioSize[]): string {
  const rows = sizes.map(({ scenario, start, used }) =>
    [scenario.name, kilobytes(start.minified), kilobytes(start.gzipped), String(start.chunks.length), kilobytes(used.minified), kilobytes(used.gzipped)].join(" | "),
  );
  return [
    "| program | at start, minified | at start, gzipped | chunks at start | loaded when first used, minified | loaded when first used, gzipped |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map((row) => `| ${row} |`),
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = [];
  for (const scenario of SCENARIOS) sizes.push(await measureScenario(scenario));
  console.log(sizeTable(sizes));
  if (process.argv.includes("--sources")) {
    for (const { scenario, start } of sizes) console.log(`\n${scenario.name}, at start:\n  ${[...start.sources].sort().join("\n  ")}`);
  }
}
