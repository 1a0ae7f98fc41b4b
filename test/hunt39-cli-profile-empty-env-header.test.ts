/**
 * A profile header read from an environment variable (`{ "env": "TENANT_KEY" }`) whose variable is
 * set but empty is refused as an unset one is (exit 2, naming the variable and the header, before
 * anything is sent), as an empty `TRAVERSE_ODATA_*` variable and an empty `oauth2.clientSecretEnv`
 * count as unset: a CI job whose secret is not configured gets an empty variable, and the header
 * went out empty, the service's 401 saying nothing of the variable. Over node:http on 127.0.0.1;
 * the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess, showOutcome as show } from "./cli-in-process.js";
import { sendText, startServer } from "./servers/recording-server.js";

test("a profile header whose environment variable is empty is refused as an unset one, and nothing is sent", async (t) => {
  const server = await startServer((request, res) => {
    if (request.headers["x-tenant-key"] === "") return sendText(res, 401, '{"error":{"code":"401","message":"no key"}}', { "content-type": "application/json" });
    sendText(res, 200, "3", { "content-type": "text/plain" });
  });
  t.after(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), "traverse-hunt39-empty-env-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { p: { url: server.url("svc/"), headers: { "X-Tenant-Key": { env: "TENANT_KEY" } } } } }));

  for (const env of [{}, { TENANT_KEY: "" }]) {
    const outcome = await cliInProcess(["count", "p", "Things"], "", { cwd, env });
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, 'error: profile "p": the environment variable TENANT_KEY of header X-Tenant-Key is not set\n');
    assert.equal(outcome.stdout, "");
  }
  assert.equal(server.requests.length, 0);

  // Set, it goes with the request.
  const set = await cliInProcess(["count", "p", "Things"], "", { cwd, env: { TENANT_KEY: "key-0123456789" } });
  assert.equal(set.code, 0, show(set));
  assert.equal(set.stdout, "3\n");
  assert.deepEqual(server.requests.map((request) => `${request.path} ${String(request.headers["x-tenant-key"])}`), ["/svc/Things/$count key-0123456789"]);
});
