// Batch defects a hunt found: a JSON body's numbers changed in a JSON batch, a changeset whose build
// threw sent half-built, a part's key shown by readAnswer() and by a late continuation, a JSON
// batch's relative next link read against the service root, a multipart changeset member's 202
// read as a success, and handles left on an earlier send's results after a send that failed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataClientError } from "../src/index.js";
import { json, serve } from "./batch-server.js";

const CRLF = "\r\n";

test("a JSON batch sends a request()'s JSON body text as given: big integers, long decimals and 1e400 unchanged", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 204 }] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const text = ' {"ID":9007199254740993,"Amount":12345678901234567.10,"Rate":1e400}\n';
  batch.request({ method: "POST", url: "Orders", headers: { "content-type": "application/json" }, body: text });
  const results = await batch.send();
  assert.equal(results[0]?.status, 204);
  const sent = service.seen[0]!.body;
  assert.ok(sent.includes('"body":{"ID":9007199254740993,"Amount":12345678901234567.10,"Rate":1e400}'), sent);
  // Still one JSON document, the body in its place among the members.
  assert.deepEqual(Object.keys((JSON.parse(sent) as { requests: object[] }).requests[0]!), ["id", "method", "url", "headers", "body"]);
  // Text that is not one JSON value is refused before anything is sent.
  const bad = client.batch({ format: "json" });
  bad.request({ method: "POST", url: "Orders", headers: { "content-type": "application/json" }, body: '{"a":1} {"b":2}' });
  await assert.rejects(bad.send(), TypeError);
  assert.equal(service.seen.length, 1);
});

test("a changeset whose build throws is left out of the batch whole; its error reaches the caller and its handles say so", async (t) => {
  const service = await serve(() => ({
    status: 200,
    headers: { "Content-Type": "multipart/mixed; boundary=r" },
    body: `--r${CRLF}Content-Type: multipart/mixed; boundary=c${CRLF}${CRLF}--c${CRLF}Content-Type: application/http${CRLF}Content-ID: 1${CRLF}${CRLF}HTTP/1.1 201 Created${CRLF}Content-Type: application/json${CRLF}${CRLF}{"ID":1}${CRLF}--c${CRLF}Content-Type: application/http${CRLF}Content-ID: 2${CRLF}${CRLF}HTTP/1.1 201 Created${CRLF}Content-Type: application/json${CRLF}${CRLF}{"ID":10}${CRLF}--c--${CRLF}--r--${CRLF}`,
  }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const orders = client.collection<{ ID: number }>("Orders");
  const batch = client.batch();
  batch.changeset((cs) => {
    const order = cs.create(orders, { ID: 1 });
    cs.create(order.navigation("items" as never), { ID: 10 } as never);
  });
  let dropped: { result(): unknown; ref(): never } | undefined;
  assert.throws(
    () =>
      batch.changeset((cs) => {
        dropped = cs.create(orders, { ID: 2 }) as never;
        throw new Error("order 2: bad item");
      }),
    /order 2: bad item/,
  );
  assert.equal(batch.size, 2);
  // A reference to a request taken out is refused, not bound to another one.
  assert.throws(() => batch.create(dropped!.ref() as never, { ID: 3 }), TypeError);
  const results = await batch.send();
  const sent = service.seen[0]!.body;
  assert.equal(sent.match(/\r\nPOST /g)?.length, 2);
  assert.ok(!sent.includes('"ID":2'), sent);
  assert.equal(sent.match(/Content-Type: multipart\/mixed/g)?.length, 1);
  assert.deepEqual(results.map((result) => result.status), [201, 201]);
  assert.throws(() => dropped!.result(), (error: unknown) => error instanceof TypeError && /changeset's build threw/.test(error.message));
});

test("a part's own key is masked in a failure read by readAnswer(), as send() masks it", async (t) => {
  const key = "PARTKEY-abcdef12345";
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 401, headers: { ...json, "x-echo": key }, body: { error: { code: "401", message: `bad key ${key}` } } }] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const handle = batch.request({ method: "GET", url: "Bad", headers: { "x-api-key": key } });
  const request = await batch.toRequest();
  const response = await fetch(request.url, { method: "POST", headers: request.headers, body: request.body });
  await batch.readAnswer({ contentType: response.headers.get("content-type"), body: await response.text() });
  assert.equal(service.seen[0]!.body.includes(key), true);
  const result = handle.result();
  assert.equal(result.ok, false);
  const error = (result as { error: Error & { headers?: unknown; odataError?: unknown } }).error;
  assert.ok(!JSON.stringify([error.message, error.headers, error.odataError]).includes(key), error.message);
  assert.match(error.message, /bad key \*\*\*/);
});

test("a part's own key is masked in a continuation's failure read after other requests sent other keys", async (t) => {
  const key = "PARTKEY-original-000";
  const service = await serve((seen) => {
    if (seen.url.endsWith("$batch")) return { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=r" }, body: `--r${CRLF}Content-Type: application/http${CRLF}${CRLF}HTTP/1.1 202 Accepted${CRLF}Location: /svc/monitor${CRLF}${CRLF}${CRLF}--r--${CRLF}` };
    if (seen.url.startsWith("/svc/monitor")) {
      return { status: 200, headers: { "Content-Type": "application/http" }, body: `HTTP/1.1 200 OK${CRLF}Content-Type: multipart/mixed; boundary=m${CRLF}${CRLF}--m${CRLF}Content-Type: application/http${CRLF}${CRLF}HTTP/1.1 401 Unauthorized${CRLF}Content-Type: application/json${CRLF}${CRLF}{"error":{"code":"401","message":"key ${key} is revoked"}}${CRLF}--m--${CRLF}` };
    }
    return { status: 204 };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch();
  const handle = batch.request({ method: "GET", url: "Secret", headers: { "x-api-key": key } });
  const results = await batch.send({ continuation: { pollInterval: 1 } });
  for (let i = 1; i <= 4; i++) await client.collection("Books").key(i).update({ x: 1 }, { headers: { "x-api-key": `OTHERKEY-tenant-${i}000` } } as never);
  await results.continuation!.wait();
  assert.equal(service.seen.filter((seen) => seen.url.startsWith("/svc/monitor")).length, 1);
  const result = handle.result();
  assert.equal(result.status, 401);
  const message = (result as { error: Error }).error.message;
  assert.ok(!message.includes(key), message);
  assert.match(message, /key \*\*\* is revoked/);
});

test("a JSON batch's relative next link is read against the $batch URL that answered, not the service root", async (t) => {
  const service = await serve((seen) => {
    if (seen.method === "POST") return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: 1 } }], "@nextLink": "?$skiptoken=b2" }) };
    if (seen.url === "/svc/$batch?$skiptoken=b2") return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "2", status: 200, headers: json, body: { ID: 2 } }] }) };
    return { status: 200, headers: json, body: JSON.stringify({ value: [{ name: "Books", url: "Books" }] }) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01", retry: false });
  const batch = client.batch({ format: "json" });
  const books = client.collection<{ ID: number }>("Books");
  const first = batch.get(books.key(1));
  const second = batch.get(books.key(2));
  await batch.send();
  assert.deepEqual(service.seen.map((seen) => `${seen.method} ${seen.url}`), ["POST /svc/$batch", "GET /svc/$batch?$skiptoken=b2"]);
  assert.deepEqual([first.result(), second.result()].map((result) => (result.ok ? result.value : result.error.code)), [{ ID: 1 }, { ID: 2 }]);
});

test("a multipart changeset member answered 202 with a Location is pending with its monitor, as in a JSON batch", async (t) => {
  const service = await serve((seen) => {
    if (seen.url.startsWith("/svc/monitor")) return { status: 200, headers: { "Content-Type": "application/http" }, body: `HTTP/1.1 201 Created${CRLF}Content-Type: application/json${CRLF}${CRLF}{"ID":1}` };
    return {
      status: 200,
      headers: { "Content-Type": "multipart/mixed; boundary=r" },
      body: `--r${CRLF}Content-Type: multipart/mixed; boundary=c${CRLF}${CRLF}--c${CRLF}Content-Type: application/http${CRLF}Content-ID: 1${CRLF}${CRLF}HTTP/1.1 202 Accepted${CRLF}Location: /svc/monitor/1${CRLF}${CRLF}${CRLF}--c--${CRLF}--r${CRLF}Content-Type: application/http${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}{"ID":9}${CRLF}--r--${CRLF}`,
    };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const books = client.collection<{ ID: number }>("Books");
  const batch = client.batch();
  let created: { result(): { ok: boolean; status?: number | undefined; value?: unknown; error?: { code: string } } } | undefined;
  batch.changeset((cs) => void (created = cs.create(books, { ID: 1 })));
  const read = batch.get(books.key(9));
  const results = await batch.send({ continuation: { pollInterval: 1 } });
  assert.deepEqual([created!.result().ok, created!.result().error?.code], [false, "BATCH_PENDING"]);
  assert.deepEqual((read.result() as { value?: unknown }).value, { ID: 9 });
  assert.ok(results.continuation);
  await results.continuation.wait();
  assert.deepEqual(service.seen.map((seen) => `${seen.method} ${seen.url}`), ["POST /svc/$batch", "GET /svc/monitor/1"]);
  assert.deepEqual([created!.result().ok, created!.result().value], [true, { ID: 1 }]);
});

test("after a send that failed, the handles no longer give the earlier send's results but say the last send failed", async (t) => {
  let down = false;
  const service = await serve(() =>
    down
      ? { status: 503, headers: json, body: '{"error":{"code":"DOWN","message":"maintenance"}}' }
      : { status: 200, headers: { "Content-Type": "multipart/mixed; boundary=r" }, body: `--r${CRLF}Content-Type: application/http${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}{"ID":1,"stock":1}${CRLF}--r--${CRLF}` },
  );
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch();
  const handle = batch.get(client.collection<{ ID: number; stock: number }>("Books").key(1));
  await batch.send();
  assert.deepEqual((handle.result() as { value?: unknown }).value, { ID: 1, stock: 1 });
  down = true;
  const failure = await batch.send().catch((error: unknown) => error);
  assert.equal((failure as { status?: number }).status, 503);
  assert.equal(service.seen.length, 2);
  assert.equal(batch.results(), undefined);
  assert.throws(
    () => handle.result(),
    (error: unknown) => error instanceof ODataClientError && error.code === "BATCH_NOT_SENT" && /last send failed/.test(error.message) && error.cause === failure,
  );
});

test("a request refused when added (a $n of no earlier request) uses up no Content-ID: the next one is 1", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 204 }] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  assert.throws(() => batch.request({ method: "DELETE", url: "$7" }), TypeError);
  batch.request({ method: "DELETE", url: "Orders(1)" });
  await batch.send();
  assert.deepEqual((JSON.parse(service.seen[0]!.body) as { requests: { id: string; url: string }[] }).requests.map((request) => [request.id, request.url]), [["1", "Orders(1)"]]);
});

test("a function part asks for the client's maxPageSize as the same function alone does; an action part does not", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, body: { value: [] } }, { id: "2", status: 204 }] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false, maxPageSize: 50 });
  const batch = client.batch({ format: "json" });
  batch.function("top", { n: 3 });
  batch.action("reset");
  await batch.send();
  const parts = (JSON.parse(service.seen[0]!.body) as { requests: { id: string; method: string; url: string; headers?: Record<string, string> }[] }).requests;
  assert.deepEqual(
    parts.map((part) => [part.method, part.url, part.headers?.["prefer"]]),
    [
      ["GET", "top(n=3)", "odata.maxpagesize=50"],
      ["POST", "reset", undefined],
    ],
  );
});

test("a JSON body text with a byte order mark goes into a JSON batch without it, its value as written", async (t) => {
  const service = await serve(() => ({ status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 204 }] }) }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  batch.request({ method: "POST", url: "Orders", headers: { "content-type": "application/json" }, body: '\uFEFF{"ID":9007199254740993}' });
  await batch.send();
  const sent = service.seen[0]!.body;
  assert.ok(sent.includes('"body":{"ID":9007199254740993}'), sent);
  assert.equal(sent.includes("\uFEFF"), false);
  assert.deepEqual(Object.keys((JSON.parse(sent) as { requests: object[] }).requests[0]!), ["id", "method", "url", "headers", "body"]);
});
