// `count`, `query` as JSON or NDJSON, and `export` of one walk to NDJSON or JSON read no
// `$metadata`: a set named in the wrong case (`products` for `Products`) went to the service, whose
// 404 was all the user got. Where the service answers 404, `$metadata` is read then and the error
// says, in the words of the commands that check the name first, which set the service has in
// another case and which sets it has; the 404's exit code (3) stays, and a set that exists costs
// no request more. `call` of an operation bound to a set that does not exist now lists the sets
// too, and takes a singleton (`Me/NS.op`) as the one entity it is.
// The command line run in-process against the demo service and against node:http services.
import assert from "node:assert/strict";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess } from "./cli-in-process.js";
import { demoCli, show } from "./cli-demo-run.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const { demo, folder, run } = demoCli(20, "traverse-cli-fix32-set-");

const DECLARED = '; the service has no entity set "products" (did you mean "Products"?); it has ExportJobs, Products, ProductsUnpaged, Orders\n';

test("count of a set in the wrong case: the 404 (exit 3) says the service declares Products, after $metadata read then; the right name costs no $metadata", async () => {
  const result = await run(["count", demo.serviceUrl, "products"]);
  assert.equal(result.code, 3, show(result));
  assert.match(result.stderr, /404 Not Found .*no resource 'products\/\$count'/);
  assert.ok(result.stderr.endsWith(DECLARED), show(result));
  assert.deepEqual(result.requests, ["GET products/$count 404", "GET $metadata 200"]);
  const counted = await run(["count", demo.serviceUrl, "Products"]);
  assert.equal(counted.code, 0, show(counted));
  assert.equal(counted.stdout, "20\n");
  assert.deepEqual(counted.requests, ["GET Products/$count 200"]);
});

test("query as JSON and NDJSON of a set in the wrong case: the 404 names Products (exit 3); the right name reads without $metadata", async () => {
  for (const format of ["json", "ndjson"]) {
    const result = await run(["query", demo.serviceUrl, "products", "--format", format, "--top", "2"]);
    assert.equal(result.code, 3, `${format}: ${show(result)}`);
    assert.equal(result.stdout, "");
    assert.ok(result.stderr.endsWith(DECLARED), show(result));
    assert.deepEqual(result.requests, ["GET products?$top=2 404", "GET $metadata 200"]);
    const read = await run(["query", demo.serviceUrl, "Products", "--format", format, "--top", "2", "--quiet"]);
    assert.equal(read.code, 0, show(read));
    assert.deepEqual(read.requests, ["GET Products?$top=2 200"]);
  }
});

test("export of one walk to NDJSON, JSON or stdout of a set in the wrong case: the 404 names Products (exit 3), no file left", async () => {
  for (const out of ["rows.ndjson", "rows.json", "-"]) {
    const result = await run(["export", demo.serviceUrl, "products", "--out", out, "--quiet"]);
    assert.equal(result.code, 3, `${out}: ${show(result)}`);
    assert.ok(result.stderr.endsWith(DECLARED), show(result));
    // The walk's first page, $metadata; the background count of a progress line is not asked (--quiet).
    assert.deepEqual(result.requests, ["GET products 404", "GET $metadata 200"]);
    assert.deepEqual(readdirSync(folder), []);
  }
  const written = await run(["export", demo.serviceUrl, "Products", "--out", "rows.ndjson", "--top", "3", "--quiet"]);
  assert.equal(written.code, 0, show(written));
  assert.deepEqual(written.requests, ["GET Products?$top=3 200"]);
  rmSync(join(folder, "rows.ndjson"));
});

test("a name the service declares in no case: the 404 lists the sets it has", async () => {
  const result = await run(["count", demo.serviceUrl, "Prods"]);
  assert.equal(result.code, 3, show(result));
  assert.ok(result.stderr.endsWith('; the service has no entity set "Prods"; it has ExportJobs, Products, ProductsUnpaged, Orders\n'), show(result));
});

/** A v4 service: `metadata` at $metadata (a 404 where `undefined`), Items/$count 404 with its own words, Me a singleton with a bound action. */
async function service(t: { after(fn: () => Promise<void>): void }, metadata: string | undefined) {
  const server = await startServer((request, res) => {
    const v4 = { "odata-version": "4.0" };
    if (request.path === "/svc/$metadata") {
      if (metadata === undefined) return sendJson(res, 404, { error: { code: "NotFound", message: "no $metadata here" } }, v4);
      return sendText(res, 200, metadata, { "content-type": "application/xml", ...v4 });
    }
    if (request.method === "POST" && request.path === "/svc/Me/NS.touch") return sendJson(res, 200, { value: "touched" }, v4);
    sendJson(res, 404, { error: { code: "NotFound", message: `no resource ${request.path}` } }, v4);
  });
  t.after(() => server.close());
  const sent = () => server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path).replace(/^\/svc\//, "")}`);
  return { url: server.url("svc/"), sent };
}

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Person"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<Action Name="touch" IsBound="true"><Parameter Name="person" Type="NS.Person"/><ReturnType Type="Edm.String"/></Action>
<Action Name="reset"/>
<EntityContainer Name="C">
<EntitySet Name="People" EntityType="NS.Person"/>
<Singleton Name="Me" Type="NS.Person"/>
<ActionImport Name="Reset" Action="NS.reset"/>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

test("a 404 for a set $metadata has, or where $metadata cannot be read, is told as the service said it", async (t) => {
  const declared = await service(t, METADATA);
  const has = await cliInProcess(["count", declared.url, "People"]);
  assert.equal(has.code, 3, show(has));
  assert.match(has.stderr, /404 Not Found \[NotFound\]: no resource \/svc\/People\/\$count\n$/);
  const none = await service(t, undefined);
  const unread = await cliInProcess(["count", none.url, "people"]);
  assert.equal(unread.code, 3, show(unread));
  assert.match(unread.stderr, /404 Not Found \[NotFound\]: no resource \/svc\/people\/\$count\n$/);
  assert.deepEqual([...declared.sent(), ...none.sent()], ["GET People/$count", "GET $metadata", "GET people/$count", "GET $metadata"]);
});

test("call of an operation bound to a set the service does not have lists the sets it has (exit 2, after $metadata alone)", async (t) => {
  const svc = await service(t, METADATA);
  const result = await cliInProcess(["call", svc.url, "people/NS.touch", "--key", "1"]);
  assert.equal(result.code, 2, show(result));
  assert.equal(result.stderr, 'error: call: the service has no entity set or singleton "people" (did you mean "People"?); it has the entity sets People and the singletons Me\n');
  assert.deepEqual(svc.sent(), ["GET $metadata"]);
});

test("call of an operation bound to a singleton calls it on that entity, without --key; with one it is refused", async (t) => {
  const svc = await service(t, METADATA);
  const result = await cliInProcess(["call", svc.url, "Me/NS.touch"]);
  assert.equal(result.code, 0, show(result));
  assert.equal(result.stdout, '"touched"\n');
  const keyed = await cliInProcess(["call", svc.url, "Me/NS.touch", "--key", "1"]);
  assert.equal(keyed.code, 2, show(keyed));
  assert.equal(keyed.stderr, "error: call: Me is a singleton, one entity addressed by its name: it takes no --key\n");
  assert.deepEqual(svc.sent(), ["GET $metadata", "POST Me/NS.touch", "GET $metadata"]);
});
