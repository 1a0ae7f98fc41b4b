// A function part whose collection result the service paged gives its next link, made absolute as
// a page() part's is (result.nextLink beside the value, the first page), for pages({ from }) of the
// function to read the rest; v4 @odata.nextLink in a JSON or multipart batch, v2 __next.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient } from "../src/index.js";
import { json, serve, type Reply } from "./batch-server.js";

const CRLF = "\r\n";

/** A multipart answer of one part, a 200 with `body` as JSON. */
const multipartOf = (body: unknown): Reply => ({
  status: 200,
  headers: { "Content-Type": "multipart/mixed; boundary=r" },
  body: `--r${CRLF}Content-Type: application/http${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${CRLF}${JSON.stringify(body)}${CRLF}--r--${CRLF}`,
});

test("a JSON batch's function part paged by the service gives its next link, absolute, and pages({ from }) reads the rest from it", async (t) => {
  const service = await serve((request): Reply => {
    if (request.method === "POST") {
      return {
        status: 200,
        headers: json,
        body: JSON.stringify({
          responses: [
            { id: "1", status: 200, headers: json, body: { value: [{ ID: 1 }, { ID: 2 }], "@odata.nextLink": "top(n=3)?$skiptoken=2" } },
            { id: "2", status: 200, headers: json, body: { value: [{ ID: 9 }] } },
            { id: "3", status: 200, headers: json, body: { value: [{ ID: 1 }], "@odata.nextLink": "Books?$skiptoken=1" } },
          ],
        }),
      };
    }
    return { status: 200, headers: json, body: JSON.stringify({ value: [{ ID: 3 }] }) };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const paged = batch.function<{ ID: number }[]>("top", { n: 3 });
  const whole = batch.function<{ ID: number }[]>("all");
  const page = batch.page(client.collection<{ ID: number }>("Books"));
  await batch.send();
  const parts = (JSON.parse(service.seen[0]!.body) as { requests: { method: string; url: string }[] }).requests;
  assert.deepEqual(parts.map((part) => `${part.method} ${part.url}`), ["GET top(n=3)", "GET all()", "GET Books"]);

  const result = paged.result();
  assert.ok(result.ok);
  assert.deepEqual(result.value, [{ ID: 1 }, { ID: 2 }]);
  assert.equal(result.nextLink, `${service.url}top(n=3)?$skiptoken=2`);
  // As the page part's: made absolute against the service root.
  const pageResult = page.result();
  assert.ok(pageResult.ok);
  assert.equal(pageResult.value.nextLink, `${service.url}Books?$skiptoken=1`);
  assert.equal("nextLink" in pageResult, false);
  // A result the service did not page has none.
  const wholeResult = whole.result();
  assert.ok(wholeResult.ok);
  assert.equal("nextLink" in wholeResult, false);

  const rest: unknown[] = [];
  for await (const more of client.function<{ ID: number }[]>("top", { n: 3 }).pages({ from: result.nextLink })) rest.push(...more.value);
  assert.deepEqual(rest, [{ ID: 3 }]);
  assert.deepEqual(service.seen.map((seen) => `${seen.method} ${seen.url}`), ["POST /svc/$batch", "GET /svc/top(n=3)?$skiptoken=2"]);
});

test("a multipart batch's function part gives its next link too: v4 @odata.nextLink, v2 __next", async (t) => {
  for (const version of ["4.0", "2.0"] as const) {
    const body = version === "2.0" ? { d: { results: [{ ID: 1 }], __next: "top?n=3&$skiptoken=1" } } : { value: [{ ID: 1 }], "@odata.nextLink": "top(n=3)?$skiptoken=1" };
    const service = await serve(() => multipartOf(body));
    t.after(service.close);
    const client = new ODataClient({ serviceUrl: service.url, version, retry: false });
    const batch = client.batch();
    const paged = batch.function<{ ID: number }[]>("top", { n: 3 });
    await batch.send();
    assert.deepEqual(service.seen[0]!.body.split(CRLF).filter((line) => line.startsWith("GET ")), [version === "2.0" ? "GET top?n=3 HTTP/1.1" : "GET top(n=3) HTTP/1.1"], version);
    const result = paged.result();
    assert.ok(result.ok, version);
    assert.deepEqual(result.value, [{ ID: 1 }], version);
    assert.equal(result.nextLink, version === "2.0" ? `${service.url}top?n=3&$skiptoken=1` : `${service.url}top(n=3)?$skiptoken=1`, version);
  }
});

test("a function part whose next link is no URL fails that part with BAD_PAYLOAD, as a page part's does", async (t) => {
  const service = await serve(() => multipartOf({ value: [{ ID: 1 }], "@odata.nextLink": "http://[bad" }));
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch();
  const paged = batch.function("top");
  await batch.send();
  assert.equal(service.seen.length, 1);
  const result = paged.result();
  assert.equal(result.ok, false);
  assert.equal((result as { error: { code: string } }).error.code, "BAD_PAYLOAD");
  assert.match((result as { error: { message: string } }).error.message, /next link that is not a URL/);
});
