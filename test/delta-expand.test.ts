// The values a delta page holds because its query expanded them are marked as a read's are, so that
// writing a changed entity back leaves them out (README "Writing entities": no deep update, which
// SAP CAP takes as "these are all the related entities now"), while complex values and collections
// of them are written. A delta link carries no query the client built: what was expanded is what
// the service says, in the link's own `$expand`, in the context URL, or by the related entities'
// control information. Against node:http servers (SAP CAP serves no deltas).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type ChangedEntity } from "../src/index.js";
import { sendJson, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

interface Book {
  ID: number;
  stock?: number;
  [name: string]: unknown;
}

/**
 * A service that answers GETs from `pages` by path and query (as sent, after `/svc/`) and every
 * write with 204; the writes are what a test looks at.
 */
async function deltaService(pages: Record<string, unknown>): Promise<RecordingServer> {
  return startServer((request, res) => {
    if (request.method !== "GET") {
      res.writeHead(204);
      res.end();
      return;
    }
    const body = pages[decodeURIComponent(request.path.replace(/^\/svc\//, ""))];
    if (body === undefined) return sendJson(res, 404, { error: { code: "404", message: `no ${request.path}` } });
    sendJson(res, 200, body);
  });
}

const writes = (server: RecordingServer) =>
  server.requests.filter((r: RecordedRequest) => r.method !== "GET").map((r) => [r.method, r.path, JSON.parse(r.body) as unknown]);

async function changedOf<T>(client: ODataClient, link: string): Promise<ChangedEntity<T>[]> {
  const changed: ChangedEntity<T>[] = [];
  for await (const page of client.delta<T>(link)) changed.push(...page.changed);
  return changed;
}

const address = { street: "Main 1", city: "Bern" };
const tags = [{ name: "classic" }, { name: "novel" }];

describe("delta: what a write leaves out of a changed entity", () => {
  test("a delta link that repeats the query's $expand: expanded values are left out at every depth, also on pages whose next link drops the query; complex values are written", async (t) => {
    const expand = "reviews($expand=author)";
    const server = await deltaService({
      [`Books?$expand=${expand}`]: { value: [], "@odata.deltaLink": `Books?$expand=${expand}&$deltatoken=1` },
      [`Books?$expand=${expand}&$deltatoken=1`]: {
        "@odata.context": "$metadata#Books/$delta",
        value: [{ ID: 1, stock: 4, address, tags, reviews: [{ ID: 7, rating: 5, author: { ID: 3, name: "Ann" } }] }],
        "@odata.nextLink": "Books?$skiptoken=2",
      },
      "Books?$skiptoken=2": {
        value: [{ ID: 2, stock: 1, address, reviews: [{ ID: 8, rating: 2, author: { ID: 4, name: "Bo" } }] }],
        "@odata.deltaLink": `Books?$expand=${expand}&$deltatoken=2`,
      },
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const books = client.collection<Book>("Books");
    let deltaLink = "";
    for await (const page of books.expand("reviews" as never, (q) => q.expand("author" as never)).trackChanges().pages()) deltaLink = page.deltaLink ?? deltaLink;
    const [first, second] = await changedOf<Book>(client, deltaLink);
    await books.key(1).update({ ...first!, stock: 9 });
    await books.key(2).update({ ...second!, stock: 9 });
    const review = (second!["reviews"] as Record<string, unknown>[])[0]!;
    await client.collection("Reviews").key(8).update({ ...review, rating: 3 });
    assert.deepEqual(writes(server), [
      ["PATCH", "/svc/Books(1)", { ID: 1, stock: 9, address, tags }],
      ["PATCH", "/svc/Books(2)", { ID: 2, stock: 9, address }],
      ["PATCH", "/svc/Reviews(8)", { ID: 8, rating: 3 }],
    ]);
  });

  test("an opaque delta link: the context URL's select list names the expanded navigation properties", async (t) => {
    const server = await deltaService({
      "Books?$deltatoken=abc": {
        "@context": "$metadata#Books(ID,stock,address,reviews(),publisher(name))/$delta",
        value: [{ ID: 1, stock: 4, address, tags, reviews: [{ ID: 7, rating: 5 }], publisher: { name: "Penguin" } }],
        "@deltaLink": "Books?$deltatoken=abd",
      },
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "4.01" });
    const [book] = await changedOf<Book>(client, server.url("svc/Books?$deltatoken=abc"));
    await client.collection<Book>("Books").key(1).update({ ...book!, stock: 9 });
    assert.deepEqual(writes(server), [["PATCH", "/svc/Books(1)", { ID: 1, stock: 9, address, tags }]]);
  });

  test("an opaque delta link whose context names nothing: related entities are known by their id, ETag or nested delta; complex values, typed or not, are written", async (t) => {
    const typedAddress = { "@odata.type": "#NS.Address", ...address };
    const server = await deltaService({
      "Books?$deltatoken=abc": {
        "@odata.context": "$metadata#Books/$delta",
        value: [
          {
            ID: 1,
            stock: 4,
            address: typedAddress,
            tags,
            author: { "@odata.id": "Authors(3)", ID: 3, name: "Ann", home: address },
            reviews: [{ "@odata.etag": 'W/"1"', ID: 7, rating: 5 }],
            "editions@delta": [{ "@removed": { reason: "deleted" }, "@id": "Editions(1)" }, { "@id": "Editions(2)", year: 2001 }],
          },
        ],
        "@odata.deltaLink": "Books?$deltatoken=abd",
      },
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const [book] = await changedOf<Book>(client, server.url("svc/Books?$deltatoken=abc"));
    await client.collection<Book>("Books").key(1).update({ ...book!, stock: 9 });
    // The author's own complex value is written with the author, when the author is.
    await client.collection("Authors").key(3).update({ ...(book!["author"] as object), name: "Anne" });
    assert.deepEqual(writes(server), [
      ["PATCH", "/svc/Books(1)", { ID: 1, stock: 9, address: typedAddress, tags }],
      ["PATCH", "/svc/Authors(3)", { ID: 3, name: "Anne", home: address }],
    ]);
  });

  test("an entry of another entity set (a context of its own) is not read by the delta's $expand", async (t) => {
    const server = await deltaService({
      "Books?$expand=reviews&$deltatoken=1": {
        "@odata.context": "$metadata#Books/$delta",
        value: [{ "@odata.context": "#Shops/$entity", ID: 5, reviews: [{ stars: 4 }] }],
        "@odata.deltaLink": "Books?$expand=reviews&$deltatoken=2",
      },
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const [shop] = await changedOf<Book>(client, server.url("svc/Books?$expand=reviews&$deltatoken=1"));
    await client.collection<Book>("Shops").key(5).update({ ...shop!, stock: 1 });
    // Shops' `reviews` is a collection of complex values here, which Books' $expand does not name.
    assert.deepEqual(writes(server), [["PATCH", "/svc/Shops(5)", { ID: 5, reviews: [{ stars: 4 }], stock: 1 }]]);
  });

  test("v2: the __delta link's $expand paths (Author/Books) mark every level; a complex value is written", async (t) => {
    const v2Address = { __metadata: { type: "NS.Address" }, City: "Bern" };
    const server = await deltaService({
      "Books?$expand=Author/Books&!deltatoken='1'": {
        d: {
          results: [{ ID: 1, Stock: 4, Address: v2Address, Author: { ID: 3, Name: "Ann", Books: { results: [{ ID: 2 }] } } }],
          __delta: "Books?$expand=Author/Books&!deltatoken='2'",
        },
      },
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "2.0" });
    const [book] = await changedOf<Book>(client, server.url("svc/Books?$expand=Author/Books&!deltatoken='1'"));
    await client.collection<Book>("Books").key(1).update({ ...book!, Stock: 9 });
    await client.collection("Authors").key(3).update({ ...(book!["Author"] as object), Name: "Anne" });
    const sent = writes(server).map(([method, path, body]) => [method, path, body]);
    assert.deepEqual(
      sent.map(([, path, body]) => [path, body]),
      [
        ["/svc/Books(1)", { ID: 1, Stock: 9, Address: v2Address }],
        ["/svc/Authors(3)", { ID: 3, Name: "Anne" }],
      ],
    );
  });
});

test("a hostile delta nested thousands deep (related entities, a link's $expand, a context's select list) is read, not a stack overflow", async (t) => {
  // Written as text: JSON.stringify itself would overflow on it.
  let nested = '{"@odata.id":"Books(0)","ID":0}';
  for (let level = 1; level < 5_000; level++) nested = `{"@odata.id":"Books(${level})","ID":${level},"next":${nested}}`;
  const deepExpand = `${"a($expand=".repeat(1_000)}a${")".repeat(1_000)}`;
  const deepContext = `$metadata#Books(${"a(".repeat(3_000)}b${")".repeat(3_000)})/$delta`;
  const server = await startServer((request, res) => {
    const first = request.path === "/svc/Books?$deltatoken=1";
    const text = first
      ? `{"@odata.context":${JSON.stringify(deepContext)},"value":[${nested}],"@odata.deltaLink":${JSON.stringify(`Books?$deltatoken=2&$expand=${deepExpand}`)}}`
      : '{"value":[{"ID":9,"stock":1}]}';
    res.writeHead(200, { "content-type": "application/json" });
    res.end(text);
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const changed: ChangedEntity<Book>[] = [];
  let deltaLink: string | undefined;
  for await (const page of client.delta<Book>(server.url("svc/Books?$deltatoken=1"))) {
    changed.push(...page.changed);
    deltaLink = page.deltaLink;
  }
  assert.ok(deltaLink);
  for await (const page of client.delta<Book>(deltaLink)) changed.push(...page.changed);
  assert.deepEqual(changed.map((book) => book.ID), [4_999, 9]);
  assert.deepEqual(server.requests.map((r) => r.path.slice(0, 26)), ["/svc/Books?$deltatoken=1", "/svc/Books?$deltatoken=2&$"]);
});
