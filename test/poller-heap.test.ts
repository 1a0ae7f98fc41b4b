/**
 * What a waiting poller holds (issue 11: 10,000 pollers waiting at once). Measured in a child
 * process with `--expose-gc`, the library bundled for plain node as a program built for production
 * holds it (under tsx every function made at run time carries a name property of its own, which
 * no build has): the heap after garbage collection, per poller, while every poller sleeps until its
 * next poll, next to the same process before the pollers were made.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Pollers measured at once; enough that what the process holds anyway is a few bytes each. */
const POLLERS = 2_000;

/**
 * The child: pollers of one client, each polled once (so that its polling is loaded and has sent
 * a request) and then waiting with one shared signal, its next poll an hour away. It prints the
 * heap per poller, then aborts the waits and prints how each ended.
 */
const CHILD = `
import { ODataClient } from "./src/index.ts";
const [monitorUrl, countText] = process.argv.slice(2);
const count = Number(countText);
const HOUR = 3_600_000;
const turn = () => new Promise((resolve) => setTimeout(resolve, 20));
// A turn between the collections: fetch lets go of a request's signal in a FinalizationRegistry
// callback, which runs only then.
const heap = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await turn();
  }
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
const client = new ODataClient({ serviceUrl: new URL("/svc/", monitorUrl).href });
async function waitAll(pollers, signal) {
  for (const poller of pollers) await poller.poll();
  return pollers.map((poller) => poller.wait(signal));
}
// The same work once before the measurement, so that the code it runs is loaded and compiled.
{
  const warm = new AbortController();
  const waits = await waitAll(Array.from({ length: 1_000 }, () => client.asyncPoller(monitorUrl, { pollInterval: HOUR })), warm.signal);
  warm.abort();
  await Promise.allSettled(waits);
}
const before = await heap();
let pollers = Array.from({ length: count }, () => client.asyncPoller(monitorUrl, { pollInterval: HOUR }));
const shutdown = new AbortController();
const waits = await waitAll(pollers, shutdown.signal);
pollers = undefined;
const waiting = await heap();
shutdown.abort();
const ends = await Promise.allSettled(waits);
const endings = {};
for (const end of ends) {
  const what = end.status === "rejected" ? "rejected " + end.reason?.name : "resolved";
  endings[what] = (endings[what] ?? 0) + 1;
}
console.log(JSON.stringify({ perPoller: (waiting - before) / count, endings }));
`;

test("a poller waiting for its next poll holds under 2 KB of heap (3.6 KB before issue 11)", { timeout: 120_000 }, async (t) => {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} accept=${request.headers.accept}`);
    request.resume();
    const body = JSON.stringify({ status: "Running", percentComplete: 12 });
    response.writeHead(202, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const monitorUrl = `http://127.0.0.1:${port}/svc/$monitor/job-1`;

  const directory = await mkdtemp(join(tmpdir(), "poller-heap-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const bundled = await build({
    stdin: { contents: CHILD, resolveDir: ROOT, sourcefile: "poller-heap-child.ts", loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  const file = join(directory, "child.mjs");
  await writeFile(file, bundled.outputFiles[0]!.text);

  const child = spawn(process.execPath, ["--expose-gc", file, monitorUrl, String(POLLERS)], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  assert.equal(code, 0, output);
  const { perPoller, endings } = JSON.parse(output.trim().split("\n").at(-1) as string) as { perPoller: number; endings: Record<string, number> };

  // On the wire: one GET of the monitor per poller (the warm-up's 1,000 and the measured ones), and
  // no poll of a waiting poller (its next one is an hour away).
  assert.equal(requests.length, 1_000 + POLLERS);
  assert.deepEqual(new Set(requests), new Set(["GET /svc/$monitor/job-1 accept=application/json"]));
  // What came back: every wait ended with the abort, none before it.
  assert.deepEqual(endings, { "rejected AbortError": POLLERS });
  assert.ok(perPoller < 2_000, `a waiting poller holds ${Math.round(perPoller)} bytes of heap`);
  t.diagnostic(`heap per waiting poller: ${Math.round(perPoller)} bytes`);
});
