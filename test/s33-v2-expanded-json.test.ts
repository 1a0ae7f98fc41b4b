// OData v2 JSON: an expanded collection that the service pages inside `$expand` (Olingo v2, some
// SAP Gateway services) comes as `{"results": [...], "__next": "...", "__count": "7"}`. The
// reader makes the wrapper the array, as v4 has it, and keeps `__next` and `__count` on the entity
// as v4 sends them, `Items@odata.nextLink` (as sent) and `Items@odata.count` (a number), on every
// path that reads v2 entities: get(), a walk's pages, a `$batch` part, an operation's result and a
// delta. The rest of the collection is read with `navigate("Items").list({ from })`, and writing
// the entity back sends neither annotation (v2 has none).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

interface Order {
  ID: number;
  Note: string;
  Items: { ID: number; At: string }[];
}

const CRLF = "\r\n";

/** The service's answers by path (decoded, below /svc/); writes are answered 204. */
async function v2Service(answers: (root: string) => Record<string, unknown>): Promise<RecordingServer & { root: string }> {
  let root = "";
  const server = await startServer((request, res) => {
    if (request.method !== "GET" && !request.path.endsWith("$batch")) {
      res.writeHead(204, { DataServiceVersion: "2.0" });
      res.end();
      return;
    }
    const answer = answers(root)[decodeURIComponent(request.path.replace(/^\/svc\//, ""))];
    if (answer === undefined) return sendJson(res, 404, { error: { code: "404", message: { lang: "en", value: `no ${request.path}` } } });
    if (typeof answer === "string") return sendText(res, 202, answer, { "Content-Type": "multipart/mixed; boundary=r" });
    sendJson(res, 200, answer, { DataServiceVersion: "2.0" });
  });
  root = server.url("svc/");
  return Object.assign(server, { root });
}

const item = (root: string, id: number) => ({ __metadata: { uri: `${root}Items(${id})`, type: "NS.Item" }, ID: id, At: "/Date(0)/" });
const items = (root: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => item(root, from + i));

/** Order 1 with the first two of its seven items, as a service that pages inside $expand sends it. */
const pagedOrder = (root: string) => ({
  __metadata: { uri: `${root}Orders(1)`, type: "NS.Order", etag: 'W/"5"' },
  ID: 1,
  Note: "first",
  Items: { results: items(root, 1, 2), __count: "7", __next: `${root}Orders(1)/Items?$skiptoken=2` },
});

/** Order 2, whose items fit in the answer: no next link, no count. */
const wholeOrder = (root: string) => ({
  __metadata: { uri: `${root}Orders(2)`, type: "NS.Order" },
  ID: 2,
  Note: "second",
  Items: { results: items(root, 8, 8) },
});

const client = (server: { root: string }) => new ODataClient({ serviceUrl: server.root, version: "2.0", retry: false });
const paths = (server: RecordingServer) => server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
const ids = (list: unknown) => (list as { ID: number }[]).map((entity) => entity.ID);

test("v2 JSON get(): an expanded collection's inline __next and __count are kept as Items@odata.nextLink and Items@odata.count, and navigate().list({ from }) reads the rest", async (t) => {
  const server = await v2Service((root) => ({
    "Orders(1)?$expand=Items": { d: pagedOrder(root) },
    "Orders(1)/Items?$skiptoken=2": { d: { results: items(root, 3, 7) } },
  }));
  t.after(() => server.close());
  const orders = client(server).collection<Order>("Orders");
  const order = (await orders.key(1).expand("Items").get()) as unknown as Record<string, unknown>;
  assert.deepEqual(ids(order["Items"]), [1, 2]);
  assert.equal((order["Items"] as { At: string }[])[0]!.At, "1970-01-01T00:00:00Z");
  assert.equal(order["Items@odata.nextLink"], `${server.root}Orders(1)/Items?$skiptoken=2`);
  assert.equal(order["Items@odata.count"], 7);
  assert.equal("__next" in (order["Items"] as object), false);

  const rest = await orders.key(1).navigate("Items").list({ from: order["Items@odata.nextLink"] as string });
  assert.deepEqual([...ids(order["Items"]), ...ids(rest)], [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(paths(server), ["GET /svc/Orders(1)?$expand=Items", "GET /svc/Orders(1)/Items?$skiptoken=2"]);
});

test("v2 JSON pages(): each entity keeps its expanded collection's next link and count; one sent whole gets neither; a relative __next is followed by pages({ from })", async (t) => {
  const server = await v2Service((root) => ({
    "Orders?$expand=Items": {
      d: { results: [{ ...pagedOrder(root), Items: { results: items(root, 1, 2), __next: "Orders(1)/Items?$skiptoken=2", __count: "7" } }, wholeOrder(root)], __count: "2" },
    },
    "Orders(1)/Items?$skiptoken=2": { d: { results: items(root, 3, 5), __next: "Orders(1)/Items?$skiptoken=5" } },
    "Orders(1)/Items?$skiptoken=5": { d: { results: items(root, 6, 7) } },
  }));
  t.after(() => server.close());
  const orders = client(server).collection<Order>("Orders");
  const [paged, whole] = (await orders.expand("Items").list()) as unknown as Record<string, unknown>[];
  assert.equal(paged!["Items@odata.nextLink"], "Orders(1)/Items?$skiptoken=2");
  assert.equal(paged!["Items@odata.count"], 7);
  assert.deepEqual(Object.keys(whole!).sort(), ["ID", "Items", "Note", "__metadata"]);

  const rest: number[] = [];
  for await (const page of orders.key(1).navigate("Items").pages({ from: paged!["Items@odata.nextLink"] as string })) rest.push(...ids(page.value));
  assert.deepEqual([...ids(paged!["Items"]), ...rest], [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(paths(server), ["GET /svc/Orders?$expand=Items", "GET /svc/Orders(1)/Items?$skiptoken=2", "GET /svc/Orders(1)/Items?$skiptoken=5"]);
});

test("v2 JSON $batch parts, an operation's result and a delta keep an expanded collection's next link and count", async (t) => {
  const part = (body: unknown) => `--r${CRLF}Content-Type: application/http${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}${JSON.stringify(body)}${CRLF}`;
  const server = await v2Service((root) => ({
    $batch: `${part({ d: pagedOrder(root) })}${part({ d: { results: [pagedOrder(root)] } })}--r--${CRLF}`,
    RecentOrders: { d: { results: [pagedOrder(root)] } },
    "Orders?$expand=Items&!deltatoken='1'": { d: { results: [pagedOrder(root)], __delta: "Orders?$expand=Items&!deltatoken='2'" } },
  }));
  t.after(() => server.close());
  const odata = client(server);
  const orders = odata.collection<Order>("Orders");
  const link = `${server.root}Orders(1)/Items?$skiptoken=2`;
  const kept = (entity: unknown) => {
    const record = entity as Record<string, unknown>;
    return [ids(record["Items"]), record["Items@odata.nextLink"], record["Items@odata.count"]];
  };

  const batch = odata.batch();
  const one = batch.get(orders.key(1).expand("Items"));
  const page = batch.page(orders.expand("Items"));
  await batch.send();
  assert.deepEqual(kept((one.result() as { value?: unknown }).value), [[1, 2], link, 7]);
  assert.deepEqual(kept((page.result() as { value?: { value: unknown[] } }).value!.value[0]), [[1, 2], link, 7]);

  const recent = await odata.function<unknown[]>("RecentOrders").get();
  assert.deepEqual(kept(recent[0]), [[1, 2], link, 7]);

  const changed: unknown[] = [];
  for await (const delta of odata.delta(`${server.root}Orders?$expand=Items&!deltatoken='1'`)) changed.push(...delta.changed);
  assert.deepEqual(kept(changed[0]), [[1, 2], link, 7]);
  assert.deepEqual(
    paths(server).map((line) => line.replace(/\?.*/, "")),
    ["POST /svc/$batch", "GET /svc/RecentOrders", "GET /svc/Orders"],
  );
});

test("v2 JSON write-back: update, replace and a deep update of an entity read with a paged expand send no Items@odata.nextLink or Items@odata.count", async (t) => {
  const server = await v2Service((root) => ({ "Orders(1)?$expand=Items": { d: pagedOrder(root) } }));
  t.after(() => server.close());
  const orders = client(server).collection<Order>("Orders");
  const order = await orders.key(1).expand("Items").get();
  assert.equal((order as unknown as Record<string, unknown>)["Items@odata.count"], 7);

  await orders.key(1).update({ ...order, Note: "changed" });
  await orders.key(1).replace({ ...order, Note: "replaced" });
  await orders.key(1).update({ ...order, Note: "deep" }, { deep: true });
  // A copy the caller made of the annotations (no read value to recognise) is left out too.
  await orders.key(1).update({ ID: 1, "Items@odata.count": 7, "Items@odata.nextLink": "Orders(1)/Items?$skiptoken=2" } as never);
  const writes = server.requests.filter((r) => r.method !== "GET").map((r) => [r.method, JSON.parse(r.body) as unknown]);
  const item = (id: number) => ({ ID: id, At: "/Date(0)/" });
  assert.deepEqual(writes, [
    ["MERGE", { ID: 1, Note: "changed" }],
    ["PUT", { ID: 1, Note: "replaced" }],
    ["MERGE", { ID: 1, Note: "deep", Items: [item(1), item(2)] }],
    ["MERGE", { ID: 1 }],
  ]);
});

test("v2 JSON: an inline __count that is no count is BAD_PAYLOAD, as a page's is, not dropped", async (t) => {
  const server = await v2Service((root) => ({ "Orders(1)?$expand=Items": { d: { ...pagedOrder(root), Items: { results: [], __count: "many" } } } }));
  t.after(() => server.close());
  const error = await client(server).collection<Order>("Orders").key(1).expand("Items").get().then(
    () => assert.fail("resolved"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataClientError && error.code === "BAD_PAYLOAD", String(error));
  assert.match(error.message, /"__count" is the string "many", not a count/);
});
