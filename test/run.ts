/**
 * `npm test`: type-checks the repository and runs every test file in test/ with `node --test`,
 * against one SAP CAP test server for the whole run.
 *
 * - The CAP server starts once, here, and its origin goes to the test files in
 *   `TRAVERSE_CAP_ORIGIN`; each file's `startCap()` then gets a database of its own on it
 *   (test/servers/cap.ts). Starting it once instead of once per file saves about 2.5 s of CPU per
 *   CAP test file. A server already named in `TRAVERSE_CAP_ORIGIN` is used as it is.
 * - `tsc --noEmit` runs beside the tests; its errors are printed after the tests' summary and fail
 *   the run like a failing test. It is incremental, its state kept in the temporary directory
 *   (one file per checkout): a run after a small change checks only what the change can affect
 *   (a fresh clone, as in CI, checks everything).
 * - Test files run {@link CONCURRENCY} at a time, the longest ones first, so that they do not end
 *   up alone at the end of the run.
 *
 * `node --import tsx test/run.ts test/a.test.ts test/b.test.ts` runs only those files (with the
 * shared CAP server, without the type check); `TRAVERSE_TEST_CONCURRENCY=1` runs the files one at
 * a time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CAP_ORIGIN_VARIABLE, spawnCap, type CapProcess } from "./servers/cap.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const TSC = createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");

/**
 * Test files at once (`TRAVERSE_TEST_CONCURRENCY` overrides it). On the 2-core machines this
 * project runs on, most files spend part of their time waiting for servers, browsers and child
 * processes, so three keep both cores busy where two would leave them idle; more only makes the
 * CPU-heavy files slower.
 */
const CONCURRENCY = Number(process.env.TRAVERSE_TEST_CONCURRENCY) || 3;

/**
 * The files that take longest, longest first (packing and installing the package, six runtimes,
 * large bodies, a CAP database with 100,000 rows walked twice): started first, so that none of them
 * is left running alone at the end.
 */
const LONGEST_FIRST = [
  "test/package.test.ts",
  "test/runtimes.test.ts",
  "test/collection-body.test.ts",
  "test/read-cap.test.ts",
  "test/traversal.test.ts",
  "test/body-stall.test.ts",
  "test/readme-examples.test.ts",
  "test/metadata.test.ts",
];

/**
 * Where the type check keeps its incremental state: outside the checkout, one file per checkout.
 * Not under node_modules: a folder written there after the install makes npm distrust its
 * node_modules/.package-lock.json, and then `npm install-scripts ls` (test/package.test.ts) reads
 * the whole tree and reports scripts as pending.
 */
const TSC_BUILD_INFO = join(tmpdir(), `traverse-odata-tsc-${createHash("sha256").update(ROOT).digest("hex").slice(0, 16)}.tsbuildinfo`);

/** The outcome of a child process. */
interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function finished(child: ChildProcess): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolvePromise({ code, signal }));
  });
}

/** Every `test/*.test.ts` and `src/<folder>/*.test.ts` (unit tests beside their code), the longest first, then by name. */
function allTestFiles(): string[] {
  const testsIn = (folder: string) =>
    readdirSync(join(ROOT, folder))
      .filter((name) => name.endsWith(".test.ts"))
      .map((name) => `${folder}/${name}`);
  const folders = readdirSync(join(ROOT, "src"), { withFileTypes: true }).filter((entry) => entry.isDirectory());
  const files = [...testsIn("test"), ...folders.flatMap((entry) => testsIn(`src/${entry.name}`))].sort();
  return [...LONGEST_FIRST.filter((file) => files.includes(file)), ...files.filter((file) => !LONGEST_FIRST.includes(file))];
}

/** Runs `tsc --noEmit` over the project, its output kept for the end of the run. */
function typeCheck(): { done: Promise<Outcome>; output: () => string; stop: () => void } {
  let output = "";
  const args = [TSC, "-p", "tsconfig.json", "--noEmit", "--pretty", "false", "--incremental", "--tsBuildInfoFile", TSC_BUILD_INFO];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  return { done: finished(child), output: () => output, stop: () => void child.kill() };
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2).map((file) => relative(ROOT, resolve(file)));
  const files = requested.length > 0 ? requested : allTestFiles();
  const check = requested.length > 0 ? undefined : typeCheck();

  let cap: CapProcess | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env[CAP_ORIGIN_VARIABLE]) {
    try {
      cap = await spawnCap();
    } catch (error) {
      check?.stop();
      throw error;
    }
    env[CAP_ORIGIN_VARIABLE] = cap.origin;
  }

  let tests: Outcome;
  try {
    const runner = spawn(
      process.execPath,
      ["--import", "tsx", "--test", "--test-reporter=spec", `--test-concurrency=${CONCURRENCY}`, ...files],
      { cwd: ROOT, env, stdio: "inherit" },
    );
    tests = await finished(runner);
  } finally {
    await cap?.stop();
  }

  let failed = tests.code !== 0;
  if (check) {
    const typed = await check.done;
    if (typed.code !== 0) {
      failed = true;
      process.stdout.write(`\ntsc --noEmit failed (exit ${typed.code ?? typed.signal}):\n${check.output()}\n`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
