/**
 * Reading a failed answer: its body, bounded in size, and the OData error inside it in the v4 JSON,
 * v2 JSON and XML shapes.
 */
import { ODataHttpError, type ODataErrorDetail } from "../errors.js";

/** How much of an error body is kept (and read at all); the rest is discarded unread. */
export const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * Reads at most `limit` bytes of a body as text and cancels the rest, so that a hostile or huge
 * error body cannot exhaust memory.
 */
export async function readBoundedText(response: Response, limit = ERROR_BODY_LIMIT): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - received;
      if (value.byteLength >= room) {
        text += decoder.decode(value.subarray(0, room), { stream: true });
        received = limit;
        break;
      }
      received += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
    text += decoder.decode();
  } finally {
    reader.cancel().catch(() => {});
  }
  return text;
}

/**
 * Parses the OData error object from an error body: v4 JSON `{"error":{"code","message",...}}`,
 * v2 JSON `{"error":{"code","message":{"lang","value"}}}` and the XML `<error>` of both versions.
 * Returns `undefined` when the body holds no OData error.
 */
export function parseODataError(body: string, contentType: string | null): ODataErrorDetail | undefined {
  const trimmed = body.trimStart();
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return undefined;
    }
    return readJsonError(parsed);
  }
  if (trimmed.startsWith("<") || /xml/i.test(contentType ?? "")) return readXmlError(trimmed);
  return undefined;
}

function readJsonError(parsed: unknown): ODataErrorDetail | undefined {
  if (!isRecord(parsed)) return undefined;
  // v2 services sometimes nest as {"odata.error": ...} (WCF Data Services / v3 verbose JSON).
  const error = parsed["error"] ?? parsed["odata.error"];
  return isRecord(error) ? readJsonErrorObject(error) : undefined;
}

function readJsonErrorObject(error: Record<string, unknown>): ODataErrorDetail | undefined {
  const code = error["code"];
  const message = readMessage(error["message"]);
  if (message === undefined && code === undefined) return undefined;
  const detail: ODataErrorDetail = {
    code: code === undefined || code === null ? "" : String(code),
    message: message ?? "",
  };
  if (typeof error["target"] === "string") detail.target = error["target"];
  const details = error["details"];
  if (Array.isArray(details)) {
    const read = details.filter(isRecord).map(readJsonErrorObject);
    detail.details = read.filter((d): d is ODataErrorDetail => d !== undefined);
  }
  if (error["innererror"] !== undefined) detail.innererror = error["innererror"];
  return detail;
}

function readMessage(message: unknown): string | undefined {
  if (typeof message === "string") return message;
  if (isRecord(message) && typeof message["value"] === "string") return message["value"];
  return undefined;
}

function readXmlError(xml: string): ODataErrorDetail | undefined {
  // Only the first-level children of <error> matter here; a full XML parser is not needed for
  // three text elements, and the namespace prefix (m:, none, or another) varies by service.
  const code = xmlElementText(xml, "code");
  const message = xmlElementText(xml, "message");
  if (code === undefined && message === undefined) return undefined;
  const detail: ODataErrorDetail = { code: code ?? "", message: message ?? "" };
  const target = xmlElementText(xml, "target");
  if (target !== undefined) detail.target = target;
  return detail;
}

function xmlElementText(xml: string, localName: string): string | undefined {
  const pattern = new RegExp(`<(?:[\\w.-]+:)?${localName}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${localName}\\s*>`);
  const match = pattern.exec(xml);
  return match?.[1] === undefined ? undefined : decodeXmlText(match[1]);
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Response header names that are never copied into an error (they carry session secrets). */
const SECRET_RESPONSE_HEADERS = new Set(["set-cookie", "set-cookie2", "x-csrf-token", "authorization"]);

/** The response headers as a plain object, secrets left out. */
export function publicHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!SECRET_RESPONSE_HEADERS.has(name)) out[name] = value;
  });
  return out;
}

/** A URL fit for messages: user name and password removed. */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return String(url);
  }
  if (!parsed.username && !parsed.password) return parsed.href;
  parsed.username = "";
  parsed.password = "";
  return parsed.href;
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
}): ODataHttpError {
  const body = parts.body.length > ERROR_BODY_LIMIT ? parts.body.slice(0, ERROR_BODY_LIMIT) : parts.body;
  return new ODataHttpError({
    status: parts.status,
    ...(parts.statusText ? { statusText: parts.statusText } : {}),
    method: parts.method,
    url: redactUrl(parts.url),
    headers: publicHeaders(parts.headers),
    body,
    odataError: parseODataError(body, parts.headers.get("content-type")),
  });
}

/** Reads a failed response (bounded) into an {@link ODataHttpError}. */
export async function httpErrorFromResponse(response: Response, method: string, url: string | URL): Promise<ODataHttpError> {
  const body = await readBoundedText(response);
  return httpErrorFromParts({
    status: response.status,
    statusText: response.statusText,
    method,
    url,
    headers: response.headers,
    body,
  });
}
