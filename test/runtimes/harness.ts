/**
 * Runs the conformance script (conformance.ts) in every runtime the README names and collects
 * their reports. The library reaches each runtime as an ESM bundle of src and the script, made
 * with esbuild from the sources (no `npm run build` needed), with code splitting as an application
 * would bundle it: the parts the library loads with `import()` on first use (writes, long-running
 * operations, `$batch`, CSRF ...) are chunks of their own, which each runtime loads when the
 * scenarios first use them (browsers fetch them from the page server; workerd gets them as modules
 * of the worker). Deno, Bun and workerd come as npm
 * dev dependencies with their binaries inside; Chromium and Firefox are the Debian packages
 * `chromium` and `firefox-esr` (.ci/run installs them). Each browser is started once, headless,
 * on a page that runs the script in the window and in a module Web Worker at the same time.
 *
 * The page is served from `http://odata-page.test:<port>`, a name the browsers are told to resolve
 * to 127.0.0.1. Browsers treat `localhost` and every 127.x.x.x address as potentially trustworthy
 * (a secure context), so a page there would hide what a plain-http page meets (no
 * `crypto.randomUUID`); a host name that is not `localhost` does not count as one.
 *
 * A runtime that cannot be found or started rejects its report with the reason: its tests fail.
 * A scenario that hangs in a runtime fails only its own tests there: the script bounds each
 * scenario (SCENARIO_DEADLINE in conformance.ts) and reports the others' outcomes. A runtime that
 * sends no report at all is stopped, and its tests fail with what it printed (the command-line
 * runtimes and workerd print a line per scenario started and settled), the scenarios it left
 * unsettled, and its last requests to the service.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { PROGRESS_PREFIX, runConformance, SCENARIO_DEADLINE, type ConformanceConfig, type ConformanceReport } from "./conformance.js";
import { startConformanceServers, type ConformanceServers } from "./service.js";
import { sendText, startServer } from "../servers/recording-server.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Every runtime the conformance script runs in, by report name. */
export const RUNTIMES = ["node", "deno", "bun", "workerd", "chromium", "chromium-worker", "firefox", "firefox-worker"] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

/** Runtimes that run the script on behalf of a web page (CORS applies, redirects are opaque). */
export const BROWSER_RUNTIMES: ReadonlySet<RuntimeName> = new Set(["chromium", "chromium-worker", "firefox", "firefox-worker"]);

/** The host name the test page is served under; the browsers resolve it to 127.0.0.1. */
export const PAGE_HOST = "odata-page.test";

/**
 * How long a runtime may take from its start to its report: its two rounds of scenarios (each
 * within SCENARIO_DEADLINE) and its start on a loaded machine. Beyond it the runtime is stuck
 * outside the scenarios (its start, the report's POST) or its event loop is.
 */
const REPORT_TIMEOUT = 2 * SCENARIO_DEADLINE + 40_000;

export interface Harness {
  servers: ConformanceServers;
  /** The report of a runtime; rejects with why there is none (not installed, crashed, too slow). */
  report(runtime: RuntimeName): Promise<ConformanceReport>;
  /** The file of the chunk that `import()` of the module `src/<module>` loads. */
  chunkOf(module: string): string | undefined;
  /** The module files (entries and chunks) a browser's page and worker fetched, in order. */
  modulesFetchedBy(browser: "chromium" | "firefox"): readonly string[];
  close(): Promise<void>;
}

interface Deferred<T> {
  promise: Promise<T>;
  /** Whether it was resolved or rejected (the first call counts, as with the promise). */
  readonly settled: boolean;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolvePromise!: (value: T) => void;
  let rejectPromise!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolvePromise = res;
    rejectPromise = rej;
  });
  // Tests await it later; a runtime that fails early must not be an unhandled rejection meanwhile.
  promise.catch(() => {});
  let settled = false;
  return {
    promise,
    get settled() {
      return settled;
    },
    resolve(value) {
      settled = true;
      resolvePromise(value);
    },
    reject(error) {
      settled = true;
      rejectPromise(error);
    },
  };
}

/** A started runtime process: its output is kept for the failure message. */
interface Launched {
  name: string;
  child: ChildProcess;
  /** The end of what it printed (stdout and stderr as they came), at most {@link OUTPUT_KEPT} characters. */
  output: { text: string };
  /** When it was started (Date.now()). */
  startedAt: number;
  exited: Promise<number | null>;
}

/** How much of a runtime's output is kept: the progress lines of a whole run, and then some. */
const OUTPUT_KEPT = 64 * 1024;

/** Starts the servers, bundles the script, starts every runtime and gathers their reports. */
export async function startHarness(): Promise<Harness> {
  const work = mkdtempSync(join(tmpdir(), "traverse-odata-runtimes-"));
  const servers = await startConformanceServers();
  const reports = new Map<RuntimeName, Deferred<ConformanceReport>>(RUNTIMES.map((name) => [name, deferred<ConformanceReport>()]));
  const launched: Launched[] = [];
  const { files: bundles, chunkOf } = await bundleEntries(work);
  const fetched = new Map<string, string[]>([
    ["chromium", []],
    ["firefox", []],
  ]);

  const pages = await startServer((request, res) => {
    const report = /^\/report\/([\w-]+)$/.exec(request.path);
    if (request.method === "POST" && report) {
      sendText(res, 204, "");
      return receive(report[1] as RuntimeName, request.body);
    }
    const page = /^\/page\/(chromium|firefox)\/(index\.html|[\w-]+\.mjs)$/.exec(request.path);
    if (request.method === "GET" && page) {
      const [, browser = "", file = ""] = page;
      if (file === "index.html") return sendText(res, 200, pageHtml(browser as "chromium" | "firefox"), { "content-type": "text/html; charset=utf-8" });
      // The entries and the chunks they import, statically or with import().
      const module = bundles.get(file);
      if (module !== undefined) {
        fetched.get(browser)?.push(file);
        return sendText(res, 200, module, { "content-type": "text/javascript" });
      }
    }
    sendText(res, 404, "not found");
  });
  const pageOrigin = `http://${PAGE_HOST}:${new URL(pages.origin).port}`;

  function config(runtime: RuntimeName, reportOrigin: string): ConformanceConfig {
    return { runtime, serviceRoot: servers.serviceRoot(runtime), reportUrl: `${reportOrigin}/report/${runtime}` };
  }

  function pageHtml(browser: "chromium" | "firefox"): string {
    const configs = { window: config(browser, pageOrigin), worker: config(`${browser}-worker`, pageOrigin) };
    // A page that fails to load its module still reports, so that the test says why.
    const fatal = (runtime: string) =>
      `fetch(${JSON.stringify(`/report/${runtime}`)}, { method: "POST", body: JSON.stringify({ runtime: ${JSON.stringify(runtime)}, fatal: { name: "PageError", message: String(message) } }) });`;
    return [
      "<!doctype html>",
      "<title>traverse-odata conformance</title>",
      `<script type="application/json" id="config">${JSON.stringify(configs)}</script>`,
      `<script>window.addEventListener("error", (event) => { const message = event.message; ${fatal(browser)} ${fatal(`${browser}-worker`)} });</script>`,
      '<script type="module" src="./window.mjs"></script>',
    ].join("\n");
  }

  /**
   * Why a runtime has no report, for its tests' failure: whether its process still ran, the
   * scenarios it started and did not settle (from its progress lines), its last requests to the
   * service (which show how far a browser got), and the end of its output.
   */
  function noReport(runtime: RuntimeName, process: Launched, what: string): string {
    const lines = [`${runtime} ${what}.`];
    const progress = progressOf(process.output.text);
    if (progress.lines.length === 0) lines.push("It printed no progress line (the command-line runtimes and workerd print one per scenario started and settled).");
    else {
      lines.push(`Scenarios started and not settled: ${progress.unsettled.length > 0 ? progress.unsettled.join(", ") : "none"}.`);
      lines.push(`Its last progress line: ${progress.lines.at(-1) ?? ""}`);
    }
    const requests = servers.requestsOf(runtime).filter((request) => request.method !== "OPTIONS");
    const since = (at: number) => `+${((at - process.startedAt) / 1000).toFixed(1)} s`;
    lines.push(
      requests.length === 0
        ? "No request of it reached the service."
        : `Its last requests to the service (of ${requests.length}, seconds after its start):\n${requests
            .slice(-8)
            .map((request) => `  ${since(request.at)} ${request.method} ${request.route}`)
            .join("\n")}`,
    );
    lines.push(`Its output (the end):\n${tail(process)}`);
    return lines.join("\n");
  }

  function receive(runtime: RuntimeName, body: string): void {
    const waiting = reports.get(runtime);
    if (!waiting) return;
    let parsed: ConformanceReport & { fatal?: { name: string; message: string } };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      return waiting.reject(new Error(`${runtime} posted a report that is not JSON: ${body.slice(0, 200)}`));
    }
    if (parsed.fatal) return waiting.reject(new Error(`${runtime} could not run the script: ${parsed.fatal.name}: ${parsed.fatal.message}`));
    waiting.resolve(parsed);
  }

  /** Ties a runtime's report to its processes: an exit or a timeout without a report rejects it. */
  function watch(runtimes: RuntimeName[], start: () => Launched): void {
    let process: Launched;
    try {
      process = start();
    } catch (error) {
      for (const runtime of runtimes) reports.get(runtime)?.reject(new Error(`${runtime} could not be started: ${(error as Error).message}`));
      return;
    }
    launched.push(process);
    for (const runtime of runtimes) {
      const waiting = reports.get(runtime) as Deferred<ConformanceReport>;
      const timer = setTimeout(() => {
        // Stopped once none of its runtimes can still report (a browser runs two): a runtime
        // stuck now would otherwise run on until the harness closes, loading the machine.
        const last = runtimes.every((name) => name === runtime || reports.get(name)?.settled);
        const running = process.child.exitCode === null && process.child.signalCode === null;
        const state = !running ? `its process ended (${process.child.exitCode ?? process.child.signalCode})` : last ? "its process was still running and is stopped now" : "its process is still running";
        waiting.reject(new Error(noReport(runtime, process, `sent no report within ${REPORT_TIMEOUT} ms; ${state}`)));
        if (last) void stop(process);
      }, REPORT_TIMEOUT);
      void waiting.promise.finally(() => clearTimeout(timer)).catch(() => {});
      void process.exited.then((code) => {
        // A command-line runtime exits after posting; give the report a moment to be read.
        setTimeout(() => waiting.settled || waiting.reject(new Error(noReport(runtime, process, `exited (code ${code}) without a report`))), 500);
      });
    }
  }

  watch(["deno"], () => {
    const deno = packageBinary("@deno/linux-x64-glibc", "deno");
    const entry = join(work, "cli.mjs");
    // The bundle imports nothing outside itself: --no-remote and --no-npm make a stray import fail
    // at once rather than fetch; --no-prompt makes a missing permission throw rather than ask on
    // stdin; DENO_DIR is the run's own, so no cache of an earlier run (or of the user) is read.
    // --expose-gc: stalledBodies collects garbage while its reads wait (see there).
    const flags = ["--no-config", "--no-lock", "--no-remote", "--no-npm", "--no-prompt", "--allow-net=127.0.0.1", "--v8-flags=--expose-gc"];
    return launch("deno", deno, ["run", ...flags, entry, JSON.stringify(config("deno", pages.origin))], work, {
      DENO_DIR: join(work, "deno-dir"),
      DENO_NO_UPDATE_CHECK: "1",
    });
  });
  watch(["bun"], () => {
    const bun = packageBinary("@oven/bun-linux-x64", "bin/bun");
    return launch("bun", bun, ["--no-install", join(work, "cli.mjs"), JSON.stringify(config("bun", pages.origin))], work, {});
  });
  watch(["workerd"], () => {
    const workerd = packageBinary("@cloudflare/workerd-linux-64", "bin/workerd");
    writeFileSync(join(work, "workerd.capnp"), workerdConfig(JSON.stringify(config("workerd", pages.origin)), [...bundles.keys()]));
    return launch("workerd", workerd, ["test", join(work, "workerd.capnp")], work, {});
  });
  watch(["chromium", "chromium-worker"], () => {
    const chromium = findExecutable(["chromium", "chromium-browser"], "the Debian package chromium");
    const profile = join(work, "chromium-profile");
    return launch(
      "chromium",
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-features=HttpsUpgrades",
        "--no-proxy-server",
        `--host-resolver-rules=MAP ${PAGE_HOST} 127.0.0.1`,
        `--user-data-dir=${profile}`,
        `${pageOrigin}/page/chromium/index.html`,
      ],
      work,
      {},
    );
  });
  watch(["firefox", "firefox-worker"], () => {
    const firefox = findExecutable(["firefox-esr", "firefox"], "the Debian package firefox-esr");
    const profile = join(work, "firefox-profile");
    writeFirefoxProfile(profile);
    return launch("firefox", firefox, ["--headless", "--no-remote", "--profile", profile, `${pageOrigin}/page/firefox/index.html`], work, { MOZ_CRASHREPORTER_DISABLE: "1" });
  });
  // Node runs the script in this very process, like any user of the library would.
  // The report goes through JSON as the other runtimes' do, so that all are compared alike.
  runConformance(config("node", pages.origin)).then(
    (report) => reports.get("node")?.resolve(JSON.parse(JSON.stringify(report)) as ConformanceReport),
    (error: unknown) => reports.get("node")?.reject(error instanceof Error ? error : new Error(String(error))),
  );

  return {
    servers,
    report: (runtime) => (reports.get(runtime) as Deferred<ConformanceReport>).promise,
    chunkOf,
    modulesFetchedBy: (browser) => fetched.get(browser) ?? [],
    async close() {
      await Promise.all(launched.map(stop));
      await Promise.all([servers.close(), pages.close()]);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * Bundles the entries (src included) into ESM files in `work`, split into chunks; returns the text
 * of every file by name (the entries `cli.mjs`, `workerd.mjs`, `window.mjs`, `worker.mjs`, and the
 * chunks), and which chunk `import()` of a module of `src/` loads.
 */
async function bundleEntries(work: string): Promise<{ files: Map<string, string>; chunkOf: (module: string) => string | undefined }> {
  const result = await build({
    entryPoints: {
      cli: join(HERE, "entry-cli.ts"),
      workerd: join(HERE, "entry-workerd.ts"),
      window: join(HERE, "entry-window.ts"),
      worker: join(HERE, "entry-worker.ts"),
    },
    outdir: work,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    splitting: true,
    write: true,
    metafile: true,
    logLevel: "silent",
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((error) => error.text).join("; ")}`);
  const outputs = Object.entries(result.metafile.outputs);
  const files = new Map(outputs.map(([output]) => [basename(output), readFileSync(join(work, basename(output)), "utf8")]));
  const src = `${resolve(HERE, "../../src")}/`;
  const lazy = new Map(outputs.flatMap(([output, { entryPoint }]) => (entryPoint && resolve(entryPoint).startsWith(src) ? [[resolve(entryPoint).slice(src.length), basename(output)] as const] : [])));
  return { files, chunkOf: (module) => lazy.get(module) };
}

/**
 * The workerd configuration: the bundle as the worker's modules (its entry first, then every
 * chunk, named as the bundle imports them), the harness's configuration as a text binding, and an
 * outbound network service that may reach loopback addresses (workerd refuses 127.0.0.1
 * otherwise: "connecting to 127.0.0.1 is not allowed").
 */
function workerdConfig(configJson: string, files: readonly string[]): string {
  const chunks = files.filter((file) => !["cli.mjs", "workerd.mjs", "window.mjs", "worker.mjs"].includes(file));
  const modules = ["workerd.mjs", ...chunks].map((file) => `(name = ${JSON.stringify(file)}, esModule = embed ${JSON.stringify(file)})`);
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "conformance", worker = .worker),
    (name = "loopback", network = (allow = ["public", "private", "local"])),
  ],
);

const worker :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
  bindings = [(name = "CONFIG", text = ${JSON.stringify(configJson)})],
);
`;
}

/** A fresh Firefox profile: the page's host name resolves to 127.0.0.1, no first-run traffic. */
function writeFirefoxProfile(profile: string): void {
  const prefs: Record<string, string | boolean | number> = {
    "network.dns.localDomains": PAGE_HOST,
    // Plain http stays plain http (no upgrade attempt to https first).
    "dom.security.https_first": false,
    "dom.security.https_only_mode": false,
    "browser.shell.checkDefaultBrowser": false,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "datareporting.healthreport.uploadEnabled": false,
    "toolkit.telemetry.reportingpolicy.firstRun": false,
    "app.update.enabled": false,
    "app.normandy.enabled": false,
    "extensions.update.enabled": false,
    "browser.safebrowsing.malware.enabled": false,
    "browser.safebrowsing.phishing.enabled": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
    "network.proxy.type": 0,
  };
  mkdirSync(profile, { recursive: true });
  writeFileSync(join(profile, "user.js"), Object.entries(prefs).map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`).join("\n"));
}

/** The binary inside an npm package (a dev dependency), or an error that says what is missing. */
function packageBinary(name: string, file: string): string {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`the dev dependency ${name} holds a linux-x64 binary; this machine is ${process.platform}-${process.arch}`);
  }
  let root: string;
  try {
    root = dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new Error(`the npm package ${name} is not installed (a dev dependency: run npm install)`);
  }
  const binary = join(root, file);
  if (!existsSync(binary)) throw new Error(`${binary} is missing from the npm package ${name}`);
  return binary;
}

/** The first of `names` found on PATH. */
function findExecutable(names: string[], installHint: string): string {
  for (const directory of (process.env["PATH"] ?? "").split(delimiter)) {
    for (const name of names) {
      const candidate = resolve(directory, name);
      if (directory !== "" && existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`none of ${names.join(", ")} is on PATH (install ${installHint}; .ci/run does)`);
}

function launch(name: string, command: string, args: string[], cwd: string, env: Record<string, string>): Launched {
  // Its own process group, so that stopping it also stops the processes it started (browsers).
  // The servers are on loopback: a proxy from the environment must not be asked for them.
  const childEnv = { ...process.env, NO_COLOR: "1", NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost", ...env };
  const startedAt = Date.now();
  const child = spawn(command, args, { cwd, env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const output = { text: "" };
  const keep = (chunk: Buffer) => {
    output.text += chunk.toString("utf8");
    if (output.text.length > OUTPUT_KEPT) output.text = output.text.slice(-OUTPUT_KEPT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolveExit) => {
    child.on("exit", (code) => resolveExit(code));
    child.on("error", (error) => {
      output.text += `could not start ${command}: ${error.message}\n`;
      resolveExit(null);
    });
  });
  return { name, child, output, startedAt, exited };
}

function tail(process: Launched): string {
  return process.output.text.split("\n").slice(-30).join("\n");
}

/**
 * A runtime's progress lines (see `Progress` in conformance.ts) in its output, and the scenarios
 * they say were started and not settled.
 */
function progressOf(output: string): { lines: string[]; unsettled: string[] } {
  const lines = output.split("\n").filter((line) => line.startsWith(`${PROGRESS_PREFIX} `));
  // Each scenario started and not settled, with the parts of it that did settle (stalledBodies/mediaStall ...).
  const unsettled = new Map<string, string[]>();
  for (const line of lines) {
    const text = line.slice(PROGRESS_PREFIX.length + 1);
    const started = /^started (\S+)$/.exec(text);
    if (started) unsettled.set(started[1] as string, []);
    const settled = /^(?:ok|failed \([^)]*\)) (\S+) after /.exec(text);
    if (settled) unsettled.delete(settled[1] as string);
    const part = /^(\S+)\/(\S+) /.exec(text);
    if (part) unsettled.get(part[1] as string)?.push(part[2] as string);
  }
  return { lines, unsettled: [...unsettled].map(([name, parts]) => (parts.length > 0 ? `${name} (of its parts these settled: ${parts.join(", ")})` : name)) };
}

async function stop(launched: Launched): Promise<void> {
  const { child } = launched;
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  await launched.exited;
}
