/**
 * Reading one property of an entity: `entity.property(name).get()` (`GET Books(1)/title`, v4's
 * `{"value": …}` and v2's `{"d": {"title": …}}` unwrapped, v2 values read as an entity's are, a
 * null property's `204` as `null`) and `.text()` (`GET Books(1)/title/$value`, the raw value as
 * text). Against node:http servers on 127.0.0.1: what went on the wire and what came back, the
 * errors of a failed or unreadable answer, the options a read takes (headers, onResponse, timeout,
 * signal) and their checks, the wire log and retries. test/property-read-cases.ts holds the typing,
 * test/property-read-cap.test.ts the same reads against SAP CAP.
 */
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ODataClient, ODataHttpError, ODataReader } from "../src/index.js";
import { activeTimers, clientRejection, onlyRequest, sendJson, sendText, serveClient, startServer, waitFor, type Handler } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A handler that answers every request with `body` as JSON, with OData `version`'s header. */
function json(body: unknown, version: "4.0" | "2.0" = "4.0", status = 200): Handler {
  return (_request, res) => sendJson(res, status, body, version === "2.0" ? { dataserviceversion: "2.0" } : { "odata-version": "4.0" });
}

/** A handler that answers every request `204 No Content`. */
const noContent: Handler = (_request, res) => {
  res.writeHead(204, { "odata-version": "4.0" });
  res.end();
};

test("the typing cases compile as expected: a name not in T is refused, the value typed from the property", () => {
  assert.deepEqual(fileDiagnostics(join(ROOT, "test", "property-read-cases.ts"), ROOT), []);
});

describe("v4", () => {
  test("get() sends GET Books(1)/title asking for JSON and resolves with the value of {value}, its annotations left out", async (t) => {
    const { server, client } = await serveClient(t, json({ "@odata.context": "../$metadata#Books(1)/title", "@odata.etag": 'W/"1"', value: "Emma" }));
    const title = await client.collection("Books").key(1).property("title").get();
    assert.equal(title, "Emma");
    const request = onlyRequest(server);
    assert.equal(`${request.method} ${request.path}`, "GET /odata/Books(1)/title");
    assert.equal(request.headers["accept"], "application/json");
    // As an entity's get(): a read sends no version headers.
    assert.equal(request.headers["odata-maxversion"], undefined);
  });

  test("a null property reads as null, whether answered 204, {value: null} or 4.0's {@odata.null: true}", async (t) => {
    for (const handler of [noContent, json({ "@odata.context": "x", value: null }), json({ "@odata.context": "x", "@odata.null": true })]) {
      const { client } = await serveClient(t, handler);
      assert.equal(await client.collection("Books").key(1).property("descr").get(), null);
    }
  });

  test("a complex value is the object, without the response's context and the entity's ETag; a collection is the array", async (t) => {
    const { client } = await serveClient(t, json({ "@odata.context": "../$metadata#People(1)/address", "@odata.etag": 'W/"7"', "@odata.type": "#NS.Address", street: "Main St", city: "Oslo" }));
    assert.deepEqual(await client.collection("People").key(1).property("address").get(), { "@odata.type": "#NS.Address", street: "Main St", city: "Oslo" });
    const { client: other } = await serveClient(t, json({ "@odata.context": "../$metadata#People(1)/emails", value: ["a@x", "b@x"] }));
    assert.deepEqual(await other.collection("People").key(1).property("emails").get(), ["a@x", "b@x"]);
  });

  test("JSON labelled text/html (a misconfigured gateway) is read as the value, as an entity's answer is", async (t) => {
    const body = JSON.stringify({ "@odata.context": "x", value: "Emma" });
    const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, body, { "content-type": "text/html", "odata-version": "4.0" }));
    assert.equal(await client.collection("Books").key(1).property("title").get(), "Emma");
    assert.equal(onlyRequest(server).path, "/odata/Books(1)/title");
  });

  test("text() sends GET Books(1)/title/$value accepting any type, and decodes the body by its charset", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => {
      const body = Buffer.from([0x43, 0x61, 0x66, 0xe9]); // "Café" in ISO-8859-1
      res.writeHead(200, { "content-type": "text/plain; charset=iso-8859-1", "content-length": body.length, "odata-version": "4.0" });
      res.end(body);
    });
    assert.equal(await client.collection("Books").key(1).property("title").text(), "Café");
    const request = onlyRequest(server);
    assert.equal(`${request.method} ${request.path}`, "GET /odata/Books(1)/title/$value");
    assert.equal(request.headers["accept"], "*/*");
  });

  test("text() of a null property (204) is null, of an empty string the empty string", async (t) => {
    const { client } = await serveClient(t, noContent);
    assert.equal(await client.collection("Books").key(1).property("descr").text(), null);
    const { client: empty } = await serveClient(t, (_request, res) => sendText(res, 200, ""));
    assert.equal(await empty.collection("Books").key(1).property("descr").text(), "");
  });

  test("bytes() sends GET Photos(1)/thumbnail/$value accepting any type and resolves with the bytes sent, whatever they are", async (t) => {
    // Every byte value, bytes that are no UTF-8 among them, and a charset that must not be applied.
    const sent = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    const { server, client } = await serveClient(t, (_request, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream; charset=utf-8", "content-length": sent.length, "odata-version": "4.0" });
      res.end(sent);
    });
    const bytes = await client.collection("Photos").key(1).property("thumbnail").bytes();
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual([...bytes], [...sent]);
    const request = onlyRequest(server);
    assert.equal(`${request.method} ${request.path}`, "GET /odata/Photos(1)/thumbnail/$value");
    assert.equal(request.headers["accept"], "*/*");
  });

  test("bytes() of a null property (204) is null, of an empty value no bytes", async (t) => {
    const { client } = await serveClient(t, noContent);
    assert.equal(await client.collection("Photos").key(1).property("thumbnail").bytes(), null);
    const { client: empty } = await serveClient(t, (_request, res) => sendText(res, 200, "", { "content-type": "application/octet-stream" }));
    assert.deepEqual(await empty.collection("Photos").key(1).property("thumbnail").bytes(), new Uint8Array(0));
  });

  test("the path follows the entity: a navigation, a singleton, a key as a segment, custom options; url() sends nothing", async (t) => {
    const { server, client, root } = await serveClient(t, json({ value: "x" }));
    const books = client.collection("Books");
    await books.key(1).navigateOne("author").property("name").get();
    await client.singleton("Settings").property("theme").get();
    await books.param("sap-client", "100").key("a/b").property("title").text();
    const segments = new ODataClient({ serviceUrl: root, retry: false, keyAsSegment: true });
    await segments.collection("Books").key(7).property("title").get();
    assert.deepEqual(
      server.requests.map((request) => request.path),
      ["/odata/Books(1)/author/name", "/odata/Settings/theme", "/odata/Books('a%2Fb')/title/$value?sap-client=100", "/odata/Books/7/title"],
    );
    assert.equal(books.key(2).property("title").url(), `${root}Books(2)/title`);
    assert.equal(server.requests.length, 4);
  });

  test("ODataReader's entities have it too, through the same read", async (t) => {
    const { server, root } = await serveClient(t, json({ value: 5 }));
    const reader = new ODataReader({ serviceUrl: root, retry: false });
    assert.equal(await reader.collection("Books").key(1).property("stock").get(), 5);
    assert.equal(onlyRequest(server).path, "/odata/Books(1)/stock");
  });

  test("a name that is no identifier, and the entity's select(), expand() and compute(), are refused before sending", async (t) => {
    const { server, client } = await serveClient(t, json({ value: 1 }));
    const book = client.collection("Books").key(1);
    assert.throws(() => book.property("title/$value"), { name: "TypeError", message: 'property(name): the string "title/$value" is not an OData identifier (letters, digits and "_", not starting with a digit)' });
    assert.throws(() => book.property(7 as unknown as string), { name: "TypeError", message: /^property\(name\): 7 is not an OData identifier/ });
    assert.throws(() => book.select("title").property("title"), { name: "TypeError", message: `property("title"): the query's $select would not be sent: a property's URL has no place for them` });
    assert.throws(() => book.expand("author").property("title"), { name: "TypeError", message: /^property\("title"\): the query's \$expand would not be sent/ });
    assert.equal(server.requests.length, 0);
  });
});

describe("v2", () => {
  test("get() unwraps {d: {title}}; a DateTime /Date(…)/ reads as ISO 8601, a Decimal string stays the string", async (t) => {
    const answers: Record<string, unknown> = {
      "/odata/Books(1)/title": { d: { title: "Emma" } },
      "/odata/Books(1)/modifiedAt": { d: { modifiedAt: "/Date(1707645660000+0000)/" } },
      "/odata/Books(1)/price": { d: { price: "12.31" } },
      "/odata/Books(1)/stock": { d: { stock: 37 } },
    };
    const { server, client } = await serveClient(t, (request, res) => sendJson(res, 200, answers[request.path], { dataserviceversion: "2.0" }), { version: "2.0" });
    const book = client.collection("Books").key(1);
    assert.deepEqual(
      [await book.property("title").get(), await book.property("modifiedAt").get(), await book.property("price").get(), await book.property("stock").get()],
      ["Emma", "2024-02-11T10:01:00Z", "12.31", 37],
    );
    assert.equal(server.requests[0]!.headers["accept"], "application/json");
  });

  test("a complex value keeps its __metadata and has its dates read; a collection's results is the array; 204 is null", async (t) => {
    const address = { __metadata: { type: "NS.Address" }, street: "Main St", since: "/Date(0)/" };
    const { client } = await serveClient(t, json({ d: { address } }, "2.0"), { version: "2.0" });
    assert.deepEqual(await client.collection("People").key(1).property("address").get(), { __metadata: { type: "NS.Address" }, street: "Main St", since: "1970-01-01T00:00:00Z" });
    const { client: list } = await serveClient(t, json({ d: { emails: { __metadata: { type: "Collection(Edm.String)" }, results: ["a@x"] } } }, "2.0"), { version: "2.0" });
    assert.deepEqual(await list.collection("People").key(1).property("emails").get(), ["a@x"]);
    const { client: none } = await serveClient(t, noContent, { version: "2.0" });
    assert.equal(await none.collection("People").key(1).property("address").get(), null);
  });

  test("text() gives the raw value as sent, a v2 date too", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, "/Date(1707645660000+0000)/", { dataserviceversion: "2.0" }), { version: "2.0" });
    assert.equal(await client.collection("Books").key(1).property("modifiedAt").text(), "/Date(1707645660000+0000)/");
    assert.equal(onlyRequest(server).path, "/odata/Books(1)/modifiedAt/$value");
  });
});

describe("errors", () => {
  test("a missing entity or property rejects with ODataHttpError status 404, from get(), text() and bytes()", async (t) => {
    const { client } = await serveClient(t, json({ error: { code: "404", message: "Not Found" } }, "4.0", 404));
    const title = () => client.collection("Books").key(999).property("title");
    for (const read of [() => title().get(), () => title().text(), () => title().bytes()]) {
      const error = await clientRejection(read());
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.code, "HTTP_ERROR");
      assert.equal(error.status, 404);
      assert.equal(error.odataError?.message, "Not Found");
    }
  });

  test("an answer that holds no property value is BAD_PAYLOAD naming the request; a v2 body to a v4 client says so", async (t) => {
    const cases: Array<[Handler, "4.0" | "2.0", RegExp]> = [
      [(_request, res) => sendText(res, 200, "<html>sign in</html>", { "content-type": "text/html" }), "4.0", /\/Books\(1\)\/title answered with an HTML page \(text\/html\), not the property's value as JSON$/],
      [(_request, res) => sendText(res, 200, "not json", { "content-type": "application/json" }), "4.0", /\/Books\(1\)\/title answered with a body that is not JSON \(/],
      [json(["x"]), "4.0", /\/Books\(1\)\/title did not answer with a property's value \(\{"value": …\} or a complex value\); got an array$/],
      [json({ d: { title: "x" } }, "2.0"), "4.0", /\/Books\(1\)\/title answered with \{"d": …\}, not the property's value; the answer is OData v2's \(DataServiceVersion: 2\.0, no OData-Version\)/],
      // Cut short: it starts as a v2 body does, and is said to be no JSON, as any other such body.
      [(_request, res) => sendText(res, 200, '{"d": {"title": "x"', { "content-type": "application/json", dataserviceversion: "2.0" }), "4.0", /\/Books\(1\)\/title answered with a body that is not JSON \(.*\); the answer is OData v2's/],
      [json({ d: { other: "x" } }, "2.0"), "2.0", /\/Books\(1\)\/title did not answer with the property's value, \{"d": \{"title": …\}\}$/],
      [json({ "@odata.context": "x", value: "x" }, "4.0"), "2.0", /\/Books\(1\)\/title did not answer with the property's value, \{"d": \{"title": …\}\}; the answer is OData v4's/],
    ];
    for (const [handler, version, message] of cases) {
      const { client } = await serveClient(t, handler, { version });
      const error = await clientRejection(client.collection("Books").key(1).property("title").get());
      assert.equal(error.code, "BAD_PAYLOAD", error.message);
      assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/odata\/Books\(1\)\/title /);
      assert.match(error.message, message);
    }
  });
});

describe("options", () => {
  test("headers go with the request, onResponse sees the answer, checked options name the call", async (t) => {
    const { server, client } = await serveClient(t, json({ value: "Emma" }));
    const seen: number[] = [];
    const property = client.collection("Books").key(1).property("title");
    await property.get({ headers: { "x-trace": "a1" }, onResponse: ({ status }) => void seen.push(status) });
    await property.text({ headers: { "x-trace": "a2" }, onResponse: ({ status }) => void seen.push(status) });
    assert.deepEqual(server.requests.map((request) => request.headers["x-trace"]), ["a1", "a2"]);
    assert.deepEqual(seen, [200, 200]);
    await assert.rejects(property.get({ timeout: -1 }), { name: "RangeError", message: /^property\("title"\)\.get\(\): option "timeout"/ });
    await assert.rejects(property.text({ onResponse: 5 as never }), { name: "TypeError", message: /^property\("title"\)\.text\(\): option "onResponse"/ });
    await assert.rejects(property.get({ headers: { "bad name": "x" } }), { name: "TypeError", message: /^property\("title"\)\.get\(\):/ });
    assert.equal(server.requests.length, 2);
  });

  test("timeout ends a held read with TIMEOUT; an abort rejects with the signal's reason and leaves no timer", async (t) => {
    const server = await startServer(() => {
      // Held: no answer until the client lets go.
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
    const property = client.collection("Books").key(1).property("title");
    const timedOut = await clientRejection(property.get({ timeout: 50 }));
    assert.equal(timedOut.code, "TIMEOUT");
    const timers = activeTimers();
    const controller = new AbortController();
    const reason = new Error("stop");
    const read = property.text({ signal: controller.signal });
    await waitFor(() => server.requests.length === 2, "the second request");
    controller.abort(reason);
    await assert.rejects(read, (error) => error === reason);
    assert.equal(activeTimers(), timers);
    assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Books(1)/title", "/odata/Books(1)/title/$value"]);
  });

  test("the wire log shows the read, and a 503 is retried as other reads are", async (t) => {
    const log = collector();
    let calls = 0;
    const { server, client, root } = await serveClient(
      t,
      (_request, res) => (++calls === 1 ? sendText(res, 503, "busy", { "retry-after": "0" }) : sendJson(res, 200, { value: "Emma" }, { "odata-version": "4.0" })),
      { debug: log.debug, retry: { retries: 2, delay: 1 } },
    );
    assert.equal(await client.collection("Books").key(1).property("title").get(), "Emma");
    assert.equal(server.requests.length, 2);
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books(1)/title {"accept":"application/json","accept-language":"en"}`,
      `#1 < 503 GET ${root}Books(1)/title N ms {"content-type":"text/plain","retry-after":"0"}`,
      `#2 retry 1/2 > GET ${root}Books(1)/title {"accept":"application/json","accept-language":"en"}`,
      `#2 retry 1/2 < 200 GET ${root}Books(1)/title N ms {"content-type":"application/json","odata-version":"4.0"}`,
    ]);
  });
});
