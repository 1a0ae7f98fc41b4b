/**
 * What a `Content-Type` says a body is, for the choices the readers make: JSON or not, Atom (XML)
 * or not. One test each, so that a page, an entity, a delta, an operation's result, a status
 * monitor's answer and a `$batch` part are told apart the same way. And the JSON media type the
 * requests send.
 */

const JSON_TYPE = /^\s*application\/(?:[\w.+-]*\+)?json\b/i;
const XML_TYPE = /\b(?:atom\+xml|application\/xml|text\/xml)\b/i;

/**
 * Whether a `Content-Type` names JSON: `application/json` with any parameters
 * (`odata.metadata=minimal`, `charset`), or a `+json` type such as `application/problem+json`.
 */
export function isJsonContentType(contentType: string | null | undefined): boolean {
  return typeof contentType === "string" && JSON_TYPE.test(contentType);
}

/**
 * Whether a `Content-Type` names the XML an OData v2 service answers in instead of JSON: Atom
 * (`application/atom+xml`), `application/xml` or `text/xml`.
 */
export function isXmlContentType(contentType: string | null | undefined): boolean {
  return typeof contentType === "string" && XML_TYPE.test(contentType);
}

/**
 * Whether a `Content-Type` names an HTML page (`text/html`): a proxy's or a sign-in page answering
 * in the service's place, never a result.
 */
export function isHtmlContentType(contentType: string | null | undefined): boolean {
  return typeof contentType === "string" && /^\s*text\/html\b/i.test(contentType);
}

/**
 * The JSON media type of a request's `Accept` and of its JSON body's `Content-Type`: with the
 * `IEEE754Compatible=true` parameter where the client's option `ieee754Compatible` is on (v4 only:
 * the resolved option is never on for v2), which asks the service for Int64 and Decimal values as
 * strings and tells it the body has them so (OData JSON Format §3.2).
 * @example jsonMediaType(true) // "application/json;IEEE754Compatible=true"
 */
export function jsonMediaType(ieee754Compatible: boolean | undefined): string {
  return ieee754Compatible ? "application/json;IEEE754Compatible=true" : "application/json";
}
