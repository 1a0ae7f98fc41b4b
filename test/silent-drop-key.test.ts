/**
 * `key()` of a collection query that has system query options or `trackChanges()`, over real HTTP
 * (node:http on 127.0.0.1). The entity's URL (`Orders(7)`) was built from the set's name alone, so
 * `filter()`, `select()`, `expand()` and the rest were dropped without a word: `get()` read no
 * `items`, and `delete()` or a bound action ignored the filter the caller meant to hold. `$select`,
 * `$expand` and `$compute` mean the same on one entity (URL Conventions 4.01, 5.1), so they go with
 * it, typed as chosen; a set's `$filter`, `$search`, `$orderby`, `$top`, `$skip`, `$count`,
 * `$apply` and `trackChanges()` have no place there and are refused by name, with `ODataClient`
 * and `ODataReader`, typed and untyped, on v4 and v2. The set's `param()` options go with the entity.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataReader } from "../src/index.js";
import { answerJson, sendJson, serveClient } from "./servers/recording-server.js";

interface Item {
  ID: number;
  sku: string;
}
interface Order {
  ID: number;
  owner: string;
  total: number;
  items: Item[];
}

const TAIL = "would not be sent: they address a collection, a key one entity";

describe("key() of a collection query with options the entity's URL would drop", () => {
  test("filter() before key(7) is refused by name, its select() and expand() not; nothing is sent, not a get(), a delete() or a bound action", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: 7 }));
    const mine = client.collection<Order>("Orders").filter((f) => f.eq("owner", "me")).select("ID", "total").expand("items");
    const message = `key(7): the query's $filter ${TAIL}`;
    assert.throws(() => mine.key(7), { name: "TypeError", message });
    assert.throws(() => mine.key(7).delete(), { name: "TypeError", message });
    assert.throws(() => mine.key(7).action("NS.cancel"), { name: "TypeError", message });
    const untyped = client.collection("Orders").filter("owner eq 'me'");
    assert.throws(() => untyped.key(7).get(), { name: "TypeError", message: `key(7): the query's $filter ${TAIL}` });
    assert.equal(server.requests.length, 0);
  });

  test("every other option of a set and trackChanges() are refused, named as sent, the key written as in the URL", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: 7 }));
    const orders = client.collection<Order>("Orders");
    const pairs = client.collection("Pairs");
    const cases: [string, () => unknown, string][] = [
      ["search", () => orders.search("blue").key(7), `key(7): the query's $search ${TAIL}`],
      ["orderBy, skip, top", () => orders.orderBy("total", "desc").top(5).skip(10).key(7), `key(7): the query's $orderby, $skip, $top ${TAIL}`],
      ["count", () => orders.count().key(7), `key(7): the query's $count ${TAIL}`],
      ["apply", () => orders.apply("filter(total gt 5)").key(7), `key(7): the query's $apply ${TAIL}`],
      ["trackChanges", () => orders.trackChanges().key(7), `key(7): the query's trackChanges() ${TAIL}`],
      ["string key", () => client.collection("Authors").select("name").top(1).key("O'Brien"), `key('O''Brien'): the query's $top ${TAIL}`],
      ["compound key", () => pairs.top(1).key({ A: 1, B: "x" }), `key(A=1,B='x'): the query's $top ${TAIL}`],
      // A collection reached by navigation: its options are the related entities', as lost on one of them.
      ["navigated collection", () => client.collection<Order>("Orders").key(7).navigate("items").filter((f) => f.eq("sku", "a")).key(3), `key(3): the query's $filter ${TAIL}`],
    ];
    for (const [what, call, message] of cases) assert.throws(call, { name: "TypeError", message }, what);
    assert.equal(server.requests.length, 0);
  });

  test("ODataReader and an OData v2 client refuse them the same way ($inlinecount named $count)", async (t) => {
    const { server } = await serveClient(t, answerJson(200, { ID: 7 }));
    const reader = new ODataReader({ serviceUrl: server.url("odata/"), retry: false });
    assert.throws(() => reader.collection<Order>("Orders").expand("items").skip(1).key(7), { name: "TypeError", message: `key(7): the query's $skip ${TAIL}` });
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    assert.throws(() => v2.collection("Orders").filter("Owner eq 'me'").select("ID").count().key(7), { name: "TypeError", message: `key(7): the query's $filter, $count ${TAIL}` });
    assert.equal(server.requests.length, 0);
  });

  test("the set's select(), expand() and param() go with the entity, typed as chosen; the entity's own select() and expand() are sent; a refused key() sent nothing", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "DELETE") res.writeHead(204).end();
      else sendJson(res, 200, { ID: 7, total: 3, items: [{ ID: 1, sku: "a" }] });
    });
    const orders = client.collection<Order>("Orders").param("sap-client", "100");
    assert.throws(() => orders.top(1).key(7), { name: "TypeError", message: `key(7): the query's $top ${TAIL}` });
    const fromSet = await orders.select("ID", "total").expand("items").key(7).get();
    // Typed by the set's select() and expand(): `owner` was not chosen.
    const chosen: { ID: number; total: number; items: Item[] } | undefined = fromSet;
    // @ts-expect-error owner is not selected
    void fromSet?.owner;
    const order = await orders.key(7).select("ID", "total").expand("items").get();
    assert.deepEqual([chosen, order], [
      { ID: 7, total: 3, items: [{ ID: 1, sku: "a" }] },
      { ID: 7, total: 3, items: [{ ID: 1, sku: "a" }] },
    ]);
    await orders.key(7).delete();
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      [
        "GET /odata/Orders(7)?$select=ID,total&$expand=items&sap-client=100",
        "GET /odata/Orders(7)?$select=ID,total&$expand=items&sap-client=100",
        "DELETE /odata/Orders(7)?sap-client=100",
      ],
    );
  });
});
