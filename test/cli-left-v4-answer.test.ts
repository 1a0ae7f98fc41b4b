// `get` and `call` set to OData 2.0 (`--odata-version 2.0`, or a profile's "version": "2.0")
// against a service whose successful JSON answer carries `OData-Version: 4.0`: the command stops
// with exit 2 and the words of the hint of an unreadable answer (test/cli-minor-version-hint.test.ts),
// where it printed the v4 entity, or an operation's {"@odata.context", "value"} envelope, as if
// it were the v2 result. A v2 service's answer (DataServiceVersion) is printed as before, and an
// answer that is no JSON (the EDMX of $metadata) does not stop the command. Over node:http
// services on 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Product"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType>
<Function Name="cheapest"><ReturnType Type="Edm.String"/></Function>
<Action Name="restock"><ReturnType Type="Edm.Int32"/></Action>
<EntityContainer Name="C"><EntitySet Name="Products" EntityType="S.Product"/><FunctionImport Name="cheapest" Function="S.cheapest"/><ActionImport Name="restock" Action="S.restock"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A service of OData version `version` ("4.0": OData-Version, "2.0": DataServiceVersion) answering as that version does. */
async function service(t: { after(fn: () => Promise<void>): void }, version: "4.0" | "2.0") {
  const header = version === "4.0" ? { "odata-version": "4.0" } : { dataserviceversion: "2.0" };
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, EDMX, { "content-type": "application/xml", ...header });
    const v4 = version === "4.0";
    if (request.path.startsWith("/svc/Products(1)")) {
      const entity = { ID: 1, Name: "Chai" };
      return sendJson(res, 200, v4 ? { "@odata.context": "$metadata#Products/$entity", ...entity } : { d: entity }, header);
    }
    if (request.path.startsWith("/svc/cheapest")) return sendJson(res, 200, v4 ? { "@odata.context": "$metadata#Edm.String", value: "Chai" } : { d: { cheapest: "Chai" } }, header);
    if (request.path.startsWith("/svc/restock")) return sendJson(res, 200, v4 ? { "@odata.context": "$metadata#Edm.Int32", value: 7 } : { d: { restock: 7 } }, header);
    sendJson(res, 404, { error: { code: "404", message: "no such path" } }, header);
  });
  t.after(() => server.close());
  return server;
}

const HINT = "the service looks like OData v4 (it answered OData-Version: 4.0), which the command read as OData 2.0 (--odata-version 2.0): leave the option out, or give --odata-version 4.0";

test("get and call with --odata-version 2.0, a v4 service's answer: exit 2 naming the request, OData-Version: 4.0 and the option; nothing printed", async (t) => {
  const server = await service(t, "4.0");
  const url = server.url("svc/");
  for (const [args, request] of [
    [["get", url, "Products", "1"], "GET"],
    [["call", url, "cheapest"], "GET"],
    [["call", url, "restock"], "POST"],
    [["call", url, "restock", "--async"], "POST"],
  ] as const) {
    const outcome = await cliInProcess([...args, "--odata-version", "2.0"]);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stdout, "", "nothing read as v2 is printed");
    assert.match(outcome.stderr, new RegExp(`^error: ${request} http://127\\.0\\.0\\.1:\\d+/svc/\\w+(?:\\(1\\))?: `));
    assert.ok(outcome.stderr.endsWith(`: ${HINT}\n`), show(outcome));
  }
  // $metadata (EDMX, no JSON) went through; each command stopped at its one data answer.
  assert.deepEqual(
    server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => `${r.method} ${r.path}`),
    ["GET /svc/Products(1)", "GET /svc/cheapest", "POST /svc/restock", "POST /svc/restock"],
  );
});

test("--json: the stop is a usage error (cli:USAGE, exit 2)", async (t) => {
  const server = await service(t, "4.0");
  const outcome = await cliInProcess(["get", server.url("svc/"), "Products", "1", "--odata-version", "2.0", "--json"]);
  assert.equal(outcome.code, 2, show(outcome));
  const { error } = JSON.parse(outcome.stderr) as { error: { code: string; exitCode: number; message: string } };
  assert.deepEqual([error.code, error.exitCode], ["cli:USAGE", 2]);
  assert.ok(error.message.endsWith(HINT), error.message);
});

test("a profile's \"version\": \"2.0\" is named as the setting to change", async (t) => {
  const server = await service(t, "4.0");
  const home = mkdtempSync(join(tmpdir(), "traverse-cli-left-v4-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(join(home, "traverse-odata.config.json"), JSON.stringify({ profiles: { old: { url: server.url("svc/"), version: "2.0" } } }));
  const outcome = await cliInProcess(["call", "old", "cheapest"], "", { cwd: home });
  assert.equal(outcome.code, 2, show(outcome));
  assert.equal(outcome.stdout, "");
  assert.match(outcome.stderr, /\(it answered OData-Version: 4\.0\), which the command read as OData 2\.0 \("version": "2\.0" in .*traverse-odata\.config\.json: profiles\.old\): give --odata-version 4\.0, or set the profile's version to 4\.0\n$/);
});

test("no stop where the answers are v2's (DataServiceVersion), nor where no version was set", async (t) => {
  const v2 = await service(t, "2.0");
  const entity = await cliInProcess(["get", v2.url("svc/"), "Products", "1", "--odata-version", "2.0"]);
  assert.equal(entity.code, 0, show(entity));
  assert.deepEqual(JSON.parse(entity.stdout), { ID: 1, Name: "Chai" });
  const result = await cliInProcess(["call", v2.url("svc/"), "cheapest", "--odata-version", "2.0", "-q"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stdout, '"Chai"\n');
  // A v4 service read as v4 (the default): its result, not its envelope.
  const v4 = await service(t, "4.0");
  const called = await cliInProcess(["call", v4.url("svc/"), "restock", "-q"]);
  assert.equal(called.code, 0, show(called));
  assert.equal(called.stdout, "7\n");
  assert.deepEqual(
    v4.requests.map((r) => `${r.method} ${r.path}`),
    ["GET /svc/$metadata", "POST /svc/restock"],
  );
});
