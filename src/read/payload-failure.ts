/**
 * The words of a read whose answer's body cannot be read as its payload (`BAD_PAYLOAD`), loaded
 * with the first such failure (and by the entity and delta reads, which are loaded on use), so
 * that a walk's start holds none of them: a page's failure named as the page's, and a body of the
 * other OData version said to be one where the answer's headers say so, with the option to set (a
 * client of OData 4.0, the default, pointed at a v2 service, or one set to 2.0 pointed at a v4
 * service). Operation calls, loaded on use too, go by it for their results' `{"d": …}`.
 */
import type { ODataVersion } from "../options.js";
import { ODataClientError } from "../errors.js";
import { isRecord } from "../util/values.js";
import { isHtmlContentType } from "../payload/content-type.js";
import { ANSWER_VERSION } from "../payload/version-headers.js";
import { clipText, redactUrl } from "../util/redact.js";

/**
 * The words that a `BAD_PAYLOAD` of a read answered with `headers` ends with, for a client of
 * `version`: where the headers are those of the other version, that version and the option to set;
 * else `""`. The headers decide, never the body alone: a v2 service sends `DataServiceVersion` and
 * no `OData-Version`, a v4 service `OData-Version: 4.x` ({@link ANSWER_VERSION}); an answer with
 * neither, or both, is not judged.
 * @example versionHint(new Headers({ dataserviceversion: "2.0" }), "4.0") // `; the answer is OData v2's (DataServiceVersion: 2.0, no OData-Version), which a client of OData 4.0 does not read: create the client with version: "2.0"`
 */
export function versionHint(headers: Headers, version: ODataVersion): string {
  const v2 = headers.get(ANSWER_VERSION.v2);
  const v4 = headers.get(ANSWER_VERSION.v4);
  if (version === "2.0") {
    if (v2 !== null || v4 === null || !/^\s*4\./.test(v4)) return "";
    return `; the answer is OData v4's (OData-Version${versionValue(v4)}, no DataServiceVersion), which a client of OData 2.0 does not read: leave version out of the client's options, or give version: "4.0"`;
  }
  if (v2 === null || v4 !== null) return "";
  return `; the answer is OData v2's (DataServiceVersion${versionValue(v2)}, no OData-Version), which a client of OData ${version} does not read: create the client with version: "2.0"`;
}

/**
 * The version number a version header gives (`4.0`; `2.0` of `2.0;NetFx`), or `undefined` where
 * it reads as none. Only such a number is quoted: a service that echoes its request may fill the
 * header with anything, a token too, and a cut value would escape the masks of whole secrets.
 */
function versionNumber(value: string): string | undefined {
  return /^\s*(\d{1,2}\.\d{1,2})\s*(?:[;,]|$)/.exec(value)?.[1];
}

/**
 * What follows a version header's name in a message: `: 2.0` (`: "2.0"` where `quoted`, as the
 * command line writes values), or that its value is no version number: a service that echoes its
 * request may fill it with anything, a token too.
 */
export function versionValue(value: string, quoted = false): string {
  const number = versionNumber(value);
  return number === undefined ? " with no version number" : `: ${quoted ? JSON.stringify(number) : number}`;
}

/** How the collection reader says that a v4 body lacks its entities, as a v2 body does. */
const NO_VALUE = 'has no "value" member';

/**
 * Where an answer to a client of OData 4.x shows neither version header, the hint that it may be a
 * v2 service's: a v4 service always sends `OData-Version`, and a browser sees it (and a v2
 * service's `DataServiceVersion`) only where the service lists it in
 * `Access-Control-Expose-Headers`. Worded as the guess it is; `""` where a header shows.
 */
function unseenVersionHint(headers: Headers, version: ODataVersion): string {
  return version === "2.0" || headers.has(ANSWER_VERSION.v2) || headers.has(ANSWER_VERSION.v4) ? "" : UNSEEN_VERSION_HINT;
}

/** The words of {@link unseenVersionHint}, for the command line, which names its own setting. */
export const UNSEEN_VERSION_HINT =
  '; the answer shows no OData-Version header, which a service of OData 4 sends (a browser sees it only where the service exposes it): if the service is OData v2\'s, create the client with version: "2.0"';

/**
 * A {@link versionHint} at the end of a message, for the command line, which names its own setting
 * (`--odata-version`, a profile's `version`) where the hint names the library's option.
 */
export const VERSION_HINT = /; the answer is OData v[24]'s \([^)]*\), which a client of OData [\d.]+ does not read: [^;]*$/;

/**
 * `error` with the {@link versionHint} of the answer it was met in, where it is a `BAD_PAYLOAD`
 * and the hint has words: a new error of that code whose cause is `error`. Anything else as it was.
 */
export function withVersionHint(error: unknown, headers: Headers, version: ODataVersion): unknown {
  const hint = error instanceof ODataClientError && error.code === "BAD_PAYLOAD" ? versionHint(headers, version) : "";
  return hint === "" ? error : new ODataClientError("BAD_PAYLOAD", `${(error as Error).message}${hint}`, { cause: error });
}

/**
 * The `BAD_PAYLOAD` of a page whose body did not read as a collection (`error`, the reader's),
 * naming the page's request as `get()`'s does. A body labelled `text/html` that did not parse (the
 * JSON parser's error its cause) is said to be what it is, a proxy's or a sign-in page answering
 * in the service's place (JSON mislabelled so is read as JSON); any other ends with the
 * {@link versionHint} of the answer.
 */
export function pagePayloadError(error: ODataClientError, url: URL, response: Response, version: ODataVersion): ODataClientError {
  const what =
    isHtmlContentType(response.headers.get("content-type")) && error.cause instanceof SyntaxError
      ? ` answered with an HTML page (${clipText(response.headers.get("content-type") ?? "", 100)}), not a collection`
      : `: ${error.message}${versionHint(response.headers, version) || (error.message.endsWith(NO_VALUE) ? unseenVersionHint(response.headers, version) : "")}`;
  return new ODataClientError("BAD_PAYLOAD", `GET ${redactUrl(url)}${what}`, { cause: error });
}

/**
 * Refuses the answer of a v2 service to a client of OData v4 that reads one entity: its body is
 * `{"d": …}`, which would pass for an entity whose one property is `d`. Only where the headers say
 * v2 ({@link versionHint}): a v4 entity may well have a property named `d`. `where` names the
 * request (`GET https://...`).
 */
export function refuseV2Envelope(text: string, headers: Headers, version: ODataVersion, where: string): void {
  // Parsed only where the headers say the other version, or show none and the text starts as a v2
  // body does: the entity reader parses every other body itself.
  if (version === "2.0") {
    const hint = versionHint(headers, version);
    // A v4 entity has no "d" wrapper, which a v2 client would otherwise take as the entity itself.
    const body = hint === "" ? undefined : parsedOrUndefined(text);
    if (isRecord(body) && !("d" in body)) throw new ODataClientError("BAD_PAYLOAD", `${where} answered with an object without "d", not a v2 entity${hint}`);
    return;
  }
  if (v2HintFor(headers, version) !== "") refuseV2Body(parsedOrUndefined(text), headers, version, `${where} answered with`, "an entity");
  else if (V2_START.test(text) && unseenVersionHint(headers, version) !== "") {
    // No version header to go by (a browser that is not shown them): a v2 entity's "d" holds its
    // "__metadata", which no v4 entity has; anything less is left to the entity reader.
    const body = parsedOrUndefined(text);
    const d = isRecord(body) && Object.keys(body).length === 1 ? body["d"] : undefined;
    if (isRecord(d) && isRecord(d["__metadata"])) {
      throw new ODataClientError("BAD_PAYLOAD", `${where} answered with {"d": {"__metadata": …}}, OData v2's entity, not an entity of OData ${version}${unseenVersionHint(headers, version)}`);
    }
  }
}

/** The start of a v2 JSON body, `{"d":`, for the cheap test of {@link refuseV2Envelope} and {@link refuseV2Property} before they parse. */
const V2_START = /^\s*\{\s*"d"\s*:/;

/**
 * Refuses the parsed JSON `body` of an operation's answer (`invoke()`, `get()`, a `$batch` part)
 * that a client of OData v4 would otherwise unwrap as a v2 result (`{"d": {"f": 9}}`), where the
 * answer's `headers` say v2, as {@link refuseV2Envelope} refuses an entity's: a v4 result read as
 * it is would be an object whose one property is `d`. `where` names the request (`POST
 * https://...`); a `$batch` part's failure is named by the batch.
 */
export function refuseV2Result(body: unknown, headers: Headers, version: ODataVersion, where: string | undefined): void {
  refuseV2Body(body, headers, version, where === undefined ? "the body is" : `${where} answered with`, "the operation's result");
}

/**
 * Refuses the answer of a v2 service to a client of OData v4 that reads one property alone
 * (`property(name).get()`): its `{"d": …}` would pass for a complex value whose one member is `d`.
 * `text` is the body, parsed here only where it starts as a v2 body does and the headers say v2.
 */
export function refuseV2Property(text: string, headers: Headers, version: ODataVersion, where: string): void {
  if (V2_START.test(text) && v2HintFor(headers, version) !== "") refuseV2Body(parsedOrUndefined(text), headers, version, `${where} answered with`, "the property's value");
}

/** Throws the `BAD_PAYLOAD` of a v2 envelope (`said` the words before it, `what` what was due) where the headers say v2. */
function refuseV2Body(body: unknown, headers: Headers, version: ODataVersion, said: string, what: string): void {
  const hint = v2HintFor(headers, version);
  if (hint !== "" && isRecord(body) && Object.keys(body).length === 1 && "d" in body) {
    throw new ODataClientError("BAD_PAYLOAD", `${said} {"d": …}, not ${what}${hint}`);
  }
}

/** The {@link versionHint} of a client of OData v4 at a v2 answer; `""` for a client of 2.0. */
function v2HintFor(headers: Headers, version: ODataVersion): string {
  return version === "2.0" ? "" : versionHint(headers, version);
}

/** `text` parsed as JSON; `undefined` where it is none (the entity reader says what is wrong with it). */
function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error of a next link back to a page already read (`page`: what the pages are), for the
 * readers that follow next links outside the walk: a delta, a paged property. The walk
 * (traversal.ts) words its own the same way, written there as every program loads it at start.
 */
export function nextLinkLoop(next: URL, page = "a page"): ODataClientError {
  return new ODataClientError("NEXT_LINK_LOOP", `the service sent a next link back to ${page} already read (${redactUrl(next)}); stopping instead of looping`);
}
