/**
 * An option that takes one value, given twice, is refused (exit 2, naming the option) before
 * anything is sent, rather than the last value taking the place of the first without a word: two
 * `--filter`s exported the rows of the second alone (the first never reached the service), two
 * `--out`s wrote the second file. A repeatable option (`-H`) and a flag given twice stay as they
 * were. Over node:http on 127.0.0.1; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess, showOutcome as show } from "./cli-in-process.js";
import { sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const PAGE = `{"@odata.context":"$metadata#Things","value":[{"ID":1},{"ID":2}]}`;

async function thingService(t: { after(fn: () => unknown): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path.startsWith("/svc/Things")) return sendText(res, 200, PAGE, { "content-type": "application/json", "odata-version": "4.0" });
    sendText(res, 404, "");
  });
  t.after(() => server.close());
  return server;
}

test("a one-value option given twice is refused by query, export and count, naming it, and nothing is sent or written", async (t) => {
  const server = await thingService(t);
  const cwd = mkdtempSync(join(tmpdir(), "traverse-hunt39-option-twice-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const url = server.url("svc/");
  const cases: [string[], string][] = [
    [["export", url, "Things", "--filter", "ID gt 1", "--filter", "ID lt 3", "--out", "-"], "export: option --filter is given twice"],
    [["export", url, "Things", "--out", "a.ndjson", "--out=b.ndjson"], "export: option --out is given twice"],
    [["query", url, "Things", "--format", "ndjson", "--top", "1", "--top", "5"], "query: option --top is given twice"],
    [["count", url, "Things", "--filter", "ID gt 1", "--timeout", "5000", "--filter", "ID lt 3"], "count: option --filter is given twice"],
  ];
  for (const [args, message] of cases) {
    const outcome = await cliInProcess(args, "", { cwd });
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: ${message}; give it once (see traverse-odata ${args[0]} --help)\n`);
    assert.equal(outcome.stdout, "");
  }
  assert.equal(server.requests.length, 0);
  assert.equal(existsSync(join(cwd, "a.ndjson")) || existsSync(join(cwd, "b.ndjson")), false);
});

test("a flag given twice and the repeatable options (-H, --trust-origin) stay taken: the request carries the filter and both headers", async (t) => {
  const server = await thingService(t);
  const outcome = await cliInProcess(["query", server.url("svc/"), "Things", "--format", "ndjson", "--quiet", "--quiet", "--filter", "ID gt 0", "-H", "X-One: 1", "-H", "X-Two: 2", "--trust-origin", "http://127.0.0.1:1", "--trust-origin", "http://127.0.0.1:2"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal(outcome.stdout, '{"ID":1}\n{"ID":2}\n');
  const [request, ...more] = server.requests;
  assert.equal(more.length, 0);
  assert.equal(new URL(request?.path ?? "", server.origin).searchParams.get("$filter"), "ID gt 0");
  assert.equal(request?.headers["x-one"], "1");
  assert.equal(request?.headers["x-two"], "2");
});
