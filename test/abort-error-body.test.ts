// An abort while the body of an error answer is read rejects with the abort's reason, not with the
// answer's ODataHttpError (which used to carry the reason as its cause). The server answers 500
// with the start of a JSON error and then sends nothing more; the caller aborts with a reason of
// its own, an Error or a TypeError (both look like a lost connection to the reading of an error
// body, which keeps the status and the text read so far for those). Every method whose error body
// was read without the request's signal is covered; the rest are in abort-everywhere.test.ts.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import { startServer, waitFor, type RecordedRequest, type TestContextLike } from "./servers/recording-server.js";
import { countingFetch } from "./servers/held-requests.js";

const LIMIT = { timeout: 20_000 };

/** The start of the error body; the rest never comes. */
const PARTIAL = '{"error":{"code":"E1","message":"the disk is full';

interface Seen {
  request: RecordedRequest;
  /** The partial body has been flushed to the socket. */
  written: boolean;
  /** The connection closed before the answer was finished. */
  closedEarly?: boolean;
}

async function failingService(t: TestContextLike) {
  const seen: Seen[] = [];
  const server = await startServer((request, res) => {
    const record: Seen = { request, written: false };
    seen.push(record);
    res.on("close", () => {
      record.closedEarly = !res.writableFinished;
    });
    res.writeHead(500, { "content-type": "application/json" });
    res.write(PARTIAL, () => {
      record.written = true;
    });
  });
  t.after(() => server.close());
  // Counts the answers whose headers reached the client, so that the abort falls while the client
  // reads the body.
  const counting = countingFetch();
  const root = server.url("odata/");
  return {
    seen,
    root,
    answers: counting.answers,
    client: new ODataClient({ serviceUrl: root, fetch: counting.fetch, retry: false }),
    reader: new ODataReader({ serviceUrl: root, fetch: counting.fetch, retry: false }),
  };
}

type Service = Awaited<ReturnType<typeof failingService>>;

async function firstOf(iterable: AsyncIterable<unknown>): Promise<unknown> {
  for await (const value of iterable) return value;
  return undefined;
}

const cases: Array<{ name: string; sent: string; run: (service: Service, signal: AbortSignal) => Promise<unknown>; header?: [string, string] }> = [
  { name: "client key(1).get()", sent: "GET /odata/Items(1)", run: ({ client }, signal) => client.collection("Items").key(1).get({ signal }) },
  { name: "ODataReader key(1).get()", sent: "GET /odata/Items(1)", run: ({ reader }, signal) => reader.collection("Items").key(1).get({ signal }) },
  {
    name: "navigateOne().get()",
    sent: "GET /odata/Items(1)/author",
    run: ({ client }, signal) => client.collection("Items").key(1).navigateOne("author").get({ signal }),
  },
  { name: "countAll()", sent: "GET /odata/Items/$count", run: ({ client }, signal) => client.collection("Items").countAll({ signal }) },
  { name: "page()", sent: "GET /odata/Items", run: ({ client }, signal) => client.collection("Items").page({ signal }) },
  { name: "first()", sent: "GET /odata/Items?$top=1", run: ({ client }, signal) => client.collection("Items").first({ signal }) },
  { name: "ODataReader page()", sent: "GET /odata/Items", run: ({ reader }, signal) => reader.collection("Items").page({ signal }) },
  {
    name: "delta()",
    sent: "GET /odata/Items?$deltatoken=1",
    run: ({ client, root }, signal) => firstOf(client.delta(`${root}Items?$deltatoken=1`, { signal })),
  },
  {
    name: "createAsync() (the initial answer)",
    sent: "POST /odata/Items",
    header: ["prefer", "respond-async"],
    run: ({ client }, signal) => client.collection("Items").createAsync({ Name: "n" }, { signal }),
  },
  { name: "a poller's cancel()", sent: "DELETE /odata/Jobs(2)", run: ({ client }, signal) => client.asyncPoller("Jobs(2)").cancel(signal) },
];

for (const [kind, makeReason] of [
  ["an Error", (name: string) => new Error(`shutdown: ${name}`)],
  ["a TypeError", (name: string) => new TypeError(`shutdown: ${name}`)],
] as const) {
  describe(`aborted with ${kind} while the body of a 500 answer is read`, () => {
    for (const operation of cases) {
      test(`${operation.name} rejects with the abort's reason itself and closes the connection`, LIMIT, async (t) => {
        const service = await failingService(t);
        const controller = new AbortController();
        const reason = makeReason(operation.name);
        const running = operation.run(service, controller.signal);
        running.catch(() => {});
        await waitFor(() => service.seen.length === 1 && service.seen[0]!.written, "the partial error body to be written");
        await waitFor(() => service.answers() === 1, "the client to receive the answer's headers");
        const { request } = service.seen[0]!;
        assert.equal(`${request.method} ${request.path}`, operation.sent);
        if (operation.header) assert.match(String(request.headers[operation.header[0]]), new RegExp(operation.header[1]));
        controller.abort(reason);
        let settled: { error: unknown } | { value: unknown } | undefined;
        running.then(
          (value) => (settled = { value }),
          (error: unknown) => (settled = { error }),
        );
        await waitFor(() => settled !== undefined, "the promise to settle after the abort", 2_000);
        assert.ok(settled && "error" in settled, `resolved after the abort: ${JSON.stringify(settled)}`);
        const error = settled.error as { name?: string; message?: string; cause?: unknown };
        assert.ok(error === reason, `rejected with ${error?.name}: ${error?.message}${error?.cause === reason ? " (the reason as its cause)" : ""}, not with the reason`);
        await waitFor(() => service.seen[0]!.closedEarly !== undefined, "the server to see the connection close", 2_000);
        assert.equal(service.seen[0]!.closedEarly, true, "the connection closed before the answer was finished");
        assert.equal(service.seen.length, 1, "nothing sent after the abort");
      });
    }
  });
}
