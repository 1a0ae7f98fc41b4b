/**
 * A fixed multipart boundary (option `boundaries`) must be one a header can carry unquoted: 1 to 70
 * letters, digits and `' + _ - .`. One with `:`, `=`, `(` or a space (which RFC 2046 allows) went
 * unquoted into the batch's Content-Type, a header that then said another boundary than the body
 * used; quoted, SAP CAP 9 does not read it ("No boundary found in Content-Type header"). It is
 * refused with a `TypeError` naming it before anything is sent. Real HTTP (node:http, port 0).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendText, serveClient } from "./servers/recording-server.js";

const CRLF = "\r\n";
const ANSWER = ["--answer", "Content-Type: application/http", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", '{"ID":1}', "--answer--", ""].join(CRLF);

test("a batch or changeset boundary a header's token cannot hold is refused naming it, and nothing is sent", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, ANSWER, { "content-type": "multipart/mixed; boundary=answer" }));
  const books = client.collection("Books");
  for (const [batchBoundary, changeset] of [
    ["batch 1", "cs"],
    ["batch:1", "cs"],
    ["b", "cs=(0)"],
    ["b", "cs/0"],
  ] as const) {
    const batch = client.batch({ boundaries: { batch: batchBoundary, changeset: () => changeset } });
    batch.get(books.key(1));
    batch.changeset((cs) => {
      cs.update(books.key(2), { title: "T" });
    });
    const bad = batchBoundary.includes(" ") || batchBoundary.includes(":") ? batchBoundary : changeset;
    await assert.rejects(batch.send(), {
      name: "TypeError",
      message: `${JSON.stringify(bad)} is not a multipart boundary the client writes: 1 to 70 letters, digits and ' + _ - . (RFC 2046 allows more, which the Content-Type would have to quote)`,
    });
  }
  assert.equal(server.requests.length, 0);
});

test("a boundary of letters, digits and ' + _ - . goes unquoted in the Content-Type and delimits the parts", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, ANSWER, { "content-type": "multipart/mixed; boundary=answer" }));
  const batch = client.batch({ boundaries: { batch: "batch_1.x'+y-z", changeset: (n) => `cs${n}` } });
  const read = batch.get(client.collection("Books").key(1));
  await batch.send();
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]!.headers["content-type"], "multipart/mixed; boundary=batch_1.x'+y-z");
  assert.ok(server.requests[0]!.body.startsWith(`--batch_1.x'+y-z${CRLF}`), server.requests[0]!.body);
  const result = read.result();
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.value, { ID: 1 });
});
