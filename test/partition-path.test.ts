/**
 * A partition names the whole resource path of the query it was planned for, keys included
 * (`Authors('austen')/books`), so `query.partition(p)` refuses it on another author's books or on
 * another entity's navigation of the same name. A plan of a plain entity set names the set as
 * before, and plans written by earlier releases for one still run. Against SAP CAP and node:http.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type QueryPartition } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import { serveClient, sendJson, sendText } from "./servers/recording-server.js";

describe("against SAP CAP", () => {
  const cap = useCap();

  /** A v4 client whose GETs are kept as sent (below the service root). */
  function capClient(): { client: ODataClient; gets: string[] } {
    const gets: string[] = [];
    const recording: typeof fetch = (input, init) => {
      gets.push((input instanceof Request ? input.url : String(input)).slice(cap.v4.length));
      return fetch(input, init);
    };
    return { client: new ODataClient({ serviceUrl: cap.v4, fetch: recording, retry: false }), gets };
  }

  const booksOf = (client: ODataClient, author: string) => client.collection<Record<string, unknown>>("Authors").key(author).navigate("books");

  /** The IDs every partition of `plan` reads on `query`, and the GETs that read them. */
  async function walk(query: ReturnType<typeof booksOf>, plan: readonly QueryPartition[], gets: string[]): Promise<{ ids: unknown[]; sent: string[] }> {
    gets.length = 0;
    const ids: unknown[] = [];
    for (const partition of plan) for await (const row of query.select("ID").partition(partition)) ids.push(row["ID"]);
    return { ids: ids.sort(), sent: [...gets] };
  }

  test("a plan of Authors('austen')/books names that path; it reads Austen's books, each once, from that path", async () => {
    const { client, gets } = capClient();
    const austen = booksOf(client, "austen");
    const all = (await austen.select("ID").list()).map((row) => row["ID"]).sort();
    assert.ok(all.length >= 2, `Austen has ${all.length} books`);
    const plan = await austen.partitions(2, { key: "ID" });
    assert.deepEqual(plan.map((p) => p.entitySet), ["Authors('austen')/books", "Authors('austen')/books"]);
    for (const p of plan) assert.ok(p.url.startsWith(`${cap.v4}Authors('austen')/books?`), p.url);
    const { ids, sent } = await walk(austen, JSON.parse(JSON.stringify(plan)) as QueryPartition[], gets);
    assert.deepEqual(ids, all);
    assert.ok(sent.length >= 2 && sent.every((path) => path.startsWith("Authors('austen')/books?")), sent.join("\n"));
  });

  test("a plan of Authors('austen')/books is refused by Authors('O''Brien')/books, which sends nothing", async () => {
    const { client, gets } = capClient();
    const plan = await booksOf(client, "austen").partitions(2, { key: "ID" });
    const obrien = booksOf(client, "O'Brien");
    gets.length = 0;
    assert.throws(() => obrien.partition(plan[0]!), {
      name: "TypeError",
      message: `partition(p): the partition is of "Authors('austen')/books", not of this query's "Authors('O''Brien')/books"`,
    });
    assert.deepEqual(gets, []);
  });

  test("a plan of Authors('O''Brien')/books, its quote doubled in the path, runs on that query and no other author's", async () => {
    const { client, gets } = capClient();
    const obrien = booksOf(client, "O'Brien");
    const all = (await obrien.select("ID").list()).map((row) => row["ID"]).sort();
    assert.ok(all.length >= 2, `O'Brien has ${all.length} books`);
    const plan = await obrien.partitions(2, { key: "ID", strategy: "skip" });
    assert.equal(plan[0]!.entitySet, "Authors('O''Brien')/books");
    const { ids, sent } = await walk(obrien, plan, gets);
    assert.deepEqual(ids, all);
    assert.ok(sent.every((path) => path.startsWith("Authors('O''Brien')/books?")), sent.join("\n"));
    assert.throws(() => booksOf(client, "austen").partition(plan[0]!), /the partition is of "Authors\('O''Brien'\)\/books", not of this query's "Authors\('austen'\)\/books"/);
  });

  test("a partition naming only the navigation property, as earlier releases wrote it, is refused by a navigation query", async () => {
    const { client } = capClient();
    const [first] = await booksOf(client, "austen").partitions(2, { key: "ID" });
    const onlyLast: QueryPartition = { ...first!, entitySet: "books" };
    assert.throws(() => booksOf(client, "austen").partition(onlyLast), /the partition is of "books", not of this query's "Authors\('austen'\)\/books"/);
    // What the hunt found: relabelled, a plan crossed to another entity's navigation of that name.
    const relabelled: QueryPartition = { ...first!, entitySet: "book" };
    const reviewBook = client.collection("Reviews").key(1).navigate("book" as never);
    assert.throws(() => reviewBook.partition(relabelled), /the partition is of "book", not of this query's "Reviews\(1\)\/book"/);
  });

  test("a plan of the entity set Books names \"Books\" as before, and a partition written by an earlier release runs", async () => {
    const { client, gets } = capClient();
    const books = client.collection<Record<string, unknown>>("Books");
    const plan = await books.partitions(3);
    assert.deepEqual(plan.map((p) => p.entitySet), ["Books", "Books", "Books"]);
    const saved: QueryPartition = { type: "traverse-odata/partition", version: 1, entitySet: "Books", index: 0, of: 2, kind: "key-range", key: ["ID"], to: [5], filter: "ID lt 5", url: "" };
    gets.length = 0;
    const rows = await books.select("ID").partition(saved).list();
    assert.deepEqual(gets, ["Books?$filter=ID%20lt%205&$select=ID"]);
    assert.deepEqual(rows.map((row) => row["ID"]).sort(), [1, 2, 3, 4]);
    assert.throws(() => booksOf(client, "austen").partition(saved), /the partition is of "Books", not of this query's "Authors\('austen'\)\/books"/);
  });
});

test("node:http: a key outside ASCII is in the path as the URL has it; the plan runs on its own query and is refused by another key", async (t) => {
  const { server, client, root } = await serveClient(
    t,
    (request, res) => {
      const url = new URL(request.path, "http://x");
      if (url.pathname.endsWith("/$metadata")) return sendText(res, 404, "no metadata");
      if (url.pathname.endsWith("/$count")) return sendText(res, 200, "4");
      return sendJson(res, 200, { value: [{ ID: Number(url.searchParams.get("$skip") ?? 0) + 1 }] });
    },
    {},
    "svc/",
  );
  const books = (author: string) => client.collection("Authors").key(author).navigate("books");
  const plan = await books("Müller").partitions(2, { key: "ID", strategy: "skip" });
  assert.deepEqual(plan.map((p) => [p.entitySet, p.skip, p.top]), [
    ["Authors('M%C3%BCller')/books", 0, 2],
    ["Authors('M%C3%BCller')/books", 2, undefined],
  ]);
  assert.ok(server.requests.some((r) => r.path === "/svc/Authors('M%C3%BCller')/books/$count"), server.requests.map((r) => r.path).join("\n"));

  const page = await books("Müller").partition(plan[1]!).page();
  assert.equal(server.requests.at(-1)!.path, "/svc/Authors('M%C3%BCller')/books?$orderby=ID&$skip=2");
  assert.equal(plan[1]!.url, `${root}Authors('M%C3%BCller')/books?$orderby=ID&$skip=2`);
  assert.deepEqual(page.value, [{ ID: 3 }]);

  const before = server.requests.length;
  assert.throws(() => books("Muller").partition(plan[1]!), /the partition is of "Authors\('M%C3%BCller'\)\/books", not of this query's "Authors\('Muller'\)\/books"/);
  assert.equal(server.requests.length, before);
});
