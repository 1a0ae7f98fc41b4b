/**
 * Reading a failed answer: its body, bounded in size, and the OData error inside it in the v4 JSON,
 * v2 JSON and XML shapes.
 */
import { ODataClientError, ODataHttpError, type ODataErrorDetail } from "../errors.js";
import { redactCause, redactHeaders, redactUrl, SENT_SECRETS, type SecretSet } from "../util/redact.js";
import { bodyStallWatch } from "../http/stall.js";
import { abortReason } from "../http/signals.js";
import { BODY_FAILURES } from "../http/pipeline.js";
import { maskSecretValues } from "../util/secret-values.js";
import { readJsonPrefix } from "./json-prefix.js";
import { charsetOf, decode } from "./charset.js";
import { xmlEncoding } from "./xml-encoding.js";
import { isRecord } from "../util/values.js";

/**
 * How deep the reader of an XML error follows nested elements (an `<innererror>`'s, `<details>`
 * in `<details>`), and how deep the secrets of a parsed error are masked: past it an element
 * keeps its text only. Unbounded, thousands of levels overflowed the stack, and the RangeError
 * replaced the error of the answer. (The error's constructor replaces what lies deeper than this
 * with `***` anyway, see `redactJson`.)
 */
const NESTING_LIMIT = 32;

/** How much of an error body is kept (and read at all); the rest is discarded unread. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * How long reading an error body may take in all, in ms, however steadily it comes (the client's
 * `timeout` bounds each wait for data in it, as in every body).
 */
export const ERROR_BODY_TIME_LIMIT = 10_000;

/**
 * Reads at most `limit` bytes of a body as text, for at most `timeLimit` ms, and cancels the rest,
 * so that a hostile, huge or stalled error body can neither exhaust memory nor hang the caller.
 * Reports what it got, and how reading failed if it did: an error answer whose connection drops
 * half-way still has its status, and the text read before the drop may already hold the whole
 * OData error. The text is decoded by the body's `charset`, as a `$batch` part's is (a v2 service
 * that answers in ISO-8859-1 says so in its Content-Type). `cut`: reading stopped before the end,
 * at the size bound or at the time limit.
 */
async function readBoundedPart(response: Response, limit: number, timeLimit: number): Promise<{ text: string; cut?: true; failure?: { error: unknown; stalled: boolean } }> {
  if (!response.body) return { text: "" };
  const watch = bodyStallWatch(response);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  let cut = false;
  // Cancelling the reader ends a pending read with `done`: what was read so far is kept, and is
  // the start of a longer body as one cut at the size bound is.
  const timer = setTimeout(() => {
    cut = true;
    reader.cancel().catch(() => {});
  }, timeLimit);
  /** The bytes read so far, as text; a character that the end of a cut split is dropped rather than shown as U+FFFD. */
  const text = () => {
    const bytes = new Uint8Array(received);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    const type = response.headers.get("content-type");
    // An XML error may tell its encoding in its own bytes, as any XML answer (see xmlEncoding);
    // an XML type as readError below takes one.
    const decoded = decode(bytes, /xml/i.test(type ?? "") ? xmlEncoding(bytes, type) : charsetOf(type));
    return cut ? decoded.replace(/\uFFFD$/, "") : decoded;
  };
  try {
    for (;;) {
      watch?.reading();
      const { done, value } = await reader.read();
      watch?.progressed();
      if (done) break;
      const room = limit - received;
      if (value.byteLength >= room) {
        chunks.push(value.subarray(0, room));
        received = limit;
        cut = true;
        break;
      }
      chunks.push(value);
      received += value.byteLength;
    }
  } catch (error) {
    // The watch names its stall whatever it is asked about. It aborts a request's own signal (a
    // walk's page, a poll) with that stall: such an abort is no caller's.
    const stall = watch?.failure(undefined);
    cut = true;
    // The wire log ends the answer's lines with the stall, the abort or the lost connection (fetch's
    // TypeError, workerd's plain Error), as for any other body.
    const lost = error instanceof TypeError || (error as object | undefined)?.constructor === Error;
    BODY_FAILURES.get(response)?.(stall ?? (lost ? new ODataClientError("NETWORK_ERROR", `reading the answer's body failed: ${(error as Error).message}`, { cause: error }) : error));
    return { text: text(), failure: { error: stall ?? error, stalled: stall !== undefined } };
  } finally {
    watch?.end();
    clearTimeout(timer);
    // Cancelling the rest closes the connection instead of downloading what nobody will read.
    reader.cancel().catch(() => {});
  }
  return cut ? { text: text(), cut } : { text: text() };
}

/**
 * Parses the OData error object from an error body: v4 JSON `{"error":{"code","message",...}}`,
 * v2 JSON `{"error":{"code","message":{"lang","value"}}}` and the XML `<error>` of both versions.
 * Returns `undefined` when the body holds no OData error. `cut`: the body is the start of a longer
 * one (a JSON error is then read as far as it goes, see json-prefix.ts).
 */
export function parseODataError(body: string, contentType: string | null, cut = false, secrets?: SecretSet): ODataErrorDetail | undefined {
  const parsed = parseErrorBody(body, contentType, cut);
  return parsed === undefined || secrets === undefined ? parsed : maskParsed(parsed, secrets);
}

function parseErrorBody(body: string, contentType: string | null, cut: boolean): ODataErrorDetail | undefined {
  const trimmed = body.trimStart();
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      // A body cut at the length kept (ERROR_BODY_LIMIT) inside a long innererror: its start still
      // holds the code and the message. What the cut ended inside is left out. A body read whole
      // that is not JSON is the service's own mistake.
      if (!cut) return undefined;
      const read = readCutJsonError(trimmed);
      return read?.message ? read : (readCutMessage(trimmed) ?? read);
    }
    return readJsonError(parsed);
  }
  if (trimmed.startsWith("<") || /xml/i.test(contentType ?? "")) return readXmlError(trimmed);
  return undefined;
}

function readCutJsonError(text: string): ODataErrorDetail | undefined {
  const prefix = readJsonPrefix(text);
  return prefix === undefined ? undefined : readJsonError(prefix.value, prefix.cut);
}

/** A JSON escape that the end of a cut text split (`\`, `\u00`), after any whole `\\` before it. */
const SPLIT_ESCAPE = /(?<!\\)((?:\\\\)*)\\(?:u[0-9a-fA-F]{0,3})?$/;

/**
 * The error of a JSON body cut inside its message (a message that runs past the bound, or one
 * still arriving at the time limit), with what was read of the message and `…` to mark the cut:
 * read as if the string the cut ended inside were closed there. `undefined` where the cut fell
 * elsewhere (closing the string there gives no message).
 */
function readCutMessage(text: string): ODataErrorDetail | undefined {
  const read = readCutJsonError(`${text.replace(SPLIT_ESCAPE, "$1")}"`);
  return read?.message ? { ...read, message: `${read.message}…` } : undefined;
}

/** `cut`: the objects and arrays of a body cut short that the cut ended inside (see json-prefix.ts). */
function readJsonError(parsed: unknown, cut?: WeakSet<object>): ODataErrorDetail | undefined {
  if (!isRecord(parsed)) return undefined;
  // v2 services sometimes nest as {"odata.error": ...} (WCF Data Services / v3 verbose JSON).
  const error = parsed["error"] ?? parsed["odata.error"];
  return isRecord(error) ? readJsonErrorObject(error, cut) : undefined;
}

function readJsonErrorObject(error: Record<string, unknown>, cut?: WeakSet<object>, depth = 0): ODataErrorDetail | undefined {
  const code = error["code"];
  const message = readMessage(error["message"]);
  if (message === undefined && code === undefined) return undefined;
  const detail: ODataErrorDetail = {
    code: code === undefined || code === null ? "" : String(code),
    message: message ?? "",
  };
  if (typeof error["target"] === "string") detail.target = error["target"];
  const details = error["details"];
  if (Array.isArray(details) && depth < NESTING_LIMIT) {
    // The details read whole, as far as the body goes.
    const whole = details.filter((inner) => isRecord(inner) && !cut?.has(inner)) as Record<string, unknown>[];
    const read = whole.map((inner) => readJsonErrorObject(inner, cut, depth + 1));
    detail.details = read.filter((d): d is ODataErrorDetail => d !== undefined);
  }
  // Microsoft Graph spells it `innerError` (its request ids are in there, which its support asks
  // for); the spec's `innererror` wins where a body has both.
  const innererror = error["innererror"] !== undefined ? error["innererror"] : error["innerError"];
  // Only whole: a part of it would read as if the service had said no more.
  if (innererror !== undefined && !(cut !== undefined && typeof innererror === "object" && innererror !== null && cut.has(innererror))) detail.innererror = innererror;
  // Instance annotations (a severity, a long text's URL, Dataverse's error details), each whole.
  for (const name in error) {
    const value = error[name];
    if (!name.startsWith("@") || (cut !== undefined && typeof value === "object" && value !== null && cut.has(value))) continue;
    (detail.annotations ??= {})[name] = value;
  }
  return detail;
}

function readMessage(message: unknown): string | undefined {
  if (typeof message === "string") return message;
  if (isRecord(message) && typeof message["value"] === "string") return message["value"];
  return undefined;
}

function readXmlError(xml: string): ODataErrorDetail | undefined {
  const root = parseXmlElement(xml);
  // The root must be the OData <error> (v4 metadata namespace, or v2 <m:error>): an HTML page or
  // another XML document that merely contains a <code> element is not an OData error.
  if (root === undefined || root.name !== "error") return undefined;
  return readXmlErrorElement(root);
}

function readXmlErrorElement(element: XmlElement, depth = 0): ODataErrorDetail | undefined {
  const code = childText(element, "code");
  const messageElement = element.children.find((child) => child.name === "message");
  // A message that the end of a cut body falls inside, as a JSON one (see readCutMessage).
  const message = messageElement?.open && messageElement.text ? `${messageElement.text}…` : messageElement?.text;
  if (code === undefined && message === undefined) return undefined;
  const detail: ODataErrorDetail = { code: code ?? "", message: message ?? "" };
  const target = childText(element, "target");
  if (target !== undefined) detail.target = target;
  const details = element.children.find((child) => child.name === "details");
  if (details && depth < NESTING_LIMIT) {
    detail.details = details.children
      .map((child) => readXmlErrorElement(child, depth + 1))
      .filter((d): d is ODataErrorDetail => d !== undefined);
  }
  const inner = element.children.find((child) => child.name === "innererror");
  if (inner) detail.innererror = xmlToValue(inner, depth + 1);
  return detail;
}

/** An XML element reduced to what error bodies need: local name, child elements, text. */
interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
  /** The text ended before the element's end tag. */
  open?: true;
}

function childText(element: XmlElement, name: string): string | undefined {
  return element.children.find((child) => child.name === name)?.text;
}

/**
 * An element as plain data: its text when it has no child elements (or lies deeper than
 * {@link NESTING_LIMIT}), else an object of them, the values of a name that repeats in an array,
 * or an array of them where each is named as the element without its plural `s`.
 */
function xmlToValue(element: XmlElement, depth: number): unknown {
  // SAP's `<errordetails/>` without a detail is the empty array of its JSON form, not a text.
  if (element.children.length === 0 && element.name === "errordetails" && element.text.trim() === "") return [];
  if (element.children.length === 0 || depth > NESTING_LIMIT) return element.text;
  // SAP's list of an element's plural name (`<errordetails>` of `<errordetail>`s) is an array with
  // one item as with several, as its JSON form has it: read by name, one would be an object.
  if (element.children.every((child) => `${child.name}s` === element.name)) return element.children.map((child) => xmlToValue(child, depth + 1));
  // A Map, not an object: an element named `constructor` or `toString` found Object.prototype's
  // member there, and one named `__proto__` set the object's prototype.
  const members = new Map<string, unknown>();
  for (const child of element.children) {
    const value = xmlToValue(child, depth + 1);
    const existing = members.get(child.name);
    if (existing === undefined) members.set(child.name, value);
    else if (Array.isArray(existing)) existing.push(value);
    else members.set(child.name, [existing, value]);
  }
  return Object.fromEntries(members);
}

/**
 * `value` (a parsed error) with the secrets a client sent masked in every string of it: the
 * masking of the body's text cannot see a secret its parser decodes out of escapes the masking
 * does not know (a CDATA section that splits it, say).
 */
function maskParsed<T>(value: T, secrets: SecretSet, depth = 0): T {
  if (typeof value === "string") return maskSecretValues(value, secrets) as T;
  // Deeper, the error's constructor replaces the value with `***` (redactJson).
  if (typeof value !== "object" || value === null || depth > NESTING_LIMIT + 1) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => maskParsed(item, secrets, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskParsed(item, secrets, depth + 1)])) as T;
}

const XML_TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(\/?)>|([^<]+)|</g;

/**
 * Reads the root element of a small XML document (an error body, already bounded in size) into a
 * tree. Namespace prefixes are dropped: services use `m:`, no prefix, or others. Returns
 * `undefined` for text that is not well-formed XML; a document cut off by the size bound keeps
 * what was read before the cut.
 */
function parseXmlElement(xml: string): XmlElement | undefined {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (const match of xml.matchAll(XML_TOKEN)) {
    const [token, cdata, closeName, openName, selfClosing, text] = match;
    const current = stack[stack.length - 1];
    if (openName !== undefined) {
      if (root !== undefined && current === undefined) return undefined; // a second root
      const element: XmlElement = { name: localName(openName), children: [], text: "" };
      if (current) current.children.push(element);
      else root = element;
      if (selfClosing !== "/") stack.push(element);
    } else if (closeName !== undefined) {
      if (current === undefined || current.name !== localName(closeName)) return undefined;
      stack.pop();
    } else if (cdata !== undefined) {
      if (current === undefined) return undefined;
      current.text += cdata;
    } else if (text !== undefined) {
      if (current) current.text += decodeXmlText(text);
      else if (text.trim() !== "") return undefined; // text outside the root element
    } else if (token === "<") {
      // A "<" that starts no markup. At the very end it is a tag cut off by the size bound.
      if (match.index + 1 < xml.length && !/^<[^>]*$/.test(xml.slice(match.index))) return undefined;
      break;
    }
  }
  for (const element of stack) element.open = true;
  return root;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(":");
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/** Decodes the five predefined XML entities, numeric references and CDATA sections. */
export function decodeXmlText(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, data: string) => data)
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, entity: string) => {
      switch (entity) {
        case "lt":
          return "<";
        case "gt":
          return ">";
        case "amp":
          return "&";
        case "quot":
          return '"';
        case "apos":
          return "'";
        default: {
          const codePoint = entity[1] === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
          return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : "\uFFFD";
        }
      }
    });
}

/**
 * The response headers as a plain object, the credential headers left out (the rule of
 * {@link redactHeaders}: the `ODataHttpError` constructor applies it again, whoever built the
 * headers), and the secrets sent with the request masked where a service echoes them bare in a
 * header of its own (a debug header, `sap-message`), as in the body.
 */
function publicHeaders(headers: Headers, secrets: SecretSet | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = maskSecretValues(value, secrets);
  });
  return redactHeaders(out);
}

/**
 * Builds an {@link ODataHttpError} from a parsed body text (for answers that were already read,
 * such as the inner response of an `application/http` envelope).
 */
export function httpErrorFromParts(parts: {
  status: number;
  statusText?: string;
  method: string;
  url: string | URL;
  headers: Headers;
  body: string;
  /** The body is the start of a longer one, cut where reading stopped (see {@link readErrorBody}). */
  cut?: boolean | undefined;
  cause?: unknown;
  /**
   * The secrets sent with the request: masked in the parsed error too (the body should come
   * masked already, see {@link readErrorBody}).
   */
  secrets?: SecretSet | undefined;
}): ODataHttpError {
  const cut = parts.cut === true || parts.body.length > ERROR_BODY_LIMIT;
  const body = parts.body.length > ERROR_BODY_LIMIT ? parts.body.slice(0, ERROR_BODY_LIMIT) : parts.body;
  const parsed = parseODataError(body, parts.headers.get("content-type"), cut, parts.secrets);
  return new ODataHttpError({
    status: parts.status,
    ...(parts.statusText ? { statusText: parts.statusText } : {}),
    method: parts.method,
    url: redactUrl(parts.url),
    headers: publicHeaders(parts.headers, parts.secrets),
    body,
    odataError: parsed,
    // A read failure's cause may quote a secret bare as well (the constructor redacts it by names only).
    ...(parts.cause === undefined ? {} : { cause: redactCause(parts.cause, (text) => maskSecretValues(text, parts.secrets)) }),
  });
}

/** How {@link httpErrorFromResponse} reads the body. */
export interface ErrorBodyReading {
  /** The request's signal: an abort while the body is read rejects with its reason. */
  signal?: AbortSignal | undefined;
  /** How long reading may take in ms. @default ERROR_BODY_TIME_LIMIT */
  timeLimit?: number;
}

/**
 * Reads a failed response (bounded in size and time) into an {@link ODataHttpError}. When the
 * connection fails or stalls while the body is read, the error still carries the status and the
 * text read so far (with a read failure as its `cause`); an abort (of `signal`, or any rejection
 * that is not fetch's network `TypeError`) rejects with its reason instead.
 */
export async function httpErrorFromResponse(
  response: Response,
  method: string,
  url: string | URL,
  reading: ErrorBodyReading = {},
): Promise<ODataHttpError> {
  const { text, cut, cause } = await readErrorBody(response, reading);
  // The reason phrase is the service's text too, and may echo a secret as the body may.
  const secrets = SENT_SECRETS.get(response);
  return httpErrorFromParts({
    status: response.status,
    statusText: maskSecretValues(response.statusText, secrets),
    method,
    url,
    headers: response.headers,
    body: text,
    cut,
    secrets,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Reads the body of a failed answer, bounded in size and time (see {@link readBoundedPart}); `cut`
 * when the text is only the start of the body. When the connection fails or stalls while it is
 * read, resolves with the text read so far and that failure as `cause`, since the answer's status
 * still stands; an abort (of `signal`, or any rejection that is not a network failure, fetch's
 * `TypeError` or workerd's plain `Error`, or a stall's `TIMEOUT`) rejects with its reason. A stall
 * is no abort, even where the stall watch aborted `signal` itself (a request's own, see
 * `REQUEST_CONTROLLERS`).
 */
export async function readErrorBody(response: Response, reading: ErrorBodyReading = {}): Promise<{ text: string; cut?: true; cause?: unknown }> {
  const { signal, timeLimit = ERROR_BODY_TIME_LIMIT } = reading;
  const read = await readBoundedPart(response, ERROR_BODY_LIMIT, timeLimit);
  const failure = read.failure;
  // A service may echo a credential bare ("no access for eyJhbGci…"): the ones sent are masked.
  const secrets = SENT_SECRETS.get(response);
  // A cut that falls inside an echoed secret leaves its start at the end: masked too.
  const text = maskSecretValues(read.text, secrets, read.cut === true || read.failure !== undefined);
  if (failure === undefined) return read.cut ? { text, cut: true } : { text };
  // The caller's abort rejects with its reason, whatever the body failed with: fetch errors it with
  // the reason itself, which may well be a TypeError or a plain Error, as a lost connection is.
  if (signal?.aborted && !failure.stalled) throw abortReason(signal);
  // A lost connection is fetch's TypeError; workerd's is a plain Error ("Network connection lost.").
  const interrupted = failure.error instanceof TypeError || (failure.error as object | undefined)?.constructor === Error || (failure.error instanceof ODataClientError && failure.error.code === "TIMEOUT");
  if (!interrupted) throw failure.error;
  // The text read before the connection failed is the start of the body, as a cut one is.
  return { text, cut: true, cause: failure.error };
}
