/**
 * `parseMetadata` of a document as bytes (a file read without an encoding): decoded as the client's
 * `metadata()` decodes an answer, by its byte order mark, a UTF-16 start or its XML declaration,
 * else as UTF-8; CSDL JSON as bytes too. A Uint8Array of another realm and a Buffer are bytes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { ODataClientError, parseMetadata } from "../src/index.js";

const EDMX = (declaration: string) =>
  `${declaration}<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0"><edmx:DataServices>` +
  '<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Lager"><EntityType Name="Maß"><Key><PropertyRef Name="ID"/></Key>' +
  '<Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Größe" Type="Edm.String"/></EntityType>' +
  '<EntityContainer Name="C"><EntitySet Name="Maße" EntityType="Lager.Maß"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>';

/** Text as ISO-8859-1 bytes (every character below U+0100). */
function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

function utf16le(text: string, bom: boolean): Uint8Array {
  const bytes = Buffer.from(text, "utf16le");
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), bytes]) : bytes;
}

/** The set's type and its property names, as the model read them. */
function read(metadata: Parameters<typeof parseMetadata>[0]): [string | undefined, string[]] {
  const model = parseMetadata(metadata);
  const type = model.entitySet("Maße")?.entityType;
  return [type, type === undefined ? [] : (model.entityType(type)?.properties.map((property) => property.name) ?? [])];
}

const EXPECTED: [string, string[]] = ["Lager.Maß", ["ID", "Größe"]];

test("EDMX bytes in ISO-8859-1 are decoded by the XML declaration's encoding", () => {
  assert.deepEqual(read(latin1(EDMX('<?xml version="1.0" encoding="ISO-8859-1"?>'))), EXPECTED);
});

test("EDMX bytes in UTF-16 are decoded by the byte order mark, or by the zero bytes of a start without one", () => {
  assert.deepEqual(read(utf16le(EDMX('<?xml version="1.0" encoding="UTF-16"?>'), true)), EXPECTED);
  assert.deepEqual(read(utf16le(EDMX(""), false)), EXPECTED);
});

test("UTF-8 bytes, with or without a byte order mark, and a Buffer, read as the text would", () => {
  const text = EDMX('<?xml version="1.0" encoding="utf-8"?>');
  assert.deepEqual(read(new TextEncoder().encode(text)), EXPECTED);
  assert.deepEqual(read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), EXPECTED);
  assert.deepEqual(read(text), EXPECTED);
});

test("CSDL JSON as bytes is read as its text is", () => {
  const csdl = {
    $Version: "4.01",
    $EntityContainer: "Lager.C",
    Lager: { Maß: { $Kind: "EntityType", $Key: ["ID"], ID: { $Type: "Edm.Int32" }, Größe: {} }, C: { $Kind: "EntityContainer", Maße: { $Collection: true, $Type: "Lager.Maß" } } },
  };
  assert.deepEqual(read(new TextEncoder().encode(JSON.stringify(csdl))), EXPECTED);
});

test("a Uint8Array of another realm is bytes too", () => {
  const foreign = runInNewContext("Uint8Array.from(bytes)", { bytes: latin1(EDMX('<?xml version="1.0" encoding="ISO-8859-1"?>')) }) as Uint8Array;
  assert.equal(foreign instanceof Uint8Array, false);
  assert.deepEqual(read(foreign), EXPECTED);
});

test("an ArrayBuffer (what response.arrayBuffer() gives) is the same bytes", () => {
  const bytes = latin1(EDMX('<?xml version="1.0" encoding="ISO-8859-1"?>'));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  assert.deepEqual(read(buffer), EXPECTED);
});

test("other binary data is still refused with BAD_METADATA, naming it", () => {
  const error = (() => {
    try {
      parseMetadata(new Uint16Array(4));
    } catch (caught) {
      return caught;
    }
    return undefined;
  })();
  assert.ok(error instanceof ODataClientError, String(error));
  assert.equal(error.code, "BAD_METADATA");
  assert.match(error.message, /binary data, not an object/);
});
