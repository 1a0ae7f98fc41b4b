// Where a BAD_METADATA error says the problem is: the character offset (EDMX) or position (CSDL
// JSON) it names is that of the text the caller has, counted from its first character: a byte
// order mark and white space before the document count like any other character. From
// client.metadata(), it is the offset in the body as text (what Response.text() gives: a UTF-8
// byte order mark is no character there).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError, parseMetadata } from "../src/index.js";
import { badMetadata } from "./metadata-samples.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";

const MISSING_TYPE = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="T"><Key><PropertyRef Name="ID"/></Key><Property Name="ID"/></EntityType>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;
const PROPERTY = '<Property Name="ID"/>';

const MISMATCHED_TAG = `<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><a></b></edmx:Edmx>`;

/** What may come before a document: nothing, a byte order mark, line ends and spaces, or both. */
const PREFIXES: [string, string][] = [
  ["nothing", ""],
  ["a byte order mark", "\uFEFF"],
  ["line ends and spaces", "\r\n\r\n   "],
  ["a byte order mark, spaces and a line end", "\uFEFF  \n"],
];

/** The number after `label` in the message. */
function numberAfter(message: string, label: RegExp): number {
  const match = label.exec(message);
  assert.ok(match?.[1], `no ${label.source} in ${JSON.stringify(message)}`);
  return Number(match[1]);
}

describe("the offsets BAD_METADATA names point at the character of the text given", () => {
  for (const [what, prefix] of PREFIXES) {
    test(`EDMX after ${what}: the offset of an element without a required attribute is that of its "<"`, () => {
      const text = prefix + MISSING_TYPE;
      const error = badMetadata(() => parseMetadata(text));
      assert.match(error.message, /<Property Name="ID"> at character offset \d+ has no Type attribute/);
      const offset = numberAfter(error.message, /character offset (\d+)/);
      assert.equal(offset, text.indexOf(PROPERTY));
      assert.ok(text.startsWith(PROPERTY, offset));
    });

    test(`EDMX after ${what}: the offsets of an end tag that does not match are those of both tags`, () => {
      const text = prefix + MISMATCHED_TAG;
      const error = badMetadata(() => parseMetadata(text));
      assert.equal(numberAfter(error.message, /opened at character offset (\d+)/), text.indexOf("<a>"));
      assert.equal(numberAfter(error.message, /\) at character offset (\d+)$/), text.indexOf("</b>"));
    });

    test(`CSDL JSON after ${what}: the position JSON.parse names is that of the offending character`, () => {
      const text = `${prefix}{"$Version": "4.01",]`;
      const error = badMetadata(() => parseMetadata(text));
      assert.match(error.message, /^the service metadata cannot be read: the CSDL JSON is not JSON \(/);
      assert.equal(numberAfter(error.message, /position (\d+)/), text.indexOf("]"));
    });
  }

  test("a document with a byte order mark and white space before its XML declaration is still read", () => {
    const model = parseMetadata(`\uFEFF \r\n${MISSING_TYPE.replace(PROPERTY, '<Property Name="ID" Type="Edm.Int32" Nullable="false"/>')}`);
    assert.deepEqual(model.keyOf("S.T"), [{ name: "ID", path: "ID" }]);
  });
});

describe("client.metadata(): the offset is that of the body the service sent", () => {
  async function serving(body: Buffer): Promise<RecordingServer> {
    return startServer((_request, res) => {
      res.writeHead(200, { "content-type": "application/xml;charset=utf-8" });
      res.end(body);
    });
  }

  for (const [what, prefix] of PREFIXES) {
    test(`a body that starts with ${what}`, async (t) => {
      const body = Buffer.from(prefix + MISSING_TYPE, "utf8");
      const server = await serving(body);
      t.after(() => server.close());
      const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
      const error = await client.metadata().then(
        () => assert.fail("expected BAD_METADATA"),
        (failure: unknown) => failure,
      );
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "BAD_METADATA");
      assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/svc\/\$metadata: .*<Property Name="ID"> at character offset \d+ has no Type attribute/);
      assert.deepEqual(
        server.requests.map((r) => r.path),
        ["/svc/$metadata"],
      );
      // The body as text, as a program that fetches it reads it.
      const text = await new Response(body).text();
      const offset = numberAfter(error.message, /character offset (\d+)/);
      assert.equal(offset, text.indexOf(PROPERTY));
      assert.ok(text.startsWith(PROPERTY, offset));
    });
  }
});
