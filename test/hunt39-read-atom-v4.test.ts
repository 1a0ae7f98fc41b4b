// A service that answers OData v4's Atom format (OData Atom Format 4.0: properties in the OASIS
// namespaces, `http://docs.oasis-open.org/odata/ns/{data,metadata}`) in place of the JSON asked for
// gave entities without a single property: the Atom reader knows v2's namespaces alone and passed
// over every element of the others, so a page, a walk, first() and get() resolved with entities that
// held only an `__metadata` made from the Atom id, and the count was lost, all without an error.
// Such an answer is refused with BAD_PAYLOAD naming the request; v2 Atom reads as before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { clientRejection, sendText, serveClient } from "./servers/recording-server.js";

const V4_NAMESPACES = 'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://docs.oasis-open.org/odata/ns/data" xmlns:m="http://docs.oasis-open.org/odata/ns/metadata"';
const V4_ENTRY = `<entry><id>http://host/svc/Books(1)</id><link rel="edit" href="Books(1)"/><content type="application/xml"><m:properties><d:ID m:type="Int32">1</d:ID><d:title>Emma</d:title></m:properties></content></entry>`;
const V4_FEED = `<?xml version="1.0" encoding="utf-8"?><feed ${V4_NAMESPACES} m:context="http://host/svc/$metadata#Books"><m:count>1</m:count>${V4_ENTRY}</feed>`;
const V4_ENTRY_DOCUMENT = `<?xml version="1.0" encoding="utf-8"?>${V4_ENTRY.replace("<entry>", `<entry ${V4_NAMESPACES} m:context="http://host/svc/$metadata#Books/$entity">`)}`;
const ATOM_FEED = "application/atom+xml;type=feed;charset=utf-8";

function isV4AtomRefusal(path: string) {
  return (error: ODataClientError): void => {
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, new RegExp(`^GET http://127\\.0\\.0\\.1:\\d+${path.replace(/[$()?]/g, "\\$&")}: `));
    assert.match(error.message, /OData v4's Atom/);
    assert.match(error.message, /http:\/\/docs\.oasis-open\.org\/odata\/ns\/metadata/);
  };
}

for (const version of ["4.0", "2.0"] as const) {
  test(`a ${version} client refuses a page of OData v4 Atom (page, list, first, stream) rather than give entities without properties`, async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, V4_FEED, { "content-type": ATOM_FEED }), { version });
    const books = client.collection("Books");
    isV4AtomRefusal("/odata/Books")(await clientRejection(books.page()));
    isV4AtomRefusal("/odata/Books")(await clientRejection(books.list()));
    isV4AtomRefusal("/odata/Books?$top=1")(await clientRejection(books.first()));
    const streamed: unknown[] = [];
    const walking = (async () => {
      for await (const book of books.stream()) streamed.push(book);
    })();
    isV4AtomRefusal("/odata/Books")(await clientRejection(walking));
    assert.deepEqual(streamed, []);
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path} ${request.headers.accept}`),
      ["GET /odata/Books application/json", "GET /odata/Books application/json", "GET /odata/Books?$top=1 application/json", "GET /odata/Books application/json"],
    );
  });

  test(`a ${version} client refuses an entry of OData v4 Atom answering get()`, async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, V4_ENTRY_DOCUMENT, { "content-type": "application/atom+xml;type=entry" }), { version });
    isV4AtomRefusal("/odata/Books(1)")(await clientRejection(client.collection("Books").key(1).get()));
    assert.equal(server.requests.length, 1);
  });
}

test("OData v2 Atom is read as before: its properties, its count", async (t) => {
  const v2 = V4_FEED.replaceAll("http://docs.oasis-open.org/odata/ns/data", "http://schemas.microsoft.com/ado/2007/08/dataservices")
    .replaceAll("http://docs.oasis-open.org/odata/ns/metadata", "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata")
    .replace('m:type="Int32"', 'm:type="Edm.Int32"')
    .replace(/ m:context="[^"]*"/, "");
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, v2, { "content-type": ATOM_FEED }), { version: "2.0" });
  const page = await client.collection("Books").page();
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Books"]);
  assert.equal(page.count, 1);
  assert.deepEqual(
    page.value.map(({ ID, title }) => ({ ID, title })),
    [{ ID: 1, title: "Emma" }],
  );
});
