// `generate --declarations` writes index.js as an ES module. In a CommonJS project (its package.json
// says "type": "commonjs", or no "type") Node would read it as CommonJS and stop at its first
// `import`: generate writes a package.json with "type": "module" beside it there, and the output
// then runs under plain node (no loader), which this test does with the library built as the
// package ships it, against a node:http service. In a project that says "type": "module" it writes
// none; a package.json of the user's in the folder is left as it is, with a warning when it says
// CommonJS; switching to index.ts removes the one generate wrote; --check counts it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { buildCli, ROOT, tempDir } from "./cli-harness.js";
import { startServer } from "./servers/recording-server.js";

const fixture = join(ROOT, "test", "codegen", "v4.xml");
const show = (o: { code: number | null; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/** Runs `node <args>` in `cwd` without a TypeScript loader or the test runner's environment. */
function node(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env["NODE_OPTIONS"];
    delete env["NODE_TEST_CONTEXT"];
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A project folder with the package.json given. */
function project(packageJson: Record<string, unknown>): string {
  const folder = tempDir("traverse-cli-minor-generate-");
  writeFileSync(join(folder, "package.json"), JSON.stringify(packageJson));
  return folder;
}

const generate = (out: string, ...extra: string[]) => cliInProcess(["generate", fixture, "--out", out, "--name", "shop", "--declarations", ...extra]);

test('a "type": "commonjs" project: generate writes package.json {"type":"module"} beside index.js, and the factory runs under plain node', async (t) => {
  // The library as the package ships it (JavaScript in dist/), imported by its path.
  const library = join(dirname(dirname(await buildCli())), "index.js");
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" });
    res.end('{"value":[{"ID":7,"Title":"Seven"}]}');
  });
  t.after(() => server.close());
  const folder = project({ name: "app", type: "commonjs" });
  const written = await generate(join(folder, "gen"), "--import-from", library);
  assert.equal(written.code, 0, show(written));
  writeFileSync(
    join(folder, "main.mjs"),
    [
      `import { ODataClient } from ${JSON.stringify(library)};`,
      `import { shop } from "./gen/index.js";`,
      `const page = await shop(new ODataClient({ serviceUrl: process.argv[2] })).Books.select("ID", "Title").top(1).page();`,
      `console.log(JSON.stringify(page.value));`,
    ].join("\n"),
  );
  const ran = await node(["main.mjs", server.url("svc/")], folder);
  assert.equal(ran.code, 0, show(ran));
  assert.equal(ran.stdout, '[{"ID":7,"Title":"Seven"}]\n');
  assert.deepEqual(
    server.requests.map((r) => decodeURIComponent(r.path)),
    ["/svc/Books?$select=ID,Title&$top=1"],
  );
  assert.match(written.stderr, /generate: wrote .*gen\/index\.d\.ts, .*gen\/index\.js, .*gen\/package\.json from v4\.xml/);
  assert.deepEqual(readdirSync(join(folder, "gen")).sort(), ["index.d.ts", "index.js", "package.json"]);
  assert.equal((JSON.parse(readFileSync(join(folder, "gen", "package.json"), "utf8")) as { type?: string }).type, "module");

  // --check counts the package.json: up to date, then missing once removed.
  const checked = await generate(join(folder, "gen"), "--import-from", library, "--check");
  assert.equal(checked.code, 0, show(checked));
  rmSync(join(folder, "gen", "package.json"));
  const missing = await generate(join(folder, "gen"), "--import-from", library, "--check");
  assert.equal(missing.code, 1, show(missing));
  assert.match(missing.stderr, /gen\/package\.json is missing/);
});

test('a project without "type" is CommonJS too; switching to index.ts removes the package.json generate wrote', async () => {
  const folder = project({ name: "app" });
  const out = join(folder, "src", "gen");
  assert.equal((await generate(out)).code, 0);
  assert.deepEqual(readdirSync(out).sort(), ["index.d.ts", "index.js", "package.json"]);
  const switched = await cliInProcess(["generate", fixture, "--out", out, "--name", "shop"]);
  assert.equal(switched.code, 0, show(switched));
  assert.match(switched.stderr, /removed .*index\.d\.ts, .*index\.js, .*package\.json of the other form/);
  assert.deepEqual(readdirSync(out), ["index.ts"]);
});

test('a "type": "module" project gets no package.json; one of the user\'s in the folder is kept, with a warning when it says CommonJS', async () => {
  const esm = project({ name: "app", type: "module" });
  const written = await generate(join(esm, "gen"));
  assert.equal(written.code, 0, show(written));
  assert.deepEqual(readdirSync(join(esm, "gen")).sort(), ["index.d.ts", "index.js"]);

  const cjs = project({ name: "app", type: "commonjs" });
  const own = `${JSON.stringify({ name: "generated-client", private: true })}\n`;
  mkdirSync(join(cjs, "gen"));
  writeFileSync(join(cjs, "gen", "package.json"), own);
  const kept = await generate(join(cjs, "gen"));
  assert.equal(kept.code, 0, show(kept));
  assert.equal(readFileSync(join(cjs, "gen", "package.json"), "utf8"), own);
  assert.match(kept.stderr, /^warning: .*gen\/package\.json does not say "type": "module", so Node reads index\.js as CommonJS, which it is not: add "type": "module" to it\n/);
  // Switching forms leaves the user's own package.json where it is.
  assert.equal((await cliInProcess(["generate", fixture, "--out", join(cjs, "gen"), "--name", "shop"])).code, 0);
  assert.deepEqual(readdirSync(join(cjs, "gen")).sort(), ["index.ts", "package.json"]);
});
