/**
 * A write refused with 403 and `X-CSRF-Token: Required` (SAP Gateway's answer to a write without a
 * valid CSRF token) says why in its error's message, which stays an `ODataHttpError` (HTTP_ERROR,
 * status 403): a client without option `csrf` is told to set it; a client with it, whose write the
 * service refused again with the token fetched anew, is told that. The command line names the
 * profile's `"csrf": true` instead of the library's option.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";
import { rejectionAs } from "./async-poller-fixtures.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="2.0">
<Schema Namespace="ZSRV" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Product"><Key><PropertyRef Name="Product"/></Key><Property Name="Product" Type="Edm.String" Nullable="false"/></EntityType>
<EntityContainer Name="ZSRV_Entities" m:IsDefaultEntityContainer="true">
<EntitySet Name="Products" EntityType="ZSRV.Product"/>
<FunctionImport Name="Release" ReturnType="Edm.Boolean" m:HttpMethod="POST"><Parameter Name="Product" Type="Edm.String" Mode="In"/></FunctionImport>
</EntityContainer>
</Schema>
</edmx:DataServices>
</edmx:Edmx>`;

const HINT = 'the service requires a CSRF token (X-CSRF-Token: Required): set option "csrf" to true, and the client fetches one for its writes';

/**
 * A SAP-like service that refuses every write with 403 and `X-CSRF-Token: Required` (its body
 * `CSRF token validation failed`); a token fetch gets a new token each time, which it refuses too.
 */
async function refusingService(t: { after(fn: () => Promise<void>): void }, refusal: Record<string, string> = { "x-csrf-token": "Required" }) {
  let tokens = 0;
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    if (request.headers["x-csrf-token"] === "Fetch") return sendJson(res, 200, {}, { "x-csrf-token": `tok-${++tokens}` });
    if (request.method === "GET") return sendJson(res, 200, { d: { results: [] } });
    sendText(res, 403, "CSRF token validation failed", refusal);
  });
  t.after(() => server.close());
  return server;
}

async function rejectionOf(promise: Promise<unknown>): Promise<ODataHttpError> {
  const outcome = await rejectionAs(promise, ODataHttpError);
  assert.equal(outcome.code, "HTTP_ERROR");
  assert.equal(outcome.status, 403);
  return outcome;
}

function wire(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"] ?? "-"}`);
}

test('a create refused with 403 and X-CSRF-Token: Required by a client without csrf says to set option "csrf"', async (t) => {
  const server = await refusingService(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", retry: false });
  const error = await rejectionOf(client.collection("Products").create({ Product: "NEW" }));
  assert.equal(error.message, `POST ${server.url("svc/Products")} failed with HTTP 403 Forbidden (${HINT})`);
  assert.equal(error.headers["x-csrf-token"], "Required");
  assert.equal(error.body, "CSRF token validation failed");
  assert.deepEqual(wire(server.requests), ["POST /svc/Products -"]);
});

test('an action refused with 403 and X-CSRF-Token: Required by a client without csrf says to set option "csrf"', async (t) => {
  const server = await refusingService(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", retry: false });
  const error = await rejectionOf(client.action("Release").invoke({ Product: "P1" }));
  assert.match(error.message, /^POST \S+\/svc\/Release\S* failed with HTTP 403 Forbidden \(the service requires a CSRF token \(X-CSRF-Token: Required\): set option "csrf" to true, and the client fetches one for its writes\)$/);
  assert.deepEqual(wire(server.requests).map((line) => line.replace(/\?.*? /, " ")), ["POST /svc/Release -"]);
});

test("a write that the service refuses again with the token fetched anew says the token was refused again, and is not sent a third time", async (t) => {
  const server = await refusingService(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false });
  const error = await rejectionOf(client.collection("Products").param("sap-client", "100").key("P1").delete());
  assert.equal(
    error.message,
    `DELETE ${server.url("svc/Products('P1')?sap-client=100")} failed with HTTP 403 Forbidden (the service refused the CSRF token again: the request, sent once more with a token fetched anew (GET ${server.url("svc/?sap-client=100")} with X-CSRF-Token: Fetch), was answered X-CSRF-Token: Required as well; a token holds only in the session its fetch opened)`,
  );
  assert.doesNotMatch(error.message, /tok-\d|set option "csrf"/);
  assert.deepEqual(wire(server.requests), [
    "GET /svc/?sap-client=100 Fetch",
    "DELETE /svc/Products('P1')?sap-client=100 tok-1",
    "GET /svc/?sap-client=100 Fetch",
    "DELETE /svc/Products('P1')?sap-client=100 tok-2",
  ]);
});

test("an action that the service refuses again with the token fetched anew says so too, as a write does", async (t) => {
  const server = await refusingService(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false });
  const error = await rejectionOf(client.action("Release").invoke({ Product: "P1" }));
  assert.match(error.message, /^POST \S+\/svc\/Release\S* failed with HTTP 403 Forbidden \(the service refused the CSRF token again: the request, sent once more with a token fetched anew \(GET \S+\/svc\/ with X-CSRF-Token: Fetch\), was answered X-CSRF-Token: Required as well; a token holds only in the session its fetch opened\)$/);
  assert.deepEqual(wire(server.requests).map((line) => line.replace(/\?.*? /, " ")), ["GET /svc/ Fetch", "POST /svc/Release tok-1", "GET /svc/ Fetch", "POST /svc/Release tok-2"]);
});

test("a 403 that asks for no CSRF token gets no word of it, with csrf or without", async (t) => {
  const server = await refusingService(t, {});
  for (const csrf of [false, true]) {
    const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf, retry: false });
    const error = await rejectionOf(client.collection("Products").create({ Product: "NEW" }));
    assert.equal(error.message, `POST ${server.url("svc/Products")} failed with HTTP 403 Forbidden`);
  }
  assert.deepEqual(wire(server.requests), ["POST /svc/Products -", "GET /svc/ Fetch", "POST /svc/Products tok-1"]);
});

/** A configuration folder with profile `s4` for `url`, with `csrf` where given. */
function profileFolder(url: string, csrf?: boolean): string {
  const folder = mkdtempSync(join(tmpdir(), "traverse-csrf-fix30-"));
  process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
  const profile = { url, version: "2.0", ...(csrf === undefined ? {} : { csrf }) };
  writeFileSync(join(folder, "traverse-odata.config.json"), JSON.stringify({ profiles: { s4: profile } }));
  return folder;
}

test('the command line\'s call refused for want of a CSRF token names the profile\'s "csrf": true, or a profile where the URL was given', async (t) => {
  const server = await refusingService(t);
  const folder = profileFolder(server.url("svc/"), false);
  const byProfile = await cliInProcess(["call", "s4", "Release", "--param", "Product=P1"], "", { cwd: folder });
  assert.equal(byProfile.code, 3, byProfile.stderr);
  assert.match(
    byProfile.stderr,
    /failed with HTTP 403 Forbidden \(the service requires a CSRF token \(X-CSRF-Token: Required\): set "csrf": true in \S*traverse-odata\.config\.json: profiles\.s4, and the command fetches one for its writes\)\n/,
  );
  assert.doesNotMatch(byProfile.stderr, /option "csrf"/);
  const byUrl = await cliInProcess(["call", server.url("svc/"), "Release", "--param", "Product=P1", "--odata-version", "2.0"]);
  assert.equal(byUrl.code, 3, byUrl.stderr);
  assert.match(byUrl.stderr, /\(the service requires a CSRF token \(X-CSRF-Token: Required\): name the service by a profile with "csrf": true \(the command line has no option for it\), and the command fetches one for its writes\)\n/);
  // With "csrf": true the command fetches a token, and the service refusing it again says so.
  const withCsrf = await cliInProcess(["call", "s4", "Release", "--param", "Product=P1"], "", { cwd: profileFolder(server.url("svc/"), true) });
  assert.equal(withCsrf.code, 3, withCsrf.stderr);
  assert.doesNotMatch(withCsrf.stderr, /"csrf": true|option "csrf"/);
  const posts = server.requests.filter((r) => r.method === "POST").map((r) => r.headers["x-csrf-token"] ?? "-");
  assert.deepEqual(posts, ["-", "-", "tok-1", "tok-2"]);
});
