/**
 * Following redirects hop by hop (see `redirectStep` in steps.ts), loaded with the first answer
 * that is a redirect.
 */
import { discard } from "./body.js";
import { ODataClientError } from "../errors.js";
import { copyRequest, dropCredentials, IDEMPOTENT_METHODS, REDIRECT_STATUSES, type ODataRequest, type SendRequest } from "./pipeline.js";
import { REDIRECT_TARGETS } from "./on-response.js";
import { redactUrl } from "../util/redact.js";
import { utf8Text } from "../util/utf8-text.js";

/**
 * Follows the redirects of `request`, whose first hop answered `first` (a redirect); `learn` sees
 * every answer. See `redirectStep` for the rules.
 */
export async function followRedirects(
  request: ODataRequest,
  next: SendRequest,
  maxRedirects: number,
  learn: (response: Response) => Response,
  first: Response,
): Promise<Response> {
  // Headers of the hops come from this copy, not from what the steps below did to the last
  // hop's request: their additions are made again on every hop, for that hop's origin.
  let hopHeaders = new Headers(request.headers);
  let current: ODataRequest = { ...request, redirect: "manual" };
  for (let hop = 0; ; hop++) {
    let response = first;
    if (hop > 0) {
      const sent = copyRequest({ ...current, headers: hopHeaders });
      sent.hop = hop;
      response = await next(sent);
    }
    if (learn(response).type === "opaqueredirect") {
      await discard(response);
      // The service has already seen this request: sending it again for the runtime to follow
      // is only safe when its method is idempotent.
      if (!IDEMPOTENT_METHODS.has(current.method) || request.redirect === "error") {
        throw new ODataClientError(
          "UNEXPECTED_REDIRECT",
          `${current.method} ${redactUrl(current.url)} was redirected, and this runtime does not show where to (an opaque redirect); it was not sent again, as it may have taken effect`,
        );
      }
      return next(copyRequest({ ...current, headers: hopHeaders, redirect: "follow" }));
    }
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || !location) {
      if (hop > 0) REDIRECT_TARGETS.set(response, current.url);
      return response;
    }
    await discard(response);
    if (request.redirect === "error") {
      throw new ODataClientError("UNEXPECTED_REDIRECT", `${current.method} ${redactUrl(current.url)} was redirected (HTTP ${response.status}) where no redirect was expected`);
    }
    if (hop >= maxRedirects) {
      throw new ODataClientError("TOO_MANY_REDIRECTS", `${request.method} ${redactUrl(request.url)} was redirected more than ${maxRedirects} times`);
    }
    let target: URL;
    try {
      target = new URL(utf8Text(location), current.url);
    } catch {
      throw new ODataClientError("BAD_REDIRECT", `${current.method} ${redactUrl(current.url)} was redirected to an invalid URL`);
    }
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new ODataClientError("BAD_REDIRECT", `${current.method} ${redactUrl(current.url)} was redirected to a ${target.protocol} URL, which is not followed`);
    }
    if (target.username || target.password) {
      throw new ODataClientError("BAD_REDIRECT", `${current.method} ${redactUrl(current.url)} was redirected to a URL with a user name or password, which is not followed`);
    }
    hopHeaders = new Headers(hopHeaders);
    // Leaving the origin drops credentials for good (as fetch does): a later hop back does not
    // bring back what the caller set; the auth step adds the client's own where trusted.
    if (target.origin !== current.url.origin) dropCredentials(hopHeaders);
    // RFC 9110 §15.4: 303 turns any method but HEAD into GET, whose answer is the request's (the
    // write was carried out). 301 and 302 turn a POST into a GET only by custom (fetch's), and a
    // service may mean "moved" or "done, look there": the GET's answer (a collection page) is no
    // answer to the POST, and sending the POST again might repeat a write that took effect, so it
    // rejects. A write tunnelled through POST (X-HTTP-Method) is sent again as the same POST, as
    // the PATCH, MERGE, PUT or DELETE it carries would be (fetch keeps those on a 301 or 302).
    const tunnelled = hopHeaders.has("x-http-method");
    if ((response.status === 301 || response.status === 302) && current.method === "POST" && !tunnelled) {
      throw new ODataClientError(
        "UNEXPECTED_REDIRECT",
        `POST ${redactUrl(current.url)} was redirected (HTTP ${response.status}) to ${redactUrl(target)}, and not followed: a POST would become a GET there, whose answer is not the write's, and it was not sent again, as it may have taken effect; if the service moved, send it to the new URL`,
      );
    }
    if (response.status === 303 && current.method !== "HEAD") {
      // The GET reads what the write left: the write's conditions, its tunnelled method and its
      // preferences are not for it (a write that succeeded would read 412 against its old ETag).
      for (const name of [...BODY_HEADERS, ...WRITE_HEADERS]) hopHeaders.delete(name);
      current = { ...current, url: target, method: "GET", body: undefined };
    } else {
      current = { ...current, url: target };
    }
  }
}

/** Headers that describe a request body; they go when a redirect drops the body. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

/** Headers of a write that a redirect's GET must not carry: its conditions, its tunnelled method, its preferences. */
const WRITE_HEADERS = ["if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "x-http-method", "prefer"];
