/**
 * Foreign causes that hold a secret in a nested field (over node:http on 127.0.0.1): the error of
 * an HTTP library thrown by an `auth.bearer` function, with the request it sent to the identity
 * provider (`config.headers.Authorization`, a form body with `client_secret=`), and a custom
 * `fetch` whose failure carries the request it was given. What `console.error(error)` prints
 * (`util.inspect`) and `JSON.stringify(error)` must hold none of it, however the cause is built.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, ODataHttpError } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

const IDP_SECRET = "IDP-client-5ecret-4242";
const IDP_BASIC = Buffer.from(`app:${IDP_SECRET}`).toString("base64");
const SERVICE_TOKEN = "SERVICE-token-5ecret-7777";

async function service(t: { after: (fn: () => Promise<void>) => void }): Promise<RecordingServer> {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
  t.after(() => server.close());
  return server;
}

/** What a program prints of an error: `console.error` (util.inspect, all the way down) and a JSON log line. */
function printed(error: unknown): string {
  return `${inspect(error, { depth: Infinity })}\n${inspect(error, { depth: Infinity, showHidden: true })}\n${JSON.stringify(error)}`;
}

function assertNone(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `holds ${secret}:\n${text}`);
}

/** The error axios rejects with when a token endpoint answers 401: the request's config in it. */
function axiosLikeError(): Error {
  const error = Object.assign(new Error("Request failed with status code 401"), {
    name: "AxiosError",
    code: "ERR_BAD_REQUEST",
    config: {
      url: "https://idp.example/oauth/token",
      method: "post",
      headers: { Accept: "application/json", Authorization: `Basic ${IDP_BASIC}`, "Content-Type": "application/x-www-form-urlencoded" },
      data: `grant_type=client_credentials&client_secret=${IDP_SECRET}`,
      retries: [{ data: `client_secret=${IDP_SECRET}&grant_type=client_credentials` }],
    },
    response: { status: 401, data: { error: "invalid_client" } },
  });
  // axios keeps the same config on the response too.
  (error.response as Record<string, unknown>).config = error.config;
  return error;
}

test("an auth.bearer function's error with the token request in nested fields is printed with them masked, the rest as it was", async (t) => {
  const server = await service(t);
  const thrown = axiosLikeError();
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, auth: { bearer: () => Promise.reject(thrown) } });
  const error = await client.collection("Items").list().then(() => undefined, (reason: unknown) => reason);
  assert.equal(server.requests.length, 0, "nothing went to the service without a token");
  assert.ok(error instanceof ODataClientError && error.code === "AUTH_FAILED", inspect(error));
  assertNone(printed(error), [IDP_SECRET, IDP_BASIC]);

  const cause = error.cause as ReturnType<typeof axiosLikeError> & { config: Record<string, unknown> & { headers: Record<string, string> }; response: Record<string, unknown> };
  assert.ok(cause instanceof Error && cause !== thrown, "a redacted copy, still an Error");
  assert.equal(cause.name, "AxiosError");
  assert.equal(cause.message, "Request failed with status code 401");
  assert.deepEqual(cause.config.headers, { Accept: "application/json", Authorization: "***", "Content-Type": "application/x-www-form-urlencoded" });
  assert.equal(cause.config.data, "grant_type=client_credentials&client_secret=***");
  assert.deepEqual(cause.config.retries, [{ data: "client_secret=***&grant_type=client_credentials" }], "a form body's first parameter too");
  assert.equal(cause.config.url, "https://idp.example/oauth/token");
  assert.equal(cause.response.config, cause.config, "a member met twice is one copy");
  assert.deepEqual(cause.response.data, { error: "invalid_client" });
  assert.equal((thrown as unknown as { config: { data: string } }).config.data.endsWith(IDP_SECRET), true, "the caller's own error is left as it was");
});

test("a custom fetch's failure that carries the request (plain headers, a Headers, a Map, a Request) is printed with the token masked", async (t) => {
  const server = await service(t);
  const fetchThenFail = async (url: string, init: RequestInit): Promise<Response> => {
    await (await fetch(url, init)).text();
    const headers = new Headers(init.headers);
    throw Object.assign(new TypeError("fetch failed"), {
      request: { url, method: init.method, headers: Object.fromEntries(headers), sent: [[...headers]] },
      headers,
      byName: new Map([["authorization", headers.get("authorization")], ["accept", headers.get("accept")]]),
      original: new Request(url, init),
    });
  };
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, auth: { bearer: SERVICE_TOKEN }, fetch: fetchThenFail as typeof fetch });
  const error = await client.collection("Items").list().then(() => undefined, (reason: unknown) => reason);
  assert.equal(server.requests[0]?.headers.authorization, `Bearer ${SERVICE_TOKEN}`, "the token went out on the wire");
  assert.ok(error instanceof ODataClientError && error.code === "NETWORK_ERROR", inspect(error));
  assertNone(printed(error), [SERVICE_TOKEN]);

  // A Headers or a Map is copied as the plain object of its entries: what util.inspect shows of it.
  const cause = error.cause as TypeError & { request: { url: string; headers: Record<string, string> }; headers: Record<string, string>; byName: Record<string, string> };
  assert.ok(cause instanceof TypeError);
  assert.equal(cause.request.url, server.url("odata/Items"));
  assert.equal(cause.request.headers.authorization, "***");
  const accept = server.requests[0]?.headers.accept;
  assert.ok(accept !== undefined);
  assert.deepEqual([cause.headers.authorization, cause.headers.accept], ["***", accept]);
  assert.deepEqual(cause.byName, { authorization: "***", accept });
});

test("a failure's cause with cycles, getters and proxies that throw, huge, wide or deep members gives its error fast and prints no secret", async (t) => {
  const server = await service(t);
  const secret = `Bearer ${SERVICE_TOKEN}`;
  const cyclic: Record<string, unknown> = { headers: { authorization: secret } };
  cyclic.self = cyclic;
  const huge: Record<string, unknown> = {};
  for (let i = 0; i < 20_000; i++) huge[`k${i}`] = `value ${i}`;
  huge.authorization = secret;
  let deep: Record<string, unknown> = { authorization: secret };
  for (let i = 0; i < 10_000; i++) deep = { next: deep };
  const hidden = new TypeError("fetch failed");
  Object.defineProperty(hidden, "request", { value: { cookie: "sid=5ecret-cookie-value" }, enumerable: false });
  const members: Record<string, unknown> = {
    cyclic,
    throwing: Object.defineProperty({ token: SERVICE_TOKEN }, "boom", { enumerable: true, get: () => { throw new Error("getter"); } }),
    proxy: new Proxy({}, { ownKeys: () => { throw new Error("trap"); } }),
    wide: Array.from({ length: 5_000 }, () => ({ text: "x".repeat(10_000), sent: secret })),
    huge,
    deep,
    list: new Array(1_000_000).fill(secret),
  };
  const failures = [...Object.entries(members).map(([name, member]) => Object.assign(new TypeError("fetch failed"), { [name]: member })), hidden];
  let failure: TypeError | undefined;
  const client = new ODataClient({
    serviceUrl: server.url("odata/"),
    retry: false,
    auth: { bearer: SERVICE_TOKEN },
    fetch: (async (url: string, init: RequestInit) => {
      await (await fetch(url, init)).text();
      throw failure;
    }) as typeof fetch,
  });
  for (failure of failures) {
    const what = inspect(Object.keys(failure));
    const started = performance.now();
    const error = await client.collection("Items").list().then(() => undefined, (reason: unknown) => reason);
    const took = performance.now() - started;
    assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${SERVICE_TOKEN}`, what);
    assert.ok(error instanceof ODataClientError && error.code === "NETWORK_ERROR" && error.cause instanceof TypeError, `${what}: ${inspect(error)}`);
    // Generous against a busy machine; a walk that grew with the square of the members took seconds.
    assert.ok(took < 2_000, `${what}: took ${took} ms`);
    assertNone(printed(error), [SERVICE_TOKEN, "5ecret-cookie-value"]);
  }
  const causeOf = async () => ((await client.collection("Items").list().then(() => undefined, (reason: unknown) => reason)) as Error).cause;
  const hiddenCopy = await causeOf();
  assert.ok(hiddenCopy !== hidden && hiddenCopy instanceof TypeError);
  assert.deepEqual(Object.getOwnPropertyDescriptor(hiddenCopy, "request"), { value: { cookie: "***" }, writable: true, configurable: true, enumerable: false }, "a hidden member stays hidden, masked");
  failure = failures[0];
  const cyclicCopy = (await causeOf()) as { cyclic: { self: unknown; headers: unknown } };
  assert.equal(cyclicCopy.cyclic.self, cyclicCopy.cyclic, "a cycle stays a cycle in the copy");
  assert.deepEqual(cyclicCopy.cyclic.headers, { authorization: "***" });
  failure = Object.assign(new TypeError("fetch failed"), { code: "ECONNRESET", request: { url: server.url("odata/Items"), headers: { accept: "application/json" } } });
  assert.equal(await causeOf(), failure, "a cause whose fields quote no secret is kept as it is");
});

test("the secret a client sent, quoted bare by the cause of an error body's failed read, is masked there too", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 500, { error: { code: "E", message: "boom" } }));
  t.after(() => server.close());
  const client = new ODataClient({
    serviceUrl: server.url("odata/"),
    retry: false,
    auth: { bearer: SERVICE_TOKEN },
    // The body breaks off after its first bytes with a failure that echoes the token under a name that says nothing.
    fetch: (async (url: string, init: RequestInit) => {
      const answer = await fetch(url, init);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"error":'));
          controller.error(Object.assign(new TypeError("terminated"), { detail: { sentWith: SERVICE_TOKEN } }));
        },
      });
      return new Response(body, { status: answer.status, headers: answer.headers });
    }) as typeof fetch,
  });
  const error = await client.collection("Items").list().then(() => undefined, (reason: unknown) => reason);
  assert.equal(server.requests[0]?.headers.authorization, `Bearer ${SERVICE_TOKEN}`);
  assert.ok(error instanceof ODataHttpError && error.status === 500, inspect(error));
  assert.ok(error.cause instanceof TypeError, inspect(error));
  assert.deepEqual((error.cause as unknown as { detail: unknown }).detail, { sentWith: "***" });
  assertNone(printed(error), [SERVICE_TOKEN]);
});
