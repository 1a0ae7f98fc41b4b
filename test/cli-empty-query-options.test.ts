/**
 * `--select`, `--expand` and `--orderby` given an empty (or blank) text are refused (exit 2,
 * naming the option) before a page is read, as an empty `--filter` is: `--select "$COLUMNS"` with
 * the variable unset exported every property without a word. Over node:http on 127.0.0.1; the
 * command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess, showOutcome as show } from "./cli-in-process.js";
import { sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const PAGE = `{"@odata.context":"$metadata#Things","value":[{"ID":1,"name":"one"}]}`;
const ENTITY = `{"@odata.context":"$metadata#Things/$entity","ID":1,"name":"one"}`;

async function thingService(t: { after(fn: () => unknown): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path.startsWith("/svc/Things(1)")) return sendText(res, 200, ENTITY, { "content-type": "application/json", "odata-version": "4.0" });
    if (request.path.startsWith("/svc/Things")) return sendText(res, 200, PAGE, { "content-type": "application/json", "odata-version": "4.0" });
    sendText(res, 404, "");
  });
  t.after(() => server.close());
  return server;
}

test("an empty --select, --expand or --orderby is refused by query, export and get, naming it, and no entity is read", async (t) => {
  const server = await thingService(t);
  const url = server.url("svc/");
  const cases: [string[], string][] = [
    [["query", url, "Things", "--select", ""], "select"],
    [["query", url, "Things", "--select", "  "], "select"],
    [["export", url, "Things", "--out", "-", "--expand", ""], "expand"],
    [["query", url, "Things", "--orderby", ""], "orderby"],
    [["get", url, "Things", "1", "--select", ""], "select"],
    [["get", url, "Things", "1", "--expand", " "], "expand"],
  ];
  for (const [args, option] of cases) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: --${option} is empty; give what it names, or leave it out\n`, show(outcome));
    assert.equal(outcome.stdout, "");
  }
  assert.deepEqual(server.requests.filter((r) => r.path.startsWith("/svc/Things")).map((r) => r.path), []);
  // Given a text, the same options are sent.
  const outcome = await cliInProcess(["query", url, "Things", "--format", "ndjson", "--select", "name", "--orderby", "name"]);
  assert.equal(outcome.code, 0, show(outcome));
  const sent = server.requests.filter((r) => r.path.startsWith("/svc/Things")).map((r) => decodeURIComponent(r.path));
  assert.deepEqual(sent, ["/svc/Things?$select=name&$orderby=name"]);
});
