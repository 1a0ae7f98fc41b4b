/**
 * The wire log (client option `debug`, or `NODE_DEBUG=traverse-odata`), against node:http servers:
 * one line per request and one per answer for everything the client sends (the CSRF token fetch,
 * redirect hops, retries, polls and cancels, the `$metadata` fetch), one per `$batch` part, a line
 * for a transport failure and for an abort; every secret masked; nothing at all when it is off.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ODataClient, ODataClientError } from "../src/index.js";
import { wireLogTransport } from "../src/http/wire-log.js";
import { nodeDebugNames } from "../src/http/debug.js";
import type { SendRequest } from "../src/http/pipeline.js";
import { sendJson, sendText, serveClient, startServer, type RecordedRequest } from "./servers/recording-server.js";
import { useFakeTime } from "./fake-time.js";
import { startDemoService } from "../demo/service.js";
import type { Order } from "../demo/orders.js";
import { collector } from "./wire-log-collector.js";
import { regExpText } from "./regexp-text.js";


/** `text` as a regular expression that matches it literally. */

const CRLF = "\r\n";

function multipart(res: ServerResponse, boundary: string, parts: string[]): void {
  const body = `${parts.join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
  res.writeHead(200, { "content-type": `multipart/mixed; boundary=${boundary}`, "odata-version": "4.0", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** A part holding one HTTP response (`boundary` is the enclosing multipart's). */
function responsePart(boundary: string, status: string, headers: Record<string, string>, body = ""): string {
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`--${boundary}`, "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", `HTTP/1.1 ${status}`, ...head, "", body].join(CRLF);
}

/**
 * A SAP-like service: `X-CSRF-Token: Fetch` gives `csrf-token-<n>` and a session cookie; a write
 * is taken only with the token `accepted` (any other answers 403 Required: an expired session),
 * and then answered by `onWrite`.
 */
function csrfService(accepted: string, onWrite: (request: RecordedRequest, res: ServerResponse) => void) {
  let issued = 0;
  return (request: RecordedRequest, res: ServerResponse) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      issued++;
      res.writeHead(200, { "x-csrf-token": `csrf-token-${issued}`, "set-cookie": `SAP_SESSIONID=session-${issued}; Path=/`, "content-type": "application/json" });
      res.end("{}");
      return;
    }
    if (request.method !== "GET" && request.headers["x-csrf-token"] !== accepted) {
      sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
      return;
    }
    onWrite(request, res);
  };
}

describe("every request and every answer gives one line", () => {
  test("a CSRF write: token fetch, the write refused 403 Required, a new token, the write sent again", async (t) => {
    const log = collector();
    const { server, client, root } = await serveClient(
      t,
      csrfService("csrf-token-2", (_request, res) => sendJson(res, 201, { ID: 7 }, { etag: 'W/"1"', location: "Books(7)" })),
      { csrf: true, debug: log.debug },
    );
    const created = await client.collection<{ ID: number }>("Books").create({ ID: 7 });

    assert.equal(created?.ID, 7);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"]}`),
      ["GET /odata/ Fetch", "POST /odata/Books csrf-token-1", "GET /odata/ Fetch", "POST /odata/Books csrf-token-2"],
    );
    const write = '{"accept":"application/json","accept-language":"en","content-type":"application/json","odata-maxversion":"4.0","odata-version":"4.0","x-csrf-token":"***"}';
    assert.deepEqual(log.shown(), [
      `#1 csrf > GET ${root} {"accept":"application/json","accept-language":"en","x-csrf-token":"Fetch"}`,
      `#1 csrf < 200 GET ${root} N ms {"content-type":"application/json","x-csrf-token":"***"}`,
      `#2 > POST ${root}Books ${write}`,
      `#2 < 403 POST ${root}Books N ms {"content-type":"text/plain","x-csrf-token":"Required"}`,
      `#3 csrf > GET ${root} {"accept":"application/json","accept-language":"en","x-csrf-token":"Fetch"}`,
      `#3 csrf < 200 GET ${root} N ms {"content-type":"application/json","x-csrf-token":"***"}`,
      `#4 csrf-retry > POST ${root}Books ${write}`,
      `#4 csrf-retry < 201 POST ${root}Books N ms {"content-type":"application/json","etag":"W/\\"1\\"","location":"Books(7)"}`,
    ]);
    // The README shows these lines as "from the tests": every line it shows is one of them.
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const sample = readme.slice(readme.indexOf("And a write whose CSRF session had expired (from the tests):"));
    const shownInReadme = sample
      .slice(sample.indexOf("```\n") + 4, sample.indexOf("\n```", sample.indexOf("```\n") + 4))
      .split("\n")
      .map((line) => line.replace(/^traverse-odata /, "").replace(/http:\/\/127\.0\.0\.1:\d+\/odata\//g, root).replace(/ \d+ ms /, " N ms "));
    assert.ok(shownInReadme.length >= 4, "the README's sample was not found");
    const logged = log.shown();
    for (const line of shownInReadme) assert.ok(logged.includes(line), `the README shows a line the log does not write:\n  ${line}`);
  });

  test("the README's demo-service sample is what debug: true writes against the demo service, line for line (ports, timings and UUIDs aside)", async (t) => {
    // The export's poll waits the Retry-After of its 202 (1 s): a fake clock lets it pass at once.
    const time = useFakeTime(t);
    // Node's warning that mock timers are experimental goes to the console first, not to the lines.
    await new Promise((resolve) => setImmediate(resolve));
    const written: string[] = [];
    t.mock.method(console, "error", (...args: unknown[]) => written.push(args.map(String).join(" ")));
    const service = await startDemoService({ jobDuration: 500 });
    t.after(() => service.close());

    // The sample's steps: read an order, update it with its ETag, a $batch, an export waited for.
    const client = new ODataClient({ serviceUrl: service.serviceUrl, csrf: true, debug: true });
    const orders = client.collection<Order>("Orders");
    const order = await orders.key(1).get();
    await orders.key(1).update({ quantity: 3 }, { etag: order });
    const batch = client.batch();
    const found = batch.get(orders.key(2));
    const missing = batch.get(orders.key(99));
    await batch.send();
    assert.deepEqual([found.result().status, missing.result().status], [200, 404]);
    const poller = await client.collection("ExportJobs").createAsync<{ format: string }>({ format: "csv" });
    assert.equal((await time.run(poller.wait(), 1_000)).format, "csv");

    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const from = readme.indexOf("The first client above against the demo service");
    assert.ok(from > 0, "the README's sample was not found");
    const start = readme.indexOf("```\n", from) + 4;
    const sample = readme.slice(start, readme.indexOf("\n```", start)).split("\n");
    const comparable = (line: string) =>
      line
        .replace(/http:\/\/127\.0\.0\.1:\d+\//g, "http://127.0.0.1:PORT/")
        .replace(/ \d+ ms /, " N ms ")
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UUID");
    assert.ok(sample.length >= 14, `the README's sample has ${sample.length} lines`);
    assert.deepEqual(written.map(comparable), sample.map(comparable));
  });

  test("a redirect to another origin: the 307 with its Location, then the hop as redirect 1", async (t) => {
    const log = collector();
    const files = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
    t.after(() => files.close());
    const { server, client, root } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(307, { location: files.url("export/Books?access_token=signed-secret&part=1") });
        res.end();
      },
      { debug: log.debug },
    );
    await client.collection("Books").page();

    assert.equal(server.requests.length, 1);
    assert.equal(files.requests[0]?.path, "/export/Books?access_token=signed-secret&part=1");
    const target = files.url("export/Books?access_token=***&part=1");
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#1 < 307 GET ${root}Books N ms {"location":"${target}"}`,
      `#2 redirect 1 > GET ${target} {"accept":"application/json","accept-language":"en"}`,
      `#2 redirect 1 < 200 GET ${target} N ms {"content-type":"application/json"}`,
    ]);
  });

  test("a GET answered 503 twice is logged once per attempt, as retry 1/3 and retry 2/3", async (t) => {
    const log = collector();
    let calls = 0;
    const { server, client, root } = await serveClient(
      t,
      (_request, res) => (++calls <= 2 ? sendText(res, 503, "busy", { "retry-after": "0" }) : sendJson(res, 200, { value: [{ ID: 1 }] })),
      { debug: log.debug, retry: { retries: 3, delay: 1 } },
    );
    const page = await client.collection("Books").page();

    assert.equal(page.value.length, 1);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#1 < 503 GET ${root}Books N ms {"content-type":"text/plain","retry-after":"0"}`,
      `#2 retry 1/3 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#2 retry 1/3 < 503 GET ${root}Books N ms {"content-type":"text/plain","retry-after":"0"}`,
      `#3 retry 2/3 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#3 retry 2/3 < 200 GET ${root}Books N ms {"content-type":"application/json"}`,
    ]);
  });

  test("a status monitor polled to its result, and another one cancelled: poll, result and cancel lines", async (t) => {
    const log = collector();
    let polls = 0;
    const { server, client, root } = await serveClient(
      t,
      (request, res) => {
        if (request.method === "POST") {
          const job = JSON.parse(request.body) as { job: number };
          sendJson(res, 202, {}, { location: `monitor/${job.job}`, "retry-after": "0" });
        } else if (request.method === "DELETE") {
          res.writeHead(204).end();
        } else if (request.path === "/odata/monitor/1") {
          if (++polls === 1) sendJson(res, 202, { status: "Running", percentComplete: 50 }, { "retry-after": "0" });
          else res.writeHead(303, { location: "/odata/results/1" }).end();
        } else {
          sendJson(res, 200, { rows: 3 });
        }
      },
      { debug: log.debug },
    );
    const jobs = client.collection("Jobs");
    const done = await jobs.createAsync<{ rows: number }>({ job: 1 }, { pollInterval: 1 });
    assert.deepEqual(await done.wait(), { rows: 3 });
    const cancelled = await jobs.createAsync({ job: 2 }, { pollInterval: 1 });
    await cancelled.cancel();
    assert.equal(cancelled.status(), "Cancelled");

    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["POST /odata/Jobs", "GET /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/results/1", "POST /odata/Jobs", "DELETE /odata/monitor/2"],
    );
    const start = '{"accept":"application/json","accept-language":"en","content-type":"application/json","odata-maxversion":"4.0","odata-version":"4.0","prefer":"respond-async"}';
    assert.deepEqual(log.shown(), [
      `#1 > POST ${root}Jobs ${start}`,
      `#1 < 202 POST ${root}Jobs N ms {"content-type":"application/json","location":"monitor/1","retry-after":"0"}`,
      `#2 poll > GET ${root}monitor/1 {"accept":"application/json","accept-language":"en"}`,
      `#2 poll < 202 GET ${root}monitor/1 N ms {"content-type":"application/json","retry-after":"0"}`,
      `#3 poll > GET ${root}monitor/1 {"accept":"application/json","accept-language":"en"}`,
      `#3 poll < 303 GET ${root}monitor/1 N ms {"location":"/odata/results/1"}`,
      `#4 result > GET ${root}results/1 {"accept":"application/json","accept-language":"en"}`,
      `#4 result < 200 GET ${root}results/1 N ms {"content-type":"application/json"}`,
      `#5 > POST ${root}Jobs ${start}`,
      `#5 < 202 POST ${root}Jobs N ms {"content-type":"application/json","location":"monitor/2","retry-after":"0"}`,
      `#6 cancel > DELETE ${root}monitor/2 {"accept":"application/json","accept-language":"en","odata-maxversion":"4.0","odata-version":"4.0"}`,
      `#6 cancel < 204 DELETE ${root}monitor/2 N ms`,
    ]);
  });

  test("a $batch: the POST, then one line per part with its status, method and URL, a failed changeset, an unreadable part and an unanswered request included", async (t) => {
    const log = collector();
    const { client, root } = await serveClient(
      t,
      (_request, res) =>
        multipart(res, "answer", [
          responsePart("answer", "200 OK", { "Content-Type": "application/json", ETag: 'W/"3"' }, JSON.stringify({ ID: 1 })),
          // The changeset failed as a whole: one response in its place (OData 4.01 §11.7.4).
          responsePart("answer", "400 Bad Request", { "Content-Type": "application/json" }, JSON.stringify({ error: { code: "X", message: "no" } })),
          // A part without a status line: that request's answer cannot be read.
          ["--answer", "Content-Type: application/http", "", "HTTP/1.1 OK", ""].join(CRLF),
          // The service stopped there: the last request has no answer.
        ]),
      { debug: log.debug },
    );
    const books = client.collection<{ ID: number; title?: string }>("Books");
    const batch = client.batch({ boundaries: { batch: "batch_b", changeset: (n) => `changeset_${n}` } });
    batch.get(books.key(1));
    batch.changeset((changeset) => {
      changeset.create(books, { ID: 2 });
      changeset.update(books.key(3), { title: "x" }, { etag: 'W/"1"' });
    });
    batch.get(books.key(4));
    batch.get(books.key(5));
    const results = await batch.send();

    assert.deepEqual(
      results.map((result) => (result.ok ? result.status : `${result.status} ${result.error.code}`)),
      [200, "400 HTTP_ERROR", "400 HTTP_ERROR", "undefined BAD_BATCH_RESPONSE", "undefined BATCH_NOT_EXECUTED"],
    );
    assert.deepEqual(log.shown(), [
      `#1 > POST ${root}$batch {"accept":"multipart/mixed","accept-language":"en","content-type":"multipart/mixed; boundary=batch_b","odata-maxversion":"4.0","odata-version":"4.0"}`,
      `#1 < 200 POST ${root}$batch N ms {"content-type":"multipart/mixed; boundary=answer","odata-version":"4.0"}`,
      `batch part 1 < 200 GET ${root}Books(1) {"content-type":"application/json","etag":"W/\\"3\\""}`,
      `batch part 2 < 400 POST ${root}Books (its changeset failed) {"content-type":"application/json"}`,
      `batch part 3 < 400 PATCH ${root}Books(3) (its changeset failed) {"content-type":"application/json"}`,
      `batch part 4 ! GET ${root}Books(4) answer cannot be read`,
      `batch part 5 ! GET ${root}Books(5) no answer`,
    ]);
  });

  test("the $metadata fetch is a metadata line", async (t) => {
    const log = collector();
    const edmx =
      '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm"/></edmx:DataServices></edmx:Edmx>';
    const { client, root } = await serveClient(t, (_request, res) => sendText(res, 200, edmx, { "content-type": "application/xml", "odata-version": "4.0" }), {
      debug: log.debug,
    });
    await client.metadata();
    assert.deepEqual(log.shown(), [
      `#1 metadata > GET ${root}$metadata {"accept":"application/xml","accept-language":"en"}`,
      `#1 metadata < 200 GET ${root}$metadata N ms {"content-type":"application/xml","odata-version":"4.0"}`,
    ]);
  });

  test("a transport failure, an abort and a timeout each end in a ! line with what happened", async (t) => {
    const closed = await startServer(() => {});
    const closedUrl = closed.url("odata/");
    await closed.close();
    const failures = collector();
    const offline = new ODataClient({ serviceUrl: closedUrl, retry: false, debug: failures.debug });
    await assert.rejects(offline.collection("Books").page(), (error: unknown) => error instanceof ODataClientError && error.code === "NETWORK_ERROR");
    assert.equal(failures.lines.length, 2);
    assert.equal(failures.shown()[0], `#1 > GET ${closedUrl}Books {"accept":"application/json","accept-language":"en"}`);
    assert.match(failures.lines[1] as string, new RegExp(`^#1 ! GET ${regExpText(closedUrl)}Books failed after \\d+ ms: NETWORK_ERROR: GET ${regExpText(closedUrl)}Books failed before an answer arrived: fetch failed \\(connect ECONNREFUSED .*\\)$`));

    const aborts = collector();
    // The service never answers: only the abort and the timeout end these requests.
    const { client, root } = await serveClient(t, () => {}, { debug: aborts.debug, timeout: 100 });
    const controller = new AbortController();
    const aborted = client.collection("Books").page({ signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(aborted, { name: "AbortError" });
    await assert.rejects(client.collection("Authors").page(), { code: "TIMEOUT" });
    assert.deepEqual(aborts.shown(), [
      `#1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`,
      `#1 ! GET ${root}Books aborted after N ms: AbortError: This operation was aborted`,
      `#2 > GET ${root}Authors {"accept":"application/json","accept-language":"en"}`,
      `#2 ! GET ${root}Authors aborted after N ms: TIMEOUT: GET ${root}Authors got no answer within 100 ms (option "timeout")`,
    ]);
  });
});

describe("what the lines are made of", () => {
  test("a pipeline step sees what the log labels: attempt on a retry, hop on a redirect, purpose on a poll and the $metadata fetch", async (t) => {
    const seen: string[] = [];
    let calls = 0;
    const { client } = await serveClient(
      t,
      (request, res) => {
        if (request.path === "/odata/Books" && ++calls === 1) sendText(res, 503, "busy", { "retry-after": "0" });
        else if (request.path === "/odata/Books") res.writeHead(302, { location: "/odata/Moved" }).end();
        else if (request.path === "/odata/$metadata") sendText(res, 404, "none");
        else if (request.method === "POST") sendJson(res, 202, {}, { location: "monitor" });
        else sendJson(res, 200, { value: [] });
      },
      {
        retry: { retries: 1, delay: 1 },
        steps: [
          {
            name: "record",
            handle(request, next) {
              seen.push(`${request.method} ${request.url.pathname} purpose=${request.purpose} attempt=${request.attempt} hop=${request.hop}`);
              return next(request);
            },
          },
        ],
      },
    );
    await client.collection("Books").page();
    await assert.rejects(client.metadata(), { status: 404 });
    await (await client.collection("Jobs").createAsync({})).poll();
    assert.deepEqual(seen, [
      "GET /odata/Books purpose=undefined attempt=undefined hop=undefined",
      "GET /odata/Books purpose=undefined attempt=1 hop=undefined",
      "GET /odata/Moved purpose=undefined attempt=1 hop=1",
      "GET /odata/$metadata purpose=metadata attempt=undefined hop=undefined",
      "POST /odata/Jobs purpose=undefined attempt=undefined hop=undefined",
      "GET /odata/monitor purpose=poll attempt=undefined hop=undefined",
    ]);
  });

  test("a pipeline step sees purpose result on the result GET a monitor's 303 leads to, and purpose cancel on cancel()'s DELETE", async (t) => {
    const seen: string[] = [];
    const { server, client } = await serveClient(
      t,
      (request, res) => {
        if (request.method === "POST") sendJson(res, 202, {}, { location: request.path === "/odata/Jobs" ? "monitor/1" : "monitor/2" });
        else if (request.path === "/odata/monitor/1") res.writeHead(303, { location: "/odata/Jobs(1)" }).end();
        else if (request.path === "/odata/Jobs(1)") sendJson(res, 200, { ID: 1 });
        else if (request.method === "DELETE") res.writeHead(204).end();
        else sendJson(res, 202, {}, { "retry-after": "0" });
      },
      {
        steps: [
          {
            name: "record",
            handle(request, next) {
              seen.push(`${request.method} ${request.url.pathname} purpose=${request.purpose} hop=${request.hop}`);
              return next(request);
            },
          },
        ],
      },
    );
    const done = await client.collection("Jobs").createAsync<{ ID: number }>({}, { pollInterval: 1 });
    assert.deepEqual(await done.wait(), { ID: 1 });
    const running = await client.collection("Jobs2").createAsync({}, { pollInterval: 1 });
    assert.equal(await running.poll(), true, "still running");
    await running.cancel();
    assert.deepEqual(seen, [
      "POST /odata/Jobs purpose=undefined hop=undefined",
      "GET /odata/monitor/1 purpose=poll hop=undefined",
      "GET /odata/Jobs(1) purpose=result hop=undefined",
      "POST /odata/Jobs2 purpose=undefined hop=undefined",
      "GET /odata/monitor/2 purpose=poll hop=undefined",
      "DELETE /odata/monitor/2 purpose=cancel hop=undefined",
    ]);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["POST /odata/Jobs", "GET /odata/monitor/1", "GET /odata/Jobs(1)", "POST /odata/Jobs2", "GET /odata/monitor/2", "DELETE /odata/monitor/2"],
    );
  });

  test("every header is shown but credentials and transport noise, sorted by name, secret-named ones masked", async (t) => {
    const log = collector();
    const shown = {
      "content-type": "application/json",
      "odata-version": "4.01",
      dataserviceversion: "2.0",
      prefer: "return=minimal, odata.maxpagesize=10",
      "preference-applied": "return=minimal",
      "if-match": 'W/"1"',
      "if-none-match": "*",
      "x-csrf-token": "token-value-1",
      etag: 'W/"2"',
      location: "Books(1)?access_token=location-token",
      "retry-after": "5",
      asyncresult: "200",
    };
    const hidden = { authorization: "Bearer hidden-1234567", cookie: "a=hidden-cookie", "x-api-key": "hidden-key" };
    const { server, client, root } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(200, { ...shown, ...hidden, "set-cookie": "s=hidden-set-cookie" });
        res.end("{}");
      },
      {
        debug: log.debug,
        steps: [
          {
            name: "headers-of-every-kind",
            handle(request, next) {
              for (const [name, value] of Object.entries({ ...hidden, ...shown })) request.headers.set(name, value);
              return next(request);
            },
          },
        ],
      },
    );
    await client.collection("Books").key(1).get();
    assert.equal(server.requests[0]?.headers["x-csrf-token"], "token-value-1");
    // Headers iterate sorted by name; the API key and the CSRF token are there, masked.
    const sorted = (headers: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : 1))));
    const masked = { ...shown, "x-csrf-token": "***", location: "Books(1)?access_token=***", "x-api-key": "***" };
    assert.deepEqual(log.shown(), [
      `#1 > GET ${root}Books(1) ${sorted({ ...masked, accept: "application/json", "accept-language": "en" })}`,
      `#1 < 200 GET ${root}Books(1) N ms ${sorted(masked)}`,
    ]);
    for (const line of log.shown()) assert.ok(!/hidden-|authorization|cookie|keep-alive|connection|date|content-length/i.test(line), line);
  });

  test("a v2 write shows DataServiceVersion, and If-Match", async (t) => {
    const log = collector();
    const { server, client, root } = await serveClient(t, (_request, res) => void res.writeHead(204, { dataserviceversion: "2.0" }).end(), { version: "2.0", debug: log.debug });
    await client.collection("Books").key(1).update({ title: "x" }, { etag: 'W/"7"' });
    assert.equal(server.requests[0]?.method, "MERGE");
    assert.deepEqual(log.shown(), [
      `#1 > MERGE ${root}Books(1) {"accept":"application/json","accept-language":"en","content-type":"application/json","dataserviceversion":"2.0","if-match":"W/\\"7\\"","maxdataserviceversion":"2.0"}`,
      `#1 < 204 MERGE ${root}Books(1) N ms {"dataserviceversion":"2.0"}`,
    ]);
  });
});

describe("secrets never reach the log", () => {
  test("no bearer token, basic credentials, cookie, CSRF token or access_token in a URL appears in any line", async (t) => {
    const secrets = {
      bearer: "bearer-secret-0a1b2c",
      user: "basic-user",
      password: "basic-secret-3d4e5f",
      cookie: "cookie-secret-6a7b8c",
      setCookie: "set-cookie-secret-9d0e",
      csrf: "csrf-secret-1f2a3b",
      linkToken: "link-secret-4c5d6e",
      redirectToken: "redirect-secret-7f8a",
      apiKey: "api-key-secret-9b0c",
      signature: "signature-secret-1d2e",
    };
    const basic = Buffer.from(`${secrets.user}:${secrets.password}`).toString("base64");
    const log = collector();
    const files = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 3 }] }));
    t.after(() => files.close());
    let issued = 0;
    const { server, root } = await serveClient(t, (request, res) => {
      if (request.headers["x-csrf-token"] === "Fetch") {
        issued++;
        res.writeHead(200, { "x-csrf-token": `${secrets.csrf}-${issued}`, "set-cookie": `SAP_SESSIONID=${secrets.setCookie}; Path=/; HttpOnly` }).end();
      } else if (request.method === "POST" && request.headers["x-csrf-token"] !== `${secrets.csrf}-2`) {
        sendText(res, 403, "token expired", { "x-csrf-token": "Required" });
      } else if (request.method === "POST") {
        sendJson(res, 201, { ID: 9 }, { location: `${root}Books(9)?access_token=${secrets.linkToken}` });
      } else if (request.path.startsWith("/odata/Books?")) {
        sendJson(res, 200, { value: [{ ID: 2 }] });
      } else if (request.path === "/odata/Books") {
        sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": `Books?$skiptoken=1&access_token=${secrets.linkToken}&sig=${secrets.signature}` });
      } else {
        res.writeHead(302, { location: files.url(`files/Authors?access_token=${secrets.redirectToken}`) }).end();
      }
    });
    const bearer = new ODataClient({
      serviceUrl: root,
      retry: false,
      csrf: true,
      auth: { bearer: () => secrets.bearer },
      headers: { cookie: `tenant=${secrets.cookie}`, "x-api-key": secrets.apiKey },
      debug: log.debug,
    });
    const books = bearer.collection<{ ID: number }>("Books");
    assert.deepEqual((await books.list()).map((book) => book.ID), [1, 2]);
    await books.create({ ID: 9 });
    await bearer.collection("Authors").page();
    const basicClient = new ODataClient({ serviceUrl: root, retry: false, auth: { basic: { username: secrets.user, password: secrets.password } }, debug: log.debug });
    await basicClient.collection("Books").page();

    // The wire did carry every secret, so the test looks where they could have leaked from.
    const wire = JSON.stringify([...server.requests, ...files.requests].map((r) => [r.path, r.headers]));
    for (const secret of [secrets.bearer, basic, secrets.cookie, secrets.setCookie, `${secrets.csrf}-2`, secrets.linkToken, secrets.signature, secrets.apiKey, secrets.redirectToken]) {
      assert.ok(wire.includes(secret), `the wire carried ${secret}`);
    }
    const lines = log.lines.join("\n");
    // Two pages, the CSRF write (fetch, 403, fetch, write), a redirect, the basic client's page.
    assert.equal(log.lines.length, 18, lines);
    for (const secret of [...Object.values(secrets), basic, "Bearer", "Basic", "SAP_SESSIONID", "authorization", "cookie"]) {
      assert.equal(lines.toLowerCase().includes(secret.toLowerCase()), false, `the log shows ${secret}:\n${lines}`);
    }
    // What was masked is still there to see, as ***.
    assert.match(lines, /GET [^ ]*Books\?\$skiptoken=1&access_token=\*\*\*&sig=\*\*\*/);
    assert.match(lines, /"location":"[^"]*files\/Authors\?access_token=\*\*\*"/);
    assert.match(lines, /csrf-retry > POST \S+ \{[^}]*"x-csrf-token":"\*\*\*"\}/);
  });
});

describe("off, the log costs nothing and says nothing", () => {
  test("with debug off, nothing is logged and console.error is never called, whatever the requests", async (t) => {
    const consoleError = t.mock.method(console, "error", () => {});
    let calls = 0;
    const { server, root } = await serveClient(t, (request, res) => {
      if (request.headers["x-csrf-token"] === "Fetch") res.writeHead(200, { "x-csrf-token": "t" }).end();
      else if (request.method === "POST") sendJson(res, 201, { ID: 1 });
      else if (++calls === 1) res.writeHead(302, { location: "/odata/Moved" }).end();
      else if (calls === 2) sendText(res, 503, "busy", { "retry-after": "0" });
      else sendJson(res, 200, { value: [] });
    });
    const saved = process.env["NODE_DEBUG"];
    t.after(() => {
      if (saved === undefined) delete process.env["NODE_DEBUG"];
      else process.env["NODE_DEBUG"] = saved;
    });
    // Not given and no NODE_DEBUG, and `false` even with NODE_DEBUG naming the library.
    delete process.env["NODE_DEBUG"];
    const quiet = new ODataClient({ serviceUrl: root, csrf: true, retry: { retries: 2, delay: 1 } });
    process.env["NODE_DEBUG"] = "traverse-odata";
    const silenced = new ODataClient({ serviceUrl: root, csrf: true, retry: { retries: 2, delay: 1 }, debug: false });
    for (const client of [quiet, silenced]) {
      calls = 0;
      await client.collection("Books").page();
      await client.collection("Books").create({ ID: 1 });
    }
    assert.equal(server.requests.length, 10);
    assert.equal(consoleError.mock.callCount(), 0);
  });

  test("with debug off the transport is used as it is: no wrapper, nothing built per request", () => {
    const transport: SendRequest = () => Promise.reject(new Error("not called"));
    assert.equal(wireLogTransport(transport, undefined, 3), transport);
    assert.notEqual(wireLogTransport(transport, () => {}, 3), transport);
  });

  test("a debug function that throws does not fail the request", async (t) => {
    const { client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] }), {
      debug: () => {
        throw new Error("logger down");
      },
    });
    assert.deepEqual((await client.collection("Books").page()).value, [{ ID: 1 }]);
  });

  test("debug: true writes the lines to console.error, prefixed with traverse-odata", async (t) => {
    const written: unknown[][] = [];
    t.mock.method(console, "error", (...args: unknown[]) => written.push(args));
    const { client, root } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }), { debug: true });
    await client.collection("Books").page();
    assert.deepEqual(
      written.map((args) => args.map((arg) => String(arg).replace(/ \d+ ms\b/, " N ms"))),
      [[`traverse-odata #1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`], [`traverse-odata #1 < 200 GET ${root}Books N ms {"content-type":"application/json"}`]],
    );
  });

  test("option debug must be a boolean or a function, and the message says so", () => {
    for (const debug of ["yes", 1, null, {}]) {
      assert.throws(
        () => new ODataClient({ serviceUrl: "http://127.0.0.1:1/odata/", debug: debug as never }),
        (error: unknown) => error instanceof TypeError && /^ODataClient option "debug" must be true, false or a function \(line: string\) => void; got /.test(error.message),
      );
    }
  });
});

describe("NODE_DEBUG", () => {
  const ROOT = fileURLToPath(new URL("..", import.meta.url));

  /** Runs a program with NODE_DEBUG as given (or unset); resolves with its exit code and output. */
  function run(command: string, args: string[], nodeDebug: string | undefined): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env: Record<string, string | undefined> = { ...process.env };
    delete env["NODE_DEBUG"];
    // The test runner's own variable would make a node child a test runner too.
    delete env["NODE_TEST_CONTEXT"];
    if (nodeDebug !== undefined) env["NODE_DEBUG"] = nodeDebug;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  /**
   * The program (bundled from the sources, as the runtime tests run the library, so that plain node,
   * Deno and Bun all run it) that reads one page of `<serviceUrl>Books` with a client of the
   * default options, or of `debug: false` when its second argument says "false".
   */
  let work = "";
  let program = "";
  after(() => rm(work, { recursive: true, force: true }));
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "wire-log-"));
    const bundled = await build({
      stdin: {
        contents: `import { ODataClient } from "./src/index.js";
          const [serviceUrl, debug] = typeof Deno === "object" ? Deno.args : process.argv.slice(2);
          await new ODataClient({ serviceUrl, ...(debug === "false" ? { debug: false } : {}) }).collection("Books").page();
          console.log("read");`,
        resolveDir: ROOT,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    program = join(work, "read.mjs");
    await writeFile(program, bundled.outputFiles[0]?.text ?? "");
  });

  /** The lines the library wrote to stderr, timings made comparable (Node's own sections may write there too). */
  function libraryLines(stderr: string): string[] {
    return stderr
      .split("\n")
      .filter((line) => line.startsWith("traverse-odata "))
      .map((line) => line.replace(/ \d+ ms\b/, " N ms"));
  }

  test("in a node process NODE_DEBUG=traverse-odata turns the log on, to stderr, and so does a list with a wildcard; unset, or with debug: false, it stays off", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
    t.after(() => server.close());
    const root = server.url("odata/");
    const logged = [`traverse-odata #1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`, `traverse-odata #1 < 200 GET ${root}Books N ms {"content-type":"application/json"}`];
    const cases: Array<[string | undefined, string, string[]]> = [
      ["traverse-odata", "", logged],
      ["http,TRAVERSE-*", "", logged],
      [undefined, "", []],
      ["traverse-odata", "false", []],
    ];
    const runs = await Promise.all(cases.map(([nodeDebug, debug]) => run(process.execPath, [program, root, debug], nodeDebug)));
    runs.forEach((outcome, n) => {
      const [nodeDebug, debug, expected] = cases[n] as [string | undefined, string, string[]];
      const where = `NODE_DEBUG=${nodeDebug ?? "(unset)"}${debug ? ` debug: ${debug}` : ""}`;
      assert.equal(outcome.code, 0, `${where}: ${outcome.stderr}`);
      assert.equal(outcome.stdout, "read\n", where);
      assert.deepEqual(libraryLines(outcome.stderr), expected, where);
    });
    assert.equal(server.requests.length, cases.length);
  });

  test("NODE_DEBUG is read by Node's own rules for its sections", async () => {
    const values = ["traverse-odata", "TRAVERSE-ODATA", "fs,traverse-odata,net", "traverse-*", "*-odata", "*", "traverse", "traverse-odata2", "fs, traverse-odata", "traverse.odata", ","];
    const program = 'process.stdout.write(String(require("node:util").debuglog("traverse-odata").enabled))';
    const nodeSays = await Promise.all(values.map((value) => run(process.execPath, ["--eval", program], value)));
    values.forEach((value, n) => {
      assert.equal(String(nodeDebugNames(value)), nodeSays[n]?.stdout, `NODE_DEBUG=${JSON.stringify(value)}`);
    });
    assert.equal(nodeDebugNames(undefined), false);
    assert.equal(nodeDebugNames(""), false);
  });

  test("in Deno without any env permission, and in Bun, NODE_DEBUG=traverse-odata turns the log on, with no prompt and no error", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
    t.after(() => server.close());
    const binary = (name: string, file: string) => join(dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)), file);
    const root = server.url("odata/");
    const runtimes: Array<[string, string, string[]]> = [
      ["deno", binary("@deno/linux-x64-glibc", "deno"), ["run", "--no-config", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", program, root]],
      ["bun", binary("@oven/bun-linux-x64", "bin/bun"), ["run", program, root]],
    ];
    for (const [name, command, args] of runtimes) {
      const [on, off] = await Promise.all([run(command, args, "traverse-odata"), run(command, args, undefined)]);
      for (const outcome of [on, off]) {
        assert.equal(outcome.code, 0, `${name}: ${outcome.stderr}`);
        assert.equal(outcome.stdout, "read\n", name);
      }
      assert.deepEqual(libraryLines(on.stderr), [`traverse-odata #1 > GET ${root}Books {"accept":"application/json","accept-language":"en"}`, `traverse-odata #1 < 200 GET ${root}Books N ms {"content-type":"application/json"}`], name);
      assert.equal(off.stderr, "", name);
    }
    assert.equal(server.requests.length, 4);
  });
});
