// A browser sees an answer's DataServiceVersion or OData-Version only where the service exposes it
// (Access-Control-Expose-Headers). Without them, a client of v4 at a v2 service took get()'s
// {"d": {"__metadata": …}} as the entity, and a walk said only that "value" was missing. Here the
// services send no version header at all, which is what such a page sees. And a client set to
// 2.0 at a v4 service resolved the v4 entity as if it were v2's, where its walk already refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { sendJson, serveClient, type Handler, type RecordingServer } from "./servers/recording-server.js";

const UNSEEN =
  '; the answer shows no OData-Version header, which a service of OData 4 sends (a browser sees it only where the service exposes it): if the service is OData v2\'s, create the client with version: "2.0"';

async function failure(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await promise.then(
    (value) => assert.fail(`resolved ${JSON.stringify(value)}`),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof ODataClientError, String(error));
  assert.equal(error.code, "BAD_PAYLOAD");
  return error;
}

/**
 * The one request the service saw: a GET of `path` asking for JSON with no version header of its
 * own (a read sends none: the README, "Queries and traversal"), so that what each answer shows is its own.
 */
function sentOneRead(server: RecordingServer, path: string): void {
  assert.deepEqual(
    server.requests.map((request) => ({
      method: request.method,
      path: request.path,
      accept: request.headers.accept,
      versions: ["odata-version", "odata-maxversion", "dataserviceversion", "maxdataserviceversion"].filter((name) => name in request.headers),
    })),
    [{ method: "GET", path, accept: "application/json", versions: [] }],
  );
}

/** Answers every request with `body` and no version header (what a page is shown of an unexposing service). */
const bare = (body: unknown, headers: Record<string, string> = {}): Handler => (_request, res) => sendJson(res, 200, body, headers);

test("a v2 entity answered without version headers is refused by get() of a client of v4, naming the option", async (t) => {
  const { server, client, root } = await serveClient(t, bare({ d: { __metadata: { uri: "Books(1)", type: "NS.Book" }, ID: 1, title: "One" } }));
  const error = await failure(client.collection("Books").key(1).get());
  assert.equal(error.message, `GET ${root}Books(1) answered with {"d": {"__metadata": …}}, OData v2's entity, not an entity of OData 4.0${UNSEEN}`);
  sentOneRead(server, "/odata/Books(1)");
});

// A guard: such an entity was read so before; it keeps the __metadata test from refusing every {"d": …}.
test("without version headers, a v4 entity whose one property is d is still an entity (no __metadata in it)", async (t) => {
  const { server, client } = await serveClient(t, bare({ d: { x: 1 } }));
  assert.deepEqual(await client.collection("Things").key(1).get(), { d: { x: 1 } });
  sentOneRead(server, "/odata/Things(1)");
});

// A guard: this was read so before; it keeps the refusal to answers that show no version header.
test("with OData-Version shown, a body {\"d\": {\"__metadata\": …}} is read as the v4 service's entity", async (t) => {
  const { server, client } = await serveClient(t, bare({ d: { __metadata: { a: 1 } } }, { "OData-Version": "4.0" }));
  assert.deepEqual(await client.collection("Things").key(1).get(), { d: { __metadata: { a: 1 } } });
  sentOneRead(server, "/odata/Things(1)");
});

test("a walk of a v2 collection answered without version headers says it may be v2's", async (t) => {
  const { server, client, root } = await serveClient(t, bare({ d: { results: [{ __metadata: { uri: "Books(1)" }, ID: 1 }] } }));
  const error = await failure(
    (async () => {
      for await (const _ of client.collection("Books")) assert.fail("a row was delivered");
    })(),
  );
  assert.equal(error.message, `GET ${root}Books: the collection body has no "value" member${UNSEEN}`);
  sentOneRead(server, "/odata/Books");
});

// A guard: this message was so before; it keeps the v2 guess to answers that show no version header.
test("a walk whose answer shows OData-Version gets no such guess", async (t) => {
  const { server, client, root } = await serveClient(t, bare({ items: [] }, { "OData-Version": "4.0" }));
  const error = await failure(client.collection("Books").page());
  assert.equal(error.message, `GET ${root}Books: the collection body has no "value" member`);
  sentOneRead(server, "/odata/Books");
});

test("a client of 2.0 refuses get() of a v4 service's entity by its OData-Version, naming the option", async (t) => {
  const { server, client, root } = await serveClient(t, bare({ "@odata.context": "$metadata#Books/$entity", ID: 1 }, { "OData-Version": "4.0" }), { version: "2.0" });
  const error = await failure(client.collection("Books").key(1).get());
  assert.equal(
    error.message,
    `GET ${root}Books(1) answered with an object without "d", not a v2 entity; the answer is OData v4's (OData-Version: 4.0, no DataServiceVersion), which a client of OData 2.0 does not read: leave version out of the client's options, or give version: "4.0"`,
  );
  sentOneRead(server, "/odata/Books(1)");
});

// A guard: both were read so before; it keeps the OData-Version refusal from reaching v2 answers or bare ones.
test("a client of 2.0 still reads a v2 entity, and one from a service that sends no version header", async (t) => {
  const { server: shownServer, client: shown } = await serveClient(t, bare({ d: { __metadata: { uri: "Books(1)" }, ID: 1 } }, { DataServiceVersion: "2.0" }), { version: "2.0" });
  assert.deepEqual(await shown.collection("Books").key(1).get(), { __metadata: { uri: "Books(1)" }, ID: 1 });
  sentOneRead(shownServer, "/odata/Books(1)");
  const { server: unshownServer, client: unshown } = await serveClient(t, bare({ ID: 2 }), { version: "2.0" });
  assert.deepEqual(await unshown.collection("Books").key(2).get(), { ID: 2 });
  sentOneRead(unshownServer, "/odata/Books(2)");
});

// A guard of a limit the README states: such a result was read so before, and no header tells it from v2's.
test("without version headers, an operation's {\"d\": …} result is not told from a v4 object (the README's CORS table says so)", async (t) => {
  const { server, client } = await serveClient(t, bare({ d: { Restock: { stock: 9 } } }));
  assert.deepEqual(await client.action("Restock").invoke({ n: 1 }), { d: { Restock: { stock: 9 } } });
  assert.equal(server.requests.length, 1);
  const [sent] = server.requests;
  assert.deepEqual([sent!.method, sent!.path, sent!.body], ["POST", "/odata/Restock", '{"n":1}']);
  // The POST names its version, as a write does; what is unseen is the answer's, not the request's.
  assert.deepEqual([sent!.headers["odata-version"], sent!.headers["odata-maxversion"], sent!.headers.accept], ["4.0", "4.0", "application/json"]);
});
