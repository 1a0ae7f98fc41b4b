/**
 * The OAuth2 client secret in the `AUTH_FAILED` of a token endpoint that echoes it: masked as `***`
 * in every form it travelled in, as the README promises: the base64 of the basic credentials
 * quoted without their `Basic` scheme, and a secret holding a run of spaces, a tab or a line break
 * (the message puts the endpoint's text on one line, which must not unmask it).
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, type OAuth2ClientAuthentication } from "../src/index.js";
import { sendJson, startServer, type RecordedRequest, type RecordingServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

const CLIENT_ID = "app";

/** A token endpoint that refuses every request with `invalid_client` and a description made by `describe`. */
async function echoingEndpoint(t: TestContext, describe: (request: RecordedRequest) => string): Promise<RecordingServer> {
  const server = await startServer((request, res) => sendJson(res, 401, { error: "invalid_client", error_description: describe(request) }));
  t.after(() => server.close());
  return server;
}

/** A service that answers every request (it is never asked in these tests). */
async function service(t: TestContext): Promise<RecordingServer> {
  const server = await startServer((_request, res) => sendJson(res, 200, { value: [] }));
  t.after(() => server.close());
  return server;
}

/** The error a read rejects with when the token endpoint refuses the client. */
async function refusal(svc: RecordingServer, tokens: RecordingServer, clientSecret: string, clientAuthentication: OAuth2ClientAuthentication): Promise<ODataClientError> {
  const client = new ODataClient({
    serviceUrl: svc.url("odata/"),
    retry: false,
    auth: { oauth2: { tokenUrl: tokens.url("oauth/token"), clientId: CLIENT_ID, clientSecret, clientAuthentication } },
  });
  const error = await rejectionOf(client.collection("Things").list());
  assert.ok(error instanceof ODataClientError && error.code === "AUTH_FAILED", inspect(error));
  assert.equal(svc.requests.length, 0, "the service is not asked");
  return error;
}

/** Every text of an error a caller may print or log. */
function textsOf(error: Error): string {
  return [error.message, String(error), error.stack ?? "", inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)].join("\n");
}

test("basic client authentication: the base64 of the credentials, quoted without the Basic scheme, padded or not, in either base64 alphabet, is masked", async (t) => {
  // Its basic credentials' base64 holds a "+" and ends in "==", so the URL-safe and unpadded forms differ from it.
  const secret = "k?>~secret-value1";
  const base64 = Buffer.from(`${CLIENT_ID}:${encodeURIComponent(secret)}`).toString("base64");
  const base64url = Buffer.from(`${CLIENT_ID}:${encodeURIComponent(secret)}`).toString("base64url");
  assert.match(base64, /\+.*==$/);
  const svc = await service(t);
  const tokens = await echoingEndpoint(t, (request) => {
    const credentials = String(request.headers.authorization).slice("Basic ".length);
    return `client auth failed for ${credentials}; as base64url: ${Buffer.from(credentials, "base64").toString("base64url")}`;
  });
  const error = await refusal(svc, tokens, secret, "basic");
  // On the wire: the credentials as the header's base64, nothing of them in the form.
  const [sent] = tokens.requests;
  assert.equal(sent?.headers.authorization, `Basic ${base64}`);
  assert.equal(new URLSearchParams(sent?.body).has("client_secret"), false);
  assert.equal(
    error.message,
    `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") answered 401: invalid_client: client auth failed for ***; as base64url: ***`,
  );
  for (const form of [base64, base64url, secret]) assert.ok(!textsOf(error).includes(form), `the error quotes ${form}`);
});

test("a client secret holding a run of spaces, a tab or a line break is masked where the endpoint echoes it as sent, and where it echoes it on one line", async (t) => {
  const svc = await service(t);
  for (const secret of ["abc  defghijk123", "abc\tdefghijk123", "abc\ndefghijk123", "abc \r\n\t defghijk123"]) {
    const tokens = await echoingEndpoint(t, (request) => {
      const echoed = new URLSearchParams(request.body).get("client_secret") ?? "";
      return `client not recognised, got ${echoed} (that is: ${echoed.replace(/\s+/g, " ")})`;
    });
    const error = await refusal(svc, tokens, secret, "body");
    // On the wire: the secret as it is, in the form.
    assert.equal(new URLSearchParams(tokens.requests[0]?.body).get("client_secret"), secret);
    assert.equal(
      error.message,
      `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") answered 401: invalid_client: client not recognised, got *** (that is: ***)`,
      JSON.stringify(secret),
    );
    const texts = textsOf(error);
    for (const form of [secret, secret.replace(/\s+/g, " "), "defghijk123"]) assert.ok(!texts.includes(form), `the error quotes ${JSON.stringify(form)}`);
  }
});

test("a client secret echoed JSON-escaped, or in other letter case, is masked too", async (t) => {
  const secret = 'S3cr3t"value\\xyz';
  const svc = await service(t);
  const tokens = await echoingEndpoint(t, (request) => {
    const echoed = new URLSearchParams(request.body).get("client_secret") ?? "";
    // Not under a key named like a secret, which the message's redaction masks whatever its value.
    return `the request said ${JSON.stringify(echoed)}; normalised: ${echoed.toUpperCase()}`;
  });
  const error = await refusal(svc, tokens, secret, "body");
  assert.equal(new URLSearchParams(tokens.requests[0]?.body).get("client_secret"), secret);
  assert.equal(
    error.message,
    `the OAuth2 token endpoint POST ${tokens.url("oauth/token")} (option "auth.oauth2.tokenUrl") answered 401: invalid_client: the request said "***"; normalised: ***`,
  );
  assert.ok(!/value/i.test(error.message));
});
