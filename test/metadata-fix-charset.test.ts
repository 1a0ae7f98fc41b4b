/**
 * `$metadata` decoded in the encoding its answer and its document declare: a byte order mark, the
 * Content-Type's charset, the XML declaration's encoding (RFC 7303, XML 1.0 §4.3.3 and Appendix
 * F), else UTF-8; CSDL JSON as UTF-8 whatever its label says (RFC 8259 §8.1).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, type ServiceModel } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

/** A v4 EDMX document with a non-ASCII property name and description, declaring `encoding` (none if undefined). */
function edmx(encoding: string | undefined): string {
  const declaration = encoding === undefined ? "" : `<?xml version="1.0" encoding="${encoding}"?>`;
  return `${declaration}<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="N" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="T"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.Int32" Nullable="false"/><Property Name="Größe" Type="Edm.String"/><Annotation Term="Core.Description" String="Größe in €"/></EntityType><EntityContainer Name="C"><EntitySet Name="S" EntityType="N.T"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

/** The same document as CSDL JSON. */
const CSDL_JSON = JSON.stringify({
  $Version: "4.0",
  $EntityContainer: "N.C",
  N: {
    T: { $Kind: "EntityType", $Key: ["id"], id: { $Type: "Edm.Int32" }, Größe: { $Nullable: true }, "@Org.OData.Core.V1.Description": "Größe in €" },
    C: { $Kind: "EntityContainer", S: { $Collection: true, $Type: "N.T" } },
  },
});

/** Serves `body` as `$metadata` with `contentType`; the model the client reads from it, and the requests the server saw. */
async function metadataServedAs(t: { after(fn: () => unknown): void }, body: Uint8Array, contentType: string): Promise<{ model: ServiceModel; paths: string[] }> {
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": contentType, "content-length": body.byteLength, "odata-version": "4.0" });
    res.end(body);
  });
  t.after(() => server.close());
  const model = await new ODataClient({ serviceUrl: server.url("svc/") }).metadata();
  return { model, paths: server.requests.map((request) => request.path) };
}

function readsGroesse(model: ServiceModel): void {
  const type = model.entityType("N.T");
  assert.ok(type);
  assert.equal(model.propertiesOf(type)[1]?.name, "Größe");
  assert.equal(model.annotation(type, "Core.Description"), "Größe in €");
}

/** `text` in a single-byte code page: each character its code unit, with `€` at `euro`. */
function singleByte(text: string, euro: number): Uint8Array {
  return Uint8Array.from(text, (c) => (c === "€" ? euro : c.charCodeAt(0)));
}

function utf16(text: string, order: "le" | "be", bom: boolean): Uint8Array {
  const le = Buffer.from(text, "utf16le");
  const bytes = order === "le" ? le : Buffer.from(le).swap16();
  return new Uint8Array(bom ? Buffer.concat([Buffer.from(order === "le" ? [0xff, 0xfe] : [0xfe, 0xff]), bytes]) : bytes);
}

test("$metadata in ISO-8859-15, labelled so in the Content-Type and its declaration, is read in that encoding", async (t) => {
  const { model, paths } = await metadataServedAs(t, singleByte(edmx("ISO-8859-15"), 0xa4), "application/xml;charset=iso-8859-15");
  assert.deepEqual(paths, ["/svc/$metadata"]);
  readsGroesse(model);
});

test("$metadata in windows-1252 named only by the Content-Type's charset is read in windows-1252", async (t) => {
  readsGroesse((await metadataServedAs(t, singleByte(edmx(undefined), 0x80), 'application/xml; charset="windows-1252"')).model);
});

test("$metadata without a charset parameter is read in the encoding its XML declaration names", async (t) => {
  readsGroesse((await metadataServedAs(t, singleByte(edmx("windows-1252"), 0x80), "application/xml")).model);
});

test("the Content-Type's charset wins over the XML declaration (RFC 7303)", async (t) => {
  readsGroesse((await metadataServedAs(t, singleByte(edmx("UTF-8"), 0x80), "application/xml;charset=windows-1252")).model);
});

test("$metadata in UTF-16 with a byte order mark is read, little- and big-endian, labelled utf-16 or not labelled", async (t) => {
  readsGroesse((await metadataServedAs(t, utf16(edmx("UTF-16"), "le", true), "application/xml;charset=utf-16")).model);
  readsGroesse((await metadataServedAs(t, utf16(edmx("UTF-16"), "be", true), "application/xml;charset=utf-16")).model);
  readsGroesse((await metadataServedAs(t, utf16(edmx("UTF-16"), "be", true), "application/xml")).model);
});

test("$metadata in UTF-16 without a byte order mark is told by its zero bytes (XML 1.0 Appendix F)", async (t) => {
  readsGroesse((await metadataServedAs(t, utf16(edmx("UTF-16"), "be", false), "application/xml")).model);
  readsGroesse((await metadataServedAs(t, utf16(edmx("UTF-16"), "le", false), "application/xml;charset=utf-16")).model);
});

test("a byte order mark wins over a charset that contradicts it", async (t) => {
  readsGroesse((await metadataServedAs(t, utf16(edmx(undefined), "le", true), "application/xml;charset=utf-8")).model);
});

test("UTF-8 stays the default, and a charset this runtime does not know is passed over for the declaration", async (t) => {
  readsGroesse((await metadataServedAs(t, new TextEncoder().encode(edmx(undefined)), "application/xml")).model);
  readsGroesse((await metadataServedAs(t, singleByte(edmx("windows-1252"), 0x80), "application/xml;charset=x-no-such-encoding")).model);
});

test("CSDL JSON is read as UTF-8 whatever charset its label gives, and in UTF-16 when a byte order mark says so", async (t) => {
  readsGroesse((await metadataServedAs(t, new TextEncoder().encode(CSDL_JSON), "application/json;charset=iso-8859-1")).model);
  readsGroesse((await metadataServedAs(t, utf16(CSDL_JSON, "le", true), "application/json")).model);
});
