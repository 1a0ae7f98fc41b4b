/**
 * One `AbortSignal` given to every call of a long-running program (a shutdown signal): each request
 * follows it through one listener that goes when its answer's body is done, with or without a
 * `timeout`, and no `AbortSignal.any` is made. `AbortSignal.any` left an entry in the given signal
 * per request for as long as that signal lived (Node 20 to 26), about 50 bytes a request for good;
 * with `timeout: 0` the signal went to `fetch` itself, which leaves a listener on it until the
 * request is garbage, and Node warned of a leak. Against a node:http server on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

async function service(t: { after(fn: () => unknown): void }) {
  const server = await startServer((request, res) => {
    if (request.path.includes("Slow")) {
      // Headers at once, the body's end never: the caller's abort must still end the read.
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"value":[{"ID":1}');
      return;
    }
    sendJson(res, 200, { value: [{ ID: 1 }], "@odata.count": 1 });
  });
  t.after(() => server.close());
  return server;
}

for (const timeout of [30_000, 0]) {
  test(`timeout ${timeout}: 200 calls given one signal leave no listener on it after each, make no AbortSignal.any, and Node warns of nothing`, async (t) => {
    const server = await service(t);
    const any = t.mock.method(AbortSignal, "any");
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    t.after(() => process.off("warning", onWarning));
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout });
    const shutdown = new AbortController();
    const signal = shutdown.signal;
    const kept: unknown[] = [];
    for (let i = 0; i < 50; i++) {
      kept.push(await client.collection("Items").key(i).get({ signal }));
      kept.push(await client.collection("Items").page({ signal }));
      kept.push(await client.collection("Items").list({ signal }));
      kept.push(await client.collection("Items").countAll({ signal }).catch((error: unknown) => error));
      assert.equal(getEventListeners(signal, "abort").length, 0, `after round ${i}`);
    }
    assert.equal(server.requests.length, 200);
    assert.equal(any.mock.callCount(), 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, []);
  });

  test(`timeout ${timeout}: the signal's abort still ends a body being read, with its reason, and then nothing listens on it`, async (t) => {
    const server = await service(t);
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, timeout });
    const shutdown = new AbortController();
    const reading = client.collection("Slow").list({ signal: shutdown.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const reason = new Error("shutting down");
    shutdown.abort(reason);
    assert.equal(await reading.then(() => "resolved", (error: unknown) => error), reason);
    assert.equal(getEventListeners(shutdown.signal, "abort").length, 0);
  });
}
