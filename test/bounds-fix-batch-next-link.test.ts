// send() of a JSON $batch reads a partial result's next link at once (JSON Format 4.01 §19.4). A
// next link whose GET gets no answer (the client's timeout: no headers, or a body that stalls) or
// fails leaves the requests it was to answer BATCH_PENDING with results.continuation, which reads
// the link again; their message says what became of that GET, not that the requests are "still
// running at the service", which was not heard from. A next link answered 202 (the rest went
// asynchronous) still says that. node:http on 127.0.0.1; each test reads what arrived.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataHttpError, type BatchResult } from "../src/index.js";
import { startServer, type RecordedRequest } from "./servers/recording-server.js";

type Behaviour = "no-headers" | "stalled-body" | "401" | "202";

/**
 * A JSON batch service: the POST answers request 1 and names a next link; the first GET of that
 * link behaves as `first` says, any later one answers request 2.
 */
async function service(t: TestContext, first: Behaviour) {
  let gets = 0;
  const server = await startServer((request: RecordedRequest, res: ServerResponse) => {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = body === undefined ? "" : JSON.stringify(body);
      res.writeHead(status, { ...(body === undefined ? {} : { "content-type": "application/json" }), "content-length": String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    if (request.method === "POST") {
      const sent = JSON.parse(request.body) as { requests: { id: string }[] };
      return reply(200, { responses: [{ id: sent.requests[0]!.id, status: 200, body: { ID: 1 } }], "@nextLink": "$batch?$skiptoken=2" });
    }
    if (request.path === "/svc/monitor") return reply(200, { responses: [{ id: "2", status: 200, body: { ID: 2 } }] }, { asyncresult: "200" });
    gets += 1;
    if (gets > 1) return reply(200, { responses: [{ id: "2", status: 200, body: { ID: 2 } }] });
    if (first === "no-headers") return;
    if (first === "stalled-body") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"responses":[');
      return;
    }
    if (first === "401") return reply(401, { error: { code: "Unauthorized", message: "no token" } });
    reply(202, undefined, { location: "/svc/monitor" });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "4.01", timeout: 200, retry: false });
  const batch = client.batch({ format: "json" });
  batch.get(client.collection("Items").key(1));
  batch.get(client.collection("Items").key(2));
  return { server, batch };
}

const brief = (result: BatchResult<unknown> | undefined) =>
  result === undefined ? undefined : result.ok ? { ok: true, value: result.value } : { ok: false, code: result.error.code, message: result.error.message };

for (const behaviour of ["no-headers", "stalled-body"] as const) {
  test(`a next link whose GET times out (${behaviour}): its requests read BATCH_PENDING saying the GET got no answer; results.continuation reads the link again`, async (t) => {
    const { server, batch } = await service(t, behaviour);
    const results = await batch.send({ continuation: { pollInterval: 1 } });
    assert.deepEqual(brief(results[0]), { ok: true, value: { ID: 1 } });
    assert.deepEqual(brief(results[1]), {
      ok: false,
      code: "BATCH_PENDING",
      message:
        "request 2 (GET Items(2)) got no response: the GET of the batch's next link got no answer it could read (it timed out, its connection broke, or the service answered 408, 429, 500, 502, 503 or 504); results.continuation reads it again",
    });
    assert.equal(batch.results(), results);
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path}`),
      ["POST /svc/$batch", "GET /svc/$batch?$skiptoken=2"],
    );
    const rest = await results.continuation!.wait();
    assert.deepEqual(rest.map(brief), [
      { ok: true, value: { ID: 1 } },
      { ok: true, value: { ID: 2 } },
    ]);
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[2]?.path, "/svc/$batch?$skiptoken=2");
  });
}

test("a next link whose GET fails (401): its requests read BATCH_PENDING with the failure, as cause too", async (t) => {
  const { batch } = await service(t, "401");
  const results = await batch.send();
  const pending = results[1];
  assert.ok(pending !== undefined && !pending.ok && pending.status === undefined);
  assert.equal(pending.error.code, "BATCH_PENDING");
  assert.match(pending.error.message, /^request 2 \(GET Items\(2\)\) got no response: the GET of the batch's next link failed: .*401.*; results\.continuation reads it again$/);
  assert.ok(pending.error.cause instanceof ODataHttpError);
  assert.equal(pending.error.cause.status, 401);
});

test("a next link answered 202 went asynchronous: its requests still read that they run at the service", async (t) => {
  const { server, batch } = await service(t, "202");
  const results = await batch.send({ continuation: { pollInterval: 1 } });
  assert.deepEqual(brief(results[1]), {
    ok: false,
    code: "BATCH_PENDING",
    message: "request 2 (GET Items(2)) is still running at the service; its result comes from results.continuation",
  });
  const rest = await results.continuation!.wait();
  assert.deepEqual(rest.map(brief)[1], { ok: true, value: { ID: 2 } });
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["POST /svc/$batch", "GET /svc/$batch?$skiptoken=2", "GET /svc/monitor"],
  );
});
