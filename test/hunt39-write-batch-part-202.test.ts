// A `$batch` part answered `202 Accepted` without a status monitor (no `Location`) reads as the
// same request sent alone reads that answer: a write and an operation call succeed with
// `undefined` (the body of such a 202 is the operation's status, never the entity or the result),
// and a read fails with `ASYNC_NO_LOCATION` (it has no answer yet). Before, a create's or an
// action's result was the status body typed as the entity (`{ status: "Running" }`), and a get's
// too. Against a node:http service on 127.0.0.1 answering a JSON batch and a multipart batch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type BatchResult } from "../src/index.js";
import { serve, json } from "./batch-server.js";

const STATUS = { status: "Running" };

function succeededEmpty(result: BatchResult<unknown>): void {
  assert.equal(result.ok, true, result.ok ? "" : result.error.message);
  assert.equal(result.status, 202);
  assert.equal((result as { value: unknown }).value, undefined);
}

test("JSON batch: create, update, action and function parts answered 202 without Location give undefined; a get part fails with ASYNC_NO_LOCATION", async (t) => {
  const service = await serve(() => ({
    status: 200,
    headers: json,
    body: JSON.stringify({ responses: ["1", "2", "3", "4", "5", "6"].map((id) => ({ id, status: 202, headers: json, body: STATUS })) }),
  }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const books = client.collection("Books");
  const batch = client.batch();
  const created = batch.create(books, { ID: 9, title: "T" });
  const updated = batch.update(books.key(1), { stock: 1 }, { ifMatch: "*" });
  const shelved = batch.action("Shelve", { book: 1 });
  const counted = batch.function("Count", { min: 1 });
  const read = batch.get(books.key(2));
  const raw = batch.request({ method: "GET", url: "Books(3)" });
  await batch.send();

  assert.equal(service.seen.length, 1);
  const { requests } = JSON.parse(service.seen[0]!.body) as { requests: { id: string; method: string; url: string; body?: unknown }[] };
  assert.deepEqual(
    requests.map(({ id, method, url, body }) => ({ id, method, url, body })),
    [
      { id: "1", method: "POST", url: "Books", body: { ID: 9, title: "T" } },
      { id: "2", method: "PATCH", url: "Books(1)", body: { stock: 1 } },
      { id: "3", method: "POST", url: "Shelve", body: { book: 1 } },
      { id: "4", method: "GET", url: "Count(min=1)", body: undefined },
      { id: "5", method: "GET", url: "Books(2)", body: undefined },
      { id: "6", method: "GET", url: "Books(3)", body: undefined },
    ],
  );

  succeededEmpty(created.result());
  succeededEmpty(updated.result());
  succeededEmpty(shelved.result());
  succeededEmpty(counted.result());
  const result = read.result();
  assert.equal(result.ok, false);
  assert.equal(result.status, 202);
  assert.equal(result.error.code, "ASYNC_NO_LOCATION");
  assert.match(result.error.message, /^response to request 5 \(GET Books\(2\)\): .*202 Accepted without a status monitor/);
  // A raw request's part keeps its answer's body as it came (read as any raw part's JSON is).
  const rawResult = raw.result();
  assert.ok(rawResult.ok, JSON.stringify(rawResult));
  assert.equal(rawResult.status, 202);
  assert.deepEqual(rawResult.value, STATUS);
});

test("multipart batch: a create part answered 202 without Location gives undefined, as create() alone resolves", async (t) => {
  const part = `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(STATUS)}\r\n`;
  const service = await serve((request) =>
    request.url.endsWith("$batch")
      ? { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=b" }, body: `--b\r\n${part}--b--\r\n` }
      : { status: 202, headers: json, body: JSON.stringify(STATUS) },
  );
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const books = client.collection("Books");
  const batch = client.batch();
  const created = batch.create(books, { ID: 9 });
  await batch.send();
  succeededEmpty(created.result());

  // The same create sent alone, answered the same way.
  assert.equal(await books.create({ ID: 9 }), undefined);
  assert.deepEqual(
    service.seen.map((request) => [request.method, request.url]),
    [
      ["POST", "/svc/$batch"],
      ["POST", "/svc/Books"],
    ],
  );
  assert.match(service.seen[0]!.body, /Content-ID: 1\r\n\r\nPOST Books HTTP\/1\.1\r\n[^]*\r\n\r\n\{"ID":9\}\r\n--batch_/);
});
