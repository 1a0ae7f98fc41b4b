/**
 * A `$batch` action's or function's `timeout` and `signal`: not in `BatchOperationOptions`, since a
 * part is never sent alone, but a JavaScript caller may give them. `send()`, `sendAsync()` and
 * `toRequest()` refuse such a batch as they refuse a write given them, with the same words, naming
 * the part's method, before anything is sent. Against a node:http service that keeps every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type Batch } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const answers = JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { value: 1 } }] });

const parts: Array<[string, (batch: Batch, options: object) => unknown]> = [
  ['action("Restock")', (batch, options) => batch.action("Restock", { count: 1 }, options)],
  ['function("Stock")', (batch, options) => batch.function("Stock", {}, options)],
];

for (const [option, value] of [["timeout", 5], ["signal", new AbortController().signal]] as const) {
  test(`a batch action or function given "${option}" is refused by send(), sendAsync() and toRequest() as a write is; nothing is sent`, async (t) => {
    const service = await serve(() => ({ status: 200, headers: json, body: answers }));
    t.after(() => service.close());
    const client = new ODataClient({ serviceUrl: service.url, retry: false });
    for (const [name, add] of parts) {
      for (const send of [(batch: Batch) => batch.send(), (batch: Batch) => batch.sendAsync(), (batch: Batch) => batch.toRequest()]) {
        const batch = client.batch({ format: "json" });
        add(batch, { [option]: value });
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

test("a batch action whose timeout and signal are undefined is sent, and its value comes back", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: answers }));
  t.after(() => service.close());
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const handle = batch.action<number>("Restock", { count: 1 }, { timeout: undefined, signal: undefined } as object);
  await batch.send();
  const result = handle.result();
  assert.deepEqual([result.ok, result.status, result.ok ? result.value : undefined], [true, 200, 1]);
  assert.deepEqual(
    (JSON.parse(service.seen[0]!.body) as { requests: { method: string; url: string; body: unknown }[] }).requests.map((part) => `${part.method} ${part.url} ${JSON.stringify(part.body)}`),
    ['POST Restock {"count":1}'],
  );
});
