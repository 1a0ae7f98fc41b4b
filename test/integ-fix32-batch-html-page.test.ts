/**
 * A `$batch` answered 200 with an HTML page (an expired SAP session's logon page, a proxy's
 * sign-in page) is refused with BAD_BATCH_RESPONSE in the words every other request's error uses
 * for such a page, so that it is recognised as one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { clientRejection, sendText, serveClient } from "./servers/recording-server.js";

const LOGON_PAGE = "<!DOCTYPE html><html><head><title>Logon</title></head><body><form>SAP NetWeaver Logon</form></body></html>";

test("a $batch answered with an HTML logon page rejects with BAD_BATCH_RESPONSE saying it answered with an HTML page", async (t) => {
  const { server, client, root } = await serveClient(t, (_request, res) => sendText(res, 200, LOGON_PAGE, { "content-type": "text/html; charset=utf-8" }), { version: "2.0" }, "sap/opu/odata/sap/Z_SRV/");
  const books = client.collection<{ ID: number; stock: number }>("Books");
  const batch = client.batch();
  batch.update(books.key(1), { stock: 1 }, { ifMatch: "*" });

  const error = await clientRejection(batch.send());

  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers["content-type"]?.split(";")[0]}`),
    ["POST /sap/opu/odata/sap/Z_SRV/$batch multipart/mixed"],
  );
  assert.equal(error.code, "BAD_BATCH_RESPONSE");
  assert.equal(error.message, `POST ${root}$batch answered with an HTML page (text/html; charset=utf-8), not a batch response`);

  // The same page read as an answer received elsewhere (readAnswer()) is said so too.
  const elsewhere = await clientRejection(batch.readAnswer({ contentType: "text/html; charset=utf-8", body: LOGON_PAGE }));
  assert.equal(elsewhere.code, "BAD_BATCH_RESPONSE");
  assert.equal(elsewhere.message, "the answer is an HTML page (text/html; charset=utf-8), not a batch response");
});

test("sendAsync() of a $batch answered at once with an HTML logon page says so too (the poller's path)", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, LOGON_PAGE, { "content-type": "text/html; charset=utf-8" }));
  const batch = client.batch();
  batch.update(client.collection("Books").key(1), { stock: 1 }, { ifMatch: "*" });
  const error = await clientRejection((async () => (await batch.sendAsync()).wait())());
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path} ${String(request.headers.prefer)}`), ["POST /odata/$batch respond-async"]);
  assert.equal(error.code, "BAD_BATCH_RESPONSE");
  assert.equal(error.message, "the answer is an HTML page (text/html; charset=utf-8), not a batch response");
});
