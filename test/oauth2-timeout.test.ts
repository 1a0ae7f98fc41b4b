/**
 * A token endpoint that does not answer within the request's timeout: the `TIMEOUT` names the
 * token request (`POST tokenUrl`, option `auth.oauth2.tokenUrl`), not the service request that
 * was never sent; a caller's own abort still rejects with the caller's reason.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { OAuth2TokenCache, oauth2Step } from "../src/http/oauth2.js";
import { fetchTransport } from "../src/http/steps.js";
import type { ODataRequest } from "../src/http/pipeline.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";
import { eventually, rejectionOf } from "./async-poller-fixtures.js";

/** A token endpoint that takes each request and never answers it. */
async function silentEndpoint(t: TestContext): Promise<RecordingServer> {
  const server = await startServer(() => {});
  t.after(() => server.close());
  return server;
}

/** The auth step of credentials for `tokens`, sending through fetch. */
function stepFor(tokens: RecordingServer, serviceOrigin: string) {
  const cache = new OAuth2TokenCache({
    tokenUrl: new URL(tokens.url("oauth/token")),
    clientId: "app",
    clientSecret: "s3cret",
    scope: undefined,
    resource: undefined,
    audience: undefined,
    clientAuthentication: "body",
  });
  return oauth2Step(cache, new Set([serviceOrigin]));
}

test("a token request cut off by the request's timeout rejects with TIMEOUT naming POST tokenUrl and auth.oauth2.tokenUrl, caused by the timeout step's error", async (t) => {
  const tokens = await silentEndpoint(t);
  const serviceUrl = "http://127.0.0.1:9/odata/Things";
  const controller = new AbortController();
  const request: ODataRequest = { method: "GET", url: new URL(serviceUrl), headers: new Headers(), signal: controller.signal, retry: true };
  const sent: string[] = [];
  const transport = fetchTransport(globalThis.fetch);
  const rejected = rejectionOf(stepFor(tokens, "http://127.0.0.1:9").handle(request, (r) => (sent.push(`${r.method} ${r.url.href}`), transport(r))));
  await eventually(() => tokens.requests.length === 1, "the token request");
  // As the timeout step aborts a request that got no answer in time.
  const timedOut = new ODataClientError("TIMEOUT", `GET ${serviceUrl} got no answer within 100 ms (option "timeout")`);
  controller.abort(timedOut);
  const error = await rejected;
  assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", inspect(error));
  assert.equal(
    error.message,
    `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") got no answer within the timeout (option "timeout") of GET ${serviceUrl}, which was not sent`,
  );
  assert.equal(error.cause, timedOut);
  assert.deepEqual(sent, [`POST ${tokens.url("oauth/token")}`]);
});

test("a caller's own abort while the token is fetched rejects with the caller's reason (an Error, or a TimeoutError DOMException as AbortSignal.timeout gives)", async (t) => {
  const tokens = await silentEndpoint(t);
  for (const reason of [new Error("caller gave up"), new DOMException("signal timed out", "TimeoutError")]) {
    const controller = new AbortController();
    const request: ODataRequest = { method: "GET", url: new URL("http://127.0.0.1:9/odata/Things"), headers: new Headers(), signal: controller.signal, retry: true };
    const before = tokens.requests.length;
    const rejected = rejectionOf(stepFor(tokens, "http://127.0.0.1:9").handle(request, fetchTransport(globalThis.fetch)));
    await eventually(() => tokens.requests.length === before + 1, "the token request");
    controller.abort(reason);
    assert.equal(await rejected, reason);
  }
});

// Needs the timeout step (src/http/steps.ts sendTimed) to keep a TIMEOUT that a step below gave
// rather than put its own in its place; until then the client reports `GET <service> got no answer`.
test("through the client: a silent token endpoint rejects with TIMEOUT naming the token request, and the service is never asked", async (t) => {
  const tokens = await silentEndpoint(t);
  const svc = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"value":[]}');
  });
  t.after(() => svc.close());
  const client = new ODataClient({
    serviceUrl: svc.url("odata/"),
    timeout: 150,
    retry: false,
    auth: { oauth2: { tokenUrl: tokens.url("oauth/token"), clientId: "app", clientSecret: "s3cret" } },
  });
  const error = await rejectionOf(client.collection("Things").list());
  assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", inspect(error));
  assert.equal(
    error.message,
    `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") got no answer within the timeout (option "timeout") of GET ${svc.url("odata/Things")}, which was not sent`,
  );
  assert.deepEqual(tokens.requests.map((r) => `${r.method} ${r.path}`), ["POST /oauth/token"]);
  assert.equal(svc.requests.length, 0);
});
