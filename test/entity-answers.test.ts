// What an entity returned by the library carries, by one rule (src/payload/entity-answer.ts): its
// own annotations and ETag, never the response's @odata.context; and etagOf(), which reads the
// ETag of an entity in every form it is read in. Against node:http services that script each form.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { etagOf, mediaEtagOf, ODataClientError, type ODataVersion } from "../src/index.js";
import { sendJson, sendText, serveClient, type RecordedRequest, type TestContextLike } from "./servers/recording-server.js";

const ATOM_ENTRY = (etag: string | undefined) => `<?xml version="1.0" encoding="utf-8"?>
<entry xml:base="http://host/svc/" xmlns="http://www.w3.org/2005/Atom"
  xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
  xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices"${etag === undefined ? "" : ` m:etag="${etag.replaceAll('"', "&quot;")}"`}>
  <id>http://host/svc/Items(1)</id>
  <category term="NS.Item" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/>
  <content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">1</d:ID></m:properties></content>
</entry>`;

const ATOM_FEED = `<?xml version="1.0" encoding="utf-8"?>
<feed xml:base="http://host/svc/" xmlns="http://www.w3.org/2005/Atom"
  xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
  xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices">
  <entry m:etag="W/&quot;atom-feed&quot;">
    <id>http://host/svc/Items(1)</id>
    <content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">1</d:ID></m:properties></content>
  </entry>
</feed>`;

function serve(t: TestContextLike, version: ODataVersion, handler: (request: RecordedRequest, res: ServerResponse) => void) {
  return serveClient(t, handler, { version }, "svc/");
}

describe("etagOf reads the ETag of every form an entity is read in", () => {
  test("v4 JSON: @odata.etag in get(), in a page's items, and a 4.01 @etag", async (t) => {
    const { client } = await serve(t, "4.0", (request, res) => {
      if (request.path.includes("Items(1)")) return sendJson(res, 200, { "@odata.context": "$metadata#Items/$entity", "@odata.etag": 'W/"v4-get"', ID: 1 });
      sendJson(res, 200, { value: [{ "@odata.etag": 'W/"v4-item"', ID: 1 }, { "@etag": 'W/"v401-item"', ID: 2 }, { ID: 3 }] });
    });
    assert.equal(etagOf(await client.collection("Items").key(1).get()), 'W/"v4-get"');
    const [first, second, third] = await client.collection("Items").list();
    assert.equal(etagOf(first), 'W/"v4-item"');
    assert.equal(etagOf(second), 'W/"v401-item"');
    assert.equal(etagOf(third), undefined);
    assert.equal(etagOf({ ...first, stock: 4 }), 'W/"v4-item"', "a spread copy carries it");
  });

  test("v2 JSON: __metadata.etag in get() and in a page's items", async (t) => {
    const { client } = await serve(t, "2.0", (request, res) => {
      if (request.path.includes("Items(1)")) return sendJson(res, 200, { d: { __metadata: { uri: "Items(1)", etag: 'W/"v2-get"' }, ID: 1 } });
      sendJson(res, 200, { d: { results: [{ __metadata: { uri: "Items(2)", etag: 'W/"v2-item"' }, ID: 2 }] } });
    });
    assert.equal(etagOf(await client.collection("Items").key(1).get()), 'W/"v2-get"');
    assert.equal(etagOf((await client.collection("Items").list())[0]), 'W/"v2-item"');
  });

  test("v2 Atom: m:etag of an entry read alone and of a feed's entries", async (t) => {
    const { client } = await serve(t, "2.0", (request, res) => {
      if (request.path.includes("Items(1)")) return sendText(res, 200, ATOM_ENTRY('W/"atom-get"'), { "content-type": "application/atom+xml;type=entry" });
      sendText(res, 200, ATOM_FEED, { "content-type": "application/atom+xml;type=feed" });
    });
    assert.equal(etagOf(await client.collection("Items").key(1).get()), 'W/"atom-get"');
    assert.equal(etagOf((await client.collection("Items").list())[0]), 'W/"atom-feed"');
  });

  for (const [label, version, body, type] of [
    ["v4 JSON", "4.0", JSON.stringify({ ID: 1 }), "application/json"],
    ["v2 JSON", "2.0", JSON.stringify({ d: { ID: 1 } }), "application/json"],
    ["v2 Atom", "2.0", ATOM_ENTRY(undefined), "application/atom+xml;type=entry"],
  ] as const) {
    test(`${label}: get(), a write's answer and a $batch result with only an ETag header`, async (t) => {
      const { client } = await serve(t, version, (request, res) => {
        if (request.path.endsWith("$batch")) {
          const answer = [
            "--b",
            "Content-Type: application/http",
            "",
            "HTTP/1.1 200 OK",
            `Content-Type: application/json`,
            'ETag: W/"header-batch"',
            "",
            version === "2.0" ? JSON.stringify({ d: { ID: 1 } }) : JSON.stringify({ ID: 1 }),
            "--b--",
            "",
          ].join("\r\n");
          return sendText(res, 200, answer, { "content-type": "multipart/mixed; boundary=b" });
        }
        sendText(res, request.method === "POST" ? 201 : 200, body, { "content-type": type, etag: `W/"header-${request.method}"` });
      });
      const items = client.collection("Items");
      assert.equal(etagOf(await items.key(1).get()), 'W/"header-GET"');
      assert.equal(etagOf(await items.create({ ID: 1 })), 'W/"header-POST"');
      const batch = client.batch();
      const read = batch.get(items.key(1));
      await batch.send();
      const result = read.result();
      assert.ok(result.ok);
      assert.equal(etagOf(result.value), 'W/"header-batch"');
    });
  }

  test("the body's ETag wins over the header; media ETags are read by mediaEtagOf", async (t) => {
    const { client } = await serve(t, "4.0", (_request, res) =>
      sendJson(res, 200, { "@odata.etag": 'W/"body"', "@odata.mediaEtag": 'W/"media"', ID: 1 }, { etag: 'W/"header"' }),
    );
    const entity = await client.collection("Items").key(1).get();
    assert.equal(etagOf(entity), 'W/"body"');
    assert.equal(mediaEtagOf(entity), 'W/"media"');
    assert.equal(mediaEtagOf({ __metadata: { media_etag: 'W/"v2-media"', etag: 'W/"v2"' } }), 'W/"v2-media"');
    assert.equal(mediaEtagOf({ "@odata.etag": 'W/"only"' }), 'W/"only"');
  });

  test("things that are not entities have no ETag", () => {
    for (const value of [undefined, null, "W/\"x\"", 1, [], [{ "@odata.etag": 'W/"x"' }], { "@odata.etag": 5 }, { "@odata.etag": "" }, { __metadata: "x" }]) {
      assert.equal(etagOf(value), undefined, JSON.stringify(value));
    }
  });
});

describe("one rule for @odata.context: an entity or result never carries the response's", () => {
  test("get(), a page's items, a write's answer, a function's and an action's entity result, a $batch result and a long-running result", async (t) => {
    const context = { "@odata.context": "$metadata#Items/$entity", "@odata.metadataEtag": 'W/"m"' };
    const { client } = await serve(t, "4.0", (request, res) => {
      if (request.path.endsWith("$batch")) {
        const part = JSON.stringify({ ...context, ID: 1, "@odata.etag": 'W/"1"' });
        return sendText(res, 200, ["--b", "Content-Type: application/http", "", "HTTP/1.1 200 OK", "Content-Type: application/json", "", part, "--b--", ""].join("\r\n"), {
          "content-type": "multipart/mixed; boundary=b",
        });
      }
      if (request.method === "GET" && request.path === "/svc/Items") return sendJson(res, 200, { "@odata.context": "$metadata#Items", value: [{ ID: 1, "@odata.etag": 'W/"1"' }] });
      sendJson(res, request.method === "POST" ? 201 : 200, { ...context, "@context": "4.01 form", ID: 1, "@odata.etag": 'W/"1"', "@odata.type": "#NS.Item" });
    });
    const items = client.collection("Items");
    const expected = { ID: 1, "@odata.etag": 'W/"1"', "@odata.type": "#NS.Item" };
    assert.deepEqual(await items.key(1).get(), expected);
    assert.deepEqual((await items.list())[0], { ID: 1, "@odata.etag": 'W/"1"' });
    assert.deepEqual(await items.create({ ID: 1 }), expected);
    assert.deepEqual(await items.key(1).update({ ID: 1 }, { prefer: "representation", ifMatch: "*" }), expected);
    assert.deepEqual(await client.function("itemById", { id: 1 }).get(), expected);
    assert.deepEqual(await client.action("copyItem").invoke({ id: 1 }), expected);
    // The service runs it at once: the poller's result is the answer's body.
    assert.deepEqual((await items.createAsync({ ID: 1 })).result(), expected);
    const batch = client.batch();
    const read = batch.get(items.key(1));
    await batch.send();
    const result = read.result();
    assert.ok(result.ok);
    assert.deepEqual(result.value, { ID: 1, "@odata.etag": 'W/"1"' });
  });
});

test("countAll() reads the largest safe count, and rejects a count JavaScript cannot hold with BAD_PAYLOAD", async (t) => {
  const counts = ["9007199254740991", "9007199254740993", "9".repeat(400), "12 apples"];
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, `${counts[server.requests.length - 1]}\n`));
  assert.equal(await client.collection("Items").countAll(), Number.MAX_SAFE_INTEGER);
  for (const shown of ['"9007199254740993"', `"${"9".repeat(16)}`, '"12 apples"']) {
    await assert.rejects(client.collection("Items").countAll(), (error: unknown) => {
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "BAD_PAYLOAD");
      assert.ok(error.message.includes(`GET ${server.url("odata/Items/$count")} answered ${shown}`), error.message);
      return true;
    });
  }
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers["accept"]}`),
    Array.from(counts, () => "GET /odata/Items/$count text/plain"),
  );
});

describe("a single-valued navigation that relates no entity", () => {
  test("navigateOne(...).get() resolves with null on 204 (v4 and v2) and on v2's {\"d\":null}; a keyed get() still refuses an empty answer", async (t) => {
    for (const [version, answer] of [
      ["4.0", "204"],
      ["2.0", "204"],
      ["2.0", "d-null"],
    ] as const) {
      const { client, server } = await serve(t, version, (request, res) => {
        if (request.path.endsWith("/author") && answer === "d-null") return sendJson(res, 200, { d: null });
        res.writeHead(204).end();
      });
      const author = client.collection("Books").key(1).navigateOne("author");
      assert.equal(await author.get(), null, `${version} ${answer}`);
      assert.equal(server.requests.at(-1)?.path, "/svc/Books(1)/author");
      // An entity addressed by its key must exist: no content is no answer to that GET.
      await assert.rejects(client.collection("Books").key(1).get(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
      // A navigation below a key that is itself keyed is an entity too.
      await assert.rejects(client.collection("Books").key(1).navigate("reviews").key(2).get(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
    }
  });

  test("a navigation answered with JSON that is neither an entity nor v2's {\"d\":null} is refused", async (t) => {
    const { client } = await serve(t, "4.0", (_request, res) => sendJson(res, 200, [null]));
    await assert.rejects(client.collection("Books").key(1).navigateOne("author").get(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
    const { client: v2 } = await serve(t, "2.0", (_request, res) => sendJson(res, 200, { d: [] }));
    await assert.rejects(v2.collection("Books").key(1).navigateOne("author").get(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
  });
});

test("an OData v3 verbose JSON collection property is read as an array, in get() and in a page", async (t) => {
  const emails = { __metadata: { type: "Collection(Edm.String)" }, results: ["a@example.com", "b@example.com"] };
  const { client } = await serve(t, "2.0", (request, res) => {
    if (request.path.includes("People(1)")) return sendJson(res, 200, { d: { __metadata: { type: "NS.Person" }, ID: 1, Emails: emails } });
    sendJson(res, 200, { d: { results: [{ __metadata: { type: "NS.Person" }, ID: 1, Emails: emails }] } });
  });
  const person = await client.collection<{ ID: number; Emails: string[] }>("People").key(1).get();
  assert.deepEqual(person.Emails, ["a@example.com", "b@example.com"]);
  const [listed] = await client.collection<{ ID: number; Emails: string[] }>("People").list();
  assert.deepEqual(listed?.Emails, ["a@example.com", "b@example.com"]);
});
