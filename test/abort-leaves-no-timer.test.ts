// After an abort, a body that nobody reads any more leaves no timer behind (README "The client": an
// abort leaves nothing running). The stall watch of a body arms its timer at the first read; a
// caller that aborts and then drops what it held (a media stream with a chunk still queued, a walk
// whose reading waits for read-ahead room) reads no further, and the timer used to stay until it
// fired, keeping the process alive for up to `timeout` ms (here 30 s).
// Each case runs in a child process (other tests' timers would blur a count here): it aborts,
// counts its "Timeout" resources 100 ms later and then has nothing left to do, so it must exit at
// once. The server runs here and records what reached it.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, waitFor, type RecordedRequest, type TestContextLike } from "./servers/recording-server.js";

const LIMIT = { timeout: 30_000 };

/** The client's `timeout` in the child: far beyond how soon the child must exit. */
const TIMEOUT = 30_000;

/** One page of this many entities, read in pieces by the walk (about 15 MB). */
const ENTITIES = 120_000;

const CHILD = `
import { ODataClient } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
import { ODataReader } from ${JSON.stringify(new URL("../src/read.ts", import.meta.url).href)};
const [serviceUrl, scenario] = process.argv.slice(2);
// Every timer the library set (through the global setTimeout, from a file of its src/) and that
// neither fired nor was cleared: the stall watch's are unref'd (they hold no process open), which
// Node's list of active resources leaves out.
const live = new Set();
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const LIBRARY = ${JSON.stringify(fileURLToPath(new URL("../src/", import.meta.url)))};
globalThis.setTimeout = (callback, ms, ...rest) => {
  const timer = realSetTimeout((...given) => (live.delete(timer), callback(...given)), ms, ...rest);
  if ((new Error().stack ?? "").split("\\n").slice(2).some((line) => line.includes(LIBRARY))) live.add(timer);
  return timer;
};
globalThis.clearTimeout = (timer) => (live.delete(timer), realClearTimeout(timer));
const sleep = (ms) => new Promise((resolve) => realSetTimeout(resolve, ms));
const timers = () => live.size;
const controller = new AbortController();
const Client = scenario === "reader walk" ? ODataReader : ODataClient;
const client = new Client({ serviceUrl, timeout: ${TIMEOUT} });
if (scenario === "media stream") {
  const { body } = await client.collection("Photos").key(1).media().stream({ signal: controller.signal });
  const first = await body.getReader().read();
  console.log("read " + first.value.byteLength);
  await sleep(200); // the second chunk is pulled into the stream's queue meanwhile
} else {
  const entities = client.collection("Items").stream({ signal: controller.signal, readAhead: 1 })[Symbol.asyncIterator]();
  let read = 0;
  for (let i = 0; i < 3; i++) read += (await entities.next()).done ? 0 : 1;
  console.log("read " + read);
  await sleep(300); // the walk fills its read-ahead and waits for room
}
console.log("timers before the abort " + timers());
controller.abort(new Error("the caller gave up"));
console.log("aborted");
await sleep(100);
console.log("timers after the abort " + timers());
`;

interface Run {
  stdout: string[];
  stderr: string;
  code: number | null;
  /** ms from the child's "aborted" line to its exit, if it printed that line. */
  exitAfterAbort: number | undefined;
}

async function runChild(script: string, serviceUrl: string, scenario: string): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", script, serviceUrl, scenario], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let abortedAt: number | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (abortedAt === undefined && stdout.includes("aborted\n")) abortedAt = performance.now();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // Beyond the second the child may take, and far short of the client's timeout.
  const killer = setTimeout(() => child.kill(), 8_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);
  return { stdout: stdout.trim().split("\n"), stderr, code, exitAfterAbort: abortedAt === undefined ? undefined : performance.now() - abortedAt };
}

async function abandoningService(t: TestContextLike) {
  const closed: Array<{ request: RecordedRequest; finished: boolean }> = [];
  const page = Buffer.from(JSON.stringify({ value: Array.from({ length: ENTITIES }, (_, ID) => ({ ID, Name: "x".repeat(100) })) }));
  const server = await startServer((request, res) => {
    res.on("close", () => closed.push({ request, finished: res.writableFinished }));
    if (request.path.includes("$value")) {
      // Two chunks, then nothing: the service is slow, and the caller gives up.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write(Buffer.alloc(1000, 1));
      setTimeout(() => res.write(Buffer.alloc(1000, 2)), 50);
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": String(page.length) });
    res.end(page);
  });
  t.after(() => server.close());
  const directory = await mkdtemp(join(tmpdir(), "traverse-odata-abort-timer-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const script = join(directory, "abandon.mts");
  await writeFile(script, CHILD);
  return { server, closed, script, serviceUrl: server.url("odata/") };
}

describe("an abort leaves no timer for a body nobody reads any more", () => {
  for (const [scenario, sent] of [
    ["media stream", "GET /odata/Photos(1)/$value"],
    ["client walk", "GET /odata/Items"],
    ["reader walk", "GET /odata/Items"],
  ] as const) {
    test(`${scenario}: aborted and dropped, the child has no timer 100 ms later and exits within a second (timeout ${TIMEOUT} ms)`, LIMIT, async (t) => {
      const { server, closed, script, serviceUrl } = await abandoningService(t);
      const run = await runChild(script, serviceUrl, scenario);
      assert.deepEqual(
        server.requests.map((request) => `${request.method} ${request.path}`),
        [sent],
      );
      assert.equal(run.stdout[0], scenario === "media stream" ? "read 1000" : "read 3", run.stderr);
      assert.match(run.stdout[1] ?? "", /^timers before the abort [1-9]/, "the body's stall timer was armed");
      assert.equal(run.stdout[2], "aborted", run.stderr);
      assert.equal(run.stdout[3], "timers after the abort 0");
      assert.ok(run.exitAfterAbort !== undefined && run.exitAfterAbort < 1_000, `the child exited ${run.exitAfterAbort?.toFixed(0)} ms after the abort (killed after 8 s: ${run.code === null})`);
      assert.equal(run.code, 0, run.stderr);
      await waitFor(() => closed.length === 1, "the server to see the connection close");
      // The stalled media answer never ends: its connection closed by the abort. (The page is
      // written whole into the socket's buffers, to be read in pieces.)
      if (scenario === "media stream") assert.equal(closed[0]!.finished, false, "the media answer's connection closed before it was finished");
    });
  }
});
