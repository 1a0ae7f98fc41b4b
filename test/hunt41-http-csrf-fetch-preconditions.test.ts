/**
 * A CSRF token fetch (`GET <serviceUrl>` with `X-CSRF-Token: Fetch`) that a precondition of your
 * own step gets answered `304 Not Modified`: the write's error said the fetch "was redirected (HTTP
 * 304)", which a token fetch does not follow, where nothing redirected it. On a node:http service on
 * 127.0.0.1. (A client-wide `If-Match` of an ETag would meet 412 on the fetch the same way; the
 * headers step, loaded by every read, does not filter it: `If-Match: *`, the one value that makes
 * sense for every request, passes on the service root.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { PipelineStep } from "../src/index.js";
import { serveClient, type Handler, type RecordedRequest } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";

/**
 * A service that evaluates preconditions on every request as SAP Gateway does on the service root:
 * `If-Match` fails (412), `If-None-Match: *` fails (412 on a write, 304 on a GET); a token fetch
 * that passes gets `tok-1`, and a write carrying it 204.
 */
const conditionalService: Handler = (request, res) => {
  const ifMatch = request.headers["if-match"];
  const ifNoneMatch = request.headers["if-none-match"];
  if (request.headers["x-csrf-token"] === "Fetch") {
    if (ifMatch !== undefined) return void res.writeHead(412).end();
    if (ifNoneMatch !== undefined) return void res.writeHead(304).end();
    return void res.writeHead(200, { "x-csrf-token": "tok-1" }).end();
  }
  if (request.headers["x-csrf-token"] !== "tok-1") return void res.writeHead(403, { "x-csrf-token": "Required" }).end();
  res.writeHead(204).end();
};

const wire = (requests: readonly RecordedRequest[]) =>
  requests.map((request) => `${request.method} ${request.path} ${String(request.headers["x-csrf-token"] ?? "-")} if-match=${String(request.headers["if-match"] ?? "-")} if-none-match=${String(request.headers["if-none-match"] ?? "-")} x-app=${String(request.headers["x-app"] ?? "-")}`);

test("a token fetch answered 304 Not Modified (a precondition your step added held) is not said to be redirected", async (t) => {
  const ifNoneMatch: PipelineStep = {
    name: "etag-cache",
    handle: (request, next) => {
      if (request.method === "GET") request.headers.set("if-none-match", 'W/"root"');
      return next(request);
    },
  };
  const { server, client, root } = await serveClient(t, conditionalService, { csrf: true, steps: [ifNoneMatch] });
  const error = await httpError(client.collection("Books").create({ ID: 1 }));
  assert.equal(error.status, 403);
  assert.ok(
    error.message.endsWith(`(the service requires a CSRF token and none could be fetched: GET ${root} with X-CSRF-Token: Fetch was answered HTTP 304 (Not Modified: a precondition on it held) without one)`),
    error.message,
  );
  assert.deepEqual(wire(server.requests).map((line) => line.split(" ").slice(0, 3).join(" ")), ["GET /odata/ Fetch", "POST /odata/Books -", "GET /odata/ Fetch"]);
});
