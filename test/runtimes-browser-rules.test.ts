/**
 * What the client does differently where the runtime is a browser, checked in Node against real
 * node:http servers with a `fetch` that answers as a browser's does (an opaque answer to a manual
 * redirect, headers hidden by CORS) or with the browser's globals in place. The same behaviours are
 * checked in the real browsers by test/runtimes.test.ts; these tests say the rule precisely and
 * fail fast.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataClientError } from "../src/index.js";
import { LIBRARY_VERSION } from "../src/options.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

/** A fetch that answers a manual redirect as browsers do: type "opaqueredirect", status 0, no headers. */
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

/** A fetch whose answers came through CORS without exposed headers: type "cors", only safelisted headers. */
const corsFetch: typeof fetch = async (input, init) => {
  const response = await globalThis.fetch(input, init);
  const visible = new Headers();
  const type = response.headers.get("content-type");
  if (type !== null) visible.set("content-type", type);
  return new Proxy(response, {
    get(target, property) {
      if (property === "type") return "cors";
      if (property === "headers") return visible;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
};

async function serve(t: { after(fn: () => Promise<void>): void }, handler: Parameters<typeof startServer>[0]): Promise<RecordingServer> {
  const server = await startServer(handler);
  t.after(() => server.close());
  return server;
}

test("where manual redirects are opaque, a status monitor's 303 is followed by fetch and the answer it ends at is the result", async (t) => {
  const server = await serve(t, (request, res) => {
    if (request.method === "POST") {
      res.writeHead(202, { location: "/svc/monitor/1" });
      return void res.end();
    }
    if (request.path === "/svc/monitor/1") {
      res.writeHead(303, { location: "/svc/results/1" });
      return void res.end();
    }
    sendJson(res, 200, { ID: 1, rows: 7 });
  });
  const progress: [string, number][] = [];
  const client = new ODataClient({ serviceUrl: server.url("svc/"), fetch: browserLikeFetch });
  const poller = await client.collection("Exports").createAsync<{ ID: number; rows: number }>({}, { pollInterval: 1, onProgress: (status, pct) => progress.push([status, pct]) });
  assert.deepEqual(await poller.wait(), { ID: 1, rows: 7 });
  assert.equal(poller.status(), "Succeeded");
  assert.deepEqual(progress, [["Succeeded", -1]]);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["POST /svc/Exports", "GET /svc/monitor/1", "GET /svc/monitor/1", "GET /svc/results/1"],
  );
});

test("where manual redirects are opaque, a monitor whose followed redirect ends in an error fails the poll with that error", async (t) => {
  const server = await serve(t, (request, res) => {
    if (request.path === "/svc/monitor/2") {
      res.writeHead(303, { location: "/svc/results/2" });
      return void res.end();
    }
    sendJson(res, 403, { error: { code: "403", message: "not yours" } });
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), fetch: browserLikeFetch });
  const poller = client.asyncPoller("monitor/2", { pollInterval: 1 });
  await assert.rejects(poller.poll(), (error: unknown) => error instanceof ODataClientError && error.code === "HTTP_ERROR" && /403/.test(error.message));
});

test("a $batch boundary does not need crypto.randomUUID (browsers have it only in secure contexts)", async (t) => {
  const server = await serve(t, (_request, res) => {
    const body = ["--a", "Content-Type: application/http", "", "HTTP/1.1 204 No Content", "", "", "--a--", ""].join("\r\n");
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=a" });
    res.end(body);
  });
  const crypto = globalThis.crypto as { randomUUID?: unknown };
  Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
  let statuses: (number | undefined)[];
  try {
    const client = new ODataClient({ serviceUrl: server.url("svc/") });
    const batch = client.batch();
    batch.delete(client.collection("Books").key(1));
    statuses = (await batch.send()).map((result) => result.status);
  } finally {
    delete crypto.randomUUID;
  }
  assert.equal(typeof globalThis.crypto.randomUUID, "function", "the prototype's randomUUID is back");
  assert.deepEqual(statuses, [204]);
  const contentType = String(server.requests[0]?.headers["content-type"]);
  assert.match(contentType, /^multipart\/mixed; boundary=batch_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("batch boundaries are random: a thousand are all different", async () => {
  const { newBoundary } = await import("../src/payload/multipart.js");
  const seen = new Set(Array.from({ length: 1000 }, () => newBoundary("changeset")));
  assert.equal(seen.size, 1000);
});

test("in a runtime that acts for a web origin (a page or a browser worker) the client sets no User-Agent, so Firefox sends no preflight for it", async (t) => {
  const server = await serve(t, (_request, res) => sendJson(res, 200, { value: [] }));
  const scope = globalThis as { location?: unknown };
  scope.location = { origin: "http://odata-page.test:8080" };
  let client: ODataClient;
  try {
    client = new ODataClient({ serviceUrl: server.url("svc/"), userAgent: "mine/1" });
  } finally {
    delete scope.location;
  }
  await client.collection("Books").page();
  const sent = String(server.requests[0]?.headers["user-agent"]);
  assert.doesNotMatch(sent, /traverse-odata|mine\/1/, "the runtime's own User-Agent goes out");
  // Outside such a runtime the same options send it.
  await new ODataClient({ serviceUrl: server.url("svc/") }).collection("Books").page();
  assert.equal(server.requests[1]?.headers["user-agent"], `traverse-odata/${LIBRARY_VERSION}`);
});

test("where the runtime refuses a script-set User-Agent (Chromium's Request drops it), the client sets none", async (t) => {
  const server = await serve(t, (_request, res) => sendJson(res, 200, { value: [] }));
  const original = globalThis.Request;
  class DroppingRequest extends original {
    constructor(...args: ConstructorParameters<typeof Request>) {
      super(...args);
      this.headers.delete("user-agent");
    }
  }
  globalThis.Request = DroppingRequest;
  let client: ODataClient;
  try {
    client = new ODataClient({ serviceUrl: server.url("svc/") });
  } finally {
    globalThis.Request = original;
  }
  await client.collection("Books").page();
  assert.doesNotMatch(String(server.requests[0]?.headers["user-agent"]), /traverse-odata/);
});

test("a 202 answered through CORS without a visible Location says the service may not expose it", async (t) => {
  const server = await serve(t, (_request, res) => {
    res.writeHead(202, { location: "/svc/monitor/1", "content-length": 0 });
    res.end();
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), fetch: corsFetch });
  await assert.rejects(client.collection("Jobs").createAsync({}), (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "ASYNC_NO_LOCATION");
    assert.equal(
      error.message,
      `POST ${server.url("svc/Jobs")} answered 202 Accepted without a Location header, so there is no status monitor to poll; the answer came from another origin, and the service may not expose Location to browsers (it must list it in Access-Control-Expose-Headers)`,
    );
    return true;
  });
});

test("a 202 without Location outside CORS names no CORS cause", async (t) => {
  const server = await serve(t, (_request, res) => {
    res.writeHead(202, { "content-length": 0 });
    res.end();
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/") });
  await assert.rejects(client.collection("Jobs").createAsync({}), (error: unknown) => {
    assert.ok(error instanceof ODataClientError && error.code === "ASYNC_NO_LOCATION");
    assert.doesNotMatch(error.message, /expose|CORS|origin/);
    return true;
  });
});
