// A multipart changeset answered with a response per member, one a failure (400) and another
// 424 Failed Dependency (it failed because the other did), fails for the 400 whatever their order:
// the member answered 400 fails in its own words, and the member answered 424 says it was not
// applied because its changeset failed at that request, the failed request's error as cause,
// keeping its own 424 as status, headers and parsed error, as a JSON batch's member answered 424
// does (test/batch-json-failed-dependency.test.ts). Before, the changeset's failure was its first
// error response, a 424 too: with the 424 first, the member that failed read "was not applied: its
// changeset failed at request 2 with HTTP 424", and with the 400 first, the member answered 424
// got the 400 as its status. A changeset whose only failures are 424s reads as before. Against a
// node:http service on 127.0.0.1 answering the multipart batch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, type BatchFailure, type BatchResult } from "../src/index.js";
import { serve, type Reply } from "./batch-server.js";
import { collector } from "./wire-log-collector.js";

const INVALID = JSON.stringify({ error: { code: "ASSERT_DATA_TYPE", message: "Value 9001 is not a valid String(40)" } });
const FAILED_DEPENDENCY = JSON.stringify({ error: { code: "424", message: "Failed Dependency" } });

/** One `application/http` part of the changeset: its Content-ID, status line, headers and body. */
function httpPart(contentId: string, statusLine: string, body: string, contentType = "application/json"): string {
  return `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${contentId}\r\n\r\nHTTP/1.1 ${statusLine}\r\nContent-Type: ${contentType}\r\n\r\n${body}\r\n`;
}

/** A multipart answer of one changeset of the given parts. */
function changesetAnswer(...parts: string[]): Reply {
  const inner = `${parts.map((part) => `--cs_answer\r\n${part}`).join("")}--cs_answer--\r\n`;
  return { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=batch_answer" }, body: `--batch_answer\r\nContent-Type: multipart/mixed; boundary=cs_answer\r\n\r\n${inner}--batch_answer--\r\n` };
}

/** A changeset creating an author (request 1) and a book (request 2), sent to a service answering `answer`. */
async function sendChangeset(t: { after: (fn: () => void) => void }, answer: Reply) {
  const service = await serve(() => answer);
  t.after(service.close);
  const log = collector();
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0", debug: log.debug });
  const batch = client.batch({ format: "multipart" });
  let author!: ReturnType<typeof batch.create>;
  let book!: ReturnType<typeof batch.create>;
  batch.changeset((cs) => {
    author = cs.create(client.collection("Authors"), { ID: 9001, name: "Ann" });
    book = cs.create(client.collection("Books"), { ID: 1, title: "T" });
  });
  await batch.send();
  assert.equal(service.seen.length, 1);
  assert.match(service.seen[0]!.body, /Content-ID: 1\r\n\r\nPOST Authors HTTP\/1\.1\r\n[^]*Content-ID: 2\r\n\r\nPOST Books HTTP\/1\.1\r\n/);
  return { url: service.url, author: author.result(), book: book.result(), parts: log.lines.filter((line) => line.startsWith("batch part")) };
}

function failure(result: BatchResult<unknown>, status: number): ODataHttpError {
  assert.equal(result.ok, false);
  assert.equal(result.status, status);
  const { error } = result as { error: unknown };
  assert.ok(error instanceof ODataHttpError);
  assert.equal(error.code, "HTTP_ERROR");
  assert.equal(error.status, status);
  return error;
}

for (const order of ["424 first", "400 first"] as const) {
  test(`multipart changeset answered 400 and 424 (${order}): the 400 is the changeset's failure; the 424 member says it was not applied because of it and keeps its own 424`, async (t) => {
    const dependent = httpPart("1", "424 Failed Dependency", FAILED_DEPENDENCY, "application/json;odata.metadata=minimal");
    const invalid = httpPart("2", "400 Bad Request", INVALID);
    const { url, author, book, parts } = await sendChangeset(t, changesetAnswer(...(order === "424 first" ? [dependent, invalid] : [invalid, dependent])));

    // Request 2 failed, in its own words.
    const bookError = failure(book, 400);
    assert.equal(bookError.message, `POST ${url}Books failed with HTTP 400 Bad Request [ASSERT_DATA_TYPE]: Value 9001 is not a valid String(40)`);
    assert.equal(bookError.cause, undefined);

    // Request 1 was answered 424 because of it: it says so, its own 424 kept.
    const authorError = failure(author, 424);
    assert.equal(
      authorError.message,
      `POST ${url}Authors was not applied: its changeset failed at request 2 (POST ${url}Books) with HTTP 400 Bad Request [ASSERT_DATA_TYPE]: Value 9001 is not a valid String(40); the service answered it with HTTP 424 Failed Dependency [424]: Failed Dependency`,
    );
    assert.equal(authorError.odataError?.code, "424");
    assert.deepEqual(JSON.parse(authorError.body), JSON.parse(FAILED_DEPENDENCY));
    assert.equal((author as BatchFailure).headers.get("content-type"), "application/json;odata.metadata=minimal");
    assert.ok(authorError.cause instanceof ODataHttpError);
    assert.equal(authorError.cause.status, 400);
    assert.equal(authorError.cause.url, `${url}Books`);
    assert.equal(authorError.cause.odataError?.code, "ASSERT_DATA_TYPE");

    // The wire log names the same request.
    assert.deepEqual(parts, [`batch part 1 ! POST ${url}Authors not applied: its changeset failed at batch part 2 (POST ${url}Books)`, `batch part 2 < 400 POST ${url}Books {"content-type":"application/json"}`]);
  });
}

test("multipart changeset whose only failure is a 424: the first 424 is the changeset's failure, as before", async (t) => {
  const { url, author, book } = await sendChangeset(t, changesetAnswer(httpPart("1", "201 Created", JSON.stringify({ ID: 9001 })), httpPart("2", "424 Failed Dependency", FAILED_DEPENDENCY)));
  const bookError = failure(book, 424);
  assert.equal(bookError.message, `POST ${url}Books failed with HTTP 424 Failed Dependency [424]: Failed Dependency`);
  const authorError = failure(author, 424);
  assert.equal(authorError.message, `POST ${url}Authors was not applied: its changeset failed at request 2 (POST ${url}Books) with HTTP 424 Failed Dependency [424]: Failed Dependency`);
  assert.ok(authorError.cause instanceof ODataHttpError);
});
