/**
 * Reading a JSON batch answer (OData JSON Format 4.01 §19) past its first page: a partial result's
 * next link is followed (at once by send(), through the monitor by sendAsync()), on the trusted
 * origins only and never round in a loop; several parts answered 202 each have a continuation; a
 * body that is neither JSON nor text travels base64url-encoded both ways; a response that names
 * no request fails only the requests left without one.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { json, serve, short, type Reply, type Seen } from "./batch-server.js";
import { ODataClient } from "../src/index.js";

const responses = (...list: unknown[]) => JSON.stringify({ responses: list });
const said = (seen: { method: string; url: string }[]) => seen.map((request) => `${request.method} ${request.url}`);

function client(url: string, options: { trustedOrigins?: string[] } = {}) {
  return new ODataClient({ serviceUrl: url, version: "4.01", ...options });
}

/** A batch service answering with `handler`, closed when the test ends. */
async function served(t: TestContext, handler: (request: Seen) => Reply) {
  const server = await serve(handler);
  t.after(() => server.close());
  return server;
}

/** The answers to the first request that several batches here share, and how each reads: the create of Orders(1), a function's 1. */
const created = { id: "1", status: 201, body: { ID: 1 } };
const createdResult = { ok: true, status: 201, value: { ID: 1 } };
const valueOne = { id: "1", status: 200, body: { value: 1 } };
const valueOneResult = { ok: true, status: 200, value: 1 };

/** A first page of the answer to the first request alone, its next link `nextLink` (a link, or something that is none). */
const firstPage = (answer: object, nextLink: unknown) => JSON.stringify({ responses: [answer], "@nextLink": nextLink });

/** A JSON batch of a call of each function named. */
function calls(url: string, ...functions: string[]) {
  const batch = client(url).batch({ format: "json" });
  for (const name of functions) batch.function(name);
  return batch;
}

/** A JSON batch of the create of Orders(1), then a call of each function named. */
function createThenCall(url: string, ...functions: string[]) {
  const c = client(url);
  const batch = c.batch({ format: "json" });
  batch.create(c.collection("Orders"), { ID: 1 });
  for (const name of functions) batch.function(name);
  return batch;
}

test("send() follows a partial JSON result's @nextLink (and @odata.nextLink) until every request has its answer", async (t) => {
  const server = await served(t, (request): Reply => {
    if (request.method === "POST") return { status: 200, headers: json, body: firstPage(created, "$batch?$skiptoken=2") };
    if (request.url.endsWith("skiptoken=2")) return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "2", status: 200, body: { value: 2 } }], "@odata.nextLink": "/svc/$batch?$skiptoken=3" }) };
    return { status: 200, headers: json, body: responses({ id: "3", status: 200, body: { value: 3 } }) };
  });
  const results = await createThenCall(server.url, "F", "G").send();
  assert.deepEqual(results.map(short), [
    createdResult,
    { ok: true, status: 200, value: 2 },
    { ok: true, status: 200, value: 3 },
  ]);
  assert.equal(results.continuation, undefined);
  // The create went out once; the rest was read with GETs of the links.
  assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/$batch?$skiptoken=2", "GET /svc/$batch?$skiptoken=3"]);
});

test("a JSON batch next link off the trusted origins is not followed: the requests left read UNTRUSTED_NEXT_LINK, nothing is sent there", async (t) => {
  const server = await served(t, (): Reply => ({ status: 200, headers: json, body: firstPage(valueOne, "http://evil.example/$batch?next") }));
  const results = await calls(server.url, "F", "G").send();
  assert.deepEqual(results.map(short), [
    valueOneResult,
    { ok: false, status: undefined, code: "UNTRUSTED_NEXT_LINK" },
  ]);
  assert.doesNotMatch(results[1]!.ok ? "" : results[1]!.error.message, /BATCH_NOT_EXECUTED|continueOnError/);
  assert.deepEqual(said(server.seen), ["POST /svc/$batch"]);
});

test("a JSON batch next link that leads back to a page already read is followed once: the requests left read NEXT_LINK_LOOP", async (t) => {
  const server = await served(t, (request): Reply =>
    request.method === "POST"
      ? { status: 200, headers: json, body: JSON.stringify({ responses: [], "@nextLink": "$batch?again" }) }
      : { status: 200, headers: json, body: firstPage(valueOne, "$batch?again") },
  );
  const results = await calls(server.url, "F", "G").send();
  assert.deepEqual(results.map(short), [
    valueOneResult,
    { ok: false, status: undefined, code: "NEXT_LINK_LOOP" },
  ]);
  assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/$batch?again"]);
});

test("a next link answered 202 continues as a monitor: send() gives the rest pending with results.continuation, which reads it", async (t) => {
  const server = await served(t, (request): Reply => {
    if (request.method === "POST") return { status: 200, headers: json, body: firstPage(created, "/svc/next") };
    if (request.url === "/svc/next") return { status: 202, headers: { Location: "/svc/monitor" } };
    return { status: 200, headers: { ...json, AsyncResult: "200" }, body: responses({ id: "2", status: 201, body: { ID: 2 } }) };
  });
  const c = client(server.url);
  const batch = c.batch({ format: "json" });
  batch.create(c.collection("Orders"), { ID: 1 });
  batch.create(c.collection("Orders"), { ID: 2 });
  const results = await batch.send({ continuation: { pollInterval: 1 } });
  assert.deepEqual(results.map(short), [
    createdResult,
    { ok: false, status: undefined, code: "BATCH_PENDING" },
  ]);
  const rest = await results.continuation!.wait();
  assert.deepEqual(rest.map(short), [
    createdResult,
    { ok: true, status: 201, value: { ID: 2 } },
  ]);
  assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/next", "GET /svc/monitor"]);
});

test("sendAsync() reads the spec's interim result: the monitor's partial answer, its next link answered 202, the new monitor's answer", async (t) => {
  const server = await served(t, (request): Reply => {
    if (request.method === "POST") return { status: 202, headers: { Location: "/svc/monitor-0", "Preference-Applied": "respond-async" } };
    if (request.url === "/svc/monitor-0") return { status: 200, headers: { ...json, AsyncResult: "200" }, body: JSON.stringify({ responses: [{ id: "1", status: 200, body: { ID: "ALFKI" } }], "@nextLink": "/svc/batchnext?$skiptoken=1" }) };
    if (request.url.startsWith("/svc/batchnext")) return { status: 202, headers: { Location: "/svc/monitor-1" } };
    return { status: 200, headers: { ...json, AsyncResult: "200" }, body: responses({ id: "2", status: 204 }, { id: "3", status: 201, body: { ID: "POIUY" } }) };
  });
  const c = client(server.url);
  const customers = c.collection<{ ID: string; x?: number }>("Customers");
  const batch = c.batch({ format: "json" });
  batch.get(customers.key("ALFKI"));
  batch.changeset((cs) => {
    cs.update(customers.key("ALFKI"), { x: 1 }, { etag: "*" });
    cs.create(customers, { ID: "POIUY" });
  });
  const poller = await batch.sendAsync({ pollInterval: 1 });
  const results = await poller.wait();
  assert.deepEqual(results.map(short), [
    { ok: true, status: 200, value: { ID: "ALFKI" } },
    { ok: true, status: 204, value: undefined },
    { ok: true, status: 201, value: { ID: "POIUY" } },
  ]);
  assert.equal(poller.isDone(), true);
  assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/monitor-0", "GET /svc/batchnext?$skiptoken=1", "GET /svc/monitor-1"]);
});

test("several JSON parts answered 202 are each pending with a continuation of their own, read one after the other", async (t) => {
  const server = await served(t, (request): Reply => {
    if (request.method === "POST") {
      return { status: 200, headers: json, body: responses({ id: "1", status: 202, headers: { location: "/svc/monitorA" } }, { id: "2", status: 202, headers: { location: "/svc/monitorB" } }, { id: "3", status: 200, body: { value: 3 } }) };
    }
    return { status: 200, headers: { ...json, AsyncResult: "200" }, body: JSON.stringify({ value: request.url === "/svc/monitorA" ? "a" : "b" }) };
  });
  const batch = client(server.url).batch({ format: "json" });
  batch.action("A");
  batch.action("B");
  batch.function("C");
  const results = await batch.send({ continuation: { pollInterval: 1 } });
  assert.deepEqual(results.map(short), [
    { ok: false, status: undefined, code: "BATCH_PENDING" },
    { ok: false, status: undefined, code: "BATCH_PENDING" },
    { ok: true, status: 200, value: 3 },
  ]);
  const afterA = await results.continuation!.wait();
  assert.deepEqual(afterA.map(short), [
    { ok: true, status: 200, value: "a" },
    { ok: false, status: undefined, code: "BATCH_PENDING" },
    { ok: true, status: 200, value: 3 },
  ]);
  const afterB = await afterA.continuation!.wait();
  assert.deepEqual(afterB.map(short), [
    { ok: true, status: 200, value: "a" },
    { ok: true, status: 200, value: "b" },
    { ok: true, status: 200, value: 3 },
  ]);
  assert.equal(afterB.continuation, undefined);
  assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/monitorA", "GET /svc/monitorB"]);
});

test("a body neither JSON nor text travels base64url-encoded: an answer's as a Uint8Array, a request()'s string encoded", async (t) => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]);
  const server = await served(t, (): Reply => ({
    status: 200,
    headers: json,
    body: responses(
      { id: "1", status: 200, headers: { "content-type": "image/png" }, body: png.toString("base64url") },
      { id: "2", status: 200, headers: { "content-type": "text/plain" }, body: "hello" },
      { id: "3", status: 204 },
    ),
  }));
  const batch = client(server.url).batch({ format: "json" });
  batch.request({ method: "GET", url: "Photos(1)/$value" });
  batch.request({ method: "GET", url: "Photos(1)/name/$value" });
  batch.request({ method: "PUT", url: "Photos(2)/$value", headers: { "content-type": "application/octet-stream" }, body: "é?>" });
  const results = await batch.send();
  assert.ok(results[0]!.ok && results[0]!.value instanceof Uint8Array);
  assert.deepEqual([...(results[0]!.ok ? (results[0]!.value as Uint8Array) : [])], [...png]);
  assert.equal(results[1]!.ok && results[1]!.value, "hello");
  const sent = JSON.parse(server.seen[0]!.body) as { requests: { body?: unknown }[] };
  assert.equal(sent.requests[2]!.body, Buffer.from("é?>").toString("base64url"));
});

test("send() with a JSON response of an unknown id keeps the answers matched: the request left fails with BAD_BATCH_RESPONSE naming it", async (t) => {
  const server = await served(t, (): Reply => ({ status: 200, headers: json, body: responses(created, { id: "1b", status: 200, body: { value: 2 } }) }));
  const results = await createThenCall(server.url, "F").send();
  assert.deepEqual(results.map(short), [
    createdResult,
    { ok: false, status: undefined, code: "BAD_BATCH_RESPONSE" },
  ]);
  assert.match(results[1]!.ok ? "" : results[1]!.error.message, /"1b", which no request has/);
});

test("an XML body is neither JSON nor of top-level type text: sent base64url-encoded, and an answer's base64url read back to its text (JSON Format §19.1)", async (t) => {
  const xml = '<?xml version="1.0"?><note>é</note>';
  const server = await served(t, (): Reply => ({
    status: 200,
    headers: json,
    body: responses(
      { id: "1", status: 200, headers: { "content-type": "application/xml" }, body: Buffer.from(xml).toString("base64url") },
      { id: "2", status: 200, headers: { "content-type": "application/xml" }, body: xml },
      { id: "3", status: 204 },
    ),
  }));
  const batch = client(server.url).batch({ format: "json" });
  batch.request({ method: "GET", url: "Notes(1)/$value" });
  batch.request({ method: "GET", url: "Notes(2)/$value" });
  batch.request({ method: "PUT", url: "Notes(3)/$value", headers: { "content-type": "application/xml" }, body: xml });
  const results = await batch.send();
  const text = (value: unknown) => (value instanceof Uint8Array ? new TextDecoder().decode(value) : value);
  // The first as the specification has it; the second, a service that wrote the XML as a string,
  // is kept as it came (it is no base64url).
  assert.equal(results[0]!.ok && text(results[0]!.value), xml);
  assert.equal(results[1]!.ok && text(results[1]!.value), xml);
  const sent = JSON.parse(server.seen[0]!.body) as { requests: { body?: unknown }[] };
  assert.equal(sent.requests[2]!.body, Buffer.from(xml).toString("base64url"));
});

test("a multipart part answered 202 with a monitor before the last part is pending with a continuation of its own, as a JSON part is; its token resumes; a part's monitor that cannot be polled fails that part alone", async (t) => {
  const part = (status: string, headers: string, body = "") => `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${status}\r\n${headers}\r\n${body}\r\n`;
  let monitor = "/svc/monitorA";
  const server = await served(t, (request): Reply => {
    if (request.method === "POST") {
      return {
        status: 200,
        headers: { "Content-Type": "multipart/mixed; boundary=b" },
        body: `${part("202 Accepted", `Location: ${monitor}\r\n`)}${part("200 OK", "Content-Type: application/json\r\n", '{"value":3}')}--b--\r\n`,
      };
    }
    return { status: 200, headers: { ...json, AsyncResult: "200" }, body: JSON.stringify({ value: "a" }) };
  });
  const c = client(server.url);
  const build = () => {
    const batch = c.batch({ format: "multipart" });
    batch.action("A");
    batch.function("C");
    return batch;
  };
  const results = await build().send({ continuation: { pollInterval: 1 } });
  assert.deepEqual(results.map(short), [
    { ok: false, status: undefined, code: "BATCH_PENDING" },
    { ok: true, status: 200, value: 3 },
  ]);
  // Saved and resumed on the same batch built again, as a caller that restarted would.
  const token = results.continuation!.toJSON();
  assert.deepEqual(token.resultShape, { ...(token.resultShape as object), format: "multipart", pending: [0] });
  const after = await build().resumeAsync(token).wait();
  assert.deepEqual(after.map(short), [
    { ok: true, status: 200, value: "a" },
    { ok: false, status: undefined, code: "BATCH_ANSWERED_EARLIER" },
  ]);
  assert.deepEqual(said(server.seen), ["POST /svc/$batch", "GET /svc/monitorA"]);
  // A monitor that is no http(s) URL fails its own part; the answer beside it stands.
  monitor = "javascript:alert(1)";
  const refused = await build().send();
  assert.deepEqual(refused.map(short), [
    { ok: false, status: undefined, code: "ASYNC_BAD_RESPONSE" },
    { ok: true, status: 200, value: 3 },
  ]);
  assert.equal(refused.continuation, undefined);
  assert.equal(server.seen.length, 3);
});

test("a JSON answer whose next link is no link fails the requests left, naming it, rather than reading them as never run", async (t) => {
  for (const nextLink of [42, "", {}]) {
    const server = await served(t, (): Reply => ({ status: 200, headers: json, body: firstPage(created, nextLink) }));
    const results = await createThenCall(server.url, "F").send();
    assert.deepEqual(results.map(short), [
      createdResult,
      { ok: false, status: undefined, code: "BAD_BATCH_RESPONSE" },
    ], JSON.stringify(nextLink));
    assert.match(results[1]!.ok ? "" : results[1]!.error.message, /the answer's next link is .+, not a link/);
    assert.doesNotMatch(results[1]!.ok ? "" : results[1]!.error.message, /continueOnError/);
    assert.deepEqual(said(server.seen), ["POST /svc/$batch"]);
  }
});
