/**
 * A write's own `If-Match` header and its options `etag` and `ifMatch` go together as a `Prefer`
 * header and option `prefer` do (write-prefer-joins-headers.test.ts): a header that says the same
 * as the option is sent once, the header alone (or beside the ETag the body carries, which no
 * option gave) is sent as given, and a header that differs from the option's value is refused
 * with a `TypeError` naming both and the call, before anything is sent. Before, the header won
 * without a word, and the write went out under another condition than the option named. The same
 * holds for each write that takes both: update, replace, delete, their `...Async` twins, a media
 * write, an action's `invoke()` and a `$batch` part.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { serveClient, sendJson, type RecordedRequest } from "./servers/recording-server.js";
import type { ServerResponse } from "node:http";

/** Answers 204 to everything, as a service that applied the write does. */
function noContent(_request: RecordedRequest, res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

const READ = { ID: 1, name: "x", "@odata.etag": 'W/"1"' };

test('update(patch, { headers: { "If-Match" }, etag }) with two values is refused naming both and the call, whatever the case of the header name; nothing is sent', async (t) => {
  const { server, client } = await serveClient(t, noContent);
  const item = client.collection("Items").key(1);
  for (const name of ["If-Match", "if-match", "IF-MATCH"]) {
    await assert.rejects(item.update({ name: "y" }, { headers: { [name]: 'W/"1"' }, etag: 'W/"2"' }), {
      name: "TypeError",
      message: 'update(patch): option "etag" asks for If-Match: W/"2" and option "headers" has If-Match: W/"1"; give one of them',
    });
  }
  await assert.rejects(item.update({ name: "y" }, { headers: { "If-Match": "*" }, ifMatch: 'W/"2"' }), {
    name: "TypeError",
    message: 'update(patch): option "ifMatch" asks for If-Match: W/"2" and option "headers" has If-Match: *; give one of them',
  });
  // The ETag of an entity given as option "etag" is the option's too.
  await assert.rejects(item.replace({ name: "y" }, { headers: { "If-Match": "*" }, etag: READ }), {
    name: "TypeError",
    message: 'replace(entity): option "etag" asks for If-Match: W/"1" and option "headers" has If-Match: *; give one of them',
  });
  await assert.rejects(item.delete({ headers: { "if-match": 'W/"9"' }, etag: 'W/"1"' }), {
    name: "TypeError",
    message: 'delete(): option "etag" asks for If-Match: W/"1" and option "headers" has If-Match: W/"9"; give one of them',
  });
  await assert.rejects(item.deleteAsync({ headers: { "if-match": 'W/"9"' }, ifMatch: "*" }), {
    name: "TypeError",
    message: 'deleteAsync(): option "ifMatch" asks for If-Match: * and option "headers" has If-Match: W/"9"; give one of them',
  });
  assert.equal(server.requests.length, 0);
});

test("a header that says what the option says is sent once with it; the header alone, and beside the ETag the body carries, is sent as given", async (t) => {
  const { server, client } = await serveClient(t, noContent);
  const item = client.collection("Items").key(1);
  await item.update({ name: "y" }, { headers: { "IF-MATCH": 'W/"2"' }, etag: 'W/"2"' });
  await item.update({ name: "y" }, { headers: { "If-Match": "*" } });
  // No option gave the body's ETag: the call's header is the condition it means.
  await item.update({ ...READ, name: "y" }, { headers: { "If-Match": "*" } });
  // etag: false gives none, so nothing contradicts the header.
  await item.delete({ headers: { "If-Match": 'W/"3"' }, etag: false });
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.headers["if-match"]]),
    [
      ["PATCH", 'W/"2"'],
      ["PATCH", "*"],
      ["PATCH", "*"],
      ["DELETE", 'W/"3"'],
    ],
  );
});

test("media().put() and an action's invoke() refuse a header that differs from etag or ifMatch, and send one that agrees", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => (request.method === "POST" ? sendJson(res, 200, { value: 1 }) : noContent(request, res)));
  const photo = client.collection("Photos").key(1);
  await assert.rejects(photo.media().put("png", { contentType: "image/png", headers: { "If-Match": 'W/"1"' }, etag: 'W/"2"' }), {
    name: "TypeError",
    message: 'media().put(content): option "etag" asks for If-Match: W/"2" and option "headers" has If-Match: W/"1"; give one of them',
  });
  const order = photo.action("Service.order");
  await assert.rejects(order.invoke({}, { headers: { "if-match": 'W/"1"' }, ifMatch: "*" }), {
    name: "TypeError",
    message: 'action("Service.order").invoke(): option "ifMatch" asks for If-Match: * and option "headers" has If-Match: W/"1"; give one of them',
  });
  await assert.rejects(order.invokeAsync({}, { headers: { "if-match": 'W/"5"' }, etag: READ }), {
    name: "TypeError",
    message: 'action("Service.order").invokeAsync(): option "etag" asks for If-Match: W/"1" and option "headers" has If-Match: W/"5"; give one of them',
  });
  assert.equal(server.requests.length, 0);
  await photo.media().put("png", { contentType: "image/png", headers: { "If-Match": 'W/"2"' }, etag: 'W/"2"' });
  await order.invoke({}, { headers: { "If-Match": "*" }, ifMatch: "*" });
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.headers["if-match"]]),
    [
      ["PUT", 'W/"2"'],
      ["POST", "*"],
    ],
  );
});

test("a $batch update part with a header that differs from its etag is refused when the batch is sent, before anything is sent", async (t) => {
  const { server, client } = await serveClient(t, noContent);
  const batch = client.batch();
  batch.update(client.collection("Items").key(1), { name: "y" }, { headers: { "If-Match": 'W/"1"' }, etag: 'W/"2"' });
  await assert.rejects(batch.send(), {
    name: "TypeError",
    message: 'update(patch): option "etag" asks for If-Match: W/"2" and option "headers" has If-Match: W/"1"; give one of them',
  });
  assert.equal(server.requests.length, 0);
});
