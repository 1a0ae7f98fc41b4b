/**
 * README.md's long-running operation and delta examples run as written against the demo service
 * (demo/service.ts, what `traverse-odata serve` runs): its `ExportJobs` answer `POST` with
 * `Prefer: respond-async` by `202 Accepted` and a status monitor, and its `Orders` track changes.
 * test/readme-examples.test.ts only type-checks these blocks; here each is taken from README.md by
 * the text of its first line (test/readme-run.ts), run, and checked against what the README's
 * comments say it gives and what the service did.
 *
 * What is changed for the run, and nothing else:
 * - the first block's service URL (`https://host/odata/v4/export/`) is the demo service's;
 * - the names a block uses without declaring them are bound: `client` (a client of the demo),
 *   `poller` (of an export job just started, as the first block starts it), `locationHeader` (the
 *   monitor of `exportProducts` started by hand), the reader's `store()`, `upsert()` and `remove()`,
 *   and `console` (to record what a block prints);
 * - "Poll by hand, cancel, or stop and resume" lists alternatives in one block. It runs as written,
 *   in its order, on a job polled to its end (whose `cancel()` then has nothing to do); and its
 *   `cancel()` line and its token lines run again, alone, on a job still running, where they act;
 * - the delta block reads `Orders` where it names `Books` (the demo has no books; CAP, which has,
 *   tracks no changes), and the test changes orders between its two halves ("Later, ...").
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type AsyncPoller } from "../src/index.js";
import { startDemoService, type DemoService } from "../demo/service.js";
import { readmeBlock, readmeLines, recordingConsole, replacedIn, runReadme } from "./readme-run.js";

interface ExportResult { ID: number; rowCount: number; url: string }
interface Order { ID: number; customer: string; productID: number; quantity: number; status: string }

/** A request the demo service answered. */
interface Answered { method: string; path: string; status: number }

/** A demo service and the requests it answered, their paths below the service root. */
interface RecordedDemo { service: DemoService; serviceUrl: string; requests: Answered[] }

async function startRecordedDemo(jobDuration: number): Promise<RecordedDemo> {
  const requests: Answered[] = [];
  const service = await startDemoService({
    productCount: 1_000,
    exportRows: 40,
    retryAfter: 1,
    jobDuration,
    onRequest: (method, url, status) => void requests.push({ method, path: url.replace(/^\/odata\/v4\/demo\//, ""), status }),
  });
  return { service, serviceUrl: service.serviceUrl, requests };
}

let quick: RecordedDemo;
let medium: RecordedDemo;
let slow: RecordedDemo;

before(async () => {
  // Jobs of the quick service finish within the 1 s Retry-After of their start, those of the medium one after a
  // poll or two a second apart, and those of the slow one run for a minute (to be cancelled).
  [quick, medium, slow] = await Promise.all([startRecordedDemo(300), startRecordedDemo(1_500), startRecordedDemo(60_000)]);
});
after(async () => {
  await Promise.all([quick, medium, slow].map((demo) => demo.service.close()));
});

const clientOf = (service: RecordedDemo): ODataClient => new ODataClient({ serviceUrl: service.serviceUrl, retry: false });
async function exportOf(service: RecordedDemo, id: number): Promise<Record<string, unknown>> {
  const answer = await fetch(`${service.serviceUrl}ExportJobs(${id})`);
  assert.equal(answer.status, 200, `ExportJobs(${id}) of ${service.serviceUrl}`);
  return (await answer.json()) as Record<string, unknown>;
}
/** The export's entity as the service gives it, without its context. */
async function exported(service: RecordedDemo, id: number): Promise<Record<string, unknown>> {
  const { "@odata.context": _context, ...entity } = await exportOf(service, id);
  return entity;
}
/** A poller of an export job just started, as the first block starts one. */
const startedPoller = (service: RecordedDemo): Promise<AsyncPoller<ExportResult>> =>
  clientOf(service).collection("ExportJobs").createAsync<ExportResult>({ format: "csv" });
/** A result as JSON data, to compare with the entity the service reads back. */
const entityOf = (result: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(result)) as Record<string, unknown>;

test("Long-running operations: createAsync starts the export, onProgress hears of its end, wait() gives the export the service made", async () => {
  const block = replacedIn(readmeBlock('import { ODataClient, AsyncOperationFailedError } from "traverse-odata";'), '"https://host/odata/v4/export/"', JSON.stringify(quick.serviceUrl));
  const { console, lines } = recordingConsole();
  const sent = quick.requests.length;
  const { result } = await runReadme(block, { console });

  const requests = quick.requests.slice(sent);
  const { ID, rowCount } = result as ExportResult;
  assert.equal(rowCount, 40);
  assert.deepEqual(entityOf(result), await exported(quick, ID));
  // onProgress: called after each poll whose answer was read. The one poll, after the start's 1 s Retry-After, found the job
  // done; its percentage is the last one the service reported, 0 in the answer that started the job.
  assert.deepEqual(lines, [["Succeeded", 0]]);
  assert.deepEqual(requests.map((r) => `${r.method} ${r.path.replace(/\$monitor\/[^/?]+/, "$monitor/…")} ${r.status}`), [
    "POST ExportJobs 202",
    "GET $monitor/… 200",
  ]);
});

const pollCancelResume = readmeBlock("while (await poller.poll()) {");

/** Starts `exportProducts` by hand, as another program would; resolves with its monitor's URL. */
async function exportProductsMonitor(service: RecordedDemo): Promise<string> {
  const started = await fetch(`${service.serviceUrl}exportProducts`, {
    method: "POST",
    headers: { "content-type": "application/json", prefer: "respond-async" },
    body: JSON.stringify({ format: "json", maxRows: 7 }),
  });
  assert.equal(started.status, 202);
  await started.body?.cancel();
  const location = started.headers.get("location");
  assert.ok(location);
  return location;
}

test("Long-running operations: the poll, cancel and resume block runs as written: polled to the end, nothing left to cancel, the token resumes done", async () => {
  const poller = await startedPoller(medium);
  const locationHeader = await exportProductsMonitor(medium);
  const { console, lines } = recordingConsole();
  const sent = medium.requests.length;
  const { result, token, again, fromAction } = (await runReadme(pollCancelResume, { poller, client: clientOf(medium), locationHeader, console })) as {
    result: ExportResult;
    token: string;
    again: AsyncPoller<ExportResult>;
    fromAction: AsyncPoller<ExportResult>;
  };
  const polls = medium.requests.slice(sent);

  // The loop printed the status and percentage of each poll that found the job running; result() is the export made.
  assert.ok(lines.length >= 1, "the first poll, sent at once, found the job running");
  for (const [status, percent] of lines) {
    assert.ok(status === "NotStarted" || status === "Running", `status ${String(status)}`);
    assert.ok(typeof percent === "number" && percent >= 0 && percent < 100, `percent ${String(percent)}`);
  }
  assert.ok(polls.every((r) => r.method === "GET" && `${medium.serviceUrl}${r.path}` === poller.toJSON().statusUrl), "only polls: cancel() of a finished job sends no DELETE");
  assert.deepEqual(polls.map((r) => r.status), [...lines.map(() => 202), 200]);
  assert.equal(poller.status(), "Succeeded");
  assert.deepEqual(entityOf(result), await exported(medium, result.ID));

  // The token of a finished poller holds its result: the poller resumed from it is done and sends nothing.
  assert.equal((JSON.parse(token) as { outcome?: string }).outcome, "succeeded");
  const sentBeforeResumed = medium.requests.length;
  assert.deepEqual(await again.wait(), result);
  assert.equal(medium.requests.length, sentBeforeResumed);

  // asyncPoller() follows the monitor of exportProducts to its export.
  const fromMonitor = await fromAction.wait();
  const monitorPolls = medium.requests.slice(sentBeforeResumed);
  assert.equal(fromMonitor.rowCount, 7);
  const { "@odata.context": _context, ...entity } = entityOf(fromMonitor);
  assert.deepEqual(entity, await exported(medium, fromMonitor.ID));
  assert.ok(monitorPolls.length >= 1);
  assert.ok(monitorPolls.every((r) => r.method === "GET" && `${medium.serviceUrl}${r.path}` === locationHeader));
});

test("Long-running operations: the block's cancel() of a running job sends DELETE on the status monitor, and the job is gone", async () => {
  const poller = await startedPoller(slow);
  const sent = slow.requests.length;
  await runReadme(readmeLines(pollCancelResume, "await poller.cancel();", "const token = JSON.stringify("), { poller });

  assert.equal(poller.status(), "Cancelled");
  const [cancel] = slow.requests.slice(sent);
  assert.equal(slow.requests.length, sent + 1);
  assert.equal(cancel!.method, "DELETE");
  assert.match(cancel!.path, /^\$monitor\//);
  assert.equal(cancel!.status, 204);
  // Read back: the monitor answers 404, and no export was made.
  const monitor = await fetch(`${slow.serviceUrl}${cancel!.path}`);
  await monitor.body?.cancel();
  assert.equal(monitor.status, 404);
  const exports = (await (await fetch(`${slow.serviceUrl}ExportJobs`)).json()) as { value: unknown[] };
  assert.deepEqual(exports.value, []);
});

test("Long-running operations: the block's token of a running job is plain JSON, and resumeAsync() from it waits for that job's export", async () => {
  const poller = await startedPoller(quick);
  const sent = quick.requests.length;
  const { token, again } = await runReadme(readmeLines(pollCancelResume, "const token = JSON.stringify(", "const fromAction = "), { poller, client: clientOf(quick) });

  assert.equal(quick.requests.length, sent, "toJSON() and resumeAsync() send nothing");
  const parsed = JSON.parse(token as string) as { statusUrl: string; outcome?: string };
  assert.equal(JSON.stringify(parsed), token, "a JSON round trip keeps the token");
  assert.equal(parsed.outcome, undefined, "the poller had not seen the job end");
  const result = await (again as AsyncPoller<ExportResult>).wait();
  // The resumed poller polled the monitor the token names.
  const polls = quick.requests.slice(sent);
  assert.deepEqual(entityOf(result), await exported(quick, result.ID));
  assert.ok(polls.length >= 1);
  assert.ok(polls.every((r) => r.method === "GET" && `${quick.serviceUrl}${r.path}` === parsed.statusUrl));
});

test("Delta: the block stores the orders with their delta link, and later gets what changed since: an update, a create, a delete", async () => {
  const block = replacedIn(readmeBlock("let deltaLink: string | undefined;"), 'client.collection<Book>("Books")', 'client.collection<Book>("Orders")');
  const client = clientOf(quick);
  const stored: Order[] = [];
  const store = async (rows: unknown[]): Promise<void> => void stored.push(...(rows as Order[]));
  const first = await runReadme(readmeLines(block, "let deltaLink", "// Later"), { client, store });

  const orders = await client.collection<Order>("Orders").list();
  assert.deepEqual(stored, orders);
  assert.deepEqual(stored.map((o) => o.customer), ["Ada", "Grace", "Ada"]);
  const firstLink = first["deltaLink"] as string;
  assert.match(firstLink, /\$deltatoken=/, "the last page carries the delta link");

  // What happens in between: order 2 changed, one order created, order 3 deleted (the demo wants a CSRF token for writes).
  const writer = new ODataClient({ serviceUrl: quick.serviceUrl, csrf: true, retry: false });
  const two = await writer.collection<Order>("Orders").key(2).get();
  await writer.collection<Order>("Orders").key(2).update({ quantity: 9 }, { etag: two });
  const created = (await writer.collection<Order>("Orders").create({ customer: "Zed", productID: 1, quantity: 1 })) as Order;
  await writer.collection<Order>("Orders").key(3).delete({ ifMatch: "*" });

  const upserted: Partial<Order>[] = [];
  const removed: unknown[] = [];
  const sent = quick.requests.length;
  const later = await runReadme(readmeLines(block, "for await (const page of client.delta<Book>(deltaLink!)) {"), {
    client,
    deltaLink: firstLink,
    upsert: async (order: Partial<Order>) => void upserted.push(order),
    remove: async (idOrKey: unknown) => void removed.push(idOrKey),
  });

  assert.deepEqual(upserted.map(({ ID, quantity, customer }) => ({ ID, quantity, customer })).sort((a, b) => a.ID! - b.ID!), [
    { ID: 2, quantity: 9, customer: "Grace" },
    { ID: created.ID, quantity: 1, customer: "Zed" },
  ]);
  assert.equal(removed.length, 1);
  assert.match(String(removed[0]), /\bOrders\(3\)$/, "gone.id, the removed order's id");
  // The delta link read, on the wire; then a new one, from which nothing has changed.
  const deltaRead = quick.requests.slice(sent);
  assert.deepEqual(deltaRead.map((r) => `${r.method} ${r.status}`), ["GET 200"]);
  assert.equal(`${quick.serviceUrl}${deltaRead[0]!.path}`, new URL(firstLink, quick.serviceUrl).href);
  const laterLink = later["deltaLink"] as string;
  assert.notEqual(laterLink, firstLink);
  const since: unknown[] = [];
  for await (const page of client.delta<Order>(laterLink)) since.push(...page.changed, ...page.removed);
  assert.deepEqual(since, []);
});
