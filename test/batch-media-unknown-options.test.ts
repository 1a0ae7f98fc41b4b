/**
 * An option that a `$batch` builder method or a media method does not take, as a JavaScript caller
 * may pass one (a typo, an option of another method), is refused with the TypeError a write sent
 * alone gives (test/write-unknown-options.test.ts): naming the option and the method, listing what
 * the method takes. A batch part's is refused when the batch is sent or written (`send()`,
 * `sendAsync()`, `toRequest()`), as a part's `timeout` is, for every builder method of the batch
 * and of a changeset (`get()`, `page()` and `count()` take none; a `request()`'s request takes its
 * four members); a media read's or `put()`'s rejects the call. Nothing is sent. A member given as
 * `undefined` is let through, and every option a method takes still goes. Against node:http
 * services on 127.0.0.1.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type Batch, type BatchOperationOptions, type BatchRawRequest } from "../src/index.js";
import type { PartOptionNames } from "../src/batch/plan.js";
import { json, serve } from "./batch-server.js";
import { serveClient } from "./servers/recording-server.js";

// The names plan.ts refuses others than, for the options declared with the builder, are those of
// their types, no more and no fewer: checked by the compiler (plan.ts cannot import these types).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const held: [
  Same<keyof PartOptionNames["action"], keyof BatchOperationOptions>,
  Same<keyof PartOptionNames["function"], Exclude<keyof BatchOperationOptions, "etag">>,
  Same<keyof PartOptionNames["request"], keyof BatchRawRequest>,
] = [true, true, true];
void held;

/** A part added with an option its method does not take; `takes` is the whole list it names. */
type Refused = [method: string, option: string, add: (batch: Batch, client: ODataClient) => unknown, takes: string];

const WRITE = "headers, tunnel";
// get(), page() and count() have no options parameter: a JavaScript caller passes a second argument.
const refused: Refused[] = [
  ["get(query)", "headers", (b, c) => Reflect.apply(b.get, b, [c.collection("Books").key(1), { headers: { "x-a": "1" } }]), "none"],
  ["page(query)", "maxPageSize", (b, c) => Reflect.apply(b.page, b, [c.collection("Books"), { maxPageSize: 5 }]), "none"],
  ["count(query)", "top", (b, c) => Reflect.apply(b.count, b, [c.collection("Books"), { top: 5 }]), "none"],
  ["create(entity)", "etag", (b, c) => b.create(c.collection("Books"), { ID: 1 }, { etag: 'W/"1"' } as never), `${WRITE}, deep, prefer`],
  ["update(patch)", "replace", (b, c) => b.update(c.collection("Books").key(1), { title: "t" }, { replace: true } as never), `${WRITE}, etag, ifMatch, deep, prefer`],
  ["replace(entity)", "ifNoneMatch", (b, c) => b.replace(c.collection("Books").key(1), { ID: 1 }, { ifNoneMatch: "*" } as never), `${WRITE}, etag, ifMatch, deep, prefer`],
  ["delete()", "prefer", (b, c) => b.delete(c.collection("Books").key(1), { prefer: "minimal" } as never), `${WRITE}, etag, ifMatch`],
  ['action("Restock")', "ifMatch", (b) => b.action("Restock", { count: 1 }, { ifMatch: "*" } as never), "bound, namespace, etag, method"],
  ['function("Stock")', "etag", (b) => b.function("Stock", {}, { etag: "*" } as never), "bound, namespace, method"],
  ["request(request)", "etag", (b) => b.request({ method: "PATCH", url: "Books(1)", body: { title: "t" }, etag: 'W/"1"' } as never), "method, url, headers, body"],
  // A changeset's writes are the batch's.
  ["create(entity)", "ifMatch", (b, c) => b.changeset((cs) => void cs.create(c.collection("Books"), { ID: 2 }, { ifMatch: "*" } as never)), `${WRITE}, deep, prefer`],
  ["delete()", "deep", (b, c) => b.changeset((cs) => void cs.delete(c.collection("Books").key(1), { deep: true } as never)), `${WRITE}, etag, ifMatch`],
  ['action("Restock")', "headers", (b) => b.changeset((cs) => void cs.action("Restock", {}, { headers: { "x-a": "1" } } as never)), "bound, namespace, etag, method"],
];

const sends: Array<[string, (batch: Batch) => Promise<unknown>]> = [
  ["send()", (batch) => batch.send()],
  ["sendAsync()", (batch) => batch.sendAsync()],
  ["toRequest()", (batch) => batch.toRequest()],
];

const answers = JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { value: 1 } }] });

describe("a $batch part given an option its builder method does not take", () => {
  for (const [method, option, add, takes] of refused) {
    test(`${method} given "${option}": send(), sendAsync() and toRequest() refuse it naming both and what it takes; nothing is sent`, async (t) => {
      const service = await serve(() => ({ status: 200, headers: json, body: answers }));
      t.after(() => service.close());
      const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
      for (const [name, send] of sends) {
        const batch = client.batch();
        add(batch, client);
        await assert.rejects(send(batch), (error: unknown) => {
          assert.ok(error instanceof TypeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${method} has no option "${option}"; it takes ${takes}`, name);
          return true;
        });
      }
      assert.deepEqual(service.seen, []);
    });
  }

  test("an option written in another case is refused with the name it meant", async (t) => {
    const service = await serve(() => ({ status: 200, headers: json, body: answers }));
    t.after(() => service.close());
    const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
    const batch = client.batch();
    batch.update(client.collection("Books").key(1), { title: "t" }, { ifmatch: "*" } as never);
    await assert.rejects(batch.send(), { name: "TypeError", message: 'update(patch) has no option "ifmatch" (did you mean "ifMatch"?); it takes headers, tunnel, etag, ifMatch, deep, prefer' });
    assert.deepEqual(service.seen, []);
  });
});

describe("a $batch part given only what its method takes", () => {
  test("every option taken, and an unknown one given as undefined, go on the wire", async (t) => {
    const service = await serve((request) => {
      const parts = (JSON.parse(request.body) as { requests: { id: string }[] }).requests;
      return { status: 200, headers: json, body: JSON.stringify({ responses: parts.map((part) => ({ id: part.id, status: 204 })) }) };
    });
    t.after(() => service.close());
    const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
    const books = client.collection("Books");
    const batch = client.batch();
    const headers = { "x-part": "1" };
    Reflect.apply(batch.get, batch, [books.key(1), { headers: undefined }]);
    batch.create(books, { ID: 1 }, { headers, tunnel: false, deep: false, prefer: "minimal", etag: undefined } as never);
    batch.update(books.key(1), { title: "t" }, { headers, tunnel: false, etag: 'W/"1"', ifMatch: undefined, deep: false, prefer: "minimal" });
    batch.delete(books.key(2), { headers, tunnel: false, ifMatch: "*" });
    batch.action("Shelve", {}, { bound: books.key(1), namespace: "S", etag: "*", method: undefined });
    batch.function("Stock", {}, { bound: books, namespace: "S", method: undefined });
    batch.request({ method: "PATCH", url: "Books(3)", headers: { "If-Match": "*" }, body: { title: "r" } });
    await batch.send();
    const parts = (JSON.parse(service.seen[0]!.body) as { requests: { method: string; url: string; headers: Record<string, string> }[] }).requests;
    assert.deepEqual(
      parts.map((part) => [part.method, part.url, part.headers["x-part"], part.headers["if-match"]]),
      [
        ["GET", "Books(1)", undefined, undefined],
        ["POST", "Books", "1", undefined],
        ["PATCH", "Books(1)", "1", 'W/"1"'],
        ["DELETE", "Books(2)", "1", "*"],
        ["POST", "Books(1)/S.Shelve", undefined, "*"],
        ["GET", "Books/S.Stock()", undefined, undefined],
        ["PATCH", "Books(3)", undefined, "*"],
      ],
    );
  });
});

describe("media() given an option it does not take", () => {
  const calls: Array<[string, string, (client: ODataClient) => Promise<unknown>, string]> = [
    ["media().put()", "etg", (c) => c.collection("Photos").key(1).media().put("png", { contentType: "image/png", etg: 'W/"1"' } as never), "signal, timeout, onResponse, headers, tunnel, etag, ifMatch, contentType"],
    ["media().put()", "contenttype", (c) => c.collection("Photos").key(1).media().put("png", { contentType: "image/png", contenttype: "image/gif" } as never), "signal, timeout, onResponse, headers, tunnel, etag, ifMatch, contentType"],
    ["media().bytes()", "headers", (c) => c.collection("Photos").key(1).media().bytes({ headers: { accept: "image/png" } } as never), "signal, timeout, onResponse"],
    ["media().text()", "etag", (c) => c.collection("Photos").key(1).media("caption").text({ etag: "*" } as never), "signal, timeout, onResponse"],
    ["media().stream()", "Timeout", (c) => c.collection("Photos").key(1).media().stream({ Timeout: 5 } as never), "signal, timeout, onResponse"],
  ];
  for (const [method, option, call, takes] of calls) {
    test(`${method} refuses option "${option}" naming it and what it takes; nothing is sent`, async (t) => {
      const { server, client } = await serveClient(t, (_request, res) => void res.writeHead(204).end());
      const meant = option.toLowerCase() === "contenttype" ? ' (did you mean "contentType"?)' : option === "Timeout" ? ' (did you mean "timeout"?)' : "";
      await assert.rejects(call(client), { name: "TypeError", message: `${method} has no option "${option}"${meant}; it takes ${takes}` });
      assert.deepEqual(server.requests, []);
    });
  }

  test("put() and bytes() with every option they take, and an unknown one as undefined, are sent", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => (request.method === "PUT" ? void res.writeHead(204, { etag: 'W/"2"' }).end() : void res.writeHead(200, { "content-type": "image/png" }).end("png")));
    const photo = client.collection("Photos").key(1);
    const common = { signal: new AbortController().signal, timeout: 5_000, onResponse: () => undefined };
    assert.deepEqual(await photo.media().put("png", { ...common, headers: { "x-put": "1" }, tunnel: false, etag: 'W/"1"', ifMatch: undefined, contentType: "image/png", slug: undefined } as never), { etag: 'W/"2"' });
    assert.equal(new TextDecoder().decode(await photo.media().bytes({ ...common, headers: undefined } as never)), "png");
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["x-put"], r.headers["if-match"], r.headers["content-type"]]),
      [
        ["PUT", "/odata/Photos(1)/$value", "1", 'W/"1"', "image/png"],
        ["GET", "/odata/Photos(1)/$value", undefined, undefined, undefined],
      ],
    );
  });
});
