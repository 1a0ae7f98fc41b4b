/**
 * A slow OData v4 service for the parallel-export bench: one entity set `Rows` of `total` rows
 * (IDs 1..total, ~100 bytes each, bench/static-service.ts's rows), every request answered after
 * `delayMs`. It answers what a partition plan and its walks ask: `$metadata` (the key `ID`),
 * `Rows/$count`, the probes `$orderby=ID&$skip=k&$top=1&$select=ID`, and pages of `pageSize` rows
 * for a `$filter` of `ID ge a`, `ID lt b` or both, linked by `$skiptoken`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rowJson } from "./static-service.js";

/** A running slow service. */
export interface SlowService {
  serviceUrl: string;
  close(): Promise<void>;
}

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>
<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Bench">
<EntityType Name="Row"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/>
<Property Name="sensor" Type="Edm.String"/><Property Name="site" Type="Edm.String"/><Property Name="zone" Type="Edm.String"/>
<Property Name="value" Type="Edm.Double"/><Property Name="ok" Type="Edm.Boolean"/><Property Name="unit" Type="Edm.String"/></EntityType>
<EntityContainer Name="C"><EntitySet Name="Rows" EntityType="Bench.Row"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>`;

/** The range of IDs a `$filter` of the plan's shape selects (inclusive lower, exclusive upper). */
function range(filter: string | null, total: number): [number, number] {
  let low = 1;
  let high = total + 1;
  for (const part of (filter ?? "").replace(/[()]/g, "").split(/\s+and\s+/)) {
    const match = /^ID (ge|lt) (\d+)$/.exec(part.trim());
    if (!match) continue;
    if (match[1] === "ge") low = Math.max(low, Number(match[2]));
    else high = Math.min(high, Number(match[2]));
  }
  return [low, high];
}

/** Starts the service on 127.0.0.1. */
export async function startSlowService(total: number, pageSize: number, delayMs: number): Promise<SlowService> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://bench");
    const answer = (status: number, type: string, body: string) =>
      setTimeout(() => response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body), delayMs);
    if (url.pathname === "/svc/$metadata") return answer(200, "application/xml", METADATA);
    const [low, high] = range(url.searchParams.get("$filter"), total);
    if (url.pathname === "/svc/Rows/$count") return answer(200, "text/plain", String(Math.max(0, high - low)));
    if (url.pathname !== "/svc/Rows") return answer(404, "application/json", '{"error":{"code":"404","message":"no such resource"}}');
    if (url.searchParams.get("$orderby") === "ID" && url.searchParams.get("$top") === "1") {
      const id = low + Number(url.searchParams.get("$skip") ?? 0);
      return answer(200, "application/json", `{"value":[${id < high ? `{"ID":${id}}` : ""}]}`);
    }
    const first = Math.max(low, Number(url.searchParams.get("$skiptoken") ?? low));
    const last = Math.min(high, first + pageSize);
    const rows: string[] = [];
    for (let id = first; id < last; id++) rows.push(rowJson(id));
    const kept = [...url.searchParams].filter(([name]) => name !== "$skiptoken").map(([name, value]) => `${name}=${encodeURIComponent(value)}`);
    const next = last < high ? `,"@odata.nextLink":"Rows?${[...kept, `$skiptoken=${last}`].join("&")}"` : "";
    answer(200, "application/json", `{"value":[${rows.join(",")}]${next}}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/svc/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
