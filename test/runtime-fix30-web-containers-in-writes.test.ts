/**
 * `Headers`, `URLSearchParams`, `FormData`, `Blob` and `File` inside a write's body are refused
 * with a TypeError naming their path, as a `Map` is, and nothing is sent. JSON writes them as `{}`
 * in Node, Deno and browsers, while Bun gives the first three a `toJSON()` that writes their
 * entries: a body must not mean one thing in one runtime and another elsewhere. (Bun itself is
 * checked by the conformance scenario `webContainerWrites`, test/runtimes.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";

async function recordingService(t: { after(fn: () => unknown): void }): Promise<RecordingServer> {
  const server = await startServer((_request, res) => {
    res.writeHead(204);
    res.end();
  });
  t.after(() => server.close());
  return server;
}

function clientOf(server: RecordingServer): ODataClient {
  return new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
}

function formData(): FormData {
  const form = new FormData();
  form.set("a", "1");
  return form;
}

/** A `Headers` that writes its entries by `toJSON()`, as Bun's own does. */
class BunLikeHeaders extends Headers {
  toJSON(): Record<string, string> {
    return Object.fromEntries(this);
  }
}

test("Headers, URLSearchParams, FormData, Blob, File, Request, Response, ReadableStream and AbortSignal in a created entity are refused naming their path and type, and nothing is sent", async (t) => {
  const server = await recordingService(t);
  const books = clientOf(server).collection("Books");
  const cases: [object, string][] = [
    [{ ID: 1, meta: { headers: new Headers({ a: "1" }) } }, "meta/headers (Headers)"],
    [{ ID: 2, query: new URLSearchParams("a=1") }, "query (URLSearchParams)"],
    [{ ID: 3, form: formData() }, "form (FormData)"],
    [{ ID: 4, cover: new Blob(["x"]) }, "cover (Blob)"],
    [{ ID: 5, attachments: [new File(["x"], "a.txt")] }, "attachments/0 (File)"],
    // JSON writes these as {} in every runtime: data lost without a word.
    [{ ID: 6, source: new Request("http://127.0.0.1/x") }, "source (Request)"],
    [{ ID: 7, answer: new Response("x") }, "answer (Response)"],
    [{ ID: 8, content: new ReadableStream() }, "content (ReadableStream)"],
    [{ ID: 9, cancel: new AbortController().signal }, "cancel (AbortSignal)"],
  ];
  for (const [entity, what] of cases) {
    await assert.rejects(books.create(entity), (error: unknown) => {
      assert.ok(error instanceof TypeError, String(error));
      assert.equal(error.message, `create(entity): the entity cannot be sent as JSON (${what} has no JSON form; pass a plain object, an array or a Uint8Array)`);
      return true;
    });
  }
  assert.deepEqual(server.requests, []);
});

test("one whose toJSON() writes its entries (as Bun's Headers, URLSearchParams and FormData do) is refused too, in an update", async (t) => {
  const server = await recordingService(t);
  const books = clientOf(server).collection("Books");
  await assert.rejects(books.key(1).update({ sentWith: new BunLikeHeaders({ a: "1" }) }), (error: unknown) => {
    assert.ok(error instanceof TypeError, String(error));
    assert.equal(error.message, "update(patch): the entity cannot be sent as JSON (sentWith (Headers) has no JSON form; pass a plain object, an array or a Uint8Array)");
    return true;
  });
  // And one that a toJSON() of the caller's returns.
  await assert.rejects(books.create({ ID: 6, note: { toJSON: () => new URLSearchParams("a=1") } }), /\(note \(URLSearchParams\) has no JSON form/);
  assert.deepEqual(server.requests, []);
});

test("a URL, whose toJSON() every runtime has, is still written as its text", async (t) => {
  const server = await recordingService(t);
  await clientOf(server).collection("Books").create({ ID: 7, link: new URL("https://example.com/a?b=1") });
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.path, request.body]),
    [["POST", "/svc/Books", '{"ID":7,"link":"https://example.com/a?b=1"}']],
  );
});
