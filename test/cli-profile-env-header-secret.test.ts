/**
 * A profile header whose value comes from an environment variable (`{ "env": "TENANT_PASS" }`,
 * the way a secret stays out of the configuration file) is a secret whatever the header's name:
 * masked in the `--debug` wire log and in an error where the service echoes it, as a header named
 * like a credential is. It still goes to the service as given. A value written in the file is no
 * secret and shows. Over node:http on 127.0.0.1; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const PASS = "tenant-pass-4f9e1c2b7a";

test("a profile header read from the environment is masked in --debug and in an echoed error, and sent as given", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "none" } });
    sendJson(res, 403, { error: { code: "403", message: `tenant pass ${String(request.headers["x-tenant-pass"])} is not valid for tenant ${String(request.headers["x-tenant"])}` } });
  });
  t.after(() => server.close());
  const cwd = mkdtempSync(join(tmpdir(), "traverse-cli-env-header-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { p: { url: server.url("svc/"), headers: { "X-Tenant-Pass": { env: "TENANT_PASS" }, "X-Tenant": "tenant-in-the-file" } } } }));

  for (const args of [["count", "p", "Things", "--debug"], ["get", "p", "Things", "1"], ["query", "p", "Things", "--json"]]) {
    const outcome = await cliInProcess(args, "", { cwd, env: { TENANT_PASS: PASS } });
    assert.equal(outcome.code, 3, show(outcome));
    assert.ok(!`${outcome.stdout}${outcome.stderr}`.includes(PASS), show(outcome));
    assert.match(outcome.stderr, /tenant pass \*\*\* is not valid for tenant tenant-in-the-file/);
    if (args.includes("--debug")) assert.match(outcome.stderr, /^traverse-odata #1 > GET \S+ \{.*"x-tenant-pass":"\*\*\*"/m);
  }
  assert.ok(server.requests.length > 0 && server.requests.every((request) => request.headers["x-tenant-pass"] === PASS));
});
