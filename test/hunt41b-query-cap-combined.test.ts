// The query API as a user combines it, against the real SAP CAP server (v4 and its v2 adapter):
// string values with URL-special characters in every string filter and in a $search phrase, and a
// navigation read with filter, order, paging and counts. No defect was found here; these pin what
// the client sends and what CAP answers, so that a change in encoding or in building the
// navigation's URL shows.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import type { Author, Book } from "./servers/cap/types.js";

/** Titles with characters a URL gives a meaning of its own (`%`, `&`, `#`, `+`, `?`, `=`, `/`...) or a literal needs doubled (`'`). */
const TITLES = ["50% off", "Tom & Jerry", "#1 hit", "C++ guide", "O'Hara's", "x?y=z", "a/b", "semi;colon", "a_b"];
const FIRST_ID = 900;

describe("the query API combined, against SAP CAP", () => {
  const cap = useCap();

  /** A client of `version` whose GETs are kept as they went on the wire (still encoded, below the service root). */
  function capClient(version: "4.0" | "2.0"): { client: ODataClient; sent: string[] } {
    const root = version === "4.0" ? cap.v4 : cap.v2;
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => {
      sent.push((input instanceof Request ? input.url : String(input)).slice(root.length));
      return fetch(input, init);
    };
    return { client: new ODataClient({ serviceUrl: root, version, fetch: recording, retry: false }), sent };
  }

  test("string filters and a $search phrase find a value with URL-special characters, and it alone", async () => {
    const { client: writer } = capClient("4.0");
    for (const [i, title] of TITLES.entries()) await writer.collection<Book>("Books").create({ ID: FIRST_ID + i, title, stock: 1 });
    for (const version of ["4.0", "2.0"] as const) {
      const { client, sent } = capClient(version);
      const books = client.collection<Book>("Books").select("ID");
      for (const [i, title] of TITLES.entries()) {
        const found = async (query: typeof books) => (await query.list()).map((book) => book.ID);
        const where = `${version} ${JSON.stringify(title)}`;
        assert.deepEqual(await found(books.filter((f) => f.eq("title", title))), [FIRST_ID + i], `${where} eq`);
        assert.deepEqual(await found(books.filter((f) => f.contains("title", title))), [FIRST_ID + i], `${where} contains`);
        assert.deepEqual(await found(books.filter((f) => f.startsWith("title", title))), [FIRST_ID + i], `${where} startswith`);
        assert.deepEqual(await found(books.filter((f) => f.endsWith("title", title))), [FIRST_ID + i], `${where} endswith`);
        assert.deepEqual(await found(books.filter((f) => f.in("title", [title, "none"]))), [FIRST_ID + i], `${where} in`);
        if (version === "4.0") assert.ok((await found(client.collection<Book>("Books").search(JSON.stringify(title)).select("ID"))).includes(FIRST_ID + i), `${where} $search`);
      }
      // Read back as a service reads a query (`+` as a space, `&` and `#` ending a value), each
      // request's options are the text built: every special character went percent-encoded.
      const options = sent.map((path) => new URL(path, "http://h/").searchParams);
      for (const title of TITLES) {
        const literal = `'${title.replaceAll("'", "''")}'`;
        assert.ok(options.some((o) => o.get("$filter") === `title eq ${literal}`), `${version}: eq ${literal} read back`);
        assert.ok(options.some((o) => o.get("$filter") === `startswith(title,${literal})${version === "2.0" ? " eq true" : ""}`), `${version}: startswith ${literal} read back`);
        if (version === "4.0") assert.ok(options.some((o) => o.get("$search") === JSON.stringify(title)), `${version}: $search ${title} read back`);
      }
    }
  });

  test("a navigation filtered, ordered, paged and counted: the options go with the navigation's URL", async () => {
    for (const version of ["4.0", "2.0"] as const) {
      const { client, sent } = capClient(version);
      const austen = client.collection<Author>("Authors").key("austen");
      const page = await austen
        .navigate("books")
        .filter((f) => f.gt("stock", 20))
        .orderBy("stock", "desc")
        .skip(1)
        .top(2)
        .count()
        .select("ID", "stock")
        .page();
      // Austen's books by stock: 4 (48), 1 (37), 5 (35), 2 (24), 6 (22), 3 (11).
      assert.deepEqual(page.value.map((book) => [book.ID, book.stock]), [[1, 37], [5, 35]]);
      assert.equal(page.count, 5);
      assert.equal(await austen.navigate("books").filter((f) => f.gt("stock", 40)).countAll(), 1);
      const book = await austen.navigate("books").key(2).select("title").get();
      assert.equal(book.title, "Emma");
      const author = await client.collection<Book>("Books").key(2).navigateOne("author").select("name").get();
      assert.equal(author?.name, "Jane Austen");
      await assert.rejects(austen.navigate("books").key(7).get(), (error: Error & { status?: number }) => error.status === 404);
      const count = version === "4.0" ? "$count=true" : "$inlinecount=allpages";
      assert.deepEqual(sent.map(decodeURIComponent), [
        `Authors('austen')/books?$filter=stock gt 20&$select=ID,stock&$orderby=stock desc&$skip=1&$top=2&${count}`,
        "Authors('austen')/books/$count?$filter=stock gt 40",
        "Authors('austen')/books(2)?$select=title",
        "Books(2)/author?$select=name",
        "Authors('austen')/books(7)",
      ]);
    }
  });

  test("a nested count(false) asks for nothing: OData v2 sends the expand without it, as v4 does (v2 refused it before)", async () => {
    // Code shared by both versions writes `count(wanted)`; on v2 only `count(true)` has no wire form.
    for (const version of ["4.0", "2.0"] as const) {
      const { client, sent } = capClient(version);
      const author = await client
        .collection<Author>("Authors")
        .key("austen")
        .select("name")
        .expand("books", (b) => b.select("ID").count(false))
        .get();
      assert.deepEqual(author.books.map((book) => book.ID), [1, 2, 3, 4, 5, 6]);
      assert.equal((author as Record<string, unknown>)["books@odata.count"], undefined);
      assert.deepEqual(sent.map(decodeURIComponent), [version === "4.0" ? "Authors('austen')?$select=name&$expand=books($select=ID)" : "Authors('austen')?$select=name,books/ID&$expand=books"]);
    }
    // count(true) still has no v2 form: refused before anything is sent.
    assert.throws(
      () => capClient("2.0").client.collection<Author>("Authors").expand("books", (b) => b.count()),
      (error: Error & { code?: string }) => error.code === "UNSUPPORTED_BY_VERSION" && /nested \$count/.test(error.message),
    );
  });
});
