/**
 * `countAll()` and `batch.count()` count what the query reads: `GET <set>/$count` carries the
 * query's `$apply` (the Data Aggregation extension evaluates it before `/$count` counts) and its
 * `$compute` (whose properties `$filter` may name) beside `$filter`, `$search` and custom options,
 * and leaves out what does not change the number. Against SAP CAP, which answers `$apply` on
 * `/$count`, and against node:http servers that check the URL.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";
import { onlyRequest, sendText, serveClient } from "./servers/recording-server.js";

const CRLF = "\r\n";

describe("against SAP CAP", () => {
  const cap = useCap();

  /** A v4 client whose GETs (outside `$batch`) and `$batch` bodies are kept as sent. */
  function capClient(): { client: ODataClient; gets: string[]; batches: string[] } {
    const gets: string[] = [];
    const batches: string[] = [];
    const recording: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith("/$batch")) batches.push(String(init?.body));
      else gets.push(url.slice(cap.v4.length));
      return fetch(input, init);
    };
    return { client: new ODataClient({ serviceUrl: cap.v4, fetch: recording, retry: false }), gets, batches };
  }

  test("countAll() of apply(filter(...)) sends the $apply and gives the number of rows the query reads, not of the whole set", async () => {
    const { client, gets } = capClient();
    const books = client.collection<Book>("Books");
    const whole = await books.countAll();
    const query = books.apply("filter(stock gt 10)");
    const read = (await query.select("ID").list()).length;
    assert.ok(read > 0 && read < whole, `${read} of ${whole}`);
    gets.length = 0;
    assert.equal(await query.countAll(), read);
    assert.deepEqual(gets, ["Books/$count?$apply=filter(stock%20gt%2010)"]);
  });

  test("countAll() of apply() and filter() together, and on a navigation path, counts the same rows list() reads", async () => {
    const { client, gets } = capClient();
    const both = client.collection<Book>("Books").apply("filter(stock gt 10)").filter("stock lt 20");
    const nav = client.collection("Authors").key("austen").navigate("books").apply("filter(stock gt 10)");
    const readBoth = (await both.list()).length;
    const readNav = (await nav.list()).length;
    assert.ok(readBoth > 0 && readNav > 0);
    gets.length = 0;
    assert.equal(await both.countAll(), readBoth);
    assert.equal(await nav.countAll(), readNav);
    assert.deepEqual(gets, [
      "Books/$count?$filter=stock%20lt%2020&$apply=filter(stock%20gt%2010)",
      "Authors('austen')/books/$count?$apply=filter(stock%20gt%2010)",
    ]);
  });

  test("countAll() of a compute() query sends the $compute, which CAP accepts on /$count", async () => {
    const { client, gets } = capClient();
    const books = client.collection<Book>("Books");
    const whole = (await books.list()).length;
    gets.length = 0;
    assert.equal(await books.compute("stock mul 2 as doubled").countAll(), whole);
    assert.deepEqual(gets, ["Books/$count?$compute=stock%20mul%202%20as%20doubled"]);
  });

  for (const format of ["multipart", "json"] as const) {
    test(`batch.count() of an apply() query (${format}): the part carries the $apply and its number is the rows the query reads`, async () => {
      const { client, batches } = capClient();
      const query = client.collection<Book>("Books").apply("filter(stock gt 10)");
      const read = (await query.list()).length;
      const batch = client.batch({ format });
      const counted = batch.count(query);
      await batch.send();
      const result = counted.result();
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.value, read);
      assert.equal(batches.length, 1);
      const sent = batches[0]!;
      if (format === "json") {
        const requests = (JSON.parse(sent) as { requests: { method: string; url: string }[] }).requests;
        assert.deepEqual(requests.map((r) => `${r.method} ${r.url}`), ["GET Books/$count?$apply=filter(stock%20gt%2010)"]);
      } else {
        assert.ok(sent.includes(`${CRLF}GET Books/$count?$apply=filter(stock%20gt%2010) HTTP/1.1${CRLF}`), sent);
      }
    });
  }
});

describe("on the wire (node:http)", () => {
  /** A query with every option: those that decide the rows, and those that do not change their number. */
  const everything = (client: ODataClient) =>
    client
      .collection("Books")
      .compute("stock mul 2 as doubled")
      .filter("doubled gt 20")
      .search("blue")
      .apply("filter(price lt 30)")
      .param("sap-client", "100")
      .select("ID", "doubled")
      .expand("author")
      .orderBy("title")
      .top(5)
      .skip(10)
      .count();

  const countedPath = "/svc/Books/$count?$filter=doubled%20gt%2020&$search=blue&$apply=filter(price%20lt%2030)&$compute=stock%20mul%202%20as%20doubled&sap-client=100";

  test("countAll() sends $filter, $search, $apply, $compute and custom options, not $select, $expand, $orderby, $top, $skip or $count, and gives the number answered", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, "7"), {}, "svc/");
    assert.equal(await everything(client).countAll(), 7);
    const sent = onlyRequest(server);
    assert.equal(sent.method, "GET");
    assert.equal(sent.path, countedPath);
  });

  test("countAll() of a query with only the options that do not change the number is a bare GET <set>/$count", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendText(res, 200, "42"), {}, "svc/");
    assert.equal(await client.collection("Books").select("ID").orderBy("ID").top(3).skip(1).count().countAll(), 42);
    assert.equal(onlyRequest(server).path, "/svc/Books/$count");
  });

  test("batch.count() (multipart) sends the same request line as countAll() and gives the part's number", async (t) => {
    const { server, client } = await serveClient(
      t,
      (_request, res: ServerResponse) => {
        const part = ["--r", "Content-Type: application/http", "Content-Transfer-Encoding: binary", "", "HTTP/1.1 200 OK", "Content-Type: text/plain", "", "7"].join(CRLF);
        const body = `${part}${CRLF}--r--${CRLF}`;
        res.writeHead(200, { "content-type": "multipart/mixed; boundary=r", "content-length": Buffer.byteLength(body) });
        res.end(body);
      },
      {},
      "svc/",
    );
    const batch = client.batch({ format: "multipart" });
    const counted = batch.count(everything(client));
    await batch.send();
    const sent = onlyRequest(server);
    // The part's sap-client goes on the $batch request too, in whose client SAP logs it on.
    assert.equal(sent.path, "/svc/$batch?sap-client=100");
    assert.ok(sent.body.includes(`${CRLF}GET ${countedPath.slice("/svc/".length)} HTTP/1.1${CRLF}`), sent.body);
    const result = counted.result();
    assert.ok(result.ok);
    assert.equal(result.value, 7);
  });

  test("batch.count() (JSON) sends the same URL as countAll() and gives the response's number", async (t) => {
    const { server, client } = await serveClient(
      t,
      (request, res: ServerResponse) => {
        const [only] = (JSON.parse(request.body) as { requests: { id: string }[] }).requests;
        const body = JSON.stringify({ responses: [{ id: only!.id, status: 200, headers: { "content-type": "text/plain" }, body: "7" }] });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      },
      {},
      "svc/",
    );
    const batch = client.batch({ format: "json" });
    const counted = batch.count(everything(client));
    await batch.send();
    const requests = (JSON.parse(onlyRequest(server).body) as { requests: { method: string; url: string }[] }).requests;
    assert.deepEqual(requests.map((r) => `${r.method} ${r.url}`), [`GET ${countedPath.slice("/svc/".length)}`]);
    const result = counted.result();
    assert.ok(result.ok);
    assert.equal(result.value, 7);
  });
});
