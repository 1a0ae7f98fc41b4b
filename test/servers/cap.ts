/**
 * The repository's SAP CAP test service (test/servers/cap) for tests that need a real OData v4 and
 * v2 server.
 *
 * One server serves many databases: a request under `/db/<name>/` is answered from the in-memory
 * database `<name>`, which the server creates with the seed data on its first request (see
 * test/servers/cap/server.js). Every {@link startCap} call gets service roots on a database of
 * its own, so a test file may change data without another file seeing it, even while both run at
 * once against the same server.
 *
 * `npm test` (test/run.ts) starts one server for the whole run and hands its origin to the test
 * files in `TRAVERSE_CAP_ORIGIN`; {@link startCap} then only picks a new database on it, and
 * `stop()` drops that database. A test file run on its own
 * (`node --import tsx --test test/read-cap.test.ts`) has no such variable, and {@link startCap}
 * starts a server for it (about 2.5 s), which `stop()` ends.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

/** A CAP test server: its own process, or the run's shared one. */
export interface CapServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The database this handle's roots address (a `[A-Za-z0-9_-]` name, unique in this process). */
  database: string;
  /** OData v4 service root of CatalogService on {@link database}, with a trailing slash. */
  v4: string;
  /** OData v2 service root of CatalogService (through the v2 adapter) on {@link database}, with a trailing slash. */
  v2: string;
  /** Process id of the server itself (not of a shell or launcher); `undefined` when shared. */
  pid: number | undefined;
  /** Everything the server wrote to stdout and stderr so far (bounded), for failure messages; empty when shared. */
  output(): string;
  /** Stops the server and resolves once its process has exited (or, when shared, drops the database). Idempotent. */
  stop(): Promise<void>;
}

/** A CAP server process started by {@link spawnCap}. */
export interface CapProcess {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Process id of the server. */
  pid: number | undefined;
  /** Everything the server wrote to stdout and stderr so far (bounded). */
  output(): string;
  /** Stops the server and resolves once its process has exited. Idempotent. */
  stop(): Promise<void>;
}

/** The environment variable that names a running CAP test server to share (its origin). */
export const CAP_ORIGIN_VARIABLE = "TRAVERSE_CAP_ORIGIN";

const projectDir = fileURLToPath(new URL("./cap/", import.meta.url));
const serveJs = createRequire(import.meta.url).resolve("@sap/cds/bin/serve.js");
const listeningLine = /\[traverse\] CAP listening on (http:\/\/127\.0\.0\.1:\d+)/;
const startTimeoutMs = 30_000;
const stopGraceMs = 3_000;
const outputLimit = 64 * 1024;

let databasesNamed = 0;

/**
 * A database name unique in this run: the test file's name (for the server's log and for
 * failure messages), this process and a counter.
 */
function newDatabaseName(): string {
  const file = basename(process.argv[1] ?? "cap").replace(/\.test\.[cm]?[jt]s$/, "").replace(/[^A-Za-z0-9_-]/g, "_");
  return `${file.slice(0, 40)}-${process.pid}-${++databasesNamed}`;
}

/** The service roots on one database of the server at `origin`. */
export function capRoots(origin: string, database: string): Pick<CapServer, "origin" | "database" | "v4" | "v2"> {
  const base = `${origin}/db/${database}`;
  return { origin, database, v4: `${base}/odata/v4/catalog/`, v2: `${base}/odata/v2/catalog/` };
}

/**
 * Service roots on a fresh database: on the server named by `TRAVERSE_CAP_ORIGIN` when set, else
 * on a server started for this call, which `stop()` ends.
 *
 * @example
 * const cap = await startCap();
 * const res = await fetch(`${cap.v4}Books?$top=2`);
 * await cap.stop();
 */
export async function startCap(): Promise<CapServer> {
  const database = newDatabaseName();
  const shared = process.env[CAP_ORIGIN_VARIABLE];
  if (shared) {
    const origin = shared.replace(/\/+$/, "");
    let dropping: Promise<void> | undefined;
    // Dropping the database frees its memory on a server that lives for the whole run.
    const drop = async (): Promise<void> => {
      const res = await fetch(`${origin}/db/${database}`, { method: "DELETE" });
      await res.body?.cancel();
      if (res.status !== 204) throw new Error(`dropping CAP database ${database} answered ${res.status}`);
    };
    return { ...capRoots(origin, database), pid: undefined, output: () => "", stop: () => (dropping ??= drop()) };
  }
  const server = await spawnCap();
  return { ...capRoots(server.origin, database), pid: server.pid, output: server.output, stop: server.stop };
}

/**
 * Spawns the CAP server with `--port 0`, waits until it listens and reads the chosen port from
 * its output. The server also exits when this process exits (an 'exit' hook, and the server
 * watches its stdin pipe, which closes even if this process is killed).
 *
 * @example
 * const server = await spawnCap();
 * process.env.TRAVERSE_CAP_ORIGIN = server.origin;
 */
export async function spawnCap(): Promise<CapProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, TRAVERSE_CAP_EXIT_WITH_STDIN: "1", NO_COLOR: "1" };
  // The server is a plain CommonJS CAP app: no TypeScript loader, no test-runner context, CAP's
  // default (development) profile, and no DEBUG categories turning CAP's tracing on.
  for (const name of ["NODE_OPTIONS", "NODE_TEST_CONTEXT", "NODE_ENV", "CDS_ENV", "DEBUG", "PORT", CAP_ORIGIN_VARIABLE]) delete env[name];

  const child = spawn(process.execPath, [serveJs, "all", "--in-memory", "--port", "0"], {
    cwd: projectDir,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });

  let output = "";
  const record = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-outputLimit);
  };
  child.stdout.on("data", record);
  child.stderr.on("data", record);

  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  let origin: string;
  try {
    origin = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`CAP did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      const onData = (): void => {
        const match = listeningLine.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          child.stdout.off("data", onData);
          resolve(match[1]);
        }
      };
      child.stdout.on("data", onData);
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`CAP exited before listening (code ${code}, signal ${signal})`));
      });
    });
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    process.off("exit", killOnExit);
    throw new Error(`${(error as Error).message}\n--- CAP output ---\n${output}`, { cause: error });
  }

  // A test that forgets stop() must not keep its process alive: the child and its pipes no longer
  // hold the event loop, and the 'exit' hook above still ends the server.
  // (The stdio streams of a spawned child are net.Socket instances, which can be unref'd.)
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Socket).unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const grace = setTimeout(() => child.kill("SIGKILL"), stopGraceMs);
        await exited;
        clearTimeout(grace);
      }
      process.off("exit", killOnExit);
    })();
    return stopping;
  };

  return { origin, pid: child.pid, output: () => output, stop };
}
