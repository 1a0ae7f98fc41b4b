/**
 * `export --parallel N --plan` prints the plan on stdout and writes no file: `--out plan.json`
 * (where `> plan.json` was meant), `--checkpoint`, `--checkpoint-interval`, `--resume` and
 * `--format` did nothing with it, and were accepted without a word, `plan.json` never written. They
 * are refused (exit 2) before anything is sent, as the planning options are where nothing is
 * planned; `--out -` (stdout, where the plan goes) stays. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startServer, sendJson, sendText, ITEMS_METADATA } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

async function itemsService(t: { after(fn: () => void): void }) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, ITEMS_METADATA, { "content-type": "application/xml" });
    if (request.path.includes("/$count")) return sendText(res, 200, "4", { "content-type": "text/plain" });
    sendJson(res, 200, { value: [{ ID: 3 }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return server;
}

test("export --parallel 2 --plan --out plan.json: exit 2 saying the plan goes to stdout, nothing sent, no file", async (t) => {
  const server = await itemsService(t);
  const plan = join(mkdtempSync(join(tmpdir(), "hunt40-plan-out-")), "plan.json");
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--parallel", "2", "--plan", "--out", plan]);
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, /--plan prints the plan on stdout .*--out/);
  assert.equal(outcome.stdout, "");
  assert.deepEqual(server.requests, []);
  assert.equal(existsSync(plan), false);
});

for (const extra of [["--resume"], ["--checkpoint", "c.json"], ["--checkpoint-interval", "0"], ["--format", "csv"]]) {
  test(`export --parallel 2 --plan ${extra.join(" ")}: exit 2 naming ${extra[0]}, nothing sent`, async (t) => {
    const server = await itemsService(t);
    const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--parallel", "2", "--plan", ...extra]);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.match(outcome.stderr, new RegExp(`--plan prints the plan on stdout.*${extra[0]}`));
    assert.deepEqual(server.requests, []);
  });
}

test("control: --plan alone, and with --out -, prints the two partitions", async (t) => {
  const server = await itemsService(t);
  for (const extra of [[], ["--out", "-"]]) {
    const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--parallel", "2", "--plan", ...extra]);
    assert.equal(outcome.code, 0, outcome.stderr);
    const partitions = JSON.parse(outcome.stdout) as { filter: string }[];
    assert.deepEqual(partitions.map((p) => p.filter), ["ID lt 3", "ID ge 3"]);
  }
});
