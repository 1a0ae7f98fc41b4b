// `-H 'If-Match: <etag>'` (and the other conditional headers: If-None-Match, If-Modified-Since,
// If-Unmodified-Since, If-Range) conditions the request a command is for: a `call`'s action, a
// `get`'s entity, a `cancel`'s DELETE. It went with every request the command sent, `$metadata`,
// the CSRF token fetch and a `--async` call's polls and result read among them, which a service
// answers 412 (or 304) for a condition that is not theirs. The other `-H` headers still go with
// every request. It also goes with the pages and counts of query, count and export (--parallel's
// range requests among them), and describe and generate, which read $metadata alone, send it with
// nothing and say so. Against node:http services that record each request's headers.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess, type InProcessOutcome } from "./cli-in-process.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="revision" Type="Edm.Int32"/></EntityType>
<Action Name="ship" IsBound="true"><Parameter Name="order" Type="NS.Order"/><Parameter Name="carrier" Type="Edm.String"/><ReturnType Type="Edm.String"/></Action>
<EntityContainer Name="C"><EntitySet Name="Orders" EntityType="NS.Order"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const CURRENT = 'W/"2"';
const v4 = { "odata-version": "4.0" };

/**
 * Orders(1) at revision 2, behind SAP-style CSRF protection. `ship` wants the token and the current
 * ETag in If-Match, and runs asynchronously where asked (a monitor, then a result). Like a service
 * that takes a condition as one on the resource it is sent to, every other request with If-Match
 * or If-None-Match is answered 412 (but a DELETE of the monitor with If-Match: *): `$metadata`, the
 * token fetch, the monitor's polls and the result have none of the order's ETags.
 */
async function guardedService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  let polls = 0;
  const server = await startServer((request, res) => {
    const conditioned = request.headers["if-match"] !== undefined || request.headers["if-none-match"] !== undefined;
    const ship = request.method === "POST" && request.path === "/svc/Orders(1)/NS.ship";
    // The order, and the monitor to DELETE (If-Match: * asks for it to exist), take a condition.
    const takesCondition = ship || request.path === "/svc/Orders(1)" || (request.method === "DELETE" && request.headers["if-match"] === "*");
    if (conditioned && !takesCondition) {
      return sendJson(res, 412, { error: { code: "PreconditionFailed", message: `${request.path} has no such ETag` } }, v4);
    }
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", ...v4 });
    if (request.method === "GET" && request.path === "/svc/") return sendJson(res, 200, { value: [] }, { ...v4, "x-csrf-token": "tok-1" });
    if (ship) {
      if (request.headers["x-csrf-token"] !== "tok-1") return sendJson(res, 403, { error: { code: "CsrfTokenRequired", message: "no token" } }, { ...v4, "x-csrf-token": "Required" });
      if (request.headers["if-match"] !== CURRENT) return sendJson(res, 412, { error: { code: "PreconditionFailed", message: `Order 1 is at ${CURRENT}` } }, v4);
      if (request.headers["prefer"] === "respond-async") return sendText(res, 202, "", { location: server.url("svc/monitor/1"), ...v4 });
      return sendJson(res, 200, { value: "shipped" }, v4);
    }
    if (request.method === "GET" && request.path === "/svc/monitor/1") {
      polls += 1;
      return sendJson(res, 200, polls < 2 ? { status: "inProgress" } : { status: "succeeded", resourceLocation: server.url("svc/result/1") }, v4);
    }
    if (request.method === "DELETE" && request.path === "/svc/monitor/1") return sendText(res, 204, "", v4);
    if (request.method === "GET" && request.path === "/svc/result/1") return sendJson(res, 200, { value: "shipped" }, v4);
    if (request.method === "GET" && request.path === "/svc/Orders(1)") {
      if (request.headers["if-none-match"] === CURRENT) return sendText(res, 304, "", { etag: CURRENT });
      return sendJson(res, 200, { "@odata.etag": CURRENT, ID: 1, revision: 2 }, { ...v4, etag: CURRENT });
    }
    sendJson(res, 404, { error: { code: "404", message: "no" } }, v4);
  });
  t.after(() => server.close());
  return server;
}

/** Each request as `METHOD path if-match=… x-tenant=…`, what the test asserts of the wire. */
const sent = (requests: readonly RecordedRequest[]) =>
  requests.map((r) => `${r.method} ${decodeURIComponent(r.path).replace(/^\/svc\//, "")} if-match=${r.headers["if-match"] ?? "none"} if-none-match=${r.headers["if-none-match"] ?? "none"} x-tenant=${r.headers["x-tenant"] ?? "none"}`);

const show = (outcome: InProcessOutcome) => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;

/** A folder with a profile `shop` of the service, `csrf: true`. */
function profileFolder(t: { after(fn: () => void): void }, serviceUrl: string): string {
  const folder = mkdtempSync(join(tmpdir(), "traverse-cli-fix32-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, "traverse-odata.config.json"), JSON.stringify({ profiles: { shop: { url: serviceUrl, csrf: true } } }));
  return folder;
}

test("call --async with -H If-Match: the action's POST carries it; $metadata, the CSRF token fetch, the polls and the result read do not; -H X-Tenant goes with them all", async (t) => {
  const server = await guardedService(t);
  const cwd = profileFolder(t, server.url("svc/"));
  const args = ["call", "shop", "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "--async", "--poll-interval", "5", "-H", `If-Match: ${CURRENT}`, "-H", "X-Tenant: t1"];
  const result = await cliInProcess(args, "", { cwd });
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stdout, '"shipped"\n');
  assert.deepEqual(sent(server.requests), [
    "GET $metadata if-match=none if-none-match=none x-tenant=t1",
    "GET  if-match=none if-none-match=none x-tenant=t1",
    `POST Orders(1)/NS.ship if-match=${CURRENT} if-none-match=none x-tenant=t1`,
    "GET monitor/1 if-match=none if-none-match=none x-tenant=t1",
    "GET monitor/1 if-match=none if-none-match=none x-tenant=t1",
    "GET result/1 if-match=none if-none-match=none x-tenant=t1",
  ]);
});

test("a plain call with -H If-Match sends it with the action alone, and a stale one's 412 says the entity changed (the library knows what was sent)", async (t) => {
  const server = await guardedService(t);
  const cwd = profileFolder(t, server.url("svc/"));
  const ok = await cliInProcess(["call", "shop", "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "-H", `if-match: ${CURRENT}`], "", { cwd });
  assert.equal(ok.code, 0, show(ok));
  assert.equal(ok.stdout, '"shipped"\n');
  const stale = await cliInProcess(["call", "shop", "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "-H", 'If-Match: W/"1"'], "", { cwd });
  assert.equal(stale.code, 3, show(stale));
  assert.match(stale.stderr, /HTTP 412 .*the entity changed since it was read \(its ETag no longer matches If-Match\)/);
  assert.deepEqual(sent(server.requests), [
    "GET $metadata if-match=none if-none-match=none x-tenant=none",
    "GET  if-match=none if-none-match=none x-tenant=none",
    `POST Orders(1)/NS.ship if-match=${CURRENT} if-none-match=none x-tenant=none`,
    "GET $metadata if-match=none if-none-match=none x-tenant=none",
    "GET  if-match=none if-none-match=none x-tenant=none",
    'POST Orders(1)/NS.ship if-match=W/"1" if-none-match=none x-tenant=none',
  ]);
});

test("get with -H If-None-Match sends it with the entity's GET, not with the $metadata read before it", async (t) => {
  const server = await guardedService(t);
  const result = await cliInProcess(["get", server.url("svc/"), "Orders", "1", "-H", 'If-None-Match: W/"1"']);
  assert.equal(result.code, 0, show(result));
  assert.equal((JSON.parse(result.stdout) as { revision: number }).revision, 2);
  assert.deepEqual(sent(server.requests), ["GET $metadata if-match=none if-none-match=none x-tenant=none", 'GET Orders(1) if-match=none if-none-match=W/"1" x-tenant=none']);
});

test("cancel sends -H If-Match with its DELETE (not with the CSRF token fetch before it); wait, whose requests are polls alone, sends it with none and says so", async (t) => {
  const server = await guardedService(t);
  const cwd = profileFolder(t, server.url("svc/"));
  const started = await cliInProcess(["call", "shop", "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "--no-wait", "-H", `If-Match: ${CURRENT}`], "", { cwd });
  assert.equal(started.code, 0, show(started));
  const token = started.stdout;
  const from = server.requests.length;
  const waited = await cliInProcess(["wait", "-", "--poll-interval", "5", "-H", "If-Match: *", "-H", "X-Tenant: t1"], token, { cwd });
  assert.equal(waited.code, 0, show(waited));
  assert.equal(waited.stdout, '"shipped"\n');
  assert.match(waited.stderr, /warning: If-Match is not sent: a conditional header goes with the request a command is for, and wait sends only the polls of the status monitor and the read of the result/);
  const cancelled = await cliInProcess(["cancel", "-", "-H", "If-Match: *"], token, { cwd });
  assert.equal(cancelled.code, 0, show(cancelled));
  assert.deepEqual(sent(server.requests.slice(from)), [
    "GET monitor/1 if-match=none if-none-match=none x-tenant=t1",
    "GET monitor/1 if-match=none if-none-match=none x-tenant=t1",
    "GET result/1 if-match=none if-none-match=none x-tenant=t1",
    // The profile's CSRF token, fetched for the DELETE, without the DELETE's condition.
    "GET  if-match=none if-none-match=none x-tenant=none",
    "DELETE monitor/1 if-match=* if-none-match=none x-tenant=none",
  ]);
});

/**
 * Orders over two pages (the second by a next link), its `$count`, and `$metadata`, answering any
 * condition: what a command sends it with is what the tests look at.
 */
async function pagedService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", ...v4 });
    if (request.path === "/svc/Orders/$count") return sendText(res, 200, "2", { "content-type": "text/plain", ...v4 });
    if (request.path.startsWith("/svc/Orders") && !request.path.includes("skiptoken")) {
      return sendJson(res, 200, { value: [{ ID: 1, revision: 1 }], "@odata.nextLink": server.url("svc/Orders?$skiptoken=1") }, v4);
    }
    if (request.path.startsWith("/svc/Orders")) return sendJson(res, 200, { value: [{ ID: 2, revision: 1 }] }, v4);
    sendJson(res, 404, { error: { code: "404", message: "no" } }, v4);
  });
  t.after(() => server.close());
  return server;
}

test("-H If-None-Match goes with every page of query and export and with count's $count, never with $metadata", async (t) => {
  const server = await pagedService(t);
  const url = server.url("svc/");
  const folder = mkdtempSync(join(tmpdir(), "traverse-cli-fix32-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const cases: [string[], string[]][] = [
    [["query", url, "Orders", "--format", "ndjson", "--quiet"], ["GET Orders", "GET Orders?$skiptoken=1"]],
    // A table reads $metadata for its columns first.
    [["query", url, "Orders", "--format", "csv", "--quiet"], ["GET $metadata", "GET Orders", "GET Orders?$skiptoken=1"]],
    [["count", url, "Orders"], ["GET Orders/$count"]],
    [["export", url, "Orders", "--out", "one.ndjson", "--quiet"], ["GET Orders", "GET Orders?$skiptoken=1"]],
  ];
  for (const [args, paths] of cases) {
    const from = server.requests.length;
    const result = await cliInProcess([...args, "-H", 'If-None-Match: W/"9"'], "", { cwd: folder });
    assert.equal(result.code, 0, `${args.join(" ")}: ${show(result)}`);
    assert.equal(result.stderr, "", args.join(" "));
    assert.deepEqual(
      sent(server.requests.slice(from)),
      paths.map((path) => `${path} if-match=none if-none-match=${path === "GET $metadata" ? "none" : 'W/"9"'} x-tenant=none`),
      args.join(" "),
    );
  }
});

test("export --parallel sends -H If-None-Match with its $count and each partition's range and pages, not with $metadata", async (t) => {
  const server = await pagedService(t);
  const folder = mkdtempSync(join(tmpdir(), "traverse-cli-fix32-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const result = await cliInProcess(["export", server.url("svc/"), "Orders", "--out", "rows.csv", "--parallel", "2", "--quiet", "-H", 'If-None-Match: W/"9"'], "", { cwd: folder });
  assert.equal(result.code, 0, show(result));
  const requests = sent(server.requests);
  assert.deepEqual(requests.filter((r) => r.startsWith("GET $metadata ")), ["GET $metadata if-match=none if-none-match=none x-tenant=none"]);
  const others = requests.filter((r) => !r.startsWith("GET $metadata "));
  // $count, the probe of a boundary, and two partitions of two pages each.
  assert.equal(others.length, 6, requests.join("\n"));
  assert.ok(others.some((r) => r.startsWith("GET Orders/$count ")), requests.join("\n"));
  assert.ok(others.some((r) => r.startsWith("GET Orders?$filter=ID lt ")) && others.some((r) => r.startsWith("GET Orders?$filter=ID ge ")), requests.join("\n"));
  for (const request of others) assert.match(request, / if-none-match=W\/"9" /);
});

test("describe and generate, which send $metadata alone, send -H If-None-Match with nothing and say so", async (t) => {
  const server = await pagedService(t);
  const folder = mkdtempSync(join(tmpdir(), "traverse-cli-fix32-"));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  for (const [command, ...rest] of [["describe"], ["generate", "--out", "gen"]]) {
    const from = server.requests.length;
    const result = await cliInProcess([command as string, server.url("svc/"), ...rest, "-H", 'If-None-Match: W/"9"'], "", { cwd: folder });
    assert.equal(result.code, 0, `${command}: ${show(result)}`);
    assert.match(result.stderr, new RegExp(`^warning: If-None-Match is not sent: a conditional header goes with the request a command is for, and ${command} sends \\$metadata alone\\n`));
    assert.deepEqual(sent(server.requests.slice(from)), ["GET $metadata if-match=none if-none-match=none x-tenant=none"]);
  }
});
