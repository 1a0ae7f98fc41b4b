// The headers and status line of a multipart $batch answer's parts, as send() reads them from the
// wire: services write them as UTF-8 text (SAP CAP writes each part's headers as a string into a
// UTF-8 body), while fetch reads a response's own header bytes one character each (ISO-8859-1).
// A part's header values are read as UTF-8 where their bytes are that, and as those bytes
// otherwise (RFC 9110 §5.5 obs-text, as fetch gives it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { serve } from "./batch-server.js";

interface Book {
  ID: string;
  title?: string;
}

const CRLF = "\r\n";
const utf8 = (text: string) => Buffer.from(text, "utf8");
const latin1 = (text: string) => Buffer.from(text, "latin1");

/** A part of a multipart answer: its embedded response as the bytes given, headers and all. */
function part(contentId: string, response: Buffer[]): Buffer {
  return Buffer.concat([utf8(`--b${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: ${contentId}${CRLF}${CRLF}`), ...response, utf8(CRLF)]);
}

test("send() reads a part's header values and status text as UTF-8 where their bytes are that, and as their bytes (ISO-8859-1) where they are not", async (t) => {
  const answer = Buffer.concat([
    part("1", [
      utf8(`HTTP/1.1 201 Créé${CRLF}Content-Type: application/json${CRLF}`),
      // UTF-8: ü is C3 BC on the wire.
      utf8(`Location: Books('Müller')${CRLF}`),
      utf8(`OData-EntityId: Books('Ærø')${CRLF}`),
      // One byte E9 is no UTF-8: the value is its bytes, as a response's own header would read.
      latin1(`X-Latin: café${CRLF}`),
      // UTF-8 beyond U+00FF, which Headers cannot hold: its bytes, as fetch gives them.
      utf8(`X-Price: 5 €${CRLF}`),
      utf8(`X-Plain: ascii${CRLF}${CRLF}`),
      utf8(`{"ID":"Müller"}`),
    ]),
    part("2", [latin1(`HTTP/1.1 404 Pas trouvé${CRLF}Content-Type: application/json${CRLF}${CRLF}`), utf8(`{"error":{"code":"404","message":"Kein Buch »Ærø«"}}`)]),
    utf8(`--b--${CRLF}`),
  ]);
  const service = await serve(() => ({ status: 200, headers: { "Content-Type": "multipart/mixed; boundary=b" }, body: answer }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const books = client.collection<Book>("Books");
  const batch = client.batch({ format: "multipart" });
  const created = batch.create(books, { ID: "Müller" });
  const missing = batch.get(books.key("Ærø"));
  await batch.send();

  // What went out: the create's body as UTF-8 JSON, the read's key percent-encoded.
  assert.equal(service.seen.length, 1);
  assert.match(service.seen[0]!.body, /\r\nPOST Books HTTP\/1\.1\r\n[^]*\r\n\r\n\{"ID":"Müller"\}\r\n/);
  assert.match(service.seen[0]!.body, /\r\nGET Books\('%C3%86r%C3%B8'\) HTTP\/1\.1\r\n/);

  const first = created.result();
  assert.ok(first.ok);
  assert.equal(first.status, 201);
  assert.deepEqual(first.value, { ID: "Müller" });
  assert.equal(first.headers.get("location"), "Books('Müller')");
  assert.equal(first.headers.get("odata-entityid"), "Books('Ærø')");
  assert.equal(first.headers.get("x-latin"), "café");
  assert.equal(first.headers.get("x-price"), Buffer.from("5 €", "utf8").toString("latin1"));
  assert.equal(first.headers.get("x-plain"), "ascii");

  const second = missing.result();
  assert.ok(!second.ok && second.status === 404);
  assert.ok(second.error instanceof ODataHttpError);
  // The status text's E9 is no UTF-8: read as its byte (it was U+FFFD).
  assert.match(second.error.message, /failed with HTTP 404 Pas trouvé \[404\]: /);
  assert.equal(second.error.odataError?.message, "Kein Buch »Ærø«");
});

test("a part's Location in UTF-8 names the entity: the id read from it is the service's key", async (t) => {
  // As SAP CAP answers a create in a batch: the part's headers written as UTF-8 text.
  const answer = Buffer.concat([
    part("1", [utf8(`HTTP/1.1 201 Created${CRLF}Content-Type: application/json${CRLF}Location: Authors('Zoë')${CRLF}${CRLF}{"ID":"Zoë"}`)]),
    utf8(`--b--${CRLF}`),
  ]);
  const service = await serve(() => ({ status: 200, headers: { "Content-Type": "multipart/mixed; boundary=b" }, body: answer }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const batch = client.batch({ format: "multipart" });
  batch.request({ method: "POST", url: "Authors", body: { ID: "Zoë" } });
  const [result] = await batch.send();
  assert.ok(result?.ok);
  assert.equal(result.headers.get("location"), "Authors('Zoë')");
  // Resolved as a URL, it is the entity's address with its key as UTF-8, percent-encoded.
  assert.equal(new URL(result.headers.get("location")!, service.url).pathname, "/svc/Authors('Zo%C3%AB')");
});

test("a part whose header holds UTF-8 beyond U+00FF reads the same through sendAsync()'s monitor as through send(), and is not made unreadable", async (t) => {
  // The same multipart answer, given to send() at once and by a status monitor after a 202.
  const multipart = Buffer.concat([
    part("1", [utf8(`HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}Location: Books('Łódź')${CRLF}X-Price: 5 €${CRLF}X-Name: Müller${CRLF}${CRLF}{"ID":"Łódź"}`)]),
    utf8(`--b--${CRLF}`),
  ]);
  const service = await serve((request) =>
    request.url.endsWith("/mon/1")
      ? { status: 200, headers: { "Content-Type": "application/http" }, body: Buffer.concat([utf8(`HTTP/1.1 200 OK${CRLF}Content-Type: multipart/mixed; boundary=b${CRLF}${CRLF}`), multipart]) }
      : request.headers["prefer"] === "respond-async"
        ? { status: 202, headers: { Location: "mon/1" } }
        : { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=b" }, body: multipart },
  );
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const read = () => {
    const batch = client.batch({ format: "multipart" });
    batch.get(client.collection<Book>("Books").key("Łódź"));
    return batch;
  };
  const [atOnce] = await read().send();
  const [polled] = await (await read().sendAsync({ pollInterval: 5 })).wait();
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url} ${seen.headers["prefer"] ?? "-"}`),
    ["POST /svc/$batch -", "POST /svc/$batch respond-async", "GET /svc/mon/1 -"],
  );
  for (const result of [atOnce, polled]) {
    assert.ok(result?.ok, "the part is read, not BAD_BATCH_RESPONSE");
    assert.deepEqual(result.value, { ID: "Łódź" });
    // Headers hold characters up to U+00FF only: beyond, the value is its UTF-8 bytes one each, as fetch gives.
    assert.equal(result.headers.get("location"), Buffer.from("Books('Łódź')", "utf8").toString("latin1"));
    assert.equal(result.headers.get("x-price"), Buffer.from("5 €", "utf8").toString("latin1"));
    assert.equal(result.headers.get("x-name"), "Müller");
  }
});

test("a part's 202 whose Location is UTF-8 beyond U+00FF is polled at that URL, its key encoded as UTF-8", async (t) => {
  const service = await serve((request) =>
    request.url.startsWith("/svc/mon/")
      ? { status: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ID: 2 }) }
      : {
          status: 200,
          headers: { "Content-Type": "multipart/mixed; boundary=b" },
          body: Buffer.concat([
            part("1", [utf8(`HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}{"ID":1}`)]),
            part("2", [utf8(`HTTP/1.1 202 Accepted${CRLF}Location: mon/Łódź${CRLF}${CRLF}`)]),
            utf8(`--b--${CRLF}`),
          ]),
        },
  );
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const books = client.collection<Book>("Books");
  const batch = client.batch({ format: "multipart" });
  batch.get(books.key("1"));
  const later = batch.get(books.key("2"));
  const results = await batch.send();
  assert.equal(results.continuation?.statusUrl, `${service.url}mon/%C5%81%C3%B3d%C5%BA`);
  await results.continuation.wait();
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url}`),
    ["POST /svc/$batch", "GET /svc/mon/%C5%81%C3%B3d%C5%BA"],
  );
  const result = later.result();
  assert.ok(result.ok);
  assert.deepEqual(result.value, { ID: 2 });
});

test("a JSON batch response whose header holds text beyond U+00FF is read, the value as its UTF-8 bytes (it was unreadable)", async (t) => {
  const service = await serve(() => ({
    status: 200,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: { "content-type": "application/json", "x-price": "5 €", "x-name": "Müller" }, body: { ID: "Łódź" } }] }),
  }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
  const batch = client.batch({ format: "json" });
  const read = batch.get(client.collection<Book>("Books").key("Łódź"));
  await batch.send();
  assert.equal(JSON.parse(service.seen[0]!.body).requests[0].url, "Books('%C5%81%C3%B3d%C5%BA')");
  const result = read.result();
  assert.ok(result.ok, "the response is read, not BAD_BATCH_RESPONSE");
  assert.deepEqual(result.value, { ID: "Łódź" });
  assert.equal(result.headers.get("x-price"), Buffer.from("5 €", "utf8").toString("latin1"));
  assert.equal(result.headers.get("x-name"), "Müller");
});
