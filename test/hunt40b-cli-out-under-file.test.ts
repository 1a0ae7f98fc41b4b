/**
 * `export --out notes.txt/x.ndjson` where `notes.txt` is a file: the error said "the folder
 * notes.txt does not exist", which sends the user to create a folder that cannot be made there. It
 * says the file is not a folder (exit 1, nothing asked), for a file deeper up the path too, and for
 * `--checkpoint`. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startServer, sendJson } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

async function setup(t: { after(fn: () => void): void }) {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] }));
  t.after(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), "hunt40b-out-under-file-"));
  writeFileSync(join(cwd, "notes.txt"), "mine\n");
  return { server, cwd };
}

test("export --out notes.txt/x.ndjson, notes.txt a file: exit 1 saying notes.txt is a file, not a folder; nothing asked", async (t) => {
  const { server, cwd } = await setup(t);
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--odata-version", "4.0", "--out", "notes.txt/x.ndjson"], "", { cwd });
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.equal(outcome.stderr, `error: --out ${join(cwd, "notes.txt/x.ndjson")}: ${join(cwd, "notes.txt")} is a file, not a folder\n`);
  assert.deepEqual(server.requests, []);
});

test("export --out notes.txt/sub/x.ndjson: the file deeper up the path is named", async (t) => {
  const { server, cwd } = await setup(t);
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--odata-version", "4.0", "--out", "notes.txt/sub/x.ndjson"], "", { cwd });
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /notes\.txt is a file, not a folder\n$/);
  assert.deepEqual(server.requests, []);
});

test("export --checkpoint notes.txt/c.json: named the same way", async (t) => {
  const { server, cwd } = await setup(t);
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--odata-version", "4.0", "--out", "x.ndjson", "--checkpoint", "notes.txt/c.json"], "", { cwd });
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /^error: --checkpoint .*notes\.txt\/c\.json: .*notes\.txt is a file, not a folder\n$/);
  assert.deepEqual(server.requests, []);
});

test("a folder that is not there is still said to be missing", async (t) => {
  const { server, cwd } = await setup(t);
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--odata-version", "4.0", "--out", "nowhere/x.ndjson"], "", { cwd });
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /the folder .*nowhere does not exist\n$/);
});
