// A binary request body in a $batch (batch.request() with a Uint8Array, another typed array or an
// ArrayBuffer): a multipart part (OData 4.0 and v2) carries its bytes raw, byte for byte, under the
// Content-Type the caller gave; a JSON batch (OData 4.01, JSON Format §19.1) carries them as
// base64url text in `body`, or as the text or JSON they are under a text or JSON type. A text body
// beside them stays UTF-8 text. Against node:http services that keep the $batch request's raw bytes.
// SAP CAP (9.9) cannot serve as the service here: a media PUT inside a multipart batch crashes its
// server process (its SQLite service reads the part's stream from a request that has none), and its
// JSON batch refuses every body that is not a JSON object.
import assert from "node:assert/strict";
import http from "node:http";
import { test, type TestContext } from "node:test";
import { ODataClient, type BatchHandle } from "../src/index.js";

const CRLF = "\r\n";

/** Bytes that are no UTF-8 (FF FE, a lone 80, C3 28, a cut E2 82), a NUL and a CRLF inside the body. */
const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0x0d, 0x0a, 0xc3, 0x28, 0x89, 0x50, 0x4e, 0x47, 0xe2, 0x82]);

/** A $batch request as the service received it: its headers and its raw bytes. */
interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

type Answer = { status: number; headers: Record<string, string>; body: string | Buffer };

/** A service at `<origin>/svc/` that keeps each request's raw bytes and answers with `answer`. */
async function service(t: TestContext, answer: (received: Received) => Answer): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = { headers: req.headers, body: Buffer.concat(chunks) };
    received.push(request);
    const reply = answer(request);
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  t.after(() => (server.closeAllConnections(), server.close()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/svc/`, received };
}

/**
 * The part of a multipart body (boundary `b`) whose request line is `requestLine`: its header lines
 * and its body, the bytes between the blank line and the next delimiter.
 */
function partOf(body: Buffer, requestLine: string): { headers: string[]; body: Buffer } {
  const start = body.indexOf(`${CRLF}${requestLine}${CRLF}`);
  assert.ok(start >= 0, `the batch holds ${requestLine}`);
  const headersEnd = body.indexOf(`${CRLF}${CRLF}`, start + 2);
  // A part ends at the next delimiter of any boundary (a v2 write goes in a changeset of its own).
  const end = body.indexOf(`${CRLF}--`, headersEnd + 4);
  return { headers: body.subarray(start + 2, headersEnd).toString("latin1").split(CRLF).slice(1), body: body.subarray(headersEnd + 4, end) };
}

/** A multipart answer (boundary `r`), each part a response's status line, headers and body. */
function multipartAnswer(...responses: (string | Buffer)[]): Answer {
  const parts = responses.flatMap((response, index) => [Buffer.from(`--r${CRLF}Content-Type: application/http${CRLF}Content-ID: ${index + 1}${CRLF}${CRLF}`, "latin1"), Buffer.from(response), Buffer.from(CRLF)]);
  return { status: 200, headers: { "content-type": "multipart/mixed; boundary=r" }, body: Buffer.concat([...parts, Buffer.from(`--r--${CRLF}`)]) };
}

/** A request's value, once its result is asserted a success with `status`. */
function valueOf<T>(handle: BatchHandle<T>, status: number): T {
  const result = handle.result();
  assert.ok(result.ok, `request ${handle.index + 1} failed: ${result.ok ? "" : result.error.message}`);
  assert.equal(result.status, status);
  return result.value;
}

test("multipart (4.0): a request()'s Uint8Array body is its part's body byte for byte under the Content-Type given, a text body beside it UTF-8, and their answers come back", async (t) => {
  const { url, received } = await service(t, () =>
    multipartAnswer(`HTTP/1.1 204 No Content${CRLF}${CRLF}`, `HTTP/1.1 201 Created${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}stored: héllo €`),
  );
  const client = new ODataClient({ serviceUrl: url, version: "4.0" });
  const batch = client.batch({ boundaries: { batch: "b", changeset: (n) => `cs${n}` } });
  assert.equal(batch.format, "multipart");
  const upload = batch.request({ method: "PUT", url: "Photos(1)/content", body: bytes, headers: { "Content-Type": "application/octet-stream" } });
  const note = batch.request<string>({ method: "POST", url: "Notes", body: "héllo €", headers: { "content-type": "text/plain; charset=utf-8" } });
  const results = await batch.send();

  assert.equal(received.length, 1);
  const sent = received[0]!;
  assert.equal(sent.headers["content-type"], "multipart/mixed; boundary=b");
  assert.equal(Number(sent.headers["content-length"]), sent.body.length);
  const binary = partOf(sent.body, "PUT Photos(1)/content HTTP/1.1");
  assert.deepEqual(binary.headers, ["content-type: application/octet-stream", "accept: application/json"]);
  assert.deepEqual([...binary.body], [...bytes], "the part carries exactly the bytes given");
  const text = partOf(sent.body, "POST Notes HTTP/1.1");
  assert.deepEqual(text.headers, ["content-type: text/plain; charset=utf-8", "accept: application/json"]);
  assert.deepEqual(text.body, Buffer.from("héllo €", "utf8"), "a text body stays its UTF-8");
  // The frame around the parts is as a batch without bytes writes it.
  assert.ok(sent.body.subarray(0, 100).toString("latin1").startsWith(`--b${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}Content-ID: 1${CRLF}${CRLF}PUT `));
  assert.ok(sent.body.toString("latin1").endsWith(`${CRLF}--b--${CRLF}`));

  assert.equal(results.length, 2);
  assert.equal(valueOf(upload, 204), undefined);
  assert.equal(valueOf(note, 201), "stored: héllo €");
});

test("multipart (v2): a PUT of $value with an image's bytes (an ArrayBuffer) carries them raw under image/png, and the service's bytes come back", async (t) => {
  const echoed = Buffer.from([0x00, 0xff, 0x80, 0xfe]);
  const { url, received } = await service(t, () =>
    multipartAnswer(
      `HTTP/1.1 204 No Content${CRLF}${CRLF}`,
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK${CRLF}Content-Type: application/octet-stream${CRLF}${CRLF}`), echoed]),
    ),
  );
  const client = new ODataClient({ serviceUrl: url, version: "2.0" });
  const batch = client.batch({ boundaries: { batch: "b", changeset: (n) => `cs${n}` } });
  const buffer = bytes.slice().buffer;
  const upload = batch.request({ method: "PUT", url: "Photos(1)/$value", body: buffer, headers: { "content-type": "image/png" } });
  // No accept given: a raw value is asked for as any type (a media read alone asks so), not as JSON.
  const read = batch.request<Uint8Array>({ method: "GET", url: "Photos(1)/$value?sap-client=100" });
  await batch.send();
  assert.deepEqual(partOf(received[0]!.body, "GET Photos(1)/$value?sap-client=100 HTTP/1.1").headers, ["accept: */*"]);

  const binary = partOf(received[0]!.body, "PUT Photos(1)/$value HTTP/1.1");
  assert.ok(binary.headers.includes("content-type: image/png"), binary.headers.join("; "));
  assert.deepEqual([...binary.body], [...bytes]);
  assert.equal(partOf(received[0]!.body, "GET Photos(1)/$value?sap-client=100 HTTP/1.1").body.length, 0);
  assert.equal(valueOf(upload, 204), undefined);
  const value = valueOf(read, 200);
  assert.ok(value instanceof Uint8Array);
  assert.deepEqual(Buffer.from(value), echoed);
});

test("a bytes body without a Content-Type goes as application/octet-stream, and sendAsync() posts the same bytes", async (t) => {
  const { url, received } = await service(t, () => multipartAnswer(`HTTP/1.1 204 No Content${CRLF}${CRLF}`));
  const client = new ODataClient({ serviceUrl: url, version: "4.0" });
  const batch = client.batch({ boundaries: { batch: "b", changeset: (n) => `cs${n}` } });
  // A typed array other than Uint8Array: its own bytes, not the numbers it holds as JSON.
  const words = new Uint16Array(bytes.slice(0, 14).buffer);
  const upload = batch.request({ method: "PUT", url: "Files('a')/$value", body: words });
  const poller = await batch.sendAsync();
  await poller.wait();

  assert.equal(received[0]!.headers["prefer"], "respond-async");
  const binary = partOf(received[0]!.body, "PUT Files('a')/$value HTTP/1.1");
  assert.ok(binary.headers.includes("content-type: application/octet-stream"), binary.headers.join("; "));
  assert.deepEqual([...binary.body], [...bytes.slice(0, 14)]);
  assert.equal(valueOf(upload, 204), undefined);
});

test("JSON batch (4.01): bytes go as the base64url of them in body with the Content-Type in the request's headers; bytes under a text or JSON type as their text or value; the answers come back", async (t) => {
  const answered = Buffer.from([0x00, 0xfb, 0xff, 0x80]);
  const { url, received } = await service(t, () => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      responses: [
        { id: "1", status: 204 },
        { id: "2", status: 200, headers: { "content-type": "text/plain" }, body: "got text" },
        { id: "3", status: 200, headers: { "content-type": "application/octet-stream" }, body: answered.toString("base64url") },
      ],
    }),
  }));
  const client = new ODataClient({ serviceUrl: url, version: "4.01" });
  const batch = client.batch();
  assert.equal(batch.format, "json");
  const upload = batch.request({ method: "PUT", url: "Photos(1)/content", body: bytes, headers: { "content-type": "application/octet-stream" } });
  const text = batch.request<string>({ method: "POST", url: "Notes", body: new TextEncoder().encode("héllo €").buffer, headers: { "content-type": "text/plain; charset=utf-8" } });
  const json = batch.request<Uint8Array>({ method: "POST", url: "Things", body: new TextEncoder().encode('{"name":"ü"}'), headers: { "content-type": "application/json" } });
  await batch.send();

  assert.equal(received.length, 1);
  assert.equal(received[0]!.headers["content-type"], "application/json");
  const { requests } = JSON.parse(received[0]!.body.toString("utf8")) as { requests: { id: string; headers: Record<string, string>; body: unknown }[] };
  assert.equal(requests[0]!.body, Buffer.from(bytes).toString("base64url"));
  assert.match(requests[0]!.body as string, /^[A-Za-z0-9_-]+$/, "base64url without padding");
  assert.deepEqual(Buffer.from(requests[0]!.body as string, "base64url"), Buffer.from(bytes));
  assert.equal(requests[0]!.headers["content-type"], "application/octet-stream");
  assert.equal(requests[1]!.body, "héllo €");
  assert.equal(requests[1]!.headers["content-type"], "text/plain; charset=utf-8");
  assert.deepEqual(requests[2]!.body, { name: "ü" });

  assert.equal(valueOf(upload, 204), undefined);
  assert.equal(valueOf(text, 200), "got text");
  const value = valueOf(json, 200);
  assert.ok(value instanceof Uint8Array);
  assert.deepEqual(Buffer.from(value), answered);
});

test("JSON batch: bytes under a text type that are no text in its charset reject send() with a TypeError naming body, and nothing is sent", async (t) => {
  const { url, received } = await service(t, () => ({ status: 500, headers: {}, body: "" }));
  const batch = new ODataClient({ serviceUrl: url, version: "4.01" }).batch();
  batch.request({ method: "PUT", url: "Notes(1)/text", body: bytes, headers: { "content-type": "text/plain" } });
  await assert.rejects(batch.send(), (error: Error) => error instanceof TypeError && /^request\(request\): body: .*"text\/plain".*utf-8/.test(error.message));
  assert.equal(received.length, 0);
});

test("JSON batch: bytes under charset=iso-8859-1 or windows-1252 go as windows-1252 text (0x80 is €, not a C1 control), as a multipart answer's part is read in every runtime", async (t) => {
  const { url, received } = await service(t, () => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ responses: [{ id: "1", status: 204 }, { id: "2", status: 204 }] }),
  }));
  const batch = new ODataClient({ serviceUrl: url, version: "4.01" }).batch();
  const latin1 = batch.request({ method: "PUT", url: "Docs(1)/$value", body: new Uint8Array([0x80, 0x20, 0x35]), headers: { "content-type": "text/plain; charset=iso-8859-1" } });
  const cp1252 = batch.request({ method: "PUT", url: "Docs(2)/$value", body: new Uint8Array([0x93, 0x41, 0x94]), headers: { "content-type": 'text/plain; charset="windows-1252"' } });
  await batch.send();

  assert.equal(received.length, 1);
  const { requests } = JSON.parse(received[0]!.body.toString("utf8")) as { requests: { headers: Record<string, string>; body: unknown }[] };
  assert.equal(requests[0]!.body, "\u20ac 5");
  assert.equal(requests[0]!.headers["content-type"], "text/plain; charset=iso-8859-1");
  assert.equal(requests[1]!.body, "\u201cA\u201d");
  assert.equal(valueOf(latin1, 204), undefined);
  assert.equal(valueOf(cp1252, 204), undefined);
});

test("JSON batch: bytes under a text type whose charset is none known reject send() with a TypeError naming body and that charset, and nothing is sent", async (t) => {
  const { url, received } = await service(t, () => ({ status: 500, headers: {}, body: "" }));
  const batch = new ODataClient({ serviceUrl: url, version: "4.01" }).batch();
  batch.request({ method: "PUT", url: "Notes(1)/text", body: new Uint8Array([0x41]), headers: { "content-type": "text/plain; charset=x-no-such-charset" } });
  await assert.rejects(batch.send(), (error: Error) => error instanceof TypeError && /^request\(request\): body: .*cannot be read as x-no-such-charset text/.test(error.message));
  assert.equal(received.length, 0);
});

test("toRequest(): a JSON batch gives the bytes as base64url text; a multipart batch that holds bytes rejects with a TypeError, its text unable to hold them", async () => {
  const json = new ODataClient({ serviceUrl: "http://127.0.0.1:9/svc/", version: "4.01" }).batch();
  json.request({ method: "PUT", url: "Photos(1)/content", body: bytes, headers: { "content-type": "image/png" } });
  const written = await json.toRequest();
  const parsed = JSON.parse(written.body) as { requests: { body: string; headers: Record<string, string> }[] };
  assert.equal(parsed.requests[0]!.body, Buffer.from(bytes).toString("base64url"));
  assert.equal(parsed.requests[0]!.headers["content-type"], "image/png");

  const multipart = new ODataClient({ serviceUrl: "http://127.0.0.1:9/svc/", version: "4.0" }).batch();
  multipart.request({ method: "PUT", url: "Photos(1)/content", body: bytes, headers: { "content-type": "image/png" } });
  await assert.rejects(multipart.toRequest(), (error: Error) => error instanceof TypeError && /^toRequest\(\): .*bytes/.test(error.message));
});

test("a ReadableStream, Blob, FormData, URLSearchParams or Map body is refused by request() with a TypeError naming body (JSON would send it as {}, or in Bun as its text fields), and the batch holds none of them; data with a Symbol.toStringTag of its own is sent as JSON", async (t) => {
  const { url, received } = await service(t, () => ({ status: 500, headers: {}, body: "" }));
  const client = new ODataClient({ serviceUrl: url, version: "4.0" });
  const batch = client.batch();
  const bodies: [string, unknown][] = [
    ["ReadableStream", new ReadableStream({ start: (controller) => (controller.enqueue(bytes), controller.close()) })],
    ["Blob", new Blob([bytes])],
    ["FormData", new FormData()],
    ["URLSearchParams", new URLSearchParams("a=1")],
    ["Map", new Map([["a", 1]])],
    // As Bun's JSON.stringify writes FormData and URLSearchParams: their text fields, a file as {}.
    ["BunLikeFormData", new (class BunLikeFormData extends FormData {
      toJSON() {
        return { a: "b", file: {} };
      }
    })()],
    ["BunLikeURLSearchParams", new (class BunLikeURLSearchParams extends URLSearchParams {
      toJSON() {
        return { a: "1" };
      }
    })("a=1")],
  ];
  for (const [name, body] of bodies) {
    assert.throws(
      () => batch.request({ method: "PUT", url: "Photos(1)/content", body, headers: { "content-type": "application/octet-stream" } }),
      (error: Error) => error instanceof TypeError && error.message.startsWith(`request(request): body: a ${name} cannot be sent in a batch`) && /Uint8Array/.test(error.message),
      name,
    );
  }
  assert.equal(batch.size, 0);
  // Data with a Symbol.toStringTag of its own (a class's, a decimal library's) is JSON, not a fetch body.
  class Order {
    ID = 1;
    get [Symbol.toStringTag]() {
      return "Order";
    }
  }
  const decimal = Object.create({ [Symbol.toStringTag]: "Decimal", toJSON: () => "1.50" }) as object;
  batch.request({ method: "POST", url: "Orders", body: new Order() });
  batch.request({ method: "POST", url: "Prices", body: { value: decimal } });
  batch.request({ method: "GET", url: "Photos" });
  assert.equal(batch.size, 3);
  await assert.rejects(batch.send());
  assert.equal(received.length, 1);
  const sent = received[0]!.body.toString("latin1");
  assert.doesNotMatch(sent, /\{\}/);
  assert.match(sent, /POST Orders HTTP\/1\.1\r\n[^]*?\r\n\r\n\{"ID":1\}/);
  assert.match(sent, /POST Prices HTTP\/1\.1\r\n[^]*?\r\n\r\n\{"value":"1\.50"\}/);
});
