/**
 * `--plan-file`, `--strategy` or `--partition-key` given alone, without `--parallel` or
 * `--partition`: refused with exit 2 before anything is sent, in words that agree with the one
 * option named ("--partition-key plans ...", where it said "--partition-key plan ..."). Two or
 * more keep the plural. The command line runs in this process against a node:http service on
 * 127.0.0.1 that records what it is asked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess, showOutcome as show } from "./cli-in-process.js";
import { sendJson, startServer } from "./servers/recording-server.js";

test("one planning option without partitions: exit 2, its verb singular; nothing sent", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }, { "odata-version": "4.0" }));
  t.after(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), "traverse-hunt41b-plan-options-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  for (const [extra, named] of [
    [["--partition-key", "ID"], "--partition-key plans"],
    [["--strategy", "skip"], "--strategy plans"],
    [["--plan-file", "p.json"], "--plan-file plans"],
    [["--strategy", "skip", "--partition-key", "ID"], "--strategy and --partition-key plan"],
  ] as const) {
    const outcome = await cliInProcess(["export", server.url("svc/"), "Items", "--out", "x.ndjson", ...extra], "", { cwd });
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: ${named} the partitions of --parallel N or --partition K/N; without either there is nothing to plan\n`);
  }
  assert.equal(server.requests.length, 0);
  assert.deepEqual(readdirSync(cwd), []);
});
