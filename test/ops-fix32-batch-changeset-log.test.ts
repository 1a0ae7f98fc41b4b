// The wire log (`debug`) of a `$batch` whose changeset failed: the member the changeset failed at
// is logged with its answer (status, headers) as any part is, and every other member as not
// applied, naming that member by its part id, method and URL, as their errors name it
// (batch-fix31-changeset-blame test). Before, every member, the failed one included, was logged
// with the failure's status and "(its changeset failed)", saying nowhere which one failed; and a
// JSON batch logged the same failure otherwise than a multipart one (its failed member plain).
// The service names the failed member by a Content-ID, by `@Core.ContentID` in its error, or by a
// JSON response's id: all three log alike. Where it names none, each member still says its
// changeset failed, with the answer. Against node:http services on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataHttpError, type ODataClient } from "../src/index.js";
import { serveClient, type RecordedRequest } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";

const CRLF = "\r\n";
const JSON_TYPE = { "Content-Type": "application/json" };
const UNIQUE = { error: { code: "UNIQUE", message: "UNIQUE constraint failed: Books.ID" } };

/** One `application/http` part of a multipart answer (`contentId` its MIME header, where given). */
function part(boundary: string, contentId: string | undefined, status: string, body: unknown): string {
  const id = contentId === undefined ? [] : [`Content-ID: ${contentId}`];
  return [`--${boundary}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", ...id, "", `HTTP/1.1 ${status}`, "Content-Type: application/json", "", JSON.stringify(body)].join(CRLF);
}

function multipart(res: ServerResponse, parts: string[]): void {
  const body = `${parts.join(CRLF)}${CRLF}--answer--${CRLF}`;
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=answer", "odata-version": "4.0", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** A multipart answer: Books(1), the changeset's one failure in its place (`contentId`, `error`), Books(4). */
function multipartFailure(contentId: string | undefined, error: unknown) {
  return (_request: RecordedRequest, res: ServerResponse) =>
    multipart(res, [part("answer", undefined, "200 OK", { ID: 1 }), part("answer", contentId, "400 Bad Request", error), part("answer", undefined, "200 OK", { ID: 4 })]);
}

/** A JSON batch answer, as SAP CAP gives one: the member that failed answered 400, the other 201, both in the group. */
function jsonFailure(_request: RecordedRequest, res: ServerResponse): void {
  const body = JSON.stringify({
    responses: [
      { id: "1", status: 200, headers: JSON_TYPE, body: { ID: 1 } },
      { id: "2", status: 201, atomicityGroup: "g1", headers: JSON_TYPE, body: { ID: "ann" } },
      { id: "3", status: 400, atomicityGroup: "g1", headers: JSON_TYPE, body: UNIQUE },
      { id: "4", status: 200, headers: JSON_TYPE, body: { ID: 4 } },
    ],
  });
  res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Books(1), a changeset creating an author (request 2) and a book (request 3), Books(4); the results and the parts' log lines. */
async function send(client: ODataClient, format: "multipart" | "json", log: ReturnType<typeof collector>) {
  const batch = client.batch({ format, boundaries: { batch: "batch_b", changeset: (n) => `changeset_${n}` } });
  const books = client.collection("Books");
  batch.get(books.key(1));
  batch.changeset((changeset) => {
    changeset.create(client.collection("Authors"), { ID: "ann" });
    changeset.create(books, { ID: 1 });
  });
  batch.get(books.key(4));
  const results = await batch.send();
  return { results, parts: log.shown().filter((line) => line.startsWith("batch part ")) };
}

/** The lines of a changeset that failed at request 3, the book, as the service said. */
const NAMED = (root: string) => [
  `batch part 1 < 200 GET ${root}Books(1) {"content-type":"application/json"}`,
  `batch part 2 ! POST ${root}Authors not applied: its changeset failed at batch part 3 (POST ${root}Books)`,
  `batch part 3 < 400 POST ${root}Books {"content-type":"application/json"}`,
  `batch part 4 < 200 GET ${root}Books(4) {"content-type":"application/json"}`,
];

/** What went on the wire: one multipart `$batch`, the changeset's members with Content-IDs 2 and 3. */
function assertMultipartSent(requests: RecordedRequest[]): void {
  assert.deepEqual(requests.map((request) => `${request.method} ${request.path}`), ["POST /odata/$batch"]);
  const body = requests[0]!.body;
  assert.equal(requests[0]!.headers["content-type"], "multipart/mixed; boundary=batch_b");
  assert.deepEqual([...body.matchAll(/Content-ID: (\d+)\r\n\r\n(\w+ \S+) HTTP\/1\.1/g)].map((match) => `${match[1]} ${match[2]}`), ["1 GET Books(1)", "2 POST Authors", "3 POST Books", "4 GET Books(4)"]);
  assert.match(body, /--changeset_0\r\n[^]*Content-ID: 2\r\n[^]*--changeset_0\r\n[^]*Content-ID: 3\r\n[^]*--changeset_0--/);
}

/** The errors say what the log says: the author not applied at request 3, the book failed. */
function assertBlamed(root: string, results: Awaited<ReturnType<typeof send>>["results"], status = "400 Bad Request"): void {
  assert.deepEqual(results.map((result) => result.ok), [true, false, false, true]);
  const [author, book] = [results[1]!, results[2]!];
  assert.ok(!author.ok && author.error instanceof ODataHttpError && !book.ok && book.error instanceof ODataHttpError);
  assert.equal(author.error.message, `POST ${root}Authors was not applied: its changeset failed at request 3 (POST ${root}Books) with HTTP ${status} [UNIQUE]: UNIQUE constraint failed: Books.ID`);
  assert.equal(book.error.message, `POST ${root}Books failed with HTTP ${status} [UNIQUE]: UNIQUE constraint failed: Books.ID`);
}

test("multipart: the failure in the changeset's place carries the failed member's Content-ID; that member is logged with its answer, the other as not applied naming it", async (t) => {
  const log = collector();
  const { server, client, root } = await serveClient(t, multipartFailure("3", UNIQUE), { debug: log.debug });
  const { results, parts } = await send(client, "multipart", log);
  assertMultipartSent(server.requests);
  assert.deepEqual(parts, NAMED(root));
  assertBlamed(root, results);
});

test("multipart: the failure has no Content-ID but names the member by @Core.ContentID in its error (SAP CAP): logged the same", async (t) => {
  const log = collector();
  const { server, client, root } = await serveClient(t, multipartFailure(undefined, { error: { ...UNIQUE.error, "@Core.ContentID": "3" } }), { debug: log.debug });
  const { results, parts } = await send(client, "multipart", log);
  assertMultipartSent(server.requests);
  assert.deepEqual(parts, NAMED(root));
  assertBlamed(root, results);
});

test("JSON batch: the member answered 400 is logged with its answer, the one answered 201 as not applied naming it: the same lines as the multipart batch's", async (t) => {
  const log = collector();
  const { server, client, root } = await serveClient(t, jsonFailure, { debug: log.debug });
  const { results, parts } = await send(client, "json", log);
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["POST /odata/$batch"]);
  const sent = JSON.parse(server.requests[0]!.body) as { requests: { id: string; method: string; url: string; atomicityGroup?: string }[] };
  assert.deepEqual(
    sent.requests.map(({ id, method, url, atomicityGroup }) => `${id} ${method} ${url} ${atomicityGroup ?? "-"}`),
    ["1 GET Books(1) -", "2 POST Authors g1", "3 POST Books g1", "4 GET Books(4) -"],
  );
  assert.deepEqual(parts, NAMED(root));
  // (A JSON batch's response has no reason phrase.)
  assertBlamed(root, results, "400");
});

test("multipart: a failure that names no member (SAP Gateway): each member is logged with the answer and that its changeset failed", async (t) => {
  const log = collector();
  const { server, client, root } = await serveClient(t, multipartFailure(undefined, UNIQUE), { debug: log.debug });
  const { results, parts } = await send(client, "multipart", log);
  assertMultipartSent(server.requests);
  assert.deepEqual(parts, [
    `batch part 1 < 200 GET ${root}Books(1) {"content-type":"application/json"}`,
    `batch part 2 < 400 POST ${root}Authors (its changeset failed) {"content-type":"application/json"}`,
    `batch part 3 < 400 POST ${root}Books (its changeset failed) {"content-type":"application/json"}`,
    `batch part 4 < 200 GET ${root}Books(4) {"content-type":"application/json"}`,
  ]);
  const [author, book] = [results[1]!, results[2]!];
  assert.ok(!author.ok && !book.ok);
  assert.equal(author.error.message, `POST ${root}Authors was not applied: its changeset failed with HTTP 400 Bad Request [UNIQUE]: UNIQUE constraint failed: Books.ID`);
  assert.equal(book.error.message, `POST ${root}Books was not applied: its changeset failed with HTTP 400 Bad Request [UNIQUE]: UNIQUE constraint failed: Books.ID`);
});
