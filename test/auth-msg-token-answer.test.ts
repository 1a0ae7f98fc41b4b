/**
 * A token endpoint whose answer runs over the 1 MiB a token answer may take (a padded JSON answer,
 * a body that never ends): no usable Bearer token, so `AUTH_FAILED` naming the option
 * `auth.oauth2.tokenUrl` and the limit, as the endpoint's other failures are; the service is not
 * asked, the endless body's connection is closed, and the next request asks again.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { eventually, rejectionOf } from "./async-poller-fixtures.js";

async function service(t: TestContext): Promise<RecordingServer> {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
  t.after(() => server.close());
  return server;
}

async function tokenEndpoint(t: TestContext, answer: (res: ServerResponse) => void): Promise<RecordingServer> {
  const server = await startServer((_request, res) => answer(res));
  t.after(() => server.close());
  return server;
}

function clientFor(svc: RecordingServer, tokens: RecordingServer): ODataClient {
  return new ODataClient({
    serviceUrl: svc.url("odata/"),
    retry: false,
    timeout: 10_000,
    auth: { oauth2: { tokenUrl: tokens.url("oauth/token"), clientId: "app", clientSecret: "s3cret-value" } },
  });
}

const overLimit = (tokens: RecordingServer) =>
  `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") answered 200 with a body over 1 MiB, the limit of a token answer`;

test("a token answer of 2 MiB of JSON rejects with AUTH_FAILED naming auth.oauth2.tokenUrl and the 1 MiB limit; the next request asks again", async (t) => {
  const svc = await service(t);
  const tokens = await tokenEndpoint(t, (res) => sendJson(res, 200, { access_token: "tok-1234567890", token_type: "Bearer", padding: "x".repeat(2 << 20) }));
  const client = clientFor(svc, tokens);
  for (let attempt = 1; attempt <= 2; attempt++) {
    const error = await rejectionOf(client.collection("Things").list());
    assert.ok(error instanceof ODataClientError, inspect(error));
    assert.equal(error.code, "AUTH_FAILED");
    assert.equal(error.message, overLimit(tokens));
    assert.equal(tokens.requests.length, attempt, "a failed token request is not kept");
  }
  assert.deepEqual(tokens.requests.map((r) => `${r.method} ${r.path}`), ["POST /oauth/token", "POST /oauth/token"]);
  assert.equal(svc.requests.length, 0, "the service is not asked");
});

test("a token answer that never ends rejects with AUTH_FAILED naming auth.oauth2.tokenUrl and the limit, and its connection is closed", async (t) => {
  const svc = await service(t);
  let closed = 0;
  let written = 0;
  const tokens = await tokenEndpoint(t, (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"access_token":"');
    const chunk = "x".repeat(64 * 1024);
    const timer = setInterval(() => {
      res.write(chunk);
      written += chunk.length;
    }, 1);
    res.on("close", () => {
      clearInterval(timer);
      closed++;
    });
  });
  const error = await rejectionOf(clientFor(svc, tokens).collection("Things").list());
  assert.ok(error instanceof ODataClientError, inspect(error));
  assert.equal(error.code, "AUTH_FAILED");
  assert.equal(error.message, overLimit(tokens));
  await eventually(() => closed === 1, "the token answer's connection closing");
  assert.ok(written < 64 << 20, `the client read on for ${written} bytes`);
  assert.equal(svc.requests.length, 0, "the service is not asked");
});
