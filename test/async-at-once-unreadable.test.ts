/**
 * An `...Async` write or action that the service answers with success at once (it did not go
 * async) has been applied or has run, however its body then reads: an answer whose body cannot be
 * read says so, as `invoke()`, `create()` and `update()` say it of theirs, keeping the error code
 * the contract gives (`ASYNC_BAD_RESPONSE` for JSON that does not parse, `BAD_PAYLOAD` for an
 * action's HTML page), the request sent once. A function's (`getAsync()`) is a read's and says
 * nothing of the kind. Against node:http servers on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, type AsyncPoller } from "../src/index.js";
import { clientRejection, sendText, serveClient } from "./servers/recording-server.js";

const LOGIN_PAGE = '<!DOCTYPE html><html><body><form action="/login"></form></body></html>';
const CUT_JSON = '{"ID": 4, "na';

const sent = (requests: readonly { method: string; path: string }[]) => requests.map((r) => `${r.method} ${r.path}`);

/** The error `result()` throws, failing when it returns. */
function thrownBy(poller: AsyncPoller<unknown>): ODataClientError {
  try {
    const value = poller.result();
    assert.fail(`result() gave ${JSON.stringify(value)}`);
  } catch (error) {
    assert.ok(error instanceof ODataClientError, `not an ODataClientError: ${String(error)}`);
    return error;
  }
}

test("invokeAsync() answered 200 with an HTML page at once: result() and poll() refuse it with BAD_PAYLOAD saying the action ran, with its Location; sent once", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => sendText(res, 200, LOGIN_PAGE, { "content-type": "text/html; charset=utf-8", location: "Orders(4)" }), {
    retry: { retries: 2, delay: 1 },
  });
  const poller = await client.action("submitOrder").invokeAsync({ quantity: 2 });
  assert.equal(poller.isDone(), true);
  const error = thrownBy(poller);
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.equal(
    error.message,
    `POST ${root}submitOrder was answered 200 OK, so the service ran the action, but its answer could not be read: the body is an HTML page, not the operation's result. Location: ${root}Orders(4)`,
  );
  assert.equal((await clientRejection(poller.poll())).message, error.message);
  assert.equal(server.requests[0]?.headers["prefer"], "respond-async");
  assert.deepEqual(sent(server.requests), ["POST /odata/submitOrder"]);
});

test("invokeAsync() answered 201 with JSON cut off at once rejects with ASYNC_BAD_RESPONSE saying the action ran; sent once", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => sendText(res, 201, CUT_JSON, { "content-type": "application/json" }), { retry: { retries: 2, delay: 1 } });
  const error = await clientRejection(client.action("submitOrder").invokeAsync({ quantity: 2 }));
  assert.equal(error.code, "ASYNC_BAD_RESPONSE");
  assert.match(error.message, /^POST \S+submitOrder was answered 201 Created, so the service ran the action, but its answer could not be read: the body is not valid JSON \(/);
  assert.ok(error.message.startsWith(`POST ${root}submitOrder was answered`), error.message);
  assert.ok(error.cause instanceof ODataClientError && error.cause.code === "ASYNC_BAD_RESPONSE", `cause: ${String(error.cause)}`);
  assert.deepEqual(sent(server.requests), ["POST /odata/submitOrder"]);
});

for (const [call, method, path, start] of [
  ["createAsync(body)", "POST", "/odata/Orders", (client) => client.collection("Orders").createAsync({ quantity: 2 })],
  ["updateAsync(patch)", "PATCH", "/odata/Orders(4)", (client) => client.collection("Orders").key(4).updateAsync({ quantity: 3 })],
  ["replaceAsync(entity)", "PUT", "/odata/Orders(4)", (client) => client.collection("Orders").key(4).replaceAsync({ ID: 4, quantity: 3 })],
  ["deleteAsync()", "DELETE", "/odata/Orders(4)", (client) => client.collection("Orders").key(4).deleteAsync()],
] as const satisfies readonly (readonly [string, string, string, (client: import("../src/index.js").ODataClient) => Promise<unknown>])[]) {
  test(`${call} answered 200 with JSON cut off at once rejects with ASYNC_BAD_RESPONSE saying the write was applied, with its Location; sent once`, async (t) => {
    const { server, client, root } = await serveClient(t, (_request, res) => sendText(res, 200, CUT_JSON, { "content-type": "application/json", location: "Orders(4)" }), {
      retry: { retries: 2, delay: 1 },
    });
    const error = await clientRejection(start(client));
    assert.equal(error.code, "ASYNC_BAD_RESPONSE");
    assert.ok(
      error.message.startsWith(`${method} ${root}${path.slice("/odata/".length)} was answered 200 OK, so the service applied the write, but its answer could not be read as an entity: the body is not valid JSON (`),
      error.message,
    );
    assert.ok(error.message.endsWith(`. Location: ${root}Orders(4)`), error.message);
    assert.deepEqual(sent(server.requests), [`${method} ${path}`]);
  });
}

test("getAsync() answered 200 with JSON cut off at once is a read's ASYNC_BAD_RESPONSE, saying nothing of having run", async (t) => {
  const { client, root } = await serveClient(t, (_request, res) => sendText(res, 200, CUT_JSON, { "content-type": "application/json" }));
  const error = await clientRejection(client.function("countBooks").getAsync());
  assert.equal(error.code, "ASYNC_BAD_RESPONSE");
  assert.ok(error.message.startsWith(`GET ${root}countBooks() (HTTP 200): the body is not valid JSON (`), error.message);
  assert.doesNotMatch(error.message, /ran|applied/);
});
