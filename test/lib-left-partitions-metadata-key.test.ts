// partitions(n, { key }) reads $metadata for the key's type as partitions(n) reads it for the key,
// and treats its failure alike: one that may pass (no answer in time, a dropped connection, 429,
// 503) rejects with its own error, with `key` or without, before any probe is sent, where with
// `key` the plan went on with its ranges untyped. A service without $metadata (404, 501) is no
// such failure: with `key` the ranges are planned untyped, as the README says, and without it the
// key is PARTITION_KEY_UNKNOWN (test/stall-fix-partitions-metadata.test.ts).
// A caller that asked $metadata itself and found none says so with `model: null`: not asked again.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { ODataClient, ODataClientError, ODataHttpError, type PartitionOptions } from "../src/index.js";

const TIMEOUT = 300;

type Metadata = "stalls" | "drops" | "503" | "429" | "404" | "501";

async function serve(metadata: Metadata) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = decodeURIComponent(req.url!);
    seen.push(`${req.method} ${url}`);
    if (url.endsWith("/$metadata")) {
      if (metadata === "drops") res.socket?.destroy();
      else if (metadata !== "stalls") res.writeHead(Number(metadata), { "content-type": "text/plain" }).end("no $metadata now");
      return;
    }
    if (url.endsWith("/$count")) {
      res.writeHead(200, { "content-type": "text/plain" }).end("10");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ value: [{ ID: 6 }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function plan(metadata: Metadata, options: PartitionOptions): Promise<{ outcome: unknown; seen: string[] }> {
  const server = await serve(metadata);
  try {
    const client = new ODataClient({ serviceUrl: `${server.origin}/odata/`, timeout: TIMEOUT, retry: false });
    const outcome = await client.collection("Items").partitions(2, options).catch((error: unknown) => error);
    return { outcome, seen: [...server.seen].sort() };
  } finally {
    await server.close();
  }
}

const TRANSIENT: Array<[Metadata, (error: unknown) => boolean]> = [
  ["stalls", (error) => error instanceof ODataClientError && error.code === "TIMEOUT"],
  ["drops", (error) => error instanceof ODataClientError && error.code === "NETWORK_ERROR"],
  ["503", (error) => error instanceof ODataHttpError && error.status === 503],
  ["429", (error) => error instanceof ODataHttpError && error.status === 429],
];

for (const [metadata, isIt] of TRANSIENT) {
  test(`partitions(n, { key }): a $metadata that ${metadata === "stalls" || metadata === "drops" ? metadata : `is answered ${metadata}`} rejects with that error, as without key, and sends no probe`, { timeout: 10_000 }, async () => {
    const withKey = await plan(metadata, { key: "ID" });
    const without = await plan(metadata, {});
    for (const [what, { outcome, seen }] of [["with key", withKey], ["without key", without]] as const) {
      assert.ok(isIt(outcome), `${what}: ${outcome instanceof Error ? outcome.message : JSON.stringify(outcome)}`);
      assert.match((outcome as Error).message, /\/odata\/\$metadata/, what);
      assert.deepEqual(seen, ["GET /odata/$metadata", "GET /odata/Items/$count"], what);
    }
  });
}

test("partitions(n, { key }): a 503 from $metadata rejects, while a service without $metadata (404, 501) is planned with the key untyped and without key is PARTITION_KEY_UNKNOWN", { timeout: 10_000 }, async () => {
  const passing = await plan("503", { key: "ID" });
  assert.ok(passing.outcome instanceof ODataHttpError && passing.outcome.status === 503, String(passing.outcome));
  for (const metadata of ["404", "501"] as const) {
    const { outcome, seen } = await plan(metadata, { key: "ID" });
    assert.ok(Array.isArray(outcome), `${metadata}: ${String(outcome)}`);
    assert.deepEqual(
      outcome.map((partition) => partition.filter),
      // Untyped, the key may be null: the first range takes such rows too.
      ["ID lt 6 or ID eq null", "ID ge 6"],
      metadata,
    );
    assert.deepEqual(seen, ["GET /odata/$metadata", "GET /odata/Items/$count", "GET /odata/Items?$select=ID&$orderby=ID&$skip=5&$top=1"], metadata);
    const without = await plan(metadata, {});
    assert.ok(without.outcome instanceof ODataClientError && without.outcome.code === "PARTITION_KEY_UNKNOWN", `${metadata}: ${String(without.outcome)}`);
    assert.equal((without.outcome.cause as ODataHttpError).status, Number(metadata));
    assert.deepEqual(without.seen, ["GET /odata/$metadata", "GET /odata/Items/$count"], metadata);
  }
});

test('partitions(n, { model: null }): a caller that found no $metadata plans without it, $metadata not asked; with key the ranges are untyped, without key PARTITION_KEY_UNKNOWN says no $metadata was given', { timeout: 10_000 }, async () => {
  const { outcome, seen } = await plan("404", { key: "ID", model: null });
  assert.ok(Array.isArray(outcome), String(outcome));
  assert.deepEqual(
    outcome.map((partition) => partition.filter),
    ["ID lt 6 or ID eq null", "ID ge 6"],
  );
  assert.deepEqual(seen, ["GET /odata/Items/$count", "GET /odata/Items?$select=ID&$orderby=ID&$skip=5&$top=1"]);
  const without = await plan("404", { model: null });
  assert.ok(without.outcome instanceof ODataClientError && without.outcome.code === "PARTITION_KEY_UNKNOWN", String(without.outcome));
  assert.match(without.outcome.message, /the key of Items is not known: no \$metadata \(option "model": null\); pass \{ key: "<property>" \}/);
  assert.deepEqual(without.seen, []);
});
