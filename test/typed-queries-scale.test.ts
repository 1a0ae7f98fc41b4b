// The query types stay lazy on a big, densely linked model: 300 entity types that all reach each
// other through back-links to a central User (bench/type-model.ts). A small program using select,
// filter, lambdas and nested expand on three of its sets must type-check without a diagnostic
// (before per-call path checking, the union of every field path made this program run for minutes).
// How long it takes, against the same program on untyped entities, is `npm run bench -- types`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { typeCheck, typeModelProgram, typeModelSource } from "../bench/type-model.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

test("a program on three sets of a 300-type interlinked model type-checks, and a misuse in it is still reported", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "traverse-types-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "model.ts"), typeModelSource(300));
  writeFileSync(join(dir, "typed.ts"), typeModelProgram(true));
  // The same program with one wrong value: proves the model's types are really checked.
  writeFileSync(join(dir, "wrong.ts"), typeModelProgram(true).replace('f.gt("amount", 5)', 'f.gt("amount", "five")'));
  const entry = join(ROOT, "src", "index.ts");
  const typeRoots = join(ROOT, "node_modules", "@types");
  const good = await typeCheck(dir, "typed.ts", entry, typeRoots);
  assert.deepEqual(good.diagnostics, []);
  const wrong = await typeCheck(dir, "wrong.ts", entry, typeRoots);
  assert.equal(wrong.diagnostics.length, 1, wrong.diagnostics.join("\n"));
  assert.match(wrong.diagnostics[0] ?? "", /wrong\.ts: .*"five"/s);
});
