// The version headers of every kind of request, from the one place that decides them
// (src/payload/version-headers.ts): reads send none, so that a plain read is a CORS-simple request;
// writes, actions, $batch and long-running starts send both. Checked on the wire against node:http.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { ODataClient, type ODataVersion } from "../src/index.js";
import { sendJson, sendText, serveClient, type RecordedRequest, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

const V4_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
      <EntityContainer Name="C"><EntitySet Name="Items" EntityType="NS.Item"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
  <edmx:DataServices m:DataServiceVersion="2.0">
    <Schema Namespace="NS" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
      <EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
      <EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Items" EntityType="NS.Item"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/** A small service of either version that answers every kind of request the tests send. */
function answer(version: ODataVersion) {
  const v2 = version === "2.0";
  const collection = (value: unknown[], extra: Record<string, unknown> = {}) => (v2 ? { d: { results: value, ...extra } } : { value, ...extra });
  return (request: RecordedRequest, res: ServerResponse): void => {
    const path = request.path;
    if (request.method !== "GET") {
      if (path.endsWith("/$batch")) return sendText(res, 500, "no batches here");
      res.writeHead(204).end();
      return;
    }
    if (path === "/odata/$metadata") return sendText(res, 200, v2 ? V2_METADATA : V4_METADATA, { "content-type": "application/xml" });
    if (path.startsWith("/odata/Items/$count")) return sendText(res, 200, "2");
    if (path === "/odata/Items(1)/$value") return sendText(res, 200, "bytes");
    if (path.startsWith("/odata/Items(1)")) return sendJson(res, 200, v2 ? { d: { ID: 1 } } : { ID: 1 }, { etag: 'W/"1"' });
    if (path.startsWith("/odata/countItems")) return sendJson(res, 200, v2 ? { d: { countItems: 2 } } : { value: 2 });
    if (path.startsWith("/odata/Items?page=2")) return sendJson(res, 200, collection([{ ID: 2 }], v2 ? { __delta: "Items?delta=1" } : { "@odata.deltaLink": "Items?delta=1" }));
    if (path.startsWith("/odata/Items?delta=1")) return sendJson(res, 200, collection([], v2 ? { __delta: "Items?delta=2" } : { "@odata.deltaLink": "Items?delta=2" }));
    if (path.startsWith("/odata/Items")) return sendJson(res, 200, collection([{ ID: 1 }], v2 ? { __next: "Items?page=2" } : { "@odata.nextLink": "Items?page=2" }));
    if (path.startsWith("/odata/monitor")) return sendJson(res, 202, { status: "running" }, { location: "/odata/monitor" });
    sendText(res, 404, "not found");
  };
}

function service(t: TestContextLike, version: ODataVersion): Promise<{ server: RecordingServer; client: ODataClient }> {
  return serveClient(t, answer(version), { version });
}

// Fetch standard §4.6 (CORS-safelisted request-header): a header a script may set without a
// preflight. Accept: no CORS-unsafe request-header byte and at most 128 bytes.
const CORS_UNSAFE_BYTE = /[\x00-\x08\x0a-\x1f"():<>?@[\\\]{}\x7f]/;
function isCorsSafelisted(name: string, value: string): boolean {
  if (value.length > 128) return false;
  switch (name) {
    case "accept":
      return !CORS_UNSAFE_BYTE.test(value);
    case "accept-language":
    case "content-language":
      return /^[0-9A-Za-z *,\-.;=]*$/.test(value);
    case "content-type": {
      const essence = value.split(";")[0]?.trim().toLowerCase();
      return !CORS_UNSAFE_BYTE.test(value) && ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"].includes(essence ?? "");
    }
    default:
      return false;
  }
}

/** The header names the runtime's own fetch sends on a bare `fetch(url)` (host, connection, user-agent...). */
async function runtimeHeaderNames(server: RecordingServer): Promise<Set<string>> {
  await (await fetch(server.url("odata/Items(1)"))).text();
  const bare = server.requests.pop() as RecordedRequest;
  return new Set(Object.keys(bare.headers));
}

/** What in `headers` would make a browser preflight the request: headers beyond the runtime's own that are not safelisted, and a non-safelisted Accept. */
function preflightReasons(headers: IncomingHttpHeaders, runtime: Set<string>): string[] {
  const reasons: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const text = Array.isArray(value) ? value.join(", ") : (value ?? "");
    if (name === "accept" ? !isCorsSafelisted(name, text) : !runtime.has(name) && !isCorsSafelisted(name, text)) reasons.push(`${name}: ${text}`);
  }
  return reasons;
}

for (const version of ["4.0", "4.01", "2.0"] as const) {
  describe(`OData ${version}: reads are CORS-simple`, () => {
    test("page, a walk over two pages, get, first, countAll, a function, $metadata, media and a delta send no non-safelisted header", async (t) => {
      const { server, client } = await service(t, version);
      const runtime = await runtimeHeaderNames(server);
      const items = client.collection("Items");
      await items.page();
      await items.list();
      await items.key(1).get();
      await items.first();
      await items.countAll();
      await client.function("countItems").get();
      await client.metadata();
      await items.key(1).media().bytes();
      for await (const page of client.delta("Items?delta=1")) assert.ok(page);
      const seen = server.requests.map((request) => `${request.method} ${request.path}`);
      assert.equal(server.requests.length, 10, seen.join("\n"));
      for (const request of server.requests) {
        assert.equal(request.method, "GET");
        assert.deepEqual(preflightReasons(request.headers, runtime), [], `${request.method} ${request.path}`);
        for (const name of ["odata-version", "odata-maxversion", "dataserviceversion", "maxdataserviceversion"]) {
          assert.equal(request.headers[name], undefined, `${name} on ${request.path}`);
        }
      }
    });

    test("a status monitor poll is a plain read too", async (t) => {
      const { server, client } = await service(t, version);
      const runtime = await runtimeHeaderNames(server);
      await client.asyncPoller("monitor").poll();
      assert.equal(server.requests.length, 1);
      assert.deepEqual(preflightReasons(server.requests[0]!.headers, runtime), []);
    });
  });

  describe(`OData ${version}: every write carries both version headers`, () => {
    const expected: Record<string, string> =
      version === "2.0" ? { dataserviceversion: "2.0", maxdataserviceversion: "2.0" } : { "odata-version": version, "odata-maxversion": version };

    test("create, update, replace, upsert, delete, references, media, actions, createAsync, invokeAsync, $batch and a cancel", async (t) => {
      const { server, client } = await service(t, version);
      const items = client.collection("Items");
      await items.create({ ID: 3 });
      await items.key(1).update({ name: "x" });
      await items.key(1).replace({ ID: 1, name: "x" });
      await items.key(1).upsert({ name: "x" });
      await items.key(1).delete();
      await items.key(1).link("parts", items.key(2));
      await items.key(1).setLink("owner", items.key(2));
      await items.key(1).unlink("owner");
      await items.key(1).media().put("text", { contentType: "text/plain" });
      await items.createMedia("text", { contentType: "text/plain" });
      await client.action("restock").invoke({ quantity: 1 });
      await items.createAsync({ ID: 4 });
      await client.action("restock").invokeAsync({ quantity: 2 });
      await assert.rejects(sendBatch(client), { name: "ODataHttpError", status: 500 });
      await client.asyncPoller("monitor").cancel().catch(() => {});
      assert.equal(server.requests.length, 15, server.requests.map((r) => `${r.method} ${r.path}`).join("\n"));
      for (const request of server.requests) {
        for (const [name, value] of Object.entries(expected)) {
          assert.equal(request.headers[name], value, `${name} on ${request.method} ${request.path}`);
        }
      }
    });
  });
}

async function sendBatch(client: ODataClient): Promise<unknown> {
  const batch = client.batch();
  batch.page(client.collection("Items"));
  return batch.send();
}

describe("createAsync sends what create() sends", () => {
  test("its body leaves out the annotations that reading added, as create() does; @odata.type and binds stay", async (t) => {
    const { server, client } = await service(t, "4.0");
    const read = {
      "@odata.context": "$metadata#Items/$entity",
      "@odata.etag": 'W/"1"',
      "@odata.type": "#NS.Item",
      ID: 5,
      "owner@odata.bind": "Items(1)",
      "name@odata.mediaReadLink": "Items(5)/name",
    };
    await client.collection("Items").create(read);
    await client.collection("Items").createAsync(read);
    const [created, started] = server.requests;
    assert.deepEqual(JSON.parse(started!.body), { "@odata.type": "#NS.Item", ID: 5, "owner@odata.bind": "Items(1)" });
    assert.equal(started!.body, created!.body);
    assert.equal(started!.headers["content-type"], "application/json");
    assert.equal(started!.headers.prefer, "respond-async");
  });

  test("a body that is not an entity object is refused before anything is sent", async (t) => {
    const { server, client } = await service(t, "4.0");
    await assert.rejects(client.collection("Items").createAsync("text" as never), (error: unknown) => error instanceof TypeError && /createAsync\(body\)/.test(error.message));
    assert.equal(server.requests.length, 0);
  });
});

describe("what a service sends without OData-MaxVersion", () => {
  test("a 4.0 client reads a 4.01 answer: @count, @nextLink, @deltaLink and @etag without the odata. prefix", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "PATCH") return void res.writeHead(204).end();
      if (request.path.includes("page=2")) return sendJson(res, 200, { value: [{ ID: 2, "@etag": 'W/"2"' }], "@deltaLink": "Items?delta=1" }, { "odata-version": "4.01" });
      sendJson(res, 200, { "@count": 2, value: [{ ID: 1, "@etag": 'W/"1"' }], "@nextLink": "Items?page=2" }, { "odata-version": "4.01" });
    }, { version: "4.0" });
    const pages = [];
    for await (const page of client.collection<{ ID: number }>("Items").count().pages()) pages.push(page);
    assert.equal(pages[0]?.count, 2);
    assert.equal(pages[0]?.nextLink, server.url("odata/Items?page=2"));
    assert.equal(pages[1]?.deltaLink, server.url("odata/Items?delta=1"));
    const second = pages[1]!.value[0]!;
    await client.collection("Items").key(2).update({ ...second, ID: 2 });
    assert.equal(server.requests.at(-1)?.headers["if-match"], 'W/"2"');
    assert.deepEqual(JSON.parse(server.requests.at(-1)!.body), { ID: 2 });
  });
});

describe("preferences make a read non-simple, on every page", () => {
  test("maxPageSize and trackChanges go as Prefer on each page request (services read them per request)", async (t) => {
    const { server, client } = await service(t, "4.0");
    await client.collection("Items").trackChanges().list({ maxPageSize: 50 });
    assert.deepEqual(
      server.requests.map((request) => request.headers.prefer),
      ["odata.maxpagesize=50, odata.track-changes", "odata.maxpagesize=50, odata.track-changes"],
    );
  });
});
