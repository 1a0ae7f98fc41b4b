/**
 * `npm run bench -- bundle`: what a read-only program loads at start, through `ODataClient`
 * (test/bundle/read-only.ts) and through `ODataReader` of traverse-odata/read
 * (test/bundle/read-entry.ts), the two programs whose budgets test/treeshake.test.ts holds, against
 * the walk put together from the library's own modules without a client (test/bundle/walk-modules.ts).
 * The differences are what each client's synchronous surface costs; the last figures are the floor
 * of any entry point that walks with today's modules. Sizes are exact for a given esbuild version,
 * so one round is enough.
 */
import type { BenchFigure } from "./main.js";
import { measureScenario, SCENARIOS, WALK_MODULES, type ScenarioSize } from "../test/bundle-size.js";

/** The scenario of test/bundle-size.ts that bundles `file`. */
function scenarioOf(file: string) {
  const scenario = SCENARIOS.find((candidate) => candidate.file === file);
  if (scenario === undefined) throw new Error(`test/bundle-size.ts has no scenario for ${file}`);
  return scenario;
}

export async function benchBundle(): Promise<BenchFigure[]> {
  const client = await measureScenario(scenarioOf("read-only.ts"));
  const reader = await measureScenario(scenarioOf("read-entry.ts"));
  const walk = await measureScenario(WALK_MODULES);
  const figures = (label: string, size: ScenarioSize): BenchFigure[] => [
    { name: `${label}: at start, minified`, value: size.start.minified, unit: "bytes" },
    { name: `${label}: at start, gzipped`, value: size.start.gzipped, unit: "bytes", note: `${size.start.chunks.length} chunks, each gzipped on its own` },
    { name: `${label}: at start, gzipped as one file`, value: size.start.gzippedTogether, unit: "bytes", note: "the same chunks joined" },
  ];
  return [
    ...figures("read-only program (ODataClient)", client),
    ...figures("read-only program (ODataReader, traverse-odata/read)", reader),
    ...figures("the walk's own modules", walk),
    { name: "[issue 8] read-only program through ODataReader, at start, gzipped", value: reader.start.gzipped / 1000, unit: "kB", note: "the issue's aim: <= 15 kB" },
  ];
}
