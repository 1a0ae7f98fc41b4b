/**
 * A next link is followed as the service wrote it: OData makes it opaque, so a custom query option
 * of the query (`param("sap-client", "100")`) goes on the first request and on the pages after it
 * only where the service's links carry it (README, `param()`). Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { serveClient, sendJson } from "./servers/recording-server.js";

test("a custom option goes on the first page; the next links, with or without it, are sent as written", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    const url = new URL(request.path, "http://x");
    const page = url.searchParams.get("p");
    if (page === null) return sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Items?p=2" });
    if (page === "2") return sendJson(res, 200, { value: [{ ID: 2 }], "@odata.nextLink": "Items?p=3&sap-client=100" });
    sendJson(res, 200, { value: [{ ID: 3 }] });
  });
  const ids: number[] = [];
  for await (const item of client.collection<{ ID: number }>("Items").param("sap-client", "100").stream()) ids.push(item.ID);
  assert.deepEqual(ids, [1, 2, 3]);
  assert.deepEqual(
    server.requests.map((request) => request.path),
    ["/odata/Items?sap-client=100", "/odata/Items?p=2", "/odata/Items?p=3&sap-client=100"],
  );
});
