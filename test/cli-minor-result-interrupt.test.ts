// Ctrl-C (the run's abort) during `call --async` after the status monitor said the operation
// succeeded, while its result is read from where the monitor named it: the message says the
// operation has succeeded (it no longer "goes on"), and the resume token on stdout, which holds the
// result's URL, lets `wait` read the result with no more polls of the monitor. A Ctrl-C while the
// operation still runs keeps saying it goes on. The command line runs in this process
// (src/cli/run.ts, with an abort signal of the test's own) against a node:http service.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";

/** Runs the command line in this process; `controller` is its Ctrl-C. */
function cliWithAbort(args: readonly string[], controller: AbortController): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliInProcess(args, "", { signal: controller.signal });
}

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/**
 * An operation whose monitor answers `monitor` (after one 202 "running" for `running`); the first
 * request of its result (or of the monitor's second poll, for `running`) never gets an answer: the
 * run is interrupted as it arrives. Later result requests get `{"value":"the result"}`.
 */
async function service(t: { after(fn: () => Promise<void>): void }, mode: "succeeded-303" | "succeeded-body" | "running", controller: AbortController): Promise<RecordingServer> {
  let resultAsked = 0;
  let polls = 0;
  const json = { "content-type": "application/json", "odata-version": "4.0" };
  const server: RecordingServer = await startServer((request, res) => {
    const base = server.origin;
    if (request.path === "/svc/$metadata") {
      res.writeHead(404, json);
      return void res.end('{"error":{"code":"None","message":"no metadata"}}');
    }
    if (request.path === "/svc/go" && request.method === "POST") {
      res.writeHead(202, { location: `${base}/svc/monitor`, "retry-after": "0" });
      return void res.end();
    }
    if (request.path === "/svc/monitor") {
      polls += 1;
      if (mode === "running") {
        if (polls === 1) {
          res.writeHead(200, json);
          return void res.end('{"status":"Running"}');
        }
        // The second poll hangs: Ctrl-C comes while the operation still runs.
        controller.abort();
        return;
      }
      if (mode === "succeeded-303") {
        res.writeHead(303, { location: `${base}/svc/result` });
        return void res.end();
      }
      res.writeHead(200, json);
      return void res.end(JSON.stringify({ status: "succeeded", resourceLocation: `${base}/svc/result` }));
    }
    if (request.path === "/svc/result") {
      resultAsked += 1;
      if (resultAsked === 1) {
        controller.abort();
        return;
      }
      res.writeHead(200, json);
      return void res.end('{"value":"the result"}');
    }
    res.writeHead(404, json);
    res.end('{"error":{"code":"NotFound","message":"no such path"}}');
  });
  t.after(() => server.close());
  return server;
}

for (const mode of ["succeeded-303", "succeeded-body"] as const) {
  test(`Ctrl-C while the result of a succeeded operation is read (${mode === "succeeded-303" ? "303 to the result" : "status body naming it"}): exit 130, the message says it succeeded, and wait with the token reads the result`, async (t) => {
    const controller = new AbortController();
    const server = await service(t, mode, controller);
    const called = await cliWithAbort(["call", server.url("svc/"), "go", "--async", "--poll-interval", "1"], controller);
    assert.equal(called.code, 130, show(called));
    assert.equal(
      called.stderr,
      "error: interrupted while the result was read; the operation has succeeded at the service: its resume token is on stdout, and traverse-odata wait with it reads the result\n",
    );
    assert.doesNotMatch(called.stderr, /goes on/);
    const token = JSON.parse(called.stdout) as { status: string; resultUrl?: string; statusUrl: string };
    // The status the monitor gave (a status body's own word), or the poller's where it gave none.
    assert.match(token.status, /^succeeded$/i);
    assert.equal(token.resultUrl, `${server.origin}/svc/result`);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /svc/$metadata", "POST /svc/go", "GET /svc/monitor", "GET /svc/result"],
    );

    // What the message says: the token's wait reads the result, and asks the monitor nothing more.
    const waited = await cliInProcess(["wait", "-"], called.stdout);
    assert.equal(waited.code, 0, show(waited));
    assert.equal(waited.stdout, '"the result"\n');
    assert.deepEqual(
      server.requests.slice(4).map((r) => `${r.method} ${r.path}`),
      ["GET /svc/result"],
    );
  });
}

test("Ctrl-C while the operation still runs: the message still says it goes on at the service", async (t) => {
  const controller = new AbortController();
  const server = await service(t, "running", controller);
  const called = await cliWithAbort(["call", server.url("svc/"), "go", "--async", "--poll-interval", "1"], controller);
  assert.equal(called.code, 130, show(called));
  assert.equal(called.stderr, "error: interrupted; the operation goes on at the service: its resume token is on stdout (traverse-odata wait or cancel take it)\n");
  const token = JSON.parse(called.stdout) as { status: string; resultUrl?: string };
  assert.equal(token.resultUrl, undefined);
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    ["GET /svc/$metadata", "POST /svc/go", "GET /svc/monitor", "GET /svc/monitor"],
  );
});
