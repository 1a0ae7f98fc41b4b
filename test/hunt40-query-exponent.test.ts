/**
 * Numbers below 1e-6, which JavaScript's String() writes with a negative exponent (1e-7): SAP CAP
 * refuses a signed exponent in a URL (v4 `1e-7`; v2 `1.0E-7` through its adapter: 400 "Parsing URL
 * failed"). The client writes the same digits without the exponent (`0.0000001`), a Double and a
 * Decimal literal in both versions, in filters, keys, function parameters and parameter aliases,
 * and `edm.decimal()`, `edm.double()`, `edm.single()` of such a number too. Shown on the wire of a
 * node:http server and against SAP CAP (v4 and the v2 adapter).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, edm } from "../src/index.js";
import { answerJson, serveClient, sendJson } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";

const sent = (path: string) => decodeURIComponent(path);

describe("numbers below 1e-6 on the wire: plain digits, no exponent", () => {
  for (const version of ["4.0", "2.0"] as const) {
    test(`OData ${version}: filter, key, function parameter and alias`, async (t) => {
      const v2 = version === "2.0";
      const { server, client } = await serveClient(
        t,
        (request, res) => (v2 ? sendJson(res, 200, { d: { results: [] } }) : sendJson(res, 200, request.path.includes("(") && !request.path.includes("?") ? { ID: 1 } : { value: [] })),
        { version },
      );
      const items = client.collection<{ ID: number; x: number }>("Items");
      await items.filter((f) => f.and(f.gt("x", 1e-7), f.lt("x", -2.5e-10), f.ne("x", edm.double(1.5e-8)), f.ne("x", edm.single(2.5e-8)), f.ne("x", edm.decimal(1e-7)))).list();
      await items.key(1e-7).get();
      await items.filter("x gt @p").param("@p", 1.234e-8).list();
      await items.param("tolerance", 1e-9).list();
      await client.function("f", { eps: 1e-7, d: edm.decimal(3e-7) }).get();
      const paths = server.requests.map((request) => sent(request.path));
      const d = v2 ? "d" : "";
      const f = v2 ? "f" : "";
      const m = v2 ? "M" : "";
      assert.deepEqual(paths.slice(0, 4), [
        `/odata/Items?$filter=x gt 0.0000001 and x lt -0.00000000025 and x ne 0.000000015${d} and x ne 0.000000025${f} and x ne 0.0000001${m}`,
        "/odata/Items(0.0000001)",
        "/odata/Items?$filter=x gt @p&@p=0.00000001234",
        "/odata/Items?tolerance=0.000000001",
      ]);
      assert.equal(paths[4], v2 ? "/odata/f?eps=0.0000001&d=0.0000003M" : "/odata/f(eps=0.0000001,d=0.0000003)");
    });
  }

  test("the plain digits read back as the same double, down to the smallest one; 1e21 keeps its exponent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    for (const value of [1e-7, -9.87654321e-7, 1.7976931348623157e-300, 5e-324, 0.1 + 0.2]) {
      await client.collection("Items").filter((f) => f.eq("x", value)).list();
      const literal = sent(server.requests.at(-1)?.path ?? "").replace("/odata/Items?$filter=x eq ", "");
      assert.match(literal, /^-?\d+\.\d+$/, `${value} is written without an exponent`);
      assert.equal(Number(literal), value);
    }
    await client.collection("Items").filter((f) => f.eq("x", 1e21)).list();
    assert.equal(sent(server.requests.at(-1)?.path ?? ""), "/odata/Items?$filter=x eq 1e21");
  });
});

describe("numbers below 1e-6 against SAP CAP", () => {
  const cap = useCap();

  test("v4: a filter on a Double and on a Decimal with 1e-7 is answered (CAP refused 1e-7 with 400)", async () => {
    // What CAP makes of the exponent form the client sent before.
    const raw = await fetch(`${cap.v4}Readings?$filter=value%20gt%201e-7&$top=1`);
    assert.equal(raw.status, 400);
    assert.match(((await raw.json()) as { error: { message: string } }).error.message, /Parsing URL failed/);

    const client = new ODataClient({ serviceUrl: cap.v4, retry: false });
    const readings = await client.collection<{ ID: number; value: number }>("Readings").filter((f) => f.gt("value", 1e-7)).orderBy("ID").top(2).select("ID", "value").list();
    assert.deepEqual(readings.map((row) => row.ID), [1, 2]);
    const books = await client.collection<Book>("Books").filter((f) => f.and(f.gt("price", edm.decimal(1e-7)), f.eq("ID", 1))).select("ID").list();
    assert.deepEqual(books.map((book) => book.ID), [1]);
    // A parameter alias, as CAP reads it.
    const aliased = await client.collection<{ ID: number; value: number }>("Readings").filter("value gt @p and ID le 2").param("@p", 1e-7).select("ID").list();
    assert.deepEqual(aliased.map((row) => row.ID).sort(), [1, 2]);
    const none = await client.collection<{ ID: number; value: number }>("Readings").filter((f) => f.lt("value", edm.double(-1e-7))).select("ID").list();
    assert.deepEqual(none, []);
  });

  test("v2 adapter: a filter with 1e-7 is answered (CAP refused 1.0E-7 with 400)", async () => {
    const raw = await fetch(`${cap.v2}Readings?$filter=value%20gt%201.0E-7&$top=1`);
    assert.equal(raw.status, 400);
    const client = new ODataClient({ serviceUrl: cap.v2, version: "2.0", retry: false });
    // (Not edm.double(1e-7): its v2 literal 0.0000001d is what the adapter turns back into 1e-7
    // itself, a 400 of its own making; 0.00001d it passes.)
    const readings = await client.collection<{ ID: number; value: number }>("Readings").filter((f) => f.gt("value", 1e-7)).orderBy("ID").top(2).select("ID").list();
    assert.deepEqual(readings.map((row) => row.ID), [1, 2]);
    const books = await client.collection<{ ID: number; price: number }>("Books").filter((f) => f.and(f.gt("price", edm.decimal(1e-7)), f.eq("ID", 1))).select("ID").list();
    assert.deepEqual(books.map((book) => book.ID), [1]);
  });
});
