/**
 * `-H` header names are case-insensitive, in both directions: a header given twice is refused
 * whether its two names are written alike (`-H "X-A: 1" -H "X-A: 2"`) or not, rather than sending
 * the last one without a word; and an `-H` takes the place of a profile's header of the same name
 * however either writes the name (`SAP-Client` over a profile's `sap-client`), as it does where
 * both are written alike, rather than being refused as a header "named twice". Over node:http on
 * 127.0.0.1; the command line runs in this process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess, showOutcome as show } from "./cli-in-process.js";
import { sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

async function countingServer(t: { after(fn: () => unknown): void }): Promise<RecordingServer> {
  const server = await startServer((_request, res) => sendText(res, 200, "7", { "content-type": "text/plain" }));
  t.after(() => server.close());
  return server;
}

test("a header given twice with -H is refused whether its names are written alike or not, and nothing is sent", async (t) => {
  const server = await countingServer(t);
  for (const [first, second] of [
    ["X-Tenant: one", "X-Tenant: two"],
    ["If-Match: *", 'If-Match: W/"1"'],
    ["X-Tenant: one", "x-tenant: two"],
  ] as const) {
    const outcome = await cliInProcess(["count", server.url("svc/"), "Things", "-H", first, "-H", second]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.match(outcome.stderr, /^error: --header \(-H\) names the header "[^"]+" twice \(names are case-insensitive\)\n$/, show(outcome));
    assert.equal(outcome.stdout, "");
  }
  assert.equal(server.requests.length, 0);
});

test("an -H takes the place of a profile's header of the same name, whatever the case of either name", async (t) => {
  const server = await countingServer(t);
  const cwd = mkdtempSync(join(tmpdir(), "traverse-hunt39-header-names-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { p: { url: server.url("svc/"), headers: { "sap-client": "100", "X-Other": "kept" } } } }));

  for (const given of ["sap-client: 200", "SAP-Client: 200"]) {
    server.requests.length = 0;
    const outcome = await cliInProcess(["count", "p", "Things", "-H", given], "", { cwd });
    assert.equal(outcome.code, 0, show(outcome));
    assert.equal(outcome.stdout, "7\n");
    const [request, ...more] = server.requests;
    assert.equal(more.length, 0);
    assert.equal(request?.path, "/svc/Things/$count");
    assert.equal(request?.headers["sap-client"], "200");
    assert.equal(request?.headers["x-other"], "kept");
  }
});
