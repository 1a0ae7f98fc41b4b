/**
 * Secrets a service quotes in free text where no `?` or `&` marks them as parameters
 * (`access_token=…` in an error message), a credential header written `Name = value`, the query
 * parameters `auth`, `sas`, `private_key` and `signature`, and text with a `//` that is no URL
 * (XPath's `//Book[@ID=1]`): masked, or left as it is, in the ODataHttpError and the wire log.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";

/** Every value holds "5ecret", so that a leak is easy to spot. */
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI1ZWNyZXQifQ.Sig-5ecret";
const SIGNATURE = "Sig5ecretQm9vaw";
const CSRF = "Csrf-5ecret-0042";
const API_KEY = "Key-5ecret-77";

/** Every text of an error a caller may print or log. */
function textsOf(error: Error): string[] {
  return [error.message, String(error), inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)];
}

test("an error message with access_token=, signature=, and X-CSRF-Token = … and x-api-key : … (spaces around the separator): masked in the error and the wire log; the OData text around them stays", async (t) => {
  // A header written into the text is taken to run to the end of the line, as `Name: value` is.
  const said = `token rejected (access_token=${TOKEN}); the signature=${SIGNATURE}, does not match; sent X-CSRF-Token = ${CSRF}`;
  const odata = "no match for /odata/Books?$filter=ID eq 1&$skiptoken=5 in Books(ID=1) with @odata.count";
  const server = await startServer((_request, res) => {
    sendJson(res, 401, { error: { code: "UNAUTHORIZED", message: `${odata}: ${said}` } }, { "sap-message": `x-api-key : ${API_KEY}`, "x-detail": `access_token=${TOKEN}` });
  });
  t.after(() => server.close());
  const log = collector();
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: log.debug });
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);

  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.path, "/odata/Books");
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.equal(error.status, 401);
  const masked = "token rejected (access_token=***); the signature=***, does not match; sent X-CSRF-Token = ***";
  assert.equal(error.message, `GET ${server.url("odata/Books")} failed with HTTP 401 Unauthorized [UNAUTHORIZED]: ${odata}: ${masked}`);
  assert.equal(error.headers["sap-message"], "x-api-key : ***");
  assert.equal(error.headers["x-detail"], "access_token=***");
  assert.equal(log.shown()[1], `#1 < 401 GET ${server.url("odata/Books")} N ms ${JSON.stringify({ "content-type": "application/json", "sap-message": "x-api-key : ***", "x-detail": "access_token=***" })}`);
  for (const text of [...textsOf(error), ...log.lines]) assert.ok(!text.includes("5ecret"), text);
});

test("the query parameters auth, sas, private_key, privateKey and signature: masked in the URL sent, in a link the service quotes and in the wire log", async (t) => {
  const names = ["auth", "sas", "private_key", "privateKey", "signature"];
  const server = await startServer((request, res) => {
    sendJson(res, 403, { error: { code: "DENIED", message: `denied; retry at ${request.path}` } });
  });
  t.after(() => server.close());
  const log = collector();
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: log.debug });
  let query = client.collection("Files").param("keep", "visible-1");
  for (const [i, name] of names.entries()) query = query.param(name, `value-5ecret-${i}`);
  const error = await query.page().catch((caught: unknown) => caught);

  const sent = server.requests[0]?.path ?? "";
  for (const [i, name] of names.entries()) assert.ok(sent.includes(`&${name}=value-5ecret-${i}`), `${name} was not sent: ${sent}`);
  assert.ok(error instanceof ODataHttpError, inspect(error));
  const query_ = `keep=visible-1&${names.map((name) => `${name}=***`).join("&")}`;
  assert.equal(error.url, `${server.url("odata/Files")}?${query_}`);
  assert.equal(error.message, `GET ${server.url("odata/Files")}?${query_} failed with HTTP 403 Forbidden [DENIED]: denied; retry at /odata/Files?${query_}`);
  assert.equal(log.shown()[0]?.startsWith(`#1 > GET ${server.url("odata/Files")}?${query_} {`), true, log.shown()[0]);
  for (const text of [...textsOf(error), ...log.lines]) assert.ok(!text.includes("5ecret"), text);
});

test("XPath's //Book[@ID=1] and //@ID, and a path's //Books@odata.count, come back as the service wrote them; //user:password@host still loses its user information", async (t) => {
  let quoted = "";
  const server = await startServer((_request, res) => {
    quoted = `//Book[@ID=1] and //@ID matched nothing; GET ${server.url("svc//Books@odata.count")} is no path`;
    sendJson(res, 400, { error: { code: "BAD", message: `${quoted}; mirror at //usr:pw-5ecret@mirror.example/x` } });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);

  assert.equal(server.requests[0]?.path, "/odata/Books");
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.equal(error.message, `GET ${server.url("odata/Books")} failed with HTTP 400 Bad Request [BAD]: ${quoted}; mirror at //mirror.example/x`);
  for (const text of textsOf(error)) assert.ok(!text.includes("5ecret"), text);
});
