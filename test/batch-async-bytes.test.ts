// A binary part (an image from $value) in a multipart $batch answer that comes through a poller:
// sendAsync()'s answer given at once, a status monitor's final answer (application/http around the
// multipart answer, or the multipart answer itself), and a poller resumed from its token. send()
// keeps such a part's bytes (test/batch-http.test.ts); these paths must too.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AsyncOperationFailedError, ODataClient } from "../src/index.js";
import { serve, type Reply } from "./batch-server.js";

const CRLF = "\r\n";

/** A PNG's signature and bytes across 0x80-0xFF, with sequences that are no UTF-8 (a lone C3, FF, a cut E2 82). */
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x80, 0xc3, 0x28, 0xff, 0xfe, 0xe2, 0x82, 0x41, 0xa0, 0xbf, 0xc0, 0xf5, 0x7f]);

/** The batch's multipart answer: the image, then a JSON entity with text beyond ASCII. */
function multipartAnswer(image: Buffer = png, title = "Ærø – €"): Buffer {
  return Buffer.concat([
    Buffer.from(`--r${CRLF}Content-Type: application/http${CRLF}Content-ID: 1${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: image/png${CRLF}${CRLF}`, "latin1"),
    image,
    Buffer.from(`${CRLF}--r${CRLF}Content-Type: application/http${CRLF}Content-ID: 2${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}`, "latin1"),
    Buffer.from(`{"ID":2,"title":${JSON.stringify(title)}}${CRLF}--r--${CRLF}`, "utf8"),
  ]);
}

const multipart: Reply = { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=r" }, body: multipartAnswer() };
/** The OData 4.0 form of a monitor's final answer: the batch's answer as an application/http message. */
const envelope: Reply = {
  status: 200,
  headers: { "Content-Type": "application/http" },
  body: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK${CRLF}Content-Type: multipart/mixed; boundary=r${CRLF}${CRLF}`, "latin1"), multipartAnswer()]),
};

async function batchOn(reply: (path: string) => Reply) {
  const service = await serve((request) => reply(new URL(request.url, "http://x").pathname));
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const batch = client.batch({ format: "multipart" });
  const image = batch.request<Uint8Array>({ method: "GET", url: "Photos(1)/$value", headers: { accept: "image/png" } });
  const book = batch.get(client.collection<{ ID: number; title: string }>("Books").key(2));
  return { service, client, batch, image, book };
}

function assertRead(image: { result(): { ok: boolean; value?: unknown } }, book: { result(): { ok: boolean; value?: unknown } }) {
  const picture = image.result();
  assert.ok(picture.ok);
  assert.ok(picture.value instanceof Uint8Array, "the image's result is its bytes");
  assert.deepEqual(Buffer.from(picture.value), png);
  const entity = book.result();
  assert.ok(entity.ok);
  assert.equal((entity.value as { title: string }).title, "Ærø – €");
}

test("sendAsync() answered at once with the multipart answer keeps a binary part's bytes", async (t) => {
  const { service, batch, image, book } = await batchOn(() => multipart);
  t.after(service.close);
  const poller = await batch.sendAsync();
  assert.equal(service.seen.length, 1);
  assert.equal(service.seen[0]!.headers["prefer"], "respond-async");
  assert.ok(poller.isDone());
  await poller.wait();
  assertRead(image, book);
});

for (const [form, final] of [
  ["application/http around the multipart answer", envelope],
  ["the multipart answer itself", multipart],
] as const) {
  test(`sendAsync() keeps a binary part's bytes where the monitor's final answer is ${form}`, async (t) => {
    const { service, batch, image, book } = await batchOn((path) => (path.endsWith("$batch") ? { status: 202, headers: { Location: "mon/1" } } : final));
    t.after(service.close);
    const poller = await batch.sendAsync({ pollInterval: 5 });
    const results = await poller.wait();
    assert.deepEqual(
      service.seen.map((seen) => `${seen.method} ${seen.url}`),
      ["POST /svc/$batch", "GET /svc/mon/1"],
    );
    assert.equal(results.length, 2);
    assertRead(image, book);
  });
}

test("a monitor's application/http answer that starts with a UTF-8 byte order mark (as .NET writes it) is read, its batch's bytes kept", async (t) => {
  const withBom: Reply = { ...envelope, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), envelope.body as Buffer]) };
  const { service, batch, image, book } = await batchOn((path) => (path.endsWith("$batch") ? { status: 202, headers: { Location: "mon/1" } } : withBom));
  t.after(service.close);
  const results = await (await batch.sendAsync({ pollInterval: 5 })).wait();
  assert.equal(results.length, 2);
  assertRead(image, book);
});

test("a batch poller resumed from its token keeps a binary part's bytes", async (t) => {
  const { service, client, batch } = await batchOn((path) => (path.endsWith("$batch") ? { status: 202, headers: { Location: "mon/1" } } : envelope));
  t.after(service.close);
  const token = JSON.parse(JSON.stringify((await batch.sendAsync()).toJSON()));
  // Another process builds the same batch and resumes.
  const again = client.batch({ format: "multipart" });
  const image = again.request<Uint8Array>({ method: "GET", url: "Photos(1)/$value", headers: { accept: "image/png" } });
  const book = again.get(client.collection<{ ID: number; title: string }>("Books").key(2));
  await again.resumeAsync(token, { pollInterval: 5 }).wait();
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url}`),
    ["POST /svc/$batch", "GET /svc/mon/1"],
  );
  assertRead(image, book);
});

test("a token saved after success keeps the answer's bytes (resultBinary); a token without the field reads its result as text, as before", async (t) => {
  const { service, client, batch, image, book } = await batchOn(() => multipart);
  t.after(service.close);
  const poller = await batch.sendAsync();
  await poller.wait();
  assertRead(image, book);
  const token = JSON.parse(JSON.stringify(poller.toJSON()));
  assert.equal(token.outcome, "succeeded");
  assert.equal(token.resultBinary, true);
  assert.equal(token.resultType, "multipart/mixed; boundary=r");
  const build = () => {
    const again = client.batch({ format: "multipart" });
    const picture = again.request<Uint8Array>({ method: "GET", url: "Photos(1)/$value", headers: { accept: "image/png" } });
    const entity = again.get(client.collection<{ ID: number; title: string }>("Books").key(2));
    return { again, picture, entity };
  };
  const resumed = build();
  await resumed.again.resumeAsync(token).wait();
  assertRead(resumed.picture, resumed.entity);
  // A token of a release that read the answer as UTF-8 text: its text is read as text. (Characters
  // up to U+00FF only, which read as bytes would decode otherwise.)
  const { resultBinary, ...older } = token;
  older.result = multipartAnswer(Buffer.from("PNG"), "Ærø").toString("utf8");
  const old = build();
  await old.again.resumeAsync(older).wait();
  const entity = old.entity.result();
  assert.ok(entity.ok);
  assert.equal((entity.value as { title: string }).title, "Ærø");
  assert.equal(service.seen.length, 1, "a resume sends nothing");
});

test("only the batch's multipart answer is read as bytes: a monitor's JSON status and a failure inside application/http stay UTF-8 text", async (t) => {
  let polls = 0;
  const { service, client, batch, image, book } = await batchOn((path) => {
    if (path.endsWith("$batch")) return { status: 202, headers: { Location: polls === 0 ? "mon/1" : "mon/2" } };
    if (path.endsWith("mon/1")) {
      polls += 1;
      return polls === 1
        ? { status: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ status: "Läuft – ½ €", percentComplete: 50 }) }
        : { status: 303, headers: { Location: "results/1" } };
    }
    if (path.endsWith("results/1")) return multipart;
    return {
      status: 200,
      headers: { "Content-Type": "application/http" },
      body: Buffer.from(`HTTP/1.1 500 Internal Server Error${CRLF}Content-Type: application/json${CRLF}${CRLF}${JSON.stringify({ error: { code: "E1", message: "Zugriff verweigert – Müller €" } })}`, "utf8"),
    };
  });
  t.after(service.close);
  const statuses: string[] = [];
  await (await batch.sendAsync({ pollInterval: 5, onProgress: (status) => statuses.push(status) })).wait();
  assert.equal(statuses[0], "Läuft – ½ €");
  assertRead(image, book);

  const failing = client.batch({ format: "multipart" });
  failing.request({ method: "GET", url: "Photos(1)/$value" });
  const poller = await failing.sendAsync({ pollInterval: 5 });
  await assert.rejects(poller.wait(), (error: AsyncOperationFailedError) => {
    assert.ok(error instanceof AsyncOperationFailedError);
    assert.equal(error.httpStatus, 500);
    assert.equal(error.odataError?.message, "Zugriff verweigert – Müller €");
    return true;
  });
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url}`),
    ["POST /svc/$batch", "GET /svc/mon/1", "GET /svc/mon/1", "GET /svc/mon/results/1", "POST /svc/$batch", "GET /svc/mon/2"],
  );
});

test("results.continuation of send() keeps a binary part's bytes", async (t) => {
  const service = await serve((request) =>
    request.url.endsWith("$batch")
      ? {
          status: 200,
          headers: { "Content-Type": "multipart/mixed; boundary=r" },
          body: Buffer.from(
            `--r${CRLF}Content-Type: application/http${CRLF}Content-ID: 1${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}{"ID":2,"title":"Ærø – €"}` +
              `${CRLF}--r${CRLF}Content-Type: application/http${CRLF}Content-ID: 2${CRLF}${CRLF}HTTP/1.1 202 Accepted${CRLF}Location: mon/1${CRLF}${CRLF}${CRLF}--r--${CRLF}`,
            "utf8",
          ),
        }
      : {
          status: 200,
          headers: { "Content-Type": "multipart/mixed; boundary=r" },
          body: Buffer.concat([
            Buffer.from(`--r${CRLF}Content-Type: application/http${CRLF}Content-ID: 2${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: image/png${CRLF}${CRLF}`, "latin1"),
            png,
            Buffer.from(`${CRLF}--r--${CRLF}`, "latin1"),
          ]),
        },
  );
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.0" });
  const batch = client.batch({ format: "multipart" });
  const book = batch.get(client.collection<{ ID: number; title: string }>("Books").key(2));
  const image = batch.request<Uint8Array>({ method: "GET", url: "Photos(1)/$value", headers: { accept: "image/png" } });
  const results = await batch.send();
  assert.ok(results.continuation);
  await results.continuation.wait();
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url}`),
    ["POST /svc/$batch", "GET /svc/mon/1"],
  );
  assertRead(image, book);
});
