// Change tracking and delta responses on the wire, against node:http servers (CAP has no delta
// links): q.trackChanges() sends Prefer: odata.track-changes and the last page carries the delta
// link; client.delta() reads changed and removed entities and link changes in the 4.0 and 4.01 JSON
// shapes, follows next links inside a delta, resumes from a saved link, refuses links off the
// service's origin, and reads SAP's v2 `__delta` form.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, ODataHttpError, type DeltaPage, type ODataClientOptions } from "../src/index.js";
import { sendJson, sendText, serveClient, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";

interface Customer {
  ID: string;
  name?: string;
}

function clientFor(server: RecordingServer, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: server.url("svc/"), retry: false, ...options });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

const paths = (server: RecordingServer) => server.requests.map((r: RecordedRequest) => r.path);

/**
 * A v4 service whose `Customers` collection has two pages; the second ends with a relative delta
 * link. Delta requests (`Customers?$deltatoken=...`) answer with `deltas[token]`.
 */
async function trackingService(deltas: Record<string, unknown> = {}): Promise<RecordingServer> {
  return startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    const token = url.searchParams.get("$deltatoken");
    if (token !== null) {
      const body = deltas[token];
      if (body === undefined) return sendJson(res, 410, { error: { code: "410", message: "delta token expired" } });
      return sendJson(res, 200, body);
    }
    if (url.searchParams.get("page") === "2") {
      return sendJson(res, 200, { value: [{ ID: "C3" }], "@odata.deltaLink": "Customers?$deltatoken=t1" });
    }
    sendJson(res, 200, { value: [{ ID: "C1" }, { ID: "C2" }], "@odata.nextLink": "Customers?page=2" }, { "preference-applied": "odata.track-changes" });
  });
}

describe("trackChanges()", () => {
  test("every page request of a tracked query sends Prefer: odata.track-changes", async (t) => {
    const server = await trackingService();
    t.after(() => server.close());
    const pages = await collect(clientFor(server).collection<Customer>("Customers").trackChanges().pages());
    assert.equal(pages.length, 2);
    assert.deepEqual(
      server.requests.map((r) => [r.path, r.headers.prefer]),
      [
        ["/svc/Customers", "odata.track-changes"],
        ["/svc/Customers?page=2", "odata.track-changes"],
      ],
    );
  });

  test("stream() and list() of a tracked query send it too", async (t) => {
    const server = await trackingService();
    t.after(() => server.close());
    const tracked = clientFor(server).collection<Customer>("Customers").trackChanges();
    const streamed = await collect(tracked.stream());
    const listed = await tracked.list();
    assert.deepEqual([streamed.map((c) => c.ID), listed.map((c) => c.ID)], [["C1", "C2", "C3"], ["C1", "C2", "C3"]]);
    assert.deepEqual(new Set(server.requests.map((r) => r.headers.prefer)), new Set(["odata.track-changes"]));
    assert.equal(server.requests.length, 4);
  });

  test("the preference joins maxPageSize in one Prefer header", async (t) => {
    const server = await trackingService();
    t.after(() => server.close());
    await clientFor(server, { maxPageSize: 2 }).collection("Customers").trackChanges().page();
    assert.equal(server.requests[0]?.headers.prefer, "odata.maxpagesize=2, odata.track-changes");
  });

  test("trackChanges() returns a new query: the original sends no Prefer, and later builder calls keep the tracking", async (t) => {
    const server = await trackingService();
    t.after(() => server.close());
    const plain = clientFor(server).collection<Customer>("Customers");
    const tracked = plain.trackChanges();
    await plain.page();
    await tracked.select("ID").page();
    assert.deepEqual(
      server.requests.map((r) => [r.path, r.headers.prefer]),
      [
        ["/svc/Customers", undefined],
        ["/svc/Customers?$select=ID", "odata.track-changes"],
      ],
    );
  });

  test("only the last page carries the delta link, made absolute against the service root", async (t) => {
    const server = await trackingService();
    t.after(() => server.close());
    const pages = await collect(clientFor(server).collection<Customer>("Customers").trackChanges().pages());
    assert.deepEqual(
      pages.map((p) => [p.value.map((c) => c.ID), p.deltaLink]),
      [
        [["C1", "C2"], undefined],
        [["C3"], server.url("svc/Customers?$deltatoken=t1")],
      ],
    );
  });

  test("a v2 tracked query sends no Prefer (v2 has none) and the __delta link ends the last page", async (t) => {
    const { server, client } = await serveClient(
      t,
      (_, res) => sendJson(res, 200, { d: { results: [{ ID: "C1" }], __delta: "Customers?!deltatoken='20260101'" } }),
      { version: "2.0" },
      "svc/",
    );
    const page = await client.collection<Customer>("Customers").trackChanges().page();
    assert.equal(server.requests[0]?.headers.prefer, undefined);
    assert.equal(page.deltaLink, new URL(server.url("svc/Customers?!deltatoken='20260101'")).href);
  });
});

describe("client.delta()", () => {
  test("a 4.01 delta: changed entities, @removed entries with reason and @id or key, and link changes", async (t) => {
    const server = await trackingService({
      t1: {
        "@context": "$metadata#Customers/$delta",
        value: [
          { "@id": "Customers('C1')", ID: "C1", name: "Renamed" },
          { "@removed": { reason: "deleted" }, "@id": "Customers('C2')" },
          { "@removed": { reason: "changed" }, ID: "C3" },
          { "@context": "#Customers/$link", source: "Customers('C1')", relationship: "Orders", target: "Orders(10)" },
          { "@context": "#Customers/$deletedLink", source: "Customers('C1')", relationship: "Orders", target: "Orders(9)" },
        ],
        "@deltaLink": "Customers?$deltatoken=t2",
      },
    });
    t.after(() => server.close());
    const client = clientFor(server, { version: "4.01" });
    const pages: DeltaPage<Customer>[] = await collect(client.delta<Customer>(server.url("svc/Customers?$deltatoken=t1")));
    assert.deepEqual(pages, [
      {
        changed: [{ "@id": "Customers('C1')", ID: "C1", name: "Renamed" }],
        removed: [{ id: "Customers('C2')", reason: "deleted" }, { key: { ID: "C3" }, reason: "changed" }],
        addedLinks: [{ source: "Customers('C1')", relationship: "Orders", target: "Orders(10)" }],
        removedLinks: [{ source: "Customers('C1')", relationship: "Orders", target: "Orders(9)" }],
        deltaLink: server.url("svc/Customers?$deltatoken=t2"),
      },
    ]);
    assert.deepEqual(paths(server), ["/svc/Customers?$deltatoken=t1"]);
    // A read: no OData-MaxVersion, so the service answers in its own version (here 4.01).
    assert.equal(server.requests[0]?.headers["odata-maxversion"], undefined);
  });

  test("a delta page whose next or delta link is no URL is delivered, its changes kept, before the walk fails with BAD_PAYLOAD", async (t) => {
    const server = await trackingService({
      t1: { value: [{ ID: "C1", name: "Renamed" }, { "@removed": { reason: "deleted" }, ID: "C2" }], "@nextLink": "http://[bad" },
      t2: { value: [{ ID: "C3", name: "New" }], "@deltaLink": "" },
    });
    t.after(() => server.close());
    const client = clientFor(server, { version: "4.01" });
    for (const [token, changed] of [["t1", ["C1"]], ["t2", ["C3"]]] as const) {
      const pages: DeltaPage<Customer>[] = [];
      let failure: unknown;
      try {
        for await (const page of client.delta<Customer>(server.url(`svc/Customers?$deltatoken=${token}`))) pages.push(page);
      } catch (error) {
        failure = error;
      }
      assert.deepEqual(pages.map((page) => page.changed.map((entity) => entity.ID)), [changed], token);
      assert.equal(pages[0]?.nextLink, undefined);
      assert.equal(pages[0]?.deltaLink, undefined);
      assert.ok(failure instanceof ODataClientError && failure.code === "BAD_PAYLOAD", String(failure));
      assert.match(failure.message, /the delta carries a link that is not a URL: "(http:\/\/\[bad)?"$/);
    }
  });

  test("a delta link the caller gives that is another origin's is said to be the caller's", async (t) => {
    const server = await trackingService();
    t.after(() => server.close());
    const failure = await collect(clientFor(server).delta("http://example.invalid/svc/Customers?$deltatoken=1")).then(
      () => assert.fail("read"),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ODataClientError && failure.code === "UNTRUSTED_NEXT_LINK");
    assert.match(failure.message, /^delta\(link\) is a delta link to http:\/\/example\.invalid/);
  });

  test("a 4.0 delta: $deletedEntity entries with id and reason, and @odata.removed", async (t) => {
    const server = await trackingService({
      t1: {
        "@odata.context": "$metadata#Customers/$delta",
        value: [
          { "@odata.id": "Customers('C4')", ID: "C4", name: "New" },
          { "@odata.context": "$metadata#Customers/$deletedEntity", id: "Customers('C2')", reason: "deleted" },
          { "@odata.removed": { reason: "changed" }, "@odata.id": "Customers('C3')" },
          { "@odata.context": "$metadata#Customers/$link", source: "Customers('C4')", relationship: "Orders", target: "Orders(1)" },
        ],
        "@odata.deltaLink": "Customers?$deltatoken=t2",
      },
    });
    t.after(() => server.close());
    const [page] = await collect(clientFor(server).delta<Customer>(server.url("svc/Customers?$deltatoken=t1")));
    assert.deepEqual(page?.changed, [{ "@odata.id": "Customers('C4')", ID: "C4", name: "New" }]);
    assert.deepEqual(page?.removed, [
      { id: "Customers('C2')", reason: "deleted", context: "$metadata#Customers/$deletedEntity" },
      { id: "Customers('C3')", reason: "changed" },
    ]);
    assert.deepEqual(page?.addedLinks, [{ source: "Customers('C4')", relationship: "Orders", target: "Orders(1)" }]);
    assert.equal(page?.deltaLink, server.url("svc/Customers?$deltatoken=t2"));
  });

  test("a delta in pages: next links are followed and only the last page carries the new delta link", async (t) => {
    const server = await trackingService({
      t1: { value: [{ ID: "C1" }], "@odata.nextLink": "Customers?$deltatoken=t1b" },
      t1b: { value: [{ "@removed": { reason: "deleted" }, "@id": "Customers('C2')" }], "@odata.nextLink": "Customers?$deltatoken=t1c" },
      t1c: { value: [{ ID: "C5" }], "@odata.deltaLink": "Customers?$deltatoken=t2" },
    });
    t.after(() => server.close());
    const pages = await collect(clientFor(server, { maxPageSize: 1 }).delta<Customer>(server.url("svc/Customers?$deltatoken=t1")));
    assert.deepEqual(
      pages.map((p) => [p.changed.map((c) => c.ID), p.removed.map((r) => r.id), p.nextLink, p.deltaLink]),
      [
        [["C1"], [], server.url("svc/Customers?$deltatoken=t1b"), undefined],
        [[], ["Customers('C2')"], server.url("svc/Customers?$deltatoken=t1c"), undefined],
        [["C5"], [], undefined, server.url("svc/Customers?$deltatoken=t2")],
      ],
    );
    assert.deepEqual(paths(server), ["/svc/Customers?$deltatoken=t1", "/svc/Customers?$deltatoken=t1b", "/svc/Customers?$deltatoken=t1c"]);
    assert.deepEqual(server.requests.map((r) => r.headers.prefer), ["odata.maxpagesize=1", "odata.maxpagesize=1", "odata.maxpagesize=1"]);
  });

  test("a page is requested only when the loop asks for it", async (t) => {
    const server = await trackingService({
      t1: { value: [{ ID: "C1" }], "@odata.nextLink": "Customers?$deltatoken=t1b" },
      t1b: { value: [], "@odata.deltaLink": "Customers?$deltatoken=t2" },
    });
    t.after(() => server.close());
    for await (const page of clientFor(server).delta(server.url("svc/Customers?$deltatoken=t1"))) {
      assert.equal(page.changed.length, 1);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(paths(server), ["/svc/Customers?$deltatoken=t1"]);
  });

  test("a delta link saved from a tracked read resumes in a new client, relative links too", async (t) => {
    const server = await trackingService({ t1: { value: [{ ID: "C9" }], "@odata.deltaLink": "Customers?$deltatoken=t2" } });
    t.after(() => server.close());
    const pages = await collect(clientFor(server).collection<Customer>("Customers").trackChanges().pages());
    const saved = JSON.stringify({ link: pages.at(-1)?.deltaLink });

    // Later, elsewhere: only the saved text is at hand.
    const link = (JSON.parse(saved) as { link: string }).link;
    const later = clientFor(server);
    const [absolute] = await collect(later.delta<Customer>(link));
    const [relative] = await collect(later.delta<Customer>("Customers?$deltatoken=t1"));
    assert.deepEqual([absolute?.changed, relative?.changed], [[{ ID: "C9" }], [{ ID: "C9" }]]);
    assert.deepEqual(paths(server).slice(2), ["/svc/Customers?$deltatoken=t1", "/svc/Customers?$deltatoken=t1"]);
  });

  test("a delta link on another origin rejects with UNTRUSTED_NEXT_LINK and nothing is sent there", async (t) => {
    const elsewhere = await startServer((_, res) => sendJson(res, 200, { value: [] }));
    t.after(() => elsewhere.close());
    const server = await trackingService();
    t.after(() => server.close());
    await assert.rejects(collect(clientFor(server, { auth: { bearer: "secret" } }).delta(elsewhere.url("svc/Customers?$deltatoken=t1"))), (error: unknown) => {
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "UNTRUSTED_NEXT_LINK");
      return true;
    });
    assert.equal(elsewhere.requests.length, 0);
    assert.equal(server.requests.length, 0);
  });

  test("a next link inside a delta to another origin rejects after the page before it is delivered", async (t) => {
    const elsewhere = await startServer((_, res) => sendJson(res, 200, { value: [] }));
    t.after(() => elsewhere.close());
    const server = await trackingService({ t1: { value: [{ ID: "C1" }], "@odata.nextLink": elsewhere.url("svc/Customers?$deltatoken=x") } });
    t.after(() => server.close());
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of clientFor(server).delta<Customer>("Customers?$deltatoken=t1")) seen.push(...page.changed.map((c) => c.ID ?? ""));
      })(),
      (error: unknown) => error instanceof ODataClientError && error.code === "UNTRUSTED_NEXT_LINK",
    );
    assert.deepEqual(seen, ["C1"]);
    assert.equal(elsewhere.requests.length, 0);
  });

  test("a delta link on an origin listed in trustedOrigins is followed", async (t) => {
    const other = await trackingService({ t1: { value: [{ ID: "C7" }], "@odata.deltaLink": "Customers?$deltatoken=t2" } });
    t.after(() => other.close());
    const server = await trackingService();
    t.after(() => server.close());
    const [page] = await collect(clientFor(server, { trustedOrigins: [other.origin] }).delta<Customer>(other.url("svc/Customers?$deltatoken=t1")));
    assert.deepEqual(page?.changed, [{ ID: "C7" }]);
  });

  test("an expired delta link rejects with ODataHttpError carrying the service's status", async (t) => {
    const server = await trackingService({});
    t.after(() => server.close());
    await assert.rejects(collect(clientFor(server).delta("Customers?$deltatoken=old")), (error: unknown) => {
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.status, 410);
      assert.equal(error.odataError?.message, "delta token expired");
      return true;
    });
  });

  test("a body that is not a delta rejects with BAD_PAYLOAD", async (t) => {
    const { client } = await serveClient(t, (_, res) => sendText(res, 200, "not json"), {}, "svc/");
    await assert.rejects(collect(client.delta("Customers?$deltatoken=t1")), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD");
  });

  test("an aborted signal rejects with its reason before anything is sent", async (t) => {
    const server = await trackingService({ t1: { value: [] } });
    t.after(() => server.close());
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await assert.rejects(collect(clientFor(server).delta("Customers?$deltatoken=t1", { signal: controller.signal })), /stop/);
    assert.equal(server.requests.length, 0);
  });

  test("v2: d.results are the changed entities (v2 values converted) and __delta the next delta link", async (t) => {
    const server = await startServer((_, res) =>
      sendJson(res, 200, {
        d: {
          results: [{ __metadata: { uri: "Customers('C1')", type: "S.Customer" }, ID: "C1", ChangedAt: "/Date(1767225600000)/" }],
          __delta: "Customers?!deltatoken='20260102'",
        },
      }),
    );
    t.after(() => server.close());
    const client = clientFor(server, { version: "2.0" });
    const pages = await collect(client.delta<{ ID: string; ChangedAt: string }>("Customers?!deltatoken='20260101'"));
    assert.equal(server.requests[0]?.path, "/svc/Customers?!deltatoken=%2720260101%27");
    assert.equal(server.requests[0]?.headers.maxdataserviceversion, undefined);
    assert.equal(pages.length, 1);
    assert.equal(pages[0]?.changed[0]?.ID, "C1");
    assert.equal(pages[0]?.changed[0]?.ChangedAt, "2026-01-01T00:00:00Z");
    assert.deepEqual([pages[0]?.removed, pages[0]?.deltaLink], [[], new URL(server.url("svc/Customers?!deltatoken='20260102'")).href]);
  });

  test("v2 Atom (format: \"atom\"): entries are changed entities, SAP's tombstones removed ones, rel=\"delta\" the next delta link", async (t) => {
    const feed = `<?xml version="1.0" encoding="utf-8"?>
<feed xml:base="SERVICE" xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
    xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:at="http://purl.org/atompub/tombstones/1.0">
  <id>SERVICECustomers</id><title type="text">Customers</title><updated>2026-01-02T00:00:00Z</updated>
  <entry>
    <id>SERVICECustomers('C1')</id><title type="text"/><updated>2026-01-02T00:00:00Z</updated>
    <category term="S.Customer" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/>
    <content type="application/xml"><m:properties><d:ID>C1</d:ID><d:name>Renamed</d:name></m:properties></content>
  </entry>
  <at:deleted-entry ref="SERVICECustomers('C2')" when="2026-01-01T12:00:00Z"/>
  <link rel="delta" href="Customers?!deltatoken='20260102'"/>
</feed>`;
    const server = await startServer((request, res) => {
      const body = feed.replaceAll("SERVICE", server.url("svc/"));
      res.writeHead(200, { "content-type": "application/atom+xml;type=feed" });
      res.end(body);
    });
    t.after(() => server.close());
    const [page] = await collect(clientFor(server, { version: "2.0" }).delta<Customer>("Customers?!deltatoken='20260101'", { format: "atom" }));
    assert.match(server.requests[0]?.headers.accept ?? "", /^application\/atom\+xml/);
    assert.deepEqual(
      page?.changed.map((c) => [c.ID, c.name]),
      [["C1", "Renamed"]],
    );
    assert.deepEqual(page?.removed, [{ reason: "deleted", id: server.url("svc/Customers('C2')"), removedAt: "2026-01-01T12:00:00Z" }]);
    assert.equal(page?.deltaLink, new URL(server.url("svc/Customers?!deltatoken='20260102'")).href);
  });

  test("a v2 Atom delta page that is not well-formed XML rejects with BAD_PAYLOAD naming its request", async (t) => {
    const { client, root } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(200, { "content-type": "application/atom+xml;type=feed" });
        res.end("<feed><entry>");
      },
      { version: "2.0" },
      "svc/",
    );
    await assert.rejects(collect(client.delta("Customers?!deltatoken='1'", { format: "atom" })), (error: unknown) => {
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "BAD_PAYLOAD");
      assert.ok(error.message.startsWith(`GET ${new URL("Customers?!deltatoken='1'", root).href}: the XML body is not well-formed`), error.message);
      return true;
    });
  });

  test("format \"atom\" on a v4 client is refused before anything is sent", async (t) => {
    const server = await trackingService({ t1: { value: [] } });
    t.after(() => server.close());
    await assert.rejects(collect(clientFor(server).delta("Customers?$deltatoken=t1", { format: "atom" })), TypeError);
    assert.equal(server.requests.length, 0);
  });
});
