/**
 * Traversal benchmarks: walking whole collections with the library against a bare loop of `fetch`
 * + `JSON.parse` following `@odata.nextLink`, measured in the same run. Figures and ratios only;
 * nothing passes or fails here.
 *
 * 1. Speed: rows/s of `for await (const e of client.collection(set))` (read-ahead 1, the default,
 *    and 0) and of `pages()` against the bare loop, over 200,000 rows of ~100 bytes in pages of
 *    1000 and 5000, served as ready Buffers by bench/static-service.ts in a process of its own.
 *    The variants take turns within each round (the order rotating), and the medians are compared;
 *    beside the wall clock, this process's CPU time per row, which other load on the machine
 *    disturbs less.
 * 2. Read-ahead: the same service answering each page after 20 ms, and a consumer that works about
 *    20 ms per page, once as a timer wait (`await setTimeout`) and once as real CPU (a busy loop
 *    that blocks the event loop). Library with its default read-ahead against the sequential bare
 *    loop, and against the bare loop made to fetch one page ahead by hand (the ceiling). Then the
 *    same slow service with a caller that does nothing with the pages (pages of 1000 and 5000),
 *    where the next page is requested while one is parsed.
 * 3. Memory: peak RSS and peak heap of `for await` over 100,000 and 1,000,000 rows (pages of 1000),
 *    and over 1,000,000 rows in one unpaged body streamed with backpressure, each walk in a child
 *    process of its own started with `--expose-gc` (bench/traversal-walk.ts, bundled and run by
 *    plain node when esbuild is at hand, so that no TypeScript loader is counted), sampling
 *    `process.memoryUsage()` every 1000 entities and every 2 ms.
 * 4. Against SAP CAP (test/servers/cap): its 100,000-row `Readings`, paged by the server at 1000.
 *
 * Run on its own with `npx tsx bench/traversal.ts [speed] [read-ahead] [memory] [cap]` (all parts
 * by default), or as the `traversal` section of `npm run bench`.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ODataClient } from "../src/index.js";
import { startCap } from "../test/servers/cap.js";
import type { BenchFigure } from "./main.js";
import { median, quantile, spread } from "./stats.js";
import { pagedSet, rowJson, startStaticService, unpagedSet } from "./static-service.js";
import type { WalkFigures, WalkTask } from "./traversal-walk.js";
import { OData } from "@odata/client";
import { o } from "o.js";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const WALK_FILE = fileURLToPath(new URL("./traversal-walk.ts", import.meta.url));

const SPEED_ROWS = 200_000;
const SPEED_PAGE_SIZES = [1000, 5000] as const;
const SPEED_ROUNDS = 11;

const SLOW_DELAY_MS = 20;
const SLOW_PAGE_SIZE = 1000;
const SLOW_PAGES = 20;
const SLOW_ROUNDS = 3;

const MEMORY_PAGE_SIZE = 1000;
const MEMORY_RUNS = 3;
const UNPAGED_ROWS = 1_000_000;
const UNPAGED_RUNS = 2;

const CAP_ROWS = 100_000;
const CAP_ROUNDS = 7;

/** The parts of the traversal bench, by name. */
export type TraversalPart = "speed" | "read-ahead" | "memory" | "cap";

const ALL_PARTS: readonly TraversalPart[] = ["speed", "read-ahead", "memory", "cap"];

/**
 * Runs the parts (all four unless told) and resolves with their figures.
 * @example
 * const figures = await benchTraversal(["read-ahead"]);
 */
export async function benchTraversal(parts: readonly TraversalPart[] = ALL_PARTS): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const timed = async (part: TraversalPart, measure: () => Promise<BenchFigure[]>): Promise<void> => {
    if (!parts.includes(part)) return;
    const started = performance.now();
    figures.push(...(await measure()));
    console.log(`  (${part}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  };
  if (parts.some((part) => part !== "cap")) {
    const service = await startStaticService();
    try {
      console.log(`  static service in process ${service.pid} at ${service.serviceUrl}; rows of ${rowBytes()} bytes`);
      await timed("speed", () => measureSpeed(service.serviceUrl, service.prepare));
      await timed("read-ahead", () => measureReadAhead(service.serviceUrl, service.prepare));
      await timed("memory", () => measureMemory(service.serviceUrl, service.prepare));
    } finally {
      await service.stop();
    }
  }
  await timed("cap", measureCap);
  return figures;
}

// --- the two ways of walking a collection -----------------------------------------------------

/** What the bare loop and the library do with every page (or every page's worth of entities). */
type PageWork = () => void | Promise<void>;

interface V4Page {
  value: unknown[];
  "@odata.nextLink"?: string;
}

/**
 * The baseline: `fetch` + `JSON.parse(await res.text())`, following `@odata.nextLink` (resolved
 * against the page's URL), touching every entity, one page at a time.
 */
async function bareLoop(firstUrl: string, work?: PageWork): Promise<number> {
  let rows = 0;
  let url: string | undefined = firstUrl;
  while (url !== undefined) {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    const page = JSON.parse(await response.text()) as V4Page;
    for (const entity of page.value) if (entity !== undefined) rows++;
    if (work) await work();
    const next = page["@odata.nextLink"];
    url = next === undefined ? undefined : new URL(next, url).href;
  }
  return rows;
}

/**
 * The bare loop made to read one page ahead by hand: the next page is requested (and parsed when
 * it arrives) while `work` runs on the current one. What read-ahead 1 can reach at best.
 */
async function bareLoopAhead(firstUrl: string, work: PageWork): Promise<number> {
  type Loaded = { url: string; page: V4Page };
  const load = async (url: string): Promise<Loaded> => {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return { url, page: JSON.parse(await response.text()) as V4Page };
  };
  let rows = 0;
  let loading: Promise<Loaded> | undefined = load(firstUrl);
  while (loading !== undefined) {
    const { url, page }: Loaded = await loading;
    const next: string | undefined = page["@odata.nextLink"];
    loading = next === undefined ? undefined : load(new URL(next, url).href);
    // A failure of the page read ahead surfaces when it is awaited, not as an unhandled rejection.
    loading?.catch(() => undefined);
    for (const entity of page.value) if (entity !== undefined) rows++;
    await work();
  }
  return rows;
}

/**
 * @odata/client over the same pages. It does not follow `@odata.nextLink` by itself (its
 * `EntitySet.query()` gives a page's `value` and drops the link), so the loop is written with its
 * public API: `newRequest({ collection, params })`, which gives the page's JSON as its fetch proxy
 * parsed it, the next page asked for by the link's path and its query options (`$skiptoken`) as
 * `params.custom`, the link resolved as the bare loop resolves it.
 */
async function odataClientLoop(serviceUrl: string, set: string): Promise<number> {
  const client = OData.New4({ serviceEndpoint: serviceUrl });
  let rows = 0;
  let url = serviceUrl + set;
  let page = (await client.newRequest({ collection: set })) as V4Page;
  for (;;) {
    for (const entity of page.value) if (entity !== undefined) rows++;
    const next = page["@odata.nextLink"];
    if (next === undefined) return rows;
    const link = new URL(next, url);
    url = link.href;
    const params = client.newParam();
    for (const [name, value] of link.searchParams) params.custom(name, value);
    page = (await client.newRequest({ collection: link.pathname.slice(new URL(serviceUrl).pathname.length), params })) as V4Page;
  }
}

/**
 * o.js over the same pages. It does not follow `@odata.nextLink` either (`query()` gives the
 * page's `value` by default), so the loop is written with its API: one handler on the service root
 * with the `fragment` option naming no field of the page, so that `get(link).query()` gives the
 * whole page, link included; o.js resolves the link against the root.
 */
async function oJsLoop(serviceUrl: string, set: string): Promise<number> {
  const handler = o(serviceUrl, { fragment: "" });
  let rows = 0;
  let resource: string | undefined = set;
  while (resource !== undefined) {
    const page = (await handler.get(resource).query()) as V4Page;
    for (const entity of page.value) if (entity !== undefined) rows++;
    resource = page["@odata.nextLink"];
  }
  return rows;
}

/** The library, entity by entity; `work` runs after every `pageSize` entities. */
async function libraryEntities(client: ODataClient, set: string, readAhead: number | undefined, work?: PageWork, pageSize = 0): Promise<number> {
  const query = client.collection(set);
  const entities = readAhead === undefined ? query : query.stream({ readAhead });
  let rows = 0;
  for await (const entity of entities) {
    if (entity !== undefined) rows++;
    if (work && rows % pageSize === 0) await work();
  }
  if (work && rows % pageSize !== 0) await work();
  return rows;
}

/** The library, page by page (`pages()`, default read-ahead), touching every entity. */
async function libraryPages(client: ODataClient, set: string, work?: PageWork): Promise<number> {
  let rows = 0;
  for await (const page of client.collection(set).pages()) {
    for (const entity of page.value) if (entity !== undefined) rows++;
    if (work) await work();
  }
  return rows;
}

interface Variant {
  name: string;
  run: () => Promise<number>;
}

/** The other JS clients of issue 11's table, by name, with the loop that walks a set with each. */
const OTHER_CLIENTS: ReadonlyArray<readonly [name: string, loop: (serviceUrl: string, set: string) => Promise<number>]> = [
  ["@odata/client", odataClientLoop],
  ["o.js", oJsLoop],
];

/** The times of every run of every variant, by variant name: wall clock and this process's CPU. */
interface Samples {
  wall: Map<string, number[]>;
  cpu: Map<string, number[]>;
}

/**
 * One warm-up run of each variant, then `rounds` rounds in which every variant runs once, the
 * order rotating by one each round. Records the seconds of every run, wall clock and CPU time of
 * this process (user + system: the client's own work, which the machine's other load disturbs
 * less than the wall clock; the service runs in another process).
 */
async function interleave(variants: readonly Variant[], rounds: number, expectedRows: number): Promise<Samples> {
  const samples: Samples = { wall: new Map(), cpu: new Map() };
  const timeOne = async (variant: Variant, record: boolean): Promise<void> => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const rows = await variant.run();
    const wall = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    if (rows !== expectedRows) throw new Error(`${variant.name} read ${rows} rows, expected ${expectedRows}`);
    if (!record) return;
    (samples.wall.get(variant.name) ?? samples.wall.set(variant.name, []).get(variant.name))?.push(wall);
    (samples.cpu.get(variant.name) ?? samples.cpu.set(variant.name, []).get(variant.name))?.push((cpu.user + cpu.system) / 1e6);
  };
  for (const variant of variants) await timeOne(variant, false);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < variants.length; i++) await timeOne(variants[(i + round) % variants.length] as Variant, true);
  }
  return samples;
}

function medianOf(samples: Map<string, number[]>, name: string): number {
  const values = samples.get(name);
  if (!values || values.length === 0) throw new Error(`no samples of ${name}`);
  return median(values);
}

/**
 * How many times faster `name` ran than `baseline`: the median over rounds of the two's times in
 * the same round. Runs of one round are seconds apart, so a change in the machine's load between
 * rounds cancels out, which it does not in a ratio of medians.
 */
function pairedSpeedup(samples: Map<string, number[]>, baseline: string, name: string): number {
  return median(roundRatios(samples, baseline, name));
}

/** Per round: how many times faster `name` ran than `baseline` in that round. */
function roundRatios(samples: Map<string, number[]>, baseline: string, name: string): number[] {
  const base = samples.get(baseline) ?? [];
  const other = samples.get(name) ?? [];
  if (base.length === 0 || base.length !== other.length) throw new Error(`unpaired samples of ${baseline} and ${name}`);
  return base.map((seconds, round) => seconds / (other[round] as number));
}

/** The average size of a row in the static service's bodies, its separating comma included. */
function rowBytes(): number {
  let total = 0;
  let count = 0;
  for (let id = 0; id < SPEED_ROWS; id += 997, count++) total += rowJson(id).length + 1;
  return Math.round(total / count);
}

// --- 1. speed against the static service ------------------------------------------------------

async function measureSpeed(serviceUrl: string, prepare: (...sets: string[]) => Promise<void>): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const client = new ODataClient({ serviceUrl });
  for (const pageSize of SPEED_PAGE_SIZES) {
    const set = pagedSet(SPEED_ROWS, pageSize);
    await prepare(set);
    const variants: Variant[] = [
      { name: "bare", run: () => bareLoop(serviceUrl + set) },
      { name: "for await", run: () => libraryEntities(client, set, undefined) },
      { name: "readAhead 0", run: () => libraryEntities(client, set, 0) },
      { name: "pages()", run: () => libraryPages(client, set) },
    ];
    // The other JS clients, at the page size only (each round takes as long again).
    if (pageSize === 1000) variants.push(...OTHER_CLIENTS.map(([name, loop]) => ({ name, run: () => loop(serviceUrl, set) })));
    const samples = await interleave(variants, SPEED_ROUNDS, SPEED_ROWS);
    const rate = (name: string): number => SPEED_ROWS / medianOf(samples.wall, name);
    const versus = (name: string, baseline = "bare"): number => pairedSpeedup(samples.wall, baseline, name);
    const cpuVersus = (name: string): number => pairedSpeedup(samples.cpu, "bare", name);
    const cpuPerRow = (name: string): number => (medianOf(samples.cpu, name) / SPEED_ROWS) * 1e6;
    const tag = `[speed p${pageSize}]`;
    console.log(
      `  ${tag} bare ${fmt(rate("bare"))} rows/s; for await ${fmt(rate("for await"))} (${versus("for await").toFixed(2)}x, CPU ${cpuVersus("for await").toFixed(2)}x), readAhead 0 ${fmt(rate("readAhead 0"))}, pages() ${fmt(rate("pages()"))}`,
    );
    const how = `${SPEED_ROWS / 1000}k rows, median of ${SPEED_ROUNDS} interleaved`;
    const paired = "median of the rounds' ratios";
    if (pageSize === 1000) {
      const ratios = roundRatios(samples.wall, "bare", "for await");
      figures.push({
        name: `[issue 11] for await / bare loop, ${SPEED_ROWS / 1000}k rows in pages of ${pageSize}`,
        value: median(ratios),
        unit: "ratio",
        note: `speed, median of ${ratios.length} rounds' ratios, spread ${spread(ratios)}; target >= 0.95`,
      });
    }
    if (pageSize === 1000) {
      for (const [name] of OTHER_CLIENTS) {
        // Per round: the other client's time over for await's; above 1 means for await was faster.
        const ahead = roundRatios(samples.wall, name, "for await");
        const clear = quantile(ahead, 0.25) > 1;
        console.log(`  ${tag} ${name}: ${fmt(rate(name))} rows/s (${versus(name).toFixed(2)}x bare); for await ahead ${median(ahead).toFixed(2)}x, spread ${spread(ahead)}`);
        figures.push(
          { name: `${tag} ${name} (its API, next links followed by the bench's loop)`, value: rate(name), unit: "rows/s", note: how },
          { name: `[issue 11] ${name} / bare loop, ${SPEED_ROWS / 1000}k rows in pages of ${pageSize}`, value: versus(name), unit: "ratio", note: `speed, ${paired}, spread ${spread(roundRatios(samples.wall, "bare", name))}; it follows no @odata.nextLink by itself` },
          {
            name: `[issue 11] for await ahead of ${name}`,
            value: median(ahead),
            unit: "ratio",
            note: `its time / for await's, median of ${ahead.length} rounds, spread ${spread(ahead)}; ahead by more than the spread: ${clear ? "yes" : "no"} (lower quartile ${clear ? ">" : "<="} 1)`,
          },
        );
      }
    }
    figures.push(
      { name: `${tag} bare fetch+JSON.parse`, value: rate("bare"), unit: "rows/s", note: how },
      { name: `${tag} for await (readAhead 1)`, value: rate("for await"), unit: "rows/s", note: how },
      { name: `${tag} for await, readAhead 0`, value: rate("readAhead 0"), unit: "rows/s", note: how },
      { name: `${tag} pages()`, value: rate("pages()"), unit: "rows/s", note: how },
      { name: `${tag} for await vs bare`, value: versus("for await"), unit: "ratio", note: `speed, ${paired}; issue 11's target >= 0.95` },
      { name: `${tag} readAhead 0 vs bare`, value: versus("readAhead 0"), unit: "ratio", note: `speed, ${paired}` },
      { name: `${tag} readAhead 1 vs readAhead 0`, value: versus("for await", "readAhead 0"), unit: "ratio", note: `speed, ${paired}` },
      { name: `${tag} pages() vs bare`, value: versus("pages()"), unit: "ratio", note: `speed, ${paired}` },
      { name: `${tag} client CPU per row: bare`, value: cpuPerRow("bare"), unit: "µs", note: "process.cpuUsage, median" },
      { name: `${tag} client CPU per row: for await`, value: cpuPerRow("for await"), unit: "µs" },
      { name: `${tag} client CPU per row: pages()`, value: cpuPerRow("pages()"), unit: "µs" },
      { name: `${tag} for await vs bare, by CPU`, value: cpuVersus("for await"), unit: "ratio", note: `bare's CPU / for await's, ${paired}` },
    );
  }
  return figures;
}

// --- 2. read-ahead against a slow service -----------------------------------------------------

/** Blocks the thread for `ms`: work that really takes the CPU (and the event loop). */
function busyWork(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spinning on purpose
  }
}

async function measureReadAhead(serviceUrl: string, prepare: (...sets: string[]) => Promise<void>): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const client = new ODataClient({ serviceUrl });
  const rows = SLOW_PAGES * SLOW_PAGE_SIZE;
  const set = pagedSet(rows, SLOW_PAGE_SIZE, SLOW_DELAY_MS);
  await prepare(set);
  const works: Array<readonly [kind: string, work: PageWork]> = [
    ["timer", () => sleep(SLOW_DELAY_MS).then(() => undefined)],
    ["cpu", () => busyWork(SLOW_DELAY_MS)],
  ];
  for (const [kind, work] of works) {
    const variants: Variant[] = [
      { name: "bare", run: () => bareLoop(serviceUrl + set, work) },
      { name: "bare ahead", run: () => bareLoopAhead(serviceUrl + set, work) },
      { name: "for await", run: () => libraryEntities(client, set, undefined, work, SLOW_PAGE_SIZE) },
      { name: "pages()", run: () => libraryPages(client, set, work) },
      { name: "readAhead 0", run: () => libraryEntities(client, set, 0, work, SLOW_PAGE_SIZE) },
    ];
    const samples = await interleave(variants, SLOW_ROUNDS, rows);
    const time = (name: string): number => medianOf(samples.wall, name);
    const speedup = (name: string): number => pairedSpeedup(samples.wall, "bare", name);
    const tag = `[read-ahead, ${kind} work]`;
    console.log(
      `  ${tag} bare ${ms(time("bare"))}; for await ${ms(time("for await"))} (${speedup("for await").toFixed(2)}x), pages() ${ms(time("pages()"))}, bare one page ahead ${ms(time("bare ahead"))}, readAhead 0 ${ms(time("readAhead 0"))}`,
    );
    const how = `${SLOW_PAGES} pages of ${SLOW_PAGE_SIZE}, each answered after ${SLOW_DELAY_MS} ms, ${SLOW_DELAY_MS} ms of ${kind === "cpu" ? "busy loop" : "setTimeout"} per page`;
    figures.push(
      { name: `${tag} bare loop, sequential`, value: time("bare") * 1000, unit: "ms", note: `${how}; median of ${SLOW_ROUNDS}` },
      { name: `${tag} bare loop, one page ahead`, value: time("bare ahead") * 1000, unit: "ms", note: "hand-written prefetch: the best read-ahead 1 can do" },
      { name: `${tag} for await (readAhead 1)`, value: time("for await") * 1000, unit: "ms" },
      { name: `${tag} pages() (readAhead 1)`, value: time("pages()") * 1000, unit: "ms" },
      { name: `${tag} for await, readAhead 0`, value: time("readAhead 0") * 1000, unit: "ms" },
      { name: `${tag} bare / for await`, value: speedup("for await"), unit: "x faster", note: "median of the rounds' ratios; target >= 1.5" },
      { name: `${tag} bare / pages()`, value: speedup("pages()"), unit: "x faster" },
      { name: `${tag} bare / bare one page ahead`, value: speedup("bare ahead"), unit: "x faster", note: "the ceiling on this machine now" },
      { name: `${tag} bare / readAhead 0`, value: speedup("readAhead 0"), unit: "x faster" },
    );
  }
  // A caller that waits for every page: the next page is requested while this one is parsed, so a
  // page costs about the service's delay or the parse, whichever is longer, instead of both.
  for (const pageSize of [SLOW_PAGE_SIZE, 5 * SLOW_PAGE_SIZE]) {
    const waiting = pagedSet(SLOW_PAGES * pageSize, pageSize, SLOW_DELAY_MS);
    await prepare(waiting);
    const variants: Variant[] = [
      { name: "bare", run: () => bareLoop(serviceUrl + waiting) },
      { name: "for await", run: () => libraryEntities(client, waiting, undefined, undefined, pageSize) },
      { name: "pages()", run: () => libraryPages(client, waiting) },
      { name: "readAhead 0", run: () => libraryEntities(client, waiting, 0, undefined, pageSize) },
    ];
    const samples = await interleave(variants, SLOW_ROUNDS + 2, SLOW_PAGES * pageSize);
    const speedup = (name: string): number => pairedSpeedup(samples.wall, "bare", name);
    const tag = `[read-ahead, no work, pages of ${pageSize}]`;
    console.log(`  ${tag} bare / for await ${speedup("for await").toFixed(2)}, bare / pages() ${speedup("pages()").toFixed(2)}, bare / readAhead 0 ${speedup("readAhead 0").toFixed(2)}`);
    const how = `${SLOW_PAGES} pages each answered after ${SLOW_DELAY_MS} ms, nothing done with them; median of the rounds' ratios`;
    figures.push(
      {
        name: `[issue 11] for await / bare loop, each page answered after ${SLOW_DELAY_MS} ms, pages of ${pageSize}`,
        value: speedup("for await"),
        unit: "ratio",
        note: `speed, ${how}, spread ${spread(roundRatios(samples.wall, "bare", "for await"))}; the next page requested while one is parsed`,
      },
      { name: `${tag} bare / pages()`, value: speedup("pages()"), unit: "x faster" },
      { name: `${tag} bare / readAhead 0`, value: speedup("readAhead 0"), unit: "x faster", note: "no early request: one page at a time" },
    );
  }
  return figures;
}

// --- 3. memory, each walk in a child process ---------------------------------------------------

/**
 * Node's flags of the walking child. The young generation is pinned at 16 MB, so that peak RSS
 * does not depend on how far V8 has grown it by the time of the peak (which varies with the run's
 * length more than with what the walk holds).
 */
const WALK_NODE_FLAGS = ["--expose-gc", "--min-semi-space-size=16"];

/** How the walking child is started: plain node on a bundle, or node with the tsx loader. */
interface WalkRunner {
  /** Node's arguments before the task. */
  args: string[];
  /** Which of the two, for the figures' notes. */
  label: string;
  cleanup(): Promise<void>;
}

/**
 * Bundles bench/traversal-walk.ts with the library into one plain .mjs file, so that the child's
 * RSS holds the library and nothing else: the tsx loader alone adds some 30-40 MB (its own
 * module-loading thread and the transformed sources). esbuild comes with tsx; when it cannot be
 * loaded, the child runs with tsx and the figures say so.
 */
async function prepareWalkRunner(): Promise<WalkRunner> {
  const viaTsx: WalkRunner = { args: [...WALK_NODE_FLAGS, "--import", "tsx", WALK_FILE], label: "node --import tsx", cleanup: async () => {} };
  type Esbuild = { build(options: Record<string, unknown>): Promise<unknown> };
  let esbuild: Esbuild;
  try {
    const name = "esbuild"; // not a dependency of this project: tsx's, loaded only if present
    esbuild = (await import(name)) as Esbuild;
  } catch {
    return viaTsx;
  }
  const directory = await mkdtemp(join(tmpdir(), "traversal-bench-"));
  const outfile = join(directory, "traversal-walk.mjs");
  try {
    await esbuild.build({ entryPoints: [WALK_FILE], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "silent" });
  } catch (error) {
    console.log(`  (could not bundle the walking child, running it with tsx: ${(error as Error).message.split("\n")[0]})`);
    await rm(directory, { recursive: true, force: true });
    return viaTsx;
  }
  return { args: [...WALK_NODE_FLAGS, outfile], label: "plain node, bundled", cleanup: () => rm(directory, { recursive: true, force: true }) };
}

/** Runs the walking child for one task and resolves with the JSON it prints as its last line. */
async function runWalk(runner: WalkRunner, task: WalkTask): Promise<WalkFigures> {
  const child = spawn(process.execPath, [...runner.args, JSON.stringify(task)], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => (output += text));
  const [code] = (await once(child, "exit")) as [number | null];
  const last = output.trim().split("\n").pop() ?? "";
  if (code !== 0) throw new Error(`the walking child (${task.set}) exited with ${String(code)}: ${last}`);
  return JSON.parse(last) as WalkFigures;
}

async function measureMemory(serviceUrl: string, prepare: (...sets: string[]) => Promise<void>): Promise<BenchFigure[]> {
  const small = pagedSet(100_000, MEMORY_PAGE_SIZE);
  const large = pagedSet(1_000_000, MEMORY_PAGE_SIZE);
  const unpaged = unpagedSet(UNPAGED_ROWS);
  await prepare(small, large, unpaged);

  const runs = new Map<string, WalkFigures[]>([
    [small, []],
    [large, []],
    [unpaged, []],
  ]);
  const runner = await prepareWalkRunner();
  try {
    for (let run = 0; run < MEMORY_RUNS; run++) {
      for (const [set, rows] of [
        [small, 100_000],
        [large, 1_000_000],
      ] as const) {
        runs.get(set)?.push(await runWalk(runner, { serviceUrl, set, expectedRows: rows }));
      }
    }
    for (let run = 0; run < UNPAGED_RUNS; run++) {
      runs.get(unpaged)?.push(await runWalk(runner, { serviceUrl, set: unpaged, expectedRows: UNPAGED_ROWS }));
    }
  } finally {
    await runner.cleanup();
  }

  const stat = (set: string, pick: (walk: WalkFigures) => number): number => Math.round(median((runs.get(set) ?? []).map(pick)) * 10) / 10;
  const worst = (set: string, pick: (walk: WalkFigures) => number): number => Math.max(...(runs.get(set) ?? []).map(pick));
  const figures: BenchFigure[] = [];
  const how = `child process (${runner.label}), pages of ${MEMORY_PAGE_SIZE}, median of ${MEMORY_RUNS}`;
  for (const [label, set] of [
    ["100k", small],
    ["1M", large],
  ] as const) {
    figures.push(
      { name: `[memory ${label}] peak RSS`, value: stat(set, (w) => w.peakRssMb), unit: "MB", note: `${how}; RSS at start ${stat(set, (w) => w.startRssMb)} MB` },
      { name: `[memory ${label}] peak heap used`, value: stat(set, (w) => w.peakHeapMb), unit: "MB", note: `heap after gc at start ${stat(set, (w) => w.startHeapMb)} MB` },
      { name: `[memory ${label}] peak heapTotal / external`, value: `${stat(set, (w) => w.peakHeapTotalMb)} / ${stat(set, (w) => w.peakExternalMb)}`, unit: "MB", note: "reserved by V8 / outside its heap" },
      { name: `[memory ${label}] rows/s`, value: stat(set, (w) => w.rows / w.seconds), unit: "rows/s" },
    );
  }
  const rssRatio = stat(large, (w) => w.peakRssMb) / stat(small, (w) => w.peakRssMb);
  // The runs of both sizes alternate: run i of each makes a pair.
  const smallRuns = runs.get(small) ?? [];
  const rssRatios = (runs.get(large) ?? []).map((walk, run) => walk.peakRssMb / (smallRuns[run] as WalkFigures).peakRssMb);
  const growth = (set: string): number => stat(set, (w) => w.peakRssMb - w.startRssMb);
  figures.push(
    {
      name: "[issue 11] peak RSS, 1M rows / 100k rows",
      value: median(rssRatios),
      unit: "ratio",
      note: `pages of ${MEMORY_PAGE_SIZE}, ${WALK_NODE_FLAGS.join(" ")}, median of ${rssRatios.length} paired runs, spread ${spread(rssRatios)}; target <= 1.2`,
    },
    { name: "[memory] peak RSS 1M / 100k", value: rssRatio, unit: "ratio", note: "ratio of the medians" },
    { name: "[memory] peak heap 1M / 100k", value: stat(large, (w) => w.peakHeapMb) / stat(small, (w) => w.peakHeapMb), unit: "ratio" },
    { name: "[memory] RSS growth 100k / 1M", value: `${growth(small).toFixed(1)} / ${growth(large).toFixed(1)}`, unit: "MB", note: "peak minus start" },
    {
      name: "[memory unpaged 1M] peak RSS",
      value: stat(unpaged, (w) => w.peakRssMb),
      unit: "MB",
      note: `one streamed body, median of ${UNPAGED_RUNS} (worst ${worst(unpaged, (w) => w.peakRssMb)}); target < 150`,
    },
    { name: "[memory unpaged 1M] RSS at start", value: stat(unpaged, (w) => w.startRssMb), unit: "MB", note: "modules loaded, after gc" },
    { name: "[memory unpaged 1M] peak heap used", value: stat(unpaged, (w) => w.peakHeapMb), unit: "MB" },
    {
      name: "[memory unpaged 1M] peak heapTotal / external",
      value: `${stat(unpaged, (w) => w.peakHeapTotalMb)} / ${stat(unpaged, (w) => w.peakExternalMb)}`,
      unit: "MB",
      note: "reserved by V8 / outside its heap",
    },
    { name: "[memory unpaged 1M] rows/s", value: stat(unpaged, (w) => w.rows / w.seconds), unit: "rows/s" },
  );
  console.log(
    `  [memory] peak RSS 100k ${stat(small, (w) => w.peakRssMb)} MB, 1M ${stat(large, (w) => w.peakRssMb)} MB (${rssRatio.toFixed(2)}); unpaged 1M ${stat(unpaged, (w) => w.peakRssMb)} MB`,
  );
  return figures;
}

// --- 4. against SAP CAP ------------------------------------------------------------------------

async function measureCap(): Promise<BenchFigure[]> {
  const cap = await startCap();
  try {
    const client = new ODataClient({ serviceUrl: cap.v4 });
    const variants: Variant[] = [
      { name: "bare", run: () => bareLoop(`${cap.v4}Readings`) },
      { name: "for await", run: () => libraryEntities(client, "Readings", undefined) },
      { name: "readAhead 0", run: () => libraryEntities(client, "Readings", 0) },
    ];
    const samples = await interleave(variants, CAP_ROUNDS, CAP_ROWS);
    const rate = (name: string): number => CAP_ROWS / medianOf(samples.wall, name);
    const versus = (name: string): number => pairedSpeedup(samples.wall, "bare", name);
    const cpuPerRow = (name: string): number => (medianOf(samples.cpu, name) / CAP_ROWS) * 1e6;
    console.log(`  [CAP] bare ${fmt(rate("bare"))} rows/s; for await ${fmt(rate("for await"))} (${versus("for await").toFixed(2)}x), readAhead 0 ${fmt(rate("readAhead 0"))}`);
    const how = `Readings, ${CAP_ROWS / 1000}k rows paged by CAP at 1000, median of ${CAP_ROUNDS} interleaved`;
    return [
      { name: "[CAP] bare fetch+JSON.parse", value: rate("bare"), unit: "rows/s", note: how },
      { name: "[CAP] for await (readAhead 1)", value: rate("for await"), unit: "rows/s" },
      { name: "[CAP] for await, readAhead 0", value: rate("readAhead 0"), unit: "rows/s" },
      { name: "[CAP] for await vs bare", value: versus("for await"), unit: "ratio", note: "speed, median of the rounds' ratios; the server dominates" },
      { name: "[CAP] readAhead 0 vs bare", value: versus("readAhead 0"), unit: "ratio", note: "speed, median of the rounds' ratios" },
      { name: "[CAP] client CPU per row: bare / for await", value: `${cpuPerRow("bare").toFixed(2)} / ${cpuPerRow("for await").toFixed(2)}`, unit: "µs", note: "this process only (CAP runs in its own)" },
    ];
  } finally {
    await cap.stop();
  }
}

// --- output --------------------------------------------------------------------------------------

function fmt(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)} ms`;
}

/** The figures as aligned text, for running this file on its own. */
function formatFigures(figures: readonly BenchFigure[]): string {
  const cells = figures.map((figure) => [
    figure.name,
    typeof figure.value === "number" ? figure.value.toLocaleString("en-US", { maximumFractionDigits: figure.value >= 100 ? 0 : 2 }) : figure.value,
    figure.unit,
    figure.note ?? "",
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...cells.map((row) => (row[column] as string).length)));
  return cells
    .map((row) => [row[0]?.padEnd(widths[0] as number), row[1]?.padStart(widths[1] as number), row[2]?.padEnd(widths[2] as number), row[3]].join("  ").trimEnd())
    .join("\n");
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const started = performance.now();
  const asked = process.argv.slice(2);
  const unknown = asked.filter((part) => !(ALL_PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) throw new Error(`no traversal part named ${unknown.join(", ")}; parts: ${ALL_PARTS.join(", ")}`);
  const figures = await benchTraversal(asked.length > 0 ? (asked as TraversalPart[]) : ALL_PARTS);
  console.log(`\n${formatFigures(figures)}\n\ntraversal bench: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
