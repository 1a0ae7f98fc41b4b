/**
 * The advice of a 428 Precondition Required fits the method that was refused: `update()`,
 * `replace()` and `delete()` take `{ etag }` and `{ ifMatch }`; `upsert()` sends no `If-Match`, since
 * with one it is an update; `create()`, `createMedia()`, `link()`, `setLink()` and `unlink()` have
 * no option for it and take the header in `headers`. Against node:http on 127.0.0.1 (the requests
 * sent, the messages) and against SAP CAP, which refuses an upsert of a book (ETag-guarded) with 428.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";
import { httpError as anyHttpError } from "./http-error.js";

const REQUIRED = "(precondition required: the service wants If-Match for this write; ";
const OPTIONS_ADVICE = 'pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there)';
const HEADER = '{ headers: { "If-Match": "<ETag>" } }';
const UPSERT_ADVICE = `upsert() sends none, since with one it is no longer an upsert but an update: change an entity that exists with replace() or update() and { etag } (the entity read earlier or its ETag) or { ifMatch: "*" }, or pass ${HEADER})`;

/** Answers 428 to every request without `If-Match`, 204 (201 with an entity, for a POST to a collection) to one with it. */
async function requiringService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.headers["if-match"] === undefined) return sendJson(res, 428, { error: { code: "428", message: "Precondition Required" } });
    if (request.method === "POST" && !request.path.endsWith("$ref")) return sendJson(res, 201, { ID: 7 });
    res.writeHead(204);
    res.end();
  });
  t.after(() => server.close());
  return server;
}

async function httpError(promise: Promise<unknown>): Promise<ODataHttpError> {
  const error = await anyHttpError(promise);
  assert.equal(error.status, 428);
  return error;
}

describe("a write answered 428 Precondition Required", () => {
  test("create() on a navigation path, createMedia(), link(), setLink() and unlink() name headers, the one way they send If-Match", async (t) => {
    const server = await requiringService(t);
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const book = client.collection("Books").key(1);
    const review = client.collection("Reviews").key(5);
    const refusals = [
      ["create()", await httpError(book.navigate("reviews").create({ ID: 1 }))],
      ["createMedia()", await httpError(client.collection("Photos").createMedia("png", { contentType: "image/png" }))],
      ["link()", await httpError(book.link("reviews", review))],
      ["setLink()", await httpError(book.setLink("author", client.collection("Authors").key(2)))],
      ["unlink()", await httpError(book.unlink("reviews", review))],
    ] as const;
    for (const [method, error] of refusals) {
      assert.ok(error.message.endsWith(`[428]: Precondition Required ${REQUIRED}${method} has no option for it: pass ${HEADER})`), error.message);
    }
    // The advice works: create() with the header sends it.
    assert.deepEqual(await book.navigate("reviews").create({ ID: 1 }, { headers: { "If-Match": 'W/"1"' } }), { ID: 7 });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["if-match"]]),
      [
        ["POST", "/svc/Books(1)/reviews", undefined],
        ["POST", "/svc/Photos", undefined],
        ["POST", "/svc/Books(1)/reviews/$ref", undefined],
        ["PUT", "/svc/Books(1)/author/$ref", undefined],
        ["DELETE", `/svc/Books(1)/reviews/$ref?$id=${server.url("svc/Reviews(5)")}`, undefined],
        ["POST", "/svc/Books(1)/reviews", 'W/"1"'],
      ],
    );
  });

  test("upsert() (PATCH, and PUT with replace) says that it sends no If-Match and names replace() or update() with { etag }; update() and delete() keep the advice of their options", async (t) => {
    const server = await requiringService(t);
    const book = new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).collection("Books").key(1);
    const patched = await httpError(book.upsert({ ID: 1, title: "T" }));
    assert.ok(patched.message.endsWith(`[428]: Precondition Required ${REQUIRED}${UPSERT_ADVICE}`), patched.message);
    const put = await httpError(book.upsert({ ID: 1, title: "T" }, { replace: true }));
    assert.ok(put.message.endsWith(`${REQUIRED}${UPSERT_ADVICE}`), put.message);
    const updated = await httpError(book.update({ title: "T" }));
    assert.ok(updated.message.endsWith(`${REQUIRED}${OPTIONS_ADVICE}`), updated.message);
    const deleted = await httpError(book.delete());
    assert.ok(deleted.message.endsWith(`${REQUIRED}${OPTIONS_ADVICE}`), deleted.message);
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["if-match"], r.body]),
      [
        ["PATCH", "/svc/Books(1)", undefined, '{"ID":1,"title":"T"}'],
        ["PUT", "/svc/Books(1)", undefined, '{"ID":1,"title":"T"}'],
        ["PATCH", "/svc/Books(1)", undefined, '{"title":"T"}'],
        ["DELETE", "/svc/Books(1)", undefined, ""],
      ],
    );
  });
});

describe("SAP CAP: an upsert of an ETag-guarded entity", () => {
  const cap = useCap();

  test("upsert() of a book is refused with 428, whether the book exists or not; the advice (update() with { etag }) writes it", async () => {
    const client = new ODataClient({ serviceUrl: cap.v4, retry: false });
    const books = client.collection<Book>("Books");
    const existing = await httpError(books.key(1).upsert({ ID: 1, title: "Upserted" }, { replace: true }));
    assert.ok(existing.message.endsWith(`${REQUIRED}${UPSERT_ADVICE}`), existing.message);
    const missing = await httpError(books.key(9001).upsert({ ID: 9001, title: "New" }));
    assert.ok(missing.message.endsWith(`${REQUIRED}${UPSERT_ADVICE}`), missing.message);
    const book = await books.key(1).get();
    await books.key(1).update({ title: "Updated" }, { etag: book });
    assert.equal((await books.key(1).get()).title, "Updated");
  });
});
