// An action bound to a collection (`Books/NS.lowStock`) answered 428 Precondition Required is
// advised to send `If-Match: *`: a collection has no ETag of its own to pass, and `*` is what such
// a service takes (SAP CAP answers the collection-bound action of an entity set with an ETag 428
// without If-Match, 200 with `If-Match: *`, 412 with any other). Before, the action sent alone was
// told to pass "{ etag } (the entity read earlier or its ETag)", and a `$batch` action part "its
// ETag", which names nothing for a collection. An action bound to one entity keeps its advice.
// Against a node:http service on 127.0.0.1 and the real SAP CAP server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { serveClient, sendJson } from "./servers/recording-server.js";
import { json, serve } from "./batch-server.js";
import { useCap } from "./servers/use-cap.js";

const COLLECTION_ADVICE = 'the action is bound to a collection, which has no ETag of its own: pass { ifMatch: "*" } to send If-Match: *)';
const ENTITY_ADVICE = 'pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there)';

async function refusal(promise: Promise<unknown>): Promise<ODataHttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 428);
    return error;
  }
  assert.fail("the action resolved");
}

/** Refuses every request without If-Match (428); with one, answers an empty result. */
const guarded = (request: { headers: Record<string, unknown> }, res: import("node:http").ServerResponse) => {
  if (request.headers["if-match"] === undefined) return sendJson(res, 428, { error: { code: "428", message: "Precondition Required" } });
  sendJson(res, 200, { value: [] });
};

test("a collection-bound action sent alone and answered 428 is told to send If-Match: *, which works; an entity-bound one keeps its advice", async (t) => {
  const { server, client } = await serveClient(t, guarded);
  const books = client.collection("Books");
  const collection = await refusal(books.action("NS.lowStock").invoke({ below: 5 }));
  assert.ok(collection.message.endsWith(`(precondition required: the service wants If-Match for this write; ${COLLECTION_ADVICE}`), collection.message);
  const entity = await refusal(books.key(1).action("NS.touch").invoke());
  assert.ok(entity.message.endsWith(ENTITY_ADVICE), entity.message);
  // The advice followed.
  await books.action("NS.lowStock").invoke({ below: 5 }, { ifMatch: "*" });
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.path, request.headers["if-match"]]),
    [
      ["POST", "/odata/Books/NS.lowStock", undefined],
      ["POST", "/odata/Books(1)/NS.touch", undefined],
      ["POST", "/odata/Books/NS.lowStock", "*"],
    ],
  );
});

test("a collection-bound $batch action part answered 428 is told to pass { etag: \"*\" }, which works; an entity-bound one keeps its advice", async (t) => {
  interface Part {
    id: string;
    method: string;
    url: string;
    headers?: Record<string, string>;
  }
  const service = await serve((request) => {
    const parts = (JSON.parse(request.body) as { requests: Part[] }).requests;
    const responses = parts.map((part) =>
      Object.keys(part.headers ?? {}).some((name) => name.toLowerCase() === "if-match")
        ? { id: part.id, status: 200, headers: json, body: { value: [] } }
        : { id: part.id, status: 428, headers: json, body: { error: { code: "428", message: "Precondition Required" } } },
    );
    return { status: 200, headers: json, body: JSON.stringify({ responses }) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
  const books = client.collection("Books");
  const refused = client.batch();
  const collection = refused.action("NS.lowStock", { below: 5 }, { bound: books });
  const entity = refused.action("NS.touch", {}, { bound: books.key(1) });
  await refused.send();
  const said = (result: ReturnType<typeof collection.result>) => (assert.ok(!result.ok && result.status === 428), (result as { error: Error }).error.message);
  assert.ok(said(collection.result()).endsWith('(precondition required: the service wants If-Match for this write; the action is bound to a collection, which has no ETag of its own: pass { etag: "*" } to send If-Match: * (action("NS.lowStock") has no ifMatch))'), said(collection.result()));
  assert.ok(said(entity.result()).endsWith('pass its ETag as { etag } (action("NS.touch") has no ifMatch), or { etag: "*" } to act on whatever version is there)'), said(entity.result()));
  const followed = client.batch();
  const done = followed.action("NS.lowStock", { below: 5 }, { bound: books, etag: "*" });
  await followed.send();
  assert.equal(done.result().ok, true);
  const sent = (JSON.parse(service.seen[1]!.body) as { requests: Part[] }).requests[0]!;
  assert.equal(sent.url, "Books/NS.lowStock");
  assert.equal(Object.entries(sent.headers ?? {}).find(([name]) => name.toLowerCase() === "if-match")?.[1], "*");
});

describe("SAP CAP", () => {
  const cap = useCap();
  test("CAP's collection-bound lowStock answers 428 without If-Match, told to send If-Match: *, and runs with it", async () => {
    const client = new ODataClient({ serviceUrl: cap.v4, retry: false });
    const books = client.collection("Books");
    const error = await refusal(books.action("CatalogService.lowStock").invoke({ below: 100 }));
    assert.ok(error.message.endsWith(COLLECTION_ADVICE), error.message);
    const low = await books.action("CatalogService.lowStock").invoke({ below: 100 }, { ifMatch: "*" });
    assert.ok(Array.isArray(low) && low.length > 0);
  });
});

test("call of a collection-bound action answered 428 says to send -H 'If-Match: *', not the library's option (exit 3); sent so, the action runs", async (t) => {
  const { runCli, show } = await import("./cli-harness.js");
  const metadata = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
<Action Name="archive" IsBound="true"><Parameter Name="orders" Type="Collection(NS.Order)"/></Action>
<EntityContainer Name="C"><EntitySet Name="Orders" EntityType="NS.Order"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;
  const { server } = await serveClient(t, (request, res) => {
    const v4 = { "odata-version": "4.0" };
    if (request.path.endsWith("$metadata")) {
      res.writeHead(200, { "content-type": "application/xml", ...v4 }).end(metadata);
      return;
    }
    if (request.headers["if-match"] === undefined) return sendJson(res, 428, { error: { code: "428", message: "Precondition Required" } }, v4);
    res.writeHead(204, v4).end();
  });
  const refused = await runCli(["call", server.url("odata/"), "Orders/NS.archive"]);
  assert.equal(refused.code, 3, show(refused));
  assert.ok(refused.stderr.endsWith("(precondition required: the service wants If-Match for this write; the action is bound to a collection, which has no ETag of its own: send -H 'If-Match: *')\n"), show(refused));
  const ran = await runCli(["call", server.url("odata/"), "Orders/NS.archive", "-H", "If-Match: *"]);
  assert.equal(ran.code, 0, show(ran));
  assert.deepEqual(
    server.requests.filter((request) => request.method === "POST").map((request) => [request.path, request.headers["if-match"]]),
    [
      ["/odata/Orders/NS.archive", undefined],
      ["/odata/Orders/NS.archive", "*"],
    ],
  );
});
