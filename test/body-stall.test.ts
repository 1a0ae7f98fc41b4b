// The client's `timeout` after the headers: a body that stops sending data is aborted with code
// TIMEOUT once a read has waited `timeout` ms, whichever reader reads it (page reader, unpaged
// scanner, entity, error body, $batch, status monitor, media), and the connection is closed. A body
// that keeps sending, however slowly in all, and a caller that holds the body back are not timed
// out. Every server here sends its headers at once and then data on a schedule the test sets, but
// one: a status monitor that never sends its headers, whose poll the same `timeout` ends (beside
// the monitor's stalled body, as the poller counts both alike).
//
// The stalls run on fake time (test/fake-time.ts): once the body has stalled, the test moves the
// clock by the timeout and checks that exactly the stall timer fired. A caller holding the body
// back does too: once the client has stopped reading, the clock moves past the timeout. Chunks that
// keep coming keep the real clock, with gaps far within the timeout.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { AsyncOperationFailedError, ODataClientError, ODataHttpError } from "../src/index.js";
import { activeTimers, sendJson, serveClient, signalRecorder, waitFor, type RecordedRequest } from "./servers/recording-server.js";
import { useFakeTime, type FakeTime } from "./fake-time.js";
import { rejectionOf } from "./async-poller-fixtures.js";

/** Each test must end on its own; on the code before the stall watch these hung until aborted. */
const LIMIT = { timeout: 15_000 };

/** The client's timeout in the tests of stalls, on fake time. */
const TIMEOUT = 400;

/**
 * The client's timeout in the test of slow chunks, on the real clock: far longer than each gap
 * between chunks, so that a busy machine does not make a late chunk or slow headers look like a
 * stall.
 */
const REAL_TIMEOUT = 3_000;


/**
 * Marks (see FakeTime.mark) taken by the server's handler as each request arrives: the timeout
 * of a request's headers is set before the mark, the stall timer of its body after it, though
 * both are {@link TIMEOUT} ms long.
 */
function requestMarks(time: FakeTime) {
  const marks: number[] = [];
  return {
    /** Call first thing in the handler. */
    arrived: () => void marks.push(time.mark()),
    /** The mark taken as request `index` (from 0) arrived. */
    at(index: number): number {
      const mark = marks[index];
      assert.ok(mark !== undefined, `request ${index + 1} has not arrived`);
      return mark;
    },
    /** Waits for the stall timer of request `index` (from 0) and moves the clock by it. */
    async passStall(index: number): Promise<void> {
      await waitFor(() => marks.length > index, `request ${index + 1}`);
      assert.equal(await time.skip(TIMEOUT, { setAfter: marks[index] as number }), TIMEOUT);
    },
  };
}

/** Resolves with the error `promise` rejects with; fails when it resolves. */

function assertStallTimeout(error: unknown, path: string, timeout = TIMEOUT): ODataClientError {
  assert.ok(error instanceof ODataClientError, `expected ODataClientError TIMEOUT, got ${String(error)}`);
  assert.equal(error.code, "TIMEOUT", error.message);
  assert.match(error.message, /stalled/);
  assert.match(error.message, new RegExp(`${timeout} ms`));
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

/** Sends the headers (of a `status` answer) and the start of a body, then nothing more (the connection stays open). */
function stallAfter(res: ServerResponse, contentType: string, start: string | Buffer, status = 200): void {
  res.writeHead(status, { "content-type": contentType });
  res.write(start);
}

const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ ID: from + i }));

describe("a stalled body ends with TIMEOUT", () => {
  test("a walk whose second page sends its headers and then nothing rejects after the entities of page 1", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    const connections = closeWatch();
    const { server, client } = await serveClient(
      t,
      (request, res, req) => {
        marks.arrived();
        connections.watch(request, req);
        if (request.path.includes("page=2")) return stallAfter(res, "application/json", '{"value":[{"ID":4},');
        const body = JSON.stringify({ value: rows(1, 3), "@odata.nextLink": "Items?page=2" });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
      },
      { timeout: TIMEOUT },
    );
    const seen: number[] = [];
    const started = time.now();
    const walk = rejectionOf(
      (async () => {
        for await (const item of client.collection<{ ID: number }>("Items")) seen.push(item.ID);
      })(),
    );
    await marks.passStall(1);
    const error = await time.within(walk);
    assertStallTimeout(error, "Items?page=2");
    assert.deepEqual(seen, [1, 2, 3], "page 1 was delivered before the stall ended the walk");
    assert.equal(time.now() - started, TIMEOUT, "ended by the stall timer, at the timeout");
    await waitFor(() => connections.closed.some((path) => path.includes("page=2")), "the stalled connection to close");
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ["/odata/Items", "/odata/Items?page=2"],
    );
  });

  test("an unpaged body beyond the parse buffer that stalls in the middle rejects in the incremental scanner", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    // 9 MiB of entities: past the 8 MiB buffer, so the rest is read by the incremental scanner.
    // Made before the request, so that the answer's headers go out at once.
    const entity = JSON.stringify({ ID: 0, text: "x".repeat(1000) });
    const count = Math.ceil((9 * 1024 * 1024) / entity.length);
    const parts = ['{"value":['];
    for (let id = 1; id <= count; id++) parts.push(`${id > 1 ? "," : ""}${JSON.stringify({ ID: id, text: "x".repeat(1000) })}`);
    const body = parts.join("");
    const connections = closeWatch();
    const { client } = await serveClient(
      t,
      (request, res, req) => {
        marks.arrived();
        connections.watch(request, req);
        res.writeHead(200, { "content-type": "application/json" });
        res.write(body);
        // ... and the array never ends.
      },
      { timeout: TIMEOUT },
    );
    let last = 0;
    const walk = rejectionOf(
      (async () => {
        for await (const item of client.collection<{ ID: number }>("Items")) last = item.ID;
      })(),
    );
    // The clock stands still while data arrives. Once entities from beyond the first 8.5 MiB are
    // through (so the incremental scanner reads), every stall timer of the body passes as it is
    // set: one that fires while the walk waits for data ends it; one that fires while the caller
    // holds the body back is armed again by the next read.
    const pastBuffer = Math.ceil((8.5 * 1024 * 1024) / entity.length);
    await waitFor(() => last > pastBuffer, "the entities beyond the buffer", 30_000);
    const error = await time.run(walk, TIMEOUT, { setAfter: marks.at(0) });
    assertStallTimeout(error, "/odata/Items");
    assert.ok(last > pastBuffer, `the entities that arrived were delivered first (last ${last} of ${count})`);
    await waitFor(() => connections.closed.length === 1, "the stalled connection to close");
  });

  test("page(), get() and countAll() reject when their body stalls", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    const { client } = await serveClient(
      t,
      (request, res) => {
        marks.arrived();
        if (request.path.includes("$count")) return stallAfter(res, "text/plain", "4");
        if (request.path.includes("Items(1)")) return stallAfter(res, "application/json", '{"ID":1,');
        stallAfter(res, "application/json", '{"value":[{"ID":1}');
      },
      { timeout: TIMEOUT },
    );
    const items = client.collection<{ ID: number }>("Items");
    const reads: [() => Promise<unknown>, string][] = [
      [() => items.page(), "/odata/Items"],
      [() => items.key(1).get(), "/odata/Items(1)"],
      [() => items.countAll(), "/odata/Items/$count"],
    ];
    for (const [index, [read, path]] of reads.entries()) {
      const rejected = rejectionOf(read());
      await marks.passStall(index);
      assertStallTimeout(await time.within(rejected), path);
    }
  });

  test("an error answer whose body stalls still rejects with its status, the stall as cause, within the timeout", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    const { client } = await serveClient(
      t,
      (_request, res) => {
        marks.arrived();
        stallAfter(res, "application/json", '{"error":{"code":"E1","message":"broken', 500);
      },
      { timeout: TIMEOUT },
    );
    const started = time.now();
    const rejected = rejectionOf(client.collection("Items").page());
    await marks.passStall(0);
    const error = await time.within(rejected);
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 500);
    assert.ok(error.body.startsWith('{"error":{"code":"E1"'), error.body);
    assert.ok(error.cause instanceof ODataClientError && error.cause.code === "TIMEOUT", `cause: ${String(error.cause)}`);
    // The error body's own cap is 10 s in all; the stall ends it at the timeout.
    assert.equal(time.now() - started, TIMEOUT);
  });

  test("a multipart $batch answer that stalls rejects", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    const { client } = await serveClient(
      t,
      (_request, res) => {
        marks.arrived();
        stallAfter(res, "multipart/mixed; boundary=b1", "--b1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n");
      },
      { timeout: TIMEOUT },
    );
    const batch = client.batch();
    batch.get(client.collection("Items").key(1));
    const rejected = rejectionOf(batch.send());
    await marks.passStall(0);
    assertStallTimeout(await time.within(rejected), "/odata/$batch");
  });

  test("a status monitor answer that stalls counts as a transient failure (rule 9) and the next poll reads on", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    let polls = 0;
    const { client } = await serveClient(
      t,
      (_request, res) => {
        marks.arrived();
        polls++;
        if (polls === 1) return stallAfter(res, "application/json", '{"status":"Run');
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"status":"succeeded","n":7}');
      },
      { timeout: TIMEOUT },
    );
    const poller = client.asyncPoller<{ n: number }>("Jobs(1)/status", { pollInterval: 10 });
    const first = poller.poll();
    await marks.passStall(0);
    assert.equal(await time.within(first), true, "the stalled answer leaves the operation running");
    assert.equal(await time.within(poller.poll()), false);
    assert.deepEqual(poller.result(), { status: "succeeded", n: 7 });
  });

  test("a status monitor that sends no headers within the timeout counts as a transient failure (TIMEOUT), and the next poll gets a fresh signal and reads on", LIMIT, async (t) => {
    const time = useFakeTime(t);
    // The signal each poll request was sent with: the poll's own, which the timeout aborts.
    const { seen: sent, step: recorder } = signalRecorder();
    let answering = false;
    const { server, client, root } = await serveClient(
      t,
      (_request, res) => {
        // Until the test says so, the monitor sends nothing, not even its headers.
        if (answering) sendJson(res, 200, { status: "succeeded", n: 7 });
      },
      { timeout: TIMEOUT, steps: [recorder] },
    );
    const poller = client.asyncPoller<{ n: number }>("Jobs(1)/status", { pollInterval: 10 });
    const message = `GET ${root}Jobs(1)/status got no answer within ${TIMEOUT} ms (option "timeout")`;
    // Rule 9: four in a row leave the operation running; the fifth rejects with the failure itself.
    for (let poll = 1; poll <= 5; poll++) {
      const outcome = poller.poll().then(
        (running) => running,
        (error: unknown) => error,
      );
      await waitFor(() => server.requests.length === poll, `request ${poll}`);
      assert.equal(await time.skip(TIMEOUT), TIMEOUT);
      const settled = await time.within(outcome);
      if (poll < 5) {
        assert.equal(settled, true, `poll ${poll} resolves true`);
      } else {
        assert.ok(settled instanceof ODataClientError, String(settled));
        assert.equal(settled.code, "TIMEOUT");
        assert.equal(settled.message, message);
      }
      const reason: unknown = sent[poll - 1]?.signal?.reason;
      assert.ok(reason instanceof ODataClientError && reason.code === "TIMEOUT" && reason.message === message, `poll ${poll} aborted with ${String(reason)}`);
      assert.equal(poller.isDone(), false);
      assert.equal(poller.status(), "Running");
    }
    answering = true;
    assert.equal(await time.within(poller.poll()), false);
    assert.deepEqual(poller.result(), { status: "succeeded", n: 7 });
    assert.equal(server.requests.length, 6);
    const signals = sent.map(({ signal }) => signal);
    assert.equal(new Set(signals).size, 6, "every poll after a timed-out one has a signal of its own");
    assert.deepEqual(
      sent.map(({ aborted }) => aborted),
      [false, false, false, false, false, false],
      "no request was sent with an aborted signal",
    );
    assert.equal(signals[5]?.aborted, false);
  });

  test("a status monitor error answer (403) whose body stalls rejects poll() with ODataHttpError 403, the part read and the stall as cause (rule 10)", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    const { client } = await serveClient(
      t,
      (_request, res) => {
        marks.arrived();
        stallAfter(res, "application/json", '{"error":{"code":"FORBIDDEN","message":"no', 403);
      },
      { timeout: TIMEOUT },
    );
    const poller = client.asyncPoller("Jobs(1)/status", { pollInterval: 10 });
    const started = time.now();
    const rejected = rejectionOf(poller.poll());
    await marks.passStall(0);
    const error = await time.within(rejected);
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 403);
    assert.equal(error.body, '{"error":{"code":"FORBIDDEN","message":"no');
    assertStallTimeout(error.cause, "/odata/Jobs(1)/status");
    assert.equal(time.now() - started, TIMEOUT);
    // Rule 10: the operation's own outcome stays unknown.
    assert.equal(poller.isDone(), false);
    assert.equal(poller.status(), "Running");
  });

  test("a status monitor 404 whose body stalls fails the operation (rule 8), not a transient answer, with the stall as cause", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    const { server, client } = await serveClient(
      t,
      (_request, res) => {
        marks.arrived();
        stallAfter(res, "application/json", '{"error":{"code":"NOT_FOUND",', 404);
      },
      { timeout: TIMEOUT },
    );
    const poller = client.asyncPoller("Jobs(1)/status", { pollInterval: 10 });
    const rejected = rejectionOf(poller.poll());
    await marks.passStall(0);
    const error = await time.within(rejected);
    assert.ok(error instanceof AsyncOperationFailedError, String(error));
    assert.equal(error.httpStatus, 404);
    assertStallTimeout(error.cause, "/odata/Jobs(1)/status");
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Failed");
    // Failed for good: the same error again, without another request.
    assert.equal(await time.within(rejectionOf(poller.poll())), error);
    assert.equal(server.requests.length, 1);
  });

  test("media content read as bytes or as a stream rejects when it stalls", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const marks = requestMarks(time);
    const { client } = await serveClient(
      t,
      (_request, res) => {
        marks.arrived();
        stallAfter(res, "image/png", Buffer.from([1, 2, 3]));
      },
      { timeout: TIMEOUT },
    );
    const media = client.collection("Photos").key(1).media();
    const bytes = rejectionOf(media.bytes());
    await marks.passStall(0);
    assertStallTimeout(await time.within(bytes), "/odata/Photos(1)/$value");
    const { body } = await time.within(media.stream());
    const reader = body.getReader();
    assert.deepEqual([...((await time.within(reader.read())).value ?? [])], [1, 2, 3]);
    const next = rejectionOf(reader.read());
    await marks.passStall(1);
    assertStallTimeout(await time.within(next), "/odata/Photos(1)/$value");
  });
});

describe("what is not a stall", () => {
  test("a body whose chunks come slower in all than the timeout, but each within it, is read whole", LIMIT, async (t) => {
    const { client } = await serveClient(
      t,
      async (_request, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"value":[');
        // Ten gaps of 400 ms: 4 s in all, longer than the timeout, each far within it.
        for (let id = 1; id <= 10; id++) {
          await sleep(400);
          res.write(`${id > 1 ? "," : ""}{"ID":${id}}`);
        }
        res.end("]}");
      },
      { timeout: REAL_TIMEOUT },
    );
    const page = await client.collection<{ ID: number }>("Items").page();
    assert.deepEqual(page.value.map((item) => item.ID), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test("a caller who holds a huge body back for longer than the timeout is not timed out", LIMIT, async (t) => {
    const time = useFakeTime(t);
    const entity = JSON.stringify({ ID: 0, text: "y".repeat(1000) });
    const count = Math.ceil((12 * 1024 * 1024) / entity.length);
    // Whether the server waits for the client to read (its last write was refused) or has written
    // everything, and how many times the client's reading let it write on.
    let blocked = false;
    let ended = false;
    let drains = 0;
    const { client } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"value":[');
        let id = 0;
        // Written as the client reads, so that backpressure reaches the server.
        const writeMore = () => {
          blocked = false;
          while (id < count) {
            id++;
            if (!res.write(`${id > 1 ? "," : ""}${JSON.stringify({ ID: id, text: "y".repeat(1000) })}`)) {
              blocked = true;
              res.once("drain", () => {
                drains++;
                writeMore();
              });
              return;
            }
          }
          res.end("]}");
          ended = true;
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
      // Once in the incremental part of the body: a consumer busy for longer than the timeout.
      if (!paused && seen === Math.floor(count * 0.8)) {
        paused = true;
        // First the client stops reading: its buffers fill up and the server waits (or has
        // written all). Were a read still pending, the loop's I/O would let the server write on
        // within a few turns.
        let quietTurns = 0;
        let drainsBefore = drains;
        const giveUp = performance.now() + 10_000;
        while (quietTurns < 50) {
          assert.ok(performance.now() < giveUp, "the client did not stop reading while its caller held the body");
          await new Promise((resolve) => setImmediate(resolve));
          quietTurns = (blocked || ended) && drains === drainsBefore ? quietTurns + 1 : 0;
          drainsBefore = drains;
        }
        // Then the consumer is busy for one and a half timeouts: the body's stall timer fires with
        // no read waiting, which is not a stall.
        time.tick(TIMEOUT * 1.5);
      }
    }
    assert.equal(seen, count);
    assert.ok(paused);
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
    const pending = rejectionOf(client.collection("Items").page({ signal: controller.signal }));
    await sleep(100);
    controller.abort(reason);
    assert.equal(await pending, reason);
    await waitFor(() => activeTimers() === timersBefore, "the stall timer to go");
  });
});
