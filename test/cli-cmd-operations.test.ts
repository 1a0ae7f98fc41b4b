// call, wait, cancel, describe and generate of the traverse-odata binary, for what a hunt found:
// the resume token on a terminal's progress line, an OData v2 service given no --odata-version,
// a plain call answered 202, operations bound the other way, function overloads, cancel of a
// finished operation, and usage messages in the command line's words. Against a node:http service
// (every request it gets is kept), SAP CAP (v2 and v4) and the demo service.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { buildCli, runCli, runInTerminal, serveDemo, shellQuote, show, tempDir, type ServedDemo } from "./cli-harness.js";
import { startCap, type CapServer } from "./servers/cap.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Thing"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<Action Name="touch" IsBound="true"><Parameter Name="it" Type="S.Thing"/></Action>
<Action Name="slow"><ReturnType Type="Edm.Int32"/></Action>
<Action Name="quick"><ReturnType Type="Edm.Int32"/></Action>
<Action Name="copy"><ReturnType Type="Edm.Int32"/></Action>
<Function Name="f"><Parameter Name="a" Type="Edm.Int32"/><ReturnType Type="Edm.String"/></Function>
<Function Name="f"><Parameter Name="b" Type="Edm.String"/><ReturnType Type="Edm.String"/></Function>
<Function Name="g"><Parameter Name="texts" Type="Collection(Edm.String)"/><ReturnType Type="Edm.String"/></Function>
<Function Name="h"><Parameter Name="x" Type="Edm.String"/><ReturnType Type="Edm.String"/></Function>
<EntityContainer Name="C"><EntitySet Name="Things" EntityType="S.Thing"/>
<ActionImport Name="slow" Action="S.slow"/><ActionImport Name="copy" Action="S.copy"/><ActionImport Name="quick" Action="S.quick"/>
<FunctionImport Name="f" Function="S.f"/><FunctionImport Name="g" Function="S.g"/><FunctionImport Name="h" Function="S.h"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** The node:http service: every request it got ("METHOD /path"), and its root. */
let seen: string[] = [];
let server: Server;
let root: string;
let cap: CapServer;
let demo: ServedDemo;

before(async () => {
  server = createServer((request, response) => {
    const url = decodeURIComponent(request.url ?? "");
    seen.push(`${request.method} ${url}`);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", "odata-version": "4.0", ...headers });
      response.end(JSON.stringify(body));
    };
    if (url === "/svc/$metadata") {
      response.writeHead(200, { "content-type": "application/xml" });
      response.end(METADATA);
    } else if (url === "/svc/slow") {
      // Accepted whether or not respond-async was asked for (Microsoft Graph's copy does so).
      response.writeHead(202, { location: `${root}mon/1` });
      response.end();
    } else if (url === "/svc/copy") {
      // Graph's OneNote copies: the monitor in Operation-Location alone.
      response.writeHead(202, { "operation-location": `${root}mon/1` });
      response.end();
    } else if (url === "/svc/quick") {
      json(200, { "@odata.context": "$metadata#Edm.Int32", value: 7 });
    } else if (url === "/svc/mon/1") {
      if (request.method === "DELETE") response.writeHead(204).end();
      else json(200, { "@odata.context": "$metadata#Edm.Int32", value: 42 });
    } else if (url.startsWith("/svc/f(") || url.startsWith("/svc/g(") || url.startsWith("/svc/h(")) {
      json(200, { value: url });
    } else if (url === "/svc/Things(-1)/S.touch") {
      response.writeHead(204).end();
    } else if (url.startsWith("/svc/Parts")) {
      json(200, { value: [{ ID: 1 }] });
    } else if (url.startsWith("/svc/Things")) {
      // A v2 answer from a service that does not say it is one (no DataServiceVersion).
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ d: { results: [{ ID: 1 }] } }));
    } else {
      json(404, { error: { code: "404", message: "no such resource" } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`;
  [cap, demo] = await Promise.all([startCap(), serveDemo(["--job-ms", "20000"])]);
});
after(async () => {
  server?.close();
  await Promise.all([cap?.stop(), demo?.stop()]);
});

/** The requests of one run, `$metadata` left out. */
async function requestsOf(run: () => Promise<unknown>): Promise<string[]> {
  seen = [];
  await run();
  return seen.filter((line) => !line.endsWith("/$metadata"));
}

test("on a terminal, the resume token printed at --max-wait starts on a cleared line, not glued to the progress line", async () => {
  const main = await buildCli();
  const command = ["node", main, "call", demo.serviceUrl, "exportProducts", "--param", "format=csv", "--async", "--poll-interval", "100", "--max-wait", "1200"].map(shellQuote).join(" ");
  const { code, output } = await runInTerminal(command);
  assert.equal(code, 5, output);
  // The progress line was drawn, then erased (CR, erase-line) before the token's text.
  assert.match(output, /exportProducts \[/);
  assert.match(output, /\r\u001b\[2K(?:\u001b\[0m)?\{"type":"traverse-odata\/async-poller"/, JSON.stringify(output.slice(-900)));
});

test("an OData v2 service without --odata-version: call uses the version $metadata declares; a profile's version stays; a v2 answer read as v4 names --odata-version 2.0", async () => {
  const described = await runCli(["describe", cap.v2]);
  assert.match(described.stdout, /\(OData 2\.0\)/);
  // call reads $metadata: it speaks v2 (countBooks?minStock=10), and prints the unwrapped result.
  const called = await runCli(["call", cap.v2, "countBooks", "--param", "minStock=10", "--debug"]);
  assert.equal(called.code, 0, show(called));
  assert.match(called.stderr, /GET \S*\/odata\/v2\/catalog\/countBooks\?minStock=10/);
  assert.equal(typeof JSON.parse(called.stdout), "number");
  // A profile that says 4.0 is believed: the v4 URL is sent, and the service's 404 stands.
  const cwd = tempDir();
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify({ profiles: { old: { url: cap.v2, version: "4.0" } } }));
  const pinned = await runCli(["call", "old", "countBooks", "--param", "minStock=10", "--debug"], { cwd });
  assert.equal(pinned.code, 3, show(pinned));
  assert.match(pinned.stderr, /GET \S*\/countBooks\(minStock=10\)/);
  // query --format json or ndjson reads no $metadata: the v2 answer is refused with exit 2 naming
  // the option, not failed on with exit 1. A count reads alike in v2 and v4.
  for (const format of ["json", "ndjson"]) {
    const args = ["query", cap.v2, "Books", "--top", "1", "--format", format];
    const read = await runCli(args);
    assert.equal(read.code, 2, show(read));
    assert.equal(read.stdout, "");
    assert.match(read.stderr, /answered by an OData v2 service \(DataServiceVersion: "2\.0"\).*give --odata-version 2\.0/);
  }
  const counted = await runCli(["count", cap.v2, "Books"]);
  assert.equal(counted.code, 0, show(counted));
  assert.match(counted.stdout, /^\d+\n$/);
  const flagged = await runCli(["get", cap.v2, "Books", "1", "--odata-version", "2.0"]);
  assert.equal(flagged.code, 0, show(flagged));
  assert.equal(JSON.parse(flagged.stdout).ID, 1);
  // get, and query as a table or CSV, read $metadata: they speak v2 without the option.
  const got = await runCli(["get", cap.v2, "Books", "1", "--debug"]);
  assert.equal(got.code, 0, show(got));
  assert.equal(JSON.parse(got.stdout).ID, 1);
  assert.match(got.stderr, /GET \S*\/odata\/v2\/catalog\/Books\(1\)/);
  const table = await runCli(["query", cap.v2, "Books", "--top", "2", "--select", "ID", "--orderby", "ID", "--format", "csv"]);
  assert.equal(table.code, 0, show(table));
  assert.equal(table.stdout, "ID\r\n1\r\n2\r\n");
  // A service that answers {"d": …} without saying it is v2: the failure names the option.
  const requests = await requestsOf(async () => {
    const query = await runCli(["query", root, "Things", "--format", "json"]);
    assert.equal(query.code, 1, show(query));
    assert.match(query.stderr, /the collection body has no "value" member; an OData v2 service answers \{"d": …\}: if this is one, give --odata-version 2\.0/);
  });
  assert.deepEqual(requests, ["GET /svc/Things"]);
});

test("a plain call answered 202 Accepted prints the resume token (exit 1, in the command line's words); wait follows it to the result, labelled with the operation's name", async () => {
  const cwd = tempDir();
  let started: Awaited<ReturnType<typeof runCli>> | undefined;
  const sent = await requestsOf(async () => {
    started = await runCli(["call", root, "slow"], { cwd });
  });
  assert.ok(started);
  assert.deepEqual(sent, ["POST /svc/slow"]);
  assert.equal(started.code, 1, show(started));
  assert.doesNotMatch(started.stderr, /client\.asyncPoller|invokeAsync|getAsync/);
  assert.match(started.stderr, /^error: action slow: the service runs it asynchronously \(it answered 202 Accepted\).*its resume token is on stdout, for traverse-odata wait .*call --async/m);
  const token = JSON.parse(started.stdout);
  assert.equal(token.statusUrl, `${root}mon/1`);
  assert.equal(token.service, root);
  assert.deepEqual(token.resultShape, { kind: "operation", name: "slow", version: "4.0" });
  writeFileSync(join(cwd, "job.json"), started.stdout);
  let waited: Awaited<ReturnType<typeof runCli>> | undefined;
  const polled = await requestsOf(async () => {
    waited = await runCli(["wait", "job.json", "--progress"], { cwd });
  });
  assert.ok(waited);
  assert.deepEqual(polled, ["GET /svc/mon/1"]);
  assert.equal(waited.code, 0, show(waited));
  assert.equal(JSON.parse(waited.stdout), 42);
  assert.match(waited.stderr, /^slow \[/m);
  assert.match(waited.stderr, /^slow: Succeeded in 0:0\d$/m);
});

test("a plain call answered 202 with its monitor in Operation-Location alone prints the resume token too, and points to wait, not call --async", async () => {
  const cwd = tempDir();
  let started: Awaited<ReturnType<typeof runCli>> | undefined;
  const sent = await requestsOf(async () => {
    started = await runCli(["call", root, "copy"], { cwd });
  });
  assert.ok(started);
  assert.deepEqual(sent, ["POST /svc/copy"]);
  assert.equal(started.code, 1, show(started));
  assert.match(started.stderr, /^error: action copy: the service runs it asynchronously \(it answered 202 Accepted\).*its resume token is on stdout, for traverse-odata wait \(its result\) or cancel \(its monitor is in Operation-Location, which call --async does not take: use wait\)$/m);
  const token = JSON.parse(started.stdout);
  assert.equal(token.statusUrl, `${root}mon/1`);
  writeFileSync(join(cwd, "job.json"), started.stdout);
  const waited = await runCli(["wait", "job.json"], { cwd });
  assert.equal(waited.code, 0, show(waited));
  assert.equal(JSON.parse(waited.stdout), 42);
});

test("cancel of an operation that had already finished says so with its outcome, sends nothing, and exits 2", async () => {
  const quick = await runCli(["call", root, "quick", "--no-wait"]);
  assert.equal(quick.code, 0, show(quick));
  assert.equal(JSON.parse(quick.stdout).status, "Succeeded");
  const requests = await requestsOf(async () => {
    const cancelled = await runCli(["cancel", "-"], { stdin: quick.stdout });
    assert.equal(cancelled.code, 2, show(cancelled));
    assert.match(cancelled.stderr, /^error: cancel: quick had already finished \(Succeeded\) when its token was written: nothing was cancelled, and nothing was sent\n$/);
  });
  assert.deepEqual(requests, []);
});

test("describe tells operations bound to one entity from those bound to the collection; call says which needs --key and which takes none", async () => {
  const text = await runCli(["describe", cap.v4, "Books"]);
  assert.equal(text.code, 0, show(text));
  assert.match(text.stdout, /^Bound to one entity \(call Books\/<name> --key KEY\)\n(?: {2}.*\n)*? {2}action {3}CatalogService\.order\(quantity: Edm\.Int32\)/m);
  assert.match(text.stdout, /^Bound to the collection \(call Books\/<name>, no --key\)\n(?: {2}.*\n)*? {2}function CatalogService\.topStocked\(n: Edm\.Int32\)/m);
  const json = JSON.parse((await runCli(["describe", cap.v4, "Books", "--json"])).stdout) as { operations: { name: string; binding: string }[] };
  assert.equal(json.operations.find((o) => o.name === "CatalogService.order")?.binding, "entity");
  assert.equal(json.operations.find((o) => o.name === "CatalogService.topStocked")?.binding, "collection");

  const noKey = await runCli(["call", cap.v4, "Books/CatalogService.order", "--param", "quantity=1", "--debug"]);
  assert.equal(noKey.code, 2, show(noKey));
  assert.match(noKey.stderr, /error: call: CatalogService\.order is bound to one entity of Books: it needs --key/);
  assert.doesNotMatch(noKey.stderr, /POST/);
  const withKey = await runCli(["call", cap.v4, "Books/CatalogService.topStocked", "--key", "1", "--param", "n=1", "--debug"]);
  assert.equal(withKey.code, 2, show(withKey));
  assert.match(withKey.stderr, /error: call: CatalogService\.topStocked is bound to the collection Books, not to one entity: it takes no --key/);
  assert.doesNotMatch(withKey.stderr, /topStocked\(/);
});

test("an unbound function's overloads: call picks the one whose parameter names are given (CSDL 12.2)", async () => {
  for (const [param, url] of [
    ["a=1", "GET /svc/f(a=1)"],
    ["b=x", "GET /svc/f(b='x')"],
  ] as const) {
    const requests = await requestsOf(async () => {
      const called = await runCli(["call", root, "f", "--param", param]);
      assert.equal(called.code, 0, show(called));
      assert.equal(JSON.parse(called.stdout), url.slice(4));
    });
    assert.deepEqual(requests, [url]);
  }
  const requests = await requestsOf(async () => {
    const none = await runCli(["call", root, "f", "--param", "c=1"]);
    assert.equal(none.code, 2, show(none));
    assert.match(none.stderr, /call: f has 2 overloads, told apart by their parameters' names: f\(a\), f\(b\); give the --param of one of them \(given: c\)/);
  });
  assert.deepEqual(requests, []);
});

test("usage mistakes are refused before anything is sent, in the command line's words", async () => {
  const refused = async (args: string[], message: RegExp) => {
    const requests = await requestsOf(async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2, show(run));
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /select\(fields\)|expand\(nav\)|resumeAsync|ambiguous/);
    });
    assert.deepEqual(requests, [], args.join(" "));
  };
  await refused(["call", root, "h", "--param", "x=a", "--param", "x=b"], /--param x is given twice/);
  await refused(["call", root, "g", "--param", "texts=a,b"], /--param texts is a collection \(Collection\(Edm\.String\)\): give it as JSON: texts='\["a","b"\]'/);
  await refused(["query", root, "Things", "--select", "ID title"], /^error: --select: the string "ID title" is not an OData property path/m);
  await refused(["get", root, "Things", "1", "--expand", "a b"], /^error: --expand: the string "a b" is not an OData property path/m);
  await refused(["query", root, "Things", "--filter", "-x"], /option --filter needs a value; one that starts with "-" is written --filter=-…/);
  const port = new URL(root).port;
  await refused(["count", `localhost:${port}/svc/`, "Things"], /<service> "localhost:\d+\/svc\/" has no scheme: add http:\/\//);
  const badToken = await runCli(["wait", "-"], { stdin: JSON.stringify({ type: "traverse-odata/async-poller", version: 7, statusUrl: `${root}mon/1` }) });
  assert.equal(badToken.code, 2, show(badToken));
  assert.match(badToken.stderr, /^error: the token's version 7 is not supported \(expected 1 or 2\); pass what call --no-wait printed$/m);

  // The collection given as JSON is sent; a negative --key is the key.
  const json = await requestsOf(async () => assert.equal((await runCli(["call", root, "g", "--param", 'texts=["a","b"]'])).code, 0));
  assert.deepEqual(json, ['GET /svc/g(texts=@texts)?@texts=["a","b"]']);
  const negative = await requestsOf(async () => assert.equal((await runCli(["call", root, "Things/S.touch", "--key", "-1"])).code, 0));
  assert.deepEqual(negative, ["POST /svc/Things(-1)/S.touch"]);
});

test("generate --check into a folder that does not exist says the files are missing", async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, "metadata.xml"), METADATA);
  const checked = await runCli(["generate", "metadata.xml", "--out", "gen/svc", "--check"], { cwd });
  assert.equal(checked.code, 1, show(checked));
  assert.match(checked.stderr, /^error: generate --check: gen\/svc\/index\.ts is missing \(there is no folder gen\/svc\); run traverse-odata generate without --check\n$/);
  assert.doesNotMatch(checked.stderr, /differs/);
});

test("--expand takes the nested $search, $compute and $levels too, sent as written; a $levels that is no positive integer or max is refused before anything is sent", async () => {
  const sent = await requestsOf(async () => {
    const read = await runCli(["query", root, "Parts", "--format", "json", "--expand", "Kids($levels=max;$search=\"blue;green\";$compute=Price mul 2 as Twice)"]);
    assert.equal(read.code, 0, show(read));
    assert.deepEqual(JSON.parse(read.stdout), [{ ID: 1 }]);
  });
  assert.equal(sent.length, 1);
  const expand = new URL(sent[0]!.replace(/^GET /, ""), "http://x").searchParams.get("$expand") ?? "";
  assert.match(expand, /^Kids\((?=.*\$levels=max)(?=.*\$search="blue;green")(?=.*\$compute=Price mul 2 as Twice).*\)$/);
  const refused = await requestsOf(async () => {
    const read = await runCli(["query", root, "Parts", "--format", "json", "--expand", "Kids($levels=0)"]);
    assert.equal(read.code, 2, show(read));
    assert.match(read.stderr, /--expand: \$levels must be a positive integer or max; got "0"/);
    // What OData v2 lacks is told as the option's mistake too, in the command line's words.
    const v2 = await runCli(["query", root, "Parts", "--format", "json", "--odata-version", "2.0", "--expand", "Kids($levels=2)"]);
    assert.equal(v2.code, 2, show(v2));
    assert.match(v2.stderr, /^error: --expand: a nested \$levels does not exist in OData 2\.0/m);
  });
  assert.deepEqual(refused, []);
});
