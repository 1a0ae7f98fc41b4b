// The text of a page's entities as the service sent them (src/payload/entity-text.ts): given only
// where it is provably the entities JSON.parse read, cut only at the separators between them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { entityTextIn, EntityTexts, type EntityText } from "../src/payload/entity-text.js";

/** The entity text of a body, its entities read as readCollectionBody reads them. */
function textOf(body: string): string | undefined {
  return entityTextIn(body, (JSON.parse(body) as { value: unknown[] }).value)?.text;
}

test("a compact page: the text between the brackets, numbers and escapes as sent", () => {
  const rows = '{"ID":1,"price":1.50,"name":"caf\\u00e9"},{"ID":9007199254740993,"tags":[{"a":1}],"x":{"y":[]}},{"ID":3}';
  const body = `{"@odata.context":"$metadata#Things","@odata.count":3,"value":[${rows}],"@odata.nextLink":"Things?$skiptoken=3"}`;
  assert.equal(textOf(body), rows);
  assert.equal(textOf(`{"value":[${rows}]}`), rows);
  // Whitespace around the array is fine.
  assert.equal(textOf(` { "@odata.context" : "x" , "value" : [ ${rows}],"@odata.nextLink":"x"}`), rows);
  assert.equal(textOf(`{"value":[${rows}] ,"@odata.nextLink" :"x"}`), rows);
  assert.equal(textOf(`{"value":[${rows}],"@odata.nextLink":"x"} `), rows);
  assert.equal(textOf('{"value":[{"ID":1}]}'), '{"ID":1}');
  // An empty page has no entity text to keep: there is nothing to write.
  assert.equal(textOf('{"value":[]}'), undefined);
  // An escaped member name is read as JSON.parse reads it.
  assert.equal(textOf('{"valu\\u0065":[{"ID":1},{"ID":2}]}'), '{"ID":1},{"ID":2}');
});

test("whitespace between the entities or line breaks in them: the entities' text without whitespace between tokens, strings as sent, no bytes", () => {
  const page = (body: string) => entityTextIn(body, (JSON.parse(body) as { value: unknown[] }).value, Buffer.from(body));
  assert.deepEqual(page('{"value":[{"ID":1}, {"ID":2}]}'), { text: '{"ID":1},{"ID":2}', separators: [7] });
  assert.equal(textOf('{"value":[{"ID":1} ,{"ID":2}]}'), '{"ID":1},{"ID":2}');
  assert.equal(textOf('{"value":[{"ID":1},\t{"ID":2}]}'), '{"ID":1},{"ID":2}');
  assert.equal(textOf('{"value":[\n  {"ID":1},\n  {"ID":2}\n]}'), '{"ID":1},{"ID":2}');
  assert.equal(textOf('{"value":[{"ID":1,\r\n"a":2}]}'), '{"ID":1,"a":2}');
  // Spaces in an entity on one line are kept: it is still one line.
  assert.equal(textOf('{"value":[{"ID": 1},{"ID": 2}]}'), '{"ID": 1},{"ID": 2}');
  // A "} " or " {" in a string is no separator, and a pretty-printed page keeps its strings' spaces.
  assert.equal(textOf('{"value":[{"ID":1,"a":"} "},{"ID":2}]}'), '{"ID":1,"a":"} "},{"ID":2}');
  assert.equal(textOf('{"value":[{"ID":1},{"ID":2,"a":" {"}]}'), '{"ID":1},{"ID":2,"a":" {"}');
  assert.equal(textOf(JSON.stringify({ value: [{ ID: 1, a: "x y", b: [{ c: " } { " }] }] }, null, 2)), '{"ID":1,"a":"x y","b":[{"c":" } { "}]}');
  assert.equal(textOf('{"value":[{"ID":1},{"ID":2}],"@odata.nextLink":"x"} '), '{"ID":1},{"ID":2}');
});

test('a "},{" that is not a separator (in a string, in a nested collection): the entities found one by one, the separators only theirs', () => {
  const page = (body: string) => entityTextIn(body, (JSON.parse(body) as { value: unknown[] }).value, Buffer.from(body));
  assert.deepEqual(page('{"value":[{"ID":1,"note":"a},{b"},{"ID":2}]}'), { text: '{"ID":1,"note":"a},{b"},{"ID":2}', separators: [22], bytes: Buffer.from('{"ID":1,"note":"a},{b"},{"ID":2}') });
  assert.deepEqual(page('{"value":[{"ID":1,"items":[{"a":1},{"a":2}]}]}')?.separators, []);
  assert.equal(textOf('{"value":[{"ID":1,"items":[{"a":1},{"a":2}]}]}'), '{"ID":1,"items":[{"a":1},{"a":2}]}');
  // An escaped quote before the "},{" in a string.
  assert.deepEqual(page('{"value":[{"s":"\\"},{\\\\"},{"s":"}"}]}')?.separators, [14]);
  assert.equal(textOf('{"value":[{"ID":1,"note":"},{"}, {"ID":2}]}'), '{"ID":1,"note":"},{"},{"ID":2}');
  // ... and in a member after the array.
  assert.equal(textOf('{"value":[{"ID":1}],"@odata.nextLink":"x?a=},{"}'), '{"ID":1}');
});

test("entities that are not all objects: no text", () => {
  assert.equal(textOf('{"value":[{"ID":1},2,{"ID":3}]}'), undefined);
  assert.equal(textOf('{"value":[{"ID":1},null]}'), undefined);
  assert.equal(textOf('{"value":[[{"ID":1}],[{"ID":2}]]}'), undefined);
});

test('two "value" members (JSON.parse keeps the last): no text, whichever array holds the separators', () => {
  assert.equal(textOf('{"value":[{"x":1}],"value":[{"y":1}]}'), undefined);
  assert.equal(textOf('{"value":[{"x":1}],"value":[{"y":1},{"y":2}]}'), undefined);
  assert.equal(textOf('{"value":[{"x":1},{"x":2}],"value":[{"y":1}]}'), undefined);
  assert.equal(textOf('{"value":[],"value":[{"y":1},{"y":2}]}'), undefined);
  assert.equal(textOf('{"value":[1,2,3],"value":[{"y":1},{"y":2}]}'), undefined);
  assert.equal(textOf('{"value":[{"y":1}],"valu\\u0065":[]}'), undefined);
});

test("the text cut at its separators gives back exactly the entities JSON.parse read", () => {
  const entities = [{ ID: 1, s: "quote \" backslash \\ }", n: null }, { ID: 2, nested: { a: [1, { b: "]" }] } }, { ID: 3, s: "{,}" }];
  const body = `{"value":${JSON.stringify(entities)}}`;
  const text = textOf(body);
  assert.ok(text !== undefined);
  assert.deepEqual(text.split("},{").map((piece, i, all) => JSON.parse(`${i === 0 ? "" : "{"}${piece}${i === all.length - 1 ? "" : "}"}`)), entities);
});

test("EntityTexts (one walk's store): a page's text is kept by its body's reading and given once to whoever takes that page's entities; a page without one keeps its body", () => {
  const texts = new EntityTexts();
  const compact = '{"value":[{"ID":1},{"ID":2}],"@odata.nextLink":"Things?$skiptoken=2"}';
  const pretty = '{"value":[{"ID":3}],"value":[{"ID":4}]}';
  const first = (JSON.parse(compact) as { value: unknown[] }).value;
  const second = (JSON.parse(pretty) as { value: unknown[] }).value;
  const bytes = new TextEncoder().encode(compact);
  // Kept in reading order, read ahead of the taking: the keys are the arrays, not the order.
  texts.keep(compact, first, bytes);
  texts.keep(pretty, second);
  assert.deepEqual(texts.take(second), { body: pretty });
  assert.equal(texts.take(second), undefined);
  texts.keep('{"value":[]}', []);
  assert.equal(texts.take([]), undefined, "an empty page keeps nothing");
  const taken = texts.take(first) as EntityText | undefined;
  assert.equal(taken?.text, '{"ID":1},{"ID":2}');
  assert.deepEqual(taken?.separators, [7]);
  assert.equal(new TextDecoder().decode(taken?.bytes), '{"ID":1},{"ID":2}');
  // Forgotten once taken, and an equal array of other entities is not the page.
  assert.equal(texts.take(first), undefined);
  texts.keep(compact, first);
  assert.equal(texts.take([...first]), undefined);
  assert.equal((texts.take(first) as EntityText | undefined)?.bytes, undefined, "no bytes given, none kept");
});
