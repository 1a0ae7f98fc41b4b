/**
 * An option a write method does not take, as a JavaScript caller may pass one (a typo, or an option
 * of another method: `create(entity, { etag })`), is refused with a TypeError that names the option
 * and the method and lists what the method takes, before anything is sent; the typed surface
 * cannot pass one. For every write (create, createMedia, update, replace, upsert, delete, link,
 * setLink, unlink), the ...Async writes and an action's invoke() and invokeAsync(). An unknown
 * member given as `undefined` gives nothing and is let through, as a known one is; every option a
 * method takes still goes through. Against a node:http service on 127.0.0.1.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

/** A call a JavaScript caller makes, with an option the method does not take. */
type Refused = [method: string, option: string, call: (client: ODataClient) => Promise<unknown>, takes: string[]];

const CONDITIONS = ["etag", "ifMatch"];
const POLLER = ["pollInterval", "maxWait", "onProgress"];

const refused: Refused[] = [
  ["create(entity)", "etag", (c) => c.collection("Books").create({ ID: 1 }, { etag: 'W/"1"' } as never), ["deep", "prefer", "headers", "tunnel", "signal", "timeout"]],
  ["createMedia(content)", "etag", (c) => c.collection("Photos").createMedia("png", { contentType: "image/png", etag: 'W/"1"' } as never), ["contentType", "slug", "prefer", "headers"]],
  ["update(patch)", "replace", (c) => c.collection("Books").key(1).update({ title: "t" }, { replace: true } as never), [...CONDITIONS, "deep", "prefer", "headers", "tunnel"]],
  ["replace(entity)", "ifNoneMatch", (c) => c.collection("Books").key(1).replace({ ID: 1 }, { ifNoneMatch: "*" } as never), [...CONDITIONS, "deep", "prefer"]],
  ["upsert(entity)", "etag", (c) => c.collection("Books").key(1).upsert({ ID: 1 }, { etag: 'W/"1"' } as never), ["replace", "ifNoneMatch", "deep", "prefer"]],
  ["delete()", "prefer", (c) => c.collection("Books").key(1).delete({ prefer: "minimal" } as never), [...CONDITIONS, "headers", "tunnel"]],
  ["link(navigation, target)", "etag", (c) => c.collection("Books").key(1).link("reviews", c.collection("Reviews").key(5), { etag: "*" } as never), ["headers", "tunnel"]],
  ["setLink(navigation, target)", "deep", (c) => c.collection("Books").key(1).setLink("author", c.collection("Authors").key(2), { deep: true } as never), ["headers", "tunnel"]],
  ["unlink(navigation)", "ifMatch", (c) => c.collection("Books").key(1).unlink("author", undefined, { ifMatch: "*" } as never), ["headers", "tunnel"]],
  ["createAsync(body)", "tunnel", (c) => c.collection("Jobs").createAsync({ format: "csv" }, { tunnel: true } as never), [...POLLER, "deep", "headers"]],
  ["updateAsync(patch)", "prefer", (c) => c.collection("Books").key(1).updateAsync({ title: "t" }, { prefer: "minimal" } as never), [...POLLER, ...CONDITIONS, "deep", "headers"]],
  ["replaceAsync(entity)", "tunnel", (c) => c.collection("Books").key(1).replaceAsync({ ID: 1 }, { tunnel: true } as never), [...POLLER, ...CONDITIONS, "deep", "headers"]],
  ["deleteAsync()", "deep", (c) => c.collection("Books").key(1).deleteAsync({ deep: true } as never), [...POLLER, ...CONDITIONS, "headers"]],
  ['action("submitOrder").invoke()', "pollInterval", (c) => c.action("submitOrder").invoke({ quantity: 1 }, { pollInterval: 10 } as never), [...CONDITIONS, "headers", "signal", "timeout"]],
  ['action("submitOrder").invokeAsync()', "tunnel", (c) => c.action("submitOrder").invokeAsync({ quantity: 1 }, { tunnel: true } as never), [...POLLER, ...CONDITIONS, "headers"]],
];

describe("a write given an option it does not take", () => {
  for (const [method, option, call, takes] of refused) {
    test(`${method} refuses option "${option}" naming it and the method, listing what it takes; nothing is sent`, async (t) => {
      const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, {}));
      const error = await call(client).then(
        (value) => assert.fail(`resolved with ${JSON.stringify(value)}`),
        (failure: unknown) => failure,
      );
      assert.ok(error instanceof TypeError, `not a TypeError: ${String(error)}`);
      const head = `${method} has no option "${option}"; it takes `;
      assert.ok(error.message.startsWith(head), error.message);
      const listed = error.message.slice(head.length).split(", ");
      for (const name of takes) assert.ok(listed.includes(name), `"${name}" is listed: ${error.message}`);
      assert.ok(!listed.includes(option), error.message);
      assert.deepEqual(server.requests, []);
    });
  }

  test("an option written in another case is refused with the name it meant", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, {}));
    await assert.rejects(
      client.collection("Books").key(1).update({ title: "t" }, { ifmatch: "*" } as never),
      (error: unknown) => error instanceof TypeError && error.message.startsWith('update(patch) has no option "ifmatch" (did you mean "ifMatch"?); it takes '),
    );
    assert.deepEqual(server.requests, []);
  });

  test("an unknown option given as undefined gives nothing: the write is sent as without it", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 201, { ID: 1 }));
    assert.deepEqual(await client.collection("Books").create({ ID: 1 }, { etag: undefined } as never), { ID: 1 });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["if-match"]]),
      [["POST", "/odata/Books", undefined]],
    );
  });
});

describe("a write given every option it takes", () => {
  test("create(), update(), delete() and invoke() send with all of theirs", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => (request.method === "DELETE" ? void res.writeHead(204).end() : sendJson(res, 200, { ID: 1 })));
    const signal = new AbortController().signal;
    const common = { signal, timeout: 5_000, onResponse: () => undefined, headers: { "x-call": "1" }, tunnel: false };
    await client.collection("Books").create({ ID: 1 }, { ...common, deep: false, prefer: "representation" });
    await client.collection("Books").key(1).update({ title: "t" }, { ...common, etag: 'W/"1"', ifMatch: "*", deep: false, prefer: "minimal" });
    await client.collection("Books").key(1).delete({ ...common, etag: 'W/"1"', ifMatch: "*" });
    await client.action("submitOrder").invoke({ quantity: 1 }, { signal, timeout: 5_000, onResponse: () => undefined, etag: 'W/"1"', ifMatch: "*", headers: { "x-call": "1" } });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["x-call"], r.headers["if-match"]]),
      [
        ["POST", "/odata/Books", "1", undefined],
        ["PATCH", "/odata/Books(1)", "1", "*"],
        ["DELETE", "/odata/Books(1)", "1", "*"],
        ["POST", "/odata/submitOrder", "1", "*"],
      ],
    );
  });
});
