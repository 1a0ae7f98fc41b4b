// partitions(n) of a navigation (`Authors('austen')/books`) against SAP CAP: the key is that of the
// entity type the navigation property leads to (Books' ID), from a given model or from $metadata
// read on the way, and a key that cannot be null gets no `or ID eq null`. Each plan is walked:
// every row exactly once, and what was sent is checked.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type CollectionQuery, type QueryPartition } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";

describe("partitions of a navigation against SAP CAP", () => {
  const cap = useCap();

  type Row = Record<string, unknown>;

  /** A client of `version` whose requests are kept as sent (below the service root). */
  function capClient(version: "4.0" | "2.0"): { client: ODataClient; sent: string[] } {
    // v2 through the adapter: next links to "localhost"; $metadata needs a language.
    const root = version === "4.0" ? cap.v4 : cap.v2.replace("127.0.0.1", "localhost");
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push((input instanceof Request ? input.url : String(input)).slice(root.length));
      return fetch(input, init);
    };
    const client = new ODataClient({ serviceUrl: root, version, fetch: recording, retry: false, headers: { "accept-language": "en" } });
    return { client, sent };
  }

  const austensBooks = (client: ODataClient) => client.collection<Row>("Authors").key("austen").navigate("books");

  /** The IDs every partition of `plan` reads, sorted, and the GETs that read them. */
  async function walk(query: CollectionQuery<Row>, plan: readonly QueryPartition[], sent: string[]): Promise<{ ids: unknown[]; gets: string[] }> {
    sent.length = 0;
    const ids: unknown[] = [];
    for (const partition of plan) for await (const row of query.select("ID").partition(partition)) ids.push(row["ID"]);
    return { ids: ids.sort((a, b) => Number(a) - Number(b)), gets: [...sent] };
  }

  for (const version of ["4.0", "2.0"] as const) {
    test(`v${version[0]}: Authors('austen')/books in 2 ranges with { model }: by Books' key ID, no null term, each of her 6 books once`, async () => {
      const { client, sent } = capClient(version);
      const model = await client.metadata();
      const query = austensBooks(client);
      sent.length = 0;
      const plan = await query.partitions(2, { model });
      assert.deepEqual(sent, ["Authors('austen')/books/$count", "Authors('austen')/books?$select=ID&$orderby=ID&$skip=3&$top=1"]);
      assert.deepEqual(plan.map((p) => [p.kind, p.key, p.filter]), [
        ["key-range", ["ID"], "ID lt 4"],
        ["key-range", ["ID"], "ID ge 4"],
      ]);
      const { ids, gets } = await walk(query, plan, sent);
      assert.deepEqual(ids, [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(gets, ["Authors('austen')/books?$filter=ID%20lt%204&$select=ID", "Authors('austen')/books?$filter=ID%20ge%204&$select=ID"]);
    });

    test(`v${version[0]}: Authors('austen')/books in 2 ranges without a model: $metadata is read and its key of Books used`, async () => {
      const { client, sent } = capClient(version);
      const query = austensBooks(client);
      const plan = await query.partitions(2);
      assert.deepEqual([...sent].sort(), ["$metadata", "Authors('austen')/books/$count", "Authors('austen')/books?$select=ID&$orderby=ID&$skip=3&$top=1"]);
      assert.deepEqual(plan.map((p) => p.filter), ["ID lt 4", "ID ge 4"]);
      const { ids } = await walk(query, plan, sent);
      assert.deepEqual(ids, [1, 2, 3, 4, 5, 6]);
    });
  }

  test("v4: { key: \"ID\" } on Authors('austen')/books, with and without a model: ID is Books' key, so the first range has no `or ID eq null`", async () => {
    for (const withModel of [false, true]) {
      const { client, sent } = capClient("4.0");
      const query = austensBooks(client);
      const plan = await query.partitions(2, { key: "ID", ...(withModel ? { model: await client.metadata() } : {}) });
      assert.deepEqual(plan.map((p) => p.filter), ["ID lt 4", "ID ge 4"], `with a model: ${withModel}`);
      assert.deepEqual((await walk(query, plan, sent)).ids, [1, 2, 3, 4, 5, 6]);
    }
  });

  test("v4: several navigation segments, Reviews(1)/book/author/books and Authors('austen')/books(2)/reviews, are keyed by their targets' ID", async () => {
    const { client, sent } = capClient("4.0");
    const model = await client.metadata();
    const viaReview = client.collection<Row>("Reviews").key(1).navigateOne("book").navigateOne("author").navigate("books");
    const books = await viaReview.partitions(2, { model });
    assert.deepEqual(books.map((p) => p.filter), ["ID lt 4", "ID ge 4"]);
    assert.deepEqual((await walk(viaReview, books, sent)).ids, [1, 2, 3, 4, 5, 6]);

    const reviewsOfEmma = client.collection<Row>("Authors").key("austen").navigate("books").key(2).navigate("reviews");
    sent.length = 0;
    const reviews = await reviewsOfEmma.partitions(2, { model });
    assert.deepEqual(sent, ["Authors('austen')/books(2)/reviews/$count", "Authors('austen')/books(2)/reviews?$select=ID&$orderby=ID&$skip=1&$top=1"]);
    assert.deepEqual(reviews.map((p) => p.filter), ["ID lt 4", "ID ge 4"]);
    const { ids, gets } = await walk(reviewsOfEmma, reviews, sent);
    assert.deepEqual(ids, [3, 4, 5]);
    assert.deepEqual(gets, ["Authors('austen')/books(2)/reviews?$filter=ID%20lt%204&$select=ID", "Authors('austen')/books(2)/reviews?$filter=ID%20ge%204&$select=ID"]);
  });
});
