import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, edm, type CollectionQuery } from "../src/index.js";
import { queryInternals } from "../src/resources/read-query.js";
import { countUrl } from "../src/query/url.js";
import { useCap } from "./servers/use-cap.js";
import type { Author, Book } from "./servers/cap/types.js";

// The query layer's wire forms, checked against a real OData server (SAP CAP, v4 and its v2
// adapter) with the seed data of test/servers/cap.

const cap = useCap();

function client(version: "2.0" | "4.0"): ODataClient {
  return new ODataClient({ serviceUrl: version === "2.0" ? cap.v2 : cap.v4, version });
}

function books(version: "2.0" | "4.0"): CollectionQuery<Book> {
  return client(version).collection<Book>("Books");
}

async function getJson(url: string): Promise<any> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const body = await response.text();
  assert.equal(response.status, 200, `${decodeURIComponent(url)} answered ${response.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/** The entities of a collection answer in either version. */
async function rows(url: string): Promise<any[]> {
  const body = await getJson(url);
  return body.value ?? body.d.results;
}

async function ids(query: { url(): string }): Promise<unknown[]> {
  return (await rows(query.url())).map((row) => row.ID);
}

for (const version of ["4.0", "2.0"] as const) {
  describe(`CAP OData ${version}`, () => {
    test("a string literal with an apostrophe matches", async () => {
      assert.deepEqual(await ids(books(version).filter((f) => f.eq("author_ID", "O'Brien")).orderBy("ID").select("ID")), [7, 8, 9, 10]);
    });

    test("contains finds text with double quotes", async () => {
      assert.deepEqual(await ids(books(version).filter((f) => f.contains("descr", '"quotes"')).select("ID")), [8]);
    });

    test("startsWith matches unicode text with an ampersand", async () => {
      assert.deepEqual(await ids(books(version).filter((f) => f.startsWith("title", "Über Ärger & Öl")).select("ID")), [12]);
    });

    test("endsWith matches", async () => {
      assert.deepEqual(await ids(books(version).filter((f) => f.endsWith("title", "Wood")).select("ID")), [20]);
    });

    test("not contains excludes the matching entities", async () => {
      const q = books(version).filter((f) => f.and(f.not(f.contains("title", "a")), f.lt("ID", 12))).orderBy("ID").select("ID");
      // Titles 1..11 without a lower-case "a" (CAP compares case-sensitively).
      assert.deepEqual(await ids(q), [7, 10, 11]);
    });

    test("in matches any of the listed values", async () => {
      assert.deepEqual(await ids(books(version).filter((f) => f.in("ID", [3, 1, 2])).orderBy("ID").select("ID")), [1, 2, 3]);
    });

    test("not and or combine as built", async () => {
      assert.deepEqual(await ids(books(version).filter((f) => f.not(f.or(f.gt("ID", 2), f.eq("ID", 1)))).select("ID")), [2]);
    });

    test("a navigation path filters on the related entity", async () => {
      const q = books(version).filter((f) => f.eq("author/name", "Flann O'Brien")).orderBy("ID").select("ID");
      assert.deepEqual(await ids(q), [7, 8, 9, 10]);
    });

    test("an Edm.Date literal compares with a Date property", async () => {
      assert.deepEqual(await ids(books(version).filter((f) => f.lt("published", edm.date("1820-01-01"))).orderBy("ID").select("ID")), [1, 2]);
    });

    test("a JavaScript Date compares with a DateTimeOffset property", async () => {
      const q = books(version).filter((f) => f.lt("createdAt", new Date("2024-02-01T00:00:00Z"))).orderBy("ID").select("ID");
      assert.deepEqual(await ids(q), [9, 18]);
    });

    test("a decimal literal and a plain non-integer number compare with a Decimal property", async () => {
      const decimal = books(version).filter((f) => f.gt("price", edm.decimal("41.00"))).orderBy("ID").select("ID");
      const double = books(version).filter((f) => f.gt("price", 41.5)).orderBy("ID").select("ID");
      assert.deepEqual(await ids(decimal), [5, 16]);
      assert.deepEqual(await ids(double), [5, 16]);
    });

    test("string and date functions work in filters", async () => {
      const q = books(version).filter((f) => f.and(f.eq(f.tolower("title"), "emma"), f.eq(f.year("published"), 1818), f.eq(f.indexof("title", "ma"), 2)));
      assert.deepEqual(await ids(q.select("ID")), [2]);
    });

    test("orderBy desc and top give the most expensive books", async () => {
      assert.deepEqual(await ids(books(version).orderBy("price", "desc").top(2).select("ID")), [16, 5]);
    });

    test("skip leaves out the first entities", async () => {
      assert.deepEqual(await ids(books(version).orderBy("ID").skip(21).select("ID")), [22, 23]);
    });

    test("count() returns the total with the page", async () => {
      const body = await getJson(books(version).count().top(1).select("ID").url());
      if (version === "2.0") assert.equal(body.d.__count, "23");
      else assert.equal(body["@odata.count"], 23);
    });

    test("a string key with an apostrophe addresses the entity", async () => {
      const body = await getJson(client(version).collection<Author>("Authors").key("O'Brien").url());
      assert.equal((body.d ?? body).name, "Flann O'Brien");
    });

    test("a non-Latin string key addresses the entity", async () => {
      const body = await getJson(client(version).collection<Author>("Authors").key("Žlučťoučký").url());
      assert.equal((body.d ?? body).name, "Ŝeĥ Žlučťoučký 日本");
    });

    test("a compound key addresses the entity", async () => {
      const body = await getJson(client(version).collection("Pairs").key({ A: 1, B: "x" }).url());
      assert.equal((body.d ?? body).label, "one x");
    });

    test("an expand with a nested select returns the selected related properties", async () => {
      const [row] = await rows(books(version).filter((f) => f.eq("ID", 7)).select("title").expand("author", (a) => a.select("name")).url());
      assert.equal(row.title, "At Swim-Two-Birds");
      assert.equal(row.author.name, "Flann O'Brien");
      assert.equal(row.stock, undefined);
    });

    test("an expand two levels deep returns the nested collection", async () => {
      const q = client(version)
        .collection<Author>("Authors")
        .filter((f) => f.eq("ID", "austen"))
        .expand("books", (b) => b.select("title").expand("reviews"));
      const [author] = await rows(q.url());
      const bookList = author.books.results ?? author.books;
      assert.equal(bookList.length, 6);
      const reviews = bookList[0].reviews.results ?? bookList[0].reviews;
      assert.ok(reviews.length > 0);
    });

    test("the $count URL counts the filtered entities", async () => {
      const { core, state } = queryInternals(books(version).filter((f) => f.gt("stock", 40)).orderBy("ID").top(1));
      const response = await fetch(countUrl(core.options.serviceUrl, core.options.version, state));
      assert.equal(await response.text(), "4");
    });
  });
}

describe("CAP OData 4.0 only", () => {
  test("any and all filter on a related collection", async () => {
    const authors = client("4.0").collection<Author>("Authors");
    const withBigStock = await ids(authors.filter((f) => f.any("books", (b) => b.gt("stock", 45))).select("ID"));
    assert.deepEqual(withBigStock.sort(), ["O'Brien", "austen"]);
    assert.deepEqual(await ids(authors.filter((f) => f.all("books", (b) => b.gt("stock", 10))).select("ID")), ["austen"]);
  });

  test("nested expand options filter, order, page and count the related collection", async () => {
    const q = client("4.0")
      .collection<Author>("Authors")
      .filter((f) => f.eq("ID", "austen"))
      .expand("books", (b) => b.select("title").filter((f) => f.gt("stock", 30)).orderBy("stock", "desc").top(2).count());
    const [author] = await rows(q.url());
    assert.deepEqual(
      author.books.map((book: Book) => book.title),
      ["Sense and Sensibility", "Pride and Prejudice"],
    );
    assert.equal(author["books@odata.count"], 3);
  });

  test("search, compute and apply reach the service", async () => {
    assert.deepEqual(await ids(books("4.0").search("Emma").select("ID")), [2]);
    const [computed] = await rows(books("4.0").compute("stock mul 2 as twice").filter((f) => f.eq("ID", 1)).url());
    assert.equal(computed.twice, 74);
    const [total] = await rows(books("4.0").apply("aggregate(stock with sum as total)").url());
    assert.equal(total.total, 562);
  });

  test("now() compares with a DateTimeOffset property", async () => {
    assert.equal((await ids(books("4.0").filter((f) => f.lt("createdAt", f.now())).select("ID"))).length, 23);
  });
});
