// "A link on another host gets a clear error that names what was wrong; no secret leaks", checked
// over the public surface for every place where a service hands the client a URL: next links (v4
// JSON, v2 JSON `__next`, v2 Atom `<link rel="next">` with and without `xml:base`, the next link of
// an operation's collection result), delta links and next links inside a delta, the `Location` of a
// 202 (createAsync, invokeAsync, batch sendAsync, a plain batch send, a batch part) and a monitor's
// later `Location`, a monitor's result URL (303, 204 with `Location`, `resourceLocation`), HTTP
// redirects (301/302/303/307/308) on reads, writes, `$metadata`, `$batch`, media, a poll and a
// result fetch, the CSRF token fetch, and the URLs a service writes that the client must not
// follow at all (`@odata.editLink`, `@odata.mediaReadLink`, v2 `__metadata.uri`/`media_src`, the
// `Location`/`Content-Location` of a create, the `Location` of a 200 monitor answer, a final
// delta link).
//
// Two real node:http servers on 127.0.0.1: the service and a "foreign" one (another port is
// another origin). The client has `auth: { bearer: "secret-token" }` and the configured headers
// `x-api-key: k1` and `cookie: sid=c00kie-secret`. Each case runs twice where the link is followed:
//   untrusted: the foreign server sees exactly the expected requests, none with Authorization,
//              x-api-key or Cookie; where the library refuses instead, the error has the expected
//              code, names the origin (or scheme) that was wrong, and no text of the error (message,
//              String, stack, toJSON, util.inspect) carries a secret;
//   trusted:   the same with `trustedOrigins: [foreign]`; there every foreign request carries all
//              three credentials (that direction matters too).
// Every request at the service's own origin must carry all three credentials.
// Then the protocol tricks, on next links, on Locations of the poller and on redirects: userinfo,
// other schemes (file:, javascript:, data:), the same host on another port, localhost vs
// 127.0.0.1, scheme-relative `//host/path`, backslashes, white space, a percent-encoded host and a
// host written as one number.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, type ODataClientOptions } from "../src/index.js";
import { ITEMS_METADATA, sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

const BEARER = "secret-token";
const API_KEY = "k1";
const COOKIE = "sid=c00kie-secret";
/** Texts that must never appear in an error: the bearer token, the cookie, a password of a link. */
const SECRET_TEXTS = [BEARER, "c00kie-secret", "pw-secret", "sigsecret"];

const FAST = { pollInterval: 1, maxWait: 10_000 } as const;
const LIMIT = { timeout: 15_000 };

interface Ctx {
  svc: RecordingServer;
  foreign: RecordingServer;
  /** The service's origin, `http://127.0.0.1:<port>`. */
  S: string;
  /** The foreign origin, `http://127.0.0.1:<other port>`. */
  F: string;
  /** `host:port` of each. */
  sHost: string;
  fHost: string;
  fPort: string;
  /** The service root, `${S}/odata/`. */
  root: string;
  /** Entities a walk delivered before it failed. */
  seen: unknown[];
}

type Answer = (ctx: Ctx, request: RecordedRequest, res: ServerResponse) => void;

interface Expect {
  /** How many requests the foreign server must see. */
  foreign: number;
  /** The call must reject with an `ODataClientError` of this code, whose message names `names`. */
  rejects?: { code: string | readonly string[]; names?: (ctx: Ctx) => string[] };
  /** The call must resolve; checks the value. */
  value?: (value: unknown, ctx: Ctx) => void;
  /** Extra checks on what the servers saw. */
  check?: (ctx: Ctx) => void;
}

interface LinkCase {
  name: string;
  version?: "2.0" | "4.0" | "4.01";
  csrf?: boolean;
  service: Answer;
  foreign?: Answer;
  run(client: ODataClient, ctx: Ctx): Promise<unknown>;
  untrusted: Expect;
  /** Where the link is followed at all: the same with the foreign origin in trustedOrigins. */
  trusted?: Expect;
}

// --- answers --------------------------------------------------------------------------------------

const items = (...ids: number[]) => ids.map((ID) => ({ ID }));
const ids = (value: unknown) => (value as { ID: number }[]).map((entity) => entity.ID);

const redirect = (status: number, location: string) => (res: ServerResponse) => {
  res.writeHead(status, { location, "content-length": "0" });
  res.end();
};
const accepted = (location: string) => (res: ServerResponse) => {
  res.writeHead(202, { location, "content-length": "0" });
  res.end();
};
const noContent = (res: ServerResponse, headers: Record<string, string> = {}) => {
  res.writeHead(204, headers);
  res.end();
};

const V2_ATOM = (body: string, base?: string) => `<?xml version="1.0" encoding="utf-8"?>
<feed${base === undefined ? "" : ` xml:base="${base}"`} xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices">
<id>Items</id><title type="text">Items</title><updated>2024-03-01T10:00:00Z</updated>
<entry><id>Items(1)</id><title/><updated>2024-03-01T10:00:00Z</updated><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">1</d:ID></m:properties></content></entry>
${body}
</feed>`;

function sendAtom(res: ServerResponse, text: string): void {
  res.writeHead(200, { "content-type": "application/atom+xml;type=feed", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** A walk that keeps what it delivered before it failed in `ctx.seen`. */
async function walk(iterable: AsyncIterable<unknown>, ctx: Ctx): Promise<unknown[]> {
  for await (const entity of iterable) ctx.seen.push(entity);
  return ctx.seen;
}

/** A JSON batch answer whose responses all succeed, for the requests with ids 1..n. */
const batchDone = (n: number) => ({ responses: Array.from({ length: n }, (_, i) => ({ id: String(i + 1), status: 200, body: { ID: 40 + i } })) });

// --- checks ---------------------------------------------------------------------------------------

function credentialsOf(request: RecordedRequest) {
  return {
    authorization: request.headers["authorization"],
    apiKey: request.headers["x-api-key"],
    cookie: request.headers["cookie"],
  };
}

function assertCarriesCredentials(request: RecordedRequest, where: string): void {
  const got = credentialsOf(request);
  assert.equal(got.authorization, `Bearer ${BEARER}`, `${where} ${request.method} ${request.path}: Authorization`);
  assert.equal(got.apiKey, API_KEY, `${where} ${request.method} ${request.path}: x-api-key`);
  assert.ok(String(got.cookie).includes(COOKIE), `${where} ${request.method} ${request.path}: Cookie ${String(got.cookie)}`);
}

function assertCarriesNoCredentials(request: RecordedRequest, where: string): void {
  assert.deepEqual(credentialsOf(request), { authorization: undefined, apiKey: undefined, cookie: undefined }, `${where} ${request.method} ${request.path} carried credentials`);
  const text = JSON.stringify(request.headers);
  for (const secret of SECRET_TEXTS) assert.ok(!text.includes(secret), `${where} ${request.method} ${request.path}: a header carries ${secret}`);
}

function assertNoSecretIn(error: unknown): void {
  const e = error as Error & { toJSON?: () => unknown };
  const texts = [e.message, String(e), e.stack ?? "", JSON.stringify(e), inspect(e, { depth: 6 })];
  for (const text of texts) for (const secret of SECRET_TEXTS) assert.ok(!text.includes(secret), `the error carries ${secret}: ${text.slice(0, 300)}`);
}

const wire = (server: RecordingServer) => server.requests.map((r) => `${r.method} ${r.path}`).join(", ") || "(nothing)";

type Mode = "untrusted" | "trusted";

async function runCase(t: { after(fn: () => Promise<void>): void }, c: LinkCase, mode: Mode): Promise<void> {
  let ctx!: Ctx;
  const svc = await startServer((request, res) => c.service(ctx, request, res));
  t.after(() => svc.close());
  const foreign = await startServer((request, res) => (c.foreign ?? ((_c, _r, r) => sendJson(r, 500, { error: "unexpected" })))(ctx, request, res));
  t.after(() => foreign.close());
  ctx = {
    svc,
    foreign,
    S: svc.origin,
    F: foreign.origin,
    sHost: new URL(svc.origin).host,
    fHost: new URL(foreign.origin).host,
    fPort: new URL(foreign.origin).port,
    root: svc.url("odata/"),
    seen: [],
  };
  const expect = mode === "trusted" ? c.trusted! : c.untrusted;
  const options: ODataClientOptions = {
    serviceUrl: ctx.root,
    retry: false,
    auth: { bearer: BEARER },
    headers: { "x-api-key": API_KEY, cookie: COOKIE },
    ...(c.version ? { version: c.version } : {}),
    ...(c.csrf ? { csrf: true } : {}),
    ...(mode === "trusted" ? { trustedOrigins: [ctx.F] } : {}),
  };
  const client = new ODataClient(options);
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await c.run(client, ctx) };
  } catch (error) {
    outcome = { ok: false, error };
  }

  // What reached the foreign origin.
  assert.equal(foreign.requests.length, expect.foreign, `the foreign server saw: ${wire(foreign)}`);
  for (const request of foreign.requests) {
    if (mode === "trusted") assertCarriesCredentials(request, "trusted foreign");
    else assertCarriesNoCredentials(request, "foreign");
  }
  // The service's own origin always gets them; a request that reached the service's server under
  // another host name (localhost) is another origin and gets none.
  for (const request of svc.requests) {
    if (request.headers.host === ctx.sHost) assertCarriesCredentials(request, "service");
    else assertCarriesNoCredentials(request, `service as ${request.headers.host}`);
  }

  if (expect.rejects) {
    if (outcome.ok) assert.fail(`resolved with ${JSON.stringify(outcome.value)?.slice(0, 200)} instead of rejecting with ${String(expect.rejects.code)}`);
    const error = outcome.error;
    assert.ok(error instanceof ODataClientError, `rejected with ${inspect(error)} instead of an ODataClientError`);
    const codes = typeof expect.rejects.code === "string" ? [expect.rejects.code] : expect.rejects.code;
    assert.ok(codes.includes(error.code), `code ${error.code} (${error.message}); expected ${codes.join(" or ")}`);
    for (const name of expect.rejects.names?.(ctx) ?? []) assert.ok(error.message.includes(name), `the message does not name ${name}: ${error.message}`);
    assertNoSecretIn(error);
  } else {
    if (!outcome.ok) {
      assertNoSecretIn(outcome.error);
      assert.fail(`rejected with ${inspect(outcome.error)}`);
    }
    expect.value?.(outcome.value, ctx);
  }
  expect.check?.(ctx);
}

/** One test per case, run against an untrusted foreign origin. */
function untrustedTests(cases: readonly LinkCase[]): void {
  for (const c of cases) {
    test(c.name, LIMIT, async (t) => {
      await runCase(t, c, "untrusted");
    });
  }
}

// --- the table ------------------------------------------------------------------------------------

/** Page 1 at the service names `link(ctx)` as its next link; page 2 (wherever) is item 2. */
function nextLinkCase(name: string, link: (ctx: Ctx) => string, untrusted: Expect, trusted?: Expect): LinkCase {
  return {
    name,
    service: (ctx, request, res) => {
      if (request.path === "/odata/Items") sendJson(res, 200, { value: items(1), "@odata.nextLink": link(ctx) });
      else sendJson(res, 200, { value: items(2) });
    },
    foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(2) }),
    run: (client, ctx) => walk(client.collection("Items"), ctx),
    untrusted,
    ...(trusted ? { trusted } : {}),
  };
}

const refusedNext = (names: (ctx: Ctx) => string[]): Expect => ({
  foreign: 0,
  rejects: { code: "UNTRUSTED_NEXT_LINK", names: (ctx) => [...names(ctx), ctx.S] },
  check: (ctx) => {
    assert.deepEqual(ids(ctx.seen), [1], "the entities of page 1 are delivered before the refusal");
    assert.equal(ctx.svc.requests.length, 1, `the service saw: ${wire(ctx.svc)}`);
  },
});
const followedNext: Expect = { foreign: 1, value: (value) => assert.deepEqual(ids(value), [1, 2]) };

const cases: Record<string, LinkCase[]> = {
  "next links": [
    nextLinkCase("v4 @odata.nextLink, absolute, same host on another port", (ctx) => `${ctx.F}/odata/Items?$skiptoken=2`, refusedNext((ctx) => [ctx.F]), followedNext),
    {
      name: "v2 JSON __next, absolute",
      version: "2.0",
      service: (ctx, _request, res) => sendJson(res, 200, { d: { results: items(1), __next: `${ctx.F}/odata/Items?$skiptoken=2` } }),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { d: { results: items(2) } }),
      run: (client, ctx) => walk(client.collection("Items"), ctx),
      untrusted: refusedNext((ctx) => [ctx.F]),
      trusted: followedNext,
    },
    {
      name: 'v2 Atom <link rel="next">, absolute',
      version: "2.0",
      service: (ctx, _request, res) => sendAtom(res, V2_ATOM(`<link rel="next" href="${ctx.F}/odata/Items?$skiptoken=2"/>`)),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { d: { results: items(2) } }),
      run: (client, ctx) => walk(client.collection("Items"), ctx),
      untrusted: refusedNext((ctx) => [ctx.F]),
      trusted: followedNext,
    },
    {
      name: 'v2 Atom <link rel="next">, relative under an xml:base on another origin',
      version: "2.0",
      service: (ctx, _request, res) => sendAtom(res, V2_ATOM(`<link rel="next" href="Items?$skiptoken=2"/>`, `${ctx.F}/odata/`)),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { d: { results: items(2) } }),
      run: (client, ctx) => walk(client.collection("Items"), ctx),
      untrusted: refusedNext((ctx) => [ctx.F]),
      trusted: { ...followedNext, check: (ctx) => assert.equal(ctx.foreign.requests[0]?.path, "/odata/Items?$skiptoken=2") },
    },
    {
      name: "the next link of a function's collection result",
      service: (ctx, _request, res) => sendJson(res, 200, { value: items(1), "@odata.nextLink": `${ctx.F}/odata/topItems()?$skiptoken=2` }),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(2) }),
      run: (client) => client.function("topItems").get(),
      untrusted: { foreign: 0, rejects: { code: "UNTRUSTED_NEXT_LINK", names: (ctx) => [ctx.F] } },
      trusted: followedNext,
    },
    {
      name: "pages(): the next link of page 1 is refused after page 1 is delivered, nothing is guessed early",
      service: (ctx, _request, res) => sendJson(res, 200, { value: items(1), "@odata.nextLink": `${ctx.F}/odata/Items?p=2` }),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(2) }),
      run: async (client, ctx) => {
        for await (const page of client.collection("Items").pages({ readAhead: 2 })) ctx.seen.push(...page.value);
        return ctx.seen;
      },
      untrusted: refusedNext((ctx) => [ctx.F]),
      trusted: followedNext,
    },
    {
      name: "page(): a foreign next link is given back absolute and not requested",
      service: (ctx, _request, res) => sendJson(res, 200, { value: items(1), "@odata.nextLink": `${ctx.F}/odata/Items?p=2` }),
      run: (client) => client.collection("Items").page(),
      untrusted: { foreign: 0, value: (value, ctx) => assert.equal((value as { nextLink?: string }).nextLink, `${ctx.F}/odata/Items?p=2`) },
    },
  ],

  "delta links": [
    {
      name: "client.delta() of a delta link on another origin",
      service: (_ctx, _request, res) => sendJson(res, 500, {}),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(7), "@odata.deltaLink": "Items?$deltatoken=8" }),
      run: async (client, ctx) => {
        const pages = [];
        for await (const page of client.delta(`${ctx.F}/odata/Items?$deltatoken=7`)) pages.push(page);
        return pages;
      },
      untrusted: { foreign: 0, rejects: { code: "UNTRUSTED_NEXT_LINK", names: (ctx) => [ctx.F] } },
      trusted: {
        foreign: 1,
        value: (value, ctx) => {
          const [page] = value as { changed: unknown[]; deltaLink?: string }[];
          assert.deepEqual(ids(page?.changed), [7]);
          // A relative delta link resolves against the service root, not the foreign page.
          assert.equal(page?.deltaLink, `${ctx.root}Items?$deltatoken=8`);
        },
      },
    },
    {
      name: "a next link inside a delta, on another origin",
      service: (ctx, _request, res) => sendJson(res, 200, { value: items(7), "@odata.nextLink": `${ctx.F}/odata/Items?$deltatoken=7&$skiptoken=2` }),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(8), "@odata.deltaLink": "Items?$deltatoken=9" }),
      run: async (client, ctx) => {
        for await (const page of client.delta("Items?$deltatoken=7")) ctx.seen.push(...page.changed);
        return ctx.seen;
      },
      untrusted: { foreign: 0, rejects: { code: "UNTRUSTED_NEXT_LINK", names: (ctx) => [ctx.F] }, check: (ctx) => assert.deepEqual(ids(ctx.seen), [7]) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(ids(value), [7, 8]) },
    },
    {
      name: "v2 __delta on another origin is given back, not requested",
      version: "2.0",
      service: (ctx, _request, res) => sendJson(res, 200, { d: { results: items(7), __delta: `${ctx.F}/odata/Items?!deltatoken='8'` } }),
      run: async (client) => {
        const pages = [];
        for await (const page of client.delta("Items?!deltatoken='7'")) pages.push(page);
        return pages;
      },
      untrusted: { foreign: 0, value: (value, ctx) => assert.equal((value as { deltaLink?: string }[])[0]?.deltaLink, new URL(`${ctx.F}/odata/Items?!deltatoken='8'`).href) },
    },
    {
      name: "trackChanges(): the deltaLink of the last page on another origin is given back, not requested",
      service: (ctx, _request, res) => sendJson(res, 200, { value: items(1), "@odata.deltaLink": `${ctx.F}/odata/Items?$deltatoken=1` }),
      run: async (client) => {
        const links = [];
        for await (const page of client.collection("Items").trackChanges().pages()) links.push(page.deltaLink);
        return links;
      },
      untrusted: { foreign: 0, value: (value, ctx) => assert.deepEqual(value, [`${ctx.F}/odata/Items?$deltatoken=1`]) },
    },
  ],

  "status monitors and result URLs": [
    {
      name: "createAsync: the 202 Location",
      service: (ctx, _request, res) => accepted(`${ctx.F}/monitor/1`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { done: true }),
      run: async (client) => (await client.collection("Jobs").createAsync({ a: 1 }, FAST)).wait(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { done: true }) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { done: true }) },
    },
    {
      name: "invokeAsync: the 202 Location",
      service: (ctx, _request, res) => accepted(`${ctx.F}/monitor/1`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: 7 }),
      run: async (client) => (await client.action("export").invokeAsync({}, FAST)).wait(),
      untrusted: { foreign: 1, value: (value) => assert.equal(value, 7) },
      trusted: { foreign: 1, value: (value) => assert.equal(value, 7) },
    },
    {
      name: "getAsync: a scheme-relative 202 Location (//host:port/path)",
      service: (ctx, _request, res) => accepted(`//${ctx.fHost}/monitor/1`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: 7 }),
      run: async (client) => (await client.function("slow").getAsync(FAST)).wait(),
      untrusted: { foreign: 1, value: (value) => assert.equal(value, 7) },
      trusted: { foreign: 1, value: (value) => assert.equal(value, 7) },
    },
    {
      name: "batch sendAsync: the 202 Location",
      version: "4.01",
      service: (ctx, _request, res) => accepted(`${ctx.F}/monitor/1`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, batchDone(1)),
      run: async (client) => {
        const batch = client.batch({ format: "json" });
        batch.get(client.collection("Items").key(1));
        return (await batch.sendAsync(FAST)).wait();
      },
      untrusted: { foreign: 1, value: (value) => assert.equal((value as { status?: number }[])[0]?.status, 200) },
      trusted: { foreign: 1, value: (value) => assert.equal((value as { status?: number }[])[0]?.status, 200) },
    },
    {
      name: "batch send: a plain 202 with Location becomes results.continuation",
      version: "4.01",
      service: (ctx, _request, res) => accepted(`${ctx.F}/monitor/1`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, batchDone(1)),
      run: async (client) => {
        const batch = client.batch({ format: "json" });
        batch.get(client.collection("Items").key(1));
        const results = await batch.send({ continuation: FAST });
        return results.continuation?.wait();
      },
      untrusted: { foreign: 1, value: (value) => assert.equal((value as { status?: number }[])[0]?.status, 200) },
      trusted: { foreign: 1, value: (value) => assert.equal((value as { status?: number }[])[0]?.status, 200) },
    },
    {
      name: "batch send: a part answered 202 with Location becomes results.continuation",
      version: "4.01",
      service: (ctx, _request, res) =>
        sendJson(res, 200, { responses: [{ id: "1", status: 200, body: { ID: 1 } }, { id: "2", status: 202, headers: { location: `${ctx.F}/monitor/2` } }] }),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { responses: [{ id: "2", status: 200, body: { ID: 2 } }] }),
      run: async (client) => {
        const batch = client.batch({ format: "json" });
        batch.get(client.collection("Items").key(1));
        batch.get(client.collection("Items").key(2));
        const results = await batch.send({ continuation: FAST });
        return results.continuation?.wait();
      },
      untrusted: { foreign: 1, value: (value) => assert.deepEqual((value as { status?: number }[]).map((r) => r.status), [200, 200]) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual((value as { status?: number }[]).map((r) => r.status), [200, 200]) },
    },
    {
      name: "a monitor's later 202 Location",
      service: (ctx, request, res) => (request.method === "POST" ? accepted("monitor/1")(res) : accepted(`${ctx.F}/monitor/2`)(res)),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { done: 2 }),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { done: 2 }), check: (ctx) => assert.equal(ctx.svc.requests.length, 2) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { done: 2 }) },
    },
    {
      name: "a monitor's 303 See Other to the result",
      service: (ctx, request, res) => (request.method === "POST" ? accepted("monitor/1")(res) : redirect(303, `${ctx.F}/result/1`)(res)),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { result: 1 }),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
    },
    {
      name: "a monitor's 204 with Location",
      service: (ctx, request, res) => (request.method === "POST" ? accepted("monitor/1")(res) : noContent(res, { location: `${ctx.F}/result/1` })),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { result: 1 }),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
    },
    ...(["resourceLocation", "ResultURL", "resultUrl", "resultLocation"] as const).map(
      (field): LinkCase => ({
        name: `a monitor's 200 {status: "Succeeded", ${field}}`,
        service: (ctx, request, res) => (request.method === "POST" ? accepted("monitor/1")(res) : sendJson(res, 200, { status: "Succeeded", [field]: `${ctx.F}/result/1` })),
        foreign: (_ctx, _request, res) => sendJson(res, 200, { result: 1 }),
        run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
        untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
        trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
      }),
    ),
    {
      name: "a monitor's 200 with a Location and a body without status: the body is the result, the Location is not requested",
      service: (ctx, request, res) => (request.method === "POST" ? accepted("monitor/1")(res) : sendJson(res, 200, { result: "here" }, { location: `${ctx.F}/result/1` })),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 0, value: (value) => assert.deepEqual(value, { result: "here" }) },
    },
    {
      name: "a monitor's 200 {status: Running} with a Location: the Location is not requested",
      service: (ctx, request, res) => {
        const polls = ctx.svc.requests.filter((r) => r.method === "GET").length;
        if (request.method === "POST") accepted("monitor/1")(res);
        else if (polls === 1) sendJson(res, 200, { status: "Running" }, { location: `${ctx.F}/result/1` });
        else sendJson(res, 200, { status: "Succeeded" });
      },
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 0, value: (value) => assert.deepEqual(value, { status: "Succeeded" }) },
    },
    {
      name: "a monitor on another origin with a signed URL that answers 403: the ODataHttpError masks the signature",
      service: (ctx, _request, res) => accepted(`${ctx.F}/monitor/1?sig=sigsecret-1&x=1`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 403, { error: { code: "Forbidden", message: "no access to /monitor/1?sig=sigsecret-1" } }),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 1, rejects: { code: "HTTP_ERROR", names: (ctx) => [`${ctx.F}/monitor/1?sig=***`] } },
      trusted: { foreign: 1, rejects: { code: "HTTP_ERROR", names: (ctx) => [`${ctx.F}/monitor/1?sig=***`] } },
    },
    {
      name: "cancel(): the DELETE to a monitor on another origin",
      service: (ctx, _request, res) => accepted(`${ctx.F}/monitor/1`)(res),
      foreign: (_ctx, _request, res) => noContent(res),
      run: async (client) => {
        const poller = await client.collection("Jobs").createAsync({}, FAST);
        await poller.cancel();
        return poller.status();
      },
      untrusted: { foreign: 1, value: (value) => assert.equal(value, "Cancelled"), check: (ctx) => assert.equal(ctx.foreign.requests[0]?.method, "DELETE") },
      trusted: { foreign: 1, value: (value) => assert.equal(value, "Cancelled") },
    },
  ],

  "HTTP redirects": [
    {
      name: "page(): 302 to another origin",
      service: (ctx, _request, res) => redirect(302, `${ctx.F}/odata/Items`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(9) }),
      run: (client) => client.collection("Items").page(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(ids((value as { value: unknown }).value), [9]) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(ids((value as { value: unknown }).value), [9]) },
    },
    {
      name: "key().get(): 301 to another origin",
      service: (ctx, _request, res) => redirect(301, `${ctx.F}/odata/Items(1)`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { ID: 1 }),
      run: (client) => client.collection("Items").key(1).get(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { ID: 1 }) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { ID: 1 }) },
    },
    {
      name: "countAll(): 308 to another origin",
      service: (ctx, _request, res) => redirect(308, `${ctx.F}/odata/Items/$count`)(res),
      foreign: (_ctx, _request, res) => sendText(res, 200, "42"),
      run: (client) => client.collection("Items").countAll(),
      untrusted: { foreign: 1, value: (value) => assert.equal(value, 42) },
      trusted: { foreign: 1, value: (value) => assert.equal(value, 42) },
    },
    {
      name: "page 2 of a walk: the next link is the service's, its 307 goes to another origin",
      service: (ctx, request, res) =>
        request.path === "/odata/Items" ? sendJson(res, 200, { value: items(1), "@odata.nextLink": "Items?p=2" }) : redirect(307, `${ctx.F}/odata/Items?p=2`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(2) }),
      run: (client) => client.collection("Items").list(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(ids(value), [1, 2]) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(ids(value), [1, 2]) },
    },
    {
      name: "create(): 307 to another origin sends the POST again there, body and all",
      service: (ctx, _request, res) => redirect(307, `${ctx.F}/odata/Items`)(res),
      foreign: (_ctx, request, res) => sendJson(res, 201, { ...JSON.parse(request.body), made: "foreign" }),
      run: (client) => client.collection("Items").create({ ID: 5 }),
      untrusted: {
        foreign: 1,
        value: (value) => assert.deepEqual(value, { ID: 5, made: "foreign" }),
        check: (ctx) => assert.equal(ctx.foreign.requests[0]?.method, "POST"),
      },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { ID: 5, made: "foreign" }) },
    },
    {
      name: "create(): 303 to another origin is a GET there",
      service: (ctx, _request, res) => redirect(303, `${ctx.F}/odata/Items(5)`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { ID: 5 }),
      run: (client) => client.collection("Items").create({ ID: 5 }),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { ID: 5 }), check: (ctx) => assert.deepEqual(ctx.foreign.requests.map((r) => r.method), ["GET"]) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { ID: 5 }) },
    },
    {
      name: "update(): 308 to another origin",
      service: (ctx, _request, res) => redirect(308, `${ctx.F}/odata/Items(1)`)(res),
      foreign: (_ctx, _request, res) => noContent(res),
      run: (client) => client.collection("Items").key(1).update({ n: 1 }),
      untrusted: { foreign: 1, check: (ctx) => assert.equal(ctx.foreign.requests[0]?.method, "PATCH") },
      trusted: { foreign: 1 },
    },
    {
      name: "delete(): 307 to another origin",
      service: (ctx, _request, res) => redirect(307, `${ctx.F}/odata/Items(1)`)(res),
      foreign: (_ctx, _request, res) => noContent(res),
      run: (client) => client.collection("Items").key(1).delete(),
      untrusted: { foreign: 1, check: (ctx) => assert.equal(ctx.foreign.requests[0]?.method, "DELETE") },
      trusted: { foreign: 1 },
    },
    {
      name: "a function's get(): 302 to another origin",
      service: (ctx, _request, res) => redirect(302, `${ctx.F}/odata/answer()`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: 42 }),
      run: (client) => client.function("answer").get(),
      untrusted: { foreign: 1, value: (value) => assert.equal(value, 42) },
      trusted: { foreign: 1, value: (value) => assert.equal(value, 42) },
    },
    {
      name: "metadata(): 302 to another origin",
      service: (ctx, _request, res) => redirect(302, `${ctx.F}/odata/$metadata`)(res),
      foreign: (_ctx, _request, res) => {
        res.writeHead(200, { "content-type": "application/xml" });
        res.end(ITEMS_METADATA);
      },
      run: async (client) => (await client.metadata()).entitySet("Items")?.name,
      untrusted: { foreign: 1, value: (value) => assert.equal(value, "Items") },
      trusted: { foreign: 1, value: (value) => assert.equal(value, "Items") },
    },
    {
      name: "batch send(): 307 to another origin",
      version: "4.01",
      service: (ctx, _request, res) => redirect(307, `${ctx.F}/odata/$batch`)(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, batchDone(1)),
      run: async (client) => {
        const batch = client.batch({ format: "json" });
        batch.get(client.collection("Items").key(1));
        return (await batch.send()).map((r) => r.status);
      },
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, [200]) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, [200]) },
    },
    {
      name: "media().bytes(): 302 to another origin (a CDN)",
      service: (ctx, _request, res) => redirect(302, `${ctx.F}/blobs/1`)(res),
      foreign: (_ctx, _request, res) => sendText(res, 200, "blob"),
      run: async (client) => new TextDecoder().decode(await client.collection("Photos").key(1).media().bytes()),
      untrusted: { foreign: 1, value: (value) => assert.equal(value, "blob") },
      trusted: { foreign: 1, value: (value) => assert.equal(value, "blob") },
    },
    {
      name: "media().put(): 307 to another origin",
      service: (ctx, _request, res) => redirect(307, `${ctx.F}/blobs/1`)(res),
      foreign: (_ctx, _request, res) => noContent(res),
      run: (client) => client.collection("Photos").key(1).media().put("hello", { contentType: "text/plain" }),
      untrusted: { foreign: 1, check: (ctx) => assert.equal(ctx.foreign.requests[0]?.body, "hello") },
      trusted: { foreign: 1 },
    },
    {
      name: "a poll answered 307: not followed (rule 11), nothing sent there",
      service: (ctx, request, res) => (request.method === "POST" ? accepted("monitor/1")(res) : redirect(307, `${ctx.F}/monitor/1`)(res)),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 0, rejects: { code: "ASYNC_BAD_RESPONSE", names: () => ["307"] } },
    },
    {
      name: "the result fetch: 303 to the service's result, which redirects 302 to another origin",
      service: (ctx, request, res) => {
        if (request.method === "POST") accepted("monitor/1")(res);
        else if (request.path === "/odata/monitor/1") redirect(303, "result/1")(res);
        else redirect(302, `${ctx.F}/result/1`)(res);
      },
      foreign: (_ctx, _request, res) => sendJson(res, 200, { result: 1 }),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
      trusted: { foreign: 1, value: (value) => assert.deepEqual(value, { result: 1 }) },
    },
    {
      name: "createAsync(): 307 to another origin, whose 202 names a monitor there by a relative Location",
      service: (ctx, request, res) => (request.method === "POST" ? redirect(307, `${ctx.F}/odata/Jobs`)(res) : sendJson(res, 200, { done: "at the service" })),
      foreign: (_ctx, request, res) => (request.method === "POST" ? accepted("/monitor/1")(res) : sendJson(res, 200, { done: 1 })),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      // spec/async-poller.md: a relative Location resolves against the URL of the request that got
      // that answer, which is the redirect's target; the service's origin must not be polled (with
      // credentials) at a path that the redirect's target chose.
      untrusted: { foreign: 2, value: (value) => assert.deepEqual(value, { done: 1 }), check: (ctx) => assert.equal(ctx.svc.requests.length, 1, `the service saw: ${wire(ctx.svc)}`) },
      trusted: { foreign: 2, value: (value) => assert.deepEqual(value, { done: 1 }), check: (ctx) => assert.equal(ctx.svc.requests.length, 1, `the service saw: ${wire(ctx.svc)}`) },
    },
    {
      name: "batch send(): 307 to another origin, whose 202 names a monitor there by a relative Location",
      version: "4.01",
      service: (ctx, request, res) => (request.method === "POST" ? redirect(307, `${ctx.F}/odata/$batch`)(res) : sendJson(res, 200, batchDone(1))),
      foreign: (_ctx, request, res) => (request.method === "POST" ? accepted("/monitor/1")(res) : sendJson(res, 200, batchDone(1))),
      run: async (client) => {
        const batch = client.batch({ format: "json" });
        batch.get(client.collection("Items").key(1));
        return (await (await batch.send({ continuation: FAST })).continuation?.wait())?.map((r) => r.status);
      },
      untrusted: { foreign: 2, value: (value) => assert.deepEqual(value, [200]), check: (ctx) => assert.equal(ctx.svc.requests.length, 1, `the service saw: ${wire(ctx.svc)}`) },
      trusted: { foreign: 2, value: (value) => assert.deepEqual(value, [200]), check: (ctx) => assert.equal(ctx.svc.requests.length, 1, `the service saw: ${wire(ctx.svc)}`) },
    },
    {
      name: "the CSRF token fetch answered 302 to another origin: not followed",
      csrf: true,
      service: (ctx, request, res) => {
        if (request.method === "GET") redirect(302, `${ctx.F}/token`)(res);
        else sendJson(res, 201, { ID: 5 });
      },
      run: (client) => client.collection("Items").create({ ID: 5 }),
      untrusted: { foreign: 0, value: (value) => assert.deepEqual(value, { ID: 5 }) },
    },
  ],

  "URLs the client must not follow": [
    {
      name: "@odata.editLink, @odata.id and @odata.mediaReadLink of an entity read: update() and media() go to the service",
      service: (ctx, request, res) => {
        if (request.method === "GET" && request.path === "/odata/Photos(1)") {
          sendJson(res, 200, { ID: 1, "@odata.id": `${ctx.F}/odata/Photos(1)`, "@odata.editLink": `${ctx.F}/odata/Photos(1)`, "@odata.mediaReadLink": `${ctx.F}/blobs/1`, "@odata.mediaEditLink": `${ctx.F}/blobs/1` });
        } else if (request.method === "GET") sendText(res, 200, "own");
        else noContent(res);
      },
      run: async (client) => {
        const photo = client.collection<{ ID: number }>("Photos").key(1);
        const entity = await photo.get();
        await photo.update({ ...entity, ID: 1 });
        await photo.media().put("x", { contentType: "text/plain" });
        return new TextDecoder().decode(await photo.media().bytes());
      },
      untrusted: { foreign: 0, value: (value) => assert.equal(value, "own") },
    },
    {
      name: "v2 __metadata.uri and media_src of an entity read: update() and media() go to the service",
      version: "2.0",
      service: (ctx, request, res) => {
        if (request.method === "GET" && request.path === "/odata/Photos(1)") {
          sendJson(res, 200, { d: { ID: 1, __metadata: { uri: `${ctx.F}/odata/Photos(1)`, media_src: `${ctx.F}/blobs/1`, edit_media: `${ctx.F}/blobs/1` } } });
        } else if (request.method === "GET") sendText(res, 200, "own");
        else noContent(res);
      },
      run: async (client) => {
        const photo = client.collection<{ ID: number }>("Photos").key(1);
        const entity = await photo.get();
        await photo.update({ ...entity, ID: 1 });
        return new TextDecoder().decode(await photo.media().bytes());
      },
      untrusted: { foreign: 0, value: (value) => assert.equal(value, "own") },
    },
    {
      name: "create() answered 201 with Location and Content-Location on another origin",
      service: (ctx, _request, res) => sendJson(res, 201, { ID: 5 }, { location: `${ctx.F}/odata/Items(5)`, "content-location": `${ctx.F}/odata/Items(5)` }),
      run: (client) => client.collection("Items").create({ ID: 5 }),
      untrusted: { foreign: 0, value: (value) => assert.deepEqual(value, { ID: 5 }) },
    },
    {
      name: "create() answered 204 with Location on another origin",
      service: (ctx, _request, res) => noContent(res, { location: `${ctx.F}/odata/Items(5)`, "odata-entityid": `${ctx.F}/odata/Items(5)` }),
      run: (client) => client.collection("Items").create({ ID: 5 }),
      untrusted: { foreign: 0, value: (value) => assert.equal(value, undefined) },
    },
    {
      name: "page() answered 200 with a Content-Location on another origin",
      service: (ctx, _request, res) => sendJson(res, 200, { value: items(1) }, { "content-location": `${ctx.F}/odata/Items` }),
      run: async (client) => ids((await client.collection("Items").page()).value),
      untrusted: { foreign: 0, value: (value) => assert.deepEqual(value, [1]) },
    },
  ],
};

// --- protocol tricks ------------------------------------------------------------------------------

/** Next links that must be refused, and what the message must name. */
const trickyNextLinks: Array<{ name: string; link: (ctx: Ctx) => string; names: (ctx: Ctx) => string[] }> = [
  { name: "userinfo whose host is foreign (http://<service host>@<foreign host>/)", link: (ctx) => `http://${ctx.sHost}@${ctx.fHost}/odata/Items`, names: (ctx) => [ctx.F] },
  { name: "userinfo with a password, foreign host", link: (ctx) => `http://user:pw-secret@${ctx.fHost}/odata/Items`, names: (ctx) => [ctx.F] },
  { name: "file:", link: () => "file:///etc/passwd", names: () => ["file:"] },
  { name: "javascript:", link: () => "javascript:alert(1)", names: () => ["javascript:"] },
  { name: "data:", link: () => 'data:application/json,{"value":[{"ID":2}]}', names: () => ["data:"] },
  { name: "localhost instead of 127.0.0.1, same port", link: (ctx) => `http://localhost:${new URL(ctx.S).port}/odata/Items?p=2`, names: (ctx) => [`http://localhost:${new URL(ctx.S).port}`] },
  { name: "https instead of http, same host and port", link: (ctx) => `https://${ctx.sHost}/odata/Items?p=2`, names: (ctx) => [`https://${ctx.sHost}`] },
  { name: "scheme-relative //host:port/path", link: (ctx) => `//${ctx.fHost}/odata/Items?p=2`, names: (ctx) => [ctx.F] },
  { name: "backslashes http:\\\\host\\path", link: (ctx) => `http:\\\\${ctx.fHost}\\odata\\Items`, names: (ctx) => [ctx.F] },
  { name: "backslashes, scheme-relative \\\\host\\path", link: (ctx) => `\\\\${ctx.fHost}\\odata\\Items`, names: (ctx) => [ctx.F] },
  { name: "mixed slashes /\\host/path", link: (ctx) => `/\\${ctx.fHost}/odata/Items`, names: (ctx) => [ctx.F] },
  { name: "white space around the link", link: (ctx) => ` \t${ctx.F}/odata/Items?p=2\n `, names: (ctx) => [ctx.F] },
  { name: "tab and newline inside the scheme and host", link: (ctx) => `ht\ttp://127.0.\n0.1:${ctx.fPort}/odata/Items`, names: (ctx) => [ctx.F] },
  { name: "percent-encoded host", link: (ctx) => `http://%31%32%37.0.0.1:${ctx.fPort}/odata/Items`, names: (ctx) => [ctx.F] },
  { name: "host written as one number (2130706433)", link: (ctx) => `http://2130706433:${ctx.fPort}/odata/Items`, names: (ctx) => [ctx.F] },
  { name: "host in hex (0x7f.1)", link: (ctx) => `http://0x7f.1:${ctx.fPort}/odata/Items`, names: (ctx) => [ctx.F] },
];

describe("protocol tricks", () => {
  describe("in a next link: refused with UNTRUSTED_NEXT_LINK naming the origin or scheme, nothing sent", { concurrency: true }, () => {
    for (const trick of trickyNextLinks) {
      test(trick.name, LIMIT, async (t) => {
        await runCase(t, nextLinkCase(trick.name, trick.link, refusedNext(trick.names)), "untrusted");
      });
    }

    test("JSON-escaped slashes (http:\\/\\/host\\/path) are the foreign origin: refused, nothing sent there", LIMIT, async (t) => {
      const c: LinkCase = {
        name: "escaped slashes",
        service: (ctx, _request, res) => {
          const text = `{"value":[{"ID":1}],"@odata.nextLink":"http:\\/\\/${ctx.fHost}\\/odata\\/Items?p=2"}`;
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.end(text);
        },
        foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(2) }),
        run: (client, ctx) => walk(client.collection("Items"), ctx),
        untrusted: refusedNext((ctx) => [ctx.F]),
      };
      await runCase(t, c, "untrusted");
    });

    test("a \\u0040 escape that makes the parsed link foreign: refused, and no early guess of the raw text reaches the foreign origin", LIMIT, async (t) => {
      const c: LinkCase = {
        name: "escaped at sign",
        service: (ctx, request, res) => {
          if (request.path !== "/odata/Items") return sendJson(res, 404, { error: { code: "x", message: "no such page" } });
          const text = `{"value":[{"ID":1}],"@odata.nextLink":"http://${ctx.sHost}\\u0040${ctx.fHost}/odata/Items?p=2"}`;
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.end(text);
        },
        foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(2) }),
        run: (client, ctx) => walk(client.collection("Items"), ctx),
        untrusted: { foreign: 0, rejects: { code: "UNTRUSTED_NEXT_LINK", names: (ctx) => [ctx.F] }, check: (ctx) => assert.deepEqual(ids(ctx.seen), [1]) },
      };
      await runCase(t, c, "untrusted");
    });

    test("a next link on the service's origin with a user name and password: not sent, and the password is in no error", LIMIT, async (t) => {
      const c = nextLinkCase("userinfo, own origin", (ctx) => `http://user:pw-secret@${ctx.sHost}/odata/Items?p=2`, {
        foreign: 0,
        rejects: { code: ["UNTRUSTED_NEXT_LINK", "CREDENTIALS_IN_URL", "BAD_PAYLOAD"] },
        check: (ctx) => {
          assert.deepEqual(ids(ctx.seen), [1]);
          assert.equal(ctx.svc.requests.length, 1, `the service saw: ${wire(ctx.svc)}`);
        },
      });
      await runCase(t, c, "untrusted");
    });

    test("the same origin written differently (upper case scheme and host, default-free port) is the service's: followed with credentials", LIMIT, async (t) => {
      const c = nextLinkCase("own origin, other spelling", (ctx) => `HTTP://${ctx.sHost.toUpperCase()}/odata/Items?p=2`, {
        foreign: 0,
        value: (value, ctx) => {
          assert.deepEqual(ids(value), [1, 2]);
          assert.equal(ctx.svc.requests.length, 2);
        },
      });
      await runCase(t, c, "untrusted");
    });

    test("a trusted origin written in upper case in the link is trusted: followed with credentials", LIMIT, async (t) => {
      await runCase(t, nextLinkCase("trusted, upper case", (ctx) => `HTTP://${ctx.fHost}/odata/Items?p=2`, refusedNext((ctx) => [ctx.F]), followedNext), "trusted");
    });

    test("a scheme-relative next link to a trusted origin is followed with credentials", LIMIT, async (t) => {
      await runCase(t, nextLinkCase("trusted, scheme-relative", (ctx) => `//${ctx.fHost}/odata/Items?p=2`, refusedNext((ctx) => [ctx.F]), followedNext), "trusted");
    });
  });

  describe("in a 202 Location of createAsync", { concurrency: true }, () => {
    const asyncCase = (name: string, location: (ctx: Ctx) => string, untrusted: Expect): LinkCase => ({
      name,
      service: (ctx, _request, res) => accepted(location(ctx))(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { done: true }),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted,
    });
    const bad = (names: string[] = []): Expect => ({ foreign: 0, rejects: { code: "ASYNC_BAD_RESPONSE", names: () => names } });
    const polled: Expect = { foreign: 1, value: (value) => assert.deepEqual(value, { done: true }) };
    const tricks: Array<[string, (ctx: Ctx) => string, Expect]> = [
      ["userinfo with a password: refused without quoting it", (ctx) => `http://user:pw-secret@${ctx.fHost}/monitor/1`, bad(["user name or password"])],
      ["javascript: refused", () => "javascript:alert(1)", bad(["javascript:"])],
      ["file: refused", () => "file:///etc/passwd", bad(["file:"])],
      ["data: refused", () => "data:application/json,{}", bad(["data:"])],
      ["scheme-relative //host:port: polled without credentials", (ctx) => `//${ctx.fHost}/monitor/1`, polled],
      ["backslashes \\\\host\\path: polled without credentials", (ctx) => `\\\\${ctx.fHost}\\monitor\\1`, polled],
      ["a user name alone (http://user@host/): refused", (ctx) => `http://user@${ctx.fHost}/monitor/1`, bad(["user name or password"])],
      ["percent-encoded host: polled without credentials", (ctx) => `http://%31%32%37.0.0.1:${ctx.fPort}/monitor/1`, polled],
    ];
    for (const [name, location, expect] of tricks) {
      test(name, LIMIT, async (t) => {
        await runCase(t, asyncCase(name, location, expect), "untrusted");
      });
    }
  });

  describe("in a monitor's result URL", { concurrency: true }, () => {
    const resultCase = (name: string, answer: (ctx: Ctx, res: ServerResponse) => void, untrusted: Expect): LinkCase => ({
      name,
      service: (ctx, request, res) => (request.method === "POST" ? accepted("monitor/1")(res) : answer(ctx, res)),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { result: 1 }),
      run: async (client) => (await client.collection("Jobs").createAsync({}, FAST)).wait(),
      untrusted,
    });
    const bad = (names: string[]): Expect => ({ foreign: 0, rejects: { code: "ASYNC_BAD_RESPONSE", names: () => names } });
    const cases: LinkCase[] = [
      resultCase("a 303 to a URL with a password: refused without quoting it", (ctx, res) => redirect(303, `http://user:pw-secret@${ctx.fHost}/r`)(res), bad(["user name or password"])),
      resultCase("a 303 to file:", (_ctx, res) => redirect(303, "file:///etc/passwd")(res), bad(["file:"])),
      resultCase("resourceLocation javascript:", (_ctx, res) => sendJson(res, 200, { status: "Succeeded", resourceLocation: "javascript:alert(1)" }), bad(["javascript:"])),
      resultCase("resourceLocation with a password", (ctx, res) => sendJson(res, 200, { status: "Succeeded", resourceLocation: `http://u:pw-secret@${ctx.fHost}/r` }), bad(["user name or password"])),
      resultCase("a 204 Location scheme-relative: fetched without credentials", (ctx, res) => noContent(res, { location: `//${ctx.fHost}/r` }), {
        foreign: 1,
        value: (value) => assert.deepEqual(value, { result: 1 }),
      }),
    ];
    untrustedTests(cases);
  });

  describe("in a batch part's 202 Location", { concurrency: true }, () => {
    const partCase = (name: string, location: (ctx: Ctx) => string, untrusted: Expect): LinkCase => ({
      name,
      version: "4.01",
      service: (ctx, _request, res) => sendJson(res, 200, { responses: [{ id: "1", status: 200, body: { ID: 1 } }, { id: "2", status: 202, headers: { location: location(ctx) } }] }),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { responses: [{ id: "2", status: 200, body: { ID: 2 } }] }),
      run: async (client) => {
        const batch = client.batch({ format: "json" });
        batch.get(client.collection("Items").key(1));
        batch.get(client.collection("Items").key(2));
        const results = await batch.send({ continuation: FAST });
        // A part's monitor that cannot be polled fails that part alone, and the answer beside it
        // stands: the part's failure is what the case expects.
        const [first, part] = results;
        assert.ok(first?.ok, "the answer beside the part stands");
        if (part !== undefined && !part.ok && part.error.code !== "BATCH_PENDING") throw part.error;
        return results.continuation?.wait();
      },
      untrusted,
    });
    const cases: LinkCase[] = [
      partCase(
        "javascript: fails the part with an ODataClientError about the service's answer",
        () => "javascript:alert(1)",
        { foreign: 0, rejects: { code: "ASYNC_BAD_RESPONSE", names: () => ["javascript:"] } }
      ),
      partCase(
        "userinfo with a password fails the part with an ODataClientError that does not quote it",
        (ctx) => `http://user:pw-secret@${ctx.fHost}/monitor/2`,
        { foreign: 0, rejects: { code: "ASYNC_BAD_RESPONSE", names: () => ["user name or password"] } }
      ),
      partCase("scheme-relative //host:port: polled without credentials", (ctx) => `//${ctx.fHost}/monitor/2`, {
        foreign: 1,
        value: (value) => assert.deepEqual((value as { status?: number }[]).map((r) => r.status), [200, 200]),
      }),
    ];
    untrustedTests(cases);
  });

  describe("in a redirect's Location", { concurrency: true }, () => {
    const redirectCase = (name: string, location: (ctx: Ctx) => string, untrusted: Expect): LinkCase => ({
      name,
      service: (ctx, _request, res) => redirect(302, location(ctx))(res),
      foreign: (_ctx, _request, res) => sendJson(res, 200, { value: items(9) }),
      run: async (client) => ids((await client.collection("Items").page()).value),
      untrusted,
    });
    const bad = (names: string[]): Expect => ({ foreign: 0, rejects: { code: "BAD_REDIRECT", names: () => names } });
    const followed: Expect = { foreign: 1, value: (value) => assert.deepEqual(value, [9]) };
    const cases: LinkCase[] = [
      redirectCase("userinfo with a password: BAD_REDIRECT without quoting it", (ctx) => `http://user:pw-secret@${ctx.fHost}/odata/Items`, bad(["user name or password"])),
      redirectCase("javascript:: BAD_REDIRECT naming the scheme", () => "javascript:alert(1)", bad(["javascript:"])),
      redirectCase("file:: BAD_REDIRECT naming the scheme", () => "file:///etc/passwd", bad(["file:"])),
      redirectCase("data:: BAD_REDIRECT naming the scheme", () => 'data:application/json,{"value":[]}', bad(["data:"])),
      redirectCase("scheme-relative //host:port: followed without credentials", (ctx) => `//${ctx.fHost}/odata/Items`, followed),
      redirectCase("backslashes \\\\host\\path: followed without credentials", (ctx) => `\\\\${ctx.fHost}\\odata\\Items`, followed),
      redirectCase("percent-encoded host: followed without credentials", (ctx) => `http://%31%32%37.0.0.1:${ctx.fPort}/odata/Items`, followed),
      redirectCase("host as one number: followed without credentials", (ctx) => `http://2130706433:${ctx.fPort}/odata/Items`, followed),
      {
        name: "to another origin and back: the credentials come back only at the service's origin",
        service: (ctx, request, res) => (request.path === "/odata/Items" ? redirect(302, `${ctx.F}/hop`)(res) : sendJson(res, 200, { value: items(3) })),
        foreign: (ctx, _request, res) => redirect(302, `${ctx.S}/odata/Items?back=1`)(res),
        run: async (client) => ids((await client.collection("Items").page()).value),
        untrusted: { foreign: 1, value: (value) => assert.deepEqual(value, [3]), check: (ctx) => assert.equal(ctx.svc.requests.length, 2) },
      },
    ];
    untrustedTests(cases);
  });
});

for (const [group, list] of Object.entries(cases)) {
  describe(group, { concurrency: true }, () => {
    for (const c of list) {
      test(`${c.name}: ${c.trusted ? "an untrusted origin gets no credentials" : "nothing reaches another origin"}`, LIMIT, async (t) => {
        await runCase(t, c, "untrusted");
      });
      if (c.trusted) {
        test(`${c.name}: an origin in trustedOrigins gets the credentials`, LIMIT, async (t) => {
          await runCase(t, c, "trusted");
        });
      }
    }
  });
}
