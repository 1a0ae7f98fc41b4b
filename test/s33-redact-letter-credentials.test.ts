/**
 * A `Basic` or `Bearer` credential made of letters alone (`dXNlcjpwYXNz`, the base64 of user:pass;
 * a random token) is masked in free text as one with a digit or a `=` is, while prose after the
 * scheme's name ("Basic authentication", "Bearer token", "bearer Tokens") stays readable: in
 * redactText, and in the ODataHttpError of a service that echoes the credential it was sent.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataHttpError, redactText } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

/** The base64 of "user:pass": letters only. */
const USER_PASS = Buffer.from("user:pass").toString("base64");
/** A random-looking token of letters only, with a lower case letter before an upper case one. */
const LETTER_TOKEN = "kQxvTbWmZpLaRfNe";

test("redactText masks a Basic or Bearer credential of letters only, and keeps prose after the scheme's name", () => {
  assert.equal(USER_PASS, "dXNlcjpwYXNz");
  assert.equal(redactText(`Basic ${USER_PASS}`), "Basic ***");
  assert.equal(redactText(`the service refused Bearer ${LETTER_TOKEN}; try again`), "the service refused Bearer ***; try again");
  assert.equal(redactText("bearer abcdefghijklmnopqrstuvwx expired"), "bearer *** expired");
  for (const prose of ["Basic authentication is not enabled", "a Bearer token is required", "bearer Tokens expire after an hour", "Negotiate authentication failed", "Basic auth"]) {
    assert.equal(redactText(prose), prose);
  }
});

test("a service quoting letters-only Basic and Bearer credentials in its error: masked in the ODataHttpError, the prose around them kept", async (t) => {
  // Credentials the client did not send (another caller's, a service's own): nothing but their
  // shape tells them apart from prose.
  const said = `Basic authentication failed for Basic ${USER_PASS}; a Bearer token is required, not Bearer ${LETTER_TOKEN}`;
  const server = await startServer((_request, res) => {
    sendJson(res, 401, { error: { code: "UNAUTHORIZED", message: said } }, { "x-detail": said });
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);
  assert.deepEqual(server.requests.map((request) => [request.method, request.path, request.headers.authorization]), [["GET", "/odata/Books", undefined]]);
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.equal(error.status, 401);
  const masked = "Basic authentication failed for Basic ***; a Bearer token is required, not Bearer ***";
  assert.equal(error.message, `GET ${server.url("odata/Books")} failed with HTTP 401 Unauthorized [UNAUTHORIZED]: ${masked}`);
  assert.equal(error.headers["x-detail"], masked);
  for (const text of [error.message, String(error), inspect(error, { depth: Infinity }), JSON.stringify(error)]) {
    assert.ok(!text.includes(USER_PASS) && !text.includes(LETTER_TOKEN), text);
  }
});
