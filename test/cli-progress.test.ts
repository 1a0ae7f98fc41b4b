// Progress on stderr: drawn on a terminal (checked under a pseudo-terminal made by util-linux
// `script`), absent when stderr is piped, forced with --progress (a plain line at most once a
// second), silenced with --quiet, without colour under NO_COLOR; and nothing but data on stdout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { buildCli, runCli, runInTerminal, serveDemo, shellQuote, show, tempDir, type ServedDemo } from "./cli-harness.js";
import { startServer, sendJson, sendText } from "./servers/recording-server.js";

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

test("piped with --progress: plain lines never less than a second apart, though a page comes every 50 ms", async (t) => {
  // 70 pages of 1,000 rows, one every 50 ms: some 3.5 s, and every page a chance for a line.
  const PAGES = 70;
  const ROWS = 1000;
  const server = await startServer(async (request, res) => {
    if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
    if (request.path.includes("/$count")) return sendText(res, 200, String(PAGES * ROWS));
    const page = Number(/skiptoken=(\d+)/.exec(request.path)?.[1] ?? 0);
    await sleep(50);
    const value = Array.from({ length: ROWS }, (_, i) => ({ ID: page * ROWS + i + 1 }));
    sendJson(res, 200, page + 1 < PAGES ? { value, "@odata.nextLink": `Things?$skiptoken=${page + 1}` } : { value });
  });
  t.after(() => server.close());
  const result = await runCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--progress"]);
  assert.equal(result.code, 0, show(result));
  const lines = result.stderr.trimEnd().split("\n");
  assert.match(lines.pop()!, /^exported 70,000 rows in 70 pages to t\.ndjson in /);
  // When each line was drawn, by the process's own clock rather than by when the test read it
  // (which adds the delays of two processes): rows over the rows per second since the start. The
  // rate is rounded to a whole number, so the time lies between two bounds; the first line, of 0
  // rows, is drawn as the walk starts, at 0 ms or later.
  const drawn = lines.map((line) => {
    const match = /^Things ([\d,]+) rows {2}([\d,]+) rows\/s {2}[\d,]+ pages/.exec(line);
    assert.ok(match, `not a progress line: ${JSON.stringify(line)}\n${result.stderr}`);
    const [rows, rate] = [match[1]!, match[2]!].map((digits) => Number(digits.replaceAll(",", ""))) as [number, number];
    return rows === 0 ? { earliest: 0, latest: Infinity } : { earliest: (rows / (rate + 0.5)) * 1000, latest: (rows / (rate - 0.5)) * 1000 };
  });
  assert.ok(drawn.length >= 3, `expected lines while the export ran:\n${result.stderr}`);
  for (let i = 1; i < drawn.length; i++) {
    const apart = drawn[i]!.latest - drawn[i - 1]!.earliest;
    assert.ok(apart >= 1000, `line ${i + 1} came at most ${apart.toFixed(1)} ms after the one before:\n${result.stderr}`);
  }
});
