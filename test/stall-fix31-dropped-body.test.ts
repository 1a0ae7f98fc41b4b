// A body nobody reads any more, without an abort, holds no process open: the stall watch's timer
// is unref'd where the runtime can (Node, Bun). Before, a media stream dropped after its first
// chunk kept its timer until it fired, and the process with it, for up to `timeout` ms (here 30 s)
// after the connection was gone. A request that waits for its answer is still held open by its
// connection, and its timeout still ends it.
// Each case runs in a child process, which must exit by itself; the server runs here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type TestContextLike } from "./servers/recording-server.js";

const LIMIT = { timeout: 30_000 };

const CHILD = `
import { ODataClient } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
const [serviceUrl, scenario] = process.argv.slice(2);
if (scenario === "dropped") {
  const client = new ODataClient({ serviceUrl, timeout: 30000 });
  const { body } = await client.collection("Photos").key(1).media().stream();
  const reader = body.getReader();
  console.log("read " + (await reader.read()).value.byteLength);
  reader.releaseLock();
  console.log("dropped");
} else {
  const client = new ODataClient({ serviceUrl, timeout: 800, retry: false });
  const started = Date.now();
  try {
    await client.collection("Items").list();
    console.log("answered");
  } catch (error) {
    console.log(error.code + " after " + (Date.now() - started >= 700 ? "the timeout" : "less"));
  }
  console.log("dropped");
}
`;

async function runChild(t: TestContextLike, serviceUrl: string, scenario: string) {
  const directory = await mkdtemp(join(tmpdir(), "traverse-odata-dropped-body-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const script = join(directory, "child.mts");
  await writeFile(script, CHILD);
  const child = spawn(process.execPath, ["--import", "tsx", script, serviceUrl, scenario], { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let droppedAt: number | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (droppedAt === undefined && stdout.includes("dropped\n")) droppedAt = performance.now();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // Far short of the client's 30 s timeout.
  const killer = setTimeout(() => child.kill(), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);
  return { lines: stdout.trim().split("\n"), stderr, code, exitAfterDrop: droppedAt === undefined ? undefined : performance.now() - droppedAt };
}

test("a media stream dropped after its first chunk, its connection then gone, lets the process exit at once (timeout 30 s)", LIMIT, async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.write(Buffer.alloc(1000, 1));
    // The service goes away mid-body: the connection closes, nothing more arrives.
    setTimeout(() => res.destroy(), 300);
  });
  t.after(() => server.close());
  const run = await runChild(t, server.url("odata/"), "dropped");
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/Photos(1)/$value"]);
  assert.deepEqual(run.lines, ["read 1000", "dropped"], run.stderr);
  assert.ok(run.exitAfterDrop !== undefined && run.exitAfterDrop < 3_000, `the child exited ${run.exitAfterDrop?.toFixed(0)} ms after dropping the stream (killed after 10 s: ${run.code === null})`);
  assert.equal(run.code, 0, run.stderr);
});

test("a request whose answer never comes still ends with TIMEOUT at its timeout: its connection holds the process meanwhile", LIMIT, async (t) => {
  const server = await startServer(() => undefined);
  t.after(() => server.close());
  const run = await runChild(t, server.url("odata/"), "stalled");
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/Items"]);
  assert.deepEqual(run.lines, ["TIMEOUT after the timeout", "dropped"], run.stderr);
  assert.equal(run.code, 0, run.stderr);
});
