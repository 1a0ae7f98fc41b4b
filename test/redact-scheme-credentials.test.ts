/**
 * What follows an `Authorization` scheme's name in text: of 8 characters or more, a value with a
 * character other than a letter, or of 20 letters, is masked after any scheme. Of fewer letters:
 * after `Bearer`, a token whatever its letters (`abcdefghijkl` is masked as `kQxvTbWm` is, and so
 * is a word of prose), the words that say what the scheme is about aside; after `Basic`, a
 * credential only where it reads as base64 of `user:password` text (a colon, no control
 * character, UTF-8), so that prose ("Basic JavaScript knowledge", "Basic Operations", "requires
 * Basic authentication.") stays. Checked where a service echoes them: the ODataHttpError's message
 * and headers, and the wire log.
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

/** The base64 of `pair` without its padding, where that is letters alone, fewer than 20 of them, and 8 or more. */
function lettersOnly(pair: string): string {
  const base64 = Buffer.from(pair).toString("base64").replace(/=+$/, "");
  assert.match(base64, /^[A-Za-z]{8,19}$/, pair);
  return base64;
}

test("after Basic, letters that read as base64 of user:password are masked: a short or empty password, an empty user id, a UTF-8 user id, a pair cut short, padded, before a full stop", () => {
  for (const pair of ["exTPQe:", "vaqe22:A", ":boJanABi", "B\u00d6I:lmvoB", "user:pass"]) {
    const base64 = lettersOnly(pair);
    assert.equal(redactText(`request sent with Basic ${base64} was refused`), "request sent with Basic *** was refused", pair);
    assert.equal(redactText(`This service refused Basic ${base64}.`), "This service refused Basic ***", pair);
  }
  // Padded, the value holds a character other than a letter.
  assert.equal(redactText(`Basic ${Buffer.from("exTPQe:").toString("base64")} refused`), "Basic *** refused");
  // Cut a letter past its last whole byte ("dXNlcjpwY" reads "user:p" and a letter of no byte).
  assert.equal(redactText(`Basic ${USER_PASS.slice(0, 9)}`), "Basic ***");
});

test("after Basic, every letters-only base64 of user:password of 8 to 19 letters is masked, drawn from 40,000 pairs of printable ASCII", () => {
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.!@ -";
  let seed = 7;
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  const draw = (length: number) => Array.from({ length }, () => chars[next(chars.length)]).join("");
  const tried = new Set<string>();
  for (let i = 0; i < 40_000; i++) {
    const base64 = Buffer.from(`${draw(1 + next(8))}:${draw(next(8))}`).toString("base64").replace(/=+$/, "");
    if (!/^[A-Za-z]{8,19}$/.test(base64)) continue;
    tried.add(base64);
    assert.equal(redactText(`sent Basic ${base64} here`), "sent Basic *** here", base64);
  }
  assert.ok(tried.size > 1000, `only ${tried.size} drawn`);
});

test("after Basic, what reads as no user:password text stays: capitalised words whose base64 bytes start with a colon, a word before a full stop or a colon, bytes with a control character", () => {
  for (const prose of [
    "See Basic Operations in the guide",
    "Basic Overview",
    "Basic Optional settings",
    "Basic Original values",
    "Basic Override rules",
    "Basic Organization data",
    "This service requires Basic authentication.",
    "Basic authentication: not enabled",
    "Basic authentication, Bearer authentication, or Negotiate authentication are accepted",
  ]) {
    assert.equal(redactText(prose), prose);
  }
  // Bytes with a control character in them are no user id and password, though they hold a colon.
  const control = lettersOnly("ab\u0004:fkz");
  assert.equal(redactText(`Basic ${control} here`), `Basic ${control} here`);
});

test("after any scheme, a value of 8 characters or more with a character other than a letter, or of 20 letters, is masked; one of 7 stays", () => {
  assert.equal(redactText("Basic Abcdefghijklmnopqrst here"), "Basic *** here");
  assert.equal(redactText("Bearer Authenticationabcdefg here"), "Bearer *** here");
  assert.equal(redactText("Bearer abc.def.ghi here"), "Bearer *** here");
  assert.equal(redactText("Negotiate YIIabc+/ here"), "Negotiate *** here");
  assert.equal(redactText("Bearer abcdefg here"), "Bearer abcdefg here");
});

test("after Bearer, a word of prose is masked as a token of lower-case letters is (none can be told from one), the words about the scheme aside", () => {
  assert.equal(redactText("Authorization header must start with Bearer followed by a space"), "Authorization header must start with Bearer *** by a space");
  assert.equal(redactText("Authentication scheme Bearer expected"), "Authentication scheme Bearer ***");
  // The full stop is read with the word, as a token may end in one (RFC 6750's b64token).
  assert.equal(redactText("Only Bearer authentication."), "Only Bearer ***");
  assert.equal(redactText("Bearer authentication is required"), "Bearer authentication is required");
});

/** The base64 of `pair` written in ISO-8859-1 (a byte a character), letters alone, 8 to 19 of them; its bytes are no UTF-8. */
function latin1LettersOnly(pair: string): string {
  const bytes = Buffer.from(pair, "latin1");
  assert.notEqual(bytes.toString("utf8"), pair, `${pair} reads as UTF-8`);
  const base64 = bytes.toString("base64").replace(/=+$/, "");
  assert.match(base64, /^[A-Za-z]{8,19}$/, pair);
  return base64;
}

test("after Basic, letters that read as base64 of an ISO-8859-1 user:password (not UTF-8) are masked", () => {
  for (const pair of ["m\u00fcller:geheim", "xhal:\u00e4c", "h\u00e5h:pri", "i\u00e4\u00f1:\u00f8irb", "fli:e\u00e4a"]) {
    const base64 = latin1LettersOnly(pair);
    assert.equal(redactText(`request sent with Basic ${base64} was refused`), "request sent with Basic *** was refused", pair);
    assert.equal(redactText(`This service refused Basic ${base64}.`), "This service refused Basic ***", pair);
  }
});

test("after Basic, every letters-only base64 of an ISO-8859-1 user:password of 8 to 19 letters is masked, drawn from 40,000 pairs with accented letters", () => {
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.!@ -\u00e4\u00f6\u00fc\u00df\u00e9\u00e8\u00f1\u00e7\u00e5\u00f8\u00e6\u00c4\u00d6\u00dc\u00a3\u00bf";
  let seed = 11;
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  const draw = (length: number) => Array.from({ length }, () => chars[next(chars.length)]).join("");
  const tried = new Set<string>();
  for (let i = 0; i < 40_000; i++) {
    const bytes = Buffer.from(`${draw(1 + next(8))}:${draw(next(8))}`, "latin1");
    if (!bytes.some((byte) => byte >= 0xa0)) continue;
    const base64 = bytes.toString("base64").replace(/=+$/, "");
    if (!/^[A-Za-z]{8,19}$/.test(base64)) continue;
    tried.add(base64);
    assert.equal(redactText(`sent Basic ${base64} here`), "sent Basic *** here", bytes.toString("latin1"));
  }
  assert.ok(tried.size > 500, `only ${tried.size} drawn`);
});

test("after a scheme, a lone name=value of another name than a challenge's own params is a token, at the text's end, a line's end or before a comma and prose", () => {
  for (const [text, shown] of [
    ["Bearer tok=abcdefghijk", "Bearer ***"],
    ["the service refused Bearer tok=abcdefghijk", "the service refused Bearer ***"],
    ["Bearer tok=abcdefghijk\nnext line", "Bearer ***\nnext line"],
    ["Bearer tok=abcdefghijk\r\nDate: today", "Bearer ***\r\nDate: today"],
    ["Bearer tok=abcdefghijk, refused", "Bearer ***, refused"],
    ["Bearer tok=abcdefghijk.", "Bearer ***"],
    [`Bearer t=${"kQxvTbWm9_-".repeat(8)}`, "Bearer ***"],
    ["Bearer a-b=cdefghijklmn", "Bearer ***"],
    ["bearer TK=ABCDEFGHIJK", "bearer ***"],
    ["Basic user=abcdefghijk", "Basic ***"],
    ["Negotiate tok=abcdefghijk", "Negotiate ***"],
    ["NTLM tok=abcdefghijk", "NTLM ***"],
    ["Bearer realmx=example12", "Bearer ***"],
    ['{"message":"sent Bearer tok=abcdefghijk"}', '{"message":"sent Bearer ***"}'],
  ]) {
    assert.equal(redactText(text!), shown, text);
  }
});

test("after a scheme, a challenge's own param alone at the end (realm, scope, error, charset), a quoted value, or a list of params shows", () => {
  for (const challenge of [
    "Bearer realm=example",
    "Bearer realm=abcdefghijklmnop",
    'Bearer realm="x"',
    'Bearer realm="example"',
    'Bearer tok="abcdefghijk"',
    "Bearer REALM=example",
    "Bearer realm = example",
    "Bearer scope=openid",
    "Bearer error=invalid_token",
    "Bearer error_uri=https://docs.example/errors/401",
    'Bearer resource_metadata="https://api.example/.well-known/oauth-protected-resource"',
    "Bearer authorization_uri=https://login.example/authorize, error=invalid_token",
    "Basic realm=odatarealm",
    "Basic charset=UTF-8",
    "Bearer tok=abcdefghijk, error=invalid_token",
    "WWW-Authenticate: Bearer realm=example\r\nDate: today",
    "Bearer realm=example\nnext line",
    "Bearer realm=example, Basic realm=odata",
  ]) {
    assert.equal(redactText(challenge), challenge);
  }
  // Masked by the rules of parameters first, the value is *** and the rest shows.
  assert.equal(redactText("Bearer client_secret=s3cr3tvalue"), "Bearer client_secret=***");
  assert.equal(redactText("Bearer access_token=abcdefghijk"), "Bearer access_token=***");
  // A challenge's own param followed by prose is no challenge, as before: its value is masked.
  assert.equal(redactText("Bearer realm=example was refused"), "Bearer *** was refused");
});

test("a service answering 401 with WWW-Authenticate: Bearer realm=example and echoing Bearer tok=…: the challenge shows in the error's headers, the token is masked in its message, headers and the wire log", async (t) => {
  const token = "tok=abcdefghijk";
  const log = collector();
  const { server, client, root } = await serveClient(
    t,
    (_request, res) => sendJson(res, 401, { error: { code: "UNAUTHORIZED", message: `refused Bearer ${token}` } }, { "www-authenticate": "Bearer realm=example", "x-echo": `Bearer ${token}`, "x-challenge": 'Bearer realm="x"' }),
    { debug: log.debug },
  );
  const error = await client.collection("Books").page().catch((caught: unknown) => caught);
  assert.deepEqual(server.requests.map((request) => [request.method, request.path, request.headers.authorization]), [["GET", "/odata/Books", undefined]]);
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.equal(error.message, `GET ${root}Books failed with HTTP 401 Unauthorized [UNAUTHORIZED]: refused Bearer ***`);
  assert.equal(error.headers["www-authenticate"], "Bearer realm=example");
  assert.equal(error.headers["x-challenge"], 'Bearer realm="x"');
  assert.equal(error.headers["x-echo"], "Bearer ***");
  const answer = log.shown().find((line) => line.startsWith("#1 < 401"));
  assert.ok(answer !== undefined, log.lines.join("\n"));
  assert.ok(answer.includes(`"www-authenticate":"Bearer realm=example"`) && answer.includes(`"x-echo":"Bearer ***"`), answer);
  for (const text of [error.message, inspect(error, { depth: Infinity }), JSON.stringify(error), ...log.lines]) {
    assert.ok(!text.includes("abcdefghijk"), text);
  }
});

test("after Basic, words whose base64 reads as ISO-8859-1 with a sign of its upper half other than a letter, µ, £, ¡ or ¿ stay", () => {
  // Each of these read as a printable ISO-8859-1 pair: crossjoin is `rº,²:"`, premajor `¦·¦j:+`.
  for (const word of ["crossjoin", "premajor", "Premajor", "Paleozoic", "trapezoid", "Trapezoidal", "protozoon", "scherzos", "ImageTrack", "MinusToken", "edmxOrCsdlJsonText", "endOfFileToken", "LeftOver", "StepOver", "TextOverflow", "parseToken", "WrapOutput"]) {
    assert.equal(redactText(`see Basic ${word} here`), `see Basic ${word} here`, word);
  }
  // A pair with an accented letter or £ past ASCII is still one.
  for (const pair of ["a\u00a3a:aq", "a\u00fca:bq", "m\u00fcller:geheim"]) {
    assert.equal(redactText(`sent Basic ${latin1LettersOnly(pair)} here`), "sent Basic *** here", pair);
  }
});

test("after Basic, letters that read as an ISO-8859-1 user:password with ¡, ª, º or µ past ASCII are masked", () => {
  for (const pair of ["juan:\u00a1mi\u00a1", "juan:abc\u00a1", "juan:\u00aaabc", "eva:\u00baabc", "juan:mi\u00b5mi"]) {
    const base64 = latin1LettersOnly(pair);
    assert.equal(redactText(`the proxy sent Basic ${base64} and was refused`), "the proxy sent Basic *** and was refused", pair);
    assert.equal(redactText(`This service refused Basic ${base64}.`), "This service refused Basic ***", pair);
  }
});

test("after Bearer, a lone unquoted challenge param whose value is a URL, or of a name a challenge sends alone (RFC 9728, Azure), shows; a lone name=token of another name is still a token", () => {
  for (const challenge of [
    "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize",
    "answered 401 (WWW-Authenticate: Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize)",
    "WWW-Authenticate: Bearer authorization_uri=https://login.microsoftonline.com/tenant/oauth2/authorize resource_id=https://storage.azure.com",
    "WWW-Authenticate: Bearer resource_metadata=https://api.example.com/.well-known/oauth-protected-resource",
    "www-authenticate: Bearer trusted_issuers=issuer",
    "www-authenticate: Bearer audience=api",
    "Bearer resource_id=00000003-0000-0000-c000-000000000000",
  ]) {
    assert.equal(redactText(challenge), challenge);
  }
  // A token68 holds no colon, but a name=token without one, or one whose colon ends a sentence, is still read as a token.
  assert.equal(redactText("Bearer tok=abcdefghijk"), "Bearer ***");
  assert.equal(redactText("the service refused Bearer tok=abcdefghijk: expired"), "the service refused Bearer *** expired");
  assert.equal(redactText("Bearer audiencex=abcdefghijk"), "Bearer ***");
  // Only a URL's colon makes a param: a token68 ending in `=` that text with a colon follows is a
  // token (masked before the rule for URL-valued params, and shown by its first form).
  assert.equal(redactText("Bearer abcdefghijklmnop=x:y was refused"), "Bearer *** was refused");
  assert.equal(redactText("Bearer abcdefghijklmnop=;scope:read"), "Bearer ***;scope:read");
  assert.equal(redactText("Bearer ticket=urn:example:abc"), "Bearer ***");
});
