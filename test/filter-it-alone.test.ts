/**
 * `$it` alone is the current instance of the collection filtered (OData 4.0, Part 2: URL
 * Conventions, the `$it` literal), which for a collection of primitives is the primitive itself:
 * `Tags?$filter=$it eq 'x'`. `$this` alone is the same in 4.01. A v4 client sends them as written
 * (outside and inside a lambda, in `$orderby` too); v2 has no `$it` and a 4.0 service no `$this`,
 * so those clients refuse them before anything is sent. Against node:http services that record
 * every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { answerJson, serveClient, type RecordingServer } from "./servers/recording-server.js";

function paths(server: RecordingServer): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path));
}

function refused(code: string, pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError; got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

test("a 4.0 client filters a collection of primitives by $it alone and reads the values", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { value: ["x"] }), { version: "4.0" });
  const tags = client.collection("Tags");
  assert.deepEqual(await tags.filter((f) => f.eq("$it" as never, "x")).list(), ["x"]);
  await tags.filter((f) => f.and(f.endsWith("$it" as never, ".com"), f.ne(f.field("$it" as never), "a.com"))).orderBy("$it" as never, "desc").list();
  // Inside a lambda `$it` keeps naming the outer instance: no lambda variable goes before it.
  await client.collection("Orders").filter((f) => f.any("items", (i) => i.eq("sku", i.field("$it/code" as never)))).list();
  assert.deepEqual(paths(server), [
    "/odata/Tags?$filter=$it eq 'x'",
    "/odata/Tags?$filter=endswith($it,'.com') and $it ne 'a.com'&$orderby=$it desc",
    "/odata/Orders?$filter=items/any(i:i/sku eq $it/code)",
  ]);
  // It names an instance in an expression only: select() and expand() still refuse it, and a
  // segment after it, or `$it` after another segment, is still checked.
  for (const [call, where] of [
    [() => tags.select("$it" as never), "select(fields)"],
    [() => tags.expand("$it" as never), "expand"],
    [() => tags.filter((f) => f.eq("$it/a b" as never, "x")), "f.eq(field)"],
    [() => tags.filter((f) => f.eq("x/$it" as never, "x")), "f.eq(field)"],
  ] as const) {
    assert.throws(call, (error: unknown) => error instanceof TypeError && error.message.startsWith(where) && /is not an OData property path/.test(error.message), where);
  }
  // Nor does a lambda range over it: it is one value, not a collection.
  for (const operator of ["any", "all"] as const) {
    assert.throws(
      () => tags.filter((f) => f[operator]("$it" as never, (x) => x.eq(x.self, "a"))),
      (error: unknown) => error instanceof TypeError && error.message === `f.${operator}(path): $it alone is the value filtered, not a collection`,
    );
  }
  assert.equal(server.requests.length, 3);
});

test("a 4.01 client sends $this alone as written; a 4.0 client refuses it as 4.01's and sends nothing", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { value: ["x"] }), { version: "4.01" });
  assert.deepEqual(await client.collection("Tags").filter((f) => f.eq("$this" as never, "x")).list(), ["x"]);
  assert.deepEqual(paths(server), ["/odata/Tags?$filter=$this eq 'x'"]);

  const old = await serveClient(t, answerJson(200, { value: [] }), { version: "4.0" });
  const tags = old.client.collection("Tags");
  await assert.rejects(async () => tags.filter((f) => f.eq("$this" as never, "x")).list(), refused("VERSION_MISMATCH", /uses \$this of OData 4\.01, but/));
  await assert.rejects(async () => tags.orderBy("$this" as never).list(), refused("VERSION_MISMATCH", /uses \$this of OData 4\.01, but/));
  assert.equal(old.server.requests.length, 0, paths(old.server).join("\n"));
});

test("a v2 client refuses $it alone as a v4 path, not as a malformed one, and sends nothing", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
  const tags = client.collection("Tags");
  await assert.rejects(async () => tags.filter((f) => f.eq("$it" as never, "x")).list(), refused("UNSUPPORTED_BY_VERSION", /^f\.eq\(field\): the path \$it does not exist in OData 2\.0; it needs OData v4$/));
  await assert.rejects(async () => tags.orderBy("$it" as never).list(), refused("UNSUPPORTED_BY_VERSION", /the path \$it does not exist in OData 2\.0/));
  assert.equal(server.requests.length, 0, paths(server).join("\n"));
});
