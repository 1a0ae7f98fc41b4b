// The client's option keyAsSegment on the command line: `--key-as-segment`, or a profile's
// "keyAsSegment": true, addresses an entity by its key as a path segment of its own
// (`Customers/ALFKI`, OData 4.01 key-as-segment, Microsoft Graph's `users/{id}`) in `get` and in
// `call` of a bound operation; without it the key stays in parentheses. A v2 service refuses it
// (exit 2) naming the setting the user gave, as does a profile value that is no boolean; `serve`
// does not take the option. Over a node:http service on 127.0.0.1; the command line runs in this
// process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout.slice(0, 300)}\nstderr: ${o.stderr.slice(0, 600)}`;

/** Customers keyed by a string, a function `rank` bound to a Customer. */
const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Customer"><Key><PropertyRef Name="CustomerID"/></Key><Property Name="CustomerID" Type="Edm.String" Nullable="false"/></EntityType>
<Function Name="rank" IsBound="true"><Parameter Name="it" Type="S.Customer"/><ReturnType Type="Edm.Int32"/></Function>
<EntityContainer Name="C"><EntitySet Name="Customers" EntityType="S.Customer"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A v4 service that answers `$metadata` with METADATA and every other request with `{"CustomerID":"ALFKI"}`; the other paths are recorded as sent. */
async function service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    sendJson(res, 200, { CustomerID: "ALFKI" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return { url: server.url("svc/"), sent: () => server.requests.map((r) => r.path).filter((path) => !path.endsWith("/$metadata")) };
}

/** A folder holding a traverse-odata.config.json with `profile` as profile "p", removed after the test. */
function withProfile(t: { after(fn: () => void): void }, profile: Record<string, unknown>): string {
  const cwd = mkdtempSync(join(tmpdir(), "traverse-cli-key-as-segment-"));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { p: profile } }));
  return cwd;
}

test("get and call with --key-as-segment send the key as a path segment; without it in parentheses", async (t) => {
  const svc = await service(t);
  for (const args of [
    ["get", svc.url, "Customers", "ALFKI", "--key-as-segment"],
    ["call", svc.url, "Customers/S.rank", "--key", "ALFKI", "--key-as-segment"],
    ["get", svc.url, "Customers", "ALFKI"],
  ]) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 0, show(outcome));
  }
  assert.deepEqual(svc.sent(), ["/svc/Customers/ALFKI", "/svc/Customers/ALFKI/S.rank()", "/svc/Customers('ALFKI')"]);
});

test('a profile\'s "keyAsSegment": true sends the key as a path segment, false as the default form', async (t) => {
  const svc = await service(t);
  const on = await cliInProcess(["get", "p", "Customers", "ALFKI"], "", { cwd: withProfile(t, { url: svc.url, keyAsSegment: true }) });
  assert.equal(on.code, 0, show(on));
  assert.equal(on.stdout, '{\n  "CustomerID": "ALFKI"\n}\n');
  const off = await cliInProcess(["get", "p", "Customers", "ALFKI"], "", { cwd: withProfile(t, { url: svc.url, keyAsSegment: false }) });
  assert.equal(off.code, 0, show(off));
  assert.deepEqual(svc.sent(), ["/svc/Customers/ALFKI", "/svc/Customers('ALFKI')"]);
});

test("an OData v2 service refuses it with exit 2, naming --key-as-segment or the profile's setting; a profile value that is no boolean too; nothing is sent", async (t) => {
  const svc = await service(t);
  const flag = await cliInProcess(["get", svc.url, "Customers", "ALFKI", "--odata-version", "2.0", "--key-as-segment"]);
  assert.equal(flag.code, 2, show(flag));
  assert.match(flag.stderr, /--key-as-segment needs OData v4, not version "2\.0"/);
  const cwd = withProfile(t, { url: svc.url, version: "2.0", keyAsSegment: true });
  const profile = await cliInProcess(["get", "p", "Customers", "ALFKI"], "", { cwd });
  assert.equal(profile.code, 2, show(profile));
  assert.match(profile.stderr, /traverse-odata\.config\.json: profiles\.p\.keyAsSegment needs OData v4, not version "2\.0"/);
  const text = await cliInProcess(["get", "p", "Customers", "ALFKI"], "", { cwd: withProfile(t, { url: svc.url, keyAsSegment: "yes" }) });
  assert.equal(text.code, 2, show(text));
  assert.match(text.stderr, /profiles\.p\.keyAsSegment must be true or false/);
  assert.deepEqual(svc.sent(), []);
});

test("--key-as-segment is in the help of get and call, not of serve", async () => {
  for (const command of ["get", "call"]) {
    const help = await cliInProcess([command, "--help"]);
    assert.match(help.stdout, /--key-as-segment +OData v4: address an entity by its key as a path segment/, command);
  }
  const serve = await cliInProcess(["serve", "--help"]);
  assert.doesNotMatch(serve.stdout, /--key-as-segment/);
});
