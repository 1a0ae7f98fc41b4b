// An OData v2 service may inline a navigation property's entities that no `$expand` asked for (SAP
// Gateway does for some; v2 JSON says `{"__deferred": …}` for one not expanded). Such a value, an
// entity with its `__metadata.uri` or a `{"results": [...]}` of them, is marked as a read's
// expanded values are, so that writing the entity back (`update({ ...order, Status })`) leaves it
// out rather than sending a deep update the caller never wrote (a service may take it as "these
// are all the items now"). Before, the MERGE body held `Items` and `Customer`. A complex value
// (`__metadata` with a type alone) and a value the caller builds anew still go; `{ deep: true }`
// sends the inline ones. Against a node:http v2 service on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serveClient, sendJson } from "./servers/recording-server.js";

const ROOT = "/odata/";

function order(id: number): Record<string, unknown> {
  return {
    __metadata: { uri: `http://host${ROOT}Orders(${id})`, type: "S.Order", etag: `W/"${id}"` },
    ID: id,
    Status: "open",
    Address: { __metadata: { type: "S.Address" }, City: "Walldorf" },
    Items: { results: [{ __metadata: { uri: `http://host${ROOT}Items(${id}0)`, type: "S.Item" }, ID: id * 10, Qty: 1 }] },
    Customer: { __metadata: { uri: `http://host${ROOT}Customers('C1')`, type: "S.Customer" }, ID: "C1", Name: "Ada" },
    Notes: { __deferred: { uri: `http://host${ROOT}Orders(${id})/Notes` } },
  };
}

/** A v2 service answering reads of Orders (one, a collection, a batch) and recording the writes. */
const service = (request: { method: string; path: string }, res: import("node:http").ServerResponse) => {
  if (request.method === "GET" && /Orders\(\d+\)$/.test(request.path)) return sendJson(res, 200, { d: order(1) });
  if (request.method === "GET") return sendJson(res, 200, { d: { results: [order(1), order(2)] } });
  res.writeHead(204);
  res.end();
};

const written = (body: string) => Object.keys(JSON.parse(body) as object).sort();

test("v2: an entity read with inline navigation that no $expand asked for is written back without it (get, MERGE)", async (t) => {
  const { server, client } = await serveClient(t, service, { version: "2.0" });
  const orders = client.collection<Record<string, unknown>>("Orders");
  const read = await orders.key(1).get();
  assert.ok(Array.isArray(read["Items"]), "the reader unwraps results");
  await orders.key(1).update({ ...read, Status: "shipped" });
  const merge = server.requests[1]!;
  assert.equal(merge.method, "MERGE");
  assert.equal(merge.path, `${ROOT}Orders(1)`);
  assert.equal(merge.headers["if-match"], 'W/"1"');
  assert.deepEqual(written(merge.body), ["Address", "ID", "Status"]);
  assert.deepEqual(JSON.parse(merge.body).Address, { __metadata: { type: "S.Address" }, City: "Walldorf" });
});

test("v2: entities of a collection read (list) are written back without the inline navigation", async (t) => {
  const { server, client } = await serveClient(t, service, { version: "2.0" });
  const orders = client.collection<Record<string, unknown>>("Orders");
  const [first] = await orders.list();
  await orders.key(2).replace({ ...first! });
  const put = server.requests.at(-1)!;
  assert.equal(put.method, "PUT");
  assert.deepEqual(written(put.body), ["Address", "ID", "Status"]);
});

test("v2: entities of a $batch read (get and page) are written back without the inline navigation", async (t) => {
  const answer = (status: number, body: unknown) =>
    `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status} OK\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n`;
  const { server, client } = await serveClient(
    t,
    (request, res) => {
      if (request.path.endsWith("$batch")) {
        res.writeHead(200, { "Content-Type": "multipart/mixed; boundary=b" });
        res.end(answer(200, { d: order(1) }) + answer(200, { d: { results: [order(2)] } }) + "--b--\r\n");
        return;
      }
      res.writeHead(204);
      res.end();
    },
    { version: "2.0" },
  );
  const orders = client.collection<Record<string, unknown>>("Orders");
  const batch = client.batch();
  const one = batch.get(orders.key(1));
  const page = batch.page(orders);
  await batch.send();
  const read = one.result();
  const listed = page.result();
  assert.ok(read.ok && listed.ok);
  await orders.key(1).update({ ...read.value, Status: "shipped" });
  await orders.key(2).update({ ...listed.value.value[0]!, Status: "shipped" });
  assert.deepEqual(written(server.requests[1]!.body), ["Address", "ID", "Status"]);
  assert.deepEqual(written(server.requests[2]!.body), ["Address", "ID", "Status"]);
});

test("v2: deep: true sends the inline navigation; a value built anew is sent", async (t) => {
  const { server, client } = await serveClient(t, service, { version: "2.0" });
  const orders = client.collection<Record<string, unknown>>("Orders");
  const read = await orders.key(1).get();
  await orders.key(1).update({ ...read }, { deep: true });
  assert.deepEqual(written(server.requests[1]!.body), ["Address", "Customer", "ID", "Items", "Status"]);
  const items = read["Items"] as Array<Record<string, unknown>>;
  await orders.key(1).update({ Status: "x", Items: [...items] });
  assert.deepEqual(written(server.requests[2]!.body), ["Items", "Status"]);
});

test("v2: an entity of nothing but inline navigation is refused as one of expanded values is, and nothing is sent", async (t) => {
  const { server, client } = await serveClient(t, service, { version: "2.0" });
  const read = await client.collection<Record<string, unknown>>("Orders").key(1).get();
  await assert.rejects(client.collection("Orders").key(1).update({ Items: read["Items"] }), {
    name: "TypeError",
    message: /^update\(patch\): Items is a navigation property that a read expanded, which a write leaves out; pass \{ deep: true \}/,
  });
  assert.equal(server.requests.length, 1);
});

test("v2 Atom: an entry whose <m:inline> feed no $expand asked for is written back without it", async (t) => {
  const ns = `xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"`;
  const related = "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";
  const item = `<entry><id>Items(10)</id><link rel="edit" href="Items(10)"/><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">10</d:ID></m:properties></content></entry>`;
  const { server, client } = await serveClient(
    t,
    (request, res) => {
      if (request.method !== "GET") {
        res.writeHead(204);
        res.end();
        return;
      }
      const root = `http://${request.headers.host}${ROOT}`;
      res.writeHead(200, { "Content-Type": "application/atom+xml;type=entry" });
      res.end(
        `<?xml version="1.0" encoding="utf-8"?><entry ${ns} xml:base="${root}" m:etag="W/&quot;5&quot;"><id>${root}Orders(1)</id><link rel="edit" href="Orders(1)"/>` +
          `<link rel="${related}Items" type="application/atom+xml;type=feed" href="Orders(1)/Items"><m:inline><feed>${item}</feed></m:inline></link>` +
          `<content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">1</d:ID><d:Status>open</d:Status></m:properties></content></entry>`,
      );
    },
    { version: "2.0" },
  );
  const orders = client.collection<Record<string, unknown>>("Orders");
  const read = await orders.key(1).get();
  assert.equal((read["Items"] as unknown[]).length, 1);
  await orders.key(1).update({ ...read, Status: "shipped" });
  const merge = server.requests[1]!;
  assert.equal(merge.method, "MERGE");
  assert.equal(merge.headers["if-match"], 'W/"5"');
  assert.deepEqual(written(merge.body), ["ID", "Status"]);
});
