// The type-level half of test/type-variance-builders.test.ts, which type-checks this file on its own
// with the project's compiler options (`tsc --noEmit` of `npm test` checks it too). A filter builder
// or nested expand options typed for one entity must not pass for those of another: each such use
// is marked `@ts-expect-error`, so a typing under which it compiles again (as it did when the
// compiler found that no type parameter of FilterBuilder or ExpandQuery mattered) fails here. The
// uses that must keep compiling are written out plainly; each function returns the queries among
// them, whose requests the test sends to a node:http server.
import type { ExpandQuery, FilterBuilder, FilterExpression, ODataClient } from "../src/index.js";
import type { Author, Book, Review } from "./servers/cap/types.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

/** A book type that extends `Book`: it has every path a `Book` has. */
interface SignedBook extends Book {
  signedBy: string | null;
}

type Loose = Record<string, unknown>;

/** Builders and nested options as values: which one stands for which. */
export function assignments(): void {
  const books = {} as FilterBuilder<Book>;
  const reviewsOfBooks = {} as FilterBuilder<Review, Book>;
  const looseRootBook = {} as FilterBuilder<Book, Loose, Loose>;
  const signed = {} as FilterBuilder<SignedBook>;
  const bookOptions = {} as ExpandQuery<Book>;
  const signedOptions = {} as ExpandQuery<SignedBook>;
  const titled = {} as ExpandQuery<Book, "title">;
  // @ts-expect-error a builder of books is none of authors
  const author: FilterBuilder<Author> = books;
  // @ts-expect-error the entity filtered differs, the outermost entity ($it) being the same
  const authorInLoose: FilterBuilder<Author, Loose, Loose> = looseRootBook;
  // @ts-expect-error the members are reviews in both, but $it/... of one are a book's and of the other an author's
  const reviewsOfAuthors: FilterBuilder<Review, Author> = reviewsOfBooks;
  // @ts-expect-error a builder of books may name no path that only a signed book has
  const signedFromBooks: FilterBuilder<SignedBook> = books;
  // @ts-expect-error nested options for books are none for authors
  const authorOptions: ExpandQuery<Author> = bookOptions;
  // @ts-expect-error nor are those of a book type for one that extends it
  const signedFromBook: ExpandQuery<SignedBook> = bookOptions;
  // @ts-expect-error a selection of title gives no rows with descr
  const titledAndDescribed: ExpandQuery<Book, "title" | "descr"> = titled;
  // @ts-expect-error nor every property (no selection: never)
  const everything: ExpandQuery<Book> = titled;
  void [author, authorInLoose, reviewsOfAuthors, signedFromBooks, authorOptions, signedFromBook, titledAndDescribed, everything];
  // A builder of a type that extends another names every path of that type, and so stands for it.
  const book: FilterBuilder<Book> = signed;
  const bookFromSigned: ExpandQuery<Book> = signedOptions;
  void [book, bookFromSigned];
}

/** Callbacks written as functions of their own, handed to a query of their entity or of another. */
export function callbacks(client: ODataClient) {
  const books = client.collection<Book>("Books");
  const authors = client.collection<Author>("Authors");
  const inStock = (f: FilterBuilder<Book>): FilterExpression => f.gt("stock", 0);
  const named = (f: FilterBuilder<Author>): FilterExpression => f.eq("name", "Jane Austen");
  const goodReview = (r: FilterBuilder<Review>): FilterExpression => r.ge("rating", 4);
  const scarce = (r: FilterBuilder<Review, Book>): FilterExpression => r.lt("$it/stock", 20);
  const authorAsReview = (r: FilterBuilder<Author>): FilterExpression => r.eq("name", "x");
  const authorUnderBook = (r: FilterBuilder<Author, Book>): FilterExpression => r.eq("name", "x");
  const authorNames = (q: ExpandQuery<Author>) => q.select("name");
  const bornAusten = (q: ExpandQuery<Author>) => q.filter((f) => f.eq("name", "Jane Austen")).orderBy("born");
  const bookTitles = (q: ExpandQuery<Book>) => q.select("title");
  const refused = (): void => {
    // @ts-expect-error a filter of authors for a query of books
    books.filter(named);
    // @ts-expect-error an ordering of authors likewise
    books.orderBy((f: FilterBuilder<Author>) => f.field("name"));
    // @ts-expect-error a predicate on authors for a lambda over reviews
    books.filter((f) => f.any("reviews", authorAsReview));
    // @ts-expect-error even where its $it/... is the book the query filters
    books.filter((f) => f.all("reviews", authorUnderBook));
    // @ts-expect-error nested options for books where an author is expanded
    books.expand("author", bookTitles);
    // @ts-expect-error and one level down
    authors.expand("books", (b) => b.expand("author", bookTitles));
  };
  void refused;
  return {
    own: books.filter(inStock),
    combined: books.filter((f) => f.and(inStock(f), f.eq("title", "Emma"))),
    lambdas: books.filter((f) => f.any("reviews", goodReview)).filter((f) => f.all("reviews", scarce)),
    inline: books.filter((f) => f.any("reviews", (r) => r.and(r.ge("rating", 4), r.lt("$it/stock", 20)))),
    // Nested options written for the related entity alone fit any query that expands it.
    expanded: books.expand("author", authorNames),
    expandedFiltered: books.expand("author", bornAusten),
    nested: authors.expand("books", (b) => b.expand("author", authorNames)),
  };
}

/** The row types that the callbacks above give, and the loose collection as any collection. */
export function rowsAndLoose(client: ODataClient) {
  const { expanded, nested } = callbacks(client);
  type ExpandedRow = Awaited<ReturnType<typeof expanded.list>>[number];
  expectType<Same<NonNullable<ExpandedRow["author"]>, { name: string | null }>>();
  type NestedRow = Awaited<ReturnType<typeof nested.list>>[number];
  expectType<Same<NonNullable<NonNullable<NestedRow["books"]>[number]["author"]>, { name: string | null }>>();
  // A collection of the loose type is one where any collection is asked for.
  const anyCollection = (query: ReturnType<ODataClient["collection"]>) => query;
  return { loose: anyCollection(client.collection("Books")).filter((f) => f.any("tags", (t) => t.eq(t.self, "new"))) };
}

/** `f.any` and `f.all` with their type arguments written out, as a caller may have before the overloads. */
export function explicitTypeArguments(client: ODataClient) {
  return {
    explicit: client.collection<Book>("Books").filter((f) => f.any<"reviews", Book>("reviews", (r) => r.lt("$it/stock", 20))),
  };
}
