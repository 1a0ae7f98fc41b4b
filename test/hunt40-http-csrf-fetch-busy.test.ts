/**
 * The README ("SAP CSRF tokens"): the token fetch is retried as a GET where the write is never sent
 * twice (a POST), and "a PUT or DELETE that the retry step sends again fetches again with it". A
 * fetch whose connection was lost did so, but a fetch answered 503 or 429 (a busy service) did
 * not: the PUT was sent without a token, refused with 403, fetched once more and, the service
 * still busy, rejected with that 403, its retries unused, where a POST in the same place went
 * through. Now the busy answer is the write's own (the write not sent), so the retry step waits
 * its Retry-After and sends the write again, fetching again with it; and a busy answer is not
 * kept as the token's session, which sent later writes without a token. On a node:http service:
 * what was sent and what came back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { activeTimers, sendJson, serveClient, waitFor, type Handler, type RecordedRequest } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";

/** A service whose first `busy` token fetches are answered `status`, then issue `tok-1`; a write without it is refused 403 Required. */
function busyTokenService(busy: number, status: number): Handler {
  let fetches = 0;
  return (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      fetches += 1;
      if (fetches <= busy) {
        res.writeHead(status, { "content-type": "text/plain", "retry-after": "0" });
        return void res.end("busy");
      }
      res.writeHead(200, { "x-csrf-token": "tok-1", "set-cookie": "SAP_SESSIONID=s1; Path=/" });
      return void res.end();
    }
    if (request.headers["x-csrf-token"] !== "tok-1") {
      res.writeHead(403, { "x-csrf-token": "Required" });
      return void res.end();
    }
    res.writeHead(204);
    res.end();
  };
}

const wire = (requests: readonly RecordedRequest[]) => requests.map((request) => `${request.method} ${request.path} ${String(request.headers["x-csrf-token"] ?? "-")}`);

const FETCH = "GET /odata/ Fetch";

test("a PUT whose token fetch is answered 503 twice is sent once, with the token, by the retry step's third attempt", async (t) => {
  const { server, client } = await serveClient(t, busyTokenService(2, 503), { csrf: true, retry: { retries: 2, delay: 5 } });
  await client.collection("Books").key(1).replace({ ID: 1, title: "x" });
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, FETCH, "PUT /odata/Books(1) tok-1"]);
  assert.equal(server.requests[3]!.headers.cookie, "SAP_SESSIONID=s1");
});

test("a DELETE whose token fetch is answered 429 once is not sent without a token first", async (t) => {
  const { server, client } = await serveClient(t, busyTokenService(1, 429), { csrf: true, retry: { retries: 2, delay: 5 } });
  await client.collection("Books").key(1).delete();
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, "DELETE /odata/Books(1) tok-1"]);
});

test("a PUT whose token fetches all meet a busy service rejects with that 503 after its retries, saying the PUT was not sent; none reaches the service", async (t) => {
  const { server, client, root } = await serveClient(t, busyTokenService(9, 503), { csrf: true, retry: { retries: 2, delay: 5 } });
  const error = await httpError(client.collection("Books").key(1).replace({ ID: 1, title: "x" }));
  assert.equal(error.status, 503);
  assert.ok(error.message.startsWith(`PUT ${root}Books(1) `), error.message);
  assert.ok(
    error.message.endsWith(`(its CSRF token fetch (GET ${root} with X-CSRF-Token: Fetch) was answered HTTP 503, so this answer is that fetch's: the request itself was not sent)`),
    error.message,
  );
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, FETCH]);
});

// A guard: without retries nothing sends the PUT again, so it goes as before: sent without a token,
// refused, and sent once more with the token fetched anew.
for (const retry of [false, { retries: 0 }] as const) {
  test(`with retry ${JSON.stringify(retry)}, a PUT whose token fetch is answered 503 once is sent, refused, and sent again with the token fetched anew`, async (t) => {
    const { server, client } = await serveClient(t, busyTokenService(1, 503), { csrf: true, retry });
    await client.collection("Books").key(1).replace({ ID: 1, title: "x" });
    assert.deepEqual(wire(server.requests), [FETCH, "PUT /odata/Books(1) -", FETCH, "PUT /odata/Books(1) tok-1"]);
  });
}

// A guard: a POST is never sent twice; its fetch is retried inside, as before.
test("a POST whose token fetch is answered 503 twice is sent once with the token of the fetch retried", async (t) => {
  const { server, client } = await serveClient(t, busyTokenService(2, 503), { csrf: true, retry: { retries: 2, delay: 5 } });
  await client.collection("Books").create({ ID: 1 });
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, FETCH, "POST /odata/Books tok-1"]);
});

test("a busy service's answer to the token fetch is not kept as the session: the next write fetches anew instead of going without a token", async (t) => {
  const { server, client } = await serveClient(t, busyTokenService(2, 503), { csrf: true, retry: false });
  const first = await httpError(client.collection("Books").create({ ID: 1 }));
  assert.equal(first.status, 403);
  assert.deepEqual(wire(server.requests), [FETCH, "POST /odata/Books -", FETCH]);
  server.requests.length = 0;
  await client.collection("Books").create({ ID: 2 });
  assert.deepEqual(wire(server.requests), [FETCH, "POST /odata/Books tok-1"]);
});

test("a PUT waiting out its busy token fetch's Retry-After rejects at once when its signal aborts, leaving no timer; nothing more is sent", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => {
    res.writeHead(503, { "retry-after": "10" });
    res.end();
  }, { csrf: true, retry: { retries: 2, delay: 5 } });
  const timersBefore = activeTimers();
  const controller = new AbortController();
  const put = client.collection("Books").key(1).replace({ ID: 1, title: "x" }, { signal: controller.signal });
  await waitFor(() => server.requests.length === 1 && activeTimers() > timersBefore, "the wait for Retry-After");
  const reason = new Error("stop");
  const started = performance.now();
  controller.abort(reason);
  await assert.rejects(put, (error) => error === reason);
  assert.ok(performance.now() - started < 1_000);
  assert.equal(activeTimers(), timersBefore);
  assert.deepEqual(wire(server.requests), [FETCH]);
});

test("a PUT refused 412 on the attempt after its token fetch met a busy service: the 412 does not say the attempt that was never sent may have applied it", async (t) => {
  let fetches = 0;
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      res.writeHead(fetches++ === 0 ? 503 : 200, fetches === 1 ? { "retry-after": "0" } : { "x-csrf-token": "tok-1" });
      return void res.end();
    }
    sendJson(res, 412, { error: { code: "412", message: "Precondition Failed" } });
  }, { csrf: true, retry: { retries: 2, delay: 5 } });
  const error = await httpError(client.collection("Books").key(1).replace({ ID: 1, title: "x" }, { etag: 'W/"1"' }));
  assert.equal(error.status, 412);
  assert.doesNotMatch(error.message, /attempt 1|may already have applied/);
  assert.match(error.message, /\(precondition failed: the entity changed since it was read \(its ETag no longer matches If-Match\); read it again and reapply the change\)$/);
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, "PUT /odata/Books(1) tok-1"]);
});
