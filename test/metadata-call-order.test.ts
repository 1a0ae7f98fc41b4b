/**
 * Calls of `metadata()` made at once reach the `$metadata` cache in the order they were made,
 * whatever the module loader does: which request a caller joins depends on those before it (the
 * rule on `MetadataCache`), so a caller with a timeout of its own made after one without shares
 * that one's request. Under a loader's hooks (tsx's, or any `module.register`), an `import()` per
 * call could resolve out of order: stop 37's fresh-clone CI saw the second call reach the cache
 * first and two `$metadata` requests go out (s33-call-timeout-metadata). Here a hook of the
 * child's holds back one resolve of the metadata module by 100 ms, as a busy loader thread would.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ITEMS_METADATA, startServer } from "./servers/recording-server.js";

/** Holds back the second resolve of the metadata module (the first is the warm-up's load). */
const HOOK = `
let resolves = 0;
export async function resolve(specifier, context, next) {
  if (specifier !== "./metadata/cache.js") return next(specifier, context);
  // Told, so that the test sees the hook meet the module it is about (a rename would pass it by).
  process.stderr.write("resolving ./metadata/cache.js\\n");
  if (resolves++ === 1) await new Promise((done) => setTimeout(done, 100));
  return next(specifier, context);
}
`;

const REGISTER = `
import { register } from "node:module";
register(new URL("./hook.mjs", import.meta.url));
`;

const CHILD = `
import { ODataClient } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
const serviceUrl = process.argv[2];
// The metadata module loaded by an earlier call, as the suite's warm-up or a program's first call
// would (this one to a port that refuses at once).
await new ODataClient({ serviceUrl: "http://127.0.0.1:1/svc/", retry: false }).metadata().catch(() => undefined);
const client = new ODataClient({ serviceUrl, retry: false });
const patient = client.metadata();
const hurried = client.metadata({ timeout: 5_000 });
const [first, second] = await Promise.all([patient, hurried]);
console.log("same model " + (first === second) + ", " + first.container().entitySets.map((set) => set.name).join(" "));
`;

test("metadata() calls made at once share one request in the order they were made, when a loader's hook holds back one module resolve", async (t) => {
  // Answered late, so that both calls are waiting when the first request is in flight.
  const server = await startServer((_request, res) => {
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(ITEMS_METADATA);
    }, 300);
  });
  t.after(() => server.close());
  const directory = await mkdtemp(join(tmpdir(), "traverse-odata-call-order-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  await writeFile(join(directory, "hook.mjs"), HOOK);
  await writeFile(join(directory, "register.mjs"), REGISTER);
  await writeFile(join(directory, "child.mts"), CHILD);
  const child = spawn(process.execPath, ["--import", "tsx", "--import", join(directory, "register.mjs"), join(directory, "child.mts"), server.url("svc/")], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill(), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);
  assert.equal(code, 0, stderr);
  // The hook met the metadata module: once with one load for every call (twice where each call
  // loaded it, the second held back).
  assert.deepEqual(stderr.match(/^resolving \.\/metadata\/cache\.js$/gm), ["resolving ./metadata/cache.js"], stderr);
  assert.equal(stdout.trim(), "same model true, Items");
  // One request: the call with a timeout joined the one made before it.
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["GET /svc/$metadata"]);
});
