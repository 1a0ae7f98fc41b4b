/**
 * Header names that carry a credential although they hold none of the usual secret words: SAP's
 * logon ticket sent as a header (`MYSAPSSO2`, not only as a cookie), 3scale's API key header
 * (`user-key`, and `user_key=` in a URL), `License-Key`, `consumer-key`, `developer-key`. Their
 * values show as `***` in the wire log's request line, are masked where a service echoes them (in
 * an error's message, body and headers, and in the wire log's answer line), and the command line
 * masks them on stderr. Names that only resemble them (`UserKey`, `user-agent`, `x-user-id`) stay
 * readable. Real HTTP on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataHttpError, redactText, redactUrl } from "../src/index.js";
import { isSecretHeaderName } from "../src/util/redact.js";
import { runCli, show } from "./cli-harness.js";
import { startServer } from "./servers/recording-server.js";

const SECRETS: Record<string, string> = {
  "user-key": "uk-3scale-0123456789abcdef",
  MYSAPSSO2: "AjQxMDMBABhTAEEAUAAtAFQASQBDAEsARQBUAA%3d%3d",
  "License-Key": "lic-0123456789abcdef",
  "consumer-key": "ck-0123456789abcdef",
  "developer-key": "dk-0123456789abcdef",
};

test("MYSAPSSO2, user-key, License-Key, consumer-key and developer-key are credentials' names; UserKey, user-agent and the key names that were readable stay so", () => {
  const secret = ["MYSAPSSO2", "mysapsso2", "user-key", "User_Key", "x-user-key", "License-Key", "license_key", "consumer-key", "Consumer_Key", "developer-key", "Developer_Key"];
  const plain = ["UserKey", "LicenseKey", "ConsumerKey", "DeveloperKey", "userkey", "user", "user-agent", "x-user-id", "sap-user", "user-keys", "keep-alive", "x-keyword", "key", "Idempotency-Key", "Sec-WebSocket-Key", "foreign-key", "sort_key", "entity_key", "RowKey", "primaryKey"];
  assert.deepEqual(secret.filter((name) => !isSecretHeaderName(name)), []);
  assert.deepEqual(plain.filter((name) => isSecretHeaderName(name)), []);
  assert.equal(redactUrl("https://api.example.com/svc/Items?user_key=uk-123456&UserKey=7&$top=1"), "https://api.example.com/svc/Items?user_key=***&UserKey=7&$top=1");
  assert.equal(redactText("rejected user-key: uk-123456"), "rejected user-key: ***");
  assert.equal(redactText('{"MYSAPSSO2": "AjQxMDM="}'), '{"MYSAPSSO2": "***"}');
  assert.equal(redactText("UserKey: 42"), "UserKey: 42");
  // An entity's properties so named say which entity it is (the review: they were masked in JSON).
  assert.equal(redactText('{"LicenseKey":"L-42","ConsumerKey":"C-1","license-key":"lk-123456"}'), '{"LicenseKey":"L-42","ConsumerKey":"C-1","license-key":"***"}');
});

test("a client's MYSAPSSO2, user-key, License-Key, consumer-key and developer-key headers: *** in the wire log, masked where the service echoes them", async (t) => {
  const server = await startServer((request, res) => {
    const echoed = Object.keys(SECRETS).map((name) => request.headers[name.toLowerCase()]).join(" ");
    const body = JSON.stringify({ error: { code: "401", message: `invalid ${echoed}` } });
    res.writeHead(401, { "content-type": "application/json", "x-debug": echoed, "user-key": String(request.headers["user-key"]), "x-tenant": "acme" });
    res.end(body);
  });
  t.after(() => server.close());
  const lines: string[] = [];
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, headers: SECRETS, debug: (line) => lines.push(line) });
  const error = await client.collection("Items").page().then(
    () => assert.fail("resolved"),
    (caught: unknown) => caught,
  );
  // What went on the wire: each header as given.
  for (const [name, value] of Object.entries(SECRETS)) assert.equal(server.requests[0]?.headers[name.toLowerCase()], value, name);
  assert.ok(error instanceof ODataHttpError && error.status === 401, inspect(error));
  const url = server.url("svc/Items");
  assert.equal(error.message, `GET ${url} failed with HTTP 401 Unauthorized [401]: invalid *** *** *** *** ***`);
  assert.equal(error.headers["x-debug"], "*** *** *** *** ***");
  assert.equal(error.headers["user-key"], "***");
  assert.equal(error.headers["x-tenant"], "acme");
  assert.match(lines[0] ?? "", /^#1 > GET \S+ \{"accept":"application\/json","accept-language":"en","consumer-key":"\*\*\*","developer-key":"\*\*\*","license-key":"\*\*\*","mysapsso2":"\*\*\*","user-key":"\*\*\*"\}$/);
  assert.match(lines[1] ?? "", /^#1 < 401 GET \S+ \d+ ms \{"content-type":"application\/json","user-key":"\*\*\*","x-debug":"\*\*\* \*\*\* \*\*\* \*\*\* \*\*\*","x-tenant":"acme"\}$/);
  const shown = [error.message, String(error.stack), inspect(error, { depth: 10 }), JSON.stringify(error), ...lines].join("\n");
  for (const [name, value] of Object.entries(SECRETS)) assert.ok(!shown.includes(value.slice(0, 12)), `${name} shows:\n${shown}`);
});

test("the command line's -H user-key and -H MYSAPSSO2 with --debug: *** on stderr, in the wire log and the error echoed", async (t) => {
  const server = await startServer((request, res) => {
    const echoed = `${String(request.headers["user-key"])} ${String(request.headers["mysapsso2"])}`;
    res.writeHead(401, { "content-type": "application/json", "x-debug": `user-key ${echoed}` });
    res.end(JSON.stringify({ error: { code: "401", message: `invalid key ${echoed}` } }));
  });
  t.after(() => server.close());
  const result = await runCli(["count", server.url("svc/"), "Products", "-H", `user-key: ${SECRETS["user-key"]}`, "-H", `MYSAPSSO2: ${SECRETS["MYSAPSSO2"]}`, "--debug"]);
  assert.equal(server.requests[0]?.headers["user-key"], SECRETS["user-key"]);
  assert.equal(server.requests[0]?.headers["mysapsso2"], SECRETS["MYSAPSSO2"]);
  assert.equal(result.code, 3, show(result));
  const url = server.url("svc/Products/$count");
  assert.equal(
    result.stderr.replace(/ \d+ ms /, " MS ms "),
    [
      `traverse-odata #1 > GET ${url} {"accept":"text/plain","accept-language":"en","mysapsso2":"***","user-key":"***"}`,
      `traverse-odata #1 < 401 GET ${url} MS ms {"content-type":"application/json","x-debug":"user-key *** ***"}`,
      `error: GET ${url} failed with HTTP 401 Unauthorized [401]: invalid key *** ***`,
      "",
    ].join("\n"),
    show(result),
  );
});
