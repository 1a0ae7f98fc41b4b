// Progress on stderr: drawn on a terminal (checked under a pseudo-terminal made by util-linux
// `script`), absent when stderr is piped, forced with --progress, silenced with --quiet, without
// colour under NO_COLOR; and nothing but data on stdout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildCli, runCli, runInTerminal, serveDemo, shellQuote, show, tempDir, type ServedDemo } from "./cli-harness.js";

let demo: ServedDemo;
let main: string;
before(async () => {
  demo = await serveDemo(["--products", "60000"]);
  main = await buildCli();
});
after(async () => {
  await demo?.stop();
});

/** The export every test runs: 60,000 products in pages of 500, to a file. */
const exportArgs = (out: string) => ["export", demo.serviceUrl, "Products", "--out", out, "--page-size", "500"];
const command = (args: string[]) => ["node", main, ...args].map(shellQuote).join(" ");
const ESC = "\u001b";

test("on a terminal: rows, rows/s, pages, a bar with the percentage and the ETA, redrawn in place, then the summary", async () => {
  const cwd = tempDir();
  const { code, output } = await runInTerminal(command(exportArgs("p.ndjson")), { cwd });
  assert.equal(code, 0, output);
  const draws = output.split("\r").filter((part) => part.startsWith(`${ESC}[2K`) && part.includes("Products"));
  assert.ok(draws.length >= 2, `expected the line to be redrawn, got ${JSON.stringify(output.slice(0, 600))}`);
  assert.ok(
    draws.some((draw) => /Products [\d,]+ rows {2}[\d,]+ rows\/s {2}[\d,]+ pages {2}\[#*-*\] +\d+% {2}ETA \d+:\d\d/.test(draw)),
    `no draw with the count's bar and ETA: ${JSON.stringify(draws.slice(0, 5))}`,
  );
  assert.match(output, new RegExp(`${ESC}\\[2m`), "dimmed on a terminal without NO_COLOR");
  assert.match(output, /exported 60,000 rows in 120 pages to p\.ndjson in \d+\.\d s \([\d,]+ rows\/s\)\r?\n/);
  assert.equal(readFileSync(join(cwd, "p.ndjson"), "utf8").split("\n").length, 60_001);
});

test("NO_COLOR: the same progress without colour", async () => {
  const { code, output } = await runInTerminal(command(exportArgs("p.ndjson")), { env: { NO_COLOR: "1" } });
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`\\r${ESC}\\[2KProducts [\\d,]+ rows`));
  assert.doesNotMatch(output, new RegExp(`${ESC}\\[[0-9;]*m`), "no colour escape at all");
});

test("--quiet on a terminal: neither progress nor summary", async () => {
  const { code, output } = await runInTerminal(command([...exportArgs("p.ndjson"), "--quiet"]));
  assert.equal(code, 0, output);
  assert.equal(output, "");
});

test("piped: no progress, the summary only; --progress forces plain progress lines; stdout holds nothing but data", async () => {
  const cwd = tempDir();
  const piped = await runCli(exportArgs("p.ndjson"), { cwd });
  assert.equal(piped.code, 0, show(piped));
  assert.equal(piped.stdout, "");
  assert.match(piped.stderr, /^exported 60,000 rows in 120 pages to p\.ndjson in \d+\.\d s \([\d,]+ rows\/s\)\n$/);

  const forced = await runCli([...exportArgs("p.ndjson"), "--progress"], { cwd });
  assert.equal(forced.code, 0, show(forced));
  const lines = forced.stderr.trimEnd().split("\n");
  assert.ok(lines.length >= 2, forced.stderr);
  assert.match(lines[0]!, /^Products [\d,]+ rows {2}[\d,]+ rows\/s {2}[\d,]+ pages/);
  assert.doesNotMatch(forced.stderr, new RegExp(`[\\r${ESC}]`), "plain lines: no carriage return, no escape");

  const query = await runCli(["query", demo.serviceUrl, "Products", "--top", "1500", "--format", "ndjson", "--progress", "--page-size", "500"]);
  assert.equal(query.code, 0, show(query));
  const data = query.stdout.trimEnd().split("\n");
  assert.equal(data.length, 1500);
  for (const line of data) assert.equal(typeof JSON.parse(line).ID, "number");
  assert.match(query.stderr, /Products [\d,]+ rows/);
});
