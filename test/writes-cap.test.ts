/**
 * Entity writes against a real OData server (SAP CAP, test/servers/cap): create (deep insert,
 * `return=minimal`), update/replace/delete with ETags (412 for a stale one, 428 without one),
 * upserts, navigation reads and creates, a singleton, a media entity, and OData v2 through the
 * adapter (MERGE, method tunnelling, ETags from `__metadata`). Each test records what the client
 * sent with a wrapping `fetch` and checks it beside the result.
 *
 * What CAP cannot show is tested against node:http in test/writes.test.ts: `$ref`/`$links`
 * writes (CAP answers 400/404, see the last test here), `If-None-Match: *` (CAP ignores it), and a
 * PATCH upsert (CAP answers 404 for a PATCH to a missing key; its PUT upserts).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, type ODataClientOptions } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import type { Author, Book, Pair, Review } from "./servers/cap/types.js";

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
}

let cap: CapServer;
let v2Root: string;

before(async () => {
  cap = await startCap();
  // The v2 adapter writes absolute URIs with `localhost`; addressing it the same way keeps them on
  // the service's origin.
  v2Root = cap.v2.replace("127.0.0.1", "localhost");
});
after(() => cap.stop());

/** A client on CAP whose requests are recorded as they leave. */
function client(options: Partial<ODataClientOptions> = {}): { client: ODataClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = init?.body === undefined || init.body === null ? undefined : typeof init.body === "string" ? init.body : new TextDecoder().decode(init.body as Uint8Array);
    sent.push({ method: request.method, url: request.url, headers: request.headers, body });
    return fetch(input, init);
  };
  const serviceUrl = options.version === "2.0" ? v2Root : cap.v4;
  return { client: new ODataClient({ serviceUrl, retry: false, fetch: recording, ...options }), sent };
}

/** The `@odata.etag` an entity came with. */
function etagOf(entity: object | undefined): unknown {
  return (entity as { "@odata.etag"?: unknown } | undefined)?.["@odata.etag"];
}

function last(sent: Sent[]): Sent {
  const request = sent[sent.length - 1];
  assert.ok(request, "no request was sent");
  return request;
}

describe("OData v4", () => {
  test("create answers with the new entity and its ETag; get reads it back", async () => {
    const { client: c, sent } = client();
    const books = c.collection<Book>("Books");
    const created = await books.create({ ID: 301, title: "Created", stock: 3 });
    assert.equal(created?.title, "Created");
    assert.match(String(etagOf(created)), /^W\/"\d{4}-\d\d-\d\dT/);
    const request = last(sent);
    assert.equal(request.method, "POST");
    assert.equal(request.url, `${cap.v4}Books`);
    assert.equal(request.headers.get("content-type"), "application/json");
    assert.equal(request.headers.get("odata-version"), "4.0");
    assert.deepEqual(JSON.parse(request.body ?? ""), { ID: 301, title: "Created", stock: 3 });
    const read = await books.key(301).get();
    assert.equal(read.stock, 3);
  });

  test('create with prefer: "minimal" resolves with undefined (CAP answers 204) and the entity exists', async () => {
    const { client: c, sent } = client();
    const result = await c.collection<Book>("Books").create({ ID: 302, title: "Minimal" }, { prefer: "minimal" });
    assert.equal(result, undefined);
    assert.equal(last(sent).headers.get("prefer"), "return=minimal");
    assert.equal((await c.collection<Book>("Books").key(302).get()).title, "Minimal");
  });

  test("update with the entity read earlier sends its ETag as If-Match and answers with the changed entity", async () => {
    const { client: c, sent } = client();
    const book = c.collection<Book>("Books").key(5);
    const read = await book.get();
    const updated = await book.update({ stock: 99 }, { etag: read });
    assert.equal(updated?.stock, 99);
    assert.equal(last(sent).method, "PATCH");
    assert.equal(last(sent).headers.get("if-match"), etagOf(read));
    assert.notEqual(etagOf(updated), etagOf(read));
  });

  test("an entity read, changed and sent back carries its own ETag", async () => {
    const { client: c, sent } = client();
    const book = c.collection<Book>("Books").key(6);
    const read = await book.get();
    const updated = await book.update({ ...read, title: "Changed in place" });
    assert.equal(updated?.title, "Changed in place");
    assert.equal(last(sent).headers.get("if-match"), etagOf(read));
    assert.equal(JSON.parse(last(sent).body ?? "")["@odata.etag"], undefined);
  });

  test("a stale ETag rejects with 412 and says the entity changed since it was read", async () => {
    const { client: c } = client();
    const book = c.collection<Book>("Books").key(7);
    const read = await book.get();
    await book.update({ stock: 1 }, { etag: read });
    await assert.rejects(book.update({ stock: 2 }, { etag: read }), (error: unknown) => {
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.code, "HTTP_ERROR");
      assert.equal(error.status, 412);
      assert.match(error.message, /precondition failed: the entity changed since it was read/);
      return true;
    });
    assert.equal((await book.get()).stock, 1);
  });

  test("an update without If-Match on an ETag entity rejects with 428 and says the service wants If-Match", async () => {
    const { client: c, sent } = client();
    await assert.rejects(c.collection<Book>("Books").key(8).update({ stock: 5 }), (error: unknown) => {
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.status, 428);
      assert.match(error.message, /precondition required: the service wants If-Match/);
      return true;
    });
    assert.equal(last(sent).headers.get("if-match"), null);
  });

  test('ifMatch: "*" updates whatever version is there', async () => {
    const { client: c, sent } = client();
    const updated = await c.collection<Book>("Books").key(9).update({ stock: 42 }, { ifMatch: "*" });
    assert.equal(updated?.stock, 42);
    assert.equal(last(sent).headers.get("if-match"), "*");
  });

  test('update with ifMatch: "*" on a key that does not exist is 404, never an insert', async () => {
    const { client: c } = client();
    await assert.rejects(c.collection<Pair>("Pairs").key({ A: 77, B: "none" }).update({ label: "x" }, { ifMatch: "*" }), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
    await assert.rejects(c.collection<Pair>("Pairs").key({ A: 77, B: "none" }).get(), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
  });

  test("replace sends PUT with If-Match and the service keeps the new values", async () => {
    const { client: c, sent } = client();
    const book = c.collection<Book>("Books").key(10);
    const read = await book.get();
    const replaced = await book.replace({ ID: 10, title: "Replaced", stock: 4 }, { etag: read });
    assert.equal(replaced?.title, "Replaced");
    assert.equal(last(sent).method, "PUT");
    assert.equal(last(sent).headers.get("if-match"), etagOf(read));
    assert.equal((await book.get()).stock, 4);
  });

  test("upsert with replace: true creates an entity at a key that did not exist (PUT, 201)", async () => {
    const { client: c, sent } = client();
    const pair = c.collection<Pair>("Pairs").key({ A: 8, B: "z" });
    const result = await pair.upsert({ label: "eight" }, { replace: true });
    assert.deepEqual({ A: result?.A, B: result?.B, label: result?.label }, { A: 8, B: "z", label: "eight" });
    assert.equal(last(sent).method, "PUT");
    assert.equal(last(sent).headers.get("if-match"), null);
    assert.equal((await pair.get()).label, "eight");
  });

  test("delete with a stale ETag is 412; with the current one the entity is gone (404 after)", async () => {
    const { client: c, sent } = client();
    const books = c.collection<Book>("Books");
    const created = await books.create({ ID: 303, title: "To delete" });
    const book = books.key(303);
    await assert.rejects(book.delete({ etag: 'W/"1999-01-01T00:00:00.000Z"' }), (error: unknown) => error instanceof ODataHttpError && error.status === 412);
    await book.delete({ etag: created as object });
    assert.equal(last(sent).method, "DELETE");
    assert.equal(last(sent).headers.get("if-match"), etagOf(created));
    await assert.rejects(book.get(), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
  });

  test("deep insert creates the book and its reviews in one POST", async () => {
    const { client: c, sent } = client();
    const books = c.collection<Book>("Books");
    const created = await books.create({ ID: 304, title: "Deep", reviews: [{ ID: 3041, rating: 5 }, { ID: 3042, rating: 2 }] });
    assert.equal(sent.length, 1);
    assert.deepEqual(created?.reviews?.map((r) => r.ID).sort(), [3041, 3042]);
    const reviews = await books.key(304).navigate("reviews").orderBy("ID").list();
    assert.deepEqual(reviews.map((r) => [r.ID, r.rating, r.book_ID]), [
      [3041, 5, 304],
      [3042, 2, 304],
    ]);
  });

  test("navigate: create in Books(2)/reviews links the review to book 2; reading the navigation finds it", async () => {
    const { client: c, sent } = client();
    const reviews = c.collection<Book>("Books").key(2).navigate("reviews");
    const created = await reviews.create({ ID: 3050, rating: 3, text: "through navigation" });
    assert.equal(created?.book_ID, 2);
    assert.equal(last(sent).url, `${cap.v4}Books(2)/reviews`);
    const found = await reviews.filter((f) => f.eq("text", "through navigation")).list();
    assert.deepEqual(found.map((r) => r.ID), [3050]);
  });

  test("navigateOne reads the single-valued navigation Books(1)/author", async () => {
    const { client: c, sent } = client();
    const author = await c.collection<Book>("Books").key(1).navigateOne("author").select("name").get();
    assert.equal(author?.name, "Jane Austen");
    assert.equal(last(sent).url, `${cap.v4}Books(1)/author?$select=name`);
  });

  test("navigateOne(...).get() of a navigation that relates no entity resolves with null, in v4, v2 and a $batch", async () => {
    const { client: c } = client();
    await c.collection<Book>("Books").create({ ID: 307, title: "Anonymous" });
    // CAP answers 204 No Content (OData 4.01, 11.2.6), in v4 and through its v2 adapter.
    assert.equal(await c.collection<Book>("Books").key(307).navigateOne("author").get(), null);
    const { client: v2 } = client({ version: "2.0" });
    assert.equal(await v2.collection<Book>("Books").key(307).navigateOne("author").get(), null);
    const batch = c.batch();
    const none = batch.get(c.collection<Book>("Books").key(307).navigateOne("author"));
    const some = batch.get(c.collection<Book>("Books").key(1).navigateOne("author").select("name"));
    await batch.send();
    const result = none.result();
    assert.ok(result.ok, "the part succeeded");
    assert.equal(result.status, 204);
    assert.equal(result.value, null);
    const author = some.result();
    assert.ok(author.ok, "the part succeeded");
    assert.equal(author.value?.name, "Jane Austen");
  });

  test("a singleton reads and updates at its name", async () => {
    const { client: c, sent } = client();
    const settings = c.singleton<{ theme: string; pageSize: number }>("Settings");
    assert.equal((await settings.get()).pageSize, 20);
    const updated = await settings.update({ theme: "dark" });
    assert.equal(updated?.theme, "dark");
    assert.equal(last(sent).method, "PATCH");
    assert.equal(last(sent).url, `${cap.v4}Settings`);
    assert.equal((await settings.get()).theme, "dark");
  });

  test("media: put writes the stream property with its content type; $value and the property read it back", async () => {
    const { client: c, sent } = client();
    const photo = c.collection("Photos").key(1);
    await photo.media("content").put("héllo photo", { contentType: "text/plain" });
    assert.equal(last(sent).method, "PUT");
    assert.equal(last(sent).url, `${cap.v4}Photos(1)/content`);
    assert.equal(last(sent).headers.get("content-type"), "text/plain");
    assert.equal(await photo.media().text(), "héllo photo");
    assert.equal(last(sent).url, `${cap.v4}Photos(1)/$value`);
    assert.deepEqual(await photo.media("content").bytes(), new TextEncoder().encode("héllo photo"));
    const { body, contentType } = await photo.media().stream();
    assert.match(contentType ?? "", /^text\/plain/);
    assert.equal(await new Response(body).text(), "héllo photo");
  });

  test("CAP has no $ref writes: link rejects with ODataHttpError carrying CAP's answer", async () => {
    const { client: c, sent } = client();
    await assert.rejects(c.collection<Author>("Authors").key("austen").link("books", c.collection("Books").key(7)), (error: unknown) => error instanceof ODataHttpError && error.status >= 400 && error.status < 500);
    assert.equal(last(sent).url, `${cap.v4}Authors('austen')/books/$ref`);
    assert.deepEqual(JSON.parse(last(sent).body ?? ""), { "@odata.id": `${cap.v4}Books(7)` });
  });
});

describe("OData v2 through the adapter", () => {
  test("create answers with the entity (d unwrapped, __metadata kept) and sends DataServiceVersion", async () => {
    const { client: c, sent } = client({ version: "2.0" });
    const created = (await c.collection<Pair>("Pairs").create({ A: 20, B: "v2", label: "v2" })) as (Pair & { __metadata?: { uri?: string } }) | undefined;
    assert.equal(created?.label, "v2");
    assert.equal(created?.__metadata?.uri, `${v2Root}Pairs(A=20,B='v2')`);
    assert.equal(last(sent).headers.get("dataserviceversion"), "2.0");
    assert.equal(last(sent).headers.get("odata-version"), null);
  });

  test("update sends MERGE; tunnel: true sends POST with X-HTTP-Method: MERGE; both change the entity", async () => {
    const { client: c, sent } = client({ version: "2.0" });
    const pair = c.collection<Pair>("Pairs").key({ A: 2, B: "x" });
    await pair.update({ label: "merged" });
    assert.equal(last(sent).method, "MERGE");
    assert.equal((await pair.get()).label, "merged");
    await pair.update({ label: "tunnelled" }, { tunnel: true });
    assert.equal(last(sent).method, "POST");
    assert.equal(last(sent).headers.get("x-http-method"), "MERGE");
    assert.equal((await pair.get()).label, "tunnelled");
  });

  test("an entity read through v2 carries its ETag (__metadata.etag) into the update; a stale one is 412", async () => {
    const { client: c, sent } = client({ version: "2.0" });
    const book = c.collection<Book>("Books").key(11);
    const read = await book.get();
    const etag = (read as { __metadata?: { etag?: string } }).__metadata?.etag;
    assert.match(etag ?? "", /^W\/"/);
    await book.update({ ...read, stock: 12 });
    assert.equal(last(sent).headers.get("if-match"), etag);
    assert.equal(JSON.parse(last(sent).body ?? "").__metadata, undefined);
    assert.equal((await book.get()).stock, 12);
    await assert.rejects(book.update({ stock: 13 }, { etag: read }), (error: unknown) => error instanceof ODataHttpError && error.status === 412 && /changed since it was read/.test(error.message));
  });

  test("an entity read through v2 and written back sends its dates as /Date(ms)/, and the service keeps them", async () => {
    const { client: c, sent } = client({ version: "2.0" });
    const book = c.collection<Book>("Books").key(12);
    const read = await book.get();
    assert.equal(read.published, "1908-04-12T00:00:00Z", "the reader gives the v2 /Date(ms)/ as ISO text");
    await book.update({ ...read, stock: 45 });
    const body = JSON.parse(last(sent).body ?? "") as Record<string, unknown>;
    assert.equal(body["published"], `/Date(${Date.UTC(1908, 3, 12)})/`);
    assert.equal(body["createdAt"], `/Date(${Date.parse("2024-04-12T10:12:00Z")})/`);
    const after = await client().client.collection<Book>("Books").key(12).select("published", "stock", "createdAt").get();
    assert.equal(after.published, "1908-04-12");
    assert.equal(after.stock, 45);
    assert.equal(after.createdAt, "2024-04-12T10:12:00.000Z");
  });

  test("deep insert and delete with the ETag of the created entity", async () => {
    const { client: c, sent } = client({ version: "2.0" });
    const books = c.collection<Book>("Books");
    const created = await books.create({ ID: 306, title: "v2 deep", reviews: [{ ID: 3061, rating: 4 }] });
    assert.deepEqual(created?.reviews?.map((r) => r.ID), [3061]);
    await books.key(306).delete({ etag: created as object });
    assert.equal(last(sent).method, "DELETE");
    assert.match(last(sent).headers.get("if-match") ?? "", /^W\/"/);
    await assert.rejects(books.key(306).get(), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
  });

  test("media: put and read $value of a media entity", async () => {
    const { client: c, sent } = client({ version: "2.0" });
    const media = c.collection("Photos").key(1).media();
    await media.put("v2 bytes", { contentType: "text/plain" });
    assert.equal(last(sent).url, `${v2Root}Photos(1)/$value`);
    assert.equal(await media.text(), "v2 bytes");
  });
});
