/**
 * A PUT or DELETE that the retry step sent again after an attempt that went out and got no answer
 * may already have been applied, whatever the last attempt met; its error says so (see
 * write-unanswered-mark.test.ts). That holds too when the last attempt is answered 503 or 429
 * with a `Retry-After` longer than `retry.maxDelay`, which the retry step gives back as it came
 * instead of waiting for it. Against node:http services on 127.0.0.1: what was sent and what came
 * back.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";

const sent = (server: RecordingServer) => server.requests.map((r) => `${r.method} ${r.path}`);

/** Drops the first request's connection unanswered, then answers `status` asking for an hour's pause. */
async function lostThenPause(t: { after(fn: () => Promise<void>): void }, status: number): Promise<RecordingServer> {
  let seen = 0;
  const server = await startServer((_request, res, req) => {
    if (seen++ === 0) return void req.socket.destroy();
    sendJson(res, status, { error: { code: String(status), message: "Come back later" } }, { "retry-after": "3600" });
  });
  t.after(() => server.close());
  return server;
}

const retrying = (server: RecordingServer) => new ODataClient({ serviceUrl: server.url("odata/"), retry: { retries: 3, delay: 1, maxDelay: 50 } });

describe("a retried write whose last attempt asks for a pause longer than retry.maxDelay", () => {
  test("replace() whose first attempt's connection drops and whose retry is answered 503 with Retry-After: 3600: the 503 says attempt 1 may already have applied it", async (t) => {
    const server = await lostThenPause(t, 503);
    const error = await httpError(retrying(server).collection("Books").key(1).replace({ ID: 1, title: "New" }, { etag: 'W/"1"' }));
    assert.equal(error.status, 503);
    assert.match(error.message, /\[503\]: Come back later \(this answer is to attempt 2 of the request, and attempt 1 \(failed before an answer arrived: [^;]+\) may already have applied the write: read it to know\)$/);
    // Not sent a third time: the service asked for an hour.
    assert.deepEqual(sent(server), ["PUT /odata/Books(1)", "PUT /odata/Books(1)"]);
  });

  test("delete() whose first attempt's connection drops and whose retry is answered 429 with Retry-After: 3600: the 429 says attempt 1 may already have applied it", async (t) => {
    const server = await lostThenPause(t, 429);
    const error = await httpError(retrying(server).collection("Books").key(1).delete());
    assert.equal(error.status, 429);
    assert.match(error.message, /\(this answer is to attempt 2 of the request, and attempt 1 \(failed before an answer arrived: [^;]+\) may already have applied the write: read it to know\)$/);
    assert.deepEqual(sent(server), ["DELETE /odata/Books(1)", "DELETE /odata/Books(1)"]);
  });
});
