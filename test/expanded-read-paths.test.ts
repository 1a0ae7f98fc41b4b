// Every read remembers what it expanded, not only a query's own expand(): a walk resumed from a
// saved next link (`pages({ from })`), a partition's `p.url` read with `list({ from })`, and an
// operation's result (SAP Gateway's function imports answer with related entities inline). Written
// back (`update({ ...order, Note })`), such an entity must not become a deep update: v2 would take
// the related entities, their `__metadata` stripped, for new ones to insert. Against node:http
// services, the write's body asserted as it went on the wire (src/payload/expanded.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import type { ODataVersion } from "../src/index.js";
import { sendJson, sendText, serveClient, type RecordedRequest, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

type Order = Record<string, unknown>;

/**
 * An order as a v2 service sends it: expanded items (entities, with `__metadata.uri`) and an
 * address, a complex value whose `__metadata` has a type only.
 */
function v2Order(root: string, id: string): Order {
  return {
    __metadata: { uri: `${root}Orders('${id}')`, type: "Z.Order", etag: `W/"${id}"` },
    OrderID: id,
    Note: "open",
    Items: { results: [{ __metadata: { uri: `${root}Items('${id}-10')`, type: "Z.Item" }, ItemNo: "10", Qty: "2.000" }] },
    Address: { __metadata: { type: "Z.Address" }, City: "Walldorf" },
  };
}

/**
 * An order as SAP CAP's v4 sends it: expanded items with no control information (their type has
 * no ETag), an address and a collection of complex tags, which look just like them.
 */
function v4Order(id: string): Order {
  return { "@odata.etag": `W/"${id}"`, OrderID: id, Note: "open", Items: [{ ItemNo: "10", Qty: 2 }], Address: { City: "Walldorf" }, Tags: [{ Name: "a" }] };
}

/** A v4 function's result: the related entities carry what only an entity carries (an id, an ETag). */
function v4ResultOrder(root: string, id: string): Order {
  return { "@odata.etag": `W/"${id}"`, OrderID: id, Note: "open", Items: [{ "@odata.id": `${root}Items('${id}-10')`, ItemNo: "10", Qty: 2 }], Address: { City: "Walldorf" }, Tags: [{ Name: "a" }] };
}

/** What the written order must hold: everything read but the items. */
const V2_SENT = { OrderID: "2", Note: "done", Address: { __metadata: { type: "Z.Address" }, City: "Walldorf" } };
const V4_SENT = { OrderID: "2", Note: "done", Address: { City: "Walldorf" }, Tags: [{ Name: "a" }] };

/**
 * The service: `Orders` pages (the second page's link keeps `$expand`, percent-encoded as SAP CAP
 * writes it), their `$count` (for a plan of partitions), the function `OpenOrders` and `$batch`,
 * whose one part is that function's answer. Writes are answered 204.
 */
function answer(version: ODataVersion, root: () => string) {
  const v2 = version === "2.0";
  return (request: RecordedRequest, res: ServerResponse): void => {
    const base = root();
    const result = v2 ? { d: { results: [v2Order(base, "2")] } } : { value: [v4ResultOrder(base, "2")] };
    if (request.path.endsWith("$batch")) {
      const part = ["--b", "Content-Type: application/http", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", JSON.stringify(result), "--b--", ""];
      return sendText(res, 200, part.join("\r\n"), { "content-type": "multipart/mixed; boundary=b" });
    }
    if (request.method !== "GET") return void res.writeHead(204).end();
    if (request.path.includes("$metadata")) return sendText(res, 404, "no metadata");
    if (request.path.includes("/$count")) return sendText(res, 200, "2");
    if (request.path.includes("OpenOrders")) return sendJson(res, 200, result, v2 ? { dataserviceversion: "2.0" } : {});
    const second = /skiptoken|skip=1/.test(request.path);
    const order = v2 ? v2Order(base, second ? "2" : "1") : v4Order(second ? "2" : "1");
    const next = second ? undefined : `${base}Orders?%24expand=Items&%24skiptoken=1`;
    if (v2) return sendJson(res, 200, { d: { results: [order], ...(next && { __next: next }) } }, { dataserviceversion: "2.0" });
    sendJson(res, 200, { value: [order], ...(next && { "@odata.nextLink": next }) });
  };
}

async function service(t: TestContextLike, version: ODataVersion) {
  let root = "";
  const served = await serveClient(t, answer(version, () => root), { version });
  root = served.root;
  return served;
}

/** The bodies of the writes the server received. */
function writtenBodies(server: RecordingServer): unknown[] {
  return server.requests.filter((request) => request.method !== "GET" && !request.path.endsWith("$batch")).map((request) => JSON.parse(request.body));
}

for (const version of ["2.0", "4.0"] as const) {
  const sent = version === "2.0" ? V2_SENT : V4_SENT;
  const method = version === "2.0" ? "MERGE" : "PATCH";

  describe(`OData ${version}: a read that no expand() of the query named still keeps what it expanded out of a write`, () => {
    test("a walk resumed from a saved next link holding $expand (pages({ from }), stream({ from }), list({ from }), page({ from }))", async (t) => {
      const { server, client, root } = await service(t, version);
      const orders = client.collection<Order>("Orders");
      // The nightly job walked with expand("Items") and saved the link after the first page.
      let checkpoint: string | undefined;
      for await (const page of orders.expand("Items").pages()) {
        checkpoint = page.nextLink;
        break;
      }
      assert.equal(checkpoint, `${root}Orders?%24expand=Items&%24skiptoken=1`);
      const read: Order[] = [];
      for await (const page of orders.pages({ from: checkpoint! })) read.push(...page.value);
      for await (const order of orders.stream({ from: checkpoint! })) read.push(order);
      read.push(...(await orders.list({ from: checkpoint! })));
      read.push(...(await orders.page({ from: checkpoint! })).value);
      assert.equal(read.length, 4);
      for (const order of read) {
        assert.equal((order["Items"] as unknown[]).length, 1, "the read itself still holds the items");
        await orders.key("2").update({ ...order, Note: "done" }, { etag: order });
      }
      const writes = server.requests.filter((request) => request.method !== "GET");
      assert.deepEqual(
        writes.map((request) => `${request.method} ${request.headers["if-match"]}`),
        read.map(() => `${method} W/"2"`),
      );
      assert.deepEqual(writtenBodies(server), read.map(() => sent));
    });

    test("a partition's url read with list({ from: p.url })", async (t) => {
      const { server, client } = await service(t, version);
      const plan = await client.collection<Order>("Orders").expand("Items").partitions(2, { strategy: "skip", key: "OrderID" });
      const second = plan[1]!;
      assert.match(decodeURIComponent(second.url), /\$expand=Items/);
      const [order] = await client.collection<Order>(second.entitySet).list({ from: second.url });
      assert.equal((order!["Items"] as unknown[]).length, 1);
      await client.collection<Order>("Orders").key("2").update({ ...order!, Note: "done" }, { etag: order! });
      assert.deepEqual(writtenBodies(server), [sent]);
    });

    test("a function's result holding related entities inline: get(), pages(), stream() and a $batch part", async (t) => {
      const { server, client } = await service(t, version);
      const openOrders = client.function<Order[]>("OpenOrders");
      const read: Order[] = [...(await openOrders.get())];
      for await (const page of openOrders.pages()) read.push(...page.value);
      for await (const order of openOrders.stream()) read.push(order);
      const batch = client.batch();
      const part = batch.function<Order[]>("OpenOrders");
      await batch.send();
      const fromBatch = part.result();
      assert.ok(fromBatch.ok);
      read.push(...fromBatch.value);
      assert.equal(read.length, 4);
      for (const order of read) {
        assert.equal((order["Items"] as unknown[]).length, 1, "the result itself still holds the items");
        await client.collection<Order>("Orders").key("2").update({ ...order, Note: "done" }, { etag: order });
      }
      assert.deepEqual(writtenBodies(server), read.map(() => sent));
    });
  });
}

describe("a link marks what it names and nothing else", () => {
  test("read from a link without $expand, the complex values and a structured property are sent whole", async (t) => {
    const { server, client, root } = await service(t, "4.0");
    const orders = client.collection<Order>("Orders");
    const [order] = await orders.list({ from: `${root}Orders?$skiptoken=1` });
    await orders.key("2").update({ ...order!, Note: "done" }, { etag: order! });
    assert.deepEqual(writtenBodies(server), [{ ...V4_SENT, Items: [{ ItemNo: "10", Qty: 2 }] }]);
  });

  test("a v2 link's nested path (Items/Product) marks the items' products too", async (t) => {
    let root = "";
    const served = await serveClient(
      t,
      (request, res) => {
        if (request.method !== "GET") return void res.writeHead(204).end();
        const product = { __metadata: { uri: `${root}Products('P')` }, ID: "P" };
        const item = { __metadata: { uri: `${root}Items('2-10')`, etag: 'W/"i"' }, ItemNo: "10", Qty: "2.000", Product: product };
        sendJson(res, 200, { d: { results: [{ ...v2Order(root, "2"), Items: { results: [item] } }] } }, { dataserviceversion: "2.0" });
      },
      { version: "2.0" },
    );
    const { server, client } = served;
    root = served.root;
    const [order] = await client.collection<Order>("Orders").list({ from: `${root}Orders?$expand=Items/Product&$skiptoken=1` });
    const [item] = order!["Items"] as Order[];
    await client.collection<Order>("Items").key("2-10").update({ ...item!, Qty: "3.000" }, { etag: item! });
    assert.deepEqual(writtenBodies(server), [{ ItemNo: "10", Qty: "3.000" }]);
  });
});
