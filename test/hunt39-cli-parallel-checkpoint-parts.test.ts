/**
 * A parallel export's checkpoint whose `parts` are not each a file and a checkpoint (a damaged or
 * hand-edited one: `null`, numbers) is refused as damaged, naming the checkpoint (exit 2), before
 * anything is asked or written, as the README promises of a checkpoint checked before it is used:
 * it was used as it was, and the export stopped on JavaScript's own words ("Cannot read properties
 * of null", exit 2) or on Node's ("cannot read the checkpoint 2: ERR_INVALID_ARG_TYPE", exit 1).
 * Over node:http on 127.0.0.1; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess, showOutcome as show } from "./cli-in-process.js";
import { sendText, startServer } from "./servers/recording-server.js";

test("a parallel checkpoint whose parts are not files is refused as damaged, nothing asked or written", async (t) => {
  const server = await startServer((_request, res) => sendText(res, 500, ""));
  t.after(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), "traverse-hunt39-parallel-parts-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const root = server.url("svc/");
  const out = join(cwd, "things.ndjson");
  const partition = (index: number, filter: string) => ({ type: "traverse-odata/partition", version: 1, entitySet: "Things", index, of: 2, kind: "key-range", key: ["ID"], filter, url: `${root}Things?$filter=${encodeURIComponent(filter)}` });
  const plan = [partition(0, "ID lt 10"), partition(1, "ID ge 10")];
  writeFileSync(out, "earlier rows\n");

  for (const [name, parts] of [
    ["nulls.json", [null, null]],
    ["numbers.json", [{ file: 1, checkpoint: 2 }, { file: 3, checkpoint: 4 }]],
    ["halves.json", [{ file: join(cwd, "a.part") }, { checkpoint: join(cwd, "b.json") }]],
  ] as const) {
    const checkpoint = join(cwd, name);
    writeFileSync(checkpoint, JSON.stringify({ type: "traverse-odata/export-parallel", version: 1, request: `${root}Things`, odataVersion: "4.0", format: "ndjson", out, plan, parts, savedAt: "2026-01-01T00:00:00.000Z" }));
    const outcome = await cliInProcess(["export", root, "Things", "--parallel", "2", "--out", "things.ndjson", "--checkpoint", name, "--resume", "--odata-version", "4.0"], "", { cwd });
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: the checkpoint ${checkpoint} is damaged: its parts are not each a file and a checkpoint; delete it to start again\n`);
    assert.equal(outcome.stdout, "");
  }
  assert.equal(server.requests.length, 0);
  assert.equal(readFileSync(out, "utf8"), "earlier rows\n");
});
