// A `$batch` part answered `202 Accepted` that names its status monitor in `Operation-Location`
// alone (Microsoft Graph's OneNote copies) fails as the same request sent alone rejects:
// `ASYNC_OPERATION_PENDING`, its message naming that monitor. Before, a write's or an action's part
// so answered succeeded with `undefined`, and the monitor was left in its headers unsaid, as if the
// operation were done. A relative monitor is named below the service root. Against a node:http service on 127.0.0.1 answering a JSON and a multipart batch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, type BatchResult } from "../src/index.js";
import { serve, json } from "./batch-server.js";

const MONITOR = "https://ops.example.com/operations/copy-7";

function pending(result: BatchResult<unknown>, request: string, monitor = MONITOR): void {
  assert.equal(result.ok, false, "a part whose operation runs on is not a success");
  assert.equal(result.status, 202);
  assert.equal(result.error.code, "ASYNC_OPERATION_PENDING");
  assert.match(result.error.message, new RegExp(`^response to ${request.replace(/[()]/g, "\\$&")}: .*202 Accepted.*Operation-Location.*${monitor.replace(/[.?()]/g, "\\$&")}$`));
  assert.doesNotMatch(result.error.message, /applied the write|ran the action|could not be read/);
}

test("JSON batch: create, update, action and get parts answered 202 with Operation-Location alone fail with ASYNC_OPERATION_PENDING naming it", async (t) => {
  const opLoc = { ...json, "Operation-Location": MONITOR };
  const service = await serve((request) =>
    request.url.endsWith("$batch")
      ? { status: 200, headers: json, body: JSON.stringify({ responses: ["1", "2", "3", "4"].map((id) => ({ id, status: 202, headers: opLoc, body: { status: "NotStarted" } })) }) }
      : { status: 202, headers: opLoc, body: JSON.stringify({ status: "NotStarted" }) },
  );
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const books = client.collection("Books");
  const batch = client.batch();
  const created = batch.create(books, { ID: 9 });
  const updated = batch.update(books.key(1), { stock: 1 }, { ifMatch: "*" });
  const copied = batch.action("Copy", { book: 1 });
  const read = batch.get(books.key(2));
  await batch.send();

  pending(created.result(), "request 1 (POST Books)");
  pending(updated.result(), "request 2 (PATCH Books(1))");
  pending(copied.result(), "request 3 (POST Copy)");
  pending(read.result(), "request 4 (GET Books(2))");

  // The same create sent alone, answered the same way, rejects with the same code.
  await assert.rejects(books.create({ ID: 9 }), (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "ASYNC_OPERATION_PENDING");
    assert.match(error.message, new RegExp(`Operation-Location.*${MONITOR}`));
    return true;
  });
  assert.deepEqual(
    service.seen.map((request) => [request.method, request.url]),
    [
      ["POST", "/svc/$batch"],
      ["POST", "/svc/Books"],
    ],
  );
});

test("multipart batch: a create part answered 202 with a relative Operation-Location alone fails with ASYNC_OPERATION_PENDING naming it below the service root", async (t) => {
  const part = `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nHTTP/1.1 202 Accepted\r\nOperation-Location: operations/copy-7\r\n\r\n\r\n`;
  const service = await serve(() => ({ status: 200, headers: { "Content-Type": "multipart/mixed; boundary=b" }, body: `--b\r\n${part}--b--\r\n` }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch();
  const created = batch.create(client.collection("Books"), { ID: 9 });
  const results = await batch.send();
  pending(created.result(), "request 1 (POST Books)", `${service.url}operations/copy-7`);
  assert.equal(results.ok, false);
  assert.equal(results.continuation, undefined);
  assert.equal(service.seen.length, 1);
  assert.match(service.seen[0]!.body, /POST Books HTTP\/1\.1\r\n/);
});
