// The type-level half of test/type-filter-hunt.test.ts, which type-checks this file on its own with
// the project's compiler options. A comparison of a collection-valued property (a navigation
// property such as `reviews`, or a collection of primitives) is no OData, nor is `has` with a value
// that is no enumeration member (it threw at run time): each such use is marked
// `@ts-expect-error`, so a typing under which it compiles again fails here. The comparisons that
// must keep compiling are written out plainly and returned as queries, whose requests the test
// sends to a node:http server.
import { edm, type Entity, type ODataClient } from "../src/index.js";
import type { Book } from "./servers/cap/types.js";

/** An entity with a collection of primitives and an enumeration-flags property. */
interface Tagged extends Entity<{ key: "ID"; navigation: never }> {
  ID: number;
  tags: string[];
  access: string | null;
}

/** The comparisons of collections that must not compile; never called. */
export function refused(client: ODataClient): void {
  const books = client.collection<Book>("Books");
  const tagged = client.collection<Tagged>("Tagged");
  // @ts-expect-error a collection-valued navigation property is no single value to compare with null
  books.filter((f) => f.eq("reviews", null));
  // @ts-expect-error nor with anything else (ne)
  books.filter((f) => f.ne("reviews", null));
  // @ts-expect-error nor with an expression
  books.filter((f) => f.eq("reviews", f.field("stock")));
  // @ts-expect-error the in operator compares as eq does
  books.filter((f) => f.in("reviews", [null]));
  // @ts-expect-error a collection below a single-valued navigation property
  books.filter((f) => f.eq("author/books", null));
  // @ts-expect-error a collection of primitives
  tagged.filter((f) => f.eq("tags", null));
  // @ts-expect-error has takes an enumeration member (edm.enumMember), not another typed value
  tagged.filter((f) => f.has("access", edm.int32(1)));
}

/** The comparisons that still compile, as queries. */
export function accepted(client: ODataClient) {
  const books = client.collection<Book>("Books");
  const tagged = client.collection<Tagged>("Tagged");
  return {
    singleNavigationNull: books.filter((f) => f.eq("author", null)),
    singleNavigationProperty: books.filter((f) => f.eq("author/name", "Jane Austen")),
    primitive: books.filter((f) => f.eq("stock", 5)),
    nullablePrimitiveNull: books.filter((f) => f.ne("stock", null)),
    collectionCount: books.filter((f) => f.gt("reviews/$count", 2)),
    flags: tagged.filter((f) => f.has("access", edm.enumMember("Sales.Access", ["Read", "Write"]))),
  };
}
