/**
 * The promise of `export` (README, "What `export` guarantees"): a process killed at any moment,
 * SIGKILL included, resumes without losing or repeating a row, and a parallel export resumes each
 * part from its own checkpoint. Seeded and randomized: for each seed, a node:http service of a few
 * thousand entities, or of a few (some holding quotes, commas, line breaks and non-ASCII text; some sent with
 * `\u` escapes or a Decimal's trailing zero, which NDJSON and JSON keep as sent) in server-driven
 * pages, with `$metadata`, `$count`, `$filter` key ranges and the ordered probes that `--parallel`
 * plans with. For each format (ndjson, csv, json) and mode (one walk, `--parallel 2` or `3`), the
 * built binary is killed with SIGKILL one to three times at random points (a delay after its
 * start; before, in the middle of, or just after the service's answer to its Nth request; just
 * after the last pages, while the tail is written, the parts joined, the checkpoints removed), the
 * service answering fast, or slowly and in pieces split inside UTF-8 characters. As a script
 * would, every run after the first adds `--resume`, whatever the kill left (no checkpoint yet, or
 * a complete file whose checkpoint is not yet removed), until one exits 0. The file must then be byte
 * for byte the file of one uninterrupted export (which itself holds exactly the service's entities,
 * in key order), with no checkpoint, part or temporary file left, and no resume refused. The one
 * moment a script cannot go on from: a kill after the export removed its checkpoint, before the
 * process ended; the file is complete then, which the test checks, and `--resume` would refuse it.
 *
 * Then one case found here, since mended: a part checkpoint left by an earlier export of the same
 * file was taken by the `--resume` of another.
 *
 * A failure names the seed, the case and every run with its kill point (`FUZZ_SEED=n` runs one
 * seed; `FUZZ_VERBOSE=1` shows the runs of the cases that pass).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "csv-parse/sync";
import { buildCli, finished, show, startCli, tempDir, type CliResult } from "./cli-harness.js";
import { Random } from "./fuzz-random.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

/** 7 and 15 give sets of 0 and 3 entities in pages of one to three; the others a few thousand. */
const SEEDS: readonly number[] = process.env["FUZZ_SEED"] ? [Number(process.env["FUZZ_SEED"])] : [7, 15, 1182, 20240102];
const FORMATS = ["ndjson", "csv", "json"] as const;
type Format = (typeof FORMATS)[number];
const MODES = ["single", "parallel"] as const;
/** How long one run may take before the test gives up on it (the machine is shared). */
const RUN_TIMEOUT_MS = 20_000;

// --- the data ----------------------------------------------------------------------------------

/** One entity of the service, in the order `$metadata` declares its properties. */
interface Item {
  ID: number;
  Name: string;
  Note: string | null;
  Qty: number;
  Price: number;
  Active: boolean;
}

const METADATA = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Item">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
        <Property Name="Name" Type="Edm.String"/>
        <Property Name="Note" Type="Edm.String"/>
        <Property Name="Qty" Type="Edm.Int32"/>
        <Property Name="Price" Type="Edm.Decimal" Scale="2"/>
        <Property Name="Active" Type="Edm.Boolean"/>
      </EntityType>
      <EntityContainer Name="Default"><EntitySet Name="Items" EntityType="Shop.Item"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

/**
 * What makes CSV quoting, UTF-8 and the page-text shortcut (entity-text.ts) matter: quotes, commas,
 * CR and LF, characters of two to four UTF-8 bytes, U+2028, and `},{`, `} ` and ` {` inside
 * strings, which make a page's entities unprovable from its text (written with JSON.stringify then).
 */
const HOSTILE = ['"quoted"', 'a lone " quote', "a, b, c", "line one\nline two", "cr\r\nlf", "cr\ralone", "Žluťoučký kůň", "日本語", "😀👍🏽", "\u2028sep", "a},{b", "x} {y", "back\\slash", "tab\tend", "é\u0301", "=SUM(A1)", "  spaces  "];

/** The service's entities and the text it sends for each. */
interface Dataset {
  items: Item[];
  /** Each entity's JSON as the service writes it in its pages. */
  texts: string[];
  pageSize: number;
}

function hostileText(r: Random): string {
  let text = "";
  for (let n = r.between(1, 3); n > 0; n--) text += r.pick(HOSTILE) + r.text("abc ,", 0, 3);
  return text;
}

/** The JSON of an entity with its non-ASCII characters escaped as `\uXXXX`: the same value, other bytes. */
function escapedJson(item: Item): string {
  return JSON.stringify(item).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function makeDataset(r: Random): Dataset {
  const items: Item[] = [];
  const texts: string[] = [];
  // Now and then a set of a few entities in pages of one to three: empty partitions, an empty file.
  const tiny = r.chance(0.25);
  const count = tiny ? r.between(0, 8) : r.between(2000, 3000);
  // Hostile values come in stretches, so that some pages are all ASCII (written from their bytes) and some are not.
  let hostileStretch = false;
  let id = 0;
  for (let i = 0; i < count; i++) {
    if (i % 150 === 0) hostileStretch = r.chance(0.5);
    id += r.between(1, 3);
    const hostile = hostileStretch && r.chance(0.25);
    const item: Item = {
      ID: id,
      Name: hostile ? hostileText(r) : `Item ${id}`,
      Note: r.chance(0.2) ? null : hostile && r.chance(0.5) ? hostileText(r) : r.text("abcdefghij ", 0, 12),
      Qty: r.between(-5, 1000),
      Price: r.between(0, 99_999) / 100,
      Active: r.chance(0.5),
    };
    items.push(item);
    let text = hostile && r.chance(0.3) ? escapedJson(item) : JSON.stringify(item);
    // A Decimal's trailing zero, as many services send it: NDJSON and JSON keep it where the page allows.
    if (r.chance(0.1)) text = text.replace(/"Price":(\d+\.\d)(?=[,}])/, (_, digits: string) => `"Price":${digits}0`);
    texts.push(text);
  }
  return { items, texts, pageSize: tiny ? r.between(1, 3) : r.between(40, 160) };
}

// --- the expected file, from the data alone ------------------------------------------------------

function csvField(text: string): string {
  // An empty string is a quoted empty field, null an empty one (README).
  return text === "" || /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV the README describes: a header from `$metadata`, CRLF lines, RFC 4180 quoting, null empty. */
function expectedCsv(items: readonly Item[]): string {
  const columns = ["ID", "Name", "Note", "Qty", "Price", "Active"] as const;
  let text = `${columns.join(",")}\r\n`;
  for (const item of items) text += `${columns.map((c) => (item[c] === null ? "" : typeof item[c] === "string" ? csvField(item[c] as string) : String(item[c]))).join(",")}\r\n`;
  return text;
}

/** The entities a file of `format` holds, in order (CSV values as text). */
function rowsIn(format: Format, text: string): unknown[] {
  if (format === "ndjson") return text === "" ? [] : text.replace(/\n$/, "").split("\n").map((line) => JSON.parse(line) as unknown);
  if (format === "json") return JSON.parse(text) as unknown[];
  return parse(text, { columns: true }) as unknown[];
}

/** What went wrong with the rows of a file, by ID: those missing, repeated or out of order. */
function rowDamage(format: Format, text: string, items: readonly Item[]): string {
  let rows: unknown[];
  try {
    rows = rowsIn(format, text);
  } catch (error) {
    return `the file does not parse as ${format}: ${(error as Error).message}`;
  }
  const ids = rows.map((row) => Number((row as { ID: unknown }).ID));
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const missing = items.map((item) => item.ID).filter((id) => !counts.has(id));
  const unordered = ids.findIndex((id, i) => i > 0 && id <= (ids[i - 1] as number));
  return `${rows.length} rows of ${items.length}; missing ${missing.length} (${missing.slice(0, 10).join(", ")}); repeated ${repeated.length} (${repeated.slice(0, 10).join(", ")})${unordered >= 0 ? `; out of order at row ${unordered}` : ""}`;
}

/** Where two files first differ, with a little of each around it. */
function firstDifference(actual: Buffer, expected: Buffer): string {
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  const around = (bytes: Buffer) => JSON.stringify(bytes.subarray(Math.max(0, at - 60), at + 60).toString("utf8"));
  return `${actual.length} bytes, expected ${expected.length}; first difference at byte ${at}:\n  got      ${around(actual)}\n  expected ${around(expected)}`;
}

// --- the service ---------------------------------------------------------------------------------

/** Where a run is killed. */
type KillPoint =
  | { kind: "delay"; ms: number }
  /** When the service sees the run's Nth request: before answering it, halfway through its body, or `ms` after it. */
  | { kind: "request"; n: number; when: "before" | "mid-body" | "after"; ms: number }
  /** `ms` after the service answered the last page of every walk the run has left: while the tail is written, the parts joined, the checkpoints removed. */
  | { kind: "end"; ms: number };

function describeKill(kill: KillPoint | undefined): string {
  if (kill === undefined) return "not killed";
  if (kill.kind === "delay") return `kill ${kill.ms} ms after start`;
  if (kill.kind === "end") return `kill ${kill.ms} ms after the last page of every walk left`;
  return `kill at request ${kill.n} ${kill.when === "after" ? `${kill.ms} ms after its answer` : kill.when === "mid-body" ? "halfway through its body" : "before it is answered"}`;
}

/** The run the service is serving: its requests counted, and how to kill it. */
interface CurrentRun {
  requests: number;
  /** The last pages (those without a next link) answered, and how many the run's walks will ask. */
  lastPages: number;
  walksLeft: number;
  kill: KillPoint | undefined;
  killNow(): void;
  /** Answers slowly: a pause before the headers, the body in pieces with pauses between. */
  slow: boolean;
  /** Leaves unanswered the pages after the first of the first key range (`ID lt ...`): that part never ends. */
  holdFirstRange: boolean;
}

interface Service {
  server: RecordingServer;
  root: string;
  current: CurrentRun;
}

/** The key bounds of a `$filter` the partitions send: `ID ge a`, `ID lt b`, both, or none. */
function keyBounds(filter: string | null): { lower: number; upper: number } {
  if (filter === null) return { lower: -Infinity, upper: Infinity };
  const match = /^(?:ID ge (\d+))?(?: and )?(?:ID lt (\d+))?$/.exec(filter);
  if (!match || filter === "") throw new Error(`a $filter the service does not know: ${filter}`);
  return { lower: match[1] === undefined ? -Infinity : Number(match[1]), upper: match[2] === undefined ? Infinity : Number(match[2]) };
}

const KNOWN_OPTIONS = new Set(["$filter", "$skiptoken", "$orderby", "$skip", "$top", "$select"]);

async function startService(data: Dataset, r: Random): Promise<Service> {
  const current: CurrentRun = { requests: 0, lastPages: 0, walksLeft: 1, kill: undefined, killNow: () => {}, slow: false, holdFirstRange: false };
  const pause = (low: number, high: number) => sleep(r.between(low, high));

  /** Sends a page's body (slowly, in pieces, when told to), killing the run halfway through it when told to. */
  async function sendBody(res: ServerResponse, body: string, n: number, killThisRun: () => void): Promise<void> {
    const kill = current.kill?.kind === "request" && current.kill.n === n ? current.kill : undefined;
    const bytes = Buffer.from(body, "utf8");
    if (current.slow) await pause(2, 10);
    res.writeHead(200, { "content-type": "application/json;odata.metadata=minimal", "content-length": bytes.byteLength, "odata-version": "4.0" });
    // Cut anywhere, inside a UTF-8 character too.
    const half = Math.floor(bytes.byteLength / 2);
    const cuts = [...(current.slow ? [r.int(bytes.byteLength), r.int(bytes.byteLength)] : []), ...(kill?.when === "mid-body" ? [half] : [])];
    let from = 0;
    for (const cut of [...new Set(cuts)].filter((at) => at > 0 && at < bytes.byteLength).sort((a, b) => a - b)) {
      if (current.slow && from > 0) await pause(1, 6);
      if (res.destroyed) return;
      res.write(bytes.subarray(from, cut));
      from = cut;
      if (kill?.when === "mid-body" && cut === half) killThisRun();
    }
    if (current.slow && from > 0) await pause(1, 6);
    if (res.destroyed) return;
    res.end(bytes.subarray(from));
  }

  const server = await startServer(async (request, res) => {
    const n = ++current.requests;
    const kill = current.kill?.kind === "request" && current.kill.n === n ? current.kill : undefined;
    // The kill of this run, even when it comes after the run ended and the next began.
    const killThisRun = current.killNow;
    if (kill?.when === "before") killThisRun();
    // After the answer (or once it is out, for an answer that is not a page and so has no middle).
    else if (kill !== undefined) res.once("finish", () => setTimeout(killThisRun, kill.when === "after" ? kill.ms : 0));
    const url = new URL(request.path, "http://x");
    if (url.pathname === "/odata/$metadata") return sendText(res, 200, METADATA, { "content-type": "application/xml" });
    for (const name of url.searchParams.keys()) {
      if (!KNOWN_OPTIONS.has(name)) return sendJson(res, 501, { error: { code: "501", message: `${name} is not supported here` } });
    }
    const { lower, upper } = keyBounds(url.searchParams.get("$filter"));
    const inRange = data.items.map((item, i) => ({ item, i })).filter(({ item }) => item.ID >= lower && item.ID < upper);
    if (url.pathname === "/odata/Items/$count") return sendText(res, 200, String(inRange.length));
    if (url.pathname !== "/odata/Items") return sendJson(res, 404, { error: { code: "404", message: `no resource ${url.pathname}` } });
    const orderby = url.searchParams.get("$orderby");
    if (orderby !== null) {
      // The ordered probe of a plan: $orderby=ID&$skip=k&$top=1&$select=ID.
      if (orderby !== "ID" || url.searchParams.get("$select") !== "ID") return sendJson(res, 501, { error: { code: "501", message: `an ordered read the service does not know: ${request.path}` } });
      const skip = Number(url.searchParams.get("$skip") ?? 0);
      const top = Number(url.searchParams.get("$top") ?? Infinity);
      return sendJson(res, 200, { value: inRange.slice(skip, skip + top).map(({ item }) => ({ ID: item.ID })) });
    }
    const skiptoken = url.searchParams.get("$skiptoken");
    if (current.holdFirstRange && skiptoken !== null && lower === -Infinity && upper !== Infinity) return;
    const rest = inRange.filter(({ item }) => item.ID > Number(skiptoken ?? -Infinity));
    const page = rest.slice(0, data.pageSize);
    const last = page.at(-1)?.item.ID;
    const filter = url.searchParams.get("$filter");
    const select = url.searchParams.get("$select");
    const text = (i: number) => (select === null ? data.texts[i] : JSON.stringify(Object.fromEntries(select.split(",").map((name) => [name, data.items[i]?.[name as keyof Item]]))));
    const options = [...(filter === null ? [] : [`$filter=${encodeURIComponent(filter)}`]), ...(select === null ? [] : [`$select=${encodeURIComponent(select)}`]), `$skiptoken=${last}`];
    const next = rest.length > page.length ? `Items?${options.join("&")}` : undefined;
    const body = `{"@odata.context":"$metadata#Items","value":[${page.map(({ i }) => text(i)).join(",")}]${next === undefined ? "" : `,"@odata.nextLink":${JSON.stringify(next)}`}}`;
    if (next === undefined && ++current.lastPages === current.walksLeft && current.kill?.kind === "end") {
      const { ms } = current.kill;
      res.once("finish", () => setTimeout(killThisRun, ms));
    }
    await sendBody(res, body, n, killThisRun);
  });
  return { server, root: server.url("odata/"), current };
}

// --- one run of the binary ---------------------------------------------------------------------

interface RunOutcome {
  result: CliResult;
  requests: number;
  ms: number;
}

/** Runs the export once, killed at `kill` (if it has not ended by then). */
async function runExport(service: Service, args: string[], cwd: string, kill: KillPoint | undefined, slow: boolean, walksLeft = 1): Promise<RunOutcome> {
  const started = performance.now();
  const child: ChildProcess = await startCli(args, { cwd });
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  Object.assign(service.current, { requests: 0, lastPages: 0, walksLeft, kill: kill === undefined ? undefined : { ...kill }, killNow, slow });
  const timer = kill?.kind === "delay" ? setTimeout(killNow, kill.ms) : undefined;
  const result = await finished(child, RUN_TIMEOUT_MS);
  clearTimeout(timer);
  const requests = service.current.requests;
  Object.assign(service.current, { kill: undefined, killNow: () => {} });
  return { result, requests, ms: performance.now() - started };
}

/**
 * How many walks a run will read to their last page: each one whose checkpoint is not done, or
 * all of them when there is no checkpoint (a missing part's checkpoint is a part not begun).
 */
function walksLeft(checkpoint: string, walks: number): number {
  if (!existsSync(checkpoint)) return walks;
  const saved = JSON.parse(readFileSync(checkpoint, "utf8")) as { type: string; done?: boolean; parts?: { checkpoint: string }[] };
  if (saved.type !== "traverse-odata/export-parallel") return saved.done ? 0 : 1;
  return (saved.parts ?? []).filter((part) => !existsSync(part.checkpoint) || !(JSON.parse(readFileSync(part.checkpoint, "utf8")) as { done: boolean }).done).length;
}

/** The files a folder holds, and the checkpoint's rows where one is. */
function folderState(cwd: string, checkpoint: string): string {
  const files = readdirSync(cwd).sort();
  let saved = "";
  if (existsSync(checkpoint)) {
    const text = readFileSync(checkpoint, "utf8");
    const parsed = JSON.parse(text) as { type: string; rows?: number; done?: boolean };
    saved = parsed.type === "traverse-odata/export-parallel" ? " (parallel checkpoint)" : ` (checkpoint: ${parsed.rows} rows${parsed.done ? ", done" : ""})`;
  }
  return `[${files.join(", ")}]${saved}`;
}

// --- the cases ---------------------------------------------------------------------------------

/** What the uninterrupted export of one case gave. */
interface Reference {
  bytes: Buffer;
  requests: number;
  ms: number;
}

/** A kill point for a run whose uninterrupted run took `reference` (slowed down by `slow`). */
function pickKill(r: Random, reference: Reference, slow: boolean, parallel: number): KillPoint {
  if (r.chance(0.2)) return { kind: "end", ms: r.between(0, 30) };
  if (r.chance(0.35)) {
    // Node's start takes part of the run: a delay may land before the first request, which is also a moment.
    const estimate = reference.ms + (slow ? (reference.requests * 12) / parallel : 0);
    return { kind: "delay", ms: r.between(0, Math.ceil(estimate)) };
  }
  return { kind: "request", n: r.between(1, reference.requests), when: r.pick(["before", "mid-body", "after", "after"] as const), ms: r.between(0, 15) };
}

for (const seed of SEEDS) {
  describe(`seed ${seed}`, () => {
    const r = new Random(seed);
    const data = makeDataset(r);
    const parallel = r.between(2, 3);
    let service: Service;
    before(async () => {
      service = await startService(data, new Random(seed + 1));
      await buildCli();
    });
    after(() => service.server.close());

    for (const format of FORMATS) {
      for (const mode of MODES) {
        const name = `${format}, ${mode === "single" ? "one walk" : `--parallel ${parallel}`}`;
        // Each case draws from its own generator, so that one case's draws do not shift another's.
        const caseRandom = new Random(seed * 31 + FORMATS.indexOf(format) * 7 + MODES.indexOf(mode));
        test(`${name}: killed with SIGKILL at random points and resumed, the file is the uninterrupted export's, byte for byte, and nothing is left beside it`, async (t) => {
          const slow = caseRandom.chance(0.5);
          const interval = caseRandom.pick([undefined, "0", "25"]);
          const kills = caseRandom.between(1, 3);
          const file = `items.${format}`;
          const args = ["export", service.root, "Items", "--out", file, ...(mode === "parallel" ? ["--parallel", String(parallel)] : []), ...(interval === undefined ? [] : ["--checkpoint-interval", interval])];
          const log = [`seed ${seed}, ${name}, ${data.items.length} entities in pages of ${data.pageSize}, ${slow ? "slow" : "fast"} service, --checkpoint-interval ${interval ?? "default"}`];
          const context = () => log.join("\n  ");

          // The uninterrupted export, against the fast service.
          const referenceDir = tempDir("traverse-kill-fuzz-");
          const uninterrupted = await runExport(service, args, referenceDir, undefined, false);
          assert.equal(uninterrupted.result.code, 0, `${context()}\nthe uninterrupted export failed: ${show(uninterrupted.result)}`);
          const reference: Reference = { bytes: readFileSync(join(referenceDir, file)), requests: uninterrupted.requests, ms: uninterrupted.ms };
          const text = reference.bytes.toString("utf8");
          // It holds exactly the service's entities, in key order (CSV: exactly the text the README describes).
          if (format === "csv") assert.equal(text, expectedCsv(data.items), `${context()}\nthe uninterrupted CSV: ${rowDamage(format, text, data.items)}`);
          else assert.deepEqual(rowsIn(format, text), data.items, `${context()}\nthe uninterrupted export: ${rowDamage(format, text, data.items)}`);
          assert.deepEqual(readdirSync(referenceDir), [file]);
          log.push(`uninterrupted: ${reference.requests} requests, ${Math.round(reference.ms)} ms, ${reference.bytes.length} bytes`);

          const cwd = tempDir("traverse-kill-fuzz-");
          const checkpoint = join(cwd, `${file}.checkpoint.json`);
          for (let run = 1; ; run++) {
            const resume = run > 1;
            const walks = mode === "parallel" ? parallel : 1;
            const left = walksLeft(checkpoint, walks);
            const kill = run <= kills ? pickKill(caseRandom, reference, slow, walks) : undefined;
            const outcome = await runExport(service, resume ? [...args, "--resume"] : args, cwd, kill, slow, left);
            const { result } = outcome;
            const ended = result.signal === "SIGKILL" ? "killed" : `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}`;
            log.push(`run ${run}${resume ? " --resume" : ""}: ${describeKill(kill)}: ${ended} after ${outcome.requests} requests, ${Math.round(outcome.ms)} ms; then ${folderState(cwd, checkpoint)}`);
            assert.doesNotMatch(result.stderr, /of another export|nothing to resume|cannot resume|damaged/, `${context()}\n${show(result)}`);
            if (result.signal === "SIGKILL" && kill !== undefined) {
              if (existsSync(checkpoint) || !existsSync(join(cwd, file))) continue;
              const left = readFileSync(join(cwd, file));
              // Killed after the checkpoint was removed, before the process ended: the export was complete.
              if (left.length > 0 && left.equals(reference.bytes) && readdirSync(cwd).length === 1) {
                log.push("  killed after the export removed its checkpoint: the file is complete");
                break;
              }
              continue;
            }
            assert.equal(result.code, 0, `${context()}\n${show(result)}`);
            break;
          }

          const actual = readFileSync(join(cwd, file));
          if (!actual.equals(reference.bytes)) {
            assert.fail(`${context()}\nthe file is not the uninterrupted export's: ${firstDifference(actual, reference.bytes)}\n  rows: ${rowDamage(format, actual.toString("utf8"), data.items)}`);
          }
          assert.deepEqual(readdirSync(cwd), [file], `${context()}\nonly the file is left`);
          if (process.env["FUZZ_VERBOSE"]) t.diagnostic(context());
        });
      }
    }
  });
}

describe("a part's checkpoint that another export left", () => {
  /** Waits until `ready()` says so, polling (fails the test after `timeoutMs`). */
  async function until(ready: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await sleep(5);
    }
  }
  const saved = (file: string) => (existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { request: string; done: boolean }) : undefined);

  // Export A (--select ID,Name) is killed with its part 2 done; its checkpoint is deleted, as the
  // refusal of the next export says to do to start again; export B (every property) is killed when
  // its parts start. B's --resume once went on from A's part 2; B now removes part checkpoints it
  // did not write before it saves its own, and refuses a part checkpoint of another query.
  test(
    "--parallel --resume goes on only from part checkpoints of its own plan and query: a part's checkpoint of an earlier export is not taken as done",
    async (t) => {
      let seed = 4242;
      let data = makeDataset(new Random(seed));
      while (data.items.length < 500) data = makeDataset(new Random(++seed));
      const service = await startService(data, new Random(seed));
      t.after(() => service.server.close());
      const file = "items.ndjson";
      const a = ["export", service.root, "Items", "--out", file, "--parallel", "2", "--select", "ID,Name"];
      const b = ["export", service.root, "Items", "--out", file, "--parallel", "2"];
      const referenceDir = tempDir("traverse-kill-fuzz-");
      const reference = await runExport(service, b, referenceDir, undefined, false);
      assert.equal(reference.result.code, 0, show(reference.result));

      {
        const cwd = tempDir("traverse-kill-fuzz-");
        const checkpoint = join(cwd, `${file}.checkpoint.json`);
        const part2 = join(cwd, `${file}.checkpoint.part-2-of-2.json`);
        // A: part 1 stalls after its first page; part 2 ends; then SIGKILL.
        service.current.holdFirstRange = true;
        const child = await startCli(a, { cwd });
        const ended = finished(child, RUN_TIMEOUT_MS);
        await until(() => saved(part2)?.done === true, "part 2 of A done");
        child.kill("SIGKILL");
        await ended;
        service.current.holdFirstRange = false;
        const refused = await runExport(service, b, cwd, undefined, false);
        assert.equal(refused.result.code, 2, show(refused.result));
        assert.match(refused.result.stderr, /or delete it to start again/);
        rmSync(checkpoint);
        // B, killed when the first page of a part is asked (its plan made, its checkpoint saved).
        const killed = await runExport(service, b, cwd, { kind: "request", n: 4, when: "before", ms: 0 }, false);
        assert.equal(killed.result.signal, "SIGKILL", show(killed.result));
        assert.ok(existsSync(checkpoint), "B's checkpoint is saved before its parts start");
        // B removed A's part checkpoints before it saved its own: none is left to be taken for B's.
        assert.ok(!(saved(part2)?.request.includes("select") ?? false), "A's checkpoint of part 2 is still there");
        const resumed = await runExport(service, [...b, "--resume"], cwd, undefined, false);
        assert.equal(resumed.result.code, 0, show(resumed.result));
        const actual = readFileSync(join(cwd, file));
        const expected = readFileSync(join(referenceDir, file));
        assert.ok(actual.equals(expected), `${firstDifference(actual, expected)}\n  rows: ${rowDamage("ndjson", actual.toString("utf8"), data.items)}`);
        return;
      }
    },
  );
});
