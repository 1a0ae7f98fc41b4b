// The ...Async calls send with Prefer: respond-async; a 202 Accepted with a Location says the
// operation runs at the service and names its monitor, and its body is optional. A body that stalls
// (no data for `timeout`) or whose connection drops mid-way must not cost the caller the poller:
// the call resolves a poller of that monitor, after no longer than the stall watch waits, with the
// 202's connection closed. The caller's own abort still rejects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ODataClient, type AsyncPoller } from "../src/index.js";

const TIMEOUT = 400;

interface Seen {
  method: string;
  path: string;
  prefer: string | undefined;
  /** Whether the answer was finished when its connection closed (undefined: still open). */
  finishedAtClose?: boolean;
}

type Body = "stalls" | "drops";

async function serve(body: Body) {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const record: Seen = { method: req.method!, path: req.url!, prefer: req.headers.prefer as string | undefined };
    seen.push(record);
    res.on("close", () => (record.finishedAtClose = res.writableFinished));
    req.resume();
    req.on("end", () => {
      if (req.url!.startsWith("/odata/$monitor/")) {
        res.writeHead(202, { "content-type": "application/json" });
        res.end('{"status":"Running","percentComplete":50}');
        return;
      }
      res.writeHead(202, { "content-type": "application/json", location: "$monitor/42" });
      res.write('{"status":"Runn');
      if (body === "drops") setTimeout(() => res.socket?.destroy(), 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const calls: { name: string; path: string; method: string; run: (client: ODataClient, signal?: AbortSignal) => Promise<AsyncPoller<unknown>> }[] = [
  { name: "createAsync()", method: "POST", path: "/odata/Jobs", run: (c, signal) => c.collection("Jobs").createAsync({ format: "csv" }, { signal }) },
  { name: "action().invokeAsync()", method: "POST", path: "/odata/Export", run: (c, signal) => c.action("Export").invokeAsync({}, { signal }) },
  { name: "function().getAsync()", method: "GET", path: "/odata/Report()", run: (c, signal) => c.function("Report", {}).getAsync({ signal }) },
  {
    name: "batch().sendAsync()",
    method: "POST",
    path: "/odata/$batch",
    run: (c, signal) => {
      const batch = c.batch();
      batch.get(c.collection("Items").key(1));
      return batch.sendAsync({ signal }) as Promise<AsyncPoller<unknown>>;
    },
  },
];

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
}

for (const body of ["stalls", "drops"] as const) {
  for (const call of calls) {
    test(`${call.name}: a 202 with a Location whose body ${body} resolves a poller of that monitor`, { timeout: 10_000 }, async () => {
      const server = await serve(body);
      try {
        const client = new ODataClient({ serviceUrl: `${server.origin}/odata/`, timeout: TIMEOUT, retry: false });
        const started = performance.now();
        const poller = await call.run(client);
        const elapsed = performance.now() - started;

        assert.equal(poller.statusUrl, `${server.origin}/odata/$monitor/42`);
        assert.equal(poller.status(), "Running");
        assert.equal(poller.isDone(), false);
        if (body === "stalls") {
          // Given up on as the stall watch gives up on any body: not before, and not much later.
          assert.ok(elapsed >= TIMEOUT - 20, `resolved after ${Math.round(elapsed)} ms, before the stall watch`);
          assert.ok(elapsed < TIMEOUT + 1_500, `resolved after ${Math.round(elapsed)} ms`);
        } else {
          assert.ok(elapsed < TIMEOUT, `resolved after ${Math.round(elapsed)} ms, though the connection dropped at once`);
        }
        assert.deepEqual(server.seen.map((s) => `${s.method} ${s.path} ${s.prefer}`), [`${call.method} ${call.path} respond-async`]);
        await until(() => server.seen[0]!.finishedAtClose !== undefined, "the 202's connection closes");
        assert.equal(server.seen[0]!.finishedAtClose, false, "closed before the answer was finished");

        // The poller follows the monitor the 202 named.
        assert.equal(await poller.poll(), true);
        assert.equal(poller.percentComplete(), 50);
        assert.deepEqual(server.seen.slice(1).map((s) => `${s.method} ${s.path}`), ["GET /odata/$monitor/42"]);
      } finally {
        await server.close();
      }
    });
  }
}

test("createAsync(): the caller's abort while the 202's body stalls still rejects", { timeout: 10_000 }, async () => {
  const server = await serve("stalls");
  try {
    const client = new ODataClient({ serviceUrl: `${server.origin}/odata/`, timeout: 5_000, retry: false });
    const stop = new AbortController();
    const reason = new Error("stop");
    setTimeout(() => stop.abort(reason), 150);
    await assert.rejects(client.collection("Jobs").createAsync({ a: 1 }, { signal: stop.signal }), (error) => error === reason);
    assert.equal(server.seen.length, 1);
  } finally {
    await server.close();
  }
});
