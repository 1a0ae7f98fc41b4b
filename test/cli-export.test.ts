// The traverse-odata binary against SAP CAP (v4, and v2 through the adapter): query, get, count,
// describe, and export: killed with SIGKILL and resumed, interrupted with Ctrl-C and resumed,
// parallel partitions giving the same set as one walk, --plan and --partition, and a CSV of hostile
// values read back with csv-parse. Against node:http services: --strategy aggregate on the wire,
// and Ctrl-C cancelling the page request in flight.
import { test, describe, before, after, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChildProcess } from "node:child_process";
import { parse } from "csv-parse/sync";
import { ODataClient } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import { finished, runCli, show, startCli, tempDir } from "./cli-harness.js";
import { startServer, sendJson, sendText } from "./servers/recording-server.js";

let cap: CapServer;
/** The v2 service root as the adapter names it in its next links (localhost). */
let v2: string;
/** The v2 adapter fails on $metadata with Node's default "Accept-Language: *" (as test/metadata.test.ts says). */
const V2 = ["--odata-version", "2.0", "-H", "Accept-Language: en"];

const HOSTILE: { ID: number; title: string; descr: string | null }[] = [
  { ID: 9001, title: 'He said "hi", then left', descr: "a lone quote: \" and a doubled one: \"\"" },
  { ID: 9002, title: "line one\nline two\r\nline three", descr: "carriage return\ralone" },
  { ID: 9003, title: "comma, semicolon; tab\tend", descr: ",,," },
  { ID: 9004, title: "  leading and trailing spaces  ", descr: null },
  { ID: 9005, title: '=HYPERLINK("http://example.com","x")', descr: "'quoted' and \\ backslash" },
  { ID: 9006, title: "Žluťoučký kůň 日本語 😀 \u2028 separator", descr: "Ünïcödé é\u0301 ß" },
];

before(async () => {
  cap = await startCap();
  v2 = cap.v2.replace("127.0.0.1", "localhost");
  for (const book of HOSTILE) {
    const response = await fetch(`${cap.v4}Books`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...book, stock: 1, price: 1.5 }) });
    assert.equal(response.status, 201, await response.text());
  }
});
after(async () => {
  await cap?.stop();
});

/** The IDs of an NDJSON file, in order. */
function ndjsonIds(file: string): number[] {
  const text = readFileSync(file, "utf8");
  assert.ok(text.endsWith("\n"), "the file ends with a whole line");
  return text.trimEnd().split("\n").map((line) => (JSON.parse(line) as { ID: number }).ID);
}

/** Asserts that `ids` are 1..n, each exactly once. */
function assertEveryIdOnce(ids: number[], n: number): void {
  assert.equal(ids.length, n, `expected ${n} rows, got ${ids.length}`);
  const seen = new Set(ids);
  assert.equal(seen.size, n, `${n - seen.size} IDs twice`);
  for (let id = 1; id <= n; id++) if (!seen.has(id)) assert.fail(`ID ${id} is missing`);
}

/** Waits until `ready()` says so, polling (fails the test after `timeoutMs`). */
async function until(ready: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * The rows a walk checkpoint has saved, or 0 before the first. Read hundreds of times while the
 * export saves it page after page: a checkpoint caught half-written would not parse (the save is a
 * rename of a whole file), and fails the test.
 */
function savedRows(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  const checkpoint = JSON.parse(text) as { rows?: number; done?: boolean };
  return checkpoint.done ? -1 : (checkpoint.rows ?? 0);
}

/** Starts an export and stops it with `signal` once its checkpoints hold `rows` rows. */
async function stopMidway(args: string[], cwd: string, checkpoints: () => string[], rows: number, signal: NodeJS.Signals): Promise<{ child: ChildProcess; code: number | null; stderr: string; stoppedAt: number }> {
  const child = await startCli(args, { cwd });
  const done = finished(child);
  let stoppedAt = 0;
  await until(() => {
    const counts = checkpoints().map(savedRows);
    stoppedAt = counts.reduce((sum, n) => sum + Math.max(0, n), 0);
    return stoppedAt >= rows || child.exitCode !== null;
  }, `${rows} rows in the checkpoints`);
  assert.equal(child.exitCode, null, "the export ended before it could be stopped in the middle");
  child.kill(signal);
  const result = await done;
  return { child, code: result.code, stderr: result.stderr, stoppedAt };
}

describe("export against CAP", () => {
  test("killed with SIGKILL in the middle, --resume cuts the output back to the checkpoint and finds every ID exactly once", async () => {
    const cwd = tempDir();
    const out = join(cwd, "readings.ndjson");
    const checkpoint = `${out}.checkpoint.json`;
    const args = ["export", cap.v4, "Readings", "--out", "readings.ndjson"];
    const killed = await stopMidway(args, cwd, () => [checkpoint], 20_000, "SIGKILL");
    assert.equal(killed.child.signalCode, "SIGKILL");
    const saved = JSON.parse(readFileSync(checkpoint, "utf8"));
    assert.equal(saved.done, false);
    assert.ok(saved.rows >= 20_000 && saved.rows < 100_000, `saved ${saved.rows} rows`);
    assert.match(saved.next, /Readings\?.*skiptoken/);
    assert.ok(statSync(out).size >= saved.length, "the output holds at least what the checkpoint saved");
    // Whatever came after the last checkpoint (a page not yet checkpointed, half a line) goes.
    appendFileSync(out, '{"ID":424242,"sensor":"half a page that was being writ');
    // A save that the kill cut short leaves its temporary file, named with the killed process's id.
    writeFileSync(`${checkpoint}.4194304.tmp`, '{"type":"traverse-odata/exp');

    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assert.match(resumed.stderr, /^exported 100,000 rows in 10[01] pages to readings\.ndjson in /m);
    assertEveryIdOnce(ndjsonIds(out), 100_000);
    assert.equal(existsSync(checkpoint), false, "the checkpoint is removed once the export is complete");
    assert.deepEqual(readdirSync(cwd), ["readings.ndjson"], "no temporary checkpoint file is left behind");
  });

  test("OData v2 through the adapter: killed with SIGKILL in the middle, --resume cuts the output back to the checkpoint and finds every ID exactly once", async () => {
    const cwd = tempDir();
    const out = join(cwd, "v2.ndjson");
    const checkpoint = `${out}.checkpoint.json`;
    const args = ["export", v2, "Readings", "--filter", "ID le 30000", "--out", "v2.ndjson", ...V2];
    const killed = await stopMidway(args, cwd, () => [checkpoint], 8000, "SIGKILL");
    assert.equal(killed.child.signalCode, "SIGKILL");
    const saved = JSON.parse(readFileSync(checkpoint, "utf8"));
    assert.equal(saved.done, false);
    assert.ok(saved.rows >= 8000 && saved.rows < 30_000, `saved ${saved.rows} rows`);
    // The v2 answer's own next link (d.__next), as the adapter wrote it.
    assert.ok(saved.next.startsWith(`${v2}Readings?`), saved.next);
    assert.match(saved.next, /skiptoken/);
    assert.ok(statSync(out).size >= saved.length, "the output holds at least what the checkpoint saved");
    appendFileSync(out, '{"ID":424242,"sensor":"half a page that was being writ');

    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assert.match(resumed.stderr, /^exported 30,000 rows in 3[01] pages to v2\.ndjson in /m);
    const ids = ndjsonIds(out);
    assertEveryIdOnce(ids, 30_000);
    // The lines are the entities the library reads from v2 (values converted), the resumed part's as well.
    const client = new ODataClient({ serviceUrl: v2, version: "2.0", headers: { "accept-language": "en" } });
    const lines = readFileSync(out, "utf8").split("\n");
    for (const id of [1, 30_000]) {
      const [expected] = await client.collection("Readings").filter(`ID eq ${id}`).list();
      assert.equal(lines[ids.indexOf(id)], JSON.stringify(expected));
    }
    assert.equal(existsSync(checkpoint), false, "the checkpoint is removed once the export is complete");
    assert.deepEqual(readdirSync(cwd), ["v2.ndjson"], "no temporary checkpoint file is left behind");
  });

  test("Ctrl-C saves the checkpoint and exits 130 with how to go on; --resume finishes it", async () => {
    const cwd = tempDir();
    const out = join(cwd, "r.csv");
    const args = ["export", cap.v4, "Readings", "--out", "r.csv", "--select", "ID,sensor,value,ok", "--checkpoint", "r.state.json"];
    const interrupted = await stopMidway(args, cwd, () => [join(cwd, "r.state.json")], 10_000, "SIGINT");
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /^error: interrupted after [\d,]+ rows; the checkpoint is at .*r\.state\.json: run the same command with --resume to go on\n$/m);
    assert.equal(existsSync(`${out}.checkpoint.json`), false, "--checkpoint names where the checkpoint goes");
    const saved = JSON.parse(readFileSync(join(cwd, "r.state.json"), "utf8"));
    assert.deepEqual(saved.columns, ["ID", "sensor", "value", "ok"]);
    // The same command without --resume does not overwrite what was done.
    const again = await runCli(args, { cwd });
    assert.equal(again.code, 2);
    assert.match(again.stderr, /a checkpoint of an unfinished export is at .*: add --resume to go on from it, or delete it to start again/);
    // A different query is not resumed from it.
    const other = await runCli(["export", cap.v4, "Readings", "--out", "r.csv", "--select", "ID,sensor", "--checkpoint", "r.state.json", "--resume"], { cwd });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /the checkpoint .*r\.state\.json is of another export \(its query differs from this one\)/);
    const otherFormat = await runCli([...args, "--format", "ndjson", "--resume"], { cwd });
    assert.equal(otherFormat.code, 2);
    assert.match(otherFormat.stderr, /is of another export \(format csv, not ndjson\)/);
    // Nor another output: cutting it to the checkpoint's length would destroy it.
    writeFileSync(join(cwd, "other.csv"), "a file the export never wrote\n");
    const otherOut = await runCli(["export", cap.v4, "Readings", "--out", "other.csv", "--select", "ID,sensor,value,ok", "--checkpoint", "r.state.json", "--resume"], { cwd });
    assert.equal(otherOut.code, 2);
    assert.match(otherOut.stderr, /is of another export \(its output is .*r\.csv, not .*other\.csv\)/);
    assert.equal(readFileSync(join(cwd, "other.csv"), "utf8"), "a file the export never wrote\n");

    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    const rows = parse(readFileSync(out, "utf8"), { columns: true }) as Record<string, string>[];
    assertEveryIdOnce(rows.map((row) => Number(row["ID"])), 100_000);
    assert.deepEqual(rows[6], { ID: "7", sensor: "S0", value: "0.7", ok: "true" });
  });

  test("--parallel 4 gives the same rows as one walk, and leaves no part behind", async () => {
    const cwd = tempDir();
    const single = await runCli(["export", cap.v4, "Readings", "--out", "one.ndjson"], { cwd });
    assert.equal(single.code, 0, show(single));
    const parallel = await runCli(["export", cap.v4, "Readings", "--out", "four.ndjson", "--parallel", "4"], { cwd });
    assert.equal(parallel.code, 0, show(parallel));
    assert.match(parallel.stderr, /^exported 100,000 rows in \d+ pages \(4 partitions\) to four\.ndjson/m);
    const one = readFileSync(join(cwd, "one.ndjson"), "utf8").trimEnd().split("\n");
    const four = readFileSync(join(cwd, "four.ndjson"), "utf8").trimEnd().split("\n");
    assert.deepEqual([...four].sort(), [...one].sort());
    assertEveryIdOnce(ndjsonIds(join(cwd, "four.ndjson")), 100_000);
    assert.deepEqual(readdirSync(cwd).sort(), ["four.ndjson", "one.ndjson"]);
  });

  test("--parallel 4 killed with SIGKILL resumes each partition from its own checkpoint", async () => {
    const cwd = tempDir();
    const out = join(cwd, "p.json");
    const parts = () => [1, 2, 3, 4].map((k) => join(cwd, `p.json.checkpoint.part-${k}-of-4.json`));
    const args = ["export", cap.v4, "Readings", "--out", "p.json", "--parallel", "4"];
    const killed = await stopMidway(args, cwd, parts, 20_000, "SIGKILL");
    assert.equal(killed.child.signalCode, "SIGKILL");
    const plan = JSON.parse(readFileSync(`${out}.checkpoint.json`, "utf8"));
    assert.equal(plan.type, "traverse-odata/export-parallel");
    assert.deepEqual(plan.plan.map((p: { filter: string }) => p.filter), ["ID lt 25001", "ID ge 25001 and ID lt 50001", "ID ge 50001 and ID lt 75001", "ID ge 75001"]);
    // Half-written rows after each part's checkpoint go too.
    for (let k = 1; k <= 4; k++) {
      const part = join(cwd, `p.json.part-${k}-of-4`);
      if (existsSync(part)) appendFileSync(part, ',\n{"ID":777777,"sensor":"half');
    }
    writeFileSync(`${out}.checkpoint.part-3-of-4.json.4194304.tmp`, '{"type":"traverse-odata/exp');
    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    const rows = JSON.parse(readFileSync(out, "utf8")) as { ID: number }[];
    assertEveryIdOnce(rows.map((row) => row.ID), 100_000);
    assert.deepEqual(readdirSync(cwd), ["p.json"]);
  });

  test("--parallel: once the parts are joined the export's checkpoint says so and goes last, so a stop while the parts are removed is finished by --resume", async () => {
    const cwd = tempDir();
    // No entity matches: the plan gives partition 1 the whole range and partition 2 nothing, so
    // part 2's file is never written. A folder in its place makes its removal fail, as a kill there would stop it.
    const args = ["export", cap.v4, "Readings", "--filter", "ID gt 900000", "--out", "none.ndjson", "--parallel", "2"];
    mkdirSync(join(cwd, "none.ndjson.part-2-of-2"));
    const stopped = await runCli(args, { cwd });
    assert.notEqual(stopped.code, 0, show(stopped));
    assert.equal(readFileSync(join(cwd, "none.ndjson"), "utf8"), "");
    // Part 1's checkpoint and file are gone (its checkpoint first); the export's checkpoint says the output is complete.
    assert.deepEqual(readdirSync(cwd).sort(), ["none.ndjson", "none.ndjson.checkpoint.json", "none.ndjson.part-2-of-2"]);
    const saved = JSON.parse(readFileSync(join(cwd, "none.ndjson.checkpoint.json"), "utf8"));
    assert.equal(saved.joined.length, 0);
    assert.equal(saved.joined.rows, 0);
    // What stopped it is gone, as after a kill: --resume removes what is left and ends.
    rmdirSync(join(cwd, "none.ndjson.part-2-of-2"));
    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assert.match(resumed.stderr, /^exported 0 rows in \d+ pages? \(2 partitions\) to none\.ndjson/m);
    assert.equal(readFileSync(join(cwd, "none.ndjson"), "utf8"), "");
    assert.deepEqual(readdirSync(cwd), ["none.ndjson"]);
  });

  test("--plan prints the partitions; --partition K/N with --plan-file runs one each, and together they hold every ID once", async () => {
    const cwd = tempDir();
    const plan = await runCli(["export", cap.v4, "Readings", "--parallel", "3", "--plan", "--filter", "ID le 30000"], { cwd });
    assert.equal(plan.code, 0, show(plan));
    const partitions = JSON.parse(plan.stdout) as { index: number; of: number; filter: string; url: string; estimatedCount: number }[];
    assert.deepEqual(partitions.map((p) => [p.index, p.of, p.filter, p.estimatedCount]), [
      [0, 3, "ID lt 10001", 10_000],
      [1, 3, "ID ge 10001 and ID lt 20001", 10_000],
      [2, 3, "ID ge 20001", 10_000],
    ]);
    assert.equal(decodeURIComponent(partitions[1]!.url), `${cap.v4}Readings?$filter=(ID le 30000) and (ID ge 10001 and ID lt 20001)`);
    writeFileSync(join(cwd, "plan.json"), plan.stdout);
    const runs = await Promise.all([1, 2, 3].map((k) => runCli(["export", cap.v4, "Readings", "--filter", "ID le 30000", "--partition", `${k}/3`, "--plan-file", "plan.json", "--out", `part-${k}.ndjson`], { cwd })));
    for (const run of runs) assert.equal(run.code, 0, show(run));
    const ids = [1, 2, 3].flatMap((k) => ndjsonIds(join(cwd, `part-${k}.ndjson`)));
    assertEveryIdOnce(ids, 30_000);
    assert.deepEqual(ndjsonIds(join(cwd, "part-2.ndjson")).slice(0, 2), [10_001, 10_002]);
    // Planned on the spot (no plan file) the same ranges come out.
    const own = await runCli(["export", cap.v4, "Readings", "--filter", "ID le 30000", "--partition", "3/3", "--out", "own-3.ndjson"], { cwd });
    assert.equal(own.code, 0, show(own));
    assert.deepEqual(ndjsonIds(join(cwd, "own-3.ndjson")), ndjsonIds(join(cwd, "part-3.ndjson")));
  });

  test("a CSV of hostile values (quotes, separators, line breaks, unicode) reads back with csv-parse as the service has them", async () => {
    const cwd = tempDir();
    const expected = (await new ODataClient({ serviceUrl: cap.v4 }).collection("Books").filter("ID ge 9001").orderBy("ID").list()) as Record<string, unknown>[];
    assert.equal(expected.length, HOSTILE.length);
    const text = (value: unknown) => (value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value));

    // Columns from $metadata (every property of Books, no $select).
    const whole = await runCli(["export", cap.v4, "Books", "--filter", "ID ge 9001", "--orderby", "ID", "--out", "books.csv"], { cwd });
    assert.equal(whole.code, 0, show(whole));
    const raw = readFileSync(join(cwd, "books.csv"), "utf8");
    const [header] = raw.split("\r\n");
    assert.equal(header, "createdAt,createdBy,modifiedAt,modifiedBy,ID,title,descr,stock,price,published,author_ID");
    const records = parse(raw, { columns: true }) as Record<string, string>[];
    assert.deepEqual(records, expected.map((book) => Object.fromEntries(header!.split(",").map((column) => [column, text(book[column])]))));
    assert.deepEqual(records.map((r) => r["title"]), HOSTILE.map((b) => b.title));
    assert.deepEqual(records.map((r) => r["descr"]), HOSTILE.map((b) => b.descr ?? ""));

    // The same rows from parallel parts joined into one file.
    const parallel = await runCli(["export", cap.v4, "Books", "--filter", "ID ge 9001", "--select", "ID,title,descr", "--out", "p.csv", "--parallel", "3"], { cwd });
    assert.equal(parallel.code, 0, show(parallel));
    const fromParts = parse(readFileSync(join(cwd, "p.csv"), "utf8"), { columns: true }) as Record<string, string>[];
    assert.deepEqual(fromParts, HOSTILE.map((book) => ({ ID: String(book.ID), title: book.title, descr: book.descr ?? "" })));
  });

  test("expanded navigation is a column of JSON text", async () => {
    const cwd = tempDir();
    const result = await runCli(["export", cap.v4, "Books", "--filter", "ID le 2", "--select", "ID", "--expand", "author($select=name)", "--format", "csv", "--out", "x.txt"], { cwd });
    assert.equal(result.code, 0, show(result));
    const books = await new ODataClient({ serviceUrl: cap.v4 }).collection("Books").filter("ID le 2").select("ID").expand("author", (a) => a.select("name")).list();
    assert.deepEqual(parse(readFileSync(join(cwd, "x.txt"), "utf8"), { columns: true }), books.map((book) => ({ ID: String(book["ID"]), author: JSON.stringify(book["author"]) })));
    assert.equal(JSON.parse((parse(readFileSync(join(cwd, "x.txt"), "utf8"), { columns: true }) as Record<string, string>[])[0]!["author"]!).name, "Jane Austen");
  });

  test("OData v2 through the adapter: export with server paging, CSV columns from v2 $metadata", async () => {
    const cwd = tempDir();
    const result = await runCli(["export", v2, "Readings", "--filter", "ID le 2500", "--out", "v2.ndjson", ...V2], { cwd });
    assert.equal(result.code, 0, show(result));
    assert.match(result.stderr, /exported 2,500 rows in 3 pages/);
    assertEveryIdOnce(ndjsonIds(join(cwd, "v2.ndjson")), 2500);
    const csv = await runCli(["export", v2, "Readings", "--filter", "ID le 1500", "--out", "v2.csv", "--parallel", "2", ...V2], { cwd });
    assert.equal(csv.code, 0, show(csv));
    const rows = parse(readFileSync(join(cwd, "v2.csv"), "utf8"), { columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]!), ["ID", "sensor", "value", "ok"]);
    assertEveryIdOnce(rows.map((row) => Number(row["ID"])), 1500);
  });
});

describe("options that cannot go together", () => {
  test("--top and --skip are refused with --parallel and --partition (each partition is a range of the whole set), before anything is asked or written", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 500, { error: { code: "500", message: "not to be asked" } }));
    t.after(() => server.close());
    const cwd = tempDir();
    const parallel = await runCli(["export", server.url("odata/"), "Books", "--out", "b.ndjson", "--parallel", "4", "--top", "5"], { cwd });
    assert.equal(parallel.code, 2, show(parallel));
    assert.match(parallel.stderr, /--top cannot be used with --parallel: the partitions are ranges of the whole set/);
    const partition = await runCli(["export", server.url("odata/"), "Books", "--out", "b.ndjson", "--partition", "2/4", "--top", "5", "--skip", "1"], { cwd });
    assert.equal(partition.code, 2, show(partition));
    assert.match(partition.stderr, /--top and --skip cannot be used with --partition/);
    assert.deepEqual(server.requests, []);
    assert.deepEqual(readdirSync(cwd), []);
  });
});

describe("--strategy aggregate", () => {
  // Keys crowded at the low end, so that the plan shows which strategy made it: the default
  // (quantiles) would cut at 1002, 1004 and 1006, equal spans of 1000..1999 cut at 1250, 1500, 1750.
  const IDS = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1999];
  const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Plant" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Reading"><Key><PropertyRef Name="ID"/></Key><Property Name="ID" Type="Edm.Int32" Nullable="false"/></EntityType>
      <EntityContainer Name="Default"><EntitySet Name="Readings" EntityType="Plant.Reading"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

  /**
   * A service of {@link IDS} that answers what every strategy asks (the aggregate, $count, the
   * ordered probes) and the key ranges: a plan made another way shows in the requests and the cuts.
   */
  async function readingsService(t: TestContext) {
    const server = await startServer((request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 200, METADATA, { "content-type": "application/xml" });
      if (url.searchParams.has("$apply")) return sendJson(res, 200, { value: [{ lowest: IDS[0], highest: IDS.at(-1) }] });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, String(IDS.length));
      if (url.searchParams.get("$orderby") === "ID") return sendJson(res, 200, { value: [{ ID: IDS[Number(url.searchParams.get("$skip"))] }] });
      const filter = url.searchParams.get("$filter") ?? "";
      const lower = Number(/ID ge (\d+)/.exec(filter)?.[1] ?? -Infinity);
      const upper = Number(/ID lt (\d+)/.exec(filter)?.[1] ?? Infinity);
      sendJson(res, 200, { value: IDS.filter((id) => id >= lower && id < upper).map((ID) => ({ ID })) });
    });
    t.after(() => server.close());
    return server;
  }
  const decoded = (request: { path: string }) => decodeURIComponent(request.path);
  const AGGREGATE = "/odata/Readings?$apply=aggregate(ID with min as lowest,ID with max as highest)";

  test("--plan asks one $apply min/max and neither $count nor a probe, and cuts the integer key's range into equal spans", async (t) => {
    const server = await readingsService(t);
    const plan = await runCli(["export", server.url("odata/"), "Readings", "--parallel", "4", "--plan", "--strategy", "aggregate"]);
    assert.equal(plan.code, 0, show(plan));
    assert.deepEqual(server.requests.map(decoded), ["/odata/$metadata", AGGREGATE]);
    const partitions = JSON.parse(plan.stdout) as { index: number; of: number; kind: string; filter: string; url: string; estimatedCount?: number }[];
    // The aggregate knows the ends of the range, not how the rows lie in it: no estimated counts.
    assert.deepEqual(partitions.map((p) => [p.index, p.of, p.kind, p.filter, p.estimatedCount]), [
      [0, 4, "key-range", "ID lt 1250", undefined],
      [1, 4, "key-range", "ID ge 1250 and ID lt 1500", undefined],
      [2, 4, "key-range", "ID ge 1500 and ID lt 1750", undefined],
      [3, 4, "key-range", "ID ge 1750", undefined],
    ]);
    assert.equal(decodeURIComponent(partitions[2]!.url), `${server.url("odata/")}Readings?$filter=ID ge 1500 and ID lt 1750`);
  });

  test("--parallel 4 walks the four equal spans of the aggregate, with no $count or probe asked, and every ID is in the file once", async (t) => {
    const server = await readingsService(t);
    const cwd = tempDir();
    const result = await runCli(["export", server.url("odata/"), "Readings", "--parallel", "4", "--strategy", "aggregate", "--out", "r.ndjson"], { cwd });
    assert.equal(result.code, 0, show(result));
    assert.match(result.stderr, /^exported 8 rows in 4 pages \(4 partitions\) to r\.ndjson/m);
    assert.deepEqual(server.requests.map(decoded).sort(), [
      "/odata/$metadata",
      AGGREGATE,
      "/odata/Readings?$filter=ID ge 1250 and ID lt 1500",
      "/odata/Readings?$filter=ID ge 1500 and ID lt 1750",
      "/odata/Readings?$filter=ID ge 1750",
      "/odata/Readings?$filter=ID lt 1250",
    ]);
    assert.deepEqual(ndjsonIds(join(cwd, "r.ndjson")), IDS);
  });
});

describe("services without $metadata", () => {
  test("--parallel needs the key: without $metadata --partition-key names it", async (t) => {
    const server = await startServer((request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, "10");
      const skip = Number(url.searchParams.get("$skip") ?? 0);
      if (url.searchParams.get("$orderby") === "code") return sendJson(res, 200, { value: [{ code: `c${skip}` }] });
      const filter = url.searchParams.get("$filter") ?? "";
      const codes = Array.from({ length: 10 }, (_, i) => `c${i}`).filter((code) => {
        const lower = /code ge '(\w+)'/.exec(filter)?.[1];
        const upper = /code lt '(\w+)'/.exec(filter)?.[1];
        return (lower === undefined || code >= lower) && (upper === undefined || code < upper);
      });
      sendJson(res, 200, { value: codes.map((code) => ({ code })) });
    });
    t.after(() => server.close());
    const cwd = tempDir();
    const without = await runCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--parallel", "2"], { cwd });
    assert.equal(without.code, 2, show(without));
    assert.match(without.stderr, /the ranges need the key of Things, which \$metadata does not give here; name the property with --partition-key PROP/);
    const withKey = await runCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--parallel", "2", "--partition-key", "code"], { cwd });
    assert.equal(withKey.code, 0, show(withKey));
    assert.deepEqual(readFileSync(join(cwd, "t.ndjson"), "utf8").trimEnd().split("\n").map((line) => JSON.parse(line).code), Array.from({ length: 10 }, (_, i) => `c${i}`));
    assert.ok(server.requests.some((r) => decodeURIComponent(r.path) === "/odata/Things?$filter=code lt 'c5' or code eq null"), server.requests.map((r) => decodeURIComponent(r.path)).join("\n"));
  });


  test("without $select and $metadata the first row decides; a property it lacks is left out with one warning, a missing one is an empty field", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      if (request.path.includes("skiptoken")) return sendJson(res, 200, { value: [{ a: 3, b: "z", c: true }] });
      sendJson(res, 200, { value: [{ "@odata.etag": 'W/"1"', a: 1 }, { a: 2, b: "x" }, { b: "y" }], "@odata.nextLink": "Things?$skiptoken=3" });
    });
    t.after(() => server.close());
    const cwd = tempDir();
    const result = await runCli(["export", server.url("odata/"), "Things", "--out", "t.csv"], { cwd });
    assert.equal(result.code, 0, show(result));
    assert.equal(readFileSync(join(cwd, "t.csv"), "utf8"), "a\r\n1\r\n2\r\n\r\n3\r\n");
    assert.equal(result.stderr.match(/warning: /g)?.length, 2, result.stderr);
    assert.match(result.stderr, /^warning: the rows have a property "b" that is not one of the CSV columns; its values are left out$/m);
    assert.match(result.stderr, /^warning: the rows have a property "c" that is not one of the CSV columns; its values are left out$/m);
  });
});

describe("--checkpoint-interval", () => {
  /**
   * 100 entities in pages of 10 (v4, no $metadata); while `stall.on`, the request for the 4th page
   * gets no answer, so an export stops after 30 rows, its three pages written. With `stall.status`
   * it gets that status and an OData error at once instead, so the export fails there.
   */
  async function stallingService(stall: { on: boolean; status?: number }) {
    return startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      const skip = Number(/skiptoken=(\d+)/.exec(request.path)?.[1] ?? 0);
      if (skip === 30 && stall.on) {
        if (stall.status !== undefined) sendJson(res, stall.status, { error: { code: "PAGE_FAILED", message: "the 4th page failed" } });
        return; // without a status, left open: the export waits here
      }
      const value = Array.from({ length: 10 }, (_, i) => ({ ID: skip + i + 1 }));
      sendJson(res, 200, skip + 10 < 100 ? { value, "@odata.nextLink": `Things?$skiptoken=${skip + 10}` } : { value });
    });
  }

  test("0 has the last written page's checkpoint saved by the time the walk stalls; an hour saves none after the first before the walk ends; each resumes after SIGKILL with every ID once", async (t) => {
    const stall = { on: true };
    const server = await stallingService(stall);
    t.after(() => server.close());
    for (const [interval, expectedRows] of [["0", 30], ["3600000", 0]] as const) {
      stall.on = true;
      const cwd = tempDir();
      const out = join(cwd, "t.ndjson");
      const checkpoint = `${out}.checkpoint.json`;
      const args = ["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--checkpoint-interval", interval];
      const child = await startCli(args, { cwd });
      const done = finished(child);
      // Three pages are in the file once it holds 30 lines; the walk then waits for the 4th.
      await until(() => existsSync(out) && readFileSync(out, "utf8").split("\n").length === 31, "three pages in the file");
      if (expectedRows > 0) await until(() => savedRows(checkpoint) === expectedRows, `the checkpoint of ${expectedRows} rows`);
      else await sleep(300);
      assert.equal(savedRows(checkpoint), expectedRows, `--checkpoint-interval ${interval}`);
      child.kill("SIGKILL");
      await done;
      stall.on = false;
      const resumed = await runCli([...args, "--resume"], { cwd });
      assert.equal(resumed.code, 0, show(resumed));
      assertEveryIdOnce(ndjsonIds(out), 100);
    }
  });

  // With an hour between saves nothing after the first is saved while the walk runs (the test
  // above), so a checkpoint of the three pages can only come from the save on the way out.
  /** An export with an hour between saves, of a service whose 4th page stalls (or fails with `status`). */
  async function hourExport(t: TestContext, status?: number) {
    const stall: { on: boolean; status?: number } = status === undefined ? { on: true } : { on: true, status };
    const server = await stallingService(stall);
    t.after(() => server.close());
    const cwd = tempDir();
    const out = join(cwd, "t.ndjson");
    const args = ["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--checkpoint-interval", "3600000"];
    return { stall, server, cwd, out, checkpoint: `${out}.checkpoint.json`, args };
  }

  test("an hour: an HTTP error on the 4th page exits 3 with the checkpoint of the three pages written saved; --resume finishes with every ID once", async (t) => {
    const { stall, cwd, out, checkpoint, args } = await hourExport(t, 500);
    const failed = await runCli(args, { cwd });
    assert.equal(failed.code, 3, show(failed));
    assert.match(failed.stderr, /^error: GET .*Things\?\$skiptoken=30 failed with HTTP 500 Internal Server Error \[PAGE_FAILED\]: the 4th page failed$/m);
    assert.equal(savedRows(checkpoint), 30);
    assert.deepEqual(ndjsonIds(out), Array.from({ length: 30 }, (_, i) => i + 1));
    stall.on = false;
    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assertEveryIdOnce(ndjsonIds(out), 100);
    assert.equal(existsSync(checkpoint), false);
  });

  test("an hour: Ctrl-C while the 4th page is awaited exits 130 with the checkpoint of the three pages written saved; --resume finishes with every ID once", async (t) => {
    const { stall, server, cwd, out, checkpoint, args } = await hourExport(t);
    const child = await startCli(args, { cwd });
    const done = finished(child);
    await until(() => existsSync(out) && readFileSync(out, "utf8").split("\n").length === 31, "three pages in the file");
    await until(() => server.requests.some((request) => request.path.includes("skiptoken=30")), "the request for the 4th page");
    assert.equal(savedRows(checkpoint), 0, "no checkpoint after the first is saved before the signal");
    child.kill("SIGINT");
    const interrupted = await done;
    assert.equal(interrupted.code, 130, show(interrupted));
    assert.match(interrupted.stderr, /^error: interrupted after 30 rows; the checkpoint is at .*t\.ndjson\.checkpoint\.json: run the same command with --resume to go on\n$/m);
    assert.equal(savedRows(checkpoint), 30);
    stall.on = false;
    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assertEveryIdOnce(ndjsonIds(out), 100);
  });

  test("a value that is not a whole number of milliseconds is a usage error naming the option", async () => {
    const result = await runCli(["export", "http://127.0.0.1:9/odata/", "Things", "--out", "t.ndjson", "--checkpoint-interval", "0.5s"]);
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, /option --checkpoint-interval must be an integer from 0 to 3600000; got "0\.5s"/);
  });
});

describe("Ctrl-C", () => {
  test("cancels the page request in flight: the service sees its connection closed unanswered before the process reports the interruption, and it exits 130", async (t) => {
    // Page 1 at once; the request for page 2 is held open until the client gives it up.
    const held: { arrived: boolean; closedUnanswered?: boolean; closedBeforeReport?: boolean } = { arrived: false };
    let stderr = "";
    const server = await startServer((request, res, req) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      if (!request.path.includes("skiptoken")) return sendJson(res, 200, { value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": "Things?$skiptoken=2" });
      held.arrived = true;
      // The process's exit closes every connection too, but only after its report: a request
      // cancelled by the abort is closed before it, and its end is heard first (the test reads
      // the socket and stderr in the order they became readable).
      req.socket.once("end", () => (held.closedBeforeReport = !stderr.includes("interrupted")));
      res.once("close", () => (held.closedUnanswered = !res.writableEnded));
    });
    t.after(() => server.close());
    const cwd = tempDir();
    const child = await startCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson"], { cwd });
    // A walk that was not cancelled would outlive the test.
    t.after(() => child.kill("SIGKILL"));
    const done = finished(child);
    child.stderr!.on("data", (chunk: string | Buffer) => (stderr += String(chunk)));
    await until(() => held.arrived, "the request for page 2");
    child.kill("SIGINT");
    // Without the cancellation the walk would wait for page 2 for ever; 10 s tells that apart.
    await until(() => held.closedUnanswered !== undefined, "the held request's connection to close", 10_000);
    assert.equal(held.closedUnanswered, true, "closed before it was answered");
    assert.equal(held.closedBeforeReport, true, "closed by the abort, before the process reported the interruption and exited");
    const interrupted = await done;
    assert.equal(interrupted.code, 130, show(interrupted));
    assert.match(interrupted.stderr, /^error: interrupted after 2 rows; the checkpoint is at .*t\.ndjson\.checkpoint\.json: run the same command with --resume to go on\n$/m);
    assert.equal(server.requests.filter((r) => r.path.includes("skiptoken")).length, 1, "page 2 was asked once");
  });
});

describe("Ctrl-C while a parallel export plans its ranges", () => {
  test("exits 130 saying no checkpoint was saved (it named one to resume from that did not exist)", async (t) => {
    let counted = false;
    const server = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      // The planner's count is held unanswered.
      if (request.path.includes("$count")) {
        counted = true;
        return;
      }
      sendJson(res, 200, { value: [{ ID: 1 }] });
    });
    t.after(() => server.close());
    const cwd = tempDir();
    const child = await startCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--parallel", "2", "--partition-key", "ID"], { cwd });
    t.after(() => child.kill("SIGKILL"));
    const done = finished(child);
    await until(() => counted, "the planner's count");
    child.kill("SIGINT");
    const interrupted = await done;
    assert.equal(interrupted.code, 130, show(interrupted));
    assert.match(interrupted.stderr, /^error: interrupted after 0 rows, before any checkpoint was saved: run the command again to start over\n$/m);
    assert.equal(existsSync(join(cwd, "t.ndjson.checkpoint.json")), false);
  });
});

describe("SIGTERM", () => {
  /**
   * 50 entities in pages of 10 (v4, no $metadata); while `stall.on`, the request for the 4th page
   * (`$skiptoken=30`) is held open unanswered, so a signal lands while the walk waits there.
   */
  async function holdingService(stall: { on: boolean }) {
    return startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      const skip = Number(/skiptoken=(\d+)/.exec(request.path)?.[1] ?? 0);
      if (skip === 30 && stall.on) return;
      const value = Array.from({ length: 10 }, (_, i) => ({ ID: skip + i + 1, name: `n${skip + i + 1}` }));
      sendJson(res, 200, skip + 10 < 50 ? { value, "@odata.nextLink": `Things?$skiptoken=${skip + 10}` } : { value });
    });
  }

  test("during export exits 130 with the checkpoint of the pages written saved and how to go on; --resume asks from the held page on and gives the uninterrupted export's file", async (t) => {
    const stall = { on: false };
    const server = await holdingService(stall);
    t.after(() => server.close());
    const args = ["export", server.url("odata/"), "Things", "--out", "t.ndjson"];
    const whole = tempDir();
    const uninterrupted = await runCli(args, { cwd: whole });
    assert.equal(uninterrupted.code, 0, show(uninterrupted));
    const expected = readFileSync(join(whole, "t.ndjson"));
    assertEveryIdOnce(ndjsonIds(join(whole, "t.ndjson")), 50);

    stall.on = true;
    const cwd = tempDir();
    const out = join(cwd, "t.ndjson");
    const checkpoint = `${out}.checkpoint.json`;
    const before = server.requests.length;
    const child = await startCli(args, { cwd });
    t.after(() => child.kill("SIGKILL"));
    const done = finished(child);
    await until(() => existsSync(out) && readFileSync(out, "utf8").split("\n").length === 31, "three pages in the file");
    await until(() => server.requests.slice(before).some((request) => request.path.includes("skiptoken=30")), "the request for the 4th page");
    child.kill("SIGTERM");
    const interrupted = await done;
    assert.equal(interrupted.signal, null, show(interrupted));
    assert.equal(interrupted.code, 130, show(interrupted));
    assert.match(interrupted.stderr, /^error: interrupted after 30 rows; the checkpoint is at .*t\.ndjson\.checkpoint\.json: run the same command with --resume to go on\n$/m);
    const saved = JSON.parse(readFileSync(checkpoint, "utf8")) as { done: boolean; rows: number; next: string };
    assert.equal(saved.done, false);
    assert.equal(saved.rows, 30);
    assert.equal(saved.next, server.url("odata/Things?$skiptoken=30"));
    assert.deepEqual(ndjsonIds(out), Array.from({ length: 30 }, (_, i) => i + 1));

    stall.on = false;
    const resumedFrom = server.requests.length;
    const resumed = await runCli([...args, "--resume"], { cwd });
    assert.equal(resumed.code, 0, show(resumed));
    assert.deepEqual(server.requests.slice(resumedFrom).map((r) => r.path), ["/odata/Things?$skiptoken=30", "/odata/Things?$skiptoken=40"]);
    assert.ok(readFileSync(out).equals(expected), `the file is not the uninterrupted export's:\n${readFileSync(out, "utf8")}`);
    assert.equal(existsSync(checkpoint), false, "the checkpoint is removed once the export is complete");
    assert.deepEqual(readdirSync(cwd), ["t.ndjson"]);
  });

  test("during query exits 130 with error: interrupted and nothing on stdout", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      // The page is held open unanswered: the signal lands while the query waits for it.
    });
    t.after(() => server.close());
    const child = await startCli(["query", server.url("odata/"), "Things", "--format", "ndjson"]);
    t.after(() => child.kill("SIGKILL"));
    const done = finished(child);
    await until(() => server.requests.some((request) => request.path.startsWith("/odata/Things")), "the request for the page");
    child.kill("SIGTERM");
    const interrupted = await done;
    assert.equal(interrupted.signal, null, show(interrupted));
    assert.equal(interrupted.code, 130, show(interrupted));
    assert.equal(interrupted.stderr, "error: interrupted\n");
    assert.equal(interrupted.stdout, "");
    assert.deepEqual(server.requests.map((r) => r.path).filter((path) => !path.includes("$metadata")), ["/odata/Things"]);
  });
});

describe("the entities as the service wrote them", () => {
  test("NDJSON and JSON write a compact page's entities as sent (digits and escapes kept); a page that is not provably cut at its separators is written with JSON.stringify; one entity a line either way; no $metadata asked", async (t) => {
    const pages = [
      '{"value":[{"ID":1,"price":1.50,"name":"caf\\u00e9"},{"ID":9007199254740993}],"@odata.nextLink":"Things?$skiptoken=1"}',
      '{"value":[{"ID":3,"note":"a},{b"},{"ID":4}],"@odata.nextLink":"Things?$skiptoken=2"}',
      JSON.stringify({ value: [{ ID: 5, a: "x" }, { ID: 6 }] }, null, 2),
    ];
    const server = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      const page = Number(/skiptoken=(\d+)/.exec(request.path)?.[1] ?? 0);
      sendText(res, 200, pages[page] as string, { "content-type": "application/json" });
    });
    t.after(() => server.close());
    const lines = ['{"ID":1,"price":1.50,"name":"caf\\u00e9"}', '{"ID":9007199254740993}', '{"ID":3,"note":"a},{b"}', '{"ID":4}', '{"ID":5,"a":"x"}', '{"ID":6}'];
    const cwd = tempDir();
    const ndjson = await runCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson"], { cwd });
    assert.equal(ndjson.code, 0, show(ndjson));
    assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), `${lines.join("\n")}\n`);
    const json = await runCli(["export", server.url("odata/"), "Things", "--out", "t.json"], { cwd });
    assert.equal(json.code, 0, show(json));
    assert.equal(readFileSync(join(cwd, "t.json"), "utf8"), `[\n${lines.join(",\n")}\n]\n`);
    // One walk to NDJSON or JSON needs no $metadata (a CSV's columns would).
    assert.deepEqual(server.requests.filter((r) => r.path.includes("$metadata")), []);
  });

  test("pages of ASCII bytes, of UTF-8 characters, with a BOM and with bytes that are not UTF-8 give NDJSON and JSON files byte for byte as their text does", async (t) => {
    const pages: Buffer[] = [
      Buffer.from('{"value":[{"ID":1,"s":"caf\\u00e9 \\\\ \\"q\\"","n":[{"a":1,"b":[]}]},{"ID":2,"x":{"y":null}}],"@odata.nextLink":"Things?$skiptoken=1"}'),
      Buffer.from('{"value":[{"ID":3,"s":"Žluťoučký 日本語 😀"},{"ID":4}],"@odata.nextLink":"Things?$skiptoken=2"}'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"value":[{"ID":5},{"ID":6}],"@odata.nextLink":"Things?$skiptoken=3"}')]),
      Buffer.concat([Buffer.from('{"value":[{"ID":7,"s":"'), Buffer.from([0xff]), Buffer.from('"},{"ID":8}],"@odata.nextLink":"Things?$skiptoken=4"}')]),
      Buffer.from('{"value":[{"ID":9}]}'),
    ];
    const server = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      const page = pages[Number(/skiptoken=(\d+)/.exec(request.path)?.[1] ?? 0)] as Buffer;
      res.writeHead(200, { "content-type": "application/json", "content-length": page.byteLength }).end(page);
    });
    t.after(() => server.close());
    const lines = ['{"ID":1,"s":"caf\\u00e9 \\\\ \\"q\\"","n":[{"a":1,"b":[]}]}', '{"ID":2,"x":{"y":null}}', '{"ID":3,"s":"Žluťoučký 日本語 😀"}', '{"ID":4}', '{"ID":5}', '{"ID":6}', '{"ID":7,"s":"\ufffd"}', '{"ID":8}', '{"ID":9}'];
    const cwd = tempDir();
    const ndjson = await runCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson"], { cwd });
    assert.equal(ndjson.code, 0, show(ndjson));
    assert.deepEqual(readFileSync(join(cwd, "t.ndjson")), Buffer.from(`${lines.join("\n")}\n`, "utf8"));
    const json = await runCli(["export", server.url("odata/"), "Things", "--out", "t.json"], { cwd });
    assert.equal(json.code, 0, show(json));
    assert.deepEqual(readFileSync(join(cwd, "t.json")), Buffer.from(`[\n${lines.join(",\n")}\n]\n`, "utf8"));
  });

  test("OData v2 NDJSON holds the entities as the library reads them (v2 values converted), not the answer's text", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path.includes("$metadata")) return sendJson(res, 404, { error: { code: "404", message: "no metadata here" } });
      sendText(res, 200, '{"d":{"results":[{"ID":1,"At":"\\/Date(1700000000000)\\/"},{"ID":2,"At":null}]}}', { "content-type": "application/json" });
    });
    t.after(() => server.close());
    const cwd = tempDir();
    const result = await runCli(["export", server.url("odata/"), "Things", "--out", "t.ndjson", "--odata-version", "2.0"], { cwd });
    assert.equal(result.code, 0, show(result));
    assert.equal(readFileSync(join(cwd, "t.ndjson"), "utf8"), '{"ID":1,"At":"2023-11-14T22:13:20Z"}\n{"ID":2,"At":null}\n');
  });
});

describe("reading CAP", () => {
  test("query in every format, v4 and v2, gives what the library reads", async () => {
    for (const [root, extra, version] of [[cap.v4, [], "4.0"], [cap.v2.replace("127.0.0.1", "localhost"), V2, "2.0"]] as const) {
      const client = new ODataClient({ serviceUrl: root, version, headers: { "accept-language": "en" } });
      const expected = await client.collection("Books").filter("stock gt 20 and ID lt 100").select("ID", "title", "price").orderBy("price", "desc").list();
      assert.ok(expected.length > 3);
      const args = ["query", root, "Books", "--filter", "stock gt 20 and ID lt 100", "--select", "ID,title,price", "--orderby", "price desc", ...extra];
      const ndjson = await runCli([...args, "--format", "ndjson"]);
      assert.equal(ndjson.code, 0, show(ndjson));
      assert.deepEqual(ndjson.stdout.trimEnd().split("\n").map((line) => JSON.parse(line)), expected);
      const json = await runCli([...args, "--format", "json"]);
      assert.deepEqual(JSON.parse(json.stdout), expected);
      const csv = await runCli([...args, "--format", "csv"]);
      assert.deepEqual(parse(csv.stdout, { columns: true }), expected.map((b) => ({ ID: String(b["ID"]), title: b["title"], price: String(b["price"]) })));
      const table = await runCli(args);
      assert.equal(table.code, 0, show(table));
      assert.equal(table.stdout.trimEnd().split("\n").length, expected.length + 2);
      assert.match(table.stdout, /^ID\s+title\s+price\n/);
    }
  });

  test("get types the key from $metadata (a string with an apostrophe, a key of two properties); count with a filter; describe", async () => {
    const author = await runCli(["get", cap.v4, "Authors", "O'Brien", "--select", "ID,name"]);
    assert.equal(author.code, 0, show(author));
    assert.deepEqual(JSON.parse(author.stdout), { ID: "O'Brien", name: "Flann O'Brien" });
    const pair = await runCli(["get", cap.v4, "Pairs", "A=2,B=it's"]);
    assert.equal(JSON.parse(pair.stdout).label, "two with apostrophe");
    const book = await runCli(["get", cap.v4, "Books", "1", "--select", "ID", "--expand", "author($select=name)"]);
    const expected = await new ODataClient({ serviceUrl: cap.v4 }).collection("Books").key(1).select("ID").expand("author", (a) => a.select("name")).get();
    assert.deepEqual(JSON.parse(book.stdout), JSON.parse(JSON.stringify(expected)));
    assert.equal(JSON.parse(book.stdout).author.name, "Jane Austen");
    const v2Author = await runCli(["get", v2, "Authors", "O'Brien", ...V2]);
    assert.equal(JSON.parse(v2Author.stdout).name, "Flann O'Brien");
    const count = await runCli(["count", cap.v4, "Readings", "--filter", "sensor eq 'S3'"]);
    assert.equal(count.stdout, `${Math.floor((100_000 - 3) / 7) + 1}\n`);
    const described = await runCli(["describe", cap.v4, "Books"]);
    assert.equal(described.code, 0, show(described));
    assert.match(described.stdout, /^ {2}author\s+CatalogService\.Authors\s+-> Authors$/m);
    assert.match(described.stdout, /^ {2}action {3}CatalogService\.order\(quantity: Edm\.Int32\)/m);
    const v2Described = await runCli(["describe", v2, ...V2]);
    assert.match(v2Described.stdout, /\(OData 2\.0\)|\(OData 1\.0\)/);
    assert.match(v2Described.stdout, /^ {2}Readings\s+CatalogService\.Readings\s+key ID$/m);
  });
});
