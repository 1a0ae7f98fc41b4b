// $batch against a real OData server (SAP CAP, test/servers/cap): multipart and JSON batches with
// reads, changesets whose creates build on each other through $<Content-ID> references, changesets
// that fail (a duplicate key) and are reported failed for every request in them, ETags, operations,
// and OData v2 through the adapter. CAP cannot answer respond-async or stop a batch half-way with a
// 202 part: test/batch-http.test.ts covers those against node:http servers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, type BatchResult } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import type { Author, Book } from "./servers/cap/types.js";
import { regExpText } from "./regexp-text.js";

const cap = useCap();

/** The $batch POSTs a client sent, as the service received them (a pass-through fetch that records). */
interface SentBatch {
  url: string;
  headers: Headers;
  body: string;
}

function capClient(version: "4.0" | "2.0" = "4.0"): { client: ODataClient; batches: SentBatch[] } {
  const batches: SentBatch[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith("/$batch")) batches.push({ url, headers: new Headers(init?.headers), body: String(init?.body) });
    return fetch(input, init);
  };
  // v2 through 127.0.0.1: the adapter's localhost links are then off-origin (see read-cap tests).
  const serviceUrl = version === "2.0" ? cap.v2 : cap.v4;
  return { client: new ODataClient({ serviceUrl, version, fetch: recording }), batches };
}

function assertFailedWith(result: BatchResult<unknown>, status: number, message: RegExp): void {
  assert.equal(result.ok, false);
  assert.equal(result.status, status);
  assert.ok(result.error instanceof ODataHttpError);
  assert.match(result.error.odataError?.message ?? "", message);
}

test("multipart: an entity, a page with its count and a $count come back typed and in request order", async () => {
  const { client, batches } = capClient();
  const books = client.collection<Book>("Books");
  const batch = client.batch();
  const one = batch.get(books.key(1).select("ID", "title"));
  const page = batch.page(books.filter((f) => f.lt("ID", 4)).orderBy("ID").select("ID").count());
  const count = batch.count(books);
  const results = await batch.send();

  assert.equal(batches.length, 1);
  const sent = batches[0] as SentBatch;
  assert.equal(sent.url, `${cap.v4}$batch`);
  assert.match(sent.headers.get("content-type") ?? "", /^multipart\/mixed; boundary=batch_[0-9a-f-]{36}$/);
  assert.match(sent.body, /\r\nGET Books\(1\)\?\$select=ID,title HTTP\/1\.1\r\n/);
  assert.match(sent.body, /\r\nGET Books\?\$filter=ID%20lt%204&\$select=ID&\$orderby=ID&\$count=true HTTP\/1\.1\r\n/);

  assert.equal(results.ok, true);
  const entity = one.result();
  assert.ok(entity.ok);
  assert.equal(entity.value.title, "Pride and Prejudice");
  assert.match(String((entity.value as unknown as Record<string, unknown>)["@odata.etag"]), /^W\/"/);
  const read = page.result();
  assert.ok(read.ok);
  assert.deepEqual(
    read.value.value.map((book) => book.ID),
    [1, 2, 3],
  );
  assert.equal(read.value.count, 3);
  const counted = count.result();
  assert.ok(counted.ok);
  assert.equal(counted.value, 23);
  assert.deepEqual(
    results.map((result) => result.status),
    [200, 200, 200],
  );
});

test("multipart: a changeset creates an author and a book below it through a $<Content-ID> reference", async () => {
  const { client, batches } = capClient();
  const batch = client.batch();
  let author!: ReturnType<typeof batch.create<Author>>;
  let book!: ReturnType<typeof batch.create<Book>>;
  batch.changeset((cs) => {
    author = cs.create(client.collection<Author>("Authors"), { ID: "batch-mp", name: "Multi Part" });
    book = cs.create(author.navigation("books"), { ID: 2001, title: "Written in a batch" });
  });
  await batch.send();

  assert.match(batches[0]?.body ?? "", /\r\nContent-ID: 2\r\n\r\nPOST \$1\/books HTTP\/1\.1\r\n/);
  const createdAuthor = author.result();
  assert.ok(createdAuthor.ok);
  assert.equal(createdAuthor.status, 201);
  assert.equal(createdAuthor.value?.name, "Multi Part");
  const createdBook = book.result();
  assert.ok(createdBook.ok);
  assert.equal(createdBook.status, 201);
  assert.equal(createdBook.value?.author_ID, "batch-mp");

  const stored = await client.collection<Author>("Authors").key("batch-mp").expand("books", (b) => b.select("ID", "title")).get();
  assert.deepEqual(stored.books, [{ ID: 2001, title: "Written in a batch" }]);
});

test("multipart: a changeset with a duplicate key fails for every request in it, stores nothing, and CAP stops the batch there", async () => {
  const { client } = capClient();
  const books = client.collection<Book>("Books");
  const batch = client.batch();
  let fresh!: ReturnType<typeof batch.create<Book>>;
  let duplicate!: ReturnType<typeof batch.create<Book>>;
  batch.changeset((cs) => {
    fresh = cs.create(books, { ID: 2002, title: "Would be new" });
    duplicate = cs.create(books, { ID: 1, title: "Duplicate key" });
  });
  const after = batch.get(books.key(2));
  const results = await batch.send();

  assertFailedWith(fresh.result(), 500, /UNIQUE constraint failed/);
  assertFailedWith(duplicate.result(), 500, /UNIQUE constraint failed/);
  const skipped = after.result();
  assert.equal(skipped.ok, false);
  assert.equal(skipped.status, undefined);
  assert.equal(skipped.error.code, "BATCH_NOT_EXECUTED");
  assert.equal(results.ok, false);
  await assert.rejects(books.key(2002).get(), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
});

test("multipart with continueOnError: the requests after a failed changeset still run", async () => {
  const { client, batches } = capClient();
  const books = client.collection<Book>("Books");
  const batch = client.batch();
  batch.changeset((cs) => {
    cs.create(books, { ID: 1, title: "Duplicate key" });
  });
  const after = batch.get(books.key(2).select("ID"));
  await batch.send({ continueOnError: true });
  assert.equal(batches[0]?.headers.get("prefer"), "odata.continue-on-error");
  const read = after.result();
  assert.ok(read.ok);
  assert.equal(read.value.ID, 2);
});

test("JSON batch: reads and a changeset whose second create references the first by id", async () => {
  const { client, batches } = capClient();
  const batch = client.batch({ format: "json" });
  const one = batch.get(client.collection<Book>("Books").key(3).select("ID", "title"));
  let author!: ReturnType<typeof batch.create<Author>>;
  let book!: ReturnType<typeof batch.create<Book>>;
  batch.changeset((cs) => {
    author = cs.create(client.collection<Author>("Authors"), { ID: "batch-json", name: "Jason" });
    book = cs.create(author.navigation("books"), { ID: 2003, title: "JSON book" });
  });
  await batch.send();

  const sent = JSON.parse(batches[0]?.body ?? "{}") as { requests: { id: string; url: string; atomicityGroup?: string; dependsOn?: string[] }[] };
  assert.deepEqual(
    sent.requests.map(({ id, url, atomicityGroup, dependsOn }) => ({ id, url, atomicityGroup, dependsOn })),
    [
      { id: "1", url: "Books(3)?$select=ID,title", atomicityGroup: undefined, dependsOn: undefined },
      { id: "2", url: "Authors", atomicityGroup: "g1", dependsOn: undefined },
      { id: "3", url: "$2/books", atomicityGroup: "g1", dependsOn: ["2"] },
    ],
  );
  const read = one.result();
  assert.ok(read.ok && read.value.ID === 3);
  const made = book.result();
  assert.ok(made.ok);
  assert.equal(made.value?.author_ID, "batch-json");
  assert.equal(author.result().status, 201);
  const stored = await client.collection<Book>("Books").key(2003).select("ID", "author_ID").get();
  assert.equal(stored.author_ID, "batch-json");
});

test("JSON batch: an atomicity group with a duplicate key fails for every member, including the one CAP answered 201, and stores nothing", async () => {
  const { client } = capClient();
  const books = client.collection<Book>("Books");
  const batch = client.batch({ format: "json" });
  let fresh!: ReturnType<typeof batch.create<Book>>;
  let duplicate!: ReturnType<typeof batch.create<Book>>;
  batch.changeset((cs) => {
    fresh = cs.create(books, { ID: 2004, title: "Would be new" });
    duplicate = cs.create(books, { ID: 1, title: "Duplicate key" });
  });
  await batch.send();
  assertFailedWith(fresh.result(), 500, /UNIQUE constraint failed/);
  assertFailedWith(duplicate.result(), 500, /UNIQUE constraint failed/);
  await assert.rejects(books.key(2004).get(), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
});

test("an update with the ETag read earlier succeeds; one with a stale ETag fails with 412 for that request only", async () => {
  const { client, batches } = capClient();
  const books = client.collection<Book>("Books");
  const current = await books.key(20).get();
  const batch = client.batch();
  const stale = batch.update(books.key(21), { stock: 1 }, { etag: 'W/"1999-01-01T00:00:00.000Z"' });
  const fresh = batch.update(books.key(20), { stock: 77 }, { etag: current });
  await batch.send({ continueOnError: true });

  assert.match(batches[0]?.body ?? "", new RegExp(`\\r\\nPATCH Books\\(20\\) HTTP/1\\.1\\r\\n[^]*?if-match: ${regExpText(String((current as unknown as Record<string, unknown>)["@odata.etag"]))}\\r\\n`));
  const refused = stale.result();
  assert.equal(refused.ok, false);
  assert.equal(refused.status, 412);
  const applied = fresh.result();
  assert.ok(applied.ok, JSON.stringify(applied));
  assert.equal((await books.key(20).get()).stock, 77);
});


test("operations in a batch: an unbound function, an unbound action and a bound function, results unwrapped", async () => {
  const { client, batches } = capClient();
  const batch = client.batch();
  const counted = batch.function<number>("countBooks", { minStock: 5 });
  const ordered = batch.action<{ stock: number }>("submitOrder", { book: 2, quantity: 1 });
  const price = batch.function<number>("discountedPrice", { percent: 10 }, { bound: client.collection<Book>("Books").key(1) });
  await batch.send();
  assert.match(batches[0]?.body ?? "", /\r\nGET countBooks\(minStock=5\) HTTP\/1\.1\r\n/);
  assert.match(batches[0]?.body ?? "", /\r\nPOST submitOrder HTTP\/1\.1\r\n[^]*?\r\n\r\n\{"book":2,"quantity":1\}\r\n/);
  const count = counted.result();
  assert.ok(count.ok && typeof count.value === "number" && count.value > 0);
  const order = ordered.result();
  assert.ok(order.ok && typeof order.value.stock === "number");
  const discounted = price.result();
  assert.ok(discounted.ok && typeof discounted.value === "number");
});

test("OData v2 through the adapter: a multipart batch with entities unwrapped from d, a page with its count, and a changeset with a $<Content-ID> reference", async () => {
  const { client, batches } = capClient("2.0");
  const books = client.collection<Book>("Books");
  const batch = client.batch();
  const one = batch.get(books.key(1));
  const page = batch.page(books.filter((f) => f.le("ID", 23)).top(2).count());
  let book!: ReturnType<typeof batch.create<Book>>;
  batch.changeset((cs) => {
    const author = cs.create(client.collection<Author>("Authors"), { ID: "batch-v2", name: "Vee Two" });
    book = cs.create(author.navigation("books"), { ID: 2005, title: "v2 book" });
  });
  const results = await batch.send();
  assert.equal(batches[0]?.headers.get("dataserviceversion"), "2.0");
  assert.equal(results.ok, true);
  const entity = one.result();
  assert.ok(entity.ok);
  assert.equal(entity.value.title, "Pride and Prejudice");
  const read = page.result();
  assert.ok(read.ok);
  assert.equal(read.value.value.length, 2);
  assert.equal(read.value.count, 23);
  const made = book.result();
  assert.ok(made.ok);
  assert.equal(made.value?.author_ID, "batch-v2");
});

test("sendAsync against CAP, which ignores respond-async: the poller is done at once and its result is the batch's results", async () => {
  const { client, batches } = capClient();
  const batch = client.batch();
  const one = batch.get(client.collection<Book>("Books").key(4).select("ID"));
  const poller = await batch.sendAsync();
  assert.equal(batches[0]?.headers.get("prefer"), "respond-async");
  assert.equal(poller.isDone(), true);
  const results = poller.result();
  assert.equal(results[0]?.status, 200);
  const read = one.result();
  assert.ok(read.ok && read.value.ID === 4);
});

test("a changeset can create an entity and then change it through handle.ref() ($<Content-ID>), in both formats", async () => {
  for (const [format, id] of [["multipart", 2006], ["json", 2007]] as const) {
    const { client } = capClient();
    const batch = client.batch({ format });
    let updated!: ReturnType<typeof batch.update<Book>>;
    batch.changeset((cs) => {
      const draft = cs.create(client.collection<Book>("Books"), { ID: id, title: "Draft" });
      // CAP wants If-Match on Books (428 without it); "*" matches whatever the create wrote.
      updated = cs.update(draft.ref(), { title: "Final" }, { ifMatch: "*" });
    });
    await batch.send();
    const result = updated.result();
    assert.ok(result.ok, format);
    assert.equal(result.status, 200);
    assert.equal((await client.collection<Book>("Books").key(id).select("title").get()).title, "Final");
  }
});
