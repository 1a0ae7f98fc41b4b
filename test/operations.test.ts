/**
 * Actions and functions against plain node:http servers: what goes over the wire (method, URL with
 * its literals, headers, body) for OData v4 and v2 function imports, how every result shape is
 * unwrapped, errors, and the `...Async` twins.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError, ODataHttpError, edm, type AsyncPoller } from "../src/index.js";
import { buildOperationRequest } from "../src/operations/requests.js";
import { readOperationResult } from "../src/operations/results.js";
import { answerJson, onlyRequest, sendJson, serveClient, type Handler } from "./servers/recording-server.js";

function noContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

const HOSTILE = "a/b'c&d #?%+x=é日本\n)(,@e";

describe("OData v4 functions", () => {
  test("an unbound function is a GET of name(params) with literals inline, and {value} is unwrapped", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { "@odata.context": "$metadata#Edm.Int32", value: 9 }));
    const count = await client.function<number>("countBooks", { minStock: 30 }).get();
    assert.equal(count, 9);
    const request = onlyRequest(server);
    assert.equal(request.method, "GET");
    assert.equal(request.path, "/odata/countBooks(minStock=30)");
    assert.equal(request.headers["accept"], "application/json");
    // A function is a read: no version header, a CORS-simple request.
    assert.equal(request.headers["odata-maxversion"], undefined);
    assert.equal(request.headers["content-type"], undefined);
    assert.equal(request.body, "");
  });

  test("a hostile string parameter reaches the service as the same text inside one quoted literal", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      const decoded = decodeURIComponent(request.path);
      const match = /^\/odata\/echo\(text='((?:[^']|'')*)'\)$/s.exec(decoded);
      sendJson(res, 200, { value: match ? (match[1] as string).replaceAll("''", "'") : `no match: ${decoded}` });
    });
    const echoed = await client.function<string>("echo", { text: HOSTILE }).get();
    assert.equal(echoed, HOSTILE);
    const path = onlyRequest(server).path;
    // Nothing in the value can add a path segment, start the query or end the parameter list.
    assert.doesNotMatch(path.slice("/odata/".length), /[/?#]/);
  });

  test("typed parameters are written as v4 literals", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: "ok" }));
    await client
      .function("describeArgs", {
        i: 1,
        big: 9007199254740993n,
        dec: edm.decimal("1.10"),
        at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
        day: edm.date("2024-01-02"),
        id: edm.guid("01234567-89AB-cdef-0123-456789abcdef"),
        yes: true,
        none: null,
        skipped: undefined,
      })
      .get();
    assert.equal(
      decodeURIComponent(onlyRequest(server).path),
      "/odata/describeArgs(i=1,big=9007199254740993,dec=1.10,at=2024-01-02T03:04:05.000Z,day=2024-01-02,id=01234567-89ab-cdef-0123-456789abcdef,yes=true,none=null)",
    );
  });

  test("collection and complex parameters go as parameter aliases with JSON values", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { "@odata.context": "$metadata#Collection(Edm.String)", value: ["A", "B&C"] }));
    const upper = await client.function<string[]>("upper", { texts: ["a", "b&c"], filter: { min: 2, name: "x'y" } }).get();
    assert.deepEqual(upper, ["A", "B&C"]);
    const url = new URL(onlyRequest(server).path, "http://x");
    assert.equal(decodeURIComponent(url.pathname), "/odata/upper(texts=@texts,filter=@filter)");
    assert.deepEqual([...url.searchParams], [
      ["@texts", '["a","b&c"]'],
      ["@filter", '{"min":2,"name":"x\'y"}'],
    ]);
  });

  test("a function without parameters is called with empty parentheses", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: "2024-01-02" }));
    assert.equal(await client.function<string>("today").get(), "2024-01-02");
    assert.equal(onlyRequest(server).path, "/odata/today()");
  });

  test("an entity-bound function is addressed by its qualified name after the key", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { "@odata.context": "../$metadata#Edm.Decimal", value: 11.08 }));
    const books = client.collection("Books");
    assert.equal(await books.key(1).function<number>("CatalogService.discountedPrice", { percent: 10 }).get(), 11.08);
    assert.equal(await books.key(1).function<number>("discountedPrice", { percent: 10 }, { namespace: "CatalogService" }).get(), 11.08);
    assert.equal(await books.key(1).function<number>("discountedPrice", { percent: 10 }).get(), 11.08);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      [
        "/odata/Books(1)/CatalogService.discountedPrice(percent=10)",
        "/odata/Books(1)/CatalogService.discountedPrice(percent=10)",
        "/odata/Books(1)/discountedPrice(percent=10)",
      ],
    );
  });

  test("an operation bound to a navigation is addressed below the entity it navigates from, alone and in a $batch", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path.endsWith("/$batch")) {
        const body = `--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n--b--\r\n`;
        res.writeHead(200, { "content-type": "multipart/mixed; boundary=b", "content-length": Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      noContent(res);
    });
    const books = client.collection("Books");
    await books.key(1).navigate("reviews").function("NS.top", { n: 3 }).get();
    await books.key(1).navigate("reviews").key(7).action("NS.flag").invoke();
    await books.key(1).navigateOne("author").action("NS.notify").invoke();
    // A navigation named as an entity set is: the operation must not go to the whole set.
    await client.collection("Authors").key("x").navigate("Books").action("NS.purge").invoke();
    const batch = client.batch();
    batch.action("NS.notify", {}, { bound: books.key(1).navigateOne("author") });
    await batch.send();
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      [
        "GET /odata/Books(1)/reviews/NS.top(n=3)",
        "POST /odata/Books(1)/reviews(7)/NS.flag",
        "POST /odata/Books(1)/author/NS.notify",
        "POST /odata/Authors('x')/Books/NS.purge",
        "POST /odata/$batch",
      ],
    );
    assert.match(String(server.requests[4]?.body), /\r\nPOST Books\(1\)\/author\/NS\.notify HTTP\/1\.1\r\n/);
  });

  test("an operation bound to a collection query that filter(), search(), top(), skip() or apply() narrows is refused: it would run on the whole set", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: 1 }));
    const books = client.collection("Books");
    const cases: [string, () => unknown, RegExp][] = [
      ["filter", () => books.filter("stock gt 0").action("NS.discount"), /^action\("NS\.discount"\): the query's \$filter would not be sent: an operation's own query options apply to its result$/],
      ["top", () => books.top(5).function("NS.top", { n: 1 }), /^function\("NS\.top"\): the query's \$top would not be sent/],
      ["skip", () => books.skip(5).action("NS.a"), /the query's \$skip would not be sent/],
      ["search", () => books.search("austen").action("NS.a"), /the query's \$search would not be sent/],
      ["apply", () => books.apply("filter(stock gt 0)").action("NS.a"), /the query's \$apply would not be sent/],
      ["$batch bound", () => client.batch().action("NS.discount", {}, { bound: books.filter("stock gt 0") }), /^action\("NS\.discount"\) option "bound": the query's \$filter would not be sent: an operation's own query options apply to its result$/],
    ];
    for (const [what, call, message] of cases) assert.throws(call, (error: unknown) => error instanceof TypeError && message.test(error.message), what);
    // The options that do not narrow the set are refused too (test/ops-fix-operations.test.ts):
    // select() and orderBy() would not be sent either. The whole set, unnarrowed, goes.
    assert.throws(() => books.select("ID").orderBy("ID").function("NS.count"), /the query's \$select, \$orderby would not be sent/);
    await books.function("NS.count").get();
    assert.equal(onlyRequest(server).path, "/odata/Books/NS.count()");
  });

  test("a custom query option named as a function's parameter alias is refused, naming both", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: 1 }));
    // Refused where the call is made, as every wrong argument of function() is.
    assert.throws(
      () => client.collection("Books").param("@o", "1").function("NS.f", { o: { a: 1 } }),
      (error: unknown) => error instanceof TypeError && error.message === 'function("NS.f"): param("@o") is the alias of the parameter o',
    );
    assert.equal(server.requests.length, 0);
    // Another alias name is fine.
    await client.collection("Books").param("@other", "1").function("NS.f", { o: { a: 1 } }).get();
    assert.equal(decodeURIComponent(onlyRequest(server).path), '/odata/Books/NS.f(o=@o)?@o={"a":1}&@other=1');
  });

  test("a collection-bound function returning entities gives the array, annotations kept", async (t) => {
    const rows = [
      { "@odata.etag": 'W/"1"', ID: 4, stock: 48 },
      { "@odata.etag": 'W/"2"', ID: 7, stock: 44 },
    ];
    const { server, client } = await serveClient(t, answerJson(200, { "@odata.context": "../$metadata#Books", value: rows }));
    const top = await client.collection("Books").function<{ ID: number; stock: number }[]>("CatalogService.topStocked", { n: 2 }).get();
    assert.deepEqual(top, rows);
    assert.equal(onlyRequest(server).path, "/odata/Books/CatalogService.topStocked(n=2)");
  });

  test("a paged collection result is read to its end by get(), following the next links", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (!request.path.includes("skiptoken")) {
        sendJson(res, 200, { value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": "booksWithStock(minStock=0)?$skiptoken=2" });
      } else sendJson(res, 200, { value: [{ ID: 3 }] });
    });
    const books = await client.function<{ ID: number }[]>("booksWithStock", { minStock: 0 }).get();
    assert.deepEqual(books, [{ ID: 1 }, { ID: 2 }, { ID: 3 }]);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ["/odata/booksWithStock(minStock=0)", "/odata/booksWithStock(minStock=0)?$skiptoken=2"],
    );
  });

  test("an action's paged collection result is read to its end by invoke(); a $batch part and an invokeAsync or getAsync poller give the one answer, its first page", async (t) => {
    const first = { value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": "pickBooks?$skiptoken=2" };
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path.endsWith("$batch")) {
        const part = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(first)}`;
        res.writeHead(200, { "content-type": "multipart/mixed; boundary=b0" });
        res.end(`--b0\r\nContent-Type: application/http\r\n\r\n${part}\r\n--b0--\r\n`);
      } else if (request.path.includes("skiptoken")) sendJson(res, 200, { value: [{ ID: 3 }] });
      else sendJson(res, 200, first);
    });
    assert.deepEqual(await client.action<{ ID: number }[]>("pickBooks").invoke({}), [{ ID: 1 }, { ID: 2 }, { ID: 3 }]);
    const batch = client.batch();
    const picked = batch.action<{ ID: number }[]>("pickBooks", {});
    await batch.send();
    const result = picked.result();
    assert.ok(result.ok);
    assert.deepEqual(result.value, first.value);
    assert.deepEqual(await (await client.action<{ ID: number }[]>("pickBooks").invokeAsync({})).wait(), first.value);
    assert.deepEqual(await (await client.function<{ ID: number }[]>("listBooks").getAsync()).wait(), first.value);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["POST /odata/pickBooks", "GET /odata/pickBooks?$skiptoken=2", "POST /odata/$batch", "POST /odata/pickBooks", "GET /odata/listBooks()"],
    );
  });

  test("stream() reads a collection-valued function item by item across pages", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (!request.path.includes("skiptoken")) sendJson(res, 200, { value: ["a", "b"], "@odata.nextLink": "names()?$skiptoken=2" });
      else sendJson(res, 200, { value: ["c"] });
    });
    const names: string[] = [];
    for await (const name of client.function<string[]>("names").stream()) names.push(name);
    assert.deepEqual(names, ["a", "b", "c"]);
    assert.equal(server.requests.length, 2);
  });

  test("an entity result comes back as the entity, its @odata.etag included and the response's @odata.context not", async (t) => {
    const entity = { "@odata.context": "$metadata#Books/$entity", "@odata.etag": 'W/"x"', ID: 1, title: "Emma" };
    const { client } = await serveClient(t, answerJson(200, entity));
    assert.deepEqual(await client.function("bookById", { id: 1 }).get(), { "@odata.etag": 'W/"x"', ID: 1, title: "Emma" });
  });

  test("a result in a format of its own is given as its text; an HTML page is BAD_PAYLOAD naming the request", async (t) => {
    const answers: [string, string][] = [
      ["text/csv; charset=utf-8", "ID,title\n1,Dune\n"],
      ["text/plain", "42"],
      ["text/html; charset=utf-8", "<!DOCTYPE html><html><body><form action=/login></form></body></html>"],
    ];
    const { server, client } = await serveClient(t, (_request, res) => {
      const [contentType, body] = answers[server.requests.length - 1]!;
      res.writeHead(200, { "content-type": contentType });
      res.end(body);
    });
    assert.equal(await client.function<string>("exportBooks").get(), "ID,title\n1,Dune\n");
    assert.equal(await client.function<string>("answer").get(), "42");
    await assert.rejects(client.function("report").get(), (error: unknown) => {
      assert.ok(error instanceof ODataClientError);
      assert.equal(error.code, "BAD_PAYLOAD");
      assert.equal(error.message, `GET ${server.url("odata/report()")} answered with an HTML page (text/html; charset=utf-8), not the operation's result`);
      return true;
    });
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.path}`),
      ["GET /odata/exportBooks()", "GET /odata/answer()", "GET /odata/report()"],
    );
  });

  test("url() gives the request URL and sends nothing; custom query options of the query come along", async (t) => {
    const { server, client, root } = await serveClient(t, answerJson(200, { value: 1 }));
    const call = client.collection("Books").param("sap-client", "100").key("O'Brien").function("rank", { by: "a b" });
    assert.equal(call.url(), `${root}Books('O''Brien')/rank(by='a%20b')?sap-client=100`);
    assert.equal(server.requests.length, 0);
  });

  test("a function GET is retried after 503 like any read", async (t) => {
    let calls = 0;
    const { server, client } = await serveClient(
      t,
      (_r, res) => (++calls === 1 ? sendJson(res, 503, { error: { code: "busy", message: "busy" } }, { "retry-after": "0" }) : sendJson(res, 200, { value: 3 })),
      { retry: { retries: 2, delay: 1 } },
    );
    assert.equal(await client.function<number>("countBooks", { minStock: 1 }).get(), 3);
    assert.equal(server.requests.length, 2);
  });
});

describe("OData v4 actions", () => {
  test("an unbound action is a POST with the parameters as a JSON body; a complex result is the object", async (t) => {
    const result = { "@odata.context": "$metadata#CatalogService.return_CatalogService_submitOrder", stock: 5 };
    const { server, client } = await serveClient(t, answerJson(200, result));
    const done = await client.action<{ stock: number }>("submitOrder").invoke({ book: 21, quantity: 2 });
    assert.deepEqual(done, { stock: 5 });
    const request = onlyRequest(server);
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/odata/submitOrder");
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.headers["accept"], "application/json");
    assert.equal(request.headers["if-match"], undefined);
    assert.deepEqual(JSON.parse(request.body), { book: 21, quantity: 2 });
  });

  test("action parameters are written as JSON: bigint, Date, edm values, bytes, nested structures", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => noContent(res));
    await client.action("import").invoke({
      safe: 12n,
      huge: 9007199254740993n,
      price: edm.decimal("1.10"),
      at: new Date(Date.UTC(2024, 0, 2)),
      bytes: new Uint8Array([251, 255]),
      text: HOSTILE,
      lines: [{ id: 1, tags: ["x"] }],
      skipped: undefined,
    });
    assert.equal(
      onlyRequest(server).body,
      `{"safe":12,"huge":"9007199254740993","price":1.1,"at":"2024-01-02T00:00:00.000Z","bytes":"-_8=","text":${JSON.stringify(HOSTILE)},"lines":[{"id":1,"tags":["x"]}]}`,
    );
  });

  test("action parameters are sent as given: an entity reference and the annotations of an entity read go as written", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => noContent(res));
    const read = { "@odata.etag": 'W/"1"', "@odata.id": "Books(1)", ID: 1, title: "Emma" };
    await client.action("save").invoke({ target: { "@odata.id": "Books(2)" }, book: read });
    assert.deepEqual(JSON.parse(onlyRequest(server).body), { target: { "@odata.id": "Books(2)" }, book: read });
  });

  test("decimal parameters with an exponent go as the JSON number of the same value; NaN and INF as strings", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => noContent(res));
    await client.action("import").invoke({
      big: edm.decimal("1e5"),
      small: edm.decimal("2.5E-3"),
      scaled: edm.decimal("1.50e1"),
      many: edm.decimal("1.00000000000000000001e1"),
      none: edm.decimal("NaN"),
      most: edm.decimal("-INF"),
    });
    assert.equal(onlyRequest(server).body, '{"big":100000,"small":0.0025,"scaled":15,"many":"1.00000000000000000001e1","none":"NaN","most":"-INF"}');
  });

  test("a bound action goes to Set(key)/Name with the ETag as If-Match", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { stock: 36 }));
    const done = await client.collection("Books").key(20).action<{ stock: number }>("CatalogService.order").invoke({ quantity: 1 }, { etag: 'W/"2024"' });
    assert.deepEqual(done, { stock: 36 });
    const request = onlyRequest(server);
    assert.equal(request.path, "/odata/Books(20)/CatalogService.order");
    assert.equal(request.headers["if-match"], 'W/"2024"');
    assert.deepEqual(JSON.parse(request.body), { quantity: 1 });
  });

  test("If-Match comes from ifMatch, else etag as text or as the entity read earlier (v4 and v2 forms)", async (t) => {
    const { server, client } = await serveClient(t, (_r, res) => noContent(res));
    const order = client.collection("Books").key(1).action("CatalogService.order");
    await order.invoke({}, { etag: { "@odata.etag": 'W/"v4"', ID: 1 } });
    await order.invoke({}, { etag: { __metadata: { etag: 'W/"v2"' } } });
    await order.invoke({}, { etag: 'W/"text"', ifMatch: "*" });
    await order.invoke({});
    assert.deepEqual(
      server.requests.map((r) => r.headers["if-match"]),
      ['W/"v4"', 'W/"v2"', "*", undefined],
    );
    await assert.rejects(order.invoke({}, { etag: { ID: 1 } }), TypeError);
    assert.equal(server.requests.length, 4);
  });

  test("a collection-bound action with the namespace option; no parameters send {}", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: 3 }] }));
    const low = await client.collection("Books").action<{ ID: number }[]>("lowStock", { namespace: "CatalogService" }).invoke(undefined, { etag: "*" });
    assert.deepEqual(low, [{ ID: 3 }]);
    const request = onlyRequest(server);
    assert.equal(request.path, "/odata/Books/CatalogService.lowStock");
    assert.equal(request.body, "{}");
    assert.equal(request.headers["if-match"], "*");
  });

  test("204 No Content resolves with undefined", async (t) => {
    const { client } = await serveClient(t, (_r, res) => noContent(res));
    assert.equal(await client.action("ping").invoke(), undefined);
  });

  test("a 4xx rejects with ODataHttpError carrying the parsed v4 error", async (t) => {
    const { client } = await serveClient(t, answerJson(409, { error: { code: "409", message: "Only 3 left of book 21", target: "quantity" } }));
    const error = await client
      .action("submitOrder")
      .invoke({ book: 21, quantity: 100 })
      .then(() => assert.fail("resolved"), (e: unknown) => e);
    assert.ok(error instanceof ODataHttpError);
    assert.equal(error.status, 409);
    assert.equal(error.method, "POST");
    assert.deepEqual(error.odataError, { code: "409", message: "Only 3 left of book 21", target: "quantity" });
  });

  test("an action is not retried after 503 (it may have run)", async (t) => {
    const { server, client } = await serveClient(t, answerJson(503, { error: { code: "busy", message: "busy" } }, { "retry-after": "0" }), {
      retry: { retries: 3, delay: 1 },
    });
    await assert.rejects(client.action("submitOrder").invoke({ book: 1 }), (e: unknown) => e instanceof ODataHttpError && e.status === 503);
    assert.equal(server.requests.length, 1);
  });

  test("an aborted signal rejects with its reason and sends nothing", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: 1 }));
    const reason = new Error("stop");
    await assert.rejects(client.action("submitOrder").invoke({}, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assert.rejects(client.function("countBooks").get({ signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.equal(server.requests.length, 0);
  });

  test("a bad name or parameter throws TypeError where it is written, before anything is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, {}));
    assert.throws(() => client.action("submit/Order"), TypeError);
    assert.throws(() => client.function("count(x)"), TypeError);
    assert.throws(() => client.function("f", { "a b": 1 }), TypeError);
    assert.throws(() => client.function("f", { x: () => 1 }), TypeError);
    assert.throws(() => client.collection("Books").key(1).action("order", { namespace: "Bad Space" }), TypeError);
    await assert.rejects(client.action("a").invoke({}, { etag: "x\r\nInjected: 1" }), TypeError);
    assert.equal(server.requests.length, 0);
  });
});

describe("OData v2 function imports", () => {
  const v2 = { version: "2.0" } as const;

  test("a function import is a GET with v2 literals as query options; the name wrapper is unwrapped", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { countBooks: 9 } }), v2);
    assert.equal(await client.function<number>("countBooks", { minStock: 30 }).get(), 9);
    const request = onlyRequest(server);
    assert.equal(request.method, "GET");
    assert.equal(request.path, "/odata/countBooks?minStock=30");
    assert.equal(request.headers["maxdataserviceversion"], undefined);
    assert.equal(request.headers["odata-maxversion"], undefined);
  });

  test("v2 literal forms: strings quoted, Int64 L, Decimal M, datetime, guid", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { describeArgs: "ok" } }), v2);
    await client
      .function("describeArgs", {
        s: HOSTILE,
        big: 9007199254740993n,
        dec: edm.decimal("1.5"),
        day: edm.date("2024-01-02"),
        id: edm.guid("01234567-89ab-cdef-0123-456789abcdef"),
      })
      .get();
    const url = new URL(onlyRequest(server).path, "http://x");
    assert.equal(url.pathname, "/odata/describeArgs");
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      s: `'${HOSTILE.replaceAll("'", "''")}'`,
      big: "9007199254740993L",
      dec: "1.5M",
      day: "datetime'2024-01-02T00:00:00'",
      id: "guid'01234567-89ab-cdef-0123-456789abcdef'",
    });
  });

  test("a v2 collection result in results is the array, entities read like v4 ones", async (t) => {
    const { client } = await serveClient(
      t,
      answerJson(200, {
        d: {
          results: [
            {
              __metadata: { uri: "Books(1)", type: "CatalogService.Books" },
              ID: 1,
              createdAt: "/Date(1707645660000+0000)/",
              author: { __deferred: { uri: "Books(1)/author" } },
            },
          ],
        },
      }),
      v2,
    );
    const books = await client.function<Record<string, unknown>[]>("booksWithStock", { minStock: 0 }).get();
    assert.deepEqual(books, [{ __metadata: { uri: "Books(1)", type: "CatalogService.Books" }, ID: 1, createdAt: "2024-02-11T10:01:00Z" }]);
  });

  test("a v2 complex result inside the name wrapper, and a date primitive as ISO text", async (t) => {
    const { client } = await serveClient(
      t,
      (request, res) =>
        request.path.startsWith("/odata/stockOf")
          ? sendJson(res, 200, { d: { stockOf: { __metadata: { type: "T" }, ID: 1, stock: 36 } } })
          : sendJson(res, 200, { d: { lastChange: "/Date(1707645660000)/" } }),
      v2,
    );
    assert.deepEqual(await client.function("stockOf", { id: 1 }).get(), { __metadata: { type: "T" }, ID: 1, stock: 36 });
    assert.equal(await client.function("lastChange").get(), "2024-02-11T10:01:00Z");
  });

  test("a v2 entity result is the entity from d", async (t) => {
    const { client } = await serveClient(t, answerJson(200, { d: { __metadata: { uri: "Books(1)", etag: 'W/"x"' }, ID: 1, title: "Emma" } }), v2);
    assert.deepEqual(await client.function("bookById", { id: 1 }).get(), { __metadata: { uri: "Books(1)", etag: 'W/"x"' }, ID: 1, title: "Emma" });
  });

  test("a paged v2 collection result follows __next", async (t) => {
    const { server, client } = await serveClient(
      t,
      (request, res) =>
        request.path.includes("skiptoken")
          ? sendJson(res, 200, { d: { results: [{ ID: 2 }] } })
          : sendJson(res, 200, { d: { results: [{ ID: 1 }], __next: "booksWithStock?minStock=0&$skiptoken=1" } }),
      v2,
    );
    assert.deepEqual(await client.function("booksWithStock", { minStock: 0 }).get(), [{ ID: 1 }, { ID: 2 }]);
    assert.equal(server.requests.length, 2);
  });

  test("a v2 action import is a POST with the parameters in the query and a Content-Type, no body", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { submitOrder: { stock: 4 } } }), v2);
    assert.deepEqual(await client.action("submitOrder").invoke({ book: 22, quantity: 1 }), { stock: 4 });
    const request = onlyRequest(server);
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/odata/submitOrder?book=22&quantity=1");
    assert.equal(request.headers["content-type"], "application/json");
    assert.equal(request.body, "");
  });

  test("a v2 service operation declared with PUT, MERGE or DELETE is sent with that method, its parameters in the query; POST stays the default", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => (request.method === "DELETE" ? noContent(res) : sendJson(res, 200, { d: { ResetLimit: "12.50" } })), v2);
    assert.equal(await client.action<string>("ResetLimit", { method: "PUT" }).invoke({ CustomerID: "C'1", OrderID: 42n }), "12.50");
    assert.equal(await client.action<string>("ResetLimit", { method: "MERGE" }).invoke({ CustomerID: "C2" }), "12.50");
    assert.equal(await client.action("ClearDrafts", { method: "DELETE" }).invoke(), undefined);
    assert.equal(await client.action<string>("ResetLimit", { method: "POST" }).invoke(), "12.50");
    assert.equal(await client.action<string>("ResetLimit").invoke(), "12.50");
    assert.deepEqual(
      server.requests.map((r) => [r.method, decodeURIComponent(r.path), r.headers["content-type"], r.body]),
      [
        ["PUT", "/odata/ResetLimit?CustomerID='C''1'&OrderID=42L", "application/json", ""],
        ["MERGE", "/odata/ResetLimit?CustomerID='C2'", "application/json", ""],
        ["DELETE", "/odata/ClearDrafts", "application/json", ""],
        ["POST", "/odata/ResetLimit", "application/json", ""],
        ["POST", "/odata/ResetLimit", "application/json", ""],
      ],
    );
    assert.equal(client.action("ResetLimit", { method: "PUT" }).url({ OrderID: 7n }), `${server.url("odata/")}ResetLimit?OrderID=7L`);
  });

  test("a service operation declared with PUT or DELETE is not sent again after a 503, as no action is", async (t) => {
    const { server, client } = await serveClient(t, answerJson(503, { error: { code: "busy", message: { lang: "en", value: "try later" } } }, { "retry-after": "0" }), { ...v2, retry: { retries: 2, delay: 1 } });
    for (const method of ["PUT", "DELETE"] as const) {
      await assert.rejects(client.action("ResetLimit", { method }).invoke(), (e: unknown) => e instanceof ODataHttpError && e.status === 503);
    }
    assert.deepEqual(server.requests.map((r) => r.method), ["PUT", "DELETE"]);
  });

  test("another method than a service operation's is refused, and so is any but POST on OData v4 and any on a function", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, {}), v2);
    assert.throws(
      () => client.action("ResetLimit", { method: "PATCH" as "PUT" }),
      (e: unknown) => e instanceof TypeError && e.message === 'action("ResetLimit"): option "method" is the string "PATCH", not POST, PUT, MERGE, DELETE',
    );
    const v4 = new ODataClient({ serviceUrl: server.url("v4/") });
    assert.throws(
      () => v4.action("reset", { method: "PUT" }),
      (e: unknown) => e instanceof TypeError && e.message === 'action("reset"): option "method" is the string "PUT", not POST',
    );
    assert.equal(v4.action("reset", { method: "POST" }).url(), `${server.url("v4/")}reset`);
    assert.throws(() => client.batch().function("countBooks", {}, { method: "PUT" }), (e: unknown) => e instanceof TypeError && e.message === 'function("countBooks"): option "method" is the string "PUT", not GET');
    assert.equal(server.requests.length, 0);
  });

  test("a v2 service operation declared with PUT is sent so as a $batch part", async (t) => {
    const boundary = "batchresponse_1";
    const { server, client } = await serveClient(
      t,
      (_request, res) => {
        res.writeHead(202, { "content-type": `multipart/mixed; boundary=${boundary}` });
        res.end(`--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"d":{"ResetLimit":"3.00"}}\r\n--${boundary}--\r\n`);
      },
      v2,
    );
    const batch = client.batch();
    const reset = batch.action<string>("ResetLimit", { OrderID: 9n }, { method: "PUT" });
    await batch.send();
    const result = reset.result();
    assert.ok(result.ok, "the part succeeded");
    assert.deepEqual([result.status, result.value], [200, "3.00"]);
    assert.match(onlyRequest(server).body, /^PUT ResetLimit\?OrderID=9L HTTP\/1\.1\r$/m);
  });

  test("a v2 error rejects with the parsed v2 error", async (t) => {
    const { client } = await serveClient(t, answerJson(400, { error: { code: "400", message: { lang: "en", value: "quantity must be a positive integer" } } }), v2);
    await assert.rejects(
      client.action("submitOrder").invoke({ book: 22 }),
      (e: unknown) => e instanceof ODataHttpError && e.status === 400 && e.odataError?.message === "quantity must be a positive integer",
    );
  });

  test("bound operations and structured parameters do not exist in v2", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, {}), v2);
    assert.throws(() => client.collection("Books").key(1).function("discountedPrice", { percent: 10 }), (e: unknown) => e instanceof ODataClientError && e.code === "UNSUPPORTED_BY_VERSION");
    assert.throws(() => client.collection("Books").action("lowStock"), (e: unknown) => e instanceof ODataClientError && e.code === "UNSUPPORTED_BY_VERSION");
    assert.throws(() => client.function("upper", { texts: ["a"] }), TypeError);
    assert.equal(server.requests.length, 0);
  });
});

describe("...Async twins", () => {
  /** A service that answers the initial request 202 with a monitor, and the monitor with `final`. */
  function monitorService(final: (res: ServerResponse) => void): Handler {
    return (request, res) => {
      if (request.path.startsWith("/monitor")) return final(res);
      res.writeHead(202, { location: "/monitor/1", "retry-after": "0", "content-length": "0" });
      res.end();
    };
  }

  test("invoke() and get() answered 202 with a monitor, unasked, reject with ASYNC_OPERATION_PENDING naming the monitor, where they resolved undefined as if done; a poller of that monitor gives the result", async (t) => {
    const { server, client } = await serveClient(t, monitorService((res) => sendJson(res, 200, { "@odata.context": "$metadata#Edm.Int32", value: 9 })));
    for (const [what, call, request] of [
      ["invoke()", () => client.action("copy").invoke({}), "POST /odata/copy"],
      ["get()", () => client.function("report").get(), "GET /odata/report()"],
    ] as const) {
      const error = await call().then(
        (value: unknown) => assert.fail(`${what} resolved with ${String(value)}`),
        (failure: unknown) => failure,
      );
      assert.ok(error instanceof ODataClientError && error.code === "ASYNC_OPERATION_PENDING", String(error));
      assert.match(error.message, new RegExp(`^${request.split(" ")[0]} .*was answered 202 Accepted: the operation runs at the service; follow it with client\\.asyncPoller\\(\\) on its status monitor.*The monitor: ${server.url("monitor/1")}$`));
      assert.equal(server.requests.at(-1)?.method + " " + server.requests.at(-1)?.path, request, "the monitor was not polled");
    }
    assert.equal(await client.asyncPoller<{ value: number }>(server.url("monitor/1")).wait().then((result) => result.value), 9);
  });

  test("invoke() answered 202 without a Location resolves undefined, as a 204: the operation was accepted and nothing is to be followed (a rejection would invite sending it again)", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => {
      res.writeHead(202, { "content-length": "0" });
      res.end();
    });
    assert.equal(await client.action("notify").invoke({}), undefined);
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.path}`), ["POST /odata/notify"]);
  });

  test("invokeAsync sends Prefer: respond-async and the poller's result is unwrapped as invoke() unwraps it", async (t) => {
    const inner = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"@odata.context":"$metadata#Edm.Int32","value":9}';
    const { server, client } = await serveClient(
      t,
      monitorService((res) => {
        res.writeHead(200, { "content-type": "application/http" });
        res.end(inner);
      }),
    );
    const poller = await client.collection("Books").key(20).action<number>("CatalogService.order").invokeAsync({ quantity: 1 }, { etag: "*", pollInterval: 1 });
    assert.equal(poller.isDone(), false);
    assert.equal(await poller.wait(), 9);
    assert.equal(poller.result(), 9);
    const [initial, poll] = server.requests;
    assert.equal(initial?.method, "POST");
    assert.equal(initial?.path, "/odata/Books(20)/CatalogService.order");
    assert.equal(initial?.headers["prefer"], "respond-async");
    assert.equal(initial?.headers["if-match"], "*");
    assert.equal(initial?.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(initial?.body ?? ""), { quantity: 1 });
    assert.equal(poll?.method, "GET");
    assert.equal(poll?.path, "/monitor/1");
  });

  test("getAsync against a 4.01 monitor (AsyncResult) gives the unwrapped collection", async (t) => {
    const { server, client } = await serveClient(
      t,
      monitorService((res) => sendJson(res, 200, { value: ["A", "B"] }, { asyncresult: "200" })),
    );
    const poller = await client.function<string[]>("upper", { texts: ["a", "b"] }).getAsync({ pollInterval: 1 });
    assert.deepEqual(await poller.wait(), ["A", "B"]);
    const initial = server.requests[0];
    assert.equal(initial?.method, "GET");
    assert.match(initial?.path ?? "", /^\/odata\/upper\(texts=@texts\)\?@texts=/);
    assert.equal(initial?.headers["prefer"], "respond-async");
  });

  test("a service that answers synchronously gives a finished poller with the unwrapped result", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { "@odata.context": "$metadata#Edm.Int32", value: 9 }));
    const poller = await client.function<number>("countBooks", { minStock: 30 }).getAsync();
    assert.equal(poller.isDone(), true);
    assert.equal(poller.status(), "Succeeded");
    assert.equal(poller.result(), 9);
    assert.equal(await poller.poll(), false);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.headers["prefer"], "respond-async");
  });

  test("a synchronous v2 answer is unwrapped from d and the name wrapper", async (t) => {
    const { client } = await serveClient(t, answerJson(200, { d: { submitOrder: { stock: 4 } } }), { version: "2.0" });
    const poller = await client.action<{ stock: number }>("submitOrder").invokeAsync({ book: 1, quantity: 1 });
    assert.deepEqual(poller.result(), { stock: 4 });
  });

  test("a synchronous 204 gives a finished poller whose result is undefined", async (t) => {
    const { client } = await serveClient(t, (_r, res) => noContent(res));
    const poller = await client.action("ping").invokeAsync();
    assert.equal(poller.isDone(), true);
    assert.equal(poller.result(), undefined);
  });

  test("a 4xx initial answer rejects with ODataHttpError and no poller", async (t) => {
    const { client } = await serveClient(t, answerJson(428, { error: { code: "428", message: "Precondition Required" } }));
    await assert.rejects(
      client.collection("Books").key(20).action("CatalogService.order").invokeAsync({ quantity: 1 }),
      (e: unknown) => e instanceof ODataHttpError && e.status === 428 && e.odataError?.message === "Precondition Required",
    );
  });

  test("the poller's result type is the operation's type (checked by the compiler)", async (t) => {
    const { client } = await serveClient(t, answerJson(200, { stock: 1 }));
    const poller: AsyncPoller<{ stock: number }> = await client.action<{ stock: number }>("submitOrder").invokeAsync({});
    const count: Promise<AsyncPoller<number>> = client.function<number>("countBooks").getAsync();
    await count.catch(() => undefined);
    assert.equal(poller.result().stock, 1);
  });
});

describe("pure building and reading", () => {
  test("buildOperationRequest gives the relative path a $batch part carries", () => {
    const root = new URL("https://host/svc/");
    const request = buildOperationRequest(root, "4.0", {
      kind: "action",
      name: "order",
      namespace: "CatalogService",
      binding: { entitySet: "Books", keyPredicate: "(1)" },
      parameters: { quantity: 2 },
      etag: "*",
    }, false);
    assert.deepEqual(
      { method: request.method, path: request.path, url: request.url.href, headers: request.headers, body: request.body },
      {
        method: "POST",
        path: "Books(1)/CatalogService.order",
        url: "https://host/svc/Books(1)/CatalogService.order",
        headers: { accept: "application/json", "odata-version": "4.0", "odata-maxversion": "4.0", "content-type": "application/json", "if-match": "*" },
        body: '{"quantity":2}',
      },
    );
  });

  test("readOperationResult keeps an object with a property besides value as it is", () => {
    assert.deepEqual(readOperationResult({ value: 1, other: 2 }, "4.0", "f"), { value: { value: 1, other: 2 } });
    assert.deepEqual(readOperationResult({ value: [1], "@odata.nextLink": "n" }, "4.01", "f"), { value: [1], nextLink: "n" });
    assert.deepEqual(readOperationResult(undefined, "4.0", "f"), { value: undefined });
    assert.deepEqual(readOperationResult({ d: { countBooks: 9 } }, "2.0", "NS.countBooks"), { value: 9 });
  });
});
