// `export` speaks the OData version `$metadata` declares wherever it reads `$metadata` anyway (CSV
// columns, the plan of --parallel, --partition and --plan), as `query` as CSV or a table does, so an
// OData v2 service needs no --odata-version 2.0 there; a resumed export speaks its checkpoint's. An
// NDJSON or JSON export of one walk reads no $metadata: it stops with exit 2 naming the option.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, show, tempDir, type CliResult } from "./cli-harness.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><edmx:DataServices m:DataServiceVersion="2.0"><Schema Namespace="S" xmlns="http://schemas.microsoft.com/ado/2008/09/edm"><EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType><EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
const ITEMS = [1, 2, 3, 5, 8, 13, 21].map((ID) => ({ __metadata: { type: "S.Item" }, ID, Name: `Item, ${ID}` }));
const V2 = { dataserviceversion: "2.0" };

let server: RecordingServer;
/** A page that starts at this row answers 400 (an export that stops midway). */
let failAt: number | undefined;

before(async () => {
  // A v2 service as SAP Gateway answers: `d.results`, `__next`, DataServiceVersion 2.0; pages of 3
  // rows, `$count` and the key ranges (`ID ge a and ID lt b`) and ordered probes of a plan.
  server = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname === "/sap/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", ...V2 });
    const filter = url.searchParams.get("$filter") ?? "";
    const lower = /ID ge (\d+)/.exec(filter);
    const upper = /ID lt (\d+)/.exec(filter);
    const rows = ITEMS.filter((item) => (!lower || item.ID >= Number(lower[1])) && (!upper || item.ID < Number(upper[1])));
    if (url.pathname === "/sap/Items/$count") return sendText(res, 200, String(rows.length), V2);
    if (url.pathname !== "/sap/Items") return sendJson(res, 404, { error: { code: "404", message: { lang: "en", value: "no such resource" } } }, V2);
    if (url.searchParams.get("$orderby") !== null) {
      const skip = Number(url.searchParams.get("$skip") ?? 0);
      return sendJson(res, 200, { d: { results: rows.slice(skip, skip + 1).map(({ __metadata, ID }) => ({ __metadata, ID })) } }, V2);
    }
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
    if (skip === failAt) return sendJson(res, 400, { error: { code: "E", message: { lang: "en", value: "page refused" } } }, V2);
    const d: Record<string, unknown> = { results: rows.slice(skip, skip + 3) };
    if (skip + 3 < rows.length) d["__next"] = server.url(`sap/Items?$skiptoken=${skip + 3}${filter ? `&$filter=${encodeURIComponent(filter)}` : ""}`);
    sendJson(res, 200, { d }, V2);
  });
});
after(() => server.close());

const CSV = ["ID,Name", ...ITEMS.map((item) => `${item.ID},"${item.Name}"`), ""].join("\r\n");

/**
 * Runs the binary; its outcome, and the paths (decoded) the service was asked meanwhile. A read
 * carries no version header: that the v2 answers were read as v2 shows in the output and exit code.
 */
async function run(args: string[], cwd = tempDir()): Promise<{ result: CliResult; requests: string[] }> {
  const from = server.requests.length;
  const result = await runCli(args, { cwd });
  return { result, requests: server.requests.slice(from).map((request: RecordedRequest) => decodeURIComponent(request.path)) };
}

test("export --out x.csv of a v2 service without --odata-version: $metadata's version is spoken, the CSV written, exit 0 (--out x.ndjson: exit 2)", async () => {
  const cwd = tempDir();
  const { result, requests } = await run(["export", server.url("sap/"), "Items", "--out", "x.csv", "--quiet"], cwd);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stderr, "");
  assert.equal(readFileSync(join(cwd, "x.csv"), "utf8"), CSV);
  assert.deepEqual(requests, ["/sap/$metadata", "/sap/Items", "/sap/Items?$skiptoken=3", "/sap/Items?$skiptoken=6"]);
  assert.equal(existsSync(join(cwd, "x.csv.checkpoint.json")), false);

  // NDJSON of one walk reads no $metadata: the v2 answer stops it with exit 2, naming the option.
  const ndjson = await run(["export", server.url("sap/"), "Items", "--out", "x.ndjson", "--quiet"], cwd);
  assert.equal(ndjson.result.code, 2, show(ndjson.result));
  assert.equal(
    ndjson.result.stderr,
    `error: GET ${server.url("sap/Items")} was answered by an OData v2 service (DataServiceVersion: "2.0"), which the command read as OData 4.0, the default: give --odata-version 2.0\n`,
  );
  assert.deepEqual(ndjson.requests, ["/sap/Items"]);
});

test("export --parallel 2 to NDJSON of a v2 service: the plan reads $metadata, so the walks speak v2", async () => {
  const cwd = tempDir();
  const { result, requests } = await run(["export", server.url("sap/"), "Items", "--out", "x.ndjson", "--parallel", "2", "--quiet"], cwd);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stderr, "");
  const lines = readFileSync(join(cwd, "x.ndjson"), "utf8").split("\n");
  assert.deepEqual(lines.slice(0, -1).map((line) => (JSON.parse(line) as { ID: number }).ID), ITEMS.map((item) => item.ID));
  assert.equal(lines.at(-1), "");
  // $metadata once, its model handed to the planner; the walks run at once, in either order.
  assert.deepEqual(requests.slice(0, 3), ["/sap/$metadata", "/sap/Items/$count", "/sap/Items?$select=ID&$orderby=ID&$skip=3&$top=1"]);
  assert.deepEqual(requests.slice(3).sort(), ["/sap/Items?$filter=ID ge 5", "/sap/Items?$filter=ID lt 5", "/sap/Items?$skiptoken=3&$filter=ID ge 5"]);
});

test("export --parallel 2 --plan of a v2 service prints the plan, its probe's v2 answer read as v2", async () => {
  const { result, requests } = await run(["export", server.url("sap/"), "Items", "--parallel", "2", "--plan", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  const plan = JSON.parse(result.stdout) as { entitySet: string; index: number; of: number; filter: string; estimatedCount: number }[];
  assert.deepEqual(
    plan.map((p) => [p.entitySet, p.index, p.of, p.filter, p.estimatedCount]),
    [
      ["Items", 0, 2, "ID lt 5", 3],
      ["Items", 1, 2, "ID ge 5", 4],
    ],
  );
  assert.deepEqual(requests, ["/sap/$metadata", "/sap/Items/$count", "/sap/Items?$select=ID&$orderby=ID&$skip=3&$top=1"]);
});

test("export --partition 2/2 to NDJSON of a v2 service: planned with $metadata's version, its range walked as v2", async () => {
  const cwd = tempDir();
  const { result, requests } = await run(["export", server.url("sap/"), "Items", "--partition", "2/2", "--out", "part.ndjson", "--quiet"], cwd);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stderr, "");
  assert.deepEqual(
    readFileSync(join(cwd, "part.ndjson"), "utf8").split("\n").slice(0, -1).map((line) => (JSON.parse(line) as { ID: number }).ID),
    [5, 8, 13, 21],
  );
  assert.deepEqual(requests, ["/sap/$metadata", "/sap/Items/$count", "/sap/Items?$select=ID&$orderby=ID&$skip=3&$top=1", "/sap/Items?$filter=ID ge 5", "/sap/Items?$skiptoken=3&$filter=ID ge 5"]);
});

test("a CSV export of a v2 service stopped midway resumes as v2 without --odata-version, and reads no $metadata then", async () => {
  const cwd = tempDir();
  failAt = 3;
  let first: CliResult;
  try {
    ({ result: first } = await run(["export", server.url("sap/"), "Items", "--out", "x.csv", "--checkpoint-interval", "0", "--quiet"], cwd));
  } finally {
    failAt = undefined;
  }
  assert.equal(first.code, 3, show(first));
  const checkpoint = JSON.parse(readFileSync(join(cwd, "x.csv.checkpoint.json"), "utf8")) as { odataVersion?: string };
  assert.equal(checkpoint.odataVersion, "2.0");
  const { result: resumed, requests } = await run(["export", server.url("sap/"), "Items", "--out", "x.csv", "--resume", "--quiet"], cwd);
  assert.equal(resumed.code, 0, show(resumed));
  assert.equal(resumed.stderr, "");
  assert.equal(readFileSync(join(cwd, "x.csv"), "utf8"), CSV);
  assert.deepEqual(requests, [
    "/sap/Items?$skiptoken=3",
    "/sap/Items?$skiptoken=6",
  ]);
});
