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
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClient, parseMetadata, type ODataClientOptions } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

/** Each test must end on its own, whatever the library does with the abort. */
const LIMIT = { timeout: 20_000 };

/** How long a rejection may take after the abort; the client's own timeout (30 s) is far beyond. */
const PROMPT_MS = 2_000;

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

async function waitFor(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

type Outcome = { settled: "resolved"; value: unknown } | { settled: "rejected"; error: unknown } | { settled: "pending" };

/**
 * How `promise` settles within `ms`; "pending" if it has not by then. The test's own timer is
 * cleared before this returns, so that it never counts as a timer of the library.
 */
async function settleWithin(promise: Promise<unknown>, ms = PROMPT_MS): Promise<Outcome> {
  const stop = new AbortController();
  const pending = (): Outcome => ({ settled: "pending" });
  const late = sleep(ms, undefined, { signal: stop.signal }).then(pending, pending);
  const settled = promise.then(
    (value): Outcome => ({ settled: "resolved", value }),
    (error: unknown): Outcome => ({ settled: "rejected", error }),
  );
  const outcome = await Promise.race([settled, late]);
  stop.abort();
  await late;
  return outcome;
}

function assertRejectedWith(outcome: Outcome, reason: Error): void {
  if (outcome.settled === "pending") assert.fail(`still pending ${PROMPT_MS} ms after the abort`);
  if (outcome.settled === "resolved") assert.fail(`resolved after the abort, with ${JSON.stringify(outcome.value)}`);
  assert.equal(outcome.error, reason, `rejected with ${String(outcome.error)} instead of the abort's reason`);
}

/** What phase (b) sends of the held answer before it stalls. */
interface PartialAnswer {
  status: number;
  headers: Record<string, string>;
  start: string;
}

const json = (start: string, status = 200, headers: Record<string, string> = {}): PartialAnswer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  start,
});

/** One operation of the table. */
interface Operation {
  name: string;
  /** Answers for the requests before the held one, in order (the held one is the next). */
  before?: ((res: ServerResponse) => void)[];
  /** The held request, as the server must see it. */
  held: { method: string; path: string; header?: [string, string] };
  /** What phase (b) sends; none where the client does not read the answer's body. */
  partial?: PartialAnswer;
  options?: (origin: string) => Partial<ODataClientOptions>;
  /** Starts the operation; its promise must reject with the abort's reason. */
  run(client: ODataClient, signal: AbortSignal, root: string): Promise<unknown>;
}

type Phase = "no headers" | "part of the body";

const ROOT = "/odata/";
const items = (...ids: number[]) => ids.map((ID) => ({ ID }));

/** Page 1 of a walk whose page 2 is the held request. */
const pageOne = (res: ServerResponse) => sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": "Items?page=2" });
const pageTwo = { method: "GET", path: `${ROOT}Items?page=2` };
const itemsPartial = json('{"value":[{"ID":3},');

/** $metadata with the entity set Items keyed by ID, for partitions(). */
const ITEMS_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const operations: Operation[] = [
  {
    name: "page()",
    held: { method: "GET", path: `${ROOT}Items` },
    partial: itemsPartial,
    run: (client, signal) => client.collection("Items").page({ signal }),
  },
  {
    name: "pages(), the step that reads page 2",
    before: [pageOne],
    held: pageTwo,
    partial: itemsPartial,
    async run(client, signal) {
      const pages = client.collection<{ ID: number }>("Items").pages({ signal });
      const first = await pages.next();
      assert.deepEqual(first.value?.value, items(1, 2));
      return pages.next();
    },
  },
  {
    name: "for await of stream(), in page 2",
    before: [pageOne],
    held: pageTwo,
    partial: itemsPartial,
    async run(client, signal) {
      const seen: number[] = [];
      try {
        for await (const item of client.collection<{ ID: number }>("Items").stream({ signal })) seen.push(item.ID);
      } finally {
        assert.deepEqual(seen, [1, 2], "the entities of page 1 were delivered");
      }
    },
  },
  {
    name: "list(), in page 2",
    before: [pageOne],
    held: pageTwo,
    partial: itemsPartial,
    run: (client, signal) => client.collection("Items").list({ signal }),
  },
  {
    name: "first()",
    held: { method: "GET", path: `${ROOT}Items?$top=1` },
    partial: itemsPartial,
    run: (client, signal) => client.collection("Items").first({ signal }),
  },
  {
    name: "countAll()",
    held: { method: "GET", path: `${ROOT}Items/$count` },
    partial: { status: 200, headers: { "content-type": "text/plain" }, start: "4" },
    run: (client, signal) => client.collection("Items").countAll({ signal }),
  },
  {
    name: "key(1).get()",
    held: { method: "GET", path: `${ROOT}Items(1)` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.collection("Items").key(1).get({ signal }),
  },
  {
    name: "create()",
    held: { method: "POST", path: `${ROOT}Items` },
    partial: json('{"ID":1,', 201),
    run: (client, signal) => client.collection("Items").create({ ID: 1 }, { signal }),
  },
  {
    name: "key(1).update()",
    held: { method: "PATCH", path: `${ROOT}Items(1)` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.collection("Items").key(1).update({ name: "x" }, { signal }),
  },
  {
    name: "key(1).replace()",
    held: { method: "PUT", path: `${ROOT}Items(1)` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.collection("Items").key(1).replace({ ID: 1, name: "x" }, { signal }),
  },
  {
    name: "key(1).delete()",
    held: { method: "DELETE", path: `${ROOT}Items(1)` },
    run: (client, signal) => client.collection("Items").key(1).delete({ signal }),
  },
  {
    name: "action().invoke()",
    held: { method: "POST", path: `${ROOT}submitOrder` },
    partial: json('{"value":{"stock":'),
    run: (client, signal) => client.action("submitOrder").invoke({ quantity: 2 }, { signal }),
  },
  {
    name: "function().get()",
    held: { method: "GET", path: `${ROOT}countBooks(minStock=1)` },
    partial: json('{"value":'),
    run: (client, signal) => client.function("countBooks", { minStock: 1 }).get({ signal }),
  },
  {
    name: "batch().send()",
    held: { method: "POST", path: `${ROOT}$batch` },
    partial: { status: 200, headers: { "content-type": "multipart/mixed; boundary=b1" }, start: "--b1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n" },
    run(client, signal) {
      const batch = client.batch();
      batch.get(client.collection("Items").key(1));
      return batch.send({ signal });
    },
  },
  {
    name: "metadata()",
    held: { method: "GET", path: `${ROOT}$metadata` },
    partial: {
      status: 200,
      headers: { "content-type": "application/xml" },
      start: '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>',
    },
    run: (client, signal) => client.metadata({ signal }),
  },
  {
    name: "delta(), its first step",
    held: { method: "GET", path: `${ROOT}Items?$deltatoken=1` },
    partial: json('{"value":[{"ID":1},'),
    run: (client, signal, root) => client.delta(`${root}Items?$deltatoken=1`, { signal }).next(),
  },
  {
    name: "createAsync(), its initial request",
    held: { method: "POST", path: `${ROOT}Jobs`, header: ["prefer", "respond-async"] },
    partial: json('{"status":"Runn', 202, { location: "Jobs(1)/status" }),
    run: (client, signal) => client.collection("Jobs").createAsync({ format: "csv" }, { signal }),
  },
  {
    name: "poller poll(signal)",
    held: { method: "GET", path: `${ROOT}Jobs(1)/status` },
    partial: json('{"status":"Runn', 202),
    run: (client, signal) => client.asyncPoller("Jobs(1)/status").poll(signal),
  },
  {
    name: "poller wait(signal), a poll on the wire",
    held: { method: "GET", path: `${ROOT}Jobs(1)/status` },
    partial: json('{"status":"Runn', 202),
    run: (client, signal) => client.asyncPoller("Jobs(1)/status", { pollInterval: 1 }).wait(signal),
  },
  {
    name: "poller cancel(signal)",
    held: { method: "DELETE", path: `${ROOT}Jobs(1)/status` },
    run: (client, signal) => client.asyncPoller("Jobs(1)/status").cancel(signal),
  },
  {
    name: "poller poll(signal), the GET of the result a 303 names",
    before: [(res) => sendText(res, 303, "", { location: `${ROOT}Jobs(1)/result` })],
    held: { method: "GET", path: `${ROOT}Jobs(1)/result` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.asyncPoller("Jobs(1)/status").poll(signal),
  },
  {
    name: "action().invokeAsync(), its initial request",
    held: { method: "POST", path: `${ROOT}submitOrder`, header: ["prefer", "respond-async"] },
    partial: json('{"status":"Runn', 202, { location: "Jobs(1)/status" }),
    run: (client, signal) => client.action("submitOrder").invokeAsync({ quantity: 2 }, { signal }),
  },
  {
    name: "batch().sendAsync(), its initial request",
    held: { method: "POST", path: `${ROOT}$batch`, header: ["prefer", "respond-async"] },
    partial: json('{"status":"Runn', 202, { location: "Jobs(1)/status" }),
    run(client, signal) {
      const batch = client.batch();
      batch.get(client.collection("Items").key(1));
      return batch.sendAsync({ signal });
    },
  },
  {
    name: "key(9).upsert()",
    held: { method: "PATCH", path: `${ROOT}Items(9)` },
    partial: json('{"ID":9,', 201),
    run: (client, signal) => client.collection("Items").key(9).upsert({ name: "x" }, { signal }),
  },
  {
    name: "key(1).link()",
    held: { method: "POST", path: `${ROOT}Items(1)/reviews/$ref` },
    run: (client, signal) => client.collection("Items").key(1).link("reviews", client.collection("Reviews").key(5), { signal }),
  },
  {
    name: "media().bytes()",
    held: { method: "GET", path: `${ROOT}Photos(1)/$value` },
    partial: { status: 200, headers: { "content-type": "image/png" }, start: "PNG" },
    run: (client, signal) => client.collection("Photos").key(1).media().bytes({ signal }),
  },
  {
    name: "partitions(2), the probe after the count",
    before: [(res) => sendText(res, 200, "10")],
    held: { method: "GET", path: `${ROOT}Items?$select=ID&$orderby=ID&$skip=5&$top=1` },
    partial: itemsPartial,
    run: (client, signal) => client.collection("Items").partitions(2, { model: parseMetadata(ITEMS_METADATA), signal }),
  },
  {
    name: "create() with csrf: true, its token fetch",
    held: { method: "GET", path: ROOT, header: ["x-csrf-token", "Fetch"] },
    options: () => ({ csrf: true }),
    run: (client, signal) => client.collection("Items").create({ ID: 1 }, { signal }),
  },
  {
    name: "page() with auth.oauth2, its token request",
    held: { method: "POST", path: "/token" },
    partial: json('{"access_token":"t1","token_type":"Bearer",'),
    options: (origin) => ({ auth: { oauth2: { tokenUrl: `${origin}/token`, clientId: "c", clientSecret: "s" } } }),
    run: (client, signal) => client.collection("Items").page({ signal }),
  },
];

/** What the server saw of the held request. */
interface Held {
  request: RecordedRequest;
  /** Whether its answer was finished when its connection closed (set once it closed). */
  finishedAtClose?: boolean;
  /** Set in phase (b) once the partial body has been flushed to the socket. */
  written?: boolean;
}

interface Harness {
  server: RecordingServer;
  client: ODataClient;
  root: string;
  /** Set once the held request has arrived. */
  held(): Held | undefined;
  /** How many answers the client has received (its `fetch` counts them). */
  answersSeen(): number;
}

async function holdingServer(t: TestContextLike, operation: Operation, phase: Phase): Promise<Harness> {
  let held: Held | undefined;
  const before = operation.before ?? [];
  const server = await startServer((request, res) => {
    const index = server.requests.indexOf(request);
    const answer = before[index];
    if (answer) return answer(res);
    // The held request, and anything after it, is never answered in full.
    if (held !== undefined) return;
    const record: Held = { request };
    held = record;
    res.on("close", () => {
      record.finishedAtClose = res.writableFinished;
    });
    if (phase === "part of the body" && operation.partial) {
      const { status, headers, start } = operation.partial;
      res.writeHead(status, headers);
      res.write(start, () => {
        record.written = true;
      });
    }
  });
  t.after(() => server.close());
  // Counts the answers that reach the client (their headers received), token requests included,
  // so that phase (b) aborts only once the client is reading the body.
  let answers = 0;
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    answers++;
    return response;
  };
  const root = server.url("odata/");
  const client = new ODataClient({ serviceUrl: root, fetch: counting, ...operation.options?.(server.origin) });
  return { server, client, root, held: () => held, answersSeen: () => answers };
}

async function abortWhileHeld(t: TestContextLike, operation: Operation, phase: Phase): Promise<void> {
  const { server, client, root, held, answersSeen } = await holdingServer(t, operation, phase);
  const controller = new AbortController();
  const reason = new Error(`stop-${operation.name}`);
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
