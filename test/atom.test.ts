import { test } from "node:test";
import assert from "node:assert/strict";
import { readAtomEntry, readAtomFeed } from "../src/payload/atom.js";
import { parseXml, textContent } from "../src/payload/xml.js";
import { ODataClientError } from "../src/errors.js";
import { ODataClient } from "../src/index.js";
import { sendText, startServer } from "./servers/recording-server.js";

// A page of a v2 feed as a service such as SAP Gateway or WCF Data Services writes it.
const feed = `<?xml version="1.0" encoding="utf-8"?>
<feed xml:base="https://host/sap/opu/odata/sap/SALES_SRV/"
      xmlns="http://www.w3.org/2005/Atom"
      xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
      xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices">
  <id>https://host/sap/opu/odata/sap/SALES_SRV/Products</id>
  <title type="text">Products</title>
  <updated>2024-03-01T10:00:00Z</updated>
  <author><name/></author>
  <link href="Products" rel="self" title="Products"/>
  <m:count>1234</m:count>
  <entry m:etag="W/&quot;datetime'2024-03-01T09%3A59%3A58.1234567'&quot;">
    <id>https://host/sap/opu/odata/sap/SALES_SRV/Products(1)</id>
    <category term="SALES.Product" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/>
    <link href="Products(1)" rel="edit" title="Product"/>
    <link href="Products(1)/Category" rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/Category" type="application/atom+xml;type=entry" title="Category"/>
    <title/>
    <updated>2024-03-01T10:00:00Z</updated>
    <author><name/></author>
    <content type="application/xml">
      <m:properties>
        <d:ID m:type="Edm.Int32">1</d:ID>
        <d:Name>Chai &amp; Biscuits &lt;tea&gt; &#233;&#x1F375;</d:Name>
        <d:Stock m:type="Edm.Int16">-5</d:Stock>
        <d:Flags m:type="Edm.Byte">255</d:Flags>
        <d:Offset m:type="Edm.SByte">-128</d:Offset>
        <d:Serial m:type="Edm.Int64">9007199254740993</d:Serial>
        <d:Price m:type="Edm.Decimal">18.000</d:Price>
        <d:Weight m:type="Edm.Double">0.25</d:Weight>
        <d:Ratio m:type="Edm.Single">1.5E2</d:Ratio>
        <d:Discontinued m:type="Edm.Boolean">false</d:Discontinued>
        <d:CreatedAt m:type="Edm.DateTime">2023-11-14T22:13:20</d:CreatedAt>
        <d:ChangedAt m:type="Edm.DateTimeOffset">2023-11-14T23:13:20.5+01:00</d:ChangedAt>
        <d:ShipTime m:type="Edm.Time">PT13H20M</d:ShipTime>
        <d:Guid m:type="Edm.Guid">005056a2-0c1b-1ede-a6b3-7e1a3c8e2f11</d:Guid>
        <d:Note m:null="true"/>
        <d:Description>  keeps its spaces  </d:Description>
        <d:Address m:type="SALES.Address">
          <d:Street>Main St. 1</d:Street>
          <d:Zip m:type="Edm.Int32">12345</d:Zip>
          <d:Geo m:type="SALES.Geo"><d:Lat m:type="Edm.Double">52.5</d:Lat><d:Lon m:type="Edm.Double">13.4</d:Lon></d:Geo>
        </d:Address>
      </m:properties>
    </content>
  </entry>
  <entry>
    <id>https://host/sap/opu/odata/sap/SALES_SRV/Products(2)</id>
    <category term="SALES.Product" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme"/>
    <link href="Products(2)" rel="edit" title="Product"/>
    <title/>
    <updated>2024-03-01T10:00:00Z</updated>
    <content type="application/xml">
      <m:properties>
        <d:ID m:type="Edm.Int32">2</d:ID>
        <d:Name><![CDATA[Chang <draft>]]></d:Name>
        <d:Stock m:type="Edm.Int16" m:null="true"/>
        <d:Flags m:type="Edm.Byte">0</d:Flags>
        <d:Offset m:type="Edm.SByte">7</d:Offset>
        <d:Serial m:type="Edm.Int64">-1</d:Serial>
        <d:Price m:type="Edm.Decimal">-0.5</d:Price>
        <d:Weight m:type="Edm.Double">-INF</d:Weight>
        <d:Ratio m:type="Edm.Single">0</d:Ratio>
        <d:Discontinued m:type="Edm.Boolean">true</d:Discontinued>
        <d:CreatedAt m:type="Edm.DateTime">2023-11-14T22:13:20.000</d:CreatedAt>
        <d:ChangedAt m:type="Edm.DateTimeOffset">2023-11-14T22:13:20Z</d:ChangedAt>
      </m:properties>
    </content>
  </entry>
  <link rel="next" href="Products?$skiptoken='2'"/>
</feed>`;

test("a feed gives one entity per entry", () => {
  const { entities } = readAtomFeed(feed);
  assert.deepEqual(entities.map((entity) => entity["ID"]), [1, 2]);
});

test("a feed's <m:count> and <link rel=next> become count and an absolute nextLink", () => {
  const { annotations } = readAtomFeed(feed);
  assert.deepEqual(annotations, { count: 1234, nextLink: "https://host/sap/opu/odata/sap/SALES_SRV/Products?$skiptoken='2'" });
});

test("an entry's __metadata carries id, edit uri resolved against xml:base, type and decoded etag", () => {
  const [first] = readAtomFeed(feed).entities;
  assert.deepEqual(first?.["__metadata"], {
    id: "https://host/sap/opu/odata/sap/SALES_SRV/Products(1)",
    uri: "https://host/sap/opu/odata/sap/SALES_SRV/Products(1)",
    type: "SALES.Product",
    etag: "W/\"datetime'2024-03-01T09%3A59%3A58.1234567'\"",
  });
});

test("typed property values become JavaScript values by their m:type", () => {
  const [first] = readAtomFeed(feed).entities;
  const { __metadata, Address, ...scalars } = first!;
  assert.deepEqual(scalars, {
    ID: 1,
    Name: "Chai & Biscuits <tea> é🍵",
    Stock: -5,
    Flags: 255,
    Offset: -128,
    Serial: "9007199254740993",
    Price: "18.000",
    Weight: 0.25,
    Ratio: 150,
    Discontinued: false,
    CreatedAt: "2023-11-14T22:13:20Z",
    ChangedAt: "2023-11-14T23:13:20.5+01:00",
    ShipTime: "PT13H20M",
    Guid: "005056a2-0c1b-1ede-a6b3-7e1a3c8e2f11",
    Note: null,
    Description: "  keeps its spaces  ",
  });
});

test("complex values become nested objects with their type in __metadata", () => {
  const [first] = readAtomFeed(feed).entities;
  assert.deepEqual(first?.["Address"], {
    __metadata: { type: "SALES.Address" },
    Street: "Main St. 1",
    Zip: 12345,
    Geo: { __metadata: { type: "SALES.Geo" }, Lat: 52.5, Lon: 13.4 },
  });
});

test("CDATA text, typed nulls, -INF, true and zero-fraction DateTime are read", () => {
  const second = readAtomFeed(feed).entities[1]!;
  assert.equal(second["Name"], "Chang <draft>");
  assert.equal(second["Stock"], null);
  assert.equal(second["Weight"], Number.NEGATIVE_INFINITY);
  assert.equal(second["Discontinued"], true);
  assert.equal(second["CreatedAt"], "2023-11-14T22:13:20Z");
  assert.equal(second["ChangedAt"], "2023-11-14T22:13:20Z");
});

test("navigation links that are not expanded are left out of the entity", () => {
  const [first] = readAtomFeed(feed).entities;
  assert.equal("Category" in first!, false);
});

test("prefixes other than d: and m:, and a default data namespace, are resolved by namespace URI", () => {
  const xml = `<a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:meta="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
    <meta:count>2</meta:count>
    <a:entry><a:content type="application/xml"><meta:properties xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices">
      <ID meta:type="Edm.Int32">7</ID><Name>Seven</Name>
    </meta:properties></a:content></a:entry>
  </a:feed>`;
  const result = readAtomFeed(xml);
  assert.deepEqual(result.entities, [{ __metadata: {}, ID: 7, Name: "Seven" }]);
  assert.deepEqual(result.annotations, { count: 2 });
});

// A single entry, as the answer to GET Customers('ALFKI')?$expand=Orders,Contact.
const entry = `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<entry xml:base="https://services.example.org/Northwind.svc/" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns="http://www.w3.org/2005/Atom" m:etag="W/&quot;X'0001'&quot;">
  <id>https://services.example.org/Northwind.svc/Customers('ALFKI')</id>
  <title type="text" />
  <updated>2024-03-01T10:00:00Z</updated>
  <author><name /></author>
  <link rel="edit" title="Customer" href="Customers('ALFKI')" />
  <link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/Orders" type="application/atom+xml;type=feed" title="Orders" href="Customers('ALFKI')/Orders">
    <m:inline>
      <feed>
        <id>https://services.example.org/Northwind.svc/Customers('ALFKI')/Orders</id>
        <entry>
          <id>https://services.example.org/Northwind.svc/Orders(10643)</id>
          <link rel="edit" title="Order" href="Orders(10643)" />
          <category term="NorthwindModel.Order" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" />
          <content type="application/xml"><m:properties><d:OrderID m:type="Edm.Int32">10643</d:OrderID><d:Freight m:type="Edm.Decimal">29.4600</d:Freight></m:properties></content>
        </entry>
      </feed>
    </m:inline>
  </link>
  <link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/Contact" type="application/atom+xml;type=entry" title="Contact" href="Customers('ALFKI')/Contact">
    <m:inline />
  </link>
  <category term="NorthwindModel.Customer" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" />
  <content type="application/xml">
    <m:properties>
      <d:CustomerID>ALFKI</d:CustomerID>
      <d:CompanyName>Alfreds Futterkiste</d:CompanyName>
      <d:Phones m:type="Collection(Edm.String)"><d:element>030-0074321</d:element><d:element>030-0076545</d:element></d:Phones>
    </m:properties>
  </content>
</entry>`;

test("a single-entry document is read with readAtomEntry", () => {
  const customer = readAtomEntry(entry);
  assert.equal(customer["CustomerID"], "ALFKI");
  assert.equal(customer["CompanyName"], "Alfreds Futterkiste");
  assert.deepEqual(customer["__metadata"], {
    id: "https://services.example.org/Northwind.svc/Customers('ALFKI')",
    uri: "https://services.example.org/Northwind.svc/Customers('ALFKI')",
    type: "NorthwindModel.Customer",
    etag: "W/\"X'0001'\"",
  });
});

test("readAtomFeed reads a single-entry document as a feed of one entity", () => {
  const result = readAtomFeed(entry);
  assert.equal(result.entities.length, 1);
  assert.equal(result.entities[0]?.["CustomerID"], "ALFKI");
  assert.deepEqual(result.annotations, {});
});

test("an inline feed becomes an array of entities and an empty m:inline becomes null", () => {
  const customer = readAtomEntry(entry);
  assert.deepEqual(customer["Orders"], [
    {
      __metadata: { id: "https://services.example.org/Northwind.svc/Orders(10643)", uri: "https://services.example.org/Northwind.svc/Orders(10643)", type: "NorthwindModel.Order" },
      OrderID: 10643,
      Freight: "29.4600",
    },
  ]);
  assert.equal(customer["Contact"], null);
});

test("a Collection(Edm.String) property becomes an array of strings", () => {
  assert.deepEqual(readAtomEntry(entry)["Phones"], ["030-0074321", "030-0076545"]);
});

test("a media link entry takes its properties beside <content src> and records the media source and its ETag", () => {
  const xml = `<entry xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xml:base="https://host/svc/">
    <id>https://host/svc/Photos(3)</id>
    <link rel="edit-media" href="Photos(3)/$value" m:etag="W/&quot;media-3&quot;"/>
    <content type="image/png" src="Photos(3)/$value"/>
    <m:properties><d:ID m:type="Edm.Int32">3</d:ID></m:properties>
  </entry>`;
  assert.deepEqual(readAtomEntry(xml), {
    __metadata: {
      id: "https://host/svc/Photos(3)",
      uri: "https://host/svc/Photos(3)",
      edit_media: "https://host/svc/Photos(3)/$value",
      media_etag: 'W/"media-3"',
      media_src: "https://host/svc/Photos(3)/$value",
      content_type: "image/png",
    },
    ID: 3,
  });
});

test("an empty feed gives no entities and its count", () => {
  const xml = '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><m:count>0</m:count></feed>';
  assert.deepEqual(readAtomFeed(xml), { entities: [], annotations: { count: 0 } });
});

function assertBadPayload(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.match(error.message, pattern);
    return true;
  });
}

test("an m:count that is no safe integer rejects with BAD_PAYLOAD, the largest one reads", () => {
  const counted = (count: string): string =>
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><m:count>${count}</m:count></feed>`;
  assert.deepEqual(readAtomFeed(counted(" 9007199254740991 ")), { entities: [], annotations: { count: Number.MAX_SAFE_INTEGER } });
  assertBadPayload(() => readAtomFeed(counted("9007199254740993")), /<m:count> is "9007199254740993", not a count/);
  assertBadPayload(() => readAtomFeed(counted("9".repeat(400))), new RegExp(`<m:count> is "${"9".repeat(40)}…", not a count`));
  assertBadPayload(() => readAtomFeed(counted("-1")), /<m:count> is "-1", not a count/);
});

test("a value that does not fit its m:type rejects with BAD_PAYLOAD naming the property", () => {
  const xml = feed.replace('<d:ID m:type="Edm.Int32">2</d:ID>', '<d:ID m:type="Edm.Int32">two</d:ID>');
  assertBadPayload(() => readAtomFeed(xml), /<d:ID> has the value "two", which is not an Edm\.Int32/);
});

test("a root element other than feed or entry rejects with BAD_PAYLOAD", () => {
  const xml = '<m:error xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><m:code>X</m:code></m:error>';
  assertBadPayload(() => readAtomFeed(xml), /root element is <m:error>/);
});

test("mismatched tags reject with BAD_PAYLOAD and the offset of the end tag", () => {
  assertBadPayload(() => parseXml("<a><b></a></b>"), /end tag <\/a> does not match <b> \(opened at character offset 3\) at character offset 6/);
});

test("a truncated document rejects with BAD_PAYLOAD", () => {
  assertBadPayload(() => readAtomFeed(feed.slice(0, feed.lastIndexOf("</feed>"))), /the document ended inside <feed>/);
});

test("an unknown entity reference rejects with BAD_PAYLOAD", () => {
  assertBadPayload(() => parseXml("<a>&nbsp;</a>"), /unknown entity &nbsp; at character offset 3/);
});

test("an unbound prefix rejects with BAD_PAYLOAD", () => {
  assertBadPayload(() => parseXml("<d:a/>"), /prefix d of the element <d:a> is not bound/);
});

test("a duplicate attribute rejects with BAD_PAYLOAD", () => {
  assertBadPayload(() => parseXml('<a x="1" x="2"/>'), /attribute x appears twice/);
});

test("an unquoted attribute value rejects with BAD_PAYLOAD", () => {
  assertBadPayload(() => parseXml("<a x=1/>"), /value of the attribute x is not quoted/);
});

test("a document type declaration is refused with BAD_PAYLOAD", () => {
  assertBadPayload(() => parseXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'), /document type declaration/);
});

test("two root elements reject with BAD_PAYLOAD", () => {
  assertBadPayload(() => parseXml("<a/><b/>"), /content after the root element/);
});

test("comments, processing instructions and a byte order mark around the content are skipped", () => {
  const root = parseXml('\uFEFF<?xml version="1.0"?><!-- c --><a><!-- inner --><?pi x?>x<![CDATA[<y>]]>z</a><!-- after -->');
  assert.equal(root.local, "a");
  assert.equal(textContent(root), "x<y>z");
});

test("attribute values have entities decoded and line breaks and tabs turned into spaces", () => {
  const root = parseXml('<a title="x&amp;y\n\tz &#x41;"/>');
  assert.deepEqual(root.attributes, [{ name: "title", local: "title", namespace: "", value: "x&y  z A" }]);
});

test("an Edm.DateTimeOffset written without a zone (as SAP CAP's v2 adapter does) is read as UTC", () => {
  const xml = `<entry xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices">
    <content type="application/xml"><m:properties><d:createdAt m:type="Edm.DateTimeOffset">2024-02-11T10:01:00</d:createdAt></m:properties></content>
  </entry>`;
  assert.equal(readAtomEntry(xml)["createdAt"], "2024-02-11T10:01:00Z");
});

test("an XML declaration after a comment rejects with BAD_PAYLOAD", () => {
  assertBadPayload(() => parseXml('<!-- c --><?xml version="1.0"?><a/>'), /XML declaration not at the start at character offset 10/);
});

test("whitespace before the XML declaration is accepted", () => {
  assert.equal(parseXml('\n  <?xml version="1.0"?><a/>').local, "a");
});

test("a media link entry read as Atom gives its media resource's ETag to a conditional media put", async (t) => {
  // A v2 service that answers Atom (not JSON): the entity's ETag is on <entry>, the media
  // resource's on <link rel="edit-media">; a put of the stream must send the latter.
  const server = await startServer((request, res) => {
    if (request.method === "GET") {
      sendText(
        res,
        200,
        `<entry xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xml:base="${server.url("svc/")}" m:etag="W/&quot;entity-7&quot;">
          <id>${server.url("svc/Photos(1)")}</id>
          <link rel="edit" href="Photos(1)"/>
          <link rel="edit-media" href="Photos(1)/$value" m:etag="W/&quot;media-3&quot;"/>
          <content type="image/png" src="Photos(1)/$value"/>
          <m:properties><d:ID m:type="Edm.Int32">1</d:ID></m:properties>
        </entry>`,
        { "content-type": "application/atom+xml;type=entry" },
      );
    } else {
      res.writeHead(204).end();
    }
  });
  t.after(() => server.close());
  const photos = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", retry: false }).collection("Photos");
  const photo = await photos.key(1).get();
  await photos.key(1).media().put(new Uint8Array([1, 2, 3]), { contentType: "image/png", etag: photo });
  const put = server.requests[1];
  assert.equal(put?.method, "PUT");
  assert.equal(put?.path, "/svc/Photos(1)/$value");
  assert.equal(put?.headers["if-match"], 'W/"media-3"');
});
