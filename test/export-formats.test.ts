// NDJSON and JSON rows written from a page's bytes (src/cli/formats.ts): byte for byte what the
// page's text gives, and what JSON.stringify of the entities gives where the text holds nothing
// that JSON.stringify would write otherwise; the text is used where the bytes are not ASCII.
import { test } from "node:test";
import assert from "node:assert/strict";
import { entityTextIn, type EntityText } from "../src/payload/entity-text.js";
import { csvFormat, jsonFormat, ndjsonFormat, pageRows } from "../src/cli/formats.js";

/** The entity text of a body sent as `bytes`, read as readCollectionBody reads it. */
function pageOf(bytes: Uint8Array): { entities: unknown[]; page: EntityText | undefined } {
  const text = new TextDecoder().decode(bytes);
  const entities = (JSON.parse(text) as { value: unknown[] }).value;
  return { entities, page: entityTextIn(text, entities, bytes) };
}

/** A format's rows as the bytes written to the file. */
function written(rows: string | Uint8Array): Buffer {
  return typeof rows === "string" ? Buffer.from(rows, "utf8") : Buffer.from(rows);
}

/** The page's text alone (no bytes): the way the rows were written before there were bytes. */
function textOnly(page: EntityText): EntityText {
  return { text: page.text, separators: page.separators };
}

const ENTITIES: unknown[][] = [
  [{ ID: 1 }],
  [{ ID: 1 }, { ID: 2 }],
  [
    { ID: 1, s: 'quote " backslash \\ slash / }{ ]\u0000', n: null, t: true, f: false, x: -0.5e-7 },
    { ID: 2, nested: { a: [1, { b: "]" }], c: {} }, empty: [] },
    { ID: 3, s: "{,}", tab: "a\tb", lines: "one\r\ntwo\nthree", control: "\u0001\u001f" },
    { ID: 4, csv: '=HYPERLINK("x","y"),;', spaces: "  lead and trail  " },
  ],
  Array.from({ length: 1000 }, (_, i) => ({ ID: i + 1, sensor: `S${i % 7}`, value: i / 100, ok: i % 3 !== 0 })),
];

test("a page of ASCII bytes is written from them: byte for byte its text's rows, and JSON.stringify's, in NDJSON and JSON, first page or not", () => {
  for (const entities of ENTITIES) {
    const body = Buffer.from(`{"@odata.context":"$metadata#Things","value":${JSON.stringify(entities)},"@odata.nextLink":"Things?$skiptoken=9"}`);
    const { page } = pageOf(body);
    assert.ok(page?.bytes, `the page of ${entities.length} entities has its bytes`);
    const lines = entities.map((entity) => JSON.stringify(entity));
    const ndjson = ndjsonFormat().rowsFromText?.(page, 0) as string | Uint8Array;
    assert.ok(ndjson instanceof Uint8Array, "NDJSON from the bytes");
    assert.deepEqual(written(ndjson), written(ndjsonFormat().rowsFromText?.(textOnly(page), 0) as string));
    assert.equal(written(ndjson).toString("utf8"), `${lines.join("\n")}\n`);
    for (const before of [0, 7]) {
      const json = jsonFormat().rowsFromText?.(page, before) as string | Uint8Array;
      assert.ok(json instanceof Uint8Array, "JSON from the bytes");
      assert.deepEqual(written(json), written(jsonFormat().rowsFromText?.(textOnly(page), before) as string));
      assert.equal(written(json).toString("utf8"), `${before === 0 ? "" : ",\n"}${lines.join(",\n")}`);
    }
  }
});

test("escapes, digits and member order are kept as sent from the bytes", () => {
  const rows = '{"ID":9007199254740993,"price":1.50,"name":"caf\\u00e9 \\ud83d\\ude00","a":1,"a":2},{"ID":2,"e":1E+2}';
  const { page } = pageOf(Buffer.from(`{"value":[${rows}]}`));
  assert.ok(page?.bytes);
  assert.equal(written(ndjsonFormat().rowsFromText?.(page, 0) as Uint8Array).toString("latin1"), `${rows.replace("},{", "}\n{")}\n`);
  assert.equal(written(jsonFormat().rowsFromText?.(page, 3) as Uint8Array).toString("latin1"), `,\n${rows.replace("},{", "},\n{")}`);
});

test("a page that is not all ASCII (UTF-8 characters, a BOM, bytes that are not UTF-8) is written from its text, its characters as UTF-8", () => {
  const unicode = [{ ID: 1, s: "Žluťoučký kůň 日本語 😀 \u2028 é\u0301" }, { ID: 2, s: "ß" }];
  const bodies: [string, Buffer, string[]][] = [
    ["UTF-8 characters", Buffer.from(`{"value":${JSON.stringify(unicode)}}`), unicode.map((entity) => JSON.stringify(entity))],
    ["a BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"value":[{"ID":1},{"ID":2}]}')]), ['{"ID":1}', '{"ID":2}']],
    // As many bytes as characters (each bad byte is read as U+FFFD), yet not the text's UTF-8.
    ["bytes that are not UTF-8", Buffer.concat([Buffer.from('{"value":[{"ID":1,"s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"},{"ID":2}]}')]), ['{"ID":1,"s":"\ufffd\ufffd"}', '{"ID":2}']],
  ];
  for (const [what, body, lines] of bodies) {
    const { page } = pageOf(body);
    assert.ok(page, what);
    const ndjson = ndjsonFormat().rowsFromText?.(page, 0);
    assert.equal(typeof ndjson, "string", `${what}: NDJSON from the text`);
    assert.equal(written(ndjson as string).toString("utf8"), `${lines.join("\n")}\n`, what);
    const json = jsonFormat().rowsFromText?.(page, 1);
    assert.equal(typeof json, "string", `${what}: JSON from the text`);
    assert.equal(json, `,\n${lines.join(",\n")}`, what);
  }
});

test("the bytes kept are those of the entities' text alone, and none are kept where a character took several bytes", () => {
  const { page } = pageOf(Buffer.from('{"@odata.context":"x","value":[{"ID":1},{"ID":2}],"@odata.count":2}'));
  assert.equal(Buffer.from(page?.bytes ?? []).toString("latin1"), '{"ID":1},{"ID":2}');
  assert.deepEqual(page?.separators, [7]);
  assert.equal(pageOf(Buffer.from('{"@odata.context":"é","value":[{"ID":1},{"ID":2}]}')).page?.bytes, undefined);
});

test("CSV fields: quoted only where RFC 4180 asks, quotes doubled, nested values as JSON text, numbers and booleans as JavaScript writes them", () => {
  const columns = ["ID", "s", "n", "b", "nested", "list", "address/city", "missing"];
  const extras: string[] = [];
  const csv = csvFormat(columns, (name) => extras.push(name));
  const rows = csv.rows(
    [
      { ID: 1, s: 'He said "hi", then left', n: -0.5e-7, b: true, nested: { a: 'x"y', b: [1, "2,3"] }, list: [], address: { city: "Zürich\r\nHQ" } },
      { ID: 2, s: "Žluťoučký kůň 日本語 😀 \u2028", n: 1e21, b: false, nested: null, list: [null], address: null, missing: null },
      { ID: 3, s: "", n: -0, b: null, nested: "plain", list: "a\nb", address: { city: 7 }, extra: 1, "@odata.etag": 'W/"1"' },
      { ID: 4, s: "lone \r", n: 0.1, extra: 2, other: "x" },
    ],
    0,
  );
  assert.equal(
    rows,
    [
      '1,"He said ""hi"", then left",-5e-8,true,"{""a"":""x\\""y"",""b"":[1,""2,3""]}",[],"Zürich\r\nHQ",',
      "2,Žluťoučký kůň 日本語 😀 \u2028,1e+21,false,,[null],,",
      '3,"",0,,plain,"a\nb",7,',
      '4,"lone \r",0.1,,,,,',
      "",
    ].join("\r\n"),
  );
  assert.equal(csv.head(), "ID,s,n,b,nested,list,address/city,missing\r\n");
  assert.deepEqual(extras, ["extra", "other"], "each property without a column is named once, annotations never");
});

test("CSV with plain columns only: a row that lacks a column and has a property without one (as many properties as columns) has that property reported", () => {
  const extras: string[] = [];
  const csv = csvFormat(["ID", "name", "price"], (name) => extras.push(name));
  const rows = csv.rows(
    [
      { ID: 1, name: "a", price: 1.5 },
      { ID: 2, name: null, colour: "red" },
      { ID: 3, name: "c", price: null, "@odata.etag": 'W/"3"' },
      { ID: 4, name: "d", price: 2, size: "L" },
    ],
    0,
  );
  assert.equal(rows, "1,a,1.5\r\n2,,\r\n3,c,\r\n4,d,2\r\n");
  assert.deepEqual(extras, ["colour", "size"]);
});

test("CSV: a column named like a member of every object (constructor, a/toString) reads only the row's own value, and still lets its other properties be reported", () => {
  const extras: string[] = [];
  const csv = csvFormat(["ID", "constructor", "a/toString"], (name) => extras.push(name));
  // A row without them has empty fields there, not Object.prototype's members; a row's own are written.
  assert.equal(csv.rows([{ ID: 1, extra: 2 }, { ID: 2, constructor: "c", a: { toString: "t" } }], 0), "1,,\r\n2,c,t\r\n");
  assert.deepEqual(extras, ["extra"]);
});

test("CSV: a column behind a type cast (NS.Derived/bonus) is written and its property is not reported as left out", () => {
  const extras: string[] = [];
  const csv = csvFormat(["ID", "NS.Derived/bonus"], (name) => extras.push(name));
  assert.equal(csv.head(), "ID,NS.Derived/bonus\r\n");
  assert.equal(csv.rows([{ ID: 1, bonus: 5 }, { ID: 2, bonus: 7, note: "x" }], 0), "1,5\r\n2,7\r\n");
  assert.deepEqual(extras, ["note"]);
});

test('a page written from its text (not ASCII, or rebuilt without whitespace) is cut at its separators only: a "},{" in a string or a nested collection stays', () => {
  const rows = ['{"ID":1,"s":"é},{x","n":[{"a":1},{"a":2}]}', '{"ID":2,"s":"} {"}'];
  for (const body of [Buffer.from(`{"value":[${rows.join(",")}]}`), Buffer.from(`{"value":[\n${rows.join(",\n")}\n]}`)]) {
    const { page } = pageOf(body);
    assert.ok(page);
    assert.equal(page.bytes, undefined);
    assert.equal(ndjsonFormat().rowsFromText?.(page, 0), `${rows.join("\n")}\n`);
    assert.equal(jsonFormat().rowsFromText?.(page, 2), `,\n${rows.join(",\n")}`);
  }
});

test("pageRows of a page kept whole (no entity text): the rows of the entities read, each long number with the body's digits", () => {
  const body = '{"value":[{"x":1}],"value":[{"ID":9007199254740995,"In":{"n":9007199254740993},"s":"9007199254740995","m":[1.5,12345678901234.5678]}]}';
  const entities = (JSON.parse(body) as { value: Record<string, unknown>[] }).value;
  const exact = '{"ID":9007199254740995,"In":{"n":9007199254740993},"s":"9007199254740995","m":[1.5,12345678901234.5678]}';
  assert.equal(pageRows(ndjsonFormat(), entities, 0, { body }), `${exact}\n`);
  assert.equal(pageRows(jsonFormat(), entities, 1, { body }), `,\n${exact}`);
  assert.equal(pageRows(csvFormat(["ID", "In", "s", "m"]), entities, 0, { body }), '9007199254740995,"{""n"":9007199254740993}",9007199254740995,"[1.5,12345678901234.5678]"\r\n');
  // Without a long number in the body: the entities as read.
  assert.equal(pageRows(ndjsonFormat(), [{ ID: 1 }], 0, { body: '{"value":[{"ID":1}],"value":[{"ID":1}]}' }), '{"ID":1}\n');
});
