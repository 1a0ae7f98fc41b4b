/**
 * The builder `f.any`/`f.all` hands its predicate serves that predicate alone. Kept in a variable
 * and used after the predicate returned, it wrote `b/...` where no lambda declares `b` (a service
 * refuses the filter), or where an enclosing lambda's `b` names another collection's member (the
 * filter asks for something else). Such a use throws a `TypeError` naming the variable before
 * anything is sent; the builders of lambdas still running, nested ones among them, work as before.
 * Against a node:http service that records every request, and SAP CAP.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type FilterBuilder, type FilterExpression } from "../src/index.js";
import { answerJson, serveClient, type RecordingServer } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Author, Book, Review } from "./servers/cap/types.js";

function paths(server: RecordingServer): string[] {
  return server.requests.map((request) => decodeURIComponent(request.path));
}

/** A `TypeError` saying that `variable` of the lambda opened by `lambda` is used after its predicate returned, by `where`. */
function ended(where: string, variable: string, lambda: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TypeError, `expected a TypeError; got ${String(error)}`);
    assert.equal(error.message, `${where}: ${variable} is the variable of the lambda ${lambda}...), whose predicate has returned`);
    return true;
  };
}

describe("a lambda's builder used after its predicate returned (node:http)", () => {
  test("kept in an outer variable and used in a later filter: a TypeError naming b, nothing sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: "austen" }] }, { "odata-version": "4.0" }));
    const authors = client.collection<Author>("Authors");
    let kept: FilterBuilder<Book, Author> | undefined;
    const rows = await authors
      .filter((f) =>
        f.any("books", (b) => {
          kept = b;
          return b.gt("stock", 0);
        }),
      )
      .list();
    assert.deepEqual(rows, [{ ID: "austen" }]);
    const book = kept as FilterBuilder<Book, Author>;
    assert.throws(() => authors.filter(() => book.eq("ID", 1)), ended("f.eq(field)", "b", "books/any(b:"));
    assert.throws(() => authors.filter((f) => f.or(f.eq("name", "Austen"), book.contains("title", "Pride"))), ended("f.contains(field)", "b", "books/any(b:"));
    // Widened: as a field of Author's orderBy, Book's price is no path the compiler would let through.
    assert.throws(() => authors.orderBy((): FilterExpression => book.field("price")), ended("f.field(path)", "b", "books/any(b:"));
    // Its own lambdas too: their collection is a path below `b`.
    assert.throws(() => authors.filter(() => book.any("reviews")), ended("f.any(path)", "b", "books/any(b:"));
    assert.deepEqual(paths(server), ["/odata/Authors?$filter=books/any(b:b/stock gt 0)"], "only the first filter is sent");
  });

  test("used in the outer predicate after its lambda returned: refused where it wrote r/ID outside r's lambda", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }, { "odata-version": "4.0" }));
    const authors = client.collection<Author>("Authors");
    assert.throws(
      () =>
        authors.filter((f) =>
          f.any("books", (b) => {
            let review: FilterBuilder<Review, Author> | undefined;
            const rated = b.any("reviews", (r) => {
              review = r;
              return r.ge("rating", 4);
            });
            return b.and(rated, (review as FilterBuilder<Review, Author>).eq("ID", 13));
          }),
        ),
      ended("f.eq(field)", "r", "b/reviews/any(r:"),
    );
    assert.deepEqual(paths(server), [], "nothing is sent");
  });

  test("used inside a later lambda of the same variable name, where b/ID would name a review: refused", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }, { "odata-version": "4.0" }));
    const authors = client.collection<Author>("Authors");
    assert.throws(
      () =>
        authors.filter((f) => {
          let book: FilterBuilder<Book, Author> | undefined;
          const stocked = f.all("books", (b) => {
            book = b;
            return b.gt("stock", 0);
          });
          // `books/all(b:b/stock gt 0) and books/any(x:x/reviews/any(b:b/ID eq 13))`: the kept book
          // builder's `b/ID` would be the review's ID.
          return f.and(stocked, f.any("books", (x) => x.any("reviews", () => (book as FilterBuilder<Book, Author>).eq("ID", 13), { as: "b" }), { as: "x" }));
        }),
      ended("f.eq(field)", "b", "books/all(b:"),
    );
    assert.deepEqual(paths(server), [], "nothing is sent");
  });

  test("self of a kept builder over a collection of primitives: a TypeError naming t, nothing sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }, { "odata-version": "4.0" }));
    let tag: FilterBuilder | undefined;
    await client
      .collection("Products")
      .filter((f) =>
        f.any("Tags", (x) => {
          tag = x as unknown as FilterBuilder;
          return x.eq(x.self, "new");
        }),
      )
      .list();
    assert.throws(() => client.collection("Products").filter((f) => f.eq((tag as FilterBuilder).self, "old")), ended("f.self", "t", "Tags/any(t:"));
    assert.deepEqual(paths(server), ["/odata/Products?$filter=Tags/any(t:t eq 'new')"]);
  });

  test("nested lambdas, builders used after an inner lambda returned inside their own, and a predicate used twice: sent as written", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: "austen" }] }, { "odata-version": "4.0" }));
    const authors = client.collection<Author>("Authors");
    const wellRated = (r: FilterBuilder<Review, Author>) => r.ge("rating", 4);
    const rows = await authors
      .filter((f) =>
        f.and(
          f.any("books", (b) => b.and(b.any("reviews", wellRated), b.gt("stock", 0), b.all("reviews", (r) => b.and(r.ne("rating", null), b.lt("price", 20))))),
          f.any("books", (b) => b.any("reviews", wellRated)),
          f.eq("name", "Jane Austen"),
        ),
      )
      .list();
    assert.deepEqual(rows, [{ ID: "austen" }]);
    assert.deepEqual(paths(server), [
      "/odata/Authors?$filter=books/any(b:b/reviews/any(r:r/rating ge 4) and b/stock gt 0 and b/reviews/all(r:r/rating ne null and b/price lt 20)) and books/any(b:b/reviews/any(r:r/rating ge 4)) and name eq 'Jane Austen'",
    ]);
  });
});

describe("a lambda's builder used after its predicate returned (SAP CAP)", () => {
  const cap = useCap();

  async function ids(query: { url(): string }): Promise<string[]> {
    const response = await fetch(query.url(), { headers: { accept: "application/json" } });
    assert.equal(response.status, 200);
    return ((await response.json()) as { value: { ID: string }[] }).value.map((row) => row.ID).sort();
  }

  test("CAP answers the nested lambdas; a kept builder is refused before a URL is made", async () => {
    const authors = new ODataClient({ serviceUrl: cap.v4 }).collection<Author>("Authors");
    let kept: FilterBuilder<Book, Author> | undefined;
    const nested = authors
      .filter((f) =>
        f.any("books", (b) => {
          kept = b;
          return b.and(b.any("reviews", (r) => r.ge("rating", 1)), b.gt("stock", -1));
        }),
      )
      .select("ID");
    const withReviews = authors.filter((f) => f.any("books", (b) => b.any("reviews"))).select("ID");
    assert.notDeepEqual(await ids(nested), []);
    assert.deepEqual(await ids(nested), await ids(withReviews));
    assert.throws(() => authors.filter(() => (kept as FilterBuilder<Book, Author>).eq("ID", 1)), ended("f.eq(field)", "b", "books/any(b:"));
  });
});
