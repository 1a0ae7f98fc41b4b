/**
 * The layers of `src/`, bottom to top, and the check that keeps them: a file may import only from
 * its own layer or the layers below it, and no files and no folders may form an import cycle (type
 * imports count: a cycle of types is still two modules that cannot be read one without the other).
 * The table is the README's "How the code is laid out" in data; `test/layers.test.ts` runs the
 * check in `npm test`. Run it on any tree with `node --import tsx test/layers.ts [srcDir]`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

/** One layer: its name and the places it holds, as paths below `src/` (a folder ends in `/`). */
export interface Layer {
  readonly name: string;
  readonly places: readonly string[];
}

/** The layers, lowest first; a layer may import only from itself and the layers before it. */
export const LAYERS: readonly Layer[] = [
  { name: "util", places: ["util/"] },
  { name: "errors", places: ["errors.ts"] },
  { name: "http", places: ["http/"] },
  { name: "options", places: ["options.ts"] },
  { name: "core", places: ["core.ts"] },
  { name: "query", places: ["query/"] },
  { name: "payload", places: ["payload/"] },
  { name: "lro", places: ["lro/"] },
  { name: "read", places: ["read/"] },
  { name: "write", places: ["write/"] },
  { name: "operations", places: ["operations/"] },
  { name: "metadata", places: ["metadata/"] },
  { name: "resources", places: ["resources/"] },
  { name: "batch", places: ["batch/"] },
  { name: "client", places: ["reader.ts", "client.ts"] },
  { name: "entry points", places: ["index.ts", "read.ts"] },
  { name: "cli and codegen", places: ["cli/", "codegen/"] },
];

/** Where a file sits: its layer's rank (index in {@link LAYERS}) and its place, or `undefined`. */
export function placeOf(file: string): { rank: number; place: string } | undefined {
  for (const [rank, layer] of LAYERS.entries()) {
    for (const place of layer.places) {
      if (place.endsWith("/") ? file.startsWith(place) : file === place) return { rank, place };
    }
  }
  return undefined;
}

/** The relative module specifiers a source imports or re-exports, type-only ones and `import()` included. */
export function importsOf(source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((file) => file.fileName)
    .filter((name) => name.startsWith("./") || name.startsWith("../"));
}

/** The file a relative specifier names (`./x.js` is `x.ts`, as NodeNext resolves it), if there is one. */
function resolveImport(from: string, specifier: string, files: ReadonlyMap<string, string>): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [target.replace(/\.js$/, ".ts"), target, `${target}.ts`, `${target}/index.ts`];
  return candidates.find((candidate) => files.has(candidate));
}

/**
 * Checks a tree of sources (paths below `src/` with `/` separators, to their text) against
 * {@link LAYERS}. Returns one message per problem, empty when the tree keeps its layers: a file in
 * no layer, an import that names no file, an import of a higher layer (naming the file, the import
 * and both layers), and every cycle of files and of places (folders and root files).
 */
export function checkLayers(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const fileEdges = new Map<string, Set<string>>();
  const placeEdges = new Map<string, Set<string>>();
  for (const [file, source] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const own = placeOf(file);
    if (own === undefined) {
      problems.push(`src/${file} belongs to no layer: add its folder to the table in test/layers.ts (and to the README's "How the code is laid out")`);
      continue;
    }
    const edges = new Set<string>();
    fileEdges.set(file, edges);
    for (const specifier of importsOf(source)) {
      const target = resolveImport(file, specifier, files);
      if (target === undefined) {
        problems.push(`src/${file} imports ${JSON.stringify(specifier)}, which names no file in src/`);
        continue;
      }
      edges.add(target);
      const other = placeOf(target);
      if (other === undefined) continue; // reported as a file in no layer
      if (other.rank > own.rank) {
        problems.push(
          `src/${file} imports ${JSON.stringify(specifier)} (src/${target}): layer "${LAYERS[own.rank]!.name}" (${own.rank}) may not import layer "${LAYERS[other.rank]!.name}" (${other.rank}), which is above it`,
        );
      }
      if (other.place !== own.place) {
        const placeSet = placeEdges.get(own.place) ?? new Set<string>();
        placeSet.add(other.place);
        placeEdges.set(own.place, placeSet);
      }
    }
  }
  for (const cycle of cyclesOf(fileEdges)) problems.push(`files form an import cycle: ${cycle.map((file) => `src/${file}`).join(" -> ")}`);
  for (const cycle of cyclesOf(placeEdges)) problems.push(`folders form an import cycle: ${cycle.map((place) => `src/${place}`).join(" -> ")}`);
  return problems;
}

/**
 * One cycle through each strongly connected component of the graph that has one (Tarjan's
 * algorithm), written as a path that ends where it starts.
 */
function cyclesOf(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
    } while (member !== node);
    if (component.size > 1 || edges.get(node)?.has(node)) cycles.push(cycleWithin(node, component, edges));
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** A shortest path from `start` back to itself inside one component (breadth first). */
function cycleWithin(start: string, component: ReadonlySet<string>, edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== start && at !== undefined; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Every `.ts` file below `srcDir`, by its path below it (with `/`), to its text. */
export function readSources(srcDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) files.set(relative(srcDir, path).split(sep).join("/"), readFileSync(path, "utf8"));
    }
  };
  walk(srcDir);
  return files;
}

/** The repository's own `src/`. */
export const SRC_DIR = resolve(fileURLToPath(new URL("../src", import.meta.url)));

// Run as a script: check the tree given (default: this repository's src/), print the problems.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const srcDir = resolve(process.argv[2] ?? SRC_DIR);
  const problems = checkLayers(readSources(srcDir));
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? `${srcDir}: every file keeps its layer` : `${srcDir}: ${problems.length} problems`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}
