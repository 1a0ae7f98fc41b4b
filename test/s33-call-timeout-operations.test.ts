/**
 * The `timeout` option (RequestOptions) of operation calls, `$batch` and the long-running
 * operations: `invoke()`, a function's `get()` (each next page of a paged result too, which also
 * carry the call's `headers`), `batch.send()`, and the `...Async` starts (`createAsync`,
 * `updateAsync`, `replaceAsync`, `deleteAsync`, `invokeAsync`, `getAsync`, `sendAsync`), whose
 * pollers time each poll and cancel by it (`asyncPoller`, `resumeAsync` take it too); the whole wait
 * is `maxWait`'s. Each in place of the client's timeout; `0` turns the client's off; a value the
 * client's option refuses is refused naming the call, before anything is sent.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ODataClient } from "../src/index.js";
import { BAD_TIMEOUTS, CALL_TIMEOUT, nearCallTimeout, recorded, refusal, service, timedOut, warmUp, type Hold } from "./s33-call-timeout-service.js";

type Call = [name: string, held: string, run: (client: ODataClient, timeout: never) => Promise<unknown>];

const batchOf = (client: ODataClient) => {
  const batch = client.batch();
  batch.get(client.collection("Items").key(1));
  return batch;
};
const items = (client: ODataClient) => client.collection("Items");

/** The calls that answer with a body, the request the service holds for each, how to call it. */
const answering: Call[] = [
  ['action("submitOrder").invoke()', "POST /svc/submitOrder", (c, timeout) => c.action("submitOrder").invoke({ quantity: 2 }, { timeout })],
  ['function("countBooks").get()', "GET /svc/countBooks(minStock=1)", (c, timeout) => c.function("countBooks", { minStock: 1 }).get({ timeout })],
  ["send()", "POST /svc/$batch", (c, timeout) => batchOf(c).send({ timeout })],
];

/** The `...Async` starts: the request sent with `Prefer: respond-async`. */
const starts: Call[] = [
  ["createAsync(body)", "POST /svc/Items", (c, timeout) => items(c).createAsync({ ID: 1 }, { timeout })],
  ["updateAsync(patch)", "PATCH /svc/Items(1)", (c, timeout) => items(c).key(1).updateAsync({ name: "x" }, { timeout })],
  ["replaceAsync(entity)", "PUT /svc/Items(1)", (c, timeout) => items(c).key(1).replaceAsync({ ID: 1 }, { timeout })],
  ["deleteAsync()", "DELETE /svc/Items(1)", (c, timeout) => items(c).key(1).deleteAsync({ timeout })],
  ['action("submitOrder").invokeAsync()', "POST /svc/submitOrder", (c, timeout) => c.action("submitOrder").invokeAsync({ quantity: 2 }, { timeout })],
  ['function("countBooks").getAsync()', "GET /svc/countBooks(minStock=1)", (c, timeout) => c.function("countBooks", { minStock: 1 }).getAsync({ timeout })],
  ["sendAsync()", "POST /svc/$batch", (c, timeout) => batchOf(c).sendAsync({ timeout })],
];

const heldAs = (held: string) => (r: { method: string; path: string }) => `${r.method} ${r.path}` === held;

describe("the timeout option of operations, $batch and long-running operations", () => {
  before(() => warmUp([...answering, ...starts].map(([, , run]) => (client: ODataClient) => run(client, 0 as never))));

  for (const phase of ["no headers", "part of the body"] as Hold[]) {
    test(`invoke(), get() and send() reject TIMEOUT near their own timeout, not the client's, where the ${phase === "no headers" ? "answer's headers stall" : "body stalls"}`, async (t) => {
      const services = await Promise.all(answering.map(([, held]) => service(t, { hold: heldAs(held), phase })));
      const took = await Promise.all(answering.map(([name, , run], i) => timedOut(name, () => run(services[i]!.client, CALL_TIMEOUT as never))));
      nearCallTimeout(took);
      await recorded(services.map((s) => s.held));
      assert.deepEqual(
        services.map((s) => s.held),
        answering.map(([, held]) => [held]),
      );
    });
  }

  test("a function's paged result: its next page has the call's timeout and headers", async (t) => {
    const { client, server, held } = await service(t, { hold: (r) => r.path.includes("skiptoken"), phase: "part of the body" });
    const took = await timedOut("get(), its page 2", () => client.function("listBooks").get({ timeout: CALL_TIMEOUT, headers: { ConsistencyLevel: "eventual" } }));
    nearCallTimeout([took]);
    assert.deepEqual(held, ["GET /svc/listBooks()?$skiptoken=2"]);
    assert.deepEqual(
      server.requests.map((r) => [r.path, r.headers["consistencylevel"]]),
      [
        ["/svc/listBooks()", "eventual"],
        ["/svc/listBooks()?$skiptoken=2", "eventual"],
      ],
    );
  });

  test("every ...Async start rejects TIMEOUT near its own timeout where its answer's headers stall", async (t) => {
    const services = await Promise.all(starts.map(([, held]) => service(t, { hold: heldAs(held), phase: "no headers" })));
    const took = await Promise.all(starts.map(([name, , run], i) => timedOut(name, () => run(services[i]!.client, CALL_TIMEOUT as never))));
    nearCallTimeout(took);
    await recorded(services.map((s) => s.held));
    for (const [i, s] of services.entries()) {
      assert.deepEqual(s.held, [starts[i]![1]]);
      assert.match(String(s.server.requests[0]?.headers["prefer"]), /respond-async/);
    }
  });

  test("a poller's timeout times each poll (a transient answer: still running, no progress read) and its cancel", async (t) => {
    const monitor = (r: { method: string; path: string }) => r.path === "/svc/Jobs(1)/status";
    const started = await service(t, { hold: (r) => r.method === "GET" && monitor(r) });
    const progress: number[] = [];
    const poller = await items(started.client).createAsync({ ID: 1 }, { timeout: CALL_TIMEOUT, onProgress: (_status, percent) => progress.push(percent) });
    const polledAt = performance.now();
    assert.equal(await poller.poll(), true);
    nearCallTimeout([["createAsync() poller poll()", performance.now() - polledAt]]);
    assert.deepEqual(progress, [], "the timed-out poll read no answer");
    await recorded([started.held]);
    assert.deepEqual(started.held, ["GET /svc/Jobs(1)/status"]);

    const named = await service(t, { hold: monitor });
    const tookPoll = performance.now();
    assert.equal(await named.client.asyncPoller("Jobs(1)/status", { timeout: CALL_TIMEOUT }).poll(), true);
    nearCallTimeout([["asyncPoller() poll()", performance.now() - tookPoll]]);
    const resumed = named.client.resumeAsync(named.client.asyncPoller("Jobs(1)/status").toJSON(), { timeout: CALL_TIMEOUT });
    nearCallTimeout([await timedOut("resumeAsync() cancel()", () => resumed.cancel())]);
    await recorded([named.held], 2);
    assert.deepEqual(named.held, ["GET /svc/Jobs(1)/status", "DELETE /svc/Jobs(1)/status"]);
  });

  test("timeout 0 turns the client's timeout off for those calls and their polls: answers later than the client's timeout are read", async (t) => {
    const { client, server } = await service(t, { late: 500, timeout: 100 });
    const [invoked, got, results] = await Promise.all(answering.map(([, , run]) => run(client, 0 as never)));
    assert.equal(invoked, 3);
    assert.equal(got, 5);
    assert.deepEqual((results as { value: unknown }[]).map((r) => r.value), [{ ID: 1 }]);
    const pollers = (await Promise.all(starts.map(([, , run]) => run(client, 0 as never)))) as { statusUrl: string; poll(): Promise<boolean>; percentComplete(): number }[];
    for (const poller of pollers) assert.equal(poller.statusUrl, server.url("svc/Jobs(1)/status"));
    const polled = await Promise.all(pollers.slice(0, 6).map(async (poller) => [await poller.poll(), poller.percentComplete()]));
    assert.deepEqual(polled, Array.from({ length: 6 }, () => [true, 40]), "each poll read the late answer");
    await client.asyncPoller("Jobs(1)/status", { timeout: 0 }).cancel();
    // The client's own still holds for a call that gives none.
    await timedOut("invoke() without timeout", () => client.action("submitOrder").invoke({ quantity: 2 }), "100 ms");
  });

  test("a timeout the client's option refuses is refused by every call, in the same words naming the call, before anything is sent", async (t) => {
    const { client, server } = await service(t, {});
    const token = client.asyncPoller("Jobs(1)/status").toJSON();
    const made: Array<[string, (timeout: never) => unknown]> = [
      ["asyncPoller(statusUrl)", (timeout) => client.asyncPoller("Jobs(1)/status", { timeout })],
      ["resumeAsync(token)", (timeout) => client.resumeAsync(token, { timeout })],
      ["resumeAsync(token)", (timeout) => batchOf(client).resumeAsync(token, { timeout })],
    ];
    for (const timeout of BAD_TIMEOUTS) {
      const said = refusal(timeout);
      for (const [name, , run] of [...answering, ...starts]) {
        await assert.rejects(run(client, timeout as never), (error: unknown) => {
          assert.ok(error instanceof RangeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${name}: option ${said}`);
          return true;
        });
      }
      for (const [name, make] of made) {
        assert.throws(() => make(timeout as never), (error: unknown) => {
          assert.ok(error instanceof RangeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${name}: option ${said}`);
          return true;
        });
      }
      await assert.rejects(batchOf(client).send({ continuation: { timeout: timeout as never } }), (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.equal(error.message, `the batch's continuation: option ${said}`);
        return true;
      });
    }
    assert.deepEqual(server.requests, [], "nothing was sent");
  });
});
