/**
 * A write answered 201 or 200 whose body breaks off while it is read (the connection lost after
 * the headers): the rejection keeps the code `NETWORK_ERROR` and says that the service answered a
 * success, so the write was applied (and where the entity is, where the answer says), as an
 * unreadable successful answer says. Against a node:http service that drops the connection midway.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { serveClient } from "./servers/recording-server.js";

test("a create answered 201 whose body breaks off rejects with NETWORK_ERROR saying the service applied the write, with its Location; it is sent once", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => {
    res.writeHead(201, { "content-type": "application/json", "content-length": "200", location: `${root}Books(7)` });
    res.write('{"ID":7,"title":"');
    setTimeout(() => res.destroy(), 20);
  });
  const error = await client.collection("Books").create({ ID: 7, title: "t" }).then(
    () => assert.fail("the create resolved"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "NETWORK_ERROR");
  assert.match(error.message, /^POST http:\/\/127\.0\.0\.1:\d+\/odata\/Books was answered 201 Created, so the service applied the write, but its answer broke off while it was read: .+\. Location: http:\/\/127\.0\.0\.1:\d+\/odata\/Books\(7\)$/);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["POST /odata/Books"]);
});

test("an update answered 200 whose body breaks off says so too, keeping NETWORK_ERROR; with no Location the message ends with the reason", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "200" });
    res.write('{"ID":1,');
    setTimeout(() => res.destroy(), 20);
  });
  const error = await client.collection("Books").key(1).update({ title: "u" }, { prefer: "representation" }).then(
    () => assert.fail("the update resolved"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "NETWORK_ERROR");
  assert.match(error.message, /^PATCH http:\/\/127\.0\.0\.1:\d+\/odata\/Books\(1\) was answered 200 OK, so the service applied the write, but its answer broke off while it was read: /);
  assert.doesNotMatch(error.message, /reading the answer of/);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"] ?? "-"}`), ["PATCH /odata/Books(1) return=representation"]);
});
