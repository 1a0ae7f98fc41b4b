/**
 * A busy OAuth2 token endpoint (503 or 429, with or without `Retry-After`): the token request is
 * sent again under the client's option `retry` (its retries, delay and maxDelay; `false` or
 * `retries: 0` send it once), whatever the method of the request waiting for the token, and a
 * request whose signal aborts during the wait stops at once, leaving no timer. When the endpoint
 * stays busy, the `AUTH_FAILED` says it was busy and that the credentials are not in question,
 * rather than reading as a refusal. On a node:http token endpoint and service on 127.0.0.1.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, type ODataClientOptions } from "../src/index.js";
import { activeTimers, sendJson, startServer, waitFor, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const SECRET = "s3cret+/=&";

/** A token endpoint whose first `busy` requests are answered `status` with `headers`, the next ones with `tok-<n>`. */
async function tokenEndpoint(t: TestContext, busy: number, status: number, headers: Record<string, string> = {}): Promise<RecordingServer> {
  const server = await startServer((_request, res) => {
    const n = server.requests.length;
    if (n <= busy) return sendJson(res, status, { error: "temporarily_unavailable", error_description: "try later" }, headers);
    sendJson(res, 200, { access_token: `tok-${n}`, token_type: "Bearer", expires_in: 3600 });
  });
  t.after(() => server.close());
  return server;
}

/** A service that answers every request, recording the Authorization it came with. */
async function service(t: TestContext): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.method === "POST") return sendJson(res, 201, { ID: 1 });
    sendJson(res, 200, { value: [{ ID: 1 }] });
  });
  t.after(() => server.close());
  return server;
}

function clientFor(svc: RecordingServer, tokens: RecordingServer, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: svc.url("odata/"), auth: { oauth2: { tokenUrl: tokens.url("token"), clientId: "app", clientSecret: SECRET } }, ...options });
}

const wire = (requests: readonly RecordedRequest[]) => requests.map((request) => `${request.method} ${request.path} ${String(request.headers.authorization ?? "-")}`);

async function authFailure(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await rejectionOf(promise);
  assert.ok(error instanceof ODataClientError && error.code === "AUTH_FAILED", inspect(error));
  assert.ok(!error.message.includes(SECRET), error.message);
  return error;
}

test("a token endpoint answering 503 with Retry-After: 0 once is asked again, and the read goes out with the second token", async (t) => {
  const tokens = await tokenEndpoint(t, 1, 503, { "retry-after": "0" });
  const svc = await service(t);
  const lines: string[] = [];
  const client = clientFor(svc, tokens, { retry: { retries: 2, delay: 5 }, debug: (line) => void lines.push(line) });
  assert.deepEqual(await client.collection("Things").list(), [{ ID: 1 }]);
  assert.deepEqual(wire(tokens.requests), ["POST /token -", "POST /token -"]);
  assert.deepEqual(wire(svc.requests), ["GET /odata/Things Bearer tok-2"]);
  // The log tells the second token request for what it is.
  assert.deepEqual(lines.filter((line) => / > /.test(line)).map((line) => line.replace(/ http:\/\/\S+/, "").replace(/ \{.*$/, "")), [
    "#1 oauth2 > POST",
    "#2 oauth2 retry 1/2 > POST",
    "#3 > GET",
  ]);
});

test("a token endpoint answering 429 without Retry-After is asked again after the backoff, for a POST too, which itself is sent once", async (t) => {
  const tokens = await tokenEndpoint(t, 2, 429);
  const svc = await service(t);
  const client = clientFor(svc, tokens, { retry: { retries: 3, delay: 5 } });
  await client.collection("Things").create({ ID: 1 });
  assert.deepEqual(wire(tokens.requests), ["POST /token -", "POST /token -", "POST /token -"]);
  assert.deepEqual(wire(svc.requests), ["POST /odata/Things Bearer tok-3"]);
});

test("a token endpoint busy through every retry: AUTH_FAILED saying it was busy, not that the credentials are wrong; the service is not asked", async (t) => {
  const tokens = await tokenEndpoint(t, 9, 503, { "retry-after": "0" });
  const svc = await service(t);
  const error = await authFailure(clientFor(svc, tokens, { retry: { retries: 2, delay: 5 } }).collection("Things").list());
  assert.equal(
    error.message,
    `the OAuth2 token endpoint POST ${tokens.url("token")} (option "auth.oauth2.tokenUrl") was busy: it answered 503 (temporarily_unavailable: try later) to each of 3 token requests (option "retry" allows 2 retries); this is no refusal of the credentials (try again later)`,
  );
  assert.equal(tokens.requests.length, 3);
  assert.equal(svc.requests.length, 0);
});

for (const retry of [false, { retries: 0 }] as const) {
  test(`with retry ${JSON.stringify(retry)} a busy token endpoint is asked once, and the error says so`, async (t) => {
    const tokens = await tokenEndpoint(t, 1, 503);
    const svc = await service(t);
    const client = clientFor(svc, tokens, { retry });
    const error = await authFailure(client.collection("Things").list());
    assert.match(error.message, /\) was busy: it answered 503 \(temporarily_unavailable: try later\) and was not asked again \(option "retry" sends no request twice\); this is no refusal of the credentials \(try again later\)$/);
    assert.equal(tokens.requests.length, 1);
    assert.equal(svc.requests.length, 0);
    // A failed token request is not kept: the next read asks again.
    assert.deepEqual(await client.collection("Things").list(), [{ ID: 1 }]);
    assert.deepEqual(wire(svc.requests), ["GET /odata/Things Bearer tok-2"]);
  });
}

test("a Retry-After longer than retry.maxDelay is not waited for: one token request, and the error names the wait asked for", async (t) => {
  const tokens = await tokenEndpoint(t, 9, 503, { "retry-after": "120" });
  const svc = await service(t);
  const started = performance.now();
  const error = await authFailure(clientFor(svc, tokens, { retry: { retries: 3, delay: 5, maxDelay: 1_000 } }).collection("Things").list());
  assert.ok(performance.now() - started < 1_000);
  assert.match(error.message, /\) was busy: it answered 503 \(temporarily_unavailable: try later\) asking to wait 120 s \(Retry-After\), more than option "retry\.maxDelay" \(1000 ms\) allows; this is no refusal of the credentials \(try again later\)$/);
  assert.equal(tokens.requests.length, 1);
  assert.equal(svc.requests.length, 0);
});

test("a read whose signal aborts while a busy token endpoint's Retry-After is waited out rejects at once with the reason, leaving no timer; nothing more is sent", async (t) => {
  const tokens = await tokenEndpoint(t, 9, 503, { "retry-after": "10" });
  const svc = await service(t);
  const client = clientFor(svc, tokens, { retry: { retries: 2, delay: 5 } });
  const timersBefore = activeTimers();
  const controller = new AbortController();
  const read = client.collection("Things").list({ signal: controller.signal });
  await waitFor(() => tokens.requests.length === 1 && activeTimers() > timersBefore, "the wait for Retry-After");
  const reason = new Error("stop");
  const started = performance.now();
  controller.abort(reason);
  await assert.rejects(read, (error) => error === reason);
  assert.ok(performance.now() - started < 1_000);
  assert.equal(activeTimers(), timersBefore);
  assert.equal(tokens.requests.length, 1);
  assert.equal(svc.requests.length, 0);
});

test("a read whose timeout ends while a busy token endpoint's Retry-After is waited out: TIMEOUT saying the endpoint was busy, the read not sent", async (t) => {
  const tokens = await tokenEndpoint(t, 9, 503, { "retry-after": "10" });
  const svc = await service(t);
  const error = await rejectionOf(clientFor(svc, tokens, { retry: { retries: 2, delay: 5 }, timeout: 150 }).collection("Things").list());
  assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", inspect(error));
  assert.equal(
    error.message,
    `the OAuth2 token endpoint POST ${tokens.url("token")} (option "auth.oauth2.tokenUrl") was busy (answered 503, asking to wait 10 s) within the timeout (option "timeout") of GET ${svc.url("odata/Things")}, which was not sent`,
  );
  assert.equal(tokens.requests.length, 1);
  assert.equal(svc.requests.length, 0);
});
