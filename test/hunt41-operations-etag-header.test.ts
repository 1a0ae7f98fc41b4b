/**
 * An operation whose result is one entity may carry that entity's ETag in the `ETag` header alone,
 * as an entity read or a write's answer may. The contract (spec/client.md, "Writing") says an
 * entity read with the `ETag` header carries it, so that `update(patch, { etag: entity })` sends it.
 * Before, `get()` and `invoke()` dropped the header: `etagOf(result)` was `undefined` and the
 * update refused the result as carrying no ETag; the pollers of `invokeAsync()` and `getAsync()`
 * dropped it too, from an answer at once and from a status monitor's result. Over node:http on
 * 127.0.0.1.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { etagOf } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

const v4 = { "odata-version": "4.0" };
const v2 = { dataserviceversion: "2.0" };

describe("the ETag header of an operation's entity result", () => {
  test("v4: a function's and an action's entity keep it, and update() sends it as If-Match", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "PATCH") return sendJson(res, 200, { ID: 1, title: "b", "@odata.etag": 'W/"2"' }, v4);
      sendJson(res, 200, { "@odata.context": "$metadata#Books/$entity", ID: 1, title: "a" }, { ...v4, etag: 'W/"1"' });
    });
    const read = await client.function<Record<string, unknown>>("bookById", { id: 1 }).get();
    assert.equal(etagOf(read), 'W/"1"');
    assert.deepEqual(read, { ID: 1, title: "a", "@odata.etag": 'W/"1"' });
    const posted = await client.action<Record<string, unknown>>("touchBook").invoke({ id: 1 });
    assert.equal(etagOf(posted), 'W/"1"');
    await client.collection("Books").key(1).update({ title: "b" }, { etag: posted });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["if-match"] ?? "-"}`),
      ["GET /odata/bookById(id=1) -", "POST /odata/touchBook -", 'PATCH /odata/Books(1) W/"1"'],
    );
  });

  test("v4: an ETag in the body wins over the header; a collection or a primitive result gets none", async (t) => {
    const { client } = await serveClient(t, (request, res) => {
      if (request.path.startsWith("/odata/bookById")) return sendJson(res, 200, { ID: 1, "@odata.etag": 'W/"body"' }, { ...v4, etag: 'W/"header"' });
      if (request.path.startsWith("/odata/books")) return sendJson(res, 200, { value: [{ ID: 1 }] }, { ...v4, etag: 'W/"header"' });
      sendJson(res, 200, { value: 9 }, { ...v4, etag: 'W/"header"' });
    });
    assert.equal(etagOf(await client.function<Record<string, unknown>>("bookById").get()), 'W/"body"');
    assert.deepEqual(await client.function("books").get(), [{ ID: 1 }]);
    assert.equal(await client.function("count").get(), 9);
  });

  test("v2: a function import's entity keeps it in __metadata, and update() sends it", async (t) => {
    const { server, client } = await serveClient(
      t,
      (request, res) => {
        if (request.method === "MERGE") {
          res.writeHead(204, v2);
          res.end();
          return;
        }
        sendJson(res, 200, { d: { __metadata: { uri: "Books(1)", type: "NS.Book" }, ID: 1 } }, { ...v2, etag: 'W/"7"' });
      },
      { version: "2.0" },
    );
    const read = await client.function<Record<string, unknown>>("bookById", { id: 1 }).get();
    assert.equal(etagOf(read), 'W/"7"');
    await client.collection("Books").key(1).update({ title: "b" }, { etag: read });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["if-match"] ?? "-"}`),
      ["GET /odata/bookById?id=1 -", 'MERGE /odata/Books(1) W/"7"'],
    );
  });
});

describe("the ETag header of an ...Async call's entity result", () => {
  test("invokeAsync() answered at once and getAsync() through a status monitor keep it", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path === "/odata/bookById(id=1)") {
        res.writeHead(202, { location: "monitor/1", ...v4 });
        res.end();
        return;
      }
      sendJson(res, 200, { "@odata.context": "$metadata#Books/$entity", ID: 1 }, { ...v4, etag: request.method === "POST" ? 'W/"at-once"' : 'W/"monitor"' });
    });
    const atOnce = await (await client.action<Record<string, unknown>>("touchBook").invokeAsync()).wait();
    assert.equal(etagOf(atOnce), 'W/"at-once"');
    const monitored = await (await client.function<Record<string, unknown>>("bookById", { id: 1 }).getAsync({ pollInterval: 1 })).wait();
    assert.deepEqual(monitored, { ID: 1, "@odata.etag": 'W/"monitor"' });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["POST /odata/touchBook", "GET /odata/bookById(id=1)", "GET /odata/monitor/1"],
    );
  });
});
