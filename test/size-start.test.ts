// What stays out of the delta's chunk, checked on the bundle esbuild makes of
// test/bundle/read-entry.ts (as test/bundle-size.ts builds it): a delta read loads the reading of
// error bodies with its first failure, as the walk and the single reads do.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { relative, sep } from "node:path";
import { before, describe, test } from "node:test";
import { build, type Metafile } from "esbuild";

const BUNDLE = fileURLToPath(new URL("./bundle/read-entry.ts", import.meta.url));
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

interface Chunk {
  readonly text: string;
  readonly imports: readonly string[];
  /** The source files below src/ that put code into the chunk. */
  readonly sources: readonly string[];
  readonly entryPoint: string | undefined;
}

let chunks: Map<string, Chunk>;
let entry: string;

/** The chunks `roots` import statically, transitively, themselves included. */
function staticallyLoaded(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  for (let queue = [...roots], next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(chunks.get(next)?.imports ?? []));
  }
  return seen;
}

function sourcePath(input: string): string {
  return relative(SRC, fileURLToPath(new URL(input, `file://${process.cwd()}/`))).split(sep).join("/");
}

before(async () => {
  const result = await build({
    entryPoints: [BUNDLE],
    bundle: true,
    splitting: true,
    format: "esm",
    minify: true,
    target: "es2022",
    platform: "neutral",
    outdir: "/size-start-out",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const metafile: Metafile = result.metafile;
  const name = (path: string) => path.replace(/^.*size-start-out\//, "");
  const texts = new Map(result.outputFiles.map((file) => [name(file.path), file.text]));
  chunks = new Map(
    Object.entries(metafile.outputs).map(([path, output]) => [
      name(path),
      {
        text: texts.get(name(path)) ?? "",
        imports: output.imports.filter((imported) => imported.kind === "import-statement").map((imported) => name(imported.path)),
        sources: Object.entries(output.inputs)
          .filter(([, use]) => use.bytesInOutput > 0)
          .map(([input]) => sourcePath(input)),
        entryPoint: output.entryPoint,
      },
    ]),
  );
  const found = [...chunks].find(([, chunk]) => chunk.entryPoint?.endsWith("bundle/read-entry.ts"));
  assert.ok(found, "esbuild made an entry chunk for read-entry.ts");
  entry = found[0];
});

describe("a delta read", () => {
  test("loads the reading of error bodies with its first failure, not with its own chunk", () => {
    const delta = [...chunks].find(([, chunk]) => chunk.entryPoint !== undefined && sourcePath(chunk.entryPoint) === "read/delta.ts");
    assert.ok(delta, "read/delta.ts is a chunk of its own, loaded by import()");
    const loaded = [...staticallyLoaded([delta[0]])].flatMap((chunk) => chunks.get(chunk)?.sources ?? []);
    assert.ok(loaded.includes("read/delta.ts"));
    assert.ok(!loaded.includes("payload/error-body.ts"), "the delta's chunk imports payload/error-body.ts statically");
  });
});
