// A `<service>` given as the URL of its `$metadata` (as a browser or a service catalog shows it):
// `generate` took it as its service, every other command appended to it (`…/$metadata/$metadata`,
// `…/$metadata/Products`) and exited 3 with a 404. Every command now takes it as the service root,
// stripped where the command line reads the `<service>` argument (`%24metadata` too). And
// `generate …/$metadata?sap-client=100` dropped the query: its `$metadata` went without sap-client,
// exit 0. It is now refused as a query after the root is, by every command (exit 2, nothing sent),
// advising -H "sap-client: 100".
// The command line run in-process against the demo service, whose requests are recorded.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { demoCli, show } from "./cli-demo-run.js";

const { demo, folder, run } = demoCli(3, "traverse-cli-fix32b-metadata-");

const metadataUrl = () => `${demo.serviceUrl}$metadata`;

test("describe of …/$metadata (and …/%24metadata) reads $metadata once and prints what the root gives", async () => {
  const fromRoot = await run(["describe", demo.serviceUrl, "Products"]);
  assert.equal(fromRoot.code, 0, show(fromRoot));
  for (const service of [metadataUrl(), `${demo.serviceUrl}%24metadata`]) {
    const result = await run(["describe", service, "Products"]);
    assert.equal(result.code, 0, `${service}: ${show(result)}`);
    assert.equal(result.stdout, fromRoot.stdout);
    assert.deepEqual(result.requests, ["GET $metadata 200"]);
  }
});

test("query of …/$metadata reads the set at the root", async () => {
  const result = await run(["query", metadataUrl(), "Products", "--format", "ndjson", "--select", "ID", "--top", "2", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stdout, '{"ID":1}\n{"ID":2}\n');
  assert.deepEqual(result.requests, ["GET Products?$select=ID&$top=2 200"]);
});

test("count and get of …/$metadata ask the set at the root", async () => {
  const counted = await run(["count", metadataUrl(), "Products"]);
  assert.equal(counted.code, 0, show(counted));
  assert.equal(counted.stdout, "3\n");
  assert.deepEqual(counted.requests, ["GET Products/$count 200"]);
  const got = await run(["get", metadataUrl(), "Products", "2", "--select", "ID"]);
  assert.equal(got.code, 0, show(got));
  assert.equal((JSON.parse(got.stdout) as { ID: number }).ID, 2);
  assert.deepEqual(got.requests, ["GET $metadata 200", "GET Products(2)?$select=ID 200"]);
});

test("export of …/$metadata writes the rows of the set at the root", async () => {
  const result = await run(["export", metadataUrl(), "Products", "--out", "rows.ndjson", "--select", "ID", "--quiet"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(readFileSync(join(folder, "rows.ndjson"), "utf8"), '{"ID":1}\n{"ID":2}\n{"ID":3}\n');
  assert.deepEqual(result.requests, ["GET Products?$select=ID 200"]);
  rmSync(join(folder, "rows.ndjson"));
});

test("call of …/$metadata calls the function import at the root", async () => {
  const result = await run(["call", metadataUrl(), "totalValue", "--param", "status=open"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(result.requests, ["GET $metadata 200", "GET totalValue(status='open') 200"]);
});

test("…/$metadata?sap-client=100 is refused by generate as by the other commands (exit 2, nothing sent), advising the header; generate of …/$metadata reads it once", async () => {
  const refusal = 'error: <service> must not carry a query or fragment; it is the service root (a query option every request needs, such as sap-client, can be sent as a header instead: -H "sap-client: 100", or a profile\'s "headers")\n';
  const withQuery = `${metadataUrl()}?sap-client=100`;
  for (const args of [
    ["generate", withQuery, "--out", "gen"],
    ["generate", `${demo.serviceUrl}?sap-client=100`, "--out", "gen"],
    ["describe", withQuery],
    ["query", withQuery, "Products"],
    ["export", withQuery, "Products", "--out", "rows.ndjson"],
  ]) {
    const result = await run(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${show(result)}`);
    assert.equal(result.stderr, refusal, args.join(" "));
    assert.deepEqual(result.requests, [], args.join(" "));
  }
  assert.ok(!existsSync(join(folder, "gen")));

  const generated = await run(["generate", metadataUrl(), "--out", "gen"]);
  assert.equal(generated.code, 0, show(generated));
  assert.deepEqual(generated.requests, ["GET $metadata 200"]);
  assert.match(generated.stderr, new RegExp(`^generate: wrote gen/index\\.ts from ${metadataUrl().replace(/[.$?]/g, "\\$&")} \\(sha256 `));
  rmSync(join(folder, "gen"), { recursive: true });
});
