// What the command line does with stderr: a reader of stderr that goes away ends nothing; progress
// of a long-running operation elsewhere than on a terminal comes about once a second (and on a
// status change); the --debug wire log on a terminal keeps off the progress line; summaries count
// one row and one page in the singular; serve lists and takes only the options it uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { buildCli, cliEnv, finished, runCli, shellQuote, show, startCli, tempDir, type CliResult, type RunOptions } from "./cli-harness.js";
import { startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";

/** A service of one set, Things: `pages` pages of `rows` rows (IDs from 1), page `n` answered once `hold(n)` resolves; `Nope` is not a set. */
async function thingsService(t: { after(fn: () => Promise<void>): void }, pages: number, rows: number, hold?: (page: number) => Promise<void>): Promise<RecordingServer> {
  const server = await startServer(async (request, res) => {
    if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
    if (request.path.startsWith("/odata/Nope")) return sendJson(res, 404, { error: { code: "404", message: "Nope is not a set" } });
    if (request.path.startsWith("/odata/Things/$count")) return sendText(res, 200, String(pages * rows));
    const page = Number(/skiptoken=(\d+)/.exec(request.path)?.[1] ?? 0);
    await hold?.(page);
    const top = Number(/\$top=(\d+)/.exec(request.path)?.[1] ?? Infinity);
    const value = Array.from({ length: Math.min(rows, top) }, (_, i) => ({ ID: page * rows + i + 1, Name: `thing ${page * rows + i + 1}` }));
    sendJson(res, 200, page + 1 < pages && top > rows ? { value, "@odata.nextLink": `Things?$skiptoken=${page + 1}` } : { value });
  });
  t.after(() => server.close());
  return server;
}

/** The requests a server saw, as `METHOD path`, $metadata left out. */
const asked = (server: RecordingServer) => server.requests.filter((r) => !r.path.includes("$metadata")).map((r) => `${r.method} ${r.path}`);

/** The requests for pages of Things a server saw ($count left out). */
const pagesAsked = (server: RecordingServer) => asked(server).filter((request) => request.startsWith("GET /odata/Things?") || request === "GET /odata/Things");

/**
 * Runs the binary with the reader of its stderr gone: at once, or after the first line it reads.
 * `onGone` is called once the pipe is closed, while the run goes on.
 */
async function withStderrGone(args: readonly string[], options: RunOptions & { afterFirstLine?: boolean; onGone?: () => void } = {}): Promise<CliResult & { firstLine: string }> {
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
  await once(child.stderr!, "close");
  options.onGone?.();
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
  // The second page is held until the pipe is closed and a second more has passed. A progress
  // line comes at most once a second, so the line after that page is due whenever the last one
  // was drawn: it (or one drawn earlier, already after the close) meets the closed pipe, with 28
  // pages still to ask for.
  let gone!: () => void;
  const pipeClosed = new Promise<void>((resolve) => (gone = resolve));
  const server = await thingsService(t, 30, 100, async (page) => {
    if (page !== 1) return;
    await pipeClosed;
    await sleep(1100);
  });
  let pagesAtClose: string[] = [];
  const cwd = tempDir();
  const result = await withStderrGone(["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--progress"], {
    cwd,
    afterFirstLine: true,
    onGone: () => {
      pagesAtClose = pagesAsked(server);
      gone();
    },
  });
  assert.match(result.firstLine, /^Things 0 rows {2}0 rows\/s {2}0 pages/);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.signal, null);
  assert.equal(result.stdout, "", "the rows go to the file, nothing to stdout");
  // Closed mid-walk: the first two pages at most were asked for when the pipe closed, the rest after.
  assert.ok(pagesAtClose.length <= 2, pagesAtClose.join("\n"));
  const lines = readFileSync(join(cwd, "t.ndjson"), "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 3000);
  assert.deepEqual(JSON.parse(lines.at(-1)!), { ID: 3000, Name: "thing 3000" });
  assert.equal(existsSync(join(cwd, "t.ndjson.checkpoint.json")), false);
  const pages = pagesAsked(server);
  assert.deepEqual(pages, ["GET /odata/Things", ...Array.from({ length: 29 }, (_, i) => `GET /odata/Things?$skiptoken=${i + 1}`)], asked(server).join("\n"));
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
  const main = await buildCli();
  const cwd = tempDir();
  let terminal!: RunningTerminal;
  // Page n is answered once the terminal shows the progress line of n pages, and a tenth of a
  // second later: the line is redrawn at most ten times a second, so the next page's line is then
  // due, and the answer's wire-log line comes while a progress line is up, however slow the machine.
  const server = await thingsService(t, 5, 10, async (page) => {
    await terminal.shows(progressLine(page * 10, page));
    await sleep(110);
  });
  terminal = startInTerminal(["node", main, "export", server.url("odata/"), "Things", "--out", "t.ndjson", "--debug"].map(shellQuote).join(" "), { cwd, env: { NO_COLOR: "1" } });
  const { code, output } = await terminal.finished;
  assert.equal(code, 0, output);
  assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8").trimEnd().split("\n").length, 50);
  const screen = screenLines(output);
  const logLines = screen.filter((line) => line.includes("traverse-odata #"));
  assert.ok(logLines.length >= 10, output);
  for (const line of logLines) assert.match(line, /^traverse-odata #\d+ [<>] /, `a wire-log line shares its line: ${JSON.stringify(line)}`);
  // Each page's answer, logged while the line of the pages before it was up, has that line below it again.
  for (let page = 0; page < 5; page += 1) {
    const answer = `traverse-odata #\\d+ < 200 GET http://\\S+/odata/Things${page === 0 ? "" : `\\?\\$skiptoken=${page}`} `;
    assert.match(output, new RegExp(`${answer}[^\\r\\n]*\\r?\\n${progressLine(page * 10, page).source}`), `the line of ${page} pages again below the answer to page ${page}`);
  }
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

/** The progress line of a walk of Things at `rows` rows and `pages` pages, as drawn (the rate and what follows left open). */
const progressLine = (rows: number, pages: number) => new RegExp(`Things ${rows} rows? {2}[\\d,]+ rows/s {2}${pages} pages?(?![\\d,])`);

/** A command line running under a pseudo-terminal: what it has shown can be waited for while it runs. */
interface RunningTerminal {
  /** Resolves once the terminal has received text that `pattern` matches (or after 5 s, and the test then fails on the output). */
  shows(pattern: RegExp): Promise<void>;
  finished: Promise<{ code: number | null; output: string }>;
}

/** Starts a command line as the harness's runInTerminal runs it (util-linux `script`, 160 columns), readable as it goes. */
function startInTerminal(commandLine: string, options: { cwd: string; env: Record<string, string> }): RunningTerminal {
  const child = spawn("script", ["-q", "-e", "-c", `stty cols 160 rows 40 2>/dev/null; ${commandLine}`, "/dev/null"], { cwd: options.cwd, env: cliEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end();
  let received = "";
  const waiting = new Set<() => void>();
  // finished() reads the output as text: it is set to utf8 before this listener comes.
  const run = finished(child);
  child.stdout.on("data", (chunk: string) => {
    received += chunk;
    for (const check of waiting) check();
  });
  return {
    shows: (pattern) =>
      new Promise<void>((resolve) => {
        const giveUp = setTimeout(done, 5000);
        function done() {
          clearTimeout(giveUp);
          waiting.delete(check);
          resolve();
        }
        function check() {
          if (pattern.test(received)) done();
        }
        waiting.add(check);
        check();
      }),
    finished: run.then((result) => ({ code: result.code, output: result.stdout + result.stderr })),
  };
}

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
