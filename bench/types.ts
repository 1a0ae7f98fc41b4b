/**
 * How long the query types take the compiler on a big, densely linked model: a small program on
 * three sets of a synthetic service of 300 entity types that all reach each other through a
 * central User (bench/type-model.ts), type-checked with the entity interfaces, against the same
 * program on `Record<string, unknown>` entities (no typing at all) as the baseline.
 *
 * Each round builds a fresh TypeScript program for either variant (their order rotating) and checks
 * the program's own files; the library is read for its types alone. Figures are medians over the
 * rounds with their spread, the ratio the median of the per-round ratios, and the compiler's count
 * of type instantiations (how much type work each program caused, which does not depend on the
 * machine). Figures only: test/typed-queries-scale.test.ts checks that the program compiles.
 *
 * Run as the `types` section: `npm run bench -- types`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchFigure } from "./main.js";
import { typeCheck, typeModelProgram, typeModelSource } from "./type-model.js";
import { median } from "./stats.js";

const ROUNDS = 5;
const ENTITY_TYPES = 300;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Writes the model and both programs into a temporary directory and times their type checks.
 * @example
 * const figures = await benchTypes();
 */
export async function benchTypes(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), "traverse-bench-types-"));
  try {
    writeFileSync(join(dir, "model.ts"), typeModelSource(ENTITY_TYPES));
    writeFileSync(join(dir, "typed.ts"), typeModelProgram(true));
    writeFileSync(join(dir, "loose.ts"), typeModelProgram(false));
    const entry = join(ROOT, "src", "index.ts");
    const typeRoots = join(ROOT, "node_modules", "@types");
    const run = (file: string) => typeCheck(dir, file, entry, typeRoots);
    await run("loose.ts"); // warm-up: loads the compiler and reads the library once
    const times = { typed: [] as number[], loose: [] as number[] };
    const ratios: number[] = [];
    const instantiations = { typed: 0, loose: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (["typed", "loose"] as const) : (["loose", "typed"] as const);
      const ms = { typed: 0, loose: 0 };
      for (const variant of order) {
        const result = await run(`${variant}.ts`);
        if (result.diagnostics.length > 0) throw new Error(`the ${variant} program does not compile:\n${result.diagnostics.join("\n")}`);
        ms[variant] = result.ms;
        instantiations[variant] = result.instantiations;
        times[variant].push(result.ms);
      }
      ratios.push(ms.typed / ms.loose);
    }
    const spread = (values: number[]) => `${Math.round(Math.min(...values))}-${Math.round(Math.max(...values))} ms`;
    return [
      { name: "typed program median", value: Math.round(median(times.typed)), unit: "ms", note: `${ENTITY_TYPES} entity types; ${ROUNDS} rounds, spread ${spread(times.typed)}` },
      { name: "untyped program median", value: Math.round(median(times.loose)), unit: "ms", note: `Record<string, unknown>; spread ${spread(times.loose)}` },
      { name: "typed / untyped", value: Math.round(median(ratios) * 100) / 100, unit: "ratio", note: "median of the per-round ratios" },
      { name: "type instantiations, typed", value: instantiations.typed, unit: "", note: `untyped: ${instantiations.loose}` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
