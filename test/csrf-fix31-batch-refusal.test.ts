/**
 * A `$batch` refused with 403 and `X-CSRF-Token: Required` (SAP Gateway checks the token on the
 * `$batch` request, not on its parts): `send()` and `sendAsync()` reject with the `ODataHttpError`
 * (HTTP_ERROR, 403) that says why, as a write sent alone does: the renewed token refused again with
 * option `csrf`, the option to set without it. A part answered so says nothing of CSRF: its token
 * was the `$batch` request's (`explainPrecondition`'s `csrf` is `"batch-part"` there). Against a
 * node:http service.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { explainPrecondition } from "../src/write/requests.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { refusal, refusedAgain, refusingService, SET_OPTION, wire } from "./csrf-refusal-fixtures.js";

test("a $batch refused again with a renewed CSRF token says the token was refused again, by send() and by sendAsync()", async (t) => {
  const server = await refusingService(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const batch = client.batch({ format: "json" });
  batch.create(client.collection("Books"), { ID: 1 });
  const sent = await refusal(batch.send());
  assert.equal(sent.message, `POST ${server.url("svc/$batch")} failed with HTTP 403 Forbidden (${refusedAgain(server.url("svc/"))})`);
  const started = await refusal(batch.sendAsync());
  assert.equal(started.message, sent.message);
  assert.deepEqual(wire(server.requests), [
    "GET /svc/ Fetch -",
    "POST /svc/$batch tok-1 -",
    "GET /svc/ Fetch -",
    "POST /svc/$batch tok-2 -",
    // The token refused last is the one the next send starts with.
    "POST /svc/$batch tok-2 respond-async",
    "GET /svc/ Fetch -",
    "POST /svc/$batch tok-3 respond-async",
  ]);
});

test('a $batch refused for want of a CSRF token by a client without csrf says to set option "csrf", by send() and by sendAsync()', async (t) => {
  const server = await refusingService(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const batch = client.batch();
  batch.delete(client.collection("Books").key(1));
  const sent = await refusal(batch.send());
  assert.equal(sent.message, `POST ${server.url("svc/$batch")} failed with HTTP 403 Forbidden (${SET_OPTION})`);
  const started = await refusal(batch.sendAsync());
  assert.equal(started.message, sent.message);
  assert.deepEqual(wire(server.requests), ["POST /svc/$batch - -", "POST /svc/$batch - respond-async"]);
});

test('a $batch part answered 403 with X-CSRF-Token: Required says nothing of CSRF, with csrf or without: explainPrecondition is told "batch-part"', async (t) => {
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return sendJson(res, 200, {}, { "x-csrf-token": "tok-1" });
    sendJson(res, 200, { responses: [{ id: "1", status: 403, headers: { "x-csrf-token": "Required", "content-type": "application/json" }, body: { error: { code: "403", message: "Forbidden" } } }] });
  });
  t.after(() => server.close());
  for (const csrf of [false, true]) {
    const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf, retry: false });
    const batch = client.batch({ format: "json" });
    const handle = batch.create(client.collection("Books"), { ID: 1 });
    await batch.send();
    const result = handle.result();
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error instanceof ODataHttpError);
    assert.equal(result.error.status, 403);
    assert.equal(result.error.message, `POST ${server.url("svc/Books")} failed with HTTP 403 [403]: Forbidden`);
  }
  assert.deepEqual(wire(server.requests), ["POST /svc/$batch - -", "GET /svc/ Fetch -", "POST /svc/$batch tok-1 -"]);
  // How the write was sent is said, never left out (the compiler checks this file).
  const request = { method: "POST", headers: {} };
  const refused = () => new ODataHttpError({ status: 403, statusText: "Forbidden", method: "POST", url: server.url("svc/Books"), headers: { "x-csrf-token": "Required" }, body: "" });
  // @ts-expect-error the csrf argument is required ("batch-part" for a part of a $batch)
  explainPrecondition(refused(), request);
  assert.equal(explainPrecondition(refused(), request, "batch-part").message, `POST ${server.url("svc/Books")} failed with HTTP 403 Forbidden`);
  assert.equal(explainPrecondition(refused(), request, false).message, `POST ${server.url("svc/Books")} failed with HTTP 403 Forbidden (${SET_OPTION})`);
});

