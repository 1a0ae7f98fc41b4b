/**
 * A `$batch` read part given `timeout`, `signal` or `onResponse` (`batch.get(query, { timeout })`:
 * `get()`, `page()` and `count()` take no options, but a JavaScript caller may pass them, and so
 * may a raw request's request) is refused as a write's or an operation's part is
 * (test/s33-final-io-batch-part-options.test.ts): a part is never sent alone, so it points at
 * `batch.send()`, which takes them, rather than saying the method "takes none". `send()`,
 * `sendAsync()` and `toRequest()` refuse it before anything is sent; the same option on `send()`
 * goes through. Against a node:http service on 127.0.0.1 that keeps every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type Batch } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const POINTER = "is not taken by a request in a $batch, which is never sent alone: give it to batch.send() or batch.sendAsync()";

/** Each read part (and a raw one), its name in errors, and how to add it with options it has no parameter for. */
const parts: Array<[string, (batch: Batch, client: ODataClient, options: object) => unknown]> = [
  ["get(query)", (batch, client, options) => Reflect.apply(batch.get, batch, [client.collection("Books").key(1), options])],
  ["page(query)", (batch, client, options) => Reflect.apply(batch.page, batch, [client.collection("Books"), options])],
  ["count(query)", (batch, client, options) => Reflect.apply(batch.count, batch, [client.collection("Books"), options])],
  ["request(request)", (batch, _client, options) => batch.request({ method: "GET", url: "Books(1)", ...options })],
];

const options: Array<[string, unknown]> = [
  ["timeout", 5],
  ["signal", new AbortController().signal],
  ["onResponse", () => undefined],
];

test("a read part given timeout, signal or onResponse is pointed to batch.send() by send(), sendAsync() and toRequest(); nothing is sent", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const messages: string[] = [];
  for (const [name, add] of parts) {
    for (const [option, value] of options) {
      for (const send of [(batch: Batch) => batch.send(), (batch: Batch) => batch.sendAsync(), (batch: Batch) => batch.toRequest()]) {
        const batch = client.batch();
        add(batch, client, { [option]: value });
        await assert.rejects(send(batch), (error: unknown) => {
          assert.ok(error instanceof TypeError, `${name} ${option}: ${String(error)}`);
          messages.push(error.message);
          return true;
        });
      }
    }
  }
  assert.deepEqual(
    messages,
    parts.flatMap(([name]) => options.flatMap(([option]) => Array<string>(3).fill(`${name}: option "${option}" ${POINTER}`))),
  );
  assert.deepEqual(service.seen, []);
});

test("the timeout given to batch.send() instead goes with the $batch request, and the read part is sent", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: 1 } }] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const batch = client.batch();
  const book = Reflect.apply(batch.get, batch, [client.collection("Books").key(1), { timeout: undefined }]) as ReturnType<Batch["get"]>;
  await batch.send({ timeout: 5_000 });
  const result = book.result();
  assert.deepEqual(result.ok ? result.value : result.error, { ID: 1 });
  assert.deepEqual(
    (JSON.parse(service.seen[0]!.body) as { requests: { method: string; url: string }[] }).requests.map((part) => `${part.method} ${part.url}`),
    ["GET Books(1)"],
  );
});
