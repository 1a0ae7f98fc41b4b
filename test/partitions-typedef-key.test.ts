// query.partitions(n) on a key whose type is a TypeDefinition (`S.OrderNo` over Edm.Int32, over
// Edm.Guid, over Edm.String): a boundary is written as a literal of the underlying primitive type
// (CSDL 4.01, 11 Type Definition), so `No lt 42` and an unquoted v4 Guid, while a string stays
// quoted. The node:http service here refuses (400) a literal that is not of its column's kind, as a
// real service would, evaluates the ranges the plan writes, and every row must come back once.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import type { ODataClient, QueryPartition } from "../src/index.js";
import { serveClient, sendText, type RecordedRequest } from "./servers/recording-server.js";
import { filterTest, meets } from "./filter-evaluator.js";

type Kind = "int" | "guid" | "string";
type Row = { No: number | string; label: string };

/** The EDMX of `Orders` keyed by `No` of type definition `S.OrderNo` over `underlying`. */
function metadataXml(underlying: string): string {
  const schema =
    `<TypeDefinition Name="OrderNo" UnderlyingType="${underlying}"/>` +
    `<EntityType Name="Order"><Key><PropertyRef Name="No"/></Key><Property Name="No" Type="S.OrderNo" Nullable="false"/><Property Name="label" Type="Edm.String"/></EntityType>` +
    `<EntityContainer Name="C"><EntitySet Name="Orders" EntityType="S.Order"/></EntityContainer>`;
  return `<?xml version="1.0"?><edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices><Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="S">${schema}</Schema></edmx:DataServices></edmx:Edmx>`;
}

class BadLiteral extends Error {}

const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A literal token read as a value of the column's kind; of another kind it is refused (400). */
function literalOf(kind: Kind, token: string): number | string {
  if (kind === "int" && /^-?\d+$/.test(token)) return Number(token);
  if (kind === "guid" && GUID_TEXT.test(token)) return token.toLowerCase();
  if (kind === "string" && /^'.*'$/s.test(token)) return token.slice(1, -1).replaceAll("''", "'");
  throw new BadLiteral(`${token} is not a literal of the key's ${kind} type`);
}

const compare = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `Orders` over `rows`: $metadata, $count, $filter, $orderby, $skip, $top and $select. */
function ordersService(kind: Kind, underlying: string, rows: readonly Row[]) {
  return (request: RecordedRequest, res: ServerResponse) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadataXml(underlying), { "content-type": "application/xml" });
    const filter = url.searchParams.get("$filter");
    let selected = [...rows];
    try {
      if (filter !== null) {
        const test = filterTest<Row>(filter, (path, operator, token) => {
          assert.equal(path, "No");
          const value = literalOf(kind, token);
          return (row) => meets(operator, compare(row.No, value));
        });
        selected = selected.filter(test);
      }
    } catch (error) {
      if (error instanceof BadLiteral) return sendText(res, 400, error.message);
      throw error;
    }
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(selected.length));
    if (url.searchParams.get("$orderby") !== null) {
      assert.equal(url.searchParams.get("$orderby"), "No");
      selected.sort((a, b) => compare(a.No, b.No));
    }
    selected = selected.slice(Number(url.searchParams.get("$skip") ?? 0));
    const top = url.searchParams.get("$top");
    if (top !== null) selected = selected.slice(0, Number(top));
    const select = url.searchParams.get("$select")?.split(",");
    const answer = select ? selected.map((row) => Object.fromEntries(select.map((path) => [path, row[path as keyof Row]]))) : selected;
    sendText(res, 200, JSON.stringify({ value: answer }), { "content-type": "application/json" });
  };
}

/** Every row's key, read partition by partition with `query.partition(p)`. */
async function walk(client: ODataClient, plan: readonly QueryPartition[]): Promise<Array<number | string>> {
  const seen: Array<number | string> = [];
  for (const partition of plan) for await (const row of client.collection<Row>("Orders").partition(partition)) seen.push(row.No);
  return seen;
}

const filtersSent = (requests: readonly RecordedRequest[]) =>
  requests.map((r) => new URL(r.path, "http://x").searchParams.get("$filter")).filter((filter) => filter !== null);

const sorted = (values: ReadonlyArray<number | string>) => [...values].sort(compare);

const guid = (i: number) => `${(i * 0x1f3a5b7).toString(16).padStart(8, "0").slice(-8)}-0000-4000-8000-${String(i).padStart(12, "0")}`;

describe("partitions of a key of a TypeDefinition type", () => {
  test("OrderNo over Edm.Int32: `No lt 42` (unquoted), no order-check requests, every row once", async (t) => {
    const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({ No: (i + 1) * 7, label: `o${i + 1}` }));
    const { server, client } = await serveClient(t, ordersService("int", "Edm.Int32", rows));
    const plan = await client.collection("Orders").partitions(3);
    // 12 rows: the boundaries are the 5th and 9th keys, 35 and 63.
    assert.deepEqual(plan.map((p) => p.filter), ["No lt 35", "No ge 35 and No lt 63", "No ge 63"]);
    assert.deepEqual(plan.map((p) => p.from), [undefined, [35], [63]]);
    // Numbers are compared by value: no request asks the service how it orders them.
    assert.deepEqual(filtersSent(server.requests), []);
    const seen = await walk(client, plan);
    assert.deepEqual(sorted(seen), sorted(rows.map((row) => row.No)));
    assert.deepEqual(filtersSent(server.requests), plan.map((p) => p.filter));
  });

  test('OrderNo over Edm.Int32 with strategy "aggregate": an integer key, ranges of its span', async (t) => {
    const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({ No: (i + 1) * 10, label: `o${i + 1}` }));
    const handler = ordersService("int", "Edm.Int32", rows);
    const { server, client } = await serveClient(t, (request, res) => {
      const apply = new URL(request.path, "http://x").searchParams.get("$apply");
      if (apply === null) return handler(request, res);
      assert.equal(apply, "aggregate(No with min as lowest,No with max as highest)");
      sendText(res, 200, JSON.stringify({ value: [{ lowest: 10, highest: 120 }] }), { "content-type": "application/json" });
    });
    const plan = await client.collection("Orders").partitions(3, { strategy: "aggregate" });
    // 10 ... 120: spans of 111 / 3 = 37 values.
    assert.deepEqual(plan.map((p) => p.filter), ["No lt 47", "No ge 47 and No lt 84", "No ge 84"]);
    const seen = await walk(client, plan);
    assert.deepEqual(sorted(seen), sorted(rows.map((row) => row.No)));
    assert.equal(server.requests.filter((r) => r.path.includes("$apply")).length, 1);
  });

  test("OrderNo over Edm.Guid: boundaries unquoted in v4, every row once", async (t) => {
    const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({ No: guid(i + 1), label: `o${i + 1}` }));
    const { server, client } = await serveClient(t, ordersService("guid", "Edm.Guid", rows));
    const plan = await client.collection("Orders").partitions(3);
    const keys = sorted(rows.map((row) => row.No));
    const [b1, b2] = [keys[4], keys[8]];
    assert.deepEqual(plan.map((p) => p.filter), [`No lt ${b1}`, `No ge ${b1} and No lt ${b2}`, `No ge ${b2}`]);
    const planned = server.requests.length;
    const seen = await walk(client, plan);
    assert.deepEqual(sorted(seen), keys);
    assert.deepEqual(filtersSent(server.requests.slice(planned)), plan.map((p) => p.filter));
  });

  test("OrderNo over Edm.String: boundaries quoted, every row once", async (t) => {
    const rows: Row[] = Array.from({ length: 12 }, (_, i) => ({ No: `N-${String(i + 1).padStart(3, "0")}`, label: `o${i + 1}` }));
    const { server, client } = await serveClient(t, ordersService("string", "Edm.String", rows));
    const plan = await client.collection("Orders").partitions(3);
    assert.deepEqual(plan.map((p) => p.filter), ["No lt 'N-005'", "No ge 'N-005' and No lt 'N-009'", "No ge 'N-009'"]);
    const planned = server.requests.length;
    const seen = await walk(client, plan);
    assert.deepEqual(sorted(seen), sorted(rows.map((row) => row.No)));
    assert.deepEqual(filtersSent(server.requests.slice(planned)), plan.map((p) => p.filter));
  });
});
