/**
 * Running the real `traverse-odata` binary in tests.
 *
 * `buildCli()` compiles src/ and demo/ into a temporary folder laid out as the package's dist
 * (dist/cli/main.js with its shebang, dist/demo/service.js beside it, package.json above), with
 * esbuild's transform (no bundling: one module per source file, as tsc emits them), so that each
 * spawn is a plain `node dist/cli/main.js` without a TypeScript loader. The package test
 * (test/package.test.ts) runs the binary of the real `npm pack` through `npx`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The outcome of one run of the binary. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let built: Promise<string> | undefined;
const workDirs: string[] = [];

function sourcesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => join(folder, file));
}

/** Builds the binary once per test process; resolves with the path of its main.js. */
export function buildCli(): Promise<string> {
  built ??= (async () => {
    const esbuild = await import("esbuild");
    const out = mkdtempSync(join(tmpdir(), "traverse-cli-"));
    workDirs.push(out);
    const common = { format: "esm", platform: "node", target: "node20", sourcemap: "inline", logLevel: "silent" } as const;
    await esbuild.build({ ...common, entryPoints: sourcesUnder(join(ROOT, "src")), outbase: join(ROOT, "src"), outdir: join(out, "dist") });
    await esbuild.build({ ...common, entryPoints: sourcesUnder(join(ROOT, "demo")), outbase: join(ROOT, "demo"), outdir: join(out, "dist", "demo") });
    cpSync(join(ROOT, "package.json"), join(out, "package.json"));
    return join(out, "dist", "cli", "main.js");
  })();
  return built;
}

/** A fresh folder for a test (removed when the process ends). */
export function tempDir(prefix = "traverse-cli-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  workDirs.push(dir);
  return dir;
}

process.once("exit", () => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * The environment of a run: the test's own, without what would change the binary's behaviour
 * (a TypeScript loader, the test runner's context, credentials or a config folder of the machine),
 * plus `extra`. HOME and XDG_CONFIG_HOME point into an empty folder unless `extra` says otherwise.
 */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(NODE_OPTIONS|NODE_TEST_CONTEXT|TRAVERSE_ODATA_.*|NO_COLOR|FORCE_COLOR|XDG_CONFIG_HOME|APPDATA)$/.test(name)) continue;
    env[name] = value;
  }
  env["HOME"] = emptyHome();
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

let home: string | undefined;
function emptyHome(): string {
  home ??= tempDir("traverse-cli-home-");
  return home;
}

/** Options of one run. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Text for stdin (else stdin is empty and closed). */
  stdin?: string;
  /** Kills the run after this long (the test then fails on its result). @default 60_000 */
  timeoutMs?: number;
}

/** Starts the binary; the caller waits for it with {@link finished}. */
export async function startCli(args: readonly string[], options: RunOptions = {}): Promise<ChildProcess> {
  const main = await buildCli();
  const child = spawn(process.execPath, [main, ...args], {
    cwd: options.cwd ?? tempDir(),
    env: cliEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin?.end(options.stdin ?? "");
  return child;
}

/** Collects a started run's output until it exits. */
export async function finished(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

/** Runs the binary to its end. */
export async function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return finished(await startCli(args, options), options.timeoutMs);
}

/** A run's outcome for assertion messages. */
export function show(result: CliResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ""}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

/**
 * Runs a shell command line under a pseudo-terminal (util-linux `script`), so that the binary's
 * stdout and stderr are a terminal; resolves with everything the terminal received.
 */
export async function runInTerminal(commandLine: string, options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<{ code: number | null; output: string }> {
  // A pseudo-terminal made by script has no size until told: 160 columns, as a wide terminal.
  const child = spawn("script", ["-q", "-e", "-c", `stty cols 160 rows 40 2>/dev/null; ${commandLine}`, "/dev/null"], {
    cwd: options.cwd ?? tempDir(),
    env: cliEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end();
  const result = await finished(child, options.timeoutMs);
  return { code: result.code, output: result.stdout + result.stderr };
}

/** Quotes a word for `sh`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The demo service, run by `traverse-odata serve` (the binary) on a free port. */
export interface ServedDemo {
  serviceUrl: string;
  stop(): Promise<void>;
}

/** Starts `traverse-odata serve --port 0 ...` and waits for the service URL on its stdout. */
export async function serveDemo(args: readonly string[] = []): Promise<ServedDemo> {
  const child = await startCli(["serve", "--port", "0", ...args], { timeoutMs: 600_000 });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`traverse-odata serve exited with ${String(code)} before listening`);
    }),
  ])) as [string];
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  return {
    serviceUrl: line.trim(),
    async stop() {
      process.off("exit", kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGINT");
      await exited;
    },
  };
}

/** Writes a file (its folder made) and returns its path. */
export function writeFile(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}
