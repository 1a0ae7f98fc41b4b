/**
 * The OAuth2 client secret and the access token in the wire log, where a token endpoint echoes them
 * bare in headers of its own answer (a gateway's debug header, a `WWW-Authenticate` detail): the
 * library's `debug` lines and the command line's `--debug` show `***` for both.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ODataClient, ODataClientError } from "../src/index.js";
import { sendJson, startServer, type RecordedRequest, type TestContextLike } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";
import { runCli, show, tempDir } from "./cli-harness.js";

const SECRET = "ClientSecretValue-7f3a9";
const TOKEN = "AccessTok-12345678";

/** A token endpoint at /token that echoes the client secret it got (and the token it issues) in headers; a service below /odata/. */
function tokenEndpointAndService(refuse: boolean) {
  return (request: RecordedRequest, res: Parameters<typeof sendJson>[0]) => {
    if (request.path === "/token") {
      const received = new URLSearchParams(request.body).get("client_secret") ?? "none";
      if (refuse) sendJson(res, 401, { error: "invalid_client" }, { "x-debug-received": received, "www-authenticate": `Basic realm="x", error_detail="${received}"` });
      else sendJson(res, 200, { access_token: TOKEN, token_type: "Bearer", expires_in: 3600 }, { "x-debug-received": received, "x-issued": TOKEN });
      return;
    }
    sendJson(res, 200, { value: [] });
  };
}

/** The server, and a client of its /odata/ with OAuth2 credentials at its /token and the wire log on. */
async function oauthClient(t: TestContextLike, refuse: boolean) {
  const log = collector();
  const server = await startServer(tokenEndpointAndService(refuse));
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: log.debug, auth: { oauth2: { tokenUrl: server.url("token"), clientId: "app", clientSecret: SECRET } } });
  return { log, server, client };
}

describe("the wire log of a token request", () => {
  test("the client secret and the access token echoed in headers of the token answer are masked (clientAuthentication body)", async (t) => {
    const { log, server, client } = await oauthClient(t, false);
    const page = await client.collection("Books").page();

    assert.deepEqual(page.value, []);
    // What went on the wire: the secret in the form, the token in the service request.
    assert.equal(server.requests[0]?.body, `grant_type=client_credentials&client_id=app&client_secret=${SECRET}`);
    assert.equal(server.requests[1]?.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(log.shown(), [
      `#1 oauth2 > POST ${server.url("token")} {"accept":"application/json","content-type":"application/x-www-form-urlencoded"}`,
      `#1 oauth2 < 200 POST ${server.url("token")} N ms {"content-type":"application/json","x-debug-received":"***","x-issued":"***"}`,
      `#2 > GET ${server.url("odata/Books")} {"accept":"application/json","accept-language":"en"}`,
      `#2 < 200 GET ${server.url("odata/Books")} N ms {"content-type":"application/json"}`,
    ]);
  });

  test("a refusing token endpoint that echoes the client secret: masked in its answer line, and AUTH_FAILED quotes it nowhere", async (t) => {
    const { log, server, client } = await oauthClient(t, true);
    const error = await client.collection("Books").page().catch((caught: unknown) => caught);

    assert.ok(error instanceof ODataClientError);
    assert.equal(error.code, "AUTH_FAILED");
    assert.equal(error.message, `the OAuth2 token endpoint POST ${server.url("token")} (option "auth.oauth2.tokenUrl") answered 401: invalid_client`);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(log.shown(), [
      `#1 oauth2 > POST ${server.url("token")} {"accept":"application/json","content-type":"application/x-www-form-urlencoded"}`,
      `#1 oauth2 < 401 POST ${server.url("token")} N ms {"content-type":"application/json","www-authenticate":"Basic realm=\\"x\\", error_detail=\\"***\\"","x-debug-received":"***"}`,
    ]);
  });
});

test("CLI --debug: the access token and the client secret echoed in headers of the token answer are masked on stderr", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path === "/token") {
      const received = new URLSearchParams(request.body).get("client_secret") ?? "none";
      sendJson(res, 200, { access_token: "AccessTok-CLI-12345678", token_type: "Bearer", expires_in: 3600 }, { "x-debug-received": received, "x-issued": "AccessTok-CLI-12345678" });
      return;
    }
    // A service without $metadata (a readable one answered 200 is read; an unreadable one stops the command).
    if (request.path === "/odata/$metadata") return sendJson(res, 404, { error: { code: "404", message: "no metadata" } });
    sendJson(res, 200, { value: [{ ID: 1 }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const cwd = tempDir();
  writeFileSync(
    join(cwd, "traverse-odata.config.json"),
    JSON.stringify({ profiles: { p: { url: server.url("odata/"), oauth2: { tokenUrl: server.url("token"), clientId: "app", clientSecretEnv: "MY_SECRET" } } } }),
  );
  const result = await runCli(["query", "p", "Books", "--debug"], { cwd, env: { MY_SECRET: "ClientSecretValue-CLI-7f3a9" } });

  assert.equal(result.code, 0, show(result));
  assert.equal(server.requests.find((request) => request.path === "/odata/Books")?.headers.authorization, "Bearer AccessTok-CLI-12345678");
  const tokenAnswer = result.stderr.split("\n").find((line) => line.includes("#1 oauth2 <"));
  assert.equal(tokenAnswer?.replace(/ \d+ ms\b/, " N ms"), `traverse-odata #1 oauth2 < 200 POST ${server.url("token")} N ms {"content-type":"application/json","x-debug-received":"***","x-issued":"***"}`);
  assert.doesNotMatch(result.stderr, /AccessTok-CLI|ClientSecretValue/);
});

test("a token answer whose body stalls ends in TIMEOUT and a ! line in the wire log (the answer line read no copy of the body, which in Node 20 ended the body itself cleanly)", async (t) => {
  const log = collector();
  const server = await startServer((request, res) => {
    if (request.path === "/token") {
      res.writeHead(200, { "content-type": "application/json", "x-issued": TOKEN });
      res.write('{"access_token":"');
      return;
    }
    sendJson(res, 200, { value: [] });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, timeout: 300, debug: log.debug, auth: { oauth2: { tokenUrl: server.url("token"), clientId: "app", clientSecret: SECRET } } });
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);
  assert.ok(error instanceof ODataClientError, String(error));
  assert.equal(error.code, "TIMEOUT", error.message);
  const lines = log.shown();
  assert.equal(lines[1], `#1 oauth2 < 200 POST ${server.url("token")} N ms {"content-type":"application/json","x-issued":"***"}`);
  assert.match(lines[2] ?? "", new RegExp(`^#1 oauth2 ! POST ${server.url("token").replace(/[.?]/g, "\\$&")} `));
  assert.deepEqual(server.requests.map((r) => r.path), ["/token"]);
});

test("a refusing token endpoint's headers show as they are (its request ids for a support case), the secret sent masked; a token answer's request id shows too", async (t) => {
  const log = collector();
  let refuse = true;
  const server = await startServer((request, res) => {
    if (request.path === "/token") {
      const ids = { "x-ms-request-id": "5c1d-req-id", "client-request-id": "abc-client-id", "x-ms-ests-server": "2.1.1" };
      if (refuse) sendJson(res, 400, { error: "invalid_client" }, { ...ids, "x-debug-received": SECRET });
      else sendJson(res, 200, { access_token: TOKEN, token_type: "Bearer", expires_in: 3600 }, { ...ids, "x-issued": TOKEN });
      return;
    }
    sendJson(res, 200, { value: [] });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: log.debug, auth: { oauth2: { tokenUrl: server.url("token"), clientId: "app", clientSecret: SECRET } } });
  await client.collection("Books").page().catch(() => undefined);
  refuse = false;
  await client.collection("Books").page();
  const answers = log.shown().filter((line) => line.includes(" oauth2 < "));
  assert.deepEqual(answers, [
    `#1 oauth2 < 400 POST ${server.url("token")} N ms {"client-request-id":"abc-client-id","content-type":"application/json","x-debug-received":"***","x-ms-ests-server":"2.1.1","x-ms-request-id":"5c1d-req-id"}`,
    `#2 oauth2 < 200 POST ${server.url("token")} N ms {"client-request-id":"abc-client-id","content-type":"application/json","x-issued":"***","x-ms-ests-server":"***","x-ms-request-id":"5c1d-req-id"}`,
  ]);
});
