/**
 * The CSRF token fetch shared by writes that wait for it at once (option `csrf: true`): each write
 * waits within its own timeout and signal, as for an OAuth2 token. The timeout of the write that
 * started the fetch ends that write's wait alone; the fetch goes on while any write still waits
 * for it, and is aborted (closed at the server) when the last one gives up. The same holds for a
 * token fetched anew after 403 `X-CSRF-Token: Required` answers to several writes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, sendText, startServer, waitFor, type RecordedRequest } from "./servers/recording-server.js";

/**
 * The timeouts (ms, each write's own): `SHORT` of the writes that start a token fetch and give up
 * on it, `MIDDLE` of a later write that gives up too (long enough after `SHORT` for a fetch ended
 * by the first write's timeout to show), `LONG` of one that must not give up. A later write joins
 * the fetch once the service has it, however long that took. `SLACK` bounds how late past its
 * timeout a write may reject on a loaded machine.
 */
const SHORT = 800;
const MIDDLE = 2_000;
const LONG = 10_000;
const SLACK = 2_500;

/** A token fetch the test answers when it chooses, and when its connection was closed unanswered. */
interface HeldFetch {
  res: ServerResponse;
  /** When it arrived (performance.now()). */
  at: number;
  closedAt: number | undefined;
}

/**
 * Waits until `fetch` has been open longer than the first write's timeout, and a little more: a
 * timeout of the fetch's own (the first write's, as it was) would have closed it by then.
 */
async function pastOwnTimeout(fetch: HeldFetch): Promise<void> {
  await sleep(Math.max(0, fetch.at + SHORT + 100 - performance.now()));
}

/**
 * A service whose token fetches are held for the test to answer (`held`), save those answered at
 * once with a token from `immediate` (by the fetch's position, 1 first); writes with `refused` are
 * answered 403 Required, any other write 201.
 */
async function service(t: { after(fn: () => Promise<void>): void }, { immediate = [] as Array<string | undefined>, refused = "" } = {}) {
  const held: HeldFetch[] = [];
  let fetches = 0;
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      fetches += 1;
      const token = immediate[fetches - 1];
      if (token !== undefined) return sendJson(res, 200, {}, { "x-csrf-token": token });
      const fetch: HeldFetch = { res, at: performance.now(), closedAt: undefined };
      res.on("close", () => {
        if (!res.writableFinished) fetch.closedAt = performance.now();
      });
      held.push(fetch);
      return;
    }
    if (request.headers["x-csrf-token"] === refused) return sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
    sendJson(res, 201, JSON.parse(request.body) as unknown);
  });
  t.after(() => server.close());
  return { server, held };
}

function wire(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"] ?? "-"} ${r.body}`);
}

/** A write's outcome and how long after its call it came. */
async function timed<T>(promise: Promise<T>): Promise<{ value?: T; error?: ODataClientError; elapsed: number }> {
  const start = performance.now();
  try {
    const value = await promise;
    return { value, elapsed: performance.now() - start };
  } catch (error) {
    assert.ok(error instanceof ODataClientError, `expected an ODataClientError, got ${String(error)}`);
    return { error, elapsed: performance.now() - start };
  }
}

/** Whether `elapsed` is `timeout`'s, give or take a loaded machine. */
function ownTimeout(write: { elapsed: number }, timeout: number, what: string): void {
  assert.ok(write.elapsed >= timeout - 50 && write.elapsed < timeout + SLACK, `${what}: its own timeout of ${timeout} ms (${Math.round(write.elapsed)} ms)`);
}

const fetchTimeout = (fate: string) =>
  new RegExp(`^the CSRF token fetch \\(GET \\S+/svc/\\) got no answer within the timeout \\(option "timeout"\\) of POST \\S+/svc/Books, which ${fate}$`);

test("the first write's timeout ends its own wait only: a write that joined the token fetch later is sent with the token that comes within its own timeout", async (t) => {
  const { server, held } = await service(t);
  // Retries on (the default): the fetch of a create may be retried, the create is not.
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true });
  const books = client.collection<{ ID: number }>("Books");
  const first = timed(books.create({ ID: 1 }, { timeout: SHORT }));
  await waitFor(() => held.length === 1, "the token fetch");
  const second = timed(books.create({ ID: 2 }, { timeout: LONG }));
  const a = await first;
  assert.equal(a.error?.code, "TIMEOUT");
  assert.match(a.error.message, fetchTimeout("was not sent"));
  ownTimeout(a, SHORT, "the first write");
  assert.equal(held.length, 1);
  const fetch = held[0]!;
  // The fetch is still open after the first write left, and past a timeout of its own.
  await pastOwnTimeout(fetch);
  assert.equal(fetch.closedAt, undefined, "the token fetch was closed when the first write's timeout ended");
  sendJson(fetch.res, 200, {}, { "x-csrf-token": "tok" });
  const b = await second;
  assert.equal(b.error, undefined, `the second write failed: ${b.error?.message}`);
  assert.deepEqual(b.value, { ID: 2 });
  // One token fetch; the first create never sent, the second sent with the token.
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch ", 'POST /svc/Books tok {"ID":2}']);
});

test("a write that joined a token fetch that never answers times out with its own timeout, and the fetch is aborted at the server only then", async (t) => {
  const { server, held } = await service(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const books = client.collection("Books");
  const first = timed(books.create({ ID: 1 }, { timeout: SHORT }));
  await waitFor(() => held.length === 1, "the token fetch");
  const secondStart = performance.now();
  const second = timed(books.create({ ID: 2 }, { timeout: MIDDLE }));
  const [a, b] = await Promise.all([first, second]);
  [a, b].forEach((write, index) => {
    assert.equal(write.error?.code, "TIMEOUT");
    assert.match(write.error.message, fetchTimeout("was not sent"));
    ownTimeout(write, index === 0 ? SHORT : MIDDLE, `write ${index + 1}`);
  });
  // The fetch was aborted when the last write left, not when the first did.
  await waitFor(() => held[0]?.closedAt !== undefined, "the token fetch to close");
  const closedAfter = held[0]!.closedAt! - secondStart;
  assert.ok(closedAfter >= MIDDLE - 50, `the token fetch closed ${Math.round(closedAfter)} ms after the second write began`);
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch "]);
});

test("the first write's timeout, then the second write's abort: the second rejects with its own reason, and only that closes the token fetch", async (t) => {
  const { server, held } = await service(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const books = client.collection("Books");
  const first = timed(books.create({ ID: 1 }, { timeout: SHORT }));
  await waitFor(() => held.length === 1, "the token fetch");
  const controller = new AbortController();
  const reason = new Error("the user cancelled");
  const second = books.create({ ID: 2 }, { signal: controller.signal, timeout: LONG });
  const secondOutcome = second.then(
    () => assert.fail("the second write resolved"),
    (error: unknown) => error,
  );
  const a = await first;
  assert.equal(a.error?.code, "TIMEOUT");
  await pastOwnTimeout(held[0]!);
  assert.equal(held[0]!.closedAt, undefined, "the token fetch was closed when the first write's timeout ended");
  const abortedAt = performance.now();
  controller.abort(reason);
  assert.equal(await secondOutcome, reason);
  await waitFor(() => held[0]?.closedAt !== undefined, "the token fetch to close");
  assert.ok(held[0]!.closedAt! >= abortedAt, "the token fetch closed after the last write left");
  assert.deepEqual(wire(server.requests), ["GET /svc/ Fetch "]);
});

test("a token fetched anew after 403 Required answers to two writes: their timeouts leave a later write that joined the fetch waiting, which is sent with the new token", async (t) => {
  const { server, held } = await service(t, { immediate: ["old"], refused: "old" });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const books = client.collection<{ ID: number }>("Books");
  // Both share the first fetch, get "old", are refused with it and wait for the token fetched anew.
  const refused = [timed(books.create({ ID: 1 }, { timeout: SHORT })), timed(books.create({ ID: 3 }, { timeout: SHORT }))];
  await waitFor(() => held.length === 1, "the token fetched anew");
  const later = timed(books.create({ ID: 2 }, { timeout: LONG }));
  for (const write of await Promise.all(refused)) {
    assert.equal(write.error?.code, "TIMEOUT");
    assert.match(write.error.message, fetchTimeout("the service refused for want of a token and was not sent again"));
    ownTimeout(write, SHORT, "a refused write");
  }
  assert.equal(held.length, 1, "the token is fetched anew once");
  await pastOwnTimeout(held[0]!);
  assert.equal(held[0]!.closedAt, undefined, "the token fetch was closed when the refused writes' timeouts ended");
  sendJson(held[0]!.res, 200, {}, { "x-csrf-token": "new" });
  const b = await later;
  assert.equal(b.error, undefined, `the later write failed: ${b.error?.message}`);
  assert.deepEqual(b.value, { ID: 2 });
  // Two token fetches; both first creates refused with "old" and not sent again; the later one
  // sent once, with the new token.
  const lines = wire(server.requests);
  assert.deepEqual([...lines].sort(), ["GET /svc/ Fetch ", "GET /svc/ Fetch ", 'POST /svc/Books new {"ID":2}', 'POST /svc/Books old {"ID":1}', 'POST /svc/Books old {"ID":3}']);
  assert.equal(lines.at(-1), 'POST /svc/Books new {"ID":2}');
});

test("a token fetched anew after 403 Required answers that never answers: each write waiting for it times out with its own timeout, and the last one's aborts the fetch", async (t) => {
  const { server, held } = await service(t, { immediate: ["old"], refused: "old" });
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const books = client.collection("Books");
  const refused = [timed(books.create({ ID: 1 }, { timeout: SHORT })), timed(books.create({ ID: 3 }, { timeout: SHORT }))];
  await waitFor(() => held.length === 1, "the token fetched anew");
  const laterStart = performance.now();
  const later = timed(books.create({ ID: 2 }, { timeout: MIDDLE }));
  const outcomes = await Promise.all([...refused, later]);
  outcomes.forEach((write, index) => {
    assert.equal(write.error?.code, "TIMEOUT");
    assert.match(write.error.message, fetchTimeout(index < 2 ? "the service refused for want of a token and was not sent again" : "was not sent"));
    ownTimeout(write, index < 2 ? SHORT : MIDDLE, `write ${index + 1}`);
  });
  assert.equal(held.length, 1, "the token is fetched anew once");
  await waitFor(() => held[0]?.closedAt !== undefined, "the token fetch to close");
  const closedAfter = held[0]!.closedAt! - laterStart;
  assert.ok(closedAfter >= MIDDLE - 50, `the token fetch closed ${Math.round(closedAfter)} ms after the later write began`);
  assert.deepEqual([...wire(server.requests)].sort(), ["GET /svc/ Fetch ", "GET /svc/ Fetch ", 'POST /svc/Books old {"ID":1}', 'POST /svc/Books old {"ID":3}']);
});
