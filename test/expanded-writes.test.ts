// Writing back an entity read with $expand: the navigation values the read expanded stay out of
// the body unless { deep: true } asks for a deep write (src/payload/expanded.ts). The knowledge
// survives `{ ...entity }` because the copy holds the same expanded arrays and objects.
// On the wire, against node:http services; test/wire-cap.test.ts checks it against SAP CAP.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, type ODataVersion } from "../src/index.js";
import { sendJson, sendText, serveClient, startServer, type RecordedRequest, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

interface Review {
  ID: number;
  rating: number;
}
interface Author {
  ID: string;
  name: string;
  books?: Book[];
}
interface Book {
  ID: number;
  title: string;
  stock: number;
  address?: { city: string };
  reviews?: Review[];
  author?: Author | null;
}

const V4_BOOK = {
  "@odata.etag": 'W/"1"',
  ID: 1,
  title: "Emma",
  stock: 3,
  address: { city: "Bath" },
  reviews: [
    { ID: 10, rating: 5 },
    { ID: 11, rating: 4 },
  ],
  author: { ID: "austen", name: "Jane Austen", books: [{ ID: 1, title: "Emma", stock: 3 }] },
};

const V2_BOOK = {
  __metadata: { uri: "Books(1)", etag: 'W/"1"', type: "NS.Book" },
  ID: 1,
  title: "Emma",
  stock: 3,
  reviews: { results: [{ __metadata: { uri: "Reviews(10)" }, ID: 10, rating: 5 }] },
  author: { __metadata: { uri: "Authors('austen')" }, ID: "austen", name: "Jane Austen" },
};

function answer(version: ODataVersion) {
  return (request: RecordedRequest, res: ServerResponse): void => {
    if (request.method !== "GET") return void res.writeHead(204).end();
    if (request.path.endsWith("$batch")) return sendText(res, 500, "");
    const v2 = version === "2.0";
    if (/Books\(1\)/.test(request.path)) return sendJson(res, 200, v2 ? { d: V2_BOOK } : V4_BOOK);
    sendJson(res, 200, v2 ? { d: { results: [V2_BOOK] } } : { value: [V4_BOOK] });
  };
}

function service(t: TestContextLike, version: ODataVersion = "4.0"): Promise<{ server: RecordingServer; client: ODataClient }> {
  return serveClient(t, answer(version), { version });
}

const writes = (server: RecordingServer) => server.requests.filter((request) => request.method !== "GET" && !request.path.endsWith("$batch"));
const bodies = (server: RecordingServer) => writes(server).map((request) => JSON.parse(request.body) as Record<string, unknown>);

describe("a write leaves out what the read expanded", () => {
  test("the README's update({ ...book, stock: 4 }) of a book read with its reviews and author sends neither", async (t) => {
    const { server, client } = await service(t);
    const books = client.collection<Book>("Books");
    const book = await books.key(1).expand("reviews").expand("author", (a) => a.expand("books")).get();
    assert.equal(book.reviews?.length, 2, "the read itself is unchanged: the reviews are there");
    await books.key(1).update({ ...book, stock: 4 });
    const [patch] = writes(server);
    assert.equal(patch?.method, "PATCH");
    assert.deepEqual(JSON.parse(patch!.body), { ID: 1, title: "Emma", stock: 4, address: { city: "Bath" } });
    // The ETag still rides along with the copy.
    assert.equal(patch?.headers["if-match"], 'W/"1"');
    assert.deepEqual(Object.keys(book), ["@odata.etag", "ID", "title", "stock", "address", "reviews", "author"], "nothing was added to the entity");
  });

  test("reads of every kind remember their expansions: page, list, stream, first and pages", async (t) => {
    const { server, client } = await service(t);
    const books = client.collection<Book>("Books").expand("reviews").expand("author");
    const read: Book[] = [];
    read.push((await books.page()).value[0]!);
    read.push((await books.list())[0]!);
    for await (const book of books.stream()) read.push(book);
    read.push((await books.first())!);
    for await (const page of books.pages()) read.push(page.value[0]!);
    for (const book of read) await client.collection<Book>("Books").key(1).update({ ...book, stock: 9 });
    assert.deepEqual(bodies(server), read.map(() => ({ ID: 1, title: "Emma", stock: 9, address: { city: "Bath" } })));
  });

  test("$batch results of a query with $expand are remembered too", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (!request.path.endsWith("$batch")) return void res.writeHead(204).end();
      const part = (body: unknown) => ["--b", "Content-Type: application/http", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", JSON.stringify(body)];
      const text = [...part(V4_BOOK), ...part({ value: [V4_BOOK] }), "--b--", ""].join("\r\n");
      sendText(res, 200, text, { "content-type": "multipart/mixed; boundary=b" });
    });
    const books = client.collection<Book>("Books");
    const batch = client.batch();
    const one = batch.get(books.key(1).expand("reviews").expand("author"));
    const page = batch.page(books.expand("reviews").expand("author"));
    await batch.send();
    const fromGet = one.result();
    const fromPage = page.result();
    assert.ok(fromGet.ok && fromPage.ok);
    await books.key(1).update({ ...fromGet.value, stock: 2 });
    await books.key(1).update({ ...fromPage.value.value[0]!, stock: 2 });
    assert.deepEqual(bodies(server), [
      { ID: 1, title: "Emma", stock: 2, address: { city: "Bath" } },
      { ID: 1, title: "Emma", stock: 2, address: { city: "Bath" } },
    ]);
  });

  test("replace, upsert, create, createAsync and a $batch update leave them out as well", async (t) => {
    const { server, client } = await service(t);
    const books = client.collection<Book>("Books");
    const book = await books.key(1).expand("reviews").expand("author").get();
    await books.key(1).replace({ ...book });
    await books.key(1).upsert({ ...book });
    await books.create({ ...book, ID: 2 });
    await books.createAsync({ ...book, ID: 3 });
    const batch = client.batch();
    batch.changeset((cs) => cs.update(books.key(1), { ...book }));
    // The server does not answer batches: the body it was sent is what this test reads.
    await assert.rejects(batch.send(), { code: "BAD_BATCH_RESPONSE" });
    const sent = writes(server);
    assert.deepEqual(
      sent.map((request) => request.method),
      ["PUT", "PATCH", "POST", "POST"],
    );
    for (const request of sent) {
      const body = JSON.parse(request.body) as Record<string, unknown>;
      assert.equal("reviews" in body || "author" in body, false, `${request.method}: ${request.body}`);
    }
    const batchBody = server.requests.find((request) => request.path.endsWith("$batch"))?.body ?? "";
    assert.match(batchBody, /PATCH Books\(1\)/);
    assert.doesNotMatch(batchBody, /"reviews"|"author"/);
  });

  test("nested expansions are remembered: an expanded author written back leaves out its expanded books", async (t) => {
    const { server, client } = await service(t);
    const book = await client.collection<Book>("Books").key(1).expand("author", (a) => a.expand("books")).get();
    const author = book.author!;
    await client.collection<Author>("Authors").key("austen").update({ ...author, name: "J. Austen" });
    assert.deepEqual(bodies(server), [{ ID: "austen", name: "J. Austen" }]);
  });

  test("v2 JSON: the expanded results and objects are left out of a MERGE", async (t) => {
    const { server, client } = await service(t, "2.0");
    const books = client.collection<Book>("Books");
    const book = await books.key(1).expand("reviews").expand("author").get();
    assert.deepEqual(book.reviews?.map((review) => review.ID), [10]);
    await books.key(1).update({ ...book, stock: 4 });
    const [merge] = writes(server);
    assert.equal(merge?.method, "MERGE");
    assert.deepEqual(JSON.parse(merge!.body), { ID: 1, title: "Emma", stock: 4 });
    assert.equal(merge?.headers["if-match"], 'W/"1"');
  });

  test("an expanded property the caller puts back on purpose needs deep: true, and says so when it is all there is", async (t) => {
    const { server, client } = await service(t);
    const books = client.collection<Book>("Books");
    const book = await books.key(1).expand("reviews").get();
    await assert.rejects(
      books.key(1).update({ reviews: book.reviews! }),
      (error: unknown) => error instanceof TypeError && /reviews is a navigation property that a read expanded.*deep: true/.test(error.message),
    );
    assert.equal(writes(server).length, 0);
  });
});

describe("what is sent", () => {
  test("deep: true sends the expanded values as a deep write", async (t) => {
    const { server, client } = await service(t);
    const books = client.collection<Book>("Books");
    const book = await books.key(1).expand("reviews").get();
    await books.key(1).update({ ...book, stock: 4 }, { deep: true });
    await books.create({ ...book, ID: 5 }, { deep: true });
    const [patch, post] = bodies(server);
    assert.deepEqual(patch?.["reviews"], V4_BOOK.reviews);
    assert.deepEqual(post?.["reviews"], V4_BOOK.reviews);
  });

  test("values the caller builds are always sent: a deep insert, a new array from the read, a changed complex value", async (t) => {
    const { server, client } = await service(t);
    const books = client.collection<Book>("Books");
    const book = await books.key(1).expand("reviews").get();
    await books.create({ ID: 7, title: "New", reviews: [{ ID: 70, rating: 5 }] });
    await books.key(1).update({ reviews: book.reviews!.map((review) => ({ ...review, rating: 1 })) });
    await books.key(1).update({ ...book, address: { city: "Chawton" }, reviews: [...book.reviews!] });
    assert.deepEqual(bodies(server), [
      { ID: 7, title: "New", reviews: [{ ID: 70, rating: 5 }] },
      { reviews: [{ ID: 10, rating: 1 }, { ID: 11, rating: 1 }] },
      // The service sent the author although this read did not expand it: the client cannot know it
      // is a navigation property, so it goes as the caller's copy holds it.
      { ID: 1, title: "Emma", stock: 3, address: { city: "Chawton" }, reviews: V4_BOOK.reviews, author: V4_BOOK.author },
    ]);
  });

  test("an entity read without $expand is written back whole, complex values included", async (t) => {
    const { server, client } = await service(t);
    const books = client.collection<Book>("Books");
    const book = await books.key(1).get();
    await books.key(1).update({ ...book, stock: 4 });
    assert.deepEqual(bodies(server), [{ ID: 1, title: "Emma", stock: 4, address: { city: "Bath" }, reviews: V4_BOOK.reviews, author: V4_BOOK.author }]);
  });

  test('expand("*") cannot tell navigation from complex properties, so every structured value of the read is left out', async (t) => {
    const { server, client } = await service(t);
    const books = client.collection("Books");
    const book = (await books.key(1).expand("*").get()) as unknown as Book;
    await books.key(1).update({ ...book, stock: 4 });
    await books.key(1).update({ ...book, address: { ...book.address!, city: "Chawton" } });
    assert.deepEqual(bodies(server), [
      { ID: 1, title: "Emma", stock: 4 },
      { ID: 1, title: "Emma", stock: 3, address: { city: "Chawton" } },
    ]);
  });

  test("what cannot be recognised is sent: an expanded navigation that was null, and a deep copy", async (t) => {
    const server = await startServer((request, res) => {
      if (request.method !== "GET") return void res.writeHead(204).end();
      sendJson(res, 200, { ...V4_BOOK, author: null });
    });
    t.after(() => server.close());
    const books = new ODataClient({ serviceUrl: server.url("odata/"), retry: false }).collection<Book>("Books");
    const book = await books.key(1).expand("reviews").expand("author").get();
    await books.key(1).update({ ...book, stock: 4 });
    await books.key(1).update(structuredClone({ ...book, stock: 5 }));
    const sent = server.requests.filter((request) => request.method === "PATCH").map((request) => JSON.parse(request.body) as Record<string, unknown>);
    assert.deepEqual(sent[0], { ID: 1, title: "Emma", stock: 4, address: { city: "Bath" }, author: null });
    assert.deepEqual(sent[1]?.["reviews"], V4_BOOK.reviews);
  });

  test('option "deep" must be a boolean', async (t) => {
    const { client } = await service(t);
    await assert.rejects(client.collection("Books").key(1).update({ stock: 1 }, { deep: "yes" as unknown as boolean }), /option "deep" must be a boolean/);
  });
});
