/**
 * An error body cut while its message is read: a message that runs past the 64 KiB kept of an
 * error body, or a body still arriving when its time is up. The error gives what was read of the
 * message with `…` to mark the cut (it gave an empty message, and a message of its own ending in
 * `[CODE]: `), and a body cut by time is read as one cut by size (it gave no `odataError` at all).
 * Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataHttpError } from "../src/index.js";
import { httpErrorFromResponse } from "../src/payload/error-body.js";
import { startServer, serveClient, type Handler } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const LIMIT = 64 * 1024;

function answer(status: number, contentType: string, body: string): Handler {
  return (_request, res) => {
    res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
}

test("a JSON message cut at 64 KiB is given as far as it was read, marked with …", async (t) => {
  const head = '{"error":{"code":"LONGMSG","message":"';
  const { server, client } = await serveClient(t, answer(400, "application/json", `${head}${"m".repeat(100_000)}"}}`));
  const error = await rejectionOf(client.collection("Books").page());
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/Books"],
  );
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.deepEqual(error.odataError, { code: "LONGMSG", message: `${"m".repeat(LIMIT - head.length)}…` });
  assert.match(error.message, /\[LONGMSG\]: m{500}…$/);
  assert.equal(error.body.length, LIMIT);
});

test("a v2 message whose value the cut falls inside, and a JSON escape the cut splits, are read as far as whole", async (t) => {
  // An escaped backslash, then the cut after the `\u0` of an escaped "é": the split escape is left out.
  const head = '{"error":{"message":{"lang":"en","value":"';
  const filler = "v".repeat(LIMIT - head.length - 5);
  const { client } = await serveClient(t, answer(400, "application/json", `${head}${filler}\\\\\\u00e9 and more"},"code":"LATE"}}`), { version: "2.0" });
  const error = await rejectionOf(client.collection("Books").page());
  assert.ok(error instanceof ODataHttpError, String(error));
  // The code came after the cut: none. The message is the filler and the escaped backslash before the split escape.
  assert.deepEqual(error.odataError, { code: "", message: `${filler}\\…` });
  assert.ok(!error.message.endsWith(": "), error.message);
});

test("an XML message cut at 64 KiB is given as far as it was read, marked with …", async (t) => {
  const head = '<?xml version="1.0" encoding="utf-8"?><error xmlns="http://docs.oasis-open.org/odata/ns/metadata"><code>LONGXML</code><message>';
  const { client } = await serveClient(t, answer(400, "application/xml", `${head}${"x".repeat(100_000)}</message></error>`));
  const error = await rejectionOf(client.collection("Books").page());
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.deepEqual(error.odataError, { code: "LONGXML", message: `${"x".repeat(LIMIT - head.length)}…` });
});

test("an error body still arriving at the time limit is read as far as it came, as one cut at 64 KiB", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(500, { "content-type": "application/json" });
    res.write('{"error":{"code":"SLOW","message":"trickle","details":[{"code":"D1","message":"first"},{"code":"D2"');
    const timer = setInterval(() => res.write(" "), 20);
    res.on("close", () => clearInterval(timer));
  });
  t.after(() => server.close());
  const url = server.url("odata/Books");
  const response = await fetch(url);
  const started = Date.now();
  const error = await httpErrorFromResponse(response, "GET", url, { timeLimit: 150 });
  assert.ok(Date.now() - started < 2_000);
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.path, "/odata/Books");
  assert.equal(error.status, 500);
  // The detail the time cut fell inside is left out, as a size cut leaves it out.
  assert.deepEqual(error.odataError, { code: "SLOW", message: "trickle", details: [{ code: "D1", message: "first" }] });
  assert.match(error.message, /\[SLOW\]: trickle$/);
});

test("a message cut by the time limit is given as far as it came, marked with …", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(503, { "content-type": "application/json" });
    res.write('{"error":{"code":"SLOW","message":"the service is ');
    const timer = setInterval(() => res.write("."), 20);
    res.on("close", () => clearInterval(timer));
  });
  t.after(() => server.close());
  const url = server.url("odata/Books");
  const error = await httpErrorFromResponse(await fetch(url), "GET", url, { timeLimit: 150 });
  assert.equal(error.odataError?.code, "SLOW");
  assert.match(error.odataError?.message ?? "", /^the service is \.+…$/);
});

test("a v2 error whose message has no value ends its message at the code, with no empty `: `", async (t) => {
  const { server, client } = await serveClient(t, answer(400, "application/json", '{"error":{"code":"Q","message":{"lang":"en"}}}'));
  const error = await rejectionOf(client.collection("Books").page());
  assert.equal(server.requests.length, 1);
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.deepEqual(error.odataError, { code: "Q", message: "" });
  assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/odata\/Books failed with HTTP 400 Bad Request \[Q\]$/);
});
