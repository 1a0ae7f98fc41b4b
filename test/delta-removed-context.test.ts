/**
 * A removed entity keeps its context URL and its annotations, over real HTTP (node:http on
 * 127.0.0.1). OData 4.01 JSON Format §15.3: a removed entity whose entity set is not the delta's
 * gives its context (`#Orders/$deletedEntity`), which with a key alone is the only sign of what it
 * was; and `@removed` may carry annotations beside its reason. Both were dropped: a deleted order
 * given by `OrderID` looked like a removal from the delta's own set, and the annotations were lost.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { RemovedEntity } from "../src/index.js";
import { onlyRequest, sendJson, serveClient } from "./servers/recording-server.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

test("4.01: a removed entity of another entity set keeps its @context, and the annotations inside @removed are kept; one of the delta's set has neither", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) =>
    sendJson(
      res,
      200,
      {
        "@context": "http://host/service/$metadata#Customers/$delta",
        value: [
          { "@context": "#Orders/$deletedEntity", "@removed": { reason: "deleted", "@myannotation.deletedBy": "Mario" }, OrderID: 10650 },
          { "@removed": { reason: "deleted" }, CustomerID: "ANTON" },
          { "@removed": { reason: "changed", "@ns.why": { filter: "Country" } }, "@id": "Customers('BONAP')", "@etag": 'W/"3"', "@ns.seen": 2 },
        ],
        "@deltaLink": "Customers?$deltatoken=8015",
      },
      { "odata-version": "4.01" },
    ),
  );
  const [page] = await collect(client.delta(`${root}Customers?$deltatoken=8014`));
  assert.equal(onlyRequest(server).path, "/odata/Customers?$deltatoken=8014");
  const expected: RemovedEntity[] = [
    { reason: "deleted", key: { OrderID: 10650 }, context: "#Orders/$deletedEntity", annotations: { "@myannotation.deletedBy": "Mario" } },
    { reason: "deleted", key: { CustomerID: "ANTON" } },
    { id: "Customers('BONAP')", reason: "changed", annotations: { "@ns.why": { filter: "Country" }, "@ns.seen": 2 } },
  ];
  assert.deepEqual(page?.removed, expected);
});

test("4.0: a $deletedEntity entry keeps its context URL and its own annotations, not its control information", async (t) => {
  const { client, root } = await serveClient(t, (_request, res) =>
    sendJson(res, 200, {
      "@odata.context": "$metadata#Customers/$delta",
      value: [
        { "@odata.context": "$metadata#Orders/$deletedEntity", id: "Orders(10650)", reason: "deleted", "@odata.etag": 'W/"9"', "@Core.Description": "by Mario" },
        { "@odata.context": "$metadata#Customers/$deletedEntity", id: "Customers('ANTON')", reason: "changed" },
      ],
      "@odata.deltaLink": "Customers?$deltatoken=2",
    }),
  );
  const [page] = await collect(client.delta(`${root}Customers?$deltatoken=1`));
  assert.deepEqual(page?.removed, [
    { id: "Orders(10650)", reason: "deleted", context: "$metadata#Orders/$deletedEntity", annotations: { "@Core.Description": "by Mario" } },
    { id: "Customers('ANTON')", reason: "changed", context: "$metadata#Customers/$deletedEntity" },
  ]);
});
