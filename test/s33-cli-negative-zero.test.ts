// A number the service sent as `-0` (or `-0.0`) was printed as `0` by CSV and the table: JavaScript
// reads it as negative zero, which `String` and `JSON.stringify` write without its sign. Every format
// now prints it as the service sent it, as it does for exponent forms and long digits; `-0.05` and
// `0` are untouched. The binary runs against a node:http service on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, sendText, type RecordingServer } from "./servers/recording-server.js";
import { runCli, show, tempDir } from "./cli-harness.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Lab" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Reading"><Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Dbl" Type="Edm.Double"/>
        <Property Name="Dec" Type="Edm.Decimal" Scale="variable"/><Property Name="Other" Type="Edm.Double"/>
      </EntityType>
      <EntityContainer Name="Default"><EntitySet Name="Readings" EntityType="Lab.Reading"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** The rows as the service writes them: negative zeros beside a zero and a small negative number. */
const ROWS = [`{"ID":1,"Dbl":-0,"Dec":-0.0,"Other":0}`, `{"ID":2,"Dbl":-0.05,"Dec":0,"Other":-0}`];
const PAGE = `{"@odata.context":"$metadata#Readings","value":[${ROWS.join(",")}]}`;

let server: RecordingServer;
let service: string;

before(async () => {
  server = await startServer((request, res) => {
    const path = request.path.replace(/\?.*$/s, "");
    if (path === "/odata/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    if (path === "/odata/Readings") return sendText(res, 200, PAGE, { "content-type": "application/json;odata.metadata=minimal" });
    if (path === "/odata/Readings(1)") return sendText(res, 200, `{"@odata.context":"$metadata#Readings/$entity",${(ROWS[0] as string).slice(1)}`, { "content-type": "application/json;odata.metadata=minimal" });
    sendText(res, 404, "");
  });
  service = server.url("odata/");
});
after(() => server.close());

async function run(args: string[], cwd?: string) {
  server.requests.length = 0;
  const result = await runCli(args, cwd === undefined ? {} : { cwd });
  assert.equal(result.code, 0, show(result));
  return result;
}

/** The paths of the requests on the set in the last run (`$metadata` left out). */
const setRequests = () => server.requests.filter((request) => !request.path.endsWith("$metadata")).map((request) => `${request.method} ${request.path}`);

test("query as CSV prints -0 and -0.0 as the service sent them, 0 and -0.05 as before", async () => {
  const csv = await run(["query", service, "Readings", "--format", "csv", "--quiet"]);
  assert.deepEqual(setRequests(), ["GET /odata/Readings"]);
  assert.equal(csv.stdout, "ID,Dbl,Dec,Other\r\n1,-0,-0.0,0\r\n2,-0.05,0,-0\r\n");
});

test("query as a table prints -0 and -0.0 as the service sent them", async () => {
  const table = await run(["query", service, "Readings", "--quiet"]);
  assert.deepEqual(setRequests(), ["GET /odata/Readings"]);
  assert.deepEqual(
    table.stdout.split("\n").map((line) => line.split(/\s+/)),
    [["ID", "Dbl", "Dec", "Other"], ["--", "-----", "----", "-----"], ["1", "-0", "-0.0", "0"], ["2", "-0.05", "0", "-0"], [""]],
  );
});

test("query as NDJSON and JSON keeps -0 and -0.0 as sent", async () => {
  const ndjson = await run(["query", service, "Readings", "--format", "ndjson", "--quiet"]);
  assert.equal(ndjson.stdout, `${ROWS.join("\n")}\n`);
  const json = await run(["query", service, "Readings", "--format", "json", "--quiet"]);
  assert.equal(json.stdout, `[\n${ROWS.join(",\n")}\n]\n`);
});

test("export to CSV, NDJSON and JSON writes -0 and -0.0 as sent", async () => {
  const cwd = tempDir();
  await run(["export", service, "Readings", "--out", "out.csv", "--quiet"], cwd);
  assert.deepEqual(setRequests(), ["GET /odata/Readings"]);
  assert.equal(readFileSync(join(cwd, "out.csv"), "utf8"), "ID,Dbl,Dec,Other\r\n1,-0,-0.0,0\r\n2,-0.05,0,-0\r\n");
  await run(["export", service, "Readings", "--out", "out.ndjson", "--quiet"], cwd);
  assert.equal(readFileSync(join(cwd, "out.ndjson"), "utf8"), `${ROWS.join("\n")}\n`);
  await run(["export", service, "Readings", "--out", "out.json", "--quiet"], cwd);
  assert.equal(readFileSync(join(cwd, "out.json"), "utf8"), `[\n${ROWS.join(",\n")}\n]\n`);
});

test("get prints -0 and -0.0 in its JSON as the service sent them", async () => {
  const one = await run(["get", service, "Readings", "1", "--quiet"]);
  assert.deepEqual(setRequests(), ["GET /odata/Readings(1)"]);
  assert.match(one.stdout, /"Dbl": -0,\n {2}"Dec": -0\.0,\n {2}"Other": 0\n/);
});
