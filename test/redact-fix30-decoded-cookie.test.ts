/**
 * A session cookie or SSO ticket that SAP writes percent-encoded (`…%2b…%2f…%3d`), which a service
 * decodes and then echoes in an error as it sees it (`…+…/…=`): masked as the value sent is, in
 * the message, the body and the OData error. Against a node:http service that sets the session
 * cookie with the CSRF token and answers the write with such an error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const SESSION_SENT = "kw1XqP9TQzS2r7uVbN4mA8eY6dLhF0cJ%2bGx5%2fHt3%3d";
const SSO_SENT = "AjQxMDIBABhEAEUAVgBFAEwATwBQAEUAUgAgACAAIAAgAgAGMAAwADEAAwAQAEEAQgBDACAA%2fAPYwgfMGCSqGSIb3DQEHAqCB5TCB4gIBATELMAkGBSsOAwIaBQAw%3d";

test("a percent-encoded session cookie and SSO ticket echoed decoded are masked in the message, body and OData error", async (t) => {
  const seen: string[] = [];
  const server = await startServer((request, res) => {
    if (request.headers["x-csrf-token"] === "Fetch") {
      res.writeHead(200, { "x-csrf-token": "Tk1234567890abcd==", "set-cookie": [`SAP_SESSIONID_ABC_100=${SESSION_SENT}; path=/; HttpOnly`] });
      res.end();
      return;
    }
    const cookies = Object.fromEntries(
      String(request.headers.cookie)
        .split("; ")
        .map((pair) => [pair.slice(0, pair.indexOf("=")), decodeURIComponent(pair.slice(pair.indexOf("=") + 1))]),
    );
    seen.push(String(cookies["SAP_SESSIONID_ABC_100"]), String(cookies["MYSAPSSO2"]));
    sendJson(res, 400, { error: { code: "ZSESSION/001", message: { lang: "en", value: `Session ${cookies["SAP_SESSIONID_ABC_100"]} is locked; SSO ticket ${cookies["MYSAPSSO2"]} rejected` } } });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("sap/opu/odata/sap/ZSRV/"), version: "2.0", csrf: true, retry: false, headers: { Cookie: `MYSAPSSO2=${SSO_SENT}` } });

  const error = await client.collection("Products").create({ Product: "X" }).then(
    () => assert.fail("the write was answered 400"),
    (caught: unknown) => caught,
  );
  // What the service decoded and echoed: the plain forms of what was sent.
  assert.deepEqual(seen, [decodeURIComponent(SESSION_SENT), decodeURIComponent(SSO_SENT)]);
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.equal(error.status, 400);
  assert.match(error.message, /\[ZSESSION\/001\]: Session \*\*\* is locked; SSO ticket \*\*\* rejected$/);
  for (const text of [error.message, error.body, JSON.stringify(error.odataError), JSON.stringify(error)]) {
    for (const secret of [...seen, SESSION_SENT, SSO_SENT]) assert.ok(!text.includes(secret), text);
  }
});
