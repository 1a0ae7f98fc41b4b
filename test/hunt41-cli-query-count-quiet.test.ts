// `query --count` asks for the total count, which the command prints in JSON as @odata.count and
// otherwise in the summary on stderr. `--quiet` leaves the summary out, and the count with it: the
// count the user asked for is still written, alone on a line of stderr (`count: 42`), stdout
// holding the rows alone. A service that answers no count is said to, rather than printing none.
// Against a node:http service that records what it was sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { sendJson, startServer } from "./servers/recording-server.js";

async function service(t: { after(fn: () => Promise<void>): void }, counts: boolean) {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) {
      res.writeHead(404);
      res.end();
      return;
    }
    sendJson(res, 200, { ...(counts ? { "@odata.count": 12345 } : {}), value: [{ ID: 1 }, { ID: 2 }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const reads = () => server.requests.filter((r) => !r.path.endsWith("/$metadata")).map((r) => decodeURIComponent(r.path));
  return { url: server.url("svc/"), reads };
}

test("query --count --quiet as CSV, NDJSON or a table still writes the count, on stderr alone", async (t) => {
  const svc = await service(t, true);
  for (const format of ["csv", "ndjson", "table"]) {
    const result = await cliInProcess(["query", svc.url, "Products", "--count", "--quiet", "--format", format]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "count: 12345\n", format);
    assert.doesNotMatch(result.stdout, /12345/);
  }
  assert.deepEqual(svc.reads(), ["/svc/Products?$count=true", "/svc/Products?$count=true", "/svc/Products?$count=true"]);
});

test("query --count without --quiet tells the count in the summary only; as JSON --quiet adds nothing", async (t) => {
  const svc = await service(t, true);
  const loud = await cliInProcess(["query", svc.url, "Products", "--count", "--format", "csv"]);
  assert.equal(loud.code, 0, loud.stderr);
  assert.match(loud.stderr, /^2 rows \(count 12,345\) in 1 page, /);
  assert.doesNotMatch(loud.stderr, /count: /);
  const json = await cliInProcess(["query", svc.url, "Products", "--count", "--quiet", "--format", "json"]);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.stderr, "");
  assert.match(json.stdout, /^\{"@odata.count":12345,"value":/);
});

test("query --count of a service that answers no count says so, with --quiet too", async (t) => {
  const svc = await service(t, false);
  for (const args of [["--quiet", "--format", "csv"], ["--format", "json"]]) {
    const result = await cliInProcess(["query", svc.url, "Products", "--count", ...args]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: --count: the service answered no count \(@odata\.count\)/);
  }
});
