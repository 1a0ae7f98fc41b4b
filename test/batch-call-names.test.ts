/**
 * Each builder method of a `$batch` is named one way in every error it gives: the refusal of an
 * option it does not take, of a `timeout` or `signal` (which only `send()` takes), and its other
 * errors (a wrong target or query, a bad option). A write is named as the same write sent alone
 * (`create(entity)`, `update(patch)`, `replace(entity)`, `delete()`), whose checks its build runs;
 * an operation by its name, as its request's checks name it (`action("Shelve")`); a read by its
 * query and a raw request by its request. Refusals at sending leave nothing sent. Against a
 * node:http service on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type Batch } from "../src/index.js";
import { json, serve } from "./batch-server.js";

type Loose = never;
type Add = (batch: Batch, client: ODataClient) => unknown;

/** A method, the one name its errors give it, and ways to make it fail (when added or when sent). */
const methods: Array<[name: string, failures: Add[]]> = [
  [
    "get(query)",
    [
      (b, c) => Reflect.apply(b.get, b, [c.collection("Books").key(1), { headers: {} }]),
      (b, c) => Reflect.apply(b.get, b, [c.collection("Books").key(1), { timeout: 5 }]),
      (b, c) => b.get(c.collection("Books") as Loose),
    ],
  ],
  [
    "page(query)",
    [
      (b, c) => Reflect.apply(b.page, b, [c.collection("Books"), { maxPageSize: 5 }]),
      (b, c) => Reflect.apply(b.page, b, [c.collection("Books"), { signal: new AbortController().signal }]),
      (b, c) => b.page(c.collection("Books").key(1) as Loose),
    ],
  ],
  [
    "count(query)",
    [
      (b, c) => Reflect.apply(b.count, b, [c.collection("Books"), { top: 5 }]),
      (b, c) => Reflect.apply(b.count, b, [c.collection("Books"), { timeout: 5 }]),
      (b, c) => b.count(c.collection("Books").key(1) as Loose),
    ],
  ],
  [
    "create(entity)",
    [
      (b, c) => b.create(c.collection("Books"), { ID: 1 }, { etag: "*" } as Loose),
      (b, c) => b.create(c.collection("Books"), { ID: 1 }, { timeout: 5 } as Loose),
      (b, c) => b.create(c.collection("Books"), { ID: 1 }, { prefer: "everything" as Loose }),
      (b, c) => b.create(c.collection("Books").key(1) as Loose, { ID: 1 }),
      (b, c) => b.create(b.get(c.collection("Books").key(1)).ref() as Loose, { ID: 1 }),
      (b, c) => b.changeset((cs) => void cs.create(c.collection("Books"), { ID: 1 }, { signal: new AbortController().signal } as Loose)),
    ],
  ],
  [
    "update(patch)",
    [
      (b, c) => b.update(c.collection("Books").key(1), { title: "t" }, { replace: true } as Loose),
      (b, c) => b.update(c.collection("Books").key(1), { title: "t" }, { timeout: 5 } as Loose),
      (b, c) => b.update(c.collection("Books").key(1), { title: "t" }, { etag: 5 as Loose }),
      (b, c) => b.update(c.collection("Books") as Loose, { title: "t" }),
    ],
  ],
  [
    "replace(entity)",
    [
      (b, c) => b.replace(c.collection("Books").key(1), { ID: 1 }, { ifNoneMatch: "*" } as Loose),
      (b, c) => b.replace(c.collection("Books").key(1), { ID: 1 }, { signal: new AbortController().signal } as Loose),
      (b, c) => b.replace(c.collection("Books") as Loose, { ID: 1 }),
    ],
  ],
  [
    "delete()",
    [
      (b, c) => b.delete(c.collection("Books").key(1), { prefer: "minimal" } as Loose),
      (b, c) => b.delete(c.collection("Books").key(1), { timeout: 5 } as Loose),
      (b, c) => b.delete(c.collection("Books") as Loose),
      (b, c) => b.delete(b.get(c.collection("Books").key(1)).navigation("reviews" as never) as Loose),
    ],
  ],
  [
    'action("Shelve")',
    [
      (b) => b.action("Shelve", {}, { ifMatch: "*" } as Loose),
      (b) => b.action("Shelve", {}, { timeout: 5 } as Loose),
      (b) => b.action("Shelve", {}, { bound: {} as Loose }),
      (b) => b.action("Shelve", {}, { etag: "a\u0100" }),
    ],
  ],
  [
    'function("Stock")',
    [
      (b) => b.function("Stock", {}, { etag: "*" } as Loose),
      (b) => b.function("Stock", {}, { signal: new AbortController().signal } as Loose),
      (b) => b.function("Stock", {}, { bound: "Books" as Loose }),
    ],
  ],
  [
    "request(request)",
    [
      (b) => b.request({ method: "GET", url: "Books", etag: "*" } as Loose),
      (b) => b.request({ method: "GET", url: "Books b" }),
    ],
  ],
];

/** The call an error names: its message up to the first `: ` or ` has no option`. */
const named = (message: string) => message.slice(0, Math.min(...[": ", " has no option"].map((end) => message.indexOf(end)).filter((at) => at >= 0)));

test("each $batch builder method is named one way in all its errors, a write as it is named sent alone; nothing is sent", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const names = [];
  for (const [name, failures] of methods) {
    const seen = new Set<string>();
    for (const fail of failures) {
      const batch = client.batch();
      let error: unknown;
      try {
        fail(batch, client);
        await batch.send();
      } catch (caught) {
        error = caught;
      }
      assert.ok(error instanceof TypeError, `${name}: ${String(error)}`);
      seen.add(named(error.message));
    }
    names.push([name, [...seen]]);
  }
  assert.deepEqual(
    names,
    methods.map(([name]) => [name, [name]]),
  );
  assert.deepEqual(service.seen, []);
});
