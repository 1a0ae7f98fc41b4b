import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeV2Entities, normalizeV2Entity, readDatesOf, v2DateToIso } from "../src/payload/v2-values.js";
import { answerJson, serveClient } from "./servers/recording-server.js";

test("/Date(ms)/ becomes an ISO 8601 UTC string", () => {
  assert.equal(v2DateToIso("/Date(1700000000000)/"), "2023-11-14T22:13:20Z");
});

test("/Date(ms)/ keeps milliseconds when they are not zero", () => {
  assert.equal(v2DateToIso("/Date(1700000000123)/"), "2023-11-14T22:13:20.123Z");
});

test("/Date(ms+0060)/ becomes the same instant written with a +01:00 offset", () => {
  const iso = v2DateToIso("/Date(1700000000000+0060)/");
  assert.equal(iso, "2023-11-14T23:13:20+01:00");
  assert.equal(new Date(iso!).getTime(), 1700000000000);
});

test("/Date(ms+0000)/ (as SAP CAP's v2 adapter sends) is written with Z", () => {
  assert.equal(v2DateToIso("/Date(1707645660000+0000)/"), "2024-02-11T10:01:00Z");
});

test("/Date(ms-0330)/ becomes the same instant written with a -05:30 offset", () => {
  const iso = v2DateToIso("/Date(1700000000000-0330)/");
  assert.equal(iso, "2023-11-14T16:43:20-05:30");
  assert.equal(new Date(iso!).getTime(), 1700000000000);
});

test("dates before 1970 (negative milliseconds) are converted", () => {
  assert.equal(v2DateToIso("/Date(-62135596800000)/"), "0001-01-01T00:00:00Z");
});

test("strings that only look similar to a v2 date are not converted", () => {
  assert.equal(v2DateToIso("/Date(abc)/"), undefined);
  assert.equal(v2DateToIso("Date(1700000000000)"), undefined);
  assert.equal(v2DateToIso("/Date(1700000000000)/ "), undefined);
  assert.equal(v2DateToIso("/Date(1700000000000+2400)/"), undefined);
});

test("an entity's date properties are converted in place and other values kept", () => {
  const entity = {
    __metadata: { uri: "https://host/svc/Orders(1)", type: "NS.Order", etag: "W/\"datetime'2023-11-14T22%3A13%3A20'\"" },
    ID: 1,
    OrderDate: "/Date(1700000000000)/",
    ShippedAt: "/Date(1700000000000+0060)/",
    Amount: "12.50",
    Note: "/not a date/",
    Duration: "PT13H20M",
  };
  const result = normalizeV2Entity(entity);
  assert.equal(result, entity);
  assert.deepEqual(entity, {
    __metadata: { uri: "https://host/svc/Orders(1)", type: "NS.Order", etag: "W/\"datetime'2023-11-14T22%3A13%3A20'\"" },
    ID: 1,
    OrderDate: "2023-11-14T22:13:20Z",
    ShippedAt: "2023-11-14T23:13:20+01:00",
    Amount: "12.50",
    Note: "/not a date/",
    Duration: "PT13H20M",
  });
});

test("__metadata is kept untouched, including its etag", () => {
  const metadata = { uri: "u", type: "NS.T", etag: "W/\"1\"", media_src: "/Date(1)/" };
  const entity = normalizeV2Entity({ __metadata: metadata, ID: 1 });
  assert.equal(entity.__metadata, metadata);
  assert.equal(entity.__metadata.media_src, "/Date(1)/");
});

test("an expanded to-many navigation { results: [...] } becomes the array, its entities converted", () => {
  const entity = normalizeV2Entity({
    __metadata: { uri: "Customers('A')" },
    ID: "A",
    Orders: { results: [{ __metadata: { uri: "Orders(1)" }, ID: 1, OrderDate: "/Date(0)/" }] },
  });
  assert.deepEqual(entity.Orders, [{ __metadata: { uri: "Orders(1)" }, ID: 1, OrderDate: "1970-01-01T00:00:00Z" }]);
});

test("a results wrapper with __count and __next also becomes the array", () => {
  const entity = normalizeV2Entity({ ID: 1, Items: { __count: "2", results: [{ ID: 5 }], __next: "more" } });
  assert.deepEqual(entity.Items, [{ ID: 5 }]);
});

test("an expanded to-one navigation is converted as a nested entity", () => {
  const entity = normalizeV2Entity({ ID: 1, Customer: { __metadata: { uri: "Customers('A')" }, Since: "/Date(86400000)/", Orders: { __deferred: { uri: "x" } } } });
  assert.deepEqual(entity.Customer, { __metadata: { uri: "Customers('A')" }, Since: "1970-01-02T00:00:00Z" });
});

test("deferred navigation properties are removed, as v4 leaves them out", () => {
  const entity: Record<string, unknown> = normalizeV2Entity({
    __metadata: { uri: "Products(1)" },
    ID: 1,
    Category: { __deferred: { uri: "https://host/svc/Products(1)/Category" } },
    Name: "Chai",
  });
  assert.deepEqual(Object.keys(entity), ["__metadata", "ID", "Name"]);
});

test("a complex value with a property named results is not mistaken for a wrapper", () => {
  const entity = normalizeV2Entity({ Stats: { __metadata: { type: "NS.Stats" }, results: [1, 2] } });
  assert.deepEqual(entity.Stats, { __metadata: { type: "NS.Stats" }, results: [1, 2] });
});

test("an OData v3 collection value, whose wrapper's __metadata types it Collection(...), becomes the array", () => {
  const entity = normalizeV2Entity({
    Emails: { __metadata: { type: "Collection(Edm.String)" }, results: ["a@example.com", "b@example.com"] },
    Stops: { __metadata: { type: "Collection(NS.Stop)" }, results: [{ __metadata: { type: "NS.Stop" }, At: "/Date(0)/" }] },
  });
  assert.deepEqual(entity, {
    Emails: ["a@example.com", "b@example.com"],
    Stops: [{ __metadata: { type: "NS.Stop" }, At: "1970-01-01T00:00:00Z" }],
  });
});

test("dates inside complex values and collections of primitives are converted", () => {
  const entity = normalizeV2Entity({
    Address: { __metadata: { type: "NS.Address" }, ValidFrom: "/Date(0)/" },
    Holidays: { results: ["/Date(86400000)/", "/Date(172800000)/"] },
  });
  assert.deepEqual(entity, {
    Address: { __metadata: { type: "NS.Address" }, ValidFrom: "1970-01-01T00:00:00Z" },
    Holidays: ["1970-01-02T00:00:00Z", "1970-01-03T00:00:00Z"],
  });
});

test("readDatesOf names the members the reader converted, found through a { ...copy } by the shared __metadata, and nothing it left as sent", () => {
  const entity = normalizeV2Entity({
    __metadata: { uri: "Orders(1)" },
    OrderDate: "/Date(0)/",
    Note: "1970-01-01T00:00:00Z",
    Address: { ValidFrom: "/Date(0)/", Street: "Main St" },
    Holidays: { results: ["/Date(0)/", "x"] },
    Lines: { results: [{ __metadata: { uri: "Lines(1)" }, At: "/Date(0)/" }] },
  });
  assert.deepEqual([...(readDatesOf({ ...entity, Note: "y" }) ?? [])], ["OrderDate"]);
  assert.deepEqual([...(readDatesOf(entity.Address as object) ?? [])], ["ValidFrom"]);
  assert.equal(readDatesOf({ ...(entity.Address as object) }), undefined, "a complex value without __metadata is its own key");
  assert.deepEqual([...(readDatesOf(entity.Holidays as unknown as object) ?? [])], ["0"]);
  assert.deepEqual([...(readDatesOf({ ...(entity.Lines as unknown as object[])[0] }) ?? [])], ["At"]);
  assert.equal(readDatesOf(normalizeV2Entity({ __metadata: { uri: "Orders(2)" }, Note: "1970-01-01T00:00:00Z" })), undefined);
});

test("normalizeV2Entities converts every entity of an array and returns it", () => {
  const entities = [{ At: "/Date(0)/" }, { At: "/Date(1000)/" }];
  assert.equal(normalizeV2Entities(entities), entities);
  assert.deepEqual(entities, [{ At: "1970-01-01T00:00:00Z" }, { At: "1970-01-01T00:00:01Z" }]);
});

test("null and primitive inputs are returned unchanged", () => {
  assert.equal(normalizeV2Entity(null), null);
  assert.equal(normalizeV2Entity("/Date(0)/"), "/Date(0)/");
  assert.equal(normalizeV2Entity(5), 5);
});

test("a v2 read keeps Edm.Decimal and Edm.Int64 values as the strings v2 JSON writes", async (t) => {
  const { client } = await serveClient(
    t,
    answerJson(200, { d: { results: [{ ID: "9007199254740993", price: "12.31", stock: 4, __metadata: { type: "NS.Book" } }] } }),
    { version: "2.0" },
  );
  const [book] = await client.collection("Books").list();
  assert.equal(book?.["ID"], "9007199254740993");
  assert.equal(book?.["price"], "12.31");
  assert.equal(book?.["stock"], 4);
});

test("values nested 10,000 levels deep (objects, arrays, expanded results, deferred links) are converted without a stack overflow", () => {
  const deepArray = JSON.parse(`${"[".repeat(10_000)}"/Date(0)/"${"]".repeat(10_000)}`);
  const deepObject = JSON.parse(`${'{"a":'.repeat(10_000)}{"at":"/Date(0)/","nav":{"__deferred":{"uri":"x"}}}${"}".repeat(10_000)}`);
  const deepResults = JSON.parse(`${'{"to":{"results":['.repeat(5_000)}"/Date(0)/"${"]}}".repeat(5_000)}`);
  normalizeV2Entity(deepArray);
  normalizeV2Entity(deepObject);
  normalizeV2Entity(deepResults);
  let item: unknown = deepArray;
  for (let i = 0; i < 10_000; i++) item = (item as unknown[])[0];
  assert.equal(item, "1970-01-01T00:00:00Z");
  let object: unknown = deepObject;
  for (let i = 0; i < 10_000; i++) object = (object as { a: unknown }).a;
  assert.deepEqual(object, { at: "1970-01-01T00:00:00Z" });
  let results: unknown = deepResults;
  for (let i = 0; i < 5_000; i++) results = (results as { to: unknown[] }).to[0];
  assert.equal(results, "1970-01-01T00:00:00Z");
});
