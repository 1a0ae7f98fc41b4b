/**
 * A `$batch`'s status monitor `Location` (of the whole batch's 202, or of a JSON part answered 202)
 * is resolved as every other monitor's is (lro/answer-url.ts `resolveLocation`): sent as raw UTF-8
 * bytes (`Location: /teams('Müller€')/…`, which fetch gives a character per byte) it is read as the
 * UTF-8 it is, and on Microsoft Graph's hosts a path from the host means the path below the version
 * root (Graph's "Create team" answers so, inside a batch as alone). Read by RFC 3986 alone, the poll
 * went to `/teams('…')`, which Graph refuses with 400 "Invalid version".
 *
 * Graph's host is reached over HTTP for real: the client's `fetch` sends each request for it to a
 * node:http server on 127.0.0.1 (same path and query) and records the URL it was asked for; the
 * answer keeps that URL, as the real `fetch` would give it.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ODataClient } from "../src/index.js";
import { hostsOnLoopback as loopback } from "./hosts-on-loopback.js";

/** The UTF-8 bytes of `text` as a string node:http writes one byte per character. */
const utf8Bytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");

/** Where a correct client polls for the monitor `/teams('Müller€')/operations('1')` on Graph's v1.0. */
const MONITOR = "https://graph.microsoft.com/v1.0/teams('M%C3%BCller%E2%82%AC')/operations('1')";

const FAST = { pollInterval: 1, maxWait: 5_000 };

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** {@link loopback} with the handler this file's services are written for. */
function graphOnLoopback(t: TestContext, handle: Handler) {
  return loopback(t, (request, response, { body }) => handle(request, body, response));
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

/** Graph refuses a path that names no version, as it refused the poll of `/teams('…')`. */
function invalidVersion(response: ServerResponse, path: string): void {
  json(response, 400, { error: { code: "BadRequest", message: `Invalid version: ${path.slice(1)}` } });
}

test("a $batch answered 202 with a raw UTF-8 Location that is a path from Graph's host is polled below /v1.0 at the UTF-8 URL, by send()'s continuation as by sendAsync()", async (t) => {
  const graph = await graphOnLoopback(t, (request, body, response) => {
    if (request.method === "POST" && request.url === "/v1.0/$batch") {
      const { requests } = JSON.parse(body) as { requests: { id: string }[] };
      assert.equal(requests.length, 1);
      // Raw bytes on the wire, as a service that does not percent-encode its Location sends them.
      response.writeHead(202, { location: utf8Bytes("/teams('Müller€')/operations('1')"), "content-length": "0" });
      response.end();
    } else if (request.url === "/v1.0/teams('M%C3%BCller%E2%82%AC')/operations('1')") {
      json(response, 200, { responses: [{ id: "1", status: 200, body: { id: "T1", displayName: "Müller€" } }] }, { asyncresult: "200" });
    } else invalidVersion(response, request.url ?? "/");
  });
  const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: graph.fetch, retry: false });
  const teamOf = (batch: ReturnType<typeof client.batch>) => batch.get(client.collection("teams").key("T1"));
  const assertRead = (team: ReturnType<typeof teamOf>) => {
    const read = team.result();
    assert.ok(read.ok && read.status === 200, String(!read.ok && read.error));
    assert.deepEqual(read.value, { id: "T1", displayName: "Müller€" });
  };

  const sent = client.batch({ format: "json" });
  const team = teamOf(sent);
  const results = await sent.send({ continuation: FAST });
  assert.equal(team.result().ok, false);
  assert.equal(results.continuation?.statusUrl, MONITOR);
  await results.continuation!.wait();
  assertRead(team);
  assert.deepEqual(graph.asked, ["POST https://graph.microsoft.com/v1.0/$batch", `GET ${MONITOR}`]);

  graph.asked.length = 0;
  const started = client.batch({ format: "json" });
  const again = teamOf(started);
  const poller = await started.sendAsync(FAST);
  assert.equal(poller.statusUrl, MONITOR);
  await poller.wait();
  assertRead(again);
  assert.deepEqual(graph.asked, ["POST https://graph.microsoft.com/v1.0/$batch", `GET ${MONITOR}`]);
});

test("a JSON $batch part answered 202 with a monitor that is a path from Graph's host is continued below /v1.0; the part beside it stands", async (t) => {
  const graph = await graphOnLoopback(t, (request, _body, response) => {
    if (request.method === "POST" && request.url === "/v1.0/$batch") {
      json(response, 200, {
        responses: [
          { id: "1", status: 202, headers: { location: "/teams('Müller€')/operations('1')" } },
          { id: "2", status: 200, headers: { "content-type": "application/json" }, body: { id: "T2" } },
        ],
      });
    } else if (request.url === "/v1.0/teams('M%C3%BCller%E2%82%AC')/operations('1')") {
      json(response, 200, { id: "1", status: "succeeded" }, { asyncresult: "200" });
    } else invalidVersion(response, request.url ?? "/");
  });
  const client = new ODataClient({ serviceUrl: "https://graph.microsoft.com/v1.0/", fetch: graph.fetch, retry: false });
  const batch = client.batch({ format: "json" });
  const create = batch.create(client.collection("teams"), { displayName: "Müller€" });
  const other = batch.get(client.collection("teams").key("T2"));
  const results = await batch.send({ continuation: FAST });
  assert.equal(create.result().ok, false);
  assert.equal(results.continuation?.statusUrl, MONITOR);
  await results.continuation!.wait();
  const created = create.result();
  assert.ok(created.ok, String(!created.ok && created.error));
  assert.deepEqual(created.value, { id: "1", status: "succeeded" });
  const read = other.result();
  assert.ok(read.ok && read.status === 200);
  assert.deepEqual(read.value, { id: "T2" });
  assert.deepEqual(graph.asked, ["POST https://graph.microsoft.com/v1.0/$batch", `GET ${MONITOR}`]);
});
