// The README ("SAP CSRF tokens"): the token fetch is a GET, retried as one (a lost connection, 503)
// where the write is never sent twice (a POST, a PATCH, a $batch); a PUT or DELETE that the retry
// step sends again fetches again with it. test/csrf-fix32-fetch-retry.test.ts has the POST and the
// PUT; here are the PATCH, the $batch and the DELETE, on a node:http service. The DELETE's tests
// guard what held before the fetch was retried (the DELETE's own retries sent it again); they keep
// that retry from reaching inside a write the retry step repeats.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { sendJson, serveClient, type Handler, type RecordedRequest } from "./servers/recording-server.js";

type Failure = "lost" | 503;

/**
 * A service whose token fetches fail as `fetches` says, one entry each, then issue `tok-1`; and whose
 * writes with that token fail as `writes` says, then succeed (a `$batch` with one 204 part).
 */
function service(fetches: Failure[], writes: Failure[] = []): Handler {
  const fail = (failure: Failure, res: ServerResponse) => {
    if (failure === "lost") res.socket?.destroy();
    else sendJson(res, 503, { error: { code: "Busy", message: "try later" } }, { "retry-after": "0" });
  };
  return (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      const failure = fetches.shift();
      if (failure !== undefined) return fail(failure, res);
      res.writeHead(200, { "x-csrf-token": "tok-1", "set-cookie": "SAP_SESSIONID=s1; Path=/" });
      return void res.end();
    }
    if (request.headers["x-csrf-token"] !== "tok-1") {
      res.writeHead(403, { "x-csrf-token": "Required" });
      return void res.end();
    }
    const failure = writes.shift();
    if (failure !== undefined) return fail(failure, res);
    if (request.path.endsWith("/$batch")) {
      const body = "--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n--b1--\r\n";
      res.writeHead(200, { "content-type": "multipart/mixed; boundary=b1", "odata-version": "4.0" });
      return void res.end(body);
    }
    res.writeHead(204);
    res.end();
  };
}

const wire = (requests: readonly RecordedRequest[]) =>
  requests.map((request) => `${request.method} ${request.path} ${String(request.headers["x-csrf-token"] ?? "-")}`);

const FETCH = "GET /odata/ Fetch";

test("a PATCH whose token fetch is lost, then answered 503, is sent once with the token of the fetch retried", async (t) => {
  const { server, client } = await serveClient(t, service(["lost", 503]), { csrf: true, retry: { retries: 2, delay: 5 } });
  await client.collection("Books").key(1).update({ title: "x" });
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, FETCH, "PATCH /odata/Books(1) tok-1"]);
  const patch = server.requests[3]!;
  assert.equal(patch.body, '{"title":"x"}');
  assert.equal(patch.headers.cookie, "SAP_SESSIONID=s1");
});

test("a PATCH is still never sent twice: its own 503 rejects after the one PATCH, though its fetch was retried", async (t) => {
  const { server, client } = await serveClient(t, service(["lost"], [503]), { csrf: true, retry: { retries: 2, delay: 5 } });
  await assert.rejects(client.collection("Books").key(1).update({ title: "x" }), (error: Error & { status?: number }) => error.status === 503);
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, "PATCH /odata/Books(1) tok-1"]);
});

test("a $batch whose token fetch is answered 503, then lost, is sent once with the token of the fetch retried", async (t) => {
  const { server, client } = await serveClient(t, service([503, "lost"]), { csrf: true, retry: { retries: 2, delay: 5 } });
  const batch = client.batch();
  const removal = batch.delete(client.collection("Books").key(1));
  const results = await batch.send();
  assert.deepEqual(results.map((result) => [result.ok, result.status]), [[true, 204]]);
  assert.equal(removal.result().ok, true);
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, FETCH, "POST /odata/$batch tok-1"]);
  const sent = server.requests[3]!;
  assert.match(String(sent.headers["content-type"]), /^multipart\/mixed; boundary=/);
  assert.match(sent.body, /\r\nDELETE Books\(1\) HTTP\/1\.1\r\n/);
  assert.equal(sent.headers.cookie, "SAP_SESSIONID=s1");
});

test("a DELETE whose token fetch is lost twice is sent by the retry step's third attempt, which fetched again with it", async (t) => {
  const { server, client } = await serveClient(t, service(["lost", "lost"]), { csrf: true, retry: { retries: 2, delay: 5 } });
  await client.collection("Books").key(1).delete();
  assert.deepEqual(wire(server.requests), [FETCH, FETCH, FETCH, "DELETE /odata/Books(1) tok-1"]);
});

test("a DELETE's lost token fetch is sent again only by the retry step: retries 1 and two lost fetches send two fetches and no DELETE", async (t) => {
  // A fetch also retried inside each attempt would get its token on a third fetch and send the DELETE.
  const { server, client } = await serveClient(t, service(["lost", "lost"]), { csrf: true, retry: { retries: 1, delay: 5 } });
  await assert.rejects(client.collection("Books").key(1).delete(), (error: Error & { code?: string }) => {
    assert.equal(error.code, "NETWORK_ERROR");
    assert.match(error.message, /^the CSRF token fetch \(GET \S+\/odata\/\) failed before an answer arrived: /);
    return true;
  });
  assert.deepEqual(wire(server.requests), [FETCH, FETCH]);
});

test("a DELETE whose token fetch is lost once, then itself answered 503, is sent twice and fetches twice in all", async (t) => {
  const { server, client } = await serveClient(t, service(["lost"], [503]), { csrf: true, retry: { retries: 2, delay: 5 } });
  await client.collection("Books").key(1).delete();
  const sent = wire(server.requests);
  assert.equal(sent.filter((line) => line === FETCH).length, 2);
  assert.equal(sent.filter((line) => line === "DELETE /odata/Books(1) tok-1").length, 2);
  // The token the second attempt fetched is kept: the DELETE sent again does not fetch a third time.
  assert.deepEqual(sent, [FETCH, FETCH, "DELETE /odata/Books(1) tok-1", "DELETE /odata/Books(1) tok-1"]);
});
