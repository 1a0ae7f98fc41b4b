/**
 * `$skip` windows of a partition key with repeated values (README: "Every row is in exactly one
 * range"). A window ordered by `Price` alone is another slice of the set on each request where the
 * service orders rows of one price as it likes (SQL databases do), so rows were read twice or never:
 * the entity key from `$metadata` now follows the partition key in the windows' `$orderby`
 * (`$orderby=Price,ID`), with `--partition-key` under `auto` (a Double is cut into windows) and with
 * `--strategy skip`, and in `partitions(n, { key })` of the library. Where `$metadata` gives no key,
 * the export says so in a warning.
 *
 * A node:http service on 127.0.0.1 port 0 that sorts by the `$orderby` it is given and shuffles
 * what that leaves tied, on every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ODataClient } from "../src/index.js";
import { cliInProcess } from "./cli-in-process.js";
import { tempDir } from "./cli-harness.js";

const ROWS = Array.from({ length: 200 }, (_, i) => ({ ID: i, Price: Math.floor(i / 30) * 1.5 }));

const METADATA = `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="T"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Price" Type="Edm.Double" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="T" EntityType="S.T"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

interface Service {
  root: string;
  /** The query of each request for rows, decoded. */
  windows: string[];
  close(): void;
}

async function startService(withMetadata: boolean): Promise<Service> {
  const windows: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/odata/$metadata") {
      if (!withMetadata) return res.writeHead(404).end();
      return res.writeHead(200, { "content-type": "application/xml" }).end(METADATA);
    }
    if (url.pathname === "/odata/T/$count") return res.writeHead(200, { "content-type": "text/plain", "odata-version": "4.0" }).end(String(ROWS.length));
    windows.push(decodeURIComponent(url.search));
    const order = (url.searchParams.get("$orderby") ?? "").split(",").filter(Boolean) as ("ID" | "Price")[];
    // Sorted by what $orderby names; what it leaves tied, in an order of its own each time.
    const shuffled = ROWS.map((row) => ({ row, luck: Math.random() }));
    shuffled.sort((a, b) => {
      for (const name of order) if (a.row[name] !== b.row[name]) return a.row[name] - b.row[name];
      return a.luck - b.luck;
    });
    const skip = Number(url.searchParams.get("$skip") ?? 0);
    const top = Number(url.searchParams.get("$top") ?? ROWS.length);
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" });
    res.end(JSON.stringify({ value: shuffled.slice(skip, skip + top).map((x) => x.row) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    root: `http://127.0.0.1:${(server.address() as AddressInfo).port}/odata/`,
    windows,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const folder = (): string => tempDir("export-fix-ties-");

const idsIn = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { ID: number }).ID);

for (const strategy of [[], ["--strategy", "skip"]]) {
  test(`export --partition-key Price ${strategy.join(" ") || "(auto: a Double is cut into windows)"} --parallel 4: windows ordered by Price,ID, every row exactly once`, async (t) => {
    const service = await startService(true);
    t.after(() => service.close());
    const cwd = folder();
    const result = await cliInProcess(["export", service.root, "T", "--partition-key", "Price", ...strategy, "--parallel", "4", "--out", "t.ndjson", "--quiet"], "", { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.deepEqual(service.windows.sort(), ["?$orderby=Price,ID&$skip=0&$top=50", "?$orderby=Price,ID&$skip=100&$top=50", "?$orderby=Price,ID&$skip=150", "?$orderby=Price,ID&$skip=50&$top=50"]);
    const ids = idsIn(join(cwd, "t.ndjson"));
    assert.equal(ids.length, 200);
    assert.deepEqual([...ids].sort((a, b) => a - b), ROWS.map((row) => row.ID));
  });
}

test("partitions(n, { key }) of the library: the entity key from $metadata follows the key in each window's orderBy", async (t) => {
  const service = await startService(true);
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.root });
  const plan = await client.collection("T").partitions(3, { key: "Price", strategy: "skip" });
  assert.deepEqual(plan.map((p) => [p.skip, p.top, p.orderBy]), [[0, 66, ["Price", "ID"]], [66, 67, ["Price", "ID"]], [133, undefined, ["Price", "ID"]]]);
  // The key itself gets nothing after it.
  const byKey = await client.collection("T").partitions(2, { key: "ID", strategy: "skip" });
  assert.deepEqual(byKey.map((p) => p.orderBy), [["ID"], ["ID"]]);
  const seen: number[] = [];
  for (const partition of plan) for await (const row of client.collection("T").partition(partition)) seen.push((row as { ID: number }).ID);
  assert.deepEqual(seen.sort((a, b) => a - b), ROWS.map((row) => row.ID));
});

test("no $metadata: windows of --partition-key Price have no key to order its ties by, and the export says so on stderr", async (t) => {
  const service = await startService(false);
  t.after(() => service.close());
  const cwd = folder();
  const result = await cliInProcess(["export", service.root, "T", "--partition-key", "Price", "--strategy", "skip", "--parallel", "2", "--plan"], "", { cwd });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout).map((p: { orderBy: string[] }) => p.orderBy), [["Price"], ["Price"]]);
  assert.match(result.stderr, /^warning: the partitions are \$skip windows ordered by --partition-key Price alone: \$metadata does not give the key of T to order rows of the same Price by\. If Price has repeated values, .* puts rows in two partitions or in none/m);
});
