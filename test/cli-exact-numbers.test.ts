// The numbers `query`, `get`, `call` and `wait` print are the digits the service sent: an Int64 or
// a Decimal beyond what a double holds (9007199254740995, which JavaScript reads as
// 9007199254740996) is not rounded, in every output format, at any depth of the value. The
// binary runs against node:http services on 127.0.0.1 that answer with such numbers.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, sendText, type RecordingServer } from "./servers/recording-server.js";
import { runCli, show } from "./cli-harness.js";

/** An Int64 beyond 2^53, one above, and one below it: each reads as another double than its digits say. */
const BIG = "9007199254740995";
const BIG_NEXT = "9007199254740996";
const BIG_ODD = "9007199254740993";
/** A Decimal with more digits than a double keeps. */
const AMOUNT = "12345678901234567.89";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Ledger" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <ComplexType Name="Range"><Property Name="low" Type="Edm.Int64"/><Property Name="high" Type="Edm.Int64"/></ComplexType>
      <EntityType Name="Entry"><Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int64" Nullable="false"/><Property Name="Amount" Type="Edm.Decimal" Scale="variable"/>
        <Property Name="Range" Type="Ledger.Range"/><Property Name="Marks" Type="Collection(Edm.Int64)"/><Property Name="Note" Type="Edm.String"/>
      </EntityType>
      <Action Name="total"><ReturnType Type="Edm.Int64"/></Action>
      <Action Name="slowTotal"><ReturnType Type="Edm.Int64"/></Action>
      <Function Name="largest"><ReturnType Type="Ledger.Entry"/></Function>
      <EntityContainer Name="Default">
        <EntitySet Name="Entries" EntityType="Ledger.Entry"/>
        <ActionImport Name="total" Action="Ledger.total"/>
        <ActionImport Name="slowTotal" Action="Ledger.slowTotal"/>
        <FunctionImport Name="largest" Function="Ledger.largest"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** One entity's JSON as the service writes it: long numbers at the top, in a complex value, in a collection, and as digits in a string. */
const ENTRY = `{"ID":${BIG},"Amount":${AMOUNT},"Range":{"low":${BIG_ODD},"high":${BIG_NEXT}},"Marks":[1,${BIG}],"Note":"${BIG}"}`;
const SECOND = `{"ID":2,"Amount":1.5,"Range":null,"Marks":[],"Note":"two"}`;

/** The entity as `JSON.stringify(…, null, 2)` lays it out, with the service's digits. */
const ENTRY_PRINTED = `{
  "ID": ${BIG},
  "Amount": ${AMOUNT},
  "Range": {
    "low": ${BIG_ODD},
    "high": ${BIG_NEXT}
  },
  "Marks": [
    1,
    ${BIG}
  ],
  "Note": "${BIG}"
}
`;

let server: RecordingServer;
let service: string;
/** How the status monitor answers once the operation is done: the OData 4.0 envelope, or a JSON status naming the result. */
let monitorForm: "application/http" | "status" = "application/http";
/** How often the monitor of `slowTotal` was polled: every third poll ends its operation. */
let slowPolls = 0;

before(async () => {
  server = await startServer((request, res) => {
    const path = request.path.replace(/\?.*$/s, "");
    const json = (text: string) => sendText(res, 200, text, { "content-type": "application/json;odata.metadata=minimal" });
    if (path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    if (path === "/odata/Entries") return json(`{"@odata.context":"$metadata#Entries","value":[${ENTRY},${SECOND}]}`);
    if (path === `/odata/Entries(${BIG})`) return json(`{"@odata.context":"$metadata#Entries/$entity",${ENTRY.slice(1)}`);
    if (path === "/odata/total") {
      if (request.headers.prefer === "respond-async") return sendText(res, 202, "", { location: server.url("monitor/1") });
      return json(`{"@odata.context":"$metadata#Edm.Int64","value":${BIG}}`);
    }
    if (path === "/odata/largest()") return json(`{"@odata.context":"$metadata#Ledger.Entry",${ENTRY.slice(1)}`);
    if (path === "/monitor/1") {
      if (monitorForm === "status") return json(`{"status":"succeeded","resourceLocation":"${server.url("result/1")}"}`);
      return sendText(res, 200, `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"@odata.context":"$metadata#Edm.Int64","value":${BIG}}`, { "content-type": "application/http" });
    }
    // A monitor that answers JSON status bodies while it runs (202), then sends to the result with 303.
    if (path === "/odata/slowTotal") return sendText(res, 202, "", { location: server.url("monitor/2") });
    if (path === "/monitor/2") {
      slowPolls += 1;
      if (slowPolls % 3 !== 0) return sendText(res, 202, `{"status":"running","percentComplete":${slowPolls * 10}}`, { "content-type": "application/json", "retry-after": "0" });
      return sendText(res, 303, "", { location: server.url("result/2") });
    }
    if (path === "/result/2") return json(`{"@odata.context":"$metadata#Edm.Int64","value":${BIG}}`);
    if (path === "/result/1") return json(`{"@odata.context":"$metadata#Ledger.Entry",${ENTRY.slice(1)}`);
    if (path === "/v2/Entries(1L)") return json(`{"d":{"__metadata":{"uri":"Entries(1L)"},"ID":${BIG},"Other":${BIG_NEXT},"Marks":{"results":[${BIG_ODD},1]}}}`);
    sendText(res, 404, "");
  });
  service = server.url("odata/");
});
after(() => server.close());

async function run(args: string[]): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, 0, show(result));
  return result.stdout;
}

describe("query writes the service's digits in every format", () => {
  test("ndjson: each entity as the service wrote it", async () => {
    assert.equal(await run(["query", service, "Entries", "--format", "ndjson"]), `${ENTRY}\n${SECOND}\n`);
  });

  test("json, with --count around it", async () => {
    assert.equal(await run(["query", service, "Entries", "--format", "json"]), `[\n${ENTRY},\n${SECOND}\n]\n`);
    assert.equal(await run(["query", service, "Entries", "--format", "json", "--count"]), `{"@odata.count":null,"value":[\n${ENTRY},\n${SECOND}\n]\n}\n`);
  });

  test("csv: a property's long number and one inside a complex value or a collection", async () => {
    assert.equal(
      await run(["query", service, "Entries", "--format", "csv"]),
      `ID,Amount,Range,Marks,Note\r\n${BIG},${AMOUNT},"{""low"":${BIG_ODD},""high"":${BIG_NEXT}}","[1,${BIG}]",${BIG}\r\n2,1.5,,[],two\r\n`,
    );
  });

  test("the table: its cells, and its columns sized by those digits", async () => {
    const lines = (await run(["query", service, "Entries", "--select", "ID,Amount,Marks"])).split("\n");
    assert.deepEqual(lines.slice(0, 2), ["ID                Amount                Marks", "----------------  --------------------  --------------------"]);
    assert.equal(lines[2], `${BIG}  ${AMOUNT}  [1,${BIG}]`);
  });
});

describe("get, call and wait print the result with the service's digits", () => {
  test("get: every long number in its place, two numbers that read as one double each with its own digits", async () => {
    assert.equal(await run(["get", service, "Entries", BIG]), ENTRY_PRINTED);
  });

  test("get of OData v2: the entity under d, a collection under results", async () => {
    const printed = await run(["get", server.url("v2/"), "Entries", "1", "--odata-version", "2.0"]);
    assert.deepEqual(printed.match(/\d{16}/g), [BIG, BIG_NEXT, BIG_ODD], printed);
  });

  test("call of an action: its Int64 result", async () => {
    assert.equal(await run(["call", service, "total"]), `${BIG}\n`);
  });

  test("call of a function: its entity", async () => {
    assert.equal(await run(["call", service, "largest"]), ENTRY_PRINTED);
  });

  test("call --async: the result in a status monitor's application/http answer, and one fetched from its resourceLocation", async () => {
    monitorForm = "application/http";
    assert.equal(await run(["call", service, "total", "--async", "--poll-interval", "10"]), `${BIG}\n`);
    monitorForm = "status";
    assert.equal(await run(["call", service, "total", "--async", "--poll-interval", "10"]), ENTRY_PRINTED);
  });

  test("call --async and wait: the result fetched after JSON status answers of the monitor keeps its digits", async () => {
    assert.equal(await run(["call", service, "slowTotal", "--async", "--poll-interval", "10"]), `${BIG}\n`);
    const token = await run(["call", service, "slowTotal", "--no-wait"]);
    const result = await runCli(["wait", "-", "--poll-interval", "10"], { stdin: token });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, `${BIG}\n`);
    assert.ok(server.requests.filter((request) => request.path === "/monitor/2").length >= 4, "the monitor answered running before the result");
  });

  test("wait: the result of a token", async () => {
    monitorForm = "status";
    const token = await run(["call", service, "total", "--no-wait"]);
    const result = await runCli(["wait", "-", "--poll-interval", "10"], { stdin: token });
    assert.equal(result.code, 0, show(result));
    assert.equal(result.stdout, ENTRY_PRINTED);
  });
});
