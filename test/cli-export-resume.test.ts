/**
 * `export ... --resume` after a SIGKILL at the two edges of an export (README, "What `export`
 * guarantees"): a script that runs the export, then re-runs it with `--resume` until it exits 0,
 * must end with exit 0, the file byte for byte as an uninterrupted export, and nothing beside it.
 *
 * - Before the first checkpoint is in place (one walk: the output created and still empty, or not
 *   yet created while `$metadata` is read; `--parallel`: while the plan is made or its checkpoint
 *   saved), `--resume` finds no checkpoint: it starts from the beginning, saying so in one line.
 *   An output that holds bytes and has no checkpoint is refused (exit 2, both files named) and kept.
 * - Once the output is complete and its checkpoint not yet removed (one walk: the tail written;
 *   `--parallel`: the parts joined, their files and checkpoints being removed), `--resume` finishes
 *   cleanly without asking anything (a parallel export's checkpoint says the output is complete, of
 *   its length: an output changed since is refused).
 * - What no order of steps can close: a kill after the checkpoint is removed, before the process
 *   ends. The file is complete, and `--resume` refuses it as any output without a checkpoint.
 *
 * The kills are exact: the binary runs with a preloaded module that sends itself SIGKILL at the Nth
 * `rename` (a checkpoint saved) or `rm` (a checkpoint or part removed) of a file in the test's folder,
 * or the test kills it when the service receives a request it holds. The service is node:http on
 * 127.0.0.1 with server-driven pages, `$metadata`, `$count`, key-range `$filter`s and the ordered
 * probes `--parallel` plans with; it records every request.
 */
import { before, after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildCli, cliEnv, finished, show, tempDir, type CliResult } from "./cli-harness.js";
import { ITEMS_METADATA, sendJson, sendText, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { regExpText } from "./regexp-text.js";

// --- the service ---------------------------------------------------------------------------------

const ITEMS = [1, 2, 3, 5, 8, 13, 21, 34].map((ID) => ({ ID, Name: `Item "${ID}", ${"é".repeat(ID % 3)}` }));
const PAGE_SIZE = 3;

/** The key bounds of a partition's `$filter`: `ID ge a`, `ID lt b`, both, or none. */
function keyBounds(filter: string | null): { lower: number; upper: number } {
  const match = /^(?:ID ge (\d+))?(?: and )?(?:ID lt (\d+))?$/.exec(filter ?? "");
  if (!match) throw new Error(`a $filter the service does not know: ${filter}`);
  return { lower: match[1] === undefined ? -Infinity : Number(match[1]), upper: match[2] === undefined ? Infinity : Number(match[2]) };
}

interface Shop {
  server: RecordingServer;
  root: string;
  /** A request this returns true for is left unanswered, and `onHeld` is called. */
  hold: ((request: RecordedRequest) => boolean) | undefined;
  onHeld: () => void;
}

async function startShop(): Promise<Shop> {
  const shop: Shop = { server: undefined as unknown as RecordingServer, root: "", hold: undefined, onHeld: () => {} };
  shop.server = await startServer((request, res) => {
    if (shop.hold?.(request)) return shop.onHeld();
    const url = new URL(request.path, "http://x");
    if (url.pathname === "/odata/$metadata") return sendText(res, 200, ITEMS_METADATA, { "content-type": "application/xml" });
    const { lower, upper } = keyBounds(url.searchParams.get("$filter"));
    const inRange = ITEMS.filter((item) => item.ID >= lower && item.ID < upper);
    if (url.pathname === "/odata/Items/$count") return sendText(res, 200, String(inRange.length));
    if (url.pathname !== "/odata/Items") return sendJson(res, 404, { error: { code: "404", message: `no resource ${url.pathname}` } });
    if (url.searchParams.get("$orderby") !== null) {
      // The ordered probe of a plan: $orderby=ID&$skip=k&$top=1&$select=ID.
      const skip = Number(url.searchParams.get("$skip") ?? 0);
      return sendJson(res, 200, { value: inRange.slice(skip, skip + Number(url.searchParams.get("$top") ?? Infinity)).map(({ ID }) => ({ ID })) });
    }
    const skiptoken = url.searchParams.get("$skiptoken");
    const rest = inRange.filter((item) => item.ID > Number(skiptoken ?? -Infinity));
    const page = rest.slice(0, PAGE_SIZE);
    const filter = url.searchParams.get("$filter");
    const next = rest.length > page.length ? `Items?${filter === null ? "" : `$filter=${encodeURIComponent(filter)}&`}$skiptoken=${page.at(-1)?.ID}` : undefined;
    const body = `{"@odata.context":"$metadata#Items","value":[${page.map((item) => JSON.stringify(item)).join(",")}]${next === undefined ? "" : `,"@odata.nextLink":${JSON.stringify(next)}`}}`;
    sendText(res, 200, body, { "content-type": "application/json;odata.metadata=minimal", "odata-version": "4.0" });
  });
  shop.root = shop.server.url("odata/");
  return shop;
}

/** The paths the service received while `run` ran. */
async function requestsDuring<T>(shop: Shop, run: () => Promise<T>): Promise<{ result: T; paths: string[] }> {
  const from = shop.server.requests.length;
  const result = await run();
  return { result, paths: shop.server.requests.slice(from).map((r) => decodeURIComponent(r.path)) };
}

// --- runs of the binary, killed at an exact point ----------------------------------------------

/** Where the preloaded module kills the run: the Nth call of `op` on a file under the folder, before it or once it is done. */
interface KillAt {
  op: "rename" | "rm";
  nth: number;
  when: "before" | "after";
}

/**
 * Loaded with `--import` before the binary: counts `fs.rename` (a checkpoint saved, its temporary
 * file renamed over it: the target counts) and `fs/promises.rm` (a checkpoint, temporary file or
 * part removed) of files under TEST_KILL_UNDER, and at the Nth sends SIGKILL to its own process,
 * after writing one line `killed before|after <op> <file>` to stderr.
 */
const PRELOAD = `
import fs from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
const [op, nth, when] = process.env.TEST_KILL.split(":");
const under = process.env.TEST_KILL_UNDER;
let seen = 0;
const counts = (file) => String(file).startsWith(under) && ++seen === Number(nth);
const kill = (moment, file) => {
  fs.writeSync(2, \`killed \${moment} \${op} \${file}\\n\`);
  process.kill(process.pid, "SIGKILL");
};
if (op === "rm") {
  const rm = fsp.rm;
  fsp.rm = async (file, options) => {
    const now = counts(file);
    if (now && when === "before") kill("before", file);
    await rm(file, options);
    if (now) kill("after", file);
  };
} else {
  const rename = fs.rename;
  fs.rename = (from, to, callback) => {
    const now = counts(to);
    if (now && when === "before") kill("before", to);
    rename(from, to, (error) => {
      if (now && !error) kill("after", to);
      callback(error);
    });
  };
}
syncBuiltinESMExports();
`;

let preload: string;

/** Runs the binary in `cwd`; with `kill`, it kills itself there (if it gets that far). */
async function run(args: readonly string[], cwd: string, kill?: KillAt): Promise<CliResult> {
  const main = await buildCli();
  const flags = kill === undefined ? [] : ["--import", pathToFileURL(preload).href];
  const env = kill === undefined ? {} : { TEST_KILL: `${kill.op}:${kill.nth}:${kill.when}`, TEST_KILL_UNDER: `${cwd}/` };
  const child = spawn(process.execPath, [...flags, main, ...args], { cwd, env: cliEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end();
  return finished(child, 30_000);
}

/** Runs the binary and kills it (SIGKILL) when the service receives a request that `held` picks; resolves once it is dead. */
async function runKilledAtRequest(shop: Shop, args: readonly string[], cwd: string, held: (request: RecordedRequest) => boolean): Promise<CliResult> {
  const main = await buildCli();
  const child: ChildProcess = spawn(process.execPath, [main, ...args], { cwd, env: cliEnv(), stdio: ["pipe", "pipe", "pipe"] });
  child.stdin?.end();
  shop.hold = held;
  shop.onHeld = () => child.kill("SIGKILL");
  try {
    return await finished(child, 30_000);
  } finally {
    shop.hold = undefined;
    shop.onHeld = () => {};
  }
}

// --- the cases ---------------------------------------------------------------------------------

const FORMATS = ["ndjson", "csv", "json"] as const;
type Format = (typeof FORMATS)[number];

let shop: Shop;
/** The uninterrupted export of each case: its bytes and the requests it made. */
const references = new Map<string, { bytes: Buffer; paths: string[] }>();

before(async () => {
  shop = await startShop();
  const folder = tempDir("traverse-resume-edges-");
  preload = join(folder, "kill-at.mjs");
  writeFileSync(preload, PRELOAD);
  await buildCli();
});
after(() => shop.server.close());

function exportArgs(format: Format, parallel: boolean): string[] {
  return ["export", shop.root, "Items", "--out", `items.${format}`, "--checkpoint-interval", "0", ...(parallel ? ["--parallel", "2"] : [])];
}

/** The uninterrupted export of `format` (one walk or `--parallel 2`), made once. */
async function reference(format: Format, parallel: boolean): Promise<{ bytes: Buffer; paths: string[] }> {
  const key = `${format} ${parallel}`;
  const known = references.get(key);
  if (known) return known;
  const cwd = tempDir("traverse-resume-edges-");
  const { result, paths } = await requestsDuring(shop, () => run(exportArgs(format, parallel), cwd));
  assert.equal(result.code, 0, show(result));
  assert.deepEqual(readdirSync(cwd), [`items.${format}`]);
  const made = { bytes: readFileSync(join(cwd, `items.${format}`)), paths };
  references.set(key, made);
  return made;
}

/** The requests of a walk's pages (not `$metadata`, `$count` or a probe), in the order sent. */
const pagesOf = (paths: readonly string[]) => paths.filter((path) => /^\/odata\/Items(\?|$)/.test(path) && !path.includes("$orderby"));

/** Asserts that the folder holds the uninterrupted export's file, and nothing else. */
function assertUninterrupted(cwd: string, format: Format, expected: Buffer, context: string): void {
  const actual = readFileSync(join(cwd, `items.${format}`));
  assert.ok(actual.equals(expected), `${context}\nthe file is not the uninterrupted export's:\n  got      ${JSON.stringify(actual.toString("utf8"))}\n  expected ${JSON.stringify(expected.toString("utf8"))}`);
  assert.deepEqual(readdirSync(cwd), [`items.${format}`], `${context}\nonly the file is left (no checkpoint, part or temporary file)`);
}

/** The line `--resume` writes when it finds no checkpoint and nothing written yet. */
function startsAgainLine(cwd: string, format: Format): RegExp {
  const out = regExpText(join(cwd, `items.${format}`));
  return new RegExp(`^warning: no checkpoint at ${out}\\.checkpoint\\.json, and ${out} holds no rows \\((it is empty|there is no such file)\\): the export starts from the beginning\\n`, "m");
}

describe("--resume after a kill before the first checkpoint is in place: the export starts from the beginning", () => {
  for (const format of FORMATS) {
    test(`${format}, one walk killed as its first checkpoint is renamed into place (the output created, empty): --resume says so in one line, exits 0 and asks every page from the first`, async () => {
      const { bytes, paths } = await reference(format, false);
      const cwd = tempDir("traverse-resume-edges-");
      const checkpoint = join(cwd, `items.${format}.checkpoint.json`);
      const killed = await run(exportArgs(format, false), cwd, { op: "rename", nth: 1, when: "before" });
      assert.equal(killed.signal, "SIGKILL", show(killed));
      assert.match(killed.stderr, new RegExp(`killed before rename ${checkpoint.replace(/[.]/g, "\\.")}\\n`));
      assert.equal(statSync(join(cwd, `items.${format}`)).size, 0, "the output is created, and still empty");
      assert.equal(existsSync(checkpoint), false);

      const { result, paths: asked } = await requestsDuring(shop, () => run([...exportArgs(format, false), "--resume"], cwd));
      assert.equal(result.code, 0, show(result));
      assert.match(result.stderr, startsAgainLine(cwd, format));
      assert.equal(result.stderr.split("\n").filter((line) => line.startsWith("warning:")).length, 1, show(result));
      assert.match(result.stderr, /^exported 8 rows in 3 pages to items\./m);
      assert.deepEqual(pagesOf(asked), pagesOf(paths), "every page from the first, as the uninterrupted export");
      // The temporary file of the save the kill cut short is gone too.
      assertUninterrupted(cwd, format, bytes, show(result));
    });
  }

  test("csv, one walk killed while $metadata (the columns) is awaited, before its output is created: --resume starts from the beginning", async () => {
    const { bytes } = await reference("csv", false);
    const cwd = tempDir("traverse-resume-edges-");
    const killed = await runKilledAtRequest(shop, exportArgs("csv", false), cwd, (request) => request.path.endsWith("/$metadata"));
    assert.equal(killed.signal, "SIGKILL", show(killed));
    assert.deepEqual(readdirSync(cwd), [], "nothing written yet");

    const { result, paths } = await requestsDuring(shop, () => run([...exportArgs("csv", false), "--resume"], cwd));
    assert.equal(result.code, 0, show(result));
    assert.match(result.stderr, startsAgainLine(cwd, "csv"));
    assert.deepEqual(paths, ["/odata/$metadata", "/odata/Items", "/odata/Items?$skiptoken=3", "/odata/Items?$skiptoken=13"]);
    assertUninterrupted(cwd, "csv", bytes, show(result));
  });

  for (const format of FORMATS) {
    test(`${format}, --parallel 2 killed while its plan's probe is awaited (no checkpoint yet): --resume makes the plan again and exits 0`, async () => {
      const { bytes, paths } = await reference(format, true);
      const cwd = tempDir("traverse-resume-edges-");
      const killed = await runKilledAtRequest(shop, exportArgs(format, true), cwd, (request) => request.path.includes("orderby"));
      assert.equal(killed.signal, "SIGKILL", show(killed));
      assert.deepEqual(readdirSync(cwd), [], "nothing written yet");

      const { result, paths: asked } = await requestsDuring(shop, () => run([...exportArgs(format, true), "--resume"], cwd));
      assert.equal(result.code, 0, show(result));
      assert.match(result.stderr, startsAgainLine(cwd, format));
      assert.ok(asked.some((path) => path.includes("$orderby=ID&$skip=")), "the plan is made again");
      assert.deepEqual(pagesOf(asked).sort(), pagesOf(paths).sort());
      assertUninterrupted(cwd, format, bytes, show(result));
    });
  }

  test("json, --parallel 2 killed as its checkpoint (the plan) is renamed into place: --resume starts from the beginning", async () => {
    const { bytes } = await reference("json", true);
    const cwd = tempDir("traverse-resume-edges-");
    const killed = await run(exportArgs("json", true), cwd, { op: "rename", nth: 1, when: "before" });
    assert.equal(killed.signal, "SIGKILL", show(killed));
    assert.match(killed.stderr, /killed before rename .*items\.json\.checkpoint\.json\n/);
    assert.equal(existsSync(join(cwd, "items.json")), false);

    const result = await run([...exportArgs("json", true), "--resume"], cwd);
    assert.equal(result.code, 0, show(result));
    assert.match(result.stderr, startsAgainLine(cwd, "json"));
    assertUninterrupted(cwd, "json", bytes, show(result));
  });
});

describe("a damaged checkpoint of one part of a parallel export", () => {
  test("a part's next link off the service is refused as a single walk's is: exit 2 naming the part's checkpoint as damaged", async () => {
    const cwd = tempDir("traverse-resume-edges-");
    // Killed once a part's checkpoint is in place (the plan's is the first file renamed into place).
    let partCheckpoint: string | undefined;
    for (let nth = 2; nth < 10 && partCheckpoint === undefined; nth++) {
      rmSync(cwd, { recursive: true, force: true });
      mkdirSync(cwd);
      const killed = await run(exportArgs("json", true), cwd, { op: "rename", nth, when: "after" });
      assert.equal(killed.signal, "SIGKILL", show(killed));
      partCheckpoint = readdirSync(cwd).find((name) => /\.checkpoint\.part-\d+-of-2\.json$/.test(name));
    }
    assert.ok(partCheckpoint, `no part checkpoint was saved: ${readdirSync(cwd).join(", ")}`);
    const file = join(cwd, partCheckpoint);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), next: "http://elsewhere.example/odata/Items?$skiptoken=1" }));
    // The other part's pages are never answered: the refusal must stop its walk, not wait for it.
    let held = 0;
    shop.hold = (request) => request.path.startsWith("/odata/Items?") && !request.path.includes("orderby");
    shop.onHeld = () => void held++;
    let result: CliResult;
    try {
      result = await run([...exportArgs("json", true), "--resume"], cwd);
    } finally {
      shop.hold = undefined;
    }
    assert.equal(result.code, 2, show(result));
    assert.ok(held <= 1, `the other part sent ${held} page requests`);
    assert.match(result.stderr, new RegExp(`the checkpoint ${file.replace(/[.$]/g, "\\$&")} is damaged: its next link is not a URL on the service of its request`));
  });
});

describe("--resume with no checkpoint over an output that holds bytes: refused, the file kept", () => {
  for (const parallel of [false, true]) {
    const mode = parallel ? "--parallel 2" : "one walk";
    test(`${mode}: an earlier export's file, and a new export killed before its first checkpoint: --resume exits 2 naming both files, asks nothing, and the file is as it was`, async () => {
      const cwd = tempDir("traverse-resume-edges-");
      const out = join(cwd, "items.json");
      const earlier = '[\n{"ID":1,"Name":"an earlier export"}\n]\n';
      writeFileSync(out, earlier);
      const killed = await run(exportArgs("json", parallel), cwd, { op: "rename", nth: 1, when: "before" });
      assert.equal(killed.signal, "SIGKILL", show(killed));
      assert.equal(readFileSync(out, "utf8"), earlier, "a start does not empty an earlier file before its first page");

      const { result, paths } = await requestsDuring(shop, () => run([...exportArgs("json", parallel), "--resume"], cwd));
      assert.equal(result.code, 2, show(result));
      assert.equal(
        result.stderr,
        `error: nothing to resume: there is no checkpoint at ${out}.checkpoint.json, and ${out} holds ${Buffer.byteLength(earlier)} bytes, left as they are: if they are this export's, it is complete; to export again into it, run the command without --resume\n`,
      );
      assert.equal(result.stdout, "");
      assert.deepEqual(paths, [], "nothing is asked");
      assert.equal(readFileSync(out, "utf8"), earlier);
    });
  }
});

describe("--resume after a kill once the output is complete: it finishes cleanly", () => {
  for (const format of FORMATS) {
    test(`${format}, one walk killed as its checkpoint is removed (the file complete): --resume exits 0, asks nothing, and leaves the same bytes and no checkpoint`, async () => {
      const { bytes } = await reference(format, false);
      const cwd = tempDir("traverse-resume-edges-");
      const checkpoint = join(cwd, `items.${format}.checkpoint.json`);
      const killed = await run(exportArgs(format, false), cwd, { op: "rm", nth: 1, when: "before" });
      assert.equal(killed.signal, "SIGKILL", show(killed));
      assert.match(killed.stderr, new RegExp(`killed before rm ${checkpoint.replace(/[.]/g, "\\.")}\\n`));
      assert.ok(readFileSync(join(cwd, `items.${format}`)).equals(bytes), "the file is complete");
      assert.equal((JSON.parse(readFileSync(checkpoint, "utf8")) as { done: boolean }).done, true);

      const { result, paths } = await requestsDuring(shop, () => run([...exportArgs(format, false), "--resume"], cwd));
      assert.equal(result.code, 0, show(result));
      assert.match(result.stderr, /^exported 8 rows in 3 pages to items\./m);
      assert.deepEqual(paths, [], "nothing is asked");
      assertUninterrupted(cwd, format, bytes, show(result));
    });

    test(`${format}, --parallel 2 killed at each removal after the parts are joined (the file complete): --resume exits 0, asks nothing, and leaves the same bytes and nothing beside them`, async () => {
      const { bytes } = await reference(format, true);
      // The removals of a start (part checkpoints an earlier export may have left) come first: those
      // with the file complete are the ones after the join (2 part checkpoints, 2 part files, the export's checkpoint).
      const kills: string[] = [];
      for (let nth = 1; ; nth++) {
        const cwd = tempDir("traverse-resume-edges-");
        const killed = await run(exportArgs(format, true), cwd, { op: "rm", nth, when: "before" });
        if (killed.signal !== "SIGKILL") {
          assert.equal(killed.code, 0, show(killed));
          break;
        }
        const file = join(cwd, `items.${format}`);
        if (!existsSync(file) || !readFileSync(file).equals(bytes)) continue;
        const context = `${killed.stderr.trim().split("\n").at(-1)}; then ${readdirSync(cwd).sort().join(", ")}`;
        kills.push(context);
        const { result, paths } = await requestsDuring(shop, () => run([...exportArgs(format, true), "--resume"], cwd));
        assert.equal(result.code, 0, `${context}\n${show(result)}`);
        assert.match(result.stderr, /^exported 8 rows in \d+ pages \(2 partitions\) to items\./m);
        assert.deepEqual(paths, [], `${context}\nnothing is asked once the file is complete`);
        assertUninterrupted(cwd, format, bytes, `${context}\n${show(result)}`);
      }
      assert.equal(kills.length, 5, kills.join("\n"));
      assert.match(kills.at(-1) ?? "", /^killed before rm .*items\.\w+\.checkpoint\.json;/, "the export's checkpoint is removed last");
    });
  }
});

describe("a parallel export's checkpoint that says its output is complete, over an output changed since", () => {
  test("--resume refuses it, exit 2 naming the output and the checkpoint, asks nothing, and leaves both as they are", async () => {
    await reference("ndjson", true);
    const cwd = tempDir("traverse-resume-edges-");
    const out = join(cwd, "items.ndjson");
    const checkpoint = `${out}.checkpoint.json`;
    // Removals 1 and 2 are of part checkpoints an earlier export may have left; 3 is part 1's after the join.
    const killed = await run(exportArgs("ndjson", true), cwd, { op: "rm", nth: 3, when: "before" });
    assert.equal(killed.signal, "SIGKILL", show(killed));
    assert.match(killed.stderr, /killed before rm .*items\.ndjson\.checkpoint\.part-1-of-2\.json\n/);
    const saved = readFileSync(checkpoint, "utf8");
    const joined = (JSON.parse(saved) as { joined: { length: number; rows: number } }).joined;
    assert.equal(joined.length, statSync(out).size);
    assert.equal(joined.rows, 8);
    writeFileSync(out, "someone else's text\n");

    const { result, paths } = await requestsDuring(shop, () => run([...exportArgs("ndjson", true), "--resume"], cwd));
    assert.equal(result.code, 2, show(result));
    assert.equal(result.stderr, `error: cannot resume: the export was complete in ${out} (${joined.length} bytes), which holds 20 bytes now; delete the checkpoint ${checkpoint} and start again without --resume\n`);
    assert.deepEqual(paths, []);
    assert.equal(readFileSync(out, "utf8"), "someone else's text\n");
    assert.equal(readFileSync(checkpoint, "utf8"), saved);
  });
});

describe("a script that re-runs `export --resume` until it exits 0", () => {
  for (const parallel of [false, true]) {
    const mode = parallel ? "--parallel 2" : "one walk";
    for (const op of ["rename", "rm"] as const) {
      test(`json, ${mode}, killed before each ${op === "rename" ? "checkpoint save" : "removal"} in turn: the runs with --resume end with exit 0 and the uninterrupted file, no resume refused`, async () => {
        const { bytes } = await reference("json", parallel);
        let kills = 0;
        for (let nth = 1; ; nth++) {
          const cwd = tempDir("traverse-resume-edges-");
          const first = await run(exportArgs("json", parallel), cwd, { op, nth, when: "before" });
          if (first.signal !== "SIGKILL") {
            assert.equal(first.code, 0, show(first));
            // Every export saves and removes at least one file: a loop that killed none tested nothing.
            assert.ok(kills >= 1, `no run was killed before a ${op}`);
            break;
          }
          kills++;
          const log = [`killed at ${op} ${nth}: ${first.stderr.trim().split("\n").at(-1)}; then ${readdirSync(cwd).sort().join(", ")}`];
          // Nothing kills the rerun: the first --resume ends the export, refusing nothing.
          const result = await run([...exportArgs("json", parallel), "--resume"], cwd);
          log.push(`--resume: exit ${result.code}: ${result.stderr.trim()}`);
          assert.equal(result.code, 0, log.join("\n"));
          assert.doesNotMatch(result.stderr, /nothing to resume|cannot resume/, log.join("\n"));
          assertUninterrupted(cwd, "json", bytes, log.join("\n"));
        }
      });
    }
  }
});

describe("what is left to the user: a kill once the checkpoint is removed, before the process exits", () => {
  test("one walk killed just after its checkpoint is removed: the file is complete; --resume cannot tell it from another export's file and refuses, exit 2, keeping it", async () => {
    const { bytes } = await reference("ndjson", false);
    const cwd = tempDir("traverse-resume-edges-");
    const out = join(cwd, "items.ndjson");
    const killed = await run(exportArgs("ndjson", false), cwd, { op: "rm", nth: 1, when: "after" });
    assert.equal(killed.signal, "SIGKILL", show(killed));
    assertUninterrupted(cwd, "ndjson", bytes, show(killed));
    const { result, paths } = await requestsDuring(shop, () => run([...exportArgs("ndjson", false), "--resume"], cwd));
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, new RegExp(`^error: nothing to resume: there is no checkpoint at ${out.replace(/[.]/g, "\\.")}\\.checkpoint\\.json, and ${out.replace(/[.]/g, "\\.")} holds ${bytes.length} bytes, left as they are: if they are this export's, it is complete`, "m"));
    assert.deepEqual(paths, []);
    assertUninterrupted(cwd, "ndjson", bytes, show(result));
  });
});
