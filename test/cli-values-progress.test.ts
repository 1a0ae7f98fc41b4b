// The progress bar and ETA of `query --count` and `export` count the rows the walk reads: the
// service's count ($count, @odata.count: the whole collection, $top and $skip left out) less
// --skip, at most --top. And --page-size given to an OData v2 service, which has no way to ask
// for a page size, is said to be left out (a warning; a v4 service gets its Prefer header).
// node:http servers on 127.0.0.1; stderr is no terminal, so --progress prints plain lines, the
// first at the first page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordedRequest } from "./servers/recording-server.js";

const COUNT = 100_000;
const PAGE = 1000;

/**
 * A v4 collection of COUNT items in pages of PAGE that honours $top and $skip, and `/$count`.
 * `beforeFirstPage` may hold the first page back.
 */
async function items(t: { after(fn: () => Promise<void>): void }, beforeFirstPage: () => Promise<void> = async () => {}) {
  let counted: () => void = () => {};
  const countAnswered = new Promise<void>((resolve) => (counted = resolve));
  const server = await startServer(async (request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname === "/svc/Items/$count") {
      sendText(res, 200, String(COUNT));
      return counted();
    }
    const first = !url.searchParams.has("from");
    if (first) await beforeFirstPage();
    const from = Number(url.searchParams.get("from") ?? url.searchParams.get("$skip") ?? 0);
    const end = Math.min(COUNT, first && url.searchParams.has("$top") ? from + Number(url.searchParams.get("$top")) : Number(url.searchParams.get("end") ?? COUNT));
    const to = Math.min(end, from + PAGE);
    const value = Array.from({ length: to - from }, (_, i) => ({ ID: from + i }));
    sendJson(res, 200, {
      ...(first && url.searchParams.get("$count") === "true" ? { "@odata.count": COUNT } : {}),
      value,
      ...(to < end ? { "@odata.nextLink": `Items?from=${to}&end=${end}` } : {}),
    }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  return { server, url: server.url("svc/"), countAnswered };
}

/** The percentage of the progress line (stderr) drawn at the first page. */
function firstShare(stderr: string): number {
  const line = stderr.split("\n").find((l) => l.startsWith("Items 1,000 rows "));
  const match = line === undefined ? null : /^Items 1,000 rows .*\] +(\d+)%/.exec(line);
  assert.ok(match, `no progress line with a bar for the first page in ${JSON.stringify(stderr)}`);
  return Number(match[1]);
}

const show = (outcome: { code: number; stdout: string; stderr: string }) => `exit ${outcome.code}\nstderr: ${outcome.stderr}`;

test("query --count --top 3000: the bar counts to 3,000 rows, not to the collection's count", async (t) => {
  const { url } = await items(t);
  const outcome = await cliInProcess(["query", url, "Items", "--top", "3000", "--count", "--progress", "--format", "ndjson"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal(outcome.stdout.trimEnd().split("\n").length, 3000);
  assert.equal(firstShare(outcome.stderr), 33);
  // The summary still tells the service's count.
  assert.match(outcome.stderr, /3,000 rows \(count 100,000\) in 3 pages/);
});

test("query --count --skip 95000: the bar counts to the 5,000 rows left", async (t) => {
  const { url } = await items(t);
  const outcome = await cliInProcess(["query", url, "Items", "--skip", "95000", "--count", "--progress", "--format", "ndjson"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal(outcome.stdout.trimEnd().split("\n").length, 5000);
  assert.equal(firstShare(outcome.stderr), 20);
});

test("export --top 3000 --skip 500: the count asked for the ETA is taken less the skip, at most the top", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cli-values-progress-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The first page waits for the count, so that its line has the total, and for the second's
  // turn (--progress writes a line a second; the export writes one as it starts).
  let answered: Promise<void> = Promise.resolve();
  const served = await items(t, async () => {
    await answered;
    await sleep(1100);
  });
  answered = served.countAnswered;
  const out = join(dir, "items.ndjson");
  const outcome = await cliInProcess(["export", served.url, "Items", "--top", "3000", "--skip", "500", "--out", out, "--progress"]);
  assert.equal(outcome.code, 0, show(outcome));
  assert.ok(served.server.requests.some((r) => r.path.startsWith("/svc/Items/$count")), "the count was asked");
  assert.equal(readFileSync(out, "utf8").trimEnd().split("\n").length, 3000);
  assert.equal(firstShare(outcome.stderr), 33);
});

/** A v2 or v4 service with $metadata and a collection Items of 4 entities, paged as asked by Prefer (v4). */
async function paged(t: { after(fn: () => Promise<void>): void }, version: "2.0" | "4.0") {
  const v2 = version === "2.0";
  const metadata = v2
    ? `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><edmx:DataServices m:DataServiceVersion="2.0"><Schema Namespace="T" xmlns="http://schemas.microsoft.com/ado/2008/09/edm"><EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Items" EntityType="T.Item"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`
    : `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="T" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="Items" EntityType="T.Item"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  const headers: Record<string, string> = v2 ? { dataserviceversion: "2.0" } : { "odata-version": "4.0" };
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, metadata, { "content-type": "application/xml", ...headers });
    const rows = [1, 2, 3, 4].map((ID) => (v2 ? { __metadata: { type: "T.Item" }, ID } : { ID }));
    sendJson(res, 200, v2 ? { d: { results: rows } } : { value: rows }, headers);
  });
  t.after(() => server.close());
  const reads = () => server.requests.filter((r: RecordedRequest) => r.path.startsWith("/svc/Items"));
  return { url: server.url("svc/"), reads };
}

const PAGE_SIZE_WARNING = "warning: --page-size is left out: OData v2 has no way to ask for a page size (Prefer: odata.maxpagesize is v4's), so the service pages as it does";

test("--page-size to an OData v2 service: a warning says it is left out, for query and export; v4 gets Prefer and no warning", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "cli-values-page-size-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const v2 = await paged(t, "2.0");
  // CSV reads $metadata for its columns, and so learns the version.
  const query = await cliInProcess(["query", v2.url, "Items", "--page-size", "2", "--format", "csv"]);
  assert.equal(query.code, 0, show(query));
  assert.equal(query.stdout, "ID\r\n1\r\n2\r\n3\r\n4\r\n");
  assert.ok(query.stderr.includes(PAGE_SIZE_WARNING), show(query));
  const exported = await cliInProcess(["export", v2.url, "Items", "--page-size", "2", "--odata-version", "2.0", "--out", join(dir, "v2.ndjson")]);
  assert.equal(exported.code, 0, show(exported));
  assert.ok(exported.stderr.includes(PAGE_SIZE_WARNING), show(exported));
  assert.equal(v2.reads().length, 2);
  for (const read of v2.reads()) assert.equal(read.headers["prefer"], undefined, read.path);

  const v4 = await paged(t, "4.0");
  const query4 = await cliInProcess(["query", v4.url, "Items", "--page-size", "2", "--format", "csv"]);
  assert.equal(query4.code, 0, show(query4));
  assert.ok(!query4.stderr.includes("--page-size"), show(query4));
  assert.equal(v4.reads()[0]?.headers["prefer"], "odata.maxpagesize=2");
});
