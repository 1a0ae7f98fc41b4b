// first() against node:http services on 127.0.0.1 that ignore its `$top=1`. It buffered the page's
// first 8 MiB for one whole-text parse before it looked at any entity, so it read megabytes of a
// large unpaged answer, and an answer that trickles in (an entity every 10 ms) left it waiting
// minutes, the stall timeout never firing while data kept coming. Now it scans its page from the
// first chunk and hands on the first entity as soon as it is parsed, without waiting for the entity
// after it, and closes the connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient } from "../src/index.js";

const row = (i: number): string => JSON.stringify({ ID: i, pad: "z".repeat(100) });

/** A service that answers every request with `answer`; what it saw and when the connection closed. */
async function service(t: { after(fn: () => Promise<void>): void }, answer: (res: ServerResponse, wrote: (bytes: number) => void) => void) {
  const seen: string[] = [];
  let written = 0;
  let writtenAtClose: number | undefined;
  let finished: boolean | undefined;
  let closed: () => void = () => undefined;
  const close = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((request: IncomingMessage, res: ServerResponse) => {
    seen.push(decodeURIComponent(request.url ?? ""));
    res.on("close", () => {
      writtenAtClose = written;
      finished = res.writableFinished;
      closed();
    });
    answer(res, (bytes) => (written += bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`,
    seen,
    close,
    writtenAtClose: () => writtenAtClose,
    finished: () => finished,
  };
}

/** `count` entities in one unpaged page, written as fast as the client takes them; `hold` bytes in, waits `pause` ms or until the client goes. */
function unpaged(count: number, hold = Infinity, pause = 0) {
  return (res: ServerResponse, wrote: (bytes: number) => void): void => {
    res.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" });
    let i = 0;
    let sent = 0;
    let held = false;
    const write = (text: string): boolean => {
      wrote(Buffer.byteLength(text));
      sent += text.length;
      return res.write(text);
    };
    const pump = (): void => {
      while (i < count && !res.destroyed) {
        if (!held && sent >= hold) {
          held = true;
          const timer = setTimeout(pump, pause);
          res.once("close", () => clearTimeout(timer));
          return;
        }
        let text = i === 0 ? '{"value":[' : "";
        for (const end = Math.min(count, i + 200); i < end; i++) text += (i ? "," : "") + row(i);
        if (!write(text)) return void res.once("drain", pump);
      }
      if (!res.destroyed) res.end("]}");
    };
    pump();
  };
}

/** Resolves with what `promise` gives, or with "not resolved" after `ms`. */
const within = <T>(promise: Promise<T>, ms: number): Promise<T | "not resolved"> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"not resolved">((resolve) => (timer = setTimeout(() => resolve("not resolved"), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};

test("first() on a service that ignores $top=1 and sends 12 MB closes the connection after its first 256 KiB", { timeout: 30_000 }, async (t) => {
  // The service sends 256 KiB, then waits up to 30 s for the client to go before it sends the rest
  // (about 12 MB): so the bytes written before the close are what first() read, not what the
  // sockets' buffers took while the client was getting ready.
  const answer = await service(t, unpaged(100_000, 256 * 1024, 30_000));
  const client = new ODataClient({ serviceUrl: answer.serviceUrl, retry: false });
  // The old reader waited out the pause (the whole answer, or 8 MiB of it, before the first entity).
  const first = await within(client.collection("Items").first(), 10_000);
  assert.deepEqual(first, JSON.parse(row(0)));
  await answer.close;
  assert.deepEqual(answer.seen, ["/svc/Items?$top=1"]);
  assert.equal(answer.finished(), false, "the answer was read to its end");
  assert.ok(answer.writtenAtClose()! < 1024 * 1024, `the service wrote ${answer.writtenAtClose()} bytes before the connection closed`);
});

test("first() on a service that ignores $top=1 and sends 12 MB at once leaves the answer before 8 MiB of it were written", { timeout: 30_000 }, async (t) => {
  // Without a pause only the sockets' buffers (a few MiB on loopback) come between what was
  // written and what was read; the old reader had to take 8 MiB before it looked at an entity.
  const answer = await service(t, unpaged(100_000));
  const client = new ODataClient({ serviceUrl: answer.serviceUrl, retry: false });
  assert.deepEqual(await client.collection("Items").first(), JSON.parse(row(0)));
  await answer.close;
  assert.equal(answer.finished(), false, "the answer was read to its end");
  assert.ok(answer.writtenAtClose()! < 8 * 1024 * 1024, `the service wrote ${answer.writtenAtClose()} bytes before the connection closed`);
});

/** An unpaged page trickling in, one entity every 10 ms, never ending (v4 or v2). */
function trickling(version: "4.0" | "2.0") {
  return (res: ServerResponse, wrote: (bytes: number) => void): void => {
    res.writeHead(200, { "content-type": "application/json" });
    const open = version === "2.0" ? '{"d":{"results":[' : '{"value":[';
    res.write(open + row(0));
    let i = 1;
    wrote(open.length + row(0).length);
    const timer = setInterval(() => {
      const text = "," + row(i++);
      wrote(text.length);
      res.write(text);
    }, 10);
    res.once("close", () => clearInterval(timer));
  };
}

for (const version of ["4.0", "2.0"] as const) {
  test(`first() of OData ${version} on an answer that trickles in (an entity every 10 ms) resolves at once and closes it`, { timeout: 30_000 }, async (t) => {
    const answer = await service(t, trickling(version));
    const client = new ODataClient({ serviceUrl: answer.serviceUrl, version, retry: false });
    const stop = new AbortController();
    const started = Date.now();
    // The old reader would have taken minutes (8 MiB at an entity every 10 ms).
    const first = await within(client.collection("Items").first({ signal: stop.signal }), 10_000);
    stop.abort(); // the old reader: end its wait
    assert.deepEqual(first, JSON.parse(row(0)), `after ${Date.now() - started} ms`);
    await answer.close;
    assert.deepEqual(answer.seen, ["/svc/Items?$top=1"]);
    assert.ok(answer.writtenAtClose()! < 1_000 * 130, `the service wrote ${answer.writtenAtClose()} bytes before the connection closed`);
  });
}

test("first() does not wait for the entity after the first: a second entity that never ends is not read to its end", { timeout: 30_000 }, async (t) => {
  // The first entity and the comma after it come at once; the second never ends (its string
  // grows by 100 characters every 10 ms). The piece of the first entity is handed on as parsed,
  // not held back until the next piece (or the body's end) could carry the page's annotations.
  const answer = await service(t, (res, wrote) => {
    res.writeHead(200, { "content-type": "application/json" });
    const start = `{"value":[${row(0)},{"ID":1,"pad":"`;
    res.write(start);
    wrote(start.length);
    const timer = setInterval(() => {
      wrote(100);
      res.write("y".repeat(100));
    }, 10);
    res.once("close", () => clearInterval(timer));
  });
  const client = new ODataClient({ serviceUrl: answer.serviceUrl, retry: false });
  const stop = new AbortController();
  const first = await within(client.collection("Items").first({ signal: stop.signal }), 10_000);
  stop.abort();
  assert.deepEqual(first, JSON.parse(row(0)));
  await answer.close;
});
