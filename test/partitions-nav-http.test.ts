// partitions(n) of a navigation against node:http services: the key is that of the entity type the
// last navigation property leads to, followed through several segments (a containment one among
// them), through a NavigationPropertyBinding where the parent's type is not in the model, and
// through a v2 association; where the model does not tell the target, the error says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { serveClient, sendJson, sendText, type RecordedRequest } from "./servers/recording-server.js";
import type { ServerResponse } from "node:http";

const V4_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Customer"><Key><PropertyRef Name="CID"/></Key><Property Name="CID" Type="Edm.Int32" Nullable="false"/>
<NavigationProperty Name="orders" Type="Collection(Shop.Order)" ContainsTarget="true"/></EntityType>
<EntityType Name="Order"><Key><PropertyRef Name="ONo"/></Key><Property Name="ONo" Type="Edm.Int32" Nullable="false"/>
<NavigationProperty Name="lines" Type="Collection(Shop.Line)"/></EntityType>
<EntityType Name="Line"><Key><PropertyRef Name="LNo"/></Key><Property Name="LNo" Type="Edm.Int32"/><Property Name="qty" Type="Edm.Int32"/></EntityType>
<EntityContainer Name="C">
<EntitySet Name="Customers" EntityType="Shop.Customer"><NavigationPropertyBinding Path="orders/lines" Target="Lines"/></EntitySet>
<EntitySet Name="Lines" EntityType="Shop.Line"/>
<EntitySet Name="Stores" EntityType="Stock.Store"><NavigationPropertyBinding Path="lines" Target="Lines"/></EntitySet>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"><edmx:DataServices m:DataServiceVersion="2.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<Schema Namespace="Lib" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Writer"><Key><PropertyRef Name="Code"/></Key><Property Name="Code" Type="Edm.String" Nullable="false"/>
<NavigationProperty Name="Works" Relationship="Lib.Writer_Works" FromRole="Writer" ToRole="Work"/></EntityType>
<EntityType Name="Work"><Key><PropertyRef Name="Nr"/></Key><Property Name="Nr" Type="Edm.Int32"/><Property Name="Title" Type="Edm.String"/></EntityType>
<Association Name="Writer_Works"><End Role="Writer" Type="Lib.Writer" Multiplicity="1"/><End Role="Work" Type="Lib.Work" Multiplicity="*"/></Association>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true">
<EntitySet Name="Writers" EntityType="Lib.Writer"/><EntitySet Name="Works" EntityType="Lib.Work"/>
<AssociationSet Name="Writer_Works_Set" Association="Lib.Writer_Works"><End Role="Writer" EntitySet="Writers"/><End Role="Work" EntitySet="Works"/></AssociationSet>
</EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A service of `metadata` whose collections hold `total` rows: a probe is answered with the row whose `$select`ed key is its `$skip` + 1. */
function service(metadata: string, total: number, version: "4.0" | "2.0") {
  return (request: RecordedRequest, res: ServerResponse) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, metadata, { "content-type": "application/xml" });
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(total));
    const row = { [url.searchParams.get("$select") ?? "ID"]: Number(url.searchParams.get("$skip") ?? 0) + 1 };
    return sendJson(res, 200, version === "2.0" ? { d: { results: [row] } } : { value: [row] });
  };
}

/** What the server saw below the service root, decoded for reading. */
const sentPaths = (requests: readonly RecordedRequest[]) => requests.map((r) => decodeURIComponent(r.path.slice("/odata/".length)));

test("v4: Customers(1)/orders(2)/lines, through a containment navigation, is ranged by Line's key LNo without an `eq null` term", async (t) => {
  const { server, client } = await serveClient(t, service(V4_METADATA, 10, "4.0"));
  const lines = client.collection("Customers").key(1).navigate("orders" as never).key(2).navigate("lines" as never);
  const plan = await lines.partitions(2);
  assert.deepEqual(sentPaths(server.requests).sort(), ["$metadata", "Customers(1)/orders(2)/lines/$count", "Customers(1)/orders(2)/lines?$select=LNo&$orderby=LNo&$skip=5&$top=1"]);
  assert.deepEqual(plan.map((p) => [p.key, p.filter]), [
    [["LNo"], "LNo lt 6"],
    [["LNo"], "LNo ge 6"],
  ]);
  // The key named, with the model: still no null term, as for the entity set Lines.
  const named = await lines.partitions(2, { key: "LNo", model: await client.metadata() });
  assert.deepEqual(named.map((p) => p.filter), ["LNo lt 6", "LNo ge 6"]);
  const qty = await lines.partitions(2, { key: "qty", model: await client.metadata() });
  assert.equal(qty[0]!.filter, "qty lt 6 or qty eq null");
});

test("v4: Stores('s1')/lines, the store's type not in the model, is ranged by the key of Lines, the set its binding names", async (t) => {
  const { server, client } = await serveClient(t, service(V4_METADATA, 4, "4.0"));
  const plan = await client.collection("Stores").key("s1").navigate("lines" as never).partitions(2);
  assert.deepEqual(plan.map((p) => p.filter), ["LNo lt 3", "LNo ge 3"]);
  assert.ok(sentPaths(server.requests).includes("Stores('s1')/lines?$select=LNo&$orderby=LNo&$skip=2&$top=1"), sentPaths(server.requests).join("\n"));
});

test("v4: a navigation the model does not declare is refused with PARTITION_KEY_UNKNOWN saying so, and naming the path", async (t) => {
  const { server, client } = await serveClient(t, service(V4_METADATA, 4, "4.0"));
  await assert.rejects(client.collection("Customers").key(1).navigate("gifts" as never).partitions(2), (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "PARTITION_KEY_UNKNOWN");
    assert.equal(error.message, `partitions(n): the key of Customers(1)/gifts is not known: $metadata does not tell the entity type the navigation gifts leads to; pass { key: "<property>" }`);
    return true;
  });
  // $metadata, and the count asked beside it; no probe.
  assert.deepEqual(sentPaths(server.requests).filter((path) => path.includes("?")), []);
});

test("v2: Writers('tw')/Works, its target from the association, is ranged by Work's key Nr without an `eq null` term", async (t) => {
  const { server, client } = await serveClient(t, service(V2_METADATA, 4, "2.0"), { version: "2.0" });
  const works = client.collection("Writers").key("tw").navigate("Works" as never);
  const plan = await works.partitions(2);
  assert.ok(sentPaths(server.requests).includes("Writers('tw')/Works?$select=Nr&$orderby=Nr&$skip=2&$top=1"), sentPaths(server.requests).join("\n"));
  assert.deepEqual(plan.map((p) => [p.key, p.filter]), [
    [["Nr"], "Nr lt 3"],
    [["Nr"], "Nr ge 3"],
  ]);
  const named = await works.partitions(2, { key: "Nr" });
  assert.deepEqual(named.map((p) => p.filter), ["Nr lt 3", "Nr ge 3"]);
});
