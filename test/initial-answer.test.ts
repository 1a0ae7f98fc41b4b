// The initial-answer table of spec/async-poller.md as the pure function it is
// (src/lro/start.ts): each row read from an answer alone, no server and no client involved. The
// same rows through the client are in async-poller-create.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readInitialAnswer, type InitialAnswer } from "../src/lro/start.js";
import { ODataClientError, ODataHttpError } from "../src/index.js";

const URL_OF_REQUEST = new URL("https://host/odata/v4/export/ExportJobs");
const ANSWERED_AT = 1_700_000_000_000;

function answer(status: number, headers: Record<string, string> = {}, body = "", viaCors = false): InitialAnswer {
  return { status, headers: new Headers(headers), body, url: URL_OF_REQUEST, method: "POST", answeredAt: ANSWERED_AT, viaCors };
}

test("202 with Location starts a running poller on the monitor, Retry-After and progress from the answer", () => {
  const start = readInitialAnswer(answer(202, { location: "../monitor/7", "retry-after": "3", "content-type": "application/json" }, '{"status":"InProgress","percentComplete":20}'), 60_000);
  assert.equal(start.statusUrl.href, "https://host/odata/v4/monitor/7");
  assert.equal(start.status, "InProgress");
  assert.equal(start.percentComplete, 20);
  assert.equal(start.deadline, ANSWERED_AT + 60_000);
  assert.equal(start.retryAfterAt, ANSWERED_AT + 3_000);
  assert.equal(start.phase, undefined);
});

test("202 without Location is ASYNC_NO_LOCATION, and says that CORS may hide it where the answer came through CORS", () => {
  assert.throws(
    () => readInitialAnswer(answer(202), 60_000),
    (error: unknown) => error instanceof ODataClientError && error.code === "ASYNC_NO_LOCATION" && !/Access-Control-Expose-Headers/.test(error.message),
  );
  assert.throws(
    () => readInitialAnswer(answer(202, {}, "", true), 60_000),
    (error: unknown) => error instanceof ODataClientError && error.code === "ASYNC_NO_LOCATION" && /Access-Control-Expose-Headers/.test(error.message),
  );
});

test("200, 201 and 204 give a poller that is done, its result the body", () => {
  const done = readInitialAnswer(answer(201, { "content-type": "application/json", location: "ExportJobs(5)" }, '{"@odata.context":"$metadata#ExportJobs/$entity","ID":5}'), 60_000);
  assert.equal(done.status, "Succeeded");
  assert.equal(done.statusUrl.href, "https://host/odata/v4/export/ExportJobs(5)");
  assert.deepEqual(done.phase, { name: "succeeded", result: { ID: 5 } });
  const empty = readInitialAnswer(answer(204), 60_000);
  assert.equal(empty.statusUrl.href, URL_OF_REQUEST.href);
  assert.deepEqual(empty.phase, { name: "succeeded", result: undefined });
});

test("a write's start (entity shape) reads the result given at once as the write reads its answer, and keeps the shape for later results", () => {
  const v2Body = '{"d":{"__metadata":{"type":"NS.Job"},"ID":5,"at":"/Date(0)/","owner":{"__deferred":{"uri":"Jobs(5)/owner"}}}}';
  const v2 = readInitialAnswer(answer(201, { "content-type": "application/json", etag: 'W/"1"' }, v2Body), 60_000, { kind: "entity", version: "2.0" });
  assert.deepEqual(v2.phase, { name: "succeeded", result: { __metadata: { type: "NS.Job", etag: 'W/"1"' }, ID: 5, at: "1970-01-01T00:00:00Z" }, dates: ["at"] }); // where the reader converted a date, for the token
  assert.deepEqual(v2.shape, { kind: "entity", version: "2.0" });
  const v4 = readInitialAnswer(answer(200, { "content-type": "application/json", etag: 'W/"2"' }, '{"@odata.context":"$metadata#Jobs/$entity","ID":5}'), 60_000, { kind: "entity", version: "4.0" });
  assert.deepEqual(v4.phase, { name: "succeeded", result: { ID: 5, "@odata.etag": 'W/"2"' } });
  // Still running: nothing to read yet, the shape goes with the start.
  const running = readInitialAnswer(answer(202, { location: "../monitor/7" }), 60_000, { kind: "entity", version: "4.0" });
  assert.deepEqual(running.shape, { kind: "entity", version: "4.0" });
  // Without a shape (an operation's start, which its wrapper reads): the body as parsed.
  const raw = readInitialAnswer(answer(201, { "content-type": "application/json", etag: 'W/"1"' }, v2Body), 60_000);
  assert.deepEqual(raw.phase, { name: "succeeded", result: JSON.parse(v2Body) });
  assert.equal(raw.shape, undefined);
});

test("4xx and 5xx are the answer's ODataHttpError with the parsed OData error", () => {
  assert.throws(
    () => readInitialAnswer(answer(400, { "content-type": "application/json" }, '{"error":{"code":"BadFormat","message":"csv only"}}'), 60_000),
    (error: unknown) => error instanceof ODataHttpError && error.status === 400 && error.odataError?.message === "csv only",
  );
});
