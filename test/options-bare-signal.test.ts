// An AbortSignal given where a call's options go (`first(controller.signal)`, `get(signal)`) is
// refused before anything is sent, saying to pass it as `{ signal }`: as an object with no member of
// its own it passed the check of unknown options, and the request went out with no signal at all;
// so did any other instance of a class (an AbortController, a Map), which is refused too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { runInNewContext } from "node:vm";
import { ODataClient } from "../src/index.js";

test("a bare AbortSignal as options is refused by reads and writes, nothing sent", async (t) => {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.writeHead(200, { "content-type": "application/json", "odata-version": "4.0" });
    response.end(JSON.stringify({ value: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const client = new ODataClient({ serviceUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/svc/`, retry: false });
  const books = client.collection<{ ID: number; title: string }>("Books");
  const signal = new AbortController().signal as never;
  const calls: [string, () => Promise<unknown>][] = [
    ["page()", () => books.page(signal)],
    ["first()", () => books.first(signal)],
    ["countAll()", () => books.countAll(signal)],
    ["get()", () => books.key(1).get(signal)],
    ["create(entity)", () => books.create({ ID: 1, title: "t" }, signal)],
  ];
  for (const [name, call] of calls) {
    await assert.rejects(call(), (error: Error) => {
      assert.ok(error instanceof TypeError, `${name}: ${String(error)}`);
      assert.equal(error.message, `${name}: options must be an object; got an AbortSignal: pass it as { signal }`);
      return true;
    });
  }
  // A walk refuses at its first step, as it refuses other options.
  await assert.rejects(async () => {
    for await (const _ of books.stream(signal)) break;
  }, /^TypeError: stream\(\): options must be an object; got an AbortSignal: pass it as \{ signal \}$/);
  assert.deepEqual(seen, []);
  // Any other instance of a class has no member of its own either: a controller, a Map.
  await assert.rejects(books.first(new AbortController() as never), { name: "TypeError", message: "first(): options must be an object; got an instance of AbortController" });
  await assert.rejects(books.page(new Map([["timeout", 5]]) as never), { name: "TypeError", message: "page(): options must be an object; got an instance of Map" });
  // A signal of another make, shaped as one, is named as a signal.
  const foreign = { aborted: false, addEventListener() {}, removeEventListener() {} };
  await assert.rejects(books.first(Object.setPrototypeOf(foreign, class Signal {}.prototype) as never), /got an AbortSignal: pass it as \{ signal \}$/);
  assert.deepEqual(seen, []);
  // A plain object of another realm (a vm context's, an iframe's) is options as any plain object is.
  assert.deepEqual(await books.first(runInNewContext("({ timeout: 5000 })") as never), undefined);
  assert.deepEqual(seen, ["GET /svc/Books?$top=1"]);
  seen.length = 0;
  // Given as { signal }, it goes out.
  assert.deepEqual(await books.first({ signal: new AbortController().signal }), undefined);
  assert.deepEqual(seen, ["GET /svc/Books?$top=1"]);
});
