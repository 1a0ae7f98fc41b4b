/**
 * Session cookies in error answers. The value of each cookie a request sent that looks like an id
 * or a token (a digit in it, or 20 characters or more) is a secret of its own, masked where the
 * service echoes it without its name ("denied for sess-…"), as the whole `Cookie` header was; a
 * cookie value that is a setting (SAP's `sap-usercontext=sap-client=100`) or a word (a browser's
 * `cookie_consent=accepted`) is not. And a session cookie's `name=value` is masked by its name in
 * any text (`JSESSIONID=…`, `SAP_SESSIONID_<SID>_<client>=…`, `MYSAPSSO2=…`, its value quoted or
 * not), whether or not this client sent it. Over node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import util from "node:util";
import { ODataHttpError, redactText } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const SESSION = "sess-SECRET-5555-abcdef";
const TOKEN = "csrf-SECRET-4444";

/** Everything an error shows of itself. */
const shown = (error: unknown) => [String(error), (error as Error).stack, JSON.stringify(error), util.inspect(error, { depth: 20 })].join("\n");

test("a session cookie's value that the service echoes bare is masked; a cookie value that is a setting stays", async (t) => {
  const { server, client } = await serveClient(
    t,
    (request, res) => {
      if (request.headers["x-csrf-token"] === "Fetch") {
        res.writeHead(200, { "x-csrf-token": TOKEN, "set-cookie": [`SAP_SESSIONID_ER1_100=${SESSION}; path=/`, "sap-usercontext=sap-client=100; path=/"] }).end();
        return;
      }
      // The cookie's value alone, in the message, the innererror and a header of the service's own.
      const value = String(request.headers.cookie).split(";")[0]?.split("=")[1];
      const echo = `denied for ${value} (sap-client=100)`;
      sendJson(res, 403, { error: { code: "AUTH", message: echo, innererror: { session: `"${value}"` } } }, { "sap-message": echo });
    },
    { csrf: true },
  );
  const error = await rejectionOf(client.collection("Books").create({ title: "x" }));
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers["x-csrf-token"]} ${request.headers.cookie ?? "-"}`),
    ["GET /odata/ Fetch -", `POST /odata/Books ${TOKEN} SAP_SESSIONID_ER1_100=${SESSION}; sap-usercontext=sap-client=100`],
  );
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.equal(error.status, 403);
  assert.deepEqual(error.odataError, { code: "AUTH", message: "denied for *** (sap-client=100)", innererror: { session: '"***"' } });
  assert.match(error.message, /\[AUTH\]: denied for \*\*\* \(sap-client=100\)$/);
  assert.equal(error.headers["sap-message"], "denied for *** (sap-client=100)");
  assert.ok(!shown(error).includes(SESSION), "the session id shows somewhere");
});

test("a cookie whose value is a word (a browser's consent or mode setting) leaves that word in the error; the session id beside it is masked", async (t) => {
  const cookie = `SAP_SESSIONID_ER1_100=${SESSION}; cookie_consent=accepted; edit_mode=disabled`;
  const echo = `Order 7 was already accepted; status disabled for edits (session ${SESSION})`;
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 409, { error: { code: "Conflict", message: echo } }, { "sap-message": echo }), { headers: { cookie } });
  const error = await rejectionOf(client.collection("Orders").key(7).update({ Status: "x" }));
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers.cookie}`),
    [`PATCH /odata/Orders(7) ${cookie}`],
  );
  assert.ok(error instanceof ODataHttpError, String(error));
  assert.equal(error.status, 409);
  const expected = "Order 7 was already accepted; status disabled for edits (session ***)";
  assert.equal(error.odataError?.message, expected);
  assert.ok(error.message.endsWith(`[Conflict]: ${expected}`), error.message);
  assert.equal(error.headers["sap-message"], expected);
  assert.ok(!shown(error).includes(SESSION), "the session id shows somewhere");
});

test("a session cookie's name=value in an error is masked by its name, even where this client sent no cookie", async (t) => {
  const texts = [
    `invalid JSESSIONID=${SESSION}`,
    `session SAP_SESSIONID_ER1_100=${SESSION} expired`,
    `ticket MYSAPSSO2=AjQxMDMBABhTAEEAUAAgACAAIAAgACAAIAAg%2fAPsw; path=/`,
    `logon ticket MYSAPSSO2="AjQxMDMBABhTAEE%2fAAAAAA" rejected`,
    `cookie JSESSIONID="${SESSION}"; PHPSESSID=${SESSION}`,
    `(ASP.NET_SessionId=${SESSION})`,
    `SessionIdleTimeout=30, sap-client=100`,
    `TrainingSessions(SessionId=42)`,
  ];
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 401, { error: { code: "SESSION", message: texts.join(" | ") } }));
  const error = await rejectionOf(client.collection("Books").page());
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.headers.cookie, undefined);
  assert.ok(error instanceof ODataHttpError, String(error));
  const expected = [
    "invalid JSESSIONID=***",
    "session SAP_SESSIONID_ER1_100=*** expired",
    "ticket MYSAPSSO2=***; path=/",
    // A quoted value (RFC 6265 allows the quotes) is masked inside them.
    'logon ticket MYSAPSSO2="***" rejected',
    'cookie JSESSIONID="***"; PHPSESSID=***',
    "(ASP.NET_SessionId=***)",
    // A name that goes on past "id" is no session id's; a setting is no secret.
    "SessionIdleTimeout=30, sap-client=100",
    // A key of the service's own is no cookie: only session cookies' names are masked.
    "TrainingSessions(SessionId=42)",
  ].join(" | ");
  assert.equal(error.odataError?.message, expected);
  assert.ok(error.message.endsWith(`[SESSION]: ${expected}`), error.message);
  assert.ok(!shown(error).includes(SESSION) && !shown(error).includes("AjQxMDMB"), "a session id shows somewhere");
  // redactText, exported, applies the same rule; in JSON text the quotes are escaped.
  assert.equal(redactText(texts.join(" | ")), expected);
  assert.equal(redactText(JSON.stringify({ note: `SAP_SESSIONID_ER1_100="${SESSION}"` })), '{"note":"SAP_SESSIONID_ER1_100=\\"***\\""}');
});
