/**
 * The entities a 4.01 nested delta says are deleted reach `page.removed`, over real HTTP (node:http
 * on 127.0.0.1). OData 4.01 JSON Format §15.2 (its Example 32): a delta of `Customers?$expand=Orders`
 * may give a changed customer's orders as `"Orders@delta": [...]`, where an order removed with
 * reason "deleted" is deleted, and one with reason "changed" only left the relationship. The
 * nested delta was left raw on the customer, so a sync job walking `page.removed` missed deleted
 * orders. Now those are in `page.removed` too (with `parent` naming the customer and `Orders`),
 * those removed from the relationship only are not, and the nested delta stays on the customer as
 * sent (test/delta-changed-partial-cases.ts types it). Where the customer and the order carry ids,
 * the nested delta's links are link changes too, as a 4.0 delta sends them: an order added or
 * changed is in `page.addedLinks`, one only taken out of the relationship in `page.removedLinks`.
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
  // The customers and the orders carry ids: the links between them are link changes too (the
  // deleted Items(5) is a removed entity, not a removed link).
  assert.deepEqual(page.addedLinks, [
    { source: "Customers('BOTTM')", relationship: "Orders", target: "Orders(10645)" },
    { source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(10701)" },
  ]);
  assert.deepEqual(page.removedLinks, [
    { source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(10643)" },
    { source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(10702)" },
  ]);
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

test("a nested delta whose entity and related entities carry ids: page.addedLinks and page.removedLinks name the links, as the 4.0 form of the same changes does", async (t) => {
  // JSON Format 4.01 §15's example of a nested delta: order 10643 removed from ALFKI, 10645 added
  // (and its shipping address changed); its 4.0 flattened form is a $deletedLink and a $link.
  const alfki = {
    "@id": "Customers('ALFKI')",
    "Orders@delta": [
      { "@removed": { reason: "changed" }, "@id": "Orders(10643)" },
      { "@id": "Orders(10645)", ShippingAddress: { City: "Tsawassen" } },
    ],
  };
  const flattened = [
    { "@odata.context": "#Customers/$deletedLink", source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(10643)" },
    { "@odata.context": "#Customers/$link", source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(10645)" },
    { "@odata.context": "#Orders/$entity", "@odata.id": "Orders(10645)", ShippingAddress: { City: "Tsawassen" } },
  ];
  const { server, client, root } = await serveClient(t, (request, res) =>
    request.path.includes("flat")
      ? sendJson(res, 200, { "@odata.context": "$metadata#Customers/$delta", value: flattened, "@odata.deltaLink": "Customers?flat&$deltatoken=2" }, { "odata-version": "4.0" })
      : sendJson(res, 200, { "@context": "$metadata#Customers/$delta", value: [alfki], "@deltaLink": "Customers?$expand=Orders&$deltatoken=2" }, { "odata-version": "4.01" }),
  );
  const [nested] = await collect(client.delta<Customer>(`${root}Customers?$expand=Orders&$deltatoken=1`));
  const [flat] = await collect(client.delta<Customer>(`${root}Customers?flat&$deltatoken=1`));
  assert.deepEqual(server.requests.map((request) => [request.method, request.path]), [
    ["GET", "/odata/Customers?$expand=Orders&$deltatoken=1"],
    ["GET", "/odata/Customers?flat&$deltatoken=1"],
  ]);
  assert.ok(nested && flat);
  assert.deepEqual(nested.addedLinks, [{ source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(10645)" }]);
  assert.deepEqual(nested.removedLinks, [{ source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(10643)" }]);
  assert.deepEqual([nested.addedLinks, nested.removedLinks], [flat.addedLinks, flat.removedLinks]);
  // The nested delta stays on the customer as sent, and nothing in it is a removed entity.
  assert.deepEqual(nested.changed, [alfki]);
  assert.deepEqual(nested.removed, []);
  assert.equal(nested.deltaLink, `${root}Customers?$expand=Orders&$deltatoken=2`);
});

test("a nested delta gives no link where an end is given by its keys alone; 4.0's prefixed names (Orders@odata.delta, @odata.id, @odata.removed) give links too, at every depth", async (t) => {
  const byKey = { CustomerID: "BOTTM", "Orders@delta": [{ "@id": "Orders(1)" }, { "@removed": { reason: "changed" }, "@id": "Orders(2)" }] };
  const orderByKey = { "@id": "Customers('BLONP')", "Orders@delta": [{ OrderID: 3 }, { "@removed": { reason: "changed" }, OrderID: 4 }] };
  const prefixed = {
    "@odata.id": "Customers('ALFKI')",
    "Orders@odata.delta": [
      { "@odata.id": "Orders(5)", "Items@odata.delta": [{ "@odata.id": "Items(50)" }, { "@odata.removed": { reason: "changed" }, "@odata.id": "Items(51)" }] },
      { "@odata.removed": {}, "@odata.id": "Orders(6)" },
      { "@odata.removed": { reason: "deleted" }, "@odata.id": "Orders(7)" },
    ],
  };
  const { client, root } = await serveClient(t, (_request, res) =>
    sendJson(res, 200, { "@context": "$metadata#Customers/$delta", value: [byKey, orderByKey, prefixed], "@deltaLink": "Customers?$deltatoken=2" }, { "odata-version": "4.01" }),
  );
  const [page] = await collect(client.delta<Customer>(`${root}Customers?$expand=Orders($expand=Items)&$deltatoken=1`));
  assert.ok(page);
  assert.deepEqual(page.addedLinks, [
    { source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(5)" },
    { source: "Orders(5)", relationship: "Items", target: "Items(50)" },
  ]);
  assert.deepEqual(page.removedLinks, [
    { source: "Orders(5)", relationship: "Items", target: "Items(51)" },
    { source: "Customers('ALFKI')", relationship: "Orders", target: "Orders(6)" },
  ]);
  assert.deepEqual(page.removed, [{ id: "Orders(7)", reason: "deleted", parent: { entity: prefixed, navigation: "Orders" } }]);
  assert.deepEqual(page.changed, [byKey, orderByKey, prefixed]);
});
