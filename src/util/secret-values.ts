/**
 * Masking secrets by their values, where masking by the names around them (redact.ts) cannot see
 * them: a service that echoes a bare token in an error message ("no access for eyJhbGci…"). The
 * client keeps the secrets it sends (see core.ts), the reader of an error body masks them.
 */
import { isPublicValue, redactCause, type SecretSet } from "./redact.js";

/**
 * Shorter values are not masked: a password such as `odata` or `admin` would mangle every URL and
 * message it occurs in. (Those are still masked where a name marks them, by redact.ts.)
 */
const MIN_SECRET_LENGTH = 8;

/**
 * A value in the shape of a `Cookie` header: `name=value` pairs joined by `;`, with no white space
 * in a name or a value.
 */
const COOKIE_LIST = /^\s*[^\s;=]+=[^\s;]*(?:;\s*[^\s;=]+=[^\s;]*)*;?\s*$/;

/**
 * A cookie value that is itself a `name=value` setting, no session: SAP's
 * `sap-usercontext=sap-client=100`, which masked would hide every `sap-client=100` of a message.
 * (Base64 pads with `=` only at the end.)
 */
const SETTING = /^[\w.-]+=[\w.-]+$/;

/**
 * Whether a cookie's value looks like an id or a token: a digit in it, or 20 characters or more.
 * A browser's `Cookie` header copied into the headers also carries settings whose values are words
 * (`cookie_consent=accepted`, `edit_mode=disabled`); masked, they would hide those words in every
 * message ("already ***").
 */
const isTokenLike = (cookie: string): boolean => /\d/.test(cookie) || cookie.length >= 20;

/**
 * The forms a secret takes in a URL or a form body, which a service may echo (the query it was
 * sent, an OAuth2 form's `client_secret=…`): percent-encoded, and form-encoded (`+` for a space,
 * `!'()~` escaped too). None for a form shorter than {@link MIN_SECRET_LENGTH}: encoded, it would
 * grow past the bound and be masked wherever it occurs. (The same as the form, when nothing in it
 * is escaped: the callers keep one of each.)
 */
const encodedForms = (form: string): string[] => (form.length < MIN_SECRET_LENGTH ? [] : [encodeURIComponent(form), new URLSearchParams({ s: form }).toString().slice(2)]);

/**
 * A value sent percent-encoded (SAP writes `SAP_SESSIONID_…` and `MYSAPSSO2` values so: `%2b`,
 * `%2f`, `%3d`) as a service that decoded it echoes it; none where it has no escape or is no valid
 * one.
 */
function decodedForm(form: string): string[] {
  try {
    const decoded = decodeURIComponent(form);
    return decoded === form ? [] : [decoded];
  } catch {
    return [];
  }
}

/**
 * The forms in which a secret value may come back: the value, its form inside a JSON string and
 * (`encoded`) its forms in a URL ({@link encodedForms}) and the text it stands for where it is
 * percent-encoded itself ({@link decodedForm}); for an `Authorization` value
 * (`authorization`) also its credentials and, for Basic, the `user:password` they encode and the
 * password; for a `Cookie` header each cookie's value that looks like an id or a token, which a
 * service may echo without its name (a session id: "denied for sess-…"). Those shorter than 8
 * characters, and the CSRF protocol words (`Fetch`, `Required`), are left out.
 */
export function secretForms(value: string, authorization = false, encoded = true): string[] {
  const forms = [value];
  const [scheme = "", credentials] = value.trim().split(/\s+/, 2);
  // Only the shape tells a `Cookie` header from another secret value (a SecretSet keeps no names);
  // where another secret has that shape, what this takes from it is a part of that secret.
  if (!authorization && COOKIE_LIST.test(value)) {
    for (const pair of value.split(";")) {
      const cookie = pair.slice(pair.indexOf("=") + 1).trim().replace(/^"(.*)"$/, "$1");
      if (!SETTING.test(cookie) && isTokenLike(cookie)) forms.push(cookie);
    }
  }
  if (authorization && credentials !== undefined) {
    forms.push(credentials);
    if (scheme.toLowerCase() === "basic") {
      try {
        // The pair as bytes, read as UTF-8 (what clients send today) and as Latin-1 (the older rule).
        const bytes = atob(credentials);
        const utf8 = new TextDecoder().decode(Uint8Array.from(bytes, (char) => char.charCodeAt(0)));
        for (const pair of new Set([utf8, bytes])) forms.push(pair, pair.slice(pair.indexOf(":") + 1));
      } catch {
        // Not base64: the credentials as they are.
      }
    }
  }
  const all = forms.flatMap((form) => [form, JSON.stringify(form).slice(1, -1), ...(encoded ? [...encodedForms(form), ...decodedForm(form)] : [])]);
  return [...new Set(all)].filter((form) => form.length >= MIN_SECRET_LENGTH && !isPublicValue(form));
}

/**
 * The forms a cut text may end inside (see {@link maskSecretValues}), longest first: the secrets
 * themselves, not an Authorization's scheme (`Bear…`) nor a Basic pair's user name, which a text
 * may end with for reasons of its own.
 */
function cutForms(secrets: SecretSet): string[] {
  const forms: string[] = [];
  // An Authorization value given as a configured header is known by its scheme; a password with a
  // space in it is not one.
  const schemed = /^\s*(?:basic|bearer|digest|negotiate|ntlm|token|apikey|hoba|mutual|aws4-hmac-sha256)\s/i;
  for (const value of [...secrets.values, ...secrets.authorizations]) {
    const authorization = secrets.authorizations.includes(value) || schemed.test(value);
    const basic = /^\s*basic\s/i.test(value);
    // Which forms are left out is read on the plain ones; an encoded form goes with its plain one.
    for (const form of secretForms(value, authorization, false)) if (!(authorization && schemed.test(form)) && !(basic && form.includes(":"))) forms.push(form, ...encodedForms(form));
  }
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every form of every secret value and `Authorization` value replaced by `***` (the
 * longest first), also where characters of it are written as JSON escapes or XML references. `cut`: the text is the start of a longer one, so that a secret it ends inside is
 * masked too (its first 4 characters or more at the very end). No secrets (none sent): the text.
 */
export function maskSecretValues(text: string, secrets: SecretSet | undefined, cut = false): string {
  if (secrets === undefined) return text;
  const { forms, partial, escaped } = preparedForms(secrets);
  let masked = text;
  for (const form of forms) masked = masked.replaceAll(form, "***");
  // A service's encoder may escape a character or more of a secret it echoes (`\/`, `\u0061`,
  // `&#47;`, `%2b`), which the parser of the body then decodes back to the secret.
  if (/[\\&%+]/.test(masked)) for (const pattern of escaped()) masked = masked.replace(pattern, "***");
  // The JSON parser's message quotes the text around where it failed, cut on either side ("..." in
  // V8's words: `Unexpected token 'k', ..."ey: tok-S3CR"... is not valid JSON`), or the word it
  // stopped at (JavaScriptCore's `Unexpected identifier "tok"`): a secret a cut falls inside shows
  // in part. (Both quotes are short; the bounds keep a long body's scan linear.)
  if (masked.includes(" is not valid JSON")) {
    masked = masked.replace(PARSER_QUOTE, (_whole, before: string | undefined, quoted: string, after: string | undefined) => {
      return `${before ?? ""}"${maskCutWindow(quoted, partial, before !== undefined, after !== undefined)}"${after ?? ""} is not valid JSON`;
    });
  }
  if (masked.includes("Unexpected identifier")) masked = masked.replace(PARSER_WORD, (_whole, word: string) => `Unexpected identifier "${maskCutWindow(word, partial, true, true)}"`);
  // A text this library clipped ends with "…" (clipText), inside a longer message: a secret may
  // end there cut.
  if (masked.includes("…")) {
    const pieces = masked.split("…");
    masked = pieces.map((piece, n) => (n < pieces.length - 1 ? maskCutWindow(piece, partial, false, true) : piece)).join("…");
  }
  return cut ? maskCutWindow(masked, partial, false, true) : masked;
}

/**
 * The message and cause a library error (`code`, `message`, `cause`) read from an answer, or made
 * when a request or its body failed, has with the `secrets` its request carried masked; `undefined`
 * where it quotes none. A `NETWORK_ERROR`'s cause is the transport's own error (a custom `fetch`'s,
 * or its body's), which may quote them under any member name (`detail`, `request.note`): it is kept,
 * masked throughout. Any other error's cause (a parser's, which quotes the body as well) is dropped
 * where it quotes them: the message may not (an HTML page is said to be one).
 */
export function maskedFailure(error: { code: string; message: string; cause?: unknown }, secrets: SecretSet): { message: string; cause?: unknown } | undefined {
  const mask = (text: string) => maskSecretValues(text, secrets);
  const message = mask(error.message);
  const { cause } = error;
  if (error.code === "NETWORK_ERROR") {
    const masked = redactCause(cause, mask);
    return message === error.message && masked === cause ? undefined : { message, cause: masked };
  }
  return message === error.message && !(cause instanceof Error && mask(cause.message) !== cause.message) ? undefined : { message };
}

interface PreparedForms {
  /** The forms to mask, longest first. */
  forms: string[];
  /** The forms a cut text may end inside ({@link cutForms}). */
  partial: string[];
  /** The forms with their characters escaped in any way ({@link escapedPattern}), made when first needed. */
  escaped: () => RegExp[];
}

/**
 * The forms of each set of secrets, made once: a set is kept as long as no new secret is sent, and
 * an error's every string is masked with it (payload/error-body.ts).
 */
const PREPARED = new WeakMap<SecretSet, PreparedForms>();

function preparedForms(secrets: SecretSet): PreparedForms {
  let prepared = PREPARED.get(secrets);
  if (prepared === undefined) {
    const all = [...secrets.values.flatMap((value) => secretForms(value)), ...secrets.authorizations.flatMap((value) => secretForms(value, true))];
    const forms = [...new Set(all)].sort((a, b) => b.length - a.length);
    let escaped: RegExp[] | undefined;
    prepared = { forms, partial: cutForms(secrets), escaped: () => (escaped ??= forms.map(escapedPattern)) };
    PREPARED.set(secrets, prepared);
  }
  return prepared;
}

/** The XML entities of the five characters that have one. */
const XML_ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/**
 * A pattern of `form` in which any character may be written as it is, as a JSON escape (`\/`,
 * `\u002F`), as an XML character reference or entity (`&#47;`, `&#x2f;`, `&amp;`), or as a URL
 * writes it (`%2F`, `%2f`, and `+` for a space): encoders differ in case and in what they escape
 * (.NET's writes `%2b`, Python's leaves `/`), which the exact forms of {@link encodedForms} miss.
 */
function escapedPattern(form: string): RegExp {
  let source = "";
  for (let i = 0; i < form.length; i++) {
    const char = form.charAt(i);
    const code = form.charCodeAt(i);
    const literal = char.replace(/[\\^$.*+?()[\]{}|/]/, "\\$&");
    // Hex digits in either case.
    const hex = code.toString(16).replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
    const ways = [literal, `\\\\u0*${hex}`, `&#0*${code};`, `&#x0*${hex};`];
    if (char === "/" || char === '"' || char === "\\") ways.push(`\\\\${literal}`);
    // One byte of ASCII; a character beyond it is found in its exact encoded form (UTF-8).
    if (code < 128) ways.push(`%${code < 16 ? "0" : ""}${hex}`);
    if (char === " ") ways.push("\\+");
    const entity = XML_ENTITIES[char];
    if (entity !== undefined) ways.push(entity);
    source += `(?:${ways.join("|")})`;
  }
  return new RegExp(source, "g");
}

/** The text V8's `JSON.parse` quotes in its message (20 characters or so), with the "..." that mark a cut before or after it. */
const PARSER_QUOTE = /(\.\.\.)?"([^]{0,40}?)"(\.\.\.)? is not valid JSON/g;

/** The word JavaScriptCore's `JSON.parse` (Bun's) quotes where it stopped. */
const PARSER_WORD = /Unexpected identifier "([^"]{1,200})"/g;

/**
 * `text`, a window cut out of a longer one (`start`: cut at its start, `end`: at its end), with
 * what a cut leaves of a secret masked: its first 4 characters or more at a cut end, its last 4 or
 * more at a cut start, and the whole window where it lies inside one secret.
 */
function maskCutWindow(text: string, forms: readonly string[], start: boolean, end: boolean): string {
  let masked = text;
  for (const form of forms) {
    if (start && end && masked.length >= 4 && form.includes(masked)) return "***";
    // The one character compared first keeps a long text's check short.
    const last = masked.charCodeAt(masked.length - 1);
    if (end) masked = maskEdge(masked, form, (length) => form.charCodeAt(length - 1) === last && masked.endsWith(form.slice(0, length)), (length) => `${masked.slice(0, masked.length - length)}***`);
    const first = masked.charCodeAt(0);
    if (start) masked = maskEdge(masked, form, (length) => form.charCodeAt(form.length - length) === first && masked.startsWith(form.slice(form.length - length)), (length) => `***${masked.slice(length)}`);
  }
  return masked;
}

/** `text` with the longest piece (4 characters or more, less than the whole `form`) that `fits` replaced by `mask`. */
function maskEdge(text: string, form: string, fits: (length: number) => boolean, mask: (length: number) => string): string {
  for (let length = Math.min(form.length - 1, text.length); length >= 4; length--) if (fits(length)) return mask(length);
  return text;
}
