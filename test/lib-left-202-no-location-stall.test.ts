/**
 * A `202 Accepted` without `Location` whose body stalls, answering `createAsync()`, `invokeAsync()`
 * or `getAsync()`: the status decides (`ASYNC_NO_LOCATION`: there is no monitor to follow), as it
 * does for the same answer with its body whole, not the body's `TIMEOUT` after the timeout. Over
 * node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

test("createAsync(), invokeAsync() and getAsync() answered 202 without Location and a stalled body reject with ASYNC_NO_LOCATION, not TIMEOUT", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(202, { "content-type": "application/json" });
    res.write('{"status":"Runn');
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout: 300 });
  const started = performance.now();
  const outcomes = await Promise.all([
    client.collection("Books").createAsync({ ID: 1 }).catch((error: unknown) => error),
    client.action("Go").invokeAsync({}).catch((error: unknown) => error),
    client.function("Count").getAsync().catch((error: unknown) => error),
  ]);
  for (const outcome of outcomes) {
    assert.ok(outcome instanceof ODataClientError, String(outcome));
    assert.equal(outcome.code, "ASYNC_NO_LOCATION", outcome.message);
  }
  // The status decided when the body stalled (at the timeout), and no poll followed.
  assert.ok(performance.now() - started < 3_000);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`).sort(), ["GET /svc/Count()", "POST /svc/Books", "POST /svc/Go"]);
});
