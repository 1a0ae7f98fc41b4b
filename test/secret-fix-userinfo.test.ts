/**
 * `user:password@` in URLs without `scheme://` that a URL parser still reads as an authority: a
 * scheme-relative `//user:pw@host`, `http:/user:pw@host`, `https:user:pw@host`. A service's headers
 * holding them come back without the user information in the error's fields, `toJSON()`, an
 * `ASYNC_BAD_RESPONSE` message and the wire log.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, ODataHttpError } from "../src/index.js";
import { redactText, redactUrl } from "../src/util/redact.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";

const PW = "UserinfoPw-5566";

test("an error answer's Content-Location, Link and Location with user:password@ and no scheme://: removed in headers, toJSON() and the wire log", async (t) => {
  let host = "";
  const server = await startServer((_request, res) => {
    sendJson(res, 400, { error: { code: "x", message: "bad" } }, {
      "content-location": `//usr:${PW}@${host}/odata/Y`,
      link: `<http:/usr:${PW}@${host}/odata/Z>; rel="next"`,
      location: `https:usr:${PW}@${host}/odata/W`,
    });
  });
  t.after(() => server.close());
  host = server.origin.slice("http://".length);
  const log = collector();
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: log.debug });
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);

  assert.ok(error instanceof ODataHttpError);
  assert.equal(error.status, 400);
  const shown = { "content-location": `//${host}/odata/Y`, link: `<http:/${host}/odata/Z>; rel="next"`, location: `https:${host}/odata/W` };
  for (const [name, value] of Object.entries(shown)) {
    assert.equal(error.headers[name], value);
    assert.equal((error.toJSON()["headers"] as Record<string, string>)[name], value);
  }
  assert.doesNotMatch(JSON.stringify(error), new RegExp(PW));
  assert.doesNotMatch(inspect(error, { showHidden: true, depth: Infinity }), new RegExp(PW));
  assert.deepEqual(log.shown(), [
    `#1 > GET ${server.url("odata/Books")} {"accept":"application/json","accept-language":"en"}`,
    `#1 < 400 GET ${server.url("odata/Books")} N ms ${JSON.stringify({ "content-location": shown["content-location"], "content-type": "application/json", link: shown.link, location: shown.location })}`,
  ]);
});

test("a 202 whose Location is a scheme-relative URL with user:password@ that does not parse: ASYNC_BAD_RESPONSE quotes it without them", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(202, { location: `//usr:${PW}@[bad` });
    res.end();
  });
  t.after(() => server.close());
  const log = collector();
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: log.debug });
  const error = await client.collection("Jobs").createAsync({ a: 1 }).catch((caught: unknown) => caught);

  assert.equal(server.requests[0]?.headers.prefer, "respond-async");
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "ASYNC_BAD_RESPONSE");
  assert.equal(error.message, `POST ${server.url("odata/Jobs")} (HTTP 202): Location "//[bad" is not a URL`);
  assert.doesNotMatch(JSON.stringify(error.toJSON()), new RegExp(PW));
  assert.doesNotMatch(inspect(error, { showHidden: true, depth: Infinity }), new RegExp(PW));
  assert.equal(log.shown()[1], `#1 < 202 POST ${server.url("odata/Jobs")} N ms {"location":"//[bad"}`);
});

test("redactText removes user information after //, http:/ and https: (to its last @); a mail address stays", () => {
  assert.equal(redactText(`see //usr:${PW}@host/x`), "see //host/x");
  assert.equal(redactText(`see http:/usr:${PW}@host/x`), "see http:/host/x");
  assert.equal(redactText(`see https:usr:${PW}@host/x`), "see https:host/x");
  assert.equal(redactText(`see http:\\\\usr:${PW}@host/x`), "see http:\\\\host/x");
  assert.equal(redactText(`see https://usr:p@ss-${PW}@host/x`), "see https://host/x");
  assert.equal(redactUrl(`https:usr:${PW}@host/x`), "https://host/x");
  assert.equal(redactText("write to mailto:bob@example.com"), "write to mailto:bob@example.com");
});
