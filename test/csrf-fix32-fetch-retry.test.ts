// The CSRF token fetch was sent with retry off, leaving it to the write's own retry: a POST (never
// sent twice) failed with NETWORK_ERROR on one lost connection of the token's GET, a request that
// may be sent again. Now the fetch is retried where the write is not, and only there: a PUT is
// sent again by the retry step, fetching again with it, and a fetch retried inside each attempt
// would multiply the requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient, type Handler } from "./servers/recording-server.js";

/** A service whose first `lost` token fetches lose their connection (or are answered `status`). */
function flakyTokenService(lost: number, status?: number): Handler {
  let fetches = 0;
  return (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      fetches += 1;
      if (fetches <= lost) {
        if (status === undefined) res.socket?.destroy();
        else sendJson(res, status, { error: { code: "Busy", message: "try later" } });
        return;
      }
      res.writeHead(200, { "x-csrf-token": "tok-1", "set-cookie": "SAP_SESSIONID=s1; Path=/" });
      res.end();
      return;
    }
    if (request.headers["x-csrf-token"] !== "tok-1") {
      res.writeHead(403, { "x-csrf-token": "Required" });
      res.end();
      return;
    }
    if (request.method === "POST") sendJson(res, 201, { ID: 5 });
    else {
      res.writeHead(204);
      res.end();
    }
  };
}

const wire = (requests: ReadonlyArray<{ method: string; path: string; headers: Record<string, unknown> }>) =>
  requests.map((request) => `${request.method} ${request.path} ${String(request.headers["x-csrf-token"] ?? "-")}`);

test("a POST whose token fetch loses its connection twice is sent once, after the fetch's retries", async (t) => {
  const { server, client } = await serveClient(t, flakyTokenService(2), { csrf: true, retry: { retries: 2, delay: 5 } });
  assert.deepEqual(await client.collection("Books").create({ ID: 5 }), { ID: 5 });
  assert.deepEqual(wire(server.requests), ["GET /odata/ Fetch", "GET /odata/ Fetch", "GET /odata/ Fetch", "POST /odata/Books tok-1"]);
  assert.equal(server.requests[3]!.headers.cookie, "SAP_SESSIONID=s1");
});

test("a POST whose token fetch is answered 503 is sent with the token of the fetch retried", async (t) => {
  const { server, client } = await serveClient(t, flakyTokenService(1, 503), { csrf: true, retry: { retries: 2, delay: 5 } });
  assert.deepEqual(await client.collection("Books").create({ ID: 5 }), { ID: 5 });
  assert.deepEqual(wire(server.requests), ["GET /odata/ Fetch", "GET /odata/ Fetch", "POST /odata/Books tok-1"]);
});

// A guard: a PUT's fetch was retried so before (by the PUT's retries alone); it keeps the fetch's new retry from being added inside each of them.
test("a PUT's token fetch is retried by the PUT's own retries, not inside each of them as well", async (t) => {
  const { server, client } = await serveClient(t, flakyTokenService(2), { csrf: true, retry: { retries: 2, delay: 5 } });
  await client.collection("Books").key(1).replace({ ID: 1, title: "x" });
  assert.deepEqual(wire(server.requests), ["GET /odata/ Fetch", "GET /odata/ Fetch", "GET /odata/ Fetch", "PUT /odata/Books(1) tok-1"]);
});

// A guard: with retry off the fetch was sent once before as well; it keeps the fetch's new retry from ignoring retry: false.
test("with retry off, a POST's lost token fetch is not sent again, and the POST not at all", async (t) => {
  const { server, client } = await serveClient(t, flakyTokenService(1), { csrf: true, retry: false });
  await assert.rejects(client.collection("Books").create({ ID: 5 }), (error: Error & { code?: string }) => {
    assert.equal(error.code, "NETWORK_ERROR");
    assert.match(error.message, /^the CSRF token fetch \(GET \S+\/odata\/\) failed before an answer arrived: .*; POST \S+\/odata\/Books waited for it and was not sent$/);
    return true;
  });
  assert.deepEqual(wire(server.requests), ["GET /odata/ Fetch"]);
});

test("a POST that joins a token fetch a PUT started (not retried inside) fetches once more when it is lost, and both writes go", async (t) => {
  const { server, client } = await serveClient(t, flakyTokenService(1), { csrf: true, retry: { retries: 2, delay: 5 } });
  const put = client.collection("Books").key(1).replace({ ID: 1, title: "x" });
  const post = client.collection("Books").create({ ID: 5 });
  await put;
  assert.deepEqual(await post, { ID: 5 });
  const sent = wire(server.requests);
  assert.deepEqual(sent.filter((line) => line.startsWith("GET")), ["GET /odata/ Fetch", "GET /odata/ Fetch"]);
  assert.deepEqual(sent.filter((line) => !line.startsWith("GET")).sort(), ["POST /odata/Books tok-1", "PUT /odata/Books(1) tok-1"]);
});

test("with retry off, a POST that joined a PUT's lost token fetch does not fetch again: both reject, one fetch sent", async (t) => {
  const { server, client } = await serveClient(t, flakyTokenService(1), { csrf: true, retry: false });
  const put = client.collection("Books").key(1).replace({ ID: 1, title: "x" }).then(
    () => "resolved",
    (error: Error & { code?: string }) => error.code,
  );
  const post = client.collection("Books").create({ ID: 5 }).then(
    () => "resolved",
    (error: Error & { code?: string }) => error.code,
  );
  assert.deepEqual([await put, await post], ["NETWORK_ERROR", "NETWORK_ERROR"]);
  assert.deepEqual(wire(server.requests), ["GET /odata/ Fetch"]);
});
