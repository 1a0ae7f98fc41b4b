/**
 * Resuming each kind of poller from its token: `invokeAsync` and `getAsync` pollers (their result
 * unwrapped as `invoke()` and `get()` unwrap it), a batch's `sendAsync` poller and a batch
 * continuation (read into the batch's results), and `createAsync` pollers (OData v4: the parsed
 * body; v2: the entity, read as `create()` reads it, see test/async-writes-entity.test.ts).
 * Every kind is started, stopped while it runs, saved with `toJSON()` through JSON text, resumed in
 * another client, and waited for; the resumed result must equal what the poller that was never
 * stopped gives.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { AsyncOperationTimeoutError, ODataClient, isODataClientError, type AsyncPoller, type AsyncPollerToken, type BatchResults } from "../src/index.js";
import { startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const CRLF = "\r\n";

/** What the monitor of a job finally answers. */
interface FinalAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A service where every request that is not a poll starts a new job: `202` with
 * `Location: monitor/<n>`. `monitor/<n>` answers `202` for its first `running` polls, then `final`.
 * Jobs are counted apart, so a poller that is never stopped and one that is resumed can run side
 * by side against the same service.
 */
async function jobService(t: TestContext, final: FinalAnswer, running = 1): Promise<RecordingServer> {
  const polls = new Map<string, number>();
  let jobs = 0;
  const server = await startServer((request, res) => {
    const monitor = /\/monitor\/(\d+)$/.exec(request.path)?.[1];
    if (monitor === undefined) {
      jobs += 1;
      res.writeHead(202, { location: `monitor/${jobs}`, "content-length": "0" });
      res.end();
      return;
    }
    const seen = polls.get(monitor) ?? 0;
    polls.set(monitor, seen + 1);
    if (seen < running) {
      res.writeHead(202, { "content-length": "0" });
      res.end();
      return;
    }
    answer(res, final);
  });
  t.after(() => server.close());
  return server;
}

function answer(res: ServerResponse, final: FinalAnswer): void {
  res.writeHead(final.status, { ...final.headers, "content-length": Buffer.byteLength(final.body) });
  res.end(final.body);
}

/** A token as another process reads it: through JSON text. */
function throughJson(token: AsyncPollerToken): AsyncPollerToken {
  return JSON.parse(JSON.stringify(token)) as AsyncPollerToken;
}

/** `METHOD path` of each request from `from` on. */
function wireFrom(server: RecordingServer, from: number): string[] {
  return server.requests.slice(from).map((request: RecordedRequest) => `${request.method} ${request.path}`);
}

const FAST = { pollInterval: 1, maxWait: 30_000 };

/**
 * Runs one kind of poller twice against the same service: once to its end without a stop, once
 * stopped after its first poll (still running), saved through JSON, resumed by `resume` in a new
 * client and waited for. Returns both results and the token.
 */
async function runBothWays<T>(
  server: RecordingServer,
  start: () => Promise<AsyncPoller<T>>,
  resume: (token: AsyncPollerToken) => AsyncPoller<T>,
): Promise<{ direct: T; resumed: T; token: AsyncPollerToken; resumedPoller: AsyncPoller<T>; sentAfterResume: string[] }> {
  const direct = await (await start()).wait();

  const stopped = await start();
  assert.equal(await stopped.poll(), true, "the job runs after one poll");
  assert.equal(stopped.isDone(), false);
  const token = throughJson(stopped.toJSON());
  const sentBefore = server.requests.length;
  const resumedPoller = resume(token);
  assert.equal(resumedPoller.statusUrl, stopped.statusUrl);
  assert.equal(server.requests.length, sentBefore, "resuming sends nothing");
  const resumed = await resumedPoller.wait();
  return { direct, resumed, token, resumedPoller, sentAfterResume: wireFrom(server, sentBefore) };
}

describe("an invokeAsync poller", { concurrency: true }, () => {
  const final: FinalAnswer = {
    status: 200,
    headers: { "content-type": "application/json", asyncresult: "200" },
    body: JSON.stringify({ "@odata.context": "$metadata#Collection(Edm.Int32)", value: [3, 5, 8] }),
  };

  test("resumed by client.resumeAsync gives the unwrapped result, as the poller that never stopped does", async (t) => {
    const server = await jobService(t, final);
    const serviceUrl = server.url("odata/");
    const client = new ODataClient({ serviceUrl });
    const run = await runBothWays(
      server,
      () => client.action<number[]>("fibonacci").invokeAsync({ n: 3 }, FAST),
      (token) => new ODataClient({ serviceUrl }).resumeAsync<number[]>(token, FAST),
    );
    assert.deepEqual(run.direct, [3, 5, 8]);
    assert.deepEqual(run.resumed, run.direct);
    assert.deepEqual(run.resumedPoller.result(), [3, 5, 8]);
    assert.equal(run.token.version, 2);
    assert.deepEqual(run.token.resultShape, { kind: "operation", name: "fibonacci", version: "4.0" });
    assert.deepEqual(run.sentAfterResume, ["GET /odata/monitor/2"]);
  });

  test("a token saved after success carries the raw answer, and the resumed poller unwraps it without a request", async (t) => {
    const server = await jobService(t, final);
    const serviceUrl = server.url("odata/");
    const poller = await new ODataClient({ serviceUrl }).action<number[]>("fibonacci").invokeAsync({ n: 3 }, FAST);
    assert.deepEqual(await poller.wait(), [3, 5, 8]);
    const token = throughJson(poller.toJSON());
    assert.equal(token.outcome, "succeeded");
    const sentBefore = server.requests.length;
    const resumed = new ODataClient({ serviceUrl }).resumeAsync<number[]>(token);
    assert.deepEqual(resumed.result(), [3, 5, 8]);
    assert.equal(await resumed.poll(), false);
    assert.deepEqual(await resumed.wait(), [3, 5, 8]);
    assert.equal(server.requests.length, sentBefore);
  });

  test("its timeout names client.resumeAsync(poller.toJSON()) as the way to go on", async (t) => {
    const server = await jobService(t, final, Number.POSITIVE_INFINITY);
    const poller = await new ODataClient({ serviceUrl: server.url("odata/") }).action("fibonacci").invokeAsync({}, { pollInterval: 1, maxWait: 40 });
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.match(error.message, /resume it with client\.resumeAsync\(poller\.toJSON\(\)\)/);
  });
});

describe("a getAsync poller (OData v2)", { concurrency: true }, () => {
  test("resumed by client.resumeAsync gives the function import's unwrapped value, as the poller that never stopped does", async (t) => {
    const server = await jobService(t, { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ d: { countBooks: 9 } }) }, 2);
    const serviceUrl = server.url("odata/v2/");
    const client = new ODataClient({ serviceUrl, version: "2.0" });
    const run = await runBothWays(
      server,
      () => client.function<number>("countBooks", { minStock: 30 }).getAsync(FAST),
      (token) => new ODataClient({ serviceUrl, version: "2.0" }).resumeAsync<number>(token, FAST),
    );
    assert.equal(run.direct, 9);
    assert.equal(run.resumed, 9);
    assert.deepEqual(run.token.resultShape, { kind: "operation", name: "countBooks", version: "2.0" });
    assert.deepEqual(run.sentAfterResume, ["GET /odata/v2/monitor/2", "GET /odata/v2/monitor/2"]);
    assert.equal(server.requests[0]?.path, "/odata/v2/countBooks?minStock=30");
  });
});

interface Book {
  ID: number;
  title: string;
}

const bookJson = (id: number, title: string) => JSON.stringify({ ID: id, title });

/** A part holding one HTTP response. */
function responsePart(boundary: string, status: string, headers: Record<string, string>, body: string, contentId?: string): string {
  const partHeaders = ["Content-Type: application/http", "Content-Transfer-Encoding: binary", ...(contentId ? [`Content-ID: ${contentId}`] : [])];
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`--${boundary}`, ...partHeaders, "", `HTTP/1.1 ${status}`, ...head, "", body].join(CRLF);
}

function multipartBody(boundary: string, parts: string[]): string {
  return `${parts.join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
}

/** The values of batch results, in a form deepEqual can compare (Headers objects left out). */
function shapeOf(results: BatchResults): unknown[] {
  return results.map((result) => (result.ok ? { ok: true, status: result.status, value: result.value } : { ok: false, status: result.status, code: result.error.code }));
}

describe("a batch's sendAsync poller", { concurrency: true }, () => {
  const inner = [
    "HTTP/1.1 200 OK",
    "Content-Type: multipart/mixed; boundary=inner",
    "",
    multipartBody("inner", [
      responsePart("inner", "200 OK", { "Content-Type": "application/json" }, bookJson(3, "Three"), "1"),
      responsePart("inner", "200 OK", { "Content-Type": "application/json" }, JSON.stringify({ value: [{ ID: 4, title: "Four" }] }), "2"),
    ]),
  ].join(CRLF);
  const final: FinalAnswer = { status: 200, headers: { "content-type": "application/http" }, body: inner };

  function buildBatch(client: ODataClient) {
    const batch = client.batch();
    const books = client.collection<Book>("Books");
    return { batch, three: batch.get(books.key(3)), cheap: batch.page(books.filter((f) => f.lt("ID", 5)).top(1)) };
  }

  test("resumed by batch.resumeAsync on an equal batch gives the same results and handle values as the poller that never stopped", async (t) => {
    const server = await jobService(t, final);
    const serviceUrl = server.url("svc/");
    const client = new ODataClient({ serviceUrl });
    const first = buildBatch(client);
    const direct = await (await first.batch.sendAsync(FAST)).wait();

    const second = buildBatch(client);
    const stopped = await second.batch.sendAsync(FAST);
    assert.equal(await stopped.poll(), true);
    const token = throughJson(stopped.toJSON());
    assert.equal(token.version, 2);
    assert.equal(token.resultShape?.kind, "batch");

    const elsewhere = new ODataClient({ serviceUrl });
    const third = buildBatch(elsewhere);
    const sentBefore = server.requests.length;
    const resumed = third.batch.resumeAsync(token, FAST);
    const results = await resumed.wait();
    assert.deepEqual(wireFrom(server, sentBefore), ["GET /svc/monitor/2"]);
    assert.deepEqual(shapeOf(results), shapeOf(direct));
    assert.deepEqual(shapeOf(results), [
      { ok: true, status: 200, value: { ID: 3, title: "Three" } },
      { ok: true, status: 200, value: { value: [{ ID: 4, title: "Four" }] } },
    ]);
    const three = third.three.result();
    assert.ok(three.ok && three.value.title === "Three");
    assert.deepEqual(third.cheap.result(), first.cheap.result());
  });

  test("client.resumeAsync refuses its token with a TypeError that names batch.resumeAsync, instead of giving the raw answer", async (t) => {
    const server = await jobService(t, final);
    const client = new ODataClient({ serviceUrl: server.url("svc/") });
    const poller = await buildBatch(client).batch.sendAsync(FAST);
    const token = throughJson(poller.toJSON());
    const sentBefore = server.requests.length;
    assert.throws(
      () => client.resumeAsync(token),
      (error: unknown) => error instanceof TypeError && /batch\.resumeAsync\(token\)/.test(error.message) && /same requests/.test(error.message),
    );
    assert.equal(server.requests.length, sentBefore);
  });

  test("batch.resumeAsync refuses the token of another batch (when the poller is first used) and the token of an operation (at once)", async (t) => {
    const server = await jobService(t, final);
    const client = new ODataClient({ serviceUrl: server.url("svc/") });
    const token = throughJson((await buildBatch(client).batch.sendAsync(FAST)).toJSON());
    const other = client.batch();
    other.get(client.collection<Book>("Books").key(4));
    const sentBefore = server.requests.length;
    // The batch's requests are compared with the token's when the batch code loads, at the first
    // poll(), wait() or cancel(); each rejects, and nothing is sent.
    const resumed = other.resumeAsync(token);
    for (const use of [() => resumed.wait(), () => resumed.poll(), () => resumed.cancel()]) {
      await assert.rejects(use(), (error: unknown) => error instanceof TypeError && /another batch/.test(error.message));
    }
    assert.equal(server.requests.length, sentBefore);
    const operationToken = throughJson((await client.action("fibonacci").invokeAsync({}, FAST)).toJSON());
    assert.throws(
      () => buildBatch(client).batch.resumeAsync(operationToken),
      (error: unknown) => error instanceof TypeError && /client\.resumeAsync\(token\)/.test(error.message),
    );
  });

  test("a token saved after success resumes done; its results are read (without a request) by the first wait()", async (t) => {
    const server = await jobService(t, final);
    const serviceUrl = server.url("svc/");
    const first = buildBatch(new ODataClient({ serviceUrl }));
    const poller = await first.batch.sendAsync(FAST);
    const direct = await poller.wait();
    const token = throughJson(poller.toJSON());
    assert.equal(token.outcome, "succeeded");

    const again = buildBatch(new ODataClient({ serviceUrl }));
    const sentBefore = server.requests.length;
    const resumed = again.batch.resumeAsync(token);
    assert.equal(resumed.isDone(), true);
    assert.equal(resumed.status(), poller.status());
    assert.deepEqual(resumed.toJSON(), token);
    // The batch's answer is read by the batch code, which loads with the poller's first use.
    assert.throws(
      () => resumed.result(),
      (error: unknown) => isODataClientError(error) && error.code === "ASYNC_OPERATION_PENDING" && /first poll\(\), wait\(\) or cancel\(\)/.test(error.message),
    );
    assert.deepEqual(shapeOf(await resumed.wait()), shapeOf(direct));
    assert.deepEqual(shapeOf(resumed.result()), shapeOf(direct));
    const three = again.three.result();
    assert.ok(three.ok && three.value.title === "Three");
    assert.equal(server.requests.length, sentBefore);
  });

  test("its timeout names batch.resumeAsync as the way to go on", async (t) => {
    const server = await jobService(t, final, Number.POSITIVE_INFINITY);
    const client = new ODataClient({ serviceUrl: server.url("svc/") });
    const poller = await buildBatch(client).batch.sendAsync({ pollInterval: 1, maxWait: 40 });
    const error = await rejectionOf(poller.wait());
    assert.ok(error instanceof AsyncOperationTimeoutError);
    assert.match(error.message, /resume it with batch\.resumeAsync\(poller\.toJSON\(\)\) on a batch with the same requests/);
    assert.doesNotMatch(error.message, /client\.resumeAsync/);
  });
});

describe("a batch continuation (a multipart answer that ends in a 202 part)", { concurrency: true }, () => {
  const rest = multipartBody("rest", [
    responsePart("rest", "201 Created", { "Content-Type": "application/json" }, bookJson(5, "Five"), "2"),
    responsePart("rest", "204 No Content", {}, "", "3"),
  ]);

  async function continuationService(t: TestContext): Promise<RecordingServer> {
    let sends = 0;
    const polls = new Map<string, number>();
    const server = await startServer((request, res) => {
      if (request.method === "POST") {
        sends += 1;
        const body = multipartBody("r", [
          responsePart("r", "200 OK", { "Content-Type": "application/json" }, bookJson(1, "One"), "1"),
          responsePart("r", "202 Accepted", { Location: `monitor/${sends}` }, ""),
        ]);
        answer(res, { status: 200, headers: { "content-type": "multipart/mixed; boundary=r" }, body });
        return;
      }
      const seen = polls.get(request.path) ?? 0;
      polls.set(request.path, seen + 1);
      if (seen === 0) {
        res.writeHead(202, { "content-length": "0" });
        res.end();
        return;
      }
      answer(res, { status: 200, headers: { "content-type": "multipart/mixed; boundary=rest" }, body: rest });
    });
    t.after(() => server.close());
    return server;
  }

  function buildBatch(client: ODataClient) {
    const batch = client.batch();
    const books = client.collection<Book>("Books");
    return { batch, one: batch.get(books.key(1)), created: batch.create(books, { ID: 5, title: "Five" }), removed: batch.delete(books.key(2)) };
  }

  test("resumed by batch.resumeAsync reads the rest into the same requests; the ones answered before read BATCH_ANSWERED_EARLIER", async (t) => {
    const server = await continuationService(t);
    const serviceUrl = server.url("svc/");
    const client = new ODataClient({ serviceUrl });

    const first = buildBatch(client);
    const direct = await (await first.batch.send({ continuation: FAST })).continuation?.wait();
    assert.ok(direct);

    const second = buildBatch(client);
    const continuation = (await second.batch.send({ continuation: FAST })).continuation;
    assert.ok(continuation);
    assert.equal(await continuation.poll(), true);
    const token = throughJson(continuation.toJSON());
    assert.equal(token.resultShape?.kind, "batch");
    assert.throws(() => client.resumeAsync(token), (error: unknown) => error instanceof TypeError && /batch\.resumeAsync\(token\)/.test(error.message));

    const third = buildBatch(new ODataClient({ serviceUrl }));
    const sentBefore = server.requests.length;
    const results = await third.batch.resumeAsync(token, FAST).wait();
    assert.deepEqual(wireFrom(server, sentBefore), ["GET /svc/monitor/2"]);
    assert.deepEqual(shapeOf(results).slice(1), shapeOf(direct).slice(1));
    assert.deepEqual(shapeOf(results), [
      { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
      { ok: true, status: 201, value: { ID: 5, title: "Five" } },
      { ok: true, status: 204, value: undefined },
    ]);
    const made = third.created.result();
    assert.ok(made.ok && made.value?.title === "Five");
    const earlier = third.one.result();
    assert.ok(!earlier.ok && earlier.status === undefined);
    assert.match(earlier.error.message, /request 1 \(GET Books\(1\)\) was answered before the continuation was saved/);
  });
});

describe("a createAsync poller and older tokens", { concurrency: true }, () => {
  test("a createAsync token says its result is the raw body, and resumes to the same body", async (t) => {
    const body = { "@odata.context": "$metadata#Jobs/$entity", ID: 7, rows: 1200 };
    const server = await jobService(t, { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const serviceUrl = server.url("odata/");
    const client = new ODataClient({ serviceUrl });
    const run = await runBothWays(
      server,
      () => client.collection("Jobs").createAsync({ format: "csv" }, FAST),
      (token) => new ODataClient({ serviceUrl }).resumeAsync(token, FAST),
    );
    assert.deepEqual(run.token.resultShape, { kind: "raw" });
    // The response's own @odata.context is dropped from results, resumed or not (one rule for all).
    assert.deepEqual(run.resumed, { ID: 7, rows: 1200 });
    assert.deepEqual(run.direct, run.resumed);
  });

  test("a version-1 token (no result shape) still resumes, its result read as the raw body", async (t) => {
    const server = await jobService(t, {
      status: 200,
      headers: { "content-type": "application/json", asyncresult: "200" },
      body: JSON.stringify({ value: [1, 2] }),
    });
    const client = new ODataClient({ serviceUrl: server.url("odata/") });
    const token: AsyncPollerToken = { type: "traverse-odata/async-poller", version: 1, statusUrl: "monitor/1", status: "Running", percentComplete: -1, deadline: null };
    const resumed = client.resumeAsync(token, FAST);
    assert.deepEqual(await resumed.wait(), { value: [1, 2] });
    assert.equal(resumed.toJSON().version, 2);
    assert.deepEqual(resumed.toJSON().resultShape, { kind: "raw" });
  });

  test("a token with an unknown result shape is refused with a TypeError naming the field", async (t) => {
    const server = await jobService(t, { status: 204, headers: {}, body: "" });
    const client = new ODataClient({ serviceUrl: server.url("odata/") });
    const token = { type: "traverse-odata/async-poller", version: 2, statusUrl: "monitor/1", resultShape: { kind: "spreadsheet" } } as unknown as AsyncPollerToken;
    assert.throws(() => client.resumeAsync(token), (error: unknown) => error instanceof TypeError && /token\.resultShape/.test(error.message));
    const noName = { type: "traverse-odata/async-poller", version: 2, statusUrl: "monitor/1", resultShape: { kind: "operation", version: "4.0" } } as unknown as AsyncPollerToken;
    assert.throws(() => client.resumeAsync(noName), (error: unknown) => error instanceof TypeError && /token\.resultShape\.name/.test(error.message));
    assert.equal(server.requests.length, 0);
  });
});
