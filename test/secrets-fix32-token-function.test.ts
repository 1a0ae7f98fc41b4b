/**
 * A bearer token function that throws quoting a token the client has already sent (a refresh that
 * failed: "refresh failed, <token> expired"): the `AUTH_FAILED`'s cause is a redacted copy with the
 * values the client sent masked, in its message, its stack, its own string fields and its own
 * cause's, so that the token shows nowhere (message, stack, `util.inspect`, `JSON.stringify`).
 * Real HTTP on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const TOKEN = "tok-fn-0123456789abcdefXYZ";
const API_KEY = "apikey-fn-9876543210";

class RefreshError extends Error {
  detail = "";
}

test("a token function that throws quoting the token it gave before: AUTH_FAILED whose cause masks that token (and a configured x-api-key) throughout", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] }));
  t.after(() => server.close());
  let calls = 0;
  const bearer = () => {
    if (calls++ === 0) return TOKEN;
    const error = new RefreshError(`refresh failed, ${TOKEN} expired`, { cause: new Error(`upstream said: no session for ${TOKEN} (key ${API_KEY})`) });
    error.detail = `last token ${TOKEN}`;
    throw error;
  };
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer }, headers: { "x-api-key": API_KEY } });
  assert.deepEqual((await client.collection("Items").page()).value, [{ ID: 1 }]);
  assert.equal(server.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);

  const error = await client.collection("Items").page().then(
    () => assert.fail("resolved"),
    (caught: unknown) => caught,
  );
  assert.equal(server.requests.length, 1, "nothing more was sent");
  assert.ok(error instanceof ODataClientError && error.code === "AUTH_FAILED", inspect(error));
  assert.equal(error.message, 'option "auth.bearer" threw instead of giving a token (see cause)');
  const cause = error.cause as RefreshError;
  assert.ok(cause instanceof RefreshError, inspect(cause));
  assert.equal(cause.message, "refresh failed, *** expired");
  assert.equal(cause.detail, "last token ***");
  assert.equal((cause.cause as Error).message, "upstream said: no session for *** (key ***)");
  assert.match(String(cause.stack), /^Error: refresh failed, \*\*\* expired\n/);
  const shown = [error.message, String(error.stack), inspect(error, { depth: 10 }), JSON.stringify(error), JSON.stringify(cause)].join("\n");
  assert.ok(!shown.includes(TOKEN) && !shown.includes(API_KEY), shown);
  assert.match(inspect(error, { depth: 10 }), /\[cause\]: RefreshError: refresh failed, \*\*\* expired/);
});

test("a token function that throws with nothing the client sent in it keeps its cause as it is", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
  t.after(() => server.close());
  let calls = 0;
  const thrown = new Error("token service unreachable");
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: () => (calls++ === 0 ? TOKEN : Promise.reject(thrown)) } });
  await client.collection("Items").page();
  const error = await client.collection("Items").page().then(
    () => assert.fail("resolved"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataClientError && error.code === "AUTH_FAILED", inspect(error));
  assert.equal(error.cause, thrown);
});
