// What the command line does with stderr: a reader of stderr that goes away ends nothing; progress
// of a long-running operation elsewhere than on a terminal comes about once a second (and on a
// status change); the --debug wire log on a terminal keeps off the progress line; summaries count
// one row and one page in the singular; serve lists and takes only the options it uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { buildCli, finished, runCli, runInTerminal, shellQuote, show, startCli, tempDir, type CliResult, type RunOptions } from "./cli-harness.js";
import { startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";

/** A service of one set, Things: `pages` pages of `rows` rows (IDs from 1), each page after `delayMs`; `Nope` is not a set. */
async function thingsService(t: { after(fn: () => Promise<void>): void }, pages: number, rows: number, delayMs = 0): Promise<RecordingServer> {
  const server = await startServer(async (request, res) => {
    if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
    if (request.path.startsWith("/odata/Nope")) return sendJson(res, 404, { error: { code: "404", message: "Nope is not a set" } });
    if (request.path.startsWith("/odata/Things/$count")) return sendText(res, 200, String(pages * rows));
    const page = Number(/skiptoken=(\d+)/.exec(request.path)?.[1] ?? 0);
    if (delayMs > 0) await sleep(delayMs);
    const top = Number(/\$top=(\d+)/.exec(request.path)?.[1] ?? Infinity);
    const value = Array.from({ length: Math.min(rows, top) }, (_, i) => ({ ID: page * rows + i + 1, Name: `thing ${page * rows + i + 1}` }));
    sendJson(res, 200, page + 1 < pages && top > rows ? { value, "@odata.nextLink": `Things?$skiptoken=${page + 1}` } : { value });
  });
  t.after(() => server.close());
  return server;
}

/** The requests a server saw, as `METHOD path`, $metadata left out. */
const asked = (server: RecordingServer) => server.requests.filter((r) => !r.path.includes("$metadata")).map((r) => `${r.method} ${r.path}`);

/** Runs the binary with the reader of its stderr gone: at once, or after the first line it reads. */
async function withStderrGone(args: readonly string[], options: RunOptions & { afterFirstLine?: boolean } = {}): Promise<CliResult & { firstLine: string }> {
  const child = await startCli(args, options);
  let firstLine = "";
  if (options.afterFirstLine) {
    await new Promise<void>((resolve) => {
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
        firstLine += chunk;
        if (firstLine.includes("\n")) resolve();
      });
      child.once("close", () => resolve());
    });
    firstLine = firstLine.slice(0, firstLine.indexOf("\n") + 1);
  }
  child.stderr!.destroy();
  return { ...(await finished(child, options.timeoutMs)), firstLine };
}

test("stderr's reader gone: query writes its rows and exits 0, count of a set that is not there exits 3, count --debug prints its number", async (t) => {
  const server = await thingsService(t, 1, 5);
  const query = await withStderrGone(["query", server.url("odata/"), "Things", "--format", "csv", "--top", "5"]);
  assert.equal(query.code, 0, show(query));
  assert.equal(query.stdout, ["ID,Name", ...[1, 2, 3, 4, 5].map((id) => `${id},thing ${id}`), ""].join("\r\n"));

  const missing = await withStderrGone(["count", server.url("odata/"), "Nope"]);
  assert.equal(missing.code, 3, show(missing));
  assert.equal(missing.stdout, "");
  const json = await withStderrGone(["count", server.url("odata/"), "Nope", "--json"]);
  assert.equal(json.code, 3, show(json));

  const debug = await withStderrGone(["count", server.url("odata/"), "Things", "--debug"]);
  assert.equal(debug.code, 0, show(debug));
  assert.equal(debug.stdout, "5\n");
  assert.deepEqual(asked(server), ["GET /odata/Things?$top=5", "GET /odata/Nope/$count", "GET /odata/Nope/$count", "GET /odata/Things/$count"]);
});

test("export --progress whose stderr reader goes after the first line: the walk goes on to the last page, the file whole, no checkpoint left, exit 0", async (t) => {
  // 30 pages 50 ms apart: some 1.5 s, so that a progress line a second after the first meets the closed pipe mid-walk.
  const server = await thingsService(t, 30, 100, 50);
  const cwd = tempDir();
  const result = await withStderrGone(["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--progress"], { cwd, afterFirstLine: true });
  assert.match(result.firstLine, /^Things 0 rows {2}0 rows\/s {2}0 pages/);
  assert.equal(result.code, 0, show(result));
  const lines = readFileSync(join(cwd, "t.ndjson"), "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 3000);
  assert.deepEqual(JSON.parse(lines.at(-1)!), { ID: 3000, Name: "thing 3000" });
  assert.equal(existsSync(join(cwd, "t.ndjson.checkpoint.json")), false);
  const pages = asked(server).filter((request) => request.startsWith("GET /odata/Things?") || request === "GET /odata/Things");
  assert.equal(pages.length, 30, asked(server).join("\n"));
  assert.equal(pages.at(-1), "GET /odata/Things?$skiptoken=29");
});

test("call --async --progress when stderr is not a terminal: a line about once a second and one when the status changes, not one per poll", async (t) => {
  const POLLS = 40;
  let polls = 0;
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "none" } });
    if (request.method === "POST" && request.path === "/svc/run") return sendText(res, 202, "", { location: "/svc/monitor/1" });
    if (request.path === "/svc/monitor/1") {
      polls += 1;
      if (polls < POLLS) return sendJson(res, 200, { status: "Running", percentComplete: polls * 2 });
      return sendJson(res, 200, { "@odata.context": "$metadata#Edm.String", value: "done" });
    }
    sendJson(res, 404, { error: { code: "404", message: "none" } });
  });
  t.after(() => server.close());
  const started = performance.now();
  const result = await runCli(["call", server.url("svc/"), "run", "--async", "--progress", "--poll-interval", "20"]);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(result.code, 0, show(result));
  assert.equal(JSON.parse(result.stdout), "done");
  assert.deepEqual(asked(server), ["POST /svc/run", ...Array.from({ length: POLLS }, () => "GET /svc/monitor/1")]);
  const lines = result.stderr.trimEnd().split("\n");
  assert.match(lines.pop()!, /^run: Succeeded in \d+:\d\d$/);
  for (const line of lines) assert.match(line, /^run \[[#-]{30}\] +(\d+|\?)% {2}(Running|Succeeded) {2}\d+:\d\d$/);
  // The first line, one a second at most, and the change to Succeeded.
  assert.ok(lines.length <= 2 + Math.ceil(seconds), `${lines.length} lines in ${seconds.toFixed(1)} s:\n${result.stderr}`);
  assert.match(lines[0]!, /\?% {2}Running/);
  assert.match(lines.at(-1)!, /^run \[#{30}\] 100% {2}Succeeded {2}/);
  assert.equal(lines.filter((line) => line.includes("Succeeded")).length, 1);
});

test("--debug on a terminal: each wire-log line starts a line of its own, and the progress line is drawn again below it", async (t) => {
  // Pages 150 ms apart: the progress line (redrawn at most ten times a second) is up when the next request goes out.
  const server = await thingsService(t, 5, 10, 150);
  const main = await buildCli();
  const cwd = tempDir();
  const { code, output } = await runInTerminal(["node", main, "export", server.url("odata/"), "Things", "--out", "t.ndjson", "--debug"].map(shellQuote).join(" "), { cwd, env: { NO_COLOR: "1" } });
  assert.equal(code, 0, output);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8").trimEnd().split("\n").length, 50);
  const screen = screenLines(output);
  const logLines = screen.filter((line) => line.includes("traverse-odata #"));
  assert.ok(logLines.length >= 10, output);
  for (const line of logLines) assert.match(line, /^traverse-odata #\d+ [<>] /, `a wire-log line shares its line: ${JSON.stringify(line)}`);
  assert.match(output, /traverse-odata #\d+ [<>] [^\r\n]*\r?\nThings [\d,]+ rows? {2}/, "the progress line again after a log line");
  assert.match(screen.at(-1) ?? "", /^exported 50 rows in 5 pages to t\.ndjson in /);
  assert.deepEqual(asked(server).filter((request) => !request.includes("$count")), ["GET /odata/Things", ...[1, 2, 3, 4].map((page) => `GET /odata/Things?$skiptoken=${page}`)]);
});

test("one row, one page: the progress line and the summaries of query and export say row and page", async (t) => {
  const server = await thingsService(t, 1, 1);
  const query = await runCli(["query", server.url("odata/"), "Things", "--format", "csv", "--progress"]);
  assert.equal(query.code, 0, show(query));
  assert.equal(query.stdout, "ID,Name\r\n1,thing 1\r\n");
  const [progress, summary, ...rest] = query.stderr.split("\n");
  assert.match(progress!, /^Things 1 row {2}[\d,]+ rows\/s {2}1 page$/);
  assert.match(summary!, /^1 row in 1 page, \d+\.\d s$/);
  assert.deepEqual(rest, [""]);
  const cwd = tempDir();
  const exported = await runCli(["export", server.url("odata/"), "Things", "--out", "one.csv"], { cwd });
  assert.equal(exported.code, 0, show(exported));
  assert.match(exported.stderr, /^exported 1 row in 1 page to one\.csv in \d+\.\d s \([\d,]+ rows\/s\)\n$/);
  assert.equal(readFileSync(join(cwd, "one.csv"), "utf8"), "ID,Name\r\n1,thing 1\r\n");
  assert.deepEqual(asked(server), ["GET /odata/Things", "GET /odata/Things"]);
});

test("serve: a stray argument is told serve takes options only; the client options it has no use for are not in its help and are refused", async () => {
  const stray = await runCli(["serve", "extra"]);
  assert.equal(stray.code, 2, show(stray));
  assert.equal(stray.stderr, `error: serve: unexpected argument "extra"; expected [options] (see traverse-odata serve --help)\n`);
  const help = await runCli(["serve", "--help"]);
  assert.equal(help.code, 0, show(help));
  assert.match(help.stdout, /^traverse-odata serve \[options\]\n/);
  for (const option of ["--port", "--products", "--page-size", "--job-ms", "--log", "--json", "--quiet"]) assert.ok(help.stdout.includes(` ${option}`), `${option} in:\n${help.stdout}`);
  for (const option of ["--header", "--timeout", "--odata-version", "--config", "--debug", "--progress"]) assert.ok(!help.stdout.includes(option), `${option} in:\n${help.stdout}`);
  for (const args of [["-H", "X-A: b"], ["--timeout", "5"], ["--odata-version", "2.0"]]) {
    const refused = await runCli(["serve", "--port", "0", ...args]);
    assert.equal(refused.code, 2, show(refused));
    assert.equal(refused.stdout, "", "it did not start");
    assert.equal(refused.stderr, `error: serve: unknown option ${args[0]} (see traverse-odata serve --help)\n`);
  }
});

/** The lines a terminal shows for its output: carriage returns and line clears applied, colours left out. */
function screenLines(output: string): string[] {
  return output
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((raw) => {
      let line: string[] = [];
      let at = 0;
      for (const part of raw.split(/(\r|\u001b\[2K|\u001b\[[0-9;]*m)/)) {
        if (part === "\r") at = 0;
        else if (part === "\u001b[2K") line = [];
        else if (part.startsWith("\u001b[")) continue;
        else
          for (const char of part) {
            line[at] = char;
            at += 1;
          }
      }
      return line.join("").trimEnd();
    })
    .filter((line) => line !== "");
}
