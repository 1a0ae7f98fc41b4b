// `entity.property(name).get()`, `.text()` and `.bytes()` against a real OData server (SAP CAP,
// test/servers/cap): `Books(1)/title` and `Books(1)/title/$value` over v4 and through the v2
// adapter, a property's value equal to the entity's own (v2 dates and decimals read alike), a
// null property (CAP answers 204), a singleton's and a navigation's property, a quoted key, and a
// missing entity or property (404). Seed data: test/servers/cap/db/data.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import type { Author, Book, Settings, V2Book } from "./servers/cap/types.js";

const cap = useCap();

/** A client of `version` on the CAP service that keeps every URL it fetched, decoded. */
function traced(version: "4.0" | "2.0"): { client: ODataClient; sent: string[] } {
  const sent: string[] = [];
  const serviceUrl = version === "2.0" ? cap.v2 : cap.v4;
  const client = new ODataClient({
    serviceUrl,
    version,
    fetch: (input, init) => {
      sent.push(decodeURIComponent(String(input)).slice(serviceUrl.length));
      return fetch(input, init);
    },
  });
  return { client, sent };
}

describe("v4", () => {
  test("a property's value and its raw value, typed as Book declares them and equal to the entity's", async () => {
    const { client, sent } = traced("4.0");
    const book = client.collection<Book>("Books").key(1);
    const title: string | null = await book.property("title").get();
    const price: number | null = await book.property("price").get();
    const published: string | null = await book.property("published").get();
    assert.deepEqual([title, price, published], ["Pride and Prejudice", 12.31, "1809-02-11"]);
    const entity = await book.get();
    assert.deepEqual([entity.title, entity.price, entity.published], [title, price, published]);
    assert.equal(await book.property("title").text(), "Pride and Prejudice");
    assert.equal(await book.property("price").text(), "12.31");
    assert.deepEqual(sent, ["Books(1)/title", "Books(1)/price", "Books(1)/published", "Books(1)", "Books(1)/title/$value", "Books(1)/price/$value"]);
  });

  test("a singleton's property, a navigation's and one of an entity with a quoted key", async () => {
    const { client, sent } = traced("4.0");
    assert.equal(await client.singleton<Settings>("Settings").property("theme").get(), "light");
    assert.equal(await client.collection<Book>("Books").key(1).navigateOne("author").property("name").get(), "Jane Austen");
    assert.equal(await client.collection<Author>("Authors").key("O'Brien").property("ID").get(), "O'Brien");
    assert.deepEqual(sent, ["Settings/theme", "Books(1)/author/name", "Authors('O''Brien')/ID"]);
  });

  test("a null property reads as null from get() and text() (CAP answers 204)", async () => {
    const { client } = traced("4.0");
    const book = client.collection<Book>("Books").key(2);
    await book.update({ descr: null }, { etag: "*" });
    assert.equal(await book.property("descr").get(), null);
    assert.equal(await book.property("descr").text(), null);
  });

  test("bytes() reads a binary property's content (Photos' LargeBinary) as the bytes written, every byte value among them", async () => {
    const { client, sent } = traced("4.0");
    const photo = client.collection("Photos").key(1);
    const written = Uint8Array.from({ length: 256 }, (_, i) => i);
    await photo.media("content").put(written, { contentType: "application/octet-stream" });
    const bytes = await photo.property("content").bytes();
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual([...bytes], [...written]);
    assert.equal(sent.at(-1), "Photos(1)/content/$value");
    // A text property's raw value as bytes: its UTF-8.
    assert.deepEqual(await photo.property("title").bytes(), new TextEncoder().encode(await photo.property("title").text() ?? ""));
  });

  test("a missing entity, and a property the type does not have, reject with ODataHttpError 404", async () => {
    const { client } = traced("4.0");
    const missing = client.collection<Book>("Books").key(999).property("title");
    for (const read of [() => missing.get(), () => missing.text(), () => client.collection("Books").key(1).property("nope").get()]) {
      await assert.rejects(read(), (error) => error instanceof ODataHttpError && error.code === "HTTP_ERROR" && error.status === 404);
    }
  });
});

describe("v2 through the adapter", () => {
  test("{d: {title}} unwrapped; a DateTime and a Date read as ISO 8601 and a Decimal as its string, as the entity's are", async () => {
    const { client, sent } = traced("2.0");
    const book = client.collection<V2Book>("Books").key(1);
    const values = [await book.property("title").get(), await book.property("modifiedAt").get(), await book.property("published").get(), await book.property("price").get(), await book.property("stock").get()];
    assert.deepEqual(values, ["Pride and Prejudice", "2024-02-11T10:01:00Z", "1809-02-11T00:00:00Z", "12.31", 37]);
    const entity = await book.get();
    assert.deepEqual([entity.title, entity.modifiedAt, entity.published, entity.price, entity.stock], values);
    // The raw value is as the service writes it: a v2 date in its /Date(…)/ form.
    assert.equal(await book.property("modifiedAt").text(), "/Date(1707645660000+0000)/");
    assert.deepEqual(sent, ["Books(1)/title", "Books(1)/modifiedAt", "Books(1)/published", "Books(1)/price", "Books(1)/stock", "Books(1)", "Books(1)/modifiedAt/$value"]);
  });

  test("a null property is null, a missing entity 404", async () => {
    const { client } = traced("2.0");
    await traced("4.0").client.collection<Book>("Books").key(3).update({ descr: null }, { etag: "*" });
    assert.equal(await client.collection<V2Book>("Books").key(3).property("descr").get(), null);
    assert.equal(await client.collection<V2Book>("Books").key(3).property("descr").text(), null);
    await assert.rejects(client.collection<V2Book>("Books").key(999).property("title").get(), (error) => error instanceof ODataHttpError && error.status === 404);
  });
});
