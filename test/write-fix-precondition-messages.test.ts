/**
 * The explanation of a 412 or 428 on every write that carries (or should carry) `If-Match`, not
 * on `update()` alone: an action's `invoke()` and `invokeAsync()`, and a `$batch` part whose own
 * answer it is. Against node:http on 127.0.0.1 (asserting the `If-Match` sent and the message that
 * came back) and against SAP CAP, whose bound action `order` requires the ETag of its book.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";
import { httpError } from "./http-error.js";

const CHANGED = "(precondition failed: the entity changed since it was read (its ETag no longer matches If-Match); read it again and reapply the change)";
const NO_SUCH = "(precondition failed: there is no such entity (If-Match: * asked to write only an entity that exists))";
const REQUIRED = '(precondition required: the service wants If-Match for this write; pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there)';

/** Answers 412 to a request with `If-Match`, 428 to one without. */
async function preconditionServer(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const status = request.headers["if-match"] === undefined ? 428 : 412;
    sendJson(res, status, { error: { code: String(status), message: "Precondition" } });
  });
  t.after(() => server.close());
  return server;
}


describe("an action answered 412 or 428", () => {
  test("invoke() with { etag } answered 412, and without answered 428, says what the precondition meant; a function's (GET) 428 gets no write's explanation", async (t) => {
    const server = await preconditionServer(t);
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const book = client.collection("Books").key(1);
    const stale = await httpError(book.action("NS.order").invoke({ quantity: 1 }, { etag: 'W/"1"' }));
    assert.equal(stale.status, 412);
    assert.equal(stale.code, "HTTP_ERROR");
    assert.ok(stale.message.endsWith(`[412]: Precondition ${CHANGED}`), stale.message);
    const missing = await httpError(book.action("NS.order").invoke({ quantity: 1 }));
    assert.equal(missing.status, 428);
    assert.ok(missing.message.endsWith(`[428]: Precondition ${REQUIRED}`), missing.message);
    const read = await httpError(client.function("Count").get());
    assert.equal(read.status, 428);
    assert.ok(read.message.endsWith("[428]: Precondition"), read.message);
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["if-match"], r.body]),
      [
        ["POST", "/svc/Books(1)/NS.order", 'W/"1"', '{"quantity":1}'],
        ["POST", "/svc/Books(1)/NS.order", undefined, '{"quantity":1}'],
        ["GET", "/svc/Count()", undefined, ""],
      ],
    );
  });

  test("invokeAsync() with { ifMatch: '*' } answered 412 says there is no such entity", async (t) => {
    const server = await preconditionServer(t);
    const book = new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).collection("Books").key(1);
    const error = await httpError(book.action("NS.order").invokeAsync({ quantity: 1 }, { ifMatch: "*" }));
    assert.equal(error.status, 412);
    assert.ok(error.message.endsWith(`[412]: Precondition ${NO_SUCH}`), error.message);
    const sent = server.requests[0];
    assert.equal(sent?.headers["if-match"], "*");
    assert.equal(sent?.headers["prefer"], "respond-async");
  });
});

describe("a $batch part answered 412", () => {
  test("an update, a bound action and a raw request with If-Match explain their own 412; a GET part's stays bare", async (t) => {
    const failed = (status: number, reason: string) =>
      `--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"${status}","message":"Precondition"}}\r\n`;
    const server = await startServer((_request, res) => {
      res.writeHead(200, { "content-type": "multipart/mixed; boundary=b" });
      res.end(`${failed(412, "Precondition Failed").repeat(4)}--b--\r\n`);
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const books = client.collection("Books");
    const batch = client.batch();
    const update = batch.update(books.key(1), { stock: 1 }, { etag: 'W/"1"' });
    const action = batch.action("NS.order", { quantity: 1 }, { bound: books.key(2), etag: 'W/"2"' });
    const raw = batch.request({ method: "DELETE", url: "Books(3)", headers: { "If-Match": "*" } });
    const read = batch.get(books.key(4));
    await batch.send();
    const messages = [update, action, raw, read].map((handle) => {
      const result = handle.result();
      assert.ok(!result.ok && result.status === 412, JSON.stringify(result));
      return result.error.message;
    });
    assert.ok(messages[0]?.endsWith(`[412]: Precondition ${CHANGED}`), messages[0]);
    assert.ok(messages[1]?.endsWith(`[412]: Precondition ${CHANGED}`), messages[1]);
    assert.ok(messages[2]?.endsWith(`[412]: Precondition ${NO_SUCH}`), messages[2]);
    assert.ok(messages[3]?.endsWith("[412]: Precondition"), messages[3]);
    const body = server.requests[0]?.body ?? "";
    assert.match(body, /PATCH Books\(1\) HTTP\/1\.1\r\n(?:[^\r\n]+\r\n)*if-match: W\/"1"\r\n/i);
    assert.match(body, /POST Books\(2\)\/NS\.order HTTP\/1\.1\r\n(?:[^\r\n]+\r\n)*if-match: W\/"2"\r\n/i);
    assert.match(body, /DELETE Books\(3\) HTTP\/1\.1\r\n(?:[^\r\n]+\r\n)*if-match: \*\r\n/i);
  });
});

describe("SAP CAP: the bound action order() on a book with an ETag", () => {
  const cap = useCap();

  test("a stale ETag's 412 and a missing ETag's 428 say what they mean; the current ETag orders", async () => {
    const sent: Array<[string, string, string | null]> = [];
    const recording: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      sent.push([request.method, new URL(request.url).pathname, request.headers.get("if-match")]);
      return fetch(input, init);
    };
    const books = new ODataClient({ serviceUrl: cap.v4, retry: false, fetch: recording }).collection<Book>("Books");
    const book = await books.key(2).get();
    const ordered = await books.key(2).action<{ stock: number }>("CatalogService.order").invoke({ quantity: 1 }, { etag: book });
    assert.equal(ordered.stock, (book.stock as number) - 1);
    const stale = await httpError(books.key(2).action("CatalogService.order").invoke({ quantity: 1 }, { etag: book }));
    assert.equal(stale.status, 412);
    assert.ok(stale.message.endsWith(CHANGED), stale.message);
    const missing = await httpError(books.key(2).action("CatalogService.order").invoke({ quantity: 1 }));
    assert.equal(missing.status, 428);
    assert.ok(missing.message.endsWith(REQUIRED), missing.message);
    const etag = book["@odata.etag"] as string;
    assert.ok(etag);
    const path = new URL(`${cap.v4}Books(2)/CatalogService.order`).pathname;
    assert.deepEqual(sent.slice(1), [
      ["POST", path, etag],
      ["POST", path, etag],
      ["POST", path, null],
    ]);
  });
});

describe("an entity write started with ...Async() answered 412 or 428", () => {
  test("updateAsync() with { etag } answered 412 and deleteAsync() without answered 428 say what the precondition meant, as update() and delete() do", async (t) => {
    const server = await preconditionServer(t);
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const books = client.collection<{ ID: number; title?: string }>("Books");
    const stale = await httpError(books.key(1).updateAsync({ title: "t" }, { etag: 'W/"1"' }));
    assert.equal(stale.status, 412);
    assert.ok(stale.message.endsWith(`[412]: Precondition ${CHANGED}`), stale.message);
    const missing = await httpError(books.key(1).deleteAsync());
    assert.equal(missing.status, 428);
    assert.ok(missing.message.endsWith(`[428]: Precondition ${REQUIRED}`), missing.message);
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["if-match"], r.headers.prefer]),
      [
        ["PATCH", "/svc/Books(1)", 'W/"1"', "respond-async"],
        ["DELETE", "/svc/Books(1)", undefined, "respond-async"],
      ],
    );
  });
});
