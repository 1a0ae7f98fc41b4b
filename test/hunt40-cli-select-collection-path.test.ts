/**
 * A `--select` path through a collection of complex values (`Addresses/City`) is a CSV or table
 * column that holds the values of the collection's members, as JSON text (a collection is written
 * so): the service sends `Addresses: [{ City: … }, …]`, and the column, read as a path of single
 * values, was empty in every row without a word. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startServer, sendJson, sendText } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

async function peopleService(t: { after(fn: () => void): void }) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 404, "no $metadata");
    sendJson(res, 200, {
      value: [
        { ID: 1, Addresses: [{ City: "Rome" }, { City: "Oslo, N" }] },
        { ID: 2, Addresses: [] },
        { ID: 3, Addresses: [{ Zip: "1" }] },
      ],
    }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return server;
}

test("export --select ID,Addresses/City to CSV: the column holds each row's cities as JSON text", async (t) => {
  const server = await peopleService(t);
  const out = join(mkdtempSync(join(tmpdir(), "hunt40-select-collection-")), "people.csv");
  const outcome = await cliInProcess(["export", server.url("odata/"), "People", "--select", "ID,Addresses/City", "--out", out]);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/$metadata", "/odata/People?$select=ID,Addresses/City"]);
  assert.equal(readFileSync(out, "utf8"), `ID,Addresses/City\r\n1,"[""Rome"",""Oslo, N""]"\r\n2,[]\r\n3,[null]\r\n`);
});

test("query --select ID,Addresses/City as a table: the same values", async (t) => {
  const server = await peopleService(t);
  const outcome = await cliInProcess(["query", server.url("odata/"), "People", "--select", "ID,Addresses/City"]);
  assert.equal(outcome.code, 0, outcome.stderr);
  const lines = outcome.stdout.split("\n").map((line) => line.trimEnd());
  assert.deepEqual(lines.slice(2, 5), ['1   ["Rome","Oslo, N"]', "2   []", "3   [null]"]);
});
