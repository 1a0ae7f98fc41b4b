/**
 * `npm run demo`: a short tour of traverse-odata against the demo service it ships
 * (demo/service.ts), written as a user of the library would write it. One function per section.
 *
 * Environment (all optional; the tests use them to run the tour quickly):
 * - `DEMO_JOB_MS`       how long an export job runs at the service, ms        (default 3000)
 * - `DEMO_POLL_MS`      the client's pollInterval, ms                         (default 200)
 * - `DEMO_RETRY_AFTER`  seconds in the service's Retry-After, 0 for none      (default 1)
 * - `DEMO_EXPORT_ROWS`  products per export                                   (default 50000)
 * - `DEMO_PRODUCTS`     products in the collection                            (default 1000000)
 */
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import {
  AsyncOperationCancelledError,
  AsyncOperationFailedError,
  ODataClient,
  type AsyncPoller,
} from "../src/index.js";
import { startDemoService } from "./service.js";
import type { Product } from "./products.js";
import { heading, line, progressDisplay, rateDisplay, type Output } from "./terminal.js";

/** The created export, as the service's `ExportJobs` entity set describes it. */
interface ExportResult {
  ID: number;
  format: "csv" | "json";
  rowCount: number;
  size: number;
  url: string;
  checksum: string;
  createdAt: string;
  finishedAt: string;
}

/** What every section gets. */
interface Tour {
  serviceUrl: string;
  client: ODataClient;
  out: Output;
  pollInterval: number;
  exportRows: number;
  productCount: number;
}

const out: Output = process.stdout;

/** The sections of the tour, in order. */
const SECTIONS: ReadonlyArray<readonly [title: string, run: (tour: Tour) => Promise<void>]> = [
  ["1. An export job with a live progress bar (createAsync + onProgress + wait)", exportWithProgressBar],
  ["2. Polling by hand (poll + status + percentComplete, OData 4.0 application/http result)", pollByHand],
  ["3. Cancelling a job (cancel)", cancelJob],
  ["4. A job that fails at the service", failingJob],
  ["5. Resuming in another client (toJSON + resumeAsync)", resumeInAnotherClient],
  ["6. Walking the Products collection", walkProducts],
];

async function main(): Promise<void> {
  const jobDuration = envInteger("DEMO_JOB_MS", 3_000);
  const pollInterval = envInteger("DEMO_POLL_MS", 200);
  const retryAfter = envInteger("DEMO_RETRY_AFTER", 1);
  const exportRows = envInteger("DEMO_EXPORT_ROWS", 50_000);
  const productCount = envInteger("DEMO_PRODUCTS", 1_000_000);
  const started = performance.now();

  const service = await startDemoService({ jobDuration, retryAfter, exportRows, productCount });
  try {
    line(out, `demo service: ${service.serviceUrl} (export jobs run ${jobDuration} ms; ${productCount.toLocaleString("en-US")} products)`);
    const client = new ODataClient({ serviceUrl: service.serviceUrl });
    const tour: Tour = { serviceUrl: service.serviceUrl, client, out, pollInterval, exportRows, productCount };
    for (const [title, run] of SECTIONS) {
      heading(out, title);
      await run(tour);
    }
  } finally {
    await service.close();
  }
  heading(out, "Done");
  line(out, `the tour took ${((performance.now() - started) / 1000).toFixed(1)} s; the service is closed`);
}

/** Section 1: start an export, draw its progress as it is polled, print the typed result. */
async function exportWithProgressBar({ client, out, pollInterval, exportRows }: Tour): Promise<void> {
  const bar = progressDisplay(out, "export");
  const poller = await client.collection("ExportJobs").createAsync<ExportResult>(
    { format: "csv", maxRows: exportRows },
    { pollInterval, onProgress: (status, percent) => bar.update(status, barPercent(status, percent)) },
  );
  line(out, `202 Accepted; status monitor: ${poller.statusUrl}`);
  bar.update(poller.status(), poller.percentComplete());
  const result = await poller.wait();
  bar.finish();
  printExport(out, result);
  line(out, `downloaded ${result.url}: checksum ${(await checksumOf(result.url)) === result.checksum ? "verified" : "DOES NOT MATCH"}`);
}

/** Section 2: the loop `wait()` runs, written out: poll, look, sleep, until poll() says done. */
async function pollByHand({ client, out, pollInterval, exportRows }: Tour): Promise<void> {
  const poller = await client
    .collection("ExportJobs")
    .createAsync<ExportResult>({ format: "json", maxRows: Math.ceil(exportRows / 5), resultForm: "4.0" });
  let polls = 0;
  while (await poller.poll()) {
    polls += 1;
    line(out, `poll ${String(polls).padStart(2)}: ${poller.status().padEnd(10)} ${percentText(poller.percentComplete())}`);
    await sleep(pollInterval);
  }
  line(out, `poll ${String(polls + 1).padStart(2)}: ${poller.status().padEnd(10)} (poll() returned false; isDone() = ${poller.isDone()})`);
  printExport(out, poller.result());
}

/** Section 3: cancel a running job; `wait()` then rejects, and the monitor is gone. */
async function cancelJob({ client, out, pollInterval }: Tour): Promise<void> {
  const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv" });
  // Let the job get going, so that there is something to cancel.
  for (let polls = 0; polls < 20 && (await poller.poll()) && poller.percentComplete() <= 0; polls++) await sleep(pollInterval);
  line(out, `job running: ${poller.status()} ${percentText(poller.percentComplete())}`);
  await poller.cancel();
  line(out, `cancel() sent DELETE ${poller.statusUrl}`);
  try {
    await poller.wait();
    line(out, "wait() resolved, which it should not after a cancel");
  } catch (error) {
    if (!(error instanceof AsyncOperationCancelledError)) throw error;
    line(out, `wait() rejected: ${error.name} (code ${error.code}, status "${error.status}", isDone() = ${poller.isDone()})`);
  }
  const monitor = await fetch(poller.statusUrl);
  await monitor.body?.cancel();
  line(out, `GET on the monitor now answers ${monitor.status}`);
}

/** Section 4: the service accepts the job and reports its failure at the end, with an OData error. */
async function failingJob({ client, out, pollInterval }: Tour): Promise<void> {
  const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "xlsx" }, { pollInterval });
  line(out, `202 Accepted for format "xlsx"; waiting...`);
  try {
    await poller.wait();
    line(out, "wait() resolved, which it should not for an unsupported format");
  } catch (error) {
    if (!(error instanceof AsyncOperationFailedError)) throw error;
    line(out, `wait() rejected: ${error.name} (code ${error.code})`);
    line(out, `  httpStatus:          ${error.httpStatus}`);
    line(out, `  odataError.code:     ${error.odataError?.code}`);
    line(out, `  odataError.message:  ${error.odataError?.message}`);
    line(out, `  odataError.target:   ${error.odataError?.target}`);
  }
}

/** Section 5: one client starts a job and stops; another one, given only the token, finishes it. */
async function resumeInAnotherClient({ serviceUrl, client, out, pollInterval, exportRows }: Tour): Promise<void> {
  const first: AsyncPoller<ExportResult> = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv", maxRows: exportRows });
  await first.poll();
  const saved = JSON.stringify(first.toJSON());
  line(out, `first client stops after one poll and saves: ${saved}`);

  const other = new ODataClient({ serviceUrl });
  const bar = progressDisplay(out, "resumed");
  const resumed = other.resumeAsync<ExportResult>(JSON.parse(saved), {
    pollInterval,
    onProgress: (status, percent) => bar.update(status, barPercent(status, percent)),
  });
  const result = await resumed.wait();
  bar.finish();
  line(out, `the other client got export ${result.ID}: ${result.rowCount.toLocaleString("en-US")} rows, ${result.checksum.slice(0, 23)}…`);
}

/**
 * Section 6: walk every product with `for await`, first page after page (the next page is read
 * while this loop works on the current one), then as one unpaged response read entity by entity.
 * The walks run against a copy of the service in its own process, as a real service would be, so
 * that the figures are the client's and not a server sharing its event loop.
 */
async function walkProducts({ out, productCount }: Tour): Promise<void> {
  const service = await startServiceProcess(productCount);
  try {
    const client = new ODataClient({ serviceUrl: service.serviceUrl, maxPageSize: 5_000 });
    const expectedSum = (productCount * (productCount + 1)) / 2;
    for (const [entitySet, how] of [
      ["Products", "server-paged, 5,000 a page (Prefer: odata.maxpagesize)"],
      ["ProductsUnpaged", "one unpaged response, parsed as it arrives"],
    ] as const) {
      line(out, `${entitySet}: ${how}`);
      const memory = peakMemory();
      const display = rateDisplay(out, "walk", productCount, memory.current);
      let rows = 0;
      let idSum = 0;
      for await (const product of client.collection<Product>(entitySet)) {
        rows += 1;
        idSum += product.ID;
        if ((rows & 1023) === 0) display.update(rows);
      }
      display.finish(rows);
      memory.stop();
      const complete = rows === productCount && idSum === expectedSum;
      line(out, `${rows.toLocaleString("en-US")} products, ID sum ${complete ? "as expected" : "DOES NOT MATCH"}; peak RSS ${Math.round(memory.peak() / 2 ** 20)} MB`);
    }
  } finally {
    service.stop();
  }
}

/** Samples this process's resident memory every 50 ms and keeps the peak. */
function peakMemory(): { current: () => number; peak: () => number; stop: () => void } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    current: () => {
      const rss = process.memoryUsage.rss();
      peak = Math.max(peak, rss);
      return rss;
    },
    peak: () => peak,
    stop: () => clearInterval(timer),
  };
}

/** Starts demo/serve.ts in a child process; it ends when this process ends (its stdin closes). */
async function startServiceProcess(productCount: number): Promise<{ serviceUrl: string; stop: () => void }> {
  const script = fileURLToPath(new URL("./serve.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, "--stdin-lifeline"], {
    env: { ...process.env, DEMO_PRODUCTS: String(productCount) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const stop = () => {
    child.stdin.end();
    child.kill();
  };
  const lines = createInterface({ input: child.stdout });
  for await (const text of lines) {
    const started = JSON.parse(text) as { serviceUrl: string };
    lines.close();
    return { serviceUrl: started.serviceUrl, stop };
  }
  stop();
  throw new Error("the demo service process ended before it listened");
}

// --- helpers ------------------------------------------------------------------------------------

function printExport(out: Output, result: ExportResult): void {
  line(out, `export ${result.ID} (${result.format}): ${result.rowCount.toLocaleString("en-US")} rows, ${result.size.toLocaleString("en-US")} bytes`);
  line(out, `  url:      ${result.url}`);
  line(out, `  checksum: ${result.checksum}`);
}

/**
 * The percentage to draw. The final answer carries the result rather than a percentage, so
 * `percentComplete()` keeps the last one reported while running; a finished export is drawn full.
 */
function barPercent(status: string, percent: number): number {
  return status === "Succeeded" ? 100 : percent;
}

function percentText(percent: number): string {
  return percent < 0 ? "(no progress reported)" : `${percent}%`;
}

/** The export file's checksum, as the service computes it (`sha256:<hex>`). */
async function checksumOf(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status}`);
  const hash = createHash("sha256");
  for await (const chunk of response.body) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}

function envInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0; got ${JSON.stringify(text)}`);
  return value;
}

main().catch((error: unknown) => {
  process.exitCode = 1;
  console.error(error);
});
