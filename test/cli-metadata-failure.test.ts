/**
 * The command line reads `$metadata` to type what it sends (a key, a parameter) and goes on
 * without it where the service has none (a 404, a 500, a 501 Not Implemented). A `$metadata` read
 * that fails for a passing reason (a stall past `--timeout`, a dropped connection, a 429 or 503:
 * what the retry step retries) says nothing of the document: the command fails with that error's
 * exit code (4, 3) instead of sending `Products(42)` for a string key and reporting the service's
 * 400 as if the request were at fault. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, sendJson, type Handler } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

const METADATA = `<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Product"><Key><PropertyRef Name="Code"/></Key><Property Name="Code" Type="Edm.String" Nullable="false"/></EntityType><EntityContainer Name="C"><EntitySet Name="Products" EntityType="S.Product"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

/** A service whose key is a string; `$metadata` answered by `metadata`. */
function service(metadata: Handler): Handler {
  return (request, res, req) => {
    if (request.path.endsWith("/$metadata")) return metadata(request, res, req);
    if (request.path === "/odata/Products('42')") return sendJson(res, 200, { Code: "42" });
    sendJson(res, 400, { error: { code: "400", message: "Key 42 is not a valid Edm.String literal" } });
  };
}

test("get: $metadata read, the string key goes quoted", async (t) => {
  const server = await startServer(
    service((_request, res) => {
      res.writeHead(200, { "content-type": "application/xml" });
      res.end(METADATA);
    }),
  );
  t.after(() => server.close());
  const outcome = await cliInProcess(["get", server.url("odata/"), "Products", "42", "--timeout", "2000"]);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.deepEqual(JSON.parse(outcome.stdout), { Code: "42" });
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/$metadata", "GET /odata/Products('42')"],
  );
});

for (const status of [404, 500, 501]) {
  test(`get: $metadata answered ${status} (the service has none), the key goes as the data says`, async (t) => {
    const server = await startServer(service((_request, res) => sendJson(res, status, { error: { code: String(status), message: "no metadata here" } })));
    t.after(() => server.close());
    const outcome = await cliInProcess(["get", server.url("odata/"), "Products", "42", "--timeout", "2000"]);
    // The service's own 400 for the unquoted key: the request went, typed as the data says.
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(outcome.stderr, /Key 42 is not a valid Edm\.String literal/);
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path}`),
      ["GET /odata/$metadata", "GET /odata/Products(42)"],
    );
  });
}

test("query: $metadata answered 501 Not Implemented, the rows are read without it", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendJson(res, 501, { error: { code: "501", message: "$metadata is not implemented by this service" } });
    sendJson(res, 200, { value: [{ ID: 1, Name: "a" }, { ID: 2, Name: "b" }] });
  });
  t.after(() => server.close());
  const outcome = await cliInProcess(["query", server.url("odata/"), "Products", "--format", "csv", "--timeout", "2000"]);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.equal(outcome.stdout, "ID,Name\r\n1,a\r\n2,b\r\n");
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/$metadata", "GET /odata/Products"],
  );
});

for (const [name, answer, code, message] of [
  ["stalls past --timeout", () => undefined, 4, /\$metadata got no answer within 300 ms/],
  ["drops the connection", (_request: unknown, _res: unknown, req: { socket: { destroy(): void } }) => req.socket.destroy(), 4, /\$metadata/],
  ["answers 503", (_request: unknown, res: Parameters<Handler>[1]) => sendJson(res, 503, { error: { code: "503", message: "down for maintenance" } }), 3, /503/],
  ["answers 429", (_request: unknown, res: Parameters<Handler>[1]) => sendJson(res, 429, { error: { code: "429", message: "too many requests" } }), 3, /429/],
] as const) {
  test(`get: $metadata ${name}: the command fails with that error and sends nothing typed otherwise`, async (t) => {
    const server = await startServer(service(answer as Handler));
    t.after(() => server.close());
    const outcome = await cliInProcess(["get", server.url("odata/"), "Products", "42", "--timeout", "300"]);
    assert.equal(outcome.code, code, outcome.stderr);
    assert.match(outcome.stderr, message);
    assert.equal(outcome.stdout, "");
    // (Retried as the client's retry policy retries a GET; no request for the entity.)
    const sent = server.requests.map((request) => `${request.method} ${request.path}`);
    assert.ok(sent.length >= 1 && sent.every((line) => line === "GET /odata/$metadata"), sent.join(", "));
  });
}
