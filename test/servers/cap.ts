/**
 * Starts the repository's SAP CAP test service (test/servers/cap) as a child process on a free
 * loopback port, for tests that need a real OData v4 and v2 server.
 *
 * Node's test runner runs every test file in its own process, so each file that calls
 * {@link startCap} gets its own server (about 1.5-2 s to start, 100,000 generated rows included)
 * with fresh data. To share one server between files, start it once by hand
 * (`node node_modules/@sap/cds/bin/serve.js all --in-memory --port 4004` in test/servers/cap) and
 * set `TRAVERSE_CAP_ORIGIN=http://127.0.0.1:4004`: startCap then connects to it and `stop()` leaves
 * it running. Tests that change data must then not rely on the seed values.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";

/** A running CAP test server. */
export interface CapServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** OData v4 service root of CatalogService, with a trailing slash. */
  v4: string;
  /** OData v2 service root of CatalogService (through the v2 adapter), with a trailing slash. */
  v2: string;
  /** Process id of the server itself (not of a shell or launcher); `undefined` when shared. */
  pid: number | undefined;
  /** Everything the server wrote to stdout and stderr so far (bounded), for failure messages. */
  output(): string;
  /** Stops the server and resolves once its process has exited. Idempotent. */
  stop(): Promise<void>;
}

const projectDir = fileURLToPath(new URL("./cap/", import.meta.url));
const serveJs = createRequire(import.meta.url).resolve("@sap/cds/bin/serve.js");
const listeningLine = /\[traverse\] CAP listening on (http:\/\/127\.0\.0\.1:\d+)/;
const startTimeoutMs = 30_000;
const stopGraceMs = 3_000;
const outputLimit = 64 * 1024;

function roots(origin: string): Pick<CapServer, "origin" | "v4" | "v2"> {
  return { origin, v4: `${origin}/odata/v4/catalog/`, v2: `${origin}/odata/v2/catalog/` };
}

/**
 * Spawns the CAP server with `--port 0`, waits until it listens and reads the chosen port from
 * its output. The server also exits when this process exits (an 'exit' hook, and the server
 * watches its stdin pipe, which closes even if this process is killed).
 *
 * @example
 * const cap = await startCap();
 * const res = await fetch(`${cap.v4}Books?$top=2`);
 * await cap.stop();
 */
export async function startCap(): Promise<CapServer> {
  const shared = process.env.TRAVERSE_CAP_ORIGIN;
  if (shared) {
    return { ...roots(shared.replace(/\/+$/, "")), pid: undefined, output: () => "", stop: async () => {} };
  }

  const env: NodeJS.ProcessEnv = { ...process.env, TRAVERSE_CAP_EXIT_WITH_STDIN: "1", NO_COLOR: "1" };
  // The server is a plain CommonJS CAP app: no TypeScript loader, no test-runner context, CAP's
  // default (development) profile, and no DEBUG categories turning CAP's tracing on.
  for (const name of ["NODE_OPTIONS", "NODE_TEST_CONTEXT", "NODE_ENV", "CDS_ENV", "DEBUG", "PORT"]) delete env[name];

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

  return { ...roots(origin), pid: child.pid, output: () => output, stop };
}
