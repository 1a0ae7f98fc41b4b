// An Edm.Binary key or parameter typed on the command line (`get <set> <key>`, `call --param`) is
// given in base64 or base64url, padded or not (the forms JSON prints a binary value in: v2 base64,
// v4 base64url), and sent as a binary literal: `binary'<base64url>'` on v4, `X'<hex>'` on v2 (OData
// ABNF binary; MS-ODATA binaryLiteral), in an action's JSON body as base64url. Text that is no
// base64 is refused with exit 2 before anything is called. node:http servers on 127.0.0.1 with a
// $metadata each; each test reads what arrived.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const V4_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Blob"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Binary" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType>
<Function Name="f"><Parameter Name="bin" Type="Edm.Binary"/><ReturnType Type="Edm.String"/></Function>
<Action Name="a"><Parameter Name="bin" Type="Edm.Binary"/><ReturnType Type="Edm.String"/></Action>
<EntityContainer Name="C"><EntitySet Name="Blobs" EntityType="T.Blob"/><FunctionImport Name="f" Function="T.f"/><ActionImport Name="a" Action="T.a"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><edmx:DataServices m:DataServiceVersion="2.0">
<Schema Namespace="T" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Blob"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Binary" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Blobs" EntityType="T.Blob"/>
<FunctionImport Name="f" ReturnType="Edm.String" m:HttpMethod="GET"><Parameter Name="bin" Type="Edm.Binary"/></FunctionImport>
</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

async function service(t: { after(fn: () => Promise<void>): void }, version: "4.0" | "2.0"): Promise<{ url: string; calls: () => { path: string; body: string }[] }> {
  const server: RecordingServer = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") {
      return sendText(res, 200, version === "2.0" ? V2_METADATA : V4_METADATA, { "content-type": "application/xml", ...(version === "2.0" ? { dataserviceversion: "2.0" } : { "odata-version": "4.0" }) });
    }
    if (version === "2.0") return sendJson(res, 200, { d: request.path.startsWith("/svc/f") ? { f: "ok" } : { __metadata: { type: "T.Blob" }, ID: "AAEC", Name: "x" } }, { dataserviceversion: "2.0" });
    sendJson(res, 200, request.path.startsWith("/svc/Blobs") ? { ID: "AAEC", Name: "x" } : { value: "ok" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return {
    url: server.url("svc/"),
    calls: () => server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => ({ path: decodeURIComponent(r.path), body: r.body })),
  };
}

const show = (outcome: { code: number; stdout: string; stderr: string }) => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;

test("v4: an Edm.Binary function parameter and key are sent as binary'<base64url>'; an action's as base64url in its body", async (t) => {
  const { url, calls } = await service(t, "4.0");
  const f = await cliInProcess(["call", url, "f", "--param", "bin=AAEC", "-q"]);
  assert.equal(f.code, 0, show(f));
  // base64 with + and / and its padding: the same bytes, written in base64url.
  const key = await cliInProcess(["get", url, "Blobs", "+/8="]);
  assert.equal(key.code, 0, show(key));
  const a = await cliInProcess(["call", url, "a", "--param", "bin=-_8", "-q"]);
  assert.equal(a.code, 0, show(a));
  assert.deepEqual(calls(), [
    { path: "/svc/f(bin=binary'AAEC')", body: "" },
    { path: "/svc/Blobs(binary'-_8=')", body: "" },
    { path: "/svc/a", body: '{"bin":"-_8="}' },
  ]);
});

test("v2: an Edm.Binary function import parameter and key are sent as X'<hex>'", async (t) => {
  const { url, calls } = await service(t, "2.0");
  const f = await cliInProcess(["call", url, "f", "--param", "bin=AAEC", "-q"]);
  assert.equal(f.code, 0, show(f));
  const key = await cliInProcess(["get", url, "Blobs", "AAEC"]);
  assert.equal(key.code, 0, show(key));
  assert.deepEqual(calls(), [
    { path: "/svc/f?bin=X'000102'", body: "" },
    { path: "/svc/Blobs(X'000102')", body: "" },
  ]);
});

test("text that is no base64 is refused with exit 2, naming the parameter or the key; nothing is called", async (t) => {
  const { url, calls } = await service(t, "4.0");
  // "AB" would decode to the byte of "AA": its last bits are not zero, a typo rather than data.
  for (const [args, where] of [
    [["call", url, "f", "--param", "bin=AB", "-q"], "--param bin"],
    [["call", url, "f", "--param", "bin=00 01", "-q"], "--param bin"],
    [["get", url, "Blobs", "AAE=C"], "<key>"],
  ] as const) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 2, show(outcome));
    assert.ok(outcome.stderr.includes(`${where}: `) && outcome.stderr.includes("is not binary data in base64 or base64url"), show(outcome));
  }
  assert.deepEqual(calls(), []);
});
