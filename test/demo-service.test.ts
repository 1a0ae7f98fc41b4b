/**
 * The demo service (demo/service.ts) behaves as its documentation says, seen through the library's
 * public API where the library has one (export jobs) and through raw HTTP where it does not yet
 * (collection paging); and `npm run demo` runs to its end.
 *
 * The export jobs run on fake time (test/fake-time.ts): the service reads its clock to move a job
 * on, and the test lets each of the poller's sleeps of pollInterval pass at once. `npm run demo`
 * runs them on the real clock.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  AsyncOperationCancelledError,
  AsyncOperationFailedError,
  ODataClient,
  ODataHttpError,
  type AsyncPoller,
} from "../src/index.js";
import { startDemoService, type DemoService } from "../demo/service.js";
import { useFakeTime } from "./fake-time.js";

interface ExportResult {
  ID: number;
  format: string;
  rowCount: number;
  size: number;
  url: string;
  checksum: string;
}

// Compile-time check (never called): createAsync<T> gives AsyncPoller<T>, and result() a T.
export async function createAsyncIsTyped(client: ODataClient): Promise<ExportResult> {
  const poller: AsyncPoller<ExportResult> = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv" });
  return poller.result();
}

const PRODUCTS = 2_345;
const JOB_MS = 400;
const POLL_MS = 25;

async function sha256Of(url: string): Promise<string> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return `sha256:${createHash("sha256").update(Buffer.from(await response.arrayBuffer())).digest("hex")}`;
}

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Follows @odata.nextLink from `url` and returns every page's body. */
async function allPages(url: string, headers: Record<string, string> = {}): Promise<any[]> {
  const pages: any[] = [];
  let next: string | undefined = url;
  while (next !== undefined) {
    const page = await getJson(next, headers);
    assert.equal(page.status, 200, `GET ${next}`);
    pages.push(page.body);
    next = page.body["@odata.nextLink"];
    assert.ok(pages.length <= 1_000, "the nextLink chain does not end");
  }
  return pages;
}

describe("demo service: export jobs through the async poller", () => {
  let service: DemoService;
  let client: ODataClient;
  before(async () => {
    service = await startDemoService({ productCount: PRODUCTS, pageSize: 1_000, jobDuration: JOB_MS, retryAfter: 0, exportRows: 500 });
    client = new ODataClient({ serviceUrl: service.serviceUrl });
  });
  after(() => service.close());

  test("POST with respond-async answers 202 with Location, Retry-After and Preference-Applied", async () => {
    const withRetryAfter = await startDemoService({ productCount: 10, jobDuration: JOB_MS, retryAfter: 2 });
    try {
      const response = await fetch(`${withRetryAfter.serviceUrl}ExportJobs`, {
        method: "POST",
        headers: { "content-type": "application/json", prefer: "respond-async" },
        body: JSON.stringify({ format: "csv" }),
      });
      assert.equal(response.status, 202);
      assert.match(response.headers.get("location") ?? "", /^http:\/\/127\.0\.0\.1:\d+\/odata\/v4\/demo\/\$monitor\/[\w-]+$/);
      assert.equal(response.headers.get("retry-after"), "2");
      assert.equal(response.headers.get("preference-applied"), "respond-async");
      assert.deepEqual(await response.json(), { status: "NotStarted", percentComplete: 0, rowsExported: 0, rowCount: 10 });
    } finally {
      await withRetryAfter.close();
    }
  });

  test("createAsync + wait gives the typed export, with a checksum of the file it serves", async (t) => {
    const time = useFakeTime(t);
    const progress: Array<[string, number]> = [];
    const poller = await client
      .collection("ExportJobs")
      .createAsync<ExportResult>({ format: "csv", maxRows: 300 }, { pollInterval: POLL_MS, onProgress: (status, pct) => progress.push([status, pct]) });
    assert.equal(poller.status(), "NotStarted");
    const result = await time.run(poller.wait(), POLL_MS);
    assert.equal(result.format, "csv");
    assert.equal(result.rowCount, 300);
    assert.match(result.checksum, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await sha256Of(result.url), result.checksum);
    const file = await (await fetch(result.url)).text();
    assert.equal(file.split("\n").filter((row) => row !== "").length, 301, "a header line and 300 rows");
    assert.equal(Buffer.byteLength(file), result.size);
    assert.deepEqual(await getJson(`${service.serviceUrl}ExportJobs(${result.ID})`).then((r) => r.body.checksum), result.checksum);
  });

  test("progress goes NotStarted → Running with rising percentages → Succeeded", async (t) => {
    const time = useFakeTime(t);
    const progress: Array<[string, number]> = [];
    const poller = await client
      .collection("ExportJobs")
      .createAsync<ExportResult>({ format: "json", maxRows: 400 }, { pollInterval: POLL_MS, onProgress: (status, pct) => progress.push([status, pct]) });
    const started = time.now();
    await time.run(poller.wait(), POLL_MS);
    // On the fake clock the job takes exactly its duration, polled every POLL_MS.
    assert.equal(progress.length, JOB_MS / POLL_MS);
    assert.equal(time.now() - started, JOB_MS);
    const statuses = progress.map(([status]) => status);
    assert.ok(statuses.length >= 3, `a few polls: ${JSON.stringify(progress)}`);
    assert.equal(statuses.at(-1), "Succeeded");
    assert.ok(statuses.includes("Running"), JSON.stringify(progress));
    const firstRunning = statuses.indexOf("Running");
    assert.ok(statuses.slice(0, firstRunning).every((status) => status === "NotStarted"), JSON.stringify(progress));
    assert.ok(statuses.slice(firstRunning, -1).every((status) => status === "Running"), JSON.stringify(progress));
    const percents = progress.map(([, pct]) => pct);
    assert.ok(percents.every((pct, i) => i === 0 || pct >= (percents[i - 1] as number)), `never falls: ${percents}`);
    assert.ok(percents.every((pct) => pct >= 0 && pct < 100), `running answers stay below 100: ${percents}`);
  });

  test("the OData 4.0 form (application/http) gives the same typed result", async (t) => {
    const time = useFakeTime(t);
    const poller = await client
      .collection("ExportJobs")
      .createAsync<ExportResult>({ format: "json", maxRows: 50, resultForm: "4.0" }, { pollInterval: POLL_MS });
    const result = await time.run(poller.wait(), POLL_MS);
    assert.equal(result.rowCount, 50);
    assert.equal(await sha256Of(result.url), result.checksum);
    const parsed = JSON.parse(await (await fetch(result.url)).text()) as Array<{ ID: number }>;
    assert.deepEqual(parsed.map((product) => product.ID), Array.from({ length: 50 }, (_, i) => i + 1));

    const monitor = await fetch(poller.statusUrl);
    assert.equal(monitor.status, 200);
    assert.equal(monitor.headers.get("content-type"), "application/http");
    assert.match(await monitor.text(), /^HTTP\/1\.1 201 Created\r\nContent-Type: application\/json/);
  });

  test("the OData 4.01 form answers 200 with AsyncResult: 201 and the export as body", async (t) => {
    const time = useFakeTime(t);
    const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv", maxRows: 10 }, { pollInterval: POLL_MS });
    const result = await time.run(poller.wait(), POLL_MS);
    const monitor = await fetch(poller.statusUrl);
    assert.equal(monitor.status, 200);
    assert.equal(monitor.headers.get("asyncresult"), "201");
    assert.equal(monitor.headers.get("location"), `${service.serviceUrl}ExportJobs(${result.ID})`);
    assert.equal(((await monitor.json()) as ExportResult).checksum, result.checksum);
  });

  test("cancel() deletes the monitor: wait() rejects with AsyncOperationCancelledError, GET answers 404", async () => {
    const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv" }, { pollInterval: POLL_MS });
    assert.equal(await poller.poll(), true);
    await poller.cancel();
    assert.equal(poller.isDone(), true);
    await assert.rejects(poller.wait(), (error: unknown) => {
      assert.ok(error instanceof AsyncOperationCancelledError);
      assert.equal(error.code, "ASYNC_OPERATION_CANCELLED");
      assert.equal(error.statusUrl, poller.statusUrl);
      return true;
    });
    const monitor = await fetch(poller.statusUrl);
    assert.equal(monitor.status, 404);
    assert.equal(((await monitor.json()) as { error: { code: string } }).error.code, "NotFound");
    assert.equal((await fetch(poller.statusUrl, { method: "DELETE" })).status, 404);
  });

  test("an unsupported format fails the job: AsyncOperationFailedError with httpStatus 400 and the OData error", async (t) => {
    const time = useFakeTime(t);
    const poller = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "xlsx" }, { pollInterval: POLL_MS });
    await assert.rejects(time.run(poller.wait(), POLL_MS), (error: unknown) => {
      assert.ok(error instanceof AsyncOperationFailedError);
      assert.equal(error.httpStatus, 400);
      assert.equal(error.odataError?.code, "UnsupportedFormat");
      assert.equal(error.odataError?.target, "format");
      assert.match(error.odataError?.message ?? "", /'xlsx' is not supported/);
      return true;
    });
    const monitor = await fetch(poller.statusUrl);
    assert.equal(monitor.status, 200);
    assert.equal(monitor.headers.get("asyncresult"), "400");
  });

  test("an invalid export request is refused at once with 400 (no job)", async () => {
    await assert.rejects(client.collection("ExportJobs").createAsync({ format: "csv", maxRows: -1 }), (error: unknown) => {
      assert.ok(error instanceof ODataHttpError);
      assert.equal(error.status, 400);
      assert.equal(error.odataError?.target, "maxRows");
      return true;
    });
  });

  test("without respond-async the export runs synchronously and answers 201", async () => {
    const response = await fetch(`${service.serviceUrl}ExportJobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ format: "csv", maxRows: 20 }),
    });
    assert.equal(response.status, 201);
    const created = (await response.json()) as ExportResult;
    assert.equal(response.headers.get("location"), `${service.serviceUrl}ExportJobs(${created.ID})`);
    assert.equal(await sha256Of(created.url), created.checksum);
  });

  test("toJSON() in one client, resumeAsync() in another finishes the same job", async (t) => {
    const time = useFakeTime(t);
    const first = await client.collection("ExportJobs").createAsync<ExportResult>({ format: "csv", maxRows: 100 });
    await first.poll();
    const other = new ODataClient({ serviceUrl: service.serviceUrl });
    const resumed = other.resumeAsync<ExportResult>(JSON.parse(JSON.stringify(first.toJSON())), { pollInterval: POLL_MS });
    const result = await time.run(resumed.wait(), POLL_MS);
    assert.equal(result.rowCount, 100);
    assert.equal(await sha256Of(result.url), result.checksum);
  });
});

describe("demo service: Products with server-driven paging", () => {
  let service: DemoService;
  let root: string;
  before(async () => {
    service = await startDemoService({ productCount: PRODUCTS, pageSize: 1_000 });
    root = service.serviceUrl;
  });
  after(() => service.close());

  test("the nextLink chain covers IDs 1..N exactly once, in server pages with $skiptoken", async () => {
    const pages = await allPages(`${root}Products`);
    assert.deepEqual(pages.map((page) => page.value.length), [1_000, 1_000, 345]);
    const ids = pages.flatMap((page) => page.value.map((product: { ID: number }) => product.ID));
    assert.deepEqual(ids, Array.from({ length: PRODUCTS }, (_, i) => i + 1));
    assert.match(pages[0]["@odata.nextLink"], /^http:\/\/127\.0\.0\.1:\d+\/odata\/v4\/demo\/Products\?\$skiptoken=1000$/);
    assert.equal(pages[0]["@odata.context"], `${root}$metadata#Products`);
    assert.deepEqual(Object.keys(pages[0].value[0]), ["ID", "Name", "Category", "Price", "Stock", "ReleaseDate"]);
  });

  test("the same product reads the same on every request (generated from its ID)", async () => {
    const one = await getJson(`${root}Products(1234)`);
    const inPage = (await getJson(`${root}Products?$skip=1233&$top=1`)).body.value[0];
    assert.equal(one.status, 200);
    const { "@odata.context": _context, ...entity } = one.body;
    assert.deepEqual(entity, inPage);
    assert.equal((await fetch(`${root}Products(${PRODUCTS + 1})`)).status, 404);
  });

  test("$top and $skip limit the whole chain; $count=true gives the collection's count on every page", async () => {
    const pages = await allPages(`${root}Products?$skip=10&$top=25&$count=true`, { prefer: "odata.maxpagesize=10" });
    assert.deepEqual(pages.map((page) => page.value.length), [10, 10, 5]);
    assert.deepEqual(
      pages.flatMap((page) => page.value.map((product: { ID: number }) => product.ID)),
      Array.from({ length: 25 }, (_, i) => i + 11),
    );
    assert.deepEqual(pages.map((page) => page["@odata.count"]), [PRODUCTS, PRODUCTS, PRODUCTS]);
    assert.match(pages[0]["@odata.nextLink"], /Products\?\$skip=10&\$top=25&\$count=true&\$skiptoken=20$/);
  });

  test("$skip past the end gives an empty page without nextLink; $top=0 too", async () => {
    for (const query of [`$skip=${PRODUCTS}`, "$top=0"]) {
      const page = await getJson(`${root}Products?${query}`);
      assert.deepEqual(page.body.value, [], query);
      assert.equal(page.body["@odata.nextLink"], undefined, query);
    }
  });

  test("Prefer: odata.maxpagesize sets the page size and is echoed in Preference-Applied", async () => {
    const page = await getJson(`${root}Products`, { prefer: "odata.maxpagesize=7" });
    assert.equal(page.body.value.length, 7);
    assert.equal(page.headers.get("preference-applied"), "odata.maxpagesize=7");
    const pages = await allPages(`${root}Products`, { prefer: "odata.maxpagesize=500" });
    assert.equal(pages.length, 5);
    assert.equal(pages.reduce((sum, p) => sum + p.value.length, 0), PRODUCTS);
    assert.equal((await getJson(`${root}Products`)).headers.get("preference-applied"), null);
  });

  test("$select keeps the named properties and says so in the context URL", async () => {
    const page = await getJson(`${root}Products?$select=ID,Price&$top=2`);
    assert.deepEqual(Object.keys(page.body.value[0]), ["ID", "Price"]);
    assert.equal(page.body["@odata.context"], `${root}$metadata#Products(ID,Price)`);
    assert.equal((await fetch(`${root}Products?$select=Nope`)).status, 400);
  });

  test("bad or unsupported query options are refused with OData errors", async () => {
    const bad = await getJson(`${root}Products?$top=-1`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "InvalidQuery");
    const search = await getJson(`${root}Products?$search=x`);
    assert.equal(search.status, 501);
    assert.equal(search.body.error.code, "NotImplemented");
  });

  test("Products/$count answers the count as text", async () => {
    const response = await fetch(`${root}Products/$count`);
    assert.equal(await response.text(), String(PRODUCTS));
  });

  test("ProductsUnpaged streams the whole collection in one response, honouring $top and $skip", async () => {
    const page = await getJson(`${root}ProductsUnpaged?$count=true`, { prefer: "odata.maxpagesize=10" });
    assert.equal(page.body.value.length, PRODUCTS);
    assert.equal(page.body["@odata.nextLink"], undefined);
    assert.equal(page.body["@odata.count"], PRODUCTS);
    assert.equal(page.headers.get("transfer-encoding"), "chunked");
    const part = await getJson(`${root}ProductsUnpaged?$skip=100&$top=3`);
    assert.deepEqual(part.body.value.map((product: { ID: number }) => product.ID), [101, 102, 103]);
  });

  test("an unpaged million is generated as it is read: a client that stops reading holds the server back", async () => {
    const big = await startDemoService({ productCount: 1_000_000 });
    try {
      const controller = new AbortController();
      const response = await fetch(`${big.serviceUrl}ProductsUnpaged`, { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const first = await reader.read();
      assert.match(new TextDecoder().decode(first.value), /^\{"@odata\.context":/);
      const heapBefore = process.memoryUsage().heapUsed;
      await new Promise((resolve) => setTimeout(resolve, 200));
      // About 110 MB if the server wrote it all at once; backpressure keeps it to socket buffers.
      assert.ok(process.memoryUsage().heapUsed - heapBefore < 50_000_000, "the server did not build the whole response");
      controller.abort();
      await reader.cancel().catch(() => {});
      const after = await getJson(`${big.serviceUrl}Products?$top=1`);
      assert.equal(after.body.value[0].ID, 1, "the service still answers after the client went away");
    } finally {
      await big.close();
    }
  });

  test("$metadata is CSDL XML naming the entity sets", async () => {
    const response = await fetch(`${root}$metadata`);
    assert.equal(response.headers.get("content-type"), "application/xml");
    const xml = await response.text();
    assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\n<edmx:Edmx xmlns:edmx="http:\/\/docs\.oasis-open\.org\/odata\/ns\/edmx" Version="4\.0">/);
    for (const set of ["ExportJobs", "Products", "ProductsUnpaged"]) assert.match(xml, new RegExp(`<EntitySet Name="${set}" EntityType="Demo\\.\\w+"/?>`));
    // Every opened element is closed, in order.
    const stack: string[] = [];
    for (const [, closing, name, selfClosing] of xml.matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>/g)) {
      if (closing) assert.equal(stack.pop(), name);
      else if (!selfClosing) stack.push(name as string);
    }
    assert.deepEqual(stack, []);
  });
});

describe("npm run demo", () => {
  test("runs the whole tour with a small configuration and exits with code 0", async () => {
    const projectRoot = fileURLToPath(new URL("..", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", "demo/main.ts"], {
      cwd: projectRoot,
      env: { ...process.env, DEMO_JOB_MS: "300", DEMO_POLL_MS: "20", DEMO_RETRY_AFTER: "0", DEMO_EXPORT_ROWS: "2000", DEMO_PRODUCTS: "5000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 30_000);
    const [code] = await once(child, "exit");
    clearTimeout(timer);
    assert.equal(code, 0, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`);
    assert.equal(stderr, "");
    for (const heading of [
      "== 1. An export job",
      "== 2. Polling by hand",
      "== 3. Cancelling a job",
      "== 4. A job that fails",
      "== 5. Resuming",
      "== 6. Walking",
      "== 7. Writing with ETags",
      "== 8. Actions and functions",
      "== 9. $batch",
      "== 10. Change tracking",
      "== 11. The service model",
      "== Done ==",
    ]) {
      assert.ok(stdout.includes(heading), `prints ${JSON.stringify(heading)}`);
    }
    assert.doesNotMatch(stdout, /\u001b\[/, "no terminal escapes when stdout is not a terminal");
    assert.match(stdout, /export 100% {2}Succeeded/);
    assert.match(stdout, /export 1 \(csv\): 2,000 rows/);
    assert.match(stdout, /checksum verified/);
    assert.match(stdout, /poll +\d+: Succeeded +\(poll\(\) returned false; isDone\(\) = true\)/);
    assert.match(stdout, /wait\(\) rejected: AsyncOperationCancelledError \(code ASYNC_OPERATION_CANCELLED/);
    assert.match(stdout, /GET on the monitor now answers 404/);
    assert.match(stdout, /wait\(\) rejected: AsyncOperationFailedError/);
    assert.match(stdout, /httpStatus: +400/);
    assert.match(stdout, /odataError\.code: +UnsupportedFormat/);
    assert.match(stdout, /the other client got export \d+: 2,000 rows/);
    assert.equal(stdout.match(/5,000 products, ID sum as expected; peak RSS \d+ MB/g)?.length, 2, "both walks of section 6 read every product");
    // 7: writes with ETags behind one CSRF token.
    assert.match(stdout, /> GET \(service root\) {2}X-CSRF-Token: Fetch\n +< 200 OK {2}X-CSRF-Token: \(the session's token\)\n/);
    assert.match(stdout, /created order 4: 3 x product 12 = [\d.]+, ETag W\/"4"/);
    assert.match(stdout, /> PATCH Orders\(4\) .*If-Match: W\/"4" {2}Prefer: return=representation.*\n +< 200 OK {2}ETag: W\/"5"/);
    assert.match(stdout, /the same update with the old ETag: 412 PreconditionFailed\n +message: Order 4 was changed since W\/"4" was read; its ETag is now W\/"5"\n/);
    assert.match(stdout, /without any ETag: 428 PreconditionRequired/);
    assert.match(stdout, /GET Orders\(4\) now answers 404/);
    assert.match(stdout, /< 403 Forbidden {2}X-CSRF-Token: Required\n +a client without csrf: true is refused: 403 CsrfTokenRequired/);
    assert.match(stdout, /CSRF token fetches so far: 1 \(one per session, reused for every change\); refusals: 1/);
    assert.equal(stdout.match(/X-CSRF-Token: Fetch/g)?.length, 1, "the token is fetched once in the whole tour");
    // 8: operations.
    assert.match(stdout, /> GET totalValue\(status='open'\)/);
    assert.match(stdout, /order 1 costs [\d.]+; with 10% off [\d.]+/);
    assert.match(stdout, /shipped order 1: status shipped, carrier Pony Express, ETag W\/"1" -> W\/"\d+"/);
    assert.match(stdout, /shipping it again: 400 OrderNotOpen/);
    assert.match(stdout, /cancelOpenOrders\(customer: "Ada"\) cancelled 1 order\(s\)/);
    // 9: one $batch.
    assert.match(stdout, /7 requests in one POST \$batch; every one succeeded: false/);
    assert.match(stdout, /changeset 1: PATCH \$4 +200 {2}order 5 now has quantity 2/);
    assert.match(stdout, /changeset 2: POST Orders +412 {2}failed: PreconditionFailed/);
    assert.match(stdout, /changeset 2: PATCH Orders\(2\) \(stale\) +412 {2}failed: PreconditionFailed/);
    assert.match(stdout, /the failed changeset left nothing behind: 0 orders of Edsger/);
    // 10: delta.
    assert.match(stdout, /> GET Orders {2}Prefer: odata\.maxpagesize=2, odata\.track-changes\n +< 200 OK {2}Preference-Applied: odata\.maxpagesize=2, odata\.track-changes\n/);
    assert.match(stdout, /> GET Orders\?\$deltatoken=\d+\n +< 200 OK {2}OData-Version: 4\.01\n/);
    assert.match(stdout, /tracked read: 4 orders in 2 pages/);
    assert.match(stdout, /changed: order 2 \(Grace, quantity 2, ETag W\/"\d+"\)\n +changed: order 6 \(Barbara/);
    assert.match(stdout, /removed: Orders\(3\) \(deleted\)/);
    // 11: the model.
    assert.match(stdout, /Orders +Demo\.Order +key ID; ETag from revision; change tracking/);
    assert.match(stdout, /bound to Order: action ship\(carrier: Edm\.String\) -> Demo\.Order/);
    assert.match(stdout, /function import: totalValue\(status: Edm\.String\) -> Edm\.Decimal/);
    assert.match(stdout, /the service is closed/);
  });
});
