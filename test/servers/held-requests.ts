// The operations of the public surface that send a request, each with a server that holds that
// request at one phase, shared by test/abort-everywhere.test.ts (an abort ends it) and
// test/timeout-everywhere.test.ts (option `timeout` ends it):
//   (a) the request arrived and no headers are ever sent, or
//   (b) the headers and the start of the body are sent, then nothing more (the client is reading).
// Requests before the held one are answered normally; the held one and every one after it (a
// retry, the next poll) are held the same way and never answered in full.
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClient, parseMetadata, type ODataClientOptions } from "../../src/index.js";
import { activeTimers, ITEMS_METADATA, sendJson, sendText, startServer, waitFor, type RecordedRequest, type RecordingServer, type TestContextLike } from "./recording-server.js";

export { activeTimers, waitFor };


export type Outcome = { settled: "resolved"; value: unknown } | { settled: "rejected"; error: unknown } | { settled: "pending" };

/**
 * How `promise` settles within `ms`; "pending" if it has not by then. The test's own timer is
 * cleared before this returns, so that it never counts as a timer of the library.
 */
export async function settleWithin(promise: Promise<unknown>, ms = 2_000): Promise<Outcome> {
  const stop = new AbortController();
  const pending = (): Outcome => ({ settled: "pending" });
  const late = sleep(ms, undefined, { signal: stop.signal }).then(pending, pending);
  const settled = promise.then(
    (value): Outcome => ({ settled: "resolved", value }),
    (error: unknown): Outcome => ({ settled: "rejected", error }),
  );
  const outcome = await Promise.race([settled, late]);
  stop.abort();
  await late;
  return outcome;
}

/** What phase (b) sends of the held answer before it stalls. */
export interface PartialAnswer {
  status: number;
  headers: Record<string, string>;
  start: string;
}

export const json = (start: string, status = 200, headers: Record<string, string> = {}): PartialAnswer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  start,
});

/** One operation of the table. */
export interface Operation {
  name: string;
  /** Answers for the requests before the held one, in order (the held one is the next). */
  before?: ((res: ServerResponse) => void)[];
  /** The held request, as the server must see it. */
  held: { method: string; path: string; header?: [string, string] };
  /** What phase (b) sends; none where the client does not read the answer's body. */
  partial?: PartialAnswer;
  options?: (origin: string) => Partial<ODataClientOptions>;
  /** Starts the operation (with `signal`, if one is given). */
  run(client: ODataClient, signal: AbortSignal | undefined, root: string): Promise<unknown>;
}

export type Phase = "no headers" | "part of the body";

export const ROOT = "/odata/";
export const items = (...ids: number[]) => ids.map((ID) => ({ ID }));

/** Page 1 of a walk whose page 2 is the held request. */
const pageOne = (res: ServerResponse) => sendJson(res, 200, { value: items(1, 2), "@odata.nextLink": "Items?page=2" });
const pageTwo = { method: "GET", path: `${ROOT}Items?page=2` };
const itemsPartial = json('{"value":[{"ID":3},');

export const operations: Operation[] = [
  {
    name: "page()",
    held: { method: "GET", path: `${ROOT}Items` },
    partial: itemsPartial,
    run: (client, signal) => client.collection("Items").page({ signal }),
  },
  {
    name: "pages(), the step that reads page 2",
    before: [pageOne],
    held: pageTwo,
    partial: itemsPartial,
    async run(client, signal) {
      const pages = client.collection<{ ID: number }>("Items").pages({ signal });
      const first = await pages.next();
      assert.deepEqual(first.value?.value, items(1, 2));
      return pages.next();
    },
  },
  {
    name: "for await of stream(), in page 2",
    before: [pageOne],
    held: pageTwo,
    partial: itemsPartial,
    async run(client, signal) {
      const seen: number[] = [];
      try {
        for await (const item of client.collection<{ ID: number }>("Items").stream({ signal })) seen.push(item.ID);
      } finally {
        assert.deepEqual(seen, [1, 2], "the entities of page 1 were delivered");
      }
    },
  },
  {
    name: "list(), in page 2",
    before: [pageOne],
    held: pageTwo,
    partial: itemsPartial,
    run: (client, signal) => client.collection("Items").list({ signal }),
  },
  {
    name: "first()",
    held: { method: "GET", path: `${ROOT}Items?$top=1` },
    // Cut inside the first entity: first() hands on a whole first entity at once, without waiting
    // for the rest of the body.
    partial: json('{"value":[{"ID":3'),
    run: (client, signal) => client.collection("Items").first({ signal }),
  },
  {
    name: "countAll()",
    held: { method: "GET", path: `${ROOT}Items/$count` },
    partial: { status: 200, headers: { "content-type": "text/plain" }, start: "4" },
    run: (client, signal) => client.collection("Items").countAll({ signal }),
  },
  {
    name: "key(1).get()",
    held: { method: "GET", path: `${ROOT}Items(1)` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.collection("Items").key(1).get({ signal }),
  },
  {
    name: 'key(1).property("name").get()',
    held: { method: "GET", path: `${ROOT}Items(1)/name` },
    partial: json('{"value":"ab'),
    run: (client, signal) => client.collection("Items").key(1).property("name").get({ signal }),
  },
  {
    name: 'key(1).property("name").text()',
    held: { method: "GET", path: `${ROOT}Items(1)/name/$value` },
    partial: { status: 200, headers: { "content-type": "text/plain" }, start: "ab" },
    run: (client, signal) => client.collection("Items").key(1).property("name").text({ signal }),
  },
  {
    name: "create()",
    held: { method: "POST", path: `${ROOT}Items` },
    partial: json('{"ID":1,', 201),
    run: (client, signal) => client.collection("Items").create({ ID: 1 }, { signal }),
  },
  {
    name: "key(1).update()",
    held: { method: "PATCH", path: `${ROOT}Items(1)` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.collection("Items").key(1).update({ name: "x" }, { signal }),
  },
  {
    name: "key(1).replace()",
    held: { method: "PUT", path: `${ROOT}Items(1)` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.collection("Items").key(1).replace({ ID: 1, name: "x" }, { signal }),
  },
  {
    name: "key(1).delete()",
    held: { method: "DELETE", path: `${ROOT}Items(1)` },
    run: (client, signal) => client.collection("Items").key(1).delete({ signal }),
  },
  {
    name: "action().invoke()",
    held: { method: "POST", path: `${ROOT}submitOrder` },
    partial: json('{"value":{"stock":'),
    run: (client, signal) => client.action("submitOrder").invoke({ quantity: 2 }, { signal }),
  },
  {
    name: "function().get()",
    held: { method: "GET", path: `${ROOT}countBooks(minStock=1)` },
    partial: json('{"value":'),
    run: (client, signal) => client.function("countBooks", { minStock: 1 }).get({ signal }),
  },
  {
    name: "batch().send()",
    held: { method: "POST", path: `${ROOT}$batch` },
    partial: { status: 200, headers: { "content-type": "multipart/mixed; boundary=b1" }, start: "--b1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n" },
    run(client, signal) {
      const batch = client.batch();
      batch.get(client.collection("Items").key(1));
      return batch.send({ signal });
    },
  },
  {
    name: "metadata()",
    held: { method: "GET", path: `${ROOT}$metadata` },
    partial: {
      status: 200,
      headers: { "content-type": "application/xml" },
      start: '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>',
    },
    run: (client, signal) => client.metadata({ signal }),
  },
  {
    name: "delta(), its first step",
    held: { method: "GET", path: `${ROOT}Items?$deltatoken=1` },
    partial: json('{"value":[{"ID":1},'),
    run: (client, signal, root) => client.delta(`${root}Items?$deltatoken=1`, { signal }).next(),
  },
  {
    name: "createAsync(), its initial request",
    held: { method: "POST", path: `${ROOT}Jobs`, header: ["prefer", "respond-async"] },
    partial: json('{"status":"Runn', 202, { location: "Jobs(1)/status" }),
    run: (client, signal) => client.collection("Jobs").createAsync({ format: "csv" }, { signal }),
  },
  {
    name: "poller poll(signal)",
    held: { method: "GET", path: `${ROOT}Jobs(1)/status` },
    partial: json('{"status":"Runn', 202),
    run: (client, signal) => client.asyncPoller("Jobs(1)/status").poll(signal),
  },
  {
    name: "poller wait(signal), a poll on the wire",
    held: { method: "GET", path: `${ROOT}Jobs(1)/status` },
    partial: json('{"status":"Runn', 202),
    run: (client, signal) => client.asyncPoller("Jobs(1)/status", { pollInterval: 1 }).wait(signal),
  },
  {
    name: "poller cancel(signal)",
    held: { method: "DELETE", path: `${ROOT}Jobs(1)/status` },
    run: (client, signal) => client.asyncPoller("Jobs(1)/status").cancel(signal),
  },
  {
    name: "poller poll(signal), the GET of the result a 303 names",
    before: [(res) => sendText(res, 303, "", { location: `${ROOT}Jobs(1)/result` })],
    held: { method: "GET", path: `${ROOT}Jobs(1)/result` },
    partial: json('{"ID":1,'),
    run: (client, signal) => client.asyncPoller("Jobs(1)/status").poll(signal),
  },
  {
    name: "action().invokeAsync(), its initial request",
    held: { method: "POST", path: `${ROOT}submitOrder`, header: ["prefer", "respond-async"] },
    partial: json('{"status":"Runn', 202, { location: "Jobs(1)/status" }),
    run: (client, signal) => client.action("submitOrder").invokeAsync({ quantity: 2 }, { signal }),
  },
  {
    name: "batch().sendAsync(), its initial request",
    held: { method: "POST", path: `${ROOT}$batch`, header: ["prefer", "respond-async"] },
    partial: json('{"status":"Runn', 202, { location: "Jobs(1)/status" }),
    run(client, signal) {
      const batch = client.batch();
      batch.get(client.collection("Items").key(1));
      return batch.sendAsync({ signal });
    },
  },
  {
    name: "key(9).upsert()",
    held: { method: "PATCH", path: `${ROOT}Items(9)` },
    partial: json('{"ID":9,', 201),
    run: (client, signal) => client.collection("Items").key(9).upsert({ name: "x" }, { signal }),
  },
  {
    name: "key(1).link()",
    held: { method: "POST", path: `${ROOT}Items(1)/reviews/$ref` },
    run: (client, signal) => client.collection("Items").key(1).link("reviews", client.collection("Reviews").key(5), { signal }),
  },
  {
    name: "media().bytes()",
    held: { method: "GET", path: `${ROOT}Photos(1)/$value` },
    partial: { status: 200, headers: { "content-type": "image/png" }, start: "PNG" },
    run: (client, signal) => client.collection("Photos").key(1).media().bytes({ signal }),
  },
  {
    name: "partitions(2), the probe after the count",
    before: [(res) => sendText(res, 200, "10")],
    held: { method: "GET", path: `${ROOT}Items?$select=ID&$orderby=ID&$skip=5&$top=1` },
    // Cut inside the first entity: a probe, as first(), takes a whole first entity at once.
    partial: json('{"value":[{"ID":3'),
    run: (client, signal) => client.collection("Items").partitions(2, { model: parseMetadata(ITEMS_METADATA), signal }),
  },
  {
    name: "create() with csrf: true, its token fetch",
    held: { method: "GET", path: ROOT, header: ["x-csrf-token", "Fetch"] },
    options: () => ({ csrf: true }),
    run: (client, signal) => client.collection("Items").create({ ID: 1 }, { signal }),
  },
  {
    name: "page() with auth.oauth2, its token request",
    held: { method: "POST", path: "/token" },
    partial: json('{"access_token":"t1","token_type":"Bearer",'),
    options: (origin) => ({ auth: { oauth2: { tokenUrl: `${origin}/token`, clientId: "c", clientSecret: "s" } } }),
    run: (client, signal) => client.collection("Items").page({ signal }),
  },
];

/** What the server saw of a held request. */
export interface Held {
  request: RecordedRequest;
  /** Whether its answer was finished when its connection closed (set once it closed). */
  finishedAtClose?: boolean;
  /** Set in phase (b) once the partial body has been flushed to the socket. */
  written?: boolean;
}

export interface Harness {
  server: RecordingServer;
  client: ODataClient;
  root: string;
  /** The first held request, once it has arrived. */
  held(): Held | undefined;
  /** Every held request so far: the first, and any sent after it (a retry, the next poll). */
  allHeld(): readonly Held[];
  /** How many answers the client has received (its `fetch` counts them). */
  answersSeen(): number;
}

/**
 * A server holding `operation`'s request at `phase`, closed after the test, and a client on its
 * service root with `options` (then the operation's own options).
 */
export async function holdingServer(t: TestContextLike, operation: Operation, phase: Phase, options: Partial<ODataClientOptions> = {}): Promise<Harness> {
  const held: Held[] = [];
  const before = operation.before ?? [];
  const server = await startServer((request, res) => {
    const index = server.requests.indexOf(request);
    const answer = before[index];
    if (answer) return answer(res);
    // The held request, and anything after it, is never answered in full.
    const record: Held = { request };
    held.push(record);
    res.on("close", () => {
      record.finishedAtClose = res.writableFinished;
    });
    if (phase === "part of the body" && operation.partial) {
      const { status, headers, start } = operation.partial;
      res.writeHead(status, headers);
      res.write(start, () => {
        record.written = true;
      });
    }
  });
  t.after(() => server.close());
  // Counts the answers that reach the client (their headers received), token requests included,
  // so that phase (b) aborts only once the client is reading the body.
  const counting = countingFetch();
  const root = server.url("odata/");
  const client = new ODataClient({ serviceUrl: root, fetch: counting.fetch, ...options, ...operation.options?.(server.origin) });
  return { server, client, root, held: () => held[0], allHeld: () => held, answersSeen: counting.answers };
}

/** The global `fetch`, counting the answers whose headers reached the caller. */
export function countingFetch(): { fetch: typeof fetch; answers: () => number } {
  let answers = 0;
  return {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      answers++;
      return response;
    },
    answers: () => answers,
  };
}
