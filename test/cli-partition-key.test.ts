/**
 * `export --partition-key` is checked as `partitions()` checks its `key`, and a bad one is named
 * by the option the user gave, before anything is sent. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startServer, sendJson } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

test("export --parallel with a --partition-key that is no property path: exit 2, the option named, nothing sent", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
  t.after(() => server.close());
  const out = join(tmpdir(), `traverse-partition-key-${process.pid}.ndjson`);
  const outcome = await cliInProcess(["export", server.url("odata/"), "Items", "--parallel", "2", "--partition-key", "a b", "--out", out]);
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.match(outcome.stderr, /--partition-key: the string "a b" is not an OData property path/);
  assert.doesNotMatch(outcome.stderr, /partitions\(n\)/);
  assert.deepEqual(server.requests, []);
});
