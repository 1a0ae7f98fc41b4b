// ODataReader, the client of traverse-odata/read: it reads as ODataClient does (the same options,
// the same requests on the wire) and hands out queries that cannot write, whose builders keep
// their class. Against a node:http server for what goes on the wire, and against CAP.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as api from "../src/index.js";
import * as read from "../src/read.js";
import { ODataClient, ODataReader, type CollectionQuery, type QueryPartition, type ReadCollectionQuery, type ReadEntityQuery } from "../src/index.js";
import { startServer, sendJson, sendText, type RecordingServer } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";

interface Item {
  ID: number;
  name: string;
  tags: Tag[];
  owner: Owner;
}
interface Tag {
  ID: number;
  label: string;
}
interface Owner {
  ID: number;
  name: string;
}

let server: RecordingServer;

before(async () => {
  server = await startServer((request, res) => {
    const url = new URL(request.path, server.origin);
    const answers: Record<string, unknown> = {
      "/svc/Items": url.searchParams.has("$skiptoken") ? { value: [{ ID: 3, name: "c" }] } : { value: [{ ID: 1, name: "a" }, { ID: 2, name: "b" }], "@odata.nextLink": "Items?$skiptoken=2" },
      "/svc/Items(2)": { "@odata.etag": 'W/"2"', ID: 2, name: "b" },
      "/svc/Items(2)/tags": { value: [{ ID: 20, label: "x" }] },
      "/svc/Me": { ID: 9, name: "me" },
    };
    if (url.pathname === "/svc/Items" && url.searchParams.get("$deltatoken") === "t1") {
      sendJson(res, 200, { value: [{ ID: 2, name: "B" }, { "@removed": { reason: "deleted" }, "@id": "Items(3)" }], "@deltaLink": "Items?$deltatoken=t2" });
    } else if (url.pathname === "/svc/Items/$count") sendText(res, 200, "3");
    else if (url.pathname in answers) sendJson(res, 200, answers[url.pathname]);
    else sendJson(res, 404, { error: { code: "NO_ROUTE", message: url.pathname } });
  });
});

after(async () => {
  await server?.close();
});

/** The requests the server saw under `/svc/` since `from`, as method and path. */
function sentSince(from: number): string[] {
  return server.requests.slice(from).map((request) => `${request.method} ${decodeURIComponent(request.path)}`);
}

describe("ODataReader on the wire", () => {
  test("walks a collection page by page with the client's options and headers, following the next link", async () => {
    const from = server.requests.length;
    const reader = new ODataReader({ serviceUrl: server.url("svc/"), headers: { "x-tenant": "t1" }, maxPageSize: 2 });
    const names: string[] = [];
    for await (const item of reader.collection<Item>("Items").filter((f) => f.gt("ID", 0)).select("ID", "name").orderBy("ID")) names.push(item.name);
    assert.deepEqual(names, ["a", "b", "c"]);
    assert.deepEqual(sentSince(from), ["GET /svc/Items?$filter=ID gt 0&$select=ID,name&$orderby=ID", "GET /svc/Items?$skiptoken=2"]);
    for (const request of server.requests.slice(from)) {
      assert.equal(request.headers["x-tenant"], "t1");
      assert.equal(request.headers["odata-version"], undefined, "a read carries no version header, as the client's reads");
      assert.equal(request.headers["prefer"], "odata.maxpagesize=2");
      assert.match(String(request.headers["accept"]), /^application\/json/);
    }
  });

  test("reads one entity with its ETag, a navigation below it, a singleton, a count and the first entity", async () => {
    const from = server.requests.length;
    const reader = new ODataReader({ serviceUrl: server.url("svc/") });
    const items = reader.collection<Item>("Items");
    const item = await items.key(2).get();
    assert.deepEqual(item, { "@odata.etag": 'W/"2"', ID: 2, name: "b" });
    assert.deepEqual(await items.key(2).navigate("tags").list(), [{ ID: 20, label: "x" }]);
    assert.deepEqual(await reader.singleton<Owner>("Me").get(), { ID: 9, name: "me" });
    assert.equal(await items.countAll(), 3);
    assert.deepEqual(await items.first(), { ID: 1, name: "a" });
    assert.deepEqual(sentSince(from), ["GET /svc/Items(2)", "GET /svc/Items(2)/tags", "GET /svc/Me", "GET /svc/Items/$count", "GET /svc/Items?$top=1"]);
  });

  test("reads the changes behind a delta link", async () => {
    const from = server.requests.length;
    const reader = new ODataReader({ serviceUrl: server.url("svc/"), version: "4.01" });
    const pages = [];
    for await (const page of reader.delta<Item>(server.url("svc/Items?$deltatoken=t1"))) pages.push(page);
    assert.deepEqual(pages, [
      { changed: [{ ID: 2, name: "B" }], removed: [{ id: "Items(3)", reason: "deleted" }], addedLinks: [], removedLinks: [], deltaLink: server.url("svc/Items?$deltatoken=t2") },
    ]);
    assert.deepEqual(sentSince(from), ["GET /svc/Items?$deltatoken=t1"]);
  });

  test("checks its options and names as ODataClient does", () => {
    assert.throws(() => new ODataReader({ serviceUrl: "ftp://host/" }), { name: "TypeError", message: /"serviceUrl" must use http or https/ });
    assert.throws(() => new ODataReader({ serviceUrl: server.url("svc/"), timeout: -1 }), { name: "RangeError", message: /"timeout"/ });
    assert.throws(() => new ODataReader({ serviceUrl: server.url("svc/") }).collection("Items)"), { name: "TypeError", message: /is not an entity set name/ });
  });

  test("its option errors name ODataReader, the class the program made; the client's name ODataClient", () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /^ODataReader options must be an object with at least serviceUrl/],
      [{ serviceUrl: server.url("svc/"), version: "3.0" }, /^ODataReader option "version" must be one of/],
      [{ serviceUrl: server.url("svc/"), timeout: "soon" }, /^ODataReader option "timeout"/],
      [{ serviceUrl: server.url("svc/"), steps: {} }, /^ODataReader option "steps"/],
      [{ serviceUrl: "svc/" }, /^ODataReader option "serviceUrl"/],
    ];
    for (const [options, message] of cases) {
      assert.throws(() => new ODataReader(options as api.ODataClientOptions), (error: unknown) => {
        assert.ok(error instanceof Error && message.test(error.message), String(error));
        // The stack's first line says the same, where the runtime writes one.
        assert.match(String(error.stack).split("\n")[0] ?? "", /ODataReader option/);
        return true;
      });
      assert.throws(() => new ODataClient(options as api.ODataClientOptions), { message: new RegExp(message.source.replace("ODataReader", "ODataClient")) });
    }
  });
});

/** The first of two `$skip` windows of `entitySet`, as `partitions(2)` plans them. */
function windowOf(entitySet: string): QueryPartition {
  return { type: "traverse-odata/partition", version: 1, entitySet, index: 0, of: 2, kind: "skip", skip: 0, top: 10, url: `https://example.com/svc/${entitySet}?$skip=0&$top=10` };
}

describe("what a reader's queries are", () => {
  const reader = new ODataReader({ serviceUrl: "https://example.com/svc/" });
  const client = new ODataClient({ serviceUrl: "https://example.com/svc/" });

  test("they have no writing verbs, operations, media or partitions; the client's have them", () => {
    const collection = reader.collection<Item>("Items");
    const entity = collection.key(1);
    for (const verb of ["create", "createAsync", "createMedia", "action", "function", "partitions", "partition"]) {
      assert.equal(verb in collection, false, `a reader's collection query has ${verb}()`);
      assert.equal(typeof (client.collection("Items") as unknown as Record<string, unknown>)[verb], "function", `a client's collection query lacks ${verb}()`);
    }
    for (const verb of ["update", "replace", "upsert", "delete", "link", "setLink", "unlink", "media", "action", "function"]) {
      assert.equal(verb in entity, false, `a reader's entity query has ${verb}()`);
      assert.equal(typeof (client.collection("Items").key(1) as unknown as Record<string, unknown>)[verb], "function", `a client's entity query lacks ${verb}()`);
    }
    for (const method of ["batch", "action", "function", "asyncPoller", "resumeAsync"]) assert.equal(method in reader, false, `the reader has ${method}()`);
  });

  test("every builder gives a query of the class it was called on", () => {
    const readerQueries: object[] = [
      reader.collection<Item>("Items").filter("ID gt 1").select("name").expand("tags").orderBy("name").top(1).skip(1).count().search("x").apply("x").compute("x").param("p", 1).trackChanges(),
      reader.collection<Item>("Items").key(1).navigate("tags").filter("ID gt 1"),
    ];
    const readerEntities: object[] = [reader.collection<Item>("Items").key(1).select("name").expand("owner").param("p", 1), reader.collection<Item>("Items").key(1).navigateOne("owner"), reader.singleton<Owner>("Me")];
    for (const query of readerQueries) assert.equal(query.constructor.name, "ReadCollectionQuery");
    for (const query of readerEntities) assert.equal(query.constructor.name, "ReadEntityQuery");
    const clientQueries: object[] = [
      client.collection<Item>("Items").filter("ID gt 1").select("name").expand("tags").orderBy("name").top(1).skip(1).count().search("x").apply("x").compute("x").param("p", 1).trackChanges(),
      client.collection<Item>("Items").partition(windowOf("Items")).top(1),
      client.collection<Item>("Items").key(1).navigate("tags").filter("ID gt 1"),
    ];
    const clientEntities: object[] = [client.collection<Item>("Items").key(1).select("name").expand("owner").param("p", 1), client.collection<Item>("Items").key(1).navigateOne("owner"), client.singleton<Owner>("Me")];
    for (const query of clientQueries) assert.equal(query.constructor.name, "CollectionQuery");
    for (const query of clientEntities) assert.equal(query.constructor.name, "EntityQuery");
    // Builders still leave the query they were called on as it was.
    const base = reader.collection<Item>("Items");
    base.filter("ID gt 1").top(3);
    assert.equal(base.url(), "https://example.com/svc/Items");
  });

  test("the compiler gives each builder's result its class, so a reader's query offers no write", () => {
    const narrowed: ReadCollectionQuery<Item, "name"> = reader.collection<Item>("Items").filter((f) => f.eq("name", "a")).select("name");
    const one: ReadEntityQuery<Owner, never, {}, "read", null> = reader.collection<Item>("Items").key(1).navigateOne("owner");
    const full: CollectionQuery<Item, "name"> = client.collection<Item>("Items").top(2).select("name");
    // @ts-expect-error a reader's collection query does not write
    void narrowed.create;
    // @ts-expect-error a reader's entity query does not write
    void reader.collection<Item>("Items").key(1).update;
    const misuse = () => {
      // @ts-expect-error Books have a number key, as for the client
      reader.collection<Book>("Books").key("one");
      // @ts-expect-error a field that Item does not have
      reader.collection<Item>("Items").select("price");
    };
    assert.equal(typeof misuse, "function");
    assert.equal(typeof full.create, "function");
    assert.equal(one.url(), "https://example.com/svc/Items(1)/owner");
    assert.equal(narrowed.url(), "https://example.com/svc/Items?$filter=name%20eq%20%27a%27&$select=name");
  });

  test("an ODataClient is an ODataReader, and code written for a reader's queries takes the client's", async () => {
    assert.ok(client instanceof ODataReader);
    assert.equal(reader instanceof ODataClient, false);
    // Written against the reading types only; the compiler accepts the client and its queries too.
    const names = async (items: ReadCollectionQuery<Item>): Promise<string[]> => (await items.select("name").list()).map((item) => item.name);
    const itemsOf = (source: ODataReader): ReadCollectionQuery<Item> => source.collection<Item>("Items");
    const one = (item: ReadEntityQuery<Item>): string => item.url();
    const overHttp = { serviceUrl: server.url("svc/") };
    assert.deepEqual(await names(new ODataClient(overHttp).collection<Item>("Items")), ["a", "b", "c"]);
    assert.deepEqual(await names(itemsOf(new ODataClient(overHttp))), ["a", "b", "c"]);
    assert.deepEqual(await names(itemsOf(new ODataReader(overHttp))), ["a", "b", "c"]);
    assert.equal(one(client.collection<Item>("Items").key(1)), "https://example.com/svc/Items(1)");
  });
});

test("traverse-odata/read exports only names of traverse-odata, as the same values", () => {
  const values = Object.keys(read).sort();
  assert.deepEqual(
    values.filter((name) => (api as Record<string, unknown>)[name] !== (read as Record<string, unknown>)[name]),
    [],
  );
  assert.deepEqual(values, ["EdmValue", "ODataClientError", "ODataErrorCode", "ODataHttpError", "ODataReader", "createFilterBuilder", "edm", "etagOf", "isODataClientError", "isODataHttpError", "redactText", "redactUrl", "sapMessages"]);
});

describe("ODataReader against CAP", () => {
  const cap = useCap();

  test("reads the same books, through the same pages, as ODataClient does", async () => {
    const fromReader = await new ODataReader({ serviceUrl: cap.v4 }).collection<Book>("Books").filter((f) => f.lt("ID", 8)).select("ID", "title").orderBy("ID", "desc").list();
    const fromClient = await new ODataClient({ serviceUrl: cap.v4 }).collection<Book>("Books").filter((f) => f.lt("ID", 8)).select("ID", "title").orderBy("ID", "desc").list();
    assert.deepEqual(
      fromReader.map((book) => book.ID),
      [7, 6, 5, 4, 3, 2, 1],
    );
    assert.deepEqual(fromReader, fromClient);
    assert.equal(fromReader.find((book) => book.ID === 2)?.title, "Emma");
  });

  test("follows CAP's server-driven paging and reads a single entity and the metadata", async () => {
    const reader = new ODataReader({ serviceUrl: cap.v4 });
    const pages: number[] = [];
    for await (const page of reader.collection<Book>("BooksPaged").select("ID").pages()) pages.push(page.value.length);
    assert.deepEqual(pages, [10, 10, 3]);
    const book = await reader.collection<Book>("Books").key(3).select("title").get();
    assert.equal(book.title, "Persuasion");
    const model = await reader.metadata();
    assert.ok(model.entitySet("Books"), "the model has the entity set Books");
  });

  test("reads the partitions a client planned from their URLs, as the README says, every book once", async () => {
    const plan = await new ODataClient({ serviceUrl: cap.v4 }).collection<Book>("Books").select("ID").partitions(3);
    const reader = new ODataReader({ serviceUrl: cap.v4 });
    const read: number[][] = [];
    for (const partition of plan) read.push((await reader.collection<Book>(partition.entitySet).list({ from: partition.url })).map((book) => book.ID));
    const all = (await reader.collection<Book>("Books").select("ID").list()).map((book) => book.ID);
    assert.equal(read.length, 3);
    assert.ok(read.every((ids) => ids.length > 0), JSON.stringify(read));
    assert.deepEqual(read.flat().sort((a, b) => a - b), all.sort((a, b) => a - b));
  });
});

test("a program's own class that extends ODataReader or ODataClient gets option errors naming the class it extends", () => {
  const message = (make: () => unknown) => {
    try {
      make();
    } catch (error) {
      assert.ok(error instanceof TypeError, String(error));
      return error.message.slice(0, error.message.indexOf(" option "));
    }
    return assert.fail("no error");
  };
  class MyReader extends ODataReader {}
  class MyClient extends ODataClient {}
  assert.deepEqual(
    [() => new ODataReader({ serviceUrl: "" }), () => new MyReader({ serviceUrl: "" }), () => new ODataClient({ serviceUrl: "" }), () => new MyClient({ serviceUrl: "" })].map(message),
    ["ODataReader", "ODataReader", "ODataClient", "ODataClient"],
  );
});
