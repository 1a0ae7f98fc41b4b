/**
 * Writes built from what a hostile or odd service sent: a member named `__proto__` (a valid OData
 * identifier, which the readers keep as an own member) reaches the wire in write bodies, action
 * parameters and the CLI's `--param`; an ETag that cannot be a header value is refused with the
 * library's own TypeError naming where it came from, before anything is sent.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { sendJson, sendText, serveClient, startServer, type Handler } from "./servers/recording-server.js";
import { runCli, show } from "./cli-harness.js";

/** Answers a GET with `entityText` (raw JSON text, so that `__proto__` is a member), anything else with 204. */
function readThenNoContent(entityText: string): Handler {
  return (request, res) => {
    if (request.method === "GET") return sendText(res, 200, entityText, { "content-type": "application/json" });
    res.writeHead(204);
    res.end();
  };
}

/** Parses JSON text so that `__proto__` is an own member, as the readers make it. */
const parsed = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe("a member named __proto__ is sent", () => {
  test("replace() of a v4 entity read with a __proto__ member PUTs it, nested values too", async (t) => {
    const { server, client } = await serveClient(t, readThenNoContent('{"@odata.etag":"W/\\"1\\"","ID":1,"__proto__":{"polluted":true},"constructor":"c","name":"x"}'));
    const entity = await client.collection("Items").key(1).get();
    await client.collection("Items").key(1).replace(entity);
    const put = server.requests[1];
    assert.equal(put?.method, "PUT");
    assert.equal(put?.headers["if-match"], 'W/"1"');
    assert.equal(put?.body, '{"ID":1,"__proto__":{"polluted":true},"constructor":"c","name":"x"}');
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  });

  test("update() PATCHes and create() POSTs a __proto__ member, also one nested in a complex value", async (t) => {
    const { server, client } = await serveClient(t, readThenNoContent("{}"));
    await client.collection("Items").key(1).update(parsed('{"__proto__":{"a":1},"address":{"__proto__":{"b":2},"city":"X"}}'));
    await client.collection("Items").create(parsed('{"ID":2,"__proto__":[1]}'), { prefer: "minimal" });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.body]),
      [
        ["PATCH", '{"__proto__":{"a":1},"address":{"__proto__":{"b":2},"city":"X"}}'],
        ["POST", '{"ID":2,"__proto__":[1]}'],
      ],
    );
  });

  test("a v2 update() MERGEs a __proto__ member of an entity read", async (t) => {
    const { server, client } = await serveClient(
      t,
      readThenNoContent('{"d":{"__metadata":{"uri":"Items(1)","etag":"W/\\"1\\""},"ID":1,"__proto__":"p","nested":{"__proto__":"q"},"name":"x"}}'),
      { version: "2.0" },
    );
    const entity = await client.collection("Items").key(1).get();
    await client.collection("Items").key(1).update(entity);
    const merge = server.requests[1];
    assert.equal(merge?.method, "MERGE");
    assert.equal(merge?.body, '{"ID":1,"__proto__":"p","nested":{"__proto__":"q"},"name":"x"}');
  });

  test("action parameters keep __proto__ members, at the top and nested", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: 1 }));
    await client.action("Do").invoke(parsed('{"__proto__":{"a":1},"p":{"__proto__":{"x":1},"y":2}}'));
    assert.equal(server.requests[0]?.body, '{"__proto__":{"a":1},"p":{"__proto__":{"x":1},"y":2}}');
  });

  test("a function's complex parameter alias keeps a __proto__ member", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: 1 }));
    await client.function("F", parsed('{"p":{"__proto__":{"x":1}}}')).get();
    const url = new URL(server.requests[0]?.path ?? "", "http://x/");
    assert.equal(url.searchParams.get("@p"), '{"__proto__":{"x":1}}');
  });

  test("the CLI's call sends --param __proto__:=json as a parameter, and a --key named __proto__", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendText(res, 404, "no");
      sendJson(res, 200, { value: 1 });
    });
    t.after(() => server.close());
    const result = await runCli(["call", server.url("svc/"), "Do", "--param", '__proto__:={"a":1}', "--param", "b=2"]);
    assert.equal(result.code, 0, show(result));
    const keyed = await runCli(["call", server.url("svc/"), "Items/NS.op", "--key", "__proto__=1"]);
    assert.equal(keyed.code, 0, show(keyed));
    const posts = server.requests.filter((r) => r.method === "POST");
    assert.deepEqual(
      posts.map((r) => [r.path, r.body]),
      [
        ["/svc/Do", '{"__proto__":{"a":1},"b":"2"}'],
        ["/svc/Items(__proto__=1)/NS.op", "{}"],
      ],
    );
  });
});

describe("an ETag the entity carries that cannot be a header value", () => {
  const REFUSED = /the ETag the entity carries \(its @odata\.etag or __metadata\.etag\) cannot be sent as If-Match/;

  for (const [what, etag] of [
    ["a line break", 'W/"1"\r\nX-Inj: 1'],
    ["NUL", 'W/"1"\u0000'],
    ["a character beyond U+00FF", 'W/"é€"'],
    ["a control character", 'W/"1\u0001"'],
    ["DEL", 'W/"1\u007f"'],
  ] as const) {
    test(`with ${what}: update({ ...entity }) and delete({ etag: entity }) are TypeErrors that send nothing`, async (t) => {
      const { server, client } = await serveClient(t, readThenNoContent(JSON.stringify({ "@odata.etag": etag, ID: 1 })));
      const entity = await client.collection("Items").key(1).get();
      await assert.rejects(client.collection("Items").key(1).update({ ...entity, x: 1 }), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^update\(patch\): /);
        assert.match(error.message, REFUSED);
        return true;
      });
      await assert.rejects(client.collection("Items").key(1).delete({ etag: entity }), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^delete\(\): /);
        assert.match(error.message, REFUSED);
        return true;
      });
      await assert.rejects(client.collection("Items").key(1).action("NS.op").invoke({}, { etag: entity }), TypeError);
      assert.deepEqual(server.requests.map((r) => r.method), ["GET"]);
    });
  }

  test("an etag or ifMatch option with a control character is refused naming the option, for a write and an action, and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, readThenNoContent("{}"));
    const item = client.collection("Items").key(1);
    await assert.rejects(item.update({ x: 1 }, { etag: 'W/"1\u0001"' }), { name: "TypeError", message: /^update\(patch\): option "etag" must be a non-empty ETag without control characters or characters beyond U\+00FF; got / });
    await assert.rejects(item.delete({ ifMatch: 'W/"1\u001b"' }), { name: "TypeError", message: /^delete\(\): option "ifMatch" must be an ETag or "\*"; got / });
    await assert.rejects(item.action("NS.op").invoke({}, { etag: 'W/"1\u0001"' }), { name: "TypeError", message: /^action\("NS\.op"\)\.invoke\(\): option "etag" must be a non-empty ETag without control characters or characters beyond U\+00FF; got / });
    assert.deepEqual(server.requests, []);
  });

  test("a v2 __metadata.etag with a line break is refused the same way", async (t) => {
    const { server, client } = await serveClient(t, readThenNoContent(JSON.stringify({ d: { __metadata: { uri: "Items(1)", etag: 'W/"1"\nX: 1' }, ID: 1 } })), {
      version: "2.0",
    });
    const entity = await client.collection("Items").key(1).get();
    await assert.rejects(client.collection("Items").key(1).replace(entity), { name: "TypeError", message: REFUSED });
    assert.equal(server.requests.length, 1);
  });

  test("a media ETag with a line break names where a media write looks", async (t) => {
    const { server, client } = await serveClient(t, readThenNoContent("{}"));
    const entity = { ID: 1, "@odata.mediaEtag": 'W/"m"\r\nX: 1' };
    await assert.rejects(client.collection("Items").key(1).media().put("x", { contentType: "text/plain", etag: entity }), {
      name: "TypeError",
      message: /its @odata\.mediaEtag, __metadata\.media_etag or @odata\.etag\) cannot be sent as If-Match/,
    });
    assert.equal(server.requests.length, 0);
  });

  test("the same texts given as the etag or ifMatch option are refused as options, and a good ETag is still sent", async (t) => {
    const { server, client } = await serveClient(t, readThenNoContent("{}"));
    await assert.rejects(client.collection("Items").key(1).delete({ etag: 'W/"é€"' }), { name: "TypeError", message: /option "etag" must be a non-empty ETag/ });
    await assert.rejects(client.collection("Items").key(1).delete({ ifMatch: 'W/"1"\u0000' }), { name: "TypeError", message: /option "ifMatch" must be an ETag/ });
    await client.collection("Items").key(1).delete({ etag: { "@odata.etag": 'W/"é"' } });
    assert.deepEqual(server.requests.map((r) => [r.method, r.headers["if-match"]]), [["DELETE", 'W/"é"']]);
  });
});
