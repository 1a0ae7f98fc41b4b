/**
 * A multipart `$batch` answer that holds more top-level parts than the batch has items (a request
 * of its own, or a changeset, which one part answers) is refused with `BAD_BATCH_RESPONSE` naming
 * the counts, and reading it stops at the first part too many: the parts after it are never read.
 * Shown by an answer of many surplus parts whose end is cut off (no closing delimiter), which read
 * to the end would be refused for that instead. An answer of exactly one part per item, a changeset
 * among them, is read as before. Against a node:http service on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, type Batch } from "../src/index.js";
import { serve } from "./batch-server.js";

const CRLF = "\r\n";
const response = (status: string, body = "") => ["Content-Type: application/http", "", `HTTP/1.1 ${status}`, "Content-Type: application/json", "", body].join(CRLF);
const changeset = ["Content-Type: multipart/mixed; boundary=cs", "", "--cs", response("204 No Content"), "--cs", response("204 No Content"), "--cs--", ""].join(CRLF);

/** A GET, then a changeset of two writes: two items, three requests. */
function build(client: ODataClient): Batch {
  const batch = client.batch({ format: "multipart" });
  batch.get(client.collection("Books").key(1));
  batch.changeset((cs) => {
    cs.delete(client.collection("Books").key(2));
    cs.delete(client.collection("Books").key(3));
  });
  return batch;
}

async function serving(t: { after: (fn: () => void) => void }, body: string) {
  const service = await serve(() => ({ status: 200, headers: { "content-type": "multipart/mixed; boundary=b" }, body }));
  t.after(service.close);
  return { service, client: new ODataClient({ serviceUrl: service.url, version: "4.0", retry: false }) };
}

test("an answer of many surplus parts, cut off at its end, is refused for its count, naming it, and not read to the end", async (t) => {
  const surplus = Array.from({ length: 20_000 }, () => `--b${CRLF}${response("200 OK", '{"ID":9}')}`).join(CRLF);
  // Two parts that answer the batch, the surplus, and no closing delimiter.
  const body = [`--b${CRLF}${response("200 OK", '{"ID":1}')}`, `--b${CRLF}${changeset}`, surplus, "--b", "Content-Type: application/ht"].join(CRLF);
  const { service, client } = await serving(t, body);
  const batch = build(client);
  await assert.rejects(batch.send(), (error: unknown) => {
    assert.ok(error instanceof ODataClientError, String(error));
    assert.equal(error.code, "BAD_BATCH_RESPONSE");
    assert.match(error.message, /malformed batch response: the service sent more than 2 responses for 2 requests or changesets/);
    assert.doesNotMatch(error.message, /closing delimiter/);
    return true;
  });
  assert.equal(service.seen.length, 1);
  // The same answer read by readAnswer() is refused alike.
  await assert.rejects(build(client).readAnswer({ contentType: "multipart/mixed; boundary=b", body }), { code: "BAD_BATCH_RESPONSE", message: /more than 2 responses for 2 requests or changesets/ });
});

test("a changeset counts as one part: an answer of one part per item is read, one more is refused", async (t) => {
  const parts = [`--b${CRLF}${response("200 OK", '{"ID":1}')}`, `--b${CRLF}${changeset}`];
  const { client } = await serving(t, [...parts, "--b--", ""].join(CRLF));
  const results = await build(client).send();
  assert.deepEqual(
    results.map((result) => [result.ok, result.status]),
    [
      [true, 200],
      [true, 204],
      [true, 204],
    ],
  );
  const extra = [...parts, `--b${CRLF}${response("204 No Content")}`, "--b--", ""].join(CRLF);
  await assert.rejects(build(client).readAnswer({ contentType: "multipart/mixed; boundary=b", body: extra }), { code: "BAD_BATCH_RESPONSE", message: /more than 2 responses for 2 requests or changesets/ });
});
