// A key or `--param` value that its type refuses is named by the argument the user gave (`<key>`,
// `<key> B`, `--param d`), as `--partition-key` errors are, never by the library call that checked
// it (`edm.guid(value)`, `key({ B })`, `function("f") parameter "d"`): whether the text is no value
// of its type (a GUID, a date) or a value the service's version cannot write (a v4 Edm.Duration of
// years), with exit 2 and nothing sent. node:http services with a $metadata each, on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const V4_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="G"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Guid" Nullable="false"/></EntityType>
<EntityType Name="D"><Key><PropertyRef Name="Day"/></Key><Property Name="Day" Type="Edm.Date" Nullable="false"/></EntityType>
<EntityType Name="Pair"><Key><PropertyRef Name="A"/><PropertyRef Name="B"/></Key><Property Name="A" Type="Edm.Int32" Nullable="false"/><Property Name="B" Type="Edm.Duration" Nullable="false"/></EntityType>
<Function Name="f"><Parameter Name="d" Type="Edm.Duration"/><Parameter Name="at" Type="Edm.DateTimeOffset"/><ReturnType Type="Edm.String"/></Function>
<EntityContainer Name="C"><EntitySet Name="Gs" EntityType="T.G"/><EntitySet Name="Ds" EntityType="T.D"/><EntitySet Name="Pairs" EntityType="T.Pair"/><FunctionImport Name="f" Function="T.f"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><edmx:DataServices m:DataServiceVersion="2.0">
<Schema Namespace="T" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="E"><Key><PropertyRef Name="At"/></Key><Property Name="At" Type="Edm.DateTime" Nullable="false"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Es" EntityType="T.E"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const show = (o: { code: number; stdout: string; stderr: string }) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

test("a key or --param text that is no value of its type: named by the argument, not by edm.*(value)", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path === "/v4/$metadata") return sendText(res, 200, V4_METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    if (request.path === "/v2/$metadata") return sendText(res, 200, V2_METADATA, { "content-type": "application/xml", dataserviceversion: "2.0" });
    sendJson(res, 200, { value: "ok" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const v4 = server.url("v4/");
  for (const [args, message] of [
    [["get", v4, "Gs", "nope"], '<key>: the string "nope" is not a GUID such as "01234567-89ab-cdef-0123-456789abcdef"'],
    [["get", v4, "Ds", "2024-13-01"], '<key>: the string "2024-13-01" is not a calendar date such as "2024-01-02"'],
    [["get", v4, "Pairs", "A=1,B=soon"], '<key> B: the string "soon" is not an ISO 8601 duration such as "P1DT2H30M"'],
    [["call", v4, "f", "--param", "at=tomorrow"], '--param at: the string "tomorrow" is not a valid date and time such as 2024-01-02T03:04:05Z or ...+01:00'],
    // What edm.dateTime(value) advises a program (edm.dateTimeOffset, new Date) is no argument to type.
    [["get", server.url("v2/"), "Es", "2024-01-02T03:04:05+02:00"], '<key>: the string "2024-01-02T03:04:05+02:00" has the offset +02:00, which an Edm.DateTime cannot carry; give the same instant in UTC, ending in Z'],
  ] as const) {
    const outcome = await cliInProcess(args);
    assert.equal(outcome.code, 2, show(outcome));
    assert.equal(outcome.stderr, `error: ${message}\n`);
  }
  assert.deepEqual(
    server.requests.filter((r) => !r.path.endsWith("/$metadata")),
    [],
  );
});

test("a v4 Edm.Duration of years, which v4 cannot write: named by <key> B or --param d, with the text given", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path === "/v4/$metadata") return sendText(res, 200, V4_METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    sendJson(res, 200, { value: "ok" }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const v4 = server.url("v4/");
  for (const [args, message] of [
    [["get", v4, "Pairs", "A=1,B=P1Y"], '<key> B: "P1Y" cannot be sent: an OData v4 Edm.Duration has only days, hours, minutes and seconds'],
    [["call", v4, "f", "--param", "d=P1Y"], '--param d: "P1Y" cannot be sent: an OData v4 Edm.Duration has only days, hours, minutes and seconds'],
  ] as const) {
    for (const json of [false, true]) {
      const outcome = await cliInProcess(json ? [...args, "--json"] : args);
      assert.equal(outcome.code, 2, show(outcome));
      const text = json ? (JSON.parse(outcome.stderr) as { error: { message: string } }).error.message : outcome.stderr;
      assert.equal(text, json ? message : `error: ${message}\n`);
      assert.doesNotMatch(text, /edm\.|key\(|function\(/);
    }
  }
  // A duration v4 can write goes: the key and the parameter as literals.
  const fine = await cliInProcess(["get", v4, "Pairs", "A=1,B=PT1H"]);
  assert.equal(fine.code, 0, show(fine));
  assert.deepEqual(
    server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => decodeURIComponent(r.path)),
    ["/v4/Pairs(A=1,B=duration'PT1H')"],
  );
});
