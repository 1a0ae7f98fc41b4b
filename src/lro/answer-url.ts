/**
 * A URL that a long-running operation's answer names (a status monitor's or a result's `Location`,
 * a body's result URL), checked and resolved against the URL that answered, and the error of an
 * answer that cannot be read. A module of its own, so that `$batch`, which reads the `Location` of
 * a 202, does not load the whole monitor reader with it.
 */
import { ODataClientError } from "../errors.js";
import { clipText, redactUrl, type SecretSet } from "../util/redact.js";
import { maskSecretValues } from "../util/secret-values.js";
import { graphReference } from "../util/service-root.js";
import { utf8Text } from "../util/utf8-text.js";

/** What names an answer in its errors: the request that got it, and the status. */
export interface AnswerOrigin {
  /** The URL of the request that got the answer; relative URLs in the answer resolve against it. */
  url: URL;
  status: number;
  method: string;
  /**
   * The secret values the request was sent with: a service may echo one into a header or a body
   * member that the error then quotes (a `Location` that is no URL, an `AsyncResult`).
   */
  secrets?: SecretSet | undefined;
}

/**
 * The URL that gave an answer: the last hop's where redirects were followed, so that a relative
 * `Location` in the answer resolves against it (RFC 9110 §10.2.2), else the URL asked (an answer a
 * pipeline step made up has no URL).
 */
export function answeredUrl(response: Response, asked: URL): URL {
  if (!response.url || response.url === asked.href) return asked;
  try {
    return new URL(response.url);
  } catch {
    return asked;
  }
}

/** Resolves a URL from an answer against the request URL; only http(s) URLs are accepted. */
export function resolveAnswerUrl(value: string, answer: AnswerOrigin, what: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim(), answer.url);
  } catch {
    throw badResponse(answer, `${what} ${JSON.stringify(clipText(value))} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw badResponse(answer, `${what} ${JSON.stringify(clipText(value))} is not an http or https URL`);
  }
  if (url.username || url.password) {
    throw badResponse(answer, `${what} carries a user name or password, which is not followed`);
  }
  return url;
}

/**
 * The `Location` header of an answer, resolved as {@link resolveAnswerUrl} resolves a URL (a path
 * from Microsoft Graph below its version root: see {@link graphReference}), its value read as
 * UTF-8 where its bytes are that (see {@link utf8Text}). Every status monitor's and result's
 * `Location` goes through here; a redirect's does not (http/redirects.ts).
 */
export function resolveLocation(value: string, answer: AnswerOrigin): URL {
  return resolveAnswerUrl(graphReference(utf8Text(value).trim(), answer.url), answer, "Location");
}

/** What each error of {@link badResponse} says was wrong, its `what` masked, without the request. */
const BAD_RESPONSE_DETAIL = new WeakMap<ODataClientError, string>();

/**
 * `ASYNC_BAD_RESPONSE`: an answer of the operation's that cannot be read, and why. `what` quotes
 * the answer, so the secrets its request carried are masked in it.
 */
export function badResponse(answer: AnswerOrigin, what: string): ODataClientError {
  const detail = maskSecretValues(what, answer.secrets);
  const error = new ODataClientError("ASYNC_BAD_RESPONSE", `${answer.method} ${redactUrl(answer.url)} (HTTP ${answer.status}): ${detail}`);
  BAD_RESPONSE_DETAIL.set(error, detail);
  return error;
}

/**
 * What an error made by {@link badResponse} says was wrong, without the request its message names
 * first, for a message that names the request its own way; `undefined` for any other error.
 */
export function badResponseDetail(error: unknown): string | undefined {
  return error instanceof ODataClientError ? BAD_RESPONSE_DETAIL.get(error) : undefined;
}
