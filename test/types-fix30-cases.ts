// The type-level half of test/types-fix30-select-expand.test.ts, which type-checks this file on its
// own with the project's compiler options: every use the typing must refuse is marked
// `@ts-expect-error`, and `expectType` fails to compile where a row type is not the one expected.
//
// Two row shapes: a select path into an OPEN complex type (whose interface has an index signature
// for its dynamic properties, as `generate` writes it) narrows the complex value as it does a
// closed one, since the service sends the selected properties alone; and an expanded navigation
// property of an untyped query may be one entity, an array of them or null, as nothing tells which.
import type { Entity, ODataClient } from "../src/index.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

/** The row type a query's `list()` gives. */
type RowOf<Q extends { list(): Promise<unknown[]> }> = Awaited<ReturnType<Q["list"]>>[number];

/** An open complex type inside another one. */
export interface Geo {
  lat: number;
  lon: number;
  /** A dynamic property: the type is open. */
  [property: string]: unknown;
}

/** An open complex type, as `generate` writes one (OpenType="true"). */
export interface Address {
  City: string;
  Street: string | null;
  Geo: Geo | null;
  /** A dynamic property: the type is open. */
  [property: string]: unknown;
}

/** The same properties, closed: the control. */
export interface ClosedAddress {
  City: string;
  Street: string | null;
}

/** A closed entity type holding open complex values: single, nullable, a collection, and a record that declares nothing. */
export interface Supplier extends Entity<{ key: "ID"; navigation: "parent" }> {
  ID: string;
  Address: Address;
  Billing: Address | null;
  Sites: Address[];
  Closed: ClosedAddress;
  Bag: Record<string, unknown>;
  parent?: Supplier | null;
}

/** An open entity type holding an open complex value. */
export interface Partner extends Entity<{ key: "ID"; navigation: never }> {
  ID: number;
  Name: string;
  Address: Address | null;
  /** A dynamic property: the type is open. */
  [property: string]: unknown;
}

/** Select paths into open complex types keep of them what the paths name. */
export function openComplexSelect(client: ODataClient) {
  const suppliers = client.collection<Supplier>("Suppliers");
  const refused = (): void => {
    // @ts-expect-error a declared primitive property has no paths below it, open type or not
    suppliers.select("Address/City/Name");
    // @ts-expect-error the closed type has no property of that name
    suppliers.select("Closed/Mood");
  };
  void refused;
  const city = suppliers.select("ID", "Address/City", "Closed/City");
  expectType<Same<RowOf<typeof city>, { ID: string; Address: { City: string }; Closed: { City: string } }>>();
  const read = (row: RowOf<typeof city>): unknown => {
    // @ts-expect-error Street was not selected, and the service does not send it
    const street: string | null = row.Address.Street;
    // @ts-expect-error nor an undeclared (dynamic) property nobody selected
    const mood: unknown = row.Address.Mood;
    // @ts-expect-error as for the closed type
    const closed: string | null = row.Closed.Street;
    return [street, mood, closed];
  };
  void read;
  // A dynamic property of the open complex type may be selected too (any name is one): `unknown`.
  const dynamic = suppliers.select("ID", "Address/City", "Address/Mood");
  expectType<Same<RowOf<typeof dynamic>, { ID: string; Address: { City: string; Mood: unknown } }>>();
  const onlyDynamic = suppliers.select("Address/Mood");
  expectType<Same<RowOf<typeof onlyDynamic>, { Address: { Mood: unknown }; ID?: string }>>();
  // Nullable, collection-valued, nested open and named whole.
  const billing = suppliers.select("Billing/Street");
  expectType<Same<RowOf<typeof billing>["Billing"], { Street: string | null } | null>>();
  const sites = suppliers.select("Sites/City");
  expectType<Same<RowOf<typeof sites>["Sites"], { City: string }[]>>();
  const geo = suppliers.select("Address/Geo/lat", "Address/City");
  expectType<Same<RowOf<typeof geo>["Address"], { City: string; Geo: { lat: number } | null }>>();
  const whole = suppliers.select("Address", "Address/City");
  expectType<Same<RowOf<typeof whole>["Address"], Address>>();
  // A record that declares nothing has nothing to be narrowed to.
  const bag = suppliers.select("Bag/x");
  expectType<Same<RowOf<typeof bag>["Bag"], Record<string, unknown>>>();
  // Below an open entity type, and in an expand's nested select.
  const partner = client.collection<Partner>("Partners").select("Name", "Address/City", "Nick");
  expectType<Same<RowOf<typeof partner>, { Name: string; Address: { City: string } | null; Nick: unknown; ID?: number }>>();
  const parent = suppliers.select("ID").expand("parent", (p) => p.select("Address/City"));
  expectType<Same<RowOf<typeof parent>["parent"], { Address: { City: string }; ID?: string } | null>>();
  return { city, dynamic, billing, geo, partner, parent };
}

/** An untyped query's expanded navigation property: one entity, an array of them, or null. */
export function untypedExpand(client: ODataClient) {
  const authors = client.collection("Authors");
  const books = authors.expand("books");
  expectType<Same<RowOf<typeof books>["books"], Record<string, unknown> | Record<string, unknown>[] | null>>();
  const nested = authors.expand("books", (b) => b.select("title")).expand("home/country");
  expectType<Same<RowOf<typeof nested>["books"], { title: unknown } | { title: unknown }[] | null>>();
  expectType<Same<RowOf<typeof nested>["home"], Record<string, unknown> | Record<string, unknown>[] | null>>();
  const refused = (row: RowOf<typeof books>): void => {
    // @ts-expect-error the service may send one entity: not known to be an array
    for (const book of row.books ?? []) void book;
    // @ts-expect-error nor known to be one entity
    void row.books?.title;
  };
  void refused;
  // Both uses compile after Array.isArray().
  const titles = (row: RowOf<typeof books>): unknown[] => {
    const value = row.books;
    if (Array.isArray(value)) return value.map((book) => book.title);
    return value === null ? [] : [value.title];
  };
  void titles;
  // A typed query is as before: an array for a collection, one entity or null for a single one.
  const typed = client.collection<Supplier>("Suppliers").expand("parent");
  expectType<Same<RowOf<typeof typed>["parent"], Supplier | null>>();
  return { books, nested };
}
