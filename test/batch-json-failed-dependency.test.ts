// A JSON batch changeset (atomicity group) whose first create fails 400 and whose second, which
// references it ($1/books), the service answers 424 Failed Dependency, as SAP CAP does: the second
// says it was not applied because its changeset failed at request 1, with that request's error as
// cause, as its multipart form (one answer in the changeset's place) and a member answered with no
// error status say; its own 424 stays its status, headers and parsed error. Before, it read
// "POST …/$1/books failed with HTTP 424 [424]: Failed Dependency", naming no failed request and
// with no cause. A 424 with no other failure in its group, or outside any group, reads in its own
// words. Against a node:http server answering CAP's JSON (as captured), and against CAP.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataHttpError, type BatchFailure } from "../src/index.js";
import { serveClient, type RecordedRequest } from "./servers/recording-server.js";
import { failure } from "./batch-server.js";
import { useCap } from "./servers/use-cap.js";
import { collector } from "./wire-log-collector.js";
import type { Author, Book } from "./servers/cap/types.js";

const INVALID = { error: { message: "Value 9001 is not a valid String(40)", code: "ASSERT_DATA_TYPE", target: "ID", "@Common.numericSeverity": 4 } };
const FAILED_DEPENDENCY = {
  error: { innererror: { code: "ASSERT_DATA_TYPE", message: "ASSERT_DATA_TYPE", args: [9001, "String(40)"], target: "ID", path: ["ID"] }, code: "424", message: "Failed Dependency", "@Common.numericSeverity": 4 },
};

/** SAP CAP's JSON batch answer to the changeset, as it gives it (no reason phrases; its headers). */
function capAnswer(responses: unknown[]) {
  return (_request: RecordedRequest, res: ServerResponse): void => {
    const body = JSON.stringify({ responses });
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
}

const AUTHOR_400 = { id: "1", status: 400, headers: { "odata-version": "4.0", "content-type": "application/json; charset=utf-8", "content-length": "128" }, atomicityGroup: "g1", body: INVALID };
const BOOK_424 = { id: "2", status: 424, headers: { "content-type": "application/json" }, atomicityGroup: "g1", body: FAILED_DEPENDENCY };

/** A changeset creating an author and, through `$1/books`, a book of it; the handles' results. */
async function sendChangeset(client: ODataClient, author: Omit<Partial<Author>, "ID"> & { ID: string | number }) {
  const batch = client.batch({ format: "json" });
  let authorHandle!: ReturnType<typeof batch.create<Author>>;
  let bookHandle!: ReturnType<typeof batch.create<Book>>;
  batch.changeset((changeset) => {
    authorHandle = changeset.create(client.collection<Author>("Authors"), author as Author);
    bookHandle = changeset.create(authorHandle.navigation("books"), { ID: 9101, title: "T" } as Book);
  });
  await batch.send();
  return { author: authorHandle.result(), book: bookHandle.result() };
}

test("JSON batch, CAP's answer: the member answered 424 says it was not applied because the changeset failed at request 1, that request's error as cause, its own 424 kept", async (t) => {
  const log = collector();
  const { server, client, root } = await serveClient(t, capAnswer([AUTHOR_400, BOOK_424]), { debug: log.debug });
  const { author, book } = await sendChangeset(client, { ID: 9001, name: "Ann" });

  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["POST /odata/$batch"]);
  const sent = JSON.parse(server.requests[0]!.body) as { requests: { id: string; method: string; url: string; atomicityGroup?: string; dependsOn?: string[] }[] };
  assert.deepEqual(
    sent.requests.map(({ id, method, url, atomicityGroup, dependsOn }) => `${id} ${method} ${url} ${atomicityGroup} ${dependsOn?.join(",") ?? "-"}`),
    ["1 POST Authors g1 -", "2 POST $1/books g1 1"],
  );

  const authorError = failure(author, 400);
  assert.equal(authorError.message, `POST ${root}Authors failed with HTTP 400 [ASSERT_DATA_TYPE]: Value 9001 is not a valid String(40)`);
  assert.equal(authorError.cause, undefined);

  const bookError = failure(book, 424);
  assert.equal(
    bookError.message,
    `POST ${root}$1/books was not applied: its changeset failed at request 1 (POST ${root}Authors) with HTTP 400 [ASSERT_DATA_TYPE]: Value 9001 is not a valid String(40); the service answered it with HTTP 424 [424]: Failed Dependency`,
  );
  assert.equal(bookError.code, "HTTP_ERROR");
  // Its own answer: the 424's parsed error, body and headers.
  assert.equal(bookError.odataError?.code, "424");
  assert.equal(bookError.odataError?.message, "Failed Dependency");
  assert.deepEqual(JSON.parse(bookError.body), FAILED_DEPENDENCY);
  assert.equal((book as BatchFailure).headers.get("content-type"), "application/json");
  // The cause is request 1's own error.
  assert.ok(bookError.cause instanceof ODataHttpError);
  assert.equal(bookError.cause.status, 400);
  assert.equal(bookError.cause.url, `${root}Authors`);
  assert.equal(bookError.cause.odataError?.code, "ASSERT_DATA_TYPE");
  // The wire log says what the errors say.
  const parts = log.lines.filter((line) => line.startsWith("batch part"));
  assert.deepEqual(parts, [
    `batch part 1 < 400 POST ${root}Authors {"content-type":"application/json; charset=utf-8","odata-version":"4.0"}`,
    `batch part 2 ! POST ${root}$1/books not applied: its changeset failed at batch part 1 (POST ${root}Authors)`,
  ]);
});

test("JSON batch: a 424 with no other failure in its group, or outside any group, reads in its own words", async (t) => {
  // Request 1 answered 424 with no member failed otherwise: nothing to blame; its neighbour answered
  // 201 says its changeset failed at request 1, as before.
  const alone = await serveClient(t, capAnswer([{ ...AUTHOR_400, status: 424, body: FAILED_DEPENDENCY }, { ...BOOK_424, status: 201, body: { ID: 9101 } }]));
  const { author, book } = await sendChangeset(alone.client, { ID: "ann", name: "Ann" });
  const authorError = failure(author, 424);
  assert.equal(authorError.message, `POST ${alone.root}Authors failed with HTTP 424 [424]: Failed Dependency`);
  assert.equal(authorError.cause, undefined);
  const bookError = failure(book, 424);
  assert.equal(bookError.message, `POST ${alone.root}$1/books was not applied: its changeset failed at request 1 (POST ${alone.root}Authors) with HTTP 424 [424]: Failed Dependency`);

  // A request of its own answered 424 is its own failure.
  const own = await serveClient(t, capAnswer([{ id: "1", status: 424, headers: { "content-type": "application/json" }, body: FAILED_DEPENDENCY }]));
  const batch = own.client.batch({ format: "json" });
  const handle = batch.create(own.client.collection<Author>("Authors"), { ID: "ann", name: "Ann" } as Author);
  await batch.send();
  const error = failure(handle.result(), 424);
  assert.equal(error.message, `POST ${own.root}Authors failed with HTTP 424 [424]: Failed Dependency`);
  assert.equal(error.cause, undefined);
});

describe("against SAP CAP", () => {
  const cap = useCap();

  test("JSON batch: CAP answers the create of $1/books 424 after the author's fails 400; it says it was not applied because of request 1", async () => {
    const client = new ODataClient({ serviceUrl: cap.v4 });
    // Authors.ID is a String(40): a number is refused 400.
    const { author, book } = await sendChangeset(client, { ID: 9001, name: "Ann" });
    const authorError = failure(author, 400);
    assert.equal(authorError.odataError?.code, "ASSERT_DATA_TYPE");
    const bookError = failure(book, 424);
    assert.match(bookError.message, new RegExp(`^POST ${escape(cap.v4)}\\$1/books was not applied: its changeset failed at request 1 \\(POST ${escape(cap.v4)}Authors\\) with HTTP 400 \\[ASSERT_DATA_TYPE\\]: .*; the service answered it with HTTP 424 \\[424\\]: Failed Dependency$`));
    assert.ok(bookError.cause instanceof ODataHttpError);
    assert.equal(bookError.cause.status, 400);
    assert.equal(bookError.cause.url, `${cap.v4}Authors`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
