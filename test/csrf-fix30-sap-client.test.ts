/**
 * The CSRF token of a write to a SAP system's client other than the default (option `csrf: true`
 * with `param("sap-client", "100")`): SAP Gateway logs a request on in the client its `sap-client`
 * names, and a token holds only in the session of its fetch, so the token fetch carries the
 * write's `sap-client` (and `sap-language`, which is fixed for a session at its logon), and a
 * token fetched for one client is not sent with a write to another. A client whose own pipeline
 * step adds `sap-client` to every request keeps sending what it sent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type PipelineStep } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest } from "./servers/recording-server.js";

interface Session {
  client: string;
  language: string;
  token: string | undefined;
}

/**
 * A SAP Gateway in miniature: a request is logged on in the client of its `sap-client` (query,
 * else header, else 001), in a session of that client named by the cookie
 * `SAP_SESSIONID_ABC_<client>` or opened anew (its logon language its `sap-language`, else EN); a
 * CSRF token holds only in the session it was fetched in. `expire()` ends every session.
 */
async function gateway(t: { after(fn: () => Promise<void>): void }) {
  const sessions = new Map<string, Session>();
  let opened = 0;
  const server = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    const client = url.searchParams.get("sap-client") ?? (request.headers["sap-client"] as string | undefined) ?? "001";
    const cookieName = `SAP_SESSIONID_ABC_${client}`;
    let id = new RegExp(`${cookieName}=([^;]+)`).exec(request.headers.cookie ?? "")?.[1];
    const headers: Record<string, string> = {};
    let session = id === undefined ? undefined : sessions.get(id);
    if (session === undefined) {
      id = `s${++opened}`;
      session = { client, language: url.searchParams.get("sap-language") ?? "EN", token: undefined };
      sessions.set(id, session);
      headers["set-cookie"] = `${cookieName}=${id}; path=/; HttpOnly`;
    }
    if (request.headers["x-csrf-token"] === "Fetch") {
      session.token = `tok-${id}`;
      return sendJson(res, 200, {}, { ...headers, "x-csrf-token": session.token });
    }
    if (request.method !== "GET" && (session.token === undefined || request.headers["x-csrf-token"] !== session.token)) {
      return sendText(res, 403, "CSRF token validation failed", { ...headers, "x-csrf-token": "Required" });
    }
    sendJson(res, request.method === "POST" ? 201 : 200, { d: { ID: 1, Client: session.client, Language: session.language } }, headers);
  });
  t.after(() => server.close());
  return { server, expire: () => sessions.clear() };
}

/** What the service answers a write with: the entity, and the client and language it was served in. */
interface Product {
  ID: number;
  Qty?: number;
  Client?: string;
  Language?: string;
}

/** Method, path and the `X-CSRF-Token` of each request, in order. */
function wire(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"] ?? "-"}`);
}

test('a create with param("sap-client", "100") fetches its CSRF token with sap-client=100 and is served in client 100', async (t) => {
  const { server } = await gateway(t);
  const client = new ODataClient({ serviceUrl: server.url("sap/opu/odata/sap/ZSRV/"), version: "2.0", csrf: true, retry: false });
  const created = await client.collection<Product>("Products").param("sap-client", "100").create({ ID: 1 });
  assert.equal(created?.Client, "100");
  assert.deepEqual(wire(server.requests), [
    "GET /sap/opu/odata/sap/ZSRV/?sap-client=100 Fetch",
    "POST /sap/opu/odata/sap/ZSRV/Products?sap-client=100 tok-s1",
  ]);
  assert.equal(server.requests[1]?.headers.cookie, "SAP_SESSIONID_ABC_100=s1");
});

test("writes to two clients each get the token of their own client's session, fetched once for each", async (t) => {
  const { server } = await gateway(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false });
  const products = client.collection<Product>("Products");
  await products.param("sap-client", "100").key(1).update({ Qty: 1 });
  assert.equal((await products.param("sap-client", "200").create({ ID: 2 }))?.Client, "200");
  await products.param("sap-client", "100").key(1).delete();
  assert.equal((await products.create({ ID: 3 }))?.Client, "001");
  assert.deepEqual(wire(server.requests), [
    "GET /svc/?sap-client=100 Fetch",
    "MERGE /svc/Products(1)?sap-client=100 tok-s1",
    "GET /svc/?sap-client=200 Fetch",
    "POST /svc/Products?sap-client=200 tok-s2",
    "DELETE /svc/Products(1)?sap-client=100 tok-s1",
    "GET /svc/ Fetch",
    "POST /svc/Products tok-s3",
  ]);
});

test("the token fetched again after the session ended carries the write's sap-client too, and the write sent again succeeds", async (t) => {
  const { server, expire } = await gateway(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false });
  const products = client.collection<Product>("Products").param("sap-client", "100");
  await products.create({ ID: 1 });
  expire();
  assert.equal((await products.create({ ID: 2 }))?.Client, "100");
  assert.deepEqual(wire(server.requests), [
    "GET /svc/?sap-client=100 Fetch",
    "POST /svc/Products?sap-client=100 tok-s1",
    "POST /svc/Products?sap-client=100 tok-s1",
    "GET /svc/?sap-client=100 Fetch",
    "POST /svc/Products?sap-client=100 tok-s3",
  ]);
});

test("a write with sap-client and sap-language fetches its token with both, and is served in that logon language", async (t) => {
  const { server } = await gateway(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false });
  const created = await client.collection<Product>("Products").param("sap-client", "100").param("sap-language", "DE").create({ ID: 1 });
  assert.deepEqual(created && { client: created.Client, language: created.Language }, { client: "100", language: "DE" });
  assert.deepEqual(wire(server.requests), ["GET /svc/?sap-client=100&sap-language=DE Fetch", "POST /svc/Products?sap-client=100&sap-language=DE tok-s1"]);
});

test("writes of one logon share its token whichever of sap-client and sap-language each names first", async (t) => {
  const { server } = await gateway(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false });
  const products = client.collection<Product>("Products");
  await products.param("sap-client", "100").param("sap-language", "EN").key(1).update({ Qty: 1 });
  await products.param("sap-language", "EN").param("sap-client", "100").key(1).update({ Qty: 2 });
  // One token fetch for the two, its query in one order.
  assert.deepEqual(
    wire(server.requests).filter((line) => line.endsWith(" Fetch")),
    ["GET /svc/?sap-client=100&sap-language=EN Fetch"],
  );
  assert.equal(server.requests.length, 3);
});

test("a client whose own step adds sap-client to every request sends what it sent before: one fetch with it, the write with it", async (t) => {
  const { server } = await gateway(t);
  const sapClient: PipelineStep = {
    name: "sap-client",
    handle(request, next) {
      request.url.searchParams.set("sap-client", "100");
      return next(request);
    },
  };
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false, steps: [sapClient] });
  assert.equal((await client.collection<Product>("Products").create({ ID: 1 }))?.Client, "100");
  await client.collection<Product>("Products").key(1).update({ Qty: 2 });
  assert.deepEqual(wire(server.requests), ["GET /svc/?sap-client=100 Fetch", "POST /svc/Products?sap-client=100 tok-s1", "MERGE /svc/Products(1)?sap-client=100 tok-s1"]);
});

test("a client that sends sap-client as a header (option headers) fetches its token with that header, as before", async (t) => {
  const { server } = await gateway(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", csrf: true, retry: false, headers: { "sap-client": "100" } });
  assert.equal((await client.collection<Product>("Products").create({ ID: 1 }))?.Client, "100");
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch", "POST /svc/Products tok-s1"]);
  assert.deepEqual(server.requests.map((r) => r.headers["sap-client"]), ["100", "100"]);
});
