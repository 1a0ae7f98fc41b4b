/**
 * Operation calls over real HTTP (node:http on 127.0.0.1): the next link of a paged result that an
 * `...Async` poller gives, bound operations on queries whose options the call would drop, a null
 * result written as `@odata.null`, and `Prefer: odata.maxpagesize` on a function's first page.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import type { OperationPoller } from "../src/operations/results.js";
import { answerJson, sendJson, serveClient } from "./servers/recording-server.js";

describe("the next link of a paged result given by an ...Async poller", () => {
  test("getAsync(): nextLink() gives the link of the monitor's paged result, and pages({ from }) reads the rest from it", async (t) => {
    const first = { "@odata.context": "$metadata#Collection(NS.Book)", value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": "topBooks(n=3)?$skiptoken=2" };
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path === "/odata/topBooks(n=3)") {
        res.writeHead(202, { location: "monitor/1" });
        res.end();
      } else if (request.path === "/odata/monitor/1") {
        res.writeHead(200, { "content-type": "application/http" });
        res.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(first)}`);
      } else sendJson(res, 200, { value: [{ ID: 3 }] });
    });
    const call = client.function<{ ID: number }[]>("topBooks", { n: 3 });
    const poller = await call.getAsync({ pollInterval: 1 });
    assert.throws(() => poller.nextLink(), (error: unknown) => error instanceof ODataClientError && error.code === "ASYNC_OPERATION_PENDING");
    assert.deepEqual(await poller.wait(), [{ ID: 1 }, { ID: 2 }]);
    assert.equal(poller.nextLink(), "topBooks(n=3)?$skiptoken=2");
    // A poller resumed from the token gives the same link.
    const resumed = client.resumeAsync<{ ID: number }[]>(poller.toJSON()) as OperationPoller<{ ID: number }[]>;
    assert.equal(resumed.nextLink(), "topBooks(n=3)?$skiptoken=2");
    const rest: unknown[] = [];
    for await (const page of call.pages({ from: poller.nextLink() })) rest.push(...page.value);
    assert.deepEqual(rest, [{ ID: 3 }]);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"] ?? "-"}`),
      ["GET /odata/topBooks(n=3) respond-async", "GET /odata/monitor/1 -", "GET /odata/topBooks(n=3)?$skiptoken=2 -"],
    );
  });

  test("invokeAsync(): a result given at once keeps its v2 __next link too; a result that is not paged has none", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path.startsWith("/v2/pickBooks")) sendJson(res, 200, { d: { results: [{ ID: 1 }], __next: "http://elsewhere.example/v2/pickBooks?$skiptoken=1" } });
      else sendJson(res, 200, { value: [{ ID: 1 }] });
    });
    const whole = await client.action<{ ID: number }[]>("pickBooks").invokeAsync({});
    assert.deepEqual(whole.result(), [{ ID: 1 }]);
    assert.equal(whole.nextLink(), undefined);
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false });
    const v2Poller = await v2.action<{ ID: number }[]>("pickBooks").invokeAsync();
    assert.deepEqual(await v2Poller.wait(), [{ ID: 1 }]);
    // As sent: the link is the service's, checked against trustedOrigins only when followed.
    assert.equal(v2Poller.nextLink(), "http://elsewhere.example/v2/pickBooks?$skiptoken=1");
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"]}`),
      ["POST /odata/pickBooks respond-async", "POST /v2/pickBooks respond-async"],
    );
  });

  test("nextLink() of a failed operation throws that failure, as result() does", async (t) => {
    const { client } = await serveClient(t, (request, res) => {
      if (request.method === "POST") {
        res.writeHead(202, { location: "monitor/9" });
        res.end();
      } else sendJson(res, 200, { status: "Failed", error: { code: "X", message: "boom" } });
    });
    const poller = await client.action("pickBooks").invokeAsync({}, { pollInterval: 1 });
    await assert.rejects(poller.wait(), (error: unknown) => error instanceof ODataClientError && error.code === "ASYNC_OPERATION_FAILED");
    assert.throws(() => poller.nextLink(), (error: unknown) => error instanceof ODataClientError && error.code === "ASYNC_OPERATION_FAILED");
  });
});

describe("bound operations on queries whose options the call would drop", () => {
  test("select, orderBy, expand, count, compute, top, skip, search and filter are refused for functions and actions on sets, entities and navigations; nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: 1 }));
    const books = client.collection("Books");
    const cases: [string, () => unknown, RegExp][] = [
      ["set select", () => books.select("ID").function("NS.top", { n: 3 }), /^function\("NS\.top"\): the query's \$select would not be sent: an operation's own query options apply to its result$/],
      ["set select+orderBy", () => books.select("ID").orderBy("title", "desc").action("NS.a"), /^action\("NS\.a"\): the query's \$select, \$orderby would not be sent/],
      ["set expand", () => books.expand("author").function("NS.top"), /the query's \$expand would not be sent/],
      ["set count", () => books.count().function("NS.top"), /the query's \$count would not be sent/],
      ["set compute", () => books.compute("stock mul 2 as twice").action("NS.a"), /the query's \$compute would not be sent/],
      ["set top, skip", () => books.skip(5).top(3).function("NS.top"), /the query's \$skip, \$top would not be sent/],
      ["set search", () => books.search("austen").action("NS.a"), /the query's \$search would not be sent/],
      ["set filter", () => books.filter("stock gt 0").action("NS.discount"), /^action\("NS\.discount"\): the query's \$filter would not be sent/],
      ["entity select", () => books.key(1).select("ID").function("NS.f"), /^function\("NS\.f"\): the query's \$select would not be sent/],
      ["entity expand", () => books.key(1).expand("author").action("NS.a"), /^action\("NS\.a"\): the query's \$expand would not be sent/],
      ["navigation orderBy", () => books.key(1).navigate("reviews").orderBy("ID").function("NS.top"), /the query's \$orderby would not be sent/],
      ["single navigation select", () => books.key(1).navigateOne("author").select("name").action("NS.notify"), /the query's \$select would not be sent/],
    ];
    for (const [what, call, message] of cases) assert.throws(call, (error: unknown) => error instanceof TypeError && message.test(error.message), what);
    assert.equal(server.requests.length, 0);
  });

  test("what the call keeps goes as it went: the key, the navigation path, count(false) and custom options", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: 1 }));
    const books = client.collection("Books");
    assert.equal(await books.param("sap-client", "100").count(false).function<number>("NS.top", { n: 3 }).get(), 1);
    assert.equal(await books.key(1).navigate("reviews").key(7).param("sap-client", "100").action<number>("NS.flag").invoke(), 1);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/Books/NS.top(n=3)?sap-client=100", "POST /odata/Books(1)/reviews(7)/NS.flag?sap-client=100"],
    );
  });
});

describe("a null result written as @odata.null", () => {
  test("get() gives null for {@odata.context, @odata.null: true}, and a body with a property beside it stays that object", async (t) => {
    let body: unknown = { "@odata.context": "$metadata#Edm.String", "@odata.null": true };
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, body));
    assert.equal(await client.function<string | null>("nameOf", { id: 1 }).get(), null);
    body = { "@odata.context": "$metadata#NS.Pair", "@odata.null": true, Name: "x" };
    assert.deepEqual(await client.function("pairOf").get(), { "@odata.null": true, Name: "x" });
    // OData 4.01's form without the `odata.` prefix.
    body = { "@context": "$metadata#Edm.String", "@null": true };
    assert.equal(await client.function<string | null>("nameOf", { id: 2 }).get(), null);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /odata/nameOf(id=1)", "GET /odata/pairOf()", "GET /odata/nameOf(id=2)"],
    );
  });

  test("a poller's wait() gives null for a final answer {@odata.context, @odata.null: true}", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "POST") {
        res.writeHead(202, { location: "monitor/2" });
        res.end();
      } else sendJson(res, 200, { "@odata.context": "$metadata#Edm.String", "@odata.null": true });
    });
    const poller = await client.action<string | null>("rename").invokeAsync({ name: "x" }, { pollInterval: 1 });
    assert.equal(await poller.wait(), null);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.body}`),
      ['POST /odata/rename {"name":"x"}', "GET /odata/monitor/2 "],
    );
  });
});

describe("Prefer: odata.maxpagesize on a function's first page", () => {
  test("get() sends the client's maxPageSize on the first request as on the next page's; getAsync() with respond-async; an action and v2 none", async (t) => {
    const { server, client } = await serveClient(
      t,
      (request, res) => {
        if (request.path.startsWith("/v2/")) sendJson(res, 200, { d: { results: [] } });
        else if (request.path.includes("skiptoken")) sendJson(res, 200, { value: [{ ID: 2 }] });
        else if (request.method === "POST") sendJson(res, 200, { value: 1 });
        else sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "top(n=3)?$skiptoken=1" });
      },
      { maxPageSize: 50 },
    );
    assert.deepEqual(await client.function("top", { n: 3 }).get(), [{ ID: 1 }, { ID: 2 }]);
    const poller = await client.function("top", { n: 3 }).getAsync();
    assert.deepEqual(poller.result(), [{ ID: 1 }]);
    assert.equal(await client.action<number>("touch").invoke(), 1);
    const v2 = new ODataClient({ serviceUrl: server.url("v2/"), version: "2.0", retry: false, maxPageSize: 50 });
    assert.deepEqual(await v2.function("top").get(), []);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["prefer"] ?? "-"}`),
      [
        "GET /odata/top(n=3) odata.maxpagesize=50",
        "GET /odata/top(n=3)?$skiptoken=1 odata.maxpagesize=50",
        "GET /odata/top(n=3) odata.maxpagesize=50, respond-async",
        "POST /odata/touch -",
        "GET /v2/top -",
      ],
    );
  });
});
