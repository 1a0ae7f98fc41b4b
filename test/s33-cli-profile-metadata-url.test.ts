// A profile whose `url` is the URL of the service's `$metadata` (as a browser or a service catalog
// shows it) was used as the root: `query` asked `…/$metadata/Products` and exited 3 with a 404,
// where the same URL given as `<service>` names the root. The profile's url now names the root
// alike (`%24metadata` too); one with a query after `$metadata` is refused as the argument is.
// The command line run in-process against the demo service, whose requests are recorded.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { demoCli, show } from "./cli-demo-run.js";

const { demo, folder, run } = demoCli(3, "traverse-cli-s33-profile-metadata-");

/** Writes the project's configuration file with one profile per url. */
function profiles(urls: Record<string, string>): void {
  const entries = Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, { url }]));
  writeFileSync(join(folder, "traverse-odata.config.json"), JSON.stringify({ profiles: entries }));
}

test("query of a profile whose url ends in $metadata (or %24metadata) reads the set at the root", async () => {
  profiles({ meta: `${demo.serviceUrl}$metadata`, encoded: `${demo.serviceUrl}%24metadata` });
  for (const profile of ["meta", "encoded"]) {
    const result = await run(["query", profile, "Products", "--format", "ndjson", "--select", "ID", "--top", "2", "--quiet"]);
    assert.equal(result.code, 0, `${profile}: ${show(result)}`);
    assert.equal(result.stdout, '{"ID":1}\n{"ID":2}\n', profile);
    assert.deepEqual(result.requests, ["GET Products?$select=ID&$top=2 200"], profile);
  }
});

test("count of a profile whose url ends in $metadata asks the set at the root", async () => {
  profiles({ meta: `${demo.serviceUrl}$metadata` });
  const counted = await run(["count", "meta", "Products"]);
  assert.equal(counted.code, 0, show(counted));
  assert.equal(counted.stdout, "3\n");
  assert.deepEqual(counted.requests, ["GET Products/$count 200"]);
});

test("describe of such a profile reads $metadata once, at the root", async () => {
  profiles({ meta: `${demo.serviceUrl}$metadata` });
  const result = await run(["describe", "meta", "Products"]);
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(result.requests, ["GET $metadata 200"]);
});

test("a profile's …/$metadata?sap-client=100 is refused as the argument is (exit 2, nothing sent)", async () => {
  profiles({ meta: `${demo.serviceUrl}$metadata?sap-client=100` });
  const result = await run(["query", "meta", "Products"]);
  assert.equal(result.code, 2, show(result));
  assert.match(result.stderr, /must not carry a query or fragment; it is the service root/);
  assert.deepEqual(result.requests, []);
});
