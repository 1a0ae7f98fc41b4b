// A page larger than the reader's buffer (8 MiB) is read by the incremental scanner, in pieces;
// `export` and `query` still write the digits of its long numbers as the service sent them
// (9007199254740995, which JavaScript reads as 9007199254740996), in every format, as they do for
// a page read whole. The binary runs against a node:http service on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, sendText, type RecordingServer } from "./servers/recording-server.js";
import { runCli, show, tempDir } from "./cli-harness.js";

const BIG = 9007199254740995n;
/** The reader's buffer (DEFAULT_BUFFER_LIMIT of collection-body.ts): the big page must outgrow it. */
const BUFFER_LIMIT = 8 * 1024 * 1024;
const ROWS = 80_000;
/** The entity with a value beyond the scanner's 256 KiB: it is collected in pieces and parsed alone. */
const HUGE = 40_000;

/** Odd numbers beyond 2^53: none is a double, so each would be written rounded. */
const big = (i: number) => String(BIG + 2n * BigInt(i));
const amount = (i: number) => `12345678901234567.${String(i % 100).padStart(2, "0")}`;
const note = (i: number) => (i === HUGE ? "x".repeat(300_000) : "n".repeat(40));

/** An entity as the service writes it, compact; the huge one has its long numbers after its long note. */
function entity(i: number): string {
  if (i === HUGE) return `{"ID":${i},"Note":"${note(i)}","Big":${big(i)},"Amount":${amount(i)},"Range":{"low":${big(i + 1)}}}`;
  return `{"ID":${i},"Big":${big(i)},"Amount":${amount(i)},"Range":{"low":${big(i + 1)}},"Note":"${note(i)}"}`;
}

/** The same entity pretty-printed: spaces after each colon and comma between members. */
const pretty = (i: number) => entity(i).replaceAll('":', '": ').replaceAll(',"', ', "');

const rows = Array.from({ length: ROWS }, (_, i) => i);
const LAST = [ROWS, ROWS + 1];

let server: RecordingServer;
let service: string;
let bigPage = "";
let prettyPage = "";

before(async () => {
  bigPage = `{"@odata.context":"$metadata#Entries","value":[${rows.map(entity).join(",")}],"@odata.nextLink":"Entries?$skiptoken=2"}`;
  // Line breaks between the entities and inside the array: each entity's text is rebuilt without them.
  prettyPage = `{\n  "@odata.context": "$metadata#Entries",\n  "value": [\n    ${rows.map(pretty).join(",\n    ")}\n  ]\n}\n`;
  assert.ok(Buffer.byteLength(bigPage) > BUFFER_LIMIT && Buffer.byteLength(prettyPage) > BUFFER_LIMIT, "the pages outgrow the reader's buffer");
  server = await startServer((request, res) => {
    const json = (text: string) => sendText(res, 200, text, { "content-type": "application/json;odata.metadata=minimal" });
    const [path, query = ""] = request.path.split("?");
    if (path?.endsWith("/$metadata")) return sendText(res, 404, "no metadata");
    // The page after the big one is small and read whole: both kinds of page in one walk.
    if (path === "/odata/Entries") return json(query.includes("$skiptoken=2") ? `{"value":[${LAST.map(entity).join(",")}]}` : bigPage);
    if (path === "/odata/Pretty") return json(prettyPage);
    sendText(res, 404, "");
  });
  service = server.url("odata/");
});
after(() => server.close());

const all = [...rows, ...LAST];
const ndjson = `${all.map(entity).join("\n")}\n`;
const csvRow = (i: number) => `${i},${big(i)},${amount(i)},"{""low"":${big(i + 1)}}",${note(i)}\r\n`;
const csv = `ID,Big,Amount,Range,Note\r\n${all.map(csvRow).join("")}`;

/** Asserts two long texts are equal; a failure shows where they part, not megabytes. */
function same(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  assert.fail(`${what}: differs at character ${at} of ${expected.length} (${actual.length} written): ${JSON.stringify(actual.slice(Math.max(0, at - 60), at + 60))} where ${JSON.stringify(expected.slice(Math.max(0, at - 60), at + 60))} was expected`);
}

async function exported(format: string, set = "Entries"): Promise<string> {
  const cwd = tempDir();
  server.requests.length = 0;
  const result = await runCli(["export", service, set, "--out", `out.${format}`, "--quiet"], { cwd });
  assert.equal(result.code, 0, show(result));
  return readFileSync(join(cwd, `out.${format}`), "utf8");
}

test("export to NDJSON of a page beyond the buffer: every entity as the service wrote it, the long numbers' digits kept, then the next page's", async () => {
  const text = await exported("ndjson");
  assert.deepEqual(
    server.requests.map((request) => request.path),
    ["/odata/Entries", "/odata/Entries?$skiptoken=2"],
  );
  same(text, ndjson, "the file: the service's entities, one a line");
});

test("export to JSON and CSV of a page beyond the buffer keeps the digits", async () => {
  const json = await exported("json");
  same(json, `[\n${all.map(entity).join(",\n")}\n]\n`, "JSON");
  same(await exported("csv"), csv, "CSV");
});

test("export of a pretty-printed page beyond the buffer: each entity on one line, whitespace between tokens gone, digits kept", async () => {
  const text = await exported("ndjson", "Pretty");
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Pretty"]);
  same(text, `${rows.map(entity).join("\n")}\n`, "the file");
});

test("query of a page beyond the buffer: NDJSON and the table with the service's digits", async () => {
  const result = await runCli(["query", service, "Entries", "--format", "ndjson", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  same(result.stdout, ndjson, "NDJSON");
  const table = await runCli(["query", service, "Entries", "--select", "ID,Big,Amount", "--quiet"]);
  assert.equal(table.code, 0, show(table));
  const lines = table.stdout.split("\n");
  // The first 200 rows size the columns: ID is 3 wide (a longer ID pushes its line along), Big 16, Amount 20.
  assert.equal(lines.length, all.length + 3);
  for (const i of all) if (lines[i + 2] !== `${String(i).padEnd(3)}  ${big(i)}  ${amount(i)}`) assert.fail(`row ${i}: ${lines[i + 2]}`);
});
