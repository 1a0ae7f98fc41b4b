/**
 * Creating a poller (spec/async-poller.md, "Creating a poller"): the initial request on the wire,
 * the table of initial answers, option validation, `asyncPoller`, non-thenability and the types.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import {
  ODataClientError,
  ODataHttpError,
  type AsyncPoller,
  type AsyncPollerOptions,
  type AsyncPollerToken,
} from "../src/index.js";
import { EXPORT_REQUEST, EXPORT_RESULT, FAST, ownAsyncService, header, rejectionOf, wire, type ExportResult } from "./async-poller-fixtures.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

describe("the initial request", { concurrency: true }, () => {
  test("createAsync sends POST <serviceUrl>/<name> with the JSON body, Prefer: respond-async and JSON Content-Type and Accept", async (t) => {
    const fixture = await ownAsyncService(t);
    await fixture.start("v4.01-async-result");
    const [post] = fixture.service.requests;
    assert.equal(fixture.service.requests.length, 1);
    assert.equal(post?.method, "POST");
    assert.equal(post?.url, `${fixture.service.serviceUrl}Jobs`);
    assert.equal(header(post, "prefer"), "respond-async");
    assert.equal(header(post, "content-type"), "application/json");
    assert.equal(header(post, "accept"), "application/json");
    assert.deepEqual(JSON.parse(post?.body ?? ""), EXPORT_REQUEST);
  });

  test("createAsync sends the client's configured headers and credentials on the initial request", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client({ headers: { "x-tenant": "t1" }, auth: { bearer: "token-1" } });
    await fixture.start("v4.01-async-result", FAST, client);
    const [post] = fixture.service.requests;
    assert.equal(header(post, "x-tenant"), "t1");
    assert.equal(header(post, "authorization"), "Bearer token-1");
  });

  test("an aborted signal option stops the initial request and createAsync rejects with its reason", async (t) => {
    const fixture = await ownAsyncService(t);
    const controller = new AbortController();
    const reason = new Error("user gave up");
    fixture.service.scenario({ description: "initial request hangs", initial: [{ status: 0, hang: true }] });
    const started = fixture.client().collection("Jobs").createAsync(EXPORT_REQUEST, { ...FAST, signal: controller.signal });
    await fixture.service.waitForRequests(1);
    controller.abort(reason);
    assert.equal(await rejectionOf(started), reason);
    assert.equal(fixture.service.requests.length, 1);
  });
});

describe("the answer to the initial request", { concurrency: true }, () => {
  test("202 with Location gives a running poller on that monitor, resolved against the request URL, without polling", async (t) => {
    const fixture = await ownAsyncService(t);
    // "?monitor=1" resolves to .../Jobs?monitor=1 against the request URL, but to .../odata/?monitor=1
    // against the service root: only the first is right.
    const poller = await fixture.start("query-location");
    assert.equal(poller.statusUrl, `${fixture.service.serviceUrl}Jobs?monitor=1`);
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
    assert.equal(poller.percentComplete(), -1);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs"]);
    assert.equal(await poller.poll(), false);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs", "GET /odata/Jobs?monitor=1"]);
  });

  test("a status and progress in the 202 body are the poller's status() and percentComplete() before the first poll", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("status-in-202-body");
    assert.equal(poller.status(), "Accepted");
    assert.equal(poller.percentComplete(), 5);
  });

  test("a 202 with Location whose JSON body cannot be parsed still gives a running poller (the body is optional)", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start({
      description: "202 with Location and a broken JSON body",
      initial: [{ status: 202, headers: { location: "monitor/1", "content-type": "application/json" }, text: '{"status": "Acc' }],
      monitor: [{ status: 200, json: EXPORT_RESULT }],
    });
    assert.equal(poller.status(), "Running");
    assert.equal(poller.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
  });

  test("a 202 whose Location is not an http(s) URL rejects with ASYNC_BAD_RESPONSE", async (t) => {
    const fixture = await ownAsyncService(t);
    const error = await rejectionOf(
      fixture.start({ description: "202 with a mailto: Location", initial: [{ status: 202, headers: { location: "mailto:ops@example.com" } }] }),
    );
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "ASYNC_BAD_RESPONSE");
    assert.match(error.message, /Location/);
    assert.equal(fixture.service.requests.length, 1);
  });

  test("202 without Location rejects with ODataClientError ASYNC_NO_LOCATION and polls nothing", async (t) => {
    const fixture = await ownAsyncService(t);
    const error = await rejectionOf(fixture.start("accepted-without-location"));
    assert.ok(error instanceof ODataClientError);
    assert.ok(!(error instanceof ODataHttpError));
    assert.equal(error.code, "ASYNC_NO_LOCATION");
    assert.match(error.message, /Location/);
    assert.equal(fixture.service.requests.length, 1);
  });

  test("200 (respond-async ignored) gives a done poller whose result() is the parsed body", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("sync-200");
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Succeeded");
    assert.equal(poller.percentComplete(), -1);
    assert.deepEqual(poller.result(), EXPORT_RESULT);
  });

  test("201 (respond-async ignored) gives a done poller whose result() is the created entity", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("sync-201");
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Succeeded");
    assert.deepEqual(poller.result(), EXPORT_RESULT);
  });

  test("204 (respond-async ignored) gives a done poller whose result() is undefined", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("sync-204");
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Succeeded");
    assert.equal(poller.result(), undefined);
  });

  test("on a poller done at once, poll() resolves false and wait() resolves the result without any request", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("sync-200");
    assert.equal(await poller.poll(), false);
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.equal(await poller.poll(), false);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs"]);
  });

  test("4xx on the initial request rejects with ODataHttpError carrying the parsed OData error", async (t) => {
    const fixture = await ownAsyncService(t);
    const error = await rejectionOf(fixture.start("initial-400"));
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.code, "HTTP_ERROR");
    assert.equal(error.status, 400);
    assert.equal(error.method, "POST");
    assert.equal(error.url, `${fixture.service.serviceUrl}Jobs`);
    assert.deepEqual(error.odataError, { code: "INVALID_FORMAT", message: "format must be csv or json", target: "format" });
    assert.equal(fixture.service.requests.length, 1);
  });

  test("5xx on the initial request rejects with ODataHttpError, reading a v2 error body", async (t) => {
    const fixture = await ownAsyncService(t);
    const error = await rejectionOf(fixture.start("initial-500-v2"));
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 500);
    assert.equal(error.odataError?.code, "SY/530");
    assert.equal(error.odataError?.message, "internal failure");
    assert.equal(fixture.service.requests.length, 1, "the initial POST is not retried");
  });
});

describe("option validation happens before anything is sent", { concurrency: true }, () => {
  const invalid: [string, AsyncPollerOptions, typeof TypeError | typeof RangeError, string][] = [
    ["a negative pollInterval", { pollInterval: -1 }, RangeError, "pollInterval"],
    ["a NaN pollInterval", { pollInterval: Number.NaN }, RangeError, "pollInterval"],
    ["an infinite pollInterval", { pollInterval: Number.POSITIVE_INFINITY }, RangeError, "pollInterval"],
    ["a string pollInterval", { pollInterval: "5" as unknown as number }, TypeError, "pollInterval"],
    ["a zero maxWait", { maxWait: 0 }, RangeError, "maxWait"],
    ["a negative maxWait", { maxWait: -100 }, RangeError, "maxWait"],
    ["a NaN maxWait", { maxWait: Number.NaN }, RangeError, "maxWait"],
    ["an onProgress that is not a function", { onProgress: "log" as unknown as () => void }, TypeError, "onProgress"],
  ];

  for (const [what, options, errorClass, name] of invalid) {
    test(`createAsync with ${what} rejects with a ${errorClass.name} naming "${name}" and sends no request`, async (t) => {
      const fixture = await ownAsyncService(t);
      fixture.service.scenario("v4.01-async-result");
      const error = await rejectionOf((async () => fixture.client().collection("Jobs").createAsync(EXPORT_REQUEST, options))());
      assert.ok(error instanceof errorClass, `got ${String(error)}`);
      // The call and the option, both named.
      assert.match((error as Error).message, new RegExp(`^createAsync\\(body\\): option "${name}" must be `));
      assert.equal(fixture.service.requests.length, 0);
    });
  }

  test("asyncPoller and resumeAsync throw the same option errors synchronously", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client();
    fixture.service.scenario("v4.01-async-result");
    const token: AsyncPollerToken = {
      type: "traverse-odata/async-poller",
      version: 1,
      statusUrl: `${fixture.service.serviceUrl}monitor/1`,
      status: "Running",
      percentComplete: -1,
      deadline: null,
    };
    assert.throws(() => client.asyncPoller("monitor/1", { pollInterval: -5 }), { name: "RangeError", message: 'asyncPoller(statusUrl): option "pollInterval" must be a finite number of ms >= 0; got -5' });
    assert.throws(() => client.asyncPoller("monitor/1", { maxWait: 0 }), { name: "RangeError", message: 'asyncPoller(statusUrl): option "maxWait" must be a positive number of ms; got 0' });
    assert.throws(() => client.resumeAsync(token, { maxWait: -1 }), { name: "RangeError", message: 'resumeAsync(token): option "maxWait" must be a positive number of ms; got -1' });
    assert.throws(() => client.resumeAsync(token, { onProgress: 1 as unknown as () => void }), { name: "TypeError", message: 'resumeAsync(token): option "onProgress" must be a function; got number' });
    assert.equal(fixture.service.requests.length, 0);
  });

  test("pollInterval 0 and an infinite maxWait are valid", async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("v4.01-async-result", { pollInterval: 0, maxWait: Number.POSITIVE_INFINITY });
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
  });
});

describe("asyncPoller(statusUrl)", { concurrency: true }, () => {
  test("resolves a relative statusUrl against serviceUrl and sends nothing until polled", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("v4.01-async-result");
    const poller = fixture.client().asyncPoller<ExportResult>("monitor/1", FAST);
    assert.equal(poller.statusUrl, `${fixture.service.serviceUrl}monitor/1`);
    assert.equal(poller.status(), "Running");
    assert.equal(poller.percentComplete(), -1);
    assert.equal(poller.isDone(), false);
    assert.equal(fixture.service.requests.length, 0);
    assert.deepEqual(await poller.wait(), EXPORT_RESULT);
    assert.deepEqual(wire(fixture.service.requests), ["GET /odata/monitor/1", "GET /odata/monitor/1"]);
  });

  test("rejects a status URL that is not http or https with a TypeError", async (t) => {
    const fixture = await ownAsyncService(t);
    assert.throws(() => fixture.client().asyncPoller("ftp://files.example.com/monitor/1"), TypeError);
  });
});

describe("the poller is not thenable", { concurrency: true }, () => {
  test('"then" is not in the poller, and await createAsync() gives the poller without waiting for the operation', async (t) => {
    const fixture = await ownAsyncService(t);
    const poller = await fixture.start("never-finishes");
    assert.equal("then" in poller, false);
    assert.equal(typeof poller.poll, "function");
    assert.equal(await Promise.resolve(poller), poller);
    assert.deepEqual(wire(fixture.service.requests), ["POST /odata/Jobs"]);
  });

  test("a poller from asyncPoller or resumeAsync is not thenable either", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client();
    const poller = client.asyncPoller("monitor/1");
    assert.equal("then" in poller, false);
    assert.equal("then" in client.resumeAsync(poller.toJSON()), false);
  });
});

describe("types", { concurrency: true }, () => {
  test("createAsync<T> gives AsyncPoller<T>, and wait() and result() give T", async (t) => {
    const fixture = await ownAsyncService(t);
    const client = fixture.client();
    fixture.service.scenario("sync-200");
    const poller: AsyncPoller<ExportResult> = await client.collection("Jobs").createAsync<ExportResult>(EXPORT_REQUEST);
    const waited: ExportResult = await poller.wait();
    const result: ExportResult = poller.result();
    const token: AsyncPollerToken = poller.toJSON();
    const resumed: AsyncPoller<ExportResult> = client.resumeAsync<ExportResult>(token);
    const given: AsyncPoller<ExportResult> = client.asyncPoller<ExportResult>("monitor/1");
    // @ts-expect-error a poller of ExportResult does not give a string
    const wrong: string = poller.result();
    // @ts-expect-error AsyncPoller has no then: awaiting it is not waiting for the operation
    void poller.then;
    // @ts-expect-error poll takes an AbortSignal, not options
    void (() => poller.poll({ pollInterval: 1 }));
    assert.equal(waited.rows, 1200);
    assert.equal(result.file, "export-7.csv");
    assert.equal(wrong, result);
    assert.deepEqual(resumed.result(), EXPORT_RESULT);
    assert.equal(given.isDone(), false);
  });

  test("a poller of a collection's own entity type needs no type argument", async (t) => {
    const fixture = await ownAsyncService(t);
    fixture.service.scenario("sync-200");
    const poller = await fixture.client().collection<ExportResult>("Jobs").createAsync(EXPORT_REQUEST);
    const result: ExportResult = poller.result();
    // @ts-expect-error the entity type has no field "title"
    void result.title;
    assert.equal(result.ID, 7);
  });
});

describe("updateAsync, replaceAsync and deleteAsync", () => {
  const ETAG = 'W/"7"';
  /** A service whose writes to Books(1) start an operation (202 + Location); its monitor answers `result` (200) or 204. */
  async function longWrites(t: TestContext, result: unknown) {
    return serveClient(t, (request, res) => {
      if (request.path !== "/odata/monitor/1") {
        res.writeHead(202, { location: "monitor/1", "retry-after": "0" });
        res.end();
      } else if (result === undefined) {
        res.writeHead(204);
        res.end();
      } else {
        sendJson(res, 200, result);
      }
    });
  }

  test("updateAsync sends update's PATCH, If-Match and body with Prefer: respond-async, and polls the monitor to the result", async (t) => {
    const { server, client } = await longWrites(t, { ID: 1, stock: 0 });
    const poller = await client.collection<{ ID: number; stock: number }>("Books").key(1).updateAsync({ stock: 0 }, { etag: ETAG, pollInterval: 1 });
    assert.deepEqual(await poller.wait(), { ID: 1, stock: 0 });
    const [write, poll] = server.requests;
    assert.equal(write?.method, "PATCH");
    assert.equal(write?.path, "/odata/Books(1)");
    assert.equal(write?.headers["prefer"], "respond-async");
    assert.equal(write?.headers["if-match"], ETAG);
    assert.equal(write?.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(write?.body ?? ""), { stock: 0 });
    assert.equal(poll?.method, "GET");
    assert.equal(poll?.path, "/odata/monitor/1");
    assert.equal(server.requests.length, 2);
  });

  test("replaceAsync sends a PUT of the whole entity; deleteAsync a DELETE with If-Match and no body, its monitor's 204 a result of undefined", async (t) => {
    const { server, client } = await longWrites(t, undefined);
    const books = client.collection<{ ID: number; title: string }>("Books");
    const replaced = await books.key(1).replaceAsync({ ID: 1, title: "Whole" }, { etag: ETAG, pollInterval: 1 });
    assert.equal(await replaced.wait(), undefined);
    const deleted = await books.key(1).deleteAsync({ ifMatch: "*", pollInterval: 1 });
    assert.equal(await deleted.wait(), undefined);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"] ?? "-"} ${r.headers["if-match"] ?? "-"} ${r.body}`),
      [
        `PUT /odata/Books(1) respond-async ${ETAG} {"ID":1,"title":"Whole"}`,
        "GET /odata/monitor/1 - - ",
        "DELETE /odata/Books(1) respond-async * ",
        "GET /odata/monitor/1 - - ",
      ],
    );
  });

  test("the initial request is retried as its method is: getAsync's GET, replaceAsync's PUT and deleteAsync's DELETE, not a POST or PATCH", async (t) => {
    // Every first request of an address is answered 503 (Retry-After: 0), every later one 202.
    const tried = new Set<string>();
    const { server, client } = await serveClient(
      t,
      (request, res) => {
        const first = !tried.has(`${request.method} ${request.path}`);
        tried.add(`${request.method} ${request.path}`);
        if (request.path === "/odata/monitor/1") sendJson(res, 200, { done: true });
        else if (first) sendJson(res, 503, { error: { code: "BUSY", message: "try again" } }, { "retry-after": "0" });
        else {
          res.writeHead(202, { location: "monitor/1" });
          res.end();
        }
      },
      { retry: { retries: 2, delay: 0 } },
    );
    const books = client.collection<{ ID: number; title: string }>("Books");
    for (const start of [
      () => client.function("Report", { year: 2026 }).getAsync(),
      () => books.key(1).replaceAsync({ ID: 1, title: "Whole" }, { ifMatch: "*" }),
      () => books.key(2).deleteAsync({ ifMatch: "*" }),
    ]) {
      const poller = await start();
      assert.equal(poller.status(), "Running");
      assert.equal(poller.isDone(), false);
    }
    for (const [start, method] of [
      [() => client.action("Rebuild").invokeAsync({}), "POST"],
      [() => books.key(3).updateAsync({ title: "Part" }, { ifMatch: "*" }), "PATCH"],
      [() => books.createAsync({ ID: 4, title: "New" }), "POST"],
    ] as const) {
      const error = await rejectionOf(start());
      assert.ok(error instanceof ODataHttpError, String(error));
      assert.equal(error.status, 503);
      assert.equal(error.method, method);
    }
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"]}`),
      [
        "GET /odata/Report(year=2026) respond-async",
        "GET /odata/Report(year=2026) respond-async",
        "PUT /odata/Books(1) respond-async",
        "PUT /odata/Books(1) respond-async",
        "DELETE /odata/Books(2) respond-async",
        "DELETE /odata/Books(2) respond-async",
        "POST /odata/Rebuild respond-async",
        "PATCH /odata/Books(3) respond-async",
        "POST /odata/Books respond-async",
      ],
    );
  });

  test("a service that answers at once gives a finished poller: v2 MERGE answered 204", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => {
      res.writeHead(204);
      res.end();
    }, { version: "2.0" });
    const poller = await client.collection<{ ID: number; stock: number }>("Books").key(1).updateAsync({ stock: 1 }, { etag: ETAG });
    assert.equal(poller.isDone(), true);
    assert.equal(poller.result(), undefined);
    const [write] = server.requests;
    assert.equal(write?.method, "MERGE");
    assert.equal(write?.headers["prefer"], "respond-async");
    assert.equal(server.requests.length, 1);
  });
});
