/**
 * A failed answer's body is decoded by the `charset` its Content-Type names, as each part of a
 * `$batch` answer is (README "$batch"): a v2 service that answers in ISO-8859-1 says so, and its
 * message read as UTF-8 came out as `Gr��e ung�ltig`. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataHttpError } from "../src/index.js";
import { serveClient, type Handler } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

/** Answers every request with `status` and these bytes. */
function answerBytes(status: number, contentType: string, body: Uint8Array): Handler {
  return (_request, res) => {
    res.writeHead(status, { "content-type": contentType, "content-length": body.byteLength });
    res.end(body);
  };
}

const MESSAGE = "Größe ungültig";

test("a v2 JSON error in ISO-8859-1 is read by its charset", async (t) => {
  const body = Buffer.from(JSON.stringify({ error: { code: "L1", message: { lang: "de", value: MESSAGE } } }), "latin1");
  const { server, client } = await serveClient(t, answerBytes(400, "application/json;charset=iso-8859-1", body), { version: "2.0" });
  const error = await rejectionOf(client.collection("Products").page());
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/Products"],
  );
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.deepEqual(error.odataError, { code: "L1", message: MESSAGE });
  assert.match(error.message, /\[L1\]: Größe ungültig$/);
  assert.equal(error.body, JSON.stringify({ error: { code: "L1", message: { lang: "de", value: MESSAGE } } }));
});

test("an XML error in ISO-8859-1 is read by its charset", async (t) => {
  const xml = `<?xml version="1.0" encoding="iso-8859-1"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code>L2</code><message xml:lang="de">${MESSAGE}</message></error>`;
  const { server, client } = await serveClient(t, answerBytes(400, "application/xml;charset=iso-8859-1", Buffer.from(xml, "latin1")), { version: "2.0" });
  const error = await rejectionOf(client.collection("Products").key(1).get());
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.path, "/odata/Products(1)");
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.deepEqual(error.odataError, { code: "L2", message: MESSAGE });
  assert.equal(error.body, xml);
});

test("windows-1252's characters of 0x80-0x9F read as the Encoding Standard reads iso-8859-1, in Node too", async (t) => {
  // 0x80 is € and 0x93/0x94 are curly quotes in windows-1252; Node's own iso-8859-1 decoder gives C1 controls.
  const body = Buffer.concat([Buffer.from('{"error":{"code":"EUR","message":"Preis '), Buffer.from([0x93, 0x35, 0x80, 0x94]), Buffer.from('"}}')]);
  const { client } = await serveClient(t, answerBytes(422, "application/json; charset=ISO-8859-1", body));
  const error = await rejectionOf(client.collection("Products").page());
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.equal(error.odataError?.message, "Preis “5€”");
});

test("an ISO-8859-1 error body cut at 64 KiB keeps its start, decoded by its charset", async (t) => {
  const head = `{"error":{"code":"BIG","message":"${MESSAGE}","innererror":"`;
  const body = Buffer.concat([Buffer.from(head, "latin1"), Buffer.alloc(100_000, "ä".charCodeAt(0))]);
  const { client } = await serveClient(t, answerBytes(500, "application/json;charset=iso-8859-1", body));
  const error = await rejectionOf(client.collection("Products").page());
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.deepEqual(error.odataError, { code: "BIG", message: MESSAGE });
  // One byte a character: the text kept is exactly the first 64 KiB.
  assert.equal(error.body.length, 64 * 1024);
  assert.ok(error.body.startsWith(head) && error.body.endsWith("ää"));
});
