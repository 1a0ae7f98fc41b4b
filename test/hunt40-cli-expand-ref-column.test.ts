/**
 * `--expand author/$ref` asks for the references of the related entities (`{"@odata.id": …}`),
 * sent in the row's `author` member. The CSV and table column is that member, `author`, written as
 * JSON text as an expanded entity is: it was named `author/$ref`, a path no row has, so every
 * cell of it was empty without a word. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startServer, sendJson, sendText } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

async function referenceService(t: { after(fn: () => void): void }) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 404, "no $metadata");
    sendJson(res, 200, { value: [{ ID: 1, author: { "@odata.id": "Authors('austen')" } }, { ID: 2, author: null }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return server;
}

test("export --select ID --expand author/$ref to CSV: the column is author, holding the reference as JSON text", async (t) => {
  const server = await referenceService(t);
  const out = join(mkdtempSync(join(tmpdir(), "hunt40-expand-ref-")), "books.csv");
  const outcome = await cliInProcess(["export", server.url("odata/"), "Books", "--select", "ID", "--expand", "author/$ref", "--out", out]);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.deepEqual(
    server.requests.map((request) => request.path),
    ["/odata/$metadata", "/odata/Books?$select=ID&$expand=author/$ref"],
  );
  assert.equal(readFileSync(out, "utf8"), `ID,author\r\n1,"{""@odata.id"":""Authors('austen')""}"\r\n2,\r\n`);
});

test("query --expand author/$ref as a table: the author column shows the reference", async (t) => {
  const server = await referenceService(t);
  const outcome = await cliInProcess(["query", server.url("odata/"), "Books", "--select", "ID", "--expand", "author/$ref"]);
  assert.equal(outcome.code, 0, outcome.stderr);
  const [header, , first] = outcome.stdout.split("\n");
  assert.deepEqual(header?.trim().split(/\s+/), ["ID", "author"]);
  assert.match(first ?? "", /^1\s+\{"@odata\.id":"Authors\('austen'\)"\}$/);
});
