/**
 * `export --partition K/N --plan-file FILE` runs a range only on the query it was planned for: a
 * `$skip` window of another `$filter` (or custom option) would skip or repeat rows. Options that
 * choose which rows are compared with the plan's URLs before anything is sent; `$select` may
 * differ. Over node:http on 127.0.0.1, the plan made by the library as `--plan` makes it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ODataClient } from "../src/index.js";
import { startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

const ROWS = [1, 2, 3, 4, 5, 6].map((ID) => ({ ID, x: ID * 10 }));

/** Items with $count and $skip/$top windows; $filter is recorded, not applied. */
async function itemsServer(t: { after(fn: () => unknown): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const url = new URL(request.path, "http://127.0.0.1");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 404, "no metadata");
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(ROWS.length));
    const skip = Number(url.searchParams.get("$skip") ?? 0);
    const top = url.searchParams.has("$top") ? Number(url.searchParams.get("$top")) : ROWS.length;
    sendJson(res, 200, { value: ROWS.slice(skip, skip + top) });
  });
  t.after(() => server.close());
  return server;
}

function workDir(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "traverse-plan-file-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function writePlan(serviceUrl: string, dir: string, filter: string): Promise<void> {
  const plan = await new ODataClient({ serviceUrl }).collection("Items").filter(filter).partitions(2, { strategy: "skip", key: "ID", model: null });
  writeFileSync(join(dir, "plan.json"), JSON.stringify(plan));
}

test("--plan-file with the filter it was planned with: the window is sent with that filter, and $select may be added", async (t) => {
  const server = await itemsServer(t);
  const cwd = workDir(t);
  await writePlan(server.url("odata/"), cwd, "x gt 1");
  server.requests.length = 0;
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--filter", "x gt 1", "--select", "ID", "--partition", "2/2", "--plan-file", "plan.json", "--out", "part.ndjson"], "", { cwd });
  assert.equal(outcome.code, 0, outcome.stderr);
  const pages = server.requests.filter((r) => r.path.includes("/Items?"));
  assert.equal(pages.length, 1, server.requests.map((r) => r.path).join("\n"));
  const sent = new URL(pages[0]!.path, "http://127.0.0.1").searchParams;
  assert.equal(sent.get("$filter"), "x gt 1");
  assert.equal(sent.get("$select"), "ID");
  assert.equal(sent.get("$skip"), "3");
  assert.deepEqual(readFileSync(join(cwd, "part.ndjson"), "utf8").trim().split("\n").map((line) => JSON.parse(line).ID), [4, 5, 6]);
});

test("--plan-file planned with another --filter: exit 2 naming both filters, and no row is asked for", async (t) => {
  const server = await itemsServer(t);
  const cwd = workDir(t);
  await writePlan(server.url("odata/"), cwd, "x gt 1");
  server.requests.length = 0;
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--filter", "x gt 25", "--partition", "1/2", "--plan-file", "plan.json", "--out", "part.ndjson"], "", { cwd });
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, /--plan-file plan\.json was planned for another query: partition 1 has \$filter=x gt 1 where this export sends \$filter=x gt 25; give the query options that --plan was given/);
  assert.deepEqual(server.requests.filter((r) => r.path.includes("/Items")), []);
});

test("--plan-file planned without a filter, run with one: refused as well, 'no $filter' named", async (t) => {
  const server = await itemsServer(t);
  const cwd = workDir(t);
  const plan = await new ODataClient({ serviceUrl: server.url("odata/") }).collection("Items").partitions(2, { strategy: "skip", key: "ID", model: null });
  writeFileSync(join(cwd, "plan.json"), JSON.stringify(plan));
  server.requests.length = 0;
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--filter", "x gt 25", "--partition", "2/2", "--plan-file", "plan.json", "--out", "part.ndjson"], "", { cwd });
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, /partition 1 has no \$filter where this export sends \$filter=x gt 25/);
  assert.deepEqual(server.requests.filter((r) => r.path.includes("/Items")), []);
});

test("a credential option in the plan's URLs that this export does not send is named with its value masked", async (t) => {
  const server = await itemsServer(t);
  const cwd = workDir(t);
  await writePlan(server.url("odata/"), cwd, "x gt 1");
  // A plan written by another tool, or by hand, whose URLs carry a credential.
  const plan = JSON.parse(readFileSync(join(cwd, "plan.json"), "utf8")) as { url: string }[];
  writeFileSync(join(cwd, "plan.json"), JSON.stringify(plan.map((p) => ({ ...p, url: `${p.url}&api_key=planned-secret-1` }))));
  server.requests.length = 0;
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--filter", "x gt 1", "--partition", "1/2", "--plan-file", "plan.json", "--out", "part.ndjson"], "", { cwd });
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, /partition 1 has api_key=\*\*\* where this export sends no api_key/);
  assert.doesNotMatch(outcome.stderr, /planned-secret-1/);
  assert.deepEqual(server.requests.filter((r) => r.path.includes("/Items")), []);
});

test("--partition K/N --plan-file with --orderby (which --plan, given --parallel, cannot take): a key range is run in that order, as without a plan file", async (t) => {
  const server = await itemsServer(t);
  const cwd = workDir(t);
  const plan = await new ODataClient({ serviceUrl: server.url("odata/") }).collection("Items").partitions(2, { strategy: "quantiles", key: "ID", model: null });
  assert.deepEqual(plan.map((p) => p.kind), ["key-range", "key-range"]);
  writeFileSync(join(cwd, "plan.json"), JSON.stringify(plan));
  server.requests.length = 0;
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--orderby", "x desc", "--partition", "2/2", "--plan-file", "plan.json", "--out", "part.ndjson"], "", { cwd });
  assert.equal(outcome.code, 0, outcome.stderr);
  const pages = server.requests.filter((r) => r.path.includes("/Items?"));
  assert.equal(pages.length, 1, server.requests.map((r) => r.path).join("\n"));
  const sent = new URL(pages[0]!.path, "http://127.0.0.1").searchParams;
  assert.equal(sent.get("$orderby"), "x desc");
  assert.equal(sent.get("$filter"), plan[1]!.filter);
});

test("--plan-file of $skip windows in the service's own order, run with --orderby: refused, since another order takes other rows into each window", async (t) => {
  const server = await itemsServer(t);
  const cwd = workDir(t);
  // Windows in the service's own order, as partitions() plans them where the key cannot be ordered.
  const items = new ODataClient({ serviceUrl: server.url("odata/") }).collection("Items");
  const planned = await items.partitions(2, { strategy: "skip", key: "ID", model: null });
  const plan = planned.map(({ orderBy: _, ...p }) => ({ ...p, url: items.partition(p).url() }));
  assert.ok(plan.every((p) => !p.url.includes("orderby")), plan[0]!.url);
  writeFileSync(join(cwd, "plan.json"), JSON.stringify(plan));
  server.requests.length = 0;
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--orderby", "x desc", "--partition", "1/2", "--plan-file", "plan.json", "--out", "part.ndjson"], "", { cwd });
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, /partition 1 has no \$orderby where this export sends \$orderby=x desc/);
  assert.deepEqual(server.requests.filter((r) => r.path.includes("/Items")), []);
});
