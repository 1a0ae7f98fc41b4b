/**
 * `npm run bench -- bundle`: what a read-only program loads at start (test/bundle/read-only.ts,
 * the program whose budget test/treeshake.test.ts holds) against the walk put together from the
 * library's own modules without `ODataClient` (test/bundle/walk-modules.ts). The difference is
 * what the client's synchronous surface costs; the second figure is the floor of any entry point
 * that walks with today's modules. Sizes are exact for a given esbuild version, so one round is
 * enough.
 */
import type { BenchFigure } from "./main.js";
import { measureScenario, WALK_MODULES, type ScenarioSize } from "../test/bundle-size.js";

export async function benchBundle(): Promise<BenchFigure[]> {
  const client = await measureScenario({ name: "read-only program", file: "read-only.ts", loads: [] });
  const walk = await measureScenario(WALK_MODULES);
  const figures = (label: string, size: ScenarioSize): BenchFigure[] => [
    { name: `${label}: at start, minified`, value: size.start.minified, unit: "bytes" },
    { name: `${label}: at start, gzipped`, value: size.start.gzipped, unit: "bytes", note: `${size.start.chunks.length} chunks, each gzipped on its own` },
    { name: `${label}: at start, gzipped as one file`, value: size.start.gzippedTogether, unit: "bytes", note: "the same chunks joined" },
  ];
  return [...figures("read-only program (ODataClient)", client), ...figures("the walk's own modules", walk)];
}
