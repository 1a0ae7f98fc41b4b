/**
 * A request whose timeout ends while it waits for its credentials rejects with a `TIMEOUT` that
 * names what it waited for and says what became of it: the OAuth2 token request (`POST tokenUrl`),
 * also when the write's CSRF token fetch is what waits for it, and after a 401 (the request was
 * sent once and refused); the `auth.bearer` token function. The service is asked nothing it was
 * not already asked.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";
import { eventually, rejectionOf } from "./async-poller-fixtures.js";

/** A token endpoint that answers its first `answered` requests with `tok-<n>` and then never again. */
async function tokenEndpoint(t: TestContext, answered = 0): Promise<RecordingServer> {
  let n = 0;
  const server = await startServer((_request, res) => {
    if (++n <= answered) sendJson(res, 200, { access_token: `tok-${n}`, token_type: "Bearer", expires_in: 3600 });
  });
  t.after(() => server.close());
  return server;
}

/** A service that hands out a CSRF token and takes writes, or refuses everything with 401 (`refuse`). */
async function service(t: TestContext, refuse = false): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (refuse) return sendJson(res, 401, { error: { code: "401", message: "token revoked" } });
    if (request.headers["x-csrf-token"] === "Fetch") return sendText(res, 200, "", { "x-csrf-token": "csrf-1" });
    sendJson(res, 201, { ID: 1 });
  });
  t.after(() => server.close());
  return server;
}

function expectTimeout(error: unknown, message: string): void {
  assert.ok(error instanceof ODataClientError, inspect(error));
  assert.equal(error.code, "TIMEOUT");
  assert.equal(error.message, message);
  assert.ok(error.cause instanceof ODataClientError && error.cause.code === "TIMEOUT", "caused by the timeout step's error");
}

/** A client of `svc` whose OAuth2 token comes from `tokens`, without retries. */
function oauth2Client(svc: RecordingServer, tokens: RecordingServer, options: { csrf?: boolean; timeout: number }): ODataClient {
  return new ODataClient({
    serviceUrl: svc.url("odata/"),
    retry: false,
    ...options,
    auth: { oauth2: { tokenUrl: tokens.url("oauth/token"), clientId: "app", clientSecret: "s3cret-value" } },
  });
}

/**
 * A service that takes writes behind a CSRF token, a token endpoint that never answers, and an
 * OAuth2 client of the two with `timeout`; with the message of the TIMEOUT a write of Things gets there.
 */
async function csrfBehindSilentTokens(t: TestContext, timeout: number) {
  const tokens = await tokenEndpoint(t);
  const svc = await service(t);
  const client = oauth2Client(svc, tokens, { csrf: true, timeout });
  const silentTokenMessage = `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") got no answer for the CSRF token fetch (GET ${svc.url("odata/")}) within the timeout (option "timeout") of POST ${svc.url("odata/Things")}, which was not sent`;
  return { tokens, svc, client, silentTokenMessage };
}

test("with csrf: a silent token endpoint while the CSRF token fetch waits for its token names POST tokenUrl and the CSRF fetch, and the write was not sent", async (t) => {
  // Long enough for the token request to reach its server on a loaded machine (the server records
  // a request when its body has come: at 300 ms a fresh clone's loaded run once recorded none).
  const { tokens, svc, client, silentTokenMessage } = await csrfBehindSilentTokens(t, 1_000);
  const error = await rejectionOf(client.collection("Things").create({ ID: 1 }));
  expectTimeout(error, silentTokenMessage);
  await eventually(() => tokens.requests.length > 0, "the token request recorded");
  assert.deepEqual(tokens.requests.map((r) => `${r.method} ${r.path}`), ["POST /oauth/token"]);
  assert.equal(svc.requests.length, 0, "neither the CSRF fetch nor the write reached the service");
});

test("with csrf: a write that gives up while another still waits for the same CSRF token fetch names the token request too", async (t) => {
  const { tokens, svc, client, silentTokenMessage } = await csrfBehindSilentTokens(t, 400);
  const first = rejectionOf(client.collection("Things").create({ ID: 1 }));
  await eventually(() => tokens.requests.length === 1, "the token request");
  // Still waiting when the first write's timeout ends, so the CSRF fetch goes on for this one.
  const second = rejectionOf(client.collection("Things").create({ ID: 2 }));
  expectTimeout(await first, silentTokenMessage);
  const late = await second;
  assert.ok(late instanceof ODataClientError && late.code === "TIMEOUT", inspect(late));
  assert.match(late.message, /^the OAuth2 token endpoint POST .* \(option "auth\.oauth2\.tokenUrl"\) got no answer/);
  assert.equal(tokens.requests.length, 1, "one token request for both");
  assert.equal(svc.requests.length, 0);
});

test("a token refresh after a 401 that gets no answer: the TIMEOUT names POST tokenUrl and says the request was refused with 401 and not sent again", async (t) => {
  const tokens = await tokenEndpoint(t, 1);
  const svc = await service(t, true);
  // As above: long enough for the second token request to reach its server on a loaded machine.
  const client = oauth2Client(svc, tokens, { timeout: 1_000 });
  const error = await rejectionOf(client.collection("Things").create({ ID: 1 }));
  expectTimeout(
    error,
    `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") got no answer within the timeout (option "timeout") of POST ${svc.url("odata/Things")}, which the service refused with 401 and was not sent again`,
  );
  await eventually(() => tokens.requests.length > 1, "the second token request recorded");
  assert.deepEqual(tokens.requests.map((r) => `${r.method} ${r.path}`), ["POST /oauth/token", "POST /oauth/token"]);
  assert.deepEqual(svc.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization} ${r.body}`), ['POST /odata/Things Bearer tok-1 {"ID":1}']);
});

test("an auth.bearer token function that gives no token in time: the TIMEOUT names the token function, and nothing was sent; a caller's own abort still rejects with its reason", async (t) => {
  const svc = await service(t);
  let calls = 0;
  const client = new ODataClient({
    serviceUrl: svc.url("odata/"),
    retry: false,
    timeout: 200,
    auth: { bearer: () => (calls++, new Promise<string>(() => {})) },
  });
  const error = await rejectionOf(client.collection("Things").list());
  expectTimeout(
    error,
    `the token function (option "auth.bearer") gave no token within the timeout (option "timeout") of GET ${svc.url("odata/Things")}, which was not sent`,
  );
  assert.equal(calls, 1);
  assert.equal(svc.requests.length, 0);

  const controller = new AbortController();
  const reason = new Error("caller gave up");
  const pending = rejectionOf(client.collection("Things").list({ signal: controller.signal }));
  setTimeout(() => controller.abort(reason), 20);
  assert.equal(await pending, reason);
  assert.equal(svc.requests.length, 0);
});

test("with csrf: an auth.bearer token function that gives the CSRF token fetch no token in time is named, and the write was not sent", async (t) => {
  const svc = await service(t);
  const client = new ODataClient({
    serviceUrl: svc.url("odata/"),
    csrf: true,
    retry: false,
    timeout: 200,
    auth: { bearer: () => new Promise<string>(() => {}) },
  });
  const error = await rejectionOf(client.collection("Things").create({ ID: 1 }));
  expectTimeout(
    error,
    `the token function (option "auth.bearer") gave no token for the CSRF token fetch (GET ${svc.url("odata/")}) within the timeout (option "timeout") of POST ${svc.url("odata/Things")}, which was not sent`,
  );
  assert.equal(svc.requests.length, 0);
});
