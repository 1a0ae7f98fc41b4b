/**
 * Writes that met what a read would not: a POST redirected 301 or 302 (which fetch turns into a
 * GET), an answer that is a collection where an entity was due, a write-back of the entity a
 * write answered with (its related entities are no part of it, as expanded ones are not), and v2
 * bodies with `edm.date()` and the other `edm.*` date and time values. Each test asserts what
 * went on the wire and what came back, against node:http on 127.0.0.1.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, edm } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

function clientOf(server: RecordingServer, version: "4.0" | "2.0" = "4.0"): ODataClient {
  return new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version });
}

async function rejection(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await promise.then(
    (value) => assert.fail(`resolved with ${JSON.stringify(value)}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataClientError, `not an ODataClientError: ${String(error)}`);
  return error;
}

const wire = (server: RecordingServer, from = 0): string[][] => server.requests.slice(from).map((r) => [r.method, r.path, r.body]);

describe("a POST answered 301 or 302", () => {
  test("create() rejects with UNEXPECTED_REDIRECT naming the POST, its URL and the Location, sends no GET and creates nothing; 307 and 308 still send the same POST again", async (t) => {
    const server = await startServer((r, res) => {
      const status = Number(/[?&]status=(\d+)/.exec(r.path)?.[1]);
      if (r.path.startsWith("/svc/")) {
        res.writeHead(status, { location: `/moved/Books?status=${status}&sig=LOCATION-SECRET` });
        res.end();
      } else if (r.method === "POST") sendJson(res, 201, { ...JSON.parse(r.body), made: true });
      else sendJson(res, 200, { "@odata.context": "$metadata#Books", value: [{ ID: 1, title: "old" }] });
    });
    t.after(() => server.close());
    const books = clientOf(server).collection("Books");
    for (const status of [301, 302]) {
      const before = server.requests.length;
      const error = await rejection(books.param("status", status).create({ ID: 7, title: "new" }));
      assert.equal(error.code, "UNEXPECTED_REDIRECT");
      assert.ok(error.message.startsWith(`POST ${server.url(`svc/Books?status=${status}`)} was redirected (HTTP ${status}) to ${server.url(`moved/Books?status=${status}&sig=***`)}`), error.message);
      assert.doesNotMatch(error.message, /LOCATION-SECRET/);
      assert.deepEqual(wire(server, before), [["POST", `/svc/Books?status=${status}`, '{"ID":7,"title":"new"}']], `HTTP ${status}`);
    }
    for (const status of [307, 308]) {
      const before = server.requests.length;
      const created = await books.param("status", status).create({ ID: 8 });
      assert.deepEqual(created, { ID: 8, made: true });
      assert.deepEqual(wire(server, before), [
        ["POST", `/svc/Books?status=${status}`, '{"ID":8}'],
        ["POST", `/moved/Books?status=${status}&sig=LOCATION-SECRET`, '{"ID":8}'],
      ]);
    }
  });

  test("an action's invoke() answered 302 rejects with UNEXPECTED_REDIRECT and is not followed as a GET", async (t) => {
    const server = await startServer((r, res) => {
      if (r.path === "/svc/reserve") {
        res.writeHead(302, { location: "/svc/Reservations" });
        res.end();
      } else sendJson(res, 200, { value: [{ ID: 1 }] });
    });
    t.after(() => server.close());
    const error = await rejection(clientOf(server).action("reserve").invoke({ book: 1 }));
    assert.equal(error.code, "UNEXPECTED_REDIRECT");
    assert.ok(error.message.startsWith(`POST ${server.url("svc/reserve")} was redirected (HTTP 302) to ${server.url("svc/Reservations")}`), error.message);
    assert.deepEqual(wire(server), [["POST", "/svc/reserve", '{"book":1}']]);
  });
});

describe("a write answered with a collection", () => {
  test("create, update and replace reject with BAD_PAYLOAD naming the request where the answer is {\"value\":[...]} (v4) or {\"d\":{\"results\":[...]}} (v2); an entity whose one property is `value` still reads", async (t) => {
    let answer: unknown = { value: [{ ID: 1 }] };
    const server = await startServer((_r, res) => sendJson(res, 200, answer));
    t.after(() => server.close());
    const v4 = clientOf(server).collection("Books");
    const cases: [string, string, () => Promise<unknown>][] = [
      ["POST", "svc/Books", () => v4.create({ ID: 1 })],
      ["PATCH", "svc/Books(1)", () => v4.key(1).update({ stock: 1 }, { etag: false })],
      ["PUT", "svc/Books(1)", () => v4.key(1).replace({ ID: 1 }, { etag: false })],
    ];
    for (const [method, path, write] of cases) {
      const error = await rejection(write());
      assert.equal(error.code, "BAD_PAYLOAD");
      // The write was applied (a 2xx came): the message says so, lest a caller send it again.
      assert.equal(error.message, `${method} ${server.url(path)} was answered 200 OK, so the service applied the write, but its answer could not be read as an entity: the answer is not an entity object (got a collection, {"value":[...]})`);
    }
    answer = { "@odata.context": "$metadata#Books", "@odata.nextLink": "Books?$skip=1", value: [] };
    assert.equal((await rejection(v4.create({ ID: 1 }))).code, "BAD_PAYLOAD");

    answer = { d: { results: [{ ID: 1, __metadata: { uri: "Books(1)" } }], __count: "1" } };
    const v2Error = await rejection(clientOf(server, "2.0").collection("Books").create({ ID: 1 }));
    assert.equal(v2Error.code, "BAD_PAYLOAD");
    assert.equal(v2Error.message, `POST ${server.url("svc/Books")} was answered 200 OK, so the service applied the write, but its answer could not be read as an entity: the answer is not an entity object (got a collection, {"d":{"results":[...]}})`);

    answer = { "@odata.context": "$metadata#Settings/$entity", value: ["a", "b"] };
    assert.deepEqual(await v4.create({ value: ["a", "b"] }), { value: ["a", "b"] });
    assert.deepEqual(wire(server).map(([method]) => method), ["POST", "PATCH", "PUT", "POST", "POST", "POST"]);
  });

  test("create() answered 303 to a collection rejects with BAD_PAYLOAD; a 303 to the created entity gives it", async (t) => {
    const server = await startServer((r, res) => {
      if (r.method === "POST") {
        res.writeHead(303, { location: r.path === "/svc/Books" ? "/svc/Books" : "/svc/Books(9)" });
        res.end();
      } else if (r.path === "/svc/Books") sendJson(res, 200, { value: [{ ID: 1 }] });
      else sendJson(res, 200, { ID: 9 });
    });
    t.after(() => server.close());
    const client = clientOf(server);
    const error = await rejection(client.collection("Books").create({ ID: 9 }));
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, /^POST http:\/\/127\.0\.0\.1:\d+\/svc\/Books was answered 200 OK, so the service applied the write, but its answer could not be read as an entity: the answer is not an entity object \(got a collection/);
    assert.deepEqual(await client.collection("Shelves").key(1).navigate("books").create({ ID: 9 }), { ID: 9 });
    assert.deepEqual(wire(server), [
      ["POST", "/svc/Books", '{"ID":9}'],
      ["GET", "/svc/Books", ""],
      ["POST", "/svc/Shelves(1)/books", '{"ID":9}'],
      ["GET", "/svc/Books(9)", ""],
    ]);
  });
});

describe("writing back the entity a write answered with", () => {
  test("the related entities of create()'s and update()'s answers (carrying @odata.etag or @odata.id) are left out of a write of them; complex values, and a collection of them, are sent", async (t) => {
    const created = {
      "@odata.context": "$metadata#Books/$entity",
      "@odata.etag": 'W/"1"',
      ID: 500,
      stock: 1,
      address: { city: "Bath" },
      addresses: [
        { street: "1 Royal Crescent", city: "Bath" },
        { street: "4 Sydney Place", city: "Bath" },
      ],
      tags: ["a"],
      reviews: [
        { "@odata.etag": 'W/"r1"', ID: 5001, rating: 5 },
        { "@odata.etag": 'W/"r2"', ID: 5002, rating: 4, comments: [{ "@id": "Comments(1)", ID: 1, text: "deep" }] },
      ],
      author: { "@odata.id": "Authors('austen')", ID: "austen" },
    };
    const server = await startServer((r, res) => (r.method === "POST" || r.method === "PATCH" ? sendJson(res, r.method === "POST" ? 201 : 200, created) : sendJson(res, 200, { ok: true })));
    t.after(() => server.close());
    const books = clientOf(server).collection<Record<string, unknown>>("Books");
    const answer = await books.create({ ID: 500, stock: 1, reviews: [{ ID: 5001, rating: 5 }] });
    assert.ok(answer);
    await books.key(500).update({ ...answer, stock: 2 });
    const updated = await books.key(500).update({ stock: 3 }, { etag: answer });
    assert.ok(updated);
    await books.key(500).replace({ ...updated, stock: 4 });
    const addresses = [
      { street: "1 Royal Crescent", city: "Bath" },
      { street: "4 Sydney Place", city: "Bath" },
    ];
    const sent = server.requests.map((r) => [r.method, r.path, r.headers["if-match"], r.body && JSON.parse(r.body)]);
    assert.deepEqual(sent, [
      ["POST", "/svc/Books", undefined, { ID: 500, stock: 1, reviews: [{ ID: 5001, rating: 5 }] }],
      ["PATCH", "/svc/Books(500)", 'W/"1"', { ID: 500, stock: 2, address: { city: "Bath" }, addresses, tags: ["a"] }],
      ["PATCH", "/svc/Books(500)", 'W/"1"', { stock: 3 }],
      ["PUT", "/svc/Books(500)", 'W/"1"', { ID: 500, stock: 4, address: { city: "Bath" }, addresses, tags: ["a"] }],
    ]);
    // Nested a level down too, and sent where asked for.
    const nested = (answer["reviews"] as Record<string, unknown>[])[1]!;
    await books.key(500).navigate("reviews").key(5002).update({ ...nested, rating: 1 }, { etag: false });
    await books.key(500).update({ ...answer, stock: 5 }, { deep: true });
    const [reviewPatch, deepPatch] = server.requests.slice(4).map((r) => JSON.parse(r.body));
    assert.deepEqual(reviewPatch, { ID: 5002, rating: 1 });
    assert.deepEqual(Object.keys(deepPatch), ["ID", "stock", "address", "addresses", "tags", "reviews", "author"]);
  });

  test("a collection of complex values in create()'s answer, edited, goes whole in replace({ ...answer }) and alone in update({ addresses })", async (t) => {
    const person = { "@odata.context": "$metadata#People/$entity", ID: 1, name: "Ann", addresses: [{ street: "Main 1", city: "Oslo" }] };
    const server = await startServer((r, res) => sendJson(res, r.method === "POST" ? 201 : 200, r.method === "POST" ? person : { ...person, ...JSON.parse(r.body) }));
    t.after(() => server.close());
    const people = clientOf(server).collection<typeof person>("People");
    const created = await people.create({ ID: 1, name: "Ann", addresses: [{ street: "Main 1", city: "Oslo" }] });
    assert.ok(created);
    created.addresses[0]!.city = "Bergen";
    const replaced = await people.key(1).replace({ ...created, name: "Anne" });
    const updated = await people.key(1).update({ addresses: created.addresses });
    assert.deepEqual(wire(server, 1), [
      ["PUT", "/svc/People(1)", '{"ID":1,"name":"Anne","addresses":[{"street":"Main 1","city":"Bergen"}]}'],
      ["PATCH", "/svc/People(1)", '{"addresses":[{"street":"Main 1","city":"Bergen"}]}'],
    ]);
    assert.deepEqual(replaced?.addresses, [{ street: "Main 1", city: "Bergen" }]);
    assert.deepEqual(updated?.addresses, [{ street: "Main 1", city: "Bergen" }]);
  });

  test("an array of plain objects in a write's answer (related entities without control information, as SAP CAP answers in v4) is sent, and so is one empty; an entity inside a complex value is left out, and so is an array with an entity among its members (the rule a delta is read by)", async (t) => {
    const created = {
      "@odata.etag": 'W/"1"',
      ID: 510,
      stock: 1,
      reviews: [{ ID: 5101, rating: 5 }],
      notes: [],
      partly: [{ "@odata.id": "Reviews(5102)", ID: 5102 }, { ID: 5103 }],
      contact: { phone: "123", manager: { "@odata.id": "People(7)", ID: 7 } },
    };
    const server = await startServer((r, res) => sendJson(res, r.method === "POST" ? 201 : 200, created));
    t.after(() => server.close());
    const books = clientOf(server).collection<Record<string, unknown>>("Books");
    const answer = await books.create({ ID: 510, stock: 1, reviews: [{ ID: 5101, rating: 5 }] });
    assert.ok(answer);
    (answer["notes"] as unknown[]).push({ text: "added" });
    await books.key(510).update({ ...answer, stock: 2 });
    await books.key(510).update({ notes: answer["notes"] }, { etag: false });
    const [patch, notesPatch] = server.requests.slice(1);
    assert.deepEqual([patch?.method, patch?.path, patch?.headers["if-match"], JSON.parse(patch?.body ?? "")], [
      "PATCH",
      "/svc/Books(510)",
      'W/"1"',
      { ID: 510, stock: 2, reviews: [{ ID: 5101, rating: 5 }], notes: [{ text: "added" }], contact: { phone: "123" } },
    ]);
    assert.deepEqual([notesPatch?.method, notesPatch?.body], ["PATCH", '{"notes":[{"text":"added"}]}']);
  });

  test("v2: the related entities of a create's answer (an expanded `results`, an entity with __metadata.uri) are left out of a MERGE of it", async (t) => {
    const server = await startServer((r, res) => {
      if (r.method !== "POST") {
        res.writeHead(204);
        res.end();
        return;
      }
      sendJson(res, 201, {
        d: {
          __metadata: { uri: "Books(600)", etag: 'W/"1"' },
          ID: 600,
          stock: 1,
          address: { __metadata: { type: "S.Address" }, city: "Bath" },
          reviews: { results: [{ __metadata: { uri: "Reviews(6001)" }, ID: 6001 }] },
          author: { __metadata: { uri: "Authors('austen')" }, ID: "austen" },
        },
      });
    });
    t.after(() => server.close());
    const books = clientOf(server, "2.0").collection<Record<string, unknown>>("Books");
    const created = await books.create({ ID: 600, reviews: [{ ID: 6001 }] });
    assert.ok(created);
    await books.key(600).update({ ...created, stock: 2 });
    const merge = server.requests[1];
    assert.deepEqual([merge?.method, merge?.headers["if-match"], JSON.parse(merge?.body ?? "")], ["MERGE", 'W/"1"', { ID: 600, stock: 2, address: { __metadata: { type: "S.Address" }, city: "Bath" } }]);
  });
});

describe("a create's answer read from a $batch", () => {
  test("its related entities are left out of a write of it, as a create sent alone's are", async (t) => {
    const created = { "@odata.etag": 'W/"1"', ID: 700, stock: 1, address: { city: "Bath" }, reviews: [{ "@odata.id": "Reviews(7001)", ID: 7001, rating: 5 }] };
    const server = await startServer((r, res) => {
      if (r.path === "/svc/$batch") sendJson(res, 200, { responses: [{ id: "1", status: 201, headers: { "content-type": "application/json" }, body: created }] });
      else sendJson(res, 200, { ...created, stock: 2 });
    });
    t.after(() => server.close());
    const client = clientOf(server);
    const books = client.collection<Record<string, unknown>>("Books");
    const batch = client.batch({ format: "json" });
    const handle = batch.create(books, { ID: 700, stock: 1, reviews: [{ ID: 7001, rating: 5 }] });
    await batch.send();
    const result = handle.result();
    assert.ok(result.ok && result.value, JSON.stringify(result));
    const answer = result.value;
    assert.deepEqual(answer["reviews"], [{ "@odata.id": "Reviews(7001)", ID: 7001, rating: 5 }]);
    await books.key(700).update({ ...answer, stock: 2 });
    const patch = server.requests[1];
    assert.deepEqual([patch?.method, patch?.path, patch?.headers["if-match"], JSON.parse(patch?.body ?? "")], ["PATCH", "/svc/Books(700)", 'W/"1"', { ID: 700, stock: 2, address: { city: "Bath" } }]);
  });
});

describe("v2 write bodies", () => {
  test("edm.date() goes as the /Date(ms)/ of its midnight in UTC, edm.timeOfDay() as Edm.Time's duration; edm.dateTimeOffset() and edm.duration() as their text", async (t) => {
    const server = await startServer((_r, res) => {
      res.writeHead(204);
      res.end();
    });
    t.after(() => server.close());
    const orders = clientOf(server, "2.0").collection("Orders");
    await orders.key(1).update(
      {
        OrderDate: edm.date("2024-02-29"),
        Early: edm.date("0050-01-01"),
        Shipped: edm.dateTime("2024-02-29T00:00:00"),
        At: edm.timeOfDay("08:30"),
        Zoned: edm.dateTimeOffset("2024-02-29T10:00:00+02:00"),
        Took: edm.duration("PT8H"),
        Days: [edm.date("2024-03-01")],
      },
      { etag: false },
    );
    await orders.create({ ID: 2, OrderDate: edm.date(new Date(Date.UTC(2024, 1, 29, 23, 59))) });
    assert.deepEqual(server.requests.map((r) => [r.method, JSON.parse(r.body)]), [
      [
        "MERGE",
        {
          OrderDate: "/Date(1709164800000)/",
          Early: "/Date(-60589296000000)/",
          Shipped: "/Date(1709164800000)/",
          At: "PT08H30M00S",
          Zoned: "2024-02-29T10:00:00+02:00",
          Took: "PT8H",
          Days: ["/Date(1709251200000)/"],
        },
      ],
      ["POST", { ID: 2, OrderDate: "/Date(1709164800000)/" }],
    ]);
  });
});
