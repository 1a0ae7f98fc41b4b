/**
 * What follows an `Authorization` scheme's name in text: after `Bearer`, a token whatever its
 * letters (`abcdefghijkl` is masked as `kQxvTbWm` is), the words that say what the scheme is about
 * aside; after `Basic`, a credential only where it reads as base64 of `user:password` (its bytes
 * hold the colon), so that a camel-case word of prose ("Basic JavaScript knowledge") stays.
 * Checked where a service echoes them: the ODataHttpError's message and headers, and the wire log.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataHttpError, redactText } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";
import { collector } from "./wire-log-collector.js";

/** A token of lower-case letters alone, 12 of them: it reads as a word. */
const LOWER_TOKEN = "abcdefghijkl";
/** The base64 of "user:pass", letters only. */
const USER_PASS = Buffer.from("user:pass").toString("base64");

test("redactText masks a Bearer token of lower-case letters, and keeps the prose after Bearer and a camel-case word after Basic", () => {
  assert.equal(redactText(`Bearer ${LOWER_TOKEN}`), "Bearer ***");
  assert.equal(redactText(`the token Bearer ${LOWER_TOKEN} was refused`), "the token Bearer *** was refused");
  assert.equal(redactText("bearer qwertyuiop expired"), "bearer *** expired");
  assert.equal(redactText(`Basic ${USER_PASS}`), "Basic ***");
  assert.equal(redactText(`Basic ${Buffer.from("alice:secret").toString("base64")}`), "Basic ***");
  // A pair cut short is still one once the cut is past its colon ("dXNlcjpw" is "user:p").
  assert.equal(redactText(`Basic ${USER_PASS.slice(0, 10)}`), "Basic ***");
  for (const prose of [
    "Basic JavaScript knowledge is required",
    "Basic TypeScript and PowerShell skills",
    "Basic authentication is not enabled",
    "Bearer authentication is required",
    "Bearer Authorization failed",
    "Bearer credentials are missing",
    "a Bearer token is required",
    "Negotiate authentication failed",
  ]) {
    assert.equal(redactText(prose), prose);
  }
});

test("a service echoing a lower-case Bearer token and a Basic prose word: the token masked in the error's message, its headers and the wire log, the prose kept", async (t) => {
  const said = `token Bearer ${LOWER_TOKEN} was refused; Basic JavaScript knowledge is required; not Basic ${USER_PASS}`;
  const masked = "token Bearer *** was refused; Basic JavaScript knowledge is required; not Basic ***";
  const log = collector();
  const { server, client, root } = await serveClient(
    t,
    (_request, res) => sendJson(res, 401, { error: { code: "UNAUTHORIZED", message: said } }, { "x-echo": `Bearer ${LOWER_TOKEN}`, "x-detail": said }),
    { debug: log.debug },
  );
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);
  // The client sent no credential: nothing but the text's shape masks what the service said.
  assert.deepEqual(server.requests.map((request) => [request.method, request.path, request.headers.authorization]), [["GET", "/odata/Books", undefined]]);
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.equal(error.message, `GET ${root}Books failed with HTTP 401 Unauthorized [UNAUTHORIZED]: ${masked}`);
  assert.equal(error.headers["x-echo"], "Bearer ***");
  assert.equal(error.headers["x-detail"], masked);
  const answer = log.shown().find((line) => line.startsWith("#1 < 401"));
  assert.ok(answer !== undefined, log.lines.join("\n"));
  assert.ok(answer.includes(`"x-echo":"Bearer ***"`) && answer.includes(JSON.stringify({ "x-detail": masked }).slice(1, -1)), answer);
  for (const text of [error.message, inspect(error, { depth: Infinity }), JSON.stringify(error), ...log.lines]) {
    assert.ok(!text.includes(LOWER_TOKEN) && !text.includes(USER_PASS), text);
  }
});
