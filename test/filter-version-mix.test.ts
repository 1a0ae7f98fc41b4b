/**
 * An expression built for OData 4.01 used by a client of another version. `in` is an OData 4.01
 * operator: OData 4.0 services (Olingo 4.x, Business Central) refuse it, so an expression holding
 * one, however deep, is refused with VERSION_MISMATCH by a 4.0 (and v2) query and by a builder of
 * those versions, before anything is sent; a 4.01 client sends it as built. Expressions without
 * `in` pass between 4.0 and 4.01 both ways. Against a node:http service recording `$filter`.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, createFilterBuilder } from "../src/index.js";
import { answerJson, serveClient, type RecordingServer } from "./servers/recording-server.js";

interface Order {
  id: number;
  status: string;
  total: number;
  items: { sku: string; qty: number }[];
}

const f401 = createFilterBuilder<Order>("4.01");
const f40 = createFilterBuilder<Order>("4.0");

/** The `$filter` of each request the server saw, decoded. */
function filters(server: RecordingServer): (string | null)[] {
  return server.requests.map((request) => new URL(request.path, server.origin).searchParams.get("$filter"));
}

function isInMismatch(version: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError; got ${String(error)}`);
    assert.equal(error.code, "VERSION_MISMATCH");
    assert.match(error.message, /uses the in operator of OData 4\.01/);
    assert.ok(error.message.includes(`OData ${version}`), error.message);
    return true;
  };
}

describe("a 4.01 expression holding in, used by a client of version 4.0 (the default)", () => {
  test("is refused by filter() naming the operator and both versions, and nothing with in is sent", async (t) => {
    // No version given: the client speaks 4.0.
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    const orders = client.collection<Order>("Orders");
    const statusIn = f401.in("status", ["open", "held"]);
    // filter() refuses it as it is added, so the walk never starts (it sent `in`, which the service refused).
    assert.throws(() => void orders.filter(statusIn).list(), isInMismatch("4.0"));
    assert.throws(() => orders.filter(statusIn), {
      code: "VERSION_MISMATCH",
      message: `filter(expression): the string "status in ('open','held')" uses the in operator of OData 4.01, but the client speaks OData 4.0`,
    });
    // Wherever it sits in a larger 4.01 expression.
    assert.throws(() => orders.filter(f401.and(f401.gt("total", 10), statusIn)), isInMismatch("4.0"));
    assert.throws(() => orders.filter(f401.not(statusIn)), isInMismatch("4.0"));
    assert.throws(() => orders.filter(f401.eq(statusIn, false)), isInMismatch("4.0"));
    assert.throws(() => orders.filter(f401.any("items", (i) => i.in("sku", ["a", "b"]))), isInMismatch("4.0"));
    // As an operand of has, and of a function compared with true.
    assert.throws(() => orders.filter(f401.has(statusIn, f401.raw("NS.E'a'"))), isInMismatch("4.0"));
    // Handed to the 4.0 query's own builder, in a nested $expand filter, and in orderBy.
    assert.throws(() => orders.filter((f) => f.or(f.eq("id", 1), statusIn)), isInMismatch("4.0"));
    assert.throws(() => orders.expand("items", (q) => q.filter(createFilterBuilder("4.01").in("sku", ["a"]))), isInMismatch("4.0"));
    assert.throws(() => orders.orderBy(() => statusIn), isInMismatch("4.0"));

    // The 4.0 client's own builder writes f.in as the 4.0 service reads it.
    await orders.filter((f) => f.in("status", ["open", "held"])).list();
    assert.deepEqual(filters(server), ["status eq 'open' or status eq 'held'"]);
  });

  test("a v2 client refuses it as well, naming the in operator", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    assert.throws(() => client.collection<Order>("Orders").filter(f401.in("id", [1, 2])), isInMismatch("2.0"));
    assert.equal(server.requests.length, 0);
  });
});

describe("a client of version 4.01", () => {
  test("sends the 4.01 expression's in as built, alone and inside and, not and any", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ id: 1, status: "open" }] }), { version: "4.01" });
    const orders = client.collection<Order>("Orders");
    const statusIn = f401.in("status", ["open", "held"]);
    assert.deepEqual(await orders.filter(statusIn).list(), [{ id: 1, status: "open" }]);
    await orders.filter(f401.and(f401.gt("total", 10), f401.not(statusIn))).list();
    await orders.filter((f) => f.any("items", (i) => i.in("sku", ["a", "b"]))).list();
    // A 4.0 builder's expression is good OData 4.01 too, and may be combined with an in.
    await orders.filter((f) => f.or(f40.eq("id", 7), statusIn)).list();
    assert.deepEqual(filters(server), [
      "status in ('open','held')",
      "total gt 10 and not (status in ('open','held'))",
      "items/any(i:i/sku in ('a','b'))",
      "id eq 7 or status in ('open','held')",
    ]);
  });
});

test("a 4.01 builder's expression without in is sent by a 4.0 client: only in is 4.01 syntax", async (t) => {
  const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
  const orders = client.collection<Order>("Orders");
  await orders.filter(f401.and(f401.gt("total", 10), f401.contains("status", "o"))).list();
  // With an expression among its values, a 4.01 builder writes f.in as eq terms: no in.
  await orders.filter(f401.in("total", [1, f401.field("id")])).list();
  assert.deepEqual(filters(server), ["total gt 10 and contains(status,'o')", "total eq 1 or total eq id"]);
});
