// A delta's failures are said as the same failures of a page read are: the error names the request
// whose answer it is, and a sign-in or proxy page answering in the service's place is said to be an
// HTML page, not quoted through the JSON parser's message. Against node:http servers.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

async function failureOf(iterable: AsyncIterable<unknown>): Promise<ODataClientError> {
  try {
    for await (const _ of iterable) {
      // every page is read
    }
  } catch (error) {
    assert.ok(error instanceof ODataClientError, String(error));
    return error;
  }
  assert.fail("the delta did not fail");
}

async function served(t: { after(fn: () => Promise<void>): void }, answer: Parameters<typeof startServer>[0]): Promise<{ server: RecordingServer; client: ODataClient }> {
  const server = await startServer(answer);
  t.after(() => server.close());
  return { server, client: new ODataClient({ serviceUrl: server.url("svc/"), retry: false }) };
}

describe("delta: what its errors say", () => {
  test("a delta link annotation that is no string names the delta's request, as a page read does", async (t) => {
    const { server, client } = await served(t, (_request, res) => sendJson(res, 200, { value: [{ ID: 1 }], "@odata.deltaLink": 5 }));
    const fromPages = await failureOf(client.collection("Books").trackChanges().pages());
    const fromDelta = await failureOf(client.delta(server.url("svc/Books?$deltatoken=1")));
    assert.equal(fromPages.message, `GET ${server.url("svc/Books")}: the collection body's "@odata.deltaLink" is 5, not a link`);
    assert.equal(fromDelta.code, "BAD_PAYLOAD");
    assert.equal(fromDelta.message, `GET ${server.url("svc/Books?$deltatoken=1")}: the collection body's "@odata.deltaLink" is 5, not a link`);
    assert.deepEqual(
      server.requests.map((r) => r.path),
      ["/svc/Books", "/svc/Books?$deltatoken=1"],
    );
  });

  test("a v2 __delta that is no string names the request too", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { d: { results: [], __delta: false } }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "2.0" });
    const link = server.url("svc/Books?!deltatoken='1'");
    const error = await failureOf(client.delta(link));
    // As URL writes it: the quotes of the token percent-encoded.
    assert.equal(error.message, `GET ${new URL(link).href}: the collection body's "__delta" is false, not a link`);
  });

  test("an HTML page answering a delta link is said to be one, as pages() says it, without quoting it", async (t) => {
    const { server, client } = await served(t, (_request, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end("<html><body>Sign in</body></html>");
    });
    const fromPages = await failureOf(client.collection("Books").pages());
    const fromDelta = await failureOf(client.delta(server.url("svc/Books?$deltatoken=1")));
    assert.equal(fromPages.message, `GET ${server.url("svc/Books")} answered with an HTML page (text/html; charset=utf-8), not a collection`);
    assert.equal(fromDelta.code, "BAD_PAYLOAD");
    assert.equal(fromDelta.message, `GET ${server.url("svc/Books?$deltatoken=1")} answered with an HTML page (text/html; charset=utf-8), not a delta`);
    assert.ok(fromDelta.cause instanceof SyntaxError);
    assert.equal(server.requests.length, 2);
  });

  test("JSON labelled text/html is read as a delta, and a body that is no JSON otherwise keeps its message", async (t) => {
    const { server, client } = await served(t, (request, res) => {
      if (request.path.endsWith("1")) {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(JSON.stringify({ value: [{ ID: 1 }], "@odata.deltaLink": "Books?$deltatoken=2" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{not json");
    });
    const pages = [];
    for await (const page of client.delta(server.url("svc/Books?$deltatoken=1"))) pages.push(page);
    assert.deepEqual(pages, [{ changed: [{ ID: 1 }], removed: [], addedLinks: [], removedLinks: [], deltaLink: server.url("svc/Books?$deltatoken=2") }]);
    const error = await failureOf(client.delta(server.url("svc/Books?$deltatoken=2")));
    assert.match(error.message, new RegExp(`^GET ${server.url("svc/Books").replace(/[?$.]/g, "\\$&")}\\?\\$deltatoken=2 answered a delta that is not JSON \\(`));
  });
});
