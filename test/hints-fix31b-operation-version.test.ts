// A client of OData 4.0 (the default) calling a function or action of an OData v2 service (SAP
// Gateway's `DataServiceVersion: 2.0`, every body in `d`): its result is refused as BAD_PAYLOAD
// naming the v2 answer and `version: "2.0"`, as a collection's or an entity's read is
// (hints-fix31-version.test.ts). Before, `get()` and `invoke()` resolved the wrapper itself
// (`{ d: { CountBooks: 3 } }`) as the result, and so did a `$batch` part. The answer's headers
// decide, not the body: a v4 service's result that is an object with the one property `d` still
// reads, and so do the v4 results of the same calls. Against node:http services on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { clientRejection, sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

const V2 = { dataserviceversion: "2.0" };
const V4 = { "odata-version": "4.0" };
const V2_HINT = `; the answer is OData v2's (DataServiceVersion: 2.0, no OData-Version), which a client of OData 4.0 does not read: create the client with version: "2.0"`;
const CRLF = "\r\n";

/** What each path answers, by version: a primitive, an entity, a collection, an object whose one property is `d`. */
const BODIES: Record<string, { v2: unknown; v4: unknown }> = {
  "/odata/CountBooks()": { v2: { d: { CountBooks: 3 } }, v4: { "@odata.context": "$metadata#Edm.Int32", value: 3 } },
  "/odata/TopProduct()": {
    v2: { d: { __metadata: { uri: "Products(1)", type: "NS.Product" }, ID: 1, Name: "A" } },
    v4: { "@odata.context": "$metadata#Products/$entity", ID: 1, Name: "A" },
  },
  "/odata/Restock": {
    v2: { d: { __metadata: { uri: "Products(1)", type: "NS.Product" }, ID: 1, Stock: 9 } },
    v4: { "@odata.context": "$metadata#Products/$entity", ID: 1, Stock: 9 },
  },
  "/odata/TopProducts()": { v2: { d: { results: [{ ID: 1 }, { ID: 2 }] } }, v4: { "@odata.context": "$metadata#Products", value: [{ ID: 1 }, { ID: 2 }] } },
  "/odata/Letter()": { v2: { d: { Letter: "d" } }, v4: { "@odata.context": "$metadata#NS.Letter", d: 1 } },
};

/** One part of a multipart `$batch` answer: 200 with the JSON body and the version header. */
function part(body: unknown, headers: Record<string, string>): string {
  const own = Object.entries(headers).map(([name, value]) => `${name}: ${value}${CRLF}`).join("");
  return `--r${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${own}${CRLF}${JSON.stringify(body)}${CRLF}`;
}

/** A service of `version` answering every path of {@link BODIES}, and `$batch` with the same bodies in the order of its parts. */
function service(version: "v2" | "v4") {
  const headers = version === "v2" ? V2 : V4;
  return (request: RecordedRequest, res: ServerResponse): void => {
    const path = request.path.split("?")[0] ?? "";
    if (path === "/odata/$batch") {
      const asked = [...request.body.matchAll(/^(?:GET|POST) (\S+) HTTP\/1\.1$/gm)].map((match) => `/odata/${match[1]}`);
      const body = `${asked.map((sent) => part(BODIES[sent]?.[version], headers)).join("")}--r--${CRLF}`;
      res.writeHead(200, { "content-type": "multipart/mixed; boundary=r", ...headers });
      res.end(body);
      return;
    }
    // A v2 client calls a function import without the parentheses.
    const bodies = BODIES[path] ?? BODIES[`${path}()`];
    if (bodies) sendJson(res, 200, bodies[version], headers);
    else sendJson(res, 404, { error: { code: "404", message: "not found" } }, headers);
  };
}

const sent = (requests: RecordedRequest[]) => requests.map((request) => [request.method, request.path, request.body]);

test("a v4 client's function().get() and action().invoke() of a v2 service reject its {\"d\": …} as BAD_PAYLOAD naming version: \"2.0\"", async (t) => {
  const { server, client, root } = await serveClient(t, service("v2"));
  const calls: [string, () => Promise<unknown>, string, string][] = [
    ["a primitive", () => client.function<number>("CountBooks").get(), "GET", "CountBooks()"],
    ["an entity", () => client.function("TopProduct").get(), "GET", "TopProduct()"],
    ["a collection", () => client.function("TopProducts").get(), "GET", "TopProducts()"],
    ["an action's entity", () => client.action("Restock").invoke({ ID: 1 }), "POST", "Restock"],
  ];
  for (const [label, call, method, path] of calls) {
    const before = server.requests.length;
    const error = await clientRejection(call());
    assert.equal(error.code, "BAD_PAYLOAD", label);
    // An action that answered with success ran: its message says so first (test/action-unreadable-answer-ran.test.ts).
    const said = method === "POST" ? ` was answered 200 OK, so the service ran the action, but its answer could not be read: the body is` : " answered with";
    assert.equal(error.message, `${method} ${root}${path}${said} {"d": …}, not the operation's result${V2_HINT}`, label);
    // One request, as a v4 client sends it; nothing followed after the refusal.
    assert.deepEqual(sent(server.requests.slice(before)), [[method, `/odata/${path}`, method === "POST" ? '{"ID":1}' : ""]], label);
    assert.equal(server.requests[before]?.headers["odata-version"], method === "POST" ? "4.0" : undefined, label);
  }
});

test("a v4 client's $batch part calling a v2 function is unreadable with the same BAD_PAYLOAD, an action's as a function's", async (t) => {
  const { server, client } = await serveClient(t, service("v2"));
  const batch = client.batch();
  const count = batch.function<number>("CountBooks");
  const restock = batch.action("Restock", { ID: 1 });
  await batch.send();
  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.equal(request?.method, "POST");
  assert.equal(request?.path, "/odata/$batch");
  assert.deepEqual(request?.body.split(CRLF).filter((line) => /^(GET|POST) /.test(line)), ["GET CountBooks() HTTP/1.1", "POST Restock HTTP/1.1"]);
  // The action's success status says it ran (sent again, it would run twice); the function's, a read, says nothing.
  for (const [index, handle, line, ran] of [[1, count, "GET CountBooks()", ""], [2, restock, "POST Restock", "answered 200, so the service ran the action, but its answer could not be read: "]] as const) {
    const result = handle.result();
    assert.equal(result.ok, false);
    assert.ok("error" in result && result.error !== undefined);
    assert.equal(result.error.code, "BAD_PAYLOAD");
    assert.equal(result.error.message, `response to request ${index} (${line}): ${ran}the body is {"d": …}, not the operation's result${V2_HINT}`);
  }
});

test("a v4 client's pages() and stream() of a v2 collection-valued function: the page's BAD_PAYLOAD names version: \"2.0\" too", async (t) => {
  const { server, client, root } = await serveClient(t, service("v2"));
  const reads: [string, () => Promise<unknown>][] = [
    [
      "pages()",
      async () => {
        for await (const page of client.function("TopProducts").pages()) void page;
      },
    ],
    [
      "stream()",
      async () => {
        for await (const item of client.function("TopProducts").stream()) void item;
      },
    ],
  ];
  for (const [label, read] of reads) {
    const before = server.requests.length;
    const error = await clientRejection(read());
    assert.equal(error.code, "BAD_PAYLOAD", label);
    assert.equal(error.message, `GET ${root}TopProducts(): the collection body has no "value" member${V2_HINT}`, label);
    assert.deepEqual(sent(server.requests.slice(before)), [["GET", "/odata/TopProducts()", ""]], label);
  }
});

test("a v4 service's results still read, an object result whose one property is d among them; a v2 client still unwraps v2's", async (t) => {
  const v4 = await serveClient(t, service("v4"));
  assert.equal(await v4.client.function<number>("CountBooks").get(), 3);
  assert.deepEqual(await v4.client.function("TopProduct").get(), { ID: 1, Name: "A" });
  assert.deepEqual(await v4.client.function("TopProducts").get(), [{ ID: 1 }, { ID: 2 }]);
  assert.deepEqual(await v4.client.action("Restock").invoke({ ID: 1 }), { ID: 1, Stock: 9 });
  // The headers say v4: `{"d": 1}` is the result, not a wrapper.
  assert.deepEqual(await v4.client.function("Letter").get(), { d: 1 });
  const batch = v4.client.batch();
  const count = batch.function<number>("CountBooks");
  const letter = batch.function("Letter");
  await batch.send();
  const [counted, lettered] = [count.result(), letter.result()];
  assert.deepEqual([counted.ok && counted.value, lettered.ok && lettered.value], [3, { d: 1 }]);
  assert.deepEqual(
    sent(v4.server.requests).map(([method, path]) => `${method} ${path}`),
    ["GET /odata/CountBooks()", "GET /odata/TopProduct()", "GET /odata/TopProducts()", "POST /odata/Restock", "GET /odata/Letter()", "POST /odata/$batch"],
  );

  const v2 = await serveClient(t, service("v2"), { version: "2.0" });
  assert.equal(await v2.client.function<number>("CountBooks").get(), 3);
  assert.equal(await v2.client.function<string>("Letter").get(), "d");
  assert.deepEqual(
    sent(v2.server.requests).map(([method, path]) => `${method} ${path}`),
    ["GET /odata/CountBooks", "GET /odata/Letter"],
  );
});
