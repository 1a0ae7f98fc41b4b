/**
 * `updateAsync(patch, { headers })`, `replaceAsync(entity, { headers })`, `deleteAsync({ headers })`:
 * more headers for the request that starts the operation, as `createAsync()` and the writes sent
 * alone take them; the polls do not carry them, and a header that cannot be sent is refused naming
 * the call before anything is sent. Against a node:http service that keeps every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

test("updateAsync, replaceAsync and deleteAsync send their headers with the request that starts the operation, not with its polls", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "GET") return sendJson(res, 200, { ID: 1 });
    sendJson(res, 202, {}, { location: server.url(`odata/monitor/${request.method}`) });
  });
  const book = client.collection("Books").key(1);
  const options = { headers: { "x-trace": "t-1" }, ifMatch: "*", pollInterval: 1 };
  assert.deepEqual(await (await book.updateAsync({ title: "a" }, options)).wait(), { ID: 1 });
  assert.deepEqual(await (await book.replaceAsync({ ID: 1, title: "b" }, options)).wait(), { ID: 1 });
  await (await book.deleteAsync(options)).wait();
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path} ${r.headers["x-trace"] ?? "-"} ${r.headers["if-match"] ?? "-"} ${r.headers["prefer"] ?? "-"}`),
    [
      "PATCH /odata/Books(1) t-1 * respond-async",
      "GET /odata/monitor/PATCH - - -",
      "PUT /odata/Books(1) t-1 * respond-async",
      "GET /odata/monitor/PUT - - -",
      "DELETE /odata/Books(1) t-1 * respond-async",
      "GET /odata/monitor/DELETE - - -",
    ],
  );
});

test("the headers of updateAsync, replaceAsync and deleteAsync are checked as createAsync's are: a line break is refused, naming the call and the option, before anything is sent", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, {}));
  const book = client.collection("Books").key(1);
  const headers = { "x-note": "a\r\nb" };
  const calls: Array<[string, () => Promise<unknown>]> = [
    ["updateAsync\\(patch\\)", () => book.updateAsync({ title: "a" }, { headers })],
    ["replaceAsync\\(entity\\)", () => book.replaceAsync({ ID: 1 }, { headers })],
    ["deleteAsync\\(\\)", () => book.deleteAsync({ headers })],
  ];
  for (const [name, call] of calls) {
    await assert.rejects(call(), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, new RegExp(`^${name}: option "headers"`));
      return true;
    });
  }
  assert.deepEqual(server.requests, []);
});
