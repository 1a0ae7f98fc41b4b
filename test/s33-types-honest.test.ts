// Row and path types that say what the wire holds (test/s33-types-honest-cases.ts holds the
// type-level cases): an expand path's nested options are its last segment's, whose rows are then
// what they selected; `orderBy()` takes paths to primitive values only; after `apply()` the rows
// are what the transformations make, and a literal `compute()` names what `select()` may ask for.
// This file type-checks the cases on their own, then sends the queries that compile to SAP CAP
// (v4 and v2) and to a node:http server, and asserts what went on the wire and what came back.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ODataClient } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import type { Book } from "./servers/cap/types.js";
import { useCap } from "./servers/use-cap.js";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";
import { appliedAndComputed, expandPathRows, orderByPaths } from "./s33-types-honest-cases.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "s33-types-honest-cases.ts");

/** The decoded path and query of each request the server saw. */
function sent(server: RecordingServer): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path));
}

/** The names of a row's properties, annotations left out, sorted. */
function names(row: object): string[] {
  return Object.keys(row)
    .filter((name) => !name.includes("@") && name !== "__metadata")
    .sort();
}

test("the type-level cases compile as expected: each refused use is an error, each row type the one expected", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

describe("against SAP CAP", () => {
  const cap = useCap();
  /** A v4 client whose requests are kept as sent, below the service root. */
  function capClient(root: string, version: "4.0" | "2.0" = "4.0") {
    const urls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      urls.push(decodeURIComponent(String(input instanceof Request ? input.url : input)).slice(root.length));
      return fetch(input, init);
    };
    return { client: new ODataClient({ serviceUrl: root, version, fetch: recording, retry: false }), urls };
  }

  test("v4: an expand path's nested select reaches its last segment alone; the author before it comes whole, its books with the selected title", async () => {
    const { client, urls } = capClient(cap.v4);
    const rows = await expandPathRows(client).path.list();
    assert.deepEqual(urls, ["Books?$filter=ID eq 1&$select=title&$expand=author($expand=books($select=title;$top=1))"]);
    const author = rows[0]!.author!;
    // Typed every property of Author: the service sends them all.
    assert.deepEqual(names(author), ["ID", "books", "born", "name"]);
    assert.equal(author.name, "Jane Austen");
    // Typed { title; ID? }[]: what the nested $select sends (CAP adds the key and its ETag field).
    assert.equal(author.books.length, 1);
    const [book] = author.books;
    const title: string | null = book!.title;
    assert.equal(typeof title, "string");
    assert.equal("stock" in book!, false);
    assert.equal("descr" in book!, false);
    assert.deepEqual(names(book!).filter((name) => name !== "modifiedAt"), ["ID", "title"]);
  });

  test("v2: the path goes as written with the steps before the last selected whole (author/*); the rows hold what the types say", async () => {
    const { client, urls } = capClient(cap.v2.replace("127.0.0.1", "localhost"), "2.0");
    const rows = await client
      .collection<Book>("Books")
      .filter((f) => f.eq("ID", 1))
      .expand("author/books", (b) => b.select("title"))
      .list();
    assert.deepEqual(urls, ["Books?$filter=ID eq 1&$select=*,author/*,author/books/title&$expand=author/books"]);
    const author = rows[0]!.author!;
    const name: string | null = author.name;
    assert.equal(name, "Jane Austen");
    assert.ok(author.books.length > 0);
    for (const book of author.books) {
      assert.equal(typeof book.title, "string");
      assert.equal("stock" in book, false);
    }
  });

  test("apply(groupby(...)) rows hold the grouping property and the aggregate, not the entity's key or title: typed as a record", async () => {
    const { client, urls } = capClient(cap.v4);
    const { grouped, after } = appliedAndComputed(client, new ODataReader({ serviceUrl: cap.v4 }));
    const rows = await grouped.list();
    assert.ok(rows.length > 1);
    for (const row of rows) {
      assert.equal("ID" in row, false);
      assert.equal("title" in row, false);
      assert.equal(typeof row.total, "number");
      assert.ok("author_ID" in row);
    }
    // The options after $apply name the aggregate: CAP filters and orders the groups by it.
    const top = await after.list();
    const totals = top.map((row) => row.total as number);
    assert.ok(totals.length > 0 && totals.every((total) => total > 100));
    assert.deepEqual(totals, [...totals].sort((a, b) => b - a));
    assert.deepEqual(urls, [
      "Books?$apply=groupby((author_ID),aggregate(stock with sum as total))",
      "Books?$filter=total gt 100&$select=author_ID,total&$orderby=total desc&$skip=0&$top=3&$count=true&$apply=groupby((author_ID),aggregate(stock with sum as total))",
    ]);
  });

  test("compute(...) with select() naming the alias: the service sends the computed value with the selected title", async () => {
    const { client, urls } = capClient(cap.v4);
    const { computed, two } = appliedAndComputed(client, new ODataReader({ serviceUrl: cap.v4 }));
    const [row] = await computed.list();
    assert.equal(typeof row!.title, "string");
    assert.equal(typeof row!.dbl, "number");
    assert.equal("stock" in row!, false);
    const [both] = await two.top(1).list();
    assert.equal(typeof both!.dbl, "number");
    assert.equal(both!.next, (both!.dbl as number) / 2 + 1);
    assert.deepEqual(urls, [
      "Books?$select=title,dbl&$top=1&$compute=stock mul 2 as dbl",
      "Books?$select=dbl,next&$top=1&$compute=stock mul 2 as dbl, stock add 1 as next",
    ]);
  });
});

test("orderBy() paths that compile, as paths or as the function form's fields, go on the wire as written: through navigation and complex properties, $count, inside an expand", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [] }, { "odata-version": "4.0" }));
  for (const query of Object.values(orderByPaths(client))) assert.deepEqual(await query.list(), []);
  assert.deepEqual(sent(server), [
    "/odata/Books?$select=ID&$orderby=author/name,reviews/$count desc",
    "/odata/Books?$select=ID&$orderby=author/name,reviews/$count desc,tolower(title)",
    "/odata/People?$expand=Pets($orderby=$it/Home/City,Owner/UserName)",
    "/odata/People?$select=UserName&$orderby=Home/City,BestFriend/Home/Zip desc,Gender,Budget",
    "/odata/People?$expand=Pets($orderby=Name,$it/Home/City,Owner/UserName)",
    "/odata/Things?$orderby=anything/at/all",
    "/odata/Things?$orderby=anything/at/all",
  ]);
});
