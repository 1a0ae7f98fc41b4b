/**
 * $batch as pure functions: the bytes of a multipart and a JSON batch request, and reading
 * realistic answers (changeset failures, quoted boundaries, bare LF, garbage) into per-request
 * results. Nothing here opens a socket.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, ODataHttpError, type BatchResult } from "../src/index.js";
import { boundaryOf, newBoundary, readMultipartBatch, sniffBoundary, writeMultipartBatch } from "../src/payload/multipart.js";
import { readJsonBatch } from "../src/payload/json-batch.js";
import { sendText, startServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

interface Book {
  ID: number;
  title: string;
  stock?: number;
  reviews?: Review[];
}
interface Review {
  ID: number;
  rating: number;
}

const serviceUrl = "https://host/odata/v4/catalog/";
const fixed = { batch: "batch_1", changeset: (n: number) => `changeset_${n + 1}` };

function client(version: "4.0" | "4.01" | "2.0" = "4.0") {
  return new ODataClient({ serviceUrl: version === "2.0" ? "https://host/odata/v2/catalog/" : serviceUrl, version });
}

/** The batch of most tests: a read, a changeset of two creates (the second below the first), a delete. */
function sampleBatch(format: "multipart" | "json" = "multipart") {
  const c = client();
  const batch = c.batch({ format, boundaries: fixed });
  const books = c.collection<Book>("Books");
  const read = batch.get(books.key(1).select("ID", "title"));
  let book!: ReturnType<typeof batch.create<Book>>;
  let review!: ReturnType<typeof batch.create<Review>>;
  batch.changeset((cs) => {
    book = cs.create(books, { ID: 900, title: "New" });
    review = cs.create(book.navigation("reviews"), { ID: 77, rating: 5 });
  });
  const removed = batch.delete(books.key(2), { etag: 'W/"x"' });
  return { batch, read, book, review, removed };
}

const CRLF = "\r\n";
const lines = (...parts: string[]) => parts.join(CRLF);
/** One part of a multipart answer with the boundary `b`: its status, header lines and body. */
const answerPart = (status: string, headers: string[], body: string) => lines("--b", "Content-Type: application/http", "", `HTTP/1.1 ${status}`, ...headers, "", body);

test("a multipart batch is written byte for byte: CRLF, application/http parts, Content-ID, nested changeset, $n reference, relative URLs", async () => {
  const { batch } = sampleBatch();
  const request = await batch.toRequest();
  assert.equal(request.url, `${serviceUrl}$batch`);
  assert.equal(request.headers["content-type"], "multipart/mixed; boundary=batch_1");
  assert.equal(request.headers["accept"], "multipart/mixed");
  assert.equal(request.headers["odata-version"], "4.0");
  const expected = lines(
    "--batch_1",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "Content-ID: 1",
    "",
    "GET Books(1)?$select=ID,title HTTP/1.1",
    "accept: application/json",
    "",
    "",
    "--batch_1",
    "Content-Type: multipart/mixed; boundary=changeset_1",
    "",
    "--changeset_1",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "Content-ID: 2",
    "",
    "POST Books HTTP/1.1",
    "accept: application/json",
    "odata-version: 4.0",
    "odata-maxversion: 4.0",
    "content-type: application/json",
    "",
    '{"ID":900,"title":"New"}',
    "--changeset_1",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "Content-ID: 3",
    "",
    "POST $2/reviews HTTP/1.1",
    "accept: application/json",
    "odata-version: 4.0",
    "odata-maxversion: 4.0",
    "content-type: application/json",
    "",
    '{"ID":77,"rating":5}',
    "--changeset_1--",
    "--batch_1",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "Content-ID: 4",
    "",
    "DELETE Books(2) HTTP/1.1",
    "accept: application/json",
    "odata-version: 4.0",
    "odata-maxversion: 4.0",
    'if-match: W/"x"',
    "",
    "",
    "--batch_1--",
    "",
  );
  assert.equal(request.body, expected);
  assert.ok(!/[^\r]\n/.test(request.body), "every line ends in CRLF");
});

test("a JSON batch is written with ids, relative URLs, JSON bodies, atomicityGroup and dependsOn for $n references", async () => {
  const { batch } = sampleBatch("json");
  const request = await batch.toRequest();
  assert.equal(request.headers["content-type"], "application/json");
  assert.equal(request.headers["accept"], "application/json");
  const writeHeaders = { accept: "application/json", "odata-version": "4.0", "odata-maxversion": "4.0", "content-type": "application/json" };
  assert.deepEqual(JSON.parse(request.body), {
    requests: [
      { id: "1", method: "GET", url: "Books(1)?$select=ID,title", headers: { accept: "application/json" } },
      { id: "2", method: "POST", url: "Books", headers: writeHeaders, body: { ID: 900, title: "New" }, atomicityGroup: "g1" },
      { id: "3", method: "POST", url: "$2/reviews", headers: writeHeaders, body: { ID: 77, rating: 5 }, atomicityGroup: "g1", dependsOn: ["2"] },
      {
        id: "4",
        method: "DELETE",
        url: "Books(2)",
        headers: { accept: "application/json", "odata-version": "4.0", "odata-maxversion": "4.0", "if-match": 'W/"x"' },
      },
    ],
  });
});

test("a 4.01 client batches as JSON by default, 4.0 and 2.0 as multipart; v2 refuses JSON", () => {
  assert.equal(client("4.01").batch().format, "json");
  assert.equal(client("4.0").batch().format, "multipart");
  assert.equal(client("2.0").batch().format, "multipart");
  assert.throws(() => client("2.0").batch({ format: "json" }), (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION");
});

test("v2 batches update with MERGE and the DataServiceVersion headers", async () => {
  const c = client("2.0");
  const batch = c.batch({ boundaries: fixed });
  batch.changeset((cs) => cs.update(c.collection<Book>("Books").key(1), { stock: 3 }, { etag: 'W/"e"' }));
  const request = await batch.toRequest();
  assert.equal(request.headers["dataserviceversion"], "2.0");
  assert.match(request.body, /\r\nMERGE Books\(1\) HTTP\/1\.1\r\n/);
  assert.match(request.body, /\r\nif-match: W\/"e"\r\n/);
});

test("generated boundaries are unguessable: 128 random bits, different every time, and valid RFC 2046 boundaries", async () => {
  const a = newBoundary("batch");
  const b = newBoundary("batch");
  assert.notEqual(a, b);
  assert.match(a, /^batch_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const c = client();
  const batch = c.batch();
  batch.get(c.collection("Books").key(1));
  const boundary = boundaryOf((await batch.toRequest()).headers["content-type"]);
  assert.match(boundary ?? "", /^batch_[0-9a-f-]{36}$/);
});

test("boundaryOf reads quoted and unquoted boundary parameters", () => {
  assert.equal(boundaryOf("multipart/mixed; boundary=batch_1"), "batch_1");
  assert.equal(boundaryOf('multipart/mixed; boundary="batch 1"; charset=utf-8'), "batch 1");
  assert.equal(boundaryOf("multipart/mixed;boundary=abc;x=y"), "abc");
  assert.equal(boundaryOf("application/json"), undefined);
  assert.equal(boundaryOf("multipart/mixed"), undefined);
});

/** CAP's answer to the sample batch when the changeset fails (a duplicate key). */
function capLikeAnswer(eol = CRLF): string {
  return [
    "--batch_r",
    "content-type: application/http",
    "content-transfer-encoding: binary",
    "content-id: 1",
    "",
    "HTTP/1.1 200 OK",
    'etag: W/"2024"',
    "content-type: application/json; charset=utf-8",
    "",
    '{"@odata.context":"$metadata#Books/$entity","ID":1,"title":"Pride and Prejudice"}',
    "--batch_r",
    "content-type: application/http",
    "content-transfer-encoding: binary",
    "content-id: 3",
    "",
    "HTTP/1.1 400 Bad Request",
    "content-type: application/json; charset=utf-8",
    "",
    '{"error":{"code":"ENTITY_ALREADY_EXISTS","message":"Entity already exists","target":"ID"}}',
    "--batch_r",
    "content-type: application/http",
    "content-transfer-encoding: binary",
    "content-id: 4",
    "",
    "HTTP/1.1 204 No Content",
    "",
    "",
    "--batch_r--",
    "",
  ].join(eol);
}

test("a failed changeset, answered with one response in its place, is a failure with the parsed OData error for every request in it", async () => {
  const { batch, read, book, review, removed } = sampleBatch();
  const results = await batch.readAnswer({ contentType: "multipart/mixed; boundary=batch_r", body: capLikeAnswer() });
  assert.equal(results.length, 4);
  assert.equal(results.ok, false);
  const first = read.result();
  assert.ok(first.ok);
  assert.equal(first.status, 200);
  assert.equal(first.value.title, "Pride and Prejudice");
  assert.equal((first.value as unknown as Record<string, unknown>)["@odata.etag"], 'W/"2024"', "the ETag header is kept with the entity");
  for (const handle of [book, review]) {
    const result = handle.result();
    assert.equal(result.ok, false);
    assert.equal(result.status, 400);
    assert.ok(result.error instanceof ODataHttpError);
    assert.equal(result.error.odataError?.code, "ENTITY_ALREADY_EXISTS");
    assert.equal(result.error.odataError?.target, "ID");
  }
  assert.equal((book.result() as { error: ODataHttpError }).error.url, `${serviceUrl}Books`);
  assert.equal((review.result() as { error: ODataHttpError }).error.url, `${serviceUrl}$2/reviews`);
  const deleted = removed.result();
  assert.ok(deleted.ok);
  assert.equal(deleted.status, 204);
  assert.equal(deleted.value, undefined);
  assert.deepEqual(results.of(read), first);
});

/** A request's value where it succeeded; its error's message where not. */
function valueOf(handle: { result(): BatchResult<unknown> }): unknown {
  const result = handle.result();
  return result.ok ? result.value : result.error.message;
}

/** One response of a changeset (boundary `cs`), with the Content-ID given. */
const changesetPart = (contentId: string | undefined, status: string, body: string) =>
  lines("--cs", "Content-Type: application/http", ...(contentId === undefined ? [] : [`Content-ID: ${contentId}`]), "", `HTTP/1.1 ${status}`, "Content-Type: application/json", "", body);

/** sampleBatch's answer: the read, the changeset as given, the delete. */
const sampleAnswer = (readPart: string, changeset: string) =>
  lines(readPart, "--b", "Content-Type: multipart/mixed; boundary=cs", "", changeset, "--b", "Content-Type: application/http", "", "HTTP/1.1 204 No Content", "", "", "--b--");

test("a part reads as the same request alone: a 204 with a body is undefined for a write, an action and a request; a get answered 200 or 204 with no entity is BAD_PAYLOAD; a byte order mark is dropped", async () => {
  const c = client();
  const books = c.collection<Book>("Books");
  const batch = c.batch();
  const updated = batch.update(books.key(1), { title: "x" });
  const acted = batch.action("ping");
  const raw = batch.request({ method: "DELETE", url: "Books(3)" });
  const emptyGet = batch.get(books.key(4));
  const noContentGet = batch.get(books.key(5));
  const withMark = batch.get(books.key(6));
  const counted = batch.count(books);
  const text = batch.request({ method: "GET", url: "Books(7)/title/$value" });
  const body = lines(
    answerPart("204 No Content", ["Content-Type: text/html"], "<html>done</html>"),
    answerPart("204 No Content", [], "OK"),
    answerPart("204 No Content", ["Content-Type: application/json"], "{oops"),
    answerPart("200 OK", ["Content-Type: application/json"], ""),
    answerPart("204 No Content", [], ""),
    answerPart("200 OK", ["Content-Type: application/json"], '\uFEFF{"ID":6}'),
    answerPart("200 OK", ["Content-Type: text/plain"], "\uFEFF42"),
    answerPart("200 OK", ["Content-Type: text/plain"], "\uFEFFhello"),
    "--b--",
  );
  await batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body });
  const outcome = (result: BatchResult<unknown>) => (result.ok ? ["ok", result.status, result.value] : ["failed", result.status, result.error.code, result.error.message]);
  assert.deepEqual(
    [updated, acted, raw, emptyGet, noContentGet, withMark, counted, text].map((handle) => outcome(handle.result())),
    [
      ["ok", 204, undefined],
      ["ok", 204, undefined],
      ["ok", 204, undefined],
      ["failed", 200, "BAD_PAYLOAD", "response to request 4 (GET Books(4)): the answer is not an entity object (got an empty body)"],
      ["failed", 204, "BAD_PAYLOAD", "response to request 5 (GET Books(5)): the answer is not an entity object (got an empty body)"],
      ["ok", 200, { ID: 6 }],
      ["ok", 200, 42],
      ["ok", 200, "hello"],
    ],
  );
});

test("Content-IDs that contradict the order never hand a request another's answer: a changeset numbered by the service is matched by position, all of it; counts that differ and a top-level ID of another request fail those requests alone", async () => {
  const read = answerPart("200 OK", ["Content-Type: application/json"], '{"ID":1}');
  const creates = (first: string | undefined, second: string | undefined) =>
    lines(changesetPart(first, "201 Created", '{"ID":900}'), changesetPart(second, "201 Created", '{"ID":77}'), "--cs--");
  const valuesOf = async (body: string) => {
    const { batch, book, review } = sampleBatch();
    await batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body });
    return [book.result(), review.result()].map((result) => (result.ok ? (result.value as { ID: number }).ID : result.error.message));
  };
  // The requests' own Content-IDs (2, 3), swapped: by ID. The service's own numbering (1, 2): by
  // position, never half by ID (ID 2 would be the first create's). One ID missing and the other
  // 2, both its place and the first create's ID: which it answers is not known, so neither is matched.
  assert.deepEqual(await valuesOf(sampleAnswer(read, lines(changesetPart("3", "201 Created", '{"ID":77}'), changesetPart("2", "201 Created", '{"ID":900}'), "--cs--"))), [900, 77]);
  assert.deepEqual(await valuesOf(sampleAnswer(read, creates("1", "2"))), [900, 77]);
  const ambiguous = 'cannot be matched to the answer: response 2 of its changeset carries the Content-ID "2" of another of its requests, and not every response names one; whether it ran is not known';
  assert.deepEqual(await valuesOf(sampleAnswer(read, creates(undefined, "2"))), [`request 2 (POST Books) ${ambiguous}`, `request 3 (POST $2/reviews) ${ambiguous}`]);
  assert.deepEqual(await valuesOf(sampleAnswer(read, creates("2", "2"))), [900, 77]);
  // What cannot be matched fails the requests it stood for, BAD_BATCH_RESPONSE, and the others stand.
  const unmatched = async (body: string, says: RegExp, failing: ("read" | "book" | "review" | "removed")[]) => {
    const handles = sampleBatch();
    const results = await handles.batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body });
    assert.equal(results.length, 4);
    for (const name of ["read", "book", "review", "removed"] as const) {
      const result = handles[name].result();
      if (!failing.includes(name)) {
        assert.ok(result.ok, `${name}: ${String(!result.ok && result.error)}`);
        continue;
      }
      assert.ok(!result.ok && result.status === undefined && result.error.code === "BAD_BATCH_RESPONSE", `${name}: ${inspect(result)}`);
      assert.match(result.error.message, says, name);
      assert.match(result.error.message, /; whether it ran is not known$/, name);
    }
  };
  await unmatched(sampleAnswer(read, lines(changesetPart("2", "201 Created", '{"ID":900}'), "--cs--")), /its changeset of 2 requests was answered with 1 response;/, ["book", "review"]);
  await unmatched(sampleAnswer(read, lines(changesetPart("2", "201 Created", "{}"), changesetPart("2", "201 Created", "{}"), changesetPart("3", "201 Created", "{}"), "--cs--")), /answered with 3 responses/, ["book", "review"]);
  // A single success in the changeset's place is no answer to two requests (a single failure is).
  await unmatched(lines(read, answerPart("200 OK", [], '{"ok":true}'), answerPart("204 No Content", [], ""), "--b--"), /response 2 is a single 200 in the place of its changeset of 2 requests/, ["book", "review"]);
  // A top-level response numbered by the service's own count (2: a changeset member's ID) is read by position.
  const readNamedAsMember = lines("--b", "Content-Type: application/http", "Content-ID: 2", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", '{"ID":1}');
  assert.deepEqual(await valuesOf(sampleAnswer(readNamedAsMember, creates("2", "3"))), [900, 77]);
  const readNamedAsDelete = lines("--b", "Content-Type: application/http", "Content-ID: 4", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", '{"ID":1}');
  await unmatched(sampleAnswer(readNamedAsDelete, creates("2", "3")), /^request 1 \(GET Books\(1\)\?\$select=ID,title\) cannot be matched to the answer: response 1, in its place, carries the Content-ID "4" of request 4;/, ["read"]);
});

test("a changeset answered as a nested multipart is matched by Content-ID, whatever the order", async () => {
  const { batch, book, review } = sampleBatch();
  const body = lines(
    "--b",
    "Content-Type: application/http",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json",
    "",
    '{"ID":1}',
    "--b",
    'Content-Type: multipart/mixed; boundary="cs 1"',
    "",
    "--cs 1",
    "Content-Type: application/http",
    "Content-ID: 3",
    "",
    "HTTP/1.1 201 Created",
    "Content-Type: application/json",
    "",
    '{"ID":77,"rating":5}',
    "--cs 1",
    "Content-Type: application/http",
    "Content-ID: 2",
    "",
    "HTTP/1.1 201 Created",
    "Content-Type: application/json",
    "",
    '{"ID":900,"title":"New"}',
    "--cs 1--",
    "--b",
    "Content-Type: application/http",
    "",
    "HTTP/1.1 204 No Content",
    "",
    "",
    "--b--",
  );
  const results = await batch.readAnswer({ contentType: 'multipart/mixed; boundary="b"', body });
  assert.equal(results.ok, true);
  const created = book.result();
  assert.ok(created.ok && created.value?.title === "New");
  const reviewed = review.result();
  assert.ok(reviewed.ok && reviewed.value?.rating === 5);
});

test("a changeset whose nested answer holds a failure is failed for every member", async () => {
  const { batch, book, review } = sampleBatch();
  const body = lines(
    "--b",
    "Content-Type: application/http",
    "",
    "HTTP/1.1 200 OK",
    "",
    "{}",
    "--b",
    "Content-Type: multipart/mixed; boundary=cs",
    "",
    "--cs",
    "Content-Type: application/http",
    "Content-ID: 2",
    "",
    "HTTP/1.1 201 Created",
    "Content-Type: application/json",
    "",
    '{"ID":900}',
    "--cs",
    "Content-Type: application/http",
    "Content-ID: 3",
    "",
    "HTTP/1.1 409 Conflict",
    "Content-Type: application/json",
    "",
    '{"error":{"code":"409","message":"taken"}}',
    "--cs--",
    "--b--",
  );
  const results = await batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body });
  for (const handle of [book, review]) {
    const result = handle.result();
    assert.equal(result.ok, false);
    assert.equal(result.status, 409);
    assert.equal(result.error instanceof ODataHttpError && result.error.odataError?.message, "taken");
  }
  const last = results[3];
  assert.equal(last?.ok, false);
  assert.equal(last?.status, undefined);
  assert.equal(last?.error.code, "BATCH_NOT_EXECUTED");
});

test("an answer with bare LF line ends is read like a CRLF one", async () => {
  const { batch, read, book } = sampleBatch();
  await batch.readAnswer({ contentType: "multipart/mixed; boundary=batch_r", body: capLikeAnswer("\n") });
  const first = read.result();
  assert.ok(first.ok && first.value.ID === 1);
  assert.equal(book.result().status, 400);
});

test("a preamble and an epilogue around the parts are ignored", () => {
  const answers = readMultipartBatch(`This is a preamble.\r\n${capLikeAnswer()}trailing epilogue\r\n`, "batch_r");
  assert.equal(answers.length, 3);
});

test("an answer whose parts cannot be told apart rejects with BAD_BATCH_RESPONSE naming what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["<html>oops</html>", /no part delimited by --b/],
    [lines("--b", "Content-Type: application/http", "", "HTTP/1.1 200 OK", "", "{}"), /without the closing delimiter --b--/],
  ];
  for (const [body, message] of cases) {
    assert.throws(
      () => readMultipartBatch(body, "b"),
      (error: unknown) => error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE" && message.test(error.message),
      `${message}`,
    );
  }
});

test("a part that cannot be read fails its own requests with BAD_BATCH_RESPONSE naming the part; the results around it stand", async () => {
  // Each damaged part in the place of a delete, between two reads the service answered.
  const damaged: [string, RegExp][] = [
    [lines("--b", "Content-Type: text/plain", "", "hello"), /^part 2 of the batch response has Content-Type "text\/plain"; expected application\/http/],
    [lines("--b", "Content-Type: application/http", "", "HTTP/1.1 OK", ""), /^part 2 of the batch response: malformed application\/http response: the first line "HTTP\/1\.1 OK" is not a status line/],
    [lines("--b", "Content-Type: application/http", "no colon here", ""), /^part 2 of the batch response: the header line "no colon here" has no name/],
    [lines("--b", "Content-Type: application/http", "", "HTTP/1.1 204 No Content", "no colon here", ""), /^part 2 of the batch response: malformed application\/http response: the header line "no colon here" has no name/],
    [lines("--b", "Content-Type: multipart/mixed", "", "x"), /^part 2 of the batch response is multipart\/mixed without a boundary/],
  ];
  for (const [part, why] of damaged) {
    const c = client();
    const batch = c.batch();
    const first = batch.get(c.collection("Books").key(1));
    const removed = batch.delete(c.collection("Books").key(2));
    const last = batch.get(c.collection("Books").key(3));
    const body = lines(answerPart("200 OK", ["Content-Type: application/json"], '{"ID":1}'), part, answerPart("200 OK", ["Content-Type: application/json"], '{"ID":3}'), "--b--");
    const results = await batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body });
    const lost = removed.result();
    assert.ok(!lost.ok && lost.status === undefined && lost.error.code === "BAD_BATCH_RESPONSE", `${why}: ${String(lost.ok || lost.error)}`);
    const message = lost.error.message;
    assert.ok(message.startsWith("request 2 (DELETE Books(2)) has an answer that cannot be read: "), message);
    assert.match(message.slice(message.indexOf(": ") + 2), why);
    assert.ok(message.endsWith("; whether it ran is not known"), message);
    assert.deepEqual([valueOf(first), valueOf(last)], [{ ID: 1 }, { ID: 3 }], `${why}`);
    assert.deepEqual([results.ok, results.map((result) => result.status)], [false, [200, undefined, 200]]);
  }
});

test("a changeset whose parts cannot be read fails its members alone; a changeset in a request's place fails that request", async () => {
  const { batch, read, book, review, removed } = sampleBatch();
  // The changeset's second response has no status line; the changeset did not fail (no error in
  // its place), so the first member's answer stands.
  const changeset = lines(changesetPart("2", "201 Created", '{"ID":900,"title":"New"}'), lines("--cs", "Content-Type: application/http", "Content-ID: 3", "", "HTPP/1.1 201", "", "{}"), "--cs--");
  await batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body: sampleAnswer(answerPart("200 OK", ["Content-Type: application/json"], '{"ID":1}'), changeset) });
  assert.deepEqual([valueOf(read), valueOf(book), valueOf(removed)], [{ ID: 1 }, { ID: 900, title: "New" }, undefined]);
  const notRead = review.result();
  assert.ok(!notRead.ok && notRead.status === undefined && notRead.error.code === "BAD_BATCH_RESPONSE");
  assert.match(notRead.error.message, /^request 3 \(POST \$2\/reviews\) has an answer that cannot be read: part 2 of the changeset in part 2 of the batch response: malformed application\/http response: the first line "HTPP\/1\.1 201" is not a status line/);

  // The second member's answer first, naming it, and a part with no Content-ID that cannot be
  // read: by position the first member would get the second's entity. Neither is matched.
  const swapped = sampleBatch();
  const outOfPlace = lines(changesetPart("3", "201 Created", '{"ID":77,"rating":5}'), lines("--cs", "Content-Type: application/http", "broken header line", "", ""), "--cs--");
  await swapped.batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body: sampleAnswer(answerPart("200 OK", ["Content-Type: application/json"], '{"ID":1}'), outOfPlace) });
  for (const handle of [swapped.book, swapped.review]) {
    const result = handle.result();
    assert.ok(!result.ok && result.error.code === "BAD_BATCH_RESPONSE", inspect(result));
    assert.match(result.error.message, /cannot be matched to the answer: response 1 of its changeset carries the Content-ID "3" of another of its requests, and not every response names one; whether it ran is not known$/);
  }
  assert.deepEqual([valueOf(swapped.read), valueOf(swapped.removed)], [{ ID: 1 }, undefined]);

  const c = client();
  const other = c.batch();
  const first = other.get(c.collection("Books").key(1));
  const deleted = other.delete(c.collection("Books").key(3));
  const inPlace = lines("--b", "Content-Type: multipart/mixed; boundary=cs", "", changesetPart("9", "204 No Content", ""), "--cs--");
  await other.readAnswer({ contentType: "multipart/mixed; boundary=b", body: lines(answerPart("200 OK", ["Content-Type: application/json"], '{"ID":1}'), inPlace, "--b--") });
  assert.deepEqual(valueOf(first), { ID: 1 });
  const unmatched = deleted.result();
  assert.ok(!unmatched.ok && unmatched.error.code === "BAD_BATCH_RESPONSE");
  assert.equal(unmatched.error.message, "request 2 (DELETE Books(3)) cannot be matched to the answer: response 2, in its place, is a changeset; whether it ran is not known");
});

test("a JSON batch response with an id whose status, headers or body cannot be read fails that request alone", async () => {
  const c = client();
  const batch = c.batch({ format: "json" });
  const first = batch.get(c.collection("Books").key(1));
  const second = batch.delete(c.collection("Books").key(2));
  const third = batch.delete(c.collection("Books").key(3));
  const body = JSON.stringify({
    responses: [
      { id: "1", status: 200, body: { ID: 1 } },
      { id: "2", status: "204" },
      { id: "3", status: 204, headers: ["x"] },
    ],
  });
  const results = await batch.readAnswer({ contentType: "application/json", body });
  assert.deepEqual(valueOf(first), { ID: 1 });
  const reasons = [second, third].map((handle) => {
    const result = handle.result();
    assert.ok(!result.ok && result.status === undefined && result.error.code === "BAD_BATCH_RESPONSE");
    return result.error.message;
  });
  assert.deepEqual(reasons, [
    'request 2 (DELETE Books(2)) has an answer that cannot be read: response 2 has no HTTP status (got the string "204"); whether it ran is not known',
    "request 3 (DELETE Books(3)) has an answer that cannot be read: response 3 has headers that are not an object; whether it ran is not known",
  ]);
  assert.equal(results.ok, false);
});

test("more responses than requests and an unknown content type reject the whole answer; a success body that is not JSON fails its own request only", async () => {
  const extra = lines("--b", "Content-Type: application/http", "", "HTTP/1.1 204 No Content", "", "", "--b", "Content-Type: application/http", "", "HTTP/1.1 204 No Content", "", "", "--b--");
  const c = client();
  const one = c.batch();
  one.delete(c.collection("Books").key(1));
  await assert.rejects(one.readAnswer({ contentType: "multipart/mixed; boundary=b", body: extra }), /more than 1 responses for 1 requests/);

  const reader = c.batch();
  const unreadable = reader.get(c.collection("Books").key(1));
  const deleted = reader.delete(c.collection("Books").key(2));
  const notJson = lines(answerPart("200 OK", ["Content-Type: application/json"], "{oops"), answerPart("204 No Content", [], ""), "--b--");
  const results = await reader.readAnswer({ contentType: "multipart/mixed; boundary=b", body: notJson });
  const failed = unreadable.result();
  assert.ok(!failed.ok && failed.status === 200 && failed.error.code === "BAD_PAYLOAD", String(failed.ok || failed.error));
  assert.match(failed.error.message, /^response to request 1 \(GET Books\(1\)\): the body is not JSON/);
  assert.deepEqual([deleted.result().ok, deleted.result().status], [true, 204]);
  assert.deepEqual([results.ok, results.length], [false, 2]);
  const third = c.batch();
  third.get(c.collection("Books").key(1));
  await assert.rejects(
    third.readAnswer({ contentType: "text/html", body: "<html></html>" }),
    (error: unknown) => error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE",
  );
});

test("a JSON batch answer is mapped by id whatever its order; a failed atomicity group fails every member", async () => {
  const { batch, read, book, review, removed } = sampleBatch("json");
  const body = JSON.stringify({
    responses: [
      { id: "4", status: 204 },
      { id: "3", status: 424, atomicityGroup: "g1", body: { error: { code: "424", message: "dependency failed" } } },
      { id: "1", status: 200, headers: { "content-type": "application/json", etag: 'W/"1"' }, body: { ID: 1, title: "Pride and Prejudice" } },
      { id: "2", status: 201, atomicityGroup: "g1", body: { ID: 900, title: "New" } },
    ],
  });
  const results = await batch.readAnswer({ contentType: "application/json; charset=utf-8", body });
  const first = read.result();
  assert.ok(first.ok && first.value.title === "Pride and Prejudice");
  for (const handle of [book, review]) {
    const result = handle.result();
    assert.equal(result.ok, false);
    assert.equal(result.status, 424);
  }
  assert.equal(removed.result().ok, true);
  assert.deepEqual(
    results.map((result) => result.status),
    [200, 424, 424, 204],
  );
});

test("a JSON batch answer that is no JSON or has no responses array rejects with BAD_BATCH_RESPONSE", async () => {
  // Only an answer that cannot be split into its responses rejects as a whole (README "$batch").
  // An unknown, duplicate or missing id used to reject it too, losing the answers to writes that
  // ran; it now fails only the requests it may stand for (the next test).
  const bodies = [JSON.stringify({ value: [] }), "not json"];
  for (const body of bodies) {
    const c = client();
    const batch = c.batch({ format: "json" });
    batch.delete(c.collection("Books").key(1));
    await assert.rejects(
      batch.readAnswer({ contentType: "application/json", body }),
      (error: unknown) => error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE",
      body,
    );
  }
  assert.equal(readJsonBatch(JSON.stringify({ responses: [{ id: 1, status: 200, body: "x", headers: { "content-type": "text/plain" } }] }))[0]?.message?.body, "x");
});

test("a JSON batch response with an unknown, duplicate, missing or malformed id fails only the requests without an answer, naming it", async () => {
  const bodies: [string, RegExp][] = [
    [JSON.stringify({ responses: [{ id: "2", status: 204 }, { id: "9", status: 200 }] }), /the id "9", which no request has/],
    [JSON.stringify({ responses: [{ id: "2", status: 204 }, { id: "1", status: 200 }, { id: "1", status: 200 }] }), /two responses have its id "1"/],
    // Without an id, a response that cannot be read cannot be matched to any request either.
    [JSON.stringify({ responses: [{ id: "2", status: 204 }, { status: "200" }] }), /response 2 has no id/],
    [JSON.stringify({ responses: [{ id: "2", status: 204 }, { id: {}, status: 200 }] }), /response 2 has an id that is not a string/],
  ];
  for (const [body, why] of bodies) {
    const c = client();
    const batch = c.batch({ format: "json" });
    const first = batch.delete(c.collection("Books").key(1));
    const second = batch.delete(c.collection("Books").key(2));
    // A third, so that the answer of three responses (an id twice) is no more than the requests:
    // one with more is refused whole (test/batch-json-surplus-responses.test.ts).
    batch.delete(c.collection("Books").key(3));
    await batch.readAnswer({ contentType: "application/json", body });
    const one = first.result();
    assert.equal(one.ok, false, body);
    assert.equal(!one.ok && one.error.code, "BAD_BATCH_RESPONSE", body);
    assert.match(!one.ok ? one.error.message : "", why, body);
    assert.equal(second.result().ok && second.result().status, 204, body);
  }
});

test("a v2 page part answered in Atom is read as page() alone reads it: the entries, the count and the next link", async () => {
  const c = client("2.0");
  const books = c.collection<Book>("Books");
  const batch = c.batch();
  const page = batch.page(books.count());
  const feed = [
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices">',
    "<m:count>23</m:count>",
    '<entry><id>https://host/odata/v2/catalog/Books(1)</id><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">1</d:ID><d:title>One</d:title></m:properties></content></entry>',
    '<link rel="next" href="https://host/odata/v2/catalog/Books?$skiptoken=1"/>',
    "</feed>",
  ].join("");
  await batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body: lines(answerPart("200 OK", ["Content-Type: application/atom+xml;type=feed"], feed), "--b--") });
  const result = page.result();
  assert.ok(result.ok, String(!result.ok && result.error));
  assert.deepEqual(
    [result.value.value.map((book) => [book.ID, book.title]), result.value.count, result.value.nextLink],
    [[[1, "One"]], 23, "https://host/odata/v2/catalog/Books?$skiptoken=1"],
  );
});

test("a v2 answer is unwrapped: d removed from entities, d.results and __count read as a page", async () => {
  const c = client("2.0");
  const batch = c.batch();
  const one = batch.get(c.collection<Book>("Books").key(1));
  const page = batch.page(c.collection<Book>("Books").count());
  const body = lines(
    "--b",
    "Content-Type: application/http",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json",
    "",
    '{"d":{"__metadata":{"uri":"Books(1)"},"ID":1,"title":"A","published":"/Date(0)/"}}',
    "--b",
    "Content-Type: application/http",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json",
    "",
    '{"d":{"results":[{"ID":1},{"ID":2}],"__count":"23","__next":"https://host/odata/v2/catalog/Books?$skiptoken=2"}}',
    "--b--",
  );
  await batch.readAnswer({ contentType: "multipart/mixed; boundary=b", body });
  const entity = one.result();
  assert.ok(entity.ok);
  assert.equal(entity.value.title, "A");
  assert.equal((entity.value as unknown as { published: string }).published, "1970-01-01T00:00:00Z");
  const read = page.result();
  assert.ok(read.ok);
  assert.deepEqual(read.value, { value: [{ ID: 1 }, { ID: 2 }], count: 23, nextLink: "https://host/odata/v2/catalog/Books?$skiptoken=2" });
});

test("handles are typed: get gives BatchResult<T>, create T | undefined, page Page<T>, count number", () => {
  const c = client();
  const batch = c.batch();
  const books = c.collection<Book>("Books");
  const get = batch.get(books.key(1));
  const created = batch.create(books, { ID: 1, title: "x" });
  const page = batch.page(books);
  const count = batch.count(books);
  const typed: [() => BatchResult<Book>, () => BatchResult<Book | undefined>, () => BatchResult<{ value: Book[] }>, () => BatchResult<number>] = [
    () => get.result(),
    () => created.result(),
    () => page.result(),
    () => count.result(),
  ];
  // @ts-expect-error a navigation that Book does not have
  assert.throws(() => created.navigation("nope!"), TypeError);
  assert.equal(typed.length, 4);
  assert.throws(() => get.result(), (error: unknown) => error instanceof ODataClientError && error.code === "BATCH_NOT_SENT");
});

test("a batch once sent (or turned into a request) takes no more requests; a query of another client is refused", async () => {
  const c = client();
  const batch = c.batch();
  batch.get(c.collection("Books").key(1));
  const written = batch.toRequest();
  // Sealed at the call, before the promise settles.
  assert.throws(() => batch.get(c.collection("Books").key(2)), (error: unknown) => error instanceof ODataClientError && error.code === "BATCH_SENT");
  await written;
  const other = client();
  assert.throws(() => c.batch().get(other.collection("Books").key(1)), /another client/);
  await assert.rejects(c.batch().toRequest(), /holds no requests/);
});

test("writeMultipartBatch refuses an invalid boundary; sniffBoundary finds the delimiter of a body whose content type was lost", () => {
  assert.throws(() => writeMultipartBatch([], "bad boundary\r\n", () => "c"), TypeError);
  assert.equal(sniffBoundary(capLikeAnswer()), "batch_r");
  assert.equal(sniffBoundary("no parts"), undefined);
});

test("handle.ref() addresses the entity a request created as $<Content-ID> for later writes, with dependsOn in JSON", async () => {
  const c = client();
  for (const format of ["multipart", "json"] as const) {
    const batch = c.batch({ format, boundaries: fixed });
    batch.changeset((cs) => {
      const book = cs.create(c.collection<Book>("Books"), { ID: 5, title: "Draft" });
      cs.update(book.ref(), { title: "Final" }, { etag: false });
      cs.delete(book.ref(), { ifMatch: "*" });
    });
    const { body } = await batch.toRequest();
    if (format === "multipart") {
      assert.match(body, /\r\nContent-ID: 2\r\n\r\nPATCH \$1 HTTP\/1\.1\r\n/);
      assert.match(body, /\r\nContent-ID: 3\r\n\r\nDELETE \$1 HTTP\/1\.1\r\n[^]*?if-match: \*\r\n/);
    } else {
      const requests = (JSON.parse(body) as { requests: { url: string; method: string; dependsOn?: string[] }[] }).requests;
      assert.deepEqual(
        requests.map(({ method, url, dependsOn }) => [method, url, dependsOn]),
        [
          ["POST", "Books", undefined],
          ["PATCH", "$1", ["1"]],
          ["DELETE", "$1", ["1"]],
        ],
      );
    }
  }
});

test("a write is built when the batch is written or sent: its bad entity rejects toRequest() and send() with the error it throws alone, and nothing is sent", async (t) => {
  const server = await startServer((_request, res) => sendText(res, 500, "unexpected"));
  t.after(() => server.close());
  const c = new ODataClient({ serviceUrl: server.url("svc/") });
  const books = c.collection<Book>("Books");
  const alone = await rejectionOf(books.create(42 as unknown as Book));
  const batch = c.batch();
  batch.get(books.key(1));
  const handle = batch.create(books, 42 as unknown as Book);
  assert.equal(handle.index, 1);
  for (const attempt of [() => batch.toRequest(), () => batch.send()]) {
    const error = await rejectionOf(attempt());
    assert.ok(error instanceof TypeError && alone instanceof TypeError, `${String(error)}`);
    assert.equal(error.message, alone.message);
  }
  assert.deepEqual(server.requests, []);
});

test("a write is built when the batch is sent: a change made to the entity after batch.create() is what goes on the wire", async (t) => {
  const server = await startServer((_request, res) => {
    const body = lines("--r", "Content-Type: application/http", "", "HTTP/1.1 201 Created", "Content-Type: application/json", "", '{"ID":7,"title":"after"}', "--r--", "");
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=r" });
    res.end(body);
  });
  t.after(() => server.close());
  const c = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const entity: Book = { ID: 7, title: "before" };
  const batch = c.batch();
  const handle = batch.create(c.collection<Book>("Books"), entity);
  entity.title = "after";
  entity.stock = 3;
  await batch.send();
  assert.equal(server.requests.length, 1);
  const sent = server.requests[0]?.body ?? "";
  assert.match(sent, /\r\nPOST Books HTTP\/1\.1\r\n[^]*\r\n\r\n\{"ID":7,"title":"after","stock":3\}\r\n/);
  assert.ok(!sent.includes("before"), sent);
  const result = handle.result();
  assert.ok(result.ok);
  assert.deepEqual(result.value, { ID: 7, title: "after" });
});

test("a bad option of a queued write (update with etag: 42) rejects toRequest() and send() with the TypeError the write throws alone, and nothing is sent", async (t) => {
  const server = await startServer((_request, res) => sendText(res, 500, "unexpected"));
  t.after(() => server.close());
  const c = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const book = c.collection<Book>("Books").key(1);
  const badOptions = { etag: 42 } as unknown as { etag: string };
  const alone = await rejectionOf(book.update({ title: "x" }, badOptions));
  assert.ok(alone instanceof TypeError, String(alone));
  assert.match(alone.message, /option "etag" must be an ETag string, an entity read earlier, or false; got 42/);
  const batch = c.batch();
  batch.update(book, { title: "x" }, badOptions);
  for (const [name, attempt] of [["toRequest()", () => batch.toRequest()], ["send()", () => batch.send()]] as const) {
    const error = await rejectionOf(attempt());
    assert.ok(error instanceof TypeError, `${name}: ${String(error)}`);
    assert.equal(error.message, alone.message, name);
  }
  assert.deepEqual(server.requests, []);
});


test("a $count part reads as countAll() reads a count: digits beyond 2^53 are no count (BAD_PAYLOAD naming the part, in its result), not a rounded number", async (t) => {
  const huge = "12345678901234567890";
  const server = await startServer((_request, res) => {
    const part = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n${huge}`;
    sendText(res, 200, `--b0\r\nContent-Type: application/http\r\n\r\n${part}\r\n--b0--\r\n`, { "content-type": "multipart/mixed; boundary=b0" });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/") });
  const batch = client.batch();
  const count = batch.count(client.collection("Books"));
  await batch.send();
  const result = count.result();
  assert.ok(!result.ok && result.status === 200);
  assert.equal(result.error.code, "BAD_PAYLOAD");
  assert.match(result.error.message, new RegExp(`^response to request 1 \\(GET Books/\\$count\\).*"${huge}" is not a count`));
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["POST /svc/$batch"]);
});

test("the README's $batch example sends the navigation create to the Content-ID its comment names", async () => {
  // The example as the README writes it (its section "$batch"), against the request it makes.
  const readme = (await import("node:fs")).readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const said = /cs\.create\(author\.navigation\("books"\), \{ ID: 900, title: "Ann's first" \}\); \/\/ POST (\$\d+\/books)/.exec(readme)?.[1];
  assert.ok(said, "the README's example names the request it sends");
  const c = client();
  const books = c.collection("Books");
  const batch = c.batch();
  batch.get(books.key(1).select("ID", "title"));
  batch.page(books.filter((f) => f.lt("price", 15)).top(3));
  batch.changeset((cs) => {
    const author = cs.create(c.collection("Authors"), { ID: "ann", name: "Ann" });
    cs.create(author.navigation("books"), { ID: 900, title: "Ann's first" });
  });
  const { body } = await batch.toRequest();
  assert.match(body, new RegExp(`^POST \\${said} HTTP/1\\.1\\r$`, "m"));
});
