/**
 * A write refused for want of a CSRF token (option `csrf: true`): when the token fetch
 * (`GET <serviceUrl>` with `X-CSRF-Token: Fetch`) fails or brings no token, the write goes without
 * one, and the service's 403 with `X-CSRF-Token: Required` rejects it. The error says what the
 * token fetch was answered with, and nothing of what its answer held; the requests on the wire are
 * those the csrf step always sends (test/pipeline.test.ts tests the step itself).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError, ODataHttpError } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest } from "./servers/recording-server.js";
import { rejectionAs } from "./async-poller-fixtures.js";

const rejectionOf = (promise: Promise<unknown>) => rejectionAs(promise, ODataHttpError);

/** What the token fetch is answered with. */
type TokenAnswer = (res: ServerResponse) => void;

/**
 * A service in the SAP manner whose token fetch answers with `tokenAnswer`, and which refuses
 * every write without a token with 403 `X-CSRF-Token: Required`.
 */
async function serviceRefusingWrites(t: { after(fn: () => Promise<void>): void }, tokenAnswer: TokenAnswer) {
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return tokenAnswer(res);
    if (request.method === "GET") return sendJson(res, 200, { value: [] });
    if (request.headers["x-csrf-token"] === "tok-1") return sendJson(res, request.method === "POST" ? 201 : 200, { ID: 1 });
    sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
  });
  t.after(() => server.close());
  return server;
}


function wire(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"] ?? "-"} ${r.body}`);
}

test("a token fetch answered 500 and a write refused with 403 Required: the error says the fetch failed with HTTP 500, and the same requests go on the wire", async (t) => {
  const server = await serviceRefusingWrites(t, (res) => sendText(res, 500, "token service down; see https://idp.example/login?access_token=leaked-in-body"));
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await rejectionOf(client.collection("Books").create({ ID: 1 }));
  assert.equal(error.status, 403);
  assert.equal(error.method, "POST");
  assert.equal(error.headers["x-csrf-token"], "Required");
  assert.equal(error.body, "CSRF token validation failed");
  assert.equal(
    error.message,
    `POST ${server.url("svc/Books")} failed with HTTP 403 Forbidden (the service requires a CSRF token and none could be fetched: GET ${server.url("svc/")} with X-CSRF-Token: Fetch failed with HTTP 500)`,
  );
  assert.doesNotMatch(error.message, /token service down|leaked-in-body/);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'POST /svc/Books - {"ID":1}', "GET /svc/ Fetch "]);
});

test("a token fetch answered 401 names that status in the error of the refused update, and no credential of the client", async (t) => {
  const server = await serviceRefusingWrites(t, (res) => sendText(res, 401, "wrong password", { "www-authenticate": 'Basic realm="SAP"' }));
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false, auth: { basic: { username: "alice", password: "pa55-secret" } } });
  const error = await rejectionOf(client.collection("Books").key(1).update({ stock: 2 }));
  assert.equal(error.status, 403);
  assert.equal(error.method, "PATCH");
  assert.match(error.message, /\(the service requires a CSRF token and none could be fetched: GET \S+\/svc\/ with X-CSRF-Token: Fetch failed with HTTP 401\)$/);
  assert.doesNotMatch(error.message, /pa55-secret|alice|YWxpY2U6cGE1NS1zZWNyZXQ=|wrong password/);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'PATCH /svc/Books(1) - {"stock":2}', "GET /svc/ Fetch "]);
});

test("a token fetch answered 200 without a token: the refused delete's error says the fetch brought none", async (t) => {
  const server = await serviceRefusingWrites(t, (res) => sendJson(res, 200, {}));
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await rejectionOf(client.collection("Books").key(1).delete());
  assert.equal(error.status, 403);
  assert.match(error.message, /none could be fetched: GET \S+ with X-CSRF-Token: Fetch was answered HTTP 200 without one\)$/);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", "DELETE /svc/Books(1) - ", "GET /svc/ Fetch "]);
});

test("a token fetch redirected (to a login page) is not followed, and the refused write's error says it was redirected", async (t) => {
  const server = await serviceRefusingWrites(t, (res) => {
    res.writeHead(302, { location: "/login?return=svc" });
    res.end();
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await rejectionOf(client.collection("Photos").key(1).media().put("x", { contentType: "text/plain" }));
  assert.equal(error.status, 403);
  assert.match(error.message, /with X-CSRF-Token: Fetch was redirected \(HTTP 302\), which a token fetch does not follow\)$/);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", "PUT /svc/Photos(1)/$value - x", "GET /svc/ Fetch "]);
});

test("a write refused with 403 Required although a token was fetched and sent says the token was refused again, and not that none could be fetched", async (t) => {
  let issued = 0;
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return sendJson(res, 200, {}, { "x-csrf-token": `other-${++issued}` });
    sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await rejectionOf(client.collection("Books").create({ ID: 1 }));
  assert.equal(
    error.message,
    `POST ${server.url("svc/Books")} failed with HTTP 403 Forbidden (the service refused the CSRF token again: the request, sent once more with a token fetched anew (GET ${server.url("svc/")} with X-CSRF-Token: Fetch), was answered X-CSRF-Token: Required as well; a token holds only in the session its fetch opened)`,
  );
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'POST /svc/Books other-1 {"ID":1}', "GET /svc/ Fetch ", 'POST /svc/Books other-2 {"ID":1}']);
});

test("a 403 that does not ask for a token (an authorisation refusal) says nothing of a failed token fetch", async (t) => {
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return sendText(res, 500, "down");
    sendText(res, 403, "not allowed");
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await rejectionOf(client.collection("Books").create({ ID: 1 }));
  assert.equal(error.message, `POST ${server.url("svc/Books")} failed with HTTP 403 Forbidden`);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'POST /svc/Books - {"ID":1}']);
});

test("after a failed token fetch, a service that needs no token takes the write as it comes", async (t) => {
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return sendText(res, 500, "down");
    sendJson(res, 201, { ID: 1 });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  assert.deepEqual(await client.collection("Books").create({ ID: 1 }), { ID: 1 });
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'POST /svc/Books - {"ID":1}']);
});

test("a token fetch that gets no answer within the write's timeout: the TIMEOUT names the token fetch and says the write was not sent", async (t) => {
  const server = await serviceRefusingWrites(t, () => {}); // the fetch is never answered
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false, timeout: 300 });
  const error = await client.collection("Books").create({ ID: 1 }).then(
    () => assert.fail("the write resolved"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ODataClientError, String(error));
  assert.equal(error.code, "TIMEOUT");
  assert.equal(
    error.message,
    `the CSRF token fetch (GET ${server.url("svc/")}) got no answer within the timeout (option "timeout") of POST ${server.url("svc/Books")}, which was not sent`,
  );
  assert.ok(error.cause instanceof ODataClientError && error.cause.code === "TIMEOUT", "caused by the timeout step's error");
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch "]);
});

test("a caller's own abort while the token is fetched rejects with the caller's reason, not a TIMEOUT", async (t) => {
  const controller = new AbortController();
  const reason = new Error("shutting down");
  // The caller gives up once the token fetch is on the wire (never answered), not after a fixed
  // time: on a busy machine the fetch may not have gone out by then.
  const server = await serviceRefusingWrites(t, () => controller.abort(reason));
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false, timeout: 5_000 });
  const pending = client.collection("Books").create({ ID: 1 }, { signal: controller.signal });
  await assert.rejects(pending, (e: unknown) => e === reason);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch "]);
});

test("a token fetched again after a 403 Required that gets no answer within the timeout: the TIMEOUT says the write was refused and not sent again", async (t) => {
  let fetches = 0;
  const server = await serviceRefusingWrites(t, (res) => {
    if (++fetches === 1) sendText(res, 200, "", { "x-csrf-token": "stale" }); // the second fetch is never answered
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false, timeout: 500 });
  const error = await client.collection("Books").create({ ID: 1 }).then(
    () => assert.fail("the write resolved"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", String(error));
  assert.equal(
    error.message,
    `the CSRF token fetch (GET ${server.url("svc/")}) got no answer within the timeout (option "timeout") of POST ${server.url("svc/Books")}, which the service refused for want of a token and was not sent again`,
  );
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'POST /svc/Books stale {"ID":1}', "GET /svc/ Fetch "]);
});
