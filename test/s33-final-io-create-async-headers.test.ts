/**
 * `createAsync(body, { headers })`: more headers for the request that starts the operation, as
 * `create()` and `invokeAsync()` take them, so that the `If-Match` a 428 asks of a create can be
 * sent, as the 428's message advises; the polls do not carry them. Against a node:http service
 * that keeps every request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataHttpError } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

test("a createAsync answered 428 advises { headers: { If-Match } }, and the create sent so carries If-Match; its poll does not", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "GET") return sendJson(res, 200, { ID: 7 });
    if (request.headers["if-match"] === undefined) return sendJson(res, 428, { error: { code: "428", message: "If-Match required" } });
    sendJson(res, 202, {}, { location: server.url("odata/monitor/1") });
  });
  const jobs = client.collection("Jobs");
  const refusal = await jobs.createAsync({ ID: 7 }).then(
    () => assert.fail("the create resolved"),
    (error: unknown) => error,
  );
  assert.ok(refusal instanceof ODataHttpError);
  assert.equal(refusal.status, 428);
  assert.match(refusal.message, /precondition required: the service wants If-Match for this write; createAsync\(\) has no option for it: pass \{ headers: \{ "If-Match": "<ETag>" \} \}/);
  const poller = await jobs.createAsync<{ ID: number }>({ ID: 7 }, { headers: { "If-Match": "*" }, pollInterval: 1 });
  assert.deepEqual(await poller.wait(), { ID: 7 });
  assert.deepEqual(
    server.requests.map((r) => `${r.method} ${r.path} ${r.headers["if-match"] ?? "-"} ${r.headers["prefer"] ?? "-"}`),
    ["POST /odata/Jobs - respond-async", "POST /odata/Jobs * respond-async", "GET /odata/monitor/1 - -"],
  );
});

test("createAsync's headers are checked as create()'s are: a line break in one is refused, naming the call and the option, before anything is sent", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 201, {}));
  await assert.rejects(client.collection("Jobs").createAsync({ ID: 1 }, { headers: { "x-note": "a\r\nb" } }), (error: unknown) => {
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /^createAsync\(body\): option "headers"/);
    return true;
  });
  assert.deepEqual(server.requests, []);
});
