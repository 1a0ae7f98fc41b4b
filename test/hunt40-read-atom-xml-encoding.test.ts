// An OData v2 Atom answer whose Content-Type names no `charset` is in the encoding its own bytes
// tell (RFC 7303 §3.2, XML 1.0 §4.3.3 and Appendix F): a byte order mark first, then the XML
// declaration's `encoding`, then UTF-8 — the rule `$metadata` is read by. Read as UTF-8 whatever it
// said, a feed declared `encoding="ISO-8859-1"` lost every non-ASCII character to U+FFFD, and a
// UTF-16 feed (with its byte order mark) could not be read at all: a page, `first()` (which
// decodes the feed as it arrives, so the first bytes decide), `get()`, an Atom delta page, the
// entry a create is answered with, and an XML error's message. JSON stays UTF-8 whatever it says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { ODataHttpError } from "../src/index.js";
import { serveClient, type Handler } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const NAMESPACES = 'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"';
const NAME = "M\u00fcller & S\u00f6hne \u00e0 5 \u00a3";
const entry = (id: number) => `<entry><id>Suppliers(${id})</id><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">${id}</d:ID><d:Name>${NAME.replace("&", "&amp;")}</d:Name></m:properties></content></entry>`;
const feed = (declaration: string) => `${declaration}<feed ${NAMESPACES}>${entry(1)}${entry(2)}<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/delta" href="Suppliers?!deltatoken='7'"/></feed>`;
const LATIN1_FEED = feed('<?xml version="1.0" encoding="ISO-8859-1"?>');
const LATIN1_ENTRY = `<?xml version="1.0" encoding="ISO-8859-1"?>${entry(1).replace("<entry>", `<entry ${NAMESPACES}>`)}`;

/** Answers `bytes` with `type`, in pieces of `piece` bytes a few milliseconds apart where given. */
function answer(bytes: Uint8Array, type: string, { status = 200, piece }: { status?: number; piece?: number } = {}): Handler {
  return async (_request, res) => {
    res.writeHead(status, { "content-type": type, "content-length": bytes.length });
    if (piece === undefined) return void res.end(bytes);
    for (let at = 0; at < bytes.length; at += piece) {
      res.write(bytes.subarray(at, at + piece));
      await sleep(2);
    }
    res.end();
  };
}

const latin1 = (text: string) => Buffer.from(text, "latin1");
const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
const names = (entities: ReadonlyArray<Record<string, unknown>>) => entities.map((entity) => entity["Name"]);

test('a v2 Atom page without a charset, declared encoding="ISO-8859-1", is read in it: page(), list() and first()', async (t) => {
  const { server, client } = await serveClient(t, answer(latin1(LATIN1_FEED), "application/atom+xml;type=feed"), { version: "2.0" });
  const suppliers = client.collection("Suppliers");
  assert.deepEqual(names((await suppliers.page()).value), [NAME, NAME]);
  assert.deepEqual(names(await suppliers.list()), [NAME, NAME]);
  assert.equal((await suppliers.first())?.["Name"], NAME);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers", "/odata/Suppliers", "/odata/Suppliers?$top=1"]);
});

test("first() reads the declaration even when the feed arrives a few bytes at a time", async (t) => {
  const { server, client } = await serveClient(t, answer(latin1(LATIN1_FEED), "application/atom+xml;type=feed", { piece: 7 }), { version: "2.0" });
  assert.equal((await client.collection("Suppliers").first())?.["Name"], NAME);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers?$top=1"]);
});

test("a UTF-16 Atom page with its byte order mark and no charset is read: page() and first(), one byte at a time too", async (t) => {
  const bytes = utf16le(feed('<?xml version="1.0" encoding="utf-16"?>'));
  const { server, client } = await serveClient(t, answer(bytes, "application/atom+xml;type=feed", { piece: 1 }), { version: "2.0" });
  const suppliers = client.collection("Suppliers");
  assert.deepEqual(names((await suppliers.page()).value), [NAME, NAME]);
  assert.equal((await suppliers.first())?.["Name"], NAME);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers", "/odata/Suppliers?$top=1"]);
});

test('get() of a v2 Atom entry without a charset, declared encoding="ISO-8859-1", reads it in that encoding', async (t) => {
  const { server, client } = await serveClient(t, answer(latin1(LATIN1_ENTRY), "application/atom+xml;type=entry"), { version: "2.0" });
  const supplier = await client.collection("Suppliers").key(1).get();
  assert.equal(supplier["Name"], NAME);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers(1)"]);
});

test('an Atom delta page without a charset, declared encoding="ISO-8859-1", is read in that encoding', async (t) => {
  const { server, client } = await serveClient(t, answer(latin1(LATIN1_FEED), "application/atom+xml;type=feed"), { version: "2.0" });
  const pages = [];
  for await (const page of client.delta("Suppliers?!deltatoken='6'", { format: "atom" })) pages.push(page);
  assert.deepEqual(names(pages[0]!.changed as Record<string, unknown>[]), [NAME, NAME]);
  assert.equal(server.requests.length, 1);
});

test('a create answered 201 with an Atom entry without a charset, declared encoding="ISO-8859-1", resolves with it read in that encoding', async (t) => {
  const { server, client } = await serveClient(t, answer(latin1(LATIN1_ENTRY), "application/atom+xml;type=entry", { status: 201 }), { version: "2.0" });
  const created = await client.collection("Suppliers").create({ ID: 1, Name: NAME });
  assert.equal(created?.["Name"], NAME);
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["POST /odata/Suppliers"]);
});

test('an XML error without a charset, declared encoding="ISO-8859-1", has its message read in that encoding', async (t) => {
  const xml = `<?xml version="1.0" encoding="ISO-8859-1"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code>L2</code><message xml:lang="de">Gr\u00f6\u00dfe ung\u00fcltig</message></error>`;
  const { server, client } = await serveClient(t, answer(latin1(xml), "application/xml", { status: 400 }), { version: "2.0" });
  const error = await rejectionOf(client.collection("Products").key(1).get());
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.deepEqual(error.odataError, { code: "L2", message: "Gr\u00f6\u00dfe ung\u00fcltig" });
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Products(1)"]);
});

test("a JSON page is UTF-8 whatever it starts with: an XML-like declaration in a string does not change it", async (t) => {
  const body = Buffer.from(JSON.stringify({ d: { results: [{ ID: 1, Name: NAME }] } }), "utf8");
  const { server, client } = await serveClient(t, answer(body, "application/json"), { version: "2.0" });
  assert.deepEqual(names(await client.collection("Suppliers").list()), [NAME]);
  assert.equal(server.requests.length, 1);
});

test('a v2 $batch part in Atom without a charset, declared encoding="ISO-8859-1", is read in that encoding', async (t) => {
  const CRLF = "\r\n";
  const body = Buffer.concat([
    Buffer.from(`--b${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/atom+xml;type=entry${CRLF}${CRLF}`),
    latin1(LATIN1_ENTRY),
    Buffer.from(`${CRLF}--b--${CRLF}`),
  ]);
  const { server, client } = await serveClient(t, answer(body, "multipart/mixed; boundary=b"), { version: "2.0" });
  const batch = client.batch();
  const one = batch.get(client.collection("Suppliers").key(1));
  await batch.send();
  const result = one.result();
  assert.ok(result.ok, String(!result.ok && result.error));
  assert.equal((result.value as Record<string, unknown>)["Name"], NAME);
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["POST /odata/$batch"]);
  assert.match(server.requests[0]!.body, /^GET Suppliers\(1\) HTTP\/1\.1\r$/m);
});
