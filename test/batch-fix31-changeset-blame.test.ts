// A failed changeset fails every request in it, but only the request the service says failed is
// worded as the one that failed: the others say they were not applied because their changeset
// failed at that request (named by the Content-ID of the one answer in the changeset's place, by
// `@Core.ContentID` in its error, or by a JSON response's id), or, where the service does not say
// which, that the changeset failed. Status, code and parsed error stay the changeset's failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, type BatchResult } from "../src/index.js";
import { serve, json, type Reply, type Seen } from "./batch-server.js";

/** A multipart answer of the given parts, each already written as the lines of one part. */
function multipart(...parts: string[]): Reply {
  const boundary = "batch_answer";
  return { status: 200, headers: { "Content-Type": `multipart/mixed; boundary=${boundary}` }, body: `${parts.map((part) => `--${boundary}\r\n${part}`).join("")}--${boundary}--\r\n` };
}

/** One `application/http` part: its Content-ID (if any), status line, JSON headers and body. */
function httpPart(contentId: string | undefined, statusLine: string, body: string): string {
  const id = contentId === undefined ? "" : `Content-ID: ${contentId}\r\n`;
  return `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n${id}\r\nHTTP/1.1 ${statusLine}\r\nContent-Type: application/json\r\n\r\n${body}\r\n`;
}

const read = httpPart("1", "200 OK", JSON.stringify({ ID: 7 }));
const uniqueError = (annotations: Record<string, string> = {}) => JSON.stringify({ error: { code: "", message: "UNIQUE constraint failed: Books.ID", ...annotations } });

/** A GET, then a changeset creating an author (request 2) and a book (request 3), sent to a service answering `answer`. */
async function sendChangeset(answer: Reply, format: "multipart" | "json" = "multipart") {
  const service = await serve(() => answer);
  try {
    const client = new ODataClient({ serviceUrl: service.url });
    const batch = client.batch({ format });
    const book7 = batch.get(client.collection("Books").key(7));
    let author!: ReturnType<typeof batch.create>;
    let book!: ReturnType<typeof batch.create>;
    batch.changeset((cs) => {
      author = cs.create(client.collection("Authors"), { ID: "ann", name: "Ann" });
      book = cs.create(client.collection("Books"), { ID: 1, title: "Duplicate key" });
    });
    await batch.send();
    return { url: service.url, seen: service.seen, read: book7.result(), author: author.result(), book: book.result() };
  } finally {
    service.close();
  }
}

function assertMultipartSent(seen: Seen[]): void {
  assert.equal(seen.length, 1);
  const body = seen[0]!.body;
  assert.match(body, /Content-ID: 1\r\n\r\nGET Books\(7\) HTTP\/1\.1\r\n/);
  assert.match(body, /Content-Type: multipart\/mixed; boundary=changeset_[^\r]+\r\n\r\n--changeset_[^\r]+\r\nContent-Type: application\/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\nPOST Authors HTTP\/1\.1\r\n/);
  assert.match(body, /Content-ID: 3\r\n\r\nPOST Books HTTP\/1\.1\r\n[^]*\r\n\r\n\{"ID":1,"title":"Duplicate key"\}\r\n--changeset_/);
}

/** The failure of one request: an ODataHttpError with the changeset's status and parsed error, and `message`. */
function assertFailure(result: BatchResult<unknown>, status: number, message: string): ODataHttpError {
  assert.equal(result.ok, false);
  assert.equal(result.status, status);
  const { error } = result;
  assert.ok(error instanceof ODataHttpError);
  assert.equal(error.code, "HTTP_ERROR");
  assert.equal(error.status, status);
  assert.equal(error.odataError?.message, "UNIQUE constraint failed: Books.ID");
  assert.equal(error.message, message);
  return error;
}

/** The author's error names request 3 as the one that failed, and carries that request's own error as its cause. */
function assertBlamesBook(url: string, author: BatchResult<unknown>, book: BatchResult<unknown>, statusLine: string): void {
  const status = Number(statusLine.slice(0, 3));
  const error = assertFailure(author, status, `POST ${url}Authors was not applied: its changeset failed at request 3 (POST ${url}Books) with HTTP ${statusLine}: UNIQUE constraint failed: Books.ID`);
  assert.equal(error.method, "POST");
  assert.equal(error.url, `${url}Authors`);
  assert.ok(error.cause instanceof ODataHttpError);
  assert.equal(error.cause.url, `${url}Books`);
  assert.equal(error.cause.status, status);
  assertFailure(book, status, `POST ${url}Books failed with HTTP ${statusLine}: UNIQUE constraint failed: Books.ID`);
}

test("multipart, as SAP CAP answers: the one response in the changeset's place carries the failed request's Content-ID, and only that request is worded as failed", async () => {
  const { url, seen, read: got, author, book } = await sendChangeset(multipart(read, httpPart("3", "500 Internal Server Error", uniqueError({ "@Core.ContentID": "3" }))));
  assertMultipartSent(seen);
  assert.ok(got.ok);
  assertBlamesBook(url, author, book, "500 Internal Server Error");
});

test("multipart: a response in the changeset's place without a Content-ID names the failed request by @Core.ContentID in its error", async () => {
  const { url, seen, author, book } = await sendChangeset(multipart(read, httpPart(undefined, "500 Internal Server Error", uniqueError({ "@Core.ContentID": "3" }))));
  assertMultipartSent(seen);
  assertBlamesBook(url, author, book, "500 Internal Server Error");
});

test("multipart: a changeset answered with its responses, one a failure with a member's Content-ID, names that member", async () => {
  const inner =
    "--cs_answer\r\n" +
    httpPart("2", "201 Created", JSON.stringify({ ID: "ann" })) +
    "--cs_answer\r\n" +
    httpPart("3", "400 Bad Request", uniqueError()) +
    "--cs_answer--\r\n";
  const { url, seen, author, book } = await sendChangeset(multipart(read, `Content-Type: multipart/mixed; boundary=cs_answer\r\n\r\n${inner}`));
  assertMultipartSent(seen);
  assertBlamesBook(url, author, book, "400 Bad Request");
});

test("multipart, as SAP Gateway answers: one error response without a Content-ID or @Core.ContentID names no request, and every member says its changeset failed", async () => {
  const { url, seen, author, book } = await sendChangeset(multipart(read, httpPart(undefined, "400 Bad Request", uniqueError())));
  assertMultipartSent(seen);
  const authorError = assertFailure(author, 400, `POST ${url}Authors was not applied: its changeset failed with HTTP 400 Bad Request: UNIQUE constraint failed: Books.ID`);
  assert.equal(authorError.cause, undefined);
  assertFailure(book, 400, `POST ${url}Books was not applied: its changeset failed with HTTP 400 Bad Request: UNIQUE constraint failed: Books.ID`);
});

test("JSON batch, as SAP CAP answers: the member answered 201 says the group failed at the request answered 500, which keeps its own words", async () => {
  const answer: Reply = {
    status: 200,
    headers: json,
    body: JSON.stringify({
      responses: [
        { id: "1", status: 200, headers: json, body: { ID: 7 } },
        { id: "2", status: 201, atomicityGroup: "g1", headers: json, body: { ID: "ann", name: "Ann" } },
        { id: "3", status: 500, atomicityGroup: "g1", headers: json, body: JSON.parse(uniqueError()) },
      ],
    }),
  };
  const { url, seen, read: got, author, book } = await sendChangeset(answer, "json");
  assert.equal(seen.length, 1);
  const sent = JSON.parse(seen[0]!.body) as { requests: { id: string; method: string; url: string; atomicityGroup?: string }[] };
  assert.deepEqual(
    sent.requests.map(({ id, method, url: path, atomicityGroup }) => ({ id, method, path, atomicityGroup })),
    [
      { id: "1", method: "GET", path: "Books(7)", atomicityGroup: undefined },
      { id: "2", method: "POST", path: "Authors", atomicityGroup: "g1" },
      { id: "3", method: "POST", path: "Books", atomicityGroup: "g1" },
    ],
  );
  assert.ok(got.ok);
  assertBlamesBook(url, author, book, "500");
});

/** The changeset's answer, its responses numbered by the service itself (Content-ID 1, 2 by place): the members' ids are 2 and 3. */
function numberedChangeset(author: string, book: string): Reply {
  const inner = `--cs_answer\r\n${httpPart("1", author, author.startsWith("2") ? JSON.stringify({ ID: "ann" }) : JSON.stringify({ error: { code: "424", message: "Failed Dependency" } }))}--cs_answer\r\n${httpPart("2", book, uniqueError())}--cs_answer--\r\n`;
  return multipart(read, `Content-Type: multipart/mixed; boundary=cs_answer\r\n\r\n${inner}`);
}

test("multipart: a changeset whose responses the service numbered 1, 2 itself (ids of other members) fails at the response's place, as a successful one is read, not at the member its number names", async () => {
  const { url, seen, read: got, author, book } = await sendChangeset(numberedChangeset("201 Created", "400 Bad Request"));
  assertMultipartSent(seen);
  assert.ok(got.ok);
  assertBlamesBook(url, author, book, "400 Bad Request");
});

test("multipart: in a changeset numbered 1, 2 by the service, the member answered 424 in first place says it failed because of the second, which keeps its own words", async () => {
  const { url, seen, author, book } = await sendChangeset(numberedChangeset("424 Failed Dependency", "400 Bad Request"));
  assertMultipartSent(seen);
  assertFailure(book, 400, `POST ${url}Books failed with HTTP 400 Bad Request: UNIQUE constraint failed: Books.ID`);
  assert.equal(author.ok, false);
  assert.equal(author.status, 424);
  const { error } = author;
  assert.ok(error instanceof ODataHttpError);
  assert.equal(error.odataError?.code, "424");
  assert.equal(
    error.message,
    `POST ${url}Authors was not applied: its changeset failed at request 3 (POST ${url}Books) with HTTP 400 Bad Request: UNIQUE constraint failed: Books.ID; the service answered it with HTTP 424 Failed Dependency [424]: Failed Dependency`,
  );
  assert.ok(error.cause instanceof ODataHttpError);
  assert.equal(error.cause.url, `${url}Books`);
  assert.equal(error.cause.status, 400);
});
