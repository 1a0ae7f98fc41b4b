// "Nothing keeps running after an abort", checked over the public surface: every method that sends
// a request is given a signal and run against a server that holds the request at one phase,
//   (a) the request arrived and no headers are ever sent, or
//   (b) the headers and the start of the body are sent, then nothing more (the client is reading);
// the signal is then aborted with a reason of the case's own. Each case asserts that
//   1. the promise (or the iterator step) rejects with that very reason, within a second or two
//      (the client's timeout is its default 30 s and the server never goes on, so only the abort
//      can end it);
//   2. the server sees the held connection closed before its answer was finished;
//   3. no timer of the library is left (the active "Timeout" resources are as before the call);
//   4. no request reaches the server after the abort.
// The held request may be one the library sends on its own: the CSRF token fetch of a write, the
// OAuth2 token request, the GET of a result a status monitor names, page 2 of a walk (requests
// before the held one are answered normally). Retries are on (the default policy): an aborted
// request must not be retried.
// Then: a poller's wait() aborted while it sleeps between polls, an already aborted signal (nothing
// is sent at all, no token asked for), and an auth.bearer function still working on the token when
// the signal aborts.
// The table of operations and the holding server are in test/servers/held-requests.ts.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordedRequest, type TestContextLike } from "./servers/recording-server.js";
import { activeTimers, holdingServer, operations, ROOT, settleWithin, waitFor, type Operation, type Outcome, type Phase } from "./servers/held-requests.js";

/** Each test must end on its own, whatever the library does with the abort. */
const LIMIT = { timeout: 20_000 };

/** How long a rejection may take after the abort; the client's own timeout (30 s) is far beyond. */
const PROMPT_MS = 2_000;

function assertRejectedWith(outcome: Outcome, reason: unknown): void {
  if (outcome.settled === "pending") assert.fail(`still pending ${PROMPT_MS} ms after the abort`);
  if (outcome.settled === "resolved") assert.fail(`resolved after the abort, with ${JSON.stringify(outcome.value)}`);
  assert.equal(outcome.error, reason, `rejected with ${String(outcome.error)} instead of the abort's reason`);
}

async function abortWhileHeld(t: TestContextLike, operation: Operation, phase: Phase, given?: { reason: unknown }): Promise<void> {
  const { server, client, root, held, answersSeen } = await holdingServer(t, operation, phase);
  const controller = new AbortController();
  const reason = given ? given.reason : new Error(`stop-${operation.name}`);
  const timersBefore = activeTimers();
  const running = operation.run(client, controller.signal, root);
  running.catch(() => {});
  try {
    await waitFor(() => held() !== undefined, "the held request to arrive");
    const request = held()?.request as RecordedRequest;
    assert.equal(`${request.method} ${request.path}`, `${operation.held.method} ${operation.held.path}`, "the request held");
    if (operation.held.header) {
      const [name, value] = operation.held.header;
      assert.equal(request.headers[name], value, `its ${name} header`);
    }
    if (phase === "part of the body") {
      await waitFor(() => held()?.written === true, "the partial body to be written");
      await waitFor(() => answersSeen() === server.requests.length, "the client to receive the held answer's headers");
    }
  } catch (error) {
    // Not where the case expects: end the operation, so that it leaves nothing to the next case.
    controller.abort(new Error("the case failed before its abort"));
    throw error;
  }
  const sentBeforeAbort = server.requests.length;

  controller.abort(reason);
  const outcome = await settleWithin(running);
  const timersAfter = activeTimers();
  assertRejectedWith(outcome, reason);
  assert.equal(timersAfter, timersBefore, "timers left once the operation rejected");

  await waitFor(() => held()?.finishedAtClose !== undefined, "the server to see the held connection close");
  assert.equal(held()?.finishedAtClose, false, "the connection closed before the answer was finished");
  // Anything the library still did after the abort would reach the server now.
  await sleep(50);
  assert.deepEqual(
    server.requests.slice(sentBeforeAbort).map((r) => `${r.method} ${r.path}`),
    [],
    "requests sent after the abort",
  );
  assert.equal(activeTimers(), timersBefore, "timers left a moment later");
}

describe("an abort while the request is held ends it at once, at the server too, and leaves nothing running", () => {
  for (const phase of ["no headers", "part of the body"] as const) {
    describe(`the server sends ${phase === "no headers" ? "no headers" : "headers and part of the body, then stalls"}`, () => {
      for (const operation of operations) {
        if (phase === "part of the body" && !operation.partial) continue;
        test(operation.name, LIMIT, (t) => abortWhileHeld(t, operation, phase));
      }
    });
  }
});

// `abort(null)` makes `null` the reason (only `abort()` with no argument makes an AbortError), and
// fetch rejects with it: so does every operation, where a reason defaulted with `??` became an
// AbortError of the library's own.
describe("an abort whose reason is null (or another falsy value) rejects with that very value", () => {
  const reasons = [null, 0, ""] as const;
  for (const phase of ["no headers", "part of the body"] as const) {
    for (const operation of operations) {
      if (phase === "part of the body" && !operation.partial) continue;
      const reason = reasons[operations.indexOf(operation) % reasons.length];
      test(`${operation.name}, ${phase}, abort(${JSON.stringify(reason)})`, LIMIT, (t) => abortWhileHeld(t, operation, phase, { reason }));
    }
  }
});

describe("a poller's wait() aborted while it sleeps between polls", () => {
  test("rejects at once with the reason, leaves no timer, and sends no further poll", LIMIT, async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 202, { status: "Running" }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("odata/") });
    const poller = client.asyncPoller("Jobs(1)/status", { pollInterval: 10_000 });
    assert.equal(await poller.poll(), true);
    const timersBefore = activeTimers();
    const controller = new AbortController();
    const reason = new Error("stop-sleeping-wait");
    const waiting = poller.wait(controller.signal);
    waiting.catch(() => {});
    await waitFor(() => activeTimers() > timersBefore, "wait() to sleep");
    controller.abort(reason);
    const outcome = await settleWithin(waiting);
    assert.equal(activeTimers(), timersBefore, "the sleep's timer is gone");
    assertRejectedWith(outcome, reason);
    await sleep(50);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      [`GET ${ROOT}Jobs(1)/status`],
      "only the poll before the wait",
    );
    assert.equal(poller.isDone(), false);
  });
});

describe("an already aborted signal rejects with its reason and sends nothing", () => {
  const already: { name: string; run(client: ODataClient, signal: AbortSignal, root: string): Promise<unknown> }[] = [
    { name: "page()", run: (client, signal) => client.collection("Items").page({ signal }) },
    { name: "stream(), its first step", run: (client, signal) => client.collection("Items").stream({ signal }).next() },
    { name: "create()", run: (client, signal) => client.collection("Items").create({ ID: 1 }, { signal }) },
    { name: 'property("name").get()', run: (client, signal) => client.collection("Items").key(1).property("name").get({ signal }) },
    { name: 'property("name").text()', run: (client, signal) => client.collection("Items").key(1).property("name").text({ signal }) },
    { name: 'property("name").bytes()', run: (client, signal) => client.collection("Items").key(1).property("name").bytes({ signal }) },
    { name: "action().invoke()", run: (client, signal) => client.action("submitOrder").invoke({}, { signal }) },
    {
      name: "batch().send()",
      run(client, signal) {
        const batch = client.batch();
        batch.get(client.collection("Items").key(1));
        return batch.send({ signal });
      },
    },
    { name: "metadata()", run: (client, signal) => client.metadata({ signal }) },
    { name: "delta(), its first step", run: (client, signal, root) => client.delta(`${root}Items?$deltatoken=1`, { signal }).next() },
    { name: "createAsync()", run: (client, signal) => client.collection("Jobs").createAsync({}, { signal }) },
    { name: "poller poll(signal)", run: (client, signal) => client.asyncPoller("Jobs(1)/status").poll(signal) },
    { name: "poller wait(signal)", run: (client, signal) => client.asyncPoller("Jobs(1)/status", { pollInterval: 0 }).wait(signal) },
    { name: "poller cancel(signal)", run: (client, signal) => client.asyncPoller("Jobs(1)/status").cancel(signal) },
  ];
  for (const { name, run } of already) {
    test(name, LIMIT, async (t) => {
      const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
      t.after(() => server.close());
      const root = server.url("odata/");
      // With credentials and CSRF, so that not even a token would be asked for.
      let tokensAsked = 0;
      const client = new ODataClient({
        serviceUrl: root,
        csrf: true,
        auth: {
          bearer: () => {
            tokensAsked++;
            return "t1";
          },
        },
      });
      const reason = new Error(`stop-${name}`);
      const timersBefore = activeTimers();
      assertRejectedWith(await settleWithin(run(client, AbortSignal.abort(reason), root)), reason);
      assert.equal(activeTimers(), timersBefore);
      await sleep(20);
      assert.equal(server.requests.length, 0, "requests that reached the server");
      assert.equal(tokensAsked, 0, "bearer tokens asked for");
    });
  }
});

describe("an abort while auth.bearer is still working on the token", () => {
  const cases: { name: string; run(client: ODataClient, signal: AbortSignal): Promise<unknown> }[] = [
    { name: "page()", run: (client, signal) => client.collection("Items").page({ signal }) },
    { name: "create()", run: (client, signal) => client.collection("Items").create({ ID: 1 }, { signal }) },
    { name: "poller poll(signal)", run: (client, signal) => client.asyncPoller("Jobs(1)/status").poll(signal) },
  ];
  for (const { name, run } of cases) {
    test(`${name} rejects at once with the reason, and nothing is sent once the token comes`, LIMIT, async (t) => {
      const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
      t.after(() => server.close());
      // The token function resolves when the test says so: no timer of its own.
      let giveToken: (token: string) => void = () => {};
      let tokensAsked = 0;
      const client = new ODataClient({
        serviceUrl: server.url("odata/"),
        auth: {
          bearer: () => {
            tokensAsked++;
            return new Promise<string>((resolve) => {
              giveToken = resolve;
            });
          },
        },
      });
      const controller = new AbortController();
      const reason = new Error(`stop-${name}`);
      const timersBefore = activeTimers();
      const running = run(client, controller.signal);
      running.catch(() => {});
      await waitFor(() => tokensAsked === 1, "the token to be asked for");
      controller.abort(reason);
      const outcome = await settleWithin(running);
      const timersAfter = activeTimers();
      // Whatever happened, the token comes now: a request still waiting for it would go out.
      giveToken("t1");
      await sleep(50);
      assertRejectedWith(outcome, reason);
      assert.equal(timersAfter, timersBefore, "timers left once the operation rejected");
      assert.equal(server.requests.length, 0, "requests that reached the server");
    });
  }
});
