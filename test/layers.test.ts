// The layers of src/ (test/layers.ts holds the table and the check): each file imports only from
// its own layer and those below it, no files and no folders form an import cycle, and every file
// belongs to a layer. The check is tested on small made-up trees too, so that a check that finds
// nothing is known to be able to find something.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import ts from "typescript";
import { checkLayers, LAYERS, readSources, SRC_DIR } from "./layers.js";

describe("src/ keeps its layers", () => {
  test("no file imports a layer above its own, no files or folders form a cycle, every file is in a layer", () => {
    const sources = readSources(SRC_DIR);
    assert.ok(sources.size > 50, `read only ${sources.size} files from ${SRC_DIR}`);
    assert.deepEqual(checkLayers(sources), []);
  });

  test("the README's \"How the code is laid out\" lists the layers of the table, one line each, in order", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("\n## How the code is laid out\n");
    assert.ok(start >= 0, 'the README has no section "How the code is laid out"');
    const section = readme.slice(start + 1, readme.indexOf("\n## ", start + 1) === -1 ? undefined : readme.indexOf("\n## ", start + 1));
    const listed = section
      .split("\n")
      .filter((line) => line.startsWith("- `src/"))
      .map((line) => [...(line.split(":")[0] ?? "").matchAll(/`src\/([^`]+)`/g)].map((match) => match[1]));
    assert.deepEqual(
      listed,
      LAYERS.map((layer) => [...layer.places]),
    );
  });
});

/** A tree of sources from `path: source` pairs. */
const tree = (files: Record<string, string>) => new Map(Object.entries(files));

describe("the check", () => {
  test("reports an import of a higher layer, naming the file, the import and both layers", () => {
    const problems = checkLayers(
      tree({
        "query/state.ts": 'import { readPage } from "../read/traversal.js";\n',
        "read/traversal.ts": "export const readPage = 1;\n",
      }),
    );
    assert.deepEqual(problems, [
      'src/query/state.ts imports "../read/traversal.js" (src/read/traversal.ts): layer "query" (5) may not import layer "read" (8), which is above it',
    ]);
  });

  test("counts type-only imports, re-exports and import() types like any import", () => {
    for (const source of [
      'import type { ClientCore } from "../core.js";\n',
      'export type { ClientCore } from "../core.js";\n',
      'export * from "../core.js";\n',
      'type Core = import("../core.js").ClientCore;\n',
    ]) {
      const problems = checkLayers(tree({ "http/steps.ts": source, "core.ts": "export class ClientCore {}\n" }));
      assert.equal(problems.length, 1, source);
      assert.match(problems[0]!, /^src\/http\/steps\.ts imports "\.\.\/core\.js" .*layer "http" \(2\) may not import layer "core" \(4\)/);
    }
  });

  test("ignores imports in strings and comments, and packages", () => {
    const source = [
      'import { test } from "node:test";',
      'import ts from "typescript";',
      "// import { x } from \"../client.js\";",
      '/* export * from "../client.js" */',
      'const text = "import { y } from \'../client.js\'";',
      "",
    ].join("\n");
    assert.deepEqual(checkLayers(tree({ "util/a.ts": source, "client.ts": "" })), []);
  });

  test("names a cycle between files of one folder", () => {
    const problems = checkLayers(
      tree({
        "lro/poller.ts": 'import { TOKEN_VERSION } from "./token.js";\n',
        "lro/token.ts": 'import type { PollerStart } from "./poller.js";\n',
      }),
    );
    assert.deepEqual(problems, ["files form an import cycle: src/lro/poller.ts -> src/lro/token.ts -> src/lro/poller.ts"]);
  });

  test("names a cycle between folders of one layer, even without a cycle of files", () => {
    const problems = checkLayers(
      tree({
        "cli/main.ts": 'import { generate } from "../codegen/generate.js";\n',
        "codegen/generate.ts": 'import { parseArguments } from "../cli/arguments.js";\nexport const generate = 1;\n',
        "cli/arguments.ts": "export const parseArguments = 1;\n",
      }),
    );
    assert.deepEqual(problems, ["folders form an import cycle: src/cli/ -> src/codegen/ -> src/cli/"]);
  });

  test("reports a file that belongs to no layer, and an import that names no file", () => {
    const problems = checkLayers(
      tree({
        "helpers/misc.ts": "export const x = 1;\n",
        "util/a.ts": 'import { b } from "./b.js";\n',
      }),
    );
    assert.deepEqual(problems, [
      'src/helpers/misc.ts belongs to no layer: add its folder to the table in test/layers.ts (and to the README\'s "How the code is laid out")',
      'src/util/a.ts imports "./b.js", which names no file in src/',
    ]);
  });
});

/**
 * The names a source spells out: its string literals and the names of its object members, the
 * text of comments left out.
 */
function spelledNames(source: string): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) names.add(node.text);
    else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) names.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile("source.ts", source, ts.ScriptTarget.Latest, false));
  return names;
}

describe("each wire fact has one home in payload/", () => {
  // [what, its home, the spellings that may appear nowhere else, the ones the home must have]
  const facts: [string, string, readonly string[], readonly string[]][] = [
    [
      "the version headers",
      "payload/version-headers.ts",
      // "DataServiceVersion" as written is also an EDMX attribute (metadata/edmx.ts reads it).
      ["odata-version", "odata-maxversion", "dataserviceversion", "maxdataserviceversion", "OData-Version", "OData-MaxVersion", "MaxDataServiceVersion"],
      ["odata-version", "odata-maxversion", "dataserviceversion", "maxdataserviceversion"],
    ],
    [
      "the names of the collection annotations",
      "payload/annotations.ts",
      ["@odata.nextLink", "@nextLink", "odata.nextLink", "__next", "@odata.count", "@count", "odata.count", "__count", "@odata.deltaLink", "@deltaLink", "odata.deltaLink", "__delta"],
      ["@odata.nextLink", "@nextLink", "odata.nextLink", "__next", "@odata.count", "@count", "odata.count", "__count", "@odata.deltaLink", "@deltaLink", "odata.deltaLink", "__delta"],
    ],
  ];
  const spelled = new Map([...readSources(SRC_DIR)].map(([file, source]) => [file, spelledNames(source)]));
  for (const [what, home, names, atHome] of facts) {
    test(`${what} are spelled out in src/${home} only`, () => {
      const elsewhere: string[] = [];
      for (const [file, fileNames] of spelled) {
        // cli/ and codegen/ use the library; they are not where it keeps its wire knowledge (the
        // command line's --odata-version option is spelled like the header, and means the version).
        if (file === home || file.endsWith(".test.ts") || file.startsWith("cli/") || file.startsWith("codegen/")) continue;
        for (const name of fileNames) if (names.includes(name)) elsewhere.push(`src/${file}: ${JSON.stringify(name)}`);
      }
      assert.deepEqual(elsewhere, []);
      const homeNames = spelled.get(home) ?? new Set<string>();
      assert.deepEqual(atHome.filter((name) => !homeNames.has(name)), [], `src/${home} does not spell out every name`);
    });
  }
});
