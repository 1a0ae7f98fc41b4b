// Ctrl-C (SIGINT) where a command waits before anything of its own is under way: `call --async`
// and `call --no-wait` while the request that starts the operation has no answer yet, and `wait`
// and `cancel` while the token on stdin has not come. Each stops at once with exit 130 ("interrupted",
// as the README's exit codes say), where it used to wait for the request's --timeout (exit 4; with
// --timeout 0 until a second Ctrl-C), or for stdin to end (then exit 2: "not JSON").
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { startServer, sendText } from "./servers/recording-server.js";
import { buildCli, cliEnv, finished, show, startCli, tempDir, type CliResult } from "./cli-harness.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
  <Action Name="slowExport"><Parameter Name="rows" Type="Edm.Int32"/></Action>
  <Function Name="slowReport"><ReturnType Type="Edm.String"/></Function>
  <EntityContainer Name="C"><ActionImport Name="slowExport" Action="S.slowExport"/><FunctionImport Name="slowReport" Function="S.slowReport"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A run's outcome once it ended, or `undefined` when it still runs after `ms`. */
function endsWithin(done: Promise<CliResult>, ms: number): Promise<CliResult | undefined> {
  return Promise.race([done, sleep(ms).then(() => undefined)]);
}

for (const [mode, operation, method] of [
  ["--async", "slowExport", "POST"],
  ["--no-wait", "slowExport", "POST"],
  ["--async", "slowReport", "GET"],
] as const) {
  test(`call ${mode} (${method === "POST" ? "an action" : "a function"}): Ctrl-C while the request that starts the operation waits for its answer exits 130 at once, and nothing more is sent`, async (t) => {
    // $metadata is answered; the operation's request never is.
    const server = await startServer((request, res) => {
      if (request.path.endsWith("/$metadata")) sendText(res, 200, METADATA, { "content-type": "application/xml" });
    });
    t.after(() => server.close());
    // --timeout 0: no timeout would end the request either.
    const child = await startCli(["call", server.url("svc/"), operation, ...(method === "POST" ? ["--param", "rows=10"] : []), mode, "--timeout", "0"]);
    const done = finished(child);
    while (!server.requests.some((request) => request.method === method && request.path.includes(operation))) await sleep(20);
    child.kill("SIGINT");
    const result = await endsWithin(done, 3_000);
    if (result === undefined) child.kill("SIGKILL");
    assert.ok(result !== undefined, "still running 3 s after Ctrl-C");
    assert.equal(result.code, 130, show(result));
    assert.equal(result.stderr, "error: interrupted\n");
    assert.equal(result.stdout, "", "no token: there is no status monitor to print");
    const start = server.requests.find((request) => request.method === method && request.path.includes(operation));
    assert.equal(start?.headers["prefer"], "respond-async");
    assert.deepEqual(
      server.requests.map((request) => request.method),
      ["GET", method],
      "$metadata and the start, no poll",
    );
  });
}

for (const command of ["wait", "cancel"] as const) {
  test(`${command} reading its token from stdin: Ctrl-C before stdin ends exits 130 at once, saying it was interrupted`, async () => {
    const main = await buildCli();
    const child = spawn(process.execPath, [main, command], { cwd: tempDir(), env: cliEnv(), stdio: ["pipe", "pipe", "pipe"] });
    const done = finished(child);
    // Blank space (JSON allows it before the token) more than a pipe holds: once it is all
    // written, the command reads stdin, and so has its Ctrl-C handler.
    await new Promise<void>((resolve, reject) => child.stdin.write(" ".repeat(1 << 20), (error) => (error ? reject(error) : resolve())));
    child.kill("SIGINT");
    const result = await endsWithin(done, 3_000);
    // Where Ctrl-C did not end it, stdin's end does, and the failure shows what the command then said.
    child.stdin.end();
    assert.ok(result !== undefined, `still running 3 s after Ctrl-C; then: ${show(await done)}`);
    assert.equal(result.code, 130, show(result));
    assert.equal(result.stderr, "error: interrupted while waiting for the token on stdin\n");
    assert.equal(result.stdout, "");
  });
}
