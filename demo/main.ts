/**
 * `npm run demo`: a short tour of traverse-odata against the demo service it ships
 * (demo/service.ts), written as a user of the library would write it. One function per section.
 *
 * Environment (all optional; the tests use them to run the tour quickly):
 * - `DEMO_JOB_MS`       how long an export job runs at the service, ms        (default 3000)
 * - `DEMO_POLL_MS`      the client's pollInterval, ms                         (default 200)
 * - `DEMO_RETRY_AFTER`  seconds in the service's Retry-After, 0 for none      (default 1)
 * - `DEMO_EXPORT_ROWS`  products per export                                   (default 50000)
 * - `DEMO_PRODUCTS`     products in the collection, at least 1                (default 1000000)
 *
 * The tour checks what it shows: a step that does not turn out as it says prints `FAILED: ...`, and
 * the tour then ends with exit code 1.
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
  ODataHttpError,
  type AsyncPoller,
  type BatchEntityHandle,
  type BatchHandle,
  type BatchResult,
} from "../src/index.js";
import { startDemoService, type DemoService } from "./service.js";
import type { Product } from "./products.js";
import { heading, line, progressDisplay, rateDisplay, type Output } from "./terminal.js";
import { wireLog, type WireLog } from "./wire.js";

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

/** An order of the service's `Orders` entity set, as the client reads it. */
interface Order {
  /** The ETag, in the OData 4.0 form of the annotation (4.01 payloads may write `@etag`). */
  "@odata.etag"?: string;
  "@etag"?: string;
  ID: number;
  customer: string;
  productID: number;
  quantity: number;
  status: "open" | "shipped" | "cancelled";
  carrier: string | null;
  amount: number;
  revision: number;
}

/** What every section gets. */
interface Tour {
  serviceUrl: string;
  service: DemoService;
  client: ODataClient;
  /**
   * The client of sections 7 to 11: SAP-style CSRF handling on (the service wants a token for
   * changes to orders), OData 4.01 (delta answers in the 4.01 form), and a wire log.
   */
  orders: ODataClient;
  wire: WireLog;
  out: Output;
  pollInterval: number;
  exportRows: number;
  productCount: number;
  /** The ID of the n-th product the tour orders (n >= 1), wrapped into a small catalogue. */
  product(n: number): number;
}

/** A setting the tour cannot run with: its message is printed alone, without a stack trace. */
class SetupError extends Error {}

let failures = 0;

/** Reports a step that did not turn out as the tour says; the tour then exits with 1. */
function failed(out: Output, text: string): void {
  failures += 1;
  line(out, `FAILED: ${text}`);
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
  ["7. Writing with ETags, behind a CSRF token (create, get, update, 412, 428, delete)", writeWithEtags],
  ["8. Actions and functions, bound and unbound", callOperations],
  ["9. $batch: reads and changesets in one request", sendBatch],
  ["10. Change tracking: a tracked read, then only what changed (delta)", trackChanges],
  ["11. The service model from $metadata", readMetadata],
];

async function main(): Promise<void> {
  const jobDuration = envInteger("DEMO_JOB_MS", 3_000);
  const pollInterval = envInteger("DEMO_POLL_MS", 200);
  const retryAfter = envInteger("DEMO_RETRY_AFTER", 1);
  const exportRows = envInteger("DEMO_EXPORT_ROWS", 50_000);
  const productCount = envInteger("DEMO_PRODUCTS", 1_000_000);
  // Orders name products, and sections 7 to 10 work on orders: an empty catalogue has none to name.
  if (productCount < 1) throw new SetupError(`DEMO_PRODUCTS must be at least 1 for the tour (its orders name products); got ${productCount}`);
  const started = performance.now();

  const service = await startDemoService({ jobDuration, retryAfter, exportRows, productCount });
  try {
    line(out, `demo service: ${service.serviceUrl} (export jobs run ${jobDuration} ms; ${productCount.toLocaleString("en-US")} products)`);
    const client = new ODataClient({ serviceUrl: service.serviceUrl });
    const wire = wireLog(out, service.serviceUrl);
    const orders = new ODataClient({ serviceUrl: service.serviceUrl, version: "4.01", csrf: true, fetch: wire.fetch });
    const product = (n: number) => ((n - 1) % productCount) + 1;
    const tour: Tour = { serviceUrl: service.serviceUrl, service, client, orders, wire, out, pollInterval, exportRows, productCount, product };
    for (const [title, run] of SECTIONS) {
      heading(out, title);
      await run(tour);
    }
  } finally {
    await service.close();
  }
  heading(out, "Done");
  line(out, `the tour took ${((performance.now() - started) / 1000).toFixed(1)} s; the service is closed`);
  if (failures > 0) {
    line(out, `${failures} step(s) FAILED (see above)`);
    process.exitCode = 1;
  }
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
  if ((await checksumOf(result.url)) === result.checksum) line(out, `downloaded ${result.url}: checksum verified`);
  else failed(out, `downloaded ${result.url}: checksum DOES NOT MATCH`);
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
  if (poller.isDone()) {
    // A short job (DEMO_JOB_MS) can end before the tour gets to cancel it: there is nothing to cancel.
    line(out, `the job finished before it could be cancelled: ${poller.status()}; cancel() is not called, no DELETE sent`);
    const result = await poller.wait();
    line(out, `wait() resolved with export ${result.ID}, as it should for a finished job`);
    return;
  }
  line(out, `job running: ${poller.status()} ${percentText(poller.percentComplete())}`);
  try {
    await poller.cancel();
  } catch (error) {
    // The job may finish between the last poll and the DELETE: the service then answers 409.
    if (!(error instanceof ODataHttpError) || error.status !== 409) throw error;
    line(out, `cancel() sent DELETE ${poller.statusUrl}: ${error.status} ${error.odataError?.code}, the job finished first`);
    const result = await poller.wait();
    line(out, `wait() resolved with export ${result.ID}, as it should for a job that finished`);
    return;
  }
  line(out, `cancel() sent DELETE ${poller.statusUrl}`);
  try {
    await poller.wait();
    failed(out, "wait() resolved, which it should not after a cancel");
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
    failed(out, "wait() resolved, which it should not for an unsupported format");
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
      const text = `${rows.toLocaleString("en-US")} products, ID sum ${complete ? "as expected" : "DOES NOT MATCH"}; peak RSS ${Math.round(memory.peak() / 2 ** 20)} MB`;
      if (complete) line(out, text);
      else failed(out, text);
    }
  } finally {
    service.stop();
  }
}

/**
 * Section 7: create, read, update and delete an order. Each change names the version it applies to
 * (If-Match from the ETag read); a stale ETag is refused with 412, a missing one with 428. The client
 * fetches a CSRF token before its first change and reuses it for the others.
 */
async function writeWithEtags({ orders: client, service, wire, out, serviceUrl, product }: Tour): Promise<void> {
  const orders = client.collection<Order>("Orders");
  const created = await wire.watch(() => orders.create({ customer: "Linus", productID: product(12), quantity: 3 }));
  if (!created) throw new Error("the service created the order without answering with it");
  line(out, `created order ${created.ID}: ${created.quantity} x product ${created.productID} = ${created.amount.toFixed(2)}, ETag ${created["@odata.etag"]}`);

  const read = await orders.key(created.ID).get();
  line(out, `read it back: status ${read.status}, ETag ${read["@odata.etag"]}`);

  const updated = await wire.watch(() => orders.key(created.ID).update({ quantity: 4 }, { etag: read, prefer: "representation" }));
  line(out, `updated with the ETag read: quantity ${updated?.quantity}, amount ${updated?.amount.toFixed(2)}, new ETag ${updated?.["@odata.etag"]}`);

  try {
    await wire.watch(() => orders.key(created.ID).update({ quantity: 9 }, { etag: read }));
    failed(out, "the stale update went through, which it should not");
  } catch (error) {
    if (!(error instanceof ODataHttpError)) throw error;
    line(out, `the same update with the old ETag: ${error.status} ${error.odataError?.code}`);
    line(out, `  message: ${error.odataError?.message}`);
  }
  try {
    await orders.key(created.ID).update({ quantity: 9 }, { etag: false });
    failed(out, "the update without an ETag went through, which it should not");
  } catch (error) {
    if (!(error instanceof ODataHttpError)) throw error;
    line(out, `without any ETag: ${error.status} ${error.odataError?.code}`);
  }

  await wire.watch(() => orders.key(created.ID).delete({ etag: updated ?? read }));
  const gone = await orders.key(created.ID).get().then(
    () => "still there",
    (error: unknown) => (error instanceof ODataHttpError ? `answers ${error.status}` : "failed"),
  );
  if (gone === "answers 404") line(out, `deleted with the current ETag; GET Orders(${created.ID}) now ${gone}`);
  else failed(out, `deleted with the current ETag, yet GET Orders(${created.ID}) ${gone}`);

  // A client without csrf: true is refused, and told why.
  const plain = new ODataClient({ serviceUrl, fetch: wire.fetch });
  await wire
    .watch(() => plain.collection<Order>("Orders").create({ customer: "Linus", productID: product(12), quantity: 1 }))
    .then(
      () => failed(out, "a client without csrf: true created an order, which it should not"),
      (error: unknown) => {
        if (!(error instanceof ODataHttpError)) throw error;
        line(out, `a client without csrf: true is refused: ${error.status} ${error.odataError?.code}`);
      },
    );
  const stats = service.stats();
  line(out, `CSRF token fetches so far: ${stats.csrfTokenFetches} (one per session, reused for every change); refusals: ${stats.csrfRefusals}`);
}

/** Section 8: functions (GET, parameters in the URL) and actions (POST, parameters in the body), typed results. */
async function callOperations({ orders: client, wire, out }: Tour): Promise<void> {
  const orders = client.collection<Order>("Orders");
  const openTotal = await wire.watch(() => client.function<number>("totalValue", { status: "open" }).get());
  line(out, `totalValue(status='open') = ${openTotal.toFixed(2)} (a number, unwrapped from {"value": ...})`);

  const discounted = await wire.watch(() => orders.key(1).function<number>("Demo.discountedAmount", { percent: 10 }).get());
  const first = await orders.key(1).get();
  line(out, `order 1 costs ${first.amount.toFixed(2)}; with 10% off ${discounted.toFixed(2)}`);

  const shipped = await wire.watch(() => orders.key(1).action<Order>("Demo.ship").invoke({ carrier: "Pony Express" }, { etag: first }));
  line(out, `shipped order 1: status ${shipped.status}, carrier ${shipped.carrier}, ETag ${first["@odata.etag"]} -> ${shipped["@odata.etag"]}`);
  try {
    await orders.key(1).action<Order>("Demo.ship").invoke({ carrier: "Pony Express" }, { etag: shipped });
    failed(out, "shipping it again went through, which it should not");
  } catch (error) {
    if (!(error instanceof ODataHttpError)) throw error;
    line(out, `shipping it again: ${error.status} ${error.odataError?.code}: ${error.odataError?.message}`);
  }

  const cancelled = await wire.watch(() => client.action<number>("cancelOpenOrders").invoke({ customer: "Ada" }));
  line(out, `cancelOpenOrders(customer: "Ada") cancelled ${cancelled} order(s)`);
  const after = await client.function<number>("totalValue", { status: "open" }).get();
  line(out, `totalValue(status='open') is now ${after.toFixed(2)}`);
}

/**
 * Section 9: one `$batch` with reads, a changeset whose second request updates what its first
 * created (`$<Content-ID>`), and a changeset that fails: all its requests read as failed, and
 * nothing of it stays.
 */
async function sendBatch({ orders: client, wire, out, product }: Tour): Promise<void> {
  const orders = client.collection<Order>("Orders");
  // An OData 4.01 client sends JSON batches by default; the demo service reads the multipart form.
  const batch = client.batch({ format: "multipart" });
  const order2 = batch.get(orders.key(2));
  const firstTwo = batch.page(orders.top(2));
  const openTotal = batch.function<number>("totalValue", { status: "open" });
  let created!: BatchEntityHandle<Order, Order | undefined>;
  let raised!: BatchHandle<Order | undefined>;
  batch.changeset((changeset) => {
    created = changeset.create(orders, { customer: "Margaret", productID: product(5), quantity: 1 });
    raised = changeset.update(created.ref(), { quantity: 2 }, { ifMatch: "*", prefer: "representation" });
  });
  let doomed!: BatchEntityHandle<Order, Order | undefined>;
  let stale!: BatchHandle<Order | undefined>;
  batch.changeset((changeset) => {
    doomed = changeset.create(orders, { customer: "Edsger", productID: product(6), quantity: 1 });
    stale = changeset.update(orders.key(2), { quantity: 7 }, { etag: 'W/"1"' });
  });
  const results = await wire.watch(() => batch.send());
  line(out, `${results.length} requests in one POST $batch; every one succeeded: ${results.ok}`);
  const show = <T>(label: string, result: BatchResult<T>, describe: (value: T) => string) => {
    if (result.ok) line(out, `  ${label.padEnd(37)} ${result.status}  ${describe(result.value)}`);
    else line(out, `  ${label.padEnd(37)} ${result.status ?? "-"}  failed: ${result.error instanceof ODataHttpError ? result.error.odataError?.code : result.error.code}`);
  };
  show("GET Orders(2)", order2.result(), (order) => `order ${order.ID} of ${order.customer}, ${order.status}`);
  show("GET Orders?$top=2", firstTwo.result(), (page) => `orders ${page.value.map((order) => order.ID).join(", ")}`);
  show("GET totalValue(status='open')", openTotal.result(), (total) => total.toFixed(2));
  show("changeset 1: POST Orders", created.result(), (order) => `created order ${order?.ID} (Content-ID ${created.contentId})`);
  show(`changeset 1: PATCH $${created.contentId}`, raised.result(), (order) => `order ${order?.ID} now has quantity ${order?.quantity}`);
  show("changeset 2: POST Orders", doomed.result(), () => "");
  show(`changeset 2: PATCH Orders(2) (stale)`, stale.result(), () => "");
  const edsger = (await orders.list()).filter((order) => order.customer === "Edsger").length;
  if (edsger === 0) line(out, `the failed changeset left nothing behind: ${edsger} orders of Edsger`);
  else failed(out, `the failed changeset left ${edsger} orders of Edsger behind`);
}

/** Section 10: read the orders with change tracking, change some, then read only the changes. */
async function trackChanges({ orders: client, wire, out, product }: Tour): Promise<void> {
  const orders = client.collection<Order>("Orders");
  let deltaLink: string | undefined;
  let pages = 0;
  let count = 0;
  await wire.watch(async () => {
    for await (const page of orders.trackChanges().pages({ maxPageSize: 2, readAhead: 0 })) {
      pages += 1;
      count += page.value.length;
      deltaLink = page.deltaLink ?? deltaLink;
    }
  });
  const link: string | undefined = deltaLink;
  if (link === undefined) throw new Error("the service sent no delta link");
  line(out, `tracked read: ${count} orders in ${pages} pages (2 a page); the last page carries the delta link`);
  line(out, `  ${link}`);

  const added = await orders.create({ customer: "Barbara", productID: product(8), quantity: 2 });
  const two = await orders.key(2).get();
  await orders.key(2).update({ quantity: two.quantity + 1 }, { etag: two });
  const three = await orders.key(3).get();
  await orders.key(3).delete({ etag: three });
  line(out, `then: created order ${added?.ID}, updated order 2, deleted order 3`);

  const changes = wire.watch(async () => {
    const pages = [];
    for await (const page of client.delta<Order>(link)) pages.push(page);
    return pages;
  });
  for (const page of await changes) {
    for (const order of page.changed) line(out, `  changed: order ${order.ID} (${order.customer}, quantity ${order.quantity}, ETag ${order["@etag"] ?? order["@odata.etag"]})`);
    for (const removed of page.removed) line(out, `  removed: ${removed.id ?? JSON.stringify(removed.key)} (${removed.reason ?? "no reason given"})`);
    if (page.deltaLink) line(out, `  next delta link: ${page.deltaLink}`);
  }
}

/** Section 11: what `$metadata` says, read into a model: sets, keys, ETags, operations, annotations. */
async function readMetadata({ orders: client, out }: Tour): Promise<void> {
  const model = await client.metadata();
  for (const set of model.container()?.entitySets ?? []) {
    const type = model.entityTypeOf(set);
    const key = model.keyOf(type).map((ref) => ref.name).join(", ");
    const etag = model.etagProperties(set);
    const tracking = model.annotation(set, "Capabilities.ChangeTracking");
    const tracked = typeof tracking === "object" && tracking !== null && !Array.isArray(tracking) && tracking["Supported"] === true;
    line(out, `${set.name.padEnd(16)} ${type.qualifiedName.padEnd(13)} key ${key}${etag.length > 0 ? `; ETag from ${etag.join(", ")}` : ""}${tracked ? "; change tracking" : ""}`);
  }
  const order = model.entityTypeOf("Orders");
  const computed = model.propertiesOf(order).filter((property) => model.annotation(property, "Core.Computed") === true);
  line(out, `computed by the service (Core.Computed): ${computed.map((property) => property.name).join(", ")}`);
  const signature = (operation: { name: string; bound: boolean; parameters: { name: string; type: string }[]; returnType?: { type: string } }) => {
    const parameters = operation.parameters.slice(operation.bound ? 1 : 0).map((parameter) => `${parameter.name}: ${parameter.type}`);
    return `${operation.name}(${parameters.join(", ")}) -> ${operation.returnType?.type ?? "nothing"}`;
  };
  for (const operation of model.boundOperations(order)) line(out, `bound to ${order.name}: ${operation.kind.toLowerCase()} ${signature(operation)}`);
  const container = model.container();
  for (const item of container?.functionImports ?? []) for (const fn of model.functions(item.function)) line(out, `function import: ${signature(fn)}`);
  for (const item of container?.actionImports ?? []) for (const action of model.actions(item.action)) line(out, `action import: ${signature(action)}`);
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
  if (!/^\d{1,15}$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new SetupError(`${name} must be an integer >= 0; got ${JSON.stringify(text)}`);
  return value;
}

// `npm run demo | head` closes the pipe early: the reader has what it wanted, so the tour stops quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

main().catch((error: unknown) => {
  process.exitCode = 1;
  if (error instanceof SetupError) console.error(`demo: ${error.message}`);
  else console.error(error);
});
