/**
 * A PUT or DELETE that the retry step sends again after its first attempt took effect at the
 * service (the connection dropped after the service applied it, a gateway answered 504 after the
 * backend applied it) is refused by its own effect: a 412 for the ETag it changed, a 404 for the
 * entity it deleted. Its error says that an earlier attempt (named with what it met) may already
 * have applied the write, not "read it again and reapply the change". Against node:http on
 * 127.0.0.1: the requests sent and the messages that came back.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";

/** How an exchange the service applied ends for the client; a 429 turns the request away unapplied. */
type End = "reset" | 504 | 429;

/**
 * A service of one entity, `Books(1)` (with ETag `W/"1"`, or missing where `exists` is false),
 * guarded by its ETag: it applies every PUT and DELETE whose preconditions hold, and ends the
 * exchanges of the first ones as `ends` says, in order, after applying them (the rest are answered
 * 204). A 429 turns the request away instead, unapplied, and someone else changes the entity.
 */
async function bookService(t: { after(fn: () => Promise<void>): void }, ends: End[], exists = true): Promise<RecordingServer> {
  let etag: string | undefined = exists ? 'W/"1"' : undefined;
  const server = await startServer((request, res, req) => {
    const ifMatch = request.headers["if-match"];
    const ifNoneMatch = request.headers["if-none-match"];
    const refuse = (status: number) => sendJson(res, status, { error: { code: String(status), message: status === 404 ? "Not Found" : "Precondition Failed" } });
    if (etag === undefined && request.method === "DELETE" && ifMatch === undefined) return refuse(404);
    if (ifMatch !== undefined && (etag === undefined || (ifMatch !== "*" && ifMatch !== etag))) return refuse(412);
    if (ifNoneMatch === "*" && etag !== undefined) return refuse(412);
    if (ends[0] === 429) {
      ends.shift();
      etag = 'W/"changed elsewhere"';
      return sendJson(res, 429, { error: { code: "429", message: "Too Many Requests" } });
    }
    etag = request.method === "DELETE" ? undefined : `W/"${server.requests.length + 1}"`;
    const end = ends.shift();
    if (end === "reset") {
      req.socket.destroy();
      return;
    }
    if (end === 504) return sendJson(res, 504, { error: { code: "504", message: "Gateway Timeout" } });
    if (etag === undefined) {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(204, { etag });
      res.end();
    }
  });
  t.after(() => server.close());
  return server;
}

function clientOf(server: RecordingServer): ODataClient {
  return new ODataClient({ serviceUrl: server.url("svc/"), retry: { retries: 2, delay: 1, maxDelay: 5 } });
}


const sent = (requests: RecordedRequest[]) => requests.map((r) => [r.method, r.path, r.headers["if-match"], r.headers["if-none-match"], r.body]);

const BODY = '{"ID":1,"title":"New"}';
const CHANGED = "(precondition failed: the entity changed since it was read (its ETag no longer matches If-Match); read it again and reapply the change)";

describe("a retried write refused by what its earlier attempt did", () => {
  test("replace() with an ETag whose first attempt was applied and lost to a dropped connection: its 412 says attempt 1 may have applied it", async (t) => {
    const server = await bookService(t, ["reset"]);
    const error = await httpError(clientOf(server).collection("Books").key(1).replace({ "@odata.etag": 'W/"1"', ID: 1, title: "New" }));
    assert.equal(error.status, 412);
    assert.equal(error.code, "HTTP_ERROR");
    assert.match(
      error.message,
      /\[412\]: Precondition Failed \(precondition failed: the ETag no longer matches If-Match, but this answer is to attempt 2 of the request, and attempt 1 \(failed before an answer arrived: [^)]+(\([^)]*\))?\) may already have applied the write, so the entity may be as this write left it: read it to know\)$/,
    );
    assert.doesNotMatch(error.message, /reapply/);
    assert.deepEqual(sent(server.requests), [
      ["PUT", "/svc/Books(1)", 'W/"1"', undefined, BODY],
      ["PUT", "/svc/Books(1)", 'W/"1"', undefined, BODY],
    ]);
  });

  test("delete() with an ETag whose first attempt a gateway answered 504 after the backend deleted: its 412 says attempt 1 may have deleted the entity; a first attempt's 412 keeps its explanation", async (t) => {
    const server = await bookService(t, [504]);
    const book = clientOf(server).collection("Books").key(1);
    const stale = await httpError(book.delete({ etag: 'W/"0"' }));
    assert.ok(stale.message.endsWith(`[412]: Precondition Failed ${CHANGED}`), stale.message);
    const error = await httpError(book.delete({ etag: 'W/"1"' }));
    assert.equal(error.status, 412);
    assert.ok(
      error.message.endsWith(
        "[412]: Precondition Failed (precondition failed: the ETag no longer matches If-Match, but this answer is to attempt 2 of the request, and attempt 1 (answered HTTP 504) may already have deleted the entity: read it to know)",
      ),
      error.message,
    );
    assert.deepEqual(sent(server.requests), [
      ["DELETE", "/svc/Books(1)", 'W/"0"', undefined, ""],
      ["DELETE", "/svc/Books(1)", 'W/"1"', undefined, ""],
      ["DELETE", "/svc/Books(1)", 'W/"1"', undefined, ""],
    ]);
  });

  test("delete() without an ETag answered 404 on its retry after a 504: the error says attempt 1 may have deleted the entity", async (t) => {
    const server = await bookService(t, [504]);
    const error = await httpError(clientOf(server).collection("Books").key(1).delete({ etag: false }));
    assert.equal(error.status, 404);
    assert.ok(
      error.message.endsWith(
        "[404]: Not Found (not found, but this answer is to attempt 2 of the request, and attempt 1 (answered HTTP 504) may already have deleted the entity: read it to know)",
      ),
      error.message,
    );
    assert.deepEqual(sent(server.requests), [
      ["DELETE", "/svc/Books(1)", undefined, undefined, ""],
      ["DELETE", "/svc/Books(1)", undefined, undefined, ""],
    ]);
  });

  test("delete() with If-Match: * answered 412 (no such entity) on its retry after a dropped connection says attempt 1 may have deleted it", async (t) => {
    const server = await bookService(t, ["reset"]);
    const error = await httpError(clientOf(server).collection("Books").key(1).delete({ ifMatch: "*" }));
    assert.equal(error.status, 412);
    assert.match(error.message, /\(precondition failed: there is no such entity, but this answer is to attempt 2 of the request, and attempt 1 \(failed before an answer arrived: .*\) may already have deleted the entity: read it to know\)$/);
    assert.deepEqual(sent(server.requests), [
      ["DELETE", "/svc/Books(1)", "*", undefined, ""],
      ["DELETE", "/svc/Books(1)", "*", undefined, ""],
    ]);
  });

  test("an insert-only upsert (PUT, If-None-Match: *) answered 412 on its retry after a 504 says attempt 1 may have inserted the entity", async (t) => {
    const server = await bookService(t, [504], false);
    const error = await httpError(clientOf(server).collection("Books").key(1).upsert({ ID: 1, title: "New" }, { replace: true, ifNoneMatch: "*" }));
    assert.equal(error.status, 412);
    assert.ok(
      error.message.endsWith(
        "(precondition failed: the entity exists, but this answer is to attempt 2 of the request, and attempt 1 (answered HTTP 504) may already have inserted the entity: read it to know)",
      ),
      error.message,
    );
    assert.deepEqual(sent(server.requests), [
      ["PUT", "/svc/Books(1)", undefined, "*", BODY],
      ["PUT", "/svc/Books(1)", undefined, "*", BODY],
    ]);
  });

  test("a retry after a 429 alone (turned away, not applied) keeps the explanation of a changed entity; after a 429 and then a 504 the error names attempt 2 alone", async (t) => {
    const server = await bookService(t, [429, 429, 504]);
    const book = clientOf(server).collection("Books").key(1);
    const replaced = await httpError(book.replace({ ID: 1, title: "New" }, { etag: 'W/"1"' }));
    assert.equal(replaced.status, 412);
    assert.ok(replaced.message.endsWith(`[412]: Precondition Failed ${CHANGED}`), replaced.message);
    const deleted = await httpError(book.delete({ etag: 'W/"changed elsewhere"' }));
    assert.ok(
      deleted.message.endsWith(
        "(precondition failed: the ETag no longer matches If-Match, but this answer is to attempt 3 of the request, and attempt 2 (answered HTTP 504) may already have deleted the entity: read it to know)",
      ),
      deleted.message,
    );
    assert.deepEqual(sent(server.requests), [
      ["PUT", "/svc/Books(1)", 'W/"1"', undefined, BODY],
      ["PUT", "/svc/Books(1)", 'W/"1"', undefined, BODY],
      ["DELETE", "/svc/Books(1)", 'W/"changed elsewhere"', undefined, ""],
      ["DELETE", "/svc/Books(1)", 'W/"changed elsewhere"', undefined, ""],
      ["DELETE", "/svc/Books(1)", 'W/"changed elsewhere"', undefined, ""],
    ]);
  });
});
