import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { readCollectionBody } from "../src/payload/collection-body.js";
import type { CollectionAnnotations, PayloadFormat } from "../src/payload/annotations.js";
import { ODataClientError } from "../src/errors.js";

type Handler = (response: ServerResponse, request: IncomingMessage) => Promise<void> | void;

/** Starts a node:http server on 127.0.0.1 port 0, runs `use` with its URL, then closes it. */
async function withServer<T>(handler: Handler, use: (url: string) => Promise<T>): Promise<T> {
  const server = createServer((request, response) => {
    response.socket?.setNoDelay(true);
    Promise.resolve(handler(response, request)).catch((error: unknown) => response.destroy(error as Error));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  try {
    return await use(`http://127.0.0.1:${port}/`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** A handler that sends the body in the given pieces, pausing between them so they arrive apart. */
function sendPieces(pieces: (string | Uint8Array)[], pauseMs = 2): Handler {
  return async (response) => {
    response.writeHead(200, { "content-type": "application/json" });
    for (const piece of pieces) {
      response.write(piece);
      await delay(pauseMs);
    }
    response.end();
  };
}

/** Cuts the UTF-8 bytes of `text` at the given byte offsets. */
function cutAt(text: string, offsets: number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const offset of offsets) {
    pieces.push(bytes.subarray(from, offset));
    from = offset;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

function everyByte(text: string): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

interface ReadResult {
  batches: unknown[][];
  annotations: CollectionAnnotations;
}

async function readFrom(url: string, format: PayloadFormat, bufferLimit?: number): Promise<ReadResult> {
  const response = await fetch(url);
  assert.ok(response.body);
  const reader = readCollectionBody(response.body, format, bufferLimit === undefined ? undefined : { bufferLimit });
  const batches: unknown[][] = [];
  for (;;) {
    const step = await reader.next();
    if (step.done) return { batches, annotations: step.value };
    batches.push(step.value);
  }
}

async function readPieces(pieces: (string | Uint8Array)[], format: PayloadFormat, bufferLimit?: number): Promise<ReadResult> {
  return withServer(sendPieces(pieces), (url) => readFrom(url, format, bufferLimit));
}

async function rejectsWithBadPayload(body: string, format: PayloadFormat, bufferLimit: number, pattern: RegExp): Promise<void> {
  await assert.rejects(readPieces(cutAt(body, []), format, bufferLimit), (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, pattern);
    return true;
  });
}

const products = [
  { ID: 1, Name: "Chai", Price: 18, Tags: ["tea", "{not json}"] },
  { ID: 2, Name: "Chang \"the\" beer", Price: 19.5, Tags: [] },
  { ID: 3, Name: "Aniseed Syrup ]}", Price: -1e-7, Tags: null },
];

// A page whose strings hold escapes, multi-byte characters and structural characters.
const tricky = [
  { ID: 10, Name: "caf\u00e9 na\u00efve", Emoji: "😀🎉", Quote: "say \"hi\"\\", Path: "a\\\\b" },
  { ID: 11, Name: "Ωμέγα", Emoji: "𝄞", Quote: "\\", Path: "[{,}]" },
  { ID: 12, Name: "\u0000\u001f", Emoji: "", Quote: "\"", Path: "\\\"" },
];

test("a v4 page with the count before value yields its entities and returns count and nextLink", async () => {
  const body = JSON.stringify({ "@odata.context": "$metadata#Products", "@odata.count": 42, value: products, "@odata.nextLink": "Products?$skiptoken=3" });
  const result = await readPieces([body], "v4");
  assert.deepEqual(result.batches, [products]);
  assert.deepEqual(result.annotations, { count: 42, nextLink: "Products?$skiptoken=3" });
});

test("v4 annotations after value (nextLink, deltaLink) are returned at the end in incremental mode", async () => {
  const body = JSON.stringify({ value: products, "@odata.nextLink": "next", "@odata.deltaLink": "delta", "@odata.count": 3 });
  const result = await readPieces(everyByte(body), "v4", 0);
  assert.deepEqual(result.batches.flat(), products);
  assert.deepEqual(result.annotations, { nextLink: "next", deltaLink: "delta", count: 3 });
});

test("OData 4.01 unprefixed @count, @nextLink and @deltaLink are read in both modes", async () => {
  const body = JSON.stringify({ "@count": 7, value: products, "@nextLink": "n2", "@deltaLink": "d2" });
  for (const bufferLimit of [0, 1 << 20]) {
    const result = await readPieces(cutAt(body, [5, 20]), "v4", bufferLimit);
    assert.deepEqual(result.batches.flat(), products);
    assert.deepEqual(result.annotations, { count: 7, nextLink: "n2", deltaLink: "d2" });
  }
});

test("unknown members of any shape are skipped in incremental mode, annotations kept for the page", async () => {
  const body = JSON.stringify({
    "@odata.context": "x}]\"",
    "@Core.Messages": [{ code: "W1", message: "a ] b } c", nested: { deep: [[[]]] } }],
    flag: true,
    nothing: null,
    value: products,
    "@odata.nextLink": "n",
    trailer: { a: "]" },
  });
  const result = await readPieces(everyByte(body), "v4", 0);
  assert.deepEqual(result.batches.flat(), products);
  // Members that are no annotation are skipped; an instance annotation is kept for the page (the context is none).
  assert.deepEqual(result.annotations, { nextLink: "n", others: { "@Core.Messages": [{ code: "W1", message: "a ] b } c", nested: { deep: [[[]]] } }] } });
});

test("a v2 body yields d.results and converts the string __count to a number", async () => {
  const body = JSON.stringify({ d: { results: products, __count: "1234", __next: "https://host/svc/Products?$skiptoken=3" } });
  for (const bufferLimit of [0, 1 << 20]) {
    const result = await readPieces(cutAt(body, [3, 17, 40]), "v2", bufferLimit);
    assert.deepEqual(result.batches.flat(), products);
    assert.deepEqual(result.annotations, { count: 1234, nextLink: "https://host/svc/Products?$skiptoken=3" });
  }
});

test("a v2 body with __count before results is read in incremental mode", async () => {
  const body = JSON.stringify({ d: { __count: "3", results: products, __delta: "Products?!deltatoken='1'" } });
  const result = await readPieces(everyByte(body), "v2", 0);
  assert.deepEqual(result.batches.flat(), products);
  assert.deepEqual(result.annotations, { count: 3, deltaLink: "Products?!deltatoken='1'" });
});

test("the older v2 form {\"d\": [...]} yields the array in both modes", async () => {
  const body = JSON.stringify({ d: products });
  for (const bufferLimit of [0, 1 << 20]) {
    const result = await readPieces(cutAt(body, [4, 9]), "v2", bufferLimit);
    assert.deepEqual(result.batches.flat(), products);
    assert.deepEqual(result.annotations, {});
  }
});

test("1-byte chunks give exactly what JSON.parse gives", async () => {
  const body = JSON.stringify({ "@odata.count": 3, value: tricky });
  const result = await readPieces(everyByte(body), "v4", 0);
  assert.deepEqual(result.batches.flat(), (JSON.parse(body) as { value: unknown[] }).value);
  assert.deepEqual(result.annotations, { count: 3 });
});

test("a split at every position inside a \\u00e9 escape is read correctly", async () => {
  const body = '{"value":[{"Name":"caf\\u00e9"},{"Name":"x"}]}';
  const escapeAt = body.indexOf("\\u00e9");
  for (let cut = escapeAt; cut <= escapeAt + 6; cut++) {
    const result = await readPieces(cutAt(body, [cut]), "v4", 0);
    assert.deepEqual(result.batches.flat(), [{ Name: "café" }, { Name: "x" }], `cut at ${cut}`);
  }
});

test("a split after an escaped backslash before a closing quote is read correctly", async () => {
  const body = '{"value":[{"Path":"a\\\\"},{"Path":"\\""}]}';
  for (let cut = 10; cut < body.length; cut++) {
    const result = await readPieces(cutAt(body, [cut]), "v4", 0);
    assert.deepEqual(result.batches.flat(), [{ Path: "a\\" }, { Path: '"' }], `cut at ${cut}`);
  }
});

test("a split inside 2-byte and 4-byte UTF-8 characters is read correctly", async () => {
  const body = '{"value":[{"Name":"é😀é"}]}';
  const bytes = new TextEncoder().encode(body);
  const start = bytes.indexOf(0xc3);
  for (let cut = start + 1; cut < start + 8; cut++) {
    const result = await readPieces(cutAt(body, [cut]), "v4", 0);
    assert.deepEqual(result.batches.flat(), [{ Name: "é😀é" }], `cut at byte ${cut}`);
  }
});

test("a split inside numbers, true/false/null and between entities is read correctly", async () => {
  const body = '{"value":[{"n":-12345.678e-3,"b":true,"z":null},{"n":9007199254740991,"b":false,"z":null}]}';
  for (let cut = 10; cut < body.length; cut++) {
    const result = await readPieces(cutAt(body, [cut]), "v4", 0);
    assert.deepEqual(result.batches.flat(), [{ n: -12.345678, b: true, z: null }, { n: 9007199254740991, b: false, z: null }], `cut at ${cut}`);
  }
});

test("a body larger than bufferLimit is read in several batches identical to JSON.parse", async () => {
  const rows = Array.from({ length: 5000 }, (_, i) => ({ ID: i, Name: `Product ${i} – ünïcödé`, Price: i * 0.25, Tags: [`t${i % 7}`], Nested: { At: `2024-01-${String((i % 28) + 1).padStart(2, "0")}` } }));
  const body = JSON.stringify({ "@odata.context": "$metadata#Products", value: rows, "@odata.nextLink": "Products?$skip=5000" });
  const bytes = new TextEncoder().encode(body);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 4099) pieces.push(bytes.subarray(at, at + 4099));
  const result = await readPieces(pieces, "v4", 16 * 1024);
  assert.ok(result.batches.length > 1, `expected several batches, got ${result.batches.length}`);
  assert.ok(result.batches.every((batch) => batch.length > 0));
  assert.deepEqual(result.batches.flat(), rows);
  assert.deepEqual(result.annotations, { nextLink: "Products?$skip=5000" });
});

test("entities with nested object arrays and \"},{\" inside strings are cut correctly in big chunks", async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => ({
    ID: i,
    Note: i % 3 === 0 ? "tricky },{ text" : "plain",
    Items: [{ Line: 1, Tags: [{ t: "a" }, { t: "},{" }] }, { Line: 2 }],
  }));
  const body = JSON.stringify({ value: rows, "@odata.count": 3000 });
  const bytes = new TextEncoder().encode(body);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 8191) pieces.push(bytes.subarray(at, at + 8191));
  const result = await readPieces(pieces, "v4", 0);
  assert.deepEqual(result.batches.flat(), rows);
  assert.deepEqual(result.annotations, { count: 3000 });
});

test("nested objects that begin like the entities, and such text in strings, are cut correctly", async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => ({
    ID: i,
    Text: i % 2 === 0 ? '},{"ID":99,' : "x",
    Children: [{ ID: i * 10, Children: [{ ID: 1 }, { ID: 2 }] }, { ID: i * 10 + 1 }],
  }));
  const body = JSON.stringify({ value: rows });
  const bytes = new TextEncoder().encode(body);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 6007) pieces.push(bytes.subarray(at, at + 6007));
  const result = await readPieces(pieces, "v4", 0);
  assert.deepEqual(result.batches.flat(), rows);
});

test("a broken entity deep inside a big chunk is reported with its index and offset", async () => {
  const rows = Array.from({ length: 400 }, (_, i) => JSON.stringify({ ID: i, Name: `row ${i}` }));
  rows[300] = '{"ID":300,"Name":row}';
  const body = `{"value":[${rows.join(",")}]}`;
  const offset = body.indexOf('{"ID":300');
  const result = readPieces([body], "v4", 0);
  await assert.rejects(result, (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, new RegExp(`entity 300 of the array, at character offset ${offset}, does not parse`));
    return true;
  });
});

test("a pretty-printed body is read in incremental mode", async () => {
  const rows = Array.from({ length: 400 }, (_, i) => ({ ID: i, Name: `row ${i}`, Address: { City: "Berlin", Lines: ["a", "b"] } }));
  const body = JSON.stringify({ "@odata.count": 400, value: rows, "@odata.nextLink": "next" }, null, 2);
  const bytes = new TextEncoder().encode(body);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 5000) pieces.push(bytes.subarray(at, at + 5000));
  const result = await readPieces(pieces, "v4", 0);
  assert.deepEqual(result.batches.flat(), rows);
  assert.deepEqual(result.annotations, { count: 400, nextLink: "next" });
});

function piecesOf(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return pieces;
}

// Escapes, a 2-byte and a 4-byte character and a line break, repeated to well over 256 KiB.
const bigText = 'q"\\é\n😀 \\"'.repeat(60_000);

test("an entity larger than 256 KiB with escapes split across chunks is read like JSON.parse", async () => {
  const rows = [{ ID: 1 }, { ID: 2, Blob: bigText, Deep: { List: [[{ a: "]" }], { b: "}" }] } }, { ID: 3 }];
  const body = JSON.stringify({ value: rows, "@odata.nextLink": "n" });
  for (const size of [4093, 7919]) {
    const result = await readPieces(piecesOf(body, size), "v4", 0);
    assert.deepEqual(result.batches.flat(), rows, `pieces of ${size} bytes`);
    assert.deepEqual(result.annotations, { nextLink: "n" });
  }
});

test("a large entity that ends the array is followed by the annotations", async () => {
  const rows = [{ ID: 1 }, { ID: 2, Blob: bigText }];
  const body = JSON.stringify({ "@odata.count": 2, value: rows, "@odata.deltaLink": "d" });
  const result = await readPieces(piecesOf(body, 8192), "v4", 0);
  assert.deepEqual(result.batches.flat(), rows);
  assert.deepEqual(result.annotations, { count: 2, deltaLink: "d" });
});

test("a large annotation before value is read whole, for the page", async () => {
  const body = JSON.stringify({ "@Custom.big": { text: bigText, list: [1, 2, 3] }, "@odata.count": 1, value: [{ ID: 1 }] });
  const result = await readPieces(piecesOf(body, 8192), "v4", 0);
  assert.deepEqual(result.batches.flat(), [{ ID: 1 }]);
  assert.deepEqual(result.annotations, { count: 1, others: { "@Custom.big": { text: bigText, list: [1, 2, 3] } } });
});

test("a trailing comma after a large entity rejects with BAD_PAYLOAD", async () => {
  const body = `{"value":[${JSON.stringify({ Blob: bigText })},]}`;
  await assert.rejects(readPieces(piecesOf(body, 8192), "v4", 0), (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, new RegExp(`trailing comma\\) at character offset ${body.length - 2}`));
    return true;
  });
});

test("a body cut off inside a large entity rejects with BAD_PAYLOAD", async () => {
  const body = `{"value":[${JSON.stringify({ Blob: bigText })}`.slice(0, -20);
  await assert.rejects(readPieces(piecesOf(body, 8192), "v4", 0), (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, new RegExp(`ended early, after ${body.length} characters, inside the entity array`));
    return true;
  });
});

test("a large v2 body beyond bufferLimit is read like JSON.parse, __count and __next after results", async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => ({
    __metadata: { uri: `https://host/svc/Products(${i})`, type: "NS.Product", etag: `W/"${i}"` },
    ID: i,
    Name: `Product ${i}`,
    ReleaseDate: `/Date(${1700000000000 + i})/`,
    Category: { __deferred: { uri: `https://host/svc/Products(${i})/Category` } },
  }));
  const body = JSON.stringify({ d: { results: rows, __count: "3000", __next: "https://host/svc/Products?$skiptoken=3000" } });
  const result = await readPieces(piecesOf(body, 8192), "v2", 64 * 1024);
  assert.ok(result.batches.length > 1);
  assert.deepEqual(result.batches.flat(), rows);
  assert.deepEqual(result.annotations, { count: 3000, nextLink: "https://host/svc/Products?$skiptoken=3000" });
});

test("a body within bufferLimit is yielded as one batch", async () => {
  const body = JSON.stringify({ value: products });
  const result = await readPieces(cutAt(body, [10, 30, 50]), "v4", 1 << 20);
  assert.equal(result.batches.length, 1);
  assert.deepEqual(result.batches[0], products);
});

test("an empty value array yields nothing and returns the annotations", async () => {
  for (const bufferLimit of [0, 1 << 20]) {
    const result = await readPieces(['{"value":[ ],"@odata.count":0}'], "v4", bufferLimit);
    assert.deepEqual(result.batches, []);
    assert.deepEqual(result.annotations, { count: 0 });
  }
});

test("a UTF-8 byte order mark before the body is ignored in both modes", async () => {
  for (const bufferLimit of [0, 1 << 20]) {
    const result = await readPieces([Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xbf), '{"value":[1,2]}'], "v4", bufferLimit);
    assert.deepEqual(result.batches.flat(), [1, 2]);
  }
});

test("a truncated body rejects with BAD_PAYLOAD naming where it ended (incremental)", async () => {
  await rejectsWithBadPayload('{"value":[{"ID":1},{"ID":2', "v4", 0, /ended early, after 26 characters, inside the entity array/);
});

test("a truncated body rejects with BAD_PAYLOAD naming the position (whole text)", async () => {
  await rejectsWithBadPayload('{"value":[{"ID":1},{"ID":2', "v4", 1 << 20, /not valid JSON \(26 characters\)/);
});

test("an HTML body rejects with BAD_PAYLOAD at offset 0 in incremental mode", async () => {
  await rejectsWithBadPayload("<html><body>Service Unavailable</body></html>", "v4", 0, /expected "\{" but found "<" at character offset 0/);
});

test("an HTML body rejects with BAD_PAYLOAD in whole-text mode", async () => {
  await rejectsWithBadPayload("<html>oops</html>", "v4", 1 << 20, /not valid JSON/);
});

test("a body without a value array rejects with BAD_PAYLOAD in both modes", async () => {
  await rejectsWithBadPayload('{"@odata.context":"x","items":[1]}', "v4", 0, /no "value" member/);
  await rejectsWithBadPayload('{"@odata.context":"x","items":[1]}', "v4", 1 << 20, /no "value" member/);
});

test("a value that is not an array rejects with BAD_PAYLOAD in both modes", async () => {
  await rejectsWithBadPayload('{"value":{"ID":1}}', "v4", 0, /"value" must be an array but starts with "\{" at character offset 9/);
  await rejectsWithBadPayload('{"value":{"ID":1}}', "v4", 1 << 20, /"value" is an object, not an array/);
});

test("a v2 body without results rejects with BAD_PAYLOAD in both modes", async () => {
  await rejectsWithBadPayload('{"d":{"ID":1,"Name":"single entity"}}', "v2", 0, /no "d.results" member/);
  await rejectsWithBadPayload('{"d":{"ID":1,"Name":"single entity"}}', "v2", 1 << 20, /no "d.results" member/);
});

test("a trailing comma in the entity array rejects with BAD_PAYLOAD and its offset", async () => {
  await rejectsWithBadPayload('{"value":[{"ID":1},]}', "v4", 0, /trailing comma\) at character offset 19/);
});

test("a broken entity rejects with BAD_PAYLOAD and the offset of the fault", async () => {
  await rejectsWithBadPayload('{"value":[{"ID":1},{"ID":tru},{"ID":3}]}', "v4", 0, /entity 1 of the array, at character offset 19, does not parse/);
});

test("data after the closing brace rejects with BAD_PAYLOAD", async () => {
  await rejectsWithBadPayload('{"value":[]} {"value":[]}', "v4", 0, /unexpected "\{" after the end of the JSON object at character offset 13/);
});

test("a count that is not a number rejects with BAD_PAYLOAD", async () => {
  await rejectsWithBadPayload('{"d":{"__count":"many","results":[]}}', "v2", 0, /"__count" is the string "many", not a count/);
});

test("a negative bufferLimit is refused with a RangeError", async () => {
  const stream = new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  await assert.rejects(readCollectionBody(stream, "v4", { bufferLimit: -1 }).next(), {
    name: "RangeError",
    message: 'option "bufferLimit" must be a number of bytes >= 0; got -1',
  });
});

/** A server that sends the start of a huge page, then waits; it reports when the client hangs up. */
function hangingPage(firstPart: string): { handler: Handler; closed: Promise<boolean> } {
  let reportClosed: (value: boolean) => void = () => undefined;
  const closed = new Promise<boolean>((resolve) => (reportClosed = resolve));
  const handler: Handler = async (response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.write(firstPart);
    response.on("close", () => reportClosed(!response.writableFinished));
    // Never ends by itself; only the client can close it.
  };
  return { handler, closed };
}

test("breaking out of for await cancels the body and the server sees the connection closed", async () => {
  const rows = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ ID: i, Name: `row ${i}` }));
  const { handler, closed } = hangingPage(`{"value":[${rows.join(",")},`);
  await withServer(handler, async (url) => {
    const response = await fetch(url);
    assert.ok(response.body);
    let seen = 0;
    for await (const batch of readCollectionBody(response.body, "v4", { bufferLimit: 1024 })) {
      seen += batch.length;
      break;
    }
    assert.ok(seen > 0);
    const closedBeforeEnd = await Promise.race([closed, delay(2000).then(() => "timeout")]);
    assert.equal(closedBeforeEnd, true);
  });
});

test("a payload error mid-stream cancels the body and the server sees the connection closed", async () => {
  const { handler, closed } = hangingPage('{"value":[{"ID":1},{"ID":2},oops,');
  await withServer(handler, async (url) => {
    const response = await fetch(url);
    assert.ok(response.body);
    await assert.rejects(readFromBody(response.body), { code: "BAD_PAYLOAD" });
    const closedBeforeEnd = await Promise.race([closed, delay(2000).then(() => "timeout")]);
    assert.equal(closedBeforeEnd, true);
  });
});

async function readFromBody(body: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const batch of readCollectionBody(body, "v4", { bufferLimit: 0 })) all.push(...batch);
  return all;
}

// An element left empty, `[,` or `,,`, where a piece of the body ends at its comma: the run before
// the comma is empty, and `[]` parses, so the scanner has to refuse it itself, as it does when the
// piece goes on past the comma. The rows before it are handed on; the read then rejects.
for (const [label, head, rest, end] of [
  ["a leading comma", '{"value":[,', '{"ID":1}', "]}"],
  ["two commas", '{"value":[{"ID":1},', ',{"ID":2}', "]}"],
  ["two commas after a run of rows", `{"value":[${Array.from({ length: 50 }, (_, i) => `{"ID":${i}}`).join(",")},`, ',{"ID":99}', "]}"],
] as const) {
  // The piece after the comma holds no other comma and no `]`, so the run ends at that comma.
  test(`${label} where a piece ends at the comma rejects with BAD_PAYLOAD, as in one piece`, async () => {
    for (const pieces of [[head, rest, end], [head + rest + end]]) {
      await assert.rejects(readPieces(pieces, "v4", 0), (error: unknown) => {
        assert.ok(error instanceof ODataClientError, String(error));
        assert.equal(error.code, "BAD_PAYLOAD");
        assert.match(error.message, /is missing|not valid JSON|does not parse/);
        return true;
      });
    }
  });
}
