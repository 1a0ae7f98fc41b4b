/**
 * The README ("OAuth2 client credentials"): an endpoint that refuses, or answers without a usable
 * Bearer token, rejects with `AUTH_FAILED`, "whose message gives the endpoint's status and its
 * OAuth2 `error` and `error_description`". Some endpoints refuse with status 200 and the OAuth2
 * error (RFC 6749 §5.2) in place of a token; the message said only "answered 200 without an
 * access_token", leaving out why. Against a node:http token endpoint and service on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const SECRET = "s3cret-client-value";

test("a token endpoint that refuses with 200 and an OAuth2 error: AUTH_FAILED giving its error and description, the secret masked; the service is not asked", async (t) => {
  const tokens = await startServer((request, res) =>
    sendJson(res, 200, { error: "invalid_client", error_description: `Client authentication failed for ${new URLSearchParams(request.body).get("client_secret")}` }),
  );
  const svc = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
  t.after(() => Promise.all([tokens.close(), svc.close()]));
  const client = new ODataClient({ serviceUrl: svc.url("odata/"), retry: false, auth: { oauth2: { tokenUrl: tokens.url("token"), clientId: "app", clientSecret: SECRET } } });
  const error = await client.collection("Things").list().then(() => assert.fail("resolved"), (e: unknown) => e);
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "AUTH_FAILED");
  assert.equal(error.message, `the OAuth2 token endpoint POST ${tokens.url("token")} (option "auth.oauth2.tokenUrl") answered 200: invalid_client: Client authentication failed for ***`);
  assert.equal(tokens.requests.length, 1);
  assert.equal(new URLSearchParams(tokens.requests[0]!.body).get("client_secret"), SECRET);
  assert.equal(svc.requests.length, 0);
});

// A guard: a 200 with neither a token nor an error says so, as before.
test("a token endpoint answering 200 with neither a token nor an error: AUTH_FAILED saying there is no access_token", async (t) => {
  const tokens = await startServer((_request, res) => sendJson(res, 200, { token_type: "Bearer" }));
  const svc = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
  t.after(() => Promise.all([tokens.close(), svc.close()]));
  const client = new ODataClient({ serviceUrl: svc.url("odata/"), retry: false, auth: { oauth2: { tokenUrl: tokens.url("token"), clientId: "app", clientSecret: SECRET } } });
  const error = await client.collection("Things").list().then(() => assert.fail("resolved"), (e: unknown) => e);
  assert.ok(error instanceof ODataClientError && error.code === "AUTH_FAILED");
  assert.ok(error.message.endsWith("answered 200 without an access_token"), error.message);
  assert.equal(svc.requests.length, 0);
});
