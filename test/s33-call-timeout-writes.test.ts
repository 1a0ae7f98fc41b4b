/**
 * The `timeout` option (RequestOptions) of the writes: create, update, replace, upsert, delete,
 * link, setLink, unlink, createMedia, and a media resource's bytes(), text(), stream() and put().
 * Each times its request by the call's timeout in place of the client's (the headers, and the body
 * where the write reads one); `0` turns the client's off for that call; a value the client's option
 * refuses is refused, in the same words, naming the call, before anything is sent.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ODataClient } from "../src/index.js";
import { BAD_TIMEOUTS, CALL_TIMEOUT, nearCallTimeout, recorded, refusal, service, timedOut, warmUp, type Hold } from "./s33-call-timeout-service.js";

type Write = [name: string, held: string, run: (client: ODataClient, timeout: never) => Promise<unknown>];

const items = (client: ODataClient) => client.collection("Items");
const photo = (client: ODataClient) => client.collection("Photos").key(1).media();

/** Each write, the request the service holds for it (`METHOD path`), and how to call it with a timeout. */
const writes: Write[] = [
  ["create(entity)", "POST /svc/Items", (c, timeout) => items(c).create({ ID: 1 }, { timeout })],
  ["update(patch)", "PATCH /svc/Items(1)", (c, timeout) => items(c).key(1).update({ name: "x" }, { timeout, prefer: "representation" })],
  ["replace(entity)", "PUT /svc/Items(1)", (c, timeout) => items(c).key(1).replace({ ID: 1, name: "x" }, { timeout })],
  ["upsert(entity)", "PATCH /svc/Items(9)", (c, timeout) => items(c).key(9).upsert({ name: "x" }, { timeout })],
  ["delete()", "DELETE /svc/Items(1)", (c, timeout) => items(c).key(1).delete({ timeout })],
  ["link(navigation, target)", "POST /svc/Items(1)/reviews/$ref", (c, timeout) => items(c).key(1).link("reviews", c.collection("Reviews").key(5), { timeout })],
  ["setLink(navigation, target)", "PUT /svc/Items(1)/author/$ref", (c, timeout) => items(c).key(1).setLink("author", c.collection("Authors").key(5), { timeout })],
  ["unlink(navigation)", "DELETE /svc/Items(1)/author/$ref", (c, timeout) => items(c).key(1).unlink("author", undefined, { timeout })],
  ["createMedia(content)", "POST /svc/Photos", (c, timeout) => c.collection("Photos").createMedia("PNG", { contentType: "image/png", timeout })],
  ["media().put(content)", "PUT /svc/Photos(1)/$value", (c, timeout) => photo(c).put("PNG", { contentType: "image/png", etag: false, timeout })],
  ["media().bytes()", "GET /svc/Photos(1)/$value", (c, timeout) => photo(c).bytes({ timeout })],
  ["media().text()", "GET /svc/Photos(1)/$value", (c, timeout) => photo(c).text({ timeout })],
  ["media().stream()", "GET /svc/Photos(1)/$value", (c, timeout) => photo(c).stream({ timeout })],
];

/** Those whose answer's body is read: a stall in it is timed too (stream()'s is its reader's). */
const readingBody = new Set(["create(entity)", "update(patch)", "replace(entity)", "upsert(entity)", "createMedia(content)", "media().bytes()", "media().text()"]);

describe("the timeout option of a write", () => {
  before(() => warmUp(writes.map(([, , run]) => (client: ODataClient) => run(client, 0 as never))));

  for (const phase of ["no headers", "part of the body"] as Hold[]) {
    test(`every write rejects TIMEOUT near its own timeout, not the client's, where the ${phase === "no headers" ? "answer's headers stall" : "body stalls"}`, async (t) => {
      const cases = writes.filter(([name]) => phase === "no headers" || readingBody.has(name));
      const services = await Promise.all(cases.map(([, held]) => service(t, { hold: (r) => `${r.method} ${r.path}` === held, phase })));
      const took = await Promise.all(cases.map(([name, , run], i) => timedOut(name, () => run(services[i]!.client, CALL_TIMEOUT as never))));
      nearCallTimeout(took);
      await recorded(services.map((s) => s.held));
      assert.deepEqual(
        services.map((s) => s.held),
        cases.map(([, held]) => [held]),
        "each write's request was sent once, and held",
      );
    });
  }

  test("media().stream(): the call's timeout goes on timing the body the caller reads", async (t) => {
    const { client } = await service(t, { hold: (r) => r.path === "/svc/Photos(1)/$value", phase: "part of the body" });
    const [, ms] = await timedOut("media().stream() read", async () => {
      const { body } = await photo(client).stream({ timeout: CALL_TIMEOUT });
      for await (const _ of body);
    });
    nearCallTimeout([["media().stream() read", ms]]);
  });

  test("timeout 0 turns the client's timeout off for that write: one answered later than the client's timeout resolves", async (t) => {
    const { client, server } = await service(t, { late: 500, timeout: 100 });
    const results = await Promise.all(writes.map(([, , run]) => run(client, 0 as never)));
    assert.deepEqual(results.slice(0, 3), [{ ID: 1 }, { ID: 1, name: "x" }, { ID: 1, name: "x" }]);
    assert.deepEqual(results.slice(4, 8), [undefined, undefined, undefined, undefined]);
    assert.deepEqual(results.slice(9, 12), [{ etag: 'W/"2"' }, new Uint8Array(Buffer.from("PNG-bytes")), "PNG-bytes"]);
    assert.equal(server.requests.length, writes.length);
    // The client's own still holds for a write that gives none.
    await timedOut("create(entity) without timeout", () => items(client).create({ ID: 1 }), "100 ms");
  });

  test("a timeout the client's option refuses is refused by every write, in the same words naming the write, before anything is sent", async (t) => {
    const { client, server } = await service(t, {});
    for (const timeout of BAD_TIMEOUTS) {
      const said = refusal(timeout);
      for (const [name, , run] of writes) {
        await assert.rejects(run(client, timeout as never), (error: unknown) => {
          assert.ok(error instanceof RangeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${name}: option ${said}`);
          return true;
        });
      }
    }
    assert.deepEqual(server.requests, [], "nothing was sent");
  });
});
