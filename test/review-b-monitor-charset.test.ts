/**
 * A status monitor's answer is decoded by the `charset` its Content-Type names, as an error answer
 * is (README "Errors"), and the message inside an `application/http` answer (the OData 4.0 form of
 * the final result) by the charset of its own Content-Type: both read `Größe ungültig` sent in
 * ISO-8859-1 as `Gr��e ung�ltig`. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AsyncOperationFailedError } from "../src/index.js";
import { serveClient, type Handler } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const MESSAGE = "Größe ungültig";
const CRLF = "\r\n";

/** Answers every request with 200, `contentType` and these bytes. */
function answerBytes(contentType: string, body: Uint8Array): Handler {
  return (_request, res) => {
    res.writeHead(200, { "content-type": contentType, "content-length": body.byteLength });
    res.end(body);
  };
}

/** An `application/http` body: the inner message's head as text, its body as the bytes given. */
function envelope(head: string[], body: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from([...head, "", ""].join(CRLF)), body]);
}

test("an application/http final answer whose inner 400 is ISO-8859-1 JSON gives the error's message by that charset", async (t) => {
  const inner = Buffer.from(JSON.stringify({ error: { code: "L1", message: MESSAGE } }), "latin1");
  const body = envelope(["HTTP/1.1 400 Bad Request", "Content-Type: application/json;charset=iso-8859-1"], inner);
  const { server, client } = await serveClient(t, answerBytes("application/http", body));
  const error = await rejectionOf(client.asyncPoller("$monitor/1", { pollInterval: 1 }).wait());
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/$monitor/1"],
  );
  assert.ok(error instanceof AsyncOperationFailedError, String(error));
  assert.equal(error.code, "ASYNC_OPERATION_FAILED");
  assert.equal(error.httpStatus, 400);
  assert.deepEqual(error.odataError, { code: "L1", message: MESSAGE });
});

test("a JSON status document {status: Failed} in ISO-8859-1 gives the error's message by its charset", async (t) => {
  const body = Buffer.from(JSON.stringify({ status: "Failed", error: { code: "L2", message: MESSAGE } }), "latin1");
  const { server, client } = await serveClient(t, answerBytes("application/json;charset=iso-8859-1", body));
  const poller = client.asyncPoller("$monitor/2", { pollInterval: 1 });
  const error = await rejectionOf(poller.wait());
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/$monitor/2"],
  );
  assert.ok(error instanceof AsyncOperationFailedError, String(error));
  assert.equal(error.code, "ASYNC_OPERATION_FAILED");
  assert.deepEqual(error.odataError, { code: "L2", message: MESSAGE });
  assert.equal(poller.status(), "Failed");
});

test("an application/http final answer with a 200 in windows-1252 gives its result by that charset", async (t) => {
  // 0x80 is € in windows-1252 (and in iso-8859-1 as the Encoding Standard reads it).
  const inner = Buffer.concat([Buffer.from(`{"name":"${MESSAGE}","price":"5`, "latin1"), Buffer.from([0x80]), Buffer.from('"}')]);
  const body = envelope(["HTTP/1.1 200 OK", "Content-Type: application/json; charset=windows-1252"], inner);
  const { server, client } = await serveClient(t, answerBytes("application/http", body));
  const poller = client.asyncPoller<{ name: string; price: string }>("$monitor/3", { pollInterval: 1 });
  const result = await poller.wait();
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/$monitor/3"],
  );
  assert.deepEqual(result, { name: MESSAGE, price: "5€" });
  assert.equal(poller.status(), "Succeeded");
});
