/**
 * Reading an `application/http` body: one complete HTTP response (status line, headers, empty line,
 * body), as an OData 4.0 status monitor sends the final result and as `$batch` parts carry theirs.
 */
import { ODataClientError, type ODataErrorCode } from "../errors.js";
import { clipText } from "../util/redact.js";
import { utf8Text } from "../util/utf8-text.js";
import { BODY_LIMIT, readBodyBytes } from "../http/body.js";
import type { AbortSignalLike } from "../http/signals.js";
import { charsetOf, decode } from "./charset.js";
import { xmlEncoding } from "./xml-encoding.js";
import { isXmlContentType } from "./content-type.js";

/** One HTTP response read from an `application/http` body. */
export interface HttpMessage {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
  /**
   * The body's bytes, where the message was read from bytes and its body is not text (an image
   * from `$value`): `body` is then a text reading that would destroy them.
   */
  bytes?: Uint8Array | undefined;
}

const STATUS_LINE = /^HTTP\/\d(?:\.\d)? ([1-5]\d\d)(?: (.*))?$/;

/**
 * Parses an HTTP response message. Lines end in CRLF per RFC 9112; bare LF is tolerated because
 * real services and proxies produce it. Throws `ODataClientError` `ASYNC_BAD_RESPONSE` naming what
 * is wrong; `code` may be overridden for other callers (the batch reader).
 */
export function parseHttpMessage(text: string, code: ODataErrorCode = "ASYNC_BAD_RESPONSE"): HttpMessage {
  const bad = (what: string) => new ODataClientError(code, `malformed application/http response: ${what}`);
  let position = 0;
  const nextLine = (): string | undefined => {
    if (position > text.length) return undefined;
    const end = text.indexOf("\n", position);
    const stop = end === -1 ? text.length : end;
    let line = text.slice(position, stop);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    position = end === -1 ? text.length + 1 : end + 1;
    return line;
  };

  let statusLine = nextLine();
  // Leading empty lines before the status line are tolerated (RFC 9112 §2.2 robustness).
  while (statusLine === "") statusLine = nextLine();
  if (statusLine === undefined) throw bad("the body is empty");
  const match = STATUS_LINE.exec(statusLine);
  if (!match) throw bad(`the first line ${JSON.stringify(clipText(statusLine))} is not a status line such as "HTTP/1.1 200 OK"`);

  const headers = new Headers();
  for (;;) {
    const line = nextLine();
    if (line === undefined) throw bad("the headers do not end with an empty line");
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) throw bad(`the header line ${JSON.stringify(clipText(line))} has no name`);
    try {
      headers.append(line.slice(0, colon).trim(), byteString(line.slice(colon + 1).trim()));
    } catch {
      throw bad(`the header line ${JSON.stringify(clipText(line))} is not a valid header`);
    }
  }
  const body = position > text.length ? "" : text.slice(position);
  return { status: Number(match[1]), statusText: match[2] ?? "", headers, body };
}

/**
 * A header value read from text as `Headers` can hold it: one with characters beyond U+00FF (a
 * service's UTF-8, decoded with the answer it came in) as its UTF-8 bytes one character each, as
 * fetch gives a response's own header bytes and as a multipart answer read from bytes keeps it.
 * Refused, such a value made the whole message unreadable. NUL and line breaks stay, for `Headers`
 * to refuse.
 */
export function byteString(value: string): string {
  return /[^\0-\xff]/.test(value) ? byteText(new TextEncoder().encode(value)) : value;
}

/**
 * `bytes` as text, one character each (ISO-8859-1): how a multipart batch answer is read, so that
 * a part's bytes survive the split into parts (payload/multipart.ts `readMultipartBatch` with
 * `binary`). Not `TextDecoder("latin1")`, which is windows-1252 and changes 0x80 to 0x9F.
 */
export function byteText(bytes: Uint8Array): string {
  // `apply` reads the array by index where a spread walks its iterator (ten times slower: 3 s for a
  // 10 MB answer); the pieces joined once make one flat string, which the envelope's searches
  // then scan at full speed (a string grown by `+=` is a tree each search flattens). `TextDecoder`'s
  // "latin1" is windows-1252, which changes 0x80–0x9F.
  const pieces: string[] = [];
  for (let i = 0; i < bytes.length; i += 0x1000) pieces.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x1000) as unknown as number[]));
  return pieces.join("");
}

/**
 * A body read whole to the client's limit: as text in the charset its Content-Type names (UTF-8
 * where it names none), or where `bytes`, as its bytes one character each ({@link byteText}), for
 * an answer whose parts or inner message each decode by their own type (an image's bytes read as
 * text would be destroyed, and an inner message's charset is not the answer's).
 */
export async function readBodyAs(response: Response, method: string, url: URL, signal: AbortSignalLike | undefined, bytes: boolean): Promise<string> {
  const read = await readBodyBytes(response, method, url, signal, BODY_LIMIT);
  return bytes ? byteText(read) : decode(read, charsetOf(response.headers.get("content-type")));
}

/**
 * An answer's body read whole as an entity's or a page's: XML (a v2 service's Atom) in the encoding
 * its Content-Type or its own bytes name (`xmlEncoding`), as XML need not be UTF-8; anything else
 * (JSON) as UTF-8 whatever its label says (RFC 8259 §8.1). Up to `limit` bytes (see `readBodyBytes`).
 */
export async function readAnswerText(response: Response, method: string, url: URL, signal: AbortSignalLike | undefined, limit = BODY_LIMIT): Promise<string> {
  const type = response.headers.get("content-type");
  const bytes = await readBodyBytes(response, method, url, signal, limit);
  return decode(bytes, isXmlContentType(type) ? xmlEncoding(bytes, type) : "utf-8");
}

/** The bytes of text read by {@link byteText}. */
export function bytesOf(latin1: string): Uint8Array {
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i);
  return bytes;
}

/**
 * A body read by {@link byteText} as the text that reading it as UTF-8 gives (a bad sequence
 * replaced, a byte order mark dropped), where no Content-Type tells its charset.
 */
export function utf8Body(bytes: string): string {
  return /[\x80-\xff]/.test(bytes) ? decode(bytesOf(bytes), "utf-8") : bytes;
}

/**
 * A message read from bytes (one character each: a `$batch` part, a status monitor's
 * `application/http` answer) as text: its body decoded by the charset its own Content-Type names
 * (UTF-8 without one; XML by the encoding its bytes tell, see `xmlEncoding`), one of a type that
 * is not text keeping its bytes (`bytes`), and its status text and header values as UTF-8 where
 * they are that (see {@link headerText}).
 */
export function decodedMessage(message: HttpMessage): HttpMessage {
  const type = message.headers.get("content-type");
  const bytes = bytesOf(message.body);
  // Text, JSON and XML by their charset; no type at all (a 204, an error without one) as text.
  const text = !type || /^\s*(?:text\/|application\/http\b)|^[^;]*[/+](?:json|xml)\s*(?:;|$)/i.test(type);
  const headers = new Headers();
  for (const [name, value] of message.headers) headers.append(name, headerText(value));
  const decoded: HttpMessage = { status: message.status, statusText: utf8Text(message.statusText), headers, body: decode(bytes, !text ? "utf-8" : isXmlContentType(type) ? xmlEncoding(bytes, type) : charsetOf(type)) };
  if (!text) decoded.bytes = bytes;
  return decoded;
}

/**
 * A header value read from bytes (one character each) as UTF-8 where it is that ({@link utf8Text}),
 * so that `Location: Books('Müller')` does not read `Books('MÃ¼ller')`; as its bytes where its
 * text goes beyond U+00FF, which `Headers` cannot hold (as fetch and {@link byteString} give it).
 */
function headerText(value: string): string {
  const text = utf8Text(value);
  return /[^\0-\xff]/.test(text) ? value : text;
}
