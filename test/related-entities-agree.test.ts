// A delta's changed entity and a write's answer are told to hold related entities by one rule
// (payload/expanded.ts `holdsEntities`): an object with an entity's control information, or an
// array of which some member has it. Written back, the same shape leaves out the same values,
// whichever of the two it came from: a navigation collection where only some members carry an id
// (the others bare, as minimal metadata leaves them) is no complex collection, which never carries
// one; a complex collection whose records carry `@odata.type` is written. Against node:http servers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

type Row = Record<string, unknown>;

const addresses = [{ "@odata.type": "#NS.Address", street: "Main 1", city: "Bern" }, { street: "Side 2", city: "Basel" }];

/**
 * A service whose delta, whose create (alone or in a JSON `$batch`) and whose GET of the entity
 * all answer with `entity` (v4, or v2 wrapped in `d`); every other write gets 204.
 */
async function serviceOf(entity: Row, version: "4.0" | "2.0" = "4.0"): Promise<RecordingServer> {
  const v2 = version === "2.0";
  return startServer((request, res) => {
    if (request.method === "GET" && request.path.includes("deltatoken")) {
      const delta = v2 ? { d: { results: [entity], __delta: "Books?!deltatoken=2" } } : { "@odata.context": "$metadata#Books/$delta", value: [entity], "@odata.deltaLink": "Books?$deltatoken=2" };
      return sendJson(res, 200, delta);
    }
    if (request.path === "/svc/$batch") {
      return sendJson(res, 200, { responses: [{ id: "1", status: 201, headers: { "content-type": "application/json" }, body: entity }] });
    }
    if (request.method === "POST") return sendJson(res, 201, v2 ? { d: entity } : entity);
    res.writeHead(204);
    res.end();
  });
}

/** What each PATCH or MERGE sent, as [method, path, If-Match, body]. */
const patches = (server: RecordingServer): unknown[][] =>
  server.requests.filter((r) => r.method === "PATCH" || r.method === "MERGE").map((r) => [r.method, r.path, r.headers["if-match"], JSON.parse(r.body) as unknown]);

/** The entity as a delta gives it, a create's answer, and a `$batch` create's answer (v4 only). */
async function sourcesOf(client: ODataClient, server: RecordingServer, version: "4.0" | "2.0"): Promise<Row[]> {
  const books = client.collection<Row>("Books");
  const changed: Row[] = [];
  const link = version === "2.0" ? "Books?!deltatoken=1" : "Books?$deltatoken=1";
  for await (const page of client.delta<Row>(server.url(`svc/${link}`))) changed.push(...page.changed);
  assert.equal(changed.length, 1);
  const created = await books.create({ ID: 1 });
  assert.ok(created);
  const sources = [changed[0]!, created];
  if (version === "4.0") {
    const batch = client.batch({ format: "json" });
    const handle = batch.create(books, { ID: 1 });
    await batch.send();
    const result = handle.result();
    assert.ok(result.ok && result.value, JSON.stringify(result));
    sources.push(result.value);
  }
  return sources;
}

describe("related entities: a delta's changed entity and a write's answer are marked alike", () => {
  test("a navigation collection where only some members carry @odata.id is left out of a write of either; a complex collection whose records carry @odata.type is written by both", async (t) => {
    const book = {
      "@odata.etag": 'W/"1"',
      ID: 1,
      stock: 4,
      addresses,
      // A related entity the service knows by id, and a new one that minimal metadata left bare.
      reviews: [{ "@odata.id": "Reviews(7)", ID: 7, rating: 5 }, { ID: 8, rating: 2 }],
    };
    const server = await serviceOf(book);
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const books = client.collection<Row>("Books");
    const [fromDelta, fromCreate, fromBatch] = await sourcesOf(client, server, "4.0");
    for (const source of [fromDelta, fromCreate, fromBatch]) await books.key(1).update({ ...source, stock: 9 });
    const sent = ["PATCH", "/svc/Books(1)", 'W/"1"', { ID: 1, stock: 9, addresses }];
    assert.deepEqual(patches(server), [sent, sent, sent]);
  });

  test("a related entity with a context URL of its own (its entity set not the response's) is left out of a write of either", async (t) => {
    const book = {
      ID: 2,
      stock: 1,
      address: addresses[0],
      publisher: { "@odata.context": "$metadata#Publishers/$entity", ID: 5, name: "Penguin" },
    };
    const server = await serviceOf(book);
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const books = client.collection<Row>("Books");
    const sources = await sourcesOf(client, server, "4.0");
    for (const source of sources) await books.key(2).update({ ...source, stock: 3 }, { etag: false });
    const sent = ["PATCH", "/svc/Books(2)", undefined, { ID: 2, stock: 3, address: addresses[0] }];
    assert.deepEqual(patches(server), [sent, sent, sent]);
  });

  test("v2: an expanded `results` where only some members carry __metadata.uri is left out of a MERGE of either; a complex value's __metadata (a type only) is written", async (t) => {
    const address = { __metadata: { type: "S.Address" }, city: "Bath" };
    const book = {
      __metadata: { uri: "Books(3)", etag: 'W/"3"' },
      ID: 3,
      stock: 1,
      address,
      Reviews: { results: [{ __metadata: { uri: "Reviews(31)" }, ID: 31 }, { ID: 32 }] },
    };
    const server = await serviceOf(book, "2.0");
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "2.0" });
    const books = client.collection<Row>("Books");
    const sources = await sourcesOf(client, server, "2.0");
    assert.deepEqual(sources.map((source) => source["Reviews"]), [[{ __metadata: { uri: "Reviews(31)" }, ID: 31 }, { ID: 32 }], [{ __metadata: { uri: "Reviews(31)" }, ID: 31 }, { ID: 32 }]]);
    for (const source of sources) await books.key(3).update({ ...source, stock: 2 });
    const sent = ["MERGE", "/svc/Books(3)", 'W/"3"', { ID: 3, stock: 2, address }];
    assert.deepEqual(patches(server), [sent, sent]);
  });
});
