/**
 * A retried write whose last attempt fails with an error it shares with other requests (the
 * OAuth2 token fetch they all waited for, refused: one `AUTH_FAILED` rejects them all) names its
 * own earlier attempts, not another request's: what the retry step kept is kept by request, not by
 * the error. Two writes sent together to a node:http service on 127.0.0.1: one's first attempt
 * goes out and its connection drops, the other's is answered 503; each is sent again, needs a new
 * token, and the token endpoint refuses it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

const LOST = /; this was attempt 2 of the request, and attempt 1 \(failed before an answer arrived: .+\) may already have applied the write: read it to know$/;
const REFUSED = /^the OAuth2 token endpoint POST http:\/\/127\.0\.0\.1:\d+\/oauth\/token \(option "auth\.oauth2\.tokenUrl"\) answered 400: invalid_client/;

/**
 * A service whose first token expires at once and whose second token request is refused after a
 * pause (for both retries to wait on it); a write whose body's title is "lost" has its first
 * connection dropped, any other write is answered 503. The write titled `late` meets its fate
 * after a pause, so that its retry is the second to wait for the token.
 */
async function tokenRefusingService(late: "lost" | "busy"): Promise<RecordingServer> {
  let tokens = 0;
  return startServer((request, res, req) => {
    if (request.path === "/oauth/token") {
      if (tokens++ === 0) return sendJson(res, 200, { access_token: "t1", token_type: "bearer", expires_in: 0 });
      setTimeout(() => sendJson(res, 400, { error: "invalid_client" }), 200);
      return;
    }
    const title = (JSON.parse(request.body) as { title: string }).title;
    const answer = () => (title === "lost" ? void req.socket.destroy() : sendJson(res, 503, { error: { code: "503", message: "Service Unavailable" } }));
    if (title === late) setTimeout(answer, 60);
    else answer();
  });
}

function clientOf(server: RecordingServer): ODataClient {
  return new ODataClient({
    serviceUrl: server.url("odata/"),
    retry: { retries: 1, delay: 20, maxDelay: 20 },
    auth: { oauth2: { tokenUrl: server.url("oauth/token"), clientId: "app", clientSecret: "s3cret-value" } },
  });
}

const sentWrites = (server: RecordingServer) =>
  server.requests.filter((r) => r.path !== "/oauth/token").map((r) => `${r.method} ${r.path} ${(JSON.parse(r.body) as { title: string }).title}`).sort();

for (const [name, keys, late] of [
  ["different entities, the 503 answered last", [1, 2], "busy"],
  ["the same entity, the 503 answered last", [1, 1], "busy"],
  ["the same entity, the connection dropped last", [1, 1], "lost"],
] as const) {
  test(`two replace() calls on ${name}, whose retries both fail with the one refused token fetch: only the one whose first attempt was lost names it`, async (t) => {
    const server = await tokenRefusingService(late);
    t.after(() => server.close());
    const books = clientOf(server).collection("Books");
    const [lost, busy] = await Promise.allSettled([
      books.key(keys[0]).replace({ title: "lost" }, { ifMatch: "*" }),
      books.key(keys[1]).replace({ title: "busy" }, { ifMatch: "*" }),
    ]);
    assert.equal(lost.status, "rejected");
    assert.equal(busy.status, "rejected");
    const lostError = lost.reason as { code: string; message: string };
    const busyError = busy.reason as { code: string; message: string };
    assert.equal(lostError.code, "AUTH_FAILED");
    assert.match(lostError.message, REFUSED);
    assert.match(lostError.message, LOST);
    assert.equal(busyError.code, "AUTH_FAILED");
    assert.match(busyError.message, REFUSED);
    // The 503 of its own first attempt applied nothing; the other's lost attempt is not its own.
    assert.doesNotMatch(busyError.message, /attempt/);
    assert.deepEqual(sentWrites(server), [`PUT /odata/Books(${keys[1]}) busy`, `PUT /odata/Books(${keys[0]}) lost`].sort());
    assert.equal(server.requests.filter((r) => r.path === "/oauth/token").length, 2);
  });
}

test("two replaceAsync() calls, the 503 answered last, whose retries both fail with the one refused token fetch: only the one whose first attempt was lost names it", async (t) => {
  const server = await tokenRefusingService("busy");
  t.after(() => server.close());
  const books = clientOf(server).collection("Books");
  const [busy, lost] = await Promise.allSettled([
    books.key(2).replaceAsync({ title: "busy" }, { ifMatch: "*" }),
    books.key(1).replaceAsync({ title: "lost" }, { ifMatch: "*" }),
  ]);
  assert.equal(lost.status, "rejected");
  assert.equal(busy.status, "rejected");
  const lostError = lost.reason as { code: string; message: string };
  const busyError = busy.reason as { code: string; message: string };
  assert.equal(lostError.code, "AUTH_FAILED");
  assert.match(lostError.message, LOST);
  assert.equal(busyError.code, "AUTH_FAILED");
  assert.match(busyError.message, REFUSED);
  assert.doesNotMatch(busyError.message, /attempt/);
  assert.deepEqual(sentWrites(server), ["PUT /odata/Books(1) lost", "PUT /odata/Books(2) busy"]);
  for (const write of server.requests.filter((r) => r.path !== "/oauth/token")) assert.match(String(write.headers.prefer), /respond-async/);
});
