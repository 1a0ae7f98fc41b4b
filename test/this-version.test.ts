/**
 * `$this` came with OData 4.01 (Part 2, URL Conventions 4.01: the `$this` literal, for `$filter`
 * and `$orderby` nested in `$expand` and `$select`); OData 4.0's grammar has `$it` alone. A 4.01
 * client sends `$this/...` paths as written; a 4.0 client refuses them before anything is sent,
 * from its own builder, `orderBy()`, a nested `$expand` or a 4.01 builder's expression, with
 * VERSION_MISMATCH naming `$this`, as it refuses the 4.01 `in`. A v2 client refuses them too (its
 * own paths with `$` as UNSUPPORTED_BY_VERSION, a 4.01 builder's expression as VERSION_MISMATCH).
 * Against node:http services that record every request.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, createFilterBuilder } from "../src/index.js";
import { answerJson, serveClient, type RecordingServer } from "./servers/recording-server.js";

const f401 = createFilterBuilder("4.01");

/** Each request's path and query as the server saw it, percent-decoding undone. */
function paths(server: RecordingServer): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path));
}

/** Matches a v2 client's refusal of its own path with `$`. */
function unsupportedInV2(path: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError; got ${String(error)}`);
    assert.equal(error.code, "UNSUPPORTED_BY_VERSION");
    assert.ok(error.message.includes(`the path ${path} does not exist in OData 2.0`), error.message);
    return true;
  };
}

/** Matches the refusal of an expression holding `$this` by a client or builder of `version`. */
function mismatch(version: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError; got ${String(error)}`);
    assert.equal(error.code, "VERSION_MISMATCH");
    assert.match(error.message, /uses \$this of OData 4\.01, but/);
    assert.ok(error.message.endsWith(`OData ${version}`), error.message);
    return true;
  };
}

describe("a client of version 4.01", () => {
  test("sends $this paths in $filter, $orderby, a lambda and a nested $expand as written, and reads the rows", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ id: 1, status: "open" }] }), { version: "4.01" });
    const orders = client.collection("Orders");
    assert.deepEqual(await orders.filter((f) => f.eq("$this/status", "open")).list(), [{ id: 1, status: "open" }]);
    // A 4.01 builder's expression, inside and, and under a lambda.
    await orders.filter(f401.and(f401.gt("total", 10), f401.any("items", (i) => i.gt("qty", i.field("$this/total"))))).list();
    await orders.orderBy("$this/total", "desc").list();
    await orders.expand("items", (q) => q.filter((f) => f.ne("$this/sku", "x")).orderBy("$this/qty")).list();
    assert.deepEqual(paths(server), [
      "/odata/Orders?$filter=$this/status eq 'open'",
      "/odata/Orders?$filter=total gt 10 and items/any(i:i/qty gt $this/total)",
      "/odata/Orders?$orderby=$this/total desc",
      "/odata/Orders?$expand=items($filter=$this/sku ne 'x';$orderby=$this/qty)",
    ]);
  });
});

describe("a client of version 4.0 (the default)", () => {
  test("refuses $this from its own filter builder, orderBy() and a nested $expand with VERSION_MISMATCH naming $this, before sending anything", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    const orders = client.collection("Orders");
    await assert.rejects(async () => orders.filter((f) => f.eq("$this/status", "open")).list(), {
      code: "VERSION_MISMATCH",
      message: `filter(expression) result: the string "$this/status eq 'open'" uses $this of OData 4.01, but the client speaks OData 4.0`,
    });
    await assert.rejects(async () => orders.orderBy("$this/total").list(), {
      code: "VERSION_MISMATCH",
      message: `orderBy(field): the string "$this/total" uses $this of OData 4.01, but the client speaks OData 4.0`,
    });
    // Under a lambda (the builder refuses the body), as a lambda's collection, combined, as orderBy's expression.
    await assert.rejects(async () => orders.filter((f) => f.any("items", (i) => i.gt("qty", i.field("$this/total")))).list(), mismatch("4.0"));
    await assert.rejects(async () => orders.filter((f) => f.any("$this/items")).list(), mismatch("4.0"));
    await assert.rejects(async () => orders.filter((f) => f.and(f.gt("total", 1), f.not(f.eq("$this/status", "x")))).list(), mismatch("4.0"));
    await assert.rejects(async () => orders.orderBy((f) => f.field("$this/total")).list(), mismatch("4.0"));
    await assert.rejects(async () => orders.expand("items", (q) => q.filter((f) => f.eq("$this/sku", "a"))).list(), mismatch("4.0"));
    await assert.rejects(async () => orders.expand("items", (q) => q.orderBy("$this/qty")).list(), mismatch("4.0"));
    // A 4.0 builder made outside a query refuses it as soon as it combines it.
    const f40 = createFilterBuilder("4.0");
    assert.throws(() => f40.or(f40.eq("id", 1), f40.field("$this/total")), mismatch("4.0"));
    assert.equal(server.requests.length, 0, paths(server).join("\n"));

    // $it is OData 4.0's and still goes out.
    await orders.filter((f) => f.eq("$it/status", "open")).list();
    assert.deepEqual(paths(server), ["/odata/Orders?$filter=$it/status eq 'open'"]);
  });

  test("refuses a 4.01 builder's expression holding $this, however deep, with VERSION_MISMATCH, before sending anything", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    const orders = client.collection("Orders");
    const byThis = f401.eq("$this/status", "open");
    await assert.rejects(async () => orders.filter(byThis).list(), mismatch("4.0"));
    assert.throws(() => orders.filter(byThis), {
      code: "VERSION_MISMATCH",
      message: `filter(expression): the string "$this/status eq 'open'" uses $this of OData 4.01, but the client speaks OData 4.0`,
    });
    assert.throws(() => orders.filter(f401.and(f401.gt("total", 10), f401.not(byThis))), mismatch("4.0"));
    assert.throws(() => orders.filter(f401.any("items", (i) => i.gt("qty", i.field("$this/total")))), mismatch("4.0"));
    // The collection of a lambda carries it too, with a predicate or without one.
    assert.throws(() => orders.filter(f401.any("$this/items")), mismatch("4.0"));
    assert.throws(() => orders.filter(f401.all("$this/items", (i) => i.gt("qty", 0))), mismatch("4.0"));
    assert.throws(() => orders.filter(f401.contains(f401.field("$this/status"), "o")), mismatch("4.0"));
    // Handed to the 4.0 query's own builder, to a nested $expand's filter, and to orderBy.
    assert.throws(() => orders.filter((f) => f.or(f.eq("id", 1), byThis)), {
      code: "VERSION_MISMATCH",
      message: `f.or(#2): the string "$this/status eq 'open'" uses $this of OData 4.01, but this builder writes OData 4.0`,
    });
    assert.throws(() => orders.expand("items", (q) => q.filter(f401.eq("$this/sku", "a"))), mismatch("4.0"));
    assert.throws(() => orders.orderBy(() => f401.field("$this/total")), mismatch("4.0"));
    assert.equal(server.requests.length, 0, paths(server).join("\n"));
  });
});

test("a v2 client refuses $this paths and a 4.01 builder's expression holding one, before sending anything", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
  const orders = client.collection("Orders");
  await assert.rejects(async () => orders.filter((f) => f.eq("$this/status", "open")).list(), unsupportedInV2("$this/status"));
  await assert.rejects(async () => orders.orderBy("$this/total").list(), unsupportedInV2("$this/total"));
  await assert.rejects(async () => orders.filter(f401.eq("$this/status", "open")).list(), mismatch("2.0"));
  assert.equal(server.requests.length, 0, paths(server).join("\n"));
});

test("$it/... and $this/... name the entity filtered or ordered, so select() and expand() refuse them with a TypeError and send nothing", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { value: [] }), { version: "4.01" });
  const orders = client.collection("Orders");
  for (const [call, where] of [
    [() => orders.select("$this/status"), "select(fields)"],
    [() => orders.select("ID", "$it/total"), "select(fields)"],
    [() => orders.expand("$it/items"), "expand"],
    [() => orders.expand("items", (q) => q.select("$this/sku")), "select(fields)"],
  ] as const) {
    assert.throws(call, (error: unknown) => error instanceof TypeError && error.message.includes(where) && /is not an OData property path/.test(error.message), where);
  }
  // Where they belong they still go out.
  await orders.filter((f) => f.eq("$it/status", "open")).orderBy("$this/total").list();
  assert.deepEqual(paths(server), ["/odata/Orders?$filter=$it/status eq 'open'&$orderby=$this/total"]);
});
