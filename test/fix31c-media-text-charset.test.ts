/**
 * `media().text()` decodes the content by the `charset` its answer's `Content-Type` names, over
 * real HTTP (node:http on 127.0.0.1): ISO-8859-1 (read as windows-1252, as a `$batch` part is),
 * UTF-16LE, UTF-8 where none is named, and UTF-8 where the charset is one no runtime knows (as a
 * `$batch` part's is). Before, every answer was read as UTF-8: `caf\xe9` sent as ISO-8859-1 came
 * back as "caf\ufffd", and UTF-16 as a string of NULs and replacement characters.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { serveClient } from "./servers/recording-server.js";

/** The service: each `Photos(n)/$value` answers the bytes and Content-Type given for `n`. */
const CONTENT: Record<string, { type: string; bytes: Buffer }> = {
  "1": { type: "text/plain; charset=iso-8859-1", bytes: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]) },
  "2": { type: "text/plain;charset=UTF-16LE", bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("hé €", "utf16le")]) },
  "3": { type: "text/plain", bytes: Buffer.from("hé €", "utf8") },
  "4": { type: 'text/csv; charset="x-no-such-charset"', bytes: Buffer.from("hé", "utf8") },
};

async function photoService(t: Parameters<typeof serveClient>[0]) {
  return serveClient(t, (request, res) => {
    const key = /^\/odata\/Photos\((\d)\)\/\$value$/.exec(request.path)?.[1];
    const content = key === undefined ? undefined : CONTENT[key];
    if (!content) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": content.type, "content-length": content.bytes.length });
    res.end(content.bytes);
  });
}

describe("media().text() reads the charset its answer names", () => {
  test("ISO-8859-1 content is decoded as windows-1252 (0xE9 is é, 0x80 the euro sign), not as UTF-8", async (t) => {
    const { server, client } = await photoService(t);
    const text = await client.collection("Photos").key(1).media().text();
    assert.equal(text, "café €");
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/Photos(1)/$value"],
    );
  });

  test("UTF-16LE content (the charset's name in capitals, without a space) is decoded as UTF-16LE, its byte order mark dropped", async (t) => {
    const { server, client } = await photoService(t);
    assert.equal(await client.collection("Photos").key(2).media().text(), "hé €");
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/Photos(2)/$value"],
    );
  });

  test("content without a charset is read as UTF-8, and one under a charset no runtime knows as UTF-8 too, as a $batch part is", async (t) => {
    const { server, client } = await photoService(t);
    assert.equal(await client.collection("Photos").key(3).media().text(), "hé €");
    assert.equal(await client.collection("Photos").key(4).media().text(), "hé");
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/Photos(3)/$value", "GET /odata/Photos(4)/$value"],
    );
  });

  test("bytes() still gives the bytes as sent, whatever the charset", async (t) => {
    const { client } = await photoService(t);
    assert.deepEqual(Buffer.from(await client.collection("Photos").key(1).media().bytes()), CONTENT["1"]!.bytes);
  });
});
