// `export --out -` writes the export to stdout (it used to write a file named "-"): the same bytes
// that `--out FILE` writes, in each format, page after page, and no checkpoint. What needs a file
// (--resume, --checkpoint, --checkpoint-interval, --parallel) is refused with exit 2 before
// anything is sent. The command line runs in this process, in a folder of its own, against a
// node:http service on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

/** Two pages of compact v4 JSON, written as text: a long number keeps its digits, an escape stays one. */
async function service(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server: RecordingServer = await startServer((request, res) => {
    const json = { "content-type": "application/json", "odata-version": "4.0" };
    if (request.path.endsWith("/$metadata")) {
      res.writeHead(404, json);
      return void res.end('{"error":{"code":"None","message":"no metadata"}}');
    }
    res.writeHead(200, json);
    if (request.path.includes("skiptoken")) return void res.end('{"value":[{"ID":2,"N":9007199254740995,"T":"caf\\u00e9"}]}');
    res.end(`{"value":[{"ID":1,"N":1,"T":"a, \\"b\\""}],"@odata.nextLink":"${server.url("svc/Items?$skiptoken=1")}"}`);
  });
  t.after(() => server.close());
  return server;
}

function folder(t: { after(fn: () => void): void }): string {
  const made = mkdtempSync(join(tmpdir(), "traverse-cli-minor-export-"));
  t.after(() => rmSync(made, { recursive: true, force: true }));
  return made;
}

for (const format of ["ndjson", "csv", "json"] as const) {
  test(`--out - --format ${format}: stdout holds the bytes --out FILE writes, and no file is made`, async (t) => {
    const server = await service(t);
    const cwd = folder(t);
    const streamed = await cliInProcess(["export", server.url("svc/"), "Items", "--out", "-", "--format", format], "", { cwd });
    assert.equal(streamed.code, 0, show(streamed));
    assert.match(streamed.stderr, /^exported 2 rows in 2 pages to stdout in /);
    assert.deepEqual(readdirSync(cwd), [], "no file named - (nor a checkpoint)");
    const filed = await cliInProcess(["export", server.url("svc/"), "Items", "--out", `items.${format}`], "", { cwd });
    assert.equal(filed.code, 0, show(filed));
    assert.equal(streamed.stdout, readFileSync(join(cwd, `items.${format}`), "utf8"));
    assert.ok(streamed.stdout.includes("9007199254740995"), streamed.stdout);
    // (CSV asks $metadata for its columns first, both times.)
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)).filter((path) => !path.endsWith("/$metadata")),
      ["/svc/Items", "/svc/Items?$skiptoken=1", "/svc/Items", "/svc/Items?$skiptoken=1"],
    );
  });
}

test("--out - without --format is NDJSON", async (t) => {
  const server = await service(t);
  const outcome = await cliInProcess(["export", server.url("svc/"), "Items", "--out", "-", "-q"], "", { cwd: folder(t) });
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal(outcome.stdout, '{"ID":1,"N":1,"T":"a, \\"b\\""}\n{"ID":2,"N":9007199254740995,"T":"caf\\u00e9"}\n');
  assert.equal(outcome.stderr, "");
});

test("--out - with --resume, --checkpoint, --checkpoint-interval or --parallel: exit 2, saying a file is needed; nothing is sent", async (t) => {
  const server = await service(t);
  const cwd = folder(t);
  for (const [extra, named] of [
    [["--resume"], "--resume needs"],
    [["--checkpoint", "c.json"], "--checkpoint needs"],
    [["--checkpoint-interval", "0"], "--checkpoint-interval needs"],
    [["--resume", "--checkpoint", "c.json"], "--resume and --checkpoint need"],
    [["--parallel", "2"], "--parallel needs"],
  ] as const) {
    const outcome = await cliInProcess(["export", server.url("svc/"), "Items", "--out", "-", ...extra], "", { cwd });
    assert.equal(outcome.code, 2, show(outcome));
    assert.ok(outcome.stderr.startsWith(`error: --out - writes the rows to stdout, which keeps no checkpoint and no part files: ${named} a file, --out FILE`), show(outcome));
    assert.equal(outcome.stdout, "");
  }
  assert.deepEqual(server.requests, []);
  assert.deepEqual(readdirSync(cwd), []);
});

test("export --help says what --out - does and what it excludes", async () => {
  const help = await cliInProcess(["export", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--out FILE +the file to write \(required, except with --plan\); - writes to stdout, with no checkpoint: no --resume, --checkpoint or --parallel then/);
});
