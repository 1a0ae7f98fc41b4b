/**
 * The CSRF token fetch (option `csrf: true`: `GET <serviceUrl>` with `X-CSRF-Token: Fetch`) failing
 * otherwise than by the write's timeout (test/writes-csrf.test.ts has that one and the caller's
 * abort): the error keeps the code of the failure, so that the retry step goes by it as before, and
 * its message names the token fetch and says what became of the write, which the service never saw.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, sendText, startServer, waitFor, type Handler, type RecordedRequest } from "./servers/recording-server.js";
import { regExpText } from "./regexp-text.js";
import { rejectionAs } from "./async-poller-fixtures.js";

const rejectionOf = (promise: Promise<unknown>) => rejectionAs(promise, ODataClientError);

async function service(t: { after(fn: () => Promise<void>): void }, handler: Handler) {
  const server = await startServer(handler);
  t.after(() => server.close());
  return server;
}


function wire(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"] ?? "-"} ${r.body}`);
}

test("a token fetch whose connection is lost: NETWORK_ERROR naming the token fetch and the create, which was not sent", async (t) => {
  const server = await service(t, (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return void res.socket?.destroy();
    sendJson(res, 201, { ID: 1 });
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, timeout: 5_000 });
  const error = await rejectionOf(client.collection("Books").create({ ID: 1 }));
  assert.equal(error.code, "NETWORK_ERROR");
  assert.match(
    error.message,
    new RegExp(
      `^the CSRF token fetch \\(GET ${regExpText(server.url("svc/"))}\\) failed before an answer arrived: .+; POST ${regExpText(server.url("svc/Books"))} waited for it and was not sent$`,
    ),
  );
  // The transport's failure is kept as it was, for whoever looks deeper.
  assert.ok(error.cause instanceof ODataClientError);
  assert.equal(error.cause.code, "NETWORK_ERROR");
  // The fetch, a GET, is retried (the default three times) where the create is never sent twice
  // (test/csrf-fix32-fetch-retry.test.ts).
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", "GET /svc/ Fetch ", "GET /svc/ Fetch ", "GET /svc/ Fetch "]);
});

test("a lost token fetch of an idempotent delete keeps NETWORK_ERROR, so the delete is retried as before, and none reaches the service", async (t) => {
  const server = await service(t, (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return void res.socket?.destroy();
    res.writeHead(204).end();
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: { retries: 2, delay: 1, maxDelay: 5 } });
  const error = await rejectionOf(client.collection("Books").key(1).delete());
  assert.equal(error.code, "NETWORK_ERROR");
  assert.match(error.message, /^the CSRF token fetch \(GET \S+\/svc\/\) failed before an answer arrived: .+; DELETE \S+\/svc\/Books\(1\) waited for it and was not sent$/);
  // The first try and two retries, each a token fetch that was lost.
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", "GET /svc/ Fetch ", "GET /svc/ Fetch "]);
});

test("a token fetched again after a 403 Required whose connection is lost: the error says the write was refused and not sent again", async (t) => {
  let fetches = 0;
  const server = await service(t, (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      fetches += 1;
      if (fetches === 1) return sendJson(res, 200, {}, { "x-csrf-token": "tok-old" });
      return void res.socket?.destroy();
    }
    sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const error = await rejectionOf(client.collection("Books").create({ ID: 1 }));
  assert.equal(error.code, "NETWORK_ERROR");
  assert.match(
    error.message,
    /^the CSRF token fetch \(GET \S+\/svc\/\) failed before an answer arrived: .+; POST \S+\/svc\/Books was refused by the service for want of a token and not sent again$/,
  );
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'POST /svc/Books tok-old {"ID":1}', "GET /svc/ Fetch "]);
});

test("the auth step failing for the token fetch: AUTH_FAILED naming the token fetch and the write, and nothing on the wire", async (t) => {
  const server = await service(t, (_request, res) => sendJson(res, 201, { ID: 1 }));
  const client = new ODataClient({
    serviceUrl: server.url("svc/"),
    csrf: true,
    auth: {
      bearer: () => {
        throw new Error("the vault is sealed");
      },
    },
  });
  const error = await rejectionOf(client.collection("Books").key(1).update({ stock: 2 }));
  assert.equal(error.code, "AUTH_FAILED");
  assert.match(error.message, /^the CSRF token fetch \(GET \S+\/svc\/\) failed: .*"auth\.bearer".*; PATCH \S+\/svc\/Books\(1\) waited for it and was not sent$/);
  assert.deepEqual(server.requests, []);
});

test("a write that joined a token fetch that never answers times out with its own timeout: the TIMEOUT names the token fetch and the write, which was not sent", async (t) => {
  // The fetch never answers; the first write's timeout ends its own wait, and the second write,
  // begun later, waits on for the fetch until its own timeout ends (the fetch has no timeout of its
  // own: it ends when the last write waiting for it leaves).
  const server = await service(t, (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return;
    sendJson(res, 200, { ID: 1 });
  });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, timeout: 300, retry: false });
  const first = rejectionOf(client.collection("Books").key(1).update({ stock: 1 }));
  // The second write begins once the fetch is on the wire.
  await waitFor(() => server.requests.length === 1, "the token fetch");
  const second = await rejectionOf(client.collection("Books").key(2).update({ stock: 2 }));
  assert.equal((await first).code, "TIMEOUT");
  assert.equal(second.code, "TIMEOUT");
  assert.match(second.message, /^the CSRF token fetch \(GET \S+\/svc\/\) got no answer within the timeout \(option "timeout"\) of PATCH \S+\/svc\/Books\(2\), which was not sent$/);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch "]);
});

