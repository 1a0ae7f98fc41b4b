// query.partitions(n) and `export --parallel` on keys with a Boolean part, as every draft-enabled
// entity of SAP CAP has (ID, IsActiveEntity): CAP ignores `lt`, `le`, `gt` and `ge` on
// IsActiveEntity, so a boundary written with it put its row in both ranges beside it. The node:http
// service here evaluates the plan's filters the way CAP does; each plan is walked, and every row
// must come back exactly once, from filters that never compare the Boolean part.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import type { ODataClient, QueryPartition } from "../src/index.js";
import { serveClient, sendText, type RecordedRequest } from "./servers/recording-server.js";
import { runCli, show, tempDir } from "./cli-harness.js";
import { filterTest, meets } from "./filter-evaluator.js";

type Row = Record<string, string | number | boolean>;

/** The EDMX of one entity set `Projects` keyed by `key`, with `properties` (name → EDM type). */
function metadataXml(key: readonly string[], properties: Record<string, string>): string {
  const props = Object.entries(properties).map(([name, type]) => `<Property Name="${name}" Type="${type}" Nullable="false"/>`).join("");
  const type = `<EntityType Name="Project"><Key>${key.map((name) => `<PropertyRef Name="${name}"/>`).join("")}</Key>${props}</EntityType>`;
  return `<?xml version="1.0"?><edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices><Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="S">${type}<EntityContainer Name="C"><EntitySet Name="Projects" EntityType="S.Project"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

const compareValues = (a: string | number | boolean, b: string | number | boolean): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A `$filter` of the forms the plans write as a test on a row, evaluated as SAP CAP evaluates it on
 * a draft-enabled entity: a comparison of IsActiveEntity other than `eq` and `ne` is dropped (true).
 */
function capFilter(text: string): (row: Row) => boolean {
  const literal = (token: string): string | number | boolean => {
    if (token === "true" || token === "false") return token === "true";
    if (token.startsWith("'")) return token.slice(1, -1).replaceAll("''", "'");
    if (/^-?\d+$/.test(token)) return Number(token);
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(token)) return token.toLowerCase();
    throw new Error(`this test service reads no literal ${token}`);
  };
  return filterTest<Row>(text, (path, operator, token) => {
    const value = literal(token);
    if (path === "IsActiveEntity" && operator !== "eq" && operator !== "ne") return () => true;
    return (row) => meets(operator, compareValues(row[path] ?? assert.fail(`no ${path}`), value));
  });
}

/** A service of `Projects` over `rows`: $metadata, $count, $filter (as CAP), $orderby, $skip, $top, $select, and the aggregate of min and max. */
function draftService(metadata: string, rows: readonly Row[]) {
  return (request: RecordedRequest, res: ServerResponse) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml" });
    const filter = url.searchParams.get("$filter");
    let selected = filter === null ? [...rows] : rows.filter(capFilter(filter));
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(selected.length));
    const apply = url.searchParams.get("$apply");
    if (apply !== null) {
      const [, path] = /^aggregate\((\w+) with min as lowest,\1 with max as highest\)$/.exec(apply) ?? assert.fail(apply);
      const values = rows.map((row) => row[path!] as number).sort((a, b) => a - b);
      return sendText(res, 200, JSON.stringify({ value: [{ lowest: values[0], highest: values.at(-1) }] }), { "content-type": "application/json" });
    }
    const orderBy = url.searchParams.get("$orderby")?.split(",");
    if (orderBy) {
      selected.sort((a, b) => {
        for (const path of orderBy) {
          const c = compareValues(a[path]!, b[path]!);
          if (c !== 0) return c;
        }
        return 0;
      });
    }
    selected = selected.slice(Number(url.searchParams.get("$skip") ?? 0));
    const top = url.searchParams.get("$top");
    if (top !== null) selected = selected.slice(0, Number(top));
    const select = url.searchParams.get("$select")?.split(",");
    const answer = select ? selected.map((row) => Object.fromEntries(select.map((path) => [path, row[path]]))) : selected;
    sendText(res, 200, JSON.stringify({ value: answer }), { "content-type": "application/json" });
  };
}

const guid = (i: number) => `${(i * 0x1f3a5b7).toString(16).padStart(8, "0").slice(-8)}-0000-4000-8000-${String(i).padStart(12, "0")}`;

/**
 * Rows as CAP lists a draft-enabled entity: active ones, the drafts of some of them being edited
 * (same ID, IsActiveEntity false), and new drafts with no active row. 16 rows of 12 IDs.
 */
function draftRows(id: (i: number) => string | number): Row[] {
  const rows: Row[] = [];
  for (let i = 1; i <= 10; i++) rows.push({ ID: id(i), IsActiveEntity: true, name: `p${i}` });
  for (let i = 1; i <= 4; i++) rows.push({ ID: id(i), IsActiveEntity: false, name: `p${i} edited` });
  for (let i = 11; i <= 12; i++) rows.push({ ID: id(i), IsActiveEntity: false, name: `p${i} new` });
  return rows;
}

const rowId = (row: Record<string, unknown>) => `${String(row["tenant"] ?? "")}/${String(row["ID"])}/${String(row["IsActiveEntity"])}`;

/** Every row of every partition, read with `query.partition(p)`. */
async function walk(client: ODataClient, plan: readonly QueryPartition[]): Promise<string[]> {
  const seen: string[] = [];
  for (const partition of plan) for await (const row of client.collection<Row>("Projects").partition(partition)) seen.push(rowId(row));
  return seen;
}

/** The `$filter` and `$orderby` of every request the server saw. */
const queriesSent = (requests: readonly RecordedRequest[]) =>
  requests.map((r) => new URL(r.path, "http://x").searchParams).map((params) => `${params.get("$filter") ?? ""} ${params.get("$orderby") ?? ""}`);

const GUID_DRAFT = metadataXml(["ID", "IsActiveEntity"], { ID: "Edm.Guid", IsActiveEntity: "Edm.Boolean", name: "Edm.String" });

describe("partitions of a key with a Boolean part (SAP CAP drafts)", () => {
  test("(ID Guid, IsActiveEntity) in 4 ranges: ranges of ID alone, every row (active and draft) exactly once", async (t) => {
    const rows = draftRows(guid);
    const { server, client } = await serveClient(t, draftService(GUID_DRAFT, rows));
    const plan = await client.collection("Projects").partitions(4);
    const planned = server.requests.length;
    const seen = await walk(client, plan);

    assert.equal(seen.length, 16);
    assert.equal(new Set(seen).size, 16);
    assert.deepEqual([...seen].sort(), rows.map(rowId).sort());
    assert.ok(queriesSent(server.requests).every((query) => !query.includes("IsActiveEntity")), queriesSent(server.requests).join("\n"));
    assert.deepEqual(plan.map((p) => p.kind), ["key-range", "key-range", "key-range", "key-range"]);
    assert.deepEqual(plan.map((p) => p.key), [["ID"], ["ID"], ["ID"], ["ID"]]);
    const [b1, b2, b3] = plan.slice(1).map((p) => p.from?.[0] as string);
    assert.deepEqual(plan.map((p) => p.filter), [`ID lt ${b1}`, `ID ge ${b1} and ID lt ${b2}`, `ID ge ${b2} and ID lt ${b3}`, `ID ge ${b3}`]);
    // The walk sent each range's filter, once.
    assert.deepEqual(server.requests.slice(planned).map((r) => new URL(r.path, "http://x").searchParams.get("$filter")), plan.map((p) => p.filter));

    // $skip windows compare nothing: they still take the order of the whole key.
    const windows = await client.collection("Projects").partitions(3, { strategy: "skip" });
    assert.deepEqual(windows.map((p) => p.orderBy), [["ID", "IsActiveEntity"], ["ID", "IsActiveEntity"], ["ID", "IsActiveEntity"]]);
    assert.deepEqual((await walk(client, windows)).sort(), rows.map(rowId).sort());
  });

  test("(tenant, IsActiveEntity, ID): a Boolean in the middle is left out, the ranges are of tenant and ID, every row once", async (t) => {
    const rows = ["acme", "globex"].flatMap((tenant) => draftRows((i) => i).map((row) => ({ tenant, ...row })));
    const metadata = metadataXml(["tenant", "IsActiveEntity", "ID"], { tenant: "Edm.String", IsActiveEntity: "Edm.Boolean", ID: "Edm.Int32" });
    const { server, client } = await serveClient(t, draftService(metadata, rows));
    const plan = await client.collection("Projects").partitions(5);
    const seen = await walk(client, plan);

    assert.equal(seen.length, 32);
    assert.equal(new Set(seen).size, 32);
    assert.deepEqual([...seen].sort(), rows.map(rowId).sort());
    assert.ok(queriesSent(server.requests).every((query) => !query.includes("IsActiveEntity")), queriesSent(server.requests).join("\n"));
    assert.ok(plan.every((p) => p.kind === "key-range"), plan.map((p) => p.kind).join());
    assert.deepEqual(plan[0]?.key, ["tenant", "ID"]);
    const [tenant, id] = plan[1]!.from as [string, number];
    assert.equal(plan[0]?.filter, `(tenant lt '${tenant}' or (tenant eq '${tenant}' and ID lt ${id}))`);
  });

  test('(ID Int32, IsActiveEntity) with strategy "aggregate": the aggregate of ID, ranges of ID, every row once', async (t) => {
    const rows = draftRows((i) => i * 10);
    const metadata = metadataXml(["ID", "IsActiveEntity"], { ID: "Edm.Int32", IsActiveEntity: "Edm.Boolean", name: "Edm.String" });
    const { server, client } = await serveClient(t, draftService(metadata, rows));
    const plan = await client.collection("Projects").partitions(3, { strategy: "aggregate" });

    const applies = server.requests.map((r) => new URL(r.path, "http://x").searchParams.get("$apply")).filter((apply) => apply !== null);
    assert.deepEqual(applies, ["aggregate(ID with min as lowest,ID with max as highest)"]);
    // 10 ... 120: spans of 111 / 3 = 37 values.
    assert.deepEqual(plan.map((p) => p.filter), ["ID lt 47", "ID ge 47 and ID lt 84", "ID ge 84"]);
    const seen = await walk(client, plan);
    assert.equal(seen.length, 16);
    assert.equal(new Set(seen).size, 16);
  });

  test("export --parallel 3 of (ID Guid, IsActiveEntity): the joined file holds every row once, and no $filter compares IsActiveEntity", async (t) => {
    const rows = draftRows(guid);
    const { server, root } = await serveClient(t, draftService(GUID_DRAFT, rows));
    const cwd = tempDir();
    const result = await runCli(["export", root, "Projects", "--out", "all.ndjson", "--parallel", "3"], { cwd });
    assert.equal(result.code, 0, show(result));
    const lines = readFileSync(join(cwd, "all.ndjson"), "utf8").split("\n").filter(Boolean).map((line) => rowId(JSON.parse(line) as Row));
    assert.equal(lines.length, 16);
    assert.equal(new Set(lines).size, 16);
    assert.deepEqual([...lines].sort(), rows.map(rowId).sort());
    const filters = server.requests.map((r) => new URL(r.path, "http://x").searchParams.get("$filter")).filter((filter) => filter !== null);
    assert.ok(filters.some((filter) => /^ID ge \S+ and ID lt \S+$/.test(filter)), filters.join("\n"));
    assert.ok(filters.every((filter) => !filter.includes("IsActiveEntity")), filters.join("\n"));
  });
});
