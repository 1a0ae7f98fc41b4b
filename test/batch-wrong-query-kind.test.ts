/**
 * A `$batch` method given the wrong kind of query from JavaScript (a collection query where an
 * entity query is expected, an entity query where a collection query is, or no query at all) is
 * refused with a `TypeError` naming the call and what it takes, as `link()` and `setLink()` refuse
 * theirs, where it threw the engine's "Cannot read private member #core" TypeError. The batch
 * keeps no part for the refused call and sends the others as before.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerResponse } from "node:http";
import type { Batch, BatchChangeset } from "../src/index.js";
import { serveClient, type RecordedRequest } from "./servers/recording-server.js";

const CRLF = "\r\n";
const ENTITY_EXPECTED = 'must be an entity query, such as client.collection("Authors").key(1)';
const COLLECTION_EXPECTED = 'must be a collection query, such as client.collection("Authors")';

/** Answers a multipart `$batch` of one GET with one entity. */
function oneEntity(_request: RecordedRequest, res: ServerResponse): void {
  const body = ["--r", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", '{"ID":1}', "--r--", ""].join(CRLF);
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=r", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- what a JavaScript caller can pass
type Loose = any;

/** Each call, with the wrong kind of query, as a JavaScript caller makes it, and the message it gets. */
const CASES: readonly [string, (batch: Batch, books: Loose, book: Loose) => unknown, string][] = [
  ["batch.get(collection query)", (batch, books) => batch.get(books), `get(query): the query ${ENTITY_EXPECTED}`],
  ["batch.get({})", (batch) => batch.get({} as Loose), `get(query): the query ${ENTITY_EXPECTED}`],
  ["batch.page(entity query)", (batch, _books, book) => batch.page(book), `page(query): the query ${COLLECTION_EXPECTED}`],
  ["batch.page(a string)", (batch) => batch.page("Books" as Loose), `page(query): the query ${COLLECTION_EXPECTED}`],
  ["batch.count(entity query)", (batch, _books, book) => batch.count(book), `count(query): the query ${COLLECTION_EXPECTED}`],
  ["batch.create(entity query)", (batch, _books, book) => batch.create(book, { ID: 2 }), `create(entity): the target ${COLLECTION_EXPECTED}`],
  ["batch.create(null)", (batch) => batch.create(null as Loose, { ID: 2 }), `create(entity): the target ${COLLECTION_EXPECTED}`],
  ["batch.update(collection query)", (batch, books) => batch.update(books, { ID: 2 }), `update(patch): the target ${ENTITY_EXPECTED}`],
  ["batch.replace(collection query)", (batch, books) => batch.replace(books, { ID: 2 }), `replace(entity): the target ${ENTITY_EXPECTED}`],
  ["batch.delete(collection query)", (batch, books) => batch.delete(books), `delete(): the target ${ENTITY_EXPECTED}`],
];

/** The same in a changeset. */
const CHANGESET_CASES: readonly [string, (changeset: BatchChangeset, books: Loose, book: Loose) => unknown, string][] = [
  ["changeset create(entity query)", (cs, _books, book) => cs.create(book, { ID: 2 }), `create(entity): the target ${COLLECTION_EXPECTED}`],
  ["changeset update(collection query)", (cs, books) => cs.update(books, { ID: 2 }), `update(patch): the target ${ENTITY_EXPECTED}`],
  ["changeset replace(collection query)", (cs, books) => cs.replace(books, { ID: 2 }), `replace(entity): the target ${ENTITY_EXPECTED}`],
  ["changeset delete(collection query)", (cs, books) => cs.delete(books), `delete(): the target ${ENTITY_EXPECTED}`],
  ["changeset delete(undefined)", (cs) => cs.delete(undefined as Loose), `delete(): the target ${ENTITY_EXPECTED}`],
];

for (const [name, call, message] of CASES) {
  test(`${name} is refused naming the call and the kind of query it takes; the batch then sends only its other part`, async (t) => {
    const { server, client } = await serveClient(t, oneEntity, {}, "svc/");
    const books = client.collection("Books");
    const batch = client.batch();
    assert.throws(() => call(batch, books, books.key(1)), { name: "TypeError", message });
    assert.equal(batch.size, 0);
    const handle = batch.get(books.key(1));
    await batch.send();
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.body.match(/ HTTP\/1\.1\r\n/g)?.length, 1, server.requests[0]!.body);
    assert.ok(server.requests[0]!.body.includes(`GET Books(1) HTTP/1.1${CRLF}`), server.requests[0]!.body);
    const result = handle.result();
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value, { ID: 1 });
  });
}

for (const [name, call, message] of CHANGESET_CASES) {
  test(`${name} is refused naming the call and the kind of query it takes, and nothing is sent`, async (t) => {
    const { server, client } = await serveClient(t, oneEntity, {}, "svc/");
    const books = client.collection("Books");
    const batch = client.batch();
    assert.throws(() => batch.changeset((cs) => call(cs, books, books.key(1))), { name: "TypeError", message });
    assert.equal(batch.size, 0);
    assert.equal(server.requests.length, 0);
  });
}

test("link() and setLink() keep refusing a target that is no entity query, through the same check", async (t) => {
  const { server, client } = await serveClient(t, oneEntity, {}, "svc/");
  const book: Loose = client.collection("Books").key(1);
  await assert.rejects(book.link("reviews", client.collection("Reviews")), { name: "TypeError", message: `link(navigation, target): the target ${ENTITY_EXPECTED}` });
  await assert.rejects(book.setLink("author", "Authors(1)"), { name: "TypeError", message: `setLink(navigation, target): the target ${ENTITY_EXPECTED}` });
  assert.equal(server.requests.length, 0);
});
