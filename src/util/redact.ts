/**
 * Redaction: the one place that decides what of a URL, a header or a text may appear in an error.
 * Every error the library makes passes its message, its fields and its `cause` through here (see
 * the constructors in errors.ts), so a message site that forgets to redact still leaks nothing.
 *
 * What counts as a secret:
 * - in a URL: the user name and password, and the values of query (or fragment) and path
 *   parameters that carry credentials: OAuth tokens, signed-URL signatures, API keys, passwords,
 *   session ids ({@link SECRET_PARAMETER_NAMES});
 * - in headers: the values of credential headers (`Authorization`, `Cookie`, `Set-Cookie`,
 *   `X-CSRF-Token` other than `Fetch`/`Required`) and of every header whose name says it holds a
 *   key, token, secret, password, session or signature (`x-api-key`, `x-auth-token`,
 *   `ocp-apim-subscription-key` ...);
 * - in free text (messages, bodies, foreign errors): the same, wherever a URL, a `Name: value`
 *   pair of such a header, or an `Authorization` scheme (`Bearer …`, `Basic …`) appears.
 */

/**
 * Header (and JSON member) names whose values are secrets: the credential headers and any name
 * that says it holds a token, key, secret, password, session id, signature or credentials, and
 * SAP's logon ticket (`MYSAPSSO2`, sent as a header as well as a cookie).
 */
const SECRET_WORDS = "(?:authorization|cookie|token|api[-_]?key|apikey|subscription[-_]?key|secret|password|passwd|session[-_]?id|signature|credentials?|mysapsso2)";
const SECRET_HEADER_NAME = new RegExp(String.raw`^[\w-]*${SECRET_WORDS}[\w-]*$`, "i");

/**
 * The words before "key" in the names of keys that let their holder in: `Private-Key`,
 * `AccessKey`, `account_key`, `DD-APPLICATION-KEY`, `aeg-sas-key`, `Fastly-Key`, `Master-Key`,
 * `License-Key`, `consumer_key`, `developer-key`, and 3scale's `user-key` (`user_key=`), where a
 * separator marks them as one (a `UserKey` or `LicenseKey` property says which entity it is).
 */
const KEY_WORDS = "(?:private|access|secret|master|auth|sas|account|app|application|client|signing|encryption|functions|fastly|service|(?:license|consumer|developer|user)[-_])";

/**
 * Query parameter names whose values are masked although they hold none of the secret words of
 * header names: signed-URL signatures (Azure SAS `sig`), OAuth codes, signed JWTs that
 * authenticate (`client_assertion`, `assertion`, `jwt`), API keys, AWS's access key id of a signed
 * URL, passwords, session ids (`session`, and PHP's `PHPSESSID` and ASP.NET's
 * `ASP.NET_SessionId`, which the secret words below do not match as a whole name), tickets of
 * single sign-on (CAS `ticket`; SAP's `MYSAPSSO2` is one of the secret words). Matched by exact name, case-insensitive, in
 * the query and as a path parameter; also `auth`, Azure's `sas` and SharePoint's `tempauth` (the
 * pre-authenticated download URL of a Graph drive item, which lets anyone holding it read the
 * file), which carry a token whole. A
 * parameter named with a secret word, or as a key that lets its holder in ({@link KEY_WORDS}), is
 * masked too (`access_token`, `id_token`, `subscription-key`, `clientSecret`, `secret_key`,
 * `X-Amz-Signature`, `X-Amz-Credential`, `sap-password`, `private_key`, `accessKey`), where the word
 * ends the name or a `-`/`_` part follows it (so `tokens` stays). `sap-user` stays: a user name lets no one in without the password, and it
 * says whose request failed.
 */
export const SECRET_PARAMETER_NAMES: readonly string[] = ["code", "sig", "key", "pwd", "session", "phpsessid", "asp.net_sessionid", "ticket", "jwt", "assertion", "client_assertion", "awsaccesskeyid", "auth", "sas", "tempauth"];

/**
 * Paging cursors named with "token" (`skiptoken`, `deltatoken`, `pageToken`, `nextPageToken`,
 * `continuationToken`) are no credential and are what a reader of the wire log follows, so they
 * stay, as `$skiptoken` does; headers of those names are still masked.
 */
const PAGING = "(?!(?:skip|delta|page|continuation|next[-_]?page)[-_]?token=)";
/** A name with a secret word in it, or the name of a key ({@link KEY_NAME}): a secret wherever it stands. */
const WORD_NAME = String.raw`[\w-]{0,128}(?:${SECRET_WORDS}|${KEY_WORDS}[-_]?key)(?:key|[-_][\w-]{0,128})?`;
/**
 * The name of a secret parameter. Bounded on either side of its word as {@link SECRET_FIELD_IN_TEXT}
 * is, for the same reason: in text, a long run of word characters after a `?` or `&` would cost
 * time growing with its square.
 */
const PARAMETER_NAMES = `${PAGING}(?:${SECRET_PARAMETER_NAMES.join("|")}|${WORD_NAME})`;
/**
 * Names of the list that carry a token whole and mean nothing else, masked in free text too
 * (`… tempauth=…`); the others (`key=1`, `code=5`) are prose there.
 */
const TEXT_TOKEN_NAMES = "tempauth|sas|sig|jwt|client_assertion";
/**
 * A value masked already: the mask, and then the value's end or what no token holds (`)`, `;`,
 * `:`, `,`). A message that quotes a redacted URL (`(GET …?sig=***); stopping`, `GET …?code=***:
 * its …`) is redacted again as a whole, where the URL found in it runs on over the text's `);` or
 * `:`, which masking it again took away. A value that goes on as a token (`***abc`) may be a
 * secret, and is masked.
 */
const MASKED = String.raw`(?!\*\*\*(?![\w%.~+/=*-]))`;
/**
 * A secret parameter in a parsed URL's query or fragment (values never hold spaces there), and an
 * OData parameter alias of such a name (`?@credentials=…`, a v4 function's structured parameter).
 */
const SECRET_PARAMETER_IN_URL = new RegExp(`([?&#;]@?${PARAMETER_NAMES}=)${MASKED}[^&#]*`, "gi");
/**
 * A secret parameter of a parsed URL's path segment (`Books;jsessionid=…`, a servlet container's
 * URL rewriting): its value ends with the segment, so what follows (`/…`, `?$skiptoken=2`) stays.
 */
const SECRET_PARAMETER_IN_PATH = new RegExp(`(;${PARAMETER_NAMES}=)${MASKED}[^;/]*`, "gi");
/**
 * The same in free text, where a value ends at white space, a quote or a bracket. After a `;` (a
 * path parameter, unless a query is separated by `;`) it ends at `;` and `?` too, so that a paging
 * cursor after it stays (`Books;jsessionid=***?$skiptoken=2`); not at `/`, which a token in a
 * query separated by `;` may hold. A URL that parses has been through {@link redactUrl} already.
 * A name of {@link WORD_NAME} counts with nothing before it too, where a word starts
 * ("rejected: access_token=…", a form body's first field), its value masked inside quotes and up
 * to a `,`, `;` or `)` (none of which a token holds) as a session cookie's is; after a `(` only
 * where a word starts there too, and not after a `,`: a key's property is none
 * (`Sessions(SessionId=42)`, `Tokens(Kind=1,TokenId=2)`). Of the names of the list, only
 * {@link TEXT_TOKEN_NAMES} count there: "key=1" is prose. Nor does a name there that ends in
 * `_uri` or `_url` (`-` too) given an http URL (a challenge's `authorization_uri="https://…"`, the
 * sign-in endpoint Microsoft Graph and Azure name): a link, whose own secrets the URL rule masks.
 */
const SECRET_PARAMETER_IN_TEXT = new RegExp(`([?&#]${PARAMETER_NAMES}=)(?!\\*\\*\\*)[^&#\\s"<>\\\\]+|(;${PARAMETER_NAMES}=)(?!\\*\\*\\*)[^;?&#\\s"<>\\\\]+|((?<![^\\s"'(]|[^\\s"']\\()${PAGING}(?![\\w-]{0,256}[-_]ur[il]=\\W?https?:)(?:${WORD_NAME}|${TEXT_TOKEN_NAMES})=\\\\?["']?)(?!\\*\\*\\*)[^&#\\s"',;)<>\\\\]+`, "gi");
/**
 * A session cookie's `name=value` in free text, wherever it stands ("invalid JSESSIONID=…", a
 * `Cookie` header's value quoted without its name): the session ids of Java servers, SAP
 * (`SAP_SESSIONID_<SID>_<client>`), ASP.NET and PHP, and SAP's logon ticket, named one by one so
 * that a key such as `Sessions(SessionId=42)` stays readable. The value ends at what no cookie value
 * holds (RFC 6265: white space, `;`, `,`, a quote, a backslash), at a `)` around it, and at the `?`
 * or `#` of a URL it is a path parameter of (no session id holds them; `/`, which base64 holds,
 * does not end it). A value in double quotes (RFC 6265 allows them; a JSON text escapes them) is
 * masked inside them, as `MYSAPSSO2="***"`. One masked already (by the parameter rules) is left.
 */
const SESSION_COOKIE_IN_TEXT = /((?<![\w-])(?:(?:j|sap_|asp\.net_)sessionid\w*|phpsessid|mysapsso2)=\\?["']?)(?!\*\*\*)[^\s;,&?#"'<>\\)]+/gi;
/**
 * A parameter whose name holds a percent escape (`acc%65ss_token=`, `%73ig=`): a service decodes
 * the name before it reads it. Linear on any input: the name's first run holds no `%`, and no
 * separator, so a try that fails gives back one name's characters at most.
 */
const ESCAPED_NAME = /[?&#;][\w-]*%[\w%-]*=/g;
/**
 * Where the value of such a secret parameter ends: in a parsed URL's path (at the next parameter or
 * segment), in its query, and in free text (as above).
 */
const VALUE_IN_PATH = /[^;/]*/y;
const VALUE_IN_URL = /[^&#]*/y;
const VALUE_IN_TEXT = /[^&#\s"<>\\]*/y;

/**
 * `Name: value` of such a header in text, the name optionally quoted (a JSON member). In text the
 * name is at most 128 characters on either side of its secret word: unbounded, a long run of word
 * characters with no colon after it (text a service sent) cost time growing with its square, about
 * a second for 40 KB. The name of a key that lets its holder in (`x-functions-key: …`,
 * `Fastly-Key: …`, see {@link KEY_NAME}) counts too; "key: ID", "foreign-key: …" and "--key: …" stay.
 * An `=` with white space beside it separates them too (`X-CSRF-Token = …`); one with none is a
 * parameter's (above), whose value ends sooner.
 * A value not quoted as a whole runs on over a quote inside it, JSON-escaped or not, that a word
 * or another cookie follows (`Cookie: a="s3cret"; sid=…`, which would otherwise show from the quote
 * on), and ends at any other quote: one that closes the text around it (`…"}`, `…".`, `…")`).
 */
const SECRET_FIELD_IN_TEXT = new RegExp(
  String.raw`(?<![\w-])(["']?)([\w-]{0,128}${SECRET_WORDS}[\w-]{0,128}|(?:x-(?:\w{1,64}-){0,8}\w{0,64}|[\w-]{0,64}${KEY_WORDS}[-_]?)key)\1(\s*:\s*|\s+=\s*|=\s+)("(?:[^"\\]|\\.)*"|'[^'\r\n]*'|[^\r\n"'<>\\]*(?:\\?["'](?=[\w-]|;\s*[\w-]+=)[^\r\n"'<>\\]*)*)`,
  "gi",
);
/**
 * An `Authorization` value in text: a scheme and a credential of at least 8 characters, masked
 * where it is one ({@link isCredential}), so that prose such as "Basic authentication" stays.
 * After the schemes whose credential is a token68 (RFC 9110 §11.2: `=` only at its end), a name,
 * `=` and a quoted string or a token is an auth-param of a challenge
 * (`WWW-Authenticate: Bearer authorization_uri="…", error="invalid_token"`), no credential: the
 * rules of parameters still mask a secret one. Only a whole one counts: a token68 ending in `=`
 * that prose, a bracket or a quote follows (`Basic dXNlcjpwYXNz= was refused`, `"Bearer …="}`) is a
 * credential. A param counts when a comma, a line's end or the text's ends it and its value is
 * quoted (no token is), masked already (`***`), or given to a name of the params a challenge may
 * send alone (RFC 6750 §3's `realm`, `scope`, `error…`; RFC 7617's `charset`; RFC 9728's
 * `resource_metadata`; Microsoft Entra's `authorization_uri`; and `resource_id`,
 * `trusted_issuers` and `audience`, taken as names of a resource's challenge); a `name=token` of
 * another name counts only where a comma and another param follow it. A lone one
 * (`Bearer tok=abcdefghijk`), at the end or before prose, is read as a token. A value that is a
 * URL (`scheme://…`) is a param's, whatever its name and whatever follows: a token68 holds no
 * colon, and a token68 ending in `=` with other text after it (`…=x:y was refused`) is still
 * one. A space after the `=` counts only where
 * one stands before it too (a token68 holds none), and a token holds no `=`.
 */
const AUTH_SCHEME_IN_TEXT = /\b(?:(?:(Bearer)|Basic|Negotiate|NTLM)\s+(?![\w-]+(?: += *| *=)(?:(?:"[^"\r\n]*"|\*\*\*|(?<=(?<![\w-])(?:realm|scope|error\w*|charset|authorization_uri|resource_metadata|resource_id|trusted_issuers|audience)\W+)[\w*][^\s,"=]*|[\w*][^\s,"=]*(?=[ \t]*,\s*[\w-]+ *=))[ \t]*(?:,|\r?\n|$)|[A-Za-z][\w+.-]*:\/\/[^\s,"]))|(?:Digest|SharedKey|SharedAccessSignature)\s+)([A-Za-z0-9._~+/=:%-]{8,})/gi;

/**
 * Whether what follows a scheme's name in text (`bearer`: the scheme is Bearer) is a credential
 * rather than a word. Of any scheme, one with a character that is no letter, or of 20 letters,
 * longer than the words that follow a scheme's name in prose. Of fewer letters alone:
 * - after `Bearer`, a token: RFC 6750 gives it no shape, so `abcdefghijkl` is one as much as
 *   `kQxvTbWm` is, and so is a word of prose after it ("Bearer expected"); only the words that
 *   say what the scheme is about stay ("Bearer authentication is required", "Bearer
 *   authorization", "Bearer credentials");
 * - after `Basic`, the base64 of `user:password` ({@link USER_PASS}); a `.` or `:` after the
 *   letters ends a sentence (base64 holds neither), so "requires Basic authentication." stays.
 *   The other schemes' credentials (Negotiate's and NTLM's base64 messages, Digest's and
 *   SharedKey's fields) are longer or hold other characters, so no word after them is masked.
 */
function isCredential(bearer: string | undefined, value: string): boolean {
  const letters = bearer ? value : value.replace(/^([A-Za-z]+)[.:]+$/, "$1");
  if (/[^A-Za-z]|.{20}/.test(letters)) return true;
  // Read as far as the letters go: one past the last whole byte is dropped.
  return bearer ? !/^(?:authenticat|authoriz|credential)/i.test(value) : USER_PASS.test(atob(letters.length % 4 - 1 ? letters : letters.slice(0, -1)));
}

/**
 * The bytes of `user:password` (RFC 7617): a colon, and text without a control character (the
 * RFC allows none in either): printable ASCII, or UTF-8 beyond it (each sequence read by its first
 * byte; one cut at the end counts, so that a pair cut short, or one of a short password, is one
 * once past its colon), or ISO-8859-1 (the charset clients used before RFC 7617's
 * `charset="UTF-8"`: `jürgen:pässwort` sent a byte each) with a user id before the colon, where
 * each byte past ASCII is a letter (À to ÿ, × and ÷ among them; the ordinals `ª` and `º`; `µ`),
 * `£`, `¡` or `¿`. The other signs of that half (`©`, `¦`, `±`, `¶`, `²`, `·`, the soft hyphen …)
 * are what words read as base64 give far more often than people type them: with them, "Basic
 * crossjoin", "Basic premajor" and "Basic trapezoid" read as pairs. An empty user id counts in
 * UTF-8 (Azure DevOps sends a token as the password of one). A word of prose read as base64 is no such text ("Basic Operations",
 * "Basic Overview": a colon first, then bytes that are no UTF-8), camel-cased or not ("Basic
 * JavaScript knowledge").
 */
const USER_PASS = /^(?=.*:)(?:[ -~]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})*(?:[\xc2-\xf4][\x80-\xbf]{0,2})?$|^(?=[^:]+:)[ -~\xa1\xa3\xaa\xb5\xba\xbf\xc0-\xff]*$/s;

/**
 * An absolute URL in text (up to white space, a quote, a bracket or a backslash). Its scheme is
 * tried only where a run of scheme characters starts: tried at every word boundary, a long run of
 * letters and hyphens with no `://` (text a service sent) cost time growing with its square.
 */
const ABSOLUTE_URL_IN_TEXT = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`\\]+/gi;
/**
 * The user information of a URL (`user:password@`) in text, up to its last `@` as a URL parser
 * reads it: after `scheme://` (the scheme found as above), after the `//` of a scheme-relative URL
 * (one that starts the text or follows a space, a quote, a bracket or `=`: the `//` inside a path,
 * `svc//Books@odata.count`, is none; nor is XPath's `//Book[@ID=1]` or `//@ID`, as no user
 * information is empty or holds a bracket), and after `http:` (`https:`, `ws:`, `wss:`, `ftp:`) with any slashes or none, which a URL parser
 * reads as an authority too (`http:/user:pw@host`, `https:user:pw@host`). With no slash it is read
 * up to 512 characters: a run with no slash from each `http:` of "http:http:…" would cost time
 * growing with the square of the text.
 */
const USER_INFO_IN_TEXT = /((?<![a-z0-9+.-])(?:[a-z][a-z0-9+.-]*:\/\/|(?:https?|wss?|ftp):[/\\]+)|(?<![^\s"'(<=])\/\/(?![^@/\s]*[[\]]|@))[^\s/?#"'<>`\\]*@|((?<![a-z0-9+.-])(?:https?|wss?|ftp):)[^\s/?#"'<>`\\]{1,512}@/gi;

/** Values of a credential header that are no secret: the CSRF token protocol words. */
const PUBLIC_VALUES = new Set(["fetch", "required", "***", '"***"', "'***'", ""]);

/** Whether a value of a secret-named header is a protocol word, not a secret (`X-CSRF-Token: Fetch`). */
export function isPublicValue(value: string): boolean {
  return PUBLIC_VALUES.has(value.trim().toLowerCase());
}

/** The mask that replaces a secret. */
const MASK = "***";

/**
 * A URL fit for messages: user name and password removed, and the values of query (and fragment)
 * parameters that carry credentials (`access_token`, `sig`, `api_key` ...) and of such path
 * parameters (`;jsessionid=`) masked as `***`. The rest is left exactly as it was. Text that is no URL is redacted as free text ({@link redactText}).
 * @example
 * redactUrl("https://bob:pw@host/files?sig=abc&$top=1") // "https://host/files?sig=***&$top=1"
 */
export function redactUrl(url: string | URL): string {
  const parsed = parseUrl(url);
  if (parsed === undefined) return redactText(String(url));
  if (parsed.username || parsed.password) {
    parsed.username = "";
    parsed.password = "";
  }
  // Masked in the href as it is: assigning URL.search would re-encode the rest of the query. Its
  // first `?` or `#` starts the query or the fragment (a serialized path and host hold neither).
  const { href } = parsed;
  const query = href.search(/[?#]|$/);
  return maskEscapedNames(href.slice(0, query).replace(SECRET_PARAMETER_IN_PATH, `$1${MASK}`), VALUE_IN_PATH) + maskEscapedNames(href.slice(query).replace(SECRET_PARAMETER_IN_URL, `$1${MASK}`), VALUE_IN_URL);
}

/**
 * Free text fit for messages and error fields: every URL in it as {@link redactUrl} gives it,
 * secret query parameters of relative links masked, and the values of credential headers
 * (`Authorization: …`, `"x-api-key": "…"`) and of authorization schemes (`Bearer …`) masked.
 */
export function redactText(text: string): string {
  if (text === "") return text;
  const shown = text
    // A URL that does not parse is left to the rules below, which need no parsing.
    .replace(ABSOLUTE_URL_IN_TEXT, (url) => (carriesSecret(url) && parseUrl(url) !== undefined ? redactUrl(url) : url))
    .replace(USER_INFO_IN_TEXT, "$1$2")
    .replace(SECRET_PARAMETER_IN_TEXT, `$1$2$3${MASK}`)
    .replace(SESSION_COOKIE_IN_TEXT, `$1${MASK}`)
    .replace(SECRET_FIELD_IN_TEXT, (whole: string, quote: string, name: string, separator: string, value: string) => {
      if (isPublicValue(value)) return whole;
      // The quotes stay around the mask: the JSON or the header line it stood in still reads as one.
      const edge = value[0] === '"' || value[0] === "'" ? value[0] : "";
      return `${quote}${name}${quote}${separator}${edge}${MASK}${edge}`;
    })
    .replace(AUTH_SCHEME_IN_TEXT, (whole, bearer: string | undefined, value: string) => (isCredential(bearer, value) ? whole.slice(0, -value.length) + MASK : whole));
  return maskEscapedNames(shown, VALUE_IN_TEXT);
}

/** A percent escape, and the character of its byte. */
const ESCAPE = /%([0-9a-f]{2})/gi;
const byteOfEscape = (_: string, hex: string) => String.fromCharCode(Number.parseInt(hex, 16));

/**
 * `text` with the values of the parameters whose escaped name is a secret one masked; `value` says
 * where a value ends. Only names are matched, never a value left as it is, so a name after a `;` or
 * `?` in another parameter's value is still found; only the values masked are read through.
 */
function maskEscapedNames(text: string, value: RegExp): string {
  let masked = "";
  let from = 0;
  for (const { 0: name, index } of text.matchAll(ESCAPED_NAME)) {
    // Decoded, the separator, name and `=` go through the rule of plain names, so an escaped name
    // counts where its plain form would. Each escape is decoded as one byte and a malformed one
    // stays as written (nothing throws): a secret name is ASCII, which UTF-8 decodes the same. The
    // value's start goes along, so that one masked already is left as a plain name's is.
    if (index >= from && `${name.replace(ESCAPE, byteOfEscape)}${text.slice(index + name.length, index + name.length + 4)}`.search(SECRET_PARAMETER_IN_URL) >= 0) {
      masked += text.slice(from, (value.lastIndex = index + name.length)) + MASK;
      value.test(text);
      from = value.lastIndex;
    }
  }
  return masked + text.slice(from);
}

/**
 * A piece of foreign text (a header line, a link, a status line) to quote in a message: redacted
 * first, then cut to `max` characters, so that a cut can never leave half a secret unmasked.
 */
export function clipText(text: string, max = 80): string {
  const shown = redactText(text);
  return shown.length > max ? `${shown.slice(0, max)}…` : shown;
}

function parseUrl(url: string | URL): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

// `search` reads a global pattern from the start and leaves its `lastIndex` as it was.
const carriesSecret = (url: string): boolean => url.search(USER_INFO_IN_TEXT) >= 0 || url.search(SECRET_PARAMETER_IN_URL) >= 0;


/**
 * A name of such a key, or of a custom `x-` header that ends in "key" (`x-functions-key`,
 * `x-access-key`). Other names with "key" in them are no secret and say what went wrong:
 * `Idempotency-Key`, `Sec-WebSocket-Key`, and in bodies `foreign-key`, `sort_key`, `entity_key`,
 * `RowKey`. Matched the same in headers, JSON members and foreign errors (which quote headers by
 * their names), and in text as a `Name: value` pair (see {@link SECRET_FIELD_IN_TEXT}).
 */
const KEY_NAME = new RegExp(String.raw`^(?:x-[\w-]*|[\w-]*${KEY_WORDS}[-_]?)key$`, "i");

/**
 * Whether a header's value is a secret by its name: `Authorization`, `Cookie`, `Set-Cookie`,
 * `X-CSRF-Token`, any name that says it holds a token, secret, password, session id, signature or
 * API key (`x-auth-token`, `x-client-secret`, `x-api-key`, `ocp-apim-subscription-key` ...), and
 * the names of other keys that let their holder in (`x-functions-key`, `Private-Key`, `AccessKey`;
 * {@link KEY_NAME}).
 */
export function isSecretHeaderName(name: string): boolean {
  return SECRET_HEADER_NAME.test(name) || KEY_NAME.test(name);
}

/**
 * Headers fit for an error: the ones whose name marks a secret ({@link isSecretHeaderName}) left
 * out, except the CSRF protocol words (`X-CSRF-Token: Required` says why a write got 403); every
 * other value redacted as text (a `Location` may carry a signed URL).
 */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (isSecretHeaderName(name) && !isPublicValue(value)) continue;
    out[name] = redactText(value);
  }
  return out;
}

/**
 * A JSON value (an OData error's details, say) with every string in it redacted as text. An object
 * or array nested more than 32 levels deep is replaced by `***`: unread, it may hold a secret.
 */
export function redactJson<T>(value: T, depth = 0): T {
  if (typeof value === "string") return redactText(value) as T;
  if (typeof value !== "object" || value === null) return value;
  if (depth > 32) return MASK as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactJson(item, depth + 1)) as T;
  // Own members, also one named "__proto__" (JSON.parse makes it one): assigned, it would set the copy's prototype.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, isSecretHeaderName(key) && typeof item === "string" ? MASK : redactJson(item, depth + 1)])) as T;
}

/**
 * How much of a foreign cause is read: how deep (its own causes count), how many members and how
 * many characters of text in all. What lies past that is `***`: unread, it may hold a secret.
 */
const CAUSE_DEPTH = 8;
const CAUSE_MEMBERS = 1000;
const CAUSE_TEXT = 262144;

/**
 * A `cause` fit to hang on an error: a foreign error or value (from `fetch`, a parser, the
 * caller's token function) that quotes a secret anywhere in it (message, stack, or a field however
 * nested: an HTTP library's request `config.headers.Authorization`, a form body with
 * `client_secret=`) is replaced by a redacted copy, errors in it of the same class (`instanceof`
 * still holds); one that quotes none is kept as is. `mask` masks more in each text: the secret
 * values the client sent, where the caller knows them. Never throws, however hostile the value.
 */
export function redactCause(cause: unknown, mask = (text: string) => text): unknown {
  // The copies made so far, by original: a member shared or met again (a cycle) is copied once.
  const copies = new Map<object, unknown>();
  let members = CAUSE_MEMBERS;
  let characters = CAUSE_TEXT;
  let changed = false;
  /** `value` as the copy shows it; `secret`: it is held under a name that marks a secret. */
  const redact = (value: unknown, secret: boolean, depth: number): unknown => {
    let shown = value;
    try {
      const text = value instanceof URL ? value.href : value;
      if (typeof text === "string") {
        // Read as if after a `&`, so that a form body's first parameter (`client_secret=…&…`) is one.
        const masked = (secret && !isPublicValue(text)) || (characters -= text.length) < 0 ? MASK : mask(redactText(`&${text}`).slice(1));
        if (masked !== text) shown = masked;
      } else if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && !(value instanceof Date)) {
        if (copies.has(value)) return copies.get(value);
        shown = depth > CAUSE_DEPTH || members < 0 ? MASK : copy(value, secret, depth + 1);
        if (shown !== MASK) return shown;
      }
    } catch {
      // A getter, or a proxy's trap, that throws.
      shown = MASK;
    }
    if (shown !== value) changed = true;
    return shown;
  };
  const copy = (value: object, secret: boolean, depth: number): unknown => {
    // A Map, a Set or Headers is copied as the plain object or array of its entries, which is what
    // their own way of showing themselves shows.
    const source: object = value instanceof Map || value instanceof Headers ? Object.fromEntries(value) : value instanceof Set ? [...value] : value;
    const list = Array.isArray(source);
    // An error keeps its class; any other object becomes a plain one, where a class's own way of
    // showing itself (a Request's headers, say) would show what its own members do not.
    const error = value instanceof Error;
    if (!error && Symbol.for("nodejs.util.inspect.custom") in value) changed = true;
    const fields: object = list
      ? []
      : typeof DOMException === "function" && value instanceof DOMException
        ? new DOMException(redact(value.message, false, depth) as string, redact(value.name, false, depth) as string)
        : error
          ? Object.create(Object.getPrototypeOf(value) as object)
          : {};
    copies.set(value, fields);
    // A long list's indices are not made beyond those read.
    for (const key of list ? Array.from({ length: Math.min(source.length, members + 1) }, (_, i) => i) : Reflect.ownKeys(source)) {
      if (members-- < 0) break;
      let item: unknown = MASK;
      try {
        item = redact((source as Record<PropertyKey, unknown>)[key], secret || (typeof key === "string" && isSecretHeaderName(key)), depth);
      } catch {
        changed = true;
      }
      try {
        Object.defineProperty(fields, key, { value: item, writable: true, configurable: true, enumerable: Object.prototype.propertyIsEnumerable.call(source, key) });
      } catch {
        // A member the runtime made fixed on the new object itself (Deno marks each DOMException
        // with a host-object symbol): the copy keeps its own, which holds nothing of the source's.
      }
    }
    return fields;
  };
  const copied = redact(cause, false, 0);
  return changed || members < 0 ? copied : cause;
}

/**
 * The secret values a client sends: its configured ones and the values of other headers named like
 * a credential that it sent last (`values`), and the `Authorization` values it sent last.
 */
export interface SecretSet {
  readonly values: readonly string[];
  readonly authorizations: readonly string[];
}

/** How many values sent last are kept per header name, and how many header names at most. */
const RECENT_PER_NAME = 4;
const RECENT_NAMES = 16;

/**
 * The secret values a client sends, kept with each answer so that reading a failure out of it
 * masks them where the service echoes them bare (payload/error-body.ts, util/secret-values.ts): an
 * error status's body, a status monitor's failed operation, a failed part of a `$batch`. They are
 * its configured credentials and, of every header named like a credential
 * ({@link isSecretHeaderName}) that its requests carried, the last 4 values sent: an
 * `Authorization` from a bearer function or OAuth2 (tokens are renewed), a write's own `x-api-key`,
 * the key a custom step adds, the CSRF token, a `Cookie` (whole).
 */
export class SentSecrets {
  readonly #configured: readonly string[];
  /** By lower-case header name, the values sent last that are not configured ones, oldest first. */
  readonly #recent = new Map<string, string[]>();
  /** The set as it stands, made again only when a value not seen before is sent. */
  #current: SecretSet | undefined;

  constructor(configured: readonly string[]) {
    this.#configured = configured;
    if (configured.length > 0) this.#current = { values: configured, authorizations: [] };
  }

  /**
   * Notes the secret headers a request is sent with (or the parts of a `$batch` are); gives the
   * secrets to mask in its answer (its own among them, however many requests with other values go
   * out before the answer).
   */
  sent(headers: Iterable<readonly [name: string, value: string]>): SecretSet | undefined {
    let changed = false;
    for (const [given, value] of headers) {
      if (!isSecretHeaderName(given)) continue;
      const name = given.toLowerCase();
      changed = this.#note(name, value) || changed;
    }
    if (changed) {
      const values = [...this.#configured];
      for (const [name, recent] of this.#recent) if (name !== "authorization") values.push(...recent);
      this.#current = { values, authorizations: [...(this.#recent.get("authorization") ?? [])] };
    }
    return this.#current;
  }

  /**
   * Keeps one value sent under `name`; whether it was new. An `Authorization` is kept even when
   * configured (its token, base64 and password are masked from it), and keeps its place however
   * many other names come; another name past the bound pushes out the one seen first.
   */
  #note(name: string, value: string): boolean {
    const authorization = name === "authorization";
    if (value === "" || isPublicValue(value) || (!authorization && this.#configured.includes(value))) return false;
    let recent = this.#recent.get(name);
    if (recent?.includes(value)) return false;
    if (recent === undefined) {
      if (!authorization && this.#recent.size >= RECENT_NAMES) {
        for (const key of this.#recent.keys()) {
          if (key === "authorization") continue;
          this.#recent.delete(key);
          break;
        }
      }
      this.#recent.set(name, (recent = []));
    }
    if (recent.push(value) > RECENT_PER_NAME) recent.shift();
    return true;
  }

  /** The secrets sent so far, for an answer read elsewhere; `undefined` while there are none. */
  current(): SecretSet | undefined {
    return this.#current;
  }
}

/** The secrets to mask in each answer: the client's secret values, and the secret header values sent up to its request. */
export const SENT_SECRETS = new WeakMap<Response, SecretSet>();
