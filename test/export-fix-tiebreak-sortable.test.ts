/**
 * `partitions(n, { key })` on a property with ties orders its `$skip` windows by that property and
 * then by the entity key, but not by a key property the set's `Capabilities.SortRestrictions` name
 * as non-sortable: the service refuses such an `$orderby` (400). Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Product"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Price" Type="Edm.Double" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Products" EntityType="S.Product">
<Annotation Term="Org.OData.Capabilities.V1.SortRestrictions"><Record><PropertyValue Property="NonSortableProperties"><Collection><PropertyPath>ID</PropertyPath></Collection></PropertyValue></Record></Annotation>
</EntitySet></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

test("the entity key a set cannot be ordered by is no tie-break: the windows are ordered by the key given, and every row is read", async (t) => {
  const rows = Array.from({ length: 40 }, (_, i) => ({ ID: i, Price: i % 4 }));
  const server = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml", "odata-version": "4.0" });
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(rows.length), { "content-type": "text/plain", "odata-version": "4.0" });
    const orderby = url.searchParams.get("$orderby");
    if (orderby?.split(",").some((item) => item.trim().split(" ")[0] === "ID")) return sendJson(res, 400, { error: { code: "400", message: "Property ID is not sortable" } });
    // Ties in a stable order here (by ID), so that each window is the same slice on every request.
    const sorted = orderby ? [...rows].sort((a, b) => a.Price - b.Price || a.ID - b.ID) : rows;
    const skip = Number(url.searchParams.get("$skip") ?? 0);
    const top = Number(url.searchParams.get("$top") ?? rows.length);
    sendJson(res, 200, { value: sorted.slice(skip, skip + top) }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  const products = client.collection<{ ID: number; Price: number }>("Products");
  const plan = await products.partitions(4, { key: "Price", strategy: "skip" });
  assert.deepEqual(plan.map((partition) => partition.orderBy), [["Price"], ["Price"], ["Price"], ["Price"]]);
  const ids: number[] = [];
  for (const partition of plan) ids.push(...(await products.partition(partition).list()).map((row) => row.ID));
  assert.deepEqual([...ids].sort((a, b) => a - b), rows.map((row) => row.ID));
  assert.ok(server.requests.every((r) => !/\$orderby=[^&]*ID/.test(decodeURIComponent(r.path))), "no $orderby named ID");
});
