// `await using` on what `stream()` and a query's `for await` give (typed AsyncGenerator): the
// iterator behind them, written by hand for speed, had no `Symbol.asyncDispose`, so `await using`
// threw a TypeError at run time in Deno and Bun (whose async generators have it, as `pages()`'s
// does). Against a node:http service on 127.0.0.1 whose page never ends: disposing leaves the walk
// as `return()` does, and the connection closes. `await using` calls exactly this method; Node 20
// has the symbol (not the syntax, nor the method on its own async generators), so the test calls it.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

/** A page of two entities, then nothing more and no end: the walk is left while its page is read. */
async function hangingPage(t: { after(fn: () => Promise<void>): void }) {
  const closed: Promise<void>[] = [];
  const server = await startServer((_request, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json" });
    // Past the 8 MiB read whole, so that entities come out while the page is still being read.
    res.write('{"value":[{"ID":1},{"ID":2},' + `{"ID":3,"pad":"${"p".repeat(9 * 1024 * 1024)}"},`);
    closed.push(new Promise((resolve) => res.on("close", () => resolve())));
  });
  t.after(() => server.close());
  return { server, closed };
}

/** What `await using` calls at the end of its block, if the value has it. */
function disposerOf(value: object): unknown {
  return (value as { [Symbol.asyncDispose]?: unknown })[Symbol.asyncDispose];
}

async function disposeOf(value: object): Promise<unknown> {
  const method = disposerOf(value);
  assert.equal(typeof method, "function", "the value has a [Symbol.asyncDispose] method");
  return (method as () => Promise<unknown>).call(value);
}

test("stream() can be disposed (await using): it ends the walk and closes the page's connection", { timeout: 20_000 }, async (t) => {
  assert.equal(typeof Symbol.asyncDispose, "symbol", "this Node has Symbol.asyncDispose");
  const { server, closed } = await hangingPage(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const walk = client.collection("Items").stream();
  assert.deepEqual((await walk.next()).value, { ID: 1 });
  assert.equal(await disposeOf(walk), undefined);
  await closed[0];
  assert.deepEqual(await walk.next(), { value: undefined, done: true });
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ["/svc/Items"],
  );
});

test("a query's for-await iterator can be disposed the same way", { timeout: 20_000 }, async (t) => {
  const { server, closed } = await hangingPage(t);
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const entities = client.collection("Items")[Symbol.asyncIterator]();
  assert.deepEqual((await entities.next()).value, { ID: 1 });
  assert.equal(await disposeOf(entities), undefined);
  await closed[0];
  assert.deepEqual(await entities.next(), { value: undefined, done: true });
});
