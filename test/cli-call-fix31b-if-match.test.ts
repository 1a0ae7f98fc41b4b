// `call` of a bound action on an entity the service guards with an ETag: a 428 says what the command
// line can do (`-H 'If-Match: <etag>'`, or `-H 'If-Match: *'`), not the library's options
// (`{ etag }`, `{ ifMatch: "*" }`), which it has not; `call --help` says it too. Against a
// node:http service that answers 428 where no If-Match came and 412 where a stale one did.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, show } from "./cli-harness.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="NS">
<EntityType Name="Order"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="revision" Type="Edm.Int32"/></EntityType>
<Action Name="ship" IsBound="true"><Parameter Name="order" Type="NS.Order"/><Parameter Name="carrier" Type="Edm.String"/></Action>
<EntityContainer Name="C"><EntitySet Name="Orders" EntityType="NS.Order">
<Annotation Term="Org.OData.Core.V1.OptimisticConcurrency"><Collection><PropertyPath>revision</PropertyPath></Collection></Annotation>
</EntitySet></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const CURRENT = 'W/"2"';

/** Orders(1) at revision 2: ship is refused without If-Match (428) and with a stale one (412). */
async function guardedService(t: { after(fn: () => Promise<void>): void }): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const v4 = { "odata-version": "4.0" };
    if (request.path === "/svc/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml", ...v4 });
    if (request.method !== "POST") return sendJson(res, 404, { error: { code: "404", message: "no" } }, v4);
    const ifMatch = request.headers["if-match"];
    if (ifMatch === undefined) return sendJson(res, 428, { error: { code: "PreconditionRequired", message: "Order 1 is protected by an ETag" } }, v4);
    if (ifMatch !== "*" && ifMatch !== CURRENT) return sendJson(res, 412, { error: { code: "PreconditionFailed", message: `Order 1 is at ${CURRENT}` } }, v4);
    res.writeHead(204, v4).end();
  });
  t.after(() => server.close());
  return server;
}

const posts = (server: RecordingServer) => server.requests.filter((r) => r.method === "POST").map((r) => `${decodeURIComponent(r.path)} if-match=${r.headers["if-match"] ?? "none"}`);

test("call of a bound action answered 428 says to send -H 'If-Match: <etag>' or -H 'If-Match: *', not the library's { etag } (exit 3); sent so, the action runs", async (t) => {
  const server = await guardedService(t);
  const result = await runCli(["call", server.url("svc/"), "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS"]);
  assert.equal(result.code, 3, show(result));
  assert.equal(result.stdout, "");
  assert.deepEqual(posts(server), ["/svc/Orders(1)/NS.ship if-match=none"]);
  assert.match(result.stderr, /failed with HTTP 428 Precondition Required \[PreconditionRequired\]: Order 1 is protected by an ETag/);
  assert.ok(
    result.stderr.endsWith("(precondition required: the service wants If-Match for this write; send -H 'If-Match: <etag>' (the ETag get prints with the entity), or -H 'If-Match: *' to act on whatever version is there)\n"),
    show(result),
  );
  assert.doesNotMatch(result.stderr, /\{ etag \}|ifMatch/);
  // As the advice says: -H 'If-Match: *', or -H with the current ETag, and the action runs.
  const any = await runCli(["call", server.url("svc/"), "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "-H", "If-Match: *"]);
  assert.equal(any.code, 0, show(any));
  const current = await runCli(["call", server.url("svc/"), "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "-H", `If-Match: ${CURRENT}`]);
  assert.equal(current.code, 0, show(current));
  assert.deepEqual(posts(server), ["/svc/Orders(1)/NS.ship if-match=none", "/svc/Orders(1)/NS.ship if-match=*", `/svc/Orders(1)/NS.ship if-match=${CURRENT}`]);
});

test("call --async whose start is answered 428 gives the command line's advice too", async (t) => {
  const server = await guardedService(t);
  const result = await runCli(["call", server.url("svc/"), "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "--async"]);
  assert.equal(result.code, 3, show(result));
  assert.equal(server.requests.find((r) => r.method === "POST")?.headers["prefer"], "respond-async");
  assert.match(result.stderr, /HTTP 428 .*; send -H 'If-Match: <etag>' \(the ETag get prints with the entity\), or -H 'If-Match: \*' to act on whatever version is there\)\n$/);
  assert.doesNotMatch(result.stderr, /\{ etag \}|ifMatch/);
});

test("call --help says how to send If-Match", async () => {
  const help = await runCli(["call", "--help"]);
  assert.equal(help.code, 0, show(help));
  assert.match(help.stdout, /may need If-Match \(HTTP 428\): -H 'If-Match: <etag>' \(the ETag get prints with the entity\), or -H 'If-Match: \*' to act on whatever version is there\./);
});

test(
  "call with a stale -H 'If-Match' answered 412 says the entity changed, not that no If-Match was sent",
  async (t) => {
    const server = await guardedService(t);
    const result = await runCli(["call", server.url("svc/"), "Orders/NS.ship", "--key", "1", "--param", "carrier=UPS", "-H", 'If-Match: W/"1"']);
    assert.equal(result.code, 3, show(result));
    assert.deepEqual(posts(server), ['/svc/Orders(1)/NS.ship if-match=W/"1"']);
    assert.doesNotMatch(result.stderr, /no If-Match was sent/);
    assert.match(result.stderr, /HTTP 412 .*\(precondition failed: the entity changed since it was read/);
  },
);
