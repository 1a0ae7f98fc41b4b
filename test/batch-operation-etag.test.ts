// The etag option of a $batch operation (`batch.action(name, params, { etag })`) is refused as the
// same option of the operation sent alone (`action(name).invoke(params, { etag })`): a line break,
// NUL or a character beyond U+00FF cannot be an If-Match value, and inside a multipart body the
// first two would end the part's headers early. Nothing is sent.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient } from "../src/index.js";
import { serve } from "./batch-server.js";

interface Book {
  ID: number;
  title?: string;
}

for (const [what, etag] of [
  ["NUL", 'W/"a\u0000b"'],
  ["U+20AC", 'W/"5 €"'],
  ["a control character", 'W/"5\u0001"'],
] as const) {
  test(`batch.action() with an etag holding ${what} is refused when added, naming the option as invoke() alone does, and nothing is sent`, async (t) => {
    const service = await serve(() => ({ status: 204 }));
    t.after(service.close);
    const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
    const book = client.collection<Book>("Books").key(1);
    const alone = await book
      .action("Shelve")
      .invoke({}, { etag })
      .then(
        () => assert.fail("invoke() sent the etag"),
        (error: unknown) => error as Error,
      );
    assert.ok(alone instanceof TypeError);
    const expected = `option "etag" must be a non-empty ETag without control characters or characters beyond U+00FF; got ${alone.message.split("; got ")[1]}`;
    assert.match(alone.message, /^action\("Shelve"\)\.invoke\(\): option "etag" must be a non-empty ETag without control characters or characters beyond U\+00FF; got /);

    for (const format of ["multipart", "json"] as const) {
      const batch = client.batch({ format });
      // Refused when added, as batch.update()'s etag is.
      assert.throws(() => batch.action("Shelve", {}, { bound: book, etag }), (error: unknown) => error instanceof TypeError && error.message === `action("Shelve"): ${expected}`);
      await assert.rejects(batch.send(), { name: "TypeError", message: "send(): the batch holds no requests" });
    }
    assert.deepEqual(service.seen, [], "neither the action nor the batch went out");
  });
}

test("batch.action() sends a good etag as the part's If-Match", async (t) => {
  const service = await serve(() => ({ status: 200, headers: { "Content-Type": "multipart/mixed; boundary=r" }, body: "--r\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n--r--\r\n" }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const batch = client.batch({ format: "multipart" });
  const shelved = batch.action("Shelve", {}, { bound: client.collection<Book>("Books").key(1), etag: 'W/"7"' });
  await batch.send();
  assert.equal(service.seen.length, 1);
  assert.match(service.seen[0]!.body, /\r\nPOST Books\(1\)\/Shelve HTTP\/1\.1\r\n(?:[^\r\n]+\r\n)*if-match: W\/"7"\r\n/);
  const result = shelved.result();
  assert.ok(result.ok);
  assert.equal(result.status, 204);
});
