// query.partitions(n) against node:http services that evaluate the plan's filters: a service whose
// comparisons order keys unlike its $orderby (as SAP CAP does with strings), keys that may be null,
// Int64 keys beyond 2^53, and the v2 literal forms of Edm.Time and Edm.Binary keys. Each plan is
// walked through the service, and every row must come back exactly once.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClientError, type ODataClient, type QueryPartition } from "../src/index.js";
import { serveClient, sendJson, sendText, type RecordedRequest } from "./servers/recording-server.js";
import { filterTest, meets } from "./filter-evaluator.js";
import { regExpText } from "./regexp-text.js";

type Row = Record<string, unknown>;
type Order = (a: unknown, b: unknown) => number;

/** Binary comparison: UTF-16 code units, numbers and bigints by value. */
const binary: Order = (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);
/** A case-insensitive collation. */
const caseInsensitive: Order = (a, b) => binary(String(a).toLowerCase(), String(b).toLowerCase());
/** An order no database has: strings compared from their last character. */
const backwards: Order = (a, b) => binary([...String(a)].reverse().join(""), [...String(b)].reverse().join(""));

/** The EDMX of one entity set `Items` of `S.Item`, whose properties are `properties` (name → attributes). */
function metadataXml(key: readonly string[], properties: Record<string, string>, v2 = false): string {
  const props = Object.entries(properties).map(([name, attributes]) => `<Property Name="${name}" ${attributes}/>`).join("");
  const type = `<EntityType Name="Item"><Key>${key.map((name) => `<PropertyRef Name="${name}"/>`).join("")}</Key>${props}</EntityType>`;
  if (v2) {
    return `<?xml version="1.0"?><edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0"><edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="2.0"><Schema xmlns="http://schemas.microsoft.com/ado/2008/09/edm" Namespace="S">${type}<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  }
  return `<?xml version="1.0"?><edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices><Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="S">${type}<EntityContainer Name="C"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

/**
 * A `$filter` of the forms the plans write (paths compared with literals, `and`, `or`,
 * parentheses) as a test on a row; `compare` orders two non-null values as the service's
 * comparisons do. A comparison with null is false; `eq null` and `ne null` test for it.
 */
function parseFilter(text: string, compare: Order): (row: Row) => boolean {
  const literal = (token: string): unknown => {
    if (token === "null") return null;
    if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
    if (/^-?\d+$/.test(token)) return BigInt(token);
    throw new Error(`this test service reads no literal ${token}`);
  };
  return filterTest<Row>(text, (path, operator, token) => {
    const value = literal(token);
    return (row) => {
      const actual = row[path] ?? null;
      if (value === null) return operator === "eq" ? actual === null : operator === "ne" ? actual !== null : false;
      if (actual === null) return operator === "ne";
      return meets(operator, compare(typeof actual === "number" ? BigInt(actual) : actual, value));
    };
  });
}

/** JSON text with bigints written as the digits they are (as a service writes a long Int64). */
function jsonText(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `\u0000${v}` : v)).replace(/"\\u0000(-?\d+)"/g, "$1");
}

interface ServiceOptions {
  metadata: string | undefined;
  rows: readonly Row[];
  /** How $orderby sorts one property's non-null values (nulls first, or last with `nullsLast`). */
  order: Order;
  /** How $filter compares. */
  compare: Order;
  nullsLast?: boolean;
  v2?: boolean;
}

/** A service that answers $metadata, $count, $filter, $orderby, $skip, $top and $select over `rows`, and the aggregate of min and max. */
function rowService({ metadata, rows, order, compare, nullsLast = false, v2 = false }: ServiceOptions) {
  return (request: RecordedRequest, res: ServerResponse) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) {
      if (metadata === undefined) return sendJson(res, 404, { error: { code: "404", message: "no metadata" } });
      return sendText(res, 200, metadata, { "content-type": "application/xml" });
    }
    const filter = url.searchParams.get("$filter");
    let selected = filter === null ? [...rows] : rows.filter(parseFilter(filter, compare));
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(selected.length));
    const apply = url.searchParams.get("$apply");
    if (apply !== null) {
      const [, path] = /aggregate\((\w+) with min/.exec(apply) ?? assert.fail(apply);
      const values = rows.map((row) => row[path!] as bigint).filter((value) => value !== null).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return sendText(res, 200, jsonText({ value: [{ lowest: values[0] ?? null, highest: values.at(-1) ?? null }] }), { "content-type": "application/json" });
    }
    const orderBy = url.searchParams.get("$orderby")?.split(",");
    if (orderBy) {
      const nullRank = nullsLast ? 1 : -1;
      selected.sort((a, b) => {
        for (const path of orderBy) {
          const x = a[path] ?? null;
          const y = b[path] ?? null;
          const c = x === null || y === null ? (x === y ? 0 : x === null ? nullRank : -nullRank) : order(x, y);
          if (c !== 0) return c;
        }
        return 0;
      });
    }
    selected = selected.slice(Number(url.searchParams.get("$skip") ?? 0));
    const top = url.searchParams.get("$top");
    if (top !== null) selected = selected.slice(0, Number(top));
    const select = url.searchParams.get("$select")?.split(",");
    const answer = select ? selected.map((row) => Object.fromEntries(select.map((path) => [path, row[path] ?? null]))) : selected;
    sendText(res, 200, jsonText(v2 ? { d: { results: answer } } : { value: answer }), { "content-type": "application/json" });
  };
}

/** The rows of every partition, read with `query.partition(p)` page by page. */
async function walk(client: ODataClient, plan: readonly QueryPartition[], field = "ID"): Promise<unknown[]> {
  const seen: unknown[] = [];
  for (const partition of plan) {
    for await (const row of client.collection<Row>("Items").partition(partition)) seen.push(row[field] === null ? null : String(row[field]));
  }
  return seen;
}

function sorted(values: readonly unknown[]): unknown[] {
  return [...values].map((value) => (value === null ? "(null)" : String(value))).sort();
}

/** The check requests of a plan: whether the service's comparisons put one boundary at most the next. */
function orderChecks(requests: readonly RecordedRequest[]): string[] {
  return requests.map((r) => decodeURIComponent(r.path)).filter((path) => / le /.test(path));
}

const STRING_KEY = metadataXml(["ID"], { ID: 'Type="Edm.String" Nullable="false"' });

const AUTHORS = [
  "austen", "Brontë", "carroll", "Dickens", "eliot", "Fitzgerald", "gogol", "Hugo", "ibsen", "Joyce", "kafka", "Lorca", "mann",
  "Nabokov", "O'Brien", "orwell", "Proust", "queneau", "Rilke", "Shelley", "tolstoy", "Updike", "verne", "Woolf", "Xenophon",
  "yeats", "Zola", "Žižek", "éluard", "Ørsted",
];

describe("string keys whose $orderby and comparisons disagree", () => {
  test("sorted case-insensitively, compared byte by byte (as SAP CAP): every row in exactly one range, each range one span of the comparisons' order", async (t) => {
    const rows = AUTHORS.map((ID) => ({ ID }));
    const { server, client } = await serveClient(t, rowService({ metadata: STRING_KEY, rows, order: caseInsensitive, compare: binary }));
    const plan = await client.collection("Items").partitions(10);

    assert.deepEqual(sorted(await walk(client, plan)), sorted(AUTHORS));
    // The boundaries were taken in code point order, in which the service's comparisons put each
    // at most the next: each range is one `ge` and one `lt`, and the boundaries rise.
    const bounds = plan.slice(1).map((p) => p.from?.[0] as string);
    assert.deepEqual(bounds, [...bounds].sort());
    for (const p of plan) assert.ok((p.filter?.match(/ ge /g) ?? []).length <= 1, p.filter);
    assert.equal(plan[1]!.filter, `ID ge ${quote(bounds[0]!)} and ID lt ${quote(bounds[1]!)}`);
    // The order of $orderby was asked about first, then the sorted one; the estimates (shares of
    // the $orderby order) are not given for ranges of another order.
    const checks = orderChecks(server.requests);
    assert.ok(checks.length > 8, checks.join("\n"));
    assert.ok(checks.every((path) => /^\/odata\/Items\?\$filter=ID eq '.*' and ID le '.*'&\$select=ID&\$top=1$/.test(path)), checks.join("\n"));
    assert.deepEqual(plan.map((p) => p.estimatedCount), plan.map(() => undefined));
  });

  test("sorted byte by byte, compared case-insensitively: the pairs the comparisons do not order add a lower bound, every row once", async (t) => {
    const rows = AUTHORS.map((ID) => ({ ID }));
    const { client } = await serveClient(t, rowService({ metadata: STRING_KEY, rows, order: binary, compare: caseInsensitive }));
    const plan = await client.collection("Items").partitions(8);
    assert.deepEqual(sorted(await walk(client, plan)), sorted(AUTHORS));
    // Some range carries the lower bound of an earlier one: `K ge b(j) and K ge b(i) and K lt b(i+1)`.
    assert.ok(plan.some((p) => (p.filter?.match(/ ge /g) ?? []).length >= 2), plan.map((p) => p.filter).join("\n"));
  });

  test("an order that is neither: at most 16 lower bounds in a filter, boundaries beyond them dropped, every row once", async (t) => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const ids = [...new Set(Array.from({ length: 400 }, () => Array.from({ length: 6 }, () => "abcdefghijklmnopqrstuvwxyz"[Math.floor(random() * 26)]).join("")))];
    const { server, client } = await serveClient(t, rowService({ metadata: STRING_KEY, rows: ids.map((ID) => ({ ID })), order: binary, compare: backwards }));
    const plan = await client.collection("Items").partitions(60);
    assert.deepEqual(sorted(await walk(client, plan)), sorted(ids));
    const most = Math.max(...plan.map((p) => (p.filter?.match(/ ge /g) ?? []).length));
    assert.equal(most, 16);
    assert.ok(plan.some((p) => p.kind === "empty"), "no boundary was dropped");
    assert.ok(Math.max(...plan.map((p) => p.url.length)) < 1000, "a partition's URL is longer than 1000 characters");
    // Every pair of both orders was asked about once at most.
    const checks = orderChecks(server.requests);
    assert.equal(new Set(checks).size, checks.length);
  });

  test("compared in the order of $orderby: one check per pair of boundaries, ranges `ge` one and `lt` the next, the estimates kept", async (t) => {
    const rows = AUTHORS.map((ID) => ({ ID }));
    const { server, client } = await serveClient(t, rowService({ metadata: STRING_KEY, rows, order: caseInsensitive, compare: caseInsensitive }));
    const plan = await client.collection("Items").partitions(5);
    assert.deepEqual(sorted(await walk(client, plan)), sorted(AUTHORS));
    const inOrder = [...AUTHORS].sort(caseInsensitive);
    const bounds = [6, 12, 18, 24].map((position) => inOrder[position]!);
    assert.deepEqual(plan.map((p) => p.filter), [
      `ID lt ${quote(bounds[0]!)}`,
      `ID ge ${quote(bounds[0]!)} and ID lt ${quote(bounds[1]!)}`,
      `ID ge ${quote(bounds[1]!)} and ID lt ${quote(bounds[2]!)}`,
      `ID ge ${quote(bounds[2]!)} and ID lt ${quote(bounds[3]!)}`,
      `ID ge ${quote(bounds[3]!)}`,
    ]);
    assert.deepEqual(plan.map((p) => p.estimatedCount), [6, 6, 6, 6, 6]);
    assert.deepEqual(orderChecks(server.requests).sort(), [0, 1, 2].map((j) => `/odata/Items?$filter=ID eq ${quote(bounds[j]!)} and ID le ${quote(bounds[j + 1]!)}&$select=ID&$top=1`).sort());
  });
});

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

describe("keys that may be null", () => {
  const stockRows: Row[] = [
    ...Array.from({ length: 9 }, (_, i) => ({ ID: `n${i}`, stock: null })),
    ...Array.from({ length: 11 }, (_, i) => ({ ID: `s${i}`, stock: (i * 7) % 11 })),
  ];
  const stockMetadata = (nullable: string) => metadataXml(["ID"], { ID: 'Type="Edm.String" Nullable="false"', stock: `Type="Edm.Int32"${nullable}` });

  test("a nullable key property: the first range takes the nulls, a probe that meets one bounds nothing, every row once", async (t) => {
    for (const nullsLast of [false, true]) {
      const { client } = await serveClient(t, rowService({ metadata: stockMetadata(""), rows: stockRows, order: binary, compare: binary, nullsLast }));
      const plan = await client.collection("Items").partitions(4, { key: "stock" });
      assert.deepEqual(sorted(await walk(client, plan)), sorted(stockRows.map((row) => row.ID)), `nulls ${nullsLast ? "last" : "first"}`);
      assert.match(plan[0]!.filter!, /^(stock lt \d+ or )?stock eq null$/);
      assert.ok(plan.slice(1).every((p) => p.kind === "empty" || !/eq null/.test(p.filter!)), plan.map((p) => p.filter).join("\n"));
    }
    // Nulls first: positions 5, 10 and 15 of 20 are a null, 1 and 6.
    const { client } = await serveClient(t, rowService({ metadata: stockMetadata(""), rows: stockRows, order: binary, compare: binary }));
    const plan = await client.collection("Items").partitions(4, { key: "stock" });
    assert.deepEqual(plan.map((p) => [p.kind, p.filter]), [
      ["key-range", "stock eq null"],
      ["key-range", "stock lt 1"],
      ["key-range", "stock ge 1 and stock lt 6"],
      ["key-range", "stock ge 6"],
    ]);
  });

  test("Nullable=\"false\" and entity keys add no null test; without $metadata a key named by the caller gets one", async (t) => {
    const rows = stockRows.filter((row) => row.stock !== null);
    const declared = await serveClient(t, rowService({ metadata: stockMetadata(' Nullable="false"'), rows, order: binary, compare: binary }));
    assert.deepEqual((await declared.client.collection("Items").partitions(2, { key: "stock" })).map((p) => p.filter), ["stock lt 5", "stock ge 5"]);
    assert.deepEqual((await declared.client.collection("Items").partitions(2)).map((p) => p.filter), ["ID lt 's4'", "ID ge 's4'"]);
    // Three nulls (sorted first) of 14 rows: the boundaries at positions 4 and 9 are 1 and 6.
    const fewNulls = stockRows.slice(6);
    const bare = await serveClient(t, rowService({ metadata: undefined, rows: fewNulls, order: binary, compare: binary }));
    const plan = await bare.client.collection("Items").partitions(3, { key: "stock" });
    assert.deepEqual(plan.map((p) => p.filter), ["stock lt 1 or stock eq null", "stock ge 1 and stock lt 6", "stock ge 6"]);
    assert.deepEqual(sorted(await walk(bare.client, plan)), sorted(fewNulls.map((row) => row.ID)));
  });

  test("a key of two properties whose second may be null: the first range takes its nulls, the others say `ne null`", async (t) => {
    const rows: Row[] = Array.from({ length: 24 }, (_, i) => ({ ID: `r${i}`, A: BigInt(i % 4), B: i % 3 === 0 ? null : `b${i}` }));
    const metadata = metadataXml(["ID"], { ID: 'Type="Edm.String" Nullable="false"', A: 'Type="Edm.Int32" Nullable="false"', B: 'Type="Edm.String"' });
    const { client } = await serveClient(t, rowService({ metadata, rows, order: binary, compare: binary }));
    const plan = await client.collection("Items").partitions(4, { key: ["A", "B"] });
    assert.deepEqual(sorted(await walk(client, plan)), sorted(rows.map((row) => row.ID)));
    assert.match(plan[0]!.filter!, /B eq null$/);
    for (const p of plan.slice(1)) if (p.kind !== "empty") assert.match(p.filter!, /B ne null$/);
  });
});

describe("Int64 keys beyond 2^53 (v4 JSON numbers)", () => {
  const INT64_KEY = metadataXml(["ID"], { ID: 'Type="Edm.Int64" Nullable="false"' });
  const ids = [1n, 2n, 9007199254740993n, 9007199254740995n, 9223372036854775806n, 9223372036854775807n];
  // JSON.parse would round the IDs as it rounds the probes': the walk tells rows apart by name.
  const rows = ids.map((ID) => ({ ID, name: String(ID) }));

  test("quantiles: a probe's value that JSON rounds (up to 2^63) bounds the ranges as the nearest Int64, every row once", async (t) => {
    const { client } = await serveClient(t, rowService({ metadata: INT64_KEY, rows, order: binary, compare: binary }));
    const plan = await client.collection("Items").partitions(3);
    // 9007199254740993 reads as 9007199254740992, 9223372036854775806 as 2^63, beyond the Int64 range.
    assert.deepEqual(plan.map((p) => p.filter), ["ID lt 9007199254740992", "ID ge 9007199254740992 and ID lt 9223372036854775807", "ID ge 9223372036854775807"]);
    assert.deepEqual(sorted(await walk(client, plan, "name")), sorted(ids));
  });

  test("aggregate: a minimum and maximum beyond 2^53 cut the range in equal spans, every row once", async (t) => {
    const { server, client } = await serveClient(t, rowService({ metadata: INT64_KEY, rows, order: binary, compare: binary }));
    const plan = await client.collection("Items").partitions(4, { strategy: "aggregate" });
    assert.ok(server.requests.some((r) => r.path.includes("$apply")));
    const bounds = plan.slice(1).map((p) => BigInt(p.from![0] as string | number));
    assert.deepEqual(bounds, [...bounds].sort((a, b) => (a < b ? -1 : 1)));
    assert.ok(bounds.every((bound) => bound > 9007199254740992n && bound <= 9223372036854775807n), String(bounds));
    assert.deepEqual(sorted(await walk(client, plan, "name")), sorted(ids));
  });
});

describe("v2 and v4 literal forms of key types without a JSON type of their own", () => {
  /**
   * A service answering the probes from `keys` (raw JSON text, in order) and the one order check of
   * a plan of three ranges (whether the first boundary, `keys[1]`, is at most the second) with yes.
   */
  function typedService(metadata: string, keys: readonly string[], v2: boolean) {
    return (request: RecordedRequest, res: ServerResponse) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml" });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(keys.length));
      const row = url.searchParams.has("$filter") ? keys[1] : keys[Number(url.searchParams.get("$skip") ?? 0)];
      const rows = row === undefined ? "" : `{"K":${row}}`;
      sendText(res, 200, v2 ? `{"d":{"results":[${rows}]}}` : `{"value":[${rows}]}`, { "content-type": "application/json" });
    };
  }

  test("v2 Edm.Time as time'…', v2 Edm.Binary as X'…' (from base64), v4 Edm.Binary as binary'…' (base64url)", async (t) => {
    const cases: [version: "2.0" | "4.0", type: string, keys: string[], literals: string[]][] = [
      ["2.0", "Edm.Time", ['"PT08H00M00S"', '"PT12H30M00S"', '"PT18H00M00S"'], ["time'PT12H30M00S'", "time'PT18H00M00S'"]],
      ["2.0", "Edm.Binary", ['"AQI="', '"AQM="', '"+/8="'], ["X'0103'", "X'FBFF'"]],
      ["4.0", "Edm.Binary", ['"AQI="', '"AQM="', '"-_8"'], ["binary'AQM='", "binary'-_8='"]],
    ];
    for (const [version, type, keys, [first, second]] of cases) {
      const v2 = version === "2.0";
      const metadata = metadataXml(["K"], { K: `Type="${type}" Nullable="false"` }, v2);
      const { server, client } = await serveClient(t, typedService(metadata, keys, v2), { version });
      const plan = await client.collection("Items").partitions(3, { strategy: "quantiles" });
      assert.equal(plan[0]!.filter, `K lt ${first}`, `${version} ${type}`);
      assert.match(plan[1]!.filter!, new RegExp(`^K ge ${regExpText(first!)} and K lt ${regExpText(second!)}$`), `${version} ${type}`);
      assert.match(plan[2]!.filter!, new RegExp(`K ge ${regExpText(second!)}$`), `${version} ${type}`);
      // The order check wrote them so too.
      assert.deepEqual(orderChecks(server.requests), [`/odata/Items?$filter=K eq ${first} and K le ${second}&$select=K&$top=1`]);
    }
  });

  test("a Binary key value that is not base64 is refused as BAD_PAYLOAD naming the key and type", async (t) => {
    const metadata = metadataXml(["K"], { K: 'Type="Edm.Binary" Nullable="false"' }, true);
    const { client } = await serveClient(t, typedService(metadata, ['"AQI="', '"not base64!"', '"AQQ="'], true), { version: "2.0" });
    await assert.rejects(client.collection("Items").partitions(3), (error: unknown) => {
      assert.ok(error instanceof ODataClientError, String(error));
      assert.equal(error.code, "BAD_PAYLOAD");
      assert.equal(error.message, 'partitions(n): the service\'s value for key K, the string "not base64!", is not a valid Edm.Binary');
      return true;
    });
  });
});

