/**
 * The library in every runtime the README names: Node, Deno, Bun, Cloudflare workerd, Chromium
 * and Firefox (headless, a page on a plain-http origin), and a module Web Worker in each browser.
 * One conformance script (test/runtimes/conformance.ts) runs in each against node:http servers
 * on 127.0.0.1 (test/runtimes/service.ts); these tests assert what each runtime reported and what
 * the servers saw on the wire. A runtime that cannot be found or started fails its tests with the
 * reason; none is skipped. How each runtime is reached: test/runtimes/harness.ts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { LIBRARY_VERSION } from "../src/options.js";
import { BROWSER_RUNTIMES, RUNTIMES, startHarness, type Harness, type RuntimeName } from "./runtimes/harness.js";
import type { ErrorSummary } from "./runtimes/conformance.js";
import { HIDDEN_RETRY_AFTER } from "./runtimes/service.js";

/**
 * The header and method names the README's "Browsers and CORS" section puts in backticks, lower
 * case: what it tells a service to allow.
 */
function readmeCorsNames(): Set<string> {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("### Browsers and CORS");
  assert.ok(start >= 0, "the README has a Browsers and CORS section");
  const end = readme.indexOf("\n## ", start);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/`([A-Za-z][A-Za-z-]*)`/g)].map((match) => (match[1] as string).toLowerCase()));
}

let harness: Harness | undefined;

before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

function running(): Harness {
  assert.ok(harness, "the harness did not start");
  return harness;
}

/** What a scenario observed in a runtime; fails with the runtime's error when it failed. */
async function observed<T>(runtime: RuntimeName, scenario: string): Promise<T> {
  const report = await running().report(runtime);
  const outcome = report.scenarios[scenario];
  assert.ok(outcome, `${runtime} reported nothing for ${scenario}`);
  if (!outcome.ok) assert.fail(`${scenario} failed in ${runtime}: ${outcome.error.name} ${outcome.error.code ?? ""}: ${outcome.error.message}`);
  return outcome.value as T;
}

/** The runtime's requests to the service whose route passes `filter`, preflights left out. */
function wire(runtime: RuntimeName, filter: (route: string) => boolean) {
  return running()
    .servers.requestsOf(runtime)
    .filter((request) => request.method !== "OPTIONS" && filter(request.route));
}

function preflights(runtime: RuntimeName, filter: (route: string) => boolean = () => true) {
  return running()
    .servers.requestsOf(runtime)
    .filter((request) => request.method === "OPTIONS" && filter(request.route));
}

/** The runtime's requests to the other origin whose path ends in `/<suffix>`. */
function otherRequests(runtime: RuntimeName, suffix: string) {
  return running()
    .servers.otherRequestsOf(runtime)
    .filter((request) => request.path.endsWith(`/${suffix}`));
}

/** Milliseconds between the first two requests. */
function gapOf(requests: { at: number }[]): number {
  const [first, second] = requests;
  assert.ok(first && second, "two requests");
  return second.at - first.at;
}

const lines = (requests: { method: string; route: string }[]) => requests.map((request) => `${request.method} ${request.route}`);

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
  return condition();
}

for (const runtime of RUNTIMES) {
  const browser = BROWSER_RUNTIMES.has(runtime);

  describe(`in ${runtime}`, () => {
    test("the conformance script runs and reports", async () => {
      const report = await running().report(runtime);
      assert.equal(report.runtime, runtime);
      if (browser) {
        // What makes the $batch test below meaningful: a plain-http page is no secure context.
        assert.equal(report.environment.secureContext, false, "the test page must not be a secure context");
        assert.equal(report.environment.hasRandomUUID, false, "crypto.randomUUID exists only in secure contexts");
      }
    });

    test("a walk follows the next links over three pages, with the token and the configured header on each", async () => {
      const { titles } = await observed<{ titles: string[] }>(runtime, "walk");
      assert.deepEqual(titles, ["One", "Two", "Three", "Four", "Five"]);
      const pages = wire(runtime, (route) => route.startsWith("Books") && !route.startsWith("Books("));
      assert.deepEqual(lines(pages), ["GET Books", "GET Books?$skiptoken=2", "GET Books?$skiptoken=4"]);
      for (const page of pages) {
        assert.equal(page.headers["authorization"], `Bearer token-${runtime}`);
        assert.equal(page.headers["x-tenant"], `tenant-${runtime}`);
      }
    });

    test("ODataReader of traverse-odata/read walks a filtered collection over two pages, with the token and the header, and has no writes", async () => {
      const { titles, writes } = await observed<{ titles: string[]; writes: boolean }>(runtime, "readerWalk");
      assert.deepEqual(titles, ["Two", "Three", "Four"]);
      assert.equal(writes, false);
      const pages = wire(runtime, (route) => route.startsWith("reader/"));
      assert.deepEqual(lines(pages).map(decodeURIComponent), ["GET reader/Books?$filter=ID gt 1&$select=ID,title", "GET reader/Books?$filter=ID gt 1&$select=ID,title&$skiptoken=3"]);
      for (const page of pages) {
        assert.equal(page.headers["authorization"], `Bearer token-${runtime}`);
        assert.equal(page.headers["x-tenant"], `tenant-${runtime}`);
      }
    });

    test("a page with $count gives the count", async () => {
      assert.deepEqual(await observed(runtime, "pageWithCount"), { count: 5, ids: [1, 2], nextLink: null });
      const [request] = wire(runtime, (route) => route.startsWith("Counted"));
      assert.equal(new URL(request?.route ?? "", "http://x/").searchParams.get("$count"), "true");
    });

    test("createAsync + wait reports progress after each poll and fetches the result from resourceLocation", async () => {
      const seen = await observed<{ result: unknown; progress: [string, number][]; status: string; percentComplete: number }>(runtime, "createAsyncWait");
      assert.deepEqual(seen, { result: { rowCount: 3 }, progress: [["Running", 40], ["Succeeded", 100]], status: "Succeeded", percentComplete: 100 });
      const requests = wire(runtime, (route) => route === "Jobs" || route.includes("job-1"));
      assert.deepEqual(lines(requests), ["POST Jobs", "GET monitor/job-1", "GET monitor/job-1", "GET results/job-1"]);
      assert.equal(requests[0]?.headers["prefer"], "respond-async");
      // The first poll's 202 carried Retry-After: 1 (exposed through CORS): the second poll waited for it.
      const gap = (requests[2]?.at ?? 0) - (requests[1]?.at ?? 0);
      assert.ok(gap >= 950 && gap < 5_000, `the second poll came ${gap} ms after the first`);
    });

    test("cancel sends DELETE to the status monitor, and wait then rejects as cancelled without polling", async () => {
      const seen = await observed<{ isDone: boolean; status: string; outcome: ErrorSummary }>(runtime, "cancel");
      assert.equal(seen.isDone, true);
      assert.equal(seen.status, "Cancelled");
      assert.equal(seen.outcome.code, "ASYNC_OPERATION_CANCELLED");
      assert.equal(seen.outcome.name, "AsyncOperationCancelledError");
      assert.deepEqual(lines(wire(runtime, (route) => route.includes("ancel"))), ["POST CancelJobs", "DELETE monitor/cancel-1"]);
    });

    test("an abort in the middle of a walk rejects with AbortError and closes the request of the next page", async () => {
      const seen = await observed<{ titles: string[]; error: ErrorSummary | undefined }>(runtime, "abortWalk");
      assert.deepEqual(seen.titles, ["Before the stall"]);
      assert.equal(seen.error?.name, "AbortError");
      assert.deepEqual(lines(wire(runtime, (route) => route.startsWith("Stalled"))), ["GET Stalled", "GET Stalled?$skiptoken=1"]);
      assert.ok(await until(() => running().servers.stalledClosed(runtime), 3_000), "the connection of the aborted page request is closed");
    });

    test("a write sends the ETag read with the entity as If-Match", async () => {
      assert.deepEqual(await observed(runtime, "etagWrite"), { title: "One" });
      const [patch] = wire(runtime, (route) => route === "Books(1)").filter((request) => request.method === "PATCH");
      assert.equal(patch?.headers["if-match"], 'W/"7"');
      assert.equal(patch?.body, JSON.stringify({ stock: 4 }));
    });

    test("writes refused before sending reject, sending nothing, and the runtime reports no unhandled rejection on the way", async () => {
      assert.deepEqual(await observed(runtime, "refusedWrites"), { outcomes: ["TypeError", "TypeError"], unhandled: [] });
      assert.deepEqual(wire(runtime, (route) => route.startsWith("Refused")), []);
    });

    test("Headers, URLSearchParams, FormData, Blob and File in a write's body are refused by their path with a TypeError, and nothing is sent (Bun's toJSON() of the first three notwithstanding)", async () => {
      const seen = await observed<Record<string, string>>(runtime, "webContainerWrites");
      // Bun tags a File as a Blob.
      const types: Record<string, string> = { headers: "Headers", query: "URLSearchParams", form: "FormData", cover: "Blob", attachment: "(?:File|Blob)" };
      assert.deepEqual(Object.keys(seen), Object.keys(types));
      for (const [name, type] of Object.entries(types)) {
        const refused = new RegExp(`^TypeError: create\\(entity\\): the entity cannot be sent as JSON \\(${name} \\(${type}\\) has no JSON form; pass a plain object, an array or a Uint8Array\\)$`);
        assert.match(seen[name] ?? "", refused, `${name} in ${runtime}`);
      }
      assert.deepEqual(wire(runtime, (route) => route.startsWith("WebBodies")), []);
    });

    test("a redirect to another origin arrives there without the token", async () => {
      assert.deepEqual(await observed(runtime, "redirect"), { title: "Landed" });
      const [first] = wire(runtime, (route) => route === "Moved(1)");
      assert.equal(first?.headers["authorization"], `Bearer token-${runtime}`, "the service's own origin gets the token");
      const landed = otherRequests(runtime, "Moved(1)").filter((request) => request.method === "GET");
      assert.equal(landed.length, 1);
      assert.equal(landed[0]?.headers["authorization"], undefined);
      assert.equal(landed[0]?.headers["cookie"], undefined);
    });

    if (browser) {
      test("a redirect to another origin: the browser follows it and sends configured headers there only as that origin's CORS allows", async () => {
        await observed(runtime, "redirect");
        const other = otherRequests(runtime, "Moved(1)");
        const [preflight] = other.filter((request) => request.method === "OPTIONS");
        // The other origin was asked first, and allowed the header (its preflight answer allows
        // what is asked): so the header went along. A stricter origin would refuse the request.
        assert.match(String(preflight?.headers["access-control-request-headers"]), /x-tenant/);
        assert.equal(other.find((request) => request.method === "GET")?.headers["x-tenant"], `tenant-${runtime}`);
      });
    } else {
      test("a redirect to another origin is followed by the client, which drops the configured headers too", async () => {
        await observed(runtime, "redirect");
        const [landed] = otherRequests(runtime, "Moved(1)");
        assert.equal(landed?.method, "GET");
        assert.equal(landed?.headers["x-tenant"], undefined);
      });
    }

    test("a body that stalls after its headers is TIMEOUT naming the stall; an error answer whose body stalls is its ODataHttpError; a media stream's stall is TIMEOUT and its abort the caller's reason", async () => {
      type Outcome = Record<string, unknown>;
      const seen = await observed<{ entity: Outcome; failure: Outcome; mediaStall: Outcome; mediaAbort: Outcome }>(runtime, "stalledBodies");
      // A read that nothing ended is `pending` (the script bounds each read): it fails here, by name.
      const said = (read: keyof typeof seen) => `${read} in ${runtime}: ${JSON.stringify(seen[read])}`;
      assert.deepEqual([seen.entity["settled"], seen.entity["code"], seen.entity["stalled"]], ["rejected", "TIMEOUT", true], said("entity"));
      assert.deepEqual([seen.failure["settled"], seen.failure["name"], seen.failure["code"], seen.failure["status"]], ["rejected", "ODataHttpError", "HTTP_ERROR", 500], said("failure"));
      assert.deepEqual([seen.mediaStall["settled"], seen.mediaStall["name"], seen.mediaStall["code"], seen.mediaStall["stalled"]], ["rejected", "ODataClientError", "TIMEOUT", true], said("mediaStall"));
      assert.deepEqual([seen.mediaAbort["settled"], seen.mediaAbort["isReason"]], ["rejected", true], said("mediaAbort"));
      // Deno collects garbage while these reads wait (started with --expose-gc): a stream whose
      // Response was collected hung there.
      if (runtime === "deno") assert.equal((seen as { collected?: boolean }).collected, true, "Deno ran the garbage collector during the reads");
    });

    test("an OAuth2 token answer whose body stalls is TIMEOUT naming the token endpoint, the token request is the only one sent, and the library leaves no rejection unhandled (workerd's own report of the aborted read aside)", async () => {
      type Seen = { outcome?: ErrorSummary; unhandled: { name: string; message: string }[]; handled: number };
      const seen = await observed<Seen>(runtime, "stalledToken");
      const said = `stalledToken in ${runtime}: ${JSON.stringify(seen)}`;
      assert.equal(seen.outcome?.code, "TIMEOUT", said);
      const tokenUrl = `${running().servers.serviceRoot(`${runtime}-token`)}HalfBooks(1)`;
      assert.equal(
        seen.outcome?.message,
        `the OAuth2 token endpoint POST ${tokenUrl} (option "auth.oauth2.tokenUrl") answered 200 and its body did not come in full within the timeout (option "timeout") of GET ${running().servers.serviceRoot(runtime)}token-stall/Books, which was not sent`,
      );
      if (runtime === "workerd") {
        // workerd reports the read of a fetch body that an abort errored as an unhandled rejection
        // and then as handled, whoever awaits the read (cloudflare/workerd#501; a bare fetch and
        // reader.read() show it too). Its reason is workerd's copy of the abort's reason, a plain
        // Error whose message starts with the original's name: one such, and nothing of the library's.
        assert.ok(seen.unhandled.length <= 1, said);
        for (const reason of seen.unhandled) assert.match(`${reason.name}: ${reason.message}`, /^Error: ODataClientError: GET \S+\/token-stall\/Books got no answer within 1500 ms/, said);
        assert.equal(seen.handled, seen.unhandled.length, said);
      } else {
        assert.deepEqual(seen.unhandled, [], said);
      }
      // The scenario's fetch sent the token request as a GET (see there), under the root of its own.
      const tokenRequests = running().servers.requestsOf(`${runtime}-token`);
      assert.deepEqual(lines(tokenRequests), ["GET HalfBooks(1)"]);
      assert.equal(tokenRequests[0]?.headers["content-type"], "application/x-www-form-urlencoded");
      assert.deepEqual(lines(wire(runtime, (route) => route.startsWith("token-stall/"))), []);
    });

    test("a 503 with Retry-After: 1 is sent again after a second, not after the short backoff", async () => {
      assert.deepEqual(await observed(runtime, "retryAfter"), { title: "Steady" });
      const [first, second, ...rest] = wire(runtime, (route) => route === "Flaky(1)");
      assert.ok(first && second && rest.length === 0, "two requests");
      const gap = second.at - first.at;
      assert.ok(gap >= 950 && gap < 5_000, `the retry came ${gap} ms after the first request`);
    });

    test("a status monitor answering 303 See Other succeeds with the result from its Location on another origin", async () => {
      const seen = await observed(runtime, "monitor303");
      assert.deepEqual(seen, { result: { ID: 9, file: "export.csv" }, status: "Succeeded", isDone: true });
      // Where manual redirects are opaque (browsers) the monitor is asked once more for fetch to follow.
      const expected = browser ? ["POST Exports", "GET monitor/export-1", "GET monitor/export-1"] : ["POST Exports", "GET monitor/export-1"];
      assert.deepEqual(lines(wire(runtime, (route) => route.includes("xport"))), expected);
      const results = otherRequests(runtime, "results/export-1").filter((request) => request.method === "GET");
      assert.equal(results.length, 1);
      assert.equal(results[0]?.headers["authorization"], undefined, "no token to the result's origin");
      // The browser follows, and CORS lets the configured header through; the client itself does not send it.
      assert.equal(results[0]?.headers["x-tenant"], browser ? `tenant-${runtime}` : undefined);
    });

    test("$batch sends a multipart body with a random boundary and reads the answers", async () => {
      assert.deepEqual(await observed(runtime, "batch"), { statuses: [200, 201], title: "One" });
      const [post] = wire(runtime, (route) => route === "$batch");
      const boundary = /^multipart\/mixed; boundary=(batch_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/.exec(String(post?.headers["content-type"]))?.[1];
      assert.ok(boundary, String(post?.headers["content-type"]));
      assert.ok(post?.body.startsWith(`--${boundary}\r\n`));
      assert.match(post?.body ?? "", /\r\nGET Books\(1\) HTTP\/1\.1\r\n/);
      assert.match(post?.body ?? "", /\r\nPOST Books HTTP\/1\.1\r\n/);
    });

    if (browser) {
      test("the browser's own User-Agent is sent, and no preflight asks for user-agent", async () => {
        await running().report(runtime);
        const requests = wire(runtime, () => true);
        assert.ok(requests.length > 20);
        for (const request of requests) assert.doesNotMatch(String(request.headers["user-agent"]), /traverse-odata/, `${request.method} ${request.route}`);
        const askingForUserAgent = preflights(runtime).filter((request) => /user-agent/i.test(String(request.headers["access-control-request-headers"])));
        assert.deepEqual(lines(askingForUserAgent), []);
      });
    } else {
      test("every request carries the library's User-Agent", async () => {
        await running().report(runtime);
        const requests = wire(runtime, (route) => !route.startsWith("_control/"));
        assert.ok(requests.length > 20);
        for (const request of requests) assert.equal(request.headers["user-agent"], `traverse-odata/${LIBRARY_VERSION}`, `${request.method} ${request.route}`);
      });
    }

    test("a write with csrf: true fetches the token first and sends it", async () => {
      assert.deepEqual(await observed(runtime, "csrfWrite"), { created: { ID: 1, title: "Noted" } });
      const requests = wire(runtime, (route) => route === "" || route === "Notes");
      assert.deepEqual(lines(requests), ["GET ", "POST Notes"]);
      assert.equal(requests[0]?.headers["x-csrf-token"], "Fetch");
      assert.equal(requests[1]?.headers["x-csrf-token"], `csrf-${runtime}`);
    });

    if (browser) {
      test("every preflight asks only for request headers and methods that the README's CORS section names", async () => {
        await running().report(runtime);
        const named = readmeCorsNames();
        const asked = preflights(runtime).flatMap((request) => [
          ...String(request.headers["access-control-request-headers"] ?? "")
            .split(",")
            .map((name) => name.trim())
            .filter((name) => name !== "" && name !== "x-tenant"),
          String(request.headers["access-control-request-method"]).toLowerCase(),
        ]);
        assert.ok(asked.length > 10);
        assert.deepEqual([...new Set(asked.filter((name) => !named.has(name)))], []);
      });

      test("a 202 whose Location the service does not expose through CORS rejects with ASYNC_NO_LOCATION saying so", async () => {
        const { error } = await observed<{ error?: ErrorSummary }>(runtime, "hiddenLocation");
        assert.equal(error?.code, "ASYNC_NO_LOCATION");
        assert.match(error?.message ?? "", /may not expose Location.*Access-Control-Expose-Headers/);
      });

      test("an ETag header the service does not expose through CORS is not seen, so no If-Match can be sent", async () => {
        await observed(runtime, "hiddenEtag");
        const withIfMatch = wire(runtime, (route) => route === "HiddenEtagDocs(1)").filter((request) => request.headers["if-match"] !== undefined);
        assert.deepEqual(lines(withIfMatch), []);
      });

      test("a Retry-After the service does not expose through CORS is not seen: the retry and the next poll go out after the backoff and pollInterval", async () => {
        // The hidden Retry-After is an hour (HIDDEN_RETRY_AFTER_IN_BROWSERS). Seen, it would be beyond
        // the client's maxDelay, and the retry would give the 503 back; the poll would sleep until
        // maxWait and time out.
        assert.deepEqual(await observed(runtime, "hiddenRetryAfter"), { title: "Steady" });
        assert.deepEqual(lines(wire(runtime, (route) => route === "HiddenFlaky(1)")), ["GET HiddenFlaky(1)", "GET HiddenFlaky(1)"]);
        assert.deepEqual(await observed(runtime, "hiddenPollRetryAfter"), { result: { done: true } });
        assert.deepEqual(lines(wire(runtime, (route) => route === "monitor/hidden-retry")), ["GET monitor/hidden-retry", "GET monitor/hidden-retry"]);
      });

      test("an AsyncResult the service does not expose through CORS is not seen: the failed operation reads as succeeded with its error body", async () => {
        assert.deepEqual(await observed(runtime, "hiddenAsyncResult"), { result: { error: { code: "EXPORT", message: "export failed" } } });
      });

      test("an X-CSRF-Token the service does not expose through CORS is not seen: the write goes without one and is refused", async () => {
        const { error } = await observed<{ error?: ErrorSummary }>(runtime, "hiddenCsrf");
        assert.equal(error?.status, 403);
        const [post] = wire(runtime, (route) => route === "HiddenCsrf/Notes");
        assert.equal(post?.headers["x-csrf-token"], undefined);
      });

      test("item 15: an anonymous walk is made of CORS-simple requests, with no preflight for any page", async () => {
        const { titles } = await observed<{ titles: string[] }>(runtime, "anonymousWalk");
        assert.equal(titles.length, 5);
        assert.deepEqual(lines(wire(runtime, (route) => route.startsWith("anon/"))), ["GET anon/Books", "GET anon/Books?$skiptoken=2", "GET anon/Books?$skiptoken=4"]);
        const asked = preflights(runtime, (route) => route.startsWith("anon/")).map((request) => `${request.route}: ${String(request.headers["access-control-request-headers"])}`);
        assert.deepEqual(asked, []);
      });
    } else {
      test("a 202 with Location gives a poller of that monitor (no CORS here)", async () => {
        const { statusUrl } = await observed<{ statusUrl?: string }>(runtime, "hiddenLocation");
        assert.equal(statusUrl, `${running().servers.serviceRoot(runtime)}monitor/hidden-1`);
      });

      test("an ETag that comes only as a header is kept with the entity and sent as If-Match", async () => {
        assert.deepEqual(await observed(runtime, "hiddenEtag"), { updated: true });
        const [patch] = wire(runtime, (route) => route === "HiddenEtagDocs(1)").filter((request) => request.method === "PATCH");
        assert.equal(patch?.headers["if-match"], 'W/"3"');
      });

      test("Retry-After is honoured on retries and between polls (no CORS here)", async () => {
        const honoured = Number(HIDDEN_RETRY_AFTER) * 1_000 - 50;
        assert.deepEqual(await observed(runtime, "hiddenRetryAfter"), { title: "Steady" });
        assert.ok(gapOf(wire(runtime, (route) => route === "HiddenFlaky(1)")) >= honoured);
        assert.deepEqual(await observed(runtime, "hiddenPollRetryAfter"), { result: { done: true } });
        assert.ok(gapOf(wire(runtime, (route) => route === "monitor/hidden-retry")) >= honoured);
      });

      test("an AsyncResult: 500 fails the operation (no CORS here)", async () => {
        const { error } = await observed<{ error?: ErrorSummary }>(runtime, "hiddenAsyncResult");
        assert.equal(error?.code, "ASYNC_OPERATION_FAILED");
      });

      test("csrf: true with the token header sends the token (no CORS here)", async () => {
        assert.deepEqual(await observed(runtime, "hiddenCsrf"), { created: { ID: 2, title: "Hidden" } });
        const [post] = wire(runtime, (route) => route === "HiddenCsrf/Notes");
        assert.equal(post?.headers["x-csrf-token"], `csrf-${runtime}`);
      });

      test("an anonymous walk sends neither a token nor the configured header", async () => {
        const { titles } = await observed<{ titles: string[] }>(runtime, "anonymousWalk");
        assert.equal(titles.length, 5);
        for (const page of wire(runtime, (route) => route.startsWith("anon/"))) {
          assert.equal(page.headers["authorization"], undefined);
          assert.equal(page.headers["x-tenant"], undefined);
        }
      });
    }
  });
}

// The bundle is split as an application's would be (test/runtimes/harness.ts): the parts the
// library loads on first use are chunks of their own. Every runtime above ran scenarios that need
// them (writes, createAsync and its polling, cancel, $batch, csrf), so each loaded them; in the
// browsers the page server also sees them fetched, each as its own file.
describe("the optional parts load as chunks of their own", () => {
  const lazyModules = ["resources/writes.ts", "lro/start.ts", "lro/polling.ts", "batch/send.ts", "http/csrf.ts"];

  test("each optional part the scenarios use is a chunk that import() loads", () => {
    for (const module of lazyModules) assert.ok(running().chunkOf(module), `no chunk is loaded with import() of src/${module}`);
  });

  for (const browser of ["chromium", "firefox"] as const) {
    test(`${browser} fetched each of them from the page server`, async () => {
      await observed(browser, "walk");
      await observed(`${browser}-worker`, "walk");
      const fetched = running().modulesFetchedBy(browser);
      for (const module of lazyModules) {
        const chunk = running().chunkOf(module) ?? `(no chunk for ${module})`;
        assert.ok(fetched.includes(chunk), `${browser} did not fetch ${chunk} (src/${module}); it fetched ${fetched.join(", ")}`);
      }
    });
  }
});
