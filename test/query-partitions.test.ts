// query.partitions(n) and query.partition(p): a collection split into ranges of its key, planned
// with $count and $orderby + $top=1 probes (or $apply, or $skip windows), checked on the wire
// against node:http servers and by walking the partitions of real collections in SAP CAP.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError, type CollectionQuery, type QueryPartition } from "../src/index.js";
import { serveClient, sendJson, sendText, type RecordedRequest } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";

/** A small EDMX document with one entity set keyed by `keyXml`. */
function metadataXml(typeXml: string, setAnnotations = ""): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Capabilities.V1.xml">
    <edmx:Include Namespace="Org.OData.Capabilities.V1" Alias="Capabilities"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="S">
      ${typeXml}
      <EntityContainer Name="C"><EntitySet Name="Items" EntityType="S.Item">${setAnnotations}</EntitySet></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
}

const INT_KEY = `<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>`;

/** The decoded path and query of a recorded request. */
function decoded(request: RecordedRequest): string {
  return decodeURIComponent(request.path);
}

/** A key value as these tests' services write it in a literal: strings quoted, GUIDs plain (v4) or guid'…' (v2). */
function literalOf(value: unknown, v2: boolean): string {
  if (typeof value !== "string") return String(value);
  if (/^[0-9a-f]{8}-/.test(value)) return v2 ? `guid'${value}'` : value;
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A service over `ids` (sorted) that answers $metadata, /$count and the probes
 * `$orderby=<key>&$skip=k&$top=1&$select=<key>` from the list, and the order checks
 * `$filter=<key> eq a and <key> le b&$top=1` as a service whose comparisons follow the list's order.
 */
function probeService(metadata: string, ids: readonly unknown[], { key = "ID", v2 = false } = {}) {
  return (request: RecordedRequest, res: ServerResponse) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml" });
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(ids.length));
    const filter = url.searchParams.get("$filter");
    if (filter !== null && !url.searchParams.has("$orderby")) {
      const lower = ids.findIndex((id) => filter.startsWith(`${key} eq ${literalOf(id, v2)} and ${key} le `));
      const upper = ids.findIndex((id) => filter === `${key} eq ${literalOf(ids[lower], v2)} and ${key} le ${literalOf(id, v2)}`);
      const rows = lower >= 0 && upper >= lower ? [{ [key]: ids[lower] }] : [];
      return sendJson(res, 200, v2 ? { d: { results: rows } } : { value: rows });
    }
    const skip = Number(url.searchParams.get("$skip") ?? 0);
    const row = ids[skip];
    const rows = row === undefined ? [] : [{ [key]: row }];
    sendJson(res, 200, v2 ? { d: { results: rows } } : { value: rows });
  };
}

describe("planning against node:http services", () => {
  test("quantiles: $metadata, $count, one ordered $top=1 probe per boundary; ranges of the key that cover everything", async (t) => {
    const ids = Array.from({ length: 10 }, (_, i) => (i + 1) * 10); // 10, 20, ... 100
    const { server, client, root } = await serveClient(t, probeService(metadataXml(INT_KEY), ids));
    const plan = await client.collection("Items").filter("ok eq true").partitions(4);

    const paths = server.requests.map(decoded).sort();
    assert.deepEqual(paths, [
      "/odata/$metadata",
      "/odata/Items/$count?$filter=ok eq true",
      "/odata/Items?$filter=ok eq true&$select=ID&$orderby=ID&$skip=2&$top=1",
      "/odata/Items?$filter=ok eq true&$select=ID&$orderby=ID&$skip=5&$top=1",
      "/odata/Items?$filter=ok eq true&$select=ID&$orderby=ID&$skip=7&$top=1",
    ]);
    assert.deepEqual(
      plan.map((p) => ({ kind: p.kind, from: p.from, to: p.to, filter: p.filter, estimatedCount: p.estimatedCount, index: p.index, of: p.of })),
      [
        { kind: "key-range", from: undefined, to: [30], filter: "ID lt 30", estimatedCount: 2, index: 0, of: 4 },
        { kind: "key-range", from: [30], to: [60], filter: "ID ge 30 and ID lt 60", estimatedCount: 3, index: 1, of: 4 },
        { kind: "key-range", from: [60], to: [80], filter: "ID ge 60 and ID lt 80", estimatedCount: 2, index: 2, of: 4 },
        { kind: "key-range", from: [80], to: undefined, filter: "ID ge 80", estimatedCount: 3, index: 3, of: 4 },
      ],
    );
    // Plain JSON, and each carries the URL of its first page: the query's own with the range ANDed.
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
    assert.equal(decodeURIComponent(plan[1]!.url), `${root}Items?$filter=(ok eq true) and (ID ge 30 and ID lt 60)`);
    const query = client.collection("Items").filter("ok eq true");
    assert.equal(query.partition(plan[1]!).url(), plan[1]!.url);
    assert.equal(query.select("ID").partition(plan[3]!).url(), `${root}Items?$filter=(ok%20eq%20true)%20and%20(ID%20ge%2080)&$select=ID`);
  });

  test("aggregate: one $apply min/max request, no $count and no probe; the integer key's range cut into equal spans", async (t) => {
    // Keys crowded at the low end, so that the plan shows which strategy made it: the default
    // (quantiles) cuts at 1002, 1004, 1006, equal spans of 1000..1999 at 1250, 1500, 1750.
    const ids = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1999];
    const probes = probeService(metadataXml(INT_KEY), ids);
    const { server, client, root } = await serveClient(t, (request, res) => {
      if (new URL(request.path, "http://x").searchParams.has("$apply")) return sendJson(res, 200, { value: [{ lowest: 1000, highest: 1999 }] });
      probes(request, res);
    });
    const plan = await client.collection("Items").filter("ok eq true").partitions(4, { strategy: "aggregate" });

    // The query's own $filter goes into the $apply, ahead of the aggregate, as filter(...).
    assert.deepEqual(server.requests.map(decoded).sort(), [
      "/odata/$metadata",
      "/odata/Items?$apply=filter((ok eq true))/aggregate(ID with min as lowest,ID with max as highest)",
    ]);
    assert.deepEqual(server.requests.map(decoded).filter((path) => /\$count|\$orderby|\$top=1/.test(path)), []);
    // 250 key values in each; the first range has no lower bound and the last no upper one, as
    // every key range, and the aggregate knows no counts.
    assert.deepEqual(
      plan.map((p) => ({ kind: p.kind, from: p.from, to: p.to, filter: p.filter, estimatedCount: p.estimatedCount })),
      [
        { kind: "key-range", from: undefined, to: [1250], filter: "ID lt 1250", estimatedCount: undefined },
        { kind: "key-range", from: [1250], to: [1500], filter: "ID ge 1250 and ID lt 1500", estimatedCount: undefined },
        { kind: "key-range", from: [1500], to: [1750], filter: "ID ge 1500 and ID lt 1750", estimatedCount: undefined },
        { kind: "key-range", from: [1750], to: undefined, filter: "ID ge 1750", estimatedCount: undefined },
      ],
    );
    assert.equal(decodeURIComponent(plan[2]!.url), `${root}Items?$filter=(ok eq true) and (ID ge 1500 and ID lt 1750)`);

    // The control: on the same service the default strategy counts and probes, and cuts elsewhere.
    const before = server.requests.length;
    const quantiles = await client.collection("Items").filter("ok eq true").partitions(4);
    assert.deepEqual(quantiles.map((p) => p.filter), ["ID lt 1002", "ID ge 1002 and ID lt 1004", "ID ge 1004 and ID lt 1006", "ID ge 1006"]);
    assert.ok(server.requests.slice(before).some((r) => decoded(r).includes("$top=1")), server.requests.map(decoded).join("\n"));
  });

  test("keys are written as literals of their EDM type: strings quoted, GUIDs plain (v4) or guid'…' (v2)", async (t) => {
    const guidType = `<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Guid" Nullable="false"/></EntityType>`;
    const stringType = `<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.String" Nullable="false"/></EntityType>`;
    const guids = ["0a000000-0000-0000-0000-000000000000", "1b000000-0000-0000-0000-000000000000", "2c000000-0000-0000-0000-000000000000", "3d000000-0000-0000-0000-000000000000"];
    const v4 = await serveClient(t, probeService(metadataXml(guidType), guids));
    assert.deepEqual((await v4.client.collection("Items").partitions(2)).map((p) => p.filter), ["ID lt 2c000000-0000-0000-0000-000000000000", "ID ge 2c000000-0000-0000-0000-000000000000"]);
    const v2 = await serveClient(t, probeService(metadataXml(guidType), guids, { v2: true }), { version: "2.0" });
    const v2Plan = await v2.client.collection("Items").partitions(2);
    assert.deepEqual(v2Plan.map((p) => p.filter), ["ID lt guid'2c000000-0000-0000-0000-000000000000'", "ID ge guid'2c000000-0000-0000-0000-000000000000'"]);
    const names = ["Ann", "O'Brien", "Zoë"];
    const strings = await serveClient(t, probeService(metadataXml(stringType), names));
    const plan = await strings.client.collection("Items").partitions(3);
    assert.deepEqual(plan.map((p) => p.filter), ["ID lt 'O''Brien'", "ID ge 'O''Brien' and ID lt 'Zoë'", "ID ge 'Zoë'"]);
    // The service was asked whether its comparisons put the boundaries in the order of its $orderby.
    assert.ok(strings.server.requests.some((r) => decoded(r) === "/odata/Items?$filter=ID eq 'O''Brien' and ID le 'Zoë'&$select=ID&$top=1"), strings.server.requests.map(decoded).join("\n"));
    assert.ok(plan[1]!.url.includes("ID%20ge%20%27O%27%27Brien%27"), plan[1]!.url);
  });

  test("a key named by the caller inside a complex property gets its type from the complex type (a Guid, unquoted)", async (t) => {
    const refType = `<ComplexType Name="Ref"><Property Name="uid" Type="Edm.Guid" Nullable="false"/></ComplexType>
      <EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="ref" Type="S.Ref" Nullable="false"/></EntityType>`;
    const guids = ["0a000000-0000-0000-0000-000000000000", "1b000000-0000-0000-0000-000000000000", "2c000000-0000-0000-0000-000000000000", "3d000000-0000-0000-0000-000000000000"];
    const { server, client } = await serveClient(t, (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadataXml(refType), { "content-type": "application/xml" });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(guids.length));
      sendJson(res, 200, { value: [{ ref: { uid: guids[Number(url.searchParams.get("$skip"))] } }] });
    });
    const plan = await client.collection("Items").partitions(2, { key: "ref/uid" });
    assert.ok(server.requests.some((r) => decoded(r) === "/odata/Items?$select=ref/uid&$orderby=ref/uid&$skip=2&$top=1"), server.requests.map(decoded).join("\n"));
    assert.deepEqual(plan.map((p) => p.filter), ["ref/uid lt 2c000000-0000-0000-0000-000000000000", "ref/uid ge 2c000000-0000-0000-0000-000000000000"]);
  });

  test("a key value the service gives that is not of the key's EDM type is refused as BAD_PAYLOAD, naming the key and type", async (t) => {
    const keyed = (type: string) => `<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="${type}" Nullable="false"/></EntityType>`;
    const cases: [type: string, value: unknown, shown: string][] = [
      ["Edm.Guid", "not-a-guid", 'the string "not-a-guid"'],
      ["Edm.Boolean", "yes", 'the string "yes"'],
      ["Edm.Date", "2024-13-01", 'the string "2024-13-01"'],
      ["Edm.Double", "1.5x", 'the string "1.5x"'],
      ["Edm.Single", "Infinity", 'the string "Infinity"'],
    ];
    for (const [type, value, shown] of cases) {
      const { server, client } = await serveClient(t, probeService(metadataXml(keyed(type)), [value, value, value, value]));
      await assert.rejects(client.collection("Items").partitions(2, { strategy: "quantiles" }), (error: unknown) => {
        assert.ok(error instanceof ODataClientError, String(error));
        assert.equal(error.code, "BAD_PAYLOAD");
        assert.equal(error.message, `partitions(n): the service's value for key ID, ${shown}, is not a valid ${type}`);
        assert.ok(error.cause instanceof Error);
        return true;
      });
      // It was the probe's answer that was refused: the probe was sent.
      assert.ok(server.requests.some((r) => decoded(r) === "/odata/Items?$select=ID&$orderby=ID&$skip=2&$top=1"), type);
    }
    // Double keys as JSON gives them: numbers, the infinities as strings, numbers as text.
    const doubles = await serveClient(t, probeService(metadataXml(keyed("Edm.Double")), [-1.5, "2.5", "INF", "INF"]));
    assert.deepEqual((await doubles.client.collection("Items").partitions(2, { strategy: "quantiles" })).map((p) => p.filter), ["ID lt INF", "ID ge INF"]);
    const texts = await serveClient(t, probeService(metadataXml(keyed("Edm.Double")), [-1.5, "-INF", "2.5e3", "7"]));
    assert.deepEqual((await texts.client.collection("Items").partitions(2, { strategy: "quantiles" })).map((p) => p.filter), ["ID lt 2500", "ID ge 2500"]);
    // A true boolean key is still written as one.
    const ok = await serveClient(t, probeService(metadataXml(keyed("Edm.Boolean")), [false, false, true, true]));
    assert.deepEqual((await ok.client.collection("Items").partitions(2)).map((p) => p.filter), ["ID lt true", "ID ge true"]);
  });

  test("NaN cannot bound a range: a numeric NaN boundary is refused naming the key, and auto cuts a Double key into ordered windows", async (t) => {
    const keyed = (type: string) => `<EntityType Name="Item"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="${type}" Nullable="false"/></EntityType>`;
    for (const type of ["Edm.Double", "Edm.Single", "Edm.Decimal"]) {
      const { client } = await serveClient(t, probeService(metadataXml(keyed(type)), [1, 2, "NaN", "NaN"]));
      await assert.rejects(client.collection("Items").partitions(2, { strategy: "quantiles" }), (error: unknown) => {
        assert.ok(error instanceof ODataClientError, String(error));
        assert.equal(error.code, "BAD_PAYLOAD");
        assert.equal(error.message, 'partitions(n): the service\'s value for key ID is NaN, which cannot bound a range (every comparison with it is false); use strategy "skip"');
        return true;
      }, type);
    }
    // The text "NaN" of a string key is a string like any other.
    const strings = await serveClient(t, probeService(metadataXml(keyed("Edm.String")), ["A", "B", "NaN", "Z"]));
    assert.deepEqual((await strings.client.collection("Items").partitions(2)).map((p) => p.filter), ["ID lt 'NaN'", "ID ge 'NaN'"]);
    // auto: rows whose Double key is NaN would be in no range, so the ordered set is cut into windows, without a probe.
    const { server, client } = await serveClient(t, probeService(metadataXml(keyed("Edm.Double")), [0.5, 1.5, 2.5, "NaN"]));
    const plan = await client.collection("Items").partitions(2);
    assert.deepEqual(plan.map((p) => [p.kind, p.skip, p.top, p.orderBy]), [["skip", 0, 2, ["ID"]], ["skip", 2, undefined, ["ID"]]]);
    assert.deepEqual(server.requests.map(decoded).filter((path) => path.includes("$top=1")), []);
  });

  test("a key of two properties is compared in key order", async (t) => {
    const pairType = `<EntityType Name="Item"><Key><PropertyRef Name="A"/><PropertyRef Name="B"/></Key><Property Name="A" Type="Edm.Int32" Nullable="false"/><Property Name="B" Type="Edm.String" Nullable="false"/></EntityType>`;
    const { server, client } = await serveClient(t, (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadataXml(pairType), { "content-type": "application/xml" });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, "4");
      sendJson(res, 200, { value: [{ A: 1, B: "y" }] });
    });
    const plan = await client.collection("Items").partitions(2);
    assert.ok(server.requests.some((r) => decoded(r) === "/odata/Items?$select=A,B&$orderby=A,B&$skip=2&$top=1"), server.requests.map(decoded).join("\n"));
    assert.deepEqual(plan.map((p) => p.filter), ["(A lt 1 or (A eq 1 and B lt 'y'))", "(A gt 1 or (A eq 1 and B ge 'y'))"]);
    assert.deepEqual(plan[0]!.key, ["A", "B"]);
  });

  test("a key the service cannot sort by (SortRestrictions) gives $skip windows, no probe", async (t) => {
    const restricted = `<Annotation Term="Capabilities.SortRestrictions"><Record><PropertyValue Property="NonSortableProperties"><Collection><PropertyPath>ID</PropertyPath></Collection></PropertyValue></Record></Annotation>`;
    const { server, client, root } = await serveClient(t, probeService(metadataXml(INT_KEY, restricted), Array.from({ length: 10 }, (_, i) => i)));
    const plan = await client.collection("Items").partitions(3);
    assert.deepEqual(server.requests.map(decoded).sort(), ["/odata/$metadata", "/odata/Items/$count"]);
    assert.deepEqual(
      plan.map((p) => ({ kind: p.kind, skip: p.skip, top: p.top, estimatedCount: p.estimatedCount })),
      [
        { kind: "skip", skip: 0, top: 3, estimatedCount: 3 },
        { kind: "skip", skip: 3, top: 3, estimatedCount: 3 },
        { kind: "skip", skip: 6, top: undefined, estimatedCount: 4 },
      ],
    );
    assert.equal(decodeURIComponent(plan[1]!.url), `${root}Items?$skip=3&$top=3`);
    assert.equal(client.collection("Items").partition(plan[2]!).url(), `${root}Items?$skip=6`);
  });

  test("the $count is asked while $metadata is read, and client.metadata() afterwards finds the model the plan read", async (t) => {
    let counted!: () => void;
    const countAsked = new Promise<void>((resolve) => (counted = resolve));
    const { server, client } = await serveClient(t, async (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) {
        // Answered only once the count is asked (a plan that counts after $metadata gets a 503 after 2 s).
        let timer: ReturnType<typeof setTimeout> | undefined;
        const asked = await Promise.race([countAsked.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000)))]);
        clearTimeout(timer);
        if (!asked) return sendJson(res, 503, { error: { code: "503", message: "the count was not asked meanwhile" } });
        return sendText(res, 200, metadataXml(INT_KEY), { "content-type": "application/xml" });
      }
      if (url.pathname.endsWith("/$count")) {
        counted();
        return sendText(res, 200, "4");
      }
      sendJson(res, 200, { value: [{ ID: (Number(url.searchParams.get("$skip")) + 1) * 10 }] });
    });
    const plan = await client.collection("Items").partitions(2);
    assert.deepEqual(plan.map((p) => p.filter), ["ID lt 30", "ID ge 30"]);
    await client.metadata();
    assert.equal(server.requests.filter((r) => r.path.endsWith("/$metadata")).length, 1);
    assert.equal(server.requests.filter((r) => r.path.includes("/$count")).length, 1);
  });

  test("a plan that fails once $metadata is read (no key) aborts the count it asked meanwhile", { timeout: 10_000 }, async (t) => {
    let countClosed!: () => void;
    const closed = new Promise<void>((resolve) => (countClosed = resolve));
    const { client } = await serveClient(t, (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadataXml(`<EntityType Name="Item"><Property Name="ID" Type="Edm.Int32"/></EntityType>`), { "content-type": "application/xml" });
      // The count never answers: only the client closing it ends it.
      if (url.pathname.endsWith("/$count")) return void res.on("close", () => countClosed());
      sendJson(res, 200, { value: [] });
    });
    await assert.rejects(client.collection("Items").partitions(2), (error: unknown) => error instanceof ODataClientError && error.code === "PARTITION_KEY_UNKNOWN");
    await closed;
  });

  test("a probe that fails stops the others in flight; at most 8 probes are in flight at once", { timeout: 10_000 }, async (t) => {
    let open = 0;
    let most = 0;
    let closedUnanswered = 0;
    const { client, server } = await serveClient(t, (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadataXml(INT_KEY), { "content-type": "application/xml" });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, "1000");
      open++;
      most = Math.max(most, open);
      res.on("close", () => {
        open--;
        if (!res.writableEnded) closedUnanswered++;
      });
      const skip = Number(url.searchParams.get("$skip"));
      // The probe of the third boundary fails; the others wait (a slow service) until closed.
      if (skip === shareOf(3)) setTimeout(() => sendJson(res, 500, { error: { code: "X", message: "probe failed" } }), 50);
    });
    const shareOf = (i: number) => Math.floor((i * 1000) / 40);
    await assert.rejects(client.collection("Items").partitions(40), (error: unknown) => error instanceof Error && /probe failed/.test(error.message));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(open, 0, "probes still open after the plan failed");
    assert.ok(most <= 8, `${most} probes were in flight at once`);
    // The failing one and the seven beside it; none started after the failure.
    const probes = server.requests.filter((r) => r.path.includes("$skip"));
    assert.equal(probes.length, 8, probes.map(decoded).join("\n"));
    assert.equal(closedUnanswered, 7);
  });

  test("a service that answers the ordered probe 501 Not Implemented gets $skip windows", async (t) => {
    const { client } = await serveClient(t, (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadataXml(INT_KEY), { "content-type": "application/xml" });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, "8");
      if (url.searchParams.has("$orderby")) return sendJson(res, 501, { error: { code: "NotImplemented", message: "no $orderby here" } });
      sendJson(res, 200, { value: [] });
    });
    const plan = await client.collection("Items").partitions(2);
    assert.deepEqual(plan.map((p) => [p.kind, p.skip, p.top]), [["skip", 0, 4], ["skip", 4, undefined]]);
  });

  test("fewer entities than partitions: the ranges after the last entity are empty, the last open range takes the rest", async (t) => {
    const { client } = await serveClient(t, probeService(metadataXml(INT_KEY), [5, 6]));
    const plan = await client.collection("Items").partitions(4);
    // Boundaries at positions 0, 1, 1 of 2 entities: 5, 6, 6.
    assert.deepEqual(plan.map((p) => [p.kind, p.filter]), [
      ["key-range", "ID lt 5"],
      ["key-range", "ID ge 5 and ID lt 6"],
      ["key-range", "ID ge 6 and ID lt 6"],
      ["key-range", "ID ge 6"],
    ]);
    const none = await serveClient(t, probeService(metadataXml(INT_KEY), []));
    const empty = await none.client.collection("Items").partitions(3);
    assert.deepEqual(empty.map((p) => [p.kind, p.filter]), [["key-range", undefined], ["empty", "false"], ["empty", "false"]]);
  });

  test("without $metadata the key must be given; its values are written as the JSON gave them", async (t) => {
    const { client } = await serveClient(t, (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata" } });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, "4");
      sendJson(res, 200, { value: [{ Code: "M" }] });
    });
    await assert.rejects(client.collection("Items").partitions(2), (error: unknown) => {
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "PARTITION_KEY_UNKNOWN");
      assert.match(error.message, /the key of Items is not known: \$metadata could not be read .*pass \{ key: "<property>" \}/);
      return true;
    });
    // Nothing says that Code cannot be null: the first range takes the rows without one.
    const plan = await client.collection("Items").partitions(2, { key: "Code" });
    assert.deepEqual(plan.map((p) => p.filter), ["Code lt 'M' or Code eq null", "Code ge 'M'"]);
  });

  test("bad input is refused before anything is sent, naming what was wrong", async (t) => {
    const { server, client } = await serveClient(t, probeService(metadataXml(INT_KEY), [1, 2, 3]));
    const items = client.collection("Items");
    await assert.rejects(items.partitions(0), /partitions\(n\): n must be an integer from 1 to 1000; got 0/);
    await assert.rejects(items.partitions(2.5), RangeError);
    await assert.rejects(items.top(5).partitions(2), /the query has \$top or \$skip/);
    await assert.rejects(items.apply("groupby((ID))").partitions(2), /the query has \$apply/);
    await assert.rejects(items.partitions(2, { strategy: "random" as never }), /option "strategy" must be/);
    assert.equal(server.requests.length, 0);
    const plan = await items.partitions(2);
    assert.throws(() => client.collection("Other").partition(plan[0]!), /the partition is of "Items", not of this query's "Other"/);
    assert.throws(() => items.partition({ ...plan[0]!, type: "x" } as unknown as QueryPartition), /partition\(p\): its type is not/);
    assert.throws(() => items.partition({ ...plan[0]!, kind: "skip", skip: -1 } as QueryPartition), /skip and top must be integers/);
    // A partition runs on the whole collection too: a plan made elsewhere is refused on a query with $top, $skip or $apply.
    assert.throws(() => items.top(5).skip(2).partition(plan[0]!), { name: "TypeError", message: "partition(p): the query has $top or $skip; partitions split a whole collection, so use them on the query without these" });
    assert.throws(() => items.apply("groupby((ID))").partition(plan[1]!), /partition\(p\): the query has \$apply/);
    assert.equal(server.requests.filter((r) => !r.path.includes("$metadata") && !r.path.includes("$count") && !r.path.includes("$top=1")).length, 0);
  });
});

describe("running a partition", () => {
  test("a hand-edited partition whose filter or orderBy is not one whole item is refused, naming partition(p) and what is wrong", async (t) => {
    const { server, client, root } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }));
    const items = client.collection("Items").filter("ok eq true");
    const range: QueryPartition = { type: "traverse-odata/partition", version: 1, entitySet: "Items", index: 0, of: 2, kind: "key-range", key: ["ID"], to: [5], filter: "ID lt 5", url: "" };
    const window: QueryPartition = { type: "traverse-odata/partition", version: 1, entitySet: "Items", index: 0, of: 2, kind: "skip", skip: 0, top: 5, orderBy: ["ID"], url: "" };
    // As planned, they run.
    assert.equal(decodeURIComponent(items.partition(range).url()), `${root}Items?$filter=(ok eq true) and (ID lt 5)`);
    assert.equal(decodeURIComponent(items.partition({ ...window, orderBy: ["ID desc"] }).url()), `${root}Items?$filter=ok eq true&$orderby=ID desc&$skip=0&$top=5`);
    // A filter that closes the parenthesis around it would turn the AND into "or true".
    assert.throws(() => items.partition({ ...range, filter: "ID lt 5) or (true" }), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^partition\(p\) filter: the string "ID lt 5\) or \(true" is not one whole expression: it closes a "\(" at character 8 that it did not open/);
      return true;
    });
    assert.throws(() => items.partition({ ...range, filter: "ID lt 5;$top=1" }), /^TypeError: partition\(p\) filter: .*";" at character 8/);
    assert.throws(() => items.partition({ ...range, filter: " " }), /^TypeError: partition\(p\) filter: expected non-empty text/);
    // $orderby items are a property path and an optional direction, nothing else.
    assert.throws(() => items.partition({ ...window, orderBy: ["ID,Secret desc"] }), /^TypeError: partition\(p\) orderBy: the string "ID,Secret" is not an OData property path/);
    assert.throws(() => items.partition({ ...window, orderBy: ["ID sideways"] }), /^TypeError: partition\(p\) orderBy: the string "ID sideways" is not an OData property path/);
    assert.throws(() => items.partition({ ...window, orderBy: ["ID&$top=1"] }), /^TypeError: partition\(p\) orderBy: .* is not an OData property path/);
    assert.equal(server.requests.length, 0);
  });
});

describe("against SAP CAP", () => {
  const cap = useCap();

  /** Every ID of every partition, walked with partition(p), in one list. */
  async function walkAll(client: ODataClient, set: string, plan: QueryPartition[], build = (q: CollectionQuery) => q): Promise<unknown[]> {
    const lists = await Promise.all(plan.map(async (p) => {
      const ids: unknown[] = [];
      for await (const row of build(client.collection(set)).select("ID").partition(p)) ids.push(row["ID"]);
      return ids;
    }));
    return lists.flat();
  }

  test("100,000 Readings in 4 key ranges: every ID exactly once, ranges of about a quarter each", async () => {
    const client = new ODataClient({ serviceUrl: cap.v4 });
    const plan = await client.collection("Readings").partitions(4, { model: await client.metadata() });
    assert.deepEqual(plan.map((p) => p.filter), ["ID lt 25001", "ID ge 25001 and ID lt 50001", "ID ge 50001 and ID lt 75001", "ID ge 75001"]);
    const ids = await walkAll(client, "Readings", plan);
    assert.equal(ids.length, 100_000);
    assert.equal(new Set(ids).size, 100_000);
  });

  test("with the query's own $filter, string keys, a two-part key, the aggregate strategy and v2 through the adapter", async () => {
    const v4 = new ODataClient({ serviceUrl: cap.v4 });
    const filtered = v4.collection("Readings").filter("sensor eq 'S3' and ID le 5000");
    const plan = await filtered.partitions(3);
    const ids = await walkAll(v4, "Readings", plan, (q) => q.filter("sensor eq 'S3' and ID le 5000"));
    const expected: number[] = [];
    for await (const row of filtered.select("ID")) expected.push(row["ID"] as number);
    assert.deepEqual([...ids].sort((a, b) => (a as number) - (b as number)), expected.sort((a, b) => a - b));

    const authors = await v4.collection("Authors").partitions(3);
    assert.equal(authors.every((p) => p.kind === "key-range"), true);
    const authorIds = await walkAll(v4, "Authors", authors);
    const allAuthors = (await v4.collection("Authors").list()).map((row) => row["ID"]);
    assert.deepEqual([...authorIds].sort(), [...allAuthors].sort());

    const pairs = await v4.collection("Pairs").partitions(3);
    const pairRows = (await Promise.all(pairs.map((p) => v4.collection("Pairs").partition(p).list()))).flat();
    assert.deepEqual(pairRows.map((r) => `${r["A"]}/${r["B"]}`).sort(), (await v4.collection("Pairs").list()).map((r) => `${r["A"]}/${r["B"]}`).sort());

    const aggregate = await v4.collection("Readings").partitions(4, { strategy: "aggregate" });
    assert.deepEqual(aggregate.map((p) => p.filter), ["ID lt 25001", "ID ge 25001 and ID lt 50001", "ID ge 50001 and ID lt 75001", "ID ge 75001"]);
    assert.match(decodeURIComponent(aggregate[0]!.url), /Readings\?\$filter=ID lt 25001$/);

    // The v2 adapter writes next links to "localhost", and fails on $metadata with Node's default
    // "Accept-Language: *" (as in test/metadata.test.ts).
    const v2 = new ODataClient({ serviceUrl: cap.v2.replace("127.0.0.1", "localhost"), version: "2.0", headers: { "accept-language": "en" } });
    const v2Plan = await v2.collection("Readings").filter("ID le 3000").partitions(3);
    assert.deepEqual(v2Plan.map((p) => p.filter), ["ID lt 1001", "ID ge 1001 and ID lt 2001", "ID ge 2001"]);
    const v2Ids = await walkAll(v2, "Readings", v2Plan, (q) => q.filter("ID le 3000"));
    assert.equal(v2Ids.length, 3000);
    assert.equal(new Set(v2Ids).size, 3000);
  });
});
