// The type-level half of test/delta-changed-partial.test.ts, which type-checks this file on its own
// with the project's compiler options: every use the typing must refuse is marked
// `@ts-expect-error`, and `expectType` fails to compile where a type is not the one expected.
//
// A changed entity of a delta may carry only the properties that changed, with its id (OData 4.01
// JSON Format §15.2), and one with a context URL of its own is an entity of another entity set:
// `page.changed` is typed so that a property is read only after a check.
import type { ChangedEntity, DeltaPage, ODataClient } from "../src/index.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

export interface Book {
  ID: number;
  title: string;
  price: number;
}

type PageOf<I> = I extends AsyncIterable<infer P> ? P : never;
expectType<Same<PageOf<ReturnType<ODataClient["delta"]>>, DeltaPage<Record<string, unknown>>>>();
expectType<Same<DeltaPage<Book>["changed"], ChangedEntity<Book>[]>>();
expectType<Same<ChangedEntity<Book>["title"], string | undefined>>();
expectType<Same<ChangedEntity<Book>["@odata.id"], string | undefined>>();
expectType<Same<ChangedEntity<Book>["@context"], string | undefined>>();

/** What the typing refuses: properties read as if every one were sent. Never called. */
export function refused(page: DeltaPage<Book>): void {
  for (const book of page.changed) {
    // @ts-expect-error a changed book may come without its title (only the price changed)
    book.title.toUpperCase();
    // @ts-expect-error nor its key, when its id stands for it
    const id: number = book.ID;
    // @ts-expect-error a changed entity is not a whole Book
    const whole: Book = book;
    void id;
    void whole;
  }
}

/**
 * A sync job as the typing leads one to write it: changes merged into the books held, an entity of
 * another set (its own context URL) passed over, the id taken from `@id`/`@odata.id` when the key is
 * not sent. Gives the upper-cased titles it saw, for the test to check.
 */
export async function mergeChanges(client: ODataClient, link: string, held: Map<number, Book>): Promise<string[]> {
  const titles: string[] = [];
  for await (const page of client.delta<Book>(link)) {
    for (const book of page.changed) {
      if ((book["@context"] ?? book["@odata.context"]) !== undefined) continue;
      const id = book.ID ?? Number(/\((\d+)\)$/.exec(book["@id"] ?? book["@odata.id"] ?? "")?.[1]);
      const before = held.get(id);
      if (before === undefined) continue;
      const { "@odata.id": _id, "@id": _id401, "@odata.etag": _etag, "@etag": _etag401, "@odata.context": _context, "@context": _context401, ...changes } = book;
      held.set(id, { ...before, ...changes });
      if (book.title !== undefined) titles.push(book.title.toUpperCase());
    }
  }
  return titles;
}

/** A customer whose orders a delta of `Customers?$expand=Orders` may give as a nested delta. */
export interface Customer {
  CustomerID: string;
  ContactName: string;
}

// A 4.01 nested delta (`Orders@delta`, JSON Format 4.01 §15.2) is kept on the changed entity as
// sent, and typed so: an array of entries, or absent.
expectType<Same<ChangedEntity<Customer>["Orders@delta"], Record<string, unknown>[] | undefined>>();
expectType<Same<ChangedEntity<Customer>["Orders@odata.delta"], Record<string, unknown>[] | undefined>>();

/** The nested delta entries of each changed customer, as the typing lets one read them. */
export function nestedOrders(page: DeltaPage<Customer>): Record<string, unknown>[][] {
  // @ts-expect-error a nested delta is an array of entries, not one entity
  const one: Record<string, unknown> | undefined = page.changed[0]?.["Orders@delta"];
  void one;
  return page.changed.map((customer) => customer["Orders@delta"] ?? []);
}
