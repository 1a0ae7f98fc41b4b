/**
 * A `$batch` part calling an operation whose result is one entity reads as the same call sent
 * alone (test/hunt41-operations-etag-header.test.ts): the ETag its part sent in the `ETag` header
 * alone is kept with the entity, unless the body has one, and a collection or primitive result gets
 * none. Before, the part dropped the header: `etagOf(result)` was `undefined` where `get()` or
 * `invoke()` alone gave the header's ETag. JSON batch (v4), multipart (v4 and v2), over node:http
 * on 127.0.0.1.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { etagOf } from "../src/index.js";

/** The value of a part that succeeded. */
function valueOf(result: { ok: boolean; value?: unknown }): unknown {
  assert.ok(result.ok, "the part succeeded");
  return result.value;
}
import { answerJson, sendText, serveClient } from "./servers/recording-server.js";

const CRLF = "\r\n";

/** A multipart answer with one part per `[headers, body]`, each a 200. */
function multipart(parts: [Record<string, string>, string][]): string {
  const lines: string[] = [];
  for (const [headers, body] of parts) {
    lines.push("--x", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "HTTP/1.1 200 OK");
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    lines.push("", body);
  }
  lines.push("--x--", "");
  return lines.join(CRLF);
}

function sentLines(body: string): string[] {
  return body.split(CRLF).filter((line) => /^(GET|POST) /.test(line));
}

describe("the ETag header of a $batch operation part's entity result", () => {
  test("v4 JSON batch: a function's and an action's entity keep it; a body ETag wins; a collection or a primitive gets none", async (t) => {
    const json = { "content-type": "application/json" };
    const { server, client } = await serveClient(
      t,
      answerJson(200, {
        responses: [
          { id: "1", status: 200, headers: { ...json, etag: 'W/"1"' }, body: { "@odata.context": "$metadata#Books/$entity", ID: 1 } },
          { id: "2", status: 200, headers: { ...json, ETag: 'W/"2"' }, body: { ID: 2 } },
          { id: "3", status: 200, headers: { ...json, etag: 'W/"header"' }, body: { ID: 3, "@odata.etag": 'W/"body"' } },
          { id: "4", status: 200, headers: { ...json, etag: 'W/"header"' }, body: { value: [{ ID: 4 }] } },
          { id: "5", status: 200, headers: { ...json, etag: 'W/"header"' }, body: { value: 9 } },
        ],
      }),
    );
    const batch = client.batch({ format: "json" });
    const byId = batch.function<Record<string, unknown>>("bookById", { id: 1 });
    const touched = batch.action<Record<string, unknown>>("touchBook", { id: 2 });
    const bodyWins = batch.function<Record<string, unknown>>("bookById", { id: 3 });
    const list = batch.function("books");
    const count = batch.function("count");
    await batch.send();
    assert.deepEqual(
      (JSON.parse(server.requests[0]!.body) as { requests: { method: string; url: string }[] }).requests.map((r) => `${r.method} ${r.url}`),
      ["GET bookById(id=1)", "POST touchBook", "GET bookById(id=3)", "GET books()", "GET count()"],
    );
    assert.deepEqual(valueOf(byId.result()), { ID: 1, "@odata.etag": 'W/"1"' });
    assert.equal(etagOf(valueOf(touched.result()) as object), 'W/"2"');
    assert.equal(etagOf(valueOf(bodyWins.result()) as object), 'W/"body"');
    assert.deepEqual(valueOf(list.result()), [{ ID: 4 }]);
    assert.equal(valueOf(count.result()), 9);
  });

  test("v4 multipart: the part's ETag header is kept, and update() sends it as If-Match", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "PATCH") {
        res.writeHead(204, { "odata-version": "4.0" });
        res.end();
        return;
      }
      sendText(res, 200, multipart([[{ "Content-Type": "application/json", ETag: 'W/"5"' }, '{"ID":5,"title":"a"}']]), { "content-type": "multipart/mixed; boundary=x" });
    });
    const batch = client.batch({ format: "multipart" });
    const byId = batch.function<Record<string, unknown>>("bookById", { id: 5 });
    await batch.send();
    assert.deepEqual(sentLines(server.requests[0]!.body), ["GET bookById(id=5) HTTP/1.1"]);
    const entity = valueOf(byId.result()) as Record<string, unknown>;
    assert.deepEqual(entity, { ID: 5, title: "a", "@odata.etag": 'W/"5"' });
    await client.collection("Books").key(5).update({ title: "b" }, { etag: entity });
    assert.equal(server.requests[1]?.headers["if-match"], 'W/"5"');
  });

  test("v2 multipart: a function import's entity keeps it in __metadata", async (t) => {
    const { server, client } = await serveClient(
      t,
      (_request, res) =>
        sendText(
          res,
          200,
          multipart([
            [{ "Content-Type": "application/json", ETag: 'W/"7"' }, '{"d":{"__metadata":{"uri":"Books(7)","type":"NS.Book"},"ID":7}}'],
            [{ "Content-Type": "application/json", ETag: 'W/"8"' }, '{"d":{"ID":8}}'],
          ]),
          { "content-type": "multipart/mixed; boundary=x", dataserviceversion: "2.0" },
        ),
      { version: "2.0" },
    );
    const batch = client.batch();
    const withMetadata = batch.function<Record<string, unknown>>("bookById", { id: 7 });
    const without = batch.function<Record<string, unknown>>("bookById", { id: 8 });
    await batch.send();
    assert.deepEqual(sentLines(server.requests[0]!.body), ["GET bookById?id=7 HTTP/1.1", "GET bookById?id=8 HTTP/1.1"]);
    assert.equal(etagOf(valueOf(withMetadata.result()) as object), 'W/"7"');
    assert.equal(etagOf(valueOf(without.result()) as object), 'W/"8"');
  });
});
