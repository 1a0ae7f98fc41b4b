// A poller's cancel() was sent with the pipeline's retry off, as its polls are; but no rule of the
// poller sends a cancel again (rule 9 is the polls'), so one lost connection or 503 left the
// operation running where the README says a DELETE is retried. A cancel is retried now; a poll is
// still one request, its transient answers the poller's to count.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataHttpError } from "../src/index.js";
import { sendJson, serveClient, type Handler } from "./servers/recording-server.js";

/** A monitor whose first DELETE is lost (`"reset"`) or answered 503, and that cancels on the next. */
function monitor(first: "reset" | 503): Handler {
  let deletes = 0;
  return (request, res) => {
    if (request.method === "DELETE") {
      deletes += 1;
      if (deletes === 1) {
        if (first === "reset") res.socket?.destroy();
        else sendJson(res, 503, { error: { code: "Busy", message: "later" } }, { "retry-after": "0" });
        return;
      }
      res.writeHead(204);
      res.end();
      return;
    }
    sendJson(res, 503, { error: { code: "Busy", message: "later" } }, { "retry-after": "0" });
  };
}

const wire = (requests: ReadonlyArray<{ method: string; path: string }>) => requests.map((request) => `${request.method} ${request.path}`);

for (const first of ["reset", 503] as const) {
  test(`a cancel whose first DELETE is ${first === "reset" ? "lost" : "answered 503"} is sent again and cancels`, async (t) => {
    const { server, client, root } = await serveClient(t, monitor(first), { retry: { retries: 2, delay: 5 } });
    const poller = client.asyncPoller(`${root}$monitor/1`);
    await poller.cancel();
    assert.equal(poller.isDone(), true);
    assert.deepEqual(wire(server.requests), ["DELETE /odata/$monitor/1", "DELETE /odata/$monitor/1"]);
  });
}

// A guard: a cancel was sent once before as well; it keeps cancel()'s new retry from ignoring retry: false.
test("with retry off, a cancel answered 503 rejects after one DELETE and changes nothing", async (t) => {
  const { server, client, root } = await serveClient(t, monitor(503), { retry: false });
  const poller = client.asyncPoller(`${root}$monitor/1`);
  await assert.rejects(poller.cancel(), (error: unknown) => error instanceof ODataHttpError && error.status === 503);
  assert.equal(poller.isDone(), false);
  assert.deepEqual(wire(server.requests), ["DELETE /odata/$monitor/1"]);
});

// A guard: a poll was one request before as well; it keeps the cancel's retry from reaching the polls.
test("a poll answered 503 is still one request: the poller's rule 9 counts it, not the pipeline", async (t) => {
  const { server, client, root } = await serveClient(t, monitor(503), { retry: { retries: 2, delay: 5 } });
  const poller = client.asyncPoller(`${root}$monitor/1`);
  assert.equal(await poller.poll(), true, "a transient answer reads as still running");
  assert.deepEqual(wire(server.requests), ["GET /odata/$monitor/1"]);
});
