/**
 * Option `ieee754Compatible`: a v4 client asks for the `IEEE754Compatible=true` form of JSON
 * (OData JSON Format §3.2), in which Int64 and Decimal values are strings, and marks its JSON
 * bodies so; a v2 client sends nothing for it. The service here answers as a strict one does:
 * strings only when the request's Accept asks for them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, edm, type ODataClientOptions } from "../src/index.js";
import { startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

const IEEE_JSON = "application/json;IEEE754Compatible=true";

/** Answers every request with one book, its Int64 and Decimal values as strings where the Accept asks for that. */
async function bookService(t: { after(fn: () => Promise<void>): void }, v2 = false): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const asStrings = /IEEE754Compatible=true/i.test(request.headers.accept ?? "");
    const book = asStrings || v2 ? { ID: "9007199254740993", Title: "t", Price: "12.31" } : { ID: 42, Title: "t", Price: 12.31 };
    const wrapped = request.path.includes("Books(") || request.method !== "GET" ? book : { value: [book] };
    const text = JSON.stringify(v2 ? { d: request.path.includes("Books(") || request.method !== "GET" ? book : { results: [book] } } : wrapped);
    res.writeHead(request.method === "POST" ? 201 : 200, {
      "content-type": `application/json;odata.metadata=minimal;IEEE754Compatible=${asStrings}`,
      ...(v2 ? { dataserviceversion: "2.0" } : { "odata-version": "4.0" }),
    });
    res.end(text);
  });
  t.after(() => server.close());
  return server;
}

function client(server: RecordingServer, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: server.url("odata/"), retry: false, acceptLanguage: false, ...options });
}

function only(server: RecordingServer): RecordedRequest {
  assert.equal(server.requests.length, 1);
  return server.requests[0]!;
}

test("a collection read with ieee754Compatible sends Accept: application/json;IEEE754Compatible=true and gives the strings the service answers", async (t) => {
  const server = await bookService(t);
  const books = await client(server, { ieee754Compatible: true }).collection("Books").list();
  assert.equal(only(server).headers.accept, IEEE_JSON);
  assert.deepEqual(books, [{ ID: "9007199254740993", Title: "t", Price: "12.31" }]);
});

test("a single-entity read with ieee754Compatible asks for the IEEE754Compatible form and gives Price as the string \"12.31\"; without it, Accept is application/json alone", async (t) => {
  const server = await bookService(t);
  const book = await client(server, { ieee754Compatible: true }).collection<Record<string, unknown>>("Books").key(1).get();
  const plain = await client(server).collection<Record<string, unknown>>("Books").key(1).get();
  const [withOption, without] = server.requests;
  assert.equal(withOption!.headers.accept, IEEE_JSON);
  assert.deepEqual([book["ID"], book["Price"]], ["9007199254740993", "12.31"]);
  assert.equal(without!.headers.accept, "application/json");
  assert.deepEqual([plain["ID"], plain["Price"]], [42, 12.31]);
});

test("a create with ieee754Compatible marks Accept and Content-Type, and writes bigint, edm.int64 and edm.decimal values as strings", async (t) => {
  const server = await bookService(t);
  const created = await client(server, { ieee754Compatible: true })
    .collection<Record<string, unknown>>("Books")
    .create({ ID: 9007199254740993n, Stock: edm.int64(5), Price: edm.decimal("12.30"), Ratio: 0.5, Title: "t" });
  const request = only(server);
  assert.equal(request.method, "POST");
  assert.equal(request.headers.accept, IEEE_JSON);
  assert.equal(request.headers["content-type"], IEEE_JSON);
  assert.equal(request.headers["odata-version"], "4.0");
  assert.equal(request.body, '{"ID":"9007199254740993","Stock":"5","Price":"12.30","Ratio":0.5,"Title":"t"}');
  assert.equal(created?.["Price"], "12.31");
});

test("an update with ieee754Compatible sends both headers in the IEEE754Compatible form; without the option neither carries it", async (t) => {
  const server = await bookService(t);
  await client(server, { ieee754Compatible: true }).collection("Books").key(1).update({ Stock: edm.int64(7) }, { prefer: "representation" });
  await client(server).collection("Books").key(1).update({ Stock: edm.int64(7) }, { prefer: "representation" });
  const [withOption, without] = server.requests;
  assert.equal(withOption!.method, "PATCH");
  assert.equal(withOption!.headers.accept, IEEE_JSON);
  assert.equal(withOption!.headers["content-type"], IEEE_JSON);
  assert.equal(withOption!.body, '{"Stock":"7"}');
  assert.equal(without!.headers.accept, "application/json");
  assert.equal(without!.headers["content-type"], "application/json");
  assert.equal(without!.body, '{"Stock":7}');
});

test("an action and a function with ieee754Compatible ask for the IEEE754Compatible form; the action's body has its Int64 parameter as a string", async (t) => {
  const server = await bookService(t);
  const odata = client(server, { ieee754Compatible: true });
  await odata.action("restock").invoke({ count: edm.int64(3), price: 2.5 });
  await odata.function("topBook").get();
  const [action, fn] = server.requests;
  assert.equal(action!.headers.accept, IEEE_JSON);
  assert.equal(action!.headers["content-type"], IEEE_JSON);
  assert.equal(action!.body, '{"count":"3","price":2.5}');
  assert.equal(fn!.method, "GET");
  assert.equal(fn!.headers.accept, IEEE_JSON);
});

test("a v2 client takes ieee754Compatible: true and sends nothing for it (v2 JSON has Int64 and Decimal as strings), but refuses a non-boolean as v4 does", async (t) => {
  const server = await bookService(t, true);
  const odata = client(server, { version: "2.0", ieee754Compatible: true });
  const book = await odata.collection<Record<string, unknown>>("Books").key(1).get();
  await odata.collection("Books").create({ ID: 1n, Title: "t" });
  const [read, create] = server.requests;
  assert.equal(read!.headers.accept, "application/json");
  assert.equal(create!.headers.accept, "application/json");
  assert.equal(create!.headers["content-type"], "application/json");
  assert.equal(book["Price"], "12.31");
  // What the client asks for, as generated code checks it: nothing, where v2 JSON has strings anyway.
  assert.equal(odata.ieee754Compatible, false);
  assert.equal(client(server, { ieee754Compatible: true }).ieee754Compatible, true);
  assert.equal(client(server).ieee754Compatible, false);
  assert.throws(() => client(server, { version: "2.0", ieee754Compatible: "true" as unknown as boolean }), {
    name: "TypeError",
    message: /ODataClient option "ieee754Compatible" must be a boolean; got/,
  });
});

test("a non-boolean ieee754Compatible is a TypeError that names the option", () => {
  for (const value of ["yes", 1, null, {}]) {
    assert.throws(() => new ODataClient({ serviceUrl: "http://127.0.0.1:1/", ieee754Compatible: value as unknown as boolean }), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /"ieee754Compatible"/);
      return true;
    });
  }
  // false and undefined are taken, and read as the option off.
  assert.equal(new ODataClient({ serviceUrl: "http://127.0.0.1:1/", ieee754Compatible: false }).ieee754Compatible, false);
  assert.equal(new ODataClient({ serviceUrl: "http://127.0.0.1:1/", ieee754Compatible: undefined }).ieee754Compatible, false);
});

test("in a $batch with ieee754Compatible every part that asks for or sends JSON carries the IEEE754Compatible form: a get, a page, a raw request, an action, a create", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end("no batches here");
  });
  t.after(() => server.close());
  const odata = client(server, { ieee754Compatible: true });
  const batch = odata.batch();
  batch.get(odata.collection("Books").key(1));
  batch.page(odata.collection("Books"));
  batch.request({ method: "POST", url: "Books", body: { ID: "1" } });
  batch.action("restock", { count: edm.int64(3) });
  batch.create(odata.collection("Books"), { ID: 7n, Price: edm.decimal("1.10") });
  await assert.rejects(batch.send());
  const body = only(server).body;
  const parts = body.split(/--batch_[^\r\n]*/).filter((part) => /HTTP\/1\.1/.test(part));
  assert.equal(parts.length, 5, body);
  for (const part of parts) assert.match(part, /^accept: application\/json;IEEE754Compatible=true\r?$/im, part);
  const sent = parts.filter((part) => /^content-type: application\/json/im.test(part.split(/HTTP\/1\.1/)[1] ?? ""));
  assert.equal(sent.length, 3, "the raw POST, the action and the create send JSON");
  for (const part of sent) assert.match(part.split(/HTTP\/1\.1/)[1] ?? "", /^content-type: application\/json;IEEE754Compatible=true\r?$/im, part);
  assert.match(body, /\{"count":"3"\}/);
  assert.match(body, /\{"ID":"7","Price":"1.10"\}/);
});

test("a long-running create with ieee754Compatible asks for the IEEE754Compatible form in its request and its polls, and its result keeps the strings", async (t) => {
  const server = await startServer((request, res) => {
    if (request.method === "POST") {
      res.writeHead(202, { location: server.url("odata/$monitor/1"), "retry-after": "0", "odata-version": "4.0" });
      res.end();
      return;
    }
    const asStrings = /IEEE754Compatible=true/i.test(request.headers.accept ?? "");
    res.writeHead(200, { "content-type": `application/json;odata.metadata=minimal;IEEE754Compatible=${asStrings}`, "odata-version": "4.0" });
    res.end(JSON.stringify(asStrings ? { ID: "9007199254740993", Price: "12.31" } : { ID: 9007199254740993, Price: 12.31 }));
  });
  t.after(() => server.close());
  const odata = client(server, { ieee754Compatible: true });
  const poller = await odata.collection("Books").createAsync({ ID: 7n, Price: edm.decimal("12.31") });
  const created = await poller.wait();
  assert.deepEqual(created, { ID: "9007199254740993", Price: "12.31" });
  const [create, poll] = server.requests;
  assert.equal(create!.headers.accept, IEEE_JSON);
  assert.equal(create!.headers["content-type"], IEEE_JSON);
  assert.equal(create!.body, '{"ID":"7","Price":"12.31"}');
  assert.equal(poll!.method, "GET");
  assert.equal(poll!.headers.accept, IEEE_JSON);
});
