/**
 * Session ids in a next link: a servlet container's `;jsessionid=` path parameter and PHP's
 * `?PHPSESSID=` are masked in every field of the error and in both wire log lines, and only the id:
 * the paging cursor after it (`$skiptoken=2`) stays readable.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { redactText, redactUrl } from "../src/util/redact.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";

const SID = "A1B2C3D4E5F60718293A4B5C6D7E8F90";

for (const [kind, link, shown] of [
  ["a ;jsessionid= path parameter", `Books;jsessionid=${SID}?$skiptoken=2`, "Books;jsessionid=***?$skiptoken=2"],
  ["a PHPSESSID query parameter", `Books?PHPSESSID=${SID}&$skiptoken=2`, "Books?PHPSESSID=***&$skiptoken=2"],
] as const) {
  test(`${kind} in a next link: masked in message, url, toJSON(), inspect() and the wire log; $skiptoken stays`, async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/odata/Books") sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": link });
      else sendJson(res, 500, { error: { code: "E", message: "boom" } });
    });
    t.after(() => server.close());
    const log = collector();
    const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: log.debug });
    const error = await client.collection("Books").list().catch((caught: unknown) => caught);

    // The id went out as the service gave it.
    assert.deepEqual(server.requests.map((request) => request.path), ["/odata/Books", `/odata/${link}`]);
    assert.ok(error instanceof ODataHttpError);
    const url = server.url(`odata/${shown}`);
    assert.equal(error.url, url);
    assert.equal(error.message, `GET ${url} failed with HTTP 500 Internal Server Error [E]: boom`);
    const json = error.toJSON();
    assert.equal(json["url"], url);
    assert.equal(json["message"], error.message);
    assert.doesNotMatch(JSON.stringify(error), new RegExp(SID));
    const inspected = inspect(error, { showHidden: true, depth: Infinity });
    assert.ok(inspected.includes(url));
    assert.doesNotMatch(inspected, new RegExp(SID));
    assert.deepEqual(log.shown(), [
      `#1 > GET ${server.url("odata/Books")} {"accept":"application/json","accept-language":"en"}`,
      `#1 < 200 GET ${server.url("odata/Books")} N ms {"content-type":"application/json"}`,
      `#2 > GET ${url} {"accept":"application/json","accept-language":"en"}`,
      `#2 < 500 GET ${url} N ms {"content-type":"application/json"}`,
    ]);
  });
}

test("redactUrl masks a session path parameter up to the end of its segment; redactText up to ; ? & #", () => {
  assert.equal(redactUrl(`https://h/app/Books;jsessionid=${SID}/Authors?$skiptoken=2`), "https://h/app/Books;jsessionid=***/Authors?$skiptoken=2");
  assert.equal(redactUrl(`https://h/Books;PHPSESSID=${SID};v=1?$top=1`), "https://h/Books;PHPSESSID=***;v=1?$top=1");
  assert.equal(redactUrl(`https://h/Books?ASP.NET_SessionId=${SID}&$top=1`), "https://h/Books?ASP.NET_SessionId=***&$top=1");
  // An empty query or fragment stays where it was.
  assert.equal(redactUrl(`https://h/Books;jsessionid=${SID}?`), "https://h/Books;jsessionid=***?");
  assert.equal(redactUrl(`https://h/Books?sig=${SID}#`), "https://h/Books?sig=***#");
  // A query separated by ";" keeps its value whole (a token may hold "/").
  assert.equal(redactUrl("https://h/Books?$top=1;access_token=ab/cd&$skip=2"), "https://h/Books?$top=1;access_token=***&$skip=2");
  // A relative link in text, which no URL parser reads.
  assert.equal(redactText(`next: Books;jsessionid=${SID}?$skiptoken=2 (page 2)`), "next: Books;jsessionid=***?$skiptoken=2 (page 2)");
  assert.equal(redactText(`next: Books?PHPSESSID=${SID}&$skiptoken=2`), "next: Books?PHPSESSID=***&$skiptoken=2");
  assert.equal(redactText(`invalid JSESSIONID=${SID}#top`), "invalid JSESSIONID=***#top");
});
