/**
 * Entity writes against plain node:http servers: the exact wire of create, update (v2 MERGE and
 * method tunnelling), replace, upsert, delete, `$ref`/`$links`, navigation, singletons and media
 * resources; where `If-Match` comes from; what 412 and 428 say; what the answers resolve with.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataHttpError, edm, type EntityInput } from "../src/index.js";
import { createRequest, preconditionExplanation, updateRequest } from "../src/write/requests.js";
import { answerJson, onlyRequest, sendJson, sendText, serveClient, type Handler, type RecordedRequest } from "./servers/recording-server.js";


interface Book {
  ID: number;
  title: string;
  stock?: number;
  author?: Author;
  reviews?: Review[];
}
interface Author {
  ID: string;
  name: string;
}
interface Review {
  ID: number;
  rating: number;
}

function noContent(headers: Record<string, string> = {}): Handler {
  return (_request, res: ServerResponse) => {
    res.writeHead(204, headers);
    res.end();
  };
}

const ETAG = 'W/"2024-02-11T10:01:00.000Z"';

describe("create", () => {
  test("create POSTs the entity as JSON with the v4 headers and resolves with the entity the service returned", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { "@odata.context": "$metadata#Books/$entity", ID: 7, title: "Emma", stock: 0 }));
    const created = await client.collection<Book>("Books").create({ ID: 7, title: "Emma" });
    assert.deepEqual(created, { ID: 7, title: "Emma", stock: 0 });
    const request = onlyRequest(server);
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/odata/Books");
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["accept"], "application/json");
    assert.equal(request.headers["odata-version"], "4.0");
    assert.equal(request.headers["odata-maxversion"], "4.0");
    assert.equal(request.headers["prefer"], undefined);
    assert.equal(request.headers["if-match"], undefined);
    assert.deepEqual(JSON.parse(request.body), { ID: 7, title: "Emma" });
  });

  test('prefer: "minimal" sends Prefer: return=minimal and a 204 answer resolves with undefined', async (t) => {
    const { server, client } = await serveClient(t, noContent({ location: "Books(7)" }));
    const created = await client.collection<Book>("Books").create({ ID: 7, title: "Emma" }, { prefer: "minimal" });
    assert.equal(created, undefined);
    assert.equal(onlyRequest(server).headers["prefer"], "return=minimal");
  });

  test('prefer: "representation" sends Prefer: return=representation', async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 7 }));
    await client.collection<Book>("Books").create({ ID: 7 }, { prefer: "representation" });
    assert.equal(onlyRequest(server).headers["prefer"], "return=representation");
  });

  test("the ETag header of a 201 is kept as @odata.etag when the body carries none", async (t) => {
    const { client } = await serveClient(t, answerJson(201, { ID: 7, title: "Emma" }, { etag: ETAG }));
    const created = await client.collection("Books").create({ ID: 7, title: "Emma" });
    assert.equal(created?.["@odata.etag"], ETAG);
  });

  test("deep insert: nested entities go in the same POST body, nested control information removed", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 7 }));
    await client.collection<Book>("Books").create({
      ID: 7,
      title: "Emma",
      author: { ID: "austen", name: "Jane Austen", "@odata.etag": 'W/"a"' },
      reviews: [
        { ID: 70, rating: 5 },
        { ID: 71, rating: 4, "@odata.id": "Reviews(71)" },
      ],
    });
    assert.deepEqual(JSON.parse(onlyRequest(server).body), {
      ID: 7,
      title: "Emma",
      author: { ID: "austen", name: "Jane Austen" },
      reviews: [
        { ID: 70, rating: 5 },
        { ID: 71, rating: 4 },
      ],
    });
  });

  test("an entity read earlier is sent without the control information reading added; @odata.type, @odata.bind and other annotations stay", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 8 }));
    await client.collection("Books").create({
      "@odata.context": "$metadata#Books/$entity",
      "@odata.etag": ETAG,
      "@odata.id": "Books(1)",
      "@odata.editLink": "Books(1)",
      "@odata.type": "#CatalogService.Books",
      "author@odata.bind": "Authors('austen')",
      "cover@odata.mediaReadLink": "Books(1)/cover",
      "@Common.Messages": [],
      "price@odata.type": "#Decimal",
      ID: 8,
    });
    // Other annotations are the body's own, which the service reads: they stay too.
    assert.deepEqual(JSON.parse(onlyRequest(server).body), {
      "@odata.type": "#CatalogService.Books",
      "author@odata.bind": "Authors('austen')",
      "@Common.Messages": [],
      "price@odata.type": "#Decimal",
      ID: 8,
    });
  });

  test("create is never retried: a 503 rejects at once", async (t) => {
    const { server, client } = await serveClient(t, answerJson(503, { error: { code: "busy", message: "try later" } }), { retry: { retries: 2, delay: 1 } });
    await assert.rejects(client.collection("Books").create({ ID: 1 }), (error: unknown) => error instanceof ODataHttpError && error.status === 503);
    assert.equal(server.requests.length, 1);
  });

  test("an aborted signal rejects with its reason and sends nothing", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, {}));
    const controller = new AbortController();
    const reason = new Error("stop");
    controller.abort(reason);
    await assert.rejects(client.collection("Books").create({ ID: 1 }, { signal: controller.signal }), (error: unknown) => error === reason);
    await assert.rejects(client.collection("Books").key(1).delete({ signal: controller.signal }), (error: unknown) => error === reason);
    assert.equal(server.requests.length, 0);
  });

  test("a body that cannot be JSON rejects with a TypeError and sends nothing", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, {}));
    const circular: Record<string, unknown> = { ID: 10 };
    circular["self"] = circular;
    await assert.rejects(client.collection("Books").create(circular), (error: unknown) => error instanceof TypeError && error.message.startsWith("create(entity): the entity cannot be sent as JSON"));
    assert.equal(server.requests.length, 0);
  });
});

describe("values a write body holds", () => {
  test("bytes, bigints and edm values go as the JSON values of their types (base64url and exact numbers in v4; base64 and strings for Int64/Decimal in v2)", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 1 }));
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    const values = {
      bytes: new Uint8Array([104, 105, 251, 255]),
      big: 9007199254740993n,
      small: 42n,
      price: edm.decimal("12.30"),
      count: edm.int64("9007199254740993"),
      id: edm.guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
      day: edm.date("2024-01-02"),
      at: edm.dateTime("2024-01-02T03:04:05"),
      ratio: edm.double(0.5),
      flag: edm.boolean(true),
      raw: edm.binary(new Uint8Array([104, 105])),
    };
    await client.collection("Things").create(values);
    await v2.collection("Things").create(values);
    const [v4Body, v2Body] = server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    assert.deepEqual(v4Body, { bytes: "aGn7_w==", big: "9007199254740993", small: 42, price: 12.3, count: "9007199254740993", id: "0f8fad5b-d9cb-469f-a165-70867728950e", day: "2024-01-02", at: "2024-01-02T03:04:05", ratio: 0.5, flag: true, raw: "aGk=" });
    assert.deepEqual(v2Body, { bytes: "aGn7/w==", big: "9007199254740993", small: "42", price: "12.30", count: "9007199254740993", id: "0f8fad5b-d9cb-469f-a165-70867728950e", day: "/Date(1704153600000)/", at: "/Date(1704164645000)/", ratio: 0.5, flag: true, raw: "aGk=" });
  });

  test("the infinities and NaN go as INF, -INF and NaN; a v2 Decimal without its exponent and a v2 time as Edm.Time's duration; a v2 Decimal NaN is refused, naming it", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 1 }));
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    const values = { up: edm.double(Infinity), down: edm.single(-Infinity), none: edm.double(NaN), price: edm.decimal("1.5e3") };
    await client.collection("Things").create(values);
    await client.action("run").invoke(values);
    await v2.collection("Things").create({ price: edm.decimal("1.5e3"), at: edm.timeOfDay("13:20") });
    await assert.rejects(v2.collection("Things").create({ price: edm.decimal("NaN") }), (error: unknown) => error instanceof TypeError && error.message.includes("Edm.Decimal NaN has no OData v2 form"));
    assert.deepEqual(server.requests.map((r) => JSON.parse(r.body) as unknown), [
      { up: "INF", down: "-INF", none: "NaN", price: 1500 },
      { up: "INF", down: "-INF", none: "NaN", price: 1500 },
      { price: "1500", at: "PT13H20M00S" },
    ]);
  });

  test("v2: a reference in a nested value (an object of __metadata with its uri alone) is kept", async (t) => {
    const { server } = await serveClient(t, answerJson(201, { d: { ID: 1 } }));
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    await v2.collection("Books").create({ ID: 1, Author: { __metadata: { uri: "Authors('a')" } }, Reviews: [{ __metadata: { uri: "Reviews(5)", type: "NS.Review" } }] });
    assert.deepEqual(JSON.parse(onlyRequest(server).body), { ID: 1, Author: { __metadata: { uri: "Authors('a')" } }, Reviews: [{ __metadata: { uri: "Reviews(5)" } }] });
  });

  test("a reference a caller puts in a nested value (an object of @odata.id or 4.01 @id alone) is kept; the body's own @odata.id and advertised operations (#NS.op) are left out", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 1 }));
    await client.collection("Books").create({
      "@odata.id": "Books(1)",
      "#CatalogService.order": { title: "order", target: "Books(1)/CatalogService.order" },
      ID: 1,
      reviews: [{ "@odata.id": "Reviews(5)" }],
      author: { "@id": "Authors('a')" },
    } as never);
    assert.deepEqual(JSON.parse(onlyRequest(server).body), { ID: 1, reviews: [{ "@odata.id": "Reviews(5)" }], author: { "@id": "Authors('a')" } });
  });
});

describe("a write's own headers", () => {
  test("a plain object adds headers (names in any case); a Headers instance is refused saying what to pass, and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 1 }));
    const items = client.collection("Items");
    await items.create({ ID: 1 }, { headers: { "X-Trace": "t-1" } });
    assert.equal(onlyRequest(server).headers["x-trace"], "t-1");
    await assert.rejects(
      items.create({ ID: 2 }, { headers: new Headers({ "x-trace": "t-2" }) as unknown as Record<string, string> }),
      (error: unknown) => error instanceof TypeError && /create\(entity\): option "headers" must be an object of header names to strings; got a Headers instance \(pass a plain object/.test(error.message),
    );
    assert.equal(server.requests.length, 1);
  });
});

describe("update, replace, delete and ETags", () => {
  test("update PATCHes the entity URL with If-Match from an etag string and resolves with the returned entity", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: 1, title: "New", "@odata.etag": 'W/"2"' }));
    const updated = await client.collection<Book>("Books").key(1).update({ title: "New" }, { etag: ETAG });
    assert.deepEqual(updated, { ID: 1, title: "New", "@odata.etag": 'W/"2"' });
    const request = onlyRequest(server);
    assert.equal(request.method, "PATCH");
    assert.equal(request.path, "/odata/Books(1)");
    assert.equal(request.headers["if-match"], ETAG);
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["odata-version"], "4.0");
    assert.deepEqual(JSON.parse(request.body), { title: "New" });
  });

  test("update with { etag: entityReadEarlier } sends that entity's @odata.etag", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    const book = { "@odata.etag": ETAG, ID: 1, title: "Old" };
    await client.collection<Book>("Books").key(1).update({ stock: 3 }, { etag: book });
    assert.equal(onlyRequest(server).headers["if-match"], ETAG);
  });

  test("an entity read with only an ETag header carries it into the next update as If-Match", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "GET") sendJson(res, 200, { ID: 1, title: "Old" }, { etag: ETAG });
      else noContent()(request, res, undefined as never);
    });
    const books = client.collection<Book>("Books");
    const book = await books.key(1).get();
    await books.key(1).update({ ...book, title: "New" });
    const patch = server.requests[1] as RecordedRequest;
    assert.equal(patch.headers["if-match"], ETAG);
    assert.deepEqual(JSON.parse(patch.body), { ID: 1, title: "New" });
  });

  test("update resolves with undefined on 204", async (t) => {
    const { client } = await serveClient(t, noContent());
    assert.equal(await client.collection<Book>("Books").key(1).update({ title: "x" }), undefined);
  });

  test("update without any ETag sends no If-Match", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await client.collection<Book>("Books").key(1).update({ title: "x" });
    assert.equal(onlyRequest(server).headers["if-match"], undefined);
  });

  test("etag: false sends no If-Match even when the patch carries an ETag", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await client.collection<Book>("Books").key(1).update({ "@odata.etag": ETAG, title: "x" }, { etag: false });
    const request = onlyRequest(server);
    assert.equal(request.headers["if-match"], undefined);
    assert.deepEqual(JSON.parse(request.body), { title: "x" });
  });

  test('ifMatch: "*" sends If-Match: * and wins over the ETag the patch carries', async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await client.collection<Book>("Books").key(1).update({ "@odata.etag": ETAG, title: "x" }, { ifMatch: "*" });
    assert.equal(onlyRequest(server).headers["if-match"], "*");
  });

  test("an entity given as etag without any ETag rejects with a TypeError and sends nothing", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await assert.rejects(client.collection<Book>("Books").key(1).update({ title: "x" }, { etag: { ID: 1 } }), /carries no ETag/);
    assert.equal(server.requests.length, 0);
  });

  test('prefer: "representation" on update sends Prefer: return=representation', async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { ID: 1 }));
    await client.collection<Book>("Books").key(1).update({ title: "x" }, { prefer: "representation" });
    assert.equal(onlyRequest(server).headers["prefer"], "return=representation");
  });

  test("update is never retried (PATCH is not idempotent)", async (t) => {
    const { server, client } = await serveClient(t, answerJson(503, {}), { retry: { retries: 2, delay: 1 } });
    await assert.rejects(client.collection<Book>("Books").key(1).update({ title: "x" }), ODataHttpError);
    assert.equal(server.requests.length, 1);
  });

  test("replace PUTs the whole entity with If-Match and is retried after a 503 (PUT is idempotent)", async (t) => {
    let calls = 0;
    const { server, client } = await serveClient(
      t,
      (request, res) => (++calls === 1 ? sendJson(res, 503, {}) : noContent()(request, res, undefined as never)),
      { retry: { retries: 2, delay: 1 } },
    );
    await client.collection<Book>("Books").key(1).replace({ ID: 1, title: "Whole", stock: 1 }, { etag: ETAG });
    assert.equal(server.requests.length, 2);
    for (const request of server.requests) {
      assert.equal(request.method, "PUT");
      assert.equal(request.path, "/odata/Books(1)");
      assert.equal(request.headers["if-match"], ETAG);
      assert.deepEqual(JSON.parse(request.body), { ID: 1, title: "Whole", stock: 1 });
    }
  });

  test("delete is retried after a 503 (DELETE is idempotent), with its If-Match each time", async (t) => {
    let calls = 0;
    const { server, client } = await serveClient(
      t,
      (request, res) => (++calls === 1 ? sendJson(res, 503, {}) : noContent()(request, res, undefined as never)),
      { retry: { retries: 2, delay: 1 } },
    );
    await client.collection<Book>("Books").key(1).delete({ etag: ETAG });
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path} ${request.headers["if-match"]}`),
      [`DELETE /odata/Books(1) ${ETAG}`, `DELETE /odata/Books(1) ${ETAG}`],
    );
  });

  test("delete sends DELETE with If-Match from the entity read earlier, no body and no Content-Type", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    const result = await client.collection<Book>("Books").key(1).delete({ etag: { "@odata.etag": ETAG } });
    assert.equal(result, undefined);
    const request = onlyRequest(server);
    assert.equal(request.method, "DELETE");
    assert.equal(request.path, "/odata/Books(1)");
    assert.equal(request.headers["if-match"], ETAG);
    assert.equal(request.headers["content-type"], undefined);
    assert.equal(request.body, "");
  });

  test("a compound key addresses the entity with its key predicate", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await client.collection("Pairs").key({ A: 2, B: "it's" }).delete();
    assert.equal(onlyRequest(server).path, "/odata/Pairs(A=2,B='it''s')");
  });

  test("412 rejects with ODataHttpError (HTTP_ERROR) whose message says the entity changed since it was read", async (t) => {
    const { client } = await serveClient(t, answerJson(412, { error: { code: "412", message: "Precondition Failed" } }));
    await assert.rejects(client.collection<Book>("Books").key(1).update({ title: "x" }, { etag: 'W/"stale"' }), (error: unknown) => {
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.code, "HTTP_ERROR");
      assert.equal(error.status, 412);
      assert.match(error.message, /failed with HTTP 412/);
      assert.match(error.message, /precondition failed: the entity changed since it was read/);
      return true;
    });
  });

  test("412 to a write with If-Match: * says there is no such entity, and to one without If-Match that no ETag was compared", async (t) => {
    const { client } = await serveClient(t, answerJson(412, { error: { code: "412", message: "Precondition Failed" } }));
    const book = client.collection<Book>("Books").key(1);
    await assert.rejects(book.update({ title: "x" }, { ifMatch: "*" }), /\(precondition failed: there is no such entity \(If-Match: \* asked to write only an entity that exists\)\)$/);
    await assert.rejects(book.delete(), /\(precondition failed: the service refused a condition of its own \(no If-Match was sent\)\)$/);
  });

  test("428 rejects with ODataHttpError whose message says the service wants If-Match", async (t) => {
    const { client } = await serveClient(t, answerJson(428, { error: { code: "428", message: "Precondition Required" } }));
    await assert.rejects(client.collection<Book>("Books").key(1).delete(), (error: unknown) => {
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.status, 428);
      assert.match(error.message, /precondition required: the service wants If-Match/);
      return true;
    });
  });
});

describe("upsert", () => {
  test("upsert PATCHes the key without If-Match, even when the body carries an ETag", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { A: 9, B: "z", label: "nine" }));
    const result = await client.collection("Pairs").key({ A: 9, B: "z" }).upsert({ "@odata.etag": ETAG, label: "nine" });
    assert.deepEqual(result, { A: 9, B: "z", label: "nine" });
    const request = onlyRequest(server);
    assert.equal(request.method, "PATCH");
    assert.equal(request.path, "/odata/Pairs(A=9,B='z')");
    assert.equal(request.headers["if-match"], undefined);
    assert.equal(request.headers["if-none-match"], undefined);
    assert.deepEqual(JSON.parse(request.body), { label: "nine" });
  });

  test('replace: true upserts with PUT; ifNoneMatch: "*" sends If-None-Match: * (insert only)', async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await client.collection("Pairs").key({ A: 9, B: "z" }).upsert({ label: "nine" }, { replace: true, ifNoneMatch: "*" });
    const request = onlyRequest(server);
    assert.equal(request.method, "PUT");
    assert.equal(request.headers["if-none-match"], "*");
  });

  test("a 412 to an insert-only upsert says the entity already exists", async (t) => {
    const { client } = await serveClient(t, answerJson(412, { error: { code: "412", message: "exists" } }));
    await assert.rejects(client.collection("Pairs").key({ A: 1, B: "x" }).upsert({ label: "x" }, { ifNoneMatch: "*" }), /precondition failed: the entity already exists/);
  });
});

describe("OData v2", () => {
  test("update sends MERGE with DataServiceVersion headers, If-Match from __metadata.etag, and a body without __metadata", async (t) => {
    const { server, client } = await serveClient(t, noContent(), { version: "2.0" });
    const book = { __metadata: { uri: "http://x/Books(1)", type: "CatalogService.Books", etag: ETAG }, ID: 1, title: "Old" };
    await client.collection<Book>("Books").key(1).update({ ...book, title: "New" });
    const request = onlyRequest(server);
    assert.equal(request.method, "MERGE");
    assert.equal(request.path, "/odata/Books(1)");
    assert.equal(request.headers["if-match"], ETAG);
    assert.equal(request.headers["dataserviceversion"], "2.0");
    assert.equal(request.headers["maxdataserviceversion"], "2.0");
    assert.equal(request.headers["odata-version"], undefined);
    assert.equal(request.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(request.body), { ID: 1, title: "New" });
  });

  test("tunnel: true sends POST with X-HTTP-Method: MERGE", async (t) => {
    const { server, client } = await serveClient(t, noContent(), { version: "2.0" });
    await client.collection<Book>("Books").key(1).update({ title: "New" }, { tunnel: true, etag: ETAG });
    const request = onlyRequest(server);
    assert.equal(request.method, "POST");
    assert.equal(request.headers["x-http-method"], "MERGE");
    assert.equal(request.headers["if-match"], ETAG);
  });

  test("create unwraps d, converts /Date()/ values, and keeps the ETag header as __metadata.etag", async (t) => {
    const { server, client } = await serveClient(
      t,
      answerJson(201, { d: { __metadata: { uri: "http://x/Books(7)", type: "CatalogService.Books" }, ID: 7, modifiedAt: "/Date(1700000000000)/" } }, { etag: ETAG }),
      { version: "2.0" },
    );
    const created = (await client.collection("Books").create({ ID: 7 })) as Record<string, unknown>;
    assert.deepEqual(created, { __metadata: { uri: "http://x/Books(7)", type: "CatalogService.Books", etag: ETAG }, ID: 7, modifiedAt: "2023-11-14T22:13:20Z" });
    assert.equal(onlyRequest(server).headers["dataserviceversion"], "2.0");
  });

  test("a __metadata holding only a type the caller wrote is sent (a derived type needs it)", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { d: { ID: 7 } }), { version: "2.0" });
    await client.collection("Books").create({ __metadata: { type: "CatalogService.SpecialBook" }, ID: 7 });
    assert.deepEqual(JSON.parse(onlyRequest(server).body), { __metadata: { type: "CatalogService.SpecialBook" }, ID: 7 });
  });

  test("replace is PUT and delete is DELETE, with If-Match", async (t) => {
    const { server, client } = await serveClient(t, noContent(), { version: "2.0" });
    await client.collection<Book>("Books").key(1).replace({ ID: 1, title: "x" }, { etag: ETAG });
    await client.collection<Book>("Books").key(1).delete({ etag: ETAG });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.headers["if-match"]]),
      [
        ["PUT", "/odata/Books(1)", ETAG],
        ["DELETE", "/odata/Books(1)", ETAG],
      ],
    );
  });
});

describe("references ($ref, v2 $links)", () => {
  test("link POSTs {@odata.id: absolute target URL} to Books(1)/reviews/$ref", async (t) => {
    const { server, client, root } = await serveClient(t, noContent());
    await client.collection<Book>("Books").key(1).link("reviews", client.collection("Reviews").key(5));
    const request = onlyRequest(server);
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/odata/Books(1)/reviews/$ref");
    assert.equal(request.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(request.body), { "@odata.id": `${root}Reviews(5)` });
  });

  test("setLink PUTs a single-valued reference; unlink without target DELETEs it", async (t) => {
    const { server, client, root } = await serveClient(t, noContent());
    const book = client.collection<Book>("Books").key(1);
    await book.setLink("author", client.collection("Authors").key("O'Brien"));
    await book.unlink("author");
    const [put, del] = server.requests as [RecordedRequest, RecordedRequest];
    assert.equal(put.method, "PUT");
    assert.equal(put.path, "/odata/Books(1)/author/$ref");
    assert.deepEqual(JSON.parse(put.body), { "@odata.id": `${root}Authors('O''Brien')` });
    assert.equal(del.method, "DELETE");
    assert.equal(del.path, "/odata/Books(1)/author/$ref");
    assert.equal(del.body, "");
  });

  test("unlink with a target DELETEs Books(1)/reviews/$ref?$id=<target URL>", async (t) => {
    const { server, client, root } = await serveClient(t, noContent());
    await client.collection<Book>("Books").key(1).unlink("reviews", client.collection("Reviews").key(5));
    const request = onlyRequest(server);
    assert.equal(request.method, "DELETE");
    const url = new URL(request.path, root);
    assert.equal(url.pathname, "/odata/Books(1)/reviews/$ref");
    assert.equal(url.searchParams.get("$id"), `${root}Reviews(5)`);
  });

  test("v2 uses $links: POST {uri}, PUT for single-valued, DELETE $links/reviews(5) and $links/author", async (t) => {
    const { server, client, root } = await serveClient(t, noContent(), { version: "2.0" });
    const book = client.collection<Book>("Books").key(1);
    await book.link("reviews", client.collection("Reviews").key(5));
    await book.setLink("author", client.collection("Authors").key("austen"));
    await book.unlink("reviews", client.collection("Reviews").key(5));
    await book.unlink("author");
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.body === "" ? undefined : JSON.parse(r.body)]),
      [
        ["POST", "/odata/Books(1)/$links/reviews", { uri: `${root}Reviews(5)` }],
        ["PUT", "/odata/Books(1)/$links/author", { uri: `${root}Authors('austen')` }],
        ["DELETE", "/odata/Books(1)/$links/reviews(5)", undefined],
        ["DELETE", "/odata/Books(1)/$links/author", undefined],
      ],
    );
    assert.equal(server.requests[0]?.headers["dataserviceversion"], "2.0");
  });
});

describe("navigation and singletons", () => {
  test("navigate gives a collection query on Books(1)/reviews that reads with its options", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: 1, rating: 5 }] }));
    const reviews = client.collection<Book>("Books").key(1).navigate("reviews");
    assert.equal(reviews.url(), `${server.url("odata/")}Books(1)/reviews`);
    const found = await reviews.filter((f) => f.ge("rating", 4)).list();
    assert.deepEqual(found, [{ ID: 1, rating: 5 }]);
    assert.equal(onlyRequest(server).path, "/odata/Books(1)/reviews?$filter=rating%20ge%204");
  });

  test("create on a navigation POSTs to Books(1)/reviews; key() on it addresses Books(1)/reviews(5)", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 9, rating: 3 }));
    const reviews = client.collection<Book>("Books").key(1).navigate("reviews");
    const created = await reviews.create({ ID: 9, rating: 3 });
    assert.deepEqual(created, { ID: 9, rating: 3 });
    assert.equal(onlyRequest(server).path, "/odata/Books(1)/reviews");
    assert.equal(reviews.key(5).url(), `${server.url("odata/")}Books(1)/reviews(5)`);
  });

  test("createAsync on a navigation POSTs to Books(1)/reviews with Prefer: respond-async", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 9, rating: 3 }));
    const poller = await client.collection<Book>("Books").key(1).navigate("reviews").createAsync({ ID: 9, rating: 3 });
    assert.deepEqual(await poller.wait(), { ID: 9, rating: 3 });
    const request = onlyRequest(server);
    assert.equal(request.path, "/odata/Books(1)/reviews");
    assert.equal(request.headers["prefer"], "respond-async");
  });

  test("navigateOne gives an entity query on Books(1)/author that reads and updates", async (t) => {
    const { server, client } = await serveClient(t, (request, res) =>
      request.method === "GET" ? sendJson(res, 200, { ID: "austen", name: "Jane" }) : noContent()(request, res, undefined as never),
    );
    const author = client.collection<Book>("Books").key(1).navigateOne("author");
    assert.deepEqual(await author.select("name").get(), { ID: "austen", name: "Jane" });
    await author.update({ name: "Jane Austen" });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path]),
      [
        ["GET", "/odata/Books(1)/author?$select=name"],
        ["PATCH", "/odata/Books(1)/author"],
      ],
    );
  });

  test("a singleton is addressed by its name: get is GET Settings, update is PATCH Settings", async (t) => {
    const { server, client } = await serveClient(t, (request, res) =>
      request.method === "GET" ? sendJson(res, 200, { theme: "light" }) : sendJson(res, 200, { theme: "dark" }),
    );
    const settings = client.singleton<{ theme: string }>("Settings");
    assert.deepEqual(await settings.get(), { theme: "light" });
    assert.deepEqual(await settings.update({ theme: "dark" }), { theme: "dark" });
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.path, r.body]),
      [
        ["GET", "/odata/Settings", ""],
        ["PATCH", "/odata/Settings", '{"theme":"dark"}'],
      ],
    );
  });

  test("a singleton name that is not an identifier is a TypeError", (t) => {
    const client = new ODataClient({ serviceUrl: "http://127.0.0.1:9/odata/" });
    assert.throws(() => client.singleton("Settings/../x"), TypeError);
  });
});

describe("media resources", () => {
  test("media().bytes() GETs Photos(1)/$value with Accept: */* and resolves with the bytes", async (t) => {
    const content = Buffer.from([0, 1, 2, 255]);
    const { server, client } = await serveClient(t, (_request, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": content.length });
      res.end(content);
    });
    const bytes = await client.collection("Photos").key(1).media().bytes();
    assert.deepEqual([...bytes], [0, 1, 2, 255]);
    const request = onlyRequest(server);
    assert.equal(request.method, "GET");
    assert.equal(request.path, "/odata/Photos(1)/$value");
    assert.equal(request.headers["accept"], "*/*");
  });

  test("media(property).text() reads the stream property Books(1)/cover as text", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, "héllo"));
    assert.equal(await client.collection<Book & { cover: string }>("Books").key(1).media("cover").text(), "héllo");
    assert.equal(onlyRequest(server).path, "/odata/Books(1)/cover");
  });

  test("media().stream() gives the body as a stream with its content type and ETag", async (t) => {
    const { client } = await serveClient(t, (_request, res) => sendText(res, 200, "abc", { etag: 'W/"m1"' }));
    const { body, contentType, etag } = await client.collection("Photos").key(1).media().stream();
    assert.equal(contentType, "text/plain");
    assert.equal(etag, 'W/"m1"');
    assert.equal(await new Response(body).text(), "abc");
  });

  test("media().put() PUTs the content with its Content-Type and If-Match from the media ETag", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    const photo = { "@odata.etag": 'W/"entity"', "@odata.mediaEtag": 'W/"media"', ID: 1 };
    await client.collection("Photos").key(1).media().put(new Uint8Array([1, 2, 3]), { contentType: "image/png", etag: photo });
    const request = onlyRequest(server);
    assert.equal(request.method, "PUT");
    assert.equal(request.path, "/odata/Photos(1)/$value");
    assert.equal(request.headers["content-type"], "image/png");
    assert.equal(request.headers["if-match"], 'W/"media"');
    assert.deepEqual([...Buffer.from(request.body, "latin1")], [1, 2, 3]);
  });

  test("media().put() resolves with the content's new ETag from the answer's ETag header, which the next put() sends as If-Match; without the header it is undefined", async (t) => {
    let version = 1;
    const { server, client } = await serveClient(t, (_request, res) => {
      version += 1;
      res.writeHead(204, version < 4 ? { etag: `W/"m${version}"` } : {});
      res.end();
    });
    const media = client.collection("Photos").key(1).media();
    const first = await media.put("one", { contentType: "text/plain", ifMatch: "*" });
    assert.deepEqual(first, { etag: 'W/"m2"' });
    const second = await media.put("two", { contentType: "text/plain", etag: first.etag });
    assert.deepEqual(second, { etag: 'W/"m3"' });
    await media.put("three", { contentType: "text/plain", etag: second.etag });
    assert.deepEqual(await media.put("four", { contentType: "text/plain" }), { etag: undefined });
    assert.deepEqual(server.requests.map((r) => [r.method, r.path, r.headers["if-match"], r.body]), [
      ["PUT", "/odata/Photos(1)/$value", "*", "one"],
      ["PUT", "/odata/Photos(1)/$value", 'W/"m2"', "two"],
      ["PUT", "/odata/Photos(1)/$value", 'W/"m3"', "three"],
      ["PUT", "/odata/Photos(1)/$value", undefined, "four"],
    ]);
  });

  test("media(property).put() takes If-Match from the stream property's own media ETag (cover@odata.mediaEtag, 4.01 cover@mediaEtag), not the media entity's", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    const book = { "@odata.etag": 'W/"entity"', "@odata.mediaEtag": 'W/"value-stream"', "cover@odata.mediaEtag": 'W/"cover"', ID: 1 };
    const cover = client.collection("Books").key(1).media("cover");
    await cover.put("png", { contentType: "image/png", etag: book });
    await cover.put("png", { contentType: "image/png", etag: { "@etag": 'W/"entity"', "@mediaEtag": 'W/"value-stream"', "cover@mediaEtag": 'W/"cover-4.01"' } });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["if-match"]}`),
      ['PUT /odata/Books(1)/cover W/"cover"', 'PUT /odata/Books(1)/cover W/"cover-4.01"'],
    );
  });

  test("media(property).put() with an entity whose property has no media ETag sends the entity's own ETag, never the media entity's @odata.mediaEtag", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    const book = { "@odata.etag": 'W/"entity"', "@odata.mediaEtag": 'W/"value-stream"', "thumbnail@odata.mediaEtag": 'W/"thumbnail"', ID: 1 };
    await client.collection("Books").key(1).media("cover").put("png", { contentType: "image/png", etag: book });
    assert.equal(onlyRequest(server).headers["if-match"], 'W/"entity"');
  });

  test("media().put() with an entity without a media ETag sends the entity's own ETag (SAP CAP guards a stream with it); v2 takes __metadata.media_etag first", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await client.collection("Photos").key(1).media().put("x", { contentType: "text/plain", etag: { "@odata.etag": 'W/"entity"', ID: 1 } });
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    await v2.collection("Photos").key(1).media().put("x", { contentType: "text/plain", etag: { __metadata: { etag: 'W/"v2-entity"', media_etag: 'W/"v2-media"' }, ID: 1 } });
    assert.deepEqual(
      server.requests.map((r) => `${r.path} ${r.headers["if-match"]}`),
      ['/odata/Photos(1)/$value W/"entity"', '/v2/Photos(1)/$value W/"v2-media"'],
    );
  });

  test("media(property).put() with an entity that carries no ETag at all is a TypeError naming what it looked for, and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await assert.rejects(
      client.collection("Books").key(1).media("cover").put("png", { contentType: "image/png", etag: { "@odata.mediaEtag": 'W/"value-stream"', ID: 1 } }),
      {
        name: "TypeError",
        message: 'media().put(content): the entity given as option "etag" carries no ETag (no cover@odata.mediaEtag or @odata.etag); pass its ETag, ifMatch: "*", or etag: false',
      },
    );
    assert.equal(server.requests.length, 0);
  });

  test("createMedia POSTs the content with Content-Type and Slug and resolves with the new entity", async (t) => {
    const { server, client } = await serveClient(t, answerJson(201, { ID: 3, title: "logo.png" }));
    const created = await client.collection("Photos").createMedia("PNG...", { contentType: "image/png", slug: "logo.png" });
    assert.deepEqual(created, { ID: 3, title: "logo.png" });
    const request = onlyRequest(server);
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/odata/Photos");
    assert.equal(request.headers["content-type"], "image/png");
    assert.equal(request.headers["slug"], "logo.png");
    assert.equal(request.body, "PNG...");
  });

  test("a media read answered 404 rejects with ODataHttpError", async (t) => {
    const { client } = await serveClient(t, answerJson(404, { error: { code: "404", message: "no photo" } }));
    await assert.rejects(client.collection("Photos").key(9).media().bytes(), (error: unknown) => error instanceof ODataHttpError && error.status === 404);
  });

  test("a content type that is not a media type is a TypeError and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, noContent());
    await assert.rejects(client.collection("Photos").key(1).media().put("x", { contentType: "png\r\nx-evil: 1" }), TypeError);
    assert.equal(server.requests.length, 0);
  });
});

describe("request building (pure)", () => {
  const context = { serviceUrl: new URL("https://host/odata/v4/catalog/"), version: "4.0" as const, ieee754Compatible: false };

  test("createRequest gives method, absolute and relative URL, headers and body without sending", () => {
    const request = createRequest(context, { entitySet: "Books", parentPath: "Authors('austen')" }, { ID: 1 }, { prefer: "minimal" });
    assert.equal(request.method, "POST");
    assert.equal(request.url.href, "https://host/odata/v4/catalog/Authors('austen')/Books");
    assert.equal(request.path, "Authors('austen')/Books");
    assert.deepEqual(request.headers, {
      accept: "application/json",
      "odata-version": "4.0",
      "odata-maxversion": "4.0",
      "content-type": "application/json",
      prefer: "return=minimal",
    });
    assert.equal(request.body, '{"ID":1}');
    assert.equal(request.retry, false);
  });

  test("updateRequest with tunnel and custom headers: POST, X-HTTP-Method: PATCH, the caller's headers added", () => {
    const request = updateRequest(context, { entitySet: "Books", keyPredicate: "(1)" }, { title: "x" }, { tunnel: true, headers: { "X-Tenant": "a" } });
    assert.equal(request.method, "POST");
    assert.equal(request.headers["x-http-method"], "PATCH");
    assert.equal(request.headers["x-tenant"], "a");
  });

  test("the ETag of an OData 4.01 entity written without the odata. prefix (@etag) becomes If-Match and leaves the body", () => {
    const request = updateRequest({ ...context, version: "4.01" }, { entitySet: "Books", keyPredicate: "(1)" }, { "@etag": ETAG, title: "x" });
    assert.equal(request.headers["if-match"], ETAG);
    assert.equal(request.headers["odata-version"], "4.01");
    assert.equal(request.body, '{"title":"x"}');
  });

  test("preconditionExplanation explains 412 and 428 only", () => {
    assert.match(preconditionExplanation(412, { headers: { "if-match": 'W/"1"' } }) ?? "", /changed since it was read/);
    assert.match(preconditionExplanation(412, { headers: { "if-match": "*" } }) ?? "", /there is no such entity/);
    assert.match(preconditionExplanation(412, { headers: {} }) ?? "", /no If-Match was sent/);
    assert.match(preconditionExplanation(428, { headers: {} }) ?? "", /wants If-Match/);
    assert.equal(preconditionExplanation(409, { headers: {} }), undefined);
  });
});

describe("types", () => {
  test("write inputs are checked against the entity type by the compiler", () => {
    const client = new ODataClient({ serviceUrl: "http://127.0.0.1:9/odata/" });
    const books = client.collection<Book>("Books");
    const ok: EntityInput<Book> = { title: "x", reviews: [{ rating: 1 }], "@odata.etag": ETAG, "author@odata.bind": "Authors('a')" };
    // @ts-expect-error: `titel` is not a property of Book
    const wrong: EntityInput<Book> = { titel: "x" };
    // @ts-expect-error: `stock` is a number
    const wrongType: EntityInput<Book> = { stock: "many" };
    const book: Book = { ID: 1, title: "x", author: { ID: "a", name: "A" } };
    const fromInterface: EntityInput<Book> = book;
    const created: () => Promise<Book | undefined> = () => books.create(book);
    assert.ok(ok && wrong && wrongType && fromInterface && typeof created === "function");
  });
});
