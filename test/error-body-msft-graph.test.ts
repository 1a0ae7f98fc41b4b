/**
 * Microsoft Graph's error body names its inner error `innerError` (capital E), not the spec's
 * `innererror`; the request ids Graph's support asks for are in there. `odataError.innererror`
 * carries it in each place an OData error is read (a failed request, a failed `$batch` part, a
 * failed long-running operation), redacted as an `innererror` is. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AsyncOperationFailedError, ODataHttpError } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";
import { FAST, rejectionOf } from "./async-poller-fixtures.js";

const TOKEN = "eyJ0eXAiOiJKV1QiLCJub25jZSI6Ik.graph-test-token";

/** Graph's 404 for a user that does not exist, with the token echoed and a secret-named member added. */
const GRAPH_404 = {
  error: {
    code: "Request_ResourceNotFound",
    message: "Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.",
    innerError: {
      date: "2024-05-02T09:14:03",
      "request-id": "0c5d3a8e-1f7b-4c55-9a2e-7b1f3a8d4e21",
      "client-request-id": "6a1f0e2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
      "client_secret": "from-a-debug-build",
      echo: `Bearer ${TOKEN}`,
    },
  },
};

/** What `odataError` must read for {@link GRAPH_404}. */
const GRAPH_404_READ = {
  code: "Request_ResourceNotFound",
  message: "Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.",
  innererror: {
    date: "2024-05-02T09:14:03",
    "request-id": "0c5d3a8e-1f7b-4c55-9a2e-7b1f3a8d4e21",
    "client-request-id": "6a1f0e2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    "client_secret": "***",
    echo: "***",
  },
};

test("a Graph-shaped 404 gives its innerError as odataError.innererror, the secret-named member and the echoed token masked", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) => sendJson(res, 404, GRAPH_404, { "request-id": "0c5d3a8e-1f7b-4c55-9a2e-7b1f3a8d4e21" }),
    { auth: { bearer: () => TOKEN } },
    "v1.0/",
  );
  const error = await rejectionOf(client.collection("users").key("nobody@contoso.com").get());
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers.authorization}`),
    [`GET /v1.0/users('nobody@contoso.com') Bearer ${TOKEN}`],
  );
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.equal(error.status, 404);
  assert.deepEqual(error.odataError, GRAPH_404_READ);
  assert.ok(!JSON.stringify(error).includes("from-a-debug-build"));
  assert.ok(!JSON.stringify(error).includes(TOKEN));
});

test("a $batch part answered with a Graph-shaped 404 gives its innerError as the part's odataError.innererror", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) =>
      sendJson(res, 200, {
        responses: [
          { id: "1", status: 200, headers: { "content-type": "application/json" }, body: { id: "u1", displayName: "Ada" } },
          { id: "2", status: 404, headers: { "content-type": "application/json" }, body: GRAPH_404 },
        ],
      }),
    { version: "4.01", auth: { bearer: () => TOKEN } },
    "v1.0/",
  );
  const batch = client.batch({ format: "json" });
  batch.get(client.collection("users").key("u1"));
  batch.get(client.collection("users").key("nobody@contoso.com"));
  const results = await batch.send();
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.path, "/v1.0/$batch");
  const sent = JSON.parse(server.requests[0]?.body ?? "") as { requests: { id: string; method: string; url: string }[] };
  assert.deepEqual(sent.requests.map((request) => `${request.id} ${request.method} ${request.url}`), ["1 GET users('u1')", "2 GET users('nobody@contoso.com')"]);
  assert.equal(results[0]?.ok, true);
  const failed = results[1];
  assert.ok(failed !== undefined && !failed.ok && failed.error instanceof ODataHttpError, String(failed));
  assert.equal(failed.error.status, 404);
  assert.deepEqual(failed.error.odataError, GRAPH_404_READ);
});

test("a long-running operation Graph reports failed gives its error's innerError as odataError.innererror", async (t) => {
  const { server, client } = await serveClient(
    t,
    (_request, res) =>
      sendJson(res, 200, {
        id: "op-1",
        status: "failed",
        percentageComplete: 40,
        error: { code: "generalException", message: "copy failed", innerError: { "request-id": "rid-lro", "x-api-key": "k-123", date: "2024-05-02T09:20:00" } },
      }),
    { auth: { bearer: () => TOKEN } },
    "v1.0/",
  );
  const error = await rejectionOf(client.asyncPoller("monitor/1", FAST).wait());
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["GET /v1.0/monitor/1"]);
  assert.ok(error instanceof AsyncOperationFailedError, String(error));
  assert.equal(error.status, "failed");
  assert.deepEqual(error.odataError, {
    code: "generalException",
    message: "copy failed",
    innererror: { "request-id": "rid-lro", "x-api-key": "***", date: "2024-05-02T09:20:00" },
  });
});
