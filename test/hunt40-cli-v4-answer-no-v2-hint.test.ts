/**
 * A collection answer without "value" from a service that says `OData-Version: 4.0` (a singleton
 * named as a set: SAP CAP answers `GET Settings` with the entity) is not a v2 service's `{"d": …}`:
 * the error said "an OData v2 service answers {"d": …}: if this is one, give --odata-version 2.0",
 * sending the user to an option that makes it worse. The hint stays for a service that says no
 * version. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, sendJson, sendText } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

async function singletonService(t: { after(fn: () => void): void }, headers: Record<string, string>) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 404, "no $metadata");
    sendJson(res, 200, { "@odata.context": "$metadata#Settings", ID: 1, theme: "light" }, headers);
  });
  t.after(() => server.close());
  return server;
}

for (const format of ["json", "ndjson"]) {
  test(`query --format ${format} of a set answered with one entity by an OData 4.0 service: exit 1, no --odata-version 2.0 hint`, async (t) => {
    const server = await singletonService(t, { "odata-version": "4.0" });
    const outcome = await cliInProcess(["query", server.url("odata/"), "Settings", "--format", format]);
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Settings"]);
    assert.match(outcome.stderr, /GET \S+\/odata\/Settings: the collection body has no "value" member/);
    assert.doesNotMatch(outcome.stderr, /odata-version 2\.0|OData v2/);
    assert.equal(outcome.stdout, "");
  });
}

test("export of it too: exit 1, no --odata-version 2.0 hint", async (t) => {
  const server = await singletonService(t, { "odata-version": "4.0" });
  const outcome = await cliInProcess(["export", server.url("odata/"), "Settings", "--out", "-"]);
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /the collection body has no "value" member/);
  assert.doesNotMatch(outcome.stderr, /odata-version 2\.0|OData v2/);
});

test("control: the same answer without OData-Version keeps the hint", async (t) => {
  const server = await singletonService(t, {});
  const outcome = await cliInProcess(["query", server.url("odata/"), "Settings", "--format", "json"]);
  assert.equal(outcome.code, 1, outcome.stderr);
  assert.match(outcome.stderr, /the collection body has no "value" member; an OData v2 service answers \{"d": …\}: if this is one, give --odata-version 2\.0/);
});
