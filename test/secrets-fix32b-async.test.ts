/**
 * What a long-running operation's answers and a `$batch` answer quote in their errors, where a
 * service echoes the credentials it was sent, comes with those credentials masked by value: a
 * `Location` (of the initial answer, of a monitor's 202 or 303, of a batch, of a batch part
 * answered 202) that is no URL or no http URL, an `AsyncResult` that is no status, an
 * `application/http` first line that is no status line, a `resourceLocation` that is no URL, the
 * monitor an `Operation-Location` or a read's 202 names, a JSON batch response's id that no
 * request has. The bearer token and `x-api-key` appear nowhere in the error (message, stack,
 * `util.inspect`, `JSON.stringify`).
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient } from "../src/index.js";
import { sendJson, type RecordedRequest } from "./servers/recording-server.js";
import { assertMasked, assertSent, echoed, LEAK, rejection, serve } from "./echoing-secrets.js";



function answer(res: ServerResponse, status: number, headers: Record<string, string>, body = ""): void {
  res.writeHead(status, { "odata-version": "4.0", ...headers });
  res.end(body);
}

test("createAsync answered 202 with a Location that is no URL, or no http URL: ASYNC_BAD_RESPONSE quotes it masked", async (t) => {
  let location = "";
  const { server, client } = await serve(t, (request, res) => answer(res, 202, { location: location.replace("SECRETS", echoed(request.headers)) }));
  const posted = server.url("svc/Things");
  location = "http://[SECRETS/mon";
  assertMasked(await rejection(() => client.collection("Things").createAsync({ ID: 1 })), "ASYNC_BAD_RESPONSE", `POST ${posted} (HTTP 202): Location "http://[*** ***/mon" is not a URL`);
  location = "ftp://h/SECRETS";
  assertMasked(await rejection(() => client.collection("Things").createAsync({ ID: 1 })), "ASYNC_BAD_RESPONSE", `POST ${posted} (HTTP 202): Location "ftp://h/*** ***" is not an http or https URL`);
  assertSent(server.requests);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.body}`),
    ['POST /svc/Things {"ID":1}', 'POST /svc/Things {"ID":1}'],
  );
});

test("a monitor's answers that quote the secrets sent: AsyncResult, a 202's and a 303's Location, resourceLocation, an application/http first line", async (t) => {
  let monitor: (request: RecordedRequest, res: ServerResponse) => void = () => undefined;
  const { server, client } = await serve(t, (request, res) => {
    if (request.method === "POST") answer(res, 202, { location: server.url("mon/1") });
    else monitor(request, res);
  });
  const polled = server.url("mon/1");
  const cases: [(request: RecordedRequest, res: ServerResponse) => void, string][] = [
    [(request, res) => answer(res, 200, { asyncresult: `2x ${echoed(request.headers)}`, "content-type": "application/json" }, "{}"), `(HTTP 200): the AsyncResult header "2x *** ***" is not an HTTP status code`],
    [(request, res) => answer(res, 202, { location: `http://[${echoed(request.headers)}` }), `(HTTP 202): Location "http://[*** ***" is not a URL`],
    [(request, res) => answer(res, 303, { location: `http://[${echoed(request.headers)}` }), `(HTTP 303): Location "http://[*** ***" is not a URL`],
    [(request, res) => sendJson(res, 200, { status: "Succeeded", resourceLocation: `http://[${echoed(request.headers)}` }), `(HTTP 200): resourceLocation "http://[*** ***" is not a URL`],
    [
      (request, res) => answer(res, 200, { "content-type": "application/http" }, `HTTP/1.1 XX ${echoed(request.headers)}\r\n\r\n`),
      `(HTTP 200): malformed application/http response: the first line "HTTP/1.1 XX *** ***" is not a status line such as "HTTP/1.1 200 OK"`,
    ],
  ];
  for (const [answerPoll, what] of cases) {
    monitor = answerPoll;
    const poller = await client.collection("Things").createAsync({ ID: 1 }, { pollInterval: 1 });
    assertMasked(await rejection(() => poller.wait()), "ASYNC_BAD_RESPONSE", `GET ${polled} ${what}`);
    assert.doesNotMatch(JSON.stringify(poller.toJSON()), LEAK);
  }
  assertSent(server.requests);
  assert.equal(server.requests.filter((request) => request.method === "GET" && request.path === "/mon/1").length, cases.length);
});

test("a 202 naming its monitor in Operation-Location alone, and a read answered 202: the monitor they name is quoted masked", async (t) => {
  const { server, client } = await serve(t, (request, res) => {
    const secret = echoed(request.headers).replace(" ", "/");
    if (request.method === "POST") answer(res, 202, { "operation-location": server.url(`mon/${secret}`) });
    else answer(res, 202, { location: server.url(`mon/${secret}`) });
  });
  assertMasked(
    await rejection(() => client.collection("Things").createAsync({ ID: 1 })),
    "ASYNC_NO_LOCATION",
    `POST ${server.url("svc/Things")} answered 202 Accepted without a Location header; it names its status monitor in Operation-Location instead, which this method does not follow: client.asyncPoller(url) follows it. The monitor: ${server.url("mon/***/***")}`,
  );
  assertMasked(
    await rejection(() => client.collection("Things").page()),
    "ASYNC_OPERATION_PENDING",
    `GET ${server.url("svc/Things")} was answered 202 Accepted: the service runs the read asynchronously; its status monitor, which asyncPoller() of traverse-odata's ODataClient follows, is ${server.url("mon/***/***")}`,
  );
  assertSent(server.requests);
});

test("a JSON $batch response whose id no request has: the requests left without an answer quote the id masked", async (t) => {
  const { server, client } = await serve(t, (request, res) => {
    const ids = [...request.body.matchAll(/"id":"([^"]+)"/g)].map((match) => match[1]);
    sendJson(res, 200, { responses: [{ id: echoed(request.headers), status: 200, body: {} }, { id: ids[1], status: 200, body: { ID: 2 } }] }, { "odata-version": "4.0" });
  });
  const batch = client.batch({ format: "json" });
  batch.get(client.collection("P").key(1));
  batch.get(client.collection("P").key(2));
  const results = await batch.send();
  const [first, second] = results;
  assert.ok(first && !first.ok);
  assertMasked(first.error, "BAD_BATCH_RESPONSE", 'request 1 (GET P(1)) cannot be matched to the answer: a response has the id "*** ***", which no request has, and it got no response of its own; whether it ran is not known');
  assert.ok(second?.ok);
  assert.doesNotMatch(inspect(results, { depth: 10 }), LEAK);
  assertSent(server.requests);
});

test("a $batch part answered 202 with a Location that is no URL (multipart and JSON), and a batch answered so: quoted masked", async (t) => {
  let mode: "multipart" | "json" | "whole" = "multipart";
  const { server, client } = await serve(t, (request, res) => {
    const bad = `http://[${echoed(request.headers)}`;
    if (mode === "whole") return answer(res, 202, { location: bad });
    if (mode === "json") {
      const ids = [...request.body.matchAll(/"id":"([^"]+)"/g)].map((match) => match[1]);
      return sendJson(res, 200, { responses: [{ id: ids[0], status: 202, headers: { location: bad } }, { id: ids[1], status: 200, body: { ID: 2 } }] }, { "odata-version": "4.0" });
    }
    const part = (inner: string) => `--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${inner}\r\n`;
    answer(res, 200, { "content-type": "multipart/mixed; boundary=b1" }, part(`HTTP/1.1 202 Accepted\r\nLocation: ${bad}\r\n\r\n`) + part('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"ID":2}') + "--b1--\r\n");
  });
  const posted = server.url("svc/$batch");
  for (const format of ["multipart", "json"] as const) {
    mode = format;
    const batch = client.batch({ format });
    batch.get(client.collection("P").key(1));
    batch.get(client.collection("P").key(2));
    const results = await batch.send();
    const [first, second] = results;
    assert.ok(first && !first.ok);
    assertMasked(first.error, "ASYNC_BAD_RESPONSE", `request 1 (GET P(1)) got no response: POST ${posted} (HTTP 202): Location "http://[*** ***" is not a URL; whether it ran is not known`);
    assert.ok(second?.ok, format);
    assert.doesNotMatch(inspect(results, { depth: 10 }), LEAK);
  }
  mode = "whole";
  const batch = client.batch();
  batch.get(client.collection("P").key(1));
  assertMasked(await rejection(() => batch.send()), "ASYNC_BAD_RESPONSE", `POST ${posted} (HTTP 202): Location "http://[*** ***" is not a URL`);
  assertSent(server.requests);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path}`),
    ["POST /svc/$batch", "POST /svc/$batch", "POST /svc/$batch"],
  );
});
