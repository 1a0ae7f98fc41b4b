/**
 * A write the service accepted (201, 200) but answered with a body that is no entity (an HTML page
 * a proxy sent, text that is not JSON, a collection, an array) rejects with `BAD_PAYLOAD` saying the
 * status it was answered with, so the write was applied, and the entity's URL where the answer
 * gives it (`Location`, else `OData-EntityId`, redacted as URLs are): sending it again would apply
 * it twice. Against node:http on 127.0.0.1: the requests sent and the messages.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { startServer, type RecordingServer } from "./servers/recording-server.js";

/** Answers every request with the status, headers and body the test sets in `next`. */
async function answeringService(t: { after(fn: () => Promise<void>): void }) {
  const next = { status: 201, headers: {} as Record<string, string>, body: "" };
  const server: RecordingServer = await startServer((_request, res) => {
    res.writeHead(next.status, next.headers);
    res.end(next.body);
  });
  t.after(() => server.close());
  return { server, next };
}

async function badPayload(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await promise.then(
    (value) => assert.fail(`resolved with ${JSON.stringify(value)}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataClientError, `not an ODataClientError: ${String(error)}`);
  assert.equal(error.code, "BAD_PAYLOAD");
  return error;
}

test("create() answered 201 with an HTML page and a relative Location says the write was applied and names the entity's URL", async (t) => {
  const { server, next } = await answeringService(t);
  Object.assign(next, { status: 201, headers: { "content-type": "text/html", location: "Books(9)" }, body: "<html>Created</html>" });
  const error = await badPayload(new ODataClient({ serviceUrl: server.url("svc/") }).collection("Books").create({ ID: 9 }));
  assert.equal(
    error.message,
    `POST ${server.url("svc/Books")} was answered 201 Created, so the service applied the write, but its answer could not be read as an entity: the body is an HTML page (text/html), not an entity. Location: ${server.url("svc/Books(9)")}`,
  );
  assert.deepEqual(server.requests.map((r) => [r.method, r.path, r.body]), [["POST", "/svc/Books", '{"ID":9}']]);
});

test("create() answered 201 with text that is not JSON, a collection or an array names the status each time; a Location's secret parameter is masked", async (t) => {
  const { server, next } = await answeringService(t);
  const books = new ODataClient({ serviceUrl: server.url("svc/") }).collection("Books");
  const applied = (status: string) => `POST ${server.url("svc/Books")} was answered ${status}, so the service applied the write, but its answer could not be read as an entity: `;
  Object.assign(next, { status: 201, headers: { "content-type": "application/json", location: server.url("svc/Books(9)?sig=s3cr3t") }, body: "{not json" });
  const notJson = await badPayload(books.create({ ID: 9 }));
  assert.ok(notJson.message.startsWith(`${applied("201 Created")}the body is not JSON (`), notJson.message);
  assert.ok(notJson.message.endsWith(`). Location: ${server.url("svc/Books(9)?sig=***")}`), notJson.message);
  assert.doesNotMatch(notJson.message, /s3cr3t/);
  Object.assign(next, { status: 201, headers: { "content-type": "application/json" }, body: '{"value":[{"ID":9}]}' });
  assert.equal((await badPayload(books.create({ ID: 9 }))).message, `${applied("201 Created")}the answer is not an entity object (got a collection, {"value":[...]})`);
  Object.assign(next, { status: 201, headers: { "content-type": "application/json" }, body: '[{"ID":9}]' });
  assert.equal((await badPayload(books.create({ ID: 9 }))).message, `${applied("201 Created")}the answer is not an entity object (got an array)`);
  assert.equal(server.requests.length, 3);
});

test("update() answered 200 with text/plain and an OData-EntityId says it was answered 200 and names the entity", async (t) => {
  const { server, next } = await answeringService(t);
  Object.assign(next, { status: 200, headers: { "content-type": "text/plain", "odata-entityid": server.url("svc/Books(9)") }, body: "OK" });
  const error = await badPayload(new ODataClient({ serviceUrl: server.url("svc/") }).collection("Books").key(9).update({ title: "T" }));
  assert.ok(
    error.message.startsWith(
      `PATCH ${server.url("svc/Books(9)")} was answered 200 OK, so the service applied the write, but its answer could not be read as an entity: the body is not JSON (`,
    ),
    error.message,
  );
  assert.ok(error.message.endsWith(`). OData-EntityId: ${server.url("svc/Books(9)")}`), error.message);
  assert.deepEqual(server.requests.map((r) => [r.method, r.path, r.body]), [["PATCH", "/svc/Books(9)", '{"title":"T"}']]);
});
