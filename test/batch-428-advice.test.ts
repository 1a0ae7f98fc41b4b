// A $batch part answered 428 Precondition Required is advised by what its own builder method
// takes, as a write sent alone is (test/s33-write-428-advice.test.ts), the method named as the
// batch's other errors name it (test/batch-call-names.test.ts): update(), replace() and delete()
// take { etag } and { ifMatch }; create(entity) has neither and takes the header in its headers;
// action("Shelve") has { etag } alone; request(request) sends the headers it is given;
// function("Stock"), a GET with no option for a condition, is sent as a request() with one.
// A function part answered 412, and a raw GET part answered 412 or 428, are explained as a
// write's are, in words of a request to send again. Against a node:http service on 127.0.0.1
// answering a JSON batch, which refuses every part without If-Match; the advice followed, the
// parts carry If-Match and succeed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { json, serve } from "./batch-server.js";

interface Part {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
}

const REQUIRED = "(precondition required: the service wants If-Match for this write; ";

test("each $batch part answered 428 gets the advice of its own builder method, which works when followed", async (t) => {
  const service = await serve((request) => {
    const parts = (JSON.parse(request.body) as { requests: Part[] }).requests;
    const responses = parts.map((part) => {
      const ifMatch = Object.entries(part.headers ?? {}).find(([name]) => name.toLowerCase() === "if-match");
      return ifMatch === undefined
        ? { id: part.id, status: 428, headers: json, body: { error: { code: "428", message: "Precondition Required" } } }
        : { id: part.id, status: part.method === "DELETE" ? 204 : 200, headers: json, ...(part.method === "DELETE" ? {} : { body: { ID: 1 } }) };
    });
    return { status: 200, headers: json, body: JSON.stringify({ responses }) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
  const books = client.collection("Books");

  const refused = client.batch();
  const handles = {
    create: refused.create(books, { ID: 1 }),
    update: refused.update(books.key(1), { title: "t" }),
    delete: refused.delete(books.key(1)),
    action: refused.action("Shelve", {}, { bound: books.key(1) }),
    request: refused.request({ method: "PATCH", url: "Books(1)", body: { title: "t" } }),
  };
  await refused.send();
  const advice = Object.fromEntries(
    Object.entries(handles).map(([name, handle]) => {
      const result = handle.result();
      assert.equal(result.ok, false, name);
      assert.ok(!result.ok && result.error instanceof ODataHttpError && result.error.status === 428, name);
      const message = (result as { error: Error }).error.message;
      assert.ok(message.includes(REQUIRED), message);
      return [name, message.slice(message.indexOf(REQUIRED) + REQUIRED.length)];
    }),
  );
  assert.deepEqual(advice, {
    create: 'create(entity) has no option for it: pass { headers: { "If-Match": "<ETag>" } })',
    update: 'pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there)',
    delete: 'pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there)',
    action: 'pass its ETag as { etag } (action("Shelve") has no ifMatch), or { etag: "*" } to act on whatever version is there)',
    request: 'give the request "If-Match": "<ETag>" in its headers (request(request) sends the headers it is given))',
  });

  // Each advice followed, as it words it.
  const followed = client.batch();
  const done = [
    followed.create(books, { ID: 1 }, { headers: { "If-Match": 'W/"1"' } }),
    followed.update(books.key(1), { title: "t" }, { ifMatch: "*" }),
    followed.delete(books.key(1), { etag: 'W/"1"' }),
    followed.action("Shelve", {}, { bound: books.key(1), etag: "*" }),
    followed.request({ method: "PATCH", url: "Books(1)", headers: { "If-Match": 'W/"1"' }, body: { title: "t" } }),
  ];
  await followed.send();
  assert.deepEqual(
    done.map((handle) => handle.result().ok),
    [true, true, true, true, true],
  );
  const sent = (JSON.parse(service.seen[1]!.body) as { requests: Part[] }).requests;
  assert.deepEqual(
    sent.map((part) => [part.method, part.url, Object.entries(part.headers ?? {}).find(([name]) => name.toLowerCase() === "if-match")?.[1]]),
    [
      ["POST", "Books", 'W/"1"'],
      ["PATCH", "Books(1)", "*"],
      ["DELETE", "Books(1)", 'W/"1"'],
      ["POST", "Books(1)/Shelve", "*"],
      ["PATCH", "Books(1)", 'W/"1"'],
    ],
  );
});

// A function part is a GET: it has no { etag } (an action's option) and no headers of its own in a
// batch part. Its 428 says what the service asked and what the program can do: send the call as a
// raw request with the header. The other parts of the same batch keep their advice; a read part,
// which no service asks a condition of, is told nothing more than its status.
test("a function part answered 428 is advised to send the call as request() with If-Match, which works; the other parts keep theirs", async (t) => {
  const service = await serve((request) => {
    const parts = (JSON.parse(request.body) as { requests: Part[] }).requests;
    const responses = parts.map((part) => {
      const ifMatch = Object.entries(part.headers ?? {}).find(([name]) => name.toLowerCase() === "if-match");
      if (ifMatch === undefined) return { id: part.id, status: 428, headers: json, body: { error: { code: "428", message: "Precondition Required" } } };
      return { id: part.id, status: 200, headers: json, body: part.method === "GET" ? { value: 7 } : { ID: 1 } };
    });
    return { status: 200, headers: json, body: JSON.stringify({ responses }) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
  const books = client.collection("Books");

  const refused = client.batch();
  const handles = {
    function: refused.function("Stock", { shelf: 2 }, { bound: books }),
    get: refused.get(books.key(1)),
    create: refused.create(books, { ID: 1 }),
    update: refused.update(books.key(1), { title: "t" }),
    action: refused.action("Shelve", {}, { bound: books.key(1) }),
  };
  await refused.send();
  const messages = Object.fromEntries(
    Object.entries(handles).map(([name, handle]) => {
      const result = handle.result();
      assert.ok(!result.ok && result.error instanceof ODataHttpError && result.error.status === 428, name);
      const message = (result as { error: Error }).error.message;
      return [name, message.slice(message.indexOf("Precondition Required") + "Precondition Required".length)];
    }),
  );
  assert.deepEqual(messages, {
    function:
      ' (precondition required: the service wants this function call made conditional, as with If-Match; function("Stock") sends no condition and has no option for one (a GET part takes no { etag }): send the call as request({ method: "GET", url, headers: { "If-Match": "<ETag>" } }), which sends the headers it is given)',
    get: "",
    create: ` ${REQUIRED}create(entity) has no option for it: pass { headers: { "If-Match": "<ETag>" } })`,
    update: ` ${REQUIRED}pass { etag } (the entity read earlier or its ETag), or { ifMatch: "*" } to write whatever version is there)`,
    action: ` ${REQUIRED}pass its ETag as { etag } (action("Shelve") has no ifMatch), or { etag: "*" } to act on whatever version is there)`,
  });

  // The advice followed: the function's URL as the refused part had it, with the header.
  const url = (JSON.parse(service.seen[0]!.body) as { requests: Part[] }).requests[0]!.url;
  const followed = client.batch();
  const stock = followed.request<{ value: number }>({ method: "GET", url, headers: { "If-Match": 'W/"3"' } });
  await followed.send();
  const result = stock.result();
  assert.deepEqual(result.ok ? result.value : result.error, { value: 7 });
  const sent = (JSON.parse(service.seen[1]!.body) as { requests: Part[] }).requests;
  assert.deepEqual(
    sent.map((part) => [part.method, part.url, part.headers?.["If-Match"] ?? part.headers?.["if-match"]]),
    [["GET", "Books/Stock(shelf=2)", 'W/"3"']],
  );
});

// A function part answered 412, and a raw GET part answered 412 or 428, were told nothing where a
// write part is: each is now explained as the write's are, in words of a request (not a change) to
// send again; a read part (get()) is still told nothing, as no service asks a condition of it.
test("a function part answered 412, and a raw GET part answered 412 or 428, are explained; a read part is not", async (t) => {
  const failure = (status: number) => ({ status, headers: json, body: { error: { code: String(status), message: status === 412 ? "Precondition Failed" : "Precondition Required" } } });
  const service = await serve((request) => {
    const parts = (JSON.parse(request.body) as { requests: Part[] }).requests;
    // Part 2 (the raw GET without a condition) is answered 428, every other 412.
    const responses = parts.map((part) => ({ id: part.id, ...failure(part.id === "2" ? 428 : 412) }));
    return { status: 200, headers: json, body: JSON.stringify({ responses }) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
  const books = client.collection("Books");
  const batch = client.batch();
  const handles = {
    function: batch.function("Stock", { shelf: 2 }, { bound: books }),
    required: batch.request({ method: "GET", url: "Books(1)" }),
    changed: batch.request({ method: "GET", url: "Books(1)", headers: { "If-Match": 'W/"1"' } }),
    gone: batch.request({ method: "GET", url: "Books(1)", headers: { "If-Match": "*" } }),
    get: batch.get(books.key(1)),
  };
  await batch.send();
  const sent = (JSON.parse(service.seen[0]!.body) as { requests: Part[] }).requests;
  assert.deepEqual(
    sent.map((part) => [part.id, part.method, part.url, part.headers?.["If-Match"] ?? part.headers?.["if-match"]]),
    [
      ["1", "GET", "Books/Stock(shelf=2)", undefined],
      ["2", "GET", "Books(1)", undefined],
      ["3", "GET", "Books(1)", 'W/"1"'],
      ["4", "GET", "Books(1)", "*"],
      ["5", "GET", "Books(1)", undefined],
    ],
  );
  const messages = Object.fromEntries(
    Object.entries(handles).map(([name, handle]) => {
      const result = handle.result();
      assert.ok(!result.ok && result.error instanceof ODataHttpError && result.error.code === "HTTP_ERROR", name);
      const message = (result as { error: Error }).error.message;
      return [name, message.slice(message.indexOf("]: Precondition ") + 3)];
    }),
  );
  assert.deepEqual(messages, {
    function: "Precondition Failed (precondition failed: the service refused a condition of its own (no If-Match was sent))",
    required:
      'Precondition Required (precondition required: the service wants this request made conditional, as with If-Match; give the request "If-Match": "<ETag>" in its headers (request(request) sends the headers it is given))',
    changed: "Precondition Failed (precondition failed: the entity changed since its ETag was read (it no longer matches If-Match); read it again for its ETag and send the request again)",
    gone: "Precondition Failed (precondition failed: there is no such entity (If-Match: * asked for one that exists))",
    get: "Precondition Failed",
  });
});
