// A `$batch` part's result carries the part's headers beside its error (or its value). A service
// that echoes what the client sent (the bearer token, the CSRF token, the session cookie) in a
// part's headers must not get them into the result: a failed part's `headers` are masked as its
// error's are, a successful part's have the sent secrets masked and every other header as sent.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { serve, type Seen } from "./batch-server.js";

const TOKEN = "eyJhbGciOi.tok-S3CRET-2f9c";
const CSRF = "csrf-S3CRET-7a1b4c";
const SESSION = "sess-S3CRET-88d0e1";
const SECRETS = [TOKEN, CSRF, SESSION];
const CRLF = "\r\n";

/** The headers a part echoes: what the `$batch` request carried, bare under neutral names and under their own, beside headers of its own. */
function echoed(request: Seen): Record<string, string> {
  const authorization = String(request.headers.authorization);
  const cookie = String(request.headers.cookie);
  return {
    "x-echo-authorization": authorization,
    "x-echo-token": authorization.replace(/^Bearer /, ""),
    "x-echo-csrf": String(request.headers["x-csrf-token"]),
    "x-echo-cookie": cookie,
    authorization,
    "x-csrf-token": String(request.headers["x-csrf-token"]),
    "set-cookie": `${cookie}; Path=/`,
    "x-plain": "kept as sent",
    etag: 'W/"7"',
  };
}

function multipartAnswer(request: Seen): string {
  const headers = echoed(request);
  const lines = (status: string, body: string) =>
    [`--b`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", status, "Content-Type: application/json", ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), "", body].join(CRLF);
  return [lines("HTTP/1.1 200 OK", '{"ID":1,"title":"One"}'), lines("HTTP/1.1 404 Not Found", '{"error":{"code":"404","message":"no such book"}}'), lines("HTTP/1.1 200 OK", "no JSON"), "--b--", ""].join(CRLF);
}

function jsonAnswer(request: Seen): string {
  const headers = { "content-type": "application/json", ...echoed(request) };
  return JSON.stringify({
    responses: [
      { id: "1", status: 200, headers, body: { ID: 1, title: "One" } },
      { id: "2", status: 404, headers, body: { error: { code: "404", message: "no such book" } } },
      { id: "3", status: 200, headers, body: "no JSON" },
    ],
  });
}

/**
 * Sends a batch of three reads to a service that echoes the secrets in every part's headers: the
 * first succeeds, the second fails (404), the third is answered 200 with a body that is no JSON.
 */
async function sendEchoed(t: TestContext, format: "multipart" | "json") {
  const service = await serve((request) => {
    if (request.method === "GET" && request.url === "/svc/") {
      // The CSRF token fetch: the token and the session it belongs to.
      return { status: 200, headers: { "x-csrf-token": CSRF, "set-cookie": `SAP_SESSIONID=${SESSION}; Path=/` } };
    }
    return format === "json"
      ? { status: 200, headers: { "Content-Type": "application/json" }, body: jsonAnswer(request) }
      : { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=b" }, body: multipartAnswer(request) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", auth: { bearer: async () => TOKEN }, csrf: true });
  const books = client.collection<{ ID: number; title: string }>("Books");
  const batch = client.batch({ format });
  const found = batch.get(books.key(1));
  const missing = batch.get(books.key(2));
  const garbled = batch.get(books.key(3));
  await batch.send();

  // What went out: the $batch carried all three secrets, which the service echoed back.
  const sent = service.seen.find((request) => request.method === "POST");
  assert.ok(sent);
  assert.equal(sent.url, "/svc/$batch");
  assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(sent.headers["x-csrf-token"], CSRF);
  assert.equal(sent.headers.cookie, `SAP_SESSIONID=${SESSION}`);
  return { success: found.result(), failure: missing.result(), unreadable: garbled.result() };
}

/** Asserts that neither `inspect` of `result` nor its headers' entries show a secret sent. */
function assertNoSecret(result: unknown, headers: Headers): void {
  const shown = `${inspect(result, { depth: Infinity })}\n${JSON.stringify([...headers])}`;
  for (const secret of SECRETS) assert.ok(!shown.includes(secret), `the result shows ${secret}:\n${shown}`);
}

for (const format of ["multipart", "json"] as const) {
  test(`a failed ${format} $batch part that echoes the bearer token, CSRF token and cookie sent: its result's headers are masked as its error's, the other headers kept`, async (t) => {
    const { failure } = await sendEchoed(t, format);
    assert.ok(!failure.ok && failure.status === 404);
    assert.ok(failure.error instanceof ODataHttpError);
    assert.ok(failure.headers instanceof Headers);
    // The result's headers are the error's: the echoes masked, a credential header that is more
    // than the mask left out (the cookie with its attributes).
    assert.deepEqual(Object.fromEntries(failure.headers), failure.error.headers);
    assert.equal(failure.headers.get("x-plain"), "kept as sent");
    assert.equal(failure.headers.get("etag"), 'W/"7"');
    assert.equal(failure.headers.get("x-echo-token"), "***");
    assert.equal(failure.headers.get("x-echo-csrf"), "***");
    assert.equal(failure.headers.get("x-echo-cookie"), "***");
    assert.equal(failure.headers.get("authorization"), "***");
    assert.equal(failure.headers.has("set-cookie"), false);
    assertNoSecret(failure, failure.headers);
  });

  test(`a ${format} $batch part answered 200 with no JSON that echoes the secrets sent: its result's headers beside its BAD_PAYLOAD are masked as a failure's`, async (t) => {
    const { unreadable } = await sendEchoed(t, format);
    assert.ok(!unreadable.ok && unreadable.status === 200);
    assert.equal(unreadable.error.code, "BAD_PAYLOAD");
    assert.ok(unreadable.headers instanceof Headers);
    assert.equal(unreadable.headers.get("x-plain"), "kept as sent");
    assert.equal(unreadable.headers.get("x-echo-token"), "***");
    assert.equal(unreadable.headers.get("x-echo-cookie"), "***");
    assert.equal(unreadable.headers.has("set-cookie"), false);
    assertNoSecret(unreadable, unreadable.headers);
  });

  test(`a successful ${format} $batch part that echoes the bearer token, CSRF token and cookie sent: its result's headers read *** for them, every header kept`, async (t) => {
    const { success } = await sendEchoed(t, format);
    assert.ok(success.ok && success.status === 200);
    assert.deepEqual(success.value, { ID: 1, title: "One", "@odata.etag": 'W/"7"' });
    assert.ok(success.headers instanceof Headers);
    assert.equal(success.headers.get("x-plain"), "kept as sent");
    assert.equal(success.headers.get("etag"), 'W/"7"');
    assert.equal(success.headers.get("x-echo-token"), "***");
    assert.equal(success.headers.get("x-echo-csrf"), "***");
    assert.equal(success.headers.get("x-echo-cookie"), "***");
    assert.equal(success.headers.get("authorization"), "***");
    assert.equal(success.headers.get("x-csrf-token"), "***");
    assert.equal(success.headers.get("set-cookie"), "***; Path=/");
    assertNoSecret(success, success.headers);
  });
}
