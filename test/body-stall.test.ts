// The client's `timeout` after the headers: a body that stops sending data is aborted with code
// TIMEOUT once a read has waited `timeout` ms, whichever reader reads it (page reader, unpaged
// scanner, entity, error body, $batch, status monitor, media), and the connection is closed. A body
// that keeps sending, however slowly in all, and a caller that holds the body back are not timed
// out. Every server here sends its headers at once and then data on a schedule the test sets.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataClientError, ODataHttpError } from "../src/index.js";
import { serveClient, type RecordedRequest } from "./servers/recording-server.js";

/** Each test must end on its own; on the code before the stall watch these hung until aborted. */
const LIMIT = { timeout: 15_000 };

const TIMEOUT = 400;

const activeTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

async function waitFor(condition: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Resolves with the error `promise` rejects with; fails when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

function assertStallTimeout(error: unknown, path: string): ODataClientError {
  assert.ok(error instanceof ODataClientError, `expected ODataClientError TIMEOUT, got ${String(error)}`);
  assert.equal(error.code, "TIMEOUT", error.message);
  assert.match(error.message, /stalled/);
  assert.match(error.message, new RegExp(`${TIMEOUT} ms`));
  assert.ok(error.message.includes(path), error.message);
  return error;
}

/** Records when the server saw the client close each connection. */
function closeWatch() {
  const closed: string[] = [];
  return {
    closed,
    watch(request: RecordedRequest, req: IncomingMessage) {
      req.socket.on("close", () => closed.push(request.path));
    },
  };
}

/** Sends the headers and the start of a body, then nothing more (the connection stays open). */
function stallAfter(res: ServerResponse, contentType: string, start: string | Buffer): void {
  res.writeHead(200, { "content-type": contentType });
  res.write(start);
}

const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ ID: from + i }));

describe("a stalled body ends with TIMEOUT", () => {
  test("a walk whose second page sends its headers and then nothing rejects after the entities of page 1", LIMIT, async (t) => {
    const connections = closeWatch();
    const { server, client } = await serveClient(
      t,
      (request, res, req) => {
        connections.watch(request, req);
        if (request.path.includes("page=2")) return stallAfter(res, "application/json", '{"value":[{"ID":4},');
        const body = JSON.stringify({ value: rows(1, 3), "@odata.nextLink": "Items?page=2" });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
      },
      { timeout: TIMEOUT },
    );
    const seen: number[] = [];
    const started = Date.now();
    const error = await rejection(
      (async () => {
        for await (const item of client.collection<{ ID: number }>("Items")) seen.push(item.ID);
      })(),
    );
    const elapsed = Date.now() - started;
    assertStallTimeout(error, "Items?page=2");
    assert.deepEqual(seen, [1, 2, 3], "page 1 was delivered before the stall ended the walk");
    assert.ok(elapsed >= TIMEOUT && elapsed < TIMEOUT + 3_000, `ended after ${elapsed} ms`);
    await waitFor(() => connections.closed.some((path) => path.includes("page=2")), "the stalled connection to close");
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ["/odata/Items", "/odata/Items?page=2"],
    );
  });

  test("an unpaged body beyond the parse buffer that stalls in the middle rejects in the incremental scanner", LIMIT, async (t) => {
    // 9 MiB of entities: past the 8 MiB buffer, so the rest is read by the incremental scanner.
    const entity = JSON.stringify({ ID: 0, text: "x".repeat(1000) });
    const count = Math.ceil((9 * 1024 * 1024) / entity.length);
    const connections = closeWatch();
    const { client } = await serveClient(
      t,
      (request, res, req) => {
        connections.watch(request, req);
        res.writeHead(200, { "content-type": "application/json" });
        const parts = ['{"value":['];
        for (let id = 1; id <= count; id++) parts.push(`${id > 1 ? "," : ""}${JSON.stringify({ ID: id, text: "x".repeat(1000) })}`);
        res.write(parts.join(""));
        // ... and the array never ends.
      },
      { timeout: TIMEOUT },
    );
    let last = 0;
    const error = await rejection(
      (async () => {
        for await (const item of client.collection<{ ID: number }>("Items")) last = item.ID;
      })(),
    );
    assertStallTimeout(error, "/odata/Items");
    assert.ok(last > count / 2, `the entities that arrived were delivered first (last ${last} of ${count})`);
    await waitFor(() => connections.closed.length === 1, "the stalled connection to close");
  });

  test("page(), get() and countAll() reject when their body stalls", LIMIT, async (t) => {
    const { client } = await serveClient(
      t,
      (request, res) => {
        if (request.path.includes("$count")) return stallAfter(res, "text/plain", "4");
        if (request.path.includes("Items(1)")) return stallAfter(res, "application/json", '{"ID":1,');
        stallAfter(res, "application/json", '{"value":[{"ID":1}');
      },
      { timeout: TIMEOUT },
    );
    const items = client.collection<{ ID: number }>("Items");
    assertStallTimeout(await rejection(items.page()), "/odata/Items");
    assertStallTimeout(await rejection(items.key(1).get()), "/odata/Items(1)");
    assertStallTimeout(await rejection(items.countAll()), "/odata/Items/$count");
  });

  test("an error answer whose body stalls still rejects with its status, the stall as cause, within the timeout", LIMIT, async (t) => {
    const { client } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.write('{"error":{"code":"E1","message":"broken');
      },
      { timeout: TIMEOUT },
    );
    const started = Date.now();
    const error = await rejection(client.collection("Items").page());
    const elapsed = Date.now() - started;
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 500);
    assert.ok(error.body.startsWith('{"error":{"code":"E1"'), error.body);
    assert.ok(error.cause instanceof ODataClientError && error.cause.code === "TIMEOUT", `cause: ${String(error.cause)}`);
    // The error body's own cap is 10 s in all; the stall ends it after the timeout.
    assert.ok(elapsed < TIMEOUT + 3_000, `ended after ${elapsed} ms`);
  });

  test("a multipart $batch answer that stalls rejects", LIMIT, async (t) => {
    const { client } = await serveClient(
      t,
      (_request, res) => stallAfter(res, "multipart/mixed; boundary=b1", "--b1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n"),
      { timeout: TIMEOUT },
    );
    const batch = client.batch();
    batch.get(client.collection("Items").key(1));
    assertStallTimeout(await rejection(batch.send()), "/odata/$batch");
  });

  test("a status monitor answer that stalls counts as a transient failure (rule 9) and the next poll reads on", LIMIT, async (t) => {
    let polls = 0;
    const { client } = await serveClient(
      t,
      (_request, res) => {
        polls++;
        if (polls === 1) return stallAfter(res, "application/json", '{"status":"Run');
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"status":"succeeded","n":7}');
      },
      { timeout: TIMEOUT },
    );
    const poller = client.asyncPoller<{ n: number }>("Jobs(1)/status", { pollInterval: 10 });
    assert.equal(await poller.poll(), true, "the stalled answer leaves the operation running");
    assert.equal(await poller.poll(), false);
    assert.deepEqual(poller.result(), { status: "succeeded", n: 7 });
  });

  test("media content read as bytes or as a stream rejects when it stalls", LIMIT, async (t) => {
    const { client } = await serveClient(t, (_request, res) => stallAfter(res, "image/png", Buffer.from([1, 2, 3])), { timeout: TIMEOUT });
    const media = client.collection("Photos").key(1).media();
    assertStallTimeout(await rejection(media.bytes()), "/odata/Photos(1)/$value");
    const { body } = await media.stream();
    const reader = body.getReader();
    assert.deepEqual([...((await reader.read()).value ?? [])], [1, 2, 3]);
    assertStallTimeout(await rejection(reader.read()), "/odata/Photos(1)/$value");
  });
});

describe("what is not a stall", () => {
  test("a body whose chunks come slower in all than the timeout, but each within it, is read whole", LIMIT, async (t) => {
    const { client } = await serveClient(
      t,
      async (_request, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"value":[');
        // Five gaps of 60 % of the timeout: three times the timeout in all.
        for (let id = 1; id <= 5; id++) {
          await sleep(TIMEOUT * 0.6);
          res.write(`${id > 1 ? "," : ""}{"ID":${id}}`);
        }
        res.end("]}");
      },
      { timeout: TIMEOUT },
    );
    const page = await client.collection<{ ID: number }>("Items").page();
    assert.deepEqual(page.value.map((item) => item.ID), [1, 2, 3, 4, 5]);
  });

  test("a caller who holds a huge body back for longer than the timeout is not timed out", LIMIT, async (t) => {
    const entity = JSON.stringify({ ID: 0, text: "y".repeat(1000) });
    const count = Math.ceil((12 * 1024 * 1024) / entity.length);
    const { client } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"value":[');
        let id = 0;
        // Written as the client reads, so that backpressure reaches the server.
        const writeMore = () => {
          while (id < count) {
            id++;
            if (!res.write(`${id > 1 ? "," : ""}${JSON.stringify({ ID: id, text: "y".repeat(1000) })}`)) {
              res.once("drain", writeMore);
              return;
            }
          }
          res.end("]}");
        };
        writeMore();
      },
      { timeout: TIMEOUT },
    );
    let seen = 0;
    let paused = false;
    for await (const item of client.collection<{ ID: number }>("Items")) {
      seen++;
      assert.equal(item.ID, seen);
      // Once in the incremental part of the body: a consumer busy for three timeouts.
      if (!paused && seen === Math.floor(count * 0.8)) {
        paused = true;
        await sleep(TIMEOUT * 3);
      }
    }
    assert.equal(seen, count);
  });

  test("timeout 0 leaves a slow body alone and arms no timer", LIMIT, async (t) => {
    let open: ServerResponse | undefined;
    const { client } = await serveClient(
      t,
      (_request, res) => {
        open = res;
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"value":[{"ID":1}');
      },
      { timeout: 0 },
    );
    const timersBefore = activeTimers();
    const pending = client.collection<{ ID: number }>("Items").page();
    await waitFor(() => open !== undefined, "the request");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(activeTimers(), timersBefore, "no timer while the body is read");
    open?.end("]}");
    assert.deepEqual((await pending).value, [{ ID: 1 }]);
  });

  test("a body read to its end leaves no timer behind", LIMIT, async (t) => {
    const { client } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ value: rows(1, 5) }));
      },
      { timeout: 60_000 },
    );
    const timersBefore = activeTimers();
    const page = await client.collection<{ ID: number }>("Items").page();
    assert.equal(page.value.length, 5);
    assert.equal(activeTimers(), timersBefore);
  });

  test("the caller's abort while a body stalls rejects with the caller's reason and leaves no timer", LIMIT, async (t) => {
    const { client } = await serveClient(t, (_request, res) => stallAfter(res, "application/json", '{"value":[{"ID":1},'), { timeout: 60_000 });
    const timersBefore = activeTimers();
    const controller = new AbortController();
    const reason = new Error("stop");
    const pending = rejection(client.collection("Items").page({ signal: controller.signal }));
    await sleep(100);
    controller.abort(reason);
    assert.equal(await pending, reason);
    await waitFor(() => activeTimers() === timersBefore, "the stall timer to go");
  });
});
