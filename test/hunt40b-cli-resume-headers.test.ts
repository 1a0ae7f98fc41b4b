/**
 * `export --resume` checks the headers that choose the rows (`-H "sap-client: 100"`, as the README
 * recommends for SAP's client): a resume with another value would append the rows of another SAP
 * client to the file, so it is refused (exit 2, the header named, nothing asked or appended). The
 * checkpoint keeps those headers, never a secret one (`Authorization`, `x-api-key`), names nor
 * values; a checkpoint saved before headers were kept still resumes. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startServer, sendJson, type RecordingServer } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

/** Two pages of rows of the SAP client asked for; the second page fails (400) until `healthy`. */
async function sapService(t: { after(fn: () => unknown): void }) {
  const state = { healthy: false };
  const server: RecordingServer = await startServer((req, res) => {
    const client = String(req.headers["sap-client"] ?? "none");
    if (req.path.includes("skiptoken=2")) {
      if (!state.healthy) return sendJson(res, 400, { error: { code: "X", message: "not now" } });
      return sendJson(res, 200, { value: [{ ID: 2, client }] });
    }
    sendJson(res, 200, { value: [{ ID: 1, client }], "@odata.nextLink": server.url("odata/Items?$skiptoken=2") });
  });
  t.after(() => server.close());
  return { server, state };
}

async function stoppedExport(t: { after(fn: () => unknown): void }, headers: string[]) {
  const { server, state } = await sapService(t);
  const cwd = mkdtempSync(join(tmpdir(), "hunt40b-resume-headers-"));
  const args = ["export", server.url("odata/"), "Items", "--out", "items.ndjson", "--odata-version", "4.0"];
  const first = await cliInProcess([...args, ...headers], "", { cwd });
  assert.notEqual(first.code, 0, first.stderr);
  const checkpointFile = join(cwd, "items.ndjson.checkpoint.json");
  const checkpointText = readFileSync(checkpointFile, "utf8");
  assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1,"client":"100"}\n');
  state.healthy = true;
  return { server, cwd, args, checkpointFile, checkpointText };
}

test("export -H sap-client: 100 stopped, --resume with -H sap-client: 200 is refused (exit 2, the header named), nothing asked or appended", async (t) => {
  const { server, cwd, args } = await stoppedExport(t, ["-H", "sap-client: 100"]);
  const asked = server.requests.length;
  const resumed = await cliInProcess([...args, "-H", "sap-client: 200", "--resume"], "", { cwd });
  assert.equal(resumed.code, 2, resumed.stderr);
  assert.match(resumed.stderr, /is of another export \(header sap-client: "100", not "200"\)/);
  assert.equal(server.requests.length, asked);
  assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1,"client":"100"}\n');
  // Without the header at all, refused too.
  const without = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(without.code, 2, without.stderr);
  assert.match(without.stderr, /header sap-client: "100", not sent now\)/);
  assert.equal(server.requests.length, asked);
});

test("export -H sap-client: 100 stopped, --resume with the same header goes on: the rows of one SAP client", async (t) => {
  const { server, cwd, args } = await stoppedExport(t, ["-H", "sap-client: 100"]);
  const resumed = await cliInProcess([...args, "-H", "SAP-Client: 100", "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1,"client":"100"}\n{"ID":2,"client":"100"}\n');
  assert.equal(server.requests.at(-1)?.headers["sap-client"], "100");
});

test("the checkpoint keeps sap-client but no secret header, names nor values; a changed credential still resumes", async (t) => {
  const secrets = ["Authorization: Bearer tok-SECRET-1234", "x-api-key: key-SECRET-5678"];
  const { server, cwd, args, checkpointText } = await stoppedExport(t, ["-H", "sap-client: 100", ...secrets.flatMap((h) => ["-H", h])]);
  assert.deepEqual(JSON.parse(checkpointText).headers, { "sap-client": "100" });
  assert.doesNotMatch(checkpointText, /SECRET|authorization|x-api-key/i);
  const resumed = await cliInProcess([...args, "-H", "sap-client: 100", "-H", "Authorization: Bearer tok-OTHER", "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(server.requests.at(-1)?.headers.authorization, "Bearer tok-OTHER");
});

test("a profile's header read from the environment is a secret whatever its name: not in the checkpoint; its plain sap-client is", async (t) => {
  const { server, state } = await sapService(t);
  const cwd = mkdtempSync(join(tmpdir(), "hunt40b-resume-headers-"));
  writeFileSync(
    join(cwd, "traverse-odata.config.json"),
    JSON.stringify({ profiles: { s4: { url: server.url("odata/"), version: "4.0", headers: { "sap-client": "100", "x-tenant": { env: "TENANT_PASS" } } } } }),
  );
  const env = { TENANT_PASS: "tp-7" };
  const first = await cliInProcess(["export", "s4", "Items", "--out", "items.ndjson"], "", { cwd, env });
  assert.notEqual(first.code, 0, first.stderr);
  assert.equal(server.requests[0]?.headers["x-tenant"], "tp-7");
  const checkpointText = readFileSync(join(cwd, "items.ndjson.checkpoint.json"), "utf8");
  assert.deepEqual(JSON.parse(checkpointText).headers, { "sap-client": "100" });
  assert.doesNotMatch(checkpointText, /tp-7|x-tenant/);
  state.healthy = true;
  const resumed = await cliInProcess(["export", "s4", "Items", "--out", "items.ndjson", "--resume"], "", { cwd, env });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1,"client":"100"}\n{"ID":2,"client":"100"}\n');
});

test("a checkpoint saved before headers were kept (no headers field) still resumes", async (t) => {
  const { cwd, args, checkpointFile, checkpointText } = await stoppedExport(t, ["-H", "sap-client: 100"]);
  const { headers: _kept, ...older } = JSON.parse(checkpointText) as Record<string, unknown>;
  writeFileSync(checkpointFile, JSON.stringify(older));
  const resumed = await cliInProcess([...args, "-H", "sap-client: 100", "--resume"], "", { cwd });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(readFileSync(join(cwd, "items.ndjson"), "utf8"), '{"ID":1,"client":"100"}\n{"ID":2,"client":"100"}\n');
});

test("export --parallel keeps the headers in its checkpoint and refuses a resume with another sap-client", async (t) => {
  const { server } = await sapService(t);
  const cwd = mkdtempSync(join(tmpdir(), "hunt40b-resume-headers-"));
  // The checkpoint of a parallel export that was stopped: its plan, as the command saves it.
  const args = ["export", server.url("odata/"), "Items", "--out", "items.ndjson", "--odata-version", "4.0", "--parallel", "2"];
  writeFileSync(
    join(cwd, "items.ndjson.checkpoint.json"),
    JSON.stringify({
      type: "traverse-odata/export-parallel",
      version: 1,
      request: server.url("odata/Items"),
      odataVersion: "4.0",
      headers: { "sap-client": "100" },
      format: "ndjson",
      out: join(cwd, "items.ndjson"),
      plan: [{ kind: "skip", index: 0, of: 2, skip: 0, top: 1 }, { kind: "skip", index: 1, of: 2, skip: 1, top: 1 }],
      parts: [{ file: join(cwd, "p1"), checkpoint: join(cwd, "p1.json") }, { file: join(cwd, "p2"), checkpoint: join(cwd, "p2.json") }],
      savedAt: new Date().toISOString(),
    }),
  );
  const resumed = await cliInProcess([...args, "-H", "sap-client: 200", "--resume"], "", { cwd });
  assert.equal(resumed.code, 2, resumed.stderr);
  assert.match(resumed.stderr, /is of another export \(header sap-client: "100", not "200"\)/);
  assert.deepEqual(server.requests, []);
});
