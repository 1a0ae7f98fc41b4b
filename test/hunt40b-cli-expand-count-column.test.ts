/**
 * `--expand reviews/$count` asks for the number of related entities, which the service sends as
 * the row's `reviews@odata.count` (OData 4.01's `reviews@count`). The CSV and table column
 * `reviews/$count` shows that number: it read a `$count` member under `reviews`, which no row
 * has, so every cell of it was empty without a word. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startServer, sendJson, sendText } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

async function countingService(t: { after(fn: () => void): void }) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 404, "no $metadata");
    // The 4.0 form in one row, the 4.01 form in the other: readers take both.
    sendJson(res, 200, { value: [{ ID: 1, "reviews@odata.count": 3 }, { ID: 2, "reviews@count": 0 }] }, { "odata-version": "4.01" });
  });
  t.after(() => server.close());
  return server;
}

test("export --select ID --expand reviews/$count to CSV: the reviews/$count column holds the counts", async (t) => {
  const server = await countingService(t);
  const out = join(mkdtempSync(join(tmpdir(), "hunt40b-expand-count-")), "books.csv");
  const outcome = await cliInProcess(["export", server.url("odata/"), "Books", "--select", "ID", "--expand", "reviews/$count", "--out", out]);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.deepEqual(
    server.requests.map((request) => request.path),
    ["/odata/$metadata", "/odata/Books?$select=ID&$expand=reviews/$count"],
  );
  assert.equal(readFileSync(out, "utf8"), "ID,reviews/$count\r\n1,3\r\n2,0\r\n");
});

test("query --expand reviews/$count as a table and as CSV: the column shows the counts", async (t) => {
  const server = await countingService(t);
  const table = await cliInProcess(["query", server.url("odata/"), "Books", "--select", "ID", "--expand", "reviews/$count"]);
  assert.equal(table.code, 0, table.stderr);
  const [header, , first, second] = table.stdout.split("\n");
  assert.deepEqual(header?.trim().split(/\s+/), ["ID", "reviews/$count"]);
  assert.deepEqual(first?.trim().split(/\s+/), ["1", "3"]);
  assert.deepEqual(second?.trim().split(/\s+/), ["2", "0"]);
  const csv = await cliInProcess(["query", server.url("odata/"), "Books", "--select", "ID", "--expand", "reviews/$count", "--format", "csv"]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout, "ID,reviews/$count\r\n1,3\r\n2,0\r\n");
});
