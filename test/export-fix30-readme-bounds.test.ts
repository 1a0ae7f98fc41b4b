// Two figures the README states, shown on the wire:
// - "What `export` guarantees": a next link back to a page already read is stopped at "in this run,
//   or among the last 32 pages of the runs before, which the checkpoint names". The checkpoint
//   keeps the links of the last 32 pages written, no more; a resumed walk stops at a link back to
//   the oldest of them, and follows one to the page before it (read again: the bound is 32).
// - Errors: "A body still arriving after 10 s is read as one cut". An error body that stalls, with
//   the client's options left at their defaults (a 30 s timeout for each wait for data), is given
//   up at 10 s of (fake) time, not a millisecond before, and the error keeps its status and the
//   OData error read so far.
// Over node:http services on 127.0.0.1; the command line runs in this process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ODataClientError, ODataHttpError } from "../src/index.js";
import { RECENT_PAGE_LINKS } from "../src/cli/checkpoint.js";
import { ERROR_BODY_TIME_LIMIT } from "../src/payload/error-body.js";
import { resolveClientOptions } from "../src/options.js";
import { tempDir } from "./cli-harness.js";
import { cliInProcess, type InProcessOutcome } from "./cli-in-process.js";
import { useFakeTime } from "./fake-time.js";
import { rejectionOf } from "./async-poller-fixtures.js";
import { sendJson, serveClient, startServer, type RecordingServer } from "./servers/recording-server.js";

const show = (o: InProcessOutcome) => `exit ${o.code}\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;
const V4 = { "odata-version": "4.0" };

/** Pages of one row each: page p holds ID p and links to page p + 1, up to `last`. */
async function pagedService(t: { after(fn: () => Promise<void>): void }, last: number) {
  const state: { failAt?: number; loop?: { from: number; to: number } } = {};
  const link = (server: RecordingServer, page: number) => (page === 0 ? server.url("svc/Items") : server.url(`svc/Items?$skiptoken=${page}`));
  const server: RecordingServer = await startServer((request, res) => {
    const url = new URL(request.path, "http://x");
    if (url.pathname !== "/svc/Items") return sendJson(res, 404, { error: { code: "404", message: "no such resource" } }, V4);
    const page = Number(url.searchParams.get("$skiptoken") ?? 0);
    if (page === state.failAt) return sendJson(res, 400, { error: { code: "E", message: "page refused" } }, V4);
    const next = state.loop?.from === page ? state.loop.to : page < last ? page + 1 : undefined;
    sendJson(res, 200, { value: [{ ID: page }], ...(next === undefined ? {} : { "@odata.nextLink": link(server, next) }) }, V4);
  });
  t.after(() => server.close());
  return { server, state, link: (page: number) => link(server, page) };
}

/** The IDs written to an NDJSON file, in order. */
const idsIn = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { ID: number }).ID);
/**
 * The pages asked for since request `from`, but for a last one that asks again for page 8: the
 * walk's read-ahead may send the request of the page a next link names before the page that names
 * it is written, and so before the loop is found (the rows of that answer are never written).
 */
function askedAfter(server: RecordingServer, from: number): string[] {
  const paths = server.requests.slice(from).map((r) => decodeURIComponent(r.path));
  return paths.at(-1) === "/svc/Items?$skiptoken=8" ? paths.slice(0, -1) : paths;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Exports pages 0 to 39 (40 pages, more than the checkpoint keeps) and stops at page 40, which the
 * service refuses; resolves with the folder and the checkpoint left.
 */
async function fortyPagesThenStop(service: Awaited<ReturnType<typeof pagedService>>, args: string[]) {
  const cwd = tempDir();
  service.state.failAt = 40;
  try {
    const first = await cliInProcess(args, "", { cwd });
    assert.equal(first.code, 3, show(first));
  } finally {
    delete service.state.failAt;
  }
  const checkpoint = JSON.parse(readFileSync(join(cwd, "x.ndjson.checkpoint.json"), "utf8")) as { recentLinks: string[]; next: string; pages: number };
  return { cwd, checkpoint };
}

test("after 40 pages the checkpoint keeps the links of the last 32 (the latest last); a resumed walk stops at a next link back to the oldest of them", async (t) => {
  assert.equal(RECENT_PAGE_LINKS, 32);
  const service = await pagedService(t, 60);
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.ndjson", "--checkpoint-interval", "0", "--quiet"];
  const { cwd, checkpoint } = await fortyPagesThenStop(service, args);
  assert.equal(checkpoint.pages, 40);
  assert.deepEqual(checkpoint.recentLinks, range(8, 39).map(service.link));
  assert.equal(checkpoint.next, service.link(40));

  // Page 40, the first the resume reads, links back to page 8: 32 pages before it.
  service.state.loop = { from: 40, to: 8 };
  const from = service.server.requests.length;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 1, show(resumed));
  assert.match(resumed.stderr, /sent a next link back to a page already read/);
  // Page 8 may be asked for as the walk's read-ahead (sent while page 40 is parsed); its row is not written.
  assert.deepEqual(askedAfter(service.server, from), ["/svc/Items?$skiptoken=40"]);
  assert.deepEqual(idsIn(join(cwd, "x.ndjson")), range(0, 40));
});

test("a resumed walk follows a next link back to the page just before the last 32 (it is not kept), and stops at the next one that is", async (t) => {
  const service = await pagedService(t, 60);
  const args = ["export", service.server.url("svc/"), "Items", "--out", "x.ndjson", "--checkpoint-interval", "0", "--quiet"];
  const { cwd, checkpoint } = await fortyPagesThenStop(service, args);
  assert.equal(checkpoint.recentLinks.length, 32);
  assert.ok(!checkpoint.recentLinks.includes(service.link(7)));

  // Page 40 links back to page 7, 33 pages before it: read again; page 7 links on to page 8, which is kept.
  service.state.loop = { from: 40, to: 7 };
  const from = service.server.requests.length;
  const resumed = await cliInProcess([...args, "--resume"], "", { cwd });
  assert.equal(resumed.code, 1, show(resumed));
  assert.match(resumed.stderr, /sent a next link back to a page already read/);
  assert.deepEqual(askedAfter(service.server, from), ["/svc/Items?$skiptoken=40", "/svc/Items?$skiptoken=7"]);
  assert.deepEqual(idsIn(join(cwd, "x.ndjson")), [...range(0, 40), 7]);
});

test("an error body that stalls is given up after 10 s in all with the client's default options, not before; the error keeps its status and OData error", { timeout: 15_000 }, async (t) => {
  // The figures the README gives: 10 s for an error body in all, below the default 30 s wait for data.
  assert.equal(ERROR_BODY_TIME_LIMIT, 10_000);
  assert.equal(resolveClientOptions({ serviceUrl: "http://127.0.0.1/" }).timeout, 30_000);
  const time = useFakeTime(t);
  let arrived: number | undefined;
  const { client } = await serveClient(t, (_request, res) => {
    arrived = time.mark();
    res.writeHead(500, { "content-type": "application/json" });
    // The whole OData error, then the body goes on and sends nothing more.
    res.write('{"error":{"code":"E1","message":"the service is busy"}}');
  });
  let settled = false;
  const rejected = rejectionOf(client.collection("Items").page()).finally(() => (settled = true));
  await time.within(
    (async () => {
      while (arrived === undefined) await time.realPause(5);
    })(),
  );
  assert.equal(await time.nextTimer(ERROR_BODY_TIME_LIMIT, { setAfter: arrived as number }), ERROR_BODY_TIME_LIMIT);
  const started = time.now();
  time.tick(ERROR_BODY_TIME_LIMIT - 1);
  await time.realPause(100);
  assert.equal(settled, false, "the error body is still read at 9.999 s");
  time.tick(1);
  const error = await time.within(rejected);
  assert.equal(time.now() - started, 10_000);
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.equal(error.status, 500);
  assert.equal(error.body, '{"error":{"code":"E1","message":"the service is busy"}}');
  assert.deepEqual(error.odataError, { code: "E1", message: "the service is busy" });
  // Cut by the time limit, not by the stall timeout (30 s): no TIMEOUT cause.
  assert.ok(!(error.cause instanceof ODataClientError), `cause: ${String(error.cause)}`);
});
