// A last page that writes its next link with a null value (`"@odata.nextLink": null`, v2's
// `"__next": null`) was refused as BAD_PAYLOAD ("… is null, not a link"), so a walk over such a
// service failed on its last page and lost the pages before it. Some services write the member
// on every page and null it on the last (Azure's REST guidelines allow either leaving it out or
// setting it to null for "no more pages"); null is read as no link, for the next link and the
// delta link alike, on every read that takes them: pages, stream, list, page, delta, property.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

/** A v4 collection of two pages whose second writes `last` beside its entities. */
function twoPages(last: Record<string, unknown>, v2 = false) {
  return (request: { path: string }, res: Parameters<typeof sendJson>[0]) => {
    const second = request.path.includes("page=2");
    const value = second ? [{ ID: 3 }] : [{ ID: 1 }, { ID: 2 }];
    if (v2) {
      const d = second ? { results: value, ...last } : { results: value, __next: "Items?page=2" };
      return sendJson(res, 200, { d }, { dataserviceversion: "2.0" });
    }
    sendJson(res, 200, second ? { value, ...last } : { value, "@odata.nextLink": "Items?page=2" });
  };
}

const paths = (server: { requests: Array<{ path: string }> }) => server.requests.map((request) => request.path);

test('pages() ends at a last page whose "@odata.nextLink" is null, with the pages before it', async (t) => {
  const { server, client } = await serveClient(t, twoPages({ "@odata.nextLink": null }));
  const pages = [];
  for await (const page of client.collection("Items").pages()) pages.push(page);
  assert.deepEqual(pages.map((page) => page.value), [[{ ID: 1 }, { ID: 2 }], [{ ID: 3 }]]);
  assert.equal("nextLink" in pages[1]!, false);
  assert.deepEqual(paths(server), ["/odata/Items", "/odata/Items?page=2"]);
});

test('stream() and list() end at a last page whose "@nextLink" (4.01) is null', async (t) => {
  const { server, client } = await serveClient(t, twoPages({ "@nextLink": null }), { version: "4.01" });
  const streamed = [];
  for await (const item of client.collection("Items").stream()) streamed.push(item);
  assert.deepEqual(streamed, [{ ID: 1 }, { ID: 2 }, { ID: 3 }]);
  assert.deepEqual(await client.collection("Items").list(), [{ ID: 1 }, { ID: 2 }, { ID: 3 }]);
  assert.deepEqual(paths(server), ["/odata/Items", "/odata/Items?page=2", "/odata/Items", "/odata/Items?page=2"]);
});

test('v2 list() and stream() end at a last page whose "__next" and "__delta" are null', async (t) => {
  const { server, client } = await serveClient(t, twoPages({ __next: null, __delta: null }, true), { version: "2.0" });
  assert.deepEqual(await client.collection("Items").list(), [{ ID: 1 }, { ID: 2 }, { ID: 3 }]);
  const streamed = [];
  for await (const item of client.collection("Items").stream()) streamed.push(item);
  assert.deepEqual(streamed, [{ ID: 1 }, { ID: 2 }, { ID: 3 }]);
  assert.deepEqual(paths(server), ["/odata/Items", "/odata/Items?page=2", "/odata/Items", "/odata/Items?page=2"]);
});

test('page() of an answer whose next and delta links are null has neither, and keeps its count', async (t) => {
  const { client } = await serveClient(t, (_request, res) => sendJson(res, 200, { "@odata.count": 1, value: [{ ID: 1 }], "@odata.nextLink": null, "@odata.deltaLink": null }));
  const page = await client.collection("Items").page();
  assert.deepEqual(page.value, [{ ID: 1 }]);
  assert.equal(page.count, 1);
  assert.equal("nextLink" in page, false);
  assert.equal("deltaLink" in page, false);
});

test('delta() reads a page whose "@odata.nextLink" is null as the last, with its delta link', async (t) => {
  const { server, client } = await serveClient(t, (_request, res) =>
    sendJson(res, 200, { value: [{ ID: 7, name: "new" }], "@odata.nextLink": null, "@odata.deltaLink": "Items?$deltatoken=2" }),
  );
  const pages = [];
  for await (const page of client.delta("Items?$deltatoken=1")) pages.push(page);
  assert.equal(pages.length, 1);
  assert.deepEqual(pages[0]!.changed, [{ ID: 7, name: "new" }]);
  assert.equal(pages[0]!.deltaLink, new URL("Items?$deltatoken=2", server.url("odata/")).href);
  assert.equal("nextLink" in pages[0]!, false);
  assert.deepEqual(paths(server), ["/odata/Items?$deltatoken=1"]);
});

test('v2 delta() reads "__next": null as no next page and keeps "__delta"', async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => sendJson(res, 200, { d: { results: [{ ID: 7 }], __next: null, __delta: "Items?!deltatoken=2" } }, { dataserviceversion: "2.0" }),
    { version: "2.0" },
  );
  const pages = [];
  for await (const page of client.delta("Items?!deltatoken=1")) pages.push(page);
  assert.equal(pages.length, 1);
  assert.deepEqual(pages[0]!.changed, [{ ID: 7 }]);
  assert.match(pages[0]!.deltaLink ?? "", /Items\?!deltatoken=2$/);
  assert.deepEqual(paths(server), ["/odata/Items?!deltatoken=1"]);
});

test('property(name).get() of a collection whose "@odata.nextLink" is null is that collection, in one request', async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: ["a@x", "b@x"], "@odata.nextLink": null }));
  assert.deepEqual(await client.collection("People").key(1).property("emails").get(), ["a@x", "b@x"]);
  assert.deepEqual(paths(server), ["/odata/People(1)/emails"]);
});

test('v2 property(name).get() of a collection whose "__next" is null is that collection, in one request', async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { d: { emails: { results: ["a@x"], __next: null } } }, { dataserviceversion: "2.0" }), { version: "2.0" });
  assert.deepEqual(await client.collection("People").key(1).property("emails").get(), ["a@x"]);
  assert.deepEqual(paths(server), ["/odata/People(1)/emails"]);
});

test('a next link that is neither a string nor null is still BAD_PAYLOAD', async (t) => {
  const { client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [], "@odata.nextLink": false }));
  await assert.rejects(client.collection("Items").page(), (error: { code?: string; message?: string }) => error.code === "BAD_PAYLOAD" && /"@odata.nextLink" is .*false.*not a link/.test(error.message ?? ""));
});

test('a function\'s collection result whose "@odata.nextLink" is null is that collection, in one request', async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { "@odata.context": "$metadata#Collection(Edm.String)", value: ["a", "b"], "@odata.nextLink": null }));
  assert.deepEqual(await client.collection("Items").function("NS.names").get(), ["a", "b"]);
  assert.deepEqual(paths(server), ["/odata/Items/NS.names()"]);
});

test('v2 get() of an entity whose expanded collection has "__next": null reads the collection whole, with no next link kept', async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => sendJson(res, 200, { d: { __metadata: { uri: "Orders(1)" }, ID: 1, Items: { results: [{ __metadata: { uri: "Items(5)" }, ID: 5 }], __next: null } } }, { dataserviceversion: "2.0" }),
    { version: "2.0" },
  );
  const order = (await client.collection("Orders").key(1).expand("Items" as never).get()) as Record<string, unknown>;
  assert.deepEqual((order["Items"] as Array<Record<string, unknown>>).map((item) => item["ID"]), [5]);
  assert.equal("Items@odata.nextLink" in order, false);
  assert.deepEqual(paths(server), ["/odata/Orders(1)?$expand=Items"]);
});

test('stream() reads a null "@odata.nextLink" written before the entities (as a service that knows it early writes it) as no next page', async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"@odata.context":"$metadata#Items","@odata.count":2,"@odata.nextLink":null,"value":[{"ID":1},{"ID":2}]}');
  });
  const streamed = [];
  for await (const item of client.collection("Items").stream()) streamed.push(item);
  assert.deepEqual(streamed, [{ ID: 1 }, { ID: 2 }]);
  assert.deepEqual(paths(server), ["/odata/Items"]);
});
