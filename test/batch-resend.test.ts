// A batch sent again (send() called once more on the same batch, after a failure or on purpose)
// builds its writes anew, as the README says they are built: "when it is sent: the entity is read
// as it is then". Each send's results are read by the requests that send went out with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { serve, type Reply, type Seen } from "./batch-server.js";

interface Book {
  ID: number;
  title: string;
  stock?: number;
}

const CRLF = "\r\n";

/** A multipart answer of one `application/http` part per status given, each with an empty body. */
function answerOf(...statuses: number[]): Reply {
  const parts = statuses.map((status, n) => `--r${CRLF}Content-Type: application/http${CRLF}Content-ID: ${n + 1}${CRLF}${CRLF}HTTP/1.1 ${status} X${CRLF}${CRLF}${CRLF}`);
  return { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=r" }, body: `${parts.join("")}--r--${CRLF}` };
}

/** The body of the write of the given method in a multipart request body (its JSON line). */
function writeBody(seen: Seen, method: string): string | undefined {
  return new RegExp(`\\r\\n${method} [^\\r\\n]* HTTP/1\\.1\\r\\n[^]*?\\r\\n\\r\\n([^\\r\\n]*)\\r\\n`).exec(seen.body)?.[1];
}

function ifMatchOf(seen: Seen): string | undefined {
  return /\r\nif-match: ([^\r\n]*)\r\n/i.exec(seen.body)?.[1];
}

test("a batch sent twice sends its writes as the entities are at each send, and the handles give the latest results", async (t) => {
  const service = await serve(() => answerOf(201, 204));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const books = client.collection<Book>("Books");
  const book: Book = { ID: 1, title: "Draft" };
  const patch: Partial<Book> = { stock: 1 };
  const batch = client.batch({ format: "multipart" });
  const created = batch.create(books, book);
  const updated = batch.update(books.key(2), patch, { etag: 'W/"1"' });

  const first = await batch.send();
  book.title = "Final";
  patch.stock = 7;
  const second = await batch.send();

  assert.equal(service.seen.length, 2);
  assert.equal(writeBody(service.seen[0]!, "POST"), '{"ID":1,"title":"Draft"}');
  assert.equal(writeBody(service.seen[0]!, "PATCH"), '{"stock":1}');
  // The second send reads the entities as they are now (it sent "Draft" and stock 1 again).
  assert.equal(writeBody(service.seen[1]!, "POST"), '{"ID":1,"title":"Final"}');
  assert.equal(writeBody(service.seen[1]!, "PATCH"), '{"stock":7}');
  assert.notEqual(first, second);
  assert.equal(created.result(), second[0]);
  assert.equal(updated.result(), second[1]);
  assert.equal(batch.results(), second);
});

test("a batch sent again after its send failed (a 503) sends the entity as it is when sent again, with the ETag the entity carries then", async (t) => {
  let calls = 0;
  const service = await serve(() => (++calls === 1 ? { status: 503, headers: { "Content-Type": "text/plain" }, body: "busy" } : answerOf(204)));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const books = client.collection<Book>("Books");
  // An entity read earlier: update() sends its @odata.etag as If-Match.
  const book: Record<string, unknown> = { "@odata.etag": 'W/"1"', title: "Old" };
  const batch = client.batch({ format: "multipart" });
  const updated = batch.update(books.key(1), book as Partial<Book>);

  await assert.rejects(batch.send(), (error: unknown) => error instanceof ODataHttpError && error.status === 503);
  // The caller reads the entity again and applies the change once more before retrying.
  book["@odata.etag"] = 'W/"2"';
  book["title"] = "New";
  await batch.send();

  assert.equal(service.seen.length, 2);
  assert.equal(ifMatchOf(service.seen[0]!), 'W/"1"');
  assert.equal(writeBody(service.seen[0]!, "PATCH"), '{"title":"Old"}');
  assert.equal(ifMatchOf(service.seen[1]!), 'W/"2"');
  assert.equal(writeBody(service.seen[1]!, "PATCH"), '{"title":"New"}');
  const result = updated.result();
  assert.ok(result.ok);
  assert.equal(result.status, 204);
});

test("toRequest() builds the writes as they are then, and a later send() builds them anew", async (t) => {
  const service = await serve(() => ({ status: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ responses: [{ id: "1", status: 201, body: { ID: 3, title: "Sent" } }] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
  const book: Book = { ID: 3, title: "Written" };
  const batch = client.batch({ format: "json" });
  const created = batch.create(client.collection<Book>("Books"), book);

  const written = await batch.toRequest();
  book.title = "Sent";
  await batch.send();

  assert.deepEqual(JSON.parse(written.body).requests[0].body, { ID: 3, title: "Written" });
  assert.equal(service.seen.length, 1);
  assert.deepEqual(JSON.parse(service.seen[0]!.body).requests[0].body, { ID: 3, title: "Sent" });
  const result = created.result();
  assert.ok(result.ok);
  assert.deepEqual(result.value, { ID: 3, title: "Sent" });
});
