/**
 * `$compute` on one entity, over real HTTP (node:http on 127.0.0.1, and SAP CAP). OData 4.01 Part 2
 * §5.1: paths that identify a single entity allow `$compute`, `$expand` and `$select`. `key()`
 * refused a set's `compute()` ("they address a collection, a key one entity") and the entity query
 * had no `compute()`, so `Books(1)?$compute=…&$select=ID,twice` could not be built. Now `key()`
 * carries the set's `compute()` as it carries `select()` and `expand()`, and `ReadEntityQuery` (and
 * so `EntityQuery`) has `compute()`, OData v4 only, as the collection's is.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ODataReader } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";
import { answerJson, onlyRequest, serveClient } from "./servers/recording-server.js";

interface Order {
  ID: number;
  total: number;
  items: { ID: number }[];
}
type Computed = Order & { double: number };

describe("compute() on one entity (node:http)", () => {
  test("the set's compute() goes with key(), and the entity's own compute() is sent, with select() and expand()", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: 7, double: 6 }), { version: "4.01" });
    const orders = client.collection<Computed>("Orders");
    const fromSet = await orders.compute("total mul 2 as double").select("ID", "double").key(7).get();
    // Typed by the set's select(): the computed property chosen.
    const double: number = fromSet.double;
    assert.equal(double, 6);
    assert.equal(
      onlyRequest(server).path,
      "/odata/Orders(7)?$select=ID,double&$compute=total%20mul%202%20as%20double",
    );
    server.requests.length = 0;
    const own = orders.key(7).compute("total mul 2 as double").compute("total add 1 as more").select("double").expand("items");
    assert.deepEqual(await own.get(), { ID: 7, double: 6 });
    assert.equal(
      onlyRequest(server).path,
      "/odata/Orders(7)?$select=double&$expand=items&$compute=total%20mul%202%20as%20double,total%20add%201%20as%20more",
    );
    assert.equal(own.url(), `${server.url("odata/")}Orders(7)?$select=double&$expand=items&$compute=total%20mul%202%20as%20double,total%20add%201%20as%20more`);
  });

  test("ODataReader's entity query has compute() too; the set's other options are still refused by name before key()", async (t) => {
    const { server } = await serveClient(t, answerJson(200, { ID: 7 }));
    const reader = new ODataReader({ serviceUrl: server.url("odata/"), retry: false });
    const entity = reader.collection<Order>("Orders").compute("total mul 2 as double").key(7).compute("total add 1 as more");
    assert.equal(entity.url(), `${server.url("odata/")}Orders(7)?$compute=total%20mul%202%20as%20double,total%20add%201%20as%20more`);
    assert.deepEqual(await entity.get(), { ID: 7 });
    assert.equal(onlyRequest(server).path, "/odata/Orders(7)?$compute=total%20mul%202%20as%20double,total%20add%201%20as%20more");
    assert.throws(() => reader.collection<Order>("Orders").compute("total mul 2 as double").top(1).key(7), {
      name: "TypeError",
      message: "key(7): the query's $top would not be sent: they address a collection, a key one entity",
    });
  });

  test("an entity's compute() is checked as a set's: raw text whole, OData v4 only; a navigation or bound action from it refuses it by name", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: 7 }));
    const order = client.collection<Order>("Orders").key(7);
    assert.throws(() => order.compute("1 add 1 as x);$top=(1"), /^TypeError: compute\(expression\).*closes a "\("/);
    assert.throws(() => order.compute(""), { name: "TypeError", message: 'compute(expression): expected non-empty text; got the string ""' });
    const computed = order.compute("total mul 2 as double");
    assert.throws(() => computed.navigate("items"), { name: "TypeError", message: 'navigate("items"): the query\'s $compute would not be sent: a navigation\'s own query options apply to its result' });
    assert.throws(() => computed.action("NS.cancel"), { name: "TypeError", message: 'action("NS.cancel"): the query\'s $compute would not be sent: an operation\'s own query options apply to its result' });
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    assert.throws(
      () => v2.collection<Order>("Orders").key(7).compute("total mul 2 as double"),
      (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && error.message === "compute(expression): $compute does not exist in OData 2.0; it needs OData v4",
    );
    assert.equal(server.requests.length, 0);
  });
});

describe("compute() on one entity (SAP CAP)", () => {
  const cap = useCap();

  test("Books(1) with the set's compute() and select(), and with the entity's own: CAP computes the property for the one book", async () => {
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push((input instanceof Request ? input.url : String(input)).slice(cap.v4.length));
      return fetch(input, init);
    };
    const client = new ODataClient({ serviceUrl: cap.v4, fetch: recording, retry: false, version: "4.01" });
    const books = client.collection<Book & { twice: number }>("Books");
    const fromSet = await books.compute("stock mul 2 as twice").select("ID", "stock", "twice").key(1).get();
    const own = await books.key(1).select("ID", "stock", "twice").compute("stock mul 2 as twice").get();
    assert.deepEqual(sent, [
      "Books(1)?$select=ID,stock,twice&$compute=stock%20mul%202%20as%20twice",
      "Books(1)?$select=ID,stock,twice&$compute=stock%20mul%202%20as%20twice",
    ]);
    for (const book of [fromSet, own]) {
      assert.equal(book.ID, 1);
      assert.equal(book.twice, (book.stock ?? NaN) * 2);
    }
  });
});
