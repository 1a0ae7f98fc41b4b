/**
 * A token request whose connection is lost (the endpoint resets it) before any token is issued:
 * the request waiting for the token was not sent. A GET is sent again by the retry step, fetching
 * the token again with it; a POST, which the retry step never sends twice, failed at once with
 * `NETWORK_ERROR`, its retries unused, though nothing had reached the service. Now the token
 * request of a request the retry step does not send again is itself asked again under option
 * `retry`; a GET's is not asked again inside (that would multiply with the retry step's attempts).
 * On a node:http token endpoint and service on 127.0.0.1.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, type ODataClientOptions } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

/** A token endpoint that resets the connection of its first `lost` requests, then issues `tok-<n>`. */
async function tokenEndpoint(t: TestContext, lost: number): Promise<RecordingServer> {
  const server = await startServer((_request, res, req) => {
    const n = server.requests.length;
    if (n <= lost) return void req.socket.destroy();
    sendJson(res, 200, { access_token: `tok-${n}`, token_type: "Bearer", expires_in: 3600 });
  });
  t.after(() => server.close());
  return server;
}

async function service(t: TestContext): Promise<RecordingServer> {
  const server = await startServer((request, res) => sendJson(res, request.method === "POST" ? 201 : 200, request.method === "POST" ? { ID: 1 } : { value: [] }));
  t.after(() => server.close());
  return server;
}

function clientFor(svc: RecordingServer, tokens: RecordingServer, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: svc.url("odata/"), auth: { oauth2: { tokenUrl: tokens.url("token"), clientId: "app", clientSecret: "s" } }, ...options });
}

const wire = (server: RecordingServer) => server.requests.map((request) => `${request.method} ${request.path} ${String(request.headers.authorization ?? "-")}`);

test("a POST whose token request loses its connection once is sent, once, with the token asked for again", async (t) => {
  const tokens = await tokenEndpoint(t, 1);
  const svc = await service(t);
  await clientFor(svc, tokens, { retry: { retries: 2, delay: 5 } }).collection("Things").create({ ID: 1 });
  assert.deepEqual(wire(tokens), ["POST /token -", "POST /token -"]);
  assert.deepEqual(wire(svc), ["POST /odata/Things Bearer tok-2"]);
});

test("a POST whose token requests all lose their connection rejects with NETWORK_ERROR naming the endpoint after retries + 1 of them; the service is not asked", async (t) => {
  const tokens = await tokenEndpoint(t, 9);
  const svc = await service(t);
  const error = await rejectionOf(clientFor(svc, tokens, { retry: { retries: 2, delay: 5 } }).collection("Things").create({ ID: 1 }));
  assert.ok(error instanceof ODataClientError && error.code === "NETWORK_ERROR", inspect(error));
  assert.match(error.message, /^POST http:\/\/127\.0\.0\.1:\d+\/token failed before an answer arrived/);
  assert.equal(tokens.requests.length, 3);
  assert.equal(svc.requests.length, 0);
});

test("with retry false a POST's token request is asked once", async (t) => {
  const tokens = await tokenEndpoint(t, 1);
  const svc = await service(t);
  const error = await rejectionOf(clientFor(svc, tokens, { retry: false }).collection("Things").create({ ID: 1 }));
  assert.ok(error instanceof ODataClientError && error.code === "NETWORK_ERROR", inspect(error));
  assert.equal(tokens.requests.length, 1);
  assert.equal(svc.requests.length, 0);
});

test("a GET's lost token requests are asked again by the retry step alone: retries + 1 of them, not more", async (t) => {
  const tokens = await tokenEndpoint(t, 9);
  const svc = await service(t);
  const error = await rejectionOf(clientFor(svc, tokens, { retry: { retries: 2, delay: 5 } }).collection("Things").list());
  assert.ok(error instanceof ODataClientError && error.code === "NETWORK_ERROR", inspect(error));
  assert.equal(tokens.requests.length, 3);
  assert.equal(svc.requests.length, 0);
});
