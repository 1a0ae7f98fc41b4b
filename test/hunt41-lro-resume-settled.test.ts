/**
 * Tokens of pollers whose outcome is known (succeeded, failed, cancelled), through JSON as a
 * process would keep them: the resumed poller has the same outcome and sends nothing, whatever is
 * called on it (poll, wait, cancel). A token of a version this library does not write is refused
 * at once, naming the version.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AsyncPollerToken } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

const viaJson = (token: AsyncPollerToken): AsyncPollerToken => JSON.parse(JSON.stringify(token)) as AsyncPollerToken;

test("resumed tokens of settled pollers keep their outcome and send no request", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "DELETE") {
      res.writeHead(204);
      res.end();
    } else if (request.path.endsWith("/ok")) sendJson(res, 200, { status: "Succeeded", value: 1 });
    else sendJson(res, 200, { status: "Failed", error: { code: "E1", message: "it broke" } });
  });
  const options = { pollInterval: 1, maxWait: 10_000 };
  const succeeded = client.asyncPoller("monitor/ok", options);
  assert.equal(await succeeded.poll(), false);
  const failed = client.asyncPoller("monitor/bad", options);
  await assert.rejects(failed.poll(), { code: "ASYNC_OPERATION_FAILED" });
  const cancelled = client.asyncPoller("monitor/cancel", options);
  await cancelled.cancel();
  const sent = server.requests.length;

  const again = client.resumeAsync(viaJson(succeeded.toJSON()));
  assert.equal(again.isDone(), true);
  assert.deepEqual(again.result(), { status: "Succeeded", value: 1 });
  assert.equal(await again.poll(), false);
  assert.deepEqual(await again.wait(), { status: "Succeeded", value: 1 });
  await again.cancel();
  assert.deepEqual(again.result(), { status: "Succeeded", value: 1 });

  const failedAgain = client.resumeAsync(viaJson(failed.toJSON()));
  assert.equal(failedAgain.status(), "Failed");
  await assert.rejects(failedAgain.poll(), { code: "ASYNC_OPERATION_FAILED", httpStatus: undefined, message: /it broke/ });
  await assert.rejects(failedAgain.wait(), { code: "ASYNC_OPERATION_FAILED", odataError: { code: "E1", message: "it broke" } });
  await failedAgain.cancel();

  const cancelledAgain = client.resumeAsync(viaJson(cancelled.toJSON()));
  assert.equal(cancelledAgain.status(), "Cancelled");
  await assert.rejects(cancelledAgain.poll(), { code: "ASYNC_OPERATION_CANCELLED" });
  await assert.rejects(cancelledAgain.wait(), { code: "ASYNC_OPERATION_CANCELLED" });
  await cancelledAgain.cancel();

  assert.equal(server.requests.length, sent, "a resumed settled poller sent a request");
});

test("a token of another version is refused at once, naming the version", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 202, {}));
  const token = client.asyncPoller("monitor/1").toJSON();
  for (const version of [3, 0, "2"]) {
    assert.throws(() => client.resumeAsync({ ...token, version } as unknown as AsyncPollerToken), {
      name: "TypeError",
      message: `resumeAsync token.version ${JSON.stringify(version)} is not supported (expected 1 or 2)`,
    });
  }
  // Version 1 (no result shape) is still read.
  assert.equal(client.resumeAsync({ ...token, version: 1 }).statusUrl, token.statusUrl);
  assert.equal(server.requests.length, 0);
});
