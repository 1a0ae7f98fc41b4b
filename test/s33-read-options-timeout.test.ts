/**
 * The `timeout` option of one call (RequestOptions): the client's `timeout` for that call's
 * requests alone, each page of a walk timed on its own, the headers and the body alike; `0` turns
 * it off for the call, as it does for the client; checked as the client's option is, in the same
 * words naming the call. Against node:http servers on 127.0.0.1 that hold a request.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

import { CALL_TIMEOUT, CLIENT_TIMEOUT, SLACK } from "./s33-call-timeout-service.js";

/**
 * A service under /svc/ whose `Items` has two pages (the second at `?$skiptoken=2`), `Items(1)` and
 * `Items/$count`. A request whose path holds `hold` is held: no answer (`"headers"`), or the
 * headers and the start of the body and then nothing (`"body"`), until the connection closes.
 */
async function holdingService(t: TestContextLike, hold: string, phase: "headers" | "body" = "headers"): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const body = request.path.endsWith("/$count")
      ? "2"
      : request.path.endsWith("Items(1)")
        ? JSON.stringify({ ID: 1 })
        : JSON.stringify({ value: [{ ID: request.path.includes("skiptoken") ? 2 : 1 }], ...(request.path.includes("skiptoken") ? {} : { "@odata.nextLink": "Items?$skiptoken=2" }) });
    const type = request.path.endsWith("/$count") ? "text/plain" : "application/json";
    if (!request.path.includes(hold)) return type === "text/plain" ? sendText(res, 200, body) : sendJson(res, 200, JSON.parse(body));
    if (phase === "body") {
      res.writeHead(200, { "content-type": type, "content-length": Buffer.byteLength(body) + 10 });
      res.write(body.slice(0, 1));
    }
    // Held until the client closes the connection (or the server is closed after the test).
  });
  t.after(() => server.close());
  return server;
}

/** Runs `call`, expecting a TIMEOUT; resolves with the ms it took. */
async function timedOut(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await assert.rejects(call(), (error: unknown) => {
    assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", String(error));
    return true;
  });
  return performance.now() - started;
}

const list = async (iterator: AsyncIterable<unknown>) => {
  for await (const _ of iterator);
};

describe("the timeout option of a read", () => {
  for (const phase of ["headers", "body"] as const) {
    test(`every read rejects TIMEOUT near its own timeout, not the client's, where the ${phase === "headers" ? "answer's headers" : "body"} stall; each page of a walk is timed`, async (t) => {
      const entity = await holdingService(t, "Items(1)", phase);
      const count = await holdingService(t, "$count", phase);
      const first = await holdingService(t, "$top=1", phase);
      const firstPage = await holdingService(t, "/svc/Items", phase);
      const secondPage = await holdingService(t, "skiptoken", phase);
      const items = (server: RecordingServer) => new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout: CLIENT_TIMEOUT }).collection("Items");
      const timeout = CALL_TIMEOUT;
      const took: Array<[string, number]> = await Promise.all([
        timedOut(() => items(entity).key(1).get({ timeout })).then((ms) => ["get()", ms] as [string, number]),
        timedOut(() => items(count).countAll({ timeout })).then((ms) => ["countAll()", ms] as [string, number]),
        timedOut(() => items(first).first({ timeout })).then((ms) => ["first()", ms] as [string, number]),
        timedOut(() => items(firstPage).page({ timeout })).then((ms) => ["page()", ms] as [string, number]),
        // The first page answers at once; the second is held: its own request has the call's timeout.
        timedOut(() => list(items(secondPage).pages({ timeout }))).then((ms) => ["pages()", ms] as [string, number]),
        timedOut(() => list(items(secondPage).stream({ timeout, readAhead: 0 }))).then((ms) => ["stream()", ms] as [string, number]),
        timedOut(() => items(secondPage).list({ timeout })).then((ms) => ["list()", ms] as [string, number]),
      ]);
      for (const [call, ms] of took) {
        assert.ok(ms >= CALL_TIMEOUT - 20 && ms < CALL_TIMEOUT + SLACK, `${call} took ${Math.round(ms)} ms`);
      }
      // Three walks at once: each read the first page and asked for the second.
      assert.deepEqual(
        secondPage.requests.map((r) => r.path).sort(),
        ["/svc/Items", "/svc/Items", "/svc/Items", "/svc/Items?$skiptoken=2", "/svc/Items?$skiptoken=2", "/svc/Items?$skiptoken=2"],
      );
    });
  }

  test("delta() takes the call's timeout for its pages too", async (t) => {
    const server = await holdingService(t, "delta");
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout: CLIENT_TIMEOUT });
    const ms = await timedOut(() => list(client.delta(server.url("svc/Items?$deltatoken=delta"), { timeout: CALL_TIMEOUT })));
    assert.ok(ms < CALL_TIMEOUT + SLACK, `took ${Math.round(ms)} ms`);
  });

  test("timeout 0 turns the client's timeout off for that call: a read answered later than the client's timeout resolves", async (t) => {
    const late = 600;
    const server = await startServer(async (request, res) => {
      await sleep(late);
      if (request.path.endsWith("/$count")) return sendText(res, 200, "1");
      return request.path.endsWith("Items(1)") ? sendJson(res, 200, { ID: 1 }) : sendJson(res, 200, { value: [{ ID: 1 }] });
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout: 100 });
    const items = client.collection("Items");
    assert.deepEqual(
      await Promise.all([items.key(1).get({ timeout: 0 }), items.countAll({ timeout: 0 }), items.first({ timeout: 0 }), items.list({ timeout: 0 })]),
      [{ ID: 1 }, 1, { ID: 1 }, [{ ID: 1 }]],
    );
    // The client's own still holds for a call that gives none.
    await timedOut(() => items.key(1).get());
  });

  test("a timeout the client's option refuses is refused by every read, in the same words naming the read, before anything is sent", async (t) => {
    const server = await holdingService(t, "nothing");
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const items = client.collection("Items");
    const reads: Array<[string, (timeout: never) => Promise<unknown>]> = [
      ["get()", (timeout) => items.key(1).get({ timeout })],
      ["first()", (timeout) => items.first({ timeout })],
      ["countAll()", (timeout) => items.countAll({ timeout })],
      ["page()", (timeout) => items.page({ timeout })],
      ["pages()", (timeout) => items.pages({ timeout }).next()],
      ["stream()", (timeout) => items.stream({ timeout }).next()],
      ["list()", (timeout) => items.list({ timeout })],
      ["delta(link)", (timeout) => client.delta(server.url("svc/Items?$deltatoken=1"), { timeout }).next()],
    ];
    for (const timeout of [-1, Number.NaN, Infinity, 2 ** 31, "100", null]) {
      let said: string | undefined;
      assert.throws(
        () => new ODataClient({ serviceUrl: server.url("svc/"), timeout: timeout as never }),
        (error: unknown) => {
          assert.ok(error instanceof RangeError);
          said = error.message.replace(/^ODataClient option /, "");
          return said !== error.message;
        },
      );
      for (const [name, read] of reads) {
        await assert.rejects(read(timeout as never), (error: unknown) => {
          assert.ok(error instanceof RangeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${name}: option ${said}`);
          return true;
        });
      }
    }
    assert.deepEqual(server.requests, [], "nothing was sent");
  });
});
