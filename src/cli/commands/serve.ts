/**
 * `serve`: the demo OData service that ships with traverse-odata (the repository's demo/service.ts,
 * compiled into the package as dist/demo), on 127.0.0.1, so that the README's command-line
 * examples run as written. It prints its service URL on stdout and runs until Ctrl-C.
 */
import { integerOption, flag } from "../args.js";
import type { Command } from "../context.js";
import { CliUsageError } from "../errors.js";

/** What the command needs of demo/service.ts (checked against it by the tests' type check). */
export interface DemoServiceModule {
  startDemoService(options: {
    port?: number;
    productCount?: number;
    pageSize?: number;
    jobDuration?: number;
    retryAfter?: number;
    onRequest?: (method: string, url: string, status: number) => void;
  }): Promise<{ readonly serviceUrl: string; close(): Promise<void> }>;
}

/** The default port of `serve`: the README's examples name it. */
export const DEFAULT_PORT = 4080;

/**
 * Loads the demo service: compiled beside the command line in the package (dist/cli → dist/demo),
 * its TypeScript source in the repository (src/cli → demo), where a TypeScript loader runs us.
 */
async function loadDemoService(): Promise<DemoServiceModule> {
  const here = import.meta.url;
  const url = here.endsWith(".ts") ? new URL("../../../demo/service.ts", here) : new URL("../../demo/service.js", here);
  return (await import(url.href)) as DemoServiceModule;
}

/** `serve`: the demo service until Ctrl-C; its root on stdout. */
export const serveCommand: Command = {
  spec: {
    name: "serve",
    summary: "Run the demo OData service (products, orders, long-running export jobs) on 127.0.0.1 until Ctrl-C.",
    // Options only: "expected [options]" is what a stray argument is told.
    synopsis: "[options]",
    positionals: { min: 0, max: 0 },
    options: {
      port: { type: "string", value: "PORT", help: `the port (default ${DEFAULT_PORT}; 0 for a free one)` },
      products: { type: "string", value: "N", help: "how many products the Products set holds (default 100000)" },
      "page-size": { type: "string", value: "N", help: "the service's page size (default 1000)" },
      "job-ms": { type: "string", value: "MS", help: "how long an export job runs (default 3000)" },
      log: { type: "boolean", help: "a line on stderr for every request" },
    },
    // It is the service: it sends no request and reads no profile, and draws no progress.
    omits: ["header", "odata-version", "timeout", "config", "debug", "progress"],
    notes: "The service root is printed on stdout: http://127.0.0.1:4080/odata/v4/demo/ by default.",
  },
  async run(context) {
    const { startDemoService } = await loadDemoService();
    const { args, reporter } = context;
    const given = integerOption(args, "port", 0, 65535);
    const port = given ?? DEFAULT_PORT;
    const service = await startDemoService({
      port,
      productCount: integerOption(args, "products", 0) ?? 100_000,
      pageSize: integerOption(args, "page-size", 1) ?? 1_000,
      jobDuration: integerOption(args, "job-ms", 0) ?? 3_000,
      ...(flag(args, "log") ? { onRequest: (method: string, url: string, status: number) => reporter.write(`${status} ${method} ${url}\n`) } : {}),
    }).catch((error: unknown) => {
      // The port is the user's choice (or the default the README names): one taken by another
      // process is a matter of that choice, not a failure of the service (exit 2, not 1).
      if ((error as { code?: unknown } | null)?.code !== "EADDRINUSE") throw error;
      const named = given === undefined ? `the default port ${port} (--port)` : `--port ${port}`;
      throw new CliUsageError(`serve: ${named} is in use on 127.0.0.1; give --port a free port, or --port 0 for any`, { cause: error });
    });
    await context.stdout.write(`${service.serviceUrl}\n`);
    reporter.summary(`the traverse-odata demo service listens on ${service.serviceUrl}; Ctrl-C stops it`);
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      else context.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await service.close();
  },
};
