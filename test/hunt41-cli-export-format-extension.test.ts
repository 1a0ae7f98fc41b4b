// `export --format F --out FILE` whose FILE's extension names another of the formats (CSV into
// `rows.json`, JSON into `rows.csv`) wrote it without a word, where the file's name then says
// what it does not hold: a warning on stderr names both, and the file holds what --format says.
// An extension that agrees, or names none of the formats, is written as before.
// Against a node:http service that answers $metadata and a page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { tempDir } from "./cli-harness.js";
import { sendJson, startServer } from "./servers/recording-server.js";

async function service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) {
      res.writeHead(404);
      res.end();
      return;
    }
    sendJson(res, 200, { value: [{ ID: 1, Name: "a" }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return server.url("svc/");
}

test("--format csv --out rows.json, --format json --out rows.CSV, --format ndjson --out rows.json: a warning names both", async (t) => {
  const url = await service(t);
  const dir = tempDir();
  for (const [format, file, says, holds] of [
    ["csv", "rows.json", "JSON", "ID,Name\r\n1,a\r\n"],
    ["json", "rows.CSV", "CSV", '[\n{"ID":1,"Name":"a"}\n]\n'],
    ["ndjson", "rows.json", "JSON", '{"ID":1,"Name":"a"}\n'],
    ["json", "rows.jsonl", "NDJSON", '[\n{"ID":1,"Name":"a"}\n]\n'],
  ] as const) {
    const result = await cliInProcess(["export", url, "Products", "--format", format, "--out", file], "", { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`^warning: ${file.replace(".", "\\.")}: its extension names ${says}; writing ${format === "ndjson" ? "NDJSON" : format.toUpperCase()}, as --format says\\n`));
    assert.equal(readFileSync(join(dir, file), "utf8"), holds);
  }
});

test("an extension that agrees with --format, one that names no format, and --out - get no such warning", async (t) => {
  const url = await service(t);
  const dir = tempDir();
  for (const [format, file] of [["csv", "rows.csv"], ["ndjson", "rows.jsonl"], ["json", "rows.JSON"], ["csv", "rows.txt"], ["csv", "-"]] as const) {
    const result = await cliInProcess(["export", url, "Products", "--format", format, "--out", file], "", { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /warning/, `${format} ${file}`);
  }
});
