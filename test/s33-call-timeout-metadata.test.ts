/**
 * The `timeout` option (RequestOptions) of `metadata()` and `partitions(n)`. `metadata()` shares
 * one `$metadata` request among the callers that wait for it: a call's timeout is a deadline of
 * that call's own wait (as its signal ends that wait alone), and `0` waits for a request that the
 * client's timeout does not end (test/metadata-timeout-shared.test.ts); the request is aborted
 * when the last caller gives up. `partitions(n)` times
 * each count and probe by it, and its wait for `$metadata` as `metadata()` does.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClientError, parseMetadata } from "../src/index.js";
import { ITEMS_METADATA, waitFor } from "./servers/recording-server.js";
import { BAD_TIMEOUTS, CALL_TIMEOUT, nearCallTimeout, recorded, refusal, service, timedOut, warmUp, type Hold } from "./s33-call-timeout-service.js";

describe("the timeout option of metadata() and partitions(n)", () => {
  // The modules metadata() and partitions(n) load on first use, loaded before the tables time
  // their call timeout (a cold load on a busy machine can outlast it, and the probe never leaves).
  before(() => warmUp([(client) => client.metadata(), (client) => client.collection("Items").partitions(2, { model: parseMetadata(ITEMS_METADATA) })]));
  for (const phase of ["no headers", "part of the body"] as Hold[]) {
    test(`metadata() and partitions(n) reject TIMEOUT near their own timeout where the ${phase === "no headers" ? "answer's headers stall" : "body stalls"}`, async (t) => {
      const metadata = await service(t, { hold: (r) => r.path === "/svc/$metadata", phase });
      const count = await service(t, { hold: (r) => r.path === "/svc/Items/$count", phase });
      const probe = await service(t, { hold: (r) => r.path.includes("$skip=5"), phase });
      const model = parseMetadata(ITEMS_METADATA);
      const took = await Promise.all([
        timedOut("metadata()", () => metadata.client.metadata({ timeout: CALL_TIMEOUT })),
        timedOut("partitions(n), its $metadata", () => metadata.client.collection("Items").partitions(2, { timeout: CALL_TIMEOUT })),
        timedOut("partitions(n), its count", () => count.client.collection("Items").partitions(2, { model, timeout: CALL_TIMEOUT })),
        timedOut("partitions(n), its probe", () => probe.client.collection("Items").partitions(2, { model, timeout: CALL_TIMEOUT })),
      ]);
      nearCallTimeout(took);
      // metadata() and partitions() shared one $metadata request, aborted once both had given up.
      await recorded([metadata.held, count.held, probe.held]);
      assert.deepEqual(metadata.held, ["GET /svc/$metadata"]);
      assert.deepEqual(count.held, ["GET /svc/Items/$count"]);
      assert.deepEqual(probe.held, ["GET /svc/Items?$select=ID&$orderby=ID&$skip=5&$top=1"]);
    });
  }

  test("metadata(): a call's timeout ends its own wait; another caller's goes on and gets the model from the same request", async (t) => {
    const { client, server } = await service(t, { late: CALL_TIMEOUT + 500 });
    const patient = client.metadata();
    const [, ms] = await timedOut("metadata()", () => client.metadata({ timeout: CALL_TIMEOUT }));
    nearCallTimeout([["metadata()", ms]]);
    const model = await patient;
    assert.ok(model.entitySet("Items"));
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/$metadata"]);
  });

  test("metadata(): the deadline's TIMEOUT names the call and the request, and aborts the request it alone waited for", async (t) => {
    const { client, held } = await service(t, { hold: (r) => r.path === "/svc/$metadata" });
    await assert.rejects(client.metadata({ timeout: CALL_TIMEOUT }), (error: unknown) => {
      assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT");
      assert.match(error.message, new RegExp(String.raw`^metadata\(\): GET http:\/\/127\.0\.0\.1:\d+\/svc\/\$metadata gave no service model within ${CALL_TIMEOUT} ms \(option "timeout"\)$`));
      return true;
    });
    await recorded([held]);
    assert.deepEqual(held, ["GET /svc/$metadata"]);
    // Aborted: the next call sends a new request (the cache forgets a request that failed).
    await assert.rejects(client.metadata({ timeout: CALL_TIMEOUT }), (error: unknown) => error instanceof ODataClientError && error.code === "TIMEOUT");
    await waitFor(() => held.length === 2, "the second $metadata request");
  });

  test("timeout 0: partitions(n)'s counts and probes and metadata()'s $metadata answered later than the client's timeout are read", async (t) => {
    const { client, server } = await service(t, { late: 500, timeout: 100 });
    const plan = await client.collection("Items").partitions(2, { model: parseMetadata(ITEMS_METADATA), timeout: 0 });
    assert.equal(plan.length, 2);
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Items/$count", "/svc/Items?$select=ID&$orderby=ID&$skip=5&$top=1"]);
    assert.ok((await client.metadata({ timeout: 0 })).entitySet("Items"));
    assert.equal(server.requests.at(-1)?.path, "/svc/$metadata");
  });

  test("a timeout the client's option refuses is refused by metadata() and partitions(n), naming the call, before anything is sent", async (t) => {
    const { client, server } = await service(t, {});
    for (const timeout of BAD_TIMEOUTS) {
      const said = refusal(timeout);
      for (const [name, run] of [
        ["metadata()", () => client.metadata({ timeout: timeout as never })],
        ["partitions(n)", () => client.collection("Items").partitions(2, { timeout: timeout as never })],
      ] as const) {
        await assert.rejects(run(), (error: unknown) => {
          assert.ok(error instanceof RangeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${name}: option ${said}`);
          return true;
        });
      }
    }
    await sleep(20);
    assert.deepEqual(server.requests, [], "nothing was sent");
  });
});
