// A page cut to `--top` keeps the digits the service sent. A service that sends more rows than
// `$top` asks for (Graph reads `$top` as a page size; these ignore it) has its page cut by the
// walk, a new array: the page's text, kept for the array the body was parsed into, is found by
// the entities the cut page begins with and cut to them. Pages read whole (compact, pretty-printed,
// with two `value` members: no entity text, the body kept), a page beyond the reader's 8 MiB
// buffer (read in pieces, cut inside one), and an export cut on resume. The binary runs against
// node:http services on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, sendText, type RecordingServer } from "./servers/recording-server.js";
import { runCli, show, tempDir } from "./cli-harness.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Ledger" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Big" Type="Edm.Int64"/><Property Name="Dec" Type="Edm.Decimal" Scale="variable"/>
      </EntityType>
      <EntityContainer Name="Default">
        <EntitySet Name="Items" EntityType="Ledger.Item"/><EntitySet Name="Pretty" EntityType="Ledger.Item"/>
        <EntitySet Name="Twice" EntityType="Ledger.Item"/><EntitySet Name="Huge" EntityType="Ledger.Item"/>
        <EntitySet Name="Resumed" EntityType="Ledger.Item"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** Odd Int64s beyond 2^53 and Decimals of 22 digits: JavaScript reads each as another number. */
const big = (i: number) => String(9007199254740995n + 2n * BigInt(i));
const dec = (i: number) => `${1234567890 + i}.123456789012`;
const entity = (i: number) => `{"ID":${i},"Big":${big(i)},"Dec":${dec(i)}}`;
const csvRow = (i: number) => `${i},${big(i)},${dec(i)}\r\n`;
const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

/** Rows of the page beyond the buffer (each about 67 bytes: 9.4 MB), and where `--top` cuts it. */
const HUGE_ROWS = 140_000;
const HUGE_TOP = 90_001;

let server: RecordingServer;
let service: string;
let hugePage = "";
/** Whether the next link of `Resumed` fails (the first export stops after its first page). */
let resumedFails = true;

before(async () => {
  hugePage = `{"@odata.context":"$metadata#Huge","value":[${rows(0, HUGE_ROWS).map(entity).join(",")}]}`;
  assert.ok(Buffer.byteLength(hugePage) > 8 * 1024 * 1024, "the page outgrows the reader's buffer");
  server = await startServer((request, res) => {
    const json = (text: string) => sendText(res, 200, text, { "content-type": "application/json;odata.metadata=minimal" });
    const [path = "", query = ""] = request.path.split("?");
    if (path.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    // Every set ignores $top: five rows, then a next link the walk must not follow past --top.
    if (path === "/odata/Items") return json(`{"@odata.context":"$metadata#Items","value":[${rows(1, 6).map(entity).join(",")}],"@odata.nextLink":"Items?$skiptoken=6"}`);
    if (path === "/odata/Pretty") return json(`{\n  "value": [\n    ${rows(1, 6).map((i) => entity(i).replaceAll(",", ", ")).join(",\n    ")}\n  ]\n}\n`);
    // Two `value` members: JSON.parse keeps the last, and the entities have no text of their own.
    if (path === "/odata/Twice") return json(`{"value":[],"value":[${rows(1, 6).map(entity).join(",")}]}`);
    if (path === "/odata/Huge") return json(hugePage);
    if (path === "/odata/Resumed") {
      if (!query.includes("$skiptoken")) return json(`{"value":[${rows(1, 3).map(entity).join(",")}],"@odata.nextLink":"Resumed?$skiptoken=3"}`);
      if (resumedFails) return sendText(res, 400, `{"error":{"code":"400","message":"not now"}}`, { "content-type": "application/json" });
      return json(`{"value":[${rows(3, 8).map(entity).join(",")}]}`);
    }
    sendText(res, 404, "");
  });
  service = server.url("odata/");
});
after(() => server.close());

/** The requests of a run, their paths only, `$metadata` left out. */
function pages(): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path)).filter((path) => !path.endsWith("$metadata"));
}

async function query(set: string, top: number, format: string): Promise<string> {
  server.requests.length = 0;
  const result = await runCli(["query", service, set, "--top", String(top), "--format", format, "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(pages(), [`/odata/${set}?$top=${top}`], "one page asked for, with $top, and no next link followed");
  return result.stdout;
}

/** Asserts two long texts are equal; a failure shows where they part, not megabytes. */
function same(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  assert.fail(`${what}: differs at character ${at} (${actual.length} written, ${expected.length} expected): ${JSON.stringify(actual.slice(Math.max(0, at - 60), at + 60))} where ${JSON.stringify(expected.slice(Math.max(0, at - 60), at + 60))} was expected`);
}

test("query --top 2 of a compact page of five: every format prints the two rows with the digits sent", async () => {
  const two = rows(1, 3);
  assert.equal(await query("Items", 2, "ndjson"), `${two.map(entity).join("\n")}\n`);
  assert.equal(await query("Items", 2, "json"), `[\n${two.map(entity).join(",\n")}\n]\n`);
  assert.equal(await query("Items", 2, "csv"), `ID,Big,Dec\r\n${two.map(csvRow).join("")}`);
  const table = await query("Items", 2, "table");
  assert.deepEqual(table.split("\n").slice(2, 4), two.map((i) => `${i}   ${big(i)}  ${dec(i)}`));
});

test("query --top 2 of a pretty-printed page and of one with two value members keeps the digits", async () => {
  const two = rows(1, 3);
  // Pretty-printed: the entities' text rebuilt without the whitespace between tokens.
  assert.equal(await query("Pretty", 2, "ndjson"), `${two.map(entity).join("\n")}\n`);
  assert.equal(await query("Pretty", 2, "csv"), `ID,Big,Dec\r\n${two.map(csvRow).join("")}`);
  // No entity text: the body kept whole gives each number its digits, the entities matched from the first.
  assert.equal(await query("Twice", 2, "ndjson"), `${two.map(entity).join("\n")}\n`);
  assert.equal(await query("Twice", 2, "csv"), `ID,Big,Dec\r\n${two.map(csvRow).join("")}`);
});

test("export --top 2 to CSV, NDJSON and JSON writes the digits sent", async () => {
  const two = rows(1, 3);
  const expected: Record<string, string> = {
    csv: `ID,Big,Dec\r\n${two.map(csvRow).join("")}`,
    ndjson: `${two.map(entity).join("\n")}\n`,
    json: `[\n${two.map(entity).join(",\n")}\n]\n`,
  };
  for (const format of ["csv", "ndjson", "json"]) {
    const cwd = tempDir();
    server.requests.length = 0;
    const result = await runCli(["export", service, "Items", "--top", "2", "--out", `out.${format}`, "--quiet"], { cwd });
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(pages(), ["/odata/Items?$top=2"]);
    assert.equal(readFileSync(join(cwd, `out.${format}`), "utf8"), expected[format], format);
  }
});

test("a page beyond the buffer cut by --top inside one of its pieces keeps the digits, query and export", async () => {
  const kept = rows(0, HUGE_TOP);
  same(await query("Huge", HUGE_TOP, "ndjson"), `${kept.map(entity).join("\n")}\n`, "NDJSON");
  same(await query("Huge", HUGE_TOP, "csv"), `ID,Big,Dec\r\n${kept.map(csvRow).join("")}`, "CSV");
  const cwd = tempDir();
  server.requests.length = 0;
  const result = await runCli(["export", service, "Huge", "--top", String(HUGE_TOP), "--out", "out.json", "--quiet"], { cwd });
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(pages(), [`/odata/Huge?$top=${HUGE_TOP}`]);
  same(readFileSync(join(cwd, "out.json"), "utf8"), `[\n${kept.map(entity).join(",\n")}\n]\n`, "JSON");
});

test("export --top 3 resumed: the page the resumed walk cuts to the one row left keeps its digits", async () => {
  const cwd = tempDir();
  resumedFails = true;
  const args = ["export", service, "Resumed", "--top", "3", "--out", "out.csv", "--quiet"];
  const failed = await runCli(args, { cwd });
  assert.equal(failed.code, 3, show(failed));
  assert.ok(existsSync(join(cwd, "out.csv.checkpoint.json")), "the checkpoint of the first page stays");
  resumedFails = false;
  server.requests.length = 0;
  const resumed = await runCli([...args, "--resume"], { cwd });
  assert.equal(resumed.code, 0, show(resumed));
  assert.deepEqual(pages(), ["/odata/Resumed?$skiptoken=3"], "the resumed walk reads the saved next link");
  assert.equal(readFileSync(join(cwd, "out.csv"), "utf8"), `ID,Big,Dec\r\n${rows(1, 4).map(csvRow).join("")}`);
});
