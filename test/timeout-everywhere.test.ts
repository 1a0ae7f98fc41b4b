// Option `timeout` over the public surface: every method that sends a request is run, on a client
// made with `timeout: 400` and never aborted (given no signal, or a signal that never aborts),
// against a server that holds the request at one phase (the table and the server are in
// test/servers/held-requests.ts, shared with test/abort-everywhere.test.ts):
//   (a) the request arrived and no headers are ever sent, or
//   (b) the headers and the start of the body are sent, then nothing more (the client is reading).
// Two operations of this file's own add that the timeout is per attempt (a retry after a 503) and
// covers the redirect hops (the hop a 307 names).
// Each case asserts that
//   1. the promise (or the iterator step) rejects with ODataClientError code TIMEOUT whose message
//      names the request (method and URL) and says which stalled, the headers or the body;
//   2. it does so after about timeout × attempts (not before, and not much later);
//   3. the server saw the held request the expected number of times: once, as a TIMEOUT is not
//      retried (README "Retries": 408/429/502/503/504 and network errors are), retries being on;
//   4. the server sees every held connection closed before its answer was finished;
//   5. no timer the operation made is left, and no request reaches the server afterwards.
// Pollers read a timed-out poll as a transient answer (README, rule 9): poll() resolves true and
// wait() polls again, rejecting with the fifth TIMEOUT in a row. The ...Async calls whose 202 with a
// Location stalls in its body resolve a poller of that monitor instead, the body given up on as late.
// A write or an action whose answer had a success status says, in its TIMEOUT's message, that the
// service applied it (ran it) before the body stalled: sending it again would apply it twice.
// Then: `timeout: 0` is no timeout at all. The per-call timeout is tested elsewhere (see the end).
// Cases run a few at a time: the timers of each are told apart by the async context they were made in.
import { before, test, describe } from "node:test";
import assert from "node:assert/strict";
import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { STATUS_CODES } from "node:http";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, sendText, startServer, type TestContextLike } from "./servers/recording-server.js";
import { holdingServer, json, operations, ROOT, settleWithin, waitFor, type Operation, type Phase } from "./servers/held-requests.js";

/**
 * Long enough that a loaded machine answers every request before the held one within it: 150 ms
 * missed a redirect's hop under the whole suite, and 400 ms the first page of a walk once, with
 * the browsers and SAP CAP running beside it.
 */
const TIMEOUT = 1_000;
/** How much later than timeout × attempts a case may end (two shared cores, many cases at once). */
const SLACK = 1_000;
/** How much earlier: the timer starts as the request leaves, a moment before the server records it. */
const EARLY = 20;
const LIMIT = { timeout: 20_000 };
/** Cases run at once: more and the machine, not the library, decides when a request leaves. */
const CONCURRENCY = 6;

// --- The timers an operation makes, told apart by async context -----------------------------------

/** The timers made in one case's context: how many, and the live ones (id → where it was made). */
interface CaseTimers {
  made: number;
  live: Map<number, string>;
}

const timerContext = new AsyncLocalStorage<CaseTimers>();
const timerOwners = new Map<number, CaseTimers>();
createHook({
  init(asyncId, type) {
    if (type !== "Timeout") return;
    const timers = timerContext.getStore();
    if (timers === undefined) return;
    const made = (new Error("made").stack ?? "").split("\n").filter((line) => line.includes("    at ") && !/async_hooks|internal\/timers|node:timers/.test(line));
    // fetch's own timers (undici's, unref'd: its connection and parser timeouts) are not the library's.
    if (made.some((line) => line.includes("deps/undici"))) return;
    timers.made += 1;
    timers.live.set(asyncId, made.slice(0, 4).join("\n"));
    timerOwners.set(asyncId, timers);
  },
  destroy(asyncId) {
    timerOwners.get(asyncId)?.live.delete(asyncId);
    timerOwners.delete(asyncId);
  },
}).enable();

/** Runs `start` so that the timers it (and whatever it goes on to do) makes are counted in `timers`. */
function counted<T>(timers: CaseTimers, start: () => T): T {
  return timerContext.run(timers, start);
}

/** Where the live timers of `timers` were made, once the destroy hooks of cleared ones have run. */
async function timersLeft(timers: CaseTimers): Promise<string[]> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  return [...timers.live.values()];
}

// --- What each operation's timeout should look like -----------------------------------------------

interface Expectation {
  /** The request the TIMEOUT message names, where it is not the held one. */
  named?: { method: string; path: string };
  /** Which stall the message reports, where it is not the phase's own. */
  reports?: Phase;
  /** How the operation ends: rejects with the TIMEOUT (default), or a poll resolves "still running". */
  ends?: "rejects" | "running";
  /** How many times the server sees the held request (default 1). */
  attempts?: number;
  /**
   * Where a stall of the body after the headers resolves instead: the `...Async` calls, whose 202
   * with a `Location` names the running operation's monitor (its body is optional), give a poller
   * of that monitor once the stall watch gives up on the body.
   */
  bodyStall?: "poller";
  /** The whole TIMEOUT message, where it names no request of the table's form (`origin`: the server's; `phase`: where it holds). */
  message?: (origin: string, phase: Phase) => string;
  /**
   * What a stall of the body after a success status says the service did: a write answered 2xx
   * was applied, and an action so answered ran, whatever became of the answer's body after.
   */
  appliedAtBodyStall?: "applied the write" | "ran the action";
  /**
   * What a write or an action that got no headers at all may have done: it may have reached the
   * service, which may have applied it (run it), and the program decides whether to send it again.
   */
  unanswered?: "write" | "action";
}

const expectations: Record<string, Expectation> = {
  // The timeout step times the request the caller made: the token requests made on its behalf
  // count against its timeout (README "OAuth2", "SAP CSRF tokens"). A token fetch that stalls is
  // what the error names, and the write waiting for it was not sent.
  "create() with csrf: true, its token fetch": {
    message: (origin) => `the CSRF token fetch (GET ${origin}${ROOT}) got no answer within the timeout (option "timeout") of POST ${origin}${ROOT}Items, which was not sent`,
  },
  // A token request that stalls counts against the timeout of the request waiting for it, which
  // is not sent: the error names the token endpoint, and whether it did not answer or its answer
  // stopped in the body (README "OAuth2").
  "page() with auth.oauth2, its token request": {
    message: (origin, phase) =>
      `the OAuth2 token endpoint POST ${origin}/token (option "auth.oauth2.tokenUrl") ${phase === "no headers" ? "got no answer" : "answered 200 and its body did not come in full"} within the timeout (option "timeout") of GET ${origin}${ROOT}Items, which was not sent`,
  },
  // So are the hops of a redirect.
  "page(), the hop a 307 redirect names": { named: { method: "GET", path: `${ROOT}Items` } },
  // Rule 9: a poll that times out is a transient answer.
  "poller poll(signal)": { ends: "running" },
  // The result's body too: it stalls, the poll is a transient answer, the next asks again.
  "poller poll(signal), the GET of the result a 303 names": { ends: "running" },
  "poller wait(signal), a poll on the wire": { attempts: 5 },
  // A write or an action answered 2xx took effect: its TIMEOUT says so, not only that the body stalled.
  // One that got no answer at all may have been applied (run): its TIMEOUT says that too.
  "create()": { appliedAtBodyStall: "applied the write", unanswered: "write" },
  "key(1).update()": { appliedAtBodyStall: "applied the write", unanswered: "write" },
  "key(1).replace()": { appliedAtBodyStall: "applied the write", unanswered: "write" },
  "key(9).upsert()": { appliedAtBodyStall: "applied the write", unanswered: "write" },
  "key(1).delete()": { unanswered: "write" },
  "key(1).link()": { unanswered: "write" },
  "action().invoke()": { appliedAtBodyStall: "ran the action", unanswered: "action" },
  "createAsync(), its initial request": { bodyStall: "poller", unanswered: "write" },
  "action().invokeAsync(), its initial request": { bodyStall: "poller", unanswered: "action" },
  "batch().sendAsync(), its initial request": { bodyStall: "poller" },
};

/** Operations of this file only: a timeout is per attempt, and covers the redirect hops. */
const perAttempt: Operation[] = [
  {
    name: "key(1).get(), its retry after a 503",
    before: [(res) => sendJson(res, 503, { error: { code: "busy", message: "busy" } })],
    held: { method: "GET", path: `${ROOT}Items(1)` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.collection("Items").key(1).get({ signal }),
  },
  {
    name: "page(), the hop a 307 redirect names",
    before: [(res) => sendText(res, 307, "", { location: `${ROOT}Items2` })],
    held: { method: "GET", path: `${ROOT}Items2` },
    partial: json('{"value":[{"ID":1},'),
    run: (client, signal) => client.collection("Items").page({ signal }),
  },
];
const table = [...operations, ...perAttempt];
for (const name of Object.keys(expectations)) {
  assert.ok(
    table.some((operation) => operation.name === name),
    `no operation "${name}" in the table`,
  );
}

/** What the TIMEOUT of a write or an action that got no answer adds: the service may have applied it. */
const UNANSWERED_HINT = {
  write: "; the service may have received and applied the write: read before sending it again",
  action: "; the service may have received it and run the action: read before sending it again",
};

function expectedMessage(method: string, url: string, stall: Phase, applied?: { status: number; done: string }, unanswered?: "write" | "action"): string {
  if (stall === "no headers") return `${method} ${url} got no answer within ${TIMEOUT} ms (option "timeout")${unanswered === undefined ? "" : UNANSWERED_HINT[unanswered]}`;
  if (applied === undefined) return `${method} ${url}: the answer's body stalled, no data arrived for ${TIMEOUT} ms (option "timeout")`;
  const status = `${applied.status} ${STATUS_CODES[applied.status]!}`;
  return `${method} ${url} was answered ${status}, so the service ${applied.done}, but its answer's body stalled: no data arrived for ${TIMEOUT} ms (option "timeout")`;
}

/** Whether the operation is given a caller's signal (which never aborts) or none. */
type Caller = "no signal" | "a signal that never aborts";

async function timeOutWhileHeld(t: TestContextLike, operation: Operation, phase: Phase, caller: Caller): Promise<void> {
  const expected = expectations[operation.name] ?? {};
  const attempts = expected.attempts ?? 1;
  // Retries are on, with a short backoff: a timeout must not be retried, however soon it could be.
  const { server, client, root, allHeld } = await holdingServer(t, operation, phase, { timeout: TIMEOUT, retry: { retries: 3, delay: 1 } });
  const timers: CaseTimers = { made: 0, live: new Map() };
  const started = performance.now();
  const signal = caller === "no signal" ? undefined : new AbortController().signal;
  const running = counted(timers, () => operation.run(client, signal, root));
  const outcome = await settleWithin(running, TIMEOUT * attempts + SLACK);
  const elapsed = performance.now() - started;
  const left = await timersLeft(timers);

  const named = expected.named ?? operation.held;
  const applied = expected.appliedAtBodyStall === undefined || !operation.partial ? undefined : { status: operation.partial.status, done: expected.appliedAtBodyStall };
  const message = expected.message?.(server.origin, phase) ?? expectedMessage(named.method, `${server.origin}${named.path}`, expected.reports ?? phase, applied, expected.unanswered);
  if (outcome.settled === "pending") assert.fail(`still pending ${Math.round(elapsed)} ms after the call`);
  if (phase === "part of the body" && expected.bodyStall === "poller") {
    if (outcome.settled === "rejected") assert.fail(`rejected with ${String(outcome.error)}`);
    const poller = outcome.value as { statusUrl: string; status(): string; isDone(): boolean };
    assert.equal(poller.statusUrl, `${server.origin}${ROOT}Jobs(1)/status`, "the poller follows the 202's Location");
    assert.equal(poller.status(), "Running");
    assert.equal(poller.isDone(), false);
  } else if ((expected.ends ?? "rejects") === "rejects") {
    if (outcome.settled === "resolved") assert.fail(`resolved with ${JSON.stringify(outcome.value)}`);
    const error = outcome.error;
    assert.ok(error instanceof ODataClientError, `rejected with ${String(error)}`);
    assert.equal(error.code, "TIMEOUT", error.message);
    assert.equal(error.message, message);
  } else {
    if (outcome.settled === "rejected") assert.fail(`rejected with ${String(outcome.error)}`);
    assert.equal(outcome.value, true, "the poll reads as still running");
  }
  assert.ok(elapsed >= TIMEOUT * attempts - EARLY, `ended after ${Math.round(elapsed)} ms, before timeout × ${attempts}`);

  // The server records a request once its body is in, which on a busy machine may be a moment
  // after the client gave up on it.
  const held = allHeld();
  await waitFor(() => held.length >= attempts, `${attempts} held request(s) to be recorded`, 1_000).catch(() => {});
  assert.deepEqual(
    held.map(({ request }) => `${request.method} ${request.path}`),
    Array.from({ length: attempts }, () => `${operation.held.method} ${operation.held.path}`),
    "the held requests the server saw",
  );
  if (operation.held.header) {
    const [name, value] = operation.held.header;
    assert.equal(held[0]?.request.headers[name], value, `its ${name} header`);
  }
  await waitFor(() => held.every((h) => h.finishedAtClose !== undefined), "the server to see every held connection close");
  assert.deepEqual(
    held.map((h) => h.finishedAtClose),
    held.map(() => false),
    "closed before the answer was finished",
  );
  assert.ok(timers.made > 0, "the timeout's timer was seen being made");
  assert.deepEqual(left, [], "timers of the operation left once it ended");
  // Anything the library still did after the timeout would reach the server now: the requests
  // answered before the held one and the held ones are all there is.
  await sleep(50);
  assert.equal(server.requests.length, (operation.before?.length ?? 0) + attempts, "requests the server saw in all");
}

describe(`with timeout: ${TIMEOUT}, a held request ends in TIMEOUT, at the server too, and leaves nothing running`, () => {
  // The library loads parts of itself with their first use (the OAuth2 and CSRF steps, the poller,
  // writes ...), which tsx compiles then, taking longer than the timeout with many cases at once:
  // each operation is run once first against a server that answers every request at once.
  before(async () => {
    const server = await startServer((_request, res) => sendJson(res, 500, { error: { code: "warm-up", message: "warm-up" } }));
    const client = (operation: Operation) => new ODataClient({ serviceUrl: server.url("odata/"), retry: false, ...operation.options?.(server.origin) });
    try {
      await Promise.all(table.map((operation) => settleWithin(operation.run(client(operation), undefined, server.url("odata/")), 5_000)));
    } finally {
      await server.close();
    }
  });

  for (const phase of ["no headers", "part of the body"] as const) {
    for (const caller of ["no signal", "a signal that never aborts"] as const) {
      const sends = phase === "no headers" ? "no headers" : "headers and part of the body, then stalls";
      describe(`the server sends ${sends}; the call has ${caller}`, { concurrency: CONCURRENCY }, () => {
        for (const operation of table) {
          if (phase === "part of the body" && !operation.partial) continue;
          test(operation.name, LIMIT, (t) => timeOutWhileHeld(t, operation, phase, caller));
        }
      });
    }
  }
});

describe("timeout: 0 is no timeout", { concurrency: true }, () => {
  const HOLD = 400;
  for (const phase of ["no headers", "part of the body"] as const) {
    test(`page() whose server holds the answer ${HOLD} ms (${phase}) and then sends it resolves, with no timer of the library meanwhile`, LIMIT, async (t) => {
      const body = JSON.stringify({ value: [{ ID: 1 }, { ID: 2 }] });
      const server = await startServer(async (_request, res) => {
        if (phase === "part of the body") {
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
          res.write(body.slice(0, 10));
        }
        await sleep(HOLD);
        if (phase === "no headers") res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(phase === "no headers" ? body : body.slice(10));
      });
      t.after(() => server.close());
      const client = new ODataClient({ serviceUrl: server.url("odata/"), timeout: 0 });
      const timers: CaseTimers = { made: 0, live: new Map() };
      const started = performance.now();
      const running = counted(timers, () => client.collection<{ ID: number }>("Items").page());
      await sleep(HOLD / 2);
      assert.deepEqual(await timersLeft(timers), [], "timers of the library while the answer is held");
      const outcome = await settleWithin(running, HOLD + SLACK);
      assert.ok(performance.now() - started >= HOLD - EARLY);
      if (outcome.settled !== "resolved") assert.fail(`${outcome.settled}: ${outcome.settled === "rejected" ? String(outcome.error) : ""}`);
      assert.deepEqual((outcome.value as { value: unknown }).value, [{ ID: 1 }, { ID: 2 }]);
      assert.deepEqual(
        server.requests.map((r) => `${r.method} ${r.path}`),
        [`GET ${ROOT}Items`],
      );
    });
  }
});

// The per-call timeout (RequestOptions.timeout, src/options.ts: a call's own in place of the
// client's, `0` none) is not run through this table, whose operations take a signal alone: the
// reads' is tested in test/s33-read-options-timeout.test.ts, every other call's in
// test/s33-call-timeout-*.test.ts (a call's short timeout ends a request held under the client's
// long one; `timeout: 0` lets an answer later than the client's through; bad values are refused
// naming the call). `signal: AbortSignal.timeout(ms)`, a bound on the whole call rather than on
// each request, is covered as an abort by test/abort-everywhere.test.ts.
