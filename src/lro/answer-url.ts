/**
 * A URL that a long-running operation's answer names (a status monitor's or a result's `Location`,
 * a body's result URL), checked and resolved against the URL that answered, and the error of an
 * answer that cannot be read. A module of its own, so that `$batch`, which reads the `Location` of
 * a 202, does not load the whole monitor reader with it.
 */
import { ODataClientError } from "../errors.js";
import { clipText, redactUrl } from "../util/redact.js";
import { utf8Text } from "../util/utf8-text.js";

/** What names an answer in its errors: the request that got it, and the status. */
export interface AnswerOrigin {
  /** The URL of the request that got the answer; relative URLs in the answer resolve against it. */
  url: URL;
  status: number;
  method: string;
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

/**
 * Microsoft Graph's hosts: the global service's and the national clouds'
 * (learn.microsoft.com/graph/deployments).
 */
const GRAPH_HOST = /^(?:graph\.microsoft\.(?:com|us)|dod-graph\.microsoft\.us|microsoftgraph\.chinacloudapi\.cn)$/;

/** A path's first segment when it is one of Graph's versions (`/v1.0`, `/beta`). */
const GRAPH_VERSION = /^\/(?:v\d+(?:\.\d+)*|beta)(?=[/?#]|$)/i;

/**
 * The reference that, resolved against `base` by RFC 3986, names what the service meant. Graph writes a 202's `Location` as a path
 * from the host without the version (`/teams('…')/operations('…')`, see "Create team") and means
 * it below the version root its SDKs prefix; read from the host, the poll would ask
 * `/teams('…')`, which Graph refuses (400 "Invalid version") while the operation runs on. So on a
 * Graph host, a path-absolute reference that names no version gets the version of `base`. Any
 * other service's `/jobs/1` means the host's root, as RFC 3986 has it.
 * @example graphReference("/teams('1')", new URL("https://graph.microsoft.com/v1.0/teams")) // "/v1.0/teams('1')"
 */
export function graphReference(reference: string, base: URL): string {
  const version = GRAPH_HOST.test(base.hostname) ? GRAPH_VERSION.exec(base.pathname) : null;
  // `//host/…` and `/\host/…` name another host (WHATWG URL reads `\` as `/`): not a path.
  return version && /^\/(?![/\\])/.test(reference) && !GRAPH_VERSION.test(reference) ? version[0] + reference : reference;
}

/** `ASYNC_BAD_RESPONSE`: an answer of the operation's that cannot be read, and why. */
export function badResponse(answer: AnswerOrigin, what: string): ODataClientError {
  return new ODataClientError("ASYNC_BAD_RESPONSE", `${answer.method} ${redactUrl(answer.url)} (HTTP ${answer.status}): ${what}`);
}
