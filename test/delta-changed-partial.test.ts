// A delta's changed entities are typed `ChangedEntity<T>` (test/delta-changed-partial-cases.ts
// holds the type-level cases): a changed entity may carry only the properties that changed, with
// its id (OData 4.01 JSON Format §15.2), and an entity of another entity set carries its own
// context URL. Before, `page.changed` was `T[]`: `book.title.toUpperCase()` compiled and threw for
// `{ "@odata.id": "Books(1)", price: 20 }`, and a sync job that stored it lost the book's title.
// This file type-checks the cases, then reads such a delta from a node:http server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { mergeChanges, type Book } from "./delta-changed-partial-cases.js";
import { sendJson, serveClient } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "delta-changed-partial-cases.ts");

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

test("the cases compile as expected: a changed entity's properties may be missing, its control information is typed", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

test("a delta's changed entities are given as sent: only the changed properties, and an entity of another set with its context", async (t) => {
  const changed = [
    { "@odata.id": "Books(1)", price: 20 },
    { "@odata.context": "#Authors/$entity", "@odata.id": "Authors(7)", name: "Austen" },
    { ID: 2, title: "Emma" },
  ];
  const { server, client, root } = await serveClient(t, (_request, res) =>
    sendJson(res, 200, { "@odata.context": "$metadata#Books/$delta", value: changed, "@odata.deltaLink": "Books?$deltatoken=2" }, { "odata-version": "4.0" }),
  );
  const [page] = await collect(client.delta<Book>(`${root}Books?$deltatoken=1`));
  assert.deepEqual(page?.changed, changed);
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["GET /odata/Books?$deltatoken=1"]);

  const held = new Map<number, Book>([
    [1, { ID: 1, title: "Persuasion", price: 10 }],
    [2, { ID: 2, title: "Emma (draft)", price: 12 }],
  ]);
  assert.deepEqual(await mergeChanges(client, `${root}Books?$deltatoken=1`, held), ["EMMA"]);
  assert.deepEqual([...held.values()], [
    { ID: 1, title: "Persuasion", price: 20 },
    { ID: 2, title: "Emma", price: 12 },
  ]);
});
