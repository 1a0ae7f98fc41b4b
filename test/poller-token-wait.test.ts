/**
 * A poll or result GET whose timeout ends while it waits for its token (an OAuth2 token endpoint
 * that does not answer, an `auth.bearer` function that gives nothing): the request was not sent,
 * so the `TIMEOUT` names the token source as a plain request's does, and the poller takes it as a
 * transient failure (rule 9) and polls again, as it does when the monitor itself gives no answer.
 * A caller's abort during the token wait still rejects at once with the caller's reason.
 */
import { before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, type AsyncPollerOptions, type ODataClientOptions } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { eventually, pause, rejectionOf } from "./async-poller-fixtures.js";

const POLLING: AsyncPollerOptions = { pollInterval: 1, maxWait: 30_000 };

/** A token endpoint that leaves the requests `stalls` picks unanswered and answers the others with `tok-<n>`. */
async function tokenEndpoint(t: TestContext, stalls: (n: number) => boolean): Promise<RecordingServer> {
  let n = 0;
  const server = await startServer((_request, res) => {
    n += 1;
    if (!stalls(n)) sendJson(res, 200, { access_token: `tok-${n}`, token_type: "Bearer", expires_in: 3600 });
  });
  t.after(() => server.close());
  return server;
}

/**
 * A service whose monitor `odata/$monitor/1` sends the poller with 303 to `odata/result/1`, or
 * (without `redirect`) answers the result itself (rule 5).
 */
async function monitorService(t: TestContext, redirect = false): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (redirect && request.path.includes("$monitor")) {
      res.writeHead(303, { location: "/odata/result/1" });
      res.end();
      return;
    }
    sendJson(res, 200, { ID: 1 });
  });
  t.after(() => server.close());
  return server;
}

function client(svc: RecordingServer, auth: ODataClientOptions["auth"], timeout: number, sent?: string[]): ODataClient {
  // `sent`: the requests handed to fetch, the token requests among them (one cut off by a short
  // timeout on a busy machine may never reach the server).
  const fetch: typeof globalThis.fetch = (input, init) => {
    sent?.push(`${init?.method ?? "GET"} ${input instanceof Request ? input.url : String(input)}`);
    return globalThis.fetch(input, init);
  };
  return new ODataClient({ serviceUrl: svc.url("odata/"), retry: false, timeout, auth, fetch });
}

function oauth2(tokens: RecordingServer): ODataClientOptions["auth"] {
  return { oauth2: { tokenUrl: tokens.url("oauth/token"), clientId: "app", clientSecret: "s3cret-value" } };
}

function wire(server: RecordingServer): string[] {
  return server.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization ?? "-"}`);
}

function expectTokenTimeout(error: unknown, message: string): void {
  assert.ok(error instanceof ODataClientError, inspect(error));
  assert.equal(error.code, "TIMEOUT");
  assert.equal(error.message, message);
  assert.ok(error.cause instanceof ODataClientError && error.cause.code === "TIMEOUT", "caused by the timeout step's error");
}

// The modules a poll loads on first use (the poller's, the auth steps') are loaded before the tests
// time anything: under tsx, on a busy machine, a cold load may outlast a short timeout.
before(async () => {
  const close: Array<() => Promise<void>> = [];
  try {
    const tokens = await startServer((_request, res) => sendJson(res, 200, { access_token: "tok", token_type: "Bearer", expires_in: 3600 }));
    close.push(() => tokens.close());
    const svc = await startServer((request, res) => {
      if (!request.path.includes("$monitor")) return sendJson(res, 200, { ID: 1 });
      res.writeHead(303, { location: "/odata/result/1" });
      res.end();
    });
    close.push(() => svc.close());
    for (const auth of [oauth2(tokens), { bearer: () => Promise.resolve("tok") }]) await client(svc, auth, 0).asyncPoller(svc.url("odata/$monitor/1"), POLLING).wait();
  } finally {
    await Promise.all(close.map((each) => each()));
  }
});

test("a silent OAuth2 token endpoint: poll() goes on (rule 9), and the fifth poll in a row rejects with the TIMEOUT naming POST tokenUrl; the monitor was asked nothing", async (t) => {
  const tokens = await tokenEndpoint(t, () => true);
  const svc = await monitorService(t);
  const sent: string[] = [];
  const poller = client(svc, oauth2(tokens), 100, sent).asyncPoller(svc.url("odata/$monitor/1"), POLLING);
  assert.equal(await poller.poll(), true);
  const error = await rejectionOf(poller.wait());
  expectTokenTimeout(
    error,
    `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") got no answer within the timeout (option "timeout") of GET ${svc.url("odata/$monitor/1")}, which was not sent`,
  );
  assert.deepEqual(sent, Array(5).fill(`POST ${tokens.url("oauth/token")}`), "one token request per poll, and nothing else");
  assert.deepEqual(wire(svc), []);
  assert.equal(poller.isDone(), false);
  assert.equal(poller.status(), "Running");
});

test("an auth.bearer function that gives no token: poll() goes on, and the fifth poll in a row rejects with the TIMEOUT naming the token function; the monitor was asked nothing", async (t) => {
  const svc = await monitorService(t);
  let calls = 0;
  const bearer = () => (calls++, new Promise<string>(() => {}));
  const poller = client(svc, { bearer }, 100).asyncPoller(svc.url("odata/$monitor/1"), POLLING);
  assert.equal(await poller.poll(), true);
  const error = await rejectionOf(poller.wait());
  expectTokenTimeout(error, `the token function (option "auth.bearer") gave no token within the timeout (option "timeout") of GET ${svc.url("odata/$monitor/1")}, which was not sent`);
  assert.equal(calls, 5);
  assert.deepEqual(wire(svc), []);
});

test("the result GET after a 303 whose token function gives no token: the TIMEOUT names the token function and the result URL, which got no request", async (t) => {
  const svc = await monitorService(t, true);
  let calls = 0;
  const bearer = () => (++calls === 1 ? "tok-monitor" : new Promise<string>(() => {}));
  const poller = client(svc, { bearer }, 300).asyncPoller(svc.url("odata/$monitor/1"), POLLING);
  // The monitor's 303 is read; the result GET waits for its token in vain: still to be had.
  assert.equal(await poller.poll(), true);
  assert.equal(poller.status(), "Succeeded");
  const error = await rejectionOf(poller.wait());
  expectTokenTimeout(error, `the token function (option "auth.bearer") gave no token within the timeout (option "timeout") of GET ${svc.url("odata/result/1")}, which was not sent`);
  assert.equal(calls, 6, "the monitor's token, then one per result GET");
  assert.deepEqual(wire(svc), ["GET /odata/$monitor/1 Bearer tok-monitor"]);
});

test("wait() polls again once the OAuth2 token endpoint answers after a stall, and resolves with the result", async (t) => {
  const tokens = await tokenEndpoint(t, (n) => n === 1);
  const svc = await monitorService(t);
  const poller = client(svc, oauth2(tokens), 300).asyncPoller(svc.url("odata/$monitor/1"), POLLING);
  assert.deepEqual(await poller.wait(), { ID: 1 });
  assert.equal(tokens.requests.length, 2);
  assert.deepEqual(wire(svc), ["GET /odata/$monitor/1 Bearer tok-2"]);
});

test("wait() fetches the result after a 303 once the token function gives a token again after a stall", async (t) => {
  const svc = await monitorService(t, true);
  let calls = 0;
  const bearer = () => {
    calls += 1;
    return calls === 2 ? new Promise<string>(() => {}) : `tok-${calls}`;
  };
  const poller = client(svc, { bearer }, 300).asyncPoller(svc.url("odata/$monitor/1"), POLLING);
  assert.deepEqual(await poller.wait(), { ID: 1 });
  assert.equal(calls, 3);
  assert.deepEqual(wire(svc), ["GET /odata/$monitor/1 Bearer tok-1", "GET /odata/result/1 Bearer tok-3"]);
});

test("a caller's abort while a poll waits for its token (after an earlier token wait timed out) rejects wait() at once with the caller's reason; nothing more is sent", async (t) => {
  const timeout = 500;
  const tokens = await tokenEndpoint(t, () => true);
  const svc = await monitorService(t);
  let calls = 0;
  const bearer = () => (calls++, new Promise<string>(() => {}));
  for (const [auth, asked] of [
    [oauth2(tokens), () => tokens.requests.length],
    [{ bearer }, () => calls],
  ] as const) {
    const poller = client(svc, auth, timeout).asyncPoller(svc.url("odata/$monitor/1"), POLLING);
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const before = asked();
    const waiting = rejectionOf(poller.wait(controller.signal));
    // The first token wait times out (a transient failure); the second poll waits for its token.
    await eventually(() => asked() === before + 2, "the second poll's token wait", 5_000);
    const abortedAt = performance.now();
    controller.abort(reason);
    assert.equal(await waiting, reason);
    const took = performance.now() - abortedAt;
    assert.ok(took < timeout - 100, `wait() rejected ${Math.round(took)} ms after the abort`);
    await pause(timeout + 100);
    assert.equal(asked(), before + 2, "no token asked for after the abort");
  }
  assert.deepEqual(wire(svc), []);
});
