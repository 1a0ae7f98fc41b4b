/**
 * OAuth2 client credentials (`auth: { oauth2 }`) against a node:http token endpoint and a node:http
 * service on 127.0.0.1: the form on the wire, client authentication in the body or as HTTP basic,
 * the token kept until shortly before it expires, one token request shared by concurrent
 * requests, a 401 answered by one refresh and one resend, the endpoint's failures, abort and
 * timeout, the options' checks, the wire log, and the client secret looked for everywhere.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, ODataHttpError, type ODataClientOptions, type OAuth2ClientCredentials } from "../src/index.js";
import { OAuth2TokenCache } from "../src/http/oauth2.js";
import { fetchTransport } from "../src/http/steps.js";
import { LIBRARY_VERSION } from "../src/options.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { eventually, rejectionOf } from "./async-poller-fixtures.js";
import { useFakeTime } from "./fake-time.js";

// A secret with characters that form encoding must escape (+ / = & % space, and non-ASCII).
const SECRET = "cl1ent-5ecret+/=&% ü~x";
const CLIENT_ID = "app-1234";
const SCOPE = "https://graph.microsoft.com/.default";

/** How the token endpoint answers its n-th request (1-based). */
type TokenAnswer = (n: number, request: RecordedRequest, res: ServerResponse, req: IncomingMessage) => void | Promise<void>;

/** By default: `tok-<n>`, a Bearer token for an hour. */
const issueTokens: TokenAnswer = (n, _request, res) => sendJson(res, 200, { access_token: `tok-${n}`, token_type: "Bearer", expires_in: 3600 });

async function tokenEndpoint(t: TestContext, answer: TokenAnswer = issueTokens): Promise<RecordingServer> {
  let n = 0;
  const server = await startServer((request, res, req) => answer(++n, request, res, req));
  t.after(() => server.close());
  return server;
}

/** A service that takes the tokens in `accepted` (all when not given) and answers 401 otherwise. */
async function service(t: TestContext, accepted?: (token: string) => boolean): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
    if (token === undefined || (accepted !== undefined && !accepted(token))) {
      return sendJson(res, 401, { error: { code: "401", message: "token refused" } }, { "www-authenticate": 'Bearer error="invalid_token"' });
    }
    if (request.method === "POST") return sendJson(res, 201, { ID: 1, ...(JSON.parse(request.body) as object) });
    if (request.path.endsWith("/$count")) return sendText(res, 200, "3");
    sendJson(res, 200, { value: [{ ID: 1 }] });
  });
  t.after(() => server.close());
  return server;
}

function credentials(tokens: RecordingServer, extra: Partial<OAuth2ClientCredentials> = {}): OAuth2ClientCredentials {
  return { tokenUrl: tokens.url("tenant/oauth2/v2.0/token"), clientId: CLIENT_ID, clientSecret: SECRET, scope: SCOPE, ...extra };
}

function clientFor(svc: RecordingServer, tokens: RecordingServer, extra: Partial<OAuth2ClientCredentials> = {}, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: svc.url("odata/"), retry: false, auth: { oauth2: credentials(tokens, extra) }, ...options });
}

/** The form a request sent, as an object (every name once). */
function form(request: RecordedRequest): Record<string, string> {
  const params = new URLSearchParams(request.body);
  const fields: Record<string, string> = {};
  for (const [name, value] of params) {
    assert.equal(fields[name], undefined, `${name} is in the form twice`);
    fields[name] = value;
  }
  return fields;
}

const bearerOf = (request: RecordedRequest | undefined) => request?.headers.authorization;

async function authFailure(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await rejectionOf(promise);
  assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${inspect(error)}`);
  assert.equal(error.code, "AUTH_FAILED", error.message);
  return error;
}

/** Resolves when the server side of a request's connection closes (the client gave up on it). */
function closed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.once("close", () => resolve()));
}

describe("the token request", () => {
  test("is a form POST of grant_type, client_id, client_secret and scope to tokenUrl (client authentication in the body, the default)", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    const client = clientFor(svc, tokens);
    assert.equal(await client.collection("Things").countAll(), 3);

    assert.equal(tokens.requests.length, 1);
    const sent = tokens.requests[0]!;
    assert.equal(sent.method, "POST");
    assert.equal(sent.path, "/tenant/oauth2/v2.0/token");
    assert.equal(sent.headers["content-type"], "application/x-www-form-urlencoded");
    assert.equal(sent.headers.accept, "application/json");
    assert.equal(sent.headers.authorization, undefined, "no Authorization with the secret in the body");
    assert.deepEqual(form(sent), { grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: SECRET, scope: SCOPE });
    // The characters that form encoding escapes are escaped on the wire.
    assert.ok(sent.body.includes("client_secret=cl1ent-5ecret%2B%2F%3D%26%25+%C3%BC%7Ex"), sent.body);

    assert.equal(svc.requests.length, 1);
    assert.equal(bearerOf(svc.requests[0]), "Bearer tok-1");
  });

  test('clientAuthentication "basic" sends the form-encoded id and secret as HTTP basic (RFC 6749 §2.3.1), neither in the body; resource and audience go in the form', async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    const clientId = "sb-app!t123:x";
    const client = clientFor(svc, tokens, { clientId, clientAuthentication: "basic", scope: undefined, resource: "https://org.crm.dynamics.com", audience: "api://odata" });
    await client.collection("Things").list();

    const sent = tokens.requests[0]!;
    assert.deepEqual(form(sent), { grant_type: "client_credentials", resource: "https://org.crm.dynamics.com", audience: "api://odata" });
    const basic = /^Basic (.+)$/.exec(String(sent.headers.authorization))?.[1];
    assert.ok(basic, String(sent.headers.authorization));
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    assert.equal(decoded, "sb-app!t123%3Ax:cl1ent-5ecret%2B%2F%3D%26%25%20%C3%BC~x");
    const [id, secret] = decoded.split(":").map(decodeURIComponent);
    assert.deepEqual([id, secret], [clientId, SECRET]);
    assert.equal(bearerOf(svc.requests[0]), "Bearer tok-1");
  });

  test("goes to the token endpoint alone: the service's configured headers do not, and the service never sees the secret", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    const client = clientFor(svc, tokens, {}, { headers: { "x-api-key": "service-key", "sap-client": "100" } });
    await client.collection("Things").list();
    assert.equal(tokens.requests[0]!.headers["x-api-key"], undefined);
    assert.equal(tokens.requests[0]!.headers["sap-client"], undefined);
    assert.equal(svc.requests[0]!.headers["x-api-key"], "service-key");
    const seen = JSON.stringify(svc.requests);
    assert.ok(!seen.includes(SECRET) && !seen.includes(encodeURIComponent(SECRET)), seen);
  });

  test("carries the client's User-Agent, the default or option userAgent, as the service's requests do", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    await clientFor(svc, tokens).collection("Things").list();
    await clientFor(svc, tokens, {}, { userAgent: "nightly-sync/2.1" }).collection("Things").list();
    assert.deepEqual(
      tokens.requests.map((request) => request.headers["user-agent"]),
      [`traverse-odata/${LIBRARY_VERSION}`, "nightly-sync/2.1"],
    );
    assert.deepEqual(
      svc.requests.map((request) => request.headers["user-agent"]),
      [`traverse-odata/${LIBRARY_VERSION}`, "nightly-sync/2.1"],
    );
  });
});

describe("where the token goes", () => {
  /** A service whose Books answer with a 307 to `elsewhere`, and `elsewhere`, which records what it got. */
  async function redirectingService(t: TestContext): Promise<{ svc: RecordingServer; elsewhere: RecordingServer }> {
    const elsewhere = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 2 }] }));
    t.after(() => elsewhere.close());
    const svc = await startServer((request, res) => {
      if (!String(request.headers.authorization ?? "").startsWith("Bearer ")) return sendJson(res, 401, { error: { code: "401", message: "no token" } });
      res.writeHead(307, { location: elsewhere.url("files/Books") });
      res.end();
    });
    t.after(() => svc.close());
    return { svc, elsewhere };
  }

  test("a redirect to another origin gets no token, and no token is fetched for it", async (t) => {
    const tokens = await tokenEndpoint(t);
    const { svc, elsewhere } = await redirectingService(t);
    const page = await clientFor(svc, tokens).collection<{ ID: number }>("Books").page();
    assert.deepEqual(page.value, [{ ID: 2 }]);
    assert.equal(bearerOf(svc.requests[0]), "Bearer tok-1");
    assert.equal(elsewhere.requests.length, 1);
    assert.equal(bearerOf(elsewhere.requests[0]), undefined);
    assert.equal(tokens.requests.length, 1, "one token, for the service's own request");
  });

  test("an origin in trustedOrigins gets the service's token, on a redirect hop and on a next link", async (t) => {
    const tokens = await tokenEndpoint(t);
    const { svc, elsewhere } = await redirectingService(t);
    const trusting = clientFor(svc, tokens, {}, { trustedOrigins: [elsewhere.origin] });
    await trusting.collection<{ ID: number }>("Books").page();
    assert.equal(bearerOf(elsewhere.requests[0]), "Bearer tok-1");

    // A walk whose next link leads to the trusted origin.
    const paged = await startServer((request, res) => {
      if (!String(request.headers.authorization ?? "").startsWith("Bearer ")) return sendJson(res, 401, { error: { code: "401", message: "no token" } });
      sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": elsewhere.url("files/Books?page=2") });
    });
    t.after(() => paged.close());
    const walker = clientFor(paged, tokens, {}, { trustedOrigins: [elsewhere.origin] });
    const ids: number[] = [];
    for await (const row of walker.collection<{ ID: number }>("Books")) ids.push(row.ID);
    assert.deepEqual(ids, [1, 2]);
    assert.equal(bearerOf(elsewhere.requests[1]), `Bearer tok-2`, "the walking client's own token, fetched once");
    assert.equal(tokens.requests.length, 2);
  });
});

describe("the token cache", () => {
  test("one token request serves many service requests", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    const client = clientFor(svc, tokens);
    for (let i = 0; i < 5; i++) await client.collection("Things").list();
    await client.collection("Things").create({ Name: "x" });
    assert.equal(tokens.requests.length, 1);
    assert.deepEqual(svc.requests.map(bearerOf), Array(6).fill("Bearer tok-1"));
  });

  test("concurrent requests share one token request (single flight)", async (t) => {
    const tokens = await tokenEndpoint(t, async (n, request, res) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      issueTokens(n, request, res, undefined as never);
    });
    const svc = await service(t);
    const client = clientFor(svc, tokens);
    const counts = await Promise.all(Array.from({ length: 10 }, () => client.collection("Things").countAll()));
    assert.deepEqual(counts, Array(10).fill(3));
    assert.equal(tokens.requests.length, 1);
    assert.deepEqual(svc.requests.map(bearerOf), Array(10).fill("Bearer tok-1"));
  });

  test("a token is fetched again shortly before it expires (expires_in as a number or, as Entra's v1 endpoint sends it, a string)", async (t) => {
    for (const expiresIn of [2, "2"]) {
      const tokens = await tokenEndpoint(t, (n, _request, res) => sendJson(res, 200, { access_token: `tok-${n}`, token_type: "bearer", expires_in: expiresIn }));
      const svc = await service(t);
      const client = clientFor(svc, tokens);
      await client.collection("Things").list();
      await client.collection("Things").list();
      assert.equal(tokens.requests.length, 1, "kept while it is fresh");
      // A 2 s token is replaced once half of its life has passed.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await client.collection("Things").list();
      assert.equal(tokens.requests.length, 2, "fetched again before it expires");
      assert.deepEqual(svc.requests.map(bearerOf), ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
    }
  });

  /** A token cache on `tokens` whose clock the test moves by hand (`advance`), and its `token()`. */
  function handClockCache(tokens: RecordingServer): { token: () => Promise<string>; advance: (ms: number) => void } {
    let now = 1_000_000;
    const cache = new OAuth2TokenCache(
      { tokenUrl: new URL(tokens.url("token")), clientId: CLIENT_ID, clientSecret: SECRET, scope: undefined, resource: undefined, audience: undefined, clientAuthentication: "body" },
      { now: () => now },
    );
    const send = fetchTransport(globalThis.fetch);
    return { token: () => cache.token(send, undefined), advance: (ms) => void (now += ms) };
  }

  test("an hour's token is kept until a minute before it expires (a clock moved by hand)", async (t) => {
    const tokens = await tokenEndpoint(t);
    const clock = handClockCache(tokens);
    assert.equal(await clock.token(), "tok-1");
    clock.advance(3_539_000); // 59 min 59 s: 61 s left
    assert.equal(await clock.token(), "tok-1");
    clock.advance(2_000); // 59 s left
    assert.equal(await clock.token(), "tok-2");
    assert.equal(tokens.requests.length, 2);
  });

  test("a token that lives less than two minutes is kept for half its life (a clock moved by hand): expires_in 100 is fetched again after 50 s", async (t) => {
    const tokens = await tokenEndpoint(t, (n, _request, res) => sendJson(res, 200, { access_token: `tok-${n}`, token_type: "Bearer", expires_in: 100 }));
    const clock = handClockCache(tokens);
    assert.equal(await clock.token(), "tok-1");
    clock.advance(49_900); // 49.9 s of its 100 s gone
    assert.equal(await clock.token(), "tok-1");
    assert.equal(tokens.requests.length, 1, "kept until half its life has passed");
    clock.advance(200); // 50.1 s gone: 49.9 s left, far more than the minute an hour's token keeps
    assert.equal(await clock.token(), "tok-2");
    assert.equal(tokens.requests.length, 2);
  });

  test("a token without expires_in is kept until the service refuses it", async (t) => {
    const tokens = await tokenEndpoint(t, (n, _request, res) => sendJson(res, 200, { access_token: `tok-${n}`, token_type: "Bearer" }));
    let refuse = false;
    const svc = await service(t, (token) => !(refuse && token === "tok-1"));
    const client = clientFor(svc, tokens);
    await client.collection("Things").list();
    await client.collection("Things").list();
    assert.equal(tokens.requests.length, 1);
    refuse = true;
    await client.collection("Things").list();
    assert.equal(tokens.requests.length, 2);
    assert.deepEqual(svc.requests.map(bearerOf), ["Bearer tok-1", "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
  });

  test("each client keeps its own token", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    await clientFor(svc, tokens).collection("Things").list();
    await clientFor(svc, tokens).collection("Things").list();
    assert.deepEqual(svc.requests.map(bearerOf), ["Bearer tok-1", "Bearer tok-2"]);
  });
});

describe("a 401 from the service", () => {
  test("refreshes the token once and resends the request, body and all; later requests use the new token", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t, (token) => token !== "tok-1"); // tok-1 was revoked
    const client = clientFor(svc, tokens);
    const created = await client.collection("Things").create({ Name: "résumé" });
    assert.deepEqual(created, { ID: 1, Name: "résumé" });
    assert.equal(tokens.requests.length, 2);
    assert.deepEqual(svc.requests.map((r) => [r.method, bearerOf(r), r.body]), [
      ["POST", "Bearer tok-1", '{"Name":"résumé"}'],
      ["POST", "Bearer tok-2", '{"Name":"résumé"}'],
    ]);
    await client.collection("Things").list();
    assert.equal(tokens.requests.length, 2);
    assert.equal(bearerOf(svc.requests.at(-1)), "Bearer tok-2");
  });

  test("a $batch and a media upload of bytes refused with 401 are sent again with the new token and the same body", async (t) => {
    // A PNG signature and bytes that are no UTF-8 (0xff 0xfe, a lone 0x80), a NUL and an é.
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0xc3, 0xa9, 0x80]);
    const tokens = await tokenEndpoint(t);
    const svc = await startServer((request, res) => {
      // Each client's first token (tok-1, tok-3) is refused, as a revoked one would be.
      if (!/^Bearer tok-[24]$/.test(String(request.headers.authorization))) {
        return sendJson(res, 401, { error: { code: "401", message: "token refused" } }, { "www-authenticate": 'Bearer error="invalid_token"' });
      }
      if (request.path === "/odata/$batch") {
        const parts = [
          ["200 OK", JSON.stringify({ ID: 1, title: "One" })],
          ["201 Created", JSON.stringify({ ID: 2, title: "résumé" })],
        ].map(([status, body]) => `--r\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 ${status}\r\nContent-Type: application/json\r\n\r\n${body}\r\n`);
        res.writeHead(200, { "content-type": "multipart/mixed; boundary=r" });
        res.end(`${parts.join("")}--r--\r\n`);
        return;
      }
      res.writeHead(204).end();
    });
    t.after(() => svc.close());

    const batching = clientFor(svc, tokens);
    const books = batching.collection<{ ID: number; title: string }>("Books");
    const batch = batching.batch();
    const read = batch.get(books.key(1));
    const created = batch.create(books, { ID: 2, title: "résumé" });
    await batch.send();
    const [readResult, createResult] = [read.result(), created.result()];
    assert.ok(readResult.ok && createResult.ok, "both parts succeeded");
    assert.deepEqual([readResult.value, createResult.value], [{ ID: 1, title: "One" }, { ID: 2, title: "résumé" }]);

    await clientFor(svc, tokens).collection("Photos").key(1).media().put(bytes, { contentType: "image/png" });

    assert.equal(tokens.requests.length, 4);
    const [batch1, batch2, put1, put2] = svc.requests;
    assert.deepEqual(
      svc.requests.map((r) => `${r.method} ${r.path} ${bearerOf(r)}`),
      ["POST /odata/$batch Bearer tok-1", "POST /odata/$batch Bearer tok-2", "PUT /odata/Photos(1)/$value Bearer tok-3", "PUT /odata/Photos(1)/$value Bearer tok-4"],
    );
    assert.match(batch1!.body, /\r\nGET Books\(1\) HTTP\/1\.1\r\n[^]*\r\nPOST Books HTTP\/1\.1\r\n[^]*\{"ID":2,"title":"résumé"\}/);
    assert.equal(batch2!.body, batch1!.body);
    assert.equal(batch2!.headers["content-type"], batch1!.headers["content-type"], "the same boundary");
    for (const put of [put1!, put2!]) {
      assert.equal(put.headers["content-type"], "image/png");
      assert.equal(put.headers["content-length"], String(bytes.byteLength));
      // The server keeps the body as UTF-8 text. A body re-encoded as text on the way would be
      // longer (each byte that is no UTF-8 grows to three), an emptied or stringified one differs.
      assert.equal(put.body, Buffer.from(bytes).toString("utf8"));
    }
  });

  test("a second 401 is not resent: the request rejects with that 401", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t, () => false);
    const client = clientFor(svc, tokens);
    const error = await rejectionOf(client.collection("Things").list());
    assert.ok(error instanceof ODataHttpError, inspect(error));
    assert.equal(error.status, 401);
    assert.equal(tokens.requests.length, 2);
    assert.deepEqual(svc.requests.map(bearerOf), ["Bearer tok-1", "Bearer tok-2"]);
  });

  test("when the endpoint gives the refused token again, the 401 is the answer and nothing is resent", async (t) => {
    const tokens = await tokenEndpoint(t, (_n, _request, res) => sendJson(res, 200, { access_token: "tok-same", token_type: "Bearer", expires_in: 3600 }));
    const svc = await service(t, () => false);
    const error = await rejectionOf(clientFor(svc, tokens).collection("Things").list());
    assert.ok(error instanceof ODataHttpError && error.status === 401, inspect(error));
    assert.equal(tokens.requests.length, 2);
    assert.equal(svc.requests.length, 1);
  });

  test("concurrent 401s share one refresh", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t, (token) => token !== "tok-1");
    const client = clientFor(svc, tokens);
    const counts = await Promise.all(Array.from({ length: 5 }, () => client.collection("Things").countAll()));
    assert.deepEqual(counts, Array(5).fill(3));
    // One token for the five requests, one refresh for the five resends.
    assert.equal(tokens.requests.length, 2);
    assert.deepEqual(svc.requests.map(bearerOf).sort(), [...Array(5).fill("Bearer tok-1"), ...Array(5).fill("Bearer tok-2")]);
  });
});

describe("token endpoint failures reject with AUTH_FAILED and send nothing to the service", () => {
  const cases: { name: string; answer: TokenAnswer; message: RegExp }[] = [
    {
      name: "400 invalid_client, with its description",
      answer: (_n, _r, res) => sendJson(res, 400, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." }),
      message: /the OAuth2 token endpoint POST http:\/\/127\.0\.0\.1:\d+\/tenant\/oauth2\/v2\.0\/token \(option "auth\.oauth2\.tokenUrl"\) answered 400: invalid_client: AADSTS7000215: Invalid client secret provided\./,
    },
    {
      name: "500 with an HTML page",
      answer: (_n, _r, res) => sendText(res, 500, "<html>down</html>", { "content-type": "text/html" }),
      message: /token endpoint POST .* answered 500 \(no OAuth2 error in its text\/html body\)/,
    },
    {
      name: "200 with a body that is not JSON",
      answer: (_n, _r, res) => sendText(res, 200, "access_token=abc"),
      message: /answered 200 with a body that is not JSON \(text\/plain\)/,
    },
    {
      name: "200 without an access_token",
      answer: (_n, _r, res) => sendJson(res, 200, { token_type: "Bearer", expires_in: 3600 }),
      message: /answered 200 without an access_token/,
    },
    {
      name: "a token of another type than Bearer",
      answer: (_n, _r, res) => sendJson(res, 200, { access_token: "abc", token_type: "mac" }),
      message: /gave a token of type "mac"; only Bearer tokens can be sent/,
    },
    {
      name: "an access_token that cannot be sent in a header",
      answer: (_n, _r, res) => sendJson(res, 200, { access_token: "tok\r\nx-evil: 1", token_type: "Bearer" }),
      message: /gave an access_token that cannot be sent in a header/,
    },
    {
      name: "a redirect (not followed: the secret goes to tokenUrl alone)",
      answer: (_n, _r, res) => {
        res.writeHead(302, { location: "http://127.0.0.1:9/elsewhere" }).end();
      },
      message: /answered 302 \(a redirect, not followed: the credentials go to tokenUrl alone\)/,
    },
  ];
  for (const c of cases) {
    test(c.name, async (t) => {
      const tokens = await tokenEndpoint(t, c.answer);
      const svc = await service(t);
      const error = await authFailure(clientFor(svc, tokens).collection("Things").list());
      assert.match(error.message, c.message);
      assert.ok(!inspect(error, { showHidden: true }).includes(SECRET), error.message);
      assert.equal(tokens.requests.length, 1);
      assert.equal(svc.requests.length, 0);
    });
  }

  test("an endpoint that echoes the secret in its error has it masked", async (t) => {
    const tokens = await tokenEndpoint(t, (_n, request, res) =>
      sendJson(res, 401, { error: "invalid_client", error_description: `secret ${SECRET} (form ${request.body}) is wrong` }),
    );
    const svc = await service(t);
    const error = await authFailure(clientFor(svc, tokens).collection("Things").list());
    assert.match(error.message, /answered 401: invalid_client: secret \*\*\* \(form grant_type=client_credentials&client_id=app-1234&client_secret=\*\*\*/);
    const texts = [error.message, String(error), String(error.stack), inspect(error, { showHidden: true }), JSON.stringify(error)];
    for (const text of texts) {
      assert.ok(!text.includes(SECRET) && !text.includes(new URLSearchParams({ s: SECRET }).toString().slice(2)), text);
    }
  });

  test("a failed token request is not kept: the next request asks again", async (t) => {
    const tokens = await tokenEndpoint(t, (n, request, res) =>
      n === 1 ? sendJson(res, 503, { error: "temporarily_unavailable" }) : issueTokens(n, request, res, undefined as never),
    );
    const svc = await service(t);
    // Retries off (clientFor): the busy endpoint is asked once, and its error says it was busy, not
    // that the credentials were refused (hunt41-http-oauth2-busy.test.ts: asked again under `retry`).
    const client = clientFor(svc, tokens);
    const error = await authFailure(client.collection("Things").list());
    assert.match(error.message, /\) was busy: it answered 503 \(temporarily_unavailable\) and was not asked again \(option "retry" sends no request twice\); this is no refusal of the credentials/);
    assert.equal(await client.collection("Things").countAll(), 3);
    assert.equal(tokens.requests.length, 2);
    assert.equal(bearerOf(svc.requests[0]), "Bearer tok-2");
  });

  test("an endpoint that cannot be reached rejects with NETWORK_ERROR naming it", async (t) => {
    const gone = await startServer(() => {});
    const tokenUrl = gone.url("token");
    await gone.close();
    const svc = await service(t);
    const client = new ODataClient({ serviceUrl: svc.url("odata/"), retry: false, auth: { oauth2: { tokenUrl, clientId: CLIENT_ID, clientSecret: SECRET } } });
    const error = await rejectionOf(client.collection("Things").list());
    assert.ok(error instanceof ODataClientError && error.code === "NETWORK_ERROR", inspect(error));
    assert.match(error.message, new RegExp(`POST ${tokenUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} failed before an answer arrived`));
    assert.equal(svc.requests.length, 0);
  });
});

describe("abort and timeout", () => {
  test("aborting a request while its token is fetched rejects with the signal's reason and closes the token request", async (t) => {
    let tokenClosed: Promise<void> | undefined;
    const tokens = await tokenEndpoint(t, (_n, _r, res) => {
      tokenClosed = closed(res);
    });
    const svc = await service(t);
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const listed = rejectionOf(clientFor(svc, tokens).collection("Things").list({ signal: controller.signal }));
    // Aborted while the token request is on the wire (the endpoint never answers it).
    await eventually(() => tokens.requests.length === 1, "the token request", 10_000);
    controller.abort(reason);
    const error = await listed;
    assert.equal(error, reason);
    assert.ok(tokenClosed, "the token request arrived");
    await tokenClosed;
    assert.equal(svc.requests.length, 0);
  });

  test("one caller's abort does not fail the token request that another caller shares", async (t) => {
    const tokens = await tokenEndpoint(t, async (n, request, res) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      issueTokens(n, request, res, undefined as never);
    });
    const svc = await service(t);
    const client = clientFor(svc, tokens);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const [aborted, count] = await Promise.allSettled([client.collection("Things").list({ signal: controller.signal }), client.collection("Things").countAll()]);
    assert.equal(aborted.status, "rejected");
    assert.deepEqual(count, { status: "fulfilled", value: 3 });
    assert.equal(tokens.requests.length, 1);
    assert.deepEqual(svc.requests.map(bearerOf), ["Bearer tok-1"]);
  });

  test("the client's timeout covers the token request: a silent endpoint rejects with TIMEOUT and its request is closed", async (t) => {
    let tokenClosed: Promise<void> | undefined;
    const tokens = await tokenEndpoint(t, (_n, _r, res) => {
      tokenClosed = closed(res);
    });
    const svc = await service(t);
    const started = Date.now();
    const error = await rejectionOf(clientFor(svc, tokens, {}, { timeout: 150 }).collection("Things").list());
    assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", inspect(error));
    assert.ok(Date.now() - started < 2_000);
    assert.ok(tokenClosed, "the token request arrived");
    await tokenClosed;
    assert.equal(svc.requests.length, 0);
  });

  test("the token request counts against the timeout: a token that takes 400 ms of a 600 ms timeout leaves the service request 200 ms (a fake clock)", async (t) => {
    const time = useFakeTime(t);
    // Both answer after 400 ms of the fake clock: either alone is within the timeout, both are not.
    const tokens = await tokenEndpoint(t, (n, request, res) => {
      setTimeout(() => issueTokens(n, request, res, undefined as never), 400);
    });
    let serviceClosed: Promise<void> | undefined;
    const svc = await startServer((_request, res) => {
      serviceClosed = closed(res);
      setTimeout(() => sendJson(res, 200, { value: [{ ID: 1 }] }), 400);
    });
    t.after(() => svc.close());
    let settled = false;
    const listed = rejectionOf(clientFor(svc, tokens, {}, { timeout: 600 }).collection("Things").list()).finally(() => {
      settled = true;
    });

    await time.nextTimer(400); // the token request is in
    const tokenAnswered = time.mark();
    time.tick(400);
    await time.nextTimer(400, { setAfter: tokenAnswered }); // the service request is in, 400 ms after the start
    assert.deepEqual(svc.requests.map(bearerOf), ["Bearer tok-1"]);
    time.tick(199);
    await time.realPause(50);
    assert.equal(settled, false, "599 ms after the start the request still waits");
    time.tick(1);
    const error = await time.within(listed);
    assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", inspect(error));
    assert.equal(error.message, `GET ${svc.url("odata/Things")} got no answer within 600 ms (option "timeout")`);
    assert.ok(serviceClosed, "the service request arrived");
    await time.within(serviceClosed);
    assert.equal(tokens.requests.length, 1);
    assert.equal(svc.requests.length, 1);
  });
});

describe("the option auth.oauth2", () => {
  const base = { tokenUrl: "https://login.example.com/t/oauth2/v2.0/token", clientId: "app", clientSecret: SECRET };
  function refused(oauth2: unknown, field: string): void {
    let caught: unknown;
    try {
      new ODataClient({ serviceUrl: "https://host.example/odata/", auth: { oauth2 } as unknown as ODataClientOptions["auth"] });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof TypeError, `expected a TypeError for ${field}, got ${inspect(caught)}`);
    assert.ok(caught.message.includes(`"${field}"`), caught.message);
    assert.ok(!caught.message.includes(SECRET), caught.message);
  }

  test("a tokenUrl over plain http is refused, except on a loopback address", () => {
    refused({ ...base, tokenUrl: "http://login.example.com/token" }, "auth.oauth2.tokenUrl");
    refused({ ...base, tokenUrl: "http://10.0.0.1/token" }, "auth.oauth2.tokenUrl");
    for (const tokenUrl of ["https://login.example.com/token", "http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9000/token"]) {
      assert.ok(new ODataClient({ serviceUrl: "https://host.example/odata/", auth: { oauth2: { ...base, tokenUrl } } }), tokenUrl);
    }
  });

  test("a tokenUrl over plain http is taken for a subdomain of localhost and any 127.x.x.x address, and refused for a name that only starts with localhost and for 0.0.0.0", async () => {
    // Taken: the token is asked for there, and the service gets it. A fetch of the test's answers
    // both, so that no name has to resolve.
    const tokenUrlUsed = async (tokenUrl: string): Promise<string[]> => {
      const calls: string[] = [];
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const url = String(input);
        calls.push(`${init?.method ?? "GET"} ${url} ${new Headers(init?.headers).get("authorization") ?? "-"}`);
        const body = url === tokenUrl ? { access_token: "tok-local", token_type: "Bearer", expires_in: 3600 } : { value: [] };
        return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
      };
      await new ODataClient({ serviceUrl: "https://host.example/odata/", fetch, retry: false, auth: { oauth2: { ...base, tokenUrl } } }).collection("X").page();
      return calls;
    };
    for (const tokenUrl of ["http://sub.localhost/token", "http://auth.localhost:8080/oauth/token", "http://127.1.2.3/token", "http://127.255.255.254:9000/token"]) {
      assert.deepEqual(await tokenUrlUsed(tokenUrl), [`POST ${tokenUrl} -`, "GET https://host.example/odata/X Bearer tok-local"], tokenUrl);
    }
    for (const host of ["localhost.evil.example", "0.0.0.0"]) {
      refused({ ...base, tokenUrl: `http://${host}/token` }, "auth.oauth2.tokenUrl");
      // Refused for being plain http: the same host over https is taken.
      assert.deepEqual(await tokenUrlUsed(`https://${host}/token`), [`POST https://${host}/token -`, "GET https://host.example/odata/X Bearer tok-local"], host);
    }
  });

  test("a tokenUrl that is missing, relative, not http(s), or carries a user name, password or fragment is refused", () => {
    for (const tokenUrl of [undefined, "", "/token", "ftp://login.example.com/token", `https://app:${SECRET}@login.example.com/token`, "https://login.example.com/token#x"]) {
      refused({ ...base, tokenUrl }, "auth.oauth2.tokenUrl");
    }
  });

  test("clientId and clientSecret must be non-empty strings; the secret is never echoed", () => {
    refused({ ...base, clientId: "" }, "auth.oauth2.clientId");
    refused({ ...base, clientId: 7 }, "auth.oauth2.clientId");
    refused({ ...base, clientSecret: "" }, "auth.oauth2.clientSecret");
    refused({ ...base, clientSecret: undefined }, "auth.oauth2.clientSecret");
    refused({ ...base, clientSecret: 12345678 }, "auth.oauth2.clientSecret");
  });

  test("scope, resource and audience must be non-empty strings when given; clientAuthentication is body or basic", () => {
    refused({ ...base, scope: "" }, "auth.oauth2.scope");
    refused({ ...base, scope: ["a", "b"] }, "auth.oauth2.scope");
    refused({ ...base, resource: 1 }, "auth.oauth2.resource");
    refused({ ...base, audience: "" }, "auth.oauth2.audience");
    refused({ ...base, clientAuthentication: "post" }, "auth.oauth2.clientAuthentication");
  });

  test("an unknown field, or oauth2 that is not an object, is refused naming it", () => {
    refused({ ...base, scopes: "x" }, "auth.oauth2.scopes");
    refused("https://login.example.com/token", "auth.oauth2");
    assert.throws(() => new ODataClient({ serviceUrl: "https://host.example/odata/", auth: { bearer: "x", oauth2: base } as unknown as ODataClientOptions["auth"] }), /"auth" must hold one of "bearer", "basic" or "oauth2"/);
  });

  test("optional fields given as undefined are fields not given", async (t) => {
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    const maybe = <T>(value: T | undefined): T | undefined => value;
    const client = clientFor(svc, tokens, { scope: maybe<string>(undefined), resource: maybe<string>(undefined), audience: maybe<string>(undefined), clientAuthentication: maybe<"basic">(undefined) });
    await client.collection("Things").list();
    assert.deepEqual(form(tokens.requests[0]!), { grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: SECRET });
  });
});

describe("the wire log and the secret", () => {
  test("the token request has its own line (oauth2), without its body or Authorization; a resend after a 401 is oauth2-retry", async (t) => {
    for (const clientAuthentication of ["body", "basic"] as const) {
      const tokens = await tokenEndpoint(t);
      const svc = await service(t, (token) => token !== "tok-1");
      const lines: string[] = [];
      const client = clientFor(svc, tokens, { clientAuthentication }, { debug: (line) => lines.push(line) });
      await client.collection("Things").countAll();
      const tokenUrl = tokens.url("tenant/oauth2/v2.0/token");
      const count = svc.url("odata/Things/$count");
      assert.deepEqual(
        lines.map((line) => line.replace(/ \d+ ms\b/, " N ms").replace(/ \{.*$/, "")),
        [
          `#1 oauth2 > POST ${tokenUrl}`,
          `#1 oauth2 < 200 POST ${tokenUrl} N ms`,
          `#2 > GET ${count}`,
          `#2 < 401 GET ${count} N ms`,
          `#3 oauth2 > POST ${tokenUrl}`,
          `#3 oauth2 < 200 POST ${tokenUrl} N ms`,
          `#4 oauth2-retry > GET ${count}`,
          `#4 oauth2-retry < 200 GET ${count} N ms`,
        ],
        clientAuthentication,
      );
      assert.match(lines[0]!, /\{"accept":"application\/json","content-type":"application\/x-www-form-urlencoded"\}$/);
      const log = lines.join("\n");
      for (const secret of [SECRET, encodeURIComponent(SECRET), "client_secret", "tok-1", "tok-2", "Basic "]) assert.ok(!log.includes(secret), `${secret} in:\n${log}`);
    }
  });

  test("the secret is nowhere: not in the wire log, the service's requests, the client, nor any error", async (t) => {
    const lines: string[] = [];
    const debug = (line: string) => lines.push(line);
    const texts: string[] = [];
    const look = (value: unknown) => texts.push(inspect(value, { depth: Infinity, showHidden: true }), JSON.stringify(value) ?? "", String(value));

    // A working client, and one whose endpoint echoes the whole request in its error.
    const tokens = await tokenEndpoint(t);
    const svc = await service(t);
    const client = clientFor(svc, tokens, { clientAuthentication: "basic" }, { debug });
    await client.collection("Things").list();
    look(client);
    look(client.collection("Things"));
    const echo = await tokenEndpoint(t, (_n, request, res) =>
      sendJson(res, 400, { error: "invalid_client", error_description: `${request.body} ${String(request.headers.authorization)} ${SECRET}` }),
    );
    for (const clientAuthentication of ["body", "basic"] as const) {
      const error = await authFailure(clientFor(svc, echo, { clientAuthentication }, { debug }).collection("Things").list());
      look(error);
      look(error.toJSON());
    }
    // A refused option.
    try {
      new ODataClient({ serviceUrl: svc.url("odata/"), auth: { oauth2: { tokenUrl: "http://login.example.com/t", clientId: "a", clientSecret: SECRET } } });
    } catch (error) {
      look(error);
    }

    const basic = Buffer.from(`${CLIENT_ID}:${encodeURIComponent(SECRET)}`).toString("base64");
    const forms = [SECRET, encodeURIComponent(SECRET), new URLSearchParams({ s: SECRET }).toString().slice(2), basic, SECRET.slice(0, 12)];
    const places: [string, string][] = [
      ["the wire log", lines.join("\n")],
      ["the service's requests", JSON.stringify(svc.requests)],
      ...texts.map((text, i): [string, string] => [`text ${i}`, text]),
    ];
    for (const [where, text] of places) {
      for (const secret of forms) assert.ok(!text.includes(secret), `${where} holds ${secret}:\n${text}`);
    }
    assert.ok(lines.some((line) => line.includes(" oauth2 > POST ")), "the log was on");
  });

  describe("a service that echoes the access token bare", () => {
    /** Tokens long enough to be masked (8 characters or more), one per token request. */
    const longToken = (n: number) => `oauth-access-token-${n}-0123456789`;
    const issueLongTokens: TokenAnswer = (n, _request, res) => sendJson(res, 200, { access_token: longToken(n), token_type: "Bearer", expires_in: 3600 });
    const tokenOf = (request: RecordedRequest) => String(request.headers.authorization ?? "").replace(/^Bearer /, "");

    test("a 403 quoting the token has it masked in message, body and odataError", async (t) => {
      const tokens = await tokenEndpoint(t, issueLongTokens);
      const svc = await startServer((request, res) => sendJson(res, 403, { error: { code: "Forbidden", message: `forbidden for ${tokenOf(request)}` } }));
      t.after(() => svc.close());
      const error = await rejectionOf(clientFor(svc, tokens).collection("Things").list());
      assert.ok(error instanceof ODataHttpError && error.status === 403, inspect(error));
      assert.equal(bearerOf(svc.requests[0]), `Bearer ${longToken(1)}`, "the token went on the wire");
      assert.equal(error.odataError?.message, "forbidden for ***");
      assert.equal(error.body, JSON.stringify({ error: { code: "Forbidden", message: "forbidden for ***" } }));
      assert.equal(error.message, `GET ${svc.url("odata/Things")} failed with HTTP 403 Forbidden [Forbidden]: forbidden for ***`);
      for (const text of [inspect(error, { showHidden: true }), JSON.stringify(error)]) assert.ok(!text.includes(longToken(1)), text);
    });

    test("a 401 refused again after the refresh, quoting both tokens, has both masked", async (t) => {
      const tokens = await tokenEndpoint(t, issueLongTokens);
      const seen: string[] = [];
      const svc = await startServer((request, res) => {
        seen.push(tokenOf(request));
        sendJson(res, 401, { error: { code: "401", message: `refused ${seen.join(", ")}` } }, { "www-authenticate": 'Bearer error="invalid_token"' });
      });
      t.after(() => svc.close());
      const error = await rejectionOf(clientFor(svc, tokens).collection("Things").list());
      assert.ok(error instanceof ODataHttpError && error.status === 401, inspect(error));
      assert.equal(tokens.requests.length, 2);
      assert.deepEqual(svc.requests.map(bearerOf), [`Bearer ${longToken(1)}`, `Bearer ${longToken(2)}`]);
      assert.equal(error.odataError?.message, "refused ***, ***");
      assert.equal(error.body, JSON.stringify({ error: { code: "401", message: "refused ***, ***" } }));
      assert.match(error.message, /failed with HTTP 401 Unauthorized \[401\]: refused \*\*\*, \*\*\*$/);
      for (const text of [inspect(error, { showHidden: true }), JSON.stringify(error)]) {
        for (const token of [longToken(1), longToken(2)]) assert.ok(!text.includes(token), text);
      }
    });
  });
});
