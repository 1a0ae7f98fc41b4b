/**
 * A promise a call's `onResponse` returns is waited for as part of the call, and ends with it
 * (RequestOptions.onResponse): the caller's signal, leaving a walk, a poller's `maxWait` and the
 * call's `timeout` each end the wait on a callback that never settles, the answer's body let go
 * (its connection closed) and nothing left running. Each case runs in a child process, as
 * abort-leaves-no-timer.test.ts does: it counts the library's timers 100 ms after the call has
 * ended and then has nothing left to do, so it must exit at once (a socket or a timer left behind
 * would hold it). The server runs here: every answer the callback is stuck on comes with its
 * headers and part of its body, the rest held back, so that the server sees whether the client let
 * go of it (and says so in a header, for the callback to be stuck on that answer alone).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerResponse } from "node:http";
import { sendJson, startServer, waitFor, type RecordedRequest, type TestContextLike } from "./servers/recording-server.js";

const LIMIT = { timeout: 30_000 };

/** The client's `timeout` in the child: far beyond how soon the child must settle and exit. */
const TIMEOUT = 30_000;

const CHILD = `
import { ODataClient } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
const [serviceUrl, scenario] = process.argv.slice(2);
// Every timer the library set (through the global setTimeout, from a file of its src/) that
// neither fired nor was cleared.
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
const client = new ODataClient({ serviceUrl, timeout: ${TIMEOUT}, retry: false });
const controller = new AbortController();
const reason = new Error("the caller gave up");
// A callback that never settles (such a promise holds nothing open), on the answers held back.
let told;
const onCallback = new Promise((resolve) => (told = resolve));
const stuck = ({ url, headers }) => {
  if (headers.get("x-held") !== "yes") return undefined;
  told(url);
  return new Promise(() => {});
};
// The caller gives up once the callback is stuck.
const abortWhenStuck = () => onCallback.then(() => sleep(50)).then(() => controller.abort(reason));
const started = Date.now();
let call;
if (scenario === "get") {
  abortWhenStuck();
  call = client.collection("Held").key(1).get({ signal: controller.signal, onResponse: stuck });
} else if (scenario === "update") {
  abortWhenStuck();
  call = client.collection("Held").key(1).update({ Name: "new" }, { signal: controller.signal, onResponse: stuck });
} else if (scenario === "get with a timeout") {
  call = client.collection("Held").key(1).get({ timeout: 300, onResponse: stuck });
} else if (scenario === "walk left") {
  call = (async () => {
    let read = 0;
    for await (const item of client.collection("Items").stream({ readAhead: 1, onResponse: stuck })) {
      read += 1;
      // The next page was requested ahead, and its callback is stuck: the caller leaves.
      await onCallback;
      break;
    }
    return "left after " + read;
  })();
} else if (scenario === "poller wait") {
  abortWhenStuck();
  call = client.asyncPoller("HeldJobs(1)", { pollInterval: 10, onResponse: stuck }).wait(controller.signal);
} else if (scenario === "poller maxWait") {
  call = client.asyncPoller("HeldJobs(1)", { pollInterval: 10, maxWait: 500, onResponse: stuck }).wait();
}
// A guard of the test's own, so that a call that never settles says so.
let guardTimer;
const guard = new Promise((resolve) => (guardTimer = realSetTimeout(resolve, 3000, { text: "still pending 3 s later" })));
const outcome = await Promise.race([
  call.then((value) => ({ text: "resolved " + JSON.stringify(value) }), (error) => ({ text: "rejected " + (error === reason ? "with the signal's reason" : (error?.code ?? "") + " " + error?.message) })),
  guard,
]);
realClearTimeout(guardTimer);
console.log(outcome.text);
console.log("told " + (await Promise.race([onCallback, "nothing"])));
console.log("settled within 2 s " + (Date.now() - started < 2000));
await sleep(100);
console.log("timers 100 ms later " + live.size);
console.log("done");
if (outcome.text.startsWith("still pending")) process.exit(1);
`;

interface Run {
  stdout: string[];
  stderr: string;
  code: number | null;
  /** ms from the child's "done" line to its exit, if it printed that line. */
  exitAfterDone: number | undefined;
}

async function runChild(script: string, serviceUrl: string, scenario: string): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", script, serviceUrl, scenario], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let doneAt: number | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (doneAt === undefined && stdout.includes("done\n")) doneAt = performance.now();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill(), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);
  return { stdout: stdout.trim().split("\n"), stderr, code, exitAfterDone: doneAt === undefined ? undefined : performance.now() - doneAt };
}

/** Headers and the first part of a JSON body, the rest never sent. */
function holdBack(res: ServerResponse, status: number, start: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": String(start.length + 100), "x-held": "yes" });
  res.write(start);
}

/**
 * `Held(1)` (read and updated) held back; `Items` in pages, the second (`HeldItems`) held back;
 * `HeldJobs(1)` a monitor answering 202 once, then held back. Records whether each answer was
 * finished when its connection closed.
 */
async function heldService(t: TestContextLike) {
  const closed: Array<{ request: RecordedRequest; finished: boolean }> = [];
  let polls = 0;
  const server = await startServer((request, res) => {
    res.on("close", () => closed.push({ request, finished: res.writableFinished }));
    const path = request.path.replace(/^\/odata\//, "");
    if (path === "Held(1)") return holdBack(res, 200, '{"ID":1,');
    if (path === "Items") return sendJson(res, 200, { value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": "HeldItems?$skiptoken=3" });
    if (path === "HeldItems?$skiptoken=3") return holdBack(res, 200, '{"value":[{"ID":3},');
    if (path === "HeldJobs(1)") return ++polls === 1 ? sendJson(res, 202, { status: "Running" }, { "retry-after": "0" }) : holdBack(res, 202, '{"status":');
    sendJson(res, 404, { error: { code: "404", message: "no such resource" } });
  });
  t.after(() => server.close());
  const directory = await mkdtemp(join(tmpdir(), "traverse-odata-on-response-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  const script = join(directory, "stuck.mts");
  await writeFile(script, CHILD);
  return { server, closed, script, serviceUrl: server.url("odata/") };
}

describe("a promise onResponse returns that never settles ends with the call", () => {
  const root = "/odata/";
  for (const [scenario, outcome, sent, held] of [
    ["get", "rejected with the signal's reason", ["GET Held(1)"], "Held(1)"],
    ["update", "rejected with the signal's reason", ["PATCH Held(1)"], "Held(1)"],
    ["get with a timeout", 'rejected TIMEOUT GET http://127.0.0.1:PORT/odata/Held(1): its onResponse did not settle within 300 ms (option "timeout")', ["GET Held(1)"], "Held(1)"],
    ["walk left", 'resolved "left after 1"', ["GET Items", "GET HeldItems?$skiptoken=3"], "HeldItems?$skiptoken=3"],
    ["poller wait", "rejected with the signal's reason", ["GET HeldJobs(1)", "GET HeldJobs(1)"], "HeldJobs(1)"],
    [
      "poller maxWait",
      "rejected ASYNC_OPERATION_TIMEOUT the operation at http://127.0.0.1:PORT/odata/HeldJobs(1) still ran after maxWait (500 ms); resume it with client.resumeAsync(poller.toJSON())",
      ["GET HeldJobs(1)", "GET HeldJobs(1)"],
      "HeldJobs(1)",
    ],
  ] as const) {
    test(`${scenario}: the call settles, the held answer's connection is closed, no timer is left and the child exits at once`, LIMIT, async (t) => {
      const { server, closed, script, serviceUrl } = await heldService(t);
      const run = await runChild(script, serviceUrl, scenario);
      const port = new URL(serviceUrl).port;
      assert.equal(run.stdout[0], outcome.replace("PORT", port), run.stderr);
      assert.equal(run.stdout[1], `told ${serviceUrl}${held}`, "the callback was told of the held answer");
      assert.equal(run.stdout[2], "settled within 2 s true");
      assert.equal(run.stdout[3], "timers 100 ms later 0");
      assert.equal(run.stdout[4], "done");
      // Anything left open (the held connection, the client's 30 s timeout) would keep the child
      // until it is killed at 10 s; 5 s leaves room for a loaded machine's exit (1.2 s seen with
      // five test files at once, where 1 s was the bound).
      assert.ok(run.exitAfterDone !== undefined && run.exitAfterDone < 5_000, `the child exited ${run.exitAfterDone?.toFixed(0)} ms after it was done (killed after 10 s: ${run.code === null})`);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        server.requests.map((request) => `${request.method} ${request.path.slice(root.length)}`),
        sent,
      );
      await waitFor(() => closed.some(({ request }) => request.path === root + held), "the server to see the held answer's connection close");
      assert.deepEqual(
        closed.filter(({ request }) => request.path === root + held && request === server.requests.at(-1)).map(({ finished }) => finished),
        [false],
        "the held answer's connection closed before the answer was finished",
      );
    });
  }
});
