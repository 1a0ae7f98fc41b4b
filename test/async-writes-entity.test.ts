/**
 * The result of a long-running write (`createAsync`, `updateAsync`, `replaceAsync`) is the entity
 * as the write itself (`create()`, `update()`) reads it, however the result arrives: in the
 * initial answer (a service that ignores `respond-async`), in the monitor's final answer (rules 2,
 * 3 and 5), from a result URL after the monitor (rules 4, 6 and 7), or in a poller resumed from its
 * token. On OData v2 that is `d` unwrapped, `/Date(...)/` values as ISO text, `__deferred` links
 * gone and expanded `results` as arrays; on both versions the response's annotations go and the
 * `ETag` header stays with the entity. Pollers of operations (`invokeAsync`, `getAsync`) and the
 * generic `client.asyncPoller()` (the raw body, per the README) read their results as before.
 * Scripted node:http services for each path, and SAP CAP's v2 adapter.
 */
import { after, before, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, type AsyncPoller, type AsyncPollerToken, type ODataVersion } from "../src/index.js";
import { startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { startCap, type CapServer } from "./servers/cap.js";
import type { Book } from "./servers/cap/types.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true` (`npm test`'s tsc checks the test files). */
function expectType<_T extends true>(): void {}

const FAST = { pollInterval: 1, maxWait: 30_000 };
const ETAG = 'W/"7"';

interface ScriptedBook {
  ID: number;
  title: string;
  published: string;
  reviews: { ID: number; at: string }[];
  __metadata?: Record<string, unknown>;
  "@odata.etag"?: string;
}

/** The entity every write of the scripted service answers with, in the version's JSON, without an ETag in the body. */
function entityBody(version: ODataVersion): string {
  if (version === "2.0") {
    return JSON.stringify({
      d: {
        __metadata: { uri: "http://host/odata/Books(1)", type: "NS.Book" },
        ID: 1,
        title: "Emma",
        published: "/Date(1700000000000)/",
        author: { __deferred: { uri: "http://host/odata/Books(1)/author" } },
        reviews: { results: [{ __metadata: { uri: "http://host/odata/Reviews(5)", type: "NS.Review" }, ID: 5, at: "/Date(0)/" }] },
      },
    });
  }
  return JSON.stringify({
    "@odata.context": "$metadata#Books/$entity",
    "@odata.metadataEtag": 'W/"m"',
    ID: 1,
    title: "Emma",
    published: "2023-11-14T22:13:20Z",
    reviews: [{ ID: 5, at: "1970-01-01T00:00:00Z" }],
  });
}

/** What `create()` reads from {@link entityBody} with the `ETag` header {@link ETAG}, written out. */
function expectedEntity(version: ODataVersion): ScriptedBook {
  const reviews = [{ ID: 5, at: "1970-01-01T00:00:00Z" }];
  if (version === "2.0") {
    return {
      __metadata: { uri: "http://host/odata/Books(1)", type: "NS.Book", etag: ETAG },
      ID: 1,
      title: "Emma",
      published: "2023-11-14T22:13:20Z",
      reviews: reviews.map((review) => ({ __metadata: { uri: "http://host/odata/Reviews(5)", type: "NS.Review" }, ...review })),
    };
  }
  return { ID: 1, title: "Emma", published: "2023-11-14T22:13:20Z", reviews, "@odata.etag": ETAG };
}

/** How the scripted service gives the result of a write sent with `Prefer: respond-async`. */
type Route =
  | "at once" // 201/200 with the entity: respond-async ignored
  | "monitor 200" // rule 5: the monitor's final answer is the entity
  | "monitor application/http" // rule 2: the final answer wrapped in application/http
  | "monitor AsyncResult" // rule 3
  | "monitor 303" // rule 7: the result fetched from Location
  | "monitor status resourceLocation" // rule 4: the result fetched from resourceLocation
  | "monitor 204 Location"; // rule 6 (OData 4.02): the result fetched from Location

const ROUTES: Route[] = ["at once", "monitor 200", "monitor application/http", "monitor AsyncResult", "monitor 303", "monitor status resourceLocation", "monitor 204 Location"];

interface Scripted {
  server: RecordingServer;
  client: ODataClient;
  serviceUrl: string;
  /** Answers the next result GET(s) with 503 first (to stop a poller between the monitor and its result). */
  failNextResults(count: number): void;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * A service of `Books` for `version`: a write without `Prefer: respond-async` (`create()`,
 * `update()`) is answered at once with the entity and its ETag header; one with it goes by
 * `route`. Each operation's monitor (`monitor/<n>`) answers 202 to its first poll and its final
 * answer to the second; the result lives at `result/<n>`.
 */
async function scriptedService(t: TestContext, version: ODataVersion, route: Route): Promise<Scripted> {
  const entity = entityBody(version);
  const json = { "content-type": "application/json" };
  const polls = new Map<string, number>();
  let operations = 0;
  let failingResults = 0;
  const server = await startServer((request: RecordedRequest, res) => {
    const monitor = /\/monitor\/(\d+)$/.exec(request.path)?.[1];
    const result = /\/result\/(\d+)$/.exec(request.path)?.[1];
    if (result !== undefined) {
      if (failingResults > 0) {
        failingResults -= 1;
        return send(res, 503, { ...json, "retry-after": "0" }, '{"error":{"code":"BUSY","message":"later"}}');
      }
      return send(res, 200, { ...json, etag: ETAG }, entity);
    }
    if (monitor !== undefined) {
      const seen = polls.get(monitor) ?? 0;
      polls.set(monitor, seen + 1);
      if (seen === 0) return send(res, 202, { ...json }, '{"status":"Running","percentComplete":50}');
      switch (route) {
        case "monitor 200":
          return send(res, 200, { ...json, etag: ETAG }, entity);
        case "monitor application/http": {
          const inner = ["HTTP/1.1 201 Created", "Content-Type: application/json", `ETag: ${ETAG}`, "", entity].join("\r\n");
          return send(res, 200, { "content-type": "application/http" }, inner);
        }
        case "monitor AsyncResult":
          return send(res, 200, { ...json, asyncresult: "201", etag: ETAG }, entity);
        case "monitor 303":
          return send(res, 303, { location: `../result/${monitor}` }, "");
        case "monitor status resourceLocation":
          return send(res, 200, { ...json }, JSON.stringify({ status: "Succeeded", resourceLocation: `../result/${monitor}` }));
        case "monitor 204 Location":
          return send(res, 204, { location: `../result/${monitor}` }, "");
        case "at once":
          return send(res, 404, {}, "");
      }
    }
    if (request.method === "GET") return send(res, 200, { ...json, etag: ETAG }, entity);
    const status = request.method === "POST" ? 201 : 200;
    if (route === "at once" || !/respond-async/.test(String(request.headers["prefer"] ?? ""))) return send(res, status, { ...json, etag: ETAG }, entity);
    operations += 1;
    return send(res, 202, { location: `monitor/${operations}` }, "");
  });
  t.after(() => server.close());
  const serviceUrl = server.url("odata/");
  return {
    server,
    client: new ODataClient({ serviceUrl, version, retry: false }),
    serviceUrl,
    failNextResults: (count) => {
      failingResults = count;
    },
  };
}

/** The three writes with a poller, each with the write it is the twin of. */
const WRITES: { name: string; direct(books: ReturnType<ODataClient["collection"]>): Promise<unknown>; start(books: ReturnType<ODataClient["collection"]>): Promise<AsyncPoller<unknown>> }[] = [
  { name: "createAsync", direct: (books) => books.create({ ID: 1, title: "Emma" }), start: (books) => books.createAsync({ ID: 1, title: "Emma" }, FAST) },
  {
    name: "updateAsync",
    direct: (books) => books.key(1).update({ title: "Emma" }, { ifMatch: "*" }),
    start: (books) => books.key(1).updateAsync({ title: "Emma" }, { ifMatch: "*", ...FAST }),
  },
  {
    name: "replaceAsync",
    direct: (books) => books.key(1).replace({ ID: 1, title: "Emma" }, { ifMatch: "*" }),
    start: (books) => books.key(1).replaceAsync({ ID: 1, title: "Emma" }, { ifMatch: "*", ...FAST }),
  },
];

function throughJson(token: AsyncPollerToken): AsyncPollerToken {
  return JSON.parse(JSON.stringify(token)) as AsyncPollerToken;
}

function wire(server: RecordingServer, from = 0): string[] {
  return server.requests.slice(from).map((request) => `${request.method} ${request.path}`);
}

describe("OData 4.0: a write's poller gives the final body as the contract has it (parsed, the response's annotations left out)", { concurrency: true }, () => {
  for (const route of ROUTES) {
    test(`${route}: createAsync's result is the body the service sent`, async (t) => {
      const { client } = await scriptedService(t, "4.0", route);
      const poller = await client.collection("Books").createAsync({ ID: 1, title: "Emma" }, FAST);
      // The response's annotations (@odata.context, @odata.metadataEtag) are left out, as from every
      // answer; the ETag header is not added to it (the entity's own reads keep it).
      const { "@odata.context": context, "@odata.metadataEtag": metadataEtag, ...sent } = JSON.parse(entityBody("4.0")) as Record<string, unknown>;
      assert.ok(context !== undefined && metadataEtag !== undefined);
      assert.deepEqual(await poller.wait(), sent);
      assert.deepEqual(poller.toJSON().resultShape, { kind: "raw" });
    });
  }
});

for (const version of ["2.0"] as const) {
  describe(`OData ${version}: a write's poller gives the entity as the write itself reads it`, { concurrency: true }, () => {
    for (const route of ROUTES) {
      test(`${route}: createAsync, updateAsync and replaceAsync resolve with what create(), update() and replace() give`, async (t) => {
        const { server, client } = await scriptedService(t, version, route);
        const books = client.collection("Books");
        for (const write of WRITES) {
          const direct = await write.direct(books);
          assert.deepEqual(direct, expectedEntity(version), `${write.name}'s twin`);
          const before = server.requests.length;
          const poller = await write.start(books);
          const result = await poller.wait();
          assert.deepEqual(result, direct, `${write.name} (${route})`);
          assert.deepEqual(poller.result(), direct);
          assert.equal(poller.status(), "Succeeded");
          const sent = wire(server, before);
          assert.equal(server.requests[before]?.headers["prefer"], "respond-async");
          if (route === "at once") assert.equal(sent.length, 1, "the initial request only");
          else {
            const fetched = ["monitor 303", "monitor status resourceLocation", "monitor 204 Location"].includes(route);
            assert.equal(sent.length, fetched ? 4 : 3, `the write, two polls${fetched ? " and the result's GET" : ""}: ${sent.join(", ")}`);
            if (fetched) assert.match(sent[3] ?? "", /^GET \/odata\/result\/\d+$/);
          }
        }
      });
    }

    test("a poller stopped while it runs, saved through JSON and resumed in another client gives the same entity; its token says so", async (t) => {
      for (const route of ROUTES.filter((r) => r !== "at once")) {
        const { server, client, serviceUrl } = await scriptedService(t, version, route);
        const poller = await client.collection("Books").createAsync({ ID: 1, title: "Emma" }, FAST);
        assert.equal(await poller.poll(), true);
        const token = throughJson(poller.toJSON());
        assert.deepEqual(token.resultShape, { kind: "entity", version });
        const resumed = new ODataClient({ serviceUrl, version }).resumeAsync<ScriptedBook>(token, FAST);
        const before = server.requests.length;
        assert.deepEqual(await resumed.wait(), expectedEntity(version), route);
        assert.match(wire(server, before)[0] ?? "", /^GET \/odata\/monitor\/\d+$/);
        assert.deepEqual(resumed.toJSON().resultShape, { kind: "entity", version });
      }
    });

    test("a token saved between the monitor and its result (the result's GET answered 503) resumes by fetching the result and reading it as an entity", async (t) => {
      const scripted = await scriptedService(t, version, "monitor 303");
      const poller = await scripted.client.collection("Books").key(1).updateAsync({ title: "Emma" }, { ifMatch: "*", ...FAST });
      assert.equal(await poller.poll(), true, "the monitor still runs");
      scripted.failNextResults(1);
      assert.equal(await poller.poll(), true, "the monitor said 303, the result's GET was answered 503: transient");
      const token = throughJson(poller.toJSON());
      assert.match(token.resultUrl ?? "", /\/odata\/result\/1$/);
      const before = scripted.server.requests.length;
      const resumed = new ODataClient({ serviceUrl: scripted.serviceUrl, version }).resumeAsync<ScriptedBook>(token, FAST);
      assert.deepEqual(await resumed.wait(), expectedEntity(version));
      assert.deepEqual(wire(scripted.server, before), ["GET /odata/result/1"]);
    });

    test("a token saved after success carries the entity as read, and resumes done without a request", async (t) => {
      const { server, client, serviceUrl } = await scriptedService(t, version, "monitor 200");
      const poller = await client.collection("Books").createAsync({ ID: 1 }, FAST);
      await poller.wait();
      const token = throughJson(poller.toJSON());
      assert.deepEqual(token.result, expectedEntity(version));
      const before = server.requests.length;
      const resumed = new ODataClient({ serviceUrl, version }).resumeAsync<ScriptedBook>(token);
      assert.equal(resumed.isDone(), true);
      assert.deepEqual(resumed.result(), expectedEntity(version));
      assert.deepEqual(await resumed.wait(), expectedEntity(version));
      assert.equal(server.requests.length, before);
    });
  });
}

describe("what is not an entity stays what it is", { concurrency: true }, () => {
  /** A service whose writes start an operation whose monitor's second answer is `final`. */
  async function finalAnswer(t: TestContext, version: ODataVersion, final: { status: number; headers: Record<string, string>; body: string }) {
    let polls = 0;
    const server = await startServer((request, res) => {
      if (request.path.endsWith("/monitor/1")) {
        polls += 1;
        if (polls % 2 === 1) return send(res, 202, {}, "");
        return send(res, final.status, final.headers, final.body);
      }
      return send(res, 202, { location: "monitor/1" }, "");
    });
    t.after(() => server.close());
    return new ODataClient({ serviceUrl: server.url("odata/"), version, retry: false });
  }

  test("a write's poller: a text/csv result is its text, a JSON array stays an array, a 204 is undefined (v2 and v4)", async (t) => {
    for (const version of ["2.0", "4.0"] as const) {
      const csv = await finalAnswer(t, version, { status: 200, headers: { "content-type": "text/csv", etag: ETAG }, body: "ID,title\r\n1,Emma\r\n" });
      assert.equal(await (await csv.collection("Jobs").createAsync({ format: "csv" }, FAST)).wait(), "ID,title\r\n1,Emma\r\n");
      const array = await finalAnswer(t, version, { status: 200, headers: { "content-type": "application/json" }, body: "[1,2]" });
      assert.deepEqual(await (await array.collection("Jobs").createAsync({}, FAST)).wait(), [1, 2]);
      const none = await finalAnswer(t, version, { status: 204, headers: {}, body: "" });
      assert.equal(await (await none.collection("Jobs").key(1).deleteAsync({ ifMatch: "*", ...FAST })).wait(), undefined);
    }
  });

  test("an operation's poller still unwraps its result as invoke() does (v2 function import, v4 value), and asyncPoller() gives the raw body", async (t) => {
    const v2 = await finalAnswer(t, "2.0", { status: 200, headers: { "content-type": "application/json", etag: ETAG }, body: '{"d":{"countBooks":9}}' });
    assert.equal(await (await v2.function<number>("countBooks").getAsync(FAST)).wait(), 9);
    assert.deepEqual(await v2.asyncPoller("monitor/1", FAST).wait(), { d: { countBooks: 9 } });
    const v4 = await finalAnswer(t, "4.0", { status: 200, headers: { "content-type": "application/json", etag: ETAG }, body: '{"@odata.context":"$metadata#Collection(Edm.Int32)","value":[3,5]}' });
    assert.deepEqual(await (await v4.action<number[]>("primes").invokeAsync({}, FAST)).wait(), [3, 5]);
    // The raw body: the response's context left out (the one rule of payload/entity-answer.ts), nothing else.
    assert.deepEqual(await v4.asyncPoller("monitor/1", FAST).wait(), { value: [3, 5] });
    const envelope = await finalAnswer(t, "2.0", { status: 200, headers: { "content-type": "application/json" }, body: entityBody("2.0") });
    assert.deepEqual(await envelope.asyncPoller("monitor/1", FAST).wait(), JSON.parse(entityBody("2.0")));
  });
});

describe("a token's entity result shape", () => {
  test("names the OData version; a token whose version is missing or unknown is refused with a TypeError naming the field", async (t) => {
    const server = await startServer((_request, res) => send(res, 204, {}, ""));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("odata/") });
    for (const version of [undefined, "3.0", 4]) {
      const token = { type: "traverse-odata/async-poller", version: 2, statusUrl: "monitor/1", resultShape: { kind: "entity", version } } as unknown as AsyncPollerToken;
      assert.throws(() => client.resumeAsync(token), (error: unknown) => error instanceof TypeError && /token\.resultShape\.version/.test(error.message));
    }
    assert.equal(server.requests.length, 0);
  });

  test("client.resumeAsync takes a write's token; batch.resumeAsync refuses it at once, naming client.resumeAsync", async (t) => {
    const { client } = await scriptedService(t, "2.0", "monitor 200");
    const token = throughJson((await client.collection("Books").createAsync({ ID: 1 }, FAST)).toJSON());
    assert.throws(
      () => client.batch().resumeAsync(token),
      (error: unknown) => error instanceof TypeError && /poller of a write/.test(error.message) && /client\.resumeAsync\(token\)/.test(error.message),
    );
    assert.deepEqual(await client.resumeAsync<ScriptedBook>(token, FAST).wait(), expectedEntity("2.0"));
  });
});

describe("SAP CAP's OData v2 adapter (answers respond-async writes at once)", () => {
  let cap: CapServer;
  before(async () => {
    cap = await startCap();
  });
  after(() => cap.stop());

  test("createAsync, updateAsync and replaceAsync give the entity as create(), update() and get() read it: title set, dates ISO, no d, no __deferred", async () => {
    const client = new ODataClient({ serviceUrl: cap.v2, version: "2.0" });
    const books = client.collection<Book>("Books");
    const created = await books.create({ ID: 950, title: "Made at once", stock: 1 });
    const poller = await books.createAsync({ ID: 951, title: "Made at once", stock: 1 });
    assert.equal(poller.isDone(), true);
    const made: Book = await poller.wait();
    assert.equal(made.title, "Made at once");
    assert.equal(made.ID, 951);
    assert.ok(!("d" in made));
    assert.match(String(made.createdAt), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(Object.keys(made).sort(), Object.keys(created ?? {}).sort());
    for (const value of Object.values(made)) assert.ok(!(typeof value === "object" && value !== null && "__deferred" in value), "no __deferred link left");
    assert.deepEqual(made, await books.key(951).get());

    const updated = await (await books.key(951).updateAsync({ stock: 3 }, { ifMatch: "*" })).wait();
    // What update() resolves with: the entity, or undefined for a 204 (CAP answers v2 writes with the entity).
    expectType<Same<typeof updated, Book | undefined>>();
    assert.ok(updated !== undefined, "CAP answered with the entity");
    assert.equal(updated.stock, 3);
    assert.equal(updated.title, "Made at once");
    assert.deepEqual(updated, await books.key(951).get());
    assert.deepEqual(Object.keys(updated).sort(), Object.keys((await books.key(950).update({ stock: 2 }, { ifMatch: "*" })) ?? {}).sort());

    const replaced = await (await books.key(951).replaceAsync({ ID: 951, title: "Replaced", stock: 4 }, { ifMatch: "*" })).wait();
    expectType<Same<typeof replaced, Book | undefined>>();
    assert.ok(replaced !== undefined, "CAP answered with the entity");
    assert.equal(replaced.title, "Replaced");
    assert.deepEqual(replaced, await books.key(951).get());
    // The entity's ETag is where update()'s etag option finds it.
    const again = await (await books.key(951).updateAsync({ stock: 5 }, { etag: replaced })).wait();
    assert.equal(again?.stock, 5);
  });
});
