/**
 * `export --top N` against a service that pages on past `$top` (Microsoft Graph reads `$top` as a
 * page size; another may ignore it): the file holds N rows. A first run walks from the query, whose
 * `$top` the walk holds to; a resumed one follows its saved link, so the export cuts the rows past
 * N itself and reads no further. Against a node:http server on 127.0.0.1, through `walkToFile`, the
 * export command's walk.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ODataClient } from "../src/index.js";
import { walkToFile } from "../src/cli/export.js";
import { loadCheckpoint } from "../src/cli/checkpoint.js";
import type { WalkCheckpoint } from "../src/cli/checkpoint.js";
import { tempDir } from "./cli-harness.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const ROWS = 20;

/** Pages of `size` rows (`$top` read as the page size where `topIsPageSize`), next links to the end, whatever `$top` says. */
async function pagingOn(t: { after(fn: () => unknown): void }, pageSize: (top: number | undefined) => number) {
  const server = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    const top = url.searchParams.has("$top") ? Number(url.searchParams.get("$top")) : undefined;
    const size = pageSize(top);
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
    const value = Array.from({ length: Math.min(size, ROWS - skip) }, (_, i) => ({ ID: skip + i }));
    const next = new URL(url);
    next.searchParams.set("$skiptoken", String(skip + size));
    sendJson(res, 200, { value, ...(skip + size < ROWS ? { "@odata.nextLink": server.url(`${next.pathname.slice(1)}${next.search}`) } : {}) });
  });
  t.after(() => server.close());
  return server;
}

const ids = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { ID: number }).ID);

test("a first run writes $top rows where the service reads $top as a page size and links on: one request", async (t) => {
  const server = await pagingOn(t, (top) => top ?? 5);
  const folder = tempDir();
  const out = join(folder, "items.ndjson");
  const query = new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).collection("Items").top(3);
  const done = await walkToFile({ query, out, checkpoint: `${out}.checkpoint.json`, format: "ndjson", whole: true, signal: new AbortController().signal, onPage() {}, warn() {} });
  assert.deepEqual(ids(out), [0, 1, 2]);
  assert.equal(done.rows, 3);
  assert.deepEqual(server.requests.map((request) => decodeURIComponent(request.path)), ["/svc/Items?$top=3"]);
});

test("a resumed run cuts the rows past $top and reads no further: the file holds $top rows once each", async (t) => {
  // A service that ignores $top and pages by 2.
  const server = await pagingOn(t, () => 2);
  const folder = tempDir();
  const out = join(folder, "items.ndjson");
  const checkpoint = `${out}.checkpoint.json`;
  const query = new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).collection("Items").top(5);
  // The first run is stopped after its first page is written.
  const stop = new AbortController();
  const first = walkToFile({ query, out, checkpoint, format: "ndjson", whole: true, checkpointInterval: 0, signal: stop.signal, onPage: (report) => report.pages === 1 && stop.abort(new Error("stopped")), warn() {} });
  await assert.rejects(first, /stopped/);
  const saved = (await loadCheckpoint(checkpoint)) as WalkCheckpoint;
  assert.equal(saved.rows, 2);
  const before = server.requests.length;
  const done = await walkToFile({ query, out, checkpoint, format: "ndjson", whole: true, resume: saved, signal: new AbortController().signal, onPage() {}, warn() {} });
  assert.deepEqual(ids(out), [0, 1, 2, 3, 4]);
  assert.equal(done.rows, 5);
  // The pages of rows 2-3 and 4-5 (cut to 4), and at most the one after them, asked for ahead
  // while the last was written (the walk from a saved link cannot know it is the last) and left.
  const sent = server.requests.slice(before).map((request) => decodeURIComponent(request.path));
  assert.deepEqual(sent.slice(0, 2), ["/svc/Items?$top=5&$skiptoken=2", "/svc/Items?$top=5&$skiptoken=4"]);
  assert.ok(sent.length <= 3 && (sent.length === 2 || sent[2] === "/svc/Items?$top=5&$skiptoken=6"), JSON.stringify(sent));
});
