/**
 * A wire log for the demo: a `fetch` to give the client (option `fetch`), which prints each
 * request it sends and the status it got, with the headers that teach something (the CSRF token
 * fetch, If-Match, Prefer, ETag). It sits below the whole pipeline, so it also sees the requests
 * the client makes by itself, such as fetching a CSRF token. Token values are never printed.
 */
import { line, type Output } from "./terminal.js";

/** The wire log of one client. */
export interface WireLog {
  /** The `fetch` to pass to `new ODataClient({ fetch })`. */
  readonly fetch: typeof fetch;
  /** Prints the exchanges `work` causes; quiet otherwise. */
  watch<T>(work: () => Promise<T>): Promise<T>;
}

const SHOWN_REQUEST_HEADERS = ["x-csrf-token", "if-match", "if-none-match", "prefer", "content-type"] as const;
const SHOWN_RESPONSE_HEADERS = ["etag", "x-csrf-token", "preference-applied", "content-type"] as const;

/** A wire log printing to `out`; paths are shown relative to `serviceUrl`. */
export function wireLog(out: Output, serviceUrl: string): WireLog {
  let watching = 0;
  const logged: typeof fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    if (watching > 0) {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const method = init?.method ?? "GET";
      const request = shownHeaders(new Headers(init?.headers), SHOWN_REQUEST_HEADERS, true);
      const answer = shownHeaders(response.headers, SHOWN_RESPONSE_HEADERS, false);
      line(out, `  > ${method} ${shownPath(url, serviceUrl)}${request}`);
      line(out, `  < ${response.status} ${response.statusText}${answer}`);
    }
    return response;
  };
  return {
    fetch: logged,
    async watch(work) {
      watching += 1;
      try {
        return await work();
      } finally {
        watching -= 1;
      }
    },
  };
}

function shownPath(url: string, serviceUrl: string): string {
  const relative = url.startsWith(serviceUrl) ? url.slice(serviceUrl.length) : url;
  let decoded = relative;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    // Shown as sent.
  }
  return decoded === "" ? "(service root)" : decoded;
}

function shownHeaders(headers: Headers, names: readonly string[], request: boolean): string {
  const shown: string[] = [];
  for (const name of names) {
    let value = headers.get(name);
    if (value === null) continue;
    if (name === "x-csrf-token" && !/^(fetch|required)$/i.test(value)) value = "(the session's token)";
    if (name === "content-type") {
      // Only multipart bodies are worth a look; a random boundary is shortened.
      if (!/^multipart\//i.test(value)) continue;
      value = value.replace(/boundary=([\w-]{0,20})[^;]*/, "boundary=$1…");
    }
    shown.push(`${displayName(name)}: ${value}`);
  }
  if (request && headers.has("cookie")) shown.push("Cookie: (the session's cookie)");
  // Every answer says OData-Version; it is news only when it is not the service's usual 4.0.
  const version = headers.get("odata-version");
  if (!request && version !== null && version !== "4.0") shown.push(`OData-Version: ${version}`);
  return shown.length === 0 ? "" : `  ${shown.join("  ")}`;
}

function displayName(name: string): string {
  if (name === "x-csrf-token") return "X-CSRF-Token";
  if (name === "etag") return "ETag";
  return name.replace(/(^|-)(\w)/g, (_, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`);
}
