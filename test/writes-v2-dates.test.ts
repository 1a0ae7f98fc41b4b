/**
 * Dates in OData v2 write bodies. v2 JSON writes `Edm.DateTime` as `/Date(<ms since 1970 UTC>)/`,
 * and strict services refuse ISO text there (SAP SuccessFactors: "Illegal datetime format"). The
 * reader turns `/Date(...)/` into ISO text, so an entity read and written back must send its dates
 * in the v2 form again; a JS `Date` too. v2 JSON carries no types, so only the members the reader
 * converted are dates: any other text, however ISO-like, is sent as written. v4 bodies keep ISO
 * text. Against a node:http service here; test/writes-cap.test.ts has the round trip through SAP
 * CAP's v2 adapter.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeBody } from "../src/write/requests.js";
import { normalizeV2Entity } from "../src/payload/v2-values.js";
import type { ServerResponse } from "node:http";
import { sendJson, serveClient } from "./servers/recording-server.js";

function noContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** A v2 service whose Books(1) carries dates in the forms v2 services send them. */
function v2Book() {
  return {
    __metadata: { uri: "Books(1)", type: "S.Book", etag: 'W/"e1"' },
    ID: 1,
    published: "/Date(-5026233600000)/",
    changedAt: "/Date(1700000000123+0000)/",
    localAt: "/Date(1700000000000+0060)/",
    readingTime: "PT13H20M",
    price: "12.31",
    title: "Pride and Prejudice, 2nd edition",
    stock: 1,
  };
}

describe("v2 write bodies", () => {
  test("an entity read and written back with update sends its dates as /Date(ms)/ (an offset one as its UTC instant), everything else as read", async (t) => {
    const { server, client } = await serveClient(
      t,
      (request, res) => (request.method === "GET" ? sendJson(res, 200, { d: v2Book() }) : noContent(res)),
      { version: "2.0" },
    );
    const books = client.collection("Books");
    const read = await books.key(1).get();
    assert.equal(read["published"], "1810-09-23T00:00:00Z", "the reader gives ISO text");
    assert.equal(read["localAt"], "2023-11-14T23:13:20+01:00");
    await books.key(1).update({ ...read, stock: 2 });
    const write = server.requests[1];
    assert.equal(write?.method, "MERGE");
    assert.equal(write?.headers["if-match"], 'W/"e1"');
    assert.deepEqual(JSON.parse(write?.body ?? ""), {
      ID: 1,
      published: "/Date(-5026233600000)/",
      changedAt: "/Date(1700000000123)/",
      localAt: "/Date(1700000000000)/",
      readingTime: "PT13H20M",
      price: "12.31",
      title: "Pride and Prejudice, 2nd edition",
      stock: 2,
    });
  });

  test("a Date is sent as /Date(ms)/ in create, replace and upsert bodies", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => noContent(res), { version: "2.0" });
    const at = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    await client.collection("Books").create({ ID: 2, published: at });
    await client.collection("Books").key(2).replace({ ID: 2, published: at }, { etag: false });
    await client.collection("Books").key(2).upsert({ published: at });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.body}`),
      ['POST {"ID":2,"published":"/Date(1704164645678)/"}', 'PUT {"ID":2,"published":"/Date(1704164645678)/"}', 'MERGE {"published":"/Date(1704164645678)/"}'],
    );
  });

  test("a string property holding text in the reader's ISO form is sent as written: the caller's own, and one the service sent as text", async (t) => {
    const { server, client } = await serveClient(
      t,
      (request, res) =>
        request.method === "GET" ? sendJson(res, 200, { d: { ...v2Book(), note: "2024-01-02T10:00:00Z", title: "1999-12-31T23:59:59.999+01:00" } }) : noContent(res),
      { version: "2.0" },
    );
    const book = client.collection("Books").key(1);
    await book.update({ note: "2024-01-02T10:00:00Z" });
    await client.collection("Books").create({ ID: 9, note: "2024-01-02T10:00:00Z", at: "2024-01-02T10:00:00.500-05:00" });
    const read = await book.get();
    await book.update({ ...read, stock: 2 });
    assert.equal(server.requests[0]?.body, '{"note":"2024-01-02T10:00:00Z"}');
    assert.equal(server.requests[1]?.body, '{"ID":9,"note":"2024-01-02T10:00:00Z","at":"2024-01-02T10:00:00.500-05:00"}');
    const sent = JSON.parse(server.requests[3]?.body ?? "") as Record<string, unknown>;
    assert.equal(sent["note"], "2024-01-02T10:00:00Z");
    assert.equal(sent["title"], "1999-12-31T23:59:59.999+01:00");
    assert.equal(sent["published"], "/Date(-5026233600000)/", "the properties the service sent as dates still go as dates");
    assert.equal(sent["changedAt"], "/Date(1700000000123)/");
  });

  test("dates read in complex values, expanded entities and collections go back as /Date(ms)/ through { ...read } copies, a deep insert included; their string neighbours as written", async (t) => {
    const entity = {
      ...v2Book(),
      note: "2024-01-02T10:00:00Z",
      address: { __metadata: { type: "S.Address" }, validFrom: "/Date(1704153600000)/", street: "2024-05-06T07:08:09Z" },
      bare: { since: "/Date(86400000)/", label: "1970-01-02T00:00:00Z" },
      holidays: { results: ["/Date(86400000)/", "/Date(172800000)/"] },
      author: { __metadata: { uri: "Authors('A')", type: "S.Author" }, ID: "A", born: "/Date(-4102444800000)/", motto: "2000-01-01T00:00:00Z" },
      reviews: { results: [{ __metadata: { uri: "Reviews(11)", type: "S.Review" }, ID: 11, at: "/Date(1700000000000+0060)/", text: "1970-01-01T00:00:00Z" }] },
    };
    const { server, client } = await serveClient(
      t,
      (request, res) => (request.method === "GET" ? sendJson(res, 200, { d: entity }) : noContent(res)),
      { version: "2.0" },
    );
    const books = client.collection("Books");
    const read = await books.key(1).expand("author").expand("reviews").get();
    const address = read["address"] as Record<string, unknown>;
    const author = read["author"] as Record<string, unknown>;
    const [review] = read["reviews"] as unknown as Record<string, unknown>[];
    await books.key(1).update({ ...read, stock: 2, address: { ...address, street: "Main St" } });
    await books.create(
      { ...read, ID: 2, author: { ...author, ID: "B" }, reviews: [{ ...review, ID: 21 }], holidays: [...(read["holidays"] as string[]), "1970-01-04T00:00:00Z"] },
      { deep: true },
    );
    const update = JSON.parse(server.requests[1]?.body ?? "") as Record<string, unknown>;
    assert.deepEqual(
      { note: update["note"], address: update["address"], bare: update["bare"], holidays: update["holidays"], published: update["published"] },
      {
        note: "2024-01-02T10:00:00Z",
        address: { __metadata: { type: "S.Address" }, validFrom: "/Date(1704153600000)/", street: "Main St" },
        bare: { since: "/Date(86400000)/", label: "1970-01-02T00:00:00Z" },
        holidays: ["/Date(86400000)/", "/Date(172800000)/"],
        published: "/Date(-5026233600000)/",
      },
    );
    assert.equal(update["author"], undefined, "an expanded value is left out of a write that is not deep");
    const insert = JSON.parse(server.requests[2]?.body ?? "") as Record<string, unknown>;
    assert.deepEqual(
      { author: insert["author"], reviews: insert["reviews"], holidays: insert["holidays"], address: insert["address"] },
      {
        author: { ID: "B", born: "/Date(-4102444800000)/", motto: "2000-01-01T00:00:00Z" },
        reviews: [{ ID: 21, at: "/Date(1700000000000)/", text: "1970-01-01T00:00:00Z" }],
        // A new array is the caller's own: its texts go as written.
        holidays: ["1970-01-02T00:00:00Z", "1970-01-03T00:00:00Z", "1970-01-04T00:00:00Z"],
        address: { __metadata: { type: "S.Address" }, validFrom: "/Date(1704153600000)/", street: "2024-05-06T07:08:09Z" },
      },
    );
  });

  test("a date property set to a new text in the reader's form is sent as that date; the read array edited in place stays a collection of dates", () => {
    const read = normalizeV2Entity({ __metadata: { uri: "Books(1)" }, published: "/Date(0)/", days: { results: ["/Date(0)/"] } });
    (read.days as unknown as string[]).push("2024-01-02T00:00:00.500Z", "not a date");
    assert.deepEqual(JSON.parse(writeBody({ ...read, published: "2024-01-02T03:04:05Z" }, "2.0", "update(patch)")), {
      published: "/Date(1704164645000)/",
      days: ["/Date(0)/", "/Date(1704153600500)/", "not a date"],
    });
  });

  test("a date property set to a text the readers never make of a date is sent as written: no zone, a day alone, eight fractional digits, a day or time that does not exist", () => {
    const texts = {
      noZone: "2024-01-02T03:04:05",
      day: "2024-01-02",
      // (Seven digits are the Atom reader's ticks, taken to the millisecond: see "an entity read as Atom".)
      ticks: "2024-01-02T03:04:05.12345678Z",
      february30: "2023-02-30T00:00:00Z",
      hour24: "2024-01-01T24:00:00Z",
      second60: "2024-01-01T10:15:60Z",
      offset24: "2024-01-01T10:15:00+24:00",
      spaced: "2024-01-02 03:04:05Z",
      sentence: "Due 2024-01-02T03:04:05Z",
    };
    const read = normalizeV2Entity({ __metadata: { uri: "Books(1)" }, ...Object.fromEntries(Object.keys(texts).map((name) => [name, "/Date(0)/"])) });
    assert.deepEqual(JSON.parse(writeBody({ ...read, ...texts }, "2.0", "update(patch)")), texts);
  });

  test("the years 0 to 99 and negative offsets keep their instant", () => {
    const read = normalizeV2Entity({ __metadata: { uri: "Books(1)" }, a: "/Date(0)/", b: "/Date(0)/" });
    const body = JSON.parse(writeBody({ ...read, a: "0050-03-01T00:00:00Z", b: "2024-01-01T00:00:00-05:30" }, "2.0", "update(patch)")) as Record<string, string>;
    assert.equal(body["a"], `/Date(${Date.parse("0050-03-01T00:00:00Z")})/`);
    assert.equal(body["b"], `/Date(${Date.parse("2024-01-01T05:30:00Z")})/`);
  });

  test("what loses the reader's record sends the dates as the ISO text they hold: a deep copy, a replaced __metadata, a copy of a complex value without __metadata", () => {
    const read = normalizeV2Entity({ __metadata: { uri: "Books(1)" }, published: "/Date(0)/", bare: { since: "/Date(0)/" } });
    const iso = "1970-01-01T00:00:00Z";
    assert.deepEqual(JSON.parse(writeBody(JSON.parse(JSON.stringify(read)), "2.0", "update(patch)")), { published: iso, bare: { since: iso } });
    assert.deepEqual(JSON.parse(writeBody({ ...read, __metadata: { type: "S.Book" }, bare: { ...(read.bare as object) } }, "2.0", "update(patch)")), {
      __metadata: { type: "S.Book" },
      published: iso,
      bare: { since: iso },
    });
  });
});

describe("v4 write bodies", () => {
  test("dates stay ISO text: a Date as JSON writes it, a text as written", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => noContent(res));
    await client.collection("Books").key(1).update({ published: new Date(Date.UTC(2024, 0, 2)), changedAt: "2023-11-14T22:13:20Z" });
    assert.equal(server.requests[0]?.body, '{"published":"2024-01-02T00:00:00.000Z","changedAt":"2023-11-14T22:13:20Z"}');
  });
});

describe("an invalid Date", () => {
  for (const version of ["4.0", "2.0"] as const) {
    test(`is a TypeError naming the property, and nothing is sent (${version}), where JSON would have sent null`, async (t) => {
      const { server, client } = await serveClient(t, (_request, res) => noContent(res), { version });
      await assert.rejects(client.collection("Books").key(1).update({ stock: 1, published: new Date("not a date") }), {
        name: "TypeError",
        message: "update(patch): the entity cannot be sent as JSON (published is an invalid Date)",
      });
      await assert.rejects(client.collection("Books").create({ ID: 1, days: [new Date(0), new Date(Number.NaN)] }), {
        name: "TypeError",
        message: "create(entity): the entity cannot be sent as JSON (days/1 is an invalid Date)",
      });
      // Inside a complex value and a deep insert, the path names it.
      await assert.rejects(client.collection("Books").create({ ID: 1, shipping: { due: new Date(Number.NaN) } }), {
        name: "TypeError",
        message: "create(entity): the entity cannot be sent as JSON (shipping/due is an invalid Date)",
      });
      assert.equal(server.requests.length, 0);
    });
  }
});

test("an entity of a v2 page written back with replace sends its dates as the service sent them", async (t) => {
  const { server, client } = await serveClient(
    t,
    (request, res) => (request.method === "GET" ? sendJson(res, 200, { d: { results: [v2Book()] } }) : noContent(res)),
    { version: "2.0" },
  );
  const [read] = await client.collection("Books").list();
  assert.ok(read);
  await client.collection("Books").key(1).replace(read);
  const sent = JSON.parse(server.requests[1]?.body ?? "") as Record<string, unknown>;
  assert.equal(sent["published"], v2Book().published);
  assert.equal(sent["changedAt"], "/Date(1700000000123)/");
  assert.equal(sent["__metadata"], undefined);
});

describe("an entity read as Atom", () => {
  test("its Edm.DateTime properties, a complex value's and a collection's go back as /Date(ms)/; a string property as written", async (t) => {
    const M = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
    const D = "http://schemas.microsoft.com/ado/2007/08/dataservices";
    const entry = `<entry xmlns="http://www.w3.org/2005/Atom" xmlns:m="${M}" xmlns:d="${D}">
      <id>Books(1)</id><link rel="edit" href="Books(1)"/>
      <content type="application/xml"><m:properties>
        <d:ID m:type="Edm.Int32">1</d:ID>
        <d:published m:type="Edm.DateTime">2023-11-14T22:13:20.1234567</d:published>
        <d:note>2024-01-02T10:00:00Z</d:note>
        <d:shipping m:type="NS.Shipping"><d:due m:type="Edm.DateTime">1970-01-02T00:00:00</d:due></d:shipping>
        <d:holidays m:type="Collection(Edm.DateTime)"><d:element>1970-01-03T00:00:00</d:element></d:holidays>
      </m:properties></content></entry>`;
    const { server, client } = await serveClient(
      t,
      (request, res) => {
        if (request.method === "GET") {
          res.writeHead(200, { "content-type": "application/atom+xml;type=entry" }).end(entry);
          return;
        }
        noContent(res);
      },
      { version: "2.0" },
      "svc/",
    );
    const book = await client.collection<Record<string, unknown>>("Books").key(1).get();
    assert.equal(book["published"], "2023-11-14T22:13:20.1234567Z");
    await client.collection("Books").key(1).update({ ...book, stock: 3 });
    const sent = JSON.parse(server.requests[1]!.body) as Record<string, unknown>;
    assert.equal(server.requests[1]!.method, "MERGE");
    // /Date(ms)/ holds milliseconds: the ticks beyond them cannot be written in v2 JSON.
    assert.equal(sent["published"], "/Date(1700000000123)/");
    assert.equal(sent["note"], "2024-01-02T10:00:00Z");
    assert.deepEqual(sent["shipping"], { __metadata: { type: "NS.Shipping" }, due: "/Date(86400000)/" });
    assert.deepEqual(sent["holidays"], ["/Date(172800000)/"]);
  });
});

test("an entity read without __metadata whose ETag came as a header sends its dates back as /Date(ms)/ too", async (t) => {
  // The ETag header gives the entity a __metadata after its dates were read: the dates go with it.
  const { server, client } = await serveClient(
    t,
    (request, res) => (request.method === "GET" ? sendJson(res, 200, { d: { ID: 1, published: "/Date(1700000000000)/", note: "2024-01-02T10:00:00Z" } }, { etag: 'W/"h1"' }) : noContent(res)),
    { version: "2.0" },
  );
  const books = client.collection("Books");
  const read = await books.key(1).get();
  assert.deepEqual(read["__metadata"], { etag: 'W/"h1"' });
  await books.key(1).update({ ...read, title: "x" });
  const write = server.requests[1];
  assert.equal(write?.headers["if-match"], 'W/"h1"');
  assert.deepEqual(JSON.parse(write?.body ?? ""), { ID: 1, published: "/Date(1700000000000)/", note: "2024-01-02T10:00:00Z", title: "x" });
});
