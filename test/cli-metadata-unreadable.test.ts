/**
 * A `$metadata` answered 200 that cannot be read (the HTML logon page of an expired SAP session,
 * a document cut off) is no service without one: `call`, `get` and `query` stop with the error
 * `describe` gives (exit 1) and send nothing typed otherwise than the document would type it (a
 * function import called as an action, a date key sent as a string). A service that has no
 * `$metadata` (404, 500, 501) is test/cli-metadata-failure.test.ts. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, sendJson, sendText, type Handler } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

const METADATA = `<?xml version="1.0"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices><Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm"><EntityType Name="Stamp"><Key><PropertyRef Name="When"/></Key><Property Name="When" Type="Edm.DateTimeOffset" Nullable="false"/></EntityType><Function Name="Echo"><Parameter Name="s" Type="Edm.String"/><ReturnType Type="Edm.String"/></Function><EntityContainer Name="C"><EntitySet Name="Stamps" EntityType="S.Stamp"/><FunctionImport Name="Echo" Function="S.Echo"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;

/** The ways a `$metadata` answered 200 can be unreadable, and what the command says of each. */
const UNREADABLE = [
  {
    name: "an HTML logon page",
    answer: (res: Parameters<Handler>[1]) => sendText(res, 200, "<html><body>Your session has expired, please log on</body></html>", { "content-type": "text/html; charset=utf-8" }),
    message: /GET http:\/\/127\.0\.0\.1:\d+\/odata\/\$metadata answered with an HTML page \(text\/html; charset=utf-8\), not service metadata/,
  },
  {
    name: "a document cut off",
    answer: (res: Parameters<Handler>[1]) => sendText(res, 200, METADATA.slice(0, 300), { "content-type": "application/xml" }),
    message: /GET http:\/\/127\.0\.0\.1:\d+\/odata\/\$metadata: the service metadata cannot be read/,
  },
];

/** A service whose `$metadata` is answered by `metadata`, and whose data answers anything else. */
function service(metadata: (res: Parameters<Handler>[1]) => void): Handler {
  return (request, res) => {
    if (request.path.endsWith("/$metadata")) return metadata(res);
    if (request.path.startsWith("/odata/Stamps")) return sendJson(res, 200, { When: "2024-01-01T00:00:00Z" }, { "odata-version": "4.0" });
    if (request.path.startsWith("/odata/Echo")) return sendJson(res, 200, { value: "42" }, { "odata-version": "4.0" });
    sendJson(res, 200, { value: [{ When: "2024-01-01T00:00:00Z" }] }, { "odata-version": "4.0" });
  };
}

test("call and get: $metadata read, the function is called with GET and the key typed as a date", async (t) => {
  const server = await startServer(service((res) => sendText(res, 200, METADATA, { "content-type": "application/xml" })));
  t.after(() => server.close());
  const call = await cliInProcess(["call", server.url("odata/"), "Echo", "--param", "s=42"]);
  assert.equal(call.code, 0, call.stderr);
  const get = await cliInProcess(["get", server.url("odata/"), "Stamps", "2024-01-01T00:00:00Z"]);
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["GET /odata/$metadata", "GET /odata/Echo(s='42')", "GET /odata/$metadata", "GET /odata/Stamps(2024-01-01T00:00:00Z)"],
  );
});

for (const { name, answer, message } of UNREADABLE) {
  for (const args of [
    ["call", "Echo", "--param", "s=42"],
    ["get", "Stamps", "2024-01-01T00:00:00Z"],
    ["query", "Stamps"],
    ["query", "Stamps", "--format", "csv"],
  ]) {
    const [command = "", ...rest] = args;
    test(`${args.join(" ")}: $metadata answered 200 with ${name}, the command stops as describe does and sends nothing else`, async (t) => {
      const server = await startServer(service(answer));
      t.after(() => server.close());
      const outcome = await cliInProcess([command, server.url("odata/"), ...rest]);
      const described = await cliInProcess(["describe", server.url("odata/")]);
      assert.equal(outcome.code, 1, outcome.stderr);
      assert.equal(outcome.stdout, "");
      assert.match(outcome.stderr, message);
      // The very message describe gives.
      assert.equal(described.code, 1, described.stderr);
      assert.equal(outcome.stderr, described.stderr);
      assert.deepEqual(
        server.requests.map((request) => `${request.method} ${request.path}`),
        ["GET /odata/$metadata", "GET /odata/$metadata"],
      );
    });
  }
}
