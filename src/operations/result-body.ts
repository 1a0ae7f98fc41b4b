/**
 * What the body of an operation's answer is, by its `Content-Type`: read alike by `invoke()` and
 * `get()` (call.ts) and by a `$batch` part (batch/decoders.ts), so that a part reads as the same call
 * sent alone. A pure function, loaded with the first call or batch, never at start.
 */
import { badPayload } from "../payload/bad-payload.js";
import { isHtmlContentType, isJsonContentType } from "../payload/content-type.js";
import { clipText } from "../util/redact.js";

/** An operation answer's body: JSON to unwrap (`readOperationResult`), or a result's own text. */
export type OperationBody = { json: unknown } | { text: string };

/**
 * Reads an operation answer's body: `undefined` when empty; its text under a `Content-Type` that
 * is not JSON (a CSV report, a raw value as `text/plain`); the parsed JSON under a JSON type or
 * none. An HTML page, and a body that is not JSON where JSON is due, are `BAD_PAYLOAD`, the message
 * starting with `where` (`POST https://...`) when given.
 * @example readOperationBody("ID,title\n1,Dune\n", "text/csv", undefined) // { text: "ID,title\n1,Dune\n" }
 * @example readOperationBody('{"value":9}', "application/json", undefined) // { json: { value: 9 } }
 */
export function readOperationBody(text: string, contentType: string | null, where: string | undefined): OperationBody | undefined {
  if (text.trim() === "") return undefined;
  if (contentType !== null && !isJsonContentType(contentType)) {
    // A result in a format of its own is given as its text; an HTML page is no operation's result
    // but a proxy's or a sign-in page answering in the service's place.
    if (!isHtmlContentType(contentType)) return { text };
    throw badPayload(`${where === undefined ? "the body is" : `${where} answered with`} an HTML page (${clipText(contentType, 100)}), not the operation's result`);
  }
  try {
    return { json: JSON.parse(text) };
  } catch (error) {
    throw badPayload(`${where === undefined ? "the body is" : `${where} answered with a body that is`} not JSON (${(error as Error).message})`, error);
  }
}
