/**
 * An OAuth2 client secret or access token that the data service echoes as a URL or a form body
 * writes it, percent-encoded (in either hex case, or only in part) or form-encoded (`+` for a
 * space): masked in the ODataHttpError and the wire log, as the same secret echoed as it is.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { sendJson, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";

/** Both hold characters a URL escapes, and "5ecret" so that a leak is easy to spot. */
const CLIENT_SECRET = "my 5ecret+/pass!";
const ACCESS_TOKEN = "AT+5ecret/Zm9vYmFy==";

/** Every text of an error a caller may print or log. */
function textsOf(error: Error): string[] {
  return [error.message, String(error), inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)];
}

/** A token endpoint that issues {@link ACCESS_TOKEN} to the client that sends {@link CLIENT_SECRET}. */
async function tokenEndpoint(t: TestContext): Promise<RecordingServer> {
  const server = await startServer((_request, res) => sendJson(res, 200, { access_token: ACCESS_TOKEN, token_type: "Bearer", expires_in: 3600 }));
  t.after(() => server.close());
  return server;
}

/** A data service that refuses every request with 401, its message and a header made by `echo`. */
async function echoingService(t: TestContext, echo: (request: RecordedRequest) => string): Promise<RecordingServer> {
  const server = await startServer((request, res) => {
    const text = echo(request);
    sendJson(res, 401, { error: { code: "UNAUTHORIZED", message: `not accepted: ${text}` } }, { "x-echo": text });
  });
  t.after(() => server.close());
  return server;
}

test("an access token the service echoes percent-encoded, in upper or lower case or only in part, and form-encoded: masked in the error and the wire log", async (t) => {
  const forms = [
    encodeURIComponent(ACCESS_TOKEN),
    encodeURIComponent(ACCESS_TOKEN).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    ACCESS_TOKEN.replace("+", "%2B"),
    new URLSearchParams({ t: ACCESS_TOKEN }).toString().slice(2),
  ];
  const tokens = await tokenEndpoint(t);
  const service = await echoingService(t, (request) => {
    const sent = String(request.headers.authorization).slice("Bearer ".length);
    return forms.map((form) => form.replace(encodeURIComponent(ACCESS_TOKEN), encodeURIComponent(sent))).join(" | ");
  });
  const log = collector();
  const client = new ODataClient({
    serviceUrl: service.url("odata/"),
    retry: false,
    debug: log.debug,
    auth: { oauth2: { tokenUrl: tokens.url("oauth/token"), clientId: "app", clientSecret: CLIENT_SECRET } },
  });
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);

  assert.ok(tokens.requests.length >= 1);
  assert.deepEqual(service.requests.map((request) => request.headers.authorization), [`Bearer ${ACCESS_TOKEN}`]);
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.equal(error.status, 401);
  assert.equal(error.message, `GET ${service.url("odata/Books")} failed with HTTP 401 Unauthorized [UNAUTHORIZED]: not accepted: *** | *** | *** | ***`);
  assert.equal(error.headers["x-echo"], "*** | *** | *** | ***");
  const answerLine = log.lines.find((line) => line.startsWith("#2 < 401"));
  assert.ok(answerLine?.includes('"x-echo":"*** | *** | *** | ***"'), answerLine);
  for (const text of [...textsOf(error), ...log.lines]) assert.ok(!/5ecret/i.test(text), text);
});

test("the OAuth2 client secret the service echoes percent-encoded or form-encoded (its space as +): masked in the error", async (t) => {
  const forms = [encodeURIComponent(CLIENT_SECRET), new URLSearchParams({ s: CLIENT_SECRET }).toString().slice(2), encodeURIComponent(CLIENT_SECRET).toLowerCase()];
  assert.deepEqual(forms.slice(0, 2), ["my%205ecret%2B%2Fpass!", "my+5ecret%2B%2Fpass%21"]);
  const tokens = await tokenEndpoint(t);
  const service = await echoingService(t, () => `client_secret=${forms[0]} or ${forms[1]} or ${forms[2]}`);
  const client = new ODataClient({
    serviceUrl: service.url("odata/"),
    retry: false,
    auth: { oauth2: { tokenUrl: tokens.url("oauth/token"), clientId: "app", clientSecret: CLIENT_SECRET } },
  });
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);

  // The secret went to the token endpoint, form-encoded; never to the service.
  assert.ok(tokens.requests[0]?.body.includes(`client_secret=${forms[1]}`), tokens.requests[0]?.body);
  assert.equal(service.requests[0]?.headers.authorization, `Bearer ${ACCESS_TOKEN}`);
  assert.ok(error instanceof ODataHttpError, inspect(error));
  // The first form is masked by its name as well; the others only by their value.
  assert.equal(error.message, `GET ${service.url("odata/Books")} failed with HTTP 401 Unauthorized [UNAUTHORIZED]: not accepted: client_secret=*** or *** or ***`);
  for (const text of textsOf(error)) assert.ok(!/5ecret/i.test(text), text);
});
