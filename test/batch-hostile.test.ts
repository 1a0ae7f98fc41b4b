/**
 * `$batch` answers from services that reorder, mix formats or send bytes: a JSON batch's 202 before
 * answers given at once, a binary part, system resources in `request()`, a changeset answered out
 * of order with one Content-ID missing, an asynchronous answer that is no batch.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { answeredAfter202, json, serve, short, type Reply } from "./batch-server.js";
import { ODataClient } from "../src/index.js";

test("a JSON batch whose 202 comes before answers given at once: the continuation matches only the request still to come, the others keep their answers", async () => {
  const monitors: Record<string, Reply> = {
    batch: { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: 1 } }] }) },
    own: { status: 200, headers: json, body: '{"ID":1}' },
    http: { status: 200, headers: { "Content-Type": "application/http" }, body: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"ID":1}' },
    // The whole batch again: the answers given already are not taken twice.
    whole: { status: 200, headers: json, body: JSON.stringify({ responses: [1, 2, 3].map((id) => ({ id: String(id), status: 200, headers: json, body: { ID: id * 10 } })) }) },
  };
  for (const [name, monitor] of Object.entries(monitors)) {
    const server = await serve((request) =>
      request.url.endsWith("$batch")
        ? answeredAfter202
        : monitor,
    );
    try {
      const client = new ODataClient({ serviceUrl: server.url, version: "4.01" });
      const books = client.collection<{ ID: number }>("Books");
      const batch = client.batch();
      for (const id of [1, 2, 3]) batch.get(books.key(id));
      const first = await batch.send({ continuation: { pollInterval: 1 } });
      assert.deepEqual(first.map(short), [
        { ok: false, status: undefined, code: "BATCH_PENDING" },
        { ok: true, status: 200, value: { ID: 2 } },
        { ok: true, status: 200, value: { ID: 3 } },
      ]);
      const rest = await first.continuation!.wait();
      assert.deepEqual(rest.map(short), [
        { ok: true, status: 200, value: name === "whole" ? { ID: 10 } : { ID: 1 } },
        { ok: true, status: 200, value: { ID: 2 } },
        { ok: true, status: 200, value: { ID: 3 } },
      ], name);
      assert.equal(rest.ok, true);
      assert.deepEqual(server.seen.map((request) => `${request.method} ${request.url}`), ["POST /svc/$batch", "GET /svc/mon/1"]);
      assert.deepEqual(JSON.parse(server.seen[0]!.body).requests.map((request: { id: string; url: string }) => `${request.id} ${request.url}`), ["1 Books(1)", "2 Books(2)", "3 Books(3)"]);
    } finally {
      server.close();
    }
  }
});

test("a part that is not text keeps its bytes: a $value image is a Uint8Array, text parts around it decoded by their charset", async () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x80, 0x9f]);
  const part = (id: string, head: string, body: Buffer) =>
    Buffer.concat([Buffer.from(`--B\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${id}\r\n\r\nHTTP/1.1 200 OK\r\n${head}\r\n\r\n`), body, Buffer.from("\r\n")]);
  const server = await serve(() => ({
    status: 200,
    headers: { "Content-Type": "multipart/mixed; boundary=B" },
    body: Buffer.concat([
      part("1", "Content-Type: image/png", png),
      part("2", "Content-Type: application/json", Buffer.from('{"title":"Ærø – ünïcode"}')),
      part("3", "Content-Type: text/plain; charset=iso-8859-1", Buffer.from([0x63, 0x61, 0x66, 0xe9])),
      // WHATWG's iso-8859-1 is windows-1252, as browsers, Deno, Bun and workerd decode it (Node's
      // TextDecoder gives C1 controls for 0x80-0x9F): the same answer reads the same everywhere.
      part("4", "Content-Type: text/plain; charset=ISO-8859-1", Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94, 0x20, 0x99, 0x81, 0xe9])),
      Buffer.from("--B--\r\n"),
    ]),
  }));
  try {
    const client = new ODataClient({ serviceUrl: server.url });
    const batch = client.batch();
    const image = batch.request<Uint8Array>({ method: "GET", url: "Photos(1)/$value" });
    const book = batch.request({ method: "GET", url: "Books(1)" });
    const text = batch.request({ method: "GET", url: "Notes(1)/$value" });
    const windows = batch.request({ method: "GET", url: "Notes(2)/$value" });
    await batch.send();
    const result = image.result();
    assert.ok(result.ok && result.value instanceof Uint8Array);
    assert.deepEqual(Array.from(result.value), Array.from(png));
    assert.deepEqual(short(book.result()), { ok: true, status: 200, value: { title: "Ærø – ünïcode" } });
    assert.deepEqual(short(text.result()), { ok: true, status: 200, value: "café" });
    assert.deepEqual(short(windows.result()), { ok: true, status: 200, value: "€ \u201cq\u201d \u2122\u0081é" });
    assert.match(server.seen[0]!.body, /GET Photos\(1\)\/\$value HTTP\/1\.1/);
  } finally {
    server.close();
  }
});

test("request() passes the service's own resources ($metadata, $all, $entity, $crossjoin) through; only a number is a reference", async () => {
  const urls = ["$metadata", "$all?$search=Emma", "$entity?$id=Books(1)", "$crossjoin(Books,Authors)"];
  const server = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: urls.map((_, n) => ({ id: String(n + 1), status: 200, headers: json, body: { n } })) }) }));
  try {
    const client = new ODataClient({ serviceUrl: server.url, version: "4.01" });
    for (const format of ["multipart", "json"] as const) {
      const batch = client.batch({ format });
      for (const url of urls) batch.request({ method: "GET", url });
      const { body } = await batch.toRequest();
      for (const url of urls) assert.ok(String(body).includes(format === "json" ? JSON.stringify(url) : `GET ${url} HTTP/1.1`), `${format} ${url}`);
      if (format === "json") assert.ok(!String(body).includes("dependsOn"));
      // A number still names an earlier request, and one that names none is refused.
      assert.throws(() => client.batch({ format }).request({ method: "GET", url: "$1/title" }), /references \$1, which is not an earlier request/);
    }
    const batch = client.batch({ format: "json" });
    const handles = urls.map((url) => batch.request({ method: "GET", url }));
    await batch.send();
    assert.deepEqual(handles.map((handle) => short(handle.result())), urls.map((_, n) => ({ ok: true, status: 200, value: { n } })));
    assert.deepEqual(JSON.parse(server.seen[0]!.body).requests.map((request: { url: string }) => request.url), urls);
  } finally {
    server.close();
  }
});

test("a changeset answered out of order with one Content-ID missing, the other both its place and another member's ID, matches neither", async () => {
  const part = (status: string, body: string, id?: string) =>
    `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n${id ? `Content-ID: ${id}\r\n` : ""}\r\nHTTP/1.1 ${status}\r\nContent-Type: application/json\r\n\r\n${body}\r\n`;
  const server = await serve(() => ({
    status: 200,
    headers: { "Content-Type": "multipart/mixed; boundary=B" },
    body: `--B\r\n${part("200 OK", '{"ID":1}', "1")}--B\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n--cs\r\n${part("201 Created", '{"ID":"B"}')}--cs\r\n${part("201 Created", '{"ID":"A"}', "2")}--cs--\r\n--B--\r\n`,
  }));
  try {
    const client = new ODataClient({ serviceUrl: server.url });
    const authors = client.collection<{ ID: string }>("Authors");
    const batch = client.batch();
    const read = batch.get(client.collection<{ ID: number }>("Books").key(1));
    const created: { result(): unknown }[] = [];
    batch.changeset((changeset) => {
      created.push(changeset.create(authors, { ID: "A" }), changeset.create(authors, { ID: "B" }));
    });
    await batch.send();
    assert.deepEqual(short(read.result() as never), { ok: true, status: 200, value: { ID: 1 } });
    const why = 'cannot be matched to the answer: response 2 of its changeset carries the Content-ID "2" of another of its requests, and not every response names one; whether it ran is not known';
    assert.deepEqual(
      created.map((handle) => {
        const result = handle.result() as { ok: boolean; error: { code: string; message: string } };
        return [result.ok, result.error.code, result.error.message];
      }),
      [
        [false, "BAD_BATCH_RESPONSE", `request 2 (POST Authors) ${why}`],
        [false, "BAD_BATCH_RESPONSE", `request 3 (POST Authors) ${why}`],
      ],
    );
    assert.match(server.seen[0]!.body, /Content-ID: 2\r\n\r\nPOST Authors HTTP\/1\.1[\s\S]*"ID":"A"[\s\S]*Content-ID: 3\r\n\r\nPOST Authors HTTP\/1\.1[\s\S]*"ID":"B"/);
  } finally {
    server.close();
  }
});

test("sendAsync names what it got when the answer is no batch: a JSON body, not a text/plain one", async () => {
  const server = await serve(() => ({ status: 200, headers: json, body: '{"value":[]}' }));
  try {
    const client = new ODataClient({ serviceUrl: server.url });
    const batch = client.batch();
    batch.get(client.collection<{ ID: number }>("Books").key(1));
    batch.count(client.collection("Books"));
    await assert.rejects(batch.sendAsync(), {
      code: "BAD_BATCH_RESPONSE",
      message: 'malformed batch response: the answer is neither a multipart batch response nor a JSON batch response (a JSON body without a "responses" array)',
    });
    assert.equal(server.seen.length, 1);
    assert.equal(server.seen[0]!.headers["prefer"], "respond-async");
  } finally {
    server.close();
  }
});
