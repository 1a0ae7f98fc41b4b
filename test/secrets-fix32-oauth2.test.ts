/**
 * OAuth2 client credentials, where a token endpoint echoes what it got or gave: a client secret
 * echoed HTML-escaped (`&amp;`) in `error_description` is masked as one echoed plain is; a
 * `token_type` that quotes the access token just issued (`"mac <token>"`) or the client secret is
 * quoted with them masked; and the wire log's line of a token answer masks the issued token by
 * value in the headers it shows (a request id that repeats it), where a real request id stays.
 * Real HTTP on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, type OAuth2ClientAuthentication } from "../src/index.js";
import { sendJson, startServer, type RecordingServer } from "./servers/recording-server.js";

const SECRET = "cs+S3cr3t/&=zq é-0123";
const ACCESS = "at-issued-0123456789abcdef";
const REQUEST_ID = "6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b";

type Answer = (form: string) => { status: number; body: unknown; headers?: Record<string, string> };

async function endpoints(t: { after(fn: () => Promise<void>): void }, answer: Answer): Promise<{ token: RecordingServer; service: RecordingServer }> {
  const token = await startServer((request, res) => {
    const { status, body, headers } = answer(request.body);
    sendJson(res, status, body, headers);
  });
  const service = await startServer((_request, res) => sendJson(res, 200, { value: [{ ID: 1 }] }));
  t.after(async () => {
    await token.close();
    await service.close();
  });
  return { token, service };
}

function clientOf(token: RecordingServer, service: RecordingServer, clientAuthentication: OAuth2ClientAuthentication, lines: string[] = []): ODataClient {
  return new ODataClient({
    serviceUrl: service.url("svc/"),
    retry: false,
    debug: (line) => lines.push(line),
    auth: { oauth2: { tokenUrl: token.url("token"), clientId: "my-client", clientSecret: SECRET, clientAuthentication } },
  });
}

async function authFailure(client: ODataClient): Promise<ODataClientError> {
  const error = await client.collection("Items").page().then(
    () => assert.fail("resolved"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataClientError && error.code === "AUTH_FAILED", inspect(error));
  return error;
}

function assertNowhere(texts: readonly string[], secrets: readonly string[]): void {
  const shown = texts.join("\n");
  for (const secret of secrets) for (const form of [secret, encodeURIComponent(secret), secret.replace(/&/g, "&amp;")]) assert.ok(!shown.includes(form), `${form} in:\n${shown}`);
}

const everywhere = (error: Error, lines: readonly string[]) => [error.message, String(error.stack), inspect(error, { depth: 10 }), JSON.stringify(error), ...lines];

for (const clientAuthentication of ["body", "basic"] as const) {
  test(`clientAuthentication ${clientAuthentication}: a client secret the endpoint echoes HTML-escaped, percent-encoded or plain in error_description is masked`, async (t) => {
    const { token, service } = await endpoints(t, () => ({
      status: 400,
      body: { error: "invalid_client", error_description: `bad secret ${SECRET.replace(/&/g, "&amp;")} / ${SECRET.replace(/&/g, "&#38;")} / ${encodeURIComponent(SECRET).toLowerCase()} / ${SECRET}` },
    }));
    const lines: string[] = [];
    const error = await authFailure(clientOf(token, service, clientAuthentication, lines));
    const form = token.requests[0]?.body ?? "";
    assert.equal(clientAuthentication === "body" ? new URLSearchParams(form).get("client_secret") : form.includes("client_secret"), clientAuthentication === "body" ? SECRET : false);
    assert.equal(service.requests.length, 0);
    assert.equal(error.message, `the OAuth2 token endpoint POST ${token.url("token")} (option "auth.oauth2.tokenUrl") answered 400: invalid_client: bad secret *** / *** / *** / ***`);
    assertNowhere(everywhere(error, lines), [SECRET]);
  });

  test(`clientAuthentication ${clientAuthentication}: a token_type that quotes the access token just issued, or the client secret, is quoted with them masked`, async (t) => {
    let tokenType = `mac ${ACCESS}`;
    const { token, service } = await endpoints(t, () => ({ status: 200, body: { access_token: ACCESS, token_type: tokenType } }));
    const lines: string[] = [];
    const error = await authFailure(clientOf(token, service, clientAuthentication, lines));
    const prefix = `the OAuth2 token endpoint POST ${token.url("token")} (option "auth.oauth2.tokenUrl") gave a token of type`;
    assert.equal(error.message, `${prefix} "mac ***"; only Bearer tokens can be sent`);
    assertNowhere(everywhere(error, lines), [ACCESS]);

    tokenType = SECRET;
    const again = await authFailure(clientOf(token, service, clientAuthentication));
    assert.equal(again.message, `${prefix} "***"; only Bearer tokens can be sent`);
    assertNowhere(everywhere(again, []), [SECRET]);
    assert.equal(service.requests.length, 0);
  });
}

test("the wire log's line of a token answer masks the issued token where a shown header (x-ms-request-id) repeats it; a real request id stays; the lines keep their order", async (t) => {
  const { token, service } = await endpoints(t, () => ({
    status: 200,
    body: { access_token: ACCESS, token_type: "Bearer", expires_in: 3600 },
    headers: { "x-ms-request-id": ACCESS, "request-id": REQUEST_ID, "x-issued": ACCESS },
  }));
  const lines: string[] = [];
  const client = clientOf(token, service, "body", lines);
  assert.deepEqual((await client.collection("Items").page()).value, [{ ID: 1 }]);
  assert.equal(service.requests[0]?.headers.authorization, `Bearer ${ACCESS}`);
  const shown = lines.map((line) => line.replace(/ \d+ ms /, " MS ms "));
  assert.deepEqual(shown, [
    `#1 oauth2 > POST ${token.url("token")} {"accept":"application/json","content-type":"application/x-www-form-urlencoded"}`,
    `#1 oauth2 < 200 POST ${token.url("token")} MS ms {"content-type":"application/json","request-id":"${REQUEST_ID}","x-issued":"***","x-ms-request-id":"***"}`,
    `#2 > GET ${service.url("svc/Items")} {"accept":"application/json","accept-language":"en"}`,
    `#2 < 200 GET ${service.url("svc/Items")} MS ms {"content-type":"application/json"}`,
  ]);
  assertNowhere(lines, [ACCESS, SECRET]);
});
