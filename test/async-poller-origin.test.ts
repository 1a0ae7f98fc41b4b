/**
 * The origin rule for pollers (spec/async-poller.md, "Cancel, resume, safety"): a status monitor
 * or result URL on another origin receives neither `Authorization`, `Cookie` nor the client's
 * configured headers, unless that origin is in `trustedOrigins`; every poller request still
 * carries `Accept: application/json` and the User-Agent.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { PipelineStep } from "../src/index.js";
import { EXPORT_RESULT, FAST, ownAsyncService, header, type TestClientOptions } from "./async-poller-fixtures.js";
import type { RecordedRequest } from "./servers/async-service.js";

const CREDENTIALS: TestClientOptions = {
  auth: { bearer: () => "s3cret-token" },
  headers: { "x-tenant": "t1", cookie: "session=abc" },
  userAgent: "origin-tests/1",
};

/** Which of the secrets a request carried. */
function secretsOf(request: RecordedRequest) {
  return {
    authorization: header(request, "authorization"),
    cookie: header(request, "cookie"),
    tenant: header(request, "x-tenant"),
  };
}

const ALL_SECRETS = { authorization: "Bearer s3cret-token", cookie: "session=abc", tenant: "t1" };
const NO_SECRETS = { authorization: undefined, cookie: undefined, tenant: undefined };

describe("a status monitor on another origin", { concurrency: true }, () => {
  test("receives neither Authorization, Cookie nor configured headers; the result URL there neither", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("monitor-on-foreign-origin", FAST, fixture.client(CREDENTIALS));
    assert.equal(poller.statusUrl, `${fixture.service.foreignOrigin}/monitor/1`);
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    const [post, ...rest] = fixture.service.requests;
    assert.ok(post);
    assert.equal(post.origin, fixture.service.origin);
    assert.deepEqual(secretsOf(post), ALL_SECRETS);
    assert.deepEqual(
      rest.map((r) => `${r.origin === fixture.service.foreignOrigin ? "foreign" : "own"} ${r.method} ${r.path}`),
      ["foreign GET /monitor/1", "foreign GET /monitor/1", "foreign GET /result/7"],
    );
    for (const request of rest) {
      assert.deepEqual(secretsOf(request), NO_SECRETS, `${request.method} ${request.url}`);
      assert.equal(header(request, "accept"), "application/json");
      assert.equal(header(request, "user-agent"), "origin-tests/1");
    }
  });

  test("receives them when the client lists that origin in trustedOrigins", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client({ ...CREDENTIALS, trustedOrigins: [fixture.service.foreignOrigin] });
    const poller = await fixture.start("monitor-on-foreign-origin", FAST, client);
    await poller.wait();
    assert.equal(fixture.service.requests.length, 4);
    for (const request of fixture.service.requests) assert.deepEqual(secretsOf(request), ALL_SECRETS, `${request.method} ${request.url}`);
  });

  test("DELETE of cancel() to it carries no credentials", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start(
      {
        description: "monitor on the other origin; DELETE answers 204",
        initial: [(c) => ({ status: 202, headers: { location: `${c.foreignOrigin}/monitor/1` } })],
        cancel: [{ status: 204 }],
      },
      FAST,
      fixture.client(CREDENTIALS),
    );
    await poller.cancel();
    const [cancel] = fixture.service.requestsOf("cancel");
    assert.ok(cancel);
    assert.equal(cancel.origin, fixture.service.foreignOrigin);
    assert.deepEqual(secretsOf(cancel), NO_SECRETS);
    assert.equal(header(cancel, "accept"), "application/json");
  });

  test("given to asyncPoller() as an absolute URL, receives no credentials", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("result-without-status");
    const poller = fixture.client(CREDENTIALS).asyncPoller(`${fixture.service.foreignOrigin}/monitor/9`, FAST);
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    const [poll] = fixture.service.requests;
    assert.ok(poll);
    assert.deepEqual(secretsOf(poll), NO_SECRETS);
  });

  test("does not receive an Authorization header that a custom pipeline step adds", async (t) => {
    const fixture = await ownAsyncService(t);
    const customAuth: PipelineStep = {
      name: "custom-auth",
      handle(request, next) {
        request.headers.set("authorization", "Custom from-step");
        return next(request);
      },
    };
    const poller = await fixture.start("monitor-on-foreign-origin", FAST, fixture.client({ steps: [customAuth] }));
    await poller.wait();
    const [post, ...rest] = fixture.service.requests;
    assert.equal(header(post, "authorization"), "Custom from-step");
    for (const request of rest) assert.equal(header(request, "authorization"), undefined, `${request.method} ${request.url}`);
  });
});

describe("a result URL on another origin", { concurrency: true }, () => {
  test("receives no credentials while the service's own monitor does", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("result-on-foreign-origin", FAST, fixture.client(CREDENTIALS));
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    const [monitor] = fixture.service.requestsOf("monitor");
    const [result] = fixture.service.requestsOf("result");
    assert.ok(monitor && result);
    assert.equal(monitor.origin, fixture.service.origin);
    assert.deepEqual(secretsOf(monitor), ALL_SECRETS);
    assert.equal(result.origin, fixture.service.foreignOrigin);
    assert.deepEqual(secretsOf(result), NO_SECRETS);
    assert.equal(header(result, "accept"), "application/json");
  });
});

test("a bearer function is called for every poller request to the service's own origin", async (t) => {
  const fixture = await ownAsyncService(t);
  let calls = 0;
  const client = fixture.client({ auth: { bearer: () => `token-${++calls}` } });
  const poller = await fixture.start("v4.0-envelope-crlf", FAST, client);
  await poller.wait();
  assert.deepEqual(
    fixture.service.requests.map((r) => header(r, "authorization")),
    ["Bearer token-1", "Bearer token-2", "Bearer token-3", "Bearer token-4"],
  );
});

test("every poller request goes through the client's own fetch", async (t) => {
  const fixture = await ownAsyncService(t);
  const seen: string[] = [];
  const client = fixture.client({
    fetch: (input, init) => {
      seen.push(`${init?.method ?? "GET"} ${String(input)}`);
      return fetch(input, init);
    },
  });
  const poller = await fixture.start("see-other", FAST, client);
  await poller.wait();
  const base = fixture.service.serviceUrl;
  assert.deepEqual(seen, [`POST ${base}Jobs`, `GET ${base}monitor/1`, `GET ${base}monitor/1`, `GET ${base}monitor/result/7`]);
});
