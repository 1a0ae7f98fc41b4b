/**
 * $batch on the wire, against node:http servers: what the POST carries (URL, Content-Type with the
 * boundary, Accept, CSRF token, Prefer), and how answers become results, including an
 * asynchronous batch (202 + status monitor) and a multipart answer that ends in a 202 part.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClientError, ODataHttpError } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";
import type { ServerResponse } from "node:http";

interface Book {
  ID: number;
  title: string;
}

const CRLF = "\r\n";

/** A part holding one HTTP response. */
function responsePart(boundary: string, status: string, headers: Record<string, string>, body: string, contentId?: string): string {
  const partHeaders = ["Content-Type: application/http", "Content-Transfer-Encoding: binary", ...(contentId ? [`Content-ID: ${contentId}`] : [])];
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [`--${boundary}`, ...partHeaders, "", `HTTP/1.1 ${status}`, ...head, "", body].join(CRLF);
}

function multipart(res: ServerResponse, boundary: string, parts: string[], contentType = `multipart/mixed; boundary=${boundary}`, status = 200, extra: Record<string, string> = {}): void {
  const body = `${parts.join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), ...extra });
  res.end(body);
}

const bookJson = (id: number, title: string) => JSON.stringify({ ID: id, title });

test("send() posts to <serviceUrl>$batch with the boundary of its body, Accept multipart/mixed and OData-Version, and reads the answer into typed results", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) =>
    multipart(res, "r", [
      responsePart("r", "200 OK", { "Content-Type": "application/json" }, bookJson(1, "One"), "1"),
      responsePart("r", "404 Not Found", { "Content-Type": "application/json" }, JSON.stringify({ error: { code: "404", message: "No book 99" } }), "2"),
    ]), {}, "odata/v4/catalog/");
  const batch = client.batch();
  const one = batch.get(client.collection<Book>("Books").key(1));
  const missing = batch.get(client.collection<Book>("Books").key(99));
  const results = await batch.send();

  assert.equal(server.requests.length, 1);
  const sent = server.requests[0] as RecordedRequest;
  assert.equal(sent.method, "POST");
  assert.equal(sent.path, "/odata/v4/catalog/$batch");
  const boundary = /^multipart\/mixed; boundary=(batch_[0-9a-f-]{36})$/.exec(String(sent.headers["content-type"]))?.[1];
  assert.ok(boundary, String(sent.headers["content-type"]));
  assert.ok(sent.body.startsWith(`--${boundary}\r\n`));
  assert.ok(sent.body.endsWith(`--${boundary}--\r\n`));
  assert.match(sent.body, /\r\nGET Books\(1\) HTTP\/1\.1\r\n/);
  assert.match(sent.body, /\r\nGET Books\(99\) HTTP\/1\.1\r\n/);
  assert.equal(sent.headers["accept"], "multipart/mixed");
  assert.equal(sent.headers["odata-version"], "4.0");

  assert.equal(results.length, 2);
  const found = one.result();
  assert.ok(found.ok);
  assert.equal(found.value.title, "One");
  const failed = missing.result();
  assert.equal(failed.ok, false);
  assert.equal(failed.status, 404);
  assert.ok(failed.error instanceof ODataHttpError);
  assert.equal(failed.status === 404 && failed.error.odataError?.message, "No book 99");
  assert.equal(failed.error.message, `GET ${server.url("odata/v4/catalog/Books(99)")} failed with HTTP 404 Not Found [404]: No book 99`);
});

test("a quoted boundary in the answer's Content-Type is read", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) =>
    multipart(res, "quoted boundary", [responsePart("quoted boundary", "204 No Content", {}, "")], 'multipart/mixed; boundary="quoted boundary"'), {}, "svc/");
  const batch = client.batch();
  const removed = batch.delete(client.collection("Books").key(1));
  await batch.send();
  assert.deepEqual({ ok: removed.result().ok, status: removed.result().status }, { ok: true, status: 204 });
});

test("with csrf: true the $batch POST carries the fetched X-CSRF-Token and session cookie", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "GET" && request.headers["x-csrf-token"] === "Fetch") {
      res.writeHead(200, { "x-csrf-token": "tok-1", "set-cookie": "SAP_SESSIONID=s1; Path=/", "content-type": "application/json" });
      res.end("{}");
      return;
    }
    multipart(res, "r", [responsePart("r", "204 No Content", {}, "")]);
  }, { csrf: true }, "svc/");
  const batch = client.batch();
  batch.delete(client.collection("Books").key(1));
  await batch.send();
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.path]),
    [
      ["GET", "/svc/"],
      ["POST", "/svc/$batch"],
    ],
  );
  assert.equal(server.requests[1]?.headers["x-csrf-token"], "tok-1");
  assert.equal(server.requests[1]?.headers["cookie"], "SAP_SESSIONID=s1");
});

test("a $batch refused with 403 X-CSRF-Token: Required is sent once more with the new token, the new session cookie and the same body, and its answer is read", async (t) => {
  let issued = 0;
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      issued++;
      res.writeHead(200, { "x-csrf-token": `tok-${issued}`, "set-cookie": `SAP_SESSIONID=s${issued}; Path=/`, "content-type": "application/json" });
      res.end("{}");
      return;
    }
    // The first session has expired at the service: only the second token is taken.
    if (request.headers["x-csrf-token"] !== "tok-2" || request.headers["cookie"] !== "SAP_SESSIONID=s2") {
      res.writeHead(403, { "x-csrf-token": "Required", "content-type": "text/plain" });
      res.end("CSRF token validation failed");
      return;
    }
    multipart(res, "r", [
      responsePart("r", "200 OK", { "Content-Type": "application/json" }, bookJson(1, "One")),
      responsePart("r", "201 Created", { "Content-Type": "application/json" }, bookJson(2, "Two")),
    ]);
  }, { csrf: true }, "svc/");
  const books = client.collection<Book>("Books");
  const batch = client.batch();
  const read = batch.get(books.key(1));
  const created = batch.create(books, { ID: 2, title: "Two" });
  await batch.send();

  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers["x-csrf-token"]} ${request.headers["cookie"]}`),
    ["GET /svc/ Fetch undefined", "POST /svc/$batch tok-1 SAP_SESSIONID=s1", "GET /svc/ Fetch undefined", "POST /svc/$batch tok-2 SAP_SESSIONID=s2"],
  );
  const [first, second] = [server.requests[1] as RecordedRequest, server.requests[3] as RecordedRequest];
  assert.match(first.body, /\r\nGET Books\(1\) HTTP\/1\.1\r\n[^]*\r\nPOST Books HTTP\/1\.1\r\n[^]*\{"ID":2,"title":"Two"\}/);
  assert.equal(second.body, first.body);
  assert.equal(second.headers["content-type"], first.headers["content-type"], "the same boundary");
  const [readResult, createResult] = [read.result(), created.result()];
  assert.ok(readResult.ok && createResult.ok, "both parts succeeded");
  assert.deepEqual([readResult.value, createResult.value], [{ ID: 1, title: "One" }, { ID: 2, title: "Two" }]);
});

test("a JSON batch is posted as application/json and its answer mapped by id", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) =>
    sendJson(res, 200, {
      responses: [
        { id: "2", status: 200, headers: { "content-type": "text/plain" }, body: "23" },
        { id: "1", status: 200, body: { ID: 1, title: "One" } },
      ],
    }), { version: "4.01" }, "svc/");
  const batch = client.batch();
  const one = batch.get(client.collection<Book>("Books").key(1));
  const count = batch.count(client.collection<Book>("Books"));
  await batch.send();
  const sent = server.requests[0] as RecordedRequest;
  assert.equal(sent.headers["content-type"], "application/json");
  assert.equal(sent.headers["odata-version"], "4.01");
  assert.deepEqual(
    (JSON.parse(sent.body) as { requests: { id: string; url: string }[] }).requests.map((r) => [r.id, r.url]),
    [
      ["1", "Books(1)"],
      ["2", "Books/$count"],
    ],
  );
  const read = one.result();
  assert.ok(read.ok && read.value.title === "One");
  const counted = count.result();
  assert.ok(counted.ok && counted.value === 23);
});

test("continueOnError sends Prefer: odata.continue-on-error; a batch the service refuses as a whole rejects with ODataHttpError", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 400, { error: { code: "BAD", message: "batch refused" } }), {}, "svc/");
  const batch = client.batch();
  batch.delete(client.collection("Books").key(1));
  await assert.rejects(batch.send({ continueOnError: true }), (error: unknown) => error instanceof ODataHttpError && error.status === 400 && error.odataError?.code === "BAD");
  assert.equal(server.requests[0]?.headers["prefer"], "odata.continue-on-error");
});

test("an aborted signal stops the batch request and rejects with its reason", async (t) => {
  const { server, client } = await serveClient(t, () => {
    // never answers
  }, {}, "svc/");
  const batch = client.batch();
  batch.get(client.collection("Books").key(1));
  const controller = new AbortController();
  const reason = new Error("stop");
  const sending = batch.send({ signal: controller.signal });
  setTimeout(() => controller.abort(reason), 50);
  await assert.rejects(sending, (error: unknown) => error === reason);
});

test("sendAsync posts with Prefer: respond-async and Accept multipart/mixed; the poller's result is the parsed batch answer from the monitor", async (t) => {
  let polls = 0;
  const inner = [
    "HTTP/1.1 200 OK",
    "Content-Type: multipart/mixed; boundary=inner",
    "",
    `${responsePart("inner", "200 OK", { "Content-Type": "application/json" }, bookJson(1, "One"), "1")}${CRLF}--inner--${CRLF}`,
  ].join(CRLF);
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") {
      res.writeHead(202, { location: "/svc/monitor/7", "retry-after": "0", "preference-applied": "respond-async" });
      res.end();
      return;
    }
    polls += 1;
    if (polls === 1) {
      res.writeHead(202, { location: "/svc/monitor/7" });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/http", "content-length": Buffer.byteLength(inner) });
    res.end(inner);
  }, {}, "svc/");
  const batch = client.batch();
  const one = batch.get(client.collection<Book>("Books").key(1));
  const poller = await batch.sendAsync({ pollInterval: 5 });
  const sent = server.requests[0] as RecordedRequest;
  assert.equal(sent.headers["prefer"], "respond-async");
  assert.equal(sent.headers["accept"], "multipart/mixed");
  assert.match(String(sent.headers["content-type"]), /^multipart\/mixed; boundary=batch_/);
  assert.equal(poller.isDone(), false);
  assert.equal(poller.statusUrl, server.url("svc/monitor/7"));

  const results = await poller.wait();
  assert.equal(polls, 2);
  assert.equal(results.length, 1);
  const read = one.result();
  assert.ok(read.ok && read.value.title === "One");
  assert.equal(poller.result(), results);
});

test("the batch answer a monitor gives is split by the boundary its Content-Type names, not by the first line that looks like one (a preamble of dashes)", async (t) => {
  const answer = `--- the service's preamble${CRLF}${responsePart("inner", "200 OK", { "Content-Type": "application/json" }, bookJson(1, "One"), "1")}${CRLF}--inner--${CRLF}`;
  const { client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") {
      res.writeHead(202, { location: "/svc/monitor/7", "retry-after": "0" });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=inner", "content-length": Buffer.byteLength(answer) });
    res.end(answer);
  }, {}, "svc/");
  const batch = client.batch();
  const one = batch.get(client.collection<Book>("Books").key(1));
  await (await batch.sendAsync({ pollInterval: 1 })).wait();
  const read = one.result();
  assert.ok(read.ok, String(!read.ok && read.error));
  assert.equal(read.value.title, "One");
});

test("sendAsync on a service that answers at once gives a poller that is already done, with the results", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => multipart(res, "r", [responsePart("r", "204 No Content", {}, "")]), {}, "svc/");
  const batch = client.batch();
  const removed = batch.delete(client.collection("Books").key(1));
  const poller = await batch.sendAsync();
  assert.equal(poller.isDone(), true);
  assert.equal(await poller.poll(), false);
  assert.equal(poller.result()[0]?.status, 204);
  assert.equal(removed.result().ok, true);
  assert.equal(server.requests.length, 1);
});

test("sendAsync on a v2 service that answers every batch 202 with the multipart answer and no Location gives a done poller with the results, as send() reads it", async (t) => {
  const parts = [responsePart("r", "200 OK", { "Content-Type": "application/json" }, '{"d":{"ID":1,"title":"One"}}'), responsePart("r", "204 No Content", {}, "")];
  // The same with a Location beside the answer: the answer is there, so it is read, by both alike.
  let location: Record<string, string> = {};
  const { server, client } = await serveClient(t, (_request, res) => multipart(res, "r", parts, "multipart/mixed; boundary=r", 202, location), { version: "2.0" }, "svc/");
  for (const via of ["send", "sendAsync", "send", "sendAsync"] as const) {
    if (server.requests.length === 2) location = { location: "/svc/monitor/1" };
    const batch = client.batch();
    const book = batch.get(client.collection("Books").key(1));
    const removed = batch.delete(client.collection("Books").key(2));
    if (via === "send") await batch.send();
    else {
      const poller = await batch.sendAsync();
      assert.equal(poller.isDone(), true, via);
      assert.equal(poller.result().length, 2, via);
    }
    const [got, gone] = [book.result(), removed.result()];
    assert.ok(got.ok && gone.ok, via);
    assert.deepEqual([got.status, got.value, gone.status], [200, { ID: 1, title: "One" }, 204], via);
  }
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), Array.from({ length: 4 }, () => "POST /svc/$batch"));
});

test("a JSON batch answered 202 with its JSON answer and no Location: send() and sendAsync() alike read the results", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    const ids = (JSON.parse(request.body) as { requests: { id: string }[] }).requests.map((r) => r.id);
    sendJson(res, 202, { responses: [{ id: ids[0], status: 200, body: { ID: 1, title: "One" } }, { id: ids[1], status: 204 }] });
  }, {}, "svc/");
  for (const via of ["send", "sendAsync"] as const) {
    const batch = client.batch({ format: "json" });
    const book = batch.get(client.collection<Book>("Books").key(1));
    const removed = batch.delete(client.collection("Books").key(2));
    if (via === "send") await batch.send();
    else {
      const poller = await batch.sendAsync();
      assert.equal(poller.isDone(), true, via);
    }
    const [got, gone] = [book.result(), removed.result()];
    assert.ok(got.ok && gone.ok, `${via}: ${String(!got.ok && got.error)} ${String(!gone.ok && gone.error)}`);
    assert.deepEqual([got.status, got.value, gone.status], [200, { ID: 1, title: "One" }, 204], via);
  }
  assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path} ${String(r.headers["prefer"] ?? "")}`), ["POST /svc/$batch ", "POST /svc/$batch respond-async"]);
});

test("sendAsync of a one-request batch answered at once with JSON that is no batch answer rejects with BAD_BATCH_RESPONSE, as send() does, and does not take it as the request's result", async (t) => {
  const { client } = await serveClient(t, (_request, res) => sendJson(res, 200, { ID: 1, title: "One" }), {}, "svc/");
  for (const format of ["json", "multipart"] as const) {
    for (const via of ["send", "sendAsync"] as const) {
      const batch = client.batch({ format });
      const book = batch.get(client.collection<Book>("Books").key(1));
      await assert.rejects(
        via === "send" ? batch.send() : batch.sendAsync(),
        (error: unknown) => error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE",
        `${format} ${via}`,
      );
      assert.throws(() => book.result(), `${format} ${via}: the request has no result`);
    }
  }
});

test("a multipart answer ending in a 202 part with Location gives the results so far and a continuation poller for the rest", async (t) => {
  const rest = `${responsePart("rest", "201 Created", { "Content-Type": "application/json" }, bookJson(5, "Five"), "2")}${CRLF}${responsePart("rest", "204 No Content", {}, "", "3")}${CRLF}--rest--${CRLF}`;
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") {
      multipart(res, "r", [
        responsePart("r", "200 OK", { "Content-Type": "application/json" }, bookJson(1, "One"), "1"),
        responsePart("r", "202 Accepted", { Location: "monitor/9", "Retry-After": "0" }, ""),
      ]);
      return;
    }
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=rest", "content-length": Buffer.byteLength(rest) });
    res.end(rest);
  }, {}, "svc/");
  const batch = client.batch();
  const books = client.collection<Book>("Books");
  const one = batch.get(books.key(1));
  const created = batch.create(books, { ID: 5, title: "Five" });
  const removed = batch.delete(books.key(2));
  const results = await batch.send({ continuation: { pollInterval: 5 } });

  assert.equal(results[0]?.ok, true);
  for (const pending of [results[1], results[2]]) {
    assert.equal(pending?.ok, false);
    assert.equal(pending?.status, undefined);
    assert.equal(pending?.error.code, "BATCH_PENDING");
  }
  assert.equal(created.result().status, undefined);
  const continuation = results.continuation;
  assert.ok(continuation);
  assert.equal(continuation.statusUrl, server.url("svc/monitor/9"));

  const all = await continuation.wait();
  assert.deepEqual(
    all.map((result) => result.status),
    [200, 201, 204],
  );
  assert.equal(all.continuation, undefined);
  assert.equal(server.requests[1]?.method, "GET");
  assert.equal(server.requests[1]?.path, "/svc/monitor/9");
  const first = one.result();
  assert.ok(first.ok && first.value.title === "One");
  const made = created.result();
  assert.ok(made.ok && made.value?.title === "Five");
  assert.equal(removed.result().status, 204);
});

test("a JSON batch response with status 202 and Location marks the unanswered requests pending and continues there", async (t) => {
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") {
      sendJson(res, 200, {
        responses: [
          { id: "1", status: 200, body: { ID: 1, title: "One" } },
          { id: "2", status: 202, headers: { location: "/svc/monitor/2" } },
        ],
      });
      return;
    }
    sendJson(res, 200, { responses: [{ id: "2", status: 200, body: { value: 42 } }] });
  }, { version: "4.01" }, "svc/");
  const batch = client.batch();
  batch.get(client.collection<Book>("Books").key(1));
  const answer = batch.function<number>("answer");
  const results = await batch.send({ continuation: { pollInterval: 5 } });
  assert.equal(results[1]?.ok === false && results[1].error.code, "BATCH_PENDING");
  const all = await results.continuation?.wait();
  assert.equal(all?.ok, true);
  const value = answer.result();
  assert.ok(value.ok);
  assert.equal(value.value, 42);
});

test("a service that answers a plain send with 202 and a monitor gives all requests pending and a continuation", async (t) => {
  const inner = [
    "HTTP/1.1 200 OK",
    "Content-Type: multipart/mixed; boundary=x",
    "",
    `${responsePart("x", "204 No Content", {}, "")}${CRLF}--x--${CRLF}`,
  ].join(CRLF);
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") {
      res.writeHead(202, { location: server.url("svc/monitor/1") });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/http" });
    res.end(inner);
  }, {}, "svc/");
  const batch = client.batch();
  const removed = batch.delete(client.collection("Books").key(1));
  const results = await batch.send({ continuation: { pollInterval: 5 } });
  assert.equal(results[0]?.ok === false && results[0].error.code, "BATCH_PENDING");
  await results.continuation?.wait();
  assert.equal(removed.result().status, 204);
});

test("a 200 answer that is not a batch response rejects with BAD_BATCH_RESPONSE", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html>login</html>");
  }, {}, "svc/");
  const batch = client.batch();
  batch.get(client.collection("Books").key(1));
  await assert.rejects(batch.send(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE" && /text\/html/.test(error.message));
});

test("poll() reads the batch answer as soon as the monitor has it, so the handles show their results; resumeAsync goes on from toJSON()", async (t) => {
  const inner = [
    "HTTP/1.1 200 OK",
    "Content-Type: multipart/mixed; boundary=inner",
    "",
    `${responsePart("inner", "200 OK", { "Content-Type": "application/json" }, bookJson(3, "Three"), "1")}${CRLF}--inner--${CRLF}`,
  ].join(CRLF);
  const { server, client } = await serveClient(t, (request, res) => {
    if (request.method === "POST") {
      res.writeHead(202, { location: "/svc/monitor/3" });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/http" });
    res.end(inner);
  }, {}, "svc/");
  const build = () => {
    const batch = client.batch();
    return { batch, three: batch.get(client.collection<Book>("Books").key(3)) };
  };
  const first = build();
  const poller = await first.batch.sendAsync();
  const token = JSON.parse(JSON.stringify(poller.toJSON())) as ReturnType<typeof poller.toJSON>;

  // Another process builds the same batch and polls on from the token.
  const second = build();
  const resumed = second.batch.resumeAsync(token);
  assert.equal(resumed.statusUrl, server.url("svc/monitor/3"));
  assert.equal(await resumed.poll(), false);
  const read = second.three.result();
  assert.ok(read.ok && read.value.title === "Three");
  assert.deepEqual(
    server.requests.map((request) => request.method),
    ["POST", "GET"],
  );
});
