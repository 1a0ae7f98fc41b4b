// A custom `fetch` that fails (before the answer, or while its body is read) with an error quoting
// what the client sent under member names that say nothing (`detail`, `request.note`): the
// NETWORK_ERROR keeps that error as its cause, with the secret values sent masked in it, as the
// member-name rules alone cannot do.
import assert from "node:assert/strict";
import http from "node:http";
import { test, type TestContext } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";

const TOKEN = "eyJhbGciOi.tok-S3CRET-5e7d";
const API_KEY = "key-S3CRET-c0ffee42";
const SECRETS = [TOKEN, API_KEY];

/** A service on 127.0.0.1 that answers every request with a collection of one book, and keeps the headers it got. */
async function bookService(t: TestContext): Promise<{ url: string; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const book = { ID: 1, title: "One".repeat(200) };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.url?.includes("Books(1)") ? book : { value: [book, book] }));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  t.after(() => (server.closeAllConnections(), server.close()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/svc/`, seen };
}

/** The message of the errors below that quotes the token too; a plain one quotes it only under neutral names. */
const QUOTING = `boom: the proxy refused ${TOKEN}`;

/** An error as an HTTP library might make it: the secrets sent, bare, under neutral names (and in `message`, where it quotes them). */
function leakyError(message: string): Error {
  return Object.assign(new Error(message), {
    detail: `sent ${TOKEN}`,
    request: { note: TOKEN, extra: [`with ${API_KEY}`] },
  });
}

function client(url: string, fetch: typeof globalThis.fetch): ODataClient {
  return new ODataClient({ serviceUrl: url, auth: { bearer: async () => TOKEN }, headers: { "x-api-key": API_KEY }, fetch, retry: false });
}

/**
 * Asserts `error` is a NETWORK_ERROR whose every text, cause included, shows no secret sent, and
 * whose cause is the custom fetch's error (whose message was `message`), masked.
 */
const maskedNetworkError = (message: string) => (error: unknown): true => {
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "NETWORK_ERROR");
  const shown = `${inspect(error, { depth: Infinity })}\n${error.stack}\n${JSON.stringify(error)}`;
  for (const secret of SECRETS) assert.ok(!shown.includes(secret), `the error shows ${secret}:\n${shown}`);
  const shownMessage = message.replace(TOKEN, "***");
  assert.ok(error.message.endsWith(`: ${shownMessage}`), error.message);
  const cause = error.cause as Error & { detail?: unknown; request?: unknown };
  assert.ok(cause instanceof Error);
  assert.equal(cause.message, shownMessage);
  assert.equal(cause.detail, "sent ***");
  assert.deepEqual(cause.request, { note: "***", extra: ["with ***"] });
  return true;
};

test("a custom fetch that sends the request and rejects with an error quoting the token and key sent under neutral names: the NETWORK_ERROR's cause has them masked", async (t) => {
  const service = await bookService(t);
  const fetchFn: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    await response.body?.cancel();
    throw leakyError(QUOTING);
  };
  await assert.rejects(client(service.url, fetchFn).collection("Books").key(1).get(), maskedNetworkError(QUOTING));
  // What went out: the secrets the error quoted.
  assert.equal(service.seen.length, 1);
  assert.equal(service.seen[0]!.authorization, `Bearer ${TOKEN}`);
  assert.equal(service.seen[0]!["x-api-key"], API_KEY);
});

/** A custom fetch whose answer's body breaks after its first bytes with {@link leakyError} of `message`. */
const breakingBody = (message: string): typeof fetch => async (input, init) => {
  const response = await fetch(input, init);
  const reader = response.body!.getReader();
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await reader.read();
      if (!started && !step.done) {
        started = true;
        controller.enqueue(step.value.subarray(0, 10));
        return;
      }
      await reader.cancel();
      controller.error(leakyError(message));
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
};

test("a custom fetch whose body breaks with an error quoting the token and key sent: the NETWORK_ERROR of an entity's read has them masked in its cause", async (t) => {
  const service = await bookService(t);
  await assert.rejects(client(service.url, breakingBody(QUOTING)).collection("Books").key(1).get(), maskedNetworkError(QUOTING));
  assert.equal(service.seen[0]!.authorization, `Bearer ${TOKEN}`);
});

test("a custom fetch whose body breaks with an error quoting the token and key sent under neutral names: the NETWORK_ERROR of a walk's page has them masked in its cause", async (t) => {
  const service = await bookService(t);
  await assert.rejects(client(service.url, breakingBody("boom")).collection("Books").list(), maskedNetworkError("boom"));
  assert.equal(service.seen[0]!.authorization, `Bearer ${TOKEN}`);
  assert.equal(service.seen[0]!["x-api-key"], API_KEY);
});
