// What CSV and the table write of a row: a number in exponent form as the service wrote it (as
// NDJSON does; JavaScript reads `1e-400` as 0 and `1E+400` as Infinity), an empty string as `""`
// apart from null's empty field, the columns of `--select "Name,*"` (the named ones, then every
// declared property), no column for an `Edm.Stream` property unless `$select` names it; and the
// warning of an `--out` file whose extension names no format. The binary runs against a node:http
// service on 127.0.0.1.
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
      <EntityType Name="Sample"><Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Dec" Type="Edm.Decimal" Scale="variable"/>
        <Property Name="Dbl" Type="Edm.Double"/><Property Name="Photo" Type="Edm.Stream"/><Property Name="Name" Type="Edm.String"/>
      </EntityType>
      <EntityContainer Name="Default"><EntitySet Name="Samples" EntityType="Lab.Sample"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** The rows as the service writes them: exponent forms JavaScript reads as other numbers, an empty and a null name. */
const ROWS = [
  `{"ID":1,"Dec":1e-400,"Dbl":1.5,"Photo@odata.mediaReadLink":"Samples(1)/Photo","Name":""}`,
  `{"ID":2,"Dec":1E+400,"Dbl":2.5E-3,"Photo@odata.mediaReadLink":"Samples(2)/Photo","Name":null}`,
  `{"ID":3,"Dec":123456789012345e10,"Dbl":-1e-320,"Photo@odata.mediaReadLink":"Samples(3)/Photo","Name":"x"}`,
];

let server: RecordingServer;
let service: string;

before(async () => {
  server = await startServer((request, res) => {
    const json = (text: string) => sendText(res, 200, text, { "content-type": "application/json;odata.metadata=minimal" });
    const path = request.path.replace(/\?.*$/s, "");
    if (path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    if (path === "/odata/Samples") return json(`{"@odata.context":"$metadata#Samples","value":[${ROWS.join(",")}]}`);
    if (path === "/odata/Samples(2)") return json(`{"@odata.context":"$metadata#Samples/$entity",${(ROWS[1] as string).slice(1)}`);
    sendText(res, 404, "");
  });
  service = server.url("odata/");
});
after(() => server.close());

/** The `$select` of the collection requests of the last run. */
function selects(): (string | null)[] {
  return server.requests.filter((request) => request.path.startsWith("/odata/Samples")).map((request) => new URL(request.path, server.origin).searchParams.get("$select"));
}

async function run(args: string[], cwd?: string) {
  server.requests.length = 0;
  const result = await runCli(args, cwd === undefined ? {} : { cwd });
  assert.equal(result.code, 0, show(result));
  return result;
}

test("CSV and the table write a number in exponent form as the service sent it, as NDJSON does", async () => {
  const csv = await run(["query", service, "Samples", "--select", "ID,Dec,Dbl", "--format", "csv", "--quiet"]);
  assert.equal(csv.stdout, "ID,Dec,Dbl\r\n1,1e-400,1.5\r\n2,1E+400,2.5E-3\r\n3,123456789012345e10,-1e-320\r\n");
  const table = await run(["query", service, "Samples", "--select", "ID,Dec,Dbl", "--quiet"]);
  assert.deepEqual(table.stdout.split("\n").slice(2, 5).map((line) => line.split(/\s+/)), [
    ["1", "1e-400", "1.5"],
    ["2", "1E+400", "2.5E-3"],
    ["3", "123456789012345e10", "-1e-320"],
  ]);
  const cwd = tempDir();
  await run(["export", service, "Samples", "--select", "ID,Dec", "--out", "out.csv", "--quiet"], cwd);
  assert.equal(readFileSync(join(cwd, "out.csv"), "utf8"), "ID,Dec\r\n1,1e-400\r\n2,1E+400\r\n3,123456789012345e10\r\n");
  // `get` prints JSON with the text too: 1E+400 would be `null` as JSON.stringify writes Infinity.
  const one = await run(["get", service, "Samples", "2", "--quiet"]);
  assert.match(one.stdout, /"Dec": 1E\+400,\n {2}"Dbl": 2\.5E-3,/);
});

test("CSV writes an empty string as a quoted empty field and null as an empty one", async () => {
  const csv = await run(["query", service, "Samples", "--select", "ID,Name", "--format", "csv", "--quiet"]);
  assert.deepEqual(selects(), ["ID,Name"]);
  assert.equal(csv.stdout, 'ID,Name\r\n1,""\r\n2,\r\n3,x\r\n');
  const cwd = tempDir();
  await run(["export", service, "Samples", "--select", "ID,Name", "--out", "out.csv", "--quiet"], cwd);
  assert.equal(readFileSync(join(cwd, "out.csv"), "utf8"), 'ID,Name\r\n1,""\r\n2,\r\n3,x\r\n');
});

test('--select "Name,*": Name first, then every declared property but the stream, each once', async () => {
  const csv = await run(["query", service, "Samples", "--select", "Name,*", "--format", "csv", "--quiet"]);
  assert.deepEqual(selects(), ["Name,*"]);
  assert.equal(csv.stdout.split("\r\n")[0], "Name,ID,Dec,Dbl");
  assert.equal(csv.stdout.split("\r\n")[3], "x,3,123456789012345e10,-1e-320");
  const table = await run(["query", service, "Samples", "--select", "Name,*", "--quiet"]);
  assert.deepEqual(table.stdout.split("\n")[0]?.split(/\s+/), ["Name", "ID", "Dec", "Dbl"]);
  const cwd = tempDir();
  await run(["export", service, "Samples", "--select", "Name,*", "--out", "out.csv", "--quiet"], cwd);
  assert.equal(readFileSync(join(cwd, "out.csv"), "utf8").split("\r\n")[0], "Name,ID,Dec,Dbl");
});

test("an Edm.Stream property is no column from $metadata; one $select names is", async () => {
  const all = await run(["query", service, "Samples", "--format", "csv", "--quiet"]);
  assert.deepEqual(selects(), [null]);
  assert.equal(all.stdout.split("\r\n")[0], "ID,Dec,Dbl,Name");
  const table = await run(["query", service, "Samples", "--quiet"]);
  assert.deepEqual(table.stdout.split("\n")[0]?.split(/\s+/), ["ID", "Dec", "Dbl", "Name"]);
  const named = await run(["query", service, "Samples", "--select", "ID,Photo", "--format", "csv", "--quiet"]);
  assert.equal(named.stdout.split("\r\n")[0], "ID,Photo");
});

test("--out with an extension that names no format: NDJSON, and a warning naming it and --format", async () => {
  const cwd = tempDir();
  const result = await run(["export", service, "Samples", "--select", "ID", "--out", "rows.tsv", "--quiet"], cwd);
  assert.equal(result.stderr, "warning: rows.tsv: its extension names none of the formats (.csv, .json, .ndjson or .jsonl); writing NDJSON (--format ndjson|csv|json chooses one)\n");
  assert.deepEqual(selects(), ["ID"]);
  // The service sends every property whatever $select says: NDJSON writes the rows as sent.
  assert.equal(readFileSync(join(cwd, "rows.tsv"), "utf8"), `${ROWS.join("\n")}\n`);
  // An extension that names NDJSON, or --format, says nothing.
  for (const args of [["--out", "rows.jsonl"], ["--out", "rows.ndjson"], ["--out", "rows.txt", "--format", "ndjson"]]) {
    const quiet = await run(["export", service, "Samples", "--select", "ID", ...args, "--quiet"], tempDir());
    assert.equal(quiet.stderr, "", args.join(" "));
  }
});
