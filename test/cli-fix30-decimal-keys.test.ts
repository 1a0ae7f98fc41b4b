// Edm.Decimal values typed on the command line, keys as well as parameters. A decimal key (`get
// <key>`, a part of a key of several, `call --key`) takes NaN, INF and -INF only where a decimal
// parameter does: OData 4.01 and Scale="floating" (CSDL 4.01, 3.4.3 Scale); elsewhere exit 2,
// naming the key, nothing sent. OData 4.0's decimal literal has no exponent (its ABNF:
// decimalValue = [SIGN] 1*DIGIT ["." 1*DIGIT]; 4.01 adds the exponent), so a decimal given as
// `1.5e3` goes to a 4.0 service as the digits it equals, worked out on the text (`1500`,
// `-0.0025`), in a URL and in a body; to a 4.01 service as given; v2 writes `1500M`. Over node:http
// services on 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { v4MetadataService } from "./servers/v4-metadata-service.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout.slice(0, 300)}\nstderr: ${o.stderr.slice(0, 600)}`;

/**
 * A v4 service of EDMX version `version`: Prices keyed by a decimal Amount with `facets`, Pairs
 * keyed by Code and a decimal Rate with them, a function g bound to a Price, a function f and an
 * action a taking a decimal m.
 */
const metadata = (version: string, facets: string) => `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="${version}" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Price"><Key><PropertyRef Name="Amount"/></Key><Property Name="Amount" Type="Edm.Decimal" Nullable="false" ${facets}/></EntityType>
<EntityType Name="Pair"><Key><PropertyRef Name="Code"/><PropertyRef Name="Rate"/></Key><Property Name="Code" Type="Edm.String" Nullable="false"/><Property Name="Rate" Type="Edm.Decimal" Nullable="false" ${facets}/></EntityType>
<Function Name="g" IsBound="true"><Parameter Name="it" Type="S.Price"/><ReturnType Type="Edm.String"/></Function>
<Function Name="f"><Parameter Name="m" Type="Edm.Decimal" ${facets}/><ReturnType Type="Edm.String"/></Function>
<Action Name="a"><Parameter Name="m" Type="Edm.Decimal" ${facets}/></Action>
<EntityContainer Name="C"><EntitySet Name="Prices" EntityType="S.Price"/><EntitySet Name="Pairs" EntityType="S.Pair"/>
<FunctionImport Name="f" Function="S.f"/><ActionImport Name="a" Action="S.a"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const NOT_40 = (text: string) => `"${text}" is not a value of an Edm.Decimal in OData 4.0, where a decimal is a number in digits (NaN, INF and -INF are values of an OData 4.01 decimal with Scale="floating" only)`;

test("OData 4.0: NaN, INF and -INF as a decimal key (get, a part of a key of several, call --key) are refused, exit 2 naming the key, nothing sent", async (t) => {
  const service = await v4MetadataService(t, metadata("4.0", 'Precision="16" Scale="2"'));
  for (const [args, where, text] of [
    [["get", service.url, "Prices", "NaN"], "<key>", "NaN"],
    [["get", service.url, "Prices", " INF "], "<key>", "INF"],
    [["get", service.url, "Pairs", "Code=x,Rate=-INF"], "<key> Rate", "-INF"],
    [["call", service.url, "Prices/S.g", "--key", "INF"], "<key>", "INF"],
  ] as const) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: ${where}: ${NOT_40(text)}\n`);
  }
  assert.deepEqual(service.calls(), [], "nothing was sent but $metadata");
});

test("OData 4.01: a decimal key of a fixed or variable scale takes no NaN; one with Scale=\"floating\" is sent NaN, INF and -INF", async (t) => {
  const variable = await v4MetadataService(t, metadata("4.01", 'Precision="10" Scale="variable"'));
  const refused = await cliInProcess(["get", variable.url, "Pairs", "Code=x,Rate=NaN"]);
  assert.equal(refused.code, 2, show(refused));
  assert.equal(refused.stderr, `error: <key> Rate: "NaN" is not a value of this Edm.Decimal (Scale="variable"): NaN, INF and -INF are values of an OData 4.01 decimal with Scale="floating" only\n`);
  assert.deepEqual(variable.calls(), []);

  const floating = await v4MetadataService(t, metadata("4.01", 'Precision="16" Scale="floating"'));
  for (const args of [
    ["get", floating.url, "Prices", "NaN"],
    ["get", floating.url, "Pairs", "Code=x,Rate=-INF"],
    ["call", floating.url, "Prices/S.g", "--key", "INF", "-q"],
  ]) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 0, show(outcome));
  }
  assert.deepEqual(floating.calls(), ["GET /svc/Prices(NaN)", "GET /svc/Pairs(Code='x',Rate=-INF)", "GET /svc/Prices(INF)/S.g()"]);
});

test("OData v2: a decimal key's NaN is refused in the words of a parameter's; an exponent is written in digits with M", async (t) => {
  const edmx = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<edmx:DataServices m:DataServiceVersion="2.0"><Schema Namespace="NS" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Price"><Key><PropertyRef Name="Amount"/></Key><Property Name="Amount" Type="Edm.Decimal" Nullable="false" Precision="16" Scale="2"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Prices" EntityType="NS.Price"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendText(res, 200, edmx, { "content-type": "application/xml", dataserviceversion: "2.0" });
    sendJson(res, 200, { d: { Amount: "1500.00" } }, { dataserviceversion: "2.0" });
  });
  t.after(() => server.close());
  const nan = await cliInProcess(["get", server.url("svc/"), "Prices", "NaN"]);
  assert.equal(nan.code, 2, show(nan));
  assert.match(nan.stderr, /^error: <key>: "NaN" is not a value of an Edm\.Decimal in OData 2\.0, where a decimal is a number in digits \(/);
  const sent = await cliInProcess(["get", server.url("svc/"), "Prices", "1.5e3"]);
  assert.equal(sent.code, 0, show(sent));
  assert.deepEqual(
    server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => r.path),
    ["/svc/Prices(1500M)"],
  );
});

test("OData 4.0: a decimal in exponent notation goes as the digits it equals, in keys, in a function's URL and in an action's body; to 4.01 as given", async (t) => {
  const service = await v4MetadataService(t, metadata("4.0", 'Precision="40" Scale="variable"'));
  for (const args of [
    ["get", service.url, "Prices", "1.5e3"],
    ["get", service.url, "Prices", "-2.5E-3"],
    ["get", service.url, "Prices", "+0.0125e+2"],
    ["get", service.url, "Pairs", "Code=x,Rate=1.50e1"],
    ["call", service.url, "Prices/S.g", "--key", "2E2", "-q"],
    ["call", service.url, "f", "--param", "m=1.5e3", "-q"],
    ["call", service.url, "f", "--param", "m:=1e-7", "-q"],
    ["call", service.url, "f", "--param", "m:=1e21", "-q"],
    ["call", service.url, "a", "--param", "m=1.23456789012345678901e3", "-q"],
  ]) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 0, show(outcome));
  }
  assert.deepEqual(service.calls(), [
    "GET /svc/Prices(1500)",
    "GET /svc/Prices(-0.0025)",
    "GET /svc/Prices(1.25)",
    "GET /svc/Pairs(Code='x',Rate=15.0)",
    "GET /svc/Prices(200)/S.g()",
    "GET /svc/f(m=1500)",
    "GET /svc/f(m=0.0000001)",
    "GET /svc/f(m=1000000000000000000000)",
    'POST /svc/a {"m":"1234.56789012345678901"}',
  ]);

  // OData 4.01's decimalValue has the exponent: the text goes as given (its "e" in lower case).
  const v401 = await v4MetadataService(t, metadata("4.01", 'Precision="16" Scale="variable"'));
  for (const args of [
    ["get", v401.url, "Prices", "1.5e3"],
    ["call", v401.url, "f", "--param", "m=-2.5E-3", "-q"],
  ]) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 0, show(outcome));
  }
  assert.deepEqual(v401.calls(), ["GET /svc/Prices(1.5e3)", "GET /svc/f(m=-2.5e-3)"]);
});

test("OData 4.0: an exponent is written out to 1000 digits; more is refused with exit 2 naming the argument, nothing sent", async (t) => {
  const service = await v4MetadataService(t, metadata("4.0", 'Scale="variable"'));
  const long = await cliInProcess(["get", service.url, "Prices", "1e400"]);
  assert.equal(long.code, 0, show(long));
  const longest = await cliInProcess(["get", service.url, "Prices", "-9.5e-998"]);
  assert.equal(longest.code, 0, show(longest));
  assert.deepEqual(service.calls(), [`GET /svc/Prices(1${"0".repeat(400)})`, `GET /svc/Prices(-0.${"0".repeat(997)}95)`]);

  for (const [args, where, text] of [
    [["get", service.url, "Prices", "1e1000"], "<key>", "1e1000"],
    [["get", service.url, "Pairs", "Code=x,Rate=1e99999999999999999999"], "<key> Rate", "1e99999999999999999999"],
    [["call", service.url, "f", "--param", "m=5e-1000"], "--param m", "5e-1000"],
    [["call", service.url, "a", "--param", "m:=1e2000"], "--param m", "1e2000"],
  ] as const) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: ${where}: "${text}" has more than 1000 digits written out, as an OData 4.0 decimal is written (its literal has no exponent)\n`);
  }
  assert.equal(service.calls().length, 2, "nothing more was sent");
});
