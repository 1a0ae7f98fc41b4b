import { test, describe } from "node:test";
import { getEventListeners } from "node:events";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ODataHttpError, type ODataClientOptions, type PipelineStep } from "../src/index.js";
import { ClientCore } from "../src/core.js";
import { resolveClientOptions, LIBRARY_VERSION } from "../src/options.js";
import { followAbort, sleep } from "../src/http/signals.js";
import { composePipeline, lazyStep } from "../src/http/pipeline.js";
import { fetchTransport } from "../src/http/steps.js";
import { activeTimers, startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";
import { useFakeTime } from "./fake-time.js";

/** A core for `server` with quick retries unless the test says otherwise. */
function coreFor(server: RecordingServer, options: Partial<ODataClientOptions> = {}): ClientCore {
  return new ClientCore(resolveClientOptions({ serviceUrl: server.url("svc/"), retry: { delay: 1 }, ...options }));
}

function get(core: ClientCore, url: string, extra: { signal?: AbortSignal; headers?: Record<string, string>; timeout?: number } = {}) {
  return core.send({ method: "GET", url: new URL(url), ...extra });
}

/** Asserts an ODataClientError with `code` and returns it. */
async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<ODataClientError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ODataClientError, `expected ODataClientError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}


// Real timers, taken before any test turns on fake time: until() waits in real time.
const realSetTimeout = globalThis.setTimeout;

async function until(condition: () => boolean, ms = 1000): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
}

const ok = (res: Parameters<typeof sendJson>[0]) => sendJson(res, 200, { ok: true });

describe("headers on the wire", () => {
  test("the default User-Agent names the library and its version", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    await get(coreFor(server), server.url("svc/Books"));
    assert.equal(server.requests[0]?.headers["user-agent"], `traverse-odata/${LIBRARY_VERSION}`);
  });

  test("the userAgent option replaces the User-Agent", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    await get(coreFor(server, { userAgent: "my-app/2.1" }), server.url("svc/Books"));
    assert.equal(server.requests[0]?.headers["user-agent"], "my-app/2.1");
  });

  test("Accept-Language is en by default, the acceptLanguage option replaces it, and false leaves fetch's own", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    await get(coreFor(server), server.url("svc/Books"));
    await get(coreFor(server, { acceptLanguage: "de-CH, de;q=0.9" }), server.url("svc/Books"));
    await get(coreFor(server, { acceptLanguage: false }), server.url("svc/Books"));
    // Node's fetch sends "*" when nobody sets the header.
    assert.deepEqual(server.requests.map((r) => r.headers["accept-language"]), ["en", "de-CH, de;q=0.9", "*"]);
  });

  test("a configured Prefer joins the preferences a request sets itself (maxpagesize, respond-async, return=), the request's winning where both name one", async (t) => {
    const server = await startServer((request, res) => {
      if (request.method === "GET") return sendJson(res, 200, { value: [] });
      res.writeHead(204);
      res.end();
    });
    t.after(() => server.close());
    const annotations = 'odata.include-annotations="display.*,-display.subtitle"';
    const client = new ODataClient({ serviceUrl: server.url("svc/"), headers: { Prefer: `${annotations}, odata.maxpagesize=5` }, maxPageSize: 50, retry: false });
    const plain = new ODataClient({ serviceUrl: server.url("svc/"), headers: { Prefer: annotations }, retry: false });
    await client.collection("Books").page();
    await plain.collection("Books").page();
    await (await client.collection("Books").createAsync({ ID: 1 })).wait();
    await client.collection("Books").key(1).update({ stock: 1 }, { prefer: "representation", ifMatch: "*" });
    // The request's own value of a preference the configuration names too, both quoted with a comma.
    await client.collection("Books").create({ ID: 2 }, { headers: { prefer: 'odata.include-annotations="a,b"; x=1' } });
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.headers["prefer"]}`), [
      `GET ${annotations}, odata.maxpagesize=50`,
      `GET ${annotations}`,
      `POST ${annotations}, odata.maxpagesize=5, respond-async`,
      `PATCH ${annotations}, odata.maxpagesize=5, return=representation`,
      'POST odata.maxpagesize=5, odata.include-annotations="a,b"; x=1',
    ]);
  });

  test("an Accept-Language in the configured headers or on the request wins over acceptLanguage", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    await get(coreFor(server, { headers: { "Accept-Language": "fr" }, acceptLanguage: "de" }), server.url("svc/Books"));
    await get(coreFor(server, { acceptLanguage: "de" }), server.url("svc/Books"), { headers: { "accept-language": "it" } });
    assert.deepEqual(server.requests.map((r) => r.headers["accept-language"]), ["fr", "it"]);
  });

  test("configured headers are sent to the service origin", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    const response = await get(coreFor(server, { headers: { "x-tenant": "acme", "Accept-Language": "de" } }), server.url("svc/Books"));
    assert.equal(response.status, 200);
    assert.equal(server.requests[0]?.headers["x-tenant"], "acme");
    assert.equal(server.requests[0]?.headers["accept-language"], "de");
  });

  test("a configured User-Agent header wins over the default one", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    await get(coreFor(server, { headers: { "User-Agent": "configured/1.0" } }), server.url("svc/Books"));
    assert.equal(server.requests[0]?.headers["user-agent"], "configured/1.0");
  });

  test("a header set on the request wins over the configured one", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    await get(coreFor(server, { headers: { accept: "application/xml" } }), server.url("svc/Books"), { headers: { accept: "application/json" } });
    assert.equal(server.requests[0]?.headers["accept"], "application/json");
  });

  test("configured headers and credentials are sent to a trusted origin", async (t) => {
    const service = await startServer((_r, res) => ok(res));
    const files = await startServer((_r, res) => ok(res));
    t.after(() => Promise.all([service.close(), files.close()]));
    const core = coreFor(service, { headers: { "x-tenant": "acme" }, auth: { bearer: "tok-1" }, trustedOrigins: [files.origin] });
    await get(core, files.url("download/1"));
    assert.equal(files.requests[0]?.headers["x-tenant"], "acme");
    assert.equal(files.requests[0]?.headers["authorization"], "Bearer tok-1");
  });

  test("configured headers and credentials are never sent to another origin", async (t) => {
    const service = await startServer((_r, res) => ok(res));
    const other = await startServer((_r, res) => ok(res));
    t.after(() => Promise.all([service.close(), other.close()]));
    let tokenCalls = 0;
    const core = coreFor(service, {
      headers: { "x-tenant": "acme", "x-api-key": "key-123" },
      auth: {
        bearer: () => {
          tokenCalls++;
          return "tok-1";
        },
      },
    });
    const response = await get(core, other.url("elsewhere"));
    assert.equal(response.status, 200);
    const seen = other.requests[0]?.headers ?? {};
    assert.equal(seen["x-tenant"], undefined);
    assert.equal(seen["x-api-key"], undefined);
    assert.equal(seen["authorization"], undefined);
    assert.equal(tokenCalls, 0, "the token function is not even asked for another origin");
    assert.equal(seen["user-agent"], `traverse-odata/${LIBRARY_VERSION}`);
  });

  test("Authorization, Cookie and X-CSRF-Token set by the caller are removed for another origin", async (t) => {
    const service = await startServer((_r, res) => ok(res));
    const other = await startServer((_r, res) => ok(res));
    t.after(() => Promise.all([service.close(), other.close()]));
    await get(coreFor(service), other.url("x"), {
      headers: { authorization: "Bearer leaked", cookie: "session=abc", "x-csrf-token": "csrf-1", "x-keep": "1" },
    });
    const seen = other.requests[0]?.headers ?? {};
    assert.equal(seen["authorization"], undefined);
    assert.equal(seen["cookie"], undefined);
    assert.equal(seen["x-csrf-token"], undefined);
    assert.equal(seen["x-keep"], "1");
  });
});

describe("auth", () => {
  test("a bearer string is sent as Authorization: Bearer", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    await get(coreFor(server, { auth: { bearer: "abc.def-ghi_jkl" } }), server.url("svc/Books"));
    assert.equal(server.requests[0]?.headers["authorization"], "Bearer abc.def-ghi_jkl");
  });

  test("a bearer function is called once per request and may be async", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    let calls = 0;
    const core = coreFor(server, {
      auth: {
        bearer: async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return `tok-${++calls}`;
        },
      },
    });
    await get(core, server.url("svc/A"));
    await get(core, server.url("svc/B"));
    await core.send({ method: "POST", url: new URL(server.url("svc/C")), body: "{}" });
    assert.equal(calls, 3);
    assert.deepEqual(
      server.requests.map((r) => r.headers["authorization"]),
      ["Bearer tok-1", "Bearer tok-2", "Bearer tok-3"],
    );
  });

  test("basic credentials are sent as base64 of user:password in UTF-8", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    const password = "pässwörd✓🔑";
    await get(coreFor(server, { auth: { basic: { username: "alice", password } } }), server.url("svc/Books"));
    const expected = `Basic ${Buffer.from(`alice:${password}`, "utf8").toString("base64")}`;
    assert.equal(server.requests[0]?.headers["authorization"], expected);
    const decoded = Buffer.from(expected.slice("Basic ".length), "base64").toString("utf8");
    assert.equal(decoded, `alice:${password}`);
  });

  test("a bearer function that throws rejects with AUTH_FAILED and sends nothing", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    const failure = new Error("token endpoint down");
    const core = coreFor(server, {
      auth: {
        bearer: () => {
          throw failure;
        },
      },
    });
    const error = await rejectsWithCode(get(core, server.url("svc/Books")), "AUTH_FAILED");
    assert.equal(error.cause, failure);
    assert.equal(server.requests.length, 0);
  });

  test("a bearer function giving a token with a line break rejects without quoting the token", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    const core = coreFor(server, { auth: { bearer: () => "s3cret-token\r\nx-evil: 1" } });
    const error = await rejectsWithCode(get(core, server.url("svc/Books")), "AUTH_FAILED");
    assert.doesNotMatch(error.message, /s3cret-token/);
    assert.doesNotMatch(JSON.stringify(error), /s3cret-token/);
    assert.equal(server.requests.length, 0);
  });
});

describe("redirects", () => {
  test("a same-origin redirect keeps credentials and configured headers", async (t) => {
    const server = await startServer((r, res) => {
      if (r.path === "/svc/Old") {
        res.writeHead(302, { location: "/svc/New" });
        res.end();
      } else ok(res);
    });
    t.after(() => server.close());
    const response = await get(coreFor(server, { auth: { bearer: "tok-1" }, headers: { "x-tenant": "acme" } }), server.url("svc/Old"));
    assert.equal(response.status, 200);
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Old", "/svc/New"]);
    assert.equal(server.requests[1]?.headers["authorization"], "Bearer tok-1");
    assert.equal(server.requests[1]?.headers["x-tenant"], "acme");
  });

  test("a redirect to another origin drops credentials, cookies and configured headers", async (t) => {
    const other = await startServer((_r, res) => ok(res));
    const service = await startServer((_r, res) => {
      res.writeHead(307, { location: other.url("landing") });
      res.end();
    });
    t.after(() => Promise.all([service.close(), other.close()]));
    const core = coreFor(service, { auth: { bearer: "tok-1" }, headers: { "x-tenant": "acme" } });
    const response = await get(core, service.url("svc/Books"), { headers: { cookie: "session=abc", "x-request": "1" } });
    assert.equal(response.status, 200);
    assert.equal(service.requests[0]?.headers["authorization"], "Bearer tok-1");
    const seen = other.requests[0]?.headers ?? {};
    assert.equal(seen["authorization"], undefined);
    assert.equal(seen["cookie"], undefined);
    assert.equal(seen["x-tenant"], undefined);
    assert.equal(seen["x-request"], "1", "headers that are no credentials follow the redirect");
  });

  test("a redirect to a trusted origin sends the client's credentials there", async (t) => {
    const files = await startServer((_r, res) => ok(res));
    const service = await startServer((_r, res) => {
      res.writeHead(302, { location: files.url("blob/1") });
      res.end();
    });
    t.after(() => Promise.all([service.close(), files.close()]));
    const core = coreFor(service, { auth: { bearer: "tok-1" }, headers: { "x-tenant": "acme" }, trustedOrigins: [files.origin] });
    await get(core, service.url("svc/Files(1)/$value"));
    assert.equal(files.requests[0]?.headers["authorization"], "Bearer tok-1");
    assert.equal(files.requests[0]?.headers["x-tenant"], "acme");
  });

  test("a caller's cookie does not come back after a redirect leaves the origin and returns", async (t) => {
    let service: RecordingServer | undefined;
    const other = await startServer((_r, res) => {
      res.writeHead(302, { location: service?.url("svc/Back") ?? "" });
      res.end();
    });
    service = await startServer((r, res) => {
      if (r.path === "/svc/Start") {
        res.writeHead(302, { location: other.url("bounce") });
        res.end();
      } else ok(res);
    });
    t.after(() => Promise.all([service?.close(), other.close()]));
    await get(coreFor(service), service.url("svc/Start"), { headers: { cookie: "session=abc" } });
    assert.equal(service.requests[0]?.headers["cookie"], "session=abc");
    assert.equal(service.requests[1]?.path, "/svc/Back");
    assert.equal(service.requests[1]?.headers["cookie"], undefined);
  });

  test("a 303 turns a POST into a GET without body", async (t) => {
    const server = await startServer((r, res) => {
      if (r.method === "POST") {
        res.writeHead(303, { location: "/svc/Jobs(7)" });
        res.end();
      } else ok(res);
    });
    t.after(() => server.close());
    const response = await coreFor(server).send({
      method: "POST",
      url: new URL(server.url("svc/Jobs")),
      headers: { "content-type": "application/json" },
      body: '{"name":"x"}',
    });
    assert.equal(response.status, 200);
    const [post, follow] = server.requests;
    assert.equal(post?.method, "POST");
    assert.equal(post?.body, '{"name":"x"}');
    assert.equal(follow?.method, "GET");
    assert.equal(follow?.path, "/svc/Jobs(7)");
    assert.equal(follow?.body, "");
    assert.equal(follow?.headers["content-type"], undefined);
  });

  test("a header named like a credential that a step adds does not reach an untrusted origin (a status monitor elsewhere)", async (t) => {
    const monitor = await startServer((_r, res) => sendJson(res, 200, { status: "running" }));
    const service = await startServer((_r, res) => sendJson(res, 200, { value: [] }));
    t.after(() => Promise.all([service.close(), monitor.close()]));
    const apiKey: PipelineStep = {
      name: "api-key",
      handle(request, next) {
        request.headers.set("x-api-key", "STEP_KEY");
        request.headers.set("x-note", "kept");
        return next(request);
      },
    };
    const client = new ODataClient({ serviceUrl: service.url("svc/"), retry: false, steps: [apiKey] });
    await client.asyncPoller(monitor.url("monitor/1")).poll();
    await client.collection("Books").page();
    assert.deepEqual([monitor.requests[0]?.headers["x-api-key"], monitor.requests[0]?.headers["x-note"]], [undefined, "kept"]);
    assert.equal(service.requests[0]?.headers["x-api-key"], "STEP_KEY", "the service's own origin gets it");
  });

  test("an update answered 303 reads the entity without the write's If-Match, tunnelled method or Prefer (a write that succeeded read 412); a tunnelled write answered 301 or 302 is sent again as the same POST, not as a GET", async (t) => {
    const server = await startServer((r, res) => {
      if (r.method !== "GET" && r.path === "/svc/Books(1)") {
        res.writeHead(303, { location: "/svc/Books(1)" });
        res.end();
        return;
      }
      if (r.method === "POST" && r.path.startsWith("/svc/Old")) {
        res.writeHead(r.path.endsWith("301") ? 301 : 302, { location: "/svc/New" });
        res.end();
        return;
      }
      ok(res);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    await client.collection("Books").key(1).update({ stock: 3 }, { etag: 'W/"1"', prefer: "representation" });
    const [patch, read] = server.requests;
    assert.deepEqual([patch?.method, patch?.headers["if-match"]], ["PATCH", 'W/"1"']);
    assert.deepEqual([read?.method, read?.path, read?.headers["if-match"], read?.headers["prefer"], read?.body], ["GET", "/svc/Books(1)", undefined, undefined, ""]);

    // A write tunnelled through POST (X-HTTP-Method: MERGE), redirected 301 or 302.
    for (const status of ["301", "302"]) {
      const before = server.requests.length;
      const response = await coreFor(server).send({ method: "POST", url: new URL(server.url(`svc/Old${status}`)), headers: { "x-http-method": "MERGE", "content-type": "application/json" }, body: '{"stock":3}' });
      assert.equal(response.status, 200);
      const [, resent] = server.requests.slice(before);
      assert.deepEqual([resent?.method, resent?.path, resent?.headers["x-http-method"], resent?.body], ["POST", "/svc/New", "MERGE", '{"stock":3}'], status);
    }
  });

  test("a write's own header named like a credential does not follow a redirect to another origin", async (t) => {
    const other = await startServer((_r, res) => ok(res));
    const service = await startServer((_r, res) => {
      res.writeHead(307, { location: other.url("steal") });
      res.end();
    });
    t.after(() => Promise.all([service.close(), other.close()]));
    const client = new ODataClient({ serviceUrl: service.url("svc/"), retry: false });
    await client.collection("Books").key(1).update({ stock: 3 }, { headers: { "x-api-key": "PER_REQUEST_KEY", "x-note": "kept" } });
    assert.equal(service.requests[0]?.headers["x-api-key"], "PER_REQUEST_KEY");
    assert.deepEqual([other.requests[0]?.method, other.requests[0]?.headers["x-api-key"], other.requests[0]?.headers["x-note"]], ["PATCH", undefined, "kept"]);
  });

  test("a 307 repeats the POST with its body", async (t) => {
    const server = await startServer((r, res) => {
      if (r.path === "/svc/Jobs") {
        res.writeHead(307, { location: "/svc/Jobs2" });
        res.end();
      } else sendJson(res, 201, { id: 1 });
    });
    t.after(() => server.close());
    const response = await coreFor(server).send({ method: "POST", url: new URL(server.url("svc/Jobs")), body: '{"a":1}' });
    assert.equal(response.status, 201);
    assert.deepEqual(server.requests.map((r) => [r.method, r.path, r.body]), [
      ["POST", "/svc/Jobs", '{"a":1}'],
      ["POST", "/svc/Jobs2", '{"a":1}'],
    ]);
  });

  test("more than 10 redirects reject with TOO_MANY_REDIRECTS", async (t) => {
    const server = await startServer((r, res) => {
      res.writeHead(302, { location: `/loop/${r.path.length}` });
      res.end();
    });
    t.after(() => server.close());
    const error = await rejectsWithCode(get(coreFor(server), server.url("loop")), "TOO_MANY_REDIRECTS");
    assert.match(error.message, /more than 10 times/);
    assert.equal(server.requests.length, 11);
  });

  test("a redirect to a non-http scheme rejects with BAD_REDIRECT", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(302, { location: "file:///etc/passwd" });
      res.end();
    });
    t.after(() => server.close());
    const error = await rejectsWithCode(get(coreFor(server), server.url("svc/Books")), "BAD_REDIRECT");
    assert.match(error.message, /file:/);
    assert.equal(server.requests.length, 1);
  });

  test("a redirect to a URL with a password rejects with BAD_REDIRECT without quoting it", async (t) => {
    const server = await startServer((r, res) => {
      res.writeHead(302, { location: `http://bob:pa55word@127.0.0.1:1/x` });
      res.end();
    });
    t.after(() => server.close());
    const error = await rejectsWithCode(get(coreFor(server), server.url("svc/Books")), "BAD_REDIRECT");
    assert.doesNotMatch(error.message, /pa55word/);
  });

  test("redirect: manual gives the 3xx answer itself", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(303, { location: "/svc/Result" });
      res.end();
    });
    t.after(() => server.close());
    const response = await coreFor(server).send({ method: "GET", url: new URL(server.url("svc/Monitor")), redirect: "manual" });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/svc/Result");
    assert.equal(server.requests.length, 1);
  });

  test("redirect: error rejects a redirect with UNEXPECTED_REDIRECT and does not retry", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(302, { location: "/svc/Other" });
      res.end();
    });
    t.after(() => server.close());
    await rejectsWithCode(coreFor(server).send({ method: "GET", url: new URL(server.url("svc/A")), redirect: "error" }), "UNEXPECTED_REDIRECT");
    assert.equal(server.requests.length, 1);
  });

  test("where the runtime hides manual redirects, a GET is resent once for the runtime to follow, and later requests are followed by the runtime at once", async (t) => {
    const server = await startServer((r, res) => {
      if (r.path.startsWith("/svc/Old")) {
        res.writeHead(302, { location: "/svc/New" });
        res.end();
      } else ok(res);
    });
    t.after(() => server.close());
    // Behaves like a browser: a manual redirect answer is opaque (no status, no Location).
    const browserLikeFetch: typeof fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (init?.redirect !== "manual" || response.status < 300 || response.status >= 400) return response;
      await response.body?.cancel();
      return new Proxy(response, {
        get(target, property) {
          if (property === "type") return "opaqueredirect";
          if (property === "status") return 0;
          if (property === "headers") return new Headers();
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
    const core = coreFor(server, { fetch: browserLikeFetch });
    const response = await get(core, server.url("svc/Old"));
    assert.equal(response.status, 200);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /svc/Old", "GET /svc/Old", "GET /svc/New"]);
    server.requests.length = 0;
    // Once the runtime is known to hide redirects, it follows them without a first manual try;
    // a POST is then sent once and followed by the runtime.
    await core.send({ method: "POST", url: new URL(server.url("svc/Old2")), body: "{}" });
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["POST /svc/Old2", "GET /svc/New"]);
  });

  test("a runtime with a worker's globals whose fetch shows manual redirects (workerd) has them followed by the client, and configured headers stay home", async (t) => {
    const other = await startServer((_r, res) => ok(res));
    const service = await startServer((_r, res) => {
      res.writeHead(307, { location: other.url("landing") });
      res.end();
    });
    t.after(() => Promise.all([service.close(), other.close()]));
    const modes: (string | undefined)[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      modes.push(init?.redirect);
      return globalThis.fetch(input, init);
    };
    // workerd defines WorkerGlobalScope (and self), as a browser worker does.
    const scope = globalThis as { WorkerGlobalScope?: unknown };
    scope.WorkerGlobalScope = function WorkerGlobalScope() {};
    let core: ClientCore;
    try {
      core = coreFor(service, { fetch: recordingFetch, headers: { "x-tenant": "acme" }, auth: { bearer: "tok-1" } });
    } finally {
      delete scope.WorkerGlobalScope;
    }
    const response = await get(core, service.url("svc/Books"));
    assert.equal(response.status, 200);
    assert.deepEqual(modes, ["manual", "manual"]);
    assert.equal(service.requests[0]?.headers["x-tenant"], "acme");
    const landed = other.requests[0]?.headers ?? {};
    assert.equal(landed["x-tenant"], undefined);
    assert.equal(landed["authorization"], undefined);
  });

  test("where the runtime hides a manual redirect of a POST, the POST is not sent twice", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(303, { location: "/svc/Result" });
      res.end();
    });
    t.after(() => server.close());
    const browserLikeFetch: typeof fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      if (init?.redirect !== "manual") return response;
      await response.body?.cancel();
      return new Proxy(response, {
        get: (target, property) => (property === "type" ? "opaqueredirect" : property === "status" ? 0 : Reflect.get(target, property, target)),
      });
    };
    await rejectsWithCode(coreFor(server, { fetch: browserLikeFetch }).send({ method: "POST", url: new URL(server.url("svc/Jobs")), body: "{}" }), "UNEXPECTED_REDIRECT");
    assert.deepEqual(server.requests.map((r) => r.method), ["POST"]);
  });
});

describe("timeout and abort", () => {
  test("a server that never answers is aborted after timeout with code TIMEOUT naming the URL and the timeout", async (t) => {
    const time = useFakeTime(t);
    let closedByClient = false;
    const server = await startServer((_r, res) => {
      res.on("close", () => (closedByClient = true));
    });
    t.after(() => server.close());
    const rejected = rejectsWithCode(get(coreFor(server, { timeout: 300 }), server.url("svc/Slow")), "TIMEOUT");
    await until(() => server.requests.length === 1);
    assert.equal(await time.skip(300), 300);
    const error = await time.within(rejected);
    assert.ok(error.message.includes(server.url("svc/Slow")), error.message);
    assert.match(error.message, /300 ms/);
    assert.equal(server.requests.length, 1, "a timed-out request is not retried");
    await until(() => closedByClient);
    assert.deepEqual(time.pending(), [], "no timer is left behind");
  });

  test("the timeout on the real clock: a server that never answers is aborted, and no timer is left behind", async (t) => {
    const server = await startServer(() => undefined);
    t.after(() => server.close());
    const timersBefore = activeTimers();
    const started = performance.now();
    await rejectsWithCode(get(coreFor(server, { timeout: 50 }), server.url("svc/Slow")), "TIMEOUT");
    assert.ok(performance.now() - started >= 45, "not before the timeout");
    assert.equal(activeTimers(), timersBefore, "no timer is left behind");
  });

  test("a per-request timeout overrides the client's", async (t) => {
    const server = await startServer(() => undefined);
    t.after(() => server.close());
    const error = await rejectsWithCode(get(coreFor(server, { timeout: 60_000 }), server.url("svc/Slow"), { timeout: 30 }), "TIMEOUT");
    assert.match(error.message, /30 ms/);
  });

  test("the headers' timer stops once the headers are in: a body read outside the library's readers is not timed", async (t) => {
    const time = useFakeTime(t);
    const server = await startServer((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"value":[');
      setTimeout(() => res.end("1,2]}"), 600);
    });
    t.after(() => server.close());
    const response = await time.within(get(coreFor(server, { timeout: 250 }), server.url("svc/Books")));
    // Left: the server's 600 ms before the end of the body; the 250 ms timeout went with the headers.
    assert.deepEqual(time.pending(), [600]);
    const body = response.json();
    assert.equal(await time.skip(600), 600);
    assert.deepEqual(await time.within(body), { value: [1, 2] });
  });

  test("timeout 0 never aborts", async (t) => {
    const server = await startServer((_r, res) => {
      setTimeout(() => ok(res), 40);
    });
    t.after(() => server.close());
    const timersBefore = activeTimers();
    const pending = get(coreFor(server, { timeout: 0 }), server.url("svc/Books"));
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(activeTimers(), timersBefore);
  });

  test("the caller's signal aborts an in-flight request with signal.reason", async (t) => {
    let closedByClient = false;
    const server = await startServer((_r, res) => {
      res.on("close", () => (closedByClient = true));
    });
    t.after(() => server.close());
    const controller = new AbortController();
    const reason = new Error("user navigated away");
    const pending = get(coreFor(server), server.url("svc/Books"), { signal: controller.signal });
    await until(() => server.requests.length === 1);
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    await until(() => closedByClient);
    assert.equal(server.requests.length, 1);
  });

  test("the caller's abort clears the timeout's timer at once, before fetch settles", async (t) => {
    const server = await startServer(() => undefined);
    t.after(() => server.close());
    const timersBefore = activeTimers();
    const controller = new AbortController();
    const pending = get(coreFor(server, { timeout: 60_000 }), server.url("svc/Books"), { signal: controller.signal });
    await until(() => server.requests.length === 1);
    assert.equal(activeTimers(), timersBefore + 1, "the timeout is one timer");
    controller.abort();
    assert.equal(activeTimers(), timersBefore, "gone in the same tick as the abort");
    await assert.rejects(pending);
  });

  test("an abort without a reason rejects with an AbortError DOMException", async (t) => {
    const server = await startServer(() => undefined);
    t.after(() => server.close());
    const controller = new AbortController();
    const pending = get(coreFor(server), server.url("svc/Books"), { signal: controller.signal });
    await until(() => server.requests.length === 1);
    controller.abort();
    await assert.rejects(pending, (error) => error instanceof DOMException && error.name === "AbortError");
  });

  test("an already aborted signal sends nothing and asks for no token", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    let tokenCalls = 0;
    const core = coreFor(server, { auth: { bearer: () => `tok-${++tokenCalls}` } });
    const reason = new Error("stop");
    await assert.rejects(get(core, server.url("svc/Books"), { signal: AbortSignal.abort(reason) }), (error) => error === reason);
    assert.equal(tokenCalls, 0);
    assert.equal(server.requests.length, 0);
  });
});

describe("retry", () => {
  for (const status of [503, 429, 408, 502, 504]) {
    test(`an idempotent GET is retried after ${status}`, async (t) => {
      const server = await startServer((_r, res) => {
        if (server.requests.length === 1) sendText(res, status, "busy");
        else ok(res);
      });
      t.after(() => server.close());
      const response = await get(coreFor(server), server.url("svc/Books"));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { ok: true });
      assert.equal(server.requests.length, 2);
    });
  }

  test("a 500 is not retried", async (t) => {
    const server = await startServer((_r, res) => sendText(res, 500, "boom"));
    t.after(() => server.close());
    const response = await get(coreFor(server), server.url("svc/Books"));
    assert.equal(response.status, 500);
    assert.equal(server.requests.length, 1);
  });

  test("an idempotent GET is retried after the server drops the connection", async (t) => {
    const server = await startServer((_r, res) => {
      if (server.requests.length === 1) res.socket?.destroy();
      else ok(res);
    });
    t.after(() => server.close());
    const response = await get(coreFor(server), server.url("svc/Books"));
    assert.equal(response.status, 200);
    assert.equal(server.requests.length, 2);
  });

  test("a PUT is retried with its body", async (t) => {
    const server = await startServer((_r, res) => {
      if (server.requests.length === 1) sendText(res, 503, "busy");
      else sendText(res, 204, "");
    });
    t.after(() => server.close());
    const response = await coreFor(server).send({ method: "PUT", url: new URL(server.url("svc/Books(1)")), body: '{"title":"x"}' });
    assert.equal(response.status, 204);
    assert.deepEqual(server.requests.map((r) => r.body), ['{"title":"x"}', '{"title":"x"}']);
  });

  test("a POST is never retried after 503", async (t) => {
    const server = await startServer((_r, res) => sendText(res, 503, "busy"));
    t.after(() => server.close());
    const response = await coreFor(server).send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}" });
    assert.equal(response.status, 503);
    assert.equal(server.requests.length, 1);
  });

  test("a POST is never retried after a dropped connection", async (t) => {
    const server = await startServer((_r, res) => void res.socket?.destroy());
    t.after(() => server.close());
    const error = await rejectsWithCode(coreFor(server).send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}" }), "NETWORK_ERROR");
    assert.ok(error.message.includes(server.url("svc/Books")), error.message);
    assert.equal(server.requests.length, 1);
  });

  test("retries are capped at retry.retries", async (t) => {
    const server = await startServer((_r, res) => sendText(res, 503, "busy"));
    t.after(() => server.close());
    const response = await get(coreFor(server, { retry: { retries: 2, delay: 1 } }), server.url("svc/Books"));
    assert.equal(response.status, 503);
    assert.equal(await response.text(), "busy", "the last answer comes back readable");
    assert.equal(server.requests.length, 3);
  });

  test("network errors beyond the last retry reject with NETWORK_ERROR", async (t) => {
    const server = await startServer((_r, res) => void res.socket?.destroy());
    t.after(() => server.close());
    await rejectsWithCode(get(coreFor(server, { retry: { retries: 2, delay: 1 } }), server.url("svc/Books")), "NETWORK_ERROR");
    assert.equal(server.requests.length, 3);
  });

  test("retry: false sends a GET once", async (t) => {
    const server = await startServer((_r, res) => sendText(res, 503, "busy"));
    t.after(() => server.close());
    const response = await get(coreFor(server, { retry: false }), server.url("svc/Books"));
    assert.equal(response.status, 503);
    assert.equal(server.requests.length, 1);
  });

  test("Retry-After in seconds is waited for before the retry", async (t) => {
    const time = useFakeTime(t);
    let answeredAt = 0;
    const server = await startServer((_r, res) => {
      if (server.requests.length === 1) {
        answeredAt = Date.now();
        sendText(res, 503, "busy", { "retry-after": "1" });
      } else ok(res);
    });
    t.after(() => server.close());
    const pending = get(coreFor(server), server.url("svc/Books"));
    assert.equal(await time.skip(1_000), 1_000);
    const response = await time.within(pending);
    assert.equal(response.status, 200);
    assert.equal((server.requests[1]?.at ?? 0) - answeredAt, 1_000);
  });

  test("Retry-After as an HTTP-date is waited for before the retry", async (t) => {
    // The first answer comes at 12:00:00.400 and names 12:00:01 (HTTP-dates have no milliseconds).
    const time = useFakeTime(t, Date.UTC(2030, 0, 1, 12, 0, 0, 400));
    const retryAt = Date.UTC(2030, 0, 1, 12, 0, 1);
    const server = await startServer((_r, res) => {
      if (server.requests.length === 1) sendText(res, 429, "slow down", { "retry-after": new Date(retryAt).toUTCString() });
      else ok(res);
    });
    t.after(() => server.close());
    const pending = get(coreFor(server), server.url("svc/Books"));
    assert.equal(await time.skip(600), 600);
    const response = await time.within(pending);
    assert.equal(response.status, 200);
    assert.equal(server.requests[1]?.at, retryAt);
  });

  test("without Retry-After the wait doubles from retry.delay, each between half and all of its step (jitter), up to maxDelay", async (t) => {
    const time = useFakeTime(t);
    const server = await startServer((_r, res) => sendText(res, 503, "busy"));
    t.after(() => server.close());
    const pending = get(coreFor(server, { retry: { retries: 4, delay: 100, maxDelay: 300 } }), server.url("svc/Books"));
    const waits: number[] = [];
    // The steps: 100, 200, then 400 and 800 capped at 300. Request timeouts (30 s) are not waits.
    for (let retry = 0; retry < 4; retry++) waits.push(await time.skip((delay) => delay < 1_000));
    const response = await time.within(pending);
    assert.equal(response.status, 503);
    assert.equal(server.requests.length, 5);
    const steps = [100, 200, 300, 300];
    waits.forEach((wait, i) => {
      const step = steps[i] as number;
      assert.ok(wait >= step / 2 && wait <= step, `wait ${i + 1} was ${wait} ms; its step is ${step} ms`);
    });
    // Each retry went out its wait after the answer before it (the jitter makes fractional delays,
    // which the fake clock adds up as floats).
    const gaps = server.requests.slice(1).map((request, i) => request.at - (server.requests[i]?.at ?? 0));
    gaps.forEach((gap, i) => assert.ok(Math.abs(gap - (waits[i] as number)) < 0.001, `retry ${i + 1} came ${gap} ms after the answer before it; the wait was ${waits[i]} ms`));
  });

  test("a network error is retried after the same backoff", async (t) => {
    const time = useFakeTime(t);
    const server = await startServer((_r, res) => void res.socket?.destroy());
    t.after(() => server.close());
    const rejected = rejectsWithCode(get(coreFor(server, { retry: { retries: 2, delay: 100 } }), server.url("svc/Books")), "NETWORK_ERROR");
    const first = await time.skip((delay) => delay < 1_000);
    const second = await time.skip((delay) => delay < 1_000);
    await time.within(rejected);
    assert.ok(first >= 50 && first <= 100, `first wait ${first} ms`);
    assert.ok(second >= 100 && second <= 200, `second wait ${second} ms`);
    assert.equal(server.requests.length, 3);
  });

  test("on the real clock the retry waits its backoff", async (t) => {
    // End to end with real timers: a backoff of 20 ms is half to all of it, jitter included.
    const server = await startServer((_r, res) => {
      if (server.requests.length === 1) sendText(res, 503, "busy");
      else ok(res);
    });
    t.after(() => server.close());
    const response = await get(coreFor(server, { retry: { retries: 1, delay: 20 } }), server.url("svc/Books"));
    assert.equal(response.status, 200);
    const [first, second] = server.requests;
    assert.ok(first && second);
    assert.ok(second.at - first.at >= 10 - 2, `retried ${second.at - first.at} ms after the first answer`);
  });

  test("a Retry-After longer than retry.maxDelay returns the answer instead of waiting", async (t) => {
    const time = useFakeTime(t);
    const server = await startServer((_r, res) => sendText(res, 503, "maintenance", { "retry-after": "120" }));
    t.after(() => server.close());
    const started = time.now();
    const response = await time.within(get(coreFor(server, { retry: { delay: 1, maxDelay: 1000 } }), server.url("svc/Books")));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "120");
    assert.equal(server.requests.length, 1);
    assert.equal(time.now(), started, "no wait at all");
  });

  test("an abort during the wait between attempts rejects at once and leaves no timer", async (t) => {
    const time = useFakeTime(t);
    const server = await startServer((_r, res) => sendText(res, 503, "busy", { "retry-after": "10" }));
    t.after(() => server.close());
    const controller = new AbortController();
    const reason = new Error("cancelled by user");
    const pending = get(coreFor(server), server.url("svc/Books"), { signal: controller.signal });
    assert.equal(await time.nextTimer(10_000), 10_000, "waiting for the Retry-After of 10 s");
    controller.abort(reason);
    await time.within(assert.rejects(pending, (error) => error === reason));
    assert.equal(server.requests.length, 1);
    assert.deepEqual(time.pending(), [], "the wait's timer is gone");
  });

  test("on the real clock, an abort during the wait between attempts leaves no timer", async (t) => {
    const server = await startServer((_r, res) => sendText(res, 503, "busy", { "retry-after": "10" }));
    t.after(() => server.close());
    const timersBefore = activeTimers();
    const controller = new AbortController();
    const pending = get(coreFor(server), server.url("svc/Books"), { signal: controller.signal });
    await until(() => server.requests.length === 1 && activeTimers() > timersBefore);
    controller.abort();
    await assert.rejects(pending);
    assert.equal(server.requests.length, 1);
    assert.equal(activeTimers(), timersBefore);
  });
});

describe("user steps", () => {
  test("user steps run in order on every attempt and see the request", async (t) => {
    const server = await startServer((_r, res) => {
      if (server.requests.length === 1) sendText(res, 503, "busy");
      else ok(res);
    });
    t.after(() => server.close());
    const log: string[] = [];
    const first: PipelineStep = {
      name: "first",
      async handle(request, next) {
        log.push(`first ${request.method} ${request.url.pathname} auth=${request.headers.has("authorization")}`);
        return next(request);
      },
    };
    const second: PipelineStep = {
      name: "second",
      async handle(request, next) {
        log.push(`second ${request.method} ${request.url.pathname}`);
        const response = await next(request);
        log.push(`second got ${response.status}`);
        return response;
      },
    };
    const response = await get(coreFor(server, { steps: [first, second], auth: { bearer: "tok" } }), server.url("svc/Books"));
    assert.equal(response.status, 200);
    assert.deepEqual(log, [
      "first GET /svc/Books auth=false",
      "second GET /svc/Books",
      "second got 503",
      "first GET /svc/Books auth=false",
      "second GET /svc/Books",
      "second got 200",
    ]);
  });

  test("a header a step adds in place is sent once on every attempt, not piled up", async (t) => {
    const server = await startServer((_r, res) => {
      if (server.requests.length < 3) sendText(res, 503, "busy");
      else ok(res);
    });
    t.after(() => server.close());
    let attempt = 0;
    const trace: PipelineStep = {
      name: "trace",
      handle(request, next) {
        request.headers.append("x-attempt", String(++attempt));
        return next(request);
      },
    };
    await get(coreFor(server, { steps: [trace] }), server.url("svc/Books"));
    assert.deepEqual(server.requests.map((r) => r.headers["x-attempt"]), ["1", "2", "3"]);
  });

  /** A step that appends a query option to the URL in place. */
  const sapClient: PipelineStep = {
    name: "sap-client",
    handle(request, next) {
      request.url.searchParams.append("sap-client", "100");
      return next(request);
    },
  };

  test("a query option a step appends to the URL is sent once per attempt and the caller's URL is unchanged", async (t) => {
    const server = await startServer((_r, res) => {
      if (server.requests.length === 1) sendText(res, 503, "busy");
      else ok(res);
    });
    t.after(() => server.close());
    const url = new URL(server.url("svc/Books?$top=2"));
    await coreFor(server, { steps: [sapClient] }).send({ method: "GET", url });
    assert.deepEqual(server.requests.map((r) => r.path), ["/svc/Books?%24top=2&sap-client=100", "/svc/Books?%24top=2&sap-client=100"]);
    assert.equal(url.href, server.url("svc/Books?$top=2"));
  });

  test("a query option a step appends to a request that is never retried (a poll) is sent once per poll, and the poller's monitor URL is unchanged", async (t) => {
    const server = await startServer((_r, res) => sendJson(res, 202, { status: "Running" }));
    t.after(() => server.close());
    const poller = new ODataClient({ serviceUrl: server.url("svc/"), steps: [sapClient] }).asyncPoller("monitor/1?job=7");
    for (let poll = 0; poll < 3; poll++) assert.equal(await poller.poll(), true);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      Array.from({ length: 3 }, () => "/svc/monitor/1?job=7&sap-client=100"),
    );
    assert.equal(poller.statusUrl, server.url("svc/monitor/1?job=7"));
  });

  test("user steps run on every redirect hop with that hop's URL", async (t) => {
    const server = await startServer((r, res) => {
      if (r.path === "/svc/Old") {
        res.writeHead(301, { location: "/svc/New" });
        res.end();
      } else ok(res);
    });
    t.after(() => server.close());
    const seen: string[] = [];
    const hop: PipelineStep = {
      name: "hop",
      handle(request, next) {
        seen.push(request.url.pathname);
        request.headers.append("x-hop", request.url.pathname);
        return next(request);
      },
    };
    await get(coreFor(server, { steps: [hop] }), server.url("svc/Old"));
    assert.deepEqual(seen, ["/svc/Old", "/svc/New"]);
    assert.deepEqual(server.requests.map((r) => r.headers["x-hop"]), ["/svc/Old", "/svc/New"]);
  });

  test("a step can answer without sending anything", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    const cache: PipelineStep = {
      name: "cache",
      async handle() {
        return new Response('{"cached":true}', { status: 200, headers: { "content-type": "application/json" } });
      },
    };
    const response = await get(coreFor(server, { steps: [cache] }), server.url("svc/Books"));
    assert.deepEqual(await response.json(), { cached: true });
    assert.equal(server.requests.length, 0);
  });
});

describe("transport", () => {
  test("a custom fetch that resolves with something other than a Response rejects with BAD_FETCH_RESPONSE", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    const brokenFetch = (async () => ({ ok: true })) as unknown as typeof fetch;
    const error = await rejectsWithCode(get(coreFor(server, { fetch: brokenFetch }), server.url("svc/Books")), "BAD_FETCH_RESPONSE");
    assert.match(error.message, /option "fetch"/);
  });

  test("a pipeline step that resolves with something other than a Response rejects with BAD_FETCH_RESPONSE naming the step", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    for (const answer of [undefined, { status: 200 }, "text"]) {
      // The step lets the request through, then answers with what it should not.
      const broken: PipelineStep = {
        name: "my-cache",
        async handle(request, next) {
          await (await next(request)).body?.cancel();
          return answer as unknown as Response;
        },
      };
      const error = await rejectsWithCode(get(coreFor(server, { steps: [broken] }), server.url("svc/Books")), "BAD_FETCH_RESPONSE");
      assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/svc\/Books: pipeline step "my-cache" resolved with something that is not a Response$/);
    }
    assert.equal(server.requests.length, 3);
    // A step whose handle answers at once (not async) with a Response is taken as it is.
    const direct: PipelineStep = { name: "direct", handle: () => new Response("{}", { status: 200 }) as unknown as Promise<Response> };
    assert.equal((await get(coreFor(server, { steps: [direct] }), server.url("svc/Books"))).status, 200);
  });

  test("a URL with a password is refused before fetch, without quoting the password", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    const url = server.url("svc/Books").replace("http://", "http://bob:pa55word@");
    const error = await rejectsWithCode(get(coreFor(server), url), "CREDENTIALS_IN_URL");
    assert.doesNotMatch(error.message, /pa55word/);
    assert.equal(server.requests.length, 0);
  });
});

describe("a step loaded with its first request (lazyStep)", () => {
  test("loads once for the requests that come, and loads again after a load that failed", async (t) => {
    const server = await startServer((_r, res) => ok(res));
    t.after(() => server.close());
    let loads = 0;
    const step = lazyStep("tagged", async () => {
      loads++;
      if (loads === 1) throw new Error("the chunk did not arrive");
      return { name: "tagged", handle: (request, next) => (request.headers.set("x-step", `load ${loads}`), next(request)) };
    });
    const send = composePipeline([step], fetchTransport((input, init) => fetch(input, init)));
    const request = () => ({ method: "GET", url: new URL(server.url("x")), headers: new Headers(), retry: true });
    await assert.rejects(send(request()), /the chunk did not arrive/);
    assert.equal(server.requests.length, 0, "nothing is sent without the step");
    const [first, second] = await Promise.all([send(request()), send(request())]);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(loads, 2);
    assert.deepEqual(
      server.requests.map((r) => r.headers["x-step"]),
      ["load 2", "load 2"],
    );
  });
});

describe("csrf", () => {
  /** A service in the SAP manner: tokens bound to a session cookie, writes refused without both. */
  async function sapLikeService() {
    let issued = 0;
    const valid = new Set<string>();
    const server = await startServer((r, res) => {
      if (r.headers["x-csrf-token"] === "Fetch") {
        issued++;
        const token = `tok-${issued}`;
        valid.add(`${token}|SAP_SESSIONID=s${issued}`);
        res.writeHead(200, { "x-csrf-token": token, "set-cookie": [`SAP_SESSIONID=s${issued}; Path=/; HttpOnly`, `sap-usercontext=client=100; Path=/`], "content-type": "application/json" });
        res.end('{"value":[]}');
        return;
      }
      if (r.method !== "GET") {
        const session = /SAP_SESSIONID=[^;]+/.exec(r.headers["cookie"] ?? "")?.[0];
        if (!valid.has(`${r.headers["x-csrf-token"]}|${session}`)) {
          res.writeHead(403, { "x-csrf-token": "Required", "content-type": "text/plain" });
          res.end("CSRF token validation failed");
          return;
        }
      }
      sendJson(res, r.method === "POST" ? 201 : 200, { ok: true });
    });
    return { server, valid, issued: () => issued };
  }

  test("the token fetch goes through your steps: a sap-client a step adds reaches it as it reaches the write", async (t) => {
    const { server } = await sapLikeService();
    t.after(() => server.close());
    const seen: string[] = [];
    const sapClient: PipelineStep = {
      name: "sap-client",
      handle(request, next) {
        seen.push(`${request.purpose ?? "-"} ${request.method}`);
        const url = new URL(request.url);
        url.searchParams.set("sap-client", "100");
        return next({ ...request, url });
      },
    };
    const core = coreFor(server, { csrf: true, steps: [sapClient] });
    const response = await core.send({ method: "POST", url: new URL(server.url("svc/Books")), body: '{"title":"x"}' });
    assert.equal(response.status, 201);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /svc/?sap-client=100", "POST /svc/Books?sap-client=100"]);
    assert.deepEqual(seen, ["- POST", "csrf GET"]);
  });

  test("a write whose signal aborts while a token fetch shared with another write is on its way rejects at once; the fetch goes on for the other", async (t) => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await startServer(async (r, res) => {
      if (r.headers["x-csrf-token"] === "Fetch") {
        await held;
        res.writeHead(200, { "x-csrf-token": "tok-1" });
        res.end();
        return;
      }
      sendJson(res, 201, { ok: true });
    });
    t.after(() => server.close());
    const core = coreFor(server, { csrf: true, timeout: 0 });
    const first = core.send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}" });
    const caller = new AbortController();
    const second = core.send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}", signal: caller.signal });
    await until(() => server.requests.length === 1);
    const started = performance.now();
    caller.abort(new Error("the second write gave up"));
    await assert.rejects(second, /the second write gave up/);
    assert.ok(performance.now() - started < 500, "it waited for the fetch");
    release();
    assert.equal((await first).status, 201);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.headers["x-csrf-token"]}`), ["GET Fetch", "POST tok-1"]);
  });

  test("a write first fetches the token from the service root and sends it with the session cookies", async (t) => {
    const { server } = await sapLikeService();
    t.after(() => server.close());
    const core = coreFor(server, { csrf: true, auth: { basic: { username: "u", password: "p" } } });
    const response = await core.send({ method: "POST", url: new URL(server.url("svc/Books")), body: '{"title":"x"}' });
    assert.equal(response.status, 201);
    const [fetch, write] = server.requests;
    assert.equal(fetch?.method, "GET");
    assert.equal(fetch?.path, "/svc/");
    assert.equal(fetch?.headers["x-csrf-token"], "Fetch");
    assert.ok(fetch?.headers["authorization"]?.startsWith("Basic "), "the token fetch is authenticated");
    assert.equal(write?.method, "POST");
    assert.equal(write?.headers["x-csrf-token"], "tok-1");
    assert.equal(write?.headers["cookie"], "SAP_SESSIONID=s1; sap-usercontext=client=100");
    assert.equal(write?.body, '{"title":"x"}');
  });

  test("a configured Cookie header is sent beside the session cookies on writes", async (t) => {
    const { server } = await sapLikeService();
    t.after(() => server.close());
    const core = coreFor(server, { csrf: true, headers: { cookie: "tenant=acme; SAP_SESSIONID=configured" } });
    await core.send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}" });
    assert.equal(server.requests[0]?.headers["cookie"], "tenant=acme; SAP_SESSIONID=configured");
    assert.equal(server.requests[1]?.headers["cookie"], "SAP_SESSIONID=s1; sap-usercontext=client=100; tenant=acme");
  });

  test("the token is fetched once for many writes, concurrent ones included", async (t) => {
    const { server, issued } = await sapLikeService();
    t.after(() => server.close());
    const core = coreFor(server, { csrf: true });
    const writes = await Promise.all(
      ["A", "B", "C"].map((name) => core.send({ method: "POST", url: new URL(server.url(`svc/${name}`)), body: "{}" })),
    );
    await core.send({ method: "DELETE", url: new URL(server.url("svc/A(1)")) });
    assert.deepEqual(writes.map((r) => r.status), [201, 201, 201]);
    assert.equal(issued(), 1);
    assert.deepEqual(server.requests.slice(1).map((r) => r.headers["x-csrf-token"]), ["tok-1", "tok-1", "tok-1", "tok-1"]);
  });

  test("reads neither fetch nor send a token", async (t) => {
    const { server, issued } = await sapLikeService();
    t.after(() => server.close());
    await get(coreFor(server, { csrf: true }), server.url("svc/Books"));
    assert.equal(issued(), 0);
    assert.equal(server.requests[0]?.headers["x-csrf-token"], undefined);
  });

  test("a 403 with X-CSRF-Token: Required fetches a new token and sends the write again", async (t) => {
    const { server, valid } = await sapLikeService();
    t.after(() => server.close());
    const core = coreFor(server, { csrf: true });
    await core.send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}" });
    valid.clear(); // the session expired at the service
    const response = await core.send({ method: "PATCH", url: new URL(server.url("svc/Books(1)")), body: '{"stock":2}' });
    assert.equal(response.status, 200);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"] ?? "-"} ${r.body}`),
      ["GET /svc/ Fetch ", "POST /svc/Books tok-1 {}", "PATCH /svc/Books(1) tok-1 {\"stock\":2}", "GET /svc/ Fetch ", "PATCH /svc/Books(1) tok-2 {\"stock\":2}"],
    );
  });

  test("a service that refuses every write with 403 Required gets two token fetches and two writes, and the write rejects with that 403", async (t) => {
    let issued = 0;
    const server = await startServer((r, res) => {
      if (r.headers["x-csrf-token"] === "Fetch") return sendJson(res, 200, {}, { "x-csrf-token": `tok-${++issued}` });
      if (r.method !== "GET") return sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
      sendJson(res, 200, { value: [] });
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
    let caught: unknown;
    try {
      await client.collection("Books").create({ ID: 1 });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ODataHttpError, `expected an ODataHttpError, got ${String(caught)}`);
    assert.equal(caught.status, 403);
    assert.equal(caught.method, "POST");
    assert.equal(caught.headers["x-csrf-token"], "Required");
    assert.equal(caught.body, "CSRF token validation failed");
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"]} ${r.body}`),
      ["GET /svc/ Fetch ", 'POST /svc/Books tok-1 {"ID":1}', "GET /svc/ Fetch ", 'POST /svc/Books tok-2 {"ID":1}'],
    );
  });

  test("a service without CSRF tokens gets the write as is, and the token is not asked for again", async (t) => {
    const server = await startServer((r, res) => sendJson(res, r.method === "POST" ? 201 : 200, { ok: true }));
    t.after(() => server.close());
    const core = coreFor(server, { csrf: true });
    await core.send({ method: "POST", url: new URL(server.url("svc/A")), body: "{}" });
    await core.send({ method: "POST", url: new URL(server.url("svc/B")), body: "{}" });
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /svc/", "POST /svc/A", "POST /svc/B"]);
    assert.equal(server.requests[1]?.headers["x-csrf-token"], undefined);
  });

  test("a refused write is answered with the 403 when no token can be had", async (t) => {
    const server = await startServer((r, res) => {
      if (r.method === "GET") sendJson(res, 200, {});
      else sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
    });
    t.after(() => server.close());
    const response = await coreFor(server, { csrf: true }).send({ method: "POST", url: new URL(server.url("svc/A")), body: "{}" });
    assert.equal(response.status, 403);
    assert.equal(await response.text(), "CSRF token validation failed");
    assert.deepEqual(server.requests.map((r) => r.method), ["GET", "POST", "GET"]);
  });

  test("without csrf: true no token is fetched", async (t) => {
    const { server, issued } = await sapLikeService();
    t.after(() => server.close());
    const response = await coreFor(server).send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}" });
    assert.equal(response.status, 403);
    assert.equal(issued(), 0);
  });

  test("writes to another origin get no token and no session cookie", async (t) => {
    const { server } = await sapLikeService();
    const other = await startServer((_r, res) => sendJson(res, 201, {}));
    t.after(() => Promise.all([server.close(), other.close()]));
    const core = coreFor(server, { csrf: true });
    await core.send({ method: "POST", url: new URL(server.url("svc/Books")), body: "{}" });
    await core.send({ method: "POST", url: new URL(other.url("upload")), body: "{}" });
    assert.equal(other.requests[0]?.headers["x-csrf-token"], undefined);
    assert.equal(other.requests[0]?.headers["cookie"], undefined);
  });

  test("a write to an origin in trustedOrigins gets no CSRF token either, and no token is fetched for it", async (t) => {
    const { server, issued } = await sapLikeService();
    const other = await startServer((_r, res) => sendJson(res, 201, {}));
    t.after(() => Promise.all([server.close(), other.close()]));
    const core = coreFor(server, { csrf: true, trustedOrigins: [other.origin] });
    await core.send({ method: "POST", url: new URL(other.url("upload")), body: "{}" });
    assert.equal(issued(), 0, "the token is the service's: none is fetched for another origin");
    assert.equal(other.requests[0]?.headers["x-csrf-token"], undefined);
    assert.deepEqual(server.requests, []);
  });

  test("a 403 without X-CSRF-Token: Required (an authorisation refusal) is the answer: no new token, the write is not sent again", async (t) => {
    let writes = 0;
    const server = await startServer((r, res) => {
      if (r.method === "GET") return sendJson(res, 200, {}, { "x-csrf-token": "tok-1" });
      writes++;
      sendText(res, 403, "not allowed");
    });
    t.after(() => server.close());
    const response = await coreFor(server, { csrf: true }).send({ method: "POST", url: new URL(server.url("svc/A")), body: "{}" });
    assert.equal(response.status, 403);
    assert.equal(await response.text(), "not allowed");
    assert.equal(writes, 1);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.headers["x-csrf-token"]}`), ["GET Fetch", "POST tok-1"]);
  });
});

describe("signals", () => {
  test("followAbort aborts its target with the source's reason, at once when the source has aborted, and its stop leaves no listener", () => {
    const source = new AbortController();
    const target = new AbortController();
    const stop = followAbort(source.signal, target);
    assert.equal(getEventListeners(source.signal, "abort").length, 1);
    const reason = new Error("source first");
    source.abort(reason);
    assert.equal(target.signal.reason, reason);
    const already = new AbortController();
    followAbort(AbortSignal.abort(reason), already);
    assert.equal(already.signal.reason, reason);
    stop();
    const another = new AbortController();
    const unfollow = followAbort(another.signal, new AbortController());
    unfollow();
    assert.equal(getEventListeners(another.signal, "abort").length, 0);
  });

  test("one signal given to 30 requests at once (and to their retries' backoff): one listener on it, no MaxListenersExceededWarning, and its abort rejects them all", async (t) => {
    let held = 0;
    const server = await startServer((request, res) => {
      // The first answer of each request is a 503 with a long Retry-After, so that half the
      // requests sleep in their backoff while the other half are still held on the wire.
      if (request.path.includes("retry")) return sendJson(res, 503, { error: { code: "busy", message: "later" } }, { "retry-after": "60" });
      held++;
    });
    t.after(() => server.close());
    const core = coreFor(server, { retry: { retries: 2, delay: 1, maxDelay: 120_000 } });
    const shared = new AbortController();
    const warnings: Error[] = [];
    const collect = (warning: Error) => warnings.push(warning);
    process.on("warning", collect);
    t.after(() => process.off("warning", collect));
    const requests = Array.from({ length: 30 }, (_, i) => get(core, server.url(`svc/${i % 2 === 0 ? "held" : "retry"}/${i}`), { signal: shared.signal }).catch((error: unknown) => error));
    await until(() => held === 15 && server.requests.length === 30, 5000);
    assert.equal(getEventListeners(shared.signal, "abort").length, 1, "listeners on the shared signal");
    const reason = new Error("shutting down");
    shared.abort(reason);
    const outcomes = await Promise.all(requests);
    await new Promise((resolve) => realSetTimeout(resolve, 20));
    assert.deepEqual(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning").map((warning) => warning.message), []);
    for (const outcome of outcomes) assert.equal(outcome, reason);
    assert.equal(getEventListeners(shared.signal, "abort").length, 0);
  });

  test("an aborted sleep rejects with the reason at once and leaves no timer", async () => {
    const timersBefore = activeTimers();
    const controller = new AbortController();
    const sleeping = sleep(60_000, controller.signal);
    assert.equal(activeTimers(), timersBefore + 1);
    const reason = new Error("wake up");
    controller.abort(reason);
    assert.equal(activeTimers(), timersBefore);
    await assert.rejects(sleeping, (error) => error === reason);
  });
});
