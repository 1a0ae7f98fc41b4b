// What the query types cost the compiler, as a budget: the program of `npm run bench -- types`
// (three sets of a 300-entity model that all reach each other through a central User, and the same
// calls on `Record<string, unknown>` entities) type-checked once each, its count of type
// instantiations held under a ceiling. The count depends on the program and the TypeScript version
// alone, not on the machine, so the test is deterministic; a change to src/query/types.ts (or to
// the builders that use it) that makes the compiler walk the model again shows here as thousands
// more. Measured with TypeScript 5.9: 11,793 typed and 7,719 untyped, where the types before this
// budget cost 51,943 and 18,376, and 18,392 and 14,318 before FilterBuilder and ExpandQuery wrote
// out the variance of their type parameters: the compiler measured it once per program by
// comparing two builders member by member, 11,200 instantiations; T of each is still measured
// (about 3,700, FilterBuilder's most), and ExpandQuery's Root (about 800).
// expand()'s `nav/$count` and `nav/$ref` row types (edf806d) took 37 more of each: 12,375 and
// 8,134, over the untyped 8,100, raised to 8,200.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { typeCheck, typeModelProgram, typeModelSource } from "../bench/type-model.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET = { typed: 12_400, untyped: 8_200 };

test(`the bench's typed and untyped programs stay within ${BUDGET.typed} and ${BUDGET.untyped} type instantiations`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "traverse-type-cost-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "model.ts"), typeModelSource(300));
  writeFileSync(join(dir, "typed.ts"), typeModelProgram(true));
  writeFileSync(join(dir, "untyped.ts"), typeModelProgram(false));
  const check = (file: string) => typeCheck(dir, file, join(ROOT, "src", "index.ts"), join(ROOT, "node_modules", "@types"));
  const typed = await check("typed.ts");
  const untyped = await check("untyped.ts");
  assert.deepEqual([...typed.diagnostics, ...untyped.diagnostics], []);
  const counts = { typed: typed.instantiations, untyped: untyped.instantiations };
  t.diagnostic(`TypeScript ${ts.version}: ${counts.typed} typed, ${counts.untyped} untyped`);
  assert.ok(counts.typed <= BUDGET.typed, `the typed program took ${counts.typed} instantiations (budget ${BUDGET.typed})`);
  assert.ok(counts.untyped <= BUDGET.untyped, `the untyped program took ${counts.untyped} instantiations (budget ${BUDGET.untyped})`);
});
