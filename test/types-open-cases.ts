// The type-level half of test/types-open.test.ts, which type-checks this file on its own with the
// project's compiler options: every use the typing must refuse is marked `@ts-expect-error`, and
// `expectType` fails to compile where a row type is not the one expected.
//
// An open type (OpenType="true") may hold properties its metadata does not declare; the generator
// gives its interface an index signature `[property: string]: unknown` for them (as the interfaces
// below, written as it writes them). Any name it does not declare is then a dynamic property, typed
// `unknown`; the names it declares keep their types in paths, filter values and rows.
import { edm, type EdmValue, type Entity, type ODataClient } from "../src/index.js";

/** `true` when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for `true`. */
function expectType<_T extends true>(): void {}

/** The row type a query's `list()` gives. */
type RowOf<Q extends { list(): Promise<unknown[]> }> = Awaited<ReturnType<Q["list"]>>[number];

/** An open complex type. */
export interface Extra {
  A: number | null;
  /** A dynamic property: the type is open, so the service may send properties its metadata does not declare. */
  [property: string]: unknown;
}

/** A closed complex type, held by the open entity type. */
export interface Label {
  text: string;
  lang: string;
}

/** An open entity type; `Born` is an Edm.Date, whose literal is `edm.date(…)`. */
export interface Person extends Entity<{ key: "ID"; navigation: "friends" | "best"; literals: { Born: EdmValue } }> {
  ID: number;
  Name: string;
  Born: string | null;
  Extra: Extra | null;
  label: Label | null;
  friends?: Person[];
  best?: Person | null;
  /** A dynamic property: the type is open, so the service may send properties its metadata does not declare. */
  [property: string]: unknown;
}

/** Rows of an open type: declared properties typed, dynamic ones `unknown`. */
export function openRows(client: ODataClient) {
  const people = client.collection<Person>("People");
  const all = people.select("*");
  expectType<Same<RowOf<typeof all>["Name"], string>>();
  expectType<Same<RowOf<typeof all>["Extra"], Extra | null>>();
  expectType<Same<RowOf<typeof all>["Mood"], unknown>>();
  const expanded = people.expand("friends");
  expectType<Same<RowOf<typeof expanded>["Name"], string>>();
  expectType<Same<RowOf<typeof expanded>["ID"], number>>();
  expectType<Same<RowOf<typeof expanded>["friends"], Person[]>>();
  const best = people.select("*").expand("best", (b) => b.select("Name", "Mood"));
  expectType<Same<RowOf<typeof best>["best"], { Name: string; Mood: unknown; ID?: number } | null>>();
  expectType<Same<RowOf<typeof best>["Born"], string | null>>();
  const dynamic = people.select("ID", "Nickname");
  expectType<Same<RowOf<typeof dynamic>, { ID: number; Nickname: unknown }>>();
  const withPath = people.select("Name", "label/text", "Mood");
  expectType<Same<RowOf<typeof withPath>, { Name: string; label: { text: string } | null; Mood: unknown; ID?: number }>>();
  const one = people.key(1).expand("friends");
  expectType<Same<Awaited<ReturnType<typeof one.get>>["Name"], string>>();
  const read = (row: RowOf<typeof expanded>, picked: RowOf<typeof dynamic>): unknown => {
    // @ts-expect-error Name is a string
    const n: number = row.Name;
    // @ts-expect-error Name was not selected
    void picked.Name;
    return n;
  };
  void read;
  return { all, expanded, best, dynamic, withPath };
}

/** Filters of an open type: declared properties take values of their types, dynamic ones any value. */
export function openFilters(client: ODataClient) {
  const people = client.collection<Person>("People");
  const refused = (): void => {
    // @ts-expect-error Name is a string
    people.filter((f) => f.eq("Name", 5));
    // @ts-expect-error ID is a number
    people.filter((f) => f.in("ID", ["1"]));
    // @ts-expect-error Born is an Edm.Date: its literal is edm.date(), as the shape's literals say
    people.filter((f) => f.eq("Born", "2024-01-02"));
    // @ts-expect-error a string function on a number
    people.filter((f) => f.contains("ID", "1"));
    // @ts-expect-error a closed complex type below an open entity type has no dynamic properties
    people.filter((f) => f.eq("label/txt", "x"));
    // @ts-expect-error its declared ones keep their types
    people.filter((f) => f.eq("label/text", 5));
    // @ts-expect-error an open complex type's declared property too
    people.filter((f) => f.eq("Extra/A", "x"));
    // @ts-expect-error friends is a collection: friends/Name is no one value
    people.filter((f) => f.eq("friends/Name", "x"));
    // @ts-expect-error a lambda variable is a Person, whose Name is a string
    people.filter((f) => f.any("friends", (p) => p.eq("Name", 5)));
    // @ts-expect-error the same path rule in an ordering
    people.orderBy("friends/Name");
    // @ts-expect-error a select path does not go through a navigation property
    people.select("best/Name");
    // @ts-expect-error nor into a closed complex type's undeclared name
    people.select("label/txt");
    // @ts-expect-error expand() takes the navigation properties the shape names
    people.expand("frends");
    // @ts-expect-error and a dynamic property is none
    people.navigate("Nickname");
    // @ts-expect-error the key is a number
    people.key("x");
  };
  void refused;
  return {
    mixed: people.filter((f) => f.and(f.eq("Name", "Ann"), f.eq("Nickname", 5), f.gt("Extra/Weight", 2))),
    dates: people.filter((f) => f.eq("Born", edm.date("2024-01-02"))),
    lambda: people.filter((f) => f.any("friends", (p) => p.and(p.eq("Name", "Bo"), p.eq("Mood", true)))),
    ordered: people.orderBy("Nickname").orderBy("Name", "desc"),
  };
}

/** A loose type takes any name, path and value, as before; a select with a path keeps the names it selects (the rows had none of them). */
export function looseRows(client: ODataClient) {
  const things = client.collection("Things").select("a", "b/c").filter((f) => f.eq("x/y/z", 1)).expand("n");
  const row = (r: RowOf<typeof things>): unknown => [r.a, r.b, r.n];
  void row;
  return things;
}
