/**
 * A `$batch` part whose success answer cannot be read: a write's or an action's says that the
 * service applied it (ran it), as the same call sent alone says (write/send.ts), so that a caller
 * does not send a create again; a read's says nothing of the kind. Multipart and JSON batches on
 * real HTTP (node:http, port 0).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { BatchResult } from "../src/index.js";
import { answerJson, sendText, serveClient } from "./servers/recording-server.js";

const CRLF = "\r\n";

/** The error of a result that failed, failing when it succeeded. */
function failed(result: BatchResult<unknown>): { status: number | undefined; code: string; message: string } {
  assert.ok(!result.ok, `succeeded: ${JSON.stringify(result)}`);
  return { status: result.status, code: result.error.code, message: result.error.message };
}

test("a JSON batch: a create, an update and an action answered 2xx with a body that is no entity or result say the service applied them; a read's does not", async (t) => {
  const notAnEntity = [1, 2];
  const { server, client } = await serveClient(
    t,
    answerJson(200, {
      responses: [
        { id: "1", status: 201, headers: { "content-type": "application/json" }, body: notAnEntity },
        { id: "2", status: 200, headers: { "content-type": "application/json" }, body: notAnEntity },
        { id: "3", status: 200, headers: { "content-type": "text/html" }, body: "<!DOCTYPE html><html><body>Sign in</body></html>" },
        { id: "4", status: 200, headers: { "content-type": "application/json" }, body: notAnEntity },
      ],
    }),
  );
  const batch = client.batch({ format: "json" });
  const books = client.collection("Books");
  const created = batch.create(books, { ID: 9, title: "New" });
  const updated = batch.update(books.key(1), { title: "Changed" }, { prefer: "representation" });
  const shelved = batch.action("Shelve", { ID: 2 });
  const read = batch.get(books.key(3));
  await batch.send();
  assert.equal(server.requests.length, 1);
  assert.deepEqual(
    (JSON.parse(server.requests[0]!.body) as { requests: { id: string; method: string; url: string }[] }).requests.map((r) => `${r.id} ${r.method} ${r.url}`),
    ["1 POST Books", "2 PATCH Books(1)", "3 POST Shelve", "4 GET Books(3)"],
  );
  const [create, update, action, get] = [created, updated, shelved, read].map((handle) => failed(handle.result()));
  assert.deepEqual([create, update, action, get].map((error) => [error?.status, error?.code]), [
    [201, "BAD_PAYLOAD"],
    [200, "BAD_PAYLOAD"],
    [200, "BAD_PAYLOAD"],
    [200, "BAD_PAYLOAD"],
  ]);
  assert.match(create!.message, /^response to request 1 \(POST Books\): answered 201, so the service applied the write, but its answer could not be read: /);
  assert.match(update!.message, /^response to request 2 \(PATCH Books\(1\)\): answered 200, so the service applied the write, but its answer could not be read: /);
  assert.match(action!.message, /^response to request 3 \(POST Shelve\): answered 200, so the service ran the action, but its answer could not be read: /);
  assert.match(get!.message, /^response to request 4 \(GET Books\(3\)\): (?!answered)/);
  assert.doesNotMatch(get!.message, /applied|ran the action/);
});

test("a multipart batch: a create in a changeset answered 201 with an HTML page says the service applied it", async (t) => {
  const boundary = "batchresponse_1";
  const changeset = "changesetresponse_1";
  const html = "<!DOCTYPE html><html><body>Sign in</body></html>";
  const body = [
    `--${boundary}`,
    `Content-Type: multipart/mixed; boundary=${changeset}`,
    "",
    `--${changeset}`,
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "Content-ID: 1",
    "",
    "HTTP/1.1 201 Created",
    "Content-Type: text/html",
    "",
    html,
    `--${changeset}--`,
    `--${boundary}--`,
    "",
  ].join(CRLF);
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, body, { "content-type": `multipart/mixed; boundary=${boundary}` }));
  const batch = client.batch();
  let created: ReturnType<typeof batch.create> | undefined;
  batch.changeset((cs) => {
    created = cs.create(client.collection("Books"), { ID: 9, title: "New" });
  });
  await batch.send();
  assert.equal(server.requests.length, 1);
  assert.ok(server.requests[0]!.body.includes(`POST Books HTTP/1.1`), server.requests[0]!.body);
  const error = failed(created!.result());
  assert.equal(error.status, 201);
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.match(error.message, /^response to request 1 \(POST Books\): answered 201, so the service applied the write, but its answer could not be read: /);
});
