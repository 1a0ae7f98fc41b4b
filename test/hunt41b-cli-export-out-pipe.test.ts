/**
 * `export --out` naming a named pipe (mkfifo) or a terminal, as scripts name `/dev/stdout`: the
 * export writes each page at its offset (so that `--resume` can cut the file back), which a pipe
 * cannot take (ESPIPE). It used to save a checkpoint, ask the service, then fail on the first
 * page's write with exit 1, leaving the checkpoint beside the pipe: the same command run again
 * was refused for it ("a checkpoint of an unfinished export is at ..."), and `--resume` failed
 * the same way. Now the pipe is refused before anything is asked (exit 2), naming `--out -`,
 * which streams to stdout; nothing is left beside it. Runs the built binary as a child process
 * against a node:http service on 127.0.0.1. POSIX only (mkfifo).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants, existsSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { finished, show, startCli, tempDir } from "./cli-harness.js";
import { sendJson, startServer } from "./servers/recording-server.js";

test("--out naming a named pipe: refused with exit 2 before anything is asked, no checkpoint left", { skip: process.platform === "win32" }, async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 1 }, { ID: 2 }] }, { "odata-version": "4.0" }));
  t.after(() => server.close());
  const cwd = tempDir("traverse-hunt41b-out-pipe-");
  const pipe = join(cwd, "rows.ndjson");
  execFileSync("mkfifo", [pipe]);
  // Held open both ways (Linux never blocks that open), so that the binary's open for writing, as
  // it was before, does not wait for a reader.
  const held = openSync(pipe, constants.O_RDWR);
  t.after(() => closeSync(held));
  for (const format of ["ndjson", "csv"]) {
    const outcome = await finished(await startCli(["export", server.url("svc/"), "Items", "--out", pipe, "--format", format, "--odata-version", "4.0"], { cwd }), 20_000);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: --out ${pipe} cannot be written at an offset (a pipe or a terminal), which the checkpoint needs; write to stdout with --out - (and redirect it), or name a regular file\n`);
    assert.deepEqual(readdirSync(cwd), ["rows.ndjson"], "no checkpoint beside the pipe");
  }
  assert.deepEqual(server.requests.map((r) => r.path), [], "nothing asked");
});

test("--out /dev/stdout where stdout is a pipe: refused with exit 2, no checkpoint made in /dev; /dev/null is written", { skip: process.platform !== "linux" }, async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] }, { "odata-version": "4.0" }));
  t.after(() => server.close());
  const cwd = tempDir("traverse-hunt41b-out-pipe-");
  const outcome = await finished(await startCli(["export", server.url("svc/"), "Items", "--out", "/dev/stdout", "--odata-version", "4.0"], { cwd }), 20_000);
  assert.equal(outcome.code, 2, show(outcome));
  assert.match(outcome.stderr, /^error: --out \/dev\/stdout cannot be written at an offset \(a pipe or a terminal\)/);
  assert.equal(outcome.stdout, "");
  assert.equal(existsSync("/dev/stdout.checkpoint.json"), false);
  assert.deepEqual(server.requests.length, 0);
  // A device that takes writes at an offset is still an --out (its checkpoint goes where --checkpoint says).
  const sunk = await finished(await startCli(["export", server.url("svc/"), "Items", "--out", "/dev/null", "--format", "ndjson", "--checkpoint", join(cwd, "c.json"), "--odata-version", "4.0"], { cwd }), 20_000);
  assert.equal(sunk.code, 0, show(sunk));
  assert.deepEqual(readdirSync(cwd), []);
});
