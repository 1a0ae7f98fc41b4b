// Runtimes that error an answer's body with a copy of what ended it, not the thing itself, as
// Cloudflare's workerd does: an abort's reason comes back as a plain `Error` of its text, and a
// lost connection as a plain `Error("Network connection lost.")` where Node's fetch gives a
// `TypeError`. The client must say the same there as on Node: a stalled body is `TIMEOUT`, and an
// error answer whose body drops or stalls is still its `ODataHttpError`. Real HTTP (node:http on
// 127.0.0.1) under a `fetch` that copies the body's errors the way workerd does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ODataHttpError } from "../src/index.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

/** Node's fetch, with the body's failures turned into what workerd reports. */
const workerdLikeFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const source = response.body;
  if (source === null) return response;
  const reader = source.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error instanceof TypeError ? new Error("Network connection lost.") : new Error(String(error)));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};

const TIMEOUT = 300;

/** Answers with `status`, its headers and the start of a JSON body, then stalls, or drops the connection after 50 ms. */
async function halfAnswering(t: { after: (fn: () => Promise<void>) => void }, status: number, end: "stall" | "drop"): Promise<RecordingServer> {
  const server = await startServer((_request, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.write(status >= 400 ? '{"error":{"code":"E1","message":"partial' : '{"value":[{"ID":1},');
    if (end === "drop") setTimeout(() => res.socket?.destroy(), 50);
  });
  t.after(() => server.close());
  return server;
}

const client = (server: RecordingServer) => new ODataClient({ serviceUrl: server.url("odata/"), timeout: TIMEOUT, retry: false, fetch: workerdLikeFetch });

test("a body that stalls after its headers rejects get() and page() with TIMEOUT, not NETWORK_ERROR, where the runtime copies the abort's reason", async (t) => {
  const server = await halfAnswering(t, 200, "stall");
  const items = client(server).collection("Items");
  for (const [name, read, path] of [
    ["page()", () => items.page(), "Items"],
    ["get()", () => items.key(1).get(), "Items(1)"],
  ] as const) {
    const error = await rejectionOf(read());
    assert.ok(error instanceof ODataClientError, name);
    assert.equal(error.code, "TIMEOUT", `${name}: ${error.message}`);
    assert.equal(error.message, `GET ${server.url(`odata/${path}`)}: the answer's body stalled, no data arrived for ${TIMEOUT} ms (option "timeout")`, name);
  }
  assert.deepEqual(server.requests.map((r) => r.path), ["/odata/Items", "/odata/Items(1)"]);
});

test("an error answer whose body stalls or drops is still its ODataHttpError (status, URL), the stall or the lost connection its cause", async (t) => {
  for (const end of ["stall", "drop"] as const) {
    const server = await halfAnswering(t, 500, end);
    const error = await rejectionOf(client(server).collection("Items").key(1).get());
    assert.ok(error instanceof ODataHttpError, `${end}: ${String(error)}`);
    assert.equal(error.status, 500, end);
    assert.equal(error.url, server.url("odata/Items(1)"), end);
    assert.equal(error.body, '{"error":{"code":"E1","message":"partial', end);
    if (end === "stall") assert.ok(error.cause instanceof ODataClientError && error.cause.code === "TIMEOUT", `${end}: ${String(error.cause)}`);
    else assert.equal((error.cause as Error).message, "Network connection lost.");
  }
});
