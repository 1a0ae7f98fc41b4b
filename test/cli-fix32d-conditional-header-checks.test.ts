// A conditional header (If-Match and the like) given twice in two cases (`-H "If-Match: 1" -H
// "if-match: 2"`) went with count, get, query and export as its first value, and `call` refused it
// in the library's words after reading $metadata, while a plain header given twice is refused (exit
// 2) before anything is sent. Now both are refused alike, before any request, naming where they
// were set: -H, or the profile's "headers" for what is wrong in the profile alone. A value with a
// control character is refused as before, in the words of a request's own headers.
// Against a node:http service that records every request.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess, type InProcessOutcome } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<Action Name="reset"/>
<EntityContainer Name="C"><EntitySet Name="Orders" EntityType="NS.Order"/><ActionImport Name="Reset" Action="NS.reset"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const v4 = { "odata-version": "4.0" };

/** A service of Orders that answers everything it is asked. */
async function orderService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", ...v4 });
    if (request.path === "/svc/Orders/$count") return sendText(res, 200, "1", { "content-type": "text/plain", ...v4 });
    if (request.path === "/svc/Orders(1)") return sendJson(res, 200, { ID: 1 }, v4);
    if (request.path.startsWith("/svc/Orders")) return sendJson(res, 200, { value: [{ ID: 1 }] }, v4);
    sendJson(res, 200, { value: "ok" }, v4);
  });
  t.after(() => server.close());
  return server;
}

const show = (outcome: InProcessOutcome) => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;

/** A folder with a profile `shop` of `url` whose headers are `headers`. */
function profileFolder(t: { after(fn: () => void): void }, url: string, headers: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "traverse-cli-fix32d-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, "traverse-odata.config.json"), JSON.stringify({ profiles: { shop: { url, headers } } }));
  return folder;
}

test("If-Match given twice in two cases is refused by count, get, query, export and call (exit 2) before any request, as a plain header given twice is", async (t) => {
  const server = await orderService(t);
  const url = server.url("svc/");
  const folder = profileFolder(t, url, {});
  const commands = [
    ["count", url, "Orders"],
    ["get", url, "Orders", "1"],
    ["query", url, "Orders", "--quiet"],
    ["export", url, "Orders", "--out", "rows.ndjson", "--quiet"],
    ["call", url, "Reset"],
  ];
  for (const command of commands) {
    const twice = await cliInProcess([...command, "-H", "If-Match: 1", "-H", "if-match: 2"], "", { cwd: folder });
    assert.equal(twice.code, 2, `${command[0]}: ${show(twice)}`);
    assert.equal(twice.stderr, 'error: --header (-H) names the header "if-match" twice (names are case-insensitive)\n', command[0]);
    assert.equal(twice.stdout, "");
    const plain = await cliInProcess([...command, "-H", "X-T: 1", "-H", "x-t: 2"], "", { cwd: folder });
    assert.equal(plain.code, 2, `${command[0]}: ${show(plain)}`);
    assert.equal(plain.stderr, 'error: --header (-H) names the header "x-t" twice (names are case-insensitive)\n', command[0]);
  }
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), []);
  // Given once, it goes with the command's request.
  const once = await cliInProcess(["count", url, "Orders", "-H", "If-None-Match: 2"]);
  assert.equal(once.code, 0, show(once));
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.headers["if-none-match"]}`), ["GET /svc/Orders/$count 2"]);
});

test("a conditional header twice in a profile names the profile; in the profile and in -H, -H; a control character in its value is refused where it was set", async (t) => {
  const server = await orderService(t);
  const url = server.url("svc/");
  const twiceInProfile = profileFolder(t, url, { "If-Match": "1", "if-match": "2" });
  const config = join(twiceInProfile, "traverse-odata.config.json");
  const cases: [string, string[], string][] = [
    [twiceInProfile, [], `error: ${config}: profiles.shop.headers names the header "if-match" twice (names are case-insensitive)\n`],
    // An -H takes the place of the profile's header of its name, in whatever case (hunt39-cli-header-names).
    [profileFolder(t, url, { "If-Match": "1" }), ["-H", "if-match: 2"], ""],
    [profileFolder(t, url, { "If-Match": "a\u0001b" }), [], '/profiles\\.shop\\.headers must give "If-Match" a string without control characters'],
    [profileFolder(t, url, { "If-Match": "a\u0001b" }), ["-H", "If-Match: 1"], ""],
    [profileFolder(t, url, {}), ["-H", "If-None-Match: a\u007fb"], 'error: --header (-H) must give "If-None-Match" a string without control characters or characters beyond U+00FF; got one with them\n'],
  ];
  for (const [cwd, headers, stderr] of cases) {
    const result = await cliInProcess(["count", "shop", "Orders", ...headers], "", { cwd });
    if (stderr === "") {
      // The profile's value, replaced by -H's, is not sent and not refused.
      assert.equal(result.code, 0, show(result));
      continue;
    }
    assert.equal(result.code, 2, show(result));
    if (stderr.startsWith("/")) assert.match(result.stderr, new RegExp(stderr.slice(1)));
    else assert.equal(result.stderr, stderr);
  }
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.headers["if-match"]}`), ["GET /svc/Orders/$count 2", "GET /svc/Orders/$count 1"]);
});
