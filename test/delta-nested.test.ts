/**
 * The entities a 4.01 nested delta says are deleted reach `page.removed`, over real HTTP (node:http
 * on 127.0.0.1). OData 4.01 JSON Format §15.2 (its Example 32): a delta of `Customers?$expand=Orders`
 * may give a changed customer's orders as `"Orders@delta": [...]`, where an order removed with
 * reason "deleted" is deleted, and one with reason "changed" only left the relationship. The
 * nested delta was left raw on the customer, so a sync job walking `page.removed` missed deleted
 * orders. Now those are in `page.removed` too (with `parent` naming the customer and `Orders`),
 * those removed from the relationship only are not, and the nested delta stays on the customer as
 * sent (test/delta-changed-partial-cases.ts types it).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nestedOrders, type Customer } from "./delta-changed-partial-cases.js";
import { onlyRequest, sendJson, serveClient } from "./servers/recording-server.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

test("a nested delta's deleted entities are in page.removed with the entity and navigation property they came under; its other entries stay on the changed entity", async (t) => {
  const bottm = { "@id": "Customers('BOTTM')", ContactName: "Susan Halvenstern", "Orders@delta": [{ "@id": "Orders(10645)" }] };
  const alfki = {
    "@id": "Customers('ALFKI')",
    "Orders@delta": [
      { "@context": "#Orders/$deletedEntity", "@removed": { reason: "changed" }, "@id": "Orders(10643)" },
      { "@removed": { reason: "deleted", "@ns.by": "Mario" }, OrderID: 10700 },
      { "@id": "Orders(10701)", Freight: 3, "Items@delta": [{ "@context": "#Items/$deletedEntity", "@removed": { reason: "deleted" }, "@id": "Items(5)" }] },
      { "@removed": {}, "@id": "Orders(10702)" },
    ],
  };
  const { server, client, root } = await serveClient(t, (_request, res) =>
    sendJson(
      res,
      200,
      {
        "@context": "http://host/service/$metadata#Customers/$delta",
        value: [bottm, alfki, { "@context": "#Customers/$deletedEntity", "@removed": { reason: "deleted" }, "@id": "Customers('ANTON')" }],
        "@deltaLink": "Customers?$expand=Orders&$deltatoken=8015",
      },
      { "odata-version": "4.01" },
    ),
  );
  const [page] = await collect(client.delta<Customer>(`${root}Customers?$expand=Orders&$deltatoken=8014`));
  assert.equal(onlyRequest(server).path, "/odata/Customers?$expand=Orders&$deltatoken=8014");
  assert.ok(page);
  assert.deepEqual(page.changed, [bottm, alfki]);
  assert.deepEqual(nestedOrders(page), [bottm["Orders@delta"], alfki["Orders@delta"]]);
  assert.deepEqual(page.removed, [
    { reason: "deleted", key: { OrderID: 10700 }, annotations: { "@ns.by": "Mario" }, parent: { entity: alfki, navigation: "Orders" } },
    { id: "Items(5)", reason: "deleted", context: "#Items/$deletedEntity", parent: { entity: alfki["Orders@delta"][2], navigation: "Items" } },
    { id: "Customers('ANTON')", reason: "deleted", context: "#Customers/$deletedEntity" },
  ]);
  // The parent is the very entity of the page (or of its nested delta), not a copy.
  assert.equal(page.removed[0]?.parent?.entity, page.changed[1]);
  assert.equal(page.removed[1]?.parent?.entity, page.changed[1]?.["Orders@delta"]?.[2]);
  assert.deepEqual([page.addedLinks, page.removedLinks], [[], []]);
});

test("the delta of a single entity: the deletions of its nested delta are in page.removed", async (t) => {
  const { client, root } = await serveClient(t, (_request, res) =>
    sendJson(
      res,
      200,
      {
        "@context": "$metadata#Customers/$entity/$delta",
        "@id": "Customers('ALFKI')",
        "Orders@delta": [{ "@removed": { reason: "deleted" }, "@id": "Orders(1)" }],
        "@deltaLink": "Customers('ALFKI')?$expand=Orders&$deltatoken=2",
      },
      { "odata-version": "4.01" },
    ),
  );
  const [page] = await collect(client.delta<Customer>(`${root}Customers('ALFKI')?$expand=Orders&$deltatoken=1`));
  assert.deepEqual(page?.removed, [{ id: "Orders(1)", reason: "deleted", parent: { entity: page?.changed[0], navigation: "Orders" } }]);
  assert.deepEqual(page?.changed, [{ "@id": "Customers('ALFKI')", "Orders@delta": [{ "@removed": { reason: "deleted" }, "@id": "Orders(1)" }] }]);
});
