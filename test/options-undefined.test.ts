// Options and `undefined`, and signals that are not this runtime's AbortSignal.
// - Under exactOptionalPropertyTypes (this repository's own setting) `{ signal: maybeSignal }`
//   compiles only if the option is declared `| undefined`: this file type-checks only because every
//   optional property of every public options type is. At run time `undefined` means "not given".
// - Any object that behaves like an AbortSignal (jsdom's, a polyfill's) is taken wherever a signal
//   is, and bridged to a real one for fetch, without piling listeners on it.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import {
  ODataClient,
  createFilterBuilder,
  type AbortSignalLike,
  type AsyncPollerOptions,
  type BatchOptions,
  type BatchSendOptions,
  type DeltaOptions,
  type ODataClientOptions,
  type ReadOptions,
  type RetryOptions,
} from "../src/index.js";
import { sendJson, sendText, serveClient, type RecordedRequest, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

/** A value the compiler only knows as `T | undefined`, as options computed at run time are. */
function maybe<T>(value: T | undefined): T | undefined {
  return value;
}

function answer(request: RecordedRequest, res: ServerResponse): void {
  if (request.path.endsWith("/$metadata")) {
    return sendText(res, 200, '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="NS" xmlns="http://docs.oasis-open.org/odata/ns/edm"/></edmx:DataServices></edmx:Edmx>', { "content-type": "application/xml" });
  }
  if (request.path.endsWith("/$batch")) return sendText(res, 500, "no batches");
  if (request.path.includes("delta")) return sendJson(res, 200, { value: [], "@odata.deltaLink": "Items?delta=2" });
  if (request.method === "GET" && request.path.includes("Items(1)/$value")) return sendText(res, 200, "bytes");
  if (request.method === "GET" && request.path.includes("Items(1)")) return sendJson(res, 200, { ID: 1, "@odata.etag": 'W/"read"' });
  if (request.method === "GET") return sendJson(res, 200, { value: [{ ID: 1 }] });
  res.writeHead(204).end();
}

function service(t: TestContextLike, handler = answer): Promise<{ server: RecordingServer; root: string }> {
  return serveClient(t, handler);
}

describe("options given as undefined are options not given", () => {
  test("client, read, write, operation, batch, delta, metadata and poller options take `| undefined` values", async (t) => {
    const { server, root } = await service(t);
    const signal = maybe<AbortSignal>(undefined);
    const text = maybe<string>(undefined);
    const flag = maybe<boolean>(undefined);
    const count = maybe<number>(undefined);

    const retry: RetryOptions = { retries: count, delay: count, maxDelay: count };
    const clientOptions: ODataClientOptions = {
      serviceUrl: root,
      version: maybe<"4.0">(undefined),
      fetch: maybe<typeof fetch>(undefined),
      headers: maybe<Record<string, string>>(undefined),
      auth: undefined,
      csrf: flag,
      maxPageSize: count,
      timeout: count,
      retry: maybe<RetryOptions>(retry),
      trustedOrigins: maybe<string[]>(undefined),
      userAgent: text,
      acceptLanguage: undefined,
      steps: undefined,
    };
    const client = new ODataClient(clientOptions);
    const items = client.collection<{ ID: number; tags: { ID: number }[] }>("Items");

    const read: ReadOptions = { signal, readAhead: count, from: text, maxPageSize: count };
    await items.page(read);
    await items.key(1).get({ signal });
    await items.create({ ID: 2 }, { prefer: undefined, headers: undefined, tunnel: flag, signal });
    const book = await items.key(1).get();
    await items.key(1).update({ ...book }, { etag: text, ifMatch: text, prefer: undefined, tunnel: flag, headers: undefined, signal });
    await items.key(1).replace({ ID: 1 }, { etag: undefined, signal });
    await items.key(1).upsert({ ID: 1 }, { replace: flag, ifNoneMatch: undefined, prefer: undefined, signal });
    await items.key(1).delete({ etag: text, ifMatch: "*", signal });
    await items.key(1).link("tags", items.key(2), { headers: undefined, tunnel: flag, signal });
    await items.key(1).media().put("x", { contentType: "text/plain", etag: text, ifMatch: "*", signal });
    await items.key(1).media().bytes({ signal });
    await items.key(1).property("ID").get({ signal, timeout: count, headers: undefined, onResponse: undefined });
    await items.key(1).property("ID").text({ signal, timeout: count, headers: undefined, onResponse: undefined });
    await items.key(1).property("ID").bytes({ signal, timeout: count, headers: undefined, onResponse: undefined });
    await items.createMedia("x", { contentType: "text/plain", slug: text, prefer: undefined, signal });
    await items.action("go", { namespace: text }).invoke({}, { signal, etag: text, ifMatch: text });
    await client.function("count").get({ signal });
    const pollerOptions: AsyncPollerOptions = { pollInterval: count, maxWait: count, onProgress: undefined, signal };
    await client.action("go").invokeAsync({}, { ...pollerOptions, etag: text, ifMatch: text });
    await items.createAsync({ ID: 3 }, pollerOptions);
    const batchOptions: BatchOptions = { format: undefined, boundaries: undefined };
    const batch = client.batch(batchOptions);
    batch.action("go", {}, { bound: undefined, namespace: text, etag: text });
    const send: BatchSendOptions = { signal, continueOnError: flag, continuation: undefined };
    // The server answers the $batch POST with a 500: what matters here is that the options were taken.
    await assert.rejects(batch.send(send), { name: "ODataHttpError", status: 500 });
    const deltaOptions: DeltaOptions = { signal, maxPageSize: count, format: undefined };
    for await (const page of client.delta("Items?delta=1", deltaOptions)) assert.deepEqual(page.changed, []);
    await client.metadata({ signal });
    assert.equal(String(createFilterBuilder<{ tags: string[] }>().any("tags", (x) => x.eq(x.self, "a"), { as: text })), "tags/any(t:t eq 'a')");

    const sent = server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`);
    assert.deepEqual(sent, [
      "GET /odata/Items",
      "GET /odata/Items(1)",
      "POST /odata/Items",
      "GET /odata/Items(1)",
      "PATCH /odata/Items(1)",
      "PUT /odata/Items(1)",
      "PATCH /odata/Items(1)",
      "DELETE /odata/Items(1)",
      "POST /odata/Items(1)/tags/$ref",
      "PUT /odata/Items(1)/$value",
      "GET /odata/Items(1)/$value",
      "GET /odata/Items(1)/ID",
      "GET /odata/Items(1)/ID/$value",
      "GET /odata/Items(1)/ID/$value",
      "POST /odata/Items",
      "POST /odata/Items/go",
      "GET /odata/count()",
      "POST /odata/go",
      "POST /odata/Items",
      "POST /odata/$batch",
      "GET /odata/Items?delta=1",
      "GET /odata/$metadata",
    ]);
    // `etag: undefined` and `ifMatch: undefined` are "not given": the ETag the body carries is sent.
    assert.equal(server.requests[4]?.headers["if-match"], 'W/"read"');
    assert.equal(server.requests[5]?.headers["if-match"], undefined);
    assert.equal(server.requests[2]?.headers.prefer, undefined);
  });
});

/**
 * A signal made by hand, as jsdom or a polyfill would make one: not an instance of this runtime's
 * AbortSignal. It counts its listeners.
 */
class HandMadeSignal implements AbortSignalLike {
  aborted = false;
  reason: unknown = undefined;
  readonly #listeners = new Map<() => void, boolean>();

  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void {
    if (type === "abort") this.#listeners.set(listener, options?.once === true);
  }

  removeEventListener(type: "abort", listener: () => void): void {
    if (type === "abort") this.#listeners.delete(listener);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const [listener, once] of [...this.#listeners]) {
      if (once) this.#listeners.delete(listener);
      listener();
    }
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}

describe("a signal that is not this runtime's AbortSignal", () => {
  test("aborting it mid-walk ends the walk with its reason and closes the request in flight", async (t) => {
    let closed: () => void = () => {};
    const secondClosed = new Promise<void>((resolve) => (closed = resolve));
    const { root } = await service(t, (request, res) => {
      if (request.path.includes("page=2")) {
        // Page 2 never answers: only the abort can end the walk.
        res.on("close", () => closed());
        return;
      }
      sendJson(res, 200, { value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": "Items?page=2" });
    });
    const client = new ODataClient({ serviceUrl: root, retry: false, timeout: 0 });
    const signal = new HandMadeSignal();
    assert.ok(!((signal as unknown) instanceof AbortSignal));
    const reason = new Error("stopped by hand");
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const item of client.collection<{ ID: number }>("Items").stream({ signal })) {
          seen.push(item.ID);
          if (seen.length === 2) setTimeout(() => signal.abort(reason), 20);
        }
      })(),
      (error: unknown) => error === reason,
    );
    assert.deepEqual(seen, [1, 2]);
    await secondClosed;
    assert.equal(signal.listeners, 0, "the bridge's listener went once it fired");
  });

  test("many requests with one such signal put one listener on it, not one per request", async (t) => {
    const { server, root } = await service(t);
    const client = new ODataClient({ serviceUrl: root, retry: false });
    const signal = new HandMadeSignal();
    const items = client.collection("Items");
    for (let i = 0; i < 5; i++) {
      await items.page({ signal });
      await items.key(1).get({ signal });
      await items.key(1).update({ ID: 1 }, { signal, ifMatch: "*" });
      await client.function("count").get({ signal });
      await client.metadata({ signal });
    }
    assert.equal(server.requests.length, 21);
    assert.ok(signal.listeners <= 1, `${signal.listeners} listeners`);
  });

  test("every kind of request takes it; one already aborted rejects with its reason and sends nothing", async (t) => {
    const { server, root } = await service(t);
    const client = new ODataClient({ serviceUrl: root, retry: false });
    const items = client.collection("Items");
    const reason = new Error("already");
    const aborted = new HandMadeSignal();
    aborted.abort(reason);
    const calls: [string, () => Promise<unknown>][] = [
      ["page", () => items.page({ signal: aborted })],
      ["list", () => items.list({ signal: aborted })],
      ["countAll", () => items.countAll({ signal: aborted })],
      ["get", () => items.key(1).get({ signal: aborted })],
      ["create", () => items.create({ ID: 1 }, { signal: aborted })],
      ["delete", () => items.key(1).delete({ signal: aborted, ifMatch: "*" })],
      ["media", () => items.key(1).media().text({ signal: aborted })],
      ["invoke", () => client.action("go").invoke({}, { signal: aborted })],
      ["function", () => client.function("count").get({ signal: aborted })],
      ["createAsync", () => items.createAsync({ ID: 1 }, { signal: aborted })],
      ["batch", () => (client.batch().get(items.key(1)), client.batch()).send({ signal: aborted })],
      ["delta", () => client.delta("Items?delta=1", { signal: aborted }).next()],
      ["metadata", () => client.metadata({ signal: aborted })],
      ["poll", () => client.asyncPoller("monitor").poll(aborted)],
      ["wait", () => client.asyncPoller("monitor").wait(aborted)],
      ["cancel", () => client.asyncPoller("monitor").cancel(aborted)],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(call(), (error: unknown) => error === reason || (name === "batch" && error instanceof TypeError), name);
    }
    assert.equal(server.requests.length, 0);

    const live = new HandMadeSignal();
    await items.page({ signal: live });
    await items.createAsync({ ID: 1 }, { signal: live });
    const batch = client.batch();
    batch.get(items.key(1));
    await assert.rejects(batch.send({ signal: live }), (error: unknown) => (error as { status?: number }).status === 500);
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path}`),
      ["GET /odata/Items", "POST /odata/Items", "POST /odata/$batch"],
    );
  });

  test("something that is not a signal at all is refused with a TypeError naming the option", async (t) => {
    const { server, root } = await service(t);
    const client = new ODataClient({ serviceUrl: root, retry: false });
    const notASignal = { aborted: "no" } as unknown as AbortSignal;
    await assert.rejects(client.collection("Items").page({ signal: notASignal }), (error: unknown) => error instanceof TypeError && /option "signal" must be an AbortSignal/.test(error.message));
    await assert.rejects(client.collection("Items").key(1).get({ signal: notASignal }), TypeError);
    await assert.rejects(client.function("count").get({ signal: notASignal }), TypeError);
    assert.equal(server.requests.length, 0);
  });
});
