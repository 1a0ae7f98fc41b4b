// What a program that uses the library bundles to (test/bundle-size.ts bundles the programs of
// test/bundle/ with esbuild, code splitting on): the budget of what a read-only program loads at
// start, the modules that must stay out of that start (each loads with import() when its feature
// is first used), and the README's table of the figures. esbuild's output is the same for the same
// sources and the same esbuild version, so the sizes are exact; a change of esbuild may move them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { kilobytes, measureScenario, SCENARIOS, sizeTable, WALK_MODULES, type ScenarioSize } from "./bundle-size.js";

/**
 * What a read-only program (test/bundle/read-only.ts) may load at start, gzipped (each chunk on its
 * own, summed), in bytes. It is what the client's synchronous surface and the walk itself cost (see
 * the README's "Bundle size"); a change that adds to it has to raise this number in review. Raised
 * from 37,300 for a signal of its own for every page of a walk (58 bytes), and for one listener on a
 * caller's signal however many requests wait on it (util/abort-waiters.ts at start, 110 bytes).
 */
const READ_ONLY_START_BUDGET = 37_500;

/** Modules that a program which only reads must not load at start, by the feature that needs them. */
const NOT_AT_START: Record<string, readonly string[]> = {
  "$batch (sending, the wire forms, reading the answer)": [
    "batch/send.ts",
    "batch/plan.ts",
    "batch/wire.ts",
    "batch/results.ts",
    "batch/decoders.ts",
    "payload/multipart.ts",
    "payload/json-batch.ts",
    "payload/http-envelope.ts",
  ],
  "$metadata (EDMX, CSDL JSON)": ["metadata/edmx.ts", "metadata/csdl-json.ts", "metadata/read.ts", "metadata/cache.ts", "metadata/parse.ts"],
  delta: ["read/delta.ts"],
  "long-running operations (the initial answer, polling, monitor answers)": ["lro/start.ts", "lro/polling.ts", "lro/monitor-answer.ts"],
  writes: ["resources/writes.ts", "write/requests.ts", "write/send.ts", "write/media-transfer.ts"],
  "operation calls": ["operations/call.ts"],
  "single reads (get, countAll) and entity answers": ["read/entity.ts", "payload/entity-answer.ts"],
  "Atom and XML": ["payload/atom.ts", "payload/xml.ts"],
  "the incremental scanner of bodies over 8 MiB": ["payload/collection-scanner.ts"],
  "the reading of error bodies": ["payload/error-body.ts"],
  "CSRF tokens and the wire log": ["http/csrf.ts", "http/wire-log.ts"],
  "OAuth2 client credentials (the token endpoint's client)": ["http/oauth2.ts", "util/shared-request.ts"],
  "partition planning": ["resources/partitions.ts"],
};

/** For each program with a feature beyond reading: modules its first use loads (and that are not loaded at start). */
const LOADED_WHEN_USED: Record<string, readonly string[]> = {
  "read-write.ts": ["resources/writes.ts", "write/requests.ts", "write/send.ts"],
  "read-batch.ts": ["batch/send.ts", "batch/plan.ts", "batch/wire.ts", "payload/multipart.ts"],
  "read-metadata.ts": ["metadata/cache.ts", "metadata/edmx.ts", "metadata/csdl-json.ts"],
  "read-lro.ts": ["lro/start.ts", "lro/polling.ts", "lro/monitor-answer.ts"],
};

const sizes = new Map<string, ScenarioSize>();
let walkModules: ScenarioSize;

before(async () => {
  for (const scenario of SCENARIOS) sizes.set(scenario.file, await measureScenario(scenario));
  walkModules = await measureScenario(WALK_MODULES);
});

function size(file: string): ScenarioSize {
  const found = sizes.get(file);
  assert.ok(found, `no measurement of test/bundle/${file}`);
  return found;
}

describe("bundle size (esbuild, code splitting, minified, gzipped)", () => {
  test("the table of every program", (t) => {
    const table = sizeTable(SCENARIOS.map((scenario) => size(scenario.file)));
    t.diagnostic(`\n${table}`);
    assert.equal(table.split("\n").length, SCENARIOS.length + 2);
  });

  test(`a read-only program loads at most ${READ_ONLY_START_BUDGET} bytes gzipped at start`, () => {
    const { start } = size("read-only.ts");
    assert.ok(
      start.gzipped <= READ_ONLY_START_BUDGET,
      `the read-only program loads ${start.gzipped} bytes gzipped at start (${start.minified} minified, ${start.chunks.length} chunks), over the budget of ${READ_ONLY_START_BUDGET}`,
    );
  });

  test("a read-only program loads none of the optional features at start", () => {
    const { start } = size("read-only.ts");
    const found = Object.entries(NOT_AT_START).flatMap(([feature, modules]) =>
      modules.filter((module) => start.sources.has(module)).map((module) => `src/${module} (${feature})`),
    );
    assert.deepEqual(found, [], `loaded at start by a program that only reads:\n  ${found.join("\n  ")}`);
  });

  test("the walk itself is in the start chunks, not loaded on the first page", () => {
    const { start } = size("read-only.ts");
    for (const module of ["read/traversal.ts", "payload/collection-body.ts", "query/filter.ts", "resources/query.ts", "http/steps.ts"]) {
      assert.ok(start.sources.has(module), `src/${module} is not in the start chunks`);
    }
  });

  for (const [file, modules] of Object.entries(LOADED_WHEN_USED)) {
    test(`${file}: its feature's code loads when first used, not at start`, () => {
      const { start, used } = size(file);
      for (const module of modules) {
        assert.ok(!start.sources.has(module), `src/${module} is loaded at start`);
        assert.ok(used.sources.has(module), `src/${module} is not among what the feature loads when first used`);
      }
    });
  }

  test("a program that uses more features loads no more at start than a read-only one", () => {
    const readOnly = size("read-only.ts").start;
    for (const file of Object.keys(LOADED_WHEN_USED)) {
      const { start } = size(file);
      assert.deepEqual([...start.sources].sort(), [...readOnly.sources].sort(), `${file} loads other modules at start`);
    }
  });

  test("the README's Bundle size table is the one measured here", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("\n## Bundle size\n");
    assert.ok(start >= 0, 'the README has no section "Bundle size"');
    const end = readme.indexOf("\n## ", start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const table = sizeTable(SCENARIOS.map((scenario) => size(scenario.file)));
    assert.ok(section.includes(table), `the README's table differs from the measured one; the measured one (node --import tsx test/bundle-size.ts):\n${table}`);
    assert.ok(section.includes(`start to ${READ_ONLY_START_BUDGET / 1000} kB gzipped`), "the README names the budget this test holds");
  });

  test("the README's figures of the walk's own modules are the measured ones", () => {
    // Line breaks of the prose count as spaces.
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    const { start } = walkModules;
    const claim = `${kilobytes(start.gzipped)} gzipped at start in ${start.chunks.length} chunks, ${kilobytes(start.gzippedTogether)} as one file`;
    assert.ok(readme.includes(claim), `the README does not say: ${claim}`);
    assert.ok(start.gzipped < size("read-only.ts").start.gzipped, "the walk alone loads less than the read-only program");
  });
});
