// `export` of an OData 3.0 service (WCF Data Services 5: its $metadata declares DataServiceVersion
// 3.0) read as OData v2. Such a service answers a plain `application/json` in v3's JSON light,
// which the v2 reader cannot read; verbose JSON, v2's form, is what it answers to
// `application/json;odata=verbose`, or to `application/json` from a client that says it reads no
// more than 2.0 (`MaxDataServiceVersion: 2.0`, OData v3's rule for older clients).
// - An export that read $metadata (CSV, a plan) asks for verbose JSON, and its checkpoint keeps the
//   version declared, so that `--resume` (which reads no $metadata) asks the same way.
// - An export that reads no $metadata and reads as v2 (`--odata-version 2.0` to NDJSON) does not
//   know the service's version: it says `MaxDataServiceVersion: 2.0`, which a 2.0 service (SAP
//   Gateway; SAPUI5's v2 model sends it on every request) ignores and a 3.0 one answers verbosely.
// - A checkpoint saved before the version declared was kept still resumes.
// Over a node:http service on 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./cli-harness.js";
import { cliInProcess, type InProcessOutcome } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

const show = (o: InProcessOutcome) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;

const METADATA = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><edmx:DataServices m:DataServiceVersion="3.0" m:MaxDataServiceVersion="3.0"><Schema Namespace="S" xmlns="http://schemas.microsoft.com/ado/2009/11/edm"><EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Name" Type="Edm.String"/></EntityType><EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
const IDS = [1, 2, 3, 5, 8, 13, 21];
const V3 = { dataserviceversion: "3.0;" };

/** Whether a request gets verbose JSON from a WCF Data Services 5.1 service (else JSON light). */
function answersVerbose(request: RecordedRequest): boolean {
  const accept = String(request.headers.accept ?? "");
  if (/^application\/json;odata=verbose\b/i.test(accept)) return true;
  const max = Number(String(request.headers.maxdataserviceversion ?? "").replace(/;.*$/, ""));
  return /^application\/json\s*$/i.test(accept) && max > 0 && max < 3;
}

/**
 * The service: Items in pages of 3 (`$skiptoken`), `$count`, the ordered probes and key ranges of a
 * plan. A page that starts at `failAt` answers 400, so that an export stops there.
 */
async function wcfService(t: { after(fn: () => Promise<void>): void }) {
  const state: { failAt?: number } = {};
  const server: RecordingServer = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml;charset=utf-8", ...V3 });
    const filter = url.searchParams.get("$filter") ?? "";
    const lower = /ID ge (\d+)/.exec(filter);
    const upper = /ID lt (\d+)/.exec(filter);
    const ids = IDS.filter((id) => (!lower || id >= Number(lower[1])) && (!upper || id < Number(upper[1])));
    if (url.pathname === "/svc/Items/$count") return sendText(res, 200, String(ids.length), V3);
    if (url.pathname !== "/svc/Items") return sendJson(res, 404, { error: { code: "", message: { lang: "en-US", value: "Resource not found" } } }, V3);
    const verbose = answersVerbose(request);
    const entity = (id: number) => (verbose ? { __metadata: { uri: server.url(`svc/Items(${id})`), type: "S.Item" }, ID: id, Name: `Item ${id}` } : { ID: id, Name: `Item ${id}` });
    const send = (rows: number[], next: string | undefined) =>
      verbose
        ? sendJson(res, 200, { d: { results: rows.map(entity), ...(next ? { __next: next } : {}) } }, { ...V3, "content-type": "application/json;odata=verbose;charset=utf-8" })
        : sendJson(res, 200, { "odata.metadata": server.url("svc/$metadata#Items"), value: rows.map(entity), ...(next ? { "odata.nextLink": next } : {}) }, { ...V3, "content-type": "application/json;odata=minimalmetadata;streaming=true;charset=utf-8" });
    if (url.searchParams.get("$orderby") !== null) {
      const skip = Number(url.searchParams.get("$skip") ?? 0);
      return send(ids.slice(skip, skip + 1), undefined);
    }
    const skip = Number(url.searchParams.get("$skiptoken") ?? 0);
    if (skip === state.failAt) return sendJson(res, 400, { error: { code: "", message: { lang: "en-US", value: "page refused" } } }, V3);
    const next = skip + 3 < ids.length ? server.url(`svc/Items?$skiptoken=${skip + 3}${filter ? `&$filter=${encodeURIComponent(filter)}` : ""}`) : undefined;
    send(ids.slice(skip, skip + 3), next);
  });
  t.after(() => server.close());
  return { server, state };
}

/** The requests for rows (not $metadata), in order, with the two headers that choose the JSON form. */
function asked(requests: RecordedRequest[]): string[] {
  return requests
    .filter((r) => !r.path.endsWith("/$metadata"))
    .map((r) => `${decodeURIComponent(r.path)} accept=${String(r.headers.accept)}${r.headers.maxdataserviceversion === undefined ? "" : ` max=${String(r.headers.maxdataserviceversion)}`}`);
}

const VERBOSE = "application/json;odata=verbose";
const CSV = ["ID,Name", ...IDS.map((id) => `${id},Item ${id}`), ""].join("\r\n");
/** The NDJSON of the verbose answers: each entity as the service wrote it, its `__metadata` included. */
const ndjson = (server: RecordingServer) => IDS.map((id) => JSON.stringify({ __metadata: { uri: server.url(`svc/Items(${id})`), type: "S.Item" }, ID: id, Name: `Item ${id}` })).join("\n") + "\n";

/** Runs the first export, which stops at the page of $skiptoken=3, and checks it left a checkpoint. */
async function interrupted(service: { server: RecordingServer; state: { failAt?: number } }, args: string[], cwd: string, checkpoint: string): Promise<{ requests: string[]; saved: Record<string, unknown> }> {
  service.state.failAt = 3;
  const from = service.server.requests.length;
  let first: InProcessOutcome;
  try {
    first = await cliInProcess(args, "", { cwd });
  } finally {
    delete service.state.failAt;
  }
  assert.equal(first.code, 3, show(first));
  assert.match(first.stderr, /page refused/);
  return { requests: asked(service.server.requests.slice(from)), saved: JSON.parse(readFileSync(join(cwd, checkpoint), "utf8")) as Record<string, unknown> };
}

async function resumed(service: { server: RecordingServer }, args: string[], cwd: string): Promise<string[]> {
  const from = service.server.requests.length;
  const outcome = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(outcome.code, 0, show(outcome));
  assert.equal(outcome.stderr, "");
  return asked(service.server.requests.slice(from));
}

test("export to CSV of a 3.0 service, without --odata-version: verbose JSON is asked on the first run and on --resume, which reads no $metadata", async (t) => {
  const service = await wcfService(t);
  const cwd = tempDir();
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.csv", "--checkpoint-interval", "0", "--quiet"];
  const first = await interrupted(service, args, cwd, "x.csv.checkpoint.json");
  assert.deepEqual(first.requests, [`/svc/Items accept=${VERBOSE}`, `/svc/Items?$skiptoken=3 accept=${VERBOSE}`]);
  const from = service.server.requests.length;
  assert.deepEqual(await resumed(service, args, cwd), [`/svc/Items?$skiptoken=3 accept=${VERBOSE}`, `/svc/Items?$skiptoken=6 accept=${VERBOSE}`]);
  assert.equal(service.server.requests.slice(from).some((r) => r.path.endsWith("/$metadata")), false);
  assert.equal(readFileSync(join(cwd, "x.csv"), "utf8"), CSV);
  // What the resume went by: the version read, and the one $metadata declared.
  assert.equal(first.saved["odataVersion"], "2.0");
  assert.equal(first.saved["declaredVersion"], "3.0");
});

test("export to CSV of a 3.0 service with --odata-version 2.0: $metadata is read for the columns, so verbose JSON is asked, on --resume too", async (t) => {
  const service = await wcfService(t);
  const cwd = tempDir();
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.csv", "--odata-version", "2.0", "--checkpoint-interval", "0", "--quiet"];
  const first = await interrupted(service, args, cwd, "x.csv.checkpoint.json");
  assert.deepEqual(first.requests, [`/svc/Items accept=${VERBOSE}`, `/svc/Items?$skiptoken=3 accept=${VERBOSE}`]);
  assert.equal(first.saved["declaredVersion"], "3.0");
  assert.deepEqual(await resumed(service, args, cwd), [`/svc/Items?$skiptoken=3 accept=${VERBOSE}`, `/svc/Items?$skiptoken=6 accept=${VERBOSE}`]);
  assert.equal(readFileSync(join(cwd, "x.csv"), "utf8"), CSV);
});

test("export to NDJSON with --odata-version 2.0 reads no $metadata: it says MaxDataServiceVersion 2.0, and the 3.0 service answers verbose JSON, on --resume too", async (t) => {
  const service = await wcfService(t);
  const cwd = tempDir();
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.ndjson", "--odata-version", "2.0", "--checkpoint-interval", "0", "--quiet"];
  const first = await interrupted(service, args, cwd, "x.ndjson.checkpoint.json");
  assert.equal(service.server.requests.some((r) => r.path.endsWith("/$metadata")), false);
  assert.deepEqual(first.requests, ["/svc/Items accept=application/json max=2.0", "/svc/Items?$skiptoken=3 accept=application/json max=2.0"]);
  assert.equal(first.saved["declaredVersion"], undefined);
  assert.deepEqual(await resumed(service, args, cwd), ["/svc/Items?$skiptoken=3 accept=application/json max=2.0", "/svc/Items?$skiptoken=6 accept=application/json max=2.0"]);
  assert.equal(readFileSync(join(cwd, "x.ndjson"), "utf8"), ndjson(service.server));
});

test("a checkpoint saved before the declared version was kept resumes: read as its OData 2.0, saying MaxDataServiceVersion 2.0", async (t) => {
  const service = await wcfService(t);
  const cwd = tempDir();
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.csv", "--checkpoint-interval", "0", "--quiet"];
  const first = await interrupted(service, args, cwd, "x.csv.checkpoint.json");
  // As the version before this one saved it: no declaredVersion.
  const { declaredVersion: _dropped, ...old } = first.saved;
  writeFileSync(join(cwd, "x.csv.checkpoint.json"), JSON.stringify(old));
  assert.deepEqual(await resumed(service, args, cwd), ["/svc/Items?$skiptoken=3 accept=application/json max=2.0", "/svc/Items?$skiptoken=6 accept=application/json max=2.0"]);
  assert.equal(readFileSync(join(cwd, "x.csv"), "utf8"), CSV);
});

test("export --parallel 2 of a 3.0 service to NDJSON: the plan's $metadata makes the walks ask verbose JSON, and --resume of the parallel checkpoint too", async (t) => {
  const service = await wcfService(t);
  const cwd = tempDir();
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.ndjson", "--parallel", "2", "--checkpoint-interval", "0", "--quiet"];
  const first = await interrupted(service, args, cwd, "x.ndjson.checkpoint.json");
  assert.equal(first.saved["type"], "traverse-odata/export-parallel");
  for (const line of first.requests) assert.ok(line.endsWith(`accept=${VERBOSE}`) || line.startsWith("/svc/Items/$count"), line);
  // The range of ID lt 5 was written whole; the other goes on from its second page.
  assert.deepEqual(await resumed(service, args, cwd), [`/svc/Items?$skiptoken=3&$filter=ID ge 5 accept=${VERBOSE}`]);
  const lines = readFileSync(join(cwd, "x.ndjson"), "utf8").split("\n");
  assert.deepEqual(lines.slice(0, -1).map((line) => (JSON.parse(line) as { ID: number }).ID), IDS);
  assert.equal(first.saved["declaredVersion"], "3.0");
});

test("a checkpoint whose declared version is not a version number is refused as damaged (exit 2), nothing asked", async (t) => {
  const service = await wcfService(t);
  const cwd = tempDir();
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.csv", "--checkpoint-interval", "0", "--quiet"];
  const first = await interrupted(service, args, cwd, "x.csv.checkpoint.json");
  writeFileSync(join(cwd, "x.csv.checkpoint.json"), JSON.stringify({ ...first.saved, declaredVersion: "3.0;NetFx" }));
  const from = service.server.requests.length;
  const outcome = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(outcome.code, 2, show(outcome));
  assert.match(outcome.stderr, /x\.csv\.checkpoint\.json is damaged: the OData version its service declared is not a version number; delete it to start again/);
  assert.equal(service.server.requests.length, from);
});
