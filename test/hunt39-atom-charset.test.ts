// An OData v2 Atom answer is XML, which need not be UTF-8: a service that labels its feed or entry
// `charset=iso-8859-1` (or windows-1252) is read in that charset, as a `$batch` part, an error body
// and a raw value already are. Read as UTF-8, every non-ASCII character of such a feed became
// U+FFFD without an error: a page, a walk, `first()` (which scans the feed as it arrives), `get()`
// of one entry, an Atom delta page, and the entry a write is answered with.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serveClient, type Handler } from "./servers/recording-server.js";

const NAMESPACES = 'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"';
// "Müller & Söhne – 5 €": in windows-1252, the dash and the euro sign are bytes 0x96 and 0x80.
const NAME = "M\u00fcller & S\u00f6hne \u2013 5 \u20ac";
const entry = (id: number) => `<entry><id>Suppliers(${id})</id><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">${id}</d:ID><d:Name>${NAME.replace("&", "&amp;")}</d:Name></m:properties></content></entry>`;
const FEED = `<?xml version="1.0" encoding="windows-1252"?><feed ${NAMESPACES}>${entry(1)}${entry(2)}<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/delta" href="Suppliers?!deltatoken='7'"/></feed>`;
const ENTRY = `<?xml version="1.0" encoding="windows-1252"?>${entry(1).replace("<entry>", `<entry ${NAMESPACES}>`)}`;

/** Answers `xml` encoded as windows-1252 (`TextEncoder` has no such encoding: each character's byte). */
function windows1252(xml: string, type: string, status = 200): Handler {
  const bytes = Buffer.from(
    [...xml].map((c) => {
      const byte = ({ "\u20ac": 0x80, "\u2013": 0x96 } as Record<string, number>)[c] ?? c.charCodeAt(0);
      assert.ok(byte < 0x100, `no windows-1252 byte for ${c}`);
      return byte;
    }),
  );
  return (_request, res) => {
    res.writeHead(status, { "content-type": type, "content-length": bytes.length });
    res.end(bytes);
  };
}

const names = (entities: ReadonlyArray<Record<string, unknown>>) => entities.map((entity) => entity["Name"]);

test("a v2 Atom page labelled charset=iso-8859-1 is read in that charset: page(), list() and first()", async (t) => {
  const { server, client } = await serveClient(t, windows1252(FEED, "application/atom+xml;type=feed;charset=iso-8859-1"), { version: "2.0" });
  const suppliers = client.collection("Suppliers");
  assert.deepEqual(names((await suppliers.page()).value), [NAME, NAME]);
  assert.deepEqual(names(await suppliers.list()), [NAME, NAME]);
  assert.equal((await suppliers.first())?.["Name"], NAME);
  assert.deepEqual(
    server.requests.map((request) => request.path),
    ["/odata/Suppliers", "/odata/Suppliers", "/odata/Suppliers?$top=1"],
  );
});

test("a v2 Atom entry labelled charset=windows-1252 is read in that charset by get()", async (t) => {
  const { server, client } = await serveClient(t, windows1252(ENTRY, "application/atom+xml;type=entry;charset=windows-1252"), { version: "2.0" });
  const supplier = await client.collection("Suppliers").key(1).get();
  assert.equal(supplier["Name"], NAME);
  assert.equal(supplier["ID"], 1);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers(1)"]);
});

test('a v2 Atom delta page (format: "atom") labelled charset=iso-8859-1 is read in that charset', async (t) => {
  const { server, client } = await serveClient(t, windows1252(FEED, "application/atom+xml;type=feed;charset=iso-8859-1"), { version: "2.0" });
  const pages = [];
  for await (const page of client.delta("Suppliers?!deltatoken='6'", { format: "atom" })) pages.push(page);
  assert.equal(pages.length, 1);
  assert.deepEqual(names(pages[0]!.changed as Record<string, unknown>[]), [NAME, NAME]);
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]!.headers.accept, "application/atom+xml");
});

test("an Atom page without a charset is still read as UTF-8, a byte order mark dropped", async (t) => {
  const utf8 = Buffer.from(`\ufeff${FEED.replace("windows-1252", "utf-8")}`, "utf8");
  const { server, client } = await serveClient(
    t,
    (_request, res) => {
      res.writeHead(200, { "content-type": "application/atom+xml;type=feed", "content-length": utf8.length });
      res.end(utf8);
    },
    { version: "2.0" },
  );
  const suppliers = client.collection("Suppliers");
  assert.deepEqual(names(await suppliers.list()), [NAME, NAME]);
  assert.equal((await suppliers.first())?.["Name"], NAME);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers", "/odata/Suppliers?$top=1"]);
});

test("a v2 create answered 201 with an Atom entry labelled charset=windows-1252 resolves with the entry read in that charset", async (t) => {
  const { server, client } = await serveClient(t, windows1252(ENTRY, "application/atom+xml;type=entry;charset=windows-1252", 201), { version: "2.0" });
  const created = await client.collection("Suppliers").create({ ID: 1, Name: NAME });
  assert.equal(created?.["Name"], NAME);
  assert.equal(created?.["ID"], 1);
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["POST /odata/Suppliers"]);
  // What was sent is JSON, UTF-8.
  assert.equal((JSON.parse(server.requests[0]!.body) as { Name: string }).Name, NAME);
});
