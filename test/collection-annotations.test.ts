// The annotations a collection carries (next link, count, delta link) are read from one table
// (src/payload/annotations.ts) under every name OData gives them: `@odata.nextLink`, 4.01's
// `@nextLink`, v3-era JSON light's `odata.nextLink` (no "@"), v2's `__next`. A page, a `$batch`
// part and a delta page read them alike, on the wire against a node:http server.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, ODataClientError, type ODataVersion } from "../src/index.js";
import { sendJson, startServer, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";
import { trailingNextLink } from "../src/payload/annotations.js";

/** A body for the collection `Books` whose annotations have the given names. */
function v4Body(next: string, count: string): Record<string, unknown> {
  return { value: [{ ID: 1 }], [next]: "Books?$skiptoken=1", [count]: 42 };
}

function v2Body(): Record<string, unknown> {
  return { d: { results: [{ ID: 1 }], __next: "Books?$skiptoken=1", __count: "42" } };
}

/** A multipart batch answer with one JSON part. */
function multipartAnswer(res: ServerResponse, body: unknown): void {
  const text = [
    "--r",
    "Content-Type: application/http",
    "Content-Transfer-Encoding: binary",
    "",
    "HTTP/1.1 200 OK",
    "Content-Type: application/json",
    "",
    JSON.stringify(body),
    "--r--",
    "",
  ].join("\r\n");
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=r" });
  res.end(text);
}

/**
 * A service whose every answer carries `body`: `Books` as a page, `$batch` as the one part of a
 * multipart answer, `Changes` (a delta link) as a delta page.
 */
async function service(t: TestContextLike, body: unknown): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$batch")) return multipartAnswer(res, body);
    sendJson(res, 200, body);
  });
  t.after(() => server.close());
  return server;
}

/** What a page, a batch part and a delta page read from the same body. */
async function readAllThree(server: RecordingServer, version: ODataVersion) {
  const client = new ODataClient({ serviceUrl: server.url("odata/"), version, retry: false });
  const books = client.collection("Books").count();
  const page = await books.page();
  const batch = client.batch({ format: "multipart" });
  const handle = batch.page(books);
  await batch.send();
  const part = handle.result();
  assert.ok(part.ok, part.ok ? "" : part.error.message);
  let deltaNext: string | undefined;
  for await (const deltaPage of client.delta("Changes?$deltatoken=1")) {
    deltaNext = deltaPage.nextLink;
    break;
  }
  return { page, part: part.value, deltaNext };
}

describe("every name of a collection annotation is read by a page, a $batch part and a delta page", { concurrency: true }, () => {
  const forms: [string, ODataVersion, unknown][] = [
    ["@odata.nextLink and @odata.count (OData v4)", "4.0", v4Body("@odata.nextLink", "@odata.count")],
    ["@nextLink and @count (OData 4.01)", "4.0", v4Body("@nextLink", "@count")],
    ["odata.nextLink and odata.count (v3-era JSON light)", "4.0", v4Body("odata.nextLink", "odata.count")],
    ["__next and __count (OData v2)", "2.0", v2Body()],
  ];
  for (const [names, version, body] of forms) {
    test(names, async (t) => {
      const server = await service(t, body);
      const { page, part, deltaNext } = await readAllThree(server, version);
      const expected = server.url("odata/Books?$skiptoken=1");
      assert.deepEqual(page, { value: [{ ID: 1 }], nextLink: expected, count: 42 });
      assert.deepEqual(part, { value: [{ ID: 1 }], nextLink: expected, count: 42 });
      assert.equal(deltaNext, expected);
    });
  }
});

test("a next link that is not a string is BAD_PAYLOAD in a page and in a batch part's result, naming the member", async (t) => {
  const server = await service(t, { value: [], "odata.nextLink": 7 });
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  await assert.rejects(client.collection("Books").page(), (error: unknown) => error instanceof ODataClientError && error.code === "BAD_PAYLOAD" && /"odata.nextLink" is .*7, not a link/.test(error.message));
  const batch = client.batch({ format: "multipart" });
  const page = batch.page(client.collection("Books"));
  await batch.send();
  const result = page.result();
  assert.ok(!result.ok && result.status === 200);
  assert.equal(result.error.code, "BAD_PAYLOAD");
  assert.match(result.error.message, /^response to request 1 \(GET Books\): .*"odata.nextLink" is .*7, not a link/);
});

describe("trailingNextLink: the next link a body's text ends with, found without parsing it", () => {
  const cases: [string, string, "v4" | "v2", string | undefined][] = [
    ["@odata.nextLink last", '{"value":[{"ID":1}],"@odata.nextLink":"Books?$skiptoken=1"}', "v4", "Books?$skiptoken=1"],
    ["4.01 @nextLink, white space around", '{"value":[] ,\n "@nextLink" : "Books?p=2" }\r\n', "v4", "Books?p=2"],
    ["JSON light odata.nextLink", '{"value":[],"odata.nextLink":"http://h/svc/Books?p=2"}', "v4", "http://h/svc/Books?p=2"],
    ["v2 __next last in d", '{"d":{"results":[],"__next":"Books?$skiptoken=1"}}', "v2", "Books?$skiptoken=1"],
    ["another annotation last", '{"value":[],"@odata.nextLink":"B?p=2","@odata.count":3}', "v4", undefined],
    ["a delta link last", '{"value":[],"@odata.deltaLink":"B?d=1"}', "v4", undefined],
    ["a link with an escape", '{"value":[],"@odata.nextLink":"B?q=\\"x\\""}', "v4", undefined],
    ["an escaped slash", '{"value":[],"@odata.nextLink":"http:\\/\\/h\\/B"}', "v4", undefined],
    ["the name inside a string value", '{"value":["a\\",\\"@odata.nextLink\\":\\"B"]}', "v4", undefined],
    ["a prefixed name (an expanded member's)", '{"value":[],"Items@odata.nextLink":"B"}', "v4", undefined],
    ["the only member", '{"@odata.nextLink":"B"}', "v4", undefined],
    ["v4 names in v2", '{"d":{"results":[],"@odata.nextLink":"B"}}', "v2", undefined],
    ["v2 with one brace", '{"results":[],"__next":"B"}', "v2", undefined],
    ["an array", '["@odata.nextLink","B"]', "v4", undefined],
    ["no quote before the link", '{"value":[],"@odata.nextLink":B"}', "v4", undefined],
    ["empty text", "", "v4", undefined],
  ];
  for (const [what, text, format, expected] of cases) {
    test(`${what}: ${String(expected)}`, () => assert.equal(trailingNextLink(text, format), expected));
  }
});
