/**
 * Runs the demo service on its own: `npx tsx demo/serve.ts`, then try it with curl or the client.
 * Prints one JSON line `{"serviceUrl": ...}` on stdout when it listens (benchmarks read it) and
 * stops on SIGINT or SIGTERM; with `--stdin-lifeline` also when its stdin closes, so that a parent
 * process that pipes stdin takes it along when it ends, however it ends.
 *
 * Environment (optional): `DEMO_PORT`, `DEMO_PRODUCTS`, `DEMO_PAGE_SIZE` (at least 1), `DEMO_JOB_MS`,
 * `DEMO_RETRY_AFTER`, `DEMO_EXPORT_ROWS`, and `DEMO_LOG=1` for a request log on stderr.
 */
import { startDemoService, type DemoServiceOptions } from "./service.js";

const options: DemoServiceOptions = {};
// The least value each accepts: a page of no products would never end a walk of Products.
const fromEnv: ReadonlyArray<readonly [string, "port" | "productCount" | "pageSize" | "jobDuration" | "retryAfter" | "exportRows", least: number]> = [
  ["DEMO_PORT", "port", 0],
  ["DEMO_PRODUCTS", "productCount", 0],
  ["DEMO_PAGE_SIZE", "pageSize", 1],
  ["DEMO_JOB_MS", "jobDuration", 0],
  ["DEMO_RETRY_AFTER", "retryAfter", 0],
  ["DEMO_EXPORT_ROWS", "exportRows", 0],
];
for (const [variable, option, least] of fromEnv) {
  const text = process.env[variable];
  if (text === undefined || text === "") continue;
  // The variable is named in the message: the option it sets is no word the user wrote.
  const value = /^\s*\d{1,15}\s*$/.test(text) ? Number(text) : Number.NaN;
  const problem =
    Number.isNaN(value) || value < least
      ? `an integer >= ${least}${option === "pageSize" ? " (the page size of Products when a client asks for none)" : ""}`
      : option === "port" && value > 65_535
        ? "a port number from 0 to 65535"
        : undefined;
  if (problem !== undefined) {
    process.stderr.write(`demo/serve.ts: ${variable} must be ${problem}; got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  options[option] = value;
}
if (process.env.DEMO_LOG === "1") {
  options.onRequest = (method, url, status) => process.stderr.write(`${status} ${method} ${url}\n`);
}

const service = await startDemoService(options).catch((error: unknown) => {
  // The port is the user's choice (DEMO_PORT), so a port taken by another process is told as that
  // choice, not as listen()'s stack.
  if ((error as { code?: unknown } | null)?.code !== "EADDRINUSE") throw error;
  process.stderr.write(`demo/serve.ts: DEMO_PORT ${options.port} is in use on 127.0.0.1; set DEMO_PORT to a free port, or 0 for any\n`);
  process.exit(2);
});
process.stdout.write(`${JSON.stringify({ serviceUrl: service.serviceUrl })}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  service.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
if (process.argv.includes("--stdin-lifeline")) {
  process.stdin.once("end", stop);
  process.stdin.once("close", stop);
  process.stdin.resume();
}
