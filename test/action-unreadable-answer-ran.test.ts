/**
 * An action (`invoke()`) answered with a success whose body cannot be read as its result (an HTML
 * page a proxy sent with 200, JSON that does not parse, a v2 service's `{"d": …}` at a v4 client)
 * rejects with `BAD_PAYLOAD` saying first that the service ran the action, as a write's unreadable
 * answer says the write was applied, then what the body is; the action is sent once and never
 * again. A function's unreadable answer is a read's and says nothing of the kind. Against a
 * node:http service on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { clientRejection, sendText, serveClient } from "./servers/recording-server.js";

const LOGIN_PAGE = "<!DOCTYPE html><html><body><form action=\"/login\"></form></body></html>";

test("an action answered 200 with an HTML page rejects with BAD_PAYLOAD saying the action ran, with its Location; sent once", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => sendText(res, 200, LOGIN_PAGE, { "content-type": "text/html; charset=utf-8", location: "Orders(4)" }), {
    retry: { retries: 2, delay: 1 },
  });
  const error = await clientRejection(client.action("submitOrder").invoke({ quantity: 2 }));
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.equal(
    error.message,
    `POST ${root}submitOrder was answered 200 OK, so the service ran the action, but its answer could not be read: the body is an HTML page (text/html; charset=utf-8), not the operation's result. Location: ${root}Orders(4)`,
  );
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path}`),
    ["POST /odata/submitOrder"],
  );
});

test("an action answered 201 with malformed JSON says it ran, keeping the parse error as its cause", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => sendText(res, 201, '{"value": [1, 2', { "content-type": "application/json" }));
  const error = await clientRejection(client.action("submitOrder").invoke({ quantity: 2 }));
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.match(error.message, new RegExp(`^POST ${root.replace(/[.()]/g, "\\$&")}submitOrder was answered 201 Created, so the service ran the action, but its answer could not be read: the body is not JSON \\(`));
  assert.ok(error.cause instanceof SyntaxError, `cause: ${String(error.cause)}`);
  assert.equal(server.requests.length, 1);
});

test("a function answered 200 with an HTML page is a read's BAD_PAYLOAD, saying nothing of having run", async (t) => {
  const { client, root } = await serveClient(t, (_request, res) => sendText(res, 200, LOGIN_PAGE, { "content-type": "text/html" }));
  const error = await clientRejection(client.function("countBooks").get());
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.equal(error.message, `GET ${root}countBooks() answered with an HTML page (text/html), not the operation's result`);
});
