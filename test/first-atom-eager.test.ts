// first() of OData v2 against node:http services on 127.0.0.1 that answer Atom XML and ignore its
// `$top=1`. The Atom page was read whole (up to 64 MiB) before its first entry was handed on, so a
// feed that comes slowly, or whose rest does not come, left first() waiting for it (until the stall
// timeout, or for ever while data keeps coming). Now the page's text is scanned as it arrives
// (payload/atom-first-entry.ts) and its beginning, closed after the first entry, read at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError } from "../src/index.js";
import { AtomEntryScan } from "../src/payload/atom-first-entry.js";
import { readAtomFeed } from "../src/payload/atom.js";
import { serveClient, type RecordedRequest } from "./servers/recording-server.js";

const NAMESPACES = `xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"`;
const RELATED = "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";

const head = `<?xml version="1.0" encoding="utf-8"?>\n<feed ${NAMESPACES} xml:base="http://host/svc/"><id>http://host/svc/Items</id><m:count>3</m:count>`;
const entry = (id: number, extra = "") =>
  `<entry m:etag="W/&quot;${id}&quot;"><id>http://host/svc/Items(${id})</id><link rel="edit" href="Items(${id})"/>${extra}` +
  `<content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">${id}</d:ID><d:Name>item ${id}</d:Name></m:properties></content></entry>`;

/**
 * A first entry that gives a scan of the tags what to get wrong: an expanded feed of entries, a
 * comment and a CDATA section holding `</entry>`, an attribute value holding `>` and `/>`, a
 * processing instruction, and prefixed Atom names.
 */
const trickyEntry =
  `<a:entry xmlns:a="http://www.w3.org/2005/Atom" m:etag="W/&quot;1&quot;"><a:id>http://host/svc/Items(1)</a:id><a:link rel="edit" href="Items(1)" title="a > b /> c"/>` +
  `<!-- </entry></a:entry> --><?note </entry>?>` +
  `<a:link rel="${RELATED}Parts" href="Items(1)/Parts"><m:inline><a:feed>${entry(11)}<a:entry><a:id>http://host/svc/Parts(12)</a:id></a:entry></a:feed></m:inline></a:link>` +
  `<a:content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">1</d:ID><d:Name><![CDATA[</a:entry></feed> & <entry/>]]></d:Name></m:properties></a:content></a:entry>`;

test("AtomEntryScan finds the end of the feed's first entry however the text is cut into pieces", () => {
  for (const [first, rest] of [
    [entry(1), entry(2) + "</feed>"],
    [trickyEntry, entry(2) + "</feed>"],
    [`<entry m:etag="x"/>`, "</feed>"],
  ] as const) {
    const text = head + first + rest;
    const expected = head.length + first.length;
    const whole = readAtomFeed(text).entities[0];
    const cuts: number[][] = [];
    for (let at = 1; at < text.length; at++) cuts.push([at]);
    for (let n = 0; n < 50; n++) cuts.push([...new Set(Array.from({ length: 40 }, () => Math.floor(Math.random() * text.length)))].sort((a, b) => a - b));
    cuts.push(Array.from({ length: text.length }, (_, i) => i));
    for (const cut of cuts) {
      const scan = new AtomEntryScan();
      let found = -1;
      let from = 0;
      for (const at of [...cut, text.length]) {
        const offset = scan.push(text.slice(from, at));
        from = at;
        if (offset >= 0) {
          found = offset;
          // Found no earlier than the text holds the entry's end.
          assert.ok(at >= expected, `found at ${offset} with ${at} characters of ${text.length} in (cut ${cut.join(",")})`);
          break;
        }
      }
      assert.equal(found, expected, `cut at ${cut.join(",")}`);
      assert.equal(scan.root, "feed");
      assert.deepEqual(readAtomFeed(`${text.slice(0, found)}</${scan.root}>`).entities, [whole]);
    }
  }
});

test("AtomEntryScan gives up on a document type declaration, a feed without entries and a single entry's document", () => {
  for (const text of [`<!DOCTYPE feed []><feed ${NAMESPACES}>${entry(1)}</feed>`, `${head}</feed><entry/>`, `<entry ${NAMESPACES}><id>x</id></entry>`]) {
    const scan = new AtomEntryScan();
    assert.equal(scan.push(text), -1, text);
  }
});

/** Resolves with what `promise` gives, or with "not resolved" after `ms`. */
const within = <T>(promise: Promise<T>, ms: number): Promise<T | "not resolved"> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"not resolved">((resolve) => (timer = setTimeout(() => resolve("not resolved"), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};

/** An Atom answer: `text` written in pieces of `piece` characters, one each ms; then nothing, the connection held open. Resolves `closed` when the client goes. */
function stalling(text: string, piece = text.length) {
  let closed: () => void = () => undefined;
  const close = new Promise<void>((resolve) => (closed = resolve));
  const handler = (_request: RecordedRequest, res: ServerResponse): void => {
    res.writeHead(200, { "content-type": "application/atom+xml;type=feed", dataserviceversion: "2.0" });
    res.on("close", closed);
    let at = 0;
    const timer = setInterval(() => {
      if (at >= text.length || res.destroyed) return clearInterval(timer);
      res.write(text.slice(at, (at += piece)));
    }, 1);
    res.on("close", () => clearInterval(timer));
  };
  return { handler, close };
}

test("first() of a v2 service that answers one Atom entry, then nothing more, resolves with that entry and closes the connection", { timeout: 30_000 }, async (t) => {
  const answer = stalling(head + entry(1));
  const { server, client } = await serveClient(t, answer.handler, { version: "2.0", timeout: 20_000 });
  const stop = new AbortController();
  const first = await within(client.collection("Items").first({ signal: stop.signal }), 5_000);
  stop.abort(); // the old reader: end its wait for the rest of the feed
  assert.deepEqual(first, readAtomFeed(head + entry(1) + "</feed>").entities[0]);
  assert.deepEqual(first && (first as { ID: number; Name: string; __metadata: { uri: string; etag: string } }).__metadata.etag, 'W/"1"');
  await answer.close;
  assert.deepEqual(
    server.requests.map((r) => decodeURIComponent(r.path)),
    ["/odata/Items?$top=1"],
  );
});

test("first() of an Atom feed that trickles in (7 characters a ms) and stalls: the first entry, expanded feed, comment and CDATA in it, as the whole feed reads it", { timeout: 30_000 }, async (t) => {
  const text = head + trickyEntry + entry(2);
  const answer = stalling(text, 7);
  const { client } = await serveClient(t, answer.handler, { version: "2.0", timeout: 20_000 });
  const stop = new AbortController();
  const first = await within(client.collection("Items").first({ signal: stop.signal }), 10_000);
  stop.abort();
  const whole = readAtomFeed(text + "</feed>").entities[0] as { Parts: unknown[]; Name: string };
  assert.equal(whole.Parts.length, 2);
  assert.equal(whole.Name, "</a:entry></feed> & <entry/>");
  assert.deepEqual(first, whole);
  await answer.close;
});

test("first() of a whole Atom feed gives its first entry; of a feed without entries, undefined", async (t) => {
  const feeds = [head + entry(1) + entry(2) + `<link rel="next" href="Items?$skiptoken=2"/></feed>`, `${head}</feed>`];
  const { client } = await serveClient(t, (_request, res) => {
    res.writeHead(200, { "content-type": "application/atom+xml" });
    res.end(feeds.shift());
  }, { version: "2.0" });
  assert.deepEqual(await client.collection("Items").first(), readAtomFeed(head + entry(1) + "</feed>").entities[0]);
  assert.equal(await client.collection("Items").first(), undefined);
});

test("first() of an Atom feed whose first entry does not read rejects as page() does: the beginning read early is let go for the whole page", async (t) => {
  const text = head + entry(1).replace(">1</d:ID>", ">one</d:ID>") + entry(2) + "</feed>";
  const { client } = await serveClient(t, (_request, res) => {
    res.writeHead(200, { "content-type": "application/atom+xml" });
    res.end(text);
  }, { version: "2.0" });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ODataClientError);
    return error;
  };
  const first = await failure(client.collection("Items").first());
  const page = await failure(client.collection("Items").page());
  assert.equal(first.code, "BAD_PAYLOAD");
  assert.match(first.message, /^GET http:\/\/127\.0\.0\.1:\d+\/odata\/Items\?\$top=1: the property <d:ID> has the value "one", which is not an Edm\.Int32/);
  assert.equal(first.message.replace("?$top=1", ""), page.message);
});
