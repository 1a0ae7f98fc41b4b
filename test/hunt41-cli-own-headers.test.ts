// Headers the command sets itself, given with -H: `Prefer: odata.maxpagesize=N` is sent as given
// (merged with the command's own preferences), but beside a `--page-size` of another size the two
// say different things, and the command's own used to win without a word: refused, naming
// --page-size. An `Accept` is replaced by the command's own (it reads JSON, and XML for $metadata):
// said on stderr, naming --format, rather than dropped without a word.
// Against a node:http service that records what it was sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliInProcess } from "./cli-in-process.js";
import { tempDir } from "./cli-harness.js";
import { sendJson, startServer } from "./servers/recording-server.js";

async function service(t: { after(fn: () => Promise<void>): void }) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) {
      res.writeHead(404);
      res.end();
      return;
    }
    sendJson(res, 200, { value: [{ ID: 1 }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const reads = () => server.requests.filter((r) => !r.path.endsWith("/$metadata"));
  return { url: server.url("svc/"), reads };
}

test("-H 'Prefer: odata.maxpagesize=7' alone is sent as given", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["query", svc.url, "Products", "--format", "json", "-H", "Prefer: odata.maxpagesize=7"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(svc.reads().map((r) => r.headers["prefer"]), ["odata.maxpagesize=7"]);
});

test("-H 'Prefer: odata.maxpagesize=7' with --page-size 3 is refused before anything is sent, naming --page-size", async (t) => {
  const svc = await service(t);
  for (const prefer of ["odata.maxpagesize=7", "return=minimal, MaxPageSize=7"]) {
    const result = await cliInProcess(["query", svc.url, "Products", "--format", "json", "-H", `Prefer: ${prefer}`, "--page-size", "3"]);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /--header \(-H\) Prefer asks for pages of 7 and --page-size for pages of 3; give the page size once, with --page-size/);
  }
  const exported = await cliInProcess(["export", svc.url, "Products", "--out", "-", "-H", "prefer: odata.maxpagesize=7", "--page-size", "3"]);
  assert.equal(exported.code, 2, exported.stderr);
  assert.deepEqual(svc.reads(), []);
});

test("-H Prefer with other preferences, or the same page size, goes with --page-size: both are sent", async (t) => {
  const svc = await service(t);
  const other = await cliInProcess(["query", svc.url, "Products", "--format", "json", "-H", "Prefer: odata.track-changes", "--page-size", "3"]);
  assert.equal(other.code, 0, other.stderr);
  const same = await cliInProcess(["query", svc.url, "Products", "--format", "json", "-H", "Prefer: odata.maxpagesize=3", "--page-size", "3"]);
  assert.equal(same.code, 0, same.stderr);
  assert.deepEqual(svc.reads().map((r) => r.headers["prefer"]), ["odata.track-changes, odata.maxpagesize=3", "odata.maxpagesize=3"]);
});

test("-H Accept of another form is replaced, and stderr says so, naming --format; the data is printed", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["query", svc.url, "Products", "--format", "json", "-H", "Accept: application/json;odata.metadata=full"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '[\n{"ID":1}\n]\n');
  assert.deepEqual(svc.reads().map((r) => r.headers["accept"]), ["application/json"]);
  assert.match(result.stderr, /warning: the Accept header of --header \(-H\) is replaced by the command's own: it asks for the JSON it reads \(XML for \$metadata\); --format \(query, export\) chooses what is written/);
  // Said once, though the command made more than one client.
  assert.equal(result.stderr.split("Accept header").length, 2);
});

test("-H 'Accept: application/json', what the command sends anyway, is taken without a warning", async (t) => {
  const svc = await service(t);
  const result = await cliInProcess(["query", svc.url, "Products", "--format", "json", "-H", "accept: Application/JSON"]);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /warning/);
  assert.deepEqual(svc.reads().map((r) => r.headers["accept"]), ["application/json"]);
});

test("a profile's Prefer page size gives way to --page-size; its Accept is replaced with a warning naming the profile", async (t) => {
  const svc = await service(t);
  const cwd = tempDir();
  const profiles = { profiles: { shop: { url: svc.url, headers: { Prefer: "odata.maxpagesize=7", Accept: "text/csv" } } } };
  writeFileSync(join(cwd, "traverse-odata.config.json"), JSON.stringify(profiles));
  const result = await cliInProcess(["query", "shop", "Products", "--format", "json", "--page-size", "3"], "", { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(svc.reads().map((r) => [r.headers["prefer"], r.headers["accept"]]), [["odata.maxpagesize=3", "application/json"]]);
  assert.match(result.stderr, /warning: the Accept header of \S*traverse-odata\.config\.json: profiles\.shop\.headers is replaced by the command's own/);
});
