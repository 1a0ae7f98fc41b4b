import { test } from "node:test";
import assert from "node:assert/strict";
import { clipText, redactText, redactUrl } from "./redact.js";

test("clipText keeps short text, and cuts long text at the bound with an ellipsis", () => {
  assert.equal(clipText("HTTP/1.1 OK"), "HTTP/1.1 OK");
  assert.equal(clipText("x".repeat(80)), "x".repeat(80));
  assert.equal(clipText("x".repeat(81)), `${"x".repeat(80)}…`);
  assert.equal(clipText("abcdef", 3), "abc…");
});

test("clipText redacts before it cuts, so that a cut never leaves the start of a secret", () => {
  const text = "the service said: Bearer abcdefgh12345678 is not accepted here, try again later";
  const clipped = clipText(text, 40);
  assert.equal(clipped.includes("abcdefgh"), false, clipped);
  assert.equal(clipped, `${redactText(text).slice(0, 40)}…`);
  assert.equal(clipped, "the service said: Bearer *** is not acce…");
});

test("redactUrl drops user information and masks credential parameters, leaving the rest as it was", () => {
  assert.equal(redactUrl("https://bob:pw@host/files?sig=abc&$top=1"), "https://host/files?sig=***&$top=1");
  assert.equal(redactUrl(new URL("https://host/Books?$filter=a%20eq%201")), "https://host/Books?$filter=a%20eq%201");
});

test("redactUrl masks the signed JWTs, AWS access key ids and single sign-on tickets a query carries; sap-user stays", () => {
  for (const name of ["client_assertion", "jwt", "assertion", "id_token", "AWSAccessKeyId", "X-Amz-Credential", "X-Amz-Security-Token", "ticket", "MYSAPSSO2", "sap-password"]) {
    assert.equal(redactUrl(`https://host/x?sap-user=ALICE&${name}=v-5ecret&$top=1`), `https://host/x?sap-user=ALICE&${name}=***&$top=1`, name);
    assert.equal(redactUrl(`https://host/cb#${name}=v-5ecret`), `https://host/cb#${name}=***`, name);
    assert.equal(redactText(`see /next?${name}=v-5ecret and`), `see /next?${name}=*** and`, name);
  }
  // The form's other fields name the kind of assertion, not the assertion.
  assert.equal(redactUrl("https://host/t?client_assertion_type=urn%3Ajwt-bearer"), "https://host/t?client_assertion_type=urn%3Ajwt-bearer");
});

test("in free text, the names of the list that carry a token whole are masked too; the others are prose", () => {
  for (const name of ["tempauth", "sas", "sig", "jwt", "client_assertion"]) {
    assert.equal(redactText(`rejected: ${name}=v-5ecret-1 for this`), `rejected: ${name}=*** for this`, name);
    assert.equal(redactText(`(${name}=v-5ecret-2)`), `(${name}=***)`, name);
  }
  for (const prose of ["key=1 is the first", "code=5 means busy", "alias=sas", "Books(ID=1)"]) assert.equal(redactText(prose), prose);
});

test("redactUrl masks SharePoint's tempauth, the token of a Graph drive item's pre-authenticated download URL", () => {
  const url = "https://contoso.sharepoint.com/sites/x/_layouts/15/download.aspx?UniqueId=0a1b2c3d&Translate=false&tempauth=v1.eyJzaXRlaWQiOiJhYmMifQ.sig-part&ApiVersion=2.0";
  const masked = "https://contoso.sharepoint.com/sites/x/_layouts/15/download.aspx?UniqueId=0a1b2c3d&Translate=false&tempauth=***&ApiVersion=2.0";
  assert.equal(redactUrl(url), masked);
  assert.equal(redactText(`< 302 location: ${url}`), `< 302 location: ${masked}`);
});

test("redactUrl leaves paging cursors named with token as they are, with or without $, in the query and in text", () => {
  const paging = ["skiptoken", "$skiptoken", "deltatoken", "$deltatoken", "pageToken", "page_token", "nextPageToken", "next_page_token", "continuationToken", "continuation-token"];
  for (const name of paging) {
    const url = `https://host/x?${name}=c-1&sap-client=100&tokens=2`;
    assert.equal(redactUrl(url), url, name);
    assert.equal(redactText(`GET ${url} and /next?${name}=c-2`), `GET ${url} and /next?${name}=c-2`, name);
  }
  // Only the exact names: a longer name with a secret word is still a secret.
  assert.equal(redactUrl("https://host/x?app_pageToken=v&pageToken_key=w"), "https://host/x?app_pageToken=***&pageToken_key=***");
});

test("the parameter rules stay linear on long runs of name characters", () => {
  const started = performance.now();
  for (const run of ["pagetoken", "skip", "a", "client_assertion"]) {
    redactText(`?${run.repeat(40_000)}`);
    redactText(`&${"x".repeat(127)}${run.repeat(20_000)}=`);
    redactUrl(`https://host/?${run.repeat(20_000)}=1`);
  }
  assert.ok(performance.now() - started < 1_000, `took ${performance.now() - started} ms`);
});

test("redactText masks a credential header's value that holds a quote, and stops at the quote that closes the text around it", () => {
  // Before, the value ended at its first quote, and the secret after it showed.
  assert.equal(redactText('Cookie: a="s3cret-value-123"'), 'Cookie: ***"');
  assert.equal(redactText('x-api-key: ab"cd-secret"'), 'x-api-key: ***"');
  assert.equal(redactText("Cookie: sid='0123456789abc'"), "Cookie: ***'");
  // A quote that closes the JSON string or the quotation around the header stays, and what follows.
  assert.equal(redactText('{"error":{"message":"bad x-api-key: abc123"}}'), '{"error":{"message":"bad x-api-key: ***"}}');
  assert.equal(redactText('said "x-api-key: abc123" twice'), 'said "x-api-key: ***" twice');
  assert.equal(redactText('"x-api-key": "abc123456", "next": 1'), '"x-api-key": "***", "next": 1');
  // A quote that a word or another cookie follows is inside the value, JSON-escaped too; any other
  // ends it, and the text after it stays readable (and a JSON or XML body stays well formed).
  assert.equal(redactText('Cookie: theme="dark"; sid=abc123secretvalue'), "Cookie: ***");
  assert.equal(redactText('{"m":"Cookie: a=\\"s3cret-value-123\\""}'), '{"m":"Cookie: ***\\""}');
  assert.equal(redactText('Header "x-api-key: abc123". Check the portal, then retry.'), 'Header "x-api-key: ***". Check the portal, then retry.');
  assert.equal(redactText('Rejected (sent "x-api-key: abc123") for tenant 7'), 'Rejected (sent "x-api-key: ***") for tenant 7');
  assert.equal(redactText('<message detail="x-api-key: abc123">'), '<message detail="x-api-key: ***">');
  assert.equal(redactText('{"x-api-key: abc":"v","b":1}'), '{"x-api-key: ***":"v","b":1}');
  assert.equal(redactText("invalid JSESSIONID='abc123def456' here"), "invalid JSESSIONID='***' here");
  // Linear on a long run of quotes and letters.
  const started = performance.now();
  redactText(`x-api-key: ${'a"'.repeat(50_000)}`);
  assert.ok(performance.now() - started < 1_000, `took ${performance.now() - started} ms`);
});

test("a // inside a URL's path is no scheme-relative URL: text after it stays; a percent-escaped secret path parameter is masked to its segment's end", async () => {
  const { redactText, redactUrl } = await import("./redact.js");
  assert.equal(redactText("GET https://h/svc//Books@odata.count failed"), "GET https://h/svc//Books@odata.count failed");
  assert.equal(redactText('Location "//usr:pw@host/x" is not allowed'), 'Location "//host/x" is not allowed');
  assert.equal(redactUrl("https://host/Books;acc%65ss_token=ABC/Authors?$skiptoken=2&$top=5"), "https://host/Books;acc%65ss_token=***/Authors?$skiptoken=2&$top=5");
  assert.equal(redactUrl("https://host/Books?acc%65ss_token=ABC&$top=5"), "https://host/Books?acc%65ss_token=***&$top=5");
});

test("redactText masks a parameter named with a secret word where nothing marks it as one (after a space, a quote, a word's `(`, or at the start); prose and keys stay", () => {
  assert.equal(redactText("token rejected: access_token=eyJhbGciOi.J9.x"), "token rejected: access_token=***");
  assert.equal(redactText("bad signature=abc123def, try again"), "bad signature=***, try again");
  assert.equal(redactText("client_secret=s3cr3t-1&grant_type=client_credentials"), "client_secret=***&grant_type=client_credentials");
  assert.equal(redactText("refused (access_token=abc123); retry"), "refused (access_token=***); retry");
  assert.equal(redactText(`{"m":"sent \\"privateKey=abc123\\" and token='xyz987'"}`), `{"m":"sent \\"privateKey=***\\" and token='***'"}`);
  // Readable: the names of the list outside a query, keys with secret words, paging cursors, OData text.
  for (const text of ["key=1 and code=5, ticket=7", "Sessions(SessionId=42)", "Tokens(Kind=1,TokenId=2)", "see nextPageToken=abc and pageToken=x", "$filter=Password eq 'x'&$skiptoken=5", "Books(ID=1)/@odata.count", "tokens=5"]) {
    assert.equal(redactText(text), text);
  }
});

test("redactText masks a credential header written with spaces around = or :, and keeps the CSRF protocol words", () => {
  assert.equal(redactText("sent X-CSRF-Token = abc123def"), "sent X-CSRF-Token = ***");
  assert.equal(redactText("sent X-CSRF-Token : abc123def"), "sent X-CSRF-Token : ***");
  assert.equal(redactText("x-api-key= k-123456"), "x-api-key= ***");
  assert.equal(redactText("X-CSRF-Token = Fetch"), "X-CSRF-Token = Fetch");
  assert.equal(redactText("the key = 5 here"), "the key = 5 here");
});

test("redactUrl and redactText mask the parameters auth, sas, private_key, and keys named as keys (accessKey, Fastly-Key); RowKey and sort_key stay", () => {
  assert.equal(redactUrl("https://h/x?auth=a1&sas=s2&private_key=p3&accessKey=k4&signature=g5&$top=1"), "https://h/x?auth=***&sas=***&private_key=***&accessKey=***&signature=***&$top=1");
  assert.equal(redactText("GET /x?auth=a1&sas=s2&private-key=p3&RowKey=5&sort_key=3"), "GET /x?auth=***&sas=***&private-key=***&RowKey=5&sort_key=3");
  assert.equal(redactUrl("https://h/x?author=a&sass=b&auth_type=c"), "https://h/x?author=a&sass=b&auth_type=c");
});

test("a // that cannot start user information (XPath's //Book[@ID=1], //@ID) is left as it is", () => {
  for (const text of ["//Book[@ID=1]", "select //Book[@ID=1] and //*[@id='x'] or //@ID", "GET https://h/svc//Books@odata.count"]) assert.equal(redactText(text), text);
  assert.equal(redactText("see //usr@host/x and (//usr:pw@host/y)"), "see //host/x and (//host/y)");
});

test("the rules of names with nothing before them stay linear on long runs of words and separators", () => {
  const started = performance.now();
  for (const text of [" access".repeat(40_000), ` ${"token".repeat(40_000)}`, " =".repeat(50_000), "x-api-key ".repeat(30_000), " //".repeat(50_000), `=//${"a".repeat(100_000)}`, ` (${"private".repeat(20_000)}`]) redactText(text);
  assert.ok(performance.now() - started < 1_000, `took ${performance.now() - started} ms`);
});

test("a challenge's auth-params after Bearer or Basic show (WWW-Authenticate of Microsoft Graph and Azure); a secret one is still masked", () => {
  const graph = 'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token", error_description="The access token has expired"';
  assert.equal(redactText(graph), graph);
  assert.equal(redactText(`www-authenticate: ${graph}`), `www-authenticate: ${graph}`);
  for (const challenge of [
    'Bearer authorization_uri="https://login.example/x", error="invalid_token"',
    "Bearer authorization_uri=https://login.example/x, error=invalid_token",
    'Bearer resource_id="00000003-0000-0000-c000-000000000000", realm="graph"',
    "Bearer realm=example",
    'Bearer realm = "example", scope="openid profile"',
    'Basic charset="UTF-8", realm="odata"',
    'Negotiate resource="svc"',
  ]) {
    assert.equal(redactText(challenge), challenge);
  }
  // A value that is a secret by the other rules: the parameter's name, a URL's signature.
  assert.equal(redactText('Bearer client_secret="s3cr3t-value-123", realm="x"'), 'Bearer client_secret="***", realm="x"');
  assert.equal(redactText('Bearer authorization_uri="https://login.example/x?sig=abc123", error="invalid_token"'), 'Bearer authorization_uri="https://login.example/x?sig=***", error="invalid_token"');
  // A name with a secret word given no URL is a secret as before.
  assert.equal(redactText("Bearer access_token_uri=abc123def456"), "Bearer access_token_uri=***");
});

test("a token68 after a scheme is masked with its = or == padding at the end, also before a comma or a full stop", () => {
  for (const token of ["abcdEFGH1234==", "abcdEFGH1234=", "abcdEFGHijk=", "abc.def-ghi_jkl~mno+pqr/stu=", "abcdefgh=="]) {
    assert.equal(redactText(`Bearer ${token}`), "Bearer ***", token);
    assert.equal(redactText(`sent Bearer ${token}, refused`), "sent Bearer ***, refused", token);
    assert.equal(redactText(`Authorization: Negotiate ${token}`), "Authorization: ***", token);
  }
  assert.equal(redactText("Negotiate YIIabc+/== here"), "Negotiate *** here");
  assert.equal(redactText("Basic dXNlcjpwYXNzd29yZA== here"), "Basic *** here");
});

test("a token68 ending in one = is masked when prose, a full stop, a bracket or a quote follows it; only a whole auth-param list shows", () => {
  assert.equal(redactText("the header Basic YWxhZGRpbjpvcGVuc2VzYW1l= was refused"), "the header Basic *** was refused");
  assert.equal(redactText("Negotiate YIIabcdefghij= failed"), "Negotiate *** failed");
  assert.equal(redactText("NTLM TlRMTVNTUAADAAAAGAAYAEgAAAA= rejected"), "NTLM *** rejected");
  assert.equal(redactText("got Bearer dGhpcyBpcyBhIHRva2Vu=."), "got Bearer ***");
  assert.equal(redactText("got (Bearer dGhpcyBpcyBhIHRva2Vu=)"), "got (Bearer ***)");
  assert.equal(redactText("credential 'Basic dXNlcjpwYXNz='"), "credential 'Basic ***'");
  assert.equal(redactText('{"message":"Bearer dGhpcyBpcyBhIHRva2Vu="}'), '{"message":"Bearer ***"}');
  assert.equal(redactText('{"message":"Bearer dGhpcyBpcyBhIHRva2Vu=", "code":"401"}'), '{"message":"Bearer ***", "code":"401"}');
  assert.equal(redactText("Bearer dGhpcyBpcyBhIHRva2Vu=\nnext line"), "Bearer ***\nnext line");
  // A space only after the =: a token68, then a word.
  assert.equal(redactText("Bearer dGhpcyBpcyBhIHRva2Vu= invalid_token"), "Bearer *** invalid_token");
  // A lone name=value that more prose follows is no challenge.
  assert.equal(redactText("Bearer tok=abcdefghijk more"), "Bearer *** more");
  assert.equal(redactText("sent Bearer a-b=cdefghijklmn and was refused"), "sent Bearer *** and was refused");
  // A challenge on its own line, or ended by a comma, still shows.
  const challenge = 'Bearer realm="odata", error="invalid_token"';
  assert.equal(redactText(`WWW-Authenticate: ${challenge}\r\nDate: today`), `WWW-Authenticate: ${challenge}\r\nDate: today`);
  assert.equal(redactText("Bearer error=invalid_token\nnext"), "Bearer error=invalid_token\nnext");
});
