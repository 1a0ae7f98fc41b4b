/**
 * Actions and functions against the real OData server (SAP CAP, test/servers/cap): bound and
 * unbound, v4, and v2 function imports through CAP's v2 adapter. Each test asserts what the
 * service did (its answer, and the data it changed where it changed any).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, edm } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";
import type { Book } from "./servers/cap/types.js";

// A type alias (not an interface), so that a Book read earlier can be passed as `{ etag: book }`.

const HOSTILE = "a/b'c&d #?%+x=é日本 )(,@e 📚";

let cap: CapServer;
let v4: ODataClient;
let v2: ODataClient;

before(async () => {
  cap = await startCap();
  v4 = new ODataClient({ serviceUrl: cap.v4, retry: false });
  v2 = new ODataClient({ serviceUrl: cap.v2, version: "2.0", retry: false });
});
after(() => cap.stop());

const books = () => v4.collection<Book>("Books");
/** The stock of a seeded book (every seeded book has one; the type allows null, as CAP does). */
const stockOf = async (id: number): Promise<number> => {
  const { stock } = await books().key(id).get();
  assert.equal(typeof stock, "number", `book ${id} has stock ${String(stock)}`);
  return stock as number;
};

describe("OData v4 unbound operations", () => {
  test("function countBooks(minStock) gives the number the service counts", async () => {
    const expected = await books().filter((f) => f.ge("stock", 30)).countAll();
    assert.equal(await v4.function<number>("countBooks", { minStock: 30 }).get(), expected);
  });

  test("a hostile string parameter arrives at the service unchanged", async () => {
    assert.equal(await v4.function<string>("echo", { text: HOSTILE }).get(), HOSTILE);
  });

  // CAP hands a Decimal parameter to the handler as its exact text.
  test("typed parameters arrive as the types the service declares", async () => {
    const text = await v4.function<string>("describeArgs", { i: -7, d: edm.decimal("1.50"), b: false, day: edm.date("2024-02-29"), s: "O'Brien" }).get();
    assert.deepEqual(JSON.parse(text), { i: -7, d: "1.50", b: false, day: "2024-02-29", s: "O'Brien" });
  });

  test("a collection parameter goes as a parameter alias and a collection of strings comes back", async () => {
    assert.deepEqual(await v4.function<string[]>("upper", { texts: ["a", "b&c", "ü'"] }).get(), ["A", "B&C", "Ü'"]);
  });

  test("a function returning an entity gives it with its @odata.etag", async () => {
    const read = await books().key(2).get();
    const book = await v4.function<Book>("bookById", { id: 2 }).get();
    assert.equal(book.ID, 2);
    assert.equal(book.title, "Emma");
    assert.equal(book["@odata.etag"], read["@odata.etag"]);
  });

  test("a function returning a complex value gives the object", async () => {
    const value = await v4.function<{ ID: number; title: string; stock: number }>("stockOf", { id: 3 }).get();
    assert.deepEqual({ ID: value.ID, title: value.title, stock: value.stock }, { ID: 3, title: "Persuasion", stock: await stockOf(3) });
  });

  test("a function returning entities gives the array, the same rows a filtered read gives", async () => {
    const result = await v4.function<Book[]>("booksWithStock", { minStock: 40 }).get();
    const read = await books().filter((f) => f.ge("stock", 40)).orderBy("ID").list();
    assert.deepEqual(result.map((b) => b.ID), read.map((b) => b.ID));
    assert.ok(result.length > 0);
  });

  test("stream() reads a collection-valued function entity by entity", async () => {
    const ids: number[] = [];
    for await (const book of v4.function<Book[]>("booksWithStock", { minStock: 40 }).stream()) ids.push(book.ID);
    assert.deepEqual(ids, (await books().filter((f) => f.ge("stock", 40)).orderBy("ID").list()).map((b) => b.ID));
  });

  test("action submitOrder takes stock away and gives the complex result", async () => {
    const before = await stockOf(21);
    const done = await v4.action<{ stock: number }>("submitOrder").invoke({ book: 21, quantity: 2 });
    assert.equal(done.stock, before - 2);
    assert.equal(await stockOf(21), before - 2);
  });

  test("an action the handler refuses rejects with ODataHttpError and CAP's message", async () => {
    const error = await v4
      .action("submitOrder")
      .invoke({ book: 21, quantity: 100_000 })
      .then(() => assert.fail("resolved"), (e: unknown) => e);
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 409);
    assert.match(error.odataError?.message ?? "", /^Only \d+ left of book 21$/);
  });

  test("a function on a missing entity rejects with 404", async () => {
    await assert.rejects(v4.function("stockOf", { id: 999 }).get(), (e: unknown) => e instanceof ODataHttpError && e.status === 404 && e.odataError?.message === "Book 999 does not exist");
  });

  test("an action with a collection parameter gives a collection of complex values", async () => {
    assert.deepEqual(await v4.action("reserve").invoke({ books: [1, 2, 3] }), [
      { book: 1, ok: true },
      { book: 2, ok: false },
      { book: 3, ok: true },
    ]);
  });

  test("an action without parameters or result resolves with undefined (204)", async () => {
    assert.equal(await v4.action("ping").invoke(), undefined);
  });
});

describe("OData v4 bound operations", () => {
  test("a bound action on an ETag entity without If-Match is refused with 428", async () => {
    const before = await stockOf(19);
    await assert.rejects(books().key(19).action("CatalogService.order").invoke({ quantity: 1 }), (e: unknown) => e instanceof ODataHttpError && e.status === 428);
    assert.equal(await stockOf(19), before);
  });

  test("a bound action with the entity read earlier (its ETag) or ifMatch * runs", async () => {
    const read = await books().key(20).get();
    const stock = read.stock ?? assert.fail("book 20 has no stock");
    const first = await books().key(20).action<{ stock: number }>("CatalogService.order").invoke({ quantity: 1 }, { etag: read });
    assert.equal(first.stock, stock - 1);
    const second = await books().key(20).action<{ stock: number }>("order", { namespace: "CatalogService" }).invoke({ quantity: 1 }, { ifMatch: "*" });
    assert.equal(second.stock, stock - 2);
  });

  test("a bound action with a stale ETag is refused with 412", async () => {
    const read = await books().key(17).get();
    await books().key(17).action("CatalogService.order").invoke({ quantity: 1 }, { etag: "*" });
    await assert.rejects(
      books().key(17).action("CatalogService.order").invoke({ quantity: 1 }, { etag: read["@odata.etag"] as string }),
      (e: unknown) => e instanceof ODataHttpError && e.status === 412,
    );
  });

  test("a bound function by qualified name, with the namespace option, and by simple name", async () => {
    const one = books().key(1);
    assert.equal(await one.function<number>("CatalogService.discountedPrice", { percent: 10 }).get(), 11.08);
    assert.equal(await one.function<number>("discountedPrice", { percent: 10 }, { namespace: "CatalogService" }).get(), 11.08);
    assert.equal(await one.function<number>("discountedPrice", { percent: 10 }).get(), 11.08);
  });

  test("a bound action without a result resolves with undefined (204)", async () => {
    assert.equal(await books().key(1).action("CatalogService.touch").invoke({}, { etag: "*" }), undefined);
  });

  test("a collection-bound function gives entities in the service's order", async () => {
    const top = await books().function<Book[]>("CatalogService.topStocked", { n: 3 }).get();
    const read = await books().orderBy("stock", "desc").orderBy("ID").top(3).list();
    assert.deepEqual(top.map((b) => b.ID), read.map((b) => b.ID));
  });

  test("a collection-bound action on an ETag entity set also needs If-Match in CAP", async () => {
    await assert.rejects(books().action("CatalogService.lowStock").invoke({ below: 5 }), (e: unknown) => e instanceof ODataHttpError && e.status === 428);
    const low = await books().action<Book[]>("CatalogService.lowStock").invoke({ below: 5 }, { etag: "*" });
    const read = await books().filter((f) => f.lt("stock", 5)).orderBy("ID").list();
    assert.deepEqual(low.map((b) => b.ID), read.map((b) => b.ID));
    assert.ok(low.length > 0);
  });
});

describe("...Async twins against CAP (which runs requests at once)", () => {
  test("getAsync gives a finished poller with the unwrapped number", async () => {
    const poller = await v4.function<number>("countBooks", { minStock: 0 }).getAsync();
    assert.equal(poller.isDone(), true);
    assert.equal(poller.result(), 23);
    assert.equal(await poller.wait(), 23);
  });

  test("invokeAsync on a bound action with If-Match gives the complex result", async () => {
    const before = await stockOf(16);
    const poller = await books().key(16).action<{ stock: number }>("CatalogService.order").invokeAsync({ quantity: 1 }, { etag: "*" });
    assert.equal(poller.result().stock, before - 1);
  });
});

describe("OData v2 function imports through CAP's adapter", () => {
  test("countBooks is unwrapped from d and the function's name", async () => {
    const expected = await books().filter((f) => f.ge("stock", 30)).countAll();
    assert.equal(await v2.function<number>("countBooks", { minStock: 30 }).get(), expected);
  });

  test("a hostile string parameter arrives unchanged", async () => {
    assert.equal(await v2.function<string>("echo", { text: HOSTILE }).get(), HOSTILE);
  });

  test("v2 typed literals (Decimal M, datetime) arrive as the declared types", async () => {
    const text = await v2.function<string>("describeArgs", { i: -7, d: edm.decimal("1.50"), b: true, day: edm.date("2024-02-29"), s: "O'Brien" }).get();
    assert.deepEqual(JSON.parse(text), { i: -7, d: "1.50", b: true, day: "2024-02-29", s: "O'Brien" });
  });

  test("entities come back as an array with ISO dates and no deferred links", async () => {
    const result = await v2.function<Record<string, unknown>[]>("booksWithStock", { minStock: 40 }).get();
    const read = await books().filter((f) => f.ge("stock", 40)).orderBy("ID").list();
    assert.deepEqual(result.map((b) => b["ID"]), read.map((b) => b.ID));
    const first = result[0] as Record<string, unknown>;
    assert.match(first["createdAt"] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(first["author"], undefined);
  });

  test("a complex result is unwrapped from the function's name", async () => {
    const value = await v2.function<{ ID: number; stock: number }>("stockOf", { id: 3 }).get();
    assert.deepEqual([value.ID, value.stock], [3, await stockOf(3)]);
  });

  test("an action import takes its parameters from the query and runs", async () => {
    const before = await stockOf(22);
    const done = await v2.action<{ stock: number }>("submitOrder").invoke({ book: 22, quantity: 1 });
    assert.equal(done.stock, before - 1);
    assert.equal(await stockOf(22), before - 1);
  });

  test("an action import without result resolves with undefined", async () => {
    assert.equal(await v2.action("ping").invoke(), undefined);
  });

  test("a v2 error rejects with the v2 message", async () => {
    await assert.rejects(
      v2.action("submitOrder").invoke({ book: 22, quantity: 0 }),
      (e: unknown) => e instanceof ODataHttpError && e.status === 400 && e.odataError?.message === "quantity must be a positive integer",
    );
  });

  test("getAsync through the adapter gives a finished poller with the unwrapped value", async () => {
    const poller = await v2.function<number>("countBooks", { minStock: 0 }).getAsync();
    assert.equal(poller.result(), 23);
  });
});
