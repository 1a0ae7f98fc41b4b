// The type-level half of test/s33-write-input-types.test.ts, which type-checks this file on its
// own with the project's compiler options (`tsc --noEmit` of `npm test` checks it too) and runs
// the writes below against node:http servers: every use the typing must refuse is marked
// `@ts-expect-error`, so a change that lets one compile fails.
//
// A write body converts a `Date`, a `Uint8Array`, a `bigint` and an `edm.*` value to the JSON
// value of its EDM type, but the input types took a property's read type alone: a v2 DateTime,
// read as ISO text (`At: string | null`), compiled only as text, which goes as written where
// strict services want `/Date(ms)/`; an Int64 read as `number` took no exact value beyond 2^53;
// binary data read as base64 text took no bytes.
import { edm, type Entity, type ODataClient } from "../src/index.js";

/** An order as `generate` types a v2 entity: DateTime, Int64 and Binary are text. */
export interface Order extends Entity<{ key: "ID" }> {
  ID: string;
  At: string | null;
  Qty: string | null;
  Amount: number | string | null;
  Blob: string | null;
  Count: number;
}

/** An enumeration, as `generate` writes one. */
export type Color = "Red" | "Green";

/** A complex type. */
export interface Address {
  Street: string;
  ValidFrom: string | null;
}

/** A book as `generate` types a v4 entity without `ieee754Compatible`: Int64 is a number. */
export interface Book extends Entity<{ key: "ID" }> {
  ID: number;
  Big: number;
  Photo: string | null;
  Color: Color | null;
  Active: boolean;
  Stamps: string[];
  Home: Address | null;
}

/** The same instant in each form a v2 DateTime takes. */
export const INSTANT = new Date(Date.UTC(2024, 0, 2, 10, 0, 0));
/** Past 2^53: a `number` cannot hold it. */
export const BIG = "9007199254740993";
/** 2^53: a `number` holds it exactly, but no integer of a `number` past it holds its neighbours. */
export const EXACT = "9007199254740992";

/** v2 writes whose values are not the read types: create, update (MERGE), replace, upsert. */
export async function v2Writes(client: ODataClient): Promise<void> {
  const orders = client.collection<Order>("Orders");
  await orders.create({ ID: "o1", At: INSTANT, Qty: edm.int64(BIG), Blob: new Uint8Array([1, 2, 255]), Count: 5n });
  await orders.key("o1").update({ At: edm.dateTime("2024-01-02T10:00:00"), Amount: edm.decimal("1.10") });
  await orders.key("o1").replace({ ID: "o1", At: null, Qty: null, Amount: 2n, Blob: null, Count: edm.int32(7) });
  await orders.key("o1").upsert({ At: INSTANT, Blob: edm.binary(new Uint8Array([0xfb, 0xff])) });
}

/** v4 writes whose values are not the read types, nested ones too. */
export async function v4Writes(client: ODataClient): Promise<void> {
  const books = client.collection<Book>("Books");
  await books.create({
    ID: 1,
    Big: BigInt(BIG),
    Photo: new Uint8Array([0xfb, 0xff]),
    Color: edm.enumMember("NS.Color", "Green"),
    Active: edm.boolean(true),
    Stamps: [INSTANT, "2024-01-03T00:00:00Z"],
    Home: { Street: "Main", ValidFrom: edm.date("2024-01-02") },
  });
  await books.key(1).update({ Big: edm.int64(EXACT), Color: "Red", Photo: null });
  await books.key(1).update({ Big: 2n ** 53n });
}

/** Checked by the compiler, never run: the other methods that take an entity input. */
export function otherInputs(client: ODataClient): void {
  const books = client.collection<Book>("Books");
  const batch = client.batch();
  batch.create(books, { ID: 2, Big: 2n, Photo: new Uint8Array([1]) });
  batch.update(books.key(2), { Big: edm.int64(BIG) });
  void books.createAsync({ ID: 3, Big: 3n });
  void books.key(3).updateAsync({ Photo: new Uint8Array([3]) });
  // An entity read earlier, whole, is still an input of its type.
  const read = (book: Book): void => void books.key(book.ID).replace(book);
  void read;
}

/** What must not compile: the conversions take their own property types only, and null stays where the type has none. */
export function refused(client: ODataClient): void {
  const orders = client.collection<Order>("Orders");
  const books = client.collection<Book>("Books");
  // @ts-expect-error a number property takes no Date (its body would hold a date for a number)
  void books.create({ ID: 1, Big: new Date() });
  // @ts-expect-error a number property takes no bytes
  void books.create({ ID: 1, Big: new Uint8Array([1]) });
  // @ts-expect-error a string property takes no bigint (it would go as a JSON number in v4)
  void orders.create({ ID: "o1", Blob: 1n });
  // @ts-expect-error an enumeration takes its members only
  void books.create({ ID: 1, Color: "Blue" });
  // @ts-expect-error an enumeration takes no Date
  void books.create({ ID: 1, Color: new Date() });
  // @ts-expect-error an enumeration takes edm.enumMember(), no other edm.* value
  void books.create({ ID: 1, Color: edm.string("Red") });
  // @ts-expect-error a boolean property takes no number
  void books.create({ ID: 1, Active: 1 });
  // @ts-expect-error null where the property is not nullable
  void books.create({ ID: 1, Big: null });
  // @ts-expect-error null where the property is not nullable, on a string with conversions
  void books.key(1).update({ Stamps: [null] });
  // @ts-expect-error a complex property's members keep their types
  void books.create({ ID: 1, Home: { Street: 5n, ValidFrom: null } });
  // @ts-expect-error a property the type does not have
  void orders.create({ ID: "o1", When: new Date() });
}
