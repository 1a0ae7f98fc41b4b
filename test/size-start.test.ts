// What stays out of the delta's chunk, checked on the bundle esbuild makes of
// test/bundle/read-entry.ts (as test/bundle-size.ts builds it): a delta read loads the reading of
// error bodies with its first failure, as the walk and the single reads do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bundleProgram, sourcePath } from "./bundle-size.js";

test("a delta read loads the reading of error bodies with its first failure, not with its own chunk", async () => {
  const { outputs } = await bundleProgram("read-entry.ts");
  const delta = [...outputs].find(([, output]) => output.entryPoint !== undefined && sourcePath(output.entryPoint) === "read/delta.ts");
  assert.ok(delta, "read/delta.ts is a chunk of its own, loaded by import()");
  // The chunks the delta's imports statically, transitively, its own among them.
  const seen = new Set<string>();
  for (let queue = [delta[0]], next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    for (const imported of outputs.get(next)?.imports ?? []) if (imported.kind === "import-statement") queue.push(imported.path.replace(/^.*bundle-size-out\//, ""));
  }
  const loaded = [...seen].flatMap((chunk) => Object.entries(outputs.get(chunk)?.inputs ?? {}).filter(([, use]) => use.bytesInOutput > 0).map(([input]) => sourcePath(input)));
  assert.ok(loaded.includes("read/delta.ts"));
  assert.ok(!loaded.includes("payload/error-body.ts"), "the delta's chunk imports payload/error-body.ts statically");
});
