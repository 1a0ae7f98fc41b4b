// An OData v2 Atom property marked null with `m:null="1"` was not read as null: only "true" was
// taken, so the empty text was read as the property's type ("" for a string, BAD_PAYLOAD for an
// Edm.Int32 or Edm.DateTime). The attribute is an XML Schema boolean, whose lexical forms are
// "true", "1", "false" and "0" (whitespace collapsed); all of them are read as such now, on a
// page, list(), first() and an entity's get().
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendText, serveClient } from "./servers/recording-server.js";

const NAMESPACES = 'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"';
const properties =
  '<m:properties><d:ID m:type="Edm.Int32">1</d:ID><d:Name m:null="1"/><d:Stock m:type="Edm.Int32" m:null="1"></d:Stock>' +
  '<d:Born m:type="Edm.DateTime" m:null=" true "/><d:Note m:null="0">kept</d:Note><d:Empty m:null="false"></d:Empty></m:properties>';
const entry = (namespaces = "") => `<entry${namespaces}><id>Suppliers(1)</id><content type="application/xml">${properties}</content></entry>`;
const EXPECTED = { ID: 1, Name: null, Stock: null, Born: null, Note: "kept", Empty: "" };

/** The entity's own members (its `__metadata` and the like left out). */
const plain = (entity: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(entity ?? {}).filter(([name]) => !name.startsWith("__") && !name.includes("@")));

test('a v2 Atom feed\'s m:null="1" (and " true ") is null, "0" and "false" are not: page(), list(), first()', async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, `<feed ${NAMESPACES}>${entry()}</feed>`, { "content-type": "application/atom+xml;type=feed" }), { version: "2.0" });
  const suppliers = client.collection("Suppliers");
  assert.deepEqual(plain((await suppliers.page()).value[0]), EXPECTED);
  assert.deepEqual(plain((await suppliers.list())[0]), EXPECTED);
  assert.deepEqual(plain(await suppliers.first()), EXPECTED);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers", "/odata/Suppliers", "/odata/Suppliers?$top=1"]);
});

test('a v2 Atom entry\'s m:null="1" is null: key().get()', async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, entry(` ${NAMESPACES}`), { "content-type": "application/atom+xml;type=entry" }), { version: "2.0" });
  assert.deepEqual(plain(await client.collection("Suppliers").key(1).get()), EXPECTED);
  assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Suppliers(1)"]);
});
