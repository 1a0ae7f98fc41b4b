// What the query types cost the compiler, as a budget: the program of `npm run bench -- types`
// (three sets of a 300-entity model that all reach each other through a central User, and the same
// calls on `Record<string, unknown>` entities) type-checked once each, its count of type
// instantiations held under a ceiling. The count depends on the program and the TypeScript version
// alone, not on the machine, so the test is deterministic; a change to src/query/types.ts (or to
// the builders that use it) that makes the compiler walk the model again shows here as thousands
// more. Measured with TypeScript 5.9: 18,392 typed and 14,318 untyped, where the types before this
// budget cost 51,943 and 18,376 (and most of the untyped count is the compiler comparing two
// FilterBuilder and two ExpandQuery instances member by member, once per program).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { typeCheck, typeModelProgram, typeModelSource } from "../bench/type-model.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET = { typed: 20_000, untyped: 15_500 };

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
