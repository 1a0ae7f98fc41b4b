// The reading layer against a real OData server (SAP CAP, test/servers/cap): every query feature
// CAP supports, read through the library (page, pages, stream, list, first, countAll, key reads),
// server-driven paging across many pages, OData v2 through the adapter, and createAsync against a
// service that ignores respond-async. Seed data: test/servers/cap/db/data and server.js.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, type ODataClientOptions } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import type { Author, Book, Pair, Reading, Review } from "./servers/cap/types.js";

const cap = useCap();

/** Every URL the client fetched, in order. */
interface Traced {
  client: ODataClient;
  sent: string[];
}

function traced(version: "4.0" | "2.0", options: Partial<ODataClientOptions> = {}): Traced {
  const sent: string[] = [];
  // The v2 adapter writes its absolute links (__next, __metadata.uri) with host "localhost":
  // addressing the service the same way keeps those links on the service's origin.
  const serviceUrl = version === "2.0" ? cap.v2.replace("127.0.0.1", "localhost") : cap.v4;
  const client = new ODataClient({
    serviceUrl,
    version,
    fetch: (input, init) => {
      sent.push(String(input));
      return fetch(input, init);
    },
    ...options,
  });
  return { client, sent };
}

const v4 = () => traced("4.0").client;
const ids = <K>(rows: Array<{ ID: K }>): K[] => rows.map((row) => row.ID);

// --- OData v4: query features --------------------------------------------------------------------

describe("v4 query features through the library", () => {
  test("filter with string and date functions", async () => {
    const books = v4().collection<Book>("Books").select("ID").orderBy("ID");
    const and = await books.filter((f) => f.and(f.contains("title", "and"), f.gt(f.year("published"), 1800))).list();
    assert.deepEqual(ids(and), [1, 4, 16, 23]);
    const the = await books.filter((f) => f.startsWith(f.tolower("title"), "the")).list();
    assert.deepEqual(ids(the), [8, 9, 10]);
  });

  test("filter across a to-one association with an apostrophe in the value", async () => {
    const rows = await v4().collection<Book>("Books").filter((f) => f.eq("author/name", "Flann O'Brien")).select("ID").orderBy("ID").list();
    assert.deepEqual(ids(rows), [7, 8, 9, 10]);
  });

  test("any() over the reviews composition", async () => {
    const rows = await v4().collection<Book>("Books").filter((f) => f.any("reviews", (r) => r.ge("rating", 5))).select("ID").orderBy("ID").list();
    assert.deepEqual(ids(rows), [1, 2, 6, 11]);
  });

  test("all() with count(): books whose reviews are all good, unreviewed ones included", async () => {
    const page = await v4().collection<Book>("Books").filter((f) => f.all("reviews", (r) => r.ge("rating", 4))).select("ID").orderBy("ID").count().page();
    assert.equal(page.count, 19);
    assert.deepEqual(ids(page.value).slice(0, 6), [1, 4, 6, 7, 8, 9]);
  });

  test("select gives the selected properties (CAP adds the key and the ETag)", async () => {
    const [first] = await v4().collection<Book>("Books").select("title").top(1).list();
    assert.deepEqual(first, {
      title: "Pride and Prejudice",
      ID: 1,
      modifiedAt: "2024-02-11T10:01:00.000Z",
      "@odata.etag": 'W/"2024-02-11T10:01:00.000Z"',
    });
  });

  test("nested expand with select and orderBy at two levels", async () => {
    const austen = await v4()
      .collection<Author>("Authors")
      .key("austen")
      .expand("books", (b) => b.select("ID", "title").orderBy("ID", "desc").expand("reviews", (r) => r.select("rating").orderBy("rating")))
      .get();
    assert.equal(austen.name, "Jane Austen");
    const books = austen.books ?? assert.fail("books were expanded");
    assert.deepEqual(ids(books), [6, 5, 4, 3, 2, 1]);
    const emma = books.find((book) => book.ID === 2);
    assert.deepEqual(emma?.reviews, [{ ID: 3, rating: 1 }, { ID: 4, rating: 4 }, { ID: 5, rating: 5 }]);
  });

  test("nested expand on a collection with filter, top and count inside", async () => {
    const [austen] = await v4()
      .collection<Author>("Authors")
      .filter((f) => f.eq("ID", "austen"))
      .expand("books", (b) => b.select("title", "stock").filter((f) => f.gt("stock", 30)).orderBy("stock", "desc").top(2))
      .list();
    const stocks = austen?.books?.map((book) => book.stock) ?? [];
    assert.equal(stocks.length, 2);
    assert.ok(stocks.every((stock) => stock !== null && stock > 30));
    assert.ok((stocks[0] ?? 0) >= (stocks[1] ?? 0));
  });

  test("orderBy descending with top", async () => {
    const rows = await v4().collection<Book>("Books").orderBy("price", "desc").top(4).select("price").list();
    assert.deepEqual(rows.map((b) => [b.ID, b.price]), [[16, 41.96], [5, 41.55], [21, 38.51], [10, 38.1]]);
  });

  test("skip and top give one page without a nextLink", async () => {
    const page = await v4().collection<Book>("Books").orderBy("ID").skip(5).top(3).select("ID").page();
    assert.deepEqual(ids(page.value), [6, 7, 8]);
    assert.equal(page.nextLink, undefined);
  });

  test("count() gives the total next to a top-limited page", async () => {
    const page = await v4().collection<Book>("Books").count().top(2).select("ID").page();
    assert.equal(page.count, 23);
    assert.deepEqual(ids(page.value), [1, 2]);
  });

  test("countAll() counts all, filtered, and searched entities via /$count", async () => {
    const { client, sent } = traced("4.0");
    const books = client.collection<Book>("Books");
    assert.equal(await books.countAll(), 23);
    assert.equal(await books.filter((f) => f.gt("stock", 30)).countAll(), 9);
    assert.equal(await books.search("Policeman").countAll(), 1);
    assert.ok(sent.every((url) => new URL(url).pathname.endsWith("/Books/$count")), sent.join(" "));
  });

  test("search, in titles and descriptions and in unicode", async () => {
    const books = v4().collection<Book>("Books").select("ID").orderBy("ID");
    assert.deepEqual(ids(await books.search("Policeman").list()), [8]);
    assert.deepEqual(ids(await books.search("日本").list()), [11, 13]);
    assert.deepEqual(ids(await v4().collection<Author>("Authors").search("Žluč").list()), ["Žlučťoučký"]);
  });

  test("apply: groupby with aggregate", async () => {
    const rows = await v4()
      .collection<{ author_ID: string; n: number }>("Books")
      .apply("groupby((author_ID),aggregate(ID with countdistinct as n))")
      .list();
    assert.deepEqual(Object.fromEntries(rows.map((row) => [row.author_ID, row.n])), { "O'Brien": 4, austen: 6, murakami: 4, tolstoy: 4, Žlučťoučký: 5 });
  });

  test("compute adds a computed property", async () => {
    const rows = await v4()
      .collection<Book & { double: number }>("Books")
      .compute("price mul 2 as double")
      .select("ID", "price", "double")
      .top(2)
      .list();
    assert.deepEqual(rows.map((row) => [row.ID, row.price, row.double]), [[1, 12.31, 24.62], [2, 19.62, 39.24]]);
  });

  test("first() gives the first entity of the ordering", async () => {
    const { client, sent } = traced("4.0");
    const cheapest = await client.collection<Book>("Books").orderBy("price").select("ID", "price").first();
    assert.deepEqual([cheapest?.ID, cheapest?.price], [11, 5.41]);
    assert.equal(new URL(sent[0] ?? "").searchParams.get("$top"), "1");
    assert.equal(await client.collection<Book>("Books").filter((f) => f.gt("ID", 1000)).first(), undefined);
  });
});

// --- OData v4: key reads ---------------------------------------------------------------------------

describe("v4 key reads", () => {
  test("a string key with an apostrophe", async () => {
    const author = await v4().collection<Author>("Authors").key("O'Brien").get();
    assert.equal(author.ID, "O'Brien");
    assert.equal(author.name, "Flann O'Brien");
  });

  test("a non-Latin string key and unicode text come back byte for byte", async () => {
    const author = await v4().collection<Author>("Authors").key("Žlučťoučký").get();
    assert.equal(author.name, "Ŝeĥ Žlučťoučký 日本");
    const book = await v4().collection<Book>("Books").key(11).get();
    assert.equal(book.title, "Žluťoučký kůň");
    assert.equal(book.descr, "Příliš žluťoučký kůň úpěl ďábelské ódy — “quoted”, 日本語のテキスト, emoji 📚");
  });

  test("a composite key, with an apostrophe in its string part", async () => {
    const pair = await v4().collection<Pair>("Pairs").key({ A: 2, B: "it's" }).get();
    assert.deepEqual({ A: pair.A, B: pair.B, label: pair.label }, { A: 2, B: "it's", label: "two with apostrophe" });
  });

  test("an entity read carries its ETag", async () => {
    const book = await v4().collection<Book>("Books").key(1).select("title").get();
    assert.equal((book as Book & { "@odata.etag": string })["@odata.etag"], 'W/"2024-02-11T10:01:00.000Z"');
  });

  test("a missing key rejects with ODataHttpError 404 and CAP's error", async () => {
    const error = await v4()
      .collection<Book>("Books")
      .key(999)
      .get()
      .then(
        () => assert.fail("expected a rejection"),
        (e: unknown) => e,
      );
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 404);
    assert.equal(error.odataError?.code, "404");
    assert.equal(error.odataError?.message, "Not Found");
  });
});

// --- OData v4: paging ------------------------------------------------------------------------------

describe("v4 server-driven paging", () => {
  test("BooksPaged: 10-row pages followed through CAP's relative nextLinks", async () => {
    const { client, sent } = traced("4.0");
    const sizes: number[] = [];
    const all: number[] = [];
    for await (const page of client.collection<Book>("BooksPaged").select("ID").pages()) {
      sizes.push(page.value.length);
      all.push(...ids(page.value));
    }
    assert.deepEqual(sizes, [10, 10, 3]);
    assert.deepEqual(all, Array.from({ length: 23 }, (_, i) => i + 1));
    assert.equal(sent[1], `${cap.v4}BooksPaged?%24select=ID&%24skiptoken=10`);
  });

  test("BooksPaged: a full last page links to an empty one and the walk ends there", async () => {
    const { client, sent } = traced("4.0");
    const sizes: number[] = [];
    for await (const page of client.collection<Book>("BooksPaged").filter((f) => f.le("ID", 20)).pages()) sizes.push(page.value.length);
    assert.deepEqual(sizes, [10, 10, 0]);
    assert.equal(sent.length, 3);
  });

  test("BooksPaged: a page's nextLink resumes the walk with pages({ from })", async () => {
    const query = v4().collection<Book>("BooksPaged").select("ID");
    const first = await query.page();
    assert.equal(first.nextLink, `${cap.v4}BooksPaged?%24select=ID&%24skiptoken=10`);
    const rest: number[] = [];
    for await (const page of query.pages({ from: first.nextLink as string })) rest.push(...ids(page.value));
    assert.deepEqual(rest, Array.from({ length: 13 }, (_, i) => i + 11));
  });

  test("Readings: all 100,000 rows walked page by page, 100 full pages and a final empty one", async () => {
    const { client, sent } = traced("4.0");
    const sizes: number[] = [];
    let count = 0;
    let idSum = 0;
    let valueSum = 0;
    let okCount = 0;
    let inOrder = true;
    for await (const page of client.collection<Reading>("Readings").pages()) {
      sizes.push(page.value.length);
      for (const row of page.value) {
        count++;
        if (row.ID !== count) inOrder = false;
        idSum += row.ID;
        valueSum += Math.round((row.value ?? Number.NaN) * 10);
        if (row.ok) okCount++;
      }
    }
    assert.equal(count, 100_000);
    assert.ok(inOrder, "IDs run 1, 2, 3, ... without gaps or repeats");
    assert.equal(idSum, (100_000 * 100_001) / 2);
    // value is (ID % 1000) / 10 and ok is ID % 3 != 0, as server.js generates them.
    assert.equal(valueSum, 100 * ((999 * 1000) / 2));
    assert.equal(okCount, 100_000 - Math.floor(100_000 / 3));
    assert.equal(sizes.length, 101);
    assert.ok(sizes.slice(0, 100).every((size) => size === 1000));
    assert.equal(sizes[100], 0);
    assert.equal(sent.length, 101);
  });

  test("Readings: for await over the query streams every row with a count on each page", async () => {
    let count = 0;
    let checksum = 0;
    for await (const row of v4().collection<Reading>("Readings").select("ID", "sensor")) {
      count++;
      // A checksum that depends on order and on both properties.
      checksum = (checksum * 31 + row.ID + Number(row.sensor?.slice(1))) % 1_000_000_007;
    }
    let expected = 0;
    for (let id = 1; id <= 100_000; id++) expected = (expected * 31 + id + (id % 7)) % 1_000_000_007;
    assert.equal(count, 100_000);
    assert.equal(checksum, expected);
  });

  test("Readings: aborting the stream mid-walk rejects with the signal's reason and requests no further page", async () => {
    const { client, sent } = traced("4.0");
    const controller = new AbortController();
    const reason = new Error("enough");
    let count = 0;
    const error = await (async () => {
      for await (const row of client.collection<Reading>("Readings").stream({ signal: controller.signal })) {
        count++;
        if (row.ID === 1500) controller.abort(reason);
      }
    })().then(
      () => assert.fail("expected a rejection"),
      (e: unknown) => e,
    );
    assert.equal(error, reason);
    assert.equal(count, 1500);
    const requested = sent.length;
    // Page 3 may have been requested ahead (readAhead 1) before the abort, never a page after it.
    assert.ok(requested <= 3, `${requested} pages requested`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sent.length, requested);
  });

  test("Readings: count() on a paged walk gives the total on every page", async () => {
    const counts: Array<number | undefined> = [];
    for await (const page of v4().collection<Reading>("Readings").filter((f) => f.le("ID", 2500)).select("ID").count().pages()) counts.push(page.count);
    assert.deepEqual(counts, [2500, 2500, 2500]);
  });
});

// --- OData v2 through the adapter ------------------------------------------------------------------

describe("v2 through CAP's adapter", () => {
  test("paging follows the absolute __next links, count() reads the string __count", async () => {
    const { client, sent } = traced("2.0");
    const pages: Array<[number, number | undefined]> = [];
    const all: number[] = [];
    for await (const page of client.collection<Book>("BooksPaged").filter((f) => f.le("ID", 20)).select("ID").count().pages()) {
      pages.push([page.value.length, page.count]);
      all.push(...ids(page.value));
    }
    assert.deepEqual(pages, [[10, 20], [10, 20], [0, 20]]);
    assert.deepEqual(all, Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal(sent.length, 3);
    // The adapter's absolute link: on localhost, under the service root the client was given.
    const root = cap.v2.replace("127.0.0.1", "localhost");
    assert.ok(sent[1]?.startsWith(`${root}BooksPaged?`) && sent[1].endsWith("skiptoken=10"), sent[1]);
  });

  test("addressed as 127.0.0.1, the adapter's __next on localhost is another origin: UNTRUSTED_NEXT_LINK after the first page", async () => {
    const sent: string[] = [];
    const client = new ODataClient({
      serviceUrl: cap.v2,
      version: "2.0",
      fetch: (input, init) => {
        sent.push(String(input));
        return fetch(input, init);
      },
    });
    const seen: number[] = [];
    const error = await (async () => {
      for await (const book of client.collection<Book>("BooksPaged").select("ID")) seen.push(book.ID);
    })().then(
      () => assert.fail("expected a rejection"),
      (e: unknown) => e,
    );
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => i + 1));
    assert.equal((error as { code?: string }).code, "UNTRUSTED_NEXT_LINK");
    assert.equal(sent.length, 1);
    // Listing the other origin lets the walk through.
    const trusting = new ODataClient({ serviceUrl: cap.v2, version: "2.0", trustedOrigins: [new URL(cap.v2.replace("127.0.0.1", "localhost")).origin] });
    assert.equal((await trusting.collection<Book>("BooksPaged").select("ID").list()).length, 23);
  });

  test("a larger walk: 3,000 Readings in 1000-row pages", async () => {
    let count = 0;
    let idSum = 0;
    for await (const row of traced("2.0").client.collection<Reading>("Readings").filter((f) => f.le("ID", 3000))) {
      count++;
      idSum += row.ID;
    }
    assert.equal(count, 3000);
    assert.equal(idSum, (3000 * 3001) / 2);
  });

  test("countAll() and count() agree", async () => {
    const books = traced("2.0").client.collection<Book>("Books");
    assert.equal(await books.countAll(), 23);
    assert.equal(await books.filter((f) => f.gt("stock", 30)).countAll(), 9);
    const page = await books.filter((f) => f.gt("stock", 30)).count().top(1).page();
    assert.equal(page.count, 9);
    assert.equal(page.value.length, 1);
  });

  test("key reads unwrap d: apostrophe key, unicode key, composite key", async () => {
    const client = traced("2.0").client;
    const obrien = await client.collection<Author>("Authors").key("O'Brien").get();
    assert.equal(obrien.name, "Flann O'Brien");
    const unicode = await client.collection<Author>("Authors").key("Žlučťoučký").get();
    assert.equal(unicode.name, "Ŝeĥ Žlučťoučký 日本");
    const pair = await client.collection<Pair>("Pairs").key({ A: 2, B: "it's" }).get();
    assert.equal(pair.label, "two with apostrophe");
  });

  test("dates: /Date(ms)/ and /Date(ms+0000)/ are read as ISO 8601, in entities and collections", async () => {
    const client = traced("2.0").client;
    const author = await client.collection<Author>("Authors").key("O'Brien").get();
    assert.equal(author.born, "1911-10-05T00:00:00Z");
    const [book] = await client.collection<Book>("Books").select("ID", "published", "modifiedAt").top(1).list();
    assert.equal(book?.published, "1809-02-11T00:00:00Z");
    assert.equal(book?.modifiedAt, "2024-02-11T10:01:00Z");
  });

  test("a missing key rejects with ODataHttpError 404 and the v2 error message", async () => {
    const error = await traced("2.0")
      .client.collection<Book>("Books")
      .key(999)
      .get()
      .then(
        () => assert.fail("expected a rejection"),
        (e: unknown) => e,
      );
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 404);
    assert.equal(error.odataError?.message, "Not Found");
  });
});

// --- OData v2 Atom from CAP's adapter ------------------------------------------------------------

describe("v2 Atom from CAP's adapter", () => {
  // The client asks for JSON; a pipeline step asks for Atom instead, as a service that only speaks
  // Atom would answer.
  const atom = () =>
    traced("2.0", {
      steps: [
        {
          name: "atom",
          handle(request, next) {
            request.headers.set("accept", "application/atom+xml");
            return next(request);
          },
        },
      ],
    });

  test("an Atom feed of Books reads as the same entities as the JSON one", async () => {
    const pick = (book: Book) => [book.ID, book.title, book.descr, book.stock, book.price, book.published, book.modifiedAt, book.author_ID];
    const { client, sent } = atom();
    const fromAtom = await client.collection<Book>("Books").orderBy("ID").list();
    const fromJson = await traced("2.0").client.collection<Book>("Books").orderBy("ID").list();
    assert.equal(fromAtom.length, 23);
    assert.deepEqual(fromAtom.map(pick), fromJson.map(pick));
    assert.deepEqual(pick(fromAtom[10] as Book), [11, "Žluťoučký kůň", "Příliš žluťoučký kůň úpěl ďábelské ódy — “quoted”, 日本語のテキスト, emoji 📚", 7, "5.41", "1899-03-11T00:00:00Z", "2024-03-11T10:11:00Z", "Žlučťoučký"]);
    assert.equal(sent.length, 1);
  });

  test("an Atom page gives m:count", async () => {
    const page = await atom().client.collection<Book>("Books").filter((f) => f.gt("stock", 30)).count().top(2).page();
    assert.equal(page.count, 9);
    assert.equal(page.value.length, 2);
  });

  test("an Atom entry reads with its key, and the ETag header becomes __metadata.etag", async () => {
    const book = await atom().client.collection<Book & { __metadata: Record<string, string> }>("Books").key(1).get();
    assert.equal(book.title, "Pride and Prejudice");
    assert.equal(book.price as unknown, "12.31");
    assert.equal(book.__metadata["etag"], 'W/"2024-02-11T10:01:00.000Z"');
    const pair = await atom().client.collection<Pair>("Pairs").key({ A: 2, B: "it's" }).get();
    assert.equal(pair.label, "two with apostrophe");
  });
});

// --- createAsync against a service that ignores respond-async --------------------------------------

describe("createAsync against CAP", () => {
  test("CAP answers at once: the poller is done, Succeeded, with the created entity, and poll() sends nothing", async () => {
    const { client, sent } = traced("4.0");
    const poller = await client.collection<Pair>("Pairs").createAsync<Pair>({ A: 7, B: "async", label: "made at once" });
    assert.equal(sent.length, 1);
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Succeeded");
    const created = poller.result();
    assert.deepEqual({ A: created.A, B: created.B, label: created.label }, { A: 7, B: "async", label: "made at once" });
    assert.equal(await poller.poll(), false);
    assert.deepEqual(await poller.wait(), created);
    assert.equal(sent.length, 1, "neither poll() nor wait() sent a request");
    // The entity exists at the service.
    const read = await client.collection<Pair>("Pairs").key({ A: 7, B: "async" }).get();
    assert.equal(read.label, "made at once");
  });
});
