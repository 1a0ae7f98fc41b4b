import { test } from "node:test";
import assert from "node:assert/strict";
import { describe, isPlainObject, isRecord, topMember, valueAt } from "./values.js";

test("isRecord takes objects with named members and refuses null, arrays, bytes and primitives", () => {
  for (const value of [{}, { a: 1 }, Object.create(null), new Date(0), JSON.parse('{"value":[]}')]) assert.equal(isRecord(value), true, describe(value));
  for (const value of [null, undefined, [], [1], new Uint8Array(2), new DataView(new ArrayBuffer(1)), "x", 1, true, () => {}]) {
    assert.equal(isRecord(value), false, describe(value));
  }
});

test("isPlainObject takes object literals and null-prototype objects, not class instances", () => {
  assert.equal(isPlainObject({ ID: 1 }), true);
  assert.equal(isPlainObject(Object.create(null)), true);
  for (const value of [new Date(0), new Map(), [], null, "x", new (class Key {})()]) assert.equal(isPlainObject(value), false, describe(value));
});

test("describe names the kind of a value and shows it where it is short", () => {
  assert.equal(describe(null), "null");
  assert.equal(describe(undefined), "undefined");
  assert.equal(describe(5), "5");
  assert.equal(describe(-1.5), "-1.5");
  assert.equal(describe(true), "true");
  assert.equal(describe(12n), "12n");
  assert.equal(describe("many"), 'the string "many"');
  assert.equal(describe('a "quoted"\nline'), 'the string "a \\"quoted\\"\\nline"');
  assert.equal(describe([1, 2]), "an array");
  assert.equal(describe({ ID: 1 }), "an object");
  assert.equal(describe(new Uint8Array(3)), "binary data");
  assert.equal(describe(() => 1), "a function");
  assert.equal(describe(Symbol("s")), "a symbol");
});

test("describe shows a long string only by its length, so that a misplaced secret stays unshown", () => {
  const token = `eyJ${"x".repeat(80)}`;
  assert.equal(describe(token), "a string of 83 characters");
  assert.equal(describe("y".repeat(60)), `the string "${"y".repeat(60)}"`);
});

test("valueAt follows a property path through records, passes over type casts, and gives undefined through anything else", () => {
  const entity = { ID: 1, address: { city: "Bern", geo: null }, tags: [{ a: 1 }], blob: new Uint8Array([1]), "NS.Type": "not a property" };
  assert.equal(valueAt(entity, "ID"), 1);
  assert.equal(valueAt(entity, "address/city"), "Bern");
  assert.equal(valueAt(entity, "NS.Derived/address/city"), "Bern");
  assert.equal(valueAt(entity, "address/NS.Place/city"), "Bern");
  // One segment is a member's name, dots and all.
  assert.equal(valueAt(entity, "NS.Type"), "not a property");
  assert.deepEqual(valueAt(entity, "address"), { city: "Bern", geo: null });
  assert.equal(valueAt(entity, "address/geo"), null);
  for (const path of ["address/geo/lat", "tags/a", "tags/0", "blob/0", "missing", "missing/deeper", "address/zip", "constructor", "address/toString", "__proto__"]) {
    assert.equal(valueAt(entity, path), undefined, path);
  }
});

test("topMember names the member a path starts at, passing over a cast in front as valueAt does", () => {
  assert.equal(topMember("ID"), "ID");
  assert.equal(topMember("NS.Type"), "NS.Type");
  assert.equal(topMember("address/city"), "address");
  assert.equal(topMember("NS.Derived/bonus"), "bonus");
  assert.equal(topMember("NS.Derived/address/NS.Place/city"), "address");
});
