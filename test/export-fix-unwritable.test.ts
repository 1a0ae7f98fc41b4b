/**
 * An `--out` whose checkpoint cannot be written beside it (no `--checkpoint` given): the error
 * names `--out` and its file, which the user gave, and the checkpoint file made from it, rather
 * than a `--checkpoint` the user never wrote. Exit 1, nothing asked, nothing left behind. A
 * `--checkpoint` given is still named as such.
 *
 * A node:http service on 127.0.0.1 port 0 counts the requests; the command runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { tempDir } from "./cli-harness.js";

async function startService() {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" }).end('{"value":[{"ID":1}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    root: `http://127.0.0.1:${(server.address() as AddressInfo).port}/odata/`,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const folder = (): string => tempDir("export-fix-unwritable-");

test("an --out whose checkpoint name is too long for the file system: exit 1 naming --out, its file and the checkpoint, nothing asked", async (t) => {
  const service = await startService();
  t.after(() => service.close());
  const cwd = folder();
  // 251 characters: the file may be made, its checkpoint (16 more) may not.
  const name = `${"o".repeat(244)}.ndjson`;
  const result = await cliInProcess(["export", service.root, "T", "--out", name], "", { cwd });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, `error: --out ${join(cwd, name)} cannot be written: its checkpoint ${join(cwd, name)}.checkpoint.json cannot be made beside it (ENAMETOOLONG); name another --out, or a --checkpoint elsewhere\n`);
  assert.deepEqual(service.requests, []);
  assert.deepEqual(readdirSync(cwd), []);

  // With --checkpoint elsewhere, the same --out is written.
  const moved = await cliInProcess(["export", service.root, "T", "--out", name, "--checkpoint", "c.json", "--odata-version", "4.0"], "", { cwd });
  assert.equal(moved.code, 0, moved.stderr);
  assert.deepEqual(readdirSync(cwd), [name]);
});

test("an --out in a read-only file system (/proc): exit 1 naming --out and its file", { skip: !existsSync("/proc/version") && "no /proc here" }, async (t) => {
  const service = await startService();
  t.after(() => service.close());
  const cwd = folder();
  const result = await cliInProcess(["export", service.root, "T", "--out", "/proc/t.ndjson"], "", { cwd });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^error: --out \/proc\/t\.ndjson cannot be written: its checkpoint \/proc\/t\.ndjson\.checkpoint\.json cannot be made beside it \(E[A-Z]+\)/);
  assert.deepEqual(service.requests, []);

  // A --checkpoint the user gave is named as such.
  const given = await cliInProcess(["export", service.root, "T", "--out", "t.ndjson", "--checkpoint", "/proc/c.json"], "", { cwd });
  assert.equal(given.code, 1, given.stderr);
  assert.match(given.stderr, /^error: --checkpoint \/proc\/c\.json cannot be written: E[A-Z]+$/m);
  assert.deepEqual(service.requests, []);
});
