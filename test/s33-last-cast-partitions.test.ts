// partitions(n) of a type cast (`collection("Persons").cast("NS.Employee")`, path Persons/NS.Employee)
// against a node:http service with $metadata: the key is that of the derived type the cast names,
// which it inherits from its base type; the count and probes go to the cast's path.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClientError } from "../src/index.js";
import { serveClient, sendJson, sendText, type RecordedRequest } from "./servers/recording-server.js";

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Person"><Key><PropertyRef Name="PID"/></Key><Property Name="PID" Type="Edm.Int32" Nullable="false"/><Property Name="name" Type="Edm.String"/>
<NavigationProperty Name="friends" Type="Collection(NS.Person)"/></EntityType>
<EntityType Name="Employee" BaseType="NS.Person"><Property Name="salary" Type="Edm.Int32"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Persons" EntityType="NS.Person"><NavigationPropertyBinding Path="friends" Target="Persons"/></EntitySet></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** A service whose collections hold `total` rows: a probe is answered with the row whose `$select`ed key is its `$skip` + 1. */
function service(total: number) {
  return (request: RecordedRequest, res: ServerResponse) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(total));
    const row = { [url.searchParams.get("$select") ?? "ID"]: Number(url.searchParams.get("$skip") ?? 0) + 1 };
    return sendJson(res, 200, { value: [row] });
  };
}

const sentPaths = (requests: readonly RecordedRequest[]) => requests.map((r) => decodeURIComponent(r.path.slice("/odata/".length)));

test("Persons/NS.Employee is ranged by the key Employee inherits from Person, counted and probed at the cast's path", async (t) => {
  const { server, client } = await serveClient(t, service(9));
  const plan = await client.collection("Persons").cast("NS.Employee").partitions(3);
  assert.deepEqual(sentPaths(server.requests).sort(), [
    "$metadata",
    "Persons/NS.Employee/$count",
    "Persons/NS.Employee?$select=PID&$orderby=PID&$skip=3&$top=1",
    "Persons/NS.Employee?$select=PID&$orderby=PID&$skip=6&$top=1",
  ]);
  // PID is a key property: no `eq null` term in the first range.
  assert.deepEqual(plan.map((p) => [p.key, p.filter]), [
    [["PID"], "PID lt 4"],
    [["PID"], "PID ge 4 and PID lt 7"],
    [["PID"], "PID ge 7"],
  ]);
  assert.ok(plan.every((p) => decodeURIComponent(p.url).startsWith(server.url("odata/Persons/NS.Employee?$filter=PID "))), plan.map((p) => p.url).join("\n"));
  // Each partition reads what its URL says.
  server.requests.length = 0;
  await client.collection("Persons").cast("NS.Employee").partition(plan[1]!).page();
  assert.deepEqual(sentPaths(server.requests), ["Persons/NS.Employee?$filter=PID ge 4 and PID lt 7"]);
});

test("a cast after a navigation (Persons(1)/friends/NS.Employee) is ranged by the derived type's key as well", async (t) => {
  const { server, client } = await serveClient(t, service(4));
  const plan = await client.collection("Persons").key(1).navigate("friends" as never).cast("NS.Employee").partitions(2);
  assert.deepEqual(plan.map((p) => p.filter), ["PID lt 3", "PID ge 3"]);
  assert.ok(sentPaths(server.requests).includes("Persons(1)/friends/NS.Employee?$select=PID&$orderby=PID&$skip=2&$top=1"), sentPaths(server.requests).join("\n"));
});

test("a cast to a type $metadata does not declare is refused with PARTITION_KEY_UNKNOWN naming the type", async (t) => {
  const { client } = await serveClient(t, service(4));
  await assert.rejects(client.collection("Persons").cast("NS.Robot").partitions(2), (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "PARTITION_KEY_UNKNOWN");
    assert.match(error.message, /declares no entity type NS\.Robot/);
    return true;
  });
});
