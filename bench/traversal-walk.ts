/**
 * The child process of the traversal bench's memory part: walks one entity set with
 * `for await (const e of client.collection(set))` and prints its own memory figures as one line of
 * JSON. Started by bench/traversal.ts with `--expose-gc`, from a bundle run by plain `node` when it
 * can make one (so that the RSS is the library's and not a TypeScript loader's), else with tsx.
 *
 * `node --expose-gc --import tsx bench/traversal-walk.ts '{"serviceUrl":…,"set":…,"expectedRows":…}'`
 */
import { pathToFileURL } from "node:url";
import { ODataClient } from "../src/index.js";

/** What the child is asked to do. */
export interface WalkTask {
  serviceUrl: string;
  set: string;
  expectedRows: number;
}

/** What it reports; memory in MB. */
export interface WalkFigures {
  rows: number;
  seconds: number;
  /** RSS after the modules loaded and a full gc, before the walk. */
  startRssMb: number;
  peakRssMb: number;
  startHeapMb: number;
  peakHeapMb: number;
  /** The largest heap reserved by V8 (`heapTotal`) and outside it (`external`, array buffers included). */
  peakHeapTotalMb: number;
  peakExternalMb: number;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * Walks the set, sampling `process.memoryUsage()` every 1000 entities and every 2 ms.
 * (`process.resourceUsage().maxRSS` is no use here: Linux carries the parent's high-water mark
 * over the fork into the child, so under `npm run bench` it reads the bench process's own RSS.)
 */
export async function walkCollection(task: WalkTask): Promise<WalkFigures> {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  let peakHeapTotal = start.heapTotal;
  let peakExternal = start.external;
  const sample = (): void => {
    const now = process.memoryUsage();
    if (now.rss > peakRss) peakRss = now.rss;
    if (now.heapUsed > peakHeap) peakHeap = now.heapUsed;
    if (now.heapTotal > peakHeapTotal) peakHeapTotal = now.heapTotal;
    if (now.external > peakExternal) peakExternal = now.external;
  };
  const timer = setInterval(sample, 2);
  const client = new ODataClient({ serviceUrl: task.serviceUrl });
  const started = performance.now();
  let rows = 0;
  for await (const entity of client.collection(task.set)) {
    if (entity !== undefined) rows++;
    if (rows % 1000 === 0) sample();
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  sample();
  if (rows !== task.expectedRows) throw new Error(`read ${rows} rows of ${task.set}, expected ${task.expectedRows}`);
  return {
    rows,
    seconds,
    startRssMb: mb(start.rss),
    peakRssMb: mb(peakRss),
    startHeapMb: mb(start.heapUsed),
    peakHeapMb: mb(peakHeap),
    peakHeapTotalMb: mb(peakHeapTotal),
    peakExternalMb: mb(peakExternal),
  };
}

// Run as a script (directly with tsx, or as the bundle's entry).
if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const figures = await walkCollection(JSON.parse(process.argv[2] ?? "{}") as WalkTask);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}
