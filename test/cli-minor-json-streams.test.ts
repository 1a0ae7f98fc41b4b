// With `--json`, stdout holds the command's JSON and nothing else, so that a pipe into a JSON reader
// works: warnings (an -H Authorization taking the place of the environment's token, a property
// left out of the columns, --page-size on v2) and the summary stay text lines on stderr, and a
// failure is one JSON line on stderr, its last. The command line runs in this process against a
// node:http service on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="P"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Ps" EntityType="T.P"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

test("--json: warnings go to stderr as text, never to stdout, which parses as JSON", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    // A property the declared columns do not have: a warning for CSV.
    sendJson(res, 200, { value: [{ ID: 1, Extra: "x" }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const env = { TRAVERSE_ODATA_TOKEN: "token-from-the-environment" };
  const header = ["-H", "Authorization: Bearer a-header-of-the-user"];
  const replaced = /^warning: the Authorization header of --header \(-H\) is sent, not TRAVERSE_ODATA_TOKEN/m;

  const described = await cliInProcess(["describe", server.url("svc/"), "--json", ...header], "", { env });
  assert.equal(described.code, 0, show(described));
  assert.equal((JSON.parse(described.stdout) as { entitySets: { name: string }[] }).entitySets[0]?.name, "Ps");
  assert.match(described.stderr, replaced);

  const queried = await cliInProcess(["query", server.url("svc/"), "Ps", "--format", "json", "--json", ...header], "", { env });
  assert.equal(queried.code, 0, show(queried));
  assert.deepEqual(JSON.parse(queried.stdout), [{ ID: 1, Extra: "x" }]);
  assert.match(queried.stderr, replaced);
  assert.match(queried.stderr, /^1 row in 1 page, /m);

  // The request carried the user's header, not the environment's token.
  assert.ok(server.requests.every((r) => r.headers.authorization === "Bearer a-header-of-the-user"));
});

test("--json: a failure is the last line of stderr, one JSON object, after the warnings; stdout stays empty", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] }, { "odata-version": "4.0" }));
  t.after(() => server.close());
  const outcome = await cliInProcess(["query", server.url("svc/"), "Ps", "--format", "json", "--json", "--page-size", "5", "--odata-version", "2.0"]);
  assert.equal(outcome.code, 1, show(outcome));
  assert.equal(outcome.stdout, "");
  const lines = outcome.stderr.trimEnd().split("\n");
  assert.match(lines[0] ?? "", /^warning: --page-size is left out: OData v2 has no way to ask for a page size/);
  const last = JSON.parse(lines.at(-1) ?? "") as { error: { code: string; exitCode: number } };
  assert.equal(last.error.code, "BAD_PAYLOAD");
  assert.equal(last.error.exitCode, 1);
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ["/svc/Ps"],
  );
});
