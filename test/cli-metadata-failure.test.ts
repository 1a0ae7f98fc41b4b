/**
 * The command line reads `$metadata` to type what it sends (a key, a parameter) and goes on
 * without it where the service has none (a 4xx). A `$metadata` read that fails for another reason
 * (a stall past `--timeout`, a dropped connection, a 5xx) says nothing of the document: the command
 * fails with that error's exit code (4, 3) instead of sending `Products(42)` for a string key and
 * reporting the service's 400 as if the request were at fault. Over node:http on 127.0.0.1.
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

test("get: $metadata answered 404 (the service has none), the key goes as the data says", async (t) => {
  const server = await startServer(service((_request, res) => sendJson(res, 404, { error: { code: "404", message: "no metadata here" } })));
  t.after(() => server.close());
  const outcome = await cliInProcess(["get", server.url("odata/"), "Products", "42", "--timeout", "2000"]);
  assert.equal(outcome.code, 3, outcome.stderr);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/$metadata", "GET /odata/Products(42)"],
  );
});

for (const [name, answer, code, message] of [
  ["stalls past --timeout", () => undefined, 4, /\$metadata got no answer within 300 ms/],
  ["drops the connection", (_request: unknown, _res: unknown, req: { socket: { destroy(): void } }) => req.socket.destroy(), 4, /\$metadata/],
  ["answers 503", (_request: unknown, res: Parameters<Handler>[1]) => sendJson(res, 503, { error: { code: "503", message: "down for maintenance" } }), 3, /503/],
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
