import { test } from "node:test";
import assert from "node:assert/strict";
import { maskSecretValues, secretForms } from "./secret-values.js";

/** The forms of a value as it is and in JSON, without its forms in a URL (tested on their own). */
const plainForms = (value: string, authorization = false) => secretForms(value, authorization, false);

test("secretForms gives a value and its JSON form; an Authorization value also its credentials, and Basic's pair and password; none shorter than 8", () => {
  assert.deepEqual(plainForms('pa"ss-word'), ['pa"ss-word', 'pa\\"ss-word']);
  assert.deepEqual(plainForms("Bearer tok-1234"), ["Bearer tok-1234"]);
  assert.deepEqual(plainForms("Bearer tok-1234", true), ["Bearer tok-1234", "tok-1234"]);
  const basic = `Basic ${btoa("alice:s3cret!")}`;
  assert.deepEqual(plainForms(basic, true), [basic, btoa("alice:s3cret!"), "alice:s3cret!"]);
  assert.deepEqual(plainForms(`Basic ${btoa("alice:longer-secret")}`, true).slice(2), ["alice:longer-secret", "longer-secret"]);
  // Not an Authorization value: a password with a space is one secret, not two.
  assert.deepEqual(plainForms("two words"), ["two words"]);
  // Shorter than 8 characters (a password such as "odata" would mangle every URL), or a CSRF
  // protocol word: not masked.
  assert.deepEqual(plainForms("odata"), []);
  assert.deepEqual(plainForms("s3cret!"), []);
  assert.deepEqual(plainForms("Required"), []);
  assert.deepEqual(plainForms(`Basic ${btoa("a:xy")}`, true), [`Basic ${btoa("a:xy")}`, btoa("a:xy")]);
});

test("secretForms of a Cookie header gives each cookie's value too, but not a value that is a setting, nor parts of a value that is no cookie list", () => {
  const cookie = 'SAP_SESSIONID_ER1_100=sess-0123456789; sap-usercontext=sap-client=100; MYSAPSSO2="AjQxMDMBABhTAEE%2f"; lang=de';
  assert.deepEqual(plainForms(cookie).slice(1), [JSON.stringify(cookie).slice(1, -1), "sess-0123456789", "AjQxMDMBABhTAEE%2f"]);
  // With the forms in a URL: a value sent percent-encoded, as SAP writes its tickets, also as a
  // service that decoded it echoes it.
  assert.ok(secretForms(cookie).includes("AjQxMDMBABhTAEE/"), String(secretForms(cookie)));
  assert.deepEqual(secretForms("sess-0123456789").filter((form) => form !== "sess-0123456789"), []);
  // A value that ends in base64's "=" padding is no setting.
  assert.deepEqual(plainForms("token=dGhpcyBpcyBhIHRva2Vu=="), ["token=dGhpcyBpcyBhIHRva2Vu==", "dGhpcyBpcyBhIHRva2Vu=="]);
  // White space in it: no Cookie header.
  assert.deepEqual(plainForms("pass phrase=with spaces"), ["pass phrase=with spaces"]);
  // An Authorization value is read as one, never as cookies.
  assert.deepEqual(plainForms("Bearer a=tok-12345678", true), ["Bearer a=tok-12345678", "a=tok-12345678"]);
});

test("secretForms of a Cookie header keeps a cookie's value that looks like an id or a token (a digit, or 20 characters or more), not one that is a word", () => {
  const cookie = "cookie_consent=accepted; edit_mode=disabled; sidebar=expanded; flag=enabled; JSESSIONID=0123456789ABCDEF; sid=abcdefghijklmnopqrstuvwx; ts=20240101";
  assert.deepEqual(plainForms(cookie).slice(1), ["0123456789ABCDEF", "abcdefghijklmnopqrstuvwx", "20240101"]);
  // A word is still masked where it is the whole value sent (the header itself holds nothing else).
  assert.deepEqual(plainForms("consent=accepted"), ["consent=accepted"]);
  // 19 letters: a word; 20: a token.
  assert.deepEqual(plainForms("a=abcdefghijklmnopqrs; b=abcdefghijklmnopqrst").slice(1), ["abcdefghijklmnopqrst"]);
});

test("maskSecretValues masks the longest form first, in plain text and inside JSON strings", () => {
  const secrets = { values: ['key"4242', "key"], authorizations: [`Basic ${btoa("bob:hunter22")}`] };
  const text = `denied: key"4242 / {"echo":"key\\"4242"} / bob:hunter22 / hunter22 / ${btoa("bob:hunter22")} / key`;
  assert.equal(maskSecretValues(text, secrets), "denied: *** / {\"echo\":\"***\"} / *** / *** / *** / key");
  assert.equal(maskSecretValues("nothing to see", { values: [], authorizations: [] }), "nothing to see");
});

test("maskSecretValues of a text cut short masks a secret the cut falls inside, and nothing else at the end", () => {
  const secrets = { values: [], authorizations: ["Bearer eyJhbGciOi.cut-here-SECRET"] };
  assert.equal(maskSecretValues("denied for eyJhbGciOi.cut", secrets, true), "denied for ***");
  assert.equal(maskSecretValues("denied for eyJhbGciOi.cut", secrets), "denied for eyJhbGciOi.cut", "a text read whole ends where it ends");
  assert.equal(maskSecretValues("denied for eyJ", secrets, true), "denied for eyJ", "fewer than 4 characters of it are left");
  assert.equal(maskSecretValues("denied for you", secrets, true), "denied for you");
});

test("at a cut, only a secret itself is looked for: a text that ends with an Authorization's scheme or a Basic user name keeps it", () => {
  const basic = `Basic ${btoa("admin:s3cretpassword")}`;
  const secrets = { values: ["Bearer configured-1234567"], authorizations: ["Bearer abcdefgh12345678", basic] };
  assert.equal(maskSecretValues("the scheme must be Bear", secrets, true), "the scheme must be Bear");
  assert.equal(maskSecretValues("unknown user admin", secrets, true), "unknown user admin");
  // The secrets' own starts are still masked there.
  assert.equal(maskSecretValues("token abcdefgh12", secrets, true), "token ***");
  assert.equal(maskSecretValues("password s3cret", secrets, true), "password ***");
  assert.equal(maskSecretValues("configured confi", secrets, true), "configured ***");
  // A password with spaces is no Authorization value: its start is masked where a text is cut.
  assert.equal(maskSecretValues("denied: open sesame 20", { values: ["open sesame 2024!"], authorizations: [] }, true), "denied: ***");
});

test("maskSecretValues masks what JSON.parse's message quotes of a secret, cut at either side of its window, and nothing else there", () => {
  const token = "tok-S3CRET-abcdef1234567890";
  const secrets = { values: [], authorizations: [`Bearer ${token}`] };
  const messageOf = (text: string) => {
    try {
      JSON.parse(text);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${text} parsed`);
  };
  // Bodies a service echoed the token in: V8 quotes ten characters either side of the failure.
  const cases: [string, string][] = [
    [`${token} denied`, `Unexpected token 'o', "***"... is not valid JSON`],
    [`{"a": x ${token} }`, `Unexpected token 'x', "{"a": x ***"... is not valid JSON`],
    [`[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, ${token}`, `Unexpected token 'o', ..." 11, 12, ***"... is not valid JSON`],
  ];
  for (const [body, expected] of cases) {
    const message = messageOf(body);
    assert.match(message, /tok-S3CR/, "the parser's message shows part of the token");
    assert.equal(maskSecretValues(`GET x: not JSON (${message})`, secrets), `GET x: not JSON (${expected})`, body);
  }
  // A window cut before it that starts inside the token; one cut at both sides that lies inside it.
  assert.equal(maskSecretValues(`Unexpected token ']', ..."${token.slice(-8)} ]" is not valid JSON`, secrets), `Unexpected token ']', ..."*** ]" is not valid JSON`);
  assert.equal(maskSecretValues(`Unexpected token 'c', ..."S3CRET-abcdef123"... is not valid JSON`, secrets), `Unexpected token 'c', ..."***"... is not valid JSON`);
  // A window with no secret in it is left as the parser wrote it; so is a window's edge that only
  // looks like the token's start in fewer than 4 characters.
  const plain = messageOf("{oops, nothing secret here at all}");
  assert.equal(maskSecretValues(plain, secrets), plain);
  const near = `Unexpected token 'x', "[1, 2, tok"... is not valid JSON`;
  assert.equal(maskSecretValues(near, secrets), near);
});

test("maskSecretValues masks the word JavaScriptCore's parser quotes where it lies in a secret, and a secret cut where this library clipped a text (…)", () => {
  const secrets = { values: [], authorizations: ["Bearer abcdefgh-12345678"] };
  // Bun's JSON.parse quotes the identifier it stopped at: a piece of the token.
  assert.equal(maskSecretValues('the body is not JSON (JSON Parse error: Unexpected identifier "abcdefgh")', secrets), 'the body is not JSON (JSON Parse error: Unexpected identifier "***")');
  assert.equal(maskSecretValues('JSON Parse error: Unexpected identifier "undefined"', secrets), 'JSON Parse error: Unexpected identifier "undefined"');
  // clipText cuts a quoted line at 80 characters and marks the cut with "…".
  assert.equal(maskSecretValues('the first line "xxxx abcdefgh-12…" is not a status line', secrets), 'the first line "xxxx ***…" is not a status line');
  assert.equal(maskSecretValues('the first line "waiting…" is not a status line', secrets), 'the first line "waiting…" is not a status line');
});

test("maskSecretValues reads a long text in time proportional to its length, whatever it holds", () => {
  const secrets = { values: ["key-0123456789abcdef"], authorizations: ["Bearer tok-S3CRET-abcdef1234567890"] };
  const hostile = [
    `{"message":"the request body is not valid JSON","details":[${'"x", '.repeat(100_000)}"end"]}`,
    `${'"tok-S3CR…'.repeat(50_000)} is not valid JSON`,
    `${"Unexpected identifier \"key-".repeat(50_000)}`,
  ];
  for (const text of hostile) {
    const started = performance.now();
    maskSecretValues(text, secrets);
    maskSecretValues(text, secrets, true);
    // A scan that restarts at every quote took 19 s for 485,000 characters; a linear one, milliseconds.
    const took = performance.now() - started;
    assert.ok(took < 2_000, `${Math.round(took)} ms for ${text.length} characters starting ${text.slice(0, 40)}`);
  }
});

test("secretForms gives a secret's percent-encoded and form-encoded forms where they differ from it, none for a value shorter than 8", () => {
  assert.deepEqual(secretForms("s+cr/t pass"), ["s+cr/t pass", "s%2Bcr%2Ft%20pass", "s%2Bcr%2Ft+pass"]);
  // Form encoding escapes !'()~ too; encodeURIComponent does not.
  assert.deepEqual(secretForms("it's~(ok)!x"), ["it's~(ok)!x", "it%27s%7E%28ok%29%21x"]);
  assert.deepEqual(secretForms("plain-token-123"), ["plain-token-123"]);
  // 7 characters: encoded, "a+b/c%d" grows to 13, and would be masked wherever it occurs.
  assert.deepEqual(secretForms("a+b/c%d"), []);
  // An Authorization value's credentials come in every form; Basic's password too.
  assert.ok(secretForms("Bearer tok+en/abc==", true).includes("tok%2Ben%2Fabc%3D%3D"));
  assert.ok(secretForms(`Basic ${btoa("bob:p@ss word!")}`, true).includes("p%40ss+word%21"));
});

test("maskSecretValues masks a secret a service echoes percent-encoded in either case or in part, or form-encoded; a cut text keeps an Authorization's scheme", () => {
  const secrets = { values: ["s+cr/t-value 1"], authorizations: ["Bearer tok+en/abc=="] };
  const echoes = ["s%2Bcr%2Ft-value%201", "s%2bcr%2ft-value%201", "s%2Bcr%2Ft-value+1", "s%2Bcr/t-value+1", "tok%2Ben%2Fabc%3D%3D", "tok%2ben%2fabc%3d%3d", "tok%2Ben/abc=="];
  for (const echo of echoes) assert.equal(maskSecretValues(`denied: ${echo} (code 7)`, secrets), "denied: *** (code 7)", echo);
  // Only the whole secret, decoded, is masked: another escaped text stays.
  assert.equal(maskSecretValues("GET /Books?$filter=Title%20eq%20%27a+b%27", secrets), "GET /Books?$filter=Title%20eq%20%27a+b%27");
  // The forms a cut end is checked against are the secrets' own, encoded or not, never a scheme's.
  assert.equal(maskSecretValues("the scheme must be Bear", secrets, true), "the scheme must be Bear");
  assert.equal(maskSecretValues("denied for tok%2Ben%2F", secrets, true), "denied for ***");
});
