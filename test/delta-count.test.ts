/**
 * A delta page carries the count the service sent, over real HTTP (node:http on 127.0.0.1). OData
 * 4.01 JSON Format §15.1: a delta response may carry a count of all the added, changed and deleted
 * entities and added and deleted links. `client.delta()` dropped it (v4 `@odata.count`/`@count`,
 * v2 `__count`, Atom `<m:count>`), though `page()` of the same body gives it; it is read as
 * `page()` reads it, and a count that is no count is BAD_PAYLOAD as there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, type DeltaPage } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

test("v4: the count of each delta page is the one sent (@odata.count, 4.01 @count, a string under IEEE754Compatible); a page without one has none; page() reads the same", async (t) => {
  const { server, client, root } = await serveClient(t, (request, res) => {
    if (request.path.includes("skiptoken")) return sendJson(res, 200, { "@context": "$metadata#Books/$delta", value: [], "@deltaLink": "Books?$deltatoken=2" }, { "odata-version": "4.01" });
    if (request.path.includes("deltatoken=2")) return sendJson(res, 200, { "@context": "$metadata#Books/$delta", "@count": "4", value: [], "@deltaLink": "Books?$deltatoken=3" }, { "odata-version": "4.01" });
    sendJson(res, 200, { "@odata.context": "$metadata#Books/$delta", "@odata.count": 7, value: [{ ID: 1 }], "@odata.nextLink": "Books?$deltatoken=1&$skiptoken=2" });
  });
  const pages: DeltaPage<{ ID: number }>[] = await collect(client.delta<{ ID: number }>(`${root}Books?$deltatoken=1&$count=true`));
  const later = await collect(client.delta(`${root}Books?$deltatoken=2`));
  assert.deepEqual(
    [...pages, ...later].map((page) => [page.count, Object.hasOwn(page, "count")]),
    [[7, true], [undefined, false], [4, true]],
  );
  assert.equal((await client.collection("Books").page({ from: `${root}Books?$deltatoken=1` })).count, 7);
  assert.deepEqual(server.requests.map((r) => r.path), [
    "/odata/Books?$deltatoken=1&$count=true",
    "/odata/Books?$deltatoken=1&$skiptoken=2",
    "/odata/Books?$deltatoken=2",
    "/odata/Books?$deltatoken=1",
  ]);
});

test("v2: the count of a JSON delta (__count, a string) and of an Atom delta (<m:count>)", async (t) => {
  const { client, root } = await serveClient(
    t,
    (request, res) => {
      if ((request.headers.accept ?? "").includes("atom")) {
        res.writeHead(200, { "content-type": "application/atom+xml;type=feed", dataserviceversion: "2.0" });
        res.end(
          `<?xml version="1.0" encoding="utf-8"?><feed xml:base="${root}" xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:at="http://purl.org/atompub/tombstones/1.0">` +
            `<id>${root}Products</id><title type="text">Products</title><updated>2024-01-01T00:00:00Z</updated><m:count>3</m:count>` +
            `<at:deleted-entry ref="${root}Products('2')" when="2024-01-02T00:00:00Z"/><link rel="delta" href="Products?!deltatoken='D2'"/></feed>`,
        );
        return;
      }
      sendJson(res, 200, { d: { results: [{ ID: "1" }], __count: "7", __delta: "Products?!deltatoken='D2'" } }, { dataserviceversion: "2.0" });
    },
    { version: "2.0" },
  );
  const [json] = await collect(client.delta(`${root}Products?!deltatoken='D1'&$inlinecount=allpages`));
  const [atom] = await collect(client.delta(`${root}Products?!deltatoken='D1'&$inlinecount=allpages`, { format: "atom" }));
  assert.deepEqual([json?.count, json?.changed], [7, [{ ID: "1" }]]);
  assert.deepEqual([atom?.count, atom?.removed.length], [3, 1]);
});

test("a delta count that is no count is BAD_PAYLOAD naming the member, as page() says it", async (t) => {
  const body = { "@odata.context": "$metadata#Books/$delta", "@odata.count": -1, value: [], "@odata.deltaLink": "Books?$deltatoken=2" };
  const { client, root } = await serveClient(t, (_request, res) => sendJson(res, 200, body));
  const refused = (error: unknown): boolean => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, /"@odata\.count" is -1, not a count/);
    return true;
  };
  await assert.rejects(collect(client.delta(`${root}Books?$deltatoken=1`)), refused);
  await assert.rejects(client.collection("Books").page({ from: `${root}Books?$deltatoken=1` }), refused);
});
