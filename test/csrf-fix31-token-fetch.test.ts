/**
 * The CSRF step's token fetches (option `csrf: true`): a fetch whose connection is lost names the
 * fetch and the transport's error in its NETWORK_ERROR, whatever URL the request the error speaks
 * of ended up with (your steps may change it); and the tokens kept per logon (`sap-client`,
 * `sap-language`) are bounded: the least recently used beyond 64 is forgotten, and fetched again
 * when next needed, unless a fetch for it is in flight. Against node:http services.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError, type PipelineStep } from "../src/index.js";
import { sendJson, startServer, waitFor, type RecordedRequest } from "./servers/recording-server.js";
import { regExpText } from "./regexp-text.js";
import { rejectionAs } from "./async-poller-fixtures.js";

function wire(requests: RecordedRequest[]): string[] {
  return requests.map((r) => `${r.method} ${decodeURIComponent(r.path)} ${r.headers["x-csrf-token"] ?? "-"}`);
}

test("a token fetch that a step of yours sent to another URL and whose connection is lost: the NETWORK_ERROR names the fetch once, with the transport's error", async (t) => {
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") return void res.socket?.destroy();
    sendJson(res, 201, { ID: 1 });
  });
  t.after(() => server.close());
  // A tracing step that marks every request, the token fetch among them.
  const trace: PipelineStep = {
    name: "trace",
    handle: (request, next) => {
      const url = new URL(request.url);
      url.searchParams.set("trace", "1");
      return next({ ...request, url });
    },
  };
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false, steps: [trace] });
  const error = await rejectionAs(client.collection("Books").create({ ID: 1 }), ODataClientError);
  assert.equal(error.code, "NETWORK_ERROR");
  assert.match(
    error.message,
    new RegExp(`^the CSRF token fetch \\(GET ${regExpText(server.url("svc/"))}\\) failed before an answer arrived: fetch failed \\(.+\\); POST ${regExpText(server.url("svc/Books?trace=1"))} waited for it and was not sent$`),
  );
  // The transport's own error, which names the URL sent, stays the cause.
  assert.ok(error.cause instanceof ODataClientError);
  assert.match(error.cause.message, new RegExp(`^GET ${regExpText(server.url("svc/?trace=1"))} failed before an answer arrived: `));
  assert.deepEqual(wire(server.requests), ["GET /svc/?trace=1 Fetch"]);
});

test("the tokens of at most 64 logons are kept: the least recently used is fetched again, one whose fetch was in flight is not", async (t) => {
  let tokens = 0;
  let held: ServerResponse | undefined;
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      // The fetch of logon "held" waits until the other logons are all there.
      if (request.path.includes("sap-client=held") && held === undefined) return void (held = res);
      return sendJson(res, 200, {}, { "x-csrf-token": `tok-${++tokens}` });
    }
    sendJson(res, 201, { ID: 1 });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), csrf: true, retry: false });
  const create = (sapClient: string) => client.collection("Books").param("sap-client", sapClient).create({ ID: 1 });
  const waiting = create("held");
  await waitFor(() => held !== undefined, "the token fetch of logon held");
  // 64 more logons: with "held" 65, one too many; "held" is the least recently used, but its fetch
  // is in flight, so logon 0 goes.
  for (let n = 0; n < 64; n++) await create(String(n));
  held?.writeHead(200, { "x-csrf-token": "tok-held", "content-length": "0" }).end();
  await waiting;
  const before = server.requests.length;
  await create("held");
  await create("63");
  await create("0");
  await create("63");
  assert.deepEqual(wire(server.requests.slice(before)), [
    "POST /svc/Books?sap-client=held tok-held",
    "POST /svc/Books?sap-client=63 tok-64",
    // Forgotten: fetched again (and logon 1, now the least recently used, is forgotten in turn).
    "GET /svc/?sap-client=0 Fetch",
    "POST /svc/Books?sap-client=0 tok-65",
    "POST /svc/Books?sap-client=63 tok-64",
  ]);
  await create("1");
  assert.deepEqual(wire(server.requests.slice(-2)), ["GET /svc/?sap-client=1 Fetch", "POST /svc/Books?sap-client=1 tok-66"]);
});
