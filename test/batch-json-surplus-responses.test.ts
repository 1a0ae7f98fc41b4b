/**
 * A JSON `$batch` answer (OData 4.01 JSON Format §19) that holds more responses than the requests it
 * answers is refused with `BAD_BATCH_RESPONSE` naming the counts, as a multipart answer of surplus
 * parts is (test/batch-surplus-parts.test.ts): each request has one response, so a surplus one
 * answers none and leaves in doubt which request the others answer. Before, the surplus became
 * stray responses that failed no request that had one of its own, and the answer read as sound.
 * An answer of one response per request is read as before; a piece read through `@nextLink` counts
 * against the requests it still has to answer. Against a node:http service on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, type Batch } from "../src/index.js";
import { json, serve, short, type Reply, type Seen } from "./batch-server.js";

const answer = (...responses: unknown[]): Reply => ({ status: 200, headers: json, body: JSON.stringify({ responses }) });
const ok = (id: string, ID: number) => ({ id, status: 200, headers: json, body: { ID } });

async function serving(t: { after: (fn: () => void) => void }, handler: (request: Seen) => Reply) {
  const service = await serve(handler);
  t.after(service.close);
  return { service, client: new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false }) };
}

/** Two reads by key. */
function reads(client: ODataClient, keys = [1, 2]): Batch {
  const batch = client.batch({ format: "json" });
  for (const key of keys) batch.get(client.collection("Books").key(key));
  return batch;
}

const refusal = (count: number, requests: number) => (error: unknown) => {
  assert.ok(error instanceof ODataClientError, String(error));
  assert.equal(error.code, "BAD_BATCH_RESPONSE");
  assert.equal(error.message, `malformed batch response: the service sent ${count} responses for ${requests} ${requests === 1 ? "request" : "requests"}`);
  return true;
};

test("a JSON batch answer with more responses than requests is refused, naming the counts: send() and readAnswer()", async (t) => {
  // One response per request, and one more with an id no request has.
  const surplus = answer(ok("1", 1), ok("2", 2), ok("9", 9));
  const { service, client } = await serving(t, () => surplus);
  await assert.rejects(reads(client).send(), refusal(3, 2));
  assert.equal(service.seen.length, 1);
  assert.deepEqual((JSON.parse(service.seen[0]!.body) as { requests: { id: string }[] }).requests.map((request) => request.id), ["1", "2"]);
  await assert.rejects(reads(client).readAnswer({ contentType: "application/json", body: surplus.body as string }), refusal(3, 2));
  // A response twice over, or one without an id, counts as one too many all the same.
  await assert.rejects(reads(client).readAnswer({ contentType: "application/json", body: answer(ok("1", 1), ok("2", 2), ok("1", 1)).body as string }), refusal(3, 2));
  await assert.rejects(reads(client).readAnswer({ contentType: "application/json", body: answer(ok("1", 1), { status: 200 }, ok("2", 2)).body as string }), refusal(3, 2));
  // Thousands more: refused before any of them is read.
  const many = answer(ok("1", 1), ok("2", 2), ...Array.from({ length: 5_000 }, (_, n) => ({ id: `x${n}`, status: 200, headers: { "x-n": n }, body: { n } })));
  await assert.rejects(reads(client).readAnswer({ contentType: "application/json", body: many.body as string }), refusal(5_002, 2));
});

test("one response per request is read as before; one fewer leaves a request unanswered", async (t) => {
  const { client } = await serving(t, () => answer(ok("2", 2), ok("1", 1)));
  const results = await reads(client).send();
  assert.deepEqual(results.map(short), [
    { ok: true, status: 200, value: { ID: 1 } },
    { ok: true, status: 200, value: { ID: 2 } },
  ]);
  const fewer = await reads(client).readAnswer({ contentType: "application/json", body: answer(ok("1", 1)).body as string });
  assert.deepEqual(fewer.map(short), [
    { ok: true, status: 200, value: { ID: 1 } },
    { ok: false, status: undefined, code: "BATCH_NOT_EXECUTED" },
  ]);
});

test("a piece read through @nextLink with more responses than the requests it still answers fails those requests naming the counts; the answers given stand", async (t) => {
  const { service, client } = await serving(t, (request) =>
    request.method === "POST"
      ? { status: 200, headers: json, body: JSON.stringify({ responses: [ok("1", 1), ok("2", 2)], "@nextLink": "$batch?piece=2" }) }
      : // The rest: request 3's answer, and one more.
        answer(ok("3", 3), ok("4", 4)),
  );
  const results = await reads(client, [1, 2, 3]).send();
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url}`),
    ["POST /svc/$batch", "GET /svc/$batch?piece=2"],
  );
  assert.deepEqual(results.map(short), [
    { ok: true, status: 200, value: { ID: 1 } },
    { ok: true, status: 200, value: { ID: 2 } },
    { ok: false, status: undefined, code: "BATCH_PENDING" },
  ]);
  const third = results[2]!;
  assert.equal(
    third.ok ? "" : third.error.message,
    "request 3 (GET Books(3)) got no response: the GET of the batch's next link failed: malformed batch response: the service sent 2 responses for 1 request; results.continuation reads it again",
  );
});
