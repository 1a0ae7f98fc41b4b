/**
 * A `$batch` write's or operation's `timeout`, `signal` and `onResponse`: left out of the part's types, since a part is never
 * sent alone, but a JavaScript caller may give them, and the part would ignore them while the
 * caller counts on them. `send()`, `sendAsync()` and `toRequest()` refuse such a batch with a
 * `TypeError` naming the part's method and pointing at `batch.send()`, before anything is sent;
 * the same options on `send()` itself work. Against a node:http service that keeps every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type Batch } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const answers = (count: number) => JSON.stringify({ responses: Array.from({ length: count }, (_, i) => ({ id: String(i + 1), status: 204 })) });

/** Each write of a batch, its method's name, and how to add it with options the types leave out. */
const parts: Array<[string, (batch: Batch, client: ODataClient, options: object) => unknown]> = [
  ["create(entity)", (batch, client, options) => batch.create(client.collection("Items"), { ID: 1 }, options)],
  ["update(patch)", (batch, client, options) => batch.update(client.collection("Items").key(1), { name: "x" }, options)],
  ["replace(entity)", (batch, client, options) => batch.replace(client.collection("Items").key(1), { ID: 1 }, options)],
  ["delete()", (batch, client, options) => batch.delete(client.collection("Items").key(1), options)],
  // An operation's part, named as its request's checks name it.
  ["action(\"Shelve\")", (batch, _client, options) => batch.action("Shelve", {}, options)],
  ["function(\"Stock\")", (batch, _client, options) => batch.function("Stock", {}, options)],
];

for (const [option, value] of [["timeout", 5], ["signal", new AbortController().signal], ["onResponse", () => undefined]] as const) {
  test(`a batch write given "${option}" is refused by send(), sendAsync() and toRequest(), naming the write and batch.send(); nothing is sent`, async (t) => {
    const service = await serve(() => ({ status: 200, headers: json, body: answers(1) }));
    t.after(() => service.close());
    const client = new ODataClient({ serviceUrl: service.url, retry: false });
    for (const [name, add] of parts) {
      for (const send of [(batch: Batch) => batch.send(), (batch: Batch) => batch.sendAsync(), (batch: Batch) => batch.toRequest()]) {
        const batch = client.batch({ format: "json" });
        add(batch, client, { [option]: value });
        await assert.rejects(send(batch), (error: unknown) => {
          assert.ok(error instanceof TypeError, `${name}: ${String(error)}`);
          assert.equal(error.message, `${name}: option "${option}" is not taken by a request in a $batch, which is never sent alone: give it to batch.send() or batch.sendAsync()`);
          return true;
        });
      }
    }
    assert.deepEqual(service.seen, []);
  });
}

test("a batch write whose timeout and signal are undefined is sent, and send()'s own timeout is taken", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: answers(1) }));
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const handle = batch.delete(client.collection("Items").key(1), { timeout: undefined, signal: undefined } as object);
  await batch.send({ timeout: 5_000 });
  const result = handle.result();
  assert.deepEqual([result.ok, result.status, result.ok ? result.value : result.error], [true, 204, undefined]);
  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url}`),
    ["POST /svc/$batch"],
  );
  assert.deepEqual((JSON.parse(service.seen[0]!.body) as { requests: { method: string; url: string }[] }).requests.map((part) => `${part.method} ${part.url}`), ["DELETE Items(1)"]);
});
