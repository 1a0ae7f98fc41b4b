/**
 * No secret in any error: every error code the library throws (the list is the exported
 * `ODataErrorCode` table, so a new code without a case here fails this file) is provoked over node:http servers with
 * secret-bearing URLs (`access_token=`, `sig=`, `user:password@`) and secret headers (a bearer
 * token, basic credentials, a cookie, a CSRF token, a configured `x-api-key`, an OAuth2 client
 * secret), against a service (and a token endpoint) that echoes the request (its URL, credential
 * headers and form) in its answers' headers and bodies.
 * Each secret is then looked for in `message`, `String(error)`, `stack`, `util.inspect(error)`,
 * `JSON.stringify(error)` and the whole `cause` chain.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import type { ServerResponse } from "node:http";
import { AsyncOperationTimeoutError, ODataClient, ODataClientError, ODataErrorCode, ODataHttpError, createFilterBuilder, type ODataClientOptions } from "../src/index.js";
import { startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { isSecretHeaderName, redactUrl, SECRET_PARAMETER_NAMES } from "../src/util/redact.js";

// Every secret has "5ecret" in it, so that a leak is easy to spot in a failure message.
const ACCESS_TOKEN = "AT-5ecret-a1b2c3d4";
const SIGNATURE = "SIG-5ecret-e5f6g7h8";
const URL_PASSWORD = "PW-5ecret-i9j0k1l2";
const BEARER = "BEARER-5ecret-m3n4o5p6";
const BASIC_PASSWORD = "BASIC-5ecret-q7r8s9t0";
const BASIC = Buffer.from(`alice:${BASIC_PASSWORD}`, "utf8").toString("base64");
const COOKIE = "COOKIE-5ecret-u1v2w3x4";
const CSRF = "CSRF-5ecret-y5z6a7b8";
const API_KEY = "APIKEY-5ecret-c9d0e1f2";
const CLIENT_SECRET = "CLIENT-5ecret+/=&~ g3h4";
/** The client secret as HTTP basic client authentication sends it (RFC 6749 §2.3.1), and as a form field. */
const CLIENT_BASIC = Buffer.from(`app:${encodeURIComponent(CLIENT_SECRET)}`, "utf8").toString("base64");
const CLIENT_SECRET_FORM = new URLSearchParams({ s: CLIENT_SECRET }).toString().slice(2);
const SECRETS = [ACCESS_TOKEN, SIGNATURE, URL_PASSWORD, BEARER, BASIC_PASSWORD, BASIC, COOKIE, CSRF, API_KEY, CLIENT_SECRET, CLIENT_BASIC, CLIENT_SECRET_FORM];

/** The query that makes a URL secret-bearing. */
const SECRET_QUERY = `access_token=${ACCESS_TOKEN}&sig=${SIGNATURE}`;
const CRLF = "\r\n";

// --- the leaky service ---------------------------------------------------------------------------

type Variant = "bearer" | "basic";

/** What the service echoes of a request: its full URL (with a password added) and its credentials. */
interface Leak {
  url: string;
  headers: Record<string, string>;
  text: string;
  odataError: unknown;
}

function leakOf(server: RecordingServer, request: RecordedRequest): Leak {
  const url = `${server.origin.replace("://", `://alice:${URL_PASSWORD}@`)}${request.path}${request.path.includes("?") ? "&" : "?"}${SECRET_QUERY}`;
  const header = (name: string) => String(request.headers[name] ?? "");
  const text = [
    `${request.method} ${url}`,
    `Authorization: ${header("authorization")}`,
    `Cookie: ${header("cookie")}`,
    `X-API-Key: ${header("x-api-key")}`,
    `X-CSRF-Token: ${CSRF}`,
    `Location: /odata/next?${SECRET_QUERY}`,
  ].join("\n");
  return {
    url,
    headers: {
      authorization: header("authorization"),
      cookie: header("cookie"),
      "x-api-key": header("x-api-key"),
      "x-csrf-token": CSRF,
      "set-cookie": `sid=${COOKIE}`,
      "x-request-url": url,
      "content-location": url,
    },
    text,
    odataError: {
      error: {
        code: "LEAK",
        message: text,
        innererror: { request: { url, headers: { authorization: header("authorization"), cookie: header("cookie"), "x-api-key": header("x-api-key") } } },
      },
    },
  };
}

type LeakyHandler = (request: RecordedRequest, res: ServerResponse, leak: Leak) => void;

/** Writes an answer; `body` objects go as JSON. */
function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown = ""): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? {} : { "content-type": "application/json" };
  res.writeHead(status, { ...type, ...headers, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** An error answer that echoes everything: headers, a text body and an OData error. */
function leakyError(res: ServerResponse, status: number, leak: Leak): void {
  reply(res, status, leak.headers, leak.odataError);
}

/** The multipart batch body of `parts` (each an HTTP response text). */
function multipart(boundary: string, parts: string[]): string {
  return `${parts.map((part) => `--${boundary}${CRLF}Content-Type: application/http${CRLF}${CRLF}${part}`).join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
}

function httpResponse(status: string, headers: Record<string, string>, body: string): string {
  return [`HTTP/1.1 ${status}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), "", body].join(CRLF);
}

/** What a case gets: a leaky server, a client with every kind of secret, secret URLs. */
class Env {
  readonly servers: RecordingServer[] = [];

  constructor(
    readonly t: TestContext,
    readonly variant: Variant,
  ) {}

  /** A service that hands out a CSRF token (and a session cookie) and answers the rest with `handler`. */
  async server(handler: LeakyHandler): Promise<RecordingServer> {
    const server: RecordingServer = await startServer((request, res) => {
      if (String(request.headers["x-csrf-token"] ?? "").toLowerCase() === "fetch") {
        reply(res, 200, { "x-csrf-token": CSRF, "set-cookie": `csrf_session=${COOKIE}; Path=/` });
        return;
      }
      handler(request, res, leakOf(server, request));
    });
    this.t.after(() => server.close());
    this.servers.push(server);
    return server;
  }

  /** The client options with every secret: auth (bearer or basic), a cookie, an API key, CSRF. */
  options(server: RecordingServer, extra: Partial<ODataClientOptions> = {}): ODataClientOptions {
    const auth = this.variant === "bearer" ? { bearer: BEARER } : { basic: { username: "alice", password: BASIC_PASSWORD } };
    return { serviceUrl: server.url("odata/"), auth, headers: { "x-api-key": API_KEY, cookie: `session=${COOKIE}` }, csrf: true, retry: false, ...extra };
  }

  client(server: RecordingServer, extra: Partial<ODataClientOptions> = {}): ODataClient {
    return new ODataClient(this.options(server, extra));
  }

  /** `http://127.0.0.1:<port>/odata/<path>?access_token=…&sig=…` */
  secretUrl(server: RecordingServer, path: string): string {
    return `${server.url(`odata/${path}`)}${path.includes("?") ? "&" : "?"}${SECRET_QUERY}`;
  }

  /** The same with `alice:<password>@` before the host. */
  secretUrlWithPassword(server: RecordingServer, path: string): string {
    return this.secretUrl(server, path).replace("://", `://alice:${URL_PASSWORD}@`);
  }
}

/** A query whose URL carries the secret query (custom query options, as `sap-client` is given). */
function secretQuery(client: ODataClient, set: string) {
  return client.collection(set).param("access_token", ACCESS_TOKEN).param("sig", SIGNATURE);
}

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

/** A batch answer's failed result's error, for codes that live in results. */
function resultError(result: { ok: boolean; error?: unknown } | undefined): unknown {
  assert.ok(result && !result.ok, "expected a failed result");
  return result.error;
}

// --- the cases -------------------------------------------------------------------------------------

interface Case {
  code: ODataErrorCode;
  /** How the code is provoked, and which secrets can reach it. */
  what: string;
  provoke(env: Env): Promise<unknown>;
}

const CASES: Case[] = [
  {
    code: "HTTP_ERROR",
    what: "a read of a secret URL answered 500, the service echoing URL, credentials and cookies in headers, body and OData error",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "HTTP_ERROR",
    what: "a write (with a CSRF token) to a secret URL answered 400 with the echo",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 400, leak));
      return rejection(secretQuery(env.client(server), "Books").create({ ID: 1 }));
    },
  },
  {
    code: "ASYNC_NO_LOCATION",
    what: "createAsync on a secret URL answered 202 without Location (the echo in its headers and body)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 202, { ...leak.headers, "content-location": "" }, leak.text));
      return rejection(secretQuery(env.client(server), "Jobs").createAsync({ format: "csv" }));
    },
  },
  {
    code: "ASYNC_BAD_RESPONSE",
    what: "a secret monitor URL answered an application/http body that is no HTTP message (the echo text)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 200, { ...leak.headers, "content-type": "application/http" }, leak.text));
      return rejection(env.client(server).asyncPoller(env.secretUrl(server, "monitor/1")).poll());
    },
  },
  {
    code: "ASYNC_BAD_RESPONSE",
    what: "an application/http envelope whose inner header line is an Authorization without a colon",
    async provoke(env) {
      const server = await env.server((request, res) =>
        reply(res, 200, { "content-type": "application/http" }, `HTTP/1.1 200 OK${CRLF}Authorization ${String(request.headers["authorization"])}${CRLF}${CRLF}{}`),
      );
      return rejection(env.client(server).asyncPoller(env.secretUrl(server, "monitor/1")).poll());
    },
  },
  {
    code: "ASYNC_BAD_RESPONSE",
    what: "createAsync answered 202 with a Location that is an ftp URL with a password and a signature",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 202, { ...leak.headers, location: `ftp://alice:${URL_PASSWORD}@files.example/monitor?${SECRET_QUERY}` }));
      return rejection(secretQuery(env.client(server), "Jobs").createAsync({}));
    },
  },
  {
    code: "ASYNC_BAD_RESPONSE",
    what: "a monitor answered 202 with a Location that carries a user name and password",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 202, { location: leak.url }));
      return rejection(env.client(server).asyncPoller(env.secretUrl(server, "monitor/1")).poll());
    },
  },
  {
    code: "ASYNC_BAD_RESPONSE",
    what: "a status resource named a result URL that is an ftp URL with a password and a signature",
    async provoke(env) {
      const server = await env.server((_r, res, leak) =>
        reply(res, 200, leak.headers, { status: "succeeded", resourceLocation: `ftp://alice:${URL_PASSWORD}@files.example/result?${SECRET_QUERY}` }),
      );
      return rejection(env.client(server).asyncPoller(env.secretUrl(server, "monitor/1")).poll());
    },
  },
  {
    code: "HTTP_ERROR",
    what: "the result URL a status resource named (a secret URL) answered 403 with the echo",
    async provoke(env) {
      const server = await env.server((request, res, leak) =>
        request.path.includes("/result")
          ? leakyError(res, 403, leak)
          : reply(res, 200, leak.headers, { status: "succeeded", resourceLocation: env.secretUrl(server, "result/1") }),
      );
      return rejection(env.client(server).asyncPoller(env.secretUrl(server, "monitor/1")).poll());
    },
  },
  {
    code: "HTTP_ERROR",
    what: "a delta link with the secret query answered 410 with the echo",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 410, leak));
      const pages = env.client(server).delta(env.secretUrl(server, "Books?$deltatoken=7"));
      return rejection((async () => {
        for await (const page of pages) void page;
      })());
    },
  },
  {
    code: "ASYNC_OPERATION_CANCELLED",
    what: "cancel() of a poller on a secret monitor URL (statusUrl, message, toJSON)",
    async provoke(env) {
      const server = await env.server((request, res, leak) => (request.method === "DELETE" ? reply(res, 204, leak.headers) : reply(res, 202, leak.headers)));
      const poller = env.client(server).asyncPoller(env.secretUrl(server, "monitor/1"), { pollInterval: 1 });
      await poller.poll();
      await poller.cancel();
      return rejection(poller.wait());
    },
  },
  {
    code: "ASYNC_OPERATION_FAILED",
    what: "a secret monitor URL answered 200 with AsyncResult 500 and the echoing OData error",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 200, { ...leak.headers, asyncresult: "500" }, leak.odataError));
      return rejection(env.client(server).asyncPoller(env.secretUrl(server, "monitor/1")).poll());
    },
  },
  {
    code: "ASYNC_OPERATION_FAILED",
    what: "a failed operation resumed from its token (the failure message kept in the token)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 200, { ...leak.headers, asyncresult: "500" }, leak.odataError));
      const client = env.client(server);
      const poller = client.asyncPoller(env.secretUrl(server, "monitor/1"));
      await poller.poll().catch(() => {});
      return rejection(client.resumeAsync(JSON.parse(JSON.stringify(poller.toJSON()))).wait());
    },
  },
  {
    code: "ASYNC_OPERATION_PENDING",
    what: "result() of a running poller on a secret monitor URL",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 202, leak.headers));
      const poller = env.client(server).asyncPoller(env.secretUrl(server, "monitor/1"));
      return rejection(() => poller.result());
    },
  },
  {
    code: "ASYNC_OPERATION_TIMEOUT",
    what: "maxWait passed on a secret monitor URL that answered 503 with the echo (the cause is that answer)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 503, leak));
      const poller = env.client(server).asyncPoller(env.secretUrl(server, "monitor/1"), { pollInterval: 2_000, maxWait: 4_000 });
      assert.equal(await poller.poll(), true, "a 503 is transient");
      const error = await rejection(poller.wait());
      assert.ok((error as Error).cause instanceof ODataClientError, "the last transient answer is the cause");
      return error;
    },
  },
  {
    code: "AUTH_FAILED",
    what: "the bearer function threw an error that quotes the token endpoint with a password and a client secret, and an Authorization header",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      const client = new ODataClient({
        ...env.options(server),
        auth: {
          bearer: () => {
            throw new Error(
              `POST https://alice:${URL_PASSWORD}@idp.example/token?${SECRET_QUERY} failed; Authorization: Basic ${BASIC}; last token Bearer ${BEARER}`,
            );
          },
        },
      });
      return rejection(secretQuery(client, "Books").list());
    },
  },
  {
    code: "AUTH_FAILED",
    what: "the OAuth2 token endpoint (on a secret URL) refused the client credentials (in the body, or as basic with the basic variant) and echoed the whole request",
    async provoke(env) {
      const service = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      const tokens = await startServer((request, res) => {
        const echo = `${request.method} ${request.path} Authorization: ${String(request.headers.authorization)} ${request.body} ${CLIENT_SECRET}`;
        reply(res, 401, { "www-authenticate": `Basic realm="${CLIENT_SECRET}"` }, { error: "invalid_client", error_description: echo, request: echo });
      });
      env.t.after(() => tokens.close());
      const client = new ODataClient({
        ...env.options(service),
        auth: {
          oauth2: {
            tokenUrl: `${tokens.url("oauth/token")}?${SECRET_QUERY}`,
            clientId: "app",
            clientSecret: CLIENT_SECRET,
            clientAuthentication: env.variant === "basic" ? "basic" : "body",
          },
        },
      });
      const error = await rejection(secretQuery(client, "Books").list());
      assert.equal(tokens.requests.length, 1, "the token endpoint was asked");
      assert.ok(tokens.requests[0]!.body.includes(CLIENT_SECRET_FORM) || String(tokens.requests[0]!.headers.authorization).includes(CLIENT_BASIC), "the secret was in play");
      return error;
    },
  },
  {
    code: "BAD_BATCH_RESPONSE",
    what: "a batch part's header line is an Authorization without a colon: that part's result",
    async provoke(env) {
      const server = await env.server((request, res) => {
        const body = multipart("b", [`HTTP/1.1 200 OK${CRLF}Authorization ${String(request.headers["authorization"])}${CRLF}${CRLF}{}`]);
        reply(res, 200, { "content-type": "multipart/mixed; boundary=b" }, body);
      });
      const client = env.client(server);
      const batch = client.batch();
      const part = batch.request({ method: "GET", url: `Files?${SECRET_QUERY}` });
      await batch.send();
      const result = part.result();
      assert.ok(!result.ok && result.status === undefined, "the part's own result fails");
      assert.match(result.error.message, /has no name/);
      return result.error;
    },
  },
  {
    code: "BAD_PAYLOAD",
    what: "a batch part to a secret URL answered JSON that is not JSON (the echo text): that part's result",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => {
        const body = multipart("b", [httpResponse("200 OK", { "Content-Type": "application/json" }, leak.text)]);
        reply(res, 200, { "content-type": "multipart/mixed; boundary=b" }, body);
      });
      const batch = env.client(server).batch();
      const part = batch.request({ method: "GET", url: `Files?${SECRET_QUERY}` });
      await batch.send();
      const result = part.result();
      assert.ok(!result.ok && result.status === 200, "the part's own result fails");
      return result.error;
    },
  },
  {
    code: "BAD_FETCH_RESPONSE",
    what: "option fetch sent a request to a secret URL and resolved with something that is not a Response",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 200, leak));
      const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
        await globalThis.fetch(input, init).then((response) => response.text());
        return { status: "200 OK" };
      }) as unknown as typeof globalThis.fetch;
      return rejection(secretQuery(env.client(server, { fetch }), "Books").list());
    },
  },
  {
    code: "BAD_METADATA",
    what: "$metadata answered broken JSON that quotes a secret URL and the credentials (the cause is the parser's error)",
    async provoke(env) {
      const server = await env.server((request, res, leak) =>
        reply(res, 200, { "content-type": "application/json" }, `{"url": "${leak.url}", "Authorization": "${String(request.headers["authorization"])}" oops`),
      );
      return rejection(env.client(server).metadata());
    },
  },
  {
    code: "BAD_METADATA",
    what: "$metadata answered a document that starts with an Authorization header line",
    async provoke(env) {
      const server = await env.server((request, res) => reply(res, 200, { "content-type": "text/plain" }, `Authorization: ${String(request.headers["authorization"])}`));
      return rejection(env.client(server).metadata());
    },
  },
  {
    code: "BAD_PAYLOAD",
    what: "a page's next link is no URL and carries a password and the secret query",
    async provoke(env) {
      const server = await env.server((_r, res) => reply(res, 200, {}, { value: [], "@odata.nextLink": `http://alice:${URL_PASSWORD}@[bad/Books?${SECRET_QUERY}` }));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "BAD_PAYLOAD",
    what: "a page's delta link is no URL and carries the secret query",
    async provoke(env) {
      const server = await env.server((_r, res) => reply(res, 200, {}, { value: [], "@odata.deltaLink": `http://[bad/Books?${SECRET_QUERY}` }));
      return rejection(secretQuery(env.client(server), "Books").trackChanges().list());
    },
  },
  {
    code: "BAD_PAYLOAD",
    what: "a collection body breaks after a member whose name is a secret URL",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 200, { "content-type": "application/json" }, `{"value":[{"${leak.url}" 1}]}`));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "BAD_PAYLOAD",
    what: "an action on a secret URL answered JSON that is not JSON, quoting the credentials (the cause is JSON.parse's error)",
    async provoke(env) {
      const server = await env.server((request, res, leak) =>
        reply(res, 200, { "content-type": "application/json" }, `{"Authorization": "${String(request.headers["authorization"])}", "url": "${leak.url}" oops}`),
      );
      const client = env.client(server, { version: "2.0" });
      return rejection(client.action("Submit").invoke({ access_token: ACCESS_TOKEN, sig: SIGNATURE }));
    },
  },
  {
    code: "BAD_REDIRECT",
    what: "a read of a secret URL was redirected to an ftp URL with a password and the secret query",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 302, { ...leak.headers, location: `ftp://alice:${URL_PASSWORD}@files.example/x?${SECRET_QUERY}` }));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "BAD_REDIRECT",
    what: "a read of a secret URL was redirected to a URL with a user name and password",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 302, { location: leak.url }));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "BATCH_ANSWERED_EARLIER",
    what: "a continuation resumed elsewhere: the request answered before (to a secret URL) reads this code",
    async provoke(env) {
      const server = await env.server((request, res) => {
        if (request.method === "POST") {
          const body = multipart("r", [httpResponse("200 OK", { "Content-Type": "application/json" }, "{}"), httpResponse("202 Accepted", { Location: "monitor/1" }, "")]);
          reply(res, 200, { "content-type": "multipart/mixed; boundary=r" }, body);
          return;
        }
        reply(res, 200, { "content-type": "multipart/mixed; boundary=s" }, multipart("s", [httpResponse("204 No Content", {}, "")]));
      });
      const build = () => {
        const batch = env.client(server).batch();
        batch.request({ method: "GET", url: `Files?${SECRET_QUERY}` });
        batch.request({ method: "DELETE", url: `Files('1')?${SECRET_QUERY}` });
        return batch;
      };
      const continuation = (await build().send()).continuation;
      assert.ok(continuation);
      const results = await build().resumeAsync(JSON.parse(JSON.stringify(continuation.toJSON())), { pollInterval: 1 }).wait();
      return resultError(results[0]);
    },
  },
  {
    code: "BATCH_NOT_EXECUTED",
    what: "the service stopped before the second request (to a secret URL)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => {
        const body = multipart("b", [httpResponse("500 Internal Server Error", { "Content-Type": "application/json" }, JSON.stringify(leak.odataError))]);
        reply(res, 200, { "content-type": "multipart/mixed; boundary=b" }, body);
      });
      const batch = env.client(server).batch();
      batch.request({ method: "GET", url: `Files?${SECRET_QUERY}` });
      batch.request({ method: "GET", url: `Files?${SECRET_QUERY}&n=2` });
      const results = await batch.send();
      return resultError(results[1]);
    },
  },
  {
    code: "BATCH_NOT_SENT",
    what: "a handle's result() before send (the message names the request's position only)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      const batch = env.client(server).batch();
      const handle = batch.request({ method: "GET", url: `Files?${SECRET_QUERY}` });
      return rejection(() => handle.result());
    },
  },
  {
    code: "BATCH_PENDING",
    what: "a request to a secret URL still pending in a continuation",
    async provoke(env) {
      const server = await env.server((_r, res) => reply(res, 202, { location: "monitor/1" }));
      const batch = env.client(server).batch();
      batch.request({ method: "GET", url: `Files?${SECRET_QUERY}` });
      return resultError((await batch.send())[0]);
    },
  },
  {
    code: "BATCH_SENT",
    what: "a request added to a sent batch",
    async provoke(env) {
      const server = await env.server((_r, res) => reply(res, 200, { "content-type": "multipart/mixed; boundary=b" }, multipart("b", [httpResponse("204 No Content", {}, "")])));
      const batch = env.client(server).batch();
      batch.request({ method: "DELETE", url: `Files('1')?${SECRET_QUERY}` });
      await batch.send();
      return rejection(() => batch.request({ method: "GET", url: `Files?${SECRET_QUERY}` }));
    },
  },
  {
    code: "CREDENTIALS_IN_URL",
    what: "a poller on a monitor URL with a password and the secret query (refused at once)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 202, leak.headers));
      return rejection(() => env.client(server).asyncPoller(env.secretUrlWithPassword(server, "monitor/1")));
    },
  },
  {
    code: "METADATA_LOOKUP",
    what: "a model lookup of an entity set named by a secret URL",
    async provoke(env) {
      const server = await env.server((_r, res) =>
        reply(res, 200, {}, { $Version: "4.0", $EntityContainer: "S.C", S: { C: { $Kind: "EntityContainer" } } }),
      );
      const model = await env.client(server).metadata();
      return rejection(() => model.etagProperties(env.secretUrlWithPassword(server, "Books")));
    },
  },
  {
    code: "NETWORK_ERROR",
    what: "the connection to a secret URL dropped before an answer",
    async provoke(env) {
      const server = await env.server((_r, res) => res.socket?.destroy());
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "NETWORK_ERROR",
    what: "option fetch failed with an error that quotes the URL and every request header",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
        await globalThis.fetch(input, init).then((response) => response.text());
        const headers = JSON.stringify(Object.fromEntries(new Headers(init?.headers)));
        throw new TypeError(`fetch to ${String(input).replace("://", `://alice:${URL_PASSWORD}@`)} failed with headers ${headers}`);
      }) as typeof globalThis.fetch;
      return rejection(secretQuery(env.client(server, { fetch }), "Books").list());
    },
  },
  {
    code: "NEXT_LINK_LOOP",
    what: "a secret URL's page links back to itself",
    async provoke(env) {
      const server = await env.server((request, res) => reply(res, 200, {}, { value: [{ ID: 1 }], "@odata.nextLink": server.url(request.path.slice(1)) }));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "PARTITION_KEY_UNKNOWN",
    what: "partitions of a secret query whose $metadata answers 404 with the echo (the key cannot be known)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 404, leak));
      return rejection(secretQuery(env.client(server), "Books").partitions(2));
    },
  },
  {
    code: "HTTP_ERROR",
    what: "partitions of a secret query whose $metadata answers 503 with the echo (passed through: a later try may read it)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 503, leak));
      const error = await rejection(secretQuery(env.client(server), "Books").partitions(2));
      assert.equal((error as { status?: unknown }).status, 503);
      assert.match((error as Error).message, /\$metadata/);
      return error;
    },
  },
  {
    code: "NOT_IN_LAMBDA",
    what: "f.self outside a lambda while filtering a secret query (a builder error: no URL or header reaches it)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      return rejection(() => secretQuery(env.client(server), "Books").filter((f) => f.eq(f.self, 1)));
    },
  },
  {
    code: "TIMEOUT",
    what: "a secret URL that sends no answer within the timeout",
    async provoke(env) {
      const server = await env.server(() => {});
      return rejection(secretQuery(env.client(server, { timeout: 50 }), "Books").list());
    },
  },
  {
    code: "TOO_MANY_REDIRECTS",
    what: "a secret URL redirected round and round to secret URLs",
    async provoke(env) {
      let hop = 0;
      const server = await env.server((_r, res, leak) => reply(res, 302, { ...leak.headers, location: env.secretUrl(server, `Books?hop=${++hop}`) }));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "UNEXPECTED_REDIRECT",
    what: "a POST to a secret URL redirected in a runtime whose fetch hides where to (an opaque redirect)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => reply(res, 307, { ...leak.headers, location: leak.url }));
      const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
        const response = await globalThis.fetch(input, init);
        if (response.status < 300 || response.status >= 400) return response;
        await response.text();
        return { type: "opaqueredirect", status: 0, statusText: "", headers: new Headers(), body: null, url: "" };
      }) as unknown as typeof globalThis.fetch;
      return rejection(secretQuery(env.client(server, { fetch }), "Jobs").create({ ID: 1 }));
    },
  },
  {
    code: "UNSUPPORTED_BY_VERSION",
    what: "$search on an OData v2 query with the secret query (a builder error: no URL or header reaches it)",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      return rejection(() => secretQuery(env.client(server, { version: "2.0" }), "Books").search("x"));
    },
  },
  {
    code: "UNTRUSTED_NEXT_LINK",
    what: "a secret URL's page links to another origin, with a password and the secret query",
    async provoke(env) {
      const server = await env.server((_r, res) => reply(res, 200, {}, { value: [], "@odata.nextLink": `https://alice:${URL_PASSWORD}@elsewhere.example/Books?${SECRET_QUERY}` }));
      return rejection(secretQuery(env.client(server), "Books").list());
    },
  },
  {
    code: "VERSION_MISMATCH",
    what: "a v2 filter expression (comparing with a secret URL) used by a v4 query",
    async provoke(env) {
      const server = await env.server((_r, res, leak) => leakyError(res, 500, leak));
      const expression = createFilterBuilder("2.0").eq("url", `u:${URL_PASSWORD}?${SECRET_QUERY}`);
      return rejection(() => secretQuery(env.client(server), "Books").filter(expression));
    },
  },
];

// --- looking for the secrets -------------------------------------------------------------------------

/** Every text an error shows: its own and those of its cause chain. */
function textsOf(error: unknown): Record<string, string> {
  const texts: Record<string, string> = {
    "util.inspect": inspect(error, { depth: Infinity }),
    "util.inspect showHidden": inspect(error, { depth: Infinity, showHidden: true }),
  };
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const at = depth === 0 ? "error" : `cause ${depth}`;
    if (current instanceof Error) {
      texts[`${at}.message`] = current.message;
      texts[`String(${at})`] = String(current);
      texts[`${at}.stack`] = String(current.stack);
    } else {
      texts[`String(${at})`] = String(current);
    }
    try {
      texts[`JSON.stringify(${at})`] = JSON.stringify(current) ?? "";
    } catch (failure) {
      texts[`JSON.stringify(${at})`] = `(not serialisable: ${String(failure)})`;
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return texts;
}

/**
 * The beginnings (8 characters and more) of every secret: a message that clips a quoted text must
 * not show the first half of a password either.
 */
const SECRET_PREFIXES = SECRETS.flatMap((secret) => Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(0, 8 + i)));

function assertNoSecret(error: unknown, where: string): void {
  for (const [what, text] of Object.entries(textsOf(error))) {
    for (const prefix of SECRET_PREFIXES) {
      assert.ok(!text.includes(prefix), `${where}: ${what} holds (the start of) a secret, ${prefix}:\n${text}`);
    }
  }
}

describe("no secret in any error", () => {
  const codes: string[] = Object.values(ODataErrorCode);

  test("every code of the ODataErrorCode table has a case here, and every case's code is in the table", () => {
    const covered = new Set<string>(CASES.map((c) => c.code));
    assert.deepEqual(
      codes.filter((code) => !covered.has(code)),
      [],
      "codes of ODataErrorCode (src/errors.ts) without a case in test/redaction.test.ts",
    );
    assert.deepEqual(
      [...covered].filter((code) => !codes.includes(code)),
      [],
      "cases for codes that ODataErrorCode (src/errors.ts) no longer has",
    );
  });

  for (const variant of ["bearer", "basic"] as const) {
    describe(`with ${variant} auth`, { concurrency: true }, () => {
      for (const c of CASES) {
        test(`${c.code}: ${c.what}`, async (t) => {
          const env = new Env(t, variant);
          const error = await c.provoke(env);
          assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${inspect(error)}`);
          assert.equal(error.code, c.code, error.message);
          // The secrets were in play: every request the service saw carried the credentials.
          for (const server of env.servers) {
            for (const request of server.requests) {
              const sent = `${String(request.headers["authorization"])} ${String(request.headers["x-api-key"])} ${String(request.headers["cookie"])}`;
              assert.ok(sent.includes(variant === "bearer" ? BEARER : BASIC) && sent.includes(API_KEY) && sent.includes(COOKIE), sent);
            }
          }
          assertNoSecret(error, `${c.code} (${c.what})`);
          if (typeof error.toJSON === "function") assertNoSecret(error.toJSON(), `${c.code} toJSON()`);
        });
      }
    });
  }
});

describe("the redaction itself", () => {
  test("error fields are redacted whoever builds the error: statusUrl, url, headers, body, odataError", () => {
    const timeout = new AsyncOperationTimeoutError("gave up", {
      statusUrl: `https://alice:${URL_PASSWORD}@host.example/monitor/1?${SECRET_QUERY}&keep=1`,
      status: "Running",
      percentComplete: 5,
      maxWait: 10,
    });
    assert.equal(timeout.statusUrl, "https://host.example/monitor/1?access_token=***&sig=***&keep=1");
    const http = new ODataHttpError({
      status: 401,
      method: "GET",
      url: `https://alice:${URL_PASSWORD}@host.example/Books?$top=1&${SECRET_QUERY}`,
      headers: { "x-api-key": API_KEY, "www-authenticate": 'Bearer realm="odata"', location: `/next?${SECRET_QUERY}`, "x-csrf-token": "Required" },
      body: `denied: Authorization: Bearer ${BEARER}`,
      odataError: { code: "401", message: `token ${ACCESS_TOKEN} expired; see /help?access_token=${ACCESS_TOKEN}`, innererror: { authorization: `Bearer ${BEARER}` } },
    });
    assert.equal(http.url, "https://host.example/Books?$top=1&access_token=***&sig=***");
    assert.deepEqual(http.headers, { "www-authenticate": 'Bearer realm="odata"', location: "/next?access_token=***&sig=***", "x-csrf-token": "Required" });
    assert.equal(http.body, "denied: Authorization: ***");
    assert.deepEqual(http.odataError?.innererror, { authorization: "***" });
    assert.doesNotMatch(http.odataError?.message ?? "", /access_token=AT/);
  });

  test("a foreign cause that quotes no secret is kept as it is; one that does is replaced by a redacted copy of the same class", () => {
    const clean = new TypeError("fetch failed");
    assert.equal(new ODataClientError("NETWORK_ERROR", "x", { cause: clean }).cause, clean);
    const leaky = new TypeError(`fetch to https://host.example/x?${SECRET_QUERY} failed`, { cause: new Error(`Cookie: sid=${COOKIE}`) });
    const error = new ODataClientError("NETWORK_ERROR", "x", { cause: leaky });
    assert.ok(error.cause instanceof TypeError);
    assert.equal((error.cause as Error).message, "fetch to https://host.example/x?access_token=***&sig=*** failed");
    assert.equal(((error.cause as Error).cause as Error).message, "Cookie: ***");
    assert.match(leaky.message, /AT-5ecret/, "the caller's own error object is left as it was");
  });

  test("the TypeErrors that quote a URL the caller gave mask its secrets", () => {
    const client = new ODataClient({ serviceUrl: "http://127.0.0.1:9/odata/" });
    assert.throws(
      () => client.asyncPoller(`http://alice:${URL_PASSWORD}@[bad/monitor?${SECRET_QUERY}`),
      (error: unknown) => error instanceof TypeError && /is not a URL/.test(error.message) && !SECRET_PREFIXES.some((prefix) => error.message.includes(prefix)),
    );
    assert.throws(
      () => new ODataClient({ serviceUrl: `odata?${SECRET_QUERY}` }),
      (error: unknown) => error instanceof TypeError && /serviceUrl/.test(error.message) && !SECRET_PREFIXES.some((prefix) => error.message.includes(prefix)),
    );
  });

  test("every credential query parameter is masked, in the query and in the fragment; the others stay", () => {
    for (const name of SECRET_PARAMETER_NAMES) {
      assert.equal(redactUrl(`https://host.example/x?$top=1&${name}=v-1&keep=2`), `https://host.example/x?$top=1&${name}=***&keep=2`, name);
      assert.equal(redactUrl(`https://host.example/cb#${name.toUpperCase()}=v-1`), `https://host.example/cb#${name.toUpperCase()}=***`, name);
    }
    assert.equal(redactUrl("https://host.example/x?sap-client=100&tokens=2"), "https://host.example/x?sap-client=100&tokens=2");
  });

  test("the credential query parameters the README names are masked in the URL and message of a 404 of a URL that carries them", async (t) => {
    // Written out here, not taken from the source's list: these are the names the README promises.
    const named = ["access_token", "sig", "key", "api_key", "password", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "X-Goog-Signature", "X-Goog-Credential"];
    const server = await startServer((_request, res) => reply(res, 404, {}, { error: { code: "404", message: "no such file" } }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
    let query = client.collection("Files").param("keep", "visible-1");
    for (const [i, name] of named.entries()) query = query.param(name, `value-5ecret-${i}`);
    const error = await rejection(query.list());
    assert.ok(error instanceof ODataHttpError && error.status === 404, inspect(error));

    const sent = server.requests[0]?.path ?? "";
    for (const [i, name] of named.entries()) assert.ok(sent.includes(`&${name}=value-5ecret-${i}`), `${name} was not sent: ${sent}`);
    const masked = `${server.url("odata/Files")}?keep=visible-1&${named.map((name) => `${name}=***`).join("&")}`;
    assert.equal(error.url, masked);
    assert.equal(error.message, `GET ${masked} failed with HTTP 404 Not Found [404]: no such file`);
    for (const text of [inspect(error, { showHidden: true }), JSON.stringify(error)]) assert.ok(!text.includes("5ecret"), text);
  });

  test("a query parameter named with a secret word is masked as a header of that name is, besides the exact names; sap-client, $filter, $skiptoken and tokens stay", () => {
    // Written out here, not taken from the source's list: the names masked before the rule of words, and those it adds.
    const exact = ["access_token", "id_token", "refresh_token", "token", "code", "sig", "signature", "key", "api_key", "apikey", "api-key", "client_secret", "secret", "password", "passwd", "pwd", "sap-password", "session", "sessionid", "jsessionid", "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential"];
    const named = ["subscription-key", "x-api-key", "auth_token", "access-token", "accessToken", "apiToken", "private_token", "clientSecret", "client-secret", "secret_key", "secretKey", "MYSAPSSO2", "Ocp-Apim-Subscription-Key", "session_id"];
    for (const name of [...exact, ...named]) {
      assert.equal(redactUrl(`https://host.example/svc/?$top=1&${name}=v-5ecret-1&keep=2`), `https://host.example/svc/?$top=1&${name}=***&keep=2`, name);
      assert.equal(redactUrl(`https://host.example/cb#x=1&${name}=v-5ecret-1`), `https://host.example/cb#x=1&${name}=***`, name);
      assert.equal(new ODataClientError("test:X", `see /next?${name}=v-5ecret-1 and more`).message, `see /next?${name}=*** and more`, name);
    }
    const plain = "https://host.example/svc/Items?sap-client=100&$filter=Name%20eq%20%27token%27&$skiptoken=abc&!deltatoken=d1&tokens=2&keys=3&sap-language=EN";
    assert.equal(redactUrl(plain), plain);
    assert.equal(new ODataClientError("test:X", `GET ${plain} failed`).message, `GET ${plain} failed`);
  });

  test("a secret-word parameter a step adds, or a next link carries, is masked in the error's url, message, inspect and the wire log", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("page=2")) return reply(res, 500, {}, { error: { code: "E", message: "boom" } });
      if (request.path.startsWith("/odata/Items?")) return reply(res, 200, {}, { value: [{ ID: 1 }], "@odata.nextLink": "Items?page=2&auth_token=NEXT-5ecret-99" });
      reply(res, 404, {}, { error: { code: "NF", message: "not found" } });
    });
    t.after(() => server.close());
    const lines: string[] = [];
    const apim = { name: "apim", handle: (request: { url: URL }, next: (request: never) => Promise<Response>) => (request.url.searchParams.set("subscription-key", "APIM-5ecret-0123"), next(request as never)) };
    const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, steps: [apim as never], debug: (line) => lines.push(line) });

    const notFound = await rejection(client.collection("Items").key(1).get());
    assert.equal(server.requests[0]?.path, "/odata/Items(1)?subscription-key=APIM-5ecret-0123", "the key went out on the wire");
    assert.ok(notFound instanceof ODataHttpError && notFound.status === 404, inspect(notFound));
    // The error names the request as the query made it; the wire log, as the step sent it.
    assert.equal(notFound.message, `GET ${server.url("odata/Items(1)")} failed with HTTP 404 Not Found [NF]: not found`);
    assert.match(lines[0] ?? "", /^#1 > GET http:\/\/127\.0\.0\.1:\d+\/odata\/Items\(1\)\?subscription-key=\*\*\* /);

    const page2 = await rejection(client.collection("Items").list());
    assert.equal(server.requests.at(-1)?.path, "/odata/Items?page=2&auth_token=NEXT-5ecret-99&subscription-key=APIM-5ecret-0123");
    assert.ok(page2 instanceof ODataHttpError && page2.status === 500, inspect(page2));
    assert.equal(page2.url, `${server.url("odata/Items")}?page=2&auth_token=***`);
    for (const text of [page2.message, inspect(page2, { showHidden: true }), JSON.stringify(page2), ...lines]) assert.ok(!text.includes("5ecret"), text);
    assert.ok(lines.length >= 4, lines.join("\n"));
  });

  test("a secret parameter whose name is percent-encoded (acc%65ss_token, %73ig) is masked in URLs and text, the rest kept as written; a malformed escape is left alone", () => {
    // A service decodes the name before it reads it: `%73ig` is `sig`, `access%5Ftoken` is `access_token`.
    for (const name of ["acc%65ss_token", "%73ig", "access%5Ftoken", "%41PI%5FKEY", "x%2Dapi%2Dkey", "client%5fsecret", "%73%69%67"]) {
      assert.equal(redactUrl(`https://host.example/x?$top=1&${name}=v-5ecret-1&keep=%41`), `https://host.example/x?$top=1&${name}=***&keep=%41`, name);
      assert.equal(redactUrl(`https://host.example/cb#x=1&${name}=v-5ecret-1`), `https://host.example/cb#x=1&${name}=***`, name);
      assert.equal(new ODataClientError("test:X", `see /next?${name}=v-5ecret-1 and https://host.example/x?a=%41&${name}=v-5ecret-2 too`).message, `see /next?${name}=*** and https://host.example/x?a=%41&${name}=*** too`, name);
    }
    // A name after a ";" or "?" in the value of another escaped one is still read as a name.
    assert.equal(redactUrl("https://host.example/x?a%41=1;%73ig=v-5ecret-1&b=2"), "https://host.example/x?a%41=1;%73ig=***&b=2");
    // Names that decode to no secret stay, as their plain forms do; malformed escapes neither throw nor mask.
    const plain = "https://host.example/x?skip%74oken=abc&%24top=1&%74okens=2&a%zz=1&%E0%A4=2&%=3&sap%2Dclient=100";
    assert.equal(redactUrl(plain), plain);
    assert.equal(new ODataClientError("test:X", `GET ${plain} failed`).message, `GET ${plain} failed`);
  });

  test("a next link and an error answer with a percent-encoded secret parameter name: masked in the error's url and message and in the wire log", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("page=2")) return reply(res, 500, {}, { error: { code: "E", message: `retry at ${server.url("odata/Items")}?%73ig=ERR-5ecret-77` } });
      if (request.path === "/odata/Items") return reply(res, 200, {}, { value: [{ ID: 1 }], "@odata.nextLink": "Items?page=2&acc%65ss_token=NEXT-5ecret-99" });
      reply(res, 404, {}, { error: { code: "NF", message: "not found" } });
    });
    t.after(() => server.close());
    const lines: string[] = [];
    const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: (line) => lines.push(line) });
    const error = await rejection(client.collection("Items").list());
    assert.deepEqual(
      server.requests.map((request) => request.path),
      ["/odata/Items", "/odata/Items?page=2&acc%65ss_token=NEXT-5ecret-99"],
      "the next link went out as the service wrote it",
    );
    assert.ok(error instanceof ODataHttpError && error.status === 500, inspect(error));
    assert.equal(error.url, `${server.url("odata/Items")}?page=2&acc%65ss_token=***`);
    assert.equal(error.message, `GET ${server.url("odata/Items")}?page=2&acc%65ss_token=*** failed with HTTP 500 Internal Server Error [E]: retry at ${server.url("odata/Items")}?%73ig=***`);
    assert.equal(error.odataError?.message, `retry at ${server.url("odata/Items")}?%73ig=***`);
    const page2 = lines.filter((line) => line.includes("page=2"));
    assert.ok(page2.some((line) => line.includes("> GET ") && line.includes("?page=2&acc%65ss_token=*** ")), lines.join("\n"));
    for (const text of [error.message, error.body, inspect(error, { showHidden: true }), JSON.stringify(error), ...lines]) assert.ok(!text.includes("5ecret"), text);
  });

  test("redactJson replaces what lies more than 32 levels deep with ***, and keeps a member named __proto__ an own member", () => {
    let deep: unknown = { "x-api-key": "DEEP-5ecret-1234", note: "Bearer DEEP-5ecret-5678" };
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const innererror = JSON.parse('{"__proto__":{"polluted":"yes"},"type":"T"}') as Record<string, unknown>;
    const error = new ODataHttpError({ status: 400, method: "GET", url: "https://host.example/x", headers: {}, body: "", odataError: { code: "C", message: "M", innererror: { deep, innererror } } });
    const copy = (error.odataError?.innererror as { innererror: Record<string, unknown> }).innererror;
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ["__proto__", "type"]);
    assert.equal(copy["polluted"], undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy, "__proto__")?.value, { polluted: "yes" });
    let level = (error.odataError?.innererror as { deep: unknown }).deep;
    let depth = 2;
    while (typeof level === "object" && level !== null) [level, depth] = [(level as { a: unknown }).a, depth + 1];
    assert.equal(level, "***");
    assert.equal(depth, 33, "the object at depth 33 is the first one replaced");
    assert.ok(!inspect(error, { depth: null }).includes("5ecret"));
  });

  test("a header whose name has credentials in it counts as a secret: left out of the error's headers, its Name: value masked in body and message", async (t) => {
    assert.equal(isSecretHeaderName("x-credentials"), true);
    const server = await startServer((_request, res) =>
      reply(res, 403, { "x-credentials": "XCRED-5ecret-1234", "x-tenant": "acme" }, { error: { code: "Denied", message: "not valid here: X-Credentials: XCRED-5ecret-1234" } }),
    );
    t.after(() => server.close());
    const error = await rejection(new ODataClient({ serviceUrl: server.url("odata/"), retry: false }).collection("Books").list());
    assert.ok(error instanceof ODataHttpError && error.status === 403, inspect(error));
    assert.equal(error.headers["x-credentials"], undefined);
    assert.equal(error.headers["x-tenant"], "acme", "a header not named like a credential is kept");
    assert.equal(error.odataError?.message, "not valid here: X-Credentials: ***");
    assert.equal(error.body, JSON.stringify({ error: { code: "Denied", message: "not valid here: X-Credentials: ***" } }));
    assert.match(error.message, /\[Denied\]: not valid here: X-Credentials: \*\*\*$/);
    assert.equal(new ODataClientError("test:X", "sent x-credentials: abcdefgh123").message, "sent x-credentials: ***");
  });

  test("a header counts as a secret by its name: credential headers and key, token, secret, password, session or signature names", () => {
    const secret = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-CSRF-Token", "x-api-key", "api-key", "X-Auth-Token", "Ocp-Apim-Subscription-Key", "x-client-secret", "x-password", "x-session-id", "x-amz-security-token", "x-signature"];
    const plain = ["x-tenant", "Accept-Language", "WWW-Authenticate", "Location", "Content-Type", "OData-Version", "Retry-After", "ETag"];
    assert.deepEqual(secret.filter((name) => !isSecretHeaderName(name)), []);
    assert.deepEqual(plain.filter((name) => isSecretHeaderName(name)), []);
  });

  test("a long run of word characters with no colon after it is read in time proportional to it; a secret name of up to 128 characters either side of its word is still masked", () => {
    // Once about a second per 40 KB, and growing with the square: text a service sends (a header
    // line, an error body) reaches the redaction of every message that quotes it.
    for (const run of ["token".repeat(20_000), "x".repeat(100_000), "password-".repeat(10_000)]) {
      const started = performance.now();
      assert.equal(new ODataClientError("test:X", `got ${run}`).message, `got ${run}`);
      assert.ok(performance.now() - started < 1_000, `${run.length} characters took ${(performance.now() - started).toFixed(0)} ms`);
    }
    const longName = `x-${"a".repeat(120)}-token-${"b".repeat(120)}`;
    assert.equal(new ODataClientError("test:X", `${longName}: s3cr3t`).message, `${longName}: ***`);
  });

  test("a long run of percent escapes in a query or text is read in time proportional to it; an escaped secret name after it is still masked", () => {
    // A name pattern whose first run could hold "%" too would try every escape of the run as the
    // one it needs, each with the rest of the run: about a second for 60 KB of "%41".
    const runs = [`?${"%41".repeat(100_000)}`, `?${"%41".repeat(100)}`.repeat(1_000), `?a${"%41a".repeat(50_000)}`, "&%".repeat(100_000), `?${"%41".repeat(100_000)}=${"x".repeat(100_000)}`];
    for (const run of runs) {
      const started = performance.now();
      assert.equal(new ODataClientError("test:X", `got ${run}&acc%65ss_token=v-5ecret-1`).message, `got ${run}&acc%65ss_token=***`);
      assert.equal(redactUrl(`https://host.example/x?q=1${run}&%73ig=v-5ecret-2`), `https://host.example/x?q=1${run}&%73ig=***`);
      assert.ok(performance.now() - started < 1_000, `${run.length} characters took ${(performance.now() - started).toFixed(0)} ms`);
    }
  });

  test("text that names no secret keeps its URLs exactly as written", () => {
    const message = "GET http://Host.example:80/a%20b?$filter=name eq 'x'&$top=1 failed: Basic authentication is off; X-CSRF-Token: Required";
    assert.equal(new ODataClientError("test:X", message).message, message);
  });
});
