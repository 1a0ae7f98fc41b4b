// partitions(n) against node:http services on 127.0.0.1 that ignore the `$top=1` of its probes
// (the boundary probes and the order checks) and answer the whole set. A probe read its whole
// answer as a page before it took the first entity, so an answer that is large, slow, or whose rest
// does not come kept the plan waiting (until the stall timeout, or for ever while data keeps
// coming). Now a probe reads as first() reads: no further than the first entity (JSON and Atom).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { serveClient, sendText, type RecordedRequest } from "./servers/recording-server.js";

const V4_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EntityType Name="Item"><Key><PropertyRef Name="Code"/></Key><Property Name="Code" Type="Edm.String" Nullable="false"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const V2_METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"><edmx:DataServices m:DataServiceVersion="2.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
<Schema Namespace="S" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">
<EntityType Name="Item"><Key><PropertyRef Name="Code"/></Key><Property Name="Code" Type="Edm.String" Nullable="false"/></EntityType>
<EntityContainer Name="C" m:IsDefaultEntityContainer="true"><EntitySet Name="Items" EntityType="S.Item"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

const NAMESPACES = `xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"`;

const code = (n: number) => `k${String(n).padStart(2, "0")}`;

/**
 * 30 items `k01` … `k30`, ordered by `Code`. A probe is answered with every item from the one it
 * asks for (`$skip`, or the `Code eq` of an order check): the first in one write, the next 29 one
 * every 200 ms (an answer of a whole set that comes slowly), the answer never ended.
 */
function ignoringTop(version: "4.0" | "2.0") {
  const open = new Set<ServerResponse>();
  const handler = (request: RecordedRequest, res: ServerResponse): void => {
    const url = new URL(request.path, "http://x");
    if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, version === "2.0" ? V2_METADATA : V4_METADATA, { "content-type": "application/xml" });
    if (url.pathname.endsWith("/$count")) return sendText(res, 200, "30");
    const equal = /Code eq '(k\d\d)'/.exec(url.searchParams.get("$filter") ?? "")?.[1];
    const from = equal === undefined ? Number(url.searchParams.get("$skip") ?? 0) + 1 : Number(equal.slice(1));
    const item = (n: number) =>
      version === "2.0"
        ? `<entry><id>http://host/Items('${code(n)}')</id><content type="application/xml"><m:properties><d:Code>${code(n)}</d:Code></m:properties></content></entry>`
        : `${n === from ? "" : ","}${JSON.stringify({ Code: code(n) })}`;
    res.writeHead(200, { "content-type": version === "2.0" ? "application/atom+xml;type=feed" : "application/json" });
    res.write((version === "2.0" ? `<?xml version="1.0" encoding="utf-8"?><feed ${NAMESPACES}><id>http://host/Items</id>` : '{"value":[') + item(from));
    open.add(res);
    let n = from + 1;
    const timer = setInterval(() => (n <= 30 ? res.write(item(n++)) : clearInterval(timer)), 200);
    res.on("close", () => {
      clearInterval(timer);
      open.delete(res);
    });
  };
  return { handler, open };
}

/** Resolves with what `promise` gives, or with "not resolved" after `ms`. */
const within = <T>(promise: Promise<T>, ms: number): Promise<T | "not resolved"> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"not resolved">((resolve) => (timer = setTimeout(() => resolve("not resolved"), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};

for (const version of ["4.0", "2.0"] as const) {
  test(`partitions(3) of OData ${version} (${version === "2.0" ? "Atom" : "JSON"}): probes that the service answers with the whole set, slowly and without end, take its first entity and close the answer`, { timeout: 30_000 }, async (t) => {
    const service = ignoringTop(version);
    const { server, client } = await serveClient(t, service.handler, { version, timeout: 20_000 });
    const stop = new AbortController();
    // The old probes read each answer whole: 6 s of items and then no end.
    const plan = await within(client.collection("Items").partitions(3, { signal: stop.signal }), 5_000);
    stop.abort();
    assert.notEqual(plan, "not resolved", "the plan waited for the probes' whole answers");
    assert.deepEqual(
      (plan as { filter: string }[]).map((p) => p.filter),
      ["Code lt 'k11'", "Code ge 'k11' and Code lt 'k21'", "Code ge 'k21'"],
    );
    const probes = server.requests.map((r) => decodeURIComponent(r.path.replace(/^\/odata\//, ""))).filter((path) => path.includes("$top=1"));
    assert.deepEqual(probes.sort(), [
      "Items?$filter=Code eq 'k11' and Code le 'k21'&$select=Code&$top=1",
      "Items?$select=Code&$orderby=Code&$skip=10&$top=1",
      "Items?$select=Code&$orderby=Code&$skip=20&$top=1",
    ]);
    // Every probe's answer was let go as soon as its first entity was read.
    for (let waited = 0; service.open.size > 0 && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(service.open.size, 0, "a probe's answer is still being read");
  });
}
