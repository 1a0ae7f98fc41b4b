/**
 * A cancel() whose DELETE is still on the wire when a poll reaches the outcome: the outcome is
 * known then (wait() and poll() have reported it, result() gives it) and no longer changes. The
 * DELETE's late 200/204 made the poller cancelled after all, so that result() threw
 * `ASYNC_OPERATION_CANCELLED` for an operation whose result wait() had already resolved with.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

for (const [outcome, body] of [
  ["succeeded", { status: "Succeeded", value: 1 }],
  ["failed", { status: "Failed", error: { code: "E1", message: "it broke" } }],
] as const) {
  test(`a cancel() answered 204 after a poll found the operation ${outcome} leaves that outcome`, async (t) => {
    let answerDelete: (() => void) | undefined;
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "DELETE") {
        answerDelete = () => {
          res.writeHead(204);
          res.end();
        };
      } else sendJson(res, 200, body);
    });
    const poller = client.asyncPoller<typeof body>("monitor/1", { pollInterval: 1, maxWait: 10_000 });
    const cancelled = poller.cancel();
    // The DELETE is on the wire; the poll reads the outcome meanwhile.
    while (answerDelete === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    const polled = poller.poll();
    if (outcome === "succeeded") assert.equal(await polled, false);
    else await assert.rejects(polled, { code: "ASYNC_OPERATION_FAILED" });
    answerDelete();
    await cancelled;
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path}`),
      ["DELETE /odata/monitor/1", "GET /odata/monitor/1"],
    );
    assert.equal(poller.isDone(), true);
    if (outcome === "succeeded") {
      assert.deepEqual(poller.result(), body);
      assert.equal(poller.status(), "Succeeded");
      assert.equal(poller.toJSON().outcome, "succeeded");
      assert.deepEqual(await poller.wait(), body);
    } else {
      assert.throws(() => poller.result(), { code: "ASYNC_OPERATION_FAILED" });
      assert.equal(poller.status(), "Failed");
      assert.equal(poller.toJSON().outcome, "failed");
    }
  });
}
